"""A fixed error report of a file of events: each fixed row replaces the row it corrects.

The sale a flagged row recorded counts once, as the fixed row says it; the
flagged row is kept as read and says it was replaced; undoing the fixing
import brings the original sale back.
"""

from __future__ import annotations

import csv
import json

from omnidesk.cli import main
from omnidesk.core.importing.batches import flagged_records
from omnidesk.core.workspace import Workspace
from tests.helpers import fix_report, write_csv

# A German till's export as its software writes it: Latin-1, ";" and decimal commas.
TILL_HEADER = ["Beleg-Nr", "Datum", "Uhrzeit", "Kunde", "Kundennr", "Telefon", "E-Mail", "Artikel", "Menge",
               "Betrag", "Zahlart"]
TILL_ROWS = [
    ["10001", "03/11/2026", "10:15", "Müller, Jürgen", "K-0042", "0207 555 0100", "juergen.mueller@web.de",
     "Kerze Lavendel", "2", "24,90", "Bar"],  # a UK number without its country code: flagged
    ["10002", "04/11/2026", "11:20", "Søren Ødegård", "K-0043", "", "soren@example.dk", "Café Bohnen 500g", "1",
     "12,50", "Karte"],
]


def _money(tmp_path, ws_path, email):
    out = tmp_path / "money.csv"
    assert main(["export", "customers", str(out), "-w", str(ws_path), "--force",
                 "--columns", "email,orders,lifetime_spend"]) == 0
    with out.open(encoding="utf-8-sig", newline="") as fh:
        return next((r["orders"], r["lifetime_spend"]) for r in csv.DictReader(fh) if r["email"] == email)


def _events(ws_path, like):
    with Workspace.open(ws_path) as ws, ws.engine.connect() as conn:
        return conn.exec_driver_sql(
            "SELECT batch_id, amount_minor, customer_id FROM event WHERE summary LIKE ? ORDER BY id",
            (like,)).fetchall()


def _till_imported(tmp_path):
    """The German till's export imported, its flagged rows written to a report: (workspace, report)."""
    till = write_csv(tmp_path / "kasse_export.csv", TILL_HEADER, TILL_ROWS, delimiter=";", encoding="latin-1")
    ws = tmp_path / "shop.omnidesk"
    report = tmp_path / "errs.csv"
    assert main(["import", str(till), "-w", str(ws), "--kind", "events", "--channel", "till",
                 "--errors", str(report)]) == 0
    return ws, report


