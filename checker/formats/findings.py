"""What a rule found: its kind, how many findings it has, which still count, and their keys.

A rule's `findings` is a `Findings` table here (`formats.columnar` sees to that), so the
counts come from the table in bulk and only the findings a format shows become dicts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..findings import Findings

MANUAL_STATUSES = frozenset({"manual", "attested", "expired"})


def findings_of(rule: Mapping[str, Any]) -> Findings:
    """The rule's findings table; an empty one for controls and clauses."""
    return Findings.of(rule.get("findings"))


def finding_count(rule: Mapping[str, Any]) -> int:
    """The rule's count as the checker reported it; the findings when no count is given."""
    count = rule.get("finding_count")
    return int(count) if isinstance(count, int) else len(findings_of(rule))


def rule_kind(rule: Mapping[str, Any]) -> str:
    """automated, manual or informational; inferred from the status when the report omits it."""
    kind = rule.get("kind")
    if kind:
        return str(kind)
    status = rule.get("status")
    if status in MANUAL_STATUSES:
        return "manual"
    if status == "informational":
        return "informational"
    return "automated"


def key_text(key: Mapping[str, Any]) -> str:
    """A finding's key as `column=value` pairs: what a privacy officer types into a search box."""
    return ", ".join(f"{column}={value}" for column, value in key.items())


def is_waived(finding: Mapping[str, Any]) -> bool:
    """A finding an approved waiver covers: it stays listed, but no longer counts."""
    return finding.get("waived") is True


def open_count(rule: Mapping[str, Any]) -> int:
    """Findings that still count: all of them, less those a waiver covers or a review clears."""
    count = rule.get("open_count")
    if isinstance(count, int):
        return count
    if rule.get("status") == "waived":
        return 0
    return findings_of(rule).open_count


def waived_count(rule: Mapping[str, Any]) -> int:
    """Findings a waiver covers (and no review judges): the one number every format shows as waived."""
    findings = findings_of(rule)
    if len(findings) or not finding_count(rule):
        return findings.waived_count
    return finding_count(rule) - open_count(rule)  # a report that counts its findings without listing them


def rule_file(rule: Mapping[str, Any]) -> str:
    """The YAML file the rule is written in: `rules/westendorp/art-05.yaml:118` → `rules/westendorp/art-05.yaml`."""
    path, _, line = str(rule["source"]).rpartition(":")
    return path if path and line.isdigit() else str(rule["source"])
