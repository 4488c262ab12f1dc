"""Every format says what the JSON report says about a rule: its population, the rows it could not judge,
its review counts and each finding's verdict; SARIF suppresses what a review cleared, JUnit passes it.

The expected values are read from the JSON report of the same audit, never written down here: the
test holds each format to the report, and `test_reviews.py` holds the report to the review file.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import AS_OF, SAMPLE
from lxml import html as lxml_html

from reglement.checker.formats import render
from reglement.checker.formats.labels import format_count, verdict_word
from reglement.cli import main

RULE = "7.1-legal-ground-missing"  # high; two findings in the sample: D018 and D019


def audit(tmp_path: Path, *extra: str, select: bool = True) -> tuple[int, dict]:
    out = tmp_path / "report.json"
    code = main(["check", "--data", str(SAMPLE), "--as-of", AS_OF, "--format", "json", "--output", str(out),
                 *(("--select", RULE) if select else ()), *extra])
    return code, json.loads(out.read_text("utf-8"))


def reviews(tmp_path: Path, *entries: tuple[str, str, str]) -> str:
    """A CSV review file of (rule, key, verdict) rows."""
    path = tmp_path / "reviews.csv"
    rows = [f"{rule},{key},{verdict},FG J. de Vries,2026-11-20,looked into {key}" for rule, key, verdict in entries]
    path.write_text("\n".join(["rule,key,verdict,by,date,note", *rows]) + "\n", encoding="utf-8")
    return str(path)


def rule_of(report: dict, rule_id: str = RULE) -> dict:
    return next(r for r in report["rules"] if r["id"] == rule_id)


def sarif_results(report: dict) -> dict[str, dict]:
    log = json.loads(render("sarif", report, "en"))
    return {r["properties"]["key"]["disclosure_id"]: r for r in log["runs"][0]["results"] if r["ruleId"] == RULE}


def junit_case(report: dict) -> ET.Element:
    root = ET.fromstring(render("junit", report, "en"))
    return next(case for case in root.iter("testcase") if case.get("name") == RULE)


VERDICTS = [
    # (verdicts of D018 and D019, the rule's test case outcome)
    ({"D018": "justified"}, "failure"),
    ({"D018": "justified", "D019": "false_positive"}, None),
    ({"D018": "violation", "D019": "false_positive"}, "failure"),
    ({"D018": "violation", "D019": "violation"}, "failure"),
]


@pytest.mark.parametrize("verdicts, outcome", VERDICTS)
def test_sarif_suppresses_what_a_review_cleared_and_keeps_a_violation(tmp_path, verdicts, outcome):
    _, report = audit(tmp_path, "--reviews", reviews(tmp_path, *((RULE, f"disclosure_id={k}", v)
                                                                   for k, v in verdicts.items())))
    results = sarif_results(report)
    assert set(results) == {"D018", "D019"}
    for key, result in results.items():
        verdict = verdicts.get(key)
        if verdict in ("justified", "false_positive"):
            (suppression,) = result["suppressions"]
            assert suppression["state"] == "accepted" and suppression["kind"] == "external"
            assert suppression["justification"] == (f"{verdict_word('en', verdict)} (FG J. de Vries, 2026-11-20): "
                                                    f"looked into {'disclosure_id=' + key}")
        else:
            assert "suppressions" not in result  # a violation or a finding awaiting review stays a result
        assert result["properties"].get("review", {}).get("verdict") == verdict
    counts = json.loads(render("sarif", report, "en"))["runs"][0]["properties"]["rules"][RULE]
    rule = rule_of(report)
    assert (counts["reviewed"], counts["confirmed"], counts["awaiting_review"]) == (
        rule["reviewed"], rule["confirmed"], rule["awaiting_review"])


@pytest.mark.parametrize("verdicts, outcome", VERDICTS)
def test_junit_passes_a_rule_whose_findings_a_review_cleared_with_a_note(tmp_path, verdicts, outcome):
    _, report = audit(tmp_path, "--reviews", reviews(tmp_path, *((RULE, f"disclosure_id={k}", v)
                                                                   for k, v in verdicts.items())))
    case, rule = junit_case(report), rule_of(report)
    children = {child.tag for child in case} - {"system-out"}
    assert children == ({outcome} if outcome else set())  # passed: neither failure nor skipped
    if outcome:
        failure = case.find("failure")
        assert failure.get("message").startswith(f"{rule['open_count']} finding")
        assert all(f"disclosure_id={k}" in failure.text for k, v in verdicts.items() if v == "violation")
    out = case.find("system-out").text
    assert f"{rule['reviewed']} reviewed ({rule['confirmed']} confirmed), {rule['awaiting_review']} awaiting" in out
    for key, verdict in verdicts.items():
        assert re.search(rf"disclosure_id={key} — .*\[{verdict_word('en', verdict)} \(FG J\. de Vries", out)


def test_junit_suite_properties_give_every_rules_review_counts_and_rows_not_judged(tmp_path):
    _, report = audit(tmp_path, select=False)
    root = ET.fromstring(render("junit", report, "en"))
    properties = {p.get("name"): p.get("value") for p in root.iter("property")}
    for rule in (r for r in report["rules"] if r["kind"] == "automated"):
        unjudged = sum(u["rows"] for u in rule.get("unjudged", ()))
        assert properties[f"unjudged.{rule['id']}"] == str(unjudged)
        for name in ("reviewed", "confirmed", "awaiting_review"):
            assert properties[f"{name}.{rule['id']}"] == str(rule[name])


def test_a_waiver_that_covers_no_finding_is_listed_as_stale(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(f"""waivers:
  - rule: {RULE}
    keys: [{{disclosure_id: D999}}]
    justification: an old exception
    approved_by: FG
    expires: 2027-01-01
  - rule: {RULE}
    keys: [{{disclosure_id: D018}}]
    justification: the municipality's request
    approved_by: FG
    expires: 2027-01-01
