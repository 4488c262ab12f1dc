"""The row `explain --key` names: `event_id=E1`, or every part of a composite key.

A composite key is written `user_id=U1,client_id=C2,assigned_from=2026-01-01`, its parts
joined by `,` (as the report writes a key, `user_id=U1, client_id=C2, …`) or by `;` (as a
review file and the worklist do), so that a key copied from either names the row. A part
that is missing or unknown is a usage error that names the key columns the rule expects.
"""

from __future__ import annotations

import re

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .checker.backends.pandas import MOMENT_DTYPE
from .checker.backends.pandas_eval import frame_column
from .compiler.model import Check, Rule


def parse_key(text: str, rule: Rule) -> tuple[dict[str, str], list[Check]]:
    """The key's parts by column, and the checks of `rule` whose rows it names; ValueError when it names none."""
    pairs = [part.partition("=") for part in re.split(r"[,;]", text) if part.strip()]
    key = {name.strip(): value.strip() for name, equals, value in pairs if equals and name.strip() and value.strip()}
    checks = [c for c in rule.checks if len(key) == len(pairs) and set(key) == set(c.keys)]
    if checks:
        return key, checks
    shapes = list(dict.fromkeys(c.keys for c in rule.checks))
    wanted = " or ".join(",".join(f"{k}=VALUE" for k in keys) for keys in shapes)
    lacks = [[k for k in keys if k not in key] for keys in shapes if set(key) < set(keys)]
    said = f"; it lacks {', '.join(lacks[0])}" if len(lacks) == 1 else ""
    raise ValueError(f"--key must be {wanted} for rule {rule.id}, got '{text}'{said}")


def found_in(table: pa.Table, key: dict[str, str]) -> bool:
    """Whether an engine's findings hold the row of `key` (each part compared as the report writes it)."""
    mask = pa.array([True] * table.num_rows, pa.bool_())
    for name, value in key.items():
        mask = pc.and_(mask, pc.equal(pc.cast(table.column(name), pa.string()), value))
    return table.num_rows > 0 and pc.any(pc.fill_null(mask, False)).as_py()


def row_mask(frame: pd.DataFrame, key: dict[str, str]) -> pd.Series:
    """The rows of a bound frame (`t0.<column>`) whose key is `key`; a date or time part as a moment."""
    mask = pd.Series(True, index=frame.index)
    for name, value in key.items():
        column = frame[frame_column("t0", name)]
        if column.dtype == MOMENT_DTYPE:
            moment = pd.to_datetime(value, errors="coerce")
            mask &= (column == moment).fillna(False) if not pd.isna(moment) else False
        else:
            mask &= (column == value).fillna(False)
    return mask


def key_words(key: dict[str, str]) -> str:
    """The key as explain names the row: `event_id = E1`, or `user_id = U1, client_id = C2`."""
    return ", ".join(f"{name} = {value}" for name, value in key.items())
