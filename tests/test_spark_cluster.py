"""`reglement check --engine spark --spark-master spark://…` on a Spark standalone cluster gives DuckDB's report.

A master and one worker (one core, 1 GB) start on loopback from the pyspark package
(`spark_cluster.py`). The audit runs as the command a user types, in a process of its own
(this test process may hold a local Spark context already, which an audit in it would use):
that process is the driver, the executor the worker starts reads the export's files, and the
master's record shows that the application ran there. The report is compared with DuckDB's
on the same export by test_engines_agree's helpers: the generated office as Parquet, the
access log a folder of monthly files. The Arrow types of the findings are the driver's,
whatever the master, and are compared on local mode in test_engines_agree. The cluster and
the driver are stopped however the test ends, and the test checks that none of their
processes is left. Without Java or PySpark it skips locally and fails under CI=true (`needs.py`).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time

import pytest
import test_engines_agree as agree
from conftest import AS_OF
from needs import missing
from spark_cluster import SparkCluster, die_with_parent, spark_env, stop_group
from test_engines_agree import assert_same_report

exports, on_duckdb = agree.exports, agree.on_duckdb  # the same fixtures: the exports, and DuckDB's report of each
AUDIT_TIMEOUT = 900  # seconds; the audit takes about 100 on two cores


@pytest.fixture
def cluster():
    if shutil.which("java") is None:
        missing("Java (openjdk-17-jre-headless)")
    try:
        import pyspark  # noqa: F401
    except ImportError:
        missing("PySpark (pip install '.[spark]')")
    started = SparkCluster()
    try:
        yield started
    finally:
        started.stop()
    assert not started.groups(), "a process of the Spark cluster outlived its stop()"


def test_an_audit_on_a_standalone_cluster_reports_as_duckdb_does(cluster, exports, on_duckdb, tmp_path, capsys):
    folder, out = exports("parquet"), tmp_path / "report.json"
    driver = subprocess.Popen(
        [sys.executable, "-m", "reglement", "check", "--engine", "spark", "--spark-master", cluster.url,
         "--data", str(folder), "--as-of", AS_OF, "--quiet", "-o", f"json={out}"],
        env=spark_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        preexec_fn=die_with_parent)
    try:
        _, err = driver.communicate(timeout=AUDIT_TIMEOUT)
    finally:
        stop_group(driver, grace=5)  # what is left of a driver that timed out: the process and its JVM
    assert driver.returncode == 1, err  # findings
    report = json.loads(out.read_text("utf-8"))
    assert report["engine"] == "spark"
    assert {v["format"] for v in report["data"].values()} == {"parquet"}
    assert_same_report(report, on_duckdb(capsys, "parquet")[0])
    apps = _finished(cluster)
    assert [(a["name"], a["cores"]) for a in apps["completedapps"]] == [("reglement", 1)], apps
    assert not apps["activeapps"]


def _finished(cluster: SparkCluster, timeout: float = 30) -> dict:
    """The master's state once the driver's application is no longer active (it notices the driver leave)."""
    deadline = time.monotonic() + timeout
    state = cluster.state()
    while state["activeapps"] and time.monotonic() < deadline:
        time.sleep(0.5)
        state = cluster.state()
    return state
