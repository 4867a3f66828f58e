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
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath

from omnidesk.core.importing.fields import FIELDS_BY_NAME, IGNORE, FieldType
from omnidesk.core.importing.headers import header_key, header_words

__all__ = ["consent_columns", "list_channel", "list_status", "says_opt_out"]

UNSUBSCRIBED, CLEANED = "unsubscribed", "cleaned"

# Words of a file name (or phrases of its words) that say its rows are opt-outs.  "Cleaned" and
# "invalid" are left out: a "cleaned_customers.csv" is a list someone tidied.
_UNSUB_WORDS = frozenset(
    "unsubscribe unsubscribes unsubscribed unsubs unsub unsubscribers optout optouts suppression suppressions "
    "suppressed blacklist blacklisted blocklist blocklisted donotemail donotcontact dnc complaints "
    "spamreports".split()
)
_UNSUB_PHRASES = ("opt out", "opt outs", "opted out", "do not email", "do not contact", "do not mail",
                  "spam reports", "stop list")
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


def _status_of(words: list[str]) -> str | None:
    if not words or _NEGATIONS & set(words):
        return None
    phrase = f" {' '.join(words)} "
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
