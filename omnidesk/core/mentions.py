"""An erased person as other customers' rows mention them: a gift's recipient, a note.

Ann bought a present for Bob and had it sent to him: her row of the orders
export carries Bob's name, phone and street in its Shipping columns, maybe his
email in a gift message.  Erasing Bob must take those too, but not Ann's order,
nor anything that is Ann's own.  What is taken, and what is kept:

* Bob's emails and phones, wherever they are written in the row's cells (a
  Shipping Phone "(415) 555-0190" is Bob's "+14155550190"; a note "call him on
  415 555 0190" has it too), are replaced with :data:`ERASED`, in the row as
  read (``raw_json``), in what the import kept of it (``values_json``,
  ``custom_field``) and in the row's events (``details_json`` and summary).
* Bob's full name and street, only where a cell of the row also holds one of
  his emails or phones.  His street is his street line ("1 Birch Lane", the
  first part of a one-line "1 Birch Lane, Bangor, ME 04401, United States"),
  taken only from a street cell (a Shipping Address1, a column no field was
  given): a town, postcode or country is never his alone, and the recipient's
  Shipping town, postcode and country stay.  A name alone says little: another customer called Bob
  Stone, with nothing else of Bob's, keeps his name; a row with Bob's phone in
  it and "Bob Stone" beside it is about Bob.
* Never the row owner's own columns (those mapped to the row's email, phone,
  name, street, city, region, postcode or country; not the Shipping ones; every field of what was typed in by
  hand for her): what Ann gave as her own is hers.  Kept row by row: when one
  of Bob's emails or phones is in the row's own columns as well, Ann and Bob share it
  (a household landline, a family mailbox): it stays in her row wherever it is
  written, as an erase keeps every shared identifier (see ``rights``), and so
  do her name and her street where they are Bob's too.  Erring the other way
  would take from Ann a number she still answers.
* An identifier of Ann's record that is one of Bob's and came from no column of
  her own (an order with no phone of hers, where the Shipping phone stood in
  for hers) is deleted, and so are the name and street the record took from the
  Shipping columns when they are Bob's: they were his all along.  Her card is
  worked out again from what remains.

Which rows are looked at: only those whose text holds one of Bob's emails
(written in any case, with a "+" tag, a Gmail one with dots or as
googlemail.com) or the last four digits of one of his phones, written together
or broken once by one or two characters ("0190", "01 90", "0 190"); a number
broken more than that there is not found.  The database picks these rows out:
an erase in a workspace whose rows never mention him reads none of them one by
one.

A later import does the same to its rows (:func:`erased_in_rows`, :func:`redact_incoming`): an
erase keeps Bob's emails, phones, full names and streets only as salted hashes on the
suppression list, and a cell of Ann's new row whose email, phone, run of words or street hashes
to one of them is his, taken out as above.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import phonenumbers
from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.engine import Connection

from omnidesk.core.contact import mailbox_key, normalize_phone
from omnidesk.core.details import read_details
from omnidesk.core.dialect import casefold
from omnidesk.core.identity.stats import count_records, forget_records
from omnidesk.core.importing.fields import FIELDS
from omnidesk.core.models import Customer, CustomField, Event, Identifier, ImportBatch, SourceRecord
from omnidesk.core.suppression import identifier_hash, known_suppressions, mention_hash

ERASED = "[erased]"

# The fields whose cells are the row owner's own (never the Shipping ones).
_OWN_CONTACT = frozenset({"email", "phone"})
_OWN_NAME = frozenset({"full_name", "first_name", "middle_name", "last_name", "nickname", "full_name_reading",
                       "first_name_reading", "last_name_reading"})
_OWN_ADDRESS = frozenset({"address", "address1", "address2"})
_OWN_PLACE = frozenset({"city", "region", "postcode", "country"})
_OWN = _OWN_CONTACT | _OWN_NAME | _OWN_ADDRESS | _OWN_PLACE
# The cells a street may be in: the street lines, the Shipping ones too.  Every other field a
# column was given (a town, a postcode, an order number) is never taken for a street.
_STREET = _OWN_ADDRESS | frozenset({"shipping_address1", "shipping_address2"})
_NO_FIELD = frozenset({"", "ignore"})

_FIELD_NAMES = frozenset(f.name for f in FIELDS)
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# A run of digits as phones are written: "+1 (415) 555-0190", "415.555.0190", "0044 20 7946 0958".
_PHONE = re.compile(r"(?:\+|\()?\d[\d\s().\-/]{5,}\d")
_NOT_DIGIT = re.compile(r"\D+")
_NOT_DIGIT_BYTES = bytes(b for b in range(256) if not 48 <= b <= 57)
_CHUNK = 500


def _fold_name(text: str) -> str:
    return " ".join(text.casefold().split())


def _fold_street(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


@dataclass
class Person:
    """What identifies the erased person in someone else's row."""

    emails: set[str] = field(default_factory=set)  # mailbox keys
    phones: dict[str, tuple[str, str]] = field(default_factory=dict)  # E.164 -> (national digits, region)
    names: set[str] = field(default_factory=set)  # folded full names of two words or more
    streets: set[str] = field(default_factory=set)  # folded street lines, and whole one-line addresses

    def __bool__(self) -> bool:
        return bool(self.emails or self.phones)


