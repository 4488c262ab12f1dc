"""The command line as scripts and CI jobs use it: exit codes, the JSON contract, files."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import jsonschema
import pytest
from conftest import AS_OF, ROOT, SAMPLE, rule_file, write_pack

from reglement.cli import main
from reglement.outputs import write_all

REPORT_SCHEMA = json.loads((ROOT / "checker" / "report.schema.json").read_text())
EXPECTED = json.loads((ROOT / "tests" / "expected" / "sample_findings.json").read_text())["findings"]


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def check_json(capsys, *extra: str, data: Path = SAMPLE) -> tuple[int, dict]:
    code, out, _err = run(capsys, "check", "--data", str(data), "--as-of", AS_OF, "--format", "json", *extra)
    return code, json.loads(out)


def test_sample_report_validates_and_has_exactly_the_planted_findings(capsys):
    code, report = check_json(capsys)
    assert code == 1
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(report)
    automated = [r for r in report["rules"] if r["kind"] == "automated"]
    assert len(automated) == 44
    assert set(EXPECTED) == {r["id"] for r in automated}
    for rule in automated:
        got = sorted(json.dumps([f["dataset"], f["key"]], sort_keys=True) for f in rule["findings"])
        want = sorted(json.dumps([e["dataset"], e["key"]], sort_keys=True) for e in EXPECTED[rule["id"]])
        assert got == want, rule["id"]
        assert rule["finding_count"] == len(rule["findings"])


def test_report_is_reproducible_apart_from_timing(capsys, tmp_path):
    outputs = []
    for name in ("a.json", "b.json"):
        code, _, _ = run(capsys, "check", "--data", str(SAMPLE), "--as-of", AS_OF, "--format", "json",
                         "--output", str(tmp_path / name))
        assert code == 1
        text = (tmp_path / name).read_text()
        run_section = re.search(r'\n  "run": \{\n.*?\n  \},', text, re.S)
        assert run_section and "started_at" in run_section.group(0)  # timing lives here, and only here
        outputs.append(text.replace(run_section.group(0), ""))
    assert outputs[0] == outputs[1]


def test_exit_0_when_nothing_is_found(capsys, tmp_path):
    pack = write_pack(tmp_path / "pack", rule_file("type = 'access' and received_at < 1900-01-01"))
    code, out, _ = run(capsys, "check", "--rules", str(pack), "--data", str(SAMPLE), "--as-of", AS_OF)
    assert code == 0
    assert "1 regel: 1 in orde, 0 met bevindingen, 0 fouten; 0 bevindingen" in out


def test_fail_on_raises_the_threshold(capsys, tmp_path):
    pack = write_pack(tmp_path / "pack", rule_file("type = 'access'").replace("severity: high", "severity: medium"))
    assert run(capsys, "check", "--rules", str(pack), "--data", str(SAMPLE), "--as-of", AS_OF)[0] == 1
    assert run(capsys, "check", "--rules", str(pack), "--data", str(SAMPLE), "--as-of", AS_OF,
               "--fail-on", "high")[0] == 0


def test_each_rule_says_how_many_rows_it_could_not_judge_for_an_unknown_code(capsys):
    """Next to the access rules: the events whose actor_kind is no code of the vocabulary, with the rule
    that lists them, counted from that rule's own findings; a rule that reads no such column says nothing."""
    _, report = check_json(capsys)
    rules = {r["id"]: r for r in report["rules"]}
    unknown = [f for f in rules["4.2-unknown-code"]["findings"]
               if f["dataset"] == "access_log" and f["key"]["column"] == "actor_kind"]
    assert unknown  # the sample carries such events
    said = [u for u in rules["5.1-unknown-actor"]["unjudged"] if u["column"] == "actor_kind"]
    assert said == [{"dataset": "access_log", "column": "actor_kind", "rows": len(unknown), "see": "4.2-unknown-code"}]
    assert "unjudged" not in rules["12.1-complaint-not-handled"]


