"""The whole picture in numbers: reach, channel overlap, journeys, activity, campaign results, data health.

Every figure is an SQL aggregate over the workspace (the Dashboard draws them;
``omnidesk report`` prints them).  Activity and journeys read summaries the
workspace keeps per import and per customer (metrics_index.py), so that neither
reads every event:

* **reach** — customers known on each channel, opted out or not; **reachable** — how many
  a campaign to everyone would send to on email, SMS and WhatsApp, by campaigns' own rule (a
  yes there, the address for it, none shared with someone who said no; one per mailbox or
  number), before a campaign's caps, quiet hours and hold-out;
* **overlap** — customers per exact combination of channels ("Shop + Email"), each
  customer counted in exactly one combination, so the counts add up to everyone;
* **journeys** — the order in which a customer first appeared on each channel
  (their first event there, each time an instant: a till's local time read on the
  shop's clock; a channel with no dated event last), up to and including the channel
  of their first purchase (an order money.py counts: not refunded, nor a till's refund
  line), with the median days from the first appearance to that purchase (without
  one, to the second channel); a journey is in the period on whose day, on the shop's
  clock, it began;
* **activity** — per ISO week and channel: events, and revenue net of refunds and
  cancellations (money.py's rule) in the shop's currency, other currencies apart, never added;
* **campaigns** — per exported step: recipients, and the orders that followed within
  the attribution window (``attribution_days``, default 7): an order placed with
  the offer code first (one of the codes its export gave, matched whole and in any
  case), then one naming the code elsewhere, then one from a link carrying the
  campaign's tag, then the recipient's next order; each order counts once, its revenue net of
  refunds as the shop's revenue is (money.row_spend), its own refund rows (a till's or Square's,
  the order's number again) taken off whenever they came, never below nothing — an order given
  back in full so is still an order, as the card counts it (money.counted_as_order).  Recipients are people as the
  customers are now: records merged since the export are one recipient, their
  window opening at the first send of the step to any of them (what they bought
  after it followed a message they had); a record split off is a recipient of its own.  Beside them a baseline: the
  customers the plan held out of the step, or (none held out) those a guard left
  out though they could have been sent it — quiet hours, a cap — never those out
  for consent or a missing address; their orders in the same window from the step's
  time, conversion side by side and the lift;
* **health** — flagged rows, customers nobody can reach (no channel a campaign may send to
  them on by its guards 1 to 3: a yes, or unknown consent where the settings let it through,
  with an address for it that nobody who opted out holds — who **reachable** counts, the
  other way round), email consent unknown, pairs waiting in Review, stale message variants; each
  tile that opens customers counts exactly the rule it opens (:func:`health_links`).
"""

from __future__ import annotations

import json
import statistics
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

from sqlalchemy import and_, func, literal_column, select

from omnidesk.core import metrics_index
from omnidesk.core.details import read_details
from omnidesk.core.dialect import order_number
from omnidesk.core.models import (
    Campaign,
    CampaignStep,
    Customer,
    Event,
    MatchReview,
    Message,
    SendRecord,
    SourceRecord,
)
from omnidesk.core.money import (
    ORDER_TYPES,
    counted_as_order,
    row_spend,
    split_currencies,
    workspace_currency,
)
from omnidesk.core.text import counted
from omnidesk.core.timeline import instant, workspace_zone
from omnidesk.core.timeutil import computer_zone, local_day, on_clock, twelve_months_from
from omnidesk.core.workspace import Workspace

HAND = "manual"

# The days a period takes (the CLI's --from/--to, the Dashboard's date boxes).  Its end is
# inclusive, so the day after it is read too, and each bound is turned into instants on the
# shop's clock: after 9998-12-31 that runs off the end of the calendar.  A year under 1000 is
# written without its leading zeros by strftime here and no stored time reads like it; before
# 1900 the zones keep local mean time (as campaign steps, which also begin there).
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(9998, 12, 31)


@dataclass(frozen=True)
class Period:
    start: date | None = None
    end: date | None = None  # inclusive

    def holds(self, day: str) -> bool:
        """True when the day (``YYYY-MM-DD``) is in the period."""
        return ((self.start is None or day >= self.start.isoformat())
                and (self.end is None or day <= self.end.isoformat()))

    def where(self, column):
        parts = []
        if self.start is not None:
            parts.append(column >= self.start.isoformat())
        if self.end is not None:
            parts.append(column < (self.end + timedelta(days=1)).isoformat())
        return and_(*parts) if parts else None


def _channels(text: str | None) -> tuple[str, ...]:
    return tuple(c for c in (text or "").split() if c != HAND) or ((HAND,) if text else ())


def overlap(ws: Workspace) -> list[dict]:
    """Customers per exact combination of channels, most first; the counts add up to every customer."""
    cust = Customer.__table__
    counts: Counter = Counter()
    with ws.engine.connect() as conn:
        for channels, n in conn.execute(select(cust.c.channels, func.count()).group_by(cust.c.channels)):
            counts[_channels(channels)] += n
    return [{"channels": list(k), "customers": n} for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def reach(ws: Workspace, combos: list[dict] | None = None) -> dict[str, int]:
    """Customers known on each channel (a customer on two channels counts on both)."""
    out: Counter = Counter()
    for combo in combos if combos is not None else overlap(ws):
        for channel in combo["channels"]:
            out[channel] += combo["customers"]
    return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))


PERSONAL = ("email", "sms", "whatsapp")
Unlisted = dict[str, tuple[frozenset[str], frozenset[int]]]  # guards.refused_unlisted, per channel


def refused_unlisted(ws: Workspace) -> Unlisted:
    """Per personal channel, the refused addresses the campaigns find beside those of the customers
    who said no (``guards.refused_unlisted``): what :func:`reachable` and :func:`health` both
    need, read once for the two."""
    from omnidesk.core.campaigns.guards import refused_unlisted as unlisted

    with ws.engine.connect() as conn:
        return {channel: unlisted(conn, channel) for channel in PERSONAL}


def reachable(ws: Workspace, unlisted: Unlisted | None = None) -> dict[str, int]:
    """Who may be marketed to on each personal channel: as many as a campaign to everyone would send
    a step there to (email, SMS; WhatsApp by the same rule), read by campaigns' own guards
    (guards.everyone_reached: the consent in force and the workspace's settings for unknown consent,
    an address for it, none that someone who opted out also holds however it is written), one per
    mailbox or number.

    What depends on a campaign's own day — caps, quiet hours, a hold-out — is left to the campaign.
    ``unlisted``: :func:`refused_unlisted`, when read already.
    """
    from omnidesk.core.campaigns.guards import Rules, everyone_reached

    rules = Rules.of(ws)
    with ws.engine.connect() as conn:
        return {channel: everyone_reached(conn, channel, rules, unlisted[channel] if unlisted else None)
                for channel in PERSONAL}


