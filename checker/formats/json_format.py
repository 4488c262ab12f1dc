"""The JSON report: the dict itself, with a stable key order and a final newline."""

from __future__ import annotations

import json


def render(report: dict, lang: str = "nl") -> str:
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"
