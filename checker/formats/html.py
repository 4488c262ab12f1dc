"""The report as one self-contained HTML page, for the external auditor.

Everything the auditor files is in the one file: no scripts, no fonts or images from the
network, the chart as inline SVG, the stylesheet inline. Every value from the report passes
through `esc`, so a rule id, key or message can never become markup.
"""

from __future__ import annotations

import html
from functools import lru_cache
from importlib import resources
from string import Template
from typing import Any, Iterable, Mapping

from .attestations import attestation
from .findings import finding_count, is_waived, key_columns, open_count, rule_kind
from .grouping import Article, Clause, articles, rules_by_id
from .labels import SEVERITIES, check_lang, findings_phrase, format_count, label, localized, rules_phrase, severity_word, status_word
from .summary import pack_label, summary_rows, tool_label
from .waivers import waiver_reason, waivers
from .xmltext import clean_text

KEYS_SHOWN = 100  # keys in the open table; the rest wait inside <details>

SEVERITY_COLOURS = {"critical": "#7d2020", "high": "#c0533f", "medium": "#d9a441", "low": "#8fa9c2"}

PAGE = Template(
    """<!DOCTYPE html>
<html lang="$lang">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="$generator">
<title>$title</title>
<style>
$css</style>
</head>
<body>
$header
<main>
$body
</main>
<footer class="report-footer">$footer</footer>
</body>
</html>
"""
)


def render(report: dict, lang: str = "nl") -> str:
    """The whole page; a pure function of the report and the language."""
    check_lang(lang)
    arts = articles(report)
    generator = tool_label(report) or "reglement"
    body = [
        _toc(arts, lang),
        _summary(report, lang),
        _chart(arts, lang),
        *(_article(article, lang) for article in arts),
        _manual_section(arts, lang),
        _coverage(report, arts, lang),
        _data_read(report, lang),
    ]
    return PAGE.substitute(
        lang=esc(lang),
        generator=esc(generator),
        title=esc(f"{label(lang, 'report_title')} — {pack_label(report)} — {report.get('as_of', '')}"),
        css=_stylesheet(),
        header=_header(report, lang),
        body="\n".join(part for part in body if part),
        footer=esc(f"{label(lang, 'generated_by')} {generator}"),
    )


def esc(value: Any) -> str:
    """Escape for text and attribute values alike (quotes included)."""
    return html.escape(clean_text(value), quote=True)


@lru_cache(maxsize=1)
def _stylesheet() -> str:
    return resources.files(__package__).joinpath("report.css").read_text(encoding="utf-8")


