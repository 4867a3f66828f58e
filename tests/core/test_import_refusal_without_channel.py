"""A CRM list's "Has unsubscribed: Yes" is an email unsubscribe, as a plain "Unsubscribed" is.  It
was read as a mistyped "SMS subscribed" refused, so Nora's texts were closed and the shop's email
"yes" stayed in force.  Played through the command line at a set clock."""

from __future__ import annotations

import csv

import pytest

from omnidesk.core.importing.column_guess import guess_mapping
from tests.helpers import cli_at, exported_packs, write_csv

NY = "America/New_York"
PLAN = {"name": "N", "audience": "everyone", "mode": "each_channel",
        "message": {"headline": "Sale", "body": "Sale", "cta": "Shop", "link": "https://harbor.example/s"},
        "steps": [{"channel": "email", "at": "2027-03-01T12:00", "timezone": NY}]}


_cli = cli_at  # a command at a set clock, which must succeed


def test_has_unsubscribed_unsubscribes_email(tmp_path, capsys):
    ws = tmp_path / "shop.omnidesk"
    shop = write_csv(tmp_path / "shopify_customers.csv",
                     ["Email", "First Name", "Phone", "Accepts Email Marketing", "Accepts SMS Marketing"],
                     [["nora@example.com", "Nora", "+14155550177", "yes", "yes"],
                      ["omar@example.com", "Omar", "+14155550178", "yes", "yes"]])
    _cli(capsys, ws, "import", shop, "--channel", "shop", at="2027-01-10 15:00:00Z")
    crm = write_csv(tmp_path / "crm_contacts.csv", ["Email", "First Name", "Mobile", "Has unsubscribed"],
                    [["nora@example.com", "Nora", "+14155550177", "Yes"],
                     ["omar@example.com", "Omar", "+14155550178", "No"]])
    _cli(capsys, ws, "import", crm)
    _cli(capsys, ws, "export", "customers", tmp_path / "c.csv", "--columns", "email,consent_email,consent_sms")
    with (tmp_path / "c.csv").open(encoding="utf-8-sig", newline="") as fh:
        consents = {r["email"]: (r["consent_email"], r["consent_sms"]) for r in csv.DictReader(fh)}
    # The texts she never refused stay as the shop said.
    assert consents == {"nora@example.com": ("unsubscribed", "granted"), "omar@example.com": ("granted", "granted")}
    packs, _said = exported_packs(capsys, ws, tmp_path, PLAN)
    text = packs["email"].read_text(encoding="utf-8-sig")
    assert "omar@example.com" in text and "nora@example.com" not in text


@pytest.mark.parametrize(("header", "field"), [
    ("Has unsubscribed", "no_email"), ("Is unsubscribed", "no_email"), ("Has opted out", "no_email"),
    ("SMS unsubscribed", "no_sms"), ("Emial unsubscribed", "no_email"), ("Emial subscribed", "consent_email"),
    # Another word for the same channel is no channel added: these are texts' stops, as "SMS opt out" is.
    ("Txt opt out", "no_sms"), ("Text msg opt out", "no_sms"), ("Msg opt out", "no_sms"),
    ("Text opt out", "no_sms"), ("Mail opt out", "no_email"),
])
def test_a_typo_never_names_a_channel_the_header_does_not(header, field):
    (guess,) = guess_mapping([header])
    assert guess.field == field, (header, guess)


def test_has_subscribed_is_no_sms_consent():
    (guess,) = guess_mapping(["Has subscribed"])
    assert guess.field != "consent_sms", guess
