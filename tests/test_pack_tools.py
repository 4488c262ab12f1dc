"""`reglement test` and `reglement coverage` over the shipped packs and broken copies."""

from __future__ import annotations

import json
import re
import shutil

from conftest import ROOT, write_pack

from reglement.cli import default_pack, main


def run(capsys, *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().out


def test_every_example_of_the_shipped_packs_passes_on_both_engines(capsys):
    code, out = run(capsys, "test")
    assert code == 0, out
    assert re.search(r"^44 rules, \d+ examples: \d+ passed, 0 failed \(run on duckdb and pandas\)$", out, re.M)
    assert out.count("PASS  ") == 44
    code, out = run(capsys, "test", str(ROOT / "rules" / "avg"))
    assert code == 0, out


def test_a_wrong_example_fails(capsys, tmp_path):
    pack = tmp_path / "westendorp"
    shutil.copytree(default_pack(), pack)
    art = pack / "art-08.yaml"
    text = art.read_text(encoding="utf-8")
    assert "        flagged: [R2]\n" in text
    art.write_text(text.replace("        flagged: [R2]\n", "        flagged: [R1]\n", 1), encoding="utf-8")
    code, out = run(capsys, "test", str(pack), "--engine", "duckdb")
    assert code == 1
    assert "FAIL  8.1-access-request-late" in out
    assert "expected ['R1'], got ['R2']" in out


def test_an_example_that_names_the_wrong_explanation_fails(capsys, tmp_path):
    """`explained:` lists exactly the explanations that hold for a row: one too few, one that does not hold,
    or one the rule does not have, and the example fails on the engine that judged it."""
    pack = tmp_path / "westendorp"
    shutil.copytree(default_pack(), pack)
    art = pack / "art-05.yaml"
    text = art.read_text(encoding="utf-8")
    right = "        explained: {E1: [caseload], E3: [manager]}\n"
    assert right in text
    for wrong, said in [("{E1: [caseload], E3: [caseload]}", "'E3 explained by caseload'"),
                        ("{E1: [caseload, manager], E3: [manager]}", "'E1 explained by manager'"),
                        ("{E1: [caseload], E3: [boss]}", "'boss', which is not an explanation of the rule")]:
        art.write_text(text.replace(right, f"        explained: {wrong}\n", 1), encoding="utf-8")
        code, out = run(capsys, "test", str(pack), "--engine", "pandas")
        assert code == 1, wrong
        assert "FAIL  5.1-access-unexplained" in out and said in out, out


def test_a_rule_without_examples_on_both_sides_fails(capsys, tmp_path):
    pack = write_pack(tmp_path / "pack", """\
        article: "1"
        title: {nl: Een, en: One}
        clauses:
          - {clause: "1.1", text: Tekst.}
        rules:
          - id: 1.1-only-flags
            article: "1.1"
            title: {nl: T, en: T}
            severity: low
            dataset: complaints
            condition: handled_at is null
            message: {nl: "{complaint_id}", en: "{complaint_id}"}
            examples:
              - note: an unhandled complaint
                data: {complaints: [{complaint_id: K1, client_id: C1, received_at: 2026-01-01}]}
                flagged: [K1]
        """)
    code, out = run(capsys, "test", str(pack), "--engine", "duckdb")
    assert code == 1
    assert "needs an example that is flagged and one that is not" in out


def test_coverage_names_every_article_and_leaves_nothing_uncovered(capsys):
    code, out = run(capsys, "coverage")
    assert code == 0
    for article in range(1, 13):
        assert re.search(rf"^Artikel {article} — ", out, re.M), article
    assert "UNCOVERED" not in out
    covered, total = map(int, re.search(r"^(\d+) of (\d+) clauses covered$", out, re.M).groups())
    assert covered == total == 40  # 10+1+2+4+3+2+2+3+6+2+3+2 clauses in articles 1–12


def test_an_uncovered_clause_is_shown_and_fails(capsys, tmp_path):
    pack = write_pack(tmp_path / "pack", """\
        article: "1"
        title: {nl: Een, en: One}
        clauses:
          - {clause: "1.1", text: Tekst zonder regel.}
        """)
    code, out = run(capsys, "coverage", "--rules", str(pack))
    assert code == 1
    assert re.search(r"^  1\\.1\\s+UNCOVERED$".replace("\\\\", "\\"), out, re.M)


def test_init_writes_a_pack_that_compiles_and_passes_its_own_examples(capsys, tmp_path):
    folder = tmp_path / "gp"
    assert main(["init", str(folder), "--name", "huisarts"]) == 0
    assert main(["test", str(folder)]) == 0
    out, err = capsys.readouterr()
    assert "PASS  1.1-kept-too-long" in out and "4 rules, 4 examples: 4 passed, 0 failed" in out
    assert all(f"PASS  2.1-{rule}" in out for rule in ("unknown-code", "dangling-reference", "date-order"))
    assert err == ""  # no warning: its contract rules judge every declaration of its contract
    assert main(["coverage", "--rules", str(folder)]) == 0
    assert main(["init", str(folder)]) == 2  # never over an existing pack
    assert "is not empty" in capsys.readouterr().err


def test_inits_pack_finds_a_code_outside_its_vocabulary_and_a_reference_to_no_row(capsys, tmp_path):
    """What the contract declares is judged: a status 'Closed', a file of a data subject who is not there or one
    closed before it was opened is a finding, not a row that every rule passes by."""
    folder, export = tmp_path / "office", tmp_path / "export"
    assert main(["init", str(folder)]) == 0
    export.mkdir()
    (export / "subjects.csv").write_text("subject_id\nS1\n", encoding="utf-8")
    (export / "files.csv").write_text("file_id,subject_id,status,opened_at,closed_at\n"
                                      "F1,S1,open,2026-01-05,\nF2,S1,Closed,2026-01-05,2026-02-01\n"
                                      "F3,S9,open,2026-01-05,\nF4,S1,closed,2026-01-05,2026-01-04\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["check", "--rules", str(folder), "--data", str(export), "--as-of", "2026-11-28",
                 "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    found = {r["id"]: [f["key"] for f in r["findings"]] for r in report["rules"] if r.get("findings")}
    assert found == {"2.1-unknown-code": [{"file_id": "F2", "column": "status"}],
                     "2.1-dangling-reference": [{"file_id": "F3", "column": "subject_id"}],
                     "2.1-date-order": [{"file_id": "F4", "column": "closed_at"}]}
