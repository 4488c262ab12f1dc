"""The one validator: every staged source held to the contract's types, set-based.

For each column of the contract, a `Plan` says how to type its staged value and which
error code (if any) a value earns, as SQL over the staged relation. One query scans
every source once and counts what is wrong, keys out of order included: keys in
ascending order are unique when strictly increasing, which a streaming window sees
in one pass. Only when something is wrong, or keys are out of order, does a second
query look for repeated keys and the first offending cells, so that a clean export
costs one scan per source.

The checks are the same for every source, so a missing value, a bad date, a repeated
key or a number in a text column gets the same error and wording from a CSV file, a
Parquet file, a DataFrame or a rule example.

The SQL is built with sqlglot and rendered in the dialect of the store that holds the
staged data (DuckDB, Spark, PostgreSQL): the same plans, the same error codes and
wording, whichever engine runs them. The few values whose SQL means something else from
one engine to the next are asked of the store that holds the source (`store.py`: JSON
values, DuckDB's JSON or Spark's VARIANT; a date test, `TRY_CAST` or PostgreSQL's
calendar arithmetic), as a sqlglot dialect overrides what its base writes otherwise; the
plan itself is one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING

from sqlglot import exp

from ...compiler.zones import DEFAULT_ZONE, gap_hours
from ...datasets import Column, Dataset
from ..sql_dialects import ReglementDuckDB, render
from .errors import MAX_ERRORS_PER_SOURCE, DataError, capped
from .jsonl_lines import record_lines
from .key_plan import Key
from .sources import Source
from .staging import FILE, Staged

if TYPE_CHECKING:
    from .store import Store


SQL_TYPES = {"string": "VARCHAR", "date": "DATE", "timestamp": "TIMESTAMP", "bool": "BOOLEAN",
              "list<string>": "VARCHAR[]"}
_DATE = r"\d{4}-\d{2}-\d{2}"
# The written form of each parsed type. A space instead of the `T` is accepted, and a time
# without its seconds (`2026-04-10 16:30`, the seconds 0): spreadsheet tools and SQL dumps write
# them so, and they mean the same local time. Day-first text (`10-04-2026 16:30`) is rewritten
# as ISO where a CSV column is written so throughout (`staging._day_first_dates`).
# A timestamp may end in an offset (`+02:00`) or `Z`: it is read as the wall clock of the audit's zone.
_PATTERNS = {"date": _DATE, "timestamp": _DATE + r"[T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?(Z|[+-]\d{2}:[0-5]\d)?"}
_LOCAL_LENGTHS = (16, 19)  # a timestamp of the pattern without an offset, without and with its seconds
_WORDS = {"string": "text", "date": "a date", "timestamp": "a timestamp", "bool": "true or false",
          "list<string>": "a list of texts"}
_KIND_WORDS = {"integer": "a number", "number": "a number", "bool": "true or false", "date": "a date",
               "timestamp": "a timestamp", "timestamptz": "a timestamp with a time zone", "text": "text",
               "text_list": "a list of texts", "json": "a JSON value", "other": "a value of another kind"}
_SHOWN_CHARS = 40
# A date or timestamp written in digits as the contract writes it: if it still does not parse, it is no real one.
_DIGITS_WRITTEN = {"date": re.compile(r"\d{4}-\d{2}-\d{2}"),
                   "timestamp": re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?")}
_INTEGERS = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT",
             "UHUGEINT"}
_JSON_NUMBERS = ("BIGINT", "UBIGINT", "DOUBLE")


def kind_of(sql_type: str) -> str:
    """What a staged column holds, in the few kinds the plans distinguish."""
    if sql_type == "VARCHAR" or sql_type.startswith("ENUM("):
        return "text"
    if sql_type in _INTEGERS:
        return "integer"
    if sql_type in ("FLOAT", "DOUBLE") or sql_type.startswith("DECIMAL"):
        return "number"
    if sql_type.startswith("TIMESTAMP WITH TIME ZONE") or sql_type == "TIMESTAMPTZ":
        return "timestamptz"
    if sql_type.startswith("TIMESTAMP"):
        return "timestamp"
    return {"JSON": "json", "BOOLEAN": "bool", "DATE": "date", '"NULL"': "null", "VARCHAR[]": "text_list",
            '"NULL"[]': "text_list"}.get(sql_type, "other")


@dataclass(frozen=True)
class Plan:
    """How one contract column of a source is checked and typed, as SQL over the staged relation."""

    position: int  # in the contract, to order errors within a row
    column: Column
    value: exp.Expression  # the typed value, valid once `check` found nothing
    check: exp.Expression | None  # a CASE giving an error code; None when any value passes
    shown: exp.Expression  # the text an error message may quote; NULL for personal columns
    restored: exp.Expression | None  # true where a number was restored as text (`x-zero-pad`)
    messages: dict[str, tuple[str, str]]  # error code → (E-code, words)
    presence_only: bool = False  # the one test is that a value is there (a required column of its own type)
    whole: str | None = None  # the code every value earns: the column's own type is one the contract's refuses
    cell_check: exp.Expression | None = None  # with `whole`: what is still told cell by cell (a missing value)
    key: bool = False  # the column is the key or a part of it


def _ref(name: str) -> exp.Column:
    return exp.column(name, quoted=True)


def _text(ref: exp.Expression, kind: str, store: type[Store]) -> exp.Expression:
    """A staged value as text: a JSON string unquoted, a JSON number as its digits."""
    if kind == "json":
        return store.json_text(ref)
    return ref if kind == "text" else exp.cast(ref, "VARCHAR")


def plan(position: int, column: Column, staged_type: str | None, store: type[Store], zone: str = DEFAULT_ZONE) -> Plan:
    """Decide how to check and type one column, given the type its source gave it (None: left out), its
    timestamps read in `zone`.

    CASE, not AND, orders the tests: SQL does not promise to short-circuit AND, and every
    test after the first may assume a non-null value of the right kind.
    """
    target = SQL_TYPES[column.type]
    if staged_type is None:  # an example row leaves the column out: null
        return Plan(position, column, exp.cast(exp.null(), target), None, exp.cast(exp.null(), "VARCHAR"), None, {})
    kind = kind_of(staged_type)
    ref = _ref(column.name)
    text = _text(ref, kind, store)
    whens: list[tuple[exp.Expression, str]] = []
    messages = {"required": ("E705", "empty value in a required column"),
                "parse": ("E706", f"expected {_expected(column.type)}"),
                "type": ("E706", f"expected {_WORDS[column.type]}, got {_KIND_WORDS.get(kind, 'a value')}"),
                "shape": ("E706", "expected a list of texts (a JSON array of strings)" if column.type == "list<string>"
                          else "expected a single value (not a JSON array or object)"),
                "number": ("E707", _number_words(column)),
                "gap": ("E719", f"a time of day the clocks of {zone} skip (they spring forward that hour): write "
                                "the moment with its offset, or correct it")}
    restored = None
    if kind == "null":
        value = exp.cast(exp.null(), target)
    elif column.type == "string":
        value, restored = _string(column, kind, ref, whens, store)
    elif column.type == "list<string>":
        value = _list(kind, ref, text, whens, store)
    else:
        value = _scalar(column, kind, ref, text, whens, messages, store, zone)
    if not column.nullable:
        whens.insert(0, (ref.is_(exp.null()), "required"))
    if column.nullable and whens:
        whens.insert(0, (ref.is_(exp.null()), None))
    always = next((i for i, (w, _) in enumerate(whens) if w == exp.true()), None)
    whole, cells = (None, whens) if always is None else (whens[always][1], whens[:always])
    shown = (exp.cast(exp.null(), "VARCHAR") if column.personal
             else exp.Left(this=text, expression=exp.convert(_SHOWN_CHARS + 1)))
    presence_only = [code for _, code in whens] == ["required"]
    return Plan(position, column, value, _case(whens), shown, restored, messages, presence_only, whole,
                _case(cells) if whole is None or any(code for _, code in cells) else None)


def _case(whens: list[tuple[exp.Expression, str | None]]) -> exp.Expression | None:
    """The error code of the first test that holds (None: no error); None when there is no test."""
    return exp.Case(ifs=[exp.If(this=w, true=exp.convert(code)) for w, code in whens]) if whens else None


def _expected(column_type: str) -> str:
    return {"date": "a date YYYY-MM-DD", "timestamp": "a timestamp YYYY-MM-DDTHH:MM[:SS][+HH:MM]",
            "bool": "true or false"}.get(column_type, _WORDS[column_type])


def _number_words(column: Column) -> str:
    if column.zero_pad:
        return (f"a number that is not a whole number of at most {column.zero_pad} digits, where the contract says "
                "text: export the column as text")
    return "a number where the contract says text: export the column as text"


def _restorable(number: exp.Expression, digits: int) -> exp.Expression:
    """A whole number of at most `digits` digits (12345672, also 12345672.0)."""
    whole = exp.EQ(this=number, expression=exp.Floor(this=number.copy()))
    in_range = exp.and_(exp.GTE(this=number.copy(), expression=exp.convert(0)),
                        exp.LT(this=number.copy(), expression=exp.convert(10 ** digits)))
    return exp.and_(whole, in_range)


def _padded(number: exp.Expression, digits: int) -> exp.Expression:
    integral = exp.cast(exp.cast(number, "BIGINT"), "VARCHAR")
    return exp.func("lpad", integral, exp.convert(digits), exp.Literal.string("0"))


def _string(column: Column, kind: str, ref: exp.Expression, whens: list,
            store: type[Store]) -> tuple[exp.Expression, exp.Expression | None]:
    """Text stays text; a number is restored (an `x-zero-pad` identifier) or refused; anything else is refused."""
    if kind == "text":
        return ref, None
    if kind == "json":
        number = store.json_as(ref, "DOUBLE")
        is_number = store.json_kind(ref).isin(*_JSON_NUMBERS)
        whens.append((store.json_kind(ref).isin("ARRAY", "OBJECT"), "shape"))
        if column.zero_pad:
            whens.append((exp.and_(is_number, exp.not_(_restorable(number, column.zero_pad))), "number"))
        else:
            whens.append((is_number, "number"))
        whens.append((store.json_kind(ref).neq("VARCHAR") if column.zero_pad is None else
                      exp.not_(store.json_kind(ref).isin("VARCHAR", *_JSON_NUMBERS)), "type"))
        plain = _text(ref, kind, store)
        if column.zero_pad is None:
            return plain, None
        value = exp.Case(ifs=[exp.If(this=is_number.copy(), true=_padded(number.copy(), column.zero_pad))],
                         default=plain)
        return value, is_number.copy()
    if kind in ("integer", "number"):
        if column.zero_pad:
            whens.append((exp.not_(_restorable(ref, column.zero_pad)), "number"))
            return _padded(ref, column.zero_pad), ref.is_(exp.null()).not_()
        whens.append((exp.true(), "number"))
        return exp.cast(exp.null(), "VARCHAR"), None
    whens.append((exp.true(), "type"))
    return exp.cast(exp.null(), "VARCHAR"), None


def _list(kind: str, ref: exp.Expression, text: exp.Expression, whens: list, store: type[Store]) -> exp.Expression:
    if kind == "text":
        return store.split(text)
    if kind == "text_list":
        return exp.cast(ref, "VARCHAR[]")
    if kind == "json":
        element = exp.Lambda(this=store.json_kind(exp.column("x")).eq("VARCHAR"), expressions=[exp.to_identifier("x")])
        whens.append((store.json_kind(ref).neq("ARRAY"), "shape"))
        whens.append((exp.not_(exp.func("coalesce", store.json_all(ref, element), exp.true())), "shape"))
        return store.json_as(ref, "VARCHAR[]")
    whens.append((exp.true(), "shape"))
    return exp.cast(exp.null(), "VARCHAR[]")


def _scalar(column: Column, kind: str, ref: exp.Expression, text: exp.Expression, whens: list,
            messages: dict, store: type[Store], zone: str) -> exp.Expression:
    """A date, timestamp or bool: parsed from text, taken as it is, or refused with the kind found; a
    timestamp with a zone as the wall clock of `zone`, one without as written, if the zone's clocks show it."""
    target = SQL_TYPES[column.type]
    if kind == "json":
        whens.append((store.json_kind(ref).isin("ARRAY", "OBJECT"), "shape"))
        # A JSON number or boolean where a date is expected is a value not written as one.
        if column.type == "bool":
            words = _parse_bool(text)
            whens.append((exp.not_(words[0]), "parse"))  # a JSON true/false reads as its word
            return words[1]
        whens.append((store.json_kind(ref).neq("VARCHAR"), "parse"))
    if kind in ("json", "text"):
        valid, value = (_parse_bool(text) if column.type == "bool" else _parse(column.type, text, store, zone))
        whens.append((exp.not_(valid), "parse"))
        skipped = _skipped(value, zone) if column.type == "timestamp" else None
        if skipped is not None:
            whens.append((exp.and_(exp.Length(this=text.copy()).isin(*_LOCAL_LENGTHS), skipped), "gap"))
        return value
    if kind == "timestamptz" and column.type == "timestamp":  # an instant: its wall clock in the zone
        return exp.cast(exp.AtTimeZone(this=ref, zone=exp.Literal.string(zone)), target)
    native = {"date": ("date", "timestamp"), "timestamp": ("timestamp", "date"), "bool": ("bool",)}[column.type]
    if kind not in native:
        if kind == "timestamptz":
            messages["type"] = ("E706", "a timestamp with a time zone, where the contract's timestamps are local time "
                                        "without one: export it without the zone")
        whens.append((exp.true(), "type"))
        return exp.cast(exp.null(), target)
    if column.type == "date" and kind == "timestamp":
        messages["parse"] = ("E706", "expected a date, got a timestamp with a time of day")
        whens.append((exp.cast(exp.cast(ref, "DATE"), "TIMESTAMP").neq(exp.cast(ref, "TIMESTAMP")), "parse"))
    skipped = _skipped(ref, zone) if column.type == "timestamp" and kind == "timestamp" else None
    if skipped is not None:
        whens.append((skipped, "gap"))
    return exp.cast(ref, target)


