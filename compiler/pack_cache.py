"""The compiled pack, kept between runs, as Python keeps compiled modules in `__pycache__`.

Compiling the Westendorp pack (YAML, JSON Schemas, the Lark grammar, 43 rules), and
importing jsonschema and Lark for it, is the largest part of a check's start-up. A run
whose inputs are the same bytes loads the pack that an earlier run compiled instead. The
entry is named by a SHA-256 of everything the compilation reads: the compiler's and the
contract module's own files, the versions of Python and of the libraries it uses, the
working folder (locations are shown relative to it), the pack folder's path and every
file in it; the contract the pack names is hashed again on load, as it may live outside
the pack. Any change compiles afresh, and a pack
with problems is never kept, so its diagnostics are shown every time.

Only the pack is kept, never the configuration, which may name databases. Entries go to
`$REGLEMENT_CACHE_DIR`, else `$XDG_CACHE_HOME/reglement`, else `~/.cache/reglement`;
`REGLEMENT_CACHE_DIR=off` keeps none. An entry is loaded only when it belongs to the
user and nobody else may write it (it is a pickle); one that cannot be read or written
is passed by, so the cache can make a run faster but never different.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from ..datasets import schema_files
from .model import Pack

_LIBRARIES = ("lark", "pyyaml", "jsonschema", "reglement")
_CODE = (Path(__file__).parent, Path(__file__).parent.parent / "datasets")  # the compiler, the shipped contracts
_FORMAT = b"reglement-pack-cache 1\n"


def folder() -> Path | None:
    """Where entries go, or None when the cache is off."""
    chosen = os.environ.get("REGLEMENT_CACHE_DIR")
    if chosen is not None:
        return None if chosen.strip().lower() in ("", "off", "0", "no", "false") else Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "reglement"


def cached(pack_folder: Path, compile_: Callable[[], Pack]) -> Pack:
    """The pack of `pack_folder`: loaded when an entry for these very inputs exists, else compiled
    (`compile_` raises on problems) and kept."""
    where = folder()
    if where is None:
        return compile_()
    entry = where / "packs" / f"{_key(pack_folder)}.pickle"
    pack = _load(entry)
    if pack is not None:
        return pack
    pack = compile_()
    _store(entry, pack)
    return pack


def _key(pack_folder: Path) -> str:
    digest = hashlib.sha256(_FORMAT)
    digest.update(f"{sys.version}\n{Path.cwd()}\n{Path(pack_folder).resolve()}\n".encode())
    for name in _LIBRARIES:
        digest.update(f"{name} {_version(name)}\n".encode())
    for base in _CODE:
        _files(digest, base, _under(base, ("*.py", "*.lark", "*.json")))
    _files(digest, Path(pack_folder), _under(Path(pack_folder), ("*",)))
    return digest.hexdigest()


def _version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "-"


def _under(base: Path, patterns: tuple[str, ...]) -> list[Path]:
    return sorted({p for pattern in patterns for p in base.rglob(pattern) if p.is_file()
                   and "__pycache__" not in p.parts})


def _files(digest: hashlib._Hash, base: Path, paths: list[Path]) -> None:
    """Each file's path under `base` and its bytes, in path order (a file added or removed counts too)."""
    for path in paths:
        data = path.read_bytes()
        digest.update(f"{path.relative_to(base)}\0{len(data)}\0".encode())
        digest.update(data)


def _contract_digest(pack: Pack) -> str:
    """The schema files of the contract the pack was compiled with, as they are now."""
    digest = hashlib.sha256()
    _files(digest, Path(pack.contract.folder), schema_files(pack.contract.folder))
    return digest.hexdigest()


def _load(entry: Path) -> Pack | None:
    try:
        status = entry.stat()
        if status.st_uid != os.getuid() or status.st_mode & 0o022:
            return None  # someone else could have written it
        data = entry.read_bytes()
        if not data.startswith(_FORMAT):
            return None
        contract, pack = pickle.loads(data[len(_FORMAT):])
        return pack if isinstance(pack, Pack) and contract == _contract_digest(pack) else None
    except Exception:
        return None


def _store(entry: Path, pack: Pack) -> None:
    """Write the entry whole or not at all (a temporary file, then renamed)."""
    try:
        entry.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        payload = _FORMAT + pickle.dumps((_contract_digest(pack), pack), protocol=pickle.HIGHEST_PROTOCOL)
        handle, temporary = tempfile.mkstemp(dir=entry.parent, prefix=".pack-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(payload)
            os.replace(temporary, entry)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except Exception:
        return
