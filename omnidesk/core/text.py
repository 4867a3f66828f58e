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


_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple:
    """``text`` as a person orders it: its numbers by value ("Step 2" before "Step 10"), its
    words as :func:`sort_key` reads them (case and accents aside).  The key alternates words and
    numbers, always starting with words, so any two keys compare."""
    parts = _DIGITS.split(text)
    return tuple(int(part) if n % 2 else sort_key(part) for n, part in enumerate(parts))


# Characters a name never shows: the zero-width space and word joiner, a byte order mark, the soft
# hyphen.  Pasted from a web page they sit inside a name ("Lo\u200bpez" looks like "Lopez").  The
# zero-width (non-)joiners are not among them: they change how Persian, Indic scripts and emoji are
# drawn, so "می\u200cخواهم" is not "میخواهم".
INVISIBLE = "\u00ad\u200b\u2060\ufeff"
_INVISIBLE = dict.fromkeys(map(ord, INVISIBLE))


def visible(text: str) -> str:
    """``text`` without the characters it never shows (:data:`INVISIBLE`): as the search reads a
    name and what is typed to find it, so "Lopez" finds a "Lo\u200bpez" pasted from a web form."""
    return text if text.isascii() else text.translate(_INVISIBLE)


# Turkish and Azeri İ and ı: Python's casefold makes "İ" an "i" with a combining dot above and
# leaves "ı" apart from "i", so "ISMAIL", "ismail" and "İsmail" would be three names.  As the
# search box reads them (strip_accents), both are "i".
_DOTTED_I = str.maketrans({"İ": "i", "ı": "i"})


def fold_case(text: str) -> str:
    """``text`` as a rule compares it, in any case: case folded and in one Unicode form (NFC), so a
    name a Mac export wrote decomposed is the one typed whole, with İ and ı both "i" ("İSMAİL",
    "ismail" and "İsmail" are one name, "IŞIK" is "Işık").  Accents are kept ("Jose" is not "José")."""
    if text.isascii():
        return text.lower()
    folded = unicodedata.normalize("NFC", text).translate(_DOTTED_I).casefold()
    return unicodedata.normalize("NFC", folded.replace("i\u0307", "i"))


# Control characters (C0, DEL, C1), line and paragraph separators, the bidirectional
# overrides that make a name display in another order, and lone surrogates (bytes of a
# file name that are not valid in the system's encoding).
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def printable(text: str) -> str:
    """``text`` with its control characters escaped as Python would write them
    ("bad\\nname.csv"), every other character (accents, other alphabets) kept:
    for printing file names, which may hold anything."""
    return _UNPRINTABLE.sub(lambda m: repr(m.group())[1:-1], text)


# Control characters a typed or imported value never means: C0 but tab and line breaks, DEL, C1.
# Written raw into an export they ring, recolour a terminal or end a C string; a NUL in a name
# makes it one no command line can give back.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

NAME_LIMIT = 200


def clean_line(value: object) -> str:
    """A value typed in or read from a file as it is kept on one line: control characters
    dropped, every run of spaces and line breaks one space, trimmed."""
    return " ".join(_CONTROLS.sub("", str(value or "")).split())


def clean_lines(value: object) -> str:
    """A value whose line breaks mean something (a note, a message's body): control
    characters dropped, CR LF and CR made LF, tabs and line breaks kept."""
    return _CONTROLS.sub("", str(value or "").replace("\r\n", "\n").replace("\r", "\n"))


def clean_name(value: object, what: str, *, limit: int = NAME_LIMIT) -> str:
    """A name typed in or imported (a message's, a campaign's, a segment's, the shop's): one line
    (:func:`clean_line`), not empty, at most ``limit`` characters; UserError saying why not.

    A NUL is refused rather than dropped: a name holding one cannot have come from a keyboard."""
    from omnidesk.core.errors import ValueRefused

    if not isinstance(value, str) or not clean_line(value):
        raise ValueRefused(f"A {what} needs a name.")
    if "\x00" in value:
        raise ValueRefused(f"A {what}'s name cannot hold a NUL character (\\x00).")
    name = clean_line(value)
    if len(name) > limit:
        raise ValueRefused(f"Keep a {what}'s name to {limit} characters at most (this one has {len(name):,}).")
    return name


def counted(n: int, word: str, many: str | None = None) -> str:
    """``n`` with its noun in the right number: "1 customer", "2,000 customers", "3 people"."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"
