"""Recognise known export formats, and say which channel a file comes from.

A *preset* describes one vendor export (Shopify customers, a Mailchimp
unsubscribed file, Outlook contacts, ...): the headers that identify it, the
field each of its columns feeds, and facts the loader needs (constant values,
prefixed values, rows that belong together).  Presets are data: one TOML file
per vendor in ``resources/presets/``, read and checked by
:mod:`~omnidesk.core.importing.preset_data` when this module is imported.  A
new vendor layout is a new file there (and a test with the vendor's header).
Files nobody has a preset for go through the generic guesser
(:mod:`~omnidesk.core.importing.column_guess`).

Everything here works on *header keys* (see
:func:`~omnidesk.core.importing.headers.header_key`) so that case, accents,
punctuation and quoting never decide whether a column is recognised.  Vendors
rename and add columns over time, so presets match on meaning and on a small
signature, never on column positions.

This module is also where the import reaches all of that: it re-exports the
guesser's and the header keys' public names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import PurePath

from omnidesk.core.importing.column_guess import (
    AS_EVENT_TIME,
    ColumnGuess,
    guess_kind,
    guess_mapping,
    mapping_fields,
)
from omnidesk.core.importing.headers import header_key, header_keys, header_signature, header_words
from omnidesk.core.importing.preset_data import Preset, RowEvent, load_presets

__all__ = [
    "AS_EVENT_TIME",
    "PRESETS",
    "ColumnGuess",
    "Preset",
    "RowEvent",
    "detect_preset",
    "get_preset",
    "guess_channel",
    "guess_kind",
    "guess_mapping",
    "header_key",
    "header_signature",
    "mapping_fields",
    "matching_presets",
    "named_otherwise",
    "unfit_preset",
]

# Every shipped preset, in file-name order and then each file's order.
PRESETS: tuple[Preset, ...] = load_presets()

_PRESETS_BY_KEY: dict[str, Preset] = {p.key: p for p in PRESETS}


def get_preset(key: str) -> Preset:
    """Return the preset called ``key``; raise ``KeyError`` naming the known keys."""
    try:
        return _PRESETS_BY_KEY[key]
    except KeyError:
        known = ", ".join(_PRESETS_BY_KEY)
        raise KeyError(f"unknown import preset {key!r}; known presets: {known}") from None


def detect_preset(
    headers: Sequence[str], presets: Iterable[Preset] | None = None, file_name: str = ""
) -> Preset | None:
    """Return the preset whose whole signature is among ``headers``, or None.

    Order, case and punctuation of the headers do not matter, and extra columns
    are allowed.  When several presets match, the one with the largest
    signature (the most specific) wins, so an unsubscribed Mailchimp file is
    never taken for a subscribed one; equal sizes keep the order of ``presets``
    (:data:`PRESETS` unless given).

    A preset with a ``file_name`` is only a file's format when ``file_name`` (the
    file's name) says so, and then wins over one as large without: Mailchimp's
    subscribed and non-subscribed contacts share a header, and a subscribed file's
    consent is given by its name alone.  Without a name that says it, the file is
    read as the format that gives nothing its name would.
    """
    keys = set(header_keys(headers))
    best: Preset | None = None
    best_rank = (0, False)
    for preset in PRESETS if presets is None else presets:
        if not preset.signature <= keys:
            continue
        if preset.file_name is not None and not preset.file_name.says(file_name):
            continue
        rank = (len(preset.signature), preset.file_name is not None)
        if best is None or rank > best_rank:
            best, best_rank = preset, rank
    return best


def named_otherwise(preset: Preset, headers: Sequence[str]) -> list[Preset]:
    """The presets a file read as ``preset`` would have been, had its name said so: those with
    a ``file_name`` and ``preset``'s signature, whose whole signature is among ``headers``."""
    if preset.file_name is not None:
        return []
    keys = set(header_keys(headers))
    return [p for p in PRESETS if p.file_name is not None and p.signature == preset.signature
            and p.signature <= keys]


def matching_presets(headers: Sequence[str]) -> list[Preset]:
    """Every preset whose whole signature is among ``headers`` (what :func:`detect_preset` picks from)."""
    keys = set(header_keys(headers))
    return [preset for preset in PRESETS if preset.signature <= keys]


def unfit_preset(preset: Preset, headers: Sequence[str]) -> list[str] | None:
    """The signature columns (header keys) ``headers`` lack, when they lack too many for a file
    of ``preset``'s format (more than half of them), else None.

    A vendor renames or drops a column now and then, which is why someone names the
    preset of a file the detection missed; but a file with hardly any of the columns
    that identify the format is another file: read with the preset, a list of people
    (``Name``, ``Email``) would be a list of orders numbered by their names.
    """
    keys = set(header_keys(headers))
    missing = sorted(preset.signature - keys)
    return missing if 2 * len(missing) > len(preset.signature) else None


