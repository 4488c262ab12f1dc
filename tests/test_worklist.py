"""The worklist: a report's findings still awaiting review as a workbook; filled in, saved by an office
suite and given back as `check --reviews`, its rows are the findings' reviews. A bad row is named by
file and row; no cell holds personal data."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import AS_OF, SAMPLE
from test_intake_sources import DAMAGES, damaged
from test_privacy import marked_export  # noqa: F401  (a fixture: the sample with a marker in every personal cell)

from reglement.cli import main

HEADERS = {"nl": ["Regel", "Artikel", "Ernst", "Dataset", "Sleutel", "Melding", "Oordeel", "Door", "Datum",
                  "Toelichting"],
           "en": ["Rule", "Article", "Severity", "Dataset", "Key", "Message", "Verdict", "By", "Date", "Note"]}
SHEET = {"nl": "Werklijst", "en": "Worklist"}
RULE, KEY, VERDICT, BY, DATE, NOTE = 1, 5, 7, 8, 9, 10  # the columns' numbers


def audit(folder: Path, out: Path, *extra: str) -> dict:
    assert main(["check", "--data", str(folder), "--as-of", AS_OF, "--format", "json", "--output", str(out),
                 *extra]) == 1
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple[Path, dict]:
    path = tmp_path_factory.mktemp("report") / "r.json"
    return path, audit(SAMPLE, path)


def worklist(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["worklist", *args])
    out, err = capsys.readouterr()
    return code, out, err


def rows_of(path: Path) -> list[tuple]:
    return list(openpyxl.load_workbook(path).worksheets[0].iter_rows(min_row=2, values_only=True))


def key_text(text: str) -> tuple[str | None, dict[str, str]]:
    pairs = dict(part.split("=", 1) for part in text.split("; "))
    return pairs.pop("dataset", None), pairs


def test_the_worklist_has_a_row_per_finding_awaiting_review_under_dutch_labels(capsys, report, tmp_path):
    path, found = report
    out = tmp_path / "werklijst.xlsx"
    code, said, _ = worklist(capsys, str(path), "-o", str(out))
    n = found["summary"]["awaiting_review"]
    assert code == 0 and n == 136 and said == f"wrote {out}: {n} findings awaiting review\n"
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Werklijst"]  # the report's language (nl)
    sheet = book.active
    assert [c.value for c in sheet[1]] == HEADERS["nl"]
    rows = rows_of(out)
    assert len(rows) == n and all(row[VERDICT - 1:] == (None,) * 4 for row in rows)
    expected = sorted((r["id"], f["dataset"], json.dumps(f["key"], sort_keys=True), f["message"])
                      for r in found["rules"] for f in r.get("findings", ()))
    listed = []
    for row in rows:
        dataset, key = key_text(row[KEY - 1])
        assert dataset in (None, row[3])
        listed.append((row[0], row[3], json.dumps(key, sort_keys=True), row[5]))
    assert sorted(listed) == expected
    # a rule that finds the same key columns in several datasets names the dataset in the key
    assert ("1.1-unlisted-data-category", "1.1", "middel", "clients", "dataset=clients; column=religion") in {
        row[:5] for row in rows}
    assert ("7.1-legal-ground-missing", "disclosure_id=D018") in {(row[0], row[4]) for row in rows}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_verdict_is_a_drop_down_the_header_frozen_and_filtered(capsys, report, tmp_path, lang):
    path, found = report
    out = tmp_path / "w.xlsx"
    assert worklist(capsys, str(path), "-o", str(out), "--lang", lang)[0] == 0
    book = openpyxl.load_workbook(out)
    sheet = book[SHEET[lang]]
    last = found["summary"]["awaiting_review"] + 1
    assert [c.value for c in sheet[1]] == HEADERS[lang]
    [choice] = sheet.data_validations.dataValidation
    assert choice.type == "list" and choice.formula1 == '"justified,violation,false_positive"'
    assert str(choice.sqref) == f"G2:G{last}"
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:J{last}"
    assert sheet.cell(2, DATE).number_format == "yyyy-mm-dd"
    assert all(sheet.column_dimensions[letter].width >= 8 for letter in "ABCDEFGHIJ")
    assert sheet.column_dimensions["F"].width > sheet.column_dimensions["B"].width  # the message has room
    assert sheet.cell(2, 3).value == {"nl": "middel", "en": "medium"}[lang]


def test_reviewed_and_waived_findings_are_left_out(capsys, report, tmp_path):
    path, _ = report
    reviews = tmp_path / "reviews.csv"
    reviews.write_text("Regel,Sleutel,Oordeel,Door,Datum\n"  # a Dutch header reads as the English one
                       "7.1-legal-ground-missing,disclosure_id=D018,justified,FG,2026-11-01\n"
                       "1.1-unlisted-data-category,dataset=clients; column=religion,violation,FG,2026-11-02\n",
                       encoding="utf-8")
    out = tmp_path / "w.xlsx"
    assert worklist(capsys, str(path), "-o", str(out), "--reviews", str(reviews))[0] == 0
    keys = {(row[0], row[4]) for row in rows_of(out)}
    assert len(keys) == 134
    assert ("7.1-legal-ground-missing", "disclosure_id=D018") not in keys
    assert ("7.1-legal-ground-missing", "disclosure_id=D019") in keys
    assert ("1.1-unlisted-data-category", "dataset=clients; column=religion") not in keys
    assert ("1.1-unlisted-data-category", "dataset=access_log; column=client_name") in keys
    # reviewed in the report itself, or covered by an active waiver: not awaiting either
    config = tmp_path / "config.yaml"
    config.write_text("waivers:\n  - rule: 8.1-access-request-late\n    justification: known backlog\n"
                      "    approved_by: directie\n    expires: 2027-01-01\n")
    reviewed = audit(SAMPLE, tmp_path / "reviewed.json", "--reviews", str(reviews), "--config", str(config),
                     "--select", "7.1,8.1")
    assert worklist(capsys, str(tmp_path / "reviewed.json"), "-o", str(out))[0] == 0
    rules = [row[0] for row in rows_of(out)]
    assert len(rules) == reviewed["summary"]["awaiting_review"] and "8.1-access-request-late" not in rules
    assert rules.count("7.1-legal-ground-missing") == 1


# the rows filled in: (row, verdict, date as the officer typed it or as a spreadsheet date, note)
FILLED = [(2, "violation", dt.datetime(2026, 11, 20), "the column must go"),  # 1.1, a key with its dataset
          (4, "justified", "2026-11-21", "covering a colleague's caseload"),
          (5, "false_positive", dt.datetime(2026, 11, 22), ""),
          (30, "violation", dt.datetime(2026, 11, 23), "=not a formula")]


def finding(rule: str, dataset: str, key: dict) -> tuple[str, str, str]:
    return rule, dataset, json.dumps(key, sort_keys=True)


def fill(path: Path, rows, out: Path) -> dict[tuple[str, str, str], tuple]:
    """The worklist with `rows` filled in, saved to `out`; each finding filled in → (verdict, date, note)."""
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    given = {}
    for number, verdict, date, note in rows:
        sheet.cell(number, VERDICT, verdict)
        sheet.cell(number, BY, "FG J. de Vries")
        sheet.cell(number, DATE, date)
        cell = sheet.cell(number, NOTE, note or None)
        cell.data_type = "s"
        dataset = sheet.cell(number, 4).value
        given[finding(sheet.cell(number, RULE).value, dataset, key_text(sheet.cell(number, KEY).value)[1])] = (
            verdict, date, note)
    book.save(out)
    return given


def office_saved(path: Path, tmp_path: Path) -> Path:
    """The workbook as an office suite saves it: opened and written again by LibreOffice Calc."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: the round trip through an office suite cannot be run")
    folder = tmp_path / "saved"
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(folder), str(path)], check=True, capture_output=True,
                   timeout=180)
    saved = folder / path.name
    assert saved.exists()
    return saved


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_worklist_filled_in_and_saved_by_libreoffice_reads_back_as_reviews(capsys, report, tmp_path, lang):
    path, found = report
    blank = tmp_path / "blank.xlsx"
    assert worklist(capsys, str(path), "-o", str(blank), "--lang", lang)[0] == 0
    given = fill(blank, FILLED, tmp_path / "werklijst.xlsx")
    saved = office_saved(tmp_path / "werklijst.xlsx", tmp_path)
    checked = audit(SAMPLE, tmp_path / "r.json", "--reviews", str(saved))
    shown = {finding(rule["id"], f["dataset"], f["key"]): f["review"]
             for rule in checked["rules"] for f in rule.get("findings", ()) if "review" in f}
    assert shown == {key: {"verdict": verdict, "by": "FG J. de Vries", "note": note,
                           "on": date.date().isoformat() if isinstance(date, dt.datetime) else date}
                     for key, (verdict, date, note) in given.items()}
    violations = sum(verdict == "violation" for _, verdict, _, _ in FILLED)
    summary = checked["summary"]
    assert (summary["reviewed"], summary["awaiting_review"], summary["confirmed"]) == (
        4, found["summary"]["awaiting_review"] - 4, violations)
    for rule in checked["rules"]:
        mine = [v for (r, _, _), (v, _, _) in given.items() if r == rule["id"]]
        if rule.get("kind") == "automated":
            assert (rule["reviewed"], rule["confirmed"]) == (len(mine), mine.count("violation"))
            assert rule["awaiting_review"] == rule["finding_count"] - len(mine)
    again = tmp_path / "again.xlsx"  # the next worklist leaves out what was reviewed
    assert worklist(capsys, str(path), "-o", str(again), "--reviews", str(saved))[0] == 0
    assert len(rows_of(again)) == found["summary"]["awaiting_review"] - 4


