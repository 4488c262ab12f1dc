"""The compiler: named stages, run in order over one rule pack (and its configuration).

    read → schema → contract → structure → parse → resolve → contract-rules → messages
    → examples → assemble → config

A reader learns the whole compiler from `STAGES`, as from OPA's `ast/compile.go`. Each
stage adds to a shared `Build` and records diagnostics instead of raising, so that one
run shows every problem of a pack. The stages that work rule by rule go on after a
problem, over the rules without one (so one run shows the problems of every rule, and
none twice); any other stage ends the run once there are problems, since it would only
repeat them in other words.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from pathlib import Path

from ..datasets import SHIPPED
from . import config as config_stage
from . import contract_rules, pack_cache, rules
from .build import Build, Draft, Stage
from .contract_files import read_contract
from .diagnostics import CompileError, Diagnostic, did_you_mean
from .model import Article, Clause, Config, Control, Pack, Regulation, Text
from .numbering import natural_key
from .yaml_source import YamlDocument, YamlError, load_yaml, schema_diagnostics
from .zones import DEFAULT_ZONE, zone_problem


def display(path: Path) -> str:
    """A path as short as possible: relative to the working directory when inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@cache
def _schema(name: str) -> dict:
    return json.loads(files(__package__).joinpath(name).read_text("utf-8"))


# -- the stages that read and check the files ---------------------------------------------
def read_files(build: Build) -> None:
    meta_file = build.folder / "pack.yaml"
    if not meta_file.is_file():
        build.diagnostics.append(Diagnostic("E100", f"{display(meta_file)}: a rule pack needs a pack.yaml"))
        return
    for path in [meta_file, *sorted(p for p in build.folder.glob("*.yaml") if p.name != "pack.yaml")]:
        try:
            build.files.append(load_yaml(path, display(path)))
        except YamlError as err:
            build.diagnostics.append(err.diagnostic)
    build.meta, build.files = build.files[0] if build.files else None, build.files[1:]


def check_schemas(build: Build) -> None:
    build.diagnostics += schema_diagnostics(build.meta, _schema("pack.schema.json")) or _zone(build.meta)
    for doc in build.files:
        build.diagnostics += schema_diagnostics(doc, _schema("rulefile.schema.json"))


def _zone(meta: YamlDocument) -> list[Diagnostic]:
    """`time_zone:` names a zone of the IANA database (E133), or is left out."""
    problem = zone_problem(meta.data["time_zone"]) if "time_zone" in meta.data else None
    return [meta.diagnostic("E133", problem[0], ("time_zone",), problem[1])] if problem else []


def read_pack_contract(build: Build) -> None:
    """The contract `pack.yaml` names: a folder relative to the pack, or a contract that ships
    with reglement by name (`westendorp`, the default), so that a copied pack still finds it."""
    named = build.meta.data.get("contract") or "westendorp"
    folder = SHIPPED[named]() if named in SHIPPED and not (build.folder / named).is_dir() else build.folder / named
    build.contract, problems = read_contract(folder, display(folder))
    build.diagnostics += [_at_contract_key(build.meta, p) if p.code == "E120" else p for p in problems]


def _at_contract_key(meta: YamlDocument, problem: Diagnostic) -> Diagnostic:
    return meta.diagnostic(problem.code, problem.message, ("contract",), problem.hint)


