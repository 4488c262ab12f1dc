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

from reglement.checker.readers import (
    FORMATS,
    MAX_ERRORS_PER_FILE,
    DataError,
    Unreadable,
    drop_stage,
    ident,
    literal,
    stage,
)
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
# A space instead of the `T` is accepted: spreadsheet tools and SQL dumps write it so,
# and it means the same local time.
_TIMESTAMP = _DATE + r"[T ]([01]\d|2[0-3]):[0-5]\d:[0-5]\d"
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
    value: str  # the typed value, valid once `check` found nothing
    check: str | None  # a CASE giving an error code, None when any value passes
    shown: str  # the text an error message may quote; NULL for personal columns


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
        select = [f"{plan.value} AS {ident(plan.column.name)}" for plan in plans]
        select += [f"{_text(ident(extra), staged[extra])} AS {ident(extra)}" for extra in extras]
        table = ident(dataset.name)
        con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT {', '.join(select)} FROM {ident(view)}")
    finally:
        drop_stage(con, view)
    [(rows,)] = con.execute(f"SELECT count(*) FROM {ident(dataset.name)}").fetchall()
    return LoadedDataset(dataset.name, path, fmt, rows, _sha256(path), extras)


def _extras(dataset: Dataset, staged: dict[str, str]) -> tuple[str, ...]:
    """The file's columns beyond the contract, where the dataset keeps them."""
    if dataset.name not in KEEPS_EXTRA_COLUMNS:
        return ()
    return tuple(column for column in staged if column not in dataset.column_names)


def _text(ref: str, staged: str) -> str:
    """SQL for a staged value as text: a JSON string unquoted, a JSON number as its digits."""
    if staged == "JSON":
        return f"({ref} ->> '$')"
    return ref if staged == "VARCHAR" else f"CAST({ref} AS VARCHAR)"


def _plan(position: int, column: Column, staged: str) -> _Plan:
    """Decide how to check and type one column, given the type its file gave it.

    CASE, not AND, orders the tests: SQL does not promise to short-circuit AND, and
    every test after the first may assume a non-null value of the right JSON shape.
    """
    ref = ident(column.name)
    text = _text(ref, staged)
    whens = [f"WHEN {ref} IS NULL THEN {'NULL' if column.nullable else literal('required')}"]
    if column.type == "list<string>":
        if staged == "JSON":
            whens.append(f"WHEN json_type({ref}) <> 'ARRAY' THEN 'shape'")
        listed = staged == "JSON" or staged.endswith("[]")
        value = f"CAST({ref} AS VARCHAR[])" if listed else f"string_split({text}, ';')"
    elif staged in _NATIVE[column.type]:
        value = f"CAST({ref} AS {_SQL_TYPES[column.type]})"
    else:
        if staged == "JSON":
            whens.append(f"WHEN json_type({ref}) IN ('ARRAY', 'OBJECT') THEN 'shape'")
        valid, value = _parse(column.type, text)
        if valid:
            whens.append(f"WHEN NOT ({valid}) THEN 'parse'")
    check = f"CASE {' '.join(whens)} END" if len(whens) > 1 or not column.nullable else None
    shown = "NULL::VARCHAR" if column.personal else f"left({text}, {_SHOWN_CHARS + 1})"
    return _Plan(position, column, value, check, shown)


def _parse(column_type: str, text: str) -> tuple[str | None, str]:
    """SQL that tells whether `text` is a valid value of the type, and SQL that types it."""
    if column_type == "date":
        return _matches(text, _DATE, "DATE"), f"CAST({text} AS DATE)"
    if column_type == "timestamp":
        return _matches(text, _TIMESTAMP, "TIMESTAMP"), f"CAST({text} AS TIMESTAMP)"
    if column_type == "bool":
        return f"lower({text}) IN ('true', 'false')", f"lower({text}) = 'true'"
    return None, text


def _matches(text: str, pattern: str, sql_type: str) -> str:
    """SQL: `text` is written exactly as `pattern` and is a real value (no 30 February)."""
    return f"regexp_full_match({text}, {literal(pattern)}) AND TRY_CAST({text} AS {sql_type}) IS NOT NULL"


def _row_errors(
    con: duckdb.DuckDBPyConnection, view: str, plans: list[_Plan], path: Path
) -> tuple[list[DataError], int]:
    """The first offending cells and repeated keys in file order, and how many there are."""
    source = ident(view)
    parts = []
    checks = ", ".join(
        f"{{'col': {plan.position}, 'code': {plan.check}, 'shown': {plan.shown}, 'first': NULL::BIGINT}}"
        for plan in plans
        if plan.check
    )
    if checks:
        found = f"list_filter([{checks}], lambda e: e.code IS NOT NULL)"
        parts.append(f"SELECT __row AS row, unnest({found}, recursive := true) FROM {source}")
    key = next((plan for plan in plans if plan.position == 0), None)
    if key:
        # `key.value` is the key as text: the key is a string column in every dataset.
        # Aggregate-then-join beats a window partitioned by key on big files.
        parts.append(
            f"""SELECT __row AS row, 0 AS col, 'duplicate' AS code, {key.shown} AS shown, first
                FROM {source} JOIN (SELECT {key.value} AS repeated, min(__row) AS first FROM {source}
                                    GROUP BY ALL HAVING count(*) > 1) ON {key.value} = repeated
                WHERE __row > first"""
        )
    if not parts:
        return [], 0
    [(total, first)] = con.execute(
        f"""SELECT count(*), arg_min({{'row': row, 'col': col, 'code': code, 'shown': shown, 'first': first}},
                                      [row, col], {MAX_ERRORS_PER_FILE})
            FROM ({' UNION ALL '.join(parts)})"""
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
