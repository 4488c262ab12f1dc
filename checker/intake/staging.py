"""Stagers: one source as a relation in DuckDB, untyped, with its row numbers.

A staged relation holds the source's own columns, as untyped as its format allows:
VARCHAR for CSV, JSON for JSON and JSONL and for spreadsheet cells (so that a text can
be told from a number or an array), whatever Parquet or Arrow declares. Typing and
validation then happen once, in `validate.py`, for every source alike.

Parquet files and tables in memory are not copied: the relation reads them where they
are. CSV and JSON are read once into a temporary table, since their reader must see
every line to report a malformed one. DuckDB's own read errors are never passed on:
they may quote a line of the file, and that line may hold a BSN.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
from sqlglot import exp

from ...compiler.workbooks import open_workbook
from ..duckdb_sql import identifier, render, struct
from .csv_dialect import Dialect, NotUtf8, file_lines, first_bad_byte, header, sniff, utf8_copy
from .errors import MAX_ERRORS_PER_SOURCE, DataError
from .jsonl_lines import problems
from .sources import JSON_TEXT, Source

ROW = "__reglement_row"  # the 1-based row of a record in its source
FILE = "__reglement_file"  # for a dataset given as a folder: the file a row came from

# The dialect is fixed (the separator from `csv_dialect.sniff`, the columns from the header line)
# and DuckDB's sniffer is off: left to itself it may take a leading `#` for a comment or the first
# lines for a preamble to skip, and silently lose rows; and it gives up on a file with a quote left
# open, before the reader could say on which line.
_READ_CSV = """
    read_csv($path, auto_detect = false, columns = $columns, header = true, delim = $delim, quote = '"',
             escape = '"', comment = '', skip = 0, strict_mode = true, null_padding = false, encoding = 'utf-8',
             max_line_size = $max_line, store_rejects = true, rejects_table = $rejects, rejects_scan = $scans)"""
# DuckDB's own limit is 2 MB a line; a free-text field of an export may be larger, and costs no more to read.
MAX_LINE_BYTES = 256 << 20
CSV_PROBLEMS = {
    "UNQUOTED VALUE": "a quote is left open, or text follows a closing quote",
    "INVALID ENCODING": "not valid UTF-8 (pass --encoding windows-1252 for a file saved by Excel on Windows; "
                        "a UTF-8 file with a damaged byte needs the byte repaired)",
    "LINE SIZE OVER MAXIMUM": "a line longer than the reader's limit of {limit}",
}
EMPTY_CSV = "is empty: not even a header row (an export of a dataset without rows still has its header line)"
EMPTY_LOOK = 4096  # a file of blank lines longer than this is not taken for an empty export
_JSON_LAYOUTS = {"jsonl": "newline_delimited", "json": "array"}
UNREADABLE = {
    "csv": "cannot be read as CSV with a header row",
    "jsonl": "cannot be read as JSON Lines (one JSON object per line)",
    "json": "cannot be read as JSON (an array of objects)",
    "parquet": "cannot be read as Parquet",
    "xlsx": "cannot be read as an Excel workbook (.xlsx)",
    "arrow": "cannot be read as a table",
}


class Unreadable(Exception):
    """The source cannot be staged at all; `errors` (the first few of `total`) say why."""

    def __init__(self, errors: list[DataError], total: int | None = None) -> None:
        super().__init__("; ".join(map(str, errors)))
        self.errors = errors
        self.total = len(errors) if total is None else total


@dataclass(frozen=True)
class Staged:
    """A source as a relation: what validation and typing read, and how to find a row again."""

    source: Source
    relation: exp.Expression  # a table or table function, to select from
    columns: dict[str, str]  # the source's own columns and their DuckDB types, in source order
    copied: bool  # the relation is a temporary copy (text formats): the typed data is then a table too
    temporary: tuple[tuple[str, str], ...] = field(default=())  # (VIEW, TABLE or ARROW, name) to drop afterwards
    dialect: dict | None = None  # for CSV: how the file was read (`Dialect.describe`), for the report
    keyed: bool = False  # a message names a row by its key, not its number (a table's rows have no order)

    @property
    def row(self) -> exp.Expression:
        return exp.column(ROW, quoted=True)

    @property
    def file(self) -> exp.Expression | None:
        return exp.column(FILE, quoted=True) if self.source.folder else None


def stage(con: duckdb.DuckDBPyConnection, source: Source, name: str, types: dict[str, str]) -> Staged:
    """Stage `source` under the name `name` (and helpers named after it).

    `types` (column → contract type) only tells a spreadsheet's midnight date-times from
    dates; nothing else here depends on the contract.
    """
    stagers = {"csv": _csv, "jsonl": _json, "json": _json, "parquet": _parquet, "xlsx": _xlsx, "arrow": _arrow}
    dialect = sniffed(source) if source.format == "csv" else None
    source = with_sheet(source) if source.format == "xlsx" else source
    own = f"{name}_own" if source.columns else name  # a mapped source is staged under its own names first
    own_types = {source.column(c): t for c, t in types.items()}
    try:
        relation, copied, temporary = stagers[source.format](con, source, own, own_types, dialect)
        described = con.execute(f"DESCRIBE SELECT * FROM {render(relation)}").fetchall()
    except duckdb.Error:
        raise Unreadable([unreadable(source, dialect)]) from None
    columns = {column: kind for column, kind, *_ in described if column not in (ROW, FILE, "file_row_number")}
    day_first = _day_first_dates(con, _raw(own), columns, own_types) if source.format == "csv" else []
    if source.columns:
        try:
            names = renamed(source, columns)
        except Unreadable:
            drop(con, Staged(source, relation, columns, copied, temporary))
            raise
        relation, temporary = _renamed(con, relation, name, names, source.folder), (("VIEW", name), *temporary)
        columns = {names[c]: kind for c, kind in columns.items() if c in names}
        day_first = [names[c] for c in day_first if c in names]
    described_dialect = ({**dialect.describe(), **({"day_first_dates": day_first} if day_first else {})}
                         if dialect else None)
    return Staged(source, relation, columns, copied, temporary, described_dialect)


def renamed(source: Source, columns: Iterable[str]) -> dict[str, str]:
    """The source's columns under the names the contract knows them by: each column the configuration maps
    under its contract column's name, the others as they are; a column of a contract column's name that
    the mapping gives to another column is left out. E714 for a mapped column the source lacks."""
    columns = list(columns)
    errors = [DataError(source.named, "E714", f"column {c} of dataset {source.dataset} is mapped to '{own}', which "
                                              f"{_holder(source)} does not have")
              for c, own in source.columns.items() if own not in columns]
    twice = {own for own in source.columns.values() if list(source.columns.values()).count(own) > 1}
    errors += [DataError(source.named, "E714", f"columns {', '.join(c for c, o in source.columns.items() if o == own)} "
                                               f"of dataset {source.dataset} are all mapped to '{own}'; map each to a "
                                               "column of its own") for own in sorted(twice)]
    if errors:
        raise Unreadable(errors)
    mapped = {own: c for c, own in source.columns.items()}
    names = {c: mapped.get(c, c) for c in columns if c in mapped or c not in source.columns}
    if len(set(names.values())) < len(names):
        raise Unreadable([DataError(source.named, "E714", "has a column of a contract column's name that the "
                                                          "mapping gives to another column; map that one too")])
    return names


def _holder(source: Source) -> str:
    return f"sheet '{source.sheet}' of the workbook" if source.sheet is not None else "the file"


def _renamed(con: duckdb.DuckDBPyConnection, relation: exp.Expression, name: str, names: dict[str, str],
             folder: bool) -> exp.Expression:
    """A view `name` over a staged relation: its row numbers (and files), and its columns renamed."""
    kept = [exp.column(ROW, quoted=True), *([exp.column(FILE, quoted=True)] if folder else [])]
    query = exp.select(*kept, *[exp.alias_(exp.column(c, quoted=True), n, quoted=True) for c, n in names.items()])
    con.execute(f"CREATE OR REPLACE TEMP VIEW {identifier(name)} AS {render(query.from_(relation.copy()))}")
    return _table(name)


def sniffed(source: Source) -> Dialect:
    """The CSV file's dialect (`csv_dialect.sniff`); a UTF-8 file with bytes that are not is refused, at the
    first of them, rather than read in an encoding guessed for it."""
    try:
        return sniff(source.paths[0], source.csv)
    except NotUtf8 as err:
        counts = (f"{err.valid:,} UTF-8 character{'s' * (err.valid != 1)} of more than one byte and "
                  f"{err.invalid:,} byte{'s' * (err.invalid != 1)} that {'are' if err.invalid != 1 else 'is'} not, "
                  "in its first mebibyte")
        raise Unreadable([DataError(
            source.label, "E710", f"byte {err.column} of the line is not UTF-8, while the file's other text is "
            f"({counts}): a damaged byte, or lines saved in two encodings; repair it, or pass --encoding "
            "windows-1252 if the whole file is Windows-1252", line=err.line)]) from None


def not_utf8(source: Source, bad: tuple[int, int] | None, line: int | None = None, row: int | None = None,
             column: str | None = None) -> DataError:
    """E710 for a byte that is not UTF-8 in a file read as UTF-8, which the reader found on `line` (None: it
    knows only that there is one); `bad`, the file's first such byte (`first_bad_byte`), gives its byte column."""
    message = CSV_PROBLEMS["INVALID ENCODING"]
    if bad is not None and line in (None, bad[0]):
        return DataError(source.label, "E710", f"byte {bad[1]} of the line is {message}", row, column, line=bad[0])
    return DataError(source.label, "E710", message, row, column, line=line)


