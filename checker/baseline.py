"""Compare a report with the previous audit's: which findings are new, still open, resolved.

A finding is identified by its rule id and key, never by its message (which may change
with the wording of a rule or the language of the report).
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.compute as pc

from ..compiler.diagnostics import UserError
from .arrow_values import texts
from .findings import identity
from .report import REPORT_SCHEMA
from .report_version import problems as report_problems
from .report_version import refusal


class BaselineError(UserError):
    """A previous report (a baseline, or a report to render) cannot be read as a reglement JSON report."""


def read_report(path: Path, role: str = "baseline") -> dict:
    """A JSON report of `reglement check`, held to the report schema before anything reads it; a report of a newer
    major version is refused (`report_version.py`)."""
    try:
        previous = json.loads(Path(path).read_text("utf-8"))
    except OSError as err:
        raise BaselineError(f"{path}: cannot read the {role} ({err.strerror})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        where = f"{path}:{err.lineno}:{err.colno}" if isinstance(err, json.JSONDecodeError) else str(path)
        raise BaselineError(f"{where}: not JSON: {getattr(err, 'msg', 'not UTF-8 text')}") from None
    refused = refusal(previous) if isinstance(previous, dict) else None
    if refused:
        raise BaselineError(f"{path}: {refused}")
    problems = report_problems(previous, REPORT_SCHEMA)
    if problems:
        where = "/".join(map(str, problems[0].absolute_path)) or "the report"
        raise BaselineError(f"{path}: not a reglement JSON report ({where}: {problems[0].message})")
    return previous


read_baseline = read_report


def apply_baseline(report: dict, previous: dict) -> dict:
    """Mark each finding `new` or `open` and list per rule the keys resolved since `previous`.

    The marking is done on each rule's findings table at once (`Findings.marked`).
    """
    before: dict[str, list[dict]] = {}
    for rule in previous["rules"]:
        before[rule["id"]] = list(rule.get("findings") or ())
    for rule in report["rules"]:
        if rule.get("kind") != "automated":
            continue
        old = before.get(rule["id"], [])
        seen = texts([identity(f["dataset"], f["key"]) for f in old])
        findings = rule["findings"].marked(seen)
        rule["findings"] = findings
        rule["new_count"] = findings.count("new")
        still = pc.is_in(seen, value_set=findings.table.column("identity")).to_pylist() if len(old) else []
        rule["resolved"] = [f["key"] for f, kept in zip(old, still) if not kept]
    report["baseline"] = {"as_of": previous["as_of"],
                          "new": sum(r.get("new_count", 0) for r in report["rules"]),
                          "resolved": sum(len(r.get("resolved", [])) for r in report["rules"])}
    return report
