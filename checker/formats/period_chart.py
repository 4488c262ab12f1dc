"""The period report's chart: one article's findings per audit date, as inline SVG.

A bar per audit date for the findings, and inside it a narrower bar for those awaiting review (and one for
the confirmed violations, where there are any): the operation of a control read at a glance, left to right.
SVG, as the audit report's chart (`html_chart.py`): no script, nothing from the network, printed with the
page; each date's group says its figures in a `<title>` and in `data-*` attributes.
"""

from __future__ import annotations

import math

from .html_markup import esc
from .labels import format_count, label

COLOURS = {"findings": "#8fa9c2", "awaiting_review": "#d9a441", "confirmed": "#7d2020"}
NAMES = {"findings": "findings", "awaiting_review": "period_awaiting", "confirmed": "period_confirmed"}
WIDTH, HEIGHT = 960, 200
BAR = 56  # the widest a date's bar gets, however few the dates
LEFT, RIGHT, TOP, BOTTOM = 52, 12, 34, 34


def timeline(rows: list[dict], lang: str, caption: str) -> str:
    """The chart of one article's rows (one per audit date, as `period.figures` gives them)."""
    series = ["findings", "awaiting_review"] + (["confirmed"] if any(r["confirmed"] for r in rows) else [])
    top = _ceiling(max((r[name] for r in rows for name in series), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(rows), 1)
    every = max(1, math.ceil(len(rows) * 66 / plot_w))  # a date label needs about 66 units
    parts = [_legend(series, lang), _grid(top, plot_w, plot_h, lang)]
    for i, row in enumerate(rows):
        parts.append(_date(i, row, series, top, slot, plot_h, lang, shown=i % every == 0))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="period-chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{esc(caption)}">'
        f"<title>{esc(caption)}</title>{''.join(parts)}</svg>"
    )


def _ceiling(biggest: int) -> int:
    """The top of the scale: the biggest value up to ten, above that the first round number at least as big
    (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten); at least 1."""
    if biggest <= 10:
        return max(biggest, 1)
    power = 10 ** math.floor(math.log10(biggest))
    return next(int(step * power) for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10) if step * power >= biggest)


def _legend(series: list[str], lang: str) -> str:
    x, items = LEFT, []
    for name in series:
        word = label(lang, NAMES[name])
        items.append(f'<rect x="{x}" y="8" width="12" height="12" rx="2" fill="{COLOURS[name]}"/>'
                     f'<text x="{x + 18}" y="18">{esc(word)}</text>')
        x += 30 + 8 * len(word)
    return f'<g class="legend">{"".join(items)}</g>'


def _grid(top: int, plot_w: float, plot_h: float, lang: str) -> str:
    """Lines at nought, half and the top of the scale, each with its value."""
    marks = [0, top // 2, top] if top % 2 == 0 else [0, top]
    lines = []
    for value in marks:
        y = TOP + plot_h - plot_h * value / top
        lines.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w:.0f}" y1="{y:.1f}" y2="{y:.1f}"/>'
                     f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{esc(format_count(value, lang))}</text>')
    return f'<g class="grid">{"".join(lines)}</g>'


def _date(index: int, row: dict, series: list[str], top: int, slot: float, plot_h: float, lang: str,
          shown: bool) -> str:
    """One audit date: its bars, nested from the widest (findings) to the narrowest, and its label."""
    centre = LEFT + slot * (index + 0.5)
    bars = []
    for depth, name in enumerate(series):
        width = min(slot * 0.64, BAR) * (1, 0.6, 0.3)[depth]
        height = plot_h * row[name] / top
        bars.append(f'<rect class="{esc(name)}" x="{centre - width / 2:.1f}" y="{TOP + plot_h - height:.1f}" '
                    f'width="{width:.1f}" height="{height:.1f}" fill="{COLOURS[name]}"/>')
    tip = f"{row['as_of']}: " + ", ".join(f"{label(lang, NAMES[n]).lower()} {format_count(row[n], lang)}"
                                          for n in series)
    text = (f'<text class="axis-label" x="{centre:.1f}" y="{HEIGHT - 12}" text-anchor="middle">'
            f"{esc(row['as_of'])}</text>") if shown else ""
    return (f'<g class="date" data-as-of="{esc(row["as_of"])}" data-findings="{row["findings"]}" '
            f'data-awaiting="{row["awaiting_review"]}"><title>{esc(tip)}</title>{"".join(bars)}{text}</g>')
