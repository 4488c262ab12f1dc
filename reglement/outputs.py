"""Where the report goes: standard output, one file, or several formats in one run.

`-o report.html` writes the `--format` to a file; `-o sarif=r.sarif -o html=r.html` writes
each named format to its file. The files go through the one writer (`files.py`): every
destination is checked before anything is written (a link, a folder, a FIFO, a device or
an input of the run is refused), every file and the signature of each JSON report
(`--sign`) are written complete under temporary names beside their destinations, and only
then renamed into place, as one transaction: the previous reports are left exactly as they
were unless every new one is in place.

On standard output the report is written for the terminal it goes to: where that cannot
encode every character (a Latin-1 locale, `PYTHONIOENCODING=latin-1`), JSON and SARIF are
written in ASCII with `\\uXXXX` escapes (what `ensure_ascii` makes: the same document, valid
JSON in any encoding), HTML and JUnit with character references (`&#8212;`), and text and
Markdown with Python's backslash escapes (`\\u2014`). A write that fails (a full disk, a
closed descriptor) is said as such: "cannot write to standard output: …".
"""

from __future__ import annotations

import codecs
import contextlib
import json
import os
import re
import sys
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from .compiler.diagnostics import UserError
from .files import Transaction

FORMATS = ("text", "json", "markdown", "html", "junit", "sarif")
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


def write_all(targets: list[tuple[Path, Callable[[TextIO], None]]], confirm: Callable[[], None] = lambda: None,
              inputs: Collection[Path] = (),
              signatures: Collection[tuple[Path, Path, Callable[[bytes], str]]] = ()) -> None:
    """Every file of `targets` (and, for each `(report, signature, sign)` of `signatures`, `sign` of the report's
    bytes as the file `signature`) written completely under a temporary name, `confirm` (which may raise), then
    all renamed into place; on any failure, none is replaced. Every destination is checked first: a link, a
    folder, a FIFO, a device or one of `inputs` is refused before anything is written."""
    with Transaction(inputs) as files:
        for path, _ in targets:
            files.check(path)
        for _, signature, _ in signatures:
            files.check(signature, "the signature")
        written = {path: files.write(path, write) for path, write in targets}
        for report, signature, sign in signatures:
            files.write(signature, sign(written[report].read_bytes()), "the signature")
        confirm()  # what it raises is not an output's failure: it goes up as it is
        files.commit()


def emit(targets: list[tuple[Output, Callable[[TextIO], None]]], confirm: Callable[[], None] = lambda: None,
         inputs: Collection[Path] = (), sign: tuple[Callable[[bytes], str], Callable[[Path], Path]] | None = None
         ) -> None:
    """Each output to its file (all or none), or to standard output; nothing shows before `confirm` returns
    (it may raise), so the files can be written while what it waits for still runs. `sign`: the signer and
    where the signature of a report goes; each JSON report written to a file gets one, in the same transaction."""
    files = [(o.path, write) for o, write in targets if o.path is not None]
    signed = [(o.path, sign[1](o.path), sign[0]) for o, _ in targets
              if sign is not None and o.format == "json" and o.path is not None]
    if files:
        write_all(files, confirm, inputs, signed)
    else:
        confirm()
    for output, write in targets:
        if output.path is None:
            out = StandardOutput(sys.stdout, output.format)
            write(out)
            out.flush()


# -- standard output ------------------------------------------------------------------------------
class StdoutError(UserError):
    """Standard output that cannot be written to (a full disk, a closed descriptor)."""


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _json_escaped(text: str) -> str:
    """Every character beyond ASCII as JSON's `\\uXXXX` (a pair of them beyond the BMP): in a JSON document
    they stand only inside strings, so this is `ensure_ascii=True`, done on the stream."""
    def escape(found: re.Match) -> str:
        code = ord(found[0])
        if code < 0x10000:
            return f"\\u{code:04x}"
        code -= 0x10000
        return f"\\u{0xd800 + (code >> 10):04x}\\u{0xdc00 + (code & 0x3ff):04x}"

    return _NON_ASCII.sub(escape, text)


def _markup_escaped(text: str) -> str:
    """Every character beyond ASCII as a character reference (the HTML has no script, its style sheet is ASCII)."""
    return text.encode("ascii", "xmlcharrefreplace").decode("ascii")


_ESCAPES = {"json": _json_escaped, "sarif": _json_escaped, "html": _markup_escaped, "junit": _markup_escaped}


def encodes_everything(stream: Any) -> bool:
    """Whether `stream` writes UTF-8 (what it cannot encode otherwise depends on the text)."""
    try:
        return codecs.lookup(getattr(stream, "encoding", None) or "utf-8").name == "utf-8"
    except LookupError:
        return False


class StandardOutput:
    """`stream` (standard output) as reglement writes to it: a character its encoding cannot hold is escaped, in
    the way of `fmt` (see the module's docstring), and a write that fails raises `StdoutError` (a full disk is not
    an internal error); after a closed pipe (the reader has seen enough) the rest goes nowhere (`discard`)."""

    def __init__(self, stream: Any, fmt: str = "text") -> None:
        self.stream = stream
        self.escape = None if encodes_everything(stream) else _ESCAPES.get(fmt)

    def write(self, text: str) -> int:
        if self.escape is not None and not text.isascii():
            text = self.escape(text)
        with _said_as_stdout(self.stream):
            try:
                return self.stream.write(text)
            except UnicodeEncodeError:  # the text is encoded before any of it is written: nothing went out yet
                encoding = self.stream.encoding
                return self.stream.write(text.encode(encoding, "backslashreplace").decode(encoding))
        return len(text)  # the reader has gone: the text went nowhere, as the rest will

    def flush(self) -> None:
        with _said_as_stdout(self.stream):
            self.stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


@contextlib.contextmanager
def _said_as_stdout(stream: Any) -> Iterator[None]:
    try:
        yield
    except BrokenPipeError:  # `reglement check … | head`: the reader has seen enough
        discard(stream)
    except OSError as err:
        raise StdoutError(f"reglement: cannot write to standard output: {err.strerror or err}") from None


def discard(stream: Any) -> None:
    """What is still written to `stream` (standard output, whose reader has gone) goes nowhere from now on:
    the command runs on and exits with its own status (1 for an audit with findings), with no traceback and
    nothing more written."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, stream.fileno())
    finally:
        os.close(devnull)


def json_text(value: object) -> str:
    """`value` as indented JSON for standard output: in ASCII (`\\uXXXX`) where it cannot take UTF-8."""
    return json.dumps(value, ensure_ascii=not encodes_everything(sys.stdout), indent=2)
