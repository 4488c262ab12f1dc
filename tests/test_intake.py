"""The intake: every format to the same typed relations, every contract breach worded exactly."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import sys
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from pathlib import Path

import duckdb
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from reglement.checker.intake import Data, DataContractError, DataError, folder_sources, take_in
from reglement.checker.intake.key_order import _database, _lower_priority, _priority_of_caller
from reglement.checker.intake.store import DuckDBStore
from reglement.datasets import contract

FORMATS = ("csv", "jsonl", "json", "parquet", "xlsx")
SECRET = "GEHEIM-4711"  # a marker planted in personal columns: no message may show it

CLIENTS = [
    {
        "client_id": "C1",
        "name": "Eëlco de Vries",
        "address": "Ruïnestraat 1,\nachterhuis",
        "postcode": "1234 AB",
        "city": "Ruïne",
        "gender": "M",
        "birth_date": "1985-03-01",
        "bsn": "012345672",
        "phone": None,
        "benefit": "WW",
        "education": "  ",
        "work_experience": 'zegt "ja"',
        "registered_at": "2024-01-05",
    },
    {
        "client_id": "C2",
        "name": None,
        "address": None,
        "postcode": None,
        "city": None,
        "gender": None,
        "birth_date": None,
        "bsn": "123456782",
        "phone": "612345678",
        "benefit": None,
        "education": None,
        "work_experience": None,
        "registered_at": "2023-12-31",
    },
]
DISCLOSURES = [
    {
        "disclosure_id": "D1",
        "client_id": "C1",
        "party_id": "P1",
        "disclosed_at": "2024-01-05T10:00:00",
        "categories": ["general", "special"],
        "basis": "consent",
        "legal_ground": None,
        "consent_id": "K1",
        "disclosed_by": "U1",
    },
    {
        "disclosure_id": "D2",
        "client_id": "C2",
        "party_id": "P2",
        "disclosed_at": "2024-02-29T23:59:59",
        "categories": ["fiscal"],
        "basis": None,
        "legal_ground": None,
        "consent_id": None,
        "disclosed_by": None,
    },
]
USERS = [
    {
        "user_id": "U1",
        "name": "Ans",
        "role": "jobcoach",
        "authorized_from": "2020-01-01",
        "authorized_until": None,
        "confidentiality_signed_at": "2020-01-02",
        "special_data_access": "true",
        "manager_id": None,
    },
    {
        "user_id": "U2",
        "name": None,
        "role": "intern",
        "authorized_from": "2021-06-30",
        "authorized_until": "2021-12-31",
        "confidentiality_signed_at": None,
        "special_data_access": "false",
        "manager_id": "U1",
    },
]


SQL_TYPES = {
    "string": "VARCHAR",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "bool": "BOOLEAN",
    "list<string>": "VARCHAR[]",
}


# --- writing export files the way the systems that produce them do -----------------


def types_of(dataset: str) -> dict[str, str]:
    return {column.name: column.type for column in contract()[dataset].columns}


def write(path: Path, rows: list[dict], native: bool = True) -> Path:
    """Write `rows` (contract values as CSV text, lists as lists) in the format of `path`.

    `native=False` writes Parquet with every column a string, as some exporters do.
    """
    types = types_of(path.stem) if path.stem in contract() else {}
    columns = list(rows[0])
    suffix = path.suffix[1:]
    if suffix == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([[as_csv(row[c]) for c in columns] for row in rows])
        path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
    elif suffix in ("jsonl", "json"):
        objects = [{c: as_json(row[c], types.get(c, "string")) for c in columns} for row in rows]
        lines = [json.dumps(o, ensure_ascii=False) for o in objects]
        path.write_text("\n".join(lines) + "\n" if suffix == "jsonl" else "[\n" + ",\n".join(lines) + "\n]", "utf-8")
    elif suffix == "parquet":
        convert = as_native if native else lambda value, _: as_csv(value) or None
        pq.write_table(pa.table({c: [convert(row[c], types.get(c, "string")) for row in rows] for c in columns}), path)
    else:
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(columns)
        for row in rows:
            sheet.append([as_xlsx(row[c], types.get(c, "string")) for c in columns])
        workbook.save(path)
    return path


def as_csv(value: object) -> str:
    return "" if value is None else ";".join(value) if isinstance(value, list) else str(value)


def as_json(value: object, column_type: str) -> object:
    if column_type == "bool" and value in ("true", "false"):
        return value == "true"
    return value


def as_native(value: object, column_type: str) -> object:
    if value is None or column_type in ("string", "list<string>"):
        return value
    return {
        "date": date.fromisoformat,
        "timestamp": datetime.fromisoformat,
        "bool": lambda text: text == "true",
    }[column_type](value)


def as_xlsx(value: object, column_type: str) -> object:
    """Dates as Excel date cells; text as text cells (numbers have tests of their own)."""
    if column_type in ("date", "timestamp") and value is not None:
        return datetime.fromisoformat(value)
    if column_type == "list<string>" and value is not None:
        return ";".join(value)
    if column_type == "bool" and value is not None:
        return value == "true"
    return value


def expected(dataset: str, rows: list[dict]) -> list[tuple]:
    types = types_of(dataset)
    return [tuple(as_native(row[c], types[c]) for c in types) for row in rows]


def load(data_dir: Path, *names: str):
    """Take in the named datasets of an export folder, as the audit driver does."""
    con = duckdb.connect()
    found = folder_sources(data_dir, contract())
    return con, take_in([DuckDBStore(con)], contract(),
                       Data({n: s for n, s in found.sources.items() if n in names}, found.unread))


def errors_of(data_dir: Path, *names: str) -> list[str]:
    with pytest.raises(DataContractError) as caught:
        load(data_dir, *names)
    return [str(error) for error in caught.value.errors]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- every format to the same table ------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("dataset, rows", [("clients", CLIENTS), ("disclosures", DISCLOSURES), ("users", USERS)])
def test_each_format_loads_the_same_typed_table(tmp_path: Path, fmt: str, dataset: str, rows: list[dict]) -> None:
    path = write(tmp_path / f"{dataset}.{fmt}", rows)
    before = sha256(path)
    con, intake = load(tmp_path, dataset)
    assert con.sql(f"SELECT * FROM {dataset}").fetchall() == expected(dataset, rows)
    described = [(name, sql_type) for name, sql_type, *_ in con.sql(f"DESCRIBE {dataset}").fetchall()]
    assert described == [(name, SQL_TYPES[kind]) for name, kind in types_of(dataset).items()]
    received = intake.datasets[dataset]
    assert (received.name, received.label, received.format, received.rows) == (dataset, str(path), fmt, len(rows))
    assert received.sha256 == before == sha256(path)  # the input is never modified


@pytest.mark.parametrize("dataset, rows", [("disclosures", DISCLOSURES), ("users", USERS)])
def test_parquet_with_string_columns_loads_like_native_types(tmp_path: Path, dataset: str, rows: list[dict]) -> None:
    write(tmp_path / f"{dataset}.parquet", rows, native=False)
    assert pq.read_schema(tmp_path / f"{dataset}.parquet").types[3] == pa.string()
    con, _ = load(tmp_path, dataset)
    assert con.sql(f"SELECT * FROM {dataset}").fetchall() == expected(dataset, rows)


def test_csv_text_comes_through_unchanged(tmp_path: Path) -> None:
    """BOM gone, Dutch letters, quoted comma and newline, leading zero, blanks kept, empty is null."""
    path = write(tmp_path / "clients.csv", CLIENTS)
    assert path.read_bytes().startswith(b"\xef\xbb\xbfclient_id,")
    con, _ = load(tmp_path, "clients")
    [row, _] = con.sql("SELECT name, address, city, bsn, phone, education, work_experience FROM clients").fetchall()
    assert row == ("Eëlco de Vries", "Ruïnestraat 1,\nachterhuis", "Ruïne", "012345672", None, "  ", 'zegt "ja"')


def test_list_column_from_csv_and_json(tmp_path: Path) -> None:
    """`a;b` and an array give the same list; an empty CSV cell is null, an empty array stays empty."""
    (tmp_path / "csv").mkdir()
    (tmp_path / "csv" / "disclosures.csv").write_text(
        "disclosure_id,client_id,party_id,disclosed_at,categories,basis,legal_ground,consent_id,disclosed_by\n"
        "D1,C1,P1,2024-01-05T10:00:00,general;special,,,,\n"
        "D2,C1,P1,2024-01-05 10:00:00,general,,,,\n",
        "utf-8",
    )
    (tmp_path / "jsonl").mkdir()
    (tmp_path / "jsonl" / "disclosures.jsonl").write_text(
        '{"disclosure_id": "D1", "client_id": "C1", "party_id": "P1", "disclosed_at": "2024-01-05T10:00:00",'
        ' "categories": ["general", "special"], "basis": null, "legal_ground": null, "consent_id": null,'
        ' "disclosed_by": null}\n'
        '{"disclosure_id": "D2", "client_id": "C1", "party_id": "P1", "disclosed_at": "2024-01-05 10:00:00",'
        ' "categories": [], "basis": null, "legal_ground": null, "consent_id": null, "disclosed_by": null}\n',
        "utf-8",
    )
    query = "SELECT disclosure_id, disclosed_at, categories FROM disclosures"
    at = datetime(2024, 1, 5, 10)
    both = ("D1", at, ["general", "special"])
    assert load(tmp_path / "csv", "disclosures")[0].sql(query).fetchall() == [both, ("D2", at, ["general"])]
    assert load(tmp_path / "jsonl", "disclosures")[0].sql(query).fetchall() == [both, ("D2", at, [])]


def test_json_numbers_in_text_columns_break_the_contract(tmp_path: Path) -> None:
    """A number is never turned into text silently (data contract); a repeated key is fine once it is text."""
    (tmp_path / "objections.jsonl").write_text(
        '{"objection_id": 17, "client_id": 12345.5, "objected_at": "2024-03-01"}\n'
        '{"objection_id": "18", "client_id": "C1", "objected_at": "2024-03-02", "ignored": [1]}\n',
        "utf-8",
    )
    path = tmp_path / "objections.jsonl"
    number = "a number where the contract says text: export the column as text"
    assert errors_of(tmp_path, "objections") == [
        f"{path}:1: column objection_id: error E707: {number}, got '99'",
        f"{path}:1: column client_id: error E707: {number}, got '99999.9'",
    ]


@pytest.mark.parametrize("fmt", ["jsonl", "parquet", "xlsx"])
def test_a_bsn_given_as_a_number_gets_its_leading_zero_back(tmp_path: Path, fmt: str) -> None:
    """What pandas, Parquet integer columns and spreadsheets make of a BSN: restored, and counted."""
    rows = [{**CLIENTS[0], "bsn": 12345672}, {**CLIENTS[1], "bsn": "123456782"}]
    if fmt == "parquet":
        rows = [{**CLIENTS[0], "bsn": 12345672}, {**CLIENTS[1], "bsn": 123456782}]
    write(tmp_path / f"clients.{fmt}", rows)
    con, intake = load(tmp_path, "clients")
    assert con.sql("SELECT bsn FROM clients").fetchall() == [("012345672",), ("123456782",)]
    assert intake.datasets["clients"].restored == {"bsn": 1 if fmt != "parquet" else 2}


def test_a_bsn_number_that_is_not_nine_digits_or_whole_is_refused(tmp_path: Path) -> None:
    rows = [{**CLIENTS[0], "bsn": 1234567890}, {**CLIENTS[1], "client_id": "C2", "bsn": 12345672.5}]
    write(tmp_path / "clients.jsonl", rows)
    words = "a number that is not a whole number of at most 9 digits, where the contract says text: " \
            "export the column as text"
    assert errors_of(tmp_path, "clients") == [
        f"{tmp_path / 'clients.jsonl'}:1: column bsn: error E707: {words}",
        f"{tmp_path / 'clients.jsonl'}:2: column bsn: error E707: {words}",
    ]


def test_xlsx_cells_keep_numbers_as_numbers(tmp_path: Path) -> None:
    """A BSN typed as text keeps its zero, one typed as a number gets it back; a phone number typed
    as a number breaks the contract; dates are dates."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["client_id", "name", "bsn", "phone", "registered_at", "birth_date", "address", "postcode",
                  "city", "gender", "benefit", "education", "work_experience"])
    sheet.append(["C1", "Eëlco", "012345672", "0612345678", datetime(2024, 1, 5), datetime(1985, 3, 1), None,
                  None, None, None, None, "3", None])
    sheet.append([None] * 13)  # a blank row in between is skipped, numbering follows the sheet
    sheet.append(["C2", "Ruïne", 12345672, None, datetime(2023, 12, 31), *[None] * 8])
    sheet.append(["C3", None, None, 612345678, "2024-13-01", None, None, None, None, None, None, None, None])
    workbook.save(tmp_path / "clients.xlsx")
    path = f"{tmp_path / 'clients.xlsx'} (sheet 'Sheet')"  # every message about a workbook names the sheet
    assert errors_of(tmp_path, "clients") == [
        f"{path}: row 4, column phone: error E707: a number where the contract says text: export the column as text",
        f"{path}: row 4, column registered_at: error E706: expected a date YYYY-MM-DD, got '9999-99-99' (no such day)",
    ]
    sheet.delete_rows(5)
    workbook.save(tmp_path / "clients.xlsx")
    con, intake = load(tmp_path, "clients")
    query = "SELECT client_id, name, bsn, phone, registered_at, birth_date, education FROM clients"
    assert con.sql(query).fetchall() == [
        ("C1", "Eëlco", "012345672", "0612345678", date(2024, 1, 5), date(1985, 3, 1), "3"),
        ("C2", "Ruïne", "012345672", None, date(2023, 12, 31), None, None),
    ]
    assert intake.datasets["clients"].restored == {"bsn": 1}


