"""Ground truth for the Westendorp rules, computed without the compiler or the checker.

Each function below is a literal, row-by-row reading of one line of
`spec/rule-catalogue.md`; its docstring is that line. The generator uses it to write
`ground_truth.json`, and `evaluate_export` applies it to any export folder, so the rule
compiler can be checked against a second, deliberately naive implementation. It must
never import `reglement.compiler` or `reglement.checker`.
"""

from __future__ import annotations

import calendar
import csv
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from . import contract

Row = Mapping[str, Any]

DEFAULT_PARAMS: dict[str, int] = {
    "access_months": 1,
    "decision_weeks": 4,
    "execution_days": 14,
    "fiscal_years": 7,
    "retention_years": 2,
    "complaint_weeks": 6,
}
PURPOSES = ("reintegration", "participation", "administration", "legal_obligation", "marketing")
CASE_WORKER_ROLES = ("jobcoach", "advisor", "intern")
CHANGE_TYPES = ("supplement", "correction", "deletion", "restriction")
GRANTED = ("granted", "partial")
NINE_DIGITS = re.compile(r"[0-9]{9}")


# --- the catalogue's conventions -------------------------------------------------------

def add_months(d: date | None, months: int) -> date | None:
    """`D + N months`: calendar months, clamped to the month's last day (31 Jan + 1 = 28 Feb)."""
    if d is None:
        return None
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def add_years(d: date | None, years: int) -> date | None:
    """`D + N years` (29 Feb + 1 year = 28 Feb)."""
    return add_months(d, 12 * years)


def add_days(d: date | None, days: int) -> date | None:
    """`D + N days`, and `+ N weeks` as 7·N days; a null stays null."""
    return None if d is None else d + timedelta(days=days)


def empty(v: Any) -> bool:
    """"empty" means null or a string of only white space."""
    return v is None or (isinstance(v, str) and not v.strip())


def equals(v: Any, value: Any) -> bool:
    """Exact, case-sensitive comparison; a null never equals anything."""
    return v is not None and v == value


def one_of(v: Any, values: tuple[Any, ...]) -> bool:
    """`v` equals one of `values` exactly; a null is none of them."""
    return v is not None and v in values


def later(a: Any, b: Any) -> bool:
    """"a is later than b" is strictly `a > b`, and false when either is null."""
    return a is not None and b is not None and a > b


def earlier(a: Any, b: Any) -> bool:
    """Strictly `a < b`, false when either is null."""
    return a is not None and b is not None and a < b


def day_of(ts: datetime | None) -> date | None:
    """`date(ts)`: the date part of a timestamp."""
    return None if ts is None else ts.date()


def covers(start: date | None, end: date | None, d: date | None) -> bool:
    """`start ≤ d` and (`end` null or `d ≤ end`)."""
    return start is not None and d is not None and start <= d and (end is None or d <= end)


def elfproef(bsn: str) -> bool:
    """Nine digits with 9·d1 + 8·d2 + … + 2·d8 − d9 divisible by 11."""
    if not NINE_DIGITS.fullmatch(bsn):
        return False
    total = sum(w * int(c) for w, c in zip(range(9, 1, -1), bsn[:8])) - int(bsn[8])
    return total % 11 == 0


# --- what a rule may look up ----------------------------------------------------------

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


RULES: dict[str, Rule] = {}


def rule(rule_id: str, dataset: str) -> Callable:
    """Register a rule; `dataset` is what it iterates (`clients.columns` for rule 1.1)."""
    def register(fn: Callable[[Any, Context], bool]) -> Callable[[Any, Context], bool]:
        RULES[rule_id] = Rule(rule_id, dataset, fn)
        return fn
    return register


def _user(row: Row, ctx: Context) -> Row | None:
    return ctx.users.get(row["actor_id"]) if equals(row["actor_kind"], "user") else None


