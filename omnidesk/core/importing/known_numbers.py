"""An opt-out whose number is written for another country: read by the numbers already known.

A US shop's SMS opt-out list holds "07911 123456": no US number, so the row
cannot be read as one, and the opt-out would reach nobody while the UK
customer whose number it is (+44 7911 123456, from a file with a country
column) stays textable.  The safer reading of a refusal is the one that
reaches the person: such a number is looked for, in every country's form,
among the numbers the workspace (and the rows read with it) already holds.
A match is taken, and the row, still flagged, says what it was read as; where
the same digits are a known number in two countries, both are taken (the row
then stands apart from both customers, and its stop keeps each number out of
every send: ``guards.refused_addresses``).  No match yet: the row stays
flagged and keeps the digits (an identifier of kind ``unread_phone``), so a
customer imported later with a number they are is opted out then
(:func:`read_earlier_optouts`), whichever file came first; a number typed in
or pinned by hand reaches it too (:func:`typed_number_reaches_optouts`).

Only refusals of a phone's channels (SMS, WhatsApp: :func:`refuses`) are read so: a
contact row's number read by a match would join two records on a guess, where an
opt-out only ever takes consent away.  An email unsubscribe or bounce says nothing
of the row's number: taken as a stranger's, it would only make the two holders of
one phone; its unreadable number is flagged as a contact's is, and waits for no one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import phonenumbers
from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from omnidesk.core.contact import phone_text
from omnidesk.core.identity.profiles import chunks
from omnidesk.core.importing.rows import Row, refuses
from omnidesk.core.models import Identifier, SourceRecord
from omnidesk.core.phones import display_phone

_NOT_DIGITS = re.compile(r"\D")


def _prefixes() -> list[tuple[int, str]]:
    """Each country calling code with the trunk prefix its numbers are written with at home
    ("0" in the UK and France, none in Spain), once per pair."""
    pairs = set()
    for region in phonenumbers.SUPPORTED_REGIONS:
        meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
        if meta is not None and meta.country_code:
            pairs.add((meta.country_code, meta.national_prefix or ""))
    return sorted(pairs)


_PREFIXES = _prefixes()


def _forms(raw: str) -> set[str]:
    """The E.164 numbers ``raw`` could be, written at home in some country: each calling code
    before its digits, less the trunk prefix where that country writes one.  Cheap string work,
    so a long list costs nothing but look-ups; a match is then confirmed by :func:`_reads_as`."""
    digits = _NOT_DIGITS.sub("", phone_text(raw))
    if not 6 <= len(digits) <= 15:
        return set()
    found = set()
    for code, prefix in _PREFIXES:
        national = digits[len(prefix):] if prefix and digits.startswith(prefix) else digits
        if national:
            found.add(f"+{code}{national}")
    if (whole := _international(digits)) is not None:
        found.add(whole)  # "447911123456": the country code written, the "+" left off (many SMS tools)
    return found


def _international(digits: str) -> str | None:
    """``digits`` read as a whole international number with its "+" left off ("447911123456",
    "4915123456789"), when they are a valid one; else None."""
    try:
        number = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _reads_as(raw: str, e164: str) -> bool:
    """Whether ``raw``, read as written in the country of ``e164`` or as that number with its "+"
    left off, is that valid number."""
    if _international(_NOT_DIGITS.sub("", phone_text(raw))) == e164:
        return True
    try:
        region = phonenumbers.region_code_for_number(phonenumbers.parse(e164, None))
        number = phonenumbers.parse(phone_text(raw), region)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number) and \
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == e164


def _also_abroad(row: Row) -> list[tuple[str, str]]:
    """The refusing row's numbers read at home whose digits are also a whole number abroad with
    its "+" left off ("4798570523": +1 479-857-0523 in Arkansas, or +47 985 70 523 in Norway), as
    (digits, that number abroad).  Which one the SMS tool meant is not written: a refusal is taken
    as both's."""
    found = []
    for digits, number in row.bare_phones:
        abroad = _international(digits)
        if abroad is not None and abroad not in row.phones and number in row.phones:
            found.append((digits, abroad))
    return found


