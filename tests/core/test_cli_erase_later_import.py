"""An erased gift recipient stays out of the buyer's rows that a later orders export brings.

Ann bought a present for Zed and had it shipped to him.  Zed is erased; a newer
Shopify orders export arrives with the same order and a new gift to him.  Ann's
orders come in with their amounts, and nothing of Zed is written anywhere in
the workspace: his name, street and phone are left out of her rows as the
erase left them out of the rows there were.  All of it through the command
line, with files in Shopify's own layouts.
"""

from __future__ import annotations

import sqlite3

from tests.helpers import run_cli, write_csv

CUSTOMERS = ["Customer ID", "First Name", "Last Name", "Email", "Accepts Email Marketing",
             "Default Address Address1", "Default Address City", "Default Address Zip", "Phone",
             "Accepts SMS Marketing"]
ORDERS = ["Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Currency", "Subtotal", "Total",
          "Created at", "Lineitem quantity", "Lineitem name", "Lineitem price", "Billing Name",
          "Billing Address1", "Billing City", "Billing Zip", "Billing Phone", "Shipping Name",
          "Shipping Address1", "Shipping City", "Shipping Zip", "Shipping Phone"]
ZED = ("Zed Target", "zed.target", "Secret Lane", "555-0177", "5550177")


def _gift(number: str, total: str, item: str, ann_phone: str, zed_phone: str, day: str) -> list[str]:
    at = f"2026-{day} 10:00:00 -0400"
    return [number, "ann.buyer@example.com", "paid", at, "fulfilled", "USD", total, total, at, "1", item, total,
            "Ann Buyer", "1 Main St", "Portland", "04101", ann_phone,
            "Zed Target", "77 Secret Lane", "Bangor", "04401", zed_phone]


def _shop(tmp_path, capsys, ann_phone: str):
    ws = tmp_path / "shop.omnidesk"
    customers = write_csv(tmp_path / "customers_export.csv", CUSTOMERS, [
        ["'1001", "Ann", "Buyer", "ann.buyer@example.com", "yes", "1 Main St", "Portland", "04101", ann_phone, "no"],
        ["'1002", "Zed", "Target", "zed.target@example.com", "yes", "77 Secret Lane", "Bangor", "04401",
         "+12075550177", "yes"]])
    assert run_cli(capsys, "import", customers, "--channel", "shop", "-w", ws)[0] == 0
    return ws


def _erase_zed(capsys, ws) -> str:
    status, out, err = run_cli(capsys, "-w", ws, "person", "erase", "zed.target@example.com", "--yes")
    assert status == 0, err
    return out


def _texts(ws) -> str:
    """Every text value of every table of the workspace file, one per line."""
    db = sqlite3.connect(ws)
    try:
        found = []
        for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
            for row in db.execute(f'SELECT * FROM "{table}"').fetchall():
                found += [v.decode("utf-8", "replace") if isinstance(v, bytes) else v
                          for v in row if isinstance(v, (str, bytes))]
        return "\n".join(found)
    finally:
        db.close()


def _ann(ws):
    db = sqlite3.connect(ws)
    try:
        return db.execute("SELECT display_name, phone, orders, spend_minor FROM customer WHERE email = ?",
                          ("ann.buyer@example.com",)).fetchone()
    finally:
        db.close()


def _orders_of_ann(ws) -> list[tuple]:
    db = sqlite3.connect(ws)
    try:
        return db.execute("SELECT e.amount_minor FROM event e JOIN customer c ON c.id = e.customer_id "
                          "WHERE c.email = ? AND e.type = 'order' ORDER BY e.amount_minor",
                          ("ann.buyer@example.com",)).fetchall()
    finally:
        db.close()


def test_a_later_export_brings_back_none_of_an_erased_gift_recipient(tmp_path, capsys):
    ws = _shop(tmp_path, capsys, "+12075550100")
    first = write_csv(tmp_path / "orders_export.csv", ORDERS,
                      [_gift("#2001", "50.00", "Gift box", "+12075550100", "(207) 555-0177", "10-01")])
    assert run_cli(capsys, "import", first, "--channel", "shop", "-w", ws)[0] == 0
    assert "also removed from 1 row of other customers" in _erase_zed(capsys, ws)
    later = write_csv(tmp_path / "orders_export_1.csv", ORDERS,
                      [_gift("#2001", "50.00", "Gift box", "+12075550100", "(207) 555-0177", "10-01"),
                       _gift("#2002", "30.00", "Gift mug", "+12075550100", "207-555-0177", "11-01")])
    status, out, err = run_cli(capsys, "import", later, "--channel", "shop", "-w", ws)
    assert status == 0, err
    assert "imported 2" in out and "left out" not in out
    texts = _texts(ws)
    for trace in ZED:
        assert trace.casefold() not in texts.casefold(), trace
    for kept in ("#2001", "#2002", "Gift mug", "Ann Buyer", "1 Main St", "Bangor", "04401"):
        assert kept in texts, kept
    assert _ann(ws) == ("Ann Buyer", "+12075550100", 2, 8000)
    assert _orders_of_ann(ws) == [(3000,), (5000,)]


def test_a_buyers_order_whose_only_phone_was_the_erased_recipients_still_comes_in(tmp_path, capsys):
    """Ann gave no phone: Shopify's Shipping Phone, Zed's, stood in for hers.  Her order is hers,
    not his, and comes in whole; his phone is not made hers."""
    ws = _shop(tmp_path, capsys, "")
    _erase_zed(capsys, ws)
    orders = write_csv(tmp_path / "orders_export.csv", ORDERS,
                       [_gift("#2001", "50.00", "Gift box", "", "(207) 555-0177", "10-01")])
    status, out, err = run_cli(capsys, "import", orders, "--channel", "shop", "-w", ws)
    assert status == 0, err
    assert "imported 1" in out and "left out" not in out
    texts = _texts(ws)
    for trace in ZED:
        assert trace.casefold() not in texts.casefold(), trace
    assert _ann(ws) == ("Ann Buyer", None, 1, 5000)
    assert _orders_of_ann(ws) == [(5000,)]
