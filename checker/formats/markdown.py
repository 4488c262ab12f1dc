"""The report as GitHub-flavoured Markdown, for a pull request comment or a wiki page.

Short on purpose: a summary, one table of rules per article, and the first keys of each failed
rule. Every value goes through `cell`, so a `|`, `<`, backtick or newline in a key or message
cannot break a table or turn into markup, nor an escape sequence reach the terminal that shows it;
what the export holds (keys, messages, errors) is written with every character a reader cannot
see written out (`controls.visible`: `U01⟨U+200B⟩`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, TextIO

from .attestations import attestation
from .controls import harmless, visible
from .findings import finding_count, findings_of, is_waived, key_text, rule_kind, waived_count
from .grouping import Article, articles, regulations
from .labels import findings_phrase, format_count, label, localized, rules_phrase, severity_word, status_word
from .periods import any_period, period
from .populations import explained, explained_caption, of_population, overlapping, unjudged_phrase, unjudged_rows
from .reviews import review_counts, review_of, review_text, stale_lines, with_reviews
from .summary import audit_moment_label, pack_label, summary_rows, tool_label
from .waivers import waiver_reason
from .xmltext import clean_text

KEYS_SHOWN = 20
REVIEW_COLUMNS = ("not_judged", "reviewed", "confirmed", "awaiting")

STATUS_ICONS = {
    "passed": "✅",
    "failed": "❌",
    "error": "⚠️",
    "manual": "📝",
    "attested": "☑️",
    "expired": "⌛",
    "waived": "➖",
    "informational": "ℹ️",
}

_BACKSLASHED = "\\`*[]|"
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def write(report: dict, lang: str, out: TextIO) -> None:
    """The whole document, a block (the title, the summary, an article) at a time."""
    arts = articles(report)
    reviewed = with_reviews(report)
    blocks = (_title(report, lang), _summary(report, lang), *_regulations(report, arts, lang, reviewed),
              _manual(arts, lang), _data(report, lang))
    for i, block in enumerate(b for b in blocks if b):
        out.write(("\n\n" if i else "") + block)
    out.write("\n")


def cell(value: Any) -> str:
    """Escape one value for a table cell or heading: one line, no markup, no column break, no
    control character (escaped visibly; line breaks become `<br>`)."""
    text = clean_text(harmless(value, keep="\t\n\r"))
    out = []
    for index, ch in enumerate(text):
        if ch in _BACKSLASHED or (ch == "_" and not _inside_word(text, index)):
            out.append("\\" + ch)
        elif ch in _ENTITIES:
            out.append(_ENTITIES[ch])
        else:
            out.append(ch)
    return "".join(out).replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


def _inside_word(text: str, index: int) -> bool:
    """An underscore between two letters or digits (`client_id`) can never start emphasis in GFM."""
    return 0 < index < len(text) - 1 and text[index - 1].isalnum() and text[index + 1].isalnum()


def gfm_table(headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: frozenset[int] = frozenset()) -> str:
    """A GFM table; cells must already be escaped. Columns in `numeric` align right."""
    rule = ["---:" if index in numeric else "---" for index in range(len(headers))]
    lines = [_row(headers), _row(rule)] + [_row(row) for row in rows]
    return "\n".join(lines)


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _status(status: str, lang: str) -> str:
    icon = STATUS_ICONS.get(status, "")
    return f"{icon} {cell(status_word(lang, status))}".strip()


def _title(report: Mapping[str, Any], lang: str) -> str:
    facts = [
        (label(lang, "rulepack"), pack_label(report)),
        (label(lang, "as_of"), audit_moment_label(report)),
        (label(lang, "tool"), tool_label(report)),
    ]
    line = " · ".join(f"**{cell(term)}:** {cell(value)}" for term, value in facts if value)
    return f"# {cell(label(lang, 'report_title'))}\n\n{line}"


def _summary(report: Mapping[str, Any], lang: str) -> str:
    rows = [[cell(word), format_count(count, lang)] for _, word, count in summary_rows(report, lang)]
    table = gfm_table([cell(label(lang, "status")), cell(label(lang, "count"))], rows, numeric=frozenset({1}))
    return f"## {cell(label(lang, 'summary'))}\n\n{table}"


def _regulations(report: Mapping[str, Any], arts: list[Article], lang: str, reviewed: bool) -> Iterator[str]:
    """The articles, under a heading per regulation where the pack checks several (`## AVG — …`, each
    article a level below it); one regulation's articles are headings of their own, as they always were."""
    regs = regulations(report, arts)
    if len(regs) < 2:
        yield from (_article(a, lang, reviewed) for a in arts)
        return
    for regulation in regs:
        yield f"## {cell(regulation.heading(lang))}"
        yield from (_article(a, lang, reviewed, "###") for a in regulation.articles)


