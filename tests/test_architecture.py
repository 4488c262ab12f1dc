"""The seams of the design, held by tests: stages, error codes, backends side by side, the contract.

- the compiler's stages are a visible list, in the order the docs give, and its modules import
  each other without a cycle;
- every error code the code base reports is in the one table, and `docs/errors.md` is it;
- the severities are one tuple, which the JSON Schemas list too;
- every kind of IR node is handled by every backend and by `explain`, and the pandas evaluator
  describes what it does with each (the pandas plan is its own record);
- every built-in function of the table is implemented by every backend, and documented;
- no module outside the packs and `datasets/` knows a dataset or column of the contract.
"""

from __future__ import annotations

import ast
import datetime as dt
import io
import json
import re
import tokenize
from pathlib import Path
from typing import get_args

import pandas as pd
import pytest
from conftest import ROOT
from engine_pair import both
from every_node import every_node_frames, every_node_pack

from reglement.checker.backends import pandas_eval, sql
from reglement.checker.backends.pandas_eval import PandasEvaluator
from reglement.checker.backends.pandas_steps import Steps
from reglement.checker.backends.sql import FOUND, SqlRenderer
from reglement.compiler import ir
from reglement.compiler.builtins import ANY, BUILTINS, COMMON, MANY, Builtin
from reglement.compiler.errors import CODES, markdown
from reglement.compiler.model import SEVERITIES
from reglement.compiler.stages import STAGES
from reglement.explain import LABELS, pandas_plan

NODE_KINDS = set(get_args(ir.Expr))


def test_the_stages_are_a_list_in_pipeline_order():
    assert [s.name for s in STAGES] == ["read", "schema", "contract", "structure", "parse", "resolve",
                                        "contract-rules", "messages", "examples", "assemble", "config"]
    assert all(s.does for s in STAGES)


