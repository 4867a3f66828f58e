"""What the user enters by hand: a value typed in, tags, a custom field, consent heard by phone, a new customer.

Every hand entry is kept as a source record of channel ``manual`` ("Entered by
you") in the workspace's one batch of hand entries, so it has what an imported
fact has for free: a place in the customer's Sources and timeline, consent
facts decided by the one consent rule (``consent.py``), custom fields, email
and phone identifiers that later imports match against, and an erasure that
finds it.  Each customer has one such record, created on their first hand
entry; it *follows* one of the customer's imported records (``values_json``
``follows``), so rebuilding every customer from scratch puts it back with the
same person.  A customer added by hand is made of a record that follows nobody.
When an undone import takes away every record of its person, the hand record
stays on its customer and keeps the identifiers of the record it followed
(``identity.writes.outlive_leads``): their file imported again finds it.

The rules:

* **A typed value wins.**  It is written on the hand record (dated in
  ``values_json`` ``edited``) and pinned on the customer, so a later import
  does not overwrite it; the card says "entered by you on <date>".  Clearing a
  value pins it empty.  Hand records take no part in survivorship otherwise
  (golden.py): a city typed in never makes the street of another file vanish.
* **Tags.**  Adding a tag puts it on the hand record; taking one off removes it
  there and lists it under ``untagged``: a tag taken off by hand stays off
  whatever a file says, until it is added again by hand.
* **Consent by hand** is a consent fact dated now, with the words that go with
  it ("asked by phone to stop SMS").  The one rule decides: the later day
  wins, and on the same day the stricter status, so an opt-out a file recorded
  today is not lifted by a "yes" typed in today.
* **Custom fields** typed in are custom-field rows of the hand record, of the
  type the workspace already reads that field as; the card shows them before
  any file's value.  On a merged customer they go on its own hand record, the
  one that stays with its id, never on the one the other side takes back on a
  split (which keeps what was typed for them before); the card shows the value
  typed last.

Every function here is one transaction.  The GUI runs them journaled
(``journal.py``) for an exact undo; the command line runs them as they are.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.engine import Connection

from omnidesk.core.importing.names import compose_full_name
from omnidesk.core.changes import Changes
from omnidesk.core.channels import CONSENT_CODES, HAND, channel_code, channel_name
from omnidesk.core.consent import decide, facts_query
from omnidesk.core.contact import mailbox_of, normalize_email, normalize_phone
from omnidesk.core.dialect import casefold
from omnidesk.core.errors import UserError, ValueRefused
from omnidesk.core.text import clean_line
from omnidesk.core.identity.golden import refresh_customers, refresh_customers_steps
from omnidesk.core.identity.merge import PINNABLE, first_own_record, hand_record_kept
from omnidesk.core.identity.writes import REJOIN, new_customer_row
from omnidesk.core.importing.dates import default_date_order, parse_date, parse_typed_date
from omnidesk.core.importing.custom_fields import TEXT, read_value
from omnidesk.core.importing.known_numbers import typed_number_reaches_optouts
from omnidesk.core.importing.normalize import (
    normalize_country,
    normalize_postcode,
    parse_bool,
    parse_money,
    unclear_comma,
)
from omnidesk.core.models import HAND_KIND, Consent, Customer, CustomField, Identifier, ImportBatch, SourceRecord, utcnow
from omnidesk.core.suppression import identifier_hash, known_suppressions, workspace_salt, written_forms
from omnidesk.core.tasks import CancelCheck, Cancelled, Progress, cancellable, never_cancelled, run_to_completion, worded
from omnidesk.core.workspace import Workspace

HAND_FILE = "Entered by you"
FIELDS = PINNABLE  # the values a user can type in
HEADER = (*FIELDS, "tags")  # the hand record's cells, as its Sources view shows them
CONSENT_STATUSES = ("granted", "denied")
MAX_TAG = 100
_IN = 900
REPLACED = "replaced"  # a hand record's typed emails and phones since replaced (keep_replaced)


@dataclass(frozen=True)
class Edit:
    """One hand change: who it concerns, and a sentence saying what it did."""

    customers: tuple[int, ...]
    words: str
    created: int | None = None  # a customer added by hand

    @property
    def changes(self) -> Changes:
        # A value, a tag or a consent changes these customers' cards and rows; only a customer
        # added by hand changes who is listed (the review queue, counts and searches re-read).
        return Changes.of_customers(*self.customers, listed=self.created is not None)


@dataclass(frozen=True)
class ConsentEdit(Edit):
    channel: str = ""
    status: str = ""
    in_force: str | None = None  # the consent in force afterwards, by the one rule


# -- reading ---------------------------------------------------------------------------------


def is_hand_batch(kind: str | None) -> bool:
    return kind == HAND_KIND


def all_tags(ws: Workspace) -> list[tuple[str, int]]:
    """Every tag customers carry and how many carry it, most common first.

    "VIP" and "vip" are one tag, named as most customers spell it.
    """
    cust = Customer.__table__
    spellings: dict[str, Counter] = {}
    with ws.engine.connect() as conn:
        for (tags,) in conn.execute(select(cust.c.tags).where(cust.c.tags != "")).yield_per(10_000):
            for tag in tags.split(", "):
                if tag:
                    spellings.setdefault(tag.casefold(), Counter())[tag] += 1
    out = []
    for counts in spellings.values():
        name = min(counts, key=lambda s: (-counts[s], s))
        out.append((name, sum(counts.values())))
    return sorted(out, key=lambda t: (-t[1], t[0].casefold()))


# -- the hand record -------------------------------------------------------------------------


def _hand_batch(conn: Connection) -> int:
    batch = ImportBatch.__table__
    found = conn.execute(select(batch.c.id).where(batch.c.kind == HAND_KIND).order_by(batch.c.id).limit(1)).scalar()
    if found is not None:
        return found
    now = utcnow()
    return conn.execute(insert(batch).returning(batch.c.id).values(
        file_name=HAND_FILE, file_hash="", file_size=0, channel=HAND, kind=HAND_KIND, encoding="utf-8",
        header_json=json.dumps(HEADER), mapping_json="[]", options_json="{}", status="done", started_at=now, finished_at=now)).scalar_one()


def _new_record(conn: Connection, customer_id: int, values: dict, cells: Mapping[str, str] | None = None) -> int:
    rec = SourceRecord.__table__
    batch_id = _hand_batch(conn)
    number = (conn.execute(select(func.max(rec.c.record_no)).where(rec.c.batch_id == batch_id)).scalar() or 0) + 1
    cells = dict(cells or {})
    row = {f: cells.get(f) or "" for f in FIELDS}
    for f in ("email", "phone", "birthday"):
        row[f] = row[f] or None
    return conn.execute(insert(rec).returning(rec.c.id).values(
        batch_id=batch_id, record_no=number, line_no=0, channel=HAND, kind="contacts",
        # Unique (one number per record of the batch) and the same when an undone entry is made
        # again, so a redo gives back exactly the row it took away.
        row_hash=hashlib.sha256(f"hand:{customer_id}:{number}".encode()).hexdigest(),
        raw_json=json.dumps([cells.get(h, "") for h in HEADER], ensure_ascii=False),
        customer_id=customer_id, values_json=json.dumps(values), **row)).scalar_one()


def _new_follow_records(conn: Connection, made: Sequence[tuple[int, dict, str]]) -> dict[int, int]:
    """A hand record for each (customer, its ``values_json``, its tags), numbered and hashed as
    :func:`_new_record` numbers them one at a time, in the order given, written in one statement;
    customer -> record id."""
    if not made:
        return {}
    rec = SourceRecord.__table__
    batch_id = _hand_batch(conn)
    first = (conn.execute(select(func.max(rec.c.record_no)).where(rec.c.batch_id == batch_id)).scalar() or 0) + 1
    empty = {f: "" for f in FIELDS} | {"email": None, "phone": None, "birthday": None}
    rows = [dict(empty, batch_id=batch_id, record_no=first + i, line_no=0, channel=HAND, kind="contacts",
                 row_hash=hashlib.sha256(f"hand:{cid}:{first + i}".encode()).hexdigest(),
                 raw_json=json.dumps(["" for _ in FIELDS] + [tags], ensure_ascii=False),
                 customer_id=cid, values_json=json.dumps(values), tags=tags)
            for i, (cid, values, tags) in enumerate(made)]
    conn.execute(insert(rec), rows)
    numbers = {first + i: cid for i, (cid, _values, _tags) in enumerate(made)}
    return {numbers[number]: rid for rid, number in conn.execute(select(rec.c.id, rec.c.record_no).where(
        rec.c.batch_id == batch_id, rec.c.record_no >= first, rec.c.record_no < first + len(rows)))}


def _anchors(conn: Connection, customer_ids: Sequence[int]) -> dict[int, int]:
    """Customer -> the record a hand record of theirs made now follows (their first from a file);
    a UserError naming one of them that is not there."""
    rec = SourceRecord.__table__
    ids = sorted(set(customer_ids))
    out: dict[int, int] = {}
    for start in range(0, len(ids), _IN):
        out.update(conn.execute(
            select(rec.c.customer_id, func.min(rec.c.id))
            .where(rec.c.customer_id.in_(ids[start:start + _IN]), rec.c.channel != HAND)
            .group_by(rec.c.customer_id)).all())
    for cid in ids:
        if cid not in out:
            raise UserError(f"There is no customer {cid}.")
    return out


def _instant(now: str) -> str:
    """``now`` (an instant, naive meaning UTC as :func:`utcnow` reads) with its offset written out:
    a time a file gave without one is on the shop's clock, so a time kept without one would read so."""
    from datetime import UTC, datetime

    moment = datetime.fromisoformat(now)
    return (moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)).isoformat()


