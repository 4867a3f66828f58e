"""Writing a chunk of normalized rows: records, identifiers, consent, events.

Each function adds to the open transaction of ``run_import`` and counts what
it did on the :class:`ImportResult`; nothing here commits.
"""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from itertools import repeat

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Connection

from omnidesk.core.contact import mailbox_of
from omnidesk.core.dialect import (
    insert_many,
    insert_tuples_in_bulk,
    insert_tuples_returning_ids,
    reserve_ids,
)
from omnidesk.core.identity.employer import work_key
from omnidesk.core.identity.keys import last_key, last_sound
from omnidesk.core.importing.known_numbers import UNREAD_KIND, national_digits
from omnidesk.core.importing.names import compose_full_name
from omnidesk.core.importing.analysis import ImportPlan
from omnidesk.core.importing.fields import FIELDS_BY_NAME
from omnidesk.core.importing.result import ImportResult
from omnidesk.core.importing.report_columns import REPORT_COLUMNS, is_extra_column
from omnidesk.core.importing.rows import Row, row_hasher
from omnidesk.core.mentions import erased_in_rows, is_theirs, redact_incoming
from omnidesk.core.models import (
    Consent,
    Event,
    Identifier,
    ImportBatch,
    MatchDecision,
    SourceRecord,
    Suppression,
    utcnow,
)
from omnidesk.core.money import NOT_SPEND, ORDER_TYPES, format_money, order_status
from omnidesk.core.suppression import file_row_hash, known_suppressions, row_suppression_hash, row_suppression_keys
from omnidesk.core.timeutil import to_utc


def _minor(value: object) -> int | None:
    if value is None:
        return None
    return int((Decimal(str(value)) * 100).to_integral_value())


def _tie_fixed_rows(conn: Connection, columns: tuple[int, int], keep: list[tuple[Row, str]]) -> None:
    """Tie each fixed row of an error report to the row it corrects, as a user's merge.

    The flagged original stays, as read, with its customer; the fixed row joins
    that customer through the decision (resolve honours it) instead of becoming
    a second customer because the original's broken email matched nothing.
    """
    wanted: dict[int, dict[int, str]] = defaultdict(dict)  # batch -> record number -> new row hash
    for row, h in keep:
        values = row.record.values
        try:
            wanted[int(values[columns[0]])][int(values[columns[1]])] = h
        except (ValueError, IndexError):
            continue  # a row added by hand, or numbers edited away: imported like any other
    rec = SourceRecord.__table__
    decisions = []
    for batch_id, by_number in wanted.items():
        numbers = sorted(by_number)
        for start in range(0, len(numbers), 900):
            for number, old in conn.execute(select(rec.c.record_no, rec.c.row_hash).where(
                    rec.c.batch_id == batch_id, rec.c.record_no.in_(numbers[start:start + 900]))):
                if old != by_number[number]:
                    decisions.append({"kind": "merge", "left_hash": old, "right_hash": by_number[number],
                                      "created_at": utcnow()})
    if decisions:
        conn.execute(insert(MatchDecision.__table__), decisions)


