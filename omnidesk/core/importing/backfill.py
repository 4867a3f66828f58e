"""Fill in, from the raw rows, what imports made before a schema change did not keep.

Used by migrations: every imported row is kept as read with its file's
header and mapping, so a newer Omnidesk can read again what an older one
passed over.
"""

from __future__ import annotations

import json
from contextlib import closing
from typing import TYPE_CHECKING, NamedTuple

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.engine import Connection

from omnidesk.core.importing import normalize as nz
from omnidesk.core.importing.custom_fields import CustomColumns, insert_custom_fields
from omnidesk.core.importing.presets import get_preset, header_key, header_signature
from omnidesk.core.importing.report_columns import added_columns
from omnidesk.core.models import Event, ImportBatch, SourceRecord
from omnidesk.core.money import ORDER_TYPES, order_status, to_minor

if TYPE_CHECKING:
    from omnidesk.core.importing.rows import Row

_CHUNK = 5000


def _batches(conn: Connection):
    batch = ImportBatch.__table__
    return conn.execute(select(batch.c.id, batch.c.kind, batch.c.header_json, batch.c.mapping_json,
                               batch.c.options_json, batch.c.preset).where(batch.c.status == "done").order_by(batch.c.id)).all()


def _batch_rows(conn: Connection, batch_id: int, *columns: str):
    """A batch's source records, ``id`` and ``columns``, a chunk at a time in id order."""
    rec = SourceRecord.__table__
    last = 0
    while True:
        rows = conn.execute(select(rec.c.id, *(rec.c[name] for name in columns))
                            .where(rec.c.batch_id == batch_id, rec.c.id > last)
                            .order_by(rec.c.id).limit(_CHUNK)).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _records(conn: Connection, batch_id: int):
    return _batch_rows(conn, batch_id, "raw_json", "first_name", "last_name")


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
                except (ValueError, RecursionError):  # unreadable, or nested too deep to read: left as they are
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


# How consent is read from a row: raised by one whenever that reading changes (the readers in
# rows.py, the consent and opt-out headers column_guess knows, optout_lists, normalize's consent
# words), so that every workspace opened afterwards reads its kept rows again, once
# (:func:`reread_consents`).  1: an opt-in date dates only a yes; "do not contact" lists close
# every channel; a refusing header ("Email Unsubscribed") is its refusal; CRMs' opt-out columns.
# 2: a file whose name says what it is (Mailchimp's current subscribed_email_audience_export_…)
# is read as that, not as its header's unnamed format; and with no shop time zone, a time
# without an offset also counts on its day in UTC read on the computer's clock (a late-evening
# "no" is the next day's too): a change of how kept facts are decided, not read, so the cards it
# may decide otherwise are worked out again (_RULE_CHANGES).  3: an opt-out's phone written with a
# note beside it ("415-555-0109 (mobile)"), an empty extension or full-width digits is read as the
# number it is, so a stop read as no number by an older version now reaches it
# (known_numbers.reread_optout_phones).  4: only a refusal of texts or calls is about the row's
# number: an email's bounce or unsubscribe no longer holds a number with its unreadable number's
# digits, nor waits for one (known_numbers.take_back_numbers_of_email_refusals).  5: an opt-out's
# number abroad written with its country code but no "+" ("447911123456") is read as that number
# too (known_numbers._international), so a stop an older version left waiting reaches it.
# 6: an unsubscribe column in another language ("Newsletter-Abmeldung", "Desuscrito") is that
# refusal, never a mistyped consent header ("Newsletter Anmeldung", "Suscrito") whose "Ja" was a yes;
# and a refusal naming no channel ("Has unsubscribed") is email's, never a mistyped "SMS subscribed";
# and Wix's "Email subscriber status" and "SMS subscriber status", once kept raw, are consent.
CONSENT_READERS_VERSION = 6
CONSENT_READERS_SETTING = "consent_readers"
_REFUSED = frozenset({"denied", "unsubscribed", "cleaned"})
_CONSENT_CHANNELS = ("email", "sms", "whatsapp")


