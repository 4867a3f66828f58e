"""Small time functions shared by import, identity and timeline code.

A time written without an offset (a till's "2026-03-29 02:30") is read on the workspace's clock:
its ``timezone`` setting, else the computer's own (:class:`ComputerClock`).  Both read the two
hours a year the clocks change in by one rule, so a file gives the same instants whether the zone
is set or only the computer is in it:

* a time in the hour the clocks skip (02:30 in Berlin on 29 March 2026, which never showed) is
  read with the offset in force before the change, as if the clock had not been moved forward
  yet: 02:30 CET, the instant the clocks showed as 03:30 CEST (the instant a campaign step set at
  02:30 that night goes out at, too);
* a time in the hour the clocks repeat (01:30 in New York on 1 November 2026) is its first
  occurrence, 01:30 EDT: a file without offsets cannot say it was the second.

This is what ``zoneinfo`` does with ``fold=0``.  Python's ``datetime.astimezone()`` on a naive
time reads a skipped time with the offset after the change instead (an hour earlier), so a time
without an offset is never read that way here: :func:`on_clock` puts it on a clock.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime, time as clock_time, timedelta, tzinfo
from functools import cache, lru_cache
from zoneinfo import available_timezones


# Names the zone database answers to that are not a place's clock: the computer's own zone
# (results would depend on the machine), a placeholder, and the copies some systems keep of
# every zone under posix/ (the same) and right/ (counting leap seconds, so off by half a minute).
_NOT_PLACES = ("localtime", "Factory")
_COPIES = ("posix/", "right/")


@cache  # read from the disk's zone database; the same for the whole run
def _zones_by_folded_name() -> dict[str, str]:
    return {name.casefold(): name for name in available_timezones()
            if name not in _NOT_PLACES and not name.startswith(_COPIES)}


def zone_names() -> list[str]:
    """Every IANA time zone name a step or the shop may use, sorted (for lists to pick from)."""
    return sorted(_zones_by_folded_name().values())


def canonical_zone(name: object) -> str | None:
    """``name`` as the IANA time zone it names, spelled as the zone database does
    ("europe/berlin" -> "Europe/Berlin"); None when it names none.

    The one test of a time zone given by a person, in a plan, a step or a setting:
    a folder of the database ("Europe"), the computer's own zone ("localtime"),
    "Factory" and the posix/ and right/ copies are not time zones here.
    """
    if not isinstance(name, str):
        return None
    return _zones_by_folded_name().get(name.strip().casefold())


class ComputerClock(tzinfo):
    """This computer's own clock, daylight saving included, as ``datetime.astimezone()`` reads it.

    A wall time the clocks skip or repeat reads as on a ``zoneinfo`` clock (see the module's
    docstring): the offset of the instant ``astimezone()`` finds for a skipped time is the one
    before the change, and ``fold`` picks the occurrence of a repeated one.

    The clock a workspace's days are read on when its ``timezone`` setting is empty: see
    :func:`computer_zone`.
    """

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None if dt is None else dt.replace(tzinfo=None).astimezone().utcoffset()

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str | None:
        return None if dt is None else dt.replace(tzinfo=None).astimezone().tzname()

    def fromutc(self, dt: datetime) -> datetime:
        local = dt.replace(tzinfo=UTC).astimezone()
        wall = local.replace(tzinfo=None)
        # The hour a clock goes back comes twice: the second time is fold 1.
        fold = int(wall.astimezone().utcoffset() != local.utcoffset())
        return wall.replace(tzinfo=self, fold=fold)

    def __repr__(self) -> str:
        return f"ComputerClock({'/'.join(time.tzname)})"


_CLOCKS: dict[tuple, ComputerClock] = {}


def computer_zone() -> ComputerClock:
    """The zone a workspace's days are read in when its ``timezone`` setting is empty: this
    computer's own (a shop owner's laptop keeps the shop's time).

    The one answer to "which zone, when none is set": the timeline, the card, the Dashboard's
    today and the consent rule's days (:func:`omnidesk.core.consent.rule_zone`) all read it.
    One object per zone the computer is in, so caches keyed on it stay right when it changes.
    """
    key = (os.environ.get("TZ"), time.tzname, time.timezone, time.altzone)
    clock = _CLOCKS.get(key)
    if clock is None:
        clock = _CLOCKS[key] = ComputerClock()
    return clock


def on_clock(wall: datetime, zone: tzinfo | None) -> datetime:
    """``wall`` (naive, a time as a clock shows it) on ``zone``'s clock (None: this computer's),
    aware: a time the clocks skip with the offset before the change, a repeated one its first
    occurrence (unless ``wall.fold`` says the second), the same for both clocks."""
    return wall.replace(tzinfo=zone if zone is not None else computer_zone())


def to_utc(iso: str | None) -> str | None:
    """An ISO 8601 timestamp as naive UTC ``YYYY-MM-DDTHH:MM:SS``, for ordering.

    Values without an offset are taken as they are; a bare date becomes midnight.
    Returns None for empty or unparseable input, and for a time whose instant is past either end
    of the calendar (9999-12-31T23:00:00-05:00).
    """
    if not iso:
        return None
    try:
        dt = datetime.fromisoformat(iso)
        if dt.tzinfo is not None:
            dt = dt.astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):
        return None
    return dt.isoformat(timespec="seconds")


def wall_clock_utc(text: str | None, zone: tzinfo | None) -> str | None:
    """A time written without an offset (a till's, as stored) on ``zone``'s clock (None: this
    computer's), as naive UTC text ``YYYY-MM-DDTHH:MM:SS``; a bare date is that day's start.

    As timeline.instant reads such a time.  None for empty or unparseable input, and for a time
    whose instant is past either end of the calendar (0001-01-01 00:00 on Tokyo's clock).
    """
    try:
        return _wall_clock_utc(text, zone)
    except (ValueError, OverflowError):
        return None


def _wall_clock_utc(text: str | None, zone: tzinfo | None) -> str | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None and zone is not None:
        # Most times fall in an hour with one offset all through it (not the hour a clock
        # changes in): that hour's offset, worked out once, gives the same instant.
        offset = _hour_offset(moment.replace(minute=0, second=0, microsecond=0), zone)
        if offset is not None:
            return (moment - offset).isoformat(timespec="seconds")
    if moment.tzinfo is None:
        moment = on_clock(moment, zone)
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds")


@lru_cache(maxsize=1 << 16)
def _hour_offset(hour: datetime, zone: tzinfo) -> timedelta | None:
    """The UTC offset of the local (naive) ``hour`` on ``zone``'s clock when one offset holds all
    through it, else None (the hour the clock changes in, read time by time)."""
    first = hour.replace(tzinfo=zone).utcoffset()
    last = (hour + timedelta(minutes=59, seconds=59, microseconds=999_999)).replace(tzinfo=zone).utcoffset()
    return first if first == last else None


def day_or_instant_utc(iso: str | None, zone: tzinfo | None) -> str | None:
    """:func:`to_utc`, but a time without an offset is on ``zone``'s clock, and a bare date
    (``2022-08-23``) is that day's start there.

    A sign-up "on 23 August" happened on the shop's 23 August: taken as UTC midnight it was the
    evening before on a clock behind UTC, and a customer whose card said "first seen 23 Aug"
    was counted first seen on the 22nd.  A sign-up at "2024-01-06 00:30" in New York was counted
    on the 5th for the same reason, while the timeline showed the 6th.  Without a zone, on this
    computer's clock, as :func:`wall_clock_utc` reads a till's times and the timeline shows them.
    """
    if not iso:
        return to_utc(iso)
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        return to_utc(iso)
    return wall_clock_utc(iso, zone)  # None past either end of the calendar, as to_utc


def _on_clock(utc: str | None, zone: tzinfo | None) -> datetime | None:
    """A naive UTC instant on ``zone``'s clock (the computer's without one); None if unreadable."""
    if not utc:
        return None
    try:
        dt = datetime.fromisoformat(utc)
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=UTC)
        return dt.astimezone(zone) if zone is not None else dt.astimezone()
    except (ValueError, OverflowError):  # unreadable, or past either end of the calendar there
        return None


def local_day(utc: str | None, zone: tzinfo | None = None) -> str:
    """The calendar day (``YYYY-MM-DD``) a naive UTC instant falls on in ``zone``.

    Without a zone, the computer's own: a shop owner reads "last seen" on the
    day as it was where they are, not in UTC, where an evening in New York is
    already tomorrow.  "" for empty or unparseable input.
    """
    moment = _on_clock(utc, zone)
    return moment.date().isoformat() if moment is not None else ""


def local_minute(utc: str | None, zone: tzinfo | None = None) -> str:
    """A naive UTC instant as ``YYYY-MM-DD HH:MM`` on ``zone``'s clock (the computer's without one).

    For lists a person reads (when an import ran): the shop's clock, as the
    timeline reads.  "" for empty or unparseable input.
    """
    moment = _on_clock(utc, zone)
    return moment.strftime("%Y-%m-%d %H:%M") if moment is not None else ""


def local_instant(utc: str | None, zone: tzinfo | None = None) -> str:
    """A naive UTC instant as ISO 8601 on ``zone``'s clock with its offset
    (``2026-05-06T21:52:00-04:00``; the computer's zone without one).

    For files a person reads: the time as it was in the shop, and unambiguous
    for a program.  "" for empty or unparseable input.
    """
    moment = _on_clock(utc, zone)
    return moment.isoformat(timespec="seconds") if moment is not None else ""


def twelve_months_from(today: date) -> date:
    """The first day of the twelve calendar months ending ``today`` (inclusive).

    The day after the same date a year earlier (31 December 2028: from 1 January 2028, 366 days
    across a 29 February), that is tomorrow's date a year earlier; a 29 February that year lacks
    reads as 1 March, so a month's last day ends whole months (28 or 29 February 2028: from
    1 March 2027; 28 February 2029: from 1 March 2028). The one "last 12 months": the Dashboard's
    period, the card's main channel and the best channel a campaign picks all count from it.
    """
    tomorrow = today + timedelta(days=1)
    if (tomorrow.month, tomorrow.day) == (2, 29):
        tomorrow += timedelta(days=1)
    return tomorrow.replace(year=tomorrow.year - 1)


def twelve_months_before_utc(moment: datetime, zone: tzinfo | None) -> str:
    """The instant (naive UTC text) the twelve calendar months ending on ``moment``'s day began,
    that day and its start read on ``zone``'s clock (the computer's without one)."""
    clock = zone if zone is not None else computer_zone()
    start = twelve_months_from(moment.astimezone(clock).date())
    midnight = datetime.combine(start, clock_time()).replace(tzinfo=clock)
    return midnight.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
