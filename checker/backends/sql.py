"""Render a check as SQL with sqlglot's expression builders: the IR's SQL backend.

One renderer serves every SQL engine: sqlglot prints the same expression tree as
DuckDB, PostgreSQL or Spark SQL. Values (literals, bound parameters, the audit date)
enter the tree as typed literal nodes, never by formatting strings.

Logic is two-valued, as the catalogue defines it: a comparison with a null is
false. SQL's three-valued logic gives the same answer under `and`/`or` (an unknown
row is not selected), so only two places need care: `not` renders as
`NOT COALESCE(x, FALSE)`, and a predicate used as a value (an operand, a function
argument, a message value) as `COALESCE((x), FALSE)`.

A query is built from nodes made for it alone, so sqlglot's builders are told not to
copy the query they extend (`copy=False`): copying the growing tree at every step was
most of the time of rendering the pack.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect

from ...compiler import ir
from ...compiler.model import Bindings, Check
from ...compiler.plan import Scan
from ..sql_dialects import ReglementDuckDB, render

_UNIT = {"hours": ("HOUR", 1), "days": ("DAY", 1), "weeks": ("DAY", 7), "months": ("MONTH", 1),
         "years": ("YEAR", 1)}
_COMPARE = {"=": exp.EQ, "!=": exp.NEQ, "<": exp.LT, "<=": exp.LTE, ">": exp.GT, ">=": exp.GTE}
_SQL_TYPE = {ir.DATE: "DATE", ir.TIMESTAMP: "TIMESTAMP"}


def literal(value: object) -> exp.Expression:
    """A typed SQL literal for a Python value from a rule, a parameter or the audit date."""
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, (int, float)):
        return exp.Literal.number(value)
    if isinstance(value, dt.datetime):
        return exp.cast(exp.Literal.string(value.isoformat(sep=" ")), "TIMESTAMP")
    if isinstance(value, dt.date):
        return exp.cast(exp.Literal.string(value.isoformat()), "DATE")
    if isinstance(value, (list, tuple)):
        return exp.Array(expressions=[literal(v) for v in value])
    return exp.Literal.string(str(value))


class SqlRenderer:
    """IR → sqlglot expression, with parameters bound to `bindings`.

    `computed` maps aggregates that a projection layer already computed to the name of
    the column that holds them.
    """

    def __init__(self, bindings: Bindings, computed: Mapping[ir.Aggregate, str] | None = None):
        self.bindings = bindings
        self.computed = computed or {}

    def render(self, expr: ir.Expr) -> exp.Expression:
        return getattr(self, f"_{type(expr).__name__.lower()}")(expr)

    def value(self, expr: ir.Expr) -> exp.Expression:
        """An expression used as a value rather than as a filter: true or false, never NULL."""
        rendered = self.render(expr)
        if expr.type == ir.BOOL and not isinstance(expr, (ir.Column, ir.Literal, ir.Param, ir.Call)):
            return exp.Coalesce(this=exp.paren(rendered), expressions=[exp.false()])
        return rendered

    def _literal(self, e: ir.Literal) -> exp.Expression:
        return literal(e.value)

    def _param(self, e: ir.Param) -> exp.Expression:
        return literal(self.bindings[e.name])

    def _column(self, e: ir.Column) -> exp.Expression:
        return exp.column(e.name, table=e.binding, quoted=True)

    def _not(self, e: ir.Not) -> exp.Expression:
        return exp.not_(exp.Coalesce(this=self.render(e.operand), expressions=[exp.false()]))

    def _logical(self, e: ir.Logical) -> exp.Expression:
        if e.op == "and":
            return exp.and_(self.render(e.left), self.render(e.right))
        return exp.or_(self.render(self._no_blank_test(e.left, e.right)),
                       self.render(self._no_blank_test(e.right, e.left)))

    def _no_blank_test(self, side: ir.Expr, other: ir.Expr) -> ir.Expr:
        """`x is empty or x not in [values]` tests no blank: a blank x is not one of the values
        (none is blank), so `x is null` says the same, without a regular expression on every row."""
        if not (isinstance(side, ir.IsEmpty) and not side.negated and side.operand.type == ir.STRING
                and isinstance(other, ir.InList) and other.negated):
            return side
        values = self.bindings[other.param.name] if other.param else [
            i.value if isinstance(i, ir.Literal) else None for i in other.items]
        if all(isinstance(v, str) and not ir.blank(v) for v in values) and \
                self.render(side.operand) == self.render(other.operand):
            return ir.IsNull(side.span, side.operand, negated=False)
        return side

    def _compare(self, e: ir.Compare) -> exp.Expression:
        return _COMPARE[e.op](this=self.value(e.left), expression=self.value(e.right))

    def _arith(self, e: ir.Arith) -> exp.Expression:
        left = self.render(e.left)
        if e.type == ir.NUMBER:
            node = exp.Add if e.op == "+" else exp.Sub
            return node(this=left, expression=self.render(e.right))
        unit, factor = _UNIT[e.right.unit]
        amount = self.bindings[e.right.amount.name] if isinstance(e.right.amount, ir.Param) else e.right.amount.value
        if e.type == ir.TIMESTAMP:  # a timestamp shifts as one (Spark's DATE_ADD would drop the time)
            node = exp.TimestampAdd if e.op == "+" else exp.TimestampSub
        else:
            node = exp.DateAdd if e.op == "+" else exp.DateSub
        shifted = node(this=left, expression=exp.Literal.number(int(amount) * factor), unit=exp.Var(this=unit))
        # date + interval is a timestamp in most engines; a date stays a date here.
        return exp.cast(shifted, _SQL_TYPE[e.type])

    def _isnull(self, e: ir.IsNull) -> exp.Expression:
        test = exp.Is(this=self.value(e.operand), expression=exp.Null())
        return exp.not_(test) if e.negated else test

    def _isempty(self, e: ir.IsEmpty) -> exp.Expression:
        value = self.render(e.operand)
        blank = (exp.EQ(this=exp.ArraySize(this=value), expression=exp.Literal.number(0)) if e.operand.type == ir.LIST
                 else exp.RegexpLike(this=value, expression=exp.Literal.string(ir.BLANK_PATTERN)))
        test = exp.or_(exp.Is(this=value.copy(), expression=exp.Null()), blank)
        return exp.not_(exp.paren(test)) if e.negated else exp.paren(test)

    def _inlist(self, e: ir.InList) -> exp.Expression:
        items = [literal(v) for v in self.bindings[e.param.name]] if e.param else [self.render(i) for i in e.items]
        if e.operand.type == ir.LIST:
            return self._every_in(e, items)
        # `x in []` holds for no x; `x not in []` for every x that is not null
        test = exp.In(this=self.value(e.operand), expressions=items) if items else exp.false()
        # `x not in [...]` is a comparison: false for a null x, like `x != 'a'`.
        if e.negated:
            return exp.and_(exp.not_(exp.Is(this=self.value(e.operand), expression=exp.Null())), exp.not_(test))
        return test

    def _every_in(self, e: ir.InList, items: list[exp.Expression]) -> exp.Expression:
        """For a list: `in` holds when every element is in the items (a null element is not),
        `not in` when some element is not; both are false for a null list."""
        element = exp.to_identifier("item")
        listed = exp.In(this=exp.column("item"), expressions=items) if items else exp.false()
        outside = exp.ArrayFilter(this=self.render(e.operand), expression=exp.Lambda(
            this=exp.not_(exp.Coalesce(this=listed, expressions=[exp.false()])), expressions=[element]))
        count = exp.Coalesce(this=exp.ArraySize(this=outside), expressions=[exp.Literal.number(0)])
        known = exp.not_(exp.Is(this=self.render(e.operand), expression=exp.Null()))
        test = (exp.GT if e.negated else exp.EQ)(this=count, expression=exp.Literal.number(0))
        return exp.paren(exp.and_(known, test))

    def _contains(self, e: ir.Contains) -> exp.Expression:
        return exp.ArrayContains(this=self.render(e.container), expression=self.render(e.item))

    def _call(self, e: ir.Call) -> exp.Expression:
        return CALLS[e.name](e, [self.value(a) for a in e.args])

    def _subquery(self, source: ir.Source, where: ir.Expr | None, projection: exp.Expression) -> exp.Select:
        query = exp.select(projection).from_(table(source.dataset, source.binding), copy=False)
        return query.where(self.render(where), copy=False) if where is not None else query

    def _found(self, e: ir.Found) -> exp.Expression:
        return exp.not_(exp.Is(this=exp.column(FOUND, table=e.lookup, quoted=True), expression=exp.Null()))

    def _exists(self, e: ir.Exists) -> exp.Expression:
        test = exp.Exists(this=self._subquery(e.source, e.where, exp.Literal.number(1)))
        return exp.not_(test) if e.negated else test

    def _neighbour(self, e: ir.Neighbour) -> exp.Expression:
        if e in self.computed:
            return exp.column(self.computed[e], table="t0", quoted=True)
        return _window(e)

    def _aggregate(self, e: ir.Aggregate) -> exp.Expression:
        if e in self.computed:
            return exp.column(self.computed[e], table="t0", quoted=True)
        if e.column is None:
            projection = exp.Count(this=exp.Star())
        else:
            node = exp.Max if e.func in ("latest", "max") else exp.Min
            projection = node(this=self.render(e.column))
        return exp.Subquery(this=self._subquery(e.source, e.where, projection))


def _elfproef(value: exp.Expression) -> exp.Expression:
    """Nine digits with 9·d1 + 8·d2 + … + 2·d8 − d9 divisible by 11.

    The digits are only read inside the CASE branch where the text is known to be
    nine digits, and with TRY_CAST, since `AND` does not guard a cast in SQL.
    """
    def digit(i: int) -> exp.Expression:
        part = exp.Substring(this=value.copy(), start=exp.Literal.number(i), length=exp.Literal.number(1))
        return exp.TryCast(this=part, to=exp.DataType.build("INT"))

    total: exp.Expression = exp.Mul(this=exp.Literal.number(9), expression=digit(1))
    for i in range(2, 9):
        total = exp.Add(this=total, expression=exp.Mul(this=exp.Literal.number(10 - i), expression=digit(i)))
    total = exp.Sub(this=total, expression=digit(9))
    passes = exp.EQ(this=exp.Mod(this=exp.paren(total), expression=exp.Literal.number(11)),
                    expression=exp.Literal.number(0))
    nine_digits = exp.RegexpLike(this=value.copy(), expression=exp.Literal.string("^[0-9]{9}$"))
    return exp.Case(ifs=[exp.If(this=nine_digits, true=passes)], default=exp.false())


# The built-in functions (compiler/builtins.py) by name: the call, and its arguments rendered as values.
CALLS: dict[str, Callable[[ir.Call, list[exp.Expression]], exp.Expression]] = {
    "date": lambda e, args: exp.cast(args[0], "DATE"),
    "elfproef": lambda e, args: _elfproef(args[0]),
    "lower": lambda e, args: exp.Lower(this=args[0]),
    "upper": lambda e, args: exp.Upper(this=args[0]),
    "trim": lambda e, args: exp.Trim(this=args[0]),
    "coalesce": lambda e, args: exp.Coalesce(this=args[0], expressions=args[1:]),
    "length": lambda e, args: exp.ArraySize(this=args[0]) if e.args[0].type == ir.LIST else exp.Length(this=args[0]),
    # GREATEST and LEAST pass over nulls in every dialect used
    "latest": lambda e, args: exp.Greatest(this=args[0], expressions=args[1:], ignore_nulls=True),
    "earliest": lambda e, args: exp.Least(this=args[0], expressions=args[1:], ignore_nulls=True),
    "hours_between": lambda e, args: _hours_between(*args),
}


def _hours_between(start: exp.Expression, end: exp.Expression) -> exp.Expression:
    """Whole hours elapsed, from the seconds since the epoch (not the hour boundaries a DATE_DIFF counts)."""
    seconds = exp.paren(exp.Sub(this=exp.TimeToUnix(this=end), expression=exp.TimeToUnix(this=start)))
    return exp.cast(exp.Floor(this=exp.Div(this=seconds, expression=exp.Literal.number(3600))), "BIGINT")


def _computed_once(exprs: list[ir.Expr]) -> list[ir.Aggregate | ir.Neighbour]:
    """What a projection layer over the rule's own rows computes, each once: the aggregates that read
    only the rule's own row and their own sub-rows, and every neighbour (`next ts by ts`).

    A `let` is inlined wherever it is used, so `latest contact_date of contacts …` can stand
    in the condition and in two message values: computed once in the layer, it costs one join
    instead of three. A neighbour is a window over the whole dataset, which a filter may not
    hold: in the layer it is computed before any row is filtered out.
    """
    found = []
    for expr in exprs:
        for node in ir.walk(expr):
            if isinstance(node, ir.Neighbour) and node not in found:
                found.append(node)
            if isinstance(node, ir.Aggregate) and node not in found:
                own = {n.binding for n in ir.walk(node) if isinstance(n, ir.Source)} | {"t0"}
                if all(c.binding in own for c in ir.walk(node) if isinstance(c, ir.Column)):
                    found.append(node)
    return found


def _window(e: ir.Neighbour) -> exp.Expression:
    """LEAD or LAG of the column, the rows in order of the order column and then the key, nulls last in every
    dialect (Spark would put them first)."""
    def column(c: ir.Column) -> exp.Expression:
        return exp.column(c.name, table=c.binding, quoted=True)

    shift = exp.Lead if e.direction == "next" else exp.Lag
    order = exp.Order(expressions=[exp.Ordered(this=column(c), nulls_first=False) for c in (e.order, e.key)])
    return exp.Window(this=shift(this=column(e.column)), order=order)


def table(dataset: str, binding: str) -> exp.Expression:
    """A dataset's relation under its binding; names are quoted, since a dataset may be called `order`."""
    return exp.Table(this=exp.to_identifier(dataset, quoted=True)).as_(binding)


