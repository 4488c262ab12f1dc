"""The stages that compile one rule at a time: parse, resolve, messages, examples.

Each works on the rules' drafts (`build.py`), and leaves alone a draft an earlier stage failed.
"""

from __future__ import annotations

import string
from collections.abc import Iterator
from dataclasses import replace

from . import amounts, ir
from .build import CONDITION, CONTRACT, EXPLANATION, SCOPE, Build, Draft, drafts
from .diagnostics import Diagnostic, did_you_mean
from .model import AUDIT_DATE, AUDIT_TIME, Check, Explanation, Param, Rule, Text
from .resolve import Resolver, unknown_code, unknown_dataset_hint
from .yaml_source import YamlPath
from .zones import DEFAULT_ZONE, audit_moment, zone_problem

# What a contract rule's message may show: the dataset and column a finding is about, the
# row's key, the value found (never a personal one), the column a reference names and the
# earlier date of a pair. A field a check does not have shows as '—'.
CONTRACT_FIELDS = ("dataset", "column", "key", "value", "target", "earlier")


# -- parse ---------------------------------------------------------------------------------
def parse(build: Build) -> None:
    for draft in drafts(build):
        draft.params = _params(build, draft)
        for name in draft.raw.get("let", {}):
            _parse_one(build, draft, name, ("let", name))
        for name, where in _conditions(draft):
            _parse_one(build, draft, name, where)


def _conditions(draft: Draft) -> list[tuple[str, YamlPath]]:
    """The conditions a rule writes, each under its key among the parsed values and where it stands: its
    scope, its condition, and the condition of each of its explanations."""
    raw = draft.raw
    found = [(SCOPE, ("scope",))] if "scope" in raw else []
    found += [(CONDITION, ("condition",))] if "condition" in raw else []
    return found + [(f"{EXPLANATION}{i}", ("explanations", i, "condition")) for i in range(len(raw.get("explanations",
                                                                                                           ())))]


def _parse_one(build: Build, draft: Draft, name: str, where: YamlPath) -> None:
    from .parse import parse_condition  # Lark, imported only when a pack is compiled (pack_cache.py)

    parsed = parse_condition(draft.doc.source_text((*draft.path, *where)))
    if isinstance(parsed, Diagnostic):
        build.diagnostics.append(parsed)
        draft.failed = name.startswith("\0") or draft.failed  # a `let` may fail alone: its users say so
    else:
        draft.parsed[name] = parsed


def _params(build: Build, draft: Draft) -> tuple[Param, ...]:
    out = []
    for name, spec in draft.raw.get("params", {}).items():
        if isinstance(spec, dict):
            param = Param(name, spec["default"], spec.get("min"), spec.get("max"))
        else:
            param = Param(name, spec)
        out.append(param)
    return tuple(out)