# --- extra columns ----------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("dataset, rows", [("clients", CLIENTS), ("users", USERS)])
def test_extra_columns_are_listed_never_read(tmp_path: Path, fmt: str, dataset: str, rows: list[dict]) -> None:
    """Rule 1.1 reports them by name (every dataset); no rule can read their values."""
    write(tmp_path / f"{dataset}.{fmt}", [{**row, "religion": SECRET, "notes": None} for row in rows])
    con, intake = load(tmp_path, dataset)
    assert intake.datasets[dataset].extra_columns == ("religion", "notes")
    assert [name for name, *_ in con.sql(f"DESCRIBE {dataset}").fetchall()] == list(types_of(dataset))
    listed = con.sql("SELECT \"column\" FROM _export_columns WHERE dataset = $d", params={"d": dataset}).fetchall()
    assert [c for (c,) in listed] == [*rows[0], "religion", "notes"]


# --- the folder -------------------------------------------------------------------


def test_a_missing_file_is_no_source_and_an_unclaimed_one_is_listed(tmp_path: Path) -> None:
    write(tmp_path / "users.csv", USERS)
    (tmp_path / "breaches.csv").write_text("breach_id\nB1\n", "utf-8")
    found = folder_sources(tmp_path, contract())
    assert list(found.sources) == ["users"]
    assert found.unread == ("breaches.csv",)


