"""DuckDB and pandas run the same IR: both must give the same findings, row for row.

Three tables of cases: hand-made rows at the boundaries of every rule of the pack,
conditions that exercise language features the pack does not use yet (counts,
nested and uncorrelated sub-queries, functions), and the whole pack over every example
embedded in the rules. The whole pack over the sample and over generated exports in
every format is compared, engine against engine, in `test_engines_agree.py`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from engine_pair import both, data_of, findings, frames_from_rows, keys

from reglement.checker.audit import opened, run_audit
from reglement.checker.backends.sql import explained_query, gap_query
from reglement.checker.examples import run_examples
from reglement.checker.intake import folder_sources
from reglement.compiler.config import Config
from reglement.compiler.stages import load_pack

ROOT = Path(__file__).resolve().parent.parent
PACK = load_pack(ROOT / "rules" / "westendorp")
AS_OF = dt.date(2026, 11, 28)
D, T = dt.date.fromisoformat, dt.datetime.fromisoformat


def ev(event_id, actor, ts, kind="user", client="C1", category="general", purpose="participation"):
    return {"event_id": event_id, "actor_id": actor, "actor_kind": kind, "ts": T(ts), "client_id": client,
            "action": "read", "data_category": category, "purpose": purpose}


def rq(request_id, type_="access", received=None, decided=None, **extra):
    row = {"request_id": request_id, "type": type_, "client_id": extra.pop("client", "C1"),
           "received_at": D(received or "2026-01-01"), "decided_at": D(decided) if decided else None}
    return row | {k: D(v) if k.endswith("_at") and isinstance(v, str) else v for k, v in extra.items()}


def user(user_id, role="jobcoach", start="2020-01-01", until=None, signed="2020-01-01", special=True):
    return {"user_id": user_id, "role": role, "authorized_from": D(start),
            "authorized_until": D(until) if until else None,
            "confidentiality_signed_at": D(signed) if signed else None, "special_data_access": special}


def disc(disclosure_id, client, party, at, basis="reintegration_agreement", categories=("general",), **extra):
    return {"disclosure_id": disclosure_id, "client_id": client, "party_id": party, "disclosed_at": T(at),
            "basis": basis, "categories": list(categories)} | extra


def rec(record_id, client, category, created, deleted=None, informed=None):
    return {"record_id": record_id, "client_id": client, "category": category, "created_at": D(created),
            "deleted_at": D(deleted) if deleted else None, "subject_informed_at": D(informed) if informed else None}


# (rule id, rows per dataset, flagged keys, audit date) — each row sits on or just beside a boundary.
CASES = [
    ("3.2-purpose-not-allowed", {"access_log": [
        ev("E1", "U1", "2026-01-01T09:00:00", purpose=None), ev("E2", "U1", "2026-01-01T09:00:00", purpose=" \t"),
        ev("E3", "U1", "2026-01-01T09:00:00", purpose="Reintegration"),
        ev("E4", "U1", "2026-01-01T09:00:00", purpose=" participation"),
        ev("E5", "U1", "2026-01-01T09:00:00", purpose="marketing"),
        ev("E6", "U1", "2026-01-01T09:00:00", purpose="legal_obligation"),
        ev("E7", "U1", "2026-01-01T09:00:00", purpose="\n"), ev("E8", "U1", "2026-01-01T09:00:00", purpose="")]},
     ["E1", "E2", "E3", "E4", "E7", "E8"], AS_OF),
    ("4.2-invalid-bsn", {"clients": [{"client_id": f"C{i}", "bsn": bsn} for i, bsn in enumerate(
        ["123456782", "012345672", "123456789", "12345678", " 123456782", "123456782\n", None, "   ",
         "１２３４５６７８２", "000000000"])]}, ["C2", "C3", "C4", "C5", "C8"], AS_OF),
    ("4.2-incomplete-client", {"clients": [
        {"client_id": "C1", "name": "A", "birth_date": D("1980-01-01"), "bsn": "123456782"},
        {"client_id": "C2", "name": None, "birth_date": D("1980-01-01"), "bsn": "123456782"},
        {"client_id": "C3", "name": "  ", "birth_date": D("1980-01-01"), "bsn": "123456782"},
        {"client_id": "C4", "name": "A", "birth_date": None, "bsn": "123456782"},
        {"client_id": "C5", "name": "A", "birth_date": D("1980-01-01"), "bsn": ""},
        {"client_id": "C6", "name": "A", "birth_date": D("1980-01-01"), "bsn": "\t"}]},
     ["C2", "C3", "C4", "C5", "C6"], AS_OF),
    ("4.2-duplicate-bsn", {"clients": [{"client_id": f"C{i}", "bsn": bsn} for i, bsn in enumerate(
        ["123456782", "123456782", "123456782 ", None, None, "  ", "  ", "012345672", "12345672"])]},
     ["C0", "C1"], AS_OF),
    ("4.2-unknown-code", {"access_log": [ev("E1", "U1", "2026-01-01T09:00:00", kind="User"),
                                         ev("E2", "U1", "2026-01-01T09:00:00", category=" general"),
                                         ev("E3", "U1", "2026-01-01T09:00:00")],
                          "disclosures": [disc("D1", "C1", "P1", "2026-01-01T09:00:00", basis=" "),
                                          disc("D2", "C1", "P1", "2026-01-01T09:00:00", categories=["special", ""]),
                                          disc("D3", "C1", "P1", "2026-01-01T09:00:00", basis=None, categories=[])],
                          "clients": [{"client_id": "C1", "gender": "v"}, {"client_id": "C2", "gender": ""}]},
     ["C1", "D2", "D3", "E1", "E2"], AS_OF),  # D3: a list with no items is empty, and categories is required
    ("4.2-dangling-reference", {"clients": [{"client_id": "C1"}], "parties": [{"party_id": "P1"}],
                                "consents": [{"consent_id": "K1", "client_id": "C1", "purpose": "disclosure",
                                              "party_id": None, "given_at": D("2026-01-01")}],
                                "disclosures": [disc("D1", "C1", "P1", "2026-01-01T09:00:00", consent_id="K1"),
                                                disc("D2", "C1", "p1", "2026-01-01T09:00:00", consent_id="K2"),
                                                disc("D3", "C2", "P1", "2026-01-01T09:00:00")]},
     ["D2", "D2", "D3"], AS_OF),
    ("4.2-date-order", {"consents": [
        {"consent_id": "K1", "client_id": "C1", "purpose": "marketing", "given_at": D("2026-03-02"),
         "withdrawn_at": D("2026-03-01")},
        {"consent_id": "K2", "client_id": "C1", "purpose": "marketing", "given_at": D("2026-03-01"),
         "withdrawn_at": D("2026-03-01")},
        {"consent_id": "K3", "client_id": "C1", "purpose": "marketing", "given_at": D("2026-03-01")}],
        "users": [user("U1", start="2026-01-02", until="2026-01-01"),
                  user("U2", start="2026-01-01", until="2026-01-02")]},
     ["K1", "U1"], AS_OF),
    ("4.4-special-data-without-need", {"access_log": [
        ev("E1", "U1", "2026-01-01T09:00:00", category="special", purpose="reintegration"),
        ev("E2", "U1", "2026-01-01T09:00:00", category="special", purpose="legal_obligation"),
        ev("E3", "U1", "2026-01-01T09:00:00", category="special", purpose=None),
        ev("E4", "U1", "2026-01-01T09:00:00", category="special", purpose=" reintegration"),
        ev("E5", "U1", "2026-01-01T09:00:00", category="general", purpose=None),
        ev("E6", "U1", "2026-01-01T09:00:00", category="special", purpose="marketing")]}, ["E3", "E4", "E6"], AS_OF),
    ("5.3-third-party-no-need-to-know", {
        "parties": [{"party_id": "P1", "kind": "commissioner"}, {"party_id": "P2", "kind": "processor"}],
        "trajectories": [{"trajectory_id": "T1", "client_id": "C1", "commissioner_id": "P1",
                          "start_date": D("2026-02-01"), "end_date": D("2026-02-28")}],
        "access_log": [ev("E1", "P1", "2026-01-31T23:59:59", kind="party"),
                       ev("E2", "P1", "2026-02-01T00:00:00", kind="party"),
                       ev("E3", "P1", "2026-02-28T23:59:59", kind="party"),
                       ev("E4", "P1", "2026-03-01T00:00:00", kind="party"),
                       ev("E5", "P1", "2026-02-10T00:00:00", kind="party", client="C2"),
                       ev("E6", "P2", "2026-03-01T00:00:00", kind="party"),
                       ev("E7", "P1", "2026-03-01T00:00:00")]}, ["E1", "E4", "E5"], AS_OF),
    ("7.1-no-running-agreement", {
        "parties": [{"party_id": "P1", "kind": "commissioner"}, {"party_id": "P2", "kind": "third_party"}],
        "trajectories": [{"trajectory_id": "T1", "client_id": "C1", "commissioner_id": "P1",
                          "start_date": D("2026-02-01"), "end_date": D("2026-02-28")}],
        "disclosures": [disc("D1", "C1", "P2", "2026-01-31T23:59:59"), disc("D2", "C1", "P2", "2026-02-01T00:00:00"),
                        disc("D3", "C1", "P2", "2026-02-28T23:59:59"), disc("D4", "C1", "P2", "2026-03-01T00:00:00"),
                        disc("D5", "C1", "P1", "2026-03-01T00:00:00"),
                        disc("D6", "C1", "P2", "2026-03-01T00:00:00", basis="consent")]}, ["D1", "D4"], AS_OF),
    ("9.1-supplement-refused", {"requests": [
        rq("RQ1", "supplement", decision="refused"), rq("RQ2", "supplement", decision="granted"),
        rq("RQ3", "supplement"), rq("RQ4", "correction", decision="refused"),
        rq("RQ5", "Supplement", decision="refused")]}, ["RQ1"], AS_OF),
    ("10.1-marketing-processing-without-consent", {
        "consents": [{"consent_id": "CS1", "client_id": "C1", "purpose": "marketing", "explicit": True,
                      "given_at": D("2026-01-01"), "withdrawn_at": D("2026-06-01")}],
        "access_log": [ev("E1", "U1", "2025-12-31T23:59:59", purpose="marketing"),
                       ev("E2", "U1", "2026-01-01T00:00:00", purpose="marketing"),
                       ev("E3", "U1", "2026-05-31T23:59:59", purpose="marketing"),
                       ev("E4", "U1", "2026-06-01T00:00:00", purpose="marketing"),
                       ev("E5", "U1", "2026-03-01T00:00:00", purpose="marketing", client="C2"),
                       ev("E6", "U1", "2026-03-01T00:00:00", purpose="participation", client="C2")]},
     ["E1", "E4", "E5"], AS_OF),
    ("10.2-marketing-processing-after-objection", {
        "objections": [{"objection_id": "O1", "client_id": "C1", "objected_at": D("2026-05-01")}],
        "access_log": [ev("E1", "U1", "2026-05-01T23:59:59", purpose="marketing"),
                       ev("E2", "U1", "2026-05-02T00:00:00", purpose="marketing"),
                       ev("E3", "U1", "2026-05-02T00:00:00", purpose="participation"),
                       ev("E4", "U1", "2026-05-02T00:00:00", purpose="marketing", client="C2")]}, ["E2"], AS_OF),
    ("11.2-retention-after-last-contact", {
        "clients": [{"client_id": c, "registered_at": D("2015-01-01")} for c in ("C1", "C2", "C3")],
        "trajectories": [{"trajectory_id": "T1", "client_id": "C1", "start_date": D("2015-01-01"), "end_date": None},
                         {"trajectory_id": "T2", "client_id": "C2", "start_date": D("2015-01-01"),
                          "end_date": D("2024-11-28")},
                         {"trajectory_id": "T3", "client_id": "C3", "start_date": D("2015-01-01"),
                          "end_date": D("2024-11-27")}]}, ["C3"], AS_OF),
    ("4.2-implausible-birth-date", {"clients": [
        {"client_id": "C1", "birth_date": D("1926-11-27"), "registered_at": D("2020-01-01")},
        {"client_id": "C2", "birth_date": D("1926-11-28"), "registered_at": D("2020-01-01")},
        {"client_id": "C3", "birth_date": D("2025-09-09"), "registered_at": D("2025-09-08")},
        {"client_id": "C4", "birth_date": D("2025-09-08"), "registered_at": D("2025-09-08")},
        {"client_id": "C5", "birth_date": None, "registered_at": D("2025-09-08")}]}, ["C1", "C3"], AS_OF),
    ("4.2-implausible-birth-date", {"clients": [
        {"client_id": "C1", "birth_date": D("1924-02-28"), "registered_at": D("2020-01-01")},
        {"client_id": "C2", "birth_date": D("1924-02-29"), "registered_at": D("2020-01-01")}]},
     ["C1"], D("2024-02-29")),
    ("4.3-no-processing-basis", {"clients": [{"client_id": c} for c in ["C1", "C2", "C1 ", "c1"]],
                                 "trajectories": [{"trajectory_id": "T1", "client_id": "C1"}]},
     ["C1 ", "C2", "c1"], AS_OF),
    ("4.4-special-data-not-informed", {"records": [
        rec("R1", "C1", "special", "2025-04-10"), rec("R2", "C1", "special", "2025-04-10", informed="2025-04-11"),
        rec("R3", "C1", "special", "2025-04-10", informed="2025-04-10"), rec("R4", "C1", "Special", "2025-04-10"),
        rec("R5", "C1", "special", "2025-04-10", informed="2025-04-09")]}, ["R1", "R2"], AS_OF),
    ("5.1-unknown-actor", {"users": [user("U1")], "parties": [{"party_id": "P1"}], "access_log": [
        ev("E1", "U1", "2026-01-01T09:00:00"), ev("E2", "U9", "2026-01-01T09:00:00"),
        ev("E3", "P1", "2026-01-01T09:00:00", kind="party"), ev("E4", "U1", "2026-01-01T09:00:00", kind="party"),
        ev("E5", "X", "2026-01-01T09:00:00", kind="User"), ev("E6", "u1", "2026-01-01T09:00:00")]},
     ["E2", "E4", "E6"], AS_OF),
    ("5.1-outside-authorisation", {"users": [user("U1", start="2026-02-02", until="2026-07-31"), user("U2")],
                                   "access_log": [
        ev("E1", "U1", "2026-02-01T23:59:59"), ev("E2", "U1", "2026-02-02T00:00:00"),
        ev("E3", "U1", "2026-07-31T23:59:59"), ev("E4", "U1", "2026-08-01T00:00:00"),
        ev("E5", "U2", "2026-01-01T00:00:00"), ev("E6", "U9", "2019-01-01T00:00:00")]}, ["E1", "E4"], AS_OF),
    ("5.1-access-unexplained", {  # each explanation at its boundary: the day after its term, another user or client
        "users": [user("U1") | {"manager_id": "U4"}, user("U2"), user("U3", role="administration"),
                  user("U4", role="management"), user("U5", role="advisor")],
        "caseload": [{"assignment_id": "A1", "user_id": "U1", "client_id": "C1", "assigned_from": D("2026-01-01"),
                      "assigned_until": D("2026-01-31")}],
        "requests": [rq("RQ1", "correction", received="2026-03-02", decided="2026-03-10", client="C2",
                        handled_by="U5")],
        "complaints": [{"complaint_id": "K1", "client_id": "C3", "received_at": D("2026-04-01"), "handled_at": None,
                        "handled_by": "U5"}],
        "disclosures": [disc("D1", "C4", "P1", "2026-05-04T16:00:00", disclosed_by="U2")],
        "records": [rec("R1", "C5", "general", "2026-05-06") | {"created_by": "U2"}],
        "trajectories": [{"trajectory_id": "T1", "client_id": "C6", "start_date": D("2025-06-01"),
                          "end_date": D("2025-11-30")}],
        "access_log": [ev("E01", "U1", "2026-01-31T23:00:00"), ev("E02", "U1", "2026-02-01T00:00:00"),
                       ev("E03", "U2", "2026-01-15T09:00:00"), ev("E04", "U1", "2026-01-15T09:00:00", client="C9"),
                       ev("E05", "U4", "2026-01-15T09:00:00"), ev("E06", "U4", "2026-02-01T09:00:00"),
                       ev("E07", "U5", "2026-03-24T10:00:00", client="C2"),
                       ev("E08", "U5", "2026-03-25T10:00:00", client="C2"),
                       ev("E09", "U5", "2026-12-12T10:00:00", client="C3"),
                       ev("E10", "U5", "2026-12-13T10:00:00", client="C3"),
                       ev("E11", "U2", "2026-05-04T08:00:00", client="C4"),
                       ev("E12", "U2", "2026-05-05T08:00:00", client="C4"),
                       ev("E13", "U2", "2026-05-06T23:59:59", client="C5"),
                       ev("E14", "U3", "2026-02-28T10:00:00", client="C6", purpose="administration"),
                       ev("E15", "U3", "2026-03-01T10:00:00", client="C6", purpose="administration"),
                       ev("E16", "U3", "2025-07-01T10:00:00", client="C6", purpose="administration",
                          category="special"),
                       ev("E17", "U9", "2026-01-15T09:00:00"), ev("E18", "U1", "2026-01-15T09:00:00", kind="party")]},
     ["E02", "E03", "E04", "E06", "E08", "E10", "E12", "E15", "E16"], AS_OF),
    ("5.1-special-data-without-clearance", {"users": [user("U1", special=False), user("U2")], "access_log": [
        ev("E1", "U1", "2026-01-01T09:00:00", category="special"),
        ev("E2", "U1", "2026-01-01T09:00:00", category="Special"),
        ev("E3", "U2", "2026-01-01T09:00:00", category="special"),
        ev("E4", "U9", "2026-01-01T09:00:00", category="special")]}, ["E1"], AS_OF),
    ("5.2-no-confidentiality-statement", {"users": [user("U1", signed="2026-02-09"), user("U2", signed=None)],
                                          "access_log": [
        ev("E1", "U1", "2026-02-08T23:59:59"), ev("E2", "U1", "2026-02-09T00:00:00"),
        ev("E3", "U2", "2026-02-09T00:00:00"), ev("E4", "U2", "2026-02-09T00:00:00", kind="party")]},
     ["E1", "E3"], AS_OF),
    ("5.3-third-party-without-agreement", {"parties": [
        {"party_id": "P1", "agreement_signed_at": D("2026-05-01"), "confidentiality": True},
        {"party_id": "P2", "agreement_signed_at": None, "confidentiality": True},
        {"party_id": "P3", "agreement_signed_at": D("2020-01-01"), "confidentiality": False},
        {"party_id": "P4", "agreement_signed_at": D("2020-01-01"), "confidentiality": True}], "access_log": [
        ev("E1", "P1", "2026-04-30T12:00:00", kind="party"), ev("E2", "P1", "2026-05-01T00:00:00", kind="party"),
        ev("E3", "P2", "2026-05-01T00:00:00", kind="party"), ev("E4", "P3", "2026-05-01T00:00:00", kind="party"),
        ev("E5", "P4", "2026-05-01T00:00:00", kind="party"), ev("E6", "P3", "2026-05-01T00:00:00")]},
     ["E1", "E3", "E4"], AS_OF),
    ("6.1-access-log-gap", {"access_log": [  # exactly 96 hours is no gap, a second more is; ties by greatest key
        ev("E1", "U1", "2026-03-01T10:00:00"), ev("E2", "U1", "2026-03-05T10:00:00"),
        ev("E3", "U1", "2026-03-09T10:00:01"), ev("E5", "U1", "2026-03-20T00:00:00"),
        ev("E4", "U1", "2026-03-20T00:00:00"), ev("E6", "U1", "2026-03-30T00:00:00")]},
     ["E2", "E3", "E5"], AS_OF),
    ("7.1-disclosure-without-basis", {"disclosures": [
        disc("D1", "C1", "P1", "2026-01-01T09:00:00", basis=None),
        disc("D2", "C1", "P1", "2026-01-01T09:00:00", basis="  "),
        disc("D3", "C1", "P1", "2026-01-01T09:00:00", basis="consent")]}, ["D1", "D2"], AS_OF),
    ("7.1-consent-missing", {"consents": [
        {"consent_id": "CS1", "client_id": "C1", "purpose": "disclosure", "given_at": D("2026-01-10"),
         "withdrawn_at": D("2026-03-01"), "explicit": True},
        {"consent_id": "CS2", "client_id": "C2", "purpose": "disclosure", "party_id": "P1",
         "given_at": D("2026-01-10")},
        {"consent_id": "CS3", "client_id": "C3", "purpose": "Disclosure", "given_at": D("2020-01-01")}],
        "disclosures": [
        disc("D1", "C1", "P5", "2026-01-10T08:00:00", basis="consent"),
        disc("D2", "C1", "P5", "2026-03-01T10:00:00", basis="consent"),
        disc("D3", "C1", "P5", "2026-02-28T23:59:59", basis="consent"),
        disc("D4", "C2", "P1", "2026-02-01T09:00:00", basis="consent"),
        disc("D5", "C2", "P2", "2026-02-01T09:00:00", basis="consent"),
        disc("D6", "C3", "P1", "2026-02-01T09:00:00", basis="consent"),
        disc("D7", "C1", "P5", "2026-01-09T23:59:59", basis="consent"),
        disc("D8", "C9", "P5", "2026-01-09T23:59:59", basis=" consent"),
        disc("D9", "C9", "P5", "2026-01-09T23:59:59", basis="Consent")]}, ["D2", "D5", "D6", "D7"], AS_OF),
    ("7.1-legal-ground-missing", {"disclosures": [
        disc("D1", "C1", "P1", "2026-01-01T09:00:00", basis="legal_obligation", legal_ground=None),
        disc("D2", "C1", "P1", "2026-01-01T09:00:00", basis="legal_obligation", legal_ground="\t"),
        disc("D3", "C1", "P1", "2026-01-01T09:00:00", basis="legal_obligation", legal_ground="art. 1"),
        disc("D4", "C1", "P1", "2026-01-01T09:00:00", basis="Legal_obligation", legal_ground=None)]},
     ["D1", "D2"], AS_OF),
    ("7.2-special-data-to-commissioner", {"parties": [{"party_id": "P1", "kind": "commissioner"},
                                                      {"party_id": "P2", "kind": "processor"}], "disclosures": [
        disc("D1", "C1", "P1", "2026-01-01T09:00:00", categories=["general", "special"]),
        disc("D2", "C1", "P1", "2026-01-01T09:00:00", categories=["Special"]),
        disc("D3", "C1", "P2", "2026-01-01T09:00:00", categories=["special"]),
        disc("D4", "C1", "P1", "2026-01-01T09:00:00", categories=[]),
        disc("D5", "C1", "P1", "2026-01-01T09:00:00", categories=[" special"]),
        disc("D6", "C1", "P9", "2026-01-01T09:00:00", categories=["special"])]}, ["D1"], AS_OF),
    ("7.2-commissioner-not-assigned", {"parties": [{"party_id": "P1", "kind": "commissioner"},
                                                   {"party_id": "P2", "kind": "commissioner"}], "trajectories": [
        {"trajectory_id": "T1", "client_id": "C1", "commissioner_id": "P1", "start_date": D("2026-01-01"),
         "end_date": D("2026-06-30")},
        {"trajectory_id": "T2", "client_id": "C2", "commissioner_id": "P1", "start_date": D("2026-01-01")}],
        "disclosures": [
        disc("D1", "C1", "P1", "2026-06-30T23:59:59"), disc("D2", "C1", "P1", "2026-07-01T00:00:00"),
        disc("D3", "C1", "P1", "2025-12-31T23:59:59"), disc("D4", "C2", "P1", "2026-10-01T09:00:00"),
        disc("D5", "C2", "P2", "2026-10-01T09:00:00"),
        disc("D6", "C1", "P1", "2027-01-01T09:00:00", basis="consent")]}, ["D2", "D3", "D5"], AS_OF),
    ("8.1-access-request-late", {"requests": [
        rq("RQ1", received="2026-01-31", decided="2026-02-28"), rq("RQ2", received="2026-01-31", decided="2026-03-01"),
        rq("RQ3", received="2024-01-31", decided="2024-02-29"), rq("RQ4", received="2024-01-31", decided="2024-03-01"),
        rq("RQ5", received="2026-10-28"), rq("RQ6", received="2026-10-27"),
        rq("RQ7", "Access", received="2020-01-01"),
        rq("RQ8", received="2026-01-31", decided="2026-04-30", extended_at="2026-02-28"),
        rq("RQ9", received="2026-01-31", decided="2026-05-01", extended_at="2026-02-28"),
        rq("RQ10", received="2026-01-31", decided="2026-03-02", extended_at="2026-03-01")]},
     ["RQ2", "RQ4", "RQ6", "RQ9", "RQ10"], AS_OF),
    ("8.2-identity-not-verified", {"requests": [
        rq("RQ1", decision="granted", identity_verified=False),
        rq("RQ2", decision="granted", identity_verified=True, requester="representative", mandate_verified=None),
        rq("RQ3", decision="granted", identity_verified=True, requester="representative", mandate_verified=False),
        rq("RQ4", decision="granted", identity_verified=True, requester="representative", mandate_verified=True),
        rq("RQ5", decision="refused", identity_verified=False),
        rq("RQ6", decision="partial", identity_verified=False)]}, ["RQ1", "RQ2", "RQ3", "RQ6"], AS_OF),
    ("9.2-collector-not-heard", {"requests": [
        rq("RQ1", "correction", decided="2026-02-01"),
        rq("RQ2", "correction", decided="2026-02-01", collector_heard_at="2026-02-02"),
        rq("RQ3", "correction", decided="2026-02-01", collector_heard_at="2026-02-01"),
        rq("RQ4", "correction"), rq("RQ5", "access", decided="2026-02-01")]}, ["RQ1", "RQ2"], AS_OF),
    ("9.3-decision-late", {"requests": [
        rq("RQ1", "deletion", received="2026-02-01", decided="2026-03-01"),
        rq("RQ2", "deletion", received="2026-02-01", decided="2026-03-02"),
        rq("RQ3", "deletion", received="2026-10-31"), rq("RQ4", "deletion", received="2026-10-30")]},
     ["RQ2", "RQ4"], AS_OF),
    ("9.3-refusal-without-reasons", {"requests": [
        rq("RQ1", decision="refused"), rq("RQ2", decision="refused", decision_reason=" "),
        rq("RQ3", decision="Refused"), rq("RQ4", decision="refused", decision_reason="because")]},
     ["RQ1", "RQ2"], AS_OF),
    ("9.3-decision-not-in-writing", {"requests": [
        rq("RQ1", decided="2026-02-01"), rq("RQ2", decided="2026-02-01", decision_in_writing=False),
        rq("RQ3", decided="2026-02-01", decision_in_writing=True), rq("RQ4")]}, ["RQ1", "RQ2"], AS_OF),
    ("9.4-deleted-within-legal-retention", {"records": [
        rec("R1", "C1", "fiscal", "2016-02-29", deleted="2023-02-27"),
        rec("R2", "C1", "fiscal", "2016-02-29", deleted="2023-02-28"),
        rec("R3", "C1", "Fiscal", "2016-02-29", deleted="2017-01-01"), rec("R4", "C1", "fiscal", "2016-02-29")]},
     ["R1"], AS_OF),
    ("9.5-decision-not-executed", {"requests": [
        rq("RQ1", "deletion", decided="2026-03-01", decision="granted", executed_at="2026-03-15"),
        rq("RQ2", "deletion", decided="2026-03-01", decision="granted", executed_at="2026-03-16"),
        rq("RQ3", "deletion", decided="2026-11-14", decision="granted"),
        rq("RQ4", "deletion", decided="2026-11-13", decision="partial"),
        rq("RQ5", "deletion", decided="2020-01-01", decision="refused"),
        rq("RQ6", "deletion", decision="granted")]}, ["RQ2", "RQ4"], AS_OF),
    ("9.6-deletion-without-statement", {
        "records": [rec("R1", "C1", "deletion_statement", "2026-03-01"),
                    rec("R2", "C2", "Deletion_statement", "2026-05-01")],
        "requests": [rq("RQ1", "deletion", decision="granted", executed_at="2026-03-01"),
                     rq("RQ2", "deletion", decision="granted", executed_at="2026-03-02"),
                     rq("RQ3", "deletion", decision="granted", executed_at="2026-04-01", client="C2"),
                     rq("RQ4", "deletion", decision="partial", executed_at="2026-04-01", client="C3"),
                     rq("RQ5", "deletion", decision="refused", executed_at="2026-04-01", client="C3")]},
     ["RQ2", "RQ3", "RQ4"], AS_OF),
    ("10.1-marketing-without-consent", {"consents": [
        {"consent_id": "CS1", "client_id": "C1", "purpose": "marketing", "explicit": True,
         "given_at": D("2026-01-01"), "withdrawn_at": D("2026-06-01")},
        {"consent_id": "CS2", "client_id": "C2", "purpose": "marketing", "explicit": False,
         "given_at": D("2020-01-01")},
        {"consent_id": "CS3", "client_id": "C3", "purpose": "Marketing", "explicit": True,
         "given_at": D("2020-01-01")}],
        "marketing": [{"message_id": m, "client_id": c, "sent_at": T(at)} for m, c, at in [
            ("M1", "C1", "2026-01-01T08:00:00"), ("M2", "C1", "2025-12-31T23:59:59"),
            ("M3", "C1", "2026-06-01T00:00:00"), ("M4", "C2", "2026-01-01T08:00:00"),
            ("M5", "C3", "2026-01-01T08:00:00"), ("M6", "C1", "2026-05-31T23:59:59")]]},
     ["M2", "M3", "M4", "M5"], AS_OF),
    ("10.2-marketing-after-objection", {
        "objections": [{"objection_id": "O1", "client_id": "C1", "objected_at": D("2026-05-01")}],
        "marketing": [{"message_id": m, "client_id": c, "sent_at": T(at)} for m, c, at in [
            ("M1", "C1", "2026-05-01T12:00:00"), ("M2", "C1", "2026-05-02T00:00:00"),
            ("M3", "C2", "2026-06-01T00:00:00"), ("M4", "c1", "2026-06-01T00:00:00")]]}, ["M2"], AS_OF),
    ("11.2-retention-after-last-contact", {
        "clients": [{"client_id": c, "registered_at": D(r)} for c, r in [
            ("C1", "2020-01-01"), ("C2", "2020-01-01"), ("C3", "2024-11-27"), ("C4", "2024-11-28"),
            ("C5", "2020-01-01")]],
        "contacts": [{"contact_id": f"K{i}", "client_id": c, "contact_date": D(d)} for i, (c, d) in enumerate([
            ("C1", "2024-11-28"), ("C1", "2023-01-01"), ("C2", "2024-11-27"), ("C5", "2022-01-01"),
            ("C5", "2025-01-01")])]}, ["C2", "C3"], AS_OF),
    ("11.2-retention-after-last-contact", {
        "clients": [{"client_id": "C1", "registered_at": D("2020-01-01")}],
        "contacts": [{"contact_id": "K1", "client_id": "C1", "contact_date": D("2024-02-29")}]}, [], D("2026-02-28")),
    ("11.2-retention-after-last-contact", {
        "clients": [{"client_id": "C1", "registered_at": D("2020-01-01")}],
        "contacts": [{"contact_id": "K1", "client_id": "C1", "contact_date": D("2024-02-29")}]}, ["C1"],
     D("2026-03-01")),
    ("11.3-retention-after-guidance", {
        "trajectories": [{"trajectory_id": t, "client_id": c, "end_date": D(e) if e else None} for t, c, e in [
            ("T1", "C1", "2024-11-28"), ("T2", "C2", "2024-11-27"), ("T3", "C3", "2020-01-01"), ("T4", "C3", None),
            ("T5", "C4", "2020-01-01"), ("T6", "C4", "2024-11-27")]],
        "records": [rec("R1", "C1", "general", "2020-01-01"), rec("R2", "C2", "general", "2020-01-01"),
                    rec("R3", "C2", "special", "2020-01-01"), rec("R4", "C2", "fiscal", "2020-01-01"),
                    rec("R5", "C2", "General", "2020-01-01"), rec("R6", "C2", "general", "2020-01-01", "2026-01-01"),
                    rec("R7", "C3", "general", "2020-01-01"), rec("R8", "C4", "general", "2020-01-01"),
                    rec("R9", "C9", "general", "2020-01-01")]}, ["R2", "R3", "R8"], AS_OF),
    ("11.3-fiscal-retention-exceeded", {"records": [
        rec("R1", "C1", "fiscal", "2019-11-28"), rec("R2", "C1", "fiscal", "2019-11-27"),
        rec("R3", "C1", "Fiscal", "2019-11-27"), rec("R4", "C1", "fiscal", "2019-11-27", deleted="2026-01-01")]},
     ["R2"], AS_OF),
    ("12.1-complaint-not-handled", {"complaints": [
        {"complaint_id": k, "client_id": "C1", "received_at": D(r), "handled_at": D(h) if h else None}
        for k, r, h in [("K1", "2026-01-01", "2026-02-12"), ("K2", "2026-01-01", "2026-02-13"),
                        ("K3", "2026-10-17", None), ("K4", "2026-10-16", None)]]}, ["K2", "K4"], AS_OF),
    ("1.1-unlisted-data-category", {"clients": [{"client_id": "C1", "religion": "x", "Zz": None, "zz_1": "1"}],
                                    "access_log": [ev("E1", "U1", "2026-01-01T09:00:00") | {"client_name": None}]},
     ["Zz", "client_name", "religion", "zz_1"], AS_OF),
]


def _run(rule, rows, as_of, params=None, pack=PACK):
    names = [d for d in rule.datasets if d in pack.contract]
    duck, pandas = both(pack, frames_from_rows(rows, names), as_of, [rule], params)
    return duck[rule.id], pandas[rule.id]


@pytest.mark.parametrize("rule_id, rows, flagged, as_of", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_boundary_cases_agree(rule_id, rows, flagged, as_of):
    rule = PACK.rule(rule_id)
    assert rule is not None, f"the pack has no rule {rule_id}"
    duck, pandas = _run(rule, rows, as_of)
    assert pandas == duck
    assert sorted(keys(duck)) == sorted(flagged)


def test_cases_cover_every_rule():
    assert {r.id for r in PACK.rules} <= {c[0] for c in CASES}, "add a boundary case for each new rule"


# -- conditions the pack does not use (yet): every construct of the language ---------------------
REQUESTS = [rq("R1", received="2026-01-31", decided="2026-02-28", client="C1", decision="granted",
               requester="representative", mandate_verified=True, decision_reason="  Because "),
            rq("R2", "Deletion", received="2024-02-29", client="C1", mandate_verified=False, decision="refused"),
            rq("R3", "deletion ", received="2026-11-28", decided="2026-12-31", client="C2", decision_reason=""),
            rq("R4", "access", received="2025-01-31", client="C3", decision_in_writing=True)]
EXTRA = {"requests": REQUESTS,
         "records": [rec("X1", "C1", "general", "2026-01-31"), rec("X2", "C2", "special", "2024-02-29")],
         "trajectories": [{"trajectory_id": "T1", "client_id": "C2", "end_date": None}],
         "users": [user("U1", role="administration")],
         "complaints": [{"complaint_id": "K1", "client_id": "C9", "received_at": D("2024-02-29")}],
         "disclosures": [disc("D1", "C1", "special", "2026-01-31T23:59:59", categories=["general", "special"]),
                         disc("D2", "C2", "P1", "2024-02-29T00:00:00", categories=[]),
                         disc("D3", "C3", "general", "2024-02-29T12:00:00", categories=["x", "general"])]}
CONDITIONS = [  # (dataset, let, condition, params, flagged)
    ("requests", {"n": "count of records where client_id = requests.client_id"}, "n > 0", {}, ["R1", "R2", "R3"]),
    ("requests", {"n": "count of records where client_id = requests.client_id"}, "n + 1 = 1", {}, ["R4"]),
    ("requests", {}, "exists records where client_id = requests.client_id"
                     " and (no trajectories where client_id = records.client_id)", {}, ["R1", "R2"]),
    ("requests", {}, "exists users where role = 'administration'", {}, ["R1", "R2", "R3", "R4"]),
    ("requests", {}, "no users where role = 'management'", {}, ["R1", "R2", "R3", "R4"]),
    ("requests", {}, "exists complaints where received_at = requests.received_at - 1 year + 1 month", {}, ["R4"]),
    ("requests", {}, "exists complaints where received_at < requests.received_at", {}, ["R1", "R3", "R4"]),
    ("requests", {"first": "earliest record_id of records where client_id = requests.client_id"},
     "first = 'X1'", {}, ["R1", "R2"]),
    ("requests", {"last": "latest created_at of records as x where x.client_id = requests.client_id"
                          " and x.created_at < requests.received_at"}, "last is not null", {}, ["R3"]),
    ("requests", {"t": "lower(trim(type))"}, "t = 'deletion' and length(client_id) = 2", {}, ["R2", "R3"]),
    ("requests", {"p_r": "upper(decision_reason)"}, "p_r = '  BECAUSE '", {}, ["R1"]),
    ("requests", {"d": "coalesce(decided_at, received_at + 2 weeks)"}, "d > 2026-01-01", {}, ["R1", "R3"]),
    ("requests", {}, "mandate_verified", {}, ["R1"]),
    ("requests", {}, "not mandate_verified", {}, ["R2", "R3", "R4"]),
    ("requests", {}, "not (decision in ['granted'])", {}, ["R2", "R3", "R4"]),
    ("requests", {}, "decision not in ['granted']", {}, ["R2"]),
    ("requests", {}, "decision_in_writing = true or decision_reason is not empty", {}, ["R1", "R4"]),
    ("requests", {}, "received_at - 1 month = 2024-01-29 or received_at + $n months = 2026-03-31",
     {"n": 2}, ["R1", "R2"]),
    ("requests", {}, "received_at + 1 year = 2025-02-28 and received_at - 1 year = 2023-02-28", {}, ["R2"]),
    ("requests", {}, "date(received_at) = received_at and received_at >= 2025-01-31", {}, ["R1", "R3", "R4"]),
    ("requests", {}, "exists records where client_id = requests.client_id and category != requests.type",
     {}, ["R1", "R2", "R3"]),
    ("disclosures", {}, "categories contains party_id", {}, ["D1", "D3"]),
    ("disclosures", {"k": "length(categories)"}, "categories is empty or k > 1", {}, ["D1", "D2", "D3"]),
    ("disclosures", {"day": "date(disclosed_at)"}, "day = 2024-02-29 and disclosed_at < 2024-02-29T12:00:00",
     {}, ["D2"]),
    ("disclosures", {}, "date('2024-02-29') + 1 year = 2025-02-28 and party_id = 'P1'", {}, ["D2"]),
]


def _pack(tmp_path: Path, dataset: str, let: dict, condition: str, params: dict):
    key = "{" + {"requests": "request_id", "disclosures": "disclosure_id"}[dataset] + "}"
    shown = " ".join(f"{{{name}}}" for name in let if not name.startswith("p_"))  # p_: reads personal data
    rule = {"id": "1.1-case", "article": "1.1", "title": {"nl": "t", "en": "t"}, "severity": "low",
            "dataset": dataset, "condition": condition, "message": {"nl": f"{key} {shown}", "en": key}}
    rule |= {"let": let} if let else {}
    rule |= {"params": params} if params else {}
    article = {"article": "1", "title": {"nl": "a", "en": "a"}, "clauses": [{"clause": "1.1", "text": "t"}],
               "rules": [rule]}
    (tmp_path / "pack.yaml").write_text(yaml.safe_dump({"name": "t", "version": "1", "title": {"nl": "t", "en": "t"}}))
    (tmp_path / "art-01.yaml").write_text(yaml.safe_dump(article, allow_unicode=True))
    return load_pack(tmp_path)


@pytest.mark.parametrize("dataset, let, condition, params, flagged", CONDITIONS,
                         ids=[f"{i}-{c[2][:40]}" for i, c in enumerate(CONDITIONS)])
def test_language_constructs_agree(tmp_path, dataset, let, condition, params, flagged):
    pack = _pack(tmp_path, dataset, let, condition, params)
    duck, pandas = _run(pack.rules[0], EXTRA, AS_OF, params, pack)
    assert pandas == duck
    assert keys(duck) == flagged


# -- the whole pack ---------------------------------------------------------------------------
def test_rule_examples_agree_on_both_engines():
    results = run_examples(PACK, ("duckdb", "pandas"))
    by_example: dict[tuple[str, str], dict[str, tuple]] = {}
    for r in results:
        assert r.error is None, f"{r.rule} ({r.note}) on {r.engine}: {r.error}"
        by_example.setdefault((r.rule, r.note), {})[r.engine] = r.got
    disagree = {k: v for k, v in by_example.items() if v.get("duckdb") != v.get("pandas")}
    assert not disagree


def test_dataset_name_reaches_the_outer_row_past_an_alias(tmp_path):
    pack = _pack(tmp_path, "requests", {"n": "count of requests as r where r.client_id = requests.client_id"},
                 "n > 1", {})
    duck, pandas = _run(pack.rules[0], EXTRA, AS_OF, pack=pack)
    assert pandas == duck
    assert keys(duck) == ["R1", "R2"]


# The catalogue's logic is two-valued: `decision = 'granted'` is *false* for a null decision,
# so comparing that truth value, or defaulting it, sees `false` on every engine.
TRUTH_AS_VALUE = [
    pytest.param("(decision = 'granted') = false", ["R2", "R3", "R4"], id="compared"),
    pytest.param("coalesce(decision = 'granted', true) = false", ["R2", "R3", "R4"], id="defaulted"),
    pytest.param("(decision in ['granted']) = false and (decision is null) = true", ["R3", "R4"], id="predicates"),
]


@pytest.mark.parametrize("condition, flagged", TRUTH_AS_VALUE)
def test_truth_of_a_comparison_used_as_a_value(tmp_path, condition, flagged):
    pack = _pack(tmp_path, "requests", {}, condition, {})
    duck, pandas = _run(pack.rules[0], EXTRA, AS_OF, pack=pack)
    assert keys(pandas) == flagged
    assert keys(duck) == keys(pandas)


# -- the Python API over DataFrames --------------------------------------------------------------
def _sample_frames() -> dict:
    """The sample export read with pandas, as the README's snippet does."""
    import pandas as pd

    sample = ROOT / "datasets" / "sample"
    frames = {p.stem: pd.read_csv(p, dtype=str, keep_default_na=False, na_values=[""]) for p in sample.glob("*.csv")}
    frames["access_log"] = pd.read_json(sample / "access_log.jsonl", lines=True, dtype=False)
    return frames


