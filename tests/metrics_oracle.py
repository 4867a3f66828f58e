"""The Dashboard's activity and journeys computed as they were before the summaries: from every event.

Kept as the oracle the summaries are held to (tests/core/test_metrics_index.py) and as the
"before" of the Dashboard benchmark.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter, defaultdict
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from omnidesk.core import metrics
from omnidesk.core.models import Consent, Event, SourceRecord
from omnidesk.core.money import NOT_SPEND, ORDER_TYPES

HAND = "manual"


def old_journeys(ws, period=metrics.Period(), limit=20):
    """metrics.journeys as it reads every event: each at its instant (a time given with an offset as
    stored, one without on the shop's clock), a purchase an order counted as money.py counts one (not
    refunded, voided or cancelled, not a negative till line), a dated sign-up a first appearance on
    its record's channel, and a journey in the period when its
    first appearance falls on one of the period's days on the shop's clock (one with no dated event
    only in the whole of time)."""
    from omnidesk.core.timeline import instant, workspace_zone
    from omnidesk.core.timeutil import day_or_instant_utc, local_day

    rec, ev = SourceRecord.__table__, Event.__table__
    zone = workspace_zone(ws)
    firsts: dict[int, dict[str, str]] = defaultdict(dict)
    bought: dict[int, tuple[str, str]] = {}
    with ws.engine.connect() as conn:
        for cid, channel, type_, status, amount, occurred_at, occurred_utc in conn.execute(
                select(ev.c.customer_id, ev.c.channel, ev.c.type, ev.c.status, ev.c.amount_minor, ev.c.occurred_at,
                       ev.c.occurred_utc)
                .where(ev.c.customer_id.is_not(None))):
            given = occurred_at is not None and len(occurred_at) > 10 and datetime.fromisoformat(occurred_at).tzinfo
            # An event with no date (an order whose export left it empty) comes after every dated one.
            at = "9999" if occurred_utc is None else occurred_utc if given else instant(occurred_utc, zone)
            if channel not in firsts[cid] or at < firsts[cid][channel]:
                firsts[cid][channel] = at
            if (type_ in ORDER_TYPES and status not in NOT_SPEND and (amount is None or amount >= 0)
                    and (cid not in bought or (at, channel) < bought[cid][::-1])):
                bought[cid] = (channel, at)
        # A dated sign-up (a record's created_at, a consent fact's own time) as the card's first seen reads it.
        signed = [(cid, channel, json.loads(values or "{}").get("created_at")) for cid, channel, values in conn.execute(
            select(rec.c.customer_id, rec.c.channel, rec.c.values_json)
            .where(rec.c.customer_id.is_not(None), rec.c.channel != HAND))]
        con = Consent.__table__
        signed += conn.execute(select(rec.c.customer_id, rec.c.channel, con.c.occurred_at)
                               .select_from(con.join(rec, rec.c.id == con.c.record_id))
                               .where(rec.c.customer_id.is_not(None), rec.c.channel != HAND)).all()
        for cid, channel, when in signed:
            at = day_or_instant_utc(when, zone) if when else None
            if at and (channel not in firsts[cid] or at < firsts[cid][channel]):
                firsts[cid][channel] = at
        for cid, channel, started in conn.execute(
                select(rec.c.customer_id, rec.c.channel, func.min(rec.c.id))
                .where(rec.c.customer_id.is_not(None), rec.c.channel != HAND).group_by(rec.c.customer_id, rec.c.channel)):
            firsts[cid].setdefault(channel, "9999")
    paths: Counter = Counter()
    gaps: dict[tuple, list[float]] = defaultdict(list)
    # Customers with a dated event first, each group by id: the order ties are shown in.
    for cid, seen in sorted(firsts.items(), key=lambda kv: (min(kv[1].values()) == "9999", kv[0])):
        ordered = sorted(seen.items(), key=lambda kv: (kv[1], kv[0]))
        if period.start or period.end:
            if ordered[0][1] == "9999" or not period.holds(local_day(ordered[0][1], zone)):
                continue
        path = []
        purchase = bought.get(cid)
        for channel, when in ordered:
            path.append(channel)
            if purchase and channel == purchase[0]:
                break
        if purchase:
            path.append("purchase")
        key = tuple(path)
        paths[key] += 1
        then = purchase[1] if purchase else (ordered[1][1] if len(ordered) > 1 else "9999")
        if then != "9999" and ordered[0][1] != "9999":
            gaps[key].append((datetime.fromisoformat(then[:19]) -
                              datetime.fromisoformat(ordered[0][1][:19])).total_seconds() / 86400)
    return [{"path": list(k), "customers": n,
             "median_days": round(statistics.median(gaps[k]), 1) if gaps.get(k) else None}
            for k, n in paths.most_common(limit)]


def old_activity(ws, period=metrics.Period()):
    """metrics.activity as it reads every event: each on its day on the shop's clock (a time given with an
    offset read there, one without as it was given); money in the shop's currency (or none) as revenue,
    each other currency apart."""
    from omnidesk.core.money import workspace_currency
    from omnidesk.core.timeline import workspace_zone

    ev = Event.__table__
    zone = workspace_zone(ws)
    shop = workspace_currency(ws)
    weeks: dict[tuple[str, str], list] = defaultdict(lambda: [0, 0, Counter()])
    with ws.engine.connect() as conn:
        for occurred_at, occurred_utc, channel, type_, status, amount, refunded, currency in conn.execute(
                select(ev.c.occurred_at, ev.c.occurred_utc, ev.c.channel, ev.c.type, ev.c.status, ev.c.amount_minor,
                       ev.c.refunded_minor, ev.c.currency).where(ev.c.occurred_utc.is_not(None))):
            offset = occurred_at is not None and datetime.fromisoformat(occurred_at).tzinfo is not None
            d = (datetime.fromisoformat(occurred_utc).replace(tzinfo=UTC).astimezone(zone).date().isoformat()
                 if offset else occurred_utc[:10])
            if (period.start and d < period.start.isoformat()) or (period.end and d > period.end.isoformat()):
                continue
            year, week, _ = date.fromisoformat(d).isocalendar()
            entry = weeks[(f"{year}-W{week:02d}", channel)]
            entry[0] += 1
            if type_ in ORDER_TYPES:
                # money.row_spend: a refund line its amount whatever its status, a refunded, voided or
                # cancelled order nothing, any other never below nothing
                if (amount or 0) < 0:
                    money = amount
                elif status in NOT_SPEND:
                    money = 0
                else:
                    money = (amount or 0) if refunded is None else max((amount or 0) - refunded, 0)
                if not currency or currency == shop:
                    entry[1] += money
                else:
                    entry[2][currency] += money
    out = []
    for (w, c), (n, m, others) in sorted(weeks.items()):
        row = {"week": w, "channel": c, "events": n, "revenue": round(m / 100, 2)}
        if any(others.values()):
            row["other_revenue"] = {k: round(v / 100, 2) for k, v in sorted(others.items()) if v}
        out.append(row)
    return out
