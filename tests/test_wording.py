"""Issue #24's smaller things: the words of the reports and of the command line.

Timestamps in messages to the minute, counts with the right number in both languages, no
fixed English word in a Dutch report, errors that name what the user can change.
"""

from __future__ import annotations

import datetime as dt
import json
import pickle
import shutil
from pathlib import Path
from types import SimpleNamespace

import pyarrow as pa
import pytest
from conftest import AS_OF, ROOT, SAMPLE, rule_file, write_pack
from reports import audit

from reglement.checker.engine_errors import engine_failure
from reglement.checker.findings import as_text, scalar_text
from reglement.checker.formats.labels import LABELS, NOUNS, count_of, counted_label
from reglement.checker.formats.sarif import cap_notice
from reglement.checker.intake.errors import DataContractError, DataError, capped
from reglement.cli import main
from reglement.compiler import ir
from reglement.compiler.config_sources import DEFAULT_DSN_ENV
from reglement.compiler.diagnostics import in_lang
from reglement.compiler.errors import CODES
from reglement.init import init_pack


# -- timestamps in messages ---------------------------------------------------------------------
def test_a_timestamp_shows_its_minutes_and_its_seconds_only_when_they_are_not_zero() -> None:
    moments = pa.array([dt.datetime(2026, 3, 2, 9, 0), dt.datetime(2026, 3, 2, 9, 0, 7, 500), None],
                       pa.timestamp("us"))
    assert as_text(moments, "nl").to_pylist() == ["2026-03-02 09:00", "2026-03-02 09:00:07", "—"]
    assert scalar_text(dt.datetime(2026, 3, 2, 9, 0), "en") == "2026-03-02 09:00"
    assert scalar_text(dt.datetime(2026, 3, 2, 9, 0, 7, 500), "en") == "2026-03-02 09:00:07"
    assert scalar_text(dt.date(2026, 3, 2), "en") == "2026-03-02"


@pytest.mark.parametrize("engine", ["duckdb", "pandas"])
def test_the_messages_of_every_engine_show_timestamps_alike(capsys, engine: str) -> None:
    report = audit(capsys, "--data", str(SAMPLE), "--engine", engine)
    messages = [f["message"] for r in report["rules"] for f in r.get("findings", [])]
    gap = [m for m in messages if "E0137" in m]
    assert gap == ["na gebeurtenis E0137 (2026-07-20 17:00) volgt de eerste gebeurtenis pas op 2026-07-24 17:00:01: "
                   "96 volle uren zonder log"]
    assert not [m for m in messages if ":00.000000" in m or ":00:00)" in m]


# -- a count and its noun in the right number --------------------------------------------------
def test_count_phrases_say_one_in_the_singular_in_both_languages() -> None:
    assert [count_of(1, noun, "nl") for noun in ("rule", "finding", "row", "error")] == [
        "1 regel", "1 bevinding", "1 rij", "1 fout"]
    assert [count_of(2, noun, "nl") for noun in ("rule", "finding", "row", "error")] == [
        "2 regels", "2 bevindingen", "2 rijen", "2 fouten"]
    assert [count_of(1, noun, "en") for noun in ("rule", "finding", "row", "error")] == [
        "1 rule", "1 finding", "1 row", "1 error"]
    assert counted_label("nl", "show_more", 1) == "Toon de overige sleutel"
    assert counted_label("nl", "show_more", 1234) == "Toon de overige 1.234 sleutels"
    assert counted_label("en", "keys_in_json", 1) == "the other key is in the JSON report (--format json)"
    assert counted_label("en", "explained_of", 1) == "Explanations of the one row judged"
    assert counted_label("nl", "explained_of", 3) == "Verklaringen van de 3 beoordeelde rijen"
    assert set(NOUNS["nl"]) == set(NOUNS["en"])
    assert {n for n in LABELS["nl"] if n.endswith("_one")} == {n for n in LABELS["en"] if n.endswith("_one")}


@pytest.mark.parametrize("lang, closing", [
    ("nl", "1 regel: 0 in orde, 1 met bevindingen, 0 fouten; 1 bevinding"),
    ("en", "1 rule: 0 passed, 1 failed, 0 errors; 1 finding")])
def test_the_closing_line_of_a_check_counts_one_rule_and_one_finding_in_the_singular(capsys, tmp_path, lang: str,
                                                                                      closing: str) -> None:
    pack = write_pack(tmp_path / "pack", rule_file("request_id = 'RQ001'"))
    code = main(["check", "--rules", str(pack), "--data", str(SAMPLE), "--as-of", AS_OF, "--lang", lang])
    out = capsys.readouterr().out
    assert code == 1 and closing in out.splitlines(), out


