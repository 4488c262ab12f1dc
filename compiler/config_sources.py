"""The `sources:` of a configuration: where datasets live when not in the export folder by their
own names: a table of a PostgreSQL database, or a file of the export folder named otherwise.

    sources:
      postgres: {dsn_env: CRM_DSN, schema: public}      # or dsn: "postgresql://…" in the file
      datasets:
        clients: {table: clienten, columns: {bsn: burgerservicenummer}}
        users: {file: "Medewerkers 2026.xlsx", sheet: Actief, columns: {user_id: Personeelsnummer}}

The DSN is kept out of every report, log and message: it is read from the environment
variable (default REGLEMENT_PG_DSN) only when the audit connects, and never printed.
Names are checked here against the pack's contract; the tables and columns are checked
against the database's catalogue when the audit connects (`checker/intake/postgres/catalogue.py`),
a file's columns when it is staged (`checker/intake/staging.py`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import PurePosixPath, PureWindowsPath

from ..datasets import Contract
from .diagnostics import Diagnostic, UserError, did_you_mean
from .yaml_source import YamlDocument

DEFAULT_DSN_ENV = "REGLEMENT_PG_DSN"


class SourceError(UserError):
    """The configured database cannot be used (no DSN); the message names where the DSN was looked for."""

    def render(self) -> str:
        return f"reglement: {self}"


@dataclass(frozen=True)
class Mapped:
    """A dataset the configuration maps, and the source's name for each contract column that differs."""

    dataset: str
    columns: dict[str, str] = field(default_factory=dict, kw_only=True)

    def column(self, contract_column: str) -> str:
        return self.columns.get(contract_column, contract_column)


@dataclass(frozen=True)
class Table(Mapped):
    """Where one dataset lives in the database: a table or view."""

    schema: str
    name: str

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
class File(Mapped):
    """Where one dataset lives in the export folder, under a name of the office's: a file (its name relative
    to the folder) and, for a workbook, the sheet (None: the one named like the dataset, else the first)."""

    name: str
    sheet: str | None = None


@dataclass(frozen=True)
class Sources:
    database: Database
    tables: dict[str, Table]
    files: dict[str, File] = field(default_factory=dict)


def database_of(sources: Sources | None) -> Sources | None:
    """The sources, when they map a dataset to the database (None when only files, or nothing)."""
    return sources if sources is not None and sources.tables else None


def read_sources(data: dict | None) -> Sources | None:
    """The `sources:` section, already valid against the schema."""
    if not data:
        return None
    postgres = data.get("postgres", {})
    schema = postgres.get("schema", "public")
    tables, files = {}, {}
    for dataset, entry in data["datasets"].items():
        columns = dict(entry.get("columns", {}))
        if "file" in entry:
            files[dataset] = File(dataset, entry["file"], entry.get("sheet"), columns=columns)
            continue
        table_schema, _, name = entry["table"].rpartition(".")
        tables[dataset] = Table(dataset, table_schema or schema, name, columns=columns)
    return Sources(Database(postgres.get("dsn_env", DEFAULT_DSN_ENV), postgres.get("dsn")), tables, files)


def check_sources(doc: YamlDocument, data: dict | None, contract: Contract) -> list[Diagnostic]:
    """Every dataset and column the mapping names must be the contract's."""
    out: list[Diagnostic] = []
    for dataset, entry in (data or {}).get("datasets", {}).items():
        path = ("sources", "datasets", dataset)
        if dataset not in contract:
            out.append(doc.diagnostic("E118", f"unknown dataset '{dataset}'", path,
                                      did_you_mean(dataset, sorted(contract))))
            continue
        out += _file_problems(doc, path, entry)
        names = list(contract[dataset].column_names)
        for column in entry.get("columns", {}):
            if column not in names:
                out.append(doc.diagnostic("E119", f"dataset {dataset} has no column '{column}'",
                                          (*path, "columns", column), did_you_mean(column, names)))
    return out


# The format of a file of the export folder, by how its name ends (a compressed text export is read as it is).
FILE_FORMATS = {"csv": "csv", "csv.gz": "csv", "jsonl": "jsonl", "jsonl.gz": "jsonl", "ndjson": "jsonl",
                "json": "json", "parquet": "parquet", "xlsx": "xlsx"}


def format_of(name: str) -> str | None:
    """The format of a file by the end of its name (`BSN export 2026.04.csv`: csv), None for one that is not read."""
    lower = name.lower()
    return next((FILE_FORMATS[s] for s in sorted(FILE_FORMATS, key=len, reverse=True) if lower.endswith("." + s)),
                None)


def _file_problems(doc: YamlDocument, path: tuple, entry: dict) -> list[Diagnostic]:
    """A mapped file must be inside the export folder, in a format that is read, and only a workbook has sheets."""
    name = entry.get("file")
    if name is None:
        return []
    parts = PurePosixPath(name.replace("\\", "/"))
    if parts.is_absolute() or ".." in parts.parts or PureWindowsPath(name).drive:
        return [doc.diagnostic("E131", f"file '{name}' is not inside the export folder: name it relative to --data",
                               (*path, "file"))]
    fmt = format_of(name)
    if fmt is None and not name.endswith("/"):
        return [doc.diagnostic("E131", f"file '{name}' is not of a format that is read", (*path, "file"),
                               f"name a {', '.join('.' + s for s in FILE_FORMATS)} file, or a folder of Parquet "
                               "files ending in /")]
    if "sheet" in entry and fmt != "xlsx":
        return [doc.diagnostic("E131", f"a sheet is given for file '{name}', which is not a workbook (.xlsx)",
                               (*path, "sheet"))]
    return []
