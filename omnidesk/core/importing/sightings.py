"""Rows an earlier file already held, word for word: further sightings of the same person.

Two exports that overlap (a newsletter list exported in March and again in
June) repeat rows exactly.  Each repeated row is still a fact of its own — this
file, this row, this channel, on that day — so it is stored like any other,
with its identifiers and consent.  It is placed on the customer of the earlier
identical row without being scored again (identical rows are one person by
definition, however thin the row), and the events it names (an order, a form
sent) are that earlier row's, already recorded once.  An export of whole
orders records each of its orders anyway, as the later version of the order
(``supersede.replace_earlier_orders``): its rows are sightings all the same.

When the earlier row's import is undone, its events are not lost while a
later file still holds the row: they pass to the later, identical record
(:func:`hand_on_events`), as if that file had recorded them itself.

A row repeated within one file is not a sighting of an earlier file: it is
imported as any other row, as it always was.  The same file imported again
(the same bytes, as the same channel and kind) is recognised before any row is
read, and adds nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection

from omnidesk.core.details import read_details
from omnidesk.core.importing.result import ImportResult
from omnidesk.core.importing.rows import Row
from omnidesk.core.importing.store import order_summary
from omnidesk.core.importing.supersede import forget_products
from omnidesk.core.models import Event, SourceRecord

_IN = 900


def earlier_rows(conn: Connection, hashes: Sequence[str], batch_id: int) -> dict[str, int]:
    """Row hash -> the first record of another import with that hash (skipped rows aside).

    A row hash covers the channel, the header and every cell, so only a row of
    the same channel, read under the same columns, can match.  The earlier
    record may be on no customer (an email open from an address a family
    shares): the row seen again then stays on none either, and its event is
    still not recorded twice.
    """
    rec = SourceRecord.__table__
    wanted = sorted(set(hashes))
    out: dict[str, int] = {}
    for start in range(0, len(wanted), 900):
        out.update(conn.execute(
            select(rec.c.row_hash, func.min(rec.c.id))
            .where(rec.c.row_hash.in_(wanted[start:start + 900]), rec.c.batch_id != batch_id,
                   rec.c.kind != "skipped")
            .group_by(rec.c.row_hash)
        ).all())
    return out


def follow_earlier_rows(ids: list[int], keep: list[tuple[Row, str]], seen: dict[str, int],
                        result: ImportResult) -> tuple[list[int], list[tuple[Row, str]]]:
    """Let the rows seen before follow their earlier record; return the other, new rows.

    Each row seen before becomes a follower of the earlier record (placed on
    its customer by the resolver) and is counted in ``result.seen_before``.
    """
    if not seen:
        return ids, keep
    new_ids, new = [], []
    for rid, pair in zip(ids, keep):
        lead = seen.get(pair[1])
        if lead is None:
            new_ids.append(rid)
            new.append(pair)
        else:
            result.followers[rid] = lead
            result.seen_before += 1
    return new_ids, new


def _lines(event) -> list[int]:
    """The records an event stands on: its own, then an order's other line rows."""
    if event.type == "order":
        ids = read_details(event.details_json).get("record_ids") or []
        if ids and ids[0] == event.record_id:
            return [int(i) for i in ids]
    return [event.record_id]


def hand_on_events(conn: Connection, batch_id: int) -> set[int]:
    """Before import ``batch_id`` is undone: pass each of its events to a later import holding the
    same row(s) as a sighting; returns the customers of the records that received one.

    A later identical row recorded no event of its own (its events were this import's), so
    deleting them would take an order, and its money, off the books although a file still
    kept holds it.  The event moves onto the oldest such record of another import (of the same
    kind: an order moves to a file of orders), which then leads it; an order's other lines go
    to that import's copies of them.  A record already counted in an event of its own is no
    heir.  Call it inside the undo's transaction, before the batch's events are deleted.
    """
    rec, ev = SourceRecord.__table__, Event.__table__
    events = conn.execute(select(ev.c.id, ev.c.record_id, ev.c.type, ev.c.details_json, ev.c.status,
                                 ev.c.refunded_minor).where(ev.c.batch_id == batch_id)).all()
    if not events:
        return set()
    lines = {e.id: _lines(e) for e in events}
    mine = sorted({r for ids in lines.values() for r in ids})
    info: dict[int, tuple[str, str]] = {}  # record -> (row hash, kind)
    for i in range(0, len(mine), _IN):
        info.update((rid, (h, kind)) for rid, h, kind in conn.execute(
            select(rec.c.id, rec.c.row_hash, rec.c.kind).where(rec.c.id.in_(mine[i:i + _IN]))))
    hashes = sorted({h for h, _ in info.values()})
    heirs: dict[tuple[str, str], list] = {}  # (row hash, kind) -> records of other imports, oldest first
    for i in range(0, len(hashes), _IN):
        for r in conn.execute(select(rec.c.id, rec.c.row_hash, rec.c.kind, rec.c.batch_id, rec.c.customer_id)
                              .where(rec.c.row_hash.in_(hashes[i:i + _IN]), rec.c.batch_id != batch_id,
                                     rec.c.kind != "skipped").order_by(rec.c.id)):
            heirs.setdefault((r.row_hash, r.kind), []).append(r)
    if not heirs:
        return set()
    candidates = sorted({r.id for rs in heirs.values() for r in rs})
    counted: set[int] = set()  # records that lead an event, or are a line of an order, already
    for i in range(0, len(candidates), _IN):
        counted.update(conn.execute(select(ev.c.record_id).where(ev.c.record_id.in_(candidates[i:i + _IN])))
                       .scalars())
    batches = sorted({r.batch_id for rs in heirs.values() for r in rs})
    for e in conn.execute(select(ev.c.record_id, ev.c.type, ev.c.details_json)
                          .where(ev.c.batch_id.in_(batches), ev.c.type == "order")):
        counted.update(_lines(e)[1:])
    taken: set[int] = set()

    def heir(record: int, batch: int | None = None):
        for r in heirs.get(info.get(record, ("", "")), ()):
            if r.id not in counted and r.id not in taken and (batch is None or r.batch_id == batch):
                taken.add(r.id)
                return r
        return None

    touched: set[int] = set()
    receiving: set[int] = set()
    for e in events:
        ids = lines[e.id]
        lead = heir(ids[0])
        if lead is None:
            continue  # no later file holds the row: the event goes with its import
        values = {"batch_id": lead.batch_id, "record_id": lead.id, "customer_id": lead.customer_id}
        if len(ids) > 1:
            details = read_details(e.details_json)
            others = [(n, heir(rid, lead.batch_id)) for n, rid in enumerate(ids[1:], 1)]
            items = details.get("items", [])
            if len(items) == len(ids):  # one item per line: a line no later file holds takes its item along
                details["items"] = [items[0]] + [items[n] for n, r in others if r is not None]
            details["record_ids"] = [lead.id] + [r.id for _, r in others if r is not None]
            values["details_json"] = json.dumps(details, ensure_ascii=False, default=str)
            values["summary"] = order_summary(details.get("order_id", ""), details.get("items", []),
                                              {"status": e.status, "refunded_minor": e.refunded_minor})
        conn.execute(update(ev).where(ev.c.id == e.id).values(**values))
        receiving.add(lead.batch_id)
        if lead.customer_id is not None:
            touched.add(lead.customer_id)
    forget_products(conn, receiving)
    return touched
