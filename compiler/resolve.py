"""Name resolution and type checking against the data contract.

Walks a parsed condition once, binding every column to the row it reads from and
giving every node its type. Problems are collected as diagnostics (with a
did-you-mean where a name is close) rather than raised, so that one compile run
shows them all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from ..datasets import Contract, Dataset
from . import amounts, ir
from .builtins import BUILTINS, ArgumentMismatch
from .diagnostics import Diagnostic, SourceText, did_you_mean
from .model import AUDIT_DATE, AUDIT_TIME


def value_type(value: object) -> str:
    """The language type of a parameter value from YAML or the configuration."""
    if isinstance(value, bool):
        return ir.BOOL
    if isinstance(value, (int, float)):
        return ir.NUMBER
    if isinstance(value, dt.datetime):
        return ir.TIMESTAMP
    if isinstance(value, dt.date):
        return ir.DATE
    if isinstance(value, list):
        return ir.LIST
    return ir.STRING


@dataclass(frozen=True)
class Scope:
    binding: str
    dataset: Dataset
    alias: str | None

    def named(self, name: str) -> bool:
        """An alias replaces the dataset's name, so that a sub-query over the rule's own
        dataset (`exists requests as other where …`) can still reach the outer row."""
        return name == (self.alias or self.dataset.name)


class _Unresolved(Exception):
    """Stops checking one branch after its diagnostic was recorded."""


class Resolver:
    """Resolves the conditions of one rule: its own row is `t0`, sub-queries `t1`…"""

    def __init__(self, contract: Contract, dataset: str, params: dict[str, object],
                 lets: dict[str, ir.Expr], source: SourceText, failed: frozenset[str] = frozenset(),
                 ranges: Mapping[str, tuple[int | None, int | None]] | None = None):
        self.contract = contract
        self.params = {**{k: value_type(v) for k, v in params.items()}, AUDIT_DATE: ir.DATE,
                       AUDIT_TIME: ir.TIMESTAMP}
        self.defaults = params
        self.ranges = ranges or {}  # each parameter's `min` and `max` as its rule declares them (None: not given)
        self.lets = lets
        self.failed = failed  # `let` names whose own error was reported: no knock-on errors for them
        self.source = source
        self.diagnostics: list[Diagnostic] = []
        # parameter → the columns of a closed vocabulary it is compared with ("requests.type") and their values
        self.vocabularies: dict[str, dict[str, tuple[str, ...]]] = {}
        self._next_binding = 1
        self.root = Scope("t0", contract[dataset], None)

    # -- entry points --------------------------------------------------------
    def condition(self, expr: ir.Expr) -> ir.Expr | None:
        """Resolve a rule condition, which must be true or false."""
        resolved = self.value(expr)
        if resolved is not None and resolved.type != ir.BOOL:
            self._error("E404", f"a condition must be true or false, but this is a {resolved.type}", expr.span)
            return None
        return resolved

    def value(self, expr: ir.Expr) -> ir.Expr | None:
        """Resolve an expression of any type (a `let` value)."""
        try:
            resolved = self._resolve(expr, (self.root,))
        except _Unresolved:
            return None
        loose = _loose_duration(resolved)
        if loose is not None:
            self._error("E403", "a duration means nothing on its own", loose.span,
                        "add it to or take it from a date or timestamp: `received_at + 4 weeks`")
            return None
        return resolved

    # -- helpers -------------------------------------------------------------
    def _error(self, code: str, message: str, span: ir.Span | None, hint: str | None = None) -> None:
        self.diagnostics.append(self.source.diagnostic(code, message, span, hint))

    def _fail(self, code: str, message: str, span: ir.Span | None, hint: str | None = None):
        self._error(code, message, span, hint)
        raise _Unresolved

    def _resolve(self, expr: ir.Expr, scopes: tuple[Scope, ...]) -> ir.Expr:
        method: Callable = getattr(self, f"_{type(expr).__name__.lower()}")
        return method(expr, scopes)

    def _bool(self, expr: ir.Expr | None, scopes: tuple[Scope, ...], what: str) -> ir.Expr | None:
        if expr is None:
            return None
        resolved = self._resolve(expr, scopes)
        if resolved.type != ir.BOOL:
            self._fail("E404", f"{what} must be true or false, but this is a {resolved.type}", expr.span)
        return resolved

    # -- leaves --------------------------------------------------------------
    def _literal(self, expr: ir.Literal, scopes) -> ir.Expr:
        return expr

    def _param(self, expr: ir.Param, scopes) -> ir.Expr:
        if expr.name not in self.params:
            self._fail("E501", f"unknown parameter '${expr.name}'", expr.span,
                       did_you_mean(f"${expr.name}", [f"${p}" for p in sorted(self.params)]) or
                       "declare it with a default under `params:` of the rule")
        return replace(expr, type=self.params[expr.name])

    def _duration(self, expr: ir.Duration, scopes) -> ir.Expr:
        amount = self._resolve(expr.amount, scopes)
        self._whole(amount, "the amount of a duration")
        names = {n.name for n in ir.walk(amount) if isinstance(n, ir.Param)}
        ranges = {n: amounts.amount_range(*self.ranges.get(n, (None, None)), expr.unit) for n in names}
        low, high = amounts.bounds(amount, ranges)
        most = amounts.DURATION_MAX[expr.unit]
        if low < 0 or high > most:
            written = f"{amounts.amount_text(replace(expr, amount=amount))} {expr.unit}"
            reach = f"as little as {low}" if low < 0 else f"as much as {high}"
            limit = "a duration is never negative" if low < 0 else f"a duration counts at most {most} {expr.unit}"
            given = ", ".join(f"${n}: {lo}..{hi}" for n, (lo, hi) in sorted(ranges.items()))
            self._fail("E504", f"{written} can come to {reach} {expr.unit}: {limit}", amount.span,
                       f"narrow the parameters' ranges under `params:` ({given})" if given else None)
        return replace(expr, amount=amount)

    def _whole(self, expr: ir.Expr, what: str) -> None:
        """`expr` is whole numbers and parameters with a whole-number default, joined by +, - and *: a value
        that is the same for every row (`amounts.py` computes it), in whole units (there is no 1.5 months)."""
        for node in ir.walk(expr):
            if isinstance(node, ir.Arith) and node.type == ir.NUMBER:
                continue
            if isinstance(node, ir.Literal) and node.type == ir.NUMBER:
                if isinstance(node.value, int):
                    continue
                found = f"{node.value}, which is not whole"
            elif isinstance(node, ir.Param) and node.type == ir.NUMBER:
                default = self.defaults.get(node.name)
                if isinstance(default, int):
                    continue
                found = f"${node.name}, whose default {default!r} is not whole"
            elif isinstance(node, (ir.Literal, ir.Param, ir.Duration)):
                found = f"a {node.type}"
            else:
                found = "a value of the data, which differs from row to row"
            hint = ("whole numbers and parameters with a whole-number default, joined by +, - and *"
                    + (": put an amount in parentheses before its unit, `($years * 12) months`"
                       if isinstance(node, ir.Duration) else ", such as `($a + $b) months`"))
            self._fail("E409", f"{what} must be a whole number, not {found}", node.span, hint)

    def _column(self, expr: ir.Column, scopes: tuple[Scope, ...]) -> ir.Expr:
        # A bare name means, in this order: a column of a sub-query's row (innermost
        # first), a `let` value, a column of the rule's own row. `let` names may not
        # repeat a column of the rule's dataset, so the last two never clash.
        inner = [s for s in reversed(scopes[1:]) if s.dataset.column(expr.name) is not None]
        if expr.qualifier is None and not inner and expr.name in self.lets:
            return self.lets[expr.name]
        if expr.qualifier is None and not inner and expr.name in self.failed:
            raise _Unresolved
        if expr.qualifier is not None:
            scope = next((s for s in reversed(scopes) if s.named(expr.qualifier)), None)
            if scope is None:
                names = [n for s in scopes for n in (s.alias, s.dataset.name) if n]
                self._fail("E301", f"'{expr.qualifier}' is not a dataset in scope here", expr.span,
                           did_you_mean(expr.qualifier, names) or f"in scope: {', '.join(names)}")
            candidates = [scope]
        else:
            candidates = list(reversed(scopes))
        for scope in candidates:
            column = scope.dataset.column(expr.name)
            if column is not None:
                return replace(expr, binding=scope.binding, dataset=scope.dataset.name, type=column.type)
        inner = candidates[0].dataset
        known = [c for s in candidates for c in s.dataset.column_names] + list(self.lets)
        self._fail("E302", f"unknown column '{expr.name}' in dataset {inner.name}", expr.span,
                   did_you_mean(expr.name, known))

    # -- logic ---------------------------------------------------------------
    def _not(self, expr: ir.Not, scopes) -> ir.Expr:
        return replace(expr, operand=self._bool(expr.operand, scopes, "the operand of 'not'"))

    def _logical(self, expr: ir.Logical, scopes) -> ir.Expr:
        left = self._bool(expr.left, scopes, f"each side of '{expr.op}'")
        right = self._bool(expr.right, scopes, f"each side of '{expr.op}'")
        return replace(expr, left=left, right=right)

    # -- comparisons and predicates -------------------------------------------
    def _compare(self, expr: ir.Compare, scopes) -> ir.Expr:
        left, right = self._resolve(expr.left, scopes), self._resolve(expr.right, scopes)
        if ir.NULL in (left.type, right.type):
            self._fail("E401", "nothing equals null", expr.span,
                       "write `is null` or `is not null` instead")
        if left.type != right.type:
            self._fail("E402", f"cannot compare a {left.type} with a {right.type}", expr.span, _mismatch(left, right))
        self._check_codes(left, [right])
        self._check_codes(right, [left])
        if expr.op not in ("=", "!=") and left.type not in ir.ORDERED:
            self._fail("E402", f"'{expr.op}' needs values that have an order, not a {left.type}", expr.span)
        if left.type in (ir.LIST, ir.DURATION):
            self._fail("E402", f"cannot compare a {left.type}", expr.span,
                       "use `contains` for a list" if left.type == ir.LIST else None)
        return replace(expr, left=left, right=right)

    def _check_codes(self, column: ir.Expr, values: list[ir.Expr]) -> None:
        """A text compared with a column of a closed vocabulary must be one of its values.

        `role = 'Jobcoach'` would be false for every row the contract admits: a typo that
        makes a rule silently pass, so it is an error here, with the values it may be. A
        parameter's values are known only with the configuration: the vocabulary is noted
        for the parameter, whose default and configured values are held to it (`rules.py`).
        """
        declared = self.contract[column.dataset].column(column.name) if isinstance(column, ir.Column) else None
        if declared is None or declared.vocabulary is None:
            return
        label = f"{column.dataset}.{column.name}"
        for value in values:
            if isinstance(value, ir.Param):
                self.vocabularies.setdefault(value.name, {})[label] = declared.vocabulary
            elif isinstance(value, ir.Literal) and value.type == ir.STRING and (
                    unknown := unknown_code(value.value, label, declared.vocabulary)):
                message, hint = unknown
                self._fail("E407", message, value.span, hint)

    def _arith(self, expr: ir.Arith, scopes) -> ir.Expr:
        left, right = self._resolve(expr.left, scopes), self._resolve(expr.right, scopes)
        if expr.op == "*":  # on constants only: engines then need no multiplication of their own
            self._whole(left, "each side of '*'")
            self._whole(right, "each side of '*'")
            return replace(expr, left=left, right=right, type=ir.NUMBER)
        if isinstance(right, ir.Duration) and right.unit == "hours" and left.type != ir.TIMESTAMP:
            self._fail("E403", f"hours can be added to or taken from a timestamp only, not a {left.type}", expr.span,
                       "days, weeks, months and years suit a date")
        if left.type in (ir.DATE, ir.TIMESTAMP) and right.type == ir.DURATION:
            return replace(expr, left=left, right=right, type=left.type)
        if left.type == ir.NUMBER == right.type:
            return replace(expr, left=left, right=right, type=ir.NUMBER)
        unit_left_out = ir.NUMBER in (left.type, right.type) and {left.type, right.type} & {
            ir.DATE, ir.TIMESTAMP, ir.DURATION}  # `received_at + $a + $b months`
        self._fail("E403", f"cannot compute {left.type} {expr.op} {right.type}", expr.span,
                   "a number counts with its unit, and an amount of more than one term goes in parentheses "
                   "before it: `received_at + ($a + $b) months`" if unit_left_out else
                   "a duration is added to or taken from a date: `received_at + 1 month`")

    def _isnull(self, expr: ir.IsNull, scopes) -> ir.Expr:
        return replace(expr, operand=self._resolve(expr.operand, scopes))

    def _isempty(self, expr: ir.IsEmpty, scopes) -> ir.Expr:
        operand = self._resolve(expr.operand, scopes)
        if operand.type not in (ir.STRING, ir.LIST):
            self._fail("E402", f"only a text or a list can be empty, not a {operand.type}", expr.operand.span,
                       "write `is null` for other values")
        return replace(expr, operand=operand)

    def _inlist(self, expr: ir.InList, scopes) -> ir.Expr:
        operand = self._resolve(expr.operand, scopes)
        element = ir.STRING if operand.type == ir.LIST else operand.type
        if expr.param is not None:
            param = self._resolve(expr.param, scopes)
            if param.type != ir.LIST or operand.type not in (ir.STRING, ir.LIST):
                self._fail("E402", f"'in ${param.name}' needs a list of text and a text or a list on its left, "
                                   f"not a {param.type} and a {operand.type}", expr.span)
            self._check_codes(operand, [param])
            return replace(expr, operand=operand, param=param)
        for item in expr.items:
            if item.type != element:
                self._fail("E402", f"the list holds a {item.type}, but the value is a {operand.type}", item.span)
        self._check_codes(operand, list(expr.items))
        return replace(expr, operand=operand)

    def _contains(self, expr: ir.Contains, scopes) -> ir.Expr:
        container, item = self._resolve(expr.container, scopes), self._resolve(expr.item, scopes)
        if container.type != ir.LIST:
            self._fail("E402", f"'contains' needs a list on its left, not a {container.type}", expr.container.span,
                       "use `in [...]` to test a value against a list")
        if item.type != ir.STRING:
            self._fail("E402", f"a list of text cannot contain a {item.type}", expr.item.span)
        self._check_codes(container, [item])
        return replace(expr, container=container, item=item)

    def _call(self, expr: ir.Call, scopes) -> ir.Expr:
        builtin = BUILTINS.get(expr.name)
        if builtin is None:
            self._fail("E405", f"unknown function '{expr.name}'", expr.span,
                       did_you_mean(expr.name, tuple(BUILTINS)) or f"functions: {', '.join(BUILTINS)}")
        args = tuple(self._resolve(a, scopes) for a in expr.args)
        try:
            result = builtin.result([a.type for a in args])
        except ArgumentMismatch as mismatch:
            self._fail("E406", str(mismatch), expr.span)
        return replace(expr, args=args, type=result)

    # -- sub-queries -----------------------------------------------------------
    def _source(self, source: ir.Source, scopes: tuple[Scope, ...]) -> tuple[ir.Source, tuple[Scope, ...]]:
        dataset = self.contract.get(source.dataset)
        if dataset is None:
            self._fail("E303", f"unknown dataset '{source.dataset}'", source.span,
                       unknown_dataset_hint(source.dataset, self.contract))
        binding = f"t{self._next_binding}"
        self._next_binding += 1
        return replace(source, binding=binding), (*scopes, Scope(binding, dataset, source.alias))

    def _exists(self, expr: ir.Exists, scopes) -> ir.Expr:
        source, inner = self._source(expr.source, scopes)
        return replace(expr, source=source, where=self._bool(expr.where, inner, "a 'where' clause"))

    def _aggregate(self, expr: ir.Aggregate, scopes) -> ir.Expr:
        source, inner = self._source(expr.source, scopes)
        where = self._bool(expr.where, inner, "a 'where' clause")
        if expr.column is None:
            return replace(expr, source=source, where=where, type=ir.NUMBER)
        column = self._column(replace(expr.column, qualifier=source.alias or source.dataset), inner)
        if column.type not in ir.ORDERED:
            self._fail("E402", f"'{expr.func}' needs values that have an order, not a {column.type}", expr.column.span)
        return replace(expr, source=source, where=where, column=column, type=column.type)


    def _neighbour(self, expr: ir.Neighbour, scopes) -> ir.Expr:
        """`next|previous COLUMN by ORDER`: columns of the rule's own rows, ordered by ORDER and the key."""
        if len(scopes) > 1:
            self._fail("E408", f"'{expr.direction}' reads the rows of the rule's own dataset, not a sub-query's",
                       expr.span, "write it outside the sub-query (as a `let` value, if it is needed inside)")
        column, order = self._own(expr.column), self._own(expr.order)
        if order.type not in ir.ORDERED:
            self._fail("E402", f"'{expr.direction} … by' needs values that have an order, not a {order.type}",
                       expr.order.span)
        keys = tuple(self._own(ir.Column(expr.span, name)) for name in self.root.dataset.keys)
        return replace(expr, column=column, order=order, keys=keys, type=column.type)

    def _own(self, column: ir.Column) -> ir.Column:
        """A column of the rule's own row (`t0`), whatever `let` values or sub-queries are named alike."""
        dataset = self.root.dataset
        found = dataset.column(column.name)
        if found is None:
            self._fail("E302", f"unknown column '{column.name}' in dataset {dataset.name}", column.span,
                       did_you_mean(column.name, dataset.column_names))
        return replace(column, binding=self.root.binding, dataset=dataset.name, type=found.type)


