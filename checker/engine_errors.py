"""An engine failure in words of our own: what failed and where, never the engine's message.

An engine's error text may quote a value it could not convert, and that value may be a
BSN or a name; so no part of it is passed on. Known kinds of failure get a sentence
that says what to do; the rest name the kind of error, the check's dataset and the
columns it reads.
"""

from __future__ import annotations

from ..compiler import ir
from ..compiler.diagnostics import Bilingual
from ..compiler.model import Check

_KNOWN = {  # (English, Dutch)
    "OutOfMemoryException": ("ran out of memory; give the engine room with --memory-limit (DuckDB spills to disk)",
                             "had te weinig geheugen; geef de engine ruimte met --memory-limit (DuckDB wijkt uit "
                             "naar schijf)"),
    "ConversionException": ("a value could not be converted to the type a condition needs",
                            "kon een waarde niet omzetten naar het type dat een voorwaarde nodig heeft"),
    "OutOfRangeException": ("a value or a date computed from it is out of range (an absurd parameter, or a date far "
                            "in the past or future)",
                            "kreeg een waarde of een daaruit berekende datum buiten het bereik (een onmogelijke "
                            "parameter, of een datum ver in het verleden of de toekomst)"),
    "InterruptException": ("was interrupted", "werd onderbroken"),
    "IOException": ("could not read its data (a file changed or disappeared while the audit ran)",
                    "kon zijn gegevens niet lezen (een bestand veranderde of verdween tijdens de audit)"),
    "OverflowError": ("a value or a date computed from it is out of range",
                      "kreeg een waarde of een daaruit berekende datum buiten het bereik"),
    "MemoryError": ("ran out of memory", "had te weinig geheugen"),
    "UnsupportedError": ("cannot express the check in its SQL without changing its meaning, so no query was run "
                         "(`reglement explain RULE --dialect …` names the construct); run the rule on DuckDB",
                         "kan de controle niet in zijn SQL uitdrukken zonder haar betekenis te veranderen, dus er "
                         "is geen query uitgevoerd (`reglement explain RULE --dialect …` noemt de constructie); "
                         "voer de regel uit op DuckDB"),
}


def engine_failure(engine: str, check: Check, err: BaseException) -> Bilingual:
    """The reason a check could not run, without any data value, in English and in Dutch."""
    kind = type(err).__name__
    en, nl = _KNOWN.get(kind, (f"failed ({kind})", f"faalde ({kind})"))
    columns = ", ".join(sorted({f"{n.dataset}.{n.name}" for e in (check.condition, *check.outputs.values())
                                for n in ir.walk(e) if isinstance(n, ir.Column)}))
    return Bilingual(f"the {engine} engine {en} while checking {check.subject}"
                     + (f"; the check reads {columns}" if columns else ""),
                     f"de {engine}-engine {nl} bij het controleren van {check.subject}"
                     + (f"; de controle leest {columns}" if columns else ""))