def unreadable(source: Source, dialect: Dialect | None) -> DataError:
    """E703 in the source's format; for CSV, how it was read and which option would change that, or that the
    file is empty."""
    if source.format == "csv" and _empty(source.paths[0]):
        return DataError(source.label, "E703", EMPTY_CSV)
    how = f" (read as {dialect.words()}; pass --csv-separator or --encoding if that is wrong)" if dialect else ""
    return DataError(source.named, "E703", UNREADABLE[source.format] + how)


def _empty(path: Path) -> bool:
    """A file of nothing, or of blank lines only (a byte order mark at most besides)."""
    with path.open("rb") as file:
        start = file.read(EMPTY_LOOK + 1)
    return len(start) <= EMPTY_LOOK and not start.removeprefix(b"\xef\xbb\xbf").strip()


def drop(con: duckdb.DuckDBPyConnection, staged: Staged) -> None:
    """Drop what staging created, views first (they read the tables)."""
    for kind, name in staged.temporary:
        if kind == "ARROW":
            con.unregister(name)
        else:
            con.execute(f"DROP {kind} IF EXISTS {identifier(name)}")


def _table(name: str) -> exp.Expression:
    return exp.to_table(name, quoted=True)


def _copy(con: duckdb.DuckDBPyConnection, raw: str, scan: str, parameters: dict) -> None:
    """Copy a text source into the table `raw`, each row with its number (from 1) in ROW.

    The numbers come from the scan itself (WITH ORDINALITY, in file order even when read in
    parallel), not from the table's rowid: a column named `rowid` in the file hides that one.
    DuckDB names the ordinality column so that it clashes with no column of the file; it is last.
    """
    con.execute(f"CREATE OR REPLACE TEMP TABLE {identifier(raw)} AS SELECT * FROM {scan} WITH ORDINALITY", parameters)
    [(ordinality,)] = con.execute("SELECT name FROM pragma_table_info($raw) ORDER BY cid DESC LIMIT 1",
                                  {"raw": raw}).fetchall()
    con.execute(f"ALTER TABLE {identifier(raw)} RENAME COLUMN {identifier(ordinality)} TO {identifier(ROW)}")


