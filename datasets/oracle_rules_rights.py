"""Oracle rules of articles 8–12: requests of the data subject, marketing, retention terms, complaints.

Each function is a literal, row-by-row reading of one line of `spec/rule-catalogue.md`;
its docstring is that line. The population (the rows a rule judges, the catalogue's
*Populations*) is written beside it, as the `population=` of its registration; a rule
registered without one judges every row of its dataset. Part of the oracle: it must never
import `reglement.compiler` or `reglement.checker`.
"""

from __future__ import annotations

from datetime import date

from .oracle_context import Context, Registrar, Row, Rule
from .oracle_conventions import add_days, add_months, add_years, day_of, earlier, empty, equals, later, one_of

CHANGE_TYPES = ("supplement", "correction", "deletion", "restriction")
GRANTED = ("granted", "partial")

RULES: dict[str, Rule] = {}
rule = Registrar(RULES)


# --- populations: which rows each rule judges ------------------------------------------------------

def access_requests(row: Row, ctx: Context) -> bool:
    """Population of 8.1-access-request-late: `type = access` (the catalogue's example)."""
    return equals(row["type"], "access")


def granted_access_requests(row: Row, ctx: Context) -> bool:
    """Population of 8.2-identity-not-verified: `type = access` and `decision` is `granted` or `partial` (the
    requests that handed data over)."""
    return equals(row["type"], "access") and one_of(row["decision"], GRANTED)


def supplement_requests(row: Row, ctx: Context) -> bool:
    """Population of 9.1-supplement-refused: `type = supplement`."""
    return equals(row["type"], "supplement")


def change_requests(row: Row, ctx: Context) -> bool:
    """Population of 9.3-decision-late: `type` is `supplement`, `correction`, `deletion` or `restriction` (the
    catalogue's example: "requests of the four correction types")."""
    return one_of(row["type"], CHANGE_TYPES)


def decided_change_requests(row: Row, ctx: Context) -> bool:
    """Population of 9.2-collector-not-heard: a request of the four types with `decided_at` not null (the
    collector is heard before a decision; an undecided request has none yet)."""
    return one_of(row["type"], CHANGE_TYPES) and row["decided_at"] is not None


def refused_requests(row: Row, ctx: Context) -> bool:
    """Population of 9.3-refusal-without-reasons: `decision = refused` (any type)."""
    return equals(row["decision"], "refused")


def decided_requests(row: Row, ctx: Context) -> bool:
    """Population of 9.3-decision-not-in-writing: `decided_at` is not null (any type)."""
    return row["decided_at"] is not None


def granted_change_requests(row: Row, ctx: Context) -> bool:
    """Population of 9.5-decision-not-executed: a request of the four types whose `decision` is `granted` or
    `partial` (what was granted is to be carried out)."""
    return one_of(row["type"], CHANGE_TYPES) and one_of(row["decision"], GRANTED)


def executed_deletions(row: Row, ctx: Context) -> bool:
    """Population of 9.6-deletion-without-statement: `type = deletion`, `decision` is `granted` or `partial`, and
    `executed_at` is not null (a deletion carried out)."""
    return equals(row["type"], "deletion") and one_of(row["decision"], GRANTED) and row["executed_at"] is not None


def fiscal_records(row: Row, ctx: Context) -> bool:
    """Population of 9.4-deleted-within-legal-retention and 11.3-fiscal-retention-exceeded: `category = fiscal`
    (kept or deleted: the term is judged either way)."""
    return equals(row["category"], "fiscal")


def general_and_special_records(row: Row, ctx: Context) -> bool:
    """Population of 11.3-retention-after-guidance: `category` is `general` or `special` (kept or deleted)."""
    return one_of(row["category"], ("general", "special"))


def marketing_events(row: Row, ctx: Context) -> bool:
    """Population of 10.1- and 10.2-marketing-processing-…: events with `purpose = marketing`."""
    return equals(row["purpose"], "marketing")



def _too_late(done: date | None, start: date | None, due: date | None, ctx: Context) -> bool:
    """`done` is later than `due`, or `done` is null and A is later than `due` (start not null)."""
    if start is None:
        return False
    return later(done, due) if done is not None else later(ctx.as_of, due)


@rule.row("8.1-access-request-late", "requests", access_requests)
def access_request_late(row: Row, ctx: Context) -> bool:
    """`type = access` and either `decided_at` is later than the deadline, or `decided_at` is null and `A` is
    later than it. The deadline is `received_at + {access_months: 1} months`; when `extended_at` is not null and
    not later than that, it is `received_at + {access_months_extended: 3} months` (AVG art. 12(3): one month,
    extendable by two further months when the subject is told within the first). Both terms count from
    `received_at` (31 Jan + 3 months = 30 Apr, not 28 Apr)
    """
    due = add_months(row["received_at"], ctx.params["access_months"])
    if row["extended_at"] is not None and not later(row["extended_at"], due):
        due = add_months(row["received_at"], ctx.params["access_months_extended"])
    return equals(row["type"], "access") and _too_late(row["decided_at"], row["received_at"], due, ctx)