def _parse(column_type: str, text: exp.Expression, store: type[Store],
           zone: str) -> tuple[exp.Expression, exp.Expression]:
    """SQL that tells whether `text` is a valid date or timestamp (written exactly as the pattern, and a
    real value: no 30 February), and SQL that types it: a timestamp with an offset as the wall clock of `zone`."""
    typed = exp.TryCast(this=text.copy(), to=exp.DataType.build(SQL_TYPES[column_type]), safe=True)
    if column_type == "timestamp":
        instant = exp.TryCast(this=text.copy(), to=exp.DataType.build("TIMESTAMPTZ"), safe=True)
        zoned = exp.cast(exp.AtTimeZone(this=instant, zone=exp.Literal.string(zone)), "TIMESTAMP")
        local = exp.Length(this=text.copy()).isin(*_LOCAL_LENGTHS)
        typed = exp.Case(ifs=[exp.If(this=local, true=typed)], default=zoned)
    return store.parsed(store.written_as(text, _PATTERNS[column_type]), text, typed)


def _skipped(wall: exp.Expression, zone: str) -> exp.Expression | None:
    """Whether a wall clock is one the zone's clocks skip: it does not come back from UTC as it went.
    Asked only in the hours in which the zone ever sprang forward (`zones.gap_hours`), as the zone's
    rules cost far more per row than a test of the hour."""
    hours = gap_hours(zone)
    if not hours:  # a zone that never springs forward (UTC)
        return None
    name = exp.Literal.string(zone)
    back = exp.ConvertTimezone(source_tz=exp.Literal.string("UTC"), target_tz=name,
                               timestamp=exp.FromTimeZone(this=wall.copy(), zone=name.copy()))
    hour = exp.Extract(this=exp.Var(this="HOUR"), expression=wall.copy())
    return exp.and_(hour.isin(*hours), exp.cast(back, "TIMESTAMP").neq(wall.copy()))


