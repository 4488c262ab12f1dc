"""`reglement explain`: the rule as written, its IR, SQL in three dialects, the pandas plan,
and a row-level account that never shows a personal value."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pytest
import sqlglot

from reglement.checker import engines
from reglement.checker.audit import Settings, opened
from reglement.checker.backends import pandas_eval
from reglement.checker.backends.pandas import PandasBackend
from reglement.checker.backends.pandas_eval import PandasEvaluator, bound, frame_column
from reglement.checker.backends.pandas_steps import Steps
from reglement.checker.intake import folder_sources
from reglement.cli import main
from reglement.compiler import ir
from reglement.compiler.stages import load_pack
from reglement.explain import UnknownRule, explain, pandas_plan

ROOT = Path(__file__).resolve().parent.parent
PACK = load_pack(ROOT / "rules" / "westendorp")
SAMPLE = ROOT / "datasets" / "sample"
AS_OF = dt.date(2026, 11, 28)


def section(text: str, title: str) -> str:
    """The body of one `── title ───` section of explain's output."""
    body = text.split(f"── {title} ", 1)[1].split("\n", 1)[1]
    return body.split("\n── ", 1)[0]


RULE = "5.3-third-party-no-need-to-know"  # a scope, a key lookup and a sub-query over a period


def test_explain_shows_rule_ir_sql_and_plan():
    text = explain(PACK, RULE, as_of=AS_OF)
    written = section(text, "rule, as written")
    assert "no trajectories where client_id = access_log.client_id" in written
    assert "scope: actor_kind = 'party' and exists parties where party_id = access_log.actor_id" in written
    assert "let day: date(ts)" in written
    tree = section(text, "typed IR")
    assert "    no trajectories as t3 : bool" in tree
    assert "column t0.actor_kind : string  (access_log)" in tree
    assert "column t3.end_date : date  (trajectories)" in tree
    assert 'ANTI JOIN "trajectories" AS t3' in section(text, "SQL (duckdb)")
    plan = section(text, "pandas plan")
    assert "merge" in plan and "t3.commissioner_id" in plan


def test_pandas_plan_of_a_sub_query_names_its_merge_keys_and_its_residual():
    plan = section(explain(PACK, RULE, as_of=AS_OF), "pandas plan").splitlines()
    assert plan[0] == "t0 = frames['access_log'].add_prefix('t0.')"
    at = plan.index("# S3: no trajectories as t3")
    body = plan[at + 1:plan.index("S3 = ~g3.isin(m3['__oid'])")]
    assert body[0].startswith("    g3, o3 = distinct_rows(t0, ['t0.actor_id', 't0.client_id', 't0.ts'])")
    assert "    m3 = o3.merge(t3, left_on=[t0.client_id, t0.actor_id], right_on=[t3.client_id, t3.commissioner_id])" \
           "  # null keys dropped first" in body
    residual = "\n".join(line for line in body if line.startswith(("    v", "    m3 = m3[")))
    assert "(t3.start_date <= date(t0.ts) & both notna)" in residual
    assert "(t3.end_date.isna() | (date(t0.ts) <= t3.end_date & both notna))" in residual
    assert plan[-5:] == ["mask = (((t0.actor_kind == 'party' & both notna) & S1) & (S2 & S3))",
                         "hits = t0[mask.fillna(False)].sort_values(['t0.event_id'], kind='stable')",
                         "hits['actor'] = t0.actor_id  # message value",
                         "hits['day'] = date(t0.ts)  # message value",
                         "hits['client'] = t0.client_id  # message value"]


@pytest.fixture(scope="module")
def sample_frames() -> dict:
    with opened(PACK, folder_sources(SAMPLE, PACK.contract), Settings("pandas")) as run:
        return run.backend.frames


def test_the_pandas_plan_is_what_the_evaluator_records_on_data(sample_frames):
    """explain runs `findings` on zero rows of frames typed from the contract; on the sample export the
    evaluator records the very same steps, for every check: no step is taken for rows that zero rows skip."""
    for rule in PACK.rules:
        bindings = rule.bind({}, AS_OF)
        for check in rule.checks:
            empty = PandasBackend.empty(PACK.contract, check.datasets).frames
            assert all(empty[d].dtypes.equals(sample_frames[d].dtypes) for d in check.datasets)
            steps = Steps()
            on_data = PandasBackend(sample_frames).findings(check, bindings, steps)
            assert "\n".join(steps.lines) == pandas_plan(PACK, check, bindings), rule.id
            assert on_data.equals(PandasBackend(sample_frames).findings(check, bindings))  # recording changes nothing


