"""Virtual views: the intake's relations in a transaction that may create nothing.

Each is a named query in PostgreSQL's SQL. A query is run with the views it reads (and
those they read) put before it as `WITH name AS NOT MATERIALIZED (…)`, so PostgreSQL
plans over the tables and their indexes. Which views a query reads is found the way
sqlglot reads the query: its unqualified tables (`"public"."clients"` is the database's
table, never a view).
"""

from __future__ import annotations

from functools import lru_cache

import sqlglot
from sqlglot import exp

from ...sql_dialects import postgres
from ..staging import ROW

STAGE, BASE = "__reglement_stage_", "__reglement_base_"


class Views:
    """The virtual views by name. A staged table has two: numbered (`__reglement_stage_<d>`) and
    not (`__reglement_base_<d>`); a query that does not read the row numbers gets the second,
    so that PostgreSQL need not number the table's rows for it."""

    def __init__(self) -> None:
        self.queries: dict[str, str] = {}

    def define(self, name: str, query: str) -> None:
        self.queries[name] = query

    def drop(self, name: str) -> None:
        self.queries.pop(name, None)

    def expand(self, query: str) -> str:
        """`query` with the views it reads, and those they read, as leading CTEs, each after those it reads."""
        numbered = ROW in _read(query)[1]
        wanted: list[str] = []

        def need(text: str) -> None:
            for name in _read(text)[0]:
                if name in self.queries and name not in wanted:
                    need(self._body(name, numbered))
                    wanted.append(name)

        need(query)
        if not wanted:
            return query
        ctes = ", ".join(f'"{name}" AS NOT MATERIALIZED ({self._body(name, numbered)})' for name in wanted)
        return f"WITH {ctes} {query}"

    def _body(self, name: str, numbered: bool) -> str:
        if name.startswith(STAGE) and not numbered:
            name = BASE + name.removeprefix(STAGE)
        return self.queries[name]


@lru_cache(maxsize=1024)
def _read(query: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """The unqualified tables a query reads, in the order it names them, and the columns it names."""
    tree = sqlglot.parse_one(query, dialect=postgres())
    tables = tuple(dict.fromkeys(t.name for t in tree.find_all(exp.Table) if not t.args.get("db")))
    return tables, frozenset(c.name for c in tree.find_all(exp.Column))
