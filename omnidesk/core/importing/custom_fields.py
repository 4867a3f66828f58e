"""Columns of a contacts file that no field was mapped to, kept as typed custom fields.

A shop's export carries more than names and addresses: a form's questions
("What are you shopping for?"), Shopify metafields ("Loyalty points
(customer.metafields.custom.loyalty_points)"), a till's "Member since".  Every
column a contacts file's mapping leaves unmapped becomes a custom field of
each record that has a value in it, named by the file's header (a Shopify
metafield by its label alone: "Loyalty points"), except system noise that
says nothing about the person (see :func:`is_noise`) and columns whose every
value is a hash or a network address.

Each column gets one type, decided over the whole file: **yes/no** when every
value is a yes/no word (not only 0 and 1), **number** when every value is a
number or an amount (and none is a code with a leading zero, such as a ZIP
"02134"), **date** when every value is a date read in one day/month order
(stored ISO), else **text**.  As the file streams past, each cell is stored
with its number (if it reads as one) and the column's evidence is counted;
the type is settled once the last row is in, in a few statements per column.
A text column's cells that read as numbers or dates keep their number or
date, so a rule still compares them as such: one "abc" among numbers makes
the column text (the card shows each cell as written) without leaving its
numbers out of "more than".

A customer's value of a field is the one typed in by hand (the one typed last), else the one
from the latest import that has it (then the latest record): :func:`customer_fields`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import bindparam, case, func, select, update
from sqlalchemy.engine import Connection

from omnidesk.core.cells import without_controls
from omnidesk.core.channels import HAND, channel_name
from omnidesk.core.dialect import insert_many
from omnidesk.core.importing import normalize as nz
from omnidesk.core.messages.tokens import custom_key
from omnidesk.core.text import clean_line
from omnidesk.core.models import HAND_KIND, CustomField, ImportBatch, SourceRecord

TEXT, NUMBER, DATE, YESNO = "text", "number", "date", "yesno"
TYPE_LABELS = {TEXT: "text", NUMBER: "number", DATE: "date", YESNO: "yes/no"}

# System noise, by the words of a column's header: identifiers of ads, forms, campaigns and
# the exporting system's own rows ("adset_id", "LEID", "EUID", "Klaviyo ID"), network
# addresses ("OPTIN_IP"), coordinates and clock offsets ("LATITUDE", "GMTOFF"), hashes and
# tokens.  They say nothing a shop would ask of a person, and each would be a field per row.
_NOISE_WORDS = frozenset({
    "id", "ids", "uuid", "guid", "leid", "euid", "hash", "md5", "sha1", "sha256", "token", "ip",
    "latitude", "longitude", "lat", "lng", "lon", "long", "gmtoff", "dstoff", "useragent",
})
_HEX = re.compile(r"[0-9a-fA-F]{16,}")
# IPv4, or IPv6 (with "::" or all eight groups: "10:30:00" is a time, not an address).
_IP = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F:]*::[0-9a-fA-F:]*|(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}")
_LEADING_ZERO = re.compile(r"0\d")


def _header_words(header: str) -> list[str]:
    # "adsetId" -> adset id, "OPTIN_IP" -> optin ip, "User Agent" -> user agent.
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", header)
    return [w for w in re.split(r"[^0-9a-zA-Z]+", spaced.lower()) if w]


def is_noise(header: str) -> bool:
    """Whether a column is system noise by its header.

    A header's last word decides for ids ("adset_id", "Form ID", "LEID") and any word for
    network addresses, coordinates and hashes ("OPTIN_IP", "LATITUDE", "GMTOFF"); "Ideal
    gift" is not an id.  The labels contact exports give their email, phone and address
    columns ("E-mail 1 - Label") are noise too.
    """
    if header.strip() == "#":
        return True  # Typeform's response token
    words = _header_words(header)
    if not words:
        return False
    if words[-1] in _NOISE_WORDS or "".join(words[-2:]) in _NOISE_WORDS:
        return True
    if _describes_a_slot(words):
        return True
    return any(w in _NOISE_WORDS and w not in ("id", "ids", "long") for w in words)


_SLOT_WORDS = frozenset({"mail", "email", "phone", "address", "website", "im", "relation", "event"})


def _describes_a_slot(words: list[str]) -> bool:
    """Google's and Outlook's labels of their email, phone and address columns.

    "E-mail 1 - Label" (``* Home``), "Phone 2 - Type", "E-mail Display Name" say how
    another column was filed, not something about the person.
    """
    if not _SLOT_WORDS.intersection(words):
        return False
    return words[-1] in ("label", "type") or words[-2:] == ["display", "name"]


def _noise_value(text: str) -> bool:
    """A cell that is a hash or a network address: a column of nothing else is noise."""
    return bool(_HEX.fullmatch(text) or _IP.fullmatch(text))


# Shopify names a metafield column by its label and where it lives:
# "Loyalty points (customer.metafields.custom.loyalty_points)".
_METAFIELD = re.compile(r"\s*\((?:customer|order|product|variant)\.metafields\.[^()]*\)\s*$", re.IGNORECASE)


def field_name(header: str) -> str:
    """The name a column's values are kept under: its header, without a Shopify metafield's path."""
    text = " ".join(header.split())
    return _METAFIELD.sub("", text) or text


def field_names(header: Sequence[str], columns: Sequence[int]) -> dict[int, str]:
    """Each custom column's field name (``field_name``), made unique within the file."""
    names: dict[int, str] = {}
    used: set[str] = set()
    for i in columns:
        base = field_name(header[i] if i < len(header) else "") or f"Column {i + 1}"
        base = base[:190]
        name, n = base, 2
        while name.casefold() in used:
            name, n = f"{base} ({n})", n + 1
        used.add(name.casefold())
        names[i] = name
    return names


