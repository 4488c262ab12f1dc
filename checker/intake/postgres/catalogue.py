"""The configuration's mapping held against the database's catalogue, before anything is read.

PostgreSQL folds unquoted names to lower case, but a table created with a quoted name keeps its
case (`"Clienten"`), and reglement quotes every name it sends. So a name of the mapping is found
in the catalogue as it is written, else in any case when only one table (or column) has it so
(`clienten` finds `"Clienten"`); two that differ only in case are named, for the mapping to say which.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlglot import exp

from ....compiler.config_sources import Sources, Table
from ....datasets import Contract
from ...sql_dialects import postgres, render
from ..errors import DataContractError, DataError
from .connection import Connection


@dataclass(frozen=True)
class Catalogued:
    """What the catalogue says of one mapped table: a table or a view, its columns and their types."""

    table: Table  # as the catalogue names it, and each contract column's column
    is_view: bool
    columns: dict[str, str]  # the table's column → its udt name, in table order


class _Ambiguous(Exception):
    """Several names of the catalogue match a name of the mapping when case is ignored."""

    def __init__(self, found: list) -> None:
        self.found = found


def _match(wanted, names, fold):
    """`wanted` if `names` holds it, else the one name of `names` equal to it when folded (`fold`); None when
    there is none, _Ambiguous when there are several."""
    if wanted in names:
        return wanted
    found = sorted(n for n in names if fold(n) == fold(wanted))
    if len(found) > 1:
        raise _Ambiguous(found)
    return found[0] if found else None


def read_catalogue(connection: Connection, sources: Sources, contract: Contract) -> dict[str, Catalogued]:
    """Each mapped dataset's table; DataContractError (E714) when a table, or a contract column's table
    column, is not in the catalogue (or the auditor may not read it), or is there in several cases."""
    tables = sources.tables

    def lower(name: str) -> exp.Expression:
        return exp.Lower(this=exp.column(name))

    pairs = exp.or_(*[exp.and_(lower("table_schema").eq(t.schema.lower()), lower("table_name").eq(t.name.lower()))
                      for t in tables.values()])
    kinds = {(s, n): k for s, n, k in connection.rows(render(
        exp.select("table_schema", "table_name", "table_type").from_("information_schema.tables").where(pairs),
        postgres()))}
    columns: dict[tuple[str, str], dict[str, str]] = {}
    for schema, name, column, udt in connection.rows(render(
            exp.select("table_schema", "table_name", "column_name", "udt_name")
            .from_("information_schema.columns").where(pairs.copy())
            .order_by("table_schema", "table_name", "ordinal_position"), postgres())):
        columns.setdefault((schema, name), {})[column] = udt
    errors, found = [], {}
    for dataset, table in tables.items():
        try:
            where = _match((table.schema, table.name), kinds, lambda pair: (pair[0].lower(), pair[1].lower()))
        except _Ambiguous as several:
            names = " and ".join(f'"{s}"."{n}"' for s, n in several.found)
            errors.append(DataError(table.label, "E714", f"dataset {dataset} is mapped to table "
                                                         f"{table.schema}.{table.name}, which the database has "
                                                         f"in more than one case: {names}; map it to one of them, "
                                                         "in its case"))
            continue
        if where is None:
            errors.append(DataError(table.label, "E714", f"dataset {dataset} is mapped to table "
                                                         f"{table.schema}.{table.name}, which the database does "
                                                         "not have (or the auditor may not read)"))
            continue
        own = columns.get(where, {})
        renamed = {}
        for column in contract[dataset].column_names:
            try:
                renamed[column] = _match(table.column(column), own, str.lower)
            except _Ambiguous as several:
                errors.append(DataError(table.label, "E714", f"column {column} of dataset {dataset} is mapped to "
                                                             f"'{table.column(column)}', which table "
                                                             f"{where[0]}.{where[1]} has in more than one case: "
                                                             f"{' and '.join(several.found)}; map it to one of them"))
                continue
            if renamed[column] is None:
                errors.append(DataError(table.label, "E714", f"column {column} of dataset {dataset} is mapped "
                                                             f"to '{table.column(column)}', which table "
                                                             f"{where[0]}.{where[1]} does not have"))
        resolved = replace(table, schema=where[0], name=where[1],
                           columns={c: n for c, n in renamed.items() if n is not None and n != c})
        found[dataset] = Catalogued(resolved, kinds[where] == "VIEW", own)
    if errors:
        raise DataContractError(errors)
    return found
