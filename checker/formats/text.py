"""The report for a terminal: grouped by article, failures first in each article."""

from __future__ import annotations

LABELS = {
    "nl": {"article": "Artikel", "findings": "bevindingen", "more": "… en nog {n}; alle sleutels staan in --format json",
           "summary": "{rules} regels: {passed} in orde, {failed} met bevindingen, {errors} fouten; {findings} bevindingen",
           "controls": "handmatige controles: {manual} open, {attested} bevestigd, {expired} verlopen",
           "audit": "auditdatum"},
    "en": {"article": "Article", "findings": "findings", "more": "… and {n} more; every key is in --format json",
           "summary": "{rules} rules: {passed} passed, {failed} failed, {errors} errors; {findings} findings",
           "controls": "manual controls: {manual} open, {attested} attested, {expired} expired",
           "audit": "audit date"},
}
STATUS = {"passed": "ok", "failed": "FAIL", "error": "ERROR", "waived": "waived", "manual": "manual",
          "attested": "attested", "expired": "EXPIRED", "informational": "info"}
SHOWN = 10


def _rule_lines(rule: dict, lang: str) -> list[str]:
    label = LABELS[lang]
    head = f"  {STATUS[rule['status']]:<8} {rule['id']}"
    if rule.get("kind") == "automated":
        head += f"  [{rule['severity']}] {rule['finding_count']} {label['findings']}"
    lines = [head + f" — {rule['title'][lang]}"]
    if rule.get("error"):
        lines.append(f"           {rule['error']}")
    for finding in rule.get("findings", [])[:SHOWN]:
        lines.append(f"           {finding['message']}")
    hidden = len(rule.get("findings", [])) - SHOWN
    if hidden > 0:
        lines.append("           " + label["more"].format(n=hidden))
    return lines


def render(report: dict, lang: str = "nl") -> str:
    label = LABELS[lang]
    pack, summary = report["rulepack"], report["summary"]
    lines = [f"reglement {report['tool']['version']} · {pack['name']} {pack['version']} · "
             f"{label['audit']} {report['as_of']}", ""]
    order = {"error": 0, "failed": 1, "expired": 2, "manual": 3}
    for article in report.get("articles", []):
        clauses = {c["clause"] for c in article["clauses"]}
        rules = [r for r in report["rules"] if r["article"] in clauses and r["status"] != "informational"]
        if not rules:
            continue
        lines.append(f"{label['article']} {article['article']} — {article['title'][lang]}")
        for rule in sorted(rules, key=lambda r: order.get(r["status"], 9)):
            lines += _rule_lines(rule, lang)
        lines.append("")
    lines.append(label["summary"].format(**summary))
    lines.append(label["controls"].format(**summary))
    return "\n".join(lines) + "\n"
