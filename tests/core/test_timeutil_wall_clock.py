"""A time given without an offset, read on a shop's clock: the same instant however it is worked out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from omnidesk.core.timeutil import wall_clock_utc


def _plain(text: str, zone: ZoneInfo) -> str:
    return datetime.fromisoformat(text).replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None).isoformat(
        timespec="seconds")


@pytest.mark.parametrize("zone, day", [
    ("America/New_York", "2026-03-08"), ("America/New_York", "2026-11-01"),  # the hour skipped, the hour twice
    ("Europe/Berlin", "2026-03-29"), ("Europe/Berlin", "2026-10-25"),
    ("Australia/Lord_Howe", "2026-04-05"), ("Australia/Lord_Howe", "2026-10-04"),  # half-hour changes
    ("America/St_Johns", "2026-11-01"), ("Pacific/Chatham", "2026-04-05"), ("Asia/Kathmandu", "2026-06-01"),
])
def test_each_minute_of_a_clock_change_day_names_the_instant_the_zone_says(zone, day):
    """Each hour's offset is worked out once; the hour a clock changes in is read time by time."""
    tz = ZoneInfo(zone)
    start = datetime.fromisoformat(day) - timedelta(hours=2)
    for minute in range(0, 28 * 60, 7):
        text = (start + timedelta(minutes=minute)).isoformat(timespec="seconds")
        assert wall_clock_utc(text, tz) == _plain(text, tz), (zone, text)
