"""Datasets that live in PostgreSQL: checked against the catalogue, validated and typed there, as queries.

The connection runs one transaction for the whole audit, `REPEATABLE READ, READ ONLY`:
every query sees the same snapshot and none can change the database (PostgreSQL
refuses any write in it, error 25006). Since nothing can be created in it, the relations
of the intake are *virtual views*: named queries that each query gets as `WITH … AS NOT
MATERIALIZED`, so PostgreSQL still plans over the tables and their indexes.

    __reglement_base_<d>   the mapped table's columns under the contract's names
    __reglement_stage_<d>  the same, numbered (only in the queries that read the row number)
    <d>                    the typed relation the validator wrote

Files of the same audit are staged in DuckDB beside it (`DuckDBIntake`), and so is the
list of export columns that rule 1.1 reads. The DSN is never shown: a failure to connect
is told in words of our own (E715), as is a table or column missing from the catalogue
(E714, naming the dataset's side and the table's).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import duckdb
import pyarrow as pa
from sqlglot import exp

from ...compiler.config_sources import Database, SourceError, Sources, Table
from ...datasets import Contract, Dataset
from ..sql_dialects import render
from .engine import DuckDBIntake
from .errors import DataContractError, DataError
from .sources import Source
from .staging import ROW, Staged, Unreadable

FORMAT = "postgres"
# PostgreSQL's type names as the validator knows them (DuckDB's words, `validate.kind_of`).
_TYPES = {"text": "VARCHAR", "varchar": "VARCHAR", "bpchar": "VARCHAR", "name": "VARCHAR", "int2": "SMALLINT",
          "int4": "INTEGER", "int8": "BIGINT", "numeric": "DECIMAL", "float4": "FLOAT", "float8": "DOUBLE",
          "date": "DATE", "timestamp": "TIMESTAMP", "timestamptz": "TIMESTAMP WITH TIME ZONE", "bool": "BOOLEAN",
          "_text": "VARCHAR[]", "_varchar": "VARCHAR[]"}
_CONNECT = {"28P01": "refuses the password", "28000": "refuses the user", "3D000": "has no such database",
            "08001": "cannot be reached", "08006": "cannot be reached"}


@dataclass(frozen=True)
class Catalogued:
    """What the catalogue says of one mapped table: a table or a view, its columns and their types."""

    table: Table
    is_view: bool
    columns: dict[str, str]  # the table's column → its udt name, in table order


class Connection:
    """One read-only transaction over ADBC: Arrow results, and a failed query does not end the audit."""

    def __init__(self, database: Database):
        import adbc_driver_postgresql.dbapi as adbc

        try:
            self._con = adbc.connect(database.connection_string(), autocommit=True)
            self._cur = self._con.cursor()
            self._cur.execute("BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            [(read_only,)] = self.rows("SELECT current_setting('transaction_read_only')")
        except adbc.Error as err:
            unreached = "cannot be reached" if isinstance(err, adbc.OperationalError) else "refuses the connection"
            why = _CONNECT.get(getattr(err, "sqlstate", None) or "", unreached)
            raise DataContractError([DataError(f"the PostgreSQL database of {database.where}", "E715",
                                               f"the server {why} (its message is not shown: it may quote the "
                                               "DSN)")]) from None
        if read_only != "on":
            raise SourceError("the database did not start a read-only transaction; no query was run")

    def arrow(self, query: str) -> pa.Table:
        """Run one query in a savepoint of its own, so that a failure leaves the transaction usable."""
        self._cur.execute("SAVEPOINT reglement_query")
        try:
            self._cur.execute(query)
            table = self._cur.fetch_arrow_table()
        except Exception:
            self._cur.execute("ROLLBACK TO SAVEPOINT reglement_query")
            raise
        self._cur.execute("RELEASE SAVEPOINT reglement_query")
        return table

    def rows(self, query: str) -> list[tuple]:
        table = self.arrow(query)
        return list(zip(*(column.to_pylist() for column in table.columns))) if table.num_columns else []

    def close(self) -> None:
        try:
            self._cur.execute("ROLLBACK")
        finally:
            self._cur.close()
            self._con.close()


class PostgresIntake:
    """The intake of the datasets mapped to PostgreSQL, beside a DuckDB intake for everything else."""

    dialect = "postgres"

    def __init__(self, sources: Sources, con: duckdb.DuckDBPyConnection, contract: Contract):
        """Connect, and check the mapping against the catalogue before anything else is read."""
        self.sources = sources
        self.tables = sources.tables
        self.contract = contract
        self.duck = DuckDBIntake(con)
        self.views: dict[str, str] = {}  # virtual view → its query, in PostgreSQL's SQL
        self.datasets: set[str] = set()  # the typed relations that live here
        self.connection = Connection(sources.database)
        try:
            self._catalogue = self._check_catalogue(contract)
        except BaseException:
            self.connection.close()
            raise

    def close(self) -> None:
        self.connection.close()

    def takes(self, source: Source) -> bool:
        return source.format == FORMAT

    def source(self, dataset: str) -> Source:
        return Source(dataset, self.sources.tables[dataset].label, FORMAT)

    # -- queries over the virtual views -----------------------------------------------------------
    def expand(self, query: str) -> str:
        """`query` with the virtual views it names (and those they name) as leading CTEs.

        A schema-qualified name (`"public"."clients"`) is the database's table, never a view.
        """
        wanted: list[str] = []

        def need(text: str) -> None:
            for name in self.views:
                if name not in wanted and _names(text, name):
                    wanted.append(name)
                    need(self._body(name, query))

        need(query)
        if not wanted:
            return query
        ctes = ", ".join(f'"{name}" AS NOT MATERIALIZED ({self._body(name, query)})' for name in reversed(wanted))
        return f"WITH {ctes} {query}"

    def _body(self, name: str, query: str) -> str:
        """A view's query; a stage view is numbered only for a query that reads the row numbers."""
        if name.startswith("__reglement_stage_") and ROW not in query:
            name = name.replace("__reglement_stage_", "__reglement_base_", 1)
        return self.views[name]

    def arrow(self, query: str) -> pa.Table:
        return self.connection.arrow(self.expand(query))

    def rows(self, query: str) -> list[tuple]:
        return self.connection.rows(self.expand(query))

    # -- the catalogue ----------------------------------------------------------------------------
    def _check_catalogue(self, contract: Contract) -> dict[str, Catalogued]:
        """Every mapped table and every contract column's table column must be in the catalogue."""
        tables = self.sources.tables
        pairs = exp.or_(*[exp.and_(exp.column("table_schema").eq(t.schema), exp.column("table_name").eq(t.name))
                          for t in tables.values()])
        kinds = dict(((s, n), k) for s, n, k in self.connection.rows(render(
            exp.select("table_schema", "table_name", "table_type").from_("information_schema.tables").where(pairs),
            self.dialect)))
        columns: dict[tuple[str, str], dict[str, str]] = {}
        for schema, name, column, udt in self.connection.rows(render(
                exp.select("table_schema", "table_name", "column_name", "udt_name")
                .from_("information_schema.columns").where(pairs.copy())
                .order_by("table_schema", "table_name", "ordinal_position"), self.dialect)):
            columns.setdefault((schema, name), {})[column] = udt
        errors, found = [], {}
        for dataset, table in tables.items():
            if (table.schema, table.name) not in kinds:
                errors.append(DataError(table.label, "E714", f"dataset {dataset} is mapped to table "
                                                             f"{table.schema}.{table.name}, which the database does "
                                                             "not have (or the auditor may not read)"))
                continue
            own = columns.get((table.schema, table.name), {})
            for column in contract[dataset].column_names:
                if table.column(column) not in own:
                    errors.append(DataError(table.label, "E714", f"column {column} of dataset {dataset} is mapped "
                                                                 f"to '{table.column(column)}', which table "
                                                                 f"{table.schema}.{table.name} does not have"))
            found[dataset] = Catalogued(table, kinds[(table.schema, table.name)] == "VIEW", own)
        if errors:
            raise DataContractError(errors)
        return found

    # -- the intake's steps -----------------------------------------------------------------------
    def stage(self, source: Source, name: str, types: dict[str, str]) -> Staged:
        """The mapped table under the contract's names; its other columns under their own (for rule 1.1)."""
        dataset = source.dataset
        catalogued = self._catalogue[dataset]
        table = catalogued.table
        renamed = {table.column(c): c for c in types}
        names = {column: renamed.get(column, column) for column in catalogued.columns
                 if column in renamed or column not in types}
        if len(set(names.values())) < len(names):
            raise Unreadable([DataError(source.label, "E714", "has a column of a contract column's name that the "
                                                              "mapping gives to another column; map that one too")])
        own = [exp.alias_(exp.column(c, quoted=True), n, quoted=True) for c, n in names.items()]
        order = None if catalogued.is_view else exp.Order(expressions=[exp.Ordered(this=exp.column("ctid"))])
        number = exp.alias_(exp.cast(exp.Window(this=exp.RowNumber(), order=order), "BIGINT"), ROW, quoted=True)
        self.views[f"__reglement_base_{dataset}"] = render(exp.select(*own).from_(_relation(table)), self.dialect)
        self.views[name] = render(exp.select(number, *[c.copy() for c in own]).from_(_relation(table)), self.dialect)
        columns = {n: _TYPES.get(catalogued.columns[c], catalogued.columns[c].upper()) for c, n in names.items()}
        return Staged(source, exp.to_table(name, quoted=True), columns, False, ((FORMAT, name),))

    def drop(self, staged: Staged) -> None:
        self.views.pop(staged.relation.name, None)

    def create(self, dataset: Dataset, typed: str, copied: bool) -> None:
        self.views[dataset.name] = typed
        self.datasets.add(dataset.name)

    def create_empty(self, dataset: Dataset) -> None:
        self.duck.create_empty(dataset)

    def register(self, name: str, table: pa.Table) -> None:
        self.duck.register(name, table)

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

    def copied_into_duckdb(self) -> duckdb.DuckDBPyConnection:
        """Every typed dataset of the database in DuckDB, for the engines that run there."""
        for dataset in self.datasets:
            self.duck.con.register(dataset, self.fetch(dataset, list(self.contract[dataset].column_names)))
        return self.duck.con

    def fetch(self, dataset: str, columns: list[str]) -> pa.Table:
        """The typed columns of a dataset, as Arrow (for a rule that joins it with files in DuckDB)."""
        select = exp.select(*[exp.column(c, quoted=True) for c in columns]).from_(exp.to_table(dataset, quoted=True))
        return self.arrow(render(select, self.dialect))


_EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def _names(sql: str, name: str) -> bool:
    """Whether `sql` refers to the relation `name` unqualified, quoted or not."""
    quoted, bare = re.escape(f'"{name}"'), re.escape(name)
    return re.search(rf'(?<![\w$."]){bare}(?![\w$"])|(?<![\w$.]){quoted}', sql) is not None


def _relation(table: Table) -> exp.Table:
    return exp.Table(this=exp.to_identifier(table.name, quoted=True), db=exp.to_identifier(table.schema, quoted=True))