def _customer_or_fail(conn: Connection, customer_id: int) -> None:
    cust = Customer.__table__
    if conn.execute(select(cust.c.id).where(cust.c.id == customer_id)).first() is None:
        raise UserError(f"There is no customer {customer_id}.")


def _hand_records(conn: Connection, customer_ids: Sequence[int]) -> dict[int, tuple[int, str, str]]:
    """Customer -> (hand record id, tags, values_json), creating the records that are missing."""
    rec = SourceRecord.__table__
    ids = sorted(set(customer_ids))
    out: dict[int, tuple[int, str, str]] = {}
    for start in range(0, len(ids), _IN):
        part = ids[start:start + _IN]
        for rid, cid, tags, values in conn.execute(
                select(rec.c.id, rec.c.customer_id, rec.c.tags, rec.c.values_json)
                .where(rec.c.customer_id.in_(part), rec.c.channel == HAND).order_by(rec.c.id.desc())):
            out[cid] = (rid, tags or "", values or "{}")  # the oldest wins (read last)
    missing = [cid for cid in ids if cid not in out]
    anchors = _anchors(conn, missing)
    made = _new_follow_records(conn, [(cid, {"follows": anchors[cid]}, "") for cid in missing])
    for cid in missing:
        out[cid] = (made[cid], "", json.dumps({"follows": anchors[cid]}))
    return out


