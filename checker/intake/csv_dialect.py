"""How a CSV file is written, as offices export them: separator, encoding, byte order mark, line ends.

Dutch Excel and LibreOffice on a Dutch locale save `;`-separated Windows-1252 with CRLF,
with or without a BOM; other tools write `,`-separated UTF-8. The dialect is read from
the file's first mebibyte (the header line decides the separator, the bytes the
encoding), unless `--csv-separator` / `--encoding` say it. What was detected goes into
the report's data section. A file that is not UTF-8 is decoded once, in a stream, into
a temporary UTF-8 copy for DuckDB's reader; the export itself is only ever read.

The encoding, when neither a byte order mark nor `--encoding` gives it, follows from the
first mebibyte's bytes:

- all of them valid UTF-8: UTF-8;
- no valid UTF-8 sequence of more than one byte, and bytes that are not UTF-8 (Excel on
  Windows writes `ë` as the one byte 0xEB): Windows-1252;
- both, valid multi-byte sequences (`ë` as 0xC3 0xAB) and bytes that are not UTF-8: no
  guess. Read as Windows-1252, every `ë` of the file would silently become `Ã«`; read as
  UTF-8, the bad byte would be lost. It is a UTF-8 file with a damaged byte, or one whose
  lines were saved in two encodings, and it is refused (`NotUtf8`, error E710 at the line
  and byte column of the first bad byte), saying to repair the byte, or to pass
  `--encoding windows-1252` if the whole file really is Windows-1252.

A byte that is not UTF-8 after the first mebibyte of a file read as UTF-8 is found by the
reader (DuckDB refuses the line; Spark would read U+FFFD, which its store checks for) and
placed by `first_bad_byte`.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

SEPARATORS = (",", ";", "\t", "|")
SAMPLE = 1 << 20
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


@dataclass(frozen=True)
class CsvOptions:
    """What the user said about the CSV files (`--csv-separator`, `--encoding`); None: detect it."""

    separator: str | None = None
    encoding: str | None = None


NO_CSV_OPTIONS = CsvOptions()  # the user said nothing: every CSV file's separator and encoding are detected

@dataclass(frozen=True)
class Dialect:
    separator: str
    encoding: str  # a Python codec name: utf-8, windows-1252, utf-16
    bom: bool
    crlf: bool
    detected: tuple[str, ...]  # which of separator and encoding were detected rather than given

    def describe(self) -> dict[str, object]:
        """The dialect as the report's data section shows it."""
        return {"separator": self.separator, "encoding": self.encoding, "bom": self.bom,
                "line_endings": "CRLF" if self.crlf else "LF", "detected": list(self.detected)}

    def words(self) -> str:
        """`semicolon-separated windows-1252`, for a message."""
        return f"{_NAMES.get(self.separator, repr(self.separator))}-separated {self.encoding}"


def open_bytes(path: Path) -> IO[bytes]:
    """The file's bytes, decompressed when it is gzipped, as DuckDB reads it."""
    return gzip.open(path, "rb") if path.name.lower().endswith(".gz") else path.open("rb")


def sniff(path: Path, given: CsvOptions) -> Dialect:
    """The file's dialect: what `given` says, the rest read from its first bytes."""
    with open_bytes(path) as stream:
        head = stream.read(SAMPLE)
    bom = next((name for mark, name in _BOMS if head.startswith(mark)), None)
    encoding = given.encoding or bom or ("utf-8" if _is_utf8(head) else _not_utf8(path, head))
    text = head.decode(encoding, errors="replace").lstrip("\ufeff")
    header = text.splitlines()[0] if text else ""
    separator = given.separator or _separator(header)
    detected = tuple(name for name, value in (("separator", given.separator), ("encoding", given.encoding))
                     if value is None)
    return Dialect(separator, codecs.lookup(encoding).name.replace("cp1252", "windows-1252"), bom is not None,
                   "\r\n" in text, detected)


def _is_utf8(head: bytes) -> bool:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) < SAMPLE)
        return True
    except UnicodeDecodeError:
        return False


class NotUtf8(ValueError):
    """A file that is UTF-8 but for some bytes (see the module): where the first of them is."""

    def __init__(self, line: int, column: int, valid: int, invalid: int) -> None:
        super().__init__(f"line {line}, byte {column}: not UTF-8")
        self.line, self.column = line, column  # 1-based; the column counts bytes from the line's start
        self.valid, self.invalid = valid, invalid  # in the first mebibyte: multi-byte characters, bad bytes


_BAD_BYTE = re.compile("[\udc80-\udcff]")  # a byte that is not UTF-8, as `surrogateescape` decodes it
_MULTI_BYTE = re.compile("[^\x00-\x7f\udc80-\udcff]")


