"""The Spark backend: each check is one Spark SQL query over the views the Spark intake created.

The IR is rendered in the `spark` dialect of `sql_dialects.py`, which refuses what Spark
would compute differently; results come back as Arrow (`DataFrame.toArrow()`), never a
Python object per row, in the types DuckDB gives them in (`like_duckdb`). `spark_session`
opens the session an audit runs in: a new session (its own temporary views) over the
running Spark context, or a new context for `master`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pyarrow as pa

from .sql_backend import SqlBackend

# Contract timestamps are local time without a zone: Spark's TIMESTAMP_NTZ, whatever the machine's zone.
SPARK_CONF = {"spark.sql.timestampType": "TIMESTAMP_NTZ", "spark.sql.session.timeZone": "UTC",
              "spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false"}
# On one machine a few shuffle partitions beat Spark's 200 (a cluster keeps its own setting).
LOCAL_CONF = {"spark.sql.shuffle.partitions": "4"}


def session_conf(master: str) -> dict[str, str]:
    """What every session of an audit sets: the contract's timestamps, and few partitions on one machine."""
    conf = {k: v for k, v in SPARK_CONF.items() if not k.startswith("spark.ui")}
    return conf | LOCAL_CONF if master.startswith("local") else conf


def start_spark(master: str = "local[*]"):
    """A Spark context for `master` (the JVM starts here: seconds), quiet on the console."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master(master).appName("reglement")
    for key, value in SPARK_CONF.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


class SparkBackend(SqlBackend):
    name = "spark"
    dialect = "spark"
    pushdown = True

    def __init__(self, spark):
        self.spark = spark

    def arrow(self, query: str) -> pa.Table:
        return like_duckdb(self.spark.sql(query).toArrow())


def like_duckdb(table: pa.Table) -> pa.Table:
    """Spark's Arrow in the types DuckDB gives: every column and list item nullable, plain strings and lists.

    `toArrow()` keeps Spark's own variants: a list that `split` made from a CSV cell holds
    `element: string not null`, and a column Spark knows has no null (a file name) is
    `not null`. The report's Arrow kernels need not take every variant (`pc.binary_join` has
    no kernel for a list of non-null strings: issue #20), and findings must not depend on
    the engine that found them, so they are made the same here, where Spark's rows come in.
    """
    schema = pa.schema([pa.field(f.name, _plain(f.type)) for f in table.schema], metadata=table.schema.metadata)
    return table if schema == table.schema else table.cast(schema)


def _plain(kind: pa.DataType) -> pa.DataType:
    """The type DuckDB gives for a value of `kind`: a plain string, a list of nullable items."""
    if pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
        return pa.string()
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        return pa.list_(_plain(kind.value_type))
    return kind


@contextmanager
def spark_session(master: str = "local[*]") -> Iterator[object]:
    """A Spark session of its own for one audit; the Spark context is started for it unless one runs."""
    from pyspark.sql import SparkSession

    running = SparkSession.getActiveSession()
    base = running or start_spark(master)
    spark = base.newSession()
    for key, value in session_conf(base.sparkContext.master).items():
        spark.conf.set(key, value)
    try:
        yield spark
    finally:
        spark.catalog.clearCache()
        if running is None:
            base.stop()