def _parse_bool(text: exp.Expression) -> tuple[exp.Expression, exp.Expression]:
    """true/false, and WAAR/ONWAAR as Dutch spreadsheets write them, in any case."""
    lower = exp.Lower(this=text)
    return lower.isin("true", "false", "waar", "onwaar"), lower.copy().isin("true", "waar")


# -- the queries ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Summary:
    """What the counting scan found in one source."""

    rows: int
    errors: int  # cells with an error code
    unsorted: int  # keys not greater than the one before
    restored: dict[str, int]  # numbers restored as text, per column
    period: tuple[str, str] | None = None  # earliest and latest value of the dataset's time column, as text


@dataclass(frozen=True)
class Shape:
    """Everything the validator renders for one source of a given shape, rendered once.

    Rule examples and property tests take in thousands of small sources of a few
    shapes; rendering their SQL once per shape keeps the one validator fast for them.
    """

    plans: tuple[Plan, ...]
    missing: tuple[str, ...]  # contract columns the source lacks (and may not leave out)
    summary: str  # the counting scan, one row tagged with the dataset's name
    typed: str  # the source in the contract's types
    store: type[Store]  # the store's kind, whose dialect both are rendered in
    apart: bool = False  # the summary leaves the keys' order to `order_query`


PROVENANCE = FILE  # in the typed relation of a dataset given as a folder too: the name of the file a row is in


