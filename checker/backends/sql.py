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
from dataclasses import replace

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect

from ...compiler import amounts, ir
from ...compiler.model import TIME_ZONE, Bindings, Check
from ...compiler.plan import Scan
from ...compiler.zones import DEFAULT_ZONE
from ..sql_dialects import RealHours, ReglementDuckDB, render

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

    def __init__(self, bindings: Bindings, computed: Mapping[ir.Expr, str] | None = None):
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
        if e.type == ir.NUMBER and amounts.constant(e):  # the same for every row: computed once, for every engine
            return literal(amounts.value(e, self.bindings))
        left = self.render(e.left)
        if e.type == ir.NUMBER:
            node = exp.Add if e.op == "+" else exp.Sub
            return node(this=left, expression=self.render(e.right))
        unit, factor = _UNIT[e.right.unit]
        amount = amounts.value(e.right.amount, self.bindings)
        if e.right.unit == "hours":  # elapsed hours, across a clock change too
            hours = exp.Literal.number(int(amount) if e.op == "+" else -int(amount))
            return RealHours(this=left, expression=hours, zone=self._zone())
        if e.type == ir.TIMESTAMP:  # a timestamp shifts as one (Spark's DATE_ADD would drop the time)
            node = exp.TimestampAdd if e.op == "+" else exp.TimestampSub
        else:
            node = exp.DateAdd if e.op == "+" else exp.DateSub
        shifted = node(this=left, expression=exp.Literal.number(int(amount) * factor), unit=exp.Var(this=unit))
        # date + interval is a timestamp in most engines; a date stays a date here.
        return exp.cast(shifted, _SQL_TYPE[e.type])

    def _zone(self) -> exp.Expression:
        return exp.Literal.string(str(self.bindings.get(TIME_ZONE, DEFAULT_ZONE)))

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
        if e in self.computed:  # computed once per row in a layer (`_row_values`)
            return exp.column(self.computed[e], table="t0", quoted=True)
        args = [self.value(a) for a in e.args]
        return CALLS[e.name](e, [*args, self._zone()] if e.name == "hours_between" else args)

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
    "hours_between": lambda e, args: _hours_between(*args),  # its last argument the zone (`_call`)
    "when": lambda e, args: exp.Case(ifs=[exp.If(this=args[0], true=args[1])], default=args[2]),
}


def _hours_between(start: exp.Expression, end: exp.Expression, zone: exp.Expression) -> exp.Expression:
    """Whole hours elapsed, from the seconds since the epoch of each wall clock's instant in the zone (not the
    hour boundaries a DATE_DIFF counts)."""
    def epoch(value: exp.Expression) -> exp.Expression:
        return exp.TimeToUnix(this=exp.FromTimeZone(this=value, zone=zone.copy()))

    seconds = exp.paren(exp.Sub(this=epoch(end), expression=epoch(start)))
    return exp.cast(exp.Floor(this=exp.Div(this=seconds, expression=exp.Literal.number(3600))), "BIGINT")


def _computed_once(condition: ir.Expr | None, outputs: list[ir.Expr] = ()) -> list[ir.Aggregate | ir.Neighbour]:
    """What a projection layer over the rule's own rows computes, each once: the aggregates of the
    condition that read only the rule's own row and their own sub-rows, and every neighbour
    (`next ts by ts`), of the condition or of a message value.

    A `let` is inlined wherever it is used, so `latest contact_date of contacts …` can stand
    in the condition and in two message values: computed once in the layer, it costs one join
    instead of three. An aggregate only a message shows is left to the message, so that it is
    computed for the rows found, not for every row (at 20M events a correlated maximum per row costs
    seconds). A neighbour is a window over the whole dataset, which a filter may not hold: in the
    layer it is computed before any row is filtered out.
    """
    found: list[ir.Aggregate | ir.Neighbour] = []
    for expr, judged in [(condition, True), *((o, False) for o in outputs)]:
        for node in ir.walk(expr) if expr is not None else ():
            if isinstance(node, ir.Neighbour) and node not in found:
                found.append(node)
            if judged and isinstance(node, ir.Aggregate) and node not in found:
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
    order = exp.Order(expressions=[exp.Ordered(this=column(c), nulls_first=False) for c in (e.order, *e.keys)])
    return exp.Window(this=shift(this=column(e.column)), order=order)