# -- resolve -------------------------------------------------------------------------------
def resolve(build: Build) -> None:
    from .parse import MAX_DEPTH  # with Lark, imported only when a pack is compiled (pack_cache.py)

    for draft in drafts(build):
        dataset = build.contract.get(draft.raw["dataset"])
        if dataset is None:
            draft.fail(build, "E303", f"unknown dataset '{draft.raw['dataset']}'", ("dataset",),
                       unknown_dataset_hint(draft.raw["dataset"], build.contract))
            continue
        defaults = {p.name: p.default for p in draft.params}
        failed: set[str] = {n for n in draft.raw.get("let", {}) if n not in draft.parsed}
        resolver = Resolver(build.contract, dataset.name, defaults, draft.lets, None, frozenset(failed),
                            {p.name: (p.minimum, p.maximum) for p in draft.params})
        before = len(build.diagnostics)
        for name in draft.raw.get("let", {}):
            if dataset.column(name) is not None or name in (AUDIT_DATE, AUDIT_TIME):
                draft.fail(build, "E304", f"the value '{name}' hides the column of that name in {dataset.name}",
                           ("let", name))
                continue
            if name in failed:
                continue
            resolver.source = draft.doc.source_text((*draft.path, "let", name))
            resolver.diagnostics = []
            value = resolver.value(draft.parsed[name])
            build.diagnostics += resolver.diagnostics
            if value is None:
                failed.add(name)
                resolver.failed = frozenset(failed)
            else:
                draft.lets[name] = value
        if any(name not in draft.parsed for name, _ in _conditions(draft)):
            draft.failed = True
            continue
        resolved = {}
        for name, where in _conditions(draft):
            resolver.source = draft.doc.source_text((*draft.path, *where))
            resolver.diagnostics = []
            resolved[name] = resolver.condition(draft.parsed[name])
            build.diagnostics += resolver.diagnostics
        if None in resolved.values() or failed or len(build.diagnostics) > before:
            draft.failed = True
            continue
        explanations = _explanations(build, draft, resolved)
        if explanations is None:
            continue
        scope, written = resolved.get(SCOPE), resolved.get(CONDITION)
        condition = ir.conjoin([c for c in (scope, written) if c is not None] + [_none_of(e) for e in explanations])
        if ir.depth(condition) > 2 * MAX_DEPTH:  # `let` values inlined into each other can nest deep too
            draft.fail(build, "E203", f"the condition, with its `let` values filled in, nests more than "
                                      f"{2 * MAX_DEPTH} levels deep", ("condition",),
                       "use fewer `let` values inside each other")
            continue
        draft.params = _with_ranges(build, draft, [*resolved.values(), *draft.lets.values()])
        draft.params = _with_vocabularies(build, draft, resolver.vocabularies)
        draft.checks = (Check(dataset.name, dataset.keys, condition, text=_written(draft), scope=scope,
                              explanations=explanations, written=written if explanations else None),)


def _explanations(build: Build, draft: Draft, resolved: dict[str, ir.Expr]) -> tuple[Explanation, ...] | None:
    """The rule's explanations, in the pack's order; None (and the draft failed) when an id repeats."""
    out, seen = [], {}
    for i, raw in enumerate(draft.raw.get("explanations", ())):
        if raw["id"] in seen:
            draft.fail(build, "E124", f"the explanation '{raw['id']}' is named twice in this rule (first as "
                                      f"explanation {seen[raw['id']] + 1})", ("explanations", i, "id"))
            return None
        seen[raw["id"]] = i
        out.append(Explanation(raw["id"], Text(**raw["title"]), resolved[f"{EXPLANATION}{i}"]))
    return tuple(out)


def _none_of(explanation: Explanation) -> ir.Expr:
    """That the explanation does not hold: `no …` for an `exists …`, which an engine answers with an anti join."""
    condition = explanation.condition
    if isinstance(condition, ir.Exists):
        return ir.Exists(condition.span, condition.source, condition.where, not condition.negated)
    return ir.Not(condition.span, condition)


def _written(draft: Draft) -> str:
    """The rule's conditions as its author wrote them, for `explain` and the report."""
    raw = draft.raw
    parts = [f"scope: {raw['scope']}"] if "scope" in raw else []
    parts += [raw["condition"]] if "condition" in raw else []
    parts += [f"unless {e['id']}: {e['condition']}" for e in raw.get("explanations", ())]
    return "\n".join(p.rstrip() for p in parts)


def _with_ranges(build: Build, draft: Draft, exprs: list[ir.Expr]) -> tuple[Param, ...]:
    """A parameter used in the amount of a duration is at least 1 and at most a sane number of its unit,
    unless the rule gives its own range (`{default: 0, min: 0}` allows zero): `amounts.amount_range`."""
    units: dict[str, set[str]] = {}
    for duration in (n for e in exprs for n in ir.walk(e) if isinstance(n, ir.Duration)):
        for name in (p.name for p in ir.walk(duration.amount) if isinstance(p, ir.Param)):
            units.setdefault(name, set()).add(duration.unit)
    out = []
    for param in draft.params:
        if param.name in units:  # the narrowest of its units: `$n years` and `$n days` is at most 200
            low, high = min(amounts.amount_range(param.minimum, param.maximum, u) for u in units[param.name])
            param = replace(param, minimum=low, maximum=high)
        if not in_range(param, param.default):
            draft.fail(build, "E503", f"the default {param.default!r} of '{param.name}' is outside its range "
                                      f"{describe_range(param)}", ("params", param.name))
        out.append(param)
    return tuple(out)


