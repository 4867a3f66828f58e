"""Real shop and email-tool exports read as what they are: a German, French, Spanish, Dutch or
Italian order export is a file of orders (its cancelled orders not spend), a Brevo contacts
export gives each contact the mobile number in its SMS column, a Squarespace orders export's
extra item lines do not make it a list of people, and an Etsy sold-orders export keeps the
buyer's shipping address and counts the order's total, not its items' value.
"""

from __future__ import annotations

import csv
import json

from tests.helpers import run_cli


def _import(capsys, ws, path, *args) -> str:
    status, out, err = run_cli(capsys, "import", str(path), "-w", str(ws.path), *args)
    assert status == 0, err
    return out + err


def _customers(capsys, ws, tmp_path, columns: str) -> dict[str, dict[str, str]]:
    out_csv = tmp_path / "customers.csv"
    status, _, err = run_cli(capsys, "export", "customers", str(out_csv), "--force", "--columns",
                             f"id,{columns}", "-w", str(ws.path))
    assert status == 0, err
    with out_csv.open(encoding="utf-8-sig", newline="") as f:
        return {r["id"]: r for r in csv.DictReader(f)}


def _report(capsys, ws) -> dict:
    status, out, err = run_cli(capsys, "report", "--json", "-w", str(ws.path))
    assert status == 0, err
    return json.loads(out)


# -- a Squarespace orders export: an order's extra items are rows without a date -------------------

SQUARESPACE = (
    "Order ID,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Currency,Subtotal,Shipping,"
    "Discount Code,Discount Amount,Shipping Method,Taxes,Amount Refunded,Total,Lineitem quantity,"
    "Lineitem name,Lineitem price,Lineitem sku,Lineitem variant,Lineitem requires shipping,Lineitem taxable,"
    "Lineitem fulfillment status,Billing Name,Billing Address1,Billing Address2,Billing City,Billing Zip,"
    "Billing Province,Billing Country,Billing Phone,Shipping Name,Shipping Address1,Shipping Address2,"
    "Shipping City,Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Cancelled at,"
    "Private Notes,Payment Method,Payment Reference,Created at,Channel,Channel Type,Channel Name\n"
    "01001,rosa@example.com,PAID,2024-03-05 14:21:07 -0500,FULFILLED,2024-03-06 10:00:00 -0500,USD,60.00,"
    "5.00,,0.00,Flat Rate,4.80,0.00,69.80,1,Blue Mug,20.00,SQ-MUG,Blue,true,true,fulfilled,Rosa Diaz,"
    "5 Pine St,,Austin,78701,TX,US,512-555-0142,Rosa Diaz,5 Pine St,,Austin,78701,TX,US,512-555-0142,,,"
    "Stripe,ch_1,2024-03-05 14:21:07 -0500,Web,web,\n"
    "01001,,,,,,,,,,,,,,,2,Red Bowl,20.00,SQ-BOWL,Red,true,true,fulfilled,,,,,,,,,,,,,,,,,,,,,,,,\n"
    "01002,rosa@example.com,REFUNDED,2024-04-01 09:00:00 -0400,CANCELED,,USD,30.00,0.00,,0.00,,0.00,30.00,"
    "30.00,1,Plate,30.00,SQ-PLT,,true,true,,Rosa Diaz,5 Pine St,,Austin,78701,TX,US,512-555-0142,,,,,,,,,"
    "2024-04-02 09:00:00 -0400,,Stripe,ch_2,2024-04-01 09:00:00 -0400,Web,web,\n"
)