def _kept_hand_record(conn: Connection, customer_id: int) -> int:
    """The customer's hand record that stays with its id through a split or an undone merge
    (``merge.hand_record_kept``), made when there is none: on a merged customer whose only hand
    record came with the other side, what is typed now is not theirs to take away."""
    rid = hand_record_kept(conn, customer_id)
    if rid is not None:
        return rid
    anchor = first_own_record(conn, customer_id)
    if anchor is None:  # nothing from a file left on them: their hand records are all they are
        return _hand_records(conn, [customer_id])[customer_id][0]
    return _new_record(conn, customer_id, {"follows": anchor})


def _every_hand_record(conn: Connection, customer_ids: Sequence[int]) -> list[tuple[int, int, str, str]]:
    """(customer, hand record id, tags, values_json) of every hand record of these customers: one
    each, or several after a merge (each side's own, which goes back with it on an unmerge)."""
    rec = SourceRecord.__table__
    ids = sorted(set(customer_ids))
    out: list[tuple[int, int, str, str]] = []
    for start in range(0, len(ids), _IN):
        out += [(cid, rid, tags or "", values or "{}") for cid, rid, tags, values in conn.execute(
            select(rec.c.customer_id, rec.c.id, rec.c.tags, rec.c.values_json)
            .where(rec.c.customer_id.in_(ids[start:start + _IN]), rec.c.channel == HAND).order_by(rec.c.id))]
    return out


def keep_replaced(values: dict, field: str, value: str) -> None:
    """Keep an email or phone typed in (or pinned) and since replaced in a hand record's ``values``.

    Nothing else holds it any more, and it was the person's: an erasure puts it on the
    suppression list with the rest (``rights.erase_person``), so a file that still has it
    cannot bring them back, and their data export shows it.
    """
    earlier = values.setdefault(REPLACED, {}).setdefault(field, [])
    if value not in earlier:
        earlier.append(value)


def replaced_values(values_json: str | None) -> list[tuple[str, str]]:
    """(field, value) of every email and phone a hand record keeps as replaced (:func:`keep_replaced`)."""
    try:
        kept = json.loads(values_json or "{}").get(REPLACED) or {}
    except (ValueError, AttributeError):
        return []
    return [(f, v) for f in ("email", "phone") for v in kept.get(f, []) if isinstance(v, str) and v]


def _cells(conn: Connection, record_ids: Sequence[int]) -> dict[int, list]:
    """Record id -> its cells in ``HEADER`` order, as stored."""
    rec = SourceRecord.__table__
    ids = sorted(set(record_ids))
    out: dict[int, list] = {}
    for start in range(0, len(ids), _IN):
        for row in conn.execute(select(rec.c.id, *[rec.c[h] for h in HEADER])
                                .where(rec.c.id.in_(ids[start:start + _IN]))):
            out[row[0]] = list(row[1:])
    return out


def _refresh_raw(conn: Connection, record_id: int) -> None:
    """The hand record's cells as its Sources view shows them: what was entered, as it stands."""
    rec = SourceRecord.__table__
    row = conn.execute(select(*[rec.c[h] for h in HEADER]).where(rec.c.id == record_id)).first()
    conn.execute(update(rec).where(rec.c.id == record_id).values(
        raw_json=json.dumps([row[i] or "" for i in range(len(HEADER))], ensure_ascii=False)))


def _set_identifier(conn: Connection, record_id: int, kind: str, value: str | None) -> None:
    """The hand record's typed ``kind`` is ``value`` now; the identifiers it keeps of its person's
    undone records (``writes.outlive_leads``) stay, to find them again."""
    ident, rec = Identifier.__table__, SourceRecord.__table__
    kept = json.loads(conn.execute(select(rec.c.values_json).where(rec.c.id == record_id)).scalar() or "{}"
                      ).get(REJOIN, {}).get(kind, [])
    conn.execute(ident.delete().where(ident.c.record_id == record_id, ident.c.kind == kind,
                                      ident.c.value.not_in(kept)))
    if value and value not in kept:
        conn.execute(insert(ident).values(record_id=record_id, kind=kind, value=value,
                                          mailbox=mailbox_of(value) if kind == "email" else None))


# -- values ----------------------------------------------------------------------------------


def _region(conn: Connection) -> str:
    from omnidesk.core.models import Setting

    raw = conn.execute(select(Setting.__table__.c.value).where(Setting.__table__.c.key == "default_region")).scalar()
    try:
        return str(json.loads(raw)) if raw else "US"
    except ValueError:
        return "US"