@rule.row("8.2-identity-not-verified", "requests", granted_access_requests)
def identity_not_verified(row: Row, ctx: Context) -> bool:
    """`type = access`, `decision` is `granted` or `partial`, and `identity_verified` is false, or `requester =
    representative` and `mandate_verified` is not true
    """
    return equals(row["type"], "access") and one_of(row["decision"], GRANTED) and (
        row["identity_verified"] is False
        or (equals(row["requester"], "representative") and row["mandate_verified"] is not True))


@rule.row("9.1-supplement-refused", "requests", supplement_requests)
def supplement_refused(row: Row, ctx: Context) -> bool:
    """`type = supplement` and `decision = refused` (a statement of the client is added on request; there is no
    ground to refuse it)
    """
    return equals(row["type"], "supplement") and equals(row["decision"], "refused")


@rule.row("9.2-collector-not-heard", "requests", decided_change_requests)
def collector_not_heard(row: Row, ctx: Context) -> bool:
    """`type` is `supplement`, `correction`, `deletion` or `restriction`, `decided_at` is not null, and
    `collector_heard_at` is null or later than `decided_at`
    """
    return one_of(row["type"], CHANGE_TYPES) and row["decided_at"] is not None and (
        row["collector_heard_at"] is None or later(row["collector_heard_at"], row["decided_at"]))


@rule.row("9.3-decision-late", "requests", change_requests)
def decision_late(row: Row, ctx: Context) -> bool:
    """`type` is `supplement`, `correction`, `deletion` or `restriction`, and `decided_at` is later than
    `received_at + {decision_weeks: 4} weeks`, or `decided_at` is null and `A` is later than that
    """
    due = add_days(row["received_at"], 7 * ctx.params["decision_weeks"])
    return one_of(row["type"], CHANGE_TYPES) and _too_late(row["decided_at"], row["received_at"], due, ctx)


@rule.row("9.3-refusal-without-reasons", "requests", refused_requests)
def refusal_without_reasons(row: Row, ctx: Context) -> bool:
    """`decision = refused` and `decision_reason` is empty (any type)"""
    return equals(row["decision"], "refused") and empty(row["decision_reason"])


@rule.row("9.3-decision-not-in-writing", "requests", decided_requests)
def decision_not_in_writing(row: Row, ctx: Context) -> bool:
    """`decided_at` is not null and `decision_in_writing` is not true (any type)"""
    return row["decided_at"] is not None and row["decision_in_writing"] is not True


@rule.row("9.4-deleted-within-legal-retention", "records", fiscal_records)
def deleted_within_legal_retention(row: Row, ctx: Context) -> bool:
    """`category = fiscal`, `deleted_at` is not null and earlier than `created_at + {fiscal_years: 7} years`"""
    return equals(row["category"], "fiscal") and earlier(
        row["deleted_at"], add_years(row["created_at"], ctx.params["fiscal_years"]))


@rule.row("9.5-decision-not-executed", "requests", granted_change_requests)
def decision_not_executed(row: Row, ctx: Context) -> bool:
    """`type` is `supplement`, `correction`, `deletion` or `restriction`, `decision` is `granted` or `partial`, and
    `executed_at` is later than `decided_at + {execution_days: 14} days`, or `executed_at` is null and `A` is
    later than that
    """
    due = add_days(row["decided_at"], ctx.params["execution_days"])
    return one_of(row["type"], CHANGE_TYPES) and one_of(row["decision"], GRANTED) and _too_late(
        row["executed_at"], row["decided_at"], due, ctx)


@rule.row("9.6-deletion-without-statement", "requests", executed_deletions)
def deletion_without_statement(row: Row, ctx: Context) -> bool:
    """`type = deletion`, `decision` is `granted` or `partial`, `executed_at` is not null, and no `records` row of
    the same client has `category = deletion_statement` and `created_at ≥ executed_at`
    """
    executed = row["executed_at"]
    return equals(row["type"], "deletion") and one_of(row["decision"], GRANTED) and executed is not None and not any(
        equals(r["category"], "deletion_statement") and r["created_at"] is not None and r["created_at"] >= executed
        for r in ctx.records.get(row["client_id"], ()))


