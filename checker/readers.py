"""Format readers: stage one export file in DuckDB, untyped, with its row numbers.

Every reader ends in a temp view with a BIGINT `__row` (the 1-based data row in file
order) followed by the file's own columns, as untyped as the format allows: VARCHAR
for CSV and XLSX, JSON for JSON and JSONL (so that a string can be told from an
array), whatever Parquet declares. Typing and validation then happen once, in
`loader.py`, for every format alike.

DuckDB's own read errors are never passed on: they may quote a line of the file, and
that line may hold a BSN. The messages here name positions only.
"""

from __future__ import annotations

import csv
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import duckdb
import openpyxl
import pyarrow as pa
from openpyxl.utils.exceptions import InvalidFileException
from sqlglot import exp

from reglement.checker.duckdb_sql import identifier, render, struct
from reglement.datasets import Dataset

FORMATS = ("csv", "jsonl", "json", "parquet", "xlsx")
MAX_ERRORS_PER_FILE = 20

# The dialect is fixed: left to itself, DuckDB's sniffer may take a leading `#` for a
# comment or the first lines for a preamble to skip, and silently lose rows.
_READ_CSV = """
    SELECT * FROM read_csv($path, all_varchar = true, header = true, delim = ',', quote = '"', escape = '"',
                           comment = '', skip = 0, strict_mode = true, null_padding = false, encoding = 'utf-8',
                           store_rejects = true, rejects_table = $rejects, rejects_scan = $scans)"""
_CSV_PROBLEMS = {
    "UNQUOTED VALUE": "a quote is not closed, or stands inside an unquoted field",
    "INVALID ENCODING": "not valid UTF-8",
    "LINE SIZE OVER MAXIMUM": "line too long",
}
_JSON_LAYOUTS = {"jsonl": "newline_delimited", "json": "array"}
_UNREADABLE = {
    "csv": "cannot be read as CSV (UTF-8, comma-separated, with a header row)",
    "jsonl": "cannot be read as JSON Lines (one JSON object per line)",
    "json": "cannot be read as JSON (an array of objects)",
    "parquet": "cannot be read as Parquet",
    "xlsx": "cannot be read as an Excel workbook (.xlsx)",
}


@dataclass(frozen=True)
class DataError:
    """One way an export file breaks the data contract; never quotes personal data."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = ", ".join(
            f"{label} {value}" for label, value in (("row", self.row), ("column", self.column)) if value is not None
        )
        return f"{self.file}: {where}: {self.message}" if where else f"{self.file}: {self.message}"


class Unreadable(Exception):
    """The file cannot be staged at all; `errors` (the first few of `total`) say why."""

    def __init__(self, errors: list[DataError], total: int | None = None) -> None:
        super().__init__("; ".join(map(str, errors)))
        self.errors = errors
        self.total = len(errors) if total is None else total


def stage(
    con: duckdb.DuckDBPyConnection, path: Path, fmt: str, dataset: Dataset, name: str
) -> dict[str, str]:
    """Create the temp view `name` over `path`; return its columns (bar `__row`) and types.

    A stager returns the view's SELECT, which therefore holds no parameters.
    """
    stagers = {
        "csv": _stage_csv,
        "jsonl": _stage_json,
        "json": _stage_json,
        "parquet": _stage_parquet,
        "xlsx": _stage_xlsx,
    }
    try:
        select = stagers[fmt](con, path, fmt, dataset, name)
        con.execute(f"CREATE OR REPLACE TEMP VIEW {identifier(name)} AS {select}")
        described = con.execute(f"DESCRIBE {identifier(name)}").fetchall()
    except duckdb.Error:
        raise Unreadable([DataError(str(path), None, None, _UNREADABLE[fmt])]) from None
    return {column: sql_type for column, sql_type, *_ in described if column != "__row"}


def drop_stage(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Drop everything `stage` may have created under `name`."""
    con.execute(f"DROP VIEW IF EXISTS {identifier(name)}")
    for helper in ("raw", "rejects", "scans"):
        con.execute(f"DROP TABLE IF EXISTS {identifier(f'{name}_{helper}')}")


def _repeated_header(path: Path) -> list[DataError]:
    """Column names that repeat, ignoring case: DuckDB would silently rename the second
    (`religion`, `Religion` → `Religion_1`) and rule 1.1 would report a name the file lacks."""
    with path.open(encoding="utf-8-sig", newline="", errors="replace") as f:
        header = next(csv.reader(f), [])
    seen: dict[str, str] = {}
    errors = []
    for column in header:
        first = seen.setdefault(column.casefold(), column)
        if first is not column:
            errors.append(DataError(str(path), None, column, f"repeats the column '{first}' (names must differ "
                                                            "in more than upper and lower case)"))
    return errors


def _stage_csv(con: duckdb.DuckDBPyConnection, path: Path, fmt: str, dataset: Dataset, name: str) -> str:
    """Materialise the CSV as VARCHAR; malformed lines land in a rejects table, not an exception."""
    repeated = _repeated_header(path)
    if repeated:
        raise Unreadable(repeated)
    raw, rejects, scans = (f"{name}_{helper}" for helper in ("raw", "rejects", "scans"))
    con.execute(
        f"CREATE TEMP TABLE {identifier(raw)} AS {_READ_CSV}", {"path": str(path), "rejects": rejects, "scans": scans}
    )
    [(total, first)] = con.execute(
        f"""SELECT count(*), arg_min({{'line': line, 'kind': error_type::VARCHAR, 'column': column_name,
                   'expected': regexp_extract(error_message, $expected, 1),
                   'found': regexp_extract(error_message, $found, 1)}}, line, $cap)
            FROM {identifier(rejects)}""",
        {"expected": r"Expected Number of Columns: (\d+)", "found": r"Found: (\d+)", "cap": MAX_ERRORS_PER_FILE},
    ).fetchall()
    con.execute(f"DROP TABLE {identifier(rejects)}; DROP TABLE {identifier(scans)}")
    if total:
        # A rejected line is missing from the table, so later row numbers would shift:
        # report the broken lines alone. DuckDB's `line` counts records, header first.
        raise Unreadable([_csv_problem(path, reject) for reject in first], total)
    return f"SELECT rowid + 1 AS __row, * FROM {identifier(raw)}"


