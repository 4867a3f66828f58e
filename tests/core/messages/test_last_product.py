"""{last_product}: the latest purchase on any channel, in every layout the importer stores it in.

The shop's orders keep their products as line items; a till keeps one row per sale, its
products joined in one cell ("Lavender candle x1 + Matches x2", Square's "Latte x 2,
Croissant").  The token and segment rules on items read them alike.
"""

from __future__ import annotations

import json

from omnidesk.core import segments
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.messages.personal import customer_values
from omnidesk.core.products import products_of
from omnidesk.core.segments.items import INDEX_SETTING, ensure_products, unindexed_batches
from omnidesk.core.workspace import Workspace
from tests.helpers import write_csv

SHOP = ["Name", "Email", "Created at", "Lineitem name", "Lineitem quantity", "Total", "Financial Status"]
TILL = ["Date", "Time", "Receipt No", "Email", "Items", "Total"]
SQUARE = ["Date", "Time", "Time Zone", "Transaction ID", "Event Type", "Total Collected", "Partial Refunds",
          "Customer ID", "Customer Name", "Description", "Location"]


def _import_shop_and_till(ws, tmp_path):
    import_file(ws, write_csv(tmp_path / "orders.csv", SHOP, [
        ["#1", "ann@example.com", "2026-09-01 10:00", "Cedar candle", "1", "20.00", "paid"],
        ["#2", "bob@example.com", "2026-09-02 10:00", "Stoneware mug", "1", "14.00", "paid"],
        ["#2", "bob@example.com", "2026-09-02 10:00", "Beeswax wrap", "1", "14.00", "paid"],
        ["#3", "cy@example.com", "2026-11-20 10:00", "Smoke candle", "1", "30.00", "paid"]]),
        ImportOptions(channel="shop", preset="shopify_orders"))
    import_file(ws, write_csv(tmp_path / "till.csv", TILL, [
        # Ann's latest purchase is at the till, two products in one cell.
        ["2026-10-12", "15:30", "20154", "ann@example.com", "Lavender candle x1 + Matches x2", "32.00"],
        # Bob's latest is a till sale the cashier rang up without naming what.
        ["2026-10-20", "11:00", "20155", "bob@example.com", "", "9.00"],
        # Cy bought at the till before the shop order: the shop order is the latest.
        ["2026-10-01", "09:00", "20156", "cy@example.com", "Matches x1", "3.00"]]),
        ImportOptions(channel="pos", kind="events"))


def _ids(ws, *emails):
    with ws.engine.connect() as conn:
        return [conn.exec_driver_sql("SELECT id FROM customer WHERE email = ?", (e,)).scalar() for e in emails]


def test_the_last_product_is_the_latest_purchase_on_any_channel_the_till_included(ws, tmp_path):
    _import_shop_and_till(ws, tmp_path)
    ann, bob, cy = _ids(ws, "ann@example.com", "bob@example.com", "cy@example.com")
    values = customer_values(ws, [ann, bob, cy])
    got = {who: (values[cid]["last_product"], values[cid]["last_order_date"])
           for who, cid in (("ann", ann), ("bob", bob), ("cy", cy))}
    assert got == {
        "ann": ("Lavender candle", "12 Oct 2026"),  # the till sale, its first product, no "x1"
        # The latest sale names nothing: the product of the purchase before it, on another channel.
        "bob": ("Stoneware mug", "20 Oct 2026"),
        "cy": ("Smoke candle", "20 Nov 2026"),
    }


def test_a_square_description_gives_its_first_item(ws, tmp_path):
    import_file(ws, write_csv(tmp_path / "square.csv", SQUARE, [
        ["2026-10-03", "10:15:00", "Pacific Time (US & Canada)", "tx1", "Payment", "$9.50", "$0.00", "SQ1",
         "Dana Ruiz", "Oat Latte x 2, Croissant", "Main St"]]), ImportOptions(channel="pos", preset="square_transactions"))
    with ws.engine.connect() as conn:
        (dana,) = conn.exec_driver_sql("SELECT id FROM customer").scalars().all()
    assert customer_values(ws, [dana])[dana]["last_product"] == "Oat Latte"


def test_every_layout_names_its_products():
    # Line items of an order spread over rows; the summary after the first three is not a product.
    assert products_of("Order #9: A, B, C and 2 more", json.dumps({"items": [{"item_name": "Mug x2"}]})) == ["Mug"]
    assert products_of("Order #9: Mug, Wrap and 2 more (refunded)", "{}") == ["Mug", "Wrap"]
    # One row per sale: the till's own joins and quantities.
    assert products_of("1 · Latte x 2, Croissant", json.dumps({"item_name": "Latte x 2, Croissant"})) == [
        "Latte", "Croissant"]
    assert products_of("", json.dumps({"item_name": "2 x Matches; Puzzle 1,000 pieces"})) == [
        "Matches", "Puzzle 1,000 pieces"]
    # Neither: a link is not a list of products.
    assert products_of("Order 7 · https://shop.example/x", "{}") == []


def test_a_rule_on_items_finds_till_buyers_from_the_text_from_the_index_and_from_an_older_index(
        ws, tmp_path):
    _import_shop_and_till(ws, tmp_path)
    matches = {"field": "event.purchase", "op": "exists", "item": "matches"}
    wrap = {"field": "event.purchase", "op": "exists", "item": "beeswax wrap"}
    path = ws.path
    with Workspace.open(path, readonly=True) as reader:  # cannot index: reads the text
        assert segments.count(reader, matches) == 2 and segments.count(reader, wrap) == 1
    assert segments.count(ws, matches) == 2 and segments.count(ws, wrap) == 1  # from the index
    with ws.engine.connect() as conn:
        assert unindexed_batches(conn) == []
        keys = {k for (k,) in conn.exec_driver_sql("SELECT key FROM product")}
    assert {"lavender candle", "matches", "stoneware mug", "beeswax wrap"} <= keys
    # An index an older reading made, without the till's products, as workspaces have it.
    with ws.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM event_product WHERE event_id IN "
                             "(SELECT id FROM event WHERE channel = 'pos')")
        conn.exec_driver_sql("DELETE FROM setting WHERE key = ?", (INDEX_SETTING,))
    with Workspace.open(path, readonly=True) as reader:  # not trusted: the text again
        assert segments.count(reader, matches) == 2
    ensure_products(ws)  # rebuilt
    with ws.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM event_product e JOIN event v ON v.id = e.event_id "
                                    "WHERE v.channel = 'pos'").scalar() == 3
    assert segments.count(ws, matches) == 2 and segments.count(ws, wrap) == 1
