"""Conditions drawn from the grammar, and near-misses of them: compiled, or a positioned error.

Hypothesis writes conditions over the `requests` dataset from the grammar's pieces
(columns, literals of every type, parameters, durations, functions, lists, sub-queries
over other datasets), then breaks some of them (a character dropped, a token doubled, the
text cut short). Whatever comes out, the compiler either resolves it (and its SQL
renders) or answers with a diagnostic that has a code and a line and column — never
another exception. How many conditions is a profile of tests/conftest.py: 10,000 under
CI=true, a few hundred locally, 100,000 with REGLEMENT_FUZZ=long.
"""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import FUZZ_PROFILE, fuzz_profile
from hypothesis import given, settings
from hypothesis import strategies as st

from reglement.checker.backends.sql import check_query, to_sql
from reglement.compiler.builtins import BUILTINS
from reglement.compiler.diagnostics import Diagnostic, SourceText
from reglement.compiler.model import Check
from reglement.compiler.parse import parse_condition
from reglement.compiler.resolve import Resolver
from reglement.datasets import contract

pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")
COLUMNS = ["request_id", "client_id", "type", "received_at", "decided_at", "decision", "identity_verified",
           "mandate_verified", "decision_reason", "no_such_column"]
OTHER = {"records": ["client_id", "category", "created_at"], "complaints": ["client_id", "received_at"],
         "disclosures": ["client_id", "categories", "disclosed_at"], "nowhere": ["x"]}
LITERALS = ["'access'", "'refused'", "'Access'", "'it''s'", "'a\\'b'", "1", "0", "2.5", "2026-01-31", "2026-02-30",
            "2026-01-31T10:00:00", "true", "false", "null", "$audit_date", "$n", "$types", "$missing"]
UNITS = ["day", "days", "week", "weeks", "month", "months", "year", "years", "hours"]
AMOUNTS = ["1", "4", "$n", "($n + 1)", "(2 * $n - 1)", "($n - 4)", "($n * $n)", "(2.5 * $n)", "($types)",
           "(request_id)"]
FUNCTIONS = [*BUILTINS, "nosuch"]
COMPARE = ["=", "!=", "<", "<=", ">", ">="]


def _atoms() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(COLUMNS), st.sampled_from(LITERALS),
                     st.builds(lambda n, u: f"{n} {u}", st.sampled_from(AMOUNTS), st.sampled_from(UNITS)))


def _extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    dataset = st.sampled_from(sorted(OTHER))
    return st.one_of(
        st.builds(lambda a, op, b: f"{a} {op} {b}", inner, st.sampled_from(COMPARE), inner),
        st.builds(lambda a, op, b: f"({a} {op} {b})", inner, st.sampled_from(["and", "or"]), inner),
        st.builds(lambda a: f"not {a}", inner),
        st.builds(lambda a, op, b: f"{a} {op} {b}", inner, st.sampled_from(["+", "-", "*"]), inner),
        st.builds(lambda a, w: f"{a} is {w}", inner, st.sampled_from(["null", "not null", "empty", "not empty"])),
        st.builds(lambda a, n, xs: f"{a} {n}in [{', '.join(xs)}]", inner, st.sampled_from(["", "not "]),
                  st.lists(st.sampled_from(LITERALS), max_size=3)),
        st.builds(lambda a: f"{a} in $types", inner),
        st.builds(lambda f, xs: f"{f}({', '.join(xs)})", st.sampled_from(FUNCTIONS), st.lists(inner, max_size=3)),
        st.builds(lambda q, d, c: f"({q} {d} where {c})", st.sampled_from(["exists", "no"]), dataset, inner),
        st.builds(lambda f, c, d, w: f"({f} {c} of {d} where {w})",
                  st.sampled_from(["latest", "earliest", "max", "min"]),
                  st.sampled_from(["client_id", "created_at", "received_at", "x"]), dataset, inner),
        st.builds(lambda d, w: f"(count of {d} where {w})", dataset, inner),
        st.builds(lambda a: f"{a} contains 'special'", inner),
    )


CONDITIONS = st.recursive(_atoms(), _extend, max_leaves=12)


@st.composite
def near_misses(draw) -> str:
    """A condition from the grammar, sometimes broken the way a hurried author breaks one."""
    text = draw(CONDITIONS)
    how = draw(st.sampled_from(["as is", "as is", "drop", "double", "cut", "insert"]))
    if not text or how == "as is":
        return text
    at = draw(st.integers(0, len(text) - 1))
    if how == "drop":
        return text[:at] + text[at + 1:]
    if how == "double":
        return text[:at] + text[at] + text[at:]
    if how == "cut":
        return text[:at]
    return text[:at] + draw(st.sampled_from(["(", ")", "'", ",", " and ", " where ", "[", "$", ".", "#"])) + text[at:]


@settings(settings.get_profile(FUZZ_PROFILE))
@given(text=near_misses())
def test_a_condition_compiles_or_gets_a_positioned_error(text):
    source = SourceText("fuzz.yaml", text, 10, 7, tuple([""] * 9 + [" " * 6 + text]))
    parsed = parse_condition(source)
    if isinstance(parsed, Diagnostic):
        assert parsed.code.startswith("E2") and parsed.location is not None and parsed.location.line >= 10
        return
    resolver = Resolver(contract(), "requests", {"n": 2, "types": ["access"]}, {}, source)
    resolved = resolver.condition(parsed)
    if resolved is None:
        assert resolver.diagnostics, "a condition that does not resolve must say why"
        assert all(d.code[1] in "345" and d.location is not None for d in resolver.diagnostics)
        return
    bindings = {"n": 2, "types": ["access"], "audit_date": dt.date(2026, 11, 28)}
    to_sql(check_query(Check("requests", ("request_id",), resolved), bindings))  # renders without error


def test_ci_runs_at_least_10000_conditions_and_long_runs_more():
    assert settings.get_profile(fuzz_profile({"CI": "true"})).max_examples >= 10_000
    assert settings.get_profile(fuzz_profile({"CI": "true", "REGLEMENT_FUZZ": "long"})).max_examples >= 100_000
    assert settings.get_profile(fuzz_profile({"CI": "false"})).max_examples < 1_000  # quick on a laptop
    used = test_a_condition_compiles_or_gets_a_positioned_error._hypothesis_internal_use_settings
    assert used.max_examples == settings.get_profile(FUZZ_PROFILE).max_examples
