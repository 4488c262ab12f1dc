"""Planted access-log events: users and parties on the boundaries of rules 3.2, 4.2, 4.4, 5.1–5.3, 6.1 and 10.

The planted actors are kept out of the background log; `generate` merges their events
into it on their day.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from .client_file import disclosure, record
from .planted_rows import UNKNOWN, request_row
from .scenario import LOG_DAYS, Anchors, Clients, Plan, days
from .world import DAY, Row, World, add_party, add_user, at, plus_months


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
             caseload: tuple[tuple[str, date, date | None], ...] = (), manager: str | None = None) -> str:
        """A planted user, authorised and signed long before the log begins unless told otherwise, who reports to
        `manager` (by default the office's first manager, who manages no caseload of a planted user)."""
        signed_at = None if never_signed else signed or self.since
        uid = add_user(self.w, role, start or self.since, until, signed_at, special, planted=True,
                       manager=manager or self.w.staff["management"][0])["user_id"]
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


UNEXPLAINED = "5.1-access-unexplained"


def plant_caseload_and_manager(log: LogPlanter) -> None:
    """5.1 explanations `caseload` and `manager`: a case worker and their manager around an assignment."""
    x, y, z, start, stop, day = log.x, log.y, log.z, log.start, log.stop, log.a.base
    boss, other_boss = log.user("management", special=True), log.user("management", special=True)
    coach = log.user("jobcoach", special=True, caseload=((x, start, stop), (y, start, None)), manager=boss)
    intern = log.user("intern", caseload=((y, log.since, None),), manager=other_boss)
    odd = log.user("Jobcoach")
    for actor, client, when, expect, note in (
            (coach, x, start - DAY, True, "the day before the caseload assignment began"),
            (coach, x, start, False, "on its first day"),
            (coach, x, at(stop, 86399), False, "at 23:59:59 on its last day"),
            (coach, x, stop + DAY, True, "the day after the assignment ended"),
            (coach, y, log.a.as_of - DAY, False, "an assignment without end"),
            (coach, z, day, True, "another client: on no caseload of this user"),
            (intern, z, day, True, "an intern outside the caseload"),
            (intern, x, start + days(30), True, "another user: the client is on a colleague's caseload"),
            (odd, z, day, True, "role 'Jobcoach': every known user is judged, whatever the role"),
            (boss, x, at(stop, 15 * 3600), False, "the manager of the assigned case worker, on the assignment's "
                                                  "last day"),
            (boss, x, stop + DAY, True, "the manager, the day after the assignment ended"),
            (boss, z, day, True, "the manager, a client of no one they manage"),
            (other_boss, x, start + days(30), True, "the manager of another case worker")):
        log.event(actor, client, when, UNEXPLAINED, expect, note, purpose="reintegration")


def plant_handlers(log: LogPlanter) -> None:
    """5.1 explanations `request` and `complaint`: the user who handles one, from its receipt to 14 days after."""
    w, x, y, z, b, as_of = log.w, log.x, log.y, log.z, log.a.base, log.a.as_of
    officer, other = log.user("advisor"), log.user("advisor")
    received = b - days(120)
    fixed = request_row(w, x, "correction", received, received + days(10), handled_by=officer)
    answered = request_row(w, y, "access", b - days(60), b - days(50), handled_by=officer)
    request_row(w, z, "access", as_of - days(20), handled_by=officer)
    done, decided = fixed["executed_at"], answered["decided_at"]
    for actor, client, when, expect, note in (
            (officer, x, received - DAY, True, "the day before the request was received"),
            (officer, x, at(received, 8 * 3600), False, "on the day the request was received"),
            (officer, x, at(done + days(14), 86399), False, "14 days after the request was executed"),
            (officer, x, done + days(15), True, "15 days after the request was executed"),
            (officer, y, decided + days(14), False, "not executed: 14 days after the decision"),
            (officer, y, decided + days(15), True, "not executed: 15 days after the decision"),
            (officer, z, as_of - DAY, False, "an open request: until A + 14 days"),
            (officer, y, received + days(5), True, "a request of another client"),
            (other, x, received + days(5), True, "a request handled by someone else")):
        log.event(actor, client, when, UNEXPLAINED, expect, note, purpose="legal_obligation")
    officer = log.user("management")
    received = b - days(200)
    handled = received + days(20)
    w.add("complaints", client_id=x, received_at=received, handled_at=handled, handled_by=officer)
    w.add("complaints", client_id=y, received_at=as_of - days(10), handled_at=None, handled_by=officer)
    for actor, client, when, expect, note in (
            (officer, x, received - DAY, True, "the day before the complaint was received"),
            (officer, x, received, False, "on the day the complaint was received"),
            (officer, x, at(handled + days(14), 86399), False, "14 days after the complaint was handled"),
            (officer, x, handled + days(15), True, "15 days after the complaint was handled"),
            (officer, y, as_of - DAY, False, "an open complaint: until A + 14 days"),
            (officer, z, received + days(5), True, "a complaint of another client")):
        log.event(actor, client, when, UNEXPLAINED, expect, note)


def plant_authors(log: LogPlanter) -> None:
    """5.1 explanations `disclosure` and `record`: the user who sent a report or wrote a record, that day."""
    w, x, y, b = log.w, log.x, log.y, log.a.base
    sender, author = log.user("advisor"), log.user("advisor")
    sent = b - days(40)
    disclosure(w, x, w.party("UWV"), at(sent, 11 * 3600), ["general"], "legal_obligation", "art. 30c Wet SUWI",
               by=sender)
    written = b - days(35)
    record(w, x, "general", written, by=author)
    for actor, client, when, expect, note in (
            (sender, x, at(sent, 86399), False, "the day of the disclosure, after it was sent"),
            (sender, x, at(sent, 7 * 3600), False, "the day of the disclosure, before it was sent: only the date "
                                                   "counts"),
            (sender, x, sent - DAY, True, "the day before the disclosure"),
            (sender, x, sent + DAY, True, "the day after the disclosure"),
            (sender, y, sent, True, "another client, on the day of the disclosure"),
            (author, x, at(written, 16 * 3600), False, "the day the author wrote the record"),
            (author, x, written + DAY, True, "the day after the author wrote the record"),
            (author, y, written, True, "another client, on the day of the record")):
        log.event(actor, client, when, UNEXPLAINED, expect, note, purpose="reintegration", action="write")


def plant_administration(log: LogPlanter) -> None:
    """5.1 explanation `administration`: an administrator on a trajectory's file, until 3 months after its end."""
    cid, (start, end) = log.clients.story["assigned"], log.a.assignment
    after = plus_months(end, log.a.params["administration_months"])
    for actor, when, expect, note, particulars in (
            (log.clerk, start - DAY, True, "administration the day before the trajectory started", {}),
            (log.clerk, at(start, 8 * 3600), False, "administration on the trajectory's first day", {}),
            (log.clerk, at(after, 86399), False, "on its end + 3 months, clamped to that month's end", {}),
            (log.clerk, after + DAY, True, "the day after its end + 3 months (clamped)", {}),
            (log.clerk, end + days(10), False, "a legal obligation after the end",
             {"purpose": "legal_obligation"}),
            (log.clerk, end + days(11), True, "purpose reintegration is no administration",
             {"purpose": "reintegration"}),
            (log.clerk, end + days(12), True, "special data is not the administration's", {"category": "special"}),
            (log.clerk, end + days(13), False, "'Special' is not 'special'", {"category": "Special"}),
            (log.user("management"), end + days(13), True, "role management is not administration", {})):
        log.event(actor, cid, when, UNEXPLAINED, expect, note, **particulars)
    log.event(log.clerk, log.clients.ghost, log.a.base, UNEXPLAINED, True, "a client without any trajectory")


def plant_gaps(log: LogPlanter) -> None:
    """6.1: a silence of exactly 4 × 24 hours (no gap), one of a second more (a gap), the last event."""
    rule, y, gap = "6.1-access-log-gap", log.y, days(log.a.params["max_gap_days"])
    quiet = at(log.a.as_of - days(650), 12 * 3600)
    log.event(log.clerk, y, quiet, rule, False, "the next event exactly 4 × 24 hours later")
    log.event(log.clerk, y, quiet + gap, rule, False, "ends a silence of exactly 4 × 24 hours")
    outage = at(log.a.as_of - days(620), 12 * 3600)
    log.event(log.clerk, y, outage, rule, False, "the same second as the last event before a gap, a smaller event_id")
    log.event(log.clerk, y, outage, rule, True, "the last event before 4 × 24 hours and a second without events")
    log.event(log.clerk, y, outage + gap + timedelta(seconds=1), rule, False, "the first event after the gap")
    log.w.outages += [(quiet, quiet + gap), (outage, outage + gap + timedelta(seconds=1))]
    log.event(log.clerk, y, at(log.a.as_of - DAY, 86399), rule, False, "the last event of the log")


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
    """4.2: codes of the log compared exactly; an empty one in a required column (an empty string where the
    format keeps one apart from null, one space in CSV: the same event in every format)."""
    day = log.a.base
    log.event(log.clerk, log.y, day, UNKNOWN, True, "action 'Read' is no code", action="Read", column="action")
    log.event(log.clerk, log.y, day, UNKNOWN, True, "action 'read ' has a trailing space", action="read ",
              column="action")
    text, words = log.w.emptiest
    log.event(log.clerk, log.y, day, UNKNOWN, True, f"action {words}, in a required column", action=text,
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
    """Events on the boundaries of 3.2, 4.2, 4.4, 5.1–5.3, 6.1 and 10."""
    log = LogPlanter(w, plan, a, clients)
    for step in (plant_authorisation, plant_caseload_and_manager, plant_handlers, plant_authors, plant_administration,
                 plant_clearance, plant_confidentiality, plant_third_parties, plant_unknown_actors, plant_purposes,
                 plant_codes, plant_special_needs, plant_commissioner_reads, plant_marketing_reads, plant_gaps):
        step(log)
