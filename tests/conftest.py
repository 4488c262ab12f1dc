"""Shared fixtures: small rule packs written into a temporary folder; a Spark context and a PostgreSQL
cluster for the modules that run audits on those engines."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile
import textwrap
from collections.abc import Mapping
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "datasets" / "sample"
AS_OF = "2026-11-28"
# The sample's findings under the shipped pack, as the oracle counts them (tests/expected, never written by hand).
SAMPLE_FINDINGS = sum(len(keys) for keys in json.loads(
    (ROOT / "tests" / "expected" / "sample_findings.json").read_text(encoding="utf-8"))["findings"].values())
# Compiled packs are kept in a folder of this test run's (and of each worker's), never in the user's cache;
# the CLI's subprocesses inherit it, and it is removed when the run ends.
os.environ["REGLEMENT_CACHE_DIR"] = tempfile.mkdtemp(prefix="reglement-test-cache-")
atexit.register(shutil.rmtree, os.environ["REGLEMENT_CACHE_DIR"], True)


def in_ci(env: Mapping[str, str]) -> bool:
    """CI=true, as GitHub Actions and the callers of .ci/run set it."""
    return env.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def fuzz_profile(env: Mapping[str, str]) -> str:
    """The profile of the fuzzing of conditions (test_fuzz.py): cheap per example, it wants many, so
    it has profiles of its own: 10,000 conditions under CI (about 35 s on two cores), a few hundred
    on a developer's machine, 100,000 on demand with REGLEMENT_FUZZ=long."""
    if env.get("REGLEMENT_FUZZ") == "long":
        return "fuzz-long"
    return "fuzz-ci" if in_ci(env) else "fuzz-dev"


settings.register_profile("ci", max_examples=1000, deadline=None)
settings.register_profile("dev", max_examples=200, deadline=None)
settings.load_profile("ci" if in_ci(os.environ) else "dev")
for _name, _runs in {"fuzz-dev": 300, "fuzz-ci": 10_000, "fuzz-long": 100_000}.items():
    settings.register_profile(_name, max_examples=_runs, deadline=None, suppress_health_check=list(HealthCheck))
FUZZ_PROFILE = fuzz_profile(os.environ)

PACK_YAML = """\
name: test-pack
version: "0.1"
title: {nl: Testpakket, en: Test pack}
"""


def write_pack(folder: Path, article_yaml: str) -> Path:
    """A pack folder with pack.yaml and one article file `art-01.yaml`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pack.yaml").write_text(PACK_YAML, encoding="utf-8")
    (folder / "art-01.yaml").write_text(textwrap.dedent(article_yaml), encoding="utf-8")
    return folder


def rule_file(condition: str, dataset: str = "requests", let: str = "", params: str = "",
              message: str = "request {request_id}") -> str:
    """An article file with one rule; `condition` is written as a `|` block at indent 6."""
    body = textwrap.indent(textwrap.dedent(condition).strip("\n"), " " * 6)
    return (
        'article: "1"\n'
        "title: {nl: Een, en: One}\n"
        "clauses:\n"
        '  - clause: "1.1"\n'
        "    text: Tekst.\n"
        "rules:\n"
        "  - id: 1.1-test-rule\n"
        '    article: "1.1"\n'
        "    title: {nl: Test, en: Test}\n"
        "    severity: high\n"
        f"    dataset: {dataset}\n"
        + (f"    params: {params}\n" if params else "")
        + (f"    let:\n{textwrap.indent(textwrap.dedent(let).strip(), ' ' * 6)}\n" if let else "")
        + "    condition: |\n"
        f"{body}\n"
        f'    message: {{nl: "{message}", en: "{message}"}}\n'
    )


@pytest.fixture
def pack_dir(tmp_path: Path):
    def make(condition: str, **kw) -> Path:
        return write_pack(tmp_path / "pack", rule_file(condition, **kw))
    return make


@pytest.fixture(scope="session")
def spark():
    """One Spark context for the whole run (of each pytest-xdist worker); each audit opens its own session
    over it. A module's context would start again (~20 s) each time the worker passes from one Spark module
    to another, and xdist interleaves them; its `--dist loadgroup` cannot keep them together under pytest
    9.2 (pytest-xdist #1386). Without Java or PySpark the tests that ask for it skip locally and fail in
    CI (`needs.py`)."""
    import shutil

    from needs import missing

    if shutil.which("java") is None:
        missing("Java (openjdk-17-jre-headless)")
    try:
        import pyspark  # noqa: F401
    except ImportError:
        missing("PySpark (pip install '.[spark]')")
    from reglement.checker.engines.spark import start_spark

    session = start_spark("local[2]")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def server():
    """A throw-away PostgreSQL cluster for the module (`pg_cluster.py`). Without PostgreSQL's server or
    the ADBC driver the tests that ask for it skip locally and fail in CI (`needs.py`)."""
    from needs import missing
    from pg_cluster import Cluster, binaries

    bindir = binaries()
    if bindir is None:
        missing("PostgreSQL's server (Debian's postgresql)")
    try:
        import adbc_driver_postgresql  # noqa: F401
    except ImportError:
        missing("the ADBC PostgreSQL driver (pip install '.[postgres]')")
    cluster = Cluster(bindir)
    yield cluster
    cluster.stop()
