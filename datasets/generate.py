"""Synthetic exports for testing reglement against a known truth.

`generate` writes the fourteen datasets of a realistic office (`world.py`,
`client_file.py`, `background_log.py`), plants a violation of every automated rule and
near-misses on each of its boundaries (`planted_rows.py`, `planted_clients.py`,
`planted_access.py`), and writes `ground_truth.json`: the findings, each rule's
population, the explanation counts of `5.1-access-unexplained` and each dataset's period
as the independent oracle (`oracle.py`) computes them, plus the list of planted rows with
the intent of each. The access log is drawn with numpy and streamed a run of days at a
time, so a hundred million events fit in bounded memory (`background_log.py`, `sinks.py`);
it has no hole of days but two planted silences (`plant_gaps`): one of exactly
`max_gap_days` × 24 hours, which is no gap, and one of a second more, which is.
"""

from __future__ import annotations

import functools
import json
from datetime import date, timedelta
from operator import itemgetter
from pathlib import Path
from random import Random
from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..files import Transaction
from . import contract
from .background_log import SLIP_RATES, background_log
from .oracle import Oracle
from .oracle_context import DEFAULT_PARAMS
from .planted_access import plant_access
from .planted_clients import CRAFTED, plant_clients
from .planted_rows import plant_rows
from .scenario import LOG_DAYS, Anchors, Clients, Plan, days
from .sinks import FORMATS, Format, Sink, columns_of, open_sink, schema_of, to_table, write_rows
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
        key, width = contract()[dataset].keys[0], max(5, len(str(len(rows))))
        for i, row in enumerate(rows, 1):
            row[key] = f"{prefix}{i:0{width}d}"
    for row in tables["disclosures"]:
        if isinstance(row["consent_id"], dict):
            row["consent_id"] = row["consent_id"]["consent_id"]
    tables["clients"].sort(key=itemgetter("client_id"))


def merged(background: pa.Table, planted: list[Row], schema: pa.Schema, first_id: int, width: int) -> pa.Table:
    """The background events and the planted ones of the same days, in time order (a planted event after the
    background ones of its second), numbered from `first_id`; each planted row learns its `event_id`."""
    table = background
    if planted:
        table = pa.concat_tables([background, to_table(planted, schema)])
        order = np.argsort(table["ts"].combine_chunks().cast(pa.int64()).to_numpy(), kind="stable")
        position = np.empty_like(order)
        position[order] = np.arange(len(order))
        for event, at in zip(planted, position[len(background):]):
            event["event_id"] = f"E{first_id + int(at):0{width}d}"
        table = table.take(pa.array(order))
    ids = pc.utf8_lpad(pa.array(np.arange(first_id, first_id + len(table))).cast(pa.string()), width, "0")
    return table.set_column(0, "event_id", pc.binary_join_element_wise("E", ids, ""))


def without_outages(w: World, start: date, end: date, background: pa.Table) -> pa.Table:
    """The background events of the days [start, end] but those of a planted outage (its ends included: the
    planted events there are the last before the silence and the first after it)."""
    for first, last in w.outages:
        if first.date() <= end and start <= last.date():
            ts, kind = background["ts"], background.schema.field("ts").type
            inside = pc.and_(pc.greater_equal(ts, pa.scalar(first, kind)), pc.less_equal(ts, pa.scalar(last, kind)))
            background = background.filter(pc.invert(inside))
    return background


def stream_access_log(w: World, sink: Sink, oracle: Oracle | None, total: int, chunk_rows: int,
                      slip_rate: float) -> int:
    """Write the log a run of days at a time, feeding each table to the oracle (if any), so memory stays bounded."""
    first, last = w.as_of - days(LOG_DAYS), w.as_of - DAY
    planted: dict[date, list[Row]] = {}
    for event in w.planted_events:
        planted.setdefault(event["ts"].date(), []).append(event)
    assert all(first <= d <= last for d in planted), "a planted event falls outside the log"
    assert not [e for e in w.planted_events for a, b in w.outages if a < e["ts"] < b], "a planted event in an outage"
    width, schema, n = max(7, len(str(total + len(w.planted_events) + 1000))), schema_of("access_log"), 0
    for start, end, background in background_log(w, total, first, last, slip_rate, chunk_rows):
        background = without_outages(w, start, end, background)
        events = [e for i in range((end - start).days + 1) for e in planted.pop(start + timedelta(days=i), ())]
        table = merged(background, events, schema, n + 1, width)
        sink.write(table)
        if oracle is not None:
            oracle.feed("access_log", table.to_pylist())
        n += len(table)
    sink.close()
    return n


