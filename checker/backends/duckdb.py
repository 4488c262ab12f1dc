"""The DuckDB backend: each check is one set-based query over the relations of the intake."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from ..sql_dialects import ReglementDuckDB
from .sql_backend import SqlBackend


class DuckDBBackend(SqlBackend):
    name = "duckdb"
    dialect = ReglementDuckDB
    pushdown = True
    lists = True

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con

    def arrow(self, query: str) -> pa.Table:
        return self.con.sql(query).to_arrow_table()
