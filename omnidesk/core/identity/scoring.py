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
from dataclasses import dataclass, field

from omnidesk.core.identity.employer import same_employer, stem
from omnidesk.core.identity.keys import (
    date_level,
    first_name_level,
    last_name_level,
    middle_name_level,
    same_address,
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


def _bits(m: float, u: float) -> float:
    return math.log2(m / u)


@dataclass
class Model:
    """The m-probabilities and thresholds; every number is a documented prior.

    Thresholds are in bits of evidence (log2 likelihood ratio): at the default
    ``auto_threshold`` of 14 bits a pair is ~16,000 times likelier a match than not.
    """

    auto_threshold: float = 14.0
    review_threshold: float = 7.0
    m_email: float = 0.75  # people keep one address per shop, but many have a work and a personal one
    u_email: float = 1e-5
    m_phone: float = 0.8
    u_phone: float = 1e-5
    m_first_exact: float = 0.86
    m_first_nickname: float = 0.07
    # Names compare at levels: exact (weighed by how common the name is), nickname,
    # close typo (one edit or Jaro-Winkler >= 0.92), near typo (two edits in a long
    # name, Jaro-Winkler >= 0.9), and different (see keys.first_name_level, typo_level).
    m_first_typo: float = 0.04  # close
    m_first_near: float = 0.01
    u_name_typo: float = 0.003  # two people's names a close typo apart
    u_name_near: float = 0.003
    m_last_exact: float = 0.9
    # Both records give a middle name: one person's agree nearly always (m); two
    # people of one first and last name share a middle name now and then (u).
    m_middle: float = 0.9
    u_middle: float = 0.05
    m_last_typo: float = 0.06  # close, or one name a part of the other ("Garcia Lopez", "Garcia")
    m_last_near: float = 0.015
    m_postcode: float = 0.8  # people move; shipping vs home addresses
    m_city: float = 0.85
    m_address: float = 0.7
    u_address: float = 1e-4
    # Both records name an employer and it is the same one.  People change jobs and work
    # for several (m); how often two records name one employer by chance is how common
    # that employer is among the records naming one, but never rarer than this (u).
    m_employer: float = 0.85
    u_employer: float = 1e-3
    m_birthday: float = 0.97
    u_birthday_full: float = 1 / (365 * 70)
    u_birthday_day: float = 1 / 365
    # Birthdays one digit (or a day/month swap) apart.  One person's records show such a
    # slip now and then (m); among pairs that share a name or an email, two people's
    # birthdays fall that close more often (u): a little evidence against, no veto.
    m_birthday_typo: float = 0.02
    u_birthday_typo: float = 0.04
    min_u: float = 5e-4  # no single name value is rarer than this in our estimates
    max_u: float = 0.2


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
    return (_bits(model.m_first_exact, Frequencies._u(freq.first, freq.n_first, first, model))
            + _bits(model.m_last_exact, Frequencies._u(freq.last, freq.n_last, last, model)))


@dataclass(slots=True)
class PairScore:
    weight: float
    decision: str  # auto | review | apart
    strong: bool
    conflict: str | None
    reasons: list[str]
    swapped: bool = False  # one side wrote "Last, First" the other way round


def _swapped(a: Profile, b: Profile) -> bool:
    """Whether one record wrote "Last, First" the other way round, spelled the same or with a slip.

    Only when the names disagree as written and agree crossed over: "Vanessa
    Reid" and "Rwid Vanesda", not "Lee Ann" and "Ann Lee" told apart by nothing.
    """
    if not (a.first and a.last and b.first and b.last) or a.first == a.last:
        return False
    if a.first == b.last and a.last == b.first:
        return True
    if first_name_level(a.first, b.first) != "different" and last_name_level(a.last, b.last) != "different":
        return False
    return (first_name_level(a.last, b.first) in ("exact", "nickname", "typo")
            and last_name_level(a.first, b.last) in ("exact", "typo"))


def score_pair(a: Profile, b: Profile, freq: Frequencies, model: Model) -> PairScore:
    """Compare two records field by field and decide auto-merge, review or apart."""
    w = 0.0
    reasons: list[str] = []
    strong = False
    other = False  # agreement on something besides names
    conflict = None

    shared_email = False
    if a.emails and b.emails:
        if set(a.emails) & set(b.emails):
            shared_email = True
            w += _bits(model.m_email, model.u_email)
            strong = True
            reasons.append("same email")
        else:
            w += _bits(1 - model.m_email, 1 - model.u_email)
    if a.phones and b.phones:
        if set(a.phones) & set(b.phones):
            w += _bits(model.m_phone, model.u_phone)
            strong = True
            reasons.append("same phone")
        else:
            w += _bits(1 - model.m_phone, 1 - model.u_phone)
    if a.externals and b.externals:
        shared = set(a.externals) & set(b.externals)
        if shared:
            w += 20.0
            strong = True
            reasons.append("same customer id")
        else:
            same_channel = {x.split(":", 1)[0] for x in a.externals} & {x.split(":", 1)[0] for x in b.externals}
            if same_channel:
                w -= 6.0
                reasons.append("different customer ids in one system")

    # Names: "Last, First" swaps count as agreement on both.
    first_a, last_a = a.first, a.last
    swapped = _swapped(a, b)
    if swapped:
        first_a, last_a = a.last, a.first
        reasons.append("first and last name swapped")
    fl = first_name_level(first_a, b.first)
    ll = last_name_level(last_a, b.last)
    if fl == "exact":
        u = Frequencies._u(freq.first, freq.n_first, b.first, model)
        w += _bits(model.m_first_exact, u)
        reasons.append("same first name")
    elif fl == "nickname":
        w += _bits(model.m_first_nickname, 0.004)
        reasons.append(f"{a.first.title()} ~ {b.first.title()}")
    elif fl == "typo":
        if typo_level(first_a, b.first) == "close":
            w += _bits(model.m_first_typo, model.u_name_typo)
        else:
            w += _bits(model.m_first_near, model.u_name_near)
        reasons.append("first name spelled differently")
    elif fl == "initial":
        w += 0.5
    elif fl == "different":
        w += _bits(1 - model.m_first_exact - model.m_first_nickname - model.m_first_typo, 0.95)
        conflict = "different first names"
    if ll == "exact":
        u = Frequencies._u(freq.last, freq.n_last, b.last, model)
        w += _bits(model.m_last_exact, u)
        reasons.append("same last name")
    elif ll == "typo":
        if typo_level(last_a, b.last) == "close":
            w += _bits(model.m_last_typo, model.u_name_typo)
        else:
            w += _bits(model.m_last_near, model.u_name_near)
        reasons.append("last name spelled differently")
    elif ll == "different":
        w += _bits(1 - model.m_last_exact - model.m_last_typo, 0.98)
        # Ann Brown and Ann Green on the shop's landline are two customers; one person
        # under a new married name is real too, but that is the user's call, never a merge.
        conflict = conflict or "different last names"
    # Middle names: one left out is no evidence, an initial agrees a little, two different
    # ones ("Mamadou Moustapha Barry", "Mamadou Saliou Barry") are two people.
    ml = middle_name_level(a.middle, b.middle)
    if ml == "same":
        w += _bits(model.m_middle, model.u_middle)
        reasons.append("same middle name")
    elif ml == "initial":
        w += 0.5
        reasons.append("middle initial agrees")
    elif ml == "different":
        w += _bits(1 - model.m_middle, 1 - model.u_middle)
        conflict = conflict or "different middle names"

    # Where they live: a postcode says more than a city, so the city counts only without one.
    if a.postcode and b.postcode:
        if a.postcode == b.postcode:
            w += _bits(model.m_postcode, Frequencies._u(freq.postcode, freq.n_postcode, a.postcode, model))
            other = True
            reasons.append("same postcode")
        else:
            w += _bits(1 - model.m_postcode, 0.97)
    elif a.city and b.city:
        if a.city == b.city:
            w += _bits(model.m_city, Frequencies._u(freq.city, freq.n_city, a.city, model))
            other = True
            reasons.append("same city")
        else:
            w += _bits(1 - model.m_city, 0.9)
    if a.address and b.address:
        if same_address(a.address, b.address):
            w += _bits(model.m_address, model.u_address)
            strong = True
            reasons.append("same address")
        else:
            w += _bits(1 - model.m_address, 1 - model.u_address)

    if a.employers and b.employers and not shared_email:
        # A shared email address already says all its domain could: counted once.
        how = same_employer(a.employers, b.employers)
        if how is not None:
            # A town's big employer proves less than a small firm: weighed by how common it is.
            u = Frequencies._u(freq.work, freq.n_work, stem(a.employers[0]), model)
            w += _bits(model.m_employer, max(u, model.u_employer))
            if how == "company":
                strong = True
                reasons.append("same employer")
            else:
                other = True
                reasons.append("same work email domain")

    if a.birthday and b.birthday:
        level = date_level(a.birthday, b.birthday)
        if level == "exact" and not a.birthday.startswith("--"):
            w += _bits(model.m_birthday, model.u_birthday_full)
            strong = True
            reasons.append("same birthday")
        elif level == "exact" or level == "day":
            w += _bits(model.m_birthday, model.u_birthday_day)
            other = True
            reasons.append("same birthday (day and month)")
            if level == "day" and not a.birthday.startswith("--") and not b.birthday.startswith("--"):
                conflict = conflict or "different birthdays"
        elif level == "typo":
            # A digit slipped: a little against, never a veto.
            w += _bits(model.m_birthday_typo, model.u_birthday_typo)
            reasons.append("birthdays a digit apart")
        else:
            w += _bits(1 - model.m_birthday, 1 - model.u_birthday_day)
            if not a.birthday.startswith("--") and not b.birthday.startswith("--"):
                conflict = conflict or "different birthdays"

    if conflict is not None:
        # Different first names with only a surname and a town in common are a household,
        # not a question for the user; a shared email, phone or address is worth asking about.
        decision = "review" if w >= model.review_threshold and strong else "apart"
    elif strong:
        decision = "auto" if w >= model.auto_threshold else ("review" if w >= model.review_threshold else "apart")
    elif other and fl in ("exact", "nickname", "typo") and ll in ("exact", "typo"):
        decision = "review" if w >= model.review_threshold else "apart"
    else:
        decision = "apart"
    return PairScore(round(w, 2), decision, strong, conflict, reasons, swapped)


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


def score_hint(score: float) -> str:
    """The number behind the words: bits of evidence and the odds they stand for."""
    odds = 2 ** score
    return (f"{score:.1f} bits of evidence: the agreements weigh about "
            f"{odds:,.0f} to 1 for one person" if odds >= 10 else f"{score:.1f} bits of evidence")
