"""Pairwise match scoring: a Fellegi–Sunter model with frequency-based weights.

Each compared field adds ``log2(m / u)`` bits when the two records agree and
``log2((1 - m) / (1 - u))`` when they disagree, where ``m`` is how often the
field agrees for the same person and ``u`` how often it agrees by chance.
``m`` values are well-founded defaults (documented below, in the spirit of
Splink's priors); ``u`` values for names, postcodes and cities come from the
workspace's own value frequencies (term-frequency adjustment: two "Smith"s
prove less than two "Okonkwo"s).  An employer (a company column, or a work
email's domain naming it: ``employer.py``) is weighed the same way, so a
town's big employer proves less than a small firm.

On top of the weight, guards keep strangers apart:

* a **conflict** (clearly different first or middle names, different full birthdays;
  a misspelling or a birthday a digit apart is no conflict, see ``keys``)
  can never be merged automatically — at most queued for review; this is what
  stops a family sharing one email, or a shop's landline, from chaining people;
* **name-only** evidence (nothing but names agreeing) never merges
  automatically, so two "John Smith"s with different phones stay apart.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from omnidesk.core.identity.employer import same_employer, stem
from omnidesk.core.identity.keys import (
    address_level,
    date_level,
    first_name_level,
    last_name_level,
    middle_name_level,
    name_forms,
    typo_level,
)


@dataclass(slots=True)
class Profile:
    """What matching needs to know about one source record (names folded)."""

    rid: int
    row_hash: str  # empty where the caller maps decisions to records itself (a full resolve)
    customer_id: int | None
    kind: str
    channel: str
    first: str
    last: str
    emails: tuple[str, ...]
    phones: tuple[str, ...]
    externals: tuple[str, ...]
    postcode: str
    city: str
    address: str
    birthday: str | None
    employers: tuple[str, ...] = ()  # see employer.py: "c" + company words, "@" + a work domain
    middle: str = ""  # further given names, folded, space-separated (keys.given_names)
    # How the first and last name are read, folded to Latin letters, for names not written
    # in them (a name in kanji with its furigana); empty otherwise (keys.name_forms).
    first_read: str = ""
    last_read: str = ""
    suffix: str = ""  # a generational suffix of the name: "jr", "sr", "ii", … (keys.generation)
    # The first of two surnames, folded ("molina" of Molina Bonilla), empty for one (keys.first_surname):
    # blocking looks the record up under it too.
    last_first: str = ""

    def turn_round(self) -> None:
        """Swap first and last name (and their readings): the record wrote them the other way."""
        self.first, self.last = self.last, self.first
        self.first_read, self.last_read = self.last_read, self.first_read
        self.last_first = ""


def _bits(m: float, u: float) -> float:
    return math.log2(m / u)


# The hand-set priors, per comparison and level: how often one person's two records
# compare at that level (m) and two different people's (u).  They are the model when
# nothing has been learned, and the pseudo-counts a fit starts from (``learn.py``).
# Exact name, postcode, city and employer agreement is weighed by how common the value
# is instead of by its ``u`` here (term frequencies); that ``u`` serves the fit only.
PRIOR_M: dict[str, dict[str, float]] = {
    # People keep one address per shop, but many have a work and a personal one.
    "email": {"agree": 0.75, "disagree": 0.25},
    "phone": {"agree": 0.8, "disagree": 0.2},
    # Names: exact, nickname, close typo (one edit or Jaro-Winkler >= 0.92), near typo
    # (two edits in a long name, Jaro-Winkler >= 0.88), different (keys.first_name_level, typo_level).
    "first": {"exact": 0.86, "nickname": 0.07, "close": 0.04, "near": 0.01, "different": 0.03},
    # Close includes one name a part of the other ("Garcia Lopez", "Garcia").
    "last": {"exact": 0.9, "close": 0.06, "near": 0.015, "different": 0.04},
    # Both records give a middle name: one person's agree nearly always; two people of
    # one first and last name share a middle name now and then.
    "middle": {"same": 0.9, "different": 0.1},
    "postcode": {"agree": 0.8, "disagree": 0.2},  # people move; shipping vs home addresses
    "city": {"agree": 0.85, "disagree": 0.15},
    # A house number a slip apart on the same street, another number on it (keys.address_level).
    "address": {"same": 0.7, "number": 0.02, "street": 0.02, "different": 0.28},
    # Both full: exact, one digit or a day/month swap apart (typo), the same day and
    # month in another year (day), different.
    "birthday": {"exact": 0.97, "typo": 0.02, "day": 0.005, "different": 0.03},
    # One of the two without a year: only day and month compare.
    "birthday_day": {"agree": 0.97, "different": 0.03},
    # People change jobs and work for several.
    "employer": {"agree": 0.85},
}
PRIOR_U: dict[str, dict[str, float]] = {
    "email": {"agree": 1e-5, "disagree": 1 - 1e-5},
    "phone": {"agree": 1e-5, "disagree": 1 - 1e-5},
    "first": {"exact": 0.01, "nickname": 0.004, "close": 0.003, "near": 0.003, "different": 0.95},
    "last": {"exact": 0.005, "close": 0.003, "near": 0.003, "different": 0.98},
    "middle": {"same": 0.05, "different": 0.95},
    "postcode": {"agree": 0.01, "disagree": 0.97},
    "city": {"agree": 0.05, "disagree": 0.9},
    # A neighbour's number, among records already alike in name and place, is about as
    # likely as a slip: a little evidence against (see FIXED_U).
    # The same for another number on the same street: a relative down the road.
    "address": {"same": 1e-4, "number": 0.04, "street": 0.04, "different": 1 - 1e-4},
    # Among pairs that share a name or an email, two people's birthdays fall a digit
    # apart more often than one person's records show such a slip: a little against.
    "birthday": {"exact": 1 / (365 * 70), "typo": 0.04, "day": 1 / 365, "different": 1 - 1 / 365},
    "birthday_day": {"agree": 1 / 365, "different": 1 - 1 / 365},
    # How often two records name one employer by chance is how common it is among the
    # records naming one (term frequencies), but never rarer than this.
    "employer": {"agree": 1e-3},
}
# Levels whose ``u`` stays the prior even in a fit: random pairs of records say how often
# two strangers' birthdays are a digit apart, but the pairs scored share a name and a
# place, where a relative two doors down or born a year later is far likelier.
FIXED_U = frozenset({("address", "number"), ("address", "street"), ("birthday", "typo")})
INITIAL_BITS = 0.5  # an initial that agrees with a name: a little, whatever the data say
# An email or phone that records of several clearly different names give (Frequencies.shared):
# as much as a shared postcode, never enough alone to merge.
SHARED_BITS = _bits(PRIOR_M["phone"]["agree"], 0.01)
SHARED_PHONE = "a phone several people share"
SHARED_EMAIL = "an email several people share"


@dataclass
class Model:
    """The thresholds and the m- and u-probabilities of every comparison level.

    Thresholds are in bits of evidence (log2 likelihood ratio): at the default
    ``auto_threshold`` of 14 bits a pair is ~16,000 times likelier a match than not.
    ``m`` and ``u`` start as the priors above; :func:`Model.apply_fit` puts a
    workspace's fitted values (``learn.py``) in their place.
    """

    auto_threshold: float = 14.0
    review_threshold: float = 7.0
    m: dict[str, dict[str, float]] = field(default_factory=lambda: {c: dict(v) for c, v in PRIOR_M.items()})
    u: dict[str, dict[str, float]] = field(default_factory=lambda: {c: dict(v) for c, v in PRIOR_U.items()})
    min_u: float = 5e-4  # no single name value is rarer than this in our estimates
    max_u: float = 0.2
    fit: dict | None = None  # what the fit in use reported (pairs, share of matches, notes); None: priors
    _bits: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def bits(self, comparison: str, level: str) -> float:
        """Evidence, in bits, of two records comparing at ``level`` (log2 m/u)."""
        key = (comparison, level)
        w = self._bits.get(key)
        if w is None:
            w = self._bits[key] = _bits(self.m[comparison][level], self.u[comparison][level])
        return w

    def apply_fit(self, fitted: dict) -> Model:
        """Take the m and u values of a stored fit; anything unknown or out of (0, 1) is ignored."""
        for table, name in ((self.m, "m"), (self.u, "u")):
            given = fitted.get(name)
            for comparison, levels in (given.items() if isinstance(given, dict) else ()):
                if comparison not in table or not isinstance(levels, dict):
                    continue
                for level, value in levels.items():
                    if level in table[comparison] and isinstance(value, (int, float)) and 0 < value < 1:
                        table[comparison][level] = float(value)
        self.fit = {k: v for k, v in fitted.items() if k not in ("m", "u")}
        self._bits.clear()
        return self


@dataclass
class Frequencies:
    """How common each value is, for term-frequency adjusted ``u`` probabilities."""

    first: Counter = field(default_factory=Counter)
    last: Counter = field(default_factory=Counter)
    postcode: Counter = field(default_factory=Counter)
    city: Counter = field(default_factory=Counter)
    work: Counter = field(default_factory=Counter)  # employer stems (the first of each record)
    n_first: int = 0
    n_last: int = 0
    n_postcode: int = 0
    n_city: int = 0
    n_work: int = 0
    # Emails and phones given with several clearly different last names (a shop's landline typed
    # at the till for its customers, an office's front desk): value -> how many such names.
    # Filled by the clustering from the records it compares (clustering.shared_identifiers).
    shared: dict = field(default_factory=dict)

    @classmethod
    def from_profiles(cls, profiles) -> Frequencies:
        f = cls()
        for p in profiles:
            f.add(p)
        return f

    def add(self, p: Profile) -> None:
        if p.first:
            self.first[p.first] += 1
            self.n_first += 1
        if p.last:
            self.last[p.last] += 1
            self.n_last += 1
        if p.postcode:
            self.postcode[p.postcode] += 1
            self.n_postcode += 1
        if p.city:
            self.city[p.city] += 1
            self.n_city += 1
        if p.employers:
            self.work[stem(p.employers[0])] += 1
            self.n_work += 1

    @staticmethod
    def _u(counter: Counter, n: int, value: str, model: Model) -> float:
        if n <= 0:
            return 0.01
        # Add-one smoothing keeps a value seen once from looking impossibly rare.
        u = (counter.get(value, 0) + 1) / (n + 1)
        return min(max(u, model.min_u), model.max_u)


def name_weight(first: str, last: str, freq: Frequencies, model: Model) -> float:
    """Bits two records earn by agreeing exactly on this first and last name, as score_pair counts them."""
    return (_bits(model.m["first"]["exact"], Frequencies._u(freq.first, freq.n_first, first, model))
            + _bits(model.m["last"]["exact"], Frequencies._u(freq.last, freq.n_last, last, model)))


@dataclass(slots=True)
class PairScore:
    weight: float
    decision: str  # auto | review | apart
    strong: bool
    conflict: str | None
    reasons: list[str]
    swapped: bool = False  # one side wrote "Last, First" the other way round
    resplit: int = 0  # 1 or 2: that side's middle and last names read as the other splits them
    renamed: bool = False  # last names differ, but first name, full birthday and address agree


def names_swapped(a: Profile, b: Profile) -> bool:
    """Whether one record wrote "Last, First" the other way round, spelled the same or with a slip.

    Only when the names disagree as written and agree crossed over: "Vanessa
    Reid" and "Rwid Vanesda", not "Lee Ann" and "Ann Lee" told apart by nothing.
    Names with a reading compare by it where the other record's are in Latin
    letters (``keys.name_forms``).
    """
    if not (a.first and a.last and b.first and b.last) or a.first == a.last:
        return False
    if a.first_read or a.last_read or b.first_read or b.last_read:
        af, bf, _ = name_forms(a.first, a.first_read, b.first, b.first_read)
        al, bl, _ = name_forms(a.last, a.last_read, b.last, b.last_read)
        # Crossed over: a's last name against b's first, and a's first against b's last.
        xl, xf, _ = name_forms(a.last, a.last_read, b.first, b.first_read)
        xf2, xl2, _ = name_forms(a.first, a.first_read, b.last, b.last_read)
        return _crossed(af, al, bf, bl, xl, xf, xf2, xl2)
    return _crossed(a.first, a.last, b.first, b.last, a.last, b.first, a.first, b.last)


def _crossed(af: str, al: str, bf: str, bl: str, a_last: str, b_first: str, a_first: str, b_last: str) -> bool:
    """:func:`names_swapped` on the forms compared: as written, and crossed over."""
    if a_first == b_last and a_last == b_first:
        return True
    if first_name_level(af, bf) != "different" and last_name_level(al, bl) != "different":
        return False
    if (first_name_level(a_last, b_first) in ("exact", "nickname", "typo")
            and last_name_level(a_first, b_last) in ("exact", "typo")):
        return True
    # "Rodriguez M." beside "Marcel Rodriguez", "G. Freudenberger" beside "Freudenberger
    # Grzegorz": the family names agree crossed over and the given name is an initial.
    return ((_initial_of(a_last, b_first) and last_name_level(a_first, b_last) in ("exact", "typo"))
            or (_initial_of(a_first, b_last) and last_name_level(a_last, b_first) in ("exact", "typo")))


def _initial_of(x: str, y: str) -> bool:
    """Whether one of two folded names is a single letter, the other a name it starts."""
    return bool(x and y) and (len(x) == 1) != (len(y) == 1) and x[0] == y[0]


def _turned(a: Profile, b: Profile) -> bool:
    """For two records whose names are swapped: whether ``b``, not ``a``, is to be read turned round.

    ``a`` by default; ``b`` when turning ``a`` would put an initial in the last-name place
    ("G. Freudenberger" beside "Freudenberger Grzegorz": Grzegorz is the given name).
    """
    return len(a.first) == 1 or len(b.last) == 1


_swapped = names_swapped  # the name tests know it by


# Two forms of a name that cannot be compared: kanji (no reading given, none in the name dictionary
# that reads them alike: keys.read_alike) against Latin letters,
# Cyrillic against Latin.  Kana and Devanagari are read in Latin letters first (keys.fold), so
# what stays apart here has no reading to go by.  Neither evidence for nor against one person.
UNREADABLE = "unreadable"
NAMES_UNREADABLE = "names in two scripts, not compared"


def _scripts_differ(a: str, b: str) -> bool:
    """Whether two folded names are in scripts that do not compare: Latin letters against others."""
    return a.isascii() != b.isascii()


def _name_level(level: str, a: str, b: str) -> str:
    """A typo split into close and near (keys.typo_level); other levels as they are."""
    return typo_level(a, b) if level == "typo" else level


class PairNames(NamedTuple):
    """The first and last names of two records as compared."""

    a_first: str
    a_last: str
    b_first: str
    b_last: str
    swapped: bool  # a wrote "Last, First" the other way round: turned round here
    by_reading: bool  # a name's reading (furigana) stood in for it as written


def pair_names(a: Profile, b: Profile) -> PairNames:
    """The first and last names of two records as compared.

    As written, unless a name has a reading and both records have the name in
    Latin letters (``keys.name_forms``); "Last, First" swaps turned round
    (``a``, or ``b`` where :func:`_turned` says so).
    """
    swapped = names_swapped(a, b)
    turn_b = swapped and _turned(a, b)
    if a.first_read or a.last_read or b.first_read or b.last_read:
        if turn_b:
            af, bf, r1 = name_forms(a.first, a.first_read, b.last, b.last_read)
            al, bl, r2 = name_forms(a.last, a.last_read, b.first, b.first_read)
        elif swapped:
            af, bf, r1 = name_forms(a.last, a.last_read, b.first, b.first_read)
            al, bl, r2 = name_forms(a.first, a.first_read, b.last, b.last_read)
        else:
            af, bf, r1 = name_forms(a.first, a.first_read, b.first, b.first_read)
            al, bl, r2 = name_forms(a.last, a.last_read, b.last, b.last_read)
        return PairNames(af, al, bf, bl, swapped, r1 or r2)
    if turn_b:
        return PairNames(a.first, a.last, b.last, b.first, True, False)
    if swapped:
        return PairNames(a.last, a.first, b.first, b.last, True, False)
    return PairNames(a.first, a.last, b.first, b.last, False, False)


def resplit(x_middle: str, x_last: str, y_middle: str) -> tuple[str, str] | None:
    """``x``'s middle and last names as ``y`` splits the same words, where ``y`` has more given names.

    A full name of three words in a Spanish-speaking country is read as one given
    name and two family names ("Evelio Camila Velasco": Evelio / Camila Velasco),
    while a form's own columns may say two given names and one family name
    ("Evelio Camila" / "Velasco Barragán").  When ``y``'s further given names are
    ``x``'s and then words ``x``'s last name starts with, ``x`` is read as ``y``:
    middle "camila", last "velasco".  ``None`` when the words do not line up so.
    """
    if len(y_middle) <= len(x_middle):
        return None
    if x_middle:
        if not y_middle.startswith(x_middle + " "):
            return None
        extra = y_middle[len(x_middle) + 1:]
    else:
        extra = y_middle
    moved = extra.replace(" ", "")
    if len(x_last) >= len(moved) + 2 and x_last.startswith(moved):
        return y_middle, x_last[len(moved):]
    return None


def resplit_side(a: Profile, b: Profile) -> int:
    """How two records' given and family names line up when they split the same words apart.

    1 when ``a``'s names are to be read as ``b`` splits them, 2 for ``b`` as ``a``
    (:func:`resplit`: the last names disagree as written, the first names do not);
    3 when one wrote the family names first (:func:`swapped_with_given_names`); else 0.
    Records with the same further given names are taken as written, unless one wrote its
    family names before its one given name (:func:`family_names_first`): 4 when ``a`` did,
    5 when ``b`` did.
    """
    if not a.last or not b.last:
        return 0
    if a.middle == b.middle:
        return family_names_first_side(a, b)
    if first_name_level(a.first, b.first) != "different" and last_name_level(a.last, b.last) == "different":
        if resplit(a.middle, a.last, b.middle) is not None:
            return 1
        if resplit(b.middle, b.last, a.middle) is not None:
            return 2
    return 3 if swapped_with_given_names(a, b) else 0


def _given(p: Profile) -> str:
    """All of a record's given names run together, as a folded last name is."""
    return p.first + p.middle.replace(" ", "") if p.middle else p.first


