"""The JSON report: the dict itself, with a stable key order and a final newline, written in a stream.

The findings of each rule are written from their Arrow table a chunk at a time (one
object a line), so a report with a million findings needs no Python object per finding.
"""

from __future__ import annotations

import json
from typing import TextIO

from ..findings import Findings

_MARK = "\u0000findings:{}\u0000"


def write(report: dict, lang: str, out: TextIO) -> None:
    tables: list[Findings] = []

    def placeholder(value: object) -> object:
        if isinstance(value, Findings):
            tables.append(value)
            return _MARK.format(len(tables) - 1)
        raise TypeError(f"cannot write a {type(value).__name__} as JSON")

    text = json.dumps(report, ensure_ascii=False, indent=2, default=placeholder)
    for i, table in enumerate(tables):
        quoted = json.dumps(_MARK.format(i))
        before, text = text.split(quoted, 1)
        line_start = before.rfind("\n") + 1
        depth = len(before[line_start:]) - len(before[line_start:].lstrip(" "))
        out.write(before)
        _array(table, " " * (depth + 2), " " * depth, out)
    out.write(text + "\n")


def _array(table: Findings, inner: str, outer: str, out: TextIO) -> None:
    if not len(table):
        out.write("[]")
        return
    out.write("[\n" + inner)
    for i, chunk in enumerate(table.json_chunks(inner)):
        out.write((",\n" + inner if i else "") + chunk)
    out.write("\n" + outer + "]")
