"""Reviews: one verdict for one finding, read from `--reviews FILE` (YAML, CSV or XLSX) or `--config`'s `reviews:`.

    reviews:
      - rule: 5.1-access-unexplained
        key: {event_id: E0001234}
        verdict: justified            # or violation, false_positive
        by: J. de Vries (FG)
        date: 2026-11-30              # `date`, not `on`: YAML 1.1 reads a key `on` as true
        note: covering a colleague's caseload during her leave

The same in CSV (`,` or `;`), the columns by name, other columns (article, message…) passed by;
a row without a verdict is a finding still awaiting review:

    rule,key,verdict,by,date,note
    5.1-access-unexplained,event_id=E0001234,justified,J. de Vries (FG),2026-11-30,covering …

The same in an XLSX workbook (the worklist `reglement worklist` writes, filled in): the sheet
`Werklijst` or `Worklist`, else the first; the header on row 1; the same columns and rules as CSV.
A date may be a spreadsheet date or text YYYY-MM-DD. A problem is at `file.xlsx:ROW:COLUMN`, the
row's number as the spreadsheet shows it and the column as a number (A is 1, H is 8).

A CSV file's or a workbook's header may name the columns in English (`rule`, `key`, `verdict`, `by`,
`date`, `note`) or as a Dutch worklist does (`regel`, `sleutel`, `oordeel`, `door`, `datum`,
`toelichting`), in any case: a worklist's labels follow its language, and the file the officer
fills in reads back whichever it is. The verdicts themselves are always the three English words.

Checked like the configuration, each problem at its line: the rule must be the pack's, the key
its findings' key columns, the verdict one of three (`check`); the date not after the audit
date, and one verdict per finding (`settle`, once both sources are read and the date is known).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from .diagnostics import DiagnosedError, Diagnostic, Location, did_you_mean
from .model import VERDICTS, Pack, Review
from .workbooks import open_workbook
from .yaml_source import YamlDocument, YamlError, load_yaml, schema_diagnostics

COLUMNS = ("rule", "key", "verdict", "by", "date")  # a table's required columns; `note` may be left out
# The headers of a Dutch worklist (`reglement worklist`), read as the English names; so is a CSV file's header.
DUTCH = {"regel": "rule", "sleutel": "key", "oordeel": "verdict", "door": "by", "datum": "date", "toelichting": "note"}
SHEETS = ("Werklijst", "Worklist")  # the sheet a worklist writes its findings to, in Dutch or English


class ReviewError(DiagnosedError):
    """Reviews that cannot be used."""

    subject = "the reviews"


def load(path: Path | None, configured: tuple[Review, ...], pack: Pack, as_of: dt.date) -> tuple[Review, ...]:
    """The reviews of the configuration and of `path`, checked together; raises ReviewError."""
    found, problems = read_reviews(path, pack) if path is not None else ((), [])
    reviews = (*configured, *found)
    problems += settle(reviews, as_of)
    if problems:
        raise ReviewError(problems)
    return reviews


def read_reviews(path: Path, pack: Pack) -> tuple[tuple[Review, ...], list[Diagnostic]]:
    """A review file, by its suffix: .yaml/.yml, .csv or .xlsx."""
    suffix = Path(path).suffix.lower()
    try:
        if suffix in (".yaml", ".yml"):
            return _from_yaml_file(Path(path), pack)
        if suffix == ".csv":
            table = _csv_table(Path(path))
            return _from_table(table, pack) if isinstance(table, _Table) else ((), [table])
        if suffix == ".xlsx":
            return _from_xlsx(Path(path), pack)
    except OSError as err:
        return (), [Diagnostic("E125", f"{path}: cannot read the reviews ({err.strerror})")]
    return (), [Diagnostic("E125", f"{path}: reviews are read from a .yaml, .yml, .csv or .xlsx file, not "
                                   f"'{suffix}'")]


# -- YAML ---------------------------------------------------------------------------------------
def _file_schema() -> dict:
    """A review file's schema: the configuration's `reviews:` alone (one definition for both)."""
    config = json.loads(files(__package__).joinpath("config.schema.json").read_text("utf-8"))
    return {"type": "object", "additionalProperties": False, "required": ["reviews"],
            "properties": {"reviews": config["properties"]["reviews"]}, "$defs": config["$defs"]}


def _from_yaml_file(path: Path, pack: Pack) -> tuple[tuple[Review, ...], list[Diagnostic]]:
    try:
        doc = load_yaml(path)
    except YamlError as err:
        return (), [err.diagnostic]
    problems = schema_diagnostics(doc, _file_schema()) if doc.data is not None else []
    if problems:
        return (), problems
    return from_yaml(doc, pack)


def from_yaml(doc: YamlDocument, pack: Pack) -> tuple[tuple[Review, ...], list[Diagnostic]]:
    """The `reviews:` of a document already valid against the schema (a review file or the configuration)."""
    reviews, out = [], []
    for i, entry in enumerate((doc.data or {}).get("reviews", [])):
        at = ("reviews", i)
        where = doc.location(at)

        def say(code: str, message: str, field: str, hint: str | None = None, at=at) -> None:
            out.append(doc.diagnostic(code, message, (*at, field), hint))

        review = check(entry, where, doc.lines[where.line - 1], pack, say)
        if review is not None:
            reviews.append(review)
    return tuple(reviews), out


# -- tables: CSV and XLSX ------------------------------------------------------------------------
@dataclass(frozen=True)
class _Table:
    """A review table as its reader gives it: the header's cells, then each row as (number, cells, source text);
    `column(cells, index)` is where the cell of that index starts in the row (what a diagnostic points at)."""

    file: str
    header: list[str]
    first: str | None  # the header line as written (CSV), for the diagnostic of a missing column
    rows: Iterable[tuple[int, list[str], str | None]]
    column: Callable[[list[str], int], int]


def _name(cell: str) -> str:
    """A header cell as the column's name: any case, English or the worklist's Dutch (`regel`, `oordeel`…)."""
    name = cell.strip().lower()
    return DUTCH.get(name, name)


def _from_table(table: _Table, pack: Pack) -> tuple[tuple[Review, ...], list[Diagnostic]]:
    """The reviews of a table's rows, each checked as a review file's entry is; a row without a verdict is
    a finding still awaiting review, passed by."""
    header = [_name(cell) for cell in table.header]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        return (), [Diagnostic("E125", f"the reviews have no column {', '.join(map(repr, missing))}",
                               Location(table.file, 1, 1), table.first,
                               f"the first line names the columns: {', '.join(COLUMNS)}, note")]
    reviews, out = [], []
    for number, row, source in table.rows:
        cells = dict(zip(header, (cell.strip() for cell in row)))
        if not cells.get("verdict"):  # not reviewed yet (a worklist's row left empty)
            continue

        def say(code: str, message: str, field: str, hint: str | None = None, row=row, number=number,
                source=source) -> None:
            column = table.column(row, header.index(field) if field in header else 0)
            out.append(Diagnostic(code, message, Location(table.file, number, column), source, hint))

        entry = {name: cells.get(name, "") for name in (*COLUMNS, "note")}
        key = _key(entry["key"], say)
        if key is None:
            continue
        review = check({**entry, "key": key}, Location(table.file, number, 1), source, pack, say)
        if review is not None:
            reviews.append(review)
    return tuple(reviews), out


def _csv_table(path: Path) -> _Table | Diagnostic:
    """A CSV file's rows (`,`, `;` or tab, as the header line has most); columns are counted in characters."""
    file = str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")  # Excel writes a byte order mark
    except UnicodeDecodeError:
        return Diagnostic("E125", "not UTF-8 text", Location(file, 1, 1), None, "save the file as UTF-8 CSV")
    lines = text.splitlines()
    first = lines[0] if lines else ""
    reader = csv.reader(text.splitlines(keepends=True), delimiter=max(",;\t", key=first.count))
    header = next(reader, [])

    def rows() -> Iterator[tuple[int, list[str], str | None]]:
        for row in reader:
            number = reader.line_num
            yield number, row, lines[number - 1] if number <= len(lines) else None

    def column(row: list[str], index: int) -> int:
        return 1 + sum(len(cell) + 1 for cell in row[:index])  # exact unless a cell before it is quoted

    return _Table(file, header, first, rows(), column)


