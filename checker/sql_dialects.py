"""The SQL dialects reglement runs, as sqlglot dialects that override only what they must.

sqlglot prints one expression tree for many engines, but a few of its renderings are
silently wrong for the catalogue's semantics; each override below fixes one or turns it
into an error (`sqlglot.errors.UnsupportedError`, raised at render time, before any
query runs), never a wrong query:

- Spark: a sub-day shift of a date (`DATE_ADD(d, 3)` would be 3 *days*) is refused;
  `$` in a pattern becomes `\\z`, since Java's `$` also matches before a final line
  break (`'123456782\\n'` would pass as nine digits);
- PostgreSQL: the size of a list is `CARDINALITY`, since `ARRAY_LENGTH(x, 1)` is NULL
  for an empty list and `x is empty` would never hold.

One override is for speed, and changes no result: DuckDB (2.0) tests `column IN (list)`
in a filter it cannot push into the scan (a fused scan's OR of flags) in time that grows
with the list, while `column = a OR column = b …` stops at the first match
(`benchmarks/bench_sql_shapes.py` times the access log's fused scan both ways). The two
mean the same in SQL's three-valued logic, null items included.

Timestamps are shifted with `TimestampAdd`/`TimestampSub` (`sql.py`), which every
dialect renders as timestamp arithmetic; by hours, with `RealHours`: the wall clock of the
audit's zone turned into an instant, shifted, and turned back, so that 72 hours across a
clock change are 72 elapsed hours. sqlglot's `FromTimeZone` (wall clock → UTC) and
`ConvertTimezone` (UTC → wall clock) say that in every dialect; DuckDB's ICU does it in two
calls rather than four (`timezone`). A wall clock the autumn change shows twice is read as
its second (winter time) occurrence, as DuckDB's ICU and PostgreSQL read it; Spark (Java)
reads the first, and is told to read the second. In Spark a `TIMESTAMPTZ` is
`TIMESTAMP_LTZ`: its plain `TIMESTAMP` is the session's `TIMESTAMP_NTZ`. Each engine names
its dialect (`checker/engines/`); the dialects are not listed by name anywhere else.
"""

from __future__ import annotations

import re
from functools import cache
from typing import ClassVar

from sqlglot import ErrorLevel, exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.dialects.duckdb import DuckDB

_DATE_UNITS = {"DAY", "WEEK", "MONTH", "QUARTER", "YEAR"}
_END = re.compile(r"(?<!\\)\$$")  # a pattern's final, unescaped `$`


def _spark_shift(base):
    def render(self, e: exp.Expression) -> str:
        unit = e.text("unit").upper() or "DAY"
        if unit not in _DATE_UNITS:
            self.unsupported(f"Spark's DATE_ADD shifts a date by whole days, not by {unit.lower()}s")
        return base(self, e)
    return render


def _java_pattern(e: exp.Expression) -> exp.Expression:
    pattern = e.expression
    if isinstance(pattern, exp.Literal) and pattern.is_string and _END.search(pattern.this):
        return e.__class__(this=e.this, expression=exp.Literal.string(_END.sub(r"\\z", pattern.this)))
    return e


class RealHours(exp.Expression, exp.Func):
    """`this` (a wall clock of `zone`) shifted by `expression` elapsed hours."""

    arg_types: ClassVar = {"this": True, "expression": True, "zone": True}


def _utc(value: exp.Expression, zone: exp.Expression) -> exp.Expression:
    return exp.FromTimeZone(this=value, zone=zone)


def _real_hours(utc):
    """`RealHours` through UTC, with `utc` the dialect's wall clock → UTC."""
    def render(self, e: RealHours) -> str:
        shifted = exp.TimestampAdd(this=utc(e.this, e.args["zone"]), expression=e.expression, unit=exp.Var(this="HOUR"))
        return self.sql(exp.ConvertTimezone(source_tz=exp.Literal.string("UTC"), target_tz=e.args["zone"],
                                            timestamp=shifted))
    return render


