"""The background access log: case workers opening files of their own caseload, with a real office's slips.

Drawn with numpy, a batch of whole days at a time, as Arrow tables in time order, so that
`generate` can write a hundred million events in bounded memory at disk speed. Most
events are in order; a small share (`SLIP_RATES`) are the slips of a real office: a
curious look at another client, a purpose typed by hand, special data without clearance.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pyarrow as pa

from .world import World

ACTIONS = ("read", "write", "print", "export")
ACTION_MIX = (0,) * 14 + (1,) * 5 + (2, 3)  # indexes into ACTIONS
PROCESSOR_ACTIONS = (0, 3)
CATEGORIES = ("general", "special", "fiscal")
CLEARED = (0,) * 8 + (1,) * 2 + (2,)  # indexes into CATEGORIES
UNCLEARED = (0,) * 10 + (2,)
PURPOSES = ("reintegration", "participation", "administration", "Reintegration", "re-integratie",
            "dossiercontrole", None, "nieuwsgierig", " ")
PURPOSE_MIX = (0,) * 6 + (1,) * 2 + (2,)  # indexes into PURPOSES
TYPED = (3, 4, 5, 6, 7, 8)
REINTEGRATION, ADMINISTRATION, SPECIAL = 0, 2, 1
WEEKDAY_WEIGHT = (1.0, 1.0, 1.0, 1.0, 0.9, 0.06, 0.03)
# Share of background events that are slips: "audit" gives every access-log rule natural findings among the
# noise; "realistic" is an office that is almost always in order.
SLIP_RATES = {"audit": 0.015, "realistic": 0.0001}
ROLE_SHARE = (0.9, 0.06, 0.025)  # own caseload, office staff, processors (of the events that are no slip)
EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class Cast:
    """Who may appear in the log, as index arrays into one table of actor ids and one of client ids."""

    actors: pa.Array  # user ids, then processor party ids
    clients: pa.Array
    period_user: np.ndarray  # per caseload period: index into actors
    period_client: np.ndarray  # per caseload period: index into clients
    period_from: np.ndarray  # per caseload period: first day, as days since 1970
    period_until: np.ndarray  # per caseload period: last day, or the far future
    cleared: np.ndarray  # per actor: cleared for special data
    office: np.ndarray  # actor indexes of administration and management
    processors: np.ndarray  # actor indexes of processor parties


def ordinal(d: date) -> int:
    """Days since 1970: the day number the arrays hold."""
    return (d - EPOCH).days


def cast_of(w: World) -> Cast:
    """The office's caseload periods and staff as arrays; planted actors stay out of the background."""
    periods = [p for p in w.tables["caseload"] if p["user_id"] not in w.planted_actors]
    users = w.tables["users"]
    processors = w.parties("processor")
    actor_ids = [u["user_id"] for u in users] + [p["party_id"] for p in processors]
    actor = {a: i for i, a in enumerate(actor_ids)}
    client_ids = sorted({p["client_id"] for p in periods})
    client = {c: i for i, c in enumerate(client_ids)}
    never = ordinal(date.max)
    assert processors and w.users("administration", "management"), "the office has staff and processors"
    return Cast(
        actors=pa.array(actor_ids, pa.string()), clients=pa.array(client_ids, pa.string()),
        period_user=np.array([actor[p["user_id"]] for p in periods], np.int64),
        period_client=np.array([client[p["client_id"]] for p in periods], np.int64),
        period_from=np.array([ordinal(p["assigned_from"]) for p in periods], np.int64),
        period_until=np.array([never if p["assigned_until"] is None else ordinal(p["assigned_until"])
                               for p in periods], np.int64),
        cleared=np.array([bool(u["special_data_access"]) for u in users] + [False] * len(processors)),
        office=np.array([actor[u["user_id"]] for u in w.users("administration", "management")], np.int64),
        processors=np.array([actor[p["party_id"]] for p in processors], np.int64))



def daily_counts(total: int, days: list[date]) -> list[int]:
    """About `total` events spread over `days` by weekday, carrying the fractions so the sum stays close."""
    weights = [WEEKDAY_WEIGHT[d.weekday()] for d in days]
    rate, carry, counts = total / sum(weights), 0.0, []
    for weight in weights:
        carry += weight * rate
        counts.append(int(carry))
        carry -= counts[-1]
    return counts


