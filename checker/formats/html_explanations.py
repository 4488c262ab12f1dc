"""The HTML page's table of a rule's explanations: what each reason explains, and what none does.

In the rule's card, above its keys: one row per explanation in the pack's order (its title in the
reader's language, its id, the rows of the population it holds for, their share with a bar), and a
last row for the unexplained rows, which are the rule's findings. An auditor reads for
`5.1-access-unexplained` the accesses judged, the reasons the office accepts with how many each
explains, and how many no reason explains, before the keys of those.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .html_markup import esc
from .labels import format_count, label
from .populations import Explained, explained, explained_caption, overlapping, population


def explanations_table(rule: Mapping[str, Any], lang: str) -> str:
    """The table, or nothing for a rule without explanations (or without a population to count them in)."""
    lines = explained(rule, lang)
    if not lines:
        return ""
    judged = population(rule) or 0
    head = "".join(f'<th class="{css}">{esc(label(lang, name))}</th>'
                   for css, name in (("", "explanation"), ("", "explanation_id"), ("num", "rows"), ("num", "share")))
    body = "".join(_row(line, judged, lang) for line in lines if not line.unexplained)
    foot = "".join(_row(line, judged, lang) for line in lines if line.unexplained)
    note = f'<p class="explained-note">{esc(label(lang, "explained_note"))}</p>' if overlapping(rule, lines) else ""
    return (f'<div class="explanations" data-population="{judged}"><table class="explanations">'
            f"<caption>{esc(explained_caption(rule, lang))}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody><tfoot>{foot}</tfoot></table>{note}</div>")


def _row(line: Explained, judged: int, lang: str) -> str:
    """One explanation, or the unexplained; the bar is the share of the population, at least a hairline."""
    width = f"{max(100 * line.rows / judged, 0.5 if line.rows else 0):.1f}" if judged else "0"
    bar = f'<span class="bar" style="width:{width}%"></span>' if judged else ""
    css = ' class="unexplained"' if line.unexplained else ""
    name = "" if line.unexplained else f' data-explanation="{esc(line.id)}"'
    ident = esc(label(lang, "none")) if line.unexplained else f"<code>{esc(line.id)}</code>"
    return (f'<tr{css}{name} data-rows="{line.rows}"><td>{esc(line.title)}</td><td>{ident}</td>'
            f'<td class="num">{esc(format_count(line.rows, lang))}</td>'
            f'<td class="num share"><span class="share-bar">{bar}</span><span class="pct">{esc(line.share)}</span>'
            "</td></tr>")