def test_the_pandas_plan_follows_the_evaluator(monkeypatch, sample_frames):
    """Let the evaluator see no outer binding when it splits a `where`: it merges on no key, and its plan says so."""
    check = PACK.rule(RULE).checks[0]
    bindings = PACK.rule(RULE).bind({}, AS_OF)
    found = PandasBackend(sample_frames).findings(check, bindings)
    split = pandas_eval.split_where
    monkeypatch.setattr(pandas_eval, "split_where", lambda binding, where, outer: split(binding, where, set()))
    plan = pandas_plan(PACK, check, bindings)
    assert "    m3 = o3.merge(t3, how='cross')" in plan.splitlines() and "left_on" not in plan
    assert "(t3.commissioner_id == t0.actor_id & both notna)" in plan  # the key, now tested on the merged rows
    assert PandasBackend(sample_frames).findings(check, bindings).equals(found)  # slower, as right


SQL_ENGINES = [name for name in engines.names() if engines.get(name).dialect() is not None]


def test_every_engine_but_pandas_runs_sql():
    assert SQL_ENGINES == ["duckdb", "spark", "postgres"]


@pytest.mark.parametrize("engine", SQL_ENGINES)
@pytest.mark.parametrize("rule_id", [r.id for r in PACK.rules])
def test_sql_of_every_engine_parses_back(rule_id, engine):
    sql = section(explain(PACK, rule_id, engine, as_of=AS_OF), f"SQL ({engine})")
    assert sqlglot.parse_one(sql, read=engine) is not None


def test_pandas_shows_its_plan_and_no_sql():
    text = explain(PACK, RULE, "pandas", as_of=AS_OF)
    assert "SQL (" not in text and "the fused query" not in text and "pandas plan" in text


def test_flagged_row_shows_which_sub_conditions_held():
    text = explain(PACK, RULE, as_of=AS_OF, data_dir=SAMPLE, key="event_id=E0104")
    row = section(text, "row event_id=E0104")
    assert "event_id = E0104: FLAGGED by both engines" in row
    assert " ✓ in the rule's population (scope)" in row
    assert " ✓       exists parties as t2 : bool   — 1 matching row of parties" in row
    assert " ✓       no trajectories as t3 : bool   — 0 matching rows of trajectories" in row


def test_row_that_is_not_flagged():
    text = explain(PACK, RULE, as_of=AS_OF, data_dir=SAMPLE, key="event_id=E0105")
    row = section(text, "row event_id=E0105")
    assert "not flagged by either engine" in row
    assert " ✗       no trajectories as t3 : bool   — 1 matching row of trajectories" in row


def _explanations(text: str) -> dict[str, bool]:
    """The explanations `explain --key` lists for a row: id → held."""
    found = re.findall(r"^ ([✓✗])   ([a-z]+) — ", text, re.M)
    return {name: mark == "✓" for mark, name in found}


def test_a_row_shows_which_explanations_held_and_that_none_did_for_a_finding():
    """E0008 is unexplained in the sample; E0001 is explained by its caseload only."""
    rule = "5.1-access-unexplained"
    ids = [e.id for e in PACK.rule(rule).checks[0].explanations]
    flagged = section(explain(PACK, rule, as_of=AS_OF, data_dir=SAMPLE, key="event_id=E0008"), "row event_id=E0008")
    assert "FLAGGED by both engines" in flagged
    assert _explanations(flagged) == dict.fromkeys(ids, False)
    explained = section(explain(PACK, rule, as_of=AS_OF, data_dir=SAMPLE, key="event_id=E0001"),
                        "row event_id=E0001")
    assert "not flagged by either engine" in explained and "DISAGREE" not in explained
    assert _explanations(explained) == {**dict.fromkeys(ids, False), "caseload": True}


def test_a_row_outside_the_population_says_so():
    text = explain(PACK, RULE, as_of=AS_OF, data_dir=SAMPLE, key="event_id=E0001")  # a user's event, not a party's
    assert " ✗ in the rule's population (scope)" in section(text, "row event_id=E0001")


