"""The values a message's tokens take for one customer, from their merged profile.

``{first_name}``, ``{city}`` and the like are the customer's golden values;
``{last_product}`` and ``{last_order_date}`` come from their merged timeline
(the latest order or till purchase on any channel that was not refunded or
cancelled: the seeds' "personalized offer from the combined profile");
``{lifetime_spend}`` is their spend on every channel in the shop's money;
``{offer_*}`` are the message's own; ``{business_name}`` the brand's;
``{custom.NAME}`` a custom field as the card shows it.  An absent value is
missing (None), so the template's fallback shows.

:func:`sample` picks the customers a preview renders for: the longest
rendering over a sample decides the SMS segment count a user is shown.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping, Sequence
from datetime import date

from sqlalchemy import func, select

from omnidesk.core.importing.names import compose_full_name
from omnidesk.core.importing.custom_fields import customer_fields
from omnidesk.core.models import Customer, Event
from omnidesk.core.money import NOT_SPEND, ORDER_TYPES, format_money, workspace_currency
from omnidesk.core.workspace import Workspace

BASE_TOKENS = ("first_name", "last_name", "full_name", "city", "last_product", "last_order_date",
               "lifetime_spend", "offer_code", "offer_value", "offer_expires", "business_name")


def nice_day(iso: str | None) -> str:
    """"2026-10-12..." -> "12 Oct 2026" ("" when there is no date)."""
    try:
        d = date.fromisoformat((iso or "")[:10])
    except ValueError:
        return ""
    return f"{d.day} {d:%b %Y}"


def _last_orders(conn, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """Customer -> (what they last bought, when), over every channel's orders and till sales."""
    ev = Event.__table__
    latest = (select(ev.c.customer_id, func.max(ev.c.occurred_utc).label("at"))
              .where(ev.c.customer_id.in_(list(ids)), ev.c.type.in_(ORDER_TYPES), ev.c.status.not_in(NOT_SPEND))
              .group_by(ev.c.customer_id).subquery())
    out: dict[int, tuple[str, str]] = {}
    rows = conn.execute(select(ev.c.customer_id, ev.c.summary, ev.c.details_json, ev.c.occurred_at, ev.c.id)
                        .join(latest, (latest.c.customer_id == ev.c.customer_id) & (latest.c.at == ev.c.occurred_utc))
                        .where(ev.c.type.in_(ORDER_TYPES), ev.c.status.not_in(NOT_SPEND)).order_by(ev.c.id))
    for cid, summary, details, occurred, _id in rows:
        items = json.loads(details or "{}").get("items") or []
        product = next((str(i.get("item_name")) for i in items if isinstance(i, dict) and i.get("item_name")), "")
        if not product and ":" in (summary or ""):
            product = summary.split(":", 1)[1].split(",")[0].strip()
        out[cid] = (product, occurred or "")
    return out


def customer_values(ws: Workspace, customer_ids: Sequence[int], *, master: Mapping[str, str] | None = None,
                    business_name: str = "") -> dict[int, dict[str, str | None]]:
    """Customer id -> token name -> value (None when the customer has none), for these customers."""
    ids = sorted({int(i) for i in customer_ids})
    master = master or {}
    cust = Customer.__table__
    currency = workspace_currency(ws)
    out: dict[int, dict[str, str | None]] = {}
    with ws.engine.connect() as conn:
        for start in range(0, len(ids), 900):
            part = ids[start:start + 900]
            orders = _last_orders(conn, part)
            for row in conn.execute(select(cust.c.id, cust.c.first_name, cust.c.last_name, cust.c.full_name,
                                           cust.c.city, cust.c.spend_minor).where(cust.c.id.in_(part))):
                product, when = orders.get(row.id, ("", ""))
                values: dict[str, str | None] = {
                    "first_name": row.first_name or None, "last_name": row.last_name or None,
                    "full_name": row.full_name or compose_full_name(row.first_name or "", "", row.last_name or "") or None,
                    "city": row.city or None, "last_product": product or None,
                    "last_order_date": nice_day(when) or None,
                    "lifetime_spend": format_money(row.spend_minor, currency) if row.spend_minor else None,
                    "offer_code": master.get("offer_code") or None, "offer_value": master.get("offer_value") or None,
                    "offer_expires": nice_day(master.get("offer_expires")) or None,
                    "business_name": business_name or None,
                }
                for field in customer_fields(conn, row.id):
                    values[f"custom.{field.name.casefold()}"] = field.display() or None
                out[row.id] = values
    return out


def custom_field_names(ws: Workspace) -> list[str]:
    """Every custom field name the workspace has (what ``{custom.NAME}`` may name)."""
    from omnidesk.core.models import CustomField

    cf = CustomField.__table__
    with ws.engine.connect() as conn:
        names = {n.casefold(): n for (n,) in conn.execute(select(cf.c.name).distinct())}
    return sorted(names.values(), key=str.casefold)


def sample(ws: Workspace, n: int = 20, *, seed: int = 0, among: Sequence[int] | None = None) -> list[int]:
    """``n`` customers to preview with, the same ones each time for the same seed (``among`` an audience)."""
    rng = random.Random(seed)
    if among is None:
        # A million customers: twenty index look-ups at random points, not a read of every id.
        cust = Customer.__table__
        picked: set[int] = set()
        with ws.engine.connect() as conn:
            low, high = conn.execute(select(func.min(cust.c.id), func.max(cust.c.id))).one()
            if low is None:
                return []
            total = conn.execute(select(func.count()).select_from(cust)).scalar_one()
            want = min(n, total)
            while len(picked) < want:
                at = rng.randint(low, high)
                found = conn.execute(select(cust.c.id).where(cust.c.id >= at, cust.c.id.not_in(picked))
                                     .order_by(cust.c.id).limit(1)).scalar()
                if found is None:
                    found = conn.execute(select(cust.c.id).where(cust.c.id.not_in(picked))
                                         .order_by(cust.c.id).limit(1)).scalar()
                picked.add(found)
        return sorted(picked)
    pool = sorted(set(among))
    if len(pool) <= n:
        return pool
    return sorted(rng.sample(pool, n))