def table(dataset: str, binding: str) -> exp.Expression:
    """A dataset's relation under its binding; names are quoted, since a dataset may be called `order`."""
    return exp.Table(this=exp.to_identifier(dataset, quoted=True)).as_(binding)


def _source_table(dataset: str, computed: list[ir.Aggregate | ir.Neighbour], bindings: Bindings,
                  values: list[ir.Expr] = ()) -> tuple[exp.Expression, dict[ir.Expr, str]]:
    """The check's dataset as `t0`, with a column for each value computed once (`_computed_once`), and for each
    of `values` (expressions of the row, `_row_values`)."""
    return _source_table_over(table(dataset, "t0"), computed, bindings, values)


def _source_table_over(source: exp.Expression, computed: list[ir.Aggregate | ir.Neighbour], bindings: Bindings,
                       values: list[ir.Expr] = ()) -> tuple[exp.Expression, dict[ir.Expr, str]]:
    """`_source_table` over rows given as `t0` (a dataset's, or those a query gathered)."""
    if not computed and not values:
        return source, {}
    names = {node: f"__reglement_value_{i}" for i, node in enumerate([*computed, *values], 1)}
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
    source, computed = _source_table(check.dataset, _computed_once(condition, [*outputs.values()]), bindings)
    renderer = SqlRenderer(bindings, computed)
    columns = [exp.column(k, table="t0", quoted=True).as_(k, quoted=True) for k in check.keys]
    columns += [renderer.value(v).as_(name, quoted=True) for name, v in outputs.items()]
    query = _judged(exp.select(*columns).from_(source, copy=False), condition, renderer)
    return query.order_by(*[exp.column(k, quoted=True) for k in check.keys], copy=False)


def runs_as(check: Check, bindings: Bindings, lists: bool) -> exp.Select:
    """The query an engine runs for a check alone: with DuckDB's lists, lambdas and max_by (`lists`), the one
    pass of a rule with explanations (`explained_query`) or the gaps by day (`gap_query`) where they apply;
    else `check_query`."""
    for shape in (explained_query, gap_query) if lists else ():
        query = shape(check, bindings)
        if query is not None:
            return query
    return check_query(check, bindings)


def gap_query(check: Check, bindings: Bindings) -> exp.Select | None:
    """`check_query` for a check whose condition has the conjunct `next X by X > X + D`, D at least a day,
    without sorting the whole dataset (DuckDB's `max_by`). A row whose next row is more than a day later is
    the last of its calendar day, and its next row the first of the next day that has rows; so the dataset
    is grouped by day (its first and last X, and the key of its last row by X and then key), the days put in
    order, and only each day's last row is judged, with the next day's first X as its neighbour. The
    window of `check_query` sorts every row (at 20M events, 1.6 GB); the groups are one row a day. None for
    any other check."""
    neighbours = {n for e in (check.condition, *check.outputs.values()) for n in ir.walk(e)
                  if isinstance(n, ir.Neighbour)}
    if len(neighbours) != 1 or len(check.keys) != 1:
        return None
    (step,) = neighbours
    if not any(_beyond_a_day(part, step, bindings) for part in ir.conjuncts(check.condition)):
        return None
    x, key = (exp.column(c, table="d", quoted=True) for c in (step.order.name, check.keys[0]))
    days = (exp.select(exp.cast(x.copy(), "DATE").as_("day", quoted=True), exp.Min(this=x.copy()).as_("first"),
                       exp.func("max_by", key.copy(), exp.func("struct_pack", exp.PropertyEQ(
                           this=exp.to_identifier("x"), expression=x.copy()), exp.PropertyEQ(
                           this=exp.to_identifier("k"), expression=key.copy()))).as_("k"))
            .from_(table(check.dataset, "d")).where(x.copy().is_(exp.null()).not_()).group_by(exp.column("day")))
    ordered = exp.select(exp.column("k"), exp.Window(this=exp.func("lead", exp.column("first")), order=exp.Order(
        expressions=[exp.Ordered(this=exp.column("day"))])).as_("following")).from_(days.subquery("days"))
    name = "__reglement_value_1"
    rows = (exp.select(exp.Column(this=exp.Star(), table=exp.to_identifier("d")),
                       exp.column("following", table="g").as_(name, quoted=True))
            .from_(table(check.dataset, "d"))
            .join(ordered.subquery("g"), on=exp.EQ(this=exp.column("k", table="g"), expression=key.copy())))
    renderer = SqlRenderer(bindings, {step: name})
    columns = [exp.column(k, table="t0", quoted=True).as_(k, quoted=True) for k in check.keys]
    columns += [renderer.value(v).as_(n, quoted=True) for n, v in check.outputs.items()]
    query = _judged(exp.select(*columns).from_(rows.subquery("t0"), copy=False), check.condition, renderer)
    return query.order_by(*[exp.column(k, quoted=True) for k in check.keys], copy=False)


