"""DuckDB: an in-memory database reads every export format; each check is one SQL query.

The session sets the memory limit asked for and spills into the folder given (or a new
temporary one, removed at the end). Datasets the configuration maps to PostgreSQL are
validated there (`intake/postgres/`) and copied into DuckDB once valid, so that every
rule runs here. Once the data is in, DuckDB may read the export's folders only.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
from sqlglot import exp

from ...compiler.config_sources import database_of
from ...files import scratch_folder
from ..backends import Backend
from ..backends.duckdb import DuckDBBackend
from ..duckdb_sql import identifier, render
from ..intake.store import DuckDBStore, Store
from ..intake.validate import PROVENANCE
from ..sandbox import seal
from ..sql_dialects import ReglementDuckDB
from . import get
from .engine import Engine


class DuckDBEngine(Engine):
    name = "duckdb"
    embedded = True
    new_files_only = True

    @classmethod
    def dialect(cls) -> type[ReglementDuckDB]:
        return ReglementDuckDB

    def open(self) -> None:
        con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")
        con.execute("SET parquet_metadata_cache = true")  # a file's footer read once, not once for every rule
        self._spill: Path | None = None
        self.database = None
        try:
            if self.settings.memory_limit:
                self._spill = self.settings.temp_directory or scratch_folder("reglement-spill")
                con.execute("SET memory_limit = $limit", {"limit": self.settings.memory_limit})
                con.execute("SET temp_directory = $dir", {"dir": str(self._spill)})
            self.duck = DuckDBStore(con)
            self.database = self._database()
        except BaseException:
            self._close(con)
            raise

    def _database(self) -> Store | None:
        """The configuration's database, whose typed datasets are copied into DuckDB."""
        database = database_of(self.settings.sources)
        if database is None:
            return None
        from ..intake.postgres import PostgresStore  # its driver and dialect only when a database is mapped

        return PostgresStore(database, self.contract, into=self.duck)

    def close(self) -> None:
        if self.database is not None:
            self.database.close()
        self._close(self.duck.con)

    def _close(self, con: duckdb.DuckDBPyConnection) -> None:
        con.close()
        if self._spill is not None and self.settings.temp_directory is None:
            shutil.rmtree(self._spill, ignore_errors=True)

    @property
    def stores(self) -> tuple[Store, ...]:
        return (self.duck,) if self.database is None else (self.duck, self.database)

    def seal(self, folders: set[Path]) -> None:
        seal(self.duck.con, folders)

    def backend(self, relations: list[str]) -> Backend:
        return DuckDBBackend(self.duck.con)

    def other(self, name: str, relations: list[str]) -> Backend:
        other = get(name)
        if not issubclass(other, DuckDBEngine):
            return super().other(name, relations)
        return other.backend(self, relations)

    def files_view(self, dataset: str, files: tuple[str, ...]) -> str:
        name = f"__reglement_new_{dataset}"
        query = exp.select(exp.Star()).from_(exp.to_table(dataset, quoted=True)).where(
            exp.column(PROVENANCE, quoted=True).isin(*files) if files else exp.false())
        self.duck.con.execute(f"CREATE OR REPLACE TEMP VIEW {identifier(name)} AS {render(query)}")
        return name
