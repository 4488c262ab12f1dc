"""What every planter shares: the plan of planted rows, the boundary days and the client roster.

The planters (`planted_rows.py`, `planted_clients.py`, `planted_access.py`) record each
row in a `Plan` with its intent, take their boundary days from `Anchors` so that the cases
hold for any audit date, and host their rows on clients handed out by `Clients`.
"""

from __future__ import annotations

import calendar
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from operator import itemgetter
from typing import Any

from . import contract
from .client_file import background_client, guidance
from .oracle import RULES
from .world import DAY, Row, World, client_row, plus_months

LOG_DAYS = 730  # the access log covers the two years before A


def days(n: int) -> timedelta:
    return timedelta(days=n)


@dataclass
class Plan:
    """Which planted row (or column) targets which rule, and whether it must be a finding."""

    entries: list[tuple[str, str, Any, str | None, bool, str]] = field(default_factory=list)

    def __call__(self, rule: str, target: Row | str, expect: bool, note: str, dataset: str | None = None,
                 column: str | None = None) -> None:
        """Plant `target` (a row, or a column name for rule 1.1, whose `dataset` must then be given) for `rule`;
        `column` names the judged column for the contract rules."""
        assert rule in RULES and (column is not None) == (RULES[rule].kind == "column"), (rule, column)
        assert isinstance(target, dict) or dataset is not None, (rule, target)
        self.entries.append((rule, dataset, target, column, expect, note))

    def resolved(self) -> list[dict[str, Any]]:
        """The entries with the keys the rows received when they were numbered, shaped as findings are."""
        out = []
        for rule, dataset, target, column, expect, note in self.entries:
            if isinstance(target, str):
                key = {"column": target}
            else:
                dataset = dataset_of(target)
                key_column = contract()[dataset].keys[0]
                key = {key_column: target[key_column]} | ({"column": column} if column else {})
            assert dataset in RULES[rule].datasets, (rule, dataset)
            out.append({"rule": rule, "dataset": dataset, "key": key, "expect": expect, "note": note})
        return out


def dataset_of(row: Row) -> str:
    """The one dataset whose contract columns a numbered row has, all of them."""
    found = [d.name for d in contract().values() if set(d.column_names) <= row.keys()]
    assert len(found) == 1, found
    return found[0]


@dataclass(frozen=True)
class Anchors:
    """Boundary days, computed from A and the parameters so that they hold for any audit date."""

    as_of: date
    params: dict[str, int]

    @property
    def assignment(self) -> tuple[date, date]:
        """The trajectory of the crafted client whose commissioner receives reports and reads the file, and
        whose file the administration still handles for a while after it (inside the access log). It ends on the
        latest day (in the year before) whose `+ {administration_months} months` is clamped to a shorter month's
        end (31 Mar + 3 months = 30 Jun)."""
        end = self.base - days(20)
        for back in range(366):
            day = self.base - days(20 + back)
            if plus_months(day, self.params["administration_months"]).day < day.day:
                end = day
                break
        return end - days(280), end

    @property
    def marketing(self) -> tuple[date, date, date]:
        """When the crafted marketing clients gave consent, withdrew it, and objected (inside the access log)."""
        return self.base - days(300), self.base - days(60), self.base - days(100)

    @property
    def base(self) -> date:
        """An ordinary day well inside every window (and inside the access log)."""
        return self.as_of - days(150)

    def on_time(self, months: int = 0, n_days: int = 0) -> date:
        """The earliest day X with X + term ≥ A: X is not yet late, X − 1 day is."""
        x = plus_months(self.as_of, -months) - days(n_days)
        while plus_months(x, months) + days(n_days) < self.as_of:
            x += DAY
        return x

    def jan31(self, leap: bool, months: int | None = None) -> date:
        """31 January of the latest leap (or common) year whose access term (or a term of `months`) ended well
        before A."""
        term, year = self.params["access_months"] if months is None else months, self.as_of.year
        while calendar.isleap(year) != leap or plus_months(date(year, 1, 31), term) + days(30) >= self.as_of:
            year -= 1
        return date(year, 1, 31)

    def feb29(self) -> date:
        """The latest 29 February whose fiscal term ended well before A."""
        year = self.as_of.year
        while not calendar.isleap(year) or \
                plus_months(date(year, 2, 29), 12 * self.params["fiscal_years"]) + days(60) >= self.as_of:
            year -= 1
        return date(year, 2, 29)


class Clients:
    """Hands out client ids: crafted scenario clients first; the others live a background life."""

    def __init__(self, w: World, count: int) -> None:
        width = max(5, len(str(count)))
        self.free = [f"C{i:0{width}d}" for i in range(1, count + 1)]
        self.ghost = "C" + "0" * width  # an id no client has: rows of a file that is gone
        self.story: dict[str, str] = {}  # crafted clients whose story the access-log planter goes on with
        w.rng.shuffle(self.free)
        self.background: list[Row] = []
        self.registered: list[date] = []
        self.untouched: list[Row] = []
        self.veteran: Row = {}

    def crafted(self, w: World, registered: date, periods: list[tuple[date, date | None]],
                commissioner: str | None = None, contacts: bool = True) -> Row:
        client = client_row(w, self.free.pop(), registered)
        for start, end in periods:
            guidance(w, client, start, end, w.party(commissioner) if commissioner else None, contacts)
        return client

    def grow_background(self, w: World) -> None:
        self.background = sorted((background_client(w, cid) for cid in sorted(self.free)),
                                 key=itemgetter("registered_at"))
        self.registered = [c["registered_at"] for c in self.background]
        self.untouched = self.background[:]
        w.rng.shuffle(self.untouched)

    def host(self, w: World, before: date) -> str:
        """A background client already registered on `before` (else the veteran client)."""
        n = bisect_right(self.registered, before)
        return self.background[int(w.rng.random() * n)]["client_id"] if n else self.veteran["client_id"]

    def fresh(self) -> Row:
        """A background client no other patch has changed."""
        return self.untouched.pop()


Planter = Callable[[World, Plan, Anchors, Clients], None]
