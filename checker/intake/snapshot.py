"""Every file audited as it was when the audit began, or no verdict.

A report names the SHA-256 of each file it audited, and its findings must come from those
very bytes. The engines read a file more than once (DuckDB reads a Parquet file in place,
once for each rule that needs it; a CSV file is copied in once, and hashed apart), so a
file replaced, appended to or rewritten while the audit runs could give a report whose hash
and findings describe different data. So each file is described (its device, inode, size,
modification and change times) before anything reads it, and again when the audit
confirms its verdict: after every rule ran, the keys' order was counted and the hash was
taken. A file whose description changed in between is refused (E717), and the audit gives
no verdict (`reglement check` exits 2, and its earlier reports stay as they were). The
change time is the kernel's to set, not a user's, so a file put back with its old
modification time is seen too; a file only touched is refused as well, since its bytes
cannot be known to be the same without reading them again.

Reading each file once into the engine, and hashing what was read, would also close the
gap, at the price of a copy of every Parquet file (gigabytes for a year's access log) that
DuckDB now reads in place; two `stat` calls a file cost nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .errors import DataError

Description = tuple[int, int, int, int, int]  # device, inode, size, modification and change time (ns)


def describe(path: Path) -> Description | None:
    """What changes when a file's content does; None for a file that is not there."""
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return None
    return found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns


@dataclass(frozen=True)
class Snapshot:
    """The files of an audit as they were before anything read them."""

    files: dict[Path, Description | None]

    @classmethod
    def of(cls, paths: Iterable[Path]) -> Snapshot:
        return cls({path: describe(path) for path in paths})

    def changed(self) -> list[DataError]:
        """E717 for each file that is no longer as it was."""
        out = []
        for path, before in self.files.items():
            now = describe(path)
            if now != before:
                what = "went away" if now is None else "was replaced" if now[:2] != before[:2] else "changed"
                out.append(DataError(str(path), "E717", f"{what} while it was audited: its hash and its findings "
                                                        "could describe different data, so no verdict is given",
                                     hint="audit a copy that nothing writes to, or audit again once the export "
                                          "is complete"))
        return out
