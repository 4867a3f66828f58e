"""Turn one raw cell of an imported file into a clean value or a flagged problem.

Every function takes the text exactly as it came out of the file.  Functions
returning ``Normalized`` never raise on bad data: an empty cell gives
``value=None`` with no problem, a non-empty cell that cannot be understood
gives ``value=None`` and a short ``problem`` the user sees next to the row.

Cells holding only a placeholder such as "N/A", "#N/A", "null", "none" or "-"
count as empty for emails, phones, dates, numbers and countries: hand-typed
sheets use them to mean "nothing here", and flagging each one would bury real
problems.  Yes/no and consent cells do not get this treatment, because there
"none" or "-" may be an answer.
"""

from __future__ import annotations

import calendar
import csv
import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

import phonenumbers
from email_validator import EmailNotValidError, validate_email

__all__ = [
    "DateOrder",
    "Normalized",
    "clean_cell",
    "decide_date_order",
    "default_date_order",
    "detect_currency",
    "normalize_country",
    "normalize_email",
    "normalize_name",
    "normalize_phone",
    "normalize_postcode",
    "parse_bool",
    "parse_consent",
    "parse_optout",
    "parse_date",
    "parse_datetime",
    "parse_int",
    "parse_money",
    "split_full_name",
    "split_multi",
    "strip_type_prefix",
]

T = TypeVar("T")


@dataclass(frozen=True)
class Normalized(Generic[T]):
    value: T | None
    problem: str | None = None
    raw: str = ""


def _empty(raw: str) -> Normalized:
    return Normalized(None, None, raw)


def _bad(raw: str, problem: str) -> Normalized:
    return Normalized(None, problem, raw)


# --------------------------------------------------------------------------
# cells
# --------------------------------------------------------------------------

_EDGE_SPACE = re.compile(r"^[\s\u200b\ufeff]+|[\s\u200b\ufeff]+$")
_EDGE_EXTRA = "\u200b\ufeff"  # trimmed like spaces, though str.isspace() says they are not
# The apostrophe spreadsheets put in front of a value to keep it as text.  It is
# only removed before characters a spreadsheet would otherwise reinterpret
# (digits, signs, formulas), so names such as "'t Hooft" keep theirs.
_GUARD = re.compile(r"^'(?=[\d+\-=@(#.])")
_PLACEHOLDERS = frozenset({"n/a", "#n/a", "null", "nil", "none", "-", "--", "---", "—", "–"})


def clean_cell(raw: str) -> str:
    """Trim whitespace (including no-break and zero-width spaces), drop a
    leading spreadsheet guard apostrophe before a number or formula-like
    value, and turn CR LF or lone CR line breaks inside the cell into LF."""
    if not raw:
        return ""
    first, last = raw[0], raw[-1]
    if not (first.isspace() or last.isspace() or first in _EDGE_EXTRA or last in _EDGE_EXTRA
            or first == "'" or "\r" in raw):
        return raw  # the usual cell: nothing to trim or convert
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    text = _EDGE_SPACE.sub("", text)
    if text.startswith("'"):
        text = _EDGE_SPACE.sub("", _GUARD.sub("", text, count=1))
    return text


def _is_placeholder(text: str) -> bool:
    return text.casefold() in _PLACEHOLDERS


_TYPE_PREFIX = re.compile(r"^(?:p|z|l|ag|as|c|f):")


def strip_type_prefix(raw: str) -> str:
    """Remove a Meta lead-ads type prefix ("p:", "z:", "l:", "ag:", "as:",
    "c:", "f:") from the start of the value; anything else is returned
    trimmed but otherwise unchanged."""
    text = raw.strip()
    return _TYPE_PREFIX.sub("", text, count=1).lstrip()


# --------------------------------------------------------------------------
# email and phone
# --------------------------------------------------------------------------

_ANGLE = re.compile(r"<([^<>]*)>")
_SEVERAL_EMAILS = re.compile(r"@[^@]*[,;\s][^@]*@")


def normalize_email(raw: str) -> Normalized[str]:
    """Return the address lower-cased and syntax-checked (no DNS lookup).

    Accepts "mailto:" links and "Name <address>" forms.  Invalid addresses
    give a problem such as "not a valid email: missing @".
    """
    text = clean_cell(raw)
    if not text or _is_placeholder(text):
        return _empty(raw)
    m = _ANGLE.search(text)
    if m:
        text = m.group(1).strip()
    text = text.strip("\"'").strip()
    if text[:7].lower() == "mailto:":
        text = text[7:].split("?", 1)[0].strip()
    text = text.rstrip(";,").lower()
    if not text:
        return _bad(raw, "not a valid email: nothing left after removing decoration")
    if "@" not in text:
        return _bad(raw, "not a valid email: missing @")
    if _SEVERAL_EMAILS.search(text):
        return _bad(raw, "not a valid email: holds more than one address")
    if text.count("@") > 1:
        return _bad(raw, "not a valid email: more than one @")
    if _plain_email(text):
        return Normalized(text, None, raw)
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as e:
        return _bad(raw, "not a valid email: " + _short_reason(str(e)))
    return Normalized(result.normalized.lower(), None, raw)


