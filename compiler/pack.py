"""A rule pack: a folder with `pack.yaml` and one YAML file per article.

`load_pack` runs the compiler's stages in order and collects every diagnostic
before it gives up, so that a rule author sees all problems of a pack at once:

    read YAML → validate against rulefile.schema.json → check the pack's structure
    → parse conditions → resolve names and types → check messages for privacy
"""

from __future__ import annotations

import json
import string
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path

from ..datasets import Dataset, contract as data_contract
from . import ir
from .diagnostics import CompileError, Diagnostic, Location, did_you_mean
from .parse import parse_condition
from .resolve import AUDIT_DATE, Resolver
from .yaml_source import YamlDocument, YamlError, load_yaml, schema_diagnostics

UNLISTED_COLUMNS = "unlisted-columns"


@dataclass(frozen=True)
class Text:
    nl: str
    en: str

    def __getitem__(self, lang: str) -> str:
        return getattr(self, lang)

    def as_dict(self) -> dict[str, str]:
        return {"nl": self.nl, "en": self.en}


@dataclass(frozen=True)
class Clause:
    number: str
    text: str
    informational: bool = False
    made_concrete_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Article:
    number: str
    title: Text
    clauses: tuple[Clause, ...]
    file: str


@dataclass(frozen=True)
class Rule:
    id: str
    article: str
    title: Text
    severity: str
    dataset: str
    kind: str
    keys: tuple[str, ...]  # the columns of a finding's key
    params: dict[str, object]  # defaults
    condition: ir.Expr | None  # resolved; None for unlisted-columns
    condition_text: str
    outputs: dict[str, ir.Expr]  # the lets a message shows
    message: Text
    source: Location
    examples: tuple[dict, ...] = field(default=(), compare=False)

    @property
    def datasets(self) -> tuple[str, ...]:
        """Every dataset the rule reads: its own, then those of its sub-queries."""
        found = [self.dataset]
        for expr in (self.condition, *self.outputs.values()):
            found += [n.dataset for n in ir.walk(expr) if isinstance(n, ir.Source)] if expr else []
        return tuple(dict.fromkeys(found))

    def values(self, overrides: dict[str, object], as_of: object) -> dict[str, object]:
        """The parameter values a run binds: defaults, overridden, plus the audit date."""
        return {**self.params, **{k: v for k, v in overrides.items() if k in self.params}, AUDIT_DATE: as_of}


@dataclass(frozen=True)
class Control:
    id: str
    article: str
    title: Text
    evidence: Text
    source: Location


@dataclass(frozen=True)
class Pack:
    name: str
    version: str
    title: Text
    path: Path
    articles: tuple[Article, ...]
    rules: tuple[Rule, ...]
    controls: tuple[Control, ...]

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


@cache
def _schema(name: str) -> dict:
    return json.loads(files(__package__).joinpath(name).read_text("utf-8"))


def load_pack(directory: Path, contract: dict[str, Dataset] | None = None) -> Pack:
    """Compile a rule pack, or raise CompileError with every problem found."""
    contract = contract or data_contract()
    directory = Path(directory)
    diagnostics: list[Diagnostic] = []
    meta_file = directory / "pack.yaml"
    if not meta_file.is_file():
        raise CompileError([Diagnostic("E100", f"{_display(meta_file)}: a rule pack needs a pack.yaml")])
    docs = []
    for path in [meta_file, *sorted(p for p in directory.glob("*.yaml") if p.name != "pack.yaml")]:
        try:
            docs.append(load_yaml(path, _display(path)))
        except YamlError as err:
            diagnostics.append(err.diagnostic)
    if diagnostics:
        raise CompileError(diagnostics)
    meta, article_docs = docs[0], docs[1:]
    diagnostics += schema_diagnostics(meta, _schema("pack.schema.json"))
    for doc in article_docs:
        diagnostics += schema_diagnostics(doc, _schema("rulefile.schema.json"))
    if diagnostics:
        raise CompileError(diagnostics)

    compiler = _PackCompiler(contract)
    for doc in article_docs:
        compiler.add_file(doc)
    compiler.check_references()
    if compiler.diagnostics:
        raise CompileError(compiler.diagnostics)
    m = meta.data
    return Pack(m["name"], str(m["version"]), Text(**m["title"]), directory, tuple(compiler.articles),
                tuple(compiler.rules), tuple(compiler.controls))


