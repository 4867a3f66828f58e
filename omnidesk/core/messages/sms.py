"""How many SMS segments a text takes, and which characters make it dearer.

An SMS carries 140 octets.  Text made only of the GSM 03.38 default alphabet goes as
GSM-7: 160 septets in one message.  The alphabet's extension table (``| ^ € { } [ ] ~ \\``
and the form feed) is reached through an escape septet, so each of those characters
takes two.  A single character outside both tables sends the whole message as UCS-2:
70 UTF-16 code units, so a character outside the Basic Multilingual Plane (most emoji)
takes two.  A longer text goes as concatenated segments, each giving six octets to the
header that joins them: 153 septets or 67 code units a segment.  A character is never
cut in two: an escape pair or a surrogate pair that would straddle a boundary moves
whole to the next segment, leaving the room before it unused.

The rules and the tables follow Twilio's open-source segment calculator
(TwilioDevEd/message-segment-calculator, MIT), whose test vectors
tests/core/messages/test_sms.py ports.  Where it differs: it keeps a whole grapheme
cluster (a flag, a family emoji, a letter with combining accents) in one segment; here,
as handsets split text, only escape and surrogate pairs are kept whole.  A cluster
split across two segments is joined again by the receiving phone before it is shown,
and the two counts differ only when such a cluster straddles a boundary.

:func:`plain_text` swaps the look-alikes word processors put in (curly quotes, dashes,
ellipsis, non-breaking spaces, bullets) for GSM-7 characters, so a message that went
UCS-2 for a typographic apostrophe can go back to 160 characters a message.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import regex

GSM7, UCS2 = "GSM-7", "UCS-2"

# GSM 03.38 default alphabet, in table order (0x00-0x7F; 0x1B is the escape, not a character).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Its extension table: each is sent as the escape septet and one more.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

SINGLE_GSM7, JOINED_GSM7 = 160, 153
SINGLE_UCS2, JOINED_UCS2 = 70, 67

_NOT_GSM7 = re.compile("[^" + re.escape("".join(sorted(GSM7_BASIC | GSM7_EXTENSION))) + "]")


@dataclass(frozen=True)
class SmsStats:
    """What sending a text by SMS costs.

    ``length`` is in septets (GSM-7) or UTF-16 code units (UCS-2); ``segments`` is 0 for an
    empty text; ``per_segment`` is the room of each segment as the text is sent (160 or 70
    alone, 153 or 67 joined); ``remaining`` is the room left in the last segment;
    ``unicode_chars`` are the distinct characters that force UCS-2, in order of appearance.
    """

    encoding: str
    length: int
    segments: int
    per_segment: int
    remaining: int
    unicode_chars: tuple[str, ...] = ()


def is_gsm7(text: str) -> bool:
    """True when every character of ``text`` is in the GSM-7 alphabet or its extension table."""
    return _NOT_GSM7.search(text) is None


def unicode_chars(text: str) -> tuple[str, ...]:
    """The distinct characters of ``text`` outside GSM-7, in order of first appearance."""
    return tuple(dict.fromkeys(m.group() for m in _NOT_GSM7.finditer(text)))


def _size(ch: str, gsm: bool) -> int:
    if gsm:
        return 2 if ch in GSM7_EXTENSION else 1
    return 2 if ord(ch) > 0xFFFF else 1


def _spans(text: str, gsm: bool) -> tuple[list[tuple[int, int, int]], int]:
    """Each segment as (start, end, size), and the room of one segment as sent."""
    sizes = [_size(ch, gsm) for ch in text]
    total = sum(sizes)
    single, joined = (SINGLE_GSM7, JOINED_GSM7) if gsm else (SINGLE_UCS2, JOINED_UCS2)
    if total <= single:
        return ([(0, len(text), total)] if text else []), single
    spans = []
    start, used = 0, 0
    for i, size in enumerate(sizes):
        if used + size > joined:
            spans.append((start, i, used))
            start, used = i, 0
        used += size
    spans.append((start, len(text), used))
    return spans, joined


def sms_stats(text: str) -> SmsStats:
    """The encoding, length and segment count of ``text`` sent as one SMS."""
    odd = unicode_chars(text)
    gsm = not odd
    spans, room = _spans(text, gsm)
    last = spans[-1][2] if spans else 0
    return SmsStats(
        encoding=GSM7 if gsm else UCS2,
        length=sum(size for _, _, size in spans),
        segments=len(spans),
        per_segment=room,
        remaining=room - last,
        unicode_chars=odd,
    )


def split_segments(text: str) -> list[str]:
    """The texts of the segments ``text`` is sent as; they join back to ``text`` ([] for "")."""
    spans, _ = _spans(text, is_gsm7(text))
    return [text[start:end] for start, end, _ in spans]


def _fullwidth() -> dict[str, str]:
    # The fullwidth forms of ASCII (U+FF01-FF5E) that stand for a GSM-7 character.
    table = {}
    for code in range(0xFF01, 0xFF5F):
        plain = chr(code - 0xFEE0)
        if plain in GSM7_BASIC or plain in GSM7_EXTENSION:
            table[chr(code)] = plain
    return table


# Each character a word processor, a phone keyboard or a copied web page puts in where a
# GSM-7 one was meant.  Letters with accents outside GSM-7 (á, ç, ł) are not here: they are
# spelling, and replacing them would change a name.
LOOKALIKES: dict[str, str] = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u00b4": "'", "`": "'", "\u02bc": "'", "\u02b9": "'", "\u02c8": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"', "\u2039": "<", "\u203a": ">",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-", "\u2043": "-", "\u00ad": "",
    "\u2026": "...", "\u203c": "!!", "\u2047": "??", "\u2048": "?!", "\u2049": "!?",
    "\u2022": "-", "\u2023": "-", "\u25e6": "-", "\u2219": "-", "\u00b7": "-", "\u25aa": "-",
    "\u00a0": " ", "\u202f": " ", "\u2007": " ", "\u2000": " ", "\u2001": " ", "\u2002": " ",
    "\u2003": " ", "\u2004": " ", "\u2005": " ", "\u2006": " ", "\u2008": " ", "\u2009": " ",
    "\u200a": " ", "\u205f": " ", "\u3000": " ", "\t": " ", "\u2028": "\n", "\u2029": "\n",
    "\u200b": "", "\u2060": "", "\ufeff": "",
    "\u00d7": "x", "\u00f7": "/", "\u2044": "/", "\u2215": "/",
    "\u00bd": "1/2", "\u00bc": "1/4", "\u00be": "3/4",
    "\u2122": "TM", "\u00a9": "(c)", "\u00ae": "(R)", "\u2116": "No.",
    "\u02c6": "^", "\u02dc": "~", "\u223c": "~",
    "\u3001": ",", "\u3002": ".",
    **_fullwidth(),
}

_LOOKALIKE = re.compile("[" + re.escape("".join(LOOKALIKES)) + "]")


def replacements(text: str) -> dict[str, str]:
    """Each look-alike in ``text`` that forces UCS-2, with the GSM-7 text :func:`plain_text` puts instead.

    In order of first appearance; characters with no GSM-7 look-alike (emoji, other
    alphabets) are not included.
    """
    return {m.group(): LOOKALIKES[m.group()] for m in _LOOKALIKE.finditer(text)}


def plain_text(text: str) -> str:
    """``text`` with every look-alike of :data:`LOOKALIKES` replaced by its GSM-7 text."""
    return _LOOKALIKE.sub(lambda m: LOOKALIKES[m.group()], text)


def char_name(ch: str) -> str:
    """``ch`` as a hint shows it: itself, or its Unicode name when it cannot be seen."""
    if unicodedata.category(ch)[0] in "ZCM" or ch.isspace():
        name = unicodedata.name(ch, "").lower() or "control character"
        return f"the {name} (U+{ord(ch):04X})"
    return ch


_GRAPHEME = regex.compile(r"\X")
ISOLATES = "\u2068\u2069"  # FSI and PDI, set around a right-to-left value as it is filled in


def forcing_ucs2(text: str, *, isolates: bool = True) -> list[str]:
    """What in ``text`` forces UCS-2, as a reader sees it: each distinct grapheme cluster holding a
    character outside GSM-7 (a flag, a family emoji joined by zero-width joiners, a letter with
    its accent: each one), in order of first appearance, an invisible one by its name
    (:func:`char_name`).  Without ``isolates`` the isolates around a filled-in value are left
    out: they come with a right-to-left value, which forces UCS-2 itself."""
    if not isolates:
        text = text.translate({ord(ch): None for ch in ISOLATES})
    found = dict.fromkeys(cluster for cluster in _GRAPHEME.findall(text) if _NOT_GSM7.search(cluster))
    return [char_name(cluster) if len(cluster) == 1 else cluster for cluster in found]


def plain_words(plain: str) -> str:
    """A look-alike's GSM-7 text as a hint says it: "a space", "a line break", "nothing", or itself."""
    return {"": "nothing", " ": "a space", "\n": "a line break"}.get(plain, plain)


def hints(text: str) -> list[str]:
    """One sentence for each character that forces UCS-2, naming its replacement where there is one.

    "’ forces UCS-2; replace with '", or "😀 forces UCS-2" when nothing can stand for it.
    """
    swaps = replacements(text)
    out = []
    for ch in unicode_chars(text):
        if ch in swaps:
            plain = swaps[ch]
            instead = {"": "remove it", " ": "replace with a space", "\n": "replace with a line break"}.get(
                plain, f"replace with {plain}")
            out.append(f"{char_name(ch)} forces UCS-2; {instead}")
        else:
            out.append(f"{char_name(ch)} forces UCS-2")
    return out
