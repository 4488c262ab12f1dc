"""Benchmark: why the compiler turns `no … where …` into an ANTI JOIN.

    .venv/bin/python benchmarks/bench_sql_shapes.py [--clients 5000] [--events-per-client 400]

The same question — 5.1-no-need-to-know, access without a caseload assignment — as a
correlated NOT EXISTS and as an ANTI JOIN with the date range in the join condition,
both written by hand, next to what the compiler emits. Prints seconds and ratios
against the hand-written ANTI JOIN; no assertion on time.
"""

from __future__ import annotations

import argparse

import duckdb

from bench_engines import export_dir, timed
from reglement.checker.audit import needed_datasets
from reglement.checker.engine import DuckDBEngine
from reglement.checker.loader import load_export
from reglement.cli import default_pack
from reglement.compiler.stages import load_pack
from reglement.datasets import contract
from reglement.datasets.generate import AS_OF

COMMON = """
    SELECT a.event_id FROM access_log a
    WHERE a.actor_kind = 'user'
      AND EXISTS (SELECT 1 FROM users u WHERE u.user_id = a.actor_id AND u.role IN ('jobcoach', 'advisor', 'intern'))
"""
RANGE = """c.user_id = a.actor_id AND c.client_id = a.client_id AND c.assigned_from <= CAST(a.ts AS DATE)
           AND (c.assigned_until IS NULL OR CAST(a.ts AS DATE) <= c.assigned_until)"""
SHAPES = {
    "hand-written NOT EXISTS": COMMON + f"AND NOT EXISTS (SELECT 1 FROM caseload c WHERE {RANGE}) ORDER BY 1",
    "hand-written ANTI JOIN": f"""
        SELECT a.event_id FROM access_log a
        SEMI JOIN users u ON u.user_id = a.actor_id AND u.role IN ('jobcoach', 'advisor', 'intern')
        ANTI JOIN caseload c ON {RANGE}
        WHERE a.actor_kind = 'user' ORDER BY 1""",
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=5000)
    parser.add_argument("--events-per-client", type=int, default=400)
    args = parser.parse_args(argv)
    folder = export_dir(None, args.clients, args.events_per_client)
    pack = load_pack(default_pack())
    con = duckdb.connect()
    export = load_export(con, folder, needed_datasets(pack))
    rule = pack.rule("5.1-no-need-to-know")
    compiled = DuckDBEngine(con, contract()).sql(rule, rule.values({}, AS_OF))
    shapes = {**SHAPES, "compiled by reglement": compiled}
    print(f"{export.datasets['access_log'].rows:,} access-log rows; 5.1-no-need-to-know, best of 3\n")
    seconds, answers = {}, {}
    for name, sql in shapes.items():
        seconds[name], rows = timed(lambda: con.execute(sql).fetchall(), repeat=3)
        answers[name] = [row[0] for row in rows]
    baseline = seconds["hand-written ANTI JOIN"]
    for name in shapes:
        same = "same rows" if answers[name] == answers["hand-written ANTI JOIN"] else "DIFFERENT ROWS"
        print(f"{name:<26} {seconds[name]:7.3f} s   × {seconds[name] / baseline:4.2f}   {same}")
    con.close()


if __name__ == "__main__":
    main()