def _consent_readers_version(conn: Connection) -> int:
    """The version of the readers the workspace's consent facts were read by (0: before they were counted)."""
    from omnidesk.core.models import Setting

    raw = conn.execute(select(Setting.__table__.c.value)
                       .where(Setting.__table__.c.key == CONSENT_READERS_SETTING)).scalar()
    try:
        return int(json.loads(raw)) if raw is not None else 0
    except (TypeError, ValueError):
        return 0


def consent_readers_behind(conn: Connection) -> bool:
    """Whether the workspace's consent facts were read by older readers than this version's."""
    return _consent_readers_version(conn) < CONSENT_READERS_VERSION


def _untimed_offsets_without_zone(conn: Connection) -> set[int]:
    """Version 2's change: with no shop time zone set, the customers with a consent fact whose time
    has no offset (the computer's clock or UTC), whose days the rule now counts one more way."""
    from omnidesk.core.consent import _has_offset, rule_zone
    from omnidesk.core.models import Consent
    from omnidesk.core.timeutil import ComputerClock

    if not isinstance(rule_zone(conn), ComputerClock):
        return set()
    con = Consent.__table__
    rows = conn.execute(select(con.c.customer_id, con.c.occurred_at).where(
        con.c.customer_id.is_not(None), func.length(con.c.occurred_at) > 10))
    return {cid for cid, at in rows if at and not _has_offset(at.strip())}


# Versions that changed how the kept facts are decided (consent.py's rule), with the customers
# each may decide otherwise: a workspace read by an older version works their cards out again.
_RULE_CHANGES = {2: _untimed_offsets_without_zone}


def _mark_consent_readers(conn: Connection) -> None:
    from omnidesk.core.models import Setting

    table = Setting.__table__
    value = json.dumps(CONSENT_READERS_VERSION)
    if not conn.execute(update(table).where(table.c.key == CONSENT_READERS_SETTING).values(value=value)).rowcount:
        conn.execute(table.insert().values(key=CONSENT_READERS_SETTING, value=value))


class ConsentReread:
    """What re-reading consent from the kept rows changed, counted by customer (each once, by the
    first of these that holds on some channel)."""

    def __init__(self) -> None:
        self.records = 0  # records whose facts changed
        self.opted_out = 0  # refused on a channel they were not refused on
        self.granted = 0  # granted on a channel they were not granted on
        self.unrefused = 0  # a refusal gone, the consent now unknown
        self.ungranted = 0  # a grant gone, the consent now unknown
        self.numbers = 0  # opt-out records that now name a number they named none (or a wrong one) before
        self.numbers_taken = 0  # email refusals' records no longer holding a number their row never gave
        self.refusals_kept = 0  # refusals an older reading found that today's does not: kept all the same
        self.unread_imports: list[str] = []  # imports whose stored header, mapping or options could not be read
        self.unread_rows = 0  # kept rows of the others that could not be read (not valid JSON)

    def note(self) -> str:
        """What the upgrade says: what changed, then what could not be read again (kept as recorded);
        "" when no customer's consent changed and everything was read."""
        said, unread = self._changes(), self._unread()
        if not unread:
            return said
        return f"{said} {unread}" if said else f"Consent re-read from your imported files. {unread}"

    def _unread(self) -> str:
        """The imports and rows whose consent was left as recorded, as they could not be read again."""
        parts = []
        if self.unread_imports:
            names = self.unread_imports
            listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
            parts.append(f"the import{'s' if len(names) != 1 else ''} of {listed}")
        if self.unread_rows:
            n = self.unread_rows
            other = " other" if parts else ""
            parts.append(f"{n:,}{other} imported row{'s' if n != 1 else ''}")
        if not parts:
            return ""
        one = len(self.unread_imports) + self.unread_rows == 1
        return (f"The consent of {' and of '.join(parts)} could not be read again (a value stored for "
                f"{'it' if one else 'them'} is not valid JSON) and stays as it was recorded.")

    def _changes(self) -> str:
        counts = [(n, what) for n, what in ((self.opted_out, "now opted out"), (self.granted, "now granted"),
                                             (self.unrefused, "no longer opted out"),
                                             (self.ungranted, "no longer granted")) if n]
        numbers = (f"{self.numbers:,} opt-out{'s' if self.numbers != 1 else ''} now "
                   f"reach{'' if self.numbers != 1 else 'es'} the phone number {'they name' if self.numbers != 1 else 'it names'}"
                   if self.numbers else "")
        n = self.numbers_taken
        taken = (f"{n:,} email opt-out{'s' if n != 1 else ''} or bounce{'s' if n != 1 else ''} no longer "
                 f"hold{'s' if n == 1 else ''} a phone number {'their rows' if n != 1 else 'its row'} never gave"
                 if n else "")
        k = self.refusals_kept
        kept = (f"{k:,} refusal{'s' if k != 1 else ''} an older reading found kept, as a re-read never takes "
                "one away" if k else "")
        more = [said for said in (numbers, taken, kept) if said]
        if not counts:
            return f"Consent re-read from your imported files: {', '.join(more)}." if more else ""
        parts = [f"{n:,} {what}" for n, what in counts]
        n, what = counts[0]
        parts[0] = f"{n:,} customer{'s' if n != 1 else ''} {what}"
        return "Consent re-read from your imported files: " + ", ".join(parts + more) + "."

    def count(self, old: tuple, new: tuple) -> None:
        pairs = list(zip(old, new))
        if any(n in _REFUSED and o not in _REFUSED for o, n in pairs):
            self.opted_out += 1
        elif any(n == "granted" and o != "granted" for o, n in pairs):
            self.granted += 1
        elif any(o in _REFUSED and n not in _REFUSED for o, n in pairs):
            self.unrefused += 1
        elif old != new:
            self.ungranted += 1