def check_structure(build: Build) -> None:
    """Regulations, articles and clauses; every rule and control under a clause its file quotes; unique ids."""
    build.regulations = _regulations(build.meta)
    build.diagnostics += regulation_codes(build.meta)
    quoted: dict[tuple[str, str], str] = {}  # (regulation, article) → where it is quoted first
    for doc in build.files:
        data = doc.data
        regulation = _regulation_of(build, doc)
        if regulation is None or not _first_quote(build, doc, regulation, quoted):
            continue
        clauses = tuple(Clause(c["clause"], c["text"].strip(), c.get("informational", False),
                               tuple(c.get("made_concrete_by", ()))) for c in data["clauses"])
        numbers = {c.number for c in clauses}
        for i, clause in enumerate(clauses):
            if clause.number != data["article"] and not clause.number.startswith(data["article"] + "."):
                build.diagnostics.append(doc.diagnostic(
                    "E103", f"clause {clause.number} is not part of article {data['article']}",
                    ("clauses", i, "clause")))
        build.articles.append(Article(data["article"], Text(**data["title"]), clauses, doc.file, regulation.code))
        for section in ("rules", "controls"):
            for i, raw in enumerate(data.get(section, [])):
                path = (section, i)
                placed = _placed(build, doc, path, raw, numbers, regulation.prefix)
                if _unique(build, doc, path, raw["id"]) and placed:
                    if section == "rules":
                        build.drafts.append(Draft(doc, path, raw, regulation=regulation.code))
                    else:
                        build.controls.append(Control(raw["id"], raw["article"], Text(**raw["title"]),
                                                      Text(**raw["evidence"]), doc.location(path), regulation.code))
    known = sorted(build.declared)
    files = {doc.file: doc for doc in build.files}
    for article in build.articles:
        doc = files[article.file]
        for i, clause in enumerate(article.clauses):
            for j, rule_id in enumerate(clause.made_concrete_by):
                if rule_id not in build.declared:
                    build.diagnostics.append(doc.diagnostic(
                        "E105", f"no rule or control has the id '{rule_id}'", ("clauses", i, "made_concrete_by", j),
                        did_you_mean(rule_id, known)))


def _regulations(meta: YamlDocument) -> tuple[Regulation, ...]:
    """pack.yaml's `regulations`, the first with ids that start with their clause, the others with their code."""
    return tuple(Regulation(r["code"], r["name"], Text(**r["title"]), r.get("text", "").strip(),
                            "" if i == 0 else f"{r['code']}-") for i, r in enumerate(meta.data.get("regulations", ())))


def regulation_codes(meta: YamlDocument) -> list[Diagnostic]:
    """Each code of pack.yaml's `regulations` once: a rule file names its regulation by it (E143)."""
    first: dict[str, str] = {}
    out = []
    for i, raw in enumerate(meta.data.get("regulations", ())):
        if raw["code"] in first:
            out.append(meta.diagnostic("E143", f"the code '{raw['code']}' is given to two regulations (first to "
                                               f"{first[raw['code']]})", ("regulations", i, "code"),
                                       "give each regulation a code of its own"))
        first.setdefault(raw["code"], raw["name"])
    return out


_ONE = Regulation("", "", Text("", ""))  # the regulation of a pack that gives it as text (`regulation:`), or none


def _regulation_of(build: Build, doc: YamlDocument) -> Regulation | None:
    """The regulation a rule file names (`regulation: jw`); the pack's only one when it names none. None, and
    said, when it names one pack.yaml does not declare (E141), or none while the pack has several (E142)."""
    declared = {r.code: r for r in build.regulations}
    named = doc.data.get("regulation")
    if named is None:
        if len(declared) > 1:
            build.diagnostics.append(doc.diagnostic(
                "E142", f"the pack has {len(declared)} regulations ({', '.join(declared)}); this file does not say "
                        f"which one article {doc.data['article']} belongs to", ("article",),
                "add `regulation: <code>` beside `article:`"))
            return None
        return next(iter(declared.values()), _ONE)
    if named not in declared:
        hint = (did_you_mean(named, sorted(declared)) or f"known: {', '.join(declared)}" if declared else
                "pack.yaml declares no regulations: list them under `regulations:` (code, name, title)")
        build.diagnostics.append(doc.diagnostic(
            "E141", f"unknown regulation '{named}': pack.yaml does not declare it", ("regulation",), hint))
        return None
    return declared[named]


def _first_quote(build: Build, doc: YamlDocument, regulation: Regulation, quoted: dict[tuple[str, str], str]) -> bool:
    """Each article of a regulation is quoted in one file (E144); another regulation may have the same number."""
    article = doc.data["article"]
    where = doc.location(("article",))
    first = quoted.setdefault((regulation.code, article), f"{where.file}:{where.line}")
    if first != f"{where.file}:{where.line}":
        of = f" of {regulation.name}" if regulation.name else ""
        build.diagnostics.append(doc.diagnostic(
            "E144", f"article {article}{of} is quoted twice (first at {first})", ("article",),
            "keep each article of a regulation in one file"))
        return False
    return True