def test_api_check_gives_the_cli_report_on_both_engines():
    from reglement import api

    frames = _sample_frames()
    results = {e: api.check(frames, "2026-11-28", PACK, engine=e, lang="en") for e in ("pandas", "duckdb")}
    cli = run_audit(PACK, Config(), folder_sources(ROOT / "datasets" / "sample", PACK.contract), AS_OF)
    expected = sorted((r.rule.id, f["dataset"], tuple(sorted(f["key"].items()))) for r in cli.results
                      for f in findings(r))
    for result in results.values():
        table = result.findings
        keys_of = [c for c in table.columns if c not in ("rule", "article", "severity", "dataset", "message", "waived")]
        got = sorted((row["rule"], row["dataset"], tuple(sorted((k, row[k]) for k in keys_of
                                                                if isinstance(row[k], str))))
                     for row in table.to_dict("records"))
        assert got == expected
        assert result.report["summary"]["findings"] == len(expected)
    plain = [{k: v for k, v in r.report.items() if k not in ("run", "engine")} for r in results.values()]
    assert plain[0] == plain[1]
    assert results["pandas"].report["data"]["clients"]["path"] == "frames['clients']"


def test_api_check_holds_frames_to_the_contract():
    from reglement import api
    from reglement.checker.intake import DataContractError

    frames = frames_from_rows({"requests": [rq("R1"), rq("R1")]}, ["requests"])
    frames["requests"].loc[1, "received_at"] = "2026-02-30"
    frames["requests"]["identity_verified"] = ["yes", True]
    with pytest.raises(DataContractError) as caught:
        api.check(frames, AS_OF, PACK)
    messages = [str(e) for e in caught.value.errors]
    assert any("duplicate key 'R1'" in m for m in messages)
    assert any("received_at: error E706: expected a date YYYY-MM-DD, got '9999-99-99' (no such day)" in m
               for m in messages)
    assert any("identity_verified: error E706: expected true or false, got 'aaa'" in m for m in messages)


