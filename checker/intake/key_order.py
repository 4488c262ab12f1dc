"""The keys of the sources read in place, counted for order in the CPU time the audit leaves idle.

Keys in ascending order are unique, which DuckDB sees in one streaming window; but that
window runs in one thread, and beside the audit's queries, which use every core, it only
slows them. So for a source read in place (Parquet) the count runs in a DuckDB
database of its own, one thread, over the same files (staged there again, under the same
name), in a thread of low priority (nice 10): the scheduler gives it the cores the audit
leaves idle (while it plans, renders, runs its small queries and writes its report) and a
tenth of a busy one. When the audit waits for the count, the thread gets the waiting
thread's priority back where the system allows that (not an unprivileged user on Linux),
so that other work on the machine cannot keep it waiting long.

The count must be in before anything the audit found is given: the caller confirms it
(`confirm`) when the rules are done, or, from the command line, when the reports are
written and not yet in place. Keys out of order are then looked into as they would have
been at once, in that database (now on every core): a repeated key is a contract breach
(DataContractError), and nothing that audit found is given. Since the database is the
count's own, confirming does not need the audit's session still open.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

from ...files import scratch_folder
from ..sandbox import seal
from ..stop import raise_if_stopped
from .errors import DataContractError, DataError
from .staging import Staged, Unreadable, unreadable
from .store import DuckDBStore
from .validate import Shape, Summary, errors_of, order_query

_LOW = 10  # a nice value that leaves the audit's threads about nine tenths of a busy core, and all of an idle one


@dataclass(frozen=True)
class _Count:
    staged: Staged
    shape: Shape
    summary: Summary
    counted: Future[tuple[Staged, int]]  # the source staged again in the count's database, and its count


class KeyOrder:
    """The key-order counts still running, by dataset."""

    def __init__(self, checks: tuple[tuple[Staged, Shape, Summary], ...] = (), memory_limit: str | None = None,
                 spill: Path | None = None):
        """Start counting each check's keys in a database of their own, with the audit's memory limit
        (default: DuckDB's own); its spill files go to a new folder in `spill` (default: the system's
        temporary folder), removed at `close`."""
        self._counts: dict[str, _Count] = {}
        self._store: DuckDBStore | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._thread: Future[int | None] | None = None
        if not checks:
            return
        if spill is not None:  # DuckDB makes the audit's spill folder when it first spills; this needs it now
            spill.mkdir(parents=True, exist_ok=True)
        self._spill = scratch_folder("reglement-key-order", spill)
        self._store = DuckDBStore(_database(memory_limit, [s.source.paths for s, _, _ in checks], self._spill))
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reglement-key-order")
        self._thread = self._pool.submit(_lower_priority)  # the counting thread's id
        for staged, shape, summary in sorted(checks, key=lambda check: _size(check[0].source.paths)):
            counted = self._pool.submit(self._count, staged, shape)  # small first: done in the first idle moment
            self._counts[staged.source.dataset] = _Count(staged, shape, summary, counted)

    def _count(self, staged: Staged, shape: Shape) -> tuple[Staged, int]:
        again = self._store.stage(staged.source, staged.relation.name, {})
        [(unsorted,)] = self._store.rows(order_query(again, shape))
        return again, int(unsorted or 0)

    def pending(self, dataset: str) -> bool:
        return dataset in self._counts

    def errors(self, dataset: str | None = None) -> list[DataError]:
        """The problems of one dataset (or of every one still pending) once its keys are counted: its
        cells in error and its repeated keys, found together as for any other source."""
        out: list[DataError] = []
        if self._thread is not None:  # the audit waits for it now
            _priority_of_caller(self._thread.result())
        for name in [dataset] if dataset is not None else list(self._counts):
            count = self._counts.pop(name)
            try:
                again, unsorted = count.counted.result()
                summary = replace(count.summary, unsorted=unsorted)
                if summary.unsorted or summary.errors:  # looked into on every core, as at once
                    self._store.rows(f"SET threads = {os.cpu_count() or 1}")
                out += errors_of(self._store, again, count.shape, summary)
            except (duckdb.Error, Unreadable):  # the files changed or went away while the audit ran
                raise_if_stopped()
                out.append(unreadable(count.staged.source, None))
        return out

    def confirm(self) -> None:
        """Wait for every count, then release the database; raise DataContractError when a key repeats."""
        try:
            found = self.errors()
        finally:
            self.close()
        if found:
            raise DataContractError(found)

    def close(self) -> None:
        """Stop what still runs (an audit that ended early) and release the database; again, nothing."""
        if self._store is None:
            return
        if self._counts:
            self._store.con.interrupt()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._counts.clear()
        self._store.con.close()
        self._store = None
        shutil.rmtree(self._spill, ignore_errors=True)


def _database(memory_limit: str | None, paths: list[tuple[Path, ...]], spill: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB of one thread, with the audit's memory limit, spilling into `spill` (a
    folder of its own: two databases must not share one), that may read the folders of these files
    only; its configuration is left open, since `errors` raises its threads."""
    con = duckdb.connect(config={"threads": 1})
    con.execute("SET enable_progress_bar = false")
    if memory_limit is not None:
        con.execute("SET memory_limit = $limit", {"limit": memory_limit})
    con.execute("SET temp_directory = $dir", {"dir": str(spill)})
    seal(con, {path.parent for files in paths for path in files}, lock=False)
    return con


def _size(paths: tuple[Path, ...]) -> int:
    return sum(path.stat().st_size for path in paths)


def _lower_priority() -> int | None:
    """Give this thread a low priority; its id (None where a thread has no nice value of its own: not Linux)."""
    if not sys.platform.startswith("linux"):
        return None
    thread = threading.get_native_id()
    os.setpriority(os.PRIO_PROCESS, thread, _LOW)
    return thread


def _priority_of_caller(thread: int | None) -> None:
    """Give `thread` the priority of the calling thread, where the system lets this process raise one."""
    if thread is not None:
        with contextlib.suppress(PermissionError):
            os.setpriority(os.PRIO_PROCESS, thread, os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