def _anchor(prefix: str, name: Any) -> str:
    """A fragment id that is safe in a URL and in an attribute, whatever the rule id holds."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in clean_text(name))
    return f"{prefix}-{safe}"


# ----------------------------------------------------------------------------- header and summary


def _header(report: Mapping[str, Any], lang: str) -> str:
    run = report.get("run") or {}
    facts = [
        (label(lang, "rulepack"), pack_label(report)),
        (label(lang, "as_of"), report.get("as_of", "")),
        (label(lang, "tool"), tool_label(report)),
        (label(lang, "engine"), report.get("engine")),
        (label(lang, "started"), run.get("started_at")),
        (label(lang, "duration"), f"{run['seconds']:.1f} s" if isinstance(run.get("seconds"), (int, float)) else None),
    ]
    items = "".join(f"<div><dt>{esc(term)}</dt><dd>{esc(value)}</dd></div>" for term, value in facts if value)
    subtitle = localized((report.get("rulepack") or {}).get("title"), lang) or pack_label(report)
    return (
        '<header class="report-header"><div class="inner">'
        f"<h1>{esc(label(lang, 'report_title'))}</h1>"
        f'<p class="subtitle">{esc(subtitle)}</p>'
        f"<dl>{items}</dl></div></header>"
    )


def _toc(arts: list[Article], lang: str) -> str:
    entries = "".join(
        f'<li><a href="#{esc(_anchor("art", article.number))}">{esc(article.heading(lang))}</a> '
        f'<span class="toc-count">({esc(findings_phrase(sum(article.findings_by_severity().values()), lang))})</span></li>'
        for article in arts
    )
    return f'<nav class="toc panel"><h2>{esc(label(lang, "contents"))}</h2><ol>{entries}</ol></nav>' if arts else ""


def _summary(report: Mapping[str, Any], lang: str) -> str:
    cards = "".join(
        f'<div class="card k-{esc(field)}" data-key="{esc(field)}">'
        f'<span class="n">{esc(format_count(count, lang))}</span><span class="w">{esc(word)}</span></div>'
        for field, word, count in summary_rows(report, lang)
    )
    return f'<section class="panel" id="summary"><h2>{esc(label(lang, "summary"))}</h2><div class="cards">{cards}</div></section>'


# ----------------------------------------------------------------------------- chart


def _chart(arts: list[Article], lang: str) -> str:
    """A horizontal stacked bar per article with findings; SVG so it needs no script and prints."""
    rows = [(article, article.findings_by_severity()) for article in arts]
    rows = [(article, totals) for article, totals in rows if sum(totals.values())]
    title = f'<h2>{esc(label(lang, "chart_title"))}</h2>'
    if not rows:
        return f'<section class="panel chart" id="chart">{title}<p class="empty-note">{esc(label(lang, "no_findings"))}</p></section>'
    return f'<section class="panel chart" id="chart">{title}{_svg(rows, lang)}</section>'


def _svg(rows: list[tuple[Article, dict[str, int]]], lang: str) -> str:
    label_w, bar_w, row_h, top = 110, 820, 30, 34
    width, height = label_w + bar_w + 70, top + row_h * len(rows) + 8
    biggest = max(sum(totals.values()) for _, totals in rows)
    bars = "".join(_bar(i, article, totals, biggest, (label_w, bar_w, row_h, top), lang) for i, (article, totals) in enumerate(rows))
    aria = esc(label(lang, "chart_title"))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="findings-chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{aria}">'
        f"<title>{aria}</title>{_legend(lang, label_w)}{bars}</svg>"
    )


def _legend(lang: str, x: int) -> str:
    items = []
    for severity in SEVERITIES:
        items.append(
            f'<rect x="{x}" y="8" width="12" height="12" rx="2" fill="{SEVERITY_COLOURS[severity]}"/>'
            f'<text x="{x + 18}" y="18">{esc(severity_word(lang, severity))}</text>'
        )
        x += 100
    return f'<g class="legend">{"".join(items)}</g>'


def _bar(index: int, article: Article, totals: dict[str, int], biggest: int, geometry: tuple[int, int, int, int], lang: str) -> str:
    label_w, bar_w, row_h, top = geometry
    y = top + index * row_h
    x, segments = float(label_w), []
    for severity, count in totals.items():
        if not count:
            continue
        width = max(bar_w * count / biggest, 3.0)
        tip = f"{severity_word(lang, severity)}: {format_count(count, lang)}"
        segments.append(
            f'<rect class="seg" data-severity="{severity}" x="{x:.1f}" y="{y + 4}" width="{width:.1f}" height="{row_h - 10}" '
            f'fill="{SEVERITY_COLOURS[severity]}"><title>{esc(tip)}</title></rect>'
        )
        x += width
    total = sum(totals.values())
    name = f"{label(lang, 'article')} {article.number}"
    return (
        f'<g class="bar" data-article="{esc(article.number)}" data-total="{total}">'
        f'<text class="axis-label" x="0" y="{y + row_h / 2 + 4:.0f}">{esc(name)}</text>{"".join(segments)}'
        f'<text class="total" x="{x + 6:.1f}" y="{y + row_h / 2 + 4:.0f}">{esc(format_count(total, lang))}</text></g>'
    )


# ----------------------------------------------------------------------------- articles and rules


def _article(article: Article, lang: str) -> str:
    total = sum(article.findings_by_severity().values())
    stats = f"{rules_phrase(len(article.rules), lang)} · {findings_phrase(total, lang)}"
    parts = [f'<h2>{esc(article.heading(lang))}</h2><p class="article-stats">{esc(stats)}</p>']
    parts += [_clause(clause, article.rules_of(clause.clause), lang) for clause in article.clauses]
    leftovers = article.unclaused_rules()
    if leftovers:
        parts.append(_clause(Clause(label(lang, "other_rules"), "", ()), leftovers, lang, covered=True))
    anchor = esc(_anchor("art", article.number))
    return f'<section class="article" id="{anchor}" data-article="{esc(article.number)}">{"".join(parts)}</section>'


def _clause(clause: Clause, rules: list[Mapping[str, Any]], lang: str, covered: bool = False) -> str:
    """A clause's Dutch text, its own rules, and a pointer to rules filed under another clause."""
    flag = "" if covered or clause.rule_ids else f' <span class="uncovered-flag">{esc(label(lang, "uncovered"))}</span>'
    quote = f'<blockquote class="clause-text" lang="nl">{esc(clause.text)}</blockquote>' if clause.text else ""
    own = {str(rule.get("id")) for rule in rules}
    elsewhere = [rule_id for rule_id in clause.rule_ids if rule_id not in own]
    see_also = ""
    if elsewhere:
        links = ", ".join(_rule_link(rule_id) for rule_id in elsewhere)
        see_also = f'<p class="see-also">{esc(label(lang, "see_also"))}: {links}</p>'
    cards = "".join(_rule(rule, lang) for rule in rules)
    return f'<div class="clause" id="{esc(_anchor("clause", clause.clause))}"><h3>{esc(clause.clause)}{flag}</h3>{quote}{see_also}{cards}</div>'


