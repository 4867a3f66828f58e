"""Small text helpers shared by the importer, matching and search."""

from __future__ import annotations

import re
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


def sort_key(text: str) -> str:
    """``text`` as lists sort it: without its accents and in one case ("Élodie" -> "elodie"),
    so Élodie sorts beside Elodie under E and "de Vries" beside "De Vries".

    Plain ASCII comes out as SQL's ``lower()`` gives it.  Letters of other scripts
    (kanji, Cyrillic, Arabic) are kept, their marks dropped as accents are ("й" sorts as
    "и", as in Unicode's default collation); as their code points come after "z", those
    names sort after the Latin ones, each script together.  Never empty for a non-empty
    ``text`` (a name of marks alone keeps them), so a name never reads as blank.
    """
    return strip_accents(text).casefold() or text


# Control characters (C0, DEL, C1), line and paragraph separators, the bidirectional
# overrides that make a name display in another order, and lone surrogates (bytes of a
# file name that are not valid in the system's encoding).
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def printable(text: str) -> str:
    """``text`` with its control characters escaped as Python would write them
    ("bad\\nname.csv"), every other character (accents, other alphabets) kept:
    for printing file names, which may hold anything."""
    return _UNPRINTABLE.sub(lambda m: repr(m.group())[1:-1], text)


def counted(n: int, word: str, many: str | None = None) -> str:
    """``n`` with its noun in the right number: "1 customer", "2,000 customers", "3 people"."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"
