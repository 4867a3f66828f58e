"""`omnidesk export timeline` writes the card's timeline: every entry the app lists, undated ones too.

Zoe Quinn confirmed her Mailchimp subscription on 1 January 2025; the shop's customers export,
imported later, says she does not accept email marketing, with no date.  The card, the Customers
list and `export customers` say her email consent is denied, and the app's timeline lists that
"no" under *Date unknown*; the timeline export left it out, so its only email consent line read
"granted".
"""

from __future__ import annotations

import csv

import pytest
import time_machine

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
        [EMAIL, "Zoe", "Quinn", "", "", "3", "2025-01-01 04:30:00", "", "2025-01-01 04:35:00", "", "", "",
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
