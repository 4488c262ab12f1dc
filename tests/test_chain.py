"""A chain of reports: `reglement verify` accepts an untouched chain and names the first broken link.

Three monthly reports of the sample export, each written with `--previous` the one
before. Then one thing at a time is changed — a report, an export file, a signature, a
link — and `verify` must say which report broke and what, exit 1, and print no data.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from conftest import SAMPLE
from signing import ed25519_keys

from reglement.cli import main

DATES = ("2026-09-30", "2026-10-31", "2026-11-28")


@pytest.fixture
def chain(tmp_path) -> tuple[Path, Path, list[Path]]:
    """The sample export copied to a folder of its own, and three reports chained over it."""
    export = tmp_path / "export"
    shutil.copytree(SAMPLE, export)
    reports = tmp_path / "reports"
    reports.mkdir()
    written: list[Path] = []
    for as_of in DATES:
        out = reports / f"{as_of}.json"
        previous = ["--previous", str(written[-1])] if written else []
        assert main(["check", "--data", str(export), "--as-of", as_of, "--format", "json", "--output", str(out),
                     *previous]) == 1  # the sample holds breaches
        written.append(out)
    return export, reports, written


def _verify(capsys, *args: str) -> tuple[int, list[str]]:
    capsys.readouterr()
    code = main(["verify", *args])
    return code, capsys.readouterr().out.splitlines()


def test_an_untouched_chain_holds(chain, capsys):
    _, reports, written = chain
    code, lines = _verify(capsys, str(reports))
    assert code == 0
    assert [line.split()[0] for line in lines[:3]] == ["OK"] * 3
    assert "first of the chain" in lines[0] and str(written[0]) in lines[0]
    head = hashlib.sha256(written[2].read_bytes()).hexdigest()  # the summary gives the head, to be kept elsewhere
    assert lines[-1] == (f"3 reports: the chain holds; its head {written[2]} has sha256 {head}: keep it outside "
                         "the folder and give it as --head next time")
    first = json.loads(written[0].read_text("utf-8"))
    second = json.loads(written[1].read_text("utf-8"))
    assert first["chain"] == {"first": True}
    assert second["chain"]["previous"]["as_of"] == DATES[0]


def test_a_changed_report_breaks_the_link_after_it(chain, capsys):
    _, reports, written = chain
    report = json.loads(written[1].read_text("utf-8"))
    report["summary"]["open_findings"] -= 1  # still valid against the schema: only the hash can tell
    written[1].write_text(json.dumps(report), "utf-8")
    code, lines = _verify(capsys, str(reports))
    assert code == 1
    assert lines[0].startswith("OK") and lines[1].startswith("OK") and lines[2].startswith("BROKEN")
    assert f"its predecessor {written[1]} is not the report it recorded" in lines[2]
    assert lines[-1] == f"3 reports: 1 broken, first {written[2]}"


def test_a_changed_export_file_is_named(chain, capsys):
    export, _reports, written = chain
    with (export / "clients.csv").open("a", encoding="utf-8") as out:
        out.write("\n")
    code, lines = _verify(capsys, *map(str, written))
    assert code == 1
    assert all(line.startswith("BROKEN") and f"export file changed since the audit: {export / 'clients.csv'}" in line
               for line in lines[:3])
    assert lines[-1] == f"3 reports: 3 broken, first {written[0]}"


def test_a_gone_export_file_is_said_but_breaks_nothing(chain, capsys):
    export, reports, _ = chain
    (export / "complaints.csv").unlink()
    code, lines = _verify(capsys, str(reports))
    assert code == 0
    assert all("export file gone (not checked)" in line for line in lines[:3])


def test_a_report_left_out_of_the_chain_is_a_break(chain, capsys):
    _, _, written = chain
    code, lines = _verify(capsys, str(written[0]), str(written[2]))
    assert code == 1 and lines[1].startswith("BROKEN")
    assert f"its predecessor {written[0]} is not the report it recorded" in lines[1]


def test_a_report_that_is_not_a_report_is_a_break(chain, capsys):
    _, reports, _ = chain
    (reports / "zz.json").write_text('{"as_of": 3}', "utf-8")
    code, lines = _verify(capsys, str(reports))
    assert code == 1
    assert any(line.startswith("BROKEN") and "not a report: a JSON object that reglement did not write" in line
               for line in lines)


def test_previous_must_be_a_report(chain, tmp_path, capsys):
    export, _, _ = chain
    bogus = tmp_path / "bogus.json"
    bogus.write_text("[]", "utf-8")
    code = main(["check", "--data", str(export), "--as-of", DATES[0], "--format", "json",
                 "--output", str(tmp_path / "out.json"), "--previous", str(bogus)])
    assert code == 2
    assert "error E804: not a reglement JSON report" in capsys.readouterr().err
    assert not (tmp_path / "out.json").exists()


def test_a_signed_report_verifies_and_a_tampered_one_does_not(tmp_path, capsys):
    export = tmp_path / "export"
    shutil.copytree(SAMPLE, export)
    secret, public = ed25519_keys(tmp_path)
    out = tmp_path / "report.json"
    assert main(["check", "--data", str(export), "--as-of", DATES[0], "--format", "json", "--output", str(out),
                 "--sign", str(secret)]) == 1
    assert (tmp_path / "report.json.sig").is_file()
    code, lines = _verify(capsys, str(out), "--public-key", str(public))
    assert code == 0 and "signature holds" in lines[0]
    (tmp_path / "other").mkdir()
    _, other = ed25519_keys(tmp_path / "other")
    code, lines = _verify(capsys, str(out), "--public-key", str(other))
    assert code == 1 and "the signature does not match the report" in lines[0]
    out.write_text(out.read_text("utf-8").replace('"lang": "nl"', '"lang": "en"'), "utf-8")
    code, lines = _verify(capsys, str(out), "--public-key", str(public))
    assert code == 1 and "the signature does not match the report" in lines[0]
    (tmp_path / "report.json.sig").unlink()
    code, lines = _verify(capsys, str(out), "--public-key", str(public))
    assert code == 1 and "no signature (report.json.sig)" in lines[0]
