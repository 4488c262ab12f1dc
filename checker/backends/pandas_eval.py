"""Evaluate a resolved condition with pandas: the visitor of sql.py, over DataFrames.

A frame holds one column per `<binding>.<column>` (`t0.actor_id`, `t1.user_id`), so
every `ir.Column` names its own frame column. Sub-queries (`exists`, `no`, `latest …
of`, `count of`) become merges: the distinct outer rows a sub-query reads are merged
with the inner dataset on the equality conjuncts of its `where` between inner and
outer values, the rest of the `where` is a mask on the merged frame, and the result is
reduced per outer row. Nested sub-queries recurse over the merged frame.

Logic is two-valued, as in the catalogue: every comparison and predicate is false
when a value it reads is null. Values keep their nulls (pandas nullable dtypes), and
each comparison masks its result with `notna()` of both sides, because pandas `!=`
and NaT comparisons would otherwise disagree with SQL.

With a `Steps` given, the evaluator also writes down what it does, as it does it, in
readable pseudo-pandas: `explain` prints that as the pandas plan.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import reduce

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ...compiler import amounts, ir
from ...compiler.ir import conjoin, conjuncts
from ...compiler.model import TIME_ZONE
from ...compiler.zones import DEFAULT_ZONE, zone_info
from .pandas_steps import Steps, shown, shown_offset
from .sql import FOUND

STRING_DTYPE = pd.StringDtype("pyarrow", na_value=pd.NA)
LIST_DTYPE = pd.ArrowDtype(pa.list_(pa.string()))
MOMENT_DTYPE = "datetime64[us]"  # dates are midnight timestamps: one dtype, one set of operators
DTYPES = {ir.STRING: STRING_DTYPE, ir.BOOL: "boolean", ir.DATE: MOMENT_DTYPE, ir.TIMESTAMP: MOMENT_DTYPE,
          ir.LIST: LIST_DTYPE, ir.NULL: object}
COMPARE = {"=": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
           ">=": operator.ge}
OID = "__oid"  # the outer row (group) a merged row belongs to
_ELFPROEF_WEIGHTS = np.array([9, 8, 7, 6, 5, 4, 3, 2, -1])


def frame_column(binding: str, name: str) -> str:
    return f"{binding}.{name}"


def bound(df: pd.DataFrame, binding: str) -> pd.DataFrame:
    """A dataset's frame with its columns named for the binding it ranges over."""
    return df.set_axis([frame_column(binding, c) for c in df.columns], axis=1)


def truth(values: pd.Series) -> np.ndarray:
    """A boolean value as a filter: null is false."""
    return values.fillna(False).to_numpy(dtype=bool)


def as_bool(mask: np.ndarray, index: pd.Index) -> pd.Series:
    return pd.Series(mask, index=index, dtype="boolean")


def constant(value: object, type_: str, index: pd.Index) -> pd.Series:
    """A literal or parameter broadcast to every row, in the dtype of its type."""
    if type_ == ir.LIST:
        items = None if value is None else [str(v) for v in value]
        return pd.Series(pa.array([items] * len(index), type=pa.list_(pa.string())), index=index, dtype=LIST_DTYPE)
    if type_ == ir.NUMBER:
        dtype = "Int64" if isinstance(value, int) and not isinstance(value, bool) else "Float64"
        return pd.Series(value, index=index, dtype=dtype)
    if type_ in (ir.DATE, ir.TIMESTAMP) and value is not None:
        value = pd.Timestamp(value)
    return pd.Series(value if value is not None else None, index=index, dtype=DTYPES.get(type_, object))


def date_offset(duration: ir.Duration, bindings: Mapping[str, object]) -> pd.DateOffset | pd.Timedelta:
    """Calendar months and years (clamped to the month end, like SQL); weeks are 7 days."""
    n = int(amounts.value(duration.amount, bindings))
    return {"hours": pd.Timedelta(hours=n), "days": pd.Timedelta(days=n), "weeks": pd.Timedelta(days=7 * n),
            "months": pd.DateOffset(months=n), "years": pd.DateOffset(years=n)}[duration.unit]


