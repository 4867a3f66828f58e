"""Every step of every campaign on one calendar, with what is wrong with each, and moving a step.

An entry is one step as a person in some zone sees it: its moment on the
viewer's clock (``at_local``) and in UTC, its channel's label and colour (the
message channel mapped to the core channel that owns the colour, see
:func:`core_channel`), whether its pack was exported, and its conflicts:

* **another step to the same audience within N days** — a personal step (email,
  SMS) of another campaign whose audience overlaps this one's (the same
  audience, or either is everyone) less than ``cap_days`` before or after it,
  counted as the caps count it (:func:`guards.most_in_a_window`): calendar
  days on the shop's clock (this computer's without one set, for every step:
  :func:`guards.cap_clock`), so the same local time a week later is a week
  later across a DST change too, and two steps conflict with each other or not at all.
  Broadcast steps (social networks, posters, the website) reach whoever looks
  and count toward no cap; the steps of one campaign are its plan, which the
  guards already cap per recipient.  With no cap (``cap_messages`` 0) there is no
  window to conflict in;
* **inside quiet hours** — an SMS step whose moment falls in the quiet window on
  the workspace's clock (its zone setting, else the step's own zone, as the guards read it);
* **its message has errors** — the message check (the same as ``message check``,
  over the same sample of customers) finds an error in the step's variant; a
  message with no variant for the channel, and a campaign with no message, say
  so instead.

:func:`move_step` is the calendar's one write: a step moves to another moment,
keeping its own zone (its recipients' clock); an exported step stays put, and so
does one dropped in the second pass of an hour its clock repeats.
:func:`due_soon` lists the steps the reminder speaks of.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from omnidesk.core.campaigns.campaign import (
    EARLIEST_STEP,
    LATEST_STEP,
    PERSONAL,
    CampaignData,
    _read,
    list_campaigns,
    step_time_problem,
)
from omnidesk.core.campaigns.guards import Rules, cap_clock, most_in_a_window
from omnidesk.core.channels import channel as core_channel_of
from omnidesk.core.errors import UserError
from omnidesk.core.messages.derive import CHANNEL_LABELS, SOCIAL
from omnidesk.core.models import Campaign, CampaignStep, utcnow
from omnidesk.core.timeutil import canonical_zone
from omnidesk.core.workspace import Workspace

SAME_AUDIENCE = "another step to the same audience within {days} days"
QUIET_HOURS = "inside quiet hours"
MESSAGE_ERRORS = "its message has errors"
NO_MESSAGE = "the campaign has no message"
NO_VARIANT = "its message has no {label} variant"

_CORE = {"email": "email", "sms": "sms", "store": "in_store", "website": "web", **{s: "social" for s in SOCIAL}}


def core_channel(code: str) -> str:
    """The core channel (channels.py) a message channel sends through: the social networks are
    ``social``, the poster ``in_store``, the banner ``web``; email and SMS are themselves.  A code
    it does not know is returned as it is (channels.py gives it a steady spare colour)."""
    return _CORE.get(code, code)


@dataclass(frozen=True)
class Entry:
    """One step on the calendar, as the viewer sees it."""

    campaign: str  # the campaign's name
    step_id: int
    channel: str  # the message channel ("instagram")
    label: str  # "Instagram"
    color: str  # "#RRGGBB", the core channel's
    at_local: datetime  # aware, on the viewer's clock
    at_utc: datetime
    exported: bool
    conflicts: list[str] = field(default_factory=list)
    timezone: str = "UTC"  # the step's own zone (its recipients' clock)
    ink: str = "#FFFFFF"  # text on ``color``

    @property
    def step_local(self) -> datetime:
        """The step's moment on its own zone's clock."""
        return self.at_utc.astimezone(ZoneInfo(self.timezone))


def _zone(zone: str) -> ZoneInfo:
    name = canonical_zone(zone)
    if name is None:
        raise UserError(f"'{zone}' is not a time zone such as Europe/London.")
    return ZoneInfo(name)


def _home(ws: Workspace) -> str:
    """The shop's zone, as the zone database spells it; UTC when none is set, or when what an
    older version stored is no zone the setting takes now ("localtime": whatever the computer's
    clock was): the calendar still opens, and Preferences shows the setting refused."""
    return canonical_zone(str(ws.get_setting("timezone") or "")) or "UTC"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _audience_key(audience: object) -> str:
    return json.dumps(audience, sort_keys=True, ensure_ascii=False)


def _overlap(a: object, b: object) -> bool:
    return a == "everyone" or b == "everyone" or _audience_key(a) == _audience_key(b)


def _exported(ws: Workspace) -> set[int]:
    st = CampaignStep.__table__
    with ws.engine.connect() as conn:
        return set(conn.execute(select(st.c.id).where(st.c.exported_at.is_not(None))).scalars())


class _MessageCheck:
    """The message check's errors per (message, channel), worked out once per call."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.cache: dict[tuple[str, str], str | None] = {}
        self._setup = None

    def _context(self):
        if self._setup is None:
            from omnidesk.core.messages.brand import get_brand
            from omnidesk.core.customers import custom_field_names
            from omnidesk.core.messages.personal import customer_values, sample

            brand = get_brand(self.ws)
            ids = sample(self.ws, 20)
            self._setup = (brand, ids, customer_values, custom_field_names(self.ws))
        return self._setup

    def problem(self, message: str | None, channel: str) -> str | None:
        if message is None:
            return NO_MESSAGE
        key = (message.casefold(), channel)
        if key not in self.cache:
            self.cache[key] = self._check(message, channel)
        return self.cache[key]

    def _check(self, name: str, channel: str) -> str | None:
        from omnidesk.core.messages.brand import logo
        from omnidesk.core.messages.lint import ERROR, check_variant
        from omnidesk.core.money import workspace_currency
        from omnidesk.core.messages.store import get_message

        try:
            message = get_message(self.ws, name)
        except UserError:
            return NO_MESSAGE
        variant = message.variants.get(channel)
        if variant is None:
            return NO_VARIANT.format(label=CHANNEL_LABELS.get(channel, channel))
        brand, ids, customer_values, names = self._context()
        values = customer_values(self.ws, ids, master=message.master, business_name=brand.name)
        image = logo(self.ws) if channel == "store" else None  # the poster is laid out with it
        found, _stats = check_variant(channel, variant.fields, message.master, brand,
                                      samples=[values[i] for i in ids], custom_names=names,
                                      currency=workspace_currency(self.ws), logo=image.data if image else None)
        return MESSAGE_ERRORS if any(f.severity == ERROR for f in found) else None


