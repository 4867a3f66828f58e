"""Small text helpers shared by the importer, matching and search."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

_LETTERS = {"ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "OE",
            "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ı": "i"}


@lru_cache(maxsize=50_000)
def strip_accents(text: str) -> str:
    """``text`` without its accents ("María García" -> "Maria Garcia"); case and spacing kept."""
    if text.isascii():
        return text
    out = []
    for ch in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(ch):
            continue
        out.append(_LETTERS.get(ch, ch))
    return unicodedata.normalize("NFC", "".join(out))
