"""The report of an audit as a plain dict: the JSON contract every format renders.

Built once from the audit's results; the renderers in `formats/` read only this dict,
so every format shows the same findings, statuses and keys.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from importlib.resources import files

from .. import __version__
from ..compiler.pack import Clause, Pack
from .audit import Audit, RuleResult
from .config import Attestation, Config, Waiver

INFORMATIONAL = "informational"
REPORT_SCHEMA = json.loads(files(__package__).joinpath("report.schema.json").read_text("utf-8"))


def _format_value(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _message(result: RuleResult, key: dict[str, str], values: dict[str, object], lang: str) -> str:
    fields = {**key, **values, **{f"${k}": v for k, v in result.values.items()}}
    return result.rule.message[lang].format_map({k: _format_value(v) for k, v in fields.items()})


def _waiver(waiver: Waiver, as_of: dt.date) -> dict:
    return {"justification": waiver.justification, "approved_by": waiver.approved_by,
            "expires": waiver.expires.isoformat(), "status": "active" if as_of <= waiver.expires else "expired",
            **({"keys": list(waiver.keys)} if waiver.keys else {})}


def _finding(result: RuleResult, finding, active: list[Waiver], lang: str, as_of: dt.date) -> dict:
    entry = {"dataset": finding.dataset, "key": finding.key, "message": _message(result, finding.key, finding.values, lang)}
    waiver = next((w for w in active if w.covers(finding.key)), None)
    if waiver:
        entry["waived"] = True
        entry["waiver"] = _waiver(waiver, as_of)
    return entry


def _rule_entry(result: RuleResult, config: Config, as_of: dt.date, lang: str) -> dict:
    """A rule's result. Waived findings stay listed, marked; an expired waiver counts for nothing."""
    rule = result.rule
    waivers = [w for w in config.waivers if w.rule == rule.id]
    active = [w for w in waivers if as_of <= w.expires]
    findings = [_finding(result, f, active, lang, as_of) for f in result.findings]
    open_findings = [f for f in findings if not f.get("waived")]
    status = result.status
    if status == "failed" and not open_findings:
        status = "waived"
    entry = {
        "id": rule.id, "kind": "automated", "article": rule.article, "title": rule.title.as_dict(),
        "severity": rule.severity, "dataset": rule.dataset, "source": f"{rule.source.file}:{rule.source.line}",
        "status": status, "finding_count": len(findings), "open_count": len(open_findings), "findings": findings,
    }
    if waivers:
        entry["waivers"] = [_waiver(w, as_of) for w in waivers]
    if result.error:
        entry["error"] = result.error
    return entry


def _attestation_status(attestation: Attestation | None, as_of: dt.date) -> str:
    if attestation is None:
        return "manual"
    return "attested" if as_of <= attestation.valid_until else "expired"


def _control_entries(pack: Pack, config: Config, as_of: dt.date) -> list[dict]:
    entries = []
    for control in pack.controls:
        # The latest attestation counts; an older one it replaced does not.
        found = sorted((a for a in config.attestations if a.control == control.id), key=lambda a: a.date)
        attestation = found[-1] if found else None
        entry = {"id": control.id, "kind": "manual", "article": control.article, "title": control.title.as_dict(),
                 "source": f"{control.source.file}:{control.source.line}",
                 "status": _attestation_status(attestation, as_of), "evidence": control.evidence.nl}
        if attestation:
            entry["attestation"] = {"by": attestation.by, "date": attestation.date.isoformat(),
                                    "evidence": attestation.evidence,
                                    "valid_until": attestation.valid_until.isoformat()}
        entries.append(entry)
    return entries


def _informational_id(clause: Clause) -> str:
    return f"{clause.number}-{INFORMATIONAL}"


def _informational_entries(pack: Pack) -> list[dict]:
    return [{"id": _informational_id(clause), "kind": INFORMATIONAL, "article": clause.number,
             "title": article.title.as_dict(), "status": INFORMATIONAL, "see": list(clause.made_concrete_by)}
            for article in pack.articles for clause in article.clauses if clause.informational]


def coverage(pack: Pack) -> dict[str, list[str]]:
    """Each clause of the pack with the ids of what covers it; empty means uncovered."""
    cover: dict[str, list[str]] = {c.number: [] for a in pack.articles for c in a.clauses}
    for item in (*pack.rules, *pack.controls):
        cover[item.article].append(item.id)
    for article in pack.articles:
        for clause in article.clauses:
            if clause.informational:
                cover[clause.number].append(_informational_id(clause))
    return cover


def _articles(pack: Pack) -> list[dict]:
    cover = coverage(pack)
    return [{"article": a.number, "title": a.title.as_dict(),
             "clauses": [{"clause": c.number, "text": c.text, "rules": cover[c.number]} for c in a.clauses]}
            for a in pack.articles]


def build_report(audit: Audit, lang: str = "nl") -> dict:
    rules = [_rule_entry(r, audit.config, audit.as_of, lang) for r in audit.results]
    rules += _control_entries(audit.pack, audit.config, audit.as_of) + _informational_entries(audit.pack)
    statuses = Counter(r["status"] for r in rules)
    return {
        "tool": {"name": "reglement", "version": __version__},
        "rulepack": {"name": audit.pack.name, "version": audit.pack.version, "title": audit.pack.title.as_dict()},
        "as_of": audit.as_of.isoformat(),
        "lang": lang,
        "engine": audit.engine,
        "run": {"started_at": audit.started_at.isoformat(timespec="seconds"), "seconds": round(audit.seconds, 3)},
        "data": {d.name: {"path": str(d.path), "rows": d.rows, "sha256": d.sha256}
                 for d in audit.export.datasets.values()},
        "summary": {
            "rules": len(audit.results), "passed": statuses["passed"], "failed": statuses["failed"],
            "errors": statuses["error"], "manual": statuses["manual"], "attested": statuses["attested"],
            "expired": statuses["expired"], "waived": statuses["waived"], "informational": statuses[INFORMATIONAL],
            "findings": sum(r.get("finding_count", 0) for r in rules),
            "open_findings": sum(r.get("open_count", 0) for r in rules),
            "expired_waivers": sum(w["status"] == "expired" for r in rules for w in r.get("waivers", [])),
        },
        "rules": rules,
        "articles": _articles(audit.pack),
    }