def _duckdb_real_hours(self, e: RealHours) -> str:
    instant = exp.func("timezone", e.args["zone"], e.this)
    hours = exp.Interval(this=e.expression, unit=exp.Var(this="HOUR"))
    return self.sql(exp.func("timezone", e.args["zone"].copy(), exp.Add(this=instant, expression=hours)))


def _spark_utc(self, e: exp.FromTimeZone) -> str:
    """Spark's wall clock → UTC, reading a wall clock the zone shows twice as the second time it shows it (as
    DuckDB and PostgreSQL do; Java takes the first): the reading three hours later, moved back three hours,
    where that shows the same wall clock."""
    value, zone = e.this, e.args["zone"]
    three = exp.Interval(this=exp.Literal.string("3"), unit=exp.Var(this="HOUR"))
    later = exp.Sub(this=exp.func("TO_UTC_TIMESTAMP", exp.Add(this=value.copy(), expression=three.copy()),
                                  zone.copy()), expression=three)
    same = exp.EQ(this=exp.func("FROM_UTC_TIMESTAMP", later.copy(), zone.copy()), expression=value.copy())
    return self.sql(exp.Case(ifs=[exp.If(this=same, true=later)],
                             default=exp.func("TO_UTC_TIMESTAMP", value.copy(), zone.copy())))


def _equalities(base):
    """`column IN (a, b)` as `(column = a OR column = b)`; any other IN as `base` renders it."""
    def render(self, e: exp.In) -> str:
        items = e.expressions
        if (not isinstance(e.this, exp.Column) or not items
                or any(not isinstance(i, (exp.Literal, exp.Null)) for i in items)
                or e.args.get("query") or e.args.get("unnest") or e.args.get("field")):
            return base(self, e)
        return self.sql(exp.paren(exp.or_(*[exp.EQ(this=e.this.copy(), expression=i.copy()) for i in items])))
    return render


class ReglementDuckDB(DuckDB):
    class Generator(DuckDB.Generator):
        TRANSFORMS: ClassVar = {**DuckDB.Generator.TRANSFORMS, exp.In: _equalities(DuckDB.Generator.in_sql),
                                RealHours: _duckdb_real_hours}


@cache
def spark() -> type[Dialect]:
    """Spark's dialect, built when first asked for: a DuckDB audit does without sqlglot's Spark."""
    from sqlglot.dialects.spark import Spark

    class ReglementSpark(Spark):
        class Generator(Spark.Generator):
            TRANSFORMS: ClassVar = {
                **Spark.Generator.TRANSFORMS,
                exp.DateAdd: _spark_shift(Spark.Generator.TRANSFORMS[exp.DateAdd]),
                exp.DateSub: _spark_shift(Spark.Generator.TRANSFORMS[exp.DateSub]),
                exp.RegexpLike: lambda self, e: self.binary(_java_pattern(e), "RLIKE"),
                RealHours: _real_hours(_utc),
                exp.FromTimeZone: _spark_utc,
            }
            TYPE_MAPPING: ClassVar = {**Spark.Generator.TYPE_MAPPING, exp.DataType.Type.TIMESTAMPTZ: "TIMESTAMP_LTZ"}
    return ReglementSpark


@cache
def postgres() -> type[Dialect]:
    """PostgreSQL's dialect, built when first asked for."""
    from sqlglot.dialects.postgres import Postgres

    class ReglementPostgres(Postgres):
        class Generator(Postgres.Generator):
            TRANSFORMS: ClassVar = {
                **Postgres.Generator.TRANSFORMS,
                exp.ArraySize: lambda self, e: self.func("CARDINALITY", e.this),
                RealHours: _real_hours(_utc),
            }
    return ReglementPostgres


def render(expression: exp.Expression, dialect: type[Dialect], pretty: bool = False) -> str:
    """`expression` in `dialect`; what the dialect cannot express raises instead of rendering wrongly."""
    return expression.sql(dialect=dialect, pretty=pretty, unsupported_level=ErrorLevel.RAISE)
