"""How an office's files come in as they are: timestamps in the forms offices write them, an export
folder that holds no dataset at all, workbooks with more than one sheet, and files whose names and
columns the configuration's `sources:` maps to the contract's (issue #24)."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pytest
import yaml
from conftest import AS_OF, SAMPLE
from test_csv_dialects import audit, findings
from test_intake import write

from reglement.checker.audit import Settings, opened
from reglement.checker.intake import DataContractError, folder_sources
from reglement.cli import main
from reglement.compiler.config_sources import read_sources
from reglement.compiler.stages import load_pack
from reglement.rules import default_pack

ENGINES = ["duckdb", "pandas"]


def typed(folder: Path, engine: str, dataset: str, column: str) -> list:
    """The typed values of one column of a dataset of `folder`, as the engine's intake makes them."""
    pack = load_pack(default_pack())
    with opened(pack, folder_sources(folder, pack.contract), Settings(engine)) as run:
        rows = run.engine.duck.con.sql(f'SELECT "{column}" FROM "{dataset}" ORDER BY message_id').fetchall()
    return [value for (value,) in rows]


# -- timestamps -------------------------------------------------------------------------------
WRITTEN = ["2026-04-10 16:30", "2026-04-10T16:30", "2026-04-10 16:30:00", "2026-04-10T16:30:05"]
MEANT = [dt.datetime(2026, 4, 10, 16, 30)] * 3 + [dt.datetime(2026, 4, 10, 16, 30, 5)]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("fmt", ["csv", "jsonl", "xlsx", "parquet"])
def test_iso_timestamps_are_read_with_or_without_seconds_and_with_t_or_space(tmp_path, fmt, engine):
    """ISO text with or without seconds, `T` or space: the same instant from every format and engine
    (a spreadsheet's text cells and a Parquet string column included)."""
    rows = [{"message_id": f"M{i}", "client_id": "C1", "sent_at": text, "purpose": "commercial"}
            for i, text in enumerate(WRITTEN)]
    if fmt == "xlsx":  # text cells, as a sheet typed by hand holds them
        workbook = openpyxl.Workbook()
        workbook.active.append(list(rows[0]))
        for row in rows:
            workbook.active.append(list(row.values()))
        workbook.save(tmp_path / "marketing.xlsx")
    else:
        write(tmp_path / f"marketing.{fmt}", rows, native=False)
    assert typed(tmp_path, engine, "marketing", "sent_at") == MEANT


@pytest.mark.parametrize("engine", ENGINES)
def test_day_first_timestamps_are_read_with_or_without_seconds_like_iso(tmp_path, engine):
    """The day-first forms a Dutch spreadsheet saves (a CSV column written so throughout) mean what the
    ISO forms mean."""
    written = ["10-04-2026 16:30", "10-04-2026T16:30", "10-04-2026 16:30:00", "10-04-2026 16:30:05"]
    lines = ["message_id,client_id,sent_at,purpose", *(f"M{i},C1,{t},commercial" for i, t in enumerate(written))]
    (tmp_path / "marketing.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert typed(tmp_path, engine, "marketing", "sent_at") == MEANT


# -- an export folder that gives no dataset ------------------------------------------------------
def test_an_export_folder_without_any_dataset_file_is_one_error_naming_the_folder(tmp_path, capsys):
    """Not an error for every rule: one message, exit 2, saying what the folder should hold."""
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "notes.txt").write_text("export of 28 November\n", encoding="utf-8")
    code = main(["check", "--data", str(folder), "--as-of", AS_OF])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.splitlines()[0] == (
        f"{folder}: error E718: holds no file of any dataset of the contract; it holds notes.txt, none of them read "
        "(expected files named after the datasets, as .csv, .jsonl, .json, .parquet or .xlsx (access_log, caseload, "
        "clients, … 14 in all: access_log.csv, say); is --data the folder the export was written to?)")
    assert sum("error" in line for line in err.splitlines()) == 1


