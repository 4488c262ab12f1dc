"""The typed IR of a condition: frozen dataclasses, each with the span it came from.

The parser builds these with `type=None` and unbound columns; the resolver returns a
copy in which every node has its type and every column names the binding (`t0` for
the rule's own row, `t1`… for sub-query rows) it reads from. Renderers (SQL, pandas)
only ever see resolved trees.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import reduce

# Types of the language. Contract types plus number, duration and null.
STRING, NUMBER, BOOL, DATE, TIMESTAMP, DURATION, NULL = (
    "string", "number", "bool", "date", "timestamp", "duration", "null")
LIST = "list<string>"
ORDERED = (NUMBER, DATE, TIMESTAMP, STRING)  # the types whose values have an order (`<`, max, latest)


@dataclass(frozen=True)
class Span:
    """1-based line and column of a node inside the condition text, end exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class Node:
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True)
class Literal(Node):
    value: str | int | float | bool | dt.date | dt.datetime | None
    type: str


@dataclass(frozen=True)
class Param(Node):
    """`$name`: a rule parameter, or `$audit_date` or `$audit_time`; bound to a value when rendered."""

    name: str
    type: str | None = None


@dataclass(frozen=True)
class Duration(Node):
    """`14 days`, `$term months`, `($a + $b) months`: the amount is a whole number, a parameter, or `+`, `-`
    and `*` over them (`compiler/amounts.py` computes it once a run's parameters are known)."""

    amount: Literal | Param | Arith
    unit: str  # years, months, weeks, days, hours
    type: str = DURATION


@dataclass(frozen=True)
class Column(Node):
    name: str
    qualifier: str | None = None  # dataset name or alias written by the author
    binding: str | None = None  # resolved: t0, t1, …
    dataset: str | None = None  # resolved: the dataset the binding ranges over
    type: str | None = None


@dataclass(frozen=True)
class Not(Node):
    operand: Expr
    type: str = BOOL


@dataclass(frozen=True)
class Logical(Node):
    op: str  # and, or
    left: Expr
    right: Expr
    type: str = BOOL


@dataclass(frozen=True)
class Compare(Node):
    op: str  # = != < <= > >=
    left: Expr
    right: Expr
    type: str = BOOL


@dataclass(frozen=True)
class Arith(Node):
    op: str  # + - *  (`*` over whole numbers and parameters only)
    left: Expr
    right: Expr
    type: str | None = None


@dataclass(frozen=True)
class IsNull(Node):
    operand: Expr
    negated: bool
    type: str = BOOL


# The white space of "empty" (`is empty`), as the inside of a regular expression's character class:
# Python and every SQL engine read it alike, where their own `\s` differ.
WHITE_SPACE = r" \t\n\r\f"
BLANK_PATTERN = rf"^[{WHITE_SPACE}]*$"  # a text of white space only, as the engines' regular expressions test it


def blank(text: str) -> bool:
    """A text of white space only (or none): empty, as `is empty` means it."""
    return re.search(rf"[^{WHITE_SPACE}]", text) is None


@dataclass(frozen=True)
class IsEmpty(Node):
    """Null, or a string of only white space (`WHITE_SPACE`), or a list without items."""

    operand: Expr
    negated: bool
    type: str = BOOL


@dataclass(frozen=True)
class InList(Node):
    """`x [not] in [...]`, or `in $param` for a list-valued parameter (then `items` is empty).

    For a list `x`, `in` holds when every element is in the list and `not in` when some
    element is not.
    """

    operand: Expr
    items: tuple[Literal, ...]
    negated: bool
    param: Param | None = None
    type: str = BOOL


@dataclass(frozen=True)
class Contains(Node):
    container: Expr
    item: Expr
    type: str = BOOL


@dataclass(frozen=True)
class Call(Node):
    name: str
    args: tuple[Expr, ...]
    type: str | None = None


@dataclass(frozen=True)
class Source(Node):
    dataset: str
    alias: str | None = None
    binding: str | None = None  # resolved


@dataclass(frozen=True)
class Exists(Node):
    """`exists S where C` (negated=False) or `no S where C` (negated=True)."""

    source: Source
    where: Expr | None
    negated: bool
    type: str = BOOL


@dataclass(frozen=True)
class Aggregate(Node):
    """`latest|earliest|max|min COLUMN of S where C`, or `count of S where C`."""

    func: str  # latest earliest max min count
    column: Column | None  # None for count
    source: Source
    where: Expr | None
    type: str | None = None


@dataclass(frozen=True)
class Found(Node):
    """The row of `lookup` was found: made by the planner (`plan.py`) from an `exists` over
    a dataset's key, once that row is joined to the outer row under the binding `lookup`."""

    lookup: str
    type: str = BOOL


@dataclass(frozen=True)
class Neighbour(Node):
    """`next|previous COLUMN by ORDER`: the value of COLUMN in the next (previous) row of the rule's
    own dataset, its rows in order of ORDER and then of the key (each of its columns), so that rows of one ORDER value
    are ordered too; null for the last (first) row. Every engine computes it as a window over the
    whole dataset (LEAD/LAG), in one sort, never as a sub-query per row."""

    direction: str  # next, previous
    column: Column
    order: Column
    keys: tuple[Column, ...] = ()  # resolved: the dataset's key columns, the order's next parts
    type: str | None = None


Expr = (Literal | Param | Duration | Column | Not | Logical | Compare | Arith | IsNull
        | IsEmpty | InList | Contains | Call | Exists | Aggregate | Found | Neighbour)


def children(node: Node) -> list[Node]:
    """The direct sub-nodes of a node, in source order."""
    out: list[Node] = []
    for name in node.__dataclass_fields__:
        value = getattr(node, name)
        if isinstance(value, Node):
            out.append(value)
        elif isinstance(value, tuple):
            out.extend(v for v in value if isinstance(v, Node))
    return out


def walk(node: Node):
    """Every node of a tree, depth first (without recursion: a tree may be deep)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def depth(node: Node) -> int:
    """How many levels the tree has, counted without recursion."""
    deepest, stack = 0, [(node, 1)]
    while stack:
        current, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children(current))
    return deepest


def conjuncts(expr: Expr | None) -> list[Expr]:
    """The parts of a condition joined by `and`, in source order (none for no condition): the
    planner and both backends take a sub-query's `where` apart at them."""
    if expr is None:
        return []
    if isinstance(expr, Logical) and expr.op == "and":
        return conjuncts(expr.left) + conjuncts(expr.right)
    return [expr]


def conjoin(exprs: list[Expr] | tuple[Expr, ...]) -> Expr | None:
    """The parts joined by `and` again (None for no part)."""
    return reduce(lambda a, b: Logical(a.span, "and", a, b), exprs) if exprs else None
