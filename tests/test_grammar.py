"""Every construct of the condition language parses to the IR it means."""

from __future__ import annotations

import datetime as dt

import pytest

from reglement.compiler import ir
from reglement.compiler.diagnostics import Diagnostic, SourceText
from reglement.compiler.parse import parse_condition

S = None  # spans do not take part in equality


def col(name, qualifier=None):
    return ir.Column(S, name, qualifier)


def lit(value, type_):
    return ir.Literal(S, value, type_)


def parse(text: str) -> ir.Expr:
    result = parse_condition(SourceText("t.yaml", text, 1, 1))
    assert not isinstance(result, Diagnostic), result.render()
    return result


CASES = [
    ("string literal", "kind = 'user'", ir.Compare(S, "=", col("kind"), lit("user", ir.STRING))),
    ("escaped quote", r"name = 'd\'Hondt'", ir.Compare(S, "=", col("name"), lit("d'Hondt", ir.STRING))),
    ("number", "n >= 3", ir.Compare(S, ">=", col("n"), lit(3, ir.NUMBER))),
    ("decimal", "n < 2.5", ir.Compare(S, "<", col("n"), lit(2.5, ir.NUMBER))),
    ("booleans", "a = true or b != false",
     ir.Logical(S, "or", ir.Compare(S, "=", col("a"), lit(True, ir.BOOL)),
                ir.Compare(S, "!=", col("b"), lit(False, ir.BOOL)))),
    ("date literal", "d > 2026-02-28", ir.Compare(S, ">", col("d"), lit(dt.date(2026, 2, 28), ir.DATE))),
    ("timestamp literal", "ts <= 2026-02-28T13:45:00",
     ir.Compare(S, "<=", col("ts"), lit(dt.datetime(2026, 2, 28, 13, 45), ir.TIMESTAMP))),
    ("qualified column", "client_id = clients.client_id",
     ir.Compare(S, "=", col("client_id"), col("client_id", "clients"))),
    ("parameter and audit date", "d + $retention_years years < $audit_date",
     ir.Compare(S, "<", ir.Arith(S, "+", col("d"), ir.Duration(S, ir.Param(S, "retention_years"), "years")),
                ir.Param(S, "audit_date"))),
    ("singular units", "d - 1 day > e + 1 month",
     ir.Compare(S, ">", ir.Arith(S, "-", col("d"), ir.Duration(S, lit(1, ir.NUMBER), "days")),
                ir.Arith(S, "+", col("e"), ir.Duration(S, lit(1, ir.NUMBER), "months")))),
    ("weeks", "d + 4 weeks", ir.Arith(S, "+", col("d"), ir.Duration(S, lit(4, ir.NUMBER), "weeks"))),
    ("and binds tighter than or", "a = 1 or b = 2 and c = 3",
     ir.Logical(S, "or", ir.Compare(S, "=", col("a"), lit(1, ir.NUMBER)),
                ir.Logical(S, "and", ir.Compare(S, "=", col("b"), lit(2, ir.NUMBER)),
                           ir.Compare(S, "=", col("c"), lit(3, ir.NUMBER))))),
    ("not and parentheses", "not (a is null)", ir.Not(S, ir.IsNull(S, col("a"), False))),
    ("is not null", "a is not null", ir.IsNull(S, col("a"), True)),
    ("is empty", "a is empty", ir.IsEmpty(S, col("a"), False)),
    ("is not empty", "a is not empty", ir.IsEmpty(S, col("a"), True)),
    ("in list", "a in ['x', 'y']", ir.InList(S, col("a"), (lit("x", ir.STRING), lit("y", ir.STRING)), False)),
    ("not in list", "a not in ['x']", ir.InList(S, col("a"), (lit("x", ir.STRING),), True)),
    ("contains", "categories contains 'special'", ir.Contains(S, col("categories"), lit("special", ir.STRING))),
    ("functions", "elfproef(bsn) and lower(a) = coalesce(b, 'x') and date(ts) = date('2026-01-01')",
     ir.Logical(S, "and", ir.Logical(S, "and", ir.Call(S, "elfproef", (col("bsn"),)),
                                     ir.Compare(S, "=", ir.Call(S, "lower", (col("a"),)),
                                                ir.Call(S, "coalesce", (col("b"), lit("x", ir.STRING))))),
                ir.Compare(S, "=", ir.Call(S, "date", (col("ts"),)),
                           ir.Call(S, "date", (lit("2026-01-01", ir.STRING),))))),
    ("exists", "exists users where user_id = access_log.actor_id",
     ir.Exists(S, ir.Source(S, "users"), ir.Compare(S, "=", col("user_id"), col("actor_id", "access_log")), False)),
    ("no, with alias", "no caseload as c where c.user_id = actor_id",
     ir.Exists(S, ir.Source(S, "caseload", "c"), ir.Compare(S, "=", col("user_id", "c"), col("actor_id")), True)),
    ("where reaches right", "exists t where a = 1 and b = 2",
     ir.Exists(S, ir.Source(S, "t"), ir.Logical(S, "and", ir.Compare(S, "=", col("a"), lit(1, ir.NUMBER)),
                                                 ir.Compare(S, "=", col("b"), lit(2, ir.NUMBER))), False)),
    ("parentheses end a sub-query", "(exists t where a = 1) and b = 2",
     ir.Logical(S, "and", ir.Exists(S, ir.Source(S, "t"), ir.Compare(S, "=", col("a"), lit(1, ir.NUMBER)), False),
                ir.Compare(S, "=", col("b"), lit(2, ir.NUMBER)))),
    ("latest aggregate", "(latest contact_date of contacts where client_id = clients.client_id) < $audit_date",
     ir.Compare(S, "<", ir.Aggregate(S, "latest", col("contact_date"), ir.Source(S, "contacts"),
                                     ir.Compare(S, "=", col("client_id"), col("client_id", "clients"))),
                ir.Param(S, "audit_date"))),
    ("count aggregate", "count of contacts > 2",
     ir.Compare(S, ">", ir.Aggregate(S, "count", None, ir.Source(S, "contacts"), None, type=ir.NUMBER),
                lit(2, ir.NUMBER))),
    ("an amount added up from parameters", "d + ($a + $b) months",
     ir.Arith(S, "+", col("d"), ir.Duration(S, ir.Arith(S, "+", ir.Param(S, "a"), ir.Param(S, "b")), "months"))),
    ("an amount multiplied", "d - ($retention_years * 12) months",
     ir.Arith(S, "-", col("d"), ir.Duration(S, ir.Arith(S, "*", ir.Param(S, "retention_years"),
                                                         lit(12, ir.NUMBER)), "months"))),
    ("an amount in parentheses of its own", "d + (2 * $weeks) weeks",
     ir.Arith(S, "+", col("d"), ir.Duration(S, ir.Arith(S, "*", lit(2, ir.NUMBER), ir.Param(S, "weeks")), "weeks"))),
    ("a bare parameter in parentheses", "d + ($a) days", ir.Arith(S, "+", col("d"), ir.Duration(S, ir.Param(S, "a"),
                                                                                               "days"))),
    ("* binds tighter than + and -, both from the left", "d + ($a - $b * 2 + 1) days",
     ir.Arith(S, "+", col("d"), ir.Duration(S, ir.Arith(S, "+", ir.Arith(S, "-", ir.Param(S, "a"), ir.Arith(
         S, "*", ir.Param(S, "b"), lit(2, ir.NUMBER))), lit(1, ir.NUMBER)), "days"))),
    ("parentheses inside an amount", "d + (2 * ($a - 1)) days",
     ir.Arith(S, "+", col("d"), ir.Duration(S, ir.Arith(S, "*", lit(2, ir.NUMBER), ir.Arith(
         S, "-", ir.Param(S, "a"), lit(1, ir.NUMBER))), "days"))),
    ("arithmetic on parameters where a number is compared", "count of contacts > $a + $b * 2",
     ir.Compare(S, ">", ir.Aggregate(S, "count", None, ir.Source(S, "contacts"), None, type=ir.NUMBER),
                ir.Arith(S, "+", ir.Param(S, "a"), ir.Arith(S, "*", ir.Param(S, "b"), lit(2, ir.NUMBER))))),
    ("without parentheses the unit takes the last term only", "d + $a + $b months",
     ir.Arith(S, "+", ir.Arith(S, "+", col("d"), ir.Param(S, "a")), ir.Duration(S, ir.Param(S, "b"), "months"))),
    ("a parenthesised value without a unit is no duration", "($a + 1) = n",
     ir.Compare(S, "=", ir.Arith(S, "+", ir.Param(S, "a"), lit(1, ir.NUMBER)), col("n"))),
    ("comments and line breaks", "a = 1  # first\nand b = 2",
     ir.Logical(S, "and", ir.Compare(S, "=", col("a"), lit(1, ir.NUMBER)),
                ir.Compare(S, "=", col("b"), lit(2, ir.NUMBER)))),
]


