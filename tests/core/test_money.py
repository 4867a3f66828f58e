"""Orders and spend as the shop counts them: refunds, cancellations, one figure per channel.

Every file is written in its vendor's real layout:

* Shopify's customers export and orders export: the column lists of Shopify's help
  centre ("Exporting customers", "Exporting orders"), as in tests/core/test_presets.py.
  One row per line item; only an order's first row carries its totals, status,
  ``Cancelled at`` and ``Refunded Amount``.
* Square's customer directory export (Square Dashboard > Customers > Export), with
  "Square Customer ID", "Transaction Count" and "Lifetime Spend".
* A till's receipts export as the demo shop's till writes it: semicolons, cp1252,
  dd/mm/yyyy and decimal commas (no vendor preset: mapped by meaning).
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from alembic import command

from omnidesk.core.identity.golden import refresh_customers
from omnidesk.core.importing.backfill import fill_order_statuses
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.money import (
    Lifetime,
    OrderRows,
    channel_money,
    format_money,
    latest_lifetime,
    order_status,
    to_minor,
)
from omnidesk.core.profile import customer_profile, money_by_channel
from omnidesk.core.timeline import find_customer, timeline
from omnidesk.core.workspace import Workspace, _alembic_config
from tests.core.test_presets import SHOPIFY_CUSTOMERS, SHOPIFY_ORDERS, SQUARE_DIRECTORY, STRIPE_CUSTOMERS
from tests.helpers import write_csv

# Columns Shopify fills on every line-item row of an order.
LINE_COLUMNS = {"Name", "Lineitem quantity", "Lineitem name", "Lineitem price", "Lineitem compare at price",
                "Lineitem sku", "Lineitem requires shipping", "Lineitem taxable",
                "Lineitem fulfillment status", "Lineitem discount", "Id"}
TILL_HEADER = ["Date", "Time", "Receipt No", "Customer", "Mobile", "Loyalty Card", "Items", "Total"]


def shopify_orders(path, orders):
    """Write ``orders`` (dicts of Shopify columns plus ``items``) in the orders export's layout."""
    rows = []
    for order in orders:
        for n, (qty, name, price) in enumerate(order.get("items") or [(1, "Gift card", order.get("Total", ""))]):
            cells = {"Currency": "USD", "Accepts Marketing": "no", **order} if n == 0 else {"Name": order["Name"]}
            cells.update({"Lineitem quantity": qty, "Lineitem name": name, "Lineitem price": price})
            rows.append([str(cells.get(h, "")) if n == 0 or h in LINE_COLUMNS else "" for h in SHOPIFY_ORDERS])
    return write_csv(path, SHOPIFY_ORDERS, rows)


def shopify_customers(path, customers):
    rows = [[c.get(h, "") for h in SHOPIFY_CUSTOMERS] for c in customers]
    return write_csv(path, SHOPIFY_CUSTOMERS, rows)


def order(name, email, total, status="paid", created="2026-03-01 10:00:00 -0500", **more):
    return {"Name": name, "Email": email, "Financial Status": status, "Total": total, "Subtotal": total,
            "Created at": created, "Paid at": created, "Billing Name": more.pop("billing_name", "Ann Lee"),
            **more}


@pytest.fixture
def ws(make_workspace):
    return make_workspace(timezone="America/New_York")


def _customer(ws, key):
    cid = find_customer(ws, key)
    assert cid is not None, key
    with ws.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT id, orders, spend_minor, display_name, phone, address, city, "
                                    "postcode, region, country FROM customer WHERE id = ?", (cid,)).first()


# -- refunds and cancellations -------------------------------------------------------


