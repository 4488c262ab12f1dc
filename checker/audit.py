"""The one audit driver: take the data in, run every check of every rule, keep the results.

`audited` serves the command line (an export folder, a configuration's tables), the Python
API (frames), `reglement test` (the rows of an example) and `explain` (one rule): each
makes its `Data` where the data enters (`intake/sources.py`) and names its engine in
`Settings`; the driver speaks to that engine through its interface only
(`checker/engines/engine.py`). A rule whose data is missing, or whose query fails, is an
`error` with the reason — never a silent pass. Data that breaks the contract stops the
whole audit before any rule runs (the intake raises DataContractError).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import pyarrow as pa

from ..compiler.config import Config
from ..compiler.diagnostics import Bilingual, in_lang, plural
from ..compiler.model import Bindings, Check, Pack, Rule
from ..compiler.plan import Scan, Step, census_identity, large_datasets, members, plan
from ..compiler.zones import DEFAULT_ZONE, moment_of
from ..datasets import EXPORT_COLUMNS, Contract
from . import engines
from .backends import Backend, Census
from .engine_errors import engine_failure
from .engines.engine import DEFAULT_SETTINGS, Engine, Settings
from .incremental import CARRIED, NEW_FILES, Mode, carried, decide, merged, only_new_files, with_provenance
from .intake import Data, Intake, take_in
from .stop import raise_if_stopped

__all__ = ["Audit", "Opened", "Part", "RuleResult", "Settings", "audited", "opened", "run_audit", "run_rules"]

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
    population: int | None = None  # the rows the rule judged (`with_census`)
    explained: tuple[int, ...] = ()  # of those, the rows each of its explanations holds for, in the rule's order

    @property
    def finding_count(self) -> int:
        return sum(p.table.num_rows for p in self.parts)


@dataclass(frozen=True)
class Audit:
    """What an audit found. Its findings may be given only once `confirm` has returned: the keys'
    order of the files read in place, and their hashes, are still being taken beside it."""

    pack: Pack
    as_of: dt.date  # the audit date; `moment` is the audit moment on it, in `time_zone`
    engine: str
    intake: Intake
    missing: dict[str, str]  # dataset → why it is not there
    config: Config
    results: tuple[RuleResult, ...]
    started_at: dt.datetime
    seconds: float
    phases: dict[str, float] = field(default_factory=dict)  # seconds per phase
    moment: dt.datetime | None = None  # `--as-of` with its time of day, else the start of the audit date
    time_zone: str = DEFAULT_ZONE

    def confirm(self) -> None:
        """Wait for what runs beside the audit; DataContractError when a key repeats (nothing found stands)."""
        self.intake.confirm()


@dataclass(frozen=True)
class Opened:
    """Data taken in by an engine, and its backend, while the session lasts."""

    engine: Engine
    intake: Intake
    missing: dict[str, str]  # dataset → why it is not there
    contract: Contract
    backend: Backend

    def other(self, name: str) -> Backend:
        """A backend of another engine over the same relations (explain and the tests compare them)."""
        return self.engine.other(name, relations(self.intake))


def relations(intake: Intake) -> list[str]:
    """The relations a backend may read: one per dataset received, and the columns of the export."""
    return [*intake.datasets, EXPORT_COLUMNS.name]


@contextmanager
def opened(pack: Pack, data: Data, settings: Settings = DEFAULT_SETTINGS, progress: Progress | None = None,
           confirm: bool = True) -> Iterator[Opened]:
    """The one way in: `data` taken in and validated by the engine `settings` names, in a session that
    lasts while the body runs.

    The keys of the files read in place are counted for order while the body runs; when the body
    is done (and the session closed), a repeated key raises DataContractError, so nothing it found
    is given. With `confirm` false the caller confirms instead (`Intake.confirm`, then `close`).
    """
    with engines.get(settings.engine)(settings, pack.contract) as engine:
        if progress:
            progress("read and validate", 0, 1, plural(len(data.sources), "source"))
        intake = take_in(engine.stores, pack.contract, data, order_later=True, spill=settings.temp_directory,
                         memory_limit=settings.memory_limit, zone=settings.time_zone or pack.time_zone)
        try:
            engine.seal(data.folders)
            if progress:
                progress("read and validate", 1, 1, plural(len(data.sources), "source"))
            missing = {name: data.why_missing(name) for name in pack.datasets
                       if name not in intake.datasets and name in pack.contract}
            yield Opened(engine, intake, missing, pack.contract, engine.backend(relations(intake)))
        except BaseException:
            intake.close()
            raise
    if confirm:
        intake.confirm()  # what was found stands only if no key repeats (and every file was hashed)


@contextmanager
def audited(pack: Pack, config: Config, data: Data, as_of: dt.date | dt.datetime, settings: Settings = DEFAULT_SETTINGS,
            progress: Progress | None = None, rules: tuple[Rule, ...] | None = None, previous: dict | None = None,
            lang: str = "nl", full: bool = False) -> Iterator[Audit]:
    """The audit of `data` against the pack, for the body to give once `audit.confirm()` has returned
    (the command line confirms when its reports are written and not yet in place); what still runs
    beside it is stopped when the body ends.

    With `previous` (the last report of the chain, as a dict) only what is new is read
    (`incremental.py`); `lang` is the language the report will be in, which carried
    findings must share; `full` runs every rule in full all the same (the chain is still recorded).
    `as_of` is the audit date, or the audit moment (a datetime, the wall clock of the zone the
    configuration or else the pack gives).
    """
    started_at, clock = dt.datetime.now(dt.UTC), time.perf_counter()
    zone = config.zone(pack)
    settings = replace(settings, time_zone=zone)
    chosen = rules if rules is not None else pack.rules
    with opened(pack, data, settings, progress, confirm=False) as run:
        read = time.perf_counter() - clock
        folders = {name for name, received in run.intake.datasets.items() if received.parts}
        chosen = tuple(with_provenance(rule, folders) for rule in chosen) if folders else chosen
        bindings = {rule.id: rule.bind(config.overrides(rule.id), as_of, zone) for rule in chosen}
        modes = {r.id: decide(pack, r, run.intake, previous, lang, bindings[r.id], run.engine.new_files_only, full)
                 for r in chosen}
        todo, backend = _only_new_files(run, chosen, modes)
        skip = frozenset((r.id, i) for r in chosen for i, m in enumerate(modes[r.id]) if m.kind == CARRIED)
        rows = {name: received.rows for name, received in run.intake.datasets.items()}
        results = run_rules(backend, todo, pack.contract, run.missing, bindings, settings.plan, progress, skip, rows)
        entries = {r.get("id"): r for r in (previous or {}).get("rules", [])}
        results = tuple(_with_carried(result, rule, modes[rule.id], entries.get(rule.id))
                        for result, rule in zip(results, chosen))
        results = with_census(run.backend, results, bindings, rows)
    seconds = time.perf_counter() - clock
    moment = moment_of(as_of)
    audit = Audit(pack, moment.date(), settings.engine, run.intake, run.missing, config,
                  results, started_at, seconds, {"read and validate": read, "rules": seconds - read}, moment, zone)
    try:
        yield audit
    finally:
        audit.intake.close()


def run_audit(pack: Pack, config: Config, data: Data, as_of: dt.date, settings: Settings = DEFAULT_SETTINGS,
              rules: tuple[Rule, ...] | None = None) -> Audit:
    """The audit of `data` against the pack (or its `rules`), confirmed (see `audited`)."""
    with audited(pack, config, data, as_of, settings, rules=rules) as audit:
        audit.confirm()
    return audit


def _only_new_files(run: Opened, rules: tuple[Rule, ...], modes: dict[str, list[Mode]]) -> tuple[tuple[Rule, ...],
                                                                                                 Backend]:
    """The rules with each check that reads only new files pointed at a view of those files, and a
    backend that can read the views."""
    views: dict[str, str] = {}
    todo = []
    for rule in rules:
        checks = []
        for check, mode in zip(rule.checks, modes[rule.id]):
            if mode.kind == NEW_FILES:
                if check.dataset not in views:
                    views[check.dataset] = run.engine.files_view(check.dataset, mode.new)
                check = only_new_files(check, views[check.dataset])
            checks.append(check)
        todo.append(replace(rule, checks=tuple(checks)))
    if not views:
        return tuple(todo), run.backend
    return tuple(todo), run.engine.backend([*relations(run.intake), *views.values()])


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


def with_census(backend: Backend, results: tuple[RuleResult, ...], bindings: dict[str, Bindings],
                rows: Mapping[str, int]) -> tuple[RuleResult, ...]:
    """Each result with its rule's population, and the rows each of its explanations holds for, counted
    over every row of its dataset (an audit of new files only still counts the old ones).

    A check without a scope judges every row of its dataset, which the intake counted; a rule of
    several such checks over one dataset (a contract rule, one check a column) judges its rows
    once. A check with a scope or explanations is counted by its engine (`Backend.census`). A
    rule whose count fails is an error, as a rule whose findings fail: a report gives both or
    neither.
    """
    out = []
    counted_before: dict[tuple, Census] = {}  # rules of one scope (the 5.1 user rules) count it once
    for result in results:
        if result.status == "error":
            out.append(result)
            continue
        population, explained, whole = 0, (), set()
        try:
            for check in result.rule.checks:
                if check.scope is None and not check.explanations:
                    whole.add(check.dataset)
                    continue
                bound = bindings[result.rule.id]
                same = census_identity(check, bound)
                if same is None:
                    counted = backend.census(check, bound)
                else:
                    if same not in counted_before:
                        counted_before[same] = backend.census(check, bound)
                    counted = counted_before[same]
                population, explained = population + counted.population, counted.explained
        except Exception as err:  # an engine's failure is its rule's error, unless it is a stop in disguise
            raise_if_stopped()
            out.append(replace(result, status="error", parts=(), error=engine_failure(backend.name, check, err)))
            continue
        out.append(replace(result, population=population + sum(rows[d] for d in whole), explained=explained))
    return tuple(out)


def _answer(backend: Backend, step: Step, bindings: dict[str, Bindings],
            errors: dict[str, str]) -> dict[tuple[str, int], pa.Table]:
    """The tables a step gives, by (rule, check); a failure is recorded on the rule, never raised past it."""
    if isinstance(step, Scan):
        try:
            found = backend.scan(step, [bindings[m.rule] for m in step.members])
            return {(m.rule, m.index): t for m, t in zip(step.members, found)}
        except Exception:  # each member alone says which one fails, unless the run is to stop
            raise_if_stopped()
            out = {}
            for m in step.members:
                out |= _answer(backend, m.alone(), bindings, errors)
            return out
    try:
        return {(step.rule, step.index): backend.findings(step.check, bindings[step.rule])}
    except Exception as err:  # an engine's failure is its rule's error, unless it is a stop in disguise
        raise_if_stopped()
        errors.setdefault(step.rule, engine_failure(backend.name, step.check, err))
        return {}


def _result(rule: Rule, tables: dict[tuple[str, int], pa.Table], errors: dict[str, str], missing: dict[str, str],
            bindings: Bindings, seconds: float) -> RuleResult:
    absent = [missing[d] for d in rule.datasets if d in missing]
    if absent:
        reasons = dict.fromkeys(absent)
        return RuleResult(rule, "error", (), bindings, Bilingual("cannot run: " + "; ".join(reasons), "kan niet "
                          "worden uitgevoerd: " + "; ".join(in_lang(r, "nl") for r in reasons)))
    if rule.id in errors:
        return RuleResult(rule, "error", (), bindings, errors[rule.id], seconds)
    parts = tuple(Part(check, tables[(rule.id, i)]) for i, check in enumerate(rule.checks))
    found = any(p.table.num_rows for p in parts)
    return RuleResult(rule, "failed" if found else "passed", parts, bindings, None, seconds)
