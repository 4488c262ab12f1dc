"""Every file reglement writes goes through this writer: whole or not at all, never through a link, never over an
input, and never a temporary file left that a later run does not recognise.

A `Transaction` holds the files of one run (the reports and their signature, a generated export, a new pack):

    with Transaction(inputs) as files:
        files.check(path)                      # each destination, before anything is written
        files.write(path, lambda out: ...)     # the complete file, under a temporary name beside it
        stream = files.open(other)             # or a binary stream, written in pieces (commit closes it)
        files.commit()                         # every file renamed into place, or none
    # a block left without commit removes its temporaries: no file was replaced

`write_file(path, data)` is a transaction of one file (the pack cache's entries, a `.sig`).

**What a destination may be.** A path that does not exist yet, or a regular file, which is replaced
whole and never written into. A symbolic link, a folder, a FIFO, a device or a socket is refused
(E806), and so is a file the run reads (E802): `check` says so before any file is written, and
`commit` looks again before each rename. The folder it is in must exist (it may be reached through
a link).

**Whole or not at all.** Each file is written to a temporary file in its destination's folder,
created new (`O_EXCL`, `O_NOFOLLOW`) with the mode a new file gets (`0o666` less the umask, or the
`mode` given), and synced. Only once every file of the transaction is complete are they renamed into
place, and the renames are a transaction too: before a file is replaced, the old one is kept aside
(a second hard link to it, or a copy where the file system has none); if a rename fails part-way,
the files already replaced are put back from there (the old file itself: the same bytes, the same
inode where it was linked) and the new ones removed, so that the folder holds what it held before.
Then the folders are synced.

**Temporaries of killed runs.** A temporary is named `.reglement-tmp-<host>-<pid>-<random>-<name>`:
the host's name (letters and digits, anything else as `_`, at most 40), the writing process's id,
eight random hex digits and the destination's name (cut to 100 bytes); the scratch folders of a
run are named the same way. A transaction that writes into a folder first removes the temporaries
there that a killed run left, and only those: a name of exactly that shape, of this host (a folder
shared over the network may hold a live writer of another machine), with the pid of no process
alive (nor of this one), and a regular file of the user who runs. A scratch folder of an engine's
(`scratch_folder`) is named so with `.reglement-scratch-` instead, and a run that makes one removes
the scratch folders of gone runs from its parent by the same rule. Anything
else stays: a user's `.report.json.bak`, the `.report.json.x1y2z3ab` temporaries of reglement
before this writer (they cannot be told from a user's file: remove them by hand), another user's
file, a link. The old file kept aside during the renames (`.reglement-old-…`) is never removed by a
later run: after a kill in the middle of the renames it may be the only copy of a previous report.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import re
import secrets
import shutil
import socket
import stat
import tempfile
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TextIO

TEMPORARY = ".reglement-tmp-"  # a file written, not yet in place
SCRATCH = ".reglement-scratch-"  # a folder of an engine's scratch files
ASIDE = ".reglement-old-"
_NAME_BYTES = 100
_OURS = re.compile(rf"^(?P<kind>{re.escape(TEMPORARY)}|{re.escape(SCRATCH)})(?P<host>[A-Za-z0-9_]{{1,40}})-"
                   rf"(?P<pid>[1-9][0-9]{{0,9}})-[0-9a-f]{{8}}-.")

Content = bytes | str | Callable[[TextIO], None]


class WriteError(Exception):
    """A file that cannot be written, or a destination the writer refuses: the command line says `render()` and
    exits 2, as for a `UserError` (this module imports nothing of reglement: the generator, which may not import
    the compiler or the checker, writes through it too)."""

    def render(self) -> str:
        return str(self)


class Refused(WriteError):
    """A destination that is not a regular file, or an input of the run."""


@functools.cache
def host() -> str:
    """This host's name as temporaries carry it: letters and digits, anything else as `_`, at most 40."""
    return re.sub(r"[^A-Za-z0-9]", "_", socket.gethostname())[:40] or "host"


def temporary_name(destination: str, pid: int | None = None, kind: str = TEMPORARY) -> str:
    """The name of a new temporary (or, with `ASIDE`, of an old file kept aside) for `destination`."""
    name = os.fsencode(destination)[:_NAME_BYTES].decode("utf-8", "ignore") or "file"
    return f"{kind}{host()}-{os.getpid() if pid is None else pid}-{secrets.token_hex(4)}-{name}"


def check_destination(path: Path, inputs: Collection[Path] = (), what: str = "the report") -> None:
    """Raise unless `path` may be written: a new file, or a regular file that is none of `inputs`."""
    _check(Path(path), frozenset(Path(p).resolve() for p in inputs), what)


