"""Backends side by side: each evaluates the IR of a check on one engine, behind one interface.

    duckdb   one SQL query per check (`sql.py` renders the IR; also for PostgreSQL and Spark)
    pandas   the same IR evaluated with vectorised pandas (`pandas_eval.py`), an independent second reading
    spark    the same SQL in Spark's dialect, over the views the Spark intake created (`spark.py`)
    postgres the same SQL inside PostgreSQL, for the rules whose datasets all live there (`postgres.py`)

Every backend reads the relations the intake created, so no backend can see other data.
Each engine (`checker/engines/`) makes its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import pyarrow as pa

from ...compiler.model import Bindings, Check
from ...compiler.plan import Scan


@dataclass(frozen=True)
class Census:
    """How many rows a check judged (the rows its scope admits), and of those how many each of its explanations
    holds for, in the rule's order."""

    population: int
    explained: tuple[int, ...] = ()


class Backend(Protocol):
    name: str
    pushdown: bool  # tests a one-column filter in its scan, per row group (`compiler/plan.py`)

    def findings(self, check: Check, bindings: Bindings) -> pa.Table:
        """Key columns then message values of every row the check flags, in key order."""

    def scan(self, scan: Scan, bindings: list[Bindings]) -> list[pa.Table]:
        """The findings of every member of a fused scan, as `findings` gives them for each alone."""

    def census(self, check: Check, bindings: Bindings) -> Census:
        """The check's population and the rows each explanation holds for (asked only of a check with a scope
        or explanations: without, the population is its dataset's rows)."""

    def plan(self, check: Check, bindings: Bindings) -> str:
        """What the backend runs for the check, for `reglement explain`."""
