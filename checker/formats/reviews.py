"""What the office decided about a rule's findings: each finding's verdict, and how many are left to review.

A report of schema 1.3 gives each automated rule `reviewed`, `confirmed` and `awaiting_review`,
each finding that a privacy officer looked into its `review` (verdict, by, on, note), and lists
the reviews and waivers that match no finding any more as stale. Every format shows the same
three counts for every rule (an auditor reads from them that the findings were followed up),
each verdict beside its finding, and the stale ones, in the words of `labels.py`. A report of an
older schema has no counts and shows none: a made-up zero would claim a review that never was.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...compiler.model import CLEARED
from .findings import key_text, rule_kind
from .labels import format_count, label, verdict_word
from .waivers import waivers
from .xmltext import clean_text


@dataclass(frozen=True)
class ReviewCounts:
    """A rule's findings by where their review stands."""

    reviewed: int
    confirmed: int
    awaiting: int

    def text(self, lang: str) -> str:
        """`3 reviewed (1 confirmed), 4 awaiting review`."""
        return label(lang, "review_counts", reviewed=format_count(self.reviewed, lang),
                     confirmed=format_count(self.confirmed, lang), awaiting=format_count(self.awaiting, lang))


def review_counts(rule: Mapping[str, Any]) -> ReviewCounts | None:
    """The rule's review counts; None for a control, a clause or a report from before reviews."""
    counts = [rule.get(name) for name in ("reviewed", "confirmed", "awaiting_review")]
    if rule_kind(rule) != "automated" or not all(isinstance(n, int) and not isinstance(n, bool) for n in counts):
        return None
    return ReviewCounts(*counts)


def with_reviews(report: Mapping[str, Any]) -> bool:
    """Whether the report counts reviews at all (schema 1.3), so that a format shows their columns."""
    return any(review_counts(rule) is not None for rule in report.get("rules") or ())


def review_of(finding: Mapping[str, Any]) -> Mapping[str, Any] | None:
    review = finding.get("review")
    return review if isinstance(review, Mapping) else None


def is_cleared(finding: Mapping[str, Any]) -> bool:
    """A finding a review judged `justified` or `false_positive`: it stays listed and no longer counts."""
    review = review_of(finding)
    return review is not None and review.get("verdict") in CLEARED


def review_text(review: Mapping[str, Any], lang: str) -> str:
    """`gerechtvaardigd (J. de Vries, 2026-11-30): note`: the verdict in one line, for a cell or a log."""
    who = ", ".join(clean_text(review.get(part) or "") for part in ("by", "on") if review.get(part))
    note = clean_text(review.get("note") or "")
    return (verdict_word(lang, str(review.get("verdict", ""))) + (f" ({who})" if who else "")
            + (f": {note}" if note else ""))


def stale_lines(rule: Mapping[str, Any], lang: str) -> list[str]:
    """The rule's reviews that match no finding and its waivers that cover none, one line each."""
    lines = [label(lang, "stale_review", key=key_text(r.get("key") or {}), verdict=review_text(r, lang))
             + (f" ({r['source']})" if r.get("source") else "")
             for r in rule.get("stale_reviews") or () if isinstance(r, Mapping)]
    stale = [w for w, raw in zip(waivers(rule), rule.get("waivers") or ()) if raw.get("stale")]
    return lines + [label(lang, "stale_waiver", waiver=w.text(lang)) for w in stale]
