"""The pandas backend: the same typed IR as DuckDB, evaluated with vectorised pandas.

A second, independent evaluation of every check, so that a compliance result never
depends on one engine being right. Its frames come from the very relations the intake
validated and typed (through Arrow), so both backends read the same data, and
`findings` returns what `DuckDBBackend.findings` returns: the same keys and message
values, as Arrow, in key order. The evaluation itself lives in `pandas_eval.py`; `plan`
is what that evaluation records of itself when it runs `findings` on zero rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from ...compiler import ir
from ...compiler.model import Bindings, Check
from ...compiler.plan import Lookup, Scan
from ...datasets import EXPORT_COLUMNS, Contract, arrow_type
from ..duckdb_sql import identifier
from . import Census
from .pandas_eval import LIST_DTYPE, MOMENT_DTYPE, STRING_DTYPE, PandasEvaluator, bound, frame_column
from .pandas_steps import Steps
from .sql import FOUND

DATES = "dates"  # a frame's `attrs`: its columns of dates
_ARROW = {ir.STRING: pa.string(), ir.BOOL: pa.bool_(), ir.LIST: pa.list_(pa.string()), ir.NULL: pa.null()}


def frame(table: pa.Table) -> pd.DataFrame:
    """A typed relation as the evaluator's frame: nullable dtypes, dates as midnight datetime64[us] (their
    names kept in `attrs`, so that a date in a key goes back to Arrow as the date DuckDB gives)."""
    columns, dates = {}, []
    for name, array in zip(table.column_names, table.columns):
        kind = array.type
        if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_null(kind):
            columns[name] = pd.Series(array.cast(pa.string()).to_pandas(types_mapper={pa.string(): STRING_DTYPE}.get),
                                      dtype=STRING_DTYPE)
        elif pa.types.is_boolean(kind):
            booleans = array.to_pandas(types_mapper={pa.bool_(): pd.BooleanDtype()}.get)
            columns[name] = pd.Series(booleans, dtype="boolean")
        elif pa.types.is_date(kind) or pa.types.is_timestamp(kind):
            dates += [name] if pa.types.is_date(kind) else []
            moments = array.cast(pa.timestamp("us")).to_numpy(zero_copy_only=False)
            columns[name] = pd.Series(moments).astype(MOMENT_DTYPE)
        elif pa.types.is_list(kind):
            columns[name] = pd.Series(array.cast(pa.list_(pa.string())).combine_chunks(), dtype=LIST_DTYPE)
        else:
            columns[name] = array.to_pandas()
    out = pd.DataFrame(columns, index=pd.RangeIndex(table.num_rows))
    out.attrs[DATES] = tuple(dates)
    return out


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

    @classmethod
    def empty(cls, contract: Contract, datasets: Iterable[str]) -> PandasBackend:
        """Zero-row frames of the datasets, typed as the intake types them: all that `plan` needs, no data."""
        known = {**contract, EXPORT_COLUMNS.name: EXPORT_COLUMNS}
        return cls({name: frame(pa.schema([(c.name, arrow_type(c.type, "us")) for c in known[name].columns])
                                .empty_table()) for name in datasets})

    def findings(self, check: Check, bindings: Bindings, steps: Steps | None = None) -> pa.Table:
        """With `steps`, what it does is recorded there as it does it (`plan`)."""
        rows = bound(self.frames[check.dataset], "t0")
        if steps is not None:
            steps.frame(rows, "t0", f"frames[{check.dataset!r}].add_prefix('t0.')")
        return self._found(check, bindings, rows, steps)

    def census(self, check: Check, bindings: Bindings) -> Census:
        """The rows of the dataset the scope holds for, and of those the rows each explanation holds for."""
        rows = bound(self.frames[check.dataset], "t0")
        evaluator = PandasEvaluator(self.frames, bindings)
        scope = evaluator.mask(check.scope, rows) if check.scope is not None else np.ones(len(rows), dtype=bool)
        return Census(int(scope.sum()), tuple(int((scope & evaluator.mask(e.condition, rows)).sum())
                                              for e in check.explanations))

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

    def _found(self, check: Check, bindings: Bindings, rows: pd.DataFrame, steps: Steps | None = None) -> pa.Table:
        """Key columns and message values of the rows (columns `t0.<name>`) the condition holds for, in key order."""
        evaluator = PandasEvaluator(self.frames, bindings, steps=steps)
        mask = evaluator.mask(check.condition, rows)
        order = [frame_column("t0", k) for k in check.keys]
        hits = rows[mask].sort_values(order, kind="stable")
        if steps is not None:
            steps.line(f"mask = {steps.text(check.condition, rows)}")
            steps.frame(hits, "hits", f"{steps.name(rows)}[mask.fillna(False)].sort_values({order}, kind='stable')")
        columns = {k: to_arrow(hits[frame_column("t0", k)], self._key_type(check.dataset, k)) for k in check.keys}
        for name, expr in check.outputs.items():
            columns[name] = to_arrow(evaluator.eval(expr, hits), expr.type)
            if steps is not None:
                steps.line(f"hits[{name!r}] = {steps.text(expr, hits)}  # message value")
        return pa.table(columns)

    def _key_type(self, dataset: str, column: str) -> str:
        """The type of a key column (a part of a composite key may be a date or a timestamp)."""
        rows = self.frames[dataset]
        if column in rows.attrs.get(DATES, ()):
            return ir.DATE
        return ir.TIMESTAMP if rows[column].dtype == MOMENT_DTYPE else ir.STRING

    def plan(self, check: Check, bindings: Bindings) -> str:
        """The steps `findings` takes for the check, as the evaluator records them while it takes them.

        They are taken on zero rows of each frame, so a plan costs nothing and an empty backend
        (`empty`) will do. Zero rows take the steps that rows take: which step comes next is
        decided by the condition, the split of a sub-query's `where` and the frames' columns and
        dtypes, never by a value or a count (`tests/test_explain.py` compares the steps recorded
        on data with these, for every rule).
        """
        steps = Steps()
        PandasBackend({name: df.iloc[:0] for name, df in self.frames.items()}).findings(check, bindings, steps)
        return "\n".join(steps.lines)
