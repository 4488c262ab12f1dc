"""The report for a terminal: grouped by article, failures first in each article."""

from __future__ import annotations

from typing import Any, Mapping

from .findings import finding_count, rule_kind
from .grouping import articles
from .labels import check_lang, findings_phrase, format_count, label, localized, severity_word
from .summary import pack_label, tool_label

# The closing lines keep their own wording: CI scripts and tests/test_cli.py match the Dutch summary.
TOTALS = {
    "nl": {"summary": "{rules} regels: {passed} in orde, {failed} met bevindingen, {errors} fouten; {findings} bevindingen",
           "controls": "handmatige controles: {manual} open, {attested} bevestigd, {expired} verlopen",
           "all_keys": "alle sleutels staan in --format json"},
    "en": {"summary": "{rules} rules: {passed} passed, {failed} failed, {errors} errors; {findings} findings",
           "controls": "manual controls: {manual} open, {attested} attested, {expired} expired",
           "all_keys": "every key is in --format json"},
}
# Short codes in one column, capitals for what needs action, so the eye finds them when scrolling.
STATUS = {"passed": "ok", "failed": "FAIL", "error": "ERROR", "waived": "waived", "manual": "manual",
          "attested": "attested", "expired": "EXPIRED", "informational": "info"}
ATTENTION = {"error": 0, "failed": 1, "expired": 2, "manual": 3}  # first within an article; the rest keep their order
SHOWN = 10
INDENT = " " * 11


def _rule_lines(rule: Mapping[str, Any], lang: str) -> list[str]:
    """One line per rule, then its error and its first keys indented below it."""
    head = f"  {STATUS[rule['status']]:<8} {rule['id']}"
    if rule_kind(rule) == "automated":
        head += f"  [{severity_word(lang, rule.get('severity'))}] {findings_phrase(finding_count(rule), lang)}"
    lines = [f"{head} — {localized(rule.get('title'), lang)}"]
    if rule.get("error"):
        lines.append(f"{INDENT}{rule['error']}")
    lines += [f"{INDENT}{unjudged_phrase(u, lang)}" for u in rule.get("unjudged", ())]
    findings = rule.get("findings") or []
    lines += [f"{INDENT}{finding['message']}" for finding in findings[:SHOWN]]
    hidden = len(findings) - SHOWN
    if hidden > 0:
        lines.append(f"{INDENT}{label(lang, 'and_more', n=format_count(hidden, lang))}; {TOTALS[lang]['all_keys']}")
    return lines


def unjudged_phrase(unjudged: Mapping[str, Any], lang: str) -> str:
    """`12 rows of access_log not judged: unknown value in actor_kind (see 4.2-unknown-code)`."""
    name = "unjudged_one" if unjudged["rows"] == 1 else "unjudged"
    return label(lang, name, n=format_count(unjudged["rows"], lang), dataset=unjudged["dataset"],
                 column=unjudged["column"], see=unjudged["see"])


def render(report: dict, lang: str = "nl") -> str:
    """The terminal text; informational clauses are left out, they need no action."""
    check_lang(lang)
    lines = [f"{tool_label(report)} · {pack_label(report)} · {label(lang, 'as_of')} {report.get('as_of', '')}", ""]
    for article in articles(report):
        rules = [rule for rule in article.rules if rule["status"] != "informational"]
        if not rules:
            continue
        lines.append(article.heading(lang))
        for rule in sorted(rules, key=lambda rule: ATTENTION.get(rule["status"], len(ATTENTION))):
            lines += _rule_lines(rule, lang)
        lines.append("")
    if report.get("unread"):
        lines += [label(lang, "unread", files=", ".join(report["unread"])), ""]
    summary = {"expired": 0, **report["summary"]}  # `expired` is not among the contract's required counts
    lines += [TOTALS[lang]["summary"].format(**summary), TOTALS[lang]["controls"].format(**summary)]
    return "\n".join(lines) + "\n"
