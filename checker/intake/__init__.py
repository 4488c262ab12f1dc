"""One way in: every source becomes a typed relation named after its dataset, or nothing does.

    sources (files, frames, tables, rows) → stage → validate → typed relation

`take_in` stages every source in the store of the engine that takes it (`store.py`:
DuckDB's, with its stagers in `staging.py`; Spark's in `staging_spark.py`, where Spark
reads the files; PostgreSQL's in `postgres/`, for tables of a database), holds each to
the contract with one validator (`validate.py`, rendered in the dialect of the store
that holds the source) and, only when all are clean, creates one relation per dataset
in the contract's types: a view over a Parquet file or a table in memory (no
copy of the big data), a table for text formats that had to be read whole anyway. It
also creates `_export_columns`, the columns each source had, for rule 1.1. Any
contract breach raises DataContractError after every source was checked.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from ...compiler.zones import DEFAULT_ZONE
from ...datasets import EXPORT_COLUMNS, Column, Contract, Dataset
from ..arrow_values import texts
from ..file_hash import file_sha256
from .errors import DataContractError, DataError, capped
from .key_order import KeyOrder
from .snapshot import Snapshot
from .sources import Data, Source, folder_sources, frame_sources, rows_sources, tables_only
from .staging import Staged, Unreadable, sheet_hint
from .store import Store
from .validate import Shape, Summary, errors_of, ordered_apart, shape_of, summarise

__all__ = ["Data", "DataContractError", "DataError", "Intake", "Received", "Source", "Store", "folder_sources",
           "frame_sources", "rows_sources", "tables_only", "take_in"]


@dataclass(frozen=True)
class Received:
    """A dataset that passed validation; the relation of its name now holds it, typed."""

    name: str
    label: str
    format: str
    rows: int
    digest: str | Future[str] | None  # a single file's is still being hashed while the audit runs: see sha256
    parts: tuple[tuple[str, str], ...] = ()  # (file, sha256) of each file of a dataset given as a folder; its
    # typed relation then has a column PROVENANCE: the name of the file each row is in
    extra_columns: tuple[str, ...] = ()
    restored: dict[str, int] = field(default_factory=dict)  # numbers restored as text, per column
    copied: bool = False  # held as a table (text formats), not read in place
    dialect: dict | None = None  # for CSV: separator, encoding and the like, as read (`csv_dialect`)
    period: tuple[str, str] | None = None  # earliest and latest value of the dataset's time column (`x-period`)
    sheet: str | None = None  # for a workbook: the sheet read
    columns: dict[str, str] = field(default_factory=dict)  # contract column → the source's, where `sources:` maps

    @property
    def sha256(self) -> str | None:
        """The SHA-256 of the source; a file's is hashed in a thread beside the audit, so asking may wait."""
        return self.digest.result() if isinstance(self.digest, Future) else self.digest


@dataclass(frozen=True)
class Intake:
    """The datasets taken in; what still runs beside the audit is confirmed, then closed."""

    datasets: dict[str, Received]
    unread: tuple[str, ...] = ()  # export files no dataset of the contract claims
    order: KeyOrder = field(default_factory=KeyOrder)  # key-order counts still running: confirm before a verdict
    snapshot: Snapshot = field(default_factory=lambda: Snapshot({}))  # the files as they were before the intake

    def confirm(self) -> None:
        """Wait for what runs beside the audit, then give the verdict leave to stand: DataContractError when
        a file changed while it was audited (E717: said before anything that change may have caused), or a
        key repeats; what reading a file for its hash raised."""
        try:
            self.order.confirm()
        except DataContractError as err:
            found = err.errors
        else:
            found = []
        hashed = [received.digest.exception() for received in self.datasets.values()
                  if isinstance(received.digest, Future)]
        changed = self.snapshot.changed()
        if changed or found:
            raise DataContractError(changed or found)
        for failure in hashed:
            if failure is not None:
                raise failure

    def close(self) -> None:
        """Stop what still runs beside the audit (an audit that ended early); after `confirm`, nothing."""
        self.order.close()


