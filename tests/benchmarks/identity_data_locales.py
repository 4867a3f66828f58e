"""A second identity-resolution benchmark generator: people of five locales, other noise.

The demo shop's generator (``omnidesk.core.demo_data``) is the data the
resolver was tuned on: Americans and a few Europeans, Latin script, US
phone formats.  This one draws people with Faker's ``fr_FR``, ``de_DE``,
``hi_IN``, ``es_MX`` and ``ja_JP`` providers and writes what four channels
of a shop in that country would hold about them, so a resolver that only
learnt the first data set shows where it breaks.

People (one shop per locale, seeded, deterministic):

* name in the locale's own shape: French given names sometimes hyphenated
  (Marie-Claire), German ones with umlauts and ß as Faker spells them,
  Mexican people with one or two given names and two surnames (paterno and
  materno), Hindi names in Devanagari with a Latin spelling made here
  (:func:`devanagari_to_latin`, the way people write their names in Latin
  letters: "Sharma", not "Sharmaa"), Japanese names as kanji with their
  katakana reading and romanisation (Faker's name pairs), family name first;
* an email made from the Latin name under example.com/.net/.org, and for
  some a work address at ``<company>.example`` used in some channels;
* a mobile number valid for the country (random digits checked with
  phonenumbers), written per channel in E.164, international, national or
  bare-digit form;
* an address with a house number, a postcode in the country's format and a
  city; a birthday.

Channels and their layouts (each a real CSV, imported by ``import_file``):

* ``shop``: a Shopify customers export (preset ``shopify_customers``);
* ``newsletter``: a Mailchimp audience export (``mailchimp_subscribed``),
  birthday as MM/DD;
* ``pos``: the till's loyalty members with one "Customer Name" column,
  written the till's way (family name first and capitalised in France,
  "Last, First" in Germany, kana readings in Japan, Devanagari in India);
* ``contacts``: a Google Contacts export (``google_contacts``), with the
  kana reading in the phonetic columns for Japan.

Noise model (rates per rendered record unless "per person"):

* typos: one edit in a Latin name part, 4 %;
* accents dropped: 35 % of records where the name has any (shop 20 %);
* German transliteration: ä/ö/ü/ß written ae/oe/ue/ss, 30 %;
* script: Hindi names in Devanagari in 60 % of till and contacts records and
  10 % of shop records; Japanese names in kanji (shop, contacts), romaji
  (newsletter) or katakana, half-width half of the time (till), and 15 % of
  contacts in hiragana;
* name order: the family name put in the first-name column, 5 % (Japan 30 %
  of kanji records, where forms put the family name first);
* nickname and initials: compound or hyphenated given names cut to their
  first part (25 %), or to an initial (3 %); a Mexican second surname left
  out (40 %);
* missing fields at channel rates (phone, email, address, birthday);
* a new job: 12 % of people (per person) use a work email instead of their
  own in 50 % of records;
* households: one person in 12 (per person) lives with a relative of the
  same family name, a given name not close to theirs, at the same address, and both use
  one family email in most records; they must NOT merge;
* a shop landline: one person in 25 (per person) gives the number of the
  shop they work at, which two or three unrelated people share; they must
  NOT merge either;
* house-number slips: 6 % of addresses get a neighbouring number or two
  digits swapped;
* postcodes written another way, 25 %: 〒, no hyphen or full-width digits in
  Japan, a space in an Indian PIN, "D-", "F-" or "C.P." before the digits,
  a leading zero lost to a spreadsheet.

Phone numbers are random valid numbers, not fictional ranges: the files live
only in a test's temporary folder.

The module is longer than most: five locales' name shapes and their noise
read best side by side, and split up they would only import each other.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from random import Random

from omnidesk.core.exporting.csvsafe import write_csv

LOCALES = ("fr_FR", "de_DE", "hi_IN", "es_MX", "ja_JP")
COUNTRY = {"fr_FR": "FR", "de_DE": "DE", "hi_IN": "IN", "es_MX": "MX", "ja_JP": "JP"}
CHANNELS = ("shop", "newsletter", "pos", "contacts")
DOMAINS = ("example.com", "example.net", "example.org")
COMPANIES = ("atelier", "nordlicht", "solara", "kumo", "indus", "brisa", "verdant", "kobalt", "sakura", "monarca")

SHOP_HEADER = (
    "Customer ID", "First Name", "Last Name", "Email", "Accepts Email Marketing", "Default Address Company",
    "Default Address Address1", "Default Address Address2", "Default Address City",
    "Default Address Province Code", "Default Address Country Code", "Default Address Zip",
    "Default Address Phone", "Phone", "Accepts SMS Marketing", "Total Spent", "Total Orders", "Note",
    "Tax Exempt", "Tags",
)
NEWSLETTER_HEADER = (
    "Email Address", "First Name", "Last Name", "Phone Number", "Birthday", "MEMBER_RATING", "OPTIN_TIME",
    "OPTIN_IP", "CONFIRM_TIME", "CONFIRM_IP", "LATITUDE", "LONGITUDE", "GMTOFF", "DSTOFF", "TIMEZONE", "CC",
    "REGION", "LAST_CHANGED", "LEID", "EUID", "NOTES", "TAGS",
)
POS_HEADER = ("Card No", "Customer Name", "Mobile", "E-mail address", "Date of birth", "Signed up")
POS_MAPPING = ["external_id", "full_name", "phone", "email", "birthday", "created_at"]
CONTACTS_HEADER = (
    "First Name", "Middle Name", "Last Name", "Phonetic First Name", "Phonetic Middle Name",
    "Phonetic Last Name", "Name Prefix", "Name Suffix", "Nickname", "File As", "Organization Name",
    "Organization Title", "Organization Department", "Birthday", "Notes", "Photo", "Labels",
    "E-mail 1 - Label", "E-mail 1 - Value", "Phone 1 - Label", "Phone 1 - Value",
    "Address 1 - Label", "Address 1 - Formatted", "Address 1 - Street", "Address 1 - City",
    "Address 1 - PO Box", "Address 1 - Region", "Address 1 - Postal Code", "Address 1 - Country",
    "Address 1 - Extended Address",
)
FILES = {"shop": ("customers_export.csv", "shop", "shopify_customers", None),
         "newsletter": ("subscribed_members_export.csv", "email", "mailchimp_subscribed", None),
         "pos": ("till_loyalty_members.csv", "pos", None, POS_MAPPING),
         "contacts": ("contacts.csv", "contacts", "google_contacts", None)}


# -- scripts ---------------------------------------------------------------------------

# The generator spells Devanagari in Latin letters with tables of its own, not the resolver's
# (identity/scripts.py): data made by the code under test would agree with it by construction.
_CONSONANTS = {
    "क": "k", "ख": "kh", "ग": "g", "घ": "gh", "ङ": "n", "च": "ch", "छ": "chh", "ज": "j", "झ": "jh", "ञ": "n",
    "ट": "t", "ठ": "th", "ड": "d", "ढ": "dh", "ण": "n", "त": "t", "थ": "th", "द": "d", "ध": "dh", "न": "n",
    "प": "p", "फ": "ph", "ब": "b", "भ": "bh", "म": "m", "य": "y", "र": "r", "ल": "l", "व": "v", "श": "sh",
    "ष": "sh", "स": "s", "ह": "h", "ळ": "l",
}
_NUKTA = {"क": "q", "ख": "kh", "ग": "gh", "ज": "z", "ड": "r", "ढ": "rh", "फ": "f", "य": "y"}
_VOWELS = {"अ": "a", "आ": "a", "इ": "i", "ई": "i", "उ": "u", "ऊ": "u", "ऋ": "ri", "ए": "e", "ऐ": "ai",
           "ओ": "o", "औ": "au", "ऑ": "o"}
_SIGNS = {"ा": "a", "ि": "i", "ी": "i", "ु": "u", "ू": "u", "ृ": "ri", "े": "e", "ै": "ai", "ो": "o",
          "ौ": "au", "ॅ": "e", "ॉ": "o"}
_LONG = {"ा": "aa", "ी": "ee", "ू": "oo", "आ": "aa", "ई": "ee", "ऊ": "oo"}


def devanagari_to_latin(text: str, long_vowels: bool = False) -> str:
    """A Devanagari name as people write it in Latin letters ("शर्मा" -> "Sharma").

    Inherent vowels are spoken after every consonant but the last of a word
    and one before a vowel sign or a virama; with ``long_vowels`` the long
    vowels are doubled ("Sharmaa", "Geeta"), as some people write them.
    """
    text = unicodedata.normalize("NFD", text)
    words = []
    for word in text.split():
        out: list[str] = []
        pending = False  # a consonant waiting for its vowel
        conjunct = False  # ... and the one before it had its vowel killed ("पद्म": d-m)
        killed = False
        chars = list(word)
        for i, ch in enumerate(chars):
            nxt = chars[i + 1] if i + 1 < len(chars) else ""
            if ch == "\u093c":  # nukta: handled with its consonant
                continue
            if ch in _CONSONANTS:
                if pending:
                    out.append("a")
                out.append(_NUKTA[ch] if nxt == "\u093c" else _CONSONANTS[ch])
                conjunct, killed = killed, False
                pending = True
            elif ch in _SIGNS:
                out.append(_LONG.get(ch, _SIGNS[ch]) if long_vowels else _SIGNS[ch])
                pending = False
            elif ch == "\u094d":  # virama: no vowel
                pending, killed = False, True
            elif ch in _VOWELS:
                if pending:
                    out.append("a")
                out.append(_LONG.get(ch, _VOWELS[ch]) if long_vowels else _VOWELS[ch])
                pending = False
            elif ch in "\u0902\u0901":  # anusvara, chandrabindu
                if pending:
                    out.append("a")
                out.append("n")
                pending = False
            elif ch == "\u0903":
                out.append("h")
                pending = False
            elif ch == "-":
                if pending:
                    out.append("a")
                out.append("-")
                pending = False
        # The last consonant's inherent vowel is not spoken (schwa deletion), but it is
        # after a cluster ("पद्म", Padma) and in a one-letter word.
        if pending and (len(out) == 1 or conjunct):
            out.append("a")
        latin = "".join(out)
        words.append(latin[:1].upper() + latin[1:])
    return " ".join(words)


def to_hiragana(katakana: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "\u30a1" <= c <= "\u30f6" else c for c in katakana)


def to_halfwidth(katakana: str) -> str:
    """Full-width katakana in the half-width forms old tills print (ﾔﾏﾀﾞ ﾀﾛｳ)."""
    table = _halfwidth_table()
    return "".join(table.get(c, c) for c in unicodedata.normalize("NFD", katakana))


def _halfwidth_table() -> dict[str, str]:
    table = {}
    for code in range(0xFF61, 0xFFA0):
        half = chr(code)
        full = unicodedata.normalize("NFKC", half)
        if len(full) == 1:
            table.setdefault(full, half)
    table["\u3099"] = "\uff9e"  # voiced mark
    table["\u309a"] = "\uff9f"  # semi-voiced mark
    table["\u3000"] = " "
    return table


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def german_ascii(text: str) -> str:
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("Ä", "Ae"), ("Ö", "Oe"), ("Ü", "Ue"), ("ß", "ss")):
        text = text.replace(a, b)
    return text


def ascii_slug(text: str) -> str:
    return "".join(c for c in strip_accents(german_ascii(text)).lower() if c.isalnum())


# -- people ----------------------------------------------------------------------------


@dataclass
class Name:
    """One person's name in every script it is written in."""

    given: str
    family: str
    family2: str = ""  # a Mexican second surname (materno)
    given_kana: str = ""
    family_kana: str = ""
    given_latin: str = ""
    family_latin: str = ""