def _display(path: Path) -> str:
    """A path as short as possible: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class _PackCompiler:
    def __init__(self, contract: dict[str, Dataset]):
        self.contract = contract
        self.diagnostics: list[Diagnostic] = []
        self.articles: list[Article] = []
        self.rules: list[Rule] = []
        self.controls: list[Control] = []
        self._seen: dict[str, Location] = {}
        self._references: list[tuple[YamlDocument, tuple, str]] = []
        self._personal = frozenset((d.name, c.name) for d in contract.values() for c in d.columns if c.personal)

    def add_file(self, doc: YamlDocument) -> None:
        data = doc.data
        clauses = tuple(Clause(c["clause"], c["text"].strip(), c.get("informational", False),
                               tuple(c.get("made_concrete_by", ()))) for c in data["clauses"])
        numbers = {c.number for c in clauses}
        for i, clause in enumerate(clauses):
            if clause.number != data["article"] and not clause.number.startswith(data["article"] + "."):
                self.diagnostics.append(doc.diagnostic(
                    "E103", f"clause {clause.number} is not part of article {data['article']}", ("clauses", i, "clause")))
            self._references += [(doc, ("clauses", i, "made_concrete_by", j), r)
                                 for j, r in enumerate(clause.made_concrete_by)]
        self.articles.append(Article(data["article"], Text(**data["title"]), clauses, doc.file))
        for i, raw in enumerate(data.get("rules", [])):
            if self._check_clause(doc, ("rules", i), raw, numbers) and self._unique(doc, ("rules", i), raw["id"]):
                rule = self._rule(doc, ("rules", i), raw)
                if rule is not None:
                    self.rules.append(rule)
        for i, raw in enumerate(data.get("controls", [])):
            path = ("controls", i)
            if self._check_clause(doc, path, raw, numbers) and self._unique(doc, path, raw["id"]):
                self.controls.append(Control(raw["id"], raw["article"], Text(**raw["title"]),
                                             Text(**raw["evidence"]), doc.location(path)))

    def check_references(self) -> None:
        known = sorted(self._seen)
        for doc, path, rule_id in self._references:
            if rule_id not in self._seen:
                self.diagnostics.append(doc.diagnostic("E105", f"no rule or control has the id '{rule_id}'", path,
                                                       did_you_mean(rule_id, known)))

    def _check_clause(self, doc: YamlDocument, path: tuple, raw: dict, numbers: set[str]) -> bool:
        if raw["article"] in numbers:
            return True
        self.diagnostics.append(doc.diagnostic(
            "E104", f"'{raw['id']}' enforces clause {raw['article']}, which this file does not quote",
            (*path, "article"), "add the clause and its text under `clauses:`"))
        return False

    def _unique(self, doc: YamlDocument, path: tuple, rule_id: str) -> bool:
        if rule_id in self._seen:
            self.diagnostics.append(doc.diagnostic("E106", f"the id '{rule_id}' is used twice (first at {self._seen[rule_id]})",
                                                   (*path, "id")))
            return False
        self._seen[rule_id] = doc.location(path)
        return True

    def _rule(self, doc: YamlDocument, path: tuple, raw: dict) -> Rule | None:
        dataset = self.contract.get(raw["dataset"])
        if dataset is None:
            self.diagnostics.append(doc.diagnostic("E303", f"unknown dataset '{raw['dataset']}'", (*path, "dataset"),
                                                   did_you_mean(raw["dataset"], sorted(self.contract))))
            return None
        kind = raw.get("kind", "condition")
        params = dict(raw.get("params", {}))
        keys = ("column",) if kind == UNLISTED_COLUMNS else (dataset.key,)
        condition, outputs = None, {}
        if kind != UNLISTED_COLUMNS:
            condition, lets = self._condition(doc, path, raw, dataset, params)
            if condition is None:
                return None
            outputs = lets
        fields = self._message_fields(doc, path, raw, keys, outputs, params)
        if fields is None or not self._examples_fit(doc, path, raw, dataset):
            return None
        return Rule(raw["id"], raw["article"], Text(**raw["title"]), raw["severity"], dataset.name, kind, keys,
                    params, condition, raw.get("condition", ""), {f: outputs[f] for f in fields if f in outputs},
                    Text(**raw["message"]), doc.location(path), tuple(raw.get("examples", ())))

    def _condition(self, doc: YamlDocument, path: tuple, raw: dict, dataset: Dataset,
                   params: dict) -> tuple[ir.Expr | None, dict[str, ir.Expr]]:
        lets: dict[str, ir.Expr] = {}
        resolver = Resolver(self.contract, dataset.name, params, lets, doc.source_text((*path, "condition")))
        before = len(self.diagnostics)
        for name in raw.get("let", {}):
            if dataset.column(name) is not None or name == AUDIT_DATE:
                self.diagnostics.append(doc.diagnostic(
                    "E304", f"the value '{name}' hides the column of that name in {dataset.name}", (*path, "let", name)))
                continue
            resolver.source = doc.source_text((*path, "let", name))
            parsed = parse_condition(resolver.source)
            value = resolver.value(parsed) if not isinstance(parsed, Diagnostic) else parsed
            if isinstance(value, Diagnostic):
                self.diagnostics.append(value)
            elif value is not None:
                lets[name] = value
        resolver.source = doc.source_text((*path, "condition"))
        parsed = parse_condition(resolver.source)
        condition = resolver.condition(parsed) if not isinstance(parsed, Diagnostic) else None
        self.diagnostics += resolver.diagnostics + ([parsed] if isinstance(parsed, Diagnostic) else [])
        return (condition if len(self.diagnostics) == before else None), lets

    def _examples_fit(self, doc: YamlDocument, path: tuple, raw: dict, dataset: Dataset) -> bool:
        """Example rows name only datasets and columns of the contract.

        A misspelt name would otherwise be an empty table or a null column, and an
        example that must not flag anything would pass without testing anything.
        """
        ok = True
        for i, example in enumerate(raw.get("examples", [])):
            for name, rows in example["data"].items():
                where = (*path, "examples", i, "data", name)
                known = self.contract.get(name)
                if known is None:
                    ok = False
                    self.diagnostics.append(doc.diagnostic("E107", f"example data names an unknown dataset '{name}'",
                                                           where, did_you_mean(name, sorted(self.contract))))
                    continue
                extra_allowed = name == dataset.name == "clients" and raw.get("kind") == UNLISTED_COLUMNS
                for j, row in enumerate(rows):
                    for column in row:
                        if known.column(column) is None and not extra_allowed:
                            ok = False
                            self.diagnostics.append(doc.diagnostic(
                                "E108", f"example row has a column '{column}' that {name} does not have",
                                (*where, j), did_you_mean(column, known.column_names)))
        return ok

    def _message_fields(self, doc: YamlDocument, path: tuple, raw: dict, keys: tuple[str, ...],
                        lets: dict[str, ir.Expr], params: dict) -> list[str] | None:
        """The placeholders of both messages: keys, computed values and parameters only.

        A computed value that reads a personal column (a name, a BSN, a birth date, free
        text) is refused here, so that no report can ever print one. A true/false value
        (`name is empty`) tells no more than the finding itself and is allowed.
        """
        allowed = [*keys, *lets, *(f"${p}" for p in params), f"${AUDIT_DATE}"]
        personal = self._personal
        fields: list[str] = []
        ok = True
        for lang in ("nl", "en"):
            where = (*path, "message", lang)
            try:
                names = [f for _, f, _, _ in string.Formatter().parse(raw["message"][lang]) if f is not None]
            except ValueError as err:
                self.diagnostics.append(doc.diagnostic("E601", f"message: {err}", where))
                ok = False
                continue
            for name in names:
                if name not in allowed:
                    ok = False
                    self.diagnostics.append(doc.diagnostic(
                        "E602", f"the message may show key columns, `let` values and parameters only, not '{{{name}}}'",
                        where, did_you_mean(name, allowed) or f"allowed: {', '.join('{' + a + '}' for a in allowed)}"))
                elif name in lets and lets[name].type != ir.BOOL and (leak := _personal_reads(lets[name], personal)):
                    ok = False
                    self.diagnostics.append(doc.diagnostic(
                        "E603", f"'{{{name}}}' reads the personal column {leak}; a report must never show it", where))
                elif name not in fields:
                    fields.append(name)
        return fields if ok else None


def _personal_reads(expr: ir.Expr, personal: frozenset[tuple[str, str]]) -> str | None:
    for node in ir.walk(expr):
        if isinstance(node, ir.Column) and (node.dataset, node.name) in personal:
            return f"{node.dataset}.{node.name}"
    return None