def test_missing_dataset_makes_its_rules_error_and_exit_2(capsys, tmp_path):
    data = tmp_path / "export"
    shutil.copytree(SAMPLE, data)
    (data / "users.csv").unlink()
    code, report = check_json(capsys, data=data)
    assert code == 2
    by_id = {r["id"]: r for r in report["rules"]}
    assert by_id["5.2-no-confidentiality-statement"]["status"] == "error"
    assert "users.csv" in by_id["5.2-no-confidentiality-statement"]["error"]
    assert by_id["7.1-disclosure-without-basis"]["status"] == "failed"  # other rules still ran
    assert {r["id"] for r in report["rules"] if r["status"] == "error"} == {
        "5.1-unknown-actor", "5.1-outside-authorisation", "5.1-access-unexplained",
        "5.1-special-data-without-clearance", "5.2-no-confidentiality-statement",
        "4.2-unknown-code", "4.2-dangling-reference", "4.2-date-order"}  # every rule that reads users


def test_a_dataset_no_source_gives_is_said_on_stderr_even_when_quiet(capsys, tmp_path):
    """Exit 2 with the reason in the report only would leave a CI log without a word: stderr names the dataset."""
    data = tmp_path / "export"
    shutil.copytree(SAMPLE, data)
    (data / "users.csv").unlink()
    code, _, err = run(capsys, "check", "--data", str(data), "--as-of", AS_OF, "-q", "-o", str(tmp_path / "r.txt"))
    assert code == 2
    assert err == (f"reglement: 8 rules cannot run: no users.csv, .jsonl, .json, .parquet or .xlsx (nor a folder "
                   f"users/ of Parquet files) in {data}\n")


def test_broken_export_stops_before_any_rule(capsys, tmp_path):
    data = tmp_path / "export"
    shutil.copytree(SAMPLE, data)
    lines = (data / "requests.csv").read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("2026-", "2026/", 1)
    (data / "requests.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "check", "--data", str(data), "--as-of", AS_OF, "--format", "json")
    assert code == 2 and out == ""
    assert f"{data / 'requests.csv'}: row 3, column" in err
    assert "no rule was judged" in err


def test_rule_with_a_typo_gives_one_screen_not_a_traceback(tmp_path):
    pack = write_pack(tmp_path / "pack", rule_file("typ = 'access'"))
    result = subprocess.run([sys.executable, "-m", "reglement", "check", "--rules", str(pack), "--data", str(SAMPLE)],
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert "Traceback" not in result.stderr
    assert "error E302: unknown column 'typ' in dataset requests" in result.stderr
    assert "did you mean 'type'?" in result.stderr
    assert len(result.stderr.splitlines()) <= 24


def test_bad_arguments_exit_2(capsys):
    code, _, err = run(capsys, "check", "--data", str(SAMPLE), "--as-of", "28-11-2026")
    assert code == 2 and "is not a date (YYYY-MM-DD)" in err
    code, _, err = run(capsys, "check")
    assert code == 2 and "--data" in err


def test_output_is_written_whole_or_not_at_all(capsys, tmp_path):
    target = tmp_path / "report.json"
    target.write_text("previous report")
    pack = write_pack(tmp_path / "pack", rule_file("typ = 'access'"))
    code, _, _ = run(capsys, "check", "--rules", str(pack), "--data", str(SAMPLE), "--output", str(target))
    assert code == 2
    assert target.read_text() == "previous report"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".report")] == []


def test_input_files_are_never_modified(capsys):
    before = {p.name: p.read_bytes() for p in SAMPLE.iterdir()}
    check_json(capsys)
    assert {p.name: p.read_bytes() for p in SAMPLE.iterdir()} == before


