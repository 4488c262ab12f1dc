"""The PostgreSQL backend: a rule whose datasets all live in the database runs there, as one query.

The IR is rendered in the `postgres` dialect and run in the audit's read-only transaction
over the intake's virtual views (`intake/postgres/`); only the offending keys and
message values come back, as Arrow. A rule that also reads files (or the export's column
list, rule 1.1), or that PostgreSQL's SQL cannot express, runs in DuckDB instead, over
the database's columns that it needs and no others, fetched once.

Rows come back sorted by key in byte order, as DuckDB sorts them, whatever the
database's collation: the engines agree row for row.
"""

from __future__ import annotations

import contextlib

import pyarrow as pa
from sqlglot.errors import UnsupportedError

from ...compiler import ir
from ...compiler.model import Bindings, Check
from ...compiler.plan import Scan
from ..intake.postgres import PostgresStore
from ..intake.store import DuckDBStore
from ..sql_dialects import postgres
from . import Census
from .duckdb import DuckDBBackend
from .sql import census_query, to_sql
from .sql_backend import SqlBackend, census_of, split


class PostgresBackend(SqlBackend):
    name = "postgres"
    dialect = postgres()
    pushdown = False  # a table is scanned whole, every time

    def __init__(self, database: PostgresStore, duck: DuckDBStore):
        self.database = database
        self.duck = duck
        self.local = DuckDBBackend(duck.con)
        self.fetched: dict[str, tuple[str, ...]] = {}  # dataset → the columns DuckDB holds of it

    def pushed_down(self, check: Check, bindings: Bindings) -> str | None:
        """The query PostgreSQL runs for the check, or None where DuckDB runs it."""
        if not set(check.datasets) <= self.database.datasets:
            return None
        try:
            return self.sql(check, bindings)
        except UnsupportedError:
            return None

    def findings(self, check: Check, bindings: Bindings) -> pa.Table:
        query = self.pushed_down(check, bindings)
        if query is None:
            self._fetch(needed_columns(check))
            return self.local.findings(check, bindings)
        return _in_key_order(self.database.arrow(query), check.keys)

    def census(self, check: Check, bindings: Bindings) -> Census:
        """Counted in PostgreSQL when the check's datasets all live there, else in DuckDB, as `findings`."""
        if self.pushed_down(check, bindings) is None:
            self._fetch(needed_columns(check))
            return self.local.census(check, bindings)
        try:
            return census_of(check, self.database.arrow(to_sql(census_query(check, bindings), self.dialect)))
        except UnsupportedError:
            self._fetch(needed_columns(check))
            return self.local.census(check, bindings)

    def scan(self, scan: Scan, bindings: list[Bindings]) -> list[pa.Table]:
        """A fused scan runs in PostgreSQL when every member could, else in DuckDB over the fetched columns."""
        checks = [m.check for m in scan.members]
        query = None
        if all(set(c.datasets) <= self.database.datasets for c in checks):
            with contextlib.suppress(UnsupportedError):
                query = self.scan_sql(scan, bindings)
        if query is None:
            for check in checks:
                self._fetch(needed_columns(check))
            self._fetch({lookup.dataset: [lookup.key] for lookup in scan.lookups})  # the columns it joins on
            return self.local.scan(scan, bindings)
        return [_in_key_order(t, checks[0].keys) for t in split(scan, self.database.arrow(query))]

    def plan(self, check: Check, bindings: Bindings) -> str:
        query = self.pushed_down(check, bindings)
        if query is None:
            return "-- in DuckDB, over the columns fetched from PostgreSQL\n" + self.local.plan(check, bindings)
        return self.sql(check, bindings, pretty=True)

    def _fetch(self, needed: dict[str, list[str]]) -> None:
        """Bring these columns of each database dataset into DuckDB (again, if it needs more than it holds)."""
        for dataset, columns in needed.items():
            if dataset not in self.database.datasets:
                continue
            held = self.fetched.get(dataset, ())
            if set(columns) <= set(held):
                continue
            wanted = tuple(dict.fromkeys([*held, *columns]))
            self.duck.register(dataset, self.database.fetch(dataset, list(wanted)))
            self.fetched[dataset] = wanted


def _in_key_order(table: pa.Table, keys: tuple[str, ...]) -> pa.Table:
    """Rows in byte order of their keys, as DuckDB sorts them, whatever the database's collation."""
    return table.sort_by([(key, "ascending") for key in keys]) if table.num_rows else table


def needed_columns(check: Check) -> dict[str, list[str]]:
    """The columns a check reads, by dataset, its own keys first."""
    columns: dict[str, list[str]] = {check.dataset: list(check.keys)}
    for expr in (check.condition, *check.outputs.values()):
        for node in ir.walk(expr):
            if isinstance(node, ir.Column):
                columns.setdefault(node.dataset, []).append(node.name)
    return {d: list(dict.fromkeys(c)) for d, c in columns.items()}
