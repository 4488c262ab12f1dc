"""Load an export folder into DuckDB, validated against the data contract.

Rules may assume what the contract promises (types, required values, unique keys), so
every file is checked before any rule runs and all problems are reported at once.
Validation is set-based: per file, one query finds the first offending cells and
repeated keys and counts them all, whatever the size of the file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
from sqlglot import exp

from reglement.checker.duckdb_sql import identifier, render, struct
from reglement.checker.readers import FORMATS, MAX_ERRORS_PER_FILE, DataError, Unreadable, drop_stage, stage
from reglement.datasets import Column, Dataset, contract

__all__ = ["DataContractError", "DataError", "Export", "LoadedDataset", "load_export"]

# Rule 1.1 reports what `clients` holds beyond the contract; elsewhere extras are noise.
KEEPS_EXTRA_COLUMNS = frozenset({"clients"})

_SQL_TYPES = {
    "string": "VARCHAR",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "bool": "BOOLEAN",
    "list<string>": "VARCHAR[]",
}
_SCALARS = ("string", "date", "timestamp", "bool")
# Staged types (Parquet) that already are the contract type and need no parsing.
_NATIVE = {
    "string": {"VARCHAR"},
    "date": {"DATE"},
    "timestamp": {"TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS"},
    "bool": {"BOOLEAN"},
}
_DATE = r"\d{4}-\d{2}-\d{2}"
# The written form of each parsed type, bound as the parameter `$date` or `$timestamp`.
# A space instead of the `T` is accepted: spreadsheet tools and SQL dumps write it so,
# and it means the same local time.
_PATTERNS = {"date": _DATE, "timestamp": _DATE + r"[T ]([01]\d|2[0-3]):[0-5]\d:[0-5]\d"}
_EXPECTED = {
    ("parse", "date"): "expected a date YYYY-MM-DD",
    ("parse", "timestamp"): "expected a timestamp YYYY-MM-DDTHH:MM:SS",
    ("parse", "bool"): "expected true or false",
    ("shape", "list<string>"): "expected a JSON array of strings",
} | {("shape", scalar): "expected a single value (not a JSON array or object)" for scalar in _SCALARS}
_SHOWN_CHARS = 40


class DataContractError(Exception):
    """The export breaks the data contract; `errors` lists every problem found."""

    def __init__(self, errors: list[DataError]) -> None:
        super().__init__("\n".join(map(str, errors)))
        self.errors = errors


@dataclass(frozen=True)
class LoadedDataset:
    """One file that passed validation and is now the table `name`."""

    name: str
    path: Path
    format: str
    rows: int
    sha256: str
    extra_columns: tuple[str, ...]


@dataclass(frozen=True)
class Export:
    """What `load_export` found: the loaded datasets, and why the others are absent."""

    datasets: dict[str, LoadedDataset]
    missing: dict[str, str]


@dataclass(frozen=True)
class _Plan:
    """How one staged column is checked and typed, as SQL over the stage view."""

    position: int  # in the contract, to order errors within a row
    column: Column
    value: exp.Expression  # the typed value, valid once `check` found nothing
    check: exp.Expression | None  # a CASE giving an error code, None when any value passes
    shown: exp.Expression  # the text an error message may quote; NULL for personal columns


def load_export(con: duckdb.DuckDBPyConnection, data_dir: Path, names: Iterable[str]) -> Export:
    """Load the named datasets of an export folder into `con` as tables named after the dataset.

    A dataset without a file lands in `Export.missing`: only the rules that need it
    fail. Any contract breach raises DataContractError after every file was checked.
    Sets `preserve_insertion_order` (DuckDB's default), which row numbers rely on.
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise DataContractError([DataError(str(data_dir), None, None, "export folder not found")])
    con.execute("SET preserve_insertion_order = true")
    datasets = contract()
    loaded: dict[str, LoadedDataset] = {}
    missing: dict[str, str] = {}
    errors: list[DataError] = []
    for name in dict.fromkeys(names):
        if name not in datasets:
            raise ValueError(f"unknown dataset {name!r}")
        found = [path for path in (data_dir / f"{name}.{fmt}" for fmt in FORMATS) if path.is_file()]
        if not found:
            missing[name] = f"no {name}.csv, .jsonl, .json, .parquet or .xlsx in {data_dir}"
        elif len(found) > 1:
            files = ", ".join(path.name for path in found)
            message = f"two files for dataset '{name}' ({files}); keep one"
            errors.append(DataError(str(data_dir), None, None, message))
        else:
            try:
                loaded[name] = _load(con, datasets[name], found[0])
            except DataContractError as exc:
                errors.extend(exc.errors)
    if errors:
        raise DataContractError(errors)
    return Export(loaded, missing)


def _load(con: duckdb.DuckDBPyConnection, dataset: Dataset, path: Path) -> LoadedDataset:
    """Stage, validate and type one file into the table `dataset.name`."""
    fmt = path.suffix[1:]
    view = f"__reglement_stage_{dataset.name}"
    try:
        try:
            staged = stage(con, path, fmt, dataset, view)
        except Unreadable as exc:
            raise DataContractError(_capped(path, exc.errors, exc.total)) from None
        absent = [
            DataError(str(path), None, None, f"missing column '{column.name}'")
            for column in dataset.columns
            if column.name not in staged
        ]
        plans = [
            _plan(position, column, staged[column.name])
            for position, column in enumerate(dataset.columns)
            if column.name in staged
        ]
        found, total = _row_errors(con, view, plans, path)
        if absent or found:
            raise DataContractError(_capped(path, absent + found, len(absent) + total))
        extras = _extras(dataset, staged)
        select = [exp.alias_(plan.value, plan.column.name, quoted=True) for plan in plans]
        select += [exp.alias_(_text(_ref(extra), staged[extra]), extra, quoted=True) for extra in extras]
        typed = exp.select(*select).from_(exp.table_(view, quoted=True))
        con.execute(f"CREATE OR REPLACE TABLE {identifier(dataset.name)} AS {render(typed)}")
    finally:
        drop_stage(con, view)
    [(rows,)] = con.execute(f"SELECT count(*) FROM {identifier(dataset.name)}").fetchall()
    return LoadedDataset(dataset.name, path, fmt, rows, _sha256(path), extras)


def _extras(dataset: Dataset, staged: dict[str, str]) -> tuple[str, ...]:
    """The file's columns beyond the contract, where the dataset keeps them."""
    if dataset.name not in KEEPS_EXTRA_COLUMNS:
        return ()
    return tuple(column for column in staged if column not in dataset.column_names)


def _ref(name: str) -> exp.Column:
    """A column of the stage view."""
    return exp.column(name, quoted=True)


def _text(ref: exp.Column, staged: str) -> exp.Expression:
    """A staged value as text: a JSON string unquoted, a JSON number as its digits."""
    if staged == "JSON":
        return exp.paren(exp.JSONExtractScalar(this=ref, expression=exp.Literal.string("$")))
    return ref if staged == "VARCHAR" else exp.cast(ref, "VARCHAR")


def _plan(position: int, column: Column, staged: str) -> _Plan:
    """Decide how to check and type one column, given the type its file gave it.

    CASE, not AND, orders the tests: SQL does not promise to short-circuit AND, and
    every test after the first may assume a non-null value of the right JSON shape.
    """
    ref = _ref(column.name)
    text = _text(ref, staged)
    whens: list[tuple[exp.Expression, str | None]] = [(ref.is_(exp.null()), None if column.nullable else "required")]
    if column.type == "list<string>":
        if staged == "JSON":
            whens.append((exp.JSONType(this=ref).neq("ARRAY"), "shape"))
        listed = staged == "JSON" or staged.endswith("[]")
        value = exp.cast(ref, "VARCHAR[]") if listed else exp.func("string_split", text, exp.Literal.string(";"))
    elif staged in _NATIVE[column.type]:
        value = exp.cast(ref, _SQL_TYPES[column.type])
    else:
        if staged == "JSON":
            whens.append((exp.JSONType(this=ref).isin("ARRAY", "OBJECT"), "shape"))
        valid, value = _parse(column.type, text)
        if valid:
            whens.append((exp.not_(valid), "parse"))
    check = None
    if len(whens) > 1 or not column.nullable:
        check = exp.Case(ifs=[exp.If(this=when, true=exp.convert(code)) for when, code in whens])
    if column.personal:
        shown = exp.cast(exp.null(), "VARCHAR")
    else:
        shown = exp.Left(this=text, expression=exp.convert(_SHOWN_CHARS + 1))
    return _Plan(position, column, value, check, shown)


def _parse(column_type: str, text: exp.Expression) -> tuple[exp.Expression | None, exp.Expression]:
    """SQL that tells whether `text` is a valid value of the type, and SQL that types it."""
    if column_type in _PATTERNS:
        sql_type = _SQL_TYPES[column_type]
        # Written exactly as the pattern, and a real value (no 30 February).
        written = exp.RegexpFullMatch(this=text, expression=exp.Placeholder(this=column_type))
        real = exp.TryCast(this=text, to=exp.DataType.build(sql_type)).is_(exp.null()).not_()
        return exp.and_(written, real), exp.cast(text, sql_type)
    if column_type == "bool":
        lower = exp.Lower(this=text)
        return lower.isin("true", "false"), lower.eq("true")
    return None, text


def _row_errors(
    con: duckdb.DuckDBPyConnection, view: str, plans: list[_Plan], path: Path
) -> tuple[list[DataError], int]:
    """The first offending cells and repeated keys in file order, and how many there are."""
    source = identifier(view)
    parts = []
    parameters: dict[str, object] = {"cap": MAX_ERRORS_PER_FILE}
    checks = exp.Array(
        expressions=[
            struct(
                {
                    "col": exp.convert(plan.position),
                    "code": plan.check,
                    "shown": plan.shown,
                    "first": exp.cast(exp.null(), "BIGINT"),
                }
            )
            for plan in plans
            if plan.check
        ]
    )
    if checks.expressions:
        # DuckDB refuses a parameter the query does not use: bind only the patterns in it.
        parameters |= {pattern.name: _PATTERNS[pattern.name] for pattern in checks.find_all(exp.Placeholder)}
        found = f"list_filter({render(checks)}, lambda e: e.code IS NOT NULL)"
        parts.append(f"SELECT __row AS row, unnest({found}, recursive := true) FROM {source}")
    key = next((plan for plan in plans if plan.position == 0), None)
    if key:
        # `key.value` is the key as text: the key is a string column in every dataset.
        # Aggregate-then-join beats a window partitioned by key on big files.
        value = render(key.value)
        parts.append(
            f"""SELECT __row AS row, 0 AS col, 'duplicate' AS code, {render(key.shown)} AS shown, first
                FROM {source} JOIN (SELECT {value} AS repeated, min(__row) AS first FROM {source}
                                    GROUP BY ALL HAVING count(*) > 1) ON {value} = repeated
                WHERE __row > first"""
        )
    if not parts:
        return [], 0
    [(total, first)] = con.execute(
        f"""SELECT count(*), arg_min({{'row': row, 'col': col, 'code': code, 'shown': shown, 'first': first}},
                                      [row, col], $cap)
            FROM ({' UNION ALL '.join(parts)})""",
        parameters,
    ).fetchall()
    columns = {plan.position: plan.column for plan in plans}
    return [_error(path, columns[e["col"]], e) for e in first or []], total


def _error(path: Path, column: Column, found: dict) -> DataError:
    """Word one offending cell; `found['shown']` is None for personal columns."""
    if found["code"] == "required":
        message = "empty value in a required column"
    elif found["code"] == "duplicate":
        quoted = f" {_quote(found['shown'])}" if found["shown"] is not None else ""
        message = f"duplicate key{quoted} (first seen on row {found['first']})"
    else:
        message = _EXPECTED[found["code"], column.type]
        if found["shown"] is not None:
            message += f", got {_quote(found['shown'])}"
    return DataError(str(path), found["row"], column.name, message)


def _quote(value: str) -> str:
    """A non-personal value for a message, cut to a readable length."""
    return f"'{value[:_SHOWN_CHARS]}…'" if len(value) > _SHOWN_CHARS else f"'{value}'"


def _capped(path: Path, errors: list[DataError], total: int) -> list[DataError]:
    """At most MAX_ERRORS_PER_FILE errors of one file, then a line saying how many more."""
    shown = errors[:MAX_ERRORS_PER_FILE]
    if total > len(shown):
        shown.append(DataError(str(path), None, None, f"{total - len(shown)} more errors not shown"))
    return shown


def _sha256(path: Path) -> str:
    """Hash of the file bytes, read in chunks: exports run to gigabytes."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
