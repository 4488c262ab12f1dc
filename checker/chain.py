"""A chain of reports: each names its predecessor by hash, and `reglement verify` checks the links.

An office audits every month; an auditor looks back over a year. Each report written
with `--previous LAST.json` records the sha256 and audit date of the report before it;
the first report of a chain says that it is the first. `verify` reads a set of reports,
puts them in order of audit date, and checks every link: the schema, the recorded hash
of the predecessor against that file's bytes, dates that never go back, one successor
to each report (two are a fork), the chain's start, the export files (where they are
still there) against the hashes the report recorded, with a public key each report's
detached ed25519 signature (`<report>.sig`) and, with `--head`, that the chain ends at
the report whose hash was kept outside the folder.

What the chain proves, and what it does not: a chain of hashes proves the order of the
reports and that none before the last was changed; it cannot tell that reports were
removed from its end, or that the whole folder was replaced by another chain. Only an
anchor outside the folder can: the head's sha256, kept where the folder's owner cannot
change it. A signature proves who wrote a report (whoever holds the private key).

A folder of reports is read as evidence, which anyone may have put things into: only
regular files are opened (a FIFO, a device or a folder named `*.json` is passed over,
and said), a link out of the folder is not followed, a file is read once with its bytes
hashed, parsed and signature-checked as read, and whatever a file holds that is not a
report is said about that file.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..compiler.diagnostics import UserError
from ..files import write_file
from .report import REPORT_SCHEMA
from .report_version import problems as report_problems
from .report_version import refusal, version

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

MAX_REPORT_BYTES = 1 << 30  # larger is not read as a report: parsed, it would take many times that in memory
_MAX_KEY_BYTES = 1 << 16
_MAX_SIGNATURE_BYTES = 1 << 12


class ChainError(UserError):
    """A predecessor or key that cannot be read."""


# -- reading only regular files ------------------------------------------------------------------
class NotRegular(Exception):
    """A path that is not a regular file (a FIFO, a device, a folder, a socket): never opened."""


class TooLarge(Exception):
    """A regular file larger than the caller reads."""


_KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISDIR, "a folder"), (stat.S_ISSOCK, "a socket"))


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def regular_bytes(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes, read once.

    Anything else is never opened (opening a FIFO waits for a writer; reading /dev/zero never ends):
    the path is looked at first, then opened without waiting, and what was opened is looked at again,
    so that a file swapped for a FIFO in between is not read either. Raises `NotRegular`, `TooLarge`
    or `OSError`.
    """
    before = os.stat(path)
    if not stat.S_ISREG(before.st_mode):
        raise NotRegular(_kind(before.st_mode))
    if before.st_size > limit:
        raise TooLarge(before.st_size)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        now = os.fstat(fd)
        if not stat.S_ISREG(now.st_mode) or (now.st_dev, now.st_ino) != (before.st_dev, before.st_ino):
            raise NotRegular(f"{_kind(now.st_mode) if not stat.S_ISREG(now.st_mode) else 'a file'} "
                             "put in its place while it was looked at")
        chunks, size = [], 0
        while chunk := os.read(fd, min(1 << 20, limit + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise TooLarge(size)
        return b"".join(chunks)
    finally:
        os.close(fd)


# -- the previous report of `check --previous` ----------------------------------------------------
def read_previous(previous: Path, public_key: Path | None = None) -> tuple[dict, dict]:
    """The previous report of the chain, as written (`--previous`), and what the new report records of
    it (its sha256 and audit date); it must be a reglement JSON report.

    It is taken as the chain's last link: its findings are carried into the next report where
    nothing they rest on changed (`incremental.py`). With `public_key` its signature `<previous>.sig`
    must hold first. Its bytes are read once: those hashed are those whose findings are carried.
    """
    key = load_public_key(public_key) if public_key is not None else None
    try:
        data = regular_bytes(previous, MAX_REPORT_BYTES)
    except NotRegular as why:
        raise ChainError(f"{previous}: error E804: not a reglement JSON report ({why}: not opened)") from None
    except (OSError, TooLarge):
        data = b""
    report, _ = _decode(data)  # not checked against the schema: verify does that, and a check does not wait for it
    if not isinstance(report, dict) or not isinstance(report.get("as_of"), str) or version(report) is None:
        raise ChainError(f"{previous}: error E804: not a reglement JSON report; a chain needs the previous report "
                         "as written") from None
    if refused := refusal(report):
        raise ChainError(f"{previous}: {refused}")
    if key is not None and (unsigned := _signed(Path(previous), data, key)):
        raise ChainError(f"{previous}: error E807: {unsigned}: a report whose signature does not hold is not taken "
                         "as the chain's last link, and nothing was audited (reglement verify --public-key says "
                         "more of the chain)")
    return report, {"previous": {"path": str(previous), "sha256": hashlib.sha256(data).hexdigest(),
                                 "as_of": report["as_of"]}}


# -- keys and signatures -------------------------------------------------------------------------
_REMEDY = "openssl genpkey -algorithm ed25519 -out key.pem; openssl pkey -in key.pem -pubout -out key.pub"


# -- signing -----------------------------------------------------------------------------------
def signature_path(report: Path) -> Path:
    """Where the signature of `report` goes: `<report>.sig`."""
    return Path(f"{report}.sig")


def signer(key: Path) -> Callable[[bytes], str]:
    """The ed25519 private key in `key` (PEM), as what makes the text of a `.sig` from a report's bytes: its base64
    signature and a newline. Read when the run starts, so that a key that cannot be used stops it before the audit."""
    try:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from cryptography.hazmat.primitives.serialization import load_pem_private_key
    except ImportError:
        raise ChainError(f"{key}: error E805: signing needs the cryptography package "
                         "(pip install 'reglement[sign]')") from None

    try:
        private = load_pem_private_key(_read_key(key), password=None)
    except (ValueError, TypeError):
        private = None
    if not isinstance(private, Ed25519PrivateKey):
        raise ChainError(f"{key}: error E805: not an ed25519 private key (openssl genpkey -algorithm ed25519)")
    return lambda data: base64.b64encode(private.sign(data)).decode() + "\n"


def sign(report: Path, key: Path) -> Path:
    """Write `<report>.sig` for a report already in place, through the writer (whole, never through a link)."""
    signature = signature_path(report)
    write_file(signature, signer(key)(Path(report).read_bytes()), what="the signature", inputs=(report, key))
    return signature


def _read_key(key: Path) -> bytes:
    try:
        return regular_bytes(key, _MAX_KEY_BYTES)
    except NotRegular as why:
        raise ChainError(f"{key}: error E805: not a key file: {why}") from None
    except TooLarge:
        raise ChainError(f"{key}: error E805: not a key file: larger than {_MAX_KEY_BYTES // 1024} KiB") from None
    except OSError as err:
        raise ChainError(f"{key}: error E805: cannot read the key ({err.strerror})") from None


def load_public_key(path: Path) -> Ed25519PublicKey:
    """An ed25519 public key in PEM; anything else is one clear error (E805), before any report is read."""
    try:
        from cryptography.exceptions import UnsupportedAlgorithm
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
        from cryptography.hazmat.primitives.serialization import load_pem_public_key
    except ImportError:
        raise ChainError(f"{path}: error E805: checking signatures needs the cryptography package "
                         "(pip install 'reglement[sign]')") from None
    data = _read_key(path)
    if b"PRIVATE KEY-----" in data:
        raise ChainError(f"{path}: error E805: a private key; give its public key, which may be shown to anyone "
                         "(openssl pkey -in key.pem -pubout -out key.pub)")
    try:
        key = load_pem_public_key(data)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise ChainError(f"{path}: error E805: not a PEM public key (a file that begins '-----BEGIN PUBLIC KEY-----'; "
                         f"{_REMEDY})") from None
    if not isinstance(key, Ed25519PublicKey):
        kind = type(key).__name__.removeprefix("_").replace("PublicKey", "") or "another kind of"
        raise ChainError(f"{path}: error E805: an {kind} public key, not ed25519: reglement signs with ed25519 "
                         f"({_REMEDY})")
    return key


def _signed(report: Path, data: bytes, key: Ed25519PublicKey) -> str | None:
    """Why the signature of `data` (the bytes of `report` as read) does not hold, or None when it does."""
    from cryptography.exceptions import InvalidSignature

    signature = signature_path(report)
    try:
        text = regular_bytes(signature, _MAX_SIGNATURE_BYTES)
    except FileNotFoundError:
        return f"no signature ({signature.name})"
    except NotRegular as why:
        return f"no signature: {signature.name} is {why}, not read"
    except TooLarge:
        return f"no signature: {signature.name} is far larger than a signature"
    except OSError as err:
        return f"the signature {signature.name} cannot be read ({err.strerror})"
    try:
        key.verify(base64.b64decode(text.strip(), validate=True), data)
    except (binascii.Error, ValueError):
        return f"no signature: {signature.name} does not hold one (not base64)"
    except InvalidSignature:
        return "the signature does not match the report"
    return None


# -- verifying -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Verdict:
    path: Path
    as_of: str
    broken: tuple[str, ...]  # what broke; empty when the report holds
    notes: tuple[str, ...]  # what was checked, or could not be
    sha256: str = ""  # of a report of the chain; "" for a file that is none
    passed_over: bool = False  # not opened, or not read again: said, never a break

    def line(self) -> str:
        from .formats.controls import visible  # a file name in the folder is read in a terminal

        mark = "SKIP  " if self.passed_over else "BROKEN" if self.broken else "OK    "
        said = "; ".join([*self.broken, *self.notes])
        return visible(f"{mark} {self.as_of or '?':<10}  {self.path}  — {said}")


@dataclass
class _File:
    """A file read: a report of the chain (`report` set, `problem` None) or a file that is none."""

    path: Path
    sha256: str = ""
    report: dict | None = None
    problem: str | None = None
    data: bytes = b""  # as read, until its signature is checked
    unsigned: str | None = None  # why its signature does not hold, with a public key


def reports_in(paths: list[Path]) -> list[tuple[Path, str | None]]:
    """The files named, a folder standing for the `*.json` entries in it, each with why it is passed over
    (None: it is read). A link in a folder that leads out of it is not followed; a file named twice
    (or through a link) is read once. Nothing is opened here."""
    found: list[tuple[Path, str | None]] = []
    seen: dict[Path, Path] = {}  # what each file read is, resolved
    for given in map(Path, paths):
        entries = [(e, given.resolve()) for e in sorted(given.glob("*.json"))] if given.is_dir() else [(given, None)]
        for entry, folder in sorted(entries, key=lambda e: e[0].is_symlink()):  # a file before a link to it
            try:
                real = entry.resolve()
            except (OSError, RuntimeError):  # a loop of links
                found.append((entry, "a link that leads nowhere (a loop of links): not followed"))
                continue
            if folder is not None and entry.is_symlink() and not real.is_relative_to(folder):
                found.append((entry, f"a link out of the folder (to {real}): not followed"))
            elif real in seen:
                found.append((entry, f"the same file as {seen[real]}: read once"))
            else:
                seen[real] = entry
                found.append((entry, None))
    return found


def _read(path: Path) -> _File | str:
    """The file read and parsed, or why it was passed over (not a regular file)."""
    try:
        data = regular_bytes(path, MAX_REPORT_BYTES)
    except NotRegular as why:
        return f"{why}: not opened"
    except TooLarge as size:
        return _File(path, problem=f"not checked: {size.args[0]:,} bytes, larger than a report may be "
                                   f"({MAX_REPORT_BYTES >> 30} GiB)")
    except OSError as err:
        return _File(path, problem=f"cannot be read ({err.strerror})")
    return _parse(path, data)


def _decode(data: bytes) -> tuple[object, str | None]:
    """The JSON value the bytes hold, or why they hold none (worded for the person reading verify's lines)."""
    if not data.strip():
        return None, "not a report: an empty file"
    try:
        return json.loads(data.decode("utf-8")), None
    except UnicodeDecodeError as err:
        return None, f"not a report: not UTF-8 text (byte {err.start + 1:,} of {len(data):,})"
    except RecursionError:
        return None, "not a report: JSON nested too deep to read"
    except json.JSONDecodeError as err:
        cut = data.lstrip()[:1] in (b"{", b"[") and data.rstrip()[-1:] not in (b"}", b"]")
        return None, (f"not a report: not JSON ({err.msg.removesuffix(' at')} at line {err.lineno}, column "
                      f"{err.colno}{'; it ends early: cut off?' if cut else ''})")
    except ValueError:  # a number of more digits than Python converts
        return None, "not a report: not JSON that can be read (a number of thousands of digits)"


def _parse(path: Path, data: bytes) -> _File:
    read = _File(path, hashlib.sha256(data).hexdigest(), data=data)
    report, read.problem = _decode(data)
    if read.problem:
        return read
    if not isinstance(report, dict):
        read.problem = f"not a report: a JSON {_json_kind(report)}, not an object"
    elif not isinstance(report.get("tool"), dict) or report["tool"].get("name") != "reglement":
        read.problem = 'not a report: a JSON object that reglement did not write (no "tool": {"name": "reglement"})'
    elif refused := refusal(report):
        read.problem = refused
    else:
        try:
            problems = sorted(report_problems(report, REPORT_SCHEMA),
                              key=lambda e: (list(map(str, e.absolute_path)), e.validator, e.message))
        except RecursionError:
            problems, read.problem = [], "not a valid report: nested too deep to check"
        if problems:
            read.problem = f"not a valid report ({_schema_problem(problems[0])})"
        read.report = report
    return read


def _json_kind(value: object) -> str:
    return {list: "array", str: "string", bool: "true or false", type(None): "null"}.get(type(value), "number")


def _schema_problem(error) -> str:
    """Where the report breaks the schema and how, without the value there (it may be a finding's key)."""
    how = {"required": error.message, "type": f"not of type {error.validator_value}",
           "additionalProperties": "a field the schema does not have"}.get(
        error.validator, f"does not meet the schema's '{error.validator}'")
    return f"{error.json_path}: {how}"


def verify(paths: list[Path], public_key: Path | None = None, head: str | None = None) -> list[Verdict]:
    """One verdict per report, in chain order (audit date, then the time the run started); then one per file
    that is not a report, then one per entry passed over.

    `head`: the sha256 of the report the chain must end at, kept outside the folder.
    """
    key = load_public_key(public_key) if public_key is not None else None
    read: list[_File] = []
    passed: list[Verdict] = []
    for path, skip in reports_in(paths):
        got = _read(path) if skip is None else skip
        if isinstance(got, str):
            passed.append(Verdict(path, "", (), (got,), passed_over=True))
            continue
        if key is not None and got.report is not None:  # the bytes as read, then let go of
            got.unsigned = _signed(path, got.data, key)
        got.data = b""
        read.append(got)
    first: dict[str, _File] = {}  # each report's bytes, by their sha256: a copy is one link, checked once
    for file in sorted((f for f in read if f.report is not None and f.problem is None),
                       key=lambda f: (f.report["as_of"], str((f.report.get("run") or {}).get("started_at", "")))):
        if file.sha256 in first:
            passed.append(Verdict(file.path, file.report["as_of"], (),
                                  (f"the same bytes as {first[file.sha256].path}: checked there",), passed_over=True))
        else:
            first[file.sha256] = file
    reports = list(first.values())
    others = [f for f in read if f.problem is not None]
    by_sha = {f.sha256: f for f in read if f.sha256} | first
    successors: dict[str, list[Path]] = {}
    for file in reports:
        if (named := _previous(file.report)) is not None:
            successors.setdefault(named["sha256"], []).append(file.path)

    verdicts = []
    for i, file in enumerate(reports):
        report = file.report
        broken = _link(report, reports[i - 1] if i else None, by_sha, successors, file.path)
        files, changed, unchecked = _exports(report, file.path)
        broken += [f"export file changed since the audit: {f}" for f in changed]
        notes = [f"{files} export file{'s' if files != 1 else ''} unchanged" if files else "no export file to check"]
        notes += unchecked
        if key is not None:
            (broken if file.unsigned else notes).append(file.unsigned or "signature holds")
        if (report.get("chain") or {}).get("first"):
            notes.insert(0, "first of the chain")
        verdicts.append([file, broken, notes])
    if head is not None and verdicts:
        _anchor(head, verdicts, by_sha)
    return ([Verdict(f.path, f.report["as_of"], tuple(b), tuple(n), f.sha256) for f, b, n in verdicts]
            + [Verdict(f.path, _date_of(f.report), (f.problem,), ()) for f in others]
            + sorted(passed, key=lambda v: str(v.path)))


def _date_of(report: dict | None) -> str:
    """The audit date of a file that is no valid report, where it is one (anything else there is not shown)."""
    as_of = (report or {}).get("as_of")
    return as_of if isinstance(as_of, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", as_of) else ""


def _previous(report: dict) -> dict | None:
    previous = (report.get("chain") or {}).get("previous")
    return previous if isinstance(previous, dict) else None


def _link(report: dict, before: _File | None, by_sha: dict[str, _File], successors: dict[str, list[Path]],
          path: Path) -> list[str]:
    previous = _previous(report)
    if previous is None:
        return [] if before is None else [f"says it is the first of a chain, but follows {before.path}"]
    sha = previous["sha256"]
    there = by_sha.get(sha)
    named = f"sha256 {sha} ({previous['path']}, audit date {previous['as_of']})"
    forks = [str(p) for p in successors.get(sha, []) if p != path]
    out = []
    if forks:  # then a link of the two does not follow the one before it: the fork says why
        out.append(f"a fork: {', '.join(forks)} also name{'s' if len(forks) == 1 else ''} "
                   f"{there.path if there is not None else named} as predecessor")
    elif before is None:
        out.append("the chain's start is broken: " + (
            f"it names as its predecessor {named}, which no report here has" if there is None else
            f"its predecessor {_which(there, report)}"))
    elif before.sha256 != sha:
        out.append(f"its predecessor {before.path} is not the report it recorded (sha256 {sha[:12]}…, the file has "
                   f"{before.sha256[:12]}…); " + (f"no report here has {named}" if there is None else
                                                  f"the report it recorded {_which(there, report)}"))
    if previous["as_of"] > report["as_of"]:
        out.append(f"its audit date {report['as_of']} goes back before its predecessor's, {previous['as_of']}")
    return out


def _which(there: _File, report: dict) -> str:
    """The predecessor a report recorded, found here but not just before it: what it is instead."""
    if there.problem:
        return f"is {there.path}, {there.problem}"
    if there.report["as_of"] > report["as_of"]:
        return f"is {there.path}, of a later audit date ({there.report['as_of']})"
    return f"is {there.path}"


def _anchor(head: str, verdicts: list[list], by_sha: dict[str, _File]) -> None:
    """The chain must end at the report whose sha256 was kept outside the folder (`--head`)."""
    at = next((i for i, (file, _, _) in enumerate(verdicts) if file.sha256 == head), None)
    if at is None:
        there = by_sha.get(head)
        verdicts[-1][1].append(f"the chain does not end at the head given (--head {head[:12]}…): "
                               + (f"{there.path} has that sha256 but {there.problem}" if there is not None else
                                  "no report here has that sha256: reports were removed from the chain's end, "
                                  "or this folder holds another chain"))
        return
    for _, broken, _ in verdicts[at + 1:]:
        broken.append(f"comes after the head given (--head {head[:12]}…, {verdicts[at][0].path})")
    verdicts[at][2].append("the head given (--head)")


def _exports(report: dict, where: Path) -> tuple[int, list[str], list[str]]:
    """How many recorded export files still match, which changed, and what could not be checked."""
    matched, changed, unchecked = 0, [], []
    for entry in report.get("data", {}).values():
        for recorded, sha in _files(entry):
            path = _find(recorded, where)
            actual = _file_sha256(path) if path is not None else None
            if path is None:
                unchecked.append(f"export file gone (not checked): {recorded}")
            elif actual is None:
                unchecked.append(f"export file cannot be read (not checked): {recorded}")
            elif actual != sha:
                changed.append(recorded)
            else:
                matched += 1
    return matched, changed, unchecked


def _file_sha256(path: Path) -> str | None:
    """The sha256 of a regular file, read in chunks (exports run to gigabytes); None for anything else."""
    try:
        before = os.stat(path)
        if not stat.S_ISREG(before.st_mode):
            return None
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as stream:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return None
            return hashlib.file_digest(stream, "sha256").hexdigest()
    except OSError:
        return None


def _files(entry: dict) -> list[tuple[str, str]]:
    if entry.get("files"):
        return [(f["path"], f["sha256"]) for f in entry["files"]]
    if entry.get("format") in (None, "arrow") or "sha256" not in entry:
        return []  # frames in memory leave no file behind
    return [(entry["path"], entry["sha256"])]


def _find(recorded: str, report: Path) -> Path | None:
    """A recorded path as given to the audit: from here, or from the report's folder."""
    for candidate in (Path(recorded), report.parent / recorded):
        if candidate.is_file():
            return candidate
    return None
