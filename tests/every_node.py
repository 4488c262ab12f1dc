"""One rule whose condition holds every kind of IR node, and rows it judges: every engine must agree on it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml
from engine_pair import frames_from_rows

from reglement.compiler.model import Pack
from reglement.compiler.stages import load_pack

EVERY_NODE = """\
(exists records as r where r.client_id = requests.client_id and r.category in ['general', 'fiscal'])
and (latest created_at of records as r2 where r2.client_id = requests.client_id) + ($n * 12) months > received_at
and (count of complaints where client_id = requests.client_id) >= $n * 2 - 2
and not (decision_reason is empty) and decided_at is not null and decided_at <= $audit_date
and type not in $types
and (no disclosures where client_id = requests.client_id and categories contains 'special'
                      and disclosed_at + 72 hours > 2026-01-01T00:00:00)
and latest(decided_at, received_at) != date('2000-01-01')
and next received_at by received_at >= received_at"""


def every_node_pack(folder: Path) -> Pack:
    """A pack of one rule with the condition above, written into `folder`."""
    rule = {"id": "1.1-every-node", "article": "1.1", "title": {"nl": "t", "en": "t"}, "severity": "low",
            "dataset": "requests", "params": {"n": {"default": 1, "max": 100}, "types": ["access"]},
            "condition": EVERY_NODE,
            "message": {"nl": "{request_id}", "en": "{request_id}"}}
    article = {"article": "1", "title": {"nl": "a", "en": "a"}, "clauses": [{"clause": "1.1", "text": "t"}],
               "rules": [rule]}
    (folder / "pack.yaml").write_text(yaml.safe_dump({"name": "t", "version": "1", "title": {"nl": "t", "en": "t"}}))
    (folder / "art-01.yaml").write_text(yaml.safe_dump(article))
    return load_pack(folder)


def every_node_frames() -> dict:
    """Three requests, one flagged (R1): R2 is an access request, R3's reason is blank."""
    day = dt.date(2026, 3, 1)
    rows = {
        "requests": [{"request_id": r, "client_id": "C1", "type": t, "received_at": day, "decided_at": day,
                      "decision_reason": reason} for r, t, reason in
                     [("R1", "correction", "why"), ("R2", "access", "why"), ("R3", "deletion", " ")]],
        "records": [{"record_id": "D1", "client_id": "C1", "category": "general", "created_at": day}],
        "complaints": [],
        "disclosures": [{"disclosure_id": "X1", "client_id": "C1", "categories": ["special"],
                         "disclosed_at": dt.datetime(2025, 12, 28, 23, 59, 59)}],
    }
    return frames_from_rows(rows, ["requests", "records", "complaints", "disclosures"])