@pytest.mark.parametrize("data", ["sample", "boundaries", "empty"])
def test_the_one_pass_of_a_rule_with_explanations_finds_and_counts_as_the_plain_queries(data):
    """DuckDB answers 5.1-access-unexplained in one pass, its explanations as grouped lists tested with a
    lambda (`explained_query`); the plain queries (anti joins, one count per explanation) give the same
    findings, message values and counts, on the sample and on the rows at every explanation's boundary."""
    rule = PACK.rule("5.1-access-unexplained")
    check, bindings = rule.checks[0], rule.bind({}, AS_OF)
    assert explained_query(check, bindings) is not None  # the shape the one pass answers
    rows = next(r for rule_id, r, _, _ in CASES if rule_id == rule.id) if data == "boundaries" else {}
    source = folder_sources(ROOT / "datasets" / "sample", PACK.contract) if data == "sample" \
        else data_of(frames_from_rows(rows), PACK)
    with opened(PACK, source) as run:
        one_pass = run.backend.findings(check, bindings), run.backend.census(check, bindings)
        run.backend.lists = False  # this backend only: as an engine without lists runs it
        plain = run.backend.findings(check, bindings), run.backend.census(check, bindings)
    assert one_pass[0].to_pylist() == plain[0].to_pylist()
    assert one_pass[0].schema == plain[0].schema
    assert one_pass[1] == plain[1]
    if data != "empty":  # the empty export: no rows, counts of 0 (DuckDB counts no rows as null)
        assert one_pass[0].num_rows and 0 < one_pass[1].explained[0] < one_pass[1].population


