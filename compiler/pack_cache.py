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
`packs/` under `$REGLEMENT_CACHE_DIR`, else `$XDG_CACHE_HOME/reglement`, else
`~/.cache/reglement`; `REGLEMENT_CACHE_DIR=off` keeps none. The cache can make a run faster,
never different:

- The cache folder and `packs/` must belong to the user and be writable by nobody else
  (checked on the open folders, so a swap in between does not count; a link chosen as the
  cache folder is followed, one at `packs/` is refused), and so must every folder above
  them that this run creates (with mode 0700). Otherwise the cache is not used, and not
  repaired: the pack is compiled afresh and stderr says once a process why (a run that is
  slower for a reason the user can fix should say so).
- An entry, `packs/<key>.pickle`, is a format line, the SHA-256 of the rest of the file,
  the key it was compiled for, and the pickled pack. It is loaded only when it is a
  regular file (opened without following a link), belongs to the user, is writable by
  nobody else, names the key it is looked up by (an entry renamed onto another pack's name
  does not) and matches its SHA-256 (a changed byte, a half-written file); its pickle may
  then name only the classes of a compiled pack. Any other entry is removed, compiled
  afresh and said once on stderr.
- An entry is written to a new temporary file in `packs/` (mode 0600, never through a link)
  and renamed onto its name, never onto a link; temporaries that a killed writer left
  there are removed after an hour. A folder or entry that cannot be made, read or written
  only costs time: the pack is compiled, silently. Without uids or folder descriptors
  (Windows) nothing is kept.

The pack stays a pickle: a second serialiser for the model would have to be kept in step
with it. Everything above is checked before a byte of it is unpickled, so only the user
could have written it, and the unpickler admits no class but those of a compiled pack.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import io
import os
import pathlib
import pickle
import secrets
import stat
import sys
import time
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from ..datasets import schema_files
from .model import Pack

_LIBRARIES = ("lark", "pyyaml", "jsonschema", "reglement")
_CODE = (Path(__file__).parent, Path(__file__).parent.parent / "datasets")  # the compiler, the shipped contracts
_FORMAT = b"reglement-pack-cache 2\n"
_ENTRY = ".pickle"
_TEMPORARY = (".pack-", ".tmp")  # prefix and suffix of an entry being written
_STALE = 3600  # seconds after which a temporary is taken for one a killed writer left
_MODEL = ("reglement.compiler.model", "reglement.compiler.ir", "reglement.compiler.diagnostics", "reglement.datasets")
# the other classes a compiled pack holds, named as pickle names them (pathlib's module differs across versions)
_PLAIN = {(kind.__module__, kind.__qualname__) for kind in (
    pathlib.PurePath, pathlib.PurePosixPath, pathlib.PureWindowsPath, pathlib.Path, pathlib.PosixPath,
    pathlib.WindowsPath, dt.date, dt.datetime, dt.time, dt.timedelta, dt.timezone)}
_SUPPORTED = (hasattr(os, "geteuid") and {os.open, os.stat, os.mkdir, os.rename, os.unlink} <= os.supports_dir_fd
              and os.scandir in os.supports_fd)
_said: set[str] = set()  # what stderr was told in this process


def folder() -> Path | None:
    """Where entries go, or None when the cache is off."""
    chosen = os.environ.get("REGLEMENT_CACHE_DIR")
    if chosen is not None:
        return None if chosen.strip().lower() in ("", "off", "0", "no", "false") else Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "reglement"


def cached(pack_folder: Path, compile_: Callable[[], Pack]) -> Pack:
    """The pack of `pack_folder`: loaded when a trusted entry for these very inputs exists, else compiled
    (`compile_` raises on problems) and kept."""
    where = folder()
    if where is None or not _SUPPORTED:
        return compile_()
    packs = _open_packs(where)
    if packs is None:
        return compile_()
    try:
        key = _key(pack_folder)
        pack = _load(packs, where / "packs", key)
        if pack is None:
            pack = compile_()
            _store(packs, key, pack)
        return pack
    finally:
        os.close(packs)


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


