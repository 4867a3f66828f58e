"""Name folding, nickname groups and the blocking keys identity resolution uses.

Folding removes accents, case and punctuation so "José", "JOSE" and "jose"
compare equal; kana and Devanagari are read in Latin letters first
(``scripts``), so ヤマダ and Yamada, शर्मा and Sharma compare too.  Nickname groups come from the curated ``nicknames`` dataset
(Bob ~ Robert, Liz ~ Elizabeth), so no list of names is maintained here.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import jellyfish
from rapidfuzz import fuzz
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from omnidesk.core.identity.scripts import kanji_name_readings, latin_reading, needs_reading


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Lower-case letters only: accents stripped, punctuation and spaces dropped.

    Latin letters come out as ASCII; kana and Devanagari are read in Latin
    letters (``scripts.latin_reading``); other scripts (kanji, Cyrillic ...)
    keep their letters, lower-cased.
    """
    if not text:
        return ""
    if not text.isascii() and needs_reading(text):
        text = latin_reading(text)
    return fold_letters(text)


def fold_letters(text: str) -> str:
    """:func:`fold` without reading kana and Devanagari in Latin letters.

    How names were folded before they were read so; the suppression list
    still holds keys made that way.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    out = []
    for ch in decomposed:
        if ch.isascii():
            if ch.isalpha():
                out.append(ch.lower())
        elif ch in "ßæøœ":
            out.append({"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe"}[ch])
        elif unicodedata.category(ch) != "Mn" and ch.isalpha():
            out.append(ch.lower())
    return "".join(out)


# The usual abbreviations (USPS and common UK/EU forms), so "Street" and "St" agree.
_ADDRESS_WORDS = {
    "street": "st", "str": "st", "strasse": "str", "road": "rd", "avenue": "ave", "av": "ave",
    "drive": "dr", "lane": "ln", "boulevard": "blvd", "court": "ct", "place": "pl", "square": "sq",
    "terrace": "ter", "highway": "hwy", "parkway": "pkwy", "circle": "cir", "crescent": "cres",
    "apartment": "apt", "suite": "ste", "floor": "fl", "north": "n", "south": "s", "east": "e",
    "west": "w", "mount": "mt", "saint": "st",
}


def fold_address(address: str) -> str:
    """Lower-case words and numbers of an address, common words abbreviated.

    House numbers are kept: they tell neighbours apart.  Latin letters lose
    their accents (ß is ss); letters of other scripts are kept, and a number
    written against them ("鳥越1丁目64番") is a word of its own, as the
    numbers of a Japanese address are.
    """
    text = address or ""
    if not text.isascii():
        text = "".join(_address_char(ch) for ch in unicodedata.normalize("NFKC", text))
        text = _SCRIPT_DIGIT.sub(" ", text)
    if text.isascii():
        # The same as below in one pass of C (the usual case, and a third of loading a record).
        return " ".join([_ADDRESS_WORDS.get(w, w) for w in text.lower().translate(_ASCII_ADDRESS).split()])
    words = ("".join(ch for ch in word if ch.isalnum()) for word in text.lower().replace(",", " ").split())
    return " ".join(_ADDRESS_WORDS.get(w, w) for w in words if w)


# ASCII punctuation dropped inside a word; a comma parts two words as a space does.
_ASCII_ADDRESS = str.maketrans({**{chr(c): None for c in range(128) if not chr(c).isalnum() and not chr(c).isspace()},
                                ",": " "})


# Between a digit and a letter of a script without spaces between words.
_SCRIPT_DIGIT = re.compile(r"(?<=\d)(?=[^\x00-\x7f\d\s])|(?<=[^\x00-\x7f\d\s])(?=\d)")


def _address_char(ch: str) -> str:
    if ch.isascii():
        return ch
    if ch in "ßæøœÆØŒ":
        return {"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "Æ": "ae", "Ø": "o", "Œ": "oe"}[ch]
    base = unicodedata.normalize("NFKD", ch)
    if base[0].isascii():
        return base[0]  # é -> e
    return ch if ch.isalnum() else " "


_STREET_TYPES = frozenset(_ADDRESS_WORDS.values()) | frozenset(_ADDRESS_WORDS)


def same_address(a: str, b: str) -> bool:
    """Two folded addresses are one place: same numbers, and the words nearly the same.

    "264 School St" and "79 School St" are neighbours, not the same house.  With
    the same house number, a street name typed with a slip or a space too many
    ("25 Waterfiel d Pl", "54 Dumaresq S treet") is still the same street.
    """
    numbers_a, numbers_b = _house_numbers(a), _house_numbers(b)
    if numbers_a and numbers_b and set(numbers_a) != set(numbers_b):
        return False
    if fuzz.token_set_ratio(a, b) >= 92:
        return True
    if not (numbers_a and numbers_b):
        return False
    street_a, street_b = _street(a), _street(b)
    if min(len(street_a), len(street_b)) < 5:
        return False
    return (street_a.startswith(street_b) or street_b.startswith(street_a)
            or JaroWinkler.similarity(street_a, street_b) >= 0.92)


@lru_cache(maxsize=1 << 16)
def address_level(a: str, b: str) -> str:
    """How two folded addresses compare: ``same``, ``number``, ``street`` or ``different``.

    ``number``: the same street (as :func:`same_address` reads it) with house
    numbers a slip apart — one digit changed, added, dropped, or two neighbours
    swapped ("42" and "24", "7" and "17").  That is a mistyped number as often
    as a neighbour two doors down, so scoring weighs it as a little evidence
    against, not as a different address.  ``street``: the same street with
    another house number ("16 Temperley St" and "2 Temperley St"): a number
    typed wrong or a move down the street as often as a neighbour, weighed as
    a little evidence against too.
    """
    if not a or not b:
        return "missing"
    numbers_a, numbers_b = _house_numbers(a), _house_numbers(b)
    if not (numbers_a and numbers_b) or set(numbers_a) == set(numbers_b):
        return "same" if same_address(a, b) else "different"
    street_a, street_b = _street(a), _street(b)
    if min(len(street_a), len(street_b)) < 5:
        return "different"
    if not (street_a == street_b or street_a.startswith(street_b) or street_b.startswith(street_a)
            or JaroWinkler.similarity(street_a, street_b) >= CLOSE_SIMILARITY):
        return "different"
    return "number" if DamerauLevenshtein.distance(" ".join(numbers_a), " ".join(numbers_b)) <= 1 else "street"


@lru_cache(maxsize=1 << 17)
def _house_numbers(address: str) -> tuple[str, ...]:
    """The words of a folded address that hold a digit: its house, flat and street numbers."""
    return tuple(w for w in address.split() if any(ch.isdigit() for ch in w))


@lru_cache(maxsize=1 << 17)
def _street(address: str) -> str:
    """The street's name in a folded address, its words run together: numbers and a last street type dropped."""
    words = [w for w in address.split() if not any(ch.isdigit() for ch in w)]
    if len(words) > 1 and words[-1] in _STREET_TYPES:
        words.pop()
    return "".join(words)


