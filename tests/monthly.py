"""A year of monthly audits: a generated export whose access log is a folder of monthly Parquet files,
audited month by month with `--previous`, each report linked to the one before.

`test_incremental.py` holds every step against a full audit (`each`); `test_period.py` reads the chain
as an auditor would. Building it takes a while: a module builds it once (a module-scoped fixture).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from reglement.cli import main
from reglement.datasets.generate import generate

MONTHS = 12  # audited one by one, after a first full audit of what came before


def year_export(export: Path) -> Path:
    """A generated export with its access log as a folder of monthly Parquet files (about two years)."""
    generate(export, clients=60, seed=11, fmt="parquet", access_log_partitions="month")
    (export / "ground_truth.json").unlink()
    return export


def check(data: Path, as_of: str, out: Path, *extra: str) -> dict:
    """The JSON report of one `reglement check`, written to `out` (exit 0 or 1)."""
    code = main(["check", "--data", str(data), "--as-of", as_of, "--format", "json", "--output", str(out), *extra])
    assert code in (0, 1)
    return json.loads(out.read_text("utf-8"))


def month_end(name: str) -> str:
    return (pd.Period(name, "M").end_time.date()).isoformat()


def audit_month_by_month(year: Path, work: Path, each: Callable[[Path, str, dict], None] = lambda *_: None,
                         extra: Callable[[str, list[dict]], list[str]] = lambda *_: []
                         ) -> tuple[Path, list[Path], list[dict]]:
    """The export of `year` copied to `work`, its last MONTHS partitions held back, audited in full, then again
    after each month comes in, with `--previous` (the report before): the export as it ends, the reports'
    files `work/report-<step>.json` and the reports, in chain order. `each(export, as_of, report)` is called
    after every incremental step; `extra(as_of, reports so far)` gives more arguments for each audit."""
    export = work / "export"
    shutil.copytree(year, export)
    months = sorted(p.name for p in (export / "access_log").iterdir())
    held = work / "held"
    held.mkdir()
    for name in months[-MONTHS:]:
        shutil.move(export / "access_log" / name, held / name)
    first = months[-MONTHS - 1].removesuffix(".parquet")
    paths = [work / "report-0.json"]
    reports = [check(export, month_end(first), paths[0], *extra(month_end(first), []))]
    for step, name in enumerate(months[-MONTHS:], start=1):
        shutil.move(held / name, export / "access_log" / name)
        as_of = month_end(name.removesuffix(".parquet"))
        paths.append(work / f"report-{step}.json")
        reports.append(check(export, as_of, paths[-1], "--previous", str(paths[-2]), *extra(as_of, reports)))
        each(export, as_of, reports[-1])
    return export, paths, reports


class Reviewing:
    """Reviews given as the year goes: `extra` for `audit_month_by_month`. Each month a twelfth more of the first
    report's findings gets a verdict (justified, violation, false_positive in turn), dated three days before
    that month's audit date; each audit reads every review given so far, from `folder/reviews-<as_of>.yaml`."""

    VERDICTS = ("justified", "violation", "false_positive")

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.given: list[dict] = []

    def __call__(self, as_of: str, reports: list[dict]) -> list[str]:
        if not reports:
            return []
        first = [(r["id"], f) for r in reports[0]["rules"] if r["kind"] == "automated" for f in r.get("findings", [])]
        step = len(reports)  # 1 for the first month after the first report
        on = (pd.Timestamp(as_of) - pd.Timedelta(days=3)).date().isoformat()
        self.given += [{"rule": rule, "key": finding["key"], "verdict": self.VERDICTS[i % 3], "by": "FG J. de Vries",
                        "date": on, "note": f"month {step}"}
                       for i, (rule, finding) in enumerate(first) if i % MONTHS == step - 1]
        path = self.folder / f"reviews-{as_of}.yaml"
        path.write_text(json.dumps({"reviews": self.given}, ensure_ascii=False, indent=1), encoding="utf-8")
        return ["--reviews", str(path)]