HOUR = pd.Timedelta(hours=1)


def in_utc(wall: pd.Series, zone: str) -> pd.Series:
    """Wall clocks of `zone` as naive UTC: a wall clock shown twice is its second (winter) time, as in SQL."""
    second = np.zeros(len(wall), dtype=bool)  # False: not summer time
    zoned = wall.dt.tz_localize(zone_info(zone), ambiguous=second, nonexistent="shift_forward")
    return zoned.dt.tz_convert("UTC").dt.tz_localize(None)


def wall_clock(utc: pd.Series, zone: str) -> pd.Series:
    """Naive UTC as the wall clock of `zone`."""
    return utc.dt.tz_localize("UTC").dt.tz_convert(zone_info(zone)).dt.tz_localize(None)


# -- splitting a sub-query's `where` ---------------------------------------------------
def free_bindings(expr: ir.Expr) -> set[str]:
    """Bindings an expression reads but does not bind itself (outer rows of a sub-query)."""
    nodes = list(ir.walk(expr))
    read = {n.binding for n in nodes if isinstance(n, ir.Column)}
    return read - {n.binding for n in nodes if isinstance(n, ir.Source)}


@dataclass(frozen=True)
class Split:
    """A sub-query's `where` as a pandas plan: filter inner rows, merge on keys, mask the rest."""

    inner: tuple[ir.Expr, ...]  # read only the sub-query's own row: filter before the merge
    keys: tuple[tuple[ir.Expr, ir.Expr], ...]  # (outer side, inner side) of `=`: merge keys
    residual: tuple[ir.Expr, ...]  # everything else, on the merged frame


def split_where(binding: str, where: ir.Expr | None, outer: set[str]) -> Split:
    inner, keys, residual = [], [], []
    for part in conjuncts(where):
        free = free_bindings(part)
        if free <= {binding}:
            inner.append(part)
        elif (key := _merge_key(part, binding, outer)) is not None:
            keys.append(key)
        else:
            residual.append(part)
    return Split(tuple(inner), tuple(keys), tuple(residual))


def _merge_key(part: ir.Expr, binding: str, outer: set[str]) -> tuple[ir.Expr, ir.Expr] | None:
    """`inner = outer` (either way round) where each side reads only its own rows."""
    if not (isinstance(part, ir.Compare) and part.op == "=") or part.left.type in (ir.LIST, ir.NULL):
        return None
    left, right = free_bindings(part.left), free_bindings(part.right)
    if left == {binding} and right and right <= outer:
        return part.right, part.left
    if right == {binding} and left and left <= outer:
        return part.left, part.right
    return None


def read_columns(exprs, binding: str | None = None) -> list[str]:
    """Frame columns the expressions read, optionally only those of one binding."""
    found = {frame_column(n.binding, n.name) for e in exprs if e is not None for n in ir.walk(e)
             if isinstance(n, ir.Column) and (binding is None or n.binding == binding)}
    return sorted(found)