@dataclass
class LPerson:
    pid: str
    locale: str
    name: Name
    email: str | None
    work_email: str | None
    phone: str | None  # E.164
    landline: str | None  # a shop's number shared with colleagues
    street: str
    number: int
    postcode: str
    city: str
    birthday: date | None
    channels: tuple[str, ...] = ()
    family_email: str | None = None


@dataclass
class LRecord:
    """One row of a channel file and the person behind it."""

    person: str
    channel: str
    first: str = ""
    last: str = ""
    full: str = ""
    kana_first: str = ""
    kana_last: str = ""
    email: str = ""
    phone: str = ""
    street: str = ""
    number: str = ""
    postcode: str = ""
    city: str = ""
    birthday: date | None = None
    noise: list[str] = field(default_factory=list)


def _faker(locale: str, seed: int):
    from faker import Faker

    fake = Faker(locale)
    fake.seed_instance(seed)
    return fake


def _phone(rng: Random, region: str, kind: str = "mobile") -> str:
    import phonenumbers as pn

    kind_code = pn.PhoneNumberType.MOBILE if kind == "mobile" else pn.PhoneNumberType.FIXED_LINE
    example = pn.example_number_for_type(region, kind_code)
    nsn = str(example.national_number)
    keep = 3 if len(nsn) > 8 else 2
    for _ in range(200):
        digits = nsn[:keep] + "".join(str(rng.randrange(10)) for _ in range(len(nsn) - keep))
        number = pn.PhoneNumber(country_code=example.country_code, national_number=int(digits))
        if pn.is_valid_number(number) and pn.number_type(number) in (kind_code, pn.PhoneNumberType.FIXED_LINE_OR_MOBILE):
            return pn.format_number(number, pn.PhoneNumberFormat.E164)
    raise RuntimeError(f"no valid {kind} number for {region}")


