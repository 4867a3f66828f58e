"""The values a message's tokens take for one customer, from their merged profile.

``{first_name}``, ``{city}`` and the like are the customer's golden values;
``{last_product}`` and ``{last_order_date}`` come from their merged timeline
(the latest order or till purchase on any channel that was not refunded or
cancelled: the seeds' "personalized offer from the combined profile"; the
product from an earlier purchase only when the latest names none);
``{lifetime_spend}`` is their spend on every channel in the shop's money;
``{offer_*}`` are the message's own; ``{business_name}`` the brand's;
``{custom.NAME}`` a custom field as the card shows it.  An absent value is
missing (None), so the template's fallback shows.

:func:`sample` picks the customers a preview renders for: the longest
rendering over a sample decides the SMS segment count a user is shown.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping, Sequence
from datetime import date

from sqlalchemy import func, select

from omnidesk.core.importing.names import compose_full_name
from omnidesk.core.importing.custom_fields import customers_fields
from omnidesk.core.models import Customer, Event
from omnidesk.core.money import NOT_SPEND, ORDER_TYPES, format_money, workspace_currency
from omnidesk.core.products import first_product
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
    """Customer -> (what they last bought, when), over every channel's orders and till sales.

    When is the latest purchase's time; what is the first product it names
    (core/products.py reads every layout an import stores), else the first product of
    the latest earlier purchase that names one.
    """
    ev = Event.__table__
    # "+ ''" keeps the planner on the customer index: the type index would walk every order.
    bought = (ev.c.customer_id.in_(list(ids)), (ev.c.type + "").in_(ORDER_TYPES), ev.c.status.not_in(NOT_SPEND))
    latest_first = (ev.c.occurred_utc.desc().nulls_last(), ev.c.id.desc())
    rank = func.row_number().over(partition_by=ev.c.customer_id, order_by=latest_first).label("rank")
    ranked = select(ev.c.customer_id, ev.c.summary, ev.c.details_json, ev.c.occurred_at, rank).where(*bought).subquery()
    out: dict[int, tuple[str, str]] = {}
    for cid, summary, details, occurred in conn.execute(
            select(ranked.c.customer_id, ranked.c.summary, ranked.c.details_json, ranked.c.occurred_at)
            .where(ranked.c.rank == 1)):
        out[cid] = (first_product(summary, details), occurred or "")
    # Only those whose latest purchase names no product read their earlier ones.
    missing = [cid for cid, (product, _) in out.items() if not product]
    for start in range(0, len(missing), 900):
        part = missing[start:start + 900]
        rows = conn.execute(select(ev.c.customer_id, ev.c.summary, ev.c.details_json)
                            .where(ev.c.customer_id.in_(part), *bought[1:])
                            .order_by(ev.c.customer_id, *latest_first))
        for cid, summary, details in rows:
            if not out[cid][0]:
                out[cid] = (first_product(summary, details), out[cid][1])
    return out


def shared_values(master: Mapping[str, str] | None = None, business_name: str = "") -> dict[str, str | None]:
    """The tokens that are the same for everyone: the message's offer and the brand's name.

    What a variant published for everyone (a post, the poster, the banner) is filled with.
    """
    master = master or {}
    return {"offer_code": master.get("offer_code") or None, "offer_value": master.get("offer_value") or None,
            "offer_expires": nice_day(master.get("offer_expires")) or None,
            "business_name": business_name or None}


def customer_values(ws: Workspace, customer_ids: Sequence[int], *, master: Mapping[str, str] | None = None,
                    business_name: str = "", only: Collection[str] | None = None
                    ) -> dict[int, dict[str, str | None]]:
    """Customer id -> token name -> value (None when the customer has none), for these customers.

    ``only``: the token names (canonical keys) that will be read; the purchases and the custom
    fields, the costly part, are then read only when one of them is asked for.
    """
    ids = sorted({int(i) for i in customer_ids})
    wanted = set(only) if only is not None else None
    want_orders = wanted is None or bool(wanted & {"last_product", "last_order_date"})
    want_custom = wanted is None or any(n.startswith("custom.") for n in wanted)
    shared = shared_values(master, business_name)
    cust = Customer.__table__
    currency = workspace_currency(ws)
    out: dict[int, dict[str, str | None]] = {}
    with ws.engine.connect() as conn:
        for start in range(0, len(ids), 900):
            part = ids[start:start + 900]
            orders = _last_orders(conn, part) if want_orders else {}
            fields = customers_fields(conn, part) if want_custom else {}
            for row in conn.execute(select(cust.c.id, cust.c.first_name, cust.c.last_name, cust.c.full_name,
                                           cust.c.city, cust.c.spend_minor).where(cust.c.id.in_(part))):
                product, when = orders.get(row.id, ("", ""))
                values: dict[str, str | None] = {
                    "first_name": row.first_name or None, "last_name": row.last_name or None,
                    "full_name": row.full_name or compose_full_name(row.first_name or "", "", row.last_name or "") or None,
                    "city": row.city or None, "last_product": product or None,
                    "last_order_date": nice_day(when) or None,
                    "lifetime_spend": format_money(row.spend_minor, currency) if row.spend_minor else None,
                    **shared,
                }
                for field in fields.get(row.id, ()):
                    values[f"custom.{field.name.casefold()}"] = field.display() or None
                out[row.id] = values
    return out


def customer_count(ws: Workspace) -> int:
    """How many customers the workspace has: what a sample of them is said against."""
    with ws.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Customer.__table__)).scalar_one()


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