def test_a_fixed_till_row_replaces_the_sale_it_corrects_and_undo_brings_the_original_back(tmp_path, capsys):
    ws, report = _till_imported(tmp_path)
    assert _money(tmp_path, ws, "juergen.mueller@web.de") == ("1", "24.90")

    def fix(header, row):
        row[header.index("Telefon")] = "+44 20 7555 0100"

    fixed = fix_report(report, tmp_path / "errs-fixed.csv", fix)
    capsys.readouterr()
    assert main(["import", str(fixed), "-w", str(ws), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["imported"], summary["flagged"], summary["new_customers"]) == (1, 0, 0)
    # One sale, as before: the fixed row's, not the flagged one's beside it.
    assert _money(tmp_path, ws, "juergen.mueller@web.de") == ("1", "24.90")
    sales = _events(ws, "%Kerze Lavendel%")
    assert [(b, amount) for b, amount, _ in sales] == [(summary["batch_id"], 2490)]
    with Workspace.open(ws) as opened:
        (kept,) = flagged_records(opened, 1)
        assert kept.values[0] == "10001" and kept.fixed_by == summary["batch_id"]  # still there, as read
        with opened.engine.connect() as conn:
            phone = conn.exec_driver_sql(
                "SELECT c.phone FROM customer c JOIN event e ON e.customer_id = c.id "
                "WHERE e.summary LIKE '%Kerze Lavendel%'").scalar()
        assert phone == "+442075550100"

    assert main(["imports", "undo", str(summary["batch_id"]), "-w", str(ws)]) == 0
    assert [(b, amount) for b, amount, _ in _events(ws, "%Kerze Lavendel%")] == [(1, 2490)]
    assert _money(tmp_path, ws, "juergen.mueller@web.de") == ("1", "24.90")
    with Workspace.open(ws) as opened:
        assert flagged_records(opened, 1)[0].fixed_by is None


def test_a_row_fixed_before_the_reasons_were_told_apart_still_reads_as_fixed(tmp_path, capsys):
    ws, report = _till_imported(tmp_path)

    def fix(header, row):
        row[header.index("Telefon")] = "+44 20 7555 0100"

    assert main(["import", str(fix_report(report, tmp_path / "errs-fixed.csv", fix)), "-w", str(ws)]) == 0
    with Workspace.open(ws) as opened:
        with opened.engine.begin() as conn:  # the marker as it was written before it said why
            assert conn.exec_driver_sql(
                "UPDATE source_record SET values_json = json_remove(values_json, '$.superseded_by.why') "
                "WHERE json_extract(values_json, '$.superseded_by.why') IS NOT NULL").rowcount == 1
        (kept,) = flagged_records(opened, 1)
        assert (kept.fixed_by, kept.replaced_by) == (2, None)  # its replacing import is an error report
    capsys.readouterr()
    assert main(["imports", "errors", "1", str(tmp_path / "again.csv"), "-w", str(ws)]) == 0
    assert "Every flagged row of import 1 (kasse_export.csv) was fixed by a later import;" in capsys.readouterr().out


def test_a_row_fixed_twice_still_counts_once(tmp_path, capsys):
    ws, report = _till_imported(tmp_path)

    def fix(header, row):
        row[header.index("Telefon")] = "+44 20 7555 0100"

    assert main(["import", str(fix_report(report, tmp_path / "errs-fixed.csv", fix)), "-w", str(ws)]) == 0
    # The same report fixed again, another way (a second copy of the file, so not "already imported").
    def fix_again(header, row):
        row[header.index("Telefon")] = "+44 (0)20 7555 0100"

    assert main(["import", str(fix_report(report, tmp_path / "errs-fixed-2.csv", fix_again)), "-w", str(ws)]) == 0
    assert [(b, amount) for b, amount, _ in _events(ws, "%Kerze Lavendel%")] == [(3, 2490)]
    assert _money(tmp_path, ws, "juergen.mueller@web.de") == ("1", "24.90")


SHOPIFY_ORDERS = ["Name", "Email", "Financial Status", "Currency", "Total", "Created at", "Lineitem quantity",
                  "Lineitem name", "Lineitem price", "Billing Name"]


def test_a_fixed_first_row_of_a_shopify_order_keeps_the_orders_other_lines(tmp_path, capsys):
    orders = write_csv(tmp_path / "orders_export.csv", SHOPIFY_ORDERS, [
        ["#1001", "ann@example", "paid", "USD", "42.50", "2026-10-01 10:00:00 -0400", "1", "Sencha", "14.00",
         "Ann Lee"],  # the order's first row, with a broken email: flagged
        ["#1001", "", "", "", "", "", "2", "Mug", "14.25", ""],
        ["#1002", "bo@example.com", "paid", "USD", "9.00", "2026-10-02 10:00:00 -0400", "1", "Filters",
         "9.00", "Bo Chen"],
    ])
    ws = tmp_path / "shop.omnidesk"
    report = tmp_path / "errs.csv"
    assert main(["import", str(orders), "-w", str(ws), "--errors", str(report)]) == 0

    def fix(header, row):
        row[header.index("Email")] = "ann@example.com"

    capsys.readouterr()
    assert main(["import", str(fix_report(report, tmp_path / "errs-fixed.csv", fix)), "-w", str(ws), "--json"]) == 0
    batch = json.loads(capsys.readouterr().out)["batch_id"]
    assert _money(tmp_path, ws, "ann@example.com") == ("1", "42.50")
    with Workspace.open(ws) as opened, opened.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT batch_id, amount_minor, summary, details_json FROM event WHERE summary LIKE 'Order #1001%'"
        ).fetchall()
    assert len(rows) == 1
    (got_batch, amount, summary, details) = rows[0]
    assert (got_batch, amount) == (batch, 4250)
    assert [i["item_name"] for i in json.loads(details)["items"]] == ["Sencha", "Mug"]
    assert summary == "Order #1001: Sencha, Mug"


SHOPIFY_CUSTOMERS = ["Customer ID", "First Name", "Last Name", "Email", "Accepts Email Marketing",
                     "Default Address Company", "Default Address Address1", "Default Address Address2",
                     "Default Address City", "Default Address Province Code", "Default Address Country Code",
                     "Default Address Zip", "Default Address Phone", "Phone", "Accepts SMS Marketing",
                     "Total Spent", "Total Orders", "Note", "Tax Exempt", "Tags"]
MAILCHIMP = ["Email Address", "First Name", "Last Name", "Address", "Phone Number", "Birthday", "MEMBER_RATING",
             "OPTIN_TIME", "OPTIN_IP", "CONFIRM_TIME", "CONFIRM_IP", "LATITUDE", "LONGITUDE", "GMTOFF", "DSTOFF",
             "TIMEZONE", "CC", "REGION", "LAST_CHANGED", "LEID", "EUID", "NOTES", "TAGS"]