# -- the folder ------------------------------------------------------------------------------
class _Refused(Exception):
    """A folder of the cache that someone else could write to."""


def _open_packs(root: Path) -> int | None:
    """The open folder `root/packs`, created where missing; None (said once on stderr) when it, `root` or a
    folder created on the way is not the user's own or is writable by others, and None when it cannot be
    made or opened."""
    try:
        _make(root)
        top = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)  # a link chosen as the cache is followed
        try:
            _trust(os.fstat(top), root)
            with contextlib.suppress(FileExistsError):
                os.mkdir("packs", 0o700, dir_fd=top)
            try:
                packs = os.open("packs", os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=top)
            except OSError as error:  # a link, or not a folder
                _trust(os.stat("packs", dir_fd=top, follow_symlinks=False), root / "packs")
                raise error
            try:
                _trust(os.fstat(packs), root / "packs")
            except _Refused:
                os.close(packs)
                raise
            return packs
        finally:
            os.close(top)
    except _Refused as refusal:
        _say(f"the pack cache is not used: {refusal}; each run compiles the pack afresh (make the folder yours "
             "and not writable by others, or choose another with REGLEMENT_CACHE_DIR, or `off`)")
        return None
    except OSError:
        return None


def _make(root: Path) -> None:
    """Create `root` and the folders above it that do not exist yet, each with mode 0700; each must then be the
    user's own and writable by nobody else (one that someone else made in the meantime is refused)."""
    missing = []
    for path in (root, *root.parents):
        if os.path.lexists(path):
            break
        missing.append(path)
    for path in reversed(missing):
        with contextlib.suppress(FileExistsError):
            os.mkdir(path, 0o700)
        _trust(os.lstat(path), path)


def _trust(status: os.stat_result, path: Path) -> None:
    """Refused unless `status` (not following a link) is a folder of the user's that nobody else may write to."""
    if stat.S_ISLNK(status.st_mode):
        raise _Refused(f"{path} is a link")
    if not stat.S_ISDIR(status.st_mode):
        raise _Refused(f"{path} is not a folder")
    if status.st_uid != os.geteuid():
        raise _Refused(f"{path} belongs to uid {status.st_uid}{_user(status.st_uid)}, not to uid "
                       f"{os.geteuid()}{_user(os.geteuid())}")
    if status.st_mode & 0o022:
        raise _Refused(f"{path} is writable by others (mode {stat.S_IMODE(status.st_mode):04o})")


def _user(uid: int) -> str:
    try:
        import pwd

        return f" ({pwd.getpwuid(uid).pw_name})"
    except (ImportError, KeyError):
        return ""


def _say(message: str) -> None:
    """Tell stderr, once a process, with control characters (of a path, of a pickle's names) escaped."""
    if message not in _said:
        _said.add(message)
        shown = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in message)
        print(f"reglement: {shown}", file=sys.stderr)


# -- an entry ------------------------------------------------------------------------------------
class _PackUnpickler(pickle.Unpickler):
    """Unpickles the classes of a compiled pack (dataclasses of the compiler and the contract, paths, dates)
    and nothing else: no function, no other class."""

    def find_class(self, module: str, name: str) -> object:
        if (module, name) in _PLAIN:
            return super().find_class(module, name)
        if module in _MODEL:
            found = super().find_class(module, name)
            if isinstance(found, type) and dataclasses.is_dataclass(found) and found.__qualname__ == name:
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a compiled pack")


