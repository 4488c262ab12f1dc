"""Every engine gives DuckDB's report, on every export in every format it reads, through the command line.

    pandas    the sample; one generated office as CSV, JSON Lines, JSON, Parquet (the access log
              as a folder of monthly files) and XLSX, a whole export per format
    spark     the same but XLSX, which Spark refuses (E716, exit 2)
    postgres  the sample and the generated office as tables of a database (`--config` sources:),
              and the same tables with the access log's files beside them (read by DuckDB)

Each report is compared with DuckDB's on the same export: every rule's status, findings
(keys and messages) and error, the data section's row counts, and the Arrow schema of
each check's findings as the engine gave them (a type that only one engine gives can
break the report: issue #20). DuckDB's report must fail every rule, so that every
rule's findings are compared. One Spark context serves the tests (it starts in ~20 s,
and a query takes ~0.3 s), so the generated office is as small as it can be.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest
from conftest import AS_OF, SAMPLE
from exports import FORMATS, WRITTEN_FROM, export
from pg_cluster import config_file, load_export
from reports import audit_and_schemas, rule_results

from reglement.checker.incremental import FILE
from reglement.cli import main

CLIENTS, SEED = 50, 11  # the fewest clients `reglement generate` plants every rule with
EXPORTS = ("sample", *FORMATS)
READS = {"pandas": EXPORTS, "spark": tuple(e for e in EXPORTS if e != "xlsx")}
Audited = tuple[dict, dict[tuple, pa.Schema]]  # a report, and its findings' Arrow schemas by (rule, check)


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> Callable[[str], Path]:
    """The folder of an export by name, written when first asked for (JSON from JSON Lines, XLSX from CSV)."""
    folder = tmp_path_factory.mktemp("exports")
    made = {"sample": SAMPLE}

    def get(name: str) -> Path:
        if name not in made:
            if name in WRITTEN_FROM:
                get(WRITTEN_FROM[name])
            made[name] = export(folder, name, CLIENTS, SEED)
        return made[name]

    return get


@pytest.fixture(scope="module")
def on_duckdb(exports) -> Callable[..., Audited]:
    """DuckDB's report on an export's files, audited once for every engine compared with it."""
    reports: dict[str, Audited] = {}

    def get(capsys, name: str) -> Audited:
        if name not in reports:
            reports[name] = audit_and_schemas(capsys, "--engine", "duckdb", "--data", str(exports(name)))
        return reports[name]

    return get


def assert_agree(found: Audited, expected: Audited) -> None:
    """An engine's report and DuckDB's agree (`assert_same_report`), and so do the Arrow schemas of the findings
    as each engine gave them: names, types and nullability, as Arrow compares them, not a list's item name
    (DuckDB's `l`, Arrow's `item`) nor field metadata (PostgreSQL's type names)."""
    (report, schemas), (duckdb, duckdb_schemas) = found, expected
    assert_same_report(report, duckdb)
    assert schemas == duckdb_schemas


PER_COLUMN = {"1.1-unlisted-data-category", "4.2-unknown-code", "4.2-dangling-reference", "4.2-date-order"}


def assert_same_report(report: dict, duckdb: dict) -> None:
    """An engine's JSON report is DuckDB's: every rule's status, findings, error, population and explanation
    counts, and the data section's row counts and periods; DuckDB's report fails every rule, so that every
    rule's findings were compared, and counts a population for each."""
    assert report["summary"]["errors"] == 0
    assert {r["id"]: r for r in rule_results(report)} == {r["id"]: r for r in rule_results(duckdb)}
    rows = [r for r in rule_results(duckdb) if r["id"] not in PER_COLUMN]  # one finding per row judged
    assert all(r["population"] >= r["finding_count"] for r in rows)
    data = [{d: (v["rows"], v.get("period")) for d, v in r["data"].items()} for r in (report, duckdb)]
    assert data[0] == data[1]
    assert {r["status"] for r in rule_results(duckdb)} == {"failed"}  # every rule's findings were compared
    assert duckdb["summary"]["findings"] >= 100


def _reports_as_duckdb_does(engine: str, name: str, exports, on_duckdb, capsys) -> None:
    found = audit_and_schemas(capsys, "--engine", engine, "--data", str(exports(name)))
    assert_agree(found, on_duckdb(capsys, name))
    assert {v["format"] for v in found[0]["data"].values()} == ({"csv", "jsonl"} if name == "sample" else {name})


@pytest.mark.parametrize("name", READS["pandas"])
def test_pandas_reports_as_duckdb_does(name, exports, on_duckdb, capsys):
    _reports_as_duckdb_does("pandas", name, exports, on_duckdb, capsys)


@pytest.mark.parametrize("name", READS["spark"])
def test_spark_reports_as_duckdb_does(spark, name, exports, on_duckdb, capsys):
    _reports_as_duckdb_does("spark", name, exports, on_duckdb, capsys)


def test_a_workbook_export_is_refused_by_spark_not_skipped(spark, exports, capsys):
    folder = exports("xlsx")
    code = main(["check", "--engine", "spark", "--data", str(folder), "--as-of", AS_OF])
    err = capsys.readouterr().err.splitlines()
    assert code == 2
    said = (": error E716: Spark reads Parquet, CSV, JSON Lines and JSON, not XLSX: convert the file, or audit it "
            "with --engine duckdb")
    assert [line for line in err if "E716" in line] == [f"{path}{said}" for path in sorted(folder.glob("*.xlsx"))]


@pytest.fixture(scope="module")
def databases(server, exports) -> Callable[[str], tuple[str, dict]]:
    """An export loaded into a database of its own (`pg_cluster.load_export`): its DSN and `sources:` mapping."""
    loaded: dict[str, tuple[str, dict]] = {}

    def get(name: str) -> tuple[str, dict]:
        if name not in loaded:
            dsn = server.database(f"export_{name}")
            loaded[name] = dsn, load_export(dsn, exports(name))
        return loaded[name]

    return get


@pytest.mark.parametrize("name", ["sample", "parquet"])
def test_every_rule_inside_postgres_reports_as_duckdb_on_the_files(name, databases, on_duckdb, tmp_path, capsys,
                                                                     monkeypatch):
    dsn, sources = databases(name)
    monkeypatch.setenv("REGLEMENT_PG_DSN", dsn)
    found = audit_and_schemas(capsys, "--engine", "postgres", "--config", str(config_file(tmp_path, sources)))
    assert found[0]["data"]["clients"]["path"] == "postgres table crm.clienten"
    assert_agree(found, _as_tables(on_duckdb(capsys, name)))


def _as_tables(audited: Audited) -> Audited:
    """DuckDB's report as it would be if every dataset were a table: no finding names the file of a folder
    its row is in (the access log's monthly files, here), nor has a column for it."""
    report, schemas = audited
    rules = [{**r, "findings": [{k: v for k, v in f.items() if k != "file"} for f in r.get("findings", ())]}
             if r["kind"] == "automated" else r for r in report["rules"]]
    tables = {check: pa.schema([f for f in schema if f.name != FILE]) for check, schema in schemas.items()}
    return {**report, "rules": rules}, tables


@pytest.mark.parametrize("engine", ["postgres", "duckdb"])
def test_tables_with_files_beside_them_report_as_duckdb_on_the_files(engine, exports, databases, on_duckdb, tmp_path,
                                                                     capsys, monkeypatch):
    """The access log as its folder of monthly Parquet files, the rest in the database: rules that read both
    are joined in DuckDB (on --engine duckdb, the database's tables are all copied into DuckDB)."""
    dsn, sources = databases("parquet")
    beside = tmp_path / "files"  # copied: a link out of the folder is refused (E713)
    shutil.copytree(exports("parquet") / "access_log", beside / "access_log")
    tables = {**sources, "datasets": {d: t for d, t in sources["datasets"].items() if d != "access_log"}}
    monkeypatch.setenv("REGLEMENT_PG_DSN", dsn)
    found = audit_and_schemas(capsys, "--engine", engine, "--data", str(beside),
                              "--config", str(config_file(tmp_path, tables)))
    assert found[0]["data"]["access_log"]["format"] == "parquet"
    assert_agree(found, on_duckdb(capsys, "parquet"))
