"""The report as SARIF 2.1.0, for GitHub code scanning and other dashboards that track findings.

One run. Each result sits on the rule's line in its YAML file (what a repository holds and
a reviewer can change), with the export file and the record's key as its logical
location; a fingerprint of rule id and key lets a dashboard see that a finding is the
same one as last week. GitHub refuses a run of more than 25,000 results and shows 5,000,
so each rule gives at most `max_results` results (the first findings, in report order)
and, when it has more, one summary result with its full count and a pointer to the JSON
report, which keeps every finding. Rules that could not run become tool execution
notifications instead of silently passing. The messages a person reads write every character
a reader cannot see out (`controls.visible`: `U01⟨U+200B⟩`); the key itself (the result's
`properties.key`, its logical location and its fingerprint) stays exact, for the tools that
match on it. What a rule judged (pack 1.2) is in property bags, where SARIF lets a producer put
what it has no field for: each result of a rule carries the rule's `population` and its
`explanations` (id and rows), `run.properties.rules` gives them for every rule that has them
(a rule that passed has no result to carry them), and `run.properties.periods` each dataset's
period, which its artifact's properties repeat. A report with reviews (schema 1.3) adds each
rule's rows not judged and review counts to the same bags; a finding a review cleared
(`justified`, `false_positive`) is suppressed with the verdict, who gave it, when and why as its
justification, as a waived one is with the waiver's; a confirmed one (`violation`) stays a
result, and every reviewed result carries its review in `properties.review`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from typing import Any, TextIO

from ...compiler.diagnostics import plural
from .controls import visible
from .findings import finding_count, findings_of, is_waived, key_text, rule_file, rule_kind
from .grouping import articles
from .labels import format_count, label, localized
from .periods import period
from .populations import population, unjudged_rows
from .reviews import is_cleared, review_counts, review_of, review_text
from .sarif_places import Places
from .sarif_rules import descriptor, level
from .summary import pack_label
from .waivers import waiver_reason

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://reglement.dev"
FINGERPRINT = "reglement/ruleKey/v1"
MAX_RESULTS = 20  # per rule; 43 rules give at most 903 results, within what GitHub shows
RUN_LIMIT = 25_000  # GitHub refuses a run with more results
BASELINE_STATES = {"new": "new", "open": "unchanged"}  # `--baseline` marks each finding new or open


def write(report: dict, lang: str, out: TextIO, max_results: int = MAX_RESULTS) -> None:
    """The SARIF log; the results one a line, a rule at a time."""
    arts = articles(report)
    clauses = {article.clause_ref(clause.clause): clause.text for article in arts for clause in article.clauses}
    homes = {str(rule.get("id")): article for article in arts for rule in article.rules}
    rules = automated(report)
    index = {str(rule.get("id")): position for position, rule in enumerate(rules)}
    places = Places([rule_file(r) for r in rules if r.get("source")],
                    [info["path"] for info in (report.get("data") or {}).values() if info.get("path")])
    cap = per_rule(report, max_results)
    tool = report.get("tool") or {}
    run = {
        "tool": {"driver": {
            "name": str(tool.get("name") or "reglement"), "version": str(tool.get("version") or ""),
            "informationUri": INFORMATION_URI, "rules": [descriptor(rule, homes[str(rule.get("id"))], clauses, lang)
                                                                  for rule in rules],
            "properties": {"rulepack": {k: (report.get("rulepack") or {}).get(k, "") for k in ("name", "version")}},
        }},
        "invocations": [_invocation(rules, index)],
        "language": lang,
        "originalUriBaseIds": places.original(),
        "artifacts": _artifacts(report, places),
        "properties": {"as_of": report.get("as_of", ""), "rulepack": pack_label(report), "max_results_per_rule": cap,
                       "summary": dict(report.get("summary") or {}), **_judged(rules), **_periods(report)},
        "results": [],
    }
    head, tail = json.dumps({"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}, ensure_ascii=False,
                            indent=2).rsplit('"results": []', 1)
    out.write(head + '"results": [')
    files = {name: info.get("path", name) for name, info in (report.get("data") or {}).items()}
    for i, result in enumerate(r for rule in rules for r in _results(rule, index, places, files, cap, lang)):
        out.write(("," if i else "") + "\n        " + json.dumps(result, ensure_ascii=False))
    out.write("\n      ]" + tail + "\n")


def automated(report: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [rule for rule in report.get("rules") or () if rule_kind(rule) == "automated"]


def _reported(rule: Mapping[str, Any]) -> int:
    """The findings a rule reports as results: those of a failed or waived rule."""
    return finding_count(rule) if rule.get("status") in ("failed", "waived") else 0


def per_rule(report: Mapping[str, Any], max_results: int) -> int:
    """The results each rule may give: `max_results`, lowered when the run would pass GitHub's limit."""
    counts = [n for n in map(_reported, automated(report)) if n]
    if sum(min(n, max_results) + (n > max_results) for n in counts) <= RUN_LIMIT:
        return max_results
    return RUN_LIMIT // len(counts) - 1  # every rule's results and its summary fit


