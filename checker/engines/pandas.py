"""pandas: DuckDB takes the data in, and each check is evaluated with vectorised pandas over the
very relations DuckDB validated and typed: a second, independent reading of every rule."""

from __future__ import annotations

from ..backends import Backend
from ..backends.pandas import PandasBackend
from .duckdb import DuckDBEngine


class PandasEngine(DuckDBEngine):
    name = "pandas"

    @classmethod
    def dialect(cls) -> None:
        return None

    def backend(self, relations: list[str]) -> Backend:
        return PandasBackend.from_relations(self.duck.con, relations)