def _beyond_a_day(part: ir.Expr, step: ir.Neighbour, bindings: Bindings) -> bool:
    """`next X by X > X + D` with D a whole number (or a parameter's value) of at least one day."""
    if not (isinstance(part, ir.Compare) and part.op == ">" and part.left == step and step.direction == "next"
            and step.column == step.order and isinstance(part.right, ir.Arith) and part.right.op == "+"
            and part.right.left == step.order and isinstance(part.right.right, ir.Duration)):
        return False
    value = amounts.value(part.right.right.amount, bindings)
    return part.right.right.unit in ("days", "weeks", "months", "years") and isinstance(value, int) and value >= 1


def _judged(query: exp.Select, condition: ir.Expr, renderer: SqlRenderer) -> exp.Select:
    """The query's rows narrowed to those the condition holds for: each `exists`/`no` conjunct a SEMI/ANTI
    JOIN, and so each `not (… and exists …)` (an explanation that does not hold), the rest a filter (see
    `check_query`). Inside a conjunct, a sub-query over one value of the row (`_lookup`) is joined once."""
    filters, parts = [], []
    for number, part in enumerate(ir.conjuncts(condition)):  # the lookups first: a join after them keeps its place
        part, query = _lookups(part, query, renderer, f"g{number}_")
        parts.append(part)
    for part in parts:
        joined = _as_join(part)
        if joined is None:
            filters.append(renderer.render(part))
            continue
        exists, beside = joined
        relation, where = _relation(exists, renderer)
        on = ir.conjoin([p for p in (where, *beside) if p is not None])
        query = query.join(relation, on=renderer.render(on) if on is not None else exp.true(),
                           join_type="anti" if exists.negated else "semi", copy=False)
    return query.where(exp.and_(*filters, copy=False), copy=False) if filters else query


def _as_join(part: ir.Expr) -> tuple[ir.Exists, list[ir.Expr]] | None:
    """The sub-query to join and the conditions on the row that go into its ON: an `exists`/`no`; or
    `not (p and exists S where c)`, with p free of sub-queries, which holds when no row of S has c and p
    (an explanation that does not hold, `rules.py::_none_of`): an ANTI JOIN on c and p."""
    if isinstance(part, ir.Exists):
        return part, []
    if not isinstance(part, ir.Not):
        return None
    inside = ir.conjuncts(part.operand)
    subs = [p for p in inside if _subqueries(p)]
    if len(subs) != 1 or not isinstance(subs[0], ir.Exists) or subs[0].negated:
        return None
    return replace(subs[0], negated=True), [p for p in inside if p is not subs[0]]


def _subqueries(expr: ir.Expr) -> list[ir.Node]:
    return [n for n in ir.walk(expr) if isinstance(n, (ir.Exists, ir.Aggregate, ir.Neighbour))]


def _bindings(expr: ir.Expr) -> set[str]:
    return {n.binding for n in ir.walk(expr) if isinstance(n, ir.Column)}


