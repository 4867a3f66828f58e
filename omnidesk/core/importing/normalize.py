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

Yes/no and consent, numbers and money, lists, countries and postcodes are
read here.  Emails and phones are :mod:`omnidesk.core.contact`'s (the same
rules wherever omnidesk reads one, not only on import), dates and times
:mod:`omnidesk.core.importing.dates`', names :mod:`omnidesk.core.importing.names`',
the cell itself :mod:`omnidesk.core.cells`'; the importer reaches all of them
through this module.
"""

from __future__ import annotations

import ast
import csv
import functools
import importlib.util
import json
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from pathlib import Path

import phonenumbers

from omnidesk.core.cells import Normalized, bad, clean_cell, empty, is_placeholder, strip_type_prefix
from omnidesk.core.contact import normalize_email, normalize_phone, plain_email
from omnidesk.core.importing.dates import (
    DateEvidence,
    DateOrder,
    decide_date_order,
    default_date_order,
    parse_date,
    parse_datetime,
)
from omnidesk.core.importing.names import (
    NameParts,
    compose_full_name,
    name_readings,
    normalize_name,
    parse_full_name,
    split_full_name,
)
from omnidesk.core.money import CURRENCY_SIGNS, currency_of_sign

__all__ = [
    "DateEvidence",
    "DateOrder",
    "Normalized",
    "clean_cell",
    "decide_date_order",
    "default_date_order",
    "detect_currency",
    "is_placeholder",
    "normalize_country",
    "normalize_email",
    "normalize_name",
    "normalize_phone",
    "normalize_postcode",
    "parse_bool",
    "is_no_answer",
    "parse_consent",
    "parse_consent_reply",
    "parse_optout",
    "parse_status_optout",
    "parse_date",
    "parse_datetime",
    "parse_int",
    "parse_money",
    "decimal_mark_shown",
    "MIXED_MARKS",
    "plain_amount",
    "plain_email",
    "NameParts",
    "compose_full_name",
    "name_readings",
    "parse_full_name",
    "split_full_name",
    "split_multi",
    "strip_type_prefix",
]

# Yes and no as a cell says them in the languages whose headers the importer maps (German,
# French, Dutch, Spanish, Italian, Portuguese, Scandinavian), and a spreadsheet's TRUE and FALSE
# as a German, French, Dutch, Spanish or Italian one writes them.  One vocabulary for yes/no
# cells and consent cells: a "Nein" under "Einwilligung" is the same no as under a yes/no field.
_YES_WORDS = frozenset({"yes", "y", "oui", "ja", "si", "sí", "sì", "sim", "da"})
_NO_WORDS = frozenset({"no", "n", "non", "nein", "nee", "não", "nao", "nej"})
_TRUE_WORDS = frozenset({"true", "wahr", "vrai", "waar", "verdadero", "vero"})
_FALSE_WORDS = frozenset({"false", "falsch", "faux", "onwaar", "falso"})
_TRUE = _YES_WORDS | _TRUE_WORDS | frozenset({"t", "1", "x", "on", "checked", "✓", "✔"})
_FALSE = _NO_WORDS | _FALSE_WORDS | frozenset({"f", "0", "off", "unchecked"})


def _key(text: str) -> str:
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)  # "Sí" typed on a Mac is S, i and an accent
    return " ".join(text.casefold().replace("_", " ").replace("-", " ").split())


def parse_bool(raw: object) -> Normalized[bool]:
    """Read a yes/no cell (yes/no, true/false, 1/0, y/n, x, oui/non,
    ja/nein, ja/nee, sí/no, a German or French spreadsheet's WAHR/FALSCH, VRAI/FAUX, ...); ``bool`` and ``int`` 0/1 are accepted as they are."""
    if isinstance(raw, bool):
        return Normalized(raw, None, str(raw))
    if isinstance(raw, int) and raw in (0, 1):
        return Normalized(bool(raw), None, str(raw))
    text = clean_cell(str(raw) if raw is not None else "")
    if not text:
        return empty(str(raw or ""))
    key = _key(text)
    if key in _TRUE:
        return Normalized(True, None, str(raw))
    if key in _FALSE:
        return Normalized(False, None, str(raw))
    return bad(str(raw), f"not a yes/no value: {text[:30]}")


GRANTED, DENIED, UNSUBSCRIBED, CLEANED, PENDING = "granted", "denied", "unsubscribed", "cleaned", "pending"

# "Unsubscribed" in German, French, Dutch, Spanish and Italian, with and without accents: a
# consent cell's or a status's opt-out in the languages whose consent headers are mapped.
_LOCAL_UNSUBSCRIBED = frozenset({
    "abgemeldet", "ausgetragen", "désabonné", "désabonnée", "desabonne", "desabonnee", "désinscrit", "désinscrite",
    "desinscrit", "desinscrite", "uitgeschreven", "dado de baja", "dada de baja", "de baja", "disiscritto",
    "disiscritta",
})

_CONSENT: dict[str, str] = {
    **dict.fromkeys(
        "t 1 x subscribed subscriber optin granted consented confirmed accepted".split(), GRANTED
    ),
    # Not "accepts marketing": a header's words are no answer (a header line repeated in the file).
    **dict.fromkeys(["opted in", "opt in", "single opt in", "double opt in"], GRANTED),
    # Yes and no in the languages of the consent headers the importer maps (Einwilligung,
    # Consentement, Nieuwsbrief, Suscrito, Iscritto): shared with parse_bool.
    **dict.fromkeys(_YES_WORDS | _TRUE_WORDS, GRANTED),
    **dict.fromkeys(_NO_WORDS | _FALSE_WORDS, DENIED),
    **dict.fromkeys("f 0 nonsubscribed denied declined transactional".split(), DENIED),
    # A survey's or a form's own words for no ("Nope", "Nah", "Never"): a refusal left unread
    # would leave an older "yes" standing.
    **dict.fromkeys("nope nah never".split(), DENIED),
    **dict.fromkeys(["never subscribed", "not subscribed", "non subscribed", "no consent"], DENIED),
    # Constant Contact's "Email permission status": Explicit is a yes; Implicit (a customer who
    # never said yes) and Not set are none, read as no.
    "explicit": GRANTED,
    **dict.fromkeys(["implicit", "not set"], DENIED),
    # A spam complaint is the strongest "no" there is.
    **dict.fromkeys(["spam complaint", "spam complaints", "complained", "complaint", "spam", "marked as spam",
                     "abuse", "abuse complaint"], UNSUBSCRIBED),
    # Klaviyo "suppressed" covers unsubscribes, bounces, spam reports and manual
    # blocks: the one safe reading is "do not send".
    **dict.fromkeys("unsubscribed optout unsubscribe withdrawn revoked suppressed".split(), UNSUBSCRIBED),
    **dict.fromkeys(["opted out", "opt out"], UNSUBSCRIBED),
    **dict.fromkeys(_LOCAL_UNSUBSCRIBED, UNSUBSCRIBED),
    # The words an SMS gateway's opt-out list records as the reply that opted a number out
    # (the CTIA's standard keywords and their common kin); START and UNSTOP opt back in.
    **dict.fromkeys("stop stopall end quit cancel revoke".split(), UNSUBSCRIBED),
    **dict.fromkeys(["stop all", "opt-out", "unsubscribed via sms"], UNSUBSCRIBED),
    **dict.fromkeys(["start", "unstop"], GRANTED),
    **dict.fromkeys(["cleaned", "bounced", "invalid", "hard bounce"], CLEANED),
    **dict.fromkeys(["pending", "unconfirmed", "awaiting confirmation"], PENDING),
}


# The words a consent column says and no other column does (not a yes or a no, which any
# yes/no column holds): a column of them the import did not read as consent is worth a warning.
_STATUS_WORDS = frozenset({
    "subscribed", "unsubscribed", "unsubscribe", "opted in", "opted out", "opt in", "opt out", "optin",
    "optout", "never subscribed", "not subscribed", "non subscribed", "nonsubscribed", "suppressed",
    "double opt in", "single opt in", *_LOCAL_UNSUBSCRIBED,
})


def says_consent_status(raw: str) -> bool:
    """Whether a cell holds a consent status word ("Unsubscribed", "Never subscribed", "Abgemeldet")."""
    return _key(clean_cell(raw)) in _STATUS_WORDS


# What a tool writes where nobody answered (Square's "Unknown" subscription status): no answer,
# read as an empty cell is (consent stays as the other facts leave it, never a yes), not a problem
# on every row of the file.
_NO_ANSWER = frozenset({"unknown", "not known", "not specified", "unspecified", "not answered"})


def is_no_answer(raw: str) -> bool:
    """Whether a consent cell says nobody answered ("Unknown"): no fact in a consent column, but on
    an opt-out list no reason to think the number was not opted out."""
    return _key(clean_cell(raw)) in _NO_ANSWER


def parse_consent(raw: str) -> Normalized[str]:
    """Read a marketing-consent cell into "granted", "denied",
    "unsubscribed", "cleaned" (address bounced or invalid) or "pending".

    Understands yes/no style values (Shopify "yes"/"no"; "oui"/"non", "ja"/"nein", "ja"/"nee",
    "sí"/"no", "sì"/"no" and the words :func:`parse_bool` reads), Klaviyo
    ("SUBSCRIBED", "NEVER SUBSCRIBED", "UNSUBSCRIBED", "SUPPRESSED"),
    Mailchimp ("subscribed", "unsubscribed", "cleaned", "pending") and
    "opted in"/"opted out", and "unsubscribed" in German, French, Dutch, Spanish
    and Italian ("abgemeldet", "désabonné", "uitgeschreven", "dado de baja").
    "Unknown" and its kin are no answer (empty); any other word is a problem, never a yes.
    """
    text = clean_cell(raw)
    if not text:
        return empty(raw)
    key = _key(text)
    state = _CONSENT.get(key)
    if state is None:
        if key in _NO_ANSWER:  # the tool's own word for "never asked": no fact, as an empty cell
            return empty(raw)
        return bad(raw, f"not a consent value: {text[:30]}")
    return Normalized(state, None, raw)


# What may be trimmed off a reply that grants consent ("Start.", "Yes!"); a "yes?" is no yes.
_GRANT_EDGES = frozenset(" .!")
# The statuses a reply may be read as from its first word ("Stop please", "No thanks"):
# never a grant, which only a whole, clear cell gives.
_FIRST_WORD_STATUSES = frozenset({UNSUBSCRIBED, CLEANED, DENIED})


def _trim_edges(text: str) -> tuple[str, str]:
    """The text without the punctuation, symbols and spaces at its ends, and what was trimmed."""
    start, end = 0, len(text)
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return text[start:end], text[:start] + text[end:]


def parse_consent_reply(raw: str) -> Normalized[str]:
    """Read a consent cell as :func:`parse_consent` does, then as a texted reply would be.

    An SMS gateway's opt-out list records the reply as it was texted: "Stop.",
    "STOP!", "Stop please", "UNSUBSCRIBE.".  A cell that is no consent value as
    written is read again with the punctuation at its ends trimmed ("Stop." is
    STOP; a grant only when what was trimmed is spaces, "." or "!": "Start." is
    START, "yes?" is no yes), and then by its first word, which may only take
    consent away ("Stop please", "No thanks"): a "Start, or not" is not a grant.
    Otherwise the problem of :func:`parse_consent`.
    """
    parsed = parse_consent(raw)
    if parsed.value is not None or parsed.problem is None:
        return parsed
    text = clean_cell(raw)
    trimmed, cut = _trim_edges(text)
    state = _CONSENT.get(_key(trimmed)) if trimmed else None
    if state is not None and (state != GRANTED or set(cut) <= _GRANT_EDGES):
        return Normalized(state, None, raw)
    words = trimmed.split()
    if len(words) > 1:
        first, _ = _trim_edges(words[0])
        state = _CONSENT.get(_key(first)) if first else None
        if state in _FIRST_WORD_STATUSES:
            return Normalized(state, None, raw)
    return parsed


# The replies an SMS gateway records, keyed: the CTIA's keywords and their common kin.  Only
# these, as a whole cell: a column of them is a log of replies (see optout_lists.reply_columns).
_SMS_STOP_REPLIES = frozenset({"stop", "stopall", "stop all", "end", "quit", "cancel", "revoke", "unsubscribe",
                               "opt out", "optout"})
_SMS_START_REPLIES = frozenset({"start", "unstop"})
# A reply's first word that can only be a withdrawal ("Stop please", "STOP texting me"); "Cancel my
# order" or "End of message" are not.
_SMS_STOP_FIRST = frozenset({"stop", "stopall", "unsubscribe"})


def sms_reply(raw: str) -> str | None:
    """The consent a cell stands for when it is a texted reply keyword ("STOP", "Stop.", "Stop please"
    unsubscribed; "START", "UNSTOP" granted), else None (any other text, "yes" and "no" included)."""
    text = clean_cell(raw)
    trimmed, _ = _trim_edges(text) if text else ("", "")
    if not trimmed:
        return None
    key = _key(trimmed)
    if key in _SMS_STOP_REPLIES:
        return UNSUBSCRIBED
    if key in _SMS_START_REPLIES:
        return GRANTED
    first, _ = _trim_edges(trimmed.split()[0])
    return UNSUBSCRIBED if _key(first) in _SMS_STOP_FIRST else None


# A "Status" cell of a list of people that says the person may not be sent to (an email
# tool's status or suppression export: "unsubscribed", "bounced", "opted out").  Any other
# status ("subscribed", "active", a lead's stage) says nothing about consent: a status is
# never read as a grant.
_STATUS_OPT_OUTS: dict[str, str] = {
    **dict.fromkeys(
        ["unsubscribed", "unsubscribe", "unsub", "unsubbed", "opted out", "opt out", "optout", "optedout",
         "suppressed", "blacklisted", "blocklisted", "blocked", "spam", "spam report", "spam complaint",
         "complaint", "complained", "marked as spam", "do not email", "do not contact", "do not mail",
         "global unsubscribe", "withdrawn", "revoked", "unsubscribed via sms"], UNSUBSCRIBED),
    **dict.fromkeys(_LOCAL_UNSUBSCRIBED, UNSUBSCRIBED),
    **dict.fromkeys(["cleaned", "bounced", "bounce", "hard bounce", "hard bounced", "hardbounce", "invalid",
                     "invalid email", "undeliverable"], CLEANED),
    # Mailchimp's API writes a non-subscribed contact's status as "transactional".
    **dict.fromkeys(["denied", "declined", "never subscribed", "not subscribed", "non subscribed",
                     "nonsubscribed", "no consent", "transactional"], DENIED),
}


def parse_status_optout(raw: str) -> str | None:
    """The consent status a person's "Status" cell stands for when it says "do not send"
    ("unsubscribed", "Cleaned", "Bounced", "denied", "Opted out"), else None."""
    text = clean_cell(raw)
    if not text:
        return None
    key = _key(text)
    state = _STATUS_OPT_OUTS.get(key)
    if state is None:
        trimmed, _ = _trim_edges(text)
        state = _STATUS_OPT_OUTS.get(_key(trimmed)) if trimmed else None
        if state is None and trimmed:
            state = _status_opening(trimmed)
    return state


def _status_opening(text: str) -> str | None:
    """The opt-out a status says in its first words ("Unsubscribed via link", "Bounced (hard)",
    "Opted out - 2026-03-01"), longest phrase first: a status that opens with one says no more
    than that it holds, and a status is never read as a grant.  "Not unsubscribed" opens with none."""
    words = [w for w in (_trim_edges(w)[0] for w in text.split()) if w]
    for n in range(min(3, len(words) - 1), 0, -1):
        state = _STATUS_OPT_OUTS.get(_key(" ".join(words[:n])))
        if state is not None:
            return state
    return None


# Cells of an opt-out column that say nothing is wrong.  HubSpot's "Marketing contact
# status" says "Marketing contact" (a billing setting, not consent) or "Non-marketing
# contact"; a bounce-reason column is empty or "none" when nothing bounced.
_OPTOUT_NOT_SET = _FALSE | frozenset(
    {"none", "n/a", "na", "-", "marketing contact", "subscribed", "opted in", "opt in", "not bounced"}
)
_OPTOUT_VALUES = {"non marketing contact": DENIED, **dict.fromkeys(
    ["bounced", "hard bounce", "hard bounced", "cleaned", "invalid", "undeliverable"], CLEANED)}


# A suppression's reason, as an email tool's list of them names it (Klaviyo's "Email Suppressions"
# cell: [{"reason": "HARD_BOUNCE", "timestamp": "2024-04-02T08:00:00+00:00"}]), keyed.  An address
# that bounced or is no address is "cleaned"; the person's own "no" (an unsubscribe, a spam
# complaint) and a suppression made by hand are "unsubscribed".  Any other reason is the column's
# own opt-out.
_SUPPRESSION_REASONS = {
    **dict.fromkeys(["hard bounce", "invalid email", "bounce", "bounced", "soft bounce", "invalid"], CLEANED),
    **dict.fromkeys(["unsubscribe", "unsubscribed", "spam complaint", "spam", "complaint", "user suppressed",
                     "manual"], UNSUBSCRIBED),
}


# Which of two opt-outs is stricter (omnidesk.core.consent.STRICTNESS): a bounce outranks an unsubscribe.
_OPTOUT_RANK = {DENIED: 1, UNSUBSCRIBED: 2, CLEANED: 3}


def suppressions(raw: str, when_set: str) -> tuple[str | None, str | None] | None:
    """Read a cell that lists suppressions (Klaviyo's "Email Suppressions"): ``(status, time)``.

    The cell is a JSON list (or Python's own writing of one) of ``{"reason", "timestamp"}``
    entries.  An empty list says nothing is wrong: ``(None, None)``.  Otherwise the status is
    the strictest one its reasons stand for (see ``_SUPPRESSION_REASONS``; an unknown reason, an
    entry without one, is ``when_set``), and the time the latest timestamp, as written, of the
    entries saying it (None when they give none).  None when the cell is no such list.
    """
    text = clean_cell(raw)
    if not (text.startswith("[") and text.endswith("]")):
        return None
    try:
        entries = json.loads(text)
    except ValueError:
        try:
            entries = ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return None
    if not isinstance(entries, list):
        return None
    if not entries:
        return None, None
    said: list[tuple[str, str]] = []
    for entry in entries:
        reason = entry.get("reason") if isinstance(entry, dict) else entry
        status = _SUPPRESSION_REASONS.get(_key(str(reason).replace("_", " "))) if reason else None
        when = entry.get("timestamp") if isinstance(entry, dict) else None
        said.append((status or when_set, str(when).strip() if when else ""))
    status = max((s for s, _ in said), key=lambda s: _OPTOUT_RANK.get(s, 0))
    times = [t for s, t in said if s == status and t]
    return status, (max(times) if times else None)


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
        return empty(raw)
    if text[0] == "[":
        listed = suppressions(text, when_set)
        if listed is not None:
            return Normalized(listed[0], None, raw)
    key = _key(text)
    if not key or key in _OPTOUT_NOT_SET:
        return Normalized(None, None, raw)
    return Normalized(_OPTOUT_VALUES.get(key, when_set), None, raw)


# Full-width forms (U+FF01-U+FF5E) as their ASCII letters, and the full-width currency signs and
# space as theirs: Japanese and Chinese exports write "￥３，３００".  Only these: NFKC would also
# turn "²" or "½" into digits.
_HALF_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {
    0xFFE0: "¢", 0xFFE1: "£", 0xFFE5: "¥", 0xFFE6: "₩", 0x3000: " "}


def _half_width(text: str) -> str:
    """``text`` with full-width digits, signs and spaces as their usual forms (see ``_HALF_WIDTH``)."""
    return text if text.isascii() else text.translate(_HALF_WIDTH).strip()


_GROUP_CHARS = " \u00a0\u202f'\u2019"
_MINUS = "-\u2212\u2013"
_SYMBOLS = "$€£¥₹₩₽¢₺₪₫฿₱₦₴"
# A currency at either end: a symbol (optionally after letters, as in "US$"), a three-letter
# code, one of the few short local abbreviations, or the yen, yuan and won as Japanese, Chinese
# and Korean exports write them after the number ("1,280円", "88.00元", "12,000원").
_CUR = rf"(?:[A-Za-z]{{0,3}}[{_SYMBOLS}]|[A-Za-z]{{3}}|(?i:kr|fr|rs|zł|kč|ft|lei|r)\.?|[円元원])"
_MONEY = re.compile(
    rf"^(?P<s1>[{_MINUS}+])?\s*(?P<c1>{_CUR})?\s*(?P<s2>[{_MINUS}+])?\s*"
    rf"(?P<num>\d(?:[\d.,{_GROUP_CHARS}]*\d)?|[.,]\d+)"
    rf"\s*(?P<s3>[{_MINUS}])?\s*(?P<c2>{_CUR})?\s*(?P<s4>[{_MINUS}])?$"
)
_GROUPED = re.compile(rf"\d{{1,3}}(?:[.,{_GROUP_CHARS}]\d{{3}})*")
# Indian grouping (lakhs and crores): commas between pairs of digits before a last group of
# three, "1,23,456" and "1,00,00,000".  Read in every region, not only India's: it cannot be
# anything else.  A comma used twice is never a decimal comma, and a pair of digits is never a
# Western thousands group, so no text this reads was read any other way before; it was
# refused.  Only the comma groups this way (with a point for the fraction), as India writes it;
# uneven or mixed groups ("12,34,56", "1,23,456,789", "1.23.456") are still refused.
_LAKH_GROUPED = re.compile(r"[1-9]\d?(?:,\d{2})+,\d{3}")


# A column's decimal mark when its amounts write it both ways ("12,50" and "1.99"): an amount
# that could be either ("3,500") is not guessed.
MIXED_MARKS = "mixed"
# An amount whose one separator could be a thousands group or a decimal mark: "3,500", "1.234".
_EITHER_WAY = re.compile(r"[1-9]\d{0,2}[.,]\d{3}")
# Amounts that show their decimal mark: one or two digits after it, at the end, and digits
# before it plain or grouped by threes with anything else ("12,50", "1.234,5"; "1.99", "1,234.56").
_SHOWS_COMMA = re.compile(rf"(?:\d+|\d{{1,3}}(?:[.{_GROUP_CHARS}]\d{{3}})+),\d{{1,2}}")
_SHOWS_POINT = re.compile(rf"(?:\d+|\d{{1,3}}(?:[,{_GROUP_CHARS}]\d{{3}})+)\.\d{{1,2}}")


def _amount_digits(raw: str) -> str | None:
    """The digits-and-separators core of an amount ("1.234,50" of "€ 1.234,50"), or None."""
    text = _half_width(clean_cell(raw))
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    m = _MONEY.match(text)
    return m.group("num") if m else None


def decimal_mark_shown(raw: str) -> str | None:
    """The decimal mark an amount proves its column writes: "," for "12,50", "." for "1.99";
    "" for one that could be either ("3,500"); None for one that says nothing ("12", "1.234.567")."""
    num = _amount_digits(raw)
    if num is None:
        return None
    if _SHOWS_COMMA.fullmatch(num):
        return ","
    if _SHOWS_POINT.fullmatch(num):
        return "."
    return "" if _EITHER_WAY.fullmatch(num) else None


def _number(text: str, mark: str | None = None) -> Decimal | None:
    """Parse the digits-and-separators core of an amount, or return None.

    With both "." and "," present the last one is the decimal separator.
    One separator used several times is a thousands separator.  A single
    separator followed by exactly three digits is a thousands separator too
    ("1,234" and "1.234" are both 1234), unless what precedes it cannot be a
    first group of thousands (a lone 0, four or more digits, or digits
    already grouped by spaces): then it is the decimal separator.  Any other
    single separator is the decimal separator ("12,50", "1.5").  Everything
    left of the decimal separator must be plain digits, digits grouped by
    threes with one kind of separator, or digits grouped in lakhs by commas
    ("1,23,456", see ``_LAKH_GROUPED``).  ``mark``, the decimal mark the column's amounts
    prove ("," or "."), reads a lone separator before three digits as it: "3,500" is 3.5 in
    a column that writes "12,50".
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
        elif len(after) == 3 and before.isdigit() and len(before) <= 3 and before != "0" and sep != mark:
            pass  # "1,234": one thousands separator
        else:
            int_part, frac = before, after
    int_part = int_part or "0"
    if not (int_part.isdigit() or _GROUPED.fullmatch(int_part) or _LAKH_GROUPED.fullmatch(int_part)):
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


# Digits with at most a two-digit fraction after a point: how most exports write an amount.
# (Three digits after a lone point may be a thousands group, "1.234"; that takes the full path.)
_PLAIN_AMOUNT = re.compile(r"[0-9]+(?:\.[0-9]{1,2})?")
plain_amount = _PLAIN_AMOUNT.fullmatch  # a match: parse_money gives Decimal(text), detect_currency None


# A comma between digits, and a number whose commas all group thousands ("1,500", "-12,000.50").
_DIGIT_COMMA = re.compile(r"\d,\d")
_THOUSANDS = re.compile(r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def unclear_comma(text: str) -> bool:
    """Whether ``text``, read as a number typed by hand, has a comma between digits that groups no
    thousands: "1,5" (one and a half, or a slip for 1,500?), "12,50 €", "1,5,0".  Such a number is
    asked about, never read either way; "1,500" and "$1,500.00" are clear.  (A file's column proves
    its decimal mark by its other cells: :func:`parse_money` reads those.)"""
    bare = re.sub(r"[^\d,.+-]", "", text)  # "$1,500.00" is 1,500.00
    return bool(_DIGIT_COMMA.search(bare)) and not _THOUSANDS.fullmatch(bare)


def parse_money(raw: str, mark: str | None = None) -> Normalized[Decimal]:
    """Read an amount such as "$1,234.56", "1.234,56 €", "1 234,56",
    "12,50", "₹1,23,456.00", "-5.00", "(5.00)", "EUR 12.00", "£3", "1,280円", "88.00元",
    "12,000원" or full-width "￥３，３００" into an exact Decimal
    (no rounding; see ``_number`` for how the decimal separator is chosen).
    A currency symbol or code at either end is ignored; use
    ``detect_currency`` to read it.  ``mark`` is the decimal mark the amount's column proves
    ("," or "."), which reads an amount such as "3,500" that could be either; ``MIXED_MARKS``
    (the column proves both) leaves such an amount unread, with a problem."""
    if isinstance(raw, str) and _PLAIN_AMOUNT.fullmatch(raw):
        return Normalized(Decimal(raw), None, raw)  # "1234.5": what the full reading below gives
    text = clean_cell(raw)
    if not text or is_placeholder(text):
        return empty(raw)
    problem = f"not an amount: {text[:30]}"
    text = _half_width(text)  # "￥３，３００" as "¥3,300"
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative = True
        text = text[1:-1].strip()
    m = _MONEY.match(text)
    if not m:
        return bad(raw, problem)
    signs = [m.group(g) for g in ("s1", "s2", "s3", "s4") if m.group(g)]
    if len(signs) > 1 or (m.group("c1") and m.group("c2")):
        return bad(raw, problem)
    if signs and signs[0] != "+":
        negative = True
    if mark == MIXED_MARKS and _EITHER_WAY.fullmatch(m.group("num")):
        return bad(raw, f"{text[:30]} could be a whole amount or one with decimals (this column writes "
                        "decimals both with a comma and with a point); check this value")
    value = _number(m.group("num"), mark)
    if value is None:
        return bad(raw, problem)
    return Normalized(-value if negative else value, None, raw)


def parse_int(raw: object) -> Normalized[int]:
    """Read a whole number: "12", "-3", "1,234", "1.234" (grouped by
    threes), "12.0" or "12,00" (a spreadsheet's float).  A fraction such as
    "1.5" is a problem."""
    if isinstance(raw, bool):
        return bad(str(raw), "not a whole number")
    if isinstance(raw, int):
        return Normalized(raw, None, str(raw))
    if isinstance(raw, str) and raw.isascii() and raw.isdigit():
        return Normalized(int(raw), None, raw)  # plain digits: what the full reading below gives
    raw_text = "" if raw is None else str(raw)
    text = clean_cell(raw_text)
    if not text or is_placeholder(text):
        return empty(raw_text)
    negative = text[0] in _MINUS
    body = text[1:].strip() if text[0] in _MINUS + "+" else text
    value = _number(body) if body and body[0].isdigit() else None
    if value is None:
        return bad(raw_text, f"not a whole number: {text[:30]}")
    if value != value.to_integral_value():
        return bad(raw_text, f"not a whole number: {text[:30]}")
    number = int(value)
    return Normalized(-number if negative else number, None, raw_text)


# The signs of money.CURRENCY_SIGNS, longest first: "CA$" is looked for before "$", "CN¥" before "¥".
_SIGNS_LONGEST_FIRST = tuple(sorted(CURRENCY_SIGNS, key=len, reverse=True))
# The codes a cell is searched for (a three-letter word in an amount): the currencies shops meet
# most.  Every code would read "ALL" or "TOP" in a cell as a currency.
_ISO_CURRENCIES = frozenset(
    "USD EUR GBP CAD AUD NZD CHF JPY CNY HKD SGD INR BRL MXN ZAR SEK NOK DKK PLN CZK HUF RON BGN "
    "TRY ILS AED SAR KRW TWD THB PHP IDR MYR VND NGN KES EGP MAD UAH RUB ISK ARS CLP COP PEN".split()
)
# Every currency of ISO 4217 in use (its list of 2024-2025), money a shop can be paid in: the codes
# of funds, metals and tests (BOV, XAU, XTS…) are left out.  The settings check the shop's currency
# against it; it holds every code the app's currency list offers (Qt's locales).
ISO_4217 = frozenset(
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD "
    "CAD CDF CHF CLP CNY COP CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS "
    "GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW "
    "KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD "
    "NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD "
    "SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS "
    "VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG ZWL".split()
)


def detect_currency(raw: str, shop: str | None = None) -> str | None:
    """Return the ISO 4217 code named by a symbol or code in the cell
    ("€" -> "EUR", "£" -> "GBP", "CA$" -> "CAD", "NT$" -> "TWD", "CN¥" or "RMB" -> "CNY",
    "1,280円" -> "JPY", "eur 12" -> "EUR"), or None when there is none.

    A sign several currencies share ("$", "¥", "元", "£", "kr") is the shop's currency ``shop``
    when it can mean it (a Canadian shop's "$" is CAD, a Chinese shop's "¥" CNY), else its
    usual reading ("$" USD, "¥" JPY); "kr" alone is then left None.  See money.CURRENCY_SIGNS."""
    if isinstance(raw, str) and _PLAIN_AMOUNT.fullmatch(raw):
        return None  # digits and a point name no currency
    text = _half_width(clean_cell(raw))
    if not text:
        return None
    for code in re.findall(r"[A-Za-z]{3}", text):
        if code.upper() in _ISO_CURRENCIES and re.search(rf"(?<![A-Za-z]){code}(?![A-Za-z])", text):
            return code.upper()
    low = text.lower()
    for sign in _SIGNS_LONGEST_FIRST:
        if sign.lower() in low:
            return currency_of_sign(sign, shop)
    return None


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


@functools.lru_cache(maxsize=1)
def region_names() -> dict[str, dict[str, str]]:
    """Region code -> {language: the region's name}, the locale data phonenumbers ships.

    Read from its own file: importing ``phonenumbers.geodata.locale`` the usual way
    runs the package's ``__init__`` first, which loads the geocoding data of every
    number prefix (some 100 MB held for the life of the process) that omnidesk never
    uses.  Empty when the data is missing (it is optional).
    """
    path = Path(phonenumbers.__file__).parent / "geodata" / "locale.py"
    try:
        spec = importlib.util.spec_from_file_location("phonenumbers.geodata.locale", path)
        module = importlib.util.module_from_spec(spec)
        module.__package__ = "phonenumbers.geodata"  # its one import is ``from ..util import u``
        spec.loader.exec_module(module)
        return module.LOCALE_DATA
    except (OSError, ImportError, AttributeError):
        try:
            from phonenumbers.geodata.locale import LOCALE_DATA
        except ImportError:  # optional data: the alias table still works without it
            return {}
        return LOCALE_DATA


def _names_from_phone_metadata() -> dict[str, str]:
    """Country names in many languages, from the locale data phonenumbers
    ships (loaded on first use; it takes a moment).  Names two regions share
    are left out as ambiguous."""
    global _NAME_INDEX
    if _NAME_INDEX is not None:
        return _NAME_INDEX
    index: dict[str, str] = {}
    clashes: set[str] = set()
    for code, names in region_names().items():
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
    if not text or is_placeholder(text):
        return empty(raw)
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
        return bad(raw, f"unknown country: {text[:30]}")
    return Normalized(code, None, raw)


_UK_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)(\d[A-Z]{2})$")
_CA_POSTCODE = re.compile(r"^([A-Z]\d[A-Z])(\d[A-Z]\d)$")


# Countries whose postcodes are five digits, and the letters once written before them
# ("D-80331", "F-75001", "C.P. 72455"); Excel drops their leading zeros as it does a ZIP's.
_FIVE_DIGITS = {"DE": r"D", "FR": r"F", "IT": r"I", "ES": r"E|C\.? ?P\.?", "MX": r"C\.? ?P\.?"}


def normalize_postcode(raw: str, country: str | None) -> str:
    """Trim, upper-case and collapse spaces; for the US keep ZIP or ZIP+4
    and restore leading zeros a spreadsheet removed ("2134" -> "02134",
    "21341234" -> "02134-1234"; never in a code with a hyphen or of seven
    digits, which no spreadsheet made: "100-0001" stays so); for
    the UK and Canada put the space in its place ("sw1a1aa" -> "SW1A 1AA");
    for Japan write NNN-NNNN without the postal mark ("〒1853311" ->
    "185-3311"); for India six digits without a space ("110 001"); for the
    five-digit countries of ``_FIVE_DIGITS`` drop the old country letter or
    "C.P." and restore a leading zero ("D-80331" -> "80331", "1290" ->
    "01290").  Full-width digits are read as digits.  Other values are
    returned cleaned but otherwise as given."""
    text = " ".join(unicodedata.normalize("NFKC", clean_cell(strip_type_prefix(clean_cell(raw)))).upper().split())
    if not text:
        return ""
    code = normalize_country(country).value if country else None
    if code == "JP":
        m = re.fullmatch(r"〒? ?(\d{3}) ?[-‐−ー]? ?(\d{4})", text)
        return f"{m.group(1)}-{m.group(2)}" if m else text
    if code == "IN":
        compact = text.replace(" ", "")
        return compact if re.fullmatch(r"\d{6}", compact) else text
    if code in _FIVE_DIGITS:
        m = re.fullmatch(rf"(?:(?:{_FIVE_DIGITS[code]})[- ]?)?(\d{{4,5}})", text)
        return m.group(1).zfill(5) if m else text
    if code == "US":
        compact = text.replace(" ", "")
        if re.fullmatch(r"\d{5}(?:-\d{4})?", compact):
            return compact
        # Excel drops the leading zeros of New England and Puerto Rico ZIPs ("2134", and
        # "21341234" for a ZIP+4 saved without its hyphen): only a number can have lost them.
        # A code with a hyphen was never a number, and one of seven digits would be a ZIP+4
        # that lost two zeros, rarer by far than a postcode of another country (Japan's
        # "5300001"): those are kept as written, not turned into a ZIP that is no one's.
        if re.fullmatch(r"\d{3,4}", compact):
            return compact.zfill(5)
        if re.fullmatch(r"\d{8,9}", compact):
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