# The everyday shape of an address (ASCII dot-atoms, a dotted domain with an all-letter
# TLD).  It is a strict subset of what email-validator accepts (which refuses a TLD ending
# in a digit, "a@b.com0"), so such addresses skip its much slower full parse: an import
# of a million rows spends most of its time here.  Anything else takes the full parse.
_PLAIN_EMAIL = re.compile(
    r"[a-z0-9_%+\-]+(?:\.[a-z0-9_%+\-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)
_RESERVED_TLDS = frozenset({"arpa", "invalid", "local", "localhost", "onion", "test"})


def _plain_email(text: str) -> bool:
    if len(text) > 254 or not _PLAIN_EMAIL.fullmatch(text):
        return False
    local, _, domain = text.partition("@")
    # "ab--c" labels are reserved for Punycode, which has rules of its own: the full parse decides.
    return len(local) <= 64 and "--" not in domain and domain.rsplit(".", 1)[-1] not in _RESERVED_TLDS


def _short_reason(message: str) -> str:
    message = message.strip().rstrip(".")
    return message[:1].lower() + message[1:]


def normalize_phone(raw: str, region: str = "US") -> Normalized[str]:
    """Return the number in E.164 form ("+14155550100").

    Numbers without a country code are read as numbers of ``region``; a
    leading "00" is taken as the international prefix.  Extensions are
    dropped.  A number written with its country code is accepted when it has
    a possible length for that country, including ranges that are not
    assigned, such as the drama ranges used in demo data.  A number written
    without one must be a valid number of ``region``: "030 7654321" is a Berlin
    number whose country code was left off, not the US number +1 030-765-4321,
    and "1111111111" is nobody's.  Local-only numbers (no area code) are not
    accepted, since they cannot be dialled from elsewhere.
    """
    text = clean_cell(strip_type_prefix(clean_cell(raw)))
    if not text or _is_placeholder(text):
        return _empty(raw)
    region = region.upper()
    fast = _nanp_fast(text, region)
    if fast is not None:
        return Normalized(fast, None, raw)
    compact = re.sub(r"[\s().\-/]", "", text)
    if compact.startswith("00"):
        text = "+" + text.lstrip()[2:].lstrip()
    international = text.startswith("+")
    where = "" if international else f" for region {region}"
    try:
        number = phonenumbers.parse(text, None if international else region)
    except phonenumbers.NumberParseException:
        return _bad(raw, f"not a valid phone number{where}")
    if phonenumbers.is_possible_number_with_reason(number) != phonenumbers.ValidationResult.IS_POSSIBLE:
        return _bad(raw, f"not a valid phone number{where}")
    if not international and not phonenumbers.is_valid_number(number):
        return _bad(raw, f"not a valid phone number{where} (add the country code if it is from abroad)")
    return Normalized(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), None, raw)


_NANP_TEXT = re.compile(r"\+?[\d\s().\-/]+")
_NANP_REGIONS = frozenset({"US", "CA"})


def _nanp_fast(text: str, region: str) -> str | None:
    """E.164 for a plain North American number, without the full phonenumbers parse.

    Only the unambiguous shape is handled: ten digits (or 1 + ten) whose area
    code and exchange start with 2-9, written with digits and separators
    only.  Anything else (extensions, letters, other countries) returns None
    and goes through phonenumbers, which gives the same answer for these.
    """
    if not _NANP_TEXT.fullmatch(text):
        return None
    international = text.lstrip().startswith("+")
    if not international and region not in _NANP_REGIONS:
        return None
    digits = re.sub(r"\D", "", text)
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    elif international or len(digits) != 10:
        return None
    if digits[0] in "01" or digits[3] in "01":
        return None
    if not international and not _nanp_assigned(digits[:6]):
        return None  # an unassigned area code: phonenumbers says why
    return "+1" + digits


@functools.lru_cache(maxsize=65_536)
def _nanp_assigned(area_and_exchange: str) -> bool:
    """Whether a North American area code and exchange are in use (as phonenumbers knows it)."""
    return phonenumbers.is_valid_number(phonenumbers.parse(f"+1{area_and_exchange}0123", None))


# --------------------------------------------------------------------------
# names
# --------------------------------------------------------------------------

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


def normalize_name(raw: str) -> str:
    """Trim and collapse spaces; re-case only text typed all upper or all
    lower case ("JOHN O'NEIL" -> "John O'Neil", "jan van der berg" ->
    "Jan van der Berg").  Mixed case is kept exactly as typed."""
    text = " ".join(clean_cell(raw).split())
    if not text:
        return ""
    has_cased = any(ch.isupper() or ch.islower() for ch in text)
    if not has_cased or not (text.isupper() or text.islower()):
        return text
    return " ".join(_recase_word(w, i == 0) for i, w in enumerate(text.split(" ")))


def _bare(token: str) -> str:
    return token.rstrip(".,").lower()


def split_full_name(raw: str) -> tuple[str, str]:
    """Split a full name into (first, last).

    The name is first passed through ``normalize_name``.  "Last, First" is
    recognised by its comma; honorifics (Mr, Mrs, Ms, Miss, Dr, Prof, Mx) are
    dropped, as are middle names and initials; suffixes (Jr, Sr, II, III, IV)
    stay with the last name, and so do particles ("van der Berg").  A single
    word is returned as the first name.
    """
    text = normalize_name(raw)
    if not text:
        return "", ""
    if "," in text:
        before, after = (part.strip() for part in text.split(",", 1))
        after_tokens = after.split()
        if after_tokens and all(_bare(t) in _SUFFIXES for t in after_tokens):
            text = f"{before} {after}"
        elif before and after:
            last_tokens = before.split()
            first_tokens = [t for t in after_tokens if _bare(t) not in _HONORIFICS] or after_tokens
            suffix = [t for t in first_tokens[1:] if _bare(t) in _SUFFIXES]
            last = " ".join(last_tokens + suffix)
            return first_tokens[0], last
        else:
            text = before or after
    tokens = text.split()
    titled = False
    while len(tokens) > 1 and _bare(tokens[0]) in _HONORIFICS:
        tokens.pop(0)
        titled = True
    suffix: list[str] = []
    while len(tokens) > 2 and _bare(tokens[-1]) in _SUFFIXES:
        suffix.insert(0, tokens.pop())
    if len(tokens) == 1:
        # "Mr Smith": a title is used with the family name.
        return ("", tokens[0]) if titled else (tokens[0], " ".join(suffix))
    start = len(tokens) - 1
    while start > 1 and tokens[start - 1].lower() in _PARTICLES:
        start -= 1
    return tokens[0], " ".join(tokens[start:] + suffix)


# --------------------------------------------------------------------------
# yes/no and consent
# --------------------------------------------------------------------------

_TRUE = frozenset(
    {"yes", "y", "true", "t", "1", "x", "on", "checked", "✓", "✔", "oui", "ja", "si", "sí", "sim", "da"}
)
_FALSE = frozenset({"no", "n", "false", "f", "0", "off", "unchecked", "non", "nein", "nee", "não", "nao", "nej"})