def _article(article: Article, lang: str, reviewed: bool, level: str = "##") -> str:
    total = sum(article.findings_by_severity().values())
    stats = f"{rules_phrase(len(article.rules), lang)} · {findings_phrase(total, lang)}"
    parts = [f"{level} {cell(article.heading(lang))}", f"_{cell(stats)}_"]
    if article.rules:
        parts.append(_rules_table(article, lang, reviewed))
    parts += [_rule_detail(rule, lang) for rule in article.rules if _has_detail(rule)]
    return "\n\n".join(parts)


def _rules_table(article: Article, lang: str, reviewed: bool) -> str:
    """A row per rule; a report with reviews (schema 1.3) adds the rows not judged and the review counts."""
    names = ("rule", "clause", "status", "severity", "findings") + (REVIEW_COLUMNS if reviewed else ())
    rows = [
        [
            cell(rule.get("id", "")),
            cell(article.clause(rule.get("article", ""))),
            _status(str(rule.get("status", "")), lang),
            cell(severity_word(lang, rule.get("severity")) if rule.get("severity") else label(lang, "none")),
            _count_cell(rule, lang),
        ] + (_review_cells(rule, lang) if reviewed else [])
        for rule in article.rules
    ]
    return gfm_table([cell(label(lang, name)) for name in names], rows, numeric=frozenset(range(4, len(names))))


def _review_cells(rule: Mapping[str, Any], lang: str) -> list[str]:
    """Rows not judged, findings reviewed, confirmed and awaiting review; dashes for controls and clauses."""
    counts, unjudged = review_counts(rule), unjudged_rows(rule)
    if counts is None or unjudged is None:
        return [label(lang, "none")] * len(REVIEW_COLUMNS)
    return [format_count(n, lang) for n in (unjudged, counts.reviewed, counts.confirmed, counts.awaiting)]


def _count_cell(rule: Mapping[str, Any], lang: str) -> str:
    """All findings of the rows judged (`12 of 48,210`), with the waived part in brackets; a dash for controls
    and clauses."""
    if rule_kind(rule) != "automated":
        return label(lang, "none")
    count = finding_count(rule)
    waived = waived_count(rule)
    judged = of_population(rule, lang)
    extra = f" ({cell(label(lang, 'waived_count', n=format_count(waived, lang)))})" if waived else ""
    return format_count(count, lang) + (f" {cell(judged)}" if judged else "") + extra


def _has_detail(rule: Mapping[str, Any]) -> bool:
    return ((rule.get("status") in ("failed", "waived") and bool(finding_count(rule))) or bool(rule.get("error"))
            or bool(explained(rule, "en")) or bool(rule.get("unjudged")) or bool(stale_lines(rule, "en")))


def _rule_detail(rule: Mapping[str, Any], lang: str) -> str:
    """The error of a broken rule, or the rows it could not judge, its explanations and the first keys of a
    failed one (reviewed and waived ones marked, with the verdict or the reason), so the fix can start here."""
    heading = f"#### {cell(rule.get('id', ''))} — {cell(localized(rule.get('title'), lang))}"
    if rule.get("error"):
        error = cell(visible(rule["error"]))
        return f"{heading}\n\n> **{cell(label(lang, 'error_text'))}:** {error}"
    notes = [f"- {cell(unjudged_phrase(u, lang))}" for u in rule.get("unjudged") or ()]
    notes += [f"- {cell(visible(line))}" for line in stale_lines(rule, lang)]
    parts = [heading, "\n".join(notes), _explanations(rule, lang)]
    if rule.get("status") in ("failed", "waived") and finding_count(rule):
        parts.append(_keys(rule, lang))
    return "\n\n".join(part for part in parts if part)


