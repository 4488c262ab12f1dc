"""Synthetic exports for testing reglement against a known truth.

`generate` writes the fourteen datasets of a realistic office (`world.py`), plants a
violation of every automated rule and near-misses on each of its boundaries (the day
before / on / after, 31 Jan + 1 month, 29 Feb + 7 years, `Reintegration`, `' consent'`,
nulls, blanks), and writes `ground_truth.json`: the findings as the independent oracle
(`oracle.py`) computes them, plus the list of planted rows with the intent of each.
The access log is streamed in chunks, so millions of events fit in bounded memory.
"""

from __future__ import annotations

import calendar
import csv
import json
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from operator import itemgetter
from pathlib import Path
from random import Random
from typing import Any, Callable, Literal, Protocol

from . import contract
from .oracle import CHANGE_TYPES, DEFAULT_PARAMS, RULES, Oracle
from .world import (DAY, EXTRA_CLIENT_COLUMNS, REASONS, Row, World, add_party, add_user, at, background_client,
                    background_log, build_parties, build_staff, client_row, disclosure, guidance, plus_months,
                    record, valid_bsn)

AS_OF = date(2026, 11, 28)
MIN_CLIENTS = 40  # crafted scenario clients (22) + clients whose fields are patched (17) + one more
LOG_DAYS = 730  # the access log covers the two years before A
Case = tuple[str, bool, str, dict[str, Any]]  # rule, must it be a finding, why, the row's particulars


def days(n: int) -> timedelta:
    return timedelta(days=n)


# --- bookkeeping of the planted rows -------------------------------------------------------

@dataclass
class Plan:
    """Which planted row (or column) targets which rule, and whether it must be a finding."""

    entries: list[tuple[str, Any, bool, str]] = field(default_factory=list)

    def __call__(self, rule: str, target: Row | str, expect: bool, note: str) -> None:
        assert rule in RULES, rule
        self.entries.append((rule, target, expect, note))

    def resolved(self) -> list[dict[str, Any]]:
        """The entries with the keys the rows received when they were numbered."""
        out = []
        for rule, target, expect, note in self.entries:
            dataset = RULES[rule].dataset
            key_column = "column" if dataset == "clients.columns" else contract()[dataset].key
            key = target if isinstance(target, str) else target[key_column]
            out.append({"rule": rule, "key": {key_column: key}, "expect": expect, "note": note})
        return out


@dataclass(frozen=True)
class Anchors:
    """Boundary days, computed from A and the parameters so that they hold for any audit date."""

    as_of: date
    params: dict[str, int]

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

    def jan31(self, leap: bool) -> date:
        """31 January of the latest leap (or common) year whose access term ended well before A."""
        year = self.as_of.year
        while calendar.isleap(year) != leap or \
                plus_months(date(year, 1, 31), self.params["access_months"]) + days(30) >= self.as_of:
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


# --- rows whose verdict depends on the row alone: table-driven -----------------------------