def swapped_with_given_names(a: Profile, b: Profile) -> bool:
    """Whether one record wrote the family names first where given names are two or more words.

    "Guzmán Jiménez Conchita Lucía" read as Guzmán / Jiménez / Conchita Lucía beside
    Conchita / Lucía / Guzmán Jiménez: the given names of each are the family names of
    the other (spelled the same, with a slip, or one left out at the end).
    """
    if not (a.first and a.last and b.first and b.last) or not (a.middle or b.middle):
        return False
    if first_name_level(a.first, b.first) != "different" and last_name_level(a.last, b.last) != "different":
        return False
    return (last_name_level(_given(a), b.last) in ("exact", "typo")
            and last_name_level(a.last, _given(b)) in ("exact", "typo"))


def family_names_first(x: Profile, y: Profile) -> tuple[str, str] | None:
    """``x``'s given and family names where ``x`` wrote its family names before its one given name.

    A till in Mexico writes "Aguirre Godínez Aurelio" (paterno, materno, nombre),
    which reads as the given name Aguirre and the family names Godínez Aurelio;
    the shop's columns say "Aurelio" / "Aguirre Godínez", or "Aurelio" / "Aguirre"
    with the second family name left out.  When ``x``'s last name ends with
    ``y``'s given name (spelled the same or with a slip) and ``x``'s first name
    and the words before it are ``y``'s family names (or start with them), ``x``
    reads as ``("aurelio", "aguirregodinez")``.  Only for names that disagree as
    written, without further given names on either side or a reading, and with a
    word before the given name on ``x``'s side: two words the other way round are
    a plain swap (:func:`names_swapped`).  The family name must start with the
    same letter on both sides: nearly every pair of records scored is not such a
    one, and this says so at once.  ``None`` otherwise.
    """
    if x.middle or y.middle or not (x.first and x.last and y.first and y.last):
        return None
    given, rest = y.first, x.last
    if x.first[0] != y.last[0] or len(given) < 3 or len(rest) < len(given) + 2:
        return None
    if x.first_read or x.last_read or y.first_read or y.last_read:
        return None
    if first_name_level(given, x.first) != "different":
        return None
    # The given name as written, or with a letter more or less (a slip).
    for size in (len(given), len(given) - 1, len(given) + 1):
        head, tail = rest[:-size], rest[-size:]
        if len(head) >= 2 and first_name_level(given, tail) in ("exact", "typo"):
            family = x.first + head
            if last_name_level(y.last, family) in ("exact", "typo"):
                return tail, family
    return None


