"""`omnidesk export timeline` writes the card's timeline: every entry the app lists, undated ones too.

Zoe Quinn confirmed her Mailchimp subscription on 1 January 2025; the shop's customers export,
imported later, says she does not accept email marketing, with no date.  The card, the Customers
list and `export customers` say her email consent is denied, and the app's timeline lists that
"no" under *Date unknown*; the timeline export left it out, so its only email consent line read
"granted".
"""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest
import time_machine

from omnidesk.core.demo_data import SHOPIFY_ORDERS_HEADER
from tests.helpers import machine_in_zone, run_cli, write_csv

EMAIL = "zoe.quinn@example.com"
MAILCHIMP = ["Email Address", "First Name", "Last Name", "Phone Number", "Birthday", "MEMBER_RATING",
             "OPTIN_TIME", "OPTIN_IP", "CONFIRM_TIME", "CONFIRM_IP", "LATITUDE", "LONGITUDE", "GMTOFF",
             "DSTOFF", "TIMEZONE", "CC", "REGION", "LAST_CHANGED", "LEID", "EUID", "NOTES", "TAGS"]
SHOPIFY_CUSTOMERS = ["Customer ID", "First Name", "Last Name", "Email", "Accepts Email Marketing",
                     "Default Address Company", "Default Address Address1", "Default Address Address2",
                     "Default Address City", "Default Address Province Code", "Default Address Country Code",
                     "Default Address Zip", "Default Address Phone", "Phone", "Accepts SMS Marketing",
                     "Total Spent", "Total Orders", "Note", "Tax Exempt", "Tags"]

tokyo = machine_in_zone("Asia/Tokyo")  # the computer's zone is not the shop's: nothing may read it


@pytest.fixture
def shop(tmp_path, capsys):
    """Zoe's Mailchimp subscription, imported into a new workspace on New York's clock."""
    ws = tmp_path / "shop.omnidesk"
    _import(capsys, ws, write_csv(tmp_path / "subscribed_members_export_aaaa1111.csv", MAILCHIMP, [
        [EMAIL, "Zoe", "Quinn", "+12075550111", "", "3", "2025-01-01 04:30:00", "", "2025-01-01 04:35:00", "", "", "",
         "", "", "", "US", "ME", "2025-01-02 00:00:00", "1", "a1", "", ""]]), "--region", "US")
    with time_machine.travel("2026-06-01T15:00:00Z", tick=False):
        for key, value in (("timezone", "America/New_York"), ("currency", "USD")):
            status, _, err = run_cli(capsys, "settings", key, value, "-w", ws)
            assert status == 0, err
    return ws


def _import(capsys, ws, path, *more) -> str:
    with time_machine.travel("2026-06-01T15:00:00Z", tick=False):
        status, out, err = run_cli(capsys, "import", path, *more, "-w", ws)
    assert status == 0, err
    return out


def _timeline(capsys, ws, out) -> list[dict[str, str]]:
    status, said, err = run_cli(capsys, "export", "timeline", EMAIL, out, "--force", "-w", ws)
    assert status == 0, err
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert f"Wrote {len(rows)} timeline entr" in said
    return rows


def _customer(capsys, ws, out) -> dict[str, str]:
    status, _, err = run_cli(capsys, "export", "customers", out, "--force", "-w", ws)
    assert status == 0, err
    with out.open(encoding="utf-8", newline="") as fh:
        (row,) = list(csv.DictReader(fh))
    return row


def test_the_undated_consent_in_force_is_in_the_export_where_the_app_lists_it(shop, capsys, tmp_path):
    _import(capsys, shop, write_csv(tmp_path / "customers_export.csv", SHOPIFY_CUSTOMERS, [
        ["'7299999999999", "Zoe", "Quinn", EMAIL, "no", "", "1 Main St", "", "Portland", "ME", "US", "'04101",
         "", "+12075550111", "yes", "300.00", "7", "", "no", "VIP"]]))

    assert _customer(capsys, shop, tmp_path / "customers.csv")["consent_email"] == "denied"
    rows = _timeline(capsys, shop, tmp_path / "timeline.csv")
    email = [(r["occurred_at"], r["summary"]) for r in rows if r["type"] == "consent" and r["channel"] == "email"]
    # Her dated yes, then the shop's undated no: the last line is the consent in force, as on the card.
    assert email == [("2025-01-01T04:35:00-05:00", "Email consent: granted"), ("", "Email consent: denied")]
    # Whatever has no date of its own comes last, after everything dated, as under the app's *Date unknown*.
    dated = [bool(r["occurred_at"]) for r in rows]
    assert dated == sorted(dated, reverse=True) and not dated[-1]
    assert {(r["source_file"], r["source_row"]) for r in rows if not r["occurred_at"]} >= {("customers_export.csv", "1")}


# Shopify's orders export, with the columns a refund and a cancellation fill.
ORDERS_HEADER = [*SHOPIFY_ORDERS_HEADER, "Cancelled at", "Refunded Amount"]