def request_cases(a: Anchors) -> list[Case]:
    b, p, jan, leap = a.base, a.params, a.jan31(leap=False), a.jan31(leap=True)
    month = lambda d: plus_months(d, p["access_months"])  # noqa: E731
    weeks, execution = 7 * p["decision_weeks"], p["execution_days"]
    open_access, open_change = a.on_time(months=p["access_months"]), a.on_time(n_days=weeks)
    pending = a.on_time(n_days=execution)
    rep = dict(requester="representative")
    return [
        ("8.1-access-request-late", False, "decided on 31 Jan + 1 month (28 Feb)",
         dict(type="access", received=jan, decided=month(jan))),
        ("8.1-access-request-late", True, "decided the day after 31 Jan + 1 month",
         dict(type="access", received=jan, decided=month(jan) + DAY)),
        ("8.1-access-request-late", False, "leap year: decided on 31 Jan + 1 month (29 Feb)",
         dict(type="access", received=leap, decided=month(leap))),
        ("8.1-access-request-late", True, "leap year: decided the day after",
         dict(type="access", received=leap, decided=month(leap) + DAY)),
        ("8.1-access-request-late", False, "open, and A is exactly received + 1 month",
         dict(type="access", received=open_access)),
        ("8.1-access-request-late", True, "open, and A is a day past received + 1 month",
         dict(type="access", received=open_access - DAY)),
        ("8.1-access-request-late", False, "'Access' is not 'access'", dict(type="Access", received=b - days(200))),
        ("8.2-identity-not-verified", True, "granted, identity not verified",
         dict(type="access", received=b, decided=b + days(9), identity_verified=False)),
        ("8.2-identity-not-verified", True, "partial, representative, mandate null",
         dict(type="access", received=b, decided=b + days(9), decision="partial", mandate_verified=None, **rep)),
        ("8.2-identity-not-verified", True, "granted, representative, mandate false",
         dict(type="access", received=b, decided=b + days(9), mandate_verified=False, **rep)),
        ("8.2-identity-not-verified", False, "representative with identity and mandate verified",
         dict(type="access", received=b, decided=b + days(9), mandate_verified=True, **rep)),
        ("8.2-identity-not-verified", False, "refused, identity not verified",
         dict(type="access", received=b, decided=b + days(9), decision="refused", decision_reason=REASONS[3],
              identity_verified=False)),
        ("8.2-identity-not-verified", False,
         "correction by a representative without mandate (type = access binds both branches)",
         dict(type="correction", received=b, decided=b + days(9), mandate_verified=None, **rep)),
        ("9.2-collector-not-heard", True, "deletion decided, collector never heard",
         dict(type="deletion", received=b, decided=b + days(9), collector_heard_at=None)),
        ("9.2-collector-not-heard", True, "collector heard the day after the decision",
         dict(type="restriction", received=b, decided=b + days(9), collector_heard_at=b + days(10))),
        ("9.2-collector-not-heard", False, "collector heard on the day of the decision",
         dict(type="correction", received=b, decided=b + days(9), collector_heard_at=b + days(9))),
        ("9.2-collector-not-heard", False, "access request: nobody to hear",
         dict(type="access", received=b, decided=b + days(9))),
        ("9.2-collector-not-heard", False, "not decided yet", dict(type="supplement", received=a.as_of - days(3))),
        ("9.3-decision-late", False, "decided exactly 4 weeks after receipt",
         dict(type="correction", received=b, decided=b + days(weeks))),
        ("9.3-decision-late", True, "decided 4 weeks and a day after receipt",
         dict(type="supplement", received=b, decided=b + days(weeks + 1))),
        ("9.3-decision-late", False, "open, and A is exactly received + 4 weeks",
         dict(type="restriction", received=open_change)),
        ("9.3-decision-late", True, "open, and A is a day past received + 4 weeks",
         dict(type="restriction", received=open_change - DAY)),
        ("9.3-decision-late", False, "an access request has its own term",
         dict(type="access", received=b, decided=b + days(weeks + 1))),
        ("9.3-refusal-without-reasons", True, "refused, reason null",
         dict(type="correction", received=b, decided=b + days(5), decision="refused")),
        ("9.3-refusal-without-reasons", True, "refused, reason only spaces",
         dict(type="access", received=b, decided=b + days(5), decision="refused", decision_reason="   ")),
        ("9.3-refusal-without-reasons", False, "refused with reasons",
         dict(type="deletion", received=b, decided=b + days(5), decision="refused", decision_reason=REASONS[0])),
        ("9.3-refusal-without-reasons", False, "'Refused' is not 'refused'",
         dict(type="access", received=b, decided=b + days(5), decision="Refused")),
        ("9.3-decision-not-in-writing", True, "decided, in writing null",
         dict(type="access", received=b, decided=b + days(7), decision_in_writing=None)),
        ("9.3-decision-not-in-writing", True, "decided, in writing false",
         dict(type="correction", received=b, decided=b + days(7), decision_in_writing=False)),
        ("9.3-decision-not-in-writing", False, "decided in writing",
         dict(type="access", received=b, decided=b + days(7))),
        ("9.3-decision-not-in-writing", False, "not decided, in writing null",
         dict(type="access", received=a.as_of - days(4))),
        ("9.5-decision-not-executed", False, "executed exactly 14 days after the decision",
         dict(type="correction", received=b, decided=b + days(6), executed_at=b + days(6 + execution))),
        ("9.5-decision-not-executed", True, "executed 15 days after the decision",
         dict(type="restriction", received=b, decided=b + days(6), executed_at=b + days(7 + execution))),
        ("9.5-decision-not-executed", False, "not executed, and A is exactly decided + 14 days",
         dict(type="correction", received=pending - days(3), decided=pending, executed_at=None)),
        ("9.5-decision-not-executed", True, "not executed, and A is a day past decided + 14 days",
         dict(type="supplement", received=pending - days(4), decided=pending - DAY, executed_at=None)),
        ("9.5-decision-not-executed", False, "refused: nothing to execute",
         dict(type="correction", received=b, decided=b + days(5), decision="refused", decision_reason=REASONS[1])),
    ]


