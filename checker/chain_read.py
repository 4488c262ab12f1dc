"""The reports of a chain that holds, read for what is made of them after `verify` (the period report).

`verify` reads every file once and says whether the chain holds; it keeps no report. What reads the
chain's reports afterwards reads each file again and takes it only when its bytes are still the ones
`verify` hashed: a report changed between the two reads is refused, never shown as verified.
"""

from __future__ import annotations

import hashlib
import json

from .chain import MAX_REPORT_BYTES, ChainError, NotRegular, TooLarge, Verdict, regular_bytes


def held(verdicts: list[Verdict]) -> list[dict]:
    """The reports of the chain `verdicts` (what `verify` gave, none broken), in chain order, as parsed."""
    if any(v.broken for v in verdicts):
        raise ChainError("the chain does not hold: its reports are not read (reglement verify says why)")
    reports = []
    for verdict in (v for v in verdicts if v.sha256):
        try:
            data = regular_bytes(verdict.path, MAX_REPORT_BYTES)
        except (NotRegular, TooLarge, OSError) as why:
            raise ChainError(f"{verdict.path}: cannot be read again after it was verified ({why})") from None
        if hashlib.sha256(data).hexdigest() != verdict.sha256:
            raise ChainError(f"{verdict.path}: changed after it was verified (sha256 {verdict.sha256[:12]}… then, "
                             f"{hashlib.sha256(data).hexdigest()[:12]}… now): nothing is made of the chain")
        reports.append(json.loads(data.decode("utf-8")))
    return reports
