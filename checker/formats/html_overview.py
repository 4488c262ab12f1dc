"""The HTML page's closing tables: manual controls, clause coverage and the data that was read.

The overviews an auditor files next to the detail: one row per control, clause or dataset.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .attestations import attestation
from .findings import rule_kind
from .grouping import Article, rules_by_id
from .html_markup import badge, esc, esc_visible, rule_link
from .labels import format_count, label, localized
from .periods import any_period, period


def _table(caption_id: str, title: str, headers: Iterable[str], rows: Iterable[str], extra_class: str = "") -> str:
    """A titled panel with one table; the rows come as finished markup."""
    head = "".join(f"<th>{esc(header)}</th>" for header in headers)
    body = "".join(rows)
    return (
        f'<section class="panel" id="{caption_id}"><h2>{esc(title)}</h2>'
        f'<table class="{extra_class}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></section>'
    )


def manual_section(arts: list[Article], lang: str) -> str:
    """Every manual control with its attestation; nothing when the pack has no controls."""
    controls = [(article, rule) for article in arts for rule in article.rules if rule_kind(rule) == "manual"]
    if not controls:
        return ""
    names = ("control", "clause", "status", "attested_by", "attested_on", "evidence", "valid_until")
    headers = [label(lang, name) for name in names]
    rows = (_manual_row(article, rule, lang) for article, rule in controls)
    return _table("manual-controls", label(lang, "manual_controls"), headers, rows, "manual")


def _manual_row(article: Article, rule: Mapping[str, Any], lang: str) -> str:
    """One control; a control nobody attested gets one wide cell that says so."""
    found = attestation(rule)
    expected = rule.get("evidence")
    hint = f'<div class="hint">{esc(label(lang, "evidence_expected"))}: {esc(expected)}</div>' if expected else ""
    lead = (
        f'<td>{rule_link(rule.get("id"))}<div>{esc(localized(rule.get("title"), lang))}</div>{hint}</td>'
        f'<td>{esc(article.clause(rule.get("article", "")))}</td><td>{badge(str(rule.get("status", "")), lang)}</td>'
    )
    if not found:
        return (
            f'<tr data-rule-id="{esc(rule.get("id"))}">{lead}'
            f'<td colspan="4"><span class="not-attested">{esc(label(lang, "not_attested"))}</span></td></tr>'
        )
    cells = "".join(
        f'<td class="{css}">{esc(value)}</td>'
        for css, value in (("", found.by), ("date", found.date), ("", found.evidence), ("date", found.valid_until))
    )
    return f'<tr data-rule-id="{esc(rule.get("id"))}">{lead}{cells}</tr>'


def coverage(report: Mapping[str, Any], arts: list[Article], lang: str) -> str:
    """Clause → rules and controls; a clause nothing covers is highlighted for the auditor."""
    known = rules_by_id(report)
    rows = [_coverage_row(article.clause(clause.clause), clause.rule_ids, known, lang)
            for article in arts for clause in article.clauses]
    if not rows:
        return ""
    headers = [label(lang, "clause"), label(lang, "covered_by"), label(lang, "coverage_state")]
    return _table("coverage", label(lang, "coverage"), headers, rows, "coverage")


def _coverage_row(clause: str, rule_ids: tuple[str, ...], known: Mapping[str, Mapping[str, Any]], lang: str) -> str:
    """One clause with the status and kind of each rule that covers it; a rule id the report lacks is still linked."""
    covered = bool(rule_ids)
    entries = []
    for rule_id in rule_ids:
        rule = known.get(rule_id)
        status = badge(str(rule.get("status", "")), lang) if rule else ""
        kind = f" ({label(lang, rule_kind(rule))})" if rule else ""
        entries.append(f"<div>{status}{rule_link(rule_id)}{esc(kind)}</div>")
    state = label(lang, "covered" if covered else "uncovered")
    if not entries:
        entries.append(esc(label(lang, "none")))
    return (
        f'<tr class="{"covered" if covered else "uncovered"}" data-clause="{esc(clause)}"><td>{esc(clause)}</td>'
        f'<td class="coverage-ids">{"".join(entries)}</td><td class="coverage-state">{esc(state)}</td></tr>'
    )


def data_read(report: Mapping[str, Any], lang: str) -> str:
    """Dataset, path, rows, period and hash: the evidence of exactly which export, of which months, was audited.
    The period's column is there only when the report gives some dataset a period (pack 1.2)."""
    data = report.get("data") or {}
    if not data:
        return ""
    with_period = any_period(report)
    rows = (
        f'<tr data-dataset="{esc(name)}"><td>{esc(name)}</td>'
        f'<td class="path">{esc_visible(info.get("path", ""))}</td>'
        f'<td class="num">{esc(format_count(info.get("rows", 0), lang))}</td>'
        + (_period_cell(info, lang) if with_period else "")
        + f'<td class="hash">{esc(info.get("sha256", ""))}</td></tr>'
        for name, info in data.items()
    )
    names = ("dataset", "path", "rows", "period", "sha256") if with_period else ("dataset", "path", "rows", "sha256")
    return _table("data-read", label(lang, "data_read"), [label(lang, name) for name in names], rows, "data")


def _period_cell(info: Mapping[str, Any], lang: str) -> str:
    """The time column and its earliest and latest value; `no rows` muted; a dash for a dataset without one."""
    found = period(info)
    if found is None:
        return f'<td class="period">{esc(label(lang, "none"))}</td>'
    if found.start is None and found.end is None:
        shown = f'<span class="no-rows">{esc(found.span(lang, info.get("rows")))}</span>'
    else:  # each end kept whole, so that a narrow page breaks the span at its dash
        start, _, end = found.span(lang).partition(" – ")
        shown = f'<span class="end">{esc_visible(start)}</span> – <span class="end">{esc_visible(end)}</span>'
    return (f'<td class="period" data-column="{esc(found.column)}" data-from="{esc(found.start or "")}" '
            f'data-to="{esc(found.end or "")}"><code>{esc(found.column)}</code> {shown}</td>')