def day_start_utc(day: date, zone) -> str:
    """The instant (naive UTC text) ``day`` begins on the shop's clock (``zone``; None: this computer's)."""
    midnight = datetime.combine(day, time())
    moment = on_clock(midnight, zone)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def journey_bounds(period: Period, zone) -> tuple[str | None, str | None]:
    """The instants (naive UTC text) a journey that began in ``period`` began from and before: its
    days are the shop's, as new customers' and activity's are (an order at 23:30 on the period's
    last evening is in it)."""
    return (day_start_utc(period.start, zone) if period.start else None,
            day_start_utc(period.end + timedelta(days=1), zone) if period.end else None)


def began_in(period: Period, zone, first: str) -> bool:
    """Whether a journey whose first appearance was ``first`` (naive UTC text, or "9999" when no
    channel has a dated event) began in ``period``: a journey with no known start began in none
    but the whole of time."""
    if period.start is None and period.end is None:
        return True
    low, high = journey_bounds(period, zone)
    return first != metrics_index.UNKNOWN and (low is None or first >= low) and (high is None or first < high)


def journeys(ws: Workspace, period: Period = Period(), limit: int | None = 20) -> list[dict]:
    """The most common orders of first appearance on channels, up to the first purchase (None: all).

    Read from each customer's journey as kept in the workspace (metrics_index.py);
    where those cannot be brought up to date now, from the events themselves.  A journey
    is counted in the period it began in, on the shop's clock; one whose start is unknown
    (no dated event) only when the period is the whole of time.
    """
    zone = workspace_zone(ws)
    low, high = journey_bounds(period, zone)

    def began(column):
        if period.start is None and period.end is None:
            return None
        parts = [column != metrics_index.UNKNOWN]
        if low is not None:
            parts.append(column >= low)
        if high is not None:
            parts.append(column < high)
        return and_(*parts)

    if metrics_index.summaries_kept(ws):
        metrics_index.ensure_journeys(ws)
        with ws.engine.connect() as conn:
            if metrics_index.journeys_current(conn):
                return metrics_index.count_paths(conn, began, limit)
    with ws.engine.connect() as conn:
        firsts, bought = metrics_index.read_journeys(conn, zone=zone)
    paths: Counter = Counter()
    gaps: dict[tuple, list[float]] = defaultdict(list)
    for cid, seen in firsts.items():
        path, first, gap = metrics_index.journey_of(seen, bought.get(cid))
        if not began_in(period, zone, first):
            continue
        key = tuple(path)
        paths[key] += 1
        if gap is not None:
            gaps[key].append(gap / 86400)
    return [{"path": list(k), "customers": n,
             "median_days": round(statistics.median(gaps[k]), 1) if gaps.get(k) else None}
            for k, n in paths.most_common(limit)]


def any_orders(ws: Workspace) -> bool:
    """Whether the workspace holds any order or purchase at all: a period without journeys then
    has none to show, not orders still to import."""
    ev = Event.__table__
    with ws.engine.connect() as conn:
        return conn.execute(select(ev.c.id).where(ev.c.type.in_(ORDER_TYPES)).limit(1)).first() is not None


def bucket(day: str | date, by: str = "week") -> str:
    """The row a day is counted in, when figures are listed ``by`` "week" (its ISO week:
    ``2026-W14``), "month" (``2026-04``) or "year" (``2026``)."""
    d = date.fromisoformat(day) if isinstance(day, str) else day
    if by == "week":
        year, week, _ = d.isocalendar()
        return f"{year}-W{week:02d}"
    if by == "month":
        return f"{d.year}-{d.month:02d}"
    if by == "year":
        return f"{d.year}"
    raise ValueError(f"unknown row {by!r} (use week, month or year)")


def activity(ws: Workspace, period: Period = Period(), by: str = "week") -> list[dict]:
    """Per ISO week and channel: events, and revenue net of refunds and cancellations
    (``by`` "month" or "year": per month or year, each row's key named so).

    ``revenue`` is money in the shop's currency (money.workspace_currency) and amounts that
    named none; money in any other currency is never added to it nor converted: a row with
    some carries ``other_revenue``, {currency: amount} (no such key when there is none).

    Days and weeks are the shop's (its ``timezone``, else this computer's zone), as
    the timeline reads them.  Read from each import's events summed per day
    (metrics_index.py), and the events of imports not summed yet.
    """
    metrics_index.ensure_event_days(ws)
    zone = workspace_zone(ws)
    shop = workspace_currency(ws)
    weeks: dict[tuple[str, str], list] = defaultdict(lambda: [0, Counter()])

    def add(day: str, channel: str, n: int, money: dict[str, int], sign: int = 1) -> None:
        if period.holds(day):
            entry = weeks[(bucket(day, by), channel)]
            entry[0] += sign * n
            for code, minor in money.items():
                entry[1][code] += sign * minor

    with ws.engine.connect() as conn:
        rows = metrics_index.day_rows(conn, period.where)
        for d, channel, n, money in rows:
            add(d, channel, n, money)
        # The sums are per day of the stored instant: UTC for a time its file gave with an offset
        # (a Shopify order at 23:30 in New York is stored on the next day). Such an event belongs
        # to another week or period only near a local midnight where one begins: read those hours.
        days = sorted({r[0] for r in rows})
        # Only imports that gave their times with an offset (a till's local times never move).
        windows = (_midnight_windows(days, period, zone, by) if (days or period.start or period.end)
                   and metrics_index.offset_batches(conn) else [])
        types = metrics_index.event_types(conn) if windows else []
        for low, high in windows:
            # A window lies within one stored day, and within one day on the shop's clock.
            stored, local = low[:10], local_day(low, zone)
            for channel, n, money in metrics_index.offset_events_between(conn, low, high, types):
                add(stored, channel, n, money, -1)
                add(local, channel, n, money)
    out = []
    for (w, c), (n, money) in sorted(weeks.items()):
        if n <= 0:
            continue
        own, others = split_currencies(dict(money), shop)
        row = {by: w, "channel": c, "events": n, "revenue": round(own / 100, 2)}
        if others:
            row["other_revenue"] = {code: round(m / 100, 2) for code, m in others.items()}
        out.append(row)
    return out


def _given_with_offset(occurred_at: str | None) -> bool:
    try:
        return occurred_at is not None and datetime.fromisoformat(occurred_at).tzinfo is not None
    except ValueError:
        return False


