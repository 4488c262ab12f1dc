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
from .model import Article, Clause, Config, Control, Pack, Text
from .yaml_source import YamlDocument, YamlError, load_yaml, schema_diagnostics


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
    build.diagnostics += schema_diagnostics(build.meta, _schema("pack.schema.json"))
    for doc in build.files:
        build.diagnostics += schema_diagnostics(doc, _schema("rulefile.schema.json"))


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
    """Articles and clauses; every rule and control under a clause its file quotes; unique ids."""
    for doc in build.files:
        data = doc.data
        clauses = tuple(Clause(c["clause"], c["text"].strip(), c.get("informational", False),
                               tuple(c.get("made_concrete_by", ()))) for c in data["clauses"])
        numbers = {c.number for c in clauses}
        for i, clause in enumerate(clauses):
            if clause.number != data["article"] and not clause.number.startswith(data["article"] + "."):
                build.diagnostics.append(doc.diagnostic(
                    "E103", f"clause {clause.number} is not part of article {data['article']}",
                    ("clauses", i, "clause")))
        build.articles.append(Article(data["article"], Text(**data["title"]), clauses, doc.file))
        for section in ("rules", "controls"):
            for i, raw in enumerate(data.get(section, [])):
                path = (section, i)
                placed = _placed(build, doc, path, raw, numbers)
                if _unique(build, doc, path, raw["id"]) and placed:
                    if section == "rules":
                        build.drafts.append(Draft(doc, path, raw))
                    else:
                        build.controls.append(Control(raw["id"], raw["article"], Text(**raw["title"]),
                                                      Text(**raw["evidence"]), doc.location(path)))
    known = sorted(build.declared)
    for article, doc in zip(build.articles, build.files):
        for i, clause in enumerate(article.clauses):
            for j, rule_id in enumerate(clause.made_concrete_by):
                if rule_id not in build.declared:
                    build.diagnostics.append(doc.diagnostic(
                        "E105", f"no rule or control has the id '{rule_id}'", ("clauses", i, "made_concrete_by", j),
                        did_you_mean(rule_id, known)))


def _placed(build: Build, doc: YamlDocument, path: tuple, raw: dict, numbers: set[str]) -> bool:
    """The rule enforces a clause its file quotes, and its id starts with that clause."""
    if raw["article"] not in numbers:
        build.diagnostics.append(doc.diagnostic(
            "E104", f"'{raw['id']}' enforces clause {raw['article']}, which this file does not quote",
            (*path, "article"), "add the clause and its text under `clauses:`"))
        return False
    prefix = raw["id"].split("-", 1)[0]
    if prefix != raw["article"]:
        build.diagnostics.append(doc.diagnostic(
            "E109", f"the id '{raw['id']}' names clause {prefix}, but the rule enforces clause {raw['article']}",
            (*path, "id"), f"start the id with '{raw['article']}-'"))
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
    compiled = tuple(rules.finish(d) for d in build.drafts if not d.failed)
    build.pack = Pack(m["name"], str(m["version"]), Text(**m["title"]), build.folder, build.contract,
                      tuple(build.articles), compiled, tuple(build.controls))


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