@pytest.mark.parametrize("note,text,expected", CASES, ids=[c[0] for c in CASES])
def test_parses_to_ir(note: str, text: str, expected: ir.Expr) -> None:
    assert parse(text) == expected


def test_spans_point_into_the_text() -> None:
    tree = parse("a = 1 and\n  bb is null")
    right = tree.right
    assert (right.span.line, right.span.column) == (2, 3)
    assert (right.operand.span.line, right.operand.span.column, right.operand.span.end_column) == (2, 3, 5)


def test_the_span_of_an_amount_is_its_parentheses_inside() -> None:
    duration = parse("d + ($a + $b) months").right
    assert (duration.span.column, duration.span.end_column) == (5, 21)
    assert (duration.amount.span.column, duration.amount.span.end_column) == (6, 13)


@pytest.mark.parametrize("text, line, column, what, expected", [
    ("d + ($a / 2) days", 1, 9, "unexpected character '/' (there is no division: a duration counts whole units)",
     "*"),
    ("d + ($a +) days", 1, 10, "unexpected ')'", "a $parameter"),
    ("d + ($a * 2\n) dayz > e", 2, 3, "unexpected 'dayz'", "a unit (years, months, weeks, days, hours)"),
])
def test_errors_in_an_amount_name_line_column_and_what_was_expected(text, line, column, what, expected) -> None:
    result = parse_condition(SourceText("t.yaml", text, 1, 1))
    assert isinstance(result, Diagnostic)
    assert (result.code, result.location.line, result.location.column) == ("E201", line, column)
    assert result.message == f"syntax error: {what}"
    assert expected in result.hint