def record_cases(a: Anchors) -> list[Case]:
    b, years, leap = a.base, 12 * a.params["fiscal_years"], a.feb29()
    old = plus_months(b, -years) - days(300)
    kept = a.on_time(months=years)
    return [
        ("4.4-special-data-not-informed", True, "special, client never told", dict(category="special", created=b)),
        ("4.4-special-data-not-informed", True, "client told the day after",
         dict(category="special", created=b, informed=b + DAY)),
        ("4.4-special-data-not-informed", False, "client told on the day",
         dict(category="special", created=b, informed=b)),
        ("4.4-special-data-not-informed", False, "client told beforehand",
         dict(category="special", created=b, informed=b - days(5))),
        ("4.4-special-data-not-informed", False, "'Special' is not 'special'", dict(category="Special", created=b)),
        ("9.4-deleted-within-legal-retention", False, "29 Feb + 7 years is 28 Feb: deleted on it",
         dict(category="fiscal", created=leap, deleted=plus_months(leap, years))),
        ("9.4-deleted-within-legal-retention", True, "deleted the day before 29 Feb + 7 years",
         dict(category="fiscal", created=leap, deleted=plus_months(leap, years) - DAY)),
        ("9.4-deleted-within-legal-retention", False, "deleted exactly 7 years after",
         dict(category="fiscal", created=old, deleted=plus_months(old, years))),
        ("9.4-deleted-within-legal-retention", True, "deleted a day short of 7 years",
         dict(category="fiscal", created=old, deleted=plus_months(old, years) - DAY)),
        ("9.4-deleted-within-legal-retention", False, "a general record may go early",
         dict(category="general", created=b - days(400), deleted=b)),
        ("11.3-fiscal-retention-exceeded", False, "kept, and A is exactly created + 7 years",
         dict(category="fiscal", created=kept)),
        ("11.3-fiscal-retention-exceeded", True, "kept a day past created + 7 years",
         dict(category="fiscal", created=kept - DAY)),
        ("11.3-fiscal-retention-exceeded", False, "deleted once its 7 years were over",
         dict(category="fiscal", created=old, deleted=plus_months(old, years) + days(10))),
    ]


def complaint_cases(a: Anchors) -> list[Case]:
    b, term = a.base, 7 * a.params["complaint_weeks"]
    open_ = a.on_time(n_days=term)
    return [
        ("12.1-complaint-not-handled", False, "handled exactly 6 weeks after receipt",
         dict(received_at=b - days(60), handled_at=b - days(60 - term))),
        ("12.1-complaint-not-handled", True, "handled 6 weeks and a day after receipt",
         dict(received_at=b - days(60), handled_at=b - days(59 - term))),
        ("12.1-complaint-not-handled", False, "open, and A is exactly received + 6 weeks",
         dict(received_at=open_, handled_at=None)),
        ("12.1-complaint-not-handled", True, "open, and A is a day past received + 6 weeks",
         dict(received_at=open_ - DAY, handled_at=None)),
    ]


def disclosure_cases(a: Anchors) -> list[Case]:
    legal = dict(basis="legal_obligation", legal_ground="art. 30c Wet SUWI")
    return [
        ("7.1-disclosure-without-basis", True, "basis null", dict(receiver="Arbo Unie", basis=None)),
        ("7.1-disclosure-without-basis", True, "basis only spaces",
         dict(receiver="Uitzendbureau Werkpunt", basis="  ")),
        ("7.1-disclosure-without-basis", False, "' consent' is not empty",
         dict(receiver="Arbo Unie", basis=" consent")),
        ("7.1-legal-ground-missing", True, "legal obligation, ground null",
         dict(receiver="Belastingdienst", categories=["fiscal"], basis="legal_obligation")),
        ("7.1-legal-ground-missing", True, "legal obligation, ground only spaces",
         dict(receiver="Sociale Verzekeringsbank", basis="legal_obligation", legal_ground="   ")),
        ("7.1-legal-ground-missing", False, "legal obligation with its ground",
         dict(receiver="Belastingdienst", categories=["fiscal"], basis="legal_obligation", legal_ground="art. 53 AWR")),
        ("7.1-legal-ground-missing", False, "'Legal_obligation' is not 'legal_obligation'",
         dict(receiver="Belastingdienst", basis="Legal_obligation")),
        ("7.2-special-data-to-commissioner", True, "diagnosis sent to the commissioner",
         dict(receiver="UWV", categories=["general", "special"], **legal)),
        ("7.2-special-data-to-commissioner", False, "special data to the company doctor, a third party",
         dict(receiver="Bedrijfsartsenpraktijk Maas", categories=["special"], basis="consent")),
        ("7.2-special-data-to-commissioner", False, "'Special' is not 'special'",
         dict(receiver="UWV", categories=["general", "Special"], **legal)),
        ("7.2-special-data-to-commissioner", False, "general and fiscal data to the commissioner",
         dict(receiver="Gemeente Amsterdam", categories=["general", "fiscal"], **legal)),
    ]


def plant_rows(w: World, plan: Plan, a: Anchors, clients: Clients) -> None:
    """Requests, records, complaints and disclosures that are findings (or not) on their own."""
    for rule, expect, note, spec in request_cases(a):
        spec = dict(spec)
        kind, received, decided = spec.pop("type"), spec.pop("received"), spec.pop("decided", None)
        plan(rule, request_row(w, clients.host(w, received), kind, received, decided, **spec), expect, note)
    for rule, expect, note, spec in record_cases(a):
        host = clients.host(w, spec["created"])
        row = record(w, host, spec["category"], spec["created"], spec.get("deleted"), spec.get("informed"))
        plan(rule, row, expect, note)
    for rule, expect, note, spec in complaint_cases(a):
        plan(rule, w.add("complaints", client_id=clients.host(w, spec["received_at"]), **spec), expect, note)
    for rule, expect, note, spec in disclosure_cases(a):
        spec = {"categories": ["general"], "legal_ground": None, **spec}
        row = disclosure(w, clients.host(w, a.base), w.party(spec.pop("receiver")), at(a.base, 11 * 3600), **spec)
        plan(rule, row, expect, note)


