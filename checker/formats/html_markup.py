"""The HTML page's escaping and the small pieces of markup every section of it repeats.

Every value from the report passes through `esc`, so a rule id, key or message can never
become markup; `anchor` does the same for fragment ids. What the export holds (keys, messages,
errors, file names) passes through `esc_visible` (`html_visible` for a column), which writes
every character a reader cannot see out first (`controls.visible`: `U01⟨U+200B⟩`) and sets
the notation apart (`<span class="unseen">`), so that it stands out on the page and in print.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from .controls import CLOSE, OPEN, visible, visible_texts
from .labels import status_word
from .xmltext import ILLEGAL_CLASS, clean_text

# What html.escape(quote=True) replaces, `&` first so that no entity is escaped twice.
_ENTITIES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#x27;"))
# `⟨U+200B⟩` as `visible` writes it: the data's own brackets are written so too, so every match is one.
_NOTATION = f"{OPEN}U\\+([0-9A-F]{{4,6}}){CLOSE}"
_UNSEEN = f'<span class="unseen">{OPEN}U+\\1{CLOSE}</span>'


def esc(value: Any) -> str:
    """Escape for text and attribute values alike (quotes included)."""
    return html.escape(clean_text(value), quote=True)


def html_text(values: pa.Array) -> pa.Array:
    """`esc` for a whole column at once, with Arrow's string kernels: the same text, escaped the same way."""
    cleaned = pc.replace_substring_regex(values, ILLEGAL_CLASS, "")
    for char, entity in _ENTITIES:
        cleaned = pc.replace_substring(cleaned, char, entity)
    return cleaned


def esc_visible(value: Any, keep: str = "") -> str:
    """`esc` of a value from the export, with what a reader cannot see written out and set apart."""
    return re.sub(_NOTATION, _UNSEEN, esc(visible(value, keep)))


def html_visible(values: pa.Array) -> pa.Array:
    """`esc_visible` for a whole column at once."""
    return pc.replace_substring_regex(html_text(visible_texts(values)), _NOTATION, _UNSEEN)


def anchor(prefix: str, name: Any) -> str:
    """A fragment id that is safe in a URL and in an attribute, whatever the rule id holds."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in clean_text(name))
    return f"{prefix}-{safe}"


def rule_link(rule_id: Any) -> str:
    """A link to the rule's card, so cross-references and overview tables lead to the detail."""
    return f'<a href="#{esc(anchor("rule", rule_id))}"><code>{esc(rule_id)}</code></a>'


def badge(status: str, lang: str) -> str:
    """The status as a coloured badge; `data-status` lets the stylesheet and tests find it."""
    return (f'<span class="badge badge-{esc(status)}" data-status="{esc(status)}">'
            f"{esc(status_word(lang, status))}</span>")