def _not_utf8(path: Path, head: bytes) -> str:
    """Windows-1252 for bytes with no valid multi-byte UTF-8 sequence among them; NotUtf8 for UTF-8
    with bytes that are not (see the module)."""
    text = codecs.getincrementaldecoder("utf-8")("surrogateescape").decode(head, final=len(head) < SAMPLE)
    valid, invalid = len(_MULTI_BYTE.findall(text)), len(_BAD_BYTE.findall(text))
    if not valid:
        return "windows-1252"
    line, column = first_bad_byte(path) or (1, 1)
    raise NotUtf8(line, column, valid, invalid)


def first_bad_byte(path: Path) -> tuple[int, int] | None:
    """The line and byte column (both from 1) of the first byte of the file that is not UTF-8; None when
    every byte is. Read in a stream; for an error message, so only when a byte was found wrong."""
    newlines, line_start, base, carry = 0, 0, 0, b""
    with open_bytes(path) as stream:
        while True:
            chunk = stream.read(SAMPLE)
            data = carry + chunk
            try:
                _, used = codecs.utf_8_decode(data, "strict", not chunk)
            except UnicodeDecodeError as err:
                before = data[:err.start]
                last = before.rfind(b"\n")
                start = base + last + 1 if last >= 0 else line_start
                return newlines + before.count(b"\n") + 1, base + err.start - start + 1
            done = data[:used]
            newlines += done.count(b"\n")
            if b"\n" in done:
                line_start = base + done.rfind(b"\n") + 1
            base, carry = base + used, data[used:]
            if not chunk:
                return None


def _separator(header: str) -> str:
    """The separator that splits the header line into the most fields; a comma when none splits it."""
    fields = {sep: len(next(csv.reader([header], delimiter=sep), [])) for sep in SEPARATORS}
    best = max(SEPARATORS, key=lambda sep: fields[sep])  # ties go to the earlier, the comma first
    return best if fields[best] > 1 else ","


def header(path: Path, dialect: Dialect) -> list[str]:
    """The column names of the header line, read in the file's dialect."""
    with open_bytes(path) as raw:
        text = io.TextIOWrapper(raw, encoding=dialect.encoding, errors="replace", newline="")
        return [name.lstrip("\ufeff") for name in next(csv.reader(text, delimiter=dialect.separator), [])]


def file_lines(path: Path, offsets: list[int]) -> dict[int, int]:
    """The 1-based line of the file at each byte offset (of the decompressed bytes), counted in one
    pass; for an error message, so only ever read when the reader found something wrong."""
    wanted = sorted(set(offsets))
    lines: dict[int, int] = {}
    newlines, start = 0, 0
    with open_bytes(path) as stream:
        for chunk in iter(lambda: stream.read(SAMPLE), b""):
            while wanted and wanted[0] < start + len(chunk):
                lines[wanted[0]] = newlines + chunk.count(b"\n", 0, wanted[0] - start) + 1
                wanted.pop(0)
            newlines += chunk.count(b"\n")
            start += len(chunk)
    return lines | dict.fromkeys(wanted, newlines + 1)  # at the end of the file: its last line


def record_lines(path: Path, dialect: Dialect, records: list[int]) -> dict[int, int]:
    """The file line each data record (1: the first after the header) starts on, read in one pass
    with Python's reader; for an engine that knows a broken record only by its number (Spark)."""
    wanted, lines = set(records), {}
    end: int | None = 0
    with open_bytes(path) as raw:
        reader = csv.reader(io.TextIOWrapper(raw, encoding=dialect.encoding, errors="replace", newline=""),
                            delimiter=dialect.separator)
        for record in range(max(wanted, default=0) + 1):  # record 0 is the header
            start = end + 1
            try:
                next(reader)
                end = reader.line_num
            except StopIteration:
                break
            except csv.Error:  # a record Python cannot read either: where it starts is known, not where it ends
                end = None
            if record in wanted:
                lines[record] = start
            if end is None:
                break
    return lines


def utf8_copy(path: Path, dialect: Dialect) -> Path:
    """A temporary UTF-8 copy of a file in another encoding, decoded in a stream; the caller removes it.

    Raises UnicodeDecodeError when the file is not in that encoding after all."""
    fd, tmp = tempfile.mkstemp(prefix="reglement-csv-", suffix=".csv")
    try:
        with open_bytes(path) as raw, os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            text = io.TextIOWrapper(raw, encoding=dialect.encoding, errors="strict", newline="")
            out.write(text.read(SAMPLE).lstrip("\ufeff"))
            for chunk in iter(lambda: text.read(SAMPLE), ""):
                out.write(chunk)
    except BaseException:
        os.unlink(tmp)
        raise
    return Path(tmp)
