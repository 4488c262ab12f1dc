"""Compare a report with the previous audit's: which findings are new, still open, resolved.

A finding is identified by its rule id and key, never by its message (which may change
with the wording of a rule or the language of the report).
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from .report import REPORT_SCHEMA


class BaselineError(Exception):
    """The previous report cannot be read as a reglement JSON report."""


def _identity(rule_id: str, key: dict) -> str:
    return rule_id + "\\0" + json.dumps(key, sort_keys=True)


def read_baseline(path: Path) -> dict:
    try:
        previous = json.loads(Path(path).read_text("utf-8"))
    except OSError as err:
        raise BaselineError(f"{path}: cannot read the baseline ({err.strerror})") from None
    except json.JSONDecodeError as err:
        raise BaselineError(f"{path}:{err.lineno}:{err.colno}: not JSON: {err.msg}") from None
    problems = sorted(jsonschema.Draft202012Validator(REPORT_SCHEMA).iter_errors(previous), key=str)
    if problems:
        where = "/".join(map(str, problems[0].absolute_path)) or "the report"
        raise BaselineError(f"{path}: not a reglement JSON report ({where}: {problems[0].message})")
    return previous


def apply_baseline(report: dict, previous: dict) -> dict:
    """Mark each finding `new` or `open` and list per rule the keys resolved since `previous`."""
    before = {_identity(r["id"], f["key"]): f["key"] for r in previous["rules"] for f in r.get("findings", [])}
    now = set()
    for rule in report["rules"]:
        for finding in rule.get("findings", []):
            identity = _identity(rule["id"], finding["key"])
            now.add(identity)
            finding["baseline"] = "open" if identity in before else "new"
        if rule.get("kind") == "automated":
            rule["new_count"] = sum(f["baseline"] == "new" for f in rule.get("findings", []))
            rule["resolved"] = [key for identity, key in before.items()
                                if identity.startswith(rule["id"] + "\\0") and identity not in now]
    report["baseline"] = {"as_of": previous["as_of"],
                          "new": sum(r.get("new_count", 0) for r in report["rules"]),
                          "resolved": sum(len(r.get("resolved", [])) for r in report["rules"])}
    return report
