"""A chain of reports: each names its predecessor by hash, and `reglement verify` checks the links.

An office audits every month; an auditor looks back over a year. Each report written
with `--previous LAST.json` records the sha256 and audit date of the report before it;
the first report of a chain says that it is the first. `verify` reads a set of reports,
puts them in order of audit date, and checks every link: the schema, the recorded hash
of the predecessor against that file's bytes, dates that never go back, the export files
(where they are still there) against the hashes the report recorded and, with a public
key, each report's detached ed25519 signature (`<report>.sig`).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path

from ..compiler.diagnostics import UserError
from .file_hash import file_sha256
from .report import REPORT_SCHEMA
from .report_version import problems as report_problems
from .report_version import refusal, version


class ChainError(UserError):
    """A predecessor or key that cannot be read."""


def read_previous(previous: Path) -> dict:
    """The previous report of the chain, as written (`--previous`); it must be a reglement JSON report.

    It is taken as the chain's last link: its findings are carried into the next report
    where nothing they rest on changed (`incremental.py`); `reglement verify` checks it.
    """
    try:
        report = json.loads(Path(previous).read_text("utf-8"))
        if not isinstance(report, dict) or not isinstance(report["as_of"], str) or version(report) is None:
            raise TypeError
    except (OSError, ValueError, KeyError, TypeError):
        raise ChainError(f"{previous}: error E804: not a reglement JSON report; a chain needs the previous report "
                         "as written") from None
    if refused := refusal(report):
        raise ChainError(f"{previous}: {refused}")
    return report


def link(previous: Path | None, report: dict | None = None) -> dict:
    """What a new report records of the report before it (nothing before it: the first)."""
    if previous is None:
        return {"first": True}
    report = report if report is not None else read_previous(previous)
    return {"previous": {"path": str(previous), "sha256": file_sha256(previous), "as_of": report["as_of"]}}


# -- signing -----------------------------------------------------------------------------------
def sign(report: Path, key: Path) -> Path:
    """Write `<report>.sig`: the base64 ed25519 signature of the report's bytes, with a PEM private key."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    private = load_pem_private_key(_read_key(key), password=None)
    if not isinstance(private, Ed25519PrivateKey):
        raise ChainError(f"{key}: error E805: not an ed25519 private key (openssl genpkey -algorithm ed25519)")
    signature = Path(f"{report}.sig")
    signature.write_text(base64.b64encode(private.sign(Path(report).read_bytes())).decode() + "\n", "ascii")
    return signature


def _read_key(key: Path) -> bytes:
    try:
        return Path(key).read_bytes()
    except OSError as err:
        raise ChainError(f"{key}: error E805: cannot read the key ({err.strerror})") from None


def _signed(report: Path, public_key: Path) -> str | None:
    """Why the signature does not hold, or None when it does."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    signature = Path(f"{report}.sig")
    if not signature.is_file():
        return f"no signature ({signature.name})"
    try:
        load_pem_public_key(_read_key(public_key)).verify(base64.b64decode(signature.read_text("ascii")),
                                                          Path(report).read_bytes())
    except (InvalidSignature, ValueError):
        return "the signature does not match the report"
    return None


# -- verifying ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Verdict:
    path: Path
    as_of: str
    broken: tuple[str, ...]  # what broke; empty when the report holds
    notes: tuple[str, ...]  # what was checked, or could not be

    def line(self) -> str:
        mark = "BROKEN" if self.broken else "OK    "
        said = "; ".join([*self.broken, *self.notes])
        return f"{mark} {self.as_of or '?':<10}  {self.path}  — {said}"


def reports_in(paths: list[Path]) -> list[Path]:
    """The report files named, a folder standing for the `*.json` files in it."""
    found = []
    for path in paths:
        found += sorted(Path(path).glob("*.json")) if Path(path).is_dir() else [Path(path)]
    return found


def verify(paths: list[Path], public_key: Path | None = None) -> list[Verdict]:
    """One verdict per report, in chain order (audit date, then the time the run started)."""
    loaded = []
    for path in reports_in(paths):
        try:
            report = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as err:
            loaded.append((path, None, f"not JSON ({getattr(err, 'msg', None) or getattr(err, 'strerror', err)})"))
            continue
        if isinstance(report, dict) and (refused := refusal(report)):
            loaded.append((path, None, refused))
            continue
        problems = report_problems(report, REPORT_SCHEMA)
        loaded.append((path, report, f"not a valid report ({problems[0].message})" if problems else None))
    valid = sorted((x for x in loaded if x[1] is not None),
                   key=lambda x: (str(x[1].get("as_of", "")), str(x[1].get("run", {}).get("started_at", ""))))
    verdicts = [Verdict(path, "", (problem,), ()) for path, report, problem in loaded if report is None]
    before = None
    for path, report, problem in valid:
        broken, notes = ([problem] if problem else []), []
        broken += _link(report, before)
        files, changed, gone = _exports(report, path)
        broken += [f"export file changed since the audit: {f}" for f in changed]
        notes.append(f"{files} export file{'s' if files != 1 else ''} unchanged" if files
                     else "no export file to check")
        notes += [f"export file gone (not checked): {f}" for f in gone]
        if public_key is not None and (unsigned := _signed(path, public_key)):
            broken.append(unsigned)
        elif public_key is not None:
            notes.append("signature holds")
        if (report.get("chain") or {}).get("first"):
            notes.insert(0, "first of the chain")
        verdicts.append(Verdict(path, report["as_of"], tuple(broken), tuple(notes)))
        before = (path, report)
    return verdicts


def _link(report: dict, before: tuple[Path, dict] | None) -> list[str]:
    chain = report.get("chain") or {}
    previous = chain.get("previous")
    if before is None:
        return []  # the first report given: its predecessor, if any, is not among them
    path, earlier = before
    if previous is None:
        return [f"says it is the first of a chain, but follows {path}"]
    out = []
    actual = file_sha256(path)
    if previous.get("sha256") != actual:
        out.append(f"its predecessor {path} is not the report it recorded (sha256 {previous.get('sha256', '?')[:12]}…, "
                   f"the file has {actual[:12]}…)")
    if str(report["as_of"]) < str(earlier["as_of"]):
        out.append(f"its audit date {report['as_of']} goes back before {earlier['as_of']}")
    return out


def _exports(report: dict, where: Path) -> tuple[int, list[str], list[str]]:
    """How many recorded export files still match, which changed, which are gone."""
    matched, changed, gone = 0, [], []
    for entry in report.get("data", {}).values():
        for recorded, sha in _files(entry):
            path = _find(recorded, where)
            if path is None:
                gone.append(recorded)
            elif file_sha256(path) != sha:
                changed.append(recorded)
            else:
                matched += 1
    return matched, changed, gone


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