def _party(row: Row, ctx: Context) -> Row | None:
    return ctx.parties.get(row["actor_id"]) if equals(row["actor_kind"], "party") else None


def _too_late(done: date | None, start: date | None, due: date | None, ctx: Context) -> bool:
    """`done` is later than `due`, or `done` is null and A is later than `due` (start not null)."""
    if start is None:
        return False
    return later(done, due) if done is not None else later(ctx.as_of, due)


# --- the automated rules, in catalogue order -------------------------------------------

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


@rule("8.1-access-request-late", "requests")
def access_request_late(row: Row, ctx: Context) -> bool:
    """`type = access` and either `decided_at` is later than `received_at + {access_months: 1} months`, or
    `decided_at` is null and `A` is later than that (AVG art. 12(3): within one month)
    """
    due = add_months(row["received_at"], ctx.params["access_months"])
    return equals(row["type"], "access") and _too_late(row["decided_at"], row["received_at"], due, ctx)


@rule("8.2-identity-not-verified", "requests")
def identity_not_verified(row: Row, ctx: Context) -> bool:
    """`type = access`, `decision` is `granted` or `partial`, and `identity_verified` is false, or `requester =
    representative` and `mandate_verified` is not true
    """
    return equals(row["type"], "access") and one_of(row["decision"], GRANTED) and (
        row["identity_verified"] is False
        or (equals(row["requester"], "representative") and row["mandate_verified"] is not True))


@rule("9.2-collector-not-heard", "requests")
def collector_not_heard(row: Row, ctx: Context) -> bool:
    """`type` is `supplement`, `correction`, `deletion` or `restriction`, `decided_at` is not null, and
    `collector_heard_at` is null or later than `decided_at`
    """
    return one_of(row["type"], CHANGE_TYPES) and row["decided_at"] is not None and (
        row["collector_heard_at"] is None or later(row["collector_heard_at"], row["decided_at"]))


@rule("9.3-decision-late", "requests")
def decision_late(row: Row, ctx: Context) -> bool:
    """`type` is `supplement`, `correction`, `deletion` or `restriction`, and `decided_at` is later than
    `received_at + {decision_weeks: 4} weeks`, or `decided_at` is null and `A` is later than that
    """
    due = add_days(row["received_at"], 7 * ctx.params["decision_weeks"])
    return one_of(row["type"], CHANGE_TYPES) and _too_late(row["decided_at"], row["received_at"], due, ctx)


@rule("9.3-refusal-without-reasons", "requests")
def refusal_without_reasons(row: Row, ctx: Context) -> bool:
    """`decision = refused` and `decision_reason` is empty (any type)"""
    return equals(row["decision"], "refused") and empty(row["decision_reason"])


@rule("9.3-decision-not-in-writing", "requests")
def decision_not_in_writing(row: Row, ctx: Context) -> bool:
    """`decided_at` is not null and `decision_in_writing` is not true (any type)"""
    return row["decided_at"] is not None and row["decision_in_writing"] is not True


@rule("9.4-deleted-within-legal-retention", "records")
def deleted_within_legal_retention(row: Row, ctx: Context) -> bool:
    """`category = fiscal`, `deleted_at` is not null and earlier than `created_at + {fiscal_years: 7} years`"""
    return equals(row["category"], "fiscal") and earlier(
        row["deleted_at"], add_years(row["created_at"], ctx.params["fiscal_years"]))


@rule("9.5-decision-not-executed", "requests")
def decision_not_executed(row: Row, ctx: Context) -> bool:
    """`type` is `supplement`, `correction`, `deletion` or `restriction`, `decision` is `granted` or `partial`, and
    `executed_at` is later than `decided_at + {execution_days: 14} days`, or `executed_at` is null and `A` is
    later than that
    """
    due = add_days(row["decided_at"], ctx.params["execution_days"])
    return one_of(row["type"], CHANGE_TYPES) and one_of(row["decision"], GRANTED) and _too_late(
        row["executed_at"], row["decided_at"], due, ctx)


