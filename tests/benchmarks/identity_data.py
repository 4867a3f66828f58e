"""Shared pieces of the identity-resolution benchmarks.

* :func:`pairwise` scores a clustering against ground truth the way record
  linkage papers do: over pairs of records, so that a wrong merge of two big
  customers costs as much as it hurts a shop.
* :class:`UnionFind` is the "exact email or phone" baseline's clustering.
* :class:`Synthetic` makes contact records at the scale of the speed goal
  (a million and more) without going through CSV import, which would take
  longer than the resolution being measured, and can render the same people
  as a CSV for the incremental part.

Synthetic people are deterministic functions of (seed, person number), so a
later CSV can mention people of the big workspace without keeping them all in
memory.  Names follow a census-like long tail: the demo's real first and last
names take the top ranks and made-up syllable names fill the tail, weighted
1/(rank + c)^a so that the commonest surname is about 0.8 % of people and the
commonest first name about 1.4 % (close to US census figures).  The tail
matters: blocking cost and blocking misses both depend on how many people
share a name.

Phones use a documented synthetic scheme in which uniqueness matters more
than realism: person k gets ``+1 NPA 555 SSSS`` with NPA = AREA_CODES[k % A]
and SSSS = 0100 + k // A, over the A (109) real area codes of the demo's
places.  The first 100 * A people therefore get numbers in the 555-0100..0199
range reserved for fiction; later people get other 555 numbers, unique up to
about a million people.  Emails are under example.com/.net/.org.
"""

from __future__ import annotations

import bisect
import csv
import json
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from random import Random

from omnidesk.core.demo_data import SHOPIFY_CUSTOMERS_HEADER, word_lines, word_rows
from omnidesk.core.identity.keys import fold, last_key, last_sound

# -- scoring a clustering ---------------------------------------------------------------


def _c2(n: int) -> int:
    return n * (n - 1) // 2


@dataclass
class Pairwise:
    """Pairwise confusion counts; they add up across data sets."""

    predicted: int = 0
    true: int = 0
    correct: int = 0
    records: int = 0

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.true if self.true else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Pairwise) -> Pairwise:
        return Pairwise(self.predicted + other.predicted, self.true + other.true,
                        self.correct + other.correct, self.records + other.records)


def pairwise(items: Iterable[tuple[Hashable, Hashable]]) -> Pairwise:
    """``items`` are (predicted cluster, true entity) per record.

    Counted from cluster sizes, not by listing pairs: a person with hundreds
    of email-activity rows has tens of thousands of pairs.
    """
    pred: Counter = Counter()
    true: Counter = Counter()
    both: Counter = Counter()
    n = 0
    for p, t in items:
        pred[p] += 1
        true[t] += 1
        both[(p, t)] += 1
        n += 1
    return Pairwise(sum(_c2(v) for v in pred.values()), sum(_c2(v) for v in true.values()),
                    sum(_c2(v) for v in both.values()), n)


class UnionFind:
    def __init__(self) -> None:
        self.parent: dict = {}

    def find(self, x):
        parent = self.parent
        parent.setdefault(x, x)
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a, b) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


def exact_id_clusters(records: Iterable[tuple[int, Iterable[str]]], links: Iterable[tuple[int, int]] = ()
                      ) -> dict[int, int]:
    """Record id -> cluster root, joining records that share any identifier value."""
    uf = UnionFind()
    first_with: dict[str, int] = {}
    for rid, values in records:
        uf.find(rid)
        for v in values:
            other = first_with.setdefault(v, rid)
            if other != rid:
                uf.union(other, rid)
    for a, b in links:
        uf.union(a, b)
    return {rid: uf.find(rid) for rid in list(uf.parent)}


# -- synthetic people at scale -----------------------------------------------------------

_ONSETS = ("b", "br", "c", "ch", "d", "dr", "f", "g", "gr", "h", "j", "k", "kr", "l", "m", "n",
           "p", "pr", "r", "s", "sh", "st", "t", "tr", "v", "w", "z")
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ea", "ou", "y", "ie")
_CODAS = ("", "n", "r", "l", "s", "th", "ck", "m", "nd", "rt", "ll", "x", "wick", "ton", "berg",
          "ley", "son", "ford", "ham", "ski", "stein", "ez", "ini", "ov", "ard")
_SHAPES = ("{o}{v}{c}", "{o}{v}{o2}{v2}{c}", "{v}{o}{v2}{c}")

LAST_NAME_COUNT = 150_000
FIRST_NAME_COUNT = 5_000
DOMAINS = ("example.com", "example.com", "example.net", "example.org")
CHANNELS = ("shop", "pos", "email", "sms", "contacts")
CHANNEL_WEIGHTS = (40, 20, 25, 8, 7)


