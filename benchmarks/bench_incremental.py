"""Benchmark: a month's audit with `--previous` over a year of monthly partitions, next to the full audit.

    python benchmarks/bench_incremental.py [--clients 2000] [--events-per-client 2000] [--rates audit|realistic]
                                           [--months 12] [--repeat 3] [--out DIR]

It times an office's month: months 1 to 11 of the access log (monthly Parquet files)
audited, month 12 just arrived. Of an export written by `reglement generate --partition
month` (export.py; reused while its size is the same; its log covers two years) it makes
a folder of hard links to the other datasets and to the last `--months` monthly files
but the newest, audits that in full as of the end of its last month to get LAST.json
(not timed), then links the newest month in. Then it times, each as its own process,
paired and alternating (run.py's `paired`): (i) `reglement check --previous LAST.json`,
whose access-log rules read the new month only and which carries the rest, and (ii) the
same with `--full`. Before any ratio it checks that both reports have the same findings
(dataset, key, message) on every rule, and exits 1 when they do not. Prints a table
(Markdown, as run.py's) and how each rule of (i) ran; it asserts nothing about time.

A script of its own rather than a section of run.py: it needs another export (the log in
monthly files) and a prepared chain, and it asks another question (what `--previous`
saves, not what reglement costs against hand-written SQL). It reuses run.py's commands
and pairing and summary.py's rows, so that both print alike.
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import json
import os
import shutil
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from export import Size, ensure_export, reglement_command
from keys import differences, report_keys, with_message
from machine import load
from measure import run_child
from run import Timed, check, measured, paired
from summary import HEADER, agreement, machine, phases, ratio, row

LOG = "access_log"


def year(export: Path, folder: Path, months: int) -> list[Path]:
    """The export's last `months` monthly files; `folder` made anew of hard links to its other datasets and to
    those files but the newest. Links copy nothing, and the export they point to is never written."""
    files = sorted((export / LOG).glob("*.parquet"))
    if not 2 <= months <= len(files):
        raise SystemExit(f"--months must be from 2 to {len(files)}, the monthly files of {export / LOG}")
    shutil.rmtree(folder, ignore_errors=True)
    (folder / LOG).mkdir(parents=True)
    for path in export.glob("*.parquet"):
        os.link(path, folder / path.name)
    for path in files[-months:-1]:
        os.link(path, folder / LOG / path.name)
    return files[-months:]


def month_end(monthly: Path) -> str:
    """The last day of the month of a monthly file (`2026-10.parquet`): the audit date of the report before the
    next month came in."""
    y, m = map(int, monthly.stem.split("-"))
    return dt.date(y, m, calendar.monthrange(y, m)[1]).isoformat()


def how_it_ran(rules: list[dict]) -> dict[str, dict[str, list[str]]]:
    """Mode (full, incremental, carried) → why → the rules that ran so, from the `run` entry of each rule."""
    modes: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for rule in rules:
        modes[rule["run"]["mode"]][rule["run"]["why"]].append(rule["id"])
    return modes


def files_read(rules: list[dict]) -> list[str]:
    """The files that the incremental rules read: the new month, and only it, when all went well."""
    return sorted({f for rule in rules for f in rule["run"].get("files_read", ())})


def modes_lines(label: str, report: Path) -> list[str]:
    """How many rules of a report ran incrementally, were carried and ran in full; and why those in full did
    (naming them, unless all ran in full for one reason)."""
    rules = [r for r in json.loads(report.read_text(encoding="utf-8"))["rules"] if r["kind"] == "automated"]
    modes = how_it_ran(rules)
    counts = {mode: sum(map(len, modes[mode].values())) for mode in ("incremental", "carried", "full")}
    read = ", ".join(files_read(rules)) or "no file"
    lines = [f"{label}: {counts['incremental']} rules incrementally (reading {read}), {counts['carried']} carried, "
             f"{counts['full']} in full" + (":" if counts["full"] else ".")]
    everyone = len(modes["full"]) == 1 and not counts["incremental"] and not counts["carried"]
    return lines + [f"- {why}: " + (f"all {len(rules)}" if everyone else ", ".join(rules))
                    for why, rules in modes["full"].items()]


def print_incremental(size: Size, repeat: int, newest: Path, months: int, incremental: Timed, full: Timed,
                      reports: tuple[Path, Path], reglement: str, load_before: str) -> None:
    """The table of (i) and (ii) with their ratio, how the rules of each ran, where their time went."""
    i, ii = measured(incremental.series, incremental.sections[0]), measured(full.series, full.sections[0])
    lines = [f"## A month of a year, incrementally: {size.clients:,} clients, {i.events:,} access-log events in "
             f"{months} monthly files ({size.rates} rates); {repeat} paired repeats", "",
             "events/s: the access-log events of the whole export, audited either way, over the median wall time.", "",
             *HEADER,
             row(f"(i) `--previous LAST.json`: the access-log rules read {newest.name} only", i),
             row(f"(ii) `--previous LAST.json --full`: every rule reads all {months} files", ii),
             ratio("ii/i, full/incremental", ii, i), "",
             *modes_lines("(i) ran", reports[0]), *modes_lines("(ii) ran", reports[1]), "",
             phases("(i)", incremental.series, incremental.sections),
             phases("(ii)", full.series, full.sections), "", *machine(reglement, load_before)]
    print("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=2_000)
    parser.add_argument("--events-per-client", type=int, default=2_000,
                        help="over the two years the log covers (default 2,000: about 2M events in the last year)")
    parser.add_argument("--rates", choices=("audit", "realistic"), default="audit",
                        help="audit: about 1.5%% odd background events; realistic: about 0.01%%")
    parser.add_argument("--months", type=int, default=12, help="monthly files audited, the last one new (default 12)")
    parser.add_argument("--repeat", type=int, default=3, help="paired repeats of each timed command (default 3)")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "reglement-bench",
                        help="where exports, reports and logs go (exports are reused)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    reglement, load_before = reglement_command(), load()
    size = Size(args.clients, args.events_per_client, args.rates, "month")
    folder, runs = args.out / "incremental" / size.name / "export", args.out / "incremental" / size.name / "runs"
    *before, newest = year(ensure_export(args.out, size, reglement), folder, args.months)
    runs.mkdir(parents=True, exist_ok=True)
    last = check("last", reglement, folder, runs / "last.json", as_of=month_end(before[-1]))
    print(f"auditing months 1 to {len(before)} in full as of {month_end(before[-1])}: LAST.json (not timed) …",
          flush=True)
    run_child(last.argv, runs / "last.log", last.ok)
    os.link(newest, folder / LOG / newest.name)

    previous = ("--previous", str(last.report))
    reports = (runs / "incremental.json", runs / "full.json")
    incremental, full = paired(check("incremental", reglement, folder, reports[0], *previous),
                               check("full", reglement, folder, reports[1], *previous, "--full"), args.repeat, runs)
    found = [report_keys(report, with_message) for report in reports]
    differ = differences(*found)
    print("\n".join(agreement("(i) incremental against (ii) full", differ, len(found[0]),
                              incremental.sections[0]["findings"], compared="findings (dataset, key, message)")))
    if differ:
        return 1
    print_incremental(size, args.repeat, newest, args.months, incremental, full, reports, reglement, load_before)
    return 0


if __name__ == "__main__":
    sys.exit(main())