def event_instant(occurred_at: str | None, occurred_utc: str, zone) -> str:
    """When an event happened, as naive UTC text: a time its file gave without an offset is on the
    shop's clock (``zone``; None: this computer's) and is stored as it was given."""
    if _given_with_offset(occurred_at):
        return occurred_utc[:19]
    return instant(occurred_utc[:19], zone) or occurred_utc[:19]


def _midnight_windows(days: list[str], period: Period, zone, by: str = "week") -> list[tuple[str, str]]:
    """The stored times (naive UTC text) between each midnight where a week (``by``: a month, a
    year) or the period begins, as a stored day reads it and as the shop's clock does: only there
    can an event whose file gave an offset fall in another week or period than its stored day says."""
    starts: set[date] = set()
    if days:
        first, last = date.fromisoformat(days[0]) - timedelta(days=1), date.fromisoformat(days[-1]) + timedelta(days=2)
        if by == "week":
            monday = first + timedelta(days=(7 - first.weekday()) % 7)
            while monday <= last:
                starts.add(monday)
                monday += timedelta(days=7)
        else:
            for m in range(first.year * 12 + first.month, last.year * 12 + last.month):
                if by == "month" or m % 12 == 0:  # each month's first day after ``first``; a year's: January's
                    starts.add(date(m // 12, m % 12 + 1, 1))
    starts.update(d for d in (period.start, period.end + timedelta(days=1) if period.end else None) if d)
    windows = []
    for day in sorted(starts):
        midnight = datetime.combine(day, time())
        local = on_clock(midnight, zone)
        shop = local.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
        stored = midnight.strftime("%Y-%m-%dT%H:%M:%S")
        if shop != stored:
            windows.append((min(shop, stored), max(shop, stored)))
    return windows


def new_customers(ws: Workspace, period: Period = Period(), by: str = "week") -> list[dict]:
    """Customers first seen per ISO week (``by`` "month" or "year": per month or year, each row's
    key named so), on the shop's clock as :func:`activity` reads it."""
    cust = Customer.__table__
    zone = workspace_zone(ws)
    # The day alone, as the index holds it (a period's bounds are days: the same customers).
    # Written out, not bound: SQLite uses an index on an expression only when it reads the same.
    day = func.substr(cust.c.first_seen, literal_column("1"), literal_column("10"))
    where = [day.is_not(None)]
    if (w := period.where(day)) is not None:
        where.append(w)
    weeks: Counter = Counter()

    def add(d: str, n: int) -> None:
        if period.holds(d):
            weeks[bucket(d, by)] += n

    with ws.engine.connect() as conn:
        days = []
        for d, n in conn.execute(select(day, func.count()).where(*where).group_by(day)):
            add(d, n)
            days.append(d)
        # Every first time is stored as a UTC instant (a till's, given on the shop's clock, too), and
        # near a midnight where a week or the period begins its day on the shop's clock may be another.
        for low, high in _midnight_windows(sorted(days), period, zone, by) if days or period.start or period.end else []:
            near = and_(day == low[:10], cust.c.first_seen >= low, cust.c.first_seen < high)
            n = conn.execute(select(func.count()).select_from(cust).where(near)).scalar_one()
            stored, local = low[:10], local_day(low, zone)  # one stored day, one day on the shop's clock
            add(stored, -n)
            add(local, n)
    return [{by: w, "customers": n} for w, n in sorted(weeks.items()) if n > 0]


def undated_customers(ws: Workspace, period: Period = Period()) -> int:
    """The new customers of ``period`` that :func:`new_customers` cannot list: those with no
    first-seen date (nothing dated on any channel).  In the whole of time every customer is new,
    these too, though in no week, month or year; a period with a start or an end holds none of them."""
    if period.start is not None or period.end is not None:
        return 0
    cust = Customer.__table__
    with ws.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(cust).where(cust.c.first_seen.is_(None))).scalar_one()


def undated_activity(ws: Workspace, period: Period = Period()) -> dict:
    """The events with no date (an order whose export left its date empty), which :func:`activity` can
    put in no week: in the whole of time they count all the same, as the customer's card counts
    them; a period with a start or an end holds none of them.

    ``events`` counts them all; ``orders`` those counted as orders (money.counted_as_order);
    ``revenue`` their money net of refunds in the shop's currency (and amounts that named none),
    ``other_revenue`` each other currency's apart ({currency: amount}), as :func:`activity`'s rows.
    """
    out = {"events": 0, "orders": 0, "revenue": 0.0, "other_revenue": {}}
    if period.start is not None or period.end is not None:
        return out
    ev = Event.__table__
    orders = and_(ev.c.type.in_(ORDER_TYPES), counted_as_order(ev.c.status, ev.c.amount_minor))
    money: dict[str, int] = {}
    with ws.engine.connect() as conn:
        # Naming every type lets SQLite read them through its index on type and time.
        types = metrics_index.event_types(conn)
        if not types:
            return out
        for currency, n, bought, spent in conn.execute(
                select(func.coalesce(ev.c.currency, ""), func.count(), func.count().filter(orders),
                       func.sum(row_spend(ev.c.status, ev.c.amount_minor, ev.c.refunded_minor))
                       .filter(ev.c.type.in_(ORDER_TYPES)))
                # On a customer's card, as the card counts them: an order's further item line (Squarespace
                # writes them without date or buyer) is a line of its order, on nobody's card.
                .where(ev.c.type.in_(types), ev.c.occurred_utc.is_(None), ev.c.customer_id.is_not(None))
                .group_by(func.coalesce(ev.c.currency, ""))):
            out["events"] += n
            out["orders"] += bought
            if spent:
                money[currency] = money.get(currency, 0) + spent
    own, others = split_currencies(money, workspace_currency(ws))
    out["revenue"] = round(own / 100, 2)
    out["other_revenue"] = {code: round(m / 100, 2) for code, m in sorted(others.items()) if m}
    return out


def undated_orders_label(undated: dict, currency: str | None) -> str:
    """The orders with no date in words: "2 orders with no date, 120.00 USD, counted in all time only"
    ("" when there are none)."""
    from omnidesk.core.money import format_money, format_other_money

    if not undated or not undated.get("orders"):
        return ""
    amounts = [format_money(round(undated["revenue"] * 100), currency)]
    if also := format_other_money(undated.get("other_revenue") or {}):
        amounts.append(also)
    return (f"{counted(undated['orders'], 'order')} with no date, {', '.join(amounts)}, "
            "counted in all time only")


def new_customers_label(total: int, undated: int = 0) -> str:
    """The period's new customers in words: "157 new customers (1 with no first-seen date)"."""
    return counted(total, "new customer") + (f" ({undated:,} with no first-seen date)" if undated else "")


def campaign_results(ws: Workspace, *, window_days: int | None = None, now: datetime | None = None) -> list[dict]:
    """Per exported step of every campaign: recipients, attributed orders and revenue, and its baseline.

    Steps whose time has come first, newest first, then those not sent yet, soonest first (each by
    the step's time, then the campaign's name).

    The baseline (see the module docstring) is read from what the export recorded beside the
    sends: ``baseline_kind`` "held_out" (the plan's hold-out), else "not_sent" (left out for
    quiet hours or a cap, and sent no other step of the campaign), else "none" (nobody to
    compare with: its figures are 0 and its conversion None).  Each baseline customer counts
    at most one order, their first in the window from the step's time (the offer code's first,
    as for recipients), and as for recipients an order counted for an earlier step's baseline of
    the campaign is not counted again for a later step's: recipients and baseline who buy alike
    show no lift on either step.  Another campaign's step claiming an order of theirs leaves it
    in the baseline all the same.
    ``lift`` is the conversion less the baseline's (a share: 0.05 is five points).

    ``revenue`` and ``baseline_revenue`` are money in the shop's currency (and amounts that
    named none); an order in another currency counts as an order all the same, its money kept
    apart in ``other_revenue`` / ``baseline_other_revenue`` ({currency: amount}, no such key
    when there is none), never added nor converted.

    ``at`` is the step's time on its own clock (as the plan gives it), telling apart two steps
    of one campaign on one channel.

    Sends are recorded per imported record; recipients and baseline customers are counted per
    customer as they are now, each once: a person whose records were merged after the export
    is one recipient (one first order, not one per record), their window from the earliest
    of the step's sends to any of their records.

    A step exported for a time still to come (``now``: the clock when not given) has not been
    sent: ``sent`` is False, ``due`` its time (UTC), ``recipients`` those it is planned for,
    and nothing is counted for it or its baseline yet.
    """
    from omnidesk.core.campaigns.guards import BASELINE_REASONS, HELD_OUT, cap_clock
    from omnidesk.core.messages.brand import get_brand
    from omnidesk.core.messages.derive import campaign_name

    days = window_days if window_days is not None else int(ws.get_setting("attribution_days", 7) or 7)
    sr, rec, st, camp = SendRecord.__table__, SourceRecord.__table__, CampaignStep.__table__, Campaign.__table__
    brand = get_brand(ws)
    zone = workspace_zone(ws)
    days_on = cap_clock(ws)  # the window's days are the shop's, as the caps count them
    shop = workspace_currency(ws)
    found = []  # per step: its row so far, its ranking (None: not sent yet), whose orders it may count
    with ws.engine.connect() as conn:
        msg = Message.__table__
        clock = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        steps = conn.execute(select(st.c.id, st.c.channel, st.c.campaign_id, camp.c.name, msg.c.name,
                                    msg.c.master_json, st.c.at_utc, st.c.at_local)
                             .join(camp, camp.c.id == st.c.campaign_id)
                             .outerjoin(msg, msg.c.id == camp.c.message_id)
                             .where(st.c.exported_at.is_not(None)).order_by(st.c.at_utc, st.c.id)).all()
        for step_id, channel, campaign_id, name, message_name, master_json, at_utc, at_local in steps:
            # One row per person as the customers are now: two records of one person (merged since
            # the export) are one recipient, sent the step when the first of their sends went out.
            sends = conn.execute(select(rec.c.customer_id, func.min(sr.c.send_utc))
                                 .join(rec, rec.c.id == sr.c.record_id)
                                 .where(sr.c.step_id == step_id, rec.c.customer_id.is_not(None),
                                        sr.c.channel.not_in(BASELINE_REASONS))
                                 .group_by(rec.c.customer_id)).all()
            row = {"name": name, "channel": channel, "at": at_local, "sent": at_utc <= clock, "due": at_utc,
                   "recipients": len(sends)}
            if at_utc > clock:
                found.append((row, None, None, None, (), {}, campaign_id))
                continue
            code = json.loads(master_json).get("offer_code", "") if master_json else ""
            tag = campaign_name(brand, message_name) if message_name else ""
            candidates = _orders_in_window(conn, step_id, sr.c.channel.not_in(BASELINE_REASONS), days, zone,
                                           clock=days_on)
            # The baseline: nobody the campaign sent anything to, on any of its steps.
            sr2, rec2, st2 = sr.alias("sent"), rec.alias("sent_record"), st.alias("sent_step")
            reached = (select(rec2.c.customer_id)
                       .select_from(sr2.join(rec2, rec2.c.id == sr2.c.record_id).join(st2, st2.c.id == sr2.c.step_id))
                       .where(st2.c.campaign_id == campaign_id, rec2.c.customer_id.is_not(None),
                              sr2.c.channel.not_in(BASELINE_REASONS)))
            kind, base_ids, base_candidates = "none", set(), {}
            for label, which in (("held_out", sr.c.channel == HELD_OUT),
                                 ("not_sent", and_(sr.c.channel.in_(BASELINE_REASONS), sr.c.channel != HELD_OUT))):
                ids = set(conn.execute(select(rec.c.customer_id).join(rec, rec.c.id == sr.c.record_id).where(
                    sr.c.step_id == step_id, which, rec.c.customer_id.is_not(None),
                    rec.c.customer_id.not_in(reached))).scalars())
                if ids:
                    kind, base_ids = label, ids
                    base_candidates = {cid: rows for cid, rows in
                                       _orders_in_window(conn, step_id, which, days, zone, clock=days_on).items()
                                       if cid in ids}
                    break
            found.append((row, _ranking(code, tag), candidates, kind, base_ids, base_candidates, campaign_id))
    sent = [f for f in found if f[1] is not None]
    # An order counts for one step only: the step whose code it was placed with, whenever that was.
    hits = _attribute([(ranks, candidates) for _row, ranks, candidates, *_rest in sent], set())
    # The baseline is counted alike: an order counted for an earlier step's baseline of the campaign
    # is not counted again for a later one's, as a recipient's counted for an earlier step is not.
    base_hits: dict[int, dict] = {}
    for campaign_id in dict.fromkeys(f[6] for f in sent):
        mine = [n for n, f in enumerate(sent) if f[6] == campaign_id]
        base_hits.update(zip(mine, _attribute([(sent[n][1], sent[n][5]) for n in mine], set())))
    for n, ((row, _ranks, _candidates, kind, base_ids, _base, _campaign), got) in enumerate(zip(sent, hits)):
        base_got = base_hits[n]
        revenue, base_revenue = Counter(), Counter()
        for hit in got.values():
            revenue[hit.currency or ""] += _order_spend(hit)
        for hit in base_got.values():
            base_revenue[hit.currency or ""] += _order_spend(hit)
        orders, base_orders = len(got), len(base_got)
        conversion = round(orders / row["recipients"], 4) if row["recipients"] else None
        base_conversion = round(base_orders / len(base_ids), 4) if base_ids else None
        own, others = split_currencies(dict(revenue), shop)
        base_own, base_others = split_currencies(dict(base_revenue), shop)
        row.update({"orders": orders, "revenue": round(own / 100, 2), "conversion": conversion,
                    "baseline_kind": kind, "baseline_customers": len(base_ids), "baseline_orders": base_orders,
                    "baseline_revenue": round(base_own / 100, 2), "baseline_conversion": base_conversion,
                    "lift": (round(conversion - base_conversion, 4)
                             if conversion is not None and base_conversion is not None else None)})
        if others:
            row["other_revenue"] = {code: round(m / 100, 2) for code, m in others.items()}
        if base_others:
            row["baseline_other_revenue"] = {code: round(m / 100, 2) for code, m in base_others.items()}
    for row, ranks, *_rest in found:
        if ranks is None:  # not sent yet: nothing counted
            row.update({"orders": 0, "revenue": 0.0, "conversion": None, "baseline_kind": "none",
                        "baseline_customers": 0, "baseline_orders": 0, "baseline_revenue": 0.0,
                        "baseline_conversion": None, "lift": None})
    # Steps already due first, newest first, as the Dashboard and the report list them: the latest results
    # where a long list opens.  Steps exported for a time still to come follow, soonest first: they have
    # nothing to show yet, and newest first would put the furthest of them on top, above every result an
    # owner opens the list for; under the results, the next to go out is the first they meet.
    rows = sorted((row for row, *_rest in found), key=lambda r: r["name"].casefold())
    return (sorted((r for r in rows if r["sent"]), key=lambda r: r["due"], reverse=True)
            + sorted((r for r in rows if not r["sent"]), key=lambda r: r["due"]))


def _ranking(code: str, tag: str) -> tuple:
    """What makes an order a step's, best first: placed with its offer code, naming the code
    elsewhere, from a link with the campaign's tag, any order at all."""
    wanted = code.casefold()

    def used_code(r) -> bool:
        return bool(code) and wanted in _order_codes(r.details_json)[0]

    def names_code(r) -> bool:
        return bool(code) and wanted in f"{r.summary} {_order_codes(r.details_json)[1]}".casefold()

    def names_tag(r) -> bool:
        return bool(tag) and f"utm_campaign={tag}".casefold() in (r.details_json or "").casefold()

    return used_code, names_code, names_tag, lambda r: True


def _attribute(steps: list[tuple], claimed: set[int]) -> list[dict[int, object]]:
    """Each step's customer -> the one order they count (none when they count none).

    ``steps`` are (:func:`_ranking`, customer -> their orders in its window, earliest first), in
    time order.  Each order counts once, by the ranking first and only then by time: every
    step's orders placed with its code are taken before any step takes one that merely names
    its code, and so on, earlier steps first and a customer's earlier orders first at each rank.
    So an order placed with a later campaign's code is that campaign's, not an earlier step's
    that it merely followed.  ``claimed`` (order ids) is added to."""
    hits: list[dict[int, object]] = [{} for _ in steps]
    for rank in range(4):
        for (ranks, people), got in zip(steps, hits):
            fits = ranks[rank]
            for cid, rows in people.items():
                if cid in got:
                    continue
                hit = next((r for r in rows if r.id not in claimed and fits(r)), None)
                if hit is not None:
                    claimed.add(hit.id)
                    got[cid] = hit
    return hits


def _order_codes(details_json: str | None) -> tuple[set[str], str]:
    """The discount codes an order was placed with (case folded), and its details without them.

    A code matches whole: an order placed with SPRING200 did not use SPRING20, so the rest of
    the details, searched for the code as text, leaves the codes out."""
    details = read_details(details_json)  # unreadable ones are searched as the text they are
    if not details.get("discount_codes"):
        return set(), details_json or ""
    codes = details.pop("discount_codes")
    return {str(c).casefold() for c in codes}, json.dumps(details, ensure_ascii=False)


def _order_spend(row) -> int:
    """An order's spend in minor units, as the shop's revenue counts it (``money.row_spend``): its
    amount less what was refunded, and less its refund rows of its own (``refund_rows``, by
    :func:`_orders_in_window`) whenever they came, never below nothing: an order refunded for
    more than it came to (a refund that took back shipping or another order's money too) takes
    nothing from the rest."""
    return max(row.spend + row.refund_rows, 0)


def _orders_in_window(conn, step_id: int, which, days: int, zone=None, *, clock=None) -> dict[int, list]:
    """Customer -> their orders within ``days`` of their send records on the step (those ``which`` picks),
    earliest first.

    The days are calendar days on ``clock`` (the shop's, :func:`~omnidesk.core.campaigns.guards.cap_clock`,
    as the caps count them): the window ends at the send's time on that clock ``days`` later, whether
    or not the clocks change between (a week of a spring-forward is 167 hours, one of a fall-back
    169).  Without ``clock``, ``days`` of 24 hours.

    A customer is a person as the customers are now: one with several records sent the step
    (merged since the export) is read once, from the earliest of those sends.

    A till's refund line (a negative amount) is no order, but takes its money back from the order
    it refunds: each order carries ``spend`` (``money.row_spend``) and ``refund_rows``, the (negative)
    sum of the refund rows of its own — its order number again on its channel, on the same
    customer, in its currency — whenever they came (the shop's revenue nets them on their own day).
    Times are compared as instants:
    one its file gave without an offset is on the shop's clock (``zone``; None: this
    computer's), so the query reads half a day more on each side and the window is cut here.
    """
    from omnidesk.core.campaigns.guards import _wall_clock

    sr, rec, ev = SendRecord.__table__, SourceRecord.__table__, Event.__table__
    people = (select(rec.c.customer_id, func.min(sr.c.send_utc).label("send_utc"))
              .select_from(sr.join(rec, rec.c.id == sr.c.record_id))
              .where(sr.c.step_id == step_id, which, rec.c.customer_id.is_not(None))
              .group_by(rec.c.customer_id).subquery("people"))
    sent_at = func.replace(people.c.send_utc, "Z", "")
    refund = ev.alias("refund")
    refund_rows = (select(func.coalesce(func.sum(row_spend(refund.c.status, refund.c.amount_minor,
                                                            refund.c.refunded_minor)), 0))
                   .where(refund.c.customer_id == ev.c.customer_id, refund.c.channel == ev.c.channel,
                          refund.c.type.in_(ORDER_TYPES), refund.c.amount_minor < 0,
                          order_number(refund.c.details_json) == order_number(ev.c.details_json),
                          func.upper(func.coalesce(refund.c.currency, "")) == func.upper(func.coalesce(ev.c.currency, "")))
                   .scalar_subquery())
    found: dict[int, list] = defaultdict(list)

    def before_end(sent: datetime, at: datetime) -> bool:
        """Whether ``at`` (naive UTC) is before the window from ``sent`` (naive UTC) ends."""
        if clock is None:
            return at < sent + timedelta(days=days)
        # Wall-clock times on ``clock``, compared as they read, as the caps compare them.
        return _wall_clock(at.replace(tzinfo=UTC), clock) < _wall_clock(sent.replace(tzinfo=UTC), clock) \
            + timedelta(days=days)

    for row in conn.execute(
            select(people.c.customer_id, ev.c.id, ev.c.summary, ev.c.details_json,
                   row_spend(ev.c.status, ev.c.amount_minor, ev.c.refunded_minor).label("spend"),
                   refund_rows.label("refund_rows"),
                   ev.c.currency, ev.c.occurred_at, ev.c.occurred_utc, sent_at.label("sent_at"))
            .select_from(people.join(ev, ev.c.customer_id == people.c.customer_id))
            .where(ev.c.type.in_(ORDER_TYPES), counted_as_order(ev.c.status, ev.c.amount_minor),
                   ev.c.occurred_utc >= func.strftime("%Y-%m-%dT%H:%M:%S", sent_at, "-14 hours"),
                   ev.c.occurred_utc < func.strftime("%Y-%m-%dT%H:%M:%S", sent_at, f"+{days} days", "+14 hours"))):
        at = event_instant(row.occurred_at, row.occurred_utc, zone)
        sent = datetime.fromisoformat(row.sent_at)
        if sent <= datetime.fromisoformat(at) and before_end(sent, datetime.fromisoformat(at)):
            found[row.customer_id].append((at, row))
    return {cid: [row for _at, row in sorted(rows, key=lambda r: (r[0], r[1].id))] for cid, rows in found.items()}


def health(ws: Workspace, unlisted: Unlisted | None = None) -> dict[str, int]:
    """What needs looking at: each a count, each a click away from the list behind it on the Dashboard.

    The customers nobody can reach and those whose email consent is unknown are counted by the
    rules their tiles open (:func:`health_links`), as the Customers list runs them: an address
    someone else said stop from is held for everyone who holds it (guard 1 of the campaigns),
    whatever their own answer.  ``unlisted``: :func:`refused_unlisted`, when read already.
    """
    from omnidesk.core.importing.supersede import SUPERSEDED
    from omnidesk.core.messages.store import list_messages
    from omnidesk.core.segments.sql import rule_where

    if unlisted is None:
        unlisted = refused_unlisted(ws)
    rec, review = SourceRecord.__table__, MatchReview.__table__
    with ws.engine.connect() as conn:
        # A flagged row a fixed error report replaced, or whose order a later export replaced, is kept
        # as read, but has nothing left to fix (the row that replaced it counts, flagged if it is).
        flagged = conn.execute(select(func.count()).select_from(rec).where(
            rec.c.flagged.is_(True), rec.c.values_json.not_like(f'%"{SUPERSEDED}"%'))).scalar_one()
        # Both counts in one pass over the customers, each by the rule its tile opens.
        links = health_links(ws)
        unreachable, unknown = conn.execute(select(*(
            func.count().filter(rule_where(conn, links[key][1], refused=unlisted))
            for key in ("unreachable_customers", "email_consent_unknown")))).one()
        pending = conn.execute(select(func.count()).select_from(review).where(review.c.status == "pending")).scalar_one()
    stale = sum(len(m.stale) for m in list_messages(ws))
    return {"flagged_rows": flagged, "unreachable_customers": unreachable, "email_consent_unknown": unknown,
            "pairs_to_review": pending, "stale_variants": stale}


def report(ws: Workspace, period: Period = Period(), *, journey_limit: int | None = 20,
           now: datetime | None = None) -> dict:
    """Every figure of the Dashboard, as ``omnidesk report --json`` prints it (the commonest
    ``journey_limit`` journeys; None: every one, as the Dashboard draws them).

    Who may be marketed to and the health counts each read every customer once and need nothing
    else here: they are read on a second connection while this one reads the rest, so that on
    two cores a million customers' Dashboard takes the longer half, not the sum (SQLite leaves
    Python's lock while it reads).
    """
    def counts():
        unlisted = refused_unlisted(ws)  # what both need, read once
        return reachable(ws, unlisted), health(ws, unlisted)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="report") as pool:
        counted = pool.submit(counts)
        combos = overlap(ws)
        out = {"period": {"from": period.start.isoformat() if period.start else None,
                          "to": period.end.isoformat() if period.end else None},
               "reach": reach(ws, combos), "reachable": None, "overlap": combos,
               "journeys": journeys(ws, period, journey_limit),
               "activity": activity(ws, period), "new_customers": new_customers(ws, period),
               "new_customers_undated": undated_customers(ws, period),
               "undated_activity": undated_activity(ws, period),
               "campaigns": campaign_results(ws, now=now), "health": None}
        out["reachable"], out["health"] = counted.result()
    return out