def _relation(e: ir.Exists, renderer: SqlRenderer) -> tuple[exp.Expression, ir.Expr | None]:
    """The rows an `exists` ranges over, and what is left of its `where` for the join's ON.

    `exists A where p and exists B where q` is `exists (A JOIN B ON q₁) where p and q₂`, q₁ the parts of q
    that link B to A: one join, where the nested sub-query would be asked again for every row of A
    (at 20M events, seconds: `5.1-access-unexplained`'s explanation `manager`). Only a nested `exists`
    with such a link is joined; any other stays a sub-query of the ON.
    """
    relation: exp.Expression = table(e.source.dataset, e.source.binding)
    bound, rest, joins = {e.source.binding}, [], []
    for part in ir.conjuncts(e.where):
        if isinstance(part, ir.Exists) and not part.negated:
            inner, inner_where = _relation(part, renderer)
            inner_bound = {n.binding for n in ir.walk(part) if isinstance(n, ir.Source)}
            local = [c for c in ir.conjuncts(inner_where) if not _subqueries(c)
                     and _bindings(c) <= bound | inner_bound and _bindings(c) & bound and _bindings(c) & inner_bound]
            if local:
                joins.append(exp.Join(this=inner, on=renderer.render(ir.conjoin(local))))
                rest += [c for c in ir.conjuncts(inner_where) if not any(c is x for x in local)]
                bound |= inner_bound
                continue
        rest.append(part)
    if joins:
        relation.set("joins", joins)
        relation = exp.Subquery(this=relation)
    return relation, ir.conjoin(rest)


def _lookups(part: ir.Expr, query: exp.Select, renderer: SqlRenderer, prefix: str) -> tuple[ir.Expr, exp.Select]:
    """The conjunct with each `exists S where S.c = <the row's value> and <S's own conditions>` inside it
    (not the conjunct itself, already a join) replaced by a test on a LEFT JOIN of the distinct values of
    S.c for which those conditions hold: a hash lookup per row where the sub-query would be asked again for
    every row (`administration` of 5.1-access-unexplained asks whether the user's role is administration)."""
    if isinstance(part, ir.Exists):
        return part, query
    found: dict[int, ir.Found] = {}

    def replaced(node: ir.Expr) -> ir.Expr:
        if isinstance(node, ir.Exists) and (shape := _lookup(node)) is not None:
            alias = f"{prefix}{len(found)}"
            column, outer, own = shape
            values = exp.select(exp.column(column.name, table=column.binding, quoted=True).as_("k", quoted=True),
                                exp.true().as_(FOUND, quoted=True)).distinct().from_(
                table(node.source.dataset, node.source.binding)).where(
                exp.and_(exp.column(column.name, table=column.binding, quoted=True).is_(exp.null()).not_(),
                         *([renderer.render(own)] if own is not None else [])))
            query.join(values.subquery(alias), on=exp.EQ(this=exp.column("k", table=alias, quoted=True),
                                                         expression=renderer.value(outer)),
                       join_type="left", copy=False)
            found[id(node)] = ir.Found(node.span, alias)
            test = found[id(node)]
            return ir.Not(node.span, test) if node.negated else test
        return _mapped(node, replaced)

    return replaced(part), query


def _lookup(e: ir.Exists) -> tuple[ir.Column, ir.Expr, ir.Expr | None] | None:
    """(S.c, the row's value, S's own conditions) of `exists S where S.c = value and …` whose other parts
    read S alone and the value only the row (`t0`); None for any other sub-query."""
    own_binding = e.source.binding
    parts = ir.conjuncts(e.where)
    for i, part in enumerate(parts):
        if not (isinstance(part, ir.Compare) and part.op == "="):
            continue
        for mine, other in ((part.left, part.right), (part.right, part.left)):
            others = [p for j, p in enumerate(parts) if j != i]
            if isinstance(mine, ir.Column) and mine.binding == own_binding and _bindings(other) <= {"t0"} \
                    and not _subqueries(other) and all(_bindings(p) <= {own_binding} and not _subqueries(p)
                                                       for p in others):
                return mine, other, ir.conjoin(others)
    return None