def clean_value(conn: Connection, field: str, value: str, *, country: str = "") -> str:
    """The value as it is stored, read the way an import reads that field; UserError when it cannot be."""
    if field not in FIELDS:
        raise ValueRefused(f"'{field}' is not a field that can be typed in; one of: {', '.join(FIELDS)}.")
    text = clean_line(value)
    if not text:
        return ""
    label = field.replace("_", " ")
    # As long as the customer's column holds (a name 200, a company 300, an address 500): refused
    # when longer, never cut without a word.
    limit = getattr(Customer.__table__.c[field].type, "length", None) or 1000
    limit = 1000 if field in ("email", "phone", "birthday", "country", "postcode") else min(limit, 1000)
    if len(text) > limit:
        raise ValueRefused(f"{label}: keep it to {limit:,} characters at most (it has {len(text):,}).")
    if field == "email":
        got = normalize_email(text)
    elif field == "phone":
        got = normalize_phone(text, _region(conn))
    elif field == "birthday":
        got = parse_typed_date(text, _region(conn))
    elif field == "country":
        got = normalize_country(text)
    elif field == "postcode":
        return normalize_postcode(text, country or None)
    else:
        return text
    if got.problem or not got.value:
        raise ValueRefused(f"'{text}' cannot be read as the {label}: {got.problem or 'nothing is left of it'}.")
    # A birthday still to come is a slip (2090 for 1990); today's date is the latest anywhere on Earth.
    if field == "birthday" and str(got.value) > (datetime.now(UTC) + timedelta(hours=14)).date().isoformat():
        raise ValueRefused(f"'{text}' cannot be the birthday: that day has not come yet.")
    return str(got.value)


def check_values(ws: Workspace, values: Mapping[str, str]) -> dict[str, str]:
    """Field -> why its typed value cannot be stored (empty when all can); changes nothing."""
    problems: dict[str, str] = {}
    with ws.engine.connect() as conn:
        country = values.get("country", "")
        if country.strip():
            try:
                country = clean_value(conn, "country", country)
            except UserError as exc:
                problems["country"] = str(exc)
                country = ""
        for field, value in values.items():
            if field == "country":
                continue
            try:
                clean_value(conn, field, value, country=country)
            except UserError as exc:
                problems[field] = str(exc)
    return problems


def held_by_others(ws: Workspace, customer_id: int | None, values: Mapping[str, str]) -> dict[str, str]:
    """Field -> a sentence naming the other customers whose records already carry the typed email or phone.

    ``customer_id`` None: for a new customer, whom :func:`add_customer` refuses.
    Else not a refusal: a family may share one email.  But a typed address that is
    someone else's is more often a slip or the same person twice (then merge
    them), and the user should know before it is stored.
    """
    found: dict[str, str] = {}
    ident, rec, cust = Identifier.__table__, SourceRecord.__table__, Customer.__table__
    with ws.engine.connect() as conn:
        for kind in ("email", "phone"):
            try:
                value = clean_value(conn, kind, values.get(kind, ""))
            except UserError:
                continue
            if not value:
                continue
            owners = conn.execute(
                select(cust.c.id, cust.c.display_name).distinct()
                .select_from(ident.join(rec, ident.c.record_id == rec.c.id).join(cust, cust.c.id == rec.c.customer_id))
                .where(ident.c.kind == kind, ident.c.value == value, cust.c.id != (customer_id or 0))
                .order_by(cust.c.id).limit(4)).all()
            if owners:
                named = ", ".join(f"{name or 'no name'} (#{cid})" for cid, name in owners[:3])
                more = " and others" if len(owners) > 3 else ""
                found[kind] = (f"{value} is already the {kind} of {named}{more}: open that customer and change "
                               "them instead." if customer_id is None else
                               f"{value} is also the {kind} of {named}{more}. If they are one person, merge them instead.")
    return found


def set_value(ws: Workspace, customer_id: int, field: str, value: str, *, now: str | None = None) -> Edit:
    """Type ``value`` in as the customer's ``field`` ("" clears it); it wins over every file from now on."""
    return set_values(ws, customer_id, {field: value}, now=now)


def set_values(ws: Workspace, customer_id: int, values: Mapping[str, str], *, now: str | None = None) -> Edit:
    """Type in several of the customer's values at once (one transaction); each as :func:`set_value`.

    An email or phone of a person erased at their request is refused, as for a new customer.
    """
    if not values:
        raise UserError("Nothing to change.")
    when = _instant(now) if now else utcnow()
    cust = Customer.__table__
    rec = SourceRecord.__table__
    with ws.writing() as conn:
        _customer_or_fail(conn, customer_id)
        country = values.get("country")
        if country is None:
            country = conn.execute(select(cust.c.country).where(cust.c.id == customer_id)).scalar() or ""
        elif country.strip():
            country = clean_value(conn, "country", country)
        clean = {f: clean_value(conn, f, v, country=country) for f, v in values.items()}
        for f in ("email", "phone"):
            if clean.get(f):
                _refuse_erased(conn, f, clean[f])
        rid, _tags, values_text = _hand_records(conn, [customer_id])[customer_id]
        stored = json.loads(values_text)
        for f in clean:
            stored.setdefault("edited", {})[f] = when
        before = conn.execute(select(rec.c.email, rec.c.phone).where(rec.c.id == rid)).one()._mapping
        for f in ("email", "phone"):
            if f in clean and before[f] and before[f] != clean[f]:
                keep_replaced(stored, f, before[f])
        cells = {f: (v or (None if f in ("email", "phone", "birthday") else "")) for f, v in clean.items()}
        conn.execute(update(rec).where(rec.c.id == rid).values({**cells, "values_json": json.dumps(stored)}))
        for f in ("email", "phone"):
            if f in clean:
                _set_identifier(conn, rid, f, clean[f] or None)
        typed_number_reaches_optouts(conn, clean.get("phone"))
        _refresh_raw(conn, rid)
        pins = json.loads(conn.execute(select(cust.c.pinned_json).where(cust.c.id == customer_id)).scalar() or "{}")
        pins.update(clean)
        conn.execute(update(cust).where(cust.c.id == customer_id).values(pinned_json=json.dumps(pins)))
        refresh_customers(conn, [customer_id])
    if len(clean) == 1:
        field, value = next(iter(clean.items()))
        label = field.replace("_", " ")
        return Edit((customer_id,), f"set {label} to {value}" if value else f"clear {label}")
    return Edit((customer_id,), "change " + ", ".join(f.replace("_", " ") for f in clean))