def street_key(address: str) -> str:
    """The street of a folded address, its words run together, without house numbers or a last
    street type: "29 buxton st" and "buxton street" are both "buxton".  Empty without words."""
    words = [w for w in address.split() if w.isalpha()]
    if len(words) > 1 and words[-1] in _STREET_TYPES:
        words.pop()
    return "".join(words)


def last_key(last_name: str) -> str:
    return fold(last_name)[:64]


# Words that join a surname to the name it comes from ("de la Cruz", "Molina y Bonilla", "dos
# Santos", "van Dijk"): part of the first surname when they lead it, never a surname of their own.
_SURNAME_PARTICLES = frozenset({"de", "del", "la", "las", "los", "y", "i", "e", "da", "das", "do", "dos",
                                "van", "von", "der", "den", "ten", "ter", "di", "du", "le"})


@lru_cache(maxsize=1 << 16)
def first_surname(last_name: str) -> str:
    """The first of two surnames, folded, as it is written alone: "molina" of "Molina Bonilla",
    "delacruz" of "de la Cruz Pérez"; empty for a surname of one word ("de la Cruz" too).

    Spanish and Portuguese names carry two surnames and are written with only the first as often
    (Hilda Molina Bonilla in the shop, Hilda Molina at the till); matching looks a record up under
    its first surname too.  Only one of four letters or more, in Latin letters: the scoring takes
    such a name as the start of the other (``last_name_level``).
    """
    words = [w for w in (fold(x) for x in last_name.replace("-", " ").split()) if w]
    lead = 0
    while lead < len(words) and words[lead] in _SURNAME_PARTICLES:
        lead += 1
    rest = [w for w in words[lead + 1:] if w not in _SURNAME_PARTICLES]
    if lead >= len(words) or not rest:
        return ""
    first = "".join(words[:lead + 1])
    return first if len(words[lead]) >= 4 and first.isascii() else ""


