"""A time written without an offset reads the same whether the shop's zone is set or only the
computer is in it, in the hour the clocks skip and the hour they repeat too.

02:30 on the night Berlin's clocks went forward was read as 01:30 UTC with the zone set (the offset
before the change) but as 00:30 UTC on the computer's clock (the offset after it): the same till
export gave sales an hour apart depending on whether the owner had set the zone their laptop is in.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from omnidesk.core.metrics import day_start_utc
from omnidesk.core.timeline import instant, with_offset
from omnidesk.core.timeutil import day_or_instant_utc, local_day, local_instant, local_minute, wall_clock_utc

# zone, what a till wrote, the instant (UTC) and that time with the offset it was read with.
# A skipped time has the offset before the change; a repeated one is its first occurrence.
TIMES = [
    ("Europe/London", "2026-03-29T01:30:00", "2026-03-29T01:30:00", "+00:00"),  # skipped
    ("Europe/London", "2026-10-25T01:30:00", "2026-10-25T00:30:00", "+01:00"),  # twice
    ("Europe/London", "2026-06-15T12:00:00", "2026-06-15T11:00:00", "+01:00"),
    ("Europe/Berlin", "2026-03-29T02:30:00", "2026-03-29T01:30:00", "+01:00"),
    ("Europe/Berlin", "2026-10-25T02:30:00", "2026-10-25T00:30:00", "+02:00"),
    ("Europe/Berlin", "2026-06-15T12:00:00", "2026-06-15T10:00:00", "+02:00"),
    ("America/New_York", "2026-03-08T02:30:00", "2026-03-08T07:30:00", "-05:00"),
    ("America/New_York", "2026-11-01T01:30:00", "2026-11-01T05:30:00", "-04:00"),
    ("America/New_York", "2026-06-15T12:00:00", "2026-06-15T16:00:00", "-04:00"),
    ("Australia/Sydney", "2026-10-04T02:30:00", "2026-10-03T16:30:00", "+10:00"),
    ("Australia/Sydney", "2026-04-05T02:30:00", "2026-04-04T15:30:00", "+11:00"),
    ("Australia/Sydney", "2026-06-15T12:00:00", "2026-06-15T02:00:00", "+10:00"),
]


@pytest.mark.parametrize("zone, wall, utc, offset", TIMES)
def test_a_time_without_an_offset_is_one_instant_on_either_clock(computer_in, zone, wall, utc, offset):
    computer_in(zone)
    set_zone = ZoneInfo(zone)
    for clock in (set_zone, None):  # the zone set in Settings; none set, the computer in it
        assert wall_clock_utc(wall, clock) == utc, clock
        assert day_or_instant_utc(wall, clock) == utc, clock
        assert instant(wall, clock) == utc, clock  # the timeline's order
        assert with_offset(wall, clock) == wall + offset, clock  # the timeline export


@pytest.mark.parametrize("zone", sorted({z for z, *_ in TIMES}))
def test_a_stored_instant_shows_the_same_on_either_clock(computer_in, zone):
    """Each quarter hour from two hours before to two hours after each change of the year."""
    computer_in(zone)
    set_zone = ZoneInfo(zone)
    changes = [wall_clock_utc(w, set_zone) for z, w, *_ in TIMES if z == zone][:2]
    for change in changes:
        start = datetime.fromisoformat(change) - timedelta(hours=2)
        for quarter in range(17):
            utc = (start + timedelta(minutes=15 * quarter)).isoformat()
            shown = [(local_day(utc, clock), local_minute(utc, clock), local_instant(utc, clock))
                     for clock in (set_zone, None)]
            assert shown[0] == shown[1], utc


def test_a_day_that_starts_an_hour_late_starts_at_the_same_instant_on_either_clock(computer_in):
    """Santiago's clocks go from 00:00 to 01:00 on 6 September 2026: the day starts at 04:00 UTC
    (01:00 there), not at 03:00 UTC, an hour of the 5th."""
    computer_in("America/Santiago")
    for clock in (ZoneInfo("America/Santiago"), None):
        assert day_start_utc(date(2026, 9, 6), clock) == "2026-09-06T04:00:00", clock
        assert local_day("2026-09-06T03:59:00", clock) == "2026-09-05", clock