def person_of(conn: Connection, customer_id: int, identifiers: set[tuple[str, str]]) -> Person:
    """The emails, phones, full names and streets of the customer about to be erased."""
    person = Person()
    for kind, value in identifiers:
        if kind == "email" and value:
            person.emails.add(mailbox_key(value))
        elif kind == "phone" and value and (entry := _phone_entry(value)) is not None:
            person.phones[value] = entry
    rec, cust = SourceRecord.__table__, Customer.__table__
    names: set[str] = set()
    for first, last, full, address in conn.execute(
            select(rec.c.first_name, rec.c.last_name, rec.c.full_name, rec.c.address)
            .where(rec.c.customer_id == customer_id)):
        names.update((full or "", f"{first or ''} {last or ''}"))
        if address:
            # The street line: the first part of a one-line address, whose others (the town, the
            # postcode, the country) are many people's.
            person.streets.update((_fold_street(address), _fold_street(address.split(",")[0])))
    names.update(n or "" for n in conn.execute(select(cust.c.display_name).where(cust.c.id == customer_id)).scalars())
    person.names = {f for f in map(_fold_name, names) if len(f.split()) >= 2}
    person.streets = {s for s in person.streets if len(s) >= 4}
    return person


def _phone_entry(value: str) -> tuple[str, str] | None:
    """An E.164 number's national digits and region, as :attr:`Person.phones` keeps them."""
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return None
    # A drama number ("+1 415 555 0190") is in no region: its country code's main one reads it.
    region = (phonenumbers.region_code_for_number(number)
              or phonenumbers.region_code_for_country_code(number.country_code))
    return str(number.national_number), region


def kept_hashes(salt: str, person: Person) -> set[str]:
    """What an erase puts on the suppression list so that a later import takes the person out of
    other customers' rows as the erase did (:func:`erased_in_rows`): salted hashes of each of their
    full names and streets, as folded here.  Their emails and phones are there already."""
    return ({mention_hash(salt, "name", n) for n in person.names}
            | {mention_hash(salt, "street", s) for s in person.streets})


@dataclass
class Mentions:
    """What :func:`redact_others` changed."""

    rows: int = 0
    customers: set[int] = field(default_factory=set)
    identifiers: int = 0


def redact_others(conn: Connection, customer_id: int, person: Person) -> Mentions:
    """Replace the erased person's emails, phones, names and streets in other people's rows
    (see the module docstring); returns what changed.  Runs inside the erase's transaction."""
    done = Mentions()
    for row, batch, seen in _rows_about(conn, customer_id, person):
        if _redact_row(conn, row, batch.mapping, seen, done) and row.customer_id is not None:
            done.customers.add(row.customer_id)
    return done


