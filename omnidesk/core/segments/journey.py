"""A customer's journey as segment fields: the channels they first appeared on, in order, up to their first purchase.

The same journey metrics.journeys counts, worked out in SQL for one rule:

* each channel's first appearance is the customer's first dated event on it, or
  their dated sign-up there if earlier (a list's opt-in time: ``metrics_index.sign_ups``,
  the times the card's first seen is made of); a channel they are known on (a record
  of theirs) with neither comes last (time unknown); entered-by-hand records are no
  channel of a journey;
* channels are in the order of those times, ties by channel code;
* times are instants: one its file gave without an offset (a till's) is on the shop's
  clock (the ``timezone`` setting), as the timeline reads it;
* the first purchase is their first dated order or till sale that is not refunded,
  voided or cancelled, nor a till's refund line (ties by channel code); the journey
  ends at that purchase's channel: channels first seen after it are no part of it.

Fields: ``first_channel``, ``second_channel``, ``third_channel`` (the journey's
channels, empty where it is shorter), ``purchase_channel`` (the channel of the
first purchase, empty without one) and ``journey_start`` (when the journey began:
the first dated event or sign-up; empty when no channel has one).

Every condition is one ``customer.id IN (…)`` over the journey table, negated
outside it, so it stays two-valued: a customer with no journey at all is not
``first_channel is shop`` and is ``first_channel is_not shop``.

Journeys are read where the Dashboard keeps them (``customer_journey``, made in
``metrics_index``) for every customer whose journey is current, and worked out
from events and records only for those listed in ``journey_stale``; so a rule on
a million customers reads one small table, and an answer is never stale.
``segments.prepare`` brings the kept journeys up to date first when it can.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    func,
    literal,
    not_,
    null,
    or_,
    select,
    union_all,
)

from omnidesk.core.channels import HAND
from omnidesk.core.dialect import json_item, summaries_kept_here, wall_utc
from omnidesk.core.metrics_index import given_with_offset, journeys_made_for, purchase_condition, sign_ups
from omnidesk.core.models import Customer, CustomerJourney, Event, JourneyStale, SourceRecord

STEP_FIELDS = ("first_channel", "second_channel", "third_channel")
CHANNEL_FIELDS = (*STEP_FIELDS, "purchase_channel")
START_FIELD = "journey_start"
UNDATED = "9999"  # sorts after every stored time: a channel known with no dated event comes last

_C = Customer.__table__


_KEPT = CustomerJourney.__table__
_STALE = JourneyStale.__table__
PURCHASE_STEP = "purchase"  # the last element of a kept path when the journey ends in a purchase


def kept_usable(zone_key: str):
    """SQL: the kept journeys may be read (they are kept here, made by this version on ``zone_key``'s clock)."""
    return and_(summaries_kept_here(), journeys_made_for(zone_key))


def journey_table(stale_only: bool = False, zone_key: str = ""):
    """One row per customer with a journey: cid, the step fields, purchase_channel and journey_start.

    ``stale_only`` works them out only for the customers whose kept journey cannot be read:
    those listed in ``journey_stale``, or every one when the kept journeys are not usable.
    ``zone_key`` is the shop's zone (an IANA name; "": this computer's), on whose clock a
    time given without an offset is read.
    """
    ev, rec = Event.__table__, SourceRecord.__table__
    # Where no journeys are kept (no triggers: not SQLite), or those kept were made otherwise,
    # every customer counts as stale.
    # A union, not an OR: SQLite then reads the events of the listed customers by index.
    stale = union_all(select(_STALE.c.customer_id), select(_C.c.id).where(not_(kept_usable(zone_key))))
    ev_only = [ev.c.customer_id.in_(stale)] if stale_only else []
    rec_only = [rec.c.customer_id.in_(stale)] if stale_only else []
    spent = purchase_condition(ev)
    offset = func.coalesce(given_with_offset(ev.c.occurred_at), False)
    # Each channel's first event and first purchase in one pass over the events, per clock the
    # times were given on (UTC with an offset, the shop's without); then each on one clock.
    # Grouped by customer and channel alone, as the events' index orders them (no sort of them all).
    t = ev.c.occurred_utc
    per_clock = (select(ev.c.customer_id.label("cid"), ev.c.channel.label("ch"),
                        func.min(t).filter(offset).label("at_utc"), func.min(t).filter(not_(offset)).label("at_wall"),
                        func.min(t).filter(and_(spent, offset)).label("bought_utc"),
                        func.min(t).filter(and_(spent, not_(offset))).label("bought_wall"),
                        # A purchase with no date counts, after every dated one (as metrics_index reads it).
                        func.count().filter(and_(spent, t.is_(None))).label("bought_undated"))
                 .where(ev.c.customer_id.is_not(None), *ev_only)
                 .group_by(ev.c.customer_id, ev.c.channel).subquery("journey_clocks"))

    def earliest(in_utc, on_wall):
        """The earlier instant of a time stored in UTC and one stored on the shop's clock (either may be NULL)."""
        wall = wall_utc(on_wall, literal(zone_key))
        return case((on_wall.is_(None), in_utc), (in_utc.is_(None), wall), (in_utc <= wall, in_utc), else_=wall)

    dated = select(per_clock.c.cid, per_clock.c.ch,
                   func.coalesce(earliest(per_clock.c.at_utc, per_clock.c.at_wall), literal(UNDATED)).label("at"),
                   func.coalesce(earliest(per_clock.c.bought_utc, per_clock.c.bought_wall),
                                 case((per_clock.c.bought_undated > 0, literal(UNDATED)))).label("bought"))
    signed_up = sign_ups(zone_key, *rec_only).subquery("journey_sign_ups")
    signed = select(signed_up.c.cid, signed_up.c.ch, signed_up.c.at, null().label("bought"))
    known = (select(rec.c.customer_id.label("cid"), rec.c.channel.label("ch"), literal(UNDATED).label("at"),
                    null().label("bought"))
             .where(rec.c.customer_id.is_not(None), rec.c.channel != HAND, *rec_only)
             .group_by(rec.c.customer_id, rec.c.channel))
    both = union_all(dated, signed, known).subquery("journey_seen")
    firsts = (select(both.c.cid, both.c.ch, func.min(both.c.at).label("at"), func.min(both.c.bought).label("bought"))
              .group_by(both.c.cid, both.c.ch).subquery("journey_firsts"))
    # The purchase's channel as a window over the customer's channels, not a join: SQLite
    # would scan a joined subquery once per row, which is quadratic in customers.
    steps = (select(firsts.c.cid, firsts.c.ch, firsts.c.at,
                    func.first_value(case((firsts.c.bought.is_not(None), firsts.c.ch))).over(
                        partition_by=firsts.c.cid,
                        order_by=(firsts.c.bought.is_(None), firsts.c.bought, firsts.c.ch)).label("pch"),
                    func.row_number().over(partition_by=firsts.c.cid,
                                           order_by=(firsts.c.at, firsts.c.ch)).label("step"))
             .subquery("journey_steps"))
    # The step of the purchase's channel: the journey ends there.
    marked = select(steps, func.max(case((steps.c.ch == steps.c.pch, steps.c.step))).over(
        partition_by=steps.c.cid).label("last")).subquery("journey_marked")
    inside = or_(marked.c.last.is_(None), marked.c.step <= marked.c.last)

    def at(n: int):
        return func.max(case((and_(marked.c.step == n, inside), marked.c.ch)))

    return (select(marked.c.cid, *(at(n + 1).label(name) for n, name in enumerate(STEP_FIELDS)),
                   func.max(marked.c.pch).label("purchase_channel"),
                   func.max(case((and_(marked.c.step == 1, marked.c.at != UNDATED), marked.c.at))).label(START_FIELD))
            .group_by(marked.c.cid).subquery("journey"))


def kept_journey_columns() -> dict:
    """The journey fields as expressions over ``customer_journey``'s kept path."""
    path = _KEPT.c.path

    def step(n: int):
        channel = json_item(path, n)
        return case((channel == PURCHASE_STEP, None), else_=channel)

    columns = {name: step(n) for n, name in enumerate(STEP_FIELDS)}
    columns["purchase_channel"] = case((json_item(path, -1) == PURCHASE_STEP, json_item(path, -2)))
    columns[START_FIELD] = case((_KEPT.c.first_utc != UNDATED, _KEPT.c.first_utc))
    return columns


def _holds(columns, field: str, op: str, value: Any, time_condition):
    col = columns[field]
    if field == START_FIELD:
        return time_condition(col, op, value)
    if op == "exists":
        return col.is_not(None)
    values = value if op == "in" else [value]
    return and_(col.is_not(None), col.in_(list(values)))


def journey_condition(field: str, op: str, value: Any, time_condition, zone_key: str = "") -> ColumnElement[bool]:
    """The WHERE clause over ``customer`` for one condition on a journey field.

    ``time_condition(column, op, value)`` compiles a time op as the segment engine does
    for first_seen (the same ops, days and dates on the shop's clock); ``zone_key`` is
    the shop's zone (an IANA name; "": this computer's), that clock.
    """
    negated = op in ("is_not", "not_exists", "not_within_days")
    positive = {"is_not": "is", "not_exists": "exists", "not_within_days": "within_days"}.get(op, op)
    live = journey_table(stale_only=True, zone_key=zone_key)
    kept = (select(_KEPT.c.customer_id)
            .where(_holds(kept_journey_columns(), field, positive, value, time_condition),
                   _KEPT.c.customer_id.not_in(select(_STALE.c.customer_id)), kept_usable(zone_key)))
    worked_out = select(live.c.cid).where(_holds(live.c, field, positive, value, time_condition))
    hit = or_(_C.c.id.in_(kept), _C.c.id.in_(worked_out))
    return not_(hit) if negated else hit