def _check(path: Path, inputs: frozenset[Path], what: str) -> None:
    if inputs and path.resolve() in inputs:
        raise Refused(f"reglement: error E802: {path} is an input of this run; writing {what} there would "
                      "overwrite it (write elsewhere)")
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        found = None
    except OSError as err:
        raise failed(path, what, err) from None
    if found is not None and not stat.S_ISREG(found.st_mode):
        raise Refused(f"reglement: error E806: {path} is {_kind(found.st_mode)}: {what} is written only as a "
                      "regular file, put in place whole, never through a link or into a pipe or device (name a new "
                      "file, or remove what is there)")
    try:
        if not stat.S_ISDIR(os.stat(_folder(path)).st_mode):
            raise NotADirectoryError(20, os.strerror(20))
    except OSError as err:
        raise failed(path, what, err) from None


def _kind(mode: int) -> str:
    kinds = ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
             (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))
    return next((said for test, said in kinds if test(mode)), "not a regular file")


def failed(path: Path, what: str, err: OSError) -> WriteError:
    return WriteError(f"reglement: cannot write {what} to {path}: {err.strerror or err}")


def _folder(path: Path) -> Path:
    return Path(path).parent if str(Path(path).parent) else Path(".")


def sweep(folder: Path) -> list[Path]:
    """Remove the temporaries in `folder` that runs of this host left when they were killed (see the module's
    docstring for the rule); the paths removed."""
    if os.name != "posix":
        return []  # no cheap, harmless way to ask whether a process is alive: leave everything
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        found = _OURS.match(entry.name)
        if not found or found["host"] != host():
            continue
        pid = int(found["pid"])
        if pid == os.getpid() or _alive(pid):
            continue
        with contextlib.suppress(OSError):
            status = entry.stat(follow_symlinks=False)
            if status.st_uid != os.getuid():
                continue
            if found["kind"] == TEMPORARY and stat.S_ISREG(status.st_mode):
                os.unlink(entry.path)
            elif found["kind"] == SCRATCH and stat.S_ISDIR(status.st_mode):
                shutil.rmtree(entry.path)
            else:
                continue
            removed.append(Path(entry.path))
    return removed


def scratch_folder(kind: str, parent: Path | None = None) -> Path:
    """A new folder of this run's for an engine's scratch files (DuckDB's spill, the key count's database),
    named as a temporary is, in `parent` (default: the system's temporary folder), made after the leftovers
    of killed runs were swept from there; the caller removes it when done."""
    parent = Path(parent) if parent is not None else Path(tempfile.gettempdir())
    sweep(parent)
    folder = parent / temporary_name(kind, kind=SCRATCH)
    folder.mkdir(mode=0o700)
    return folder


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):  # another user's process (EPERM), or a number no process can have
        return True
    return True


@dataclass
class _File:
    path: Path
    what: str
    temporary: Path
    stream: BinaryIO
    finished: bool = False  # complete on disk
    aside: Path | None = None  # the old file, kept while the renames are under way
    placed: tuple[int, int] | None = None  # device and inode of the new file, once renamed into place


