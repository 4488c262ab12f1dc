"""The Spark backend: each check is one Spark SQL query over the views the Spark intake created.

The IR is rendered in the Spark dialect of `sql_dialects.py`, which refuses what Spark
would compute differently; results come back as Arrow (`DataFrame.toArrow()`), never a
Python object per row, in the types DuckDB gives them in (`arrow_values.plain`). The session
is the Spark engine's (`checker/engines/spark.py`).
"""

from __future__ import annotations

import pyarrow as pa

from ..arrow_values import plain
from ..sql_dialects import spark
from .sql_backend import SqlBackend


class SparkBackend(SqlBackend):
    name = "spark"
    dialect = spark()
    pushdown = True

    def __init__(self, spark):
        self.spark = spark

    def arrow(self, query: str) -> pa.Table:
        return plain(self.spark.sql(query).toArrow())  # in DuckDB's types: the engines agree row for row
