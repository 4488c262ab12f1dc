"""Synthetic exports for testing reglement against a known truth.

`generate` writes the fourteen datasets of a realistic office (`world.py`,
`client_file.py`, `background_log.py`), plants a violation of every automated rule and
near-misses on each of its boundaries (`planted_rows.py`, `planted_clients.py`,
`planted_access.py`), and writes `ground_truth.json`: the findings as the independent
oracle (`oracle.py`) computes them, plus the list of planted rows with the intent of each.
The access log is streamed in chunks, so millions of events fit in bounded memory.
"""

from __future__ import annotations

import json
from datetime import date
from operator import itemgetter
from pathlib import Path
from random import Random
from typing import Literal

from . import contract
from .background_log import background_log
from .oracle import Oracle
from .oracle_context import DEFAULT_PARAMS
from .planted_access import plant_access
from .planted_clients import CRAFTED, plant_clients
from .planted_rows import plant_rows
from .scenario import LOG_DAYS, Anchors, Clients, Plan, days
from .sinks import columns_of, open_sink, write_rows
from .world import DAY, EXTRA_COLUMNS, Row, World, build_parties, build_staff

__all__ = ["AS_OF", "EXTRA_COLUMNS", "MIN_CLIENTS", "generate"]

AS_OF = date(2026, 11, 28)
MIN_CLIENTS = 50  # crafted scenario clients (25) + background clients patched by a planter (24) + one more
NUMBERING = {  # dataset: (key prefix, the column that orders it)
    "trajectories": ("TR", "start_date"), "contacts": ("CO", "contact_date"), "records": ("R", "created_at"),
    "caseload": ("A", "assigned_from"), "disclosures": ("D", "disclosed_at"), "consents": ("CS", "given_at"),
    "requests": ("RQ", "received_at"), "objections": ("OB", "objected_at"), "marketing": ("M", "sent_at"),
    "complaints": ("K", "received_at"),
}


def build(w: World, plan: Plan, count: int) -> None:
    """The office, its crafted scenario clients, the background clients, then the planted rows."""
    a = Anchors(w.as_of, w.params)
    build_staff(w, count)
    build_parties(w)
    clients = Clients(w, count)
    for planter in CRAFTED:
        planter(w, plan, a, clients)
    clients.grow_background(w)
    for planter in (plant_rows, plant_clients, plant_access):
        planter(w, plan, a, clients)


def number(tables: dict[str, list[Row]]) -> None:
    """Give every row its key, in the order the office recorded them."""
    for dataset, (prefix, when) in NUMBERING.items():
        rows = tables.setdefault(dataset, [])
        rows.sort(key=lambda r: (r[when], r["client_id"]))
        key, width = contract()[dataset].key, max(5, len(str(len(rows))))
        for i, row in enumerate(rows, 1):
            row[key] = f"{prefix}{i:0{width}d}"
    for row in tables["disclosures"]:
        if isinstance(row["consent_id"], dict):
            row["consent_id"] = row["consent_id"]["consent_id"]
    tables["clients"].sort(key=itemgetter("client_id"))


def stream_access_log(w: World, out: Path, fmt: str, oracle: Oracle, total: int, chunk_rows: int) -> int:
    """Write the log day by day in chunks, feeding each chunk to the oracle, so memory stays bounded."""
    first, last = w.as_of - days(LOG_DAYS), w.as_of - DAY
    planted: dict[date, list[Row]] = {}
    for event in w.planted_events:
        planted.setdefault(event["ts"].date(), []).append(event)
    assert all(first <= d <= last for d in planted), "a planted event falls outside the log"
    width = max(7, len(str(total + len(w.planted_events) + 1000)))
    sink, n, chunk = open_sink(out, "access_log", fmt), 0, []
    for day, events in background_log(w, total, first, last):
        if day in planted:
            events = sorted(events + planted.pop(day), key=itemgetter("ts"))
        for event in events:
            n += 1
            event["event_id"] = f"E{n:0{width}d}"
        chunk.extend(events)
        if len(chunk) >= chunk_rows:
            sink.write(chunk)
            oracle.feed("access_log", chunk)
            chunk = []
    sink.write(chunk)
    oracle.feed("access_log", chunk)
    sink.close()
    return n


def generate(out_dir: Path, clients: int, seed: int, fmt: Literal["csv", "parquet"] = "csv",
             as_of: date = AS_OF, events_per_client: int = 40, params: dict[str, int] | None = None,
             chunk_rows: int = 100_000) -> dict[str, dict[str, int]]:
    """Write a synthetic export of all fourteen datasets and `ground_truth.json` into `out_dir`.

    Same arguments, same bytes. Returns rows per dataset and findings per rule.
    """
    if clients < MIN_CLIENTS:
        raise ValueError(f"generate needs at least {MIN_CLIENTS} clients to plant every rule, got {clients}")
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"fmt must be 'csv' or 'parquet', got {fmt!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    params = {**DEFAULT_PARAMS, **(params or {})}
    w, plan = World(Random(seed), as_of, params, empty_strings=fmt != "csv"), Plan()
    build(w, plan, clients)
    number(w.tables)
    rows = {name: write_rows(out, name, w.tables[name], fmt) for name in contract() if name != "access_log"}
    oracle = Oracle(w.tables, as_of, params, {name: [c for c, _ in columns_of(name)] for name in contract()})
    w.files.clear()
    rows["access_log"] = stream_access_log(w, out, fmt, oracle, clients * events_per_client, chunk_rows)
    findings = oracle.findings()
    truth = {"as_of": as_of.isoformat(), "seed": seed, "clients": clients, "params": params,
             "findings": findings, "planted": plan.resolved()}
    (out / "ground_truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return {"rows": dict(sorted(rows.items())), "findings": {rule: len(keys) for rule, keys in findings.items()}}
