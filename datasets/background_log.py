"""The background access log: case workers opening files of their own caseload, with a real office's slips.

Drawn with numpy, a batch of whole days at a time, as Arrow tables in time order, so that
`generate` can write a hundred million events in bounded memory at disk speed. Most
events are in order, each with a reason the data shows (the explanations of rule
`5.1-access-unexplained`): the case worker's own caseload, the administration during a
trajectory, a manager looking at a file of their case worker, and the day's tasks (a request
or complaint being handled, a report sent, a record written) done by whoever does them. A
small share (`SLIP_RATES`) are the slips of a real office: a curious look at another client,
a purpose typed by hand, special data without clearance. Every day with someone at work
has at least one event, so the log has no hole of days but the outages `generate` plants.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

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
            "dossiercontrole", None, "nieuwsgierig", " ", "legal_obligation")
PURPOSE_MIX = (0,) * 6 + (1,) * 2 + (2,)  # indexes into PURPOSES
TYPED = (3, 4, 5, 6, 7, 8)
REINTEGRATION, ADMINISTRATION, SPECIAL = 0, 2, 1
WEEKDAY_WEIGHT = (1.0, 1.0, 1.0, 1.0, 0.9, 0.06, 0.03)
# Share of background events that are slips: "audit" gives every access-log rule natural findings among the
# noise; "realistic" is an office that is almost always in order.
SLIP_RATES = {"audit": 0.015, "realistic": 0.0001}
ROLE_SHARE = (0.9, 0.06, 0.025)  # own caseload, office staff, processors (of the events that are no slip)
MANAGER_SHARE = 1 / 3  # of the office staff's events: the manager of the case worker, else an administrator
TASK_SHARE = 0.03  # of a day's events, on a day with tasks: a task of that day, done by its user
# Kinds of what an event is drawn from: a caseload period, or a task (`Cast`); per task kind, its action and purpose.
CASELOAD, REQUEST, COMPLAINT, DISCLOSURE, RECORD = range(5)
TASK_ACTION = (0, 0, 0, 3, 1)  # indexes into ACTIONS: read, read, read, export, write
TASK_PURPOSE = (0, 9, 2, 0, 0)  # indexes into PURPOSES: reintegration, legal_obligation, administration, …
EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class Cast:
    """Who may appear in the log, as index arrays into one table of actor ids and one of client ids.

    An event is drawn from a "period": a caseload period (the first `caseload` ones), or a task, sorted by its
    first day (a request or complaint from its receipt to 14 days after it was dealt with, a disclosure or a
    record on its day), each clipped to the days its user was authorised and had signed."""

    actors: pa.Array  # user ids, then processor party ids
    clients: pa.Array
    caseload: int  # how many of the periods are caseload periods
    period_user: np.ndarray  # per period: index into actors
    period_client: np.ndarray  # per period: index into clients
    period_from: np.ndarray  # per period: first day, as days since 1970
    period_until: np.ndarray  # per period: last day, or the far future
    period_kind: np.ndarray  # per period: CASELOAD or the kind of task
    longest_task: int  # days of the longest task, less one
    cleared: np.ndarray  # per actor: cleared for special data
    office: np.ndarray  # actor indexes of administration
    manager: np.ndarray  # per actor: the actor index of its manager, or -1
    processors: np.ndarray  # actor indexes of processor parties


def ordinal(d: date) -> int:
    """Days since 1970: the day number the arrays hold."""
    return (d - EPOCH).days


def tasks_of(w: World) -> list[tuple[str, str, date, date, int]]:
    """The office's tasks in its small datasets: (user, client, first day, last day, kind), each clipped to the
    days its user was authorised and had signed; planted users and unknown ones do none."""
    users = {u["user_id"]: u for u in w.tables["users"] if u["user_id"] not in w.planted_actors}
    request_days, complaint_days = timedelta(days=w.params["request_days"]), timedelta(days=w.params["complaint_days"])
    found: list[tuple[Any, Any, date | None, date, int]] = []
    for r in w.tables.get("requests", ()):
        done = r["executed_at"] or r["decided_at"] or w.as_of
        found.append((r["handled_by"], r["client_id"], r["received_at"], done + request_days, REQUEST))
    for k in w.tables.get("complaints", ()):
        found.append((k["handled_by"], k["client_id"], k["received_at"], (k["handled_at"] or w.as_of) + complaint_days,
                      COMPLAINT))
    for s in w.tables.get("disclosures", ()):
        found.append((s["disclosed_by"], s["client_id"], s["disclosed_at"].date(), s["disclosed_at"].date(),
                      DISCLOSURE))
    for r in w.tables.get("records", ()):
        found.append((r["created_by"], r["client_id"], r["created_at"], r["created_at"], RECORD))
    tasks = []
    for user_id, client_id, first, last, kind in found:
        user = users.get(user_id)
        if user is None or client_id is None or first is None or user["confidentiality_signed_at"] is None:
            continue
        first = max(first, user["authorized_from"], user["confidentiality_signed_at"])
        last = last if user["authorized_until"] is None else min(last, user["authorized_until"])
        if first <= last:
            tasks.append((user_id, client_id, first, last, kind))
    return sorted(tasks, key=lambda t: (t[2], t[3], t[4], t[0], t[1]))


def cast_of(w: World) -> Cast:
    """The office's caseload periods, tasks and staff as arrays; planted actors stay out of the background."""
    periods = [p for p in w.tables["caseload"] if p["user_id"] not in w.planted_actors]
    tasks = tasks_of(w)
    users = w.tables["users"]
    processors = w.parties("processor")
    actor_ids = [u["user_id"] for u in users] + [p["party_id"] for p in processors]
    actor = {a: i for i, a in enumerate(actor_ids)}
    client_ids = sorted({p["client_id"] for p in periods} | {t[1] for t in tasks})
    client = {c: i for i, c in enumerate(client_ids)}
    never = ordinal(date.max)
    assert processors and w.users("administration"), "the office has administration and processors"
    return Cast(
        actors=pa.array(actor_ids, pa.string()), clients=pa.array(client_ids, pa.string()), caseload=len(periods),
        period_user=np.array([actor[p["user_id"]] for p in periods] + [actor[t[0]] for t in tasks], np.int64),
        period_client=np.array([client[p["client_id"]] for p in periods] + [client[t[1]] for t in tasks], np.int64),
        period_from=np.array([ordinal(p["assigned_from"]) for p in periods] + [ordinal(t[2]) for t in tasks],
                             np.int64),
        period_until=np.array([never if p["assigned_until"] is None else ordinal(p["assigned_until"])
                               for p in periods] + [ordinal(t[3]) for t in tasks], np.int64),
        period_kind=np.array([CASELOAD] * len(periods) + [t[4] for t in tasks], np.int64),
        longest_task=max((ordinal(t[3]) - ordinal(t[2]) for t in tasks), default=0),
        cleared=np.array([bool(u["special_data_access"]) for u in users] + [False] * len(processors)),
        office=np.array([actor[u["user_id"]] for u in w.users("administration")], np.int64),
        manager=np.array([actor.get(u["manager_id"], -1) if u["manager_id"] not in w.planted_actors else -1
                          for u in users] + [-1] * len(processors), np.int64),
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
    days of about `chunk_rows` events; each table (no `event_id` yet) is in time order. A day with a caseload
    period or a task has at least one event."""
    cast, rng = cast_of(w), np.random.default_rng(w.rng.getrandbits(64))
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    picks: list[np.ndarray] = []
    day_of: list[np.ndarray] = []
    start, rows = first, 0
    caseload, task_from, task_until = cast.caseload, cast.period_from[cast.caseload:], cast.period_until[cast.caseload:]
    for d, count in zip(days, daily_counts(total, days)):
        n = ordinal(d)
        active = np.flatnonzero((cast.period_from[:caseload] <= n) & (n <= cast.period_until[:caseload]))
        begun = np.searchsorted(task_from, [n - cast.longest_task, n + 1])  # tasks begun in the last days
        tasks = caseload + begun[0] + np.flatnonzero(n <= task_until[begun[0]:begun[1]])
        count = max(count, 1) if len(active) or len(tasks) else 0
        if count:
            chores = count if not len(active) else rng.binomial(count, TASK_SHARE) if len(tasks) else 0
            picks += [active[rng.integers(0, len(active), count - chores)], tasks[rng.integers(0, len(tasks), chores)]]
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
    actor, client, kind = cast.period_user[period], cast.period_client[period], cast.period_kind[period]
    task = kind != CASELOAD  # done by the task's user, in order
    office_hours = rng.random(n) < 0.97
    seconds = np.where(office_hours, 8 * 3600 + (rng.random(n) * 34200).astype(np.int64),
                       18 * 3600 + (rng.random(n) * 14400).astype(np.int64))
    slip = (rng.random(n) < slip_rate) & ~task
    share = np.cumsum(ROLE_SHARE) / sum(ROLE_SHARE)
    role = np.where(slip, 3, np.where(task, 0, np.searchsorted(share, rng.random(n), side="right")))
    own_category = np.where(cast.cleared[actor] & ~task, np.array(CLEARED)[rng.integers(0, len(CLEARED), n)],
                            np.array(UNCLEARED)[rng.integers(0, len(UNCLEARED), n)])
    category = np.where(role == 0, own_category, np.where(rng.random(n) < 0.9, 0, 2))
    purpose = np.array(PURPOSE_MIX)[rng.integers(0, len(PURPOSE_MIX), n)]
    purpose = np.where(category == SPECIAL, REINTEGRATION, purpose)  # special data is opened for the guidance
    purpose = np.where(task, np.array(TASK_PURPOSE)[kind], purpose)
    action = np.where(task, np.array(TASK_ACTION)[kind], np.array(ACTION_MIX)[rng.integers(0, len(ACTION_MIX), n)])
    staff, processors = role == 1, role == 2
    manager = cast.manager[actor]
    by_manager = staff & (manager >= 0) & (rng.random(n) < MANAGER_SHARE)
    actor = np.where(staff, np.where(by_manager, manager, cast.office[rng.integers(0, len(cast.office), n)]), actor)
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

