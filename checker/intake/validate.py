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
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import duckdb
from sqlglot import exp

from ...datasets import Column, Dataset
from ..duckdb_sql import render, struct
from .errors import MAX_ERRORS_PER_SOURCE, DataError, capped
from .staging import Staged

SQL_TYPES = {"string": "VARCHAR", "date": "DATE", "timestamp": "TIMESTAMP", "bool": "BOOLEAN",
              "list<string>": "VARCHAR[]"}
_DATE = r"\d{4}-\d{2}-\d{2}"
# The written form of each parsed type. A space instead of the `T` is accepted:
# spreadsheet tools and SQL dumps write it so, and it means the same local time.
_PATTERNS = {"date": _DATE, "timestamp": _DATE + r"[T ]([01]\d|2[0-3]):[0-5]\d:[0-5]\d"}
_WORDS = {"string": "text", "date": "a date", "timestamp": "a timestamp", "bool": "true or false",
          "list<string>": "a list of texts"}
_KIND_WORDS = {"integer": "a number", "number": "a number", "bool": "true or false", "date": "a date",
               "timestamp": "a timestamp", "timestamptz": "a timestamp with a time zone", "text": "text",
               "text_list": "a list of texts", "json": "a JSON value", "other": "a value of another kind"}
_SHOWN_CHARS = 40
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


def _ref(name: str) -> exp.Column:
    return exp.column(name, quoted=True)


def _text(ref: exp.Expression, kind: str) -> exp.Expression:
    """A staged value as text: a JSON string unquoted, a JSON number as its digits."""
    if kind == "json":
        return exp.paren(exp.JSONExtractScalar(this=ref, expression=exp.Literal.string("$")))
    return ref if kind == "text" else exp.cast(ref, "VARCHAR")


def _json_type(ref: exp.Expression) -> exp.Expression:
    return exp.JSONType(this=ref)


def plan(position: int, column: Column, staged_type: str | None) -> Plan:
    """Decide how to check and type one column, given the type its source gave it (None: left out).

    CASE, not AND, orders the tests: SQL does not promise to short-circuit AND, and every
    test after the first may assume a non-null value of the right kind.
    """
    target = SQL_TYPES[column.type]
    if staged_type is None:  # an example row leaves the column out: null
        return Plan(position, column, exp.cast(exp.null(), target), None, exp.cast(exp.null(), "VARCHAR"), None, {})
    kind = kind_of(staged_type)
    ref = _ref(column.name)
    text = _text(ref, kind)
    whens: list[tuple[exp.Expression, str]] = []
    messages = {"required": ("E705", "empty value in a required column"),
                "parse": ("E706", f"expected {_expected(column.type)}"),
                "type": ("E706", f"expected {_WORDS[column.type]}, got {_KIND_WORDS.get(kind, 'a value')}"),
                "shape": ("E706", "expected a list of texts (a JSON array of strings)" if column.type == "list<string>"
                          else "expected a single value (not a JSON array or object)"),
                "number": ("E707", _number_words(column))}
    restored = None
    if kind == "null":
        value = exp.cast(exp.null(), target)
    elif column.type == "string":
        value, restored = _string(column, kind, ref, whens)
    elif column.type == "list<string>":
        value = _list(kind, ref, text, whens)
    else:
        value = _scalar(column, kind, ref, text, whens, messages)
    if not column.nullable:
        whens.insert(0, (ref.is_(exp.null()), "required"))
    if column.nullable and whens:
        whens.insert(0, (ref.is_(exp.null()), None))
    check = exp.Case(ifs=[exp.If(this=w, true=exp.convert(code)) for w, code in whens]) if whens else None
    shown = exp.cast(exp.null(), "VARCHAR") if column.personal else exp.Left(this=text, expression=exp.convert(_SHOWN_CHARS + 1))
    return Plan(position, column, value, check, shown, restored, messages)


def _expected(column_type: str) -> str:
    return {"date": "a date YYYY-MM-DD", "timestamp": "a timestamp YYYY-MM-DDTHH:MM:SS",
            "bool": "true or false"}.get(column_type, _WORDS[column_type])