def period_totals(data: dict) -> dict:
    """The period's headline figures from a :func:`report`: new customers (those with no first-seen
    date too, in the whole of time: ``new_customers_undated`` of them), events, revenue in the
    shop's currency and, apart, in each other currency (summed per currency, never converted); in the
    whole of time the events with no date too (``undated_activity``: ``undated_orders`` orders of them,
    ``undated_revenue`` their revenue), in no week."""
    others: dict[str, float] = {}
    for r in data["activity"]:
        for code, amount in r.get("other_revenue", {}).items():
            others[code] = round(others.get(code, 0.0) + amount, 2)
    undated = data.get("new_customers_undated", 0)
    # What has no date (an order whose export left it empty) counts in all time, in no week.
    no_date = data.get("undated_activity") or {"events": 0, "orders": 0, "revenue": 0.0, "other_revenue": {}}
    for code, amount in no_date.get("other_revenue", {}).items():
        others[code] = round(others.get(code, 0.0) + amount, 2)
    return {"new_customers": sum(r["customers"] for r in data["new_customers"]) + undated,
            "new_customers_undated": undated,
            "events": sum(r["events"] for r in data["activity"]) + no_date["events"],
            # Started at 0.0: a period with no activity has revenue 0.0, a float as any other's.
            "revenue": round(sum((r["revenue"] for r in data["activity"]), 0.0) + no_date["revenue"], 2),
            "other_revenue": dict(sorted(others.items())),
            "undated_orders": no_date["orders"], "undated_revenue": no_date["revenue"],
            "undated_other_revenue": dict(no_date.get("other_revenue", {}))}


