"""The one audit driver: take the data in, run every check of every rule, keep the results.

`run_audit` serves the command line (an export folder), the Python API (frames and
tables), `reglement test` (the rows of an example) and `explain` (one rule). A rule
whose data is missing, or whose query fails, is an `error` with the reason — never a
silent pass. Data that breaks the contract stops the whole audit before any rule runs
(the intake raises DataContractError).
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Mapping

import duckdb
import pyarrow as pa

from ..compiler.config import Config
from ..compiler.config_sources import SourceError, Sources
from ..compiler.model import Bindings, Check, Pack, Rule
from .backends import Backend, make_backend
from .engine_errors import engine_failure
from ..datasets import EXPORT_COLUMNS, Contract
from .intake import (DataContractError, DataError, Intake, Source, folder_sources, frame_sources, missing_reason,
                     take_in)

Progress = Callable[[str, int, int], None]  # (what, done, total)


@dataclass(frozen=True)
class Part:
    """What one check of a rule found: its key columns and message values, one row per finding."""

    check: Check
    table: pa.Table


@dataclass(frozen=True)
class RuleResult:
    rule: Rule
    status: str  # passed, failed, error
    parts: tuple[Part, ...]
    bindings: Bindings  # the parameter values the rule ran with
    error: str | None = None
    seconds: float = 0.0

    @property
    def finding_count(self) -> int:
        return sum(p.table.num_rows for p in self.parts)


@dataclass(frozen=True)
class Audit:
    pack: Pack
    as_of: dt.date
    engine: str
    intake: Intake
    missing: dict[str, str]  # dataset → why it is not there
    config: Config
    results: tuple[RuleResult, ...]
    started_at: dt.datetime
    seconds: float


@dataclass(frozen=True)
class Settings:
    """How the engine runs: DuckDB's memory limit (default: DuckDB's own) and where it spills; Spark's
    master; the datasets that live in a database (the configuration's `sources:`)."""

    engine: str = "duckdb"
    memory_limit: str | None = None
    temp_directory: Path | None = None
    spark_master: str = "local[*]"
    sources: Sources | None = None


def sources_of(data: Path | Mapping[str, object] | None, pack: Pack) -> tuple[dict[str, Source], tuple[str, ...],
                                                                             Callable]:
    """The sources of an export folder or of frames in memory, what was not read, and why a dataset is missing."""
    if data is None:  # every dataset from the configuration's database
        return {}, (), lambda name: f"no export folder was given, and the configuration maps no table to {name}"
    if isinstance(data, (str, Path)):
        found = folder_sources(Path(data), pack.contract)
        return found.sources, found.unread, lambda name: missing_reason(name, Path(data))
    return frame_sources(data, pack.contract), (), lambda name: f"no frame for dataset '{name}'"


@contextmanager
def session(settings: Settings, contract: Contract | None = None) -> Iterator[duckdb.DuckDBPyConnection | object]:
    """The engine one audit takes its data into: an in-memory DuckDB, with the memory limit and spill
    folder asked for; beside it, a read-only transaction in the configuration's PostgreSQL database
    (whose mapping is checked against `contract` at once); or a Spark session that reads the files itself."""
    if settings.engine == "spark":
        from .backends.spark import spark_session
        from .intake.staging_spark import SparkIntake

        if settings.sources:
            raise SourceError("--engine spark reads an export's files; the datasets the configuration maps to "
                              "PostgreSQL are audited with --engine postgres or duckdb")
        with spark_session(settings.spark_master) as spark:
            yield SparkIntake(spark)
        return
    if settings.engine == "postgres" and not settings.sources:
        raise SourceError("--engine postgres runs the rules inside the database that the configuration maps "
                          "datasets to (its sources:), and --config maps none")
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    spill = None
    try:
        if settings.memory_limit:
            spill = settings.temp_directory or Path(tempfile.mkdtemp(prefix="reglement-spill-"))
            con.execute("SET memory_limit = $limit", {"limit": settings.memory_limit})
            con.execute("SET temp_directory = $dir", {"dir": str(spill)})
        if settings.sources:
            from .intake.staging_postgres import PostgresIntake

            database = PostgresIntake(settings.sources, con, contract)
            try:
                yield database
            finally:
                database.close()
        else:
            yield con
    finally:
        con.close()
        if spill is not None and settings.temp_directory is None:
            import shutil

            shutil.rmtree(spill, ignore_errors=True)


@dataclass(frozen=True)
class Opened:
    """Data taken in, and a backend over it, while the session lasts."""

    intake: Intake
    missing: dict[str, str]  # dataset → why it is not there
    con: duckdb.DuckDBPyConnection
    contract: Contract
    backend: Backend

    def other(self, engine: str) -> Backend:
        """A backend of another engine over the same relations (explain compares them)."""
        return make_backend(engine, self.con, self.contract, relations(self.intake))


def relations(intake: Intake) -> list[str]:
    """The relations a backend may read: one per dataset received, and the columns of the export."""
    return [*intake.datasets, EXPORT_COLUMNS.name]


def with_tables(sources: dict[str, Source], con: object) -> dict[str, Source]:
    """The export's sources and the database's tables, one source per dataset."""
    tables = getattr(con, "tables", None)
    if tables is None:
        return sources
    both = [DataError(sources[name].label, "E702", f"dataset '{name}' is also mapped to {tables[name].label} in "
                                                   "the configuration's sources; keep one")
            for name in tables if name in sources]
    if both:
        raise DataContractError(both)
    return {**sources, **{name: con.source(name) for name in tables}}


def _is_sources(data: object) -> bool:
    return isinstance(data, dict) and bool(data) and all(isinstance(v, Source) for v in data.values())


@contextmanager
def opened(pack: Pack, data: Path | Mapping[str, object], settings: Settings = Settings(),
           progress: Progress | None = None) -> Iterator[Opened]:
    """The one way in: an export folder, frames by dataset, or prepared sources, taken in and validated."""
    if _is_sources(data):
        sources, unread, why = data, (), (lambda name: f"no rows for dataset '{name}'")
    else:
        sources, unread, why = sources_of(data, pack)
    with session(settings, pack.contract) as con:
        if progress:
            progress("read and validate", 0, 1)
        intake = take_in(con, pack.contract, with_tables(sources, con), unread)
        missing = {name: why(name) for name in pack.datasets if name not in intake.datasets and name in pack.contract}
        if settings.sources and settings.engine != "postgres":  # the other engines read it all in DuckDB
            con = con.copied_into_duckdb()
        backend = make_backend(settings.engine, con, pack.contract, relations(intake))
        yield Opened(intake, missing, con, pack.contract, backend)


def run_audit(pack: Pack, config: Config, data: Path | Mapping[str, object], as_of: dt.date,
              settings: Settings = Settings(), progress: Progress | None = None,
              rules: tuple[Rule, ...] | None = None) -> Audit:
    """Audit `data` — an export folder, frames by dataset, or prepared sources — against the pack."""
    started_at, clock = dt.datetime.now(dt.timezone.utc), time.perf_counter()
    chosen = rules if rules is not None else pack.rules
    with opened(pack, data, settings, progress) as run:
        results = []
        for i, rule in enumerate(chosen):
            if progress:
                progress(rule.id, i, len(chosen))
            results.append(run_rule(run.backend, rule, run.missing, rule.bind(config.overrides(rule.id), as_of)))
    return Audit(pack, as_of, settings.engine, run.intake, run.missing, config, tuple(results), started_at,
                 time.perf_counter() - clock)


def run_rule(backend: Backend, rule: Rule, missing: dict[str, str], bindings: Bindings) -> RuleResult:
    absent = [missing[d] for d in rule.datasets if d in missing]
    if absent:
        return RuleResult(rule, "error", (), bindings, "cannot run: " + "; ".join(dict.fromkeys(absent)))
    clock = time.perf_counter()
    parts = []
    for check in rule.checks:
        try:
            parts.append(Part(check, backend.findings(check, bindings)))
        except Exception as err:  # an engine failure is reported on the rule, never raised past it
            return RuleResult(rule, "error", (), bindings, engine_failure(backend.name, check, err),
                              time.perf_counter() - clock)
    found = any(p.table.num_rows for p in parts)
    return RuleResult(rule, "failed" if found else "passed", tuple(parts), bindings, None, time.perf_counter() - clock)