def format_phone(e164: str, style: str) -> str:
    import phonenumbers as pn

    number = pn.parse(e164, None)
    if style == "e164":
        return e164
    if style == "international":
        return pn.format_number(number, pn.PhoneNumberFormat.INTERNATIONAL)
    national = pn.format_number(number, pn.PhoneNumberFormat.NATIONAL)
    if style == "national":
        return national
    return "".join(c for c in national if c.isdigit())  # bare digits


def _postcode(rng: Random, country: str) -> str:
    if country == "JP":
        return f"{rng.randrange(100, 1000)}-{rng.randrange(10_000):04d}"
    if country == "IN":
        return f"{rng.randrange(110_001, 855_117)}"
    return f"{rng.randrange(1000, 99_000):05d}"


def _name(fake, rng: Random, locale: str) -> Name:
    if locale == "ja_JP":
        family, family_kana, family_latin = fake.last_name_pair()
        given, given_kana, given_latin = fake.first_name_pair()
        return Name(given, family, given_kana=given_kana, family_kana=family_kana, given_latin=given_latin,
                    family_latin=family_latin)
    if locale == "hi_IN":
        given, family = fake.first_name(), fake.last_name()
        return Name(given, family, given_latin=devanagari_to_latin(given), family_latin=devanagari_to_latin(family))
    if locale == "es_MX":
        given = fake.first_name()
        if " " not in given and rng.random() < 0.3:
            second = fake.first_name_female() if fake.random.random() < 0.5 else fake.first_name_male()
            given = f"{given} {second}" if second != given else given
        family = fake.last_name()
        family2 = fake.last_name()
        return Name(given, family, family2 if family2 != family else "")
    if locale == "fr_FR":
        male = rng.random() < 0.5
        given = fake.first_name_male() if male else fake.first_name_female()
        if rng.random() < 0.2:
            second = fake.first_name_male() if male else fake.first_name_female()
            if second != given and "-" not in given + second:
                given = f"{given}-{second}"
        return Name(given, fake.last_name())
    # de_DE: Faker's surnames include a few with "auch" or a generation ("Koch II"): not names people give.
    family = fake.last_name()
    while " " in family:
        family = fake.last_name()
    return Name(fake.first_name(), family)


