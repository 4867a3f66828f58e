"""Splitting off a list's own record still takes its opens when the card holds one person only.

David Lee is in the Shopify customers export and its orders export by lee.family@example.com;
Mailchimp's subscribed members export holds the same address with no name, and the email activity
one open on it: the files put all four on David's card. Splitting the Mailchimp record off gives
the list's record its own customer, and the open goes with it (its channel's list record for the
address is the one split off). Every other record on the card is David's shop record or his order,
so none of them can go along with the list record: David keeps them, and the open still goes.
"""

from __future__ import annotations

import csv

from tests.helpers import run_cli, source_placement, write_csv

CUSTOMERS = ["Customer ID", "First Name", "Last Name", "Email", "Accepts Email Marketing", "Default Address City",
             "Default Address Zip", "Default Address Country Code", "Phone", "Total Spent", "Total Orders"]
MAILCHIMP = ["Email Address", "First Name", "Last Name", "Phone Number", "OPTIN_TIME", "LAST_CHANGED", "LEID",
             "EUID", "TAGS"]
ORDERS = ["Name", "Email", "Financial Status", "Currency", "Total", "Created at", "Lineitem quantity",
          "Lineitem name", "Lineitem price", "Billing Name", "Billing Phone", "Billing Zip", "Billing Country"]
DAVID = "lee.family@example.com"


def test_splitting_off_the_unnamed_list_record_takes_its_open_and_leaves_david_his_shop_records(tmp_path, capsys):
    ws = tmp_path / "shop.omnidesk"
    files = [
        (write_csv(tmp_path / "customers_export.csv", CUSTOMERS, [
            ["'4001", "David", "Lee", DAVID, "yes", "Portland", "04101", "US", "+12075550101", "300.00", "3"],
            ["'4002", "Zoe", "Park", "zoe@example.com", "yes", "Portland", "04101", "US", "+12075550199",
             "30.00", "1"]]), "shop"),
        (write_csv(tmp_path / "subscribed_members_export_319da7fa07.csv", MAILCHIMP, [
            [DAVID, "", "", "", "2025-02-01 09:00:00", "2025-05-02 10:00:00", "1", "e", ""]]), "email"),
        (write_csv(tmp_path / "email_activity.csv", ["Email", "Campaign", "Action", "Timestamp"], [
            [DAVID, "Spring", "open", "2025-03-03 11:20:00"]]), "email"),
        (write_csv(tmp_path / "orders_export.csv", ORDERS, [
            ["#1", DAVID, "paid", "USD", "100.00", "2025-01-01 10:00:00 -0500", "1", "Widget", "100.00",
             "David Lee", "+12075550101", "04101", "US"]]), "shop")]
    for path, channel in files:
        status, _out, err = run_cli(capsys, "import", path, "--channel", channel, "--region", "US", "-w", ws)
        assert status == 0, err
    before = source_placement(capsys, ws, tmp_path)
    david = before[("customers_export.csv", 1)]
    assert {before[("subscribed_members_export_319da7fa07.csv", 1)], before[("email_activity.csv", 1)],
            before[("orders_export.csv", 1)]} == {david}

    out = tmp_path / "ids.csv"
    status, _out, err = run_cli(capsys, "export", "sources", out, "-w", ws)
    assert status == 0, err
    with out.open(newline="", encoding="utf-8") as fh:
        record = next(r["record_id"] for r in csv.DictReader(fh) if r["source_file"].startswith("subscribed"))
    status, said, err = run_cli(capsys, "unmerge", record, "-w", ws)
    assert status == 0, err
    assert ", with 1 record that came onto the card through it;" in said

    after = source_placement(capsys, ws, tmp_path)
    listed = after[("subscribed_members_export_319da7fa07.csv", 1)]
    assert listed != david
    assert after[("email_activity.csv", 1)] == listed
    assert after[("customers_export.csv", 1)] == after[("orders_export.csv", 1)] == david
