"""`reglement explain`: one rule from YAML to SQL and pandas, and why a row is (not) flagged.

Shows, in order: the rule as its author wrote it, the typed IR (types and bindings),
the SQL for a dialect, the pandas plan, and — given an export and a key — the truth
of every sub-condition for that one row. A personal column's value is never shown:
only keys, dates, booleans and codes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sqlglot.dialects.dialect import Dialect

from .api import UnknownRule
from .checker import engines
from .checker.audit import Settings, opened
from .checker.backends.pandas import PandasBackend, to_arrow
from .checker.backends.pandas_eval import PandasEvaluator, bound
from .checker.backends.sql import runs_as, scan_query, to_sql
from .checker.formats.controls import visible
from .checker.intake import folder_sources
from .checker.sql_dialects import ReglementDuckDB
from .compiler import amounts, ir
from .compiler.diagnostics import did_you_mean, plural
from .compiler.model import HIDDEN, Bindings, Check, Pack, Rule
from .compiler.plan import LARGE, Alone, plan, steps_of
from .compiler.rules import personal_reads
from .compiler.stages import compile_pack
from .compiler.zones import audit_moment
from .row_key import found_in, key_words, parse_key, row_mask

if TYPE_CHECKING:
    import pandas as pd

    from .compiler.config_sources import Sources


def explain(pack: Pack | str | Path, rule_id: str, engine: str = "duckdb", as_of: dt.date | str | None = None,
            config: str | Path | None = None, data_dir: Path | None = None, key: str | None = None,
            lang: str = "en") -> str:
    """The explanation of one rule, its SQL as `engine` runs it (an engine that runs no SQL, pandas, shows
    its plan alone). `as_of`: a date, or `--as-of`'s text (a date or a moment, read in the zone); None: today."""
    if isinstance(pack, Pack):
        configured = None
    else:
        pack, configured = compile_pack(Path(pack), config)
    zone = configured.zone(pack) if configured else pack.time_zone
    moment = as_of if isinstance(as_of, dt.date) else audit_moment(as_of, zone)
    rule = pack.rule(rule_id)
    if rule is None:
        hint = did_you_mean(rule_id, [r.id for r in pack.rules])
        raise UnknownRule(f"unknown rule '{rule_id}'" + (f" ({hint})" if hint else ""))
    dialect = engines.get(engine).dialect()
    overrides = configured.overrides(rule.id) if configured else {}
    bindings = rule.bind(overrides, moment, zone)
    bind = {r.id: r.bind(configured.overrides(r.id) if configured else {}, moment, zone) for r in pack.rules}
    parts = [_written(pack, rule, lang), _section("query plan", plan_text(pack, rule, bind, dialect))]
    for i, check in enumerate(rule.checks, 1):
        title = f" — check {i} of {len(rule.checks)}: {check.subject}" + (
            f".{check.fixed['column']}" if "column" in check.fixed else "") if len(rule.checks) > 1 else ""
        parts.append(_section(f"typed IR{title}", ir_tree(check)))
        if dialect is not None:
            query = runs_as(check, bindings, lists=issubclass(dialect, ReglementDuckDB))  # as the engine runs it
            parts.append(_section(f"SQL ({engine}){title}", to_sql(query, dialect, pretty=True)))
        parts.append(_section(f"pandas plan{title}", pandas_plan(pack, check, bindings)))
    if data_dir is not None and key is not None:
        mapping = configured.sources if configured else None
        parts.append(_section(f"row {key}", explain_row(pack, rule, bindings, Path(data_dir), key, mapping)))
    return "\n\n".join(parts) + "\n"


def pandas_plan(pack: Pack, check: Check, bindings: Bindings) -> str:
    """The steps the pandas evaluator records as it runs the check on zero rows of its datasets: no data needed."""
    return PandasBackend.empty(pack.contract, check.datasets).plan(check, bindings)


