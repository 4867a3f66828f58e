"""The summaries behind the Dashboard's activity and journeys, so neither reads every event.

Reading ten million events for each chart takes seconds; two summaries answer
in a fraction of one:

* ``event_day`` holds each import's events per day, channel, type, status and currency with
  what they add to spend (money.row_spend, the rule of the customer's spend): activity sums
  it over orders.  It is made per import (``event_day_batch``), on first use, like the
  product index of segments/items.py;
  an import not summed yet is read event by event, so an answer is never stale.
* ``customer_journey`` holds each customer's journey (path, first appearance, days
  to the first purchase); journeys count and take medians over it.  A channel's first
  appearance is the customer's first dated event there or their dated sign-up on it
  (:func:`sign_ups`), the times the card's first seen is made of.

Triggers in the schema (migrations 0016, 0027 and 0032) keep both true through every write —
an import, a merge or an unmerge (events and records follow their record to
another customer), an erasure, a taken-back import, an undo: an event added to
or removed from a summed import changes its day at once, and a customer whose
events or records change is listed in ``journey_stale`` and made again before
the next answer (:func:`ensure_journeys`).  Where the workspace cannot be written
(read-only, or busy with an import in another window), the figures are read
from the events themselves.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import and_, delete, func, insert, literal, not_, or_, select, union_all

from omnidesk.core.dialect import instant_utc, is_sqlite, json_created_at, triggers_suspended
from omnidesk.core.models import (
    Consent,
    CustomerJourney,
    Event,
    EventDay,
    EventDayBatch,
    ImportBatch,
    JourneyStale,
    SourceRecord,
)
from omnidesk.core.money import ORDER_TYPES, counted_as_order, row_spend

HAND = "manual"
UNKNOWN = "9999"  # the first appearance on a channel with no dated event: after every real one
_INSERT_ROWS = 20_000
# From this many stale journeys (and a tenth of all), every journey is made again in one pass.
FULL_PASS_FROM = 10_000
_IN_SIZE = 900  # values per IN list: under every database's parameter limit


def chunks(items: list, size: int = _IN_SIZE):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def summaries_kept(workspace) -> bool:
    """True when this workspace's schema keeps the summaries (the triggers are SQLite's)."""
    return is_sqlite(workspace.engine)


def _try_writing(workspace, work) -> bool:
    """Run ``work(conn)`` in one write transaction; False when the workspace cannot be written now
    (read-only, or another window holds the write lock for more than half a second)."""
    from omnidesk.core.workspace import WorkspaceError

    if getattr(workspace, "readonly", False) or not summaries_kept(workspace):
        return False
    try:
        with workspace.writing_quietly(wait=0.5) as conn:
            work(conn)
    except WorkspaceError:
        return False  # busy with an import in another window: this answer reads the events
    return True


# -- activity ------------------------------------------------------------------------------------

def _spend(ev):
    """SQL: what an event adds to spend, as the customer's card counts it (money.row_spend)."""
    return row_spend(ev.c.status, ev.c.amount_minor, ev.c.refunded_minor)


def unsummed_batches(conn) -> list[int]:
    """Finished imports whose events are not summed in ``event_day`` yet."""
    batch, done = ImportBatch.__table__, EventDayBatch.__table__
    return list(conn.execute(select(batch.c.id).where(batch.c.status == "done",
                                                      batch.c.id.not_in(select(done.c.batch_id)))).scalars())


def sum_batches(conn, batch_ids: Iterable[int]) -> None:
    """Sum these imports' events into ``event_day`` (in the caller's transaction)."""
    ev, day_t, done = Event.__table__, EventDay.__table__, EventDayBatch.__table__
    day = func.substr(ev.c.occurred_utc, 1, 10)
    total = None
    for batch_id in sorted(set(batch_ids)):
        conn.execute(delete(day_t).where(day_t.c.batch_id == batch_id))
        if total is None:
            total = conn.execute(select(func.count()).select_from(ev)).scalar_one()
        mine = conn.execute(select(func.count()).select_from(ev).where(ev.c.batch_id == batch_id)).scalar_one()
        # An import holding most of the events is read in one pass over the table (+ 0 keeps SQLite
        # off the index), not row by row through the index.
        batch = ev.c.batch_id + 0 if mine > total // 4 else ev.c.batch_id
        currency = func.coalesce(ev.c.currency, "")
        conn.execute(insert(day_t).from_select(
            ["batch_id", "day", "channel", "type", "status", "currency", "events", "money"],
            select(literal(batch_id), day, ev.c.channel, ev.c.type, ev.c.status, currency, func.count(),
                   func.sum(_spend(ev)))
            .where(batch == batch_id, ev.c.occurred_utc.is_not(None))
            .group_by(day, ev.c.channel, ev.c.type, ev.c.status, currency)))
        # From here on the triggers add and take away each event of this import as it changes.
        conn.execute(insert(done).values(batch_id=batch_id))