def generate(out_dir: Path, clients: int, seed: int, fmt: Format = "csv", as_of: date = AS_OF,
             events_per_client: int = 40, params: dict[str, int] | None = None, chunk_rows: int = 100_000,
             access_log_partitions: Literal["month"] | None = None, rates: Literal["audit", "realistic"] = "audit",
             ground_truth: bool = True) -> dict[str, dict[str, int]]:
    """Write a synthetic export of all fourteen datasets and `ground_truth.json` into `out_dir`.

    Same arguments, same bytes. Returns rows per dataset and findings per rule. `ground_truth.json` holds
    `as_of`, `seed`, `clients`, `params`, the oracle's `findings`, `populations`, `explanations` and `periods`
    (`oracle.py` describes them), and `planted`.

    - `fmt`: `csv`, `jsonl` or `parquet`, for every dataset. One seed gives the same rows in every format:
      only JSONL and Parquet can hold an empty string apart from null, so the two planted empty-string codes
      (an event's action, a client's gender) are one space in CSV, empty all the same.
    - `events_per_client`: the background access log has about `clients × events_per_client` events.
    - `params`: the rule pack's parameters (retention years, terms); the planted boundaries follow them.
    - `chunk_rows`: access-log events per written table (a Parquet row group) and per oracle feed.
    - `access_log_partitions="month"` (Parquet only): the access log as a folder `access_log/` of
      `YYYY-MM.parquet` files, one per calendar month of `ts`, as big systems export it.
    - `rates`: `audit` (about 1.5% of background events are slips, so every log rule has natural findings) or
      `realistic` (about 0.01%). The planted rows are the same either way.
    - `ground_truth=False` leaves the access log out of the oracle, for huge benchmark exports:
      `ground_truth.json` then holds the findings, populations and periods of the other datasets only (a rule
      over the log alone judged none of its rows), and `"access_log": "not computed"`.
    """
    if clients < MIN_CLIENTS:
        raise ValueError(f"generate needs at least {MIN_CLIENTS} clients to plant every rule, got {clients}")
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if access_log_partitions not in (None, "month") or (access_log_partitions and fmt != "parquet"):
        raise ValueError(f"access_log_partitions must be None, or 'month' with parquet, got {access_log_partitions!r}")
    if rates not in SLIP_RATES:
        raise ValueError(f"rates must be one of {', '.join(SLIP_RATES)}, got {rates!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    monthly = access_log_partitions == "month"
    with Transaction() as files:  # every file of the export and its ground truth in place together, or none
        for name in contract():
            if not (monthly and name == "access_log"):
                files.check(out / f"{name}.{fmt}", "the export file")
        files.check(out / "ground_truth.json", "the ground truth")
        opener = functools.partial(files.open, what="the export file")
        params = {**DEFAULT_PARAMS, **(params or {})}
        w, plan = World(Random(seed), as_of, params, empty_strings=fmt != "csv"), Plan()
        build(w, plan, clients)
        number(w.tables)
        rows = {name: write_rows(out, name, w.tables[name], fmt, opener) for name in contract()
                if name != "access_log"}
        datasets = [name for name in contract() if ground_truth or name != "access_log"]
        oracle = Oracle(w.tables, as_of, params, {name: [c for c, _ in columns_of(name)] for name in datasets})
        w.files.clear()
        sink = open_sink(out, "access_log", fmt, monthly=monthly, opener=opener)
        rows["access_log"] = stream_access_log(w, sink, oracle if ground_truth else None,
                                               clients * events_per_client, chunk_rows, SLIP_RATES[rates])
        judged = oracle.truth()
        findings = judged["findings"]
        truth = {"as_of": as_of.isoformat(), "seed": seed, "clients": clients, "params": params, **judged,
                 "planted": plan.resolved()} | ({} if ground_truth else {"access_log": "not computed"})
        files.write(out / "ground_truth.json", json.dumps(truth, ensure_ascii=False, indent=1) + "\n",
                    "the ground truth")
        files.commit()
    return {"rows": dict(sorted(rows.items())), "findings": {rule: len(keys) for rule, keys in findings.items()}}