def _entries(ws: Workspace, campaigns: list[CampaignData], keep, zone: ZoneInfo) -> list[Entry]:
    """Entries for the steps ``keep(step_utc)`` accepts, with their conflicts, in time order."""
    rules = Rules.of(ws)
    shop = canonical_zone(str(ws.get_setting("timezone") or ""))

    def home_clock(step) -> ZoneInfo:
        # The clock the guards read quiet hours on: the shop's, else (none set) the step's own, never UTC's.
        return ZoneInfo(shop or canonical_zone(step.timezone or "") or "UTC")

    days_clock = cap_clock(ws)  # the one clock the caps count every step's days on

    exported = _exported(ws)
    checker = _MessageCheck(ws)
    window = timedelta(days=rules.cap_days)
    # A step saved with a time out of range (year 9999: see campaign.EARLIEST_STEP) has no place
    # on a calendar; the campaign's check names it.
    personal = [(c, s) for c in campaigns for s in c.steps if s.channel in PERSONAL and not s.problem]
    out = []
    for campaign in campaigns:
        for step in campaign.steps:
            if step.problem:
                continue
            at_utc = step.at_utc
            if step.id is None or not keep(at_utc):
                continue
            conflicts = []
            if step.channel in PERSONAL and rules.cap_messages > 0 and rules.cap_days > 0:
                # The caps count the two together when the other step falls in a window with this one.
                if any(other is not campaign and _overlap(campaign.audience, other.audience)
                       and most_in_a_window([s.at_utc], at_utc, window, days_clock) for other, s in personal):
                    conflicts.append(SAME_AUDIENCE.format(days=rules.cap_days))
            if step.channel == "sms" and rules.in_quiet_hours(at_utc.astimezone(home_clock(step)).time()):
                conflicts.append(QUIET_HOURS)
            problem = checker.problem(campaign.message, step.channel)
            if problem is not None:
                conflicts.append(problem)
            color = core_channel_of(core_channel(step.channel))
            out.append(Entry(campaign.name, step.id, step.channel, step.label, color.color, at_utc.astimezone(zone),
                             at_utc, step.id in exported, conflicts, step.timezone, color.ink))
    out.sort(key=lambda e: (e.at_utc, e.campaign.casefold(), e.step_id))
    return out


