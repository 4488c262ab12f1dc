"""Ground truth for the Westendorp rules, computed without the compiler or the checker.

The rules (`oracle_rules_data.py`, `oracle_rules_processing.py`, `oracle_rules_rights.py`)
are literal, row-by-row readings of `spec/rule-catalogue.md`. The generator uses the
oracle to write `ground_truth.json`, and `evaluate_export` applies it to any export
folder, so the rule compiler can be checked against a second, deliberately naive
implementation. Neither this module nor any it imports may ever import
`reglement.compiler` or `reglement.checker`.

A finding is `{"dataset": name, "key": {column: value, ...}}`, the shape of the checker's
report: the row's key, plus `"column"` for the three contract rules; for rule 1.1 the
key is the column alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from . import contract
from .export_reader import export_columns, read_export
from .oracle_context import Row, Rule, build_context
from .oracle_conventions import add_months, add_years, elfproef
from .oracle_rules_data import RULES as DATA_RULES
from .oracle_rules_processing import RULES as PROCESSING_RULES
from .oracle_rules_rights import RULES as RIGHTS_RULES

__all__ = ["RULES", "Finding", "Oracle", "add_months", "add_years", "elfproef", "evaluate", "evaluate_export"]

RULES: dict[str, Rule] = {**DATA_RULES, **PROCESSING_RULES, **RIGHTS_RULES}  # catalogue order
Finding = dict[str, Any]


class Oracle:
    """Findings of every rule: the small datasets at once, `access_log` chunk by chunk.

    `columns` names the columns each dataset's export file has (rule 1.1 reads them);
    a dataset it leaves out is taken to have exactly the contract's columns.
    """

    def __init__(self, tables: Mapping[str, Iterable[Row]], as_of: date,
                 params: Mapping[str, int] | None = None, columns: Mapping[str, Iterable[str]] | None = None) -> None:
        self.ctx = build_context(tables, as_of, params)
        self.found: dict[str, list[tuple[str, dict[str, Any]]]] = {rule_id: [] for rule_id in RULES}
        for name, rows in tables.items():
            if name != "access_log":
                self.feed(name, rows)
        for name, names in (columns or {}).items():
            self.feed_columns(name, names)

    def feed(self, dataset: str, rows: Iterable[Row]) -> None:
        """Evaluate every row and column rule over `dataset` for these rows; call it once per chunk."""
        key = contract()[dataset].key
        row_rules = [r for r in RULES.values() if r.kind == "row" and dataset in r.scope]
        column_rules = [(r, c) for r in RULES.values() if r.kind == "column" for c in r.scope.get(dataset, ())]
        for row in rows:
            for r in row_rules:
                if r.test(row, self.ctx):
                    self.found[r.id].append((dataset, {key: row[key]}))
            for r, column in column_rules:
                if r.test(row, dataset, column, self.ctx):
                    self.found[r.id].append((dataset, {key: row[key], "column": column}))

    def feed_columns(self, dataset: str, names: Iterable[str]) -> None:
        """Evaluate the file rules over the columns the dataset's export file has."""
        for r in RULES.values():
            if r.kind == "file" and dataset in r.scope:
                self.found[r.id] += [(dataset, {"column": name}) for name in names if r.test(dataset, name, self.ctx)]

    def findings(self) -> dict[str, list[Finding]]:
        """Every rule id, with its findings sorted by dataset, then key values."""
        return {rule_id: [{"dataset": d, "key": k} for d, k in sorted(found, key=lambda f: (f[0], *f[1].values()))]
                for rule_id, found in self.found.items()}


def evaluate(tables: Mapping[str, Iterable[Row]], as_of: date, params: Mapping[str, int] | None = None,
             columns: Mapping[str, Iterable[str]] | None = None) -> dict[str, list[Finding]]:
    """The oracle over datasets held in memory (`access_log` included, if present)."""
    small = {k: v for k, v in tables.items() if k != "access_log"}
    oracle = Oracle(small, as_of, params, columns)
    oracle.feed("access_log", tables.get("access_log", ()))
    return oracle.findings()


def evaluate_export(dir: Path, as_of: date, params: dict | None = None) -> dict[str, list[Finding]]:
    """Apply the oracle to an export folder (CSV, JSONL or Parquet), streaming `access_log`."""
    dir = Path(dir)
    small = {name: [row for chunk in read_export(dir, name) for row in chunk]
             for name in contract() if name != "access_log"}
    oracle = Oracle(small, as_of, params, {name: export_columns(dir, name) for name in contract()})
    for chunk in read_export(dir, "access_log"):
        oracle.feed("access_log", chunk)
    return oracle.findings()
