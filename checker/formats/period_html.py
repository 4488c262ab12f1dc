"""The period report as one self-contained HTML page: the figures of `checker/period.py`, article by article.

The audit report's page, framed the same way (`html.PAGE`, its stylesheet, `esc` for every value): a header
with the period, the contents, every article together, then each article with its chart (`period_chart.py`),
its figures per audit date, its times to handle and the oldest findings still open. No script; prints on A4.
"""

from __future__ import annotations

from string import Template
from typing import TextIO

from .html import END, PAGE, stylesheet
from .html_markup import esc, esc_visible
from .labels import format_count, label, localized
from .period_cells import (
    COLUMNS,
    OPEN_SHOWN,
    article_anchor,
    count_text,
    days_text,
    facts,
    heading,
    key_text,
    time_rows,
)
from .period_chart import timeline
from .summary import pack_label, tool_label


def write(figures: dict, lang: str, out: TextIO) -> None:
    period = figures["period"]
    generator = tool_label(figures) or "reglement"
    title = f"{label(lang, 'period_title')} — {pack_label(figures)} — {period['from']} – {period['to']}"
    body = [_toc(figures, lang), _section("totals", label(lang, "period_totals"), figures["totals"], lang)]
    body += [_section(article_anchor(a), heading(a, lang), a, lang, a) for a in figures["articles"]]
    if figures["without_rules"]:
        without = label(lang, "period_without_rules", articles=", ".join(figures["without_rules"]))
        body.append(f'<p class="lang-note">{esc(without)}</p>')
    out.write(PAGE.substitute(lang=esc(lang), generator=esc(generator), title=esc(title),
                              css=stylesheet() + stylesheet("period.css"), header=_header(figures, lang),
                              body="\n".join(body)))
    out.write(Template(END).substitute(footer=esc(f"{label(lang, 'generated_by')} {generator}")))


def _header(figures: dict, lang: str) -> str:
    items = "".join(f"<div><dt>{esc(term)}</dt><dd>{esc(value)}</dd></div>" for term, value in facts(figures, lang))
    subtitle = localized((figures.get("rulepack") or {}).get("title"), lang) or pack_label(figures)
    return ('<header class="report-header"><div class="inner">'
            f"<h1>{esc(label(lang, 'period_title'))}</h1>"
            f'<p class="subtitle">{esc(subtitle)}</p><dl>{items}</dl></div></header>')


def _toc(figures: dict, lang: str) -> str:
    entries = [f'<li><a href="#totals">{esc(label(lang, "period_totals"))}</a></li>']
    for article in figures["articles"]:
        last = article["rows"][-1] if article["rows"] else {"findings": 0}
        entries.append(f'<li><a href="#{esc(article_anchor(article))}">{esc(heading(article, lang))}</a> '
                       f'<span class="toc-count">({esc(format_count(last["findings"], lang))})</span></li>')
    return f'<nav class="toc panel"><h2>{esc(label(lang, "contents"))}</h2><ol>{"".join(entries)}</ol></nav>'


def _section(ident: str, heading: str, part: dict, lang: str, article: dict | None = None) -> str:
    """Every article together (`article` None) or one article: chart, figures per audit date, times, open."""
    number = f' data-article="{esc(article["article"])}"' if article else ""
    rules = ""
    if article:
        rules = ('<p class="period-rules">' + esc(label(lang, "rules")) + ": "
                 + ", ".join(f"<code>{esc(r)}</code>" for r in article["rules"]) + "</p>")
    caption = f"{label(lang, 'period_chart')} — {heading}"
    pieces = [f'<section class="panel period-article" id="{esc(ident)}"{number}><h2>{esc(heading)}</h2>', rules,
              f'<figure class="period-figure">{timeline(part["rows"], lang, caption)}</figure>',
              _dates(part["rows"], lang), _times(part["times"], lang)]
    if article:
        pieces.append(_open(article["open"], lang))
    else:
        pieces.append(f'<p class="explained-note">{esc(label(lang, "period_note"))}</p>')
    return "".join(pieces) + "</section>"


def _dates(rows: list[dict], lang: str) -> str:
    not_run = any(r["not_run"] for r in rows)
    head = "".join(f'<th class="num">{esc(label(lang, name))}</th>' for _, name in COLUMNS)
    head = f"<th>{esc(label(lang, 'as_of'))}</th>{head}" + (f"<th>{esc(label(lang, 'period_not_run'))}</th>"
                                                          if not_run else "")
    body = []
    for row in rows:
        cells = "".join(f'<td class="num" data-key="{key}">{esc(count_text(row[key], lang))}</td>'
                        for key, _ in COLUMNS)
        skipped = (f"<td>{', '.join(f'<code>{esc(r)}</code>' for r in row['not_run'])}</td>" if not_run else "")
        body.append(f'<tr data-as-of="{esc(row["as_of"])}"><td class="date">{esc(row["as_of"])}</td>{cells}{skipped}'
                    "</tr>")
    return (f'<table class="period-dates"><caption>{esc(label(lang, "period_dates"))}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")


def _times(times: dict, lang: str) -> str:
    head = f"<th>{esc(label(lang, 'period_measure'))}</th>" + "".join(
        f'<th class="num">{esc(label(lang, name))}</th>' for name in ("count", "period_median", "period_max"))
    body = "".join(f'<tr data-time="{key}"><td>{esc(name)}</td><td class="num">{esc(format_count(n, lang))}</td>'
                   f'<td class="num">{esc(days_text(median, lang))}</td>'
                   f'<td class="num">{esc(days_text(most, lang))}</td></tr>'
                   for key, name, n, median, most in time_rows(times, lang))
    return (f'<table class="period-times"><caption>{esc(label(lang, "period_times"))}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def _open(found: list[dict], lang: str) -> str:
    """The oldest findings still open at the end of the period, with their age."""
    if not found:
        return ""
    head = "".join(f"<th>{esc(label(lang, name))}</th>" for name in ("rule", "dataset", "key", "period_first_seen"))
    head += f'<th class="num">{esc(label(lang, "period_age"))}</th>'
    body = "".join(f'<tr><td><code>{esc(f["rule"])}</code></td><td>{esc_visible(f["dataset"])}</td>'
                   f'<td class="key">{esc_visible(key_text(f["key"]))}</td><td class="date">{esc(f["first_seen"])}</td>'
                   f'<td class="num">{esc(format_count(f["age_days"], lang))}</td></tr>' for f in found[:OPEN_SHOWN])
    shown = label(lang, "period_open_shown", shown=OPEN_SHOWN, n=format_count(len(found), lang))
    more = f'<p class="keys-elsewhere">{esc(shown)}</p>' if len(found) > OPEN_SHOWN else ""
    return (f'<table class="period-open"><caption>{esc(label(lang, "period_open"))}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}")
