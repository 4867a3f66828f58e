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


def test_notes_typed_on_another_card_lose_the_persons_number_and_their_export_lists_them(tmp_path, capsys):
    """Bob's card says "Zed Target referred by Bob, call him on 207-555-0177": Zed's data export
    shows that note, and erasing Zed leaves it with his number and name as [erased].  A number the
    note's card holds too (a household landline) stays, as in other customers' rows."""
    from omnidesk.core.customers import customer_ids
    from omnidesk.core.notes import set_customer_notes
    from omnidesk.core.workspace import Workspace

    ws = tmp_path / "shop.omnidesk"
    customers = write_csv(tmp_path / "customers_export.csv", CUSTOMERS, [
        ["'1001", "Ann", "Buyer", "ann.buyer@example.com", "yes", "1 Main St", "Portland", "04101", "+12075550100"],
        ["'1002", "Zed", "Target", "zed.target@example.com", "yes", "77 Secret Lane", "Bangor", "04401",
         "+12075550177"],
        ["'1003", "Bob", "Friend", "bob@example.com", "yes", "5 Elm St", "Bangor", "04401", "+12075550188"],
        ["'1004", "Cy", "Target", "cy@example.com", "yes", "77 Secret Lane", "Bangor", "04401", "+12075550177"]])
    assert run_cli(capsys, "import", customers, "--channel", "shop", "-w", ws)[0] == 0
    bob_note = "Zed Target referred by Bob, call him on 207-555-0177 or zed.target@example.com. Likes tea."
    with Workspace.open(ws) as w:
        (bob,) = customer_ids(w, search="bob@example.com")
        (ann,) = customer_ids(w, search="ann.buyer@example.com")
        (zed,) = [c for c in customer_ids(w, search="Zed") if c not in (bob, ann)]
        set_customer_notes(w, bob, bob_note)
        set_customer_notes(w, ann, "Gift list: nothing of Zed's here, only Ann.")
    # Cy shares Zed's landline: a note on Cy's card with it keeps it.
    with Workspace.open(ws) as w:
        (cy,) = customer_ids(w, search="cy@example.com")
        set_customer_notes(w, cy, "House phone 207-555-0177")
    status, _, err = run_cli(capsys, "-w", ws, "person", "export", str(zed), tmp_path / "zed.zip")
    assert status == 0, err
    with zipfile.ZipFile(tmp_path / "zed.zip") as z:
        data = json.loads(z.read("person.json"))
        table = list(csv.DictReader(io.StringIO(z.read("in_others_notes.csv").decode("utf-8"))))
    assert data["in_others_notes"] == [{"customer_id": bob, "notes": bob_note}]
    assert [(int(r["customer_id"]), r["notes"]) for r in table] == [(bob, bob_note)]

    status, out, err = run_cli(capsys, "-w", ws, "person", "erase", str(zed), "--yes")
    assert status == 0, err
    assert "also removed from the notes of 1 other customer" in out
    with Workspace.open(ws) as w, w.engine.connect() as conn:
        notes = dict(conn.exec_driver_sql("SELECT id, notes FROM customer").all())
    assert notes[bob] == "[erased] referred by Bob, call him on [erased] or [erased]. Likes tea."
    assert notes[ann] == "Gift list: nothing of Zed's here, only Ann."
    assert notes[cy] == "House phone 207-555-0177"
