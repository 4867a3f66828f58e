"""Deterministic channel exports for the demo workspace.

The demo shop is "Harbor & Pine", an independent coffee, tea and homeware
shop in Portland, Maine, selling online (Shopify), at the till, by email
(Mailchimp), SMS, Instagram/Facebook lead forms and through the owner's own
phone contacts.  :func:`write_demo_files` invents ``customers`` distinct people,
spreads them over those channels with realistic overlap and writes each
channel's export in its vendor's real format, so the demo workspace is built by
the same import path a real shop would use.  With ``labels=True`` it also
writes the ground truth (which person is behind each record), which the
identity-resolution benchmark scores against.

Everything comes from ``random.Random`` instances seeded with strings derived
from ``seed`` (string seeds are hashed with SHA-512, so they do not depend on
``PYTHONHASHSEED``), and no set is ever iterated, so the same arguments always
give byte-identical files.

Noise model.  People do not type themselves the same way twice; the rates
below are per rendered record unless they say "per person":

* Email case: 4 % of rendered addresses get a capitalised local part or an
  upper-cased domain (8 % in lead forms, where phone keyboards capitalise);
  2 % get stray leading or trailing whitespace (never in Mailchimp, which
  trims on input).
* Work vs personal email: 18 % of US people (per person) have a work address
  and use it, instead of their personal one, in each channel with
  probability 0.35; 3 % of those are on the Mailchimp list twice.
* Nicknames: 55 % of people whose name has a short form (Robert -> Bob, Kate,
  Bill, Liz ...) go by it; they show it in 45 % of shop/email records and
  70-95 % of till, lead-form, SMS and phone-contact records.  Everyone else
  shows a nickname 3 % of the time.
* Typos: each name part has a 1.2 % chance of one edit (substitution with a
  neighbouring key, deletion, transposition or doubling).
* Accents: José, Zoë, Côté ... lose their accents in 30-60 % of records,
  depending on how the channel was typed.
* Case and layout: 15 % of loyalty members are on the till in capitals
  ("SMITH, JOHN"); 8 % of lead-form names are all lower case; the till and
  its receipts write "Last, First".
* Phone formats differ per channel (E.164 in Shopify's Phone column and Meta,
  "(207) 555-0142", "207.555.0142", "+1 207 555 0142", "2075550142" ...); 8 %
  of people (per person) have no mobile at all and many records omit it.
* Missing fields at channel-typical rates (phone in 45 % of Shopify accounts,
  email in 30 % of loyalty members, last name in 15 % of phone contacts ...).
* Shared family email: one household of two per ~70 customers (same surname
  and address, different first names), both using one address, e.g.
  "thegarcias@example.net".  Channels that key on email
  (Shopify, Mailchimp) hold the address once; the other family member shows
  up there under their own address.
* Same-name strangers: one group of two or three unrelated people per ~150
  customers shares a very common full name ("John Smith") but not emails,
  phones or towns.

Contact data is fictional by construction: US numbers are in the
NPA-555-0100..0199 range reserved for fiction, spread over real area codes;
European numbers use Ofcom's drama ranges for London and Bristol
(020 7946 0xxx, 0117 496 0xxx), ARCEP's fiction numbers (01 99 00 xx xx,
04 99 00 xx xx) and the German Bundesnetzagentur film numbers, all of them
valid numbers to phonenumbers, so they import written the national way too;
Dutch customers have no phone.  The US blocks hold about 10,900
numbers, so past roughly 10,000 customers later people simply have no mobile.  Email domains are the reserved
example.com/.net/.org and names under the reserved ``.example`` TLD.  IP
addresses come from the documentation ranges (RFC 5737).
"""

from __future__ import annotations

import csv
import io
import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

from omnidesk.core import paths

SHOP_NAME = "Harbor & Pine"
DEFAULT_SEED = 20260101
DEFAULT_TODAY = date(2026, 11, 1)
CURRENCY = "USD"
HOME_REGION = "ME"
MAINE_SALES_TAX = Decimal("0.055")

CHANNELS = ("shop", "email", "pos", "social", "sms", "contacts")

SHOPIFY_CUSTOMERS_FILE = "customers_export.csv"
SHOPIFY_ORDERS_FILE = "orders_export.csv"
EMAIL_ACTIVITY_FILE = "email_activity.csv"
TILL_TRANSACTIONS_FILE = "till_transactions.csv"
TILL_MEMBERS_FILE = "till_loyalty_members.csv"
SMS_FILE = "sms_subscribers.csv"
GOOGLE_CONTACTS_FILE = "contacts.csv"
LABELS_FILE = "labels.csv"

SHOPIFY_CUSTOMERS_HEADER = (
    "Customer ID", "First Name", "Last Name", "Email", "Accepts Email Marketing",
    "Default Address Company", "Default Address Address1", "Default Address Address2",
    "Default Address City", "Default Address Province Code", "Default Address Country Code",
    "Default Address Zip", "Default Address Phone", "Phone", "Accepts SMS Marketing",
    "Total Spent", "Total Orders", "Note", "Tax Exempt", "Tags",
    "Loyalty tier (customer.metafields.custom.tier)",
)

SHOPIFY_ORDERS_HEADER = (
    "Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Fulfilled at",
    "Accepts Marketing", "Currency", "Subtotal", "Shipping", "Taxes", "Total",
    "Discount Code", "Discount Amount", "Shipping Method", "Created at",
    "Lineitem quantity", "Lineitem name", "Lineitem price", "Lineitem compare at price",
    "Lineitem sku", "Lineitem requires shipping", "Lineitem taxable",
    "Lineitem fulfillment status", "Billing Name", "Billing Street", "Billing Address1",
    "Billing Address2", "Billing Company", "Billing City", "Billing Zip",
    "Billing Province", "Billing Country", "Billing Phone",
)
# Columns Shopify fills on every line-item row of an order; the rest are only
# on the order's first row.
SHOPIFY_ORDER_LINE_COLUMNS = (
    "Name", "Lineitem quantity", "Lineitem name", "Lineitem price",
    "Lineitem compare at price", "Lineitem sku", "Lineitem requires shipping",
    "Lineitem taxable", "Lineitem fulfillment status",
)

_MAILCHIMP_MERGE = ("Email Address", "First Name", "Last Name", "Phone Number", "Birthday")
_MAILCHIMP_SYSTEM = (
    "MEMBER_RATING", "OPTIN_TIME", "OPTIN_IP", "CONFIRM_TIME", "CONFIRM_IP",
    "LATITUDE", "LONGITUDE", "GMTOFF", "DSTOFF", "TIMEZONE", "CC", "REGION",
)
_MAILCHIMP_UNSUB = (
    "UNSUB_TIME", "UNSUB_CAMPAIGN_TITLE", "UNSUB_CAMPAIGN_ID", "UNSUB_REASON",
    "UNSUB_REASON_OTHER",
)
_MAILCHIMP_TAIL = ("LEID", "EUID", "NOTES", "TAGS")
MAILCHIMP_SUBSCRIBED_HEADER = _MAILCHIMP_MERGE + _MAILCHIMP_SYSTEM + ("LAST_CHANGED",) + _MAILCHIMP_TAIL
# The unsubscribed export carries the unsubscribe facts where the subscribed
# one has LAST_CHANGED.
MAILCHIMP_UNSUBSCRIBED_HEADER = _MAILCHIMP_MERGE + _MAILCHIMP_SYSTEM + _MAILCHIMP_UNSUB + _MAILCHIMP_TAIL

