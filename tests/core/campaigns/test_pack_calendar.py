"""The campaign calendar (.ics) parsed back with icalendar: every TZID defined, every instant right."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine

from omnidesk.core.campaigns.packs import CalendarStep, write_calendar
from omnidesk.core.campaigns.packs_calendar import PRODID
from omnidesk.core.errors import UserError
from omnidesk.core.exporting.outfiles import OutputExistsError
from omnidesk.core.workspace import Workspace

NY, BERLIN, SYDNEY = "America/New_York", "Europe/Berlin", "Australia/Sydney"
NOW = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)


def _step(uid: str, zone: str, *wall: int, audience: int | None = 100, label: str = "SMS") -> CalendarStep:
    return CalendarStep(uid=uid, title="Spring sale", channel_label=label,
                        start=datetime(*wall, tzinfo=ZoneInfo(zone)), zone=zone, audience=audience)


# (step, the UTC instant it must be) across each zone's daylight-saving change in 2026.
CASES = [
    (_step("ny-before", NY, 2026, 3, 7, 10, 0), datetime(2026, 3, 7, 15, 0, tzinfo=UTC)),     # EST, -5
    (_step("ny-after", NY, 2026, 3, 9, 10, 0), datetime(2026, 3, 9, 14, 0, tzinfo=UTC)),      # EDT, -4
    (_step("ny-autumn", NY, 2026, 11, 2, 9, 0), datetime(2026, 11, 2, 14, 0, tzinfo=UTC)),    # EST again
    (_step("berlin-winter", BERLIN, 2026, 3, 28, 12, 0), datetime(2026, 3, 28, 11, 0, tzinfo=UTC)),
    (_step("berlin-summer", BERLIN, 2026, 3, 30, 12, 0), datetime(2026, 3, 30, 10, 0, tzinfo=UTC)),
    # 02:30 does not exist in Berlin that night: the instant is 01:30 UTC, shown as 03:30 summer time.
    (_step("berlin-gap", BERLIN, 2026, 3, 29, 2, 30), datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),
    (_step("sydney-summer", SYDNEY, 2026, 4, 4, 12, 0), datetime(2026, 4, 4, 1, 0, tzinfo=UTC)),   # AEDT, +11
    (_step("sydney-winter", SYDNEY, 2026, 4, 6, 12, 0), datetime(2026, 4, 6, 2, 0, tzinfo=UTC)),   # AEST, +10
]


def _parse(path) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(path.read_bytes())


def _read_as_a_calendar_does(ev, zones: dict) -> tuple[datetime, datetime]:
    """(start, end) of an event in UTC, as RFC 5545 reads it: a wall time with a TZID is placed by
    the file's own VTIMEZONE, its first pass when the clocks repeat it; a DURATION is exact time."""
    def instant(name: str) -> datetime:
        value = ev.decoded(name)
        if name in ev and "TZID" in ev[name].params:
            return value.replace(tzinfo=zones[ev[name].params["TZID"]], fold=0).astimezone(UTC)
        return value.astimezone(UTC)

    start = instant("DTSTART")
    end = instant("DTEND") if "DTEND" in ev else start + ev.decoded("DURATION")
    return start, end


def test_each_step_is_an_event_at_the_right_instant_by_the_files_own_vtimezones(tmp_path):
    out = tmp_path / "spring-sale.ics"
    assert write_calendar(out, "Spring sale", [step for step, _ in CASES], now=NOW) == len(CASES)
    raw = out.read_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")  # RFC 5545 lines end in CRLF
    cal = _parse(out)
    assert str(cal["PRODID"]) == PRODID and str(cal["VERSION"]) == "2.0"

    # Every TZID used has its VTIMEZONE, and each is read from the file's definition, not the
    # machine's zone database, so a program that knows no IANA names places the events right.
    zones = {tz.tz_name: tz.to_tz(lookup_tzid=False) for tz in cal.timezones}
    assert set(zones) == {NY, BERLIN, SYDNEY}
    assert cal.get_missing_tzids() == set()

    events = {str(ev["UID"]): ev for ev in cal.walk("VEVENT")}
    assert list(events) == [step.uid for step, _ in CASES]
    for step, instant in CASES:
        ev = events[step.uid]
        assert ev["DTSTART"].params["TZID"] == step.zone
        start, end = _read_as_a_calendar_does(ev, zones)
        assert start == instant, step.uid
        assert end - start == timedelta(minutes=30), step.uid
        assert str(ev["SUMMARY"]) == "Spring sale — SMS"
        assert ev.decoded("DTSTAMP") == NOW
    assert events["berlin-gap"].decoded("DTSTART").replace(tzinfo=None) == datetime(2026, 3, 29, 3, 30)