def test_refunded_voided_and_cancelled_orders_are_not_spend_and_a_partial_refund_subtracts(ws, tmp_path):
    orders = [
        order("#1001", "ann@example.com", "100.00", items=[(1, "Sencha 3oz", "60.00"), (2, "Mug", "20.00")]),
        order("#1002", "ann@example.com", "50.00", "refunded", **{"Refunded Amount": "50.00"}),
        order("#1003", "ann@example.com", "30.00", "voided"),
        # Cancelled keeps its payment status; "Cancelled at" says it.
        order("#1004", "ann@example.com", "20.00", "paid", **{"Cancelled at": "2026-03-02 09:00:00 -0500"}),
        order("#1005", "ann@example.com", "80.00", "partially_refunded", **{"Refunded Amount": "30.00"}),
        order("#1006", "ann@example.com", "10.00", "pending"),
    ]
    result = import_file(ws, shopify_orders(tmp_path / "orders_export.csv", orders))
    assert result.preset == "shopify_orders" and result.events == 6 and result.flagged == 0
    _id, count, spend, *_ = _customer(ws, "ann@example.com")
    assert count == 3  # #1001, #1005 and the pending #1006
    assert spend == 10000 + 5000 + 1000  # 80.00 less its 30.00 refund
    with ws.engine.connect() as conn:
        statuses = dict(conn.exec_driver_sql(
            "SELECT json_extract(details_json, '$.order_id'), status FROM event ORDER BY id").all())
    assert statuses == {"#1001": "paid", "#1002": "refunded", "#1003": "voided", "#1004": "cancelled",
                        "#1005": "partially_refunded", "#1006": "pending"}
    summaries = [e.summary for e in timeline(ws, _id) if e.type == "order"]
    assert "Order #1002: Gift card (refunded)" in summaries and "Order #1003: Gift card (voided)" in summaries
    assert "Order #1004: Gift card (cancelled)" in summaries and "Order #1005: Gift card (30.00 refunded)" in summaries
    assert "Order #1001: Sencha 3oz, Mug" in summaries
    [shop] = money_by_channel(ws, _id)
    assert (shop.channel, shop.orders, shop.spend_minor, shop.orders_from) == ("shop", 3, 16000, "rows")
    assert shop.rows.not_counted == 3
    assert shop.describe("USD") == "Shop: 3 orders, 160.00 USD — sum of order rows in orders_export.csv"
    assert "3 orders refunded, voided or cancelled not counted" in shop.explain()


def test_status_spellings_of_other_tills():
    assert order_status("Void") == order_status("voided") == "voided"
    assert order_status("Canceled") == order_status("CANCELLED") == "cancelled"
    assert order_status("Partially Refunded") == "partially_refunded"
    assert order_status("paid", "2026-03-02") == "cancelled"
    assert order_status(None) == order_status("") == ""


def test_a_refund_line_on_the_till_takes_its_money_back_and_is_no_transaction(ws, tmp_path):
    path = write_csv(tmp_path / "till_transactions.csv", TILL_HEADER, [
        ["02/03/2026", "10:15", "20001", "Ann Lee", "(207) 555-0101", "", "Sencha 3oz x1", "20,00"],
        ["09/03/2026", "11:00", "20002", "Ann Lee", "(207) 555-0101", "", "Mug x1", "15,00"],
        ["09/03/2026", "11:20", "20003", "Ann Lee", "(207) 555-0101", "", "Mug x1 (returned)", "-5,00"],
    ], encoding="cp1252", delimiter=";")
    result = import_file(ws, path, ImportOptions(channel="pos", kind="events"))
    assert result.events == 3
    _id, count, spend, *_ = _customer(ws, "(207) 555-0101")
    assert (count, spend) == (2, 3000)


# -- a channel's lifetime figure and its order rows ----------------------------------


SHOP_ANN = {"Customer ID": "'7210001", "First Name": "Ann", "Last Name": "Lee", "Email": "ann@example.com",
            "Accepts Email Marketing": "no", "Default Address City": "Portland", "Default Address Zip": "04101",
            "Default Address Country Code": "US", "Default Address Province Code": "ME",
            "Accepts SMS Marketing": "no", "Total Spent": "797.00", "Total Orders": "11", "Tax Exempt": "no"}
SHOP_BOB = {**SHOP_ANN, "Customer ID": "'7210002", "First Name": "Bob", "Last Name": "Stone",
            "Email": "bob@example.com", "Total Spent": "0.00", "Total Orders": "0"}

# Six of Ann's eleven orders, $427 of her $797: the orders export covers a shorter time.
ANN_SIX = [order(f"#10{n:02d}", "ann@example.com", total) for n, total in
           enumerate(("100.00", "80.00", "70.00", "65.00", "60.00", "52.00"), start=1)]


