"""Pieces of DuckDB SQL built with sqlglot, so that no name or value is pasted into SQL text.

The loader binds what it can as `$name` parameters. The rest is built as sqlglot nodes:
names (a parameter is always a value), values in a view's body (a view cannot hold
parameters) and values that shape the query, such as a column's place in the contract.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlglot import exp

from . import sql_dialects


def identifier(name: str) -> str:
    """`name` as a quoted identifier: column names come from the file and may be anything."""
    return render(exp.to_identifier(name, quoted=True))


def struct(fields: Mapping[str, exp.Expression]) -> exp.Struct:
    """A struct literal `{'name': value, ...}`, its keys in the order of `fields`."""
    return exp.Struct(
        expressions=[exp.PropertyEQ(this=exp.Literal.string(name), expression=value) for name, value in fields.items()]
    )


def render(expression: exp.Expression) -> str:
    """DuckDB SQL for `expression`. A construct DuckDB lacks raises an error instead of rendering wrongly."""
    return sql_dialects.render(expression, sql_dialects.ReglementDuckDB)
