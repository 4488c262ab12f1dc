"""Benchmark: the shapes the compiler chose for the access log, against the shapes it did not.

    python benchmarks/bench_sql_shapes.py [--clients 5000] [--events-per-client 400] [--out DIR]

The same question — pack 1.1's 5.1-no-need-to-know, a case worker's access without a
caseload assignment that covers the day (pack 1.2's explanation `caseload`, for the case
workers) — written by hand as a correlated NOT EXISTS, as an ANTI JOIN with the date range
in the join condition, and as a LEFT JOIN to the assignments of each (user, client)
gathered in a list (the shape of `handwritten.sql`), next to what the compiler emits today
for the rule written in the language (`QUESTION`, compiled in a pack of its own). All run
over the relations of reglement's own intake (`opened`), so only the shape differs.

Then the access log's fused scan three ways: as sqlglot's own DuckDB dialect writes it
(`IN (list)`), as reglement writes it (equalities joined by `OR`, `checker/sql_dialects.py`),
and as the planner runs it on a large dataset, with the vocabulary checks alone
(`compiler/plan.py`), each with the queries that answer the same checks.

Prints seconds (best of 3), the ratio to the ANTI JOIN and to sqlglot's fused scan and whether the
rows agree; it asserts nothing about time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

from export import AS_OF, Size, ensure_export, reglement_command

from reglement.checker.audit import opened
from reglement.checker.backends.sql import check_query, scan_query, to_sql
from reglement.checker.intake import folder_sources
from reglement.compiler.plan import Alone, Scan, plan
from reglement.compiler.stages import load_pack
from reglement.rules import default_pack

RULE = "5.1-no-need-to-know"
QUESTION = """\
article: "5"
title: {nl: Toegang, en: Access}
clauses:
  - {clause: "5.1", text: Uitsluitend Gebruikers hebben toegang voor zover noodzakelijk.}
rules:
  - id: 5.1-no-need-to-know
    article: "5.1"
    title: {nl: Toegang zonder toewijzing, en: Access without an assignment}
    severity: high
    dataset: access_log
    let: {day: date(ts)}
    condition: |
      actor_kind = 'user'
      and (exists users where user_id = access_log.actor_id and role in ['jobcoach', 'advisor', 'intern'])
      and no caseload where user_id = access_log.actor_id and client_id = access_log.client_id
                        and assigned_from <= day and (assigned_until is null or day <= assigned_until)
    message: {nl: "{event_id}", en: "{event_id}"}