def _read_bare(row: Row, known: set[str]) -> int:
    """Give a refusing row the numbers abroad its digits also are (:func:`_also_abroad`) where one
    is known, with a note saying so; leaves in ``row.bare_phones`` those to wait for such a number.
    Returns how many were given."""
    waiting, read = [], 0
    for digits, abroad in row.bare_phones:
        if abroad not in known:
            waiting.append((digits, abroad))
            continue
        row.phones.append(abroad)
        row.problems.append(f"Phone {digits}: read as a number of this shop's country, and also the number "
                            f"{display_phone(abroad)} already known, written with its \"+\" left off: "
                            "the opt-out is taken as both's")
        row.stored = None  # its problems changed: the record's columns are written afresh
        read += 1
    row.bare_phones = waiting
    return read


UNREAD_KIND = "unread_phone"  # an opt-out's number no known number was yet: its digits, waiting


def national_digits(raw: str) -> str:
    """The digits of an unread number as written (full-width ones plainly, a note beside it left out)."""
    return _NOT_DIGITS.sub("", phone_text(raw))


def read_by_known_numbers(conn: Connection, rows: Sequence[Row]) -> int:
    """Give the rows refusing texts or calls the known number their unreadable one is; returns how
    many were read.

    ``rows`` are one chunk of an import: the workspace's stored numbers and the
    chunk's own readable ones are what an unreadable number is looked up among.
    Each row's ``unread_phones`` is left holding what is still unread of a
    refusal's numbers (stored to wait, see :func:`read_earlier_optouts`), and
    nothing of any other row's.
    """
    for row in rows:
        if row.unread_phones and (row.skip or not refuses(row)):
            row.unread_phones = []
        if row.bare_phones:
            row.bare_phones = _also_abroad(row) if not row.skip and refuses(row) else []
    wanted = [row for row in rows if row.unread_phones or row.bare_phones]
    if not wanted:
        return 0
    table = Identifier.__table__
    # Only the forms whose first digits some known number starts with (one pass over the numbers,
    # made only when a row needs it): a long list of such rows looks up a few forms each, not 200.
    chunk_phones = {p for row in rows for p in row.phones}
    heads = {p[1:4] for p in chunk_phones} | set(conn.execute(
        select(func.substr(table.c.value, 2, 3)).distinct().where(table.c.kind == "phone")).scalars())
    forms = {raw: {f for f in _forms(raw) if f[1:4] in heads} for row in wanted for raw, _ in row.unread_phones}
    candidates = {f for found in forms.values() for f in found} | {e for row in wanted for _, e in row.bare_phones}
    known = chunk_phones & candidates
    for part in chunks(sorted(candidates - known)):
        known.update(conn.execute(select(table.c.value).distinct().where(
            table.c.kind == "phone", table.c.value.in_(part))).scalars())
    read = 0
    for row in wanted:
        if row.bare_phones:
            read += _read_bare(row, known)
        waiting = []
        for raw, at in row.unread_phones:
            matches = sorted(m for m in forms[raw] & known if _reads_as(raw, m))
            # Digits a known number has, among words no number is read with ("415-555-0109 mobile"):
            # the opt-out is taken as that number's, the safer reading of a refusal.
            by_digits = not matches and bool(forms[raw] & known)
            if by_digits:
                matches = sorted(forms[raw] & known)
            if not matches:
                waiting.append((raw, at))
                row.problems[at] += ("; no number known yet has these digits: a customer imported later "
                                     "with such a number is opted out then")
                continue
            problem = row.problems[at]
            shown = " or ".join(display_phone(m) for m in matches)
            row.phones.extend(m for m in matches if m not in row.phones)
            read += 1
            if by_digits:
                note = (f"{problem}; its digits are those of {shown}, a number already known (what is written "
                        "beside them is no part of a number), so the opt-out reaches it")
            elif len(matches) == 1:
                note = (f"{problem}; read as {shown}, the number already known with these digits, "
                        f"so the opt-out reaches it")
            else:
                note = (f"{problem}; the same digits are known as {shown}: the opt-out is taken as "
                        f"each one's until the country code says which")
            row.problems[at] = note
        row.unread_phones = waiting
        row.stored = None  # its problems changed: the record's columns are written afresh
    return read


def _home_forms(e164: str) -> set[str]:
    """The digits ``e164`` is written with: its national number, with and without the country's
    trunk prefix, and the whole number with its "+" left off ("+447911123456": "7911123456",
    "07911123456", "447911123456")."""
    digits = e164[1:]
    for n in (1, 2, 3):
        if digits[:n].isdigit() and int(digits[:n]) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            code, national = int(digits[:n]), digits[n:]
            return {national, digits} | {prefix + national for c, prefix in _PREFIXES if c == code and prefix}
    return set()


