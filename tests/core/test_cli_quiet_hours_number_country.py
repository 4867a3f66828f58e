"""A number phonenumbers cannot place (no zone data: a range it does not call valid) still says its
country by its calling code: a +44 text keeps London's quiet hours, not the shop's, and the check,
the pack and its zone column all read it so."""

from __future__ import annotations

import csv
import json

import time_machine

from tests.helpers import cli_shop_fixtures, machine_in_zone, run_cli

PEOPLE = (["First Name", "Email", "Phone", "Email consent", "SMS consent"], [
    ["Lon", "lon@example.com", "+447700900123", "yes", "yes"],  # no zone data for this range
    ["Nyc", "nyc@example.com", "+12125550101", "yes", "yes"],
])
PLAN = {"name": "Q", "audience": "everyone", "mode": "each_channel",
        "message": {"headline": "Winter sale", "body": "Hello, 20% off with code SAVE20.", "offer_code": "SAVE20",
                    "offer_value": "20% off", "cta": "Shop now", "link": "https://shop.example/sale"},
        "steps": [{"channel": "sms", "at": "2027-03-03T17:30", "timezone": "America/New_York"}]}

shop_template, shop = cli_shop_fixtures(PEOPLE, ["settings", "timezone", "America/New_York"])
lisbon = machine_in_zone("Europe/Lisbon")


@time_machine.travel("2027-02-01 10:00:00Z", tick=False)
def test_an_unplaceable_uk_number_waits_for_morning_in_london(shop, capsys, tmp_path):
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(PLAN), encoding="utf-8")
    assert run_cli(capsys, "campaign", "import", plan, "-w", shop)[0] == 0
    status, out, err = run_cli(capsys, "campaign", "check", "Q", "--json", "-w", shop)
    assert status == 0, err
    (step,) = json.loads(out)["steps"]
    assert step["eligible"] == 2 and step["moved"] == 1
    packs = tmp_path / "packs"
    packs.mkdir()
    status, _out, err = run_cli(capsys, "campaign", "export", "Q", "--out", packs, "-w", shop)
    assert status == 0, err
    with (packs / "q_sms_2027-03-03_1730.csv").open(encoding="utf-8", newline="") as f:
        rows = {r["Phone"]: r for r in csv.DictReader(f)}
    london, new_york = rows["+447700900123"], rows["+12125550101"]
    assert london["Send at (UTC)"] == "2027-03-04T08:00:00Z"  # 08:00 London, not 22:30
    assert london["Time zone"] == "Europe/London" and london["Note"] == "moved out of quiet hours"
    assert london["Send at (local)"].startswith("2027-03-04T08:00:00+00:00")
    assert new_york["Send at (UTC)"] == "2027-03-03T22:30:00Z" and new_york["Note"] == ""