@cache
def shape(dataset: Dataset, columns: tuple[tuple[str, str], ...], partial: bool, relation: str, files: bool,
          store: type[Store], apart: bool, zone: str = DEFAULT_ZONE) -> Shape:
    """`apart`: the keys' order is counted by `order_query`, not by the summary."""
    staged = dict(columns)
    plans, missing = [], []
    for position, column in enumerate(dataset.columns):
        if column.name in staged or partial:
            plans.append(replace(plan(position, column, staged.get(column.name), store, zone),
                                 key=position < dataset.key_width))
        else:
            missing.append(column.name)  # reported; the columns there are still checked
    source = exp.to_table(relation, quoted=True)
    typed = exp.select(*[exp.alias_(p.value, p.column.name, quoted=True) for p in plans]).from_(source.copy())
    if files:  # a finding of a dataset given as a folder names its file (incremental.py)
        name = exp.RegexpExtract(this=exp.column(FILE, quoted=True), expression=exp.Literal.string("[^/]+$"),
                                 group=exp.Literal.number(0))
        typed = typed.select(exp.alias_(name, PROVENANCE, quoted=True))
    period = next((p for p in plans if p.column.name == dataset.period), None)
    summary = _summary(dataset.name, plans, source, store, order=not apart, period=period)
    return Shape(tuple(plans), tuple(missing), render(summary, store.dialect), render(typed, store.dialect), store,
                 apart)