def test_config_overrides_a_parameter(capsys, tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("params:\n  retention_years: 1\n")
    _, report = check_json(capsys, "--config", str(config))
    by_id = {r["id"]: r for r in report["rules"]}
    retention = "11.2-retention-after-last-contact"
    assert by_id[retention]["finding_count"] > len(EXPECTED[retention])


@pytest.mark.parametrize("text,message", [
    ("params:\n  retention_yeers: 1\n", "error E111: unknown parameter 'retention_yeers'"),
    ("params:\n  retention_years: two\n", "error E112: 'retention_years' must be a number"),
    ("params:\n  retention_years: 1.5\n", "error E112: 'retention_years' must be a whole number"),
    ("rules:\n  11.2-retention-after-contact:\n    params: {retention_years: 3}\n", "error E113: unknown rule"),
    ("colour: blue\n", "error E102: the file: unknown field 'colour'"),
])
def test_bad_config_is_an_error(capsys, tmp_path, text, message):
    config = tmp_path / "config.yaml"
    config.write_text(text)
    code, out, err = run(capsys, "check", "--data", str(SAMPLE), "--config", str(config))
    assert code == 2 and out == ""
    assert message in err


def test_english_messages(capsys):
    _, report = check_json(capsys, "--lang", "en")
    rule = next(r for r in report["rules"] if r["id"] == "11.2-retention-after-last-contact")
    assert rule["findings"][0]["message"].startswith("client C")
    assert "retention period ended on" in rule["findings"][0]["message"]


def test_no_progress_output_when_stderr_is_not_a_terminal(capsys):
    code, out, err = run(capsys, "check", "--data", str(SAMPLE), "--as-of", AS_OF, "--format", "json")
    assert code == 1 and err == ""
    json.loads(out)  # stdout holds the report and nothing else


def test_progress_per_phase_on_a_terminal(tmp_path):
    """stderr on a pseudo-terminal gets a progress line per phase; stdout stays the report."""
    import os
    import pty

    leader, follower = pty.openpty()
    # read the terminal while the child runs: a slow machine draws more progress than a terminal's buffer holds,
    # and a child that cannot write it waits for a reader that waits for the child
    child = subprocess.Popen(
        [sys.executable, "-m", "reglement", "check", "--data", str(SAMPLE), "--as-of", AS_OF, "--format", "json",
         "--output", str(tmp_path / "r.json")],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=follower, env={**os.environ, "COLUMNS": "120"})
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed its end
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    stdout, _ = child.communicate(timeout=300)
    assert child.returncode == 1 and stdout == b""
    assert b"read and validate" in shown and b"rules" in shown and b"report" in shown
    json.loads((tmp_path / "r.json").read_text())


def _imported(*args: str) -> set[str]:
    """The top-level modules a fresh `python -m reglement …` imports (from `-X importtime`)."""
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "reglement", *args], capture_output=True,
                         text=True, cwd=ROOT)
    return {line.rsplit("|", 1)[-1].strip() for line in run.stderr.splitlines() if line.startswith("import time:")}


def test_start_up_imports_neither_pandas_nor_openpyxl(tmp_path):
    """`--version` and a DuckDB audit of CSV files never need them (half a second of imports)."""
    version = _imported("--version")
    assert "pandas" not in version and "openpyxl" not in version and "duckdb" not in version
    audit = _imported("check", "--data", str(SAMPLE), "--as-of", AS_OF, "--format", "json",
                      "--output", str(tmp_path / "r.json"))
    assert "duckdb" in audit  # the audit ran
    assert "pandas" not in audit and "openpyxl" not in audit


# The import names of the extras' packages (pyproject.toml: spark, postgres, sign, test): none of them is needed
# to audit files, which the README's first command does after `pip install -e .`.
EXTRAS_MODULES = ("pyspark", "py4j", "adbc_driver_postgresql", "adbc_driver_manager", "cryptography", "hypothesis",
                  "polars", "lxml", "pytest", "xdist", "ruff", "pre_commit")


def test_the_sample_audit_needs_no_extra(capsys, tmp_path):
    """With every module of the extras unimportable (as after `pip install -e .`), the audit of the sample
    gives the same report; and it imports none of them where they are installed."""
    script = (f"import sys\nfor name in {EXTRAS_MODULES!r}:\n    sys.modules[name] = None\n"
              "from reglement.cli import main\nsys.exit(main(sys.argv[1:]))")
    lean = subprocess.run([sys.executable, "-c", script, "check", "--data", str(SAMPLE), "--as-of", AS_OF,
                           "--format", "json"], capture_output=True, text=True, cwd=ROOT)
    assert lean.returncode == 1 and lean.stderr == ""
    _, report = check_json(capsys)
    assert json.loads(lean.stdout)["rules"] == report["rules"]
    audit = _imported("check", "--data", str(SAMPLE), "--as-of", AS_OF, "--format", "json",
                      "--output", str(tmp_path / "r.json"))
    assert "duckdb" in audit and audit.isdisjoint(EXTRAS_MODULES)