@pytest.mark.parametrize("customers_first", [True, False])
def test_lifetime_figure_and_order_rows_of_one_channel_are_counted_once(ws, tmp_path, customers_first):
    files = [(shopify_customers, tmp_path / "customers_export.csv", [SHOP_ANN, SHOP_BOB]),
             (shopify_orders, tmp_path / "orders_export.csv",
              ANN_SIX + [order("#1100", "cara@example.com", "19.00", billing_name="Cara Nolan")])]
    for write, path, rows in (files if customers_first else files[::-1]):
        import_file(ws, write(path, rows))
    ann, count, spend, *_ = _customer(ws, "ann@example.com")
    assert (count, spend) == (11, 79700)  # Shopify's own figure, not 11 + 6 nor $797 + $427
    [shop] = money_by_channel(ws, ann)
    assert shop.describe("USD") == "Shop: 11 orders, 797.00 USD — lifetime figure from customers_export.csv"
    assert "6 orders in orders_export.csv not added again" in shop.explain()
    assert _customer(ws, "bob@example.com")[1:3] == (0, 0)  # a figure of nothing is still a figure
    assert _customer(ws, "cara@example.com")[1:3] == (1, 1900)  # no customers export row: her orders


def test_the_latest_customers_export_gives_the_figure(ws, tmp_path):
    import_file(ws, shopify_customers(tmp_path / "customers_january.csv",
                                      [{**SHOP_ANN, "Total Spent": "700.00", "Total Orders": "9"}]))
    import_file(ws, shopify_customers(tmp_path / "customers_june.csv", [SHOP_ANN]))
    ann, count, spend, *_ = _customer(ws, "ann@example.com")
    assert (count, spend) == (11, 79700)  # June's reading of the same totals, not January's added
    assert money_by_channel(ws, ann)[0].lifetime.file == "customers_june.csv"


def test_order_rows_that_outnumber_an_older_figure_are_the_wider_view(ws, tmp_path):
    import_file(ws, shopify_customers(tmp_path / "customers_export.csv",
                                      [{**SHOP_ANN, "Total Spent": "180.00", "Total Orders": "2"}]))
    import_file(ws, shopify_orders(tmp_path / "orders_export.csv", ANN_SIX[:3]))
    ann, count, spend, *_ = _customer(ws, "ann@example.com")
    assert (count, spend) == (3, 25000)
    [shop] = money_by_channel(ws, ann)
    assert shop.orders_from == "rows" and shop.older.file == "customers_export.csv"
    assert "more than the 2 of customers_export.csv" in shop.explain()


def test_till_lifetime_transaction_count_and_shop_figure_add_up_across_channels(ws, tmp_path):
    square = write_csv(tmp_path / "square_customers.csv", SQUARE_DIRECTORY, [
        [row.get(h, "") for h in SQUARE_DIRECTORY] for row in [{
            "Reference ID": "", "First Name": "Ann", "Last Name": "Lee", "Email Address": "ann@example.com",
            "Phone Number": "(207) 555-0101", "Square Customer ID": "JDKYHBWT1D4F8MFH63DBMEN8Y4",
            "Creation Source": "Directory", "First Visit": "2024-05-02", "Last Visit": "2026-03-09",
            "Transaction Count": "28", "Lifetime Spend": "$512.40", "Email Subscription Status": "subscribed",
        }]
    ])
    till = write_csv(tmp_path / "till_transactions.csv", TILL_HEADER, [
        ["02/03/2026", "10:15", "20001", "Ann Lee", "(207) 555-0101", "", "Sencha 3oz x1", "20,00"],
        ["09/03/2026", "11:00", "20002", "Ann Lee", "(207) 555-0101", "", "Mug x1", "15,00"],
    ], encoding="cp1252", delimiter=";")
    assert import_file(ws, square).preset == "square"
    import_file(ws, till, ImportOptions(channel="pos", kind="events"))
    import_file(ws, shopify_customers(tmp_path / "customers_export.csv", [SHOP_ANN]))
    import_file(ws, shopify_orders(tmp_path / "orders_export.csv", ANN_SIX))
    ann, count, spend, *_ = _customer(ws, "ann@example.com")
    assert (count, spend) == (11 + 28, 79700 + 51240)
    shop, till_money = money_by_channel(ws, ann)  # the shop first, as the card lists them
    assert till_money.describe("USD") == \
        "Till: 28 transactions, 512.40 USD — lifetime figure from square_customers.csv"
    assert "2 transactions in till_transactions.csv not added again" in till_money.explain()
    profile = customer_profile(ws, ann)
    assert (profile.orders, profile.spend_minor) == (sum(m.orders for m in profile.money),
                                                     sum(m.spend_minor for m in profile.money))