BASELINE_WORDS = {"held_out": "held out", "not_sent": "not sent", "none": ""}


def step_when(row: dict) -> str:
    """When a campaign result's step goes out, in words: "1 Mar 2027 09:00" (the step's own clock), or ""."""
    try:
        at = datetime.fromisoformat(row.get("at") or "")
    except ValueError:
        return ""
    return f"{at.day} {at:%b %Y %H:%M}"


def step_label(row: dict) -> str:
    """A campaign result's step in words: "Spring sale, 1 Mar 2027 09:00" (the step's own clock)."""
    when = step_when(row)
    return f"{row['name']}, {when}" if when else row["name"]


def baseline_label(row: dict) -> str:
    """A campaign result's baseline in words: "5 held out", "4 not sent", or "" with none."""
    words = BASELINE_WORDS.get(row.get("baseline_kind") or "none", "")
    return f"{row['baseline_customers']:,} {words}" if words and row.get("baseline_customers") else ""


NOT_SENT = "not sent yet"  # a step exported for a time still to come
# A post, the poster, the banner: seen by whoever looks, sent to nobody, so nobody's orders are counted for it.
WHOEVER_LOOKS = "anyone"  # its recipients, in a table's narrow column
NOT_COUNTED = "not counted"  # its results
WHOEVER_LOOKS_SENTENCE = "seen by whoever looks, sent to nobody: no orders counted"