def _mapped(node: ir.Expr, change) -> ir.Expr:
    """The node with `change` applied to each of its child expressions."""
    changes = {}
    for name in node.__dataclass_fields__:
        value = getattr(node, name)
        if isinstance(value, ir.Node) and not isinstance(value, ir.Source):
            changes[name] = change(value)
        elif isinstance(value, tuple) and value and isinstance(value[0], ir.Node):
            changes[name] = tuple(change(v) for v in value)
    return replace(node, **changes) if changes else node


def census_query(check: Check, bindings: Bindings, lists: bool = False) -> exp.Select:
    """One row: how many rows the check's scope admits (`population`), and of those how many each of its
    explanations holds for (`explained_1`, …), each counted by a query of the shape `check_query` gives a
    condition (its sub-queries as joins).

    With `lists` (DuckDB's list functions and lambdas), the population and every explanation that
    `_grouped` can answer are counted in one pass instead, the others beside it as above: each
    explanation a LEFT JOIN to its rows grouped by the values that link them to the row, tested there;
    at 20M events one scan instead of one per explanation (`benchmarks/run.py`).
    """
    counted: list[tuple[str, ir.Expr | None]] = [("population", check.scope)]
    counted += [(f"explained_{i}", ir.conjoin([c for c in (check.scope, e.condition) if c is not None]))
                for i, e in enumerate(check.explanations, 1)]
    query, columns = _one_pass(check, bindings) if lists else (exp.select(), {})
    for name, condition in counted:
        if name not in columns:
            source, computed = _source_table(check.dataset, _computed_once(condition), bindings)
            alone = exp.select(exp.Count(this=exp.Star())).from_(source, copy=False)
            if condition is not None:
                alone = _judged(alone, condition, SqlRenderer(bindings, computed))
            columns[name] = exp.Subquery(this=alone)
    return query.select(*[columns[name].as_(name, quoted=True) for name, _ in counted], copy=False)


def _one_pass(check: Check, bindings: Bindings) -> tuple[exp.Select, dict[str, exp.Expression]]:
    """One scan of the population, and the counts it gives: the population's, and each explanation's that
    `_grouped` answers."""
    query, flags = _flagged(check, bindings)
    counts: dict[str, exp.Expression] = {"population": exp.Count(this=exp.Star())}
    counts |= {f"explained_{i}": _counted(flag) for i, flag in enumerate(flags, 1) if flag is not None}
    return query, counts


def _counted(flag: exp.Expression) -> exp.Expression:
    """The rows a flag holds for: 0, not null, when there are none (DuckDB's COUNT_IF of no rows is null)."""
    return exp.Coalesce(this=exp.CountIf(this=flag), expressions=[exp.Literal.number(0)])


def _flagged(check: Check, bindings: Bindings) -> tuple[exp.Select, list[exp.Expression | None]]:
    """The population with a value per explanation that says whether it holds (None where `_grouped` has no
    shape for it), and the day and other values of the row those values read computed once per row."""
    conditions = [c for c in (check.scope, *(e.condition for e in check.explanations)) if c is not None]
    source, computed = _source_table(check.dataset, _computed_once(ir.conjoin(conditions)), bindings,
                                     _row_values(check))
    renderer = SqlRenderer(bindings, computed)
    query = exp.select().from_(source, copy=False)
    if check.scope is not None:
        query = _judged(query, check.scope, renderer)
    flags = []
    for i, explanation in enumerate(check.explanations, 1):
        flag, query = _grouped(explanation.condition, query, renderer, f"e{i}_")
        flags.append(flag)
    return query, flags


def _row_values(check: Check) -> list[ir.Expr]:
    """The calls on the row's own columns its explanations read (`date(ts)`): a lambda would compute them
    once for every pair of a row and a grouped row."""
    found = []
    for e in check.explanations:
        for node in ir.walk(e.condition):
            if isinstance(node, ir.Call) and _bindings(node) == {"t0"} and not _subqueries(node) \
                    and node not in found:
                found.append(node)
    return found


