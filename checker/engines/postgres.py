"""PostgreSQL: the rules run inside the database the configuration maps datasets to (`sources:`).

The datasets are validated and typed there as virtual views (`intake/postgres/`); files of
the same export are taken into DuckDB beside it. A check whose datasets all live in the
database runs there as one query; one that also reads files (or that PostgreSQL's SQL
cannot express) runs in DuckDB over the database's columns it needs (`backends/postgres.py`).
"""

from __future__ import annotations

from sqlglot.dialects.dialect import Dialect

from ...compiler.config_sources import SourceError, database_of
from ..backends import Backend
from ..backends.postgres import PostgresBackend
from ..intake.postgres import PostgresStore
from ..sql_dialects import postgres
from .duckdb import DuckDBEngine
from .engine import Engine


class PostgresEngine(DuckDBEngine):
    name = "postgres"
    embedded = False  # it needs a database server
    new_files_only = False  # a table is read whole

    @classmethod
    def dialect(cls) -> type[Dialect]:
        return postgres()

    def open(self) -> None:
        if database_of(self.settings.sources) is None:
            raise SourceError("--engine postgres runs the rules inside the database that the configuration maps "
                              "datasets to (its sources:), and --config maps none")
        super().open()

    def _database(self) -> PostgresStore:
        """The configuration's database, where the typed datasets stay."""
        return PostgresStore(self.settings.sources, self.contract)

    def backend(self, relations: list[str]) -> Backend:
        return PostgresBackend(self.database, self.duck)

    # The typed datasets live in the database, not in DuckDB: no other engine can read this session's.
    other = Engine.other