def _csv_problem(path: Path, reject: dict) -> DataError:
    """A rejected CSV line as a DataError, in words of our own (DuckDB's quote the line)."""
    row = reject["line"] - 1 if reject["line"] > 1 else None
    if reject["found"]:
        return DataError(str(path), row, None, f"expected {reject['expected']} fields, found {reject['found']}")
    message = _CSV_PROBLEMS.get(reject["kind"], f"malformed CSV ({reject['kind'].lower()})")
    return DataError(str(path), row, reject["column"], message)


def _stage_json(con: duckdb.DuckDBPyConnection, path: Path, fmt: str, dataset: Dataset, name: str) -> str:
    """Materialise JSON/JSONL with one JSON column per key seen in any object.

    A key missing from some objects is null there; a file without objects gets the
    contract's columns, so an empty export (`[]`) is simply a dataset without rows.
    `columns` is a literal, not a parameter: DuckDB takes an empty key in a bound struct
    but refuses it in a literal, and such a file is refused as unreadable.
    """
    parameters = {"path": str(path), "format": _JSON_LAYOUTS[fmt]}
    keys = con.execute(
        # A key's place: the first object that has it, then its position in that object.
        """SELECT key FROM (
               SELECT unnest(json_keys(json)) AS key, unnest(range(len(json_keys(json))))
                      AS position, row_number() OVER () AS seen
               FROM read_json_objects($path, format = $format))
           GROUP BY key ORDER BY min(seen), arg_min(position, seen)""",
        parameters,
    ).fetchall()
    names = [key for (key,) in keys] or list(dataset.column_names)
    columns = render(struct({column: exp.Literal.string("JSON") for column in names}))
    raw = identifier(f"{name}_raw")
    con.execute(
        f"CREATE TEMP TABLE {raw} AS "
        f"SELECT * FROM read_json($path, format = $format, records = true, columns = {columns})",
        parameters,
    )
    return f"SELECT rowid + 1 AS __row, * FROM {raw}"


def _stage_parquet(con: duckdb.DuckDBPyConnection, path: Path, fmt: str, dataset: Dataset, name: str) -> str:
    """Parquet is columnar and fast to rescan: no copy, row numbers from the file itself.

    A view cannot hold a parameter, so the path enters the scan as a sqlglot literal.
    """
    scan = exp.func("read_parquet", exp.Literal.string(str(path)), exp.column("file_row_number").eq(exp.true()))
    return f"SELECT file_row_number + 1 AS __row, * EXCLUDE (file_row_number) FROM {render(scan)}"


def _stage_xlsx(con: duckdb.DuckDBPyConnection, path: Path, fmt: str, dataset: Dataset, name: str) -> str:
    """Read the first sheet into a table of strings, the text a CSV export would hold.

    `__row` is the sheet row minus the header, so it matches what Excel shows even
    when blank rows are skipped.
    """
    table = _xlsx_table(path, dataset)
    arrow = f"{name}_arrow"
    con.register(arrow, table)
    try:
        con.execute(f"CREATE TEMP TABLE {identifier(f'{name}_raw')} AS SELECT * FROM {identifier(arrow)}")
    finally:
        con.unregister(arrow)
    return f"SELECT * FROM {identifier(f'{name}_raw')}"


def _xlsx_table(path: Path, dataset: Dataset) -> pa.Table:
    """The first sheet as an Arrow table: `__row` plus one string column per headed column."""
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, InvalidFileException):
        raise Unreadable([DataError(str(path), None, None, _UNREADABLE["xlsx"])]) from None
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = next(rows, ())
        types = [
            (i, name, _column_type(dataset, name))
            for i, cell in enumerate(header)
            if (name := _cell_text(cell, "string"))
        ]
        numbers: list[int] = []
        values: list[list[str | None]] = [[] for _ in types]
        for number, row in enumerate(rows, start=1):
            cells = [_cell_text(row[i], kind) if i < len(row) else None for i, _, kind in types]
            if any(cell is not None for cell in cells):
                numbers.append(number)
                for column, cell in zip(values, cells):
                    column.append(cell)
    finally:
        workbook.close()
    columns = {"__row": pa.array(numbers, pa.int64())}
    columns.update({name: pa.array(column, pa.string()) for (_, name, _), column in zip(types, values)})
    return pa.table(columns)


def _column_type(dataset: Dataset, name: str) -> str:
    """The contract type of a file column; columns beyond the contract are text."""
    column = dataset.column(name)
    return column.type if column else "string"


def _cell_text(value: object, column_type: str) -> str | None:
    """An Excel cell as CSV text: numbers without a spurious `.0`, dates as ISO text.

    Excel stores every date as a date-time; at midnight it is a date unless the column
    is a timestamp.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if value.time() == time() and column_type != "timestamp":
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