def _placed(build: Build, doc: YamlDocument, path: tuple, raw: dict, numbers: set[str], prefix: str) -> bool:
    """The rule enforces a clause its file quotes, and its id starts with that clause (after its regulation's code,
    for a regulation other than the pack's first)."""
    if raw["article"] not in numbers:
        build.diagnostics.append(doc.diagnostic(
            "E104", f"'{raw['id']}' enforces clause {raw['article']}, which this file does not quote",
            (*path, "article"), "add the clause and its text under `clauses:`"))
        return False
    expected = f"{prefix}{raw['article']}"
    named = raw["id"].split("-", 2 if raw["id"][:1].isalpha() else 1)  # `jw-7.3.8-…` names a code and a clause
    if "-".join(named[:-1]) != expected:
        build.diagnostics.append(doc.diagnostic(
            "E109", f"the id '{raw['id']}' names clause {'-'.join(named[:-1])}, but the rule enforces clause "
                    f"{expected}", (*path, "id"), f"start the id with '{expected}-'"))
        return False
    return True


def _unique(build: Build, doc: YamlDocument, path: tuple, rule_id: str) -> bool:
    if rule_id in build.declared:
        build.diagnostics.append(doc.diagnostic(
            "E106", f"the id '{rule_id}' is used twice (first at {build.declared[rule_id]})", (*path, "id")))
        return False
    build.declared[rule_id] = doc.location(path)
    return True


# -- the end of the pipeline ----------------------------------------------------------------
def assemble(build: Build) -> None:
    m = build.meta.data
    order = {r.code: i for i, r in enumerate(build.regulations)}
    articles = sorted(build.articles, key=lambda a: (order.get(a.regulation, 0), natural_key(a.number)))
    rank = {a.file: i for i, a in enumerate(articles)}  # rules in the regulations' order, as reports file them
    drafts = sorted((d for d in build.drafts if not d.failed), key=lambda d: rank.get(d.doc.file, len(rank)))
    compiled = tuple(rules.finish(d) for d in drafts)
    build.pack = Pack(m["name"], str(m["version"]), Text(**m["title"]), build.folder, build.contract,
                      tuple(articles), compiled, tuple(build.controls), build.regulations,
                      m.get("time_zone", DEFAULT_ZONE))


PACK_STAGES: tuple[Stage, ...] = (  # they read the pack and its contract only: their result is kept (pack_cache.py)
    Stage("read", "read pack.yaml and every article file, keeping the line and column of each value", read_files),
    Stage("schema", "validate pack.yaml and each article file against its JSON Schema", check_schemas),
    Stage("contract", "read the data contract the pack names and check its schemas", read_pack_contract),
    Stage("structure", "articles and clauses; each rule under a clause its file quotes; unique ids", check_structure,
          per_rule=True),
    Stage("parse", "parse every condition and `let` with the Lark grammar into the typed IR", rules.parse,
          per_rule=True),
    Stage("resolve", "bind every name to a dataset, column, `let` or parameter and check the types", rules.resolve,
          per_rule=True),
    Stage("contract-rules", "generate the checks of each contract rule from the contract's declarations",
          contract_rules.expand, per_rule=True),
    Stage("messages", "titles and messages show keys, computed values and parameters, never personal data",
          rules.check_messages, per_rule=True),
    Stage("examples", "example data names only datasets and columns of the contract", rules.check_examples,
          per_rule=True),
    Stage("assemble", "the compiled pack", assemble),
)
CONFIG_STAGE = Stage("config", "the organisation's configuration: parameters in range, known rules, controls and keys",
                     config_stage.check)
STAGES: tuple[Stage, ...] = (*PACK_STAGES, CONFIG_STAGE)


def compile_pack(folder: Path, config_path: Path | None = None) -> tuple[Pack, Config]:
    """Run every stage; the compiled pack and configuration, or CompileError with every problem.

    The result of PACK_STAGES is kept between runs (`pack_cache.py`); the configuration is
    read and checked every time.
    """
    pack = pack_cache.cached(Path(folder), lambda: _run(Build(Path(folder)), PACK_STAGES).pack)
    build = _run(Build(Path(folder), Path(config_path) if config_path else None, contract=pack.contract,
                       pack=pack), (CONFIG_STAGE,))
    return build.pack, build.config


def _run(build: Build, stages: tuple[Stage, ...]) -> Build:
    for stage in stages:
        if build.diagnostics and not (stage.per_rule and build.contract is not None):
            break
        stage.run(build)
    if build.diagnostics:
        raise CompileError(build.diagnostics)
    return build


def load_pack(folder: Path) -> Pack:
    """The compiled pack without a configuration (its parameters at their defaults)."""
    return compile_pack(folder)[0]
