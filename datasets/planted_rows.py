"""Planted rows whose verdict depends on the row alone: requests, records, complaints, disclosures.

Each `*_cases` table lists a rule's violations and the near-misses on its boundaries (the
day before / on / after, 31 Jan + 1 month, 29 Feb + 7 years, case, blanks and nulls).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from .client_file import REASONS, contact, disclosure, record
from .oracle_rules_rights import CHANGE_TYPES
from .scenario import Anchors, Clients, Plan, days
from .world import DAY, Row, World, add_user, at, plus_months

Case = tuple[str, bool, str, dict[str, Any]]  # rule, must it be a finding, why, the row's particulars
# A case's particulars may name the judged `column` (contract rules) and `also`: further intents on the same
# row, as (rule, finding?, why, column or None).
UNKNOWN = "4.2-unknown-code"
ORDER = "4.2-date-order"
DANGLING = "4.2-dangling-reference"


def request_cases(a: Anchors) -> list[Case]:
    b, p, jan, leap = a.base, a.params, a.jan31(leap=False), a.jan31(leap=True)
    month = lambda d: plus_months(d, p["access_months"])  # noqa: E731
    weeks, execution = 7 * p["decision_weeks"], p["execution_days"]
    open_access, open_change = a.on_time(months=p["access_months"]), a.on_time(n_days=weeks)
    pending = a.on_time(n_days=execution)
    rep = dict(requester="representative")
    extended = p["access_months_extended"]
    long = lambda d: plus_months(d, extended)  # noqa: E731
    jan_x, leap_x, open_x = a.jan31(False, extended), a.jan31(True, extended), a.on_time(months=extended)
    return [
        ("8.1-access-request-late", False, "extended on 31 Jan + 1 month, decided on 31 Jan + 3 months (30 Apr)",
         dict(type="access", received=jan_x, extended_at=month(jan_x), decided=long(jan_x))),
        ("8.1-access-request-late", True, "extended in time, decided the day after 31 Jan + 3 months",
         dict(type="access", received=jan_x, extended_at=jan_x + days(9), decided=long(jan_x) + DAY)),
        ("8.1-access-request-late", True, "extension told the day after 31 Jan + 1 month: the term stays a month",
         dict(type="access", received=jan_x, extended_at=month(jan_x) + DAY, decided=month(jan_x) + days(5))),
        ("8.1-access-request-late", False, "leap year: extended on 31 Jan + 1 month (29 Feb), decided on 30 Apr",
         dict(type="access", received=leap_x, extended_at=month(leap_x), decided=long(leap_x))),
        ("8.1-access-request-late", False, "extended on the day it was received, decided after 6 weeks",
         dict(type="access", received=b, extended_at=b, decided=b + days(42))),
        ("8.1-access-request-late", False, "open, extended in time, and A is exactly received + 3 months",
         dict(type="access", received=open_x, extended_at=open_x + days(3))),
        ("8.1-access-request-late", True, "open, extended in time, and A is a day past received + 3 months",
         dict(type="access", received=open_x - DAY, extended_at=open_x + days(3))),
        ("9.3-decision-late", True, "an extension does not move the 4 weeks of a correction",
         dict(type="correction", received=b, extended_at=b + days(7), decided=b + days(weeks + 1))),
        (ORDER, True, "extension told the day before the request was received",
         dict(type="access", received=b, decided=b + days(5), extended_at=b - DAY, column="extended_at")),
        (ORDER, False, "extension told on the day the request was received",
         dict(type="access", received=b, decided=b + days(5), extended_at=b, column="extended_at")),
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
        ("8.1-access-request-late", False, "'Access' is not 'access'",
         dict(type="Access", received=b - days(200), also=[(UNKNOWN, True, "type 'Access' is no code", "type")])),
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
         dict(type="access", received=b, decided=b + days(5), decision="Refused",
              also=[(UNKNOWN, True, "decision 'Refused' is no code", "decision")])),
        (UNKNOWN, False, "a blank decision is empty, and the column is nullable",
         dict(type="access", received=a.as_of - days(6), decision=" ", column="decision")),
        (UNKNOWN, False, "every code as the contract spells it",
         dict(type="correction", received=b, decided=b + days(5), column="type",
              also=[(UNKNOWN, False, "'subject' is a code", "requester"),
                    (UNKNOWN, False, "'granted' is a code", "decision")])),
        ("9.1-supplement-refused", True, "a supplement refused",
         dict(type="supplement", received=b, decided=b + days(6), decision="refused", decision_reason=REASONS[1])),
        ("9.1-supplement-refused", False, "a supplement granted",
         dict(type="supplement", received=b, decided=b + days(6))),
        ("9.1-supplement-refused", False, "a correction may be refused",
         dict(type="correction", received=b, decided=b + days(6), decision="refused", decision_reason=REASONS[1])),
        ("9.1-supplement-refused", False, "'Supplement' is not 'supplement'",
         dict(type="Supplement", received=b, decided=b + days(6), decision="refused", decision_reason=REASONS[1],
              also=[(UNKNOWN, True, "type 'Supplement' is no code", "type")])),
        ("9.1-supplement-refused", False, "'Refused' is not 'refused'",
         dict(type="supplement", received=b, decided=b + days(6), decision="Refused", decision_reason=REASONS[1])),
        (ORDER, True, "decided the day before it was received",
         dict(type="access", received=b, decided=b - DAY, column="decided_at")),
        (ORDER, False, "decided on the day it was received", dict(type="access", received=b, decided=b,
                                                                  column="decided_at")),
        (ORDER, True, "executed the day before the decision",
         dict(type="correction", received=b, decided=b + days(5), executed_at=b + days(4), column="executed_at")),
        (ORDER, False, "executed on the day of the decision",
         dict(type="correction", received=b, decided=b + days(5), executed_at=b + days(5), column="executed_at")),
        (ORDER, False, "not decided: nothing to order", dict(type="access", received=a.as_of - days(5),
                                                             column="decided_at")),
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
        ("4.4-special-data-not-informed", False, "'Special' is not 'special'",
         dict(category="Special", created=b, also=[(UNKNOWN, True, "category 'Special' is no code", "category")])),
        (UNKNOWN, False, "'fiscal' is a code", dict(category="fiscal", created=b, column="category")),
        (ORDER, True, "deleted the day before it was recorded",
         dict(category="general", created=b, deleted=b - DAY, column="deleted_at")),
        (ORDER, False, "deleted on the day it was recorded",
         dict(category="general", created=b, deleted=b, column="deleted_at")),
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
        (ORDER, True, "handled the day before it was received",
         dict(received_at=b, handled_at=b - DAY, column="handled_at")),
        (ORDER, False, "handled on the day it was received", dict(received_at=b, handled_at=b, column="handled_at")),
        (ORDER, False, "not handled: nothing to order",
         dict(received_at=a.as_of - days(3), handled_at=None, column="handled_at")),
    ]


def disclosure_cases(a: Anchors) -> list[Case]:
    legal = dict(basis="legal_obligation", legal_ground="art. 30c Wet SUWI")
    basis = "basis"
    return [
        ("7.1-disclosure-without-basis", True, "basis null",
         dict(receiver="Arbo Unie", basis=None, also=[(UNKNOWN, False, "a null basis: the column is nullable",
                                                        basis)])),
        ("7.1-disclosure-without-basis", True, "basis only spaces",
         dict(receiver="Uitzendbureau Werkpunt", basis="  ",
              also=[(UNKNOWN, False, "a blank basis is empty: 7.1 judges it, not 4.2", basis)])),
        ("7.1-disclosure-without-basis", False, "' consent' is not empty",
         dict(receiver="Arbo Unie", basis=" consent", also=[(UNKNOWN, True, "basis ' consent' is no code", basis)])),
        (UNKNOWN, True, "basis 'Consent' is no code", dict(receiver="Arbo Unie", basis="Consent", column=basis)),
        ("7.1-legal-ground-missing", True, "legal obligation, ground null",
         dict(receiver="Belastingdienst", categories=["fiscal"], basis="legal_obligation")),
        ("7.1-legal-ground-missing", True, "legal obligation, ground only spaces",
         dict(receiver="Sociale Verzekeringsbank", basis="legal_obligation", legal_ground="   ")),
        ("7.1-legal-ground-missing", False, "legal obligation with its ground",
         dict(receiver="Belastingdienst", categories=["fiscal"], basis="legal_obligation", legal_ground="art. 53 AWR",
              also=[(UNKNOWN, False, "'legal_obligation' is a code", basis)])),
        ("7.1-legal-ground-missing", False, "'Legal_obligation' is not 'legal_obligation'",
         dict(receiver="Belastingdienst", basis="Legal_obligation",
              also=[(UNKNOWN, True, "basis 'Legal_obligation' is no code", basis)])),
        ("7.2-special-data-to-commissioner", True, "diagnosis sent to the commissioner under the agreement",
         dict(receiver="UWV", categories=["general", "special"], basis="reintegration_agreement")),
        ("7.2-special-data-to-commissioner", False, "diagnosis sent to the commissioner by law, ground named",
         dict(receiver="UWV", categories=["general", "special"], **legal)),
        ("7.2-special-data-to-commissioner", True, "by law, but the ground is blank",
         dict(receiver="UWV", categories=["special"], basis="legal_obligation", legal_ground=" ")),
        ("7.2-special-data-to-commissioner", True, "'Legal_obligation' is not 'legal_obligation'",
         dict(receiver="UWV", categories=["special"], basis="Legal_obligation", legal_ground="art. 30c Wet SUWI")),
        ("7.2-special-data-to-commissioner", True, "no basis at all",
         dict(receiver="Gemeente Amsterdam", categories=["special"], basis=None)),
        ("7.2-special-data-to-commissioner", False, "special data to the company doctor, a third party",
         dict(receiver="Bedrijfsartsenpraktijk Maas", categories=["special"], basis="consent")),
        ("7.2-special-data-to-commissioner", False, "'Special' is not 'special'",
         dict(receiver="UWV", categories=["general", "Special"], basis="reintegration_agreement",
              also=[(UNKNOWN, True, "category 'Special' in the list is no code", "categories")])),
        ("7.2-special-data-to-commissioner", False, "general and fiscal data to the commissioner",
         dict(receiver="Gemeente Amsterdam", categories=["general", "fiscal"], basis="reintegration_agreement",
              also=[(UNKNOWN, False, "every element is a code", "categories")])),
        (UNKNOWN, True, "'Medical' in the list is no code",
         dict(receiver="Arbo Unie", categories=["general", "Medical"], basis="consent", column="categories")),
        (DANGLING, True, "a consent id no consent has",
         dict(receiver="Arbo Unie", basis="consent", consent="CS99999", column="consent_id")),
        (DANGLING, False, "no consent named", dict(receiver="Arbo Unie", basis="consent",
                                                                   column="consent_id")),
    ]


def split(spec: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A case's particulars apart from its intents (`column`, `also`), and those intents."""
    intents = ("column", "also")
    return {k: v for k, v in spec.items() if k not in intents}, {k: v for k, v in spec.items() if k in intents}


