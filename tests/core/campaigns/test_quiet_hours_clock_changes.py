"""A text moved out of quiet hours on a night the clocks change goes when the recipient's quiet
hours end, never before its step: in the hour a fall-back night repeats, the end of that pass,
and an end the spring-forward night skips, when the clock would have shown it."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime

import pytest
import time_machine

from tests.helpers import machine_in_zone, run_cli, write_csv

NOW = datetime(2030, 1, 7, 12, 0, tzinfo=UTC)
LA, LONDON = "America/Los_Angeles", "Europe/London"
MESSAGE = {"name": "Sale", "message": {"headline": "Sale", "body": "Hi, 20% off.", "offer_value": "20% off",
                                       "link": "https://shop.example/sale"}}

# The computer's own clock is neither of the recipients'.
tokyo = machine_in_zone("Asia/Tokyo")


def _sms_row(capsys, tmp_path, phone: str, country: str, shop_zone: str, quiet: tuple[str, str],
             step_utc: str) -> dict[str, str]:
    ws = tmp_path / "shop.omnidesk"
    people = write_csv(tmp_path / "people.csv", ["First Name", "Last Name", "Phone", "SMS consent", "Country"],
                       [["Ann", "Lee", phone, "yes", country]])
    message = tmp_path / "message.json"
    message.write_text(json.dumps(MESSAGE), encoding="utf-8")
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"name": "Night", "message": "Sale", "audience": "everyone", "mode": "each_channel",
                                "steps": [{"channel": "sms", "at": step_utc, "timezone": "UTC"}]}),
                    encoding="utf-8")
    out = tmp_path / "out"
    with time_machine.travel(NOW, tick=False):
        for argv in (("import", people, "--channel", "sms"), ("settings", "timezone", shop_zone),
                     ("settings", "quiet_start", quiet[0]), ("settings", "quiet_end", quiet[1]),
                     ("brand", "set", "sms_sender", "Shop"), ("message", "import", message),
                     ("campaign", "import", plan), ("campaign", "export", "Night", "--out", out)):
            status, _out, err = run_cli(capsys, "-w", ws, *argv)
            assert status == 0, (argv, err)
    (pack,) = out.glob("*sms*.csv")
    with pack.open(encoding="utf-8", newline="") as fh:
        (row,) = csv.DictReader(fh)
    return row


@pytest.mark.parametrize(("phone", "country", "zone", "quiet", "step", "sent", "local"), [
    # Los Angeles goes back on 3 November 2030: 01:00-02:00 comes twice.  09:15 UTC is the second
    # 01:15 (PST): quiet hours end at the second 01:30, 09:30 UTC, not the first (08:30, before the step).
    ("+1 415 555 0101", "US", LA, ("23:00", "01:30"), "2030-11-03T09:15", "2030-11-03T09:30:00Z",
     "2030-11-03T01:30:00-08:00"),
    ("+1 415 555 0101", "US", LA, ("00:00", "01:30"), "2030-11-03T09:15", "2030-11-03T09:30:00Z",
     "2030-11-03T01:30:00-08:00"),
    # The first 01:15 (PDT): its quiet hours end at the first 01:30.
    ("+1 415 555 0101", "US", LA, ("23:00", "01:30"), "2030-11-03T08:15", "2030-11-03T08:30:00Z",
     "2030-11-03T01:30:00-07:00"),
    # London goes back on 27 October 2030: 01:15 UTC is the second 01:15 (GMT).
    ("+44 20 7946 0018", "GB", LONDON, ("23:00", "01:30"), "2030-10-27T01:15", "2030-10-27T01:30:00Z",
     "2030-10-27T01:30:00+00:00"),
    # Los Angeles goes forward on 10 March 2030: 02:00-03:00 never shows.  An end at 02:30 comes
    # when the clock would have shown it, 03:30 PDT: a real instant, after the step (01:15 PST).
    ("+1 415 555 0101", "US", LA, ("23:00", "02:30"), "2030-03-10T09:15", "2030-03-10T10:30:00Z",
     "2030-03-10T03:30:00-07:00"),
])
def test_a_text_moved_out_of_quiet_hours_goes_when_they_end_never_before_its_step(
        capsys, tmp_path, phone, country, zone, quiet, step, sent, local):
    row = _sms_row(capsys, tmp_path, phone, country, zone, quiet, step)
    assert row["Time zone"] == zone
    assert row["Note"] == "moved out of quiet hours"
    assert (row["Send at (UTC)"], row["Send at (local)"]) == (sent, local)
    assert datetime.fromisoformat(row["Send at (UTC)"]) >= datetime.fromisoformat(step).replace(tzinfo=UTC)
