"""A campaign's steps as an RFC 5545 calendar (.ics), for any calendar program.

One VEVENT per step: DTSTART in the step's own IANA zone (a TZID) and a
DURATION of 30 minutes, SUMMARY "<campaign> — <channel>", DESCRIPTION with the
audience size when it is known.  Every TZID used gets its VTIMEZONE (built by
icalendar from the zone database, covering a year either side of the steps),
so a program that knows no IANA names still places each step at the right
instant across daylight-saving changes.

The end is a DURATION, not a DTEND: an end written as a wall time with a TZID
cannot say which pass of a repeated hour it means, and a reader takes the first
(RFC 5545), so a step at 01:30 on a fall-back night would end at 01:00, before
it starts.  A DURATION in hours and minutes is exact time, whatever the clocks do.
For the same reason a start in the second pass of a repeated hour is written in
UTC: with a TZID it would be read an hour early.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Calendar, Event, vText

from omnidesk.core.errors import UserError
from omnidesk.core.exporting.outfiles import check_output, written_beside
from omnidesk.core.failures import telling_write_failures

__all__ = ["DURATION", "PRODID", "CalendarStep", "calendar_bytes", "write_calendar", "zone_info"]

PRODID = "-//omnidesk//Campaign calendar//EN"
DURATION = timedelta(minutes=30)


@dataclass(frozen=True)
class CalendarStep:
    """One step of a campaign on the calendar.

    ``uid`` must stay the same for the same step across exports, so that a
    calendar importing the file again updates the event instead of adding a
    second one.  ``start`` is aware; it is shown in ``zone``.
    """

    uid: str
    title: str
    channel_label: str
    start: datetime
    zone: str
    audience: int | None
    description: str = ""


def zone_info(name: str) -> ZoneInfo:
    """The IANA zone called ``name``; a UserError when there is none."""
    try:
        return ZoneInfo(name)
    # A folder of the zone database ("Europe") is an OSError once the tzdata package is installed.
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise UserError(f"unknown time zone {name!r} (use an IANA name such as Europe/Berlin)") from None


def _second_pass(moment: datetime) -> bool:
    """Whether ``moment`` is the second time its zone's clock shows that wall time (a fall-back night)."""
    if not moment.fold:
        return False
    return moment.replace(fold=0).utcoffset() != moment.utcoffset()


def _description(step: CalendarStep) -> str:
    lines = []
    if step.title:
        lines.append(step.title)
    if step.audience is not None:
        lines.append(f"Audience: {step.audience:,} {'recipient' if step.audience == 1 else 'recipients'}")
    if step.description:
        lines.append(step.description)
    return "\n".join(lines)


def calendar_bytes(campaign_name: str, steps: Iterable[CalendarStep], *, now: datetime | None = None) -> bytes:
    """The .ics file's bytes (CRLF lines, UTF-8).  ``now`` stamps DTSTAMP (the present by default).

    Raises ValueError for a step without a uid, a uid given twice or a naive
    start, and UserError for an unknown zone.
    """
    stamp = (now or datetime.now(UTC)).astimezone(UTC)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    # An X- property is TEXT unless it says otherwise: its ";" "," and "\\" escaped, as SUMMARY's are.
    cal.add("x-wr-calname", vText(campaign_name))
    seen: set[str] = set()
    days: list[date] = []
    for number, step in enumerate(steps, start=1):
        if not step.uid or not step.uid.strip():
            raise ValueError(f"step {number} ({step.channel_label}) has no uid")
        if step.uid in seen:
            raise ValueError(f"step {number} ({step.channel_label}): uid {step.uid!r} is used twice")
        seen.add(step.uid)
        if step.start.tzinfo is None or step.start.utcoffset() is None:
            raise ValueError(f"step {number} ({step.channel_label}): the start has no time zone")
        zone = zone_info(step.zone)
        # Through UTC: astimezone() to the zone a datetime already has returns it untouched,
        # so a wall time inside a spring-forward gap would be written as if it existed.
        start = step.start.astimezone(UTC).astimezone(zone)
        event = Event()
        event.add("uid", step.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", start.astimezone(UTC) if _second_pass(start) else start)
        event.add("duration", DURATION)  # thirty minutes of real time, also across a clock change
        event.add("summary", f"{campaign_name} — {step.channel_label}")
        description = _description(step)
        if description:
            event.add("description", description)
        event.add("categories", [step.channel_label])
        cal.add_component(event)
        days.append(start.date())
    if days:
        cal.add_missing_timezones(first_date=min(days) - timedelta(days=366),
                                  last_date=max(days) + timedelta(days=366))
        missing = cal.get_missing_tzids()
        if missing:
            raise UserError(f"no time zone definition for {', '.join(sorted(missing))}")
        # In the order of their names, before the events: the library adds them in the order of a
        # set, which changes from run to run, and the same plan is to give the same bytes.
        zones = sorted((c for c in cal.subcomponents if c.name == "VTIMEZONE"), key=lambda c: str(c["TZID"]))
        cal.subcomponents[:] = zones + [c for c in cal.subcomponents if c.name != "VTIMEZONE"]
    return cal.to_ical()


def write_calendar(out: Path, campaign_name: str, steps: Iterable[CalendarStep], *,
                   overwrite: bool = False, now: datetime | None = None) -> int:
    """Write the campaign's .ics file; returns the events written.

    Checked like every export (never over a workspace; an existing file only
    with ``overwrite``) and written through a temporary file.
    """
    steps = list(steps)
    data = calendar_bytes(campaign_name, steps, now=now)
    path = check_output(Path(out), overwrite=overwrite)
    with telling_write_failures(path), written_beside(path, overwrite=overwrite) as part:
        with part.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    return len(steps)