def _shopify_orders(orders: list[dict]) -> list[list[str]]:
    return [[str(o.get(h, "")) for h in ORDERS_HEADER] for o in orders]


def test_each_amount_names_its_currency_and_what_the_card_counts_of_it(shop, capsys, tmp_path):
    """A euro order read "25.00" among dollars, and a refunded or cancelled order its gross amount:
    the column could not be checked against the card."""
    base = {"Email": EMAIL, "Billing Name": "Zoe Quinn", "Accepts Marketing": "yes", "Currency": "USD",
            "Lineitem quantity": "1", "Fulfillment Status": "fulfilled"}
    _import(capsys, shop, write_csv(tmp_path / "orders_export.csv", ORDERS_HEADER, _shopify_orders([
        {**base, "Name": "#2001", "Financial Status": "paid", "Total": "100.00", "Lineitem name": "Mug",
         "Lineitem price": "100.00", "Created at": "2025-06-01 12:00:00 -0400"},
        {**base, "Name": "#2002", "Financial Status": "partially_refunded", "Total": "80.00",
         "Refunded Amount": "30.00", "Lineitem name": "Tea", "Lineitem price": "80.00",
         "Created at": "2025-07-01 09:00:00 -0400"},
        {**base, "Name": "#2003", "Financial Status": "refunded", "Total": "50.00", "Lineitem name": "Pot",
         "Lineitem price": "50.00", "Created at": "2025-07-02 10:00:00 -0400"},
        {**base, "Name": "#2004", "Financial Status": "paid", "Total": "40.00", "Lineitem name": "Box",
         "Cancelled at": "2025-07-03 11:00:00 -0400", "Lineitem price": "40.00",
         "Created at": "2025-07-03 10:00:00 -0400"},
        {**base, "Name": "#2005", "Financial Status": "paid", "Currency": "EUR", "Total": "25.00",
         "Lineitem name": "Tin", "Lineitem price": "25.00", "Created at": "2025-08-01 23:30:00 +0200"},
    ])))
    # A till's export names no currency: its sales and its refund line are the shop's dollars.
    till = ["Date", "Time", "Receipt No", "Customer", "Mobile", "Loyalty Card", "Items", "Total"]
    _import(capsys, shop, write_csv(tmp_path / "till_transactions.csv", till, [
        ["13/11/2025", "18:00", "30004", "Quinn, Zoe", "(207) 555-0111", "", "Beans x1", "9,99"],
        ["14/11/2025", "10:00", "30005", "Quinn, Zoe", "(207) 555-0111", "", "Refund", "-5,00"],
    ], encoding="cp1252", delimiter=";"), "--channel", "pos")

    rows = _timeline(capsys, shop, tmp_path / "timeline.csv")
    # The columns a sheet already reads by place stay where they were; the new ones follow.
    assert list(rows[0]) == ["occurred_at", "channel", "type", "summary", "amount", "source_file", "source_row",
                             "currency", "status", "counted"]
    orders = {r["summary"].split(":")[0]: (r["amount"], r["currency"], r["status"], r["counted"])
              for r in rows if r["type"] == "order"}
    assert orders == {
        "Order #2001": ("100.00", "USD", "paid", "100.00"),
        "Order #2002": ("80.00", "USD", "partially_refunded", "50.00"),
        "Order #2003": ("50.00", "USD", "refunded", "0.00"),
        "Order #2004": ("40.00", "USD", "cancelled", "0.00"),
        "Order #2005": ("25.00", "EUR", "paid", "25.00"),
    }
    till_rows = [(r["amount"], r["currency"], r["counted"]) for r in rows if r["channel"] == "pos"]
    assert till_rows == [("9.99", "USD", "9.99"), ("-5.00", "USD", "-5.00")]
    assert all(r["counted"] == r["currency"] == "" for r in rows if r["type"] == "consent")

    counted: dict[str, Decimal] = {}
    for r in rows:
        if r["counted"]:
            counted[r["currency"]] = counted.get(r["currency"], Decimal(0)) + Decimal(r["counted"])
    # The shop's dollars are the customer's spend in the customers file, as on the card ...
    assert counted["USD"] == Decimal(_customer(capsys, shop, tmp_path / "customers.csv")["lifetime_spend"])
    # ... and the euros are the card's spend apart from them.
    from omnidesk.core.profile import customer_profile
    from omnidesk.core.workspace import Workspace

    with Workspace.open(shop) as ws:
        profile = customer_profile(ws, 1)
    assert (profile.spend_minor, profile.other_spend) == (15499, {"EUR": 2500})
    assert counted == {"USD": Decimal("154.99"), "EUR": Decimal("25.00")}


ACTIVITY = ["Email", "Campaign", "Action", "Timestamp"]


