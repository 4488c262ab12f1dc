"""SARIF as GitHub code scanning ingests it, checked by a validator no one on this project wrote.

Microsoft's SARIF Multitool (`validate --rule-kind Sarif;Ghas`) with every GitHub rule
turned on (`fixtures/sarif-github-rules.xml`): relative URIs or checkout path, a region
on every location, final schema, at most 1,000 results a run (GH1004), rule help and
descriptions. `.ci/run` installs it from npm; without it the tests fail in CI and are
skipped on a developer machine.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import AS_OF, ROOT
from needs import missing

from reglement.checker.formats import sarif
from reglement.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
TOOL = ROOT / ".ci" / "tools" / "node_modules" / "@microsoft" / "sarif-multitool-linux" / "Sarif.Multitool"


@pytest.fixture(scope="module")
def multitool() -> Path:
    found = Path(os.environ.get("SARIF_MULTITOOL") or TOOL)
    if found.is_file() and os.access(found, os.X_OK):
        return found
    missing(f"the SARIF Multitool ({found}; npm)")


def problems(tool: Path, log: Path, tmp_path: Path) -> list[str]:
    """What the validator finds in the log, one line each (`GH1003: …`); nothing for a clean log."""
    out = tmp_path / f"{log.stem}.validation.sarif"
    done = subprocess.run([str(tool), "validate", "--rule-kind", "Sarif;Ghas", "--config",
                           str(FIXTURES / "sarif-github-rules.xml"), "--max-file-size-in-kb", "1000000",
                           "--output", str(out), str(log)], capture_output=True, text=True, timeout=300)
    assert out.is_file(), done.stdout + done.stderr
    results = json.loads(out.read_text(encoding="utf-8"))["runs"][0]["results"]
    return [f"{r['ruleId']}: {(r['message'].get('arguments') or [''])[0]}" for r in results]


def test_the_validator_rejects_what_github_rejects(multitool: Path, tmp_path: Path) -> None:
    log = json.loads(sarif_text())
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    location["artifactLocation"] = {"uri": "file:///srv/export/clients.csv"}  # an absolute path, no checkout path
    del location["region"]
    broken = tmp_path / "broken.sarif"
    broken.write_text(json.dumps(log), encoding="utf-8")
    found = {line.split(":")[0] for line in problems(multitool, broken, tmp_path)}
    assert {"GH1003", "GH1006"} <= found


def sarif_text() -> str:
    from reglement.checker.formats import render

    return render("sarif", json.loads((FIXTURES / "reports" / "full.json").read_text(encoding="utf-8")), "en")


@pytest.fixture(scope="module")
def export_40k(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The SARIF and JSON reports of a generated export of 40,000 clients (Parquet)."""
    folder = tmp_path_factory.mktemp("export40k")
    assert main(["generate", "--out", str(folder / "export"), "--clients", "40000", "--format", "parquet",
                 "--no-ground-truth"]) == 0
    sarif_file, json_file = folder / "report.sarif", folder / "report.json"
    code = main(["check", "--data", str(folder / "export"), "--as-of", AS_OF,
                 "-o", f"sarif={sarif_file}", "-o", f"json={json_file}"])
    assert code == 1
    return sarif_file, json_file


def test_the_sarif_of_a_40000_client_export_passes_githubs_rules_within_the_cap(
        multitool: Path, export_40k: tuple[Path, Path], tmp_path: Path) -> None:
    sarif_file, json_file = export_40k
    assert problems(multitool, sarif_file, tmp_path) == []
    results = json.loads(sarif_file.read_text(encoding="utf-8"))["runs"][0]["results"]
    report = json.loads(json_file.read_text(encoding="utf-8"))
    counts = {r["id"]: r["finding_count"] for r in report["rules"] if r.get("status") in ("failed", "waived")}
    assert sum(counts.values()) > 25_000  # more than GitHub takes in one run: the cap is what makes it fit
    per_rule: dict[str, list[dict]] = {}
    for result in results:
        per_rule.setdefault(result["ruleId"], []).append(result)
    for rule_id, count in counts.items():
        found = [r for r in per_rule[rule_id] if not r["properties"].get("summary")]
        summaries = [r for r in per_rule[rule_id] if r["properties"].get("summary")]
        assert len(found) == min(count, sarif.MAX_RESULTS), rule_id
        assert [s["properties"]["finding_count"] for s in summaries] == ([count] if count > sarif.MAX_RESULTS else [])
    assert len(results) <= 1000


def test_the_sarif_of_a_pack_with_explanations_passes_githubs_rules(multitool: Path, tmp_path: Path) -> None:
    """Pack 1.2: populations, explanations and periods in property bags keep the log as GitHub takes it."""
    pack = FIXTURES / "explained_pack"
    sarif_file = tmp_path / "explained.sarif"
    code = main(["check", "--rules", str(pack), "--data", str(pack / "export"), "--as-of", "2026-04-01",
                 "-o", f"sarif={sarif_file}"])
    assert code == 1
    run = json.loads(sarif_file.read_text(encoding="utf-8"))["runs"][0]
    assert run["properties"]["rules"]["2.1-view-unexplained"]["explanations"] == [
        {"id": "assigned", "rows": 2}, {"id": "helpdesk", "rows": 2}]
    assert run["properties"]["periods"]["complaints"] == {"column": "received_at", "from": None, "to": None}
    assert problems(multitool, sarif_file, tmp_path) == []
