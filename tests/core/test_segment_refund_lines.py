"""A till's refund line is no purchase in a rule, as it is no order on the card.

Square's transactions export writes a refund as a row of its own: ``Event Type`` ``Refund``, its
``Total Collected`` negative, and ``Transaction Status`` ``Complete`` like any payment.  Such a row
takes its money back without being a transaction, whatever its status (README, "How orders and
spend are counted"): Kim, whose only row is one, has no orders and no purchase channel, and Ann,
who brought back the mug she bought, has one order.  The rules on purchases say the same: Kim
bought nothing, in any window, of any product, and Ann bought once, not twice — whether the products bought were read into the index (``segments.member_ids``) or not
(``segment count``, which only reads the workspace).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import time_machine

from omnidesk.core.importing.pipeline import import_file
from tests.core.test_money import _square_transactions
from tests.helpers import machine_in_zone, rule_count_by_cli as _count, rule_names as _names

new_york = machine_in_zone("America/New_York")

NOW = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)  # noon in New York
ROWS = [
    # Kim brought two lattes back (bought before this file's period): her only row.
    {"Date": "2026-11-15", "Time": "10:00:00", "Transaction ID": "T1", "Event Type": "Refund",
     "Total Collected": "-$20.00", "Customer ID": "SQKIM", "Customer Name": "Kim Orr", "Description": "Latte x 2"},
    {"Date": "2026-11-16", "Time": "15:30:00", "Transaction ID": "T2", "Total Collected": "$12.00",
     "Customer ID": "SQLEO", "Customer Name": "Leo Marx", "Description": "Latte x 2"},
    # Ann bought a mug and brought it back: one order, refunded by a row of its own.
    {"Date": "2026-11-10", "Time": "09:00:00", "Transaction ID": "T3", "Total Collected": "$30.00",
     "Customer ID": "SQANN", "Customer Name": "Ann Lee", "Description": "Mug x 1"},
    {"Date": "2026-11-12", "Time": "09:00:00", "Transaction ID": "T3", "Event Type": "Refund",
     "Total Collected": "-$30.00", "Customer ID": "SQANN", "Customer Name": "Ann Lee", "Description": "Mug x 1"},
]


@pytest.fixture(autouse=True)
def now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def shop(make_workspace, tmp_path):
    ws = make_workspace(timezone="America/New_York", currency="USD")
    result = import_file(ws, _square_transactions(tmp_path / "transactions-2026.csv", ROWS))
    assert (result.preset, result.events, result.flagged) == ("square_transactions", 4, 0)
    return ws


PURCHASE = "event.purchase"
RULES = [
    ({"field": PURCHASE, "op": "exists"}, {"Ann Lee", "Leo Marx"}),
    ({"field": PURCHASE, "op": "not_exists"}, {"Kim Orr"}),
    ({"field": "event.order", "op": "exists"}, {"Ann Lee", "Leo Marx"}),
    ({"field": PURCHASE, "op": "within_days", "value": 30}, {"Ann Lee", "Leo Marx"}),
    ({"field": PURCHASE, "op": "not_within_days", "value": 30}, {"Kim Orr"}),
    ({"field": PURCHASE, "op": "exists", "within_days": 19}, {"Leo Marx"}),  # Ann's was 21 days ago
    ({"field": PURCHASE, "op": "exists", "count_at_least": 2}, set()),
    ({"field": PURCHASE, "op": "exists", "item": "latte"}, {"Leo Marx"}),
    ({"field": PURCHASE, "op": "within_days", "value": 30, "item": "LATTE"}, {"Leo Marx"}),
    ({"field": PURCHASE, "op": "not_exists", "item": "latte"}, {"Ann Lee", "Kim Orr"}),
    ({"field": PURCHASE, "op": "exists", "item": "mug", "count_at_least": 2}, set()),
    # A refund is still something its customer did at the till.
    ({"field": "event.any", "op": "within_days", "value": 30}, {"Ann Lee", "Kim Orr", "Leo Marx"}),
    ({"field": "event.any", "op": "exists", "count_at_least": 2}, {"Ann Lee"}),
]


def test_the_card_and_the_journey_say_kim_bought_nothing(shop):
    with shop.engine.connect() as conn:
        assert dict(conn.exec_driver_sql("SELECT display_name, orders FROM customer").all()) == {
            "Kim Orr": 0, "Leo Marx": 1, "Ann Lee": 1}
    assert _names(shop, {"field": "purchase_channel", "op": "exists"}) == {"Ann Lee", "Leo Marx"}
    assert _names(shop, {"field": "orders", "op": "gt", "value": 0}) == {"Ann Lee", "Leo Marx"}


@pytest.mark.parametrize(("rule", "want"), RULES, ids=[json.dumps(r) for r, _ in RULES])
def test_a_refund_line_is_no_purchase_in_a_rule(shop, capsys, rule, want):
    # Read without the index of products bought first (a command that only reads), then with it.
    assert _count(shop, capsys, rule) == len(want)
    assert _names(shop, rule) == want