def _with_vocabularies(build: Build, draft: Draft, vocabularies: dict[str, dict[str, tuple[str, ...]]]
                       ) -> tuple[Param, ...]:
    """A parameter compared with a column of a closed vocabulary holds its values only, as a text written in
    the condition does (E407): its default here, a value the configuration gives in `config.py`."""
    out = []
    for param in draft.params:
        param = replace(param, vocabularies=tuple(sorted(vocabularies.get(param.name, {}).items())))
        at = ("params", param.name, *(("default",) if isinstance(draft.raw["params"][param.name], dict) else ()))
        for where, message, hint in unknown_codes(param, param.default):
            draft.fail(build, "E407", message, (*at, *where), hint)
        out.append(param)
    return tuple(out)


def unknown_codes(param: Param, value: object) -> Iterator[tuple[tuple[int, ...], str, str]]:
    """Each text of a parameter's value (a text, or each text of a list) that is not a value of a column the
    parameter is compared with: where it stands in the value, E407's message and its hint."""
    texts = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
    for column, vocabulary in param.vocabularies:
        for i, text in texts:
            if isinstance(text, str) and (unknown := unknown_code(text, column, vocabulary)):
                yield (() if i is None else (i,)), f"{unknown[0]}, which ${param.name} is compared with", unknown[1]


def in_range(param: Param, value: object) -> bool:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return True
    return (param.minimum is None or value >= param.minimum) and (param.maximum is None or value <= param.maximum)


def describe_range(param: Param) -> str:
    low = "" if param.minimum is None else f"{param.minimum}"
    high = "" if param.maximum is None else f"{param.maximum}"
    return f"{low}..{high}"


# -- messages ------------------------------------------------------------------------------
def check_messages(build: Build) -> None:
    """The placeholders of both messages: keys, computed values and parameters only.

    A computed value that reads a personal column (a name, a BSN, a birth date, free
    text) is refused here, so that no report can ever print one. A true/false value
    (`name is empty`) tells no more than the finding itself and is allowed. Titles may
    quote parameters (`{$retention_years}`), so that they state the term in force.
    """
    personal = build.contract.personal_columns()
    for draft in drafts(build, None):
        params = [f"${p.name}" for p in draft.params]
        if draft.kind == CONTRACT:
            allowed = list(CONTRACT_FIELDS)
        else:
            allowed = [*draft.checks[0].keys, *draft.lets, *params, f"${AUDIT_DATE}", f"${AUDIT_TIME}"]
        found: list[str] = []
        for lang in ("nl", "en"):
            names = _placeholders(build, draft, ("message", lang))
            for name in names or ():
                if name not in allowed:
                    draft.fail(build, "E602", f"the message may show key columns, `let` values and parameters only, "
                                              f"not '{{{name}}}'", ("message", lang),
                               did_you_mean(name, allowed) or f"allowed: {', '.join('{' + a + '}' for a in allowed)}",
                               at=f"{{{name}}}")
                elif name in draft.lets and draft.lets[name].type != ir.BOOL and (
                        leak := personal_reads(draft.lets[name], personal)):
                    draft.fail(build, "E603", f"'{{{name}}}' reads the personal column {leak}; a report must never "
                                              "show it", ("message", lang), at=f"{{{name}}}")
                elif name not in found:
                    found.append(name)
            for name in _placeholders(build, draft, ("title", lang)) or ():
                if name not in params:
                    draft.fail(build, "E605", f"a title may quote parameters only, not '{{{name}}}'", ("title", lang),
                               did_you_mean(name, params) or (f"parameters: {', '.join(params)}" if params else
                                                              "this rule has no parameters"))
        if not draft.failed:
            draft.fields = tuple(found)
            if draft.kind != CONTRACT:
                check = draft.checks[0]
                outputs = {f: draft.lets[f] for f in found if f in draft.lets}
                draft.checks = (replace(check, outputs=outputs),)