def _rule_link(rule_id: Any) -> str:
    return f'<a href="#{esc(_anchor("rule", rule_id))}"><code>{esc(rule_id)}</code></a>'


def _badge(status: str, lang: str) -> str:
    return f'<span class="badge badge-{esc(status)}" data-status="{esc(status)}">{esc(status_word(lang, status))}</span>'


def _rule(rule: Mapping[str, Any], lang: str) -> str:
    status = str(rule.get("status", ""))
    kind = rule_kind(rule)
    head = [_badge(status, lang), f'<h4><code class="rule-id">{esc(rule.get("id"))}</code>{esc(localized(rule.get("title"), lang))}</h4>']
    if rule.get("severity"):
        head.append(f'<span class="sev sev-{esc(rule["severity"])}">{esc(severity_word(lang, rule["severity"]))}</span>')
    if kind == "automated":
        count = finding_count(rule)
        waived = count - open_count(rule)
        note = f' <span class="waived-count">({esc(label(lang, "waived_count", n=format_count(waived, lang)))})</span>' if waived else ""
        head.append(f'<span class="count" data-count="{count}">{esc(findings_phrase(count, lang))}{note}</span>')
    body = [f'<div class="rule-head">{"".join(head)}</div>', _rule_meta(rule, lang), _rule_body(rule, kind, lang)]
    return (
        f'<article class="rule status-{esc(status)}" id="{esc(_anchor("rule", rule.get("id")))}" '
        f'data-rule-id="{esc(rule.get("id"))}" data-status="{esc(status)}" data-kind="{esc(kind)}">{"".join(body)}</article>'
    )


def _rule_meta(rule: Mapping[str, Any], lang: str) -> str:
    bits = [f"{label(lang, 'clause')} {rule.get('article', '')}"]
    if rule.get("dataset"):
        bits.append(f"{label(lang, 'dataset')}: {rule['dataset']}")
    if rule.get("source"):
        bits.append(f"{label(lang, 'source')}: {rule['source']}")
    return f'<p class="meta">{" · ".join(esc(bit) for bit in bits)}</p>'


