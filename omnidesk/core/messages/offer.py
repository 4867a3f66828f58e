"""When a message's offer ends, and what the message check says once it has.

An offer "until 31 Jan 2026" holds all that day wherever it is read: it ends at the
midnight after its last day on the reader's clock.  A campaign step measures it on the
step's own clock (campaigns.check); the message check, which has no step, on the shop's
(the ``timezone`` setting, else the computer's), against the time of the check.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from omnidesk.core.messages.lint import WARNING, Finding, Report
from omnidesk.core.messages.personal import nice_day
from omnidesk.core.timeutil import on_clock


def offer_last_day(master: Mapping[str, str]) -> date | None:
    """The offer's last day (the master's ``offer_expires``), or None when it has none."""
    raw = str(master.get("offer_expires") or "").strip()
    try:
        return date.fromisoformat(raw[:10]) if raw else None
    except ValueError:
        return None


def offer_end(master: Mapping[str, str], zone: tzinfo | None) -> datetime | None:
    """The moment the offer is over: the midnight after its last day on ``zone``'s clock (None:
    the computer's), aware; None when the message gives no end date."""
    last = offer_last_day(master)
    if last is None or last == date.max:
        return None
    midnight = datetime.combine(last + timedelta(days=1), time(0))
    return on_clock(midnight, zone)


def offer_ended(master: Mapping[str, str], now: datetime, zone: tzinfo | None) -> Finding | None:
    """A warning when the offer is over by ``now`` on the shop's clock (``zone``), else None.

    A warning, not an error: a message whose offer went out last season is history to keep,
    while a campaign step after the end is refused by the campaign's check.
    """
    end = offer_end(master, zone)
    if end is None or now.astimezone(UTC) < end.astimezone(UTC):
        return None
    return Finding("master", WARNING, "offer_ended",
                   f"the offer ended: its last day was {nice_day(master.get('offer_expires'))}, and a campaign "
                   "sending this message now would offer what is over; give it a new end date", "offer_expires")


def check_message_now(ws, name: str, *, now: datetime | None = None, sample_size: int = 20) -> Report:
    """The message check (lint.check_message) and whether its offer has ended by ``now``."""
    from omnidesk.core.messages.lint import check_message
    from omnidesk.core.messages.store import get_message
    from omnidesk.core.timeline import workspace_zone

    report = check_message(ws, name, sample_size=sample_size)
    ended = offer_ended(get_message(ws, name).master, now or datetime.now(UTC), workspace_zone(ws))
    if ended is None:
        return report
    return Report([ended, *report.findings], report.stats, report.measured_on)