FOUND_ROWS = "__reglement_found_rows"  # the one pass's list of the rows no explanation holds for


def explained_query(check: Check, bindings: Bindings) -> exp.Select | None:
    """A check with explanations and no condition of its own in one pass (DuckDB's lists and lambdas):
    every row of its population with a value per explanation, counted (`census_query`'s columns), and the
    rows none holds for gathered with the columns their messages read; then those rows with their message
    values, in key order. The counts stand on every row, and on one row of nulls when nothing is found.
    None for a check `_grouped` cannot answer so (or whose messages read a neighbour, which needs the whole
    dataset): it runs as `check_query` and `census_query`."""
    outputs = list(check.outputs.values())
    if not check.explanations or check.written is not None or len(check.keys) != 1 \
            or any(isinstance(n, ir.Neighbour) for o in outputs for n in ir.walk(o)):
        return None
    query, flags = _flagged(check, bindings)
    if any(flag is None for flag in flags):
        return None
    read = list(dict.fromkeys([*check.keys, *(n.name for o in outputs for n in ir.walk(o)
                                              if isinstance(n, ir.Column) and n.binding == "t0")]))
    row = exp.func("struct_pack", *[exp.PropertyEQ(this=exp.to_identifier(c),
                                                   expression=exp.column(c, table="t0", quoted=True)) for c in read])
    held = [exp.column(f"f{i}", table="flags", quoted=True) for i in range(len(flags))]
    rows = query.select(row.as_("r", quoted=True), *[f.as_(f"f{i}", quoted=True) for i, f in enumerate(flags)],
                        copy=False)  # each flag computed once, then counted and tested
    counts = [exp.Count(this=exp.Star()).as_("population", quoted=True)]
    counts += [_counted(h).as_(f"explained_{i}", quoted=True) for i, h in enumerate(held, 1)]
    unexplained = exp.not_(exp.or_(*held)) if held else exp.true()
    gathered = exp.Filter(this=exp.func("list", exp.column("r", table="flags", quoted=True)),
                          expression=exp.Where(this=unexplained))
    single = exp.select(*counts, gathered.as_(FOUND_ROWS, quoted=True)).from_(rows.subquery("flags"))
    unnested = exp.select(exp.func("unnest", exp.column(FOUND_ROWS, quoted=True),
                                   exp.PropertyEQ(this=exp.to_identifier("recursive"), expression=exp.true()))
                          ).from_("single")
    source, computed = _source_table_over(unnested.subquery("t0"), _computed_once(None, outputs), bindings)
    renderer = SqlRenderer(bindings, computed)
    columns = [exp.column(k, table="t0", quoted=True).as_(k, quoted=True) for k in check.keys]
    columns += [renderer.value(v).as_(name, quoted=True) for name, v in check.outputs.items()]
    found = exp.select(*columns).from_(source, copy=False)
    names = ["population", *(f"explained_{i}" for i in range(1, len(flags) + 1))]
    return (exp.select(*[exp.column(n, table="single", quoted=True) for n in names],
                       *[exp.column(c, table="found", quoted=True) for c in (*check.keys, *check.outputs)])
            .from_("single").join(found.subquery("found"), on=exp.true(), join_type="left")
            .with_("single", as_=single, materialized=True)
            .order_by(*[exp.column(k, table="found", quoted=True) for k in check.keys]))


