"""Attach newly imported source records to customers by shared identifiers.

This is the deterministic first pass: the same email, phone or (channel-scoped)
external id puts records on the same customer, unless the names on the two sides
clearly disagree (a family sharing one email address stays two people).  The
full resolver with fuzzy matching and review builds on top of this.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Connection

from omnidesk.core.models import Consent, Customer, Event, Identifier, SourceRecord, utcnow

_IN_CHUNK = 900  # stay under every database's bound-parameter limit


@dataclass
class LinkStats:
    created: int = 0
    updated: int = 0
    touched: set[int] = field(default_factory=set)


def _fold(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch for ch in text.casefold() if ch.isalpha())


def names_compatible(a: str, b: str) -> bool:
    """False only when two first names clearly belong to different people.

    Empty names, one name a prefix of the other (Kate / Katherine) and the
    same initial (typos, nicknames such as Liz / Lisa are left to review) are
    compatible; Anna vs. Mark is not.
    """
    fa, fb = _fold(a), _fold(b)
    if not fa or not fb:
        return True
    return fa.startswith(fb) or fb.startswith(fa) or fa[0] == fb[0]


def _chunks(items: list, size: int = _IN_CHUNK):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def link_records(conn: Connection, batch_id: int, followers: dict[int, int] | None = None) -> LinkStats:
    """Link every unlinked record of ``batch_id`` to a customer, creating customers as needed.

    ``followers`` maps a record to the record it continues (the later line-item
    rows of a multi-row order): those take the customer of the row they follow.
    Contact records always end on a customer; event records only when they carry
    an identifier.  Consent facts and events of the batch get their record's customer.
    """
    stats = LinkStats()
    followers = followers or {}
    rec = SourceRecord.__table__
    records = conn.execute(
        select(rec.c.id, rec.c.kind, rec.c.first_name, rec.c.last_name)
        .where(rec.c.batch_id == batch_id, rec.c.customer_id.is_(None))
        .order_by(rec.c.id)
    ).all()
    if not records:
        return stats
    ids_by_record: dict[int, list[tuple[str, str]]] = {}
    ident = Identifier.__table__
    for part in _chunks([r.id for r in records]):
        for rid, kind, value in conn.execute(
            select(ident.c.record_id, ident.c.kind, ident.c.value).where(ident.c.record_id.in_(part))
        ):
            ids_by_record.setdefault(rid, []).append((kind, value))

    # Which existing customers already hold each identifier value, with their first names.
    values = sorted({v for lst in ids_by_record.values() for _, v in lst})
    holders: dict[tuple[str, str], list[int]] = {}
    first_names: dict[int, str] = {}
    cust = Customer.__table__
    for part in _chunks(values):
        for kind, value, cid, first in conn.execute(
            select(ident.c.kind, ident.c.value, rec.c.customer_id, cust.c.first_name)
            .join(rec, rec.c.id == ident.c.record_id)
            .join(cust, cust.c.id == rec.c.customer_id)
            .where(ident.c.value.in_(part))
            .distinct()
        ):
            bucket = holders.setdefault((kind, value), [])
            if cid not in bucket:
                bucket.append(cid)
            first_names[cid] = first

    assignment: dict[int, int] = {}  # record id -> customer id (negative: new in this batch)
    new_ids = 0
    existing_touched: set[int] = set()
    for r in records:
        if r.id in followers:
            continue
        keys = ids_by_record.get(r.id, [])
        chosen = None
        for key in keys:
            for cid in holders.get(key, ()):
                if names_compatible(first_names.get(cid, ""), r.first_name):
                    chosen = cid
                    break
            if chosen is not None:
                break
        if chosen is None:
            if not keys and r.kind == "events":
                continue  # an anonymous event (a walk-in sale) belongs to nobody yet
            new_ids -= 1
            chosen = new_ids
            first_names[chosen] = r.first_name
        elif chosen > 0:
            existing_touched.add(chosen)
        if not first_names.get(chosen) and r.first_name:
            first_names[chosen] = r.first_name
        assignment[r.id] = chosen
        for key in keys:
            bucket = holders.setdefault(key, [])
            if chosen not in bucket:
                bucket.append(chosen)

    # Create the new customers in one bulk insert and swap in their real ids.
    placeholders = sorted({c for c in assignment.values() if c < 0}, reverse=True)
    real: dict[int, int] = {}
    if placeholders:
        now = utcnow()
        rows = [{"first_name": "", "last_name": "", "display_name": "", "created_at": now,
                 "updated_at": now, "tags": "", "pinned_json": "{}", "notes": "", "channels": "",
                 "company": "", "address": "", "city": "", "region": "", "postcode": "",
                 "country": "", "orders": 0, "source_count": 0} for _ in placeholders]
        new = conn.execute(insert(cust).returning(cust.c.id, sort_by_parameter_order=True), rows)
        real = dict(zip(placeholders, (row[0] for row in new)))
    final = {rid: real.get(cid, cid) for rid, cid in assignment.items()}
    for follower, lead in followers.items():
        if lead in final:
            final[follower] = final[lead]
    if final:
        conn.execute(
            update(rec).where(rec.c.id == bindparam("rid")).values(customer_id=bindparam("cid")),
            [{"rid": rid, "cid": cid} for rid, cid in final.items()],
        )
    for table in (Consent.__table__, Event.__table__):
        conn.execute(
            update(table)
            .where(table.c.record_id.in_(select(rec.c.id).where(rec.c.batch_id == batch_id)))
            .values(customer_id=select(rec.c.customer_id).where(rec.c.id == table.c.record_id).scalar_subquery())
        )
    stats.created = len(placeholders)
    stats.updated = len(existing_touched)
    stats.touched = set(real.values()) | existing_touched
    return stats


def record_followers(details_rows: list[tuple[int, str]]) -> dict[int, int]:
    """From events' (record_id, details_json), the continuation rows of multi-row orders."""
    out: dict[int, int] = {}
    for lead, details in details_rows:
        ids = json.loads(details).get("record_ids") or []
        for rid in ids[1:]:
            out[rid] = lead
    return out