def _load(packs: int, where: Path, key: str) -> Pack | None:
    """The pack of the entry for `key`, or None: when there is none, when the contract changed since (both
    silently), or when the entry cannot be trusted (removed, and said once)."""
    name = key + _ENTRY
    try:
        handle = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=packs)
    except FileNotFoundError:
        return None
    except OSError as error:  # a link (O_NOFOLLOW), or unreadable
        try:
            link = stat.S_ISLNK(os.stat(name, dir_fd=packs, follow_symlinks=False).st_mode)
        except OSError:
            link = False
        _discard(packs, where, name, None, "is a link" if link else f"cannot be opened ({error.strerror})")
        return None
    with os.fdopen(handle, "rb") as entry:
        status = os.fstat(handle)
        problem = _untrusted(status)
        if problem is None:
            data = entry.read()
            problem, payload = _verified(data, key)
    if problem is not None:
        _discard(packs, where, name, status, problem)
        return None
    try:
        contract, pack = _PackUnpickler(io.BytesIO(payload)).load()
        if not isinstance(pack, Pack):
            raise TypeError(type(pack).__name__)
    except Exception as error:
        _discard(packs, where, name, status, f"cannot be read ({type(error).__name__}: {error})")
        return None
    try:
        return pack if contract == _contract_digest(pack) else None
    except OSError:
        return None


def _untrusted(status: os.stat_result) -> str | None:
    if not stat.S_ISREG(status.st_mode):
        return "is not a file"
    if status.st_uid != os.geteuid():
        return f"belongs to uid {status.st_uid}{_user(status.st_uid)}"
    if status.st_mode & 0o022:
        return f"is writable by others (mode {stat.S_IMODE(status.st_mode):04o})"
    return None


def _verified(data: bytes, key: str) -> tuple[str | None, bytes]:
    """(None, the pickle) when `data` is an entry of this format, for `key`, that matches its SHA-256; else
    (what is wrong, b"")."""
    if not data.startswith(_FORMAT):
        return "is not an entry of this version", b""
    digest, _, body = data[len(_FORMAT):].partition(b"\n")
    if hashlib.sha256(body).hexdigest().encode() != digest:
        return "does not match its SHA-256 digest (changed, or written only in part)", b""
    named, _, payload = body.partition(b"\n")
    if named != key.encode():
        return "was compiled from other inputs than its name says (renamed?)", b""
    return None, payload


def _discard(packs: int, where: Path, name: str, status: os.stat_result | None, problem: str) -> None:
    """Remove an untrusted entry (a link itself, not what it points to), unless it was replaced meanwhile."""
    removed = False
    try:
        now = os.stat(name, dir_fd=packs, follow_symlinks=False)
        if status is None or (now.st_dev, now.st_ino) == (status.st_dev, status.st_ino):
            os.unlink(name, dir_fd=packs)
            removed = True
    except OSError:
        pass
    _say(f"a cached pack was not used: {where / name} {problem}; "
         f"{'it was removed and ' if removed else ''}the pack is compiled afresh")


def _store(packs: int, key: str, pack: Pack) -> None:
    """Write the entry whole or not at all: a new temporary file, then renamed onto the entry's name."""
    try:
        body = key.encode() + b"\n" + pickle.dumps((_contract_digest(pack), pack), protocol=pickle.HIGHEST_PROTOCOL)
        data = _FORMAT + hashlib.sha256(body).hexdigest().encode() + b"\n" + body
        with contextlib.suppress(OSError):
            _sweep(packs)
        temporary = secrets.token_hex(8).join(_TEMPORARY)
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600,
                         dir_fd=packs)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            name = key + _ENTRY
            try:
                if not stat.S_ISREG(os.stat(name, dir_fd=packs, follow_symlinks=False).st_mode):
                    raise FileExistsError(name)  # a link (or else) at the name: not replaced
            except FileNotFoundError:
                pass
            os.rename(temporary, name, src_dir_fd=packs, dst_dir_fd=packs)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary, dir_fd=packs)
            raise
    except Exception:
        return


def _sweep(packs: int) -> None:
    """Remove the temporaries that writers killed mid-way left (an hour old: not one being written now)."""
    old = time.time() - _STALE
    with os.scandir(packs) as entries:
        for entry in entries:
            if entry.name.startswith(_TEMPORARY[0]) and entry.name.endswith(_TEMPORARY[1]):
                try:
                    if entry.stat(follow_symlinks=False).st_mtime < old:
                        os.unlink(entry.name, dir_fd=packs)
                except OSError:
                    pass
