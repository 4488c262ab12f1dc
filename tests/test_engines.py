"""The engines side by side behind one interface (`checker/engines/`): one registry names them,
and an engine is a class that nothing else needs to know of.

The toy engine below is DuckDB under another name: registered here alone, it audits the
sample through the command line, the driver, the intake and the report, and gives DuckDB's
findings. If any module still told engines apart by name or by the type of a connection,
it would fail or differ.
"""

from __future__ import annotations

import ast

import pytest
from conftest import ROOT, SAMPLE
from reports import audit, rule_results

from reglement.checker import engines
from reglement.checker.engines.duckdb import DuckDBEngine
from reglement.checker.engines.engine import Engine
from reglement.cli import main


class ToyEngine(DuckDBEngine):
    """DuckDB, under a name no module of reglement knows."""

    name = "toy"


def test_a_toy_engine_registered_here_audits_the_sample_as_duckdb_does(capsys, monkeypatch):
    monkeypatch.setitem(engines.ENGINES, "toy", ToyEngine)
    on_toy = audit(capsys, "--engine", "toy", "--data", str(SAMPLE))
    on_duckdb = audit(capsys, "--engine", "duckdb", "--data", str(SAMPLE))
    assert on_toy["engine"] == "toy"
    assert rule_results(on_toy) == rule_results(on_duckdb)
    assert on_toy["summary"]["findings"] == on_duckdb["summary"]["findings"] > 100


def test_an_engine_the_registry_does_not_name_is_refused_with_the_names_it_does(capsys):
    assert main(["check", "--engine", "toy", "--data", str(SAMPLE)]) == 2
    assert "invalid choice: 'toy' (choose from 'duckdb', 'pandas', 'spark', 'postgres')" in capsys.readouterr().err
    with pytest.raises(ValueError, match=r"unknown engine 'toy' \(duckdb, pandas, spark, postgres\)"):
        engines.get("toy")


@pytest.mark.parametrize("name", engines.names())
def test_each_engine_of_the_registry_is_an_engine_under_its_own_name(name):
    engine = engines.get(name)
    assert issubclass(engine, Engine) and engine.name == name


def test_the_embedded_engines_are_those_reglement_test_runs_by_default():
    assert engines.embedded() == ("duckdb", "pandas")


# -- the seams, held -------------------------------------------------------------------------------
def _tree(relative: str) -> ast.Module:
    return ast.parse((ROOT / relative).read_text("utf-8"))


def _calls(tree: ast.AST, *names: str) -> list[int]:
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names]


def test_the_audit_driver_never_asks_what_a_connection_happens_to_be():
    """It tells a fused scan from a check alone (the plan's two kinds of step), and nothing else apart."""
    tree = _tree("checker/audit.py")
    assert _calls(tree, "getattr", "hasattr", "type") == []
    tested = {ast.unparse(node.args[1]) for node in ast.walk(tree) if isinstance(node, ast.Call)
              and isinstance(node.func, ast.Name) and node.func.id == "isinstance"}
    assert tested <= {"Scan", "Alone"}


def test_the_validator_has_one_plan_for_every_engine():
    """No `dialect == 'spark'` nor any other test of an engine's or a dialect's name: what differs is said
    by the store (`store.py`)."""
    named = {*engines.names(), "duckdb", "spark", "postgres"}
    found = [node.lineno for node in ast.walk(_tree("checker/intake/validate.py")) if isinstance(node, ast.Compare)
             for side in (node.left, *node.comparators) if isinstance(side, ast.Constant) and side.value in named]
    assert found == []


def test_engine_names_are_listed_once():
    """A list of two or more engine names anywhere in reglement but the registry is a second list."""
    known = set(engines.names())
    found = []
    for folder in ("checker", "compiler", "reglement", "datasets"):
        for path in (ROOT / folder).rglob("*.py"):
            if path == ROOT / "checker" / "engines" / "__init__.py":
                continue
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                items = node.keys if isinstance(node, ast.Dict) else getattr(node, "elts", None)
                if isinstance(node, ast.Tuple | ast.List | ast.Set | ast.Dict):
                    named = {i.value for i in items if isinstance(i, ast.Constant) and i.value in known}
                    if len(named) > 1:
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {sorted(named)}")
    assert found == []
