"""Hostile rule packs, configurations and data: a positioned error, never a crash, a leak or a lie.

Each test removes nothing but proves one protection of issue 11: take the protection out
and the test fails.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import textwrap
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import AS_OF, ROOT, SAMPLE, rule_file, write_pack

from reglement.checker.audit import Settings, opened, run_audit
from reglement.checker.formats import render
from reglement.checker.intake import DataContractError, folder_sources, frame_sources, staging, take_in
from reglement.checker.intake.store import DuckDBStore
from reglement.cli import main
from reglement.compiler.config import Config
from reglement.compiler.diagnostics import CompileError
from reglement.compiler.stages import compile_pack, load_pack
from reglement.datasets import contract
from reglement.rules import default_pack


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def rendered(folder: Path, config: Path | None = None) -> str:
    with pytest.raises(CompileError) as caught:
        compile_pack(folder, config)
    return caught.value.render()


# -- YAML ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("value, said", [
    ("!!python/object/apply:os.system ['true']", "YAML tags are not allowed (!!python/object/apply:os.system)"),
    ("!Ref other", "YAML tags are not allowed (!Ref)"),
    ("!!str 'x'", "YAML tags are not allowed (!!str)"),
])
def test_a_tag_in_a_rule_file_is_refused_at_its_line(value, said):
    folder = write_pack(Path("pack"), rule_file("type = 'access'").replace("severity: high", f"severity: {value}"))
    text = rendered(folder)
    assert f"pack/art-01.yaml:10:15: error E101: {said}" in text


def test_a_tag_in_a_configuration_is_refused_at_its_line():
    folder = write_pack(Path("pack"), rule_file("type = 'access'"))
    Path("config.yaml").write_text("params:\n  n: !!python/name:os.system\n", encoding="utf-8")
    assert "config.yaml:2:6: error E101: YAML tags are not allowed (!!python/name:os.system)" in rendered(
        folder, Path("config.yaml"))


def test_an_alias_bomb_is_refused_before_it_grows():
    """Nine levels of nine aliases would be 387,420,489 values if expanded."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    Path("config.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    folder = write_pack(Path("pack"), rule_file("type = 'access'"))
    assert "config.yaml:1:5: error E101: YAML anchors and aliases are not allowed (&a0 or *a0)" in rendered(
        folder, Path("config.yaml"))


def test_a_key_written_twice_is_refused():
    text = rule_file("type = 'access'").replace("    severity: high\n", "    severity: high\n    severity: low\n")
    assert "error E101: the key 'severity' appears twice in one mapping" in rendered(write_pack(Path("pack"), text))


def test_plain_words_for_a_colon_in_a_value():
    text = rule_file("type = 'access'").replace("title: {nl: Test, en: Test}", "title: Test: a rule")
    message = rendered(write_pack(Path("pack"), text))
    assert "error E101: not valid YAML: a ': ' inside a value" in message and "quote text that contains ': '" in message


def test_a_rule_file_that_is_not_utf8_is_refused():
    folder = write_pack(Path("pack"), rule_file("type = 'access'"))
    (folder / "art-01.yaml").write_bytes((folder / "art-01.yaml").read_bytes().replace(b"Test", b"T\xe9st", 1))
    assert "pack/art-01.yaml:9:1: error E101: not UTF-8 text" in rendered(folder)


def test_a_rule_id_with_a_trailing_newline_is_not_a_second_rule():
    text = rule_file("type = 'access'").replace("  - id: 1.1-test-rule\n", '  - id: "1.1-test-rule\\n"\n')
    assert "is not a rule id" in rendered(write_pack(Path("pack"), text))


# -- conditions ----------------------------------------------------------------------------------
def test_a_condition_nested_5000_deep_is_refused_with_a_position():
    condition = "not " * 5000 + "type = 'access'"
    message = rendered(write_pack(Path("pack"), rule_file(condition)))
    assert "error E203: the condition nests more than 100 levels deep" in message