def _log_with_gaps(seed: int) -> dict:
    """Events in bursts with silences around 4 × 24 hours (a second less, exactly, a second more), several
    at one moment, ids that sort as text otherwise than as numbers."""
    import random
    rng, at, events = random.Random(seed), T("2026-01-01T00:00:00"), []
    for burst in range(40):
        for i in range(rng.randint(1, 6)):
            events.append(ev(f"E{burst}-{i}", "U1", at.isoformat()))
            if rng.random() < 0.7:
                at += dt.timedelta(seconds=rng.choice([0, 1, 3600, 86399, 86400]))
        at += dt.timedelta(days=4, seconds=rng.choice([-1, 0, 1, 3600]))
    rng.shuffle(events)
    return {"access_log": events}


@pytest.mark.parametrize("data", ["sample", "boundaries", 1, 2, 3])
def test_the_gaps_by_day_find_what_the_window_over_the_whole_log_finds(data):
    """DuckDB finds 6.1's gaps from one row a day (`gap_query`), not from a sort of the whole log; the
    window of the plain query gives the same findings and message values, ties and 96-hour silences
    included."""
    rule = PACK.rule("6.1-access-log-gap")
    check, bindings = rule.checks[0], rule.bind({}, AS_OF)
    assert gap_query(check, bindings) is not None
    rows = next(r for rule_id, r, _, _ in CASES if rule_id == rule.id) if data == "boundaries" else \
        _log_with_gaps(data) if isinstance(data, int) else None
    source = folder_sources(ROOT / "datasets" / "sample", PACK.contract) if rows is None \
        else data_of(frames_from_rows(rows), PACK)
    with opened(PACK, source) as run:
        by_day = run.backend.findings(check, bindings)
        run.backend.lists = False
        by_window = run.backend.findings(check, bindings)
    assert by_day.to_pylist() == by_window.to_pylist() and by_day.schema == by_window.schema
    assert by_window.num_rows


