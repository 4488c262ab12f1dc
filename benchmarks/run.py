"""The benchmark: `reglement check` against a hand-written DuckDB baseline, in one run, paired and repeated.

    python benchmarks/run.py [--clients 20000] [--events-per-client 1000] [--rates audit|realistic]
                             [--repeat 3] [--out DIR] [--big]

Generates the export with `reglement generate` (Parquet; reused while its size is the
same), then times, each as a subprocess exactly as a user runs it, alternating a and b:
(a) `reglement check` with the whole pack on DuckDB and (b) `benchmarks/handwritten.py`,
and checks that both find the same keys on every rule (and the same counts of
5.1-access-unexplained); then (c) the pandas engine on an export a tenth the size
against (a) on that tenth. With `--big` it also audits a
100M-event export, partitioned by month, once under `--memory-limit 2GB`, and runs the
baseline once on it to compare the keys again. Prints a table (Markdown) of what it
measured; it asserts nothing about time, and exits 1 when (b) and (a) find other keys.

Before it times anything it compiles this checkout's modules to bytecode, as `pip install`
does for an installed package: an editable install on a machine that sets
PYTHONDONTWRITEBYTECODE would otherwise compile every module again in every timed run.
"""

from __future__ import annotations

import argparse
import compileall
import json
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from export import AS_OF, Size, ensure_export, reglement_command
from handwritten import counts_path
from keys import Difference, baseline_keys, count_differences, differences, report_counts, report_keys
from machine import load
from measure import Run, Series, run_child
from summary import Big, Measured, print_summary

HERE = Path(__file__).resolve().parent
PACKAGES = ("reglement", "compiler", "checker", "datasets")  # this checkout's folders that install as reglement.*
BIG_EVENTS = 100_000_000
EXPLAINED = "5.1-access-unexplained"  # whose counts (b) computes too, and are compared


@dataclass(frozen=True, eq=False)
class Command:
    name: str  # names its log
    argv: list[str]
    ok: tuple[int, ...] = (0,)  # the exit statuses of a run that worked
    report: Path | None = None  # a check's JSON report, read after every run (the next run overwrites it)


def check(name: str, reglement: str, data: Path, report: Path, *options: str, as_of: str = AS_OF) -> Command:
    """`reglement check` as a user runs it; exit status 1 only says that there are findings."""
    return Command(name, [reglement, "check", "--data", str(data), "--as-of", as_of, "--format", "json",
                          "--output", str(report), *options], ok=(0, 1), report=report)


def handwritten(data: Path, output: Path) -> Command:
    return Command("b", [sys.executable, str(HERE / "handwritten.py"), "--data", str(data), "--as-of", AS_OF,
                         "--output", str(output)])


def run_section(report: Path) -> dict:
    """The `run` section of a JSON report (seconds, phases, per-rule seconds), its findings and access-log rows."""
    data = json.loads(report.read_text(encoding="utf-8"))
    return {**data["run"], "findings": data["summary"]["findings"], "events": data["data"]["access_log"]["rows"]}


def measured(series: Series, section: dict) -> Measured:
    """A series with the size of the export it ran on, from reglement's report on that export."""
    return Measured(series, section["events"], section["findings"])


@dataclass(frozen=True)
class Timed:
    """The repeats of one command and, for a check, the `run` section of its report after each repeat."""

    series: Series
    sections: tuple[dict, ...]


def paired(first: Command, second: Command, repeat: int, logs: Path) -> tuple[Timed, Timed]:
    """Run `first` and `second` `repeat` times each, alternating which goes first, so drift hits both alike."""
    runs: dict[Command, list[Run]] = {first: [], second: []}
    sections: dict[Command, list[dict]] = {first: [], second: []}
    for i in range(repeat):
        for command in (first, second) if i % 2 == 0 else (second, first):
            runs[command].append(run_child(command.argv, logs / f"{command.name}-{i}.log", command.ok))
            if command.report:
                sections[command].append(run_section(command.report))
    timed = {command: Timed(Series(tuple(runs[command])), tuple(sections[command])) for command in (first, second)}
    return timed[first], timed[second]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=20_000)
    parser.add_argument("--events-per-client", type=int, default=1_000)
    parser.add_argument("--rates", choices=("audit", "realistic"), default="audit",
                        help="audit: about 1.5%% odd background events; realistic: about 0.01%%")
    parser.add_argument("--repeat", type=int, default=3, help="paired repeats of each timed command (default 3)")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "reglement-bench",
                        help="where exports, reports and logs go (exports are reused)")
    parser.add_argument("--big", action="store_true",
                        help=f"also audit a {BIG_EVENTS:,}-event export (monthly Parquet) under --memory-limit 2GB")
    args = parser.parse_args(argv)
    if args.clients < 500 or args.repeat < 1:
        parser.error("--clients must be at least 500 (its tenth must plant every rule) and --repeat at least 1")

    reglement, root = reglement_command(), args.out
    for folder in PACKAGES:
        compileall.compile_dir(HERE.parent / folder, quiet=1)
    load_before = load()
    full = ensure_export(root, Size(args.clients, args.events_per_client, args.rates), reglement)
    tenth = ensure_export(root, Size(args.clients // 10, args.events_per_client, args.rates), reglement)
    runs = root / "runs"
    runs.mkdir(exist_ok=True)

    a, b = paired(check("a", reglement, full, runs / "a.json"), handwritten(full, runs / "b.parquet"), args.repeat,
                  runs)
    found: list[Difference] = differences(report_keys(runs / "a.json"), baseline_keys(runs / "b.parquet"))
    found += count_differences(EXPLAINED, report_counts(runs / "a.json", EXPLAINED),
                               json.loads(counts_path(runs / "b.parquet").read_text(encoding="utf-8")))
    a_tenth, c = paired(check("a-tenth", reglement, tenth, runs / "a-tenth.json"),
                        check("c-tenth", reglement, tenth, runs / "c-tenth.json", "--engine", "pandas"), args.repeat,
                        runs)
    engines = differences(report_keys(runs / "a-tenth.json"), report_keys(runs / "c-tenth.json"))
    tenth_run = a_tenth.sections[0]

    big = None
    if args.big:
        folder = ensure_export(root, Size(BIG_EVENTS // args.events_per_client, args.events_per_client, args.rates,
                                          "month"), reglement)
        command = check("big", reglement, folder, runs / "big.json", "--memory-limit", "2GB",
                        "--spill-dir", str(root / "spill"))
        run = run_child(command.argv, runs / "big.log", command.ok)
        shutil.rmtree(root / "spill", ignore_errors=True)
        baseline = handwritten(folder, runs / "big-b.parquet")
        run_b = run_child(baseline.argv, runs / "big-b.log", baseline.ok)
        section = run_section(runs / "big.json")
        big = Big(measured(Series((run,)), section), measured(Series((run_b,)), section),
                  differences(report_keys(runs / "big.json"), baseline_keys(runs / "big-b.parquet")))

    print_summary(size=Size(args.clients, args.events_per_client, args.rates), repeat=args.repeat,
                  a=measured(a.series, a.sections[0]), b=measured(b.series, a.sections[0]),
                  a_tenth=measured(a_tenth.series, tenth_run), c=measured(c.series, tenth_run), sections=a.sections,
                  found=found, engines=engines, big=big, reglement=reglement, load_before=load_before)
    return 1 if found or (big and big.differences) else 0

if __name__ == "__main__":
    sys.exit(main())
