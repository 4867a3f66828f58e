"""A campaign exported across the nights the clocks change: every pack and the calendar give the
same moment, as a time the clocks show that night, and each calendar event ends after it starts."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import time_machine

from tests.helpers import run_cli

NOW = datetime(2027, 1, 4, 12, 0, tzinfo=UTC)
NY, BERLIN, LORD_HOWE = "America/New_York", "Europe/Berlin", "Australia/Lord_Howe"
MESSAGE = {"name": "Promo", "message": {"headline": "Sale", "body": "Hi {first_name|there}, 20% off all stock.",
                                        "offer_code": "SALE20", "offer_value": "20% off",
                                        "link": "https://example.com/sale"}}


@pytest.fixture
def shop(tmp_path, capsys):
    """A workspace with one customer who takes emails and texts, a brand and a message, made by the CLI."""
    import json

    ws = tmp_path / "shop.omnidesk"
    people = tmp_path / "people.csv"
    people.write_text("First name,Email,Phone,Country,Email consent,SMS consent\n"
                      "Ann,ann@example.com,+12125550101,US,yes,yes\n", encoding="utf-8")
    message = tmp_path / "message.json"
    message.write_text(json.dumps(MESSAGE), encoding="utf-8")
    with time_machine.travel(NOW, tick=False):
        for argv in (("import", people, "--channel", "email"), ("settings", "timezone", NY),
                     ("brand", "set", "address", "1 Main St, New York NY 10001"), ("brand", "set", "name", "Shop"),
                     ("message", "import", message)):
            status, _out, err = run_cli(capsys, "-w", ws, *argv)
            assert status == 0, err
    return ws


def _export(capsys, tmp_path, ws, steps: list[dict]):
    import json

    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"name": "FB", "message": "Promo", "steps": steps}), encoding="utf-8")
    out = tmp_path / "out"
    with time_machine.travel(NOW, tick=False):
        status, _o, err = run_cli(capsys, "-w", ws, "campaign", "import", plan)
        assert status == 0, err
        status, _o, err = run_cli(capsys, "-w", ws, "campaign", "export", "FB", "--out", out)
        assert status == 0, err
    return out


def _rows(path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def test_calendar_events_end_after_they_start_on_the_nights_the_clocks_go_back(shop, capsys, tmp_path):
    steps = [{"channel": "email", "at": "2027-11-07T01:30", "timezone": NY},         # 01:30 twice
             {"channel": "sms", "at": "2027-10-31T02:30", "timezone": BERLIN},       # 02:30 twice
             {"channel": "instagram", "at": "2027-04-04T01:45", "timezone": LORD_HOWE},  # 01:30-02:00 twice
             {"channel": "facebook", "at": "2027-03-14T02:30", "timezone": NY},      # 02:30 skipped
             {"channel": "email", "at": "2027-06-01T09:00", "timezone": BERLIN}]     # a night like any other
    out = _export(capsys, tmp_path, shop, steps)
    cal = icalendar.Calendar.from_ical((out / "fb.ics").read_bytes())
    zones = {tz.tz_name: tz.to_tz(lookup_tzid=False) for tz in cal.timezones}
    events = cal.walk("VEVENT")
    assert len(events) == len(steps)
    starts = {}
    for ev in events:
        # Read as RFC 5545 says: a wall time with a TZID by the file's VTIMEZONE, its first pass
        # when the clocks repeat it; a DURATION is exact time.
        start = ev.decoded("DTSTART").replace(tzinfo=zones[ev["DTSTART"].params["TZID"]], fold=0).astimezone(UTC)
        if "DTEND" in ev:
            end = ev.decoded("DTEND").replace(tzinfo=zones[ev["DTEND"].params["TZID"]], fold=0).astimezone(UTC)
        else:
            end = start + ev.decoded("DURATION")
        assert end - start == timedelta(minutes=30), ev["DTSTART"].to_ical()
        starts[start] = ev
    assert sorted(starts) == sorted([datetime(2027, 11, 7, 5, 30, tzinfo=UTC), datetime(2027, 10, 31, 0, 30, tzinfo=UTC),
                                     datetime(2027, 4, 3, 14, 45, tzinfo=UTC), datetime(2027, 3, 14, 7, 30, tzinfo=UTC),
                                     datetime(2027, 6, 1, 7, 0, tzinfo=UTC)])
    # The same export again gives the same events, so a calendar updates them rather than adding more.
    uids = sorted(str(ev["UID"]) for ev in events)
    with time_machine.travel(NOW, tick=False):
        assert run_cli(capsys, "-w", shop, "campaign", "export", "FB", "--out", out, "--force")[0] == 0
    again = icalendar.Calendar.from_ical((out / "fb.ics").read_bytes())
    assert sorted(str(ev["UID"]) for ev in again.walk("VEVENT")) == uids


def test_social_packs_write_a_time_the_clocks_show_that_night(shop, capsys, tmp_path):
    # 02:30 does not exist in New York on 14 March 2027 (the clocks go from 02:00 to 03:00), nor
    # 02:15 on Lord Howe Island on 3 October 2027 (02:00 to 02:30): each goes out when the clock
    # would have shown it, 03:30 and 02:45, and every pack says so, as the check does.
    steps = [{"channel": "instagram", "at": "2027-03-14T02:30", "timezone": NY},
             {"channel": "facebook", "at": "2027-10-03T02:15", "timezone": LORD_HOWE}]
    out = _export(capsys, tmp_path, shop, steps)
    for stem, local, iso in (("fb_instagram_2027-03-14_0230", (2027, 3, 14, 3, 30), "2027-03-14T03:30:00-04:00"),
                             ("fb_facebook_2027-10-03_0215", (2027, 10, 3, 2, 45), "2027-10-03T02:45:00+11:00")):
        when = datetime(*local)
        buffer = _rows(out / f"{stem}.csv")
        assert buffer[1][buffer[0].index("Posting Time")] == f"{when:%Y-%m-%d %H:%M}"
        hootsuite = _rows(out / f"{stem}_hootsuite.csv")
        assert hootsuite[0][0] == f"{when:%m/%d/%Y %H:%M}"
        generic = _rows(out / f"{stem}_generic.csv")
        assert generic[1][generic[0].index("Posting Time")] == iso
    with time_machine.travel(NOW, tick=False):
        _status, said, _err = run_cli(capsys, "-w", shop, "campaign", "check", "FB")
    assert "goes out at 03:30" in said and "goes out at 02:45" in said
    ics = (out / "fb.ics").read_text(encoding="utf-8")
    assert "DTSTART;TZID=America/New_York:20270314T033000" in ics
    assert "DTSTART;TZID=Australia/Lord_Howe:20271003T024500" in ics
