"""Reviews: one verdict for one finding; what each verdict does to the counts and the exit status, stale
and contradicting reviews, and review files (YAML, CSV) whose bad line is named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import AS_OF, SAMPLE

from reglement.cli import main

RULE = "7.1-legal-ground-missing"  # high; two findings in the sample: D018 and D019
OTHERS = "--select", RULE  # this rule alone, so that the exit status is its own


def check(capsys, *extra: str) -> tuple[int, dict]:
    code = main(["check", "--data", str(SAMPLE), "--as-of", AS_OF, "--format", "json", *OTHERS, *extra])
    return code, json.loads(capsys.readouterr().out)


def refused(capsys, *extra: str) -> str:
    """What the run said on stderr, once it stopped with exit status 2 and no report."""
    code = main(["check", "--data", str(SAMPLE), "--as-of", AS_OF, "--format", "json", *OTHERS, *extra])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    return err


def rule_of(report: dict) -> dict:
    return next(r for r in report["rules"] if r["id"] == RULE)


def yaml_reviews(tmp_path, *entries: tuple[str, str], date: str = "2026-11-01") -> str:
    """A review file of (disclosure_id, verdict) entries."""
    lines = ["reviews:"]
    for key, verdict in entries:
        lines += [f"  - rule: {RULE}", f"    key: {{disclosure_id: {key}}}", f"    verdict: {verdict}",
                  "    by: FG J. de Vries", f"    date: {date}", "    note: looked into it"]
    path = tmp_path / "reviews.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_without_reviews_every_finding_awaits_review_and_fails(capsys):
    code, report = check(capsys)
    rule = rule_of(report)
    assert code == 1
    assert (rule["reviewed"], rule["awaiting_review"], rule["confirmed"]) == (0, 2, 0)
    assert all("review" not in f for f in rule["findings"])


@pytest.mark.parametrize("verdicts, counts, status, code", [
    # note: one finding reviewed, the other still awaits review, and so fails the run
    ((("D018", "justified"),), (1, 1, 0), "failed", 1),
    # note: both justified or false positives: nothing fails; the rule stands as waived
    ((("D018", "justified"), ("D019", "false_positive")), (2, 0, 0), "waived", 0),
    # note: a confirmed violation fails the run though nothing awaits review
    ((("D018", "violation"), ("D019", "false_positive")), (2, 0, 1), "failed", 1),
    ((("D018", "violation"), ("D019", "violation")), (2, 0, 2), "failed", 1),
])
def test_each_verdict_changes_the_counts_and_the_exit_status(capsys, tmp_path, verdicts, counts, status, code):
    got, report = check(capsys, "--reviews", yaml_reviews(tmp_path, *verdicts))
    rule = rule_of(report)
    assert (rule["reviewed"], rule["awaiting_review"], rule["confirmed"]) == counts
    summary = report["summary"]
    assert (summary["reviewed"], summary["awaiting_review"], summary["confirmed"]) == counts
    assert rule["status"] == status and got == code
    given = {f["key"]["disclosure_id"]: f.get("review", {}).get("verdict") for f in rule["findings"]}
    assert given == {"D018": None, "D019": None} | dict(verdicts)
    assert rule["findings"][0]["review"] == {"verdict": verdicts[0][1], "by": "FG J. de Vries", "on": "2026-11-01",
                                             "note": "looked into it"}


def test_a_violation_fails_only_at_or_above_fail_on(capsys, tmp_path):
    reviews = yaml_reviews(tmp_path, ("D018", "violation"), ("D019", "justified"))
    assert check(capsys, "--reviews", reviews, "--fail-on", "high")[0] == 1
    assert check(capsys, "--reviews", reviews, "--fail-on", "critical")[0] == 0


def test_a_review_goes_before_a_waiver_of_the_whole_rule(capsys, tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(f"""\
waivers:
  - rule: {RULE}
    justification: accepted risk
    approved_by: directie
    expires: 2027-01-01