def plan_text(pack: Pack, rule: Rule, bindings: dict[str, Bindings], dialect: type[Dialect] | None) -> str:
    """How the whole pack's plan answers this rule's checks: alone, or in a fused scan with which others."""
    lines = []
    for step in steps_of(plan(pack.rules, pack.contract), rule.id):
        if isinstance(step, Alone):
            lines.append(f"check {step.index + 1}: alone, one query of its own (below)")
            continue
        mine = [m.index + 1 for m in step.members if m.rule == rule.id]
        others = sorted({m.rule for m in step.members if m.rule != rule.id})
        looked = ", ".join(f"{lk.dataset} as {lk.alias} on its key {lk.key}" for lk in step.lookups) or "none"
        lines += [f"check{'s' if len(mine) > 1 else ''} {', '.join(map(str, mine))}: fused — one scan of "
                  f"{step.dataset} answers {plural(len(step.members), 'check')}, of this rule and of "
                  f"{', '.join(others) or 'no other rule'}",
                  f"  lookups joined once: {looked}"]
        if dialect is not None:
            query = to_sql(scan_query(step, [bindings[m.rule] for m in step.members]), dialect, pretty=True)
            lines += ["  the fused query (each member's condition a flag; its findings are the rows its flag marks):",
                      *("    " + line for line in query.splitlines())]
    if rule.kind == "contract":
        lines.append(f"(on a dataset of {LARGE:,} rows or more, DuckDB and Spark run a check of this rule that "
                     "tests one column alone: they test it per row group of the files, on its dictionary)")
    lines.append("(`--plan plain` runs every check alone: a test proves both plans find the same rows)")
    return "\n".join(lines)


def _section(title: str, body: str) -> str:
    return f"── {title} " + "─" * max(3, 60 - len(title)) + "\n" + body.rstrip()


# -- the rule as written -------------------------------------------------------------------------
def _written(pack: Pack, rule: Rule, lang: str) -> str:
    keys = sorted({k for c in rule.checks for k in c.key_names})
    where = f"dataset {rule.dataset}" if rule.dataset else f"datasets {', '.join(rule.datasets)}"
    cited = pack.citation(rule.regulation, rule.article) or f"article {rule.article}"
    lines = [f"{rule.id} — {cited}: {rule.title[lang]}",
             f"severity {rule.severity}, {where}, key {', '.join(keys)}, "
             f"defined at {rule.source.file}:{rule.source.line}"]
    if rule.params:
        lines.append("params: " + ", ".join(f"${p.name} = {p.default}" for p in rule.params))
    for name, text in rule.let_texts.items():
        lines.append(f"let {name}: " + " ".join(text.split()))
    if rule.kind == "contract":
        lines.append(f"kind: contract, check: {rule.contract_check} — {plural(len(rule.checks), 'check')} generated "
                     "from the data contract's declarations")
    else:
        lines += ["condition:"] + ["    " + line for line in rule.condition_text.rstrip().splitlines()]
    lines.append(f"message: {rule.message[lang]}")
    return _section("rule, as written", "\n".join(lines))


# -- the typed IR ----------------------------------------------------------------------------------
Annotate = Callable[[ir.Node], tuple[str, str]]  # a node → (mark before it, text after it)


def ir_tree(check: Check) -> str:
    """The condition and the message values as indented trees, one node a line."""
    lines = [f"condition over {check.dataset}", *tree_lines(check.condition, 1)]
    for name, expr in check.outputs.items():
        lines += [f"message value {name}", *tree_lines(expr, 1)]
    return "\n".join(lines)


def tree_lines(node: ir.Node, depth: int, annotate: Annotate | None = None) -> list[str]:
    """A node and its children; inside a sub-query nothing is annotated (it runs per inner row)."""
    mark, after = annotate(node) if annotate else ("", "")
    lines = [f"{mark}{'  ' * depth}{node_label(node)}{after}"]
    inner = None if isinstance(node, (ir.Exists, ir.Aggregate)) else annotate
    for child in ir.children(node):
        if not isinstance(child, ir.Source) and not isinstance(node, ir.Duration):
            lines += tree_lines(child, depth + 1, inner if annotate is None else (inner or _blank))
    return lines