def _latin(name: Name) -> tuple[str, str]:
    """Given and family name in Latin letters, for emails and for Latin-only channels."""
    if name.given_latin:
        return name.given_latin, name.family_latin
    return name.given, " ".join(x for x in (name.family, name.family2) if x)


def _email(rng: Random, given: str, family: str, n: int, taken: set[str] | None = None) -> str:
    """A personal address from the Latin name; never one in ``taken`` (a mailbox has one owner)."""
    g, f = ascii_slug(given.split()[0].split("-")[0]), ascii_slug(family.split()[0])
    local = rng.choice((f"{g}.{f}", f"{g}{f}", f"{g[0]}{f}", f"{f}.{g}", f"{g}.{f}{n % 100}"))
    email = f"{local}@{rng.choice(DOMAINS)}"
    while taken is not None and email in taken:
        email = f"{local}{rng.randrange(10, 1000)}@{rng.choice(DOMAINS)}"
    if taken is not None:
        taken.add(email)
    return email


def _street(fake, locale: str) -> str:
    if locale in ("hi_IN",):
        return _faker("en_IN", fake.random.randrange(10**9)).street_name()
    if locale == "ja_JP":
        return f"{fake.town()}{fake.random.randint(1, 9)}丁目"
    return fake.street_name()


# Faker draws a date of birth as an age on today's date: the people are made as on this day, so
# the same seed gives the same people, and the same figures, whatever day the benchmark runs.
GENERATED_ON = datetime(2026, 12, 4, 12, 0, tzinfo=timezone.utc)