""")
    reviews = yaml_reviews(tmp_path, ("D018", "violation"))
    code, report = check(capsys, "--config", str(config), "--reviews", reviews)
    rule = rule_of(report)
    assert code == 1 and rule["status"] == "failed"
    assert (rule["reviewed"], rule["awaiting_review"], rule["confirmed"]) == (1, 0, 1)
    assert check(capsys, "--config", str(config))[0] == 0  # the waiver alone lets both stand


def test_reviews_in_the_configuration_count_as_a_review_file_does(capsys, tmp_path):
    config = tmp_path / "config.yaml"
    reviews = yaml_reviews(tmp_path, ("D018", "justified"), ("D019", "false_positive"))
    config.write_text(Path(reviews).read_text())  # the same `reviews:` section, in --config
    code, report = check(capsys, "--config", str(config))
    assert code == 0 and rule_of(report)["reviewed"] == 2


def test_a_review_that_matches_no_finding_is_listed_as_stale(capsys, tmp_path):
    code, report = check(capsys, "--reviews", yaml_reviews(tmp_path, ("D018", "justified"), ("D999", "violation")))
    rule = rule_of(report)
    assert rule["stale_reviews"] == [{"key": {"disclosure_id": "D999"}, "verdict": "violation", "by": "FG J. de Vries",
                                      "on": "2026-11-01", "note": "looked into it",
                                      "source": f"{tmp_path / 'reviews.yaml'}:8"}]
    assert report["summary"]["stale_reviews"] == 1
    assert rule["confirmed"] == 0 and code == 1  # D019 still awaits review


def test_two_verdicts_for_one_finding_are_an_error_naming_both_lines(capsys, tmp_path):
    reviews = yaml_reviews(tmp_path, ("D018", "justified"), ("D019", "justified"), ("D018", "violation"))
    err = refused(capsys, "--reviews", reviews)
    assert (f"{reviews}:14:5: error E129: a second verdict (violation) for the finding disclosure_id=D018 of {RULE}; "
            f"the first (justified) is at {reviews}:2:5") in err


def test_a_review_dated_after_the_audit_is_an_error(capsys, tmp_path):
    reviews = yaml_reviews(tmp_path, ("D018", "justified"), date="2026-11-29")
    err = refused(capsys, "--reviews", reviews)
    assert f"{reviews}:2:5: error E128: reviewed on 2026-11-29, after the audit date {AS_OF}" in err


@pytest.mark.parametrize("line, expected", [
    # note: each bad field is named at its own line and column, with what was meant
    ("  - rule: 7.1-legal-ground-mising\n", ":2:11: error E113: unknown rule '7.1-legal-ground-mising'"),
    ("    key: {disclosure: D018}\n", ":3:10: error E126: the key (disclosure) is not the key of "
                                      f"{RULE}'s findings (disclosure_id)"),
    ("    verdict: violaton\n", ":4:14: error E127: 'violaton' is not a verdict (justified, violation, "
                                "false_positive)"),
    ("    date: 2026-02-30\n", ":6:11: error E115: '2026-02-30' is not a date (YYYY-MM-DD)"),
])
def test_a_bad_line_in_a_yaml_review_file_is_named(capsys, tmp_path, line, expected):
    path = yaml_reviews(tmp_path, ("D018", "justified"))
    lines = Path(path).read_text().splitlines(keepends=True)
    field = line.split(":")[0].strip(" -")
    at = next(i for i, text in enumerate(lines) if text.strip(" -").startswith(field + ":"))
    lines[at] = line
    Path(path).write_text("".join(lines))
    err = refused(capsys, "--reviews", path)
    assert f"{path}{expected}" in err


def write_csv(tmp_path, *rows: str, separator: str = ",") -> str:
    path = tmp_path / "reviews.csv"
    header = separator.join(("rule", "article", "key", "message", "verdict", "by", "date", "note"))
    path.write_text("\n".join((header, *rows)) + "\n", encoding="utf-8-sig")  # as Excel saves it
    return str(path)


@pytest.mark.parametrize("separator", [",", ";"])
def test_a_csv_review_file_loads_and_a_row_without_verdict_awaits_review(capsys, tmp_path, separator):
    rows = [f"{RULE};7.1;disclosure_id=D018;…;violation;FG J. de Vries;2026-11-01;confirmed with the department",
            f"{RULE};7.1;disclosure_id=D019;…;;;;"]
    path = write_csv(tmp_path, *(row.replace(";", separator) for row in rows), separator=separator)
    code, report = check(capsys, "--reviews", path)
    rule = rule_of(report)
    assert (rule["reviewed"], rule["awaiting_review"], rule["confirmed"]) == (1, 1, 1) and code == 1
    assert rule["findings"][0]["review"] == {"verdict": "violation", "by": "FG J. de Vries", "on": "2026-11-01",
                                             "note": "confirmed with the department"}


def test_a_bad_line_in_a_csv_review_file_is_named(capsys, tmp_path):
    path = write_csv(tmp_path, f"{RULE},7.1,disclosure_id=D018,…,justified,FG,2026-11-01,",
                     f"{RULE},7.1,disclosure_id=D019,…,confirmed,FG,2026-11-01,")
    err = refused(capsys, "--reviews", path)
    assert f"{path}:3:51: error E127: 'confirmed' is not a verdict (justified, violation, false_positive)" in err
    assert "1 error in the reviews" in err


def test_a_csv_review_file_without_a_verdict_column_is_refused(capsys, tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_text(f"rule,key,by,date\n{RULE},disclosure_id=D018,FG,2026-11-01\n")
    err = refused(capsys, "--reviews", str(path))
    assert f"{path}:1:1: error E125: the reviews have no column 'verdict'" in err


def test_a_review_without_a_dataset_meets_one_that_names_it(capsys, tmp_path):
    rule = "1.1-unlisted-data-category"  # finds a column in several datasets: its key may name the dataset
    path = write_csv(tmp_path, f"{rule},1.1,dataset=clients; column=religion,…,justified,FG,2026-11-01,",
                     f"{rule},1.1,dataset=access_log; column=religion,…,violation,FG,2026-11-01,",
                     f"{rule},1.1,column=religion,…,violation,FG,2026-11-01,")
    err = refused(capsys, "--reviews", path)
    assert f"{path}:4:1: error E129: a second verdict (violation) for the finding column=religion of {rule}" in err
    assert err.count("E129") == 1  # two datasets' own reviews of one column are two findings