def _rule_body(rule: Mapping[str, Any], kind: str, lang: str) -> str:
    parts = []
    if rule.get("error"):
        parts.append(f'<div class="error-box"><strong>{esc(label(lang, "error_text"))}</strong><pre>{esc(rule["error"])}</pre></div>')
    parts += [f'<p class="waiver">{esc(label(lang, "waiver"))}: {esc(waiver.text(lang))}</p>' for waiver in waivers(rule)]
    if rule.get("see"):
        parts.append(f'<p class="see-also">{esc(label(lang, "see_also"))}: {", ".join(_rule_link(rule_id) for rule_id in rule["see"])}</p>')
    if kind == "manual":
        parts.append(_attestation_block(rule, lang))
    if rule.get("findings"):
        parts.append(_key_tables(rule, lang))
    return "".join(parts)


def _attestation_block(rule: Mapping[str, Any], lang: str) -> str:
    rows = []
    if rule.get("evidence"):
        rows.append((label(lang, "evidence_expected"), rule["evidence"]))
    found = attestation(rule)
    if found:
        rows += [
            (label(lang, "attested_by"), found.by),
            (label(lang, "attested_on"), found.date),
            (label(lang, "evidence"), found.evidence),
            (label(lang, "valid_until"), found.valid_until),
        ]
    items = "".join(f"<dt>{esc(term)}</dt><dd>{esc(value or label(lang, 'none'))}</dd>" for term, value in rows)
    if rule.get("status") == "expired":
        items += f'<dt></dt><dd><span class="expired-note">{esc(label(lang, "attestation_expired"))}</span></dd>'
    missing = "" if found else f'<p><span class="not-attested">{esc(label(lang, "not_attested"))}</span></p>'
    return f'<div class="attestation"><dl>{items}</dl>{missing}</div>'


def _key_tables(rule: Mapping[str, Any], lang: str) -> str:
    """The offending keys: the first hundred in the open, the rest folded so thousands don't swamp the page."""
    findings = list(rule.get("findings") or ())
    columns = key_columns(findings)
    with_waivers = any(is_waived(finding) for finding in findings)
    shown = _key_table(findings[:KEYS_SHOWN], columns, 0, with_waivers, lang)
    rest = findings[KEYS_SHOWN:]
    if not rest:
        return shown
    more = esc(label(lang, "show_more", n=format_count(len(rest), lang)))
    return f'{shown}<details class="more-keys"><summary>{more}</summary>{_key_table(rest, columns, KEYS_SHOWN, with_waivers, lang)}</details>'


def _key_table(findings: list[Mapping[str, Any]], columns: list[str], offset: int, with_waivers: bool, lang: str) -> str:
    head = "".join(f"<th>{esc(column)}</th>" for column in columns)
    waiver_head = f'<th>{esc(label(lang, "waiver"))}</th>' if with_waivers else ""
    rows = "".join(_key_row(offset + i + 1, finding, columns, with_waivers, lang) for i, finding in enumerate(findings))
    return (
        f'<table class="keys"><thead><tr><th class="num">#</th><th>{esc(label(lang, "dataset"))}</th>{head}'
        f'<th>{esc(label(lang, "message"))}</th>{waiver_head}</tr></thead><tbody>{rows}</tbody></table>'
    )


def _key_row(number: int, finding: Mapping[str, Any], columns: list[str], with_waivers: bool, lang: str) -> str:
    key = finding.get("key") or {}
    cells = "".join(f'<td class="key">{esc(key.get(column, ""))}</td>' for column in columns)
    waived = is_waived(finding)
    waiver = ""
    if with_waivers:
        waiver = f'<td>{_badge("waived", lang)} {esc(waiver_reason(finding, lang))}</td>' if waived else "<td></td>"
    css = ' class="waived-row"' if waived else ""
    return (
        f'<tr{css}><td class="num idx">{number}</td><td>{esc(finding.get("dataset", ""))}</td>{cells}'
        f'<td class="msg">{esc(finding.get("message", ""))}</td>{waiver}</tr>'
    )


# ----------------------------------------------------------------------------- overview sections


