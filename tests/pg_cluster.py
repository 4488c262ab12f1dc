"""A throw-away PostgreSQL cluster on loopback, and an export (generated, or the sample) loaded into it.

`Cluster` runs `initdb` and `pg_ctl` in a temporary folder, as an unprivileged user: as
root, PostgreSQL refuses to run, so the server runs as `nobody` through `runuser`. It
listens on 127.0.0.1 only, on a free port, with trust authentication for one role.
The tests and `benchmarks/bench_backends.py` use it; nothing here is part of reglement.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson
import pyarrow.parquet as pq
import yaml

from reglement.datasets import Contract, contract

ROLE = "auditor"
# The layout a case-management system might have: a table named otherwise, in its own schema,
# a column named otherwise, and dates kept as text.
RENAMED = {"clients": ("crm", "clienten", {"bsn": "burgerservicenummer"})}
AS_TEXT = {"complaints": ("received_at", "handled_at")}


def binaries() -> Path | None:
    """The folder of initdb and pg_ctl (Debian keeps them out of PATH)."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    return Path(versions[-1]).parent if versions else None


class Cluster:
    """A PostgreSQL server for one test session or benchmark run; `stop()` removes everything."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.folder = Path(tempfile.mkdtemp(prefix="reglement-pg-"))
        self.port = _free_port()
        self._as_user = ["runuser", "-u", "nobody", "--"] if os.geteuid() == 0 else []
        if self._as_user:
            shutil.chown(self.folder, "nobody")
        data = self.folder / "data"
        self._run("initdb", "-D", str(data), "-A", "trust", "-U", ROLE, "--locale=C", "-E", "UTF8")
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off -c full_page_writes=off"
        self._run("pg_ctl", "-D", str(data), "-o", options, "-l", str(self.folder / "log"), "-w", "start")
        self.dsn = f"postgresql://{ROLE}@127.0.0.1:{self.port}/postgres"

    def database(self, name: str) -> str:
        """The DSN of a new, empty database `name` of the cluster: exports loaded side by side do not meet."""
        import adbc_driver_postgresql.dbapi as adbc

        with adbc.connect(self.dsn, autocommit=True) as con, con.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        return self.dsn.rsplit("/", 1)[0] + f"/{name}"

    def password_role(self, name: str, password: str) -> str:
        """A role `name` that must log in with `password` (every other role is trusted); its DSN without the
        password, for a test to add one."""
        import adbc_driver_postgresql.dbapi as adbc

        hba = self.folder / "data" / "pg_hba.conf"
        hba.write_text(f"host all {name} 127.0.0.1/32 scram-sha-256\n{hba.read_text()}")
        with adbc.connect(self.dsn, autocommit=True) as con, con.cursor() as cur:
            cur.execute(f"CREATE ROLE \"{name}\" LOGIN PASSWORD '{password}'")
            cur.execute("SELECT pg_reload_conf()")
        return f"postgresql://{name}@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run([*self._as_user, str(self.bindir / tool), *args], check=True, capture_output=True,
                       cwd=self.folder)

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_export(dsn: str, folder: Path, datasets: Contract | None = None) -> dict:
    """Every dataset of an export of Parquet, CSV or JSON Lines files (a generated one, the sample; of
    another contract, `datasets`) as a table with its key (every column of a composite one) as primary
    key, laid out as RENAMED and AS_TEXT say; returns the `sources:` section of a configuration that
    maps them back."""
    import adbc_driver_postgresql.dbapi as adbc

    mapping = {}
    with adbc.connect(dsn, autocommit=True) as con, con.cursor() as cur:
        for name, dataset in (datasets or contract()).items():
            table = _read(folder, name)
            if table is None:
                continue
            schema, table_name, columns = RENAMED.get(name, ("public", name, {}))
            for column in AS_TEXT.get(name, ()):
                i = table.schema.get_field_index(column)
                table = table.set_column(i, column, pc.cast(table[column], pa.string()))
            table = table.rename_columns([columns.get(c, c) for c in table.column_names])
            cur.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            cur.adbc_ingest(table_name, table, mode="replace", db_schema_name=schema)
            key = ", ".join(f'"{columns.get(k, k)}"' for k in dataset.keys)
            cur.execute(f'ALTER TABLE "{schema}"."{table_name}" ADD PRIMARY KEY ({key})')
            entry = {"table": f"{schema}.{table_name}"}
            if columns:
                entry["columns"] = dict(columns)
            mapping[name] = entry
        cur.execute("ANALYZE")
    return {"postgres": {"dsn_env": "REGLEMENT_PG_DSN"}, "datasets": mapping}


def config_file(folder: Path, sources: dict) -> Path:
    """`folder/config.yaml`: a configuration of only a `sources:` section (what `load_export` returns)."""
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump({"sources": sources}), encoding="utf-8")
    return path


def _read(folder: Path, name: str) -> pa.Table | None:
    """A dataset's file (or folder of Parquet files) as it is: Parquet typed, a CSV file's cells as text
    (empty cells null; the intake types text in the database as it types a CSV file), JSON Lines as
    pyarrow reads it."""
    path = folder / name
    if path.is_dir() or path.with_suffix(".parquet").exists():
        return pq.read_table(path if path.is_dir() else path.with_suffix(".parquet"))
    if path.with_suffix(".csv").exists():
        from exports import csv_as_text

        return csv_as_text(path.with_suffix(".csv"))
    if path.with_suffix(".jsonl").exists():
        return pajson.read_json(path.with_suffix(".jsonl"))
    return None
