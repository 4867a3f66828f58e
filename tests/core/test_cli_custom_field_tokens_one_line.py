"""A custom field's token is filled with the value as one line, the same in the preview, the check
and the packs the customer is sent from.

An older version kept what was typed or imported as it came: a field typed in as
"Favourite  colour" (two spaces), a value " deep  blue<TAB>sea" with a line break after it.
Tokens match a field's name with its spaces collapsed, but the values a message is filled with
were keyed by the name as stored: the preview and the check found the value (their lookup
collapses the name too) while Mailchimp's audience file, looked up by the token's own key,
wrote the column empty, so the customer got the fallback the preview never showed.  And the
value went into the SMS with its double space and its tab, which made the text UCS-2 (two
segments); the email's preview showed it on one line.

One rule, in the one place every one of them reads the values from: a custom field's value is
what the card keeps of a value typed or imported today, one line (runs of spaces, tabs and line
breaks one space, no space at either end), under its name's token key.  What the customer
receives is then exactly what the preview and the check showed.
"""

from __future__ import annotations

import csv
import json
import sqlite3

import time_machine

from tests.helpers import run_cli, write_csv

NY = "America/New_York"
SMS = "Harbor: your {custom.Favourite colour|usual} pick, 10% off with C1 https://hc.example/c Reply STOP"
EMAIL = "Your {custom.favourite colour|usual} pick, 10% off with C1 https://hc.example/c"


def _shop(capsys, tmp_path):
    """Tab, whose favourite colour an older version kept as typed, and a campaign naming it."""
    people = write_csv(tmp_path / "people.csv",
                       ["First Name", "Email", "Phone", "Favourite colour", "Email consent", "Email consent date",
                        "SMS consent", "SMS consent date"],
                       [["Tab", "tab@example.com", "+1 212 555 0304", "deep blue sea", "yes", "2026-01-05", "yes",
                         "2026-01-05"]])
    ws = tmp_path / "shop.omnidesk"
    for argv in (["import", people, "--channel", "shop"], ["brand", "set", "address", "12 Quay St, Portland"],
                 ["brand", "set", "name", "Harbor"]):
        status, _, err = run_cli(capsys, *argv, "-w", ws)
        assert status == 0, err
    with sqlite3.connect(ws) as conn:
        conn.execute("UPDATE custom_field SET name = 'Favourite  colour', value = ' deep  blue\tsea\n'")
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({
        "name": "Colour", "message": {"headline": "Colour", "body": "Your pick", "offer_code": "C1",
                                      "offer_value": "10% off", "link": "https://hc.example/c"},
        "variants": {"sms": {"text": SMS}, "email": {"subject": "Hi", "body": EMAIL}},
        "audience": "everyone", "steps": [{"channel": "email", "at": "2027-03-10T12:00", "timezone": NY},
                                          {"channel": "sms", "at": "2027-03-10T12:00", "timezone": NY}]}),
        encoding="utf-8")
    status, _, err = run_cli(capsys, "campaign", "import", plan, "-w", ws)
    assert status == 0, err
    return ws


@time_machine.travel("2027-02-01 10:00:00Z", tick=False)
def test_the_preview_the_check_and_the_packs_fill_a_custom_field_alike(capsys, tmp_path):
    ws = _shop(capsys, tmp_path)
    # The preview of each channel, for Tab.
    previews = {}
    for channel in ("sms", "email"):
        status, out, err = run_cli(capsys, "message", "render", "Colour", "--channel", channel,
                                   "--customer", "tab@example.com", "-w", ws)
        assert status == 0, err
        previews[channel] = out
    assert "Harbor: your deep blue sea pick, 10% off" in previews["sms"], previews["sms"]
    assert "Your deep blue sea pick, 10% off" in previews["email"], previews["email"]
    # The check measures the same text: plain GSM-7, one segment, nothing said of a tab.
    status, out, err = run_cli(capsys, "campaign", "check", "Colour", "--json", "-w", ws)
    assert status == 0, err
    checked = json.loads(out)
    assert (checked["stats"]["sms"]["encoding"], checked["stats"]["sms"]["segments"]) == ("GSM-7", 1), checked
    assert [f["code"] for f in checked["findings"] if f["channel"] == "sms" and f["code"].startswith("sms_")] == []
    # And the packs carry it so.
    status, _, err = run_cli(capsys, "campaign", "export", "Colour", "--out", tmp_path / "packs", "-w", ws)
    assert status == 0, err
    packs = {p.name.split("_")[1]: p for p in (tmp_path / "packs").glob("*.csv")}
    with packs["sms"].open(encoding="utf-8", newline="") as f:
        (sms,) = list(csv.DictReader(f))
    assert (sms["Message"].split(", 10%")[0], sms["Encoding"], sms["Segments"]) == (
        "Harbor: your deep blue sea pick", "GSM-7", "1"), sms
    with packs["email"].open(encoding="utf-8", newline="") as f:
        (mail,) = list(csv.DictReader(f))
    assert mail["FAVOURITE_"] == "deep blue sea", mail
    assert "*|IF:FAVOURITE_|**|FAVOURITE_|**|ELSE:|*usual*|END:IF|*" in packs["email"].with_suffix(".txt").read_text(
        encoding="utf-8")