@dataclass(slots=True)
class ColumnEvidence:
    """What one custom column's values say about its type, counted cell by cell."""

    values: int = 0
    bools: int = 0
    bool_words: int = 0  # yes/no values that are not bare 0/1
    numbers: int = 0
    leading_zero: bool = False
    dates: int = 0
    date_cells: int = 0  # cells that read as dates, all of them (``dates`` stops at the first that does not)
    noise: int = 0
    # Cells stored with the 1 or 0 of a yes/no that are no numbers ("yes", "x"): a text column
    # clears their number (None: more distinct ones than are remembered).
    answer_words: set[str] | None = field(default_factory=set)
    date_evidence: nz.DateEvidence = field(default_factory=nz.DateEvidence)
    # What each distinct cell reads as: a yes/no or a size column repeats a few values.
    seen: dict[str, tuple] = field(default_factory=dict)

    def add(self, text: str) -> float | None:
        """Count one non-empty cell; returns its number (a yes/no as 1 or 0), if it reads as one (a
        code with a leading zero does not)."""
        seen = self.seen.get(text)
        if seen is None:
            seen = _read_cell(text)
            if len(self.seen) < _MEMO:
                self.seen[text] = seen
        is_bool, bool_word, is_number, leading_zero, is_date, noise, number = seen
        self.values += 1
        n = self.values - 1
        if self.bools == n and is_bool:
            self.bools += 1
            self.bool_words += bool_word
        if self.numbers == n and is_number:
            self.numbers += 1
            self.leading_zero = self.leading_zero or leading_zero
        if is_date:
            if self.dates == n:
                self.dates += 1
            self.date_cells += 1
            self.date_evidence.add(text)
        if self.noise == n and noise:
            self.noise += 1
        if is_bool and not is_number and self.answer_words is not None and text not in self.answer_words:
            if len(self.answer_words) < _MEMO:
                self.answer_words.add(text)
            else:
                self.answer_words = None
        return number

    def decide(self, region: str) -> tuple[str, nz.DateOrder | None]:
        """The column's type, and for a date column the order its dates are read in."""
        n = self.values
        if not n:
            return TEXT, None
        if self.bools == n and self.bool_words:
            return YESNO, None
        if self.numbers == n and not self.leading_zero:
            return NUMBER, None
        if self.dates == n:
            order = self.date_evidence.column_order(region)
            if order != nz.DateOrder.MIXED:
                return DATE, order
        return TEXT, None

    @property
    def all_noise(self) -> bool:
        return bool(self.values) and self.noise == self.values


_MEMO = 10_000  # distinct cells remembered per column


