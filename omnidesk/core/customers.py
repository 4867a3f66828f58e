"""Queries behind the Customers screen: ids in order, rows on demand.

The screen holds only the ordered list of ids and asks for rows a page at a
time, so a million customers open as fast as a hundred.  Sorting and
filtering happen in SQL.

Customers with no value in the sort column (NULL or '', and no orders) come
after those with one, in either direction.  Names sort by ``sort_name``: without
accents and in one case, so Élodie comes beside Elodie, under E, and "de Vries"
beside "De Vries"; names in other scripts (kanji, Cyrillic, Arabic) come after
the Latin ones, each script together (``text.sort_key``).  Ties go by the name as
written, then the id, so the order is the same on every reading.

Custom fields are read for the rows on screen only: a customer's value of a field is the one typed in by hand,
else the one from the latest import that has it, then the latest record (the card's rule,
``importing.custom_fields.customer_fields``).
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, case, func, literal, literal_column, or_, select
from sqlalchemy import text as text_clause

from omnidesk.core.campaigns.guards import HeldRefusals, address_column, held_ids, held_refusals
from omnidesk.core.campaigns.held import HELD
from omnidesk.core.dialect import SEARCH_TABLE, fetch_ints, has_customer_search, search_query
from omnidesk.core.identity.profiles import chunks
from omnidesk.core.importing.custom_fields import CustomValue, hand_first
from omnidesk.core.importing.names import family_first_script
from omnidesk.core.models import CustomField, Customer, ImportBatch, SourceRecord
from omnidesk.core.segments import Rule, check_where, prepare, rule_where
from omnidesk.core.text import sort_key, visible
from omnidesk.core.workspace import Workspace

SORT_COLUMNS = {
    "name": Customer.sort_name,
    "email": Customer.email,
    "phone": Customer.phone,
    "city": Customer.city,
    "channels": Customer.channels,
    "orders": Customer.orders,
    "spend": Customer.spend_minor,
    "last_seen": Customer.last_seen,
    "sources": Customer.source_count,
    "tags": Customer.tags,
    "consent_email": Customer.consent_email,
    "consent_sms": Customer.consent_sms,
    "consent_whatsapp": Customer.consent_whatsapp,
    "first_seen": Customer.first_seen,
    "company": Customer.company,
    "postcode": Customer.postcode,
    "country": Customer.country,
}
_NUMERIC_SORTS = ("orders", "spend", "sources")


def _blank(sort: str, column=None):
    """The condition "no value to sort by": what the list shows as an empty cell.  ``column``: what
    the list is sorted by, when not the stored column (:func:`_consent_shown`)."""
    column = SORT_COLUMNS.get(sort, Customer.sort_name) if column is None else column
    if sort == "orders":
        return column == 0  # no orders shows an empty cell
    if sort in _NUMERIC_SORTS:
        return column.is_(None)
    if sort == "name":
        return column == ""  # never NULL; '' for no name ("(no name)" too: golden.sort_name)
    return or_(column.is_(None), column == "")


def _blank_parts(sort: str, column=None):
    """:func:`_blank` as conditions an index serves one by one (an OR of them it would not)."""
    column = SORT_COLUMNS.get(sort, Customer.sort_name) if column is None else column
    if sort in _NUMERIC_SORTS or sort == "name":
        return [_blank(sort, column)]
    return [column.is_(None), column == ""]


def _valued(sort: str, column=None):
    """The complement of :func:`_blank`, written so an index on the column can serve it as a range."""
    column = SORT_COLUMNS.get(sort, Customer.sort_name) if column is None else column
    if sort == "orders":
        return column > 0
    if sort in _NUMERIC_SORTS:
        return column.is_not(None)
    return column > ""


def _consent_shown(conn, sort: str):
    """What a consent column shows, to sort by: the customer's own answer, or "held" where the
    campaigns refuse their address though that answer is not no (``guards.held_ids``, by the rule
    :func:`customer_rows` reads a row's "Held" by), whatever their own answer (none included).

    Held sorts as the word the column shows, in its A to Z like every other word there (Cleaned,
    Denied, Granted, Held, Pending, Unsubscribed): a block of its own next to Granted.  A marketer
    sorts this column to pick out whom a campaign reaches; "Held" rows among the Granted ones would
    be taken for them, and a column whose words are not in A to Z order reads as broken.

    No index holds the consent columns, so every customer is read and sorted whatever the order
    is: the held few, found first from those who said no, cost one more lookup a row.
    """
    own = SORT_COLUMNS[sort]
    held = sorted(held_ids(conn, sort[len("consent_"):]))
    if not held:
        return own
    # Inline: however many, no parameter limit to meet.
    return case((Customer.id.in_(bindparam(None, held, expanding=True, literal_execute=True)), literal(HELD)),
                else_=own)


def _ties(sort: str) -> list:
    """What orders customers of one value of the sort column: for names, the name as
    written ("Elodie" before "Élodie", both under E), then the id; for the rest, the id.
    ix_customer_sort_name holds the name after the key, so it serves that order too."""
    return [Customer.display_name, Customer.id] if sort == "name" else [Customer.id]


@dataclass(frozen=True)
class CustomerRow:
    id: int
    name: str
    email: str
    phone: str
    city: str
    channels: str
    orders: int
    spend_minor: int | None
    last_seen: str
    consent_email: str
    sources: int
    tags: str = ""
    consent_sms: str = ""
    consent_whatsapp: str = ""
    first_seen: str = ""
    company: str = ""
    postcode: str = ""
    country: str = ""
    # The channels whose consent column shows "held", not the own answer (:func:`customer_rows`).
    held: frozenset[str] = frozenset()


def _solid_cjk_name(text: str) -> bool:
    """A name typed the way Chinese, Japanese and Korean names are written: family and given
    name with no space between ("山田太郎"), where the card, from two columns, shows "山田 太郎"."""
    return not any(ch.isspace() for ch in text) and family_first_script(text)


def _search_clause(text: str, conn=None):
    text = visible(text).strip()
    if not text:
        return None
    # Matched against the name without its spaces too: no index holds that, so the rows are read.
    solid = Customer.display_name.is_not(None) & func.replace(Customer.display_name, " ", "").contains(
        text, autoescape=True) if _solid_cjk_name(text) else None
    if conn is not None and has_customer_search(conn):
        match = search_query(text)
        if match is not None:
            found = Customer.id.in_(
                select(literal_column("rowid")).select_from(text_clause(SEARCH_TABLE))
                .where(text_clause(f"{SEARCH_TABLE} MATCH :q").bindparams(q=match))
            )
            return found if solid is None else or_(found, solid)
    clauses = [] if solid is None else [solid]
    # As typed: "_" and "%" are characters of a name or an address, not LIKE's wildcards.
    clauses.append(Customer.display_name.icontains(text, autoescape=True))
    # Accents and capitals aside, as the index reads names: each word typed is in the name kept
    # without them (sort_name), in any order, so "Jose Li" and "Ng, Elodie" find José Li and
    # Élodie Ng when a word is too short for the index.
    words = [w for w in re.split(r"[\s,;]+", sort_key(text)) if w]
    if words:
        clauses.append(and_(*(Customer.sort_name.contains(w, autoescape=True) for w in words)))
    clauses.append(Customer.email.icontains(text, autoescape=True))
    digits = re.sub(r"\D", "", text)
    # Phones are stored as E.164; "(415) 555" should find +1415555....
    if len(digits) >= 3:
        clauses.append(Customer.phone.like(f"%{digits}%"))
    return or_(*clauses)


def check_list_rule(ws: Workspace, rule: dict[str, Any] | None) -> None:
    """Raise RuleError for a rule :func:`customer_ids` would refuse, without reading the list: the
    Customers screen says so at once, before it works a big list out in the background.  Reads
    none of what the rule asks of the customers (a rule on consent's refused addresses): that is
    read with the list, off the window's thread."""
    if rule is None:
        return
    with ws.engine.connect() as conn:
        check_where(conn, rule)


def customer_ids(ws: Workspace, *, search: str = "", sort: str = "name", descending: bool = False,
                 channel: str | None = None, consent: str | None = None,
                 rule: dict[str, Any] | None = None, now: datetime | None = None) -> array:
    """Ids of the customers matching ``search``, ``channel``, ``consent`` and ``rule``, in display order.

    A compact array: a million ids take 8 MB instead of 36.  Customers with no
    value in the sort column come last whichever way it goes.

    ``consent`` is "CHANNEL:STATUS" (``email:granted``) or "CHANNEL:none" for
    customers with no granted consent on that channel.  ``rule`` is a segment
    rule (core.segments), checked first: a bad one raises RuleError; its time
    windows count back from ``now`` (the clock when not given).
    """
    sort = sort if sort in SORT_COLUMNS else "name"
    filtered = bool(channel or consent or rule)
    where = []
    if channel:
        # Whole channel codes: "shop" is not "popup_shop".
        where.append((" " + func.coalesce(Customer.channels, "") + " ").contains(f" {channel} ", autoescape=True))
    said: Rule | None = None
    if consent:
        which, _, status = consent.partition(":")
        # As a segment reads it: an address someone said stop from is not open for another holder's
        # yes (so a list filtered so and exported hands over no such address), nor still to be asked.
        said = ({"field": f"consent.{which}", "op": "is_not", "value": "granted"} if status == "none"
                else {"field": f"consent.{which}", "op": "is", "value": status})
    if rule is not None:
        prepare(ws, rule)
    with ws.engine.connect() as conn:
        for asked in (rule, said):
            if asked is not None:
                where.append(rule_where(conn, asked, now))
        clause = _search_clause(search, conn)
        if clause is not None:
            where.append(clause)
        column = _consent_shown(conn, sort) if sort.startswith("consent_") else SORT_COLUMNS[sort]
        if filtered:
            # A filter no index serves: reading every row and sorting the matches is several
            # times faster than walking the sort column's index and fetching each row from it
            # (2.3 s against 0.4 s for a million customers), so the order is given as an
            # expression no index matches.
            column = column + 0 if sort in _NUMERIC_SORTS else column.concat("")
        # Ties go the same way as the column, so an index on it (which holds the id) serves
        # the whole order in either direction instead of a sort of every customer.
        order = tuple(c.desc() if descending else c.asc() for c in (column, *_ties(sort)))
        if filtered:
            # Every matching row is read and sorted anyway: blanks last is one more sort key.
            query = select(Customer.id).where(*where).order_by(_blank(sort, column), *order)
            return fetch_ints(conn, query)
        # Two walks of the column's index: the customers with a value in order (a range of
        # the index), then the blank ones. One ORDER BY with "blank" as its first key would
        # sort every customer instead.
        ids = fetch_ints(conn, select(Customer.id).where(_valued(sort, column), *where).order_by(*order))
        by_id = [c.desc() if descending else c.asc() for c in _ties(sort)]
        # NULLs before '' ascending and after them descending, as the filtered query's order has it.
        for blank in _blank_parts(sort, column)[::-1 if descending else 1]:
            ids.extend(fetch_ints(conn, select(Customer.id).where(blank, *where).order_by(*by_id)))
        return ids


def customer_rows(ws: Workspace, ids: Sequence[int], held: Sequence[str] = ()) -> dict[int, CustomerRow]:
    """The display rows of ``ids`` (missing ids are simply absent).

    ``held``: channels (email, sms, whatsapp) whose consent the rows show; ``CustomerRow.held``
    then names those on which the row's address is held though the customer's own answer is not
    no (someone sharing it said stop), as the campaigns decide it (``guards.held_refusals``),
    asked of this page's addresses only: a page costs the same over a million customers.
    """
    if not ids:
        return {}
    c = Customer.__table__
    with ws.engine.connect() as conn:
        result = conn.execute(
            select(c.c.id, c.c.display_name, c.c.email, c.c.phone, c.c.city, c.c.channels,
                   c.c.orders, c.c.spend_minor, c.c.last_seen, c.c.consent_email,
                   c.c.source_count, c.c.tags, c.c.consent_sms, c.c.consent_whatsapp, c.c.first_seen,
                   c.c.company, c.c.postcode, c.c.country).where(c.c.id.in_(list(ids)))
        ).all()
        holds = {channel: held_refusals(conn, channel, words=False, among={
            a for r in result if (a := r._mapping[address_column(channel)])}) for channel in held}
        return {
            r.id: CustomerRow(r.id, r.display_name, r.email or "", r.phone or "", r.city,
                              r.channels, r.orders, r.spend_minor, r.last_seen or "",
                              r.consent_email or "", r.source_count, r.tags or "", r.consent_sms or "",
                              r.consent_whatsapp or "", r.first_seen or "", r.company or "",
                              r.postcode or "", r.country or "", _held(holds, r))
            for r in result
        }


def _held(holds: dict[str, HeldRefusals], r) -> frozenset[str]:
    if not holds:
        return frozenset()
    return frozenset(channel for channel, refusals in holds.items()
                     if refusals.holds(r.id, r._mapping[f"consent_{channel}"], r._mapping[address_column(channel)]))


def custom_field_names(ws: Workspace) -> list[str]:
    """The names of the workspace's custom fields, one spelling per name (ignoring case), sorted.

    Read by hopping along the (name, value) index from one name to the next, so
    ten million values with twenty names cost twenty lookups.
    """
    name = CustomField.__table__.c.name
    found: dict[str, str] = {}
    with ws.engine.connect() as conn:
        current = conn.execute(select(func.min(name))).scalar()
        while current is not None:
            found.setdefault(current.casefold(), current)
            current = conn.execute(select(func.min(name)).where(name > current)).scalar()
    return sorted(found.values(), key=str.casefold)


def custom_values(ws: Workspace, ids: Sequence[int], names: Sequence[str]) -> dict[int, dict[str, str]]:
    """For each of ``ids``, its values of the custom fields ``names`` as the list shows them.

    The value of a field is the one typed in by hand, else the one from the latest
    import that has it, then the latest record (as the customer's card shows it); names match ignoring case
    and the result is keyed by the spelling asked for.  Customers with none of
    the fields get an empty dict.  One query for all ``ids``: the rows on screen.
    """
    out: dict[int, dict[str, str]] = {int(i): {} for i in ids}
    wanted = {n.casefold(): n for n in names}
    if not out or not wanted:
        return out
    table, rec, batch = CustomField.__table__, SourceRecord.__table__, ImportBatch.__table__
    with ws.engine.connect() as conn:
        rows = conn.execute(
            select(rec.c.customer_id, table.c.name, table.c.type, table.c.value, table.c.number,
                   table.c.date)
            .join(rec, rec.c.id == table.c.record_id).join(batch, batch.c.id == rec.c.batch_id)
            .where(rec.c.customer_id.in_(list(out)))
            # A value typed in by hand comes before any file's, however late that file came (of
            # two typed in, the one typed last).
            .order_by(*hand_first(rec, table), rec.c.batch_id.desc(), rec.c.id.desc(), table.c.id)
        )
        for r in rows:
            key = wanted.get(r.name.casefold())
            if key is not None and key not in out[r.customer_id]:
                out[r.customer_id][key] = CustomValue(r.name, r.type, r.value, r.number, r.date,
                                                      "", 0, "").display()
    return out


CARD_FIELDS = ("display_name", "email", "phone", "address", "city", "postcode", "country", "birthday",
               "company", "channels", "orders", "spend_minor", "first_seen", "last_seen", "source_count")


def customer_cards(ws: Workspace, ids: Sequence[int]) -> dict[int, dict]:
    """Golden values of several customers side by side (for comparing a review pair)."""
    if not ids:
        return {}
    c = Customer.__table__
    cards: dict[int, dict] = {}
    with ws.engine.connect() as conn:
        # A few hundred ids at a time: a queue of 200,000 pairs names more customers than SQLite
        # takes values in one statement.
        for part in chunks(sorted(set(ids))):
            rows = conn.execute(select(c.c.id, *[c.c[f] for f in CARD_FIELDS]).where(c.c.id.in_(part)))
            cards.update((r.id, dict(r._mapping)) for r in rows)
        emails: dict[int, set[str]] = {i: set() for i in cards}
        phones: dict[int, set[str]] = {i: set() for i in cards}
        from omnidesk.core.models import Identifier, SourceRecord

        rec, ident = SourceRecord.__table__, Identifier.__table__
        for part in chunks(sorted(cards)):
            for cid, kind, value in conn.execute(
                select(rec.c.customer_id, ident.c.kind, ident.c.value)
                .join(rec, rec.c.id == ident.c.record_id).where(rec.c.customer_id.in_(part))
            ):
                target = emails if kind == "email" else phones if kind == "phone" else None
                if target is not None:
                    target[cid].add(value)
    for cid, card in cards.items():
        card["all_emails"] = sorted(emails[cid])
        card["all_phones"] = sorted(phones[cid])
    return cards


def display_names(ws: Workspace, ids: Sequence[int]) -> dict[int, str]:
    """The names the screens show for ``ids`` ("Customer #12" when a customer has none; absent ids are left out)."""
    if not ids:
        return {}
    c = Customer.__table__
    rows = []
    with ws.engine.connect() as conn:
        for part in chunks(sorted(set(ids))):
            rows.extend(conn.execute(select(c.c.id, c.c.display_name).where(c.c.id.in_(part))).all())
    return {cid: name or f"Customer #{cid}" for cid, name in rows}


def customer_fingerprints(ws: Workspace, ids: Sequence[int]) -> dict[int, str | None]:
    """For each id, a digest of which records make up that customer now (None: no such customer).

    Two readings agree exactly when the id still names the same person made of the
    same rows: an id given to someone else since, a customer merged away or split,
    or one whose import was taken back, all read differently.
    """
    if not ids:
        return {}
    with ws.engine.connect() as conn:
        return fingerprints_in(conn, ids)


def fingerprints_in(conn, ids: Sequence[int]) -> dict[int, str | None]:
    """:func:`customer_fingerprints` on an open connection (read inside a write, say)."""
    import hashlib

    from omnidesk.core.models import SourceRecord

    out: dict[int, str | None] = {int(i): None for i in ids}
    if not out:
        return out
    c, rec = Customer.__table__, SourceRecord.__table__
    hashes: dict[int, list[str]] = {}
    present: set[int] = set()
    for part in chunks(sorted(out)):
        present.update(conn.execute(select(c.c.id).where(c.c.id.in_(part))).scalars())
    for part in chunks(sorted(present)):
        for cid, row_hash, rid in conn.execute(select(rec.c.customer_id, rec.c.row_hash, rec.c.id)
                                               .where(rec.c.customer_id.in_(part))):
            hashes.setdefault(cid, []).append(f"{rid}:{row_hash}")
    for cid in present:
        out[cid] = hashlib.sha256("\n".join(sorted(hashes.get(cid, []))).encode()).hexdigest()
    return out
