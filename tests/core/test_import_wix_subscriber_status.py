"""Wix's contacts export says consent in `Email subscriber status` and `SMS subscriber status`
(Subscribed, Unsubscribed, Never subscribed, Not set, Pending).  They were unknown headers, kept
as custom fields: Cat's Wix "Unsubscribed" never counted and the shop's earlier yes stayed granted.
A column of consent words no field was given is now said aloud at import.  Played through the
command line at a set clock."""

from __future__ import annotations

import csv


from tests.helpers import cli_at, exported_packs, write_csv

NY = "America/New_York"
PLAN = {"name": "N", "audience": "everyone", "mode": "each_channel",
        "message": {"headline": "Sale", "body": "Sale", "cta": "Shop", "link": "https://harbor.example/s"},
        "variants": {"sms": {"text": "Harbor: sale https://harbor.example/s Reply STOP"}},
        "steps": [{"channel": "email", "at": "2027-03-01T12:00", "timezone": NY},
                  {"channel": "sms", "at": "2027-03-01T12:00", "timezone": NY}]}
WIX = ["First Name", "Last Name", "Email 1", "Email 1 Label", "Phone 1", "Phone 1 Label", "Company", "Labels",
       "Email subscriber status", "SMS subscriber status", "Source", "Language", "Created At"]


_cli = cli_at  # a command at a set clock, which must succeed


def _shop(capsys, tmp_path, ws):
    shop = write_csv(tmp_path / "shopify_customers.csv",
                     ["Email", "First Name", "Phone", "Accepts Email Marketing", "Accepts SMS Marketing"],
                     [["cat@example.com", "Cat", "+14155550103", "yes", "yes"],
                      ["ben@example.com", "Ben", "+14155550102", "yes", "yes"],
                      ["amy@example.com", "Amy", "+14155550101", "yes", "yes"]])
    _cli(capsys, ws, "import", shop, "--channel", "shop", at="2027-01-10 15:00:00Z")


def test_wix_subscriber_statuses_are_consent(tmp_path, capsys):
    ws = tmp_path / "shop.omnidesk"
    _shop(capsys, tmp_path, ws)
    wix = write_csv(tmp_path / "contacts.csv", WIX, [
        ["Cat", "Cole", "cat@example.com", "Main", "+1 415-555-0103", "Mobile", "", "", "Unsubscribed",
         "Unsubscribed", "Import", "en", "2024-02-03T10:00:00Z"],
        ["Ben", "Brown", "ben@example.com", "Main", "+1 415-555-0102", "Mobile", "", "", "Never Subscribed",
         "Never Subscribed", "Contact Form", "en", "2024-02-02T10:00:00Z"],
        ["Amy", "Adams", "amy@example.com", "Main", "+1 415-555-0101", "Mobile", "", "VIP", "Subscribed",
         "Subscribed", "Site Members", "en", "2024-02-01T10:00:00Z"]])
    _cli(capsys, ws, "import", wix)
    _cli(capsys, ws, "export", "customers", tmp_path / "c.csv", "--columns", "email,consent_email,consent_sms")
    with (tmp_path / "c.csv").open(encoding="utf-8-sig", newline="") as fh:
        consents = {r["email"]: (r["consent_email"], r["consent_sms"]) for r in csv.DictReader(fh)}
    assert consents == {"cat@example.com": ("unsubscribed", "unsubscribed"),
                        "ben@example.com": ("denied", "denied"), "amy@example.com": ("granted", "granted")}
    packs, _said = exported_packs(capsys, ws, tmp_path, PLAN)
    email, sms = (packs[channel].read_text(encoding="utf-8-sig") for channel in ("email", "sms"))
    assert "amy@example.com" in email and "cat@example.com" not in email and "ben@example.com" not in email
    assert "+14155550101" in sms and "+14155550103" not in sms and "+14155550102" not in sms


def test_a_column_of_consent_words_left_unread_is_said_at_import(tmp_path, capsys):
    ws = tmp_path / "shop.omnidesk"
    _shop(capsys, tmp_path, ws)
    crm = write_csv(tmp_path / "crm.csv", ["Email", "First Name", "Mailing preference XYZ"],
                    [["cat@example.com", "Cat", "Unsubscribed"], ["ben@example.com", "Ben", "Abgemeldet"],
                     ["amy@example.com", "Amy", ""]])
    said = _cli(capsys, ws, "import", crm)
    assert ("Column 'Mailing preference XYZ' holds consent words (\"Unsubscribed\", \"Abgemeldet\") in 2 of its "
            "first 3 rows, but was not read as consent") in said
    assert "map it to the channel's consent in the import wizard" in said
