"""The report as SARIF 2.1.0, for code-scanning dashboards that track findings across runs.

One run; the driver lists every automated rule with its article; one result per finding,
located in the export file and, logically, at the record's key; a fingerprint of rule id and
key lets a dashboard see that a finding is the same one as last week. Rules that could not
run become tool execution notifications instead of silently passing.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any, Mapping
from urllib.parse import quote

from .findings import is_waived, key_text, rule_kind
from .grouping import article_number, articles
from .labels import check_lang, localized
from .summary import pack_label
from .waivers import waiver_reason
from .xmltext import clean_text

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT = "reglement/ruleKey/v1"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
BASELINE_STATES = {"new": "new", "open": "unchanged"}  # `--baseline` marks each finding new or open


def render(report: dict, lang: str = "nl") -> str:
    """The SARIF log as JSON text; a pure function of the report and the language."""
    check_lang(lang)
    clauses = {clause.clause: clause.text for article in articles(report) for clause in article.clauses}
    rules = [rule for rule in report.get("rules") or () if rule_kind(rule) == "automated"]
    index = {str(rule.get("id")): position for position, rule in enumerate(rules)}
    run = {
        "tool": {"driver": _driver(report, rules, clauses)},
        "invocations": [_invocation(rules, index)],
        "language": lang,
        "artifacts": _artifacts(report),
        "results": [result for rule in rules for result in _results(rule, index, report, lang)],
        "properties": _run_properties(report),
    }
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, ensure_ascii=False, indent=2) + "\n"


def level(severity: str | None) -> str:
    """critical/high → error, medium → warning, low → note."""
    return LEVELS.get(severity or "", "warning")


def fingerprint(rule_id: str, key: Mapping[str, Any]) -> str:
    """Stable across runs: the same rule flagging the same record gives the same value."""
    canonical = json.dumps({str(k): str(v) for k, v in key.items()}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{rule_id}\x00{canonical}".encode("utf-8")).hexdigest()


def path_uri(path: str) -> str:
    """A file path as a URI reference: relative paths stay relative, absolute ones become file URIs."""
    posix = str(path).replace("\\", "/")
    if re.match(r"^[A-Za-z]:/", posix):
        return "file:///" + quote(posix, safe="/:")
    if posix.startswith("/"):
        return "file://" + quote(posix, safe="/")
    return quote(posix, safe="/")


def _driver(report: Mapping[str, Any], rules: list[Mapping[str, Any]], clauses: Mapping[str, str]) -> dict[str, Any]:
    tool = report.get("tool") or {}
    pack = report.get("rulepack") or {}
    return {
        "name": str(tool.get("name") or "reglement"),
        "version": str(tool.get("version") or ""),
        "rules": [_descriptor(rule, clauses) for rule in rules],
        "properties": {"rulepack": {"name": pack.get("name", ""), "version": pack.get("version", "")}},
    }


def _descriptor(rule: Mapping[str, Any], clauses: Mapping[str, str]) -> dict[str, Any]:
    """A reportingDescriptor: what the rule checks, where in the regulation, how severe by default."""
    rule_id = str(rule.get("id", ""))
    clause = str(rule.get("article", ""))
    title_en = localized(rule.get("title"), "en")
    text = clauses.get(clause, "")
    full = f"{title_en}. Art. {clause} (Dutch): {text}" if text else f"{title_en}. Art. {clause}."
    dataset = rule.get("dataset") or "the export"
    help_text = (
        f"Regulation article {clause}: {title_en}. Each result names one record of {dataset} by its key; "
        "correct that record in the source system, or record a waiver with its reason, approver and end date."
    )
    return {
        "id": rule_id,
        "name": _pascal_name(rule_id),
        "shortDescription": {"text": title_en or rule_id},
        "fullDescription": {"text": full},
        "help": {"text": help_text},
        "defaultConfiguration": {"level": level(rule.get("severity"))},
        "properties": {
            "article": clause,
            "severity": rule.get("severity", ""),
            "title": {"nl": localized(rule.get("title"), "nl"), "en": title_en},
            "tags": ["privacy", f"article-{article_number(clause)}"],
        },
    }


def _pascal_name(rule_id: str) -> str:
    """`5.1-unknown-actor` → `UnknownActor`: SARIF wants a readable, identifier-like name."""
    words = re.split(r"[^0-9A-Za-z]+", rule_id.split("-", 1)[1] if "-" in rule_id else rule_id)
    return "".join(word[:1].upper() + word[1:] for word in words if word) or "Rule"


def _invocation(rules: list[Mapping[str, Any]], index: Mapping[str, int]) -> dict[str, Any]:
    broken = [rule for rule in rules if rule.get("status") == "error"]
    notifications = [
        {
            "level": "error",
            "message": {"text": f"{rule.get('id')}: {clean_text(rule.get('error') or 'rule could not run')}"},
            "associatedRule": {"id": str(rule.get("id")), "index": index[str(rule.get("id"))]},
        }
        for rule in broken
    ]
    return {"executionSuccessful": not broken, "toolExecutionNotifications": notifications}


def _artifacts(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The exports that were read, with their hashes: the evidence of what was audited."""
    return [
        {
            "location": {"uri": path_uri(info.get("path", name))},
            "hashes": {"sha-256": info.get("sha256", "")},
            "properties": {"dataset": name, "rows": info.get("rows", 0)},
        }
        for name, info in (report.get("data") or {}).items()
    ]