def last_sound(last_name: str) -> str:
    folded = fold(last_name)
    return jellyfish.soundex(folded) if folded.isascii() and folded else ""


# Diminutives the nickname dataset (US-centred) lacks: British and European short forms a
# shop in either market sees every day.  Each canonical name maps to its short forms.
EXTRA_NICKNAMES: dict[str, tuple[str, ...]] = {
    "alexander": ("xander", "sasha"),
    "alexandra": ("lexi", "lexie", "sasha"),
    "alfred": ("alfie",),
    "anneliese": ("liese",),
    "antonio": ("toni",),
    "camilla": ("milly",),
    "catherine": ("katie",),
    "charlotte": ("charlie", "lotte"),
    "dolores": ("lola",),
    "eleanor": ("nell",),
    "evelyn": ("evie",),
    "fiona": ("fi",),
    "francesca": ("fran", "frankie"),
    "francesco": ("franco",),
    "francisco": ("paco", "pancho", "curro"),
    "friedrich": ("fritz",),
    "georgina": ("georgie",),
    "giuseppe": ("beppe", "peppe"),
    "imogen": ("immy",),
    "isabel": ("izzy",),
    "isabella": ("izzy",),
    "isabelle": ("izzy",),
    "johannes": ("hannes",),
    "jose": ("pepe",),
    "katharina": ("kathi", "kati"),
    "katherine": ("katie", "kat"),
    "manuel": ("manolo",),
    "marguerite": ("margot",),
    "mercedes": ("merche",),
    "mohammed": ("mo",),
    "oliver": ("olly",),
    "olivia": ("liv", "livvy"),
}


@lru_cache(maxsize=1)
def _nicknamer():
    from nicknames import NickNamer

    lookup = NickNamer.default_lookup()
    for canonical, short in EXTRA_NICKNAMES.items():
        lookup.setdefault(canonical, set()).update(short)
    return NickNamer(nickname_lookup=lookup)


@lru_cache(maxsize=100_000)
def first_keys(first_folded: str) -> frozenset[str]:
    """The name itself plus its canonical forms: two first names that share a key are one name."""
    if not first_folded:
        return frozenset()
    keys = {first_folded}
    try:
        keys |= {fold(c) for c in _nicknamer().canonicals_of(first_folded)}
    except Exception:  # the dataset only knows plain names; anything else is just itself
        pass
    return frozenset(keys)


# A cache entry costs some 250 bytes: 2**17 of them hold most repeats of a million-record
# resolve (common names meet again and again) in 30 MB instead of 120.
@lru_cache(maxsize=1 << 17)
def first_name_level(a: str, b: str) -> str:
    """How two folded first names compare: exact, nickname, typo, initial or different."""
    if not a or not b:
        return "missing"
    if a == b or (a.isascii() != b.isascii() and read_alike(a, b)):
        return "exact"
    if len(a) == 1 or len(b) == 1:
        return "initial" if a[0] == b[0] else "different"
    if first_keys(a) & first_keys(b):
        return "nickname"
    if _abjad_different(a, b) or _at_the_end(a, b):
        # Where one name turns into another: Paul and Paula, Antonio and Antonia, Mark and Mary,
        # Jon and Joan; a couple sharing a mailbox is two people.
        return "different"
    if _typo(a, b):
        return "typo"
    # Kate / Katherine style shortenings the dataset may not list.
    if len(a) >= 3 and len(b) >= 3 and (a.startswith(b) or b.startswith(a)):
        return "nickname"
    if _nickname_of_typo(a, b) or _nickname_of_typo(b, a):
        return "typo"
    return "different"