# -- evaluation ------------------------------------------------------------------------
class PandasEvaluator:
    """IR → pandas Series aligned with the frame's index; parameters bound to `bindings`.

    `trace`, when given, receives the value of every node evaluated on `trace_frame`
    itself (not on merged sub-query frames), by `id(node)`: `explain` shows them.
    `steps`, when given, receives what the evaluator does (`Steps`); without it, recording
    costs one `is None` test per node and sub-query step, never a pass over the rows.
    """

    def __init__(self, frames: Mapping[str, pd.DataFrame], bindings: Mapping[str, object],
                 trace: dict[int, pd.Series] | None = None, trace_frame: pd.DataFrame | None = None,
                 steps: Steps | None = None):
        self.frames = frames
        self.bindings = bindings
        self.trace = trace
        self.trace_frame = trace_frame
        self.steps = steps
        # A `let` used twice is one node object: its sub-query runs once per frame. The node
        # and the frame are kept in the entry so that neither id can be reused while cached
        # (explain makes a count per sub-query and drops it: the next may take its address).
        self._subqueries: dict[tuple[int, int], tuple[ir.Expr, pd.DataFrame, pd.Series]] = {}

    def mask(self, expr: ir.Expr, frame: pd.DataFrame) -> np.ndarray:
        return truth(self.eval(expr, frame))

    def eval(self, expr: ir.Expr, frame: pd.DataFrame) -> pd.Series:
        if isinstance(expr, (ir.Exists, ir.Aggregate)):
            out = self._subquery(expr, frame)
        else:
            out = getattr(self, f"_{type(expr).__name__.lower()}")(expr, frame)
        if self.trace is not None and frame is self.trace_frame:
            self.trace[id(expr)] = out
        return out

    # -- leaves ------------------------------------------------------------------------
    def _literal(self, e: ir.Literal, frame: pd.DataFrame) -> pd.Series:
        if self.steps is not None:
            self.steps.value(e, frame, shown(e.value, e.type))
        return constant(e.value, e.type, frame.index)

    def _param(self, e: ir.Param, frame: pd.DataFrame) -> pd.Series:
        if self.steps is not None:
            self.steps.value(e, frame, shown(self.bindings[e.name], e.type))  # the bound value, as the SQL shows it
        return constant(self.bindings[e.name], e.type, frame.index)

    def _column(self, e: ir.Column, frame: pd.DataFrame) -> pd.Series:
        if self.steps is not None:
            self.steps.value(e, frame, frame_column(e.binding, e.name))
        return frame[frame_column(e.binding, e.name)]

    def _neighbour(self, e: ir.Neighbour, frame: pd.DataFrame) -> pd.Series:
        """The whole dataset in order of (order, key), nulls last, shifted by one row; each row of `frame`
        (the dataset, or the rows a filter kept) gets its own by its key."""
        rows = self.frames[e.column.dataset]
        keys = [k.name for k in e.keys]
        ordered = rows.sort_values([e.order.name, *keys], kind="stable", na_position="last")
        shifted = ordered[e.column.name].shift(-1 if e.direction == "next" else 1)
        by_key = pd.Series(shifted.to_numpy(), index=pd.MultiIndex.from_frame(ordered[keys]), dtype=shifted.dtype)
        mine = pd.MultiIndex.from_frame(frame[[frame_column("t0", k) for k in keys]], names=keys)
        out = by_key.reindex(mine).set_axis(frame.index)
        if self.steps is not None:
            shift = -1 if e.direction == "next" else 1
            self.steps.value(e, frame, f"frames[{e.column.dataset!r}].sort_values({[e.order.name, *keys]!r})"
                                       f"[{e.column.name!r}].shift({shift}), by t0.{', t0.'.join(keys)}")
        return out

    # -- logic -------------------------------------------------------------------------
    def _not(self, e: ir.Not, frame: pd.DataFrame) -> pd.Series:
        out = as_bool(~self.mask(e.operand, frame), frame.index)
        if (s := self.steps) is not None:
            s.value(e, frame, f"~{s.operand(e.operand, frame)}.fillna(False)")
        return out

    def _logical(self, e: ir.Logical, frame: pd.DataFrame) -> pd.Series:
        left = self.eval(e.left, frame).astype("boolean")
        right = self.eval(e.right, frame).astype("boolean")
        if (s := self.steps) is not None:
            op = "&" if e.op == "and" else "|"
            s.value(e, frame, f"({s.operand(e.left, frame)} {op} {s.operand(e.right, frame)})")
        return left & right if e.op == "and" else left | right

    # -- comparisons and predicates ----------------------------------------------------
    def _compare(self, e: ir.Compare, frame: pd.DataFrame) -> pd.Series:
        left, right = self.eval(e.left, frame), self.eval(e.right, frame)
        known = left.notna().to_numpy(dtype=bool) & right.notna().to_numpy(dtype=bool)
        if (s := self.steps) is not None:
            op = "==" if e.op == "=" else e.op
            s.value(e, frame, f"({s.operand(e.left, frame)} {op} {s.operand(e.right, frame)} & both notna)")
        return as_bool(truth(COMPARE[e.op](left, right)) & known, frame.index)

    def _arith(self, e: ir.Arith, frame: pd.DataFrame) -> pd.Series:
        if e.type == ir.NUMBER and amounts.constant(e):  # as the SQL engines have it: one number for every row
            folded = amounts.value(e, self.bindings)
            if self.steps is not None:
                self.steps.value(e, frame, shown(folded, e.type))
            return constant(folded, e.type, frame.index)
        left = self.eval(e.left, frame)
        right = date_offset(e.right, self.bindings) if e.type in (ir.DATE, ir.TIMESTAMP) else self.eval(e.right, frame)
        hours = isinstance(e.right, ir.Duration) and e.right.unit == "hours"  # elapsed: shifted as an instant
        if (s := self.steps) is not None:
            shown_right = shown_offset(right) if e.type in (ir.DATE, ir.TIMESTAMP) else s.operand(e.right, frame)
            s.value(e, frame, f"({s.operand(e.left, frame)} {e.op} {shown_right})" if not hours else
                    f"wall_clock(in_utc({s.operand(e.left, frame)}) {e.op} Timedelta(hours={right // HOUR}))")
        if hours:
            left = in_utc(left, self._zone())
        shifted = left + right if e.op == "+" else left - right
        return wall_clock(shifted, self._zone()) if hours else shifted

    def _zone(self) -> str:
        return str(self.bindings.get(TIME_ZONE, DEFAULT_ZONE))

    def _isnull(self, e: ir.IsNull, frame: pd.DataFrame) -> pd.Series:
        null = self.eval(e.operand, frame).isna().to_numpy(dtype=bool)
        if (s := self.steps) is not None:
            s.value(e, frame, f"{s.operand(e.operand, frame)}.{'notna' if e.negated else 'isna'}()")
        return as_bool(~null if e.negated else null, frame.index)

    def _isempty(self, e: ir.IsEmpty, frame: pd.DataFrame) -> pd.Series:
        value = self.eval(e.operand, frame)
        blank = (value.list.len() == 0 if e.operand.type == ir.LIST
                 else value.str.contains(ir.BLANK_PATTERN, regex=True))
        empty = value.isna().to_numpy(dtype=bool) | truth(blank)
        if (s := self.steps) is not None:
            shown_value = s.operand(e.operand, frame)
            test = "list.len() == 0" if e.operand.type == ir.LIST else "str.contains(BLANK_PATTERN)"
            s.value(e, frame, f"{'~' if e.negated else ''}({shown_value}.isna() | {shown_value}.{test})")
        return as_bool(~empty if e.negated else empty, frame.index)

    def _inlist(self, e: ir.InList, frame: pd.DataFrame) -> pd.Series:
        value = self.eval(e.operand, frame)
        if e.param is not None:
            items = list(self.bindings[e.param.name])
        else:
            items = [pd.Timestamp(i.value) if i.type in (ir.DATE, ir.TIMESTAMP) else i.value for i in e.items]
        if (s := self.steps) is not None:
            listed = shown(items, ir.LIST) if e.param is not None else \
                "[" + ", ".join(shown(i.value, i.type) for i in e.items) + "]"
            test = f"list_every_in({s.operand(e.operand, frame)}, {listed})" if e.operand.type == ir.LIST else \
                f"{s.operand(e.operand, frame)}.isin({listed})"
            s.value(e, frame, f"({'~' if e.negated else ''}{test} & notna)")
        if e.operand.type == ir.LIST:
            every = list_every_in(value, items)
            return as_bool((~every if e.negated else every) & value.notna().to_numpy(dtype=bool), frame.index)
        found = truth(value.isin(items))
        # `x not in [...]` is a comparison: false for a null x, like `x != 'a'`.
        return as_bool((~found if e.negated else found) & value.notna().to_numpy(dtype=bool), frame.index)

    def _contains(self, e: ir.Contains, frame: pd.DataFrame) -> pd.Series:
        lists, item = self.eval(e.container, frame), self.eval(e.item, frame)
        if (s := self.steps) is not None:
            s.value(e, frame, f"list_contains({s.operand(e.container, frame)}, {s.operand(e.item, frame)})")
        return as_bool(list_contains(lists, item), frame.index)

    def _found(self, e: ir.Found, frame: pd.DataFrame) -> pd.Series:
        if self.steps is not None:  # the lookup's row was merged on
            self.steps.value(e, frame, f"{frame_column(e.lookup, FOUND)}.fillna(False)")
        return as_bool(truth(frame[frame_column(e.lookup, FOUND)]), frame.index)

    def _call(self, e: ir.Call, frame: pd.DataFrame) -> pd.Series:
        args = [self.eval(a, frame) for a in e.args]
        if (s := self.steps) is not None:
            s.value(e, frame, f"{e.name}({', '.join(s.operand(a, frame) for a in e.args)})")
        if e.name == "hours_between":  # real hours: between the wall clocks' instants in the zone
            args = [in_utc(a, self._zone()) for a in args]
        return CALLS[e.name](e, args, frame.index)

    # -- sub-queries -------------------------------------------------------------------
    def _subquery(self, e: ir.Exists | ir.Aggregate, frame: pd.DataFrame) -> pd.Series:
        key = (id(e), id(frame))
        if key not in self._subqueries:
            method = self._exists if isinstance(e, ir.Exists) else self._aggregate
            self._subqueries[key] = (e, frame, method(e, frame))
        return self._subqueries[key][2]

    def _exists(self, e: ir.Exists, frame: pd.DataFrame) -> pd.Series:
        if self.steps is not None:
            self.steps.open(f"{'no' if e.negated else 'exists'} {e.source.dataset} as {e.source.binding}")
        matched, codes, groups = self.matches(e.source, e.where, frame)
        hit = np.zeros(groups, dtype=bool)
        hit[matched[OID].to_numpy()] = True
        found = hit[codes]
        if (s := self.steps) is not None:  # a group of codes is found when a matched row bears its number
            s.close(e, frame, f"{'~' if e.negated else ''}{s.name(codes)}.isin({s.name(matched)}[{OID!r}])")
        return as_bool(~found if e.negated else found, frame.index)

    def _aggregate(self, e: ir.Aggregate, frame: pd.DataFrame) -> pd.Series:
        if self.steps is not None:
            column = f" {e.column.binding}.{e.column.name}" if e.column is not None else ""
            self.steps.open(f"{e.func}{column} of {e.source.dataset} as {e.source.binding}")
        extra = [e.column] if e.column is not None else []
        matched, codes, groups = self.matches(e.source, e.where, frame, extra)
        s = self.steps
        if e.column is None:
            counts = np.bincount(matched[OID].to_numpy(dtype=np.int64), minlength=groups)
            if s is not None:
                s.close(e, frame, f"{s.name(codes)}.map({s.name(matched)}.groupby({OID!r}).size()).fillna(0)")
            return pd.Series(counts[codes], index=frame.index, dtype="Int64")
        column = frame_column(e.column.binding, e.column.name)
        grouped = matched.groupby(OID)[column]
        func = "max" if e.func in ("latest", "max") else "min"
        per_group = (grouped.max() if func == "max" else grouped.min()).reindex(range(groups))
        if s is not None:
            s.close(e, frame, f"{s.name(codes)}.map({s.name(matched)}.groupby({OID!r})[{column!r}].{func}())")
        return per_group.iloc[codes].set_axis(frame.index)

    def matches(self, source: ir.Source, where: ir.Expr | None, frame: pd.DataFrame,
                extra: list[ir.Expr] = ()) -> tuple[pd.DataFrame, np.ndarray, int]:
        """Inner rows that satisfy `where`, tagged with the outer group (`OID`) they match.

        Returns the matched rows, each outer row's group code, and the number of groups.
        Outer rows that read the same values form one group, so a sub-query over half a
        million log rows merges once per distinct (actor, client, day), not per row.
        """
        outer = {c.split(".", 1)[0] for c in frame.columns if "." in c}
        split = split_where(source.binding, where, outer)
        read = [c for c in read_columns([where]) if c in frame.columns]
        codes, reps = distinct_rows(frame, read)
        inner = bound(self.frames[source.dataset], source.binding)
        inner = inner[read_columns([where, *extra], source.binding)]
        s, b = self.steps, source.binding
        if s is not None:
            n = s.current
            s.line(f"{s.named(codes, f'g{n}')}, {s.named(reps, f'o{n}')} = distinct_rows({s.name(frame)}, {read})"
                   f"  # g{n}: each row's group; o{n}: a row per group, {OID!r}")
            s.frame(inner, b, f"frames[{source.dataset!r}].add_prefix('{b}.')[{list(inner.columns)}]")
        if split.inner:
            test = conjoin(split.inner)
            kept = inner[self.mask(test, inner)]
            if s is not None:
                s.frame(kept, b, f"{b}[{s.text(test, inner)}]")
            inner = kept
        names = [f"__k{i}" for i in range(len(split.keys))]
        if names:
            left = _with_keys(reps, names, [self.eval(o, reps) for o, _ in split.keys])
            right = _with_keys(inner, names, [self.eval(i, inner) for _, i in split.keys])
            merged = left.merge(right, on=names, how="inner").drop(columns=names)
            if s is not None:
                left_on = ", ".join(s.text(o, reps) for o, _ in split.keys)
                right_on = ", ".join(s.text(i, inner) for _, i in split.keys)
                s.frame(merged, f"m{n}", f"{s.name(reps)}.merge({b}, left_on=[{left_on}], right_on=[{right_on}])"
                                         "  # null keys dropped first")
        else:
            merged = reps.merge(inner, how="cross")
            if s is not None:
                s.frame(merged, f"m{n}", f"{s.name(reps)}.merge({b}, how='cross')")
        if split.residual:
            test = conjoin(split.residual)
            kept = merged[self.mask(test, merged)]
            if s is not None:
                s.frame(kept, f"m{n}", f"m{n}[{s.text(test, merged)}]")
            merged = kept
        return merged, codes, len(reps)