def _number_words(column: Column) -> str:
    if column.zero_pad:
        return (f"a number that is not a whole number of at most {column.zero_pad} digits, where the contract says "
                "text: export the column as text")
    return "a number where the contract says text: export the column as text"


def _restorable(number: exp.Expression, digits: int) -> exp.Expression:
    """A whole number of at most `digits` digits (12345672, also 12345672.0)."""
    whole = exp.EQ(this=number, expression=exp.func("trunc", number.copy()))
    in_range = exp.and_(exp.GTE(this=number.copy(), expression=exp.convert(0)),
                        exp.LT(this=number.copy(), expression=exp.convert(10 ** digits)))
    return exp.and_(whole, in_range)


def _padded(number: exp.Expression, digits: int) -> exp.Expression:
    integral = exp.cast(exp.cast(number, "BIGINT"), "VARCHAR")
    return exp.func("lpad", integral, exp.convert(digits), exp.Literal.string("0"))


def _string(column: Column, kind: str, ref: exp.Expression, whens: list) -> tuple[exp.Expression, exp.Expression | None]:
    """Text stays text; a number is restored (an `x-zero-pad` identifier) or refused; anything else is refused."""
    if kind == "text":
        return ref, None
    if kind == "json":
        number = exp.cast(ref, "DOUBLE")
        is_number = _json_type(ref).isin(*_JSON_NUMBERS)
        whens.append((_json_type(ref).isin("ARRAY", "OBJECT"), "shape"))
        if column.zero_pad:
            whens.append((exp.and_(is_number, exp.not_(_restorable(number, column.zero_pad))), "number"))
        else:
            whens.append((is_number, "number"))
        whens.append((_json_type(ref).neq("VARCHAR") if column.zero_pad is None else
                      exp.not_(_json_type(ref).isin("VARCHAR", *_JSON_NUMBERS)), "type"))
        plain = _text(ref, kind)
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


def _list(kind: str, ref: exp.Expression, text: exp.Expression, whens: list) -> exp.Expression:
    if kind == "text":
        return exp.func("string_split", text, exp.Literal.string(";"))
    if kind == "text_list":
        return exp.cast(ref, "VARCHAR[]")
    if kind == "json":
        elements = exp.cast(ref, "JSON[]")
        strings = exp.func("list_bool_and", exp.func("list_transform", elements, exp.Lambda(
            this=exp.JSONType(this=exp.column("x")).eq("VARCHAR"), expressions=[exp.to_identifier("x")])))
        whens.append((_json_type(ref).neq("ARRAY"), "shape"))
        whens.append((exp.not_(exp.func("coalesce", strings, exp.true())), "shape"))
        return exp.cast(ref, "VARCHAR[]")
    whens.append((exp.true(), "shape"))
    return exp.cast(exp.null(), "VARCHAR[]")


def _scalar(column: Column, kind: str, ref: exp.Expression, text: exp.Expression, whens: list,
            messages: dict) -> exp.Expression:
    """A date, timestamp or bool: parsed from text, taken as it is, or refused with the kind found."""
    target = SQL_TYPES[column.type]
    if kind == "json":
        whens.append((_json_type(ref).isin("ARRAY", "OBJECT"), "shape"))
        # A JSON number or boolean where a date is expected is a value not written as one.
        if column.type == "bool":
            words = _parse_bool(text)
            whens.append((exp.not_(words[0]), "parse"))  # a JSON true/false reads as its word
            return words[1]
        whens.append((_json_type(ref).neq("VARCHAR"), "parse"))
        valid, value = _parse(column.type, text)
        whens.append((exp.not_(valid), "parse"))
        return value
    if kind == "text":
        valid, value = (_parse_bool(text) if column.type == "bool" else _parse(column.type, text))
        whens.append((exp.not_(valid), "parse"))
        return value
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
    return exp.cast(ref, target)


