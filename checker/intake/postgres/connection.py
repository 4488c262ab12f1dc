"""One read-only transaction over ADBC: Arrow results, and a failed query does not end the audit."""

from __future__ import annotations

import re

import pyarrow as pa

from ....compiler.config_sources import Database, SourceError
from ....extras import require
from ..errors import DataContractError, DataError

# Why a connection failed, in our words: the SQLSTATE where the driver gives one, else what libpq's or the server's
# message says, matched and never shown (it may quote the DSN). The first that fits is said.
_REACH = "cannot be reached: nothing answers at the DSN's host and port"
_PASSWORD = "refuses the password: a wrong one, or none given"
_CONNECT = (({"28P01"}, re.compile(r"password authentication failed|no password supplied"), _PASSWORD),
            ({"3D000"}, re.compile(r'database "[^"]*" does not exist'), "has no database of the DSN's name"),
            ({"28000"}, re.compile(r'role "[^"]*" does not exist'), "has no user of the DSN's name"),
            (set(), re.compile(r"no pg_hba\.conf entry"), "refuses connections of this user from this host "
                                                           "(pg_hba.conf)"),
            ({"08001", "08006"}, re.compile(r"Connection refused|could not translate host name|timeout expired|"
                                            r"No route to host|Network is unreachable|Connection timed out"), _REACH))


def _refusal(err: Exception) -> str:
    """Why the server refused the connection, or why none answered, in our words."""
    state, message = getattr(err, "sqlstate", None), str(err)
    return next((words for states, pattern, words in _CONNECT if state in states or pattern.search(message)),
                "refuses the connection")


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
            raise DataContractError([DataError(f"the PostgreSQL database of {database.where}", "E715",
                                               f"the server {_refusal(err)} (its message is not shown: it may "
                                               "quote the DSN)")]) from None
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
