"""The order of a regulation's articles and clauses, as its reader expects them.

Law numbers are not plain numbers: `2a` comes between `2` and `3`, `7.3.8` before `7.3.10`, and the
Civil Code's `7:400` before `7:401`. The compiler orders a pack's articles by it and every report
orders what it finds only in its rules the same way.
"""

from __future__ import annotations

import re
from typing import Any


def natural_key(text: str) -> tuple[Any, ...]:
    """Sort `2` before `2a` before `10`, and `9.2` before `9.10`: digits as numbers, the rest as text."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text) if part)
