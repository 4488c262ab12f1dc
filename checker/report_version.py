"""The JSON report's own version (`schema_version`, MAJOR.MINOR), and which reports a reader takes.

What may change, and how the version says so (README, "The JSON report's version"):

- a **minor** version adds what a reader may pass by: a new optional field, anywhere in the
  report. A reader of 1.x takes every 1.y report, a newer minor too, and ignores what it does
  not know (the fields its schema does not list);
- a **major** version is any other change: a field removed or renamed, made required, given
  another type or meaning, a value an enumerated field did not have before (a status, a kind,
  a run mode, a severity), a count that counts something else;
- a report without the field is **1.0**: the reports written before the field came in, which the
  schema of 1.0 describes; 1.1 added the field itself; 1.2 added each rule's `population` and
  `explanations` and each dataset's `period` (rule pack 1.2); 1.3 the reviews: each finding's `review`,
  each rule's and the summary's `reviewed`, `awaiting_review`, `confirmed` and stale reviews; this
  reglement writes 1.4, which adds the regulations of a pack that checks several side by side (the
  report's `regulations` and each rule's and article's `regulation`), the audit moment (`audit_time`),
  the `time_zone`, and each dataset's `sheet` and mapped `columns`.

The readers of a report — `reglement render`, `verify`, `--baseline` and `--previous` — take the
majors they know and refuse a newer one with E808, which names both versions.
"""

from __future__ import annotations

import re

from .. import __version__

SCHEMA_VERSION = "1.4"
UNVERSIONED = "1.0"  # what a report without `schema_version` is
MAJOR, MINOR = (int(part) for part in SCHEMA_VERSION.split("."))
_FORM = re.compile(r"([1-9][0-9]*)\.(0|[1-9][0-9]*)")


def version(report: dict) -> tuple[int, int] | None:
    """The report's (major, minor); (1, 0) without the field; None when the field is not MAJOR.MINOR."""
    text = report.get("schema_version", UNVERSIONED)
    found = _FORM.fullmatch(text) if isinstance(text, str) else None
    return (int(found[1]), int(found[2])) if found else None


def refusal(report: dict) -> str | None:
    """Why this reglement does not read the report (a newer major version of the report), or None."""
    found = version(report)
    if found is None or found[0] <= MAJOR:
        return None
    return (f"error E808: written by a newer reglement: the report's schema_version is {report['schema_version']}, "
            f"and reglement {__version__} reads {MAJOR}.x; upgrade reglement to read it")


def problems(report: dict, schema: dict) -> list:
    """The report's breaches of the report schema, first by place; of a newer minor version, its fields that
    the schema does not know are not breaches (what a minor version adds, a reader passes by)."""
    import jsonschema  # for the readers only: a check does not pay for its import

    found = sorted(jsonschema.Draft202012Validator(schema).iter_errors(report), key=str)
    said = any(list(p.path) == ["schema_version"] for p in found)
    if isinstance(report, dict) and version(report) is None and not said:
        # the schema's pattern, as Python's `re` reads it, also lets a version end in a line break
        found.append(jsonschema.ValidationError(f"{report['schema_version']!r} is not MAJOR.MINOR",
                                                path=["schema_version"]))
    newer = isinstance(report, dict) and (version(report) or (0, 0)) > (MAJOR, MINOR)
    return [p for p in found if not (newer and p.validator == "additionalProperties" and p.validator_value is False)]
