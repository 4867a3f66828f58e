"""Source records as the resolver sees them: ``Profile`` objects, loaded by id or streamed.

Also the records that follow another, which the resolver places with it
instead of matching them on their own: line-item rows their order's first row,
rows repeated from an earlier file that file's row.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Generator, Sequence
from sys import intern

from sqlalchemy import func, literal, select, text
from sqlalchemy.engine import Connection

from omnidesk.core.channels import HAND
from omnidesk.core.contact import mailbox_of
from omnidesk.core.details import read_details
from omnidesk.core.dialect import raw_rows
from omnidesk.core.identity.employer import employers
from omnidesk.core.identity.keys import first_surname, fold, fold_address, generation, given_names
from omnidesk.core.identity.scoring import Profile
from omnidesk.core.identity.stats import postcode_key
from omnidesk.core.models import Event, Identifier, ImportBatch, SourceRecord
from omnidesk.core.tasks import Progress


IN_SIZE = 900  # values per IN list; stays under every database's parameter limit


def chunks(items: Sequence, size: int = IN_SIZE):
    for i in range(0, len(items), size):
        yield items[i:i + size]


_PROFILE_COLS = ("id", "row_hash", "customer_id", "kind", "channel", "first_name", "last_name", "postcode",
                 "city", "address", "birthday", "company", "middle_name", "first_name_reading",
                 "last_name_reading")


def profile_query(*, with_hash: bool = True):
    rec = SourceRecord.__table__
    return select(*[rec.c[c] if with_hash or c != "row_hash" else literal("") for c in _PROFILE_COLS])


def record_identifiers(conn: Connection, ids: Sequence[int]) -> dict[int, list[tuple[str, str]]]:
    ident = Identifier.__table__
    out: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for part in chunks(list(ids)):
        for rid, kind, value in conn.execute(
            select(ident.c.record_id, ident.c.kind, ident.c.value).where(ident.c.record_id.in_(part))
        ):
            out[rid].append((kind, value))
    return out


def fill_mailboxes(conn: Connection) -> int:
    """Give every stored email its mailbox where that differs from the address (see
    ``models.Identifier.mailbox``): emails stored before the column, or copied in without it."""
    rows = conn.execute(text("SELECT id, value FROM identifier WHERE kind = 'email' AND mailbox IS NULL"))
    updates = [{"id": i, "mailbox": key} for i, value in rows if (key := mailbox_of(value)) is not None]
    if updates:
        conn.execute(text("UPDATE identifier SET mailbox = :mailbox WHERE id = :id"), updates)
    return len(updates)


# Where a record's identifiers of each kind go in :meth:`_ProfileMaker.split`'s arguments.
_KIND_AT = {"email": 0, "phone": 1, "external": 2}


class _ProfileMaker:
    """Profiles from rows of :func:`profile_query`, folding each distinct name, address or postcode once.

    Names, cities, postcodes and addresses repeat across records (one person's
    records, a family's, a town's): folding each distinct value once saves most
    of the folding, and every record carrying it shares one string instead of
    keeping its own copy (a million profiles must fit in well under a
    gigabyte).  Kinds, channels and birthdays are interned for the same
    reason.  So are the tuples of emails, phones and external ids: one
    person's records repeat them (a third of a million records' emails and
    phones are repeats), and a shared tuple saves the tuple and its strings,
    some 50 MB at a million records.  The caches live as long as the maker,
    one load; the address cache starts afresh when full, so a workspace of
    addresses all different cannot grow it without bound, and so does the
    cache of the employers an email's domain gives.
    """

    __slots__ = ("given", "last", "city", "postcode", "address", "ids", "work")
    ADDRESSES = 1 << 16

    def __init__(self) -> None:
        self.given: dict[tuple[str, str], tuple[str, str]] = {}
        self.last: dict[str, str] = {}
        self.city: dict[str, str] = {}
        self.postcode: dict[str, str] = {}
        self.address: dict[str, str] = {}
        self.ids: dict[tuple[str, ...], tuple[str, ...]] = {}
        # An email's domain -> the employers a record with that one email and no company has:
        # most records, and their employers depend on the domain alone.
        self.work: dict[str, tuple[str, ...]] = {}

    def __call__(self, r, ids) -> Profile:
        """A profile from a row of :func:`profile_query` (a tuple) and its (kind, value) identifiers."""
        found = ([], [], [])  # emails, phones, external ids
        for kind, value in ids:
            if (at := _KIND_AT.get(kind)) is not None:
                found[at].append(value)
        return self.split(r, *found)

    def split(self, r, emails: list[str], phones: list[str], externals: list[str]) -> Profile:
        """:meth:`__call__` with the record's identifiers given by kind."""
        shared = self.ids.setdefault
        # Matched by mailbox: "jane.doe+news@gmail.com" is janedoe@gmail.com (contact.mailbox_key).
        if len(emails) == 1:
            if (key := mailbox_of(emails[0])) is not None:
                emails = [key]
        elif emails:
            emails = list(dict.fromkeys(key if (key := mailbox_of(e)) is not None else e for e in emails))
        emails = shared(values, values) if (values := tuple(emails)) else ()
        phones = shared(values, values) if (values := tuple(phones)) else ()
        externals = shared(values, values) if (values := tuple(externals)) else ()
        # "Carter Jr.": the last name Carter, and a son (keys.generation), as "John Jr." is John.
        last_name, suffix = generation(r[6]) if r[6] else ("", "")
        first_name = r[5]
        if not suffix and first_name and " " in first_name:
            first_name, suffix = generation(first_name)
        key = (first_name, r[12])
        names = self.given.get(key)
        if names is None:
            names = self.given[key] = given_names(*key)
        last = self.last.get(last_name)
        if last is None:
            last = self.last[last_name] = fold(last_name)
        city = self.city.get(r[8])
        if city is None:
            city = self.city[r[8]] = fold(r[8])
        postcode = self.postcode.get(r[7])
        if postcode is None:
            postcode = self.postcode[r[7]] = intern(postcode_key(r[7]))
        address = r[9]
        if address:
            folded = self.address.get(address)
            if folded is None:
                if len(self.address) >= self.ADDRESSES:
                    self.address.clear()
                folded = self.address[address] = fold_address(address)
            address = folded
        else:
            address = ""
        if r[11]:
            work = tuple(map(intern, employers(r[11], emails)))
        elif len(emails) == 1:
            domain = emails[0].rpartition("@")[2]
            work = self.work.get(domain)
            if work is None:
                if len(self.work) >= self.ADDRESSES:  # bounded, as the addresses are
                    self.work.clear()
                work = self.work[domain] = tuple(map(intern, employers("", emails)))
        else:
            work = tuple(map(intern, employers("", emails))) if emails else ()
        # Positional, in the order of Profile's fields (quicker than by keyword, a million times).
        return Profile(
            r[0], r[1], r[2], intern(r[3]), intern(r[4]), names[0], last, emails, phones, externals,
            postcode, city, address, intern(r[10]) if r[10] else None, work, names[1],
            _reading(names[0], given_names(r[13])[0]) if r[13] else "",
            _reading(last, fold(r[14])) if r[14] else "", suffix,
            first_surname(last_name) if " " in last_name or "-" in last_name else "",
        )


