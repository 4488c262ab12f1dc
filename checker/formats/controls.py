"""What a reader cannot see, written out: one notation for every format a person reads.

A key, a message or a file name comes from the export, and the export may hold characters
that show as nothing, or as something else. `U01` followed by a zero-width space looks like
`U01`, so that "U01 is not a known user" reads as a lie while U01 is one; `André` with its
accent as a character of its own (NFD) looks like the `André` of the known id (NFC); a
no-break space looks like a space; `\\x1b[2J` clears the screen and a carriage return writes
over the `FAIL` before it; a bidirectional override shows a key's characters in another order.

Every format a person reads (text, Markdown, HTML, JUnit, SARIF's messages, the errors on
stderr) writes such a character as its code point between angle brackets: `U01⟨U+200B⟩`,
`Andre⟨U+0301⟩`, `C17⟨U+001B⟩[2J`. The bracket itself is written so (`⟨U+27E8⟩`) where the
data holds one, so the notation cannot be forged. The JSON report keeps every key and
message exactly: it is the evidence, and baselines and waivers match on it.

`visible` writes out, in a value from the export:

- control characters (Cc: C0, DEL, C1), but those a format keeps (`keep`);
- format characters (Cf): zero-width space and joiners, word joiner, byte order mark, soft
  hyphen, bidirectional marks, overrides and isolates, tags;
- private use (Co), lone surrogates (Cs) and unassigned code points (Cn, the noncharacters
  U+FFFE and U+FFFF among them);
- line and paragraph separators (Zl, Zp) and every space but the ASCII one (Zs: no-break,
  thin, em, ideographic, …);
- the default-ignorable characters of other categories, which fonts draw as nothing (the
  combining grapheme joiner, variation selectors, Hangul fillers, Mongolian selectors,
  Khmer inherent vowels), and the braille blank;
- in text that is not in Unicode's composed form (NFC): each character of a letter's
  sequence that NFC would change (`e` + U+0301 is `e⟨U+0301⟩`; the Ångström sign U+212B,
  whose NFC is `Å`, is `⟨U+212B⟩`).

`harmless` writes out only what would act on a terminal (controls, bidirectional overrides
and isolates, line separators), in the same notation, for the text that is the pack's or the
tool's own (titles, clause texts, labels): a no-break space in a regulation's text is the
author's typography, not a key that lies.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import pyarrow as pa
import pyarrow.compute as pc

OPEN, CLOSE = "\u27e8", "\u27e9"  # ⟨ ⟩ MATHEMATICAL LEFT/RIGHT ANGLE BRACKET
_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})
# Default_Ignorable_Code_Point outside the categories above, and the braille blank.
_IGNORABLE = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u2800\u3164\uffa0"
    + "".join(map(chr, range(0xFE00, 0xFE10))) + "".join(map(chr, range(0xE0100, 0xE01F0))))
# C0 controls, DEL and C1 controls (a lone 0x9b is a CSI to some terminals), bidi overrides and
# isolates, line and paragraph separators: what `harmless` writes out.
_ACTING = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
# What `visible` looks at in ASCII text: the controls.
_ASCII_CONTROLS = re.compile("[\x00-\x1f\x7f]")
# The same set as `visible`, for Arrow's RE2 (which names no Cn: an unassigned code point is one of no
# other category), to find the few values of a column that need a look; the notation's bracket too.
_UNSEEN_CLASS = (r"[\p{Cc}\p{Cf}\p{Co}\p{Zl}\p{Zp}\x{00A0}\x{1680}\x{2000}-\x{200A}\x{202F}\x{205F}\x{3000}"
                 r"\x{034F}\x{115F}\x{1160}\x{17B4}\x{17B5}\x{180B}-\x{180F}\x{2800}\x{3164}\x{FFA0}"
                 r"\x{FE00}-\x{FE0F}\x{E0100}-\x{E01EF}\x{27E8}]|[^\p{L}\p{M}\p{N}\p{P}\p{S}\p{Z}\p{C}]")


def written(char: str) -> str:
    """One character in the notation: `⟨U+200B⟩`."""
    return f"{OPEN}U+{ord(char):04X}{CLOSE}"


@lru_cache(maxsize=4096)
def unseen(char: str) -> bool:
    """Whether a reader cannot see this character, or cannot tell it from another (see the module)."""
    category = unicodedata.category(char)
    return category in _CATEGORIES or (category == "Zs" and char != " ") or char in _IGNORABLE


def visible(value: object, keep: str = "") -> str:
    """The value as text, every character a reader cannot see written out (`⟨U+200B⟩`), but those in `keep`."""
    text = "" if value is None else str(value)
    if text.isascii():
        return _ASCII_CONTROLS.sub(lambda found: found[0] if found[0] in keep else written(found[0]), text)
    changed = _not_composed(text)
    return "".join(written(ch) if i in changed or ch == OPEN or (unseen(ch) and ch not in keep) else ch
                   for i, ch in enumerate(text))


def harmless(value: object, keep: str = "\t") -> str:
    """The value as text with every character that would act on a terminal, but those in `keep`, written out."""
    text = "" if value is None else str(value)
    return _ACTING.sub(lambda found: found[0] if found[0] in keep else written(found[0]), text)


def visible_texts(values: pa.Array, keep: str = "") -> pa.Array:
    """`visible` for a whole column of text: the few values that need it are found with Arrow's kernels
    (a character of the set, or text that NFC changes) and only those are written out in Python."""
    values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    if values.null_count == len(values):
        return values
    needs = pc.fill_null(pc.or_(pc.match_substring_regex(values, _UNSEEN_CLASS),  # `keep` is Python's to apply
                                pc.not_equal(pc.utf8_normalize(values, "NFC"), values)), False)
    if not pc.any(needs).as_py():
        return values
    where = pc.indices_nonzero(needs)
    shown = pa.array([visible(v, keep) for v in pc.take(values, where).to_pylist()], values.type)
    return pc.replace_with_mask(values, needs, shown)


def _not_composed(text: str) -> frozenset[int]:
    """The positions of the characters that make `text` other than its NFC: in each letter's sequence
    (a character and the marks that combine with it) that NFC changes, every character but a first one
    NFC keeps."""
    if unicodedata.is_normalized("NFC", text):
        return frozenset()
    marked: set[int] = set()
    start = 0
    for end in range(1, len(text) + 1):
        if end < len(text) and not _starts_sequence(text[end - 1], text[end]):
            continue
        sequence = text[start:end]
        if not unicodedata.is_normalized("NFC", sequence):
            first = start + 1 if unicodedata.is_normalized("NFC", sequence[0]) else start
            marked.update(range(first, end))
        start = end
    return frozenset(marked)


def _starts_sequence(before: str, char: str) -> bool:
    """Whether `char` begins a sequence of its own: it combines with nothing before it (a Hangul vowel
    and some Indic vowel signs combine although their combining class is 0)."""
    if unicodedata.combining(char):
        return False
    pair = before + char
    return unicodedata.normalize("NFC", pair) == unicodedata.normalize("NFC", before) + unicodedata.normalize(
        "NFC", char)
