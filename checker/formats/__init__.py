"""Report writers: one module per output format, each writing the report dict to a stream.

Every module has `write(report, lang, out, **options)`. Whatever the report came from (an
audit, or a JSON report read back by `reglement render`), each automated rule's findings
reach the writers as a `Findings` table, so that no writer makes a Python object per
finding: they show the first few, count in bulk, and render what they carry with Arrow.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from importlib import import_module
from typing import Any, TextIO

from ..findings import Findings
from .labels import check_lang

# format name → module that writes it; imported on first use.
MODULES = {"text": "text", "json": "json_format", "markdown": "markdown", "html": "html", "junit": "junit",
           "sarif": "sarif"}

# the period report's format name → module that writes the figures of `checker/period.py`.
PERIOD_MODULES = {"html": "period_html", "markdown": "period_markdown", "json": "period_json"}

Write = Callable[[dict, str, TextIO], None]


def writer(name: str, **options: Any) -> Write:
    """The format's writer, with its options (`max_results` for SARIF) bound."""
    module = import_module(f"{__name__}.{MODULES[name]}")

    def write(report: dict, lang: str, out: TextIO) -> None:
        module.write(columnar(report), check_lang(lang), out, **options)

    return write


def period_writer(name: str) -> Write:
    """The period report's writer of that format: `write(figures, lang, out)`."""
    module = import_module(f"{__name__}.{PERIOD_MODULES[name]}")

    def write(figures: dict, lang: str, out: TextIO) -> None:
        module.write(figures, check_lang(lang), out)

    return write


def render(name: str, report: dict, lang: str = "nl", **options: Any) -> str:
    """The whole report as text, for a test or a notebook; files and pipes get `writer`."""
    buffer = io.StringIO()
    writer(name, **options)(report, lang, buffer)
    return buffer.getvalue()


def columnar(report: dict) -> dict:
    """The report with every rule's findings as a table; the report itself is left as it was."""
    rules = [{**rule, "findings": Findings.of(rule["findings"])} if "findings" in rule else rule
             for rule in report.get("rules") or ()]
    return {**report, "rules": rules}