def sent_to_people(row: dict) -> bool:
    """Whether a campaign result's step was sent to people (email, SMS), whose orders it counts; a social post,
    the poster or the banner reaches whoever looks, and no order is counted for it."""
    from omnidesk.core.campaigns.campaign import PERSONAL as SENT_TO_PEOPLE

    return row["channel"] in SENT_TO_PEOPLE


# What a post's result leaves empty (null in the JSON, an empty cell in the CSV): nothing was counted for it.
UNCOUNTED_FIELDS = ("recipients", "orders", "revenue", "conversion", "baseline_customers", "baseline_orders",
                    "baseline_revenue", "baseline_conversion", "lift")
# What a step not sent yet leaves empty (None) in the report's JSON and the Dashboard's CSV: all but the
# recipients it is planned for.
NOT_YET_FIELDS = tuple(field for field in UNCOUNTED_FIELDS if field != "recipients")


def counted_result(row: dict) -> dict:
    """A campaign result as the report's JSON and the Dashboard's CSV give it: with ``counted``, False for a
    post (sent to nobody, no order counted for it), whose recipients, orders, revenue, baseline and lift are
    None rather than 0, as the screen and the text say "anyone" and "not counted".  A step not sent yet
    keeps its planned recipients; its orders, revenue, baseline and lift are None, as the screen, the text
    and the PDF say "not sent yet" rather than 0 orders and 0.00."""
    if sent_to_people(row):
        if not row.get("sent", True):
            return {**row, "counted": True, **dict.fromkeys(NOT_YET_FIELDS)}
        return {**row, "counted": True}
    out = {**row, "counted": False, **dict.fromkeys(UNCOUNTED_FIELDS)}
    for key in ("other_revenue", "baseline_other_revenue"):
        out.pop(key, None)
    return out


