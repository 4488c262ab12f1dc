"""Spark's store: the export's files read by Spark itself, untyped, with their row numbers.

The same contract as `staging.py`, in Spark's terms: CSV as text (the header read here,
every field a string), JSON Lines and JSON as one VARIANT per value (so that a text can
be told from a number, as DuckDB's JSON type does), Parquet as its file declares it,
a table in memory as Arrow declares it. The one validator (`validate.py`) then checks
and types every staged relation, rendered as Spark SQL; what a VARIANT means where
DuckDB has JSON is said here, in the store's forms (`json_kind`, `json_as`, …).

Spark does not read spreadsheets: an `.xlsx` export is error E716, never skipped.
Spark's own read errors are not passed on: they may quote a line of the file.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyarrow as pa
from sqlglot import exp

from ...datasets import Dataset
from ..arrow_values import plain
from ..sql_dialects import render, spark
from .csv_dialect import first_bad_byte, record_lines
from .errors import MAX_ERRORS_PER_SOURCE, DataError
from .sources import JSON_TEXT, Source
from .staging import (
    CSV_PROBLEMS,
    FILE,
    ROW,
    UNREADABLE,
    Staged,
    Unreadable,
    header_names,
    json_unreadable,
    not_utf8,
    renamed,
    sniffed,
)
from .store import Store
from .validate import SQL_TYPES

SPARK_FORMATS = ("csv", "jsonl", "json", "parquet", "arrow")
_CORRUPT = "__reglement_corrupt"
# Spark's type names as the validator knows them (DuckDB's words, `validate.kind_of`).
_TYPES = {"string": "VARCHAR", "bigint": "BIGINT", "int": "INTEGER", "smallint": "SMALLINT", "tinyint": "TINYINT",
          "double": "DOUBLE", "float": "FLOAT", "date": "DATE", "timestamp_ntz": "TIMESTAMP",
          "timestamp": "TIMESTAMP WITH TIME ZONE", "boolean": "BOOLEAN", "array<string>": "VARCHAR[]",
          "array<void>": '"NULL"[]', "variant": "JSON", "void": '"NULL"'}


def duckdb_type(spark_type: str) -> str:
    if spark_type.startswith("decimal"):
        return "DECIMAL"
    return _TYPES.get(spark_type, spark_type.upper())


_VARIANT_AS = {"VARCHAR": "string", "DOUBLE": "double", "VARCHAR[]": "array<string>", "JSON[]": "array<variant>"}


class SparkStore(Store):
    """The intake in a Spark session: temporary views, the typed ones cached where the source was text."""

    dialect = spark()
    ordered_scan = False  # Spark reads a file in parallel splits: repeated keys are counted at once

    def __init__(self, spark):
        self.spark = spark

    # -- what a VARIANT means where DuckDB has JSON ----------------------------------------
    @classmethod
    def json_text(cls, ref: exp.Expression) -> exp.Expression:
        return cls.json_as(ref, "VARCHAR")

    @classmethod
    def json_kind(cls, ref: exp.Expression) -> exp.Expression:
        kind = exp.func("schema_of_variant", ref)

        def like(prefix: str) -> exp.Expression:
            return exp.Like(this=kind.copy(), expression=exp.Literal.string(f"{prefix}%"))

        names = [(kind.copy().eq("STRING"), "VARCHAR"), (like("ARRAY"), "ARRAY"), (like("OBJECT"), "OBJECT"),
                 (kind.copy().isin("TINYINT", "SMALLINT", "INT", "BIGINT"), "BIGINT"),
                 (exp.or_(kind.copy().isin("FLOAT", "DOUBLE"), like("DECIMAL")), "DOUBLE"),
                 (kind.copy().eq("BOOLEAN"), "BOOLEAN"), (kind.copy().eq("VOID"), "NULL")]
        return exp.paren(exp.Case(ifs=[exp.If(this=test, true=exp.Literal.string(name)) for test, name in names],
                                  default=exp.Literal.string("OTHER")))

    @classmethod
    def json_as(cls, ref: exp.Expression, sql_type: str) -> exp.Expression:
        """NULL where the value is not of that kind."""
        return exp.func("try_variant_get", ref, exp.Literal.string("$"), exp.Literal.string(_VARIANT_AS[sql_type]))

    @classmethod
    def json_all(cls, ref: exp.Expression, test: exp.Lambda) -> exp.Expression:
        return exp.func("forall", cls.json_as(ref, "JSON[]"), test)

    @classmethod
    def split(cls, text: exp.Expression) -> exp.Expression:
        return exp.Split(this=text, expression=exp.Literal.string(";"))

    def takes(self, source: Source) -> bool:
        return True

    def rows(self, query: str) -> list[tuple]:
        return [tuple(row) for row in self.spark.sql(query).collect()]

    def stage(self, source: Source, name: str, types: dict[str, str]) -> Staged:
        from py4j.protocol import Py4JJavaError
        from pyspark.errors import PySparkException

        if source.format not in SPARK_FORMATS:
            raise Unreadable([DataError(source.label, "E716", "Spark reads Parquet, CSV, JSON Lines and JSON, not "
                                                              f"{source.format.upper()}: convert the file, or audit "
                                                              "it with --engine duckdb")])
        stagers = {"csv": self._csv, "jsonl": self._json, "json": self._json, "parquet": self._parquet,
                   "arrow": self._arrow}
        try:
            frame, copied = stagers[source.format](source, {source.column(c): t for c, t in types.items()})
            frame = self._renamed(source, frame) if source.columns else frame
            frame.createOrReplaceTempView(name)
            described = [(f.name, duckdb_type(f.dataType.simpleString())) for f in frame.schema.fields]
        except (PySparkException, Py4JJavaError):
            raise Unreadable([DataError(source.label, "E703", UNREADABLE[source.format])]) from None
        columns = {column: kind for column, kind in described if column not in (ROW, FILE)}
        return Staged(source, exp.to_table(name, quoted=True), columns, copied, (("VIEW", name),))

    @staticmethod
    def _renamed(source: Source, frame):
        """The source's columns under the contract's names, as `staging.renamed` maps them (E714 alike)."""
        from pyspark.sql import functions as F

        names = renamed(source, [c for c in frame.columns if c not in (ROW, FILE)])
        kept = [c for c in (ROW, FILE) if c in frame.columns]
        return frame.select(*kept, *[F.col(f"`{_tick(c)}`").alias(n) for c, n in names.items()])

    def drop(self, staged: Staged) -> None:
        for _, name in staged.temporary:
            self.spark.catalog.dropTempView(name)

    def create(self, dataset: Dataset, typed: str, copied: bool) -> None:
        frame = self.spark.sql(typed)
        frame.createOrReplaceTempView(dataset.name)
        if copied:  # a text source is parsed once, not once per rule
            self.spark.catalog.cacheTable(dataset.name)

    def create_empty(self, dataset: Dataset) -> None:
        empty = exp.select(*[exp.alias_(exp.cast(exp.null(), SQL_TYPES[c.type]), c.name, quoted=True)
                             for c in dataset.columns]).where(exp.false())
        self.spark.sql(render(empty, self.dialect)).createOrReplaceTempView(dataset.name)

    def register(self, name: str, table: pa.Table) -> None:
        self.spark.createDataFrame(table).createOrReplaceTempView(name)

    # -- the stagers: each gives a DataFrame with ROW (and FILE), and whether it is copied --
    def _numbered(self, frame):
        from pyspark.sql import Window
        from pyspark.sql import functions as F

        order = Window.orderBy(F.monotonically_increasing_id())  # the order Spark read the lines in
        return frame.select(F.row_number().over(order).cast("bigint").alias(ROW), "*")

    def _csv(self, source: Source, types: dict[str, str]):
        """Every field a string; a malformed line (too many or too few fields, a quote left open) is E710, and
        so is a byte that is not of the file's encoding, which Spark's reader would read as U+FFFD."""
        from pyspark.sql import functions as F
        from pyspark.sql.types import StringType, StructField, StructType

        dialect = sniffed(source)
        names = header_names(source, dialect)
        schema = StructType([StructField(c, StringType()) for c in names] + [StructField(_CORRUPT, StringType())])
        frame = (self.spark.read.schema(schema)
                 .csv(str(source.paths[0]), header=True, multiLine=True, quote='"', escape='"',
                      sep=dialect.separator, encoding=dialect.encoding,
                      mode="PERMISSIVE", columnNameOfCorruptRecord=_CORRUPT, enforceSchema=True))
        numbered = self._numbered(frame).cache()
        corrupt = numbered.where(F.col(_CORRUPT).isNotNull())
        broken = corrupt.select(ROW, _CORRUPT).orderBy(ROW).limit(MAX_ERRORS_PER_SOURCE).collect()
        if broken:
            lines = record_lines(source.paths[0], dialect, [row for row, _ in broken])
            raise Unreadable([_csv_problem(source, len(names), row, text, lines.get(row)) for row, text in broken],
                             corrupt.count())
        replaced = F.greatest(*[F.instr(F.col(f"`{_tick(c)}`"), "\ufffd") for c in names], F.lit(0)) > 0
        if numbered.where(replaced).limit(1).count():
            _not_decoded(source, dialect.encoding)
        return numbered.drop(_CORRUPT), True

    def _json(self, source: Source, types: dict[str, str]):
        """One VARIANT column per key seen in any object, in the order keys first appear."""
        from pyspark.sql import functions as F

        path = str(source.paths[0])
        if source.format == "jsonl":
            lines = self._numbered(self.spark.read.text(path).where(F.trim("value") != ""))
        else:  # an array of objects: each element's text, in order
            whole = self.spark.read.text(path, wholetext=True)
            elements = F.from_json("value", "array<string>")
            if whole.where(elements.isNull()).limit(1).count():
                raise json_unreadable(source)
            lines = whole.select(F.posexplode(elements).alias("pos", "value")).select(
                (F.col("pos") + 1).cast("bigint").alias(ROW), "value")
        parsed = lines.select(ROW, F.col("value"), F.try_parse_json("value").alias("parsed")).cache()
        objects = F.col("parsed").isNotNull() & F.schema_of_variant("parsed").startswith("OBJECT")
        if parsed.where(~objects).limit(1).count():
            raise json_unreadable(source)
        keyed = parsed.select(ROW, F.posexplode(F.json_object_keys("value")).alias("pos", "key"))
        names = [r.key for r in keyed.groupBy("key").agg(F.min(F.struct(ROW, "pos")).alias("first"))
                 .orderBy("first").collect()]
        if not names:  # no object: a dataset without rows, with the contract's columns
            names = list(types)
        columns = [F.try_variant_get("parsed", f"$[{_json_key(source, key)}]", "variant") for key in names]
        # a JSON null is SQL's NULL, as in DuckDB's JSON columns
        return parsed.select(ROW, *[F.when(~F.is_variant_null(c), c).alias(k) for c, k in zip(columns, names)]), True

    def _parquet(self, source: Source, types: dict[str, str]):
        """Read in place, row numbers from the file itself; a folder's files by name, with the file of each row."""
        from pyspark.sql import functions as F

        frame = self.spark.read.option("mergeSchema", "true").parquet(*[str(p) for p in source.paths])
        own = [F.col(f"`{_tick(c)}`") for c in frame.columns]
        row = (F.col("_metadata.row_index") + 1).cast("bigint").alias(ROW)
        if source.folder:
            folder = str(Path(source.paths[0]).parent)
            file = F.concat(F.lit(folder + "/"), F.col("_metadata.file_name")).alias(FILE)
            return frame.select(row, file, *own), False
        return frame.select(row, *own), False

    def _arrow(self, source: Source, types: dict[str, str]):
        """A table in memory, sent to Spark as Arrow; mixed-kind columns (JSON text) become VARIANT."""
        from pyspark.sql import functions as F

        table = plain(source.table)  # the kinds Spark takes (polars sends string views)
        rows = pa.array(range(1, table.num_rows + 1), pa.int64())
        frame = self.spark.createDataFrame(table.append_column(ROW, rows))
        columns = [F.try_parse_json(F.col(f"`{_tick(f.name)}`")).alias(f.name) if f.metadata == JSON_TEXT
                   else F.col(f"`{_tick(f.name)}`") for f in table.schema]
        return frame.select(ROW, *columns), False


