""""In the last N days" counts a till's sales on the shop's clock, an online order's in UTC.

A till's transactions export may give each sale's date and time without an offset and no zone
(Square's Time Zone column empty): the import keeps that time as written, on the shop's clock (the
``timezone`` setting), and an online shop's orders export gives its times with an offset, kept as
the instant in UTC.  A rule's
``within_days N`` counts from the same instant N days ago up to now (README), so each event is
compared on its own clock: a sale at the till 21½ hours ago is in the last day wherever the shop
is, one 25 hours ago is not, and neither is one a till dated an hour or two ahead of now — for a
shop west of UTC (New York) as for one east of it (Tokyo), whatever zone the computer is in.
Such a rule and ``last_seen`` say the same of every customer.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import time_machine

from omnidesk.core.importing.pipeline import import_file
from tests.core.test_money import _square_transactions, order, shopify_orders
from tests.helpers import machine_in_zone, rule_count_by_cli as _count, rule_names as _names

sydney = machine_in_zone("Australia/Sydney")  # the computer is elsewhere: the shop's clock counts

NOW = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)  # 21:00 on 17 November in New York, 11:00 on the 18th in Tokyo

# Per shop: each customer's till sale on the shop's clock, or online order with its offset, and
# whether it is in the last day at NOW.
SHOPS = {
    "America/New_York": {
        "till": {"Leo": ("2026-11-16", "23:30:00", True),    # 04:30 UTC on the 17th: 21½ hours ago
                 "Mia": ("2026-11-16", "20:30:00", False),   # 01:30 UTC: 24½ hours ago
                 "Ned": ("2026-11-17", "22:30:00", False)},  # 03:30 UTC on the 18th: ahead of now
        "online": {"Ola": ("2026-11-17 01:00:00 -0500", True),    # 06:00 UTC: 20 hours ago
                   "Pat": ("2026-11-16 20:30:00 -0500", False)},  # 01:30 UTC: 24½ hours ago
    },
    "Asia/Tokyo": {
        "till": {"Leo": ("2026-11-17", "14:00:00", True),    # 05:00 UTC on the 17th: 21 hours ago
                 "Mia": ("2026-11-17", "10:00:00", False),   # 01:00 UTC: 25 hours ago
                 "Ned": ("2026-11-18", "12:00:00", False)},  # 03:00 UTC on the 18th: ahead of now
        "online": {"Ola": ("2026-11-18 10:30:00 +0900", True),    # 01:30 UTC on the 18th: half an hour ago
                   "Pat": ("2026-11-18 12:00:00 +0900", False)},  # 03:00 UTC: ahead of now
    },
}


@pytest.fixture(autouse=True)
def now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(params=sorted(SHOPS))
def shop(request, make_workspace, tmp_path):
    zone = request.param
    ws = make_workspace(timezone=zone, currency="USD")
    sales = SHOPS[zone]
    # A till that names no zone for its times (Square's Time Zone column left empty): they are the shop's.
    rows = [{"Date": day, "Time": at, "Time Zone": "", "Transaction ID": f"T{n}", "Total Collected": "$12.00",
             "Customer ID": f"SQ{name.upper()}", "Customer Name": f"{name} Marx", "Description": "Latte x 2"}
            for n, (name, (day, at, _)) in enumerate(sales["till"].items())]
    result = import_file(ws, _square_transactions(tmp_path / "transactions-2026.csv", rows))
    assert (result.preset, result.events, result.flagged) == ("square_transactions", 3, 0)
    orders = [order(f"#{1001 + n}", f"{name.lower()}@example.com", "12.00", created=created,
                    billing_name=f"{name} Marx", items=[(1, "Latte beans", "12.00")])
              for n, (name, (created, _)) in enumerate(sales["online"].items())]
    assert import_file(ws, shopify_orders(tmp_path / "orders_export.csv", orders)).events == 2
    with ws.engine.connect() as conn:
        # The till's times as written, on the shop's clock; the online orders' with their offset.
        stored = dict(conn.exec_driver_sql("SELECT channel, min(occurred_at) FROM event GROUP BY channel").all())
    assert set(stored) == {"pos", "shop"}
    assert len(stored["pos"]) == 19 and stored["shop"][-6:] in ("-05:00", "+09:00")
    recent = {f"{name} Marx" for kind in ("till", "online") for name, sale in sales[kind].items() if sale[-1]}
    return ws, recent


EVERYONE = {f"{name} Marx" for name in ("Leo", "Mia", "Ned", "Ola", "Pat")}
IN_THE_LAST_DAY = [
    {"field": "event.purchase", "op": "within_days", "value": 1},
    {"field": "event.any", "op": "within_days", "value": 1},
    {"field": "event.purchase", "op": "exists", "within_days": 1},
    {"field": "event.purchase", "op": "within_days", "value": 1, "item": "latte"},
    {"field": "last_seen", "op": "within_days", "value": 1},
]
NOT_IN_THE_LAST_DAY = [
    {"field": "event.purchase", "op": "not_within_days", "value": 1},
    {"field": "event.any", "op": "not_exists", "within_days": 1},
    {"field": "event.purchase", "op": "not_within_days", "value": 1, "item": "latte"},
    {"field": "last_seen", "op": "not_within_days", "value": 1},
]


@pytest.mark.parametrize("rule", IN_THE_LAST_DAY, ids=[json.dumps(r) for r in IN_THE_LAST_DAY])
def test_a_sale_is_in_the_last_day_on_its_own_clock(shop, capsys, rule):
    ws, recent = shop
    # Read without the index of products bought first (a command that only reads), then with it.
    assert _count(ws, capsys, rule) == len(recent)
    assert _names(ws, rule) == recent


@pytest.mark.parametrize("rule", NOT_IN_THE_LAST_DAY, ids=[json.dumps(r) for r in NOT_IN_THE_LAST_DAY])
def test_not_in_the_last_day_is_everyone_else(shop, capsys, rule):
    ws, recent = shop
    assert _count(ws, capsys, rule) == len(EVERYONE - recent)
    assert _names(ws, rule) == EVERYONE - recent


def test_the_last_days_count_from_the_same_instant(shop):
    ws, _ = shop
    # Two days back reaches every sale before now, on either clock; none dated ahead of it.
    assert _names(ws, {"field": "event.purchase", "op": "within_days", "value": 2}) == EVERYONE - {"Ned Marx"} - (
        {"Pat Marx"} if ws.get_setting("timezone") == "Asia/Tokyo" else set())