# Product names say more than generic words, so they are tried first.
_VENDOR_WORDS: tuple[tuple[str, str], ...] = (
    ("mailchimp", "email"), ("klaviyo", "email"), ("sendinblue", "email"), ("brevo", "email"),
    ("mailerlite", "email"), ("convertkit", "email"), ("substack", "email"), ("sendgrid", "email"),
    ("mailgun", "email"),
    ("shopify", "shop"), ("woocommerce", "shop"), ("etsy", "shop"), ("bigcommerce", "shop"),
    ("squarespace", "shop"), ("wix", "shop"),
    ("square", "pos"), ("squareup", "pos"), ("sumup", "pos"), ("zettle", "pos"),
    ("izettle", "pos"), ("lightspeed", "pos"), ("clover", "pos"), ("toast", "pos"),
    ("facebook", "social"), ("instagram", "social"), ("meta", "social"), ("tiktok", "social"),
    ("linkedin", "social"),
    ("twilio", "sms"), ("textmagic", "sms"),
    ("outlook", "contacts"), ("vcard", "contacts"), ("vcf", "contacts"), ("icloud", "contacts"),
    ("gmail", "contacts"),
    ("analytics", "web"), ("typeform", "web"), ("wordpress", "web"),
)
_GENERIC_WORDS: tuple[tuple[str, str], ...] = (
    ("newsletter", "email"), ("mailing", "email"), ("email", "email"),
    ("sms", "sms"), ("text", "sms"), ("texts", "sms"),
    ("pos", "pos"), ("till", "pos"), ("receipt", "pos"), ("receipts", "pos"), ("store", "pos"),
    ("register", "pos"), ("instore", "pos"),
    ("leads", "social"), ("lead", "social"), ("fb", "social"), ("ig", "social"),
    ("social", "social"),
    ("shop", "shop"), ("webshop", "shop"), ("eshop", "shop"), ("orders", "shop"),
    ("order", "shop"), ("ecommerce", "shop"),
    ("contacts", "contacts"), ("phone", "contacts"), ("addressbook", "contacts"),
    ("web", "web"), ("site", "web"), ("website", "web"), ("visits", "web"), ("signups", "web"),
    ("form", "web"), ("forms", "web"), ("jotform", "web"), ("submissions", "web"),
    # A list's words say less than a medium's: "sms_subscribers" is an SMS list, and only
    # a file that names no medium is taken for the email list these words usually mean.
    ("subscribers", "email"), ("subscriber", "email"), ("audience", "email"),
)
# Header words only a few sources use.
_HEADER_CLUES: tuple[tuple[str, str], ...] = (
    ("lineitem", "shop"), ("fulfillment", "shop"), ("shipping", "shop"),
    ("receipt", "pos"), ("till", "pos"), ("register", "pos"), ("cashier", "pos"),
    ("adset", "social"), ("ad id", "social"), ("form id", "social"), ("lead", "social"),
    ("unsub", "email"), ("optin", "email"), ("opt in", "email"), ("subscriber", "email"),
    ("newsletter", "email"), ("opened at", "email"), ("klaviyo", "email"),
    ("page url", "web"), ("landing page", "web"), ("pageviews", "web"), ("referrer", "web"),
    ("utm", "web"),
    ("group membership", "contacts"), ("file as", "contacts"),
)


def _channel_from_words(words: list[str], table: tuple[tuple[str, str], ...]) -> str | None:
    compact = "".join(words)
    for word, channel in table:
        if word in words:
            return channel
    for word, channel in table:
        # Run-together names ("mailchimpexport") only for unmistakable words.
        if len(word) >= 6 and word in compact:
            return channel
    return None


def guess_channel(file_name: str, headers: Sequence[str], preset: Preset | None) -> str:
    """Return the CHANNELS key a file most likely comes from.

    The preset's channel if there is one; otherwise product names in the file
    name, then telling words in the file name ("newsletter", "till",
    "leads", ...), then telling header words; "other" when nothing says.
    """
    if preset is not None:
        return preset.channel
    stem = PurePath(file_name or "").stem
    words = header_words(header_key(stem))
    for table in (_VENDOR_WORDS, _GENERIC_WORDS):
        found = _channel_from_words(words, table)
        if found is not None:
            return found
    keys = header_keys(headers)
    for clue, channel in _HEADER_CLUES:
        pattern = re.compile(rf"\b{re.escape(clue)}\b")
        if any(pattern.search(k) for k in keys):
            return channel
    return "other"