MAILCHIMP_UNSUB = ["Email Address", "First Name", "Last Name", "Address", "Phone Number", "Birthday",
                   "MEMBER_RATING", "OPTIN_TIME", "OPTIN_IP", "CONFIRM_TIME", "CONFIRM_IP", "LATITUDE", "LONGITUDE",
                   "GMTOFF", "DSTOFF", "TIMEZONE", "CC", "REGION", "UNSUB_TIME", "UNSUB_CAMPAIGN_TITLE",
                   "UNSUB_CAMPAIGN_ID", "UNSUB_REASON", "UNSUB_REASON_OTHER", "LEID", "EUID", "NOTES", "TAGS"]


def _three_exports(tmp_path):
    shop = write_csv(tmp_path / "shopify_customers_export.csv", SHOPIFY_CUSTOMERS, [
        ["'8800000000001", "Marta", "Kowalski", "marta@example.com", "yes", "", "12 Elm St", "", "Portland", "ME",
         "US", "04101", "", "(207) 555-0143", "yes", "245.50", "4", "", "no", ""],
        ["'8800000000004", "Lena", "Brandt", "not-an-email", "yes", "", "5 Oak Rd", "", "Bangor", "ME", "US",
         "04401", "", "", "yes", "12.00", "1", "", "no", ""],  # broken email: flagged
    ])
    members = write_csv(tmp_path / "subscribed_members_export_abc123.csv", MAILCHIMP, [
        ["marta@example.com", "Marta", "Kowalski", "", "", "", "4", "2024-03-01 10:00:00", "", "", "", "", "", "",
         "", "", "US", "", "2025-06-01 09:00:00", "1001", "aa01", "", ""],
        ["@example.com", "Bob", "Stone", "", "", "", "1", "2024-05-01 10:00:00", "", "", "", "", "", "", "", "",
         "", "", "2025-01-01 09:00:00", "1003", "aa03", "", ""],  # broken email: flagged
    ])
    unsub = write_csv(tmp_path / "unsubscribed_members_export_abc123.csv", MAILCHIMP_UNSUB, [
        ["dev@example.com", "Dev", "Okafor", "", "", "", "2", "2024-04-01 10:00:00", "", "", "", "", "", "", "", "",
         "US", "", "2025-11-20 08:00:00", "Black Friday", "xyz", "NORMAL", "", "1002", "aa02", "", ""],
    ])
    return shop, members, unsub


def _customers(tmp_path, ws_path):
    out = tmp_path / "customers.csv"
    assert main(["export", "customers", str(out), "-w", str(ws_path), "--force",
                 "--columns", "first_name,email,orders,lifetime_spend,consent_email,channels"]) == 0
    with out.open(encoding="utf-8-sig", newline="") as fh:
        return {r["first_name"]: r for r in csv.DictReader(fh)}


def test_errors_of_several_files_are_one_report_per_file_each_fixed_and_imported_as_its_own(tmp_path, capsys):
    files = _three_exports(tmp_path)
    ws = tmp_path / "shop.omnidesk"
    assert main(["import", *map(str, files), "-w", str(ws), "--errors", str(tmp_path / "errs.csv")]) == 0
    out = capsys.readouterr().out
    shop_report = tmp_path / "errs-shopify_customers_export.csv"
    members_report = tmp_path / "errs-subscribed_members_export_abc123.csv"
    assert f"Wrote 1 flagged row of shopify_customers_export.csv to {shop_report}" in out
    assert not (tmp_path / "errs.csv").exists()
    assert not (tmp_path / "errs-unsubscribed_members_export_abc123.csv").exists()  # nothing flagged there
    # ... and the summary says so, naming it, so nobody looks for its report.
    assert "No flagged rows in unsubscribed_members_export_abc123.csv: no report for it" in out
    before = _customers(tmp_path, ws)
    assert (before["Lena"]["orders"], before["Lena"]["consent_email"]) == ("1", "granted")

    def fix_shop(header, row):
        row[header.index("Email")] = "lena.brandt@example.com"

    def fix_members(header, row):
        row[header.index("Email Address")] = "bob.stone@example.com"

    fixed = [fix_report(shop_report, tmp_path / "shop-fixed.csv", fix_shop),
             fix_report(members_report, tmp_path / "members-fixed.csv", fix_members)]
    assert main(["import", *map(str, fixed), "-w", str(ws)]) == 0
    captured = capsys.readouterr()
    assert "shop-fixed.csv: shopify_customers contacts (Shop)" in captured.out
    assert "members-fixed.csv: mailchimp_subscribed contacts (Email)" in captured.out
    assert "error report of import 1 (shopify_customers_export.csv)" in captured.err
    assert "error report of import 2 (subscribed_members_export_abc123.csv)" in captured.err
    after = _customers(tmp_path, ws)
    assert len(after) == len(before)  # every fixed row joined the customer of the row it corrects
    lena = after["Lena"]
    assert (lena["email"], lena["orders"], lena["lifetime_spend"], lena["consent_email"], lena["channels"]) == (
        "lena.brandt@example.com", "1", "12.00", "granted", before["Lena"]["channels"])
    assert (after["Bob"]["email"], after["Bob"]["consent_email"]) == ("bob.stone@example.com",
                                                                      before["Bob"]["consent_email"])
    assert after["Marta"] == before["Marta"] and after["Dev"] == before["Dev"]