def forget_batch(conn, batch_id: int) -> None:
    """Drop an import's sums before its events go, so they go without the triggers' bookkeeping."""
    conn.execute(delete(EventDay.__table__).where(EventDay.__table__.c.batch_id == batch_id))
    conn.execute(delete(EventDayBatch.__table__).where(EventDayBatch.__table__.c.batch_id == batch_id))


def ensure_event_days(workspace) -> None:
    """Sum every finished import not summed yet, when the workspace can be written now."""
    if not summaries_kept(workspace) or getattr(workspace, "readonly", False):
        return
    with workspace.engine.connect() as conn:
        if not unsummed_batches(conn):
            return
    _try_writing(workspace, lambda conn: sum_batches(conn, unsummed_batches(conn)))


def _add_money(into: dict[str, int], currency: str | None, money: int | None) -> None:
    if money:
        into[currency or ""] = into.get(currency or "", 0) + money


def day_rows(conn, period_where) -> list[tuple[str, str, int, dict[str, int]]]:
    """(day, channel, events, money spent per currency) per day and channel with an event, from the sums
    and the events of imports not summed; ``period_where(column)`` limits the days.

    Money is kept apart per currency ('' for amounts whose export named none), never added across
    them; the events are counted whatever their currency.
    """
    ev, day_t, done = Event.__table__, EventDay.__table__, EventDayBatch.__table__
    out: dict[tuple[str, str], list] = defaultdict(lambda: [0, {}])
    spent = func.sum(day_t.c.money).filter(day_t.c.type.in_(ORDER_TYPES))
    where = [] if (w := period_where(day_t.c.day)) is None else [w]
    for d, channel, currency, n, money in conn.execute(
            select(day_t.c.day, day_t.c.channel, day_t.c.currency, func.sum(day_t.c.events), spent)
            .where(*where).group_by(day_t.c.day, day_t.c.channel, day_t.c.currency)):
        out[(d, channel)][0] += n
        _add_money(out[(d, channel)][1], currency, money)
    summed = set(conn.execute(select(done.c.batch_id)).scalars())
    others = [b for b in conn.execute(select(ImportBatch.__table__.c.id)).scalars() if b not in summed]
    day = func.substr(ev.c.occurred_utc, 1, 10)
    currency = func.coalesce(ev.c.currency, "")
    spend = func.sum(_spend(ev)).filter(ev.c.type.in_(ORDER_TYPES))
    where = [ev.c.occurred_utc.is_not(None)]
    if (w := period_where(ev.c.occurred_utc)) is not None:
        where.append(w)
    for part in chunks(others):
        for d, channel, cur, n, money in conn.execute(select(day, ev.c.channel, currency, func.count(), spend)
                                                      .where(*where, ev.c.batch_id.in_(list(part)))
                                                      .group_by(day, ev.c.channel, currency)):
            out[(d, channel)][0] += n
            _add_money(out[(d, channel)][1], cur, money)
    # A day whose every event went (an erasure) keeps rows of zero: it has no activity.
    return [(d, c, n, m) for (d, c), (n, m) in out.items() if n > 0]


def event_types(conn) -> list[str]:
    """Every event type in the workspace, read from the sums and the imports not summed (not every event)."""
    ev, day_t, done = Event.__table__, EventDay.__table__, EventDayBatch.__table__
    types = set(conn.execute(select(day_t.c.type).distinct()).scalars())
    summed = set(conn.execute(select(done.c.batch_id)).scalars())
    others = [b for b in conn.execute(select(ImportBatch.__table__.c.id)).scalars() if b not in summed]
    for part in chunks(others):
        types.update(conn.execute(select(ev.c.type).distinct().where(ev.c.batch_id.in_(list(part)))).scalars())
    return sorted(types)