def _numbered(con: duckdb.DuckDBPyConnection, raw: str, name: str) -> exp.Expression:
    """A view over a copied table, its row numbers first."""
    con.execute(f"CREATE OR REPLACE TEMP VIEW {identifier(name)} AS "
                f"SELECT {identifier(ROW)}, * EXCLUDE ({identifier(ROW)}) FROM {identifier(raw)}")
    return _table(name)


# -- CSV -----------------------------------------------------------------------------------
def header_names(source: Source, dialect: Dialect) -> list[str]:
    """The names of the header line, which the readers are given (neither sniffs the file).

    Names that repeat, ignoring case, are refused: DuckDB would silently rename the second
    (`religion`, `Religion` → `Religion_1`) and rule 1.1 would report a name the file lacks.
    """
    try:
        names = header(source.paths[0], dialect)
    except (OSError, csv.Error, EOFError):
        names = []
    if not names:
        raise Unreadable([unreadable(source, dialect)])
    seen: dict[str, str] = {}
    errors = []
    for column in names:
        first = seen.setdefault(column.casefold(), column)
        if first is not column:
            errors.append(DataError(source.label, "E709", f"repeats the column '{first}' (names must differ "
                                                          "in more than upper and lower case)", column=column))
    if errors:
        raise Unreadable(errors)
    return names


