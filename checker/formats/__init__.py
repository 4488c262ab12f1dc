"""Report renderers: one module per output format, each a pure function of the report dict."""

from __future__ import annotations

from importlib import import_module
from typing import Callable

# format name → module that renders it; imported on first use.
MODULES = {"text": "text", "json": "json_format", "markdown": "markdown", "html": "html", "junit": "junit",
           "sarif": "sarif"}


def renderer(name: str) -> Callable[[dict, str], str]:
    return import_module(f"{__name__}.{MODULES[name]}").render