def _profile(r, ids) -> Profile:
    """A profile from a row of :func:`profile_query` (a tuple) and its (kind, value) identifiers."""
    return _ProfileMaker()(r, ids)


def _reading(written: str, reading: str) -> str:
    """A name's folded reading where it helps: the name is not in Latin letters, the reading is."""
    return reading if written and not written.isascii() and reading.isascii() else ""


def make_profiles(rows, idents: dict[int, list[tuple[str, str]]]) -> list[Profile]:
    make = _ProfileMaker()
    return [make(r, idents.get(r[0], ())) for r in rows]


def profiles_of_rows(conn: Connection, rows: Sequence, step: int) -> Generator[Progress, None, list[Profile]]:
    """:func:`make_profiles` of ``rows`` with their identifiers, ``step`` rows at a time, yielding
    the rows done after each (one maker: its caches span them all)."""
    make = _ProfileMaker()
    out: list[Profile] = []
    for at in range(0, len(rows), step):
        part = rows[at:at + step]
        idents = record_identifiers(conn, [r[0] for r in part])
        out.extend(make(r, idents.get(r[0], ())) for r in part)
        yield Progress(len(out), len(rows), "Reading records")
    return out


def stream_profiles(conn: Connection):
    """Every record's profile, in id order, reading records and identifiers side by side.

    Neither the rows nor the identifiers are held in memory: at a million
    records that alone would be gigabytes.
    """
    rec = SourceRecord.__table__
    ident = Identifier.__table__
    make = _ProfileMaker()
    idents = raw_rows(conn, select(ident.c.record_id, ident.c.kind, ident.c.value).order_by(ident.c.record_id))
    split = make.split
    cur = next(idents, None)
    for row in raw_rows(conn, profile_query(with_hash=False).order_by(rec.c.id)):
        rid = row[0]
        while cur is not None and cur[0] < rid:
            cur = next(idents, None)
        found = ([], [], [])  # emails, phones, external ids
        while cur is not None and cur[0] == rid:
            if (at := _KIND_AT.get(cur[1])) is not None:
                found[at].append(cur[2])
            cur = next(idents, None)
        yield split(row, *found)


def identifiable(p: Profile) -> bool:
    return bool(p.emails or p.phones or p.externals or (p.first and p.last) or p.kind == "contacts")


def has_contact(p: Profile) -> bool:
    return bool(p.emails or p.phones or p.postcode or p.city or p.address)


def all_followers(conn: Connection) -> dict[int, int]:
    """Later line-item rows of multi-row orders -> the order's first row, across the workspace."""
    ev = Event.__table__
    out: dict[int, int] = {}
    for record_id, details in conn.execute(select(ev.c.record_id, ev.c.details_json).where(ev.c.type == "order")):
        ids = read_details(details).get("record_ids") or []
        for rid in ids[1:]:
            out[rid] = record_id
    return out