def given_with_offset(column):
    """SQL: true when a time as stored (``occurred_at``, written by ``isoformat``) carries an offset
    ("+02:00", "-05:00", "+05:53:28", "Z"): only such a time is stored in UTC, not on the shop's clock."""
    # Counted from the end by length (SQLite's negative start is not PostgreSQL's).
    return and_(func.length(column) > 19,
                or_(func.substr(column, func.length(column) - 5, 1).in_(("+", "-")),
                    func.substr(column, func.length(column) - 8, 1).in_(("+", "-")), column.like("%Z")))


def offset_batches(conn) -> list[int]:
    """The imports whose times were given with an offset (a shop's orders; not a till's local times),
    told by each import's first dated event: a file writes its times one way."""
    ev, batch = Event.__table__, ImportBatch.__table__
    first = (select(ev.c.occurred_at).where(ev.c.batch_id == batch.c.id, ev.c.occurred_utc.is_not(None))
             .order_by(ev.c.batch_id, ev.c.id).limit(1).scalar_subquery())
    return [b for b, at in conn.execute(select(batch.c.id, first)) if at is not None and _has_offset(at)]


def _has_offset(text: str) -> bool:
    from datetime import datetime

    try:
        return datetime.fromisoformat(text).tzinfo is not None
    except ValueError:
        return False


def offset_events_between(conn, low: str, high: str, types: list[str]) -> list[tuple[str, int, dict[str, int]]]:
    """(channel, events, money spent per currency, as :func:`day_rows`) of the events stored from ``low``
    up to ``high`` whose file gave their time with an offset.

    ``types`` is every event type (:func:`event_types`): naming them lets SQLite read the
    stretch of time through its index on type and time instead of every event.
    """
    ev = Event.__table__
    spent = func.sum(_spend(ev)).filter(ev.c.type.in_(ORDER_TYPES))
    currency = func.coalesce(ev.c.currency, "")
    out: dict[str, list] = {}
    for channel, cur, n, money in conn.execute(
            select(ev.c.channel, currency, func.count(), spent)
            .where(ev.c.type.in_(types), ev.c.occurred_utc >= low, ev.c.occurred_utc < high,
                   given_with_offset(ev.c.occurred_at))
            .group_by(ev.c.channel, currency)):
        entry = out.setdefault(channel, [0, {}])
        entry[0] += n
        _add_money(entry[1], cur, money)
    return [(channel, n, money) for channel, (n, money) in out.items()]


# -- journeys ------------------------------------------------------------------------------------

def journey_of(seen: dict[str, str], purchase: tuple[str, str] | None) -> tuple[list[str], str, int | None]:
    """One customer's path, first appearance and seconds to the first purchase (else to the second channel).

    ``seen`` maps each channel to the first time the customer appeared there
    (:data:`UNKNOWN` when no event there has a time); ``purchase`` is the channel and
    time of their first purchase.
    """
    ordered = sorted(seen.items(), key=lambda kv: (kv[1], kv[0]))
    path = []
    for channel, _when in ordered:
        path.append(channel)
        if purchase and channel == purchase[0]:
            break
    if purchase:
        path.append("purchase")
    first = ordered[0][1]
    then = purchase[1] if purchase else (ordered[1][1] if len(ordered) > 1 else UNKNOWN)
    gap = None
    if then != UNKNOWN and first != UNKNOWN:
        gap = int((datetime.fromisoformat(then[:19]) - datetime.fromisoformat(first[:19])).total_seconds())
    return path, first, gap


def purchase_condition(ev):
    """SQL: an event that is a journey's purchase: an order or till sale counted as an order by
    money.py's rule — not refunded, voided or cancelled, and not a till's refund line (a negative
    amount: money given back)."""
    return and_(ev.c.type.in_(ORDER_TYPES), counted_as_order(ev.c.status, ev.c.amount_minor))