def family_names_first_side(a: Profile, b: Profile) -> int:
    """4 when ``a`` wrote its family names before its given name beside ``b``, 5 for ``b``, else 0."""
    if family_names_first(a, b) is not None:
        return 4
    return 5 if family_names_first(b, a) is not None else 0


def compare(a: Profile, b: Profile) -> tuple[dict[str, str], bool]:
    """Each comparison's level for two records, and whether their names were swapped.

    Comparisons where either record lacks the field are left out.  The levels
    are those of :data:`PRIOR_M`, plus ``initial`` for first and middle names
    (an initial against a name, weighed :data:`INITIAL_BITS`).  Scoring and the
    fit read records through this one function.
    """
    levels, names, _, _ = _compare(a, b)
    return levels, names.swapped


def _compare(a: Profile, b: Profile) -> tuple[dict[str, str], PairNames, int, tuple[str, str]]:
    """:func:`compare`, with the names as compared, which side's names were re-split
    (:func:`resplit_side`), and the first and last name whose frequency weighs their agreement."""
    levels: dict[str, str] = {}
    if a.emails and b.emails:
        levels["email"] = "agree" if set(a.emails) & set(b.emails) else "disagree"
    if a.phones and b.phones:
        levels["phone"] = "agree" if set(a.phones) & set(b.phones) else "disagree"
    # Names: "Last, First" swaps count as agreement on both.
    names = pair_names(a, b)
    first_a, last_a, first_b, last_b = names.a_first, names.a_last, names.b_first, names.b_last
    middle_a, middle_b = a.middle, b.middle
    side = 0
    if middle_a != middle_b:
        # Further given names on one side: a swap is read with them (side 3), not without.
        side = (3 if swapped_with_given_names(a, b) else 0) if names.swapped else resplit_side(a, b)
    elif not names.swapped and not middle_a:
        side = family_names_first_side(a, b)
    if side in (1, 2):
        # resplit_side reads the names as written; a reading compared in their place may
        # not split so (both names in kanji, with furigana): then they are taken as read.
        split = resplit(middle_a, last_a, middle_b) if side == 1 else resplit(middle_b, last_b, middle_a)
        if split is None:
            side = 0
        elif side == 1:
            middle_a, last_a = split
        else:
            middle_b, last_b = split
    elif side == 3:
        # All given names against the other's family names, and the other way round.
        first_a, last_a, first_b, last_b = _given(a), a.last, b.last, _given(b)
        middle_a = middle_b = ""
    elif side == 4:
        first_a, last_a = family_names_first(a, b)
    elif side == 5:
        first_b, last_b = family_names_first(b, a)
    fl = first_name_level(first_a, first_b)
    if fl != "missing":
        levels["first"] = UNREADABLE if fl == "different" and _scripts_differ(first_a, first_b) else \
            _name_level(fl, first_a, first_b)
    ll = last_name_level(last_a, last_b)
    if ll != "missing":
        levels["last"] = UNREADABLE if ll == "different" and _scripts_differ(last_a, last_b) else \
            _name_level(ll, last_a, last_b)
    if (fl == "exact" and first_a != first_b) or (ll == "exact" and last_a != last_b):
        # Agreeing in two scripts: read by the name dictionary (keys.read_alike).
        names = names._replace(by_reading=True)
    ml = middle_name_level(middle_a, middle_b)
    if ml != "missing":
        levels["middle"] = ml
    # Where they live: a postcode says more than a city, so the city counts only without one.
    if a.postcode and b.postcode:
        levels["postcode"] = "agree" if a.postcode == b.postcode else "disagree"
    elif a.city and b.city:
        levels["city"] = "agree" if a.city == b.city else "disagree"
    if a.address and b.address:
        levels["address"] = address_level(a.address, b.address)
    if a.birthday and b.birthday:
        level = date_level(a.birthday, b.birthday)
        if a.birthday.startswith("--") or b.birthday.startswith("--"):
            levels["birthday_day"] = "agree" if level in ("exact", "day") else "different"
        else:
            levels["birthday"] = level
    # The names whose frequency weighs an exact agreement: as compared, or for a swap read
    # with all given names, one first and one family name as written.
    # A side read with its family names first weighs by the other's names as written.
    common = (((b.last if _turned(a, b) else a.first), a.last) if side == 3
              else (a.first, a.last) if side == 5 else (first_b, last_b))
    if side == 3:
        names = names._replace(a_first=first_a, b_first=first_b, swapped=False)
    return levels, names, side, common