def _source_table(dataset: str, computed: list[ir.Aggregate | ir.Neighbour], bindings: Bindings
                  ) -> tuple[exp.Expression, dict[ir.Aggregate | ir.Neighbour, str]]:
    """The check's dataset as `t0`, with a column for each value computed once (`_computed_once`)."""
    source = table(dataset, "t0")
    if not computed:
        return source, {}
    names = {node: f"__reglement_value_{i}" for i, node in enumerate(computed, 1)}
    inner = SqlRenderer(bindings)
    layer = exp.select(exp.Star(), *[inner.render(a).as_(n, quoted=True) for a, n in names.items()]).from_(
        source, copy=False)
    return layer.subquery("t0"), names


def check_query(check: Check, bindings: Bindings) -> exp.Select:
    """SELECT the key columns and message values of every offending row, in key order.

    An `exists`/`no` sub-query that is a conjunct of the whole condition becomes a
    SEMI/ANTI JOIN with its where clause as the join condition: the same rows as
    `[NOT] EXISTS`, but DuckDB plans range conditions in a join several times faster
    than a correlated sub-query (benchmarks/bench_sql_shapes.py). Dialects without
    such joins get `[NOT] EXISTS` back from sqlglot.
    """
    condition, outputs = check.condition, check.outputs
    source, computed = _source_table(check.dataset, _computed_once([condition, *outputs.values()]), bindings)
    renderer = SqlRenderer(bindings, computed)
    columns = [exp.column(k, table="t0", quoted=True).as_(k, quoted=True) for k in check.keys]
    columns += [renderer.value(v).as_(name, quoted=True) for name, v in outputs.items()]
    query = _judged(exp.select(*columns).from_(source, copy=False), condition, renderer)
    return query.order_by(*[exp.column(k, quoted=True) for k in check.keys], copy=False)