"""
CASE_WORKER = """a.actor_kind = 'user'
      AND EXISTS (SELECT 1 FROM users u WHERE u.user_id = a.actor_id AND u.role IN ('jobcoach', 'advisor', 'intern'))"""
COVERS = """c.user_id = a.actor_id AND c.client_id = a.client_id AND c.assigned_from <= CAST(a.ts AS DATE)
           AND (c.assigned_until IS NULL OR CAST(a.ts AS DATE) <= c.assigned_until)"""
SHAPES = {
    "hand-written NOT EXISTS": f"""
        SELECT a.event_id FROM access_log a
        WHERE {CASE_WORKER} AND NOT EXISTS (SELECT 1 FROM caseload c WHERE {COVERS}) ORDER BY 1""",
    "hand-written ANTI JOIN": f"""
        SELECT a.event_id FROM access_log a
        SEMI JOIN users u ON u.user_id = a.actor_id AND u.role IN ('jobcoach', 'advisor', 'intern')
        ANTI JOIN caseload c ON {COVERS}
        WHERE a.actor_kind = 'user' ORDER BY 1""",
    "hand-written LEFT JOIN to period lists": """
        WITH periods AS (
            SELECT user_id, client_id,
                   list({'since': assigned_from, 'until': coalesce(assigned_until, DATE '9999-12-31')}) AS periods
            FROM caseload GROUP BY ALL)
        SELECT a.event_id FROM access_log a
        JOIN users u ON u.user_id = a.actor_id AND u.role IN ('jobcoach', 'advisor', 'intern')
        LEFT JOIN periods p ON p.user_id = a.actor_id AND p.client_id = a.client_id
        WHERE a.actor_kind = 'user' AND NOT coalesce(list_bool_or(list_transform(p.periods,
              lambda x: x.since <= CAST(a.ts AS DATE) AND CAST(a.ts AS DATE) <= x.until)), false)
        ORDER BY 1""",
}
BASELINE = "hand-written ANTI JOIN"  # the shape the others are compared with


def best_of(con, sql: str | list[str], repeat: int = 3) -> tuple[float, list]:
    """Best wall time of `repeat` runs of `sql` (one query or several, one after the other, each result
    taken as Arrow), and the first column of their rows in order."""
    queries = [sql] if isinstance(sql, str) else sql
    best, tables = float("inf"), []
    for _ in range(repeat):
        clock = time.perf_counter()
        tables = [con.sql(query).to_arrow_table() for query in queries]  # as the backend takes results
        best = min(best, time.perf_counter() - clock)
    return best, [(key,) for table in tables for key in table.column(0).to_pylist()]


def fused_shapes(pack) -> dict[str, list[str]]:
    """The access log's fused scan, as sqlglot's DuckDB writes it and as reglement does, and the
    large-dataset plan: its fused scan and the checks that then run alone. Each shape finds the events
    that break one of the same checks (compared as a set: the large plan finds some in two queries)."""
    as_of = dt.date.fromisoformat(AS_OF)
    bindings = {rule.id: rule.bind({}, as_of) for rule in pack.rules}

    def access_log_steps(large: frozenset[str]) -> tuple[Scan, list[Alone]]:
        steps = plan(pack.rules, pack.contract, large=large)
        scan = next(s for s in steps if isinstance(s, Scan) and s.dataset == "access_log")
        return scan, [s for s in steps if isinstance(s, Alone) and s.check.dataset == "access_log"]

    fused, _ = access_log_steps(frozenset())
    split, alone = access_log_steps(frozenset({"access_log"}))  # as planned at a million events or more
    out_of_scan = [s for s in alone if (s.rule, s.index) in {(m.rule, m.index) for m in fused.members}]
    query = scan_query(fused, [bindings[m.rule] for m in fused.members])
    return {"fused, IN lists (sqlglot's DuckDB)": [query.sql(dialect="duckdb")],
            "fused, equalities (reglement)": [to_sql(query)],
            "large plan: fused + vocabulary alone": [
                to_sql(scan_query(split, [bindings[m.rule] for m in split.members])),
                *[to_sql(check_query(s.check, bindings[s.rule])) for s in out_of_scan]]}


def report(title: str, measured: dict[str, tuple[float, list]], same: dict[str, bool], baseline: str) -> None:
    """Seconds, the ratio to `baseline`, and whether each shape found what the baseline found."""
    print(title)
    for name, (seconds, _) in measured.items():
        print(f"  {name:<40} {seconds:7.3f} s   × {seconds / measured[baseline][0]:4.2f}   "
              f"{'same rows' if same[name] else 'DIFFERENT ROWS'}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=5000)
    parser.add_argument("--events-per-client", type=int, default=400)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "reglement-bench")
    args = parser.parse_args(argv)
    folder = ensure_export(args.out, Size(args.clients, args.events_per_client), reglement_command())
    pack = load_pack(default_pack())
    question = Path(tempfile.mkdtemp(prefix="reglement-question-"))
    (question / "pack.yaml").write_text('name: question\nversion: "1.1.0"\ncontract: westendorp\n'
                                        'title: {nl: Vraag, en: Question}\n', encoding="utf-8")
    (question / "art-05.yaml").write_text(QUESTION, encoding="utf-8")
    rule = load_pack(question).rule(RULE)
    with opened(pack, folder_sources(folder, pack.contract)) as run:
        compiled = run.backend.sql(rule.checks[0], rule.bind({}, dt.date.fromisoformat(AS_OF)))
        shapes = {**SHAPES, "compiled by reglement": compiled}
        con = run.backend.con  # DuckDB's: the shapes are timed on the audit's own connection
        [(events,)] = con.execute("SELECT count(*) FROM access_log").fetchall()
        print(f"{events:,} access-log events, best of 3\n")
        measured = {name: best_of(con, sql) for name, sql in shapes.items()}
        scans = {name: best_of(con, sql) for name, sql in fused_shapes(pack).items()}
    first = [row[0] for row in measured[BASELINE][1]]
    report(f"{RULE}: the question's shapes", measured,
           {name: [row[0] for row in rows] == first for name, (_, rows) in measured.items()}, BASELINE)
    events_found = {name: {row[0] for row in rows} for name, (_, rows) in scans.items()}
    fused = next(iter(scans))
    report("\nthe access log's fused scan (the events some check flags)", scans,
           {name: found == events_found[fused] for name, found in events_found.items()}, fused)


if __name__ == "__main__":
    main()