def score_pair(a: Profile, b: Profile, freq: Frequencies, model: Model) -> PairScore:
    """Compare two records field by field and decide auto-merge, review or apart.

    The same score as :func:`score_pair_full`, faster: a resolve scores millions
    of pairs, most of them one person's records written with the same names, and
    the rest mostly a few thousand pairs of names met again and again.  The names
    are compared once per pair of names (:func:`_name_comparison`), not once per
    pair of records, and the same names need no comparing at all.  Names with a
    reading (kanji with furigana) take :func:`score_pair_full`.
    """
    if a.first_read or a.last_read or b.first_read or b.last_read:
        return score_pair_full(a, b, freq, model)
    if a.first == b.first and a.last == b.last and a.middle == b.middle:
        # Neither swapped nor split apart otherwise; the same names agree exactly (or are
        # missing on both), and middle names compared with themselves never conflict.
        return _score(a, b, freq, model, "exact" if a.first else None, "exact" if a.last else None,
                      middle_name_level(a.middle, a.middle) if a.middle else None, False, 0, "", b.first, b.last, "")
    return _score(a, b, freq, model, *_name_comparison(a.first, a.last, a.middle, b.first, b.last, b.middle))


# 2**15 entries hold a shop's repeated pairs of names in some 10 MB; more buys little at a
# million records, where most pairs of different names meet once, and would raise the peak.
@lru_cache(maxsize=1 << 15)
def _name_comparison(a_first: str, a_last: str, a_middle: str, b_first: str, b_last: str, b_middle: str) -> tuple:
    """How two records' names compare, as :func:`_compare` finds (a pure function of the names).

    The first, last and middle name levels (``None`` where missing), whether the
    names were swapped, the side re-split (:func:`resplit_side`), the reason a
    nickname gives, and the first and last name whose frequency weighs agreement.
    """
    a = Profile(0, "", None, "", "", a_first, a_last, (), (), (), "", "", "", None, (), a_middle)
    b = Profile(0, "", None, "", "", b_first, b_last, (), (), (), "", "", "", None, (), b_middle)
    levels, names, side, (first_b, last_b) = _compare(a, b)
    fl = levels.get("first")
    nickname = f"{names.a_first.title()} ~ {names.b_first.title()}" if fl == "nickname" else ""
    read = " (by reading)" if names.by_reading else ""
    return fl, levels.get("last"), levels.get("middle"), names.swapped, side, nickname, first_b, last_b, read


