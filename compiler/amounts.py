"""Whole-number arithmetic over parameters: the amount of a duration (`($a + $b) months`), and a
number computed from parameters and numbers written in the rule alone (`count of … > 2 * $n`).

A parameter is a constant in a run, so such an expression is computed here, once the run's
parameters are known: every engine renders the number it comes to, none computes it in its own
arithmetic, and so they agree by construction. Its range is computed from the parameters'
ranges (interval arithmetic), so that the compiler can refuse an amount that some configuration
could push past a sane maximum or below zero.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping

from . import ir

# The largest amount of a duration: a parameter used in an amount ranges up to it unless its rule
# says otherwise, and an amount computed from parameters may not exceed it.
DURATION_MAX = {"years": 200, "months": 2400, "weeks": 10_440, "days": 73_000, "hours": 1_752_000}
_OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul}
_BINDS = {"+": 1, "-": 1, "*": 2}  # how tightly each operator binds, as the grammar has it


def constant(expr: ir.Expr) -> bool:
    """Literals and parameters joined by `+`, `-` and `*`: the same value for every row of a run."""
    return all(isinstance(n, (ir.Literal, ir.Param, ir.Arith)) for n in ir.walk(expr))


def value(expr: ir.Expr, bindings: Mapping[str, object]) -> object:
    """What a constant expression (see `constant`) comes to with the run's parameter values."""
    if isinstance(expr, ir.Literal):
        return expr.value
    if isinstance(expr, ir.Param):
        return bindings[expr.name]
    return _OPS[expr.op](value(expr.left, bindings), value(expr.right, bindings))


def amount_range(minimum: int | None, maximum: int | None, unit: str) -> tuple[int, int]:
    """The range of a parameter used in the amount of a duration of `unit`: its rule's own, else at least
    1 (an accidental zero term is refused; `min: 0` allows it) and at most `DURATION_MAX`."""
    return (1 if minimum is None else minimum), (DURATION_MAX[unit] if maximum is None else maximum)


def bounds(expr: ir.Expr, ranges: Mapping[str, tuple[int, int]]) -> tuple[int, int]:
    """The least and the greatest value a whole-number expression can take, each parameter anywhere
    in its range (interval arithmetic; a parameter written twice counts as two)."""
    if isinstance(expr, ir.Literal):
        return expr.value, expr.value
    if isinstance(expr, ir.Param):
        return ranges[expr.name]
    (a, b), (c, d) = bounds(expr.left, ranges), bounds(expr.right, ranges)
    if expr.op == "+":
        return a + c, b + d
    if expr.op == "-":
        return a - d, b - c
    products = (a * c, a * d, b * c, b * d)
    return min(products), max(products)


def text(expr: ir.Expr) -> str:
    """The expression as a rule writes it: `$a + $b`, `$years * 12`, `2 * ($a + 1)`."""
    if isinstance(expr, ir.Literal):
        return str(expr.value)
    if isinstance(expr, ir.Param):
        return f"${expr.name}"
    left, right = text(expr.left), text(expr.right)
    if isinstance(expr.left, ir.Arith) and _BINDS[expr.left.op] < _BINDS[expr.op]:
        left = f"({left})"
    if isinstance(expr.right, ir.Arith) and _BINDS[expr.right.op] <= _BINDS[expr.op]:
        right = f"({right})"
    return f"{left} {expr.op} {right}"


def amount_text(duration: ir.Duration) -> str:
    """The amount of a duration as written before its unit: `14`, `$term`, `($a + $b)`."""
    written = text(duration.amount)
    return f"({written})" if isinstance(duration.amount, ir.Arith) else written