# How a woman's name ends where the man's does not (Latin, Cyrillic, Greek: Paula, Ивана, Ευγενία),
# and the endings either may have instead (Antonio, Евгений).
_FEMININE = frozenset("aаяα")
_NAME_ENDS = frozenset("aeioаеиоыйяαοεη")
# Arabic and Hebrew write few vowels: one letter more or other in a short name is another name
# (أحمد and محمد, محمد and محمود), not a slip.  What an ending may be written either way is no
# difference: ة or ه (Fatima), ى or ي.
_ABJAD = re.compile("[\u0590-\u05ff\u0600-\u06ff\u0750-\u077f]")
_ABJAD_SPELLINGS = (frozenset("ةه"), frozenset("ىي"))


def _abjad_different(a: str, b: str) -> bool:
    """Whether two first names written in Arabic or Hebrew letters are different names: not the
    same, and shorter than six letters, unless only an ending written either way tells them apart."""
    if not (_ABJAD.search(a) or _ABJAD.search(b)) or min(len(a), len(b)) >= 6:
        return False
    if len(a) == len(b) and a[:-1] == b[:-1] and frozenset((a[-1], b[-1])) in _ABJAD_SPELLINGS:
        return False
    return True


def _at_the_end(a: str, b: str) -> bool:
    """Whether two first names are one name for a man and another for a woman, or two names both
    known in their own right, told apart by one letter at their end: Paul and Paula, Eric and
    Erica, Antonio and Antonia, Daniele and Daniela, Jon and Joan.  A couple sharing a mailbox is
    two people.  A slip of the keys falls anywhere ("Mrk", "Micheal"); José and Josef, Hanna and
    Hannah, stay one name spelled two ways; so do Riya and Riyaa, a long vowel written out the
    way romanised Hindi names often are (``_short_vowels``)."""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) < 3 or len(long) - len(short) > 1 or _short_vowels(short) == _short_vowels(long):
        return False
    if len(short) == len(long):
        changed = short[:-1] == long[:-1] and short[-1] != long[-1]
        ends = {short[-1], long[-1]}
        feminine = changed and bool(ends & _FEMININE) and ends <= _NAME_ENDS
    elif long[:-1] == short:
        # A silent letter after it is the same name spelled another way: Hanna and Hannah, Ann and Anne.
        changed = long[-1] not in "he"
        feminine = long[-1] in _FEMININE
    else:
        changed, feminine = long[:-2] + long[-1] == short, False
    return feminine or (changed and _a_name(a) and _a_name(b))


@lru_cache(maxsize=1 << 14)
def _a_name(name: str) -> bool:
    """Whether the nickname data knows ``name`` at all, as a full name or a short one (Mark, Mary)."""
    try:
        names = _nicknamer()
        return bool(names.nicknames_of(name) or names.canonicals_of(name))
    except Exception:
        return False


def read_alike(a: str, b: str) -> bool:
    """Whether a folded name in kanji is read as the other, in Latin letters (or kana, folded to them).

    By the name dictionary (``scripts.kanji_name_readings``): 山本 and Yamamoto, 晃
    and Akira, 井上 and Inoue, long vowels written or not (Satou, Sato, Ohno).  A
    kanji name the dictionary reads otherwise, or does not know, is not read
    alike: it stays a name that cannot be compared, never a different one made
    the same by a guess.
    """
    kanji, latin = (a, b) if b.isascii() else (b, a)
    if not latin.isascii() or kanji.isascii():
        return False
    readings = kanji_name_readings(kanji)
    return bool(readings) and _romaji_key(latin) in {_romaji_key(r) for r in readings}


