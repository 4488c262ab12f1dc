"""The period report as GitHub-flavoured Markdown: the figures of `checker/period.py`, as tables.

Every article together, then each article: its figures per audit date, its times to handle and the oldest
findings still open. Every value goes through the audit report's `markdown.cell`; no chart (a table says it).
"""

from __future__ import annotations

from typing import TextIO

from .labels import format_count, label, localized
from .markdown import cell, gfm_table
from .period_cells import COLUMNS, OPEN_SHOWN, count_text, days_text, facts, heading, key_text, time_rows


def write(figures: dict, lang: str, out: TextIO) -> None:
    blocks = [_title(figures, lang), _part(label(lang, "period_totals"), figures["totals"], lang),
              cell(label(lang, "period_note"))]
    blocks += [_part(heading(a, lang), a, lang, a) for a in figures["articles"]]
    if figures["without_rules"]:
        blocks.append(cell(label(lang, "period_without_rules", articles=", ".join(figures["without_rules"]))))
    out.write("\n\n".join(blocks) + "\n")


def _title(figures: dict, lang: str) -> str:
    line = " · ".join(f"**{cell(term)}:** {cell(value)}" for term, value in facts(figures, lang))
    subtitle = localized((figures.get("rulepack") or {}).get("title"), lang)
    return f"# {cell(label(lang, 'period_title'))}\n\n" + (f"_{cell(subtitle)}_\n\n" if subtitle else "") + line


def _part(title: str, part: dict, lang: str, article: dict | None = None) -> str:
    blocks = [f"## {cell(title)}"]
    if article:
        blocks.append(f"{cell(label(lang, 'rules'))}: " + cell(", ".join(article["rules"])))
    blocks += [_dates(part["rows"], lang), _times(part["times"], lang)]
    if article and article["open"]:
        blocks.append(_open(article["open"], lang))
    return "\n\n".join(blocks)


def _dates(rows: list[dict], lang: str) -> str:
    not_run = any(r["not_run"] for r in rows)
    headers = [cell(label(lang, "as_of")), *(cell(label(lang, name)) for _, name in COLUMNS)]
    headers += [cell(label(lang, "period_not_run"))] if not_run else []
    lines = [[cell(row["as_of"]), *(count_text(row[key], lang) for key, _ in COLUMNS)]
             + ([cell(", ".join(row["not_run"]))] if not_run else []) for row in rows]
    table = gfm_table(headers, lines, numeric=frozenset(range(1, len(COLUMNS) + 1)))
    return f"### {cell(label(lang, 'period_dates'))}\n\n{table}"


def _times(times: dict, lang: str) -> str:
    headers = [cell(label(lang, name)) for name in ("period_measure", "count", "period_median", "period_max")]
    lines = [[cell(name), format_count(n, lang), days_text(median, lang), days_text(most, lang)]
             for _, name, n, median, most in time_rows(times, lang)]
    return f"### {cell(label(lang, 'period_times'))}\n\n{gfm_table(headers, lines, numeric=frozenset({1, 2, 3}))}"


def _open(found: list[dict], lang: str) -> str:
    headers = [cell(label(lang, name)) for name in ("rule", "dataset", "key", "period_first_seen", "period_age")]
    lines = [[cell(f["rule"]), cell(f["dataset"]), cell(key_text(f["key"])), cell(f["first_seen"]),
              format_count(f["age_days"], lang)] for f in found[:OPEN_SHOWN]]
    text = f"### {cell(label(lang, 'period_open'))}\n\n{gfm_table(headers, lines, numeric=frozenset({4}))}"
    if len(found) > OPEN_SHOWN:
        text += f"\n\n_{cell(label(lang, 'period_open_shown', shown=OPEN_SHOWN, n=format_count(len(found), lang)))}_"
    return text