def test_the_rule_per_measure_when_a_figure_gives_only_one():
    rows = OrderRows(rows=2, orders=2, spend_minor=3500, files=("till.csv",))
    count_only = channel_money("pos", Lifetime(28, None, 1, (1,), "square.csv"), rows)
    assert (count_only.orders, count_only.spend_minor) == (28, 3500)
    assert count_only.describe("USD") == ("Till: 28 transactions (lifetime figure from square.csv), "
                                          "35.00 USD (sum of order rows in till.csv)")
    assert channel_money("pos", None, OrderRows()) is None
    # Two accounts in one export add up; an older export is left out.
    got = latest_lifetime([(1, 1, {"total_orders": 3, "total_spent": "30.00"}),
                           (2, 2, {"total_orders": 4, "total_spent": "40.00"}),
                           (3, 2, {"total_orders": 1, "total_spent": "5.50"})])
    assert (got.orders, got.spend_minor, got.record_ids) == (5, 4550, (2, 3))


# -- the buyer's details from the shipping ones --------------------------------------


def test_shipping_name_phone_and_address_stand_in_for_empty_billing_ones(ws, tmp_path):
    orders = [
        # A store-pickup-less checkout that asked for no billing address: all on shipping.
        order("#2001", "ann@example.com", "42.00", billing_name="", **{
            "Shipping Name": "Ann Lee", "Shipping Phone": "(207) 555-0101", "Shipping Address1": "12 Fore St",
            "Shipping Address2": "Apt 3", "Shipping City": "Portland", "Shipping Zip": "04101",
            "Shipping Province": "ME", "Shipping Country": "US", "Shipping Street": "12 Fore St Apt 3"}),
        # A gift: the billing details are the buyer's; the recipient's are never taken.
        order("#2002", "bob@example.com", "30.00", billing_name="Bob Stone", **{
            "Billing Phone": "(207) 555-0102", "Billing Address1": "5 Elm St", "Billing City": "Bangor",
            "Billing Zip": "04401", "Billing Province": "ME", "Billing Country": "US",
            "Shipping Name": "Mia Stone", "Shipping Phone": "(617) 555-0199", "Shipping Address1": "9 Oak Ave",
            "Shipping City": "Boston", "Shipping Zip": "02134", "Shipping Province": "MA", "Shipping Country": "US"}),
        # Billing gives only a town: its address is billing's, never half the shipping one.
        order("#2003", "cara@example.com", "19.00", billing_name="Cara Nolan", **{
            "Billing City": "Augusta", "Shipping Address1": "1 Water St", "Shipping City": "Hallowell",
            "Shipping Zip": "04347"}),
    ]
    import_file(ws, shopify_orders(tmp_path / "orders_export.csv", orders))
    _id, _n, _s, name, phone, address, city, postcode, region, country = _customer(ws, "ann@example.com")
    assert (name, phone) == ("Ann Lee", "+12075550101")
    assert (address, city, postcode, region, country) == ("12 Fore St, Apt 3", "Portland", "04101", "ME", "US")
    bob = _customer(ws, "bob@example.com")
    assert bob[3:] == ("Bob Stone", "+12075550102", "5 Elm St", "Bangor", "04401", "ME", "US")
    assert find_customer(ws, "(617) 555-0199") is None  # the recipient's phone names nobody here
    cara = _customer(ws, "cara@example.com")
    assert cara[5:8] == ("", "Augusta", "")


# -- workspaces from before ----------------------------------------------------------