def take_in(stores: Sequence[Store], contract: Contract, data: Data, order_later: bool = False,
            spill: Path | None = None, memory_limit: str | None = None, zone: str = DEFAULT_ZONE) -> Intake:
    """Validate every source and create the typed relations, or raise with every problem found.

    `stores` are where the data goes (an engine's: `checker/engines/`), the one that keeps the
    export's column list first; each source is staged and validated in the first store that
    takes it, all before any relation is created. With `order_later`, the key order of the
    sources a store reads in place is counted beside what the caller does next
    (`key_order.py`, with `memory_limit`): the caller then calls `intake.confirm()` before it
    gives a verdict, and `intake.close()` in the end; that count spills, if it must, into
    `spill` (the user's spill folder; default the system's temporary folder). A file's hash
    is taken in a thread too, whether or not: `Received.sha256` waits for it. Timestamps written
    with an offset are read as the wall clock of `zone` (`validate.py`).
    """
    sources, unread = data.sources, data.unread
    staged: list[tuple[Store, Staged]] = []
    errors: list[DataError] = []
    nothing = [s for s in sources.values() if s.partial and s.table is not None and s.table.num_rows == 0]
    for source in nothing:  # example rows that leave a dataset out: an empty relation, nothing to validate
        stores[0].create_empty(contract[source.dataset])
    planned: list[tuple[Store, Staged, Shape, Summary]] = []
    snapshot = Snapshot.of(path for source in sources.values() for path in source.paths)  # before any read
    # The files are hashed in a thread while the engine validates them: hashlib releases the GIL.
    hashing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reglement-sha256")
    hashes = {path: hashing.submit(file_sha256, path) for s in sources.values() for path in s.paths}
    order = KeyOrder()
    try:
        for name, source in sources.items():
            if source in nothing:
                continue
            store = next(s for s in stores if s.takes(source))
            try:
                staged.append((store, store.stage(source, f"__reglement_stage_{name}",
                                                  {c.name: c.type for c in contract[name].columns})))
            except Unreadable as exc:
                errors += capped(source.label, exc.errors, exc.total)
        for store in stores:
            apart = order_later and store.counts_order_apart
            mine = [(item, shape_of(contract[item.source.dataset], item, store, apart, zone))
                    for s, item in staged if s is store]
            planned += [(store, item, found, summary) for (item, found), summary in zip(mine, summarise(store, mine))]
        order = KeyOrder(tuple((item, found, summary) for _, item, found, summary in planned
                               if ordered_apart(found)), memory_limit, spill)
        for store, item, found, summary in planned:
            errors += _missing(item.source, [contract[item.source.dataset].column(c) for c in found.missing])
            if not order.pending(item.source.dataset):
                errors += errors_of(store, item, found, summary)
            elif summary.errors:  # its cells and its keys, looked into together
                errors += order.errors(item.source.dataset)
        if errors:
            raise DataContractError(errors + order.errors())
        received = {s.dataset: Received(s.dataset, s.label, s.format, 0, None) for s in nothing}
        received |= {item.source.dataset: _create(store, contract, item, found, summary, hashes)
                     for store, item, found, summary in planned}
    except BaseException:
        order.close()
        raise
    finally:
        hashing.shutdown(wait=bool(errors), cancel_futures=bool(errors))  # else the hashing goes on
        for store, item in staged:
            if item.copied or errors:
                store.drop(item)
    _export_columns(stores[0], [item for _, item in staged], [contract[s.dataset] for s in nothing])
    return Intake(received, unread, order, snapshot)


def _create(store: Store, contract: Contract, item: Staged, found: Shape, summary: Summary,
            hashes: dict[Path, Future[str]]) -> Received:
    """The typed relation of one source: a view where the data can be read in place, else a table."""
    dataset = contract[item.source.dataset]
    store.create(dataset, found.typed, item.copied)
    source = item.source
    if source.folder:  # the files' hashes are needed now: they say which files are new (incremental.py)
        parts = tuple((str(p), hashes[p].result()) for p in source.paths)
        digest: str | Future[str] | None = _combined(parts)
    elif source.paths:
        parts, digest = (), hashes[source.paths[0]]
    else:
        parts = ()
        digest = _table_sha256(source.table) if source.table is not None else store.fingerprint(item)
    extras = tuple(c for c in item.columns if dataset.column(c) is None)
    return Received(dataset.name, source.label, source.format, summary.rows, digest, parts, extras,
                    summary.restored, item.copied, item.dialect, summary.period, source.sheet, dict(source.columns))


def _missing(source: Source, columns: list[Column]) -> list[DataError]:
    """E704 for each; for a column a later pack added, which one: the export was made for an earlier pack; for
    a sheet read by default from a workbook of several, which, once (`staging.sheet_hint`)."""
    hint = sheet_hint(source)
    return [DataError(source.named, "E704", f"missing column '{column.name}'" + (
        f" (rule pack {column.since} added it: export it too)" if column.since else ""),
        hint=hint if i == 0 else None) for i, column in enumerate(columns)]


def _export_columns(store: Store, staged: list[Staged], empty: list[Dataset]) -> None:
    """The relation rule 1.1 reads: every column of every source, by dataset."""
    pairs = [(s.source.dataset, c) for s in staged for c in s.columns]
    pairs += [(d.name, c) for d in empty for c in d.column_names]
    table = pa.Table.from_arrays([texts([d for d, _ in pairs]), texts([c for _, c in pairs])],
                                 names=["dataset", "column"])
    store.register(EXPORT_COLUMNS.name, table)


def _combined(parts: tuple[tuple[str, str], ...]) -> str:
    """One hash for a folder of files: of each file's name and hash, in name order."""
    digest = hashlib.sha256()
    for path, sha in sorted(parts):
        digest.update(f"{Path(path).name}\0{sha}\n".encode())
    return digest.hexdigest()


def _table_sha256(table: pa.Table | None) -> str | None:
    """Hash of a table in memory, as its Arrow IPC stream."""
    if table is None:
        return None
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return hashlib.sha256(sink.getvalue()).hexdigest()