def read_earlier_optouts(conn: Connection, batch_id: int) -> int:
    """Give the numbers this import brought to the earlier opt-outs whose digits they are.

    An SMS opt-out list imported before the customer whose number it holds, written
    the way their country writes it, waits with its digits (:data:`UNREAD_KIND`):
    each phone of the batch is written at home, and an opt-out record with those
    digits gets the number, so the linking that follows joins it to the customer
    and its stop holds for that number.  Costs one index look-up when nothing waits.
    """
    table, rec = Identifier.__table__, SourceRecord.__table__
    waiting = _waiting(conn)
    if not waiting:
        return 0
    new = conn.execute(select(table.c.value).distinct().join(rec, rec.c.id == table.c.record_id)
                       .where(rec.c.batch_id == batch_id, table.c.kind == "phone")).scalars().all()
    return len(give_waiting_optouts(conn, new, waiting))


def _waiting(conn: Connection) -> dict[str, list[int]]:
    """The digits of opt-outs no known number was yet -> their records."""
    table = Identifier.__table__
    waiting: dict[str, list[int]] = {}
    for rid, digits in conn.execute(select(table.c.record_id, table.c.value).where(table.c.kind == UNREAD_KIND)):
        waiting.setdefault(digits, []).append(rid)
    return waiting


def give_waiting_optouts(conn: Connection, phones: Sequence[str],
                         waiting: dict[str, list[int]] | None = None) -> list[int]:
    """Give each waiting opt-out whose digits one of ``phones`` (E.164) is written with at home
    that number; returns the records given one (each once).

    An import calls it through :func:`read_earlier_optouts`, before its linking.  A number
    typed in by hand (or pinned) calls it too: no linking follows a hand edit, but the
    opt-out's record now carries the number, and a stop on a number keeps whoever else holds
    it out of every send (``guards.refused_addresses``) and out of a "consent granted" rule.
    """
    table = Identifier.__table__
    if waiting is None:  # (read already by the caller, or read here)
        waiting = _waiting(conn) if phones else {}
    if not waiting:
        return []
    found = {(rid, e164) for e164 in phones for digits in _home_forms(e164) & waiting.keys()
             for rid in waiting[digits] if _reads_as(digits, e164)}
    if not found:
        return []
    have = set(map(tuple, conn.execute(select(table.c.record_id, table.c.value).where(
        table.c.kind == "phone", table.c.record_id.in_(sorted({rid for rid, _ in found}))))))
    added = sorted(found - have)
    if added:
        conn.execute(insert(table), [{"record_id": rid, "kind": "phone", "value": e164} for rid, e164 in added])
        # The record's own phone, empty since its cell could not be read, shows what it was read as.
        rec = SourceRecord.__table__
        for rid, e164 in added:
            conn.execute(update(rec).where(rec.c.id == rid, rec.c.phone.is_(None)).values(phone=e164))
    return sorted({rid for rid, _ in added})


def typed_number_reaches_optouts(conn: Connection, phone: str | None) -> None:
    """A number typed in (or pinned) on a customer: the waiting opt-outs it is take it
    (:func:`give_waiting_optouts`) and their customers show it."""
    from omnidesk.core.identity.golden import refresh_customers

    rids = give_waiting_optouts(conn, [phone]) if phone else []
    if rids:
        rec = SourceRecord.__table__
        refresh_customers(conn, conn.execute(select(rec.c.customer_id).distinct().where(
            rec.c.id.in_(rids), rec.c.customer_id.is_not(None))).scalars().all())


_E164 = re.compile(r"\+[0-9]{6,15}")


