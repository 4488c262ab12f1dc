"""The HTML page's escaping and the small pieces of markup every section of it repeats.

Every value from the report passes through `esc`, so a rule id, key or message can never
become markup; `anchor` does the same for fragment ids.
"""

from __future__ import annotations

import html
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from .labels import status_word
from .xmltext import ILLEGAL_CLASS, clean_text

# What html.escape(quote=True) replaces, `&` first so that no entity is escaped twice.
_ENTITIES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#x27;"))


def esc(value: Any) -> str:
    """Escape for text and attribute values alike (quotes included)."""
    return html.escape(clean_text(value), quote=True)


def html_text(values: pa.Array) -> pa.Array:
    """`esc` for a whole column at once, with Arrow's string kernels: the same text, escaped the same way."""
    cleaned = pc.replace_substring_regex(values, ILLEGAL_CLASS, "")
    for char, entity in _ENTITIES:
        cleaned = pc.replace_substring(cleaned, char, entity)
    return cleaned


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