_ROMAJI_LONG = re.compile(r"(?<=o)u|(?<=o)h(?![aeiou])|(?<=u)u|(?<=a)a|(?<=e)e|(?<=i)i|(?<=o)o")


def _romaji_key(name: str) -> str:
    """A romanised Japanese name with its long vowels written short: "inoue" and "inoe", "ohno" and "ono"."""
    return _ROMAJI_LONG.sub("", name)


def _nickname_of_typo(short: str, long: str) -> bool:
    """Whether ``short`` is a nickname of a name that ``long`` misspells: "Maddie" beside
    "Madelone" (Madeline), "Nate" beside "Nathanile" (Nathaniel).

    Only one slip ("Eleeanor" for Eleanor), in a name of six letters or more that the
    nickname data does not know, and not at its end, where one name turns into another
    (Edward and Edwarda, Antonio and Antonia): "Ted" does not reach an "Edwarda".
    """
    if len(long) < 6 or len(short) >= len(long) or first_keys(long) != {long} or _known_name(long):
        return False
    for name in first_keys(short):
        if (name != short and name[0] == long[0] and name[:-1] != long[:-1] and name != long[:-1]
                and long != name[:-1] and DamerauLevenshtein.distance(name, long) == 1):
            return True
    return False


@lru_cache(maxsize=1 << 14)
def _known_name(name: str) -> bool:
    """Whether the nickname data knows ``name`` as a full name with short forms."""
    try:
        return bool(_nicknamer().nicknames_of(name))
    except Exception:
        return False


@lru_cache(maxsize=1 << 17)
def last_name_level(a: str, b: str) -> str:
    if not a or not b:
        return "missing"
    if a == b or (a.isascii() != b.isascii() and read_alike(a, b)):
        return "exact"
    if _typo(a, b):
        return "typo"
    # Double-barrelled names: "Garcia Lopez" vs "Garcia".
    if len(a) >= 4 and len(b) >= 4 and (a.startswith(b) or b.startswith(a)):
        return "typo"
    # ... and the first of them mistyped where the second is left out: "Hurtado Fonseca" vs
    # "Hrutado".  Folded names run the words together, so the start is the short name's length.
    short, long = (a, b) if len(a) < len(b) else (b, a)
    # Six letters or more, the first one right: "Serna" must not reach "Serrano Lopez".
    if len(short) >= 6 and len(long) >= len(short) + 4 and short[0] == long[0] and _typo(short, long[:len(short)]):
        return "typo"
    return "different"


def _typo(a: str, b: str) -> bool:
    """A slip of the keyboard, allowed more of as the name grows.

    Three letters: a letter dropped, added or swapped ("Mrk" for Mark, "Lsa" for
    Lisa); a letter replaced between two three-letter names is not one ("Tom" and
    "Tim", "Jan" and "Jon" are names in their own right).  Four to seven letters:
    one edit.  Eight or more: two.  Otherwise a very close spelling that starts
    with the same letter (Jaro-Winkler >= 0.9, from five letters on), or
    the same name with its long vowels written single (``_short_vowels``).
    """
    shortest = min(len(a), len(b))
    if shortest < 3:
        return False
    edits = DamerauLevenshtein.distance(a, b)
    if shortest == 3:
        return edits <= 1 and (len(a) != len(b) or sorted(a) == sorted(b))
    if edits <= (2 if shortest >= 8 else 1):
        return True
    if shortest >= 4 and a[0] == b[0] and _short_vowels(a) == _short_vowels(b):
        return True
    return shortest >= 5 and a[0] == b[0] and JaroWinkler.similarity(a, b) >= TYPO_SIMILARITY


_LONG_VOWELS = re.compile("aa+|ee+|ii+|oo+|uu+")


def _short_vowels(name: str) -> str:
    """A name with its long vowels written short, the way romanised Hindi names vary:
    Aakaanksha and Akanksha, Tivaree and Tivari, Geeta and Gita."""
    return _LONG_VOWELS.sub(lambda m: {"e": "i", "o": "u"}.get(m.group(0)[0], m.group(0)[0]), name)