def _is_consent_field(name: str) -> bool:
    from omnidesk.core.importing.fields import FIELDS_BY_NAME, OPTOUT_FIELDS, FieldType

    return (name in OPTOUT_FIELDS or name in ("consent_at", "unsubscribed_at")
            or (name in FIELDS_BY_NAME and FIELDS_BY_NAME[name].type == FieldType.CONSENT)
            or (name.startswith("consent_") and name.endswith("_at")))


def _named_by_file(preset, header: list[str], file_name: str | None):
    """The format a file's name picks among those sharing ``preset``'s header (Mailchimp's subscribed
    and non-subscribed exports, told apart only by their names), where an older version took the
    file for the unnamed one; None when the name adds nothing."""
    from omnidesk.core.importing.presets import detect_preset

    if preset is None or preset.file_name is not None or not file_name:
        return None
    found = detect_preset(header, file_name=file_name)
    if found is None or found.file_name is None or found.signature != preset.signature:
        return None
    return found


def _consent_mapping(conn: Connection, header: list[str], stored: list[str], preset, channel: str) -> list[str]:
    """The mapping a batch's rows are read again by: the stored one, where today's guesser reads a
    column as consent or an opt-out the stored mapping left unmapped or read as other consent
    ("Email Unsubscribed" taken for "Email subscribed").  A mapping the user chose and kept for
    files with these columns stays as it is; a column given another kind of field stays too."""
    from omnidesk.core.importing.analysis import _consent_for_channel
    from omnidesk.core.importing.column_guess import guess_mapping, mapping_fields
    from omnidesk.core.importing.fields import IGNORE
    from omnidesk.core.models import SavedMapping

    saved = conn.execute(select(SavedMapping.__table__.c.mapping_json)
                         .where(SavedMapping.__table__.c.signature == header_signature(header))).scalar()
    if saved is not None and json.loads(saved) == stored:
        return stored
    guessed = _consent_for_channel(mapping_fields(guess_mapping(header, preset)), header, channel)
    out = list(stored) + [IGNORE] * (len(header) - len(stored))
    for i, now in enumerate(guessed[:len(out)]):
        if now != out[i] and _is_consent_field(now) and (out[i] == IGNORE or _is_consent_field(out[i])):
            out[i] = now
    return out


