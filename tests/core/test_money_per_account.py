"""A customer's orders and spend are counted per shop account, then added up.

A shop's customers export gives each account its lifetime figure; an order row is tied to an
account by the record it came with when that is the account's own, else by the customer ID the
orders file gives, else by its email, else (giving neither) by its phone.  "The rows hold more orders than the figure: the
export is older" is only ever said of one account's own rows: another account's orders, merged
by hand or matched on a shared name and phone, never knock out a figure they are no part of.
Every place that shows orders and spend agrees: the card, ``export customers``, a segment on spend.
"""

from __future__ import annotations

import csv
import json

import time_machine

from omnidesk.core.profile import customer_profile
from omnidesk.core.workspace import Workspace

from tests.helpers import run_cli, write_csv

NOW = "2027-01-20 15:00:00Z"
CUSTOMERS = ["Customer ID", "First Name", "Last Name", "Email", "Accepts Email Marketing",
             "Default Address City", "Default Address Zip", "Default Address Phone", "Total Spent",
             "Total Orders", "Tax Exempt"]
ORDERS = ["Name", "Email", "Financial Status", "Currency", "Total", "Created at", "Lineitem quantity",
          "Lineitem name", "Lineitem price", "Billing Name", "Billing Phone", "Billing Zip", "Refunded Amount"]


def _order(name, email, total, created, billing, phone="", status="paid", refunded=""):
    return [name, email, status, "USD", total, created, "1", "Widget", total, billing, phone, "", refunded]


def _cli(capsys, ws, *argv) -> str:
    with time_machine.travel(NOW, tick=False):
        status, out, err = run_cli(capsys, *argv, "-w", ws)
    assert status == 0, (argv, err)
    return out


def _shop(tmp_path, capsys, customers, orders):
    ws = tmp_path / "shop.omnidesk"
    files = [write_csv(tmp_path / "customers_export.csv", CUSTOMERS, customers),
             write_csv(tmp_path / "orders_export.csv", ORDERS, orders)]
    _cli(capsys, ws, "import", *files, "--region", "US")
    return ws


def _exported(tmp_path, capsys, ws) -> dict[str, tuple[str, str]]:
    out = tmp_path / "customers.csv"
    _cli(capsys, ws, "export", "customers", out, "--columns", "id,email,orders,lifetime_spend", "--force")
    with out.open(encoding="utf-8", newline="") as fh:
        return {r["id"]: (r["orders"], r["lifetime_spend"]) for r in csv.DictReader(fh)}


def _ids(tmp_path, capsys, ws) -> dict[str, str]:
    out = tmp_path / "ids.csv"
    _cli(capsys, ws, "export", "sources", out)
    with out.open(encoding="utf-8", newline="") as fh:
        return {f"{r['source_file']}:{r['source_row']}": r["customer_id"] for r in csv.DictReader(fh)}


def _spend_count(capsys, ws, low, high) -> int:
    rule = {"field": "spend", "op": "between", "value": [low, high]}
    return json.loads(_cli(capsys, ws, "segment", "count", "--rule", json.dumps(rule), "--json"))["customers"]


def _card(ws_path, customer_id) -> tuple[int, int | None, list[str]]:
    with Workspace.open(ws_path) as ws:
        card = customer_profile(ws, int(customer_id))
        return card.orders, card.spend_minor, [m.describe(card.currency) for m in card.money]


# -- two customers merged by hand ----------------------------------------------------


def test_a_lifetime_figure_outlives_a_merge_with_another_accounts_order_rows(tmp_path, capsys):
    # Eve's account: 2 orders, 1,234.50 in the customers export, none in the orders file.  Dan's
    # orders: 3 rows, 25.00.  Merged by hand, they are 5 orders and 1,259.50, not Dan's rows alone.
    ws = _shop(tmp_path, capsys, [["1005", "Eve", "Evans", "eve@example.com", "no", "Springfield", "62701", "",
                                   "1,234.50", "2", "no"]],
               [_order("#1010", "dan@example.com", "10.00", "2026-03-04 10:00:00 -0500", "Dan Dunn",
                       status="partially_refunded", refunded="15.00"),
                _order("#1011", "dan@example.com", "5.00", "2026-03-05 10:00:00 -0500", "Dan Dunn"),
                _order("#1012", "dan@example.com", "20.00", "2026-11-30 23:30:00 -0500", "Dan Dunn",
                       status="pending")])
    owners = _ids(tmp_path, capsys, ws)
    eve, dan = owners["customers_export.csv:1"], owners["orders_export.csv:1"]
    assert eve != dan
    assert _exported(tmp_path, capsys, ws) == {eve: ("2", "1234.50"), dan: ("3", "25.00")}
    _cli(capsys, ws, "merge", eve, dan)
    merged = min(eve, dan, key=int)
    assert _exported(tmp_path, capsys, ws) == {merged: ("5", "1259.50")}
    assert _spend_count(capsys, ws, 1259, 1260) == 1
    orders, spend, lines = _card(ws, merged)
    assert (orders, spend) == (5, 125950)
    assert lines == ["Shop: 5 orders, 1,259.50 USD — lifetime figure from customers_export.csv"
                     " + sum of order rows in orders_export.csv"]


