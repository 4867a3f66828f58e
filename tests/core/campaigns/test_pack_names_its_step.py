"""Steps at one local time in three zones write packs named alike but for -2 and -3: the export's
summary, its JSON and the calendar say which pack is which step, its time named with its zone."""

from __future__ import annotations

import json

import time_machine
from icalendar import Calendar

from tests.helpers import harbor_fixtures, run_cli

shop_template, shop = harbor_fixtures()
ZONES = ("America/New_York", "Europe/London", "Asia/Tokyo")
UTC_AT = {"Asia/Tokyo": "2026-12-23T00:00:00Z", "Europe/London": "2026-12-23T09:00:00Z",
          "America/New_York": "2026-12-23T14:00:00Z"}


def dup(tmp_path):
    path = tmp_path / "dup.json"
    path.write_text(json.dumps({
        "name": "Dup", "message": {"headline": "B", "body": "Hello.", "link": "https://shop.example/x"},
        "audience": "everyone",
        "steps": [{"channel": "email", "at": "2026-12-23T09:00", "timezone": zone} for zone in ZONES]}),
        encoding="utf-8")
    return path


@time_machine.travel("2026-12-01 12:00:00Z", tick=False)
def test_each_pack_is_said_with_its_steps_time_and_zone(shop, capsys, tmp_path):
    w, out = ["-w", str(shop)], tmp_path / "packs"
    assert run_cli(capsys, "settings", "timezone", "America/New_York", *w)[0] == 0
    assert run_cli(capsys, "campaign", "import", dup(tmp_path), *w)[0] == 0
    status, said, err = run_cli(capsys, "campaign", "export", "Dup", "--out", out, "--json", *w)
    assert status == 0, err
    steps = json.loads(said)["steps"]
    by_file = {s["file"]: (s["at"], s["timezone"], s["at_utc"]) for s in steps}
    assert len(by_file) == 3
    assert {zone: at_utc for _at, zone, at_utc in by_file.values()} == UTC_AT
    assert {at for at, _zone, _utc in by_file.values()} == {"2026-12-23T09:00:00"}

    # Each step's calendar event names the same pack as the JSON does for that step.
    events = [e for e in Calendar.from_ical((out / "dup.ics").read_bytes()).walk("VEVENT")]
    said_in_calendar = {str(e["DESCRIPTION"]).rpartition("Pack: ")[2]: str(e["DTSTART"].params["TZID"])
                        for e in events}
    assert said_in_calendar == {file: zone for file, (_at, zone, _utc) in by_file.items()}

    status, said, err = run_cli(capsys, "campaign", "export", "Dup", "--out", out, "--force", *w)
    assert status == 0, err
    for file, (_at, zone, _utc) in by_file.items():
        assert f"Email 2026-12-23 09:00 {zone}: {file} (1 recipient)" in said.splitlines(), said