def _report_row_keys(conn: Connection, salt: str, header: list[str], columns: tuple[int, int],
                     keep: list[tuple[Row, str]]) -> list[list[str]]:
    """For each row of an error report, the suppression keys of the file row it names.

    A report's own columns (the import and row it came from, its problems) make its row's hash
    another than the original row's, and a flagged row often has no email or phone that reads:
    without these keys a report written before an erase would bring the erased person back.
    Each row that names its import is looked up

    * by the original row's hash, as that file's import read it (the file's own columns and the
      cells past them, in the import's channel): the row as written in the report;
    * by its place in that file (``suppression.file_row_hash``), whatever was typed over its cells
      since.  A fixed row is the correction of that person's row, and they asked to be erased:
      the row is left out with them, not imported as someone new.  (A row typed into the report
      with no import or row number is read as any other row.)
    """
    own = [i for i, name in enumerate(header) if name not in REPORT_COLUMNS and not is_extra_column(name)]
    extras = [i for i, name in enumerate(header) if is_extra_column(name)]
    named: list[tuple[int, int] | None] = []
    for row, _ in keep:
        values = row.record.values
        try:
            named.append((int(values[columns[0]]), int(values[columns[1]])))
        except (ValueError, IndexError):
            named.append(None)
    batch = ImportBatch.__table__
    wanted = sorted({n[0] for n in named if n is not None})
    batches = {}
    for start in range(0, len(wanted), 900):
        for b in conn.execute(select(batch.c.id, batch.c.file_hash, batch.c.channel, batch.c.header_json)
                              .where(batch.c.id.in_(wanted[start:start + 900]))):
            batches[b.id] = b
    own_header = [header[i] for i in own]
    hashers: dict[int, object] = {}
    out: list[list[str]] = []
    for (row, _), place in zip(keep, named):
        b = batches.get(place[0]) if place is not None else None
        if b is None:
            out.append([])
            continue
        keys = [file_row_hash(salt, b.file_hash, place[1])] if b.file_hash else []
        try:
            same_columns = json.loads(b.header_json or "[]") == own_header
        except ValueError:
            same_columns = False
        if same_columns:
            if b.id not in hashers:
                hashers[b.id] = row_hasher(b.channel, own_header)
            values = row.record.values
            cells = [values[i] if i < len(values) else "" for i in own + extras]
            # The report pads a short row and drops empty cells past the header: the original
            # row is one of these lengths.
            shortest = max((n + 1 for n, cell in enumerate(cells) if cell != ""), default=0)
            keys += [row_suppression_hash(salt, hashers[b.id](cells[:n]))
                     for n in range(shortest, len(cells) + 1)]
        out.append(keys)
    return out


def _workspace_has_no_records(conn: Connection, batch_id: int) -> bool:
    rec = SourceRecord.__table__
    return conn.execute(select(rec.c.id).where(rec.c.batch_id != batch_id).limit(1)).first() is None


def _row_identifiers(row: Row, channel: str) -> list[tuple[str, str]]:
    ids = [("email", e) for e in row.emails] + [("phone", p) for p in row.phones]
    if row.external_id:
        ids.append(("external", f"{channel}:{row.external_id}"))
    return ids


def _has_suppressions(conn: Connection) -> bool:
    table = Suppression.__table__
    return conn.execute(select(table.c.id).limit(1)).first() is not None


def _without_suppressed(conn: Connection, salt: str, keep: list[tuple[Row, str]], channel: str,
                        result: ImportResult, group_by: str | None = None,
                        suppressed_orders: set[str] | None = None, mapping: list[str] | None = None,
                        region: str | None = None,
                        report: tuple[list[str], tuple[int, int]] | None = None) -> list[tuple[Row, str]]:
    """Drop rows of people who were erased: they must not come back with an old export.

    A row is theirs when one of its identifiers was theirs alone, when it carries
    an identifier they shared together with their name, when it is one of
    their rows again, or when it gives their name where they live (how a person
    with no identifier is recognised: ``suppression.erased_person_hashes``).  The other
    line-item rows of a dropped order go too (``suppressed_orders`` carries the
    order keys across chunks): they name no one, but they are that person's order.
    ``report``: an error report's header and its (batch, row) columns; each row is also looked
    up as the file row it names (:func:`_report_row_keys`).

    A row of someone else that names an erased person in cells not its owner's own (Ann's
    order shipped to them: its Shipping name, street and phone) is not theirs: it comes in
    without them, as erasing them took them out of the rows there were then
    (``mentions.redact_incoming``), the buyer's order and amounts whole.  A Shipping phone
    that stood in for a buyer who gave none is the erased person's, not the buyer's, and keeps
    nothing out.  Such a row is theirs after all when its own name is theirs, or when nothing
    else tells whose it is.
    """
    if not _has_suppressions(conn):
        return keep  # nobody was ever erased: nothing to hash
    theirs: set[int] = set()
    if mapping is not None:
        for n, ((row, _), person) in enumerate(zip(keep, erased_in_rows(conn, salt, [r for r, _ in keep],
                                                                        mapping, region))):
            if person is None:
                continue
            if is_theirs(row, mapping, person):
                theirs.add(n)
            elif redact_incoming(row, mapping, person):
                if row.skip is None and not (row.emails or row.phones or row.external_id or row.first_name
                                             or row.last_name or row.full_name):
                    theirs.add(n)
                else:
                    result.erased_mentions += 1
    keys = [row_suppression_keys(salt, _row_identifiers(row, channel), row.first_name, row.last_name, h,
                                 street=row.address, postcode=row.postcode, birthday=row.birthday)
            for row, h in keep]
    if report is not None:
        for row_keys, more in zip(keys, _report_row_keys(conn, salt, report[0], report[1], keep)):
            row_keys += more
    hits = known_suppressions(conn, (k for row_keys in keys for k in row_keys))
    if not hits and not suppressed_orders and not theirs:
        return keep
    orders = suppressed_orders if suppressed_orders is not None else set()
    out = []
    for n, ((row, h), row_keys) in enumerate(zip(keep, keys)):
        order = row.values.get(group_by) if group_by else None
        if n not in theirs and hits.isdisjoint(row_keys) and (order is None or order not in orders):
            out.append((row, h))
            continue
        result.suppressed += 1
        if order is not None:
            orders.add(order)
    return out


