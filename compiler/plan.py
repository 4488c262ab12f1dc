"""The query plan: which checks share one scan of their dataset, and which run alone.

Many checks read the same big dataset (the access log) and look one row up in a small
one: `exists users where user_id = access_log.actor_id and …` finds at most one user,
since a key is unique (the intake proved it). The planner rewrites such a sub-query
into a *lookup*: the small dataset is joined to the big one once, under a binding of
its own, and the sub-query becomes a test on the joined row (`ir.Found` and the rest
of its `where`). Checks over one dataset whose sub-queries are all lookups are *fused*:
one scan evaluates every member's condition as a column, and each member gets back
exactly the rows it finds alone (a test compares the two plans, rule by rule, on every
backend). Any other check runs alone, as one query of its own.

A check of the export's form (a contract rule) that tests one column of its row runs
alone on a `large` dataset: one of a million rows or more (`large_datasets`), read by an engine
that pushes a one-column filter into its scan (DuckDB and Spark test it against each
Parquet row group's dictionary and statistics). A sound export keeps its vocabularies,
so alone such a check reads almost nothing, while in a fused scan it is tested on every
row (`benchmarks/bench_sql_shapes.py` times both plans). On a small dataset a query of
its own costs more than its share of the scan. A rule of the regulation is fused all the
same: its findings are expected, and where rows break it everywhere no row group can be
passed by.

`plain` plans every check alone; `fused` is the default.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace

from ..datasets import Contract
from . import ir
from .model import Check, Rule


@dataclass(frozen=True)
class Lookup:
    """The row of `dataset` whose key `key` equals `outer` (an expression of the scanned row), as `alias`."""

    alias: str
    dataset: str
    key: str
    outer: ir.Expr


@dataclass(frozen=True)
class Member:
    """One check of a fused scan, its sub-queries rewritten as tests on the lookups."""

    rule: str
    index: int  # of the check within its rule
    check: Check
    written: Check  # the check as the rule has it: what runs alone when the fused scan fails

    def alone(self) -> Alone:
        """This check as a step of its own, its sub-queries as written (the lookups exist only in the scan)."""
        return Alone(self.rule, self.index, self.written)


@dataclass(frozen=True)
class Scan:
    """Checks over one dataset answered by one query: the dataset, its lookups joined once."""

    dataset: str
    lookups: tuple[Lookup, ...]
    members: tuple[Member, ...]


@dataclass(frozen=True)
class Alone:
    rule: str
    index: int
    check: Check


Step = Scan | Alone
PLANS = ("fused", "plain")


LARGE = 1_000_000  # rows from which a form test alone costs less than its share of a fused scan


def large_datasets(rows: Mapping[str, int], pushdown: bool) -> frozenset[str]:
    """The datasets on which a form test runs alone: those of LARGE rows or more, if the engine pushes
    a one-column filter into its scan."""
    return frozenset(name for name, count in rows.items() if count >= LARGE) if pushdown else frozenset()


def plan(rules: tuple[Rule, ...], contract: Contract, kind: str = "fused",
         skip: frozenset[tuple[str, int]] = frozenset(), large: frozenset[str] = frozenset()) -> tuple[Step, ...]:
    """The steps that answer every check of the rules (but those in `skip`), in the order of the rules;
    a form test of a dataset in `large` runs alone (see above)."""
    alone: list[Step] = []
    groups: dict[str, list[tuple[str, int, Check]]] = {}
    for rule in rules:
        for index, check in enumerate(rule.checks):
            if (rule.id, index) in skip:
                continue
            if kind == "fused" and _lookups_only(check, contract) and not (
                    check.dataset in large and _form_test(rule, check)):
                groups.setdefault(check.dataset, []).append((rule.id, index, check))
            else:
                alone.append(Alone(rule.id, index, check))
    steps: list[Step] = []
    for dataset, found in groups.items():
        if len(found) < 2:
            alone += [Alone(*f) for f in found]
        else:
            steps.append(_scan(dataset, found, contract))
    order = {rule.id: i for i, rule in enumerate(rules)}

    def first(step: Step) -> int:
        return min(order[m.rule] for m in members(step))

    if not steps and not alone:
        return ()

    return tuple(sorted([*steps, *alone], key=first))


def members(step: Step) -> tuple[Member | Alone, ...]:
    """The checks a step answers."""
    return step.members if isinstance(step, Scan) else (step,)


def _form_test(rule: Rule, check: Check) -> bool:
    """A contract rule's check that reads one column of its own row and nothing else."""
    columns = {(n.binding, n.name) for n in ir.walk(check.condition) if isinstance(n, ir.Column)}
    return rule.kind == "contract" and len(columns) == 1 and not _subqueries(check.condition)


# -- which sub-queries are lookups -------------------------------------------------------------
def _bindings(expr: ir.Expr) -> set[str]:
    return {n.binding for n in ir.walk(expr) if isinstance(n, ir.Column)}


def _key_match(sub: ir.Exists, contract: Contract) -> tuple[int, ir.Expr] | None:
    """The conjunct `inner key = outer expression` of an exists, by position, and the outer side; None for a
    dataset of a composite key, which one conjunct cannot match."""
    keys = contract[sub.source.dataset].keys
    if len(keys) != 1:
        return None
    (key,) = keys
    inner = sub.source.binding
    for i, part in enumerate(ir.conjuncts(sub.where)):
        if not (isinstance(part, ir.Compare) and part.op == "="):
            continue
        for mine, other in ((part.left, part.right), (part.right, part.left)):
            if isinstance(mine, ir.Column) and mine.binding == inner and mine.name == key \
                    and inner not in _bindings(other) and not _subqueries(other) \
                    and not any(isinstance(n, ir.Param) for n in ir.walk(other)):  # one lookup serves every member
                return i, other
    return None


