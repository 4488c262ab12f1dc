"""Where an engine takes data in: stores. A store stages a source, holds it while the one
validator checks it (in the store's own SQL), and creates the typed relation.

`take_in` is the same for every store: stage each source, validate it, then create the
typed relations. A store says only how those steps are done in it and, where its SQL
means something else than DuckDB's, how the validator's few engine-specific values are
written: the forms of `Store` are DuckDB's (and, where sqlglot writes one form for every
dialect, the standard's), and a store whose engine differs overrides them, as a sqlglot
dialect overrides its base, so that the validator (`validate.py`) keeps one plan. An
engine holds one store or more (`checker/engines/`): DuckDB's here, Spark's beside its
stagers (`staging_spark.py`), PostgreSQL's in `postgres/`.
"""

from __future__ import annotations

from functools import cache
from typing import ClassVar

import duckdb
import pyarrow as pa
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect

from ...datasets import Dataset
from ..duckdb_sql import identifier, render
from ..sql_dialects import ReglementDuckDB
from .sources import TABLE, Source
from .staging import Staged, drop, stage
from .validate import SQL_TYPES


class Store:
    """Where sources are staged, validated and typed; see the module's docstring."""

    dialect: ClassVar[type[Dialect]] = ReglementDuckDB
    # A scan returns the rows in the file's order, so keys in ascending order (unique keys) are seen
    # in one streaming pass; elsewhere repeated keys are counted at once (`validate._summary`).
    ordered_scan: ClassVar[bool] = True
    # The keys of the files it reads in place are counted for order in a database of their own,
    # beside the audit (`key_order.py`), instead of in the validator's counting scan.
    counts_order_apart: ClassVar[bool] = False

    # -- the intake's steps ---------------------------------------------------------------------

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

    def rows(self, query: str) -> list[tuple]:
        """The rows of a query in this store's dialect, as tuples."""
        raise NotImplementedError

    # -- the values the validator writes in the store's own words ---------------------------------
    @classmethod
    def json_text(cls, ref: exp.Expression) -> exp.Expression:
        """A JSON value as text: a string unquoted, a number as its digits."""
        return exp.paren(exp.JSONExtractScalar(this=ref, expression=exp.Literal.string("$")))

    @classmethod
    def json_kind(cls, ref: exp.Expression) -> exp.Expression:
        """The kind of a JSON value, in DuckDB's words: VARCHAR, BIGINT, UBIGINT, DOUBLE, BOOLEAN, ARRAY,
        OBJECT, NULL."""
        return exp.JSONType(this=ref)

    @classmethod
    def json_as(cls, ref: exp.Expression, sql_type: str) -> exp.Expression:
        """A JSON value as `sql_type` (VARCHAR, DOUBLE, VARCHAR[] or JSON[]); only asked where the
        value's kind is that one (inside a CASE)."""
        return exp.cast(ref, sql_type)

    @classmethod
    def json_all(cls, ref: exp.Expression, test: exp.Lambda) -> exp.Expression:
        """Whether `test` holds for every element of a JSON array."""
        return exp.func("list_bool_and", exp.func("list_transform", cls.json_as(ref, "JSON[]"), test))

    @classmethod
    def split(cls, text: exp.Expression) -> exp.Expression:
        """A list written as its values joined by `;`."""
        return exp.StringToArray(this=text, expression=exp.Literal.string(";"))

    @classmethod
    def written_as(cls, text: exp.Expression, pattern: str) -> exp.Expression:
        """Whether the whole text matches `pattern` (the sqlglot dialects make `$` the very end)."""
        return exp.RegexpLike(this=text, expression=exp.Literal.string(f"^(?:{pattern})$"))

    @classmethod
    def parsed(cls, written: exp.Expression, text: exp.Expression,
               typed: exp.TryCast) -> tuple[exp.Expression, exp.Expression]:
        """Whether text `written` as a date or timestamp is a real one (no 30 February), and its value."""
        return exp.and_(written, typed.copy().is_(exp.null()).not_()), typed


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
