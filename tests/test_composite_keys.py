"""Composite keys: a dataset keyed by several columns, named by all of them wherever a key appears.

The pack in `fixtures/keys_pack` keeps a caseload of assignments keyed by `user_id`, `client_id`
and `assigned_from` (`"x-key": [...]`): no identifier is invented. Its export has two open
backups of one user and one client (U1, C1) that differ only in `assigned_from`, so a key that
lost a part would make them one finding.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from conftest import ROOT
from reports import audit_and_schemas

from reglement.cli import main

KEYS = ROOT / "tests" / "fixtures" / "keys_pack"
EXPORT = KEYS / "export"
AS_OF = "2026-01-01"
OPEN = "3.2-open-backup"
FIRST = {"user_id": "U1", "client_id": "C1", "assigned_from": "2025-07-01"}
SECOND = {"user_id": "U1", "client_id": "C1", "assigned_from": "2025-09-01"}


def check(capsys, *extra: str, data: Path = EXPORT) -> tuple[int, dict]:
    code = main(["check", "--rules", str(KEYS), "--data", str(data), "--as-of", AS_OF, "--format", "json", *extra])
    return code, json.loads(capsys.readouterr().out)


def findings(report: dict, rule: str) -> list[dict]:
    return next(r for r in report["rules"] if r["id"] == rule)["findings"]


def copied(tmp_path: Path, edit=None) -> Path:
    """The pack's export, copied, with `edit(text)` applied to its assignments."""
    folder = tmp_path / "export"
    shutil.copytree(EXPORT, folder)
    if edit is not None:
        path = folder / "assignments.csv"
        path.write_text(edit(path.read_text("utf-8")), "utf-8")
    return folder


def test_the_packs_examples_pass_on_both_engines(capsys):
    """Its examples flag rows by every part of the key, and order a day's rows by the whole key (`next … by`)."""
    assert main(["test", str(KEYS)]) == 0
    assert "5 rules, 5 examples: 5 passed, 0 failed" in capsys.readouterr().out


def test_every_finding_names_all_parts_of_the_key_in_the_contracts_order(capsys):
    code, report = check(capsys)
    assert code == 1
    assert [f["key"] for f in findings(report, OPEN)] == [FIRST, SECOND]
    assert list(findings(report, OPEN)[0]["key"]) == ["user_id", "client_id", "assigned_from"]
    [unknown] = findings(report, "3.1-unknown-code")
    assert unknown["key"] == {"user_id": "U2", "client_id": "C3", "assigned_from": "2025-02-01", "column": "role"}
    assert unknown["message"].startswith("assignments user_id=U2, client_id=C3, assigned_from=2025-02-01: role ")
    assert "vervanging" not in json.dumps(report)  # the personal note is never shown


def test_pandas_finds_what_duckdb_finds_with_the_same_types(capsys):
    duckdb = audit_and_schemas(capsys, "--engine", "duckdb", "--rules", str(KEYS), "--data", str(EXPORT),
                               "--as-of", AS_OF)
    pandas = audit_and_schemas(capsys, "--engine", "pandas", "--rules", str(KEYS), "--data", str(EXPORT),
                               "--as-of", AS_OF)
    assert [r["findings"] for r in pandas[0]["rules"]] == [r["findings"] for r in duckdb[0]["rules"]]
    assert pandas[1] == duckdb[1]  # a date in the key is a date on both engines


def test_spark_finds_what_duckdb_finds(spark, capsys):
    duckdb = audit_and_schemas(capsys, "--rules", str(KEYS), "--data", str(EXPORT), "--as-of", AS_OF)
    found = audit_and_schemas(capsys, "--engine", "spark", "--rules", str(KEYS), "--data", str(EXPORT),
                              "--as-of", AS_OF)
    assert [r["findings"] for r in found[0]["rules"]] == [r["findings"] for r in duckdb[0]["rules"]]
    assert found[1] == duckdb[1]


def test_postgres_tables_with_a_composite_primary_key_give_what_duckdb_finds(server, capsys, tmp_path, monkeypatch):
    from pg_cluster import config_file, load_export

    from reglement.datasets import load_contract

    dsn = server.database("keys")
    sources = load_export(dsn, EXPORT, load_contract(KEYS / "contract"))
    monkeypatch.setenv("REGLEMENT_PG_DSN", dsn)
    duckdb = audit_and_schemas(capsys, "--rules", str(KEYS), "--data", str(EXPORT), "--as-of", AS_OF)
    found = audit_and_schemas(capsys, "--engine", "postgres", "--rules", str(KEYS), "--as-of", AS_OF,
                              "--config", str(config_file(tmp_path, sources)))
    assert [r["findings"] for r in found[0]["rules"]] == [r["findings"] for r in duckdb[0]["rules"]]