def test_two_files_for_one_dataset_are_ambiguous(tmp_path: Path) -> None:
    write(tmp_path / "users.csv", USERS)
    write(tmp_path / "users.parquet", USERS)
    assert errors_of(tmp_path, "users") == [
        f"{tmp_path}: error E702: two files for dataset 'users' (users.csv, users.parquet); keep one"
    ]


def test_missing_folder_raises(tmp_path: Path) -> None:
    assert errors_of(tmp_path / "nowhere", "users") == [f"{tmp_path / 'nowhere'}: error E701: export folder not found"]


def test_a_frame_of_an_unknown_dataset_is_refused() -> None:
    import pandas as pd

    from reglement.checker.intake import frame_sources

    with pytest.raises(DataContractError) as caught:
        frame_sources({"client": pd.DataFrame({"client_id": ["C1"]})}, contract())
    assert [str(e) for e in caught.value.errors] == [
        "frames['client']: error E712: unknown dataset 'client' (did you mean 'clients'?)"]


@pytest.mark.parametrize(
    "name, content",
    [("objections.csv", "objection_id,client_id,objected_at\n"), ("objections.json", "[]"), ("objections.jsonl", "")],
)
def test_a_file_without_rows_is_an_empty_table(tmp_path: Path, name: str, content: str) -> None:
    (tmp_path / name).write_text(content, "utf-8")
    con, intake = load(tmp_path, "objections")
    assert intake.datasets["objections"].rows == 0
    assert [t for _, t, *_ in con.sql("DESCRIBE objections").fetchall()] == ["VARCHAR", "VARCHAR", "DATE"]