TYPO_SIMILARITY = 0.9  # Jaro-Winkler from which two spellings are one name mistyped
CLOSE_SIMILARITY = 0.92  # ... and from which the slip is a small one


@lru_cache(maxsize=1 << 16)
def typo_level(a: str, b: str) -> str:
    """How far apart two spellings of one name are: ``close`` or ``near``.

    ``close``: one edit, or Jaro-Winkler >= 0.92 (Jhon, Micheal); ``near``: the
    looser typos (two edits in a long name, Jaro-Winkler from 0.9).  Scoring
    weighs the two levels apart; both are the same name to the guards.  One
    name the start of the other (a double-barrelled surname and its first part)
    is close too.
    """
    if DamerauLevenshtein.distance(a, b) <= 1 or JaroWinkler.similarity(a, b) >= CLOSE_SIMILARITY:
        return "close"
    if min(len(a), len(b)) >= 4 and (a.startswith(b) or b.startswith(a)):
        return "close"
    return "near"


@lru_cache(maxsize=1 << 16)
def _digits(date: str) -> str:
    return "".join(ch for ch in date if ch.isdigit())


@lru_cache(maxsize=1 << 16)
def date_level(a: str, b: str) -> str:
    """How two ISO dates (``YYYY-MM-DD``, or ``--MM-DD`` without a year) compare.

    ``exact``; ``typo`` when one digit differs, two neighbouring digits are
    swapped, or day and month are the wrong way round (1980-03-02 for
    1980-02-03) — a slip, weak evidence against, never proof of two people;
    ``day`` when only month and day agree; ``different`` otherwise.  A date
    without a year against a full one compares month and day only.
    """
    if not a or not b:
        return "missing"
    if a == b:
        return "exact"
    if a.startswith("--") or b.startswith("--"):
        return "day" if a[-5:] == b[-5:] else "different"
    da, db = _digits(a), _digits(b)
    if len(da) == len(db) == 8:
        if DamerauLevenshtein.distance(da, db) <= 1:
            return "typo"
        if da[:4] == db[:4] and da[4:6] == db[6:8] and da[6:8] == db[4:6]:
            return "typo"
    if a[-5:] == b[-5:]:
        return "day"
    return "different"


# Words that join a family name, not given names: "bin" in "Ahmed bin Rashid Al Maktoum"
# says whose son he is, and two such names share it without being one name.
_NOT_GIVEN = frozenset({"bin", "binti", "bint", "ibn", "ben", "bat", "al", "el", "abu", "van", "von", "de", "da",
                        "del", "della", "der", "den", "di", "do", "dos", "du", "la", "le"})


@lru_cache(maxsize=200_000)
def given_names(first_name: str, middle_name: str = "") -> tuple[str, str]:
    """The folded first given name, and every further given name as folded words.

    "Mamadou Moustapha" in a first-name column and "Mamadou" with the middle
    name "Moustapha" give the same ("mamadou", "moustapha"): a file that puts
    both given names in one column is compared like one that splits them.
    """
    words = first_name.split()
    if not words:
        return "", " ".join(w for w in (fold(x) for x in middle_name.split()) if w and w not in _NOT_GIVEN)
    first = fold(words[0])
    if len(words) == 1 and not middle_name:
        return first, ""
    rest = (fold(x) for x in (*words[1:], *middle_name.split()))
    return first, " ".join(w for w in rest if w and w not in _NOT_GIVEN)


# A generational suffix written after a name ("John Carter Jr.", "Carter, Sr.", "John Jr."): it
# tells a father from his son, where everything else they have (the name, the house, the landline)
# is one.  Only after a word of the name, never a name alone ("Senior" is a surname too).
_GENERATIONS = {"jr": "jr", "jnr": "jr", "junior": "jr", "sr": "sr", "snr": "sr", "senior": "sr",
                "ii": "ii", "2nd": "ii", "iii": "iii", "3rd": "iii", "iv": "iv", "4th": "iv"}


