"""Spark local mode against DuckDB: the same reports, row for row, and the same intake errors.

One Spark session serves the module (Spark starts in seconds, not milliseconds), so the
cases are few and small. Without Java or PySpark these tests skip locally and fail in CI.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from engine_pair import findings, run_rule
from every_node import every_node_frames, every_node_pack
from needs import missing
from reports import audit, rule_results
from test_one_intake import CASES, PAIRS, SOURCES, errors, said

from reglement.checker.audit import Settings, opened
from reglement.checker.backends.spark import like_duckdb
from reglement.checker.intake import DataContractError, folder_sources, take_in
from reglement.compiler.config import Config
from reglement.datasets import contract
from reglement.datasets.generate import generate


@pytest.fixture(scope="module")
def spark():
    """One Spark context for the module; each audit opens its own session over it."""
    if shutil.which("java") is None:
        missing("Java (openjdk-17-jre-headless)")
    try:
        import pyspark  # noqa: F401
    except ImportError:
        missing("PySpark (pip install '.[spark]')")
    from reglement.checker.backends.spark import start_spark

    session = start_spark("local[2]")
    yield session
    session.stop()


# One export in every format Spark reads: the same generated office written three times, then mixed.
FORMATS = {"csv": ("clients", "contacts", "records", "users", "caseload"),
           "jsonl": ("disclosures", "requests", "consents", "marketing"),
           "parquet": ("access_log", "parties", "trajectories", "objections", "complaints")}


def _mixed_export(folder: Path) -> Path:
    mixed = folder / "mixed"
    mixed.mkdir()
    for fmt, datasets in FORMATS.items():
        written = folder / fmt
        generate(written, clients=60, seed=11, fmt=fmt, ground_truth=False,
                 access_log_partitions="month" if fmt == "parquet" else None)
        for entry in written.iterdir():
            if entry.name.split(".")[0] in datasets:
                entry.rename(mixed / entry.name)  # moved: a link out of the folder is refused (E713)
    return mixed


def test_spark_report_equals_duckdb_for_every_rule(spark, tmp_path, capsys):
    """`reglement check --engine spark` equals DuckDB's report: statuses, findings, keys and messages, over
    CSV, JSON Lines, Parquet files and a folder of monthly Parquet files."""
    folder = _mixed_export(tmp_path)
    assert (folder / "access_log").is_dir() and (folder / "clients.csv").exists()
    on_spark = audit(capsys, "--engine", "spark", "--data", str(folder))
    on_duckdb = audit(capsys, "--engine", "duckdb", "--data", str(folder))
    assert on_spark["summary"]["errors"] == 0
    assert rule_results(on_spark) == rule_results(on_duckdb)
    assert {d: v["rows"] for d, v in on_spark["data"].items()} == {d: v["rows"] for d, v in on_duckdb["data"].items()}
    assert on_duckdb["summary"]["findings"] > 40  # the comparison has something to compare


def test_every_node_kind_runs_alike_on_spark_from_frames(spark, tmp_path):
    """Hours on timestamps, lists `in` a parameter, `latest`, counts: the condition that holds every IR node."""
    pack = every_node_pack(tmp_path)
    rule = pack.rules[0]
    bindings = rule.bind(Config().overrides(rule.id), dt.date(2026, 11, 28))
    results = []
    for engine in ("duckdb", "spark"):
        with opened(pack, every_node_frames(), Settings(engine)) as run:
            results.append(findings(run_rule(run, rule, bindings)))
    assert results[0] == results[1]
    assert [f["key"]["request_id"] for f in results[1]] == ["R1"]


@pytest.mark.parametrize("kind", SOURCES)
def test_the_same_breach_gives_the_same_error_on_spark(spark, tmp_path, kind):
    """Each case of test_one_intake, staged by Spark: the same codes and the same words."""
    from reglement.checker.backends.spark import spark_session
    from reglement.checker.intake.staging_spark import SparkIntake

    for case, (columns, expected) in sorted(CASES.items()):
        if (case, kind) not in PAIRS:
            continue
        folder = tmp_path / case
        folder.mkdir()
        with spark_session() as session:
            label, found = errors(folder, kind, columns, SparkIntake(session))
        assert found == said(label, kind, expected), case


def test_a_spreadsheet_is_an_error_on_spark_not_a_silent_pass(spark, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.append(["objection_id", "client_id", "objected_at"])
    book.active.append(["O1", "C1", "2024-01-01"])
    book.save(tmp_path / "objections.xlsx")
    from reglement.checker.backends.spark import spark_session
    from reglement.checker.intake.staging_spark import SparkIntake

    with spark_session() as session, pytest.raises(DataContractError) as caught:
        take_in(SparkIntake(session), contract(), folder_sources(tmp_path, contract()).sources)
    assert [str(e) for e in caught.value.errors] == [
        f"{tmp_path / 'objections.xlsx'}: error E716: Spark reads Parquet, CSV, JSON Lines and JSON, not XLSX: "
        "convert the file, or audit it with --engine duckdb"]


MALFORMED = {  # file name → text: files that break the contract before any value is typed
    "objections.csv": "objection_id,client_id,objected_at\nO1,C1,2024-01-01\nO2,C2,2024-01-02,extra\nO3,C3\n",
    "objections.json": json.dumps([{"objection_id": "O1", "client_id": "C1", "objected_at": "2024-01-01"},
                                   {"objection_id": "O2", "client_id": 7, "objected_at": "2024-01-02"}]),
    "objections.jsonl": '{"objection_id": "O1", "client_id": "C1", "objected_at": "2024-01-01"}\n[1, 2]\n',
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_a_malformed_file_gives_duckdbs_words_on_spark(spark, tmp_path, name):
    """Fields too many or too few, a JSON array, a line that is no object: Spark's intake says what DuckDB's says."""
    import duckdb

    from reglement.checker.backends.spark import spark_session
    from reglement.checker.intake.staging_spark import SparkIntake

    (tmp_path / name).write_text(MALFORMED[name], encoding="utf-8")
    said = []
    with spark_session() as session:
        for target in (duckdb.connect(), SparkIntake(session)):
            with pytest.raises(DataContractError) as caught:
                take_in(target, contract(), folder_sources(tmp_path, contract()).sources)
            said.append([str(e) for e in caught.value.errors])
    assert said[0] == said[1]
    assert said[0]


def test_spark_arrow_comes_in_the_types_duckdb_gives():
    """A list of non-null items (Spark's `split` of a CSV cell), a column Spark knows has no null, a large
    string: as DuckDB gives them, so the report's kernels take them (issue #20). Needs no Spark."""
    items = pa.list_(pa.field("element", pa.string(), nullable=False))
    spark_gave = pa.table([pa.array([["general", "special"], None], items), pa.array(["2026-01.parquet"] * 2),
                           pa.array(["D1", None], pa.large_string())],
                          schema=pa.schema([("categories", items), pa.field("__file", pa.string(), nullable=False),
                                            ("basis", pa.large_string())]))
    duckdb_gives = duckdb.sql("SELECT * FROM (VALUES (['general', 'special'], '2026-01.parquet', 'D1'), "
                              "(NULL, '2026-01.parquet', NULL)) t(categories, __file, basis)").to_arrow_table()
    with pytest.raises(pa.ArrowNotImplementedError):
        pc.binary_join(spark_gave["categories"], ", ")
    made = like_duckdb(spark_gave)
    assert made.schema == duckdb_gives.schema
    assert made.to_pylist() == duckdb_gives.to_pylist()
    assert pc.binary_join(made["categories"], ", ").to_pylist() == ["general, special", None]
    assert like_duckdb(duckdb_gives) is duckdb_gives  # DuckDB's types as they are: no copy