def _loose_duration(expr: ir.Expr) -> ir.Expr | None:
    """A duration anywhere but on the right of `+` or `-`."""
    if expr.type == ir.DURATION:
        return expr
    for node in ir.walk(expr):
        for child in ir.children(node):
            if getattr(child, "type", None) == ir.DURATION and not (isinstance(node, ir.Arith) and child is node.right):
                return child
    return None


def unknown_code(text: str, column: str, vocabulary: tuple[str, ...]) -> tuple[str, str] | None:
    """E407's message and hint when `text` is not a value of the vocabulary of `column`; None when it is."""
    if text in vocabulary:
        return None
    return (f"'{text}' is not a value of {column}",
            did_you_mean(text, vocabulary) or f"its values: {', '.join(vocabulary)}")


def unknown_dataset_hint(name: str, contract: Contract) -> str:
    """A did-you-mean, or the datasets there are and how to add one."""
    return did_you_mean(name, sorted(contract)) or (
        f"the contract has {', '.join(sorted(contract))}; to add a dataset, put {name}.schema.json "
        f"in its folder {contract.folder} (named by `contract:` in pack.yaml)")


def _mismatch(left: ir.Expr, right: ir.Expr) -> str | None:
    """What to write instead, where two types compared are a known slip: a timestamp with a date, a true/false
    column with the text 'true'."""
    types = {left.type, right.type}
    if types == {ir.DATE, ir.TIMESTAMP}:
        return "compare date(…) of the timestamp with the date"
    if types == {ir.BOOL, ir.STRING}:
        text = next((e.value for e in (left, right) if isinstance(e, ir.Literal) and e.type == ir.STRING), None)
        if isinstance(text, str) and text.strip().lower() in ("true", "false"):
            return f"a true/false column is compared with true or false: write {text.strip().lower()} without quotes"
        return "a true/false column is compared with true or false, written without quotes"
    return None
