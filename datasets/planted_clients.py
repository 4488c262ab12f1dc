"""Planted clients: crafted scenarios whose verdict depends on other datasets, and patched fields.

A crafted client carries one cross-dataset story (a consent given and withdrawn, a
trajectory's first and last day, a deletion statement written a day early); a patch
changes a background client's own fields for rule 4.2; rule 1.1 gets the unlisted columns.
"""

from __future__ import annotations

from datetime import date
from random import Random
from typing import Any

from .client_file import REASONS, disclosure, record
from .planted_rows import request_row
from .scenario import Anchors, Clients, Plan, Planter, days
from .world import DAY, EXTRA_CLIENT_COLUMNS, World, at, plus_months, valid_bsn


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


CRAFTED: tuple[Planter, ...] = (
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