def _batch_plan(conn: Connection, batch_row, header: list[str], mapping: list[str], preset, options: dict):
    """An import plan for a batch as it was read, to give its rows to today's ``RowNormalizer``."""
    from pathlib import Path

    from omnidesk.core.importing.analysis import ImportPlan, _scan
    from omnidesk.core.importing.phone_region import chosen
    from omnidesk.core.importing.sniff import FileFormat

    bid, file_name, channel, kind, encoding, delimiter = batch_row
    region = str(options.get("region") or "US")
    orders = {}
    for k, v in (options.get("date_orders") or {}).items():
        try:
            orders[int(k)] = nz.DateOrder(v)
        except (TypeError, ValueError):
            pass
    try:
        phone_region = chosen(options["phone_region"], "as imported") if options.get("phone_region") else None
    except Exception:  # a region this version no longer knows: numbers read as the file's region
        phone_region = None
    fmt = FileFormat(encoding=encoding or "utf-8", encoding_label=encoding or "utf-8",
                     delimiter=delimiter or ",", header=tuple(header), header_line=0)
    # The date columns whose day/month order only the region decided: a guess never dates a "yes".
    try:
        chosen_order = nz.DateOrder(options["date_order"]) if options.get("date_order") else None
    except ValueError:
        chosen_order = None
    _, _, _, guessed, _ = _scan(_kept_records(conn, bid, len(header)), fmt, mapping, region, chosen_order)
    return ImportPlan(path=Path(file_name or "file.csv"), file_hash="", file_size=0, fmt=fmt, preset=preset,
                      guesses=[], mapping=mapping, mapping_source="saved", kind=kind, channel=channel,
                      region=region, date_orders=orders, preview=[], phone_region=phone_region,
                      guessed_date_columns=guessed)


def _kept_records(conn: Connection, batch_id: int, width: int, with_ids: bool = False,
                  unread: list[int] | None = None):
    """A batch's kept rows as the file's reader gave them (``sniff.Record``), in order.

    A row whose kept cells cannot be read (not a JSON list) is left out, its id added to ``unread``."""
    from omnidesk.core.importing.sniff import _make_record

    for rows in _batch_rows(conn, batch_id, "record_no", "line_no", "raw_json"):
        for rid, number, line, raw_json in rows:
            try:
                cells = [str(c) for c in _json_of(raw_json, list)]
            except ValueError:
                if unread is not None:
                    unread.append(rid)
                continue
            record = _make_record(number or 0, line or 0, cells, width)
            yield (rid, record) if with_ids else record


def _json_of(raw: str | None, kind: type):
    """A stored JSON value that must be a ``kind`` (a list, a dict); empty when none is stored.
    Raises ValueError when it is not valid JSON or not of that kind."""
    value = json.loads(raw) if raw else kind()
    if not isinstance(value, kind):
        raise ValueError(f"not a JSON {kind.__name__}")
    return value


def _customer_consents(conn: Connection, ids: set[int]) -> dict[int, tuple]:
    from omnidesk.core.identity.profiles import chunks
    from omnidesk.core.models import Customer

    cust = Customer.__table__
    cols = [cust.c[f"consent_{ch}"] for ch in _CONSENT_CHANNELS]
    out = {}
    for part in chunks(sorted(ids)):
        out.update((r[0], tuple(r[1:])) for r in conn.execute(select(cust.c.id, *cols).where(cust.c.id.in_(part))))
    return out