EMAIL_ACTIVITY_HEADER = ("Email", "Campaign", "Action", "Timestamp")
TILL_TRANSACTIONS_HEADER = (
    "Date", "Time", "Receipt No", "Customer", "Mobile", "Loyalty Card", "Items", "Total",
)
TILL_MEMBERS_HEADER = (
    "Card No", "Customer Name", "Mobile", "E-mail address", "Date of birth", "Signed up",
)
SMS_HEADER = ("Phone", "First name", "Opted in", "Opt-in date")

META_LEADS_HEAD = (
    "id", "created_time", "ad_id", "ad_name", "adset_id", "adset_name", "campaign_id",
    "campaign_name", "form_id", "form_name", "is_organic", "platform",
)
META_LEADS_TAIL = ("email", "full_name", "phone_number", "zip_code", "lead_status")

GOOGLE_CONTACTS_HEADER = (
    "First Name", "Middle Name", "Last Name", "Phonetic First Name", "Phonetic Middle Name",
    "Phonetic Last Name", "Name Prefix", "Name Suffix", "Nickname", "File As",
    "Organization Name", "Organization Title", "Organization Department", "Birthday",
    "Notes", "Photo", "Labels",
    "E-mail 1 - Label", "E-mail 1 - Value", "E-mail 2 - Label", "E-mail 2 - Value",
    "Phone 1 - Label", "Phone 1 - Value", "Phone 2 - Label", "Phone 2 - Value",
    "Address 1 - Label", "Address 1 - Formatted", "Address 1 - Street", "Address 1 - City",
    "Address 1 - PO Box", "Address 1 - Region", "Address 1 - Postal Code",
    "Address 1 - Country", "Address 1 - Extended Address",
)
GOOGLE_MULTI_SEPARATOR = " ::: "

LABELS_HEADER = ("file", "record_no", "person_id")


@dataclass(frozen=True)
class DemoFile:
    """One written export: where it is and how the importer should read it."""

    path: Path
    channel: str
    kind: str
    preset: str | None
    description: str


@dataclass(frozen=True)
class FileFormat:
    """How a demo file is encoded, for readers and tests."""

    encoding: str
    delimiter: str


# Encoding and delimiter of every file by name pattern; Meta lead files are
# the ones starting "leads_", Mailchimp's carry the list id in their names.
def file_format(name: str) -> FileFormat:
    """Return the encoding and delimiter :func:`write_demo_files` used for ``name``."""
    if name.startswith("leads_"):
        return FileFormat("utf-16", "\t")
    if name.startswith("till_"):
        return FileFormat("cp1252", ";")
    return FileFormat("utf-8", ",")


# ---------------------------------------------------------------------------
# resources


def _resource_dir() -> Path:
    """Directory holding the demo word lists, in a checkout, an installed package or a bundled app."""
    return paths.resource_path("demo")


@lru_cache(maxsize=None)
def _rows(name: str) -> tuple[dict[str, str], ...]:
    with open(_resource_dir() / name, encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh))


@lru_cache(maxsize=None)
def _lines(name: str) -> tuple[str, ...]:
    text = (_resource_dir() / name).read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip())


@dataclass(frozen=True)
class _Product:
    sku: str
    name: str
    price: Decimal
    category: str
    taxable: bool
    shipping: bool


@lru_cache(maxsize=None)
def _products() -> tuple[_Product, ...]:
    return tuple(
        _Product(r["sku"], r["name"], Decimal(r["price"]), r["category"],
                 r["taxable"] == "true", r["shipping"] == "true")
        for r in _rows("products.csv")
    )


# ---------------------------------------------------------------------------
# people


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
        for place in _rows("us_places.csv"):
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
class _Person:
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


def _weighted(rng: random.Random, items, weights):
    return rng.choices(items, weights=weights, k=1)[0]


def _strip_accents(text: str) -> str:
    text = text.replace("ø", "o").replace("Ø", "O").replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _ascii_slug(text: str) -> str:
    return "".join(c for c in _strip_accents(text).lower() if c.isalnum())


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
        fn, ln = _ascii_slug(first), _ascii_slug(last)
        year = (birthday.year if birthday else rng.randint(1960, 2000)) % 100
        word = rng.choice(("pine", "coast", "harbor", "maine", "brew", "sail", "tide"))
        local = _weighted(rng, (
            f"{fn}.{ln}", f"{fn}{ln}", f"{fn[0]}{ln}", f"{fn}.{ln}{year:02d}", f"{fn}_{ln}",
            f"{fn}{ln[0]}", f"{ln}.{fn}", f"{fn}{rng.randint(1, 99)}", f"{fn[0]}.{ln}{rng.randint(1, 9)}",
            f"{fn}.{ln[0]}.{word}",
        ), (18, 14, 10, 8, 6, 6, 4, 6, 4, 4))
        return self.claim(f"{local}@{rng.choice(_EMAIL_DOMAINS)}")