def sign_ups(zone_key: str, *where):
    """SQL: (cid, ch, at) for each dated sign-up of a customer on a channel: a record's own sign-up
    time (``created_at``: a list's opt-in time, an account's creation) and each consent fact's
    own time (an SMS list's opt-in date), each as the instant the card's first seen takes
    (``timeutil.day_or_instant_utc`` on the shop's clock, ``zone_key``; "": the computer's).

    A sign-up is the person's first touch on its record's channel, as an event is: journeys
    begin at it.  Records entered by hand are no channel of a journey; ``where`` limits
    the records read (conditions on ``source_record``).
    """
    rec, con = SourceRecord.__table__, Consent.__table__
    mine = [rec.c.customer_id.is_not(None), rec.c.channel != HAND, *where]
    created = (select(rec.c.customer_id.label("cid"), rec.c.channel.label("ch"),
                      instant_utc(json_created_at(rec.c.values_json), literal(zone_key)).label("at"))
               .where(*mine, rec.c.values_json.contains('"created_at"', autoescape=True)))
    consented = (select(rec.c.customer_id, rec.c.channel, instant_utc(con.c.occurred_at, literal(zone_key)))
                 .select_from(con.join(rec, rec.c.id == con.c.record_id))
                 .where(*mine, con.c.occurred_at.is_not(None), con.c.occurred_at != ""))
    return union_all(created, consented)


def read_journeys(conn, customer_ids: list[int] | None = None, zone=None):
    """Every customer's first appearances and first purchase, read from events and records.

    Returns ``(seen, bought)`` as :func:`journey_of` takes them, per customer id, in
    the order the Dashboard has always counted them (customers with a dated event or
    sign-up first, each group by id); ``customer_ids`` limits the read to those customers.
    A dated sign-up (:func:`sign_ups`) is a first appearance on its channel as an event is.
    Times are instants (naive UTC text): a time its file gave without an offset (a
    till's) is stored on the shop's clock, ``zone`` (None: this computer's), and is read
    there, so a sale at the till at noon comes after an order online at ten.
    """
    from omnidesk.core.timeutil import wall_clock_utc

    rec, ev = SourceRecord.__table__, Event.__table__
    firsts: dict[int, dict[str, str]] = defaultdict(dict)
    bought: dict[int, tuple[str, str]] = {}
    parts = [None] if customer_ids is None else [list(p) for p in chunks(customer_ids)]
    spent = purchase_condition(ev)
    offset = func.coalesce(given_with_offset(ev.c.occurred_at), False)
    for part in parts:
        where = [ev.c.customer_id.is_not(None)]
        if part is not None:
            where.append(ev.c.customer_id.in_(part))
        # One pass: each channel's first event and first purchase, per clock its times were given on
        # (the order of times on one clock is the order of their instants).  Grouped by customer
        # and channel alone, as the events' index orders them: no sort of every event.
        at = ev.c.occurred_utc
        # A purchase with no date (an order whose export left it empty) is a purchase all the same, as
        # the card counts it: after every dated one (UNKNOWN), its channel known with no time.
        undated = func.count().filter(and_(spent, at.is_(None)))
        for cid, channel, first_utc, first_wall, bought_utc, bought_wall, bought_undated in conn.execute(
                select(ev.c.customer_id, ev.c.channel, func.min(at).filter(offset), func.min(at).filter(not_(offset)),
                       func.min(at).filter(and_(spent, offset)), func.min(at).filter(and_(spent, not_(offset))),
                       undated)
                .where(*where).group_by(ev.c.customer_id, ev.c.channel).order_by(ev.c.customer_id, ev.c.channel)):
            if first_wall is not None:
                first_wall = wall_clock_utc(first_wall[:19], zone) or first_wall[:19]
            if bought_wall is not None:
                bought_wall = wall_clock_utc(bought_wall[:19], zone) or bought_wall[:19]
            first = min((t for t in (first_utc, first_wall) if t is not None), default=UNKNOWN)
            first_bought = min((t for t in (bought_utc, bought_wall) if t is not None),
                               default=UNKNOWN if bought_undated else None)
            seen = firsts[cid]
            if channel not in seen or first < seen[channel]:
                seen[channel] = first
            # The earliest purchase; on a tie, the channel first in name order.
            if first_bought is not None and (cid not in bought or (first_bought, channel) < bought[cid][::-1]):
                bought[cid] = (channel, first_bought)
    zone_key = getattr(zone, "key", "") if zone is not None else ""
    for part in parts:
        only = [] if part is None else [rec.c.customer_id.in_(part)]
        signed = sign_ups(zone_key, *only).subquery("signed")
        for cid, channel, first in conn.execute(
                select(signed.c.cid, signed.c.ch, func.min(signed.c.at)).where(signed.c.at.is_not(None))
                .group_by(signed.c.cid, signed.c.ch)):
            seen = firsts[cid]
            if channel not in seen or first[:19] < seen[channel]:
                seen[channel] = first[:19]
    for part in parts:
        where = [rec.c.customer_id.is_not(None), rec.c.channel != HAND]
        if part is not None:
            where.append(rec.c.customer_id.in_(part))
        # A channel with no dated event nor sign-up (a mailing list with no sign-up times) joins last.
        for cid, channel in conn.execute(select(rec.c.customer_id, rec.c.channel).where(*where)
                                         .group_by(rec.c.customer_id, rec.c.channel)
                                         .order_by(rec.c.customer_id, rec.c.channel)):
            firsts[cid].setdefault(channel, UNKNOWN)
    # Customers with a dated appearance first, each group by id: the order ties are counted in.
    ordered = dict(sorted(firsts.items(), key=lambda kv: (min(kv[1].values()) == UNKNOWN, kv[0])))
    return ordered, bought


