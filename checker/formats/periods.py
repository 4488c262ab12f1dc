"""Each dataset's period: its time column and the earliest and latest value the export holds.

A pack 1.2 report gives `data.<dataset>.period = {column, from, to}` for a dataset whose contract
names a time column; both ends are null where the dataset has no rows (or no value in that column).
The formats a person reads show it beside the dataset's rows, so that an auditor sees which
months the audit covered; a report of an older pack has none, and shows none.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .labels import label

_DATE_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})T(?=\d)")


@dataclass(frozen=True)
class Period:
    """The dataset's time column and its earliest and latest value, as the report gives them (None: no value)."""

    column: str
    start: str | None
    end: str | None

    def span(self, lang: str, rows: int | None = None) -> str:
        """`2024-02-01 10:00:00 – 2026-10-27 11:00:00`, or `no rows` (`no values` where there are rows)."""
        if self.start is None and self.end is None:
            return label(lang, "no_values" if rows else "no_rows")
        return f"{_shown(self.start, lang)} – {_shown(self.end, lang)}"

    def text(self, lang: str, rows: int | None = None) -> str:
        """`ts: 2024-02-01 10:00:00 – 2026-10-27 11:00:00`: the column, then its span."""
        return f"{self.column}: {self.span(lang, rows)}"

    def interval(self) -> str:
        """ISO 8601 `from/to`, `..` for an end without a value (ISO 8601-2's open end): for machines."""
        return f"{self.start or '..'}/{self.end or '..'}"


def period(info: Mapping[str, Any]) -> Period | None:
    """The period of one dataset of the report's `data`, or None where the report gives none."""
    given = info.get("period")
    if not isinstance(given, Mapping) or not given.get("column"):
        return None
    ends = [None if given.get(end) is None else str(given[end]) for end in ("from", "to")]
    return Period(str(given["column"]), *ends)


def any_period(report: Mapping[str, Any]) -> bool:
    """Whether any dataset of the report has a period: a data table gets its column only then."""
    return any(period(info) for info in (report.get("data") or {}).values() if isinstance(info, Mapping))


def _shown(value: str | None, lang: str) -> str:
    """A date as it is, a date-time with a space for the `T` (`2024-02-01 10:00:00`); a dash for no value."""
    return label(lang, "none") if value is None else _DATE_TIME.sub(r"\1 ", value)