def _read_cell(text: str) -> tuple[bool, int, bool, bool, bool, bool, float | None]:
    """(yes/no, yes/no in words, number, code with a leading zero, date, noise, its number)."""
    number: float | None = None
    b = nz.parse_bool(text)
    is_bool = b.value is not None
    if is_bool:
        number = 1.0 if b.value else 0.0
    m = nz.parse_money(text)
    is_number = m.value is not None
    if is_number:
        number = float(m.value)
    leading_zero = is_number and bool(_LEADING_ZERO.match(text.lstrip("+-")))
    is_date = number is None and _reads_as_date(text)
    if leading_zero and not is_bool:
        number = None  # a code ("0042"), not a quantity: no column of numbers holds one
    return (is_bool, int(is_bool and not text.isdigit()), is_number, leading_zero, is_date,
            _noise_value(text), number)


def _reads_as_date(text: str) -> bool:
    if not any(ch.isdigit() for ch in text) or len(text) > 40:
        return False
    for order in (nz.DateOrder.YMD, nz.DateOrder.DMY, nz.DateOrder.MDY):
        if nz.parse_date(text, order).value:
            return True
    return False


@dataclass
class CustomColumns:
    """The custom columns of one import and their evidence, kept across the file's chunks."""

    names: dict[int, str]
    region: str
    evidence: dict[int, ColumnEvidence] = field(default_factory=dict)
    after_id: int = 0  # every custom value this import stores has a higher id

    def begin(self, conn: Connection) -> None:
        """Note where this import's values start (call before the first insert)."""
        table = CustomField.__table__
        self.after_id = conn.execute(select(func.max(table.c.id))).scalar() or 0

    @classmethod
    def for_plan(cls, header: Sequence[str], mapping: Sequence[str], kind: str, region: str,
                 skip: Iterable[int] = ()) -> CustomColumns:
        """The unmapped, non-noise columns of a contacts file (none for an events file)."""
        from omnidesk.core.importing.fields import IGNORE

        if kind != "contacts":
            return cls({}, region)
        skipped = set(skip)
        columns = [i for i, f in enumerate(mapping)
                   if f == IGNORE and i not in skipped and not is_noise(header[i] if i < len(header) else "")]
        return cls(field_names(header, columns), region, {i: ColumnEvidence() for i in columns})

    def __bool__(self) -> bool:
        return bool(self.names)

    def rows(self, record_ids: Sequence[int], cells: Iterable[Sequence[str]]) -> list[dict]:
        """The custom field rows of records (ids and their raw cells), counting each column's evidence."""
        out = []
        evidence = self.evidence
        names = self.names
        for rid, values in zip(record_ids, cells):
            n = len(values)
            for i, name in names.items():
                if i >= n:
                    continue
                raw = values[i]
                if not raw:
                    continue
                text = clean_line(without_controls(nz.clean_cell(raw)))  # one line, as typed in on the card
                if not text or nz.is_placeholder(text):
                    continue
                number = evidence[i].add(text)
                out.append({"record_id": rid, "name": name, "type": TEXT, "value": text,
                            "number": number, "date": None})
        return out

    def settle(self, conn: Connection) -> dict[str, str]:
        """Give every custom value this import stored its column's type; returns each field's type.

        The values are found by id (they came after ``after_id``, in this one
        transaction), so a workspace holding a million values of the same
        field is not read to settle a small file's.
        """
        table = CustomField.__table__
        in_batch = table.c.id > self.after_id
        types: dict[str, str] = {}
        for i, name in self.names.items():
            ev = self.evidence[i]
            if not ev.values:
                continue
            of_column = (table.c.name == name, in_batch)
            if ev.all_noise:
                # Hashes and network addresses under a header that did not say so.
                conn.execute(table.delete().where(*of_column))
                continue
            kind, order = ev.decide(self.region)
            types[name] = kind
            if kind in (NUMBER, YESNO):
                conn.execute(update(table).where(*of_column).values(type=kind))
            elif kind == TEXT:
                self._keep_numbers_and_dates(conn, of_column, ev)
            else:
                rows = conn.execute(select(table.c.id, table.c.value).where(*of_column)).all()
                params = [{"fid": fid, "d": nz.parse_date(value, order).value} for fid, value in rows]
                conn.execute(update(table).where(table.c.id == bindparam("fid"))
                             .values(type=DATE, number=None, date=bindparam("d")), params)
        if types:
            self._retype_hand_values(conn, types)
        return types

    def _keep_numbers_and_dates(self, conn: Connection, of_column: tuple, ev: ColumnEvidence) -> None:
        """A text column's cells keep the number or the date they read as, for rules to compare.

        The numbers are in already, but for the 1 or 0 of a yes or an x (no numbers in a text
        column); the dates are read in the order the column's dates show.
        """
        table = CustomField.__table__
        answers = table.c.number.in_((0.0, 1.0))
        if ev.answer_words is not None:
            words = sorted(ev.answer_words)
            for start in range(0, len(words), 500):
                conn.execute(update(table).where(*of_column, answers, table.c.value.in_(words[start:start + 500]))
                             .values(number=None))
        else:
            rows = conn.execute(select(table.c.id, table.c.value).where(*of_column, answers)).all()
            params = [{"fid": fid} for fid, value in rows if nz.parse_money(value).value is None]
            if params:
                conn.execute(update(table).where(table.c.id == bindparam("fid")).values(number=None), params)
        if not ev.date_cells:
            return
        order = ev.date_evidence.column_order(self.region)
        rows = conn.execute(select(table.c.id, table.c.value).where(*of_column, table.c.number.is_(None))).all()
        params = [{"fid": fid, "d": day} for fid, value in rows
                  if (day := nz.parse_date(value, order).value)]
        if params:
            conn.execute(update(table).where(table.c.id == bindparam("fid")).values(date=bindparam("d")), params)

    def _retype_hand_values(self, conn: Connection, types: dict[str, str]) -> None:
        """Give the values typed in by hand of the fields just settled the type they settled as.

        A value typed in takes its field's type of the moment (``edits.set_custom_field``): 999
        typed while a stray "abc" kept the field text had no number, and a later file of only
        numbers would leave it out of every comparison while the card shows 999.  Each such
        value is read again from its text (one that does not read as the new type stays text).
        The hand records are few and found through their batch, not through the field's values.
        """
        table, rec, batch = CustomField.__table__, SourceRecord.__table__, ImportBatch.__table__
        settled = {name.casefold(): kind for name, kind in types.items()}
        order = nz.default_date_order(self.region)
        hand = select(rec.c.id).where(rec.c.batch_id.in_(select(batch.c.id).where(batch.c.kind == HAND_KIND)))
        rows = conn.execute(
            select(table.c.id, table.c.name, table.c.type, table.c.value, table.c.number, table.c.date)
            .where(table.c.record_id.in_(hand), table.c.id <= self.after_id)).all()
        params = []
        for fid, name, kind, value, number, date in rows:
            to = settled.get(name.casefold())
            if to is None or not value:
                continue
            typed = read_value(to, value, order)
            new = (to, *typed) if typed is not None else (TEXT, None, None)
            if new != (kind, number, date):
                params.append({"fid": fid, "t": new[0], "n": new[1], "d": new[2]})
        if params:
            conn.execute(update(table).where(table.c.id == bindparam("fid"))
                         .values(type=bindparam("t"), number=bindparam("n"), date=bindparam("d")), params)


