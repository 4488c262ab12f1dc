"""Where a SARIF result points: relative URIs with a `uriBaseId`, never a machine's absolute path.

GitHub code scanning refuses absolute `file:` URIs in results unless it can tell the
checkout path, and shows a result at its file and line in the repository. A rule file or
export inside the working directory (the checkout, in CI) is given relative to it, as
`%SRCROOT%`; one outside it (the pack shipped in a wheel, an export elsewhere) relative
to a base of its own (`PACKROOT`, `EXPORTROOT`), whose absolute URI only
`run.originalUriBaseIds` holds.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

SRCROOT = "%SRCROOT%"


def path_uri(path: str) -> str:
    """A file path as a URI reference: relative paths stay relative, absolute ones become file URIs."""
    posix = str(path).replace("\\", "/")
    if re.match(r"^[A-Za-z]:/", posix):
        return "file:///" + quote(posix, safe="/:")
    if posix.startswith("/"):
        return "file://" + quote(posix, safe="/")
    return quote(posix, safe="/")


def _folder_uri(folder: str) -> str:
    uri = path_uri(folder)
    return uri if uri.endswith("/") else uri + "/"


class Places:
    """The base ids of one SARIF run, and the artifact location of each path under them."""

    def __init__(self, rule_files: Iterable[str], data_files: Iterable[str], cwd: Path | None = None) -> None:
        self.cwd = str(cwd or Path.cwd())
        self.bases: dict[str, str] = {SRCROOT: self.cwd}
        for name, paths in (("PACKROOT", rule_files), ("EXPORTROOT", data_files)):
            outside = [str(Path(p).parent) for p in paths if self._outside(p)]
            if outside:
                self.bases[name] = os.path.commonpath(outside)

    def _outside(self, path: str) -> bool:
        return os.path.isabs(path) and not _under(path, self.cwd)

    def location(self, path: str) -> dict[str, Any]:
        """`{"uri": "rules/westendorp/art-05.yaml", "uriBaseId": "%SRCROOT%"}` and the like."""
        if not os.path.isabs(path):
            return {"uri": path_uri(PurePosixPath(*Path(path).parts).as_posix()), "uriBaseId": SRCROOT}
        for name, folder in sorted(self.bases.items(), key=lambda item: item[0] != SRCROOT):
            if _under(path, folder):
                return {"uri": path_uri(Path(path).relative_to(folder).as_posix()), "uriBaseId": name}
        return {"uri": path_uri(path)}  # a path the run did not name up front

    def original(self) -> dict[str, Any]:
        """`run.originalUriBaseIds`: where each base is on the machine that wrote the log."""
        return {name: {"uri": _folder_uri(folder)} for name, folder in self.bases.items()}


def _under(path: str, folder: str) -> bool:
    try:
        Path(path).relative_to(folder)
        return True
    except ValueError:
        return False