def _csv(con: duckdb.DuckDBPyConnection, source: Source, name: str, types: dict[str, str], dialect: Dialect):
    """Copy the CSV as VARCHAR, in its dialect; malformed lines land in a rejects table, not an exception."""
    names = header_names(source, dialect)
    raw, rejects, scans = _raw(name), f"{name}_rejects", f"{name}_scans"
    path = source.paths[0]
    try:
        readable = path if dialect.encoding == "utf-8" else utf8_copy(path, dialect)
    except UnicodeDecodeError:
        raise Unreadable([DataError(source.label, "E710", f"not valid {dialect.encoding}: pass --encoding with the "
                                                          "encoding the file was saved in")]) from None
    try:
        _copy(con, raw, _READ_CSV, {"path": str(readable), "columns": dict.fromkeys(names, "VARCHAR"),
                                    "delim": dialect.separator, "max_line": MAX_LINE_BYTES, "rejects": rejects,
                                    "scans": scans})
        rejected = _csv_rejects(con, source, readable, rejects, scans)
    finally:
        if readable != path:
            readable.unlink()
    if rejected:
        # A rejected line is missing from the table, so later row numbers would shift:
        # report the broken lines alone.
        con.execute(f"DROP TABLE {identifier(raw)}")
        raise rejected
    return _numbered(con, raw, name), True, (("VIEW", name), ("TABLE", raw))


def _csv_rejects(con: duckdb.DuckDBPyConnection, source: Source, readable: Path, rejects: str,
                 scans: str) -> Unreadable | None:
    """The first lines the reader rejected, each at its line in the file, counted from its byte
    position (1-based in DuckDB) only when there are any: DuckDB's `line` counts records, and a
    quoted value may span lines."""
    [(total, first)] = con.execute(
        f"""SELECT count(*), arg_min({{'line': line, 'kind': error_type::VARCHAR, 'column': column_name,
                   'at': coalesce(byte_position, line_byte_position) - 1,
                   'expected': regexp_extract(error_message, $expected, 1),
                   'found': regexp_extract(error_message, $found, 1)}}, line, $cap)
            FROM {identifier(rejects)}""",
        {"expected": r"Expected Number of Columns: (\d+)", "found": r"Found: (\d+)", "cap": MAX_ERRORS_PER_SOURCE},
    ).fetchall()
    con.execute(f"DROP TABLE {identifier(rejects)}; DROP TABLE {identifier(scans)}")
    if not total:
        return None
    lines = file_lines(readable, [reject["at"] for reject in first if reject["at"] is not None])
    bad = first_bad_byte(readable) if any(r["kind"] == "INVALID ENCODING" for r in first) else None
    return Unreadable([_csv_problem(source, reject, lines.get(reject["at"]), bad) for reject in first], total)


def _raw(name: str) -> str:
    """The table a text format is copied into, under the relation `name`."""
    return f"{name}_raw"