LORD_HOWE = "Australia/Lord_Howe"  # its clocks move by half an hour
# (step, the UTC instant it must be): normal nights, nights the clocks skip a time (the step goes
# out when the clock would have shown it) and nights they repeat one (the step goes out the first
# time round), the end of the repeated hour's first pass falling in its second.
CLOCK_CHANGES = [
    (_step("ny-normal", NY, 2027, 6, 1, 9, 0), datetime(2027, 6, 1, 13, 0, tzinfo=UTC)),
    (_step("ny-gap", NY, 2027, 3, 14, 2, 30), datetime(2027, 3, 14, 7, 30, tzinfo=UTC)),
    (_step("ny-twice", NY, 2027, 11, 7, 1, 30), datetime(2027, 11, 7, 5, 30, tzinfo=UTC)),
    (_step("ny-twice-late", NY, 2027, 11, 7, 1, 45), datetime(2027, 11, 7, 5, 45, tzinfo=UTC)),
    (_step("ny-twice-early", NY, 2027, 11, 7, 1, 0), datetime(2027, 11, 7, 5, 0, tzinfo=UTC)),
    (_step("berlin-normal", BERLIN, 2027, 7, 1, 9, 0), datetime(2027, 7, 1, 7, 0, tzinfo=UTC)),
    (_step("berlin-gap", BERLIN, 2027, 3, 28, 2, 30), datetime(2027, 3, 28, 1, 30, tzinfo=UTC)),
    (_step("berlin-twice", BERLIN, 2027, 10, 31, 2, 30), datetime(2027, 10, 31, 0, 30, tzinfo=UTC)),
    (_step("lh-normal", LORD_HOWE, 2027, 8, 1, 9, 0), datetime(2027, 7, 31, 22, 30, tzinfo=UTC)),  # +10:30
    (_step("lh-gap", LORD_HOWE, 2027, 10, 3, 2, 15), datetime(2027, 10, 2, 15, 45, tzinfo=UTC)),
    (_step("lh-twice", LORD_HOWE, 2027, 4, 4, 1, 45), datetime(2027, 4, 3, 14, 45, tzinfo=UTC)),
    (_step("lh-twice-early", LORD_HOWE, 2027, 4, 4, 1, 30), datetime(2027, 4, 3, 14, 30, tzinfo=UTC)),
    # An instant in the repeated hour's second pass (not a plan's step, which is always the first).
    (CalendarStep("ny-second-pass", "Spring sale", "SMS", datetime(2027, 11, 7, 6, 30, tzinfo=UTC), NY, 1),
     datetime(2027, 11, 7, 6, 30, tzinfo=UTC)),
]


def test_every_event_ends_thirty_minutes_after_it_starts_across_clock_changes(tmp_path):
    out = tmp_path / "c.ics"
    write_calendar(out, "Spring sale", [step for step, _ in CLOCK_CHANGES], now=NOW)
    cal = _parse(out)
    zones = {tz.tz_name: tz.to_tz(lookup_tzid=False) for tz in cal.timezones}
    assert set(zones) == {NY, BERLIN, LORD_HOWE}
    events = {str(ev["UID"]): ev for ev in cal.walk("VEVENT")}
    for step, instant in CLOCK_CHANGES:
        ev = events[step.uid]
        start, end = _read_as_a_calendar_does(ev, zones)
        assert start == instant, step.uid
        assert end - start == timedelta(minutes=30), step.uid
        # The same read with the zone database's own rules rather than the file's.
        if "TZID" in ev["DTSTART"].params:
            assert ev.decoded("DTSTART").astimezone(UTC) == instant, step.uid
    assert events["ny-gap"].decoded("DTSTART").replace(tzinfo=None) == datetime(2027, 3, 14, 3, 30)
    assert events["lh-gap"].decoded("DTSTART").replace(tzinfo=None) == datetime(2027, 10, 3, 2, 45)


def test_descriptions_carry_the_audience_when_known(tmp_path):
    out = tmp_path / "c.ics"
    steps = [_step("a", BERLIN, 2026, 5, 1, 9, 0, audience=12345, label="Email"),
             _step("b", BERLIN, 2026, 5, 2, 9, 0, audience=1, label="SMS"),
             _step("c", BERLIN, 2026, 5, 3, 9, 0, audience=None, label="Instagram")]
    steps[2] = CalendarStep(**{**steps[2].__dict__, "description": "Post the carousel; link in bio."})
    write_calendar(out, "Spring sale", steps, now=NOW)
    events = {str(ev["UID"]): ev for ev in _parse(out).walk("VEVENT")}
    assert str(events["a"]["DESCRIPTION"]) == "Spring sale\nAudience: 12,345 recipients"
    assert str(events["b"]["DESCRIPTION"]) == "Spring sale\nAudience: 1 recipient"
    assert str(events["c"]["DESCRIPTION"]) == "Spring sale\nPost the carousel; link in bio."
    assert str(events["c"]["SUMMARY"]) == "Spring sale — Instagram"


def test_the_same_steps_give_the_same_file_so_calendars_update_rather_than_duplicate(tmp_path):
    steps = [step for step, _ in CASES]
    with time_machine.travel(NOW, tick=False):
        write_calendar(tmp_path / "a.ics", "Spring sale", steps)
    write_calendar(tmp_path / "b.ics", "Spring sale", steps, now=NOW)
    # Stamped with the present when no time is given; the same steps, the same bytes.
    assert _parse(tmp_path / "a.ics").walk("VEVENT")[0].decoded("DTSTAMP") == NOW
    assert (tmp_path / "a.ics").read_bytes() == (tmp_path / "b.ics").read_bytes()
    write_calendar(tmp_path / "c.ics", "Spring sale", reversed(steps), now=NOW)
    assert {str(e["UID"]) for e in _parse(tmp_path / "c.ics").walk("VEVENT")} == {s.uid for s in steps}