def test_a_time_on_the_calendars_last_day_is_flagged_and_its_row_kept(shop, capsys, tmp_path):
    """"9999-12-31 23:59:59", a tool's "never", stopped the import with a traceback: on New York's
    clock, or with an offset of its own, it is past the last instant a time can be."""
    errors = tmp_path / "errs.csv"
    said = _import(capsys, shop, write_csv(tmp_path / "email_activity.csv", ACTIVITY, [
        [EMAIL, "Edge", "open", "9999-12-31 23:59:59"],
        [EMAIL, "Edge", "open", "9999-12-31T23:00:00-05:00"],
        [EMAIL, "Launch", "open", "2025-06-01 12:00:00"],
    ]), "--channel", "email", "--errors", errors)
    assert "imported 3, flagged 2" in said
    with errors.open(encoding="utf-8", newline="") as fh:
        flagged = list(csv.DictReader(fh))
    assert len(flagged) == 2
    assert all("the calendar's last day" in " ".join(r.values()) for r in flagged), flagged
    # Nothing lost: each row is an open on her timeline, the two without a time of their own.
    opens = [(r["occurred_at"], r["summary"]) for r in _timeline(capsys, shop, tmp_path / "t.csv") if r["type"] == "open"]
    assert opens == [("2025-06-01T12:00:00-04:00", "Launch"), ("", "Edge"), ("", "Edge")]


def test_a_time_on_the_calendars_first_day_never_stops_a_change_of_time_zone(shop, capsys, tmp_path):
    """An open at "0001-01-01 00:00:00": moving the shop to Tokyo's clock put it before the first
    instant a time can be, and `settings timezone` stopped with a traceback."""
    said = _import(capsys, shop, write_csv(tmp_path / "email_activity.csv", ACTIVITY, [
        [EMAIL, "Edge", "open", "0001-01-01 00:00:00"]]), "--channel", "email")
    assert "imported 1, flagged 1" in said
    status, _, err = run_cli(capsys, "settings", "timezone", "Asia/Tokyo", "-w", shop)
    assert status == 0 and err == "", err
    # A workspace an earlier version imported such a time into keeps it on the open as read.
    import sqlite3

    con = sqlite3.connect(shop)
    with con:
        con.execute("UPDATE event SET occurred_at = '0001-01-01T00:00:00', occurred_utc = '0001-01-01T00:00:00'")
    con.close()
    for zone in ("America/New_York", "Asia/Tokyo"):
        status, _, err = run_cli(capsys, "settings", "timezone", zone, "-w", shop)
        assert status == 0 and err == "", err
        rows = _timeline(capsys, shop, tmp_path / "t.csv")
        assert [r["summary"] for r in rows if r["type"] == "open"] == ["Edge"]


def test_the_timeline_search_finds_any_letter_in_any_case_the_channel_and_not_in_force(shop, capsys, tmp_path):
    """"CRÈME" found nothing where "crème" found the order (SQLite's lower() folds A-Z alone), "Shop"
    found nothing though every order line says Shop, and "not in force", on the line, found nothing."""
    base = {"Email": EMAIL, "Billing Name": "Zoe Quinn", "Financial Status": "paid", "Currency": "USD",
            "Lineitem quantity": "1"}
    _import(capsys, shop, write_csv(tmp_path / "orders_export.csv", ORDERS_HEADER, _shopify_orders([
        {**base, "Name": "#2001", "Total": "9.00", "Lineitem name": "Crème brûlée", "Lineitem price": "9.00",
         "Created at": "2025-06-01 12:00:00 -0400"},
        {**base, "Name": "#2002", "Total": "12.00", "Lineitem name": "Ōolong tea", "Lineitem price": "12.00",
         "Created at": "2025-06-02 12:00:00 -0400"},
    ])))
    for minute, status in (("15:00", "denied"), ("15:05", "granted")):
        with time_machine.travel(f"2026-06-01T{minute}:00Z", tick=False):
            code, _, err = run_cli(capsys, "consent", "set", EMAIL, "email", status, "-w", shop)
        assert code == 0, err

    from omnidesk.core.timeline import timeline
    from omnidesk.core.workspace import Workspace

    with Workspace.open(shop) as ws:
        def found(text: str) -> list[str]:
            return [e.summary for e in timeline(ws, 1, search=text)]

        assert found("crème") == found("CRÈME") == found("Crème BRÛLÉE") == ["Order #2001: Crème brûlée"]
        assert found("ōolong") == found("ŌOLONG") == found("ŌoLoNg") == ["Order #2002: Ōolong tea"]
        # The channel as the timeline names it: both orders are the Shop's.
        assert found("Shop") == found("sHOP") == ["Order #2001: Crème brûlée", "Order #2002: Ōolong tea"]
        # The yes typed in after the no of the same day says, on its line, that it is not in force.
        (late,) = found("NOT IN FORCE")
        assert late.startswith("Email consent: granted") and late.endswith("the stricter answer wins)")
        assert found("granted (not in force") == [late]
        assert found("not in force: x") == []
