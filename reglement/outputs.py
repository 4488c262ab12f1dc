"""Where the report goes: standard output, one file, or several formats in one run.

`-o report.html` writes the `--format` to a file; `-o sarif=r.sarif -o html=r.html` writes
each named format to its file. Every file is written to a temporary file beside it and
renamed into place only when all of them are complete: a run leaves every report whole,
or none of them (and never a temporary file behind).
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO, TypeVar

from .compiler.diagnostics import UserError

FORMATS = ("text", "json", "markdown", "html", "junit", "sarif")
T = TypeVar("T")
_NAMED = re.compile(rf"^({'|'.join(FORMATS)})=(.+)$")


class OutputError(UserError):
    """An output that cannot be written, or `-o` values that do not say which format goes where."""


@dataclass(frozen=True)
class Output:
    format: str
    path: Path | None  # None: standard output


def outputs(given: list[str], fmt: str) -> list[Output]:
    """The outputs `-o`/`--output` ask for; standard output in `fmt` when none."""
    if not given:
        return [Output(fmt, None)]
    found = []
    for value in given:
        named = _NAMED.match(value)
        found.append(Output(named[1], Path(named[2])) if named else Output(fmt, Path(value)))
    plain = [str(o.path) for o, value in zip(found, given) if not _NAMED.match(value)]
    if len(plain) > 1:
        raise OutputError(f"reglement: {len(plain)} outputs without a format ({', '.join(plain)}): "
                          "write -o FORMAT=FILE for each, e.g. -o sarif=r.sarif -o html=r.html")
    paths = [o.path for o in found]
    if len(set(paths)) < len(paths):
        raise OutputError("reglement: two outputs name the same file")
    return found


def write_all(targets: list[tuple[Path, Callable[[TextIO], None]]], confirm: Callable[[], None]) -> None:
    """Write every file completely, `confirm` (which may raise), then rename them all into place; on any
    failure, none is replaced."""
    written: list[tuple[str, Path]] = []
    try:
        for path, write in targets:
            written.append((_as_output(path, functools.partial(_temporary, path, write)), path))
        confirm()  # what it raises is not an output's failure: it goes up as it is
        for tmp, path in written:
            _as_output(path, functools.partial(os.replace, tmp, path))
    finally:
        for tmp, _ in written:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)


def _as_output(path: Path, action: Callable[[], T]) -> T:
    """`action`, an OSError of which is said as the report that cannot be written to `path`."""
    try:
        return action()
    except OSError as err:
        raise OutputError(f"reglement: cannot write the report to {path}: {err.strerror}") from None


def _temporary(path: Path, write: Callable[[TextIO], None]) -> str:
    """The complete file under a temporary name beside `path`, written in a stream."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent if str(path.parent) else ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a report is an ordinary file
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return tmp


def emit(targets: list[tuple[Output, Callable[[TextIO], None]]], confirm: Callable[[], None]) -> None:
    """Each output to its file (all or none), or to standard output; nothing shows before `confirm` returns
    (it may raise), so the files can be written while what it waits for still runs."""
    files = [(o.path, write) for o, write in targets if o.path is not None]
    if files:
        write_all(files, confirm)
    else:
        confirm()
    for output, write in targets:
        if output.path is None:
            write(sys.stdout)