def reread_consents(conn: Connection) -> ConsentReread:
    """Read every imported record's consent facts again from its kept row, with this version's readers.

    The facts an older version read at import are replaced where today's reading differs (a
    refusing column it took for a "yes", a "no" it dated by the row's opt-in date); consent
    typed by hand (the hand batch's) is never touched.  The customers whose facts changed are
    built again, and the workspace is marked as read by this version.  Runs inside the caller's
    transaction.
    """
    from omnidesk.core.identity.golden import refresh_customers
    from omnidesk.core.identity.profiles import chunks
    from omnidesk.core.dialect import insert_tuples_in_bulk
    from omnidesk.core.importing.known_numbers import reread_optout_phones, take_back_numbers_of_email_refusals
    from omnidesk.core.importing.parallel import normalized_chunks, worker_count
    from omnidesk.core.importing.rows import RowNormalizer, forget_readings
    from omnidesk.core.models import HAND_KIND, Consent

    done = ConsentReread()
    read_by = _consent_readers_version(conn)
    batch, rec, con = ImportBatch.__table__, SourceRecord.__table__, Consent.__table__
    batches = conn.execute(select(batch.c.id, batch.c.file_name, batch.c.channel, batch.c.kind, batch.c.encoding,
                                  batch.c.delimiter, batch.c.header_json, batch.c.mapping_json, batch.c.options_json,
                                  batch.c.preset)
                           .where(batch.c.status == "done", batch.c.kind != HAND_KIND).order_by(batch.c.id)).all()
    changed_customers: set[int] = set()
    before: dict[int, tuple] = {}
    for b in batches:
        # A batch whose stored header, mapping or options cannot be read is not read again: its
        # records keep the consent recorded at import (never a "yes" guessed from half a reading).
        try:
            reading = _stored_reading(b)
        except ValueError:
            done.unread_imports.append(b.file_name or f"import {b.id}")
            continue
        if reading is None:
            continue
        header, stored, options, preset = reading
        named = _named_by_file(preset, header, b.file_name)
        try:
            mapping = _consent_mapping(conn, header, stored, named or preset, b.channel)
        except ValueError:  # the mapping kept for these columns is not valid JSON: whether the user chose it is not known
            done.unread_imports.append(b.file_name or f"import {b.id}")
            continue
        if named is not None:  # the file's name says more than its header did to the older readers
            preset = named
            conn.execute(update(batch).where(batch.c.id == b.id).values(preset=named.key))
        plan = _batch_plan(conn, (b.id, b.file_name, b.channel, b.kind, b.encoding, b.delimiter), header, mapping,
                           preset, options)
        normalizer = RowNormalizer(plan)

        def settle(part: list) -> None:
            ids = [rid for rid, _ in part]
            had: dict[int, list] = {}
            for rid, ch, status, at in conn.execute(select(con.c.record_id, con.c.channel, con.c.status,
                                                           con.c.occurred_at).where(con.c.record_id.in_(ids))):
                had.setdefault(rid, []).append((ch, status, at))
            owners = dict(conn.execute(select(rec.c.id, rec.c.customer_id).where(rec.c.id.in_(ids))).all())
            redo, params = [], []
            for rid, facts in part:
                # A re-read may find a refusal an older reading missed, never take one away: a
                # channel the kept facts refuse and today's reading does not keeps its refusals
                # (a reader's fix is no one's "yes"; the file says no more than it said then).
                old = had.get(rid, [])
                refused_now = {ch for ch, status, _at in facts if status in _REFUSED}
                kept = [f for f in old if f[1] in _REFUSED and f[0] not in refused_now]
                if kept:
                    facts = [*facts, *kept]
                    done.refusals_kept += len(kept)
                if sorted(old, key=repr) == sorted(facts, key=repr):
                    continue
                redo.append(rid)
                cid = owners.get(rid)
                if cid is not None:
                    changed_customers.add(cid)
                params += [(rid, cid, ch, status, at, "") for ch, status, at in facts]
            if not redo:
                return
            new = {owners[r] for r in redo if owners.get(r) is not None} - before.keys()
            before.update(_customer_consents(conn, new))
            for ids_part in chunks(redo):
                conn.execute(con.delete().where(con.c.record_id.in_(ids_part)))
            if params:
                insert_tuples_in_bulk(conn, con, ("record_id", "customer_id", "channel", "status", "occurred_at",
                                                  "note"), params)
            done.records += len(redo)

        if not normalizer.reads_consent:
            # No column, constant or name of the file says anything of consent: its records hold no
            # fact (those an older reading gave them go).
            for part in chunks(conn.execute(select(con.c.record_id).distinct().join(rec, rec.c.id == con.c.record_id)
                                            .where(rec.c.batch_id == b.id)).scalars().all(), _CHUNK):
                settle([(rid, []) for rid in part])
            continue
        # Read as the import reads them (in worker processes for a big file), in the kept order.
        ids: list[int] = []
        total = conn.execute(select(func.count()).where(rec.c.batch_id == b.id)).scalar() or 0
        unread: list[int] = []  # rows not read again keep their facts: settle never sees them
        records = (record for rid, record in _kept_records(conn, b.id, len(header), with_ids=True, unread=unread)
                   if not ids.append(rid))
        done_ids = 0
        with closing(normalized_chunks(records, normalizer, b.channel, header, _CHUNK,
                                       worker_count(total))) as read:
            for rows, _ in read:
                part = []
                pairs = list(zip(ids[done_ids:done_ids + len(rows)], rows))
                for rid, row in pairs:
                    part.append((rid, [] if row.skip else [(ch, status, at) for ch, said in row.consents.items()
                                                           for status, at in said]))
                done_ids += len(rows)
                settle(part)
                if read_by < 5:  # versions 3 and 5: an opt-out's number an older version could not read
                    given = reread_optout_phones(conn, pairs)
                    done.numbers += len(given)
                    changed_customers.update(conn.execute(select(rec.c.customer_id).distinct().where(
                        rec.c.id.in_(sorted(given)), rec.c.customer_id.is_not(None))).scalars())
                if read_by < 4:  # version 4: an email's refusal held numbers by its unreadable one's digits
                    taken = take_back_numbers_of_email_refusals(conn, pairs)
                    done.numbers_taken += len(taken)
                    changed_customers.update(conn.execute(select(rec.c.customer_id).distinct().where(
                        rec.c.id.in_(sorted(taken)), rec.c.customer_id.is_not(None))).scalars())
        done.unread_rows += len(unread)
    forget_readings()
    # The rule changed since: the cards it may decide otherwise, though their facts are the same.
    decided_again = set().union(*(which(conn) for version, which in _RULE_CHANGES.items() if read_by < version))
    before.update(_customer_consents(conn, decided_again - before.keys()))
    changed_customers |= decided_again
    if changed_customers:
        refresh_customers(conn, changed_customers)
        after = _customer_consents(conn, changed_customers)
        for cid, old in before.items():
            new = after.get(cid)
            if new is not None and new != old:
                done.count(old, new)
    _mark_consent_readers(conn)
    return done


