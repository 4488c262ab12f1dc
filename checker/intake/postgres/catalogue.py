"""The configuration's mapping held against the database's catalogue, before anything is read."""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from ....compiler.config_sources import Sources, Table
from ....datasets import Contract
from ...sql_dialects import postgres, render
from ..errors import DataContractError, DataError
from .connection import Connection


@dataclass(frozen=True)
class Catalogued:
    """What the catalogue says of one mapped table: a table or a view, its columns and their types."""

    table: Table
    is_view: bool
    columns: dict[str, str]  # the table's column → its udt name, in table order


def read_catalogue(connection: Connection, sources: Sources, contract: Contract) -> dict[str, Catalogued]:
    """Each mapped dataset's table; DataContractError (E714) when a table, or a contract column's table
    column, is not in the catalogue (or the auditor may not read it)."""
    tables = sources.tables
    pairs = exp.or_(*[exp.and_(exp.column("table_schema").eq(t.schema), exp.column("table_name").eq(t.name))
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
        if (table.schema, table.name) not in kinds:
            errors.append(DataError(table.label, "E714", f"dataset {dataset} is mapped to table "
                                                         f"{table.schema}.{table.name}, which the database does "
                                                         "not have (or the auditor may not read)"))
            continue
        own = columns.get((table.schema, table.name), {})
        for column in contract[dataset].column_names:
            if table.column(column) not in own:
                errors.append(DataError(table.label, "E714", f"column {column} of dataset {dataset} is mapped "
                                                             f"to '{table.column(column)}', which table "
                                                             f"{table.schema}.{table.name} does not have"))
        found[dataset] = Catalogued(table, kinds[(table.schema, table.name)] == "VIEW", own)
    if errors:
        raise DataContractError(errors)
    return found
