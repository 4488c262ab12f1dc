"""The HTML page's chart: open findings per article, stacked by severity, as inline SVG.

SVG so the chart needs no script, no image from the network, and prints with the page.
"""

from __future__ import annotations

from .grouping import Article
from .html_markup import esc
from .labels import SEVERITIES, format_count, label, severity_word

SEVERITY_COLOURS = {"critical": "#7d2020", "high": "#c0533f", "medium": "#d9a441", "low": "#8fa9c2"}


def chart(arts: list[Article], lang: str) -> str:
    """A horizontal stacked bar per article with findings; a note instead when there are none."""
    rows = [(article, article.findings_by_severity()) for article in arts]
    rows = [(article, totals) for article, totals in rows if sum(totals.values())]
    title = f'<h2>{esc(label(lang, "chart_title"))}</h2>'
    if not rows:
        empty = f'<p class="empty-note">{esc(label(lang, "no_findings"))}</p>'
        return f'<section class="panel chart" id="chart">{title}{empty}</section>'
    return f'<section class="panel chart" id="chart">{title}{_svg(rows, lang)}</section>'


def _svg(rows: list[tuple[Article, dict[str, int]]], lang: str) -> str:
    """The drawing itself, scaled so the article with the most findings fills the bar width."""
    # the labels' column as wide as the longest citation ("Privacyreglement 12" as well as "Artikel 5"), at about
    # 7.5 units a character of the 13px label; the bars take the rest of the same width
    label_w = max(110, round(7.5 * max(len(article.cite(lang)) for article, _ in rows)) + 12)
    bar_w, row_h, top = 930 - label_w, 30, 34
    width, height = label_w + bar_w + 70, top + row_h * len(rows) + 8
    biggest = max(sum(totals.values()) for _, totals in rows)
    geometry = (label_w, bar_w, row_h, top)
    bars = "".join(_bar(i, article, totals, biggest, geometry, lang) for i, (article, totals) in enumerate(rows))
    aria = esc(label(lang, "chart_title"))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="findings-chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{aria}">'
        f"<title>{aria}</title>{_legend(lang, label_w)}{bars}</svg>"
    )


def _legend(lang: str, x: int) -> str:
    """One swatch per severity, so the colours can be read without the tooltips."""
    items = []
    for severity in SEVERITIES:
        items.append(
            f'<rect x="{x}" y="8" width="12" height="12" rx="2" fill="{SEVERITY_COLOURS[severity]}"/>'
            f'<text x="{x + 18}" y="18">{esc(severity_word(lang, severity))}</text>'
        )
        x += 100
    return f'<g class="legend">{"".join(items)}</g>'


def _bar(index: int, article: Article, totals: dict[str, int], biggest: int, geometry: tuple[int, int, int, int],
         lang: str) -> str:
    """One article's bar; every segment at least 3 units wide so a single finding stays visible."""
    label_w, bar_w, row_h, top = geometry
    y = top + index * row_h
    x, segments = float(label_w), []
    for severity, count in totals.items():
        if not count:
            continue
        width = max(bar_w * count / biggest, 3.0)
        tip = f"{severity_word(lang, severity)}: {format_count(count, lang)}"
        segments.append(
            f'<rect class="seg" data-severity="{severity}" x="{x:.1f}" y="{y + 4}" '
            f'width="{width:.1f}" height="{row_h - 10}" fill="{SEVERITY_COLOURS[severity]}">'
            f"<title>{esc(tip)}</title></rect>"
        )
        x += width
    total = sum(totals.values())
    name = article.cite(lang)
    return (
        f'<g class="bar" data-article="{esc(article.ref)}" data-total="{total}">'
        f'<text class="axis-label" x="0" y="{y + row_h / 2 + 4:.0f}">{esc(name)}</text>{"".join(segments)}'
        f'<text class="total" x="{x + 6:.1f}" y="{y + row_h / 2 + 4:.0f}">{esc(format_count(total, lang))}</text></g>'
    )