# -- arithmetic on parameters: each engine gets the number it comes to ---------------------------------
RANGED = {"a": {"default": 1, "max": 100}, "b": {"default": 1, "max": 100}}
SAME_AS_WRITTEN = [  # (dataset, the amount as an expression, its parameters, the same amount written out, flagged)
    ("requests", "received_at + ($a + $b) months <= 2026-03-31", RANGED, "received_at + 2 months <= 2026-03-31",
     ["R1", "R2", "R4"]),
    ("requests", "received_at + ($y * 12 - $a) months < 2026-01-01",
     {"y": {"default": 1, "max": 100}, "a": {"default": 1, "max": 12}},
     "received_at + 11 months < 2026-01-01", ["R2", "R4"]),
    ("requests", "received_at - (2 * ($a + $b)) weeks >= 2026-01-03", RANGED,
     "received_at - 4 weeks >= 2026-01-03", ["R1", "R3"]),
    ("requests", "decided_at > received_at + ($a * 14 - $b) days", {"a": {"default": 2, "max": 9},
                                                                      "b": {"default": 0, "min": 0, "max": 5}},
     "decided_at > received_at + 28 days", ["R3"]),  # R1 is decided on the 28th day
    ("disclosures", "disclosed_at + ($a * 24) hours > 2024-03-01T00:00:00", RANGED,
     "disclosed_at + 24 hours > 2024-03-01T00:00:00", ["D1", "D3"]),
    ("requests", "(count of records where client_id = requests.client_id) >= $a * 2 - 1", RANGED,
     "(count of records where client_id = requests.client_id) >= 1", ["R1", "R2", "R3"]),
]


