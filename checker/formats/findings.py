"""What a rule found: its kind, how many findings it has, which still count, and their keys."""

from __future__ import annotations

from typing import Any, Iterable, Mapping

MANUAL_STATUSES = frozenset({"manual", "attested", "expired"})


def finding_count(rule: Mapping[str, Any]) -> int:
    """The rule's count as the checker reported it; the findings list when no count is given."""
    count = rule.get("finding_count")
    return int(count) if isinstance(count, int) else len(rule.get("findings") or ())


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


def key_columns(findings: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every key column of the findings, in order of first appearance, for a table header."""
    seen: dict[str, None] = {}
    for finding in findings:
        for column in finding.get("key") or {}:
            seen.setdefault(column, None)
    return list(seen)


def is_waived(finding: Mapping[str, Any]) -> bool:
    """A finding an approved waiver covers: it stays listed, but no longer counts."""
    return finding.get("waived") is True


def open_count(rule: Mapping[str, Any]) -> int:
    """Findings that still count: all of them, less those a waiver covers."""
    count = rule.get("open_count")
    if isinstance(count, int):
        return count
    if rule.get("status") == "waived":
        return 0
    return finding_count(rule) - sum(1 for finding in rule.get("findings") or () if is_waived(finding))


def open_findings(rule: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The findings somebody still has to fix: waived ones need no action."""
    return [finding for finding in rule.get("findings") or () if not is_waived(finding)]
