"""Where an engine takes data in: stores. A store stages a source, holds it while the one
validator checks it (in the store's own SQL), and creates the typed relation.

`take_in` is the same for every store: stage each source, validate it, then create the
typed relations. A store says only how those steps are done in it and, where its SQL
means something else than DuckDB's, how the validator's few engine-specific values are
written (`validate.Forms`, which a store is). An engine holds one store or more
(`checker/engines/`): DuckDB's here, Spark's beside its stagers (`staging_spark.py`),
PostgreSQL's in `postgres/`.
"""

from __future__ import annotations

from functools import cache
from typing import ClassVar

import duckdb
import pyarrow as pa
from sqlglot import exp

from ...datasets import Dataset
from ..duckdb_sql import identifier, render
from .sources import TABLE, Source
from .staging import Staged, drop, stage
from .validate import SQL_TYPES, Forms


class Store(Forms):
    """Where sources are staged, validated and typed; see the module's docstring."""

    # The keys of the files it reads in place are counted for order in a database of their own,
    # beside the audit (`key_order.py`), instead of in the validator's counting scan.
    counts_order_apart: ClassVar[bool] = False

    def takes(self, source: Source) -> bool:
        """Whether this store stages `source` (PostgreSQL's takes its tables, DuckDB's the rest)."""
        raise NotImplementedError

    def stage(self, source: Source, name: str, types: dict[str, str]) -> Staged:
        """The source as a relation named `name`, untyped (raises staging.Unreadable)."""
        raise NotImplementedError

    def drop(self, staged: Staged) -> None:
        """Remove what staging created."""
        raise NotImplementedError

    def create(self, dataset: Dataset, typed: str, copied: bool) -> None:
        """The typed relation of `dataset`: a view over `typed`, or a copy where the source was copied."""
        raise NotImplementedError

    def create_empty(self, dataset: Dataset) -> None:
        """The typed relation of a dataset without rows."""
        raise NotImplementedError

    def register(self, name: str, table: pa.Table) -> None:
        """A small table from Python (the export's columns) as the relation `name`."""
        raise NotImplementedError

    def fingerprint(self, staged: Staged) -> str | None:
        """A SHA-256 of a source that is neither files nor a table in memory (a database table)."""
        return None


class DuckDBStore(Store):
    """An in-memory DuckDB: views over Parquet files and tables in memory, tables for text formats."""

    counts_order_apart = True

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con

    @classmethod
    def written_as(cls, text: exp.Expression, pattern: str) -> exp.Expression:
        return exp.RegexpFullMatch(this=text, expression=exp.Literal.string(pattern))

    def takes(self, source: Source) -> bool:
        return source.format != TABLE

    def rows(self, query: str) -> list[tuple]:
        return self.con.execute(query).fetchall()

    def stage(self, source: Source, name: str, types: dict[str, str]) -> Staged:
        return stage(self.con, source, name, types)

    def drop(self, staged: Staged) -> None:
        drop(self.con, staged)

    def create(self, dataset: Dataset, typed: str, copied: bool) -> None:
        kind = "TABLE" if copied else "VIEW"
        self.con.execute(f"CREATE OR REPLACE {kind} {identifier(dataset.name)} AS {typed}")

    def create_empty(self, dataset: Dataset) -> None:
        self.con.execute(empty_table(dataset))

    def register(self, name: str, table: pa.Table) -> None:
        self.con.register(name, table)


@cache
def empty_table(dataset: Dataset) -> str:
    """DDL for the typed relation of a dataset without rows."""
    columns = [exp.ColumnDef(this=exp.to_identifier(c.name, quoted=True), kind=exp.DataType.build(SQL_TYPES[c.type]))
               for c in dataset.columns]
    create = exp.Create(this=exp.Schema(this=exp.to_table(dataset.name, quoted=True), expressions=columns),
                        kind="TABLE", replace=True)
    return render(create)