def _stored_reading(b) -> tuple[list[str], list, dict, object] | None:
    """A kept import's header, stored mapping and options, and the preset it was read with (None
    when this version no longer has it), as the re-reads read them; None without a header.

    Raises ValueError when what was stored cannot be read.
    """
    header = [str(h) for h in _json_of(b.header_json, list)]
    stored = _json_of(b.mapping_json, list)
    options = _json_of(b.options_json, dict)
    if not header:
        return None
    try:
        preset = get_preset(b.preset) if b.preset else None
    except KeyError:  # a preset this version no longer has
        preset = None
    return header, stored, options, preset


def _setting_reader(conn: Connection):
    """``get_setting`` for the workspace behind ``conn`` (the model's fit and thresholds)."""
    from omnidesk.core.models import Setting

    table = Setting.__table__
    stored = dict(conn.execute(select(table.c.key, table.c.value)).all())

    def get(key: str, default: object = None) -> object:
        try:
            return json.loads(stored[key]) if key in stored else default
        except ValueError:
            return default
    return get


def _customers_of(conn: Connection, records: list[int]) -> list[tuple[int, int]]:
    from omnidesk.core.identity.profiles import chunks

    rec = SourceRecord.__table__
    out: list[tuple[int, int]] = []
    for part in chunks(sorted(set(records))):
        out.extend(conn.execute(select(rec.c.id, rec.c.customer_id).where(rec.c.id.in_(part))).all())
    return out


def _alone_on(conn: Connection, customers: set[int]) -> set[int]:
    """Of these customers, those holding one record only."""
    from omnidesk.core.identity.profiles import chunks

    rec = SourceRecord.__table__
    out: set[int] = set()
    for part in chunks(sorted(customers)):
        out.update(conn.execute(select(rec.c.customer_id).where(rec.c.customer_id.in_(part))
                                .group_by(rec.c.customer_id).having(func.count() == 1)).scalars())
    return out


class RefusalsReread(NamedTuple):
    """What :func:`read_refusal_emails_again` changed: records given an address (and placed with
    the customer it names), and records kept as read, their empty customer gone."""

    reached: int = 0
    kept_as_read: int = 0


