"""The engines an audit runs on, named in one place; the command line, the driver, explain and
the tests read this registry.

    duckdb    an in-memory DuckDB reads every export format and runs each check as SQL
    pandas    the same relations as DuckDB's, each check evaluated with pandas: a second reading
    postgres  the rules inside PostgreSQL, over the tables `--config` maps; files beside them in DuckDB
    spark     Spark reads the files itself and runs the checks as Spark SQL

Each engine is one class, in a module of this folder (`engine.py` says what an engine owns).
ENGINES says where each lives, so that the command line lists the engines without importing
one (DuckDB, Spark and sqlglot's dialects take time to import). A new engine is a module here
and a line in ENGINES, and nothing else names it: the command line offers it, the driver
runs it, the report names it. An engine that keeps its data otherwise than an existing one
also brings the store that takes data into it (`checker/intake/store.py` says what a store
does) and the backend that runs a check there (`checker/backends/`). `register` adds a class
at run time (a test registers a toy engine so).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .engine import Engine

ENGINES: dict[str, str | type[Engine]] = {  # name → "module of this folder:class", or the class itself
    "duckdb": "duckdb:DuckDBEngine",
    "pandas": "pandas:PandasEngine",
    "spark": "spark:SparkEngine",
    "postgres": "postgres:PostgresEngine",
}


def names() -> tuple[str, ...]:
    """Every engine's name, the shipped ones first."""
    return tuple(ENGINES)


def get(name: str) -> type[Engine]:
    """The engine of this name (its module imported now)."""
    entry = ENGINES.get(name)
    if entry is None:
        raise ValueError(f"unknown engine '{name}' ({', '.join(names())})")
    if isinstance(entry, str):
        module, cls = entry.split(":")
        return getattr(import_module(f".{module}", __name__), cls)
    return entry


def embedded() -> tuple[str, ...]:
    """The engines that run inside this process with nothing to start (no JVM, no server)."""
    return tuple(name for name in names() if get(name).embedded)


def register(engine: type[Engine]) -> None:
    """Offer `engine` under its name, for this process."""
    ENGINES[engine.name] = engine
