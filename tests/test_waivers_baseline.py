"""Waivers (with approver and expiry) and baselines (new / open / resolved findings)."""

from __future__ import annotations

import json

from conftest import AS_OF, SAMPLE, SAMPLE_FINDINGS

from reglement.cli import main

RULE = "7.1-legal-ground-missing"  # two findings in the sample: D018 and D019


def report(capsys, *extra: str) -> tuple[int, dict]:
    code = main(["check", "--data", str(SAMPLE), "--as-of", AS_OF, "--format", "json", *extra])
    return code, json.loads(capsys.readouterr().out)


def rule_of(rep: dict, rule_id: str = RULE) -> dict:
    return next(r for r in rep["rules"] if r["id"] == rule_id)


def write_config(tmp_path, waivers: str) -> str:
    path = tmp_path / "config.yaml"
    path.write_text("waivers:\n" + waivers)
    return str(path)


def test_a_waived_finding_is_reported_as_waived_not_hidden(capsys, tmp_path):
    config = write_config(tmp_path, f"""\
  - rule: {RULE}
    keys: [{{disclosure_id: D018}}]
    justification: statutory provision is in the covering letter, see ticket PRIV-12
    approved_by: FG J. de Vries
    expires: 2027-01-01
""")
    _, rep = report(capsys, "--config", config)
    rule = rule_of(rep)
    assert rule["status"] == "failed" and rule["finding_count"] == 2 and rule["open_count"] == 1
    waived = {f["key"]["disclosure_id"]: f.get("waived", False) for f in rule["findings"]}
    assert waived == {"D018": True, "D019": False}
    assert rule["findings"][0]["waiver"]["approved_by"] == "FG J. de Vries"


def test_waiving_every_finding_makes_the_rule_waived(capsys, tmp_path):
    config = write_config(tmp_path, f"""\
  - rule: {RULE}
    justification: accepted risk until the new system is live
    approved_by: directie
    expires: {AS_OF}
""")
    _, rep = report(capsys, "--config", config)
    assert rule_of(rep)["status"] == "waived"
    assert rep["summary"]["waived"] == 1


def test_an_expired_waiver_stops_counting_and_is_flagged(capsys, tmp_path):
    config = write_config(tmp_path, f"""\
  - rule: {RULE}
    justification: accepted risk
    approved_by: directie
    expires: 2026-11-27
""")
    _, rep = report(capsys, "--config", config)
    rule = rule_of(rep)
    assert rule["status"] == "failed" and rule["open_count"] == 2
    assert rule["waivers"][0]["status"] == "expired"
    assert rep["summary"]["expired_waivers"] == 1


def test_a_waiver_needs_approver_and_expiry(capsys, tmp_path):
    config = write_config(tmp_path, f"  - rule: {RULE}\n    justification: because\n")
    code = main(["check", "--data", str(SAMPLE), "--config", config])
    err = capsys.readouterr().err
    assert code == 2
    assert "'approved_by' is required" in err and "'expires' is required" in err


def test_only_waived_findings_do_not_fail_the_run(capsys, tmp_path):
    before = report(capsys)[1]
    rules = [r["id"] for r in before["rules"] if r.get("kind") == "automated"]
    waivers = "".join(f"  - {{rule: {r}, justification: test, approved_by: test, expires: 2030-01-01}}\n"
                      for r in rules)
    code, rep = report(capsys, "--config", write_config(tmp_path, waivers))
    assert code == 0 and rep["summary"]["failed"] == 0 and rep["summary"]["waived"] == before["summary"]["failed"] > 30


