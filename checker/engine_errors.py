"""An engine failure in words of our own: what failed and where, never the engine's message.

An engine's error text may quote a value it could not convert, and that value may be a
BSN or a name; so no part of it is passed on. Known kinds of failure get a sentence
that says what to do; the rest name the kind of error, the check's dataset and the
columns it reads.
"""

from __future__ import annotations

from ..compiler import ir
from ..compiler.model import Check

_KNOWN = {
    "OutOfMemoryException": "ran out of memory; give the engine room with --memory-limit (DuckDB spills to disk)",
    "ConversionException": "a value could not be converted to the type a condition needs",
    "OutOfRangeException": "a value or a date computed from it is out of range (an absurd parameter, or a date far "
                           "in the past or future)",
    "InterruptException": "was interrupted",
    "IOException": "could not read its data (a file changed or disappeared while the audit ran)",
    "OverflowError": "a value or a date computed from it is out of range",
    "MemoryError": "ran out of memory",
    "UnsupportedError": "cannot express the check in its SQL without changing its meaning, so no query was run "
                        "(`reglement explain RULE --dialect …` names the construct); run the rule on DuckDB",
}


def engine_failure(engine: str, check: Check, err: BaseException) -> str:
    """The reason a check could not run, without any data value."""
    kind = type(err).__name__
    what = _KNOWN.get(kind, f"failed ({kind})")
    columns = sorted({f"{n.dataset}.{n.name}" for e in (check.condition, *check.outputs.values())
                      for n in ir.walk(e) if isinstance(n, ir.Column)})
    reads = f"; the check reads {', '.join(columns)}" if columns else ""
    return f"the {engine} engine {what} while checking {check.subject}{reads}"