def reread_optout_phones(conn: Connection, pairs: Sequence[tuple[int, Row]]) -> set[int]:
    """Give kept opt-out records the numbers today's reading finds in their rows; returns the
    records given a number they did not have.

    ``pairs`` are (record id, the record's row read again by today's ``RowNormalizer``), as a
    workspace opened by a newer version reads its kept rows (``backfill.reread_consents``).  An
    older version read "415-555-0109 (mobile)" or full-width digits as no number (or as a number
    no one has), so the stop reached nobody.  Only refusals of a phone's channels are given numbers
    so (:func:`refuses`; an email's bounce says nothing of the number): a number only
    ever takes consent away there, where a contact's would join records on a new reading.  A
    number no one holds yet waits with its digits, as an import leaves it; a number the record
    held is never taken away.
    """
    rows = [(rid, row) for rid, row in pairs if not row.skip and refuses(row)]
    if not rows:
        return set()
    read_by_known_numbers(conn, [row for _, row in rows])
    table, rec = Identifier.__table__, SourceRecord.__table__
    ids = [rid for rid, _ in rows]
    had: dict[int, set[tuple[str, str]]] = {}
    shown: dict[int, str | None] = {}
    for part in chunks(ids):
        for rid, kind, value in conn.execute(select(table.c.record_id, table.c.kind, table.c.value).where(
                table.c.record_id.in_(part), table.c.kind.in_(("phone", UNREAD_KIND)))):
            had.setdefault(rid, set()).add((kind, value))
        shown.update(conn.execute(select(rec.c.id, rec.c.phone).where(rec.c.id.in_(part))).all())
    given: set[int] = set()
    params = []
    for rid, row in rows:
        held = had.get(rid, set())
        phones = [p for p in row.phones if ("phone", p) not in held]
        params += [{"record_id": rid, "kind": "phone", "value": p} for p in phones]
        waits = {national_digits(raw) for raw, _ in row.unread_phones} | {d for d, _ in row.bare_phones}
        waits -= {v for k, v in held if k == UNREAD_KIND}
        params += [{"record_id": rid, "kind": UNREAD_KIND, "value": d} for d in sorted(waits) if d]
        if phones:
            given.add(rid)
            odd = [v for k, v in held if k == "phone" and not _E164.fullmatch(v)]  # "+1４１５…": nobody's
            if odd:
                conn.execute(table.delete().where(table.c.record_id == rid, table.c.kind == "phone",
                                                  table.c.value.in_(odd)))
            if not _E164.fullmatch(shown.get(rid) or ""):  # the card showed none, or one no one dials
                conn.execute(update(rec).where(rec.c.id == rid).values(phone=row.phones[0]))
        if row.phones and not row.unread_phones and not row.bare_phones:
            # Every number the row names is read now: what waited under the old reading waits no more.
            conn.execute(table.delete().where(table.c.record_id == rid, table.c.kind == UNREAD_KIND))
    if params:
        conn.execute(insert(table), params)
    return given


def take_back_numbers_of_email_refusals(conn: Connection, pairs: Sequence[tuple[int, Row]]) -> set[int]:
    """Take from kept records whose row refuses no phone channel (an email's bounce or unsubscribe)
    the numbers an older version gave them by their unreadable number's digits, and the digits
    it left waiting; returns the records a number was taken from.

    ``pairs`` as for :func:`reread_optout_phones`.  Version 3 read every refusal's unreadable
    number by the numbers known (:func:`read_by_known_numbers`) or left it waiting
    (:func:`give_waiting_optouts`), an email's too: the record then held a stranger's number
    with those digits.  Only such a number goes (one today's reading of the row does not give it
    and those digits could be written for); the numbers the row's cells are stay.  Records joined
    to another's customer by such a number stay joined.
    """
    table, rec = Identifier.__table__, SourceRecord.__table__
    cells = {rid: [raw for raw, _ in row.unread_phones] for rid, row in pairs if not row.skip and not refuses(row)}
    ids = list(cells)
    waited: dict[int, list[str]] = {}
    for part in chunks(ids):
        for rid, digits in conn.execute(select(table.c.record_id, table.c.value).where(
                table.c.record_id.in_(part), table.c.kind == UNREAD_KIND)):
            waited.setdefault(rid, []).append(digits)
    own = {rid: row.phones for rid, row in pairs if rid in cells}
    suspects = sorted(rid for rid in ids if cells[rid] or rid in waited)
    taken: dict[int, set[str]] = {}
    for part in chunks(suspects):
        for iid, rid, e164 in conn.execute(select(table.c.id, table.c.record_id, table.c.value).where(
                table.c.record_id.in_(part), table.c.kind == "phone")):
            if e164 not in own[rid] and any(e164 in _forms(raw) for raw in cells[rid] + waited.get(rid, [])):
                taken.setdefault(rid, set()).add(e164)
                conn.execute(table.delete().where(table.c.id == iid))
    for part in chunks(sorted(waited)):
        conn.execute(table.delete().where(table.c.record_id.in_(part), table.c.kind == UNREAD_KIND))
    for rid, numbers in taken.items():
        conn.execute(update(rec).where(rec.c.id == rid, rec.c.phone.in_(sorted(numbers)))
                     .values(phone=own[rid][0] if own[rid] else None))
    return set(taken)
