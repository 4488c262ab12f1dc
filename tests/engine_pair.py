"""Run rules on both engines over the same data, through the one driver and the one intake.

Frames go through the same intake as export files: validated and typed against the
contract, then read by DuckDB and by pandas. No file is written, so thousands of
generated exports stay cheap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from reglement.checker.audit import Opened, RuleResult, opened, run_rules
from reglement.checker.intake import Data, folder_sources, frame_sources
from reglement.compiler.config import Config
from reglement.compiler.model import KEY_PARTS, Bindings, Pack, Rule
from reglement.compiler.plan import LARGE
from reglement.datasets import contract

# A value for each required column a hand-made row leaves out: inert for every rule.
DEFAULTS = {"string": "x", "date": dt.date(2026, 1, 1), "timestamp": dt.datetime(2026, 1, 1, 9, 0),
            "bool": False, "list<string>": []}


def frames_from_rows(rows: Mapping[str, Iterable[Mapping[str, object]]],
                     names: Iterable[str] | None = None) -> dict[str, pd.DataFrame]:
    """A frame per dataset (every dataset named, or all of the contract), missing cells filled.

    Required columns left out get DEFAULTS; nullable ones stay null.
    """
    out = {}
    for name in names or contract():
        dataset = contract()[name]
        given = [dict(r) for r in rows.get(name, ())]
        filled = [{c.name: r.get(c.name, None if c.nullable else DEFAULTS[c.type]) for c in dataset.columns}
                  | {k: v for k, v in r.items() if dataset.column(k) is None} for r in given]
        out[name] = pd.DataFrame(filled, columns=list(dict.fromkeys(
            [*dataset.column_names, *(k for r in given for k in r)])), dtype=object)
    return out


def findings(result: RuleResult) -> list[dict]:
    """A rule's findings as plain values: dataset, key and message values, in the engine's order."""
    out = []
    for part in result.parts:
        check = part.check
        for row in part.table.to_pylist():
            key = {k: row.pop(k) for k in check.keys} | {k: v for k, v in check.fixed.items() if k in KEY_PARTS}
            out.append({"dataset": check.subject, "key": key, "values": row})
    if result.error:
        out.append({"error": result.error})
    return out


def both(pack: Pack, data: Path | Mapping[str, object], as_of: dt.date, rules: Iterable[Rule] | None = None,
         params: dict | None = None, plan: str = "fused", large: bool = False
         ) -> tuple[dict[str, list], dict[str, list]]:
    """Per engine, the findings of every rule (or of `rules`) over the same data, taken in once; with
    `large`, the planner takes every dataset for a large one (compiler/plan.py)."""
    rows = dict.fromkeys(pack.contract, LARGE) if large else None
    chosen = tuple(rules) if rules is not None else pack.rules
    config = Config(rule_params={r.id: dict(params) for r in chosen} if params else {})
    bindings = {r.id: r.bind(config.overrides(r.id), as_of) for r in chosen}
    with opened(pack, data_of(data, pack)) as run:
        return tuple({r.rule.id: findings(r) for r in run_rules(engine, chosen, pack.contract, run.missing,
                                                                 bindings, plan, rows=rows)}
                     for engine in (run.backend, run.other("pandas")))


def data_of(given: Path | Mapping[str, object], pack: Pack) -> Data:
    """An export folder, or frames by dataset, as the one shape the driver takes."""
    return folder_sources(given, pack.contract) if isinstance(given, Path) else frame_sources(given, pack.contract)


def keys(found: list[dict]) -> list[str]:
    return [next(iter(f["key"].values())) for f in found]


def run_rule(run: Opened, rule: Rule, bindings: Bindings, backend: object | None = None) -> RuleResult:
    """One rule alone (the plain plan) on the run's backend, or on `backend` over the same run."""
    return run_rules(backend or run.backend, (rule,), run.contract, run.missing, {rule.id: bindings}, "plain")[0]
