"""People's names as files write them: re-cased when typed in one case, split into first, middle and last.

Like every cell reader these never raise on bad data (see :mod:`omnidesk.core.cells`).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from omnidesk.core.cells import clean_cell

__all__ = ["NameParts", "compose_full_name", "normalize_name", "parse_full_name", "split_full_name"]


_PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "del", "della", "da", "das", "di", "do", "dos", "du", "ter", "ten"}
)
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
_ROMAN = frozenset({"ii", "iii", "iv"})
_HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "dr", "prof", "mx"})


def _cap_part(part: str) -> str:
    if not part:
        return part
    low = part.lower()
    if low.startswith("mc") and len(low) > 3 and low[2].isalpha():
        return "Mc" + low[2].upper() + low[3:]
    return low[0].upper() + low[1:]


def _recase_word(word: str, first: bool) -> str:
    low = word.lower()
    if not first and low in _PARTICLES:
        return low
    if low.rstrip(".") in _ROMAN:
        return word.upper()
    out = []
    for piece in re.split(r"(-)", low):
        # O'Neil, D'Angelo: a one-letter prefix before the apostrophe; "Bob's"
        # keeps its lower-case s.
        m = re.match(r"^([a-z\u00c0-\u024f])(['\u2019])(.+)$", piece)
        if m:
            out.append(m.group(1).upper() + m.group(2) + _cap_part(m.group(3)))
        else:
            out.append(_cap_part(piece))
    return "".join(out)


def normalize_name(raw: str) -> str:
    """Trim and collapse spaces; re-case only text typed all upper or all
    lower case ("JOHN O'NEIL" -> "John O'Neil", "jan van der berg" ->
    "Jan van der Berg").  Mixed case is kept exactly as typed."""
    text = " ".join(clean_cell(raw).split())
    if not text:
        return ""
    has_cased = any(ch.isupper() or ch.islower() for ch in text)
    if not has_cased or not (text.isupper() or text.islower()):
        return text
    return " ".join(_recase_word(w, i == 0) for i, w in enumerate(text.split(" ")))


def _bare(token: str) -> str:
    return token.rstrip(".,").lower()


@dataclass(frozen=True)
class NameParts:
    """A person's name split for first/last, keeping every word.

    ``full`` is the name as written (spaces collapsed, re-cased as
    ``normalize_name`` does), in given-names-first order: "Barry, Mamadou
    Moustapha" is kept as "Mamadou Moustapha Barry".
    """

    first: str = ""
    middle: str = ""
    last: str = ""
    full: str = ""


@functools.lru_cache(maxsize=1)
def _surname_particles() -> frozenset[str]:
    """Words that start a family name ("van der", "de la", "bin", "al", "St", "Mac").

    nameparser's list of surname prefixes (it knows many languages), without the few
    that are as often a given name or a word of their own in a shop's customer list.
    """
    try:
        from nameparser.config import CONSTANTS
        known = {p.lower() for p in CONSTANTS.prefixes}
    except Exception:  # a nameparser without its constants: the words below still hold
        known = set()
    known -= {"bar", "bat", "bon", "vel", "ua", "heer", "het", "tho", "thoe", "aan", "aen", "op", "te", "av", "af"}
    return frozenset(known | _PARTICLES | {"bin", "binti", "bint", "ibn", "ben", "al", "el", "abu", "la", "le"})


_NAME_SUFFIXES = _SUFFIXES | {"jnr", "snr", "esq"}
_NAME_HONORIFICS = _HONORIFICS | {"sir", "dame", "rev", "revd", "mme", "mlle", "herr", "frau", "sra", "sr.", "srta"}
_SURNAME_JOINERS = frozenset({"y", "e", "i"})  # "Ortega y Gasset", "Sousa e Silva", "Puig i Cadafalch"


def parse_full_name(raw: str) -> NameParts:
    """Split a full name into first, middle and last names, keeping the whole.

    "Last, First Middle" is recognised by its comma.  Leading honorifics (Mr,
    Dr, Prof, ...) are not names; suffixes (Jr, III) stay with the last name.
    The family name starts at the last word, reaching back over particles
    ("Jan van der Berg", "Juan de la Cruz", "Ahmad bin Ismail", "Khalid
    al-Rashid") and Spanish or Portuguese joiners ("José Ortega y Gasset").
    Every word between the first and the family name is a middle name
    ("Mamadou Moustapha Barry": Mamadou / Moustapha / Barry); a file that
    gives first and last name columns decides compound given and family
    names itself (``compose_full_name``).

    nameparser's parser gives much the same split but costs about a
    millisecond a name, a quarter of an hour for a million-row file; its
    vocabulary of surname particles is used here instead.
    """
    text = normalize_name(raw)
    if not text:
        return NameParts()
    if "," in text:
        before, after = (part.strip() for part in text.split(",", 1))
        after_tokens = after.split()
        if after_tokens and all(_bare(t) in _NAME_SUFFIXES for t in after_tokens):
            text = f"{before} {after}"
        elif before and after:
            suffix = [t for t in after_tokens[1:] if _bare(t) in _NAME_SUFFIXES]
            given = [t for t in after_tokens if t not in suffix]
            titles: list[str] = []
            while len(given) > 1 and _bare(given[0]) in _NAME_HONORIFICS:
                titles.append(given.pop(0))
            return _parts(titles, given[0], given[1:], before.split() + suffix)
        else:
            text = before or after
    tokens = text.split()
    titles = []
    while len(tokens) > 1 and _bare(tokens[0]) in _NAME_HONORIFICS:
        titles.append(tokens.pop(0))
    suffix: list[str] = []
    while len(tokens) > 2 and _bare(tokens[-1]) in _NAME_SUFFIXES:
        suffix.insert(0, tokens.pop())
    if len(tokens) == 1:
        # "Mr Smith": a title is used with the family name.
        if titles:
            return _parts(titles, "", [], tokens)
        return _parts(titles, tokens[0], [], suffix)
    particles = _surname_particles()
    start = len(tokens) - 1
    while start > 1:
        before = tokens[start - 1].lower()
        if before in particles or before.rstrip("-") + "-" in particles:
            start -= 1
        elif before in _SURNAME_JOINERS and start > 2:
            start -= 2
        else:
            break
    return _parts(titles, tokens[0], tokens[1:start], tokens[start:] + suffix)


def _parts(titles: list[str], first: str, middle: list[str], last: list[str]) -> NameParts:
    """Each part re-cased on its own ("CRANE, Edith": Crane), the whole given names first."""
    first, mid, family = normalize_name(first), normalize_name(" ".join(middle)), normalize_name(" ".join(last))
    return NameParts(first, mid, family, " ".join(x for x in (*titles, first, mid, family) if x))


def compose_full_name(first: str, middle: str, last: str) -> str:
    """The full name from a file's own first, middle and last name columns."""
    return " ".join(x for x in (first, middle, last) if x)


def split_full_name(raw: str) -> tuple[str, str]:
    """Split a full name into (first, last); see ``parse_full_name`` for the middle names."""
    parts = parse_full_name(raw)
    return parts.first, parts.last