@dataclass
class Mention:
    """One row of another customer (or of no customer) that holds something of the person."""

    record_id: int
    source_file: str
    source_row: int
    channel: str
    theirs: dict[str, str]  # column -> the cell, as read, of each cell an erase would change


def mentions_of(conn: Connection, customer_id: int, person: Person) -> list[Mention]:
    """The rows of others :func:`redact_others` would take the person out of, with only the cells
    it would change: what of theirs those rows hold, never the row owner's own columns."""
    found = []
    for row, batch, seen in _rows_about(conn, customer_id, person):
        cells = json.loads(row.raw_json)
        after = _redacted_cells(seen, cells, batch.mapping)
        theirs: dict[str, str] = {}
        for i, (cell, new) in enumerate(zip(cells, after)):
            if cell != new:
                name = batch.header[i] if i < len(batch.header) else f"extra {i - len(batch.header) + 1}"
                key, n = name, 1
                while key in theirs:
                    n += 1
                    key = f"{name} ({n})"
                theirs[key] = cell
        if theirs:
            found.append(Mention(row.id, batch.file_name, row.record_no, row.channel, theirs))
    return found


@dataclass
class NoteMention:
    """Another customer's card notes (typed in by hand) that hold something of the person."""

    customer_id: int
    notes: str  # the notes as they stand


def _notes_about(conn: Connection, customer_id: int, person: Person):
    """(customer, notes, the person as they hold them) of every other card whose notes, typed in by
    hand, hold one of the person's emails or phones ("Bob referred John, call him on 207-555-0122").
    The card's own emails and phones count as the row owner's own columns do: one the two share (a
    household's landline) stays."""
    if not person:
        return
    cust, rec, ident = Customer.__table__, SourceRecord.__table__, Identifier.__table__
    sqlite = conn.dialect.name == "sqlite"
    rows = conn.execute(select(cust.c.id, cust.c.notes).where(
        cust.c.id != customer_id, cust.c.notes != "", _may_mention_sql(person, cust.c.notes, sqlite))
        .order_by(cust.c.id)).all()
    for cid, notes in rows:
        if not _may_mention(person, notes):
            continue
        seen = _Row(person, [notes], [])
        if not seen.about_them:
            continue
        own = conn.execute(select(ident.c.kind, ident.c.value).join(rec, rec.c.id == ident.c.record_id)
                           .where(rec.c.customer_id == cid, ident.c.kind.in_(("email", "phone")))).all()
        seen.shared_emails = {mailbox_key(v) for k, v in own if k == "email"} & person.emails
        seen.shared_phones = {v for k, v in own if k == "phone"} & set(person.phones)
        yield cid, notes, seen


def notes_mentioning(conn: Connection, customer_id: int, person: Person) -> list[NoteMention]:
    """The other cards' notes :func:`redact_notes` would take the person out of."""
    return [NoteMention(cid, notes) for cid, notes, seen in _notes_about(conn, customer_id, person)
            if seen.redact(notes, street=False) != notes]


def redact_notes(conn: Connection, customer_id: int, person: Person) -> set[int]:
    """Replace the erased person's emails and phones (and, beside them, their full name) in the
    notes typed on other customers' cards, as in other people's rows; returns those customers.
    Runs inside the erase's transaction."""
    changed = set()
    for cid, notes, seen in list(_notes_about(conn, customer_id, person)):
        new = seen.redact(notes, street=False)
        if new != notes:
            conn.execute(update(Customer.__table__).where(Customer.__table__.c.id == cid).values(notes=new))
            changed.add(cid)
    return changed


@dataclass
class _Batch:
    mapping: list[str]
    header: list[str]
    file_name: str


