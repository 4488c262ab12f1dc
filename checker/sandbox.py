"""Once the export is read, the engine may read nothing else.

A rule's query runs in the same DuckDB as the intake. After the intake, DuckDB may read
only the export's own folders (its views over Parquet files read them lazily), loads no
extension, and no query can change that: whatever function a future DuckDB offers, a
rule cannot read, write or fetch another file.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import duckdb


def seal(con: duckdb.DuckDBPyConnection, folders: Iterable[Path], lock: bool = True) -> None:
    """Allow reading `folders` only, switch off file system access and extension loading, and lock it
    (`lock` false: a database that runs only the intake's own queries may still change its threads)."""
    allowed = sorted({str(Path(f).resolve()) for f in folders})
    con.execute("SET allowed_directories = $dirs", {"dirs": allowed})
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    con.execute("SET enable_external_access = false")
    if lock:
        con.execute("SET lock_configuration = true")
