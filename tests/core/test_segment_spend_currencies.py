"""A customer's spend is the shop's money: orders in other currencies are kept apart, never added.

A dollar shop's Shopify export holds orders in USD, EUR and JPY.  30 USD and 80 EUR are not 110.00
of anything, and a 5000 JPY kettle is not 5000 dollars: the stored spend that the Customers list,
a segment's ``spend`` and the customers file's ``lifetime_spend`` read counts the dollars alone (as
the report's revenue does), and the card lists the euros and yen apart.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import text

from omnidesk.core.importing.pipeline import import_file
from omnidesk.core.profile import customer_profile
from omnidesk.core.settings import change_settings
from omnidesk.core.timeline import find_customer
from omnidesk.core.workspace import Workspace

from tests.core.test_money import order, shopify_orders
from tests.helpers import run_cli, workspace_at

NOW = datetime(2026, 3, 10, 4, 30, tzinfo=UTC)
ORDERS = [
    order("#1001", "kim@example.com", "100.00", created="2026-03-01 10:00:00 +0100", Currency="EUR",
          billing_name="Kim Berg"),
    order("#1002", "lou@example.com", "30.00", created="2026-03-02 10:00:00 -0500", Currency="USD",
          billing_name="Lou Reed"),
    order("#1003", "lou@example.com", "80.00", created="2026-03-03 10:00:00 +0100", Currency="EUR",
          billing_name="Lou Reed"),
    order("#1004", "max@example.com", "5000", created="2026-03-04 10:00:00 +0900", Currency="JPY",
          billing_name="Max Sato"),
    order("#1005", "ann@example.com", "75.00", created="2026-03-05 10:00:00 -0500", Currency="USD"),
]


@pytest.fixture(autouse=True)
def now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def ws(make_workspace, tmp_path):
    ws = make_workspace(timezone="America/New_York", currency="USD")
    import_file(ws, shopify_orders(tmp_path / "orders_export.csv", ORDERS))
    return ws


def _spend(ws) -> dict[str, int | None]:
    with ws.engine.connect() as conn:
        return dict(conn.execute(text("SELECT email, spend_minor FROM customer")).all())


def _count(ws, capsys, rule) -> int:
    status, out, err = run_cli(capsys, "segment", "count", "-w", str(ws.path), "--rule", json.dumps(rule), "--json")
    assert status == 0, err
    return json.loads(out)["customers"]


def test_spend_counts_the_shops_currency_alone_in_segments_and_the_customers_file(ws, capsys, tmp_path):
    assert _spend(ws) == {"kim@example.com": None, "lou@example.com": 3000, "max@example.com": None,
                          "ann@example.com": 7500}
    assert _count(ws, capsys, {"field": "spend", "op": "gt", "value": 50}) == 1  # Ann's 75 USD
    assert _count(ws, capsys, {"field": "spend", "op": "gte", "value": 5000}) == 0
    assert _count(ws, capsys, {"field": "spend", "op": "between", "value": [20, 40]}) == 1  # Lou's 30 USD
    # Orders count whatever their currency.
    assert _count(ws, capsys, {"field": "orders", "op": "gte", "value": 1}) == 4

    out = tmp_path / "customers.csv"
    status, _, err = run_cli(capsys, "export", "customers", str(out), "-w", str(ws.path), "--force",
                             "--columns", "email,orders,lifetime_spend")
    assert status == 0, err
    rows = {r["email"]: (r["orders"], r["lifetime_spend"]) for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert rows == {"kim@example.com": ("1", ""), "lou@example.com": ("2", "30.00"),
                    "max@example.com": ("1", ""), "ann@example.com": ("1", "75.00")}


def test_the_card_shows_other_currencies_apart(ws):
    lou = customer_profile(ws, find_customer(ws, "lou@example.com"))
    assert (lou.spend_minor, lou.currency, lou.other_spend) == (3000, "USD", {"EUR": 8000})
    (shop,) = lou.money
    assert shop.describe(lou.currency).startswith("Shop: 2 orders, 30.00 USD (also 80.00 EUR) — ")
    max_ = customer_profile(ws, find_customer(ws, "max@example.com"))
    assert (max_.spend_minor, max_.other_spend) == (None, {"JPY": 500000})
    assert max_.money[0].describe(max_.currency).startswith("Shop: 1 order, 5,000 JPY — ")


def test_a_new_shop_currency_works_the_spend_out_again(ws):
    change_settings(ws, {"currency": "EUR"})
    assert _spend(ws) == {"kim@example.com": 10000, "lou@example.com": 8000, "max@example.com": None,
                          "ann@example.com": None}


def test_a_workspace_an_older_omnidesk_made_has_its_spend_worked_out_again(tmp_path, capsys):
    path = tmp_path / "old.omnidesk"
    old = workspace_at(path, "0034")
    old.set_setting("currency", "USD")
    import_file(old, shopify_orders(tmp_path / "orders_export.csv", ORDERS))
    with old.writing() as conn:  # what the cards held then: every currency added up
        conn.execute(text("UPDATE customer SET spend_minor = 11000 WHERE email = 'lou@example.com'"))
        conn.execute(text("UPDATE customer SET spend_minor = 500000 WHERE email = 'max@example.com'"))
    old.close()
    ws = Workspace.open(path)
    try:
        assert _spend(ws)["lou@example.com"] == 3000
        assert _spend(ws)["max@example.com"] is None
    finally:
        ws.close()
