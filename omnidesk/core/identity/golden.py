"""Build each customer's golden record from the source records linked to it.

Survivorship, per field: a value the user pinned wins; otherwise the most
recently imported contact record that has the field, then event records; for
email and phone the value seen most often (ties: the most recent).  Consent per
channel is the latest fact.  Spend and orders come from order events, or from
the shop's own totals when no orders were imported.  A customer left with no
source record is deleted.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable

from sqlalchemy import bindparam, case, delete, func, select, update
from sqlalchemy.engine import Connection

from omnidesk.core.timeutil import to_utc
from omnidesk.core.dialect import has_customer_search, index_customers, unindex_customers
from omnidesk.core.models import Consent, Customer, Event, Identifier, SourceRecord, utcnow

_CHUNK = 900  # customers per round trip; stays under every database's parameter limit
_TEXT_FIELDS = ("first_name", "last_name", "company", "address", "city", "region", "postcode",
                "country", "birthday")
_ORDER_TYPES = ("order", "purchase")


def _display_name(first: str, last: str, email: str | None, phone: str | None) -> str:
    name = " ".join(x for x in (first, last) if x)
    return name or email or phone or "(no name)"


def refresh_customers(conn: Connection, customer_ids: Iterable[int]) -> int:
    """Recompute the golden record of ``customer_ids``; returns how many were deleted as empty."""
    ids = sorted(set(customer_ids))
    deleted = 0
    for i in range(0, len(ids), _CHUNK):
        deleted += _refresh_chunk(conn, ids[i:i + _CHUNK])
    return deleted


def _refresh_chunk(conn: Connection, ids: list[int]) -> int:
    rec = SourceRecord.__table__
    cust = Customer.__table__
    records: dict[int, list] = {cid: [] for cid in ids}
    for row in conn.execute(
        select(rec.c.id, rec.c.customer_id, rec.c.kind, rec.c.channel, rec.c.email, rec.c.phone,
               rec.c.tags, rec.c.values_json, *[rec.c[f] for f in _TEXT_FIELDS])
        .where(rec.c.customer_id.in_(ids))
        .order_by(rec.c.id)
    ):
        records[row.customer_id].append(row)
    pinned = {
        cid: json.loads(p or "{}")
        for cid, p in conn.execute(select(cust.c.id, cust.c.pinned_json).where(cust.c.id.in_(ids)))
    }
    consent = Consent.__table__
    latest_consent: dict[tuple[int, str], tuple] = {}
    for cid, channel, status, when, rid in conn.execute(
        select(consent.c.customer_id, consent.c.channel, consent.c.status, consent.c.occurred_at,
               consent.c.record_id).where(consent.c.customer_id.in_(ids))
    ):
        key = (cid, channel)
        rank = (when or "", rid)
        if key not in latest_consent or rank >= latest_consent[key][0]:
            latest_consent[key] = (rank, status)
    ev = Event.__table__
    is_order = ev.c.type.in_(_ORDER_TYPES)
    event_stats = {
        row.customer_id: row
        for row in conn.execute(
            select(
                ev.c.customer_id,
                func.sum(case((is_order, 1), else_=0)).label("orders"),
                func.sum(case((is_order, ev.c.amount_minor), else_=0)).label("spend"),
                func.min(ev.c.occurred_utc).label("first"),
                func.max(ev.c.occurred_utc).label("last"),
            ).where(ev.c.customer_id.in_(ids)).group_by(ev.c.customer_id)
        )
    }
    updates = []
    empty = []
    now = utcnow()
    for cid in ids:
        rows = records[cid]
        if not rows:
            empty.append(cid)
            continue
        # Contact records outrank events; within each, the latest import wins.
        ranked = sorted(rows, key=lambda r: (r.kind == "contacts", r.id), reverse=True)
        values = {}
        for f in _TEXT_FIELDS:
            values[f] = next((getattr(r, f) for r in ranked if getattr(r, f)), "")
        values["birthday"] = values["birthday"] or None
        for f in ("email", "phone"):
            counts = Counter(getattr(r, f) for r in rows if getattr(r, f))
            if counts:
                best = max(counts.values())
                values[f] = next(getattr(r, f) for r in ranked if counts.get(getattr(r, f)) == best)
            else:
                values[f] = None
        for f, v in pinned.get(cid, {}).items():
            if f in values or f in ("email", "phone"):
                values[f] = v
        tags: list[str] = []
        seen_tags: set[str] = set()
        for r in rows:
            for t in (r.tags or "").split(", "):
                # "VIP" from one tool and "vip" from another are one tag.
                if t and t.casefold() not in seen_tags:
                    seen_tags.add(t.casefold())
                    tags.append(t)
        extras = [json.loads(r.values_json or "{}") for r in rows]
        created = [to_utc(e["created_at"]) for e in extras if e.get("created_at")]
        stats = event_stats.get(cid)
        orders = int(stats.orders or 0) if stats else 0
        spend = int(stats.spend or 0) if stats and stats.orders else None
        if not orders:
            shop_orders = [int(e["total_orders"]) for e in extras if e.get("total_orders") is not None]
            shop_spend = [e["total_spent"] for e in extras if e.get("total_spent") is not None]
            orders = max(shop_orders, default=0)
            if shop_spend:
                spend = max(int(round(float(s) * 100)) for s in shop_spend)
        seen = sorted(t for t in ([stats.first, stats.last] if stats else []) + created if t)
        updates.append({
            "cid": cid,
            **values,
            "display_name": _display_name(values["first_name"], values["last_name"],
                                          values["email"], values["phone"]),
            "tags": ", ".join(tags),
            "consent_email": latest_consent.get((cid, "email"), (None, None))[1],
            "consent_sms": latest_consent.get((cid, "sms"), (None, None))[1],
            "channels": " ".join(sorted({r.channel for r in rows})),
            "spend_minor": spend,
            "orders": orders,
            "first_seen": seen[0][:19] if seen else None,
            "last_seen": seen[-1][:19] if seen else None,
            "source_count": len(rows),
            "updated_at": now,
        })
    _index_for_search(conn, updates, records)
    if updates:
        cols = [k for k in updates[0] if k != "cid"]
        conn.execute(
            update(cust).where(cust.c.id == bindparam("cid")).values({c: bindparam(c) for c in cols}),
            updates,
        )
    if empty:
        unindex_customers(conn, empty)
        conn.execute(delete(cust).where(cust.c.id.in_(empty)))
    return len(empty)


def _index_for_search(conn: Connection, updates: list[dict], records: dict[int, list]) -> None:
    """Every name, email and phone a customer's records carry, for search in any format."""
    if not has_customer_search(conn) or not updates:
        return
    ids = [u["cid"] for u in updates]
    ident = Identifier.__table__
    rec = SourceRecord.__table__
    emails: dict[int, set[str]] = {cid: set() for cid in ids}
    phones: dict[int, set[str]] = {cid: set() for cid in ids}
    for cid, kind, value in conn.execute(
        select(rec.c.customer_id, ident.c.kind, ident.c.value)
        .join(rec, rec.c.id == ident.c.record_id).where(rec.c.customer_id.in_(ids))
    ):
        if kind == "email":
            emails[cid].add(value)
        elif kind == "phone":
            # E.164 digits plus the national form, so "(415) 555" and "+1 415" both find it.
            digits = value.lstrip("+")
            phones[cid].add(digits)
            national = _national_digits(value)
            if national:
                phones[cid].add(national)
    rows = []
    for u in updates:
        cid = u["cid"]
        names = {u["display_name"]}
        for r in records[cid]:
            full = " ".join(x for x in (r.first_name, r.last_name) if x)
            if full:
                names.add(full)
        rows.append((cid, " | ".join(sorted(names)), " ".join(sorted(emails[cid])), " ".join(sorted(phones[cid]))))
    index_customers(conn, rows)


def _national_digits(e164: str) -> str:
    if e164.startswith("+1") and len(e164) == 12:
        return e164[2:]  # North America: no trunk prefix, no parse needed
    import phonenumbers

    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return ""
    return str(number.national_number)
