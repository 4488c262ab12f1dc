"""Oracle rules of articles 1–7: what is processed, for which purpose, who may see it, to whom it may go.

Each function is a literal, row-by-row reading of one line of `spec/rule-catalogue.md`;
its docstring is that line. Part of the oracle: it must never import
`reglement.compiler` or `reglement.checker`.
"""

from __future__ import annotations

from . import contract
from .oracle_context import Context, Row, Rule, registrar
from .oracle_conventions import add_years, covers, day_of, earlier, elfproef, empty, equals, later, one_of

PURPOSES = ("reintegration", "participation", "administration", "legal_obligation", "marketing")
CASE_WORKER_ROLES = ("jobcoach", "advisor", "intern")

RULES: dict[str, Rule] = {}
rule = registrar(RULES)


def _user(row: Row, ctx: Context) -> Row | None:
    return ctx.users.get(row["actor_id"]) if equals(row["actor_kind"], "user") else None


def _party(row: Row, ctx: Context) -> Row | None:
    return ctx.parties.get(row["actor_id"]) if equals(row["actor_kind"], "party") else None


@rule("1.1-unlisted-data-category", "clients.columns")
def unlisted_data_category(column: str, ctx: Context) -> bool:
    """the export has a column that is not one of the contract's `clients` columns (art. 1.1 lists what may be
    processed); key `{"column": name}`
    """
    return column not in contract()["clients"].column_names


@rule("3.2-purpose-not-allowed", "access_log")
def purpose_not_allowed(row: Row, ctx: Context) -> bool:
    """`purpose` is empty or not one of `reintegration`, `participation`, `administration`, `legal_obligation`,
    `marketing`
    """
    return empty(row["purpose"]) or not one_of(row["purpose"], PURPOSES)


@rule("4.2-invalid-bsn", "clients")
def invalid_bsn(row: Row, ctx: Context) -> bool:
    """`bsn` is not empty and is not nine digits passing the elfproef
    (9·d1 + 8·d2 + … + 2·d8 − d9 divisible by 11)"""
    return not empty(row["bsn"]) and not elfproef(row["bsn"])


@rule("4.2-incomplete-client", "clients")
def incomplete_client(row: Row, ctx: Context) -> bool:
    """`name`, `birth_date` or `bsn` is empty"""
    return empty(row["name"]) or empty(row["birth_date"]) or empty(row["bsn"])


@rule("4.2-implausible-birth-date", "clients")
def implausible_birth_date(row: Row, ctx: Context) -> bool:
    """`birth_date` is later than `registered_at`, or earlier than `A − 100 years`"""
    return later(row["birth_date"], row["registered_at"]) or earlier(row["birth_date"], add_years(ctx.as_of, -100))


@rule("4.3-no-processing-basis", "clients")
def no_processing_basis(row: Row, ctx: Context) -> bool:
    """no `trajectories` row has this `client_id`"""
    return not ctx.trajectories.get(row["client_id"])


@rule("4.4-special-data-not-informed", "records")
def special_data_not_informed(row: Row, ctx: Context) -> bool:
    """`category = special` and (`subject_informed_at` is null or later than `created_at`)"""
    return equals(row["category"], "special") and (
        row["subject_informed_at"] is None or later(row["subject_informed_at"], row["created_at"]))


@rule("5.1-unknown-actor", "access_log")
def unknown_actor(row: Row, ctx: Context) -> bool:
    """`actor_kind = user` and no `users` row has `user_id = actor_id`, or `actor_kind = party` and no `parties`
    row has `party_id = actor_id`
    """
    return (equals(row["actor_kind"], "user") and row["actor_id"] not in ctx.users) or (
        equals(row["actor_kind"], "party") and row["actor_id"] not in ctx.parties)


@rule("5.1-outside-authorisation", "access_log")
def outside_authorisation(row: Row, ctx: Context) -> bool:
    """`actor_kind = user`, the user exists, and `date(ts)` is before `authorized_from` or later than a non-null
    `authorized_until`
    """
    user, d = _user(row, ctx), day_of(row["ts"])
    return user is not None and (earlier(d, user["authorized_from"]) or later(d, user["authorized_until"]))


@rule("5.1-no-need-to-know", "access_log")
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


@rule("5.1-special-data-without-clearance", "access_log")
def special_data_without_clearance(row: Row, ctx: Context) -> bool:
    """`actor_kind = user`, `data_category = special`, the user exists and `special_data_access` is false"""
    user = _user(row, ctx)
    return user is not None and equals(row["data_category"], "special") and user["special_data_access"] is False


@rule("5.2-no-confidentiality-statement", "access_log")
def no_confidentiality_statement(row: Row, ctx: Context) -> bool:
    """`actor_kind = user`, the user exists, and `confidentiality_signed_at` is null or later than `date(ts)`"""
    user = _user(row, ctx)
    return user is not None and (user["confidentiality_signed_at"] is None
                                 or later(user["confidentiality_signed_at"], day_of(row["ts"])))


@rule("5.3-third-party-without-agreement", "access_log")
def third_party_without_agreement(row: Row, ctx: Context) -> bool:
    """`actor_kind = party`, the party exists, and `agreement_signed_at` is null, or later than `date(ts)`, or
    `confidentiality` is false
    """
    party = _party(row, ctx)
    return party is not None and (party["agreement_signed_at"] is None
                                  or later(party["agreement_signed_at"], day_of(row["ts"]))
                                  or party["confidentiality"] is False)


@rule("7.1-disclosure-without-basis", "disclosures")
def disclosure_without_basis(row: Row, ctx: Context) -> bool:
    """`basis` is empty"""
    return empty(row["basis"])


@rule("7.1-consent-missing", "disclosures")
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


@rule("7.1-legal-ground-missing", "disclosures")
def legal_ground_missing(row: Row, ctx: Context) -> bool:
    """`basis = legal_obligation` and `legal_ground` is empty"""
    return equals(row["basis"], "legal_obligation") and empty(row["legal_ground"])


@rule("7.2-special-data-to-commissioner", "disclosures")
def special_data_to_commissioner(row: Row, ctx: Context) -> bool:
    """the receiver is a `parties` row of kind `commissioner` and `categories` contains `special`"""
    party = ctx.parties.get(row["party_id"])
    return party is not None and equals(party["kind"], "commissioner") and "special" in (row["categories"] or ())


@rule("7.2-commissioner-not-assigned", "disclosures")
def commissioner_not_assigned(row: Row, ctx: Context) -> bool:
    """`basis = reintegration_agreement` and no `trajectories` row of the same client has `commissioner_id` = the
    receiver, `start_date ≤ date(disclosed_at)` and (`end_date` null or `date(disclosed_at) ≤ end_date`)
    """
    if not equals(row["basis"], "reintegration_agreement"):
        return False
    d = day_of(row["disclosed_at"])
    return not any(equals(t["commissioner_id"], row["party_id"]) and covers(t["start_date"], t["end_date"], d)
                   for t in ctx.trajectories.get(row["client_id"], ()))
