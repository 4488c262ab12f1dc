"""Run one rule on both engines over the same in-memory frames (shared by the backend tests).

Frames go through `reglement.api`'s own path: validated and typed against the
contract, then handed to pandas directly and to DuckDB as in-memory tables. No file
is written, so thousands of generated exports stay cheap.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable, Mapping

import pandas as pd

from reglement.api import duckdb_connection, validate_frames
from reglement.checker.engine import DuckDBEngine, Finding
from reglement.checker.pandas_engine import PandasEngine
from reglement.compiler.pack import Rule
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


class EnginePair:
    """Both engines over one set of frames; the DuckDB connection is closed by `close`."""

    def __init__(self, frames: Mapping[str, pd.DataFrame]):
        typed = validate_frames(frames)
        self.pandas = PandasEngine(typed, contract())
        self.con = duckdb_connection(typed)
        self.duckdb = DuckDBEngine(self.con, contract())

    def findings(self, rule: Rule, values: Mapping[str, object]) -> tuple[list[Finding], list[Finding]]:
        return self.duckdb.findings(rule, values), self.pandas.findings(rule, values)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> "EnginePair":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def keys(findings: list[Finding]) -> list[str]:
    return [next(iter(f.key.values())) for f in findings]
