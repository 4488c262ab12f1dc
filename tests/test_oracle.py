"""The oracle of pack 1.2 on rows made by hand: the explanations of an access and their boundaries, the gaps of
the log, the extended term of an access request, and the population of every rule.

The generator's tests (`test_generate.py`) check that the oracle agrees with the planted intents; these check
the oracle itself against the catalogue, one boundary at a time, on the smallest data that shows it.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from reglement.datasets import contract
from reglement.datasets.oracle import EXPLANATIONS, RULES, Oracle, dumps, evaluate, evaluate_export

A = date(2026, 11, 28)
UNEXPLAINED, GAP, LATE = "5.1-access-unexplained", "6.1-access-log-gap", "8.1-access-request-late"


def row(dataset: str, **values: Any) -> dict[str, Any]:
    """A row of `dataset` with every contract column, null unless given."""
    names = contract()[dataset].column_names
    assert set(values) <= set(names), set(values) - set(names)
    return dict.fromkeys(names) | values


def keys(truth: dict, rule: str) -> list[str]:
    return [next(iter(f["key"].values())) for f in truth["findings"][rule]]


# --- the explanations of an access ---------------------------------------------------------------

def office(**extra: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """A case worker U1 (managed by M1, whose manager is M0) with C1 on her caseload through March 2026, a
    colleague U2, an administrator AD, a handler H; C1's trajectory ran from 2025-06-01 to 2026-03-31, C2 has
    none."""
    user = lambda uid, role, manager=None: row(  # noqa: E731
        "users", user_id=uid, role=role, authorized_from=date(2020, 1, 1), confidentiality_signed_at=date(2020, 1, 1),
        special_data_access=True, manager_id=manager)
    tables = {
        "users": [user("U1", "jobcoach", "M1"), user("U2", "jobcoach", "M1"), user("M1", "management", "M0"),
                  user("M0", "management"), user("AD", "administration", "M1"), user("H", "advisor", "M1"),
                  user("AX", "Administration")],
        "clients": [row("clients", client_id=c, registered_at=date(2025, 1, 1)) for c in ("C1", "C2")],
        "caseload": [row("caseload", assignment_id="A1", user_id="U1", client_id="C1", assigned_from=date(2026, 3, 1),
                         assigned_until=date(2026, 3, 31)),
                     row("caseload", assignment_id="A2", user_id="M1", client_id="C2", assigned_from=date(2026, 1, 1))],
        "trajectories": [row("trajectories", trajectory_id="T1", client_id="C1", start_date=date(2025, 6, 1),
                             end_date=date(2026, 3, 31))],
    }
    for name, rows in extra.items():
        tables[name] = tables.get(name, []) + rows
    return tables


def held(actor: str, client: str, ts: datetime, tables: dict | None = None, **event: Any) -> list[str]:
    """The explanations that hold for one event, as the oracle counts them; checked against its finding."""
    log = [row("access_log", event_id="E1", ts=ts, actor_id=actor, actor_kind="user", client_id=client, action="read",
               data_category=event.pop("data_category", "general"), purpose=event.pop("purpose", "reintegration"))]
    truth = evaluate({**(tables or office()), "access_log": log}, A)
    counts = truth["explanations"][UNEXPLAINED]
    assert list(counts) == [name for name, _ in EXPLANATIONS]
    names = [name for name, n in counts.items() if n]
    assert truth["populations"][UNEXPLAINED] == 1 and keys(truth, UNEXPLAINED) == ([] if names else ["E1"])
    return names


def day(y: int, m: int, d: int, seconds: int = 10 * 3600) -> datetime:
    return datetime(y, m, d) + timedelta(seconds=seconds)


@pytest.mark.parametrize("actor, client, ts, expected", [
    ("U1", "C1", day(2026, 2, 28), []),  # the day before the assignment
    ("U1", "C1", day(2026, 3, 1, 0), ["caseload"]),  # its first day, at midnight
    ("U1", "C1", day(2026, 3, 31, 86399), ["caseload"]),  # its last day, at 23:59:59
    ("U1", "C1", day(2026, 4, 1, 0), []),  # the day after it ended, at midnight
    ("U2", "C1", day(2026, 3, 15), []),  # another user: a colleague's caseload
    ("U1", "C2", day(2026, 3, 15), []),  # another client
    ("M1", "C2", day(2026, 11, 27), ["caseload"]),  # an assignment without end
], ids=["day before", "first day", "last day 23:59:59", "day after", "another user", "another client", "no end"])
def test_caseload(actor: str, client: str, ts: datetime, expected: list[str]) -> None:
    assert held(actor, client, ts) == expected


@pytest.mark.parametrize("actor, client, ts, expected", [
    ("M1", "C1", day(2026, 3, 31), ["manager"]),  # the manager of U1, within U1's assignment
    ("M1", "C1", day(2026, 4, 1), []),  # the day after U1's assignment ended
    ("M1", "C1", day(2026, 2, 28), []),  # the day before it began
    ("M0", "C1", day(2026, 3, 15), []),  # the manager's manager: only direct reports count
    ("U1", "C2", day(2026, 3, 15), []),  # the manager's own caseload does not explain a report's access
    ("U2", "C1", day(2026, 3, 15), []),  # a colleague with the same manager
], ids=["manager", "day after", "day before", "manager's manager", "report reading the manager's client",
        "colleague"])
def test_manager(actor: str, client: str, ts: datetime, expected: list[str]) -> None:
    assert held(actor, client, ts) == expected


REQUESTS = [row("requests", request_id="Q1", client_id="C2", type="correction", received_at=date(2026, 5, 10),
                decided_at=date(2026, 5, 20), executed_at=date(2026, 5, 25), handled_by="H"),
            row("requests", request_id="Q2", client_id="C1", type="access", received_at=date(2026, 6, 1),
                decided_at=date(2026, 6, 10), handled_by="H"),
            row("requests", request_id="Q3", client_id="C1", type="access", received_at=date(2026, 11, 1),
                handled_by="H")]


@pytest.mark.parametrize("client, ts, expected", [
    ("C2", day(2026, 5, 9), []),  # the day before it was received
    ("C2", day(2026, 5, 10, 0), ["request"]),  # the day it was received
    ("C2", day(2026, 6, 8, 86399), ["request"]),  # executed 25 May + 14 days
    ("C2", day(2026, 6, 9), []),  # + 15 days
    ("C1", day(2026, 6, 24), ["request"]),  # not executed: decided 10 June + 14 days
    ("C1", day(2026, 6, 25), []),  # + 15 days
    ("C1", day(2026, 12, 12), ["request"]),  # open: A + 14 days
    ("C1", day(2026, 12, 13), []),  # A + 15 days
], ids=["day before", "received", "executed + 14", "executed + 15", "decided + 14", "decided + 15", "open A + 14",
        "open A + 15"])
def test_request(client: str, ts: datetime, expected: list[str]) -> None:
    assert held("H", client, ts, office(requests=REQUESTS)) == expected


def test_request_of_another_client_or_handled_by_another_user() -> None:
    other = row("requests", request_id="Q4", client_id="C2", type="access", received_at=date(2026, 8, 1),
                decided_at=date(2026, 8, 5), handled_by="U2")
    tables = office(requests=[*REQUESTS, other])
    assert held("H", "C1", day(2026, 5, 12), tables) == []  # Q1 is C2's
    assert held("H", "C2", day(2026, 8, 3), tables) == []  # Q4 is U2's
    assert held("U2", "C2", day(2026, 8, 3), tables) == ["request"]


COMPLAINTS = [row("complaints", complaint_id="K1", client_id="C2", received_at=date(2026, 4, 1),
                  handled_at=date(2026, 4, 30), handled_by="H"),
              row("complaints", complaint_id="K2", client_id="C1", received_at=date(2026, 10, 1), handled_by="H")]


@pytest.mark.parametrize("client, ts, expected", [
    ("C2", day(2026, 3, 31), []), ("C2", day(2026, 4, 1), ["complaint"]), ("C2", day(2026, 5, 14), ["complaint"]),
    ("C2", day(2026, 5, 15), []), ("C1", day(2026, 12, 12), ["complaint"]), ("C1", day(2026, 12, 13), []),
    ("C1", day(2026, 4, 15), []),
], ids=["day before", "received", "handled + 14", "handled + 15", "open A + 14", "open A + 15", "another client"])
def test_complaint(client: str, ts: datetime, expected: list[str]) -> None:
    assert held("H", client, ts, office(complaints=COMPLAINTS)) == expected


def test_disclosure_counts_the_date_only() -> None:
    tables = office(disclosures=[row("disclosures", disclosure_id="D1", client_id="C2", party_id="P1",
                                     disclosed_at=datetime(2026, 6, 3, 14, 0), categories=["general"],
                                     basis="consent", disclosed_by="H")])
    assert held("H", "C2", day(2026, 6, 3, 7 * 3600), tables) == ["disclosure"]  # before it was sent, same day
    assert held("H", "C2", day(2026, 6, 3, 86399), tables) == ["disclosure"]
    assert held("H", "C2", day(2026, 6, 2, 86399), tables) == []
    assert held("H", "C2", day(2026, 6, 4, 0), tables) == []
    assert held("H", "C1", day(2026, 6, 3), tables) == []  # another client
    assert held("U2", "C2", day(2026, 6, 3), tables) == []  # another user


def test_record_on_the_day_it_was_written() -> None:
    tables = office(records=[row("records", record_id="R1", client_id="C2", category="general",
                                 created_at=date(2026, 7, 7), created_by="H")])
    assert held("H", "C2", day(2026, 7, 7, 86399), tables) == ["record"]
    assert held("H", "C2", day(2026, 7, 8, 0), tables) == []
    assert held("H", "C2", day(2026, 7, 6), tables) == []
    assert held("H", "C1", day(2026, 7, 7), tables) == []
    assert held("U2", "C2", day(2026, 7, 7), tables) == []


@pytest.mark.parametrize("actor, ts, event, expected", [
    ("AD", day(2025, 5, 31), {}, []),  # the day before the trajectory started
    ("AD", day(2025, 6, 1, 0), {}, ["administration"]),
    ("AD", day(2026, 6, 30, 86399), {}, ["administration"]),  # 31 Mar + 3 months = 30 Jun (clamped)
    ("AD", day(2026, 7, 1, 0), {}, []),
    ("AD", day(2026, 5, 2), {"purpose": "legal_obligation"}, ["administration"]),
    ("AD", day(2026, 5, 2), {"purpose": "reintegration"}, []),
    ("AD", day(2026, 5, 2), {"purpose": None}, []),
    ("AD", day(2026, 5, 2), {"purpose": "Administration"}, []),
    ("AD", day(2026, 5, 2), {"data_category": "special"}, []),
    ("AD", day(2026, 5, 2), {"data_category": "fiscal"}, ["administration"]),
    ("AD", day(2026, 5, 2), {"data_category": None}, []),  # a null is not "not special": the comparison is false
    ("AX", day(2026, 5, 2), {}, []),  # role 'Administration' is not 'administration'
    ("M1", day(2026, 5, 2), {}, []),  # management, not administration
], ids=["day before start", "start", "end + 3 months, clamped", "a day later", "legal obligation", "reintegration",
        "purpose null", "'Administration'", "special data", "fiscal data", "category null", "role 'Administration'",
        "management"])
def test_administration(actor: str, ts: datetime, event: dict, expected: list[str]) -> None:
    assert held(actor, "C1", ts, office(), **({"purpose": "administration"} | event)) == expected


def test_administration_clamps_the_month_end_of_30_november() -> None:
    tables = office()
    tables["trajectories"][0]["end_date"] = date(2025, 11, 30)
    assert held("AD", "C1", day(2026, 2, 28), tables, purpose="administration") == ["administration"]
    assert held("AD", "C1", day(2026, 3, 1), tables, purpose="administration") == []
    tables["trajectories"][0]["end_date"] = None  # still running
    assert held("AD", "C1", day(2026, 11, 27), tables, purpose="administration") == ["administration"]
    truth = evaluate({**office(), "access_log": [row("access_log", event_id="E1", ts=day(2026, 7, 31),
                                                     actor_id="AD", actor_kind="user", client_id="C1",
                                                     action="read", data_category="general",
                                                     purpose="administration")]},
                     A, {"administration_months": 4})
    assert truth["explanations"][UNEXPLAINED]["administration"] == 1  # 31 Mar + 4 months = 31 Jul


def test_an_event_counts_for_every_explanation_that_holds() -> None:
    tables = office(records=[row("records", record_id="R1", client_id="C1", category="general",
                                 created_at=date(2026, 3, 10), created_by="U1")],
                    requests=[row("requests", request_id="Q1", client_id="C1", type="access",
                                  received_at=date(2026, 3, 1), handled_by="U1")])
    assert held("U1", "C1", day(2026, 3, 10), tables) == ["caseload", "request", "record"]
    log = [row("access_log", event_id=f"E{i}", ts=ts, actor_id=a, actor_kind="user", client_id="C1", action="read",
               data_category="general", purpose="administration")
           for i, (a, ts) in enumerate([("U1", day(2026, 3, 10)), ("U1", day(2026, 3, 11)), ("M1", day(2026, 3, 10)),
                                        ("AD", day(2026, 3, 10)), ("U2", day(2026, 3, 10))])]
    truth = evaluate({**tables, "access_log": log}, A)
    assert truth["explanations"][UNEXPLAINED] == {"caseload": 2, "manager": 1, "request": 2, "complaint": 0,
                                                  "disclosure": 0, "record": 1, "administration": 1}
    assert keys(truth, UNEXPLAINED) == ["E4"] and truth["populations"][UNEXPLAINED] == 5


# --- 6.1: gaps in the log ----------------------------------------------------------------------

def gaps(*events: tuple[str, datetime], chunks: int = 1, **params: int) -> tuple[list[str], int]:
    """The findings and the population of 6.1 for a log of (event_id, ts), fed in `chunks` pieces."""
    log = [row("access_log", event_id=e, ts=ts, actor_id="svc", actor_kind="system", client_id="C1", action="read",
               data_category="general", purpose=None) for e, ts in events]
    oracle = Oracle({}, A, params)
    oracle.feed("access_log", ())
    for i in range(chunks):
        oracle.feed("access_log", log[i::chunks])
    truth = oracle.truth()
    return keys(truth, GAP), truth["populations"][GAP]


T = datetime(2026, 3, 6, 17, 30)
FOUR_DAYS = timedelta(days=4)


def test_exactly_four_times_24_hours_is_no_gap() -> None:
    assert gaps(("E1", T), ("E2", T + FOUR_DAYS)) == ([], 2)


def test_a_second_more_is_a_gap_keyed_by_the_event_before_it() -> None:
    assert gaps(("E1", T), ("E2", T + FOUR_DAYS + timedelta(seconds=1))) == (["E1"], 2)


def test_the_last_event_before_the_gap_is_the_latest_of_its_day() -> None:
    """Events earlier that day, or a day before, are not the last before the silence."""
    events = [("E1", T - timedelta(days=1)), ("E2", T - timedelta(hours=9)), ("E3", T),
              ("E4", T + FOUR_DAYS + timedelta(seconds=1)), ("E5", T + FOUR_DAYS + timedelta(hours=1))]
    assert gaps(*events) == (["E3"], 5)


def test_a_tie_on_ts_goes_to_the_greatest_event_id_as_text() -> None:
    """'E9' > 'E10' as text (the comparison the catalogue names), whatever their order in the file."""
    events = [("E10", T), ("E9", T), ("E11", T + FOUR_DAYS * 2)]
    assert gaps(*events) == (["E9"], 3)
    assert gaps(*reversed(events)) == (["E9"], 3)


def test_the_next_event_is_the_smallest_greater_ts_in_any_order_and_chunking() -> None:
    events = [("E3", T + timedelta(days=10)), ("E1", T), ("E4", T + timedelta(days=10, seconds=1)),
              ("E2", T + timedelta(days=5)), ("E5", T + timedelta(days=20))]
    for chunks in (1, 2, 3):
        assert gaps(*events, chunks=chunks) == (["E1", "E2", "E4"], 5), chunks


def test_the_last_event_and_a_log_of_one_are_never_a_finding() -> None:
    assert gaps(("E1", T)) == ([], 1)
    assert gaps() == ([], 0)
    assert gaps(("E1", T), ("E2", T)) == ([], 2)


def test_max_gap_days_is_a_parameter() -> None:
    two = timedelta(days=2)
    assert gaps(("E1", T), ("E2", T + two), max_gap_days=2) == ([], 2)
    assert gaps(("E1", T), ("E2", T + two + timedelta(seconds=1)), max_gap_days=2) == (["E1"], 2)
    assert gaps(("E1", T), ("E2", T + two + timedelta(seconds=1))) == ([], 2)


def test_every_event_is_judged_whoever_the_actor() -> None:
    """The population of 6.1 is the whole log: unknown actors, odd codes and all."""
    log = [row("access_log", event_id=f"E{i}", ts=T + timedelta(days=5 * i), actor_id=a, actor_kind=k,
               client_id="C9", action="read", data_category="general", purpose=None)
           for i, (a, k) in enumerate([("U1", "user"), ("nobody", "user"), ("P1", "party"), ("x", "User")])]
    truth = evaluate({"access_log": log}, A)
    assert truth["populations"][GAP] == 4 and keys(truth, GAP) == ["E0", "E1", "E2"]


# --- 8.1: the extended term --------------------------------------------------------------------

def late(received: date, decided: date | None, extended: date | None, as_of: date = A, **params: int) -> bool:
    request = row("requests", request_id="Q1", client_id="C1", type="access", received_at=received,
                  decided_at=decided, extended_at=extended, requester="subject", identity_verified=True)
    truth = evaluate({"requests": [request]}, as_of, params)
    assert truth["populations"][LATE] == 1
    return keys(truth, LATE) == ["Q1"]


JAN31 = date(2026, 1, 31)


@pytest.mark.parametrize("decided, extended, expected", [
    (date(2026, 2, 28), None, False),  # 31 Jan + 1 month = 28 Feb
    (date(2026, 3, 1), None, True),
    (date(2026, 4, 30), date(2026, 2, 28), False),  # told on the last day of the month: 31 Jan + 3 months = 30 Apr
    (date(2026, 5, 1), date(2026, 2, 28), True),
    (date(2026, 4, 29), date(2026, 2, 10), False),  # both terms from received_at: not (28 Feb + 2 months) = 28 Apr
    (date(2026, 4, 30), date(2026, 3, 1), True),  # told the day after the month: the term stays 28 Feb
    (date(2026, 3, 1), date(2026, 3, 1), True),
    (date(2026, 2, 28), date(2026, 3, 1), False),  # in time anyway
    (date(2026, 4, 30), JAN31, False),  # told on the day of receipt
    (date(2026, 4, 30), date(2026, 1, 30), False),  # told before receipt (4.2-date-order's): not later than
], ids=["month", "month + 1 day", "extended on the last day, decided 30 Apr", "decided 1 May",
        "decided 29 Apr", "told too late", "told too late, decided that day", "told too late, decided in time",
        "told on receipt", "told before receipt"])
def test_access_request_extension(decided: date, extended: date | None, expected: bool) -> None:
    assert late(JAN31, decided, extended) is expected


def test_leap_year_month_end_and_an_open_extended_request() -> None:
    assert not late(date(2024, 1, 31), date(2024, 4, 30), date(2024, 2, 29))
    assert late(date(2024, 1, 31), date(2024, 4, 30), date(2024, 3, 1))
    assert not late(JAN31, None, date(2026, 2, 2), as_of=date(2026, 4, 30))  # A = received + 3 months
    assert late(JAN31, None, date(2026, 2, 2), as_of=date(2026, 5, 1))
    assert late(JAN31, None, None, as_of=date(2026, 3, 1))
    assert not late(JAN31, None, None, as_of=date(2026, 2, 28))


def test_the_extended_term_is_a_parameter() -> None:
    assert not late(JAN31, date(2026, 3, 31), date(2026, 2, 1), access_months_extended=2)
    assert late(JAN31, date(2026, 4, 1), date(2026, 2, 1), access_months_extended=2)
    assert not late(JAN31, date(2026, 4, 30), date(2026, 3, 31), access_months=2)  # told within two months
    assert late(JAN31, date(2026, 4, 30), date(2026, 4, 1), access_months=2)


# --- populations ---------------------------------------------------------------------------------

def test_populations_are_the_rows_each_scope_admits() -> None:
    parties = [row("parties", party_id=p, name=p, kind=k, confidentiality=True)
               for p, k in (("P1", "commissioner"), ("P2", "processor"), ("P3", "third_party"), ("P4", None),
                            ("P5", "Commissioner"))]
    users = [row("users", user_id="U1", role="jobcoach", authorized_from=date(2020, 1, 1), special_data_access=True)]
    clients = [row("clients", client_id=f"C{i}", bsn=bsn, registered_at=date(2025, 1, 1))
               for i, bsn in enumerate((None, "", "   ", "\t", "123456782", "12345678", " 1"))]
    log = [row("access_log", event_id=f"E{i}", ts=T + timedelta(hours=i), actor_id=a, actor_kind=k, client_id="C1",
               action="read", data_category=c, purpose=p)
           for i, (a, k, c, p) in enumerate([
               ("U1", "user", "general", "marketing"), ("U1", "user", "special", "reintegration"),
               ("U9", "user", "special", "marketing"), ("P1", "party", "general", None),
               ("P9", "party", "general", "Marketing"), ("U1", "User", "Special", None),
               ("U1", " user", "fiscal", None)])]
    disclosures = [row("disclosures", disclosure_id=f"D{i}", client_id="C1", party_id=p, basis=b, categories=cats,
                       disclosed_at=datetime(2026, 1, 5, 10))
                   for i, (p, b, cats) in enumerate([
                       ("P1", "reintegration_agreement", ["general", "special"]), ("P1", "consent", ["special"]),
                       ("P2", "reintegration_agreement", ["general"]), ("P3", "reintegration_agreement", ["special"]),
                       ("P4", "reintegration_agreement", ["general"]), ("P5", "reintegration_agreement", ["special"]),
                       ("P9", "reintegration_agreement", ["special"]), ("P1", "legal_obligation", ["Special"]),
                       ("P2", None, ["general"]), ("P3", " consent", ["general"])])]
    requests = [row("requests", request_id=f"Q{i}", client_id="C1", type=t, decision=d, received_at=date(2026, 1, 5),
                    decided_at=date(2026, 1, 9) if d else None, executed_at=date(2026, 1, 12) if x else None)
                for i, (t, d, x) in enumerate([
                    ("access", "granted", False), ("access", "partial", False), ("access", "refused", False),
                    ("access", None, False), ("Access", "granted", False), ("supplement", "refused", False),
                    ("correction", "granted", True), ("deletion", "granted", True), ("deletion", "partial", False),
                    ("deletion", "refused", False), ("restriction", None, False), ("deletion", "Granted", True)])]
    records = [row("records", record_id=f"R{i}", client_id="C1", category=c, created_at=date(2020, 1, 1))
               for i, c in enumerate(("general", "special", "fiscal", "deletion_statement", "Special", "fiscal"))]
    truth = evaluate({"parties": parties, "users": users, "clients": clients, "access_log": log,
                      "disclosures": disclosures, "requests": requests, "records": records}, A)
    assert truth["populations"] == {
        "1.1-unlisted-data-category": sum(len(contract()[d].column_names) for d in (
            "parties", "users", "clients", "access_log", "disclosures", "requests", "records")),
        "3.2-purpose-not-allowed": 7,
        "4.2-invalid-bsn": 3, "4.2-incomplete-client": 7, "4.2-duplicate-bsn": 3,  # bsn not empty: "123456782", …
        "4.2-unknown-code": 5 + 1 + 7 + 7 + 10 + 12 + 6,  # parties, users, clients, log, disclosures, requests, records
        "4.2-dangling-reference": 1 + 10 + 12 + 6,  # users, disclosures, requests, records
        "4.2-date-order": 1 + 12 + 6,  # users, requests, records
        "4.2-implausible-birth-date": 7, "4.3-no-processing-basis": 7,
        "4.4-special-data-not-informed": 1, "4.4-special-data-without-need": 2,
        "5.1-unknown-actor": 5,  # 'user' or 'party', known or not
        "5.1-outside-authorisation": 2, "5.1-access-unexplained": 2, "5.1-special-data-without-clearance": 2,
        "5.2-no-confidentiality-statement": 2,
        "5.3-third-party-without-agreement": 1, "5.3-third-party-no-need-to-know": 1,
        "6.1-access-log-gap": 7,
        "7.1-disclosure-without-basis": 10, "7.1-consent-missing": 1, "7.1-legal-ground-missing": 1,
        "7.1-no-running-agreement": 3,  # to P2, P3 and P5 ('Commissioner'); not P4 (kind null) nor P9 (no party)
        "7.2-special-data-to-commissioner": 2,  # to P1 with 'special'; not 'Special'
        "7.2-commissioner-not-assigned": 1,  # the agreement to P1, whatever it sent
        "8.1-access-request-late": 4, "8.2-identity-not-verified": 2, "9.1-supplement-refused": 1,
        "9.2-collector-not-heard": 6,  # change types, decided: supplement, correction, four deletions
        "9.3-decision-late": 7, "9.3-refusal-without-reasons": 3, "9.3-decision-not-in-writing": 10,
        "9.4-deleted-within-legal-retention": 2, "9.5-decision-not-executed": 3,
        "9.6-deletion-without-statement": 1,  # a deletion granted or partial, and executed
        "10.1-marketing-without-consent": 0,  # no marketing dataset given
        "10.1-marketing-processing-without-consent": 2, "10.2-marketing-after-objection": 0,
        "10.2-marketing-processing-after-objection": 2,
        "11.2-retention-after-last-contact": 7, "11.3-retention-after-guidance": 2,
        "11.3-fiscal-retention-exceeded": 2,
        "12.1-complaint-not-handled": 0,
    }
    assert list(truth["populations"]) == list(RULES)


def test_rule_11_counts_the_columns_of_every_file() -> None:
    clients = [row("clients", client_id="C1", registered_at=date(2025, 1, 1))]
    columns = {"clients": [*contract()["clients"].column_names, "religion"], "access_log": ["event_id", "ts"]}
    truth = evaluate({"clients": clients}, A, columns=columns)
    assert truth["populations"]["1.1-unlisted-data-category"] == len(contract()["clients"].column_names) + 1 + 2
    assert truth["findings"]["1.1-unlisted-data-category"] == [{"dataset": "clients", "key": {"column": "religion"}}]
    assert evaluate({"clients": clients}, A)["populations"]["1.1-unlisted-data-category"] == len(
        contract()["clients"].column_names)


# --- the sample's ground truth -------------------------------------------------------------------

def test_the_sample_findings_file_is_what_the_oracle_writes_for_the_sample() -> None:
    """`tests/expected/sample_findings.json` is never written by hand: it is, byte for byte, what
    `python -m reglement.datasets.oracle datasets/sample --as-of 2026-11-28` prints."""
    root = Path(__file__).resolve().parents[1]
    expected = (root / "tests" / "expected" / "sample_findings.json").read_text("utf-8")
    truth = evaluate_export(root / "datasets" / "sample", A)
    assert dumps({"as_of": A.isoformat(), **truth}) == expected


def test_the_sample_shows_every_explanation_and_a_single_gap() -> None:
    truth = json.loads((Path(__file__).resolve().parents[1] / "tests" / "expected" / "sample_findings.json")
                       .read_text("utf-8"))
    assert all(truth["explanations"][UNEXPLAINED].values()), truth["explanations"]
    assert truth["findings"][GAP] == [{"dataset": "access_log", "key": {"event_id": "E0137"}}]
    assert all(truth["findings"].values()), "every rule has a finding in the sample"