# -- tags ------------------------------------------------------------------------------------


def clean_tags(tags: Iterable[str]) -> list[str]:
    """Tags as given, trimmed, each once; ValueRefused (exit 2 on the command line, as a rule's
    comma is) for an empty one, a comma or an over-long one."""
    out: list[str] = []
    seen: set[str] = set()
    for raw in tags:
        tag = " ".join(str(raw).split())
        if not tag:
            raise ValueRefused("A tag cannot be empty.")
        if "," in tag:
            raise ValueRefused(f"'{tag}' has a comma; a tag is one word or phrase without commas.")
        if len(tag) > MAX_TAG:
            raise ValueRefused(f"'{tag[:30]}…' is longer than {MAX_TAG} characters.")
        if tag.casefold() not in seen:
            seen.add(tag.casefold())
            out.append(tag)
    if not out:
        raise UserError("Name at least one tag.")
    return out


def _split(tags: str) -> list[str]:
    return [t for t in (tags or "").split(", ") if t]


def retag(ws: Workspace, customer_ids: Sequence[int], add: Iterable[str] = (),
          remove: Iterable[str] = ()) -> Edit:
    """Add tags to and take tags off these customers, in one transaction.

    A tag taken off stays off whatever a file says, until it is added by hand again.
    It is taken off only the customers who carry it: on anyone else the mark that
    keeps it off would only stop a file from ever giving it to them.  A UserError
    when none of them carries a tag to take off (and there is none to add).
    """
    return run_to_completion(retag_steps(ws, customer_ids, add, remove))


def retag_steps(ws: Workspace, customer_ids: Sequence[int], add: Iterable[str] = (),
                remove: Iterable[str] = (), cancelled: CancelCheck = never_cancelled,
                ) -> Generator[Progress, None, Edit]:
    """:func:`retag`, yielding progress between its rounds and asking ``cancelled()`` at each:
    a yes raises :class:`Cancelled` inside the transaction, which rolls back, nothing changed."""
    add, remove = list(add), list(remove)
    adding = clean_tags(add) if add else []
    removing = clean_tags(remove) if remove else []
    if not adding and not removing:
        raise UserError("Name at least one tag.")
    add_keys = {t.casefold() for t in adding}
    remove_keys = {t.casefold() for t in removing} - add_keys
    removing = [t for t in removing if t.casefold() in remove_keys]
    ids = sorted({int(c) for c in customer_ids})
    if not ids:
        raise UserError("No customer is selected.")
    rec = SourceRecord.__table__
    with ws.writing() as conn:
        adding = _as_spelled(conn, adding)
        carried = _carried_tags(conn, ids, remove_keys)
        if removing and not adding and not carried:
            raise UserError(_nobody_carries(ids, removing))
        removing = [t for t in removing if any(t.casefold() in keys for keys in carried.values())]
        untagging = sorted(carried)
        ids = ids if adding else untagging
        yield Progress(0, 0, "Reading the customers' tags")
        if cancelled():
            raise Cancelled("Changing the tags was cancelled; nothing changed.")
        hand = _every_hand_record(conn, ids)
        # The customers with none get one, written as it ends up (one row each, not made and then changed).
        missing = sorted(set(ids) - {cid for cid, *_ in hand})
        anchors = _anchors(conn, missing)
        hand += [(cid, None, "", json.dumps({"follows": anchors[cid]})) for cid in missing]
        params, made = [], []
        # Every hand record of theirs, not one: a merged customer holds each side's, and a tag
        # left on the other would keep showing (and comes back with its side on an unmerge).
        for cid, rid, tags_text, values_text in hand:
            off = carried.get(cid, set())
            current = [t for t in _split(tags_text) if t.casefold() not in off]
            have = {t.casefold() for t in current}
            current += [t for t in adding if t.casefold() not in have]
            values = json.loads(values_text or "{}")
            untagged = [t for t in values.get("untagged", [])
                        if t.casefold() not in add_keys and t.casefold() not in off]
            untagged += [t for t in removing if t.casefold() in off]
            if untagged:
                values["untagged"] = untagged
            else:
                values.pop("untagged", None)
            if rid is None:
                made.append((cid, values, ", ".join(current)))
            else:
                params.append({"rid": rid, "tags": ", ".join(current), "values": json.dumps(values)})
        _new_follow_records(conn, made)
        # The cells the Sources view shows (as _refresh_raw writes them), with the new tags.
        cells = _cells(conn, [p["rid"] for p in params])
        for p in params:
            row = cells[p["rid"]][:-1] + [p["tags"]]
            p["raw"] = json.dumps([v or "" for v in row], ensure_ascii=False)
        stop = "Changing the tags was cancelled; nothing changed."
        for start in range(0, len(params), 10_000):
            yield Progress(start, len(params), "Writing the tags")
            if cancelled():
                raise Cancelled(stop)
            conn.execute(update(rec).where(rec.c.id == bindparam("rid"))
                         .values(tags=bindparam("tags"), values_json=bindparam("values"), raw_json=bindparam("raw")),
                         params[start:start + 10_000])
        if cancelled():
            raise Cancelled(stop)
        yield from cancellable(worded(refresh_customers_steps(conn, ids), "Updating the customers' cards"),
                               cancelled, stop)
    parts = []
    if adding:
        parts.append(f"add tag{'s' if len(adding) > 1 else ''} {', '.join(adding)} to {_customers(len(ids))}")
    if removing:
        parts.append(f"remove tag{'s' if len(removing) > 1 else ''} {', '.join(removing)} from "
                     f"{_customers(len(untagging))}")
    return Edit(tuple(ids), "; ".join(parts))