def test_the_commands_count_in_the_singular(capsys, tmp_path) -> None:
    assert main(["rules", "--rules", "avg"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("4 rules and 1 manual control in ")
    init_pack(tmp_path / "gp", "gp")
    (tmp_path / "gp" / "art-02.yaml").unlink()  # its contract rules: one rule with one example is left
    assert main(["test", str(tmp_path / "gp"), "--engine", "duckdb"]) == 0
    assert capsys.readouterr().out.splitlines() == ["PASS  1.1-kept-too-long  (1 example)",
                                                    "1 rule, 1 example: 1 passed, 0 failed (run on duckdb)"]
    errors = [DataError("requests.csv", "E701", "not a date", row=2, column="received_at")]
    assert DataContractError(errors).render().endswith("the data breaks the contract: 1 problem; no rule was judged")
    assert str(capped("requests.csv", errors * 21, 21)[-1]).endswith(": 1 more error not shown")
    one = {"rules": [{"id": "1.1-x", "kind": "automated", "status": "failed", "finding_count": 3}]}
    assert cap_notice(one, 1).startswith("SARIF: 1 rule has more than 1 finding (3 in all); ")
    two = {"rules": [*one["rules"], {"id": "1.2-x", "kind": "automated", "status": "failed", "finding_count": 4}]}
    assert cap_notice(two, 2).startswith("SARIF: 2 rules have more than 2 findings (7 in all); ")


def test_the_examples_line_says_what_it_counts(capsys) -> None:
    assert main(["test", "avg", "--engine", "all"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "PASS  12.3-answer-late  (2 examples)"
    assert out[-1] == "4 rules, 9 examples: 9 passed, 0 failed (run on duckdb and pandas)"
    assert not [line for line in out if "(s)" in line or " runs" in line]


# -- no fixed English word in a Dutch report ----------------------------------------------------
@pytest.fixture(scope="module")
def without_requests(tmp_path_factory) -> Path:
    """The sample without its requests: the rules over requests cannot run."""
    folder = tmp_path_factory.mktemp("export")
    for file in SAMPLE.iterdir():
        if file.name != "requests.csv" and file.suffix in (".csv", ".jsonl"):
            shutil.copy(file, folder / file.name)
    return folder


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_a_rule_that_cannot_run_says_so_in_dutch_in_a_dutch_report(capsys, without_requests, fmt: str) -> None:
    code = main(["check", "--data", str(without_requests), "--as-of", AS_OF, "--format", fmt, "-q"])
    out = capsys.readouterr().out
    assert code == 2
    assert "cannot run" not in out and "no requests.csv" not in out
    assert "kan niet worden uitgevoerd: geen requests.csv, .jsonl, .json, .parquet of .xlsx (noch een map " in out
    if fmt == "text":
        statuses = {line[2:13].strip() for line in out.splitlines() if line.startswith("  ") and line[2] != " "}
        assert {"FOUT", "NIET OK", "handmatig"} <= statuses and not statuses & {"FAIL", "ERROR", "manual"}
    if fmt == "html":
        assert "<th>Kolom</th>" in out and "<th>column</th>" not in out


def test_a_rule_that_cannot_run_says_so_in_english_in_an_english_report(capsys, without_requests) -> None:
    code = main(["check", "--data", str(without_requests), "--as-of", AS_OF, "--format", "json", "--lang", "en"])
    report = json.loads(capsys.readouterr().out)
    errors = {r["error"] for r in report["rules"] if r.get("error")}
    assert code == 2 and errors and all(e.startswith("cannot run: no requests.csv, .jsonl, ") for e in errors)


def test_an_engine_failure_is_worded_in_both_languages() -> None:
    check = SimpleNamespace(subject="requests", condition=ir.Literal(ir.Span(1, 1, 1, 5), True, ir.BOOL), outputs={})
    said = engine_failure("duckdb", check, MemoryError())
    assert said == "the duckdb engine ran out of memory while checking requests"
    assert in_lang(said, "nl") == "de duckdb-engine had te weinig geheugen bij het controleren van requests"
    assert pickle.loads(pickle.dumps(said)).nl == said.nl


# -- compile errors that point at what the user can change --------------------------------------
def _errors_of(capsys, folder: Path) -> str:
    assert main(["test", str(folder)]) == 2
    return capsys.readouterr().err


def test_a_json_syntax_error_in_a_contract_file_is_called_json_at_its_line_and_column(capsys, tmp_path) -> None:
    init_pack(tmp_path / "gp", "gp")
    contract = tmp_path / "gp" / "contract" / "files.schema.json"
    contract.write_text('{\n  "title": "files",\n  "type": "object"\n  "properties": {}\n}\n', "utf-8")
    err = _errors_of(capsys, tmp_path / "gp")
    assert "files.schema.json:4:3: error E101: not valid JSON: expecting ',' delimiter" in err
    assert "YAML" not in err


def test_e602_points_at_the_placeholder_it_refuses(capsys, tmp_path) -> None:
    init_pack(tmp_path / "gp", "gp")
    rules = tmp_path / "gp" / "art-01.yaml"
    text = rules.read_text("utf-8").replace('deleted by {until}"', 'deleted by {until}, opened {opened_at}"')
    rules.write_text(text, "utf-8")
    err = _errors_of(capsys, tmp_path / "gp").splitlines()
    [at] = [i for i, line in enumerate(err) if "error E602" in line]
    source, caret = err[at + 1], err[at + 2]
    column = source.index("{opened_at}") - source.index("|") - 1  # 1-based in the file's line
    assert err[at].split(": error")[0].endswith(f":{column}")
    assert caret.index("^") == source.index("{opened_at}") and caret.endswith("^" + "~" * (len("{opened_at}") - 1))


def test_e121_points_at_the_documentation_and_the_schema_not_at_python_source(capsys, tmp_path) -> None:
    init_pack(tmp_path / "gp", "gp")
    contract = tmp_path / "gp" / "contract" / "files.schema.json"
    contract.write_text(contract.read_text("utf-8").replace('"x-type": "string"', '"x-type": "text"', 1), "utf-8")
    err = _errors_of(capsys, tmp_path / "gp")
    assert "error E121: " in err and "`reglement schema dataset`" in err and 'A data contract of your own' in err
    assert ".py" not in err and ".py" not in CODES["E121"].remedy


@pytest.mark.parametrize("written, hint", [
    ("'true'", "write true without quotes"), ("'False'", "write false without quotes"),
    ("'ja'", "a true/false column is compared with true or false, written without quotes")])
def test_a_bool_compared_with_quoted_text_gets_a_hint(capsys, tmp_path, written: str, hint: str) -> None:
    pack = write_pack(tmp_path / "pack", rule_file(f"identity_verified = {written}"))
    err = _errors_of(capsys, pack)
    assert "error E402: cannot compare a bool with a string" in err and hint in err


# -- the data and the documentation -------------------------------------------------------------
@pytest.mark.parametrize("content", [b"", b"\n\n", b"\xef\xbb\xbf\r\n"])
def test_an_empty_csv_is_said_to_be_empty(capsys, tmp_path, content: bytes) -> None:
    for file in SAMPLE.iterdir():
        if file.suffix in (".csv", ".jsonl"):
            shutil.copy(file, tmp_path / file.name)
    (tmp_path / "requests.csv").write_bytes(content)
    assert main(["check", "--data", str(tmp_path), "--as-of", AS_OF, "-q"]) == 2
    err = capsys.readouterr().err
    assert "requests.csv: error E703: is empty: not even a header row" in err and "cannot be read as CSV" not in err


def test_the_help_of_config_names_sources_and_the_dsn_variable(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "(sources:)" in text and f"environment variable {DEFAULT_DSN_ENV}" in text


def test_the_documentation_cites_files_the_project_has() -> None:
    sample = (SAMPLE / "README.md").read_text("utf-8")
    assert "data-contract.md" not in sample
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "checker/config.schema.json" not in readme and (ROOT / "compiler" / "config.schema.json").exists()
    commands = {line.split("`")[1].split()[1] for line in readme.splitlines() if line.startswith("| `reglement ")}
    assert {"init", "check", "test", "rules"} <= commands


def test_the_readme_example_of_rule_1_1_runs_as_written(capsys, tmp_path) -> None:
    """rules/README.md shows how to write the examples of a rule over the export's columns: its rules block,
    under an article that quotes clause 1.1, passes `reglement test` with the output the README shows."""
    readme = (ROOT / "rules" / "README.md").read_text("utf-8")
    section = readme.split("### Examples of a rule over the export's columns (rule 1.1)", 1)[1]
    rules = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    console = section.split("```console\n", 1)[1].split("```", 1)[0].splitlines()
    assert console[0] == "$ reglement test mine --engine duckdb"
    article = ('article: "1"\ntitle: {nl: Begrippen, en: Definitions}\n'
               'clauses:\n  - clause: "1.1"\n    text: Gegevens.\n')
    pack = write_pack(tmp_path / "mine", article + rules)
    assert main(["test", str(pack), "--engine", "duckdb"]) == 0
    assert capsys.readouterr().out.splitlines() == console[1:]