@rule("9.6-deletion-without-statement", "requests")
def deletion_without_statement(row: Row, ctx: Context) -> bool:
    """`type = deletion`, `decision` is `granted` or `partial`, `executed_at` is not null, and no `records` row of
    the same client has `category = deletion_statement` and `created_at ≥ executed_at`
    """
    executed = row["executed_at"]
    return equals(row["type"], "deletion") and one_of(row["decision"], GRANTED) and executed is not None and not any(
        equals(r["category"], "deletion_statement") and r["created_at"] is not None and r["created_at"] >= executed
        for r in ctx.records.get(row["client_id"], ()))


@rule("10.1-marketing-without-consent", "marketing")
def marketing_without_consent(row: Row, ctx: Context) -> bool:
    """no `consents` row of the same client has `purpose = marketing`, `explicit` true, `given_at ≤ date(sent_at)`
    and (`withdrawn_at` null or later than `date(sent_at)`)
    """
    d = day_of(row["sent_at"])
    return not any(
        equals(c["purpose"], "marketing") and c["explicit"] is True and c["given_at"] is not None
        and d is not None and c["given_at"] <= d and (c["withdrawn_at"] is None or later(c["withdrawn_at"], d))
        for c in ctx.consents.get(row["client_id"], ()))


@rule("10.2-marketing-after-objection", "marketing")
def marketing_after_objection(row: Row, ctx: Context) -> bool:
    """an `objections` row of the same client has `objected_at` earlier than `date(sent_at)`"""
    d = day_of(row["sent_at"])
    return any(earlier(o, d) for o in ctx.objections.get(row["client_id"], ()))


@rule("11.2-retention-after-last-contact", "clients")
def retention_after_last_contact(row: Row, ctx: Context) -> bool:
    """the last contact — the latest `contacts.contact_date` of the client, or `registered_at` when there is none —
    plus `{retention_years: 2} years` is earlier than `A`
    """
    last = ctx.last_contact.get(row["client_id"], row["registered_at"])
    return earlier(add_years(last, ctx.params["retention_years"]), ctx.as_of)


@rule("11.3-retention-after-guidance", "records")
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


@rule("11.3-fiscal-retention-exceeded", "records")
def fiscal_retention_exceeded(row: Row, ctx: Context) -> bool:
    """`category = fiscal`, `deleted_at` is null, and `created_at + {fiscal_years: 7} years` is earlier than `A`"""
    return equals(row["category"], "fiscal") and row["deleted_at"] is None and earlier(
        add_years(row["created_at"], ctx.params["fiscal_years"]), ctx.as_of)


@rule("12.1-complaint-not-handled", "complaints")
def complaint_not_handled(row: Row, ctx: Context) -> bool:
    """`handled_at` is later than `received_at + {complaint_weeks: 6} weeks`, or `handled_at` is null and `A` is
    later than that (the complaints regulation sets the term; six weeks is the default)
    """
    due = add_days(row["received_at"], 7 * ctx.params["complaint_weeks"])
    return _too_late(row["handled_at"], row["received_at"], due, ctx)


# --- evaluating an export ---------------------------------------------------------------

class Oracle:
    """Findings of every rule: the small datasets at once, `access_log` chunk by chunk."""

    def __init__(self, tables: Mapping[str, Iterable[Row]], as_of: date,
                 params: Mapping[str, int] | None = None, client_columns: Iterable[str] | None = None) -> None:
        columns = contract()["clients"].column_names if client_columns is None else client_columns
        self.ctx = build_context(tables, as_of, params, columns)
        self.found: dict[str, list[str]] = {rule_id: [] for rule_id in RULES}
        for name, rows in tables.items():
            if name != "access_log":
                self.feed(name, rows)
        self.feed("clients.columns", self.ctx.client_columns)

    def feed(self, dataset: str, rows: Iterable[Any]) -> None:
        """Evaluate every rule over `dataset` for these rows; call it once per chunk."""
        rules = [r for r in RULES.values() if r.dataset == dataset]
        key = None if dataset == "clients.columns" else contract()[dataset].key
        for row in rows:
            for r in rules:
                if r.test(row, self.ctx):
                    self.found[r.id].append(row if key is None else row[key])

    def findings(self) -> dict[str, list[dict[str, str]]]:
        """Every rule id, with its findings as `{key column: value}` sorted by key."""
        out = {}
        for rule_id, keys in self.found.items():
            dataset = RULES[rule_id].dataset
            name = "column" if dataset == "clients.columns" else contract()[dataset].key
            out[rule_id] = [{name: k} for k in sorted(keys)]
        return out