def _xlsx_table(path: Path, book) -> _Table:
    """The worklist's sheet of a workbook (`Werklijst` or `Worklist`), else its first sheet; a row's number is
    the spreadsheet's, its column the cell's number (A is 1). A date cell is read as its day (YYYY-MM-DD)."""
    sheet = next((book[name] for name in SHEETS if name in book.sheetnames), book.worksheets[0])
    found = sheet.iter_rows(values_only=True)
    header = [_cell(value) for value in next(found, ())]
    rows = ((number, [_cell(value) for value in row], None) for number, row in enumerate(found, start=2))
    return _Table(str(path), header, None, rows, lambda row, index: index + 1)


def _cell(value: object) -> str:
    """A spreadsheet cell as the text a CSV file would hold: a date as YYYY-MM-DD, a whole number without `.0`."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return (value.date() if isinstance(value, dt.datetime) else value).isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _from_xlsx(path: Path, pack: Pack) -> tuple[tuple[Review, ...], list[Diagnostic]]:
    book = open_workbook(path)
    if book is None or not book.worksheets:  # not a workbook, or one without a sheet of rows
        return (), [Diagnostic("E125", "not an XLSX workbook", Location(str(path), 1, 1), None,
                               "save the worklist as Excel 2007-365 (.xlsx)")]
    try:
        return _from_table(_xlsx_table(path, book), pack)
    finally:
        book.close()


def _key(text: str, say) -> dict[str, str] | None:
    """`event_id=E0001234`, or several `name=value` joined with `;` (`dataset=access_log; event_id=…`)."""
    key = {}
    for pair in filter(None, (part.strip() for part in text.split(";"))):
        name, equals, value = pair.partition("=")
        if not equals or not name.strip():
            say("E126", f"the key '{text}' is not name=value (several joined with ';')", "key",
                "e.g. event_id=E0001234")
            return None
        key[name.strip()] = value.strip()
    if not key:
        say("E126", "the key is empty", "key", "e.g. event_id=E0001234")
        return None
    return key


# -- the checks ---------------------------------------------------------------------------------
def check(entry: dict, where: Location, source: str | None, pack: Pack, say) -> Review | None:
    """One review against the pack: its rule, its key, its verdict, its date; `say(code, message, field, hint)`
    reports a problem at the field's place."""
    rule = pack.rule(entry["rule"])
    if rule is None:
        say("E113", f"unknown rule '{entry['rule']}'", "rule", did_you_mean(entry["rule"], [r.id for r in pack.rules]))
        return None
    ok = True
    if entry["verdict"] not in VERDICTS:
        say("E127", f"'{entry['verdict']}' is not a verdict ({', '.join(VERDICTS)})", "verdict",
            did_you_mean(entry["verdict"], VERDICTS))
        ok = False
    key = dict(entry["key"])
    dataset = key.pop("dataset", None)
    shapes = {(c.subject, c.key_names) for c in rule.checks}
    if not any(set(names) == set(key) and dataset in (None, subject) for subject, names in shapes):
        wanted = " or ".join(sorted({", ".join(names) for _, names in shapes}))
        given = ", ".join(sorted(key)) or "nothing"
        close = next((did_you_mean(k, [n for _, names in shapes for n in names]) for k in key
                      if not any(k in names for _, names in shapes)), None)
        where_it = f" of dataset {dataset}" if dataset else ""
        lacks = _missing(key, [names for subject, names in shapes if dataset in (None, subject)])
        say("E126", f"the key ({given}){where_it} is not the key of {rule.id}'s findings ({wanted}){lacks}", "key",
            close)
        ok = False
    on = _date(entry["date"])
    if on is None:
        say("E115", f"'{entry['date']}' is not a date (YYYY-MM-DD)", "date")
        return None
    if not ok:
        return None
    return Review(rule.id, dict(entry["key"]), entry["verdict"], entry["by"], on, entry.get("note") or "", where,
                  source)