def _key(text: str) -> str:
    return " ".join(text.casefold().replace("_", " ").replace("-", " ").split())


def parse_bool(raw: object) -> Normalized[bool]:
    """Read a yes/no cell (yes/no, true/false, 1/0, y/n, x, oui/non,
    ja/nein, ...); ``bool`` and ``int`` 0/1 are accepted as they are."""
    if isinstance(raw, bool):
        return Normalized(raw, None, str(raw))
    if isinstance(raw, int) and raw in (0, 1):
        return Normalized(bool(raw), None, str(raw))
    text = clean_cell(str(raw) if raw is not None else "")
    if not text:
        return _empty(str(raw or ""))
    key = _key(text)
    if key in _TRUE:
        return Normalized(True, None, str(raw))
    if key in _FALSE:
        return Normalized(False, None, str(raw))
    return _bad(str(raw), f"not a yes/no value: {text[:30]}")


GRANTED, DENIED, UNSUBSCRIBED, CLEANED, PENDING = "granted", "denied", "unsubscribed", "cleaned", "pending"

_CONSENT: dict[str, str] = {
    **dict.fromkeys(
        "yes y true t 1 x subscribed subscriber optin granted consented confirmed accepted".split(), GRANTED
    ),
    **dict.fromkeys(["opted in", "opt in", "single opt in", "double opt in", "accepts marketing"], GRANTED),
    **dict.fromkeys("no n false f 0 nonsubscribed denied declined transactional".split(), DENIED),
    **dict.fromkeys(["never subscribed", "not subscribed", "non subscribed", "no consent"], DENIED),
    # Klaviyo "suppressed" covers unsubscribes, bounces, spam reports and manual
    # blocks: the one safe reading is "do not send".
    **dict.fromkeys("unsubscribed optout unsubscribe withdrawn revoked suppressed".split(), UNSUBSCRIBED),
    **dict.fromkeys(["opted out", "opt out"], UNSUBSCRIBED),
    **dict.fromkeys(["cleaned", "bounced", "invalid", "hard bounce"], CLEANED),
    **dict.fromkeys(["pending", "unconfirmed", "awaiting confirmation"], PENDING),
}


def parse_consent(raw: str) -> Normalized[str]:
    """Read a marketing-consent cell into "granted", "denied",
    "unsubscribed", "cleaned" (address bounced or invalid) or "pending".

    Understands yes/no style values (Shopify "yes"/"no"), Klaviyo
    ("SUBSCRIBED", "NEVER SUBSCRIBED", "UNSUBSCRIBED", "SUPPRESSED"),
    Mailchimp ("subscribed", "unsubscribed", "cleaned", "pending") and
    "opted in"/"opted out".
    """
    text = clean_cell(raw)
    if not text:
        return _empty(raw)
    state = _CONSENT.get(_key(text))
    if state is None:
        return _bad(raw, f"not a consent value: {text[:30]}")
    return Normalized(state, None, raw)


# Cells of an opt-out column that say nothing is wrong.  HubSpot's "Marketing contact
# status" says "Marketing contact" (a billing setting, not consent) or "Non-marketing
# contact"; a bounce-reason column is empty or "none" when nothing bounced.
_OPTOUT_NOT_SET = _FALSE | frozenset(
    {"none", "n/a", "na", "-", "marketing contact", "subscribed", "opted in", "opt in", "not bounced"}
)
_OPTOUT_VALUES = {"non marketing contact": DENIED, **dict.fromkeys(
    ["bounced", "hard bounce", "hard bounced", "cleaned", "invalid", "undeliverable"], CLEANED)}


def parse_optout(raw: str, when_set: str) -> Normalized[str]:
    """Read a cell of a "do not send" column (Do not email, Do not contact, Bounced,
    HasOptedOutOfEmail, Email hard bounce reason, Marketing contact status, ...).

    Returns the consent status the cell stands for, or None when it says nothing
    is wrong (empty, "no", "false", "0", "none").  Any other value means the
    flag is set (``when_set``): "yes", "true", a date, a bounce reason.  A cell
    that says more keeps its meaning: "bounced" is "cleaned", HubSpot's
    "Non-marketing contact" is "denied".  Never a problem: an opt-out column that
    cannot be read as "nothing wrong" is, safely, an opt-out.
    """
    text = clean_cell(raw)
    if not text:
        return _empty(raw)
    key = _key(text)
    if not key or key in _OPTOUT_NOT_SET:
        return Normalized(None, None, raw)
    return Normalized(_OPTOUT_VALUES.get(key, when_set), None, raw)


# --------------------------------------------------------------------------
# numbers and money
# --------------------------------------------------------------------------

_GROUP_CHARS = " \u00a0\u202f'\u2019"
_MINUS = "-\u2212\u2013"
_SYMBOLS = "$€£¥₹₩₽¢₺₪₫฿₱₦₴"
# A currency at either end: a symbol (optionally after letters, as in "US$"),
# a three-letter code, or one of the few short local abbreviations.
_CUR = rf"(?:[A-Za-z]{{0,3}}[{_SYMBOLS}]|[A-Za-z]{{3}}|(?i:kr|fr|rs|zł|kč|ft|lei|r)\.?)"
_MONEY = re.compile(
    rf"^(?P<s1>[{_MINUS}+])?\s*(?P<c1>{_CUR})?\s*(?P<s2>[{_MINUS}+])?\s*"
    rf"(?P<num>\d(?:[\d.,{_GROUP_CHARS}]*\d)?|[.,]\d+)"
    rf"\s*(?P<s3>[{_MINUS}])?\s*(?P<c2>{_CUR})?\s*(?P<s4>[{_MINUS}])?$"
)
_GROUPED = re.compile(rf"\d{{1,3}}(?:[.,{_GROUP_CHARS}]\d{{3}})*")