def evaluate(tables: Mapping[str, Iterable[Row]], as_of: date, params: Mapping[str, int] | None = None,
             client_columns: Iterable[str] | None = None) -> dict[str, list[dict[str, str]]]:
    """The oracle over datasets held in memory (`access_log` included, if present)."""
    small = {k: v for k, v in tables.items() if k != "access_log"}
    oracle = Oracle(small, as_of, params, client_columns)
    oracle.feed("access_log", tables.get("access_log", ()))
    return oracle.findings()


def _parse(kind: str) -> Callable[[str], Any]:
    """CSV text to the contract's Python value; an empty cell is null."""
    convert: Callable[[str], Any] = {
        "date": date.fromisoformat,
        "timestamp": datetime.fromisoformat,
        "bool": lambda s: {"true": True, "false": False}.get(s, s),
        "list<string>": lambda s: s.split(";"),
    }.get(kind, str)
    return lambda s: None if s == "" else convert(s)


def read_export(path: Path, dataset: str, chunk_rows: int = 100_000) -> Iterator[list[dict[str, Any]]]:
    """Rows of one dataset file (`.csv`, else `.parquet`) in chunks; nothing when it is absent."""
    csv_path, parquet_path = path / f"{dataset}.csv", path / f"{dataset}.parquet"
    if csv_path.exists():
        yield from _read_csv(csv_path, dataset, chunk_rows)
    elif parquet_path.exists():
        import pyarrow.parquet as pq
        for batch in pq.ParquetFile(parquet_path).iter_batches(batch_size=chunk_rows):
            yield batch.to_pylist()


def _read_csv(path: Path, dataset: str, chunk_rows: int) -> Iterator[list[dict[str, Any]]]:
    types = {c.name: c.type for c in contract()[dataset].columns}
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, [])
        parsers = [_parse(types.get(h, "string")) for h in header]
        chunk: list[dict[str, Any]] = []
        for record in reader:
            chunk.append({h: p(v) for h, p, v in zip(header, parsers, record)})
            if len(chunk) >= chunk_rows:
                yield chunk
                chunk = []
        if chunk:
            yield chunk


def export_columns(path: Path, dataset: str) -> tuple[str, ...]:
    """The column names an export file actually has (rule 1.1 looks at those of `clients`)."""
    if (path / f"{dataset}.csv").exists():
        with (path / f"{dataset}.csv").open(encoding="utf-8-sig", newline="") as f:
            return tuple(next(csv.reader(f), []))
    if (path / f"{dataset}.parquet").exists():
        import pyarrow.parquet as pq
        return tuple(pq.read_schema(path / f"{dataset}.parquet").names)
    return ()


def evaluate_export(dir: Path, as_of: date, params: dict | None = None) -> dict[str, list[dict]]:
    """Apply the oracle to an export folder (CSV, or parquet), streaming `access_log`."""
    dir = Path(dir)
    small = {name: [row for chunk in read_export(dir, name) for row in chunk]
             for name in contract() if name != "access_log"}
    oracle = Oracle(small, as_of, params, export_columns(dir, "clients"))
    for chunk in read_export(dir, "access_log"):
        oracle.feed("access_log", chunk)
    return oracle.findings()