def _missing(key: dict[str, str], shapes: list[tuple[str, ...]]) -> str:
    """What a key lacks of the one key it names a part of (a composite key written in part), if there is one."""
    parts = [names for names in shapes if set(key) < set(names)]
    return f": it lacks {', '.join(n for n in parts[0] if n not in key)}" if len(parts) == 1 else ""


def _date(text: str) -> dt.date | None:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def settle(reviews: tuple[Review, ...], as_of: dt.date) -> list[Diagnostic]:
    """What only all reviews and the audit date show: a review dated after the audit, two verdicts for one finding.

    Two reviews meet on one finding when their rule and key columns agree and their datasets do not
    differ: a review without `dataset` judges the key in every dataset of the rule, so it meets one
    that names a dataset."""
    out: list[Diagnostic] = []
    seen: dict[tuple, list[Review]] = {}
    for review in reviews:
        if review.on > as_of:
            out.append(Diagnostic("E128", f"reviewed on {review.on}, after the audit date {as_of}", review.where,
                                  review.source_line, "a review must be done by the audit date (--as-of)"))
        key = tuple(sorted((k, v) for k, v in review.key.items() if k != "dataset"))
        same = seen.setdefault((review.rule, key), [])
        earlier = next((r for r in same if None in (r.key.get("dataset"), review.key.get("dataset"))
                        or r.key.get("dataset") == review.key.get("dataset")), None)
        if earlier is not None:
            out.append(Diagnostic("E129", f"a second verdict ({review.verdict}) for the finding {_shown(review)} of "
                                          f"{review.rule}; the first ({earlier.verdict}) is at {earlier.where}",
                                  review.where, review.source_line, "keep one review per finding"))
        else:
            same.append(review)
    return out


def _shown(review: Review) -> str:
    return ", ".join(f"{k}={v}" for k, v in review.key.items())
