"""Lists of people not to send to: unsubscribe, suppression, bounce and opt-out lists.

Most say so in a column (Mailchimp's unsubscribed export through its preset, an
"Unsubscribed at", a "Status" of "unsubscribed", Brevo's EMAIL_BLACKLISTED).  Some
say it only in their name: SendGrid's suppression exports are ``email,created``
(``sendgrid_global_unsubscribes.csv``, ``bounces.csv``), a hand-kept
``suppression_list.csv`` may have nothing but addresses.  Such a file, with no
column about consent at all, is read as what its name says: every row an opt-out
(never a grant).  A name can only take consent away, so reading one wrongly never
makes anyone mailable.

An opt-out list is also where a reply that cannot be read ("Arrêtez") is taken as
the opt-out it most likely is (see :mod:`omnidesk.core.importing.rows`).

An SMS gateway's list of replies is known by its columns' values as well as by
the preset's exact header: a column of numbers beside one of STOP, UNSUBSCRIBE
or START (:func:`reply_columns`), whatever they are called ("Number, Keyword",
"Mobile, Message", "phone_number, keyword").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

from omnidesk.core.importing import normalize as nz
from omnidesk.core.importing.fields import FIELDS_BY_NAME, IGNORE, FieldType
from omnidesk.core.importing.headers import header_key, header_words

__all__ = ["Replies", "consent_columns", "list_channel", "list_channels", "list_status", "phones_in_names", "reply_columns",
           "says_opt_out"]

UNSUBSCRIBED, CLEANED = "unsubscribed", "cleaned"

# Words of a file name (or phrases of its words) that say its rows are opt-outs.  "Cleaned" and
# "invalid" are left out: a "cleaned_customers.csv" is a list someone tidied.
_UNSUB_WORDS = frozenset(
    "unsubscribe unsubscribes unsubscribed unsubs unsub unsubscribers optout optouts suppression suppressions "
    "suppressed blacklist blacklisted blocklist blocklisted donotemail donotcontact donotcall donottext dnc "
    "complaints spamreports".split()
)
_UNSUB_PHRASES = ("opt out", "opt outs", "opted out", "do not email", "do not contact", "do not mail",
                  "do not call", "do not text", "do not sms", "spam reports", "stop list")
_BOUNCE_WORDS = frozenset("bounces bounced hardbounces bouncelist".split())
_BOUNCE_PHRASES = ("hard bounces", "bounce list")
# Run together in a name ("globalunsubscribes"): only words no other word contains.
_RUN_TOGETHER = ("unsubscribe", "suppression", "blacklist", "blocklist", "optout", "hardbounce")
# A name that says the opposite ("customers_without_unsubscribes"): not a list of opt-outs.
_NEGATIONS = frozenset("no non not without excluding excluded excl except minus sans".split())
# Words of a column's header that only a suppression export has ("Suppression type").
_HEADER_WORDS = frozenset("suppression suppressed blacklisted blocklisted blacklist blocklist".split())
# Headers of a consent column that say it holds opt-outs or replies ("Opt-out keyword").
_OPTOUT_COLUMN = ("opt out", "optout", "keyword", "reply", "unsubscribe", "stop")

# Fields that say something about consent: a file with any of them says it row by row.
_CONSENT_TYPES = (FieldType.CONSENT, FieldType.OPTOUT)
_CONSENT_TIMES = frozenset({"consent_at", "consent_email_at", "consent_sms_at", "consent_whatsapp_at",
                            "unsubscribed_at"})


def consent_columns(mapping: Sequence[str], constants: dict | None = None) -> bool:
    """Whether a mapping (and a preset's constants) gives consent, opt-outs or their times."""
    names = [n for n in mapping if n != IGNORE] + list(constants or ())
    return any(n in _CONSENT_TIMES or (n in FIELDS_BY_NAME and FIELDS_BY_NAME[n].type in _CONSENT_TYPES)
               for n in names)


# "Do not ..." names: their own "not" is no negation ("do_not_contact.csv" is a list of opt-outs).
_DO_NOT = re.compile(r"\bdo not (?=contact\b|email\b|mail\b|call\b|text\b|sms\b)")
# Names that say which channels their rows closed: every one ("do not contact", "DNC"), or the
# phone's ("do not call", "do not text"); other lists close their channel's (list_channel).
_EVERY_CHANNEL = ("do not contact", "donotcontact", "dnc")
_PHONE_CHANNELS = ("do not call", "donotcall", "do not text", "donottext", "do not sms", "donotsms")
EVERY_CHANNEL, PHONE_CHANNELS = ("email", "sms", "whatsapp"), ("sms", "whatsapp")


def _status_of(words: list[str]) -> str | None:
    if not words:
        return None
    phrase = f" {' '.join(words)} "
    if _NEGATIONS & set(_DO_NOT.sub("do ", phrase).split()):
        return None
    compact = "".join(words)
    if _BOUNCE_WORDS & set(words) or any(f" {p} " in phrase for p in _BOUNCE_PHRASES):
        return CLEANED
    if _UNSUB_WORDS & set(words) or any(f" {p} " in phrase for p in _UNSUB_PHRASES) \
            or any(w in compact for w in _RUN_TOGETHER):
        return UNSUBSCRIBED
    return None


def list_status(file_name: str, header: Sequence[str], mapping: Sequence[str]) -> str | None:
    """The opt-out a file's name says each of its rows is ("unsubscribed", or "cleaned" for a
    bounce list), or that an unmapped header only a suppression export has says; else None."""
    found = _status_of(header_words(header_key(PurePath(file_name or "").stem)))
    if found is not None:
        return found
    for i, h in enumerate(header):
        if (i >= len(mapping) or mapping[i] == IGNORE) and _HEADER_WORDS & set(header_words(header_key(h))):
            return UNSUBSCRIBED
    return None


def says_opt_out(header: str) -> bool:
    """Whether a consent column's header says it records opt-outs or replies ("Opt-out keyword")."""
    key = f" {' '.join(header_words(header_key(header)))} "
    return any(f" {w} " in key for w in _OPTOUT_COLUMN)


# A consent time column's words that say it is when the person said yes ("Opt-in date",
# "Subscribed at", "CONFIRM_TIME"), not when their answer last changed ("Consent date").
_OPT_IN_TIME = ("opt in", "optin", "opted in", "subscribed", "subscription", "subscribe", "confirm",
                "confirmed", "sign up", "signup", "signed up")


def says_opt_in_time(header: str) -> bool:
    """Whether a consent time column's header says it is the time of a "yes": it dates a yes, never a
    "no" on the same row (an SMS list's "Opted in: no" beside the "Opt-in date" of years ago)."""
    key = f" {' '.join(header_words(header_key(header)))} "
    return any(f" {w} " in key for w in _OPT_IN_TIME)


def list_channel(channel: str, mapping: Sequence[str]) -> str:
    """The consent channel a list's opt-outs close: SMS for an SMS file or a list of numbers only,
    else email."""
    if channel == "sms" or ("email" not in mapping and "phone" in mapping):
        return "sms"
    return "email"


def list_channels(file_name: str, channel: str, mapping: Sequence[str]) -> tuple[str, ...]:
    """The consent channels a list of opt-outs known by its name closes.

    A "do not contact" list (or "DNC") closes every channel, whatever columns name its
    people by: an email beside the phone says who, not that only mail is refused.  A "do not
    call" or "do not text" list closes the phone's channels, SMS and WhatsApp.  Any other list
    closes its channel's (:func:`list_channel`).
    """
    words = header_words(header_key(PurePath(file_name or "").stem))
    phrase, compact = f" {' '.join(words)} ", "".join(words)
    # "dnc" only as a word of its own; "donotcontact" run together too.
    said = set(words) | {p for p in (*_EVERY_CHANNEL, *_PHONE_CHANNELS)
                         if f" {p} " in phrase or (p.startswith("donot") and p in compact)}
    if said & set(_EVERY_CHANNEL):
        return EVERY_CHANNEL
    if said & set(_PHONE_CHANNELS):
        return PHONE_CHANNELS
    return (list_channel(channel, mapping),)


# -- replies read from the values ------------------------------------------------------------------

# Words of a header that say its column may hold what people texted back ("Keyword", "Reply",
# "Message", "Opt-out keyword").  The name alone never makes a column consent: a "Message" of a
# file of orders or tickets holds sentences; only a column nearly all of whose values are reply
# keywords (:func:`normalize.sms_reply`) is read as replies.
_REPLY_HEADER_WORDS = frozenset(
    "keyword keywords reply replies replied response responses message messages msg text texts body sms "
    "answer inbound command".split()
)
# The fields a guess may have given a column of replies ("Message" reads as a summary, "Reply" as
# nothing): never a name, an address or a time, whose values could not all be STOP and START.
_REPLY_GUESSES = frozenset({IGNORE, "summary", "note", "status", "event_type", "tags", "consent_sms",
                            "consent_email"})
# What a column of phone numbers may have been guessed as: nothing, a bare "Number" read as an ID,
# a "Contact" read as a name.
_NUMBER_GUESSES = frozenset({IGNORE, "external_id", "full_name", "first_name", "last_name"})
_NAME_FIELDS = frozenset({"full_name", "first_name", "last_name"})
# The guesses a reply's time may have: when it came is when consent changed.
_TIME_GUESSES = frozenset({"occurred_at", "created_at"})
_TIME_HEADER_WORDS = frozenset("date time at on when timestamp datetime received sent created".split())
_CONSENT_TIME_FIELDS = ("consent_at", "consent_sms_at", "unsubscribed_at")
_PHONE_VALUE = re.compile(r"\+?[0-9(][0-9 ().\-]{5,22}")
_MOST = 0.9  # the share of a column's values that must read so


def _values(sample: Sequence[Sequence[str]], i: int) -> list[str]:
    return [v for row in sample if i < len(row) and (v := nz.clean_cell(row[i]))]


def _mostly(values: list[str], test) -> bool:
    return bool(values) and sum(1 for v in values if test(v)) >= max(1, _MOST * len(values))


def _phone_like(value: str) -> bool:
    digits = sum(c.isdigit() for c in value)
    return 7 <= digits <= 15 and bool(_PHONE_VALUE.fullmatch(value))


def says_reply(header: str) -> bool:
    """Whether a header may name a column of texted replies ("Keyword", "Reply", "Message")."""
    return bool(_REPLY_HEADER_WORDS & set(header_words(header_key(header)))) or says_opt_out(header)


def _replies(values: list[str]) -> bool:
    """Nearly every value a reply keyword, and at least one a withdrawal: a column of STARTs
    alone is never enough to give anyone consent."""
    return _mostly(values, nz.sms_reply) and any(nz.sms_reply(v) == UNSUBSCRIBED for v in values)


@dataclass(frozen=True)
class Replies:
    """How a file's columns read once their values are seen: ``mapping`` (the new one), ``changed``
    (column -> (field, why)), whether it is a list of texted replies, and the notes to show."""

    mapping: list[str]
    changed: dict[int, tuple[str, str]]
    reply_list: bool
    notes: list[str]


def reply_columns(header: Sequence[str], mapping: Sequence[str], sample: Sequence[Sequence[str]]) -> Replies:
    """Read a guessed mapping again with the file's first rows (``sample``).

    A column named like a reply whose values are STOP, UNSUBSCRIBE, START and their kin, beside
    a column of phone numbers, is an SMS gateway's list of replies, read as the ``sms_optouts``
    preset reads one: the numbers as phones (a "Number" is no customer ID there, a "Contact" no
    name), the replies as SMS consent, and the one time of the row as when it changed.  A column of
    such replies that cannot be read so (no numbers beside it, a header that says nothing of
    replies) is left as it was, with a note that says so: the import never reports a clean file
    with a STOP it did not read.
    """
    out = list(mapping)
    changed: dict[int, tuple[str, str]] = {}
    notes: list[str] = []
    stops = [i for i, name in enumerate(out) if name in _REPLY_GUESSES and _replies(_values(sample, i))]
    named = [i for i in stops if says_reply(header[i])]
    reply = named[0] if named else None
    phone = next((i for i, name in enumerate(out) if name == "phone"), None)
    if reply is not None and phone is None:
        phone = next((i for i, name in enumerate(out) if i != reply and name in _NUMBER_GUESSES
                      and _mostly(_values(sample, i), _phone_like)), None)
        if phone is not None:
            changed[phone] = ("phone", "its values are the phone numbers of a list of replies")
    if reply is not None and phone is not None:
        out[phone] = "phone"
        if out[reply] != "consent_sms":
            changed[reply] = ("consent_sms", "its values are texted replies such as STOP")
        out[reply] = "consent_sms"
        if not any(name in _CONSENT_TIME_FIELDS for name in out):
            when = next((i for i, name in enumerate(out) if name in _TIME_GUESSES), None)
            if when is None:
                when = next((i for i, name in enumerate(out) if name == IGNORE and i != reply
                             and _TIME_HEADER_WORDS & set(header_words(header_key(header[i])))), None)
            if when is not None:
                out[when] = "consent_at"
                changed[when] = ("consent_at", "when the reply came")
        if changed:
            notes.append(f"Read as a list of SMS replies: column '{header[reply]}' holds replies such as "
                         f"STOP, column '{header[phone]}' the numbers they came from.")
    for i in stops:
        if out[i] not in ("consent_sms", "consent_email"):
            notes.append(f"Column '{header[i]}' holds replies such as STOP but was not read as consent"
                         f"{' (no column of phone numbers beside it)' if i == reply else ''}: "
                         "map it to SMS consent to take them in.")
    return Replies(out, changed, reply is not None and phone is not None, notes)


def phones_in_names(header: Sequence[str], mapping: Sequence[str],
                    sample: Sequence[Sequence[str]]) -> tuple[list[str], dict[int, tuple[str, str]], list[str]]:
    """A column read as a name whose values are phone numbers ("Contact": +1 207 555 0191) is the
    phone, when no other column is: no one's name is a number."""
    out = list(mapping)
    if "phone" in out:
        return out, {}, []
    for i, name in enumerate(out):
        if name in _NAME_FIELDS and _mostly(_values(sample, i), _phone_like):
            out[i] = "phone"
            return out, {i: ("phone", "its values are phone numbers")}, [
                f"Column '{header[i]}' was read as the phone: its values are phone numbers, not names."]
    return out, {}, []
