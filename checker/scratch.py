"""Scratch folders a run makes for an engine (DuckDB's spill files, the key-order count's
database), named so that a later run can tell those of runs that are gone, and remove them.

A run killed outright (SIGKILL, a lost machine) cannot clean up after itself. So a folder is
named `<kind>-<host>-<pid>-<random>`, and a run that makes one first removes the folders of
that kind in the same place that were made on this host by a process that is no longer
alive and that belong to the user who runs it. Nothing else is touched: not another kind,
not another host's (a shared temporary folder), not a folder whose process runs, not one
another user owns, nor a link.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import tempfile
from pathlib import Path

_HOST = re.sub(r"[^A-Za-z0-9]", "_", socket.gethostname())[:40] or "host"


def scratch_folder(kind: str, parent: Path | None = None) -> Path:
    """A new folder `kind-<host>-<pid>-…` in `parent` (default: the system's temporary folder), made after
    the folders of runs of this kind that are gone were removed from there."""
    parent = Path(parent) if parent is not None else Path(tempfile.gettempdir())
    sweep(kind, parent)
    return Path(tempfile.mkdtemp(prefix=f"{kind}-{_HOST}-{os.getpid()}-", dir=parent))


def sweep(kind: str, parent: Path) -> list[Path]:
    """Remove the folders of `kind` in `parent` left by this host's runs that are gone; those removed."""
    mine = re.compile(rf"^{re.escape(kind)}-{re.escape(_HOST)}-(\d+)-[^/]+$")
    removed = []
    for entry in parent.iterdir() if parent.is_dir() else ():
        found = mine.match(entry.name)
        if found and not _alive(int(found[1])) and _own_folder(entry):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process of that number
        return True
    return True


def _own_folder(entry: Path) -> bool:
    try:
        found = entry.lstat()
    except OSError:
        return False
    return not entry.is_symlink() and entry.is_dir() and found.st_uid == os.getuid()