def _csv_problem(source: Source, expected: int, row: int, text: str, line: int | None) -> DataError:
    """A record Spark could not split, at its file line in DuckDB's words: how many fields it has, or a
    stray quote. The record itself is only counted, never shown."""
    try:
        found = len(next(csv.reader(io.StringIO(text)), []))
    except csv.Error:
        found = expected
    if found != expected:
        return DataError(source.label, "E710", f"expected {expected} fields, found {found}", row, line=line)
    return DataError(source.label, "E710", CSV_PROBLEMS["UNQUOTED VALUE"], row, line=line)


def _not_decoded(source: Source, encoding: str) -> None:
    """A U+FFFD in a field: a byte the reader could not decode (E710), unless the UTF-8 file holds the
    character itself."""
    if encoding != "utf-8":  # no text in Windows-1252 and the like is U+FFFD
        raise Unreadable([DataError(source.label, "E710", f"not valid {encoding}: pass --encoding with the "
                                                          "encoding the file was saved in")])
    bad = first_bad_byte(source.paths[0])
    if bad is not None:
        raise Unreadable([not_utf8(source, bad)])


def _tick(name: str) -> str:
    return name.replace("`", "``")


def _json_key(source: Source, key: str) -> str:
    """A key in a VARIANT path, `'key'`; a key that would need escaping there is refused."""
    if "'" in key or "\\" in key or "`" in key:
        raise Unreadable([DataError(source.label, "E703", "has a key with a quote or backslash, which Spark's "
                                                          "VARIANT paths cannot name")])
    return f"'{key}'"