def request_row(w: World, client_id: str, kind: str, received: date, decided: date | None = None,
                **over: Any) -> Row:
    """A request handled by the book (heard first, in writing, executed in days) except for `over`."""
    row: Row = dict(client_id=client_id, type=kind, received_at=received, requester="subject",
                    identity_verified=True, mandate_verified=None, collector_heard_at=None, decided_at=decided,
                    decision=None, decision_reason=None, decision_in_writing=None, executed_at=None)
    if decided is not None:
        row.update(decision="granted", decision_in_writing=True)
        if kind in CHANGE_TYPES:
            row["collector_heard_at"] = max(received, decided - days(2))
            if over.get("decision", "granted") != "refused":
                row["executed_at"] = decided + days(3)
    row.update(over)
    return w.add("requests", **row)


# --- rows whose verdict depends on other datasets: crafted clients ---------------------------

def plant_no_trajectory(w: World, plan: Plan, a: Anchors, clients: Clients) -> None:
    """4.3: a client with contacts and a file but no trajectory."""
    client = clients.crafted(w, a.base - days(30), [])
    w.add("contacts", client_id=client["client_id"], user_id=w.workers[0]["user_id"], contact_date=a.base - days(28),
          channel="meeting")
    plan("4.3-no-processing-basis", client, True, "registered, but no trajectory")
    plan("11.3-retention-after-guidance", record(w, client["client_id"], "general", a.base - days(28)), False,
         "no trajectory at all, so not 'after guidance'")


def plant_last_contact(w: World, plan: Plan, a: Anchors, clients: Clients) -> None:
    """11.2: the last contact (or the registration) on and a day past the retention boundary."""
    edge = a.on_time(months=12 * a.params["retention_years"])
    for last, expect, note in ((edge, False, "last contact exactly 2 years before A"),
                               (edge - DAY, True, "last contact 2 years and a day before A")):
        plan("11.2-retention-after-last-contact", clients.crafted(w, last - days(320), [(last - days(300), last)]),
             expect, note)
    for registered, expect, note in ((edge, False, "no contacts; registered exactly 2 years before A"),
                                     (edge - DAY, True, "no contacts; registered 2 years and a day before A")):
        client = clients.crafted(w, registered, [(registered + days(7), registered + days(200))], contacts=False)
        plan("11.2-retention-after-last-contact", client, expect, note)


def plant_after_guidance(w: World, plan: Plan, a: Anchors, clients: Clients) -> None:
    """11.3: records after the latest trajectory end, on and past the retention boundary."""
    edge = a.on_time(months=12 * a.params["retention_years"])
    rule = "11.3-retention-after-guidance"
    on_edge = clients.crafted(w, edge - days(400), [(edge - days(380), edge)])
    plan(rule, record(w, on_edge["client_id"], "general", edge - days(300)), False,
         "latest end exactly 2 years before A")
    plan("4.3-no-processing-basis", on_edge, False, "has a trajectory, however old")
    past = clients.crafted(w, edge - days(400), [(edge - days(380), edge - DAY)])
    cid, made = past["client_id"], edge - days(200)
    plan(rule, record(w, cid, "general", made), True, "latest end 2 years and a day before A")
    plan(rule, record(w, cid, "special", made, informed=made), True, "special data, same client")
    plan(rule, record(w, cid, "fiscal", made), False, "fiscal records follow their own term")
    plan(rule, record(w, cid, "general", made, deleted=edge + days(30)), False, "already deleted")
    plan(rule, record(w, cid, "General", made), False, "'General' is not 'general'")
    running = clients.crafted(w, edge - days(900), [(edge - days(880), edge - days(400)), (edge - days(100), None)])
    plan(rule, record(w, running["client_id"], "general", edge - days(800)), False, "another trajectory still runs")
    twice = clients.crafted(w, edge - days(1200), [(edge - days(1180), edge - days(800)), (edge - days(300), edge)])
    plan(rule, record(w, twice["client_id"], "general", edge - days(1000)), False,
         "the latest end counts, not the first")


def plant_assignment(w: World, plan: Plan, a: Anchors, clients: Clients) -> None:
    """7.2: reports to the commissioner the day before, on, and after the trajectory's dates."""
    start, end = a.base - days(300), a.base - days(20)
    cid = clients.crafted(w, start - days(10), [(start, end)], "UWV")["client_id"]
    uwv, rule = w.party("UWV"), "7.2-commissioner-not-assigned"
    for when, receiver, expect, note in (
            (at(start - DAY, 15 * 3600 + 1800), uwv, True, "the day before the trajectory started"),
            (at(start, 9 * 3600), uwv, False, "on its first day"),
            (at(end, 86399), uwv, False, "at 23:59:59 on its last day: only the date counts"),
            (at(end + DAY, 0), uwv, True, "at midnight after its last day"),
            (at(start + days(30), 10 * 3600), w.party("Gemeente Rotterdam"), True,
             "commissioner of no trajectory of this client")):
        plan(rule, disclosure(w, cid, receiver, when, ["general"], "reintegration_agreement"), expect, note)
    cid = clients.crafted(w, a.as_of - days(260), [(a.as_of - days(250), None)], "Gemeente Utrecht")["client_id"]
    row = disclosure(w, cid, w.party("Gemeente Utrecht"), at(a.as_of - DAY, 10 * 3600), ["general"],
                     "reintegration_agreement")
    plan(rule, row, False, "the trajectory has no end date yet")


