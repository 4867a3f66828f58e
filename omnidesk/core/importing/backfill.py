"""Fill in, from the raw rows, what imports made before a schema change did not keep.

Used by migrations: every imported row is kept as read with its file's
header and mapping, so a newer Omnidesk can read again what an older one
passed over.
"""

from __future__ import annotations

import json

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection

from omnidesk.core.importing import normalize as nz
from omnidesk.core.importing.custom_fields import CustomColumns, insert_custom_fields
from omnidesk.core.importing.presets import get_preset, header_key
from omnidesk.core.importing.report_columns import added_columns
from omnidesk.core.models import Event, ImportBatch, SourceRecord
from omnidesk.core.money import ORDER_TYPES, order_status, to_minor

_CHUNK = 5000


def _batches(conn: Connection):
    batch = ImportBatch.__table__
    return conn.execute(select(batch.c.id, batch.c.kind, batch.c.header_json, batch.c.mapping_json,
                               batch.c.options_json, batch.c.preset).where(batch.c.status == "done").order_by(batch.c.id)).all()


def _records(conn: Connection, batch_id: int):
    rec = SourceRecord.__table__
    last = 0
    while True:
        rows = conn.execute(select(rec.c.id, rec.c.raw_json, rec.c.first_name, rec.c.last_name)
                            .where(rec.c.batch_id == batch_id, rec.c.id > last)
                            .order_by(rec.c.id).limit(_CHUNK)).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _cell(values: list, i: int | None) -> str:
    return nz.clean_cell(str(values[i])) if i is not None and i < len(values) else ""


def fill_names(conn: Connection) -> int:
    """Give every record its middle and full name; returns how many records got one.

    First and last names stay as they were stored (matching keys and decisions
    rest on them); the middle name is the file's own column, or the words a
    full name holds between that first and last name.
    """
    rec = SourceRecord.__table__
    stmt = update(rec).where(rec.c.id == bindparam("rid")).values(
        middle_name=bindparam("middle"), full_name=bindparam("full"))
    changed = 0
    for batch_id, _, _, mapping_json, _, _ in _batches(conn):
        mapping = json.loads(mapping_json or "[]")
        middle_at = mapping.index("middle_name") if "middle_name" in mapping else None
        full_at = mapping.index("full_name") if "full_name" in mapping else None
        for rows in _records(conn, batch_id):
            params = []
            for rid, raw_json, first, last in rows:
                values = json.loads(raw_json or "[]")
                middle = nz.normalize_name(_cell(values, middle_at))
                raw_full = _cell(values, full_at)
                if raw_full:
                    parts = nz.parse_full_name(raw_full)
                    if not middle and parts.first == first and parts.last == last:
                        middle = parts.middle
                    full = parts.full
                else:
                    full = nz.compose_full_name(first, middle, last)
                if full or middle:
                    params.append({"rid": rid, "middle": middle[:200], "full": full[:400]})
            if params:
                conn.execute(stmt, params)
                changed += len(params)
    return changed


def fill_custom_fields(conn: Connection) -> int:
    """Keep the unmapped columns of every contacts file imported so far as custom fields."""
    stored = 0
    for batch_id, kind, header_json, mapping_json, options_json, preset_key in _batches(conn):
        header = json.loads(header_json or "[]")
        mapping = json.loads(mapping_json or "[]")
        region = str(json.loads(options_json or "{}").get("region") or "US")
        skip = added_columns(header)  # an error report's own columns are no fields
        try:
            skip += sorted(get_preset(preset_key).system_columns(header)) if preset_key else []
        except KeyError:  # a preset this version no longer has
            pass
        columns = CustomColumns.for_plan(header, mapping, kind, region, skip=skip)
        if not columns:
            continue
        columns.begin(conn)
        for rows in _records(conn, batch_id):
            stored += insert_custom_fields(conn, columns, [r[0] for r in rows],
                                           [json.loads(r[1] or "[]") for r in rows])
        columns.settle(conn)
    return stored


def fill_order_statuses(conn, chunk: int = 5_000) -> int:
    """Give the orders imported before statuses were kept theirs, from their rows as read.

    Each event's first row is still in the workspace exactly as imported, with its
    file's header: the status, cancelled-at and refunded-amount cells are read from
    there (a Shopify export's ``Cancelled at`` and ``Refunded Amount`` were kept raw
    then).  Returns how many orders were updated.
    """
    batch, ev, rec = ImportBatch.__table__, Event.__table__, SourceRecord.__table__
    headers = {"cancelled_at": ("cancelled at", "canceled at"), "refunded_amount": ("refunded amount",)}
    updated = 0
    for bid, header_json, mapping_json in conn.execute(
            select(batch.c.id, batch.c.header_json, batch.c.mapping_json).where(batch.c.kind == "events")):
        header, mapping = json.loads(header_json or "[]"), json.loads(mapping_json or "[]")
        where: dict[str, int] = {}
        for i, name in enumerate(mapping):
            where.setdefault(name, i)
        for name, keys in headers.items():
            if name not in where:
                found = [i for i, h in enumerate(header) if header_key(h) in keys]
                if found:
                    where[name] = found[0]
        if not {"status", "cancelled_at", "refunded_amount"} & set(where):
            continue
        rows = conn.execute(select(ev.c.id, rec.c.raw_json).join(rec, rec.c.id == ev.c.record_id)
                            .where(ev.c.batch_id == bid, ev.c.type.in_(ORDER_TYPES))).all()
        params = []
        for eid, raw_json in rows:
            raw = json.loads(raw_json or "[]")

            def cell(name: str) -> str:
                i = where.get(name)
                return str(raw[i]).strip() if i is not None and i < len(raw) else ""

            refunded = nz.parse_money(cell("refunded_amount")).value if cell("refunded_amount") else None
            params.append({"eid": eid, "status": order_status(cell("status"), cell("cancelled_at")),
                           "refunded": to_minor(refunded)})
        for start in range(0, len(params), chunk):
            conn.execute(ev.update().where(ev.c.id == bindparam("eid"))
                         .values(status=bindparam("status"), refunded_minor=bindparam("refunded")),
                         params[start:start + chunk])
        updated += len(params)
    return updated