def _rows_about(conn: Connection, customer_id: int, person: Person):
    """(record, its batch, the person as it holds them) of every row of others about the person."""
    if not person:
        return
    rec = SourceRecord.__table__
    batches: dict[int, _Batch] = {}
    last = 0
    sqlite = conn.dialect.name == "sqlite"
    may_mention = or_(*(_may_mention_sql(person, col, sqlite) for col in (rec.c.raw_json, rec.c.values_json)))
    while True:
        rows = conn.execute(
            select(rec.c.id, rec.c.batch_id, rec.c.customer_id, rec.c.raw_json, rec.c.values_json,
                   rec.c.record_no, rec.c.channel)
            .where(rec.c.id > last, or_(rec.c.customer_id.is_(None), rec.c.customer_id != customer_id),
                   may_mention)
            .order_by(rec.c.id).limit(_CHUNK)).all()
        if not rows:
            break
        last = rows[-1].id
        for row in rows:
            if not _may_mention(person, row.raw_json + row.values_json):
                continue
            if row.batch_id not in batches:
                batch = ImportBatch.__table__
                mapping, header, file_name = conn.execute(
                    select(batch.c.mapping_json, batch.c.header_json, batch.c.file_name)
                    .where(batch.c.id == row.batch_id)).one()
                # What was typed in by hand has no mapping: its cells are named by their fields.
                header = json.loads(header or "[]")
                batches[row.batch_id] = _Batch(json.loads(mapping or "[]") or header, header, file_name)
            seen = _Row(person, json.loads(row.raw_json), batches[row.batch_id].mapping)
            if seen.about_them:
                yield row, batches[row.batch_id], seen


def _may_mention_sql(person: Person, text, sqlite: bool):
    """The rows :func:`_may_mention` can say yes to, found by the database (more of them, never
    fewer, but for a phone's last four digits broken more than once): the whole of one of the emails
    as it may be written, or a phone's last four digits together or broken once."""
    def has(part: str, folded=None):
        if folded is not None:
            return folded.contains(part, autoescape=True)
        # SQLite's LIKE is blind to case in A-Z already, and quicker than lower() and instr().
        return text.contains(part, autoescape=True) if sqlite else text.ilike(f"%{part}%")

    found = []
    for key in person.emails:
        local, _, domain = key.rpartition("@")
        folded = None if key.isascii() else casefold(text)
        if domain == "gmail.com":  # dots anywhere before the "@", googlemail.com as well
            gmail = or_(has("@gmail.com", folded), has("@googlemail.com", folded))
            dotless = func.replace(folded if folded is not None else func.lower(text), ".", "")
            found.append(and_(gmail, or_(dotless.contains(f"{local}@gmailcom", autoescape=True),
                                         dotless.contains(f"{local}@googlemailcom", autoescape=True),
                                         dotless.contains(f"{local}+", autoescape=True))))
        else:
            found.append(or_(has(key, folded), and_(has(f"{local}+", folded), has(f"@{domain}", folded))))
    for national, _ in person.phones.values():
        found.append(_last_four(text, national[-4:]))
    return or_(*found)


def _last_four(text, end: str):
    """``end`` in ``text``, together or broken once by one or two characters ("0190", "0 190",
    "01 90", "01. 90"): a quick look for a part of it first, then the pattern."""
    def like(pattern: str):
        return text.like(f"%{pattern}%")

    def broken(head: str, tail: str):
        return or_(like(f"{head}_{tail}"), like(f"{head}__{tail}"))

    return or_(like(end),
               and_(like(end[1:]), broken(end[:1], end[1:])),
               and_(like(end[:3]), broken(end[:3], end[3:])),
               and_(like(f"{end[:2]}%{end[2:]}"), broken(end[:2], end[2:])))


def _may_mention(person: Person, text: str) -> bool:
    """A cheap first look: the row's text holds the name part of one of the emails (dots aside,
    as Gmail ignores them) or the digits of one of the phones."""
    if person.emails:
        low = text.casefold().replace(".", "")
        if any(e.rpartition("@")[0].replace(".", "") in low for e in person.emails):
            return True
    digits = text.encode("utf-8", "surrogatepass").translate(None, _NOT_DIGIT_BYTES)
    return any(national.encode() in digits for national, _ in person.phones.values())