def test_staging_leaves_nothing_behind(tmp_path: Path) -> None:
    for name, rows in (("clients.csv", CLIENTS), ("users.xlsx", USERS), ("disclosures.jsonl", DISCLOSURES)):
        write(tmp_path / name, rows)
    con, _ = load(tmp_path, "clients", "users", "disclosures")
    tables = con.sql(
        "SELECT table_name FROM duckdb_tables() UNION ALL SELECT view_name FROM duckdb_views() WHERE NOT internal"
    )
    assert sorted(name for (name,) in tables.fetchall()) == ["_export_columns", "clients", "disclosures", "users"]


# --- contract breaches ------------------------------------------------------------

OBJECTIONS = "objection_id,client_id,objected_at\n"


@pytest.mark.parametrize(
    "name, content, messages",
    [
        (
            "objections.csv",
            "objection_id,objected_at\nO1,2024-01-01\n",
            ["error E704: missing column 'client_id'"],
        ),
        (
            "objections.csv",
            OBJECTIONS + "O1,C1,2024-02-30\nO2,C1,5-1-2024\nO3,C1, 2024-01-01\nO4,C1,2024-01-01T00:00:00\n",
            [
                "row 1, column objected_at: error E706: expected a date YYYY-MM-DD, got '9999-99-99' (no such day)",
                "row 2, column objected_at: error E706: expected a date YYYY-MM-DD, got '9-9-9999'",
                "row 3, column objected_at: error E706: expected a date YYYY-MM-DD, got ' 9999-99-99'",
                "row 4, column objected_at: error E706: expected a date YYYY-MM-DD, got '9999-99-99A99:99:99'",
            ],
        ),
        (
            "marketing.csv",
            "message_id,client_id,sent_at,purpose\n"
            "M1,C1,2024-01-05T10:00:00,commercial\nM2,C1,2024-01-05 10:00:00,commercial\n"
            "M3,C1,2024-01-05T24:00:00,commercial\nM4,C1,2024-01-05T10:00,commercial\nM5,C1,2024-01-05,charitable\n"
            "M6,C1,2024-01-05 10:0,commercial\nM7,C1,2024-01-05T24:00,commercial\n",
            [
                "row 3, column sent_at: error E706: expected a timestamp YYYY-MM-DDTHH:MM[:SS][+HH:MM], "
                "got '9999-99-99A99:99:99' (no such day or time)",
                "row 5, column sent_at: error E706: expected a timestamp YYYY-MM-DDTHH:MM[:SS][+HH:MM], "
                "got '9999-99-99'",
                "row 6, column sent_at: error E706: expected a timestamp YYYY-MM-DDTHH:MM[:SS][+HH:MM], "
                "got '9999-99-99 99:9'",
                "row 7, column sent_at: error E706: expected a timestamp YYYY-MM-DDTHH:MM[:SS][+HH:MM], "
                "got '9999-99-99A99:99' (no such day or time)",
            ],
        ),
        (
            "parties.csv",
            "party_id,name,kind,agreement_signed_at,confidentiality\n"
            "P1,X,processor,,TRUE\nP2,Y,processor,,False\nP3,Z,processor,,yes\nP4,Q,processor,,\n",
            [
                "row 3, column confidentiality: error E706: expected true or false, got 'aaa'",
                "row 4, column confidentiality: error E705: empty value in a required column",
            ],
        ),
        (
            "objections.csv",
            OBJECTIONS + "O1,C1,2024-01-01\n,C2,2024-01-01\nO1,C3,2024-01-01\nO4,,\nO1,C5,2024-01-01\n",
            [
                "row 2, column objection_id: error E705: empty value in a required column",
                "row 3, column objection_id: error E708: duplicate key 'O1' (first seen on row 1)",
                "row 4, column client_id: error E705: empty value in a required column",
                "row 4, column objected_at: error E705: empty value in a required column",
                "row 5, column objection_id: error E708: duplicate key 'O1' (first seen on row 1)",
            ],
        ),
        (
            "objections.csv",
            OBJECTIONS + "O1,C1,2024-01-01\nO2,C1,2024-01-01,extra\nO3,C1\n",
            [":3: error E710: expected 3 fields, found 4", ":4: error E710: expected 3 fields, found 2"],
        ),
        (
            "objections.jsonl",
            '{"objection_id": "O1", "client_id": ["C1"], "objected_at": "2024-01-01"}\n'
            '{"objection_id": "O2", "client_id": "C1", "objected_at": 20240101}\n'
            '{"objection_id": "O3", "client_id": "C1"}\n',
            [  # a JSON Lines file names its lines
                ":1: column client_id: error E706: expected a single value (not a JSON array or object), "
                """got '["A9"]'""",
                ":2: column objected_at: error E706: expected a date YYYY-MM-DD, got '99999999'",
                ":3: column objected_at: error E705: empty value in a required column",
            ],
        ),
        (
            "disclosures.json",
            '[{"disclosure_id": "D1", "client_id": "C1", "party_id": "P1", "disclosed_at": "2024-01-05T10:00:00",'
            ' "categories": "general;special", "basis": null, "legal_ground": null, "consent_id": null,'
            ' "disclosed_by": null}]',
            ["row 1, column categories: error E706: expected a list of texts (a JSON array of strings), "
             "got 'aaaaaaa;aaaaaaa'"],
        ),
        (
            "objections.jsonl",
            '{"objection_id": "O1", "client_id": "C1", "objected_at": "2024-01-01"}\n{"objection_id": "O2", \n',
            [":2: error E710: the line ends inside a JSON value (cut short?)"],
        ),
        ("objections.json", '{"objection_id": "O1"}', ["error E703: cannot be read as JSON (an array of objects)"]),
        ("objections.parquet", "not parquet", ["error E703: cannot be read as Parquet"]),
        ("objections.xlsx", "not a workbook", ["error E703: cannot be read as an Excel workbook (.xlsx)"]),
        (
            "objections.csv",
            OBJECTIONS + 'O1,C1,2024-01-01\nO2,C1,"2024-01-01\nO3,C1,2024-01-01\n',
            [":3: column objected_at: error E710: a quote is left open, or text follows a closing quote"],
        ),
        (
            "objections.csv",
            # not UTF-8, so read as Windows-1252, in which byte 0x81 means nothing
            OBJECTIONS + "O1,C1,2024-01-01\n" + "O9,C\udc81,2024-01-01\n",
            ["error E710: not valid windows-1252: pass --encoding with the encoding the file was saved in"],
        ),
        (
            "objections.csv",
            OBJECTIONS + "".join(f"O{i},C1,2024-01-32\n" for i in range(1, 26)),
            [f"row {i}, column objected_at: error E706: expected a date YYYY-MM-DD, got '9999-99-99' (no such day)"
             for i in range(1, 21)]
            + ["5 more errors not shown"],
        ),
    ],
    ids=[
        "missing-column", "date", "timestamp", "bool-and-required", "required-and-duplicate", "csv-field-count",
        "json-shapes", "json-list-shape", "malformed-jsonl", "json-not-array", "not-parquet", "not-xlsx",
        "unclosed-quote", "not-utf8", "cap",
    ],
)
def test_contract_breaches_are_worded_exactly(tmp_path: Path, name: str, content: str, messages: list[str]) -> None:
    """A message that starts with `:` is at a line of the file (`objections.csv:3: …`)."""
    (tmp_path / name).write_bytes(content.encode("utf-8", "surrogateescape"))
    assert errors_of(tmp_path, name.split(".")[0]) == [
        f"{tmp_path / name}{message if message.startswith(':') else ': ' + message}" for message in messages]