def _as_spelled(conn: Connection, tags: list[str]) -> list[str]:
    """Each tag as the workspace already spells it, in any case ("vip" added where customers carry
    "VIP" is "VIP", as :func:`all_tags` names it): one tag, one spelling in the list and its export."""
    cust = Customer.__table__
    out = []
    for tag in tags:
        key = tag.casefold()
        counts: Counter = Counter()
        for (text,) in conn.execute(select(cust.c.tags).where(
                cust.c.tags != "", casefold(cust.c.tags).contains(key, autoescape=True))).yield_per(10_000):
            counts.update(t for t in _split(text) if t.casefold() == key)
        out.append(min(counts, key=lambda s: (-counts[s], s)) if counts else tag)
    return out


def spell_hand_tags_as_the_workspace(conn: Connection) -> list[int]:
    """Every tag added by hand written as the workspace spells it (:func:`_as_spelled`, as a tag added
    now is): "VIP" added before that rule where customers carry "vip" becomes "vip", so one tag has
    one spelling in the list and its export.  No tag is lost: a record's tags stay, each once.
    Returns the customers whose hand records changed (their cards are to be worked out again)."""
    rec = SourceRecord.__table__
    rows = conn.execute(select(rec.c.id, rec.c.customer_id, rec.c.tags)
                        .where(rec.c.channel == HAND, rec.c.tags.is_not(None), rec.c.tags != "")).all()
    typed = {t.casefold(): t for _rid, _cid, tags in rows for t in _split(tags)}
    spelled = dict(zip(typed, _as_spelled(conn, list(typed.values())), strict=True))
    changed: list[int] = []
    for rid, cid, tags in rows:
        new = list(dict.fromkeys(spelled[t.casefold()] for t in _split(tags)))
        if new != _split(tags):
            conn.execute(update(rec).where(rec.c.id == rid).values(tags=", ".join(new)))
            _refresh_raw(conn, rid)
            if cid is not None:
                changed.append(cid)
    return sorted(set(changed))


def _customers(n: int) -> str:
    return f"{n:,} customers" if n > 1 else "1 customer"


def _carried_tags(conn: Connection, ids: Sequence[int], keys: set[str]) -> dict[int, set[str]]:
    """Customer -> which of the tags ``keys`` (casefolded) they carry now; only customers carrying one."""
    if not keys:
        return {}
    cust = Customer.__table__
    out: dict[int, set[str]] = {}
    for start in range(0, len(ids), _IN):
        for cid, tags in conn.execute(select(cust.c.id, cust.c.tags).where(cust.c.id.in_(ids[start:start + _IN]),
                                                                           cust.c.tags != "")):
            found = {t.casefold() for t in _split(tags)} & keys
            if found:
                out[cid] = found
    return out


def _nobody_carries(ids: Sequence[int], tags: Sequence[str]) -> str:
    """Why nothing was taken off: not one of the customers carries the tags; nothing was changed."""
    what = f"the tag {tags[0]}" if len(tags) == 1 else f"any of the tags {', '.join(tags)}"
    who = f"customer {ids[0]} does not have" if len(ids) == 1 else f"none of the {len(ids):,} customers has"
    return f"{who} {what}; nothing was changed."


def add_tags(ws: Workspace, customer_ids: Sequence[int], tags: Iterable[str]) -> Edit:
    """Tag these customers (one transaction for all of them)."""
    return retag(ws, customer_ids, add=tags)


def remove_tags(ws: Workspace, customer_ids: Sequence[int], tags: Iterable[str]) -> Edit:
    """Take these tags off these customers; a file that carries them does not bring them back."""
    return retag(ws, customer_ids, remove=tags)


# -- consent ---------------------------------------------------------------------------------


