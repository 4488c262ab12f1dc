"""The DuckDB backend: each check is one set-based query over the relations of the intake."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from ...compiler.model import Bindings, Check
from .sql import check_query, to_sql


class DuckDBBackend:
    name = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con

    def sql(self, check: Check, bindings: Bindings, dialect: str = "duckdb", pretty: bool = False) -> str:
        return to_sql(check_query(check, bindings), dialect, pretty)

    def findings(self, check: Check, bindings: Bindings) -> pa.Table:
        """The key columns and message values of every offending row, in key order, as Arrow."""
        return self.con.sql(self.sql(check, bindings)).to_arrow_table()

    def plan(self, check: Check, bindings: Bindings) -> str:
        return self.sql(check, bindings, pretty=True)
