"""Benchmark: a report with a million findings written in every format, seconds and peak memory.

    .venv/bin/python benchmarks/bench_formats.py [--findings 1000000] [--out DIR]

Audits the shipped sample, then gives three of its rules (one of them with a waiver on
some findings) synthetic findings tables of the asked size in all, built with Arrow as
the engine would return them. Each format is written in a fresh process, to a file
through the same atomic writer as `reglement check -o`: the seconds of the write, the
peak RSS of the process and the RSS it had before writing. Numbers only, no assertion.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FORMATS = ("json", "text", "markdown", "html", "junit", "sarif")
SHARES = {"5.1-access-unexplained": 0.6, "3.2-purpose-not-allowed": 0.3, "11.2-retention-after-last-contact": 0.1}


def big_report(total: int) -> dict:
    """The sample's report with `total` synthetic findings spread over three rules."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from reglement.api import check
    from reglement.checker.arrow_values import number, repeated
    from reglement.checker.findings import SCHEMA, Findings, join, key_json

    report = check(Path(__file__).parents[1] / "datasets" / "sample", as_of=dt.date(2026, 11, 28)).report
    for rule in report["rules"]:
        if rule["id"] not in SHARES:
            continue
        rows = int(total * SHARES[rule["id"]])
        counter = pa.array(np.arange(rows, dtype=np.int64))
        ids = pc.utf8_lpad(pc.cast(counter, pa.string()), 8, "0")
        keys = key_json([("event_id", join(["E", ids], rows))], rows)
        waived = pc.equal(pc.bit_wise_and(counter, 1023), 0)  # one finding in 1,024 waived
        waiver = pc.if_else(waived, number(0), pa.nulls(rows, pa.int32()))
        message = ["gebeurtenis E", ids, ": U0042 opende dossier C0042 <zonder> \"doel\" & reden"]
        table = pa.Table.from_arrays([repeated("access_log", rows), keys, join(["access_log\0", keys], rows),
                                      join(message, rows), waiver, pa.nulls(rows, pa.string())], schema=SCHEMA)
        waivers = [{"justification": "benchmark", "approved_by": "FG", "expires": "2027-01-01", "status": "active"}]
        found = Findings(table, waivers)
        rule.update(findings=found, finding_count=rows, open_count=found.open_count, status="failed")
    return report


def child(fmt: str, total: int, out: Path) -> None:
    from reglement.checker.formats import writer
    from reglement.outputs import write_all

    report = big_report(total)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    clock = time.perf_counter()
    write_all([(out, lambda stream: writer(fmt)(report, "nl", stream))])
    seconds = time.perf_counter() - clock
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"format": fmt, "seconds": round(seconds, 2), "rss_before_mb": before // 1024,
                      "peak_rss_mb": peak // 1024, "bytes": out.stat().st_size}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="bench-formats-"))
    out.mkdir(parents=True, exist_ok=True)
    if args.child:
        child(args.child, args.findings, out / f"report.{args.child}")
        return
    print(f"{args.findings:,} findings, written to {out}")
    print(f"{'format':<9} {'seconds':>8} {'peak RSS':>9} {'RSS before':>11} {'size':>9}")
    for fmt in FORMATS:
        run = subprocess.run([sys.executable, __file__, "--child", fmt, "--findings", str(args.findings),
                              "--out", str(out)], capture_output=True, text=True, check=True)
        row = json.loads(run.stdout.strip().splitlines()[-1])
        print(f"{fmt:<9} {row['seconds']:>8.2f} {row['peak_rss_mb']:>6} MB {row['rss_before_mb']:>8} MB "
              f"{row['bytes'] / 1e6:>6.1f} MB")


if __name__ == "__main__":
    main()