def read_value(kind: str, text: str, order: nz.DateOrder) -> tuple[float | None, str | None] | None:
    """(number, ISO date) of ``text`` as a value of a ``kind`` field, None when it does not read as one.

    A number as amounts read ("1,000"), a yes/no as 1 or 0, a date in ``order``; text, its number or
    its date where it reads as one (as a text column's cells keep theirs), else neither.
    """
    if kind == NUMBER:
        got = nz.parse_money(text).value
        return None if got is None else (float(got), None)
    if kind == YESNO:
        answer = nz.parse_bool(text).value
        return None if answer is None else (1.0 if answer else 0.0, None)
    if kind == DATE:
        day = nz.parse_date(text, order).value
        return None if not day else (None, day)
    if _reads_as_date(text) and nz.parse_money(text).value is None:
        return None, nz.parse_date(text, order).value or None
    got = nz.parse_money(text).value
    if got is None or _LEADING_ZERO.match(text.lstrip("+-")):
        return None, None
    return float(got), None


def insert_custom_fields(conn: Connection, columns: CustomColumns, record_ids: Sequence[int],
                         cells: Iterable[Sequence[str]]) -> int:
    """Store the custom values of freshly inserted records; returns how many."""
    rows = columns.rows(record_ids, cells)
    if rows:
        insert_many(conn, CustomField.__table__, rows)
    return len(rows)


