"""Execution engines: run one compiled rule over loaded data, return its findings.

An engine knows how to evaluate the IR; it knows nothing of reports. DuckDB is the
default: every rule is one set-based query over tables the loader created.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Protocol

import duckdb

from ..compiler.pack import UNLISTED_COLUMNS, Rule
from ..compiler.sql import rule_query, to_sql, unlisted_columns_query
from ..datasets import Dataset


@dataclass(frozen=True)
class Finding:
    """One offending row: its key (as strings) and the values its message shows."""

    dataset: str
    key: dict[str, str]
    values: dict[str, object]


class Engine(Protocol):
    name: str

    def findings(self, rule: Rule, values: Mapping[str, object]) -> list[Finding]: ...


class DuckDBEngine:
    name = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection, contract: dict[str, Dataset]):
        self.con = con
        self.contract = contract

    def sql(self, rule: Rule, values: Mapping[str, object], dialect: str = "duckdb", pretty: bool = False) -> str:
        if rule.kind == UNLISTED_COLUMNS:
            query = unlisted_columns_query(rule.dataset, self.contract[rule.dataset].column_names)
        else:
            query = rule_query(rule.dataset, rule.keys, rule.condition, rule.outputs, values)
        return to_sql(query, dialect, pretty)

    def findings(self, rule: Rule, values: Mapping[str, object]) -> list[Finding]:
        cursor = self.con.execute(self.sql(rule, values))
        names = [d[0] for d in cursor.description]
        keys = set(rule.keys)
        return [
            Finding(rule.dataset,
                    {n: str(v) for n, v in zip(names, row) if n in keys},
                    {n: v for n, v in zip(names, row) if n not in keys})
            for row in cursor.fetchall()
        ]
