"""The channels a shop meets its customers on: the one list every screen, command and rule reads.

A channel has a ``code``, stored in the workspace and typed on the command line
(``pos``), and one ``label`` that every screen, list, tooltip and printed line
shows (``Till``); nothing shows a code to a person and nothing shows a second
name (the longer names earlier versions showed, "Store / till", are still
understood when typed).  Some channels are where files come from (``source``: the shop's
exports, the till, the email list); some are where campaigns will send
(``send``: email, SMS, WhatsApp, social networks, in store, the website);
email, SMS and social are both.  A channel a user names themselves
("farmers_market") is a source too, with a steady colour of its own, shown as
it was typed ("Farmers Market on Saturday": the label the workspace keeps, see
:func:`use_own_labels`), else with a label made from its code.

Colours are the Okabe–Ito palette (blue, vermillion, bluish green, reddish
purple, orange, sky blue), which people with any common colour-vision
deficiency can still tell apart, plus four of the same spirit for the rest.
Every one is a mid tone, visible as a chip or a dot on a light window and on
a dark one; text on it uses :func:`ink`, black or white, whichever reads
better (tests/core/test_channels.py checks all three).  No channel has an icon
of its own yet: screens draw its label's first letter on its colour.

This module is data and imports nothing of omnidesk: everything else may read it.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

EMAIL, PHONE = "email", "phone"
HAND = "manual"  # the channel of everything entered by hand


@dataclass(frozen=True)
class Limits:
    """What one message on a channel can hold, where the channel sets a limit; None is "none known".

    A new kind of limit is a new field with a None default, so every channel
    that does not set it keeps saying "none known".
    """

    text_chars: int | None = None  # characters in one message's text
    subject_chars: int | None = None
    # SMS: one message of plain GSM-7 text holds 160 characters; one with any other
    # character is sent as UCS-2 and holds 70.  A longer text goes as several joined
    # segments, each of which gives up room to the header that joins them.
    segment_chars: int | None = None
    segment_chars_unicode: int | None = None
    joined_segment_chars: int | None = None
    joined_segment_chars_unicode: int | None = None
    hashtags: int | None = None


@dataclass(frozen=True)
class Channel:
    code: str
    label: str
    color: str  # "#RRGGBB"
    source: bool  # files are imported from it
    send: bool  # campaigns send through it
    reaches: str | None = None  # the identifier a message goes to (EMAIL, PHONE); None: whoever looks
    limits: Limits = field(default_factory=Limits)
    # Other names a user may type for it: the longer ones earlier versions showed.
    also: tuple[str, ...] = ()

    @property
    def ink(self) -> str:
        """The colour of text written on this channel's colour."""
        return ink(self.color)

    @property
    def needs_consent(self) -> bool:
        """A message reaches one person: it needs their consent to marketing on this channel."""
        return self.reaches is not None


CHANNELS: tuple[Channel, ...] = (
    Channel("shop", "Shop", "#009E73", source=True, send=False, also=("Online shop",)),
    Channel("email", "Email", "#0072B2", source=True, send=True, reaches=EMAIL, also=("Email list",)),
    Channel("pos", "Till", "#D55E00", source=True, send=False, also=("Store / till",)),
    # Instagram's caption (2,200 characters, 30 hashtags) is the tighter of Meta's two networks.
    Channel("social", "Social", "#CC79A7", source=True, send=True, limits=Limits(text_chars=2_200, hashtags=30),
            also=("Social lead forms",)),
    Channel("sms", "SMS", "#9718F2", source=True, send=True, reaches=PHONE, also=("SMS list",),
            limits=Limits(segment_chars=160, segment_chars_unicode=70,
                          joined_segment_chars=153, joined_segment_chars_unicode=67)),
    # Marketing on WhatsApp is a template message, whose body holds 1,024 characters.
    Channel("whatsapp", "WhatsApp", "#ACBF73", source=False, send=True, reaches=PHONE,
            limits=Limits(text_chars=1_024)),
    Channel("contacts", "Phone contacts", "#E69F00", source=True, send=False, also=("Contacts",)),
    Channel("web", "Website", "#56B4E9", source=True, send=True, also=("Web",)),
    Channel("in_store", "In store", "#803C1A", source=False, send=True),
    Channel("other", "Other", "#5E5E5E", source=True, send=False),
    # What the user typed in themselves (a value, a tag, consent heard on the phone, a new
    # customer): a channel of its own, so every such fact says where it came from.
    Channel(HAND, "Entered by you", "#5544BB", source=False, send=False),
)