def _blank(node: ir.Node) -> tuple[str, str]:
    return "   ", ""


def _value(node: ir.Literal) -> str:
    return node.value.isoformat() if hasattr(node.value, "isoformat") else repr(node.value)


def _items(node: ir.InList) -> str:
    listed = f"${node.param.name}" if node.param else "[" + ", ".join(repr(i.value) for i in node.items) + "]"
    return f"{'not in' if node.negated else 'in'} {listed}"


# What each kind of IR node is, in a word or two (a test checks that every kind has one).
LABELS: dict[type, Callable[[ir.Node], str]] = {
    ir.Literal: lambda n: f"literal {_value(n)}",
    ir.Param: lambda n: f"param ${n.name}",
    ir.Duration: lambda n: f"duration {amounts.amount_text(n)} {n.unit}",
    ir.Column: lambda n: f"column {n.binding}.{n.name}",
    ir.Not: lambda n: "not",
    ir.Logical: lambda n: n.op,
    ir.Compare: lambda n: n.op,
    ir.Arith: lambda n: n.op,
    ir.IsNull: lambda n: "is not null" if n.negated else "is null",
    ir.IsEmpty: lambda n: "is not empty" if n.negated else "is empty",
    ir.InList: _items,
    ir.Contains: lambda n: "contains",
    ir.Call: lambda n: f"call {n.name}()",
    ir.Exists: lambda n: f"{'no' if n.negated else 'exists'} {n.source.dataset} as {n.source.binding}",
    ir.Aggregate: lambda n: f"{n.func} of {n.source.dataset} as {n.source.binding}",
    ir.Found: lambda n: f"found the lookup {n.lookup}",
    ir.Neighbour: lambda n: f"{n.direction} {n.column.name} by {n.order.name}, then by the key",
}


def node_label(node: ir.Node) -> str:
    """One node: what it is, then its type (and, for a column, the dataset it reads)."""
    kind = getattr(node, "type", None)
    typed = f" : {kind}" if kind and not isinstance(node, ir.Duration) else ""
    where = f"  ({node.dataset})" if isinstance(node, ir.Column) else ""
    return f"{LABELS[type(node)](node)}{typed}{where}"


# -- one row -----------------------------------------------------------------------------------------
def explain_row(pack: Pack, rule: Rule, bindings: Bindings, data_dir: Path, key: str,
                mapping: Sources | None = None) -> str:
    """Whether the row with `key` is flagged, and the value of every sub-condition for it, per check; the
    datasets read as the configuration's `mapping` (its sources:) says, where it has one."""
    wanted, checks = parse_key(key, rule)
    with opened(pack, folder_sources(data_dir, pack.contract, mapping=mapping),
                Settings("pandas", sources=mapping)) as run:
        absent = [run.missing[d] for d in rule.datasets if d in run.missing]
        if absent:
            raise ValueError("cannot run: " + "; ".join(absent))
        duckdb = run.other("duckdb")
        verdicts = [(c, found_in(duckdb.findings(c, bindings), wanted)) for c in checks]
        held = {e.id: found_in(duckdb.findings(c.explained_by(e), bindings), wanted)
                for c in checks for e in c.explanations}
        frames = run.backend.frames
    lines: list[str] = []
    for check, by_duckdb in verdicts:
        lines += _explain_check(check, frames, bindings, wanted, by_duckdb, pack.contract.personal_columns(), held)
    if not lines:
        raise ValueError(f"no row of {', '.join(dict.fromkeys(c.dataset for c in checks))} has {key_words(wanted)}")
    return "\n".join(lines)