def _day_first_dates(con: duckdb.DuckDBPyConnection, raw: str, columns: dict[str, str],
                     types: dict[str, str]) -> list[str]:
    """Date and timestamp columns written day first (`28-11-2026`, `28-11-2026 09:19`) in every
    filled cell, as Dutch spreadsheets save them, rewritten in place as ISO text; a column that
    mixes the two ways is left as written, for the validator to report."""
    dated = [c for c in columns if types.get(c) in ("date", "timestamp")]
    if not dated:
        return []
    table = identifier(raw)
    counts = ", ".join(f"count({identifier(c)}) = count_if(regexp_full_match({identifier(c)}, $day_first)) "
                       f"AND count({identifier(c)}) > 0" for c in dated)
    [found] = con.execute(f"SELECT {counts} FROM {table}", {"day_first": _DAY_FIRST}).fetchall()
    chosen = [c for c, whole in zip(dated, found) if whole]
    for column in chosen:
        iso = "%Y-%m-%d" if types[column] == "date" else "%Y-%m-%dT%H:%M:%S"
        ref = identifier(column)
        con.execute(f"UPDATE {table} SET {ref} = coalesce(strftime(try_strptime({ref}, "
                    f"$formats), $iso), {ref})", {"formats": _DAY_FIRST_FORMATS, "iso": iso})
    return chosen


def _csv_problem(source: Source, reject: dict, line: int | None, bad: tuple[int, int] | None) -> DataError:
    """A rejected CSV line as a DataError at its file line, in words of our own (DuckDB's quote the line);
    `bad`: where the file's first byte that is not UTF-8 is, if one is."""
    row = reject["line"] - 1 if reject["line"] > 1 else None
    if reject["kind"] == "INVALID ENCODING":
        return not_utf8(source, bad, line, row, reject["column"]) if line is not None else not_utf8(source, bad)
    if reject["found"]:
        return DataError(source.label, "E710", f"expected {reject['expected']} fields, found {reject['found']}", row,
                         line=line)
    message = CSV_PROBLEMS.get(reject["kind"], f"malformed CSV ({reject['kind'].lower()})")
    return DataError(source.label, "E710", message.format(limit=f"{MAX_LINE_BYTES >> 20} MiB"), row,
                     reject["column"], line=line)


_DAY_FIRST = r"\d{1,2}-\d{1,2}-\d{4}([ T]\d{1,2}:\d{2}(:\d{2})?)?"
_DAY_FIRST_FORMATS = ["%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d-%m-%YT%H:%M:%S", "%d-%m-%YT%H:%M", "%d-%m-%Y"]


# -- JSON ----------------------------------------------------------------------------------
def _json(con: duckdb.DuckDBPyConnection, source: Source, name: str, types: dict[str, str], dialect: None):
    """Copy JSON/JSONL; a JSON Lines file the reader refuses is read once more, for the file line
    of each line that is not an object (DuckDB's message counts lines its own way, and quotes them)."""
    try:
        return _json_copy(con, source, name, types)
    except duckdb.Error:
        raise json_unreadable(source) from None


def json_unreadable(source: Source) -> Unreadable:
    """Why a JSON (Lines) file cannot be read: each line that is not one object, at its file line; else E703."""
    found, total = problems(source) if source.format == "jsonl" else ([], 0)
    return Unreadable(found, total) if found else Unreadable([unreadable(source, None)])


def _json_copy(con: duckdb.DuckDBPyConnection, source: Source, name: str, types: dict[str, str]):
    """Copy JSON/JSONL with one JSON column per key seen in any object.

    A key missing from some objects is null there; a file without objects is a dataset
    without rows, with the contract's columns.
    `columns` is a literal, not a parameter: DuckDB takes an empty key in a bound struct
    but refuses it in a literal, and such a file is refused as unreadable.
    """
    parameters = {"path": str(source.paths[0]), "format": _JSON_LAYOUTS[source.format]}
    keys = con.execute(
        # A key's place: the first object that has it, then its position in that object.
        """SELECT key FROM (
               SELECT unnest(json_keys(json)) AS key, unnest(range(len(json_keys(json))))
                      AS position, row_number() OVER () AS seen
               FROM read_json_objects($path, format = $format))
           GROUP BY key ORDER BY min(seen), arg_min(position, seen)""",
        parameters,
    ).fetchall()
    raw = f"{name}_raw"
    names = [key for (key,) in keys]
    if names:
        columns = render(struct({key: exp.Literal.string("JSON") for key in names}))
        _copy(con, raw, f"read_json($path, format = $format, records = true, columns = {columns})", parameters)
    else:  # no object: a dataset without rows, with the contract's columns
        nulls = [exp.alias_(exp.cast(exp.null(), "JSON"), c, quoted=True) for c in types]
        empty = exp.select(exp.alias_(exp.cast(exp.null(), "BIGINT"), ROW, quoted=True), *nulls).where(exp.false())
        con.execute(f"CREATE OR REPLACE TEMP TABLE {identifier(raw)} AS {render(empty)}")
    return _numbered(con, raw, name), True, (("VIEW", name), ("TABLE", raw))


