"""What customers bought, by product: the index behind segment rules on items.

A rule such as ``{"field": "event.purchase", "op": "exists", "item": "lavender candle"}``
asks for the customers who bought a product whose name holds those words.  Reading
every order's text for it takes seconds over millions of orders, so each import's
orders and till sales are read once into ``product`` (one row per product name,
folded: case, accents and spaces) and ``event_product`` (which products each order
holds): an order export's line items, else the part of its text after the colon
("Order #1001: Maple board, Mug" holds "Maple board" and "Mug").

The index is kept per import (``product_batch``), brought up to date when a rule on
items is asked (:func:`ensure_products`); rows of an import not in it yet are read
from their text, so an answer is never stale.  Deleting an event (an import taken
back, a person erased) deletes its rows here too.
"""

from __future__ import annotations

import json
import re

from sqlalchemy import insert, select

from omnidesk.core.models import Event, EventProduct, ImportBatch, Product, ProductBatch
from omnidesk.core.money import ORDER_TYPES
from omnidesk.core.text import strip_accents

_CHUNK = 20_000
_QUANTITY = re.compile(r"\s+(?:x\s*\d+|×\s*\d+|\(\s*refunded\s*\))\s*$", re.I)


def product_key(name: str) -> str:
    """A product name as rules match it: no case, no accents, single spaces."""
    return " ".join(strip_accents(name).casefold().split())


def products_of(summary: str | None, details_json: str | None) -> list[str]:
    """The products one order or sale holds: its line items, else its text after the colon."""
    names: list[str] = []
    if details_json and details_json != "{}":
        try:
            items = json.loads(details_json).get("items") or []
        except (ValueError, AttributeError):
            items = []
        names = [str(i.get("item_name")) for i in items if isinstance(i, dict) and i.get("item_name")]
    if not names and summary and ":" in summary:
        names = [part for part in summary.split(":", 1)[1].split(",")]
    out = []
    for name in names:
        name = _QUANTITY.sub("", " ".join(name.split()))
        if name:
            out.append(name[:300])
    return out


def unindexed_batches(conn) -> list[int]:
    batch, pb = ImportBatch.__table__, ProductBatch.__table__
    return list(conn.execute(select(batch.c.id).where(batch.c.status == "done",
                                                      batch.c.id.not_in(select(pb.c.batch_id)))).scalars())


def index_products(conn, batch_ids: list[int]) -> int:
    """Read these imports' orders and sales into the product index (in the caller's transaction)."""
    ev, prod, link, pb = Event.__table__, Product.__table__, EventProduct.__table__, ProductBatch.__table__
    keys = dict(conn.execute(select(prod.c.key, prod.c.id)).all())
    added = 0
    for batch_id in batch_ids:
        rows = conn.execute(select(ev.c.id, ev.c.summary, ev.c.details_json)
                            .where(ev.c.batch_id == batch_id, ev.c.type.in_(ORDER_TYPES))).all()
        pairs: list[dict] = []
        for event_id, summary, details in rows:
            seen = set()
            for name in products_of(summary, details):
                key = product_key(name)
                if key in seen:
                    continue
                seen.add(key)
                product_id = keys.get(key)
                if product_id is None:
                    product_id = keys[key] = conn.execute(
                        insert(prod).returning(prod.c.id).values(name=name, key=key)).scalar_one()
                pairs.append({"product_id": product_id, "event_id": event_id})
        for start in range(0, len(pairs), _CHUNK):
            conn.execute(insert(link), pairs[start:start + _CHUNK])
        conn.execute(insert(pb).values(batch_id=batch_id))
        added += len(pairs)
    return added


def ensure_products(workspace) -> None:
    """Bring the product index up to date, when the workspace can be written now (else rules read text)."""
    from omnidesk.core.workspace import WorkspaceError

    if getattr(workspace, "readonly", False):
        return
    with workspace.engine.connect() as conn:
        if not unindexed_batches(conn):
            return
    try:
        with workspace.writing(wait=0.5) as conn:
            index_products(conn, unindexed_batches(conn))
    except WorkspaceError:
        pass  # busy with an import in another window: the rule reads the text this time
