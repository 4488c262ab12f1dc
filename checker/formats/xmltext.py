"""Text that every format can carry: XML 1.0 forbids some characters that JSON and Python allow."""

from __future__ import annotations

import re
from typing import Any

# C0 controls (but tab, LF, CR), lone surrogates and U+FFFE/U+FFFF: illegal in XML 1.0 and
# meaningless in HTML, so no renderer lets them through.
_ILLEGAL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# The same class for Arrow's RE2, over text that is valid UTF-8 (so without lone surrogates).
ILLEGAL_CLASS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x{fffe}\x{ffff}]"


def clean_text(value: Any) -> str:
    """The value as text without characters that XML 1.0 forbids and HTML only tolerates."""
    return _ILLEGAL_CHARS.sub("", "" if value is None else str(value))