class _Row:
    """The erased person as one row holds them; ``shared`` are their values that are the owner's too."""

    def __init__(self, person: Person, cells: list[str], mapping: list[str]):
        self.person = person
        own = [c for i, c in enumerate(cells) if i < len(mapping) and mapping[i] in _OWN and c]
        self.shared_emails = {e for c in own for e in self._emails_in(c)}
        self.shared_phones = {p for c in own for p in self._phones_in(c)}
        own_names = [c for i, c in enumerate(cells) if i < len(mapping) and mapping[i] in _OWN_NAME and c]
        self.own_names = {_fold_name(c) for c in own_names} | {_fold_name(" ".join(own_names))}
        own_streets = [c for i, c in enumerate(cells) if i < len(mapping) and mapping[i] in _OWN_ADDRESS and c]
        self.own_streets = {_fold_street(c) for c in own_streets} | {_fold_street(" ".join(own_streets))}
        # Their name and street count only in a row that has one of their emails or phones.
        self.about_them = any(self._emails_in(c) or self._phones_in(c) for c in cells if c)

    def _emails_in(self, text: str) -> set[str]:
        return {k for m in _EMAIL.findall(text) if (k := mailbox_key(m)) in self.person.emails}

    def _phones_in(self, text: str) -> set[str]:
        found = set()
        for run in _PHONE.findall(text) or [text]:
            digits = _NOT_DIGIT.sub("", run)
            for e164, (national, region) in self.person.phones.items():
                if national in digits and normalize_phone(run.strip(), region).value == e164:
                    found.add(e164)
        return found

    def redact(self, text: str, street: bool = True) -> str:
        """``text`` with the person's values replaced, the owner's own and shared ones kept;
        ``street``: whether ``text`` may be a street (a street cell, or one no field was given)."""
        if not text or ERASED == text:
            return text

        def email(m: re.Match) -> str:
            key = mailbox_key(m[0])
            return ERASED if key in self.person.emails and key not in self.shared_emails else m[0]

        def phone(m: re.Match) -> str:
            found = self._phones_in(m[0])
            return ERASED if found and not found & self.shared_phones else m[0]

        out = _PHONE.sub(phone, _EMAIL.sub(email, text))
        if not self.about_them:
            return out
        if street and _fold_street(out) in self.person.streets and _fold_street(out) not in self.own_streets:
            return ERASED
        for name in self.person.names:
            if name in self.own_names:
                continue
            pattern = r"(?<!\w)" + r"\s+".join(map(re.escape, name.split())) + r"(?!\w)"
            out = re.sub(pattern, ERASED, out, flags=re.IGNORECASE)
        return out

    def redact_json(self, value, street: bool = True):
        """``value`` redacted; under a key that names a field, a street only in a street field."""
        if isinstance(value, str):
            return self.redact(value, street)
        if isinstance(value, list):
            return [self.redact_json(v, street) for v in value]
        if isinstance(value, dict):
            return {k: self.redact_json(v, street and _may_be_street(k)) for k, v in value.items()}
        return value


def _may_be_street(name: str) -> bool:
    """Whether a cell of the column or key ``name`` may hold a street: a street field, or no field."""
    return name in _STREET or name in _NO_FIELD or name not in _FIELD_NAMES


def _redacted_cells(seen: _Row, cells: list[str], mapping: list[str]) -> list[str]:
    """The row's cells with the person taken out of every one but the owner's own."""
    return [c if i < len(mapping) and mapping[i] in _OWN
            else seen.redact(c, i >= len(mapping) or _may_be_street(mapping[i])) for i, c in enumerate(cells)]