def read_refusal_emails_again(conn: Connection) -> RefusalsReread:
    """Give the kept refusals whose address an older version could not read the address today's
    import reads in it, and place their records as an import places them; the rows today's import
    makes no one of are kept as it keeps them.

    An opt-out list's "a5@example.com." (a sentence's full stop), "(ann@shop.example)" or
    "ann @ shop.example" was only flagged before :func:`contact.refusal_email`: the row became a
    customer of its own with nothing to its name but the refusal, and the customer the address
    names stayed subscribed.  Each such row (flagged "not a valid email", placed on a customer) is
    read again by the import's own row reader; a refusal it now reads an address in gets that
    address (identifier, the record's email, its note saying what it was read as), and is placed
    again (``resolve.place_left_behind``): it joins the customer the address names, with the
    facts and dates it was read with, and the empty customer it made goes.  An address no one
    holds stays on that customer, now known by it, as an import today makes it: the person
    imported later joins the refusal.  A row whose address has no single reading today ("a@x.com
    b@x.com", "a 4@x.com", text with no address) names no one: today's import keeps it as read,
    flagged to be corrected, and makes no customer of it, so it is made so (no consent fact, no
    identifier), and the nameless customer with no channel the older version made of it, whose
    refusal reached no one, goes.  The customers it might mean are not guessed at: their consent
    stays as a fresh import of the row leaves it.  One that holds a note or a pinned value the owner
    typed stays, as a record merged by hand does.  A row today's reading gives no new address and
    still places is left as it is, so a second run changes nothing.  Left as they are too: a row the owner
    has since merged into a customer by hand (it is no longer alone on its customer), and an
    address erased at its owner's request (an import leaves it out).  Runs inside the caller's
    transaction.
    """
    from omnidesk.core.contact import mailbox_of
    from omnidesk.core.identity.golden import refresh_customers
    from omnidesk.core.identity.profiles import chunks
    from omnidesk.core.identity.resolve import model_from_settings, place_left_behind
    from omnidesk.core.importing.rows import READ_AS, RowNormalizer, forget_readings
    from omnidesk.core.importing.store import stored_text
    from omnidesk.core.models import HAND_KIND, Identifier
    from omnidesk.core.suppression import identifier_hash, known_suppressions, workspace_salt, written_forms

    batch, rec, ident = ImportBatch.__table__, SourceRecord.__table__, Identifier.__table__
    found = conn.execute(select(rec.c.batch_id, rec.c.id).where(
        rec.c.flagged.is_(True), rec.c.customer_id.is_not(None), rec.c.kind != "skipped",
        rec.c.problems_json.like("%not a valid email%"))).all()
    if not found:
        return RefusalsReread()
    # Only a record still alone on its customer (the empty customer the older version made of it):
    # one the owner merged into someone by hand stays where they put it, unread.
    holders = {rid: cid for rid, cid in _customers_of(conn, [rid for _, rid in found])}
    alone = _alone_on(conn, set(holders.values()))
    found = [(bid, rid) for bid, rid in found if holders.get(rid) in alone]
    if not found:
        return RefusalsReread()
    salt = workspace_salt(conn)
    wanted: dict[int, set[int]] = {}
    for bid, rid in found:
        wanted.setdefault(bid, set()).add(rid)
    given: dict[int, list[str]] = {}  # record -> the addresses it was given
    unread: dict[int, Row] = {}  # record -> today's reading, which makes no one of it
    for b in conn.execute(select(batch.c.id, batch.c.file_name, batch.c.channel, batch.c.kind, batch.c.encoding,
                                 batch.c.delimiter, batch.c.header_json, batch.c.mapping_json, batch.c.options_json,
                                 batch.c.preset)
                          .where(batch.c.id.in_(sorted(wanted)), batch.c.status == "done", batch.c.kind != HAND_KIND)
                          .order_by(batch.c.id)).all():
        # Read as the consent re-read reads a batch: a batch whose stored header, mapping or options
        # cannot be read is left as it is.
        try:
            reading = _stored_reading(b)
        except ValueError:
            continue
        if reading is None:
            continue
        header, stored, options, preset = reading
        preset = _named_by_file(preset, header, b.file_name) or preset
        try:
            mapping = _consent_mapping(conn, header, stored, preset, b.channel)
        except ValueError:
            continue
        plan = _batch_plan(conn, (b.id, b.file_name, b.channel, b.kind, b.encoding, b.delimiter), header, mapping,
                           preset, options)
        normalizer = RowNormalizer(plan)
        mine = wanted[b.id]
        for rid, record in _kept_records(conn, b.id, len(header), with_ids=True):
            if rid not in mine:
                continue
            row = normalizer.normalize(record)
            if row.skip:
                unread[rid] = row
                continue
            read = [address for address in row.emails
                    if any(READ_AS.format(address=address) in problem for problem in row.problems)]
            held = set(conn.execute(select(ident.c.value).where(ident.c.record_id == rid,
                                                                ident.c.kind == "email")).scalars())
            # An address erased at its owner's request is never given back, as an import leaves it out.
            new = [address for address in read if address not in held and not known_suppressions(
                conn, [identifier_hash(salt, k, v) for k, v in written_forms([("email", address)])])]
            if not new:
                continue
            conn.execute(ident.insert(), [{"record_id": rid, "kind": "email", "value": address,
                                           "mailbox": mailbox_of(address)} for address in new])
            _, _, problems_json, _, _, work = stored_text(row)
            conn.execute(update(rec).where(rec.c.id == rid).values(problems_json=problems_json, work_key=work))
            conn.execute(update(rec).where(rec.c.id == rid, rec.c.email.is_(None)).values(email=row.emails[0]))
            given[rid] = new
    forget_readings()
    kept = _keep_as_read(conn, {rid: (holders[rid], row) for rid, row in unread.items()})
    if not given:
        return RefusalsReread(0, kept)
    ids = sorted(given)
    had: set[int] = set()
    for part in chunks(ids):
        had.update(conn.execute(select(rec.c.customer_id).distinct().where(rec.c.id.in_(part))).scalars())
    touched = place_left_behind(conn, ids, model_from_settings(_setting_reader(conn)))
    for part in chunks(ids):  # where they are now: their refusals are on those cards
        touched.update(conn.execute(select(rec.c.customer_id).distinct().where(rec.c.id.in_(part))).scalars())
    refresh_customers(conn, had | touched)
    return RefusalsReread(len(given), kept)


