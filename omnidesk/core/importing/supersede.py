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

An order exported again (the same channel and order number in a later orders
export) replaces its earlier version the same way (:func:`replace_earlier_orders`):
the later export's status, amount and refund count, the earlier is kept.  The
marker says which of the two replaced a record (its ``"why"``), so an import's
flagged rows tell a row that was fixed from one whose order a later export
replaced (:class:`Replacements`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from sqlalchemy import delete, insert, literal_column, select, update
from sqlalchemy.engine import Connection

from omnidesk.core.details import read_details
from omnidesk.core.dialect import order_number
from omnidesk.core.importing.report_columns import is_error_report
from omnidesk.core.importing.rows import Row
from omnidesk.core.importing.store import order_summary
from omnidesk.core.models import Event, EventProduct, ImportBatch, ProductBatch, SourceRecord

SUPERSEDED, CORRECTS = "superseded_by", "corrects"
# Why a record was replaced (its marker's "why"): a fixed row of an error report, or a later
# orders export's version of its order.
FIXED, EXPORTED_AGAIN = "fixed", "exported again"
_ITEM_FIELDS = ("item_name", "item_quantity", "item_price")
# How many fixes of one row are followed before giving up (a loop cannot happen; a bound costs nothing).
_CHAIN = 1000


def json_object(text: str | None) -> dict:
    """A JSON object column read as a dict ({} when empty, unreadable, nested too deep to read or not an object)."""
    return read_details(text)


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
            marker = json_object(found.values_json).get(SUPERSEDED)
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


def _take_off(conn: Connection, batch_id: int, new_id: int, new_no: int, old_id: int, why: str) -> int:
    """Take record ``old_id``'s events off the count, kept in it as replaced by ``new_id`` (``why``:
    :data:`FIXED` or :data:`EXPORTED_AGAIN`)."""
    rec, ev = SourceRecord.__table__, Event.__table__
    events = [dict(e) for e in conn.execute(select(ev).where(ev.c.record_id == old_id)).mappings()]
    for e in events:  # its id kept, so that it comes back as it was (see restore_superseded)
        e.pop("customer_id", None)  # whoever the record is on when it comes back
    old_values = json_object(conn.execute(select(rec.c.values_json).where(rec.c.id == old_id)).scalar())
    old_values[SUPERSEDED] = {"batch": batch_id, "row": new_no, "record": new_id, "why": why, "events": events}
    conn.execute(update(rec).where(rec.c.id == old_id).values(
        values_json=json.dumps(old_values, ensure_ascii=False, default=str)))
    return conn.execute(delete(ev).where(ev.c.record_id == old_id)).rowcount


def _set_corrects(conn: Connection, record_id: int, values: dict, corrects: list[int]) -> None:
    """Record which records ``record_id`` replaces: one (a fixed row) as a number, several as a list."""
    values[CORRECTS] = corrects[0] if len(corrects) == 1 else corrects
    conn.execute(update(SourceRecord.__table__).where(SourceRecord.__table__.c.id == record_id).values(
        values_json=json.dumps(values, ensure_ascii=False, default=str)))


def _corrects(values: dict) -> list[int]:
    found = values.get(CORRECTS)
    found = found if isinstance(found, list) else [found]
    return [int(i) for i in found if isinstance(i, int)]


def supersede(conn: Connection, batch_id: int, corrected: dict[int, int]) -> int:
    """Take the events of each corrected record off the count, kept in that record; returns how many."""
    rec = SourceRecord.__table__
    taken = 0
    for new_id, old_id in corrected.items():
        new = conn.execute(select(rec.c.record_no, rec.c.values_json).where(rec.c.id == new_id)).first()
        taken += _take_off(conn, batch_id, new_id, new.record_no, old_id, FIXED)
        _set_corrects(conn, new_id, json_object(new.values_json), [old_id])
    return taken


# Written out, not bound: the index of orders (migration 0028) holds only rows of this type,
# and SQLite reads a partial index only for a query that names its condition as it is written.
_ORDERS = literal_column("'order'")
# Order numbers asked for at once (SQLite allows 999 bound values in its older builds).
_KEYS = 900


def replace_earlier_orders(conn: Connection, batch_id: int, channel: str) -> set[int]:
    """Import ``batch_id``'s orders replace the earlier imports' versions of the same orders.

    An order is its channel and its order number: the same order in a later export
    (fulfilled, refunded, its total changed since, or just exported again) is that order
    as it stands now, never a second one.  Each earlier version's event stops counting,
    kept inside its record as a fixed row's original is (:func:`supersede`), so undoing
    this import puts it back.  For exports of whole orders (each order's rows all in the
    file that has it): the preset groups rows by order.  Returns the customers that held
    the earlier versions, whose figures change.
    """
    rec, ev = SourceRecord.__table__, Event.__table__
    number = order_number(ev.c.details_json)
    mine: dict[str, int] = {}  # order number -> the record leading its order in this import
    for rid, key in conn.execute(select(ev.c.record_id, number)
                                 .where(ev.c.batch_id == batch_id, ev.c.type == _ORDERS).order_by(ev.c.id)):
        if key is not None and key != "":
            mine.setdefault(key, rid)
    if not mine:
        return set()
    earlier: dict[int, list[int]] = {}  # this import's record -> earlier records leading the same order
    touched: set[int] = set()
    # Only this file's order numbers are looked up, by the index of orders by channel and number:
    # the time this takes follows the file, not the orders the workspace holds.
    keys = list(mine)
    for start in range(0, len(keys), _KEYS):
        for rid, cid, key in conn.execute(
                select(ev.c.record_id, ev.c.customer_id, number).where(
                    ev.c.type == _ORDERS, ev.c.channel == channel, number.in_(keys[start:start + _KEYS]),
                    ev.c.batch_id != batch_id)):
            earlier.setdefault(mine[key], []).append(rid)
            if cid is not None:
                touched.add(cid)
    for new_id, olds in earlier.items():
        new = conn.execute(select(rec.c.record_no, rec.c.values_json).where(rec.c.id == new_id)).first()
        olds = sorted(set(olds))
        for old_id in olds:
            _take_off(conn, batch_id, new_id, new.record_no, old_id, EXPORTED_AGAIN)
        _set_corrects(conn, new_id, json_object(new.values_json), olds)
    return touched


def carry_order_lines(conn: Connection, corrected: dict[int, int]) -> None:
    """A fixed first row of a multi-row order keeps the order's other lines.

    The error report holds only the flagged row; the order's other lines stay
    in the original file's import, and the order that replaces the original
    lists them as before.
    """
    rec, ev = SourceRecord.__table__, Event.__table__
    for new_id, old_id in corrected.items():
        old_values = json_object(conn.execute(select(rec.c.values_json).where(rec.c.id == old_id)).scalar())
        marker = old_values.get(SUPERSEDED) or {}
        for old in marker.get("events", ()):
            details = json_object(old.get("details_json"))
            others = details.get("record_ids", [])[1:]
            if not others:
                continue
            new = conn.execute(select(ev.c.id, ev.c.details_json, ev.c.status, ev.c.refunded_minor)
                               .where(ev.c.record_id == new_id, ev.c.type == "order")).first()
            if new is None:
                continue
            lead_items = 1 if any(k in old_values for k in _ITEM_FIELDS) else 0
            new_details = json_object(new.details_json)
            new_details["items"] = list(new_details.get("items", [])) + list(details.get("items", [])[lead_items:])
            new_details["record_ids"] = list(new_details.get("record_ids", [new_id])) + others
            conn.execute(update(ev).where(ev.c.id == new.id).values(
                details_json=json.dumps(new_details, ensure_ascii=False, default=str),
                summary=order_summary(new_details.get("order_id", ""), new_details["items"],
                                      {"status": new.status, "refunded_minor": new.refunded_minor})))


def restore_superseded(conn: Connection, batch_id: int) -> set[int]:
    """Undoing import ``batch_id``: the records its rows replaced count again; returns their customers.

    When a later import has replaced one of its rows in turn (the order exported again
    since), what it replaced stays replaced, by that later row now: one version of an
    order counts, the latest kept.
    """
    rec, ev = SourceRecord.__table__, Event.__table__
    fixed = [(rid, json_object(v)) for rid, v in conn.execute(
        select(rec.c.id, rec.c.values_json).where(rec.c.batch_id == batch_id,
                                                  rec.c.values_json.like(f'%"{CORRECTS}"%')))]
    touched: set[int] = set()
    restored: set[int] = set()  # imports whose events come back
    replacements = Replacements(conn)
    for new_id, new_values in fixed:
        later = new_values.get(SUPERSEDED)
        heir = None
        if isinstance(later, dict) and later.get("record") is not None:
            heir = conn.execute(select(rec.c.id, rec.c.values_json).where(
                rec.c.id == later["record"], rec.c.batch_id != batch_id)).first()
        handed: list[int] = []
        for old_id in _corrects(new_values):
            old = conn.execute(select(rec.c.values_json, rec.c.customer_id, rec.c.batch_id)
                               .where(rec.c.id == old_id)).first()
            if old is None:
                continue  # its own import was undone first
            values = json_object(old.values_json)
            marker = values.get(SUPERSEDED)
            if not isinstance(marker, dict) or marker.get("record") != new_id:
                continue
            if heir is not None:  # replaced by the later row now, for the reason it replaced this one
                marker.update(batch=later["batch"], row=later["row"], record=heir.id,
                              why=replacements.why(later))
                conn.execute(update(rec).where(rec.c.id == old_id).values(
                    values_json=json.dumps(values, ensure_ascii=False, default=str)))
                handed.append(old_id)
                continue
            events = [{**e, "customer_id": old.customer_id} for e in marker.get("events", ())]
            if events:
                _without_taken_ids(conn, events)
                conn.execute(insert(ev), events)
                restored.add(old.batch_id)
            del values[SUPERSEDED]
            conn.execute(update(rec).where(rec.c.id == old_id).values(
                values_json=json.dumps(values, ensure_ascii=False, default=str) if values else "{}"))
            if old.customer_id is not None:
                touched.add(old.customer_id)
        if handed and heir is not None:
            heir_values = json_object(heir.values_json)
            _set_corrects(conn, heir.id, heir_values,
                          sorted({i for i in _corrects(heir_values) if i != new_id} | set(handed)))
    forget_products(conn, restored)
    return touched


def hand_on_replacements(conn: Connection, batch_id: int, heir: int) -> None:
    """Import ``batch_id``'s rows become import ``heir``'s (see ``copies.hand_over``): the records its
    rows replaced say that the heir replaced them, so that undoing the heir brings them back."""
    rec = SourceRecord.__table__
    for new_id, text in conn.execute(select(rec.c.id, rec.c.values_json).where(
            rec.c.batch_id == batch_id, rec.c.values_json.like(f'%"{CORRECTS}"%'))).all():
        for old_id in _corrects(json_object(text)):
            values = json_object(conn.execute(select(rec.c.values_json).where(rec.c.id == old_id)).scalar())
            marker = values.get(SUPERSEDED)
            if isinstance(marker, dict) and marker.get("record") == new_id and marker.get("batch") == batch_id:
                marker["batch"] = heir
                conn.execute(update(rec).where(rec.c.id == old_id).values(
                    values_json=json.dumps(values, ensure_ascii=False, default=str)))


def _without_taken_ids(conn: Connection, events: list[dict]) -> None:
    """Events come back under their own ids, unless one is in use again (then under a new one).

    All of them, or none, keep theirs: one insert takes rows of one shape."""
    ev = Event.__table__
    ids = [e["id"] for e in events if e.get("id") is not None]
    if len(ids) < len(events) or conn.execute(select(ev.c.id).where(ev.c.id.in_(ids)).limit(1)).first():
        for e in events:
            e.pop("id", None)


def forget_products(conn: Connection, batch_ids: Iterable[int]) -> None:
    """Imports whose orders changed (events put back or moved in) are read into the product index
    again on first use (segments/items.py indexes an import's orders all at once)."""
    ev, link, pb = Event.__table__, EventProduct.__table__, ProductBatch.__table__
    for b in sorted(set(batch_ids)):
        conn.execute(delete(link).where(link.c.event_id.in_(select(ev.c.id).where(ev.c.batch_id == b))))
        conn.execute(delete(pb).where(pb.c.batch_id == b))


def is_replaced(values_json: str | None) -> bool:
    """Whether a later row (a fix, or a later export's version of its order) replaced this record."""
    marker = json_object(values_json).get(SUPERSEDED)
    return isinstance(marker, dict) and marker.get("batch") is not None


class Replaced(NamedTuple):
    """What replaced a record: the import, and why (:data:`FIXED` or :data:`EXPORTED_AGAIN`)."""

    batch: int
    why: str


class Replacements:
    """Reads the marker of replaced records on one connection.

    A marker written before the two reasons were told apart has no "why".  Both a
    fixed row and a later export's order record the records they replace
    ("corrects"), so that cannot tell them; the import that replaced it does: a fixed
    row comes only from an error report (its header holds the columns a report adds),
    and a later export's order only from an orders export, never a report (the
    pipeline replaces earlier orders only for a file that is not one).  An import no
    longer on record reads as a fix, as every marker did before.
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._reports: dict[int, bool] = {}  # import -> whether it is an error report

    def of(self, values_json: str | None) -> Replaced | None:
        """What replaced the record holding ``values_json``, if anything did."""
        marker = json_object(values_json).get(SUPERSEDED)
        if not isinstance(marker, dict) or marker.get("batch") is None:
            return None
        return Replaced(marker["batch"], self.why(marker))

    def why(self, marker: dict) -> str:
        why = marker.get("why")
        if why in (FIXED, EXPORTED_AGAIN):
            return why
        batch = marker.get("batch")
        if batch not in self._reports:
            header = self.conn.execute(select(ImportBatch.__table__.c.header_json)
                                       .where(ImportBatch.__table__.c.id == batch)).scalar()
            try:
                names = json.loads(header) if header is not None else None
            except ValueError:
                names = None
            self._reports[batch] = not isinstance(names, list) or is_error_report(names)
        return FIXED if self._reports[batch] else EXPORTED_AGAIN
