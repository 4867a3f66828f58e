"""Who each step of a campaign reaches, and who it leaves out and why.

For every step on a personal channel (email, SMS), each customer of the audience
goes through the guards in this order; the first that says no names the reason:

1. **opted out** — the consent in force on the channel (consent.py's one rule) is
   denied, unsubscribed or cleaned: always out, whatever any setting says;
2. **consent unknown** — no consent fact, or one still pending: out, unless the
   workspace's ``send_unknown_email`` / ``send_unknown_sms`` setting says otherwise;
   with ``soft_opt_in`` on (the EU's "soft opt-in", off by default), email goes to
   existing customers (at least one order) whose consent is unknown — never to one
   who said no;
3. **no address** — no email, or no phone number, for the channel;
4. **another channel** — in ``best_channel`` mode, the customer gets the step of the
   channel they use most (most events on it in the twelve months before the
   campaign's first step; ties: the one used most recently; none: the order of the
   steps), not this one;
5. **quiet hours** (SMS) — the send time falls inside the quiet window (default
   21:00–08:00, which may cross midnight) on the recipient's clock: their phone
   number's time zone(s) — when a number maps to several zones, the window must hold
   in all of them — else the workspace's zone.  The recipient moves to the next
   allowed time (the pack says so), or with ``quiet_hours_action`` = ``exclude`` is
   left out;
6. **frequency cap** — at most ``cap_messages`` messages per customer in any
   ``cap_days`` days across every channel, counting the steps already exported in
   any campaign and the earlier steps of this one; ``cap_email`` / ``cap_sms`` cap
   one channel the same way.  A cap of 0 means no cap, never "send nothing".

Erased people are not customers any more, so they never reach a step.  Broadcast
steps (social networks, the poster, the website) reach whoever looks: their
eligible count is None and nobody is excluded.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from omnidesk.core.campaigns.campaign import PERSONAL, CampaignData, Step, audience_rule
from omnidesk.core.consent import OPT_OUTS
from omnidesk.core.models import CampaignStep, Customer, Event, SendRecord, SourceRecord
from omnidesk.core.workspace import Workspace

OPTED_OUT, UNKNOWN, NO_ADDRESS, OTHER_CHANNEL, QUIET, CAP, CHANNEL_CAP = (
    "opted out", "consent unknown", "no address", "another channel", "quiet hours", "frequency cap", "channel cap")
REASONS = (OPTED_OUT, UNKNOWN, NO_ADDRESS, OTHER_CHANNEL, QUIET, CAP, CHANNEL_CAP)
DEFAULT_RULES = {"cap_messages": 3, "cap_days": 7, "cap_email": 0, "cap_sms": 0, "quiet_start": "21:00",
                 "quiet_end": "08:00", "quiet_hours_action": "move", "send_unknown_email": False,
                 "send_unknown_sms": False, "soft_opt_in": False}
_IN = 900


@dataclass(frozen=True)
class Rules:
    cap_messages: int = 3
    cap_days: int = 7
    cap_email: int = 0
    cap_sms: int = 0
    quiet_start: time = time(21, 0)
    quiet_end: time = time(8, 0)
    quiet_hours_action: str = "move"
    send_unknown_email: bool = False
    send_unknown_sms: bool = False
    soft_opt_in: bool = False

    @classmethod
    def of(cls, ws: Workspace) -> Rules:
        def get(key):
            return ws.get_setting(key, DEFAULT_RULES[key])

        return cls(int(get("cap_messages")), int(get("cap_days")), int(get("cap_email")), int(get("cap_sms")),
                   time.fromisoformat(str(get("quiet_start"))), time.fromisoformat(str(get("quiet_end"))),
                   str(get("quiet_hours_action")), bool(get("send_unknown_email")), bool(get("send_unknown_sms")),
                   bool(get("soft_opt_in")))

    def in_quiet_hours(self, local: time) -> bool:
        start, end = self.quiet_start, self.quiet_end
        if start == end:
            return False
        if start < end:
            return start <= local < end
        return local >= start or local < end  # the window crosses midnight


@dataclass
class StepAudience:
    """One step's recipients: who is in (with their send time), who is out and why."""

    step: Step
    eligible: list[int] | None  # None: a broadcast step (whoever looks)
    excluded: dict[str, list[int]] = field(default_factory=dict)
    send_at: dict[int, datetime] = field(default_factory=dict)  # UTC; moved out of quiet hours where told
    moved: set[int] = field(default_factory=set)

    def counts(self) -> dict[str, int]:
        return {reason: len(ids) for reason, ids in self.excluded.items() if ids}