def _keep_as_read(conn: Connection, rows: dict[int, tuple[int, Row]]) -> int:
    """Make each kept refusal of ``rows`` (record -> its customer, alone on it, and today's reading,
    which skips it) what today's import makes of the row: kept as read and flagged, on no customer,
    with no consent fact, identifier or custom field; its customer, empty now, goes.  Only a row
    that refuses and nothing else, whose customer is the nameless one with no channel the older
    version made of it: any other row (one saying "yes", a customer with a name, an address or a
    number) is left as it is.  A customer holding a note or a pinned value typed by the owner keeps
    its record.  Returns how many records were so kept."""
    from omnidesk.core.identity.golden import refresh_customers
    from omnidesk.core.importing.rows import _only_refuses
    from omnidesk.core.importing.store import stored_text
    from omnidesk.core.models import Consent, CustomField, Customer, Identifier

    rows = {rid: (cid, row) for rid, (cid, row) in rows.items() if _only_refuses(row)}
    if not rows:
        return 0
    rec, cust = SourceRecord.__table__, Customer.__table__
    empty = {cid for cid, notes, pins in conn.execute(
        select(cust.c.id, cust.c.notes, cust.c.pinned_json).where(
            cust.c.id.in_({c for c, _ in rows.values()}),
            # nameless, as identity.shared_only reads it, and no address or number to reach it by
            cust.c.first_name == "", cust.c.last_name == "", cust.c.full_name == "", cust.c.company == "",
            func.coalesce(cust.c.email, "") == "", func.coalesce(cust.c.phone, "") == ""))
        if not (notes or "").strip() and (pins or "{}") in ("", "{}")}
    ids = sorted(rid for rid, (cid, _) in rows.items() if cid in empty)
    if not ids:
        return 0
    for rid in ids:
        _raw, values_json, problems_json, _key, _sound, work = stored_text(rows[rid][1])
        conn.execute(update(rec).where(rec.c.id == rid).values(
            kind="skipped", customer_id=None, email=None, phone=None, values_json=values_json,
            problems_json=problems_json, work_key=work, flagged=True))
    # A fresh import stores no custom field of a row it skips: none is left to name a field no one holds.
    for table in (Consent.__table__, Identifier.__table__, Event.__table__, CustomField.__table__):
        conn.execute(table.delete().where(table.c.record_id.in_(ids)))
    refresh_customers(conn, {rows[rid][0] for rid in ids})
    return len(ids)
