"""One way in: the same broken data gives the same error, whatever it came in as.

Each case is one breach of the contract written into every kind of source the intake
takes: a CSV file, a JSON Lines file, a Parquet file, a pandas DataFrame, a pyarrow
Table and a polars DataFrame (through the Arrow PyCapsule interface). The message after
the source's name must be the same for all of them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from reglement.checker.intake import Data, DataContractError, folder_sources, frame_sources, take_in
from reglement.checker.intake.store import DuckDBStore, Store
from reglement.datasets import contract

# objections: objection_id (key), client_id (text), objected_at (date)
CASES = {
    "missing-required-value": (
        {"objection_id": ["O1", "O2"], "client_id": ["C1", None], "objected_at": ["2024-01-01", "2024-01-02"]},
        ["row 2, column client_id: error E705: empty value in a required column"]),
    "bad-date": (
        {"objection_id": ["O1", "O2"], "client_id": ["C1", "C2"], "objected_at": ["2024-01-01", "2024-02-30"]},
        ["row 2, column objected_at: error E706: expected a date YYYY-MM-DD, got '9999-99-99' (no such day)"]),
    "repeated-key": (
        {"objection_id": ["O1", "O1"], "client_id": ["C1", "C2"], "objected_at": ["2024-01-01", "2024-01-02"]},
        ["row 2, column objection_id: error E708: duplicate key 'O1' (first seen on row 1)"]),
    # A typed source (Parquet, a frame, a table) holds a column of numbers: one error for the column; JSON Lines
    # holds a number in each cell: one error for each.
    "number-in-a-text-column": (
        {"objection_id": ["O1", "O2"], "client_id": [7, 12345], "objected_at": ["2024-01-01", "2024-01-02"]},
        {"cells": ["row 1, column client_id: error E707: a number where the contract says text: export the column "
                   "as text, got '9'",
                   "row 2, column client_id: error E707: a number where the contract says text: export the column "
                   "as text, got '99999'"],
         "typed": ["column client_id: error E707: a number where the contract says text: export the column as text "
                   "(the column's type: all 2 values)"]}),
}
SOURCES = ["csv", "jsonl", "parquet", "pandas", "arrow", "polars"]
# A CSV cell is text, so "a number in a text column" cannot be written in one.
PAIRS = [(case, kind) for case in sorted(CASES) for kind in SOURCES
         if not (kind == "csv" and case == "number-in-a-text-column")]


def _write(folder: Path, kind: str, columns: dict) -> Path:
    rows = [dict(zip(columns, values)) for values in zip(*columns.values())]
    path = folder / f"objections.{kind}"
    if kind == "csv":
        lines = [",".join(columns)] + [",".join("" if v is None else str(v) for v in r.values()) for r in rows]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    elif kind == "jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    else:
        pq.write_table(pa.table(columns), path)
    return path


def _frame(kind: str, columns: dict) -> object:
    if kind == "pandas":
        return pd.DataFrame(columns)
    if kind == "arrow":
        return pa.table(columns)
    return pl.DataFrame(columns)


def sources_of_kind(folder: Path, kind: str, columns: dict) -> tuple[str, Data]:
    """The columns as a source of one kind (a file written into `folder`, or a frame), and its label."""
    if kind in ("csv", "jsonl", "parquet"):
        label = str(_write(folder, kind, columns))
        return label, folder_sources(folder, contract())
    return "frames['objections']", frame_sources({"objections": _frame(kind, columns)}, contract())


def errors(tmp_path: Path, kind: str, columns: dict, store: Store | None = None) -> tuple[str, list[str]]:
    """What the intake of `store` (default: a new DuckDB) says of the columns as a source of `kind`."""
    label, sources = sources_of_kind(tmp_path, kind, columns)
    with pytest.raises(DataContractError) as caught:
        take_in([store or DuckDBStore(duckdb.connect())], contract(), sources)
    return label, [str(e) for e in caught.value.errors]


def expected_of(expected: list[str] | dict[str, list[str]], kind: str) -> list[str]:
    """The messages of a case for a source of `kind`: where a typed column and cells of JSON differ, the one."""
    if isinstance(expected, dict):
        return expected["cells" if kind in ("csv", "jsonl") else "typed"]
    return expected


def said(label: str, kind: str, expected: list[str] | dict[str, list[str]]) -> list[str]:
    """The messages of a case as a source of `kind` words them: a JSON Lines file names the line
    (here each row's) where the others name the row."""
    expected = expected_of(expected, kind)
    if kind != "jsonl":
        return [f"{label}: {message}" for message in expected]
    return [label + re.sub(r"^row (\d+), ", r":\1: ", message).replace("seen on row", "seen on line")
            for message in expected]


@pytest.mark.parametrize("case, kind", PAIRS)
def test_the_same_breach_gives_the_same_error_from_every_source(tmp_path, case, kind):
    columns, expected = CASES[case]
    label, found = errors(tmp_path, kind, columns)
    assert found == said(label, kind, expected)


@pytest.mark.parametrize("kind", SOURCES)
def test_clean_data_is_typed_alike_from_every_source(tmp_path, kind):
    columns = {"objection_id": ["O1", "O2"], "client_id": ["C1", "C2"], "objected_at": ["2024-01-01", "2024-01-02"]}
    con = duckdb.connect()
    intake = take_in([DuckDBStore(con)], contract(), sources_of_kind(tmp_path, kind, columns)[1])
    assert intake.datasets["objections"].rows == 2
    assert con.sql("SELECT * FROM objections").fetchall() == [
        ("O1", "C1", dt.date(2024, 1, 1)), ("O2", "C2", dt.date(2024, 1, 2))]


def test_a_bsn_read_by_pandas_without_dtype_str_is_restored(tmp_path):
    """What the README's DataFrame snippet makes of a BSN without `dtype=str`: its zero comes back."""
    clients = pd.DataFrame({"client_id": ["C1", "C2"], "bsn": [12345672, 123456782],
                            "registered_at": ["2024-01-01", "2024-01-02"]})
    for column in contract()["clients"].column_names:
        if column not in clients:
            clients[column] = None
    con = duckdb.connect()
    intake = take_in([DuckDBStore(con)], contract(), frame_sources({"clients": clients}, contract()))
    assert con.sql("SELECT bsn FROM clients").fetchall() == [("012345672",), ("123456782",)]
    assert intake.datasets["clients"].restored == {"bsn": 2}
