"""The rule catalogue's conventions in plain Python: calendar arithmetic, "empty", exact and null-safe comparison.

Part of the oracle: it must never import `reglement.compiler` or `reglement.checker`.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta
from typing import Any

NINE_DIGITS = re.compile(r"[0-9]{9}")


def add_months(d: date | None, months: int) -> date | None:
    """`D + N months`: calendar months, clamped to the month's last day (31 Jan + 1 = 28 Feb)."""
    if d is None:
        return None
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def add_years(d: date | None, years: int) -> date | None:
    """`D + N years` (29 Feb + 1 year = 28 Feb)."""
    return add_months(d, 12 * years)


def add_days(d: date | None, days: int) -> date | None:
    """`D + N days`, and `+ N weeks` as 7·N days; a null stays null."""
    return None if d is None else d + timedelta(days=days)


def empty(v: Any) -> bool:
    """"empty" means null or a string of only white space (spaces, tabs, newlines: the README's class
    `[ \\t\\n\\r\\f]`); a list is empty when it has no items."""
    if isinstance(v, (list, tuple)):
        return not v
    return v is None or (isinstance(v, str) and not v.strip(" \t\n\r\f"))


def equals(v: Any, value: Any) -> bool:
    """Exact, case-sensitive comparison; a null never equals anything."""
    return v is not None and v == value


def differs(v: Any, value: Any) -> bool:
    """`v ≠ value`, which does not hold for a null `v`."""
    return v is not None and v != value


def one_of(v: Any, values: tuple[Any, ...]) -> bool:
    """`v` equals one of `values` exactly; a null is none of them."""
    return v is not None and v in values


def later(a: Any, b: Any) -> bool:
    """"a is later than b" is strictly `a > b`, and false when either is null."""
    return a is not None and b is not None and a > b


def earlier(a: Any, b: Any) -> bool:
    """Strictly `a < b`, false when either is null."""
    return a is not None and b is not None and a < b


def day_of(ts: datetime | None) -> date | None:
    """`date(ts)`: the date part of a timestamp."""
    return None if ts is None else ts.date()


def covers(start: date | None, end: date | None, d: date | None) -> bool:
    """`start ≤ d` and (`end` null or `d ≤ end`)."""
    return start is not None and d is not None and start <= d and (end is None or d <= end)


def elfproef(bsn: str) -> bool:
    """Nine digits with 9·d1 + 8·d2 + … + 2·d8 − d9 divisible by 11."""
    if not NINE_DIGITS.fullmatch(bsn):
        return False
    total = sum(w * int(c) for w, c in zip(range(9, 1, -1), bsn[:8])) - int(bsn[8])
    return total % 11 == 0