def _score(a: Profile, b: Profile, freq: Frequencies, model: Model, fl: str | None, ll: str | None,
           ml: str | None, swapped: bool, side: int, nickname: str, first_b: str, last_b: str,
           read: str) -> PairScore:
    """:func:`score_pair_full` for two records whose names compare as given (no readings).

    The other fields are compared as there, and the weights added in the same
    order, so the sum is the same to the last bit.
    """
    wb = model._bits
    if _ALL_LEVELS not in wb:
        _fill_bits(model)
    m = model.m
    min_u, max_u = model.min_u, model.max_u
    w = 0.0
    reasons: list[str] = []
    strong = False
    other = False
    conflict = None

    shared_email = False
    told_apart = False  # an email, phone or customer id of each, not the other's
    anchored = False  # strong evidence besides the address: an email, phone, customer id, birthday, employer
    own = False  # each its own phone, customer id of one system, or address at one firm (not a second email)
    x, y = a.emails, b.emails
    if x and y:
        if (x[0] == y[0]) if len(x) == 1 and len(y) == 1 else not set(x).isdisjoint(y):
            shared = freq.shared
            if shared and all(v in shared for v in set(x).intersection(y)):
                w += SHARED_BITS  # an office's front desk address: where, not who (as a shared phone)
                other = True
                reasons.append(SHARED_EMAIL)
            else:
                w += wb[("email", "agree")]
                strong = anchored = True
                reasons.append("same email")
            shared_email = True
        else:
            w += wb[("email", "disagree")]
            told_apart = True
    x, y = a.phones, b.phones
    if x and y:
        if (x[0] == y[0]) if len(x) == 1 and len(y) == 1 else not set(x).isdisjoint(y):
            shared = freq.shared
            if shared and all(v in shared for v in set(x).intersection(y)):
                # A number many different people give (the shop's own phone typed at the till)
                # says where they were, not who they are: weak evidence, like a postcode.
                w += SHARED_BITS
                other = True
                reasons.append(SHARED_PHONE)
            else:
                w += wb[("phone", "agree")]
                strong = anchored = True
                reasons.append("same phone")
        else:
            w += wb[("phone", "disagree")]
            told_apart = own = True
    x, y = a.externals, b.externals
    if x and y:
        if len(x) == 1 and len(y) == 1:
            shared = x[0] == y[0]
            same_channel = not shared and x[0].split(":", 1)[0] == y[0].split(":", 1)[0]
        else:
            shared = not set(x).isdisjoint(y)
            same_channel = not shared and not {v.split(":", 1)[0] for v in x}.isdisjoint(
                {v.split(":", 1)[0] for v in y})
        if shared:
            w += 20.0
            strong = anchored = True
            reasons.append("same customer id")
        elif same_channel:
            w -= 6.0
            told_apart = own = True
            reasons.append("different customer ids in one system")

    address = date = None  # levels read early where a last name differs (renamed)
    if swapped or side == 3:
        reasons.append(SWAPPED_REASON)
    elif side >= 4:
        reasons.append(FAMILY_FIRST_REASON)
    if fl == "exact":
        w += _tf_bits(m["first"]["exact"], freq.first.get(first_b, 0), freq.n_first, min_u, max_u)
        reasons.append("same first name" + read)
    elif fl == "nickname":
        w += wb[("first", fl)]
        reasons.append(nickname)
    elif fl == "close" or fl == "near":
        w += wb[("first", fl)]
        reasons.append("first name spelled differently")
    elif fl == "initial":
        w += INITIAL_BITS
    elif fl == "different":
        w += wb[("first", fl)]
        conflict = "different first names"
    if fl == UNREADABLE or ll == UNREADABLE:
        reasons.append(NAMES_UNREADABLE)
    if ll == "exact":
        w += _tf_bits(m["last"]["exact"], freq.last.get(last_b, 0), freq.n_last, min_u, max_u)
        reasons.append("same last name" + read)
    elif ll == "close" or ll == "near":
        w += wb[("last", ll)]
        reasons.append("last name spelled differently")
    elif ll == "different":
        w += wb[("last", ll)]
        if a.address and b.address:
            address = "same" if a.address == b.address else address_level(a.address, b.address)
        if a.birthday and b.birthday and not (a.birthday.startswith("--") or b.birthday.startswith("--")):
            date = "exact" if a.birthday == b.birthday else date_level(a.birthday, b.birthday)
        if fl in _NAME_AGREES and date == "exact" and address in _AT_HOME:  # renamed(levels)
            reasons.append(RENAMED_REASON)
        else:
            conflict = _also(conflict, "different last names")
    if ml == "same":
        w += wb[("middle", ml)]
        reasons.append("same middle name")
    elif ml == "initial":
        w += INITIAL_BITS
        reasons.append("middle initial agrees")
    elif ml == "different":
        w += wb[("middle", ml)]
        conflict = _also(conflict, "different middle names")

    if a.postcode and b.postcode:
        if a.postcode == b.postcode:
            w += _tf_bits(m["postcode"]["agree"], freq.postcode.get(a.postcode, 0), freq.n_postcode, min_u, max_u)
            other = True
            reasons.append("same postcode")
        else:
            w += wb[("postcode", "disagree")]
    elif a.city and b.city:
        if a.city == b.city:
            w += _tf_bits(m["city"]["agree"], freq.city.get(a.city, 0), freq.n_city, min_u, max_u)
            other = True
            reasons.append("same city")
        else:
            w += wb[("city", "disagree")]
    street = False  # the same street, another house number (keys.address_level)
    if a.address and b.address:
        # One address against itself is the same place (keys.address_level), without the lookup.
        level = address or ("same" if a.address == b.address else address_level(a.address, b.address))
        w += wb[("address", level)]
        street = level == "number" or level == "street"
        if level == "same":
            strong = True
            reasons.append("same address")
        elif level == "number":
            reasons.append("house numbers a slip apart")
        elif level == "street":
            reasons.append(SAME_STREET_REASON)

    if a.employers and b.employers and not shared_email:
        how = same_employer(a.employers, b.employers)
        # Two addresses at one firm's domain (patricia.lee@ and patrick.lee@harborlaw.com) are
        # colleagues as often as one person: only a company column names the employer then.
        own = own or how == "domain"
        if how == "company":
            u = Frequencies._u(freq.work, freq.n_work, stem(a.employers[0]), model)
            w += _bits(m["employer"]["agree"], max(u, model.u["employer"]["agree"]))
            strong = anchored = True
            reasons.append("same employer")

    day_agrees = False
    if a.birthday and b.birthday:
        level = date_level(a.birthday, b.birthday)
        if a.birthday.startswith("--") or b.birthday.startswith("--"):
            if level == "exact" or level == "day":
                w += wb[("birthday_day", "agree")]
                other = day_agrees = True
                reasons.append("same birthday (day and month)")
            else:
                w += wb[("birthday_day", "different")]
        else:
            w += wb[("birthday", level)]
            if level == "exact":
                strong = anchored = True
                reasons.append("same birthday")
            elif level == "typo":
                reasons.append("birthdays a digit apart")
            else:
                if level == "day":
                    other = True
                    reasons.append("same birthday (day and month)")
                conflict = _also(conflict, "different birthdays")
    if a.suffix != b.suffix:
        conflict = _generations(a, b, conflict)

    if conflict is not None:
        decision = "review" if w >= model.review_threshold and strong else "apart"
    elif strong:
        decision = "auto" if w >= model.auto_threshold else ("review" if w >= model.review_threshold else "apart")
        if decision == "auto" and (fl == UNREADABLE or ll == UNREADABLE):
            decision = "review"  # names not compared: two of a household would pass as one
        elif decision == "auto" and own and not anchored:
            # Name and address alone, and each its own phone or address at one firm: namesakes at
            # one office or building are two people as often as one; the user says.  (A second
            # email alone is no such sign: people keep a work one.)
            decision = "review"
    elif day_agrees and (fl == "exact" or fl == "nickname") and ll == "exact" and w >= model.auto_threshold:
        decision = "auto"
    elif other and fl in _NAME_AGREES and ll in _NAME_AGREES and street and not told_apart:
        decision = "auto" if w >= model.auto_threshold else ("review" if w >= model.review_threshold else "apart")
    elif other and fl in _NAME_AGREES and ll in _NAME_AGREES:
        decision = "review" if w >= model.review_threshold else "apart"
    else:
        decision = "apart"
    return PairScore(round(w, 2), decision, strong, conflict, reasons, swapped, side,
                     ll == "different" and conflict is None)


