"""Planted clients: crafted scenarios whose verdict depends on other datasets, and patched fields.

A crafted client carries one cross-dataset story (a consent given and withdrawn, a
trajectory's first and last day, a deletion statement written a day early); a patch
changes a background client's own fields for rule 4.2; rule 1.1 gets the unlisted columns.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from .client_file import REASONS, contact, disclosure, record
from .planted_rows import DANGLING, UNKNOWN, request_row
from .scenario import Anchors, Clients, Plan, Planter, days
from .world import DAY, EXTRA_COLUMNS, World, add_party, at, plus_months

# --- rows whose verdict depends on other datasets: crafted clients ---------------------------

def plant_no_trajectory(w: World, plan: Plan, a: Anchors, clients: Clients) -> None:
    """4.3: a client with contacts and a file but no trajectory."""
    client = clients.crafted(w, a.base - days(30), [])
    contact(w, client["client_id"], w.workers[0]["user_id"], a.base - days(28), "meeting")
    plan("4.3-no-processing-basis", client, True, "registered, but no trajectory")
    plan("11.3-retention-after-guidance", record(w, client["client_id"], "general", a.base - days(28)), False,
         "no trajectory at all, so not 'after guidance'")


def plant_last_contact(w: World, plan: Plan, a: Anchors, clients: Clients) -> None:
    """11.2: the last contact, registration or trajectory end on and a day past the retention boundary."""
    edge, rule = a.on_time(months=12 * a.params["retention_years"]), "11.2-retention-after-last-contact"
    for last, expect, note in ((edge, False, "last contact exactly 2 years before A"),
                               (edge - DAY, True, "last contact 2 years and a day before A")):
        plan(rule, clients.crafted(w, last - days(320), [(last - days(300), last)]), expect, note)
    for registered, expect, note in ((edge, False, "no contacts or trajectory; registered exactly 2 years before A"),
                                     (edge - DAY, True, "no contacts or trajectory; registered 2 years and a day "
                                                        "before A")):
        plan(rule, clients.crafted(w, registered, []), expect, note)
    for end, expect, note in ((edge, False, "trajectory ended exactly 2 years before A, long after the last contact"),
                              (edge - DAY, True, "trajectory ended 2 years and a day before A")):
        client = clients.crafted(w, end - days(400), [(end - days(390), end)], contacts=False)
        contact(w, client["client_id"], w.workers[0]["user_id"], end - days(380), "phone")
        plan(rule, client, expect, note)
    client = clients.crafted(w, edge - days(900), [(edge - days(890), None)], contacts=False)
    contact(w, client["client_id"], w.workers[0]["user_id"], edge - days(880), "meeting")
    plan(rule, client, False, "the last contact is long past, but the trajectory still runs")


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
    """7.1 and 7.2: reports under the agreement the day before, on, and after the trajectory's dates."""
    start, end = a.assignment
    cid = clients.story["assigned"] = clients.crafted(w, start - days(10), [(start, end)], "UWV")["client_id"]
    uwv, arbo, rule = w.party("UWV"), w.party("Arbo Unie"), "7.2-commissioner-not-assigned"
    for when, receiver, expect, note in (
            (at(start - DAY, 15 * 3600 + 1800), uwv, True, "the day before the trajectory started"),
            (at(start, 9 * 3600), uwv, False, "on its first day"),
            (at(end, 86399), uwv, False, "at 23:59:59 on its last day: only the date counts"),
            (at(end + DAY, 0), uwv, True, "at midnight after its last day"),
            (at(start + days(30), 10 * 3600), w.party("Gemeente Rotterdam"), True,
             "commissioner of no trajectory of this client"),
            (at(start - DAY, 10 * 3600), arbo, False, "a third party: not a commissioner (7.1 judges it)")):
        plan(rule, disclosure(w, cid, receiver, when, ["general"], "reintegration_agreement"), expect, note)
    running = clients.crafted(w, a.as_of - days(260), [(a.as_of - days(250), None)], "Gemeente Utrecht")["client_id"]
    row = disclosure(w, running, w.party("Gemeente Utrecht"), at(a.as_of - DAY, 10 * 3600), ["general"],
                     "reintegration_agreement")
    plan(rule, row, False, "the trajectory has no end date yet")
    plant_running_agreement(w, plan, cid, start, end)


