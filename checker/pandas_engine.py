"""The pandas engine: the same typed IR as DuckDB, evaluated with vectorised pandas.

A second, independent evaluation of every rule, so that a compliance result never
depends on one engine being right. `findings` returns exactly what
`DuckDBEngine.findings` returns: same keys, same message values (Python dates, None
for nulls), in key order. The evaluation itself lives in `pandas_render.py`.
"""

from __future__ import annotations

from typing import Mapping

import duckdb
import pandas as pd
import pyarrow as pa

from ..compiler import ir
from ..compiler.pack import UNLISTED_COLUMNS, Rule
from ..datasets import Dataset
from .engine import Finding
from .loader import Export
from .pandas_render import (DTYPES, LIST_DTYPE, MOMENT_DTYPE, OID, PandasEvaluator, bound, conjoin, date_offset,
                            frame_column, read_columns, split_where)


def normalise(df: pd.DataFrame, dataset: Dataset) -> pd.DataFrame:
    """The frame with every contract column in the dtype the evaluator expects.

    Columns beyond the contract are kept as they are: rule 1.1 reports them.
    """
    columns = {}
    for name in df.columns:
        column = dataset.column(name)
        columns[name] = df[name] if column is None else _typed(df[name], column.type)
    return pd.DataFrame(columns, index=pd.RangeIndex(len(df)))


def _typed(values: pd.Series, type_: str) -> pd.Series:
    values = values.reset_index(drop=True)
    if type_ == ir.LIST:
        items = pa.array(values.to_numpy(dtype=object, na_value=None), type=pa.list_(pa.string()), from_pandas=True)
        return pd.Series(items, dtype=LIST_DTYPE)
    if type_ in (ir.DATE, ir.TIMESTAMP):
        return values.astype(MOMENT_DTYPE)
    return values.astype(DTYPES[type_])


def python_values(values: pd.Series, type_: str) -> list[object]:
    """Message values as DuckDB's Python client gives them: date, datetime, str, None."""
    known = values.notna().to_numpy(dtype=bool)
    if type_ == ir.DATE:
        items = values.dt.date.to_numpy(dtype=object)
    elif type_ == ir.TIMESTAMP:
        items = values.dt.to_pydatetime().to_numpy(dtype=object)
    elif type_ == ir.LIST:
        items = values.to_numpy(dtype=object)
        items = [list(v) if k else None for v, k in zip(items, known)]
    else:
        items = values.to_numpy(dtype=object)
    return [v if k else None for v, k in zip(items, known)]


class PandasEngine:
    name = "pandas"

    def __init__(self, frames: Mapping[str, pd.DataFrame], contract: dict[str, Dataset]):
        self.contract = contract
        self.frames = {name: normalise(df, contract[name]) for name, df in frames.items()}

    @classmethod
    def from_duckdb(cls, con: duckdb.DuckDBPyConnection, export: Export,
                    contract: dict[str, Dataset]) -> "PandasEngine":
        """Frames of the tables the loader created, one per loaded dataset."""
        return cls({name: con.table(name).df() for name in export.datasets}, contract)

    def findings(self, rule: Rule, values: Mapping[str, object]) -> list[Finding]:
        if rule.kind == UNLISTED_COLUMNS:
            return [Finding(rule.dataset, {"column": c}, {}) for c in self.unlisted_columns(rule)]
        hits = self.flagged(rule, values)
        evaluator = PandasEvaluator(self.frames, values)
        keys = {k: hits[frame_column("t0", k)].to_numpy(dtype=object) for k in rule.keys}
        shown = {name: python_values(evaluator.eval(expr, hits), expr.type) for name, expr in rule.outputs.items()}
        return [Finding(rule.dataset, {k: str(v[i]) for k, v in keys.items()}, {n: v[i] for n, v in shown.items()})
                for i in range(len(hits))]

    def unlisted_columns(self, rule: Rule) -> list[str]:
        allowed = set(self.contract[rule.dataset].column_names)
        return sorted(c for c in self.frames[rule.dataset].columns if c not in allowed)

    def flagged(self, rule: Rule, values: Mapping[str, object]) -> pd.DataFrame:
        """The rule's own rows (columns `t0.<name>`) for which the condition holds, in key order."""
        frame = bound(self.frames[rule.dataset], "t0")
        hits = frame[PandasEvaluator(self.frames, values).mask(rule.condition, frame)]
        return hits.sort_values([frame_column("t0", k) for k in rule.keys], kind="stable")

    def plan(self, rule: Rule, values: Mapping[str, object]) -> str:
        """The pandas operations that `findings` runs for the rule, step by step."""
        if rule.kind == UNLISTED_COLUMNS:
            return (f"columns = sorted(set(frames[{rule.dataset!r}].columns) - set(contract[{rule.dataset!r}]))\n"
                    "one finding per column, key {'column': name}")
        return Planner(values).rule(rule)