def plant_consent(w: World, plan: Plan, a: Anchors, clients: Clients) -> None:
    """7.1: disclosures around the days a consent was given and withdrawn."""
    given, withdrawn, rule = a.base - days(200), a.base - days(50), "7.1-consent-missing"
    arbo = w.party("Arbo Unie")
    cid = clients.crafted(w, given - days(120), [(given - days(100), None)])["client_id"]
    consent = w.add("consents", client_id=cid, purpose="disclosure", party_id=arbo["party_id"], given_at=given,
                    withdrawn_at=withdrawn, explicit=True)
    for day, receiver, expect, note in (
            (given - DAY, arbo, True, "the day before consent was given"),
            (given, arbo, False, "on the day consent was given"),
            (withdrawn - DAY, arbo, False, "the day before it was withdrawn"),
            (withdrawn, arbo, True, "on the day it was withdrawn"),
            (given + days(10), w.party("Uitzendbureau Werkpunt"), True, "a receiver the consent does not name")):
        row = disclosure(w, cid, receiver, at(day, 14 * 3600), ["general"], "consent", consent=consent)
        plan(rule, row, expect, note)
    cid = clients.crafted(w, given - days(120), [(given - days(100), None)])["client_id"]
    w.add("consents", client_id=cid, purpose="disclosure", party_id=None, given_at=given, withdrawn_at=None,
          explicit=True)
    plan(rule, disclosure(w, cid, w.party("Stichting Schuldhulpmaatje"), at(given, 11 * 3600), ["general"], "consent"),
         False, "a consent without receiver covers any receiver")
    cid = clients.crafted(w, given - days(120), [(given - days(100), None)])["client_id"]
    w.add("consents", client_id=cid, purpose="marketing", party_id=None, given_at=given - days(30), withdrawn_at=None,
          explicit=True)
    plan(rule, disclosure(w, cid, arbo, at(given, 11 * 3600), ["general"], "consent"), True, "only a marketing consent")
    plan(rule, disclosure(w, cid, arbo, at(given, 12 * 3600), ["general"], " consent"), False,
         "' consent' is not 'consent'")


def plant_deletion_statement(w: World, plan: Plan, a: Anchors, clients: Clients) -> None:
    """9.6: the deletion statement written on, before and after the execution day."""
    executed, rule = a.base, "9.6-deletion-without-statement"
    for offset, decision, expect, note in ((0, "granted", False, "statement written on the day of execution"),
                                           (-1, "granted", True, "statement written the day before execution"),
                                           (2, "partial", False, "statement written two days after execution")):
        cid = clients.crafted(w, executed - days(400), [(executed - days(380), None)])["client_id"]
        record(w, cid, "deletion_statement", executed + days(offset))
        row = request_row(w, cid, "deletion", executed - days(12), executed - days(4), decision=decision,
                          executed_at=executed)
        plan(rule, row, expect, note)
    row = request_row(w, cid, "deletion", executed - days(30), executed - days(20), decision="refused",
                      decision_reason=REASONS[0])
    plan(rule, row, False, "refused: nothing was deleted")
    plan(rule, request_row(w, cid, "deletion", a.as_of - days(9), a.as_of - days(3), executed_at=None), False,
         "granted, not executed yet")


def plant_marketing(w: World, plan: Plan, a: Anchors, clients: Clients) -> None:
    """10.1 and 10.2: messages around consent, withdrawal and objection."""
    given, withdrawn, objected = a.base - days(300), a.base - days(60), a.base - days(100)

    def client(explicit: bool | None, until: date | None = None) -> str:
        cid = clients.crafted(w, given - days(60), [(given - days(50), None)])["client_id"]
        if explicit is not None:
            w.add("consents", client_id=cid, purpose="marketing", party_id=None, given_at=given, withdrawn_at=until,
                  explicit=explicit)
        return cid

    def message(cid: str, day: date, rule: str, expect: bool, note: str, hour: int = 14) -> None:
        row = w.add("marketing", client_id=cid, sent_at=at(day, hour * 3600), purpose="commercial")
        plan(rule, row, expect, note)

    consent, objection = "10.1-marketing-without-consent", "10.2-marketing-after-objection"
    cid = client(True, withdrawn)
    message(cid, given - DAY, consent, True, "sent the day before consent was given")
    message(cid, given, consent, False, "sent on the day consent was given", 9)
    message(cid, withdrawn - DAY, consent, False, "sent the day before the withdrawal")
    message(cid, withdrawn, consent, True, "sent on the day of the withdrawal")
    message(client(False), given + days(20), consent, True, "consent not explicit")
    message(client(None), given + days(20), consent, True, "no consent at all")
    cid = client(True)
    w.add("objections", client_id=cid, objected_at=objected)
    message(cid, objected, objection, False, "sent on the day of the objection", 16)
    message(cid, objected + DAY, objection, True, "sent the day after the objection")