def test_the_readme_set_up_installs_no_extra_for_the_audit_and_ci_runs_its_two_commands():
    """The README's two commands: install without extras and audit the sample; add the test extras and run
    the tests. `.ci/run` runs both, in that order (its -q flags and report options aside)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## Set-up: two commands", 1)[1].split("```console\n", 1)[1].split("```", 1)[0]
    first, second = block.strip().splitlines()
    assert first.split(" && ")[1:] == [".venv/bin/pip install -e .",
                                       ".venv/bin/reglement check --data datasets/sample --as-of 2026-11-28"]
    assert second.split(" && ") == [".venv/bin/pip install -e '.[test]'", ".venv/bin/python -m pytest"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").replace(" -q", "")
    steps = [".venv/bin/pip install -e .\n", ".venv/bin/reglement check --data datasets/sample --as-of 2026-11-28",
             ".venv/bin/pip install -e '.[test]'\n", ".venv/bin/python -m pytest"]
    places = [ci.find(step) for step in steps]
    assert -1 not in places and places == sorted(places), dict(zip(steps, places))


# -- the command line as a shell user and a CI job use it --------------------------------------
def test_short_options_and_several_outputs_in_one_run(capsys, tmp_path):
    sarif, html, text = tmp_path / "r.sarif", tmp_path / "r.html", tmp_path / "r.txt"
    code, out, _ = run(capsys, "check", "--data", str(SAMPLE), "--as-of", AS_OF, "-o", f"sarif={sarif}",
                       "-o", f"html={html}", "-f", "text", "-o", str(text))
    assert code == 1 and out == ""
    assert json.loads(sarif.read_text())["version"] == "2.1.0"
    assert html.read_text().startswith("<!DOCTYPE html>")
    assert "44 regels" in text.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html", "r.sarif", "r.txt"]  # no temporary file left


def test_two_outputs_without_a_format_are_a_usage_error(capsys, tmp_path):
    code, out, err = run(capsys, "check", "--data", str(SAMPLE), "-o", str(tmp_path / "a"), "-o", str(tmp_path / "b"))
    assert code == 2 and out == "" and "write -o FORMAT=FILE for each" in err
    assert list(tmp_path.iterdir()) == []


def test_a_failed_output_names_the_target_and_replaces_no_file(capsys, tmp_path):
    kept = tmp_path / "r.html"
    kept.write_text("previous")
    missing = tmp_path / "no-such-folder" / "r.sarif"
    code, _, err = run(capsys, "check", "--data", str(SAMPLE), "--as-of", AS_OF, "-o", f"html={kept}",
                       "-o", f"sarif={missing}")
    assert code == 2 and f"cannot write the report to {missing}" in err and "internal error" not in err
    assert kept.read_text() == "previous"  # all outputs or none
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]


def test_select_and_skip_by_article_clause_or_rule(capsys):
    code, report = check_json(capsys, "--select", "5,7.1")
    assert code == 1
    articles = {r["article"] for r in report["rules"]}
    assert articles and all(a.startswith("5.") or a == "7.1" for a in articles)
    assert report["summary"]["rules"] == sum(1 for r in report["rules"] if r["kind"] == "automated")
    assert report["selection"] == {"select": ["5", "7.1"], "skip": []}
    _, skipped = check_json(capsys, "--select", "5", "--skip", "5.1-unknown-actor")
    assert "5.1-unknown-actor" not in {r["id"] for r in skipped["rules"]}
    assert "5.1-access-unexplained" in {r["id"] for r in skipped["rules"]}


def test_a_selection_that_names_nothing_is_a_usage_error(capsys):
    code, out, err = run(capsys, "check", "--data", str(SAMPLE), "--select", "5.1-unknown-actr")
    assert code == 2 and out == ""
    assert "--select: no rule, article or clause '5.1-unknown-actr'" in err
    assert "did you mean '5.1-unknown-actor'?" in err


def test_rules_lists_ids_articles_severities_and_datasets(capsys):
    code, out, _ = run(capsys, "rules", "--format", "json")
    listed = json.loads(out)
    assert code == 0 and listed["pack"] == "westendorp"
    by_id = {r["id"]: r for r in listed["rules"]}
    assert by_id["5.1-access-unexplained"] == {**by_id["5.1-access-unexplained"], "kind": "automated", "article": "5.1",
                                            "severity": "high"}
    assert {"access_log", "users", "caseload", "requests"} <= set(by_id["5.1-access-unexplained"]["datasets"])
    assert sum(r["kind"] == "automated" for r in listed["rules"]) == 44
    code, out, _ = run(capsys, "rules", "--rules", "avg")
    assert code == 0 and out.splitlines()[-1].startswith("4 rules and 1 manual control in avg-terms ")


def test_a_selection_that_leaves_out_the_contract_rules_says_what_goes_unjudged(capsys):
    code, _, err = run(capsys, "check", "--data", str(SAMPLE), "--as-of", AS_OF, "--format", "json",
                       "--select", "5.1-access-unexplained")
    assert code == 1
    [line] = err.splitlines()
    assert line.startswith("reglement: the selection leaves out 4.2-unknown-code, 4.2-dangling-reference, "
                           "4.2-date-order: unjudged in this run are the vocabulary (access_log.actor_kind, ")
    assert "reference (caseload.user_id, " in line and "date order (caseload.assigned_until, " in line
    code, _, err = run(capsys, "check", "--data", str(SAMPLE), "--as-of", AS_OF, "--format", "json",
                       "--select", "5.1-access-unexplained,4.2")
    assert code == 1 and err == ""  # the contract rules chosen too: nothing goes unjudged


def test_exit_zero_and_quiet(capsys, tmp_path):
    code, _, err = run(capsys, "check", "--data", str(SAMPLE), "--as-of", AS_OF, "--exit-zero",
                       "-o", f"sarif={tmp_path / 'r.sarif'}", "--sarif-max-results", "1")
    assert code == 0 and "each gives its first 1 as results" in err  # the cap is said on stderr
    code, _, err = run(capsys, "check", "--data", str(SAMPLE), "--as-of", AS_OF, "--quiet",
                       "-o", f"sarif={tmp_path / 'r.sarif'}", "--sarif-max-results", "1")
    assert code == 1 and err == ""
    missing = tmp_path / "export"
    shutil.copytree(SAMPLE, missing)
    (missing / "users.csv").unlink()
    assert run(capsys, "check", "--data", str(missing), "--as-of", AS_OF, "--exit-zero")[0] == 2  # not done is not done


def test_render_writes_a_json_report_again_in_every_format_as_check_does(capsys, tmp_path):
    first = {fmt: tmp_path / f"a.{fmt}" for fmt in ("json", "html", "markdown", "junit", "sarif", "text")}
    run(capsys, "check", "--data", str(SAMPLE), "--as-of", AS_OF, "--lang", "en",
        *[arg for fmt, path in first.items() for arg in ("-o", f"{fmt}={path}")])
    for fmt, path in first.items():
        again = tmp_path / f"b.{fmt}"
        code, _, _ = run(capsys, "render", str(first["json"]), "-f", fmt, "-o", str(again))
        assert code == 0 and again.read_text() == path.read_text(), fmt
    (tmp_path / "not.json").write_text('{"tool": 1}')
    code, _, err = run(capsys, "render", str(tmp_path / "not.json"))
    assert code == 2 and "not a reglement JSON report" in err


def test_usage_errors_are_usage_errors(capsys, tmp_path):
    code, _, err = run(capsys, "generate", "--out", str(tmp_path / "x"), "--clients", "20")
    assert code == 2 and "--clients must be at least" in err and "internal error" not in err
    code, _, err = run(capsys, "check", "--data", str(SAMPLE), "--sarif-max-results", "0")
    assert code == 2 and "at least 1" in err
    code, _, err = run(capsys, "check", "--data", str(SAMPLE), "--csv-separator", "x")
    assert code == 2 and "is not a CSV separator" in err


@pytest.mark.parametrize("engine", ["duckdb", "pandas"])
def test_booleans_in_messages_are_words_of_the_reports_language(capsys, engine):
    for lang, words in (("nl", ("ja", "nee")), ("en", ("yes", "no"))):
        _, report = check_json(capsys, "--engine", engine, "--lang", lang)
        incomplete = next(r for r in report["rules"] if r["id"] == "4.2-incomplete-client")
        messages = [f["message"] for f in incomplete["findings"]]
        assert all(f": {words[0]}" in m or f": {words[1]}" in m for m in messages), messages
        texts = [f["message"] for r in report["rules"] for f in r.get("findings", ())]
        assert not [m for m in texts if re.search(r"\b(True|False|None)\b", m)]


def test_what_the_confirmation_raises_is_not_said_as_a_report_that_cannot_be_written(tmp_path):
    """A file of the export that went away while it was hashed is that file's error, not the report's."""
    def gone() -> None:
        raise FileNotFoundError(2, "No such file or directory", "export/access_log.parquet")

    with pytest.raises(FileNotFoundError):
        write_all([(tmp_path / "report.json", lambda out: out.write("{}"))], gone)
    assert list(tmp_path.iterdir()) == []


def test_a_memory_limit_and_a_spill_folder_change_no_finding_and_leave_nothing_behind(capsys, tmp_path):
    """With --memory-limit and a --spill-dir not there yet, the audit of a Parquet log (whose keys are
    counted in a database of their own, spilling into a folder of its own there) finds what it finds
    without them, and the spill folder is left empty."""
    data = tmp_path / "export"
    shutil.copytree(SAMPLE, data)
    log = data / "access_log.jsonl"
    duckdb.connect().execute(f"COPY (SELECT * FROM read_json('{log}')) TO '{data / 'access_log.parquet'}' "
                             "(FORMAT parquet)")
    log.unlink()
    reports = []
    for options in ([], ["--memory-limit", "500MB", "--spill-dir", str(tmp_path / "spill")]):
        code, report = check_json(capsys, *options, data=data)
        assert code == 1
        reports.append({r["id"]: r.get("findings") for r in report["rules"]})
    assert reports[0] == reports[1] and any(reports[0].values())
    assert list((tmp_path / "spill").iterdir()) == []


def test_a_repeated_key_in_a_parquet_log_stops_the_audit_though_it_is_counted_beside_the_rules(capsys, tmp_path):
    """The key order of a file read in place is counted while the rules run (checker/intake/key_order.py);
    a repeated key still gives exit 2, the contract error and no report."""
    data = tmp_path / "export"
    shutil.copytree(SAMPLE, data)
    log = data / "access_log.jsonl"
    con = duckdb.connect()
    first, second = con.sql(f"SELECT event_id FROM read_json('{log}') LIMIT 2").fetchall()
    con.execute(f"COPY (SELECT * REPLACE (CASE WHEN event_id = '{second[0]}' THEN '{first[0]}' ELSE event_id END "
                f"AS event_id) FROM read_json('{log}')) TO '{data / 'access_log.parquet'}' (FORMAT parquet)")
    log.unlink()
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "report.json").write_text("the last audit's", encoding="utf-8")
    for output in ([], ["-o", f"json={reports / 'report.json'}", "-o", f"html={reports / 'report.html'}"]):
        # the reports are written while the keys are counted, and put in place (or shown) only after
        code, out, err = run(capsys, "check", "--data", str(data), "--as-of", AS_OF, "--format", "json", *output)
        assert code == 2 and out == ""
        assert f"{data / 'access_log.parquet'}: row 2, column event_id: error E708: duplicate key '{first[0]}'" in err
        assert "no rule was judged" in err
        assert [p.name for p in reports.iterdir()] == ["report.json"]
        assert (reports / "report.json").read_text(encoding="utf-8") == "the last audit's"


def test_an_export_made_for_pack_1_1_is_told_which_pack_added_the_columns_it_lacks(capsys, tmp_path):
    """Pack 1.2 added five columns (`x-since` in the contract): an export without them stops with E704, and
    the message names the pack that added each; a column from the first pack says nothing of the kind."""
    import csv
    data = tmp_path / "export"
    shutil.copytree(SAMPLE, data)
    for name, drop in (("users", {"manager_id", "role"}), ("complaints", {"handled_by"})):
        with (data / f"{name}.csv").open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        kept = [c for c in rows[0] if c not in drop]
        with (data / f"{name}.csv").open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, kept, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
    code, out, err = run(capsys, "check", "--data", str(data), "--as-of", AS_OF)
    assert code == 2 and out == ""
    assert "E704: missing column 'manager_id' (rule pack 1.2 added it: export it too)" in err
    assert "E704: missing column 'handled_by' (rule pack 1.2 added it: export it too)" in err
    assert "E704: missing column 'role'" in err and "missing column 'role' (" not in err
    assert "Traceback" not in err


# -- optional parts without their extras, and a reader that stops early --------------------------
def _without(monkeypatch, package: str) -> None:
    """`package` as if not installed: every import of it (or of a module of it) fails."""
    for name in [m for m in sys.modules if m == package or m.startswith(f"{package}.")] + [package]:
        monkeypatch.setitem(sys.modules, name, None)


def test_spark_without_its_extra_says_which_extra_to_install(capsys, monkeypatch):
    _without(monkeypatch, "pyspark")
    code, out, err = run(capsys, "check", "--engine", "spark", "--data", str(SAMPLE), "--as-of", AS_OF)
    assert code == 2 and out == ""
    assert err == ("reglement: --engine spark needs reglement's spark extra, which is not installed: "
                   "pip install 'reglement[spark]'\n")


def test_a_postgres_mapping_without_its_extra_says_which_extra_to_install(capsys, monkeypatch, tmp_path):
    _without(monkeypatch, "adbc_driver_postgresql")
    monkeypatch.setenv("REGLEMENT_PG_DSN", "postgresql://auditor:s3cr3t@127.0.0.1:9/crm")
    config = tmp_path / "config.yaml"
    config.write_text("sources:\n  postgres: {}\n  datasets:\n    clients: {table: clienten}\n", encoding="utf-8")
    for engine in ("postgres", "duckdb"):
        code, out, err = run(capsys, "check", "--engine", engine, "--config", str(config), "--as-of", AS_OF, "-q")
        assert code == 2 and out == ""
        assert err.splitlines()[-1] == (
            "reglement: a configuration that maps datasets to PostgreSQL tables (sources:) needs reglement's "
            "postgres extra, which is not installed: pip install 'reglement[postgres]'")
        assert "s3cr3t" not in err and "internal error" not in err


def test_signing_and_verifying_without_the_sign_extra_say_which_extra_to_install(capsys, monkeypatch, tmp_path):
    key = tmp_path / "key.pem"
    key.write_text("-----BEGIN PRIVATE KEY-----\n", encoding="utf-8")
    _without(monkeypatch, "cryptography")
    code, _, err = run(capsys, "check", "--data", str(SAMPLE), "--as-of", AS_OF, "--format", "json",
                       "-o", str(tmp_path / "r.json"), "--sign", str(key))
    assert code == 2 and "pip install 'reglement[sign]'" in err and "internal error" not in err
    assert not (tmp_path / "r.json").exists()
    (tmp_path / "r.json").write_text("{}", encoding="utf-8")
    code, _, err = run(capsys, "verify", str(tmp_path / "r.json"), "--public-key", str(key))
    assert code == 2 and "pip install 'reglement[sign]'" in err and "internal error" not in err


def test_a_reader_that_stops_early_leaves_the_audits_exit_status(tmp_path):
    """`reglement check … | head -1`: the findings still fail the job (exit 1), with no traceback and nothing
    more written; the report (100 kB of JSON) is far larger than the pipe holds, so its writer meets the closed
    pipe."""
    process = subprocess.Popen([sys.executable, "-m", "reglement", "check", "--data", str(SAMPLE), "--as-of", AS_OF,
                                "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
    first = process.stdout.readline()
    process.stdout.close()  # as `head -1` exits
    err = process.stderr.read()
    assert process.wait(timeout=120) == 1
    assert first == b"{\n" and err == b""


def test_a_column_of_a_type_the_contract_refuses_is_one_error_and_the_count_covers_what_is_not_shown(capsys,
                                                                                                   tmp_path):
    """A Parquet column of timestamps with a zone is one error for the column, beside the empty cells each
    said on its row; the summary counts every problem, those not shown too."""
    import datetime as dt

    import pyarrow as pa
    import pyarrow.parquet as pq

    data = tmp_path / "export"
    shutil.copytree(SAMPLE, data)
    (data / "objections.csv").unlink()
    zoned = dt.datetime(2026, 1, 5, 10, tzinfo=dt.UTC)
    pq.write_table(pa.table({"objection_id": [f"O{i:02}" for i in range(1, 31)],
                             "client_id": [None] * 25 + ["C1"] * 5, "objected_at": [zoned] * 30}),
                   data / "objections.parquet")
    code, out, err = run(capsys, "check", "--data", str(data), "--as-of", AS_OF)
    path = data / "objections.parquet"
    empty = "column client_id: error E705: empty value in a required column"
    assert code == 2 and out == ""
    assert err.splitlines() == [
        f"{path}: row 1, {empty}",
        f"{path}: column objected_at: error E706: a timestamp with a time zone, where the contract's timestamps are "
        "local time without one: export it without the zone (the column's type: all 30 values)",
        *[f"{path}: row {i}, {empty}" for i in range(2, 20)],
        f"{path}: 6 more errors not shown",
        "the data breaks the contract: 26 problems; no rule was judged"]
