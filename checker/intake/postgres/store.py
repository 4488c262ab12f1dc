"""PostgreSQL's store: the mapped tables staged, validated and typed as virtual views (see `__init__.py`)."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import ClassVar

import pyarrow as pa
from sqlglot import exp

from ....compiler.config_sources import Sources, Table
from ....datasets import Contract, Dataset
from ...sql_dialects import postgres, render
from ..sources import TABLE, Source
from ..staging import ROW, Staged, renamed
from ..store import DuckDBStore, Store
from .catalogue import read_catalogue
from .connection import Connection
from .views import BASE, Views

# PostgreSQL's type names as the validator knows them (DuckDB's words, `validate.kind_of`).
_TYPES = {"text": "VARCHAR", "varchar": "VARCHAR", "bpchar": "VARCHAR", "name": "VARCHAR", "int2": "SMALLINT",
          "int4": "INTEGER", "int8": "BIGINT", "numeric": "DECIMAL", "float4": "FLOAT", "float8": "DOUBLE",
          "date": "DATE", "timestamp": "TIMESTAMP", "timestamptz": "TIMESTAMP WITH TIME ZONE", "bool": "BOOLEAN",
          "_text": "VARCHAR[]", "_varchar": "VARCHAR[]"}
_EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


class PostgresStore(Store):
    """The datasets the configuration maps to PostgreSQL, in the audit's read-only transaction.

    `into`: where the engine runs its rules, when that is not PostgreSQL: each typed dataset is
    then also copied there once it is valid (DuckDB, for the DuckDB and pandas engines).
    """

    dialect: ClassVar = postgres()
    ordered_scan = False  # a table has no order: repeated keys are counted at once

    def __init__(self, sources: Sources, contract: Contract, into: DuckDBStore | None = None):
        """Connect, and check the mapping against the catalogue before anything else is read."""
        self.contract = contract
        self.into = into
        self.views = Views()
        self.datasets: set[str] = set()  # the typed relations that live here
        self.connection = Connection(sources.database)
        try:
            self._catalogue = read_catalogue(self.connection, sources, contract)
        except BaseException:
            self.connection.close()
            raise

    def close(self) -> None:
        self.connection.close()

    # -- what PostgreSQL lacks: TRY_CAST ------------------------------------------------------------
    @classmethod
    def parsed(cls, written: exp.Expression, text: exp.Expression,
               typed: exp.TryCast) -> tuple[exp.Expression, exp.Expression]:
        """A CASE keeps the calendar test to text of the right form (a CAST would fail on the rest)."""
        return exp.Case(ifs=[exp.If(this=written, true=real_date(text.copy()))], default=exp.false()), typed

    # -- queries over the virtual views -------------------------------------------------------------
    def arrow(self, query: str) -> pa.Table:
        return self.connection.arrow(self.views.expand(query))

    def rows(self, query: str) -> list[tuple]:
        return self.connection.rows(self.views.expand(query))

    # -- the intake's steps -------------------------------------------------------------------------
    def takes(self, source: Source) -> bool:
        return source.format == TABLE

    def stage(self, source: Source, name: str, types: dict[str, str]) -> Staged:
        """The mapped table under the contract's names; its other columns under their own (for rule 1.1). Each
        contract column is the table's column the catalogue resolved it to (its mapping, in the table's case)."""
        dataset = source.dataset
        catalogued = self._catalogue[dataset]
        table = catalogued.table
        source = replace(source, columns=dict(table.columns))
        names = renamed(source, catalogued.columns)
        own = [exp.alias_(exp.column(c, quoted=True), n, quoted=True) for c, n in names.items()]
        order = None if catalogued.is_view else exp.Order(expressions=[exp.Ordered(this=exp.column("ctid"))])
        number = exp.alias_(exp.cast(exp.Window(this=exp.RowNumber(), order=order), "BIGINT"), ROW, quoted=True)
        self.views.define(BASE + dataset, render(exp.select(*own).from_(_relation(table)), self.dialect))
        self.views.define(name, render(exp.select(number, *[c.copy() for c in own]).from_(_relation(table)),
                                       self.dialect))
        columns = {n: _TYPES.get(catalogued.columns[c], catalogued.columns[c].upper()) for c, n in names.items()}
        return Staged(source, exp.to_table(name, quoted=True), columns, False, ((TABLE, name),), keyed=True)

    def drop(self, staged: Staged) -> None:
        self.views.drop(staged.relation.name)

    def create(self, dataset: Dataset, typed: str, copied: bool) -> None:
        self.views.define(dataset.name, typed)
        self.datasets.add(dataset.name)
        if self.into is not None:
            self.into.register(dataset.name, self.fetch(dataset.name, list(dataset.column_names)))

    def fingerprint(self, staged: Staged) -> str:
        """SHA-256 of the table's rows, each as PostgreSQL's text of it, hashed and sorted: computed there,
        so that only the digest travels."""
        digest = exp.column("h")
        rows = exp.select(exp.alias_(exp.func("md5", exp.cast(exp.column("t"), "TEXT")), "h")).from_(
            _relation(self._catalogue[staged.source.dataset].table).as_("t"))
        joined = exp.GroupConcat(this=exp.Order(this=digest, expressions=[exp.Ordered(this=digest.copy())]),
                                 separator=exp.Literal.string(""))
        hashed = exp.func("encode", exp.func("sha256", exp.func("convert_to", joined, exp.Literal.string("UTF8"))),
                          exp.Literal.string("hex"))
        [(found,)] = self.connection.rows(render(exp.select(hashed).from_(rows.subquery("rows")), self.dialect))
        return found or _EMPTY_SHA256

    def fetch(self, dataset: str, columns: list[str]) -> pa.Table:
        """The typed columns of a dataset, as Arrow (for a rule that runs in DuckDB)."""
        select = exp.select(*[exp.column(c, quoted=True) for c in columns]).from_(exp.to_table(dataset, quoted=True))
        return self.arrow(render(select, self.dialect))


def real_date(text: exp.Expression) -> exp.Expression:
    """Text that starts with `YYYY-MM-DD` names a day of the calendar (no 30 February, no year 0), in the
    arithmetic every SQL has: PostgreSQL has no TRY_CAST to ask whether a CAST would fail."""
    def number(start: int, length: int) -> exp.Expression:
        part = exp.Substring(this=text.copy(), start=exp.convert(start), length=exp.convert(length))
        return exp.cast(part, "INT")

    year, month, day = number(1, 4), number(6, 2), number(9, 2)

    def divisible(n: int) -> exp.Expression:
        return exp.EQ(this=exp.Mod(this=year.copy(), expression=exp.convert(n)), expression=exp.convert(0))

    leap = exp.or_(exp.and_(divisible(4), exp.not_(divisible(100))), divisible(400))
    days = exp.Case(ifs=[exp.If(this=month.copy().eq(2), true=exp.Case(ifs=[exp.If(this=leap, true=exp.convert(29))],
                                                                       default=exp.convert(28))),
                         exp.If(this=month.copy().isin(4, 6, 9, 11), true=exp.convert(30))], default=exp.convert(31))
    return exp.and_(exp.GTE(this=year, expression=exp.convert(1)), exp.Between(this=month, low=exp.convert(1),
                    high=exp.convert(12)), exp.Between(this=day, low=exp.convert(1), high=days))


def _relation(table: Table) -> exp.Table:
    return exp.Table(this=exp.to_identifier(table.name, quoted=True), db=exp.to_identifier(table.schema, quoted=True))