def test_long_values_are_cut_to_forty_characters(tmp_path: Path) -> None:
    (tmp_path / "objections.csv").write_text(OBJECTIONS + f"O1,C1,{'9' * 50}\n", "utf-8")
    assert errors_of(tmp_path, "objections") == [
        f"{tmp_path / 'objections.csv'}: row 1, column objected_at: error E706: expected a date YYYY-MM-DD, "
        f"got '{'9' * 40}…'"
    ]


def test_errors_of_all_files_are_reported_together(tmp_path: Path) -> None:
    (tmp_path / "objections.csv").write_text(OBJECTIONS + "O1,C1,2024-01-01\nO1,C1,2024-01-01\n", "utf-8")
    complaint = '{"complaint_id": "K1", "client_id": "C1", "received_at": "x", "handled_by": null}\n'
    (tmp_path / "complaints.jsonl").write_text(complaint, "utf-8")
    write(tmp_path / "users.csv", USERS)
    assert errors_of(tmp_path, "objections", "users", "complaints") == [  # in the order of the file names
        f"{tmp_path / 'complaints.jsonl'}: error E704: missing column 'handled_at'",
        f"{tmp_path / 'complaints.jsonl'}:1: column received_at: error E706: expected a date YYYY-MM-DD, got 'a'",
        f"{tmp_path / 'objections.csv'}: row 2, column objection_id: error E708: duplicate key 'O1' "
        "(first seen on row 1)",
    ]


