"""Oracle rules of articles 5–7: who may see a file, why, whether the log is whole, and to whom data may go.

Each function is a literal, row-by-row reading of one line of `spec/rule-catalogue.md`;
its docstring is that line. The population (the rows a rule judges, the catalogue's
*Populations*) is written beside it, as the `population=` of its registration. Part of
the oracle: it must never import `reglement.compiler` or `reglement.checker`.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from typing import Any

from .oracle_context import Context, Explanation, Registrar, Row, Rule
from .oracle_conventions import add_days, add_months, covers, day_of, differs, earlier, empty, equals, later, one_of

RULES: dict[str, Rule] = {}
rule = Registrar(RULES)


def _user(row: Row, ctx: Context) -> Row | None:
    return ctx.users.get(row["actor_id"]) if equals(row["actor_kind"], "user") else None


def _party(row: Row, ctx: Context) -> Row | None:
    return ctx.parties.get(row["actor_id"]) if equals(row["actor_kind"], "party") else None


def _to_commissioner(row: Row, ctx: Context) -> bool:
    """The receiver of a disclosure is a `parties` row of kind `commissioner`."""
    receiver = ctx.parties.get(row["party_id"])
    return receiver is not None and equals(receiver["kind"], "commissioner")


# --- populations of the access-log rules -------------------------------------------------------

def events_of_users_or_parties(row: Row, ctx: Context) -> bool:
    """Population of 5.1-unknown-actor: events whose `actor_kind` is `user` or `party` (the events whose actor
    the rule can look up; an actor kind that is no code is `4.2-unknown-code`'s)."""
    return one_of(row["actor_kind"], ("user", "party"))


def events_of_known_users(row: Row, ctx: Context) -> bool:
    """Population of the 5.1 user rules and of 5.2: `actor_kind = user` and a `users` row has
    `user_id = actor_id` (the catalogue's own example: "events of known users for the 5.1 user rules")."""
    return _user(row, ctx) is not None


def events_of_known_parties(row: Row, ctx: Context) -> bool:
    """Population of the 5.3 rules: `actor_kind = party` and a `parties` row has `party_id = actor_id`."""
    return _party(row, ctx) is not None


@rule.row("5.1-unknown-actor", "access_log", events_of_users_or_parties)
def unknown_actor(row: Row, ctx: Context) -> bool:
    """`actor_kind = user` and no `users` row has `user_id = actor_id`, or `actor_kind = party` and no `parties`
    row has `party_id = actor_id`
    """
    return (equals(row["actor_kind"], "user") and row["actor_id"] not in ctx.users) or (
        equals(row["actor_kind"], "party") and row["actor_id"] not in ctx.parties)


@rule.row("5.1-outside-authorisation", "access_log", events_of_known_users)
def outside_authorisation(row: Row, ctx: Context) -> bool:
    """`actor_kind = user`, the user exists, and `date(ts)` is before `authorized_from` or later than a non-null
    `authorized_until`
    """
    user, d = _user(row, ctx), day_of(row["ts"])
    return user is not None and (earlier(d, user["authorized_from"]) or later(d, user["authorized_until"]))


# --- 5.1-access-unexplained: the seven explanations of an access ---------------------------------
# Each is `holds(event, user, d, ctx)`, with `user` the actor's `users` row and `d = date(ts)`; its docstring is
# its line of the catalogue's table "Explanations of an access".

def _caseload_covers(user_id: str, client_id: Any, d: date, ctx: Context) -> bool:
    """A `caseload` row has `user_id`, the client, `assigned_from ≤ d` and (`assigned_until` null or
    `d ≤ assigned_until`)."""
    return any(covers(p["assigned_from"], p["assigned_until"], d) for p in ctx.caseload.get((user_id, client_id), ()))


def by_caseload(row: Row, user: Row, d: date, ctx: Context) -> bool:
    """a `caseload` row has `user_id = actor_id`, the client, `assigned_from ≤ d` and (`assigned_until` null or
    `d ≤ assigned_until`)"""
    return _caseload_covers(row["actor_id"], row["client_id"], d, ctx)


def by_manager(row: Row, user: Row, d: date, ctx: Context) -> bool:
    """a `users` row `m` has `m.manager_id = actor_id`, and a `caseload` row has `user_id = m.user_id`, the
    client, and covers `d` as above"""
    return any(_caseload_covers(m, row["client_id"], d, ctx) for m in ctx.reports.get(row["actor_id"], ()))


def _first_non_null(*values: Any) -> Any:
    return next((v for v in values if v is not None), None)


def by_request(row: Row, user: Row, d: date, ctx: Context) -> bool:
    """a `requests` row of the client has `handled_by = actor_id`, `received_at ≤ d`, and `d ≤` (the first
    non-null of `executed_at`, `decided_at`, `A`) `+ {request_days: 14} days`"""
    return any(
        equals(q["handled_by"], row["actor_id"]) and q["received_at"] is not None and q["received_at"] <= d
        and d <= add_days(_first_non_null(q["executed_at"], q["decided_at"], ctx.as_of), ctx.params["request_days"])
        for q in ctx.requests.get(row["client_id"], ()))


def by_complaint(row: Row, user: Row, d: date, ctx: Context) -> bool:
    """a `complaints` row of the client has `handled_by = actor_id`, `received_at ≤ d`, and `d ≤` (`handled_at`,
    or `A` when null) `+ {complaint_days: 14} days`"""
    return any(
        equals(k["handled_by"], row["actor_id"]) and k["received_at"] is not None and k["received_at"] <= d
        and d <= add_days(_first_non_null(k["handled_at"], ctx.as_of), ctx.params["complaint_days"])
        for k in ctx.complaints.get(row["client_id"], ()))


def by_disclosure(row: Row, user: Row, d: date, ctx: Context) -> bool:
    """a `disclosures` row of the client has `disclosed_by = actor_id` and `date(disclosed_at) = d`"""
    return (row["client_id"], row["actor_id"], d) in ctx.disclosed  # those rows, indexed (`build_context`)


def by_record(row: Row, user: Row, d: date, ctx: Context) -> bool:
    """a `records` row of the client has `created_by = actor_id` and `created_at = d`"""
    return (row["client_id"], row["actor_id"], d) in ctx.written  # those rows, indexed (`build_context`)


def by_administration(row: Row, user: Row, d: date, ctx: Context) -> bool:
    """the user's `role = administration`, the event's `purpose` is `administration` or `legal_obligation`, its
    `data_category` is not `special`, and a `trajectories` row of the client has `start_date ≤ d` and
    (`end_date` null or `d ≤ end_date + {administration_months: 3} months`)"""
    months = ctx.params["administration_months"]
    return (equals(user["role"], "administration") and one_of(row["purpose"], ("administration", "legal_obligation"))
            and differs(row["data_category"], "special")
            and any(covers(t["start_date"], add_months(t["end_date"], months), d)
                    for t in ctx.trajectories.get(row["client_id"], ())))


EXPLANATIONS: tuple[Explanation, ...] = (  # the pack's order
    ("caseload", by_caseload), ("manager", by_manager), ("request", by_request), ("complaint", by_complaint),
    ("disclosure", by_disclosure), ("record", by_record), ("administration", by_administration))


@rule.row("5.1-access-unexplained", "access_log", events_of_known_users, EXPLANATIONS)
def access_unexplained(row: Row, ctx: Context) -> list[str]:
    """population: `actor_kind = user` and a `users` row has `user_id = actor_id` (every event of a known user,
    whatever the role; unknown actors are `5.1-unknown-actor`). A row of the population is a finding when **none
    of the seven explanations** below holds for it.

    Returns the explanations that hold, in the pack's order: the row is a finding when there are none.
    """
    user, d = ctx.users[row["actor_id"]], day_of(row["ts"])
    return [name for name, holds in EXPLANATIONS if holds(row, user, d, ctx)]


@rule.row("5.1-special-data-without-clearance", "access_log", events_of_known_users)
def special_data_without_clearance(row: Row, ctx: Context) -> bool:
    """`actor_kind = user`, `data_category = special`, the user exists and `special_data_access` is false"""
    user = _user(row, ctx)
    return user is not None and equals(row["data_category"], "special") and user["special_data_access"] is False


@rule.row("5.2-no-confidentiality-statement", "access_log", events_of_known_users)
def no_confidentiality_statement(row: Row, ctx: Context) -> bool:
    """`actor_kind = user`, the user exists, and `confidentiality_signed_at` is null or later than `date(ts)`"""
    user = _user(row, ctx)
    return user is not None and (user["confidentiality_signed_at"] is None
                                 or later(user["confidentiality_signed_at"], day_of(row["ts"])))


@rule.row("5.3-third-party-without-agreement", "access_log", events_of_known_parties)
def third_party_without_agreement(row: Row, ctx: Context) -> bool:
    """`actor_kind = party`, the party exists, and `agreement_signed_at` is null, or later than `date(ts)`, or
    `confidentiality` is false
    """
    party = _party(row, ctx)
    return party is not None and (party["agreement_signed_at"] is None
                                  or later(party["agreement_signed_at"], day_of(row["ts"]))
                                  or party["confidentiality"] is False)


@rule.row("5.3-third-party-no-need-to-know", "access_log", events_of_known_parties)
def third_party_no_need_to_know(row: Row, ctx: Context) -> bool:
    """`actor_kind = party`, the party exists with kind `commissioner`, and no `trajectories` row of this client
    has `commissioner_id = actor_id`, `start_date ≤ date(ts)` and (`end_date` null or `date(ts) ≤ end_date`)
    """
    party, d = _party(row, ctx), day_of(row["ts"])
    return party is not None and equals(party["kind"], "commissioner") and not any(
        equals(t["commissioner_id"], row["actor_id"]) and covers(t["start_date"], t["end_date"], d)
        for t in ctx.trajectories.get(row["client_id"], ()))


@rule.sequence("6.1-access-log-gap", "access_log")
class AccessLogGap:
    """the next event of the log (the smallest `ts` greater than this event's `ts`) is more than
    `{max_gap_days: 4}` days later (a difference of more than 4 × 24 hours); one finding per gap, keyed by the
    last event before it (greatest `ts`, then greatest `event_id`); the last event of the log is never a finding

    Population: every event of the log. The events come chunk by chunk and in any order, so the rule keeps, per
    calendar day, the day's earliest `ts`, its latest `ts` and the greatest `event_id` (compared as text) of the
    events at that latest `ts` (memory: one entry per day of the log, whatever its size). An event that is not
    the last of its day has its next event within the day, less than 24 hours later, so for `max_gap_days ≥ 1`
    the only candidates are the last events of the days that have events: the next event after a day's latest
    `ts` is the earliest `ts` of the next day that has events.
    """

    def __init__(self, ctx: Context) -> None:
        self.max_gap = timedelta(days=ctx.params["max_gap_days"])
        assert self.max_gap >= timedelta(days=1), "the oracle reads max_gap_days of at least one day"
        self.days: dict[date, list[Any]] = {}  # day → [earliest ts, latest ts, greatest event_id at the latest]

    def observe(self, row: Row) -> None:
        ts: datetime = row["ts"]
        seen = self.days.get(ts.date())
        if seen is None:
            self.days[ts.date()] = [ts, ts, row["event_id"]]
            return
        if ts < seen[0]:
            seen[0] = ts
        if ts > seen[1]:
            seen[1], seen[2] = ts, row["event_id"]
        elif ts == seen[1] and row["event_id"] > seen[2]:
            seen[2] = row["event_id"]

    def finding_keys(self) -> list[Any]:
        days = sorted(self.days)
        return [self.days[day][2] for day, following in itertools.pairwise(days)
                if self.days[following][0] - self.days[day][1] > self.max_gap]


# --- populations of the disclosure rules -------------------------------------------------------

def disclosures_on_consent(row: Row, ctx: Context) -> bool:
    """Population of 7.1-consent-missing: `basis = consent` (the catalogue's example)."""
    return equals(row["basis"], "consent")


def disclosures_on_legal_obligation(row: Row, ctx: Context) -> bool:
    """Population of 7.1-legal-ground-missing: `basis = legal_obligation`."""
    return equals(row["basis"], "legal_obligation")


def agreement_disclosures_to_others(row: Row, ctx: Context) -> bool:
    """Population of 7.1-no-running-agreement: `basis = reintegration_agreement` and the receiver is a `parties`
    row whose kind is not `commissioner`."""
    receiver = ctx.parties.get(row["party_id"])
    return equals(row["basis"], "reintegration_agreement") and receiver is not None and differs(
        receiver["kind"], "commissioner")


def special_data_to_commissioners(row: Row, ctx: Context) -> bool:
    """Population of 7.2-special-data-to-commissioner: the receiver is a `parties` row of kind `commissioner` and
    `categories` contains `special`."""
    return _to_commissioner(row, ctx) and "special" in (row["categories"] or ())


def agreement_disclosures_to_commissioners(row: Row, ctx: Context) -> bool:
    """Population of 7.2-commissioner-not-assigned: `basis = reintegration_agreement` and the receiver is a
    `parties` row of kind `commissioner`."""
    return equals(row["basis"], "reintegration_agreement") and _to_commissioner(row, ctx)


@rule.row("7.1-disclosure-without-basis", "disclosures")
def disclosure_without_basis(row: Row, ctx: Context) -> bool:
    """`basis` is empty"""
    return empty(row["basis"])


@rule.row("7.1-consent-missing", "disclosures", disclosures_on_consent)
def consent_missing(row: Row, ctx: Context) -> bool:
    """`basis = consent` and no `consents` row of the same client has `purpose = disclosure`, `party_id` null or
    equal to the receiver, `given_at ≤ date(disclosed_at)` and (`withdrawn_at` null or later than
    `date(disclosed_at)`)
    """
    if not equals(row["basis"], "consent"):
        return False
    d = day_of(row["disclosed_at"])
    return not any(
        equals(c["purpose"], "disclosure") and (c["party_id"] is None or equals(c["party_id"], row["party_id"]))
        and c["given_at"] is not None and d is not None and c["given_at"] <= d
        and (c["withdrawn_at"] is None or later(c["withdrawn_at"], d))
        for c in ctx.consents.get(row["client_id"], ()))


@rule.row("7.1-legal-ground-missing", "disclosures", disclosures_on_legal_obligation)
def legal_ground_missing(row: Row, ctx: Context) -> bool:
    """`basis = legal_obligation` and `legal_ground` is empty"""
    return equals(row["basis"], "legal_obligation") and empty(row["legal_ground"])


@rule.row("7.1-no-running-agreement", "disclosures", agreement_disclosures_to_others)
def no_running_agreement(row: Row, ctx: Context) -> bool:
    """`basis = reintegration_agreement`, the receiver is a `parties` row whose kind is not `commissioner`, and no
    `trajectories` row of the same client has `start_date ≤ date(disclosed_at)` and (`end_date` null or
    `date(disclosed_at) ≤ end_date`)
    """
    receiver, d = ctx.parties.get(row["party_id"]), day_of(row["disclosed_at"])
    return equals(row["basis"], "reintegration_agreement") and receiver is not None and differs(
        receiver["kind"], "commissioner") and not any(covers(t["start_date"], t["end_date"], d)
                                                      for t in ctx.trajectories.get(row["client_id"], ()))


@rule.row("7.2-special-data-to-commissioner", "disclosures", special_data_to_commissioners)
def special_data_to_commissioner(row: Row, ctx: Context) -> bool:
    """the receiver is a `parties` row of kind `commissioner`, `categories` contains `special`, and not (`basis =
    legal_obligation` and `legal_ground` is not empty)
    """
    return _to_commissioner(row, ctx) and "special" in (row["categories"] or ()) and not (
        equals(row["basis"], "legal_obligation") and not empty(row["legal_ground"]))


@rule.row("7.2-commissioner-not-assigned", "disclosures", agreement_disclosures_to_commissioners)
def commissioner_not_assigned(row: Row, ctx: Context) -> bool:
    """`basis = reintegration_agreement`, the receiver is a `parties` row of kind `commissioner`, and no
    `trajectories` row of the same client has `commissioner_id` = the receiver, `start_date ≤ date(disclosed_at)`
    and (`end_date` null or `date(disclosed_at) ≤ end_date`)
    """
    if not (equals(row["basis"], "reintegration_agreement") and _to_commissioner(row, ctx)):
        return False
    d = day_of(row["disclosed_at"])
    return not any(equals(t["commissioner_id"], row["party_id"]) and covers(t["start_date"], t["end_date"], d)
                   for t in ctx.trajectories.get(row["client_id"], ()))