def _grouped(condition: ir.Expr, query: exp.Select, renderer: SqlRenderer, prefix: str
             ) -> tuple[exp.Expression | None, exp.Select]:
    """Whether `condition` holds for each row, as a value of the scan: `exists S where S.a = <row> and …
    and <tests of S and the row>` (beside tests of the row alone) is a LEFT JOIN to S grouped by the linked
    values, its rows of a group in a list, tested with a lambda. None (and the query unchanged) for a
    condition of any other shape."""
    condition, query = _lookups(condition, query, renderer, f"{prefix}l")
    joined = _as_join(ir.Not(condition.span, condition))
    if joined is None:
        return None, query
    exists, beside = joined
    relation, where = _relation(exists, renderer)
    inner = {n.binding for n in ir.walk(exists) if isinstance(n, ir.Source)}
    links, own, mixed = [], [], []
    for part in ir.conjuncts(where):
        if _subqueries(part):
            return None, query
        seen = _bindings(part)
        if seen <= inner:
            own.append(part)
        elif isinstance(part, ir.Compare) and part.op == "=" and (pair := _link(part, inner)) is not None:
            links.append(pair)
        else:
            mixed.append(part)
    if not links or any(_subqueries(b) for b in beside):
        return None, query
    alias = f"{prefix}g"
    keys = [renderer.value(mine).as_(f"k{j}", quoted=True) for j, (mine, _) in enumerate(links)]
    fields: dict[ir.Expr, str] = {}  # what the lambda reads of a grouped row, computed once per row of S
    mixed = [_hoisted(part, inner, fields) for part in mixed]
    if mixed:
        packed = exp.func("struct_pack", *[exp.PropertyEQ(this=exp.to_identifier(name),
                                                          expression=renderer.value(node))
                                           for node, name in fields.items()])
        rows = exp.func("list", packed).as_("rows", quoted=True)
    else:
        rows = exp.true().as_("rows", quoted=True)
    grouped = exp.select(*keys, rows).from_(relation)
    if own:
        grouped = grouped.where(renderer.render(ir.conjoin(own)))
    grouped = grouped.group_by(*[exp.column(f"k{j}", quoted=True) for j in range(len(links))])
    on = exp.and_(*[exp.EQ(this=exp.column(f"k{j}", table=alias, quoted=True), expression=renderer.value(outer))
                    for j, (_, outer) in enumerate(links)])
    query = query.join(grouped.subquery(alias), on=on, join_type="left", copy=False)
    held: exp.Expression = exp.column("rows", table=alias, quoted=True).is_(exp.null()).not_()
    if mixed:
        test = _InLambda(renderer, inner).render(ir.conjoin(mixed))
        each = exp.func("list_transform", exp.column("rows", table=alias, quoted=True),
                        exp.Lambda(this=test, expressions=[exp.to_identifier("x")]))
        held = exp.Coalesce(this=exp.func("list_bool_or", each), expressions=[exp.false()])
    for part in beside:
        held = exp.and_(held, exp.Coalesce(this=exp.paren(renderer.render(part)), expressions=[exp.false()]))
    return held, query


def _link(part: ir.Compare, inner: set[str]) -> tuple[ir.Expr, ir.Expr] | None:
    """(S's side, the row's side) of `a = b` where one side reads S alone and the other the row alone."""
    for mine, other in ((part.left, part.right), (part.right, part.left)):
        if _bindings(mine) and _bindings(mine) <= inner and _bindings(other) <= {"t0"}:
            return mine, other
    return None


LAMBDA_ROW = "__reglement_x"  # the binding of a grouped row's fields in a lambda (`_hoisted`)


def _hoisted(expr: ir.Expr, inner: set[str], fields: dict[ir.Expr, str]) -> ir.Expr:
    """The expression with each largest part that reads S's rows alone (`end_date + 3 months`, a column)
    replaced by a field of the lambda's row, named in `fields`: computed once per row of S when it is
    grouped, not once per pair of rows."""
    seen = _bindings(expr)
    if seen and seen <= inner and not isinstance(expr, ir.Literal):
        name = fields.setdefault(expr, f"f{len(fields)}")
        return ir.Column(expr.span, name, LAMBDA_ROW, binding=LAMBDA_ROW, type=expr.type)
    return _mapped(expr, lambda child: _hoisted(child, inner, fields))


class _InLambda(SqlRenderer):
    """Renders the fields of a grouped row (`_hoisted`) as those of the lambda's `x`."""

    def __init__(self, outer: SqlRenderer, inner: set[str]):
        super().__init__(outer.bindings, outer.computed)
        self.inner = inner

    def _column(self, e: ir.Column) -> exp.Expression:
        if e.binding == LAMBDA_ROW:
            return exp.Dot(this=exp.to_identifier("x"), expression=exp.to_identifier(e.name))
        return super()._column(e)


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
