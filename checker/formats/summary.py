"""The report at a glance: which rule pack and tool made it, and its summary counters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .findings import waived_count
from .labels import label

# The summary counters of the report contract, in the order a reader expects them, each with
# words that say whether it counts rules, controls or findings: "waived" counts rules that
# are waived whole, "waived_findings" the findings a waiver covers, and no two cards
# seem to contradict each other.
SUMMARY_FIELDS: tuple[tuple[str, str], ...] = (
    ("rules", "rules"),
    ("passed", "rules_passed"),
    ("failed", "rules_failed"),
    ("errors", "rules_errors"),
    ("waived", "rules_waived"),
    ("manual", "controls_manual"),
    ("attested", "controls_attested"),
    ("expired", "controls_expired"),
    ("informational", "clauses_informational"),
    ("findings", "findings"),
    ("open_findings", "open_findings"),
    ("waived_findings", "waived_findings"),
    ("expired_waivers", "expired_waivers"),
    ("reviewed", "reviewed_findings"),
    ("confirmed", "confirmed_findings"),
    ("awaiting_review", "awaiting_findings"),
    ("stale_reviews", "stale_reviews"),
    ("stale_waivers", "stale_waivers"),
)
# Counters a report may lack (reviews came with schema 1.3): left out rather than shown as a made-up zero.
OPTIONAL_SUMMARY = frozenset({"expired", "informational", "open_findings", "expired_waivers", "reviewed", "confirmed",
                              "awaiting_review", "stale_reviews", "stale_waivers"})


def pack_label(report: Mapping[str, Any]) -> str:
    """`westendorp 2021.02`: which rule pack, in which version, the report applied."""
    pack = report.get("rulepack") or {}
    return f"{pack.get('name', '')} {pack.get('version', '')}".strip()


def tool_label(report: Mapping[str, Any]) -> str:
    """`reglement 0.1.0`: which tool made the report."""
    tool = report.get("tool") or {}
    return f"{tool.get('name', '')} {tool.get('version', '')}".strip()


def audit_moment_label(report: Mapping[str, Any]) -> str:
    """`2026-11-28 (Europe/Amsterdam)`, `2026-11-28 14:00 (Europe/Amsterdam)`: the audit date, its time of day
    where `--as-of` gave one, and the zone it is in (a report before 1.4: the date alone)."""
    as_of, clock = str(report.get("as_of", "")), str(report.get("audit_time") or "")[11:]  # HH:MM:SS
    time = "" if clock in ("", "00:00:00") else clock.removesuffix(":00")
    zone = f" ({report['time_zone']})" if report.get("time_zone") else ""
    return f"{as_of}{' ' + time if time else ''}{zone}" if as_of else ""


def summary_rows(report: Mapping[str, Any], lang: str) -> list[tuple[str, str, int]]:
    """(field, localized word, count) for each counter of the summary, as the checker gave them."""
    summary = {"waived_findings": waived_findings(report), **(report.get("summary") or {})}
    rows = []
    for field, name in SUMMARY_FIELDS:
        if field not in summary and field in OPTIONAL_SUMMARY:
            continue
        rows.append((field, label(lang, name), int(summary.get(field, 0))))
    return rows


def waived_findings(report: Mapping[str, Any]) -> int:
    """Findings a waiver covers, over every rule: the count the summary gives, or made from the rules."""
    given = (report.get("summary") or {}).get("waived_findings")
    return given if isinstance(given, int) else sum(waived_count(r) for r in report.get("rules") or ()
                                                    if r.get("kind", "automated") == "automated")
