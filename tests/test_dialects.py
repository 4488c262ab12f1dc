"""What a dialect would render wrongly is refused or rendered otherwise: sqlglot's output, checked as text.

These run without Spark or PostgreSQL; that the renderings compute the catalogue's answers
is shown by the engine tests (`test_engines_agree.py`, `test_spark.py`, `test_postgres.py`),
row for row.
"""

from __future__ import annotations

import pytest
from sqlglot import exp
from sqlglot.errors import UnsupportedError

from reglement.checker import engines
from reglement.checker.sql_dialects import render

DAY, TS = exp.column("d"), exp.column("ts")
DUCKDB, SPARK, POSTGRES = (engines.get(name).dialect() for name in ("duckdb", "spark", "postgres"))


def _shift(node, column, amount: int, unit: str) -> exp.Expression:
    return node(this=column.copy(), expression=exp.Literal.number(amount), unit=exp.Var(this=unit))


@pytest.mark.parametrize("unit", ["HOUR", "MINUTE", "SECOND"])
@pytest.mark.parametrize("node", [exp.DateAdd, exp.DateSub])
def test_spark_refuses_to_shift_a_date_by_less_than_a_day(node, unit):
    """sqlglot would print DATE_ADD(d, 3): three days, not three hours."""
    with pytest.raises(UnsupportedError, match=f"by whole days, not by {unit.lower()}s"):
        render(exp.select(_shift(node, DAY, 3, unit)), SPARK)


@pytest.mark.parametrize("node, unit, spark", [
    (exp.DateAdd, "DAY", "DATE_ADD(d, 3)"),
    (exp.DateAdd, "MONTH", "ADD_MONTHS(d, 3)"),  # clamps to the month's end, as the catalogue says
    (exp.DateSub, "YEAR", "ADD_MONTHS(d, -36)"),
])
def test_spark_shifts_a_date_by_days_and_months(node, unit, spark):
    assert render(_shift(node, DAY, 3, unit), SPARK) == spark


def test_spark_shifts_a_timestamp_as_a_timestamp():
    """Not DATE_ADD(ts, 3), which is a date: the time of day would be lost."""
    assert render(_shift(exp.TimestampAdd, TS, 72, "HOUR"), SPARK) == "DATE_ADD(HOUR, 72, ts)"
    assert render(_shift(exp.TimestampSub, TS, 1, "MONTH"), SPARK) == "ts - INTERVAL 1 MONTH"


def test_a_pattern_ends_at_the_very_end_of_the_text_in_java():
    """Java's `$` also matches before a final line break: '123456782\\n' would be nine digits."""
    like = exp.RegexpLike(this=exp.column("bsn"), expression=exp.Literal.string("^[0-9]{9}$"))
    assert render(like, SPARK) == "bsn RLIKE '^[0-9]{9}\\\\z'"
    assert render(like, DUCKDB) == "REGEXP_MATCHES(bsn, '^[0-9]{9}$')"
    escaped = exp.RegexpLike(this=exp.column("x"), expression=exp.Literal.string("costs \\$"))
    assert render(escaped, SPARK) == "x RLIKE 'costs \\\\$'"


def test_postgres_counts_an_empty_list_as_zero_elements():
    """ARRAY_LENGTH(x, 1) is NULL for an empty array, so `categories is empty` would never hold."""
    assert render(exp.ArraySize(this=exp.column("categories")), POSTGRES) == "CARDINALITY(categories)"


def test_a_refused_rendering_is_the_rules_error_in_words_of_our_own():
    from reglement.checker.engine_errors import engine_failure
    from reglement.compiler import ir
    from reglement.compiler.model import Check

    check = Check("requests", ("request_id",), ir.Literal(ir.Span(1, 1, 1, 5), True, ir.BOOL))
    assert engine_failure("spark", check, UnsupportedError("DATE_ADD(d, 3)")) == (
        "the spark engine cannot express the check in its SQL without changing its meaning, so no query was run "
        "(`reglement explain RULE --dialect …` names the construct); run the rule on DuckDB while checking requests")