def _parse(column_type: str, text: exp.Expression) -> tuple[exp.Expression, exp.Expression]:
    """SQL that tells whether `text` is a valid date or timestamp, and SQL that types it."""
    sql_type = SQL_TYPES[column_type]
    # Written exactly as the pattern, and a real value (no 30 February).
    written = exp.RegexpFullMatch(this=text, expression=exp.Literal.string(_PATTERNS[column_type]))
    real = exp.TryCast(this=text.copy(), to=exp.DataType.build(sql_type)).is_(exp.null()).not_()
    return exp.and_(written, real), exp.TryCast(this=text.copy(), to=exp.DataType.build(sql_type))


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


@cache
def shape(dataset: Dataset, columns: tuple[tuple[str, str], ...], partial: bool, relation: str) -> Shape:
    staged = dict(columns)
    plans, missing = [], []
    for position, column in enumerate(dataset.columns):
        if column.name in staged or partial:
            plans.append(plan(position, column, staged.get(column.name)))
        else:
            missing.append(column.name)  # reported; the columns there are still checked
    source = exp.to_table(relation, quoted=True)
    typed = exp.select(*[exp.alias_(p.value, p.column.name, quoted=True) for p in plans]).from_(source.copy())
    return Shape(tuple(plans), tuple(missing), render(_summary(dataset.name, plans, source)), render(typed))


def _summary(tag: str, plans: list[Plan], source: exp.Expression) -> exp.Select:
    checks = [p.check for p in plans if p.check is not None]
    restores = [p for p in plans if p.restored is not None]
    key = next((p for p in plans if p.position == 0), None)
    inner = [exp.alias_(c, f"c{j}") for j, c in enumerate(checks)]
    inner += [exp.alias_(p.restored, f"r{j}") for j, p in enumerate(restores)]
    counted = [exp.func("count_if", exp.column(f"c{j}").is_(exp.null()).not_()) for j in range(len(checks))]
    restored = [exp.func("count_if", exp.column(f"r{j}")) for j in range(len(restores))]
    unsorted: exp.Expression = exp.convert(0)
    if key is not None:
        inner.append(exp.alias_(key.value, "k"))
        inner.append(exp.alias_(exp.Window(this=exp.func("lag", key.value.copy())), "p"))
        unsorted = exp.func("count_if", exp.LTE(this=exp.column("k"), expression=exp.column("p")))
    scan = exp.select(*(inner or [exp.alias_(exp.convert(1), "one")])).from_(source)
    return exp.select(
        exp.alias_(exp.Literal.string(tag), "source"), exp.alias_(exp.Count(this=exp.Star()), "rows"),
        exp.alias_(_sum(counted), "errors"), exp.alias_(unsorted, "unsorted"),
        exp.alias_(exp.cast(exp.Array(expressions=restored), "BIGINT[]"), "restored"),
    ).from_(scan.subquery("s"))


def shape_of(dataset: Dataset, staged: Staged) -> Shape:
    return shape(dataset, tuple(staged.columns.items()), staged.source.partial, staged.relation.name)


def summarise(con: duckdb.DuckDBPyConnection, shapes: list[tuple[Staged, Shape]]) -> list[Summary]:
    """One query, one scan of each source: rows, cells in error, keys out of order, numbers restored."""
    if not shapes:
        return []
    query = " UNION ALL ".join(s.summary for _, s in shapes)  # each part rendered by sqlglot
    found = {row[0]: row[1:] for row in con.execute(query).fetchall()}
    out = []
    for staged, s in shapes:
        rows, errors, unsorted, restored = found[staged.source.dataset]
        names = [p.column.name for p in s.plans if p.restored is not None]
        out.append(Summary(rows, errors or 0, unsorted or 0, {n: c for n, c in zip(names, restored or ()) if c}))
    return out


def _sum(counts: list[exp.Expression]) -> exp.Expression:
    total: exp.Expression = exp.convert(0)
    for count in counts:
        total = exp.Add(this=total, expression=count)
    return total


