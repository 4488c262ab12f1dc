"""The report for a terminal: grouped by article, failures first in each article."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, TextIO

from .controls import harmless, visible
from .findings import finding_count, findings_of, is_waived, rule_kind, waived_count
from .grouping import articles, regulations
from .labels import count_of, findings_phrase, format_count, label, localized, rows_phrase, severity_word
from .periods import period
from .populations import explained, explained_caption, of_population, overlapping, unjudged_phrase
from .reviews import ReviewCounts, review_counts, review_of, review_text, stale_lines
from .summary import audit_moment_label, pack_label, tool_label, waived_findings

# The closing lines keep their own wording: CI scripts and tests/test_cli.py match the Dutch summary.
TOTALS = {
    "nl": {"summary": "{rules}: {passed} in orde, {failed} met bevindingen, {errors}; {findings}",
           "controls": "handmatige controles: {manual} open, {attested} bevestigd, {expired} verlopen",
           "all_keys": "alle sleutels staan in --format json"},
    "en": {"summary": "{rules}: {passed} passed, {failed} failed, {errors}; {findings}",
           "controls": "manual controls: {manual} open, {attested} attested, {expired} expired",
           "all_keys": "every key is in --format json"},
}
# Short codes in one column, in the report's language, capitals for what needs action, so the eye finds them when
# scrolling.
STATUS = {"nl": {"passed": "ok", "failed": "NIET OK", "error": "FOUT", "waived": "vrijgesteld", "manual": "handmatig",
                 "attested": "bevestigd", "expired": "VERLOPEN", "informational": "info"},
          "en": {"passed": "ok", "failed": "FAIL", "error": "ERROR", "waived": "waived", "manual": "manual",
                 "attested": "attested", "expired": "EXPIRED", "informational": "info"}}
STATUS_WIDTH = {lang: max(8, *map(len, codes.values())) for lang, codes in STATUS.items()}
INDENT = {lang: " " * (3 + width) for lang, width in STATUS_WIDTH.items()}  # under the rule's id
ATTENTION = {"error": 0, "failed": 1, "expired": 2, "manual": 3}  # first within an article; the rest keep their order
SHOWN = 10


def _rule_lines(rule: Mapping[str, Any], lang: str) -> list[str]:
    """One line per rule, then its error and its first findings indented below it, waived ones marked."""
    head = f"  {STATUS[lang][rule['status']]:<{STATUS_WIDTH[lang]}} {rule['id']}"
    if rule_kind(rule) == "automated":
        judged = of_population(rule, lang)
        head += f"  [{severity_word(lang, rule.get('severity'))}] {counted(rule, lang)}{' ' + judged if judged else ''}"
    lines = [f"{head} — {localized(rule.get('title'), lang)}"]
    if rule.get("error"):
        lines.append(f"{INDENT[lang]}{visible(rule['error'])}")
    lines += [f"{INDENT[lang]}{unjudged_phrase(u, lang)}" for u in rule.get("unjudged", ())]
    lines += _explained_lines(rule, lang)
    findings = findings_of(rule)
    counts = review_counts(rule)
    if counts and len(findings):
        lines.append(f"{INDENT[lang]}{counts.text(lang)}")
    lines += [f"{INDENT[lang]}{visible(f['message'])}{_mark(f, lang)}" for f in findings[:SHOWN]]
    hidden = len(findings) - SHOWN
    if hidden > 0:
        more = label(lang, "and_more", n=format_count(hidden, lang))
        lines.append(f"{INDENT[lang]}{more}; {TOTALS[lang]['all_keys']}")
    return lines + [f"{INDENT[lang]}{visible(line)}" for line in stale_lines(rule, lang)]


def _mark(finding: Mapping[str, Any], lang: str) -> str:
    """`  [justified (J. de Vries, 2026-11-30)]` after a reviewed finding, `  [waived]` after a waived one."""
    review = review_of(finding)
    if review is not None:
        return f"  [{visible(review_text({**review, 'note': ''}, lang))}]"
    return f"  [{label(lang, 'waived_word')}]" if is_waived(finding) else ""


def _explained_lines(rule: Mapping[str, Any], lang: str) -> list[str]:
    """The rows each explanation holds for, then the unexplained ones (the findings), numbers first so
    that they align whatever the titles: `  19,123  86.4%  On the worker's caseload (caseload)`."""
    lines = explained(rule, lang)
    if not lines:
        return []
    counts = [format_count(line.rows, lang) for line in lines]
    width, share_width = max(map(len, counts)), max(len(line.share) for line in lines)
    rows = [f"{INDENT[lang]}  {count:>{width}}  {line.share:>{share_width}}  {line.named}"
            for count, line in zip(counts, lines)]
    note = [f"{INDENT[lang]}  ({label(lang, 'explained_note')})"] if overlapping(rule, lines) else []
    return [f"{INDENT[lang]}{explained_caption(rule, lang)}:", *rows, *note]


def counted(rule: Mapping[str, Any], lang: str) -> str:
    """`7 findings`, or `7 findings (1 waived)`: the waived part in the words every format uses."""
    waived = waived_count(rule)
    note = f" ({label(lang, 'waived_count', n=format_count(waived, lang))})" if waived else ""
    return findings_phrase(finding_count(rule), lang) + note


def write(report: dict, lang: str, out: TextIO) -> None:
    """The terminal text, an article at a time; informational clauses are left out, they need no action.

    What the export holds (messages, errors, file names) is written with every character a reader
    cannot see written out (`controls.visible`), and every line with what would act on a terminal
    written out (`controls.harmless`): a key's newline cannot forge a line of its own, nor an escape
    sequence in a title clear the screen."""
    for line in _lines(report, lang):
        out.write(harmless(line) + "\n")


def _lines(report: dict, lang: str) -> Iterator[str]:
    yield f"{tool_label(report)} · {pack_label(report)} · {label(lang, 'as_of')} {audit_moment_label(report)}"
    yield ""
    previous = None
    arts = articles(report)
    regs = regulations(report, arts)
    for article in arts:
        rules = [rule for rule in article.rules if rule["status"] != "informational"]
        if not rules:
            continue
        if len(regs) > 1 and article.regulation != previous:  # a pack of several regulations: each one's heading
            heading = next(r.heading(lang) for r in regs if r.code == article.regulation)
            yield from (heading, "=" * len(heading), "")
        previous = article.regulation
        yield article.heading(lang)
        for rule in sorted(rules, key=lambda rule: ATTENTION.get(rule["status"], len(ATTENTION))):
            yield from _rule_lines(rule, lang)
        yield ""
    yield from _data_lines(report, lang)
    if report.get("unread"):
        yield label(lang, "unread", files=", ".join(map(visible, report["unread"])))
        yield ""
    summary = {"expired": 0, **report["summary"]}  # `expired` is not among the contract's required counts
    waived = waived_findings(report)
    note = f" ({label(lang, 'waived_count', n=format_count(waived, lang))})" if waived else ""
    nouns = {"rules": "rule", "errors": "error", "findings": "finding"}  # `1 regel`, `1 fout`, `1 bevinding`
    yield TOTALS[lang]["summary"].format(**{**summary, **{k: count_of(summary[k], noun, lang)
                                                          for k, noun in nouns.items()}}) + note
    yield TOTALS[lang]["controls"].format(**summary)
    if summary.get("reviewed") or summary.get("confirmed"):  # a report without reviews keeps its two closing lines
        counts = (summary["reviewed"], summary.get("confirmed", 0), summary.get("awaiting_review", 0))
        yield ReviewCounts(*counts).text(lang)


def _data_lines(report: Mapping[str, Any], lang: str) -> Iterator[str]:
    """Each dataset read, its rows and its period (`access_log  110 rows  ts: 2024-02-01 – 2026-10-27`);
    nothing for a report that names no data."""
    data = {name: info for name, info in (report.get("data") or {}).items() if isinstance(info, Mapping)}
    if not data:
        return
    rows = {name: rows_phrase(int(info.get("rows") or 0), lang) for name, info in data.items()}
    periods = {name: period(info) for name, info in data.items()}
    name_width, rows_width = max(map(len, map(visible, data))), max(map(len, rows.values()))
    column_width = max((len(visible(p.column)) + 1 for p in periods.values() if p), default=0)
    yield label(lang, "data_read")
    for name, info in data.items():
        found = periods[name]
        shown = (f"  {visible(found.column) + ':':<{column_width}} {visible(found.span(lang, info.get('rows')))}"
                 if found else "")
        yield f"  {visible(name):<{name_width}}  {rows[name]:>{rows_width}}{shown}".rstrip()
    yield ""