def _set_aside_skipped(ids: list[int], keep: list[tuple[Row, str]],
                       result: ImportResult) -> tuple[list[int], list[tuple[Row, str]]]:
    """Count the rows that are nobody; the others go on to identifiers, consent and events."""
    out_ids, out = [], []
    for rid, pair in zip(ids, keep):
        row = pair[0]
        if row.skip:
            result.skipped += 1
            result.skipped_rows.setdefault(row.skip, []).append(row.record.number)
            result.skipped_lines.setdefault(row.skip, []).append(row.record.line)
        else:
            out_ids.append(rid)
            out.append(pair)
    return out_ids, out


_json_string = json.encoder.encode_basestring  # a str as JSON, non-ASCII kept (ensure_ascii=False)
_encode_text = json.JSONEncoder(ensure_ascii=False).encode
_encode_values = json.JSONEncoder(ensure_ascii=False, default=str).encode


def stored_text(row: Row) -> tuple[str, str, str, str, str, str]:
    """The columns of a row's record that are serialized or derived from its values.

    (raw_json, values_json, problems_json, last_key, last_sound, work_key): the
    costly part of writing a row, so a worker process computes them with the
    row (see parallel.py) and ``_insert_records`` only places them.
    """
    rec = row.record
    return (
        # What json.dumps(list(cells), ensure_ascii=False) writes, without building an
        # encoder per row: the cells are all strings.  The row exactly as read (a short row
        # as short as it was); whoever reads a cell by its column pads it (see profile.raw_record).
        f"[{', '.join(map(_json_string, rec.cells))}]",
        (json.dumps({"skipped": row.skip}) if row.skip else
         _encode_values(row.values) if row.values else "{}"),
        _encode_text(row.problems) if row.problems else "[]",
        last_key(row.last_name),
        last_sound(row.last_name),
        work_key(row.company, row.emails) if row.company or row.emails else "",
    )


_RECORD_COLUMNS = (
    "batch_id",
    "record_no",
    "line_no",
    "channel",
    "kind",
    "row_hash",
    "raw_json",
    "customer_id",
    "external_id",
    "first_name",
    "last_name",
    "middle_name",
    "full_name",
    "first_name_reading",
    "last_name_reading",
    "last_key",
    "last_sound",
    "work_key",
    "email",
    "phone",
    "company",
    "address",
    "city",
    "region",
    "postcode",
    "country",
    "birthday",
    "tags",
    "occurred_at",
    "values_json",
    "problems_json",
    "flagged",
)