def distinct_rows(frame: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Group code per row, and one representative row per group (with its code as OID)."""
    if not columns:
        codes = np.zeros(len(frame), dtype=np.int64)
        reps = pd.DataFrame({OID: np.zeros(min(len(frame), 1), dtype=np.int64)})
        return codes, reps
    if any(isinstance(frame[c].dtype, pd.ArrowDtype) and pa.types.is_list(frame[c].dtype.pyarrow_dtype)
           for c in columns):  # lists cannot be grouped on: every row is its own group
        codes = np.arange(len(frame))
    else:
        codes = frame.groupby(columns, dropna=False, sort=False).ngroup().to_numpy(dtype=np.int64)
    first = pd.Series(codes).drop_duplicates()
    reps = frame[columns].iloc[first.index.to_numpy()].reset_index(drop=True)
    reps[OID] = first.to_numpy()
    return codes, reps.sort_values(OID, ignore_index=True)


def _with_keys(df: pd.DataFrame, names: list[str], keys: list[pd.Series]) -> pd.DataFrame:
    """The frame with merge-key columns added, minus rows with a null key (`=` is false)."""
    keyed = df.assign(**{n: _key(k) for n, k in zip(names, keys)})
    return keyed.dropna(subset=names)


def _key(values: pd.Series) -> pd.Series:
    """Numbers merge as one dtype, so `1 = 1.0` holds as in SQL."""
    return values.astype("Float64") if str(values.dtype) in ("Int64", "Float64") else values


def list_contains(lists: pd.Series, item: pd.Series) -> np.ndarray:
    """Whether each row's list holds its item: flatten, compare, and OR back per row."""
    hit = np.zeros(len(lists), dtype=bool)
    array = pa.array(lists, type=pa.list_(pa.string()))
    flat = pc.list_flatten(array)
    if len(flat):
        parents = pc.list_parent_indices(array)
        wanted = pc.take(pa.array(item.to_numpy(dtype=object, na_value=None), type=pa.string()), parents)
        equal = pc.fill_null(pc.equal(flat, wanted), False).to_numpy(zero_copy_only=False)
        hit[parents.to_numpy()[equal]] = True
    return hit & lists.notna().to_numpy(dtype=bool) & item.notna().to_numpy(dtype=bool)


def list_every_in(lists: pd.Series, items: list[str]) -> np.ndarray:
    """Whether every element of each row's list is one of the items (a null element is not)."""
    array = pa.array(lists, type=pa.list_(pa.string()))
    flat = pc.list_flatten(array)
    outside = np.zeros(len(lists), dtype=bool)
    if len(flat):
        parents = pc.list_parent_indices(array).to_numpy()
        found = pc.fill_null(pc.is_in(flat, value_set=pa.array(items, pa.string())), False)
        found = found.to_numpy(zero_copy_only=False)
        outside[parents[~found]] = True
    return ~outside


def to_date(values: pd.Series, type_: str) -> pd.Series:
    if type_ == ir.TIMESTAMP:
        return values.dt.floor("D")
    if type_ == ir.STRING:
        return pd.to_datetime(values, format="%Y-%m-%d").astype(MOMENT_DTYPE)
    return values


def elfproef(values: pd.Series) -> np.ndarray:
    """Nine ASCII digits with 9·d1 + 8·d2 + … + 2·d8 − d9 divisible by 11; else false."""
    nine = truth(values.str.fullmatch("[0-9]{9}"))
    text = values.where(nine, "000000000").to_numpy(dtype="U9")
    digits = text.view(np.uint32).reshape(-1, 9).astype(np.int64) - ord("0")
    return nine & (digits @ _ELFPROEF_WEIGHTS % 11 == 0)


# -- the built-in functions (compiler/builtins.py) by name -------------------------------
Call = Callable[[ir.Call, list[pd.Series], pd.Index], pd.Series]  # the call, its arguments' values, the frame's index


def _coalesce(e: ir.Call, args: list[pd.Series], index: pd.Index) -> pd.Series:
    known = [a for a, x in zip(args, e.args) if x.type != ir.NULL] or args
    return reduce(lambda out, nxt: out.where(out.notna(), nxt), known)


def _extreme(keeps: Callable[[pd.Series, pd.Series], pd.Series]) -> Call:
    """latest or earliest: of the values that are not null, as SQL's GREATEST and LEAST; `keeps(a, b)`
    where a value wins over the next."""

    def call(e: ir.Call, args: list[pd.Series], index: pd.Index) -> pd.Series:
        known = [a for a, x in zip(args, e.args) if x.type != ir.NULL] or args[:1]
        return reduce(lambda a, b: a.where(a.notna() & (b.isna() | keeps(a, b)), b), known)

    return call


def _length(e: ir.Call, args: list[pd.Series], index: pd.Index) -> pd.Series:
    return (args[0].list.len() if e.args[0].type == ir.LIST else args[0].str.len()).astype("Int64")


CALLS: dict[str, Call] = {
    "date": lambda e, args, index: to_date(args[0], e.args[0].type),
    "elfproef": lambda e, args, index: as_bool(elfproef(args[0]), index),
    "lower": lambda e, args, index: args[0].str.lower(),
    "upper": lambda e, args, index: args[0].str.upper(),
    "trim": lambda e, args, index: args[0].str.strip(" "),  # SQL TRIM takes spaces only
    "coalesce": _coalesce,
    "length": _length,
    "latest": _extreme(operator.ge),
    "earliest": _extreme(operator.le),
    "hours_between": lambda e, args, index: ((args[1] - args[0]) // pd.Timedelta(hours=1)).astype("Int64"),
    "when": lambda e, args, index: args[1].where(truth(args[0]), args[2]),
}
