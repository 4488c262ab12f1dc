"""Spark local mode against DuckDB: the same findings, in the same Arrow types, and the same intake errors.

Whole reports on every export format are compared in `test_engines_agree.py`. One Spark
context serves the tests (`conftest.spark`: Spark starts in seconds, not milliseconds), so
the cases are few and small. Without Java or PySpark these tests skip locally and fail in CI.
"""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from engine_pair import findings, run_rule
from every_node import every_node_frames, every_node_pack
from test_one_intake import CASES, PAIRS, SOURCES, errors, said

from reglement.checker import engines
from reglement.checker.arrow_values import plain
from reglement.checker.audit import Settings, opened
from reglement.checker.engines.engine import Engine
from reglement.checker.intake import DataContractError, folder_sources, frame_sources, take_in
from reglement.compiler.config import Config
from reglement.datasets import contract


def _session(engine: str = "spark") -> Engine:
    """A session of `engine` (not yet opened) for taking sources in without an audit."""
    return engines.get(engine)(Settings(engine), contract())


def test_every_node_kind_runs_alike_on_spark_from_frames(spark, tmp_path):
    """Hours on timestamps, lists `in` a parameter, `latest`, counts: the condition that holds every IR node."""
    pack = every_node_pack(tmp_path)
    rule = pack.rules[0]
    bindings = rule.bind(Config().overrides(rule.id), dt.date(2026, 11, 28))
    results = []
    for engine in ("duckdb", "spark"):
        with opened(pack, frame_sources(every_node_frames(), pack.contract), Settings(engine)) as run:
            results.append(findings(run_rule(run, rule, bindings)))
    assert results[0] == results[1]
    assert [f["key"]["request_id"] for f in results[1]] == ["R1"]


@pytest.mark.parametrize("kind", SOURCES)
def test_the_same_breach_gives_the_same_error_on_spark(spark, tmp_path, kind):
    """Each case of test_one_intake, staged by Spark: the same codes and the same words."""
    for case, (columns, expected) in sorted(CASES.items()):
        if (case, kind) not in PAIRS:
            continue
        folder = tmp_path / case
        folder.mkdir()
        with _session() as engine:
            label, found = errors(folder, kind, columns, engine.stores[0])
        assert found == said(label, kind, expected), case


MALFORMED = {  # file name → text: files that break the contract before any value is typed
    "objections.csv": "objection_id,client_id,objected_at\nO1,C1,2024-01-01\nO2,C2,2024-01-02,extra\nO3,C3\n",
    "objections.json": json.dumps([{"objection_id": "O1", "client_id": "C1", "objected_at": "2024-01-01"},
                                   {"objection_id": "O2", "client_id": 7, "objected_at": "2024-01-02"}]),
    "objections.jsonl": '{"objection_id": "O1", "client_id": "C1", "objected_at": "2024-01-01"}\n[1, 2]\n',
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_a_malformed_file_gives_duckdbs_words_on_spark(spark, tmp_path, name):
    """Fields too many or too few, a JSON array, a line that is no object: Spark's intake says what DuckDB's says."""
    (tmp_path / name).write_text(MALFORMED[name], encoding="utf-8")
    said = []
    for engine in ("duckdb", "spark"):
        with _session(engine) as session, pytest.raises(DataContractError) as caught:
            take_in(session.stores, contract(), folder_sources(tmp_path, contract()))
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
    made = plain(spark_gave)
    assert made.schema == duckdb_gives.schema
    assert made.to_pylist() == duckdb_gives.to_pylist()
    assert pc.binary_join(made["categories"], ", ").to_pylist() == ["general, special", None]
    assert plain(duckdb_gives) is duckdb_gives  # DuckDB's types as they are: no copy
