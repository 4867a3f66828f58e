"""A customer's journey as segment fields: the channels they first appeared on, in order, up to their first purchase.

The same journey metrics.journeys counts, worked out in SQL for one rule:

* each channel's first appearance is the customer's first dated event on it; a
  channel they are known on (a record of theirs) with no dated event comes last
  (time unknown); entered-by-hand records are no channel of a journey;
* channels are in the order of those times, ties by channel code;
* the first purchase is their first dated order or till sale that is not refunded,
  voided or cancelled (ties by channel code); the journey ends at that purchase's
  channel: channels first seen after it are no part of it.

Fields: ``first_channel``, ``second_channel``, ``third_channel`` (the journey's
channels, empty where it is shorter), ``purchase_channel`` (the channel of the
first purchase, empty without one) and ``journey_start`` (when the journey began:
the first dated event; empty when no channel has one).

Every condition is one ``customer.id IN (…)`` over the journey table, negated
outside it, so it stays two-valued: a customer with no journey at all is not
``first_channel is shop`` and is ``first_channel is_not shop``.
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
    or_,
    select,
    union_all,
)

from omnidesk.core.channels import HAND
from omnidesk.core.models import Customer, Event, SourceRecord
from omnidesk.core.money import NOT_SPEND, ORDER_TYPES

STEP_FIELDS = ("first_channel", "second_channel", "third_channel")
CHANNEL_FIELDS = (*STEP_FIELDS, "purchase_channel")
START_FIELD = "journey_start"
UNDATED = "9999"  # sorts after every stored time: a channel known with no dated event comes last

_C = Customer.__table__


def journey_table():
    """One row per customer with a journey: cid, the step fields, purchase_channel and journey_start."""
    ev, rec = Event.__table__, SourceRecord.__table__
    dated = (select(ev.c.customer_id.label("cid"), ev.c.channel.label("ch"), func.min(ev.c.occurred_utc).label("at"))
             .where(ev.c.customer_id.is_not(None), ev.c.occurred_utc.is_not(None))
             .group_by(ev.c.customer_id, ev.c.channel))
    known = (select(rec.c.customer_id.label("cid"), rec.c.channel.label("ch"), literal(UNDATED).label("at"))
             .where(rec.c.customer_id.is_not(None), rec.c.channel != HAND)
             .group_by(rec.c.customer_id, rec.c.channel))
    both = union_all(dated, known).subquery("journey_seen")
    firsts = (select(both.c.cid, both.c.ch, func.min(both.c.at).label("at"))
              .group_by(both.c.cid, both.c.ch).subquery("journey_firsts"))
    orders = (select(ev.c.customer_id.label("cid"), ev.c.channel.label("ch"), func.min(ev.c.occurred_utc).label("at"))
              .where(ev.c.customer_id.is_not(None), ev.c.occurred_utc.is_not(None), ev.c.type.in_(ORDER_TYPES),
                     ev.c.status.not_in(NOT_SPEND))
              .group_by(ev.c.customer_id, ev.c.channel).subquery("journey_orders"))
    ranked = select(orders.c.cid, orders.c.ch, func.row_number().over(
        partition_by=orders.c.cid, order_by=(orders.c.at, orders.c.ch)).label("n")).subquery("journey_ranked")
    bought = select(ranked.c.cid, ranked.c.ch).where(ranked.c.n == 1).subquery("journey_bought")
    steps = (select(firsts.c.cid, firsts.c.ch, firsts.c.at, bought.c.ch.label("pch"),
                    func.row_number().over(partition_by=firsts.c.cid,
                                           order_by=(firsts.c.at, firsts.c.ch)).label("step"))
             .select_from(firsts.outerjoin(bought, bought.c.cid == firsts.c.cid)).subquery("journey_steps"))
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


def journey_condition(field: str, op: str, value: Any, time_condition) -> ColumnElement[bool]:
    """The WHERE clause over ``customer`` for one condition on a journey field.

    ``time_condition(column, op, value)`` compiles a time op as the segment engine does
    for first_seen (the same ops, days and dates).
    """
    j = journey_table()
    negated = op in ("is_not", "not_exists", "not_within_days")
    positive = {"is_not": "is", "not_exists": "exists", "not_within_days": "within_days"}.get(op, op)
    col = j.c[field]
    if field == START_FIELD:
        cond = time_condition(col, positive, value)
    elif positive == "exists":
        cond = col.is_not(None)
    else:
        values = value if positive == "in" else [value]
        cond = and_(col.is_not(None), col.in_(list(values)))
    hit = _C.c.id.in_(select(j.c.cid).where(cond))
    return not_(hit) if negated else hit