def _count_if(test: exp.Expression) -> exp.Expression:
    return exp.CountIf(this=test)


def _summary(tag: str, plans: list[Plan], source: exp.Expression, store: type[Store], order: bool,
             period: Plan | None) -> exp.Select:
    """The counting scan of one source, as one row: (source, rows, errors, unsorted, restored, first, last),
    `first` and `last` the earliest and latest value of the `period` column, as text (the dataset's period).

    A column whose one test is presence is counted as `count(*) - count(column)`, which
    DuckDB answers from a Parquet file's statistics without reading the column. With
    `order` false the keys' order is left to `order_query` (`unsorted` is then 0).
    """
    present = [p for p in plans if p.presence_only]
    checks = [p.check for p in plans if p.check is not None and not p.presence_only]
    key = _key(plans)
    rows = exp.Count(this=exp.Star())
    counted = [_count_if(c.is_(exp.null()).not_()) for c in checks]
    counted += [exp.Sub(this=rows.copy(), expression=exp.Count(this=_ref(p.column.name))) for p in present]
    restored = [_count_if(p.restored) for p in plans if p.restored is not None]
    unsorted: exp.Expression = exp.convert(0)
    if key is not None and order:
        if store.ordered_scan:
            unsorted = _unsorted(key, source).subquery()
        elif key.composite:  # a store whose scans have no order: how many keys repeat, counted at once
            unsorted = _repeated_count(_repeated(source, key)).subquery()
        else:
            unsorted = exp.Sub(this=exp.Count(this=key.value),
                               expression=exp.Count(this=exp.Distinct(expressions=[key.value])))
    return exp.select(
        exp.alias_(exp.Literal.string(tag), "source"), exp.alias_(rows, "rows"),
        exp.alias_(_sum(counted), "errors"), exp.alias_(unsorted, "unsorted"),
        exp.alias_(exp.cast(exp.Array(expressions=restored), exp.DataType.build("BIGINT[]", dialect=ReglementDuckDB)),
                   "restored"),
        *(exp.alias_(_as_text(exp.func(edge, _valid(period)) if period else exp.null()), edge)
          for edge in ("min", "max")),
    ).from_(source)


def _valid(p: Plan) -> exp.Expression:
    """The typed value where the column's check finds nothing, else null: a value in error is reported by the
    check, and must not stop the scan (PostgreSQL raises on casting '2024-02-30' to a date)."""
    if p.check is None:
        return p.value.copy()
    return exp.Case(ifs=[exp.If(this=p.check.copy().is_(exp.null()), true=p.value.copy())])


def _as_text(value: exp.Expression) -> exp.Expression:
    return exp.cast(value, exp.DataType.build("VARCHAR"))


