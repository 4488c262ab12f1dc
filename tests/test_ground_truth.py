"""Generated exports: the report equals the independent ground truth, rule by rule.

The ground truth comes from `datasets/oracle.py`, a plain-Python reading of the
catalogue that never touches the compiler, so a wrong rule cannot agree with it by
construction: no finding missed, none extra (precision and recall both 1.0), and every
rule's population, each explanation's count and each dataset's period the same.
"""

from __future__ import annotations

import json

import pytest
from conftest import AS_OF

from reglement.cli import main
from reglement.datasets.generate import generate

CASES = [
    pytest.param(50, 1, "csv", {}, id="50-clients-seed-1-csv"),
    pytest.param(120, 7, "parquet", {}, id="120-clients-seed-7-parquet"),
    pytest.param(300, 42, "csv", {}, id="300-clients-seed-42-csv"),
    pytest.param(80, 3, "parquet", {"retention_years": 3, "decision_weeks": 6, "complaint_weeks": 8},
                 id="80-clients-seed-3-other-params"),
    pytest.param(60, 5, "jsonl", {}, id="60-clients-seed-5-jsonl"),
    pytest.param(70, 9, "parquet-monthly", {}, id="70-clients-seed-9-monthly-parquet-folder"),
]


def keyset(findings) -> set[str]:
    """Findings as comparable text: the dataset and the key, nothing else (a message is the checker's own)."""
    return {json.dumps({"dataset": f["dataset"], "key": f["key"]}, sort_keys=True) for f in findings}


@pytest.mark.parametrize("clients,seed,fmt,params", CASES)
@pytest.mark.parametrize("engine", ["duckdb", "pandas"])
def test_report_equals_ground_truth(tmp_path, capsys, clients, seed, fmt, params, engine):
    export = tmp_path / "export"
    monthly = fmt == "parquet-monthly"
    generate(export, clients=clients, seed=seed, fmt="parquet" if monthly else fmt, params=params or None,
             access_log_partitions="month" if monthly else None)
    assert (export / "access_log").is_dir() == monthly
    ground = json.loads((export / "ground_truth.json").read_text())
    truth = ground["findings"]
    args = ["check", "--data", str(export), "--as-of", AS_OF, "--format", "json", "--engine", engine]
    if params:
        config = tmp_path / "config.yaml"
        config.write_text("params:\n" + "".join(f"  {k}: {v}\n" for k, v in params.items()))
        args += ["--config", str(config)]
    code = main(args)
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    automated = {r["id"]: r for r in report["rules"] if r["kind"] == "automated"}
    assert set(automated) == set(truth)
    wrong = {}
    for rule_id, expected in truth.items():
        got = keyset(automated[rule_id]["findings"])
        want = keyset(expected)
        if got != want:
            wrong[rule_id] = {"missed": sorted(want - got)[:5], "extra": sorted(got - want)[:5]}
    assert not wrong
    assert all(truth.values()), "every rule has findings to find"
    populations = {rule_id: automated[rule_id].get("population") for rule_id in truth}
    assert populations == ground["populations"]
    explained = {rule_id: {e["id"]: e["rows"] for e in automated[rule_id]["explanations"]}
                 for rule_id in ground["explanations"]}
    assert explained == ground["explanations"]
    assert [list(counts) for counts in explained.values()] == [list(c) for c in ground["explanations"].values()]
    periods = {name: entry["period"] for name, entry in report["data"].items() if "period" in entry}
    assert periods == ground["periods"]
