"""Rule-embedded examples, in the spirit of `opa test`.

A rule may carry small tables of rows and the keys that must be flagged among them:

    examples:
      - note: answered exactly one month after receipt is in time
        data:
          requests:
            - {request_id: R1, type: access, received_at: 2026-01-31, decided_at: 2026-02-28}
        flagged: []

Every example runs on every engine asked for; it passes when the engine flags exactly
the keys listed. Examples are evaluated as of `as_of`, by default EXAMPLE_AS_OF.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable

import duckdb

from ..compiler.pack import Pack, Rule
from ..datasets import contract as data_contract
from .audit import run_rule
from .engine import DuckDBEngine, Engine
from .loader import Export
from .rows import create_tables

EXAMPLE_AS_OF = dt.date(2026, 11, 28)


@dataclass(frozen=True)
class ExampleResult:
    rule: str
    note: str
    engine: str
    expected: tuple[str, ...]
    got: tuple[str, ...]
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and self.expected == self.got


def _key_text(key: dict[str, str] | str) -> str:
    """A key as the example author writes it: the value alone, or `col=value` pairs."""
    if isinstance(key, str):
        return key
    return key[next(iter(key))] if len(key) == 1 else ",".join(f"{k}={v}" for k, v in sorted(key.items()))


def _engines(con: duckdb.DuckDBPyConnection, names: Iterable[str]) -> list[Engine]:
    contract = data_contract()
    engines: list[Engine] = []
    for name in names:
        if name == "duckdb":
            engines.append(DuckDBEngine(con, contract))
        else:
            from .pandas_engine import PandasEngine

            engines.append(PandasEngine({n: con.table(n).df() for n in contract}, contract))
    return engines


def run_example(rule: Rule, index: int, engines: Iterable[str]) -> list[ExampleResult]:
    example = rule.examples[index]
    as_of = dt.date.fromisoformat(str(example["as_of"])) if "as_of" in example else EXAMPLE_AS_OF
    values = rule.values(example.get("params", {}), as_of)
    expected = tuple(sorted(_key_text(k) for k in example["flagged"]))
    con = duckdb.connect()
    try:
        create_tables(con, data_contract(), example["data"])
        results = []
        for engine in _engines(con, engines):
            outcome = run_rule(engine, rule, Export({}, {}), values)
            got = tuple(sorted(_key_text(f.key) for f in outcome.findings))
            results.append(ExampleResult(rule.id, example["note"], engine.name, expected, got, outcome.error))
        return results
    except (ValueError, TypeError) as err:  # rows that do not fit the contract's types
        return [ExampleResult(rule.id, example["note"], "-", expected, (), f"bad example data: {err}")]
    finally:
        con.close()


def run_examples(pack: Pack, engines: Iterable[str] = ("duckdb",)) -> list[ExampleResult]:
    engines = tuple(engines)
    return [r for rule in pack.rules for i in range(len(rule.examples)) for r in run_example(rule, i, engines)]


def rules_without_examples(pack: Pack) -> list[str]:
    """Rules not proved on both sides: no example flags a row, or none leaves a row unflagged."""
    def flags(e: dict) -> bool:
        return bool(e["flagged"])

    def spares(e: dict, rule: Rule) -> bool:
        return not e["flagged"] or len(e["flagged"]) < len(e["data"].get(rule.dataset, []))

    return [r.id for r in pack.rules
            if not (any(flags(e) for e in r.examples) and any(spares(e, r) for e in r.examples))]