def _insert_records(conn: Connection, batch_id: int, plan: ImportPlan,
                    keep: list[tuple[Row, str]]) -> list[int]:
    table = SourceRecord.__table__
    # Ids given here (SQLite) go in each row's tuple as it is made, not copied into another.
    ids = reserve_ids(conn, table, len(keep))
    params = []
    for new_id, (row, h) in zip(ids if ids is not None else repeat(None), keep):
        rec = row.record
        raw_json, values_json, problems_json, key, sound, work = row.stored or stored_text(row)
        params.append((
            new_id,
            batch_id,
            rec.number,
            rec.line,
            plan.channel,
            "skipped" if row.skip else plan.kind,  # a skipped row is kept as read, never placed (resolve)
            h,
            raw_json,
            None,
            row.external_id,
            row.first_name,
            row.last_name,
            row.middle_name,
            row.full_name,
            row.first_name_reading,
            row.last_name_reading,
            key,
            sound,
            work,
            row.emails[0] if row.emails else None,
            row.phones[0] if row.phones else None,
            row.company,
            row.address,
            row.city,
            row.region,
            row.postcode,
            row.country,
            row.birthday,
            ", ".join(row.tags),
            row.occurred_at,
            values_json,
            problems_json,
            bool(row.problems),
        ))
    if ids is None:  # the database assigns them
        return insert_tuples_returning_ids(conn, table, _RECORD_COLUMNS, [p[1:] for p in params])
    insert_tuples_in_bulk(conn, table, ("id", *_RECORD_COLUMNS), params)
    return ids


def _insert_identifiers(conn: Connection, ids: list[int], keep: list[tuple[Row, str]],
                        channel: str) -> None:
    params = []
    add = params.append  # a row has one or two: plain appends cost less than a generator each
    for rid, (row, _) in zip(ids, keep):
        for e in row.emails:
            add((rid, "email", e, mailbox_of(e)))
        for p in row.phones:
            add((rid, "phone", p, None))
        if row.external_id:
            # External ids mean something only within the channel that issued them.
            add((rid, "external", f"{channel}:{row.external_id}", None))
        waits = {national_digits(raw) for raw, _ in row.unread_phones} | {d for d, _ in row.bare_phones}
        for digits in sorted(waits):  # an opt-out's number waiting to be known (known_numbers)
            add((rid, UNREAD_KIND, digits, None))
    insert_tuples_in_bulk(conn, Identifier.__table__, ("record_id", "kind", "value", "mailbox"), params)


def _insert_consents(conn: Connection, ids: list[int], keep: list[tuple[Row, str]]) -> None:
    # Every column named (an imported fact has no note), so the rows go straight to the driver.
    params = [
        (rid, None, ch, status, when, "")
        for rid, (row, _) in zip(ids, keep)
        for ch, facts in row.consents.items()
        for status, when in facts
    ]
    insert_tuples_in_bulk(conn, Consent.__table__,
                          ("record_id", "customer_id", "channel", "status", "occurred_at", "note"), params)


_DEFAULT_EVENT_TYPE = {"shop": "order", "pos": "purchase", "email": "email", "web": "visit",
                       "sms": "sms", "social": "lead_form"}


def _untyped_event(channel: str, values: dict) -> str:
    """The type of an event row whose file names none: a row with an order number is an order, on
    any channel (a till's sale stays a purchase); an amount alone, on a channel of the shop's own
    or "other" (a market stall's sheet of sales), a purchase; else the channel's usual event.
    Before, a farmers' market's orders file came in as plain activity: no order, no spend."""
    if channel == "pos":
        return "purchase"
    if values.get("order_id") not in (None, ""):
        return "order"
    if channel not in _DEFAULT_EVENT_TYPE and values.get("amount") not in (None, ""):
        return "purchase"
    return _DEFAULT_EVENT_TYPE.get(channel, "activity")


def discount_codes(text: object) -> list[str]:
    """The codes a discount or coupon cell names, in its order: "FREESHIP, SPRING20" is two
    (Shopify writes an order's codes so; a cell of each column a file has is joined the same way)."""
    codes: list[str] = []
    for code in str(text or "").split(","):
        code = code.strip()
        if code and code not in codes:
            codes.append(code)
    return codes