def _made_up_names(count: int, taken: set[str], salt: str) -> list[str]:
    """Deterministic pronounceable names, unique and distinct from ``taken``."""
    rng = Random(f"names:{salt}")
    out: list[str] = []
    seen = set(taken)
    while len(out) < count:
        shape = rng.choice(_SHAPES)
        name = shape.format(o=rng.choice(_ONSETS), v=rng.choice(_VOWELS), o2=rng.choice(_ONSETS),
                            v2=rng.choice(_VOWELS), c=rng.choice(_CODAS)).capitalize()
        if len(name) >= 3 and name.lower() not in seen:
            seen.add(name.lower())
            out.append(name)
    return out


def _zipf_cum(n: int, offset: float, power: float) -> list[float]:
    total = 0.0
    out = []
    for r in range(1, n + 1):
        total += 1.0 / (r + offset) ** power
        out.append(total)
    return out


@dataclass
class Person:
    k: int
    first: str
    last: str
    nicks: tuple[str, ...]
    email: str | None
    alt_email: str
    phone: str | None  # E.164
    city: str
    region: str
    postcode: str
    address: str
    birthday: str | None


@dataclass
class Rec:
    """One rendered record of a person, already normalized as the importer would."""

    person: int
    channel: str
    first: str
    last: str
    emails: list[str]
    phones: list[str]
    city: str
    region: str
    postcode: str
    address: str
    birthday: str | None


@dataclass
class Synthetic:
    """Deterministic synthetic contact records; see the module docstring."""

    seed: int = 20261101
    multi_share: float = 0.30  # people with 2-4 records
    household_every: int = 100  # one person in this many shares a household email with the previous one
    _first: list[str] = field(init=False, repr=False)
    _nicks: dict[str, tuple[str, ...]] = field(init=False, repr=False)
    _last: list[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        first_rows = sorted(word_rows("first_names.csv"), key=lambda r: r["name"])
        # The list has no frequencies; a fixed shuffle spreads popularity over origins.
        Random("first-name-ranks").shuffle(first_rows)
        real_first = [r["name"] for r in first_rows]
        self._nicks = {r["name"]: tuple(x for x in r["nicknames"].split("|") if x) for r in first_rows}
        self._first = real_first + _made_up_names(FIRST_NAME_COUNT - len(real_first),
                                                  {n.lower() for n in real_first}, "first")
        last_rows = sorted(word_rows("last_names.csv"), key=lambda r: -int(r["weight"]))
        real_last = list(dict.fromkeys(r["name"] for r in last_rows))
        self._last = real_last + _made_up_names(LAST_NAME_COUNT - len(real_last),
                                                {n.lower() for n in real_last}, "last")
        self._first_cum = _zipf_cum(len(self._first), 15, 1.1)
        self._last_cum = _zipf_cum(len(self._last), 20, 1.1)
        self._places = word_rows("us_places.csv")
        self._place_cum = []
        total = 0
        for p in self._places:
            total += int(p["weight"])
            self._place_cum.append(total)
        codes: list[str] = []
        for p in self._places:
            for npa in p["area_codes"].split():
                if npa not in codes:
                    codes.append(npa)
        self.area_codes = tuple(codes)
        self._streets = word_lines("streets.txt")

    @staticmethod
    def _pick(rng: Random, items: list, cum: list[float]):
        return items[bisect.bisect_left(cum, rng.random() * cum[-1])]

    def phone_of(self, k: int) -> str | None:
        a = len(self.area_codes)
        sub = 100 + k // a
        if sub > 9999:
            return None
        return f"+1{self.area_codes[k % a]}555{sub:04d}"

    def person(self, k: int) -> Person:
        rng = Random(self.seed * 10_000_019 + k)
        first = self._pick(rng, self._first, self._first_cum)
        last = self._pick(rng, self._last, self._last_cum)
        place = self._pick(rng, self._places, self._place_cum)
        zip_prefix = place["zips"].split()[0][:3]
        fn, ln = fold(first), fold(last)
        style = rng.randrange(4)
        local = (f"{fn}.{ln}", f"{fn}{ln}", f"{fn[0]}{ln}", f"{ln}.{fn}")[style]
        email = f"{local}.{k}@{rng.choice(DOMAINS)}" if rng.random() < 0.93 else None
        alt = f"{fn}{k}@{rng.choice(DOMAINS)}"
        phone = self.phone_of(k) if rng.random() < 0.75 else None
        bday = None
        if rng.random() < 0.4:
            bday = f"{rng.randint(1945, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        p = Person(k, first, last, self._nicks.get(first, ()), email, alt, phone, place["city"],
                   place["region"], f"{zip_prefix}{rng.randrange(100):02d}",
                   f"{rng.randint(1, 999)} {rng.choice(self._streets)}", bday)
        if self.household_every and k % self.household_every == 1 and k > 0:
            # A household: the previous person's surname, address and email, own first name.
            other = self.person(k - 1)
            if fold(other.first) != fn and other.email:
                p.last, p.email = other.last, other.email
                p.city, p.region, p.postcode, p.address = other.city, other.region, other.postcode, other.address
        return p

    def record_count(self, k: int) -> int:
        rng = Random(self.seed * 7_000_003 + k)
        return rng.randint(2, 4) if rng.random() < self.multi_share else 1

    def render(self, p: Person, n: int, rng: Random) -> Rec:
        """The person's ``n``-th record; later records carry the usual noise."""
        first, last = p.first, p.last
        emails = [p.email] if p.email else []
        phones = [p.phone] if p.phone else []
        address = p.address if rng.random() < 0.6 else ""
        birthday = p.birthday if rng.random() < 0.3 else None
        postcode = p.postcode if rng.random() < 0.85 else ""
        if n > 0:
            if p.nicks and rng.random() < 0.4:
                first = rng.choice(p.nicks)
            r = rng.random()
            if r < 0.08:
                first, last = first.upper(), last.upper()
            elif r < 0.12:
                first, last = first.lower(), last.lower()
            if rng.random() < 0.25:
                emails = []
            elif rng.random() < 0.12:
                emails = [p.alt_email]  # a second address, e.g. a work or an old one
            if rng.random() < 0.3:
                phones = []
            if rng.random() < 0.05:
                first = _typo(rng, first)
            elif rng.random() < 0.05:
                last = _typo(rng, last)
        return Rec(p.k, rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0], first, last, emails, phones,
                   p.city, p.region, postcode, address, birthday)

    def records(self, total: int) -> Iterator[Rec]:
        """At least ``total`` records, person by person; stops at ``total``."""
        made = 0
        k = 0
        while made < total:
            p = self.person(k)
            rng = Random(self.seed * 3_000_017 + k)
            for n in range(self.record_count(k)):
                if made >= total:
                    return
                yield self.render(p, n, rng)
                made += 1
            k += 1

    def people_for(self, total: int) -> int:
        """How many people :meth:`records` walks through for ``total`` records."""
        made = k = 0
        while made < total:
            made += self.record_count(k)
            k += 1
        return k