def make_people(locale: str, count: int, seed: int) -> list[LPerson]:
    """``count`` people of one locale, with households and shop landlines among them."""
    import time_machine

    with time_machine.travel(GENERATED_ON, tick=False):
        return _make_people(locale, count, seed)


def _make_people(locale: str, count: int, seed: int) -> list[LPerson]:
    country = COUNTRY[locale]
    fake = _faker(locale, seed)
    rng = Random(f"people:{locale}:{seed}")
    people: list[LPerson] = []
    landlines: list[tuple[str, str]] = []  # (number, city)
    taken: set[str] = set()
    while len(people) < count:
        k = len(people)
        name = _name(fake, rng, locale)
        given_l, family_l = _latin(name)
        email = _email(rng, given_l, family_l, k, taken) if rng.random() < 0.92 else None
        work = None
        if rng.random() < 0.12:
            work = f"{ascii_slug(given_l.split()[0])}.{ascii_slug(family_l.split()[0])}@{rng.choice(COMPANIES)}.example"
            work = None if work in taken else work
            taken.add(work or "")
        phone = _phone(rng, country) if rng.random() < 0.85 else None
        city = fake.city()
        birthday = fake.date_of_birth(minimum_age=18, maximum_age=85) if rng.random() < 0.7 else None
        p = LPerson(f"{locale}-{k:05d}", locale, name, email, work, phone, None, _street(fake, locale),
                    rng.randint(1, 180), _postcode(rng, country), city, birthday)
        p.channels = tuple(c for c in CHANNELS if rng.random() < {"shop": 0.7, "newsletter": 0.55, "pos": 0.45,
                                                                   "contacts": 0.3}[c]) or (rng.choice(CHANNELS),)
        if rng.random() < 0.04:
            # Works at a shop whose landline two or three colleagues (strangers) also give.
            if landlines and rng.random() < 0.6:
                p.landline = rng.choice(landlines)[0]
            else:
                p.landline = _phone(rng, country, "fixed")
                landlines.append((p.landline, city))
        people.append(p)
        if len(people) < count and rng.random() < 1 / 12:
            # A relative at the same address with the same family name; most records give one family email.
            other = _name(fake, rng, locale)
            if locale == "ja_JP":
                rel = Name(other.given, name.family, given_kana=other.given_kana, family_kana=name.family_kana,
                           given_latin=other.given_latin, family_latin=name.family_latin)
            else:
                rel = Name(other.given, name.family, name.family2, given_latin=other.given_latin,
                           family_latin=name.family_latin)
            if _too_close(_latin(rel)[0], given_l):
                continue
            family_email = f"famille.{ascii_slug(family_l.split()[0])}{k}@{rng.choice(DOMAINS)}"
            p.family_email = family_email
            r_given, r_family = _latin(rel)
            relative = LPerson(f"{locale}-{len(people):05d}", locale, rel,
                               _email(rng, r_given, r_family, k + 1, taken) if rng.random() < 0.6 else None, None,
                               _phone(rng, country) if rng.random() < 0.7 else None, None, p.street, p.number,
                               p.postcode, p.city,
                               fake.date_of_birth(minimum_age=18, maximum_age=85) if rng.random() < 0.7 else None,
                               family_email=family_email)
            relative.channels = tuple(c for c in CHANNELS if rng.random() < 0.5) or ("shop",)
            people.append(relative)
    return people


def _too_close(a: str, b: str) -> bool:
    """Whether two given names are too alike for two people of one household (Harry and Harri,
    Gilbert and Gilbert-Paul): parents do not name their children so."""
    from rapidfuzz.distance import DamerauLevenshtein

    x = ascii_slug(a.replace("-", " ").split()[0])
    y = ascii_slug(b.replace("-", " ").split()[0])
    return x[:3] == y[:3] or DamerauLevenshtein.distance(x, y) <= 2


# -- noise ----------------------------------------------------------------------------------