def _judged(query: exp.Select, condition: ir.Expr, renderer: SqlRenderer) -> exp.Select:
    """The query's rows narrowed to those the condition holds for: each `exists`/`no` conjunct a SEMI/ANTI
    JOIN, the rest a filter (see `check_query`)."""
    filters = []
    for part in ir.conjuncts(condition):
        if isinstance(part, ir.Exists):
            on = renderer.render(part.where) if part.where is not None else exp.true()
            query = query.join(table(part.source.dataset, part.source.binding), on=on,
                               join_type="anti" if part.negated else "semi", copy=False)
        else:
            filters.append(renderer.render(part))
    return query.where(exp.and_(*filters, copy=False), copy=False) if filters else query


def census_query(check: Check, bindings: Bindings) -> exp.Select:
    """One row: how many rows the check's scope admits (`population`), and of those how many each of its
    explanations holds for (`explained_1`, …), each counted by a query of the shape `check_query` gives a
    condition (its sub-queries as joins)."""
    counted = [("population", check.scope)]
    counted += [(f"explained_{i}", ir.conjoin([c for c in (check.scope, e.condition) if c is not None]))
                for i, e in enumerate(check.explanations, 1)]
    columns = []
    for name, condition in counted:
        parts = [condition] if condition is not None else []
        source, computed = _source_table(check.dataset, _computed_once(parts), bindings)
        query = exp.select(exp.Count(this=exp.Star())).from_(source, copy=False)
        if condition is not None:
            query = _judged(query, condition, SqlRenderer(bindings, computed))
        columns.append(exp.Subquery(this=query).as_(name, quoted=True))
    return exp.select(*columns)