def _keys(rule: Mapping[str, Any], lang: str) -> str:
    """The first keys, with a column for the verdict or waiver when one of them has it."""
    shown = findings_of(rule)[:KEYS_SHOWN]
    marked = any(is_waived(f) or review_of(f) for f in shown)
    column = "review" if any(review_of(f) for f in shown) else "waiver"
    rows = [[cell(visible(key_text(f.get("key") or {}))), cell(f.get("dataset", "")),
             cell(visible(f.get("message", "")))]
            + ([_verdict_cell(f, lang)] if marked else []) for f in shown]
    names = ("key", "dataset", "message", column) if marked else ("key", "dataset", "message")
    table = gfm_table([cell(label(lang, name)) for name in names], rows)
    hidden = finding_count(rule) - len(rows)
    more = f"\n\n{cell(label(lang, 'and_more', n=format_count(hidden, lang)))}" if hidden > 0 else ""
    return table + more


def _explanations(rule: Mapping[str, Any], lang: str) -> str:
    """The rows each explanation holds for and, last and in bold, the unexplained ones (the findings);
    empty for a rule without explanations."""
    lines = explained(rule, lang)
    if not lines:
        return ""
    headers = [cell(label(lang, name)) for name in ("explanation", "explanation_id", "rows", "share")]
    rows = [[cell(line.title), cell(line.id), format_count(line.rows, lang), cell(line.share)] if not line.unexplained
            else [f"**{cell(line.title)}**", label(lang, "none"), f"**{format_count(line.rows, lang)}**",
                  f"**{cell(line.share)}**" if line.share else ""]
            for line in lines]
    note = f"\n\n_{cell(label(lang, 'explained_note'))}_" if overlapping(rule, lines) else ""
    table = gfm_table(headers, rows, numeric=frozenset({2, 3}))
    return f"**{cell(explained_caption(rule, lang))}**\n\n{table}{note}"


def _verdict_cell(finding: Mapping[str, Any], lang: str) -> str:
    """The review's verdict of a reviewed finding, `➖ Vrijgesteld: reason` for a waived one, empty for an open one."""
    review = review_of(finding)
    if review is not None:
        return f"**{cell(review_text(review, lang))}**"
    if not is_waived(finding):
        return ""
    return f"{_status('waived', lang)}: {cell(waiver_reason(finding, lang))}"


def _manual(arts: list[Article], lang: str) -> str:
    controls = [(article, rule) for article in arts for rule in article.rules if rule_kind(rule) == "manual"]
    if not controls:
        return ""
    headers = [cell(label(lang, name)) for name in ("control", "clause", "status", "attested_by", "valid_until")]
    rows = []
    for article, rule in controls:
        found = attestation(rule)
        who = cell(found.by) if found else f"_{cell(label(lang, 'not_attested'))}_"
        until = cell(found.valid_until) if found else label(lang, "none")
        rows.append([cell(rule.get("id", "")), cell(article.clause(rule.get("article", ""))),
                     _status(str(rule.get("status", "")), lang), who, until])
    return f"## {cell(label(lang, 'manual_controls'))}\n\n{gfm_table(headers, rows)}"


def _data(report: Mapping[str, Any], lang: str) -> str:
    """The datasets read, their rows and, where the report gives it, their period; nothing without data."""
    data = {name: info for name, info in (report.get("data") or {}).items() if isinstance(info, Mapping)}
    if not data:
        return ""
    with_period = any_period(report)
    names = ("dataset", "rows", "period") if with_period else ("dataset", "rows")
    rows = []
    for name, info in data.items():
        row = [cell(visible(name)), format_count(int(info.get("rows") or 0), lang)]
        if with_period:
            found = period(info)
            row.append(cell(visible(found.text(lang, info.get("rows")))) if found else label(lang, "none"))
        rows.append(row)
    table = gfm_table([cell(label(lang, name)) for name in names], rows, numeric=frozenset({1}))
    return f"## {cell(label(lang, 'data_read'))}\n\n{table}"