def plant(plan: Plan, rule: str, row: Row, expect: bool, note: str, intents: dict[str, Any]) -> None:
    """Record the case's intent, and the further intents its particulars name."""
    plan(rule, row, expect, note, column=intents.get("column"))
    for also_rule, also_expect, also_note, column in intents.get("also", ()):
        plan(also_rule, row, also_expect, also_note, column=column)


def plant_rows(w: World, plan: Plan, a: Anchors, clients: Clients) -> None:
    """Requests, records, complaints and disclosures that are findings (or not) on their own."""
    for rule, expect, note, case in request_cases(a):
        spec, intents = split(case)
        kind, received, decided = spec.pop("type"), spec.pop("received"), spec.pop("decided", None)
        row = request_row(w, clients.host(w, received), kind, received, decided, **spec)
        plant(plan, rule, row, expect, note, intents)
    for rule, expect, note, case in record_cases(a):
        spec, intents = split(case)
        host = clients.host(w, spec["created"])
        row = record(w, host, spec["category"], spec["created"], spec.get("deleted"), spec.get("informed"))
        plant(plan, rule, row, expect, note, intents)
    for rule, expect, note, case in complaint_cases(a):
        spec, intents = split(case)
        row = w.add("complaints", client_id=clients.host(w, spec["received_at"]),
                    handled_by=w.staff["management"][0], **spec)
        plant(plan, rule, row, expect, note, intents)
    for rule, expect, note, case in disclosure_cases(a):
        spec, intents = split({"categories": ["general"], "legal_ground": None, **case})
        row = disclosure(w, clients.host(w, a.base), w.party(spec.pop("receiver")), at(a.base, 11 * 3600), **spec)
        plant(plan, rule, row, expect, note, intents)
    plant_contract_rows(w, plan, a, clients)


