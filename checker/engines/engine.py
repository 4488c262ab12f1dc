"""What an engine is: one class per engine, as sqlglot has one `Dialect` per SQL.

The class says what the engine is and can do; an instance is one audit's session on it,
opened and closed as a context manager. An engine owns:

- its session: `open` starts it with the audit's `Settings` (memory limit, spill folder,
  Spark master, the configuration's database), `close` ends it and removes what it made;
- where it takes data in: `stores` (`checker/intake/store.py`), each of which stages,
  validates and types sources in its own SQL; what its SQL means otherwise than DuckDB's
  is said by its store, so that the one validator keeps one plan;
- what it may read once the data is in (`seal`);
- its backend, which answers the checks over the relations the intake created;
- its sqlglot dialect (`dialect`), and what it can do, as flags the driver reads.

The audit driver (`checker/audit.py`) speaks to this interface only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from ...compiler.config_sources import Sources
from ...datasets import Contract

if TYPE_CHECKING:
    from sqlglot.dialects.dialect import Dialect

    from ..backends import Backend
    from ..intake.store import Store


@dataclass(frozen=True)
class Settings:
    """How an audit runs: on which engine, with which plan (`compiler/plan.py`), and what the engine
    is given: DuckDB's memory limit (default: DuckDB's own) and where it spills; Spark's master; the
    database the configuration maps datasets to (its `sources:`)."""

    engine: str = "duckdb"
    memory_limit: str | None = None
    temp_directory: Path | None = None
    plan: str = "fused"  # or plain: every check a query of its own
    spark_master: str = "local[*]"
    sources: Sources | None = None
    time_zone: str | None = None  # the zone timestamps are read in (`Config.zone`); None: the pack's


DEFAULT_SETTINGS = Settings()


class Engine:
    """One engine: see the module's docstring. Subclasses set `name` and say what differs."""

    name: ClassVar[str]
    # It runs inside this process with nothing to start (no JVM, no server): `reglement test` runs a
    # pack's examples on every such engine.
    embedded: ClassVar[bool] = False
    # It can read only some files of a dataset given as a folder of files, so that an audit with
    # --previous reads only the new ones (`files_view`, `checker/incremental.py`).
    new_files_only: ClassVar[bool] = False

    def __init__(self, settings: Settings, contract: Contract):
        self.settings = settings
        self.contract = contract

    def __enter__(self) -> Engine:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @classmethod
    def dialect(cls) -> type[Dialect] | None:
        """The sqlglot dialect its checks run in; None for an engine that runs no SQL."""
        raise NotImplementedError

    def open(self) -> None:
        """Start the session (on failure, nothing is left open)."""
        raise NotImplementedError

    def close(self) -> None:
        """End the session; again, nothing."""
        raise NotImplementedError

    @property
    def stores(self) -> tuple[Store, ...]:
        """Where sources are taken in, the one that keeps the export's column list first."""
        raise NotImplementedError

    def seal(self, folders: set[Path]) -> None:
        """Once the data is in: the engine may read nothing but these folders (`checker/sandbox.py`)."""

    def backend(self, relations: list[str]) -> Backend:
        """The backend that answers the checks, over these relations of the intake."""
        raise NotImplementedError

    def other(self, name: str, relations: list[str]) -> Backend:
        """A backend of engine `name` over this session's relations, where the two share a session
        (DuckDB and pandas): explain and the tests hold each one's findings against the other's."""
        raise ValueError(f"the {name} engine cannot read the relations of a {self.name} session")

    def files_view(self, dataset: str, files: tuple[str, ...]) -> str:
        """A relation of the rows of a folder dataset that come from these files (`new_files_only`)."""
        raise NotImplementedError