def test_data_error_omits_what_it_does_not_know() -> None:
    assert str(DataError("a.csv", "E705", "m", 3, "bsn")) == "a.csv: row 3, column bsn: error E705: m"
    assert str(DataError("a.csv", "E705", "m", 3)) == "a.csv: row 3: error E705: m"
    assert str(DataError("a.csv", "E705", "m")) == "a.csv: error E705: m"
    assert str(DataError("a.yaml", "E705", "m", 3, "bsn", "in an example", 40)) == \
        "a.yaml:40: column bsn: error E705: m (in an example)"


# --- privacy ----------------------------------------------------------------------

CLIENTS_HEADER = ",".join(types_of("clients"))


@pytest.mark.parametrize(
    "name, content",
    [
        ("clients.csv", f"{CLIENTS_HEADER}\nC1,,,,,,{SECRET},,,,,,2024-01-01\n"),  # birth date, personal
        ("clients.csv", f"{CLIENTS_HEADER}\nC1,{SECRET},,,,,,,,,,,2024-01-01,{SECRET}\n"),  # a field too many
        # neither UTF-8 nor Windows-1252
        ("clients.csv", f"{CLIENTS_HEADER}\nC1,{SECRET}\udc81,,,,,,,,,,,2024-01-01\n"),
        ("clients.csv", f"{CLIENTS_HEADER}\nC1,\"{SECRET}\n"),  # an unclosed quote
        ("clients.jsonl", f'{{"client_id": "C1", "name": ["{SECRET}"], "registered_at": "2024-01-01"}}\n'),
        ("clients.jsonl", f'{{"client_id": "C1", "name": "{SECRET}", "name": "x"}}\n'),  # duplicate key
        ("clients.jsonl", f'{{"client_id": "C1", "name": {SECRET}}}\n'),  # malformed
        ("clients.jsonl", f'{{"client_id": "C1"}}\n["{SECRET}"]\n'),  # not an object
        (  # other columns of an offending row
            "access_log.csv",
            "event_id,ts,actor_id,actor_kind,client_id,action,data_category,purpose\n"
            f"E1,2024-01-01T00:00:00,U1,user,C1,read,general,[{SECRET}]\nE1,x,U1,user,C1,read,general,{SECRET}\n",
        ),
    ],
)
def test_personal_values_never_appear_in_messages(tmp_path: Path, name: str, content: str) -> None:
    (tmp_path / name).write_bytes(content.encode("utf-8", "surrogateescape"))
    with pytest.raises(DataContractError) as caught:
        load(tmp_path, name.split(".")[0])
    assert caught.value.errors
    shown = "".join(traceback.format_exception(caught.value)) + "".join(map(repr, caught.value.errors))
    assert SECRET not in shown


