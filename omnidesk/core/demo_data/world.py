"""The demo's world: its people as each channel writes them (with noise), and the online shop's orders.

:class:`Render` gives a person's names and email the way one channel's records
show them; :func:`make_orders` invents the year of Shopify orders that the
email, till and lead files line up with.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from omnidesk.core.demo_data.people import Person
from omnidesk.core.demo_data.shared import (
    HOME_REGION,
    Labels,
    MAINE_SALES_TAX,
    ONLINE_HOURS,
    ONLINE_WEIGHTS,
    Product,
    catalogue,
    moment_on,
    random_day,
    strip_accents,
    weighted,
)


_KEY_NEIGHBOURS = {
    "a": "sqw", "b": "vn", "c": "xv", "d": "sf", "e": "wr", "f": "dg", "g": "fh", "h": "gj",
    "i": "uo", "j": "hk", "k": "jl", "l": "k", "m": "n", "n": "bm", "o": "ip", "p": "o",
    "q": "w", "r": "et", "s": "ad", "t": "ry", "u": "yi", "v": "cb", "w": "qe", "x": "zc",
    "y": "tu", "z": "x",
}

# Probability that someone who goes by a nickname shows it in a channel.
_NICK_RATE = {"shop": 0.45, "email": 0.45, "pos": 0.7, "social": 0.85, "sms": 0.9, "contacts": 0.95}
_DEACCENT_RATE = {"shop": 0.3, "email": 0.3, "pos": 0.5, "social": 0.35, "sms": 0.6, "contacts": 0.4}
_TYPO_RATE = 0.012


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    i = rng.randint(1, len(word) - 2)
    op = rng.randrange(4)
    if op == 0:
        c = word[i].lower()
        repl = rng.choice(_KEY_NEIGHBOURS.get(c, "e"))
        return word[:i] + repl + word[i + 1:]
    if op == 1:
        return word[:i] + word[i + 1:]
    if op == 2:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word[:i] + word[i] + word[i:]


class Render:
    """Per-channel renderer of a person's names and addresses, with noise."""

    def __init__(self, rng: random.Random, channel: str):
        self.rng = rng
        self.channel = channel

    def first(self, p: Person, clean: bool = False) -> str:
        rng = self.rng
        name = p.first
        if p.nicks:
            rate = _NICK_RATE[self.channel] if p.goes_by_nick else 0.03
            if rng.random() < rate:
                name = p.nicks[0] if rng.random() < 0.8 or len(p.nicks) == 1 else p.nicks[1]
        if clean:
            return name
        return self._noise(name)

    def last(self, p: Person, clean: bool = False) -> str:
        return p.last if clean else self._noise(p.last)

    def _noise(self, name: str) -> str:
        rng = self.rng
        if name != strip_accents(name) and rng.random() < _DEACCENT_RATE[self.channel]:
            name = strip_accents(name)
        if rng.random() < _TYPO_RATE:
            name = _typo(rng, name)
        return name

    def email(self, address: str, case_rate: float = 0.04, space_rate: float = 0.02) -> str:
        rng = self.rng
        if rng.random() < case_rate:
            local, _, domain = address.partition("@")
            if rng.random() < 0.6:
                address = f"{local[:1].upper()}{local[1:]}@{domain}"
            else:
                address = f"{local}@{domain.upper()}"
        if rng.random() < space_rate:
            address = rng.choice((f" {address}", f"{address} ", f"{address}  "))
        return address

    def channel_email(self, p: Person) -> str:
        if p.work_email and self.channel in p.work_channels:
            return p.work_email
        return p.email


@dataclass
class World:
    people: list[Person]
    today: date
    start: date
    end: date
    seed: int
    labels: Labels

    def rng(self, name: str) -> random.Random:
        return random.Random(f"{self.seed}:{name}")


@dataclass
class _Order:
    person: Person
    created: datetime
    lines: list[tuple[Product, int]]
    subtotal: Decimal
    discount_code: str
    discount: Decimal
    shipping: Decimal
    shipping_method: str
    taxes: Decimal
    total: Decimal
    status: str
    fulfilled: datetime | None
    name: str = ""