def _subqueries(expr: ir.Expr) -> list[ir.Node]:
    return [n for n in ir.walk(expr) if isinstance(n, (ir.Exists, ir.Aggregate))]


def _lookups_only(check: Check, contract: Contract) -> bool:
    """Every sub-query of the check is an `exists` over a key, with no sub-query inside it; and no neighbour
    (`next ts by ts`), a window that sorts the whole dataset: a scan that fuses it would sort for every member."""
    exprs = (check.condition, *check.outputs.values())
    if any(isinstance(n, ir.Neighbour) for e in exprs for n in ir.walk(e)):
        return False
    found = [n for e in exprs for n in _subqueries(e)]
    outer = [n for n in found if not any(n is not m and _inside(n, m) for m in found)]
    return len(outer) == len(found) and all(
        isinstance(n, ir.Exists) and _key_match(n, contract) is not None for n in found)


def _inside(node: ir.Node, container: ir.Node) -> bool:
    return any(n is node for n in ir.walk(container) if n is not container)


# -- rewriting -----------------------------------------------------------------------------------
def _scan(dataset: str, found: list[tuple[str, int, Check]], contract: Contract) -> Scan:
    lookups: dict[tuple, Lookup] = {}
    members = []
    for rule_id, index, check in found:
        rename: dict[str, str] = {}
        rewritten = _rewrite(check.condition, contract, lookups, rename)
        outputs = {name: _rewrite(e, contract, lookups, rename) for name, e in check.outputs.items()}
        members.append(Member(rule_id, index, replace(check, condition=rewritten, outputs=outputs), check))
    return Scan(dataset, tuple(lookups.values()), tuple(members))


def _rewrite(expr: ir.Expr, contract: Contract, lookups: dict[tuple, Lookup], rename: dict[str, str]) -> ir.Expr:
    """The expression with each key `exists` replaced by a test on its lookup, and the columns of
    its sub-query row read from the lookup's binding."""
    if isinstance(expr, ir.Exists):
        position, outer = _key_match(expr, contract)
        identity = (expr.source.dataset, canonical(outer))
        lookup = lookups.setdefault(identity, Lookup(f"l{len(lookups)}", expr.source.dataset,
                                                    contract[expr.source.dataset].keys[0], outer))
        rename[expr.source.binding] = lookup.alias
        rest = [_renamed(p, rename) for i, p in enumerate(ir.conjuncts(expr.where)) if i != position]
        test: ir.Expr = ir.Found(expr.span, lookup.alias)
        for part in rest:
            test = ir.Logical(expr.span, "and", test, part)
        return ir.Not(expr.span, test) if expr.negated else test
    changes = {}
    for name in expr.__dataclass_fields__:
        value = getattr(expr, name)
        if isinstance(value, ir.Node) and not isinstance(value, ir.Source):
            changes[name] = _rewrite(value, contract, lookups, rename)
        elif isinstance(value, tuple) and value and isinstance(value[0], ir.Node):
            changes[name] = tuple(_rewrite(v, contract, lookups, rename) for v in value)
    return replace(expr, **changes) if changes else expr


def _renamed(expr: ir.Expr, rename: dict[str, str]) -> ir.Expr:
    if isinstance(expr, ir.Column) and expr.binding in rename:
        return replace(expr, binding=rename[expr.binding])
    changes = {}
    for name in expr.__dataclass_fields__:
        value = getattr(expr, name)
        if isinstance(value, ir.Node):
            changes[name] = _renamed(value, rename)
        elif isinstance(value, tuple) and value and isinstance(value[0], ir.Node):
            changes[name] = tuple(_renamed(v, rename) for v in value)
    return replace(expr, **changes) if changes else expr


def canonical(expr: ir.Expr) -> ir.Expr:
    """An expression without the qualifiers its author wrote: `actor_id` and `access_log.actor_id`
    read the same column."""
    if isinstance(expr, ir.Column):
        return replace(expr, qualifier=None)
    changes = {name: canonical(getattr(expr, name)) for name in expr.__dataclass_fields__
               if isinstance(getattr(expr, name), ir.Node)}
    return replace(expr, **changes) if changes else expr


def census_identity(check: Check, bindings: Mapping[str, object]) -> tuple | None:
    """What the census of a check without explanations depends on: its dataset, its scope as written (whoever
    wrote it) and the values of the parameters the scope reads, so that rules of one scope (the 5.1 user rules)
    count it once; None for a check with explanations, whose counts are its own."""
    if check.explanations:
        return None
    params = sorted({n.name for n in ir.walk(check.scope) if isinstance(n, ir.Param)})
    return check.dataset, canonical(check.scope), tuple((p, repr(bindings.get(p))) for p in params)


def steps_of(steps: tuple[Step, ...], rule_id: str) -> Iterator[Step]:
    """The steps that answer a rule's checks (for `explain`)."""
    return (step for step in steps if any(m.rule == rule_id for m in members(step)))