GENERATIONS_DIFFER = "different generations (Jr., Sr.)"
GENERATION_ONE_SIDE = "a Jr. or Sr. on one side only"


def _generations(a: Profile, b: Profile, conflict: str | None) -> str | None:
    """``conflict`` with what two records' generational suffixes say against one person.

    A father and his son share a name, a house and a landline: "Sr." against "Jr." (or "II"
    against "III") tells two people, like two birthdays.  A suffix on one record only is a
    little against: such a pair waits in Review unless an email, a customer id or the full
    birthday is the same on both.
    """
    if a.suffix and b.suffix:
        return _also(conflict, GENERATIONS_DIFFER)
    if ((a.birthday and a.birthday == b.birthday and not a.birthday.startswith("--"))
            or not set(a.emails).isdisjoint(b.emails) or not set(a.externals).isdisjoint(b.externals)):
        return conflict
    return _also(conflict, GENERATION_ONE_SIDE)


def _also(conflict: str | None, what: str) -> str:
    """``conflict`` with one more thing that differs: "different first names and birthdays".

    Review names everything that speaks against one person, not only the first
    found: a pair whose first names and birthdays both differ is not the same
    question as one whose first names alone do.
    """
    if conflict is None:
        return what
    head, _, last = conflict.removeprefix("different ").rpartition(" and ")
    return f"different {head + ', ' if head else ''}{last} and {what.removeprefix('different ')}"


def release_caches() -> None:
    """Forget the pairs of names compared (some 10 MB at its fullest); a resolve calls it once it has scored."""
    _name_comparison.cache_clear()


# Marks a model whose bits of every level are cached (Model._bits): see _fill_bits.
_ALL_LEVELS = ("", "")


def _fill_bits(model: Model) -> None:
    """Cache the bits of every level of ``model`` (as :meth:`Model.bits` computes them), for plain lookups."""
    for comparison, levels in model.m.items():
        for level in levels:
            if level in model.u.get(comparison, ()):
                model.bits(comparison, level)
    model._bits[_ALL_LEVELS] = 0.0


# Bits of an exact agreement by how many records hold the value, per (m, records, min_u, max_u):
# a handful of models and fields, each with a few hundred distinct counts.
_TF_BITS: dict[tuple[float, int, float, float], dict[int, float]] = {}


def _tf_bits(m: float, count: int, n: int, min_u: float, max_u: float) -> float:
    """``_bits(m, Frequencies._u(...))`` for a value ``count`` of ``n`` records hold, looked up once computed."""
    table = _TF_BITS.get((m, n, min_u, max_u))
    if table is None:
        if len(_TF_BITS) >= 256:
            _TF_BITS.clear()
        table = _TF_BITS[(m, n, min_u, max_u)] = {}
    w = table.get(count)
    if w is None:
        # Frequencies._u, then _bits: the same arithmetic, so the same bits.
        u = min(max((count + 1) / (n + 1), min_u), max_u) if n > 0 else 0.01
        w = table[count] = math.log2(m / u)
    return w