def _typo(rng: Random, word: str) -> str:
    if len(word) < 4 or not word.isascii():
        return word
    i = rng.randint(1, len(word) - 2)
    op = rng.randrange(4)
    if op == 0:
        return word[:i] + word[i + 1:]
    if op == 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if op == 2:
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice("aeiourstnl") + word[i + 1:]


def _short_given(rng: Random, given: str, rec: LRecord) -> str:
    parts = [x for x in given.replace("-", " ").split() if x]
    if len(parts) > 1 and rng.random() < 0.25:
        rec.noise.append("given name cut")
        return parts[0]
    if len(parts) > 1 and rng.random() < 0.15 and "-" in given:
        rec.noise.append("hyphen dropped")
        return " ".join(parts)
    if rng.random() < 0.03 and given.isascii() or (rng.random() < 0.03 and strip_accents(given).isascii()):
        rec.noise.append("initial")
        return given[0] + "."
    return given


def _latin_noise(rng: Random, p: LPerson, rec: LRecord, given: str, family: str, channel: str) -> tuple[str, str]:
    given = _short_given(rng, given, rec)
    if p.locale == "es_MX" and p.name.family2 and family == f"{p.name.family} {p.name.family2}" \
            and rng.random() < 0.4:
        family = p.name.family
        rec.noise.append("second surname left out")
    if any(not c.isascii() for c in given + family) and rng.random() < (0.2 if channel == "shop" else 0.35):
        if p.locale == "de_DE" and rng.random() < 0.6:
            given, family = german_ascii(given), german_ascii(family)
            rec.noise.append("umlauts as ae/oe/ue/ss")
        else:
            given, family = strip_accents(given), strip_accents(family)
            rec.noise.append("accents dropped")
    if rng.random() < 0.04:
        if rng.random() < 0.5:
            given = _typo(rng, given)
        else:
            family = _typo(rng, family)
        rec.noise.append("typo")
    return given, family


def _slip(rng: Random, number: int, rec: LRecord) -> str:
    if rng.random() < 0.06:
        rec.noise.append("house-number slip")
        text = str(number)
        if len(text) >= 2 and text[0] != text[1] and rng.random() < 0.5:
            return text[1] + text[0] + text[2:]
        return str(number + rng.choice((-2, -1, 1, 2)) if number > 2 else number + 1)
    return str(number)