def plant_contract_rows(w: World, plan: Plan, a: Anchors, clients: Clients) -> None:
    """Codes, references and date order in the datasets without a table of cases above."""
    b, ends = a.base, ((DAY, True, "ends the day before it starts"), (timedelta(0), False, "ends on the day it starts"))
    for shift, expect, note in ends:
        trajectory = w.add("trajectories", client_id=clients.fresh()["client_id"],
                           commissioner_id=w.party("UWV")["party_id"], kind="support", start_date=b,
                           end_date=b - shift)
        plan(ORDER, trajectory, expect, f"a trajectory that {note}", column="end_date")
        user = add_user(w, "advisor", b, b - shift, b, planted=True)
        plan(ORDER, user, expect, f"an authorisation that {note}", column="authorized_until")
        period = w.add("caseload", user_id=user["user_id"], client_id=clients.host(w, b), assigned_from=b,
                       assigned_until=b - shift)
        plan(ORDER, period, expect, f"a caseload period that {note}", column="assigned_until")
        consent = w.add("consents", client_id=clients.host(w, b), purpose="disclosure", party_id=None, given_at=b,
                        withdrawn_at=b - shift, explicit=True)
        plan(ORDER, consent, expect, f"a consent that {note}", column="withdrawn_at")
        plan(DANGLING, consent, False, "a consent for any receiver names no party", column="party_id")
    plan(ORDER, w.tables["users"][0], False, "an authorisation without end", column="authorized_until")
    worker, host = w.workers[0]["user_id"], clients.host(w, b)
    for channel, expect, note in ((" ", True, "channel a single space, in a required column"),
                                  ("Phone", True, "channel 'Phone' is no code"), ("phone", False, "a code")):
        row = contact(w, host, worker, b, channel)
        plan(UNKNOWN, row, expect, note, column="channel")
    plan(DANGLING, row, False, "a contact by a user who exists", column="user_id")
    ghost_user, ghost_client = "U9999", clients.ghost
    w.planted_actors.add(ghost_user)  # the background log must not pick the ghost's caseload
    period = w.add("caseload", user_id=ghost_user, client_id=host, assigned_from=b, assigned_until=None)
    plan(DANGLING, period, True, "caseload of a user who does not exist", column="user_id")
    plan(DANGLING, period, False, "caseload of a client who exists", column="client_id")
    plan(DANGLING, record(w, ghost_client, "general", b), True, "a record of a client who does not exist",
         column="client_id")
    plan(DANGLING, record(w, host, "general", b, by=worker.lower()), True, "created by a user id in lower case",
         column="created_by")
    unsigned = record(w, host, "general", b)
    unsigned["created_by"] = None
    plan(DANGLING, unsigned, False, "created by nobody recorded", column="created_by")


def request_row(w: World, client_id: str, kind: str, received: date, decided: date | None = None,
                **over: Any) -> Row:
    """A request handled by the book (by the office's first administrator, heard first, in writing, executed in
    days) except for `over`."""
    row: Row = dict(client_id=client_id, type=kind, received_at=received, requester="subject",
                    identity_verified=True, mandate_verified=None, collector_heard_at=None, decided_at=decided,
                    decision=None, decision_reason=None, decision_in_writing=None, executed_at=None,
                    handled_by=w.staff["administration"][0], extended_at=None)
    if decided is not None:
        row.update(decision="granted", decision_in_writing=True)
        if kind in CHANGE_TYPES:
            row["collector_heard_at"] = max(received, decided - days(2))
            if over.get("decision", "granted") != "refused":
                row["executed_at"] = decided + days(3)
    row.update(over)
    return w.add("requests", **row)
