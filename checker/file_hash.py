"""The SHA-256 of a file, as the report records it and `reglement verify` checks it."""

from __future__ import annotations

import hashlib
from pathlib import Path


def file_sha256(path: Path) -> str:
    """Hash of the file bytes, read in chunks by hashlib: exports run to gigabytes."""
    with Path(path).open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()