# -- the intake -------------------------------------------------------------------------------------
@pytest.mark.parametrize("engine", ["duckdb", "spark"])  # Spark's scans have no order: repeats counted at once
def test_a_repeated_composite_key_is_one_error_naming_its_parts_and_rows(capsys, tmp_path, engine, request):
    """Two rows with every part alike are refused, at the second one's line, never quoting the note."""
    if engine == "spark":
        request.getfixturevalue("spark")
    data = copied(tmp_path, lambda text: text + "U1,C1,2025-07-01,,case_manager,vervanging Anna\n")
    assert main(["check", "--engine", engine, "--rules", str(KEYS), "--data", str(data), "--as-of", AS_OF]) == 2
    err = capsys.readouterr().err
    assert (f"{data / 'assignments.csv'}: row 8: error E708: duplicate key user_id=U1, client_id=C1, "
            "assigned_from=2025-07-01 (first seen on row 2)") in err
    assert "1 problem" in err and "vervanging" not in err


@pytest.mark.parametrize("engine", ["duckdb", "pandas"])
def test_rows_alike_in_all_but_one_part_of_the_key_are_two_rows(capsys, tmp_path, engine):
    data = copied(tmp_path, lambda text: text + "U1,C1,2025-07-02,,case_manager,\n")
    code, report = check(capsys, "--engine", engine, data=data)
    assert code == 1 and report["data"]["assignments"]["rows"] == 8


def test_a_missing_part_of_the_key_is_refused_as_a_missing_value(capsys, tmp_path):
    data = copied(tmp_path, lambda text: text + "U1,C5,,,case_manager,\n")
    assert main(["check", "--rules", str(KEYS), "--data", str(data), "--as-of", AS_OF]) == 2
    assert "row 8, column assigned_from: error E705: empty value in a required column" in capsys.readouterr().err


@pytest.mark.parametrize("edit, said", [
    # note: the key's columns must come first, in the key's order
    (lambda s: s.replace('["user_id", "client_id", "assigned_from"]', '["client_id", "user_id", "assigned_from"]'),
     "error E122: the key columns 'client_id', 'user_id', 'assigned_from' must be the first 3 columns, in that order"),
    # note: a part of a composite key may not be null
    (lambda s: s.replace('"client_id": {"type": "string"', '"client_id": {"type": ["string", "null"]'),
     "error E122: the key column 'client_id' may not be null"),
    # note: a key names a column once
    (lambda s: s.replace('["user_id", "client_id", "assigned_from"]', '["user_id", "user_id"]'),
     "error E122: the key names 'user_id' twice"),
])
def test_a_composite_key_that_is_not_the_first_columns_is_an_error_at_its_line(capsys, tmp_path, edit, said):
    pack = tmp_path / "pack"
    shutil.copytree(KEYS, pack)
    schema = pack / "contract" / "assignments.schema.json"
    schema.write_text(edit(schema.read_text("utf-8")), "utf-8")
    assert main(["test", str(pack)]) == 2
    assert said in capsys.readouterr().err