def _table(caption_id: str, title: str, headers: Iterable[str], rows: Iterable[str], extra_class: str = "") -> str:
    head = "".join(f"<th>{esc(header)}</th>" for header in headers)
    body = "".join(rows)
    return (
        f'<section class="panel" id="{caption_id}"><h2>{esc(title)}</h2>'
        f'<table class="{extra_class}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></section>'
    )


def _manual_section(arts: list[Article], lang: str) -> str:
    controls = [rule for article in arts for rule in article.rules if rule_kind(rule) == "manual"]
    if not controls:
        return ""
    headers = [label(lang, name) for name in ("control", "clause", "status", "attested_by", "attested_on", "evidence", "valid_until")]
    return _table("manual-controls", label(lang, "manual_controls"), headers, (_manual_row(rule, lang) for rule in controls), "manual")


def _manual_row(rule: Mapping[str, Any], lang: str) -> str:
    found = attestation(rule)
    expected = rule.get("evidence")
    hint = f'<div class="hint">{esc(label(lang, "evidence_expected"))}: {esc(expected)}</div>' if expected else ""
    lead = (
        f'<td>{_rule_link(rule.get("id"))}<div>{esc(localized(rule.get("title"), lang))}</div>{hint}</td>'
        f'<td>{esc(rule.get("article", ""))}</td><td>{_badge(str(rule.get("status", "")), lang)}</td>'
    )
    if not found:
        return f'<tr data-rule-id="{esc(rule.get("id"))}">{lead}<td colspan="4"><span class="not-attested">{esc(label(lang, "not_attested"))}</span></td></tr>'
    cells = "".join(
        f'<td class="{css}">{esc(value)}</td>'
        for css, value in (("", found.by), ("date", found.date), ("", found.evidence), ("date", found.valid_until))
    )
    return f'<tr data-rule-id="{esc(rule.get("id"))}">{lead}{cells}</tr>'


def _coverage(report: Mapping[str, Any], arts: list[Article], lang: str) -> str:
    """Clause → rules and controls; a clause nothing covers is highlighted for the auditor."""
    known = rules_by_id(report)
    rows = [_coverage_row(clause.clause, clause.rule_ids, known, lang) for article in arts for clause in article.clauses]
    if not rows:
        return ""
    headers = [label(lang, "clause"), label(lang, "covered_by"), label(lang, "coverage_state")]
    return _table("coverage", label(lang, "coverage"), headers, rows, "coverage")


def _coverage_row(clause: str, rule_ids: tuple[str, ...], known: Mapping[str, Mapping[str, Any]], lang: str) -> str:
    covered = bool(rule_ids)
    entries = []
    for rule_id in rule_ids:
        rule = known.get(rule_id)
        badge = _badge(str(rule.get("status", "")), lang) if rule else ""
        kind = f" ({label(lang, rule_kind(rule))})" if rule else ""
        entries.append(f"<div>{badge}{_rule_link(rule_id)}{esc(kind)}</div>")
    state = label(lang, "covered" if covered else "uncovered")
    if not entries:
        entries.append(esc(label(lang, "none")))
    return (
        f'<tr class="{"covered" if covered else "uncovered"}" data-clause="{esc(clause)}"><td>{esc(clause)}</td>'
        f'<td class="coverage-ids">{"".join(entries)}</td><td class="coverage-state">{esc(state)}</td></tr>'
    )


def _data_read(report: Mapping[str, Any], lang: str) -> str:
    """Dataset, path, rows and hash: the evidence of exactly which export was audited."""
    data = report.get("data") or {}
    if not data:
        return ""
    rows = (
        f'<tr data-dataset="{esc(name)}"><td>{esc(name)}</td><td class="path">{esc(info.get("path", ""))}</td>'
        f'<td class="num">{esc(format_count(info.get("rows", 0), lang))}</td><td class="hash">{esc(info.get("sha256", ""))}</td></tr>'
        for name, info in data.items()
    )
    headers = [label(lang, "dataset"), label(lang, "path"), label(lang, "rows"), label(lang, "sha256")]
    return _table("data-read", label(lang, "data_read"), headers, rows, "data")
