"""The JSON report of one `reglement check`, the part of it that engines must agree on, and the Arrow
schemas of the findings the engine gave."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest
from conftest import AS_OF

import reglement.checker.report
from reglement.cli import main


def audit(capsys, *args: str) -> dict:
    """The JSON report of `reglement check ARGS` as of AS_OF, which must have findings (exit 1)."""
    code = main(["check", "--as-of", AS_OF, "--format", "json", *args])
    assert code == 1, (code, capsys.readouterr())
    return json.loads(capsys.readouterr().out)


def rule_results(report: dict) -> list[dict]:
    """Per automated rule: status, count, every finding (dataset, key, message) and any error."""
    return [{k: r.get(k) for k in ("id", "status", "finding_count", "findings", "error", "population", "explanations")}
            for r in report["rules"] if r["kind"] == "automated"]


def audit_and_schemas(capsys, *args: str) -> tuple[dict, dict[tuple, pa.Schema]]:
    """`audit(capsys, *args)`, and the Arrow schema of each check's findings table as the engine gave it, by
    (rule, check): seen where `reglement check` hands the audit to `build_report`, which takes them as they are."""
    schemas: dict[tuple, pa.Schema] = {}
    build = reglement.checker.report.build_report

    def seen(done, *rest, **options):
        schemas.update({(r.rule.id, i): p.table.schema for r in done.results for i, p in enumerate(r.parts)})
        return build(done, *rest, **options)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reglement.checker.report, "build_report", seen)
        report = audit(capsys, *args)
    assert schemas or not report["rules"], "build_report was not called: see how `reglement check` builds its report"
    return report, schemas