def cap_notice(report: Mapping[str, Any], max_results: int) -> str | None:
    """What the SARIF leaves out, for stderr: the rules with more findings than results, or None."""
    cap = per_rule(report, max_results)
    over = [(str(rule.get("id")), _reported(rule)) for rule in automated(report) if _reported(rule) > cap]
    if not over:
        return None
    total = sum(n for _, n in over)
    return (f"SARIF: {plural(len(over), 'rule has', 'rules have')} more than {plural(cap, 'finding')} "
            f"({total:,} in all); each gives its first {cap} as results and one summary result with its count. "
            "Every finding is in the JSON report (--format json).")


def fingerprint(rule_id: str, key: Mapping[str, Any]) -> str:
    """Stable across runs: the same rule flagging the same record gives the same value."""
    canonical = json.dumps({str(k): str(v) for k, v in key.items()}, sort_keys=True, ensure_ascii=False,
                           separators=(",", ":"))
    return hashlib.sha256(f"{rule_id}\x00{canonical}".encode()).hexdigest()


def _invocation(rules: list[Mapping[str, Any]], index: Mapping[str, int]) -> dict[str, Any]:
    broken = [rule for rule in rules if rule.get("status") == "error"]
    notifications = [
        {
            "level": "error",
            "message": {"text": f"{rule.get('id')}: " + visible(rule.get("error") or "rule could not run")},
            "associatedRule": {"id": str(rule.get("id")), "index": index[str(rule.get("id"))]},
        }
        for rule in broken
    ]
    return {"executionSuccessful": not broken, "toolExecutionNotifications": notifications}


def _artifacts(report: Mapping[str, Any], places: Places) -> list[dict[str, Any]]:
    """The exports that were read, with their hashes (and periods): the evidence of what was audited."""
    return [
        {
            "location": places.location(info.get("path", name)),
            "hashes": {"sha-256": info.get("sha256", "")},
            "properties": {"dataset": name, "rows": info.get("rows", 0),
                           **({"period": dict(info["period"])} if period(info) else {})},
        }
        for name, info in (report.get("data") or {}).items()
    ]


def _periods(report: Mapping[str, Any]) -> dict[str, Any]:
    """`{"periods": {dataset: {column, from, to}}}` for the datasets with a period; nothing when none has one."""
    periods = {name: dict(info["period"]) for name, info in (report.get("data") or {}).items()
               if isinstance(info, Mapping) and period(info)}
    return {"periods": periods} if periods else {}


def _judged(rules: list[Mapping[str, Any]]) -> dict[str, Any]:
    """`{"rules": {rule: {population, explanations, unjudged, reviewed, …}}}` for the rules that have them; nothing
    when none has."""
    judged = {str(rule.get("id")): counts for rule in rules if (counts := _counts(rule))}
    return {"rules": judged} if judged else {}