# -- waivers, reviews, baselines --------------------------------------------------------------------
def test_a_waiver_covers_the_whole_key_only(capsys, tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(f"waivers:\n  - rule: {OPEN}\n    keys: [{json.dumps(SECOND)}]\n    justification: known\n"
                      "    approved_by: FG\n    expires: 2026-12-31\n", "utf-8")
    _, report = check(capsys, "--config", str(config))
    assert [f.get("waived", False) for f in findings(report, OPEN)] == [False, True]


@pytest.mark.parametrize("name, text", [
    ("reviews.yaml", "reviews:\n  - rule: 3.2-open-backup\n    key: {user_id: U1, client_id: C1, assigned_from: "
                     "2025-09-01}\n    verdict: justified\n    by: FG\n    date: 2025-12-01\n"),
    ("reviews.csv", "rule,key,verdict,by,date\n"
                    "3.2-open-backup,user_id=U1;client_id=C1;assigned_from=2025-09-01,justified,FG,2025-12-01\n"),
])
def test_a_review_judges_the_finding_of_its_whole_key(capsys, tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, "utf-8")
    _, report = check(capsys, "--reviews", str(path))
    assert ["review" in f for f in findings(report, OPEN)] == [False, True]


def test_a_review_naming_part_of_a_composite_key_says_what_it_lacks(capsys, tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_text("rule,key,verdict,by,date\n3.2-open-backup,user_id=U1;client_id=C1,justified,FG,2025-12-01\n",
                    "utf-8")
    assert main(["check", "--rules", str(KEYS), "--data", str(EXPORT), "--as-of", AS_OF, "--reviews", str(path)]) == 2
    assert ("reviews.csv:2:17: error E126: the key (client_id, user_id) is not the key of 3.2-open-backup's findings "
            "(user_id, client_id, assigned_from): it lacks assigned_from") in capsys.readouterr().err


def test_a_baseline_matches_a_finding_on_its_whole_key(capsys, tmp_path):
    """A finding that keeps its key is open; one whose date moved is new, and the old key resolved."""
    previous = tmp_path / "previous.json"
    assert main(["check", "--rules", str(KEYS), "--data", str(EXPORT), "--as-of", AS_OF, "--format", "json",
                 "--output", str(previous)]) == 1
    moved = copied(tmp_path, lambda text: text.replace("U1,C1,2025-09-01", "U1,C1,2025-10-01"))
    _, report = check(capsys, "--baseline", str(previous), data=moved)
    assert [(f["key"]["assigned_from"], f["baseline"]) for f in findings(report, OPEN)] == [
        ("2025-07-01", "open"), ("2025-10-01", "new")]
    resolved = next(r for r in report["rules"] if r["id"] == OPEN)["resolved"]
    assert resolved == [SECOND]


# -- formats, explain, the worklist -----------------------------------------------------------------
def test_sarif_fingerprints_are_stable_and_distinct_per_composite_key(capsys):
    def results() -> list[dict]:
        code = main(["check", "--rules", str(KEYS), "--data", str(EXPORT), "--as-of", AS_OF, "--format", "sarif"])
        assert code == 1
        return [r for r in json.loads(capsys.readouterr().out)["runs"][0]["results"] if r["ruleId"] == OPEN]

    first, again = results(), results()
    prints = [r["partialFingerprints"] for r in first]
    assert prints == [r["partialFingerprints"] for r in again] and prints[0] != prints[1]
    assert [r["locations"][0]["logicalLocations"][0]["name"] for r in first] == [
        "user_id=U1, client_id=C1, assigned_from=2025-07-01", "user_id=U1, client_id=C1, assigned_from=2025-09-01"]


def test_the_html_key_table_has_a_column_per_part_of_the_key(capsys):
    assert main(["check", "--rules", str(KEYS), "--data", str(EXPORT), "--as-of", AS_OF, "--format", "html",
                 "--lang", "en"]) == 1
    page = capsys.readouterr().out
    assert "<th>user_id</th><th>client_id</th><th>assigned_from</th>" in page


def test_markdown_and_junit_name_every_part(capsys):
    for fmt in ("markdown", "junit"):
        main(["check", "--rules", str(KEYS), "--data", str(EXPORT), "--as-of", AS_OF, "--format", fmt])
        assert "user_id=U1, client_id=C1, assigned_from=2025-09-01" in capsys.readouterr().out, fmt


@pytest.mark.parametrize("key", ["user_id=U1,client_id=C1,assigned_from=2025-09-01",
                                 "user_id=U1; client_id=C1; assigned_from=2025-09-01",
                                 "assigned_from=2025-09-01,client_id=C1,user_id=U1"])
def test_explain_a_row_by_every_part_of_its_key(capsys, key):
    assert main(["explain", OPEN, "--rules", str(KEYS), "--data", str(EXPORT), "--key", key, "--as-of", AS_OF]) == 0
    out = capsys.readouterr().out
    assert "FLAGGED by both engines" in out
    assert "client_id = C1" in out and "assigned_from = 2025-09-01" in out


def test_explain_tells_a_row_that_differs_in_one_part_only_is_not_flagged(capsys):
    key = "user_id=U1,client_id=C1,assigned_from=2025-01-01"
    assert main(["explain", OPEN, "--rules", str(KEYS), "--data", str(EXPORT), "--key", key, "--as-of", AS_OF]) == 0
    assert "not flagged by either engine" in capsys.readouterr().out


@pytest.mark.parametrize("key, said", [
    # note: a part left out is named
    ("user_id=U1,client_id=C1", "; it lacks assigned_from"),
    # note: a part the key does not have
    ("user_id=U1,client_id=C1,assigned_from=2025-09-01,role=backup", "got 'user_id=U1,client_id=C1,"),
])
def test_explain_with_a_key_that_is_not_the_rules_says_which_parts_it_needs(capsys, key, said):
    assert main(["explain", OPEN, "--rules", str(KEYS), "--data", str(EXPORT), "--key", key, "--as-of", AS_OF]) == 2
    err = capsys.readouterr().err
    assert "--key must be user_id=VALUE,client_id=VALUE,assigned_from=VALUE for rule 3.2-open-backup" in err
    assert said in err


def test_a_worklist_saved_by_libreoffice_reads_back_as_reviews_of_the_whole_key(capsys, tmp_path):
    from test_worklist import BY, DATE, VERDICT, office_saved

    report = tmp_path / "report.json"
    assert main(["check", "--rules", str(KEYS), "--data", str(EXPORT), "--as-of", AS_OF, "--format", "json",
                 "--output", str(report)]) == 1
    blank = tmp_path / "blank.xlsx"
    assert main(["worklist", str(report), "--rules", str(KEYS), "-o", str(blank)]) == 0
    capsys.readouterr()
    book = openpyxl.load_workbook(blank)
    sheet = book.worksheets[0]
    row = next(r for r in range(2, sheet.max_row + 1)
               if sheet.cell(r, 1).value == OPEN and "2025-09-01" in sheet.cell(r, 5).value)
    assert sheet.cell(row, 5).value == "user_id=U1; client_id=C1; assigned_from=2025-09-01"
    sheet.cell(row, VERDICT, "false_positive")
    sheet.cell(row, BY, "FG")
    sheet.cell(row, DATE, "2025-12-01")
    book.save(tmp_path / "werklijst.xlsx")
    saved = office_saved(tmp_path / "werklijst.xlsx", tmp_path)
    _, checked = check(capsys, "--reviews", str(saved))
    assert [f.get("review", {}).get("verdict") for f in findings(checked, OPEN)] == [None, "false_positive"]
