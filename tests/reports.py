"""The JSON report of one `reglement check`, and the part of it that engines must agree on."""

from __future__ import annotations

import json

from conftest import AS_OF

from reglement.cli import main


def audit(capsys, *args: str) -> dict:
    """The JSON report of `reglement check ARGS` as of AS_OF, which must have findings (exit 1)."""
    code = main(["check", "--as-of", AS_OF, "--format", "json", *args])
    assert code == 1, (code, capsys.readouterr())
    return json.loads(capsys.readouterr().out)


def rule_results(report: dict) -> list[dict]:
    """Per automated rule: status, count, every finding (dataset, key, message) and any error."""
    return [{k: r.get(k) for k in ("id", "status", "finding_count", "findings", "error")}
            for r in report["rules"] if r["kind"] == "automated"]