# --- row numbers are file order, also where DuckDB reads in parallel --------------

COPY_OPTIONS = {"csv": "(HEADER)", "jsonl": "(FORMAT json)", "parquet": "(FORMAT parquet, ROW_GROUP_SIZE 2048)"}


def write_access_log(path: Path, rows: int, breaches: bool = False) -> None:
    """A generated access log; `purpose` spans lines in CSV, so CSV lines are not rows.

    With `breaches`, three past row 5000: row 5124 repeats the key of row 18, row 5500
    has no real date, the last row lacks its client.
    """
    event_id = "'E' || lpad(i::VARCHAR, 7, '0')"
    ts = "strftime(TIMESTAMP '2024-01-01' + to_seconds(i), '%Y-%m-%dT%H:%M:%S')"
    client_id = "'C' || (i % 700)"
    if breaches:
        event_id = f"CASE WHEN i = 5123 THEN 'E0000017' ELSE {event_id} END"
        ts = f"CASE WHEN i = 5499 THEN '2024-02-30T00:00:00' ELSE {ts} END"
        client_id = f"CASE WHEN i = {rows - 1} THEN NULL ELSE {client_id} END"
    source = (
        f"SELECT {event_id} AS event_id, {ts} AS ts, 'U' || (i % 50) AS actor_id, 'user' AS actor_kind, "
        f"{client_id} AS client_id, 'read' AS action, 'general' AS data_category, "
        f"CASE WHEN i % 3 = 0 THEN 'line\nbreak, comma' END AS purpose FROM range({rows}) t(i)"
    )
    duckdb.connect().execute(f"COPY ({source}) TO '{path}' {COPY_OPTIONS[path.suffix[1:]]}")