def _build_people(n: int, seed: int) -> list[_Person]:
    rng = random.Random(f"{seed}:people")
    us_places = _rows("us_places.csv")
    us_weights = [int(p["weight"]) for p in us_places]
    eu_places = _rows("eu_places.csv")
    eu_weights = [int(p["weight"]) for p in eu_places]
    first_rows = _rows("first_names.csv")
    last_rows = _rows("last_names.csv")
    streets = _lines("streets.txt")
    companies = _rows("companies.csv")

    def firsts(origin: str):
        return [r for r in first_rows if r["origin"] == origin]

    def lasts(origin: str):
        rows = [r for r in last_rows if r["origin"] == origin]
        return rows, [int(r["weight"]) for r in rows]

    first_by_origin = {o: firsts(o) for o in ("us", "de", "fr", "nl", "gb")}
    last_by_origin = {o: lasts(o) for o in ("us", "de", "fr", "nl", "gb")}

    people: list[_Person] = []
    width = max(4, len(str(n)))
    for i in range(n):
        european = rng.random() < 0.05
        if european:
            place = _weighted(rng, eu_places, eu_weights)
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
            place = _weighted(rng, us_places, us_weights)
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
        last = _weighted(rng, last_pool, last_w)["name"]
        nicks = tuple(x for x in first_row["nicknames"].split("|") if x)
        age_years = rng.triangular(19, 82, 42)
        birthday = date(2026, 1, 1) - timedelta(days=int(age_years * 365.25) + rng.randint(0, 364))
        address2 = ""
        if country == "US" and rng.random() < 0.12:
            address2 = rng.choice(("Apt ", "Unit ", "#")) + str(rng.randint(1, 40))
        people.append(_Person(
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
            fn, ln = _ascii_slug(p.first), _ascii_slug(p.last)
            local = rng.choice((f"{fn}.{ln}", f"{fn[0]}{ln}", fn))
            p.work_email = emails.claim(f"{local}@{company['domain']}")
            p.work_channels = tuple(c for c in CHANNELS if rng.random() < 0.35)
    _assign_family_emails(people, emails, rng)
    _assign_channels(people, rng)
    return people


def _make_namesakes(people: list[_Person], rng: random.Random) -> None:
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


def _make_families(people: list[_Person], rng: random.Random) -> None:
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


def _assign_family_emails(people: list[_Person], emails: _EmailBook, rng: random.Random) -> None:
    households: dict[int, list[_Person]] = {}
    for p in people:
        if p.family is not None:
            households.setdefault(p.family, []).append(p)
    for members in households.values():
        a = members[0]
        slug = _ascii_slug(a.last)
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


def _assign_channels(people: list[_Person], rng: random.Random) -> None:
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
            ch[_weighted(rng, options, [weights[c] for c in options])] = True
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


# ---------------------------------------------------------------------------
# rendering noise

_KEY_NEIGHBOURS = {
    "a": "sqw", "b": "vn", "c": "xv", "d": "sf", "e": "wr", "f": "dg", "g": "fh", "h": "gj",
    "i": "uo", "j": "hk", "k": "jl", "l": "k", "m": "n", "n": "bm", "o": "ip", "p": "o",
    "q": "w", "r": "et", "s": "ad", "t": "ry", "u": "yi", "v": "cb", "w": "qe", "x": "zc",
    "y": "tu", "z": "x",
}

# Probability that someone who goes by a nickname shows it in a channel.
_NICK_RATE = {"shop": 0.45, "email": 0.45, "pos": 0.7, "social": 0.85, "sms": 0.9, "contacts": 0.95}
_DEACCENT_RATE = {"shop": 0.3, "email": 0.3, "pos": 0.5, "social": 0.35, "sms": 0.6, "contacts": 0.4}
_TYPO_RATE = 0.012


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    i = rng.randint(1, len(word) - 2)
    op = rng.randrange(4)
    if op == 0:
        c = word[i].lower()
        repl = rng.choice(_KEY_NEIGHBOURS.get(c, "e"))
        return word[:i] + repl + word[i + 1:]
    if op == 1:
        return word[:i] + word[i + 1:]
    if op == 2:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word[:i] + word[i] + word[i:]


class _Render:
    """Per-channel renderer of a person's names and addresses, with noise."""

    def __init__(self, rng: random.Random, channel: str):
        self.rng = rng
        self.channel = channel

    def first(self, p: _Person, clean: bool = False) -> str:
        rng = self.rng
        name = p.first
        if p.nicks:
            rate = _NICK_RATE[self.channel] if p.goes_by_nick else 0.03
            if rng.random() < rate:
                name = p.nicks[0] if rng.random() < 0.8 or len(p.nicks) == 1 else p.nicks[1]
        if clean:
            return name
        return self._noise(name)

    def last(self, p: _Person, clean: bool = False) -> str:
        return p.last if clean else self._noise(p.last)

    def _noise(self, name: str) -> str:
        rng = self.rng
        if name != _strip_accents(name) and rng.random() < _DEACCENT_RATE[self.channel]:
            name = _strip_accents(name)
        if rng.random() < _TYPO_RATE:
            name = _typo(rng, name)
        return name

    def email(self, address: str, case_rate: float = 0.04, space_rate: float = 0.02) -> str:
        rng = self.rng
        if rng.random() < case_rate:
            local, _, domain = address.partition("@")
            if rng.random() < 0.6:
                address = f"{local[:1].upper()}{local[1:]}@{domain}"
            else:
                address = f"{local}@{domain.upper()}"
        if rng.random() < space_rate:
            address = rng.choice((f" {address}", f"{address} ", f"{address}  "))
        return address

    def channel_email(self, p: _Person) -> str:
        if p.work_email and self.channel in p.work_channels:
            return p.work_email
        return p.email


def _money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _comma_money(value: Decimal) -> str:
    return _money(value).replace(".", ",")


def _guard(value: str) -> str:
    # Shopify prefixes numbers a spreadsheet would mangle with an apostrophe.
    return f"'{value}" if value[:1] == "0" else value


def _to_cp1252(text: str) -> str:
    try:
        text.encode("cp1252")
        return text
    except UnicodeEncodeError:
        return "".join(c if _encodable(c) else _strip_accents(c) or "?" for c in text)


def _encodable(char: str) -> bool:
    try:
        char.encode("cp1252")
        return True
    except UnicodeEncodeError:
        return False


# ---------------------------------------------------------------------------
# time


def _nth_sunday(year: int, month: int, n: int) -> date:
    d = date(year, month, 1)
    d += timedelta(days=(6 - d.weekday()) % 7)
    return d + timedelta(weeks=n - 1)


def _eastern_offset(local: datetime) -> int:
    """UTC offset in hours of US Eastern local time ``local`` (the shop's clock)."""
    start = datetime.combine(_nth_sunday(local.year, 3, 2), datetime.min.time()).replace(hour=2)
    end = datetime.combine(_nth_sunday(local.year, 11, 1), datetime.min.time()).replace(hour=2)
    return -4 if start <= local < end else -5


def _to_utc(local: datetime) -> datetime:
    return local - timedelta(hours=_eastern_offset(local))


def _shopify_time(local: datetime) -> str:
    off = _eastern_offset(local)
    return f"{local:%Y-%m-%d %H:%M:%S} {'-' if off < 0 else '+'}{abs(off):02d}00"


def _random_day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def _at(day: date, rng: random.Random, hours: tuple[int, ...], weights: tuple[int, ...]) -> datetime:
    hour = _weighted(rng, hours, weights)
    return datetime(day.year, day.month, day.day, hour, rng.randint(0, 59), rng.randint(0, 59))


_ONLINE_HOURS = tuple(range(24))
_ONLINE_WEIGHTS = (1, 1, 1, 1, 1, 1, 2, 4, 5, 6, 6, 6, 7, 6, 5, 5, 5, 6, 7, 9, 10, 9, 6, 3)
_TILL_HOURS = tuple(range(8, 19))
_TILL_WEIGHTS = (5, 8, 9, 10, 11, 10, 9, 9, 8, 7, 4)


def _doc_ip(rng: random.Random) -> str:
    return f"{rng.choice(('192.0.2', '198.51.100', '203.0.113'))}.{rng.randint(1, 254)}"


# ---------------------------------------------------------------------------
# writing


class _Labels:
    def __init__(self) -> None:
        self.rows: list[tuple[str, int, str]] = []

    def add(self, file: str, record_no: int, pid: str) -> None:
        self.rows.append((file, record_no, pid))


def _write(path: Path, header, rows, *, encoding: str = "utf-8", delimiter: str = ",",
           lineterminator: str = "\r\n", quoting: int = csv.QUOTE_MINIMAL) -> None:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=lineterminator, quoting=quoting)
    writer.writerow(header)
    writer.writerows(rows)
    text = buf.getvalue()
    if encoding == "utf-16":
        # Spell the byte order out: Python's "utf-16" codec follows the host.
        data = b"\xff\xfe" + text.encode("utf-16-le")
    else:
        data = text.encode(encoding)
    path.write_bytes(data)


@dataclass
class _World:
    people: list[_Person]
    today: date
    start: date
    end: date
    seed: int
    labels: _Labels

    def rng(self, name: str) -> random.Random:
        return random.Random(f"{self.seed}:{name}")


# ---------------------------------------------------------------------------
# Shopify


@dataclass
class _Order:
    person: _Person
    created: datetime
    lines: list[tuple[_Product, int]]
    subtotal: Decimal
    discount_code: str
    discount: Decimal
    shipping: Decimal
    shipping_method: str
    taxes: Decimal
    total: Decimal
    status: str
    fulfilled: datetime | None
    name: str = ""


def _pick_products(rng: random.Random, day: date, holiday: bool) -> list[tuple[_Product, int]]:
    products = [p for p in _products() if p.category != "subscription"]
    if not holiday:
        products = [p for p in products if "Holiday" not in p.name]
    weights = [{"coffee": 10, "tea": 6, "homeware": 3, "gift": 1}[p.category] for p in products]
    count = _weighted(rng, (1, 2, 3, 4), (45, 32, 15, 8))
    chosen: list[_Product] = []
    while len(chosen) < count:
        item = _weighted(rng, products, weights)
        if item not in chosen:
            chosen.append(item)
    return [(item, _weighted(rng, (1, 2, 3), (80, 16, 4))) for item in chosen]


def _is_holiday(day: date) -> bool:
    return (day.month == 11 and day.day >= 10) or day.month == 12


def _make_orders(world: _World) -> list[_Order]:
    rng = world.rng("orders")
    subscription = next(p for p in _products() if p.category == "subscription")
    orders: list[_Order] = []
    span = (world.end - world.start).days
    for p in world.people:
        if not p.in_("shop"):
            continue
        days: list[date] = []
        if p.coffee_club:
            first = world.start + timedelta(days=rng.randint(0, max(0, span - 40)))
            d = first
            while d <= world.end:
                days.append(d)
                d += timedelta(days=rng.randint(28, 33))
        else:
            n = _weighted(rng, (1, 2, 3, 4, 5, 6, 8, 10), (44, 22, 12, 8, 5, 4, 3, 2))
            days = sorted(_random_day(rng, world.start, world.end) for _ in range(n))
        pickup_ok = p.local and rng.random() < 0.4
        for k, day in enumerate(days):
            created = _at(day, rng, _ONLINE_HOURS, _ONLINE_WEIGHTS)
            if p.coffee_club:
                lines = [(subscription, 1)]
                if rng.random() < 0.25:
                    lines += _pick_products(rng, day, _is_holiday(day))[:1]
            else:
                lines = _pick_products(rng, day, _is_holiday(day))
            subtotal = sum((prod.price * qty for prod, qty in lines), Decimal(0))
            code, pct = "", Decimal(0)
            roll = rng.random()
            if k == 0 and roll < 0.18:
                code, pct = "WELCOME10", Decimal("0.10")
            elif _is_holiday(day) and roll < 0.30:
                code, pct = "HOLIDAY20", Decimal("0.20")
            elif roll < 0.06:
                code, pct = "HARBOR15", Decimal("0.15")
            discount = (subtotal * pct).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            needs_shipping = any(prod.shipping for prod, _ in lines)
            if not needs_shipping:
                method, shipping = "", Decimal(0)
            elif p.country != "US":
                method, shipping = "International Shipping", Decimal("24.00")
            elif pickup_ok and rng.random() < 0.6:
                method, shipping = "Local Pickup", Decimal(0)
            elif subtotal - discount >= 50:
                method, shipping = "Free Shipping", Decimal(0)
            else:
                method, shipping = "Standard Shipping", Decimal("6.95")
            taxes = Decimal(0)
            if p.country == "US" and (p.region == HOME_REGION or method == "Local Pickup"):
                taxable = sum((prod.price * qty for prod, qty in lines if prod.taxable), Decimal(0))
                taxes = (taxable * (1 - pct) * MAINE_SALES_TAX).quantize(
                    Decimal("0.01"), rounding=ROUND_HALF_UP)
            total = subtotal - discount + shipping + taxes
            age = (world.today - day).days
            status = "refunded" if rng.random() < 0.02 else "paid"
            fulfilled = None
            if status == "paid" and age > 2:
                fulfilled = created + timedelta(hours=rng.randint(6, 60), minutes=rng.randint(0, 59))
            orders.append(_Order(p, created, lines, subtotal, code, discount, shipping, method,
                                 taxes, total, status, fulfilled))
    orders.sort(key=lambda o: (o.created, o.person.pid))
    for i, order in enumerate(orders):
        order.name = f"#{1001 + i}"
    return orders


def _shop_emails(world: _World) -> dict[str, str]:
    """The one address each Shopify customer account has (Shopify keys accounts on email)."""
    rng = world.rng("shop-email")
    render = _Render(rng, "shop")
    used: dict[str, bool] = {}
    out: dict[str, str] = {}
    for p in world.people:
        if not p.in_("shop"):
            continue
        address = render.channel_email(p)
        if address.lower() in used:
            address = p.alt_email
        used[address.lower()] = True
        out[p.pid] = render.email(address)
    return out


def _write_shopify(world: _World, directory: Path) -> dict[str, bool]:
    """Write the customers and orders exports; return which customers are VIPs."""
    shop_email = _shop_emails(world)
    orders = _make_orders(world)
    rng = world.rng("shopify")
    render = _Render(rng, "shop")
    spent: dict[str, Decimal] = {}
    count: dict[str, int] = {}
    first_order: dict[str, datetime] = {}
    pickup: dict[str, bool] = {}
    for o in orders:
        pid = o.person.pid
        count[pid] = count.get(pid, 0) + 1
        spent.setdefault(pid, Decimal(0))
        if o.status != "refunded":
            spent[pid] += o.total
        first_order.setdefault(pid, o.created)
        if o.shipping_method == "Local Pickup":
            pickup[pid] = True

    # The top tenth by spend are tagged VIP, in Shopify and in Mailchimp.
    ranked = sorted(spent.values(), reverse=True)
    vip_floor = ranked[max(0, len(ranked) // 10 - 1)] if ranked else Decimal(0)
    vip = {pid: value >= vip_floor and value > 0 for pid, value in spent.items()}

    buyers = sorted((p for p in world.people if p.pid in count), key=lambda p: (first_order[p.pid], p.pid))
    names: dict[str, tuple[str, str]] = {}
    accepts_email: dict[str, bool] = {}
    rows = []
    customer_id = 7210458963201
    notes = (
        "Prefers whole bean", "Gift wrap, always", "Allergic to nuts - no hazelnut",
        "Wholesale enquiry, call first", "Ships to office on weekdays",
    )
    for p in buyers:
        customer_id += rng.randint(50_000_000, 2_000_000_000)
        first = render.first(p, clean=p.namesake is not None)
        last = render.last(p, clean=p.namesake is not None)
        names[p.pid] = (first, last)
        accepts = rng.random() < (0.85 if p.in_("email") else 0.12)
        accepts_email[p.pid] = accepts
        has_address = rng.random() < 0.93
        e164 = p.phone.e164 if p.phone and rng.random() < (0.9 if p.in_("sms") else 0.5) else ""
        addr_phone = ""
        if p.phone and has_address and rng.random() < 0.45:
            addr_phone = p.phone.fmt(rng.choice(("paren", "dash", "e164", "intl")))
        sms_ok = "yes" if e164 and p.in_("sms") and rng.random() < 0.8 else "no"
        wholesale = p.company is not None and rng.random() < 0.15
        tags = []
        if vip[p.pid]:
            tags.append("vip")
        if wholesale:
            tags.append("wholesale")
        if p.coffee_club:
            tags.append("coffee-club")
        if pickup.get(p.pid):
            tags.append("local-pickup")
        if p.in_("social"):
            tags.append("instagram")
        tier = ""
        if p.in_("pos"):
            tier = "Gold" if spent[p.pid] > 300 else "Silver" if spent[p.pid] > 120 else "Bronze"
        rows.append([
            f"'{customer_id}", first, last, shop_email[p.pid], "yes" if accepts else "no",
            p.company if has_address and p.company and rng.random() < 0.4 else "",
            p.street if has_address else "", p.address2 if has_address else "",
            p.city if has_address else "", p.region if has_address else "",
            p.country if has_address else "", _guard(p.zip) if has_address else "",
            addr_phone, e164, sms_ok, _money(spent[p.pid]), str(count[p.pid]),
            rng.choice(notes) if rng.random() < 0.05 else "",
            "yes" if wholesale else "no", ", ".join(tags), tier,
        ])
    _write(directory / SHOPIFY_CUSTOMERS_FILE, SHOPIFY_CUSTOMERS_HEADER, rows)
    for i, p in enumerate(buyers, start=1):
        world.labels.add(SHOPIFY_CUSTOMERS_FILE, i, p.pid)

    # Shopify lists the newest order first.
    order_rows = []
    order_pids = []
    for o in reversed(orders):
        p = o.person
        first, last = names[p.pid]
        if rng.random() < 0.15:
            first = render.first(p)
        billing_phone = ""
        if p.phone and rng.random() < 0.55:
            billing_phone = p.phone.fmt(rng.choice(("paren", "dash", "e164", "intl", "plain")))
        for k, (prod, qty) in enumerate(o.lines):
            line_status = "fulfilled" if o.fulfilled else "pending"
            line = {
                "Name": o.name, "Lineitem quantity": str(qty), "Lineitem name": prod.name,
                "Lineitem price": _money(prod.price), "Lineitem compare at price": "",
                "Lineitem sku": prod.sku, "Lineitem requires shipping": "true" if prod.shipping else "false",
                "Lineitem taxable": "true" if prod.taxable else "false",
                "Lineitem fulfillment status": line_status,
            }
            if k == 0:
                created = _shopify_time(o.created)
                line.update({
                    "Email": shop_email[p.pid], "Financial Status": o.status,
                    "Paid at": _shopify_time(o.created + timedelta(seconds=rng.randint(1, 20))),
                    "Fulfillment Status": "fulfilled" if o.fulfilled else "unfulfilled",
                    "Fulfilled at": _shopify_time(o.fulfilled) if o.fulfilled else "",
                    "Accepts Marketing": "yes" if accepts_email[p.pid] else "no",
                    "Currency": CURRENCY, "Subtotal": _money(o.subtotal),
                    "Shipping": _money(o.shipping), "Taxes": _money(o.taxes), "Total": _money(o.total),
                    "Discount Code": o.discount_code,
                    "Discount Amount": _money(o.discount) if o.discount_code else "0.00",
                    "Shipping Method": o.shipping_method, "Created at": created,
                    "Billing Name": f"{first} {last}",
                    "Billing Street": ", ".join(x for x in (p.street, p.address2) if x),
                    "Billing Address1": p.street, "Billing Address2": p.address2,
                    "Billing Company": (p.company or "") if rng.random() < 0.2 else "",
                    "Billing City": p.city, "Billing Zip": _guard(p.zip),
                    "Billing Province": p.region, "Billing Country": p.country,
                    "Billing Phone": billing_phone,
                })
            order_rows.append([line.get(col, "") for col in SHOPIFY_ORDERS_HEADER])
            order_pids.append(p.pid)
    _write(directory / SHOPIFY_ORDERS_FILE, SHOPIFY_ORDERS_HEADER, order_rows)
    for i, pid in enumerate(order_pids, start=1):
        world.labels.add(SHOPIFY_ORDERS_FILE, i, pid)
    return vip


# ---------------------------------------------------------------------------
# Mailchimp and email activity

_CAMPAIGN_TITLES = {
    1: "New Year, New Brew", 2: "Tea for Two: Valentine's Picks", 3: "Spring Single Origins",
    4: "April Showers, Fresh Pots", 5: "Mother's Day Gift Guide", 6: "Iced Coffee Season",
    7: "Summer Sale: 20% Off Gear", 8: "Back to Routine", 9: "Fall Flavors Are Here",
    10: "Harvest Roasts + Coffee Club Anniversary", 11: "Black Friday Early Access",
    12: "Holiday Gift Guide",
}

_UNSUB_REASONS = (
    ("I no longer want to receive these emails", 45),
    ("The emails are too frequent", 20),
    ("I never signed up for this mailing list", 8),
    ("The emails are inappropriate", 2),
    ("The emails are spam and should be reported", 3),
    ("Other (fill in reason below)", 22),
)
_UNSUB_OTHER = (
    "Moved away from Maine", "Too many emails around the holidays", "Switched to decaf, sorry!",
    "Using a different address now", "",
)


@dataclass
class _Campaign:
    title: str
    cid: str
    sent: datetime  # UTC


@dataclass
class _Member:
    person: _Person
    email: str
    rating: int
    engagement: float
    optin: datetime | None
    confirm: datetime
    ip: str
    unsub: _Campaign | None = None
    unsub_time: datetime | None = None


def _campaigns(world: _World) -> list[_Campaign]:
    rng = world.rng("campaigns")
    out = []
    day = world.start + timedelta(days=rng.randint(3, 10))
    while day < world.end - timedelta(days=3) and len(out) < 12:
        local = datetime(day.year, day.month, day.day,
                         rng.choice((8, 9, 10, 11, 17)), rng.choice((0, 15, 30, 45)))
        out.append(_Campaign(_CAMPAIGN_TITLES[day.month], f"{rng.getrandbits(40):010x}", _to_utc(local)))
        day += timedelta(days=rng.randint(27, 33))
    return out


def _write_mailchimp(
    world: _World, directory: Path, vip: dict[str, bool],
) -> tuple[list[DemoFile], list[_Member], list[_Campaign]]:
    rng = world.rng("mailchimp")
    render = _Render(rng, "email")
    campaigns = _campaigns(world)
    list_id = f"{world.rng('mailchimp-list').getrandbits(40):010x}"
    history_start = datetime(world.start.year - 3, 1, 1)
    window_start = datetime.combine(world.start, datetime.min.time())
    window_end = datetime.combine(world.end, datetime.min.time()) + timedelta(hours=23)
    used: dict[str, bool] = {}
    members: list[_Member] = []

    def join(p: _Person, address: str) -> None:
        if address.lower() in used:
            return
        used[address.lower()] = True
        before = rng.random() < 0.45
        lo, hi = (history_start, window_start) if before else (window_start, window_end - timedelta(days=2))
        confirm = lo + timedelta(seconds=rng.randint(0, int((hi - lo).total_seconds())))
        tier = _weighted(rng, ("engaged", "casual", "dormant"), (30, 42, 28))
        engagement = {"engaged": 0.78, "casual": 0.34, "dormant": 0.05}[tier] * rng.uniform(0.8, 1.15)
        rating = rng.choice({"engaged": (4, 5), "casual": (2, 3), "dormant": (1, 2)}[tier])
        synced = p.in_("shop") and rng.random() < 0.5
        optin = None if synced else confirm - timedelta(minutes=rng.randint(1, 45))
        members.append(_Member(p, address, rating, min(engagement, 0.95), optin, confirm,
                               "" if synced else _doc_ip(rng)))

    for p in world.people:
        if not p.in_("email"):
            continue
        address = render.channel_email(p)
        if address.lower() in used:
            address = p.alt_email
        join(p, address)
        if p.work_email and rng.random() < 0.03:
            join(p, p.work_email if address != p.work_email else p.email)

    for m in members:
        if rng.random() < 0.12:
            later = [c for c in campaigns if c.sent > m.confirm]
            if later:
                m.unsub = rng.choice(later)
                m.unsub_time = m.unsub.sent + timedelta(minutes=rng.randint(5, 60 * 48))

    subscribed, unsubscribed = [], []
    sub_pids, unsub_pids = [], []
    leids = rng.sample(range(100_000_000, 999_999_999), len(members)) if members else []
    for m, leid in zip(members, leids):
        p = m.person
        first = render.first(p) if rng.random() < 0.93 else ""
        last = render.last(p) if first and rng.random() < 0.9 else ""
        phone = p.phone.fmt(rng.choice(("dash", "intl_dash", "paren"))) if p.phone and rng.random() < 0.4 else ""
        birthday = f"{p.birthday:%m/%d}" if p.birthday and rng.random() < 0.3 else ""
        geo = rng.random() < 0.6
        tags = []
        if vip.get(p.pid):
            tags.append("VIP")
        if p.coffee_club:
            tags.append("Coffee Club")
        if p.in_("shop"):
            tags.append("Customer")
        if p.in_("social"):
            tags.append("Instagram Lead")
        if p.local and rng.random() < 0.5:
            tags.append("Local")
        if rng.random() < 0.15:
            tags.append("Tea Lover")
        # Profiles change now and then after joining (a new tag, an edit).
        last_change = m.confirm + (window_end - m.confirm) * rng.random() ** 2
        row = [
            m.email, first, last, phone, birthday, str(m.rating),
            f"{m.optin:%Y-%m-%d %H:%M:%S}" if m.optin else "", m.ip if m.optin else "",
            f"{m.confirm:%Y-%m-%d %H:%M:%S}", m.ip,
            f"{p.lat:.7f}" if geo else "", f"{p.lon:.7f}" if geo else "",
            str(p.gmtoff) if geo else "", str(p.dstoff) if geo else "",
            p.timezone if geo else "", p.country if geo else "",
            p.region if geo else "",
        ]
        tail = [str(leid), f"{rng.getrandbits(40):010x}",
                "Met at the Holiday Market" if rng.random() < 0.01 else "",
                ",".join(f'"{t}"' for t in tags)]
        if m.unsub:
            reason = _weighted(rng, [r for r, _ in _UNSUB_REASONS], [w for _, w in _UNSUB_REASONS])
            other = rng.choice(_UNSUB_OTHER) if reason.startswith("Other") else ""
            unsubscribed.append(row + [f"{m.unsub_time:%Y-%m-%d %H:%M:%S}", m.unsub.title, m.unsub.cid,
                                       reason, other] + tail)
            unsub_pids.append(p.pid)
        else:
            subscribed.append(row + [f"{last_change:%Y-%m-%d %H:%M:%S}"] + tail)
            sub_pids.append(p.pid)

    sub_name = f"subscribed_members_export_{list_id}.csv"
    unsub_name = f"unsubscribed_members_export_{list_id}.csv"
    _write(directory / sub_name, MAILCHIMP_SUBSCRIBED_HEADER, subscribed,
           quoting=csv.QUOTE_ALL, lineterminator="\n")
    _write(directory / unsub_name, MAILCHIMP_UNSUBSCRIBED_HEADER, unsubscribed,
           quoting=csv.QUOTE_ALL, lineterminator="\n")
    for i, pid in enumerate(sub_pids, start=1):
        world.labels.add(sub_name, i, pid)
    for i, pid in enumerate(unsub_pids, start=1):
        world.labels.add(unsub_name, i, pid)
    files = [
        DemoFile(directory / sub_name, "email", "contacts", "mailchimp_subscribed",
                 "Mailchimp audience export: subscribed members"),
        DemoFile(directory / unsub_name, "email", "contacts", "mailchimp_unsubscribed",
                 "Mailchimp audience export: members who unsubscribed (a consent fact)"),
    ]
    return files, members, campaigns


def _write_email_activity(world: _World, directory: Path, members: list[_Member],
                          campaigns: list[_Campaign]) -> None:
    rng = world.rng("email-activity")
    limit = datetime.combine(world.today, datetime.min.time())
    events: list[tuple[datetime, str, str, str, str]] = []
    for c in campaigns:
        for k, m in enumerate(members):
            if m.confirm > c.sent:
                continue
            if m.unsub and m.unsub.sent < c.sent:
                continue
            sent = c.sent + timedelta(seconds=k // 40 + rng.randint(0, 5))
            events.append((sent, m.email, c.title, "sent", m.person.pid))
            opened = rng.random() < m.engagement or m.unsub is c
            if not opened:
                continue
            when = sent + timedelta(minutes=min(rng.expovariate(1 / 360), 5 * 1440) + 1)
            if when < limit:
                events.append((when, m.email, c.title, "open", m.person.pid))
            if rng.random() < 0.12 and when + timedelta(minutes=2) < limit:
                reopen = when + timedelta(minutes=rng.randint(30, 3000))
                if reopen < limit:
                    events.append((reopen, m.email, c.title, "open", m.person.pid))
            if rng.random() < 0.14:
                click = when + timedelta(seconds=rng.randint(5, 600))
                if click < limit:
                    events.append((click, m.email, c.title, "click", m.person.pid))
    order = {"sent": 0, "open": 1, "click": 2}
    events.sort(key=lambda e: (e[0], e[1].lower(), e[2], order[e[3]]))
    rows = [[e[1], e[2], e[3], f"{e[0]:%Y-%m-%d %H:%M:%S}"] for e in events]
    _write(directory / EMAIL_ACTIVITY_FILE, EMAIL_ACTIVITY_HEADER, rows)
    for i, e in enumerate(events, start=1):
        world.labels.add(EMAIL_ACTIVITY_FILE, i, e[4])


# ---------------------------------------------------------------------------
# till (point of sale)


def _till_name(first: str, last: str, caps: bool) -> str:
    name = f"{last}, {first}"
    return name.upper() if caps else name


def _write_till(world: _World, directory: Path) -> None:
    rng = world.rng("till")
    render = _Render(rng, "pos")
    members = [p for p in world.people if p.in_("pos")]
    signed: list[tuple[date, _Person]] = []
    for p in members:
        before = rng.random() < 0.55
        lo = date(world.start.year - 4, 3, 1) if before else world.start
        hi = world.start - timedelta(days=1) if before else world.end - timedelta(days=3)
        signed.append((_random_day(rng, lo, hi), p))
    signed.sort(key=lambda t: (t[0], t[1].pid))

    member_rows = []
    cards: dict[str, str] = {}
    till_names: dict[str, str] = {}
    till_mobiles: dict[str, str] = {}
    card_no = 100_000 + rng.randint(0, 900)
    for day, p in signed:
        card_no += rng.randint(1, 9)
        cards[p.pid] = str(card_no)
        caps = rng.random() < 0.15
        name = _to_cp1252(_till_name(render.first(p), render.last(p), caps))
        till_names[p.pid] = name
        mobile = ""
        if p.phone and rng.random() < 0.85:
            mobile = p.phone.fmt(rng.choice(("space", "plain", "paren", "dash", "national")))
        till_mobiles[p.pid] = mobile
        email = ""
        if rng.random() < 0.70 or p.family is not None:
            email = render.email(p.email if p.family is not None else render.channel_email(p))
        dob = f"{p.birthday:%d/%m/%Y}" if p.birthday and rng.random() < 0.5 else ""
        member_rows.append([cards[p.pid], name, mobile, _to_cp1252(email), dob, f"{day:%d/%m/%Y}"])
    _write(directory / TILL_MEMBERS_FILE, TILL_MEMBERS_HEADER, member_rows,
           encoding="cp1252", delimiter=";")
    for i, (_, p) in enumerate(signed, start=1):
        world.labels.add(TILL_MEMBERS_FILE, i, p.pid)

    products = [p for p in _products() if p.category not in ("subscription",)]
    weights = [{"coffee": 10, "tea": 7, "homeware": 4, "gift": 1}[p.category] for p in products]

    def basket(day: date) -> tuple[str, Decimal]:
        n = _weighted(rng, (1, 2, 3), (60, 30, 10))
        items = []
        total = Decimal(0)
        for _ in range(n):
            prod = _weighted(rng, products, weights)
            if "Holiday" in prod.name and not _is_holiday(day):
                prod = products[0]
            qty = _weighted(rng, (1, 2), (85, 15))
            price = prod.price * qty
            if prod.taxable:
                price += (price * MAINE_SALES_TAX).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            total += price
            items.append(f"{prod.name} x{qty}")
        return " + ".join(items), total

    receipts: list[tuple[datetime, str | None, list[str]]] = []
    signup = {p.pid: d for d, p in signed}
    for p in members:
        if p.local:
            visits = _weighted(rng, (1, 2, 3, 5, 8, 12, 20), (18, 18, 16, 16, 14, 10, 8))
        else:
            visits = rng.randint(1, 2)
        first_day = max(world.start, signup[p.pid])
        for _ in range(visits):
            day = _random_day(rng, first_day, world.end)
            when = _at(day, rng, _TILL_HOURS, _TILL_WEIGHTS)
            roll = rng.random()
            if roll < 0.78:
                customer, card = till_names[p.pid], cards[p.pid]
                mobile = till_mobiles[p.pid] if rng.random() < 0.4 else ""
            elif roll < 0.88:
                customer, card, mobile = "", cards[p.pid], ""
            else:
                # Forgot the card: the cashier typed the name and asked for the number.
                customer = _to_cp1252(_till_name(render.first(p), render.last(p), False))
                card = ""
                mobile = p.phone.fmt(rng.choice(("plain", "space"))) if p.phone else ""
            items, total = basket(day)
            receipts.append((when, p.pid, [customer, mobile, card, items, _comma_money(total)]))
    walk_ins = int(len(receipts) * 1.2) + 3
    for _ in range(walk_ins):
        day = _random_day(rng, world.start, world.end)
        when = _at(day, rng, _TILL_HOURS, _TILL_WEIGHTS)
        items, total = basket(day)
        receipts.append((when, None, ["", "", "", items, _comma_money(total)]))
    receipts.sort(key=lambda r: (r[0], r[1] or ""))
    rows = []
    receipt_no = 20_000 + rng.randint(0, 5000)
    for when, _, rest in receipts:
        receipt_no += 1
        rows.append([f"{when:%d/%m/%Y}", f"{when:%H:%M}", str(receipt_no)] + [_to_cp1252(v) for v in rest])
    _write(directory / TILL_TRANSACTIONS_FILE, TILL_TRANSACTIONS_HEADER, rows,
           encoding="cp1252", delimiter=";")
    for i, (_, pid, _) in enumerate(receipts, start=1):
        if pid is not None:
            world.labels.add(TILL_TRANSACTIONS_FILE, i, pid)


# ---------------------------------------------------------------------------
# Meta lead ads

@dataclass(frozen=True)
class _LeadForm:
    slug: str
    form_name: str
    campaign_name: str
    question: str
    answers: tuple[str, ...]
    ads: tuple[str, ...]
    adsets: tuple[str, ...]
    holiday: bool


_LEAD_FORMS = (
    _LeadForm("coffee_club_signup", "Coffee Club Sign-up", "Coffee Club Leads",
              "what_are_you_most_interested_in?",
              ("whole_bean_coffee", "loose_leaf_tea", "brewing_gear", "gifts"),
              ("Coffee Club - Carousel", "Coffee Club - Reel 15s"),
              ("New England 25-54 Coffee", "Lookalike 1% Purchasers"), False),
    _LeadForm("holiday_gift_guide", "Holiday Gift Guide Download", "Holiday Gift Guide",
              "who_are_you_shopping_for?",
              ("myself", "partner", "family", "coworkers_or_clients"),
              ("Gift Guide - Static", "Gift Guide - Stories"),
              ("Maine Gift Shoppers",), True),
)


def _holiday_window(world: _World) -> tuple[date, date]:
    best = (world.start, world.end)
    best_len = -1
    for year in (world.start.year, world.end.year):
        lo = max(world.start, date(year, 11, 1))
        hi = min(world.end, date(year, 12, 24))
        if (hi - lo).days > best_len:
            best, best_len = (lo, hi), (hi - lo).days
    return best


def _write_meta_leads(world: _World, directory: Path) -> list[DemoFile]:
    rng = world.rng("meta")
    render = _Render(rng, "social")
    ids = {
        form.slug: {
            "form": f"f:{rng.randint(10**15, 10**16 - 1)}",
            "campaign": f"c:1202{rng.randint(10**13, 10**14 - 1)}",
            "ads": [f"ag:1202{rng.randint(10**13, 10**14 - 1)}" for _ in form.ads],
            "adsets": [f"as:1202{rng.randint(10**13, 10**14 - 1)}" for _ in form.adsets],
        }
        for form in _LEAD_FORMS
    }
    holiday = _holiday_window(world)
    leads: dict[str, list[tuple[datetime, _Person]]] = {f.slug: [] for f in _LEAD_FORMS}
    for p in world.people:
        if not p.in_("social"):
            continue
        roll = rng.random()
        chosen = [_LEAD_FORMS[0]] if roll < 0.62 else [_LEAD_FORMS[1]] if roll < 0.9 else list(_LEAD_FORMS)
        for form in chosen:
            lo, hi = holiday if form.holiday else (world.start, world.end)
            day = _random_day(rng, lo, hi)
            leads[form.slug].append((_at(day, rng, _ONLINE_HOURS, _ONLINE_WEIGHTS), p))

    files = []
    used_ids: dict[int, bool] = {}
    for form in _LEAD_FORMS:
        name = f"leads_{form.slug}.csv"
        header = META_LEADS_HEAD + (form.question,) + META_LEADS_TAIL
        rows, pids = [], []
        # Meta lists the newest lead first.
        for local, p in sorted(leads[form.slug], key=lambda t: (t[0], t[1].pid), reverse=True):
            lead_id = rng.randint(10**15, 10**16 - 1)
            while lead_id in used_ids:
                lead_id += 1
            used_ids[lead_id] = True
            organic = rng.random() < 0.05
            k = rng.randrange(len(form.ads))
            j = rng.randrange(len(form.adsets))
            full = f"{render.first(p)} {render.last(p)}"
            if rng.random() < 0.03:
                full = render.first(p)
            if rng.random() < 0.08:
                full = full.lower()
            if rng.random() < 0.01:
                full = full.replace(" ", "  ", 1)
            email = render.email(render.channel_email(p), case_rate=0.08)
            phone = f"p:{p.phone.e164}" if p.phone and rng.random() < 0.97 else ""
            zip_code = f"z:{p.zip}" if rng.random() < 0.9 else ""
            platform = "ig" if rng.random() < 0.6 else "fb"
            created = _to_utc(local)
            rows.append([
                f"l:{lead_id}", f"{created:%Y-%m-%dT%H:%M:%S}+0000",
                "" if organic else ids[form.slug]["ads"][k], "" if organic else form.ads[k],
                "" if organic else ids[form.slug]["adsets"][j], "" if organic else form.adsets[j],
                "" if organic else ids[form.slug]["campaign"], "" if organic else form.campaign_name,
                ids[form.slug]["form"], form.form_name, "true" if organic else "false", platform,
                rng.choice(form.answers), email, full, phone, zip_code, "complete",
            ])
            pids.append(p.pid)
        _write(directory / name, header, rows, encoding="utf-16", delimiter="\t")
        for i, pid in enumerate(pids, start=1):
            world.labels.add(name, i, pid)
        files.append(DemoFile(directory / name, "social", "contacts", "meta_leads",
                              f"Meta lead ads download: {form.form_name} form (Facebook and Instagram)"))
    return files


# ---------------------------------------------------------------------------
# SMS list


def _write_sms(world: _World, directory: Path) -> None:
    rng = world.rng("sms")
    render = _Render(rng, "sms")
    entries = []
    for p in world.people:
        if not p.in_("sms") or p.phone is None:
            continue
        day = _random_day(rng, world.start - timedelta(days=400), world.end)
        entries.append((day, p))
    entries.sort(key=lambda t: (t[0], t[1].pid))
    rows = []
    for day, p in entries:
        style = _weighted(rng, ("paren", "dot", "intl", "dash", "plain", "e164", "one"),
                          (26, 14, 18, 14, 10, 14, 4))
        first = render.first(p) if rng.random() < 0.9 else ""
        if first and rng.random() < 0.05:
            first = first.lower()
        opted = "yes" if rng.random() < 0.88 else "no"
        rows.append([p.phone.fmt(style), first, opted, f"{day:%Y-%m-%d}"])
    _write(directory / SMS_FILE, SMS_HEADER, rows, lineterminator="\n")
    for i, (_, p) in enumerate(entries, start=1):
        world.labels.add(SMS_FILE, i, p.pid)


# ---------------------------------------------------------------------------
# Google Contacts


def _write_google_contacts(world: _World, directory: Path) -> None:
    rng = world.rng("google")
    render = _Render(rng, "contacts")
    people = [p for p in world.people if p.in_("contacts")]
    rows, pids = [], []
    for p in people:
        row = dict.fromkeys(GOOGLE_CONTACTS_HEADER, "")
        first = render.first(p)
        row["First Name"] = first
        if rng.random() < 0.85:
            row["Last Name"] = render.last(p)
        else:
            row["Notes"] = rng.choice(("Regular - buys the Sumatra", "Coffee club", "Tea tasting night",
                                       "Market stall neighbour", "Asked about wholesale"))
        if p.middle and rng.random() < 0.3:
            row["Middle Name"] = p.middle
        if p.nicks and first == p.first and rng.random() < 0.3:
            row["Nickname"] = p.nicks[0]
        labels = ["* myContacts"]
        supplier = p.supplier
        if supplier:
            labels.append("Suppliers")
        elif rng.random() < 0.35:
            labels.append("Regulars")
        row["Labels"] = GOOGLE_MULTI_SEPARATOR.join(labels)
        if p.company and (supplier or rng.random() < 0.3):
            row["Organization Name"] = p.company
            row["Organization Title"] = p.job_title or ""
        if p.birthday:
            roll = rng.random()
            if roll < 0.25:
                row["Birthday"] = f"--{p.birthday:%m-%d}"
            elif roll < 0.35:
                row["Birthday"] = f"{p.birthday:%Y-%m-%d}"
        emails_home = []
        if rng.random() < 0.65:
            emails_home.append(render.email(p.email))
            if rng.random() < 0.06:
                emails_home.append(p.alt_email)
        slot = 1
        if emails_home:
            row[f"E-mail {slot} - Label"] = "* Home"
            row[f"E-mail {slot} - Value"] = GOOGLE_MULTI_SEPARATOR.join(emails_home)
            slot += 1
        if p.work_email and (supplier or rng.random() < 0.4):
            row[f"E-mail {slot} - Label"] = "Work" if slot > 1 else "* Work"
            row[f"E-mail {slot} - Value"] = p.work_email
        if p.phone and rng.random() < 0.95:
            row["Phone 1 - Label"] = "Mobile"
            value = p.phone.fmt(rng.choice(("paren", "intl_dash", "e164", "dash")))
            if rng.random() < 0.05:
                # Google keeps both spellings when two cards for one number are merged.
                value = GOOGLE_MULTI_SEPARATOR.join((value, p.phone.fmt("paren")))
            row["Phone 1 - Value"] = value
        if rng.random() < 0.35:
            city_line = f"{p.city}, {p.region} {p.zip}" if p.country == "US" else f"{p.zip} {p.city}"
            row["Address 1 - Label"] = "Home"
            row["Address 1 - Formatted"] = "\n".join(
                x for x in (p.street, p.address2, city_line, p.country) if x)
            row["Address 1 - Street"] = p.street
            row["Address 1 - City"] = p.city
            row["Address 1 - Region"] = p.region
            row["Address 1 - Postal Code"] = p.zip
            row["Address 1 - Country"] = p.country
            row["Address 1 - Extended Address"] = p.address2
        rows.append([row[c] for c in GOOGLE_CONTACTS_HEADER])
        pids.append(p.pid)
    _write(directory / GOOGLE_CONTACTS_FILE, GOOGLE_CONTACTS_HEADER, rows)
    for i, pid in enumerate(pids, start=1):
        world.labels.add(GOOGLE_CONTACTS_FILE, i, pid)


# ---------------------------------------------------------------------------
# entry point


def write_demo_files(directory: Path, customers: int = 300, seed: int = DEFAULT_SEED,
                     today: date | None = None, labels: bool = False) -> list[DemoFile]:
    """Write the demo shop's channel exports into ``directory`` and describe them.

    ``customers`` distinct people are spread over the channels; events span the
    365 days before ``today`` (default 1 November 2026, fixed for determinism).
    The same arguments always produce byte-identical files.  With ``labels``,
    ``labels.csv`` (file, record_no, person_id) names the person behind every
    record of every contacts file and every event record that identifies
    someone; it is not in the returned list.
    """
    if customers < 1:
        raise ValueError("customers must be at least 1")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    today = today or DEFAULT_TODAY
    world = _World(
        people=_build_people(customers, seed), today=today,
        start=today - timedelta(days=365), end=today - timedelta(days=1),
        seed=seed, labels=_Labels(),
    )

    vip = _write_shopify(world, directory)
    mailchimp_files, members, campaigns = _write_mailchimp(world, directory, vip)
    _write_email_activity(world, directory, members, campaigns)
    _write_till(world, directory)
    lead_files = _write_meta_leads(world, directory)
    _write_sms(world, directory)
    _write_google_contacts(world, directory)

    files = [
        DemoFile(directory / SHOPIFY_CUSTOMERS_FILE, "shop", "contacts", "shopify_customers",
                 f"Shopify customers export from the {SHOP_NAME} online shop"),
        DemoFile(directory / SHOPIFY_ORDERS_FILE, "shop", "events", "shopify_orders",
                 "Shopify orders export, one row per line item"),
        *mailchimp_files,
        DemoFile(directory / EMAIL_ACTIVITY_FILE, "email", "events", None,
                 "Email campaign activity: sends, opens and clicks"),
        DemoFile(directory / TILL_TRANSACTIONS_FILE, "pos", "events", None,
                 "Till receipts (semicolon-separated, Windows-1252, dd/mm/yyyy, decimal commas)"),
        DemoFile(directory / TILL_MEMBERS_FILE, "pos", "contacts", None,
                 "Till loyalty card members (semicolon-separated, Windows-1252)"),
        *lead_files,
        DemoFile(directory / SMS_FILE, "sms", "contacts", None, "SMS marketing list"),
        DemoFile(directory / GOOGLE_CONTACTS_FILE, "contacts", "contacts", "google_contacts",
                 "The owner's phone contacts, exported from Google Contacts"),
    ]
    if labels:
        _write(directory / LABELS_FILE, LABELS_HEADER,
               [[f, str(n), pid] for f, n, pid in world.labels.rows], lineterminator="\n")
    return files
