"""What an oracle rule may look up (audit date, parameters, indexes of the small datasets), and rule registration.

Part of the oracle: it must never import `reglement.compiler` or `reglement.checker`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

Row = Mapping[str, Any]

DEFAULT_PARAMS: dict[str, int] = {
    "access_months": 1,
    "decision_weeks": 4,
    "execution_days": 14,
    "fiscal_years": 7,
    "retention_years": 2,
    "complaint_weeks": 6,
}


@dataclass
class Context:
    """The audit date, the parameters and the indexes the cross-dataset rules consult."""

    as_of: date
    params: dict[str, int]
    client_columns: tuple[str, ...] = ()
    users: dict[str, Row] = field(default_factory=dict)
    parties: dict[str, Row] = field(default_factory=dict)
    trajectories: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))
    last_contact: dict[str, date] = field(default_factory=dict)
    records: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))
    consents: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))
    objections: dict[str, list[date]] = field(default_factory=lambda: defaultdict(list))
    caseload: dict[tuple[str, str], list[Row]] = field(default_factory=lambda: defaultdict(list))


def build_context(tables: Mapping[str, Iterable[Row]], as_of: date, params: Mapping[str, int] | None = None,
                  client_columns: Iterable[str] = ()) -> Context:
    """Index the small datasets once, so that every rule stays a plain lookup."""
    ctx = Context(as_of, {**DEFAULT_PARAMS, **(params or {})}, tuple(client_columns))
    get = lambda name: tables.get(name, ())  # noqa: E731 - a missing dataset has no rows
    ctx.users = {r["user_id"]: r for r in get("users")}
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
    return ctx


@dataclass(frozen=True)
class Rule:
    id: str
    dataset: str
    test: Callable[[Any, Context], bool]


def registrar(rules: dict[str, Rule]) -> Callable[[str, str], Callable]:
    """A `rule(rule_id, dataset)` decorator that registers into `rules`, in definition (= catalogue) order;
    `dataset` is what the rule iterates (`clients.columns` for rule 1.1)."""
    def rule(rule_id: str, dataset: str) -> Callable:
        def register(fn: Callable[[Any, Context], bool]) -> Callable[[Any, Context], bool]:
            rules[rule_id] = Rule(rule_id, dataset, fn)
            return fn
        return register
    return rule
