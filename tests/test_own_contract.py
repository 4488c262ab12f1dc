"""A pack brings its own data contract: a GP practice's two datasets, with no Python change.

The pack in `fixtures/gp_pack` names its contract folder in `pack.yaml`; its contract
rules are generated from that contract's vocabulary and reference, and its export has a
file (`breaches.csv`) that no dataset claims.
"""

from __future__ import annotations

import json
import shutil

from conftest import ROOT

from reglement.cli import main

GP = ROOT / "tests" / "fixtures" / "gp_pack"


def test_the_pack_compiles_and_its_examples_pass(capsys):
    assert main(["test", str(GP)]) == 0
    assert "3 rules, 3 examples: 3 passed, 0 failed" in capsys.readouterr().out


def test_the_pack_audits_an_export_of_its_own(capsys):
    code = main(["check", "--rules", str(GP), "--data", str(GP / "export"), "--as-of", "2024-12-01",
                 "--format", "json", "--lang", "en"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    found = {r["id"]: [(f["dataset"], f["key"]) for f in r["findings"]] for r in report["rules"]}
    assert found == {
        "2.1-unknown-code": [("consults", {"consult_id": "K5", "column": "kind"}),
                             ("patients", {"patient_id": "P3", "column": "status"})],
        "2.1-dangling-reference": [("consults", {"consult_id": "K4", "column": "patient_id"})],
        "2.2-consult-after-move": [("consults", {"consult_id": "K3"})],
    }
    assert sorted(report["data"]) == ["consults", "patients"]
    assert report["unread"] == ["breaches.csv"]
    assert "Anna" not in json.dumps(report)


def test_an_unknown_dataset_lists_the_known_ones_and_says_how_to_add_one(capsys, tmp_path):
    pack = tmp_path / "gp"
    shutil.copytree(GP, pack)
    art = pack / "art-02.yaml"
    art.write_text(art.read_text("utf-8").replace("dataset: consults", "dataset: breaches"), "utf-8")
    assert main(["check", "--rules", str(pack), "--data", str(GP / "export")]) == 2
    err = capsys.readouterr().err
    assert "error E303: unknown dataset 'breaches'" in err
    assert "the contract has consults, patients; to add a dataset, put breaches.schema.json in its folder" in err


def test_a_pack_copied_elsewhere_keeps_the_shipped_contract(capsys, tmp_path):
    """The Westendorp pack names its contract by name, so a copy of the pack still finds it."""
    from reglement.rules import default_pack

    shutil.copytree(default_pack(), tmp_path / "ours")
    assert main(["coverage", "--rules", str(tmp_path / "ours")]) == 0
    assert "40 of 40 clauses covered" in capsys.readouterr().out


def test_a_contract_folder_that_is_not_there_is_an_error_at_the_pack_line(capsys, tmp_path):
    pack = tmp_path / "gp"
    shutil.copytree(GP, pack)
    (pack / "pack.yaml").write_text((pack / "pack.yaml").read_text("utf-8").replace("contract: contract",
                                                                                     "contract: schemas"), "utf-8")
    assert main(["test", str(pack)]) == 2
    err = capsys.readouterr().err
    assert "pack.yaml:6:11: error E120:" in err and "the data contract folder does not exist" in err


def test_a_required_name_that_is_no_column_is_an_error_at_its_line(capsys, tmp_path):
    """`required` lists the columns an export must have; a misspelt name there would require nothing."""
    pack = tmp_path / "gp"
    shutil.copytree(GP, pack)
    schema = pack / "contract" / "consults.schema.json"
    schema.write_text(schema.read_text("utf-8").replace('"kind", "held_at"]', '"kind", "held_on"]'), "utf-8")
    assert main(["test", str(pack)]) == 2
    err = capsys.readouterr().err
    assert "consults.schema.json:7:52: error E122: 'held_on' is required but is not a column of consults" in err
    assert "did you mean 'held_at'?" in err


def test_a_declaration_no_rule_judges_is_a_warning_that_changes_no_exit_status(capsys):
    """The GP pack judges vocabularies and references but no date order: `check`, `test` and `rules` say so once,
    on stderr, and exit as they would without it; `check --quiet` says nothing."""
    warning = ("reglement: warning: no rule of pack huisartsenpraktijk judges these declarations of its contract: "
               "date order (patients.moved_at); a row that breaks one passes every rule unseen: add a rule of "
               "kind: contract with check: date-order")
    audit = ["check", "--rules", str(GP), "--data", str(GP / "export"), "--as-of", "2024-12-01", "--format", "json"]
    for args, status in ((["test", str(GP)], 0), (["rules", "--rules", str(GP)], 0), (audit, 1)):
        assert main(args) == status
        err = capsys.readouterr().err
        assert err.count(warning) == 1 and len(err.splitlines()) == 1, (args, err)
    assert main([*audit, "--quiet"]) == 1
    assert capsys.readouterr().err == ""