def plant_veteran(w: World, plan: Plan, a: Anchors, clients: Clients) -> None:
    """A client since the office's early years: hosts the old fiscal records of `record_cases`."""
    start = plus_months(a.as_of, -12 * 11)
    clients.veteran = clients.crafted(w, start, [(start + days(10), start + days(700)),
                                                 (start + days(800), start + days(1600)),
                                                 (a.as_of - days(900), None)], "Gemeente Amsterdam")


CRAFTED: tuple[Callable[[World, Plan, Anchors, Clients], None], ...] = (
    plant_veteran, plant_no_trajectory, plant_last_contact, plant_after_guidance, plant_assignment,
    plant_consent, plant_deletion_statement, plant_marketing)


# --- clients whose own fields are the point: patches ----------------------------------------

def client_patches(a: Anchors, rng: Random) -> list[tuple[Any, list[tuple[str, bool, str]]]]:
    """Field changes (a dict, or a function of the client) and what each must do to rule 4.2."""
    invalid, incomplete, implausible = "4.2-invalid-bsn", "4.2-incomplete-client", "4.2-implausible-birth-date"
    good, zero, century = valid_bsn(rng), valid_bsn(rng, "0"), plus_months(a.as_of, -1200)
    return [
        ({"bsn": good[:8] + str((int(good[8]) + 1) % 10)}, [(invalid, True, "check digit off by one")]),
        ({"bsn": zero[1:]}, [(invalid, True, "leading zero lost: eight digits")]),
        ({"bsn": good[:3] + "O" + good[4:]}, [(invalid, True, "a letter O typed for a digit")]),
        ({"bsn": f"{good[:4]}.{good[4:6]}.{good[6:]}"}, [(invalid, True, "written with dots")]),
        ({"bsn": good + "0"}, [(invalid, True, "ten digits")]),
        ({"bsn": zero}, [(invalid, False, "valid, with a leading zero")]),
        ({"bsn": "000000000"}, [(invalid, False, "nine zeros pass the elfproef as written")]),
        ({"bsn": " "}, [(invalid, False, "a blank BSN is empty, not invalid"), (incomplete, True, "BSN blank")]),
        ({"bsn": None}, [(invalid, False, "a null BSN is not invalid"), (incomplete, True, "BSN null")]),
        ({"name": None}, [(incomplete, True, "name null")]),
        ({"name": "   "}, [(incomplete, True, "name only spaces")]),
        ({"birth_date": None}, [(incomplete, True, "birth date null"),
                                (implausible, False, "no birth date: not implausible")]),
        ({"phone": None, "address": None, "postcode": None},
         [(incomplete, False, "no phone or address: still complete")]),
        (lambda c: {"birth_date": c["registered_at"]}, [(implausible, False, "born on the day of registration")]),
        (lambda c: {"birth_date": c["registered_at"] + DAY}, [(implausible, True, "born the day after registration")]),
        ({"birth_date": century}, [(implausible, False, "born exactly 100 years before A")]),
        ({"birth_date": century - DAY}, [(implausible, True, "born 100 years and a day before A")]),
    ]


def plant_clients(w: World, plan: Plan, a: Anchors, clients: Clients) -> None:
    """4.2 on background clients, and rule 1.1 on the two unlisted columns."""
    for changes, expectations in client_patches(a, w.rng):
        client = clients.fresh()
        client.update(changes(client) if callable(changes) else changes)
        for rule, expect, note in expectations:
            plan(rule, client, expect, note)
    for column in EXTRA_CLIENT_COLUMNS:
        plan("1.1-unlisted-data-category", column, True, "a column art. 1.1 does not list")
    plan("1.1-unlisted-data-category", "bsn", False, "a listed column")


# --- the access log: planted actors and their events ----------------------------------------

class LogPlanter:
    """Planted users and parties (kept out of the background log) and their events."""

    def __init__(self, w: World, plan: Plan, a: Anchors, clients: Clients) -> None:
        self.w, self.plan, self.a = w, plan, a
        self.since = a.as_of - days(LOG_DAYS + 400)  # long before the log begins
        self.start, self.stop, self.signed = a.as_of - days(500), a.as_of - days(150), a.as_of - days(300)
        self.x, self.y, self.z = (c["client_id"] for c in w.rng.sample(clients.background, 3))
        self.clerk = self.user("administration")

    def user(self, role: str, start: date | None = None, until: date | None = None, signed: date | None = None,
             never_signed: bool = False, special: bool = False,
             caseload: tuple[tuple[str, date, date | None], ...] = ()) -> str:
        """A planted user, authorised and signed long before the log begins unless told otherwise."""
        signed_at = None if never_signed else signed or self.since
        uid = add_user(self.w, role, start or self.since, until, signed_at, special, planted=True)["user_id"]
        for client, begin, end in caseload:
            self.w.add("caseload", user_id=uid, client_id=client, assigned_from=begin, assigned_until=end)
        return uid

    def party(self, name: str, kind: str, agreement: date | None, confidential: bool = True) -> str:
        return add_party(self.w, name, kind, agreement, confidential, planted=True)["party_id"]

    def event(self, actor: str, client: str, when: date | datetime, rule: str, expect: bool, note: str,
              kind: str = "user", category: str = "general", purpose: str | None = "administration") -> None:
        ts = when if isinstance(when, datetime) else at(when, 10 * 3600)
        row = {"event_id": None, "ts": ts, "actor_id": actor, "actor_kind": kind, "client_id": client,
               "action": "read", "data_category": category, "purpose": purpose}
        self.w.planted_events.append(row)
        self.plan(rule, row, expect, note)


