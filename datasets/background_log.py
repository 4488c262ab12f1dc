"""The background access log: case workers opening files of their own caseload, with a real office's slips.

Events come day by day and in time order, so `generate` can stream millions of them in
bounded memory (a curious colleague, a typed purpose, special data without clearance).
"""

from __future__ import annotations

import heapq
from datetime import date, datetime, timedelta
from random import Random
from typing import Iterator

from .world import Row, World

ACTIONS = ("read",) * 14 + ("write",) * 5 + ("print", "export")
CLEARED = ("general",) * 8 + ("special",) * 2 + ("fiscal",)
UNCLEARED = ("general",) * 10 + ("fiscal",)
PURPOSE_MIX = ("reintegration",) * 6 + ("participation",) * 2 + ("administration",)
TYPED_PURPOSES = ("Reintegration", "re-integratie", "dossiercontrole", None, "nieuwsgierig", " ")
WEEKDAY_WEIGHT = (1.0, 1.0, 1.0, 1.0, 0.9, 0.06, 0.03)


class ActiveCaseload:
    """The caseload periods in force on a day, kept current as the days advance in order."""

    def __init__(self, periods: list[Row]) -> None:
        self.pending = sorted(periods, key=lambda p: p["assigned_from"])
        self.next = 0
        self.items: list[int] = []  # indexes into pending, in no order
        self.slot: dict[int, int] = {}  # index -> position in items
        self.ends: list[tuple[date, int]] = []  # heap of (assigned_until, index)

    def advance(self, d: date) -> None:
        while self.next < len(self.pending) and self.pending[self.next]["assigned_from"] <= d:
            i, until = self.next, self.pending[self.next]["assigned_until"]
            self.next += 1
            if until is None or until >= d:
                self.slot[i] = len(self.items)
                self.items.append(i)
                if until is not None:
                    heapq.heappush(self.ends, (until, i))
        while self.ends and self.ends[0][0] < d:
            _, i = heapq.heappop(self.ends)
            position, moved = self.slot.pop(i), self.items.pop()
            if moved != i:
                self.items[position], self.slot[moved] = moved, position

    def pick(self, rng: Random) -> Row:
        return self.pending[self.items[int(rng.random() * len(self.items))]]


def background_log(w: World, total: int, first: date, last: date) -> Iterator[tuple[date, list[Row]]]:
    """About `total` events over [first, last], day by day and in time order, mostly case workers
    opening files of their own caseload during office hours."""
    active = ActiveCaseload([p for p in w.tables["caseload"] if p["user_id"] not in w.planted_actors])
    users = {u["user_id"]: u for u in w.tables["users"]}
    office, processors = w.users("administration", "management"), w.parties("processor")
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    weights = [WEEKDAY_WEIGHT[d.weekday()] for d in days]
    rate, carry = total / sum(weights), 0.0
    for d, weight in zip(days, weights):
        carry += weight * rate
        count = int(carry)
        carry -= count
        active.advance(d)
        midnight = datetime(d.year, d.month, d.day)
        count = count if active.items else 0
        events = [log_event(w, active, users, office, processors, midnight) for _ in range(count)]
        events.sort(key=lambda e: e["ts"])
        yield d, events


def log_event(w: World, active: ActiveCaseload, users: dict[str, Row], office: list[Row], processors: list[Row],
              midnight: datetime) -> Row:
    rng, period = w.rng, active.pick(w.rng)
    hours = 8 * 3600 + int(rng.random() * 34200) if rng.random() < 0.97 else 18 * 3600 + int(rng.random() * 14400)
    event = {"event_id": None, "ts": midnight + timedelta(seconds=hours), "actor_id": period["user_id"],
             "actor_kind": "user", "client_id": period["client_id"], "action": w.pick(ACTIONS),
             "data_category": "general", "purpose": w.pick(PURPOSE_MIX)}
    r = rng.random()
    if r < 0.9:
        event["data_category"] = w.pick(CLEARED if users[period["user_id"]]["special_data_access"] else UNCLEARED)
    elif r < 0.96:
        event.update(actor_id=w.pick(office)["user_id"], data_category=w.pick(("general", "fiscal")),
                     purpose="administration")
    elif r < 0.985 and processors:
        event.update(actor_id=w.pick(processors)["party_id"], actor_kind="party", action=w.pick(("read", "export")),
                     data_category=w.pick(("general", "fiscal")), purpose="administration")
    else:  # the slips of a real office: a curious look, a typed purpose, special data without clearance
        slip = rng.random()
        if slip < 0.4:
            event["client_id"] = active.pick(rng)["client_id"]
        elif slip < 0.7:
            event["purpose"] = w.pick(TYPED_PURPOSES)
        else:
            event["data_category"] = "special"
    return event