# The journeys kept are made on the shop's clock by one reading of events: the setting names both,
# and journeys made otherwise (by an earlier version, or for another zone) are all made again.
# 2: a time given without an offset read on the shop's clock; a till's refund line is no purchase.
# 3: a dated sign-up on a list is a first appearance on its channel (sign_ups).
# 4: with no shop zone, a sign-up's date alone or time without an offset is on the computer's clock.
# 5: an order with no date is a purchase (after every dated one).
JOURNEY_RULE = 5
JOURNEY_SETTING = "journey_reading"


def shop_zone_key(conn) -> str:
    """The ``timezone`` setting when it names a zone, else "" (this computer's zone)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from omnidesk.core.models import Setting

    raw = conn.execute(select(Setting.__table__.c.value).where(Setting.__table__.c.key == "timezone")).scalar()
    try:
        name = str(json.loads(raw) or "").strip() if raw else ""
        return name if name and ZoneInfo(name) else ""
    except (ValueError, ZoneInfoNotFoundError):
        return ""


def shop_currency_code(conn) -> str | None:
    """The shop's currency (money.workspace_currency) read through ``conn``: the ``currency``
    setting, else its region's; None when neither says."""
    from omnidesk.core.models import Setting
    from omnidesk.core.money import currency_from
    from omnidesk.core.workspace import DEFAULT_SETTINGS

    setting = Setting.__table__
    stored = dict(conn.execute(select(setting.c.key, setting.c.value)
                               .where(setting.c.key.in_(("currency", "default_region")))).all())

    def value(key: str) -> object:
        try:
            return json.loads(stored[key]) if stored.get(key) is not None else DEFAULT_SETTINGS.get(key)
        except ValueError:
            return None

    return currency_from(value("currency"), value("default_region"))