def compiler_imports(folder: Path) -> dict[str, set[str]]:
    """Each module of `compiler/` (a package without sub-packages) → the modules of it that it imports,
    wherever the import stands: under `TYPE_CHECKING` or inside a function, a cycle all the same."""
    package = "reglement.compiler"
    modules = {path.stem for path in folder.glob("*.py")} - {"__init__"}
    graph: dict[str, set[str]] = {}
    for name in modules:
        found = set()
        for node in ast.walk(ast.parse((folder / f"{name}.py").read_text("utf-8"))):
            if isinstance(node, ast.Import):
                targets = [(a.name, ()) for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level in (0, 1):
                base = (node.module or "") if node.level == 0 else ".".join(filter(None, (package, node.module)))
                targets = [(base, [a.name for a in node.names])]
            else:
                continue
            for target, names in targets:
                if target == package:  # `from . import rules`
                    found.update(names)
                elif target.startswith(package + "."):
                    found.add(target.split(".")[2])
        graph[name] = found & modules - {name}
    return graph


def import_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the import graph, as the modules along it (the first repeated at the end), or None."""
    done: set[str] = set()

    def visit(path: list[str]) -> list[str] | None:
        for other in sorted(graph[path[-1]]):
            if other in path:
                return [*path[path.index(other):], other]
            if other not in done and (cycle := visit([*path, other])):
                return cycle
        done.add(path[-1])
        return None

    return next((c for m in sorted(graph) if m not in done and (c := visit([m])) is not None), None)


def test_an_import_cycle_is_found_under_type_checking_and_inside_a_function_too(tmp_path):
    assert import_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert import_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None
    (tmp_path / "a.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .b import B\n")
    (tmp_path / "b.py").write_text("def f():\n    from reglement.compiler import a\n")
    assert import_cycle(compiler_imports(tmp_path)) == ["a", "b", "a"]


def test_the_compiler_modules_import_each_other_without_a_cycle():
    graph = compiler_imports(ROOT / "compiler")
    assert all("build" in graph[m] for m in ("rules", "contract_rules", "config"))  # what the stages share
    cycle = import_cycle(graph)
    assert cycle is None, f"compiler modules import each other in a cycle: {' → '.join(cycle)}"


def _source_files():
    for folder in ("compiler", "checker", "reglement", "datasets", "rules"):
        yield from (ROOT / folder).rglob("*.py")


def codes_in_strings(text: str) -> set[str]:
    """Every code written in a string of the module, f-strings included (`f"error E802: {path}"`);
    not in comments (`# noqa: E731` is flake8's). The table itself does not count as a use."""
    kinds = {tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)}
    tokens = tokenize.generate_tokens(io.StringIO(text).readline)
    return {code for t in tokens if t.type in kinds for code in re.findall(r"\bE[0-9]{3}\b", t.string)}


def test_codes_are_found_in_every_kind_of_string_but_not_in_comments():
    module = 'raise X(f"{path}: error E802: an input")\nraise Y("E701")\nf = lambda: 1  # noqa: E731\n'
    assert codes_in_strings(module) == {"E802", "E701"}


def test_every_error_code_reported_is_in_the_table_and_every_code_in_the_table_is_reported():
    table_module = ROOT / "compiler" / "errors.py"
    used = {code for f in _source_files() if f != table_module for code in codes_in_strings(f.read_text("utf-8"))}
    table = set(CODES)
    assert used - table == set(), "codes reported but not in compiler/errors.py"
    assert table - used == set(), "codes in compiler/errors.py that nothing reports"
    assert all(c.meaning and c.remedy for c in CODES.values()), "every code says what it means and what to do"


def test_docs_errors_md_is_the_table():
    assert (ROOT / "docs" / "errors.md").read_text("utf-8") == markdown(), \
        "regenerate: python -m reglement.compiler.errors > docs/errors.md"


def _severity_enums(schema: object) -> list[list[str]]:
    """The `enum` of every property named `severity`, wherever the schema defines one."""
    if isinstance(schema, list):
        return [e for item in schema for e in _severity_enums(item)]
    if not isinstance(schema, dict):
        return []
    own = [schema["properties"]["severity"]["enum"]] if "severity" in schema.get("properties", {}) else []
    return own + [e for value in schema.values() for e in _severity_enums(value)]


@pytest.mark.parametrize("schema", ["compiler/rulefile.schema.json", "checker/report.schema.json"])
def test_the_schemas_list_the_severities_of_the_model(schema):
    enums = _severity_enums(json.loads((ROOT / schema).read_text("utf-8")))
    assert enums and all(e == list(SEVERITIES) for e in enums)


# -- every node kind, every backend -------------------------------------------------------------
def test_every_node_kind_has_a_method_in_every_backend_and_a_label_in_explain():
    for kind in NODE_KINDS:
        name = f"_{kind.__name__.lower()}"
        assert kind in LABELS, f"explain has no label for {kind.__name__}"
        if kind is ir.Duration:  # only ever the right side of an arithmetic node, which renders it
            continue
        assert hasattr(SqlRenderer, name), f"the SQL backend lacks {name}"
        if kind not in (ir.Exists, ir.Aggregate):  # sub-queries have one method of their own
            assert hasattr(PandasEvaluator, name), f"the pandas backend lacks {name}"
    assert hasattr(PandasEvaluator, "_subquery")


def test_one_condition_with_every_node_kind_runs_alike_on_both_engines(tmp_path):
    """EVERY_NODE holds every kind of node; a new kind must be added to it (and work)."""
    pack = every_node_pack(tmp_path)
    check = pack.rules[0].checks[0]
    assert {type(n) for n in ir.walk(check.condition)} - {ir.Source} == NODE_KINDS - {ir.Found}  # the planner's
    duck, pandas = both(pack, every_node_frames(), dt.date(2026, 11, 28))
    assert duck == pandas
    assert [f["key"]["request_id"] for f in duck[pack.rules[0].id]] == ["R1"]


# -- every built-in function, every backend ------------------------------------------------------
@pytest.mark.parametrize("backend", [sql, pandas_eval], ids=["sql", "pandas"])
def test_every_builtin_has_an_implementation_in_every_backend_and_no_backend_another(backend):
    assert set(BUILTINS) - set(backend.CALLS) == set(), "builtins of compiler/builtins.py the backend lacks"
    assert set(backend.CALLS) - set(BUILTINS) == set(), "functions the backend implements but the table lacks"


def test_a_builtin_of_a_shape_the_resolver_has_no_rule_for_is_refused():
    with pytest.raises(ValueError, match="variadic"):
        Builtin("f", MANY, (ir.BOOL,), COMMON, "values of one type the messages cannot name")
    with pytest.raises(ValueError, match="fixed arity"):
        Builtin("g", 2, ANY, ir.BOOL, "a fixed arity that names no argument's types")


def test_the_language_documents_the_builtins_of_the_table():
    """The paragraph **Functions.** of rules/README.md names each builtin as `name(…)`, and no other."""
    text = (ROOT / "rules" / "README.md").read_text("utf-8")
    paragraph = text[text.index("**Functions.**"):].split("\n\n", 1)[0]
    assert set(re.findall(r"`([a-z_]+)\(", paragraph)) == set(BUILTINS)


# What the pandas plan of EVERY_NODE shows of each kind of node: the text the evaluator's own method
# for it records as it evaluates it. A new kind must be added here (and described by its method).
PLAN_SHOWS = {
    ir.Literal: "date('2000-01-01')",
    ir.Param: "(t0.decided_at <= Timestamp('2026-11-28') & both notna)",  # $audit_date bound to the run's
    ir.Duration: "(S2 + DateOffset(months=12))",  # ($n * 12) months, $n bound to 1
    "folded": "(S3 >= 0 & both notna)",  # $n * 2 - 2, computed once (compiler/amounts.py)
    ir.Column: "t0.received_at",
    ir.Not: re.compile(r"~v[0-9]+\.fillna\(False\)"),  # not (decision_reason is empty), named: it is long
    ir.Logical: "(S1 & (",
    ir.Compare: "> t0.received_at & both notna)",
    ir.Arith: "wall_clock(in_utc(t4.disclosed_at) + Timedelta(hours=72))",
    ir.IsNull: "t0.decided_at.notna()",
    ir.IsEmpty: "(t0.decision_reason.isna() | t0.decision_reason.str.contains(BLANK_PATTERN))",
    ir.InList: "(~t0.type.isin(['access']) & notna)",
    ir.Contains: "list_contains(t4.categories, 'special')",
    ir.Call: "latest(t0.decided_at, t0.received_at)",
    ir.Exists: "S4 = ~g4.isin(m4['__oid'])",
    ir.Aggregate: "S3 = g3.map(m3.groupby('__oid').size()).fillna(0)",
    ir.Found: f"t1.{FOUND}.fillna(False)",  # made by the planner for a fused scan: not in EVERY_NODE
    ir.Neighbour: "frames['requests'].sort_values(['received_at', 'request_id'])['received_at'].shift(-1), by "
                  "t0.request_id",
}


def test_the_pandas_plan_describes_every_node_kind(tmp_path):
    """The plan `explain` prints comes from the evaluator's own methods: each kind of node is in it."""
    assert set(PLAN_SHOWS) - {"folded"} == NODE_KINDS
    pack = every_node_pack(tmp_path)
    plan = pandas_plan(pack, pack.rules[0].checks[0], pack.rules[0].bind({}, dt.date(2026, 11, 28)))
    for kind, shown in PLAN_SHOWS.items():
        if kind is ir.Found:
            steps, found = Steps(), ir.Found(None, "t1")
            rows = pd.DataFrame({f"t1.{FOUND}": pd.Series([True, None], dtype="boolean")})
            PandasEvaluator({}, {}, steps=steps).eval(found, rows)
            assert steps.text(found, rows) == shown
        elif isinstance(shown, re.Pattern):
            assert shown.search(plan), f"{kind.__name__}: nothing like {shown.pattern} in\n{plan}"
        else:
            assert shown in plan, f"{getattr(kind, '__name__', kind)}: no {shown} in\n{plan}"


# -- the contract is the pack's --------------------------------------------------------------------
def _contract_names() -> set[str]:
    names = set()
    for path in (ROOT / "datasets").glob("*.schema.json"):
        schema = json.loads(path.read_text("utf-8"))
        names.add(schema["title"])
        names |= {column for column in schema["properties"] if "_" in column}
    return names | {"bsn"}


@pytest.mark.parametrize("folder", ["compiler", "checker", "reglement"])
def test_no_module_outside_the_packs_and_datasets_names_a_dataset_or_column(folder):
    names = _contract_names()
    found = []
    for path in (ROOT / folder).rglob("*.py"):
        tokens = tokenize.generate_tokens(io.StringIO(path.read_text("utf-8")).readline)
        for token in tokens:
            if token.type == tokenize.STRING and not token.string.startswith(('"""', "'''", 'f"""')):
                text = token.string.strip("\"'fr")
                if text in names:
                    found.append(f"{path.relative_to(ROOT)}:{token.start[0]}: {text}")
    assert found == []