def _event_params(batch_id: int, plan: ImportPlan, rid: int, row: Row) -> dict:
    v = row.values
    etype = str(v.get("event_type") or _untyped_event(plan.channel, v))
    etype = etype.strip().lower().replace(" ", "_")
    summary_parts = [str(v[k]) for k in ("summary", "campaign", "item_name", "url", "location")
                     if v.get(k)]
    if v.get("order_id"):
        summary_parts.insert(0, str(v["order_id"]))
    details = {k: v[k] for k in ("order_id", "status", "cancelled_at", "refunded_amount", "campaign", "url", "location",
                                 "item_name", "item_quantity", "item_price") if k in v}
    if codes := discount_codes(v.get("discount_code")):
        details["discount_codes"] = codes  # what campaign results match an offer code against
    details["identifiers"] = {
        "email": row.emails[0] if row.emails else None,
        "phone": row.phones[0] if row.phones else None,
        "name": compose_full_name(row.first_name, "", row.last_name) or None,
        "external_id": row.external_id,
    }
    return {
        "batch_id": batch_id, "record_id": rid, "customer_id": None, "channel": plan.channel,
        "type": etype, "occurred_at": row.occurred_at, "occurred_utc": to_utc(row.occurred_at),
        "summary": " · ".join(summary_parts)[:1000],
        "amount_minor": _minor(v.get("amount")), "currency": (str(v.get("currency"))[:3].upper() if v.get("currency") else None),
        "status": order_status(v.get("status"), v.get("cancelled_at")),
        # A magnitude, whichever sign the export writes it with (Square: "-$5.00").
        "refunded_minor": abs(r) if (r := _minor(v.get("refunded_amount"))) is not None else None,
        "details_json": json.dumps(details, ensure_ascii=False, default=str),
    }


# Why an order row whose date cell is empty is flagged (kept, not rejected): an order with no date
# cannot be placed in any week, nor inside a campaign's window, so it counts in all time only
# until its date is filled in (in the import's error report, imported again).
UNDATED_ORDER = ("empty: an order with no date is in no week and no campaign's results, and counts in "
                 "all time only; fill in its date")
_DATE_FIELDS = ("occurred_at", "occurred_time")


def _flag_undated_orders(conn: Connection, plan: ImportPlan, opened: list[tuple[int, Row, dict]]) -> None:
    """Flag each order that opens here with an empty date cell: the note goes on the row that
    gives the order its date (an order's first row, where its lines are spread over rows), so
    it counts as flagged and is in the error report.  A date that could not be read is
    flagged already by its reading; a contact's row is no order and is never flagged so."""
    columns = [i for i, name in enumerate(plan.mapping) if name in _DATE_FIELDS]
    label = (plan.header[columns[0]] if columns and columns[0] < len(plan.header)
             else FIELDS_BY_NAME["occurred_at"].label)
    flagged = []
    for rid, row, params in opened:
        if params["type"] not in ORDER_TYPES or params["occurred_at"] is not None:
            continue
        cells = row.record.values
        if any(i < len(cells) and cells[i].strip() for i in columns):
            continue  # unreadable, not empty: its reading said so
        row.problems.append(f"{label}: {UNDATED_ORDER}")
        flagged.append({"rid": rid, "problems": json.dumps(row.problems, ensure_ascii=False)})
    if flagged:
        rec = SourceRecord.__table__
        conn.execute(update(rec).where(rec.c.id == bindparam("rid"))
                     .values(problems_json=bindparam("problems"), flagged=True), flagged)


