"""Waivers: why findings may stand, who approved that, and until when, as one line of text."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .labels import label
from .xmltext import clean_text


@dataclass(frozen=True)
class Waiver:
    """Why findings of a rule may stand: the justification, who approved it and until when."""

    justification: str
    approved_by: str
    expires: str
    expired: bool

    def text(self, lang: str) -> str:
        """`reason (approver, until date) [expired]`: the waiver in one line, for a cell or a log."""
        parts = [self.justification or label(lang, "waiver")]
        until = f"{label(lang, 'until')} {self.expires}" if self.expires else ""
        details = ", ".join(part for part in (self.approved_by, until) if part)
        if details:
            parts.append(f"({details})")
        if self.expired:
            parts.append(f"[{label(lang, 'expired_word')}]")
        return " ".join(parts)


def _waiver(raw: Mapping[str, Any]) -> Waiver:
    """One waiver, accepting the older field names too (`reason`, `by`, `until`)."""
    return Waiver(
        justification=clean_text(raw.get("justification") or raw.get("reason") or ""),
        approved_by=clean_text(raw.get("approved_by") or raw.get("by") or ""),
        expires=clean_text(raw.get("expires") or raw.get("until") or ""),
        expired=raw.get("status") == "expired",
    )


def waivers(item: Mapping[str, Any]) -> list[Waiver]:
    """The waivers of a rule (its `waivers` list) or of one finding (its `waiver`)."""
    raw = list(item.get("waivers") or ())
    if isinstance(item.get("waiver"), Mapping):
        raw.append(item["waiver"])
    return [_waiver(entry) for entry in raw if isinstance(entry, Mapping)]


def waiver_reason(item: Mapping[str, Any], lang: str) -> str:
    """Why a rule or finding is waived, in one line: the active waivers first."""
    found = sorted(waivers(item), key=lambda waiver: waiver.expired)
    return "; ".join(waiver.text(lang) for waiver in found)