def _placeholders(build: Build, draft: Draft, where: YamlPath) -> list[str] | None:
    """The `{name}` fields of a text; a format spec or conversion (`{x:>9}`, `{x!r}`) is refused:
    it could fail or grow a report when it is built, long after the pack compiled."""
    text = draft.raw[where[0]][where[1]]
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as err:
        draft.fail(build, "E601", f"{where[0]}: {err}", where, "write a literal brace as {{ or }}")
        return None
    names = []
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if spec or conversion:
            written = f"{name}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}"
            draft.fail(build, "E604", f"'{{{written}}}': a placeholder takes no format", where, f"write {{{name}}}")
        names.append(name)
    return names


def personal_reads(expr: ir.Expr, personal: frozenset[tuple[str, str]]) -> str | None:
    """The first personal column an expression reads, as `dataset.column`."""
    for node in ir.walk(expr):
        if isinstance(node, ir.Column) and (node.dataset, node.name) in personal:
            return f"{node.dataset}.{node.name}"
    return None


# -- examples ------------------------------------------------------------------------------
def check_examples(build: Build) -> None:
    """Example rows name only datasets and columns of the contract, and an example's audit date exists.

    A misspelt name would otherwise be an empty table or a null column, and an example
    that must not flag anything would pass without testing anything. A rule that judges
    the columns of the export itself may show columns beyond the contract.
    """
    zone = build.meta.data.get("time_zone", DEFAULT_ZONE)
    contract, zone = build.contract, DEFAULT_ZONE if zone_problem(zone) else zone  # a wrong zone is E133's
    for draft in drafts(build, None):
        extras_allowed = draft.raw.get("check") == "unlisted-column"
        for i, example in enumerate(draft.raw.get("examples", [])):
            if "as_of" in example and not _exists(str(example["as_of"]), zone):
                draft.fail(build, "E123", f"as_of {str(example['as_of'])!r} is not a date or moment that exists"
                                          f" in {zone}", ("examples", i, "as_of"),
                           "write a real date, YYYY-MM-DD, or a moment, YYYY-MM-DDTHH:MM")
            for name, rows in example["data"].items():
                where = ("examples", i, "data", name)
                known = contract.get(name)
                if known is None:
                    draft.fail(build, "E107", f"example data names an unknown dataset '{name}'", where,
                               did_you_mean(name, sorted(contract)))
                    continue
                for j, row in enumerate(rows):
                    for column in row:
                        if known.column(column) is None and not extras_allowed:
                            draft.fail(build, "E108", f"example row has a column '{column}' that {name} does not have",
                                       (*where, j), did_you_mean(column, known.column_names))


def _exists(text: str, zone: str) -> bool:
    """`2026-02-28` is, `2026-02-30` is not, nor `2026-03-29T02:30` in Amsterdam (the schema checks only the
    digits' pattern)."""
    try:
        audit_moment(text, zone)
    except ValueError:
        return False
    return True


def _value_lines(draft: Draft, path: tuple, row: dict) -> dict[str, int]:
    """The rule-file line of each value of an example row: a row written as a block spans lines,
    and an error in its data (`2026-02-30`, `ja` for a yes/no) names the line of the value itself."""
    return {column: draft.doc.location((*path, column)).line for column in row}


def finish(draft: Draft) -> Rule:
    raw = draft.raw
    examples = tuple(raw.get("examples", ()))
    lines = tuple({name: tuple(_value_lines(draft, (*draft.path, "examples", i, "data", name, j), row)
                               for j, row in enumerate(rows))
                   for name, rows in example["data"].items()} for i, example in enumerate(examples))
    return Rule(raw["id"], raw["article"], Text(**raw["title"]), raw["severity"], draft.kind, draft.checks,
                draft.params, Text(**raw["message"]), draft.doc.location(draft.path), _written(draft),
                {n: str(t) for n, t in raw.get("let", {}).items()}, raw.get("check"), examples, lines, draft.regulation)