def _marketing_consent(client_id: str, d: date | None, ctx: Context) -> bool:
    """A `consents` row of the client has `purpose = marketing`, `explicit` true, `given_at ≤ d` and
    (`withdrawn_at` null or later than `d`)."""
    return any(
        equals(c["purpose"], "marketing") and c["explicit"] is True and c["given_at"] is not None
        and d is not None and c["given_at"] <= d and (c["withdrawn_at"] is None or later(c["withdrawn_at"], d))
        for c in ctx.consents.get(client_id, ()))


def _objected_before(client_id: str, d: date | None, ctx: Context) -> bool:
    """An `objections` row of the client has `objected_at` earlier than `d`."""
    return any(earlier(o, d) for o in ctx.objections.get(client_id, ()))


@rule.row("10.1-marketing-without-consent", "marketing")
def marketing_without_consent(row: Row, ctx: Context) -> bool:
    """no `consents` row of the same client has `purpose = marketing`, `explicit` true, `given_at ≤ date(sent_at)`
    and (`withdrawn_at` null or later than `date(sent_at)`)
    """
    return not _marketing_consent(row["client_id"], day_of(row["sent_at"]), ctx)


@rule.row("10.1-marketing-processing-without-consent", "access_log", marketing_events)
def marketing_processing_without_consent(row: Row, ctx: Context) -> bool:
    """`purpose = marketing` and no `consents` row of this client has `purpose = marketing`, `explicit` true,
    `given_at ≤ date(ts)` and (`withdrawn_at` null or later than `date(ts)`)
    """
    return equals(row["purpose"], "marketing") and not _marketing_consent(row["client_id"], day_of(row["ts"]), ctx)


@rule.row("10.2-marketing-after-objection", "marketing")
def marketing_after_objection(row: Row, ctx: Context) -> bool:
    """an `objections` row of the same client has `objected_at` earlier than `date(sent_at)`"""
    return _objected_before(row["client_id"], day_of(row["sent_at"]), ctx)


@rule.row("10.2-marketing-processing-after-objection", "access_log", marketing_events)
def marketing_processing_after_objection(row: Row, ctx: Context) -> bool:
    """`purpose = marketing` and an `objections` row of this client has `objected_at` earlier than `date(ts)`"""
    return equals(row["purpose"], "marketing") and _objected_before(row["client_id"], day_of(row["ts"]), ctx)


@rule.row("11.2-retention-after-last-contact", "clients")
def retention_after_last_contact(row: Row, ctx: Context) -> bool:
    """no trajectory of the client is running (`end_date` null), and the last contact — the latest of the
    client's `contacts.contact_date`, its `registered_at` and the `end_date` of its trajectories — plus
    `{retention_years: 2} years` is earlier than `A` ("tenzij anders wordt bepaald": a running guidance, or one
    that ended within the term, keeps the file)
    """
    trajectories = ctx.trajectories.get(row["client_id"], ())
    if any(t["end_date"] is None for t in trajectories):
        return False
    known = [d for d in (ctx.last_contact.get(row["client_id"]), row["registered_at"],
                         *(t["end_date"] for t in trajectories)) if d is not None]
    return bool(known) and earlier(add_years(max(known), ctx.params["retention_years"]), ctx.as_of)


@rule.row("11.3-retention-after-guidance", "records", general_and_special_records)
def retention_after_guidance(row: Row, ctx: Context) -> bool:
    """`category` is `general` or `special`, `deleted_at` is null, the client has at least one trajectory, every
    trajectory of the client has an `end_date`, and the latest `end_date` plus `{retention_years: 2} years` is
    earlier than `A`
    """
    trajectories = ctx.trajectories.get(row["client_id"], ())
    if not (one_of(row["category"], ("general", "special")) and row["deleted_at"] is None and trajectories):
        return False
    if any(t["end_date"] is None for t in trajectories):
        return False
    latest = max(t["end_date"] for t in trajectories)
    return earlier(add_years(latest, ctx.params["retention_years"]), ctx.as_of)


@rule.row("11.3-fiscal-retention-exceeded", "records", fiscal_records)
def fiscal_retention_exceeded(row: Row, ctx: Context) -> bool:
    """`category = fiscal`, `deleted_at` is null, and `created_at + {fiscal_years: 7} years` is earlier than `A`"""
    return equals(row["category"], "fiscal") and row["deleted_at"] is None and earlier(
        add_years(row["created_at"], ctx.params["fiscal_years"]), ctx.as_of)


@rule.row("12.1-complaint-not-handled", "complaints")
def complaint_not_handled(row: Row, ctx: Context) -> bool:
    """`handled_at` is later than `received_at + {complaint_weeks: 6} weeks`, or `handled_at` is null and `A` is
    later than that (the complaints regulation sets the term; six weeks is the default)
    """
    due = add_days(row["received_at"], 7 * ctx.params["complaint_weeks"])
    return _too_late(row["handled_at"], row["received_at"], due, ctx)
