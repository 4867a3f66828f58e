"""The Shopify customers and orders exports, in Shopify's own layout."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from omnidesk.core.demo_data.shared import (
    CURRENCY,
    SHOPIFY_CUSTOMERS_FILE,
    SHOPIFY_CUSTOMERS_HEADER,
    SHOPIFY_ORDERS_FILE,
    SHOPIFY_ORDERS_HEADER,
    apostrophe_guard,
    money_text,
    shopify_time,
    write_export,
)
from omnidesk.core.demo_data.world import Render, World, make_orders


def _shop_emails(world: World) -> dict[str, str]:
    """The one address each Shopify customer account has (Shopify keys accounts on email)."""
    rng = world.rng("shop-email")
    render = Render(rng, "shop")
    used: dict[str, bool] = {}
    out: dict[str, str] = {}
    for p in world.people:
        if not p.in_("shop"):
            continue
        address = render.channel_email(p)
        if address.lower() in used:
            address = p.alt_email
        used[address.lower()] = True
        out[p.pid] = render.email(address)
    return out


def write_shopify(world: World, directory: Path) -> dict[str, bool]:
    """Write the customers and orders exports; return which customers are VIPs."""
    shop_email = _shop_emails(world)
    orders = make_orders(world)
    rng = world.rng("shopify")
    render = Render(rng, "shop")
    spent: dict[str, Decimal] = {}
    count: dict[str, int] = {}
    first_order: dict[str, datetime] = {}
    pickup: dict[str, bool] = {}
    for o in orders:
        pid = o.person.pid
        count[pid] = count.get(pid, 0) + 1
        spent.setdefault(pid, Decimal(0))
        if o.status != "refunded":
            spent[pid] += o.total
        first_order.setdefault(pid, o.created)
        if o.shipping_method == "Local Pickup":
            pickup[pid] = True

    # The top tenth by spend are tagged VIP, in Shopify and in Mailchimp.
    ranked = sorted(spent.values(), reverse=True)
    vip_floor = ranked[max(0, len(ranked) // 10 - 1)] if ranked else Decimal(0)
    vip = {pid: value >= vip_floor and value > 0 for pid, value in spent.items()}

    buyers = sorted((p for p in world.people if p.pid in count), key=lambda p: (first_order[p.pid], p.pid))
    names: dict[str, tuple[str, str]] = {}
    accepts_email: dict[str, bool] = {}
    rows = []
    customer_id = 7210458963201
    notes = (
        "Prefers whole bean", "Gift wrap, always", "Allergic to nuts - no hazelnut",
        "Wholesale enquiry, call first", "Ships to office on weekdays",
    )
    for p in buyers:
        customer_id += rng.randint(50_000_000, 2_000_000_000)
        first = render.first(p, clean=p.namesake is not None)
        last = render.last(p, clean=p.namesake is not None)
        names[p.pid] = (first, last)
        accepts = rng.random() < (0.85 if p.in_("email") else 0.12)
        accepts_email[p.pid] = accepts
        has_address = rng.random() < 0.93
        e164 = p.phone.e164 if p.phone and rng.random() < (0.9 if p.in_("sms") else 0.5) else ""
        addr_phone = ""
        if p.phone and has_address and rng.random() < 0.45:
            addr_phone = p.phone.fmt(rng.choice(("paren", "dash", "e164", "intl")))
        sms_ok = "yes" if e164 and p.in_("sms") and rng.random() < 0.8 else "no"
        wholesale = p.company is not None and rng.random() < 0.15
        tags = []
        if vip[p.pid]:
            tags.append("vip")
        if wholesale:
            tags.append("wholesale")
        if p.coffee_club:
            tags.append("coffee-club")
        if pickup.get(p.pid):
            tags.append("local-pickup")
        if p.in_("social"):
            tags.append("instagram")
        tier = ""
        if p.in_("pos"):
            tier = "Gold" if spent[p.pid] > 300 else "Silver" if spent[p.pid] > 120 else "Bronze"
        rows.append([
            f"'{customer_id}", first, last, shop_email[p.pid], "yes" if accepts else "no",
            p.company if has_address and p.company and rng.random() < 0.4 else "",
            p.street if has_address else "", p.address2 if has_address else "",
            p.city if has_address else "", p.region if has_address else "",
            p.country if has_address else "", apostrophe_guard(p.zip) if has_address else "",
            addr_phone, e164, sms_ok, money_text(spent[p.pid]), str(count[p.pid]),
            rng.choice(notes) if rng.random() < 0.05 else "",
            "yes" if wholesale else "no", ", ".join(tags), tier,
        ])
    write_export(directory / SHOPIFY_CUSTOMERS_FILE, SHOPIFY_CUSTOMERS_HEADER, rows)
    for i, p in enumerate(buyers, start=1):
        world.labels.add(SHOPIFY_CUSTOMERS_FILE, i, p.pid)

    # Shopify lists the newest order first.
    order_rows = []
    order_pids = []
    for o in reversed(orders):
        p = o.person
        first, last = names[p.pid]
        if rng.random() < 0.15:
            first = render.first(p)
        billing_phone = ""
        if p.phone and rng.random() < 0.55:
            billing_phone = p.phone.fmt(rng.choice(("paren", "dash", "e164", "intl", "plain")))
        for k, (prod, qty) in enumerate(o.lines):
            line_status = "fulfilled" if o.fulfilled else "pending"
            line = {
                "Name": o.name, "Lineitem quantity": str(qty), "Lineitem name": prod.name,
                "Lineitem price": money_text(prod.price), "Lineitem compare at price": "",
                "Lineitem sku": prod.sku, "Lineitem requires shipping": "true" if prod.shipping else "false",
                "Lineitem taxable": "true" if prod.taxable else "false",
                "Lineitem fulfillment status": line_status,
            }
            if k == 0:
                created = shopify_time(o.created)
                line.update({
                    "Email": shop_email[p.pid], "Financial Status": o.status,
                    "Paid at": shopify_time(o.created + timedelta(seconds=rng.randint(1, 20))),
                    "Fulfillment Status": "fulfilled" if o.fulfilled else "unfulfilled",
                    "Fulfilled at": shopify_time(o.fulfilled) if o.fulfilled else "",
                    "Accepts Marketing": "yes" if accepts_email[p.pid] else "no",
                    "Currency": CURRENCY, "Subtotal": money_text(o.subtotal),
                    "Shipping": money_text(o.shipping), "Taxes": money_text(o.taxes), "Total": money_text(o.total),
                    "Discount Code": o.discount_code,
                    "Discount Amount": money_text(o.discount) if o.discount_code else "0.00",
                    "Shipping Method": o.shipping_method, "Created at": created,
                    "Billing Name": f"{first} {last}",
                    "Billing Street": ", ".join(x for x in (p.street, p.address2) if x),
                    "Billing Address1": p.street, "Billing Address2": p.address2,
                    "Billing Company": (p.company or "") if rng.random() < 0.2 else "",
                    "Billing City": p.city, "Billing Zip": apostrophe_guard(p.zip),
                    "Billing Province": p.region, "Billing Country": p.country,
                    "Billing Phone": billing_phone,
                })
            order_rows.append([line.get(col, "") for col in SHOPIFY_ORDERS_HEADER])
            order_pids.append(p.pid)
    write_export(directory / SHOPIFY_ORDERS_FILE, SHOPIFY_ORDERS_HEADER, order_rows)
    for i, pid in enumerate(order_pids, start=1):
        world.labels.add(SHOPIFY_ORDERS_FILE, i, pid)
    return vip
