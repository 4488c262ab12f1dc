"""The benchmark's printed table, in Markdown so that the README can quote it as it is."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from export import Size
from keys import Difference
from machine import describe, load
from measure import Series

TOP_RULES = 12
HEADER = ("| run | wall min | wall median | CPU median | peak RSS | events/s (median wall) |",
          "|---|---:|---:|---:|---:|---:|")  # of the rows that `row` and `ratio` write


@dataclass(frozen=True)
class Measured:
    series: Series
    events: int  # access-log events of the export it ran on
    findings: int  # of reglement's report on that export


@dataclass(frozen=True)
class Big:
    """The 100M-event export: (a) under a memory limit and (b), once each, and how their keys differ."""

    a: Measured
    b: Measured
    differences: list[Difference]


def _mb(n: int) -> str:
    return f"{n / 2**20:,.0f} MB"


def _rate(events: int, seconds: float) -> str:
    per_second = events / seconds
    return f"{per_second / 1e6:.2f} M" if per_second >= 1e6 else f"{per_second / 1e3:,.0f} k"


def row(label: str, m: Measured) -> str:
    s = m.series
    return (f"| {label} | {s.best:.2f} s | {s.median:.2f} s | {s.cpu_median:.2f} s | {_mb(s.peak_rss)} "
            f"| {_rate(m.events, s.median)} |")


def ratio(label: str, top: Measured, bottom: Measured) -> str:
    t, b = top.series, bottom.series
    return (f"| **{label}** | **{t.best / b.best:.2f}** | **{t.median / b.median:.2f}** "
            f"| {t.cpu_median / b.cpu_median:.2f} | {t.peak_rss / b.peak_rss:.2f} | |")


def agreement(what: str, found: list[Difference], rules: int, findings: int, compared: str = "keys") -> list[str]:
    """Whether two runs found the same (`compared`: what of a finding they were compared on), or how they differ."""
    if not found:
        return [f"{what}: the same {compared} on all {rules} rules ({findings:,} findings)."]
    lines = [f"{what}: DIFFERENT {compared} on {len(found)} of {rules} rules:"]
    for d in found:
        lines.append(f"- {d.rule}: {d.left:,} against {d.right:,}; only in the first {list(d.only_left)}, "
                     f"only in the second {list(d.only_right)}"
                     + (f", repeated {list(d.repeated)}" if d.repeated else ""))
    return lines


def print_summary(size: Size, repeat: int, a: Measured, b: Measured, a_tenth: Measured, c: Measured,
                  sections: Sequence[dict], found: list[Difference], engines: list[Difference], big: Big | None,
                  reglement: str, load_before: str) -> None:
    """Print what was measured: times and memory of a, b and c, whether their findings agree, where (a) spends."""
    rules = len(sections[0]["rules"])
    lines = [
        f"## {size.clients:,} clients, {a.events:,} access-log events ({size.rates} rates), Parquet; "
        f"{repeat} paired repeats",
        "",
        *HEADER,
        row("(a) `reglement check`, whole pack, DuckDB", a),
        row("(b) hand-written DuckDB, `benchmarks/handwritten.py`", b),
        ratio("a/b", a, b),
        row(f"(a) on a tenth: {size.clients // 10:,} clients, {a_tenth.events:,} events", a_tenth),
        row("(c) `reglement check --engine pandas` on the tenth", c),
        ratio("c/a on the tenth", c, a_tenth),
    ]
    if big:
        lines += [row(f"(a) `--memory-limit 2GB`, {big.a.events:,} events, monthly Parquet, once", big.a),
                  row("(b) hand-written DuckDB on the same, once", big.b), ratio("a/b, big", big.a, big.b)]
    lines += ["", *agreement("(b) against (a)", found, rules, a.findings),
              *agreement("(c) pandas against (a) DuckDB on the tenth", engines, rules, a_tenth.findings)]
    if big:
        lines += agreement("(b) against (a) on the big export", big.differences, rules, big.a.findings)
    lines += ["", phases("(a)", a.series, sections), "", f"(a) the {TOP_RULES} slowest rules, median of the repeats:",
              "", "| rule | seconds |", "|---|---:|"]
    per_rule = {rule: statistics.median(s["rules"][rule] for s in sections) for rule in sections[0]["rules"]}
    for rule, seconds in sorted(per_rule.items(), key=lambda kv: -kv[1])[:TOP_RULES]:
        lines.append(f"| {rule} | {seconds:.3f} |")
    lines += ["", *machine(reglement, load_before)]
    print("\n".join(lines))


def phases(label: str, series: Series, sections: Sequence[dict]) -> str:
    """Where a check's time went (its report's `run.phases`, median of the repeats), and what the process spent
    besides the audit: start-up and writing the report."""
    median = {name: statistics.median(s["phases"][name] for s in sections) for name in sections[0]["phases"]}
    rest = statistics.median(r.seconds - s["seconds"] for r, s in zip(series.runs, sections))
    return (f"{label} phases, median of the repeats: "
            + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in median.items())
            + f"; the rest of the process (start-up, report) {rest:.2f} s")


def machine(reglement: str, load_before: str) -> list[str]:
    """The machine, the versions and how busy the machine was before and after: seconds mean little without them."""
    return [*describe(reglement), f"Load average (1/5/15 min) before: {load_before}; after: {load()}"]
