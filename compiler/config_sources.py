"""The `sources:` of a configuration: which datasets live in a PostgreSQL database, and where.

    sources:
      postgres: {dsn_env: CRM_DSN, schema: public}      # or dsn: "postgresql://…" in the file
      datasets:
        clients: {table: clienten, columns: {bsn: burgerservicenummer}}

The DSN is kept out of every report, log and message: it is read from the environment
variable (default REGLEMENT_PG_DSN) only when the audit connects, and never printed.
Names are checked here against the pack's contract; the tables and columns are checked
against the database's catalogue when the audit connects (`checker/intake/postgres/catalogue.py`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from ..datasets import Contract
from .diagnostics import Diagnostic, UserError, did_you_mean
from .yaml_source import YamlDocument

DEFAULT_DSN_ENV = "REGLEMENT_PG_DSN"


class SourceError(UserError):
    """The configured database cannot be used (no DSN); the message names where the DSN was looked for."""

    def render(self) -> str:
        return f"reglement: {self}"


@dataclass(frozen=True)
class Table:
    """Where one dataset lives: a table or view, and the table's name for each contract column that differs."""

    dataset: str
    schema: str
    name: str
    columns: dict[str, str] = field(default_factory=dict)

    def column(self, contract_column: str) -> str:
        return self.columns.get(contract_column, contract_column)

    @property
    def label(self) -> str:
        """How every message names the table: never with the database's address."""
        return f"postgres table {self.schema}.{self.name}"


@dataclass(frozen=True)
class Database:
    dsn_env: str = DEFAULT_DSN_ENV
    dsn: str | None = field(default=None, repr=False)  # from the file; never shown

    @property
    def where(self) -> str:
        return "the configuration's sources.postgres.dsn" if self.dsn else f"the environment variable {self.dsn_env}"

    def connection_string(self) -> str:
        dsn = self.dsn or os.environ.get(self.dsn_env)
        if not dsn:
            raise SourceError(f"the configuration maps datasets to a PostgreSQL database, but {self.where} "
                              "holds no DSN; set it (e.g. postgresql://auditor@host/dbname)")
        return dsn


@dataclass(frozen=True)
class Sources:
    database: Database
    tables: dict[str, Table]


def read_sources(data: dict | None) -> Sources | None:
    """The `sources:` section, already valid against the schema."""
    if not data:
        return None
    postgres = data.get("postgres", {})
    schema = postgres.get("schema", "public")
    tables = {}
    for dataset, entry in data["datasets"].items():
        table_schema, _, name = entry["table"].rpartition(".")
        tables[dataset] = Table(dataset, table_schema or schema, name, dict(entry.get("columns", {})))
    return Sources(Database(postgres.get("dsn_env", DEFAULT_DSN_ENV), postgres.get("dsn")), tables)


def check_sources(doc: YamlDocument, data: dict | None, contract: Contract) -> list[Diagnostic]:
    """Every dataset and column the mapping names must be the contract's."""
    out: list[Diagnostic] = []
    for dataset, entry in (data or {}).get("datasets", {}).items():
        path = ("sources", "datasets", dataset)
        if dataset not in contract:
            out.append(doc.diagnostic("E118", f"unknown dataset '{dataset}'", path,
                                      did_you_mean(dataset, sorted(contract))))
            continue
        names = list(contract[dataset].column_names)
        for column in entry.get("columns", {}):
            if column not in names:
                out.append(doc.diagnostic("E119", f"dataset {dataset} has no column '{column}'",
                                          (*path, "columns", column), did_you_mean(column, names)))
    return out