def plant_authorisation(log: LogPlanter) -> None:
    rule, x, start, stop = "5.1-outside-authorisation", log.x, log.start, log.stop
    admin = log.user("administration", start, stop, start - days(30))
    log.event(admin, x, start - DAY, rule, True, "the day before the authorisation began")
    log.event(admin, x, at(start, 8 * 3600), rule, False, "on its first day")
    log.event(admin, x, at(stop, 86399), rule, False, "at 23:59:59 on its last day")
    log.event(admin, x, stop + DAY, rule, True, "the day after it ended")
    log.event(log.clerk, log.y, log.a.as_of - DAY, rule, False, "an authorisation without end")


def plant_need_to_know(log: LogPlanter) -> None:
    rule, x, y, z, start, stop = "5.1-no-need-to-know", log.x, log.y, log.z, log.start, log.stop
    coach = log.user("jobcoach", special=True, caseload=((x, start, stop), (y, start, None)))
    log.event(coach, x, start - DAY, rule, True, "the day before the caseload period")
    log.event(coach, x, start, rule, False, "on its first day")
    log.event(coach, x, at(stop, 86399), rule, False, "on its last day")
    log.event(coach, x, stop + DAY, rule, True, "the day after it")
    log.event(coach, y, log.a.as_of - DAY, rule, False, "a caseload period without end")
    log.event(coach, z, log.a.base, rule, True, "a client never on this caseload")
    log.event(log.user("Jobcoach"), z, log.a.base, rule, False, "role 'Jobcoach' is not 'jobcoach'")
    intern = log.user("intern", caseload=((y, log.since, None),))
    log.event(intern, z, log.a.base, rule, True, "an intern outside the caseload")


def plant_clearance(log: LogPlanter) -> None:
    rule, x, day = "5.1-special-data-without-clearance", log.x, log.a.base
    intern = log.user("intern", caseload=((x, log.since, None),))
    log.event(intern, x, day, rule, True, "special data, no clearance", category="special")
    log.event(intern, x, day, rule, False, "general data, no clearance needed")
    log.event(intern, x, day, rule, False, "'Special' is not 'special'", category="Special")
    coach = log.user("advisor", special=True, caseload=((x, log.since, None),))
    log.event(coach, x, day, rule, False, "special data, cleared", category="special")


def plant_confidentiality(log: LogPlanter) -> None:
    rule, y, signed = "5.2-no-confidentiality-statement", log.y, log.signed
    late = log.user("jobcoach", signed=signed, special=True, caseload=((y, log.since, None),))
    log.event(late, y, signed - DAY, rule, True, "the day before the statement was signed")
    log.event(late, y, at(signed, 7 * 3600), rule, False, "on the day it was signed")
    never = log.user("advisor", never_signed=True, caseload=((y, log.since, None),))
    log.event(never, y, log.a.base, rule, True, "never signed")


def plant_third_parties(log: LogPlanter) -> None:
    rule, x, day, signed = "5.3-third-party-without-agreement", log.x, log.a.base, log.signed
    printer = log.party("Printservice Ruïne B.V.", "processor", signed)
    log.event(printer, x, signed - DAY, rule, True, "the day before the agreement was signed", kind="party")
    log.event(printer, x, signed, rule, False, "on the day it was signed", kind="party")
    partner = log.party("Re-integratiebureau Zoë & Co", "third_party", None)
    log.event(partner, x, day, rule, True, "no agreement", kind="party")
    storage = log.party("Dataopslag Eëlco B.V.", "processor", log.since, confidential=False)
    log.event(storage, x, day, rule, True, "no confidentiality", kind="party")
    payroll = log.w.party("Salarisverwerking Noord B.V.")["party_id"]
    log.event(payroll, x, day, rule, False, "agreement and secrecy", kind="party")


def plant_unknown_actors(log: LogPlanter) -> None:
    rule, x, day = "5.1-unknown-actor", log.x, log.a.base
    log.event("svc_backup", x, day, rule, True, "a system account that is no user")
    log.event("P000", x, day, rule, True, "no such party", kind="party")
    log.event(log.w.party("UWV")["party_id"], x, day, rule, True, "a party id logged as a user")
    log.event("svc_backup", x, day, rule, False, "actor kind 'User' is neither user nor party", kind="User")
    log.event(log.clerk, x, day, rule, False, "a known user")