def _number(text: str) -> Decimal | None:
    """Parse the digits-and-separators core of an amount, or return None.

    With both "." and "," present the last one is the decimal separator.
    One separator used several times is a thousands separator.  A single
    separator followed by exactly three digits is a thousands separator too
    ("1,234" and "1.234" are both 1234), unless what precedes it cannot be a
    first group of thousands (a lone 0, four or more digits, or digits
    already grouped by spaces): then it is the decimal separator.  Any other
    single separator is the decimal separator ("12,50", "1.5").  Everything
    left of the decimal separator must be plain digits or digits grouped by
    threes with one kind of separator.
    """
    last = max(text.rfind("."), text.rfind(","))
    int_part, frac = text, ""
    if last != -1:
        sep = text[last]
        before, after = text[:last], text[last + 1 :]
        other = "," if sep == "." else "."
        if sep in before:
            pass  # the same separator repeats: grouping, no fraction
        elif other in before:
            int_part, frac = before, after
        elif len(after) == 3 and before.isdigit() and len(before) <= 3 and before != "0":
            pass  # "1,234": one thousands separator
        else:
            int_part, frac = before, after
    int_part = int_part or "0"
    if not (int_part.isdigit() or _GROUPED.fullmatch(int_part)):
        return None
    if len({ch for ch in int_part if not ch.isdigit()}) > 1:
        return None
    if frac and not frac.isdigit():
        return None
    digits = "".join(ch for ch in int_part if ch.isdigit())
    try:
        return Decimal(f"{digits}.{frac}" if frac else digits)
    except InvalidOperation:
        return None


def parse_money(raw: str) -> Normalized[Decimal]:
    """Read an amount such as "$1,234.56", "1.234,56 €", "1 234,56",
    "12,50", "-5.00", "(5.00)", "EUR 12.00" or "£3" into an exact Decimal
    (no rounding; see ``_number`` for how the decimal separator is chosen).
    A currency symbol or code at either end is ignored; use
    ``detect_currency`` to read it."""
    text = clean_cell(raw)
    if not text or _is_placeholder(text):
        return _empty(raw)
    problem = f"not an amount: {text[:30]}"
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative = True
        text = text[1:-1].strip()
    m = _MONEY.match(text)
    if not m:
        return _bad(raw, problem)
    signs = [m.group(g) for g in ("s1", "s2", "s3", "s4") if m.group(g)]
    if len(signs) > 1 or (m.group("c1") and m.group("c2")):
        return _bad(raw, problem)
    if signs and signs[0] != "+":
        negative = True
    value = _number(m.group("num"))
    if value is None:
        return _bad(raw, problem)
    return Normalized(-value if negative else value, None, raw)


def parse_int(raw: object) -> Normalized[int]:
    """Read a whole number: "12", "-3", "1,234", "1.234" (grouped by
    threes), "12.0" or "12,00" (a spreadsheet's float).  A fraction such as
    "1.5" is a problem."""
    if isinstance(raw, bool):
        return _bad(str(raw), "not a whole number")
    if isinstance(raw, int):
        return Normalized(raw, None, str(raw))
    raw_text = "" if raw is None else str(raw)
    text = clean_cell(raw_text)
    if not text or _is_placeholder(text):
        return _empty(raw_text)
    negative = text[0] in _MINUS
    body = text[1:].strip() if text[0] in _MINUS + "+" else text
    value = _number(body) if body and body[0].isdigit() else None
    if value is None:
        return _bad(raw_text, f"not a whole number: {text[:30]}")
    if value != value.to_integral_value():
        return _bad(raw_text, f"not a whole number: {text[:30]}")
    number = int(value)
    return Normalized(-number if negative else number, None, raw_text)


_CURRENCY_SYMBOLS = {
    "US$": "USD",
    "CA$": "CAD",
    "C$": "CAD",
    "AU$": "AUD",
    "A$": "AUD",
    "NZ$": "NZD",
    "HK$": "HKD",
    "S$": "SGD",
    "R$": "BRL",
    "MX$": "MXN",
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "₹": "INR",
    "₩": "KRW",
    "₽": "RUB",
    "₺": "TRY",
    "₪": "ILS",
    "₫": "VND",
    "฿": "THB",
    "₱": "PHP",
    "₦": "NGN",
    "₴": "UAH",
    "zł": "PLN",
    "kč": "CZK",
    "fr.": "CHF",
}
_ISO_CURRENCIES = frozenset(
    "USD EUR GBP CAD AUD NZD CHF JPY CNY HKD SGD INR BRL MXN ZAR SEK NOK DKK PLN CZK HUF RON BGN "
    "TRY ILS AED SAR KRW TWD THB PHP IDR MYR VND NGN KES EGP MAD UAH RUB ISK ARS CLP COP PEN".split()
)


def detect_currency(raw: str) -> str | None:
    """Return the ISO 4217 code named by a symbol or code in the cell
    ("€" -> "EUR", "£" -> "GBP", "$" -> "USD", "CA$" -> "CAD",
    "eur 12" -> "EUR"), or None when there is none.  "kr" is left None:
    it is shared by several currencies."""
    text = clean_cell(raw)
    if not text:
        return None
    for code in re.findall(r"[A-Za-z]{3}", text):
        if code.upper() in _ISO_CURRENCIES and re.search(rf"(?<![A-Za-z]){code}(?![A-Za-z])", text):
            return code.upper()
    low = text.lower()
    for symbol, code in _CURRENCY_SYMBOLS.items():
        if symbol.lower() in low:
            return code
    return None


# --------------------------------------------------------------------------
# dates and times
# --------------------------------------------------------------------------


class DateOrder(str, Enum):
    DMY = "DMY"
    MDY = "MDY"
    YMD = "YMD"
    # Not an order: the column holds both day-first and month-first dates.  Each
    # date is read the only way it can be; one that could be either (03/04/2024)
    # is a problem, not a guess.
    MIXED = "MIXED"


_MDY_REGIONS = frozenset({"US", "CA", "PH", "PR", "GU", "VI", "AS", "MP", "UM", "FM", "MH", "PW"})
_YMD_REGIONS = frozenset({"CN", "JP", "KR", "TW", "HU", "LT", "MN"})


