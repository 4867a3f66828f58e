"""How dates read on every screen: one format, so the list, the card and Review agree."""

from __future__ import annotations

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
