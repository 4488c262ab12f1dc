"""Control characters written out, for the formats a person reads in a terminal or an editor.

A key or a file name comes from the export, and the export may hold `\\x1b[2J` (clear the
screen), an OSC sequence that retitles the window, or a carriage return that writes over
the `FAIL` before it. The text and Markdown reports show such a character as the four
characters `\\x1b` instead, so what the reader sees is what the data holds. The Unicode
bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) are written out too
(`\\u202e`): they would show a key's characters in another order than they are.
"""

from __future__ import annotations

import re

# C0 controls, DEL and C1 controls (a lone 0x9b is a CSI to some terminals), bidi overrides and isolates.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def visible(value: object, keep: str = "\t") -> str:
    """The value as text with every control character but those in `keep` escaped as `\\xNN` (`\\uNNNN`)."""
    text = "" if value is None else str(value)
    return _CONTROLS.sub(lambda found: found[0] if found[0] in keep else _escaped(found[0]), text)


def _escaped(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