def _explain_check(check: Check, frames: dict, bindings: Bindings, wanted: dict[str, str],
                   by_duckdb: bool, personal: frozenset[tuple[str, str]], held: dict[str, bool]) -> list[str]:
    frame = bound(frames[check.dataset], "t0")
    row = frame[row_mask(frame, wanted).to_numpy(dtype=bool)]
    if row.empty:
        return []
    trace: dict[int, pd.Series] = {}
    evaluator = PandasEvaluator(frames, bindings, trace, row)
    flagged = bool(evaluator.mask(check.condition, row)[0])
    for expr in check.outputs.values():
        evaluator.eval(expr, row)
    if flagged == by_duckdb:
        verdict = "FLAGGED by both engines" if flagged else "not flagged by either engine"
    else:
        verdict = f"THE ENGINES DISAGREE: pandas {'flags' if flagged else 'does not flag'} it, duckdb " \
                  f"{'does' if by_duckdb else 'does not'}"
    about = f" ({check.subject}.{check.fixed['column']})" if "column" in check.fixed else ""
    lines = [f"{visible(key_words(wanted))}{about}: {verdict}",
             "✓ holds, ✗ does not hold; a sub-query's inner conditions are evaluated per row of its dataset", ""]
    if check.scope is not None or check.explanations:
        lines += _reasons(check, evaluator, row, held)
    return [*lines, "condition", *tree_lines(check.condition, 1, _annotator(trace, evaluator, row, personal)), ""]


def _reasons(check: Check, evaluator: PandasEvaluator, row: pd.DataFrame, held: dict[str, bool]) -> list[str]:
    """Whether the row is in the rule's population, and which explanations hold for it (both engines)."""
    def mark(condition: ir.Expr, by_duckdb: bool | None = None) -> str:
        holds = bool(evaluator.mask(condition, row)[0])
        disagree = "" if by_duckdb is None or by_duckdb == holds else \
            f"  (THE ENGINES DISAGREE: duckdb says it {'holds' if by_duckdb else 'does not'})"
        return (" ✓ " if holds else " ✗ ") + "{}" + disagree

    lines = []
    if check.scope is not None:
        lines.append(mark(check.scope).format("in the rule's population (scope)"))
    if check.explanations:
        lines.append("explanations, in the pack's order (the row is a finding when none holds):")
        lines += [mark(e.condition, held.get(e.id)).format(f"  {e.id} — {e.title.en}") for e in check.explanations]
    return [*lines, ""]


def _annotator(trace: dict[int, pd.Series], evaluator: PandasEvaluator, row: pd.DataFrame,
               personal: frozenset[tuple[str, str]]) -> Annotate:
    """✓/✗ for a condition, ` = value` for a value (hidden when it reads a personal column)."""

    def annotate(node: ir.Node) -> tuple[str, str]:
        if id(node) not in trace:
            return "   ", ""
        value, kind = trace[id(node)], getattr(node, "type", None)
        after = ""
        if isinstance(node, (ir.Exists, ir.Aggregate)):
            count = ir.Aggregate(node.span, "count", None, node.source, node.where, type=ir.NUMBER)
            n = int(evaluator.eval(count, row).iloc[0])
            after = f"   — {n} matching row{'s' if n != 1 else ''} of {node.source.dataset}"
        if kind == ir.BOOL:
            return (" ✓ " if bool(value.fillna(False).iloc[0]) else " ✗ "), after
        if isinstance(node, ir.Literal):
            return "   ", after
        shown = HIDDEN if personal_reads(node, personal) else _text(to_arrow(value, kind)[0].as_py())
        return "   ", f" = {shown}{after}"

    return annotate


def _text(value: object) -> str:
    """A value as the explanation shows it: a text quoted, what a reader cannot see in it written out."""
    if value is None:
        return "null"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, str):
        return "'" + visible(value).replace("\\", "\\\\").replace("'", "\\'") + "'"
    return repr(value)