def score_pair_full(a: Profile, b: Profile, freq: Frequencies, model: Model) -> PairScore:
    """:func:`score_pair` for any two records: every name comparison, swaps, re-splits and readings."""
    levels, names, side, (first_b, last_b) = _compare(a, b)
    swapped = names.swapped
    # A name that agrees by its reading (kanji with its furigana against kana or Latin letters) says so.
    read = " (by reading)" if names.by_reading else ""
    bits = model.bits
    w = 0.0
    reasons: list[str] = []
    strong = False
    other = False  # agreement on something besides names
    conflict = None

    shared_email = False
    anchored = False  # as in _score
    own = levels.get("phone") == "disagree"  # as in _score
    for kind, held_a, held_b, said in (("email", a.emails, b.emails, SHARED_EMAIL),
                                       ("phone", a.phones, b.phones, SHARED_PHONE)):
        level = levels.get(kind)
        if level == "agree" and freq.shared and all(v in freq.shared for v in set(held_a) & set(held_b)):
            w += SHARED_BITS  # many different people give it: where, not who (see _score)
            other = True
            reasons.append(said)
        elif level is not None:
            w += bits(kind, level)
            if level == "agree":
                strong = anchored = True
                reasons.append(f"same {kind}")
        shared_email = shared_email or (kind == "email" and level == "agree")
    if a.externals and b.externals:
        shared = set(a.externals) & set(b.externals)
        if shared:
            w += 20.0
            strong = anchored = True
            reasons.append("same customer id")
        else:
            same_channel = {x.split(":", 1)[0] for x in a.externals} & {x.split(":", 1)[0] for x in b.externals}
            if same_channel:
                w -= 6.0
                own = True
                reasons.append("different customer ids in one system")

    if swapped or side == 3:
        reasons.append(SWAPPED_REASON)
    elif side >= 4:
        reasons.append(FAMILY_FIRST_REASON)
    fl = levels.get("first")
    if fl == "exact":
        w += _bits(model.m["first"]["exact"], Frequencies._u(freq.first, freq.n_first, first_b, model))
        reasons.append("same first name" + read)
    elif fl == "nickname":
        w += bits("first", fl)
        reasons.append(f"{names.a_first.title()} ~ {names.b_first.title()}")
    elif fl == "close" or fl == "near":
        w += bits("first", fl)
        reasons.append("first name spelled differently")
    elif fl == "initial":
        w += INITIAL_BITS
    elif fl == "different":
        w += bits("first", fl)
        conflict = "different first names"
    ll = levels.get("last")
    if fl == UNREADABLE or ll == UNREADABLE:
        reasons.append(NAMES_UNREADABLE)
    if ll == "exact":
        w += _bits(model.m["last"]["exact"], Frequencies._u(freq.last, freq.n_last, last_b, model))
        reasons.append("same last name" + read)
    elif ll == "close" or ll == "near":
        w += bits("last", ll)
        reasons.append("last name spelled differently")
    elif ll == "different":
        w += bits("last", ll)
        if renamed(levels):
            reasons.append(RENAMED_REASON)
        else:
            # Ann Brown and Ann Green on the shop's landline are two customers; one person
            # under a new married name is real too, but without more than a phone to go
            # on that is the user's call, never a merge.
            conflict = _also(conflict, "different last names")
    # Middle names: one left out is no evidence, an initial agrees a little, two different
    # ones ("Mamadou Moustapha Barry", "Mamadou Saliou Barry") are two people.
    ml = levels.get("middle")
    if ml == "same":
        w += bits("middle", ml)
        reasons.append("same middle name")
    elif ml == "initial":
        w += INITIAL_BITS
        reasons.append("middle initial agrees")
    elif ml == "different":
        w += bits("middle", ml)
        conflict = _also(conflict, "different middle names")

    # A shared postcode or city weighs by how common that value is in the workspace.
    for place, counts, n_place in (("postcode", freq.postcode, freq.n_postcode), ("city", freq.city, freq.n_city)):
        level = levels.get(place)
        if level == "agree":
            w += _bits(model.m[place]["agree"], Frequencies._u(counts, n_place, getattr(a, place), model))
            other = True
            reasons.append(f"same {place}")
        elif level is not None:
            w += bits(place, level)
    level = levels.get("address")
    if level is not None:
        w += bits("address", level)
        if level == "same":
            strong = True
            reasons.append("same address")
        elif level == "number":
            # A mistyped house number or the neighbour's: a little against, no veto.
            reasons.append("house numbers a slip apart")
        elif level == "street":
            reasons.append(SAME_STREET_REASON)

    if a.employers and b.employers and not shared_email:
        # A shared email address already says all its domain could: counted once.
        how = same_employer(a.employers, b.employers)
        # Two addresses at one firm's domain (patricia.lee@ and patrick.lee@harborlaw.com) are
        # colleagues as often as one person: only a company column names the employer then.
        own = own or how == "domain"
        if how == "company":
            # A town's big employer proves less than a small firm: weighed by how common it is.
            u = Frequencies._u(freq.work, freq.n_work, stem(a.employers[0]), model)
            w += _bits(model.m["employer"]["agree"], max(u, model.u["employer"]["agree"]))
            strong = anchored = True
            reasons.append("same employer")

    level = levels.get("birthday")
    if level is not None:
        w += bits("birthday", level)
        if level == "exact":
            strong = anchored = True
            reasons.append("same birthday")
        elif level == "typo":
            # A digit slipped: a little against, never a veto.
            reasons.append("birthdays a digit apart")
        else:
            if level == "day":
                other = True
                reasons.append("same birthday (day and month)")
            conflict = _also(conflict, "different birthdays")
    level = levels.get("birthday_day")
    if level is not None:
        w += bits("birthday_day", level)
        if level == "agree":
            other = True
            reasons.append("same birthday (day and month)")
    if a.suffix != b.suffix:
        conflict = _generations(a, b, conflict)

    if conflict is not None:
        # Different first names with only a surname and a town in common are a household,
        # not a question for the user; a shared email, phone or address is worth asking about.
        decision = "review" if w >= model.review_threshold and strong else "apart"
    elif strong:
        decision = "auto" if w >= model.auto_threshold else ("review" if w >= model.review_threshold else "apart")
        if decision == "auto" and (fl == UNREADABLE or ll == UNREADABLE):
            # Names not compared (kanji against Latin letters): one mailbox's two people would
            # pass as one, so the user says.
            decision = "review"
        elif decision == "auto" and own and not anchored:
            decision = "review"  # name and address alone, each its own phone (see _score)
    elif (levels.get("birthday_day") == "agree" and fl in ("exact", "nickname") and ll == "exact"
          and w >= model.auto_threshold):
        # A name rare enough to reach the threshold with the same day and month of birth (one
        # side without the year: a newsletter's birthday): namesakes share a birthday 1 in 365.
        decision = "auto"
    elif (other and fl in _NAME_AGREES and ll in _NAME_AGREES and levels.get("address") in _ON_THE_STREET
          and "disagree" not in (levels.get("email"), levels.get("phone"))
          and "different customer ids in one system" not in reasons):
        # The whole name, the postcode and the street, only the house number another, and no email,
        # phone or customer id telling them apart: one person's number typed wrong (or a move down
        # the road), where the name is rare enough.  Namesakes down the road with their own emails
        # or phones are two people.
        decision = "auto" if w >= model.auto_threshold else ("review" if w >= model.review_threshold else "apart")
    elif other and fl in _NAME_AGREES and ll in _NAME_AGREES:
        decision = "review" if w >= model.review_threshold else "apart"
    else:
        decision = "apart"
    return PairScore(round(w, 2), decision, strong, conflict, reasons, swapped, side,
                     ll == "different" and conflict is None)


