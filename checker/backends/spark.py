"""The Spark backend: each check is one Spark SQL query over the views the Spark intake created.

The IR is rendered in the `spark` dialect of `sql_dialects.py`, which refuses what Spark
would compute differently; results come back as Arrow (`DataFrame.toArrow()`), never a
Python object per row. `spark_session` opens the session an audit runs in: a new session
(its own temporary views) over the running Spark context, or a new context for `master`.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import pyarrow as pa

from .sql_backend import SqlBackend

# Contract timestamps are local time without a zone: Spark's TIMESTAMP_NTZ, whatever the machine's zone.
SPARK_CONF = {"spark.sql.timestampType": "TIMESTAMP_NTZ", "spark.sql.session.timeZone": "UTC",
              "spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false",
              "spark.sql.shuffle.partitions": "4"}


class SparkBackend(SqlBackend):
    name = "spark"
    dialect = "spark"

    def __init__(self, spark):
        self.spark = spark

    def arrow(self, query: str) -> pa.Table:
        return self.spark.sql(query).toArrow()


@contextmanager
def spark_session(master: str = "local[*]") -> Iterator[object]:
    """A Spark session of its own for one audit; the Spark context is started for it unless one runs."""
    from pyspark.sql import SparkSession

    running = SparkSession.getActiveSession()
    base = running
    if base is None:
        builder = SparkSession.builder.master(master).appName("reglement")
        for key, value in SPARK_CONF.items():
            builder = builder.config(key, value)
        base = builder.getOrCreate()
        base.sparkContext.setLogLevel("ERROR")
    spark = base.newSession()
    for key, value in SPARK_CONF.items():
        if not key.startswith("spark.ui"):
            spark.conf.set(key, value)
    try:
        yield spark
    finally:
        spark.catalog.clearCache()
        if running is None:
            base.stop()
