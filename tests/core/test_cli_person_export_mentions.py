"""A person's data export holds what other customers' rows hold of them, and only that.

Ann bought a gift for Zed and had it shipped to him: her row of the Shopify
orders export carries his name, street and phone in its Shipping columns.
Erasing Zed takes them out of her row; exporting Zed's data first must show
them to him, without Ann's own email, phone or order.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile

from tests.helpers import run_cli, write_csv

CUSTOMERS = ["Customer ID", "First Name", "Last Name", "Email", "Accepts Email Marketing",
             "Default Address Address1", "Default Address City", "Default Address Zip", "Phone"]
ORDERS = ["Name", "Email", "Financial Status", "Paid at", "Currency", "Subtotal", "Total", "Created at",
          "Lineitem quantity", "Lineitem name", "Lineitem price", "Billing Name", "Billing Address1",
          "Billing City", "Billing Zip", "Billing Phone", "Shipping Name", "Shipping Address1", "Shipping City",
          "Shipping Zip", "Shipping Phone"]


def test_the_export_of_a_gift_recipient_holds_the_shipping_cells_of_the_buyers_order(tmp_path, capsys):
    ws = tmp_path / "shop.omnidesk"
    customers = write_csv(tmp_path / "customers_export.csv", CUSTOMERS, [
        ["'1001", "Ann", "Buyer", "ann.buyer@example.com", "yes", "1 Main St", "Portland", "04101", "+12075550100"],
        ["'1002", "Zed", "Target", "zed.target@example.com", "yes", "77 Secret Lane", "Bangor", "04401",
         "+12075550177"]])
    at = "2026-10-01 10:00:00 -0400"
    orders = write_csv(tmp_path / "orders_export.csv", ORDERS, [
        ["#2001", "ann.buyer@example.com", "paid", at, "USD", "50.00", "50.00", at, "1", "Gift box", "50.00",
         "Ann Buyer", "1 Main St", "Portland", "04101", "+12075550100",
         "Zed Target", "77 Secret Lane", "Bangor", "04401", "(207) 555-0177"]])
    for export in (customers, orders):
        assert run_cli(capsys, "import", export, "--channel", "shop", "-w", ws)[0] == 0
    status, out, err = run_cli(capsys, "-w", ws, "person", "export", "zed.target@example.com", tmp_path / "zed.zip")
    assert status == 0, err
    with zipfile.ZipFile(tmp_path / "zed.zip") as z:
        data = json.loads(z.read("person.json"))
        table = list(csv.DictReader(io.StringIO(z.read("in_others_records.csv").decode("utf-8"))))
    theirs = {"Shipping Name": "Zed Target", "Shipping Address1": "77 Secret Lane", "Shipping Phone": "(207) 555-0177"}
    assert [(m["source_file"], m["source_row"], m["their_cells"]) for m in data["in_others_records"]] == [
        ("orders_export.csv", 1, theirs)]
    assert [(r["source_file"], r["source_row"], json.loads(r["their_cells"])) for r in table] == [
        ("orders_export.csv", "1", theirs)]
    # Nothing of Ann's own: her email, phone, name, street and order are hers.
    mentions = json.dumps(data["in_others_records"])
    for hers in ("ann.buyer@example.com", "+12075550100", "Ann Buyer", "1 Main St", "50.00"):
        assert hers not in mentions, hers
    # The erase finds the very same row.
    status, out, err = run_cli(capsys, "-w", ws, "person", "erase", "zed.target@example.com", "--yes")
    assert status == 0, err
    assert "also removed from 1 row of other customers" in out


def test_every_table_of_the_export_has_its_header_even_with_no_rows(tmp_path, capsys):
    """A table the person has nothing in (no pins, no sends, no one else's rows) is still a CSV
    with its columns, not an empty file a spreadsheet opens as nothing; a table with rows has the
    same columns."""
    from omnidesk.core.rights import _PERSON_COLUMNS

    ws = tmp_path / "shop.omnidesk"
    customers = write_csv(tmp_path / "customers_export.csv", CUSTOMERS, [
        ["'1001", "Ann", "Buyer", "ann.buyer@example.com", "yes", "1 Main St", "Portland", "04101", "+12075550100"]])
    assert run_cli(capsys, "import", customers, "--channel", "shop", "-w", ws)[0] == 0
    status, _, err = run_cli(capsys, "-w", ws, "person", "export", "ann.buyer@example.com", tmp_path / "ann.zip")
    assert status == 0, err
    with zipfile.ZipFile(tmp_path / "ann.zip") as z:
        data = json.loads(z.read("person.json"))
        for table, columns in _PERSON_COLUMNS.items():
            header = next(csv.reader(io.StringIO(z.read(f"{table}.csv").decode("utf-8"))))
            assert header == list(columns), table
            if data[table]:
                assert list(data[table][0]) == list(columns), table
    assert not data["pins"] and not data["sends"] and not data["in_others_records"] and data["source_records"]