def renamed(levels: dict[str, str]) -> bool:
    """Whether two records with different last names agree on all else that tells people apart.

    The same first name, the same full date of birth and the same street address
    (or the same street, its house number typed wrong: ``keys.address_level``):
    one person under a married name, or a surname typed wrong, not two people; a
    household's twins differ in first names, a father and his son in birthdays.
    """
    return (levels.get("first") in _NAME_AGREES and levels.get("birthday") == "exact"
            and levels.get("address") in _AT_HOME)


_NAME_AGREES = frozenset({"exact", "nickname", "close", "near"})
_ON_THE_STREET = frozenset({"number", "street"})
_AT_HOME = _ON_THE_STREET | {"same"}  # address levels of one person's two records: renamed


# How sure a score is, said in words for people; the bits stay for those who hover.
def confidence_words(score: float, model: Model) -> str:
    """How likely a pair is one person, in words read against the workspace's thresholds.

    Never "certain": a pair waits in Review because something disagrees (different first
    names on one family email, say), so even evidence as strong as an automatic merge's is
    only "very likely".
    """
    if score >= model.auto_threshold:
        return "very likely"
    if score >= (model.auto_threshold + model.review_threshold) / 2:
        return "likely"
    if score >= model.review_threshold:
        return "possibly"
    return "unlikely"


SWAPPED_REASON = "first and last name swapped"
SAME_STREET_REASON = "same street, another house number"
FAMILY_FIRST_REASON = "family names written first"
RENAMED_REASON = "last names differ, but first name, birthday and address agree"  # scoring.renamed, in words
NAMES_ONLY = "nothing but the name to go on"  # the reason a pair of a name-only record carries in Review
# The same, for two customers asked about on their name whose records also share an email or phone
# that others hold too (a family's mailbox): more than the name, but not what tells one person.
NAMES_ON_SHARED = "on an email or phone others share too"
NAME_PAIRS = (NAMES_ONLY, NAMES_ON_SHARED)
_AGAINST = ("but ", "not merged: ")  # how a queued pair's reasons say what speaks against one person


# What a pair's reasons say where its two records agree on what a guard of the clustering speaks of
# (clustering.Clusters.why_not); a nickname ("Bill ~ William") agrees on the first name too.
_AGREEING = {
    "different first names": ("same first name", "first name spelled differently"),
    "different last names": ("same last name", "last name spelled differently"),
    "different middle names": ("same middle name", "middle initial agrees"),
    "different birthdays": ("same birthday", "birthdays a digit apart"),
}


def not_merged(why: str, reasons: Sequence[str]) -> str:
    """The reason a pair the guards kept apart carries for it ("not merged: different birthdays").

    Where the pair's two records agree on what the guard speaks of ("same first
    name"), the conflict is with other records of their customers, and the
    reason says so: "same first name" beside a bare "different first names"
    contradicts itself.
    """
    agreeing = _AGREEING.get(why)
    if agreeing and any(r.startswith(agreeing) or (why == "different first names" and " ~ " in r)
                        for r in reasons):
        return f"not merged: {why} among their other records"
    return f"not merged: {why}"


def pair_conflict(reasons: Sequence[str]) -> str | None:
    """What speaks against one person in a queued pair's reasons ("different first names"), or None.

    The guard that kept the pair out of one customer: a conflict the scoring
    found ("but different first names"), or one the clustering met on the way
    ("not merged: different birthdays").
    """
    for reason in reasons:
        for prefix in _AGAINST:
            if reason.startswith(prefix):
                return reason[len(prefix):]
    return None


def pair_evidence(reasons: Sequence[str]) -> list[str]:
    """The reasons that speak for one person: what agrees, without the conflict (nor the names
    not compared, which the headline says)."""
    return [r for r in reasons if not r.startswith(_AGAINST) and r != NAMES_UNREADABLE]


@dataclass(frozen=True)
class PairConfidence:
    """How sure Review may say a queued pair is one person, in words, with the number behind them."""

    words: str  # "very likely", "possibly", "unsure: different first names"
    headline: str  # "Very likely the same person", "Unsure: different first names"
    hint: str  # the score, and what it stands for (or does not)
    conflict: str | None = None
    names_only: bool = False
    names_unread: bool = False  # names in two scripts, not compared


def pair_confidence(score: float, reasons: Sequence[str], model: Model) -> PairConfidence:
    """:func:`confidence_words` for a pair waiting in Review, read with its reasons.

    A pair with a conflict (a family sharing an email: different first names)
    is not "very likely" however much else agrees: its score weighs only what
    agrees, so its odds are not the odds of one person, and the words name the
    conflict instead; so is a pair whose names are in two scripts, not compared.
    A pair with nothing but the name to go on is at most
    "possibly": its score says how rare the name is, and namesakes exist.
    """
    conflict = pair_conflict(reasons)
    if conflict is not None:
        return PairConfidence(
            f"unsure: {conflict}", f"Unsure: {conflict}",
            f"What agrees weighs {score:.1f} bits of evidence, but {conflict} speak against one person "
            "(a family sharing an email or a phone looks just like this); the score is not the odds "
            "of one person.", conflict=conflict)
    if NAMES_UNREADABLE in reasons:
        # The score is all what else agrees (an email, say): one household's two people on one
        # mailbox score just as much, so it is not the odds of one person either.
        return PairConfidence(
            "unsure: names in two scripts", "Unsure: names in two scripts, not compared",
            f"What agrees weighs {score:.1f} bits of evidence, but the names are in two scripts and were "
            "not compared (two people of a family sharing an email look just like this); the score is "
            "not the odds of one person.", names_unread=True)
    words = confidence_words(score, model)
    if any(r in reasons for r in NAME_PAIRS):
        if words in ("very likely", "likely"):
            words = "possibly"
        why = ("all of it how rare the name is" if NAMES_ONLY in reasons else
               "most of it how rare the name is and an email or phone that others share too")
        return PairConfidence(words, f"{words.capitalize()} the same person",
                              f"{score:.1f} bits of evidence, {why}: two people "
                              "can share a name, so the score is not the odds of one person.", names_only=True)
    return PairConfidence(words, f"{words.capitalize()} the same person", score_hint(score))


def score_hint(score: float) -> str:
    """The number behind the words: bits of evidence and the odds they stand for."""
    odds = 2 ** score
    return (f"{score:.1f} bits of evidence: the agreements weigh about "
            f"{odds:,.0f} to 1 for one person" if odds >= 10 else f"{score:.1f} bits of evidence")
