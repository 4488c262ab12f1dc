"""The worklist: the findings of a JSON report still awaiting review, as an XLSX workbook a privacy officer
fills in and gives back to `reglement check --reviews`.

One row per finding that awaits review (no review in the report, no active waiver, and none in the
`--reviews` file given): rule, article, severity, dataset, the key, the message; then the empty
columns verdict (a drop-down of the three verdicts), by, date (formatted as a date) and note. The
key is one text cell in the form the review reader takes (`event_id=E0001234`; `dataset=x; a=1` where
the rule finds the same key columns in several datasets), so that a filled-in row reads back as the
review of that finding. Nothing else of the report goes in: its keys and messages, which hold no
personal data (a message is written as the other formats a person reads write it, `visible`).

**Labels.** The sheet's name and the header's labels follow the language (`--lang`, else the
report's): `Werklijst` with `Regel, Artikel, Ernst, Dataset, Sleutel, Melding, Oordeel, Door,
Datum, Toelichting`, or `Worklist` with `Rule, Article, Severity, Dataset, Key, Message, Verdict,
By, Date, Note`, the words of `checker/formats/labels.py`. The review reader (`compiler/reviews.py`)
takes either header, in any case, so a Dutch worklist reads back as it is. The severity is the
language's word; the verdicts stay the three words the reader takes, explained in the cell's prompt.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from .checker.findings import Findings
from .checker.formats.controls import visible
from .checker.formats.labels import LABELS, SEVERITY_WORDS
from .compiler.diagnostics import UserError
from .compiler.model import VERDICTS, Pack, Review

# The columns, as LABELS names them; the last four are the officer's.
COLUMNS = ("rule", "article", "severity", "dataset", "key", "message", "verdict", "reviewed_by", "review_date", "note")
VERDICT, DATE = COLUMNS.index("verdict") + 1, COLUMNS.index("review_date") + 1  # their columns' numbers
WIDTHS = {"verdict": 16, "reviewed_by": 22, "review_date": 12, "note": 50}  # the officer's columns: room to write
LONGEST = 100  # a column is as wide as its longest text, up to this


class WorklistError(UserError):
    """A report the worklist cannot be made of with this pack."""


@dataclass(frozen=True)
class Row:
    rule: str
    article: str
    severity: str
    dataset: str
    key: str  # as the review reader takes it
    message: str


def awaiting(report: dict, pack: Pack, reviews: tuple[Review, ...] = ()) -> list[Row]:
    """The report's findings that await review and none of `reviews` gives a verdict, in the report's order."""
    if report["rulepack"]["name"] != pack.name:
        raise WorklistError(f"reglement worklist: the report is of the pack {report['rulepack']['name']}, not "
                            f"{pack.name}: give its pack with --rules")
    rows = []
    for entry in report["rules"]:
        if entry.get("kind") != "automated" or not entry.get("findings"):
            continue
        rule = pack.rule(entry["id"])
        if rule is None:
            raise WorklistError(f"reglement worklist: the report's rule {entry['id']} is not in the pack "
                                f"{pack.name} {pack.version}: give the report's pack with --rules")
        given = [r for r in reviews if r.rule == rule.id]
        waiting = Findings.of(entry["findings"]).awaiting().to_pylist()
        for finding, still in zip(entry["findings"], waiting):
            dataset, key = finding["dataset"], finding["key"]
            if not still or any(r.covers(dataset, key) for r in given):
                continue
            named = len({c.subject for c in rule.checks if set(c.key_names) == set(key)}) > 1
            pairs = ({"dataset": dataset} if named else {}) | key
            cited = pack.citation(rule.regulation, rule.article) or entry["article"]  # `Jeugdwet 7.3.8`: one of several
            rows.append(Row(rule.id, cited, entry["severity"], dataset,
                            "; ".join(f"{k}={v}" for k, v in pairs.items()), finding["message"]))
    return rows


def workbook(rows: list[Row], lang: str) -> bytes:
    """The worklist as the bytes of an XLSX file: a frozen header with a filter, one row per finding."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    words = LABELS[lang]
    book = Workbook()
    sheet = book.active
    sheet.title = words["worklist"]
    sheet.append([words[name] for name in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for number, row in enumerate(rows, start=2):
        key = visible(row.key) if ILLEGAL_CHARACTERS_RE.search(row.key) else row.key  # a spreadsheet cannot hold it
        values = (row.rule, row.article, SEVERITY_WORDS[lang][row.severity], row.dataset, key, visible(row.message))
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(number, column, value)
            cell.data_type = "s"  # text, even where it starts with `=`: never a formula
        sheet.cell(number, DATE).number_format = "yyyy-mm-dd"
    last = max(len(rows), 1) + 1
    choice = DataValidation(type="list", formula1=f'"{",".join(VERDICTS)}"', allow_blank=True,
                            showErrorMessage=True, showInputMessage=True, promptTitle=words["verdict"],
                            prompt=words["verdict_prompt"], errorTitle=words["verdict"], error=words["verdict_prompt"])
    choice.add(f"{get_column_letter(VERDICT)}2:{get_column_letter(VERDICT)}{last}")
    sheet.add_data_validation(choice)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{last}"
    for column, name in enumerate(COLUMNS, start=1):
        letter = get_column_letter(column)
        longest = max((len(str(cell.value or "")) for cell in sheet[letter]), default=0)
        sheet.column_dimensions[letter].width = WIDTHS.get(name, min(longest + 2, LONGEST))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
