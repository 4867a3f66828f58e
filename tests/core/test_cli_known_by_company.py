"""A contacts row named only by its company (a business customer, a card of an organisation) is a
customer, its spend and orders kept, even when its address or number beside it cannot be read: the
row is flagged to be corrected, never skipped as nobody.  Only a row whose sole identifying cell is
an address or a number that cannot be read is skipped.  Played through the command line."""

from __future__ import annotations

import json

from tests.helpers import exported_customers, run_cli, write_csv


def _import(capsys, ws, path, *argv) -> dict:
    status, out, err = run_cli(capsys, "import", path, "-w", ws, "--region", "US", "--json", *argv)
    assert status == 0, err
    return json.loads(out)


def test_a_company_with_an_unreadable_email_is_a_customer_with_its_spend(tmp_path, capsys):
    ws = tmp_path / "w.omnidesk"
    rows = [["Acme Ltd", "orders@acme", "", "500.00", "4"],
            ["Bolt GmbH", "info@bolt.de.", "", "120.00", "1"],
            # Named by nothing that can be read: still nobody.
            ["", "nobody@nowhere", "", "", ""]]
    said = _import(capsys, ws, write_csv(tmp_path / "accounts.csv",
                                         ["Company", "Email", "Phone", "Total Spent", "Total Orders"], rows),
                   "--kind", "contacts")
    assert (said["imported"], said["skipped"], said["flagged"]) == (2, 1, 3), said
    got = sorted((c["company"], c["email"], c["orders"], c["lifetime_spend"])
                 for c in exported_customers(capsys, ws, tmp_path, "company,email,orders,lifetime_spend"))
    assert got == [("Acme Ltd", "", "4", "500.00"), ("Bolt GmbH", "", "1", "120.00")], got


def test_an_organisations_card_with_an_unreadable_email_or_number_is_a_customer(tmp_path, capsys):
    ws = tmp_path / "w.omnidesk"
    cards = ("BEGIN:VCARD\r\nVERSION:3.0\r\nORG:Corner Deli\r\nEMAIL:deli@corner\r\nEND:VCARD\r\n"
             "BEGIN:VCARD\r\nVERSION:3.0\r\nORG:Harbor Cafe\r\nTEL:555-0199\r\nEND:VCARD\r\n")
    path = tmp_path / "contacts.vcf"
    path.write_bytes(cards.encode("utf-8"))
    said = _import(capsys, ws, path)
    assert (said["imported"], said["skipped"]) == (2, 0), said
    got = sorted(c["company"] for c in exported_customers(capsys, ws, tmp_path, "company,email,phone"))
    assert got == ["Corner Deli", "Harbor Cafe"], got


def test_a_street_a_nickname_or_a_domain_for_a_name_keeps_its_row_a_customer(tmp_path, capsys):
    ws = tmp_path / "w.omnidesk"
    rows = [["acme.com", "", "", "billing@acme", "", "75.00"],
            ["", "Sunny", "", "sunny@", "", "10.00"],
            ["", "", "12 Oak St", "", "555", "20.00"],
            # A number that cannot be read, and nothing else naming anyone: nobody.
            ["", "", "", "", "555", "5.00"]]
    said = _import(capsys, ws, write_csv(tmp_path / "people.csv",
                                         ["Name", "Nickname", "Address", "Email", "Phone", "Total Spent"], rows),
                   "--kind", "contacts")
    assert (said["imported"], said["skipped"]) == (3, 1), said
    got = sorted((c["address"], c["lifetime_spend"])
                 for c in exported_customers(capsys, ws, tmp_path, "address,lifetime_spend"))
    assert got == [("", "10.00"), ("", "75.00"), ("12 Oak St", "20.00")], got