def baseline_or_status(row: dict) -> str:
    """The Baseline column's words for a campaign result: its baseline, "none", or "not sent yet"."""
    if not row.get("sent", True):
        return NOT_SENT
    return baseline_label(row) or "none"


# What reachable() counts, in the words the Dashboard, the report and its PDF put after the figures.
REACHABLE_WORDS = ("as many as a campaign to everyone would send to: one per mailbox or number, "
                   "before its own caps, quiet hours and hold-out")


def reachable_sentence(counts: dict) -> str:
    """Who may be marketed to and what that counts: "May be marketed to: 139 by email · 53 by SMS (as many…)"."""
    return f"May be marketed to: {reachable_label(counts)} ({REACHABLE_WORDS})"


def reachable_label(counts: dict) -> str:
    """Who may be marketed to, in words: "139 by email · 53 by SMS" (WhatsApp when anyone may be there)."""
    parts = [f"{counts.get('email', 0):,} by email", f"{counts.get('sms', 0):,} by SMS"]
    if counts.get("whatsapp"):
        parts.append(f"{counts['whatsapp']:,} on WhatsApp")
    return " · ".join(parts)


def lift_label(lift: float | None) -> str:
    """The lift as percentage points, signed: "+2.5 pts"; "" when there is none to compare."""
    return "" if lift is None else f"{lift * 100:+.1f} pts"


def overlap_rule(channels, all_channels) -> dict:
    """The segment rule of one overlap combination: on every channel in it and on none of the others.

    ``all_channels`` is every channel of the overlap figures; the rule counts exactly the
    customers :func:`overlap` puts in this combination.  Entered-by-hand is left out of
    "none of the others", as overlap leaves it out of a combination with any other channel.
    """
    channels = [c for c in channels]
    if not channels:
        return {"all": [{"field": "channel", "op": "not_exists"}]}
    others = sorted({c for c in all_channels if c not in channels and c != HAND})
    return {"all": [*({"field": "channel", "op": "is", "value": c} for c in channels),
                    *({"field": "channel", "op": "is_not", "value": c} for c in others)]}


PURCHASE = "purchase"  # the last step of a journey that ends in a first purchase
JOURNEY_STEPS = 3  # the channels a journey's picture shows before the purchase


def journey_graph(paths: list[dict]) -> tuple[dict, dict]:
    """The nodes and flows of :func:`journeys`' paths, as the Dashboard's Sankey view draws them.

    A node is (column, channel): columns 0 to 2 are a journey's first three channels,
    column 3 its first purchase (channel "purchase"); a longer journey is drawn to its
    third channel, which then flows to the purchase.  Nodes map to customers passing
    through, flows ((column, channel), (column, channel)) to customers going that way.
    """
    nodes: dict[tuple[int, str], int] = defaultdict(int)
    flows: dict[tuple, int] = defaultdict(int)
    for j in paths:
        steps = [c for c in j["path"] if c != PURCHASE][:JOURNEY_STEPS]
        chain = [*enumerate(steps)] + ([(JOURNEY_STEPS, PURCHASE)] if PURCHASE in j["path"] else [])
        for node in chain:
            nodes[node] += j["customers"]
        for a, b in pairwise(chain):
            flows[(a, b)] += j["customers"]
    return dict(nodes), dict(flows)


