"""Dates and times as files write them, read into ISO 8601.

A column's day/month order is decided from its values (:class:`DateEvidence`,
:func:`decide_date_order`), falling back on the region's usual order; then each
cell is read in that order (:func:`parse_date`, :func:`parse_datetime`).  Like
every cell reader, these never raise on bad data (see :mod:`omnidesk.core.cells`).
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone, tzinfo
from enum import Enum
from zoneinfo import ZoneInfo

from omnidesk.core.cells import Normalized, bad, clean_cell, empty, is_placeholder

__all__ = [
    "DateEvidence",
    "DateOrder",
    "decide_date_order",
    "default_date_order",
    "parse_date",
    "parse_datetime",
    "parse_typed_date",
]


class DateOrder(str, Enum):
    DMY = "DMY"
    MDY = "MDY"
    YMD = "YMD"
    # Not an order: the column holds both day-first and month-first dates.  Each
    # date is read the only way it can be; one that could be either (03/04/2024)
    # is a problem, not a guess.
    MIXED = "MIXED"


_MDY_REGIONS = frozenset({"US", "CA", "PH", "PR", "GU", "VI", "AS", "MP", "UM", "FM", "MH", "PW"})
_YMD_REGIONS = frozenset({"CN", "JP", "KR", "TW", "HU", "LT", "MN"})


def default_date_order(region: str) -> DateOrder:
    """The usual order of numeric dates in ``region`` (an ISO country code,
    or a locale such as "en_US"): MDY for the US, Canada, the Philippines
    and US territories, YMD for East Asia, Hungary and Lithuania, DMY
    elsewhere."""
    code = re.split(r"[_\-]", region.strip())[-1].upper() if region else ""
    if code in _MDY_REGIONS:
        return DateOrder.MDY
    if code in _YMD_REGIONS:
        return DateOrder.YMD
    return DateOrder.DMY


_NUMERIC_DATE = re.compile(r"^(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})(?=$|[\sT,])")
# Mailchimp's birthday merge field and many tills write a birthday as "MM/DD" (or "DD.MM").
_YEARLESS = re.compile(r"(\d{1,2})[/.](\d{1,2})")
# With a dash it is ISO's month-day order, as Square writes it ("03-07", its "MM-DD").
_YEARLESS_DASHED = re.compile(r"(\d{1,2})-(\d{1,2})")


class DateEvidence:
    """What a date column's values say about its day/month order, counted one
    value at a time so a column of any length takes the same little memory.

    A first part above 12 proves day-first, a second part above 12 proves
    month-first, and a four-digit first part means year-first.  Dates whose
    two first parts are both 12 or less (and differ) could be either.  A
    yearless date written with "/" or "." ("03/07") counts like one with its
    year; one with "-" is ISO's month-day ("03-07") and says nothing.  One
    example of each kind is kept for messages.

    A year-first date ("1985-12-25") says nothing about how the column's dates
    written with the year last ("03/07/1990") put their day and month: those
    are decided by their own kind only, else by the region.
    """

    __slots__ = ("day_first", "month_first", "year_first", "ambiguous",
                 "day_first_example", "month_first_example", "ambiguous_example")

    def __init__(self) -> None:
        self.day_first = self.month_first = self.year_first = self.ambiguous = 0
        self.day_first_example: str | None = None
        self.month_first_example: str | None = None
        self.ambiguous_example: str | None = None

    def add(self, value: str) -> None:
        text = clean_cell(value or "")
        m = _NUMERIC_DATE.match(text)
        if m:
            a, b, c = m.groups()
            if len(a) == 4:
                self.year_first += 1
                return
            if len(c) not in (2, 4):
                return
        else:
            # A birthday without its year ("03/07", "25.12") is day/month-written too.
            m = _YEARLESS.fullmatch(text)
            if not m:
                return
            a, b = m.groups()
        x, y = int(a), int(b)
        if x > 12 and 1 <= y <= 12:
            self.day_first += 1
            self.day_first_example = self.day_first_example or m.group(0)
        elif y > 12 and 1 <= x <= 12:
            self.month_first += 1
            self.month_first_example = self.month_first_example or m.group(0)
        elif 1 <= x <= 12 and 1 <= y <= 12 and x != y:
            self.ambiguous += 1
            self.ambiguous_example = self.ambiguous_example or m.group(0)

    @property
    def conflicting(self) -> bool:
        """Both day-first and month-first dates: no more values can settle it."""
        return bool(self.day_first and self.month_first)

    @property
    def decided(self) -> bool:
        """The values prove one order (and do not contradict each other).

        Year-first dates prove the order of a column of year-first dates only:
        beside dates that could be day/month or month/day they prove nothing."""
        if self.conflicting:
            return False
        return bool(self.day_first or self.month_first or (self.year_first and not self.ambiguous))

    def order(self, region: str) -> DateOrder:
        """The one order to read the column in: the proven one, else the region's.

        Year-first (YMD) only for a column whose dates are all written year-first
        (or could not be read two ways): dates written with the year last are
        read in the order their own kind proves, else in the region's."""
        if self.conflicting:
            return default_date_order(region)
        if self.day_first:
            return DateOrder.DMY
        if self.month_first:
            return DateOrder.MDY
        if self.year_first and not self.ambiguous:
            return DateOrder.YMD
        return default_date_order(region)

    def column_order(self, region: str) -> DateOrder:
        """Like ``order``, but MIXED for a column with both day-first and month-first dates."""
        return DateOrder.MIXED if self.conflicting else self.order(region)