def test_a_squarespace_orders_export_is_read_as_orders_its_extra_item_lines_and_all(
        capsys, make_workspace, tmp_path):
    ws = make_workspace(default_region="US", currency="USD", timezone="America/Chicago")
    path = tmp_path / "orders_squarespace.csv"
    path.write_bytes(SQUARESPACE.encode("utf-8"))
    said = _import(capsys, ws, path)
    assert "list of people" not in said
    rosa, = _customers(capsys, ws, tmp_path, "email,phone,city,orders,lifetime_spend").values()
    # One order counted, 69.80; the refunded one is not spend.
    assert (rosa["email"], rosa["orders"], rosa["lifetime_spend"]) == ("rosa@example.com", "1", "69.80")
    assert (rosa["phone"], rosa["city"]) == ("+15125550142", "Austin")
    totals = _report(capsys, ws)["totals"]
    assert (totals["events"], totals["revenue"]) == (2, 69.8)


# -- an Etsy sold-orders export: the shipping address, and the order's total ----------------------

ETSY = (
    "Sale Date,Order ID,Buyer User ID,Full Name,First Name,Last Name,Number of Items,Payment Method,"
    "Date Shipped,Street 1,Street 2,Ship City,Ship State,Ship Zipcode,Ship Country,Currency,Order Value,"
    "Coupon Code,Coupon Details,Discount Amount,Shipping Discount,Shipping,Sales Tax,Order Total,Status,"
    "Card Processing Fees,Order Net,Adjusted Order Total,Adjusted Card Processing Fees,"
    "Adjusted Net Order Amount,Buyer,Order Type,Payment Type,InPerson Discount,InPerson Location,SKU\n"
    "12/03/24,3512345678,987654321,Jane Smith,Jane,Smith,2,Credit card,12/05/24,12 Oak St,,Boston,MA,"
    "02134,United States,USD,42.00,,,0,0,5.95,2.63,50.58,Completed,1.77,48.81,--,--,--,janesmith88,online,"
    "online_cc,,,MUG-01\n"
    "01/15/25,3523456789,123456789,Hans Müller,Hans,Müller,1,PayPal,01/17/25,Hauptstr. 5,,Berlin,,10115,"
    "Germany,EUR,\"1,250.00\",,,0,0,12.00,0,\"1,262.00\",Completed,0.00,\"1,262.00\",--,--,--,hansm,online,"
    "paypal,,,LAMP-02\n"
)


def test_an_etsy_sold_orders_export_keeps_the_shipping_address_and_counts_the_order_total(
        capsys, make_workspace, tmp_path):
    ws = make_workspace(default_region="US", currency="USD", timezone="America/New_York")
    path = tmp_path / "EtsySoldOrders2025.csv"
    path.write_bytes(ETSY.encode("utf-8"))
    _import(capsys, ws, path)
    people = {r["last_name"]: r for r in _customers(
        capsys, ws, tmp_path, "last_name,address,city,region,postcode,country,orders,lifetime_spend").values()}
    jane, hans = people["Smith"], people["Müller"]
    # What Jane paid (items 42.00, shipping and tax on top), not the items' value alone.
    assert (jane["orders"], jane["lifetime_spend"]) == ("1", "50.58")
    assert [jane[k] for k in ("address", "city", "region", "postcode", "country")] == \
        ["12 Oak St", "Boston", "MA", "02134", "US"]
    assert [hans[k] for k in ("address", "city", "postcode", "country")] == ["Hauptstr. 5", "Berlin", "10115", "DE"]
    totals = _report(capsys, ws)["totals"]
    assert (totals["revenue"], totals["other_revenue"]) == (50.58, {"EUR": 1262.0})


def test_an_order_value_alone_is_still_the_order_s_amount(capsys, make_workspace, tmp_path):
    ws = make_workspace(default_region="US", currency="USD", timezone="America/New_York")
    path = tmp_path / "orders.csv"
    path.write_bytes(b"Order Date,Order ID,Email,Order Value\n2024-12-03,1001,amy@example.com,42.00\n")
    _import(capsys, ws, path)
    amy, = _customers(capsys, ws, tmp_path, "email,orders,lifetime_spend").values()
    assert (amy["orders"], amy["lifetime_spend"]) == ("1", "42.00")