def order_lines(conn: Connection, customer_id: int) -> dict[int, str]:
    """The customer's later line-item rows of multi-row orders -> why one is not split off alone.

    Such a row holds a line of an order and nothing of the person (a Shopify export gives the
    customer on the order's first row only); the order, and who placed it, is its first row's.
    Split off alone it would make a nameless customer with nothing on it while the order stayed;
    splitting off the first row moves the whole order.  The reason names that row.
    """
    ev, rec, batch = Event.__table__, SourceRecord.__table__, ImportBatch.__table__
    leads: dict[int, tuple[int, str]] = {}
    for record_id, details in conn.execute(select(ev.c.record_id, ev.c.details_json).where(
            ev.c.customer_id == customer_id, ev.c.type == "order")):
        data = read_details(details)
        for rid in (data.get("record_ids") or [])[1:]:
            if rid != record_id:
                leads[rid] = (record_id, str(data.get("order_id") or ""))
    if not leads:
        return {}
    wanted = sorted({*leads, *(lead for lead, _ in leads.values())})
    where = {}
    for part in chunks(wanted):
        where.update({rid: (file_name, no) for rid, file_name, no in conn.execute(
            select(rec.c.id, batch.c.file_name, rec.c.record_no).join(batch, batch.c.id == rec.c.batch_id)
            .where(rec.c.id.in_(part)))})
    out: dict[int, str] = {}
    for rid, (lead, order) in leads.items():
        if rid not in where or lead not in where:
            continue
        (file_name, no), (lead_file, lead_no) = where[rid], where[lead]
        lead_words = f"row {lead_no}" if lead_file == file_name else f"row {lead_no} of {lead_file}"
        out[rid] = (f"Row {no} of {file_name} is a line of {f'order {order}' if order else 'an order'}; "
                    f"split off {lead_words}, the order's first row, to move the whole order.")
    return out


def repeated_row_followers(conn: Connection) -> dict[int, int]:
    """Records that repeat, cell for cell, a record of an earlier import -> that earlier record.

    An identical row is one person by definition (see ``importing.sightings``);
    repeats within one file are matched like any other record, as the import does.
    """
    rec = SourceRecord.__table__
    # Hashes held twice, read off the row hash index alone (a million records: a fraction
    # of a second); which of them repeat another import's row is told here, from the few.
    repeated = select(rec.c.row_hash).group_by(rec.c.row_hash).having(func.count() > 1)
    out: dict[int, int] = {}
    first: dict[str, tuple[int, int]] = {}  # row hash -> (its first record, that record's import)
    for rid, row_hash, batch_id, kind in conn.execute(
            select(rec.c.id, rec.c.row_hash, rec.c.batch_id, rec.c.kind)
            .where(rec.c.row_hash.in_(repeated)).order_by(rec.c.id)):
        if kind == "skipped":
            continue
        lead = first.setdefault(row_hash, (rid, batch_id))
        if lead[1] != batch_id:
            out[rid] = lead[0]
    return out


def hand_names_aside(conn: Connection, profiles: Sequence[Profile]) -> None:
    """Take the names and birthday off the profiles of hand records that follow their person's record.

    A name typed on the card is how the user wants the person shown (pinned there,
    edits.py), not evidence that the person's next file row is someone else: compared
    as a record's, "Pepe" typed for José would keep the shop's next row for José, same
    customer ID, email and phone, off him as "different first names", and his opt-out
    in it with it.  A hand record that follows nobody (a customer added by hand) is
    its person's only record, and keeps them.
    """
    hand = [p for p in profiles if p.channel == HAND]
    if not hand:
        return
    rec = SourceRecord.__table__
    lead_of: dict[int, int] = {}
    for part in chunks([p.rid for p in hand]):
        for rid, values in conn.execute(select(rec.c.id, rec.c.values_json).where(rec.c.id.in_(part))):
            if lead := json.loads(values or "{}").get("follows"):
                lead_of[rid] = int(lead)
    there: set[int] = set()
    for part in chunks(sorted(set(lead_of.values()))):
        there.update(conn.execute(select(rec.c.id).where(rec.c.id.in_(part))).scalars())
    for p in hand:
        if lead_of.get(p.rid) in there:
            p.first = p.last = p.middle = p.first_read = p.last_read = p.last_first = ""
            p.birthday = None


def hand_followers(conn: Connection) -> dict[int, int]:
    """Records of what the user entered by hand -> the record of their person each follows (edits.py).

    One whose record is gone (its import undone before ``writes.outlive_leads`` told it) follows
    nobody: it is matched on what it carries, and stays a customer of its own at the least.
    """
    rec = SourceRecord.__table__
    out: dict[int, int] = {}
    for rid, values in conn.execute(select(rec.c.id, rec.c.values_json).where(rec.c.channel == HAND)):
        lead = json.loads(values or "{}").get("follows")
        if lead:
            out[rid] = int(lead)
    there: set[int] = set()
    for part in chunks(sorted(set(out.values()))):
        there.update(conn.execute(select(rec.c.id).where(rec.c.id.in_(part))).scalars())
    return {rid: lead for rid, lead in out.items() if lead in there}
