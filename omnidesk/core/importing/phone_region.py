"""Which country a file's phone numbers without a country code are from.

A contacts file whose numbers are mostly ``+91 …`` holds Indian people; its
ten-digit numbers without a code are Indian mobiles, not numbers of the
workspace's region.  While the plan streams the file, :class:`RegionEvidence`
counts what the file says (numbers written with a country code, the values of
its country columns), and :func:`decide_phone_region` turns the counts into one
:class:`PhoneRegion` with the reason a person is shown.  A row's own country
still decides that row's numbers; the file's region is for the rows without one.

The rule, in order:

1. A region chosen for the import (``--region``, the wizard's choice) wins.
2. The file's own evidence when it is clear: at least ``MIN_EVIDENCE`` numbers
   and country values, ``SHARE`` of them agreeing on one country code.  Numbers
   written with a code count only when they are the file's habit (at least as many
   as those without), when the country column agrees, or when the numbers without
   a code are real numbers of that country more often than of the workspace's:
   a US shop's list of local numbers with six customers abroad stays a US list.
3. The workspace's ``default_region``.

Mixed evidence (no country code has ``SHARE`` of it) is not guessed: numbers
without a country code in rows without a country are flagged.  That needs the
mix to be the file's own: its numbers mostly carry a code, or its country column
is mixed and its numbers without a code are not mostly real numbers of the
workspace's region.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

import phonenumbers

from omnidesk.core.errors import UserError
from omnidesk.core.importing import normalize as nz

# One country must hold 80% of the evidence.  A one-country file still carries a
# few foreign numbers (customers abroad, a supplier, a relative), so unanimity
# would be too strict; below four in five, a wrong pick would misread many of the
# numbers that have no code, and flagging them is the honest answer.
SHARE = 0.8
# And at least five pieces of evidence: one or two foreign numbers in a small
# file are more likely exceptions than the file's country.
MIN_EVIDENCE = 5
# The numbers without a country code kept to test which region reads them as real numbers.
LOCAL_SAMPLE = 200


def region_name(code: str) -> str:
    """The English name of a region ("IN" -> "India"), from the data phonenumbers ships."""
    names = nz.region_names().get(code) or {}
    name = names.get("en") or names.get("aa") or ""
    for _ in range(3):  # "*aa" means "as in the language aa"
        if not name.startswith("*"):
            break
        name = names.get(name[1:], "")
    return name or code


def region_label(code: str) -> str:
    """"India (IN)"."""
    return f"{region_name(code)} ({code})"


def check_region(text: str) -> str:
    """The region code for ``text`` ("in" -> "IN"); a clear error for one phonenumbers does not know."""
    code = (text or "").strip().upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise UserError(f"'{text}' is not a region code such as US, GB or IN")
    return code


def all_regions() -> list[tuple[str, str]]:
    """Every region phonenumbers knows as (code, label), by name."""
    return list(_all_regions())


@cache  # the names phonenumbers ships, the same for the whole run: worked out once, not at each dialog
def _all_regions() -> tuple[tuple[str, str], ...]:
    return tuple(sorted(((c, region_label(c)) for c in phonenumbers.SUPPORTED_REGIONS),
                        key=lambda item: item[1].casefold()))


def _calling_code(region: str) -> int:
    return phonenumbers.country_code_for_region(region)


def _plus(codes: list[int]) -> str:
    shown = [f"+{c}" for c in codes]
    return " and ".join([", ".join(shown[:-1]), shown[-1]]) if len(shown) > 1 else "".join(shown)


@dataclass(frozen=True)
class PhoneRegion:
    """How numbers without a country code are read: as ``code``'s, or (None) flagged."""

    code: str | None  # None: the file mixes countries
    source: str  # "chosen" | "file" | "default" | "mixed"
    reason: str  # "1,425 numbers in this file start +91"
    mixed_codes: tuple[int, ...] = ()  # for mixed files, the country codes it mixes, most common first

    @property
    def label(self) -> str:
        return region_label(self.code) if self.code else "mixed"

    @property
    def problem(self) -> str:
        """What a flagged number without a country code is told, in a mixed file."""
        return f"no country code and this file mixes countries: {_plus(list(self.mixed_codes[:3]))}"

    def explain(self) -> str:
        """The decision and its reason for a person: "India: 1,425 numbers in this file start +91"."""
        return f"{region_name(self.code)}: {self.reason}" if self.code else self.reason[:1].upper() + self.reason[1:]

    def summary(self) -> str:
        """One line for the plan's notes: "phone region: India (IN) — 1,425 numbers … start +91"."""
        if self.code is None:
            return f"phone region: none — {self.reason}"
        return f"phone region: {self.label} — {self.reason}"

    def to_json(self) -> dict:
        return {"code": self.code, "source": self.source, "reason": self.reason}


