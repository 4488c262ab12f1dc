"""Oracle rules of articles 1–4: what may be processed, for which purpose, and whether it is correct.

Each function is a literal, row-by-row reading of one line of `spec/rule-catalogue.md`;
its docstring is that line. The population (the rows a rule judges, the catalogue's
*Populations*) is written beside it, as the `population=` of its registration; a rule
registered without one judges every row of its dataset, and the contract rules every row
of the datasets they check (rule 1.1: every column of the export). Part of the oracle: it
must never import `reglement.compiler` or `reglement.checker`.
"""

from __future__ import annotations

from . import contract
from .oracle_context import Context, Registrar, Row, Rule
from .oracle_contract import DATE_ORDER, LIST_CODES, NULLABLE_CODES, REFERENCES, VOCABULARIES
from .oracle_conventions import add_years, earlier, elfproef, empty, equals, later, one_of

PURPOSES = ("reintegration", "participation", "administration", "legal_obligation", "marketing")
NEEDS_FOR_SPECIAL_DATA = ("reintegration", "legal_obligation")

RULES: dict[str, Rule] = {}
rule = Registrar(RULES)


def clients_with_a_bsn(row: Row, ctx: Context) -> bool:
    """Population of 4.2-invalid-bsn and 4.2-duplicate-bsn: clients whose `bsn` is not empty (an empty one is
    4.2-incomplete-client's)."""
    return not empty(row["bsn"])


def special_records(row: Row, ctx: Context) -> bool:
    """Population of 4.4-special-data-not-informed: records with `category = special`."""
    return equals(row["category"], "special")


def special_data_events(row: Row, ctx: Context) -> bool:
    """Population of 4.4-special-data-without-need: events with `data_category = special`."""
    return equals(row["data_category"], "special")



@rule.file("1.1-unlisted-data-category", contract())
def unlisted_data_category(dataset: str, column: str, ctx: Context) -> bool:
    """the export's file for the dataset has a column that the contract does not list for it (art. 1.1 lists
    what may be processed; an access log that carries client names is data nobody declared); the finding's
    `dataset` is that dataset and its key `{"column": name}`
    """
    return column not in contract()[dataset].column_names


@rule.row("3.2-purpose-not-allowed", "access_log")
def purpose_not_allowed(row: Row, ctx: Context) -> bool:
    """`purpose` is empty or not one of `reintegration`, `participation`, `administration`, `legal_obligation`,
    `marketing`
    """
    return empty(row["purpose"]) or not one_of(row["purpose"], PURPOSES)


@rule.row("4.2-invalid-bsn", "clients", clients_with_a_bsn)
def invalid_bsn(row: Row, ctx: Context) -> bool:
    """`bsn` is not empty and is not nine digits passing the elfproef
    (9·d1 + 8·d2 + … + 2·d8 − d9 divisible by 11)"""
    return not empty(row["bsn"]) and not elfproef(row["bsn"])


@rule.row("4.2-incomplete-client", "clients")
def incomplete_client(row: Row, ctx: Context) -> bool:
    """`name`, `birth_date` or `bsn` is empty"""
    return empty(row["name"]) or empty(row["birth_date"]) or empty(row["bsn"])


@rule.row("4.2-duplicate-bsn", "clients", clients_with_a_bsn)
def duplicate_bsn(row: Row, ctx: Context) -> bool:
    """`bsn` is not empty and another `clients` row has the same `bsn` (every client of the pair is a finding)"""
    return not empty(row["bsn"]) and ctx.bsn_count[row["bsn"]] > 1


@rule.column("4.2-unknown-code", VOCABULARIES)
def unknown_code(row: Row, dataset: str, column: str, ctx: Context) -> bool:
    """a value of a closed-vocabulary column (data contract) is not one of its values, compared exactly; for a
    list, some element is not; an empty value is a finding in a required column and not in a nullable one
    (`disclosures.basis` empty is `7.1-disclosure-without-basis`); the finding's `dataset` is that dataset and
    its `key` is the row's key plus the column, e.g. `{"event_id": "E7", "column": "actor_kind"}`; the message
    may show the offending code
    """
    value, values = row[column], VOCABULARIES[dataset][column]
    if one_of(value, values):  # a code as the contract spells it (no code is empty): the common case, first
        return False
    if empty(value):
        return (dataset, column) not in NULLABLE_CODES
    if (dataset, column) in LIST_CODES:
        return any(not one_of(element, values) for element in value)
    return not one_of(value, values)


@rule.column("4.2-dangling-reference", REFERENCES)
def dangling_reference(row: Row, dataset: str, column: str, ctx: Context) -> bool:
    """a non-null reference column (data contract) names no row of the dataset it refers to; finding `dataset`
    and `key` as for `4.2-unknown-code`
    """
    return row[column] is not None and row[column] not in ctx.referable[REFERENCES[dataset][column]]


@rule.column("4.2-date-order", DATE_ORDER)
def date_order(row: Row, dataset: str, column: str, ctx: Context) -> bool:
    """both columns of a declared pair are non-null and the later one is before the earlier one; finding
    `dataset` and `key` as for `4.2-unknown-code`, with the later column
    """
    return earlier(row[column], row[DATE_ORDER[dataset][column]])


@rule.row("4.2-implausible-birth-date", "clients")
def implausible_birth_date(row: Row, ctx: Context) -> bool:
    """`birth_date` is later than `registered_at`, or earlier than `A − 100 years`"""
    return later(row["birth_date"], row["registered_at"]) or earlier(row["birth_date"], add_years(ctx.as_of, -100))


@rule.row("4.3-no-processing-basis", "clients")
def no_processing_basis(row: Row, ctx: Context) -> bool:
    """no `trajectories` row has this `client_id`"""
    return not ctx.trajectories.get(row["client_id"])


@rule.row("4.4-special-data-not-informed", "records", special_records)
def special_data_not_informed(row: Row, ctx: Context) -> bool:
    """`category = special` and (`subject_informed_at` is null or later than `created_at`)"""
    return equals(row["category"], "special") and (
        row["subject_informed_at"] is None or later(row["subject_informed_at"], row["created_at"]))


@rule.row("4.4-special-data-without-need", "access_log", special_data_events)
def special_data_without_need(row: Row, ctx: Context) -> bool:
    """`data_category = special` and `purpose` is not `reintegration` or `legal_obligation` (an empty purpose is
    not either)
    """
    return equals(row["data_category"], "special") and not one_of(row["purpose"], NEEDS_FOR_SPECIAL_DATA)