@lru_cache(maxsize=1 << 16)
def generation(name: str) -> tuple[str, str]:
    """A name column without a generational suffix at its end, and the suffix ("jr", "sr", "ii",
    "iii", "iv"; "" for none): "Carter Jr." is ("Carter", "jr")."""
    words = name.replace(",", " ").split()
    if len(words) >= 2 and (suffix := _GENERATIONS.get(words[-1].rstrip(".").lower())):
        return " ".join(words[:-1]), suffix
    return name, ""


def release_folding_caches() -> None:
    """Forget the names, cities and given names folded so far.

    A whole-workspace resolve folds each distinct value once while it reads
    the records, and not again: at a million records these caches held tens
    of MB that the comparing after the reading can use instead.
    """
    fold.cache_clear()
    given_names.cache_clear()
    first_surname.cache_clear()


def first_key(first_name: str) -> str:
    """The folded first given name of a first-name column, as matching compares it."""
    return given_names(first_name)[0]


@lru_cache(maxsize=1 << 16)
def middle_name_level(a: str, b: str) -> str:
    """How two records' further given names compare (folded words, space-separated).

    ``missing`` when either has none (a name written without its middle name is
    the same person's); ``same`` when a name of one is a name of the other (or
    a nickname or misspelling of it); ``initial`` when only an initial agrees
    ("John F. Smith" and "John Fitzgerald Smith"); ``different`` otherwise
    ("Mamadou Moustapha Barry" and "Mamadou Saliou Barry").
    """
    if not a or not b:
        return "missing"
    initial = False
    for x in a.split():
        for y in b.split():
            level = first_name_level(x, y)
            if level in ("exact", "nickname", "typo"):
                if len(x) > 1 and len(y) > 1:
                    return "same"
                initial = True
            elif level == "initial":
                initial = True
    return "initial" if initial else "different"


def names_compatible(a: str, b: str) -> bool:
    """False only when two folded first names clearly belong to different people."""
    return first_name_level(a, b) != "different"


def read_form(written: str, reading: str) -> str:
    """A name as matching keeps its reading beside it: "山田|yamada"; just the name without one.

    ``reading`` is the folded reading of a name not written in Latin letters
    (see ``profiles``), or empty.  Folded names never hold "|".
    """
    return f"{written}|{reading}" if reading else written


def name_forms(a_written: str, a_reading: str, b_written: str, b_reading: str) -> tuple[str, str, bool]:
    """Which forms of one name of two records to compare, and whether a reading was one of them.

    A reading (furigana, a phonetic name column) is kept only for a name not
    written in Latin letters, folded to Latin letters.  Where both records have
    the name in Latin letters, as written or as read, those compare: 山田 read
    Yamada meets ヤマダ and Yamada, and two kanji names both read compare by
    their readings (斎藤 and 斉藤 are one Saito; 幸子 read Sachiko and read
    Yukiko are two people).  Otherwise the names compare as written: 山田
    with or without its reading meets 山田.
    """
    if a_reading or b_reading:
        a, b = a_reading or a_written, b_reading or b_written
        if a.isascii() and b.isascii():
            return a, b, True
    return a_written, b_written, False


def form_pair(a: str, b: str) -> tuple[str, str]:
    """:func:`name_forms` for two names as :func:`read_form` writes them."""
    if "|" not in a and "|" not in b:
        return a, b
    aw, _, ar = a.partition("|")
    bw, _, br = b.partition("|")
    x, y, _ = name_forms(aw, ar, bw, br)
    return x, y


def written_part(form: str) -> str:
    """The name as written, of a :func:`read_form`."""
    return form.partition("|")[0]


def release_comparison_caches() -> None:
    """Forget the names, addresses and dates compared so far, and the first names' keys.

    A whole-workspace resolve calls it once every pair is scored: at a million
    records these caches are full, some 100 MB that the writing and the golden
    records after it can use instead.  An import's resolve keeps them for the
    next import.
    """
    for cached in (first_name_level, last_name_level, middle_name_level, typo_level, _known_name,
                   address_level, _house_numbers, _street, date_level, _digits, first_keys):
        cached.cache_clear()