def _redact_row(conn: Connection, row, mapping: list[str], seen: _Row, done: Mentions) -> bool:
    """Redact one record and what was made of it; returns whether anything changed."""
    rec, ident, ev, cf = SourceRecord.__table__, Identifier.__table__, Event.__table__, CustomField.__table__
    person = seen.person
    cells = json.loads(row.raw_json)
    new_cells = _redacted_cells(seen, cells, mapping)
    values = json.loads(row.values_json or "{}")
    new_values = seen.redact_json(values)
    changes: dict = {}
    if new_cells != cells:
        changes["raw_json"] = json.dumps(new_cells, ensure_ascii=False)
    if new_values != values:
        changes["values_json"] = json.dumps(new_values, ensure_ascii=False, default=str)
    # Identifiers the record carries only from cells not its own (a Shipping phone standing in).
    gone_emails = person.emails - seen.shared_emails
    gone_phones = set(person.phones) - seen.shared_phones
    doomed = [i for i, kind, value in conn.execute(
        select(ident.c.id, ident.c.kind, ident.c.value).where(ident.c.record_id == row.id))
        if (kind == "email" and mailbox_key(value) in gone_emails) or (kind == "phone" and value in gone_phones)]
    if doomed:
        conn.execute(delete(ident).where(ident.c.id.in_(doomed)))
        done.identifiers += len(doomed)
    own = conn.execute(select(rec.c.email, rec.c.phone, rec.c.first_name, rec.c.last_name, rec.c.full_name,
                              rec.c.address, rec.c.postcode).where(rec.c.id == row.id)).one()
    left = dict(conn.execute(select(ident.c.kind, ident.c.value).where(
        ident.c.record_id == row.id, ident.c.kind.in_(("email", "phone")))).all())
    if own.email and mailbox_key(own.email) in gone_emails:
        changes["email"] = left.get("email")
    if own.phone and own.phone in gone_phones:
        changes["phone"] = left.get("phone")
    name = _fold_name(own.full_name or f"{own.first_name} {own.last_name}")
    if name in person.names and name not in seen.own_names:
        changes.update(first_name="", last_name="", middle_name="", full_name="", last_key="", last_sound="")
    if own.address and _fold_street(own.address) in person.streets \
            and _fold_street(own.address) not in seen.own_streets:
        changes.update(address="", postcode="")
    if not changes and not doomed:
        return False
    recount = any(k in changes for k in ("first_name", "postcode"))
    if recount:
        forget_records(conn, [row.id])  # the rare-name counts follow the record
    if changes:
        conn.execute(update(rec).where(rec.c.id == row.id).values(**changes))
    if recount:
        count_records(conn, [row.id])
    for event_id, details, summary in conn.execute(
            select(ev.c.id, ev.c.details_json, ev.c.summary).where(ev.c.record_id == row.id)).all():
        old = read_details(details)
        # Details that cannot be read (nested too deep) cannot be searched for the person either:
        # they go, as nothing shows them anyway, rather than stay holding what may be theirs.
        unreadable = not old and details not in (None, "", "{}")
        new = seen.redact_json(old)
        if isinstance(new.get("identifiers"), dict):  # the slot of an identifier no longer there is empty
            new["identifiers"] = {k: None if v == ERASED else v for k, v in new["identifiers"].items()}
        if unreadable or new != old or seen.redact(summary or "") != (summary or ""):
            conn.execute(update(ev).where(ev.c.id == event_id).values(
                details_json=json.dumps(new, ensure_ascii=False, default=str), summary=seen.redact(summary or "")))
    for field_id, value in conn.execute(select(cf.c.id, cf.c.value).where(cf.c.record_id == row.id)).all():
        if seen.redact(value) != value:
            conn.execute(update(cf).where(cf.c.id == field_id).values(value=seen.redact(value)))
    done.rows += 1
    return True


# The fields whose cells hold no one's email, phone, name or street: never looked through.
_NOT_LOOKED_AT = frozenset(f.name for f in FIELDS if f.type.value in (
    "date", "datetime", "money", "integer", "consent", "optout", "country"))
_EDGE = ".,;:!?()[]{}\"'“”‘’«»<>"


