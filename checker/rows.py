"""Rows held in Python (rule examples, tests) as typed DuckDB tables.

Rows are written as a YAML author would: dates as `YYYY-MM-DD` text, lists as lists.
They become Arrow tables with the contract's types, so an example runs through the
same engine code as a real export. Columns an example leaves out are null; every
dataset of the contract exists, empty when no rows are given, so a sub-query over a
dataset the example does not mention sees no rows rather than failing.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable, Mapping

import duckdb
import pyarrow as pa

from ..datasets import Dataset, arrow_type


def _value(value: object, column_type: str) -> object:
    if value is None:
        return None
    if column_type == "date" and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if column_type == "timestamp" and isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    if column_type == "string":
        return str(value)
    if column_type == "list<string>":
        return [str(v) for v in value]
    return value


def arrow_table(dataset: Dataset, rows: Iterable[Mapping[str, object]]) -> pa.Table:
    """The rows as an Arrow table with exactly the contract's columns and types.

    For `clients`, columns beyond the contract are kept as text, as the loader keeps
    them (rule 1.1 reports them).
    """
    rows = list(rows)
    fields = [pa.field(c.name, arrow_type(c.type)) for c in dataset.columns]
    if dataset.name == "clients":
        extra = dict.fromkeys(k for row in rows for k in row if dataset.column(k) is None)
        fields += [pa.field(name, pa.string()) for name in extra]
    types = {c.name: c.type for c in dataset.columns}
    arrays = {f.name: [_value(row.get(f.name), types.get(f.name, "string")) for row in rows] for f in fields}
    return pa.table(arrays, schema=pa.schema(fields))


def create_tables(con: duckdb.DuckDBPyConnection, contract: Mapping[str, Dataset],
                  rows: Mapping[str, Iterable[Mapping[str, object]]]) -> None:
    """One typed table per dataset of the contract, filled with the given rows."""
    for name, dataset in contract.items():
        table = arrow_table(dataset, rows.get(name, ()))
        con.register("_rows", table)
        con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM _rows')
        con.unregister("_rows")
