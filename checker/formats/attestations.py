"""Who vouched for a manual control: the report names the fields in more than one way."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .xmltext import clean_text


@dataclass(frozen=True)
class Attestation:
    """Who vouched for a manual control, when, on what evidence, and until when."""

    by: str
    date: str
    evidence: str
    valid_until: str


_ATTESTATION_FIELDS = {
    "by": ("by", "who", "attested_by"),
    "date": ("date", "at", "when", "attested_at", "attested_on"),
    "evidence": ("evidence", "reference", "evidence_ref"),
    "valid_until": ("valid_until", "until", "expires"),
}


def attestation(rule: Mapping[str, Any]) -> Attestation | None:
    """The rule's attestation, or None when nobody has vouched for the control yet."""
    raw = rule.get("attestation")
    if not isinstance(raw, Mapping) or not raw:
        return None
    values = {
        name: next((clean_text(raw[k]) for k in keys if raw.get(k) not in (None, "")), "")
        for name, keys in _ATTESTATION_FIELDS.items()
    }
    return Attestation(**values)
