"""Campaign results attribute the order the offer code was used on: the code an order export gives
(Shopify's "Discount Code", the WooCommerce order export's "Coupon Code") is kept with the order
at import, and an order naming the message's code exactly counts before the recipient's
earlier orders.

Ann is sent the SPRING20 message at 09:00 in New York on 10 Dec 2026; she buys 20.00 without a
code half an hour later, then 30.00 with SPRING20 the next day.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from alembic import command

from omnidesk.core import metrics
from omnidesk.core.campaigns.campaign import import_plan
from omnidesk.core.campaigns.export import export_campaign
from omnidesk.core.importing.pipeline import import_file
from omnidesk.core.messages.brand import set_brand
from omnidesk.core.workspace import Workspace, _alembic_config
from tests.core.test_money import order, shopify_customers, shopify_orders
from tests.core.test_presets import WOOCOMMERCE_ORDERS_ADVANCED
from tests.helpers import write_csv

EXPORTED = datetime(2026, 12, 6, tzinfo=UTC)
READ = datetime(2026, 12, 31, tzinfo=UTC)
PLAN = {"name": "Spring sale", "audience": "everyone", "mode": "each_channel",
        "message": {"headline": "Spring sale", "body": "Hi {first_name|there}, 20% off.", "offer_code": "SPRING20",
                    "offer_value": "20% off"},
        "steps": [{"channel": "email", "at": "2026-12-10T09:00", "timezone": "America/New_York"}]}


@pytest.fixture
def shop(make_workspace, tmp_path):
    """Ann on the shop's customer list, sent the step."""
    ws = make_workspace(timezone="America/New_York", currency="USD")
    import_file(ws, shopify_customers(tmp_path / "customers_export.csv", [{
        "Customer ID": "'1", "First Name": "Ann", "Last Name": "Lee", "Email": "ann@example.com",
        "Accepts Email Marketing": "yes", "Tax Exempt": "no"}]))
    set_brand(ws, "address", "1 Market Street, Springfield")
    import_plan(ws, PLAN)
    export_campaign(ws, "Spring sale", tmp_path / "packs", now=EXPORTED)
    return ws


def _attributed(ws) -> tuple:
    (step,) = metrics.campaign_results(ws, now=READ)
    return step["orders"], step["revenue"]


def _shopify(tmp_path, second_code: str):
    return shopify_orders(tmp_path / "orders_export.csv", [
        order("#7001", "ann@example.com", "20.00", created="2026-12-10 09:30:00 -0500", items=[(1, "Mug", "20.00")]),
        order("#7002", "ann@example.com", "30.00", created="2026-12-11 10:00:00 -0500",
              items=[(1, "Teapot", "37.50")], **{"Discount Code": second_code, "Discount Amount": "7.50"})])


def test_the_shopify_order_that_used_the_code_is_the_one_attributed(shop, tmp_path):
    import_file(shop, _shopify(tmp_path, "SPRING20"))
    assert _attributed(shop) == (1, 30.0)


@pytest.mark.parametrize("codes, revenue", [
    ("FREESHIP, spring20", 30.0),  # several codes in the cell, in another case
    ("SPRING200", 20.0),  # another code that merely begins like it: the next order counts
])
def test_the_code_is_matched_whole_among_the_codes_of_an_order(shop, tmp_path, codes, revenue):
    import_file(shop, _shopify(tmp_path, codes))
    assert _attributed(shop) == (1, revenue)


def test_the_woocommerce_order_that_used_the_coupon_is_the_one_attributed(shop, tmp_path):
    def row(number, date, total, coupon):
        cells = {"Order Number": number, "Order Status": "Completed", "Order Date": date,
                 "First Name (Billing)": "Ann", "Last Name (Billing)": "Lee", "Email (Billing)": "ann@example.com",
                 "Order Total Amount": total, "Item #": "1", "Item Name": "Mug", "Quantity (- Refund)": "1",
                 "Item Cost": total, "Coupon Code": coupon}
        return [cells.get(h, "") for h in WOOCOMMERCE_ORDERS_ADVANCED]

    path = write_csv(tmp_path / "orders-2026-12-31.csv", WOOCOMMERCE_ORDERS_ADVANCED, [
        row("7001", "2026-12-10 09:30", "20.00", ""), row("7002", "2026-12-11 10:00", "30.00", "spring20")])
    assert import_file(shop, path).preset == "woocommerce_orders_advanced"
    assert _attributed(shop) == (1, 30.0)


def test_orders_imported_before_codes_were_kept_get_them_from_their_rows(shop, tmp_path):
    import_file(shop, _shopify(tmp_path, "SPRING20"))
    path = shop.path
    with shop.engine.begin() as conn:
        # As an older version left the orders: "Discount Code" kept in the raw row only.
        for eid, details in conn.exec_driver_sql("SELECT id, details_json FROM event").all():
            details = json.loads(details)
            details.pop("discount_codes", None)
            conn.exec_driver_sql("UPDATE event SET details_json = ? WHERE id = ?", (json.dumps(details), eid))
        conn.exec_driver_sql("UPDATE import_batch SET mapping_json = replace(mapping_json, "
                             "'\"discount_code\"', '\"ignore\"')")
        command.downgrade(_alembic_config(conn), "0030")
    shop.close()
    with Workspace.open(path) as again:
        assert _attributed(again) == (1, 30.0)
