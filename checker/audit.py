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
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb
import pyarrow as pa
from sqlglot import exp

from ..compiler.config import Config
from ..compiler.config_sources import SourceError, Sources
from ..compiler.model import Bindings, Check, Pack, Rule
from ..compiler.plan import Alone, Scan, Step, large_datasets, members, plan
from ..datasets import EXPORT_COLUMNS, Contract
from .backends import Backend, make_backend
from .duckdb_sql import identifier, render
from .engine_errors import engine_failure
from .incremental import CARRIED, NEW_FILES, Mode, carried, decide, merged, only_new_files, with_provenance
from .intake import DataContractError, DataError, Intake, Source, folder_sources, frame_sources, missing_reason, take_in
from .intake.validate import PROVENANCE
from .sandbox import seal

BY_FILE = ("duckdb", "pandas")  # the engines whose rows of a folder dataset name their file (incremental.py)
Progress = Callable[..., None]  # (phase, done, total, detail="")


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
    modes: tuple[Mode, ...] = ()  # per check: run in full, on new files only, or carried (incremental.py)

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
    phases: dict[str, float] = field(default_factory=dict)  # seconds per phase


@dataclass(frozen=True)
class Settings:
    """How the engine runs: DuckDB's memory limit (default: DuckDB's own) and where it spills; Spark's
    master; the datasets that live in a database (the configuration's `sources:`)."""

    engine: str = "duckdb"
    memory_limit: str | None = None
    temp_directory: Path | None = None
    plan: str = "fused"  # or plain: every check a query of its own (compiler/plan.py)
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
    con.execute("SET parquet_metadata_cache = true")  # a file's footer read once, not once for every rule
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


def _duckdb_of(engine: object) -> duckdb.DuckDBPyConnection | None:
    """The DuckDB an intake works in: itself, the one beside a PostgreSQL database, or none (Spark)."""
    if isinstance(engine, duckdb.DuckDBPyConnection):
        return engine
    beside = getattr(engine, "duck", None)
    return beside.con if beside is not None else None


def _is_sources(data: object) -> bool:
    return isinstance(data, dict) and bool(data) and all(isinstance(v, Source) for v in data.values())


@contextmanager
def opened(pack: Pack, data: Path | Mapping[str, object], settings: Settings = Settings(),
           progress: Progress | None = None, confirm: bool = True) -> Iterator[Opened]:
    """The one way in: an export folder, frames by dataset, or prepared sources, taken in and validated.

    The keys of the files read in place are counted for order while the body runs; when the body
    is done (and the session closed), a repeated key raises DataContractError, so nothing it found
    is given. With `confirm` false the caller confirms instead (`Intake.confirm`), as late as it
    can: the command line does when its reports are written but not yet in place.
    """
    if _is_sources(data):
        sources, unread, why = data, (), (lambda name: f"no rows for dataset '{name}'")
    else:
        sources, unread, why = sources_of(data, pack)
    with session(settings, pack.contract) as con:
        if progress:
            progress("read and validate", 0, 1, f"{len(sources)} sources")
        intake = take_in(con, pack.contract, with_tables(sources, con), unread, order_later=True,
                         spill=settings.temp_directory)
        try:
            if (duck := _duckdb_of(con)) is not None:
                seal(duck, {path.parent for source in sources.values() for path in source.paths})
            if progress:
                progress("read and validate", 1, 1, f"{len(sources)} sources")
            missing = {name: why(name) for name in pack.datasets
                       if name not in intake.datasets and name in pack.contract}
            if settings.sources and settings.engine != "postgres":  # the other engines read it all in DuckDB
                con = con.copied_into_duckdb()
            backend = make_backend(settings.engine, con, pack.contract, relations(intake))
            yield Opened(intake, missing, con, pack.contract, backend)
        except BaseException:
            intake.order.close()
            raise
    if confirm:
        intake.confirm()  # what was found stands only if no key repeats (and every file was hashed)


def run_audit(pack: Pack, config: Config, data: Path | Mapping[str, object], as_of: dt.date,
              settings: Settings = Settings(), progress: Progress | None = None,
              rules: tuple[Rule, ...] | None = None, previous: dict | None = None, lang: str = "nl",
              full: bool = False, confirm: bool = True) -> Audit:
    """Audit `data` — an export folder, frames by dataset, or prepared sources — against the pack.

    With `previous` (the last report of the chain, as a dict) only what is new is read
    (`incremental.py`); `lang` is the language the report will be in, which carried
    findings must share; `full` runs every rule in full all the same (the chain is still recorded).
    With `confirm` false nothing found may be given before `audit.intake.confirm()` (see `opened`).
    """
    started_at, clock = dt.datetime.now(dt.UTC), time.perf_counter()
    chosen = rules if rules is not None else pack.rules
    with opened(pack, data, settings, progress, confirm) as run:
        read = time.perf_counter() - clock
        by_file = settings.engine in BY_FILE
        folders = {name for name, received in run.intake.datasets.items() if received.parts}
        chosen = tuple(with_provenance(rule, folders) for rule in chosen) if folders else chosen
        bindings = {rule.id: rule.bind(config.overrides(rule.id), as_of) for rule in chosen}
        modes = {r.id: decide(pack, r, run.intake, previous, lang, bindings[r.id], by_file, full) for r in chosen}
        todo, backend = _only_new_files(run, chosen, modes, settings.engine)
        skip = frozenset((r.id, i) for r in chosen for i, m in enumerate(modes[r.id]) if m.kind == CARRIED)
        rows = {name: received.rows for name, received in run.intake.datasets.items()}
        results = run_rules(backend, todo, pack.contract, run.missing, bindings, settings.plan, progress, skip, rows)
        entries = {r.get("id"): r for r in (previous or {}).get("rules", [])}
        results = tuple(_with_carried(result, rule, modes[rule.id], entries.get(rule.id))
                        for result, rule in zip(results, chosen))
    seconds = time.perf_counter() - clock
    return Audit(pack, as_of, settings.engine, run.intake, run.missing, config, results, started_at,
                 seconds, {"read and validate": read, "rules": seconds - read})