@pytest.mark.parametrize("column, value, expected", [
    # note: each bad cell is named by its row and its column's number
    (VERDICT, "confirmed", ":3:7: error E127: 'confirmed' is not a verdict (justified, violation, false_positive)"),
    (RULE, "1.1-unlisted-data-categorie", ":3:1: error E113: unknown rule '1.1-unlisted-data-categorie'"),
    (KEY, "event_id=E0001", ":3:5: error E126: the key (event_id) of dataset clients is not the key of "
                            "1.1-unlisted-data-category's findings (column)"),
    (DATE, "2026-13-01", ":3:9: error E115: '2026-13-01' is not a date (YYYY-MM-DD)"),
])
def test_a_bad_row_of_a_filled_in_worklist_is_named_by_file_and_row(capsys, report, tmp_path, column, value,
                                                                    expected):
    path, _ = report
    blank = tmp_path / "blank.xlsx"
    assert worklist(capsys, str(path), "-o", str(blank))[0] == 0
    filled = tmp_path / "werklijst.xlsx"
    fill(blank, [(2, "justified", "2026-11-01", "ok"), (3, "violation", "2026-11-01", "")], filled)
    book = openpyxl.load_workbook(filled)
    if column == KEY:
        value = f"dataset=clients; {value}"
    book.active.cell(3, column, value)
    book.save(filled)
    code = main(["check", "--data", str(SAMPLE), "--as-of", AS_OF, "--format", "json", "--reviews", str(filled)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert f"{filled}{expected}" in err and "1 error in the reviews" in err


def test_a_file_that_is_not_a_workbook_is_one_error(capsys, tmp_path):
    path = tmp_path / "reviews.xlsx"
    path.write_text("rule,key\n")
    code = main(["check", "--data", str(SAMPLE), "--as-of", AS_OF, "--reviews", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and f"{path}:1:1: error E125: not an XLSX workbook" in err


@pytest.mark.parametrize("text, said", [
    ("{}", "not a reglement JSON report"),
    ("not json", "not JSON"),
])
def test_a_file_that_is_not_a_report_is_a_one_line_error(capsys, tmp_path, text, said):
    path = tmp_path / "r.json"
    path.write_text(text)
    code, out, err = worklist(capsys, str(path), "-o", str(tmp_path / "w.xlsx"))
    assert code == 2 and out == "" and said in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err and not (tmp_path / "w.xlsx").exists()


def test_the_worklist_is_never_written_over_its_inputs(capsys, report, tmp_path):
    path, _ = report
    copy = tmp_path / "r.json"
    copy.write_bytes(path.read_bytes())
    code, _, err = worklist(capsys, str(copy), "-o", str(copy))
    assert code == 2 and "E802" in err and copy.read_bytes() == path.read_bytes()
    code, _, err = worklist(capsys, str(copy), "-o", str(tmp_path / "w.csv"))
    assert code == 2 and "name it *.xlsx" in err
    kept = tmp_path / "w.xlsx"
    kept.write_bytes(b"previous")
    assert worklist(capsys, str(copy), "-o", str(kept))[0] == 0
    assert zipfile.is_zipfile(kept)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json", "w.xlsx"]  # replaced whole, no temporary left


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_no_cell_of_the_worklist_holds_personal_data(marked_export, capsys, tmp_path, lang):  # noqa: F811
    folder, markers = marked_export
    found = audit(folder, tmp_path / "r.json")
    out = tmp_path / "w.xlsx"
    assert worklist(capsys, str(tmp_path / "r.json"), "-o", str(out), "--lang", lang)[0] == 0
    rows = rows_of(out)
    assert len(rows) == found["summary"]["awaiting_review"] > 100
    with zipfile.ZipFile(out) as book:  # every part of the file: cells, shared strings, sheet names, properties
        text = "\n".join(book.read(name).decode("utf-8", "replace") for name in book.namelist())
    assert [m for m in markers if m in text] == []


def readme_round_trip() -> list[str]:
    """The README's worklist round trip, as it stands there: its `reglement` command lines, in order."""
    from conftest import ROOT

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## After the audit: reviewing the findings", 1)[1].split("\n## ", 1)[0]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.startswith("reglement ")]


def test_the_readmes_round_trip_in_three_commands(capsys, tmp_path, monkeypatch):
    import shlex

    from conftest import ROOT

    commands = readme_round_trip()
    assert len(commands) == 3
    monkeypatch.chdir(tmp_path)
    (tmp_path / "datasets").symlink_to(ROOT / "datasets")
    first, second, third = (shlex.split(command)[1:] for command in commands)
    assert main(first) == 1
    assert main(second) == 0
    book_path = tmp_path / "werklijst.xlsx"
    book = openpyxl.load_workbook(book_path)
    sheet = book.active
    waiting = sheet.max_row - 1
    for row, verdict in zip(range(2, 5), ("justified", "violation", "false_positive")):  # the officer's work
        sheet.cell(row, VERDICT, verdict)
        sheet.cell(row, BY, "J. de Vries (FG)")
        sheet.cell(row, DATE, dt.date(2026, 11, 27))
        sheet.cell(row, NOTE, "looked into it")
    book.save(book_path)
    capsys.readouterr()
    assert main(third) == 1 and "Nagekeken" in (tmp_path / "rapport.html").read_text(encoding="utf-8")
    as_json = [*third[:third.index("--format")], "--format", "json", "--output", "after.json"]
    assert main(as_json) == 1
    summary = json.loads((tmp_path / "after.json").read_text(encoding="utf-8"))["summary"]
    assert (summary["reviewed"], summary["confirmed"], summary["awaiting_review"]) == (3, 1, waiting - 3)


@pytest.mark.parametrize("part, holds", DAMAGES, ids=["workbook", "styles"])
def test_a_damaged_worklist_is_said_not_a_workbook_never_an_internal_error(capsys, report, tmp_path, part, holds):
    path, _ = report
    out = tmp_path / "werklijst.xlsx"
    assert worklist(capsys, str(path), "-o", str(out))[0] == 0
    damaged(out, part, holds)
    code = main(["check", "--data", str(SAMPLE), "--as-of", AS_OF, "--format", "json", "--reviews", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "internal error" not in err
    assert f"{out}:1:1: error E125: not an XLSX workbook" in err
