"""The consistency check: every variant read against the master, the brand kit and its channel's rules.

Rules are data: one row of :data:`RULES` per code, with its severity and the
function that finds it, so a new rule is a row and a test.  Errors block a
campaign step from being scheduled with the variant; warnings do not.

Lengths are measured on the longest rendering over a sample of customers (the
tokens filled in from each one's merged profile, fallbacks where they have no
value), so "{first_name}" counts as the longest first name it will be, not as
twelve characters.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache

from omnidesk.core.messages.personal import shared_values
from omnidesk.core.messages import links, sms, social, tokens
from omnidesk.core.messages.brand import Brand
from omnidesk.core.messages.derive import (CHANNEL_LABELS, PER_PERSON, SOCIAL, VARIANT_CHANNELS, VARIANT_FIELDS,
                                           campaign_name)
from omnidesk.core.messages.personal import nice_day
from omnidesk.core.money import CURRENCY_SIGNS

ERROR, WARNING = "error", "warning"
SMS_MAX_SEGMENTS = 6  # carriers join up to about this many reliably; longer is a letter, not a text
SUBJECT_CHARS = 60  # most inboxes cut a subject about here
PREHEADER_CHARS = 140
POSTER_HEADLINE_CHARS = 60
BANNER_CHARS = 120
# The poster's QR code, its quiet zone included, is this many points wide on A4 (poster._draw; a
# little wider on Letter) however much it holds: the more the link holds, the smaller its squares.
POSTER_QR_SIDE = 150
QR_MODULE_MM = 0.5  # a square of the poster's QR code this wide at least, for a phone to read it surely
READABLE_CONTRAST = 4.5  # WCAG AA for body text: the poster's and the banner's text against its ground


@dataclass(frozen=True)
class Finding:
    channel: str
    severity: str
    code: str
    message: str
    field: str = ""
    start: int | None = None  # where in the field (the editor jumps there)
    end: int | None = None

    def as_dict(self) -> dict:
        return {"channel": self.channel, "severity": self.severity, "code": self.code, "message": self.message,
                "field": self.field}


@dataclass
class Context:
    """What a rule reads about one variant."""

    channel: str
    fields: dict[str, str]  # as written (tokens and all)
    rendered: dict[str, str]  # each field's longest rendering over the sample
    master: dict[str, str]
    brand: Brand
    custom_names: Sequence[str] = ()
    samples: Sequence[Mapping[str, str | None]] = ()  # the sample customers' values, as the channel fills them
    currency: str | None = None  # the shop's (money.workspace_currency): an amount without a sign is in it
    # The brand kit's logo as it is kept (None: none, or the caller did not read it; a poster is
    # then laid out with a square stand-in when the kit has one).
    logo: bytes | None = None
    # The utm_campaign this message's links carry (derive.campaign_name), "" when the caller does
    # not know the message's name: its links' campaign is then not compared.
    campaign: str = ""

    @property
    def text(self) -> str:
        return "\n".join(v for v in self.fields.values() if v)

    @property
    def label(self) -> str:
        return CHANNEL_LABELS.get(self.channel, self.channel)


Hit = tuple[str, str, int | None, int | None]  # field, message, start, end


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    what: str  # one line: what the rule asks
    find: Callable[[Context], Iterable[Hit]] = field(repr=False)
    channels: tuple[str, ...] | None = None  # None: every channel


def _contains(text: str, needle: str) -> int:
    return text.casefold().find(needle.casefold())


def _stats(channel: str, rendered: Mapping[str, str]) -> dict:
    if channel == "sms":
        s = sms.sms_stats(rendered.get("text", ""))
        return {"length": s.length, "limit": s.per_segment * max(s.segments, 1), "segments": s.segments,
                "encoding": s.encoding}
    if channel in SOCIAL:
        fit = social.fits([channel], rendered.get("text", ""))[0]
        return {"length": fit.length, "limit": fit.limit}
    if channel == "email":
        return {"length": len(rendered.get("subject", "")), "limit": SUBJECT_CHARS}
    if channel == "store":
        return {"length": len(rendered.get("headline", "")), "limit": POSTER_HEADLINE_CHARS}
    if channel == "website":
        return {"length": len(rendered.get("text", "")), "limit": BANNER_CHARS}
    return {}


# -- the rules ------------------------------------------------------------------------------


def _over_limit(c: Context) -> Iterable[Hit]:
    if c.channel == "sms":
        s = sms.sms_stats(c.rendered.get("text", ""))
        if s.segments > SMS_MAX_SEGMENTS:
            yield "text", (f"{s.segments} SMS segments for the longest customer; keep it to "
                           f"{SMS_MAX_SEGMENTS} or fewer"), None, None
    elif c.channel in SOCIAL:
        fit = social.fits([c.channel], c.rendered.get("text", ""))[0]
        if fit.over > 0:
            yield "text", f"{fit.length:,} of {fit.limit:,} for {c.label}: {fit.over:,} too many", None, None
        if fit.hashtags_over:
            yield "text", f"{fit.hashtags_over} hashtags more than {c.label} takes", None, None


def _long(c: Context) -> Iterable[Hit]:
    checks = {"email": (("subject", SUBJECT_CHARS), ("preheader", PREHEADER_CHARS)),
              "store": (("headline", POSTER_HEADLINE_CHARS),), "website": (("text", BANNER_CHARS),)}
    for f, limit in checks.get(c.channel, ()):
        n = len(c.rendered.get(f, ""))
        if n > limit:
            yield f, f"the {f} is {n} characters; most readers see about {limit}", None, None


def _sms_segments(c: Context) -> Iterable[Hit]:
    s = sms.sms_stats(c.rendered.get("text", ""))
    if 1 < s.segments <= SMS_MAX_SEGMENTS:
        yield "text", f"{s.segments} segments ({s.encoding}): each person costs {s.segments} messages", None, None


def _sms_unicode(c: Context) -> Iterable[Hit]:
    text = c.fields.get("text", "")
    s = sms.sms_stats(text)
    if s.encoding != "GSM-7" and s.unicode_chars:
        swaps = sms.replacements(text)
        hint = ("; " + ", ".join(f"{sms.char_name(a)} → {sms.plain_words(b)}" for a, b in swaps.items())
                if swaps else "")
        shown = sms.forcing_ucs2(text)
        first = text.find(s.unicode_chars[0])
        yield "text", (f"{', '.join(shown[:5])} make{'s' if len(shown) == 1 else ''} it UCS-2 "
                       f"(70 a segment, not 160){hint}"), first, first + 1
        return
    # The text is plain, but a customer's name or city is not: their copy goes as UCS-2.  The
    # isolates set around a right-to-left name are not theirs, and never alone: the name is named.
    theirs = sms.forcing_ucs2(c.rendered.get("text", ""), isolates=False)
    if theirs:
        yield "text", (f"{', '.join(theirs[:5])} in a customer's details make{'s' if len(theirs) == 1 else ''} "
                       "their text UCS-2 (70 a segment, not 160)"), None, None


def _says_code(text: str, code: str) -> bool:
    """Whether ``text`` gives ``code`` as a word of its own (any case), outside its links.

    Inside a link or another word it is no code a reader can type: SPRING in
    ``…/spring-sale`` or in "Springfield", FALL in ``…/fall``.
    """
    for lk in sorted(links.find_links(text), key=lambda lk: lk.start, reverse=True):
        text = text[:lk.start] + " " + text[lk.end:]
    return re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text, re.I) is not None


def _offer_code(c: Context) -> Iterable[Hit]:
    code = c.master.get("offer_code", "")
    # Written out, or as the {offer_code} token, which renders it for everyone.
    if code and not _says_code(c.text, code) and not _says_code("\n".join(c.rendered.values()), code):
        yield "", f"the offer code {code} is missing", None, None


def _cta(c: Context) -> Iterable[Hit]:
    cta = c.master.get("cta", "")
    if c.channel == "website" and c.rendered.get("link", "").strip():
        return  # the banner's button is the master's call to action (campaigns.export writes it so)
    if cta and _contains(c.text, cta) < 0:
        yield "", f"the call to action “{cta}” is missing", None, None


def _base(url: str) -> str:
    """A link without its campaign tags, to compare with the master's (its ``#fragment`` kept:
    the tags go before it, ``…/sale?utm_source=sms#details``).

    The scheme and the host are read in any case (``HP.example`` is ``hp.example``); the path,
    the query and the fragment as written, since most servers tell ``/Spring`` from ``/spring``.
    The query's order is no difference; a "?" or "#" in a token's fallback (``{city|a#b}``) starts
    no query or fragment."""
    held, url = links.held_tokens(url)
    url, hashed, fragment = url.partition("#")
    path, _, query = url.partition("?")
    kept = sorted(piece for piece in query.split("&") if piece and not re.match(r"(?i)utm_[a-z]+=", piece))
    site = re.match(r"(?i)(?:[a-z][a-z0-9+.-]*://)?[^/]*", path)
    path = site.group(0).casefold() + path[site.end():].rstrip("/")
    return links.tokens_back(path + ("?" + "&".join(kept) if kept else "") + (hashed + fragment if fragment else ""),
                             held)


def _link(c: Context) -> Iterable[Hit]:
    link = c.master.get("link", "")
    if link and not links.is_valid_link(link):
        # Not "missing": no variant can carry it, whatever it says; the master's field is to fix.
        yield "", f"the master's {links.link_problem(link)}; fix it in the master", None, None
    elif link and not any(_base(links.opened(lk.url)) == _base(link) for lk in links.find_links(c.text)):
        # A bare "www." link is opened as https, as it is tagged.
        near = [lk.url for lk in links.find_links(c.text)
                if _base(links.opened(lk.url)).casefold() == _base(link).casefold()]
        hint = (f" ({near[0]} has other capitals, and most servers read a path's capitals: it is another "
                "page, or none)" if near else "")
        yield "", f"the link {link} is missing{hint}", None, None


def _malformed(c: Context) -> Iterable[Hit]:
    # A field that is a link (the poster's QR code, the banner's button) is that link whole:
    # "javascript:…//https://shop.example/sale" holds a good link as text, and opens none of it.
    whole = c.rendered.get("link", c.fields.get("link", "")).strip()
    if whole and not links.is_valid_link(links.opened(whole)):
        yield "link", links.link_problem(whole), None, None
        return
    for f, text in c.fields.items():
        for lk in links.find_links(text):
            if not links.is_valid_link(links.opened(lk.url)):  # "www.shop.example/sale" opens as https
                yield f, f"{lk.url} is not a link a phone or browser can open", lk.start, lk.end


def _untagged(c: Context) -> Iterable[Hit]:
    if links.channel_utm(c.channel) is None:
        return
    for f, text in c.fields.items():
        if c.channel == "store" and f != "link":
            continue  # a link in the poster's printed words is typed by its reader; the QR code's is tagged
        for lk in links.find_links(text):
            if links.is_valid_link(links.opened(lk.url)) and not links.has_utm(lk.url):
                yield f, f"{lk.url} has no campaign tags: its visits will not be told apart", lk.start, lk.end


def _wrong_tags(c: Context) -> Iterable[Hit]:
    """A link tagged for another channel or another campaign (copied from elsewhere, or from the
    message this one was duplicated from): its visits would be counted there, not here."""
    utm = links.channel_utm(c.channel)
    if utm is None:
        return
    wanted = {"utm_source": utm[0], "utm_medium": utm[1], **({"utm_campaign": c.campaign} if c.campaign else {})}
    for f, text in c.fields.items():
        for lk in links.find_links(text):
            if not links.is_valid_link(links.opened(lk.url)) or not links.has_utm(lk.url):
                continue  # said by malformed_link or link_without_utm
            found = links.utm_values(lk.url)
            off = [key for key, value in wanted.items()
                   if "{" not in found.get(key, "") and found.get(key, "").casefold() != value.casefold()]
            if off:
                said = ", ".join(f"{key}={found[key]}" for key in off)
                should = "&".join(f"{key}={wanted[key]}" for key in off)
                yield f, (f"{lk.url} is tagged {said}: its visits would be counted for another "
                          f"{'campaign' if off == ['utm_campaign'] else 'channel or campaign'}, not this "
                          f"{c.label} of this message; tag it {should}"), lk.start, lk.end


_MONTH = r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
# A date without its year in figures ("3/30", "30.3.") is a date only where the words say so:
# "ends 3/30", "until 30.3.", "bis 30.3."; "open 24/7" and "1/2 price" are none.
_BY = (r"\b(?:ends?|ending|until|till|til|thru|through|before|by|expires?|expiring|valid\s+(?:until|till|through|"
       r"thru|to)|bis|jusqu'?au|hasta(?:\s+el)?|fino\s+al|t/m|tot)\s*:?\s+"
       r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?")
# An end date as people write it: 2027-03-20, 2027/03/20; 20 Mar 2027, 20th March 2027, 20 March;
# March 20, March 20th 2027, Mar 20; 20/03/2027, 03/20/2027, 20.03.2027, 20-03-2027; and after
# "ends", "until" and the like, 3/20 or 20/3 and 20.3.
_DATE_PATTERNS = (
    ("iso", re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")),
    ("year_first", re.compile(r"(?<![\d/.-])(\d{4})([/.])(\d{1,2})\2(\d{1,2})(?![\d/]|\.\d)")),
    ("day_month", re.compile(rf"\b{_DAY}(?: of)? {_MONTH}(?:,? (\d{{4}}))?(?![\w])", re.I)),
    ("month_day", re.compile(rf"\b{_MONTH} {_DAY}(?!\d)(?:(?:st|nd|rd|th)?,? (\d{{4}}))?(?![\w])", re.I)),
    ("numeric", re.compile(r"(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?![\d/-]|\.\d)")),
    ("no_year", re.compile(rf"{_BY}(?P<date>(?P<a>\d{{1,2}})/(?P<b>\d{{1,2}})(?![\d/%]|[.,]\d)"
                           r"|(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?!\d))", re.I)),
)
_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                       "dec"), start=1)}


def _dates(text: str) -> Iterable[tuple[list[tuple[int | None, int, int]], int, int]]:
    """Each date written in ``text`` outside its links: the (year or None, month, day) it can be
    read as (20/03/2027 one way, 03/04/2027 either), and where it is.  A date inside a link
    (``…/lookbook-2027-03-01``) is the page's, not the offer's."""
    for lk in links.find_links(text):  # blanked, same length: the positions stay
        text = text[:lk.start] + " " * (lk.end - lk.start) + text[lk.end:]
    taken: list[tuple[int, int]] = []
    for kind, pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            start, end = m.span("date") if kind == "no_year" else m.span()
            if any(a < end and start < b for a, b in taken):
                continue  # "2027-03-20" read already; not again as a numeric date
            if kind == "iso":
                readings = [(int(m[1]), int(m[2]), int(m[3]))]
            elif kind == "year_first":
                readings = [(int(m[1]), int(m[3]), int(m[4]))]
            elif kind == "day_month":
                readings = [(int(m[3]) if m[3] else None, _MONTHS[m[2][:3].lower()], int(m[1]))]
            elif kind == "month_day":
                readings = [(int(m[3]) if m[3] else None, _MONTHS[m[1][:3].lower()], int(m[2]))]
            elif kind == "no_year" and m["day"]:
                readings = [(None, int(m["month"]), int(m["day"]))]  # 30.3.: the day first, always
            elif kind == "no_year":
                a, b = int(m["a"]), int(m["b"])
                readings = list(dict.fromkeys([(None, b, a), (None, a, b)]))  # day first, or month first
            else:
                a, b, year = int(m[1]), int(m[3]), int(m[4])
                readings = list(dict.fromkeys([(year, b, a), (year, a, b)]))  # day first, or month first
            possible = []
            for year, month, day in readings:
                try:
                    date(year or 2000, month, day)  # 2000: a leap year, 29 Feb stands without one
                except ValueError:
                    continue
                possible.append((year, month, day))
            if possible:
                taken.append((start, end))
                yield possible, start, end


_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
# Words that make the date after them the offer's end: "ends 31 Oct", "valid through Oct 31", "bis
# 31.10.", "order by 20 Oct" (the last day to act on the offer, as a customer reads it).
_END_BEFORE = re.compile(rf"{_BY}$", re.I)
# Words that make the date after them a start, never the end: "starts Oct 1", "from 1 Oct", "opens
# 1 Oct", "ab 1.10.", "dès le 1 oct", "desde el 1", "dal 1", "vanaf 1".
_START_BEFORE = re.compile(r"\b(?:from|starts?|starting|begins?|beginning|opens?|opening|launch(?:es|ing)?|ab|"
                           r"dès(?:\s+le)?|à\s+partir\s+du|desde(?:\s+el)?|a\s+partir\s+del?|dal|vanaf)"
                           rf"\s*:?\s+(?:on\s+)?{_WEEKDAY}$", re.I)
# What joins the two dates of a range, "1 Oct to 31 Oct", "Oct 1 – Oct 31", "1.10. bis 31.10.":
# the second is the end, the first is not.
_RANGE_JOIN = re.compile(r"\s*(?:[-–—]|to|till|until|thru|through|bis|au|jusqu'?au|al|hasta(?:\s+el)?|tot|t/m)"
                         rf"\s+{_WEEKDAY}|\s*[-–—]\s*", re.I)


def _end_dates(fields: Mapping[str, str]) -> Iterable[tuple[str, str, list[tuple[int | None, int, int]], int, int]]:
    """The dates of a variant read as the offer's end (:func:`_dates`), each with its field and text.

    A date is the end when end words come before it ("until", "ends", "by", "bis"…), when it ends a
    range ("1 Oct to 31 Oct"), or when it is the only date the variant gives; a date the words make
    a start ("from", "starts", "opens"…) or that begins a range is not, and neither is any other
    date beside others ("Doors open at 9 on 1 Oct, sale until 31 Oct": 1 Oct is no end)."""
    found = [(f, text, sorted(_dates(text), key=lambda d: d[1])) for f, text in fields.items()]
    only = len({tuple(possible) for _, _, dates in found for possible, _, _ in dates}) == 1
    for f, text, dates in found:
        for i, (possible, start, stop) in enumerate(dates):
            before = text[max(0, start - 60):start]
            starts_range = i + 1 < len(dates) and _RANGE_JOIN.fullmatch(text, stop, dates[i + 1][1]) is not None
            ends_range = i > 0 and _RANGE_JOIN.fullmatch(text, dates[i - 1][2], start) is not None
            if starts_range or _START_BEFORE.search(before):
                continue
            if ends_range or only or _END_BEFORE.search(before):
                yield f, text, possible, start, stop


def _expiry(c: Context) -> Iterable[Hit]:
    ends = c.master.get("offer_expires", "")
    try:
        end = date.fromisoformat(ends) if ends else None
    except ValueError:
        end = None
    for f, text, possible, start, stop in _end_dates(c.fields):
        if end is not None and any((year is None or year == end.year) and (month, day) == (end.month, end.day)
                                   for year, month, day in possible):
            continue
        said = f"the offer ends {nice_day(ends)}" if ends else "the master gives no end date"
        year, month, day = possible[0]
        shown = nice_day(date(year, month, day).isoformat()) if year else text[start:stop]
        yield f, f"{shown} here, but {said}", start, stop


# An offer's value as written: 20%, 12.5 %, 20 percent, 20 per cent, 20 pct, $10, €5, 5 €, £7.50, 10 EUR; thousands grouped with
# commas (1,000 or 1,000.50) or with dots (€1.000, €1.000,50: three figures after a dot are no
# cents).  A number is read whole: never up to a figure that follows it.
_AMOUNT = (r"(?P<n>[1-9]\d{0,2}(?:\.\d{3})+(?:,\d{1,2})?|[1-9]\d{0,2}(?:,\d{3})+(?:\.\d{1,2})?"
           r"|\d+(?:[.,]\d{1,2})?)(?![\d,.]\d|\d)")
_VALUE = (rf"(?<![\w.,]){_AMOUNT}\s?(?P<pct>%|(?i:per\s?cent|pct)\b)"
          rf"|(?P<cur>(?:US|CA|AU|NZ|[CA])?\$|[€£¥]|(?<![\w.,])(?:EUR|USD|GBP|CHF|CAD|AUD)(?=\s?\d))"
          rf"\s?{_AMOUNT.replace('?P<n>', '?P<n2>')}"
          rf"|(?<![\w.,]){_AMOUNT.replace('?P<n>', '?P<n3>')}\s?(?P<cur3>[€£$]|(?:EUR|USD|GBP|CHF|CAD|AUD)\b)")
_ANY_VALUE = re.compile(_VALUE)
_OFF = r"\s*(?:off\b|discount|korting|rabatt|de\s+(?:réduction|remise|descuento)|di\s+sconto|sconto|en\s+moins)"
# In a variant, a value that is an offer: "30% off", "$10 discount", "save 25%", "-20%", "20% Rabatt".
_OFFER_VALUE = re.compile(
    rf"(?:(?<![\w-])(?:save|saving|take|extra|minus|spare|économisez|ahorra|risparmia)\s+(?:up\s+to\s+)?"
    rf"(?:an?\s+)?(?:extra\s+)?|(?<![\w-])-\s?)?(?P<value>{_VALUE})(?P<off>{_OFF})?",
    re.I)
# In the master's offer, an amount of money written without a sign: "10 off", "5 discount".
_BARE_MONEY = re.compile(rf"(?<![\w.,]){_AMOUNT}(?={_OFF})", re.I)
_UP_TO = re.compile(r"\b(?:up\s+to|bis\s+zu|jusqu'?[àa]|hasta|fino\s+al|tot)\b", re.I)


# Each currency sign as the currencies it can be (money.CURRENCY_SIGNS, the importer's too): "$"
# alone is any dollar, "US$" or "USD" one of them; "¥" a yen or a yuan.  Keyed upper case.
_CURRENCIES = {sign.upper(): codes for sign, (_usual, codes) in CURRENCY_SIGNS.items()}


def _currency(sign: str | None, shop: str | None = None) -> frozenset[str] | None:
    """The currencies a sign or code can stand for; without one the shop's currency ``shop``, or
    None (any) when the shop has none."""
    if not sign:
        return frozenset({shop.upper()}) if shop else None
    sign = sign.upper()
    return _CURRENCIES.get(sign, frozenset({sign}))


def _number(number: str) -> float:
    whole, cents = re.match(r"([\d.,]+?)(?:[.,](\d{1,2}))?$", number).groups()  # "1.000,50": 1000 and 50
    return float(re.sub(r"[.,]", "", whole) + "." + (cents or "0"))


def _amount(m: re.Match, shop: str | None = None) -> tuple[str, float, frozenset[str] | None]:
    """("%" or "money", the number, the currencies its sign can be) of a value matched by ``_VALUE``;
    an amount without a sign is in the shop's currency ``shop``."""
    number = next(m[g] for g in ("n", "n2", "n3") if m[g])
    return ("%" if m["pct"] else "money"), _number(number), _currency(m["cur"] or m["cur3"], shop)


def _offer_amounts(said: str, shop: str | None) -> list[tuple[str, float, frozenset[str] | None]]:
    """The values the master's offer states: each with its sign or code, and money without one
    ("10 off") in the shop's currency ``shop`` (any, when the shop has none)."""
    found = [(m.span(), _amount(m, shop)) for m in _ANY_VALUE.finditer(said)]
    signed = [span for span, _ in found]
    found += [(m.span(), ("money", _number(m["n"]), _currency(None, shop))) for m in _BARE_MONEY.finditer(said)
              if not any(start < m.end() and m.start() < end for start, end in signed)]
    return [value for _span, value in sorted(found)]


def _same_money(a: frozenset[str] | None, b: frozenset[str] | None) -> bool:
    """Whether two currencies can be one: "$" and "USD" can, "$" and "£" cannot; a value written
    without a sign, in a shop with no currency, is taken as the other's."""
    return a is None or b is None or bool(a & b)


def _offer_value(c: Context) -> Iterable[Hit]:
    """An offer value a variant states (30% off, $10 off, save 25%) that is not the master's:
    another number, or the same number in another currency (£10 off for the master's $10 off).
    An amount written without a sign, in the master or the variant, is in the shop's currency."""
    said = c.master.get("offer_value", "")
    master = _offer_amounts(said, c.currency)
    if not master:
        return  # "Buy one, get one": nothing to compare with
    up_to = _UP_TO.search(said) is not None
    for f, text in c.fields.items():
        for lk in links.find_links(text):  # blanked, same length: "…/sale-30" is the page's
            text = text[:lk.start] + " " * (lk.end - lk.start) + text[lk.end:]
        for m in _OFFER_VALUE.finditer(text):
            value = re.match(_VALUE, m["value"], re.I)
            kind, amount, money = _amount(value, c.currency)
            if not (m["off"] or m.start() < m.start("value")):
                continue  # "100% cotton", "orders over $50": not the offer
            if any(k == kind and _same_money(money, cur) and (amount == most or (up_to and amount <= most))
                   for k, most, cur in master):
                continue
            yield f, f"“{m.group(0).strip()}” here, but the offer is “{said}”", m.start(), m.end()


def poster_unprintable(fields: Mapping[str, str], brand_name: str) -> list[tuple[str, list[str], str]]:
    """Characters the poster of these filled-in store ``fields`` would print as "?" (no font it
    sets text in has them): ``(field, characters, words)`` for each field that has some, "" for
    the brand's name, in the check's words (``poster_unprintable``)."""
    from omnidesk.core.messages.poster import unprintable_characters

    found = []
    for f, text in (*fields.items(), ("", brand_name)):
        chars = unprintable_characters(text)
        if chars:
            where = f"the {f}" if f else f"the brand's name “{brand_name}”"
            found.append((f, chars, f"{' '.join(chars[:8])} in {where} cannot be printed: the poster shows “?” in "
                                    f"{'its' if len(chars) == 1 else 'their'} place"))
    return found


def _unprintable(c: Context) -> Iterable[Hit]:
    """Characters the poster would print as "?": no font it sets text in has them."""
    # What the poster prints: its fields for everyone (the fallbacks showing), and the brand's name.
    for f, chars, words in poster_unprintable(c.rendered, c.brand.name):
        first = c.fields.get(f, "").find(chars[0]) if f else -1
        yield f, words, (first if first >= 0 else None), (first + 1 if first >= 0 else None)


def _qr_too_long(c: Context) -> Iterable[Hit]:
    """A poster link no QR code holds: the poster cannot be printed (poster.qr_matrix refuses it)."""
    problem = _qr_problem(c.rendered.get("link", "").strip())
    if problem:
        yield "link", f"{_said(problem)}: the poster cannot be printed; shorten the link", None, None


def _qr_dense(c: Context) -> Iterable[Hit]:
    """A poster link that makes a QR code of squares too small for a phone to read surely: the code
    is always as wide (:data:`POSTER_QR_SIDE`), so a longer link means smaller squares."""
    from omnidesk.core.messages.poster import QUIET_ZONE, PosterError, qr_matrix

    link = c.rendered.get("link", "").strip()
    if not link:
        return
    try:
        modules = len(qr_matrix(link))
    except PosterError:
        return  # said by poster_link_too_long
    mm = POSTER_QR_SIDE / (modules + 2 * QUIET_ZONE) * 25.4 / 72
    if mm < QR_MODULE_MM:
        yield "link", (f"the link ({len(link):,} characters, campaign tags included) makes a QR code of "
                       f"{modules} × {modules} squares, each {mm:.2f} mm wide on the poster: a phone may not "
                       f"read squares under {QR_MODULE_MM} mm from a blurred or distant shot; shorten the link"), \
            None, None


def _qr_problem(link: str) -> str | None:
    from omnidesk.core.messages.poster import PosterError, qr_matrix

    if not link:
        return None
    try:
        qr_matrix(link)
    except PosterError as exc:
        return str(exc)
    return None


@lru_cache(maxsize=4)
def _logo_read(data: bytes) -> tuple[str | None, tuple[int, int] | None]:
    """Why the brand kit's kept logo cannot go on a poster (None when it can), and its width and
    height as the poster draws it."""
    import io

    from PIL import Image

    from omnidesk.core.errors import UserError
    from omnidesk.core.messages.brand import printable_logo

    try:
        drawn = printable_logo(data)
    except UserError as exc:
        return f"the brand kit's logo {exc}; set it again with `omnidesk brand set logo FILE`", None
    with Image.open(io.BytesIO(drawn)) as image:
        return None, image.size


def _logo_unreadable(c: Context) -> Iterable[Hit]:
    if c.logo is not None:
        problem, _size = _logo_read(c.logo)
        if problem:
            yield "", problem, None, None


def _no_headline(c: Context) -> Iterable[Hit]:
    if any(v.strip() for v in c.fields.values()) and not c.rendered.get("headline", "").strip():
        yield "headline", "a poster needs a headline", None, None


def _does_not_fit(c: Context) -> Iterable[Hit]:
    """The poster drawn as the export draws it, on each paper it is printed on: what it refuses there
    (text too long for one page), the check says."""
    from omnidesk.core.messages.poster import PAGE_SIZES
    from omnidesk.core.messages.render import poster_refusal

    if (not c.rendered.get("headline", "").strip() or _qr_problem(c.rendered.get("link", "").strip())
            or not any(v.strip() for v in c.fields.values())):
        return  # said by their own rules; the page cannot be laid out without them
    if c.logo is not None:
        problem, size = _logo_read(c.logo)
        if problem:
            return  # said by poster_logo_unreadable
    else:
        size = (1, 1) if c.brand.logo is not None else None
    refused = {page: why for page in PAGE_SIZES if (why := poster_refusal(c.rendered, c.brand, size, page))}
    if refused:
        pages = " or ".join(refused)
        why = next(iter(refused.values()))
        yield "", f"the poster cannot be printed on {pages} paper: {_said(why)}", None, None


def _said(refusal: str) -> str:
    """The poster's refusal ("The link is too long….") as a finding says it, within its sentence."""
    return refusal[:1].lower() + refusal[1:].rstrip(".")


def _reader_fonts(c: Context) -> Iterable[Hit]:
    """Chinese, Japanese or Korean on a poster: the PDF names their fonts without carrying them."""
    from omnidesk.core.messages.poster import reader_fonts_note

    texts = [c.rendered.get(k, "") for k in ("headline", "offer", "cta")]
    note = reader_fonts_note(*texts, c.brand.name)
    if note:
        yield "", note, None, None


def _low_contrast(c: Context) -> Iterable[Hit]:
    """The brand's main colour against white, as the poster and the banner set text: the poster's ink
    on white paper (its offer white on a band of ink), the banner's white text on that colour.  The
    threshold is WCAG AA's for body text, not its 3:1 for large text: the link under the poster's QR
    code prints at 8 points, its call to action may shrink to 12, and the banner's text is the page's
    usual size."""
    from omnidesk.core.channels import contrast_ratio

    color = c.brand.colors[0]
    try:
        ratio = contrast_ratio(color, "#FFFFFF")
    except (ValueError, TypeError, IndexError):
        return  # not a colour: the brand kit refuses one as it is set
    if ratio >= READABLE_CONTRAST:
        return
    shown = (f"the poster prints its text in {color} on white and its offer in white on {color}"
             if c.channel == "store" else f"the banner sets its text in white on {color}")
    yield "", (f"{shown}: a contrast of {ratio:.2f}:1, under the {READABLE_CONTRAST}:1 text needs to be read "
               "easily (WCAG AA); choose a darker main colour in the brand kit"), None, None


def _banned_in(fields: Mapping[str, str], brand: Brand, master: Mapping[str, str]) -> Iterable[Hit]:
    """The brand's banned words in ``fields`` as every reader gets them: written there, or brought
    in by a token (``{offer_value}`` of "20% off + free gift"; a fallback).  A customer's own
    value is theirs, not the message's words: personal tokens show their fallbacks here."""
    shared = shared_values(master, brand.name)
    for word in brand.banned_words:
        pattern = re.compile(r"(?<!\w)" + re.escape(word) + r"(?!\w)", re.I)
        for f, text in fields.items():
            m = pattern.search(text)
            if m:
                yield f, f"“{m.group(0)}” is on the brand's banned words", m.start(), m.end()
                continue
            m = pattern.search(tokens.render(text, shared))
            if m:
                yield f, f"“{m.group(0)}” is on the brand's banned words (a token brings it in)", None, None


def _banned(c: Context) -> Iterable[Hit]:
    return _banned_in(c.fields, c.brand, c.master)


# How an SMS tells its reader to stop: "Reply STOP", "Text STOP to 12345", "STOP to opt out",
# "STOP2END", "Opt out: STOP", "STOP au 36173", "Répondez STOP", "Antworte STOP".  The word
# alone is no such line: "Non-stop deals", "Stop by for 20% off", "Open non-stop to 9pm" and
# "No need to reply, stop by" tell nobody how to stop.  So the keyword is STOP in capitals (or
# "stop" in quotes), a word of its own (not the end of "non-stop"), and it comes straight after
# a verb of sending, or before what it does ("to opt out", "to 12345"), or after "Opt out:".
_SEND = (r"(?i:reply|replying|text|txt|send|sms|msg|respond|r[ée]pond(?:ez|s|re)?|envoy(?:ez|e|er)|"
         r"antwort(?:e|en)?|sende|senden|schick(?:e|en)?|responde|responda|envía|envia|rispondi|invia|"
         r"antwoord|stuur)")
_KEYWORD = r"(?:[\"'“‘«]?STOP|[\"'“‘«]\s?(?i:stop)\s?(?=[\"'”’»]))"  # STOP, "STOP" or 'stop'
_NOT_IN_WORD = r"(?<![\w-])"
_PURPOSE = (r"(?i:opt[\s-]?out|unsub\w*|end\b|cancel|quit|stop\b|d[ée]sinscri\w*|d[ée]sabonn\w*|"
            r"abmeld\w*|abbestell\w*|darse de baja|baja\b|cancelar|disiscri\w*|afmeld\w*|uitschrijv\w*)")
# A space within a line, of any kind: "Reply\u00a0STOP" (a no-break space, as some editors and
# phones put in) is as much an opt-out line as "Reply STOP".
_SPACE = r"[^\S\n\r\v\f\x1c-\x1e\x85\u2028\u2029]"
_OPT_OUT = re.compile(
    # Reply STOP · Text "stop" to 12345 · Txt STOP · Antworte mit STOP · Reply STOP2END
    rf"{_NOT_IN_WORD}{_SEND}{_SPACE}*:?{_SPACE}+(?i:with{_SPACE}+|mit{_SPACE}+|avec{_SPACE}+|con{_SPACE}+)?"
    rf"{_KEYWORD}(?![A-Za-z-])"
    # STOP to opt out · STOP to 12345 · STOP au 36173 · STOP 2 quit · "stop" to unsubscribe
    rf"|{_NOT_IN_WORD}{_KEYWORD}(?![\w-])[\"'”’»]?{_SPACE}*(?i:to|2|=|au|an|al|a|naar|per|pour|para|zum|zur)"
    rf"{_SPACE}*(?:\d{{3,}}|{_PURPOSE})"
    # stop to opt out · Reply stop to unsubscribe (in any case, with an opt-out word that says so)
    rf"|{_NOT_IN_WORD}(?i:stop)(?![\w-]){_SPACE}+(?i:to){_SPACE}+(?i:opt(?:{_SPACE}|-)?out|unsubscribe|unsub)\b"
    # STOP2END · STOP2QUIT
    rf"|{_NOT_IN_WORD}(?i:stop)2(?i:end|quit|stop|opt|unsub)"
    # Opt out: STOP · Unsubscribe - STOP
    rf"|{_NOT_IN_WORD}(?i:opt(?:{_SPACE}|-)?out|unsubscribe|abmelden|d[ée]sinscription)"
    rf"{_SPACE}*[:=–—-]?{_SPACE}*{_KEYWORD}"
    rf"(?![A-Za-z-])")


def _opt_out(c: Context) -> Iterable[Hit]:
    text = c.fields.get("text", "")
    if not _OPT_OUT.search(text) and _contains(text, c.brand.sms_opt_out) < 0:
        yield "text", f"no opt-out line (“{c.brand.sms_opt_out}”): the law asks for one in every marketing SMS", \
            None, None


def _sender(c: Context) -> Iterable[Hit]:
    names = [n for n in (c.brand.sms_sender, c.brand.name) if n]
    if names and not any(_contains(c.fields.get("text", ""), n) >= 0 for n in names):
        yield "text", f"the SMS does not say who it is from ({' or '.join(names)})", None, None
    if not names:
        yield "text", "the brand kit has no name or SMS sender: people will not know who writes", None, None


def _postal_address(c: Context) -> Iterable[Hit]:
    if not c.brand.address.strip():
        yield "", "the brand kit has no postal address for the email's footer (CAN-SPAM asks for one)", None, None


def _no_subject(c: Context) -> Iterable[Hit]:
    """An email without a subject (its headline, when it was made from the master): many sending
    tools refuse to send it, and an inbox shows "(no subject)".  An empty variant is :func:`_empty`'s."""
    if any(v.strip() for v in c.fields.values()) and not c.rendered.get("subject", "").strip():
        yield "subject", "the email has no subject: many sending tools refuse one without; write a subject", None, None


def _image_no_alt(c: Context) -> Iterable[Hit]:
    """The email's picture with no words for it: the headline is what a client that blocks pictures
    shows in its place and what a screen reader says, and the master has none."""
    if str(c.master.get("image") or "").strip() and not " ".join(str(c.master.get("headline") or "").split()):
        yield "", ("the email's picture has no text for where pictures are blocked or read aloud: it is the "
                   "master's headline, and the master has none; write a headline"), None, None


def _disclaimer(c: Context) -> Iterable[Hit]:
    words = c.brand.disclaimer
    if words and _contains(c.text, words) < 0:
        yield "", f"the required words “{words}” are missing", None, None


def _tokens(c: Context) -> Iterable[Hit]:
    for f, text in c.fields.items():
        for p in tokens.problems(text, c.custom_names):
            yield f, p.message, p.start, p.end


def _unknown_at(c: Context, text: str) -> set[tuple[int, int]]:
    """Where ``text``'s tokens are errors of their own (an unknown name, a custom field the
    workspace does not have, :func:`_tokens`): no other finding is said of them."""
    return {(p.start, p.end) for p in tokens.problems(text, c.custom_names) if p.code == tokens.UNKNOWN_TOKEN}


def _personal_in_broadcast(c: Context) -> Iterable[Hit]:
    for f, text in c.fields.items():
        unknown = _unknown_at(c, text)
        for piece in tokens.parse(text):
            if (isinstance(piece, tokens.Token) and tokens.is_personal(piece.name)
                    and (piece.start, piece.end) not in unknown):
                sees = f"“{piece.fallback}”" if piece.fallback else "nothing"
                yield f, (f"{piece.shown} is one customer's, but {c.label} shows the same "
                          f"words to everyone: each reader sees {sees} in its place"), piece.start, piece.end


def _no_fallback(c: Context) -> Iterable[Hit]:
    for f, text in c.fields.items():
        unknown = _unknown_at(c, text)
        for piece in tokens.parse(text):
            if (not isinstance(piece, tokens.Token) or piece.fallback or not tokens.is_personal(piece.name)
                    or (piece.start, piece.end) in unknown):
                continue
            key = tokens.token_key(piece.name)
            missing = sum(not str(values.get(key) or "").strip() for values in c.samples)
            if missing:
                yield f, (f"{piece.shown} has no fallback and {missing} of {len(c.samples)} sample customers have no "
                          f"value for it: they read nothing there; write {piece.shown[:-1]}|…}}"), piece.start, piece.end


# Where a shared token's value comes from, for the finding that says it is empty.
_SHARED_SOURCE = {"offer_code": "the master has no offer code", "offer_value": "the master has no offer value",
                  "offer_expires": "the master has no end date", "business_name": "the brand kit has no name"}


def _shared_empty(c: Context) -> Iterable[Hit]:
    """A message or brand token (``{offer_code}``, ``{offer_expires}``…) that renders as nothing for
    everyone: the master or the brand kit has no value for it and the token no fallback, so every
    reader gets "with code , until ." (a personal token is :func:`_no_fallback`'s)."""
    shared = shared_values(c.master, c.brand.name)
    for f, text in c.fields.items():
        for piece in tokens.parse(text):
            if not isinstance(piece, tokens.Token) or piece.fallback:
                continue
            key = tokens.token_key(piece.name)
            if key in _SHARED_SOURCE and not str(shared.get(key) or "").strip():
                yield f, (f"{piece.shown} is empty for everyone: {_SHARED_SOURCE[key]}, so every reader of the "
                          f"{c.label} gets nothing there; fill it in, or write {piece.shown[:-1]}|…}} or the words "
                          "themselves"), piece.start, piece.end


def _formula_start(c: Context) -> Iterable[Hit]:
    """A text the send pack's CSV writer must guard: its tool would send the apostrophe it gets."""
    from omnidesk.core.exporting.csvsafe import safe_cell

    for f, template in c.fields.items():
        # Every sample customer's rendering, not only the longest: "{first_name|Hi}, …" starts
        # with "@" for a customer named "@jo" alone.
        for text in (c.rendered.get(f, ""), *(tokens.render(template, values) for values in c.samples)):
            if text and safe_cell(text) != text:
                yield f, (f"starts with {text[0]!r}: the send pack writes it as '{text[:12]}… (every CSV omnidesk "
                          "writes keeps a spreadsheet from running such a cell as a formula), and the "
                          f"{c.label} tool would send that apostrophe; start with a word or a number"), 0, 1
                break


def _empty(c: Context) -> Iterable[Hit]:
    if not any(v.strip() for v in c.fields.values()):
        yield "", f"the {c.label} variant is empty", None, None


RULES: tuple[Rule, ...] = (
    Rule("empty", ERROR, "a variant says something", _empty),
    Rule("token", ERROR, "tokens are known and well formed", _tokens),
    Rule("token_empty", ERROR, "a message or brand token has a value to show", _shared_empty),
    Rule("over_limit", ERROR, "within the channel's length or segment limit", _over_limit, ("sms", *SOCIAL)),
    Rule("offer_code_missing", ERROR, "the master's offer code is there", _offer_code,
         ("email", "sms", *SOCIAL, "store", "website")),
    Rule("link_missing", ERROR, "the master's link is there", _link, ("email", "sms", *SOCIAL, "store", "website")),
    Rule("malformed_link", ERROR, "every link opens", _malformed),
    Rule("expiry_differs", ERROR, "the offer ends when the master says", _expiry),
    Rule("offer_value_differs", ERROR, "the offer is worth what the master says", _offer_value,
         ("email", "sms", *SOCIAL, "store", "website")),
    Rule("banned_word", ERROR, "no banned word", _banned),
    Rule("poster_unprintable", ERROR, "the poster can print every character", _unprintable, ("store",)),
    Rule("poster_no_headline", ERROR, "a poster has a headline", _no_headline, ("store",)),
    Rule("poster_link_too_long", ERROR, "the poster's link fits a QR code", _qr_too_long, ("store",)),
    Rule("poster_logo_unreadable", ERROR, "the brand kit's logo can be drawn", _logo_unreadable, ("store",)),
    Rule("poster_does_not_fit", ERROR, "the poster prints on one page, A4 or Letter", _does_not_fit, ("store",)),
    Rule("sms_opt_out_missing", ERROR, "an SMS says how to stop", _opt_out, ("sms",)),
    Rule("email_no_subject", ERROR, "an email has a subject", _no_subject, ("email",)),
    Rule("postal_address_missing", ERROR, "an email's footer has the postal address", _postal_address, ("email",)),
    Rule("disclaimer_missing", ERROR, "the required words are there", _disclaimer),
    Rule("email_image_no_alt", WARNING, "the email's picture has words for where it is not shown", _image_no_alt,
         ("email",)),
    Rule("cta_missing", WARNING, "the master's call to action is there", _cta),
    Rule("low_contrast", WARNING, "the poster's and the banner's text can be read against its ground", _low_contrast,
         ("store", "website")),
    Rule("poster_reader_fonts", WARNING, "the poster's letters print on every reader", _reader_fonts, ("store",)),
    Rule("poster_qr_dense", WARNING, "the poster's QR code has squares a phone reads surely", _qr_dense, ("store",)),
    Rule("sms_sender_missing", WARNING, "an SMS says who it is from", _sender, ("sms",)),
    Rule("sms_segments", WARNING, "an SMS fits one segment", _sms_segments, ("sms",)),
    Rule("sms_unicode", WARNING, "an SMS is plain GSM-7 text", _sms_unicode, ("sms",)),
    Rule("too_long", WARNING, "subjects, preheaders, headlines and banners read whole", _long,
         ("email", "store", "website")),
    Rule("link_without_utm", WARNING, "links carry campaign tags", _untagged),
    Rule("link_tags_differ", WARNING, "links carry this channel's and this message's campaign tags", _wrong_tags),
    Rule("token_no_fallback", WARNING, "a customer without the value still reads a word", _no_fallback,
         PER_PERSON),
    Rule("formula_start", WARNING, "a text does not start as a spreadsheet formula would", _formula_start,
         ("sms", *SOCIAL)),
    Rule("personal_token", WARNING, "a post, poster or banner names no one customer", _personal_in_broadcast,
         tuple(c for c in VARIANT_CHANNELS if c not in PER_PERSON)),
)
BY_CODE = {r.code: r for r in RULES}


@dataclass(frozen=True)
class Report:
    findings: list[Finding]
    stats: dict[str, dict]
    measured_on: str = ""  # whom a customer's variant is measured on (:func:`sample_words`)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    def as_dict(self) -> dict:
        return {"findings": [f.as_dict() for f in self.findings], "stats": self.stats}


def _sms_size(text: str) -> tuple[int, int, int]:
    """How much a text costs as one SMS: segments first, then its length.

    A septet and a UTF-16 unit are not one size: a shorter text that one name turns UCS-2
    ("Zoë", "Łukasz") can take more segments than a longer one in GSM-7.
    """
    stats = sms.sms_stats(text)
    return stats.segments, stats.length, len(text)


def _size(channel: str | None, f: str, text: str) -> tuple[int, ...]:
    """How long ``text`` is in the field ``f`` of ``channel``'s variant, as that field's limit counts it:
    an SMS in segments, then its length; a post as its network counts; anything else in characters.

    A field measured as an SMS where its limit counts characters let a shorter Arabic rendering
    (UCS-2, more costly as a text) hide a longer Latin one from the length warning."""
    if channel == "sms" and f == "text":
        return _sms_size(text)
    if channel in SOCIAL and f == "text":
        return social.fits([channel], text)[0].length, len(text)
    return (len(text),)


def longest(templates: Mapping[str, str], samples: Sequence[Mapping[str, str | None]],
            channel: str | None = None) -> dict[str, str]:
    """Each field rendered for every sample customer; the longest rendering of each (fallbacks without any).

    Longest as the field's limit counts it (:func:`_size`): an SMS's text by the most segments,
    then the most characters; an email's subject or preheader by its characters.
    """
    out = {}
    for f, template in templates.items():
        renderings = [tokens.render(template, values) for values in (samples or [{}])]
        out[f] = max(renderings, key=lambda text: _size(channel, f, text))
    return out


def channel_values(channel: str, values: Mapping[str, str | None]) -> Mapping[str, str | None]:
    """A customer's values as ``channel``'s variant is filled with them: whole for an email or
    an SMS (one copy per person), without anyone's own values for a post, the poster or the
    banner (one copy for everyone, its personal tokens showing their fallbacks)."""
    return values if channel in PER_PERSON else tokens.without_personal(values)


def sample_values(channel: str, samples: Sequence[Mapping[str, str | None]]) -> list[Mapping[str, str | None]]:
    """Each sample customer's values as ``channel``'s variant is filled with them (:func:`channel_values`)."""
    return [channel_values(channel, values) for values in samples]


# The field a channel's counter measures (:func:`_stats`): the preview of "the longest
# customer" is the one whose rendering of it is longest.
MEASURED = {"sms": "text", **{c: "text" for c in SOCIAL}, "email": "subject", "store": "headline", "website": "text"}


def stats_of(channel: str, shown: Mapping[str, str]) -> dict:
    """The counter's stats of a variant as rendered for one person (``shown``): what the check
    measures on the longest of its sample, measured on the preview."""
    return _stats(channel, shown)


def longest_sample(channel: str, templates: Mapping[str, str],
                   samples: Sequence[Mapping[str, str | None]], *, master: Mapping[str, str] | None = None,
                   business_name: str = "") -> Mapping[str, str | None]:
    """The one sample customer whose rendering of the variant is longest; without any (no customers
    yet), the values everyone shares (the offer of ``master``, ``business_name``), as
    :func:`check_variant` measures it and ``message render`` fills it in.

    Longest in the field the channel's counter measures, then in all fields together, so
    a preview shows every part of the variant for that one person (:func:`longest` takes
    each field's longest on its own, perhaps from different people: right for a limit,
    wrong for a preview).
    """
    samples = sample_values(channel, samples)
    if not samples:
        return shared_values(master, business_name)
    measured = MEASURED.get(channel)

    def size(values: Mapping[str, str | None]) -> tuple:
        shown = {f: tokens.render(t, values) for f, t in templates.items()}
        return (_size(channel, measured, shown.get(measured, "")) if measured else (0,),
                sum(sms.sms_stats(t).length for t in shown.values()))

    return max(samples, key=size)


def check_variant(channel: str, fields: Mapping[str, str], master: Mapping[str, str], brand: Brand, *,
                  samples: Sequence[Mapping[str, str | None]] = (), custom_names: Sequence[str] = (),
                  currency: str | None = None, logo: bytes | None = None,
                  campaign: str = "") -> tuple[list[Finding], dict]:
    """The findings on one variant and its stats (length, limit; segments and encoding for SMS).
    ``currency``: the shop's (money.workspace_currency), which an amount without a sign is in;
    ``logo``: the brand kit's logo as kept (brand.logo), which the poster is laid out with;
    ``campaign``: the utm_campaign of the message's links (derive.campaign_name), which each
    tagged link is compared with ("": not compared).

    A variant published for everyone (a post, the poster, the banner) is measured as it is
    published: its personal tokens show their fallbacks whoever the sample is.
    """
    # The offer and the brand's name are everyone's, sampled customers or none (an empty workspace).
    shared = shared_values(master, brand.name)
    customers = [{**shared, **{k: v for k, v in values.items() if v is not None}}
                 for values in sample_values(channel, samples)]
    samples = customers or [shared]
    written = {f: fields.get(f, "") for f in VARIANT_FIELDS[channel]}
    ctx = Context(channel, written, longest(written, samples, channel), dict(master), brand, custom_names, customers,
                  currency, logo, campaign)
    found, said = [], set()
    for rule in RULES:
        if rule.channels is not None and channel not in rule.channels:
            continue
        for f, message, start, end in rule.find(ctx):
            # Said once per field, where it first stands ("{city}" twice in a post is one warning);
            # in another field it is said again, for the editor to take the user there.
            if (rule.code, f, message) not in said:
                said.add((rule.code, f, message))
                found.append(Finding(channel, rule.severity, rule.code, message, f, start, end))
    return found, _stats(channel, ctx.rendered)


def check_master(master: Mapping[str, str], brand: Brand) -> list[Finding]:
    """The findings on the master's own fields (channel "master"): a link no variant can carry, and
    a banned word in its words (the offer's value reaches every variant through {offer_value})."""
    findings = []
    link = master.get("link", "")
    if link and not links.is_valid_link(link):
        findings.append(Finding("master", ERROR, "malformed_link", links.link_problem(link), "link"))
    for f, words, start, end in _banned_in(master, brand, master):
        findings.append(Finding("master", ERROR, "banned_word", words, f, start, end))
    return findings


def check(message, brand: Brand, *, samples: Sequence[Mapping[str, str | None]] = (),
          custom_names: Sequence[str] = (), currency: str | None = None, logo: bytes | None = None) -> Report:
    """Every variant of ``message`` (a store.MessageData) checked; the master's own link too.
    ``currency``: the shop's, which an amount without a sign is in."""
    findings: list[Finding] = check_master(message.master, brand)
    stats: dict[str, dict] = {}
    for channel in message.channels:
        found, stats[channel] = check_variant(channel, message.variants[channel].fields, message.master, brand,
                                              samples=samples, custom_names=custom_names, currency=currency,
                                              logo=logo, campaign=campaign_name(brand, message.name))
        findings.extend(found)
    return Report(findings, stats)


def sample_words(sampled: int, customers: int) -> str:
    """Whom a customer's variant is measured and previewed on, as many as they are: "the longest
    of your 1 customer", "the longest of your 12 customers", "the longest of 20 sampled customers"
    (taken from more), or "someone with no data: no customers yet"."""
    if sampled <= 0:
        return "someone with no data: no customers yet"
    if sampled >= customers:
        return f"the longest of your {sampled:,} customer{'s' if sampled != 1 else ''}"
    return f"the longest of {sampled:,} sampled customers"


def check_inputs(ws, brand: Brand, *, master: Mapping[str, str] | None = None, sample_size: int = 20,
                 seed: int = 0) -> tuple[list[Mapping[str, str | None]], list[str]]:
    """The sample customers' token values and the custom field names a check measures with.

    Without ``master`` the sample serves every message: each variant's check puts the message's
    own offer over it (:func:`check_variant`), so a list of messages reads the customers once and
    says what each message's check says.
    """
    from omnidesk.core.customers import custom_field_names
    from omnidesk.core.messages.personal import customer_values, sample

    ids = sample(ws, sample_size, seed=seed)
    values = customer_values(ws, ids, master=master, business_name=brand.name)
    return [values[i] for i in ids], custom_field_names(ws)


def check_message(ws, name: str, *, sample_size: int = 20, seed: int = 0) -> Report:
    """Check the saved message ``name`` against the workspace's brand kit, over a sample of its customers."""
    from omnidesk.core.messages.brand import get_brand, logo
    from omnidesk.core.messages.store import get_message
    from omnidesk.core.money import workspace_currency

    message = get_message(ws, name)
    brand = get_brand(ws)
    from omnidesk.core.messages.personal import customer_count

    samples, custom_names = check_inputs(ws, brand, master=message.master, sample_size=sample_size, seed=seed)
    image = logo(ws) if "store" in message.variants else None
    report = check(message, brand, samples=samples, custom_names=custom_names, currency=workspace_currency(ws),
                   logo=image.data if image is not None else None)
    return replace(report, measured_on=sample_words(len(samples), customer_count(ws)))