def _key(plans: tuple[Plan, ...] | list[Plan]) -> Key | None:
    """The source's key; None when a part of it is not there (the missing column is reported)."""
    parts = tuple(p for p in plans if p.key)
    return Key(parts) if parts and parts[-1].position == len(parts) - 1 else None


def _unsorted(key: Key, source: exp.Expression) -> exp.Select:
    """How many keys are not greater than the one before, in scan order (DuckDB): none means every key
    is unique. A streaming window, in one thread; kept out of the other counts, which run in parallel."""
    window = exp.select(exp.alias_(key.value, "k"),
                        exp.alias_(exp.Window(this=exp.func("lag", key.value)), "p")).from_(source.copy())
    return exp.select(_count_if(exp.LTE(this=exp.column("k"), expression=exp.column("p")))).from_(
        window.subquery("w"))


def ordered_apart(s: Shape) -> bool:
    """Whether the keys' order of a source of this shape is left to `order_query` (it has a key)."""
    return s.apart and _key(s.plans) is not None


def order_query(staged: Staged, s: Shape) -> str:
    """The query that counts the keys out of order of a source `ordered_apart`, for another database
    to run while the audit goes on (`key_order.py`)."""
    return render(_unsorted(_key(s.plans), staged.relation), ReglementDuckDB)


def shape_of(dataset: Dataset, staged: Staged, store: Store, apart: bool = False, zone: str = DEFAULT_ZONE) -> Shape:
    """`apart`: count the keys' order with `order_query` (a source read in place), not in the summary."""
    return shape(dataset, tuple(staged.columns.items()), staged.source.partial, staged.relation.name,
                 staged.source.folder, type(store), apart and staged.source.format == "parquet", zone)


def summarise(store: Store, shapes: list[tuple[Staged, Shape]]) -> list[Summary]:
    """One query, one scan of each source: rows, cells in error, keys out of order, numbers restored."""
    if not shapes:
        return []
    query = " UNION ALL ".join(s.summary for _, s in shapes)  # each part rendered by sqlglot
    found = {row[0]: row[1:] for row in store.rows(query)}
    out = []
    for staged, s in shapes:
        rows, errors, unsorted, restored, first, last = found[staged.source.dataset]
        names = [p.column.name for p in s.plans if p.restored is not None]
        period = (_iso(first), _iso(last)) if first is not None else None
        out.append(Summary(rows, errors or 0, unsorted or 0, {n: c for n, c in zip(names, restored or ()) if c},
                           period))
    return out


def _iso(text: str) -> str:
    """A date or timestamp as every engine casts it to text, in ISO 8601 ('2026-01-05T09:30:00')."""
    return text.replace(" ", "T", 1)


def _sum(counts: list[exp.Expression]) -> exp.Expression:
    total: exp.Expression = exp.convert(0)
    for count in counts:
        total = exp.Add(this=total, expression=count)
    return total


def _repeated(relation: exp.Expression, key: Key, row: exp.Expression | None = None) -> exp.Select:
    """Each key that more than one row has (its parts `repeated0`, …), with the first `row` that has it."""
    parts = [exp.alias_(v, f"repeated{i}") for i, v in enumerate(key.values)]
    parts += [exp.alias_(exp.Min(this=row.copy()), "first")] if row is not None else []
    return (exp.select(*parts, exp.alias_(exp.Count(this=exp.Star()), "n"))
            .from_(relation.copy()).group_by(*key.values)
            .having(exp.GT(this=exp.Count(this=exp.Star()), expression=exp.convert(1))))


def _repeated_count(repeated: exp.Select) -> exp.Select:
    """Rows whose key an earlier row already has, of the groups `_repeated` gives."""
    total = exp.func("coalesce", exp.Sum(this=exp.Sub(this=exp.column("n"), expression=exp.convert(1))), exp.convert(0))
    return exp.select(exp.cast(total, "BIGINT")).from_(repeated.subquery("g"))  # PostgreSQL's sum is a NUMERIC


def repeated_keys(store: Store, staged: Staged, key: Key) -> int:
    """Rows whose key an earlier row already has (a hash aggregate: only run when keys are out of order)."""
    query = _repeated_count(_repeated(staged.relation, key, staged.row))
    [(count,)] = store.rows(render(query, store.dialect))
    return int(count)


_FOUND = ("file", "row", "col", "code", "shown", "first", "key")
_NO_TEXT = exp.cast(exp.null(), "VARCHAR")


