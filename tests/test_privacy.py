"""No report in any format, and no error message, carries personal data.

The sample export is rewritten with a unique marker in every personal column (and in
the `religion` column that rule 1.1 reports by name). Every format, in both
languages, must then be free of every marker.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from conftest import AS_OF, SAMPLE

from reglement.cli import main
from reglement.datasets import contract

FORMATS = ["text", "json", "markdown", "html", "junit", "sarif"]


def _marker(dataset: str, column: str, row: int, kind: str) -> str:
    if kind == "date":  # dates far from anything a rule computes: 1903-01-01 onwards
        return (dt.date(1903, 1, 1) + dt.timedelta(days=37 * row + len(column))).isoformat()
    return f"ZQX{dataset[:3]}{column[:4]}{row:03d}".upper()


def _personal(dataset: str) -> dict[str, str]:
    columns = {c.name: c.type for c in contract()[dataset].columns if c.personal}
    if dataset == "clients":
        columns["religion"] = "string"  # data outside article 1.1: its values are never shown either
    return columns


def _rewrite_csv(path: Path, dataset: str, markers: set[str]) -> None:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
        fields = list(rows[0].keys())
    for i, row in enumerate(rows):
        for column, kind in _personal(dataset).items():
            if row.get(column):  # keep empty cells empty: the rules about missing data still fire
                row[column] = _marker(dataset, column, i, kind)
                markers.add(row[column])
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fields)
        writer.writeheader()
        writer.writerows(rows)


def _rewrite_jsonl(path: Path, dataset: str, markers: set[str]) -> None:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for i, row in enumerate(rows):
        for column, kind in _personal(dataset).items():
            if row.get(column):
                row[column] = _marker(dataset, column, i, kind)
                markers.add(row[column])
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


@pytest.fixture(scope="module")
def marked_export(tmp_path_factory) -> tuple[Path, set[str]]:
    folder = tmp_path_factory.mktemp("marked") / "export"
    shutil.copytree(SAMPLE, folder)
    markers: set[str] = set()
    for path in folder.iterdir():
        if path.stem in contract() and _personal(path.stem):
            (_rewrite_jsonl if path.suffix == ".jsonl" else _rewrite_csv)(path, path.stem, markers)
    assert len(markers) > 150
    return folder, markers


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_no_report_carries_personal_data(marked_export, tmp_path, capsys, fmt, lang):
    folder, markers = marked_export
    out = tmp_path / f"report.{fmt}"
    code = main(["check", "--data", str(folder), "--as-of", AS_OF, "--format", fmt, "--lang", lang,
                 "--output", str(out)])
    assert code == 1  # the marked export still has findings: the test reads real reports
    text = out.read_text(encoding="utf-8") + capsys.readouterr().err
    assert [m for m in markers if m in text] == []


def test_the_marked_export_still_flags_rules_on_personal_columns(marked_export, capsys):
    """The markers make BSNs fail the elfproef: the finding is there, the BSN is not."""
    folder, _markers = marked_export
    main(["check", "--data", str(folder), "--as-of", AS_OF, "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    invalid = next(r for r in report["rules"] if r["id"] == "4.2-invalid-bsn")
    assert invalid["finding_count"] >= 15


def test_error_messages_carry_no_personal_data(marked_export, tmp_path, capsys):
    folder, markers = marked_export
    broken = tmp_path / "broken"
    shutil.copytree(folder, broken)
    clients = (broken / "clients.csv").read_text(encoding="utf-8").splitlines()
    clients.append(clients[1])  # a duplicate key, whose row also holds every marker of that client
    (broken / "clients.csv").write_text("\n".join(clients) + "\n", encoding="utf-8")
    code = main(["check", "--data", str(broken), "--as-of", AS_OF])
    err = capsys.readouterr().err
    assert code == 2 and "duplicate key" in err
    assert [m for m in markers if m in err] == []
