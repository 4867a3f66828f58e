"""An order with no date counts in all time, as the customer's card counts it.

A Shopify orders export may leave an order's ``Created at`` empty.  The card counts it (an order,
its spend), so the whole picture of all time counts it too: in its events and revenue, and as
its customer's purchase on the journey, though in no week and in no shorter period.  The report
says how many orders had no date and their amount.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from omnidesk.core import metrics
from omnidesk.core.identity.merge import merge_customers, undo_log
from omnidesk.core.importing.pipeline import import_file
from omnidesk.core.rights import erase_person
from omnidesk.core.segments import count
from omnidesk.core.timeline import find_customer
from omnidesk.core.workspace import Workspace
from tests.core.test_money import order, shopify_orders
from tests.helpers import run_cli
from tests.metrics_oracle import old_journeys

NOW = datetime(2026, 4, 15, 12, 0, tzinfo=ZoneInfo("America/New_York"))
ORDERS = [order("#2001", "una@example.com", "99.00", created="", billing_name="Una Ulm"),
          order("#2002", "vic@example.com", "10.00", created="2026-04-02 10:00:00 -0400", billing_name="Vic Vale"),
          order("#2003", "wes@example.com", "21.00", created="", billing_name="Wes West")]


@pytest.fixture
def shop(make_workspace, tmp_path):
    ws = make_workspace(timezone="America/New_York", currency="USD", default_region="US")
    with time_machine.travel(NOW, tick=False):
        import_file(ws, shopify_orders(tmp_path / "orders_export.csv", ORDERS))
    return ws


def _report(capsys, ws, *more):
    with time_machine.travel(NOW, tick=False):
        status, out, err = run_cli(capsys, "report", "-w", ws.path, *more)
    assert status == 0, err
    return out


def _flow_count(ws, path):
    """The customers the journey flow into the purchase of ``path`` opens as a rule."""
    graph_rule = metrics.journey_rule(len(path) - 2, path[-2], "purchase")
    return count(ws, graph_rule)


def test_an_order_with_no_date_counts_in_all_time_as_on_the_card(shop, capsys, tmp_path):
    data = json.loads(_report(capsys, shop, "--json"))
    totals = data["totals"]
    assert totals["revenue"] == 130.0 and totals["events"] == 3
    assert totals["undated_orders"] == 2 and totals["undated_revenue"] == 120.0
    # What the customers' cards add up to.
    with time_machine.travel(NOW, tick=False):
        assert run_cli(capsys, "export", "customers", tmp_path / "c.csv", "-w", shop.path,
                       "--columns", "email,orders,lifetime_spend")[0] == 0
    with open(tmp_path / "c.csv", newline="", encoding="utf-8") as fh:
        cards = list(csv.DictReader(fh))
    assert sum(float(r["lifetime_spend"]) for r in cards) == totals["revenue"]
    assert sum(int(r["orders"]) for r in cards) == 3
    # Each of them bought: their journeys end in a purchase.
    assert data["journeys"] == [{"path": ["shop", "purchase"], "customers": 3, "median_days": 0.0}]
    assert _flow_count(shop, ["shop", "purchase"]) == 3

    text = _report(capsys, shop).splitlines()
    assert "3 events, revenue 130.00 USD" in text[0]
    assert text[1] == "  2 orders with no date, 120.00 USD, counted in all time only"

    # A shorter period holds none of them: no week does.
    data = json.loads(_report(capsys, shop, "--json", "--from", "2026-01-01"))
    assert data["totals"]["revenue"] == 10.0 and data["totals"]["events"] == 1
    assert data["totals"]["undated_orders"] == 0
    assert "with no date" not in _report(capsys, shop, "--from", "2026-01-01")


def test_the_kept_journeys_of_undated_orders_follow_merges_erasures_and_undos(shop, capsys):
    def same(expected_purchases):
        with time_machine.travel(NOW, tick=False):
            kept = metrics.journeys(shop, limit=None)
            assert kept == old_journeys(shop, limit=None)
            read_only = Workspace.open(shop.path, readonly=True)
            try:
                assert metrics.journeys(read_only, limit=None) == kept  # read from the events themselves
            finally:
                read_only.close()
        assert sum(j["customers"] for j in kept if "purchase" in j["path"]) == expected_purchases
        assert _flow_count(shop, ["shop", "purchase"]) == expected_purchases

    same(3)
    una, vic = find_customer(shop, "una@example.com"), find_customer(shop, "vic@example.com")
    merged = merge_customers(shop, [vic, una])
    same(2)  # one person now: their first purchase the dated one
    for log_id in reversed(merged.log_ids):
        undo_log(shop, log_id)
    same(3)
    erase_person(shop, find_customer(shop, "wes@example.com"))
    same(2)
    data = json.loads(_report(capsys, shop, "--json"))
    assert data["totals"]["undated_orders"] == 1 and data["totals"]["revenue"] == 109.0