def test_an_export_folder_with_one_dataset_file_is_audited(tmp_path, capsys):
    """One dataset is enough for a report: the rules over the others are errors that say what is missing, as
    before."""
    folder = tmp_path / "export"
    folder.mkdir()
    shutil.copy(SAMPLE / "users.csv", folder)
    _, report = audit(capsys, folder)
    assert list(report["data"]) == ["users"]
    assert any("clients.csv" in rule.get("error", "") for rule in report["rules"])  # geen clients.csv


# -- workbooks of several sheets -----------------------------------------------------------------
def workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    """A workbook of these sheets, in this order, each a list of rows (the first its header)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def csv_rows(path: Path) -> list[list]:
    """A CSV file's rows as text cells (an empty field as no cell), as a sheet typed by hand holds them."""
    with path.open(encoding="utf-8", newline="") as f:
        return [[value if value != "" else None for value in row] for row in csv.reader(f)]


NOTES = [["Export van het CRM, 28 november 2026"], ["Vragen: functioneel beheer"]]
OBJECTIONS = [["objection_id", "client_id", "objected_at"], ["O1", "C1", "2026-01-05"], ["O2", "C2", "2026-02-05"]]


def take(folder: Path, sources: dict | None = None) -> dict[str, list[tuple]]:
    """The typed rows of each dataset of the folder (with the configuration's sources: `sources`)."""
    pack = load_pack(default_pack())
    mapping = read_sources(sources) if sources else None
    with opened(pack, folder_sources(folder, pack.contract, mapping=mapping), Settings("duckdb")) as run:
        con = run.engine.duck.con
        return {name: con.sql(f'SELECT * FROM "{name}" ORDER BY 1').fetchall() for name in run.intake.datasets}


def refused(folder: Path, sources: dict | None = None) -> list[str]:
    with pytest.raises(DataContractError) as caught:
        take(folder, sources)
    return [str(e) for e in caught.value.errors]


def test_the_sheet_named_like_the_dataset_is_read_before_a_notes_sheet(tmp_path):
    workbook(tmp_path / "objections.xlsx", {"Toelichting": NOTES, "Objections": OBJECTIONS})
    assert take(tmp_path)["objections"] == [("O1", "C1", dt.date(2026, 1, 5)), ("O2", "C2", dt.date(2026, 2, 5))]


def test_a_notes_sheet_read_first_is_named_with_the_sheets_there_are(tmp_path):
    path = workbook(tmp_path / "objections.xlsx", {"Toelichting": NOTES, "Bezwaren": OBJECTIONS})
    where = f"{path} (sheet 'Toelichting')"
    assert refused(tmp_path) == [
        f"{where}: error E704: missing column 'objection_id' (the first of the workbook's sheets ('Toelichting', "
        "'Bezwaren') was read; name the dataset's sheet 'objections', or give its sheet in the configuration: "
        "sources: datasets: objections: {file: …, sheet: …})",
        f"{where}: error E704: missing column 'client_id'",
        f"{where}: error E704: missing column 'objected_at'"]


def test_a_sheet_is_mapped_by_name_and_a_sheet_the_workbook_lacks_is_named(tmp_path):
    path = workbook(tmp_path / "objections.xlsx", {"Toelichting": NOTES, "Bezwaren": OBJECTIONS})
    mapped = {"datasets": {"objections": {"file": "objections.xlsx", "sheet": "Bezwaren"}}}
    assert len(take(tmp_path, mapped)["objections"]) == 2
    mapped["datasets"]["objections"]["sheet"] = "Bezwaar"
    assert refused(tmp_path, mapped) == [
        f"{path}: error E714: dataset objections is mapped to sheet 'Bezwaar', which the workbook does not have "
        "(it has 'Toelichting', 'Bezwaren')"]


def test_every_message_about_a_workbook_names_its_sheet(tmp_path):
    rows = [*OBJECTIONS, ["O3", "C3", "2026-02-30"]]
    path = workbook(tmp_path / "objections.xlsx", {"Objections": rows})
    assert refused(tmp_path) == [f"{path} (sheet 'Objections'): row 3, column objected_at: error E706: expected a "
                                 "date YYYY-MM-DD, got '9999-99-99' (no such day)"]