def test_each_account_keeps_its_own_rule_when_two_are_merged(tmp_path, capsys):
    # Hank's account: 4 orders, 200.00, no order rows.  hank2's: a figure of 1 order, 10.00, and
    # two order rows worth 25.00: that export is older than hank2's rows.  Between them: 6, 225.00.
    ws = _shop(tmp_path, capsys, [
        ["2003", "Hank", "Hill", "hank@example.com", "yes", "Arlen", "75001", "", "200.00", "4", "no"],
        ["2004", "Hank", "Hill", "hank2@example.com", "yes", "Arlen", "75001", "", "10.00", "1", "no"]],
        [_order("#4", "hank2@example.com", "10.00", "2026-10-03 10:00:00 -0500", "Hank Hill"),
         _order("#5", "hank2@example.com", "15.00", "2026-11-03 10:00:00 -0500", "Hank Hill")])
    owners = _ids(tmp_path, capsys, ws)
    hank, hank2 = owners["customers_export.csv:1"], owners["customers_export.csv:2"]
    assert hank != hank2 and owners["orders_export.csv:1"] == hank2
    assert _exported(tmp_path, capsys, ws) == {hank: ("4", "200.00"), hank2: ("2", "25.00")}
    _cli(capsys, ws, "merge", hank, hank2)
    merged = min(hank, hank2, key=int)
    assert _exported(tmp_path, capsys, ws) == {merged: ("6", "225.00")}
    assert _spend_count(capsys, ws, 225, 225) == 1
    orders, spend, _lines = _card(ws, merged)
    assert (orders, spend) == (6, 22500)


# -- guest orders matched to a customer ------------------------------------------------


def test_guest_orders_under_another_email_are_added_to_the_lifetime_figure(tmp_path, capsys):
    # Two guest orders under another email carry Eve's billing name and phone: they are hers, and
    # orders of no account her figure counts.  Her own account's one row is within its 2 orders.
    phone = "+12175550155"
    ws = _shop(tmp_path, capsys, [["3001", "Eve", "Evans", "eve@example.com", "yes", "Springfield", "62701", phone,
                                   "1234.50", "2", "no"]],
               [_order("#1", "eve@example.com", "1000.00", "2026-10-01 10:00:00 -0500", "Eve Evans", phone),
                _order("#2", "eve.guest@example.net", "10.00", "2026-10-02 10:00:00 -0500", "Eve Evans", phone),
                _order("#3", "eve.guest@example.net", "10.00", "2026-10-03 10:00:00 -0500", "Eve Evans", phone)])
    owners = _ids(tmp_path, capsys, ws)
    assert len(set(owners.values())) == 1
    (eve,) = set(owners.values())
    assert _exported(tmp_path, capsys, ws) == {eve: ("4", "1254.50")}
    assert _spend_count(capsys, ws, 1254, 1255) == 1
    orders, spend, _lines = _card(ws, eve)
    assert (orders, spend) == (4, 125450)


# -- one account: the rule as it always was ---------------------------------------------


def test_one_accounts_figure_counts_its_own_rows_once_or_gives_way_to_more(tmp_path, capsys):
    ws = _shop(tmp_path, capsys, [
        ["4001", "Ann", "Lee", "ann@example.com", "yes", "Portland", "04101", "", "500.00", "5", "no"],
        ["4002", "Bo", "Berg", "bo@example.com", "yes", "Bangor", "04401", "", "50.00", "1", "no"]],
        [_order("#21", "ann@example.com", "100.00", "2026-10-01 10:00:00 -0500", "Ann Lee"),
         _order("#22", "ANN@example.com", "40.00", "2026-10-02 10:00:00 -0500", "Ann Lee"),
         _order("#23", "bo@example.com", "20.00", "2026-10-01 10:00:00 -0500", "Bo Berg"),
         _order("#24", "bo@example.com", "30.00", "2026-10-02 10:00:00 -0500", "Bo Berg")])
    owners = _ids(tmp_path, capsys, ws)
    ann, bo = owners["customers_export.csv:1"], owners["customers_export.csv:2"]
    assert owners["orders_export.csv:2"] == ann and owners["orders_export.csv:4"] == bo
    # Ann's two rows are within her 5 orders; Bo's two rows are more than his export's 1.
    assert _exported(tmp_path, capsys, ws) == {ann: ("5", "500.00"), bo: ("2", "50.00")}
    assert _card(ws, ann) == (5, 50000, ["Shop: 5 orders, 500.00 USD — lifetime figure from customers_export.csv"])
    assert _card(ws, bo) == (2, 5000, ["Shop: 2 orders, 50.00 USD — sum of order rows in orders_export.csv"])


