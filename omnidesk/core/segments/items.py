"""What customers bought, by product: the index behind segment rules on items.

A rule such as ``{"field": "event.purchase", "op": "exists", "item": "lavender candle"}``
asks for the customers who bought a product whose name holds those words.  Reading
every order's text for it takes seconds over millions of orders, so each import's
orders and till sales are read once into ``product`` (one row per product name,
folded: case, accents and spaces) and ``event_product`` (which products each order
holds, as core/products.py reads them: an order export's line items, a till sale's
items, else the part of its text after the colon).

The index is kept per import (``product_batch``), brought up to date when a rule on
items is asked (:func:`ensure_products`); rows of an import not in it yet (or of any
import, where the workspace cannot be written now: opened read-only, or busy) are read
the same way one by one (``od_bought``, dialect.py), so an answer is never stale and
never depends on which command asks.  Deleting an event (an import taken
back, a person erased) deletes its rows here too.
"""

from __future__ import annotations

import json

from sqlalchemy import delete, exists, insert, select

from omnidesk.core.models import Event, EventProduct, ImportBatch, Product, ProductBatch, Setting
from omnidesk.core.money import ORDER_TYPES
from omnidesk.core.products import product_key, products_of

_CHUNK = 20_000
# Which reading of a purchase's products the index holds (core/products.py).  An index made
# by an older reading is rebuilt on first use; until then rules read every order's text.
# 2: a till sale's products (an item at the top of its details) are read too.
INDEX_VERSION = 2
INDEX_SETTING = "product_index_version"


def index_current():
    """A SQL condition: the workspace's product index was made by this reading (:data:`INDEX_VERSION`)."""
    setting = Setting.__table__
    return exists().where(setting.c.key == INDEX_SETTING, setting.c.value == json.dumps(INDEX_VERSION))


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
    """Bring the product index up to date, when the workspace can be written now (else rules read the
    orders not in it the way it reads them: the same answer, slower)."""
    from omnidesk.core.workspace import WorkspaceError

    if getattr(workspace, "readonly", False):
        return
    with workspace.engine.connect() as conn:
        if conn.execute(select(index_current())).scalar() and not unindexed_batches(conn):
            return
    try:
        with workspace.writing_quietly(wait=0.5) as conn:
            if not conn.execute(select(index_current())).scalar():
                _forget_index(conn)
            index_products(conn, unindexed_batches(conn))
    except WorkspaceError:
        pass  # busy with an import in another window: the rule reads those orders itself this time


def _forget_index(conn) -> None:
    """Empty an index an older reading made, and mark it as this reading's (it fills again next)."""
    for table in (EventProduct.__table__, ProductBatch.__table__, Product.__table__):
        conn.execute(delete(table))
    setting = Setting.__table__
    conn.execute(delete(setting).where(setting.c.key == INDEX_SETTING))
    conn.execute(insert(setting).values(key=INDEX_SETTING, value=json.dumps(INDEX_VERSION)))