# -- files of the office's own names, mapped in sources: --------------------------------------------
OWN_NAMES = {"client_id": "Klantnummer", "bsn": "BSN-nummer", "registered_at": "Inschrijfdatum"}
USER_NAMES = {"user_id": "Personeelsnummer", "special_data_access": "Bijzondere gegevens"}
MAPPING = {"datasets": {
    "clients": {"file": "CRM export 2026.11.csv", "columns": OWN_NAMES},
    "users": {"file": "Medewerkers.xlsx", "sheet": "Actief", "columns": USER_NAMES}}}


def office_export(folder: Path) -> Path:
    """The sample as an office exports it: clients in a CSV file of another name, with its own column names;
    users in a workbook whose first sheet is notes, under columns of their own names too."""
    shutil.copytree(SAMPLE, folder)
    lines = (folder / "clients.csv").read_text(encoding="utf-8").split("\n")
    header = [OWN_NAMES.get(name, name) for name in lines[0].split(",")]
    (folder / "CRM export 2026.11.csv").write_text("\n".join([",".join(header), *lines[1:]]), encoding="utf-8")
    users = csv_rows(folder / "users.csv")
    workbook(folder / "Medewerkers.xlsx", {"Toelichting": NOTES,
                                           "Actief": [[USER_NAMES.get(n, n) for n in users[0]], *users[1:]]})
    (folder / "clients.csv").unlink()
    (folder / "users.csv").unlink()
    return folder