@pytest.mark.parametrize("dataset, condition, params, written_out, flagged", SAME_AS_WRITTEN,
                         ids=[c[1][:40] for c in SAME_AS_WRITTEN])
def test_an_amount_computed_from_parameters_finds_what_the_number_written_out_finds(
        tmp_path, dataset, condition, params, written_out, flagged):
    (tmp_path / "computed").mkdir()
    (tmp_path / "written").mkdir()
    computed = _pack(tmp_path / "computed", dataset, {}, condition, params)
    written = _pack(tmp_path / "written", dataset, {}, written_out, {})
    duck, pandas = _run(computed.rules[0], EXTRA, AS_OF, pack=computed)
    assert pandas == duck
    assert keys(duck) == flagged
    assert keys(_run(written.rules[0], EXTRA, AS_OF, pack=written)[0]) == flagged


def test_configured_parameters_are_added_up_the_same_on_both_engines(tmp_path):
    pack = _pack(tmp_path, "requests", {"deadline": "received_at + ($a + $b) months"}, "deadline <= 2026-03-31",
                 RANGED)
    duck, pandas = _run(pack.rules[0], EXTRA, AS_OF, {"a": 2, "b": 12}, pack)
    assert pandas == duck
    assert keys(duck) == ["R2", "R4"]  # 2024-02-29 + 14 months = 2025-04-29; 2025-01-31 + 14 months = 2026-03-31
    assert [f["values"]["deadline"] for f in duck] == [D("2025-04-29"), D("2026-03-31")]