def decide_date_order(samples: Iterable[str], region: str) -> tuple[DateOrder, bool]:
    """Decide the date order of a column from its values.

    A first part above 12 proves DMY, a second part above 12 proves MDY, and
    four-digit first parts mean YMD when no date could be read both day-first
    and month-first (see ``DateEvidence``).  Returns (order, decided) where
    ``decided`` is False when the values gave no evidence or contradicted
    each other and the region's default was used.  (The import reads a
    contradicting column as ``DateOrder.MIXED`` instead; see ``DateEvidence``.)
    """
    evidence = DateEvidence()
    for sample in samples:
        evidence.add(sample)
    return evidence.order(region), evidence.decided


_MONTHS: dict[str, int] = {}
for _month, _names in enumerate(
    (
        "january jan janvier janv januar enero ene",
        "february feb février fév fevrier fev févr februar febrero",
        "march mar mars märz mär marzo",
        "april apr avril avr abril abr",
        "may mai mayo",
        "june jun juin juni junio",
        "july jul juillet juil juli julio",
        "august aug août aout ago agosto",
        "september sep sept septembre septiembre set",
        "october oct octobre oktober okt octubre",
        "november nov novembre noviembre",
        "december dec décembre déc decembre dezember dez diciembre dic",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS[unicodedata.normalize("NFC", _name)] = _month
_WEEKDAYS = frozenset(
    "monday mon tuesday tue tues wednesday wed thursday thu thur thurs friday fri saturday sat sunday sun".split()
)

# Outlook writes these when a date field is empty.
_NULL_DATES = frozenset(
    {"0/0/00", "0/0/0000", "00/00/0000", "00/00/00", "1/1/1601", "01/01/1601", "1601-01-01", "0000-00-00"}
)


def _full_year(text: str) -> int:
    year = int(text)
    if len(text) <= 2:
        pivot = date.today().year % 100
        century = (date.today().year // 100) * 100
        year = century + year if year <= pivot else century - 100 + year
    return year


def _parse_date_parts(text: str, order: DateOrder) -> tuple[int | None, int, int] | str | None:
    """Return (year or None, month, day), "null" for an empty-date marker,
    or None when the text is not a date at all.  Does not check the
    calendar."""
    if text in _NULL_DATES:
        return "null"
    m = re.fullmatch(r"--(\d{2})-?(\d{2})", text)
    if m:
        return None, int(m.group(1)), int(m.group(2))
    m = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", text)
    if m:
        # Year 0000 is no year: how Square (and vCards) write a birthday without one.
        return int(m.group(1)) or None, int(m.group(2)), int(m.group(3))
    m = re.fullmatch(r"((?:19|20)\d{2})(\d{2})(\d{2})", text)
    if m:
        return int(m.group(1)), int(m.group(2)), int(m.group(3))
    m = re.fullmatch(r"(\d{2})[/.\-](\d{1,2})[/.\-](\d{1,2})", text)
    if m and order == DateOrder.YMD:
        return _full_year(m.group(1)), int(m.group(2)), int(m.group(3))
    m = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})", text)
    if m:
        a, b, y = m.groups()
        x, z = int(a), int(b)
        if order in (DateOrder.YMD, DateOrder.MIXED):
            # A year at the end cannot be year-first, and a mixed column has no
            # one order: let the values decide (MIXED's ambiguous dates never get here).
            order = DateOrder.MDY if z > 12 else DateOrder.DMY
        day, month = (x, z) if order == DateOrder.DMY else (z, x)
        return _full_year(y), month, day
    return _parse_text_month(text)


def _parse_text_month(text: str) -> tuple[int | None, int, int] | None:
    tokens = [t for t in re.split(r"[\s,/\-.]+", unicodedata.normalize("NFC", text.casefold())) if t]
    tokens = [t for t in tokens if t not in _WEEKDAYS and t not in ("de", "of", "the")]
    months = [t for t in tokens if t in _MONTHS]
    if len(months) != 1:
        return None
    numbers = []
    for t in tokens:
        if t in _MONTHS:
            continue
        m = re.fullmatch(r"(\d{1,4})(?:st|nd|rd|th|er|e)?", t)
        if not m:
            return None
        numbers.append(m.group(1))
    month = _MONTHS[months[0]]
    if len(numbers) == 1:
        if len(numbers[0]) > 2:
            return None
        return None, month, int(numbers[0])
    if len(numbers) != 2:
        return None
    first, second = numbers
    if len(first) == 4 or (len(second) <= 2 and int(first) > 31):
        year_text, day_text = first, second
    else:
        day_text, year_text = first, second
    if len(day_text) > 2:
        return None
    return _full_year(year_text), month, int(day_text)


def _date_from_parts(parts: tuple[int | None, int, int]) -> str | None:
    year, month, day = parts
    try:
        if year is None:
            date(2000, month, day)  # a leap year, so --02-29 is allowed
            return f"--{month:02d}-{day:02d}"
        return date(year, month, day).isoformat()
    except ValueError:
        return None


_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")
_DAY_AND_MONTH = re.compile(r"(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](?:\d{2}|\d{4}))?")


def _either_way(date_text: str, text: str) -> str | None:
    """The problem of a date in a MIXED column that reads differently day-first
    and month-first, or None when it can be read only one way."""
    m = _DAY_AND_MONTH.fullmatch(date_text.strip().rstrip(","))
    if not m:
        return None
    x, y = int(m.group(1)), int(m.group(2))
    if x == y or not (1 <= x <= 12 and 1 <= y <= 12):
        return None
    return (f"{text[:30]} could be {x} {_MONTH_NAMES[y - 1]} or {y} {_MONTH_NAMES[x - 1]} "
            "(the column has both day-first and month-first dates)")


def _parse_yearless(raw: str, a: int, b: int, order: DateOrder) -> Normalized[str]:
    month, day = (b, a) if order == DateOrder.DMY else (a, b)
    if month > 12 >= day:
        month, day = day, month
    if not (1 <= month <= 12 and 1 <= day <= calendar.monthrange(2000, month)[1]):
        return bad(raw, f"not a real calendar date: {raw.strip()[:30]}")
    return Normalized(f"--{month:02d}-{day:02d}", None, raw)


def parse_date(raw: str, order: DateOrder) -> Normalized[str]:
    """Read a date into ISO "YYYY-MM-DD".

    Numeric dates are read in ``order`` (four-digit-year-first dates are
    always year-first); month names in English, French, German and Spanish
    are understood ("March 7, 1990", "7 Mar 1990").  A date without a year
    ("--03-07" from Google, "March 7", "03/07" in ``order``, Square's "03-07"
    and "0000-03-07", always month first) gives "--MM-DD".  Two-digit years up
    to this year's last two digits are 20yy, later ones 19yy.  Outlook's
    empty-date markers ("0/0/00", "1/1/1601") are empty, not problems.  A
    time after the date is ignored.  With ``DateOrder.MIXED`` each date is
    read the only way it can be, and one that reads differently day-first and
    month-first ("03/04/2024") is a problem with no value.
    """
    text = clean_cell(raw)
    if not text or is_placeholder(text):
        return empty(raw)
    date_text = _split_time(text)[0] if _TIME.search(text) else text
    yearless = _YEARLESS_DASHED.fullmatch(date_text.strip())
    if yearless:  # month first whatever the column's order
        return _parse_yearless(raw, int(yearless.group(1)), int(yearless.group(2)), DateOrder.MDY)
    if order == DateOrder.MIXED:
        either = _either_way(date_text, text)
        if either:
            return bad(raw, either)
    yearless = _YEARLESS.fullmatch(date_text.strip())
    if yearless:
        return _parse_yearless(raw, int(yearless.group(1)), int(yearless.group(2)), order)
    parts = _parse_date_parts(date_text.strip().rstrip(","), order)
    if parts == "null":
        return empty(raw)
    if parts is None or isinstance(parts, str):
        return bad(raw, f"not a recognisable date: {text[:30]}")
    iso = _date_from_parts(parts)
    if iso is None:
        return bad(raw, f"not a real calendar date: {text[:30]}")
    return Normalized(iso, None, raw)


def parse_typed_date(raw: str, region: str) -> Normalized[str]:
    """One date typed by hand (a birthday on a customer's card), read as :func:`parse_date` reads
    it in ``region``'s usual order, else in the order its own numbers prove.

    "15/03/1990" has no month 15, so it can only be 15 March 1990, as an import reads a column of
    such dates (:class:`DateEvidence`) whatever the region; one that reads either way
    ("03/04/1990") is read in the region's order.  A date with a day and a month that is no date
    in either order ("31/02/1990", "13/13/1990") says which orders were tried.
    """
    usual = default_date_order(region)
    got = parse_date(raw, usual)
    if got.value is not None or got.problem is None:
        return got
    evidence = DateEvidence()
    evidence.add(raw)
    proven = evidence.order(region)
    if evidence.decided and proven != usual and (other := parse_date(raw, proven)).value is not None:
        return other
    text = clean_cell(raw)
    date_text = (_split_time(text)[0] if _TIME.search(text) else text).strip().rstrip(",")
    if not got.problem.startswith("not a real calendar date") or _YEARLESS_DASHED.fullmatch(date_text) \
            or not _DAY_AND_MONTH.fullmatch(date_text):
        return got
    orders = ("month/day or day/month" if _YEARLESS.fullmatch(date_text)
              else "month/day/year or day/month/year")
    return bad(raw, f"{text[:30]} is not a date in {orders} order")


_TIME = re.compile(
    r"(?:^|(?<=[\sT,]))(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(?:\s*([AaPp])\.?\s*[Mm]\.?)?(?=$|[\s+\-Zz]|[A-Za-z])"
)
_TZ_ABBREVIATIONS = {
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
    "AKST": -9, "AKDT": -8, "HST": -10, "WET": 0, "WEST": 1, "BST": 1, "CET": 1, "CEST": 2,
    "EET": 2, "EEST": 3,
}  # fmt: skip


def _split_time(text: str) -> tuple[str, re.Match[str] | None, str]:
    m = _TIME.search(text)
    if not m:
        return text, None, ""
    before = text[: m.start()].rstrip()
    before = re.sub(r"(?:[T,]|\bat)$", "", before).rstrip()
    return before, m, text[m.end() :].strip()


def _zone(text: str) -> timezone | ZoneInfo | None | str:
    """Return a tzinfo for the text after the time, None for no zone, or an
    error message."""
    text = text.strip().strip("()").strip()
    if not text:
        return None
    upper = text.upper()
    if upper in ("Z", "UTC", "GMT", "UT"):
        return timezone.utc
    m = re.fullmatch(r"(?:UTC|GMT)?\s*([+\-\u2212])(\d{1,2})(?::?(\d{2}))?", upper)
    if m:
        sign = -1 if m.group(1) in "-\u2212" else 1
        hours, minutes = int(m.group(2)), int(m.group(3) or 0)
        if hours > 14 or minutes > 59:
            return "not a valid time zone offset"
        return timezone(sign * timedelta(hours=hours, minutes=minutes))
    if upper in _TZ_ABBREVIATIONS:
        return timezone(timedelta(hours=_TZ_ABBREVIATIONS[upper]))
    if "/" in text:
        try:
            return ZoneInfo(text)
        except (ValueError, KeyError, OSError):  # ZoneInfoNotFoundError is a KeyError
            pass
    return f"unknown time zone: {text[:30]}"


# A time on the calendar's first or last day cannot be moved onto every clock (zones run to 14
# hours either side of UTC): "9999-12-31 23:59:59" on New York's is past the last instant there
# is.  Tools write these days for "never" and "unknown"; no one did anything on them.
_EDGES = {date.min: ("first", "unknown"), date.max: ("last", "never")}


def _edge_day(iso: str, text: str) -> str | None:
    """Why ``iso`` (a date or a time read from ``text``) is no time, or None when it may be one."""
    day = date.fromisoformat(iso[:10])
    if day not in _EDGES:
        return None
    which, meaning = _EDGES[day]
    return f"the calendar's {which} day, a placeholder for \"{meaning}\" and not a date: {text[:30]}"


def parse_datetime(raw: str, order: DateOrder, default_tz: str | tzinfo | None = None) -> Normalized[str]:
    """Read a date and time into ISO 8601.

    A date on the calendar's first or last day (0001-01-01, 9999-12-31) is
    a placeholder, not a time: a problem with no value.

    Gives "YYYY-MM-DDTHH:MM:SS+HH:MM" when the cell names an offset or zone
    ("2024-03-01 10:22:11 -0500", "...T10:22:11+0000", "Z", "UTC", "EST",
    "Europe/Paris"), or when ``default_tz`` (an IANA zone name, or a zone) is given for
    cells without one; otherwise naive "YYYY-MM-DDTHH:MM:SS".  Epoch seconds
    or milliseconds (9-10 or 12-13 digits) become UTC.  12-hour times with
    AM/PM are understood.  Fractions of a second are dropped.  A cell with a
    date and no time gives the bare date "YYYY-MM-DD", not localized: a day
    is not an instant.
    """
    text = clean_cell(raw)
    if not text or is_placeholder(text):
        return empty(raw)
    if re.fullmatch(r"\d{9,10}|\d{12,13}", text):
        seconds = int(text) / (1000 if len(text) > 10 else 1)
        moment = datetime.fromtimestamp(seconds, tz=timezone.utc).replace(microsecond=0)
        return Normalized(moment.isoformat(), None, raw)
    date_text, tm, rest = _split_time(text)
    if tm is None:
        day = parse_date(text, order)
        if day.value is not None and day.value.startswith("--"):
            return bad(raw, f"date has no year: {text[:30]}")
        if day.value is not None and (edge := _edge_day(day.value, text)):
            return bad(raw, edge)
        return Normalized(day.value, day.problem, raw)
    if order == DateOrder.MIXED:
        either = _either_way(date_text, text)
        if either:
            return bad(raw, either)
    parts = _parse_date_parts(date_text.strip().rstrip(","), order)
    if parts == "null":
        return empty(raw)
    if parts is None or isinstance(parts, str):
        return bad(raw, f"not a recognisable date and time: {text[:30]}")
    iso_date = _date_from_parts(parts)
    if iso_date is None:
        return bad(raw, f"not a real calendar date: {text[:30]}")
    if iso_date.startswith("--"):
        return bad(raw, f"date has no year: {text[:30]}")
    if edge := _edge_day(iso_date, text):
        return bad(raw, edge)
    hour, minute = int(tm.group(1)), int(tm.group(2))
    second = int(tm.group(3) or 0)
    meridiem = (tm.group(4) or "").upper()
    if meridiem:
        if not 1 <= hour <= 12:
            return bad(raw, f"not a valid time: {text[:30]}")
        hour = hour % 12 + (12 if meridiem == "P" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return bad(raw, f"not a valid time: {text[:30]}")
    zone = _zone(rest)
    if isinstance(zone, str):
        return bad(raw, zone)
    moment = datetime.fromisoformat(iso_date).replace(hour=hour, minute=minute, second=second)
    if zone is None and default_tz:
        zone = ZoneInfo(default_tz) if isinstance(default_tz, str) else default_tz
    if zone is not None:
        moment = moment.replace(tzinfo=zone)
    return Normalized(moment.isoformat(timespec="seconds"), None, raw)
