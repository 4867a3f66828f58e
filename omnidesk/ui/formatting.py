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
    if text.isascii() or not any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text):
        return text
    return f"\u2068{text}\u2069"
