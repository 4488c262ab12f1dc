"""The period report's figures as words: what its HTML and Markdown forms both show, said once."""

from __future__ import annotations

import json
from typing import Any

from .grouping import cite
from .html_markup import anchor
from .labels import format_count, label, localized
from .summary import pack_label, tool_label

OPEN_SHOWN = 10  # the oldest findings still open, per article; the JSON form lists them all
COLUMNS = (("findings", "findings"), ("new", "period_new"), ("resolved", "period_resolved"),
           ("reviewed", "period_reviewed"), ("confirmed", "period_confirmed"), ("awaiting_review", "period_awaiting"))
TIMES = (("reviewed", "period_reviewed"), ("resolved", "period_resolved"), ("handled", "period_handled"))


def facts(figures: dict, lang: str) -> list[tuple[str, str]]:
    """The period, the number of reports, the pack and the tool: (term, value) for the page's head."""
    period = figures["period"]
    found = [(label(lang, "period"), f"{period['from']} – {period['to']}"),
             (label(lang, "period_reports"), format_count(period["reports"], lang)),
             (label(lang, "rulepack"), pack_label(figures)), (label(lang, "tool"), tool_label(figures))]
    return [(term, value) for term, value in found if value]


def heading(article: dict, lang: str) -> str:
    """`Artikel 5 — Toegang tot de persoonsgegevens`; `Jeugdwet 7.3.8 — …` in a pack of several regulations."""
    title = localized(article.get("title"), lang)
    base = cite(article.get("name", ""), article["article"], lang)
    return f"{base} — {title}" if title else base


def article_anchor(article: dict) -> str:
    """The fragment of an article's section: AVG 12 and Jeugdwet 12 each have their own."""
    return anchor("art", f"{article['regulation']}-{article['article']}" if article.get("regulation")
                  else article["article"])


def count_text(value: int | None, lang: str) -> str:
    """A count; a dash where there is none (new and resolved at the first audit date)."""
    return label(lang, "none") if value is None else format_count(value, lang)


def days_text(value: float | None, lang: str) -> str:
    """Days as a count; a median between two days with its half (`12,5` in Dutch); a dash for none."""
    if value is None:
        return label(lang, "none")
    if float(value).is_integer():
        return format_count(int(value), lang)
    shown = f"{value:.1f}"
    return shown.replace(".", ",") if lang == "nl" else shown


def time_rows(times: dict, lang: str) -> list[tuple[str, str, int, float | None, float | None]]:
    """(key, words, count, median, maximum) for each time to handle, then the findings open at the end."""
    rows = [(key, label(lang, name), times[key]["count"], times[key]["median_days"], times[key]["max_days"])
            for key, name in TIMES]
    still = times["open"]
    return [*rows, ("open", label(lang, "period_open"), still["count"], still["median_age_days"],
                    still["max_age_days"])]


def key_text(key: Any) -> str:
    """`client_id=C001, event_id=E7`: a key as the reader names it."""
    if isinstance(key, dict):
        return ", ".join(f"{name}={value}" for name, value in key.items())
    return json.dumps(key, ensure_ascii=False)
