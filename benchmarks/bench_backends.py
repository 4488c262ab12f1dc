"""Benchmark: the whole pack on DuckDB, pandas, Spark (local mode) and inside PostgreSQL, side by side.

    .venv/bin/python benchmarks/bench_backends.py [--clients 1000] [--events-per-client 200] [--out DIR]
                                                   [--engines duckdb,pandas,spark,postgres]

One generated Parquet export (`reglement.datasets.generate`, reused when its folder
exists), loaded once into a throw-away PostgreSQL cluster (`tests/pg_cluster.py`).
Each engine runs in a process of its own, so that its peak memory is its own: the peak
RSS of that process and its children (Spark's JVM included), sampled every 50 ms; for
PostgreSQL the server's processes are measured apart. Spark's start-up (the JVM and its
context) is timed apart from the audit. Every engine's findings are compared with
DuckDB's, rule by rule. Numbers only: nothing asserts a time.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENGINES = ("duckdb", "pandas", "spark", "postgres")  # the registry's (checker/engines), without importing it


# -- the worker: one engine, one process -------------------------------------------------------------
def work(engine: str, folder: Path, sources: dict | None) -> dict:
    """Audit `folder` (or the database) on one engine: start-up, intake and rules timed apart."""
    import datetime as dt

    from reglement.checker.audit import Settings, opened, run_rules
    from reglement.checker.intake import folder_sources, tables_only
    from reglement.compiler.config_sources import read_sources
    from reglement.compiler.stages import load_pack
    from reglement.rules import default_pack

    pack, as_of = load_pack(default_pack()), dt.date(2026, 11, 28)
    startup = 0.0
    if engine == "spark":  # the JVM and a Spark context, before the audit's clock starts
        from reglement.checker.engines.spark import start_spark

        clock = time.perf_counter()
        start_spark()
        startup = time.perf_counter() - clock
    settings = Settings(engine, sources=read_sources(sources) if sources else None)
    clock = time.perf_counter()
    data = tables_only(settings.sources) if sources else folder_sources(folder, pack.contract)
    with opened(pack, data, settings) as run:
        intake = time.perf_counter() - clock
        clock = time.perf_counter()
        bindings = {rule.id: rule.bind({}, as_of) for rule in pack.rules}
        results = run_rules(run.backend, pack.rules, pack.contract, run.missing, bindings)
        rules = time.perf_counter() - clock
        digests = {}
        for result in results:
            rows = [part.table.to_pylist() for part in result.parts]
            outcome = json.dumps([result.status, rows], default=str).encode()
            digests[result.rule.id] = hashlib.sha256(outcome).hexdigest()
        events = run.intake.datasets["access_log"].rows
    return {"startup": startup, "intake": intake, "rules": rules, "digests": digests, "events": events}


# -- the parent: generate, load, run each engine, print ------------------------------------------------
def tree_rss(pid: int) -> int:
    """The resident memory of a process and all its descendants, in bytes (from /proc)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                total += next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmRSS:"))
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    todo += [int(c) for c in children.read().split()]
        except (OSError, StopIteration):
            continue
    return total


class Peak:
    """The peak of `tree_rss` over the processes watched, sampled in a thread."""

    def __init__(self, *pids: int):
        self.pids, self.peak, self._stop = pids, 0, threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, sum(tree_rss(p) for p in self.pids))
            self._stop.wait(0.05)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def run_engine(engine: str, folder: Path, sources: dict | None, server_pid: int | None) -> dict:
    args = [sys.executable, __file__, "--worker", engine, "--out", str(folder)]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "tests")}
    with tempfile.NamedTemporaryFile("w+", suffix=".json") as result:
        args += ["--result", result.name] + (["--sources", json.dumps(sources)] if sources else [])
        process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        own, server = Peak(process.pid), Peak(server_pid) if server_pid else None
        if process.wait():
            raise SystemExit(f"the {engine} run failed (exit {process.returncode})")
        found = json.loads(Path(result.name).read_text())
    return {**found, "rss": own.stop(), "server_rss": server.stop() if server else None}


def export_dir(out: Path | None, clients: int, events: int) -> Path:
    from reglement.datasets.generate import generate

    folder = out or Path(tempfile.gettempdir()) / "reglement-bench-backends" / f"c{clients}-e{events}"
    if not (folder / "clients.parquet").is_file():
        print(f"generating {clients} clients, about {clients * events:,} access-log events into {folder} …")
        generate(folder, clients=clients, seed=1, fmt="parquet", events_per_client=events, ground_truth=False)
    return folder


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--events-per-client", type=int, default=200)
    parser.add_argument("--out", type=Path, help="export folder (default: a reused temp folder)")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--worker", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--sources", type=json.loads, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        args.result.write_text(json.dumps(work(args.worker, args.out, args.sources)))
        return
    engines = [e for e in args.engines.split(",") if e]
    folder = export_dir(args.out, args.clients, args.events_per_client)
    cluster, sources, server_pid = None, None, None
    if "postgres" in engines:
        sys.path.insert(0, str(ROOT / "tests"))
        from pg_cluster import Cluster, binaries, load_export

        cluster = Cluster(binaries())
        clock = time.perf_counter()
        sources = {**load_export(cluster.dsn, folder), "postgres": {"dsn": cluster.dsn}}
        print(f"loaded the export into PostgreSQL in {time.perf_counter() - clock:.1f} s (not counted below)")
        server_pid = int((cluster.folder / "data" / "postmaster.pid").read_text().split()[0])
    try:
        results = {e: run_engine(e, folder, sources if e == "postgres" else None, server_pid if e == "postgres"
                                 else None) for e in engines}
    finally:
        if cluster:
            cluster.stop()
    report(results)


def report(results: dict[str, dict]) -> None:
    base = results.get("duckdb")
    events = next(iter(results.values()))["events"]
    print(f"\nwhole pack (43 rules) on {events:,} access-log events; seconds, peak RSS in MiB\n")
    print(f"{'engine':<10} {'start-up':>9} {'intake':>8} {'rules':>8} {'audit':>8} {'× duckdb':>9} "
          f"{'rules ×':>8} {'peak RSS':>9} {'× duckdb':>9}  agrees with duckdb")
    for engine, r in results.items():
        audit = r["intake"] + r["rules"]
        ratio = f"{audit / (base['intake'] + base['rules']):>9.1f}" if base else f"{'-':>9}"
        rules = f"{r['rules'] / base['rules']:>8.1f}" if base else f"{'-':>8}"
        rss = f"{r['rss'] / base['rss']:>9.1f}" if base else f"{'-':>9}"
        same = [rule for rule, d in r["digests"].items() if base and base["digests"][rule] != d]
        agree = "yes" if base and not same else ("-" if not base else f"NO: {', '.join(same[:3])}")
        start = f"{r['startup']:>9.1f}" if engine == "spark" else f"{'-':>9}"
        print(f"{engine:<10} {start} {r['intake']:>8.2f} {r['rules']:>8.2f} {audit:>8.2f} {ratio} {rules} "
              f"{r['rss'] / 2**20:>9.0f} {rss}  {agree}")
        if r.get("server_rss"):
            print(f"{'':<10} the PostgreSQL server's processes: peak RSS {r['server_rss'] / 2**20:.0f} MiB "
                  "(shared buffers counted once per process)")


if __name__ == "__main__":
    main()