def _only_new_files(run: Opened, rules: tuple[Rule, ...], modes: dict[str, list[Mode]],
                    engine: str) -> tuple[tuple[Rule, ...], Backend]:
    """The rules with each check that reads only new files pointed at a view of those files, and a
    backend that can read the views."""
    views: dict[str, str] = {}
    todo = []
    for rule in rules:
        checks = []
        for check, mode in zip(rule.checks, modes[rule.id]):
            if mode.kind == NEW_FILES:
                if check.dataset not in views:
                    views[check.dataset] = _files_view(run.con, check.dataset, mode.new)
                check = only_new_files(check, views[check.dataset])
            checks.append(check)
        todo.append(replace(rule, checks=tuple(checks)))
    if not views:
        return tuple(todo), run.backend
    return tuple(todo), make_backend(engine, run.con, run.contract, [*relations(run.intake), *views.values()])


def _files_view(con: duckdb.DuckDBPyConnection, dataset: str, files: tuple[str, ...]) -> str:
    """A view of the rows of a folder dataset that come from the given files."""
    name = f"__reglement_new_{dataset}"
    query = exp.select(exp.Star()).from_(exp.to_table(dataset, quoted=True)).where(
        exp.column(PROVENANCE, quoted=True).isin(*files) if files else exp.false())
    con.execute(f"CREATE OR REPLACE TEMP VIEW {identifier(name)} AS {render(query)}")
    return name


def _with_carried(result: RuleResult, rule: Rule, modes: list[Mode], entry: dict | None) -> RuleResult:
    """The result with each check's findings carried from the previous report put among its new ones."""
    if result.status not in ("passed", "failed"):
        return replace(result, rule=rule, modes=tuple(modes))
    parts = []
    for check, part, mode in zip(rule.checks, result.parts, modes):
        like = None if mode.kind == CARRIED else part.table.schema
        old = carried(entry, check, mode, like)
        parts.append(Part(check, old if mode.kind == CARRIED else merged(part.table, old, check)))
    status = "failed" if any(p.table.num_rows for p in parts) else "passed"
    return replace(result, rule=rule, status=status, parts=tuple(parts), modes=tuple(modes))


def run_rules(backend: Backend, rules: tuple[Rule, ...], contract: Contract, missing: dict[str, str],
              bindings: dict[str, Bindings], kind: str = "fused", progress: Progress | None = None,
              skip: frozenset[tuple[str, int]] = frozenset(),
              rows: Mapping[str, int] | None = None) -> tuple[RuleResult, ...]:
    """Every rule's result, its checks answered by the steps of the plan (`compiler/plan.py`).

    A rule whose data is missing is an `error` and takes no part in the plan. When a fused
    scan fails, its members run alone, so that one failing check cannot hide the others.
    The checks in `skip` are not run (their findings are carried from a previous report);
    `rows` (by dataset) tells the planner which datasets are large.
    """
    runnable = tuple(r for r in rules if not any(d in missing for d in r.datasets))
    tables: dict[tuple[str, int], pa.Table] = {key: pa.table({}) for key in skip}  # filled by the caller
    errors: dict[str, str] = {}
    seconds: dict[str, float] = {r.id: 0.0 for r in rules}
    steps = plan(runnable, contract, kind, skip, large_datasets(rows or {}, backend.pushdown))
    for done, step in enumerate(steps):
        if progress:
            progress("rules", done, len(steps), ", ".join(dict.fromkeys(m.rule for m in members(step))))
        clock = time.perf_counter()
        found = _answer(backend, step, bindings, errors)
        tables |= found
        share = (time.perf_counter() - clock) / len(members(step))
        for member in members(step):
            seconds[member.rule] += share
    if progress:
        progress("rules", len(steps), len(steps))
    return tuple(_result(rule, tables, errors, missing, bindings[rule.id], seconds[rule.id]) for rule in rules)


def _answer(backend: Backend, step: Step, bindings: dict[str, Bindings],
            errors: dict[str, str]) -> dict[tuple[str, int], pa.Table]:
    """The tables a step gives, by (rule, check); a failure is recorded on the rule, never raised past it."""
    if isinstance(step, Scan):
        try:
            found = backend.scan(step, [bindings[m.rule] for m in step.members])
            return {(m.rule, m.index): t for m, t in zip(step.members, found)}
        except Exception:
            out = {}
            for m in step.members:
                out |= _answer(backend, Alone(m.rule, m.index, m.check), bindings, errors)
            return out
    try:
        return {(step.rule, step.index): backend.findings(step.check, bindings[step.rule])}
    except Exception as err:
        errors.setdefault(step.rule, engine_failure(backend.name, step.check, err))
        return {}


def _result(rule: Rule, tables: dict[tuple[str, int], pa.Table], errors: dict[str, str], missing: dict[str, str],
            bindings: Bindings, seconds: float) -> RuleResult:
    absent = [missing[d] for d in rule.datasets if d in missing]
    if absent:
        return RuleResult(rule, "error", (), bindings, "cannot run: " + "; ".join(dict.fromkeys(absent)))
    if rule.id in errors:
        return RuleResult(rule, "error", (), bindings, errors[rule.id], seconds)
    parts = tuple(Part(check, tables[(rule.id, i)]) for i, check in enumerate(rule.checks))
    found = any(p.table.num_rows for p in parts)
    return RuleResult(rule, "failed" if found else "passed", parts, bindings, None, seconds)