def default_date_order(region: str) -> DateOrder:
    """The usual order of numeric dates in ``region`` (an ISO country code,
    or a locale such as "en_US"): MDY for the US, Canada, the Philippines
    and US territories, YMD for East Asia, Hungary and Lithuania, DMY
    elsewhere."""
    code = re.split(r"[_\-]", region.strip())[-1].upper() if region else ""
    if code in _MDY_REGIONS:
        return DateOrder.MDY
    if code in _YMD_REGIONS:
        return DateOrder.YMD
    return DateOrder.DMY


_NUMERIC_DATE = re.compile(r"^(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})(?=$|[\sT,])")


class DateEvidence:
    """What a date column's values say about its day/month order, counted one
    value at a time so a column of any length takes the same little memory.

    A first part above 12 proves day-first, a second part above 12 proves
    month-first, and a four-digit first part means year-first.  Dates whose
    two first parts are both 12 or less (and differ) could be either.  One
    example of each kind is kept for messages.
    """

    __slots__ = ("day_first", "month_first", "year_first", "ambiguous",
                 "day_first_example", "month_first_example", "ambiguous_example")

    def __init__(self) -> None:
        self.day_first = self.month_first = self.year_first = self.ambiguous = 0
        self.day_first_example: str | None = None
        self.month_first_example: str | None = None
        self.ambiguous_example: str | None = None

    def add(self, value: str) -> None:
        text = clean_cell(value or "")
        m = _NUMERIC_DATE.match(text)
        if not m:
            return
        a, b, c = m.groups()
        if len(a) == 4:
            self.year_first += 1
            return
        if len(c) not in (2, 4):
            return
        x, y = int(a), int(b)
        if x > 12 and 1 <= y <= 12:
            self.day_first += 1
            self.day_first_example = self.day_first_example or m.group(0)
        elif y > 12 and 1 <= x <= 12:
            self.month_first += 1
            self.month_first_example = self.month_first_example or m.group(0)
        elif 1 <= x <= 12 and 1 <= y <= 12 and x != y:
            self.ambiguous += 1
            self.ambiguous_example = self.ambiguous_example or m.group(0)

    @property
    def conflicting(self) -> bool:
        """Both day-first and month-first dates: no more values can settle it."""
        return bool(self.day_first and self.month_first)

    @property
    def decided(self) -> bool:
        """The values prove one order (and do not contradict each other)."""
        if self.conflicting:
            return False
        return bool(self.day_first or self.month_first or self.year_first)

    def order(self, region: str) -> DateOrder:
        """The one order to read the column in: the proven one, else the region's."""
        if self.conflicting:
            return default_date_order(region)
        if self.day_first:
            return DateOrder.DMY
        if self.month_first:
            return DateOrder.MDY
        if self.year_first:
            return DateOrder.YMD
        return default_date_order(region)

    def column_order(self, region: str) -> DateOrder:
        """Like ``order``, but MIXED for a column with both day-first and month-first dates."""
        return DateOrder.MIXED if self.conflicting else self.order(region)


def decide_date_order(samples: Iterable[str], region: str) -> tuple[DateOrder, bool]:
    """Decide the date order of a column from its values.

    A first part above 12 proves DMY, a second part above 12 proves MDY, and
    a four-digit first part means YMD.  Returns (order, decided) where
    ``decided`` is False when the values gave no evidence or contradicted
    each other and the region's default was used.  (The import reads a
    contradicting column as ``DateOrder.MIXED`` instead; see ``DateEvidence``.)
    """
    evidence = DateEvidence()
    for sample in samples:
        evidence.add(sample)
    return evidence.order(region), evidence.decided