def _found(file: exp.Expression, row: exp.Expression, col: exp.Expression, code: exp.Expression,
           shown: exp.Expression, first: exp.Expression, key: exp.Expression) -> list[exp.Expression]:
    return [exp.alias_(e, name, quoted=True) for e, name in zip((file, row, col, code, shown, first, key), _FOUND)]


def locate(store: Store, staged: Staged, plans: list[Plan], duplicates: bool) -> tuple[list[DataError], int]:
    """The first offending cells, columns and repeated keys, in source order, and how many there are in all.

    One scan: each row is paired with the numbers of the checked columns, and a CASE
    evaluates the one check of that column. A column whose type the contract's refuses is one
    error, at its first value, with the number of its values (`first`), not one per row.
    """
    file = staged.file if staged.file is not None else _NO_TEXT
    key = _key(plans)
    # a table's row is named by its key, where the key is there, can be shown and is not itself in error
    named = (exp.Case(ifs=[exp.If(this=key.check, true=_NO_TEXT.copy())], default=key.shown)
             if key.check is not None else key.shown) if staged.keyed and key is not None else _NO_TEXT
    parts = []
    checked = [p for p in plans if p.cell_check is not None]
    if checked:
        columns = exp.values([(p.position,) for p in checked], alias="c", columns=["position"])
        position = exp.column("position", table="c")

        def by_column(pick) -> exp.Expression:
            return exp.Case(this=position.copy(), ifs=[exp.If(this=exp.convert(p.position), true=pick(p))
                                                       for p in checked])

        cells = (exp.select(*_found(file.copy(), staged.row, position.copy(), by_column(lambda p: p.cell_check),
                                    by_column(lambda p: p.shown), exp.cast(exp.null(), "BIGINT"), named.copy()))
                 .from_(staged.relation.copy()).join(columns, join_type="cross"))
        parts.append(exp.select(exp.Star()).from_(cells.subquery("cells"))
                     .where(exp.column("code", quoted=True).is_(exp.null()).not_()))
    for p in plans:
        if p.whole is not None:
            ref = _ref(p.column.name)
            whole = (exp.select(*_found(file.copy(), exp.Min(this=staged.row), exp.convert(p.position),
                                        exp.Literal.string("whole"), _NO_TEXT.copy(), exp.Count(this=exp.Star()),
                                        _NO_TEXT.copy()))
                     .from_(staged.relation.copy()).where(ref.is_(exp.null()).not_())
                     .having(exp.GT(this=exp.Count(this=exp.Star()), expression=exp.convert(0))))
            parts.append(whole.group_by(file.copy()) if staged.file is not None else whole)
    if duplicates and key is not None:
        repeated = _repeated(staged.relation, key, staged.row).subquery("g")
        parts.append(exp.select(*_found(file.copy(), staged.row, exp.convert(0), exp.Literal.string("duplicate"),
                                        key.shown, exp.column("first", table="g"), _NO_TEXT.copy()))
                     .from_(staged.relation.copy())
                     .join(repeated, on=key.matches("g", "repeated"))
                     .where(exp.GT(this=staged.row, expression=exp.column("first", table="g"))))
    if not parts:
        return [], 0
    union = parts[0]
    for part in parts[1:]:
        union = exp.union(union, part, distinct=False)
    total = exp.alias_(exp.Window(this=exp.Count(this=exp.Star())), "total", quoted=True)
    order = [exp.func("coalesce", exp.column("file", quoted=True), exp.Literal.string("")),
             exp.column("row", quoted=True), exp.column("col", quoted=True)]
    query = (exp.select(*[exp.column(n, quoted=True) for n in _FOUND], total).from_(union.subquery("found"))
             .order_by(*order).limit(MAX_ERRORS_PER_SOURCE))
    first = [dict(zip((*_FOUND, "total"), row)) for row in store.rows(render(query, store.dialect))]
    by_position = {p.position: p for p in plans}
    records = _record_lines(staged.source, {e["row"] for e in first}
                            | {e["first"] for e in first if e["first"] and e["code"] == "duplicate"})
    return ([_error(staged, by_position[e["col"]], e, records, key) for e in first],
            first[0]["total"] if first else 0)


def _record_lines(source: Source, rows: set[int]) -> dict[int, int]:
    """The file line of each of these rows of a JSON Lines file, blank lines counted (read only now,
    as there are errors to place); in other files a row is the n-th record."""
    return record_lines(source.paths[0], rows) if source.format == "jsonl" else {}


