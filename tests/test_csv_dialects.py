"""CSV files as offices export them: Dutch Excel's `;`, Windows-1252, WAAR/ONWAAR, dd-mm-jjjj, CRLF.

The sample export is saved again the way Excel or LibreOffice on a Dutch locale saves a
sheet, with and without a byte order mark; the audit must find exactly what it finds in
the UTF-8 sample, and the report's data section must say what was detected.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from conftest import AS_OF, SAMPLE

from reglement.cli import main
from reglement.datasets import contract


def _dutch(value: str, kind: str) -> str:
    if not value:
        return value
    if kind == "bool":
        return {"true": "WAAR", "false": "ONWAAR"}[value]
    if kind in ("date", "timestamp"):
        year, month, day = value[:10].split("-")
        return f"{day}-{month}-{year}" + (" " + value[11:19] if kind == "timestamp" else "")
    return value


def dutch_excel(folder: Path, bom: bool) -> Path:
    """The sample with every CSV saved as Dutch Excel saves it: `CSV (gescheiden door lijstscheidingsteken)`
    in Windows-1252, or with `bom` `CSV UTF-8`, which starts with a byte order mark; other files as they are."""
    shutil.copytree(SAMPLE, folder)
    for path in folder.glob("*.csv"):
        kinds = {c.name: c.type for c in contract()[path.stem].columns}
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        header, body = rows[0], rows[1:]
        body = [[_dutch(v, kinds.get(name, "string")) for name, v in zip(header, row)] for row in body]
        encoding = "utf-8-sig" if bom else "cp1252"
        with path.open("w", encoding=encoding, errors="replace", newline="") as f:  # as Excel does: ı → ?
            csv.writer(f, delimiter=";", lineterminator="\r\n").writerows([header, *body])
    return folder


def findings(report: dict) -> dict[str, list]:
    return {r["id"]: sorted(json.dumps([f["dataset"], f["key"]]) for f in r.get("findings", ()))
            for r in report["rules"]}


def audit(capsys, data: Path, *extra: str) -> tuple[int, dict]:
    code = main(["check", "--data", str(data), "--as-of", AS_OF, "--format", "json", *extra])
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("bom", [False, True], ids=["no-bom", "bom"])
def test_a_dutch_excel_csv_audits_to_the_same_findings_and_says_what_was_detected(capsys, tmp_path, bom):
    folder = dutch_excel(tmp_path / "export", bom)
    raw = (folder / "clients.csv").read_bytes()
    assert b";" in raw.splitlines()[0] and b"\r\n" in raw  # really Dutch Excel
    assert raw.startswith(b"\xef\xbb\xbf") if bom else "ë".encode("cp1252") in raw
    assert b"WAAR" in (folder / "requests.csv").read_bytes()
    _, expected = audit(capsys, SAMPLE)
    code, report = audit(capsys, folder)
    assert code == 1
    assert findings(report) == findings(expected)
    dialect = report["data"]["clients"]["dialect"]
    assert {k: dialect[k] for k in ("separator", "encoding", "bom", "line_endings", "detected")} == {
        "separator": ";", "encoding": "utf-8" if bom else "windows-1252", "bom": bom, "line_endings": "CRLF",
        "detected": ["separator", "encoding"]}
    assert dialect["day_first_dates"] == ["birth_date", "registered_at"]
    assert "dialect" not in report["data"]["access_log"]  # JSON Lines has no dialect


def test_the_utf8_sample_is_read_as_comma_separated_utf8(capsys):
    _, report = audit(capsys, SAMPLE)
    assert report["data"]["clients"]["dialect"] == {"separator": ",", "encoding": "utf-8", "bom": False,
                                                    "line_endings": "LF", "detected": ["separator", "encoding"]}


def test_a_column_mixing_day_first_and_iso_dates_is_an_error_that_shows_the_shape(capsys, tmp_path):
    folder = tmp_path / "export"
    shutil.copytree(SAMPLE, folder)
    lines = (folder / "contacts.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    position = header.index("contact_date")
    year, month, day = cells[position].split("-")
    cells[position] = f"{day}-{month}-{year}"
    (folder / "contacts.csv").write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n", encoding="utf-8")
    code = main(["check", "--data", str(folder), "--as-of", AS_OF])
    err = capsys.readouterr().err
    assert code == 2
    assert "row 1, column contact_date: error E706: expected a date YYYY-MM-DD, got '99-99-9999'" in err


def test_separator_and_encoding_can_be_given(capsys, tmp_path):
    folder = dutch_excel(tmp_path / "export", bom=False)
    code, report = audit(capsys, folder, "--csv-separator", ";", "--encoding", "cp1252")
    assert code == 1
    assert report["data"]["users"]["dialect"]["detected"] == []
    assert report["data"]["users"]["dialect"]["encoding"] == "windows-1252"
    assert report["unread"] == ["README.md"]


def test_a_wrong_encoding_says_which_option_to_pass(capsys, tmp_path):
    folder = dutch_excel(tmp_path / "export", bom=False)
    code = main(["check", "--data", str(folder), "--as-of", AS_OF, "--encoding", "utf-8"])
    err = capsys.readouterr().err
    assert code == 2 and "not valid UTF-8 (pass --encoding windows-1252" in err


@pytest.mark.parametrize("name", ["clients.CSV", "clients.csv.gz"])
def test_windows_and_nightly_job_names_are_read(capsys, tmp_path, name):
    import gzip

    folder = tmp_path / "export"
    shutil.copytree(SAMPLE, folder)
    data = (folder / "clients.csv").read_bytes()
    (folder / "clients.csv").unlink()
    (folder / name).write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    _, expected = audit(capsys, SAMPLE)
    code, report = audit(capsys, folder)
    assert code == 1 and findings(report) == findings(expected)
    assert report["data"]["clients"]["path"].endswith(name)