# -- time zones of phone numbers --------------------------------------------------------------


@lru_cache(maxsize=256)
def _region_zones(region: str) -> tuple[str, ...]:
    import phonenumbers
    from phonenumbers import timezone as tz

    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.FIXED_LINE)
    zones = tz.time_zones_for_number(example) if example is not None else ()
    return tuple(z for z in zones if z != "Etc/Unknown")


def _number_zones(sample: str) -> tuple[str, ...]:
    import phonenumbers
    from phonenumbers import timezone as tz

    try:
        number = phonenumbers.parse(sample)
    except phonenumbers.NumberParseException:
        return ()
    zones = tuple(z for z in tz.time_zones_for_number(number) if z != "Etc/Unknown")
    if zones:
        return zones
    # A mobile number often says only its country: the country's zones, then.
    region = phonenumbers.region_code_for_number(number)
    return _region_zones(region) if region else ()


_ZONES_BY_PREFIX: dict[str, tuple[str, ...]] = {}


def phone_zones(phone: str) -> tuple[str, ...]:
    """The time zones a number may ring in (() when unknown).

    Numbers that share their first seven digits share the answer (phonenumbers'
    zone data is by area code, never finer), so a million numbers cost a few
    thousand look-ups.
    """
    key = phone[:8]
    zones = _ZONES_BY_PREFIX.get(key)
    if zones is None:
        zones = _ZONES_BY_PREFIX[key] = _number_zones(phone)
    return zones


def next_allowed(at: datetime, zones: tuple[str, ...], rules: Rules) -> datetime:
    """The first moment from ``at`` (UTC) outside quiet hours on every one of ``zones``' clocks."""
    moment = at
    for _ in range(4 * 48):  # quarter hours, two days at most
        if not any(rules.in_quiet_hours(moment.astimezone(ZoneInfo(z)).time()) for z in zones):
            return moment
        moment += timedelta(minutes=15)
    return moment


# -- the audience -----------------------------------------------------------------------------


def _audience_rows(ws: Workspace, campaign: CampaignData, now: datetime | None) -> list[tuple]:
    from omnidesk.core.segments import compile_rule, known_channels

    cust = Customer.__table__
    rule = audience_rule(ws, campaign.audience)
    with ws.engine.connect() as conn:
        where = compile_rule(rule, now, known_channels(conn))
        return conn.execute(select(cust.c.id, cust.c.email, cust.c.phone, cust.c.consent_email, cust.c.consent_sms,
                                   cust.c.orders).where(where).order_by(cust.c.id)).all()


def _history(ws: Workspace, campaign: CampaignData, ids: set[int], since: str, until: str) -> dict[int, list]:
    """Customer -> [(send time UTC, channel)] of steps exported earlier, other campaigns' or this one's others."""
    sr, rec, st = SendRecord.__table__, SourceRecord.__table__, CampaignStep.__table__
    own = [s.id for s in campaign.steps if s.id is not None]
    out: dict[int, list] = defaultdict(list)
    with ws.engine.connect() as conn:
        rows = conn.execute(select(rec.c.customer_id, sr.c.send_utc, sr.c.channel)
                            .join(rec, rec.c.id == sr.c.record_id).join(st, st.c.id == sr.c.step_id)
                            .where(sr.c.send_utc >= since, sr.c.send_utc <= until, st.c.id.not_in(own)))
        for cid, when, channel in rows:
            if cid in ids:
                out[cid].append((datetime.fromisoformat(when.replace("Z", "+00:00")), channel))
    return out


def _favourites(ws: Workspace, ids: list[int], before: datetime, order: list[str]) -> dict[int, str]:
    """Customer -> the personal channel they use most (the module docstring's rule)."""
    ev = Event.__table__
    since = (before - timedelta(days=365)).strftime("%Y-%m-%dT%H:%M:%S")
    until = before.strftime("%Y-%m-%dT%H:%M:%S")
    best: dict[int, tuple] = {}
    wanted = set(ids)
    with ws.engine.connect() as conn:
        for cid, channel, n, last in conn.execute(
                select(ev.c.customer_id, ev.c.channel, func.count(), func.max(ev.c.occurred_utc))
                .where(ev.c.channel.in_(order), ev.c.occurred_utc >= since, ev.c.occurred_utc < until,
                       ev.c.customer_id.is_not(None))
                .group_by(ev.c.customer_id, ev.c.channel)):
            if cid not in wanted:
                continue
            key = (n, last or "", -order.index(channel))
            if cid not in best or key > best[cid][0]:
                best[cid] = (key, channel)
    return {cid: channel for cid, (_key, channel) in best.items()}