def fill_discount_codes(conn: Connection, chunk: int = 5_000) -> int:
    """Give the orders imported before discount codes were kept theirs, from their rows as read.

    Shopify's "Discount Code" and the WooCommerce order export's "Coupon Code" were kept in
    the raw row only; they are found again by header, as an import now maps them (a column
    the file's mapping gave another field keeps it).  An order's codes are on its first row,
    the one its event names.  Returns how many orders got codes.
    """
    from omnidesk.core.importing.column_guess import guess_mapping, mapping_fields
    from omnidesk.core.importing.store import discount_codes

    ev, rec = Event.__table__, SourceRecord.__table__
    stmt = update(ev).where(ev.c.id == bindparam("eid")).values(details_json=bindparam("details"))
    changed = 0
    for batch_id, kind, header_json, mapping_json, _, preset_key in _batches(conn):
        if kind != "events":
            continue
        header, mapping = json.loads(header_json or "[]"), json.loads(mapping_json or "[]")
        try:
            preset = get_preset(preset_key) if preset_key else None
        except KeyError:  # a preset this version no longer has
            preset = None
        guessed = mapping_fields(guess_mapping(header, preset))
        at = [i for i, name in enumerate(guessed) if name == "discount_code"
              and (i >= len(mapping) or mapping[i] in ("ignore", "discount_code"))]
        at += [i for i, name in enumerate(mapping) if name == "discount_code" and i not in at]
        if not at:
            continue
        last = 0
        while True:
            rows = conn.execute(select(ev.c.id, ev.c.details_json, rec.c.raw_json)
                                .join(rec, rec.c.id == ev.c.record_id)
                                .where(ev.c.batch_id == batch_id, ev.c.type.in_(ORDER_TYPES), ev.c.id > last)
                                .order_by(ev.c.id).limit(chunk)).all()
            if not rows:
                break
            last = rows[-1][0]
            params = []
            for eid, details_json, raw_json in rows:
                values = json.loads(raw_json or "[]")
                codes = discount_codes(", ".join(c for i in sorted(at) if (c := _cell(values, i))))
                try:
                    details = json.loads(details_json or "{}")
                except ValueError:
                    continue
                if codes and isinstance(details, dict) and details.get("discount_codes") != codes:
                    details["discount_codes"] = codes
                    params.append({"eid": eid, "details": json.dumps(details, ensure_ascii=False, default=str)})
            if params:
                conn.execute(stmt, params)
                changed += len(params)
    return changed


_READING_FIELDS = ("first_name_reading", "last_name_reading", "full_name_reading")


def fill_readings(conn: Connection) -> int:
    """Give records the readings of their names that their files had (furigana, phonetic names).

    Files imported before readings were a field kept those columns in the raw
    row only; they are found again by header, as an import now maps them.
    Returns how many records got a reading.
    """
    from omnidesk.core.importing.column_guess import guess_mapping, mapping_fields

    rec = SourceRecord.__table__
    stmt = update(rec).where(rec.c.id == bindparam("rid")).values(
        first_name_reading=bindparam("first"), last_name_reading=bindparam("last"))
    changed = 0
    for batch_id, _, header_json, mapping_json, options_json, preset_key in _batches(conn):
        header = json.loads(header_json or "[]")
        mapping = json.loads(mapping_json or "[]")
        try:
            preset = get_preset(preset_key) if preset_key else None
        except KeyError:  # a preset this version no longer has
            preset = None
        guessed = mapping_fields(guess_mapping(header, preset))
        at = {}
        for name in _READING_FIELDS:
            # The stored mapping when it names the field, else where the header says it is.
            source = mapping if name in mapping else guessed
            at[name] = source.index(name) if name in source else None
        if all(i is None for i in at.values()):
            continue
        region = str(json.loads(options_json or "{}").get("region") or "") or None
        for rows in _records(conn, batch_id):
            params = []
            for rid, raw_json, _, _ in rows:
                values = json.loads(raw_json or "[]")
                first, last = nz.name_readings(*(_cell(values, at[n]) for n in _READING_FIELDS), region)
                if first or last:
                    params.append({"rid": rid, "first": first[:200], "last": last[:200]})
            if params:
                conn.execute(stmt, params)
                changed += len(params)
    return changed