def chosen(code: str, reason: str = "chosen for this import") -> PhoneRegion:
    code = check_region(code)
    return PhoneRegion(code, "chosen", reason)


_SEPARATORS = re.compile(r"[\s().\-/]")


_FIVE_DIGITS = re.compile(r"(?:\D*\d){5}")


def _cleaned(raw: str) -> str:
    text = nz.clean_cell(raw)
    if ":" in text[:3]:  # a lead export's "p:+1…"
        text = nz.clean_cell(nz.strip_type_prefix(text))
    return text


def classify(raw: str) -> tuple[int | None, bool]:
    """(country calling code, written without one) for one number: (91, False) for "+91 98…",
    (None, True) for "98450 12345", (None, False) for an empty cell, a placeholder or a stray digit."""
    text = _cleaned(raw)
    if text[:1] in ("+", "0"):
        compact = _SEPARATORS.sub("", text)
        if compact.startswith(("+", "00")):
            return _code_of(compact), False
    return None, _FIVE_DIGITS.match(text) is not None


def calling_code(raw: str) -> int | None:
    """The country calling code a number is written with ("+91 98…", "0044 …"), else None."""
    return _code_of(_SEPARATORS.sub("", _cleaned(raw)))


def _code_of(compact: str) -> int | None:
    if compact.startswith("+"):
        digits = compact[1:]
    elif compact.startswith("00"):
        digits = compact[2:]
    else:
        return None
    for n in (1, 2, 3):  # country codes are prefix-free: the first that exists is it
        head = digits[:n]
        if len(head) == n and head.isdigit() and int(head) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            return int(head)
    return None


def is_local_number(raw: str) -> bool:
    """A cell holding a number written without a country code (not a placeholder such as "N/A")."""
    return classify(raw)[1]


@dataclass
class RegionEvidence:
    """What one file says about its country, counted row by row as it streams past."""

    codes: Counter = field(default_factory=Counter)  # country calling code -> numbers written with it
    countries: Counter = field(default_factory=Counter)  # region -> rows whose country column names it
    international: int = 0
    local: int = 0
    local_sample: list[str] = field(default_factory=list)  # no code, in rows without a country
    rows: int = 0
    complete: bool = True  # False: only the first ``rows`` rows were read
    _country_cache: dict[str, str | None] = field(default_factory=dict, repr=False)

    def add(self, phones: list[str], country: str) -> None:
        """One row: its phone cells (several numbers per cell allowed) and its first country cell."""
        self.rows += 1
        code = None
        if country:
            if country not in self._country_cache:
                self._country_cache[country] = nz.normalize_country(country).value
            code = self._country_cache[country]
            if code:
                self.countries[code] += 1
        for cell in phones:
            if not cell:
                continue
            for part in _parts(cell):
                cc, local = classify(part)
                if cc is not None:
                    if phonenumbers.region_code_for_country_code(cc) != "001":  # +800 and such: no country
                        self.codes[cc] += 1
                        self.international += 1
                elif local:
                    self.local += 1
                    if not code and len(self.local_sample) < LOCAL_SAMPLE:
                        self.local_sample.append(part)

    def votes(self) -> Counter:
        """Evidence per country calling code: numbers plus country values (US and CA both count for +1)."""
        out = Counter(self.codes)
        for region, n in self.countries.items():
            out[_calling_code(region)] += n
        return out

    def fit(self, region: str) -> float:
        """The share of the sampled numbers without a code that are real numbers of ``region``."""
        if not self.local_sample:
            return 0.0
        ok = sum(1 for s in self.local_sample if nz.normalize_phone(s, region).value is not None)
        return ok / len(self.local_sample)