def test_a_40000_term_or_chain_is_refused_with_a_position():
    condition = " or ".join(["type = 'access'"] * 40_000)
    message = rendered(write_pack(Path("pack"), rule_file(condition)))
    assert "pack/art-01.yaml:13:7: error E203: the condition nests more than 100 levels deep" in message


def test_a_condition_just_inside_the_limit_runs_on_both_engines():
    condition = "not " * 90 + "type = 'access'"  # an even number of `not`s: the same as the bare test
    pack = load_pack(write_pack(Path("pack"), rule_file(condition)))
    for engine in ("duckdb", "pandas"):
        audit = run_audit(pack, Config(), folder_sources(SAMPLE, pack.contract), dt.date(2026, 11, 28),
                          Settings(engine))
        assert audit.results[0].status == "failed"


@pytest.mark.parametrize("message", ["request {request_id:{x}}", "request {request_id:>20000000}",
                                     "request {request_id!r}"])
def test_a_message_placeholder_takes_no_format(message):
    text = rendered(write_pack(Path("pack"), rule_file("type = 'access'", message=message)))
    assert "error E604:" in text and "a placeholder takes no format" in text


def test_a_rule_id_must_name_its_clause():
    text = rule_file("type = 'access'").replace("  - id: 1.1-test-rule", "  - id: 2.1-test-rule")
    assert "error E109: the id '2.1-test-rule' names clause 2.1, but the rule enforces clause 1.1" in rendered(
        write_pack(Path("pack"), text))


def test_a_failed_let_is_reported_once_not_again_where_it_is_used():
    folder = write_pack(Path("pack"), rule_file("late and type = 'access'", let="late: decided_att > received_at"))
    text = rendered(folder)
    assert text.count("error E") == 1 and "unknown column 'decided_att'" in text


def test_a_vocabulary_makes_the_type_checker_stronger():
    text = rendered(write_pack(Path("pack"), rule_file("type = 'Access'")))
    assert "error E407: 'Access' is not a value of requests.type" in text and "did you mean 'access'?" in text


# -- rule examples -----------------------------------------------------------------------------
EXAMPLES = """\
    examples:
      - note: a date that does not exist, in a row written as a block
        data:
          requests:
            - request_id: R1
              type: access
              received_at: 2026-02-30
        flagged: [R1]
      - note: a yes in Dutch, and a number too large for any column
        data:
          requests:
            - {request_id: R2, type: access, identity_verified: ja, received_at: 99999999999999999999999}
        flagged: [R2]
"""


def test_bad_example_data_is_named_at_the_line_of_its_value(capsys):
    folder = write_pack(Path("pack"), rule_file("type = 'access'") + EXAMPLES)
    assert main(["test", str(folder), "--engine", "all"]) == 1
    out = capsys.readouterr().out
    assert "pack/art-01.yaml:21: column received_at: error E706: expected a date YYYY-MM-DD, got '9999-99-99' " \
           "(no such day) (in example 1 of 1.1-test-rule, requests)" in out
    assert "pack/art-01.yaml:26: column identity_verified: error E706: expected true or false, got 'aa' " \
           "(in example 2 of 1.1-test-rule, requests)" in out
    assert "pack/art-01.yaml:26: column received_at: error E706:" in out


def test_an_example_column_of_numbers_for_a_text_is_one_error_at_its_first_value(capsys):
    numbers = ("    examples:\n      - note: numbers for a text\n        data:\n          requests:\n"
               "            - {request_id: R2, type: 5, received_at: 2026-01-01}\n"
               "            - {request_id: R3, type: 7, received_at: 2026-01-01}\n        flagged: [R2]\n")
    folder = write_pack(Path("pack"), rule_file("type = 'access'") + numbers)
    assert main(["test", str(folder), "--engine", "duckdb"]) == 1
    out = capsys.readouterr().out
    assert out.count("error E707") == 1
    assert ("pack/art-01.yaml:19: column type: error E707: a number where the contract says text: export the column "
            "as text (the column's type: all 2 values) (in example 1 of 1.1-test-rule, requests)") in out


