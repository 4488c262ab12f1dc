"""The keys of the sources read in place, counted for order beside the audit.

Keys in ascending order are unique, which DuckDB sees in one streaming window, but that
window runs in one thread, with the other cores idle. So for a source read in place
(Parquet) the count runs on a connection of its own while the rules run, and the audit
waits for it before it gives a verdict (`opened` confirms it when the rules are done).
Keys out of order are then looked into as they would have been at once: a repeated key
is a contract breach (DataContractError), and no finding of that audit is given.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace

import duckdb

from .engine import DuckDBIntake, IntakeEngine
from .errors import DataContractError, DataError
from .staging import Staged, unreadable
from .validate import Shape, Summary, errors_of


@dataclass(frozen=True)
class _Count:
    engine: IntakeEngine
    staged: Staged
    shape: Shape
    summary: Summary
    unsorted: Future[int]


class KeyOrder:
    """The key-order counts still running, by dataset."""

    def __init__(self, checks: tuple[tuple[DuckDBIntake, Staged, Shape, Summary, str], ...] = ()):
        """Start counting: each check's engine is the DuckDB intake that staged its files (only it
        shares a relation, `Staged.shared`), whose database a second connection reads."""
        self._counts: dict[str, _Count] = {}
        self._cursor = checks[0][0].con.cursor() if checks else None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reglement-key-order") if checks else None
        for engine, staged, shape, summary, query in checks:
            future = self._pool.submit(self._count, query)
            self._counts[staged.source.dataset] = _Count(engine, staged, shape, summary, future)

    def _count(self, query: str) -> int:
        [(unsorted,)] = self._cursor.execute(query).fetchall()
        return int(unsorted or 0)

    def pending(self, dataset: str) -> bool:
        return dataset in self._counts

    def errors(self, dataset: str | None = None) -> list[DataError]:
        """The problems of one dataset (or of every one still pending) once its keys are counted: its
        cells in error and its repeated keys, found together as for any other source."""
        out: list[DataError] = []
        for name in [dataset] if dataset is not None else list(self._counts):
            count = self._counts.pop(name)
            try:
                summary = replace(count.summary, unsorted=count.unsorted.result())
            except duckdb.Error:  # the files changed or went away while the audit ran
                out.append(unreadable(count.staged.source, None))
                continue
            out += errors_of(count.engine, count.staged, count.shape, summary)
        return out

    def confirm(self) -> None:
        """Wait for every count; raise DataContractError when a key repeats."""
        found = self.errors()
        if found:
            raise DataContractError(found)

    def close(self) -> None:
        """Stop what still runs (an audit that ended early) and release the connection."""
        if self._cursor is None:
            return
        if self._counts:
            self._cursor.interrupt()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._counts.clear()
        self._cursor.close()
        self._cursor = None
