"""Where the intake stages, validates and types the data: DuckDB here, Spark and PostgreSQL beside it.

`take_in` is the same for every engine: stage each source, validate it with the one
validator (rendered in the engine's dialect), then create the typed relations. An engine
says only how those steps are done in it.
"""

from __future__ import annotations

from typing import Protocol

import duckdb
import pyarrow as pa

from ...datasets import Dataset
from ..duckdb_sql import identifier
from .sources import Source
from .staging import Staged, drop, stage


class IntakeEngine(Protocol):
    dialect: str

    def takes(self, source: Source) -> bool:
        """Whether this engine stages `source` (PostgreSQL takes its tables, DuckDB the rest)."""

    def rows(self, query: str) -> list[tuple]:
        """The rows of a query in the engine's dialect."""

    def stage(self, source: Source, name: str, types: dict[str, str]) -> Staged:
        """The source as a relation named `name`, untyped (raises staging.Unreadable)."""

    def drop(self, staged: Staged) -> None:
        """Remove what staging created."""

    def create(self, dataset: Dataset, typed: str, copied: bool) -> None:
        """The typed relation of `dataset`: a view over `typed`, or a copy where the source was copied."""

    def create_empty(self, dataset: Dataset) -> None:
        """The typed relation of a dataset without rows."""

    def register(self, name: str, table: pa.Table) -> None:
        """A small table from Python (the export's columns) as the relation `name`."""

    def fingerprint(self, staged: Staged) -> str | None:
        """A SHA-256 of a source that is neither files nor a table in memory (a database table)."""


class DuckDBIntake:
    """The intake in an in-memory DuckDB: views over Parquet and tables in memory, tables for text."""

    dialect = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con

    def takes(self, source: Source) -> bool:
        return source.format != "postgres"

    def rows(self, query: str) -> list[tuple]:
        return self.con.execute(query).fetchall()

    def fingerprint(self, staged: Staged) -> None:
        return None

    def stage(self, source: Source, name: str, types: dict[str, str]) -> Staged:
        return stage(self.con, source, name, types)

    def drop(self, staged: Staged) -> None:
        drop(self.con, staged)

    def create(self, dataset: Dataset, typed: str, copied: bool) -> None:
        kind = "TABLE" if copied else "VIEW"
        self.con.execute(f"CREATE OR REPLACE {kind} {identifier(dataset.name)} AS {typed}")

    def create_empty(self, dataset: Dataset) -> None:
        from . import empty_table

        self.con.execute(empty_table(dataset))

    def register(self, name: str, table: pa.Table) -> None:
        self.con.register(name, table)


def intake_engines(target: duckdb.DuckDBPyConnection | IntakeEngine) -> list[IntakeEngine]:
    """The engines that take the sources in, the one that keeps the export's column list first."""
    if isinstance(target, duckdb.DuckDBPyConnection):
        return [DuckDBIntake(target)]
    beside = getattr(target, "duck", None)  # PostgreSQL keeps files in DuckDB beside it
    return [beside, target] if beside is not None else [target]
