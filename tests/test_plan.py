"""The query plan: fused scans give every rule exactly the findings it gets alone, on every backend.

The planner joins a looked-up row (a user, a party) to the access log once and answers
every check that only looks rows up in one scan. A check with any other sub-query (an
anti join over the caseload) runs alone. Both plans must agree, rule by rule and row by
row, on the sample, on generated exports, and on each backend.
"""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import ROOT, SAMPLE
from engine_pair import both

from reglement.compiler import ir
from reglement.compiler.plan import LARGE, Alone, Scan, large_datasets, members, plan
from reglement.compiler.stages import load_pack
from reglement.datasets.generate import generate

PACK = load_pack(ROOT / "rules" / "westendorp")
AS_OF = dt.date(2026, 11, 28)


def test_the_access_log_checks_that_only_look_rows_up_share_one_scan():
    steps = plan(PACK.rules, PACK.contract)
    scans = {s.dataset: s for s in steps if isinstance(s, Scan)}
    access = scans["access_log"]
    fused = {m.rule for m in access.members}
    assert {"5.1-unknown-actor", "5.1-outside-authorisation", "5.1-special-data-without-clearance",
            "5.2-no-confidentiality-statement", "5.3-third-party-without-agreement", "3.2-purpose-not-allowed",
            "4.4-special-data-without-need", "4.2-unknown-code"} <= fused
    assert {(lk.dataset, lk.key) for lk in access.lookups} == {("users", "user_id"), ("parties", "party_id")}
    alone = {s.rule for s in steps if isinstance(s, Alone) and s.check.dataset == "access_log"}
    assert {"5.1-access-unexplained", "6.1-access-log-gap", "5.3-third-party-no-need-to-know",
            "10.1-marketing-processing-without-consent"} <= alone
    for member in access.members:  # no sub-query is left in a fused member: each became a lookup test
        assert not [n for n in ir.walk(member.check.condition) if isinstance(n, (ir.Exists, ir.Aggregate))]


def test_every_check_of_the_pack_is_answered_exactly_once():
    for kind in ("fused", "plain"):
        answered = [(m.rule, m.index) for step in plan(PACK.rules, PACK.contract, kind) for m in members(step)]
        expected = [(r.id, i) for r in PACK.rules for i in range(len(r.checks))]
        assert sorted(answered) == sorted(expected)
    assert all(isinstance(s, Alone) for s in plan(PACK.rules, PACK.contract, "plain"))


def test_on_a_large_dataset_a_form_test_of_one_column_runs_alone():
    """The vocabulary checks of the access log leave its fused scan once it is large; rules of the
    regulation that test one column (3.2) stay in it, and small datasets keep every check fused."""
    steps = plan(PACK.rules, PACK.contract, large=large_datasets({"access_log": LARGE, "clients": LARGE - 1}, True))
    access = next(s for s in steps if isinstance(s, Scan) and s.dataset == "access_log")
    alone = [s for s in steps if isinstance(s, Alone) and s.rule == "4.2-unknown-code"]
    assert sorted(s.check.fixed["column"] for s in alone if s.check.dataset == "access_log") == [
        "action", "actor_kind", "data_category"]
    assert {s.check.dataset for s in alone} == {"access_log", "parties"}  # parties: no scan to share anyway
    assert "4.2-unknown-code" not in {m.rule for m in access.members}
    assert "3.2-purpose-not-allowed" in {m.rule for m in access.members}
    assert large_datasets({"access_log": 10 * LARGE}, pushdown=False) == frozenset()


def _plans_agree(data) -> None:
    duck_fused, pandas_fused = both(PACK, data, AS_OF, plan="fused")
    duck_large, pandas_large = both(PACK, data, AS_OF, plan="fused", large=True)
    duck_plain, pandas_plain = both(PACK, data, AS_OF, plan="plain")
    for rule in PACK.rules:
        assert duck_fused[rule.id] == duck_plain[rule.id] == duck_large[rule.id], rule.id
        assert pandas_fused[rule.id] == pandas_plain[rule.id] == pandas_large[rule.id], rule.id
        assert pandas_fused[rule.id] == duck_fused[rule.id], rule.id


def test_fused_and_plain_plans_agree_on_the_sample_on_both_engines():
    _plans_agree(SAMPLE)


@pytest.mark.parametrize("clients, seed, fmt", [(60, 11, "parquet"), (90, 4, "jsonl")])
def test_fused_and_plain_plans_agree_on_generated_exports_on_both_engines(tmp_path, clients, seed, fmt):
    generate(tmp_path, clients=clients, seed=seed, fmt=fmt)
    _plans_agree(tmp_path)
