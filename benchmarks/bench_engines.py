"""Benchmark: the whole pack on DuckDB and on pandas, and compiled SQL against hand-written SQL.

    .venv/bin/python benchmarks/bench_engines.py [--clients 2000] [--events-per-client 250] [--out DIR]

Generates a synthetic export once (`reglement.datasets.generate`, Parquet; reused when
its folder exists), loads it, and prints per rule the seconds on each engine, whether
their findings agree, and for a few heavy rules the seconds of a hand-written DuckDB
query. Reports numbers only: there is no assertion on time.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Callable

import duckdb

from reglement.checker.audit import needed_datasets
from reglement.checker.engine import DuckDBEngine
from reglement.checker.loader import load_export
from reglement.checker.pandas_engine import PandasEngine
from reglement.cli import default_pack
from reglement.compiler.stages import load_pack
from reglement.datasets import contract
from reglement.datasets.generate import AS_OF, generate

# The same questions as the compiled rules, written by hand as an analyst would in DuckDB.
HAND_WRITTEN = {
    "5.1-no-need-to-know": """
        SELECT a.event_id, a.actor_id AS actor, CAST(a.ts AS DATE) AS day, a.client_id AS client
        FROM access_log a
        JOIN users u ON u.user_id = a.actor_id AND u.role IN ('jobcoach', 'advisor', 'intern')
        LEFT JOIN caseload c ON c.user_id = a.actor_id AND c.client_id = a.client_id
             AND c.assigned_from <= CAST(a.ts AS DATE)
             AND (c.assigned_until IS NULL OR CAST(a.ts AS DATE) <= c.assigned_until)
        WHERE a.actor_kind = 'user' AND c.assignment_id IS NULL
        ORDER BY a.event_id""",
    "5.1-outside-authorisation": """
        SELECT a.event_id, a.actor_id AS actor, CAST(a.ts AS DATE) AS day, a.client_id AS client
        FROM access_log a JOIN users u ON u.user_id = a.actor_id
        WHERE a.actor_kind = 'user'
          AND (CAST(a.ts AS DATE) < u.authorized_from
               OR u.authorized_until IS NOT NULL AND CAST(a.ts AS DATE) > u.authorized_until)
        ORDER BY a.event_id""",
    "11.2-retention-after-last-contact": """
        WITH last AS (SELECT client_id, max(contact_date) AS d FROM contacts GROUP BY client_id)
        SELECT c.client_id, coalesce(l.d, c.registered_at) AS last_contact,
               CAST(coalesce(l.d, c.registered_at) + INTERVAL 2 YEAR AS DATE) AS retention_end
        FROM clients c LEFT JOIN last l ON l.client_id = c.client_id
        WHERE CAST(coalesce(l.d, c.registered_at) + INTERVAL 2 YEAR AS DATE) < $as_of
        ORDER BY c.client_id""",
}


def timed(run: Callable[[], object], repeat: int = 1) -> tuple[float, object]:
    """Best wall time of `repeat` runs, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        clock = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - clock)
    return best, result


def export_dir(out: Path | None, clients: int, events: int) -> Path:
    folder = out or Path(tempfile.gettempdir()) / "reglement-bench" / f"c{clients}-e{events}"
    if not (folder / "ground_truth.json").is_file():
        print(f"generating {clients} clients, {clients * events:,} access-log events into {folder} …")
        generate(folder, clients=clients, seed=1, fmt="parquet", events_per_client=events)
    return folder


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=2000)
    parser.add_argument("--events-per-client", type=int, default=250)
    parser.add_argument("--out", type=Path, help="export folder (default: a reused temp folder)")
    args = parser.parse_args(argv)
    folder = export_dir(args.out, args.clients, args.events_per_client)
    pack, as_of = load_pack(default_pack()), AS_OF

    con = duckdb.connect()
    load_s, export = timed(lambda: load_export(con, folder, needed_datasets(pack)))
    frames_s, pandas = timed(lambda: PandasEngine.from_duckdb(con, export, contract()))
    duck = DuckDBEngine(con, contract())
    rows = {name: d.rows for name, d in export.datasets.items()}
    print(f"export: {rows['access_log']:,} access-log rows, {rows['clients']:,} clients; "
          f"load {load_s:.2f} s, DuckDB → pandas frames {frames_s:.2f} s\n")

    print(f"{'rule':<38} {'duckdb s':>9} {'pandas s':>9} {'pd/duck':>8} {'hand s':>8} {'comp/hand':>9}  agree")
    totals = {"duckdb": 0.0, "pandas": 0.0}
    for rule in pack.rules:
        values = rule.values({}, as_of)
        duck_s, duck_found = timed(lambda: duck.findings(rule, values), repeat=2)
        pandas_s, pandas_found = timed(lambda: pandas.findings(rule, values))
        totals["duckdb"] += duck_s
        totals["pandas"] += pandas_s
        hand = ""
        if rule.id in HAND_WRITTEN:
            sql = HAND_WRITTEN[rule.id]
            hand_s, hand_rows = timed(lambda: con.execute(sql, {"as_of": as_of} if "$as_of" in sql else {})
                                      .fetchall(), repeat=2)
            same = [tuple(f.key.values()) + tuple(f.values.values()) for f in duck_found] == hand_rows
            hand = f"{hand_s:>8.3f} {duck_s / hand_s:>9.2f}" + ("" if same else " (differs!)")
        ratio = pandas_s / duck_s if duck_s else float("nan")
        agree = "yes" if duck_found == pandas_found else "NO"
        print(f"{rule.id:<38} {duck_s:>9.3f} {pandas_s:>9.3f} {ratio:>8.1f} {hand or ' ' * 18:>18}  {agree}")
    print(f"\n{'whole pack':<38} {totals['duckdb']:>9.2f} {totals['pandas']:>9.2f} "
          f"{totals['pandas'] / totals['duckdb']:>8.1f}")
    con.close()


if __name__ == "__main__":
    main()