@pytest.mark.parametrize(("steps", "error", "message"), [
    ([_step("a", NY, 2026, 3, 1, 9, 0), _step("a", NY, 2026, 3, 2, 9, 0)], ValueError, "uid 'a' is used twice"),
    ([_step(" ", NY, 2026, 3, 1, 9, 0)], ValueError, "has no uid"),
    ([CalendarStep("n", "t", "SMS", datetime(2026, 3, 1, 9), NY, 1)], ValueError, "the start has no time zone"),
    ([CalendarStep("z", "t", "SMS", datetime(2026, 3, 1, 9, tzinfo=UTC), "Nowhere/Land", 1)], UserError,
     "unknown time zone 'Nowhere/Land'"),
])
def test_bad_steps_are_refused_and_no_file_is_written(tmp_path, steps, error, message):
    with pytest.raises(error, match=message):
        write_calendar(tmp_path / "c.ics", "C", steps, now=NOW)
    assert not list(tmp_path.iterdir())


def test_a_start_given_in_another_zone_is_shown_in_the_steps_zone(tmp_path):
    out = tmp_path / "c.ics"
    step = CalendarStep("u", "t", "SMS", datetime(2026, 6, 1, 7, 0, tzinfo=UTC), SYDNEY, 3)
    write_calendar(out, "C", [step], now=NOW)
    ev = _parse(out).walk("VEVENT")[0]
    assert ev["DTSTART"].params["TZID"] == SYDNEY
    assert ev.decoded("DTSTART").replace(tzinfo=None) == datetime(2026, 6, 1, 17, 0)


def test_the_calendar_never_replaces_a_workspace_and_an_existing_file_only_when_asked(tmp_path):
    ws = tmp_path / "shop.omnidesk"
    with Workspace.create(ws):
        pass
    before = ws.read_bytes()
    with pytest.raises(UserError, match="Will not write over"):
        write_calendar(ws, "C", [CASES[0][0]], overwrite=True, now=NOW)
    assert ws.read_bytes() == before
    out = tmp_path / "c.ics"
    out.write_text("old", encoding="utf-8")
    with pytest.raises(OutputExistsError):
        write_calendar(out, "C", [CASES[0][0]], now=NOW)
    assert out.read_text(encoding="utf-8") == "old"
    write_calendar(out, "C", [CASES[0][0]], now=NOW, overwrite=True)
    assert len(_parse(out).walk("VEVENT")) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.ics", "shop.omnidesk"]


def test_an_empty_campaign_is_a_valid_calendar(tmp_path):
    out = tmp_path / "c.ics"
    assert write_calendar(out, "Nothing yet", [], now=NOW) == 0
    cal = _parse(out)
    assert cal.walk("VEVENT") == [] and cal.timezones == []


def test_the_calendars_name_is_escaped_text_like_the_summaries(tmp_path):
    out = tmp_path / "c.ics"
    write_calendar(out, 'Pack; test, "quoted" \\ 1', [_step("a", NY, 2026, 5, 1, 9, 0)], now=NOW)
    assert b'X-WR-CALNAME:Pack\\; test\\, "quoted" \\\\ 1\r\n' in out.read_bytes()


def test_the_same_plan_gives_the_same_bytes_in_every_run():
    """The time zone definitions come in the order of their names, before the events: the library
    adds them in a set's order, which changes with each run's hash seed, so two exports of one plan
    differed (and a file kept under version control changed for nothing)."""
    import os
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from datetime import UTC, datetime\n"
        "from zoneinfo import ZoneInfo\n"
        "from omnidesk.core.campaigns.packs import CalendarStep\n"
        "from omnidesk.core.campaigns.packs_calendar import calendar_bytes\n"
        "zones = ['Europe/London', 'Asia/Tokyo', 'America/New_York', 'Australia/Sydney']\n"
        "steps = [CalendarStep(f'u{i}', 't', 'Email', datetime(2026, 12, 3, 10, tzinfo=ZoneInfo(z)), z, 10)\n"
        "         for i, z in enumerate(zones)]\n"
        "sys.stdout.buffer.write(calendar_bytes('Winter', steps, now=datetime(2026, 11, 20, tzinfo=UTC)))\n")
    runs = {subprocess.run([sys.executable, "-c", script], capture_output=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout
            for seed in (1, 2, 3)}
    assert len(runs) == 1
    (ics,) = runs
    tzids = [line for line in ics.decode().splitlines() if line.startswith("TZID:")]
    assert tzids == ["TZID:America/New_York", "TZID:Asia/Tokyo", "TZID:Australia/Sydney", "TZID:Europe/London"]
    assert ics.index(b"BEGIN:VTIMEZONE") < ics.index(b"BEGIN:VEVENT")
