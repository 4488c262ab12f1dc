"""Independent cross-check of the hand-made ground truth for `datasets/sample/`.

A second, literal reading of `rule-catalogue.md` in plain Python (csv/json modules
only, nothing from `reglement`). It evaluates the 33 automated rules over the sample
export and prints every difference against `sample_findings.json`.

    python tests/expected/crosscheck_sample.py [--data DIR] [--expected FILE] [--as-of YYYY-MM-DD]

Exit status 0 when the computed findings equal the expected ones, 1 otherwise.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import json
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent

# The contract's columns per dataset, in contract order, with their types.
CONTRACT: dict[str, list[tuple[str, str]]] = {
    "clients": [
        ("client_id", "string"), ("name", "string"), ("address", "string"),
        ("postcode", "string"), ("city", "string"), ("gender", "string"),
        ("birth_date", "date"), ("bsn", "string"), ("phone", "string"),
        ("benefit", "string"), ("education", "string"), ("work_experience", "string"),
        ("registered_at", "date"),
    ],
    "trajectories": [
        ("trajectory_id", "string"), ("client_id", "string"), ("commissioner_id", "string"),
        ("kind", "string"), ("start_date", "date"), ("end_date", "date"),
    ],
    "contacts": [
        ("contact_id", "string"), ("client_id", "string"), ("user_id", "string"),
        ("contact_date", "date"), ("channel", "string"),
    ],
    "records": [
        ("record_id", "string"), ("client_id", "string"), ("category", "string"),
        ("created_at", "date"), ("deleted_at", "date"), ("subject_informed_at", "date"),
        ("created_by", "string"),
    ],
    "users": [
        ("user_id", "string"), ("name", "string"), ("role", "string"),
        ("authorized_from", "date"), ("authorized_until", "date"),
        ("confidentiality_signed_at", "date"), ("special_data_access", "bool"),
    ],
    "caseload": [
        ("assignment_id", "string"), ("user_id", "string"), ("client_id", "string"),
        ("assigned_from", "date"), ("assigned_until", "date"),
    ],
    "parties": [
        ("party_id", "string"), ("name", "string"), ("kind", "string"),
        ("agreement_signed_at", "date"), ("confidentiality", "bool"),
    ],
    "disclosures": [
        ("disclosure_id", "string"), ("client_id", "string"), ("party_id", "string"),
        ("disclosed_at", "timestamp"), ("categories", "list"), ("basis", "string"),
        ("legal_ground", "string"), ("consent_id", "string"),
    ],
    "consents": [
        ("consent_id", "string"), ("client_id", "string"), ("purpose", "string"),
        ("party_id", "string"), ("given_at", "date"), ("withdrawn_at", "date"),
        ("explicit", "bool"),
    ],
    "requests": [
        ("request_id", "string"), ("client_id", "string"), ("type", "string"),
        ("received_at", "date"), ("requester", "string"), ("identity_verified", "bool"),
        ("mandate_verified", "bool"), ("collector_heard_at", "date"),
        ("decided_at", "date"), ("decision", "string"), ("decision_reason", "string"),
        ("decision_in_writing", "bool"), ("executed_at", "date"),
    ],
    "objections": [
        ("objection_id", "string"), ("client_id", "string"), ("objected_at", "date"),
    ],
    "marketing": [
        ("message_id", "string"), ("client_id", "string"), ("sent_at", "timestamp"),
        ("purpose", "string"),
    ],
    "access_log": [
        ("event_id", "string"), ("ts", "timestamp"), ("actor_id", "string"),
        ("actor_kind", "string"), ("client_id", "string"), ("action", "string"),
        ("data_category", "string"), ("purpose", "string"),
    ],
    "complaints": [
        ("complaint_id", "string"), ("client_id", "string"), ("received_at", "date"),
        ("handled_at", "date"),
    ],
}


# ---------------------------------------------------------------- loading

def _convert(value, typ: str, where: str):
    if value is None:
        return None
    if typ == "string":
        if not isinstance(value, str):
            raise ValueError(f"{where}: expected a string, got {value!r}")
        return value
    if typ == "date":
        return date.fromisoformat(value) if len(value) == 10 else _bad(where, value)
    if typ == "timestamp":
        if len(value) != 19 or value[10] != "T":
            _bad(where, value)
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S")
    if typ == "bool":
        if isinstance(value, bool):
            return value
        if value in ("true", "false"):
            return value == "true"
        _bad(where, value)
    if typ == "list":
        return list(value) if isinstance(value, list) else value.split(";")
    raise AssertionError(typ)


def _bad(where, value):
    raise ValueError(f"{where}: malformed value {value!r}")


def load(folder: Path, name: str) -> tuple[list[str], list[dict]]:
    """Rows of one dataset with typed values; also returns the header as found."""
    csv_path, jsonl_path = folder / f"{name}.csv", folder / f"{name}.jsonl"
    if csv_path.exists():
        with open(csv_path, encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f)
            header = next(reader)
            raw = [
                {h: (c if c != "" else None) for h, c in zip(header, row, strict=True)}
                for row in reader
            ]
    elif jsonl_path.exists():
        raw = [json.loads(line) for line in jsonl_path.read_text("utf-8").splitlines() if line.strip()]
        header = list(raw[0].keys()) if raw else []
        for r in raw:
            if list(r.keys()) != header:
                raise ValueError(f"{name}: rows with differing columns")
    else:
        raise FileNotFoundError(f"{name}: neither {csv_path} nor {jsonl_path}")
    types = dict(CONTRACT[name])
    rows = []
    for i, r in enumerate(raw, 2):
        rows.append({
            k: _convert(v, types.get(k, "string"), f"{name} row {i} column {k}")
            for k, v in r.items()
        })
    return header, rows


# ---------------------------------------------------------------- helpers

def empty(v) -> bool:
    return v is None or (isinstance(v, str) and v.strip() == "")


def add_months(d: date, n: int) -> date:
    m = d.month - 1 + n
    y, m = d.year + m // 12, m % 12 + 1
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def add_years(d: date, n: int) -> date:
    return add_months(d, 12 * n)


def elfproef(s: str) -> bool:
    if len(s) != 9 or not all(c in "0123456789" for c in s):
        return False
    total = sum((9 - i) * int(s[i]) for i in range(8)) - int(s[8])
    return total % 11 == 0


# ---------------------------------------------------------------- the rules

def evaluate(folder: Path, A: date) -> dict[str, list[dict]]:
    headers, data = {}, {}
    for name in CONTRACT:
        headers[name], data[name] = load(folder, name)
        key = CONTRACT[name][0][0]
        keys = [r[key] for r in data[name]]
        assert len(keys) == len(set(keys)), f"{name}: duplicate keys"
        expected_cols = [c for c, _ in CONTRACT[name]]
        got = headers[name]
        if name == "clients":
            assert got[: len(expected_cols)] == expected_cols, f"{name}: columns {got}"
        else:
            assert got == expected_cols, f"{name}: columns {got}"

    clients, traj, contacts = data["clients"], data["trajectories"], data["contacts"]
    records, users, caseload = data["records"], data["users"], data["caseload"]
    parties, discl, consents = data["parties"], data["disclosures"], data["consents"]
    requests, objections = data["requests"], data["objections"]
    marketing, log, complaints = data["marketing"], data["access_log"], data["complaints"]
    user_by = {u["user_id"]: u for u in users}
    party_by = {p["party_id"]: p for p in parties}

    out: dict[str, list[dict]] = {}

    def flag(rule, dataset, rows, cond):
        key = CONTRACT[dataset][0][0]
        out[rule] = sorted(({key: r[key]} for r in rows if cond(r)), key=lambda k: k[key])

    contract_clients = [c for c, _ in CONTRACT["clients"]]
    out["1.1-unlisted-data-category"] = sorted(
        ({"column": c} for c in headers["clients"] if c not in contract_clients),
        key=lambda k: k["column"],
    )

    allowed = {"reintegration", "participation", "administration", "legal_obligation", "marketing"}
    flag("3.2-purpose-not-allowed", "access_log", log,
         lambda e: empty(e["purpose"]) or e["purpose"] not in allowed)

    flag("4.2-invalid-bsn", "clients", clients,
         lambda c: not empty(c["bsn"]) and not elfproef(c["bsn"]))
    flag("4.2-incomplete-client", "clients", clients,
         lambda c: empty(c["name"]) or c["birth_date"] is None or empty(c["bsn"]))
    hundred = add_years(A, -100)
    flag("4.2-implausible-birth-date", "clients", clients,
         lambda c: c["birth_date"] is not None
         and (c["birth_date"] > c["registered_at"] or c["birth_date"] < hundred))
    with_traj = {t["client_id"] for t in traj}
    flag("4.3-no-processing-basis", "clients", clients, lambda c: c["client_id"] not in with_traj)

    flag("4.4-special-data-not-informed", "records", records,
         lambda r: r["category"] == "special"
         and (r["subject_informed_at"] is None or r["subject_informed_at"] > r["created_at"]))

    def user_of(e):
        return user_by.get(e["actor_id"]) if e["actor_kind"] == "user" else None

    flag("5.1-unknown-actor", "access_log", log,
         lambda e: (e["actor_kind"] == "user" and e["actor_id"] not in user_by)
         or (e["actor_kind"] == "party" and e["actor_id"] not in party_by))

    def outside(e):
        u, d = user_of(e), e["ts"].date()
        return u is not None and (
            d < u["authorized_from"]
            or (u["authorized_until"] is not None and d > u["authorized_until"]))
    flag("5.1-outside-authorisation", "access_log", log, outside)

    def no_need(e):
        u, d = user_of(e), e["ts"].date()
        if u is None or u["role"] not in ("jobcoach", "advisor", "intern"):
            return False
        return not any(
            a["user_id"] == e["actor_id"] and a["client_id"] == e["client_id"]
            and a["assigned_from"] <= d
            and (a["assigned_until"] is None or d <= a["assigned_until"])
            for a in caseload)
    flag("5.1-no-need-to-know", "access_log", log, no_need)

    flag("5.1-special-data-without-clearance", "access_log", log,
         lambda e: user_of(e) is not None and e["data_category"] == "special"
         and user_of(e)["special_data_access"] is False)

    flag("5.2-no-confidentiality-statement", "access_log", log,
         lambda e: user_of(e) is not None
         and (user_of(e)["confidentiality_signed_at"] is None
              or user_of(e)["confidentiality_signed_at"] > e["ts"].date()))

    def party_bad(e):
        if e["actor_kind"] != "party" or e["actor_id"] not in party_by:
            return False
        p = party_by[e["actor_id"]]
        return (p["agreement_signed_at"] is None or p["agreement_signed_at"] > e["ts"].date()
                or p["confidentiality"] is False)
    flag("5.3-third-party-without-agreement", "access_log", log, party_bad)

    flag("7.1-disclosure-without-basis", "disclosures", discl, lambda d: empty(d["basis"]))

    def consent_missing(d):
        if d["basis"] != "consent":
            return False
        day = d["disclosed_at"].date()
        return not any(
            c["client_id"] == d["client_id"] and c["purpose"] == "disclosure"
            and (c["party_id"] is None or c["party_id"] == d["party_id"])
            and c["given_at"] <= day
            and (c["withdrawn_at"] is None or c["withdrawn_at"] > day)
            for c in consents)
    flag("7.1-consent-missing", "disclosures", discl, consent_missing)

    flag("7.1-legal-ground-missing", "disclosures", discl,
         lambda d: d["basis"] == "legal_obligation" and empty(d["legal_ground"]))

    flag("7.2-special-data-to-commissioner", "disclosures", discl,
         lambda d: d["party_id"] in party_by and party_by[d["party_id"]]["kind"] == "commissioner"
         and "special" in (d["categories"] or []))

    def not_assigned(d):
        if d["basis"] != "reintegration_agreement":
            return False
        day = d["disclosed_at"].date()
        return not any(
            t["client_id"] == d["client_id"] and t["commissioner_id"] == d["party_id"]
            and t["start_date"] <= day and (t["end_date"] is None or day <= t["end_date"])
            for t in traj)
    flag("7.2-commissioner-not-assigned", "disclosures", discl, not_assigned)

    def late(decided, term):
        return (decided is not None and decided > term) or (decided is None and A > term)

    flag("8.1-access-request-late", "requests", requests,
         lambda q: q["type"] == "access" and late(q["decided_at"], add_months(q["received_at"], 1)))

    # Read as: type = access AND decision in (granted, partial) AND
    #          (identity_verified false OR (representative AND mandate_verified not true)).
    flag("8.2-identity-not-verified", "requests", requests,
         lambda q: q["type"] == "access" and q["decision"] in ("granted", "partial")
         and (q["identity_verified"] is False
              or (q["requester"] == "representative" and q["mandate_verified"] is not True)))

    ninex = ("supplement", "correction", "deletion", "restriction")
    flag("9.2-collector-not-heard", "requests", requests,
         lambda q: q["type"] in ninex and q["decided_at"] is not None
         and (q["collector_heard_at"] is None or q["collector_heard_at"] > q["decided_at"]))
    flag("9.3-decision-late", "requests", requests,
         lambda q: q["type"] in ninex
         and late(q["decided_at"], q["received_at"] + timedelta(weeks=4)))
    flag("9.3-refusal-without-reasons", "requests", requests,
         lambda q: q["decision"] == "refused" and empty(q["decision_reason"]))
    flag("9.3-decision-not-in-writing", "requests", requests,
         lambda q: q["decided_at"] is not None and q["decision_in_writing"] is not True)

    flag("9.4-deleted-within-legal-retention", "records", records,
         lambda r: r["category"] == "fiscal" and r["deleted_at"] is not None
         and r["deleted_at"] < add_years(r["created_at"], 7))

    flag("9.5-decision-not-executed", "requests", requests,
         lambda q: q["type"] in ninex and q["decision"] in ("granted", "partial")
         and q["decided_at"] is not None
         and late(q["executed_at"], q["decided_at"] + timedelta(days=14)))

    flag("9.6-deletion-without-statement", "requests", requests,
         lambda q: q["type"] == "deletion" and q["decision"] in ("granted", "partial")
         and q["executed_at"] is not None
         and not any(r["client_id"] == q["client_id"] and r["category"] == "deletion_statement"
                     and r["created_at"] >= q["executed_at"] for r in records))

    flag("10.1-marketing-without-consent", "marketing", marketing,
         lambda m: not any(
             c["client_id"] == m["client_id"] and c["purpose"] == "marketing"
             and c["explicit"] is True and c["given_at"] <= m["sent_at"].date()
             and (c["withdrawn_at"] is None or c["withdrawn_at"] > m["sent_at"].date())
             for c in consents))
    flag("10.2-marketing-after-objection", "marketing", marketing,
         lambda m: any(o["client_id"] == m["client_id"] and o["objected_at"] < m["sent_at"].date()
                       for o in objections))

    def last_contact(c):
        dates = [k["contact_date"] for k in contacts if k["client_id"] == c["client_id"]]
        return max(dates) if dates else c["registered_at"]
    flag("11.2-retention-after-last-contact", "clients", clients,
         lambda c: add_years(last_contact(c), 2) < A)

    def guidance_over(r):
        if r["category"] not in ("general", "special") or r["deleted_at"] is not None:
            return False
        ends = [t["end_date"] for t in traj if t["client_id"] == r["client_id"]]
        if not ends or any(e is None for e in ends):
            return False
        return add_years(max(ends), 2) < A
    flag("11.3-retention-after-guidance", "records", records, guidance_over)
    flag("11.3-fiscal-retention-exceeded", "records", records,
         lambda r: r["category"] == "fiscal" and r["deleted_at"] is None
         and add_years(r["created_at"], 7) < A)

    flag("12.1-complaint-not-handled", "complaints", complaints,
         lambda k: late(k["handled_at"], k["received_at"] + timedelta(weeks=6)))

    assert len(out) == 33, sorted(out)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT / "datasets" / "sample")
    ap.add_argument("--expected", type=Path, default=HERE / "sample_findings.json")
    ap.add_argument("--as-of", default=None)
    args = ap.parse_args(argv)

    expected = json.loads(args.expected.read_text("utf-8"))
    A = date.fromisoformat(args.as_of or expected["as_of"])
    got = evaluate(args.data, A)
    want = expected["findings"]

    diffs = 0
    for rule in sorted(set(got) | set(want)):
        g = [json.dumps(k, sort_keys=True) for k in got.get(rule, [])]
        w = [json.dumps(k, sort_keys=True) for k in want.get(rule, [])]
        if rule not in want:
            print(f"{rule}: missing from expected"); diffs += 1; continue
        if rule not in got:
            print(f"{rule}: not a catalogue rule"); diffs += 1; continue
        if w != sorted(w, key=lambda s: list(json.loads(s).values())):
            print(f"{rule}: expected list not sorted by key"); diffs += 1
        for k in sorted(set(g) - set(w)):
            print(f"{rule}: computed but not expected {k}"); diffs += 1
        for k in sorted(set(w) - set(g)):
            print(f"{rule}: expected but not computed {k}"); diffs += 1
        if not w:
            print(f"{rule}: no finding planted"); diffs += 1
    total = sum(len(v) for v in got.values())
    print(f"{len(got)} rules, {total} findings computed; {diffs} difference(s)")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