def plant_purposes(log: LogPlanter) -> None:
    for purpose, expect, note in (
            ("Reintegration", True, "'Reintegration' is not 'reintegration'"), (None, True, "purpose null"),
            ("   ", True, "purpose only spaces"), (" reintegration", True, "leading space"),
            ("dossier bekijken", True, "typed by hand"), ("marketing", False, "an allowed purpose"),
            ("legal_obligation", False, "an allowed purpose"), ("participation", False, "an allowed purpose")):
        log.event(log.clerk, log.y, log.a.base, "3.2-purpose-not-allowed", expect, note, purpose=purpose)


def plant_access(w: World, plan: Plan, a: Anchors, clients: Clients) -> None:
    """Events on the boundaries of 3.2 and 5.1–5.3."""
    log = LogPlanter(w, plan, a, clients)
    for step in (plant_authorisation, plant_need_to_know, plant_clearance, plant_confidentiality,
                 plant_third_parties, plant_unknown_actors, plant_purposes):
        step(log)


# --- files ----------------------------------------------------------------------------------

Columns = list[tuple[str, str]]  # name, contract type
CSV_TEXT: dict[str, Callable[[Any], str]] = {
    "bool": lambda v: "true" if v else "false",
    "date": date.isoformat,
    "timestamp": lambda v: v.isoformat(timespec="seconds"),
    "list<string>": ";".join,
}


class Sink(Protocol):
    def write(self, rows: list[Row]) -> None: ...
    def close(self) -> None: ...


class CsvSink:
    """The contract's CSV: UTF-8, a header, empty cell = null, true/false, ISO dates, lists joined by ';'."""

    def __init__(self, path: Path, columns: Columns) -> None:
        self.file = path.open("w", encoding="utf-8", newline="")
        self.writer = csv.writer(self.file, lineterminator="\n")
        self.writer.writerow([name for name, _ in columns])
        self.get = itemgetter(*(name for name, _ in columns))
        self.convert = [(i, CSV_TEXT[kind]) for i, (_, kind) in enumerate(columns) if kind in CSV_TEXT]

    def cells(self, row: Row) -> list[Any]:
        values = list(self.get(row))
        for i, text in self.convert:
            if values[i] is not None:
                values[i] = text(values[i])
        return values  # csv writes None as an empty cell

    def write(self, rows: list[Row]) -> None:
        self.writer.writerows(map(self.cells, rows))

    def close(self) -> None:
        self.file.close()


class ParquetSink:
    """Parquet with native types: date32, timestamp[s], bool, list<string>; one row group per chunk."""

    def __init__(self, path: Path, columns: Columns) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq
        types = {"string": pa.string(), "date": pa.date32(), "timestamp": pa.timestamp("s"), "bool": pa.bool_(),
                 "list<string>": pa.list_(pa.string())}
        self.pa, self.names = pa, [name for name, _ in columns]
        self.schema = pa.schema([(name, types[kind]) for name, kind in columns])
        self.writer = pq.ParquetWriter(path, self.schema)

    def write(self, rows: list[Row]) -> None:
        arrays = [self.pa.array([r[name] for r in rows], type=f.type) for name, f in zip(self.names, self.schema)]
        self.writer.write_table(self.pa.Table.from_arrays(arrays, schema=self.schema))

    def close(self) -> None:
        self.writer.close()


def columns_of(dataset: str) -> Columns:
    extra = [(name, "string") for name in EXTRA_CLIENT_COLUMNS] if dataset == "clients" else []
    return [(c.name, c.type) for c in contract()[dataset].columns] + extra


def open_sink(out: Path, dataset: str, fmt: str) -> Sink:
    cls = CsvSink if fmt == "csv" else ParquetSink
    return cls(out / f"{dataset}.{fmt}", columns_of(dataset))


def write_rows(out: Path, dataset: str, rows: list[Row], fmt: str) -> int:
    sink = open_sink(out, dataset, fmt)
    sink.write(rows)
    sink.close()
    return len(rows)


# --- putting it together ---------------------------------------------------------------------

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
    w, plan = World(Random(seed), as_of, params), Plan()
    build(w, plan, clients)
    number(w.tables)
    rows = {name: write_rows(out, name, w.tables[name], fmt) for name in contract() if name != "access_log"}
    oracle = Oracle(w.tables, as_of, params, [name for name, _ in columns_of("clients")])
    w.files.clear()
    rows["access_log"] = stream_access_log(w, out, fmt, oracle, clients * events_per_client, chunk_rows)
    findings = oracle.findings()
    truth = {"as_of": as_of.isoformat(), "seed": seed, "clients": clients, "params": params,
             "findings": findings, "planted": plan.resolved()}
    (out / "ground_truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return {"rows": dict(sorted(rows.items())), "findings": {rule: len(keys) for rule, keys in findings.items()}}
