"""What every SQL engine shares: render a check in its dialect, run it, take the rows back as Arrow."""

from __future__ import annotations

import pyarrow as pa

from ...compiler.model import Bindings, Check
from .sql import check_query, to_sql


class SqlBackend:
    """A backend that runs each check as one query in `dialect`; subclasses say how a query runs."""

    name = "sql"
    dialect = "duckdb"

    def sql(self, check: Check, bindings: Bindings, pretty: bool = False) -> str:
        return to_sql(check_query(check, bindings), self.dialect, pretty)

    def findings(self, check: Check, bindings: Bindings) -> pa.Table:
        """The key columns and message values of every offending row, in key order, as Arrow."""
        return self.arrow(self.sql(check, bindings))

    def plan(self, check: Check, bindings: Bindings) -> str:
        return self.sql(check, bindings, pretty=True)

    def arrow(self, query: str) -> pa.Table:
        raise NotImplementedError