def background_log(w: World, total: int, first: date, last: date, slip_rate: float,
                   chunk_rows: int) -> Iterator[tuple[date, date, pa.Table]]:
    """About `total` events over [first, last], as (first day, last day, table) for consecutive runs of whole
    days of about `chunk_rows` events; each table (no `event_id` yet) is in time order."""
    cast, rng = cast_of(w), np.random.default_rng(w.rng.getrandbits(64))
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    picks: list[np.ndarray] = []
    day_of: list[np.ndarray] = []
    start, rows = first, 0
    for d, count in zip(days, daily_counts(total, days)):
        n = ordinal(d)
        active = np.flatnonzero((cast.period_from <= n) & (n <= cast.period_until))
        if count and len(active):
            picks.append(active[rng.integers(0, len(active), count)])
            day_of.append(np.full(count, n, np.int64))
            rows += count
        if rows >= chunk_rows or d == last:
            period = np.concatenate(picks) if picks else np.zeros(0, np.int64)
            on = np.concatenate(day_of) if day_of else np.zeros(0, np.int64)
            yield start, d, events(cast, rng, period, on, slip_rate)
            picks, day_of, start, rows = [], [], d + timedelta(days=1), 0


def events(cast: Cast, rng: np.random.Generator, period: np.ndarray, day: np.ndarray, slip_rate: float) -> pa.Table:
    """One event per caseload period drawn, on its day: mostly the case worker in their own caseload during
    office hours; else office staff, a processor, or a slip."""
    n = len(period)
    actor, client = cast.period_user[period], cast.period_client[period]
    office_hours = rng.random(n) < 0.97
    seconds = np.where(office_hours, 8 * 3600 + (rng.random(n) * 34200).astype(np.int64),
                       18 * 3600 + (rng.random(n) * 14400).astype(np.int64))
    slip = rng.random(n) < slip_rate
    share = np.cumsum(ROLE_SHARE) / sum(ROLE_SHARE)
    role = np.where(slip, 3, np.searchsorted(share, rng.random(n), side="right"))
    own_category = np.where(cast.cleared[actor], np.array(CLEARED)[rng.integers(0, len(CLEARED), n)],
                            np.array(UNCLEARED)[rng.integers(0, len(UNCLEARED), n)])
    category = np.where(role == 0, own_category, np.where(rng.random(n) < 0.9, 0, 2))
    purpose = np.array(PURPOSE_MIX)[rng.integers(0, len(PURPOSE_MIX), n)]
    purpose = np.where(category == SPECIAL, REINTEGRATION, purpose)  # special data is opened for the guidance
    action = np.array(ACTION_MIX)[rng.integers(0, len(ACTION_MIX), n)]
    staff, processors = role == 1, role == 2
    actor = np.where(staff, cast.office[rng.integers(0, len(cast.office), n)], actor)
    actor = np.where(processors, cast.processors[rng.integers(0, len(cast.processors), n)], actor)
    action = np.where(processors, np.array(PROCESSOR_ACTIONS)[rng.integers(0, 2, n)], action)
    purpose = np.where(staff | processors, ADMINISTRATION, purpose)
    kind_of_slip = rng.random(n)
    curious, typed = slip & (kind_of_slip < 0.4), slip & (kind_of_slip >= 0.4) & (kind_of_slip < 0.7)
    client = np.where(curious, rng.integers(0, len(cast.clients), n), client)
    purpose = np.where(typed, np.array(TYPED)[rng.integers(0, len(TYPED), n)], purpose)
    category = np.where(slip & (kind_of_slip >= 0.7), SPECIAL, category)
    ts = day * 86400 + seconds
    order = np.argsort(ts, kind="stable")
    take = lambda values, index: values.take(pa.array(index[order]))  # noqa: E731 - one gather per column
    return pa.table({
        "event_id": pa.nulls(n, pa.string()),
        "ts": pa.array(ts[order], pa.timestamp("s")),
        "actor_id": take(cast.actors, actor),
        "actor_kind": take(pa.array(["user", "party"]), processors.astype(np.int64)),
        "client_id": take(cast.clients, client),
        "action": take(pa.array(ACTIONS), action),
        "data_category": take(pa.array(CATEGORIES), category),
        "purpose": take(pa.array(PURPOSES, pa.string()), purpose),
    })

