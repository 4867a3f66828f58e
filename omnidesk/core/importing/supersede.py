"""A fixed row of an error report replaces the row it corrects.

The flagged original stays, as read, on its customer (nothing imported is
thrown away), but what it said happened no longer counts: its events (a sale,
an order, a form sent) are taken off the timeline, the orders and the revenue,
and kept inside the original record (``values_json["superseded_by"]``) so that
undoing the fixing import puts them back exactly.  The fixed row records which
record it corrects (``values_json["corrects"]``).

A row fixed twice (a report of the fixed report, or the same report fixed
again) replaces the version in force, so a sale counts once however often its
row is corrected.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from omnidesk.core.importing.rows import Row
from omnidesk.core.importing.store import order_summary
from omnidesk.core.models import Event, SourceRecord

SUPERSEDED, CORRECTS = "superseded_by", "corrects"
_ITEM_FIELDS = ("item_name", "item_quantity", "item_price")
# How many fixes of one row are followed before giving up (a loop cannot happen; a bound costs nothing).
_CHAIN = 1000


def _values(text: str | None) -> dict:
    try:
        values = json.loads(text or "{}")
    except ValueError:
        return {}
    return values if isinstance(values, dict) else {}


def _named(values: Sequence[str], columns: tuple[int, int]) -> tuple[int, int] | None:
    try:
        return int(values[columns[0]]), int(values[columns[1]])
    except (ValueError, IndexError):
        return None  # a row added by hand, or its numbers edited away: a row like any other


def corrected_records(conn: Connection, columns: tuple[int, int], batch_id: int,
                      ids: Sequence[int], keep: Sequence[tuple[Row, str]]) -> dict[int, int]:
    """New record id -> the record in force that its row corrects (the original, or its latest fix)."""
    rec = SourceRecord.__table__
    out: dict[int, int] = {}
    for rid, (row, _) in zip(ids, keep):
        named = _named(row.record.values, columns)
        if named is None or named[0] == batch_id:
            continue
        found = conn.execute(select(rec.c.id, rec.c.values_json).where(
            rec.c.batch_id == named[0], rec.c.record_no == named[1])).first()
        for _ in range(_CHAIN):
            if found is None:
                break
            marker = _values(found.values_json).get(SUPERSEDED)
            later = marker.get("record") if isinstance(marker, dict) else None
            if later is None or later == rid:
                break
            nxt = conn.execute(select(rec.c.id, rec.c.values_json).where(rec.c.id == later)).first()
            if nxt is None:
                break
            found = nxt
        if found is not None:
            out[rid] = found.id
    return out


def events_of(conn: Connection, record_ids: Iterable[int]) -> set[int]:
    """The records among ``record_ids`` that lead an event of their own."""
    ev = Event.__table__
    ids = sorted(set(record_ids))
    out: set[int] = set()
    for start in range(0, len(ids), 900):
        out.update(conn.execute(select(ev.c.record_id).where(ev.c.record_id.in_(ids[start:start + 900]))).scalars())
    return out


def supersede(conn: Connection, batch_id: int, corrected: dict[int, int]) -> int:
    """Take the events of each corrected record off the count, kept in that record; returns how many."""
    rec, ev = SourceRecord.__table__, Event.__table__
    taken = 0
    for new_id, old_id in corrected.items():
        events = [dict(e) for e in conn.execute(select(ev).where(ev.c.record_id == old_id)).mappings()]
        for e in events:
            e.pop("id", None)
            e.pop("customer_id", None)  # whoever the record is on when it comes back
        old_values = _values(conn.execute(select(rec.c.values_json).where(rec.c.id == old_id)).scalar())
        new = conn.execute(select(rec.c.record_no, rec.c.values_json).where(rec.c.id == new_id)).first()
        old_values[SUPERSEDED] = {"batch": batch_id, "row": new.record_no, "record": new_id, "events": events}
        new_values = _values(new.values_json)
        new_values[CORRECTS] = old_id
        conn.execute(update(rec).where(rec.c.id == old_id).values(
            values_json=json.dumps(old_values, ensure_ascii=False, default=str)))
        conn.execute(update(rec).where(rec.c.id == new_id).values(
            values_json=json.dumps(new_values, ensure_ascii=False, default=str)))
        taken += conn.execute(delete(ev).where(ev.c.record_id == old_id)).rowcount
    return taken


def carry_order_lines(conn: Connection, corrected: dict[int, int]) -> None:
    """A fixed first row of a multi-row order keeps the order's other lines.

    The error report holds only the flagged row; the order's other lines stay
    in the original file's import, and the order that replaces the original
    lists them as before.
    """
    rec, ev = SourceRecord.__table__, Event.__table__
    for new_id, old_id in corrected.items():
        old_values = _values(conn.execute(select(rec.c.values_json).where(rec.c.id == old_id)).scalar())
        marker = old_values.get(SUPERSEDED) or {}
        for old in marker.get("events", ()):
            details = _values(old.get("details_json"))
            others = details.get("record_ids", [])[1:]
            if not others:
                continue
            new = conn.execute(select(ev.c.id, ev.c.details_json, ev.c.status, ev.c.refunded_minor)
                               .where(ev.c.record_id == new_id, ev.c.type == "order")).first()
            if new is None:
                continue
            lead_items = 1 if any(k in old_values for k in _ITEM_FIELDS) else 0
            new_details = _values(new.details_json)
            new_details["items"] = list(new_details.get("items", [])) + list(details.get("items", [])[lead_items:])
            new_details["record_ids"] = list(new_details.get("record_ids", [new_id])) + others
            conn.execute(update(ev).where(ev.c.id == new.id).values(
                details_json=json.dumps(new_details, ensure_ascii=False, default=str),
                summary=order_summary(new_details.get("order_id", ""), new_details["items"],
                                      {"status": new.status, "refunded_minor": new.refunded_minor})))


def restore_superseded(conn: Connection, batch_id: int) -> set[int]:
    """Undoing import ``batch_id``: the records its rows corrected count again; returns their customers."""
    rec, ev = SourceRecord.__table__, Event.__table__
    fixed = [(rid, _values(v).get(CORRECTS)) for rid, v in conn.execute(
        select(rec.c.id, rec.c.values_json).where(rec.c.batch_id == batch_id,
                                                  rec.c.values_json.like(f'%"{CORRECTS}"%')))]
    touched: set[int] = set()
    for new_id, old_id in fixed:
        if old_id is None:
            continue
        old = conn.execute(select(rec.c.values_json, rec.c.customer_id).where(rec.c.id == old_id)).first()
        if old is None:
            continue  # its own import was undone first
        values = _values(old.values_json)
        marker = values.get(SUPERSEDED)
        if not isinstance(marker, dict) or marker.get("record") != new_id:
            continue
        events = [{**e, "customer_id": old.customer_id} for e in marker.get("events", ())]
        if events:
            conn.execute(insert(ev), events)
        del values[SUPERSEDED]
        conn.execute(update(rec).where(rec.c.id == old_id).values(
            values_json=json.dumps(values, ensure_ascii=False, default=str) if values else "{}"))
        if old.customer_id is not None:
            touched.add(old.customer_id)
    return touched


def superseded_by(values_json: str | None) -> int | None:
    """The import whose fixed row replaced this record, if one did."""
    marker = _values(values_json).get(SUPERSEDED)
    return marker.get("batch") if isinstance(marker, dict) else None