def _zone(key: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(key) if key else None


def journey_reading(zone_key: str) -> str:
    """The setting's value (JSON text) for journeys made by this version on ``zone_key``'s clock."""
    return json.dumps(f"{JOURNEY_RULE} {zone_key}".strip())


def journeys_made_for(zone_key: str):
    """SQL: the kept journeys were made by this version on ``zone_key``'s clock."""
    from sqlalchemy import exists

    from omnidesk.core.models import Setting

    setting = Setting.__table__
    return exists().where(setting.c.key == JOURNEY_SETTING, setting.c.value == journey_reading(zone_key))


def _made_for(conn, zone_key: str) -> bool:
    return bool(conn.execute(select(journeys_made_for(zone_key))).scalar())


def _rows(firsts, bought) -> list[dict]:
    out = []
    for cid, seen in firsts.items():
        path, first, gap = journey_of(seen, bought.get(cid))
        out.append({"customer_id": cid, "path": json.dumps(path), "first_utc": first, "gap_seconds": gap})
    return out


def refresh_journeys(conn) -> int:
    """Make the journeys of every customer listed stale again (in the caller's write transaction).

    When many are stale (a first import, Find Duplicates from scratch), every
    journey is made afresh in one pass instead.  Returns how many were stale.
    """
    from omnidesk.core.models import Setting

    stale_t, journey, setting = JourneyStale.__table__, CustomerJourney.__table__, Setting.__table__
    key = shop_zone_key(conn)
    if not _made_for(conn, key):
        # Made by an earlier version or on another clock (the shop's zone changed): every journey again.
        conn.exec_driver_sql(_EVERY_CUSTOMER_STALE)
        conn.execute(delete(journey))
        conn.execute(delete(setting).where(setting.c.key == JOURNEY_SETTING))
        conn.execute(insert(setting).values(key=JOURNEY_SETTING, value=journey_reading(key)))
    stale = list(conn.execute(select(stale_t.c.customer_id)).scalars())
    if not stale:
        return 0
    total = conn.execute(select(func.count()).select_from(journey)).scalar_one()
    if len(stale) > max(FULL_PASS_FROM, total // 10):
        conn.execute(delete(journey))
        rows = _rows(*read_journeys(conn, zone=_zone(key)))
    else:
        for part in chunks(stale):
            conn.execute(delete(journey).where(journey.c.customer_id.in_(list(part))))
        rows = _rows(*read_journeys(conn, stale, _zone(key)))
    for start in range(0, len(rows), _INSERT_ROWS):
        conn.execute(insert(journey), rows[start:start + _INSERT_ROWS])
    conn.execute(delete(stale_t))
    return len(stale)


# What records and events moving to another customer fire, row by row (migration 0016).
_MOVE_TRIGGERS = ("journey_record_update", "journey_event_update")
_EVERY_CUSTOMER_STALE = ("INSERT INTO journey_stale (customer_id) SELECT id FROM customer WHERE true "
                         "ON CONFLICT (customer_id) DO NOTHING")


@contextmanager
def journeys_stale_at_once(conn, *, deleting: bool = False):
    """For a rewrite that moves most records to other customers (a first big import, a rebuild).

    The triggers that list a moved record's or event's customers as stale,
    one row at a time, are put off (they cost as much again as the moves
    themselves); at the end every customer is listed stale in one statement
    instead, which makes every journey again on the next answer, as so many
    stale journeys would anyway (:func:`refresh_journeys`).  ``deleting``:
    the customers are about to be deleted, so they are listed first and
    the trigger that lists each deleted customer is put off too.
    """
    names = _MOVE_TRIGGERS + (("journey_customer_delete",) if deleting else ())
    with triggers_suspended(conn, names) as dropped:
        if dropped and deleting:
            conn.exec_driver_sql(_EVERY_CUSTOMER_STALE)
        yield
        if dropped:
            conn.exec_driver_sql(_EVERY_CUSTOMER_STALE)


def ensure_journeys(workspace) -> None:
    """Make stale journeys again, when the workspace can be written now."""
    if not summaries_kept(workspace) or getattr(workspace, "readonly", False):
        return
    with workspace.engine.connect() as conn:
        if journeys_current(conn):
            return
    _try_writing(workspace, refresh_journeys)


def journeys_current(conn) -> bool:
    """True when ``customer_journey`` holds every customer's journey as the events say now, made by
    this version on the shop's clock."""
    return (conn.execute(select(JourneyStale.__table__.c.customer_id).limit(1)).first() is None
            and _made_for(conn, shop_zone_key(conn)))


def count_paths(conn, period_where, limit: int | None) -> list[dict]:
    """The ``limit`` most common paths (None: all) over ``customer_journey``, as metrics.journeys returns them.

    Ties keep the order the Dashboard has always shown: the path first met
    reading customers with a dated event by id, then the others by id.
    """
    journey = CustomerJourney.__table__
    where = [] if (w := period_where(journey.c.first_utc)) is None else [w]
    dated = func.min(journey.c.customer_id).filter(journey.c.first_utc != UNKNOWN)
    groups = conn.execute(select(journey.c.path, func.count(), func.count(journey.c.gap_seconds), dated,
                                 func.min(journey.c.customer_id))
                          .where(*where).group_by(journey.c.path)).all()
    groups.sort(key=lambda g: (-g[1], (0, g[3]) if g[3] is not None else (1, g[4])))
    out = []
    for path, n, timed, _, _ in groups[:limit]:
        median = None
        if timed:
            # The middle one (or two) of the gaps, in the path's index order.
            middle = list(conn.execute(select(journey.c.gap_seconds)
                                       .where(journey.c.path == path, journey.c.gap_seconds.is_not(None), *where)
                                       .order_by(journey.c.gap_seconds)
                                       .limit(1 if timed % 2 else 2).offset((timed - 1) // 2)).scalars())
            days = [g / 86400 for g in middle]
            median = round(days[0] if len(days) == 1 else (days[0] + days[1]) / 2, 1)
        out.append({"path": json.loads(path), "customers": n, "median_days": median})
    return out
