"""Benchmark: why the compiler turns `no … where …` into an ANTI JOIN, and what else the question could be.

    python benchmarks/bench_sql_shapes.py [--clients 5000] [--events-per-client 400] [--out DIR]

The same question — 5.1-no-need-to-know, a case worker's access without a caseload
assignment that covers the day — written by hand as a correlated NOT EXISTS, as an
ANTI JOIN with the date range in the join condition, and as a LEFT JOIN to the
assignments of each (user, client) gathered in a list (the shape of `handwritten.sql`),
next to what the compiler emits today. All run over the relations of reglement's own
intake (`opened`), so only the shape differs. Prints seconds (best of 3), the ratio to
the ANTI JOIN and whether the rows agree; it asserts nothing about time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

from export import AS_OF, Size, ensure_export, reglement_command
from reglement.checker.audit import opened
from reglement.compiler.stages import load_pack
from reglement.rules import default_pack

RULE = "5.1-no-need-to-know"
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
BASELINE = "hand-written ANTI JOIN"


def best_of(con, sql: str, repeat: int = 3) -> tuple[float, list[str]]:
    """Best wall time of `repeat` runs of `sql`, and the first column of its rows."""
    best, rows = float("inf"), []
    for _ in range(repeat):
        clock = time.perf_counter()
        rows = con.execute(sql).fetchall()
        best = min(best, time.perf_counter() - clock)
    return best, [row[0] for row in rows]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=5000)
    parser.add_argument("--events-per-client", type=int, default=400)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "reglement-bench")
    args = parser.parse_args(argv)
    folder = ensure_export(args.out, Size(args.clients, args.events_per_client), reglement_command())
    pack = load_pack(default_pack())
    rule = pack.rule(RULE)
    with opened(pack, folder) as run:
        compiled = run.backend.sql(rule.checks[0], rule.bind({}, dt.date.fromisoformat(AS_OF)))
        shapes = {**SHAPES, "compiled by reglement": compiled}
        events = run.con.execute("SELECT count(*) FROM access_log").fetchone()[0]
        print(f"{events:,} access-log events; {RULE}, best of 3\n")
        measured = {name: best_of(run.con, sql) for name, sql in shapes.items()}
    baseline_seconds, baseline_rows = measured[BASELINE]
    for name, (seconds, rows) in measured.items():
        same = "same rows" if rows == baseline_rows else "DIFFERENT ROWS"
        print(f"{name:<40} {seconds:7.3f} s   × {seconds / baseline_seconds:4.2f}   {same}")


if __name__ == "__main__":
    main()