def plan_audiences(ws: Workspace, campaign: CampaignData, *, now: datetime | None = None) -> list[StepAudience]:
    """Every step's recipients and exclusions, steps in time order (see the module docstring)."""
    rules = Rules.of(ws)
    rows = _audience_rows(ws, campaign, now)
    steps = sorted(campaign.steps, key=lambda s: (s.at_utc, campaign.steps.index(s)))
    personal = [s for s in steps if s.channel in PERSONAL]
    results = {id(s): StepAudience(s, None) for s in steps}
    if not personal:
        return [results[id(s)] for s in steps]
    window = timedelta(days=max(rules.cap_days, 1))
    ids = [r[0] for r in rows]
    first, last = personal[0].at_utc, personal[-1].at_utc + timedelta(days=2)
    history = _history(ws, campaign, set(ids), (first - window).strftime("%Y-%m-%dT%H:%M:%SZ"),
                       (last + window).strftime("%Y-%m-%dT%H:%M:%SZ"))
    order = [s.channel for s in personal]
    favourites = _favourites(ws, ids, first, list(dict.fromkeys(order))) if campaign.mode == "best_channel" else {}
    home = str(ws.get_setting("timezone") or "") or "UTC"
    chosen = _choose(rows, personal, favourites, rules) if campaign.mode == "best_channel" else {}
    for step in personal:
        result = results[id(step)]
        result.eligible = []
        out = result.excluded = {r: [] for r in REASONS}
        channel = step.channel
        at = step.at_utc
        channel_cap = rules.cap_email if channel == "email" else rules.cap_sms
        for row in rows:
            cid, phone = row[0], row[2]
            reason = _consent_and_address(row, channel, rules)
            if reason is not None:
                out[reason].append(cid)
                continue
            if campaign.mode == "best_channel" and chosen.get(cid) is not step:
                out[OTHER_CHANNEL].append(cid)
                continue
            send = at
            if channel == "sms":
                send = next_allowed(at, phone_zones(phone) or (home,), rules)
                if send != at and rules.quiet_hours_action == "exclude":
                    out[QUIET].append(cid)
                    continue
            past = history[cid]
            if rules.cap_messages > 0 and sum(abs(t - send) < window for t, _c in past) >= rules.cap_messages:
                out[CAP].append(cid)
                continue
            if channel_cap > 0 and sum(abs(t - send) < window for t, c in past if c == channel) >= channel_cap:
                out[CHANNEL_CAP].append(cid)
                continue
            past.append((send, channel))
            result.eligible.append(cid)
            result.send_at[cid] = send
            if send != at:
                result.moved.add(cid)
    return [results[id(s)] for s in steps]


def _consent_and_address(row: tuple, channel: str, rules: Rules) -> str | None:
    """Why a customer cannot be sent to on ``channel`` at all (guards 1 to 3), or None."""
    _cid, email, phone, consent_email, consent_sms, orders = row
    consent = consent_email if channel == "email" else consent_sms
    if consent in OPT_OUTS or consent == "denied":
        return OPTED_OUT
    if consent != "granted":
        allowed = rules.send_unknown_email if channel == "email" else rules.send_unknown_sms
        if channel == "email" and rules.soft_opt_in and (orders or 0) > 0:
            allowed = True
        if not allowed:
            return UNKNOWN
    if not (email if channel == "email" else phone):
        return NO_ADDRESS
    return None


def _choose(rows: list[tuple], personal: list[Step], favourites: dict[int, str], rules: Rules) -> dict[int, Step]:
    """best_channel: each customer's one step, among those whose channel they can be sent to at all."""
    out: dict[int, Step] = {}
    for row in rows:
        open_steps = [s for s in personal if _consent_and_address(row, s.channel, rules) is None]
        if not open_steps:
            continue
        favourite = favourites.get(row[0])
        out[row[0]] = next((s for s in open_steps if s.channel == favourite), open_steps[0])
    return out