def repeated_keys(con: duckdb.DuckDBPyConnection, staged: Staged, key: Plan) -> int:
    """Rows whose key an earlier row already has (a hash aggregate: only run when keys are out of order)."""
    groups = (exp.select(exp.alias_(exp.Count(this=exp.Star()), "n")).from_(staged.relation.copy())
              .group_by(key.value.copy()).having(exp.GT(this=exp.Count(this=exp.Star()), expression=exp.convert(1))))
    [(total,)] = con.execute(f"SELECT coalesce(sum(n - 1), 0) FROM ({render(groups)})").fetchall()
    return int(total)


def locate(con: duckdb.DuckDBPyConnection, staged: Staged, plans: list[Plan], duplicates: bool) -> tuple[list[DataError], int]:
    """The first offending cells and repeated keys, in source order, and how many there are in all."""
    relation = render(staged.relation)
    row, file = render(staged.row), render(staged.file) if staged.file is not None else "NULL::VARCHAR"
    parts = []
    checked = [p for p in plans if p.check is not None]
    if checked:
        cells = exp.Array(expressions=[struct({"col": exp.convert(p.position), "code": p.check, "shown": p.shown,
                                               "first": exp.cast(exp.null(), "BIGINT")}) for p in checked])
        found = f"list_filter({render(cells)}, lambda e: e.code IS NOT NULL)"
        parts.append(f"SELECT {file} AS file, {row} AS row, unnest({found}, recursive := true) FROM {relation}")
    key = next((p for p in plans if p.position == 0), None)
    if duplicates and key is not None:
        value = render(key.value)
        parts.append(
            f"""SELECT {file} AS file, {row} AS row, 0 AS col, 'duplicate' AS code, {render(key.shown)} AS shown,
                       first FROM {relation}
                JOIN (SELECT {value} AS repeated, min({row}) AS first FROM {relation}
                      GROUP BY ALL HAVING count(*) > 1) ON {value} = repeated
                WHERE {row} > first""")
    if not parts:
        return [], 0
    [(total, first)] = con.execute(
        f"""SELECT count(*), arg_min({{'file': file, 'row': row, 'col': col, 'code': code, 'shown': shown,
                                        'first': first}}, {{'f': coalesce(file, ''), 'r': row, 'c': col}},
                                        {MAX_ERRORS_PER_SOURCE})
            FROM ({' UNION ALL '.join(parts)})""").fetchall()
    by_position = {p.position: p for p in plans}
    return [_error(staged, by_position[e["col"]], e) for e in first or []], total


def _error(staged: Staged, plan: Plan, found: dict) -> DataError:
    """Word one offending cell; `found['shown']` is None for personal columns."""
    label = found["file"] or staged.source.label
    row = found["row"]
    line = staged.source.row_lines[row - 1] if staged.source.row_lines and row <= len(staged.source.row_lines) else None
    if found["code"] == "duplicate":
        quoted = f" {_quote(found['shown'])}" if found["shown"] is not None else ""
        return DataError(label, "E708", f"duplicate key{quoted} (first seen on row {found['first']})", row,
                         plan.column.name, staged.source.context, line)
    code, message = plan.messages[found["code"]]
    if found["shown"] is not None and found["code"] not in ("required", "type"):
        message += f", got {_quote(found['shown'])}"
    return DataError(label, code, message, row, plan.column.name, staged.source.context, line)


def _quote(value: str) -> str:
    """A non-personal value for a message, cut to a readable length."""
    return f"'{value[:_SHOWN_CHARS]}…'" if len(value) > _SHOWN_CHARS else f"'{value}'"


def errors_of(con: duckdb.DuckDBPyConnection, staged: Staged, s: Shape, summary: Summary) -> list[DataError]:
    """Every problem of one source, capped; nothing for a clean one."""
    plans = list(s.plans)
    key = next((p for p in plans if p.position == 0), None)
    duplicates = key is not None and summary.unsorted > 0 and repeated_keys(con, staged, key) > 0
    if not summary.errors and not duplicates:
        return []
    found, total = locate(con, staged, plans, duplicates)
    return capped(staged.source.label, found, total)