@dataclass(frozen=True)
class CustomValue:
    """A customer's value of one custom field, and the record it came from."""

    name: str
    type: str
    value: str
    number: float | None
    date: str | None
    source_file: str
    record_no: int
    channel: str

    def display(self) -> str:
        """The value as the card shows it: yes/no as Yes or No, a date as written in ISO."""
        if self.type == YESNO:
            return "Yes" if self.number else "No"
        if self.type == DATE and self.date:
            return self.date
        return self.value

    def describe(self) -> str:
        return f"from {self.source_file} row {self.record_no} ({channel_name(self.channel)})"


def hand_first(rec, table) -> tuple:
    """ORDER BY terms putting a customer's values typed in by hand before any file's, the one typed
    last first: a merged customer holds each side's hand record, and what was typed on it is the
    newest row (``edits.set_custom_field`` writes each value as a new row)."""
    typed = rec.c.channel == HAND
    return typed.desc(), case((typed, table.c.id), else_=0).desc()


def customer_fields(conn: Connection, customer_id: int) -> list[CustomValue]:
    """The customer's custom fields: per name (spaces collapsed, case folded, as a token names it),
    the one typed in by hand (typed last), else the value of the latest import that has one."""
    return customers_fields(conn, [customer_id]).get(customer_id, [])


def customers_fields(conn: Connection, customer_ids: Sequence[int]) -> dict[int, list[CustomValue]]:
    """:func:`customer_fields` of many customers, read a few hundred at a time (customers without
    any are left out)."""
    table, rec, batch = CustomField.__table__, SourceRecord.__table__, ImportBatch.__table__
    ids = list(customer_ids)
    out: dict[int, list[CustomValue]] = {}
    for start in range(0, len(ids), 900):
        rows = conn.execute(
            select(rec.c.customer_id, table.c.name, table.c.type, table.c.value, table.c.number, table.c.date,
                   batch.c.file_name, rec.c.record_no, rec.c.channel)
            .join(rec, rec.c.id == table.c.record_id).join(batch, batch.c.id == rec.c.batch_id)
            .where(rec.c.customer_id.in_(ids[start:start + 900]))
            # A value typed in by hand (channel "manual", edits.py) comes before any file's; of two
            # typed in (each side's of a merged customer), the one typed last.
            .order_by(rec.c.customer_id, *hand_first(rec, table), rec.c.batch_id.desc(), rec.c.id.desc(),
                      table.c.id)
        ).all()
        seen: dict[int, dict[str, CustomValue]] = {}
        for r in rows:
            mine = seen.setdefault(r.customer_id, {})
            # One value per field as a token names it: an older version kept a file's header as it
            # came ("Favourite  colour"), and the value typed or imported today under "Favourite
            # colour" is the same field's.
            key = custom_key(r.name)
            if key not in mine:
                mine[key] = CustomValue(r.name, r.type, r.value, r.number, r.date, r.file_name, r.record_no,
                                        r.channel)
        for cid, mine in seen.items():
            out[cid] = sorted(mine.values(), key=lambda v: v.name.casefold())
    return out


def record_fields(conn: Connection, record_ids: Sequence[int]) -> dict[int, list[dict]]:
    """Every custom value of these records, as plain data (a person's export)."""
    table = CustomField.__table__
    out: dict[int, list[dict]] = {}
    ids = list(record_ids)
    for start in range(0, len(ids), 900):
        for r in conn.execute(select(table.c.record_id, table.c.name, table.c.type, table.c.value,
                                     table.c.number, table.c.date)
                              .where(table.c.record_id.in_(ids[start:start + 900])).order_by(table.c.id)):
            out.setdefault(r.record_id, []).append(
                {"name": r.name, "type": TYPE_LABELS.get(r.type, r.type), "value": r.value,
                 "number": r.number, "date": r.date})
    return out