def _parts(cell: str) -> list[str]:
    if ":::" in cell:
        return [p.strip() for p in cell.split(":::") if p.strip()]
    if ";" in cell:
        return [p.strip() for p in cell.split(";") if p.strip()]
    return [cell]


def _region_for(cc: int, default: str, evidence: RegionEvidence) -> str:
    """The region to read a country code's local numbers as: the workspace's when it shares the
    code, else the one the country column names most, else the code's main country."""
    if _calling_code(default) == cc:
        return default
    named = [(n, r) for r, n in evidence.countries.items() if _calling_code(r) == cc]
    if named:
        return max(named)[1]
    return phonenumbers.region_code_for_country_code(cc)


def _evidence_text(evidence: RegionEvidence, cc: int, region: str) -> str:
    where = "in this file" if evidence.complete else f"in the first {evidence.rows:,} rows"
    parts = []
    if evidence.codes[cc]:
        n = evidence.codes[cc]
        parts.append(f"{n:,} number{'s' if n != 1 else ''} {where} start{'s' if n == 1 else ''} +{cc}")
    named = sum(n for r, n in evidence.countries.items() if _calling_code(r) == cc)
    if named:
        if parts:
            rows = f"{named:,} row{'s' if named != 1 else ''}"
        else:
            rows = f"{named:,} row{'s' if named != 1 else ''} {where}" if evidence.complete \
                else f"{named:,} of the first {evidence.rows:,} rows"
        parts.append(f"{rows} give{'s' if named == 1 else ''} {region_name(region)} as the country")
    return " and ".join(parts) or "nothing in this file says otherwise"


def decide_phone_region(evidence: RegionEvidence, default: str, explicit: str | None = None) -> PhoneRegion:
    """Decide how numbers without a country code are read (see the module docstring)."""
    if explicit:
        return chosen(explicit)
    default = default.upper()
    votes = evidence.votes()
    total = sum(votes.values())
    if total < MIN_EVIDENCE:
        return PhoneRegion(default, "default", "the workspace's region; this file has too few country codes "
                           "or countries to go by")
    ranked = votes.most_common()
    leader, n = ranked[0]
    # Numbers written with a country code are the file's own habit when they are at least
    # half of its numbers; otherwise they are its exceptions (customers abroad in a list of
    # local numbers) and say nothing about the local ones.
    writes_codes = evidence.international >= max(evidence.local, 1)
    if n / total >= SHARE:
        region = _region_for(leader, default, evidence)
        because = _evidence_text(evidence, leader, region)
        if region == default:
            return PhoneRegion(default, "file", because)
        named = sum(c for r, c in evidence.countries.items() if _calling_code(r) == leader)
        fits = bool(evidence.local_sample) and evidence.fit(region) > evidence.fit(default)
        if named >= MIN_EVIDENCE or writes_codes or fits:
            also = "; its numbers without a country code are real numbers there" if fits and not (
                named >= MIN_EVIDENCE or writes_codes) else ""
            return PhoneRegion(region, "file", f"{because}{also}")
        return PhoneRegion(default, "default", f"the workspace's region: most numbers in this file have "
                           f"no country code, and the {evidence.codes[leader]:,} starting +{leader} look like "
                           "customers abroad")
    codes = tuple(c for c, _ in ranked)
    counts = ", ".join(f"+{c} ({k:,})" for c, k in ranked[:3])
    named_total = sum(evidence.countries.values())
    if writes_codes or (named_total >= MIN_EVIDENCE and evidence.local_sample and evidence.fit(default) < SHARE):
        return PhoneRegion(None, "mixed", f"this file mixes {counts}; numbers without a country code are "
                           "flagged unless their row gives a country", codes)
    if named_total >= MIN_EVIDENCE:
        rest = (f"its numbers without a country code are mostly real {default} numbers" if evidence.local_sample
                else "every number has a country code or a country in its row")
        why = f"this file's countries are mixed ({counts}), and {rest}"
    else:
        why = f"most numbers in this file have no country code; those with one are mixed ({counts})"
    return PhoneRegion(default, "default", f"the workspace's region: {why}")