def _line(source: Source, records: dict[int, int], row: int, column: str) -> int | None:
    """The line of the file a cell is on: for an example row, the line its value is written on in the
    rule file; for a JSON Lines record, its line."""
    if row <= len(source.value_lines):
        values = source.value_lines[row - 1]
        return values.get(column, min(values.values(), default=None))
    return records.get(row)


def _error(staged: Staged, plan: Plan, found: dict, records: dict[int, int], key: Key | None) -> DataError:
    """Word one offending cell (or column), at its line of the file where one is known, a table's row by its
    key; `found['shown']` is None for personal columns."""
    label = found["file"] or staged.source.named
    row, column = found["row"], plan.column.name
    shown = staged.source.column_named(column)  # a mapped source's own name of the column, and the contract's
    line = _line(staged.source, records, row, column)
    if found["code"] == "whole":  # at its first value's line where one is known (an example's), at no row
        code, message = plan.messages[plan.whole]
        count = found["first"]
        return DataError(label, code, f"{message} (the column's type: all {count} value{'s' if count != 1 else ''})",
                         None, shown, staged.source.context, line)
    named = key.named(found["key"], _quote, staged.source.column) if found["key"] is not None else None
    if found["code"] == "duplicate":
        quoted = "" if found["shown"] is None else f" {key.named(found['shown'], _quote, staged.source.column)}" \
            if key.composite else f" {_quote(found['shown'])}"
        seen = _line(staged.source, records, found["first"], column)
        first = f"line {seen}" if seen is not None else f"row {found['first']}"
        return DataError(label, "E708", f"duplicate key{quoted} (first seen on {first})", row,
                         None if key.composite else shown, staged.source.context, line)  # the message names each
    code, message = plan.messages[found["code"]]
    if found["shown"] is not None and found["code"] not in ("required", "type", "gap"):
        message += f", got {value_shape(found['shown'])}{_unreal(plan.column, found['code'], found['shown'])}"
    return DataError(label, code, message, row, shown, staged.source.context, line, named)


def _quote(value: str, marks: bool = True) -> str:
    """A key for a message (a repeated one), cut to a readable length: keys are what reports show;
    in quotes, but for a part of a composite key (`user_id=U1`)."""
    cut = f"{value[:_SHOWN_CHARS]}…" if len(value) > _SHOWN_CHARS else value
    return f"'{cut}'" if marks else cut


def value_shape(value: str) -> str:
    """What a message quotes of a value that breaks its column's type: its shape, never the value.

    A name typed into a date cell (`registered_at = 'Jansen'`) would otherwise be quoted in the
    error, which goes to a terminal, a CI log or a ticket. A capital letter is `A`, any other
    letter `a`, a digit `9`; every other character stays (`'Jansen'` → `'Aaaaaa'`,
    `'2024-02-30'` → `'9999-99-99'`, `'5-1-2024'` → `'9-9-9999'`), so the shape still shows what
    is wrong with how the value is written; a long value is cut (`…`). Every engine fetches the
    first offending cells' text (`Plan.shown`) and shapes it here, after the fetch.
    """
    shaped = "".join("9" if ch.isdigit() else "A" if ch.isupper() else "a" if ch.isalpha() else ch
                     for ch in value[:_SHOWN_CHARS])
    return f"'{shaped}…'" if len(value) > _SHOWN_CHARS else f"'{shaped}'"


def _unreal(column: Column, code: str, value: str) -> str:
    """What the shape cannot say: a date or timestamp written in digits as it should be, that is no
    real one (30 February, month 13, hour 24)."""
    if code != "parse" or column.type not in _DIGITS_WRITTEN or not _DIGITS_WRITTEN[column.type].fullmatch(value):
        return ""
    return " (no such day)" if column.type == "date" else " (no such day or time)"



def errors_of(store: Store, staged: Staged, s: Shape, summary: Summary) -> list[DataError]:
    """Every problem of one source, capped; nothing for a clean one."""
    plans = list(s.plans)
    key = _key(plans)
    duplicates = key is not None and summary.unsorted > 0 and repeated_keys(store, staged, key) > 0
    if not summary.errors and not duplicates:
        return []
    found, total = locate(store, staged, plans, duplicates)
    return capped(staged.source.named, found, total)