def render(p: LPerson, channel: str, rng: Random) -> LRecord:
    """The person as one channel's record, with that channel's noise."""
    rec = LRecord(p.pid, channel)
    name = p.name
    loc = p.locale
    given_l, family_l = _latin(name)
    if loc == "ja_JP":
        if channel == "newsletter" or (channel == "shop" and rng.random() < 0.2):
            rec.first, rec.last = name.given_latin, name.family_latin
            if rng.random() < 0.3:
                rec.first, rec.last = name.family_latin.upper(), name.given_latin
                rec.noise.append("romaji, family name first")
            else:
                rec.noise.append("romaji")
        elif channel == "pos" and rng.random() < 0.4:
            rec.full = f"{name.family}\u3000{name.given}"
            rec.noise.append("kanji, family name first")
        elif channel == "pos":
            kana = f"{name.family_kana} {name.given_kana}"
            if rng.random() < 0.5:
                kana = to_halfwidth(kana)
                rec.noise.append("half-width katakana")
            else:
                rec.noise.append("katakana")
            rec.full = kana
        else:
            rec.first, rec.last = name.given, name.family
            if channel == "contacts":
                rec.kana_first, rec.kana_last = name.given_kana, name.family_kana
                if rng.random() < 0.15:
                    rec.first, rec.last = to_hiragana(name.given_kana), to_hiragana(name.family_kana)
                    rec.noise.append("hiragana")
            if rng.random() < 0.3 and channel == "shop":
                rec.first, rec.last = rec.last, rec.first
                rec.noise.append("family name in the first-name column")
    elif loc == "hi_IN":
        devanagari = rng.random() < (0.6 if channel in ("pos", "contacts") else 0.1 if channel == "shop" else 0.0)
        if devanagari:
            rec.first, rec.last = name.given, name.family
            rec.noise.append("Devanagari")
        else:
            long_vowels = rng.random() < 0.2
            rec.first = devanagari_to_latin(name.given, long_vowels)
            rec.last = devanagari_to_latin(name.family, long_vowels)
            if long_vowels:
                rec.noise.append("long vowels doubled")
            rec.first, rec.last = _latin_noise(rng, p, rec, rec.first, rec.last, channel)
    else:
        family = " ".join(x for x in (name.family, name.family2) if x)
        rec.first, rec.last = _latin_noise(rng, p, rec, name.given, family, channel)
    if loc != "ja_JP" and rng.random() < 0.05 and rec.first and rec.last:
        rec.first, rec.last = rec.last, rec.first
        rec.noise.append("name order swapped")
    if channel == "pos" and not rec.full:
        if loc == "fr_FR":
            rec.full = f"{rec.last.upper()} {rec.first}"
        elif loc == "de_DE":
            rec.full = f"{rec.last}, {rec.first}"
        else:
            rec.full = f"{rec.first} {rec.last}"

    # Email: personal, a work one after a new job, or the family's.
    emails = [e for e in (p.email,) if e]
    if p.family_email and rng.random() < 0.7:
        emails = [p.family_email]
        rec.noise.append("family email")
    elif p.work_email and rng.random() < 0.5:
        emails = [p.work_email]
        rec.noise.append("work email")
    missing_email = {"shop": 0.0, "newsletter": 0.0, "pos": 0.45, "contacts": 0.35}[channel]
    if channel in ("shop", "newsletter") and not emails:
        # An account needs one: a throwaway address of this person's own.
        emails = [f"{ascii_slug(given_l.split()[0])}{p.pid.rsplit('-', 1)[1]}@{DOMAINS[0]}"]
        rec.noise.append("another email")
    rec.email = emails[0] if emails and rng.random() >= missing_email else ""
    if rec.email and rng.random() < 0.04:
        local, domain = rec.email.split("@")
        rec.email = f"{local.capitalize()}@{domain.upper()}"

    phone = p.phone
    if p.landline and channel in ("pos", "contacts", "shop") and rng.random() < 0.6:
        phone = p.landline
        rec.noise.append("shop landline")
    keep_phone = {"shop": 0.55, "newsletter": 0.3, "pos": 0.85, "contacts": 0.9}[channel]
    if phone and rng.random() < keep_phone:
        style = {"shop": "e164", "newsletter": "international", "pos": rng.choice(("national", "digits")),
                 "contacts": rng.choice(("national", "international"))}[channel]
        rec.phone = format_phone(phone, style)

    keep_address = {"shop": 0.85, "newsletter": 0.0, "pos": 0.0, "contacts": 0.45}[channel]
    if rng.random() < keep_address:
        rec.street, rec.number = p.street, _slip(rng, p.number, rec)
        rec.city = p.city
        rec.postcode = p.postcode if rng.random() < 0.95 else ""
        if rec.postcode and rng.random() < 0.25:
            rec.postcode = _postcode_variant(rng, p.locale, rec.postcode)
            rec.noise.append("postcode written another way")
    if p.birthday and rng.random() < {"shop": 0.0, "newsletter": 0.4, "pos": 0.6, "contacts": 0.5}[channel]:
        rec.birthday = p.birthday
    return rec


def _postcode_variant(rng: Random, locale: str, postcode: str) -> str:
    """The postcode as people and spreadsheets also write it."""
    if locale == "ja_JP":
        return rng.choice((f"〒{postcode}", postcode.replace("-", ""),
                           unicodedata.normalize("NFKC", postcode).translate(_FULL_WIDTH)))
    if locale == "hi_IN":
        return f"{postcode[:3]} {postcode[3:]}"
    if postcode.startswith("0"):
        return postcode[1:]  # a spreadsheet's number
    prefix = {"de_DE": "D-", "fr_FR": "F-", "es_MX": "C.P. "}[locale]
    return prefix + postcode


_FULL_WIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")


def _address(locale: str, street: str, number: str) -> str:
    if not street:
        return ""
    if locale == "fr_FR":
        return f"{number}, {street}"
    if locale == "ja_JP":
        return f"{street}{number}番"
    if locale == "hi_IN":
        return f"{number}, {street}"
    return f"{street} {number}"


# -- files ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LocaleFile:
    path: Path
    channel: str
    preset: str | None
    mapping: list[str] | None
    region: str


