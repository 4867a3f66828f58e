"""An orders file from a channel of the shop's own, or "other", counts its orders and spend.

A farmers' market's sheet with Order ID, Order Date, Email and Amount came in as plain activity:
its buyers had no order and no spend, and the Dashboard's revenue left the stall out, while the
same file on the shop's channel counted.  A row with an order number is an order on any channel;
an amount alone, on a channel of the shop's own, a purchase.
"""

from __future__ import annotations

import json

import pytest
import time_machine

from tests.helpers import machine_in_zone, run_cli, write_csv

new_york = machine_in_zone("America/New_York")


@pytest.mark.parametrize("channel", ["farmers_market", "other", "web"])
def test_an_orders_file_counts_its_orders_on_any_channel(tmp_path, capsys, channel):
    ws = tmp_path / "ws.omnidesk"
    sheet = write_csv(tmp_path / "market_orders.csv", ["Order ID", "Order Date", "Email", "Amount"],
                      [["M-1001", "2026-11-14", "bo@example.com", "24.50"],
                       ["M-1002", "2026-11-21", "bo@example.com", "10.00"],
                       ["M-1003", "2026-11-21", "cy@example.com", "8.00"]])
    with time_machine.travel("2026-12-01T15:00:00Z", tick=False):
        status, out, err = run_cli(capsys, "import", str(sheet), "--channel", channel, "--kind", "events",
                                   "-w", str(ws))
        assert status == 0, err
        status, out, _ = run_cli(capsys, "report", "--from", "2026-11-01", "--to", "2026-11-30", "--json",
                                 "-w", str(ws))
    assert status == 0
    assert json.loads(out)["totals"]["revenue"] == 42.5
    import sqlite3
    with sqlite3.connect(ws) as db:
        got = dict(db.execute("SELECT email, orders FROM customer").fetchall())
        spend = dict(db.execute("SELECT email, spend_minor FROM customer").fetchall())
    assert got == {"bo@example.com": 2, "cy@example.com": 1}
    assert spend == {"bo@example.com": 3450, "cy@example.com": 800}


def test_a_sheet_of_amounts_without_order_numbers_is_purchases_on_a_channel_of_ones_own(tmp_path, capsys):
    ws = tmp_path / "ws.omnidesk"
    sheet = write_csv(tmp_path / "stall_sales.csv", ["Date", "Email", "Amount"],
                      [["2026-11-14", "bo@example.com", "12.00"]])
    with time_machine.travel("2026-12-01T15:00:00Z", tick=False):
        status, _out, err = run_cli(capsys, "import", str(sheet), "--channel", "farmers_market", "--kind", "events",
                                    "-w", str(ws))
    assert status == 0, err
    import sqlite3
    with sqlite3.connect(ws) as db:
        assert db.execute("SELECT type FROM event").fetchall() == [("purchase",)]
        assert db.execute("SELECT orders, spend_minor FROM customer").fetchall() == [(1, 1200)]
