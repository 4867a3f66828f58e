"""Header keys: the form in which column headers are compared.

Presets, the synonym table and the column guesser all work on header keys, so
that case, accents, punctuation and quoting never decide whether a column is
recognised.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence

__all__ = ["header_key", "header_keys", "header_signature", "header_words"]

# Anything that is not a letter or digit in any script separates words; "_" is
# a word character for the regex engine, so it is listed explicitly.
_SEPARATORS = re.compile(r"[\W_]+")


def header_key(header: str) -> str:
    """Return the comparison key of a column header.

    The key is casefolded, without accents, BOM, quotes or surrounding
    whitespace, and every run of punctuation, underscores, dashes or spaces is
    one space: ``"E-mail Address"`` -> ``"e mail address"``,
    ``"UNSUB_TIME"`` -> ``"unsub time"``.  Letters of other scripts are kept.
    Headers that differ only in case, accents, quoting or punctuation get the
    same key.
    """
    if header is None:
        return ""
    text = unicodedata.normalize("NFKD", str(header))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold()
    return _SEPARATORS.sub(" ", text).strip()


def header_keys(headers: Iterable[str]) -> list[str]:
    """The header key of each header, in order."""
    return [header_key(h) for h in headers]


# Splits "email2" / "address1" into words for the guessers only; header_key
# itself keeps them whole so stored signatures never change meaning.
_WORDS = re.compile(r"[^\W\d_]+|\d+")


def header_words(key: str) -> list[str]:
    """The words of a header key, with runs of digits apart: ``"email2"`` -> ``["email", "2"]``."""
    return _WORDS.findall(key)


_SIGNATURE_VERSION = "omnidesk-header-keys-v1"


def header_signature(headers: Sequence[str]) -> str:
    """Return a stable hex digest of the header keys, in order.

    Files whose headers differ only in case, spacing, accents, quoting or
    punctuation get the same signature; a different order, a renamed, added or
    missing column gives another one.  Used to remember a user's corrected
    mapping for files of the same shape.
    """
    digest = hashlib.sha256(_SIGNATURE_VERSION.encode("utf-8"))
    for key in header_keys(headers):
        # A separator that header_key can never produce keeps ["a b"] and
        # ["a", "b"] apart.
        digest.update(b"\x1f")
        digest.update(key.encode("utf-8"))
    return digest.hexdigest()
