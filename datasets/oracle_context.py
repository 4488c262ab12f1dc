"""What an oracle rule may look up (audit date, parameters, indexes of the small datasets), and rule registration.

Part of the oracle: it must never import `reglement.compiler` or `reglement.checker`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, Protocol

from .oracle_contract import REFERENCES
from .oracle_conventions import empty

Row = Mapping[str, Any]

DEFAULT_PARAMS: dict[str, int] = {
    "access_months": 1,
    "access_months_extended": 3,
    "decision_weeks": 4,
    "execution_days": 14,
    "fiscal_years": 7,
    "retention_years": 2,
    "complaint_weeks": 6,
    "max_gap_days": 4,
    "request_days": 14,
    "complaint_days": 14,
    "administration_months": 3,
}


@dataclass
class Context:
    """The audit date, the parameters and the indexes the cross-dataset rules consult."""

    as_of: date
    params: dict[str, int]
    users: dict[str, Row] = field(default_factory=dict)
    parties: dict[str, Row] = field(default_factory=dict)
    trajectories: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))
    last_contact: dict[str, date] = field(default_factory=dict)
    records: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))
    consents: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))
    objections: dict[str, list[date]] = field(default_factory=lambda: defaultdict(list))
    caseload: dict[tuple[str, str], list[Row]] = field(default_factory=lambda: defaultdict(list))
    reports: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # manager_id → its users
    requests: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))  # by client
    complaints: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))  # by client
    disclosures: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))  # by client
    disclosed: set[tuple[Any, Any, date]] = field(default_factory=set)  # (client, disclosed_by, date(disclosed_at))
    written: set[tuple[Any, Any, date]] = field(default_factory=set)  # (client, created_by, created_at) of records
    bsn_count: Counter[str] = field(default_factory=Counter)  # non-empty BSNs, as written
    referable: dict[tuple[str, str], set[Any]] = field(default_factory=dict)  # (dataset, column) → its values


def build_context(tables: Mapping[str, Iterable[Row]], as_of: date,
                  params: Mapping[str, int] | None = None) -> Context:
    """Index the small datasets once, so that every rule stays a plain lookup."""
    ctx = Context(as_of, {**DEFAULT_PARAMS, **(params or {})})
    get = lambda name: tables.get(name, ())  # noqa: E731 - a missing dataset has no rows
    ctx.users = {r["user_id"]: r for r in get("users")}
    for r in get("users"):
        if r["manager_id"] is not None:
            ctx.reports[r["manager_id"]].append(r["user_id"])
    ctx.parties = {r["party_id"]: r for r in get("parties")}
    for r in get("trajectories"):
        ctx.trajectories[r["client_id"]].append(r)
    for r in get("contacts"):
        last = ctx.last_contact.get(r["client_id"])
        if r["contact_date"] is not None and (last is None or r["contact_date"] > last):
            ctx.last_contact[r["client_id"]] = r["contact_date"]
    for r in get("records"):
        ctx.records[r["client_id"]].append(r)
    for r in get("consents"):
        ctx.consents[r["client_id"]].append(r)
    for r in get("objections"):
        ctx.objections[r["client_id"]].append(r["objected_at"])
    for r in get("caseload"):
        ctx.caseload[(r["user_id"], r["client_id"])].append(r)
    for name in ("requests", "complaints", "disclosures"):
        index = getattr(ctx, name)
        for r in get(name):
            index[r["client_id"]].append(r)
    ctx.disclosed = {(r["client_id"], r["disclosed_by"], r["disclosed_at"].date()) for r in get("disclosures")
                     if None not in (r["client_id"], r["disclosed_by"], r["disclosed_at"])}
    ctx.written = {(r["client_id"], r["created_by"], r["created_at"]) for r in get("records")
                   if None not in (r["client_id"], r["created_by"], r["created_at"])}
    ctx.bsn_count = Counter(r["bsn"] for r in get("clients") if not empty(r["bsn"]))
    for target in {t for columns in REFERENCES.values() for t in columns.values()}:
        ctx.referable[target] = {r[target[1]] for r in get(target[0])}
    return ctx


Judges = Callable[[Row, Context], bool]  # a rule's scope: does it judge this row (is the row in its population)?
Explanation = tuple[str, Callable[[Row, Row, date, Context], bool]]  # id, holds(event, user, date(ts), ctx)


class Sequence(Protocol):
    """A rule that judges a row by its neighbours in the dataset's order (rule 6.1): it sees every row, in
    any order and chunk by chunk, and names its findings once all rows are in."""

    def observe(self, row: Row) -> None: ...
    def finding_keys(self) -> list[Any]: ...


@dataclass(frozen=True)
class Rule:
    """One catalogue line. `kind` says what it judges: a `row` of each dataset in `scope`, each `column`
    that `scope` names for a row (the finding's key then carries the column), each column of a dataset's
    `file` (the key is the column alone), or a `sequence`: the rows of a dataset in their order (`test` is
    then a class of `Sequence`, made with the context, fed every row, asked for its findings' keys at the end).

    `population` is the rule's scope, "the rows it judged" of the catalogue's *Populations*: a row rule
    judges the rows for which it holds (None: every row of its dataset); a column rule judges every row of
    the datasets it checks, a file rule every column of the export, a sequence rule every row. A finding is
    always a row of the population. A rule with `explanations` (5.1-access-unexplained) finds the rows of its
    population for which none holds, and counts, for each, the rows of the population for which it holds."""

    id: str
    kind: Literal["row", "column", "file", "sequence"]
    scope: Mapping[str, tuple[str, ...]]
    test: Callable[..., Any]
    population: Judges | None = None
    explanations: tuple[Explanation, ...] = ()

    @property
    def datasets(self) -> tuple[str, ...]:
        return tuple(self.scope)


Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


class Registrar:
    """Decorators that register rules into `rules`, in definition (= catalogue) order."""

    def __init__(self, rules: dict[str, Rule]) -> None:
        self.rules = rules

    def _add(self, rule_id: str, kind: Literal["row", "column", "file", "sequence"],
             scope: Mapping[str, tuple[str, ...]], population: Judges | None = None,
             explanations: tuple[Explanation, ...] = ()) -> Decorator:
        def register(fn: Callable[..., Any]) -> Callable[..., Any]:
            self.rules[rule_id] = Rule(rule_id, kind, scope, fn, population, explanations)
            return fn
        return register

    def row(self, rule_id: str, dataset: str, population: Judges | None = None,
            explanations: tuple[Explanation, ...] = ()) -> Decorator:
        """`fn(row, ctx)`: is this row of `dataset`, one of the `population` (None: every row), a finding?
        With `explanations`, `fn(row, ctx)` gives the ids of those that hold for the row, and a row of the
        population is a finding when it gives none."""
        return self._add(rule_id, "row", {dataset: ()}, population, explanations)

    def column(self, rule_id: str, scope: Mapping[str, Iterable[str]]) -> Decorator:
        """`fn(row, dataset, column, ctx)`: is this column of this row a finding?"""
        return self._add(rule_id, "column", {d: tuple(columns) for d, columns in scope.items()})

    def file(self, rule_id: str, datasets: Iterable[str]) -> Decorator:
        """`fn(dataset, column, ctx)`: is this column of the dataset's file a finding?"""
        return self._add(rule_id, "file", dict.fromkeys(datasets, ()))

    def sequence(self, rule_id: str, dataset: str) -> Decorator:
        """A class `cls(ctx)` of `Sequence` over the rows of `dataset`."""
        return self._add(rule_id, "sequence", {dataset: ()})