def calendar_entries(ws: Workspace, start: date, end: date, zone: str) -> list[Entry]:
    """Every step of every campaign whose moment falls on a day from ``start`` to ``end`` (both
    included) on the clock of ``zone``, in time order, each with its conflicts."""
    tz = _zone(zone)
    first = datetime.combine(start, time(0), tzinfo=tz).astimezone(UTC)
    after = datetime.combine(end + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return _entries(ws, list_campaigns(ws), lambda at: first <= at < after, tz)


def nearest_days(ws: Workspace, start: date, end: date, zone: str) -> tuple[date | None, date | None]:
    """The day (on the clock of ``zone``) of the latest step before ``start`` and of the first after
    ``end``, or None: where an empty month or week of the calendar points to."""
    tz = _zone(zone)
    days = sorted(s.at_utc.astimezone(tz).date() for c in list_campaigns(ws) for s in c.steps
                  if s.id is not None and not s.problem)
    before = [d for d in days if d < start]
    after = [d for d in days if d > end]
    return (before[-1] if before else None), (after[0] if after else None)


def due_soon(ws: Workspace, now: datetime, within: timedelta) -> list[Entry]:
    """The steps not exported yet whose moment is from ``now`` to ``now + within`` (a naive ``now``
    is UTC), on the workspace's clock, soonest first."""
    now = _aware(now).astimezone(UTC)
    until = now + within
    entries = _entries(ws, list_campaigns(ws), lambda at: now <= at <= until, _zone(_home(ws)))
    return [e for e in entries if not e.exported]


def move_step(ws: Workspace, step_id: int, new_local: datetime, zone: str) -> CampaignData:
    """Move a step to ``new_local`` on the clock of ``zone`` (a naive time is read on that clock; an
    aware one is taken as it is), in one transaction; the step keeps its own zone, its local time
    and UTC time are worked out again.  A time the clock skips (a DST change) is the same instant
    an hour later.  A moment that is the second time round of an hour the step's clock repeats (a
    fall-back night, seen from another zone) is refused: the step keeps its time as its clock reads
    it, and such a time goes out the first time round, an hour earlier than where it was dropped.
    An exported step is refused: its pack went out at its time."""
    tz = _zone(zone)
    moment = new_local if new_local.tzinfo is not None else new_local.replace(tzinfo=tz)
    st, c = CampaignStep.__table__, Campaign.__table__
    with ws.writing() as conn:
        row = conn.execute(select(st).where(st.c.id == step_id)).first()
        if row is None:
            raise UserError(f"There is no campaign step #{step_id}; it may have been deleted.")
        campaign = conn.execute(select(c).where(c.c.id == row.campaign_id)).first()
        label = CHANNEL_LABELS.get(row.channel, row.channel)
        if row.exported_at is not None:
            raise UserError(f"The {label} step of {campaign.name} was exported already, so it stays at its time.")
        try:
            local = moment.astimezone(UTC).astimezone(ZoneInfo(row.timezone))
        except OverflowError:  # past the year 9999 (or before 1) on some clock
            local = None
        why = (step_time_problem(local.replace(tzinfo=None)) if local is not None else
               f"out of range; a step takes dates from {EARLIEST_STEP:%Y-%m-%d} to {LATEST_STEP:%Y-%m-%d}")
        if why:
            raise UserError(f"The {label} step of {campaign.name} cannot move to {new_local:%Y-%m-%d %H:%M}, "
                            f"which is {why}.")
        if local.fold and local.utcoffset() != local.replace(fold=0).utcoffset():
            # A plan keeps a step's time as its clock reads, and a time the clock reads twice goes out
            # the first time round: kept, this one would quietly go out an hour earlier.
            first = local.replace(fold=0).astimezone(tz)
            raise UserError(
                f"The {label} step of {campaign.name} cannot move to {new_local:%Y-%m-%d %H:%M}: on its clock "
                f"({row.timezone}) that is the second time {local:%H:%M} comes round as the clocks go back, and a "
                f"step at a time the clocks repeat goes out the first time round ({first:%H:%M} on this clock). "
                f"Move it out of the repeated hour, or to {first:%H:%M}.")
        local = local.replace(tzinfo=None, second=0, microsecond=0)
        at_utc = local.replace(tzinfo=ZoneInfo(row.timezone)).astimezone(UTC)
        conn.execute(update(st).where(st.c.id == step_id).values(
            at_local=local.isoformat(), at_utc=at_utc.strftime("%Y-%m-%dT%H:%M:%SZ")))
        conn.execute(update(c).where(c.c.id == campaign.id).values(updated_at=utcnow()))
        return _read(conn, conn.execute(select(c).where(c.c.id == campaign.id)).first())


def reminder_text(entry: Entry, now: datetime) -> str:
    """The reminder for a step due soon: "SMS step of Spring sale due in 45 min — export the pack"."""
    minutes = round((entry.at_utc - _aware(now)).total_seconds() / 60)
    if minutes <= 0:
        when = "due now"
    elif minutes < 60:
        when = f"due in {minutes} min"
    else:
        hours, rest = divmod(minutes, 60)
        when = f"due in {hours} h" + (f" {rest} min" if rest else "")
    return f"{entry.label} step of {entry.campaign} {when} — export the pack"
