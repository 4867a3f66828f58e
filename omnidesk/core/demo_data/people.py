"""The demo shop's customers: invented people with names, nicknames, addresses, phones, emails and channels.

Everything here is fictional by construction (see the package docstring): phone
numbers come from the ranges reserved for drama, email domains from the
reserved example domains.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from omnidesk.core.demo_data.shared import CHANNELS, ascii_slug, weighted, word_lines, word_rows


@dataclass(frozen=True)
class _Phone:
    country: str
    e164: str
    styles: dict[str, str]

    def fmt(self, style: str) -> str:
        if style in self.styles:
            return self.styles[style]
        # European numbers have no US layouts; people type them nationally.
        if style in ("e164", "plain"):
            return self.e164
        if style in ("intl", "one"):
            return self.styles["intl"]
        return self.styles["national"]


def _us_phone(npa: str, line: int) -> _Phone:
    sub = f"{line:04d}"
    return _Phone("US", f"+1{npa}555{sub}", {
        "e164": f"+1{npa}555{sub}",
        "paren": f"({npa}) 555-{sub}",
        "dash": f"{npa}-555-{sub}",
        "dot": f"{npa}.555.{sub}",
        "space": f"{npa} 555 {sub}",
        "plain": f"{npa}555{sub}",
        "intl": f"+1 {npa} 555 {sub}",
        "intl_dash": f"+1 {npa}-555-{sub}",
        "one": f"1-{npa}-555-{sub}",
        "national": f"({npa}) 555-{sub}",
    })


def _eu_phone(country: str, prefix: str, n: int) -> _Phone:
    # prefix is the international form of a reserved block, e.g. "+44 20 7946 0".
    parts = prefix.split(" ")
    cc = parts[0][1:]
    if country == "GB":
        tail = f"{n:03d}"
        intl = f"{prefix}{tail}"
        national = "0" + " ".join(parts[1:]) + tail
    elif country == "FR":
        tail = f"{n:04d}"
        intl = f"{prefix} {tail[:2]} {tail[2:]}"
        national = "0" + " ".join(parts[1:]) + f" {tail[:2]} {tail[2:]}"
    else:
        tail = f"{n:03d}"
        intl = f"{prefix}{tail}"
        national = "0" + " ".join(parts[1:]) + tail
    e164 = "+" + cc + "".join(parts[1:]) + tail
    return _Phone(country, e164, {"e164": e164, "intl": intl, "national": national})


class _PhonePool:
    """Hands out unique fictional numbers, preferring the home area code."""

    def __init__(self, rng: random.Random):
        self._rng = rng
        self._us: dict[str, list[int]] = {}
        for place in word_rows("us_places.csv"):
            for npa in place["area_codes"].split():
                if npa not in self._us:
                    lines = list(range(100, 200))
                    rng.shuffle(lines)
                    self._us[npa] = lines
        self._eu: dict[str, list[int]] = {}

    def us(self, area_codes: list[str]) -> _Phone | None:
        for npa in area_codes:
            if self._us[npa]:
                return _us_phone(npa, self._us[npa].pop())
        # The home codes are used up: people keep numbers from where they
        # used to live, so any code with numbers left is believable.
        spare = [npa for npa, free in self._us.items() if free]
        if not spare:
            return None
        npa = self._rng.choice(spare)
        return _us_phone(npa, self._us[npa].pop())

    def eu(self, country: str, prefix: str) -> _Phone | None:
        if not prefix:
            return None
        if prefix not in self._eu:
            size = 10000 if country == "FR" else 1000
            block = list(range(size))
            self._rng.shuffle(block)
            self._eu[prefix] = block
        if not self._eu[prefix]:
            return None
        return _eu_phone(country, prefix, self._eu[prefix].pop())


@dataclass
class Person:
    pid: str
    first: str
    last: str
    nicks: tuple[str, ...]
    goes_by_nick: bool
    middle: str
    country: str
    local: bool
    street: str
    address2: str
    city: str
    region: str
    zip: str
    lat: float
    lon: float
    timezone: str
    gmtoff: int
    dstoff: int
    birthday: date | None
    phone: _Phone | None = None
    email: str = ""
    alt_email: str = ""
    work_email: str | None = None
    company: str | None = None
    job_title: str | None = None
    # Works for one of the shop's suppliers (and buys from the shop too).
    supplier: bool = False
    work_channels: tuple[str, ...] = ()
    channels: dict[str, bool] = field(default_factory=dict)
    coffee_club: bool = False
    family: int | None = None
    namesake: int | None = None
    # Where a phone number should come from: US area codes or an EU block.
    phone_hint: str = ""

    @property
    def nick(self) -> str | None:
        return self.nicks[0] if self.nicks else None

    def in_(self, channel: str) -> bool:
        return self.channels.get(channel, False)


_TZ_OFFSETS = {
    "America/New_York": (-5, -4), "America/Detroit": (-5, -4),
    "America/Chicago": (-6, -5), "America/Denver": (-7, -6),
    "America/Phoenix": (-7, -7), "America/Los_Angeles": (-8, -7),
    "Pacific/Honolulu": (-10, -10), "America/Anchorage": (-9, -8),
}

_COMMON_FULL_NAMES = (
    ("John", "Smith"), ("Maria", "Garcia"), ("Michael", "Johnson"),
    ("Jennifer", "Lee"), ("David", "Brown"), ("Sarah", "Miller"), ("James", "Williams"),
)

_JOB_TITLES = {
    "employer": (
        "Office Manager", "Hygienist", "Project Architect", "Account Executive",
        "Nurse Practitioner", "Producer", "Data Analyst", "Paralegal", "Realtor",
        "Consultant", "Teacher", "Software Engineer", "Loan Officer", "Designer",
    ),
    "supplier": ("Sales Rep", "Account Manager", "Owner", "Wholesale Lead"),
}

_EMAIL_DOMAINS = ("example.com", "example.net", "example.org")

_EU_STREETS = {
    "DE": ("{name} {no}", ("Lindenstraße", "Bergstraße", "Gartenweg", "Hafenstraße", "Schillerstraße")),
    "FR": ("{no} {name}", ("rue de la Roquette", "rue Oberkampf", "avenue Parmentier", "rue du Port",
                           "boulevard Voltaire")),
    "NL": ("{name} {no}", ("Prinsengracht", "Keizersgracht", "Oudegracht", "Haarlemmerstraat")),
    "GB": ("{no} {name}", ("Harbour Road", "Mill Lane", "Church Street", "Victoria Road", "Park Road")),
}


class _EmailBook:
    """Unique, made-up email addresses."""

    def __init__(self, rng: random.Random):
        self._rng = rng
        self._used: dict[str, bool] = {}

    def claim(self, address: str) -> str:
        local, _, domain = address.partition("@")
        candidate = address
        n = 2
        while candidate.lower() in self._used:
            candidate = f"{local}{n}@{domain}"
            n += 1
        self._used[candidate.lower()] = True
        return candidate

    def personal(self, first: str, last: str, birthday: date | None) -> str:
        rng = self._rng
        fn, ln = ascii_slug(first), ascii_slug(last)
        year = (birthday.year if birthday else rng.randint(1960, 2000)) % 100
        word = rng.choice(("pine", "coast", "harbor", "maine", "brew", "sail", "tide"))
        local = weighted(rng, (
            f"{fn}.{ln}", f"{fn}{ln}", f"{fn[0]}{ln}", f"{fn}.{ln}{year:02d}", f"{fn}_{ln}",
            f"{fn}{ln[0]}", f"{ln}.{fn}", f"{fn}{rng.randint(1, 99)}", f"{fn[0]}.{ln}{rng.randint(1, 9)}",
            f"{fn}.{ln[0]}.{word}",
        ), (18, 14, 10, 8, 6, 6, 4, 6, 4, 4))
        return self.claim(f"{local}@{rng.choice(_EMAIL_DOMAINS)}")


def build_people(n: int, seed: int) -> list[Person]:
    rng = random.Random(f"{seed}:people")
    us_places = word_rows("us_places.csv")
    us_weights = [int(p["weight"]) for p in us_places]
    eu_places = word_rows("eu_places.csv")
    eu_weights = [int(p["weight"]) for p in eu_places]
    first_rows = word_rows("first_names.csv")
    last_rows = word_rows("last_names.csv")
    streets = word_lines("streets.txt")
    companies = word_rows("companies.csv")

    def firsts(origin: str):
        return [r for r in first_rows if r["origin"] == origin]

    def lasts(origin: str):
        rows = [r for r in last_rows if r["origin"] == origin]
        return rows, [int(r["weight"]) for r in rows]

    first_by_origin = {o: firsts(o) for o in ("us", "de", "fr", "nl", "gb")}
    last_by_origin = {o: lasts(o) for o in ("us", "de", "fr", "nl", "gb")}

    people: list[Person] = []
    width = max(4, len(str(n)))
    for i in range(n):
        european = rng.random() < 0.05
        if european:
            place = weighted(rng, eu_places, eu_weights)
            origin = place["country"].lower()
            country = place["country"]
            zip_code = rng.choice(place["zips"].split("|"))
            region = ""
            local = False
            tz = place["timezone"]
            gmtoff, dstoff = int(place["gmtoff"]), int(place["dstoff"])
            layout, names = _EU_STREETS[country]
            street = layout.format(name=rng.choice(names), no=rng.randint(1, 150))
            phone_hint = place["phone_prefix"]
        else:
            place = weighted(rng, us_places, us_weights)
            origin = "us"
            country = "US"
            zip_code = rng.choice(place["zips"].split())
            region = place["region"]
            local = place["local"] == "1"
            tz = place["timezone"]
            gmtoff, dstoff = _TZ_OFFSETS[tz]
            street = f"{rng.randint(1, 999)} {rng.choice(streets)}"
            phone_hint = place["area_codes"]
        # Europeans sometimes carry English or American first names.
        pool = first_by_origin[origin] if origin == "us" or rng.random() < 0.75 else first_by_origin["gb"]
        first_row = rng.choice(pool)
        last_pool, last_w = last_by_origin[origin]
        last = weighted(rng, last_pool, last_w)["name"]
        nicks = tuple(x for x in first_row["nicknames"].split("|") if x)
        age_years = rng.triangular(19, 82, 42)
        birthday = date(2026, 1, 1) - timedelta(days=int(age_years * 365.25) + rng.randint(0, 364))
        address2 = ""
        if country == "US" and rng.random() < 0.12:
            address2 = rng.choice(("Apt ", "Unit ", "#")) + str(rng.randint(1, 40))
        people.append(Person(
            pid=f"P{i + 1:0{width}d}",
            first=first_row["name"], last=last, nicks=nicks,
            goes_by_nick=bool(nicks) and rng.random() < 0.55,
            middle=rng.choice("ABCDEFGHJKLMNPRSTW") if rng.random() < 0.15 else "",
            country=country, local=local, street=street, address2=address2,
            city=place["city"], region=region, zip=zip_code,
            lat=float(place["lat"]) + rng.uniform(-0.04, 0.04),
            lon=float(place["lon"]) + rng.uniform(-0.04, 0.04),
            timezone=tz, gmtoff=gmtoff, dstoff=dstoff,
            birthday=birthday, phone_hint=phone_hint,
        ))

    _make_namesakes(people, rng)
    _make_families(people, rng)

    phones = _PhonePool(random.Random(f"{seed}:phones"))
    emails = _EmailBook(rng)
    for p in people:
        if rng.random() < 0.92:
            if p.country == "US":
                p.phone = phones.us(p.phone_hint.split())
            else:
                p.phone = phones.eu(p.country, p.phone_hint)
        p.email = emails.personal(p.first, p.last, p.birthday)
        p.alt_email = emails.personal(p.nick or p.first, p.last, None)
        if p.country == "US" and rng.random() < 0.18:
            company = rng.choice(companies)
            p.company = company["name"]
            p.supplier = company["kind"] == "supplier"
            p.job_title = rng.choice(_JOB_TITLES[company["kind"]])
            fn, ln = ascii_slug(p.first), ascii_slug(p.last)
            local = rng.choice((f"{fn}.{ln}", f"{fn[0]}{ln}", fn))
            p.work_email = emails.claim(f"{local}@{company['domain']}")
            p.work_channels = tuple(c for c in CHANNELS if rng.random() < 0.35)
    _assign_family_emails(people, emails, rng)
    _assign_channels(people, rng)
    return people


def _make_namesakes(people: list[Person], rng: random.Random) -> None:
    """Give a few groups of unrelated US people one very common full name."""
    candidates = [p for p in people if p.country == "US"]
    if len(candidates) < 6:
        return
    groups = max(1, len(people) // 150)
    rng.shuffle(candidates)
    pos = 0
    for g in range(groups):
        size = 3 if g % 4 == 3 else 2
        first, last = _COMMON_FULL_NAMES[g % len(_COMMON_FULL_NAMES)]
        members = candidates[pos:pos + size]
        pos += size
        if len(members) < 2:
            break
        for p in members:
            p.first, p.last, p.nicks, p.goes_by_nick = first, last, (), False
            p.namesake = g


def _make_families(people: list[Person], rng: random.Random) -> None:
    """Pair people into households that share a surname, an address and (later) an email."""
    free = [p for p in people if p.country == "US" and p.namesake is None]
    if len(free) < 4:
        return
    pairs = max(1, round(len(people) * 0.015))
    rng.shuffle(free)
    fam = 0
    i = 0
    while fam < pairs and i + 1 < len(free):
        a, b = free[i], free[i + 1]
        i += 2
        if a.first == b.first:
            continue
        b.last = a.last
        b.street, b.address2, b.city, b.region, b.zip = a.street, a.address2, a.city, a.region, a.zip
        b.lat, b.lon, b.timezone, b.gmtoff, b.dstoff = a.lat, a.lon, a.timezone, a.gmtoff, a.dstoff
        b.local = a.local
        b.phone_hint = a.phone_hint
        a.family = b.family = fam
        fam += 1


def _assign_family_emails(people: list[Person], emails: _EmailBook, rng: random.Random) -> None:
    households: dict[int, list[Person]] = {}
    for p in people:
        if p.family is not None:
            households.setdefault(p.family, []).append(p)
    for members in households.values():
        a = members[0]
        slug = ascii_slug(a.last)
        shared = rng.choice((
            f"the{slug}s@{rng.choice(_EMAIL_DOMAINS)}",
            f"{slug}family@{rng.choice(_EMAIL_DOMAINS)}",
            a.email,
        ))
        if shared != a.email:
            shared = emails.claim(shared)
        for p in members:
            p.email = shared
            p.work_channels = tuple(c for c in p.work_channels if c not in ("shop", "pos"))


def _assign_channels(people: list[Person], rng: random.Random) -> None:
    for p in people:
        us = p.country == "US"
        ch = {}
        ch["shop"] = rng.random() < (0.32 if p.local else 0.58 if us else 0.85)
        ch["pos"] = rng.random() < (0.74 if p.local else 0.09 if us else 0.02)
        ch["social"] = rng.random() < 0.095
        ch["email"] = rng.random() < (0.49 if ch["shop"] else 0.48 if ch["social"] else 0.28)
        ch["sms"] = p.phone is not None and rng.random() < (
            (0.22 if ch["pos"] else 0.12 if ch["shop"] else 0.08) if us else 0.03)
        ch["contacts"] = rng.random() < (
            0.8 if p.supplier else 0.25 if p.local and ch["pos"] else 0.08 if p.local else 0.025)
        picked = [c for c in CHANNELS if ch[c]]
        if len(picked) < 2 and rng.random() < (1.0 if not picked else 0.8):
            options = [c for c in ("shop", "email", "pos", "social", "sms") if not ch[c]]
            if not p.local and "pos" in options:
                options.remove("pos")
            if p.phone is None and "sms" in options:
                options.remove("sms")
            weights = {"shop": 3, "email": 4, "pos": 5, "social": 1.3, "sms": 2.5}
            ch[weighted(rng, options, [weights[c] for c in options])] = True
        p.channels = ch
        p.coffee_club = ch["shop"] and rng.random() < 0.10
    # Households and namesakes must be visible where they collide: the first
    # family member buys online, the second is a loyalty member giving the
    # shared address; namesakes all have Shopify accounts.
    seen: dict[int, bool] = {}
    for p in people:
        if p.family is not None:
            if p.family not in seen:
                p.channels["shop"] = True
                seen[p.family] = True
            else:
                p.channels["pos"] = True
        if p.namesake is not None:
            p.channels["shop"] = True