class Transaction:
    """The files of one run, renamed into place all together or not at all (see the module's docstring).

    `inputs`: the files the run reads (refused as destinations, E802). `mode`: of a new file, before the
    umask (the pack cache gives 0o600). `durable`: sync each file and its folder (on by default).
    """

    def __init__(self, inputs: Iterable[Path] = (), mode: int = 0o666, durable: bool = True) -> None:
        self.inputs = frozenset(Path(p).resolve() for p in inputs)
        self.mode, self.durable = mode, durable
        self.files: list[_File] = []
        self.swept: set[Path] = set()
        self.committed = False

    def __enter__(self) -> Transaction:
        return self

    def __exit__(self, *_exc: object) -> None:
        if not self.committed:
            self.abort()

    def check(self, path: Path, what: str = "the report") -> None:
        """Raise (E806, E802, or a folder that is not there) unless `path` may be written."""
        path = Path(path)
        if any(os.path.abspath(f.path) == os.path.abspath(path) for f in self.files):
            raise WriteError(f"reglement: {path} is written twice in one run")
        _check(path, self.inputs, what)

    def open(self, path: Path, what: str = "the report") -> BinaryIO:
        """A binary stream to the temporary file that will become `path`; `commit` closes it if the caller did not."""
        path = Path(path)
        self.check(path, what)
        folder = _folder(path)
        if folder not in self.swept:
            sweep(folder)
            self.swept.add(folder)
        try:
            handle, temporary = _create(folder, path.name, self.mode)
        except OSError as err:
            raise failed(path, what, err) from None
        stream = os.fdopen(handle, "wb")
        self.files.append(_File(path, what, temporary, stream))
        return stream

    def write(self, path: Path, content: Content, what: str = "the report") -> Path:
        """`path`'s complete content under its temporary name: bytes, text (UTF-8), or a function that writes text
        (UTF-8, newlines as written) to a stream. The temporary file's path, for what is made of its bytes (a
        signature)."""
        stream = self.open(path, what)
        entry = self.files[-1]
        try:
            if isinstance(content, bytes | str):
                stream.write(content.encode("utf-8") if isinstance(content, str) else content)
            else:
                text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
                content(text)
                text.flush()
                text.detach()
            self._finish(entry)
        except OSError as err:
            raise failed(path, what, err) from None
        return entry.temporary

    def commit(self) -> None:
        """Rename every file into place; when one cannot be, put back those already renamed and raise."""
        for entry in self.files:
            try:
                self._finish(entry)
            except OSError as err:
                raise failed(entry.path, entry.what, err) from None
        placed: list[_File] = []
        for entry in self.files:
            try:
                _check(entry.path, self.inputs, entry.what)  # it may have changed since it was checked
                entry.aside = _keep_aside(entry.path, self.mode)
                found = os.stat(entry.temporary)
                os.replace(entry.temporary, entry.path)
                entry.placed = (found.st_dev, found.st_ino)
                placed.append(entry)
            except (OSError, WriteError) as err:
                problem = err if isinstance(err, WriteError) else failed(entry.path, entry.what, err)
                _remove(entry.aside)
                entry.aside = None
                raise WriteError(problem.render() + _roll_back(placed)) from None
        self.committed = True
        for entry in placed:
            _remove(entry.aside)
        if self.durable:
            for folder in {_folder(e.path) for e in placed}:
                _sync_folder(folder)

    def abort(self) -> None:
        """Remove every temporary; nothing is replaced."""
        for entry in self.files:
            with contextlib.suppress(OSError):
                entry.stream.close()
            _remove(entry.temporary)
        self.files = []

    def _finish(self, entry: _File) -> None:
        """The temporary complete on disk: flushed, synced, closed."""
        if entry.finished:
            return
        if not entry.stream.closed:
            entry.stream.flush()
            if self.durable:
                os.fsync(entry.stream.fileno())
            entry.stream.close()
        elif self.durable:  # closed by its writer (a Parquet writer closes its file): synced by path
            handle = os.open(entry.temporary, os.O_RDONLY | os.O_NOFOLLOW)
            try:
                os.fsync(handle)
            finally:
                os.close(handle)
        entry.finished = True


def write_file(path: Path, data: bytes | str, *, what: str = "the file", inputs: Iterable[Path] = (),
               mode: int = 0o666, durable: bool = True) -> None:
    """`data` as the whole of `path`, or nothing (a transaction of one file). Raises `WriteError` (a `UserError`);
    `Refused` for a destination that is a link, a folder, a FIFO, a device, a socket or one of `inputs`."""
    with Transaction(inputs, mode, durable) as files:
        files.write(path, data, what)
        files.commit()


def _create(folder: Path, name: str, mode: int, kind: str = TEMPORARY) -> tuple[int, Path]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        candidate = folder / temporary_name(name, kind=kind)
        try:
            return os.open(candidate, flags, mode), candidate
        except FileExistsError:
            continue
    raise FileExistsError(17, "no free temporary name", str(folder))


def _keep_aside(path: Path, mode: int) -> Path | None:
    """The file at `path` under a second name beside it (a hard link, else a copy), or None when there is none."""
    try:
        os.lstat(path)
    except FileNotFoundError:
        return None
    folder = _folder(path)
    for _ in range(100):
        aside = folder / temporary_name(path.name, kind=ASIDE)
        try:
            os.link(path, aside, follow_symlinks=False)
            return aside
        except FileExistsError:
            continue
        except OSError:  # no hard links here (or not allowed): a copy, with the old file's times and mode
            handle, aside = _create(folder, path.name, mode, ASIDE)
            try:
                with open(path, "rb") as old, os.fdopen(handle, "wb") as copy:
                    shutil.copyfileobj(old, copy)
                shutil.copystat(path, aside)
            except BaseException:
                _remove(aside)
                raise
            return aside
    raise FileExistsError(17, "no free name to keep the old file aside", str(folder))


def _roll_back(placed: list[_File]) -> str:
    """Put back what the renames replaced, newest first; what could not be is said (the text to append)."""
    said = []
    for entry in reversed(placed):
        try:
            if entry.aside is not None:
                os.replace(entry.aside, entry.path)
                entry.aside = None
            else:
                now = os.lstat(entry.path)
                if (now.st_dev, now.st_ino) == entry.placed:
                    os.unlink(entry.path)
        except OSError as err:
            kept = f"; the previous file is {entry.aside}" if entry.aside else ""
            said.append(f"{entry.path} could not be put back ({err.strerror}){kept}")
    if said:
        return "; and " + "; ".join(said)
    back = ", ".join(str(e.path) for e in placed)
    return f"; nothing was replaced ({back} put back as {'it was' if len(placed) == 1 else 'they were'})" \
        if placed else "; nothing was replaced"


def _remove(path: Path | None) -> None:
    if path is not None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system syncs a folder
        handle = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(handle)
        finally:
            os.close(handle)
