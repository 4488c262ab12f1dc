"""The optional parts of reglement, each an extra of the package (`pyproject.toml`): `spark` for
`--engine spark`, `postgres` for datasets in a PostgreSQL database, `sign` for signed reports.

A lean install (`pip install reglement`) audits files with DuckDB or pandas; asking for an
optional part without its extra says which extra to install, never an internal error.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from .compiler.diagnostics import UserError


class MissingExtra(UserError):
    """An optional part asked for whose extra is not installed: exit 2, naming the extra."""

    def render(self) -> str:
        return f"reglement: {self}"


def require(module: str, extra: str, what: str) -> ModuleType:
    """`module`, imported; MissingExtra when it cannot be (its extra is not installed)."""
    try:
        return import_module(module)
    except ImportError:
        raise MissingExtra(f"{what} needs reglement's {extra} extra, which is not installed: "
                           f"pip install 'reglement[{extra}]'") from None