def _typo(rng: Random, word: str) -> str:
    if len(word) < 4:
        return word
    i = rng.randint(1, len(word) - 2)
    op = rng.randrange(3)
    if op == 0:
        return word[:i] + word[i + 1:]
    if op == 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word[:i] + word[i] + word[i:]


SYNTHETIC_HEADER = ("Synthetic person", "First Name", "Last Name", "Email", "Phone", "City",
                    "Region", "Zip", "Address", "Birthday")


def insert_synthetic(conn, gen: Synthetic, total: int, chunk: int = 20_000) -> dict:
    """Write ``total`` synthetic records straight into source_record and identifier.

    Ids are assigned here so identifiers can be written without reading them
    back.  One import batch per channel stands in for the files they came from;
    the person number is kept as the first raw cell, which is where a real
    import keeps the file's own columns, and is the ground truth.
    """
    import hashlib

    from sqlalchemy import func, insert, select

    from omnidesk.core.models import Identifier, ImportBatch, SourceRecord, utcnow

    rec_t, ident_t, batch_t = SourceRecord.__table__, Identifier.__table__, ImportBatch.__table__
    batches = {}
    for ch in CHANNELS:
        batches[ch] = conn.execute(insert(batch_t).values(
            file_name=f"synthetic_{ch}.csv", file_hash=hashlib.sha256(f"{gen.seed}:{ch}".encode()).hexdigest(),
            channel=ch, kind="contacts", header_json=json.dumps(SYNTHETIC_HEADER), mapping_json="[]",
            options_json="{}", status="done", started_at=utcnow(), finished_at=utcnow(),
        )).inserted_primary_key[0]
    next_id = (conn.execute(select(func.max(rec_t.c.id))).scalar() or 0) + 1
    record_no: Counter = Counter()
    recs, idents = [], []
    stats = Counter()

    def flush() -> None:
        if recs:
            conn.execute(insert(rec_t), recs)
        if idents:
            conn.execute(insert(ident_t), idents)
        recs.clear()
        idents.clear()

    for r in gen.records(total):
        rid = next_id
        next_id += 1
        record_no[r.channel] += 1
        raw = [f"S{r.person}", r.first, r.last, r.emails[0] if r.emails else "",
               r.phones[0] if r.phones else "", r.city, r.region, r.postcode, r.address, r.birthday or ""]
        raw_json = json.dumps(raw, ensure_ascii=False)
        recs.append({
            "id": rid, "batch_id": batches[r.channel], "record_no": record_no[r.channel],
            "line_no": record_no[r.channel] + 1, "channel": r.channel, "kind": "contacts",
            "row_hash": hashlib.sha1(f"{r.channel}\x1e{raw_json}\x1e{rid}".encode()).hexdigest(),
            "raw_json": raw_json, "customer_id": None,
            "external_id": str(rid) if r.channel == "shop" else None,
            "first_name": r.first, "last_name": r.last,
            "last_key": last_key(r.last), "last_sound": last_sound(r.last),
            "email": r.emails[0] if r.emails else None, "phone": r.phones[0] if r.phones else None,
            "company": "", "address": r.address, "city": r.city, "region": r.region,
            "postcode": r.postcode, "country": "US", "birthday": r.birthday, "tags": "",
            "occurred_at": None, "values_json": "{}", "problems_json": "[]", "flagged": False,
        })
        for e in r.emails:
            idents.append({"record_id": rid, "kind": "email", "value": e})
        for ph in r.phones:
            idents.append({"record_id": rid, "kind": "phone", "value": ph})
        if r.channel == "shop":
            # A Shopify account id, meaningful only within the shop channel.
            idents.append({"record_id": rid, "kind": "external", "value": f"shop:{rid}"})
        stats["records"] += 1
        stats["identifiers"] += len(r.emails) + len(r.phones) + (r.channel == "shop")
        if len(recs) >= chunk:
            flush()
    flush()
    return dict(stats)