def _results(rule: Mapping[str, Any], index: Mapping[str, int], report: Mapping[str, Any], lang: str) -> list[dict[str, Any]]:
    if rule.get("status") not in ("failed", "waived"):
        return []
    related = _rule_file_location(rule.get("source"))
    return [_result(rule, finding, index, report, related, lang) for finding in rule.get("findings") or ()]


def _result(
    rule: Mapping[str, Any],
    finding: Mapping[str, Any],
    index: Mapping[str, int],
    report: Mapping[str, Any],
    related: dict[str, Any] | None,
    lang: str,
) -> dict[str, Any]:
    rule_id = str(rule.get("id"))
    key = finding.get("key") or {}
    keytext = key_text(key)
    message = clean_text(finding.get("message")) or localized(rule.get("title"), lang)
    result: dict[str, Any] = {
        "ruleId": rule_id,
        "ruleIndex": index[rule_id],
        "level": level(rule.get("severity")),
        "message": {"text": f"{keytext}: {message}" if keytext else message},
        "locations": [_location(finding, key, keytext, report)],
        "partialFingerprints": {FINGERPRINT: fingerprint(rule_id, key)},
        "properties": {"dataset": finding.get("dataset", ""), "key": dict(key), "article": str(rule.get("article", ""))},
    }
    if related:
        result["relatedLocations"] = [related]
    if finding.get("baseline") in BASELINE_STATES:
        result["baselineState"] = BASELINE_STATES[finding["baseline"]]
    if rule.get("status") == "waived" or is_waived(finding):
        reason = waiver_reason(finding, lang) or waiver_reason(rule, lang)
        result["suppressions"] = [{"kind": "external", "state": "accepted", "justification": reason}]
    return result


def _location(finding: Mapping[str, Any], key: Mapping[str, Any], keytext: str, report: Mapping[str, Any]) -> dict[str, Any]:
    """The export file as the physical location and the record's key as the logical one."""
    dataset = str(finding.get("dataset", ""))
    location: dict[str, Any] = {
        "logicalLocations": [{"name": keytext, "fullyQualifiedName": f"{dataset}[{keytext}]", "kind": "object"}],
    }
    info = (report.get("data") or {}).get(dataset)
    if info and info.get("path"):
        location["physicalLocation"] = {"artifactLocation": {"uri": path_uri(info["path"])}}
    return location


def _rule_file_location(source: Any) -> dict[str, Any] | None:
    """`rules/westendorp/art-05.yaml:12` → a location in the rule file, line 12."""
    if not source:
        return None
    path, _, line = str(source).rpartition(":")
    if not path or not line.isdigit():
        path, line = str(source), ""
    physical: dict[str, Any] = {"artifactLocation": {"uri": path_uri(path)}}
    if line and int(line) >= 1:
        physical["region"] = {"startLine": int(line)}
    return {"id": 1, "physicalLocation": physical, "message": {"text": "rule definition"}}


def _run_properties(report: Mapping[str, Any]) -> dict[str, Any]:
    return {"as_of": report.get("as_of", ""), "rulepack": pack_label(report), "summary": dict(report.get("summary") or {})}
