"""People's names as files write them: re-cased when typed in one case, split into first, middle and last.

Like every cell reader these never raise on bad data (see :mod:`omnidesk.core.cells`).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from omnidesk.core.cells import clean_cell
from omnidesk.core.text import clean_line

__all__ = ["NameParts", "compose_full_name", "family_first_script", "name_readings", "normalize_name",
           "parse_full_name", "split_full_name"]


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


def normalize_name(raw: str, *, family: bool = False) -> str:
    """Trim and collapse spaces; re-case only text typed all upper or all
    lower case ("JOHN O'NEIL" -> "John O'Neil", "jan van der berg" ->
    "Jan van der Berg").  Mixed case is kept exactly as typed.

    ``family``: a family name in a column of its own, whose first word is not
    the name's first: "VON GOETHE" is "von Goethe", as in "Johann von Goethe"
    written in one column; a particle alone ("DO", "VAN") is the name itself."""
    # NFKC: half-width katakana (ﾔﾏﾀﾞ) and full-width letters (Ｔａｒｏ) as they are read,
    # the ideographic space as a space.
    # Control characters dropped: a terminal's colour codes in a name would go raw into exports.
    text = clean_line(unicodedata.normalize("NFKC", clean_cell(raw)))
    if not text:
        return ""
    has_cased = any(ch.isupper() or ch.islower() for ch in text)
    if not has_cased or not (text.isupper() or text.islower()):
        return text
    words = text.split(" ")
    opens = 0 if family and len(words) > 1 else None  # the word treated as the name's first
    return " ".join(_recase_word(w, i == 0 and opens is None) for i, w in enumerate(words))


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


# Countries where a full name ends in two family names, the father's and the mother's
# ("Lourdes Lucero Serrato").
_TWO_SURNAMES = frozenset({"ES", "MX", "AR", "BO", "CL", "CO", "CR", "CU", "DO", "EC", "GT", "HN", "NI", "PA",
                           "PE", "PR", "PY", "SV", "UY", "VE"})


def _family_first_script(text: str) -> bool:
    """Whether every letter is Chinese, Japanese or Korean: names written family name first."""
    if text.isascii():  # most names: no letter to look up
        return False
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return False
    for ch in letters:
        name = unicodedata.name(ch, "")
        if not name.startswith(("CJK ", "HIRAGANA", "KATAKANA", "HANGUL")):
            return False
    return True


def _capitalised_family(tokens: list[str]) -> int:
    """How many leading words are a family name written in capitals ("LEJEUNE Julien", "YAMADA Taro").

    The convention of French and Japanese forms; only when a later word is not
    in capitals or the given names are initials ("COLLET C.", "MARTIN J.-P."), and not
    for two-letter words, which are as often initials themselves ("JP Morgan").
    """
    n = 0
    while n < len(tokens) - 1 and tokens[n].isupper() and sum(ch.isalpha() for ch in tokens[n]) >= 2:
        n += 1
    if n == 0 or sum(ch.isalpha() for ch in "".join(tokens[:n])) < 3:
        return 0
    rest = tokens[n:]
    if not any(ch.islower() for ch in "".join(rest)) and not all(_INITIALS.fullmatch(t) for t in rest):
        return 0  # "JOHN SMITH": all in capitals says nothing about the order
    return n


_INITIALS = re.compile(r"(?:[^\W\d_]\.-?)+")  # "J.", "J.-P."


def parse_full_name(raw: str, region: str | None = None) -> NameParts:
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

    Family name first: a name in Chinese, Japanese or Korean script ("山田
    太郎", "ヤマダ タロウ"), and one whose leading words are in capitals and
    the rest not ("LEJEUNE Julien", "YAMADA Taro").  With ``region`` (the
    file's country) one of the Spanish-speaking countries, a name of three
    words or more ends in two family names ("Lourdes Lucero Serrato"); a
    compound given name with one surname ("Francisco Javier Olivo") is then
    read wrongly, the rarer of the two readings.

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
    if _family_first_script(text):
        return _parts(titles, tokens[1], tokens[2:], tokens[:1] + suffix, family_first=True)
    # The words as typed: normalize_name re-cases a name typed all in capitals.
    capitals = _capitalised_family(" ".join(clean_cell(raw).split()).split()[len(titles):])
    if capitals and capitals < len(tokens):
        return _parts(titles, tokens[capitals], tokens[capitals + 1:], tokens[:capitals] + suffix,
                      family_first=True)
    start = _family_start(tokens, len(tokens))
    if region in _TWO_SURNAMES and start > 1:
        start = _family_start(tokens, start)
    return _parts(titles, tokens[0], tokens[1:start], tokens[start:] + suffix)


def _family_start(tokens: list[str], end: int) -> int:
    """Where the family name that ends before ``end`` starts: its last word, with particles and joiners."""
    particles = _surname_particles()
    start = end - 1
    while start > 1:
        before = tokens[start - 1].lower()
        if before in particles or before.rstrip("-") + "-" in particles:
            start -= 1
        elif before in _SURNAME_JOINERS and start > 2:
            start -= 2
        else:
            break
    return start


def _parts(titles: list[str], first: str, middle: list[str], last: list[str], *,
           family_first: bool = False) -> NameParts:
    """Each part re-cased on its own ("CRANE, Edith": Crane); the whole in the order it was written
    when that is family name first, else given names first."""
    first, mid, family = normalize_name(first), normalize_name(" ".join(middle)), normalize_name(" ".join(last))
    order = (family, first, mid) if family_first else (first, mid, family)
    return NameParts(first, mid, family, " ".join(x for x in (*titles, *order) if x))


def family_first_script(text: str) -> bool:
    """Whether every letter of ``text`` is Chinese, Japanese or Korean (names written family name first)."""
    return _family_first_script(text)


def compose_full_name(first: str, middle: str, last: str) -> str:
    """The full name from a file's own first, middle and last name columns.

    Given names first, except a name in Chinese, Japanese or Korean script,
    which is written family name first (姓 山田, 名 太郎: "山田 太郎").
    """
    if first and last and _family_first_script(last) and _family_first_script(first):
        return " ".join(x for x in (last, first, middle) if x)
    return " ".join(x for x in (first, middle, last) if x)


def split_full_name(raw: str) -> tuple[str, str]:
    """Split a full name into (first, last); see ``parse_full_name`` for the middle names."""
    parts = parse_full_name(raw)
    return parts.first, parts.last


def name_readings(first: str, last: str, whole: str, region: str | None = None) -> tuple[str, str]:
    """How the first and last name are read (furigana, phonetic names), as (first, last).

    From their own columns, or split from a reading of the whole name like a
    name ("ヤマダ タロウ": family name first, as kana are written).  A whole
    reading without a space cannot be split: it gives none.
    """
    first, last = normalize_name(first), normalize_name(last)
    if whole and not first and not last:
        parts = parse_full_name(whole, region)
        if parts.first and parts.last:
            return parts.first, parts.last
    return first, last
