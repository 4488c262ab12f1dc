"""Ground truth for the Westendorp rules (pack 1.2), computed without the compiler or the checker.

The rules (`oracle_rules_data.py`, `oracle_rules_processing.py`, `oracle_rules_rights.py`)
are literal, row-by-row readings of `spec/rule-catalogue.md`. The generator uses the
oracle to write `ground_truth.json`, and `evaluate_export` applies it to any export
folder, so the rule compiler can be checked against a second, deliberately naive
implementation. Neither this module nor any it imports may ever import
`reglement.compiler` or `reglement.checker`.

What the oracle gives (`Oracle.truth()`, `evaluate`, `evaluate_export`), and what
`ground_truth.json` and `tests/expected/sample_findings.json` hold besides `as_of` (the
generator adds `seed`, `clients`, `params` and `planted`):

    {"findings":     {"<rule id>": [{"dataset": "<name>", "key": {"<key column>": "<value>"}}, ...], ...},
     "populations":  {"<rule id>": <int>, ...},
     "explanations": {"5.1-access-unexplained": {"caseload": <int>, "manager": <int>, ...}},
     "periods":      {"<dataset>": {"column": "<name>", "from": "<ISO>", "to": "<ISO>"}, ...}}

- `findings`: every automated rule, in catalogue order, with its findings sorted by
  dataset, then key values. A finding has the shape of the checker's report: the row's
  key, plus `"column"` for the three contract rules; for rule 1.1 the key is the column
  alone.
- `populations`: every automated rule, in catalogue order, with the number of rows it
  judged (the report's `population`): the rows of its dataset that its scope admits
  (each rule's scope is the `population=` of its registration, beside it); a contract
  rule counts every row of the datasets it checks, 1.1 every column of the export's
  files, 6.1 every event.
- `explanations`: for each rule with explanations (pack 1.2: `5.1-access-unexplained`),
  the number of rows of its population for which each explanation holds, in the pack's
  order (`caseload`, `manager`, `request`, `complaint`, `disclosure`, `record`,
  `administration`); an event explained several ways counts for each.
- `periods`: for each dataset the oracle read, its time column (`oracle_contract.PERIODS`)
  with the earliest and latest non-null value as ISO text (`YYYY-MM-DD`, or
  `YYYY-MM-DDTHH:MM:SS` for a timestamp), both null when it has none.

A dataset the oracle is not given counts in no population and has no period (the
generator's `ground_truth=False` leaves the access log out this way).

`python -m reglement.datasets.oracle DIR --as-of YYYY-MM-DD` prints this for an export
folder, in the layout of `tests/expected/sample_findings.json` (one finding a line).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from . import contract
from .export_reader import export_columns, read_export
from .oracle_context import Row, Rule, Sequence, build_context
from .oracle_contract import PERIODS
from .oracle_conventions import add_months, add_years, elfproef
from .oracle_rules_data import RULES as DATA_RULES
from .oracle_rules_processing import EXPLANATIONS
from .oracle_rules_processing import RULES as PROCESSING_RULES
from .oracle_rules_rights import RULES as RIGHTS_RULES

__all__ = ["EXPLANATIONS", "RULES", "Finding", "Oracle", "add_months", "add_years", "dumps", "elfproef", "evaluate",
           "evaluate_export"]

RULES: dict[str, Rule] = {**DATA_RULES, **PROCESSING_RULES, **RIGHTS_RULES}  # catalogue order
Finding = dict[str, Any]
Truth = dict[str, Any]  # findings, populations, explanations, periods (module docstring)


class Oracle:
    """Findings, populations and explanation counts of every rule: the small datasets at once, `access_log`
    chunk by chunk (in any order).

    `columns` names the columns each dataset's export file has (rule 1.1 reads them, and counts them as its
    population); a dataset it leaves out has no file for rule 1.1 (`evaluate` takes the contract's columns
    for every dataset it is given without them).
    """

    def __init__(self, tables: Mapping[str, Iterable[Row]], as_of: date,
                 params: Mapping[str, int] | None = None, columns: Mapping[str, Iterable[str]] | None = None) -> None:
        self.ctx = build_context(tables, as_of, params)
        self.found: dict[str, list[tuple[str, dict[str, Any]]]] = {rule_id: [] for rule_id in RULES}
        self.judged: dict[str, int] = dict.fromkeys(RULES, 0)
        self.explained: dict[str, dict[str, int]] = {
            r.id: {name: 0 for name, _ in r.explanations} for r in RULES.values() if r.explanations}
        self.sequences: dict[str, Sequence] = {r.id: r.test(self.ctx) for r in RULES.values() if r.kind == "sequence"}
        self.periods: dict[str, list[Any]] = {}  # dataset → [earliest, latest] of its time column
        for name, rows in tables.items():
            if name != "access_log":
                self.feed(name, rows)
        for name, names in (columns or {}).items():
            self.feed_columns(name, names)

    def _row_groups(self, dataset: str) -> list[tuple[Callable[..., bool] | None, list[Rule]]]:
        """The row rules over `dataset`, grouped by population, so that each population is asked once a row."""
        groups: dict[Any, list[Rule]] = {}
        for r in RULES.values():
            if r.kind == "row" and dataset in r.scope:
                groups.setdefault(r.population, []).append(r)
        return list(groups.items())

    def feed(self, dataset: str, rows: Iterable[Row]) -> None:
        """Judge these rows of `dataset` by every rule over it; call it once per chunk, in any order."""
        ctx, key, found = self.ctx, contract()[dataset].keys[0], self.found
        groups = self._row_groups(dataset)
        in_population = [0] * len(groups)
        column_rules = [(r, c) for r in RULES.values() if r.kind == "column" for c in r.scope.get(dataset, ())]
        sequences = [self.sequences[r.id] for r in RULES.values() if r.kind == "sequence" and dataset in r.scope]
        time_column = PERIODS[dataset]
        period = self.periods.setdefault(dataset, [None, None])
        n = 0
        for row in rows:
            n += 1
            for i, (population, rules) in enumerate(groups):
                if population is not None and not population(row, ctx):
                    continue
                in_population[i] += 1
                for r in rules:
                    if r.explanations:
                        held = r.test(row, ctx)
                        for name in held:
                            self.explained[r.id][name] += 1
                        if not held:
                            found[r.id].append((dataset, {key: row[key]}))
                    elif r.test(row, ctx):
                        found[r.id].append((dataset, {key: row[key]}))
            for r, column in column_rules:
                if r.test(row, dataset, column, ctx):
                    found[r.id].append((dataset, {key: row[key], "column": column}))
            for sequence in sequences:
                sequence.observe(row)
            when = row[time_column]
            if when is not None:
                if period[0] is None or when < period[0]:
                    period[0] = when
                if period[1] is None or when > period[1]:
                    period[1] = when
        for (_, rules), count in zip(groups, in_population):
            for r in rules:
                self.judged[r.id] += count
        for r in RULES.values():
            if r.kind in ("column", "sequence") and dataset in r.scope:
                self.judged[r.id] += n

    def feed_columns(self, dataset: str, names: Iterable[str]) -> None:
        """Evaluate the file rules over the columns the dataset's export file has."""
        names = list(names)
        for r in RULES.values():
            if r.kind == "file" and dataset in r.scope:
                self.found[r.id] += [(dataset, {"column": name}) for name in names if r.test(dataset, name, self.ctx)]
                self.judged[r.id] += len(names)

    def findings(self) -> dict[str, list[Finding]]:
        """Every rule id, with its findings sorted by dataset, then key values."""
        found = {rule_id: list(rows) for rule_id, rows in self.found.items()}
        for rule_id, sequence in self.sequences.items():
            (dataset,) = RULES[rule_id].datasets
            key = contract()[dataset].keys[0]
            found[rule_id] += [(dataset, {key: value}) for value in sequence.finding_keys()]
        return {rule_id: [{"dataset": d, "key": k} for d, k in sorted(rows, key=lambda f: (f[0], *f[1].values()))]
                for rule_id, rows in found.items()}

    def truth(self) -> Truth:
        """Findings, populations, explanation counts and periods, as the module docstring describes them."""
        return {"findings": self.findings(), "populations": dict(self.judged),
                "explanations": {rule_id: dict(counts) for rule_id, counts in self.explained.items()},
                "periods": {name: {"column": PERIODS[name], "from": _iso(first), "to": _iso(last)}
                            for name, (first, last) in sorted(self.periods.items())}}


