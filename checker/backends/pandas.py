"""The pandas backend: the same typed IR as DuckDB, evaluated with vectorised pandas.

A second, independent evaluation of every check, so that a compliance result never
depends on one engine being right. Its frames come from the very relations the intake
validated and typed (through Arrow), so both backends read the same data, and
`findings` returns what `DuckDBBackend.findings` returns: the same keys and message
values, as Arrow, in key order. The evaluation itself lives in `pandas_eval.py`.
"""

from __future__ import annotations

from collections.abc import Mapping

import duckdb
import pandas as pd
import pyarrow as pa

from ...compiler import ir
from ...compiler.model import Bindings, Check
from ...compiler.plan import Lookup, Scan
from ..duckdb_sql import identifier
from .pandas_eval import (
    LIST_DTYPE,
    MOMENT_DTYPE,
    OID,
    STRING_DTYPE,
    PandasEvaluator,
    bound,
    conjoin,
    date_offset,
    frame_column,
    read_columns,
    split_where,
)
from .sql import FOUND

_ARROW = {ir.STRING: pa.string(), ir.BOOL: pa.bool_(), ir.LIST: pa.list_(pa.string()), ir.NULL: pa.null()}


def frame(table: pa.Table) -> pd.DataFrame:
    """A typed relation as the evaluator's frame: nullable dtypes, dates as midnight datetime64[us]."""
    columns = {}
    for name, array in zip(table.column_names, table.columns):
        kind = array.type
        if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_null(kind):
            columns[name] = pd.Series(array.cast(pa.string()).to_pandas(types_mapper={pa.string(): STRING_DTYPE}.get),
                                      dtype=STRING_DTYPE)
        elif pa.types.is_boolean(kind):
            columns[name] = pd.Series(array.to_pandas(types_mapper={pa.bool_(): pd.BooleanDtype()}.get), dtype="boolean")
        elif pa.types.is_date(kind) or pa.types.is_timestamp(kind):
            columns[name] = pd.Series(array.cast(pa.timestamp("us")).to_numpy(zero_copy_only=False)).astype(MOMENT_DTYPE)
        elif pa.types.is_list(kind):
            columns[name] = pd.Series(array.cast(pa.list_(pa.string())).combine_chunks(), dtype=LIST_DTYPE)
        else:
            columns[name] = array.to_pandas()
    return pd.DataFrame(columns, index=pd.RangeIndex(table.num_rows))


def to_arrow(values: pd.Series, type_: str) -> pa.Array:
    """Message values in the Arrow types DuckDB gives them."""
    if type_ in (ir.DATE, ir.TIMESTAMP):
        moments = pa.array(values.astype(MOMENT_DTYPE).to_numpy(), pa.timestamp("us"), from_pandas=True)
        return moments.cast(pa.date32()) if type_ == ir.DATE else moments
    if type_ == ir.NUMBER:
        return pa.array(values, from_pandas=True)
    if type_ == ir.LIST:
        return pa.array(values.array, pa.list_(pa.string())) if len(values) else pa.array([], pa.list_(pa.string()))
    return pa.array(values.astype(object).where(values.notna(), None).tolist(), _ARROW[type_])



class PandasBackend:
    name = "pandas"
    pushdown = False  # it evaluates every condition on whole columns in memory

    def __init__(self, frames: Mapping[str, pd.DataFrame]):
        self.frames = dict(frames)

    @classmethod
    def from_relations(cls, con: duckdb.DuckDBPyConnection, datasets: list[str]) -> PandasBackend:
        """Frames of the relations the intake created, one per dataset received."""
        return cls({name: frame(con.sql(f"SELECT * FROM {identifier(name)}").to_arrow_table()) for name in datasets})

    def findings(self, check: Check, bindings: Bindings) -> pa.Table:
        return self._found(check, bindings, bound(self.frames[check.dataset], "t0"))

    def scan(self, scan: Scan, bindings: list[Bindings]) -> list[pa.Table]:
        """The members of a fused scan over one frame: the dataset with every lookup merged on once."""
        rows = bound(self.frames[scan.dataset], "t0")
        for lookup in scan.lookups:
            rows = self._joined(rows, lookup, bindings[0])
        return [self._found(m.check, b, rows) for m, b in zip(scan.members, bindings)]

    def _joined(self, rows: pd.DataFrame, lookup: Lookup, bindings: Bindings) -> pd.DataFrame:
        """The rows with the lookup's row beside each (a left merge on its key: at most one row each)."""
        found = bound(self.frames[lookup.dataset], lookup.alias).assign(**{frame_column(lookup.alias, FOUND): True})
        key = PandasEvaluator(self.frames, bindings).eval(lookup.outer, rows)
        merged = rows.assign(__lookup=key.to_numpy()).merge(
            found, how="left", left_on="__lookup", right_on=frame_column(lookup.alias, lookup.key))
        return merged.drop(columns="__lookup").set_axis(rows.index)

    def _found(self, check: Check, bindings: Bindings, rows: pd.DataFrame) -> pa.Table:
        """Key columns and message values of the rows (columns `t0.<name>`) the condition holds for, in key order."""
        evaluator = PandasEvaluator(self.frames, bindings)
        hits = rows[evaluator.mask(check.condition, rows)]
        hits = hits.sort_values([frame_column("t0", k) for k in check.keys], kind="stable")
        columns = {k: pa.array(hits[frame_column("t0", k)].astype(object).tolist(), pa.string()) for k in check.keys}
        columns |= {name: to_arrow(evaluator.eval(expr, hits), expr.type) for name, expr in check.outputs.items()}
        return pa.table(columns)

    def plan(self, check: Check, bindings: Bindings) -> str:
        """The pandas operations that `findings` runs for the check, step by step."""
        return Planner(bindings).check(check)


class Planner:
    """Describes the evaluation of pandas_render as readable pseudo-pandas, one step a line."""

    def __init__(self, bindings: Bindings):
        self.values = bindings
        self.lines: list[str] = []
        self.count = 0

    def check(self, check: Check) -> str:
        self.lines.append(f"t0 = frames[{check.dataset!r}]  # columns named 't0.<column>'")
        mask = self.expr(check.condition, {"t0"}, "")
        self.lines.append(f"mask = {mask}")
        keys = ", ".join(repr(frame_column("t0", k)) for k in check.keys)
        self.lines.append(f"hits = t0[mask.fillna(False)].sort_values([{keys}])")
        for name, expr in check.outputs.items():
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
        items = ", ".join(repr(v) for v in self.values[e.param.name]) if e.param else ", ".join(
            _show(i.value, i.type) for i in e.items)
        if e.operand.type == ir.LIST:
            test = "every element in" if not e.negated else "some element not in"
            return f"list_{'all' if not e.negated else 'some_not'}_in({self.expr(e.operand, outer, indent)}, [{items}])" \
                   f"  # {test}"
        return f"({'~' if e.negated else ''}{self.expr(e.operand, outer, indent)}.isin([{items}]) & notna)"

    def _contains(self, e, outer, indent):
        return f"list_contains({self.expr(e.container, outer, indent)}, {self.expr(e.item, outer, indent)})"

    def _found(self, e, outer, indent):
        return f"{frame_column(e.lookup, FOUND)}.fillna(False)  # the lookup's row was merged on"

    def _call(self, e, outer, indent):
        args = [self.expr(a, outer, indent) for a in e.args]
        if e.name in ("coalesce", "latest", "earliest"):
            return f"{e.name}(" + ", ".join(args) + ")"
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
