"""One read-only transaction over ADBC: Arrow results, and a failed query does not end the audit."""

from __future__ import annotations

import pyarrow as pa

from ....compiler.config_sources import Database, SourceError
from ....extras import require
from ..errors import DataContractError, DataError

_CONNECT = {"28P01": "refuses the password", "28000": "refuses the user", "3D000": "has no such database",
            "08001": "cannot be reached", "08006": "cannot be reached"}


class Connection:
    """The audit's transaction in the configuration's database; the DSN is never shown."""

    def __init__(self, database: Database):
        adbc = require("adbc_driver_postgresql.dbapi", "postgres", "a configuration that maps datasets to "
                                                                   "PostgreSQL tables (sources:)")
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
