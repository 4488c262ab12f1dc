"""Report renderers: one module per output format, each a pure function of the report dict."""

from __future__ import annotations

from importlib import import_module
from typing import Callable, TextIO

# format name → module that renders it; imported on first use.
MODULES = {"text": "text", "json": "json_format", "markdown": "markdown", "html": "html", "junit": "junit",
           "sarif": "sarif"}


def renderer(name: str) -> Callable[[dict, str], str]:
    return import_module(f"{__name__}.{MODULES[name]}").render


def writer(name: str) -> Callable[[dict, str, TextIO], None]:
    """The format's streaming writer; a format that builds its text whole is written at once."""
    module = import_module(f"{__name__}.{MODULES[name]}")
    if hasattr(module, "write"):
        return module.write
    return lambda report, lang, out: out.write(module.render(report, lang))
