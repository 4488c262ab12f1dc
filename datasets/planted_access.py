"""Planted access-log events: users and parties on the boundaries of rules 3.2, 4.2, 4.4, 5.1–5.3 and 10.

The planted actors are kept out of the background log; `generate` merges their events
into it on their day.
"""

from __future__ import annotations

from datetime import date, datetime

from .planted_rows import UNKNOWN
from .scenario import LOG_DAYS, Anchors, Clients, Plan, days
from .world import DAY, Row, World, add_party, add_user, at


class LogPlanter:
    """Planted users and parties (kept out of the background log) and their events."""

    def __init__(self, w: World, plan: Plan, a: Anchors, clients: Clients) -> None:
        self.w, self.plan, self.a = w, plan, a
        self.since = a.as_of - days(LOG_DAYS + 400)  # long before the log begins
        self.start, self.stop, self.signed = a.as_of - days(500), a.as_of - days(150), a.as_of - days(300)
        self.x, self.y, self.z = (c["client_id"] for c in w.rng.sample(clients.background, 3))
        self.clients = clients
        self.clerk = self.user("administration")
        self.manager = self.user("management", special=True)

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
              kind: str = "user", category: str = "general", purpose: str | None = "administration",
              action: str = "read", column: str | None = None) -> Row:
        ts = when if isinstance(when, datetime) else at(when, 10 * 3600)
        row = {"event_id": None, "ts": ts, "actor_id": actor, "actor_kind": kind, "client_id": client,
               "action": action, "data_category": category, "purpose": purpose}
        self.w.planted_events.append(row)
        self.plan(rule, row, expect, note, column=column)
        return row


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
    odd = log.event(intern, x, day, rule, False, "'Special' is not 'special'", category="Special")
    log.plan(UNKNOWN, odd, True, "data category 'Special' is no code", column="data_category")
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
    odd = log.event("svc_backup", x, day, rule, False, "actor kind 'User' is neither user nor party", kind="User")
    log.plan(UNKNOWN, odd, True, "actor kind 'User' is no code", column="actor_kind")
    known = log.event(log.clerk, x, day, rule, False, "a known user")
    log.plan(UNKNOWN, known, False, "'user' is a code", column="actor_kind")
    log.plan(UNKNOWN, known, False, "'read' is a code", column="action")
    log.event(log.clerk, log.clients.ghost, day, rule, False,
              "a known user opening a file that is gone (the log declares no references)")


def plant_purposes(log: LogPlanter) -> None:
    for purpose, expect, note in (
            ("Reintegration", True, "'Reintegration' is not 'reintegration'"), (None, True, "purpose null"),
            ("   ", True, "purpose only spaces"), (" reintegration", True, "leading space"),
            ("dossier bekijken", True, "typed by hand"), ("marketing", False, "an allowed purpose"),
            ("legal_obligation", False, "an allowed purpose"), ("participation", False, "an allowed purpose")):
        log.event(log.clerk, log.y, log.a.base, "3.2-purpose-not-allowed", expect, note, purpose=purpose)


def plant_codes(log: LogPlanter) -> None:
    """4.2: codes of the log compared exactly; an empty string only where the format keeps one apart from null."""
    day = log.a.base
    log.event(log.clerk, log.y, day, UNKNOWN, True, "action 'Read' is no code", action="Read", column="action")
    log.event(log.clerk, log.y, day, UNKNOWN, True, "action 'read ' has a trailing space", action="read ",
              column="action")
    if log.w.empty_strings:
        log.event(log.clerk, log.y, day, UNKNOWN, True, "action an empty string, in a required column", action="",
                  column="action")


def plant_special_needs(log: LogPlanter) -> None:
    """4.4: special data opened for a purpose that needs it, or for another (by a cleared manager)."""
    rule, y, day = "4.4-special-data-without-need", log.y, log.a.base
    for category, purpose, expect, note in (
            ("special", "reintegration", False, "special data for the re-integration"),
            ("special", "legal_obligation", False, "special data for a legal obligation"),
            ("special", "administration", True, "special data for the administration"),
            ("special", None, True, "special data, purpose null"),
            ("special", " ", True, "special data, purpose blank"),
            ("special", "Reintegration", True, "'Reintegration' is not 'reintegration'"),
            ("general", "administration", False, "general data for the administration"),
            ("Special", "marketing", False, "'Special' is not 'special'")):
        log.event(log.manager, y, day, rule, expect, note, category=category, purpose=purpose)


def plant_commissioner_reads(log: LogPlanter) -> None:
    """5.3: commissioners reading a client's file around the dates of the trajectory they assigned."""
    rule, cid, (start, end) = "5.3-third-party-no-need-to-know", log.clients.story["assigned"], log.a.assignment
    uwv = log.w.party("UWV")["party_id"]
    for actor, when, expect, note in (
            (uwv, start - DAY, True, "the day before the trajectory started"),
            (uwv, at(start, 8 * 3600), False, "on its first day"),
            (uwv, at(end, 86399), False, "at 23:59:59 on its last day"),
            (uwv, end + DAY, True, "the day after it ended"),
            (log.w.party("Gemeente Rotterdam")["party_id"], start + days(20), True,
             "a commissioner of no trajectory of this client"),
            (log.w.party("Salarisverwerking Noord B.V.")["party_id"], end + DAY, False, "a processor, no commissioner"),
            (log.party("Gemeente Kredietloket", "Commissioner", log.since), end + DAY, False,
             "kind 'Commissioner' is not 'commissioner'")):
        log.event(actor, cid, when, rule, expect, note, kind="party")


def plant_marketing_reads(log: LogPlanter) -> None:
    """10.1 and 10.2: the file opened for marketing around consent, withdrawal and objection."""
    consent, objection, story = "10.1-marketing-processing-without-consent", \
        "10.2-marketing-processing-after-objection", log.clients.story
    given, withdrawn, objected = log.a.marketing
    cid = story["marketing consent"]
    for when, expect, note in ((given - DAY, True, "the day before consent was given"),
                               (at(given, 8 * 3600), False, "on the day consent was given"),
                               (withdrawn - DAY, False, "the day before the withdrawal"),
                               (withdrawn, True, "on the day of the withdrawal")):
        log.event(log.clerk, cid, when, consent, expect, note, purpose="marketing")
    log.event(log.clerk, story["consent not explicit"], given + days(20), consent, True, "consent not explicit",
              purpose="marketing")
    log.event(log.clerk, story["no consent"], given + days(20), consent, True, "no consent at all",
              purpose="marketing")
    log.event(log.clerk, story["no consent"], given + days(21), consent, False, "'Marketing' is not 'marketing'",
              purpose="Marketing")
    cid = story["objected"]
    log.event(log.clerk, cid, at(objected, 17 * 3600), objection, False, "on the day of the objection",
              purpose="marketing")
    row = log.event(log.clerk, cid, objected + DAY, objection, True, "the day after the objection",
                    purpose="marketing")
    log.plan(consent, row, False, "an explicit consent that was never withdrawn")
    log.event(log.clerk, cid, objected + days(2), objection, False, "not for marketing", purpose="administration")


def plant_access(w: World, plan: Plan, a: Anchors, clients: Clients) -> None:
    """Events on the boundaries of 3.2, 4.2, 4.4, 5.1–5.3 and 10."""
    log = LogPlanter(w, plan, a, clients)
    for step in (plant_authorisation, plant_need_to_know, plant_clearance, plant_confidentiality,
                 plant_third_parties, plant_unknown_actors, plant_purposes, plant_codes, plant_special_needs,
                 plant_commissioner_reads, plant_marketing_reads):
        step(log)
