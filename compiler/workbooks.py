"""Opening an XLSX workbook: a dataset exported as a spreadsheet, and the worklist a privacy officer brings back.

openpyxl meets a damaged file by raising whatever its XML reading ran into (IndexError, TypeError,
KeyError, a zip error…), not one exception of its own, and warns on stderr of what it mends. Here a
workbook that cannot be opened is None, whatever was raised, and openpyxl's warnings stay quiet: the
caller says which file is not a readable workbook, never "internal error".
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any


def open_workbook(path: Path) -> Any | None:
    """The workbook at `path`, read-only and with cached values for formulas; None when it cannot be read."""
    import openpyxl  # only a spreadsheet needs it: never at start-up

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # any failure of openpyxl's parsing means: not a readable workbook
        return None
