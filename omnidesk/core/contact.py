"""Email addresses and phone numbers, read the one way every part of omnidesk reads them.

An import normalizes each cell with these before matching people; finding a
customer by what a user types, campaign addressing, message tokens and exports
use the same functions so an address or a number means the same everywhere.
Emails come out lower-cased and syntax-checked (no DNS lookup), phones in
E.164.  Showing a stored number the way people dial it is ``core/phones.py``.

This module imports nothing of omnidesk above :mod:`omnidesk.core.cells`.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from omnidesk.core.cells import Normalized, bad, clean_cell, empty, is_placeholder, strip_type_prefix

__all__ = ["is_placeholder_email", "mailbox_key", "mailbox_of", "normalize_email", "normalize_phone", "plain_email",
           "refusal_email"]

_ANGLE = re.compile(r"<([^<>]*)>")
_SEVERAL_EMAILS = re.compile(r"@[^@]*[,;\s][^@]*@")


_GMAIL = ("gmail.com", "googlemail.com")


def mailbox_key(email: str) -> str:
    """What a mailbox is known by, whatever way its address was written: "Bob.Smith+news@gmail.com"
    and "bobsmith@googlemail.com" are one Gmail mailbox (Gmail ignores dots and everything after a
    "+"); elsewhere an address tagged with "+" ("carol+news@shop.example") reaches the one untagged,
    as most mail services deliver it."""
    local, _, domain = email.strip().lower().rpartition("@")
    local = local.split("+", 1)[0] or local  # "+1@…" has no tag: the "+" is the name
    if domain in _GMAIL:
        return f"{local.replace('.', '')}@gmail.com"
    return f"{local}@{domain}"


def mailbox_of(email: str) -> str | None:
    """:func:`mailbox_key` where it differs from ``email`` itself (a Gmail address with dots, a
    "+" tag), else None: what the identifier table keeps beside the address, for look-ups.  Most
    addresses need no more than a glance."""
    if "+" not in email and not email.endswith(_GMAIL):
        return None
    key = mailbox_key(email)
    return key if key != email else None


def normalize_email(raw: str) -> Normalized[str]:
    """Return the address lower-cased and syntax-checked (no DNS lookup).

    Accepts "mailto:" links and "Name <address>" forms.  Invalid addresses
    give a problem such as "not a valid email: missing @"; one typed for "no
    email" ("none@none.com", :func:`is_placeholder_email`) gives no address and
    says so.
    """
    if raw and (plain := plain_email(raw)) is not None:
        return Normalized(plain, None, raw)
    text = clean_cell(raw)
    if not text or is_placeholder(text):
        return empty(raw)
    got = _read_email(raw, text)
    if got.value and is_placeholder_email(got.value):
        return bad(raw, PLACEHOLDER_EMAIL)
    return got


# What a person reads past around an address written in a sentence or a list: quotes, brackets and
# the punctuation a sentence or a list puts after it (or before it).  None of them can start or end
# an address's name or its domain where a reading of its own would need them.
_EDGE_SLIPS = " \t\"'`()[]{}<>.,;:!?"
# Spaces beside the "@" or a dot ("ann @ shop. example"): they part nothing a reading could join
# otherwise.  A space inside a name ("ann lee@shop.example") is no slip: it could be a dot, a "_"
# or nothing, so such an address stays unread.
_SPACED_MARK = re.compile(r"\s*([@.])\s*")


def refusal_email(raw: str) -> str | None:
    """The address a refusal's cell is when :func:`normalize_email` cannot read it but a person reads
    it one way only, else None: "ann@shop.example." (a sentence's full stop; a domain written with
    its final dot is the same domain), ".ann@shop.example", "(ann@shop.example)",
    "ann @ shop. example", "mailto:ann@shop.example,".

    Only a slip that leaves no second reading is read past: quotes, brackets and punctuation at
    either end, spaces beside the "@" or a dot.  A dot or a space inside the name, a domain with
    no dot, two "@" stay unread.  For a refusal only (an opt-out list's row, a "no"): a "yes" is
    read as written, or a guess would grant someone consent they never gave.
    """
    text = clean_cell(raw)
    for _ in range(3):  # "<mailto:ann@shop.example>." peels in turns
        text = text.strip(_EDGE_SLIPS)
        if text[:7].lower() == "mailto:":
            text = text[7:]
    text = _SPACED_MARK.sub(r"\1", text)
    if not text or text.count("@") != 1 or any(c.isspace() for c in text):
        return None
    got = normalize_email(text)
    return got.value if got.value and not got.problem else None


def _read_email(raw: str, text: str) -> Normalized[str]:
    m = _ANGLE.search(text)
    if m:
        text = m.group(1).strip()
    text = text.strip("\"'").strip()
    if text[:7].lower() == "mailto:":
        text = text[7:].split("?", 1)[0].strip()
    text = text.rstrip(";,").lower()
    if not text:
        return bad(raw, "not a valid email: nothing left after removing decoration")
    if "@" not in text:
        return bad(raw, "not a valid email: missing @")
    if _SEVERAL_EMAILS.search(text):
        return bad(raw, "not a valid email: holds more than one address")
    if text.count("@") > 1:
        return bad(raw, "not a valid email: more than one @")
    if _plain_email(text):
        return Normalized(text, None, raw)
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as e:
        return bad(raw, "not a valid email: " + _short_reason(str(e)))
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


def plain_email(raw: str) -> str | None:
    """The everyday address lower-cased, or None: what :func:`normalize_email` gives it.

    When the lower case of ``raw`` is plain (see ``_plain_email``), every step of
    ``normalize_email`` leaves it as it is but for the lower-casing, and it passes
    unless it is a placeholder; an import checks this first, for most of its
    millions of addresses.
    """
    low = raw.lower()
    return low if _plain_email(low) and not is_placeholder_email(low) else None


PLACEHOLDER_EMAIL = "a placeholder, not an address: left out"
# What a till or a form gets typed when the customer gives no address: nobody's mailbox, and
# shared by everyone it is typed for, so read as it would be, no email at all.  The words are
# written in full ("none@none.com", "noemail@shop.com", "no@email.com", "na@na.com",
# "test@test.com", "x@x.com"); an address at example.com stays one (demo data lives there).
_FAKE_LOCALS = frozenset({
    "none", "noemail", "no-email", "no_email", "no.email", "nomail", "no-mail", "no_mail", "no.mail",
    "no", "n/a", "null", "nil", "noaddress", "no-address", "noreply", "no-reply", "no_reply",
    "donotreply", "do-not-reply", "do_not_reply", "donotemail", "do-not-email", "unknown",
})
_FAKE_DOMAIN_NAMES = frozenset({"none", "noemail", "no-email", "nomail", "no-mail", "na", "n-a", "null", "test"})


def is_placeholder_email(email: str) -> bool:
    """Whether a read (lower-cased) address is one typed for "no email": a word such as "none" or
    "noemail" before the "@" or as the domain's name, or the same short word both sides ("x@x.com")."""
    local, _, domain = email.rpartition("@")
    if local in _FAKE_LOCALS:
        return True
    name = domain.rsplit(".", 1)[0]
    return name in _FAKE_DOMAIN_NAMES or (local == name and len(local) <= 3)


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
    and "1111111111" is nobody's; one written with the region's trunk prefix that
    has the shape of its numbers is read as its international form is, assigned or
    not ("052-123-4567" in Israel: :func:`_dialled_at_home`).  Local-only numbers (no area code) are not
    accepted, since they cannot be dialled from elsewhere.  A ".0" or ".00" after the
    digits, a spreadsheet's float ("1761234567.0"), is no part of the number, nor is a
    note in brackets after it or an empty extension; full-width digits are digits
    (:func:`phone_text`).
    """
    text = phone_text(raw)
    if not text or is_placeholder(text):
        return empty(raw)
    if "." in text and (whole := _FLOAT_TAIL.fullmatch(text)):
        text = whole[1]  # "1761234567.0": a spreadsheet's number, not a digit of the phone's
    region = region.upper()
    fast = _nanp_fast(text, region)
    if fast is not None:
        return Normalized(fast, None, raw)
    compact = _SEPARATORS.sub("", text)
    if compact.startswith("00"):
        text = "+" + text.lstrip()[2:].lstrip()
    international = text.startswith("+")
    if not international and (missing_plus := _country_code_without_plus(compact, region)) is not None:
        return Normalized(missing_plus, None, raw)
    where = "" if international else f" for region {region}"
    try:
        number = phonenumbers.parse(text, None if international else region)
    except phonenumbers.NumberParseException:
        return bad(raw, f"not a valid phone number{where}")
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
        # Too long for the region but not for a number at all ("07911 123456" in the US): most
        # likely another country's, written as it is dialled there.
        abroad = (not international and reason == phonenumbers.ValidationResult.TOO_LONG
                  and len(_NOT_DIGIT.sub("", compact)) <= 15)
        return bad(raw, f"not a valid phone number{where}" + (" (add the country code if it is from abroad)"
                                                              if abroad else ""))
    if not international and not phonenumbers.is_valid_number(number) and \
            not _dialled_at_home(compact, number, region):
        return bad(raw, f"not a valid phone number{where} (add the country code if it is from abroad)")
    return Normalized(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), None, raw)


# A note after the number, in brackets and without a digit ("(mobile)", "[work]"), and an extension
# with nothing after it ("ext. ", "x"): no part of the number.
_TRAILING_NOTE = re.compile(r"\s*[(\[][^()\[\]0-9]*[)\]]\s*$")
_EMPTY_EXTENSION = re.compile(r"(?:\s+|(?<=\d))(?:ext\.?|extension|x|#)\s*$", re.IGNORECASE)


def phone_text(raw: str) -> str:
    """A phone cell as :func:`normalize_phone` reads it: cleaned, a lead ad's type prefix gone,
    full-width and other scripts' digits (and full-width "+", brackets, dashes) written plainly,
    and a trailing note in brackets or an empty extension dropped ("415-555-0109 (mobile)",
    "+1 415 555 0107 ext. ")."""
    text = clean_cell(strip_type_prefix(clean_cell(raw)))
    if not text.isascii():
        text = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch
                       for ch in unicodedata.normalize("NFKC", text))
    while True:
        shorter = _EMPTY_EXTENSION.sub("", _TRAILING_NOTE.sub("", text))
        if shorter == text or not shorter:
            return text
        text = shorter


def _dialled_at_home(compact: str, number: phonenumbers.PhoneNumber, region: str) -> bool:
    """Whether a number written without its country code, which phonenumbers does not list among
    the region's assigned ranges, is still one of the region's numbers as dialled there.

    It is when it is written with the region's trunk prefix ("052-123-4567" in Israel, "07700
    900123" in the UK) and what follows the prefix has the shape of the region's numbers: the
    writer dialled it at home, and it is the number its international form ("+972 52-123-4567")
    names, which is kept whether its range is assigned or not.  Refused, it made a second
    customer without a phone beside the one holding the same number written with its "+972".
    North America is left out: its "1" is dialled before any number, or not, and an area code
    not in use ("555-555-0123") is a typo or a made-up number, written either way.
    """
    meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if meta is None or not meta.national_prefix or meta.country_code == 1:
        return False
    national = phonenumbers.national_significant_number(number)
    if not _NOT_DIGIT.sub("", compact).startswith(meta.national_prefix + national):
        return False
    shape = meta.general_desc.national_number_pattern if meta.general_desc else None
    return bool(shape) and re.fullmatch(shape, national) is not None


def _country_code_without_plus(compact: str, region: str) -> str | None:
    """E.164 for a number written with its country code but no "+" ("4917612345678" in Germany).

    Where numbers are written at home with a trunk prefix ("0176 …" in Germany, "07911 …" in
    the UK), digits that start with the country code instead, and make a valid number read as
    international, are that number: read as a national one they made +49 4917612345678, and
    a STOP from it left +49 176 12345678 texted.  None when that reading does not apply.
    """
    if not compact.isdigit():
        return None
    try:
        meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
    except Exception:  # noqa: BLE001 - an unknown region has no metadata: nothing to say
        return None
    code = str(meta.country_code) if meta is not None else ""
    if not code or not meta.national_prefix or compact.startswith(meta.national_prefix) or \
            not compact.startswith(code):
        return None
    try:
        number = phonenumbers.parse("+" + compact, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number) or phonenumbers.region_code_for_number(number) != region:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_NANP_TEXT = re.compile(r"\+?[\d\s().\-/]+")
_SEPARATORS = re.compile(r"[\s().\-/]")
# A number a spreadsheet or script kept as a float ("1761234567.0", "+49 176 1234567.00"): the
# one dot of the cell, after the digits, with only zeros after it.  Dots between the digits
# ("06.12.34.56.00") are separators.
_FLOAT_TAIL = re.compile(r"([^.]*\d)\.0{1,2}")
_NOT_DIGIT = re.compile(r"\D")
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
    digits = _NOT_DIGIT.sub("", text)
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