def _pick_products(rng: random.Random, day: date, holiday: bool) -> list[tuple[Product, int]]:
    products = [p for p in catalogue() if p.category != "subscription"]
    if not holiday:
        products = [p for p in products if "Holiday" not in p.name]
    weights = [{"coffee": 10, "tea": 6, "homeware": 3, "gift": 1}[p.category] for p in products]
    count = weighted(rng, (1, 2, 3, 4), (45, 32, 15, 8))
    chosen: list[Product] = []
    while len(chosen) < count:
        item = weighted(rng, products, weights)
        if item not in chosen:
            chosen.append(item)
    return [(item, weighted(rng, (1, 2, 3), (80, 16, 4))) for item in chosen]


def is_holiday(day: date) -> bool:
    return (day.month == 11 and day.day >= 10) or day.month == 12


def make_orders(world: World) -> list[_Order]:
    rng = world.rng("orders")
    subscription = next(p for p in catalogue() if p.category == "subscription")
    orders: list[_Order] = []
    span = (world.end - world.start).days
    for p in world.people:
        if not p.in_("shop"):
            continue
        days: list[date] = []
        if p.coffee_club:
            first = world.start + timedelta(days=rng.randint(0, max(0, span - 40)))
            d = first
            while d <= world.end:
                days.append(d)
                d += timedelta(days=rng.randint(28, 33))
        else:
            n = weighted(rng, (1, 2, 3, 4, 5, 6, 8, 10), (44, 22, 12, 8, 5, 4, 3, 2))
            days = sorted(random_day(rng, world.start, world.end) for _ in range(n))
        pickup_ok = p.local and rng.random() < 0.4
        for k, day in enumerate(days):
            created = moment_on(day, rng, ONLINE_HOURS, ONLINE_WEIGHTS)
            if p.coffee_club:
                lines = [(subscription, 1)]
                if rng.random() < 0.25:
                    lines += _pick_products(rng, day, is_holiday(day))[:1]
            else:
                lines = _pick_products(rng, day, is_holiday(day))
            subtotal = sum((prod.price * qty for prod, qty in lines), Decimal(0))
            code, pct = "", Decimal(0)
            roll = rng.random()
            if k == 0 and roll < 0.18:
                code, pct = "WELCOME10", Decimal("0.10")
            elif is_holiday(day) and roll < 0.30:
                code, pct = "HOLIDAY20", Decimal("0.20")
            elif roll < 0.06:
                code, pct = "HARBOR15", Decimal("0.15")
            discount = (subtotal * pct).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            needs_shipping = any(prod.shipping for prod, _ in lines)
            if not needs_shipping:
                method, shipping = "", Decimal(0)
            elif p.country != "US":
                method, shipping = "International Shipping", Decimal("24.00")
            elif pickup_ok and rng.random() < 0.6:
                method, shipping = "Local Pickup", Decimal(0)
            elif subtotal - discount >= 50:
                method, shipping = "Free Shipping", Decimal(0)
            else:
                method, shipping = "Standard Shipping", Decimal("6.95")
            taxes = Decimal(0)
            if p.country == "US" and (p.region == HOME_REGION or method == "Local Pickup"):
                taxable = sum((prod.price * qty for prod, qty in lines if prod.taxable), Decimal(0))
                taxes = (taxable * (1 - pct) * MAINE_SALES_TAX).quantize(
                    Decimal("0.01"), rounding=ROUND_HALF_UP)
            total = subtotal - discount + shipping + taxes
            age = (world.today - day).days
            status = "refunded" if rng.random() < 0.02 else "paid"
            fulfilled = None
            if status == "paid" and age > 2:
                fulfilled = created + timedelta(hours=rng.randint(6, 60), minutes=rng.randint(0, 59))
            orders.append(_Order(p, created, lines, subtotal, code, discount, shipping, method,
                                 taxes, total, status, fulfilled))
    orders.sort(key=lambda o: (o.created, o.person.pid))
    for i, order in enumerate(orders):
        order.name = f"#{1001 + i}"
    return orders