_STEP_FIELDS = ("first_channel", "second_channel", "third_channel")


def journey_rule(column: int, channel: str, then: str, period: Period = Period()) -> dict:
    """The segment rule of one flow of :func:`journey_graph`: the customers it counts.

    ``channel`` is the journey's channel at ``column`` (0: first, 1: second, 2: third);
    ``then`` the next one, or "purchase" for the flow into the first purchase (from the
    journey's last channel shown: nothing after it, or the third).  ``period`` is the
    one :func:`journeys` was read for: the journey began in it.  Counts exactly the flow
    when the graph is drawn from every path (``journeys(limit=None)``).
    """
    if not 0 <= column < JOURNEY_STEPS or (column == JOURNEY_STEPS - 1 and then != PURCHASE):
        raise ValueError(f"no journey flow leaves column {column} for {then!r}")
    parts = [{"field": _STEP_FIELDS[column], "op": "is", "value": channel}]
    if then == PURCHASE:
        if column + 1 < JOURNEY_STEPS:
            parts.append({"field": _STEP_FIELDS[column + 1], "op": "not_exists"})
        parts.append({"field": "purchase_channel", "op": "exists"})
    else:
        parts.append({"field": _STEP_FIELDS[column + 1], "op": "is", "value": then})
    # As journeys() counts them: a journey whose start is unknown (no journey_start) began in no
    # period but the whole of time.
    if period.start and period.end:
        parts.append({"field": "journey_start", "op": "between",
                      "value": [period.start.isoformat(), period.end.isoformat()]})
    elif period.start:
        parts.append({"field": "journey_start", "op": "gte", "value": period.start.isoformat()})
    elif period.end:
        parts.append({"field": "journey_start", "op": "lte", "value": period.end.isoformat()})
    return {"all": parts}


def reach_rule(channel: str, all_channels) -> dict:
    """The segment rule of one reach bar: the customers :func:`reach` counts on ``channel``."""
    if channel == HAND:  # reach counts a hand-entered customer there only when nothing else knows them
        return overlap_rule([HAND], all_channels)
    return {"all": [{"field": "channel", "op": "is", "value": channel}]}


def health_links(ws: Workspace) -> dict[str, tuple[str, object]]:
    """Where each health figure leads: a screen, or the Customers behind it as a rule counting the
    same people.  The unreachable customers are those no personal channel's campaign guards take
    (``guards.allowed_rule``, with the workspace's settings for unknown consent): who "may be
    marketed to" counts, said the other way round."""
    from omnidesk.core.campaigns.guards import Rules, allowed_rule

    rules = Rules.of(ws)
    return {
        "flagged_rows": ("screen", "imports"),
        "unreachable_customers": ("rule", {"not": {"any": [allowed_rule(channel, rules) for channel in PERSONAL]}}),
        "email_consent_unknown": ("rule", {"all": [{"field": "email", "op": "exists"},
                                                   {"field": "consent.email", "op": "in",
                                                    "value": ["pending", "unknown"]}]}),
        "pairs_to_review": ("screen", "review"),
        "stale_variants": ("screen", "messages"),
    }

PERIODS = {"30d": "Last 30 days", "90d": "Last 90 days", "12m": "Last 12 months", "all": "All time"}


def shop_today(ws: Workspace, now: datetime | None = None) -> date:
    """Today on the shop's clock (the workspace's zone, else this computer's)."""
    return (now or datetime.now(UTC)).astimezone(workspace_zone(ws) or computer_zone()).date()


def last_weeks(last: date, first: date | None, n: int = 8) -> list[str]:
    """The ISO weeks (``2026-W14``) of the ``n`` weeks up to the one holding ``last``, none before ``first``'s:
    the weeks a period's table lists, quiet ones too (a week without a sale is news)."""
    weeks = []
    monday = last - timedelta(days=last.weekday())
    while len(weeks) < n and (first is None or monday + timedelta(days=6) >= first):
        year, week, _ = monday.isocalendar()
        weeks.append(f"{year}-W{week:02d}")
        monday -= timedelta(days=7)
    return weeks[::-1]


ACTIVITY_WEEKS = 26  # the printed report lists a period of up to this many weeks week by week,
ACTIVITY_MONTHS = 60  # then month by month up to five years, and a longer one year by year


def activity_rows(period: Period, today: date, weeks: list[str],
                  months: list[str] | None = None) -> tuple[str, list[str]]:
    """The rows the printed report's activity table lists for ``period``: ("week", ISO weeks),
    ("month", ``2026-04``…) or ("year", ``2026``…), every one of the period, the quiet ones too.

    ``weeks``: the ISO weeks with activity or new customers (:func:`activity`'s,
    :func:`new_customers`'); none: no rows.  ``months``: the months they fall in, when read
    (the same figures ``by="month"``).  Without a start the period runs from the first activity
    (the first of ``months``, else its week's Monday: 2025-W01 begins on 30 December 2024, a
    month and a year before a first sale on 1 January), without an end to ``today`` (or to the
    last of them, when that is later: a sale dated ahead).  Up to :data:`ACTIVITY_WEEKS` weeks it
    is listed week by week, up to :data:`ACTIVITY_MONTHS` months month by month, beyond that
    year by year.
    """
    if not weeks:
        return "week", []
    mondays = sorted(date.fromisoformat(f"{w}-1") for w in weeks)
    first = period.start or (date.fromisoformat(f"{min(months)}-01") if months else mondays[0])
    last = period.end or max(today, mondays[-1] + timedelta(days=6))
    if last < first:
        return "week", []
    listed = last_weeks(last, first, ACTIVITY_WEEKS + 1)
    if len(listed) <= ACTIVITY_WEEKS:
        return "week", listed
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if months <= ACTIVITY_MONTHS:
        return "month", [f"{m // 12}-{m % 12 + 1:02d}" for m in range(first.year * 12 + first.month - 1,
                                                                    last.year * 12 + last.month)]
    return "year", [str(y) for y in range(first.year, last.year + 1)]


def named_period(name: str, today: date) -> Period:
    """One of :data:`PERIODS`, ending ``today`` (inclusive).

    The last 30 and 90 days are that many days; the last 12 months are twelve calendar months
    (:func:`~omnidesk.core.timeutil.twelve_months_from`).
    """
    if name == "all":
        return Period()
    if name == "12m":
        return Period(twelve_months_from(today), today)
    days = {"30d": 30, "90d": 90}.get(name)
    if days is None:
        raise ValueError(f"unknown period {name!r} (use one of {', '.join(PERIODS)})")
    return Period(today - timedelta(days=days - 1), today)