@pytest.mark.parametrize("as_of", ["2026-02-30", "2026-03-29T02:30"])
def test_an_example_audit_date_or_moment_that_does_not_exist_is_refused_at_its_line(as_of):
    """No 30 February, and no 02:30 on the night Amsterdam's clocks skip that hour."""
    examples = EXAMPLES.replace("      - note: a yes", f"      - as_of: {as_of}\n        note: a yes")
    text = rule_file("type = 'access'") + examples
    assert (f"pack/art-01.yaml:23:16: error E123: as_of '{as_of}' is not a date or moment that exists in "
            "Europe/Amsterdam") in rendered(write_pack(Path("pack"), text))


def test_an_example_is_judged_at_the_moment_its_as_of_names():
    """`as_of` with a time of day is `$audit_time`: 72 hours after 25 November 10:00 have passed at 10:01 on the
    28th, not at 10:00."""
    def example(as_of: str, flagged: str) -> str:
        return (f"      - as_of: {as_of}\n        note: at {as_of[11:]}\n        data:\n          access_log:\n"
                "            - {event_id: E1, ts: 2026-11-25T10:00:00}\n"
                f"        flagged: [{flagged}]\n")

    text = (rule_file("$audit_time > ts + 72 hours", dataset="access_log", message="event {event_id}")
            + "    examples:\n" + example("2026-11-28T10:01", "E1") + example("2026-11-28T10:00", ""))
    assert main(["test", str(write_pack(Path("pack"), text)), "--engine", "duckdb"]) == 0


# -- parameters ------------------------------------------------------------------------------
@pytest.mark.parametrize("value", [-2, 0, 100_000_000])
def test_a_duration_parameter_outside_its_range_is_refused_at_the_config_line(value):
    Path("config.yaml").write_text(f"params:\n  retention_years: {value}\n", encoding="utf-8")
    text = rendered(default_pack(), Path("config.yaml"))
    assert f"config.yaml:2:20: error E117: 'retention_years' must be in the range 1..200, not {value}" in text


def test_a_value_for_every_rule_is_held_to_the_range_of_each_rule_that_declares_it():
    """`params: {days: 7}` sets `days` of both rules: the first allows at most 5, so 7 is refused, also though
    the last rule to declare it allows 10."""
    def rule(n: int, most: int) -> str:
        return (f"  - id: 1.1-rule-{n}\n    article: \"1.1\"\n    title: {{nl: T, en: T}}\n    severity: high\n"
                f"    dataset: requests\n    params: {{days: {{default: 2, min: 1, max: {most}}}}}\n"
                "    condition: received_at + $days days < $audit_date\n"
                "    message: {nl: 'request {request_id}', en: 'request {request_id}'}\n")

    article = rule_file("type = 'access'").split("rules:\n")[0] + "rules:\n" + rule(1, 5) + rule(2, 10)
    Path("config.yaml").write_text("params:\n  days: 7\n", encoding="utf-8")
    assert "config.yaml:2:9: error E117: 'days' must be in the range 1..5, not 7" in rendered(
        write_pack(Path("pack"), article), Path("config.yaml"))


def test_a_rule_may_allow_zero_in_its_own_range():
    folder = write_pack(Path("pack"), rule_file("received_at + $days days < $audit_date",
                                                params="{days: {default: 0, min: 0}}"))
    Path("config.yaml").write_text("params:\n  days: 0\n", encoding="utf-8")
    pack, config = compile_pack(folder, Path("config.yaml"))
    assert config.params == {"days": 0}
    assert pack.rules[0].params[0].minimum == 0


