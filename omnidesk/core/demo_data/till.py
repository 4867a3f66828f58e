"""The till's receipts and loyalty members: semicolon-separated, Windows-1252, dd/mm/yyyy, decimal commas."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from omnidesk.core.demo_data.people import Person
from omnidesk.core.demo_data.shared import (
    MAINE_SALES_TAX,
    TILL_HOURS,
    TILL_MEMBERS_FILE,
    TILL_MEMBERS_HEADER,
    TILL_TRANSACTIONS_FILE,
    TILL_TRANSACTIONS_HEADER,
    TILL_WEIGHTS,
    catalogue,
    comma_money,
    moment_on,
    random_day,
    to_cp1252,
    weighted,
    write_export,
)
from omnidesk.core.demo_data.world import Render, World, is_holiday


def _till_name(first: str, last: str, caps: bool) -> str:
    name = f"{last}, {first}"
    return name.upper() if caps else name


def write_till(world: World, directory: Path) -> None:
    rng = world.rng("till")
    render = Render(rng, "pos")
    members = [p for p in world.people if p.in_("pos")]
    signed: list[tuple[date, Person]] = []
    for p in members:
        before = rng.random() < 0.55
        lo = date(world.start.year - 4, 3, 1) if before else world.start
        hi = world.start - timedelta(days=1) if before else world.end - timedelta(days=3)
        signed.append((random_day(rng, lo, hi), p))
    signed.sort(key=lambda t: (t[0], t[1].pid))

    member_rows = []
    cards: dict[str, str] = {}
    till_names: dict[str, str] = {}
    till_mobiles: dict[str, str] = {}
    card_no = 100_000 + rng.randint(0, 900)
    for day, p in signed:
        card_no += rng.randint(1, 9)
        cards[p.pid] = str(card_no)
        caps = rng.random() < 0.15
        name = to_cp1252(_till_name(render.first(p), render.last(p), caps))
        till_names[p.pid] = name
        mobile = ""
        if p.phone and rng.random() < 0.85:
            mobile = p.phone.fmt(rng.choice(("space", "plain", "paren", "dash", "national")))
        till_mobiles[p.pid] = mobile
        email = ""
        if rng.random() < 0.70 or p.family is not None:
            email = render.email(p.email if p.family is not None else render.channel_email(p))
        dob = f"{p.birthday:%d/%m/%Y}" if p.birthday and rng.random() < 0.5 else ""
        member_rows.append([cards[p.pid], name, mobile, to_cp1252(email), dob, f"{day:%d/%m/%Y}"])
    write_export(directory / TILL_MEMBERS_FILE, TILL_MEMBERS_HEADER, member_rows,
           encoding="cp1252", delimiter=";")
    for i, (_, p) in enumerate(signed, start=1):
        world.labels.add(TILL_MEMBERS_FILE, i, p.pid)

    products = [p for p in catalogue() if p.category not in ("subscription",)]
    weights = [{"coffee": 10, "tea": 7, "homeware": 4, "gift": 1}[p.category] for p in products]

    def basket(day: date) -> tuple[str, Decimal]:
        n = weighted(rng, (1, 2, 3), (60, 30, 10))
        items = []
        total = Decimal(0)
        for _ in range(n):
            prod = weighted(rng, products, weights)
            if "Holiday" in prod.name and not is_holiday(day):
                prod = products[0]
            qty = weighted(rng, (1, 2), (85, 15))
            price = prod.price * qty
            if prod.taxable:
                price += (price * MAINE_SALES_TAX).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            total += price
            items.append(f"{prod.name} x{qty}")
        return " + ".join(items), total

    receipts: list[tuple[datetime, str | None, list[str]]] = []
    signup = {p.pid: d for d, p in signed}
    for p in members:
        if p.local:
            visits = weighted(rng, (1, 2, 3, 5, 8, 12, 20), (18, 18, 16, 16, 14, 10, 8))
        else:
            visits = rng.randint(1, 2)
        first_day = max(world.start, signup[p.pid])
        for _ in range(visits):
            day = random_day(rng, first_day, world.end)
            when = moment_on(day, rng, TILL_HOURS, TILL_WEIGHTS)
            roll = rng.random()
            if roll < 0.78:
                customer, card = till_names[p.pid], cards[p.pid]
                mobile = till_mobiles[p.pid] if rng.random() < 0.4 else ""
            elif roll < 0.88:
                customer, card, mobile = "", cards[p.pid], ""
            else:
                # Forgot the card: the cashier typed the name and asked for the number.
                customer = to_cp1252(_till_name(render.first(p), render.last(p), False))
                card = ""
                mobile = p.phone.fmt(rng.choice(("plain", "space"))) if p.phone else ""
            items, total = basket(day)
            receipts.append((when, p.pid, [customer, mobile, card, items, comma_money(total)]))
    walk_ins = int(len(receipts) * 1.2) + 3
    for _ in range(walk_ins):
        day = random_day(rng, world.start, world.end)
        when = moment_on(day, rng, TILL_HOURS, TILL_WEIGHTS)
        items, total = basket(day)
        receipts.append((when, None, ["", "", "", items, comma_money(total)]))
    receipts.sort(key=lambda r: (r[0], r[1] or ""))
    rows = []
    receipt_no = 20_000 + rng.randint(0, 5000)
    for when, _, rest in receipts:
        receipt_no += 1
        rows.append([f"{when:%d/%m/%Y}", f"{when:%H:%M}", str(receipt_no)] + [to_cp1252(v) for v in rest])
    write_export(directory / TILL_TRANSACTIONS_FILE, TILL_TRANSACTIONS_HEADER, rows,
           encoding="cp1252", delimiter=";")
    for i, (_, pid, _) in enumerate(receipts, start=1):
        if pid is not None:
            world.labels.add(TILL_TRANSACTIONS_FILE, i, pid)