""", encoding="utf-8")
    _, report = audit(tmp_path, "--config", str(config))
    waivers = rule_of(report)["waivers"]
    assert [(w["covers"], w.get("stale")) for w in waivers] == [(0, True), (1, None)]
    assert report["summary"]["stale_waivers"] == 1
    text = render("markdown", report, "en")
    assert "a waiver that covers no finding any more: an old exception (FG, until 2027-01-01)" in text


def test_a_review_of_a_rule_that_could_not_run_is_not_stale(tmp_path):
    broken = tmp_path / "export"
    broken.mkdir()
    for path in SAMPLE.iterdir():
        if path.name != "disclosures.csv":
            (broken / path.name).write_bytes(path.read_bytes())
    out = tmp_path / "report.json"
    code = main(["check", "--data", str(broken), "--as-of", AS_OF, "--format", "json", "--output", str(out),
                 "--select", RULE, "--reviews", reviews(tmp_path, (RULE, "disclosure_id=D018", "justified"))])
    report = json.loads(out.read_text("utf-8"))
    assert code == 2 and rule_of(report)["status"] == "error"
    assert "stale_reviews" not in rule_of(report) and report["summary"]["stale_reviews"] == 0


# -- the sample, every rule ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def reviewed_sample(tmp_path_factory) -> dict:
    """The whole sample, with a verdict of each kind and one review that matches nothing."""
    tmp_path = tmp_path_factory.mktemp("reviewed")
    _, report = audit(tmp_path, select=False)
    firsts = [(r["id"], r["findings"][0]) for r in report["rules"] if r.get("findings")][:3]
    entries = [(rule, "; ".join(f"{k}={v}" for k, v in f["key"].items()), verdict)
               for (rule, f), verdict in zip(firsts, ("justified", "violation", "false_positive"))]
    entries.append((RULE, "disclosure_id=D999", "justified"))
    _, report = audit(tmp_path, "--reviews", reviews(tmp_path, *entries), select=False)
    assert report["summary"]["reviewed"] == 3 and report["summary"]["stale_reviews"] == 1
    return report


def automated(report: dict) -> list[dict]:
    return [r for r in report["rules"] if r["kind"] == "automated"]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_html_report_gives_every_rules_population_rows_not_judged_and_review_counts(reviewed_sample, lang):
    page = lxml_html.fromstring(render("html", reviewed_sample, lang))
    for rule in automated(reviewed_sample):
        (card,) = page.xpath(f'//article[@data-rule-id="{rule["id"]}"]')
        (judged,) = card.xpath('.//span[@class="population"]')
        assert judged.get("data-population") == str(rule["population"])
        (counts,) = card.xpath('.//p[@class="review-counts"]')
        figures = {k: v for span in counts.xpath("./span") for k, v in span.attrib.items() if k.startswith("data-")}
        assert figures == {"data-not-judged": str(sum(u["rows"] for u in rule.get("unjudged", ()))),
                           "data-reviewed": str(rule["reviewed"]), "data-confirmed": str(rule["confirmed"]),
                           "data-awaiting": str(rule["awaiting_review"])}
        assert len(card.xpath('.//p[@class="unjudged"]')) == len(rule.get("unjudged", ()))
    verdicts = page.xpath('//b[contains(@class, "verdict")]')
    assert sorted(v.get("class").split()[-1] for v in verdicts) == [
        "verdict-false_positive", "verdict-justified", "verdict-violation"]
    assert len(page.xpath('//p[@class="stale"]')) == 1


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_markdown_report_gives_every_rules_population_rows_not_judged_and_review_counts(reviewed_sample, lang):
    text = render("markdown", reviewed_sample, lang)
    for rule in automated(reviewed_sample):
        (row,) = [line for line in text.splitlines() if line.startswith(f"| {rule['id']} |")]
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        count = format_count(rule["finding_count"], lang)
        population = format_count(rule["population"], lang)
        assert re.match(rf"{re.escape(count)} \S+ {re.escape(population)}\b", cells[4])
        unjudged = sum(u["rows"] for u in rule.get("unjudged", ()))
        assert cells[5:] == [format_count(n, lang) for n in (unjudged, rule["reviewed"], rule["confirmed"],
                                                             rule["awaiting_review"])]
    for rule in automated(reviewed_sample):
        for unjudged in rule.get("unjudged", ()):
            assert f"{unjudged['column']} (" in text  # each column's line, under the rule
    assert text.count("**" + verdict_word(lang, "violation")) == 1