def write_synthetic_csv(path: Path, gen: Synthetic, existing_people: int, rows: int,
                        overlap: float = 0.5, seed: int = 7) -> list[int]:
    """A Shopify customers export of ``rows`` people, ``overlap`` of them already known.

    Returns the person number behind each row.  Known people come back as a
    later record would (nickname, case, a missing or second email ...); new
    people are numbered after everyone in the workspace.
    """
    rng = Random(f"csv:{seed}")
    header = list(SHOPIFY_CUSTOMERS_HEADER)
    col = {h: i for i, h in enumerate(header)}
    persons = []
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        fresh = existing_people + seed * 100_000  # far from any earlier CSV's new people
        for i in range(rows):
            if rng.random() < overlap:
                k = rng.randrange(existing_people)
                r = gen.render(gen.person(k), 1, rng)
            else:
                k = fresh
                fresh += 1
                r = gen.render(gen.person(k), 0, rng)
            persons.append(k)
            row = [""] * len(header)
            row[col["Customer ID"]] = f"'{9_000_000_000_000 + seed * 1_000_000 + i}"
            row[col["First Name"]] = r.first
            row[col["Last Name"]] = r.last
            row[col["Email"]] = r.emails[0] if r.emails else ""
            if r.phones:
                e = r.phones[0]
                # People type their numbers every which way; the importer normalizes them.
                row[col["Phone"]] = rng.choice((e, f"({e[2:5]}) {e[5:8]}-{e[8:]}", f"{e[2:5]}.{e[5:8]}.{e[8:]}"))
            row[col["Default Address Address1"]] = r.address
            row[col["Default Address City"]] = r.city
            row[col["Default Address Province Code"]] = r.region
            row[col["Default Address Country Code"]] = "US"
            row[col["Default Address Zip"]] = r.postcode
            row[col["Total Spent"]] = f"{rng.uniform(0, 500):.2f}"
            row[col["Total Orders"]] = str(rng.randint(0, 12))
            row[col["Tax Exempt"]] = "no"
            row[col["Accepts Email Marketing"]] = rng.choice(("yes", "no"))
            w.writerow(row)
    return persons


def synthetic_truth(conn) -> Iterator[tuple[object, str]]:
    """(predicted cluster, person) for every synthetic record; unplaced records are singletons."""
    from sqlalchemy import select

    from omnidesk.core.models import SourceRecord

    rec = SourceRecord.__table__
    for rid, cid, raw in conn.execute(select(rec.c.id, rec.c.customer_id, rec.c.raw_json)):
        if raw.startswith('["S'):
            person = raw[2:raw.index('"', 2)]
            yield (cid if cid is not None else ("r", rid)), person


def block_sizes(conn, kinds: tuple[str, ...] = ("email", "phone")) -> dict[str, int]:
    """Largest identifier groups, for a sanity look at the generated data."""
    from sqlalchemy import func, select

    from omnidesk.core.models import Identifier

    ident = Identifier.__table__
    out = defaultdict(int)
    for kind, n in conn.execute(
        select(ident.c.kind, func.count()).where(ident.c.kind.in_(kinds))
        .group_by(ident.c.kind, ident.c.value)
    ):
        out[kind] = max(out[kind], n)
    return dict(out)
