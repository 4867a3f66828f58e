"""Customers known by no name whose only link to anyone is an email or phone several customers hold.

A shop's landline typed for sixteen customers, or a family's mailbox, says where, not who: a record
with nothing but that number (an SMS list's subscriber, an opt-out) cannot be given to one of its
holders, so it stays a customer of its own.  Said so, an import's count of new customers (one more
than its rows, say) and the card of such a customer are explained.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.engine import Connection

from omnidesk.core.identity.profiles import chunks
from omnidesk.core.models import Customer, Identifier, MatchReview, SourceRecord
from omnidesk.core.text import counted

MIN_OTHER_HOLDERS = 2  # one other holder takes such a record (it is theirs); two or more cannot


@dataclass(frozen=True)
class SharedOnly:
    """A customer with no name whose every email and phone other customers hold too."""

    customer_id: int
    kind: str  # "phone" or "email": what it shares (a phone first when it shares both)
    held_by: int  # how many other customers hold it (the fewest, when it shares several)
    records: int  # its records


def _nameless(conn: Connection, ids: Iterable[int] | None, above: int | None) -> list[int]:
    cust = Customer.__table__
    nameless = and_(cust.c.first_name == "", cust.c.last_name == "", cust.c.full_name == "", cust.c.company == "")
    if above is not None:
        return list(conn.execute(select(cust.c.id).where(cust.c.id > above, nameless).order_by(cust.c.id)).scalars())
    out: list[int] = []
    for part in chunks(sorted(set(ids or ()))):
        out.extend(conn.execute(select(cust.c.id).where(cust.c.id.in_(part), nameless)).scalars())
    return sorted(out)


def _held_thrice(conn: Connection, above: int) -> set[int]:
    """The customers above ``above`` each of whose emails and phones three identifiers or more hold.

    Its own and two other customers' at least: what :func:`shared_only` asks, before it counts the
    holders one by one.  One lookup per value in the identifier indexes, so an SMS list of fifty
    thousand numbers of their own is let go at once instead of read back row by row.
    """
    key = "coalesce(nullif(i.mailbox, ''), i.value)"  # as shared_only keys a value: its mailbox, else itself
    # Two lookups, each down its own index (an OR of the two would read every identifier of the kind);
    # the unary plus keeps SQLite off the kind index where it would be the wrong one.
    return set(conn.exec_driver_sql(
        "SELECT r.customer_id FROM source_record r JOIN identifier i ON i.record_id = r.id "
        "WHERE r.customer_id > ? AND +i.kind IN ('email', 'phone') GROUP BY r.customer_id "
        f"HAVING min((SELECT count(*) FROM identifier j WHERE j.kind = i.kind AND j.value = {key}) "
        f"+ (SELECT count(*) FROM identifier j WHERE j.mailbox = {key} AND +j.kind = i.kind "
        f"AND j.value != {key})) >= 3",
        (above,)).scalars())


def shared_only(conn: Connection, ids: Iterable[int] | None = None, *, above: int | None = None
                ) -> list[SharedOnly]:
    """Of the customers ``ids`` (or every customer with an id above ``above``: those an import made),
    those with no name whose every email and phone at least two other customers hold, and that wait
    in Review with nobody (a pair asked about is told as such)."""
    candidates = _nameless(conn, ids, above)
    if candidates and above is not None:  # an import's new customers: most hold a number of their own
        candidates = sorted(set(candidates) & _held_thrice(conn, above))
    if not candidates:
        return []
    review, rec, ident = MatchReview.__table__, SourceRecord.__table__, Identifier.__table__
    asked: set[int] = set()
    for part in chunks(candidates):
        for left, right in conn.execute(select(review.c.left_id, review.c.right_id).where(
                review.c.status == "pending", or_(review.c.left_id.in_(part), review.c.right_id.in_(part)))):
            asked.update((left, right))
    candidates = [c for c in candidates if c not in asked]
    values: dict[int, set[tuple[str, str]]] = defaultdict(set)  # customer -> (kind, value or mailbox)
    records: dict[int, set[int]] = defaultdict(set)
    for part in chunks(candidates):
        for cid, rid, kind, value, mailbox in conn.execute(
                select(rec.c.customer_id, rec.c.id, ident.c.kind, ident.c.value, ident.c.mailbox)
                .join(ident, ident.c.record_id == rec.c.id, isouter=True)
                .where(rec.c.customer_id.in_(part))):
            records[cid].add(rid)
            if kind in ("email", "phone"):
                values[cid].add((kind, mailbox or value))
    wanted = sorted({v for vs in values.values() for v in vs})
    holders: dict[tuple[str, str], set[int]] = defaultdict(set)
    for kind in ("email", "phone"):
        mine = [v for k, v in wanted if k == kind]
        for part in chunks(mine):
            query = (select(ident.c.value, ident.c.mailbox, rec.c.customer_id)
                     .join(rec, rec.c.id == ident.c.record_id)
                     .where(ident.c.kind == kind, rec.c.customer_id.is_not(None)))
            found = conn.execute(query.where(ident.c.value.in_(part))).all()
            if kind == "email":  # an address written another way than its mailbox
                found += conn.execute(query.where(ident.c.mailbox.in_(part))).all()
            for value, mailbox, cid in found:
                holders[(kind, mailbox or value)].add(cid)
    out = []
    for cid in candidates:
        held = sorted(values.get(cid, ()), key=lambda v: (v[0] != "phone", v[1]))
        others = [len(holders[v] - {cid}) for v in held]
        if held and min(others) >= MIN_OTHER_HOLDERS:
            out.append(SharedOnly(cid, held[0][0], min(others), len(records[cid])))
    return out


def _thing(kinds: set[str]) -> str:
    if kinds == {"phone"}:
        return "a phone number"
    if kinds == {"email"}:
        return "an email address"
    return "a phone number or email address"


WHY = "a number or address several customers give does not say whose it is"


def import_note(found: list[SharedOnly]) -> str | None:
    """"1 record with no name shares only a phone number held by 16 other customers: kept as a
    customer of its own, …": what an import says of the customers :func:`shared_only` found."""
    if not found:
        return None
    records = sum(s.records for s in found)
    customers = len(found)
    low, high = min(s.held_by for s in found), max(s.held_by for s in found)
    held = f"{high:,}" if low == high else f"{low:,} to {high:,}"
    if records == 1:
        kept = "kept as a customer of its own"
    elif customers == records:
        kept = "each kept as a customer of its own"
    else:
        kept = f"kept as {counted(customers, 'customer')} of their own"
    return (f"{counted(records, 'record')} with no name {'shares' if records == 1 else 'share'} only "
            f"{_thing({s.kind for s in found})} held by {held} other customers: {kept}, since {WHY}.")


def card_note(found: SharedOnly) -> str:
    """What ``customer why`` says of such a customer."""
    return (f"Kept as a customer of its own: it has no name, and all it shares with others is "
            f"{_thing({found.kind})} that {counted(found.held_by, 'other customer')} hold; {WHY}.")
