"""The report as one self-contained HTML page, for the external auditor.

Everything the auditor files is in the one file: no scripts, no fonts or images from the
network, the chart as inline SVG, the stylesheet inline. Every value from the report passes
through `html_markup.esc`, so a rule id, key or message can never become markup.

This module frames the page (head, header, contents, summary); the chart, the article
sections, the key tables and the closing overviews each have an `html_*` module of their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from string import Template
from typing import Any, TextIO

from .grouping import Article, articles, regulations
from .html_articles import regulation_sections
from .html_chart import chart
from .html_keys import KEYS_SHOWN
from .html_markup import anchor, esc
from .html_overview import coverage, data_read, manual_section
from .labels import findings_phrase, format_count, format_seconds, format_time, label, localized
from .summary import audit_moment_label, pack_label, summary_rows, tool_label

# Like every format module, this one names how many keys it shows before folding the rest.
__all__ = ["KEYS_SHOWN", "write"]

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
$body"""
)
END = """
</main>
<footer class="report-footer">$footer</footer>
</body>
</html>
"""


def write(report: dict, lang: str, out: TextIO) -> None:
    """The whole page, a section at a time: the article sections stream their key tables."""
    arts = articles(report)
    generator = tool_label(report) or "reglement"
    opening = [_toc(arts, lang), _summary(report, lang), chart(arts, lang)]
    out.write(PAGE.substitute(
        lang=esc(lang),
        generator=esc(generator),
        title=esc(f"{label(lang, 'report_title')} — {pack_label(report)} — {report.get('as_of', '')}"),
        css=stylesheet() + (stylesheet("regulations.css") if len(regulations(report, arts)) > 1 else ""),
        header=_header(report, lang),
        body="\n".join(part for part in opening if part),
    ))
    if arts and label(lang, "dutch_quotes"):
        out.write(f'\n<p class="lang-note" lang="{esc(lang)}">{esc(label(lang, "dutch_quotes"))}</p>')
    for piece in regulation_sections(report, arts, lang):
        out.write(piece)
    for closing in (manual_section(arts, lang), coverage(report, arts, lang), data_read(report, lang)):
        if closing:
            out.write("\n" + closing)
    out.write(Template(END).substitute(footer=esc(f"{label(lang, 'generated_by')} {generator}")))


@lru_cache(maxsize=2)
def stylesheet(name: str = "report.css") -> str:
    """A stylesheet of the package, read once: it goes inline so the page needs no second file."""
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def _header(report: Mapping[str, Any], lang: str) -> str:
    """Title and the run's facts (pack, audit date, tool, engine, timing): what the auditor cites."""
    run = report.get("run") or {}
    facts = [
        (label(lang, "rulepack"), pack_label(report)),
        (label(lang, "as_of"), audit_moment_label(report)),
        (label(lang, "tool"), tool_label(report)),
        (label(lang, "engine"), report.get("engine")),
        (label(lang, "started"), format_time(run["started_at"]) if run.get("started_at") else None),
        (label(lang, "duration"),
         format_seconds(run["seconds"], lang) if isinstance(run.get("seconds"), (int, float)) else None),
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
    """Links to every article with its count of open findings, so the auditor can go straight to them."""
    entries = "".join(
        f'<li><a href="#{esc(anchor("art", article.ref))}">{esc(article.heading(lang))}</a> '
        '<span class="toc-count">'
        f'({esc(findings_phrase(sum(article.findings_by_severity().values()), lang))})</span></li>'
        for article in arts
    )
    return f'<nav class="toc panel"><h2>{esc(label(lang, "contents"))}</h2><ol>{entries}</ol></nav>' if arts else ""


def _summary(report: Mapping[str, Any], lang: str) -> str:
    """The summary counters as cards, as the checker gave them."""
    cards = "".join(
        f'<div class="card k-{esc(field)}" data-key="{esc(field)}">'
        f'<span class="n">{esc(format_count(count, lang))}</span><span class="w">{esc(word)}</span></div>'
        for field, word, count in summary_rows(report, lang)
    )
    return (
        f'<section class="panel" id="summary"><h2>{esc(label(lang, "summary"))}</h2>'
        f'<div class="cards">{cards}</div></section>'
    )