# -- attestations and waivers ------------------------------------------------------------------
def test_an_attestation_dated_after_the_audit_does_not_count_yet(capsys):
    Path("config.yaml").write_text(textwrap.dedent("""\
        attestations:
          - {control: 4.1-controller-accountable, by: FG, date: 2026-12-01, evidence: B-1, valid_until: 2027-12-01}
        """), encoding="utf-8")
    main(["check", "--data", str(SAMPLE), "--as-of", AS_OF, "--config", "config.yaml", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    control = next(r for r in report["rules"] if r["id"] == "4.1-controller-accountable")
    assert control["status"] == "manual"


def test_a_waiver_that_covers_nothing_is_counted_as_such(capsys):
    Path("config.yaml").write_text(textwrap.dedent("""\
        waivers:
          - {rule: 7.1-legal-ground-missing, keys: [{disclosure_id: D999}], justification: j, approved_by: FG,
             expires: 2030-01-01}
        """), encoding="utf-8")
    main(["check", "--data", str(SAMPLE), "--as-of", AS_OF, "--config", "config.yaml", "--format", "json"])
    rule = next(r for r in json.loads(capsys.readouterr().out)["rules"] if r["id"] == "7.1-legal-ground-missing")
    assert rule["waivers"][0]["covers"] == 0 and rule["open_count"] == rule["finding_count"] == 2


# -- engines -----------------------------------------------------------------------------------
SECRET = 'geheim "Eëlco" 4711'


@pytest.mark.parametrize("engine", ["duckdb", "pandas"])
def test_an_engine_error_never_quotes_a_value(tmp_path, engine):
    """`date()` of a free-text reason fails in the engine; its message quotes the text: never passed on."""
    data = tmp_path / "export"
    shutil.copytree(SAMPLE, data)
    requests = (data / "requests.csv").read_text("utf-8").replace(",de verklaring valt buiten het dossier,",
                                                                   f",\"{SECRET.replace(chr(34), chr(34) * 2)}\",")
    (data / "requests.csv").write_text(requests, "utf-8")
    pack = load_pack(write_pack(Path("pack"), rule_file("date(decision_reason) < $audit_date")))
    result = run_audit(pack, Config(), folder_sources(data, pack.contract), dt.date(2026, 11, 28),
                       Settings(engine)).results[0]
    assert result.status == "error"
    assert "4711" not in result.error and "geheim" not in result.error
    assert "requests.decision_reason" in result.error


def test_once_the_export_is_read_the_engine_reads_nothing_else(tmp_path):
    elsewhere = tmp_path / "elsewhere.csv"
    elsewhere.write_text("a\n1\n", encoding="utf-8")
    with opened(load_pack(default_pack()), folder_sources(SAMPLE, contract())) as run:
        con = run.engine.duck.con
        assert con.sql("SELECT count(*) FROM clients").fetchall() == [(20,)]  # the export still reads
        for query in (f"SELECT * FROM read_csv('{elsewhere}')", f"COPY clients TO '{tmp_path / 'out.csv'}'",
                      "INSTALL httpfs", "LOAD httpfs", "SET enable_external_access = true",
                      f"SET allowed_directories = ['{tmp_path}']"):
            with pytest.raises(duckdb.Error):
                con.execute(query)
    assert not (tmp_path / "out.csv").exists()


# -- broken exports ------------------------------------------------------------------------------
OBJECTIONS = "objection_id,client_id,objected_at\n"


def _taken_in(folder: Path) -> tuple[duckdb.DuckDBPyConnection, dict]:
    """The export folder's datasets taken in, as the audit does."""
    con = duckdb.connect()
    return con, take_in([DuckDBStore(con)], contract(), folder_sources(folder, contract())).datasets


def _refused(folder: Path) -> list[str]:
    with pytest.raises(DataContractError) as caught:
        _taken_in(folder)
    return [str(error) for error in caught.value.errors]


def test_a_quote_left_open_is_named_at_its_line_of_the_file(tmp_path):
    """The first value spans two lines, so the broken record (the third) starts on line 5."""
    (tmp_path / "objections.csv").write_text(OBJECTIONS + 'O1,"C\n1",2024-01-01\nO2,C2,2024-01-02\n'
                                             'O3,"C3,2024-01-03\nO4,C4,2024-01-04\n', "utf-8")
    assert _refused(tmp_path) == [f"{tmp_path / 'objections.csv'}:5: column client_id: error E710: "
                                  "a quote is left open, or text follows a closing quote"]


def test_a_ten_megabyte_field_is_read(tmp_path):
    (tmp_path / "objections.csv").write_text(OBJECTIONS + f"O1,C{'x' * 10_000_000},2024-01-01\nO2,C2,2024-01-02\n",
                                             "utf-8")
    con, datasets = _taken_in(tmp_path)
    assert datasets["objections"].rows == 2
    assert con.sql("SELECT max(length(client_id)) FROM objections").fetchall() == [(10_000_001,)]


def test_a_line_over_the_readers_limit_says_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(staging, "MAX_LINE_BYTES", 1 << 20)
    (tmp_path / "objections.csv").write_text(OBJECTIONS + "O1,C1,2024-01-01\n" + f"O2,C{'x' * 2_000_000},2024-01-01\n",
                                             "utf-8")
    assert _refused(tmp_path) == [f"{tmp_path / 'objections.csv'}:3: error E710: "
                                  "a line longer than the reader's limit of 1 MiB"]


@pytest.mark.parametrize("name, text", [
    ("objections.csv", "rowid," + OBJECTIONS + "7,O1,C1,2024-01-01\n7,O2,C2,2024-01-02\n"),
    ("objections.jsonl", '{"rowid": 7, "objection_id": "O1", "client_id": "C1", "objected_at": "2024-01-01"}\n'
                         '{"rowid": 7, "objection_id": "O2", "client_id": "C2", "objected_at": "2024-01-02"}\n'),
])
def test_a_column_named_rowid_is_a_column_like_any_other(tmp_path, name, text):
    """DuckDB's own `rowid` would be hidden by the file's; the row numbers must not depend on it."""
    (tmp_path / name).write_text(text, "utf-8")
    _, datasets = _taken_in(tmp_path)
    assert datasets["objections"].rows == 2 and datasets["objections"].extra_columns == ("rowid",)
    (tmp_path / name).write_text(text.replace("2024-01-02", "2024-02-30"), "utf-8")
    at = ":2:" if name.endswith(".jsonl") else ": row 2,"  # a JSON Lines file names its lines
    assert _refused(tmp_path) == [f"{tmp_path / name}{at} column objected_at: error E706: expected a date "
                                  "YYYY-MM-DD, got '9999-99-99' (no such day)"]


@pytest.mark.parametrize("present", ["clients.CSV.bak", "Clients.csv", "client.csv", "clients.txt"])
def test_a_missing_dataset_names_what_is_there_under_a_name_like_it(tmp_path, capsys, present):
    """The rules over clients cannot run (exit 2); each says which file it would have read."""
    data = tmp_path / "export"
    shutil.copytree(SAMPLE, data)
    (data / "clients.csv").rename(data / present)
    assert main(["check", "--data", str(data), "--as-of", AS_OF, "--format", "json", "--lang", "en"]) == 2
    errors = {rule.get("error") for rule in json.loads(capsys.readouterr().out)["rules"]}
    assert (f"cannot run: no clients.csv, .jsonl, .json, .parquet or .xlsx (nor a folder clients/ of Parquet files) "
            f"in {data}; found {present}, not read: the file must be named clients.<format>") in errors


def test_a_folder_named_like_a_dataset_file_is_named(tmp_path, capsys):
    data = tmp_path / "export"
    shutil.copytree(SAMPLE, data)
    (data / "clients.csv").unlink()
    (data / "clients.csv").mkdir()
    assert main(["check", "--data", str(data), "--as-of", AS_OF]) == 2
    assert f"{data / 'clients.csv'}: error E711: is a folder, not a csv file" in capsys.readouterr().err


def test_a_whole_number_beyond_64_bits_in_a_frame_is_worded_not_a_crash():
    frame = pd.DataFrame({"objection_id": ["O1", "O2"], "client_id": pd.Series([7, 10 ** 30], dtype=object),
                          "objected_at": ["2024-01-01", "2024-01-02"]})
    with pytest.raises(DataContractError) as caught:
        take_in([DuckDBStore(duckdb.connect())], contract(), frame_sources({"objections": frame}, contract()))
    number = "error E707: a number where the contract says text: export the column as text"
    assert [str(e) for e in caught.value.errors] == [
        f"frames['objections']: row 1, column client_id: {number}, got '9'",
        f"frames['objections']: row 2, column client_id: {number}, got '9999999999999999999999999999999'"]


def _objection(number: int, day: str = "2024-01-01") -> str:
    return json.dumps({"objection_id": f"O{number}", "client_id": "C1", "objected_at": day})


@pytest.mark.parametrize("lines, said", [
    ([_objection(1), "", _objection(2), '{"objection_id": "O3", '],
     [":4: error E710: the line ends inside a JSON value (cut short?)"]),
    ([_objection(1), "", '["O2", "C1"]', "  ", _objection(4)], [":3: error E710: an array, not a JSON object"]),
    ([_objection(1) + " " + _objection(2)], [":1: error E710: more than one JSON value on the line"]),
    ([_objection(1), "", "", _objection(2, "2024-02-30"), "", _objection(1)],
     [":4: column objected_at: error E706: expected a date YYYY-MM-DD, got '9999-99-99' (no such day)",
      ":6: column objection_id: error E708: duplicate key 'O1' (first seen on line 1)"]),
], ids=["cut-short", "not-an-object", "two-on-a-line", "after-blank-lines"])
def test_json_lines_errors_are_at_their_file_lines(tmp_path, lines, said):
    """Blank lines count as lines of the file: they shift no later error."""
    path = tmp_path / "objections.jsonl"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    assert _refused(tmp_path) == [f"{path}{where}" for where in said]


# -- reports -------------------------------------------------------------------------------------
# Clear the screen, retitle the window, go back to the start of the line and write `ok` over it,
# a C1 CSI, DEL, and a newline that would start a line of its own.
CONTROLS = "C17\x1b[2J\x1b]0;owned\x07\r  ok \x9b31m\x7f\nFAIL"
RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")  # anything but the newline that ends a line


def _report_with_controls() -> dict:
    """The minimal report, with the control characters in a key, a message, an error and a file name."""
    report = json.loads((ROOT / "tests" / "fixtures" / "reports" / "minimal.json").read_text("utf-8"))
    failed, other = report["rules"][0], report["rules"][1]
    failed["findings"][0] = {"dataset": "clients", "key": {"client_id": CONTROLS}, "message": f"client {CONTROLS}"}
    other.update(status="error", error=f"column {CONTROLS} cannot be compared")
    report["unread"] = [f"notes{CONTROLS}.txt"]
    return report


def test_the_text_report_writes_control_characters_out():
    text = render("text", _report_with_controls(), "en")
    assert not RAW_CONTROL.search(text)
    shown = "C17⟨U+001B⟩[2J⟨U+001B⟩]0;owned⟨U+0007⟩⟨U+000D⟩  ok ⟨U+009B⟩31m⟨U+007F⟩⟨U+000A⟩FAIL"
    assert f"client {shown}" in text and f"column {shown} cannot" in text and f"notes{shown}.txt" in text


def test_a_bidi_override_in_a_key_is_written_out_not_obeyed():
    """U+202E would show `C17\u202e98` as `C1789` reversed: the reader must see the character itself."""
    report = _report_with_controls()
    report["rules"][0]["findings"][0] |= {"key": {"client_id": "C17\u202e98\u2066x\u2069"},
                                          "message": "client C17\u202e98\u2066x\u2069"}
    for fmt in ("text", "markdown"):
        text = render(fmt, report, "en")
        assert "\u202e" not in text and "\u2066" not in text, fmt
        assert "C17⟨U+202E⟩98⟨U+2066⟩x⟨U+2069⟩" in text, fmt


def test_the_markdown_report_writes_control_characters_out():
    text = render("markdown", _report_with_controls(), "en")
    assert not RAW_CONTROL.search(text)
    shown = "C17⟨U+001B⟩\\[2J⟨U+001B⟩\\]0;owned⟨U+0007⟩⟨U+000D⟩  ok ⟨U+009B⟩31m⟨U+007F⟩⟨U+000A⟩FAIL"
    assert f"| client_id={shown} | clients | client {shown} |" in text and f"column {shown} cannot" in text


def test_an_error_about_the_export_writes_its_control_characters_out(tmp_path, capsys):
    """Column names come from the export: one that clears the screen is shown, not obeyed."""
    data = tmp_path / "export"
    shutil.copytree(SAMPLE, data)
    (data / "objections.csv").write_text("objection_id,client_id,objected_at,\x1b[2Jx,\x1b[2JX\n", "utf-8")
    assert main(["check", "--data", str(data), "--as-of", AS_OF]) == 2
    err = capsys.readouterr().err
    assert "column ⟨U+001B⟩[2JX: error E709: repeats the column '⟨U+001B⟩[2Jx'" in err and not RAW_CONTROL.search(err)


# -- the command line: nothing an option does can destroy an input or pass silently --------------
def _digest(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_no_path_option_can_overwrite_any_input(tmp_path, capsys):
    """Every file of the run (export, pack, configuration, baseline) against every option that writes."""
    data, pack = tmp_path / "export", tmp_path / "pack"
    shutil.copytree(SAMPLE, data)
    shutil.copytree(default_pack(), pack)
    config = tmp_path / "config.yaml"
    config.write_text("params:\n  retention_years: 3\n", encoding="utf-8")
    baseline = tmp_path / "previous.json"
    assert main(["check", "--data", str(data), "--rules", str(pack), "--as-of", AS_OF, "--format", "json",
                 "--output", str(baseline)]) == 1
    before = {name: _digest(folder) for name, folder in (("data", data), ("pack", pack))}
    files = [*data.rglob("*.*"), *pack.rglob("*.yaml"), config, baseline]
    for target in files:
        for option in ("--output", "--spill-dir"):
            args = ["check", "--data", str(data), "--rules", str(pack), "--config", str(config), "--baseline",
                    str(baseline), "--as-of", AS_OF, "--format", "json", option, str(target)]
            assert main(args) == 2, (option, target)
            assert "error E802" in capsys.readouterr().err
    assert before == {name: _digest(folder) for name, folder in (("data", data), ("pack", pack))}
    assert config.read_text("utf-8") == "params:\n  retention_years: 3\n" and json.loads(baseline.read_text("utf-8"))


def test_fail_on_new_without_a_baseline_is_refused(capsys):
    assert main(["check", "--data", str(SAMPLE), "--as-of", AS_OF, "--fail-on-new"]) == 2
    assert "error E803: --fail-on-new needs --baseline" in capsys.readouterr().err


def test_a_failed_output_names_the_report_not_a_temporary_file(tmp_path, capsys):
    target = tmp_path / "no such folder" / "report.json"
    assert main(["check", "--data", str(SAMPLE), "--as-of", AS_OF, "--format", "json", "--output", str(target)]) == 2
    err = capsys.readouterr().err
    assert str(target) in err and ".report.json." not in err


def test_a_symbolic_link_out_of_the_export_folder_is_refused(tmp_path, capsys):
    data = tmp_path / "export"
    shutil.copytree(SAMPLE, data)
    outside = tmp_path / "elsewhere.csv"
    shutil.move(data / "users.csv", outside)
    (data / "users.csv").symlink_to(outside)
    assert main(["check", "--data", str(data), "--as-of", AS_OF]) == 2
    err = capsys.readouterr().err
    assert f"{data / 'users.csv'}: error E713: is a symbolic link to something outside the export folder" in err
    inside = data / "copies"
    inside.mkdir()
    shutil.move(outside, inside / "users.csv")
    (data / "users.csv").unlink()
    (data / "users.csv").symlink_to(inside / "users.csv")  # a link that stays inside is read
    assert main(["check", "--data", str(data), "--as-of", AS_OF]) == 1
