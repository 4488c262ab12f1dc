"""`reglement explain`: one rule from YAML to SQL and pandas, and why a row is (not) flagged.

Shows, in order: the rule as its author wrote it, the typed IR (types and bindings),
the SQL for a dialect, the pandas plan, and — given an export and a key — the truth
of every sub-condition for that one row. A personal column's value is never shown:
only keys, dates, booleans and codes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Callable

import duckdb
import pandas as pd
import yaml

from .checker.config import Config, load_config
from .checker.engine import DuckDBEngine
from .checker.loader import load_export
from .checker.pandas_engine import PandasEngine, python_values
from .checker.pandas_render import PandasEvaluator, bound, frame_column
from .compiler import ir
from .compiler.diagnostics import did_you_mean
from .compiler.pack import UNLISTED_COLUMNS, Pack, Rule, _personal_reads, load_pack
from .datasets import contract as data_contract, personal_columns

DIALECTS = ("duckdb", "postgres", "spark")
HIDDEN = "‹personal›"


class UnknownRule(LookupError):
    """No rule of the pack has the id; the message carries a did-you-mean."""


def explain(pack: Pack | str | Path, rule_id: str, dialect: str = "duckdb", as_of: dt.date | None = None,
            config: Config | str | Path | None = None, data_dir: Path | None = None, key: str | None = None,
            lang: str = "en") -> str:
    pack = pack if isinstance(pack, Pack) else load_pack(Path(pack))
    rule = pack.rule(rule_id)
    if rule is None:
        hint = did_you_mean(rule_id, [r.id for r in pack.rules])
        raise UnknownRule(f"unknown rule '{rule_id}'" + (f" ({hint})" if hint else ""))
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect '{dialect}' ({', '.join(DIALECTS)})")
    config = config if isinstance(config, Config) else load_config(Path(config), pack) if config else Config()
    values = rule.values(config.overrides(rule.id), as_of or dt.date.today())
    parts = [_written(pack, rule, lang), _section("typed IR", ir_tree(rule)),
             _section(f"SQL ({dialect})", DuckDBEngine(None, data_contract()).sql(rule, values, dialect, pretty=True)),
             _section("pandas plan", PandasEngine({}, data_contract()).plan(rule, values))]
    if data_dir is not None and key is not None:
        parts.append(_section(f"row {key}", explain_row(rule, values, Path(data_dir), key)))
    return "\n\n".join(parts) + "\n"


def _section(title: str, body: str) -> str:
    return f"── {title} " + "─" * max(3, 60 - len(title)) + "\n" + body.rstrip()


# -- the rule as written -------------------------------------------------------------------------
def _written(pack: Pack, rule: Rule, lang: str) -> str:
    raw = _raw_rule(pack, rule.id)
    lines = [f"{rule.id} — article {rule.article}: {rule.title[lang]}",
             f"severity {rule.severity}, dataset {rule.dataset}, key {', '.join(rule.keys)}, "
             f"defined at {rule.source.file}:{rule.source.line}"]
    if rule.params:
        lines.append("params: " + ", ".join(f"${k} = {v}" for k, v in rule.params.items()))
    for name, text in raw.get("let", {}).items():
        lines.append(f"let {name}: " + " ".join(str(text).split()))
    if rule.kind == UNLISTED_COLUMNS:
        lines.append(f"kind: {UNLISTED_COLUMNS} (the columns of {rule.dataset} that the contract does not list)")
    else:
        lines += ["condition:"] + ["    " + line for line in rule.condition_text.rstrip().splitlines()]
    lines.append(f"message: {rule.message[lang]}")
    return _section("rule, as written", "\n".join(lines))


def _raw_rule(pack: Pack, rule_id: str) -> dict:
    """The rule's YAML mapping, for the `let` texts the compiler keeps only as IR."""
    for path in sorted(Path(pack.path).glob("*.yaml")):
        for raw in (yaml.safe_load(path.read_text("utf-8")) or {}).get("rules", []) or []:
            if raw.get("id") == rule_id:
                return raw
    return {}


# -- the typed IR ----------------------------------------------------------------------------------
Annotate = Callable[[ir.Node], tuple[str, str]]  # a node → (mark before it, text after it)


def ir_tree(rule: Rule) -> str:
    """The condition and the message values as indented trees, one node a line."""
    if rule.condition is None:
        return "(no condition: this rule reads the column names of the export)"
    lines = ["condition"] + tree_lines(rule.condition, 1)
    for name, expr in rule.outputs.items():
        lines += [f"message value {name}"] + tree_lines(expr, 1)
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