def test_an_older_workspace_gets_statuses_from_its_rows_and_its_totals_counted_again(ws, tmp_path):
    orders = [order("#1001", "ann@example.com", "100.00"),
              order("#1002", "ann@example.com", "50.00", "refunded", **{"Refunded Amount": "50.00"}),
              order("#1003", "ann@example.com", "20.00", **{"Cancelled at": "2026-03-02 09:00:00 -0500"}),
              order("#1004", "ann@example.com", "80.00", "partially_refunded", **{"Refunded Amount": "30.00"})]
    import_file(ws, shopify_orders(tmp_path / "orders_export.csv", orders))
    assert _customer(ws, "ann@example.com")[1:3] == (2, 15000)
    path = ws.path
    with ws.engine.begin() as conn:
        # As an older version left it: "Cancelled at" and "Refunded Amount" kept raw only,
        # and the customer's totals summed over every order.
        conn.exec_driver_sql("UPDATE import_batch SET mapping_json = replace(replace(mapping_json, "
                             "'\"cancelled_at\"', '\"ignore\"'), '\"refunded_amount\"', '\"ignore\"')")
        conn.exec_driver_sql("UPDATE customer SET orders = 4, spend_minor = 25000")
        command.downgrade(_alembic_config(conn), "0007")
    ws.close()
    with Workspace.open(path) as again:
        assert _customer(again, "ann@example.com")[1:3] == (2, 15000)
        with again.engine.begin() as conn:
            assert fill_order_statuses(conn) == 4  # idempotent: the same statuses again
            mapping = json.loads(conn.exec_driver_sql("SELECT mapping_json FROM import_batch").scalar())
            assert "cancelled_at" not in mapping
            refresh_customers(conn, [_customer(again, "ann@example.com")[0]])
        assert _customer(again, "ann@example.com")[1:3] == (2, 15000)


# -- Square's own transactions export ------------------------------------------------


def _square_transactions(path, rows):
    from tests.core.test_presets import SQUARE_TRANSACTIONS

    base = {"Time Zone": "Eastern Time (US & Canada)", "Source": "Point of Sale", "Location": "Fore St",
            "Event Type": "Payment", "Transaction Status": "Complete", "Partial Refunds": "$0.00",
            "Customer ID": "JDKYHBWT1D4F8MFH63DBMEN8Y4", "Customer Name": "Ann Lee"}
    return write_csv(path, SQUARE_TRANSACTIONS, [[{**base, **r}.get(h, "") for h in SQUARE_TRANSACTIONS]
                                                 for r in rows])


SQUARE_ROWS = [
    {"Date": "2026-03-02", "Time": "10:15:30", "Total Collected": "$20.00", "Transaction ID": "TX1",
     "Description": "Sencha 3oz"},
    # $4.00 of this payment given back later: it shows on the payment.
    {"Date": "2026-03-09", "Time": "11:00:02", "Total Collected": "$15.00", "Partial Refunds": "-$4.00",
     "Transaction ID": "TX2", "Description": "Mug"},
    # A whole refund is a row of its own, its total negative.
    {"Date": "2026-03-10", "Time": "09:30:00", "Total Collected": "-$20.00", "Event Type": "Refund",
     "Transaction ID": "TX1", "Description": "Sencha 3oz", "Refund Reason": "Returned goods"},
]


def test_square_transactions_net_of_refunds_and_the_directory_figure_over_them(ws, tmp_path):
    result = import_file(ws, _square_transactions(tmp_path / "transactions-2026.csv", SQUARE_ROWS))
    assert result.preset == "square_transactions" and result.events == 3 and result.flagged == 0
    with ws.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT display_name, orders, spend_minor FROM customer").all()
    # Two payments; TX1 refunded in full by its own row, TX2 in part.
    assert [tuple(r) for r in rows] == [("Ann Lee", 2, 2000 - 2000 + 1500 - 400)]
    # The directory export names her by the same Square id: its lifetime figure is the till's.
    directory = write_csv(tmp_path / "square_customers.csv", SQUARE_DIRECTORY, [[{
        "First Name": "Ann", "Last Name": "Lee", "Email Address": "ann@example.com",
        "Square Customer ID": "JDKYHBWT1D4F8MFH63DBMEN8Y4", "Transaction Count": "28",
        "Lifetime Spend": "$512.40"}.get(h, "") for h in SQUARE_DIRECTORY]])
    import_file(ws, directory)
    ann, count, spend, *_ = _customer(ws, "ann@example.com")
    assert (count, spend) == (28, 51240)
    [till] = money_by_channel(ws, ann)
    assert till.describe("USD") == "Till: 28 transactions, 512.40 USD — lifetime figure from square_customers.csv"


