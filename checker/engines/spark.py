"""Spark: it reads the export's files itself (`intake/staging_spark.py`) and runs each check as
Spark SQL (`backends/spark.py`), for data beyond one machine.

An audit opens a session of its own (its own temporary views) over the running Spark
context, or starts a context for `--spark-master` (local[*] by default, spark://host:7077
for a cluster) and stops it at the end. Spreadsheets are not read (E716), and datasets in
a database are audited with the DuckDB or PostgreSQL engine.
"""

from __future__ import annotations

from sqlglot.dialects.dialect import Dialect

from ...compiler.config_sources import SourceError, database_of
from ...extras import require
from ..backends import Backend
from ..backends.spark import SparkBackend
from ..intake.staging_spark import SparkStore
from ..intake.store import Store
from ..sql_dialects import spark
from .engine import Engine

# Contract timestamps are local time without a zone: Spark's TIMESTAMP_NTZ, whatever the machine's zone.
# Java's charsets for the CSV reader: without it Spark reads no Windows-1252 (Excel on Windows), only
# UTF-8, UTF-16/32, ISO-8859-1 and ASCII.
SPARK_CONF = {"spark.sql.timestampType": "TIMESTAMP_NTZ", "spark.sql.session.timeZone": "UTC",
              "spark.sql.legacy.javaCharsets": "true",
              "spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false"}
# On one machine a few shuffle partitions beat Spark's 200 (a cluster keeps its own setting).
LOCAL_CONF = {"spark.sql.shuffle.partitions": "4"}


class SparkEngine(Engine):
    name = "spark"

    @classmethod
    def dialect(cls) -> type[Dialect]:
        return spark()

    def open(self) -> None:
        require("pyspark", "spark", "--engine spark")
        from pyspark.sql import SparkSession

        if database_of(self.settings.sources) is not None:
            raise SourceError("--engine spark reads an export's files; the datasets the configuration maps to "
                              "PostgreSQL are audited with --engine postgres or duckdb")
        running = SparkSession.getActiveSession()
        self._started = None if running is not None else start_spark(self.settings.spark_master)
        base = running or self._started
        self.spark = base.newSession()
        for key, value in session_conf(base.sparkContext.master).items():
            self.spark.conf.set(key, value)
        self.store = SparkStore(self.spark)

    def close(self) -> None:
        self.spark.catalog.clearCache()
        if self._started is not None:
            self._started.stop()

    @property
    def stores(self) -> tuple[Store, ...]:
        return (self.store,)

    def backend(self, relations: list[str]) -> Backend:
        return SparkBackend(self.spark)


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