def _looked_at(mapping: list[str], cells) -> list[tuple[int, str]]:
    """The cells of a row being imported that may name someone other than its owner."""
    return [(i, c) for i, c in enumerate(cells)
            if c and (i >= len(mapping) or (mapping[i] not in _OWN and mapping[i] not in _NOT_LOOKED_AT))]


def _names_in(text: str) -> set[str]:
    """Every run of two to six words of ``text``, folded as names are: "Gift for Bob Stone, now"
    holds "bob stone"."""
    words = text.split()
    found = {_fold_name(text)}
    for n in range(2, min(len(words), 6) + 1):
        for i in range(len(words) - n + 1):
            found.add(_fold_name(" ".join(words[i:i + n]).strip(_EDGE)))
    return found


def erased_in_rows(conn: Connection, salt: str, rows: list, mapping: list[str],
                   region: str | None) -> list[Person | None]:
    """The erased person each row being imported names in cells not its owner's own (a gift's
    Shipping columns, a note), as the suppression list knows them; None for a row naming no one.

    An erase keeps their emails and phones (``rights``) and their full names and streets
    (:func:`kept_hashes`) only as salted hashes: a cell's email, phone, run of words or street is
    theirs when its hash is on the list.  Only an email or phone that was theirs alone counts, as
    a name or street counts only beside one of them (see the module docstring): what is found
    is then taken out of the row by :func:`redact_incoming`, as :func:`redact_others` took it out
    of the rows there were when they were erased.
    """
    ids: list[dict[str, tuple[str, str]]] = []
    for row in rows:
        found: dict[str, tuple[str, str]] = {}
        for _, cell in _looked_at(mapping, row.record.cells):
            for written in _EMAIL.findall(cell):
                key = mailbox_key(written)
                found[identifier_hash(salt, "email", key)] = ("email", key)
            for run in _PHONE.findall(cell):
                if len(_NOT_DIGIT.sub("", run)) >= 7 and (value := normalize_phone(
                        run.strip(), row.country or region or "US").value):
                    found[identifier_hash(salt, "phone", value)] = ("phone", value)
        ids.append(found)
    hits = known_suppressions(conn, (h for found in ids for h in found))
    people: list[Person | None] = [None] * len(rows)
    words: dict[int, dict[str, tuple[str, str]]] = {}
    for n, (row, found) in enumerate(zip(rows, ids)):
        person = Person()
        for h, (kind, value) in found.items():
            if h not in hits:
                continue
            if kind == "email":
                person.emails.add(value)
            elif (entry := _phone_entry(value)) is not None:
                person.phones[value] = entry
        if not person:
            continue
        people[n] = person
        parts: dict[str, tuple[str, str]] = {}
        for i, cell in _looked_at(mapping, row.record.cells):
            parts.update((mention_hash(salt, "name", name), ("name", name))
                         for name in _names_in(cell) if len(name.split()) >= 2)
            if (i >= len(mapping) or _may_be_street(mapping[i])) and len(street := _fold_street(cell)) >= 4:
                parts[mention_hash(salt, "street", street)] = ("street", street)
        words[n] = parts
    known = known_suppressions(conn, (h for parts in words.values() for h in parts))
    for n, parts in words.items():
        for h, (kind, value) in parts.items():
            if h in known:
                (people[n].names if kind == "name" else people[n].streets).add(value)
    return people


def is_theirs(row, mapping: list[str], person: Person) -> bool:
    """Whether a row being imported that holds one of the erased person's emails or phones is
    theirs: its owner's own name is one of theirs (Bob's own order, his phone only in its
    Shipping column)."""
    seen = _Row(person, list(row.record.cells), mapping)
    return bool(seen.own_names & person.names)