def test_baseline_marks_new_open_and_resolved(capsys, tmp_path):
    _, previous = report(capsys)
    rule = rule_of(previous)
    rule["findings"] = [f for f in rule["findings"] if f["key"]["disclosure_id"] != "D019"]  # D019 is new now
    rule["findings"].append({"dataset": "disclosures", "key": {"disclosure_id": "D900"}, "message": "old"})
    path = tmp_path / "previous.json"
    path.write_text(json.dumps(previous))
    code, rep = report(capsys, "--baseline", str(path))
    marks = {f["key"]["disclosure_id"]: f["baseline"] for f in rule_of(rep)["findings"]}
    assert marks == {"D018": "open", "D019": "new"}
    assert rule_of(rep)["resolved"] == [{"disclosure_id": "D900"}]
    assert rep["baseline"] == {"as_of": AS_OF, "new": 1, "resolved": 1}
    assert code == 1
    assert main(["check", "--data", str(SAMPLE), "--as-of", AS_OF, "--baseline", str(path), "--fail-on-new"]) == 1


def test_fail_on_new_passes_when_nothing_is_new(capsys, tmp_path):
    _, previous = report(capsys)
    path = tmp_path / "previous.json"
    path.write_text(json.dumps(previous))
    code = main(["check", "--data", str(SAMPLE), "--as-of", AS_OF, "--baseline", str(path), "--fail-on-new"])
    capsys.readouterr()
    assert code == 0


def test_a_baseline_that_is_not_a_report_is_an_error(capsys, tmp_path):
    path = tmp_path / "previous.json"
    path.write_text('{"rules": []}')
    code = main(["check", "--data", str(SAMPLE), "--baseline", str(path)])
    assert code == 2
    assert "not a reglement JSON report" in capsys.readouterr().err


def test_a_waiver_key_must_name_the_rule_key(capsys, tmp_path):
    config = write_config(tmp_path, f"""\
  - rule: {RULE}
    keys: [{{disclosure_idd: D018}}]
    justification: typo in the key column
    approved_by: FG
    expires: 2027-01-01
""")
    code = main(["check", "--data", str(SAMPLE), "--config", config])
    err = capsys.readouterr().err
    assert code == 2
    assert f"error E116: 'disclosure_idd' is not the key of {RULE}'s findings (disclosure_id)" in err
    assert "did you mean 'disclosure_id'?" in err


def test_a_waived_finding_is_marked_and_counted_alike_in_every_format(capsys, tmp_path):
    """One waived finding of D018: marked in text and Markdown, one count in every summary."""
    config = write_config(tmp_path, f"""\
  - rule: {RULE}
    keys: [{{disclosure_id: D018}}]
    justification: the statutory provision is in the covering letter (PRIV-12)
    approved_by: FG J. de Vries
    expires: 2027-01-01
""")
    files = {fmt: tmp_path / f"r.{fmt}" for fmt in ("json", "text", "markdown", "html", "junit", "sarif")}
    main(["check", "--data", str(SAMPLE), "--as-of", AS_OF, "--config", config, "--lang", "en",
          *[a for fmt, path in files.items() for a in ("-o", f"{fmt}={path}")]])
    out = {fmt: path.read_text(encoding="utf-8") for fmt, path in files.items()}
    summary = json.loads(out["json"])["summary"]
    assert (summary["waived"], summary["waived_findings"]) == (0, 1)  # no rule wholly waived; one finding
    assert "disclosure D018: legal obligation without the statutory provision (to P02)  [waived]" in out["text"]
    assert "2 findings (1 waived)" in out["text"] and f"; {SAMPLE_FINDINGS} findings (1 waived)" in out["text"]
    assert "| disclosure_id=D018 | disclosures |" in out["markdown"]
    assert "➖ Waived: the statutory provision" in out["markdown"]
    assert "| Waived findings | 1 |" in out["markdown"] and "| Rules wholly waived | 0 |" in out["markdown"]
    assert '<span class="n">1</span><span class="w">Waived findings</span>' in out["html"]
    assert '<span class="n">0</span><span class="w">Rules wholly waived</span>' in out["html"]
    assert 'message="1 finding (+1 waived)"' in out["junit"]
    results = json.loads(out["sarif"])["runs"][0]["results"]
    assert sum("suppressions" in r for r in results) == 1