# -- WooCommerce orders ---------------------------------------------------------------


def test_woocommerce_refunded_and_failed_orders_and_a_refunded_total(ws, tmp_path):
    from tests.core.test_presets import WOOCOMMERCE_ORDERS

    def row(number, status, total, refunded="0.00", item="Mug"):
        # The official export repeats the order's columns on each of its item rows.
        cells = {"Order ID": number, "Order Number": number, "Order Date": "2026-03-02 15:20:11",
                 "Order Status": status, "Order Total": total, "Refunded Total": refunded,
                 "Order Currency": "USD", "Billing First Name": "Hana", "Billing Last Name": "Kim",
                 "Billing Email Address": "hana@example.com", "Item Name": item, "Item Quantity": "1"}
        return [cells.get(h, "") for h in WOOCOMMERCE_ORDERS]

    path = write_csv(tmp_path / "orders-export-2026_03_31.csv", WOOCOMMERCE_ORDERS, [
        row("1041", "completed", "46.00", "10.00", "Tea towel"), row("1041", "completed", "46.00", "10.00"),
        row("1042", "refunded", "18.00", "18.00"), row("1043", "failed", "25.00"),
        row("1044", "cancelled", "12.00"), row("1045", "processing", "30.00"),
    ])
    result = import_file(ws, path, ImportOptions(preset="woocommerce_orders", kind="events", channel="shop"))
    assert result.events == 5
    assert _customer(ws, "hana@example.com")[1:3] == (2, 3600 + 3000)




def test_a_checkout_draft_is_no_order_until_it_is_placed(ws, tmp_path):
    """WooCommerce's block checkout keeps a draft order ("checkout-draft") for a checkout never
    submitted: no order and no spend until a later export says it was placed.  An order placed
    and awaiting payment ("pending", "on-hold") is an order, as Shopify counts one."""
    from tests.core.test_presets import WOOCOMMERCE_ORDERS

    def row(number, status, total):
        cells = {"Order ID": number, "Order Number": number, "Order Date": "2026-03-02 15:20:11",
                 "Order Status": status, "Order Total": total, "Refunded Total": "0.00",
                 "Order Currency": "USD", "Billing First Name": "Paul", "Billing Last Name": "Ortiz",
                 "Billing Email Address": "paul@example.com", "Item Name": "Mug", "Item Quantity": "1"}
        return [cells.get(h, "") for h in WOOCOMMERCE_ORDERS]

    first = write_csv(tmp_path / "orders-export-2026_03_02.csv", WOOCOMMERCE_ORDERS, [
        row("2001", "checkout-draft", "80.00"), row("2002", "draft", "60.00"), row("2003", "wc-checkout-draft", "5.00"),
        row("2004", "pending", "15.00"), row("2005", "completed", "30.00")])
    import_file(ws, first, ImportOptions(preset="woocommerce_orders", kind="events", channel="shop"))
    assert _customer(ws, "paul@example.com")[1:3] == (2, 1500 + 3000)
    # Placed since: the later export of the same order counts it.
    later = write_csv(tmp_path / "orders-export-2026_03_09.csv", WOOCOMMERCE_ORDERS, [
        row("2001", "processing", "80.00")])
    import_file(ws, later, ImportOptions(preset="woocommerce_orders", kind="events", channel="shop"))
    assert _customer(ws, "paul@example.com")[1:3] == (3, 1500 + 3000 + 8000)


