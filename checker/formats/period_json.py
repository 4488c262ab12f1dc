"""The period report as JSON: the figures of `checker/period.py` as they are (their shape: that module's
docstring and `period.schema.json`), indented, with a final newline. The language only names the one the
other forms would use; the figures hold none."""

from __future__ import annotations

import json
from typing import TextIO


def write(figures: dict, lang: str, out: TextIO) -> None:
    out.write(json.dumps(figures, ensure_ascii=False, indent=2) + "\n")