def _consent_to_record(channel: str, status: str) -> tuple[str, str]:
    """The channel code and status of consent recorded by hand; UserError naming what is not one."""
    code = channel_code(channel)
    if code not in CONSENT_CODES:
        raise UserError(f"'{channel}' has no consent to record; one of: "
                        f"{', '.join(channel_name(c) for c in CONSENT_CODES)}.")
    status = status.strip().lower()
    if status not in CONSENT_STATUSES:
        raise UserError(f"'{status}' is not a consent to record; one of: {', '.join(CONSENT_STATUSES)}.")
    return code, status


def _note(note: str) -> str:
    return clean_line(note)[:1000]


def record_consent(ws: Workspace, customer_id: int, channel: str, status: str, note: str = "", *,
                   now: str | None = None) -> ConsentEdit:
    """Record consent the person gave or refused outside any file, dated now, with ``note``."""
    code, status = _consent_to_record(channel, status)
    when = _instant(now) if now else utcnow()
    con = Consent.__table__
    with ws.writing() as conn:
        _customer_or_fail(conn, customer_id)
        rid = _hand_records(conn, [customer_id])[customer_id][0]
        conn.execute(insert(con).values(record_id=rid, customer_id=customer_id, channel=code, status=status,
                                        occurred_at=when, note=_note(note)))
        refresh_customers(conn, [customer_id])
        fact = decide(conn, conn.execute(facts_query(con.c.customer_id == customer_id, con.c.channel == code)))
    in_force = fact.get((customer_id, code))
    return ConsentEdit((customer_id,), f"record {channel_name(code)} consent {status}", None, code, status,
                       in_force.status if in_force else None)


def record_consent_many(ws: Workspace, customer_ids: Sequence[int], channel: str, status: str, note: str = "", *,
                        now: str | None = None) -> Edit:
    """:func:`record_consent` for many customers in one transaction (a bulk action on a list)."""
    code, status = _consent_to_record(channel, status)
    ids = sorted({int(c) for c in customer_ids})
    if not ids:
        raise UserError("No customer is selected.")
    when = _instant(now) if now else utcnow()
    note = _note(note)
    con = Consent.__table__
    with ws.writing() as conn:
        records = _hand_records(conn, ids)
        rows = [{"record_id": records[cid][0], "customer_id": cid, "channel": code, "status": status,
                 "occurred_at": when, "note": note} for cid in ids]
        for start in range(0, len(rows), 10_000):
            conn.execute(insert(con), rows[start:start + 10_000])
        refresh_customers(conn, ids)
    who = f"{len(ids):,} customers" if len(ids) > 1 else "1 customer"
    return ConsentEdit(tuple(ids), f"record {channel_name(code)} consent {status} for {who}", None, code, status)


def tags_of(ws: Workspace, customer_ids: Sequence[int]) -> list[str]:
    """The tags these customers carry, each once, most common first (a bulk "remove tag" offers them)."""
    cust = Customer.__table__
    spellings: dict[str, Counter] = {}
    ids = list(customer_ids)
    with ws.engine.connect() as conn:
        for start in range(0, len(ids), _IN):
            for (tags,) in conn.execute(select(cust.c.tags).where(cust.c.id.in_(ids[start:start + _IN]),
                                                                  cust.c.tags != "")):
                for tag in _split(tags):
                    spellings.setdefault(tag.casefold(), Counter())[tag] += 1
    ranked = sorted(spellings.values(), key=lambda c: (-sum(c.values()), min(c).casefold()))
    return [min(c, key=lambda s: (-c[s], s)) for c in ranked]


# -- custom fields ---------------------------------------------------------------------------


def _typed(conn: Connection, name: str, value: str) -> dict:
    """The custom-field row of ``value``, of the type the workspace reads ``name`` as; ValueRefused
    when it does not read as one (the command line's own fault, as :func:`clean_value`'s)."""
    cf = CustomField.__table__
    kind = conn.execute(select(cf.c.type).where(casefold(cf.c.name) == name.casefold())
                        .order_by(cf.c.id.desc()).limit(1)).scalar() or "text"
    row = {"type": kind, "value": value, "number": None, "date": None}
    if not value:
        return row
    if kind == TEXT:
        # Its number or date where it reads as one, as a text column's cells keep theirs.
        row["number"], row["date"] = read_value(TEXT, value, default_date_order(_region(conn)))
    elif kind == "number":
        # "1,5": one and a half, or a slip for 1,500?  Asked, not guessed (as the segment builder
        # asks); a comma that groups thousands ("1,500") is read as one.
        if unclear_comma(value):
            raise ValueRefused(f"Is the comma in '{value}' a decimal point or a thousands mark? Write decimals "
                               f"with a point and thousands with a comma (1.5, 1,500 or 1,500.5); {name} holds numbers.")
        got = parse_money(value)
        if got.value is None:
            raise ValueRefused(f"'{value}' is not a number; {name} holds numbers.")
        row["number"] = float(got.value)
    elif kind == "yesno":
        got = parse_bool(value)
        if got.value is None:
            raise ValueRefused(f"'{value}' is not a yes or a no; {name} holds yes/no.")
        row["number"], row["value"] = (1.0, "yes") if got.value else (0.0, "no")
    elif kind == "date":
        got = parse_date(value, default_date_order(_region(conn)))
        if got.value is None:
            raise ValueRefused(f"'{value}' is not a date; {name} holds dates.")
        row["date"] = row["value"] = got.value
    return row