class Planner:
    """Describes the evaluation of pandas_render as readable pseudo-pandas, one step a line."""

    def __init__(self, values: Mapping[str, object]):
        self.values = values
        self.lines: list[str] = []
        self.count = 0

    def rule(self, rule: Rule) -> str:
        self.lines.append(f"t0 = frames[{rule.dataset!r}]  # columns named 't0.<column>'")
        mask = self.expr(rule.condition, {"t0"}, "")
        self.lines.append(f"mask = {mask}")
        keys = ", ".join(repr(frame_column("t0", k)) for k in rule.keys)
        self.lines.append(f"hits = t0[mask.fillna(False)].sort_values([{keys}])")
        for name, expr in rule.outputs.items():
            self.lines.append(f"hits[{name!r}] = {self.expr(expr, {'t0'}, '')}  # message value")
        return "\n".join(self.lines)

    def expr(self, e: ir.Expr, outer: set[str], indent: str) -> str:
        return getattr(self, f"_{type(e).__name__.lower()}")(e, outer, indent)

    def _literal(self, e, outer, indent):
        return _show(e.value, e.type)

    def _param(self, e, outer, indent):
        return _show(self.values[e.name], e.type)  # the bound value, as the SQL shows it

    def _column(self, e, outer, indent):
        return frame_column(e.binding, e.name)

    def _not(self, e, outer, indent):
        return f"~{self.expr(e.operand, outer, indent)}.fillna(False)"

    def _logical(self, e, outer, indent):
        op = " & " if e.op == "and" else " | "
        return f"({self.expr(e.left, outer, indent)}{op}{self.expr(e.right, outer, indent)})"

    def _compare(self, e, outer, indent):
        op = "==" if e.op == "=" else e.op
        left, right = self.expr(e.left, outer, indent), self.expr(e.right, outer, indent)
        return f"({left} {op} {right} & both notna)"

    def _arith(self, e, outer, indent):
        right = (repr(date_offset(e.right, self.values)) if e.type in (ir.DATE, ir.TIMESTAMP)
                 else self.expr(e.right, outer, indent))
        return f"({self.expr(e.left, outer, indent)} {e.op} {right})"

    def _isnull(self, e, outer, indent):
        return f"{self.expr(e.operand, outer, indent)}.{'notna' if e.negated else 'isna'}()"

    def _isempty(self, e, outer, indent):
        value = self.expr(e.operand, outer, indent)
        blank = "list.len() == 0" if e.operand.type == ir.LIST else "str.contains(BLANK_PATTERN)"
        return f"{'~' if e.negated else ''}({value}.isna() | {value}.{blank})"

    def _inlist(self, e, outer, indent):
        items = [_show(i.value, i.type) for i in e.items]
        return f"({'~' if e.negated else ''}{self.expr(e.operand, outer, indent)}.isin([{', '.join(items)}]) & notna)"

    def _contains(self, e, outer, indent):
        return f"list_contains({self.expr(e.container, outer, indent)}, {self.expr(e.item, outer, indent)})"

    def _call(self, e, outer, indent):
        args = [self.expr(a, outer, indent) for a in e.args]
        if e.name == "coalesce":
            return "coalesce(" + ", ".join(args) + ")"
        forms = {"date": "{}.dt.floor('D')", "elfproef": "elfproef({})", "length": "{}.str.len()",
                 "trim": "{}.str.strip(' ')", "lower": "{}.str.lower()", "upper": "{}.str.upper()"}
        return forms[e.name].format(args[0])

    def _exists(self, e, outer, indent):
        name = self._subquery(e.source, e.where, outer, [], indent)
        found = f"m{name[1:]}.groupby({OID!r}).size() > 0, reindexed to the outer rows (missing → False)"
        self.lines.append(f"{indent}{name} = {'~' if e.negated else ''}({found})")
        return name

    def _aggregate(self, e, outer, indent):
        name = self._subquery(e.source, e.where, outer, [e.column] if e.column else [], indent)
        if e.column is None:
            reduce_ = ".size(), reindexed to the outer rows (missing → 0)"
        else:
            func = "max" if e.func in ("latest", "max") else "min"
            reduce_ = f"[{frame_column(e.column.binding, e.column.name)!r}].{func}(), reindexed (missing → null)"
        self.lines.append(f"{indent}{name} = m{name[1:]}.groupby({OID!r}){reduce_}")
        return name

    def _subquery(self, source: ir.Source, where: ir.Expr | None, outer: set[str], extra: list,
                  indent: str) -> str:
        self.count += 1
        name, b = f"S{self.count}", source.binding
        split = split_where(b, where, outer)
        reads = [c for c in read_columns([where]) if c.split(".", 1)[0] in outer]
        self.lines.append(f"{indent}# {name}: {source.dataset} as {b}, once per distinct outer ({', '.join(reads)})")
        inner = f"frames[{source.dataset!r}][{read_columns([where, *extra], b)}]"
        if split.inner:
            inner = f"{b}[{self.expr(conjoin(split.inner), {b}, indent + '    ')}]  where {b} = {inner}"
        self.lines.append(f"{indent}{b} = {inner}")
        scope = outer | {b}
        if split.keys:
            left = ", ".join(self.expr(o, outer, indent) for o, _ in split.keys)
            right = ", ".join(self.expr(i, {b}, indent) for _, i in split.keys)
            merge = f"outer.merge({b}, left_on=[{left}], right_on=[{right}])  # null keys dropped first"
        else:
            merge = f"outer.merge({b}, how='cross')"
        self.lines.append(f"{indent}m{name[1:]} = {merge}")
        if split.residual:
            self.lines.append(f"{indent}m{name[1:]} = m{name[1:]}[{self.expr(conjoin(split.residual), scope, indent + '    ')}]")
        return name


def _show(value: object, type_: str) -> str:
    if type_ in (ir.DATE, ir.TIMESTAMP) and value is not None:
        return f"Timestamp('{value.isoformat()}')"
    return repr(value)
