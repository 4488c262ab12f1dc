"""Property: on any export the contract admits, DuckDB and pandas flag the same rows.

Hypothesis writes small exports in which joins hit (ids come from small shared pools,
with look-alikes such as `C1 ` and `c1`), dates sit on the boundaries the rules test
(one month, 28 and 42 days, 2, 7 and 100 years around the audit date; 29 Feb, 31 Jan),
strings are blank, white space or a case variant of the value a rule asks for, and
any nullable column may be null. Each export goes through `api`'s in-memory path to
both engines; every rule of the pack must give the same complete findings.

The rules are grouped by the dataset they check (the contract rules, which check every
dataset, form a group of their own), one test per group (eight). Each group runs a fifth
of the active Hypothesis profile's examples (`tests/conftest.py`: `dev` 200, `ci` 1000),
at least 40: 320 examples locally, 1,600 under CI, where one example (an export of up to
fourteen datasets, every rule of the group on both engines over one intake) takes 0.1 to
0.35 s, most of it the pandas engine.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import cache
from pathlib import Path

import pandas as pd
import pytest
from engine_pair import both
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reglement.compiler.stages import load_pack
from reglement.datasets import contract

ROOT = Path(__file__).resolve().parent.parent
PACK = load_pack(ROOT / "rules" / "westendorp")
AUDIT_DATES = [dt.date(2026, 11, 28), dt.date(2024, 2, 29), dt.date(2025, 1, 31), dt.date(2026, 3, 31)]
ANCHORS = [dt.date(2016, 2, 29), dt.date(2023, 2, 28), dt.date(2024, 1, 31), dt.date(2024, 2, 29),
           dt.date(2024, 3, 1), dt.date(2025, 1, 31), dt.date(2025, 2, 28)]
DAY_OFFSETS = [0, 1, -1, -13, -14, -15, -27, -28, -29, -41, -42, -43]
YEAR_OFFSETS = [-1, -2, -7, -100]

CLIENTS, USERS, PARTIES = ["C1", "C2", "C1 ", "c1"], ["U1", "U2", "u1"], ["P1", "P2", "p1"]
KEYS = ["K1", "K2", "K3", "K4", "K5", "K6", "K1 ", "k1"]
WORDS = {  # per column: the values the rules test for, their case and white-space variants
    ("access_log", "actor_id"): USERS + PARTIES + ["X1"],
    ("access_log", "actor_kind"): ["user", "party", "User", " party"],
    ("access_log", "data_category"): ["general", "special", "Special"],
    ("access_log", "purpose"): ["", "  ", "\t", "reintegration", "Reintegration", " participation", "participation",
                                "administration", "legal_obligation", "marketing", "audit"],
    ("users", "role"): ["jobcoach", "advisor", "intern", "Jobcoach", "administration"],
    ("parties", "kind"): ["commissioner", "processor", "third_party", "Commissioner"],
    ("disclosures", "basis"): ["", " ", "consent", " consent", "Consent", "legal_obligation",
                               "reintegration_agreement", "Reintegration_agreement"],
    ("disclosures", "legal_ground"): ["", " ", "art. 10"],
    ("consents", "purpose"): ["disclosure", "marketing", "Marketing", " disclosure"],
    ("records", "category"): ["general", "special", "fiscal", "deletion_statement", "Fiscal", "Special", "General"],
    ("requests", "type"): ["access", "supplement", "correction", "deletion", "restriction", "Access", " deletion"],
    ("requests", "requester"): ["subject", "representative", "Representative"],
    ("requests", "decision"): ["granted", "partial", "refused", "Granted"],
    ("requests", "decision_reason"): ["", "  ", "reason"],
    ("clients", "bsn"): ["", "  ", "123456782", "012345672", "123456789", "12345678", " 123456782", "12345678a",
                         "１２３４５６７８２", "000000000", "123456782\n"],
    ("marketing", "purpose"): ["commercial", "charitable"],
}
IDS = {"client_id": CLIENTS, "user_id": USERS, "created_by": USERS, "party_id": PARTIES,
       "commissioner_id": PARTIES}
CATEGORIES = ["general", "special", "Special", " special", ""]
TEXT = ["", "  ", "\t\n", "Ann", "Ëlco", "a"]
TIMES = [dt.time(0, 0, 0), dt.time(0, 0, 1), dt.time(12, 0), dt.time(23, 59, 59)]


@cache
def date_pool(as_of: dt.date) -> list[dt.date]:
    """Dates on and beside every boundary the rules draw around the audit date."""
    near = [as_of + dt.timedelta(days=d) for d in DAY_OFFSETS]
    months = [(pd.Timestamp(as_of) - pd.DateOffset(months=1)).date()]
    years = [(pd.Timestamp(as_of) + pd.DateOffset(years=y)).date() for y in YEAR_OFFSETS]
    around = [d + dt.timedelta(days=k) for d in months + years for k in (-1, 0, 1)]
    later = [a + dt.timedelta(days=d) for a in ANCHORS for d in (0, 14, 28, 42)]
    return sorted(set(near + around + ANCHORS + later))


def value(dataset: str, column, as_of: dt.date) -> st.SearchStrategy:
    """Values for one column: its pool, or one by type; null when the contract allows it."""
    if column.type == "date":
        base = st.sampled_from(date_pool(as_of))
    elif column.type == "timestamp":
        base = st.builds(dt.datetime.combine, st.sampled_from(date_pool(as_of)), st.sampled_from(TIMES))
    elif column.type == "bool":
        base = st.booleans()
    elif column.type == "list<string>":
        base = st.lists(st.sampled_from(CATEGORIES), max_size=3)
    elif (dataset, column.name) in WORDS:
        base = st.sampled_from(WORDS[(dataset, column.name)])
        if column.name == "bsn":
            base = base | st.text(alphabet="0123456789 a", max_size=10)
    elif column.name in IDS:
        base = st.sampled_from(IDS[column.name])
    else:
        base = st.sampled_from(TEXT if column.personal else ["a", "b", " a", "A"])
    return st.none() | base if column.nullable else base


def rows(name: str, as_of: dt.date) -> st.SearchStrategy:
    dataset = contract()[name]
    key = dataset.keys[0]
    keys = st.sampled_from(IDS.get(key, KEYS) if name in ("clients", "users", "parties") else KEYS)
    row = st.fixed_dictionaries({c.name: keys if c.name == key else value(name, c, as_of) for c in dataset.columns})
    return st.lists(row, max_size=6, unique_by=lambda r: r[key])


@st.composite
def exports(draw, names: tuple[str, ...]) -> tuple[dt.date, dict[str, pd.DataFrame]]:
    as_of = draw(st.sampled_from(AUDIT_DATES))
    frames = {}
    for name in names:
        columns = list(contract()[name].column_names)
        found = draw(rows(name, as_of))
        if draw(st.booleans()):  # rule 1.1: a column beyond the contract, in any dataset
            extra = "religion" if name == "clients" else "notes"
            columns.append(extra)
            found = [r | {extra: draw(st.sampled_from([None, "x"]))} for r in found]
        frames[name] = pd.DataFrame(found, columns=columns, dtype=object)
    return as_of, frames


def _groups() -> dict[str, list]:
    by_dataset = defaultdict(list)
    for rule in PACK.rules:
        by_dataset[rule.dataset or "contract"].append(rule)
    return dict(by_dataset)


GROUPS = _groups()
PER_GROUP = max(40, settings.default.max_examples // 5)


def overrides(rules) -> st.SearchStrategy:
    """Whole-number parameters at their default or on a small boundary (0, 1, 13)."""
    params = {p.name: st.sampled_from(sorted({p.default, 1, 13} | ({0} if p.minimum == 0 else set())))
              for rule in rules for p in rule.params if isinstance(p.default, int) and not isinstance(p.default, bool)}
    return st.fixed_dictionaries(params)


@pytest.mark.parametrize("dataset", sorted(GROUPS))
@settings(max_examples=PER_GROUP, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_engines_agree_on_every_rule(dataset, data):
    rules = GROUPS[dataset]
    names = tuple(dict.fromkeys(d for rule in rules for d in rule.datasets if d in PACK.contract))
    as_of, frames = data.draw(exports(names), label="export")
    params = data.draw(overrides(rules), label="params")
    duck, pandas = both(PACK, frames, as_of, rules, params)
    for rule in rules:
        assert pandas[rule.id] == duck[rule.id], rule.id