# -- one account read more than once ---------------------------------------------------


def test_orders_under_an_old_email_are_inside_the_figure_of_the_account_that_changed_it(tmp_path, capsys):
    # Ann changed her email: the customers export gives her new one and 3 orders, 300.00; the orders
    # file has #1 and #2 under her old email (an orders export names no customer ID) and #3 under the
    # new one.  Three rows, none more than her figure holds: they are its orders, not added to it.
    phone = "+12075550101"
    ws = _shop(tmp_path, capsys, [["4001", "Ann", "Lee", "ann.new@example.com", "yes", "Portland", "04101", phone,
                                   "300.00", "3", "no"]],
               [_order("#1", "ann.old@example.com", "100.00", "2025-01-01 10:00:00 -0500", "Ann Lee", phone),
                _order("#2", "ann.old@example.com", "100.00", "2025-02-01 10:00:00 -0500", "Ann Lee", phone),
                _order("#3", "ann.new@example.com", "100.00", "2026-02-01 10:00:00 -0500", "Ann Lee", phone)])
    owners = _ids(tmp_path, capsys, ws)
    assert len(set(owners.values())) == 1
    (ann,) = set(owners.values())
    assert _exported(tmp_path, capsys, ws) == {ann: ("3", "300.00")}
    assert _spend_count(capsys, ws, 300, 300) == 1
    assert _spend_count(capsys, ws, 301, 1000) == 0
    orders, spend, lines = _card(ws, ann)
    assert (orders, spend) == (3, 30000)
    assert lines == ["Shop: 3 orders, 300.00 USD — lifetime figure from customers_export.csv"]


OLD_CUSTOMERS = ["First Name", "Last Name", "Email", "City", "Zip", "Country Code", "Phone", "Accepts Marketing",
                 "Total Spent", "Total Orders", "Tax Exempt"]


def test_two_exports_without_customer_ids_are_two_readings_of_one_account(tmp_path, capsys):
    # An export in Shopify's older layout (no Customer ID) gives Ann 2 orders, 200.00; a later one,
    # after she changed her email, 3 orders, 300.00.  One account read twice: the later reading counts.
    ws = tmp_path / "shop.omnidesk"
    phone = "+12075550101"
    first = write_csv(tmp_path / "customers_export.csv", OLD_CUSTOMERS,
                      [["Ann", "Lee", "ann@example.com", "Portland", "04101", "US", phone, "yes", "200.00", "2", "no"]])
    later = write_csv(tmp_path / "customers_export_2026.csv", OLD_CUSTOMERS,
                      [["Ann", "Lee", "ann.new@example.com", "Portland", "04101", "US", phone, "yes", "300.00", "3",
                        "no"]])
    _cli(capsys, ws, "import", first, "--region", "US")
    _cli(capsys, ws, "import", later, "--region", "US")
    owners = _ids(tmp_path, capsys, ws)
    assert len(set(owners.values())) == 1
    (ann,) = set(owners.values())
    assert _exported(tmp_path, capsys, ws) == {ann: ("3", "300.00")}
    assert _spend_count(capsys, ws, 300, 300) == 1
    orders, spend, lines = _card(ws, ann)
    assert (orders, spend) == (3, 30000)
    assert lines == ["Shop: 3 orders, 300.00 USD — lifetime figure from customers_export_2026.csv"]


def test_two_accounts_in_one_export_without_customer_ids_are_both_counted(tmp_path, capsys):
    # One file lists each account once: two rows of it are two accounts, whatever their layout.
    ws = tmp_path / "shop.omnidesk"
    phone = "+12075550101"
    both = write_csv(tmp_path / "customers_export.csv", OLD_CUSTOMERS,
                     [["Ann", "Lee", "ann@example.com", "Portland", "04101", "US", phone, "yes", "200.00", "2", "no"],
                      ["Ann", "Lee", "ann.work@example.com", "Portland", "04101", "US", phone, "yes", "300.00", "3",
                       "no"]])
    _cli(capsys, ws, "import", both, "--region", "US")
    owners = _ids(tmp_path, capsys, ws)
    (ann,) = set(owners.values())
    assert _exported(tmp_path, capsys, ws) == {ann: ("5", "500.00")}