def redact_incoming(row, mapping: list[str], person: Person) -> bool:
    """Take the erased person out of a row being imported (``importing.rows.Row``) as
    :func:`redact_others` takes them out of a stored row: from its cells but the owner's own, from
    what the import made of them, and from the emails, phones, name and street it took from cells
    not its own (a Shipping phone standing in for the buyer's).  Returns whether anything changed."""
    from dataclasses import replace

    record = row.record
    seen = _Row(person, list(record.cells), mapping)
    if not seen.about_them:
        return False
    row.record = replace(record, values=tuple(_redacted_cells(seen, list(record.values), mapping)),
                         read=None if record.read is None else tuple(_redacted_cells(seen, list(record.read),
                                                                                     mapping)))
    row.values = seen.redact_json(row.values)
    row.problems = [seen.redact(p, False) for p in row.problems]
    gone_emails = person.emails - seen.shared_emails
    gone_phones = set(person.phones) - seen.shared_phones
    row.emails = [e for e in row.emails if mailbox_key(e) not in gone_emails]
    row.phones = [p for p in row.phones if p not in gone_phones]
    row.unread_phones = [(p, i) for p, i in row.unread_phones if seen.redact(p, False) == p]
    row.bare_phones = [(d, p) for d, p in row.bare_phones if p not in gone_phones and seen.redact(d, False) == d]
    name = _fold_name(row.full_name or f"{row.first_name} {row.last_name}")
    if name in person.names and name not in seen.own_names:
        row.first_name = row.middle_name = row.last_name = row.full_name = ""
        row.first_name_reading = row.last_name_reading = ""
    if row.address and _fold_street(row.address) in person.streets \
            and _fold_street(row.address) not in seen.own_streets:
        row.address = row.postcode = ""
    row.stored = None  # what a worker serialized held them
    return True


# The rule fields whose values are an email or a phone (segments' rules, campaigns' audiences).
_RULE_CONTACT = ("email", "phone")


@dataclass
class Rules:
    """What :func:`redact_rules` changed: the names of the saved segments and campaigns."""

    segments: list[str] = field(default_factory=list)
    campaigns: list[str] = field(default_factory=list)


def redact_rules(conn: Connection, emails: set[str], phones: set[str], region: str) -> Rules:
    """Replace the erased person's emails and phones (those no one else holds: ``emails`` as
    mailbox keys, ``phones`` in E.164) where a saved segment's rule or a campaign's audience names
    them (``{"field": "email", "op": "is", "value": "bob@example.com"}``) with :data:`ERASED`.

    The condition stays, with a value no customer's email or phone is: it matches no one, as the
    erased person's address does now that they are gone, so the rule selects exactly whom it
    selected without them.  Dropping it instead would widen an "all" of it and others, and
    narrow a "not" of it.  A phone written without its country code is one of ``region``'s.
    """
    from omnidesk.core.models import Campaign, SavedSegment

    done = Rules()
    if not emails and not phones:
        return done

    def theirs(field_name: str, value: object) -> bool:
        if not isinstance(value, str) or not value.strip():
            return False
        if field_name == "email":
            return mailbox_key(value.strip()) in emails
        return normalize_phone(value.strip(), region).value in phones

    def walk(value):
        if isinstance(value, list):
            return [walk(v) for v in value]
        if not isinstance(value, dict):
            return value
        out = {k: walk(v) for k, v in value.items()}
        name = value.get("field")
        if name in _RULE_CONTACT and "value" in value:
            said = value["value"]
            if isinstance(said, list):
                out["value"] = [ERASED if theirs(name, v) else v for v in said]
            elif theirs(name, said):
                out["value"] = ERASED
        return out

    for table, column, names in ((SavedSegment.__table__, "rule_json", done.segments),
                                 (Campaign.__table__, "audience_json", done.campaigns)):
        for row_id, name, text in conn.execute(select(table.c.id, table.c.name, table.c[column])).all():
            try:
                old = json.loads(text)
            except ValueError:
                continue
            new = walk(old)
            if new != old:
                conn.execute(update(table).where(table.c.id == row_id).values(
                    **{column: json.dumps(new, ensure_ascii=False)}))
                names.append(name)
    return done
