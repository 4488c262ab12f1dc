"""Ground truth for the Westendorp rules, computed without the compiler or the checker.

The rules (`oracle_rules_processing.py`, `oracle_rules_rights.py`) are literal, row-by-row
readings of `spec/rule-catalogue.md`. The generator uses the oracle to write
`ground_truth.json`, and `evaluate_export` applies it to any export folder, so the rule
compiler can be checked against a second, deliberately naive implementation. Neither this
module nor any it imports may ever import `reglement.compiler` or `reglement.checker`.
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
from .oracle_rules_processing import RULES as PROCESSING_RULES
from .oracle_rules_rights import RULES as RIGHTS_RULES

__all__ = ["RULES", "Oracle", "add_months", "add_years", "elfproef", "evaluate", "evaluate_export"]

RULES: dict[str, Rule] = {**PROCESSING_RULES, **RIGHTS_RULES}  # catalogue order


class Oracle:
    """Findings of every rule: the small datasets at once, `access_log` chunk by chunk."""

    def __init__(self, tables: Mapping[str, Iterable[Row]], as_of: date,
                 params: Mapping[str, int] | None = None, client_columns: Iterable[str] | None = None) -> None:
        columns = contract()["clients"].column_names if client_columns is None else client_columns
        self.ctx = build_context(tables, as_of, params, columns)
        self.found: dict[str, list[str]] = {rule_id: [] for rule_id in RULES}
        for name, rows in tables.items():
            if name != "access_log":
                self.feed(name, rows)
        self.feed("clients.columns", self.ctx.client_columns)

    def feed(self, dataset: str, rows: Iterable[Any]) -> None:
        """Evaluate every rule over `dataset` for these rows; call it once per chunk."""
        rules = [r for r in RULES.values() if r.dataset == dataset]
        key = None if dataset == "clients.columns" else contract()[dataset].key
        for row in rows:
            for r in rules:
                if r.test(row, self.ctx):
                    self.found[r.id].append(row if key is None else row[key])

    def findings(self) -> dict[str, list[dict[str, str]]]:
        """Every rule id, with its findings as `{key column: value}` sorted by key."""
        out = {}
        for rule_id, keys in self.found.items():
            dataset = RULES[rule_id].dataset
            name = "column" if dataset == "clients.columns" else contract()[dataset].key
            out[rule_id] = [{name: k} for k in sorted(keys)]
        return out


def evaluate(tables: Mapping[str, Iterable[Row]], as_of: date, params: Mapping[str, int] | None = None,
             client_columns: Iterable[str] | None = None) -> dict[str, list[dict[str, str]]]:
    """The oracle over datasets held in memory (`access_log` included, if present)."""
    small = {k: v for k, v in tables.items() if k != "access_log"}
    oracle = Oracle(small, as_of, params, client_columns)
    oracle.feed("access_log", tables.get("access_log", ()))
    return oracle.findings()


def evaluate_export(dir: Path, as_of: date, params: dict | None = None) -> dict[str, list[dict]]:
    """Apply the oracle to an export folder (CSV, or parquet), streaming `access_log`."""
    dir = Path(dir)
    small = {name: [row for chunk in read_export(dir, name) for row in chunk]
             for name in contract() if name != "access_log"}
    oracle = Oracle(small, as_of, params, export_columns(dir, "clients"))
    for chunk in read_export(dir, "access_log"):
        oracle.feed("access_log", chunk)
    return oracle.findings()
