"""The products one purchase holds, whichever layout its import stored it in.

An import keeps a purchase (an ``order`` or ``purchase`` event) in one of these shapes:

- an order export spread over rows (Shopify, WooCommerce): ``details["items"]``, one
  ``item_name`` per line item, and a summary "Order #1001: Mug, Candle and 2 more";
- one row per sale (a till's transactions, Square's "Description", any file mapped to
  ``item_name``): ``details["item_name"]`` at the top level, often several products in
  one cell ("Latte x 2, Croissant", "Rooibos 3oz x1 + Maple board x1"), and a summary
  joined with " · " ("20154 · Rooibos 3oz x1 + Maple board x1");
- neither: only its text, where what follows a colon lists the products
  ("Till sale: Lavender candle x2, Matches").

:func:`products_of` reads all three, in that order, so the ``{last_product}`` token and
segment rules on items ("bought a lavender candle") name the same products.
"""

from __future__ import annotations

import re

from omnidesk.core.details import read_details
from omnidesk.core.text import strip_accents

NAME_CHARS = 300
# A quantity or a state written after a product ("Mug x2", "Mug × 2", "Mug (refunded)").
_QUANTITY = re.compile(r"\s+(?:x\s*\d+|×\s*\d+|\(\s*refunded\s*\))\s*$", re.I)
# A quantity written before it ("2 x Mug", "2× Mug").
_LEADING_QUANTITY = re.compile(r"^\d+\s*[x×]\s+", re.I)
# Between products in one cell: " + ", ", " or "; " (a comma inside a number, "1,000", is not).
_BETWEEN = re.compile(r"\s+\+\s+|\s*[,;]\s+")
# What an order's summary adds after its first three products, and after its names.
_MORE = re.compile(r"\s+and \d+ more\s*$", re.I)
_MONEY_NOTE = re.compile(r"\s+\((?:refunded|cancelled|voided|expired|failed|[^()]* refunded)\)\s*$", re.I)


def product_key(name: str) -> str:
    """A product name as rules match it: no case, no accents, single spaces."""
    return " ".join(strip_accents(name).casefold().split())


def _clean(name: str) -> str:
    name = " ".join(name.split())
    name = _QUANTITY.sub("", name)
    return _LEADING_QUANTITY.sub("", name)[:NAME_CHARS]


def products_of(summary: str | None, details_json: str | None) -> list[str]:
    """The products one order or till sale holds, in the order it lists them (none: ``[]``)."""
    details = read_details(details_json)
    names: list[str] = []
    items = details.get("items")
    if isinstance(items, list):
        names = [str(i["item_name"]) for i in items if isinstance(i, dict) and i.get("item_name")]
    if not names and details.get("item_name"):
        names = _BETWEEN.split(str(details["item_name"]))
    if not names and summary and ":" in summary:
        listed = summary.split(":", 1)[1]
        if not listed.startswith("//"):  # "https://…": a link, not a list
            listed = _MORE.sub("", _MONEY_NOTE.sub("", listed))
            names = listed.split(",")
    return [name for name in (_clean(n) for n in names) if name]


def first_product(summary: str | None, details_json: str | None) -> str:
    """The product a purchase names first ("" when it names none)."""
    found = products_of(summary, details_json)
    return found[0] if found else ""