def node_label(node: ir.Node) -> str:
    """One node: what it is, then its type (and, for a column, where it reads)."""
    kind = getattr(node, "type", None)
    typed = f" : {kind}" if kind else ""
    if isinstance(node, ir.Column):
        return f"column {node.binding}.{node.name}{typed}  ({node.dataset})"
    if isinstance(node, ir.Literal):
        return f"literal {node.value.isoformat() if hasattr(node.value, 'isoformat') else repr(node.value)}{typed}"
    if isinstance(node, ir.Param):
        return f"param ${node.name}{typed}"
    if isinstance(node, ir.Duration):
        amount = f"${node.amount.name}" if isinstance(node.amount, ir.Param) else node.amount.value
        return f"duration {amount} {node.unit}"
    if isinstance(node, (ir.Exists, ir.Aggregate)):
        word = ("no" if node.negated else "exists") if isinstance(node, ir.Exists) else f"{node.func} of"
        source = node.source
        return f"{word} {source.dataset} as {source.binding}{typed}"
    label = {ir.Not: "not", ir.Contains: "contains"}.get(type(node))
    if isinstance(node, (ir.Logical, ir.Compare, ir.Arith)):
        label = node.op
    elif isinstance(node, ir.IsNull):
        label = "is not null" if node.negated else "is null"
    elif isinstance(node, ir.IsEmpty):
        label = "is not empty" if node.negated else "is empty"
    elif isinstance(node, ir.InList):
        items = ", ".join(repr(i.value) for i in node.items)
        label = f"{'not in' if node.negated else 'in'} [{items}]"
    elif isinstance(node, ir.Call):
        label = f"call {node.name}()"
    return f"{label}{typed}"


# -- one row -----------------------------------------------------------------------------------------
def explain_row(rule: Rule, values: dict, data_dir: Path, key: str) -> str:
    """Whether the row with `key` is flagged, and the value of every sub-condition for it."""
    column, _, wanted = key.partition("=")
    if not wanted or column not in rule.keys:
        raise ValueError(f"--key must be {rule.keys[0]}=VALUE for rule {rule.id}, got '{key}'")
    con = duckdb.connect()
    try:
        export = load_export(con, data_dir, rule.datasets)
        missing = [export.missing[d] for d in rule.datasets if d in export.missing]
        if missing:
            raise ValueError("cannot run: " + "; ".join(missing))
        if rule.kind == UNLISTED_COLUMNS:
            names = [c for c in con.table(rule.dataset).columns]
            flagged = wanted in names and wanted not in data_contract()[rule.dataset].column_names
            return f"column {wanted}: {'flagged' if flagged else 'not flagged'}"
        engine = PandasEngine.from_duckdb(con, export, data_contract())
        by_duckdb = any(f.key.get(column) == wanted for f in DuckDBEngine(con, data_contract()).findings(rule, values))
    finally:
        con.close()
    frame = bound(engine.frames[rule.dataset], "t0")
    row = frame[(frame[frame_column("t0", column)] == wanted).fillna(False).to_numpy(dtype=bool)]
    if row.empty:
        raise ValueError(f"no row of {rule.dataset} has {column} = {wanted}")
    trace: dict[int, pd.Series] = {}
    evaluator = PandasEvaluator(engine.frames, values, trace, row)
    flagged = bool(evaluator.mask(rule.condition, row)[0])
    for expr in rule.outputs.values():
        evaluator.eval(expr, row)
    if flagged == by_duckdb:
        verdict = "FLAGGED by both engines" if flagged else "not flagged by either engine"
    else:
        verdict = f"THE ENGINES DISAGREE: pandas {'flags' if flagged else 'does not flag'} it, duckdb " \
                  f"{'does' if by_duckdb else 'does not'}"
    lines = [f"{column} = {wanted}: {verdict}",
             "✓ holds, ✗ does not hold; a sub-query's inner conditions are evaluated per row of its dataset", ""]
    lines += ["condition"] + tree_lines(rule.condition, 1, _annotator(trace, evaluator, row))
    return "\n".join(lines)


def _annotator(trace: dict[int, pd.Series], evaluator: PandasEvaluator, row: pd.DataFrame) -> Annotate:
    """✓/✗ for a condition, ` = value` for a value (hidden when it reads a personal column)."""
    personal = personal_columns()

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
        shown = HIDDEN if _personal_reads(node, personal) else _text(python_values(value, kind)[0])
        return "   ", f" = {shown}{after}"

    return annotate


def _text(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return repr(value)


# -- the command ------------------------------------------------------------------------------------
def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)") from None


def register(subparsers) -> None:
    """Add `reglement explain RULE_ID …` to the CLI's sub-commands."""
    cmd = subparsers.add_parser("explain", help="show how one rule is compiled and run, and why a row is flagged")
    cmd.add_argument("rule_id", metavar="RULE_ID")
    cmd.add_argument("--rules", type=Path, default=None, help="rule pack folder (default: the Westendorp pack)")
    cmd.add_argument("--dialect", choices=DIALECTS, default="duckdb", help="SQL dialect to show")
    cmd.add_argument("--data", type=Path, help="export folder, to explain one row")
    cmd.add_argument("--key", help="the row to explain, as COL=VALUE (needs --data)")
    cmd.add_argument("--as-of", type=_date, default=dt.date.today(), help="audit date YYYY-MM-DD (default today)")
    cmd.add_argument("--config", type=Path, help="the organisation's parameters")
    cmd.add_argument("--lang", choices=("nl", "en"), default="en", help="language of title and message")
    cmd.set_defaults(run=cmd_explain)


def cmd_explain(args: argparse.Namespace) -> int:
    if (args.data is None) != (args.key is None):
        print("reglement explain: --data and --key go together", file=sys.stderr)
        return 2
    from .cli import default_pack  # here, not at the top: cli.py imports this module

    try:
        text = explain(args.rules or default_pack(), args.rule_id, args.dialect, args.as_of, args.config, args.data, args.key, args.lang)
    except (UnknownRule, ValueError) as err:
        print(f"reglement explain: {err.args[0] if err.args else err}", file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return 0
