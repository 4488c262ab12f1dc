"""The report at a glance: which rule pack and tool made it, and its summary counters."""

from __future__ import annotations

from typing import Any, Mapping

from .labels import label, status_word

# The summary counters of the report contract, in the order a reader expects them.
SUMMARY_FIELDS: tuple[tuple[str, str | None], ...] = (
    ("rules", None),
    ("passed", "passed"),
    ("failed", "failed"),
    ("errors", "error"),
    ("manual", "manual"),
    ("attested", "attested"),
    ("expired", "expired"),
    ("waived", "waived"),
    ("informational", "informational"),
    ("findings", None),
    ("open_findings", None),
    ("expired_waivers", None),
)
OPTIONAL_SUMMARY = frozenset({"expired", "informational", "open_findings", "expired_waivers"})


def pack_label(report: Mapping[str, Any]) -> str:
    """`westendorp 2021.02`: which rule pack, in which version, the report applied."""
    pack = report.get("rulepack") or {}
    return f"{pack.get('name', '')} {pack.get('version', '')}".strip()


def tool_label(report: Mapping[str, Any]) -> str:
    """`reglement 0.1.0`: which tool made the report."""
    tool = report.get("tool") or {}
    return f"{tool.get('name', '')} {tool.get('version', '')}".strip()


def summary_rows(report: Mapping[str, Any], lang: str) -> list[tuple[str, str, int]]:
    """(field, localized word, count) for each counter of the summary, as the checker gave them."""
    summary = report.get("summary") or {}
    rows = []
    for field, status in SUMMARY_FIELDS:
        if field not in summary and field in OPTIONAL_SUMMARY:
            continue  # optional counters: leave them out rather than show a made-up zero
        word = status_word(lang, status) if status else label(lang, field)
        rows.append((field, word, int(summary.get(field, 0))))
    return rows
