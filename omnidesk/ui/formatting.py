"""How dates read on every screen: one format, so the list, the card and Review agree."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime


def nice_date(iso: str | None) -> str:
    """"2026-10-31" (or a timestamp) -> "31 Oct 2026"; yearless birthdays "--05-12" -> "12 May"."""
    if not iso:
        return ""
    if iso.startswith("--"):
        try:
            d = date(2000, int(iso[2:4]), int(iso[5:7]))
        except ValueError:
            return iso
        return f"{d.day} {d:%B}"
    try:
        d = datetime.fromisoformat(iso[:10])
    except ValueError:
        return iso
    return f"{d.day} {d:%b %Y}"


def isolated(text: str) -> str:
    """``text`` set apart for bidirectional display (first-strong isolate) when it holds letters
    written right to left: a name in Arabic or Hebrew inside a sentence then keeps the words and
    marks around it where they are ("Open … ›", not "Open … ‹").  Other text is left as it is."""
    if not _right_to_left_letters(text):
        return text
    return f"\u2068{text}\u2069"


def isolated_path(text: str) -> str:
    """A file's name or a folder's path set apart left to right (left-to-right isolate) when it holds
    letters written right to left: it then reads as spelled on the disk, its ending last
    ("מבצע-אביב_email.csv", not ".csv" first as a Hebrew sentence would put it).  Other text is
    left as it is."""
    if not _right_to_left_letters(text):
        return text
    return f"\u2066{text}\u2069"


def _right_to_left_letters(text: str) -> bool:
    return not text.isascii() and any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


def left_to_right(text: str) -> str:
    """An English sentence (its names :func:`isolated`) laid out left to right, line by line: a
    line holding letters written right to left starts with a left-to-right mark.  A selectable
    label or a message box's text takes a line's direction from its first letter, even one inside
    an isolate: "מבצע אביב exported to …" came out right to left, its full stop at the left.
    Other lines are left as they are."""
    return "\n".join(f"\u200e{line}" if _right_to_left_letters(line) and not line.startswith("\u200e") else line
                     for line in text.split("\n"))