def plant_running_agreement(w: World, plan: Plan, cid: str, start: date, end: date) -> None:
    """7.1: reports to a processor or third party under the agreement, around the dates of the trajectory."""
    rule, dossier, arbo = "7.1-no-running-agreement", w.party("DossierCloud B.V."), w.party("Arbo Unie")
    odd_kind = add_party(w, "Gemeentelijke Kredietbank", "Commissioner", start - days(400), True, planted=True)
    plan(UNKNOWN, odd_kind, True, "kind 'Commissioner' is no code", column="kind")
    for when, receiver, basis, expect, note in (
            (at(start - DAY, 11 * 3600), dossier, "reintegration_agreement", True, "the day before any trajectory"),
            (at(start, 8 * 3600), arbo, "reintegration_agreement", False, "on the trajectory's first day"),
            (at(end, 86399), dossier, "reintegration_agreement", False, "at 23:59:59 on its last day"),
            (at(end + DAY, 9 * 3600), arbo, "reintegration_agreement", True, "the day after it ended"),
            (at(end + DAY, 10 * 3600), w.party("UWV"), "reintegration_agreement", False,
             "to the commissioner: 7.2 judges it"),
            (at(end + DAY, 11 * 3600), odd_kind, "reintegration_agreement", True,
             "a party of kind 'Commissioner' is not a commissioner"),
            (at(end + DAY, 12 * 3600), arbo, "Reintegration_agreement", False,
             "'Reintegration_agreement' is not 'reintegration_agreement'")):
        plan(rule, disclosure(w, cid, receiver, when, ["general"], basis), expect, note)
    ghost = disclosure(w, cid, {"party_id": "P999"}, at(end + DAY, 13 * 3600), ["general"], "reintegration_agreement")
    plan(rule, ghost, False, "a receiver no parties row has")
    plan(DANGLING, ghost, True, "a receiver no parties row has", column="party_id")


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
    given, withdrawn, objected = a.marketing

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
    clients.story["marketing consent"] = cid
    message(cid, given - DAY, consent, True, "sent the day before consent was given")
    message(cid, given, consent, False, "sent on the day consent was given", 9)
    message(cid, withdrawn - DAY, consent, False, "sent the day before the withdrawal")
    message(cid, withdrawn, consent, True, "sent on the day of the withdrawal")
    clients.story["consent not explicit"] = client(False)
    message(clients.story["consent not explicit"], given + days(20), consent, True, "consent not explicit")
    clients.story["no consent"] = client(None)
    message(clients.story["no consent"], given + days(20), consent, True, "no consent at all")
    cid = clients.story["objected"] = client(True)
    w.add("objections", client_id=cid, objected_at=objected)
    message(cid, objected, objection, False, "sent on the day of the objection", 16)
    message(cid, objected + DAY, objection, True, "sent the day after the objection")


def plant_veteran(w: World, plan: Plan, a: Anchors, clients: Clients) -> None:
    """A client since the office's early years: hosts the old fiscal records of `record_cases`."""
    start = plus_months(a.as_of, -12 * 11)
    clients.veteran = clients.crafted(w, start, [(start + days(10), start + days(700)),
                                                 (start + days(800), start + days(1600)),
                                                 (a.as_of - days(900), None)], "Gemeente Amsterdam")


CRAFTED: tuple[Planter, ...] = (
    plant_veteran, plant_no_trajectory, plant_last_contact, plant_after_guidance, plant_assignment,
    plant_consent, plant_deletion_statement, plant_marketing)


# --- clients whose own fields are the point: patches ----------------------------------------

Intent = tuple[str, bool, str] | tuple[str, bool, str, str]  # rule, finding?, why (, the judged column)


def client_patches(a: Anchors, w: World) -> list[tuple[Any, list[Intent]]]:
    """Field changes (a dict, or a function of the client) and what each must do to rule 4.2 (with the judged
    column, for a contract rule)."""
    invalid, incomplete, implausible = "4.2-invalid-bsn", "4.2-incomplete-client", "4.2-implausible-birth-date"
    duplicate = "4.2-duplicate-bsn"
    good, zero, twin, century = w.new_bsn(), w.new_bsn("0"), w.new_bsn(), plus_months(a.as_of, -1200)
    blank = [(invalid, False, "a blank BSN is empty, not invalid"), (incomplete, True, "BSN blank"),
             (duplicate, False, "two blank BSNs are empty, not duplicates")]
    return [
        ({"bsn": good[:8] + str((int(good[8]) + 1) % 10)}, [(invalid, True, "check digit off by one")]),
        ({"bsn": zero[1:]}, [(invalid, True, "leading zero lost: eight digits"),
                             (duplicate, False, "the BSN without its leading zero is another text")]),
        ({"bsn": good[:3] + "O" + good[4:]}, [(invalid, True, "a letter O typed for a digit")]),
        ({"bsn": f"{good[:4]}.{good[4:6]}.{good[6:]}"}, [(invalid, True, "written with dots")]),
        ({"bsn": good + "0"}, [(invalid, True, "ten digits")]),
        ({"bsn": zero}, [(invalid, False, "valid, with a leading zero")]),
        ({"bsn": "000000000"}, [(invalid, False, "nine zeros pass the elfproef as written")]),
        ({"bsn": twin}, [(duplicate, True, "one client of a pair sharing a BSN")]),
        ({"bsn": twin}, [(duplicate, True, "the other client of the pair")]),
        ({"bsn": " "}, blank),
        ({"bsn": " "}, [*blank[1:2], (duplicate, False, "the other blank BSN")]),
        ({"bsn": None}, [(invalid, False, "a null BSN is not invalid"), (incomplete, True, "BSN null"),
                         (duplicate, False, "a null BSN duplicates nothing")]),
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
        ({"gender": "m"}, [(UNKNOWN, True, "gender 'm' is not 'M'", "gender")]),
        ({"gender": None}, [(UNKNOWN, False, "gender null: the column is nullable", "gender")]),
    ]


def plant_clients(w: World, plan: Plan, a: Anchors, clients: Clients) -> None:
    """4.2 on background clients, and rule 1.1 on the unlisted columns of every dataset that has them."""
    for changes, expectations in client_patches(a, w):
        client = clients.fresh()
        client.update(changes(client) if callable(changes) else changes)
        for rule, expect, note, *column in expectations:
            plan(rule, client, expect, note, column=column[0] if column else None)
    text, words = w.emptiest
    clients.veteran["gender"] = text
    plan(UNKNOWN, clients.veteran, False, f"gender {words}: the column is nullable", column="gender")
    unlisted = "1.1-unlisted-data-category"
    for dataset, columns in EXTRA_COLUMNS.items():
        for column in columns:
            plan(unlisted, column, True, f"a column the contract does not list for {dataset}", dataset=dataset)
    plan(unlisted, "bsn", False, "a listed column", dataset="clients")
    plan(unlisted, "channel", False, "a listed column", dataset="contacts")
