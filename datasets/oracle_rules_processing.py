"""Oracle rules of articles 5–7: who may see a file, and to whom its data may go.

Each function is a literal, row-by-row reading of one line of `spec/rule-catalogue.md`;
its docstring is that line. Part of the oracle: it must never import
`reglement.compiler` or `reglement.checker`.
"""

from __future__ import annotations

from .oracle_context import Context, Registrar, Row, Rule
from .oracle_conventions import covers, day_of, differs, earlier, empty, equals, later, one_of

CASE_WORKER_ROLES = ("jobcoach", "advisor", "intern")

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


@rule.row("5.1-unknown-actor", "access_log")
def unknown_actor(row: Row, ctx: Context) -> bool:
    """`actor_kind = user` and no `users` row has `user_id = actor_id`, or `actor_kind = party` and no `parties`
    row has `party_id = actor_id`
    """
    return (equals(row["actor_kind"], "user") and row["actor_id"] not in ctx.users) or (
        equals(row["actor_kind"], "party") and row["actor_id"] not in ctx.parties)


@rule.row("5.1-outside-authorisation", "access_log")
def outside_authorisation(row: Row, ctx: Context) -> bool:
    """`actor_kind = user`, the user exists, and `date(ts)` is before `authorized_from` or later than a non-null
    `authorized_until`
    """
    user, d = _user(row, ctx), day_of(row["ts"])
    return user is not None and (earlier(d, user["authorized_from"]) or later(d, user["authorized_until"]))


@rule.row("5.1-no-need-to-know", "access_log")
def no_need_to_know(row: Row, ctx: Context) -> bool:
    """`actor_kind = user`, the user exists with role `jobcoach`, `advisor` or `intern`, and no `caseload` row has
    this user and client with `assigned_from ≤ date(ts)` and (`assigned_until` null or `date(ts) ≤
    assigned_until`)
    """
    user, d = _user(row, ctx), day_of(row["ts"])
    if user is None or not one_of(user["role"], CASE_WORKER_ROLES):
        return False
    periods = ctx.caseload.get((row["actor_id"], row["client_id"]), ())
    return not any(covers(p["assigned_from"], p["assigned_until"], d) for p in periods)


@rule.row("5.1-special-data-without-clearance", "access_log")
def special_data_without_clearance(row: Row, ctx: Context) -> bool:
    """`actor_kind = user`, `data_category = special`, the user exists and `special_data_access` is false"""
    user = _user(row, ctx)
    return user is not None and equals(row["data_category"], "special") and user["special_data_access"] is False


@rule.row("5.2-no-confidentiality-statement", "access_log")
def no_confidentiality_statement(row: Row, ctx: Context) -> bool:
    """`actor_kind = user`, the user exists, and `confidentiality_signed_at` is null or later than `date(ts)`"""
    user = _user(row, ctx)
    return user is not None and (user["confidentiality_signed_at"] is None
                                 or later(user["confidentiality_signed_at"], day_of(row["ts"])))


@rule.row("5.3-third-party-without-agreement", "access_log")
def third_party_without_agreement(row: Row, ctx: Context) -> bool:
    """`actor_kind = party`, the party exists, and `agreement_signed_at` is null, or later than `date(ts)`, or
    `confidentiality` is false
    """
    party = _party(row, ctx)
    return party is not None and (party["agreement_signed_at"] is None
                                  or later(party["agreement_signed_at"], day_of(row["ts"]))
                                  or party["confidentiality"] is False)


@rule.row("5.3-third-party-no-need-to-know", "access_log")
def third_party_no_need_to_know(row: Row, ctx: Context) -> bool:
    """`actor_kind = party`, the party exists with kind `commissioner`, and no `trajectories` row of this client
    has `commissioner_id = actor_id`, `start_date ≤ date(ts)` and (`end_date` null or `date(ts) ≤ end_date`)
    """
    party, d = _party(row, ctx), day_of(row["ts"])
    return party is not None and equals(party["kind"], "commissioner") and not any(
        equals(t["commissioner_id"], row["actor_id"]) and covers(t["start_date"], t["end_date"], d)
        for t in ctx.trajectories.get(row["client_id"], ()))


@rule.row("7.1-disclosure-without-basis", "disclosures")
def disclosure_without_basis(row: Row, ctx: Context) -> bool:
    """`basis` is empty"""
    return empty(row["basis"])


@rule.row("7.1-consent-missing", "disclosures")
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


@rule.row("7.1-legal-ground-missing", "disclosures")
def legal_ground_missing(row: Row, ctx: Context) -> bool:
    """`basis = legal_obligation` and `legal_ground` is empty"""
    return equals(row["basis"], "legal_obligation") and empty(row["legal_ground"])


@rule.row("7.1-no-running-agreement", "disclosures")
def no_running_agreement(row: Row, ctx: Context) -> bool:
    """`basis = reintegration_agreement`, the receiver is a `parties` row whose kind is not `commissioner`, and no
    `trajectories` row of the same client has `start_date ≤ date(disclosed_at)` and (`end_date` null or
    `date(disclosed_at) ≤ end_date`)
    """
    receiver, d = ctx.parties.get(row["party_id"]), day_of(row["disclosed_at"])
    return equals(row["basis"], "reintegration_agreement") and receiver is not None and differs(
        receiver["kind"], "commissioner") and not any(covers(t["start_date"], t["end_date"], d)
                                                      for t in ctx.trajectories.get(row["client_id"], ()))


@rule.row("7.2-special-data-to-commissioner", "disclosures")
def special_data_to_commissioner(row: Row, ctx: Context) -> bool:
    """the receiver is a `parties` row of kind `commissioner`, `categories` contains `special`, and not (`basis =
    legal_obligation` and `legal_ground` is not empty)
    """
    return _to_commissioner(row, ctx) and "special" in (row["categories"] or ()) and not (
        equals(row["basis"], "legal_obligation") and not empty(row["legal_ground"]))


@rule.row("7.2-commissioner-not-assigned", "disclosures")
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