def test_row_explanation_never_shows_personal_values():
    with (SAMPLE / "clients.csv").open(encoding="utf-8") as f:
        clients = {r["client_id"]: r for r in csv.DictReader(f)}
    for rule_id, client in [("4.2-invalid-bsn", "C005"), ("4.2-incomplete-client", "C012"),
                            ("4.2-implausible-birth-date", "C013")]:
        text = explain(PACK, rule_id, as_of=AS_OF, data_dir=SAMPLE, key=f"client_id={client}")
        assert "‹personal›" in text
        for column in ("name", "bsn", "birth_date", "address", "phone"):
            value = clients[client][column].strip()
            if value:
                assert value not in text, f"{rule_id} shows {column}"
    text = explain(PACK, "11.2-retention-after-last-contact", as_of=AS_OF, data_dir=SAMPLE, key="client_id=C001")
    assert "column t0.registered_at : date  (clients) = 2025-08-25" in text  # dates that are not personal do show


def test_unknown_rule_suggests_the_closest_id():
    with pytest.raises(UnknownRule, match=r"did you mean '5\.1-access-unexplained'"):
        explain(PACK, "5.1-access-unexplaind", as_of=AS_OF)


def _cli(argv: list[str]) -> int:
    return main(argv)


def test_cli_explain(capsys):
    assert _cli(["explain", "9.3-decision-late", "--dialect", "spark", "--as-of", "2026-11-28"]) == 0
    assert "── SQL (spark)" in capsys.readouterr().out
    assert _cli(["explain", "9.3-decision-lat", "--rules", str(ROOT / "rules" / "westendorp")]) == 2
    assert "did you mean '9.3-decision-late'" in capsys.readouterr().err
    assert _cli(["explain", "9.3-decision-late", "--key", "request_id=RQ001"]) == 2
    assert _cli(["explain", "9.3-decision-late", "--data", str(SAMPLE), "--key", "client_id=C001"]) == 2
    assert "--key must be request_id=VALUE" in capsys.readouterr().err
    assert _cli(["explain", "9.3-decision-late", "--data", str(SAMPLE), "--key", "request_id=RQ999"]) == 2
    assert "no row of requests" in capsys.readouterr().err


def test_sub_queries_made_and_dropped_one_after_another_are_each_answered_for_themselves():
    """explain counts each sub-query's matching rows with a count made for it and dropped after; a new
    one may take the address of the last, and must not be answered from the last one's cached result."""
    rule = next(r for r in PACK.rules if r.id == RULE)
    check = rule.checks[0]
    subqueries = [n for n in ir.walk(check.condition) if isinstance(n, ir.Exists)]
    with opened(PACK, folder_sources(SAMPLE, PACK.contract), Settings("pandas")) as run:
        frames = run.backend.frames
    frame = bound(frames[check.dataset], "t0")
    row = frame[(frame[frame_column("t0", "event_id")] == "E0104").to_numpy(dtype=bool)]
    evaluator = PandasEvaluator(frames, rule.bind({}, AS_OF), {}, row)

    def count(node: ir.Exists) -> int:
        made = ir.Aggregate(node.span, "count", None, node.source, node.where, type=ir.NUMBER)
        return int(evaluator.eval(made, row).iloc[0])

    alone = [count(node) for node in subqueries]
    assert sorted(alone) == [0, 1, 1]  # the party is found for E0104 (twice: known, a commissioner), no trajectory
    assert [count(node) for _ in range(50) for node in subqueries] == alone * 50


def test_an_amount_computed_from_parameters_is_shown_as_written_and_run_as_its_number(tmp_path):
    from conftest import rule_file, write_pack

    condition = "received_at + ($a + $b * 2) months < $audit_date"
    pack = load_pack(write_pack(tmp_path / "pack", rule_file(
        condition, params="{a: {default: 1, max: 100}, b: {default: 2, max: 100}}")))
    text = explain(pack, "1.1-test-rule", as_of=AS_OF)
    assert f"    {condition}" in section(text, "rule, as written")
    assert "duration ($a + $b * 2) months" in section(text, "typed IR")
    assert "INTERVAL 5 MONTH" in section(text, "SQL (duckdb)")
    assert "DateOffset(months=5)" in section(text, "pandas plan")