@pytest.mark.parametrize("rows", [6000, 400_000])
@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_row_numbers_follow_the_file(tmp_path: Path, fmt: str, rows: int) -> None:
    """A JSON Lines file names its lines (one a row here); CSV and Parquet name rows."""
    path = tmp_path / f"access_log.{fmt}"
    write_access_log(path, rows, breaches=True)
    at, seen = (":{}:", "line") if fmt == "jsonl" else (": row {},", "row")
    assert errors_of(tmp_path, "access_log") == [
        f"{path}{at.format(5124)} column event_id: error E708: duplicate key 'E0000017' (first seen on {seen} 18)",
        f"{path}{at.format(5500)} column ts: error E706: expected a timestamp YYYY-MM-DDTHH:MM[:SS][+HH:MM], "
        "got '9999-99-99A99:99:99' (no such day or time)",
        f"{path}{at.format(rows)} column client_id: error E705: empty value in a required column",
    ]


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_loaded_table_keeps_file_order(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"access_log.{fmt}"
    write_access_log(path, 400_000)
    con, intake = load(tmp_path, "access_log")
    assert intake.datasets["access_log"].rows == 400_000
    ids = con.sql("SELECT event_id FROM access_log").fetchall()
    assert ids == [(f"E{i:07d}",) for i in range(400_000)]


def test_column_names_that_differ_only_in_case_are_refused(tmp_path):
    """DuckDB would rename the second to `Religion_1`, a name the file does not have."""
    header = "client_id,name,address,postcode,city,gender,birth_date,bsn,phone,benefit,education," \
             "work_experience,registered_at,religion,Religion\n"
    (tmp_path / "clients.csv").write_text(header + "C1,,,,,,,,,,,,2026-01-01,,\n", encoding="utf-8")
    assert errors_of(tmp_path, "clients") == [
        f"{tmp_path / 'clients.csv'}: column Religion: error E709: repeats the column 'religion' "
        "(names must differ in more than upper and lower case)"]


def _repeat_a_key(clean: Path, path: Path) -> None:
    """The generated log with row 5124 repeating the key of row 18, and nothing else wrong."""
    duckdb.connect().execute(
        f"COPY (SELECT * REPLACE (CASE WHEN event_id = 'E0005123' THEN 'E0000017' ELSE event_id END AS event_id) "
        f"FROM '{clean}') TO '{path}' {COPY_OPTIONS['parquet']}")


def test_keys_counted_beside_the_audit_are_confirmed_before_a_verdict(tmp_path: Path) -> None:
    """With `order_later` (the audit driver's way), a Parquet file's keys are counted in a database of
    their own while the caller goes on; `confirm` then raises on the repeated key, as take_in would have."""
    (tmp_path / "clean").mkdir()
    (tmp_path / "export").mkdir()
    write_access_log(tmp_path / "clean" / "access_log.parquet", 6000)
    path = tmp_path / "export" / "access_log.parquet"
    _repeat_a_key(tmp_path / "clean" / "access_log.parquet", path)
    con = duckdb.connect()
    sources = folder_sources(tmp_path / "export", contract())
    intake = take_in([DuckDBStore(con)], contract(), sources, order_later=True)
    try:
        assert intake.order.pending("access_log")
        assert con.execute("SELECT count(*) FROM access_log").fetchall() == [(6000,)]  # the audit goes on meanwhile
        with pytest.raises(DataContractError) as caught:
            intake.order.confirm()
    finally:
        intake.order.close()
    assert [str(e) for e in caught.value.errors] == [
        f"{path}: row 5124, column event_id: error E708: duplicate key 'E0000017' (first seen on row 18)"]
    with pytest.raises(DataContractError):  # and take_in alone checks the order itself
        take_in([DuckDBStore(duckdb.connect())], contract(), sources)


def test_keys_counted_beside_are_confirmed_after_the_audits_database_is_closed(tmp_path: Path) -> None:
    """The count has a database of its own over the same files, so the command line can confirm it
    once its reports are written (the audit's session closed by then): the repeat is still found."""
    write_access_log(tmp_path / "clean.parquet", 6000)
    (tmp_path / "export").mkdir()
    _repeat_a_key(tmp_path / "clean.parquet", tmp_path / "export" / "access_log.parquet")
    con = duckdb.connect()  # the spill folder is made if it is not there
    intake = take_in([DuckDBStore(con)], contract(), folder_sources(tmp_path / "export", contract()),
                     order_later=True, spill=tmp_path / "spill")
    assert [p.name.endswith("-reglement-key-order") for p in (tmp_path / "spill").iterdir()] == [True]
    con.close()
    with pytest.raises(DataContractError) as caught:
        intake.confirm()
    assert [e.code for e in caught.value.errors] == ["E708"] and not intake.order.pending("access_log")
    assert not list((tmp_path / "spill").iterdir())  # and nothing left behind


def test_the_database_that_counts_keys_reads_the_exports_folders_only(tmp_path: Path) -> None:
    (tmp_path / "export").mkdir()
    (tmp_path / "elsewhere.csv").write_text("a\n1\n", encoding="utf-8")
    con = _database(None, [(tmp_path / "export" / "access_log.parquet",)], tmp_path / "spill")
    with pytest.raises(duckdb.Error):
        con.execute(f"SELECT * FROM read_csv('{tmp_path / 'elsewhere.csv'}')").fetchall()
    assert con.execute("SELECT current_setting('threads')").fetchall() == [(1,)]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a thread's own nice value is Linux's")
def test_the_key_count_runs_at_low_priority_and_gets_the_callers_back_when_the_audit_waits() -> None:
    def nice() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    mine = nice()
    with ThreadPoolExecutor(max_workers=1) as pool:
        thread = pool.submit(_lower_priority).result()
        assert pool.submit(nice).result() == 10 and nice() == mine  # the caller is as it was
        _priority_of_caller(thread)
        lifted = pool.submit(nice).result()
    assert lifted == mine if os.geteuid() == 0 else lifted in (mine, 10)  # unprivileged: as RLIMIT_NICE allows


def test_keys_counted_beside_are_reported_with_the_other_errors_of_their_file(tmp_path: Path) -> None:
    path = tmp_path / "access_log.parquet"
    write_access_log(path, 6000, breaches=True)
    sources = folder_sources(tmp_path, contract())
    found = []
    for later in (False, True):
        with pytest.raises(DataContractError) as caught:
            take_in([DuckDBStore(duckdb.connect())], contract(), sources, order_later=later)
        found.append([str(e) for e in caught.value.errors])
    assert found[0] == found[1] and len(found[0]) == 3 and "E708" in found[0][0]


def test_an_audit_that_ends_early_stops_the_count_of_its_keys(tmp_path: Path) -> None:
    write_access_log(tmp_path / "access_log.parquet", 400_000)
    con = duckdb.connect()
    intake = take_in([DuckDBStore(con)], contract(), folder_sources(tmp_path, contract()), order_later=True)
    intake.close()  # no confirm: whatever still runs is stopped, and nothing is left behind
    assert not intake.order.pending("access_log")
    intake.close()
    con.close()
