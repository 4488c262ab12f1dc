"""The synthetic export generator and its oracle: reproducible, contract-shaped, and honest.

The planted rows carry their intent (`ground_truth.json` → `planted`); the oracle must
agree with every one of them, and a few boundary rows are re-read from the CSV to show
that the dates really sit where the note says.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
import tracemalloc
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from reglement.datasets import contract
from reglement.datasets.generate import AS_OF, EXTRA_COLUMNS, MIN_CLIENTS, generate
from reglement.datasets.oracle import EXPLANATIONS, RULES, add_months, add_years, elfproef, evaluate_export

RULE_COUNT = 44
JUDGED = ("findings", "populations", "explanations", "periods")  # what the oracle computes, in ground_truth.json


def judged(truth: dict) -> dict:
    """The oracle's part of a ground truth: what `evaluate_export` gives for the same folder."""
    return {part: truth[part] for part in JUDGED}


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export")
    generate(out, clients=200, seed=1)
    return out


@pytest.fixture(scope="module")
def truth(export: Path) -> dict:
    return json.loads((export / "ground_truth.json").read_text("utf-8"))


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def planted(truth: dict, rule: str, note: str) -> dict:
    return next(p for p in truth["planted"] if p["rule"] == rule and p["note"] == note)


def found(truth: dict, plant: dict) -> bool:
    """Is the planted row (or column) a finding of its rule in the ground truth?"""
    return {"dataset": plant["dataset"], "key": plant["key"]} in truth["findings"][plant["rule"]]


def row_of(export: Path, dataset: str, key: dict) -> dict[str, str]:
    column = contract()[dataset].keys[0]
    return next(r for r in rows(export / f"{dataset}.csv") if r[column] == key[column])


# --- reproducible --------------------------------------------------------------------------

