"""The JSON report's `schema_version` (`checker/report_version.py`), and what the readers of a report take.

Every reader — `reglement render`, `verify`, `--baseline`, `--previous` — is given a report
without the field (1.0: as written before it came in), a report of a newer minor version with a
field this version does not know, at the top and in a rule's closed `run` object (taken: a
minor version only adds), a newer major version (refused with E808, naming both versions) and a
version that is not MAJOR.MINOR (not a report).
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from conftest import AS_OF, ROOT, SAMPLE

from reglement.checker.report import REPORT_SCHEMA
from reglement.checker.report_version import MAJOR, MINOR, SCHEMA_VERSION, UNVERSIONED, problems, version
from reglement.cli import main

NEWER_MAJOR = f"{MAJOR + 1}.0"
NEWER_MINOR = f"{MAJOR}.{MINOR + 1}"


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict:
    """The JSON report of the sample as this reglement writes it."""
    path = tmp_path_factory.mktemp("written") / "report.json"
    assert main(["check", "--data", str(SAMPLE), "--as-of", AS_OF, "--quiet", "-o", f"json={path}"]) == 1
    return json.loads(path.read_text("utf-8"))


def as_version(report: dict, value: object | None, folder: Path, name: str = "report.json") -> Path:
    """The report with `schema_version` set to `value` (left out for None) and, for a newer minor version,
    a field this version does not know at the top and in every rule's `run`."""
    changed = {k: v for k, v in report.items() if k != "schema_version"}
    if value is not None:
        changed = {"schema_version": value, **changed}
    if value == NEWER_MINOR:
        changed["signed_by"] = "a field of a later minor version"
        changed["rules"] = [{**r, "run": {**r["run"], "workers": 4}} if "run" in r else r for r in report["rules"]]
    path = folder / name
    path.write_text(json.dumps(changed), encoding="utf-8")
    return path


def test_a_report_says_its_version_and_the_schema_says_its_form(written):
    assert written["schema_version"] == SCHEMA_VERSION == f"{MAJOR}.{MINOR}"
    assert next(iter(written)) == "schema_version"
    jsonschema.validate(written, REPORT_SCHEMA)
    assert "schema_version" not in REPORT_SCHEMA["required"]  # reports written before it came in are 1.0
    assert version({}) == (1, 0) and UNVERSIONED == "1.0"
    for value in ("1.0", "1.1", "1.12", "2.0", "10.3", "1", "1.0.0", "01.1", "1.01", "v1.1", "1.1\n", 1.1, None):
        known, report = version({"schema_version": value}) is not None, {**written, "schema_version": value}
        assert bool(problems(report, REPORT_SCHEMA)) != known, value
        if value != "1.1\n":  # the schema's `$`, as Python reads it, lets a final line break pass: problems() does not
            assert jsonschema.Draft202012Validator(REPORT_SCHEMA).is_valid(report) == known, value
    assert version({"schema_version": "1.12"}) == (1, 12)


@pytest.mark.parametrize("value", [None, UNVERSIONED, SCHEMA_VERSION, NEWER_MINOR])
def test_render_and_baseline_take_the_versions_they_know(written, value, tmp_path, capsys):
    path = as_version(written, value, tmp_path)
    assert main(["render", str(path), "-f", "markdown", "-o", str(tmp_path / "r.md")]) == 0
    assert main(["check", "--data", str(SAMPLE), "--as-of", AS_OF, "--quiet", "--baseline", str(path),
                 "-o", f"json={tmp_path / 'new.json'}"]) == 1
    assert json.loads((tmp_path / "new.json").read_text("utf-8"))["baseline"]["new"] == 0
    assert capsys.readouterr().err == ""


def test_an_old_report_renders_as_it_did(tmp_path, capsys):
    """The reports of tests/fixtures were written before the field came in: 1.0, and rendered as they are."""
    old = ROOT / "tests" / "fixtures" / "reports" / "full.json"
    assert "schema_version" not in json.loads(old.read_text("utf-8"))
    assert main(["render", str(old), "-f", "json"]) == 0
    assert "schema_version" not in json.loads(capsys.readouterr().out)


def _refused(path: Path, value: str) -> str:
    return (f"{path}: error E808: written by a newer reglement: the report's schema_version is {value}, and "
            f"reglement 0.1.0 reads {MAJOR}.x; upgrade reglement to read it")


def test_render_baseline_and_previous_refuse_a_newer_major(written, tmp_path, capsys):
    path = as_version(written, NEWER_MAJOR, tmp_path)
    assert main(["render", str(path), "-f", "markdown"]) == 2
    assert capsys.readouterr().err.strip() == _refused(path, NEWER_MAJOR)
    for option in ("--baseline", "--previous"):
        assert main(["check", "--data", str(SAMPLE), "--as-of", AS_OF, option, str(path), "-f", "json"]) == 2
        assert capsys.readouterr().err.strip() == _refused(path, NEWER_MAJOR), option


def test_previous_takes_a_report_without_a_version_and_one_of_a_newer_minor(written, tmp_path, capsys):
    for value in (None, NEWER_MINOR):
        path = as_version(written, value, tmp_path)
        out = tmp_path / "next.json"
        assert main(["check", "--data", str(SAMPLE), "--as-of", AS_OF, "--quiet", "--previous", str(path),
                     "-o", f"json={out}"]) == 1
        assert json.loads(out.read_text("utf-8"))["chain"]["previous"]["as_of"] == AS_OF
    assert capsys.readouterr().err == ""


def test_a_version_that_is_not_major_minor_is_not_a_report(written, tmp_path, capsys):
    path = as_version(written, "2", tmp_path)
    assert main(["render", str(path)]) == 2
    assert "not a reglement JSON report (schema_version: '2' does not match" in capsys.readouterr().err
    assert main(["check", "--data", str(SAMPLE), "--as-of", AS_OF, "--previous", str(path)]) == 2
    assert "error E804: not a reglement JSON report" in capsys.readouterr().err


def test_verify_takes_known_versions_and_refuses_a_newer_major(written, tmp_path, capsys):
    for value in (None, NEWER_MINOR):
        assert main(["verify", str(as_version(written, value, tmp_path))]) == 0, value
        assert capsys.readouterr().out.startswith("OK ")
    path = as_version(written, NEWER_MAJOR, tmp_path)
    assert main(["verify", str(path)]) == 1
    why = _refused(path, NEWER_MAJOR).removeprefix(f"{path}: ")
    assert capsys.readouterr().out.splitlines()[0] == f"BROKEN ?           {path}  — {why}"