BY_CODE: dict[str, Channel] = {c.code: c for c in CHANNELS}
SOURCES: tuple[Channel, ...] = tuple(c for c in CHANNELS if c.source)
SENDS: tuple[Channel, ...] = tuple(c for c in CHANNELS if c.send)
# The channels a person's marketing consent is recorded for (email, SMS, WhatsApp).
CONSENT_CODES: tuple[str, ...] = tuple(c.code for c in CHANNELS if c.needs_consent)

# Colours for the channels users name themselves, picked by a hash of the code so each keeps its
# own: mid tones of Paul Tol's muted scheme and two more, visible on either theme like the rest.
SPARE_COLORS: tuple[str, ...] = ("#44AA99", "#999933", "#CC6677", "#AA4499", "#6B7A8F", "#AD1457")


# The labels of channels the user named, as typed ({"farmers_market_on_saturday": "Farmers Market on
# Saturday"}): the open workspace's, which it keeps (workspace.CHANNEL_LABELS) and an import that
# names one adds to.
_OWN_LABELS: dict[str, str] = {}


def use_own_labels(labels: dict[str, str]) -> None:
    """Show the channels the user named by these labels (code -> label as typed), and no others:
    the open workspace's.  A label that is not its code's own (another channel's) is left out."""
    _OWN_LABELS.clear()
    for code, label in labels.items():
        keep_own_label(code, label)


def keep_own_label(code: str, label: str) -> None:
    """Show the channel the user named ``code`` as ``label`` (as they typed it) from now on."""
    if isinstance(code, str) and isinstance(label, str) and code not in BY_CODE and own_channel_code(label) == code:
        _OWN_LABELS[code] = label


def own_labels() -> dict[str, str]:
    """The labels of the channels the user named, by code (the open workspace's, :func:`use_own_labels`)."""
    return dict(_OWN_LABELS)


def own_channel_label(text: str) -> str | None:
    """The label to keep for a channel of the user's own named ``text``: as typed, each run of
    spaces one space ("Farmers Market on Saturday"); None for a built-in channel's name, or one
    typed as its code ("farmers_market": nothing to keep, the label it shows is made from it)."""
    label = " ".join(text.split())
    if not label or channel_code(label) in BY_CODE or label == own_channel_code(label):
        return None
    return label


def channel(code: str) -> Channel:
    """The channel with this code; a channel the user named gets its label as typed (else one made
    from its code) and a spare colour."""
    known = BY_CODE.get(code)
    if known is not None:
        return known
    color = SPARE_COLORS[zlib.crc32(code.encode("utf-8")) % len(SPARE_COLORS)]
    label = _OWN_LABELS.get(code) or code.replace("_", " ").strip().capitalize() or "Unknown"
    return Channel(code, label, color, source=True, send=False)


def channel_name(code: str) -> str:
    """The channel's label, as every screen and printed line shows it ("pos" -> "Till")."""
    return channel(code).label


def channel_code(text: str) -> str:
    """The code for what a user typed: a channel's label, code or other name in any case, else one of their own.

    "till", "Till", "POS" and "Store / till" are all ``pos``.  A name of the user's
    own is kept in small letters with ``_`` for its spaces: "Farmers market" and
    "farmers  Market" are both ``farmers_market``, which shows as it was typed
    (:func:`own_channel_label`, kept by the workspace), else as "Farmers market".  A customer's channels are kept as one space-separated list
    (``Customer.channels``), so no code may hold a space: "Farmers market" would
    read as two channels, and a rule on a channel "market" would find it.
    """
    text = text.strip()
    key = text.casefold()
    for c in CHANNELS:
        if key in (c.code, c.label.casefold(), *(name.casefold() for name in c.also)):
            return c.code
    return own_channel_code(text)


def own_channel_code(text: str) -> str:
    """The code of a channel the user named: small letters, ``_`` for each run of spaces."""
    return "_".join(text.split()).lower()


def relative_luminance(color: str) -> float:
    """WCAG relative luminance of "#RRGGBB" (0 black, 1 white)."""
    def linear(part: str) -> float:
        c = int(part, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(color[i:i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG contrast ratio of two "#RRGGBB" colours, 1 to 21."""
    light, dark = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def ink(color: str) -> str:
    """Black or white, whichever text reads better on ``color``."""
    return "#000000" if contrast_ratio(color, "#000000") > contrast_ratio(color, "#FFFFFF") else "#FFFFFF"