# -- Parquet -------------------------------------------------------------------------------
def _parquet(con: duckdb.DuckDBPyConnection, source: Source, name: str, types: dict[str, str], dialect: None):
    """Parquet is columnar and fast to rescan: no copy, row numbers from the file itself.

    The relation is a scan of the file (or of every file of a folder), wrapped in a view
    that names the row numbers; the paths enter as sqlglot literals, since a view cannot
    hold a parameter.
    """
    con.execute(f"CREATE OR REPLACE TEMP VIEW {identifier(name)} AS {render(_parquet_scan(source))}")
    return _table(name), False, (("VIEW", name),)


def _parquet_scan(source: Source) -> exp.Select:
    """The rows of the Parquet files of `source`, each with its number in its file (from 1) and,
    for a folder, its file."""
    paths = exp.Array(expressions=[exp.Literal.string(str(p)) for p in source.paths])
    scan = exp.func("read_parquet", paths, exp.column("file_row_number").eq(exp.true()),
                    exp.column("filename").eq(exp.Literal.string(FILE)), exp.column("union_by_name").eq(exp.true()))
    number = exp.Add(this=exp.column("file_row_number"), expression=exp.convert(1))
    rest = exp.Star(except_=[exp.column("file_row_number")])
    return exp.select(exp.alias_(number, ROW, quoted=True), rest).from_(scan)


# -- tables in memory, and spreadsheets as tables -------------------------------------------
def _arrow(con: duckdb.DuckDBPyConnection, source: Source, name: str, types: dict[str, str], dialect: None):
    """Register the Arrow table (no copy) with its row numbers; mixed-kind columns become JSON."""
    return _register(con, source.table, name)


def _register(con: duckdb.DuckDBPyConnection, table: pa.Table, name: str, rows: pa.Array | None = None):
    rows = rows if rows is not None else pa.array(np.arange(1, table.num_rows + 1, dtype=np.int64))
    con.register(f"{name}_arrow", table.append_column(ROW, rows))
    select = [exp.column(ROW, quoted=True)]
    for f in table.schema:
        ref = exp.column(f.name, quoted=True)
        select.append(exp.alias_(exp.cast(ref, "JSON"), f.name, quoted=True) if f.metadata == JSON_TEXT else ref)
    query = exp.select(*select).from_(_table(f"{name}_arrow"))
    con.execute(f"CREATE OR REPLACE TEMP VIEW {identifier(name)} AS {render(query)}")
    return _table(name), False, (("VIEW", name), ("ARROW", f"{name}_arrow"))


def with_sheet(source: Source) -> Source:
    """A workbook's source with the sheet to read, and every sheet it has: the one the configuration maps
    (E714 when the workbook lacks it), else the one named like the dataset (in any case), else the first."""
    workbook = _workbook(source)
    try:
        sheets = tuple(sheet.title for sheet in workbook.worksheets)  # a chart sheet holds no rows
    finally:
        workbook.close()
    if not sheets:  # only chart sheets, or a workbook whose sheets are damaged
        raise Unreadable([DataError(source.label, "E703", f"{UNREADABLE['xlsx']}: it has no sheet of rows")])
    if source.sheet is not None and source.sheet not in sheets:
        raise Unreadable([DataError(source.label, "E714", f"dataset {source.dataset} is mapped to sheet "
                                                          f"'{source.sheet}', which the workbook does not have "
                                                          f"(it has {_listed(sheets)})")])
    if source.sheet is None:
        alike = [sheet for sheet in sheets if sheet.strip().casefold() == source.dataset.casefold()]
        source = replace(source, sheet=(alike or sheets)[0])
    return replace(source, sheets=sheets)