def _insert_events(conn: Connection, batch_id: int, plan: ImportPlan, ids: list[int],
                   keep: list[tuple[Row, str]], group_by: str | None, open_order: dict | None,
                   result: ImportResult) -> dict | None:
    """One event per row, or per order when the preset spreads an order over rows."""
    if group_by is None:
        params = [_event_params(batch_id, plan, rid, row) for rid, (row, _) in zip(ids, keep)]
        insert_many(conn, Event.__table__, params)
        _flag_undated_orders(conn, plan, [(rid, row, p) for rid, (row, _), p in zip(ids, keep, params)])
        result.events += len(params)
        return None
    opened: list[tuple[int, Row, dict]] = []
    for rid, (row, _) in zip(ids, keep):
        key = row.values.get(group_by)
        item = {k: row.values[k] for k in ("item_name", "item_quantity", "item_price") if k in row.values}
        if open_order is not None and key and key == open_order["key"]:
            if item:
                open_order["items"].append(item)
            open_order["record_ids"].append(rid)
            continue
        if open_order is not None:
            _flush_order(conn, open_order, result)
        params = _event_params(batch_id, plan, rid, row)
        params["type"] = "order"
        opened.append((rid, row, params))
        open_order = {"key": key, "params": params, "items": [item] if item else [],
                      "record_ids": [rid]}
    _flag_undated_orders(conn, plan, opened)
    return open_order


def _flush_order(conn: Connection, order: dict, result: ImportResult) -> None:
    params = order["params"]
    details = json.loads(params["details_json"])
    for k in ("item_name", "item_quantity", "item_price"):
        details.pop(k, None)
    details["items"] = order["items"]
    details["record_ids"] = order["record_ids"]
    for rid in order["record_ids"][1:]:
        result.followers[rid] = order["record_ids"][0]
    params["details_json"] = json.dumps(details, ensure_ascii=False, default=str)
    params["summary"] = order_summary(order["key"], order["items"], params)
    conn.execute(insert(Event.__table__), [params])
    result.events += 1


def order_summary(key: object, items: list[dict], params: dict) -> str:
    """"Order 1001: Mug, Tea and 2 more (refunded)": an order as the timeline names it."""
    n = len(items)
    names = ", ".join(str(i.get("item_name", "")) for i in items[:3])
    more = f" and {n - 3} more" if n > 3 else ""
    summary = f"Order {key}: {names}{more}" if names else f"Order {key}"
    return f"{summary}{_money_note(params)}"[:1000]


def _money_note(params: dict) -> str:
    """" (refunded)", " (cancelled)", " (12.50 refunded)": what the timeline says of money not kept."""
    if params["status"] in NOT_SPEND:
        return f" ({params['status']})"
    if params["refunded_minor"]:
        return f" ({format_money(params['refunded_minor'])} refunded)"
    return ""


def _insert_lead_events(conn: Connection, batch_id: int, plan: ImportPlan, ids: list[int],
                        keep: list[tuple[Row, str]], result: ImportResult, *, type_: str = "lead_form",
                        label: str = "Lead form submitted") -> None:
    """A lead-ad or form row is a person and also the fact that they submitted a form.

    Rows without a time say who, not when: they stay people only.
    """
    params = []
    for rid, (row, _) in zip(ids, keep):
        when = row.values.get("created_at") or row.occurred_at
        if type_ != "lead_form" and not row.occurred_at:
            continue
        p = _event_params(batch_id, plan, rid, row)
        p.update(type=type_, occurred_at=when, occurred_utc=to_utc(when))
        form = row.values.get("campaign") or row.values.get("summary")
        p["summary"] = f"{label}{': ' + str(form) if form else ''}"
        params.append(p)
    if params:
        insert_many(conn, Event.__table__, params)
        result.events += len(params)


def _insert_row_events(conn: Connection, batch_id: int, plan: ImportPlan, ids: list[int],
                       keep: list[tuple[Row, str]], result: ImportResult) -> None:
    """The event each row of the preset's list also is: a lead form sent, a registration."""
    event = plan.preset.row_event
    params = []
    for rid, (row, _) in zip(ids, keep):
        when = row.occurred_at or row.values.get("created_at")
        p = _event_params(batch_id, plan, rid, row)
        p.update(type=event.type, occurred_at=when, occurred_utc=to_utc(when))
        what = row.values.get("campaign")
        p["summary"] = event.summary.format(what) if what else event.fallback
        params.append(p)
    if params:
        insert_many(conn, Event.__table__, params)
        result.events += len(params)
