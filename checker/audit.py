"""One audit: load the export a pack needs, run every rule, keep the results.

A rule whose data is missing, or whose query fails, is an `error` with the reason —
never a silent pass. A file that breaks the data contract stops the whole audit
before any rule runs (the loader raises DataContractError).
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import duckdb

from ..compiler.pack import Pack, Rule
from ..datasets import contract as data_contract
from .config import Config
from .engine import DuckDBEngine, Engine, Finding
from .loader import Export, load_export

Progress = Callable[[Rule, int, int], None]


@dataclass(frozen=True)
class RuleResult:
    rule: Rule
    status: str  # passed, failed, error
    findings: tuple[Finding, ...]
    values: dict[str, object]  # the parameter values the rule ran with
    error: str | None = None
    seconds: float = 0.0


@dataclass(frozen=True)
class Audit:
    pack: Pack
    as_of: dt.date
    engine: str
    export: Export
    config: Config
    results: tuple[RuleResult, ...]
    started_at: dt.datetime
    seconds: float


def needed_datasets(pack: Pack) -> list[str]:
    return list(dict.fromkeys(d for rule in pack.rules for d in rule.datasets))


def make_engine(name: str, con: duckdb.DuckDBPyConnection, export: Export) -> Engine:
    if name == "duckdb":
        return DuckDBEngine(con, data_contract())
    if name == "pandas":
        from .pandas_engine import PandasEngine

        return PandasEngine.from_duckdb(con, export, data_contract())
    raise ValueError(f"unknown engine '{name}' (duckdb or pandas)")


def run_audit(pack: Pack, data_dir: Path, as_of: dt.date, config: Config, engine: str = "duckdb",
              progress: Progress | None = None) -> Audit:
    started_at, clock = dt.datetime.now(dt.timezone.utc), time.perf_counter()
    con = duckdb.connect()
    try:
        export = load_export(con, Path(data_dir), needed_datasets(pack))
        runner = make_engine(engine, con, export)
        results = []
        for i, rule in enumerate(pack.rules):
            if progress:
                progress(rule, i, len(pack.rules))
            results.append(run_rule(runner, rule, export, rule.values(config.overrides(rule.id), as_of)))
    finally:
        con.close()
    return Audit(pack, as_of, engine, export, config, tuple(results), started_at, time.perf_counter() - clock)


def run_rule(engine: Engine, rule: Rule, export: Export, values: dict[str, object]) -> RuleResult:
    missing = [export.missing[d] for d in rule.datasets if d in export.missing]
    if missing:
        return RuleResult(rule, "error", (), values, "cannot run: " + "; ".join(missing))
    clock = time.perf_counter()
    try:
        findings = tuple(engine.findings(rule, values))
    except Exception as err:  # an engine failure is reported on the rule, never raised past it
        return RuleResult(rule, "error", (), values, f"the {engine.name} engine failed: {_without_values(err)}",
                          time.perf_counter() - clock)
    return RuleResult(rule, "failed" if findings else "passed", findings, values, None, time.perf_counter() - clock)


def _without_values(err: Exception) -> str:
    """An engine's error message with quoted data values blanked: they may be personal."""
    first_line = str(err).strip().splitlines()[0] if str(err).strip() else ""
    return f"{type(err).__name__}: " + re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", first_line)