def test_a_fixed_report_of_several_files_in_one_is_refused_and_changes_nothing(tmp_path, capsys):
    # The layout omnidesk wrote before for several files: their columns side by side, "source_file" first.
    files = _three_exports(tmp_path)
    ws = tmp_path / "shop.omnidesk"
    assert main(["import", *map(str, files), "-w", str(ws)]) == 0
    header = ["source_file", *SHOPIFY_CUSTOMERS, "Email Address", "omnidesk_row", "omnidesk_problems",
              "omnidesk_batch"]
    blank = [""] * len(SHOPIFY_CUSTOMERS)
    lena = ["'8800000000004", "Lena", "Brandt", "lena.brandt@example.com", "yes", "", "5 Oak Rd", "", "Bangor",
            "ME", "US", "04401", "", "", "yes", "12.00", "1", "", "no", ""]
    mixed = write_csv(tmp_path / "errs-fixed.csv", header, [
        ["shopify_customers_export.csv", *lena, "", "2", "Email: not a valid email", "1"],
        ["subscribed_members_export_abc123.csv", *blank, "bob.stone@example.com", "2", "Email Address: not a valid email", "2"],
    ])
    before = _customers(tmp_path, ws)
    capsys.readouterr()
    assert main(["import", str(mixed), "-w", str(ws)]) == 1
    err = capsys.readouterr().err
    assert "is an error report of several files in one" in err
    assert "'omnidesk imports errors 1 OUT.csv' and 'omnidesk imports errors 2 OUT.csv'" in err
    assert _customers(tmp_path, ws) == before
    capsys.readouterr()
    assert main(["imports", "list", "--json", "-w", str(ws)]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 3


def test_a_fixed_later_line_of_a_shopify_order_adds_no_order(tmp_path, capsys):
    orders = write_csv(tmp_path / "orders_export.csv", SHOPIFY_ORDERS, [
        ["#1001", "ann@example.com", "paid", "USD", "42.50", "2026-10-01 10:00:00 -0400", "1", "Sencha", "14.00",
         "Ann Lee"],
        ["#1001", "", "", "", "", "", "two", "Mug", "14.25", ""],  # a quantity in words: flagged
    ])
    ws = tmp_path / "shop.omnidesk"
    report = tmp_path / "errs.csv"
    assert main(["import", str(orders), "-w", str(ws), "--errors", str(report)]) == 0

    def fix(header, row):
        row[header.index("Lineitem quantity")] = "2"

    assert main(["import", str(fix_report(report, tmp_path / "errs-fixed.csv", fix)), "-w", str(ws)]) == 0
    assert _money(tmp_path, ws, "ann@example.com") == ("1", "42.50")
    with Workspace.open(ws) as opened, opened.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM event").scalar() == 1
        customers = conn.exec_driver_sql("SELECT count(DISTINCT customer_id) FROM source_record").scalar()
    assert customers == 1  # the fixed line is Ann's, with her order


def test_a_fixed_order_exported_again_reads_as_replaced_by_the_export_once_the_fix_is_undone(tmp_path, capsys):
    from tests.core.test_money import order, shopify_orders

    ws, report = tmp_path / "shop.omnidesk", tmp_path / "errs.csv"
    week1 = shopify_orders(tmp_path / "orders_export_1.csv", [order("#1001", "ann@example", "40.00")])
    assert main(["import", str(week1), "-w", str(ws), "--errors", str(report)]) == 0

    def fix(header, row):
        row[header.index("Email")] = "ann@example.com"

    assert main(["import", str(fix_report(report, tmp_path / "errs-fixed.csv", fix)), "-w", str(ws)]) == 0
    shipped = order("#1001", "ann@example.com", "40.00", **{"Fulfillment Status": "fulfilled"})
    assert main(["import", str(shopify_orders(tmp_path / "orders_export_2.csv", [shipped])), "-w", str(ws)]) == 0
    with Workspace.open(ws) as opened:
        (kept,) = flagged_records(opened, 1)
        assert (kept.fixed_by, kept.replaced_by) == (2, None)
    # The fix undone, the order as the later export has it still counts: the row was replaced by it, not fixed.
    assert main(["imports", "undo", "2", "-w", str(ws)]) == 0
    with Workspace.open(ws) as opened:
        (kept,) = flagged_records(opened, 1)
        assert (kept.fixed_by, kept.replaced_by) == (None, 3)
    assert _money(tmp_path, ws, "ann@example.com") == ("1", "40.00")