_MONTHS: dict[str, int] = {}
for _month, _names in enumerate(
    (
        "january jan janvier janv januar enero ene",
        "february feb février fév fevrier fev févr februar febrero",
        "march mar mars märz mär marzo",
        "april apr avril avr abril abr",
        "may mai mayo",
        "june jun juin juni junio",
        "july jul juillet juil juli julio",
        "august aug août aout ago agosto",
        "september sep sept septembre septiembre set",
        "october oct octobre oktober okt octubre",
        "november nov novembre noviembre",
        "december dec décembre déc decembre dezember dez diciembre dic",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS[unicodedata.normalize("NFC", _name)] = _month
_WEEKDAYS = frozenset(
    "monday mon tuesday tue tues wednesday wed thursday thu thur thurs friday fri saturday sat sunday sun".split()
)

# Outlook writes these when a date field is empty.
_NULL_DATES = frozenset(
    {"0/0/00", "0/0/0000", "00/00/0000", "00/00/00", "1/1/1601", "01/01/1601", "1601-01-01", "0000-00-00"}
)


def _full_year(text: str) -> int:
    year = int(text)
    if len(text) <= 2:
        pivot = date.today().year % 100
        century = (date.today().year // 100) * 100
        year = century + year if year <= pivot else century - 100 + year
    return year


def _parse_date_parts(text: str, order: DateOrder) -> tuple[int | None, int, int] | str | None:
    """Return (year or None, month, day), "null" for an empty-date marker,
    or None when the text is not a date at all.  Does not check the
    calendar."""
    if text in _NULL_DATES:
        return "null"
    m = re.fullmatch(r"--(\d{2})-?(\d{2})", text)
    if m:
        return None, int(m.group(1)), int(m.group(2))
    m = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", text)
    if m:
        return int(m.group(1)), int(m.group(2)), int(m.group(3))
    m = re.fullmatch(r"((?:19|20)\d{2})(\d{2})(\d{2})", text)
    if m:
        return int(m.group(1)), int(m.group(2)), int(m.group(3))
    m = re.fullmatch(r"(\d{2})[/.\-](\d{1,2})[/.\-](\d{1,2})", text)
    if m and order == DateOrder.YMD:
        return _full_year(m.group(1)), int(m.group(2)), int(m.group(3))
    m = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})", text)
    if m:
        a, b, y = m.groups()
        x, z = int(a), int(b)
        if order in (DateOrder.YMD, DateOrder.MIXED):
            # A year at the end cannot be year-first, and a mixed column has no
            # one order: let the values decide (MIXED's ambiguous dates never get here).
            order = DateOrder.MDY if z > 12 else DateOrder.DMY
        day, month = (x, z) if order == DateOrder.DMY else (z, x)
        return _full_year(y), month, day
    return _parse_text_month(text)


def _parse_text_month(text: str) -> tuple[int | None, int, int] | None:
    tokens = [t for t in re.split(r"[\s,/\-.]+", unicodedata.normalize("NFC", text.casefold())) if t]
    tokens = [t for t in tokens if t not in _WEEKDAYS and t not in ("de", "of", "the")]
    months = [t for t in tokens if t in _MONTHS]
    if len(months) != 1:
        return None
    numbers = []
    for t in tokens:
        if t in _MONTHS:
            continue
        m = re.fullmatch(r"(\d{1,4})(?:st|nd|rd|th|er|e)?", t)
        if not m:
            return None
        numbers.append(m.group(1))
    month = _MONTHS[months[0]]
    if len(numbers) == 1:
        if len(numbers[0]) > 2:
            return None
        return None, month, int(numbers[0])
    if len(numbers) != 2:
        return None
    first, second = numbers
    if len(first) == 4 or (len(second) <= 2 and int(first) > 31):
        year_text, day_text = first, second
    else:
        day_text, year_text = first, second
    if len(day_text) > 2:
        return None
    return _full_year(year_text), month, int(day_text)


def _date_from_parts(parts: tuple[int | None, int, int]) -> str | None:
    year, month, day = parts
    try:
        if year is None:
            date(2000, month, day)  # a leap year, so --02-29 is allowed
            return f"--{month:02d}-{day:02d}"
        return date(year, month, day).isoformat()
    except ValueError:
        return None


_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")
_DAY_AND_MONTH = re.compile(r"(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](?:\d{2}|\d{4}))?")


def _either_way(date_text: str, text: str) -> str | None:
    """The problem of a date in a MIXED column that reads differently day-first
    and month-first, or None when it can be read only one way."""
    m = _DAY_AND_MONTH.fullmatch(date_text.strip().rstrip(","))
    if not m:
        return None
    x, y = int(m.group(1)), int(m.group(2))
    if x == y or not (1 <= x <= 12 and 1 <= y <= 12):
        return None
    return (f"{text[:30]} could be {x} {_MONTH_NAMES[y - 1]} or {y} {_MONTH_NAMES[x - 1]} "
            "(the column has both day-first and month-first dates)")


# Mailchimp's birthday merge field and many tills write a birthday as "MM/DD" (or "DD.MM").
_YEARLESS = re.compile(r"(\d{1,2})[/.](\d{1,2})")


def _parse_yearless(raw: str, a: int, b: int, order: DateOrder) -> Normalized[str]:
    month, day = (b, a) if order == DateOrder.DMY else (a, b)
    if month > 12 >= day:
        month, day = day, month
    if not (1 <= month <= 12 and 1 <= day <= calendar.monthrange(2000, month)[1]):
        return _bad(raw, f"not a real calendar date: {raw.strip()[:30]}")
    return Normalized(f"--{month:02d}-{day:02d}", None, raw)


def parse_date(raw: str, order: DateOrder) -> Normalized[str]:
    """Read a date into ISO "YYYY-MM-DD".

    Numeric dates are read in ``order`` (four-digit-year-first dates are
    always year-first); month names in English, French, German and Spanish
    are understood ("March 7, 1990", "7 Mar 1990").  A date without a year
    ("--03-07" from Google, "March 7") gives "--MM-DD".  Two-digit years up
    to this year's last two digits are 20yy, later ones 19yy.  Outlook's
    empty-date markers ("0/0/00", "1/1/1601") are empty, not problems.  A
    time after the date is ignored.  With ``DateOrder.MIXED`` each date is
    read the only way it can be, and one that reads differently day-first and
    month-first ("03/04/2024") is a problem with no value.
    """
    text = clean_cell(raw)
    if not text or _is_placeholder(text):
        return _empty(raw)
    date_text = _split_time(text)[0] if _TIME.search(text) else text
    if order == DateOrder.MIXED:
        either = _either_way(date_text, text)
        if either:
            return _bad(raw, either)
    yearless = _YEARLESS.fullmatch(date_text.strip())
    if yearless:
        return _parse_yearless(raw, int(yearless.group(1)), int(yearless.group(2)), order)
    parts = _parse_date_parts(date_text.strip().rstrip(","), order)
    if parts == "null":
        return _empty(raw)
    if parts is None or isinstance(parts, str):
        return _bad(raw, f"not a recognisable date: {text[:30]}")
    iso = _date_from_parts(parts)
    if iso is None:
        return _bad(raw, f"not a real calendar date: {text[:30]}")
    return Normalized(iso, None, raw)


_TIME = re.compile(
    r"(?:^|(?<=[\sT,]))(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(?:\s*([AaPp])\.?\s*[Mm]\.?)?(?=$|[\s+\-Zz]|[A-Za-z])"
)
_TZ_ABBREVIATIONS = {
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
    "AKST": -9, "AKDT": -8, "HST": -10, "WET": 0, "WEST": 1, "BST": 1, "CET": 1, "CEST": 2,
    "EET": 2, "EEST": 3,
}  # fmt: skip


def _split_time(text: str) -> tuple[str, re.Match[str] | None, str]:
    m = _TIME.search(text)
    if not m:
        return text, None, ""
    before = text[: m.start()].rstrip()
    before = re.sub(r"(?:[T,]|\bat)$", "", before).rstrip()
    return before, m, text[m.end() :].strip()


def _zone(text: str) -> timezone | ZoneInfo | None | str:
    """Return a tzinfo for the text after the time, None for no zone, or an
    error message."""
    text = text.strip().strip("()").strip()
    if not text:
        return None
    upper = text.upper()
    if upper in ("Z", "UTC", "GMT", "UT"):
        return timezone.utc
    m = re.fullmatch(r"(?:UTC|GMT)?\s*([+\-\u2212])(\d{1,2})(?::?(\d{2}))?", upper)
    if m:
        sign = -1 if m.group(1) in "-\u2212" else 1
        hours, minutes = int(m.group(2)), int(m.group(3) or 0)
        if hours > 14 or minutes > 59:
            return "not a valid time zone offset"
        return timezone(sign * timedelta(hours=hours, minutes=minutes))
    if upper in _TZ_ABBREVIATIONS:
        return timezone(timedelta(hours=_TZ_ABBREVIATIONS[upper]))
    if "/" in text:
        try:
            return ZoneInfo(text)
        except (ValueError, KeyError, OSError):  # ZoneInfoNotFoundError is a KeyError
            pass
    return f"unknown time zone: {text[:30]}"


def parse_datetime(raw: str, order: DateOrder, default_tz: str | None = None) -> Normalized[str]:
    """Read a date and time into ISO 8601.

    Gives "YYYY-MM-DDTHH:MM:SS+HH:MM" when the cell names an offset or zone
    ("2024-03-01 10:22:11 -0500", "...T10:22:11+0000", "Z", "UTC", "EST",
    "Europe/Paris"), or when ``default_tz`` (an IANA zone name) is given for
    cells without one; otherwise naive "YYYY-MM-DDTHH:MM:SS".  Epoch seconds
    or milliseconds (9-10 or 12-13 digits) become UTC.  12-hour times with
    AM/PM are understood.  Fractions of a second are dropped.  A cell with a
    date and no time gives the bare date "YYYY-MM-DD", not localized: a day
    is not an instant.
    """
    text = clean_cell(raw)
    if not text or _is_placeholder(text):
        return _empty(raw)
    if re.fullmatch(r"\d{9,10}|\d{12,13}", text):
        seconds = int(text) / (1000 if len(text) > 10 else 1)
        moment = datetime.fromtimestamp(seconds, tz=timezone.utc).replace(microsecond=0)
        return Normalized(moment.isoformat(), None, raw)
    date_text, tm, rest = _split_time(text)
    if tm is None:
        day = parse_date(text, order)
        if day.value is not None and day.value.startswith("--"):
            return _bad(raw, f"date has no year: {text[:30]}")
        return Normalized(day.value, day.problem, raw)
    if order == DateOrder.MIXED:
        either = _either_way(date_text, text)
        if either:
            return _bad(raw, either)
    parts = _parse_date_parts(date_text.strip().rstrip(","), order)
    if parts == "null":
        return _empty(raw)
    if parts is None or isinstance(parts, str):
        return _bad(raw, f"not a recognisable date and time: {text[:30]}")
    iso_date = _date_from_parts(parts)
    if iso_date is None:
        return _bad(raw, f"not a real calendar date: {text[:30]}")
    if iso_date.startswith("--"):
        return _bad(raw, f"date has no year: {text[:30]}")
    hour, minute = int(tm.group(1)), int(tm.group(2))
    second = int(tm.group(3) or 0)
    meridiem = (tm.group(4) or "").upper()
    if meridiem:
        if not 1 <= hour <= 12:
            return _bad(raw, f"not a valid time: {text[:30]}")
        hour = hour % 12 + (12 if meridiem == "P" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return _bad(raw, f"not a valid time: {text[:30]}")
    zone = _zone(rest)
    if isinstance(zone, str):
        return _bad(raw, zone)
    moment = datetime.fromisoformat(iso_date).replace(hour=hour, minute=minute, second=second)
    if zone is None and default_tz:
        zone = ZoneInfo(default_tz)
    if zone is not None:
        moment = moment.replace(tzinfo=zone)
    return Normalized(moment.isoformat(timespec="seconds"), None, raw)


# --------------------------------------------------------------------------
# lists, countries, postcodes
# --------------------------------------------------------------------------

_QUOTED_LIST = re.compile(r'^"[^"]*(?:""[^"]*)*"(?:\s*,\s*"[^"]*(?:""[^"]*)*")*$')


def split_multi(raw: str) -> list[str]:
    """Split a cell holding several values: Google's " ::: ", Mailchimp's
    '"VIP","Blog"', or a comma, semicolon or line separated list.  Items are
    trimmed, empties dropped and repeats (ignoring case) removed, keeping the
    first spelling and the original order."""
    text = clean_cell(raw)
    if not text:
        return []
    if ":::" in text:
        items = text.split(":::")
    elif _QUOTED_LIST.match(text):
        items = next(csv.reader([text], skipinitialspace=True))
    else:
        items = re.split(r"[,;\n]", text)
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        item = item.strip()
        key = item.casefold()
        if item and key not in seen:
            seen.add(key)
            out.append(item)
    return out


_COUNTRY_ALIASES: dict[str, str] = {
    "united states": "US", "united states of america": "US", "usa": "US", "us": "US", "u s": "US",
    "u s a": "US", "america": "US", "etats unis": "US", "états unis": "US", "vereinigte staaten": "US",
    "estados unidos": "US",
    "united kingdom": "GB", "uk": "GB", "u k": "GB", "great britain": "GB", "britain": "GB",
    "england": "GB", "scotland": "GB", "wales": "GB", "northern ireland": "GB", "gbr": "GB",
    "royaume uni": "GB", "vereinigtes königreich": "GB", "reino unido": "GB",
    "canada": "CA", "can": "CA", "mexico": "MX", "méxico": "MX", "mex": "MX",
    "germany": "DE", "deutschland": "DE", "deu": "DE", "allemagne": "DE", "alemania": "DE",
    "france": "FR", "fra": "FR", "frankreich": "FR", "francia": "FR",
    "spain": "ES", "españa": "ES", "espana": "ES", "esp": "ES", "espagne": "ES", "spanien": "ES",
    "italy": "IT", "italia": "IT", "ita": "IT", "italie": "IT", "italien": "IT",
    "netherlands": "NL", "the netherlands": "NL", "holland": "NL", "nederland": "NL", "nld": "NL",
    "belgium": "BE", "belgique": "BE", "belgië": "BE", "belgie": "BE", "belgien": "BE", "bel": "BE",
    "switzerland": "CH", "schweiz": "CH", "suisse": "CH", "svizzera": "CH", "che": "CH",
    "austria": "AT", "österreich": "AT", "osterreich": "AT", "aut": "AT",
    "ireland": "IE", "éire": "IE", "eire": "IE", "irl": "IE", "republic of ireland": "IE",
    "portugal": "PT", "prt": "PT", "luxembourg": "LU", "lux": "LU",
    "denmark": "DK", "danmark": "DK", "dnk": "DK", "sweden": "SE", "sverige": "SE", "swe": "SE",
    "norway": "NO", "norge": "NO", "nor": "NO", "finland": "FI", "suomi": "FI", "fin": "FI",
    "iceland": "IS", "poland": "PL", "polska": "PL", "pol": "PL",
    "czech republic": "CZ", "czechia": "CZ", "česko": "CZ", "cze": "CZ",
    "hungary": "HU", "magyarország": "HU", "romania": "RO", "greece": "GR", "ελλάδα": "GR",
    "turkey": "TR", "türkiye": "TR", "turkiye": "TR", "russia": "RU", "russian federation": "RU",
    "ukraine": "UA", "israel": "IL",
    "united arab emirates": "AE", "uae": "AE", "saudi arabia": "SA", "egypt": "EG",
    "south africa": "ZA", "nigeria": "NG", "kenya": "KE", "morocco": "MA",
    "india": "IN", "ind": "IN", "china": "CN", "chn": "CN", "prc": "CN", "japan": "JP", "jpn": "JP",
    "south korea": "KR", "korea": "KR", "republic of korea": "KR", "korea republic of": "KR",
    "taiwan": "TW", "hong kong": "HK", "singapore": "SG", "malaysia": "MY", "thailand": "TH",
    "vietnam": "VN", "viet nam": "VN", "philippines": "PH", "indonesia": "ID", "pakistan": "PK",
    "australia": "AU", "aus": "AU", "new zealand": "NZ", "nzl": "NZ", "aotearoa": "NZ",
    "brazil": "BR", "brasil": "BR", "bra": "BR", "argentina": "AR", "chile": "CL",
    "colombia": "CO", "peru": "PE", "perú": "PE", "puerto rico": "PR",
}  # fmt: skip
_NAME_INDEX: dict[str, str] | None = None


def _country_key(text: str) -> str:
    key = text.casefold().replace(".", " ").replace("-", " ").replace("_", " ")
    key = " ".join(key.split())
    return key[4:] if key.startswith("the ") else key


def _names_from_phone_metadata() -> dict[str, str]:
    """Country names in many languages, from the locale data phonenumbers
    ships (loaded on first use; it takes a moment).  Names two regions share
    are left out as ambiguous."""
    global _NAME_INDEX
    if _NAME_INDEX is not None:
        return _NAME_INDEX
    index: dict[str, str] = {}
    clashes: set[str] = set()
    try:
        from phonenumbers.geodata.locale import LOCALE_DATA
    except ImportError:  # optional data: the alias table still works without it
        LOCALE_DATA = {}
    for code, names in LOCALE_DATA.items():
        if len(code) != 2:
            continue
        for name in names.values():
            if name.startswith("*"):
                continue
            key = _country_key(name)
            if index.get(key, code) != code:
                clashes.add(key)
            index[key] = code
    for key in clashes:
        index.pop(key, None)
    _NAME_INDEX = index
    return index


_NAME_WITH_CODE = re.compile(r"^[^()]+\(([A-Z]{2})\)$")


def normalize_country(raw: str) -> Normalized[str]:
    """Return the ISO 3166-1 alpha-2 code (upper case) for a country code,
    common alpha-3 code, English name or common local name or alias
    ("usa", "United Kingdom", "UK" -> "GB", "Deutschland" -> "DE").
    Unknown non-empty values give a problem."""
    text = clean_cell(raw)
    if not text or _is_placeholder(text):
        return _empty(raw)
    key = _country_key(text)
    code = _COUNTRY_ALIASES.get(key)
    if code is None and len(key) == 2 and key.upper() in phonenumbers.SUPPORTED_REGIONS:
        code = key.upper()
    if code is None and len(key) > 3:
        code = _names_from_phone_metadata().get(key)
    if code is None:
        # WooCommerce writes the name with its code: "United States (US)".
        named = _NAME_WITH_CODE.match(text)
        if named and named.group(1) in phonenumbers.SUPPORTED_REGIONS:
            code = named.group(1)
    if code is None:
        return _bad(raw, f"unknown country: {text[:30]}")
    return Normalized(code, None, raw)


_UK_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)(\d[A-Z]{2})$")
_CA_POSTCODE = re.compile(r"^([A-Z]\d[A-Z])(\d[A-Z]\d)$")


def normalize_postcode(raw: str, country: str | None) -> str:
    """Trim, upper-case and collapse spaces; for the US keep ZIP or ZIP+4
    and restore leading zeros a spreadsheet removed ("2134" -> "02134"); for
    the UK and Canada put the space in its place ("sw1a1aa" -> "SW1A 1AA").
    Other values are returned cleaned but otherwise as given."""
    text = " ".join(clean_cell(strip_type_prefix(clean_cell(raw))).upper().split())
    if not text:
        return ""
    code = normalize_country(country).value if country else None
    if code == "US":
        compact = text.replace(" ", "")
        m = re.fullmatch(r"(\d{3,5})(?:-(\d{4}))?", compact)
        if m:
            # Excel drops the leading zeros of New England and Puerto Rico ZIPs.
            zip5 = m.group(1).zfill(5)
            return f"{zip5}-{m.group(2)}" if m.group(2) else zip5
        if re.fullmatch(r"\d{7,9}", compact):
            full = compact.zfill(9)
            return f"{full[:5]}-{full[5:]}"
        return text
    if code == "GB":
        m = _UK_POSTCODE.match(text.replace(" ", ""))
        return f"{m.group(1)} {m.group(2)}" if m else text
    if code == "CA":
        m = _CA_POSTCODE.match(text.replace(" ", ""))
        return f"{m.group(1)} {m.group(2)}" if m else text
    return text