def _iso(value: date | datetime | None) -> str | None:
    """A period's end as the export spells it: `YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM:SS` for a timestamp."""
    return None if value is None else value.isoformat()


def evaluate(tables: Mapping[str, Iterable[Row]], as_of: date, params: Mapping[str, int] | None = None,
             columns: Mapping[str, Iterable[str]] | None = None) -> Truth:
    """The oracle over datasets held in memory (`access_log` included, if present); a dataset without an entry
    in `columns` has exactly the contract's columns."""
    columns = {name: contract()[name].column_names for name in tables} | dict(columns or {})
    small = {k: v for k, v in tables.items() if k != "access_log"}
    oracle = Oracle(small, as_of, params, columns)
    if "access_log" in tables:
        oracle.feed("access_log", tables["access_log"])
    return oracle.truth()


def evaluate_export(dir: Path, as_of: date, params: dict | None = None) -> Truth:
    """Apply the oracle to an export folder (CSV, JSONL or Parquet), streaming `access_log`."""
    dir = Path(dir)
    small = {name: [row for chunk in read_export(dir, name) for row in chunk]
             for name in contract() if name != "access_log"}
    oracle = Oracle(small, as_of, params, {name: export_columns(dir, name) for name in contract()})
    oracle.feed("access_log", ())  # the log counts in every population over it even when it is empty
    for chunk in read_export(dir, "access_log"):
        oracle.feed("access_log", chunk)
    return oracle.truth()


def dumps(truth: Mapping[str, Any]) -> str:
    """A truth as `ground_truth.json` and `sample_findings.json` lay it out: indented, one finding a line."""
    def spell(value: Any, depth: int) -> str:
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            lines = (" " * (depth + 1) + json.dumps(v, ensure_ascii=False) for v in value)
            return "[\n" + ",\n".join(lines) + "\n" + " " * depth + "]"
        if isinstance(value, dict) and value and depth < 2:
            inner = " " * (depth + 1)
            items = (f"{inner}{json.dumps(k, ensure_ascii=False)}: {spell(v, depth + 1)}" for k, v in value.items())
            return "{\n" + ",\n".join(items) + "\n" + " " * depth + "}"
        return json.dumps(value, ensure_ascii=False)
    return spell(dict(truth), 0) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reglement.datasets.oracle",
                                     description="the oracle's ground truth for an export folder, as JSON")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--as-of", required=True, type=date.fromisoformat)
    args = parser.parse_args(argv)
    truth = evaluate_export(args.folder, args.as_of)
    sys.stdout.write(dumps({"as_of": args.as_of.isoformat(), **truth}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