def write_locale_files(directory: Path, locale: str, people_count: int, seed: int
                       ) -> tuple[list[LocaleFile], dict[tuple[str, int], LRecord], list[LPerson]]:
    """Write one shop's four channel files for ``locale``; return them, each row's truth, the people.

    Truth is keyed by (file name, data row number from 1), which is how the
    workspace numbers an import's records.
    """
    directory.mkdir(parents=True, exist_ok=True)
    people = make_people(locale, people_count, seed)
    rng = Random(f"records:{locale}:{seed}")
    country = COUNTRY[locale]
    per_channel: dict[str, list[LRecord]] = {c: [] for c in CHANNELS}
    for p in people:
        for channel in p.channels:
            per_channel[channel].append(render(p, channel, rng))
            if channel in ("pos", "contacts") and rng.random() < 0.08:
                # The same person entered twice (a second loyalty card, a duplicate contact).
                per_channel[channel].append(render(p, channel, rng))
    for records in per_channel.values():
        rng.shuffle(records)

    truth: dict[tuple[str, int], LRecord] = {}
    files = []
    for channel, records in per_channel.items():
        name, channel_id, preset, mapping = FILES[channel]
        path = directory / name
        rows = [_row(channel, locale, country, r, i, rng) for i, r in enumerate(records)]
        header = {"shop": SHOP_HEADER, "newsletter": NEWSLETTER_HEADER, "pos": POS_HEADER,
                  "contacts": CONTACTS_HEADER}[channel]
        write_csv(path, header, rows)
        for i, r in enumerate(records):
            truth[(name, i + 1)] = r
        files.append(LocaleFile(path, channel_id, preset, mapping, country))
    return files, truth, people


def _row(channel: str, locale: str, country: str, r: LRecord, i: int, rng: Random) -> list[str]:
    address = _address(locale, r.street, r.number)
    if channel == "shop":
        row = dict.fromkeys(SHOP_HEADER, "")
        row.update({"Customer ID": str(7_000_000_000 + i), "First Name": r.first, "Last Name": r.last,
                    "Email": r.email, "Accepts Email Marketing": rng.choice(("yes", "no")),
                    "Default Address Address1": address, "Default Address City": r.city if address else "",
                    "Default Address Country Code": country if address else "",
                    "Default Address Zip": r.postcode if address else "", "Phone": r.phone,
                    "Total Spent": f"{rng.uniform(0, 400):.2f}", "Total Orders": str(rng.randint(0, 9)),
                    "Tax Exempt": "no"})
        return list(row.values())
    if channel == "newsletter":
        row = dict.fromkeys(NEWSLETTER_HEADER, "")
        row.update({"Email Address": r.email, "First Name": r.first, "Last Name": r.last,
                    "Phone Number": r.phone, "Birthday": f"{r.birthday:%m/%d}" if r.birthday else "",
                    "MEMBER_RATING": str(rng.randint(1, 5)), "CONFIRM_TIME": "2026-03-02 10:11:12",
                    "CC": country, "LEID": str(100 + i), "EUID": f"{rng.getrandbits(40):010x}"})
        return list(row.values())
    if channel == "pos":
        dob = ""
        if r.birthday:
            dob = f"{r.birthday:%Y/%m/%d}" if locale == "ja_JP" else f"{r.birthday:%d/%m/%Y}"
        return [str(500_000 + i), r.full, r.phone, r.email, dob, "01/02/2026" if locale != "ja_JP" else "2026/02/01"]
    row = dict.fromkeys(CONTACTS_HEADER, "")
    row.update({"First Name": r.first, "Last Name": r.last, "Phonetic First Name": r.kana_first,
                "Phonetic Last Name": r.kana_last, "Birthday": f"{r.birthday:%Y-%m-%d}" if r.birthday else "",
                "Labels": "* myContacts", "E-mail 1 - Label": "* Home" if r.email else "",
                "E-mail 1 - Value": r.email, "Phone 1 - Label": "Mobile" if r.phone else "",
                "Phone 1 - Value": r.phone, "Address 1 - Label": "Home" if address else "",
                "Address 1 - Street": address, "Address 1 - City": r.city if address else "",
                "Address 1 - Postal Code": r.postcode if address else "",
                "Address 1 - Country": country if address else ""})
    return list(row.values())
