"""A customer made of one export row: its orders and spend as the general rule gives them."""

from __future__ import annotations

import pytest

from omnidesk.core.identity.golden import _orders_and_spend
from omnidesk.core.money import OrderRows, channel_money, latest_lifetime, money_totals


def _general(lifetimes):
    parts = [m for ch in sorted(lifetimes)
             if (m := channel_money(ch, latest_lifetime(lifetimes[ch]), OrderRows()))]
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
    lifetimes = {"shop": [(11, 2, values)]}
    assert _orders_and_spend((), lifetimes) == _general(lifetimes)


def test_order_rows_or_several_rows_still_take_the_general_rule():
    two = {"shop": [(11, 2, {"total_orders": 2, "total_spent": "10.00"}),
                    (12, 2, {"total_orders": 3, "total_spent": "5.00"})]}
    assert _orders_and_spend((), two) == (5, 1500)
    # Order rows of the channel beside an older export: the rows hold more orders.
    stats = [("shop", 4, 4, 4000, 4, None, None)]
    assert _orders_and_spend(stats, {"shop": [(11, 2, {"total_orders": 2, "total_spent": "10.00"})]}) == (4, 4000)
