"""A customer made of one export row: its orders and spend as the general rule gives them."""

from __future__ import annotations

import pytest

from omnidesk.core.identity.golden import _orders_and_spend
from omnidesk.core.money import Holder, OrderRows, channel_money, latest_lifetime, money_totals


def _general(lifetimes):
    parts = [m for ch in sorted(lifetimes)
             if (m := channel_money(ch, latest_lifetime([(h.record_id, b, v) for h, b, v in lifetimes[ch]]),
                                    OrderRows()))]
    return money_totals(parts)


@pytest.mark.parametrize("values", [
    {"total_orders": 7, "total_spent": "2253.20"},
    {"total_orders": 0, "total_spent": "0.00"},
    {"total_orders": 3},
    {"total_spent": "19.99"},
    {"total_spent": "-5.00"},
    {"note": "no figures at all"},
    {},
])
def test_one_export_row_gives_what_the_general_rule_gives(values):
    lifetimes = {"shop": [(Holder(11), 2, values)]}
    assert _orders_and_spend((), lifetimes) == _general(lifetimes)


def test_order_rows_or_several_rows_still_take_the_general_rule():
    two = {"shop": [(Holder(11), 2, {"total_orders": 2, "total_spent": "10.00"}),
                    (Holder(12), 2, {"total_orders": 3, "total_spent": "5.00"})]}
    assert _orders_and_spend((), two) == (5, 1500)
    # The account's order rows beside an older export of it: the rows hold more orders.
    ann = {"shop": [(Holder.of(11, None, "ann@example.com"), 2, {"total_orders": 2, "total_spent": "10.00"})]}
    stats = [("shop", 4, 4, 4000, 4, None, None, None, None)]
    assert _orders_and_spend(stats, ann) == (4, 4000)
    holders = [("shop", None, None, "ann@example.com", None, 4, 4, 4000, 4)]
    assert _orders_and_spend(stats, ann, None, holders) == (4, 4000)
    # Rows of another account are no part of Ann's figure: added to it.
    holders = [("shop", None, None, "bo@example.com", None, 4, 4, 4000, 4)]
    assert _orders_and_spend(stats, ann, None, holders) == (6, 5000)