def test_woocommerce_default_format_is_read_as_its_orders_with_the_refunded_total(ws, tmp_path):
    """Detected by its own field names (no preset given): a partial refund is taken off, a refunded
    order counts nothing, and the WordPress post number is not taken for the order number."""
    from tests.core.test_presets import WOOCOMMERCE_DEFAULT
    def row(post, number, status, total, refunded="0.00"):
        cells = {"order_id": post, "order_number": number, "order_date": "2026-10-01 10:00:00", "status": status,
                 "order_total": total, "refunded_total": refunded, "order_currency": "USD",
                 "billing_first_name": "Cara", "billing_last_name": "Diaz", "billing_email": "cara@example.com",
                 "billing_phone": "5125550100", "billing_city": "Austin", "billing_country": "US",
                 "line_items": "name:Candle|sku:C1|quantity:2|total:40.00"}
        return [cells.get(h, "") for h in WOOCOMMERCE_DEFAULT]

    path = write_csv(tmp_path / "orders.csv", WOOCOMMERCE_DEFAULT, [
        row("5101", "101", "completed", "45.00"), row("5102", "102", "refunded", "45.00", "45.00"),
        row("5103", "103", "completed", "45.00", "20.00")])
    result = import_file(ws, path)
    assert result.preset == "woocommerce_orders_default" and result.events == 3
    assert _customer(ws, "cara@example.com")[1:3] == (2, 4500 + 2500)
    with ws.engine.connect() as conn:
        numbers = sorted(conn.exec_driver_sql("SELECT json_extract(details_json, '$.order_id') FROM event").scalars())
    assert numbers == ["101", "102", "103"]


def test_a_lifetime_figure_is_shown_in_its_exports_currency(ws, tmp_path):
    # Stripe's customers export (STRIPE_CUSTOMERS, Stripe's own layout) writes each customer's
    # currency beside Total Spend, lower case: a customer who paid in euros is not "9.99 USD",
    # and 9.99 EUR is no spend in the shop's dollars: the card shows it apart.
    ws.set_setting("currency", "USD")
    rows = [{"id": "cus_P3", "Email": "rosa@example.com", "Name": "Rosa García", "Created (UTC)": "2024-03-05 10:00",
             "Delinquent": "false", "Currency": "eur", "Total Spend": "9.99", "Payment Count": "1"},
            {"id": "cus_P4", "Email": "pat@example.com", "Name": "Pat Doe", "Created (UTC)": "2024-03-06 10:00",
             "Delinquent": "false", "Currency": "usd", "Total Spend": "120.00", "Payment Count": "3"}]
    f = write_csv(tmp_path / "unified_customers.csv", STRIPE_CUSTOMERS,
                  [[r.get(h, "") for h in STRIPE_CUSTOMERS] for r in rows])
    import_file(ws, f)
    rosa, pat = (customer_profile(ws, find_customer(ws, e)) for e in ("rosa@example.com", "pat@example.com"))
    assert (rosa.spend_minor, rosa.currency, rosa.other_spend) == (None, "USD", {"EUR": 999})
    assert rosa.money[0].describe(rosa.currency).startswith("Shop: 1 order, 9.99 EUR — lifetime figure")
    assert (pat.spend_minor, pat.currency, pat.other_spend) == (12000, "USD", {})
    with ws.engine.connect() as conn:  # what the Customers list and a segment's spend read
        assert dict(conn.exec_driver_sql("SELECT email, spend_minor FROM customer").all()) == {
            "rosa@example.com": None, "pat@example.com": 12000}


@pytest.mark.parametrize("minor, screen, file", [
    (123450, "1,234.50", "1234.50"), (5, "0.05", "0.05"), (-5, "-0.05", "-0.05"), (0, "0.00", "0.00"),
    (-123456789, "-1,234,567.89", "-1234567.89"),
    # Beyond what a float holds exactly: the text is still the exact amount.
    (12345678901234567, "123,456,789,012,345.67", "123456789012345.67"),
])
def test_one_way_to_write_an_amount(minor, screen, file):
    assert format_money(minor) == screen and format_money(minor, grouped=False) == file
    assert format_money(minor, "EUR") == f"{screen} EUR"
    assert format_money(None) == format_money(None, "USD", grouped=False) == ""
    assert to_minor(file) == minor


def test_to_minor_rounds_to_the_nearest_hundredth_as_the_importer_always_has():
    assert to_minor(Decimal("12.345")) == 1234 and to_minor(Decimal("12.355")) == 1236  # half to even
    assert to_minor("32") == 3200 and to_minor(9.99) == 999 and to_minor(None) is None