def check_custom_field(ws: Workspace, name: str, value: str) -> str:
    """Why ``value`` cannot be typed in as the custom field ``name`` ("" when it can); changes nothing."""
    name, value = clean_line(name), clean_line(value)
    if not name:
        return "A custom field needs a name."
    with ws.engine.connect() as conn:
        try:
            _typed(conn, name, value)
        except UserError as exc:
            return str(exc)
    return ""


def set_custom_field(ws: Workspace, customer_id: int, name: str, value: str) -> Edit:
    """Type in the customer's custom field ``name`` ("" clears what files say); shown before any file's value."""
    name = clean_line(name)
    if not name:
        raise ValueRefused("A custom field needs a name.")
    value = clean_line(value)
    cf = CustomField.__table__
    with ws.writing() as conn:
        _customer_or_fail(conn, customer_id)
        existing = conn.execute(select(cf.c.name).where(casefold(cf.c.name) == name.casefold()).limit(1)).scalar()
        name = existing or name  # the spelling the workspace already uses
        row = _typed(conn, name, value)
        rid = _kept_hand_record(conn, customer_id)
        # It replaces what was typed on that record only: on a merged customer, the other side's
        # own hand record keeps what was typed for them before the merge, to take back on a split.
        # The card shows the value typed last (the newest row; customer_fields).
        conn.execute(cf.delete().where(cf.c.record_id == rid, casefold(cf.c.name) == name.casefold()))
        conn.execute(insert(cf).values(record_id=rid, name=name, **row))
        # Worked out again as after every hand edit: the hand record made for it is one record more
        # they hold (a count left behind would be put right by a later split's undo, and the journal
        # would then find this step's row changed since and refuse to take it back).
        refresh_customers(conn, [customer_id])
    return Edit((customer_id,), f"set {name} to {row['value']}" if value else f"clear {name}")


# -- a new customer --------------------------------------------------------------------------


def _refuse_erased(conn, kind: str, value: str) -> None:
    """UserError when ``value`` is the email or phone of a person erased at their request (rights.py)."""
    salt = workspace_salt(conn)
    if known_suppressions(conn, [identifier_hash(salt, k, v) for k, v in written_forms([(kind, value)])]):
        raise UserError(f"{value} belongs to a person who was erased at their request; "
                        "omnidesk does not add them back.")


def add_customer(ws: Workspace, values: Mapping[str, str], *, now: str | None = None,
                 customer_id: int | None = None) -> Edit:
    """Add a customer by hand from ``values`` (fields of :data:`FIELDS`, and ``tags``, comma-separated).

    Refused when nothing names the person, when the email or phone is already
    someone's (edit that customer instead), or when it is an erased person's.
    ``customer_id``: the id this customer had before an undo took it away; a
    redo gives it back.
    """
    unknown = [k for k in values if k not in FIELDS and k != "tags"]
    if unknown:
        raise UserError(f"'{unknown[0]}' is not a field of a customer; one of: {', '.join(HEADER)}.")
    with ws.writing() as conn:
        clean: dict[str, str] = {}
        country = clean_value(conn, "country", values.get("country", "")) if values.get("country") else ""
        for f in FIELDS:
            if values.get(f, "").strip():
                clean[f] = clean_value(conn, f, values[f], country=country)
        tags = clean_tags(values["tags"].split(",")) if values.get("tags", "").strip() else []
        if not any(clean.get(f) for f in ("first_name", "last_name", "email", "phone", "company")):
            raise UserError("Give the new customer a name, an email or a phone number.")
        ident = Identifier.__table__
        rec = SourceRecord.__table__
        for kind in ("email", "phone"):
            if not clean.get(kind):
                continue
            owner = conn.execute(select(rec.c.customer_id).join(ident, ident.c.record_id == rec.c.id)
                                 .where(ident.c.kind == kind, ident.c.value == clean[kind],
                                        rec.c.customer_id.is_not(None)).limit(1)).scalar()
            if owner is not None:
                raise UserError(f"{clean[kind]} is already the {kind} of customer {owner}; "
                                "open that customer and change them instead.")
            _refuse_erased(conn, kind, clean[kind])
        cust = Customer.__table__
        cid = conn.execute(insert(cust).returning(cust.c.id), [new_customer_row(conn, customer_id)]).scalar_one()
        when = _instant(now) if now else utcnow()
        cells = {**clean, "tags": ", ".join(tags)}
        rid = _new_record(conn, cid, {"edited": {f: when for f in clean}, "created_at": when}, cells)
        conn.execute(update(rec).where(rec.c.id == rid).values(tags=", ".join(tags)))
        for kind in ("email", "phone"):
            if clean.get(kind):
                _set_identifier(conn, rid, kind, clean[kind])
        typed_number_reaches_optouts(conn, clean.get("phone"))
        # Pinned like every typed value: a file of the same person merged in later does not overwrite it.
        conn.execute(update(cust).where(cust.c.id == cid).values(pinned_json=json.dumps(clean)))
        refresh_customers(conn, [cid])
    name = compose_full_name(clean.get("first_name", ""), "", clean.get("last_name", "")) or \
        clean.get("email") or clean.get("phone") or clean.get("company", "")
    return Edit((cid,), f"add customer {name}", created=cid)