def config(folder: Path, sources: dict) -> Path:
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump({"sources": sources}, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("engine", ENGINES)
def test_files_mapped_in_sources_audit_to_the_findings_of_the_unmapped_export(tmp_path, capsys, engine):
    """The office does not rewrite its files: the mapping names them, their sheet and their columns."""
    folder = office_export(tmp_path / "export")
    _, expected = audit(capsys, SAMPLE, "--engine", engine)
    code, report = audit(capsys, folder, "--engine", engine, "--config", str(config(tmp_path, MAPPING)))
    assert code == 1
    assert findings(report) == findings(expected)
    assert report["data"]["clients"]["path"] == str(folder / "CRM export 2026.11.csv")
    assert report["data"]["users"]["rows"] == expected["data"]["users"]["rows"]
    # the report says what was read under which name: an auditor reads the mapping beside the files
    assert report["data"]["clients"]["columns"] == OWN_NAMES and "sheet" not in report["data"]["clients"]
    assert (report["data"]["users"]["sheet"], report["data"]["users"]["columns"]) == ("Actief", USER_NAMES)
    assert "columns" not in report["data"]["requests"] and "columns" not in expected["data"]["clients"]
    assert report["unread"] == ["README.md"]


def test_errors_of_a_mapped_file_name_the_files_column_and_the_contracts(tmp_path):
    folder = office_export(tmp_path / "export")
    path = folder / "CRM export 2026.11.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[1] = lines[1].replace("2025-08-25", "2025-02-30")
    path.write_text("\n".join(lines), encoding="utf-8")
    assert refused(folder, MAPPING) == [
        f"{path}: row 1, column Inschrijfdatum (mapped to registered_at): error E706: expected a date YYYY-MM-DD, "
        "got '9999-99-99' (no such day)"]


def test_a_mapped_column_or_file_the_export_lacks_is_named_with_its_file_and_sheet(tmp_path):
    folder = office_export(tmp_path / "export")
    wrong = {"datasets": {
        "clients": {"file": "CRM export 2026.11.csv", "columns": {**OWN_NAMES, "bsn": "BSN"}},
        "users": {"file": "Medewerkers.xlsx", "sheet": "Actief", "columns": {**USER_NAMES, "role": "Functie"}},
        "objections": {"file": "Bezwaren.csv"}}}
    (folder / "objections.csv").unlink()
    assert refused(folder, wrong) == [
        f"{folder / 'Bezwaren.csv'}: error E714: dataset objections is mapped to file 'Bezwaren.csv', which the "
        f"export folder {folder} does not have"]
    del wrong["datasets"]["objections"]
    assert refused(folder, wrong) == [
        f"{folder / 'CRM export 2026.11.csv'}: error E714: column bsn of dataset clients is mapped to 'BSN', which "
        "the file does not have",
        f"{folder / 'Medewerkers.xlsx'} (sheet 'Actief'): error E714: column role of dataset users is mapped to "
        "'Functie', which sheet 'Actief' of the workbook does not have"]


def test_a_dataset_mapped_to_a_file_and_present_by_its_own_name_is_ambiguous(tmp_path):
    folder = office_export(tmp_path / "export")
    shutil.copy(SAMPLE / "clients.csv", folder)
    assert refused(folder, MAPPING) == [
        f"{folder}: error E702: dataset 'clients' is mapped to file 'CRM export 2026.11.csv' in the configuration's "
        "sources, and the folder also has clients.csv; keep one"]


def test_a_file_mapping_is_checked_against_the_contract_and_the_schema(tmp_path):
    from reglement.compiler.config import read_config

    pack = load_pack(default_pack())

    def problems(datasets: dict) -> list[tuple]:
        parsed, found = read_config(config(tmp_path, {"datasets": datasets}), pack)
        assert parsed is None
        return [(p.code, p.message, p.hint) for p in found]

    assert problems({"client": {"file": "a.csv"}, "users": {"file": "b.xlsx", "columns": {"rol": "Functie"}}}) == [
        ("E118", "unknown dataset 'client'", "did you mean 'clients'?"),
        ("E119", "dataset users has no column 'rol'", "did you mean 'role'?")]
    assert problems({"clients": {"file": "clients.txt"}, "objections": {"file": "bezwaren.csv", "sheet": "Blad1"},
                     "users": {"file": "../elders/users.csv"}}) == [
        ("E131", "file 'clients.txt' is not of a format that is read",
         "name a .csv, .csv.gz, .jsonl, .jsonl.gz, .ndjson, .json, .parquet, .xlsx file, or a folder of Parquet "
         "files ending in /"),
        ("E131", "a sheet is given for file 'bezwaren.csv', which is not a workbook (.xlsx)", None),
        ("E131", "file '../elders/users.csv' is not inside the export folder: name it relative to --data", None)]
    assert problems({"users": {"file": "u.csv", "table": "medewerkers"}}) == [
        ("E102", "sources.datasets.users: maps the dataset to a table (table:) or to a file of the export folder "
                 "(file:, with sheet: for a workbook), one of the two", None)]


def test_files_mapped_without_an_export_folder_are_a_usage_error(tmp_path, capsys):
    code = main(["check", "--config", str(config(tmp_path, MAPPING)), "--as-of", AS_OF])
    assert code == 2
    assert "give it with --data" in capsys.readouterr().err


def test_explain_reads_a_row_of_a_mapped_file(tmp_path):
    """`reglement explain --key` reads the export as the audit does, mapped files included."""
    from reglement.explain import explain

    folder = office_export(tmp_path / "export")
    pack = default_pack()
    rule, key, as_of = "11.2-retention-after-last-contact", "client_id=C001", dt.date.fromisoformat(AS_OF)
    mapped = explain(pack, rule, as_of=as_of, config=config(tmp_path, MAPPING), data_dir=folder, key=key)
    plain = explain(pack, rule, as_of=as_of, data_dir=SAMPLE, key=key)
    assert "column t0.registered_at : date  (clients) = 2025-08-25" in mapped
    assert mapped.split("── row")[1] == plain.split("── row")[1]


def test_spark_reads_mapped_files_under_the_contracts_names(tmp_path, capsys, spark):
    """Spark reads a file of the office's own name and columns as DuckDB does (a workbook stays E716: Spark
    reads no spreadsheets); a mapped column the file lacks is the same E714."""
    folder = office_export(tmp_path / "export")
    shutil.copy(SAMPLE / "users.csv", folder)
    clients = {"datasets": {"clients": MAPPING["datasets"]["clients"]}}
    _, expected = audit(capsys, SAMPLE)
    code, report = audit(capsys, folder, "--engine", "spark", "--config", str(config(tmp_path, clients)))
    assert code == 1 and findings(report) == findings(expected)
    wrong = {"datasets": {"clients": {**clients["datasets"]["clients"], "columns": {**OWN_NAMES, "bsn": "BSN"}}}}
    assert main(["check", "--engine", "spark", "--data", str(folder), "--config", str(config(tmp_path, wrong)),
                 "--as-of", AS_OF]) == 2
    assert "error E714: column bsn of dataset clients is mapped to 'BSN', which the file does not have" in (
        capsys.readouterr().err)


def test_a_mapped_parquet_file_has_its_keys_counted_beside_the_audit_under_the_contracts_names(tmp_path):
    """A Parquet file is read in place and its keys are counted for order in a database of their own: staged
    there again under the mapping, a repeated key is found and named by the file's column."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"Bezwaarnummer": ["O1", "O2", "O1"], "client_id": ["C1", "C2", "C3"],
                             "Datum": ["2026-01-05", "2026-01-06", "2026-01-07"]}), tmp_path / "Bezwaren.parquet")
    mapped = {"datasets": {"objections": {"file": "Bezwaren.parquet",
                                          "columns": {"objection_id": "Bezwaarnummer", "objected_at": "Datum"}}}}
    assert refused(tmp_path, mapped) == [
        f"{tmp_path / 'Bezwaren.parquet'}: row 3, column Bezwaarnummer (mapped to objection_id): error E708: "
        "duplicate key 'O1' (first seen on row 1)"]
    pq.write_table(pa.table({"Bezwaarnummer": ["O2", "O1"], "client_id": ["C1", "C2"],
                             "Datum": ["2026-01-05", "2026-01-06"]}), tmp_path / "Bezwaren.parquet")
    assert take(tmp_path, mapped)["objections"] == [("O1", "C2", dt.date(2026, 1, 6)),
                                                    ("O2", "C1", dt.date(2026, 1, 5))]


def test_a_chart_sheet_is_no_sheet_to_read(tmp_path):
    """A chart sheet holds no rows: the first sheet is the first worksheet, as before."""
    from openpyxl.chart import BarChart, Reference

    book = openpyxl.Workbook()
    data = book.active
    data.title = "Gegevens"
    for row in OBJECTIONS:
        data.append(row)
    chart = BarChart()
    chart.add_data(Reference(data, min_col=1, min_row=1, max_row=3))
    book.create_chartsheet("Grafiek", 0).add_chart(chart)
    book.save(tmp_path / "objections.xlsx")
    assert len(take(tmp_path)["objections"]) == 2


# (the part of the workbook replaced, what it holds): openpyxl raises IndexError and TypeError on these
DAMAGES = [("xl/workbook.xml", b"<workbook xmlns='http://schemas.openxmlformats.org/spreadsheetml/2006/main'>"
                               b"<sheets><sheet name='a' sheetId='1'/></sheets></workbook>"),
           ("xl/styles.xml", b"<styleSheet><cellXfs><xf numFmtId='zz'/></cellXfs></styleSheet>")]


def damaged(path: Path, part: str, holds: bytes) -> Path:
    """A copy of the workbook at `path` with one of its XML parts replaced (as a broken export writes it)."""
    import zipfile

    out = path.with_name(f"damaged-{path.name}")
    with zipfile.ZipFile(path) as good, zipfile.ZipFile(out, "w") as bad:
        for item in good.infolist():
            bad.writestr(item, holds if item.filename == part else good.read(item.filename))
    out.replace(path)
    return path


@pytest.mark.parametrize("part, holds", DAMAGES, ids=["workbook", "styles"])
def test_a_damaged_workbook_is_said_unreadable_never_an_internal_error(tmp_path, capsys, part, holds):
    folder = tmp_path / "export"
    shutil.copytree(SAMPLE, folder)
    (folder / "objections.csv").unlink()
    damaged(workbook(folder / "objections.xlsx", {"objections": OBJECTIONS}), part, holds)
    code = main(["check", "--data", str(folder), "--as-of", AS_OF, "--format", "json", "-q"])
    err = capsys.readouterr().err
    assert code == 2 and "internal error" not in err
    assert f"{folder / 'objections.xlsx'}: error E703" in err