def test_same_seed_gives_identical_bytes(export: Path, tmp_path: Path) -> None:
    generate(tmp_path, clients=200, seed=1)
    names = sorted(p.name for p in export.iterdir())
    assert names == sorted(p.name for p in tmp_path.iterdir())
    for name in names:
        assert (export / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_other_seed_gives_other_data(export: Path, tmp_path: Path) -> None:
    generate(tmp_path, clients=200, seed=2)
    assert (export / "clients.csv").read_bytes() != (tmp_path / "clients.csv").read_bytes()
    assert (export / "access_log.csv").read_bytes() != (tmp_path / "access_log.csv").read_bytes()


# --- shaped as the contract says --------------------------------------------------------------

def test_every_dataset_has_the_contract_columns_in_order(export: Path) -> None:
    for name, dataset in contract().items():
        with (export / f"{name}.csv").open(encoding="utf-8", newline="") as f:
            header = next(csv.reader(f))
        extra = EXTRA_COLUMNS.get(name, ())
        assert tuple(header) == dataset.column_names + extra, name


def test_keys_are_unique(export: Path) -> None:
    for name, dataset in contract().items():
        keys = [r[dataset.keys[0]] for r in rows(export / f"{name}.csv")]
        assert len(keys) == len(set(keys)), name


def test_csv_values_follow_the_conventions(export: Path) -> None:
    patterns = {"date": r"\d{4}-\d{2}-\d{2}", "timestamp": r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", "bool": "true|false"}
    for name, dataset in contract().items():
        for row in rows(export / f"{name}.csv"):
            for column in dataset.columns:
                value = row[column.name]
                assert value or column.nullable, (name, column.name)
                if value and column.type in patterns:
                    assert re.fullmatch(patterns[column.type], value), (name, column.name, value)
    categories = {r["categories"] for r in rows(export / "disclosures.csv")}
    assert "general;special" in categories


def test_dutch_letters_and_formats_come_through(export: Path) -> None:
    clients = rows(export / "clients.csv")
    assert any(set(r["name"]) & set("ëïéöüç") for r in clients)
    assert all(re.fullmatch(r"\d{4} [A-Z]{2}", r["postcode"]) for r in clients if r["postcode"])
    users = rows(export / "users.csv")
    assert {"jobcoach", "administration", "management"} <= {u["role"] for u in users}


def bsn_of(export: Path, truth: dict, rule: str, note: str) -> str:
    """The planted client's BSN as the CSV has it; tests assert on what they derive from it, never on the
    BSN itself, so that a failure does not print it."""
    return row_of(export, "clients", planted(truth, rule, note)["key"])["bsn"]


def test_bsn_keeps_its_leading_zero_in_csv(export: Path, truth: dict) -> None:
    bsn = bsn_of(export, truth, "4.2-invalid-bsn", "valid, with a leading zero")
    kept = len(bsn) == 9 and bsn.startswith("0") and elfproef(bsn)
    assert kept, "the leading zero was lost"
    lost = len(bsn_of(export, truth, "4.2-invalid-bsn", "leading zero lost: eight digits")) == 8
    assert lost, "the eight-digit BSN changed"


def test_blank_and_null_stay_apart_in_csv(export: Path, truth: dict) -> None:
    blank = bsn_of(export, truth, "4.2-incomplete-client", "BSN blank") == " "
    null = bsn_of(export, truth, "4.2-incomplete-client", "BSN null") == ""
    assert blank and null, "a blank and a null BSN must stay apart"


def test_parquet_has_native_types(tmp_path: Path) -> None:
    generate(tmp_path, clients=MIN_CLIENTS, seed=3, fmt="parquet", events_per_client=5)
    disclosures = pq.read_schema(tmp_path / "disclosures.parquet")
    assert pa.types.is_timestamp(disclosures.field("disclosed_at").type)
    assert disclosures.field("categories").type == pa.list_(pa.string())
    assert pq.read_schema(tmp_path / "users.parquet").field("special_data_access").type == pa.bool_()
    clients = pq.read_table(tmp_path / "clients.parquet")
    assert clients.schema.field("birth_date").type == pa.date32()
    assert clients.schema.field("bsn").type == pa.string()
    assert any(b and b.startswith("0") and len(b) == 9 for b in clients.column("bsn").to_pylist())
    truth = json.loads((tmp_path / "ground_truth.json").read_text("utf-8"))
    assert evaluate_export(tmp_path, AS_OF) == judged(truth)


# --- every rule, with its boundaries -----------------------------------------------------------

def test_ground_truth_lists_every_rule_sorted(truth: dict) -> None:
    assert truth["as_of"] == AS_OF.isoformat() and truth["seed"] == 1 and truth["clients"] == 200
    assert len(truth["findings"]) == RULE_COUNT and set(truth["findings"]) == set(RULES)
    for rule, findings in truth["findings"].items():
        order = [(f["dataset"], *f["key"].values()) for f in findings]
        assert order == sorted(order) and len(order) == len(set(order)), rule
        assert {f["dataset"] for f in findings} <= set(RULES[rule].datasets), rule
    assert truth["findings"]["1.1-unlisted-data-category"] == [
        {"dataset": d, "key": {"column": c}} for d, columns in sorted(EXTRA_COLUMNS.items()) for c in sorted(columns)]


def test_ground_truth_gives_every_population_and_each_explanation(export: Path, truth: dict) -> None:
    """Populations in catalogue order, each at least the findings of its rule; the six whole-dataset counts and
    rule 1.1's column count equal what the files hold; the explanations in the pack's order."""
    assert list(truth["populations"]) == list(RULES)
    sizes = {name: len(rows(export / f"{name}.csv")) for name in contract()}
    for rule, population in truth["populations"].items():
        assert len(truth["findings"][rule]) <= population, rule
    for rule, dataset in (("3.2-purpose-not-allowed", "access_log"), ("6.1-access-log-gap", "access_log"),
                          ("4.2-incomplete-client", "clients"), ("7.1-disclosure-without-basis", "disclosures"),
                          ("10.1-marketing-without-consent", "marketing"),
                          ("12.1-complaint-not-handled", "complaints")):
        assert truth["populations"][rule] == sizes[dataset], rule
    columns = 0
    for name in contract():
        with (export / f"{name}.csv").open(encoding="utf-8", newline="") as f:
            columns += len(next(csv.reader(f)))
    assert truth["populations"]["1.1-unlisted-data-category"] == columns
    assert truth["populations"]["4.2-date-order"] == sum(sizes[d] for d in (
        "trajectories", "records", "users", "caseload", "consents", "requests", "complaints"))
    log = rows(export / "access_log.csv")
    users = {u["user_id"] for u in rows(export / "users.csv")}
    assert truth["populations"]["5.1-access-unexplained"] == sum(
        e["actor_kind"] == "user" and e["actor_id"] in users for e in log)
    assert truth["populations"]["8.1-access-request-late"] == sum(
        r["type"] == "access" for r in rows(export / "requests.csv"))
    assert list(truth["explanations"]) == ["5.1-access-unexplained"]
    assert list(truth["explanations"]["5.1-access-unexplained"]) == [name for name, _ in EXPLANATIONS] == [
        "caseload", "manager", "request", "complaint", "disclosure", "record", "administration"]


def test_the_log_is_mostly_explained_by_caseload_and_each_explanation_occurs(truth: dict) -> None:
    """Most events of known users have a reason in the data, the case worker's caseload above all; every other
    explanation holds for some; a few (the background's slips and the planted ones) have none."""
    counts = truth["explanations"]["5.1-access-unexplained"]
    population = truth["populations"]["5.1-access-unexplained"]
    unexplained = len(truth["findings"]["5.1-access-unexplained"])
    assert all(counts.values()), counts
    assert counts["caseload"] > 0.8 * population and counts["caseload"] == max(counts.values())
    assert 0 < unexplained < 0.03 * population
    planted = {json.dumps(p["key"]) for p in truth["planted"] if p["rule"] == "5.1-access-unexplained" and p["expect"]}
    background = {json.dumps(f["key"]) for f in truth["findings"]["5.1-access-unexplained"]} - planted
    assert planted and background, "both planted and natural unexplained accesses"


def test_the_pack_12_columns_are_filled_as_an_office_would(export: Path) -> None:
    users = rows(export / "users.csv")
    staff = [u for u in users if u["role"] in ("jobcoach", "advisor", "intern", "administration")]
    managers = {u["user_id"] for u in users if u["role"] == "management"}
    assert sum(u["manager_id"] in managers for u in staff) > 0.7 * len(staff)
    requests = rows(export / "requests.csv")
    assert sum(bool(r["handled_by"]) for r in requests) > 0.5 * len(requests)
    extended = [r for r in requests if r["extended_at"] and r["type"] == "access"]
    month = lambda r: add_months(date.fromisoformat(r["received_at"]), 1)  # noqa: E731
    in_time = [r for r in extended if date.fromisoformat(r["extended_at"]) <= month(r)]
    assert in_time and len(in_time) < len(extended), "extensions told in time, and some too late"
    complaints = rows(export / "complaints.csv")
    assert sum(k["handled_by"] in managers for k in complaints) > 0.5 * len(complaints)
    disclosures = rows(export / "disclosures.csv")
    assert sum(bool(d["disclosed_by"]) for d in disclosures) > 0.8 * len(disclosures)


def test_the_log_has_no_hole_but_the_planted_ones(export: Path, truth: dict) -> None:
    """6.1: the planted silence of a second over 4 × 24 hours is the only gap; the one of exactly 4 × 24 hours is
    none, and both sit where their notes say in the file."""
    log = sorted(rows(export / "access_log.csv"), key=lambda e: (e["ts"], e["event_id"]))
    gap = "6.1-access-log-gap"
    assert truth["findings"][gap] == [{"dataset": "access_log", "key": planted(truth, gap, note)["key"]} for note in (
        "the last event before 4 × 24 hours and a second without events",)]
    at = {e["event_id"]: i for i, e in enumerate(log)}
    for note, seconds in (("the next event exactly 4 × 24 hours later", 4 * 86400),
                          ("the last event before 4 × 24 hours and a second without events", 4 * 86400 + 1)):
        i = at[planted(truth, gap, note)["key"]["event_id"]]
        before, after = (datetime.fromisoformat(log[j]["ts"]) for j in (i, i + 1))
        assert (after - before).total_seconds() == seconds, note
    same = planted(truth, gap, "the same second as the last event before a gap, a smaller event_id")["key"]
    last = planted(truth, gap, "the last event before 4 × 24 hours and a second without events")["key"]
    assert log[at[same["event_id"]]]["ts"] == log[at[last["event_id"]]]["ts"] and same["event_id"] < last["event_id"]
    assert at[planted(truth, gap, "the last event of the log")["key"]["event_id"]] == len(log) - 1


def test_administration_ends_on_a_clamped_month_end(export: Path, truth: dict) -> None:
    """The planted administration boundary: the trajectory's end + 3 months falls on a shorter month's end."""
    rule = "5.1-access-unexplained"
    inside = row_of(export, "access_log", planted(truth, rule, "on its end + 3 months, clamped to that month's end")
                    ["key"])
    outside = row_of(export, "access_log", planted(truth, rule, "the day after its end + 3 months (clamped)")["key"])
    (trajectory,) = [t for t in rows(export / "trajectories.csv") if t["client_id"] == inside["client_id"]]
    end, last = date.fromisoformat(trajectory["end_date"]), date.fromisoformat(inside["ts"][:10])
    assert add_months(end, 3) == last and last.day < end.day and (last + timedelta(days=1)).day == 1
    assert date.fromisoformat(outside["ts"][:10]) == last + timedelta(days=1)


def test_contract_rule_keys_carry_the_column(truth: dict) -> None:
    """The three contract rules key a finding by the row's key plus the judged column."""
    for rule in ("4.2-unknown-code", "4.2-dangling-reference", "4.2-date-order"):
        assert truth["findings"][rule], rule
        for f in truth["findings"][rule]:
            assert list(f["key"]) == [contract()[f["dataset"]].keys[0], "column"], f


def test_every_rule_has_findings_at_the_minimum_size(tmp_path: Path) -> None:
    summary = generate(tmp_path, clients=50, seed=5, events_per_client=10)
    assert len(summary["findings"]) == RULE_COUNT
    assert all(count > 0 for count in summary["findings"].values()), summary["findings"]


def test_every_rule_has_planted_violations_and_near_misses(truth: dict) -> None:
    for rule in RULES:
        intents = {p["expect"] for p in truth["planted"] if p["rule"] == rule}
        assert intents == {True, False}, rule


def test_oracle_agrees_with_every_planted_intent(truth: dict) -> None:
    wrong = [p for p in truth["planted"] if found(truth, p) != p["expect"]]
    assert not wrong


BOUNDARIES = [  # dataset, rule, note, the columns that make it a boundary, finding?
    ("requests", "8.1-access-request-late", "decided on 31 Jan + 1 month (28 Feb)",
     lambda r: r["received_at"][5:] == "01-31" and r["decided_at"][5:] == "02-28", False),
    ("requests", "8.1-access-request-late", "decided the day after 31 Jan + 1 month",
     lambda r: r["decided_at"][5:] == "03-01", True),
    ("requests", "8.1-access-request-late", "leap year: decided on 31 Jan + 1 month (29 Feb)",
     lambda r: r["decided_at"][5:] == "02-29", False),
    ("requests", "8.1-access-request-late", "extended on 31 Jan + 1 month, decided on 31 Jan + 3 months (30 Apr)",
     lambda r: r["received_at"][5:] == "01-31" and r["extended_at"][5:] == "02-28" and r["decided_at"][5:] == "04-30",
     False),
    ("requests", "8.1-access-request-late", "extended in time, decided the day after 31 Jan + 3 months",
     lambda r: r["received_at"][5:] == "01-31" and r["extended_at"] < r["received_at"][:5] + "02-28"
     and r["decided_at"][5:] == "05-01", True),
    ("requests", "8.1-access-request-late", "extension told the day after 31 Jan + 1 month: the term stays a month",
     lambda r: r["received_at"][5:] == "01-31" and r["extended_at"][5:] == "03-01", True),
    ("requests", "8.1-access-request-late", "leap year: extended on 31 Jan + 1 month (29 Feb), decided on 30 Apr",
     lambda r: r["extended_at"][5:] == "02-29" and r["decided_at"][5:] == "04-30", False),
    ("access_log", "5.1-access-unexplained", "at 23:59:59 on its last day",
     lambda r: r["ts"].endswith("T23:59:59"), False),
    ("access_log", "5.1-access-unexplained", "the day of the disclosure, before it was sent: only the date counts",
     lambda r: r["ts"].endswith("T07:00:00"), False),
    ("requests", "4.2-date-order", "extension told the day before the request was received",
     lambda r: (date.fromisoformat(r["received_at"]) - date.fromisoformat(r["extended_at"])).days == 1, True),
    ("records", "9.4-deleted-within-legal-retention", "29 Feb + 7 years is 28 Feb: deleted on it",
     lambda r: r["created_at"][5:] == "02-29" and r["deleted_at"] == f"{int(r['created_at'][:4]) + 7}-02-28", False),
    ("requests", "9.3-decision-late", "decided exactly 4 weeks after receipt",
     lambda r: (date.fromisoformat(r["decided_at"]) - date.fromisoformat(r["received_at"])).days == 28, False),
    ("requests", "9.5-decision-not-executed", "executed exactly 14 days after the decision",
     lambda r: (date.fromisoformat(r["executed_at"]) - date.fromisoformat(r["decided_at"])).days == 14, False),
    ("complaints", "12.1-complaint-not-handled", "handled 6 weeks and a day after receipt",
     lambda r: (date.fromisoformat(r["handled_at"]) - date.fromisoformat(r["received_at"])).days == 43, True),
    ("complaints", "12.1-complaint-not-handled", "open, and A is exactly received + 6 weeks",
     lambda r: r["handled_at"] == "" and (AS_OF - date.fromisoformat(r["received_at"])).days == 42, False),
    ("records", "11.3-fiscal-retention-exceeded", "kept, and A is exactly created + 7 years",
     lambda r: r["created_at"] == "2019-11-28" and r["deleted_at"] == "", False),
    ("clients", "4.2-implausible-birth-date", "born exactly 100 years before A",
     lambda r: r["birth_date"] == "1926-11-28", False),
    ("access_log", "3.2-purpose-not-allowed", "'Reintegration' is not 'reintegration'",
     lambda r: r["purpose"] == "Reintegration", True),
    ("disclosures", "7.1-disclosure-without-basis", "' consent' is not empty",
     lambda r: r["basis"] == " consent", False),
    ("disclosures", "7.2-commissioner-not-assigned", "at 23:59:59 on its last day: only the date counts",
     lambda r: r["disclosed_at"].endswith("T23:59:59"), False),
    ("contacts", "4.2-unknown-code", "channel a single space, in a required column",
     lambda r: r["channel"] == " ", True),
    ("access_log", "4.2-unknown-code", "actor kind 'User' is no code", lambda r: r["actor_kind"] == "User", True),
    ("access_log", "4.2-unknown-code", "action 'read ' has a trailing space", lambda r: r["action"] == "read ", True),
    ("disclosures", "4.2-unknown-code", "'Medical' in the list is no code",
     lambda r: r["categories"] == "general;Medical", True),
    ("disclosures", "4.2-unknown-code", "a blank basis is empty: 7.1 judges it, not 4.2", lambda r: r["basis"] == "  ",
     False),
    ("parties", "4.2-unknown-code", "kind 'Commissioner' is no code", lambda r: r["kind"] == "Commissioner", True),
    ("records", "4.2-dangling-reference", "created by nobody recorded", lambda r: r["created_by"] == "", False),
    ("requests", "4.2-date-order", "executed the day before the decision",
     lambda r: (date.fromisoformat(r["decided_at"]) - date.fromisoformat(r["executed_at"])).days == 1, True),
    ("complaints", "4.2-date-order", "handled on the day it was received",
     lambda r: r["handled_at"] == r["received_at"], False),
    ("disclosures", "7.2-special-data-to-commissioner", "diagnosis sent to the commissioner by law, ground named",
     lambda r: "special" in r["categories"].split(";") and r["basis"] == "legal_obligation" and r["legal_ground"],
     False),
]


@pytest.mark.parametrize("dataset, rule, note, shape, finding", BOUNDARIES, ids=[b[2] for b in BOUNDARIES])
def test_boundary_rows_sit_where_their_note_says(export: Path, truth: dict, dataset: str, rule: str, note: str,
                                                shape: Callable[[dict], bool], finding: bool) -> None:
    plant = planted(truth, rule, note)
    assert plant["dataset"] == dataset
    sits = shape(row_of(export, dataset, plant["key"]))
    assert sits, note  # the row itself is never shown: it may hold a name or a BSN
    assert found(truth, plant) is finding


def test_dangling_references_name_no_row(export: Path, truth: dict) -> None:
    users = {u["user_id"] for u in rows(export / "users.csv")}
    clients = {c["client_id"] for c in rows(export / "clients.csv")}
    dangling = lambda note: planted(truth, "4.2-dangling-reference", note)["key"]  # noqa: E731
    period = row_of(export, "caseload", dangling("caseload of a user who does not exist"))
    assert period["user_id"] not in users and period["client_id"] in clients
    record = row_of(export, "records", dangling("a record of a client who does not exist"))
    assert record["client_id"] not in clients and record["created_by"] in users
    log = rows(export / "access_log.csv")
    assert any(e["client_id"] not in clients for e in log)
    assert not [f for f in truth["findings"]["4.2-dangling-reference"] if f["dataset"] == "access_log"]


def test_a_trajectory_end_is_a_last_contact(export: Path, truth: dict) -> None:
    """11.2 reads the latest of contacts, registration and trajectory ends: the end sits exactly on the term."""
    plant = planted(truth, "11.2-retention-after-last-contact",
                    "trajectory ended exactly 2 years before A, long after the last contact")
    client = plant["key"]["client_id"]
    ends = [r["end_date"] for r in rows(export / "trajectories.csv") if r["client_id"] == client]
    contacts = [r["contact_date"] for r in rows(export / "contacts.csv") if r["client_id"] == client]
    assert ends == [add_years(AS_OF, -2).isoformat()] and max(contacts) < ends[0]
    assert row_of(export, "clients", plant["key"])["registered_at"] < max(contacts)
    assert not found(truth, plant)


def test_duplicate_bsns_share_the_text_and_blanks_do_not_count(export: Path, truth: dict) -> None:
    pair = [bsn_of(export, truth, "4.2-duplicate-bsn", note)
            for note in ("one client of a pair sharing a BSN", "the other client of the pair")]
    shared = pair[0] == pair[1] and elfproef(pair[0])
    assert shared, "the pair does not share one valid BSN"
    blanks = [bsn_of(export, truth, "4.2-duplicate-bsn", note)
              for note in ("two blank BSNs are empty, not duplicates", "the other blank BSN")] == [" ", " "]
    assert blanks, "the two blank BSNs are not both a single space"


def test_unlisted_columns_are_in_the_files(export: Path, truth: dict) -> None:
    """Rule 1.1 is planted on more than one dataset, and the files really carry those columns."""
    assert len(EXTRA_COLUMNS) > 1
    for dataset, columns in EXTRA_COLUMNS.items():
        with (export / f"{dataset}.csv").open(encoding="utf-8", newline="") as f:
            assert set(columns) <= set(next(csv.reader(f))), dataset


def test_parameters_move_the_planted_boundaries(tmp_path: Path) -> None:
    params = {"decision_weeks": 6, "retention_years": 3, "access_months": 2}
    generate(tmp_path, clients=MIN_CLIENTS, seed=9, events_per_client=5, params=params, as_of=date(2028, 2, 29))
    truth = json.loads((tmp_path / "ground_truth.json").read_text("utf-8"))
    assert truth["params"]["decision_weeks"] == 6 and truth["as_of"] == "2028-02-29"
    assert all(found(truth, p) == p["expect"] for p in truth["planted"])
    assert evaluate_export(tmp_path, date(2028, 2, 29), params) == judged(truth)


# --- the oracle itself -------------------------------------------------------------------------

@pytest.mark.parametrize("start, months, expected", [
    (date(2025, 1, 31), 1, date(2025, 2, 28)), (date(2024, 1, 31), 1, date(2024, 2, 29)),
    (date(2024, 2, 29), 12, date(2025, 2, 28)), (date(2024, 2, 29), 48, date(2028, 2, 29)),
    (date(2026, 11, 28), -1200, date(1926, 11, 28)), (date(2025, 3, 31), -1, date(2025, 2, 28)),
])
def test_calendar_arithmetic_clamps_to_the_month_end(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_29_february_plus_one_year_is_28_february() -> None:
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)


@pytest.mark.parametrize("bsn, valid", [("012345672", True), ("111222333", True), ("000000000", True),
                                        ("012345673", False), ("12345672", False), ("01234567O", False),
                                        ("0123456720", False), ("١٢٣٤٥٦٧٨٢", False)])
def test_elfproef(bsn: str, valid: bool) -> None:
    assert elfproef(bsn) is valid


def test_csv_export_reads_back_to_the_same_findings(export: Path, truth: dict) -> None:
    assert evaluate_export(export, AS_OF) == judged(truth)


def test_oracle_never_imports_the_compiler_or_checker() -> None:
    """The ground truth must not share code with what it checks: the whole import
    closure of the generator and the oracle, in a fresh interpreter, stays clear."""
    probe = ("import sys, reglement.datasets.generate, reglement.datasets.oracle; "
             "print(sorted(m for m in sys.modules if m.startswith(('reglement.compiler', 'reglement.checker'))))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"


def test_too_few_clients_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least"):
        generate(tmp_path, clients=MIN_CLIENTS - 1, seed=1)


# --- streaming ---------------------------------------------------------------------------------

def test_access_log_streams_in_bounded_memory(tmp_path: Path) -> None:
    """300k events in chunks of 25k: holding them all would take well over 100 MiB."""
    tracemalloc.start()
    try:
        summary = generate(tmp_path, clients=50, seed=4, events_per_client=6000, chunk_rows=25_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert summary["rows"]["access_log"] >= 290_000  # about 300k: the planted outages take a few days away
    assert peak < 48 * 2**20, f"peak {peak / 2**20:.1f} MiB"
