"""Front door of the compiler: condition text → IR, or a diagnostic with a caret.

The Lark tree never leaves this module: `_ToIR` lowers it at once into the frozen
dataclasses of `ir.py`, so later stages never branch on `len(tree.children)`.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from importlib.resources import files

from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from . import ir
from .diagnostics import Diagnostic, SourceText

# Terminal names as a rule author knows them.
_WORDS = {
    "NAME": "a name", "STRING": "a value", "INT": "a value", "DECIMAL": "a value", "DATE": "a value",
    "TIMESTAMP": "a value", "TRUE": "a value", "FALSE": "a value", "NULL": "a value", "PARAM": "a $parameter",
    "UNIT": "a unit (years, months, weeks, days, hours)", "COMPARE": "a comparison (=, !=, <, <=, >, >=)",
    "ADD_OP": "+ or -", "MUL_OP": "*", "LPAR": "'('", "RPAR": "')'", "LSQB": "'['", "RSQB": "']'", "COMMA": "','",
    "DOT": "'.'", "AND": "'and'", "OR": "'or'", "NOT": "'not'", "IS": "'is'", "IN": "'in'",
    "CONTAINS": "'contains'", "WHERE": "'where'", "OF": "'of'", "AS": "'as'",
    "EMPTY": "'empty'", "EXISTS": "'exists'/'no'", "NO": "'exists'/'no'", "LATEST": "an aggregate (latest … of …)",
    "EARLIEST": "an aggregate (latest … of …)", "MAX": "an aggregate (latest … of …)",
    "MIN": "an aggregate (latest … of …)", "COUNT": "an aggregate (latest … of …)",
    "NEXT": "'next'/'previous'", "PREVIOUS": "'next'/'previous'", "BY": "'by'",
    "$END": "the end of the condition",
}


@cache
def _parser() -> Lark:
    grammar = files(__package__).joinpath("condition.lark").read_text("utf-8")
    return Lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=True)


def _span(meta) -> ir.Span:
    return ir.Span(meta.line, meta.column, meta.end_line, meta.end_column)


def _token_span(tok: Token) -> ir.Span:
    return ir.Span(tok.line, tok.column, tok.end_line, tok.end_column)


def _unquote(text: str) -> str:
    return text[1:-1].replace("\\'", "'").replace("\\\\", "\\")


@v_args(meta=True)
class _ToIR(Transformer):
    """Each method lowers one grammar rule (by its `-> alias`) into an IR node."""

    def string(self, meta, c):
        return ir.Literal(_span(meta), _unquote(c[0]), ir.STRING)

    def number(self, meta, c):
        text = str(c[0])
        return ir.Literal(_span(meta), float(text) if "." in text else int(text), ir.NUMBER)

    def date(self, meta, c):
        return ir.Literal(_span(meta), dt.date.fromisoformat(c[0]), ir.DATE)

    def timestamp(self, meta, c):
        return ir.Literal(_span(meta), dt.datetime.fromisoformat(c[0]), ir.TIMESTAMP)

    def true(self, meta, _):
        return ir.Literal(_span(meta), True, ir.BOOL)

    def false(self, meta, _):
        return ir.Literal(_span(meta), False, ir.BOOL)

    def null(self, meta, _):
        return ir.Literal(_span(meta), None, ir.NULL)

    def param(self, meta, c):
        return ir.Param(_span(meta), c[0][1:])

    def duration(self, meta, c):
        amount, unit = c
        if not isinstance(amount, Token):  # `($a + $b) months`: the amount is an expression
            node = amount
        elif amount.type == "PARAM":
            node = ir.Param(_token_span(amount), amount[1:])
        else:
            node = ir.Literal(_token_span(amount), int(amount), ir.NUMBER)
        return ir.Duration(_span(meta), node, str(unit) if unit.endswith("s") else f"{unit}s")

    def column(self, meta, c):
        if c[1] is None:
            return ir.Column(_span(meta), str(c[0]))
        return ir.Column(_span(meta), str(c[1]), qualifier=str(c[0]))

    def list(self, meta, c):
        return tuple(x for x in c if x is not None)

    def source(self, meta, c):
        return ir.Source(_span(meta), str(c[0]), str(c[1]) if c[1] is not None else None)

    def or_(self, meta, c):
        return ir.Logical(_span(meta), "or", c[0], c[1])

    def and_(self, meta, c):
        return ir.Logical(_span(meta), "and", c[0], c[1])

    def not_(self, meta, c):
        return ir.Not(_span(meta), c[0])

    def compare(self, meta, c):
        return ir.Compare(_span(meta), str(c[1]), c[0], c[2])

    def arith(self, meta, c):
        return ir.Arith(_span(meta), str(c[1]), c[0], c[2])

    def is_null(self, meta, c):
        return ir.IsNull(_span(meta), c[0], c[1] is not None)

    def is_empty(self, meta, c):
        return ir.IsEmpty(_span(meta), c[0], c[1] is not None)

    def in_list(self, meta, c):
        operand, negated, items = c
        if isinstance(items, Token):  # a list-valued $parameter
            return ir.InList(_span(meta), operand, (), negated is not None, ir.Param(_token_span(items), items[1:]))
        return ir.InList(_span(meta), operand, items, negated is not None)

    def contains(self, meta, c):
        return ir.Contains(_span(meta), c[0], c[1])

    def call(self, meta, c):
        name, *args = c
        return ir.Call(_span(meta), str(name), tuple(a for a in args if a is not None))

    def extreme(self, meta, c):
        word, *args = c
        return ir.Call(_span(meta), str(word), tuple(args))

    def quantified(self, meta, c):
        word, source, where = c
        return ir.Exists(_span(meta), source, where, negated=(word == "no"))

    def aggregate(self, meta, c):
        func, column, source, where = c
        return ir.Aggregate(_span(meta), str(func), ir.Column(_token_span(column), str(column)), source, where)

    def neighbour(self, meta, c):
        word, column, order = c
        return ir.Neighbour(_span(meta), str(word), ir.Column(_token_span(column), str(column)),
                            ir.Column(_token_span(order), str(order)))

    def count(self, meta, c):
        _, source, where = c
        return ir.Aggregate(_span(meta), "count", None, source, where, type=ir.NUMBER)


def _words(terminals: set[str]) -> str:
    names = sorted({_WORDS.get(t, f"'{t.lower()}'") for t in terminals if not t.startswith("__")})
    return ", ".join(names)


def _end_of(text: str) -> tuple[int, int]:
    lines = text.rstrip().splitlines() or [""]
    return len(lines), len(lines[-1]) + 1


def _syntax_diagnostic(err: UnexpectedInput, source: SourceText) -> Diagnostic:
    line, column = max(err.line, 1), max(err.column, 1)
    if (isinstance(err, UnexpectedToken) and err.token.type == "$END") or isinstance(err, UnexpectedEOF):
        what = "the condition ends too early"
        line, column = _end_of(source.text)
    elif isinstance(err, UnexpectedToken):
        what = f"unexpected '{err.token}'"
    else:
        char = source.text.splitlines()[line - 1][column - 1]
        what = "a text is not closed with '" if char == "'" else f"unexpected character '{char}'"
        if char == "/":  # an amount counts whole units: 1.5 months has no calendar meaning
            what += " (there is no division: a duration counts whole units)"
    expected = getattr(err, "accepts", None) or getattr(err, "expected", None) or getattr(err, "allowed", None)
    hint = f"expected {_words(set(expected))}" if expected else None
    width = len(str(err.token)) if isinstance(err, UnexpectedToken) and err.token.type != "$END" else 1
    span = ir.Span(line, column, line, column + width)
    return source.diagnostic("E201", f"syntax error: {what}", span, hint)


MAX_DEPTH = 100  # levels of nesting a condition may have; every later stage recurses over the tree


def _too_deep(tree: Tree) -> bool:
    """Whether the tree nests deeper than MAX_DEPTH, found without recursion (it may be 40,000 deep)."""
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        stack.extend((child, depth + 1) for child in node.children if isinstance(child, Tree))
    return False


def parse_condition(source: SourceText) -> ir.Expr | Diagnostic:
    """Parse one condition; a syntax error comes back as a Diagnostic, not raised."""
    try:
        tree = _parser().parse(source.text)
    except UnexpectedInput as err:
        return _syntax_diagnostic(err, source)
    if _too_deep(tree):  # pointed at the condition's start: the deepest part of a long chain is its beginning
        return source.diagnostic("E203", f"the condition nests more than {MAX_DEPTH} levels deep", None,
                                 "split it into `let` values, or write a long chain of `or` as `x in [...]`")
    try:
        return _ToIR().transform(tree)
    except VisitError as err:  # a date literal such as 2026-02-30
        span = _span(err.obj.meta) if hasattr(err.obj, "meta") else None
        return source.diagnostic("E202", f"invalid literal: {err.orig_exc}", span)