FOUND = "__reglement_found"  # true in a joined lookup row, null where the lookup found none


def flag(i: int) -> str:
    return f"__reglement_flag_{i}"


def output(i: int, name: str) -> str:
    return f"__reglement_{i}_{name}"


def scan_query(scan: Scan, bindings: list[Bindings]) -> exp.Select:
    """One query for the members of a fused scan: the dataset with its lookups joined once, a
    flag per member (true, or false or null), each member's message values, and only the rows
    some member flags.

    A lookup row is joined with an extra column that is true, so that `found` does not
    depend on which of its columns might be null.
    """
    query = exp.select().from_(table(scan.dataset, "t0"), copy=False)
    for lookup in scan.lookups:
        joined = exp.select(exp.Star(), exp.true().as_(FOUND, quoted=True)).from_(table(lookup.dataset, "lk"))
        on = exp.EQ(this=exp.column(lookup.key, table=lookup.alias, quoted=True),
                    expression=SqlRenderer(bindings[0]).value(lookup.outer))
        query = query.join(joined.subquery(lookup.alias, copy=False), on=on, join_type="left", copy=False)
    keys = scan.members[0].check.keys
    columns = [exp.column(k, table="t0", quoted=True).as_(k, quoted=True) for k in keys]
    for i, (member, bound) in enumerate(zip(scan.members, bindings)):
        renderer = SqlRenderer(bound)  # a flag may be null, as a filter takes it: coalescing costs a pass
        columns.append(renderer.render(member.check.condition).as_(flag(i), quoted=True))
        columns += [renderer.value(v).as_(output(i, name), quoted=True) for name, v in member.check.outputs.items()]
    inner = query.select(*columns, copy=False)
    flagged = exp.or_(*[exp.column(flag(i), quoted=True) for i in range(len(scan.members))], copy=False)
    return (exp.select(exp.Star()).from_(inner.subquery("scan", copy=False), copy=False).where(flagged, copy=False)
            .order_by(*[exp.column(k, quoted=True) for k in keys], copy=False))


def to_sql(query: exp.Expression, dialect: type[Dialect] = ReglementDuckDB, pretty: bool = False) -> str:
    return render(query, dialect, pretty)