def _counts(rule: Mapping[str, Any]) -> dict[str, Any]:
    """A rule's population and the rows each of its explanations holds for (pack 1.2), its rows not judged and
    its review counts (schema 1.3): `{}` for a rule of an older report without a population."""
    counts: dict[str, Any] = {}
    judged = population(rule)
    if judged is not None:
        counts["population"] = judged
        if rule.get("explanations"):
            counts["explanations"] = [{"id": str(e.get("id", "")), "rows": int(e.get("rows") or 0)}
                                      for e in rule["explanations"]]
    reviews, unjudged = review_counts(rule), unjudged_rows(rule)
    if reviews is not None and unjudged is not None:
        counts |= {"unjudged": unjudged, "reviewed": reviews.reviewed, "confirmed": reviews.confirmed,
                   "awaiting_review": reviews.awaiting}
    return counts


def _rule_location(rule: Mapping[str, Any], places: Places) -> dict[str, Any]:
    """The rule's line in its YAML file, as a physical location."""
    source = str(rule.get("source") or "")
    line = source.rpartition(":")[2]
    region = {"startLine": int(line) if line.isdigit() and int(line) >= 1 else 1}
    return {"artifactLocation": places.location(rule_file(rule)), "region": region}


def _results(rule: Mapping[str, Any], index: Mapping[str, int], places: Places, files: Mapping[str, str],
             cap: int, lang: str) -> Iterator[dict[str, Any]]:
    """The rule's first `cap` findings as results, then a summary result when it has more."""
    count = _reported(rule)
    if not count:
        return
    where = _rule_location(rule, places) if rule.get("source") else None
    for finding in findings_of(rule)[:cap]:
        yield _result(rule, finding, index, where, files, lang)
    if count > cap:
        rule_id = str(rule.get("id"))
        text = label(lang, "sarif_summary", rule=rule_id, count=format_count(count, lang),
                     shown=format_count(cap, lang))
        summary: dict[str, Any] = {
            "ruleId": rule_id, "ruleIndex": index[rule_id], "level": level(rule.get("severity")),
            "message": {"text": text},
            "partialFingerprints": {FINGERPRINT: fingerprint(rule_id, {"summary": "finding_count"})},
            "properties": {"summary": True, "finding_count": count, "results": cap, **_counts(rule)},
        }
        if where:
            summary["locations"] = [{"physicalLocation": where}]
        yield summary


def _result(rule: Mapping[str, Any], finding: Mapping[str, Any], index: Mapping[str, int],
            where: dict[str, Any] | None, files: Mapping[str, str], lang: str) -> dict[str, Any]:
    """One finding: at the rule's line, with the export file and the key as its logical location."""
    rule_id = str(rule.get("id"))
    key = finding.get("key") or {}
    keytext = key_text(key)
    dataset = str(finding.get("dataset", ""))
    message = visible(finding.get("message")) or localized(rule.get("title"), lang)
    location: dict[str, Any] = {"logicalLocations": [
        {"name": keytext, "fullyQualifiedName": f"{files.get(dataset, dataset)}[{keytext}]", "kind": "object"}]}
    if where:
        location["physicalLocation"] = where
    result: dict[str, Any] = {
        "ruleId": rule_id,
        "ruleIndex": index[rule_id],
        "level": level(rule.get("severity")),
        "message": {"text": f"{visible(keytext)}: {message}" if keytext else message},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT: fingerprint(rule_id, key)},
        "properties": {"dataset": dataset, "key": dict(key), "article": str(rule.get("article", "")),
                       **({"regulation": rule["regulation"]} if rule.get("regulation") else {}), **_counts(rule)},
    }
    if finding.get("baseline") in BASELINE_STATES:
        result["baselineState"] = BASELINE_STATES[finding["baseline"]]
    review = review_of(finding)
    if review is not None:
        result["properties"]["review"] = dict(review)
    if review is not None and is_cleared(finding):
        result["suppressions"] = [{"kind": "external", "state": "accepted", "justification": review_text(review, lang)}]
    elif review is None and (rule.get("status") == "waived" or is_waived(finding)):
        reason = waiver_reason(finding, lang) or waiver_reason(rule, lang)
        result["suppressions"] = [{"kind": "external", "state": "accepted", "justification": reason}]
    return result