def _listed(sheets: tuple[str, ...]) -> str:
    return ", ".join(f"'{sheet}'" for sheet in sheets)


def sheet_hint(source: Source) -> str | None:
    """For a column missing from a sheet read by default while the workbook has others: which sheet was read,
    and how to read another."""
    if source.format != "xlsx" or len(source.sheets) < 2 or source.sheet != source.sheets[0]:
        return None
    return (f"the first of the workbook's sheets ({_listed(source.sheets)}) was read; name the dataset's sheet "
            f"'{source.dataset}', or give its sheet in the configuration: sources: datasets: {source.dataset}: "
            "{file: …, sheet: …}")


def _xlsx(con: duckdb.DuckDBPyConnection, source: Source, name: str, types: dict[str, str], dialect: None):
    """The sheet `with_sheet` chose, copied, every cell as JSON text so that a number stays a number.

    The row number is the sheet's row minus the header, so it matches what Excel shows
    even where blank rows are skipped (a row none of whose cells shows anything, empty text
    included). A list column holds `a;b` text, as in a CSV.
    """
    table, rows = _xlsx_table(source, types)
    relation, _, temporary = _register(con, table, f"{name}_sheet", rows)
    raw = f"{name}_raw"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {identifier(raw)} AS SELECT * FROM {render(relation)}")
    for kind, helper in reversed(temporary):
        con.unregister(helper) if kind == "ARROW" else con.execute(f"DROP VIEW {identifier(helper)}")
    con.execute(f"CREATE OR REPLACE TEMP VIEW {identifier(name)} AS SELECT * FROM {identifier(raw)}")
    return _table(name), True, (("VIEW", name), ("TABLE", raw))


def _xlsx_table(source: Source, types: dict[str, str]) -> tuple[pa.Table, pa.Array]:
    workbook = _workbook(source)
    try:
        rows = workbook[source.sheet].iter_rows(values_only=True)
        header = [(i, str(cell)) for i, cell in enumerate(next(rows, ())) if cell not in (None, "")]
        numbers: list[int] = []
        values: list[list[str | None]] = [[] for _ in header]
        for number, row in enumerate(rows, start=1):
            raw = [row[i] if i < len(row) else None for i, _ in header]
            if all(value is None or value == "" for value in raw):  # a row that shows nothing is no record
                continue
            numbers.append(number)
            for column, value, (_, name) in zip(values, raw, header):
                column.append(_cell(value, types.get(name)))
    finally:
        workbook.close()
    fields = [pa.field(name, pa.string(), metadata=None if types.get(name) == "list<string>" else JSON_TEXT)
              for _, name in header]
    table = pa.Table.from_arrays([pa.array(v, pa.string()) for v in values], schema=pa.schema(fields))
    return table, pa.array(numbers, pa.int64())


def _workbook(source: Source):
    book = open_workbook(source.paths[0])
    if book is None:
        raise Unreadable([DataError(source.label, "E703", UNREADABLE["xlsx"])])
    return book


def _cell(value: object, column_type: str | None) -> str | None:
    """An Excel cell as JSON: text and numbers as they are, dates as ISO text; in a list
    column, its text.

    A cell that holds text is text, even an empty one (a shared or inline string of no
    characters, as Excel keeps a formula's `""` pasted as a value): `""`, which a closed
    vocabulary reports as unknown, as it does an empty JSON string. A cell that holds
    nothing is null: one that is not there, and one that openpyxl and pandas write for an
    empty string or a null (a string cell without text), which openpyxl reads as None.
    Excel stores every date as a date-time; at midnight it is a date unless the column
    is a timestamp.
    """
    import json

    if value is None:
        return None
    if column_type == "list<string>":
        return str(value)
    if isinstance(value, datetime):
        if value.time() == time() and column_type != "timestamp":
            return json.dumps(value.date().isoformat())
        return json.dumps(value.isoformat(timespec="seconds"))
    if isinstance(value, (date, time)):
        return json.dumps(value.isoformat())
    return json.dumps(value)
