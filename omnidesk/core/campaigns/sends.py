"""Send records outlive the source record they are kept against, as long as the person does.

An export keeps each send against one record of the customer (:func:`anchor_records`: the one
holding the address the pack wrote for them), because customer ids change with merges and rebuilds
while records stay: the send goes wherever that record goes, so splitting a merged customer takes
the message along with the person it reached, and the caps count it for them.  A record goes
when the import that brought it is undone, or when its person is erased; the database
would take its sends with it (``ON DELETE CASCADE``), and frequency caps and campaign
results would forget messages that really went out.  So whatever deletes records calls
:func:`keep_sends` first, in its own transaction: each send moves onto another record of
the same customer.  Only when the customer has no other record left (the person is gone,
or erased at their request) do their sends go with the record.

An erased person's row stays in a pack exported before, though: the file is the user's.  So
erasing first notes, on each step whose pack holds them, when their send is due
(:func:`note_erased_sends`), and nothing else of theirs: the check names a pack still to go that
holds someone erased, and the step's exported count stays what its pack was made for.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection

from omnidesk.core.contact import mailbox_key
from omnidesk.core.models import CampaignStep, Customer, Identifier, SendRecord, SourceRecord

_IN = 900


def anchor_records(conn: Connection, customer_ids: Sequence[int], channel: str) -> dict[int, int]:
    """Customer -> the record a send of ``channel`` to them is kept against.

    That is the record holding the address the step's pack writes for them (their email for an
    email, their number for a text): a customer merged by mistake and split again keeps the send
    with the person whose mailbox or phone it went to.  An email is found as written, else by its
    mailbox (``Bob.Smith+news@gmail.com`` is ``bobsmith@gmail.com``); of several records holding it,
    the oldest.  A customer no record gives that address (typed on the card alone, or none: a
    baseline row of a step without one) keeps it against their oldest record.
    """
    field = "email" if channel == "email" else "phone"
    rec, cust, ident = SourceRecord.__table__, Customer.__table__, Identifier.__table__
    ids = sorted(set(customer_ids))

    def key(value: str) -> str:
        return mailbox_key(value) if field == "email" else value

    out: dict[int, int] = {}
    for i in range(0, len(ids), _IN):
        part = ids[i:i + _IN]
        address = {cid: key(v) for cid, v in conn.execute(
            select(cust.c.id, cust.c[field]).where(cust.c.id.in_(part), cust.c[field].is_not(None))) if v}
        oldest: dict[int, int] = {}
        for cid, rid, value in conn.execute(select(rec.c.customer_id, rec.c.id, rec.c[field])
                                            .where(rec.c.customer_id.in_(part)).order_by(rec.c.id)):
            oldest.setdefault(cid, rid)
            if cid not in out and value and cid in address and key(value) == address[cid]:
                out[cid] = rid
        # A record's other addresses (a second email column) are in the identifier table.
        rest = [cid for cid in part if cid not in out and cid in address]
        if rest:
            for cid, rid, value in conn.execute(
                    select(rec.c.customer_id, rec.c.id, ident.c.value).join(ident, ident.c.record_id == rec.c.id)
                    .where(rec.c.customer_id.in_(rest), ident.c.kind == field).order_by(rec.c.id)):
                if cid not in out and value and key(value) == address[cid]:
                    out[cid] = rid
        for cid, rid in oldest.items():
            out.setdefault(cid, rid)
    return out


def keep_sends(conn: Connection, doomed: Sequence[int]) -> int:
    """Move the sends kept against the records ``doomed`` (about to be deleted) onto another record
    of the same customer, the oldest one staying; returns how many sends moved.

    Call it after any change of which customer holds which record (merges split again) and
    before the records are deleted, inside the same transaction.
    """
    sr, rec = SendRecord.__table__, SourceRecord.__table__
    gone = set(doomed)
    ids = sorted(gone)
    holders: dict[int, int] = {}  # doomed record with sends -> its customer
    for i in range(0, len(ids), _IN):
        part = ids[i:i + _IN]
        holders.update(conn.execute(
            select(rec.c.id, rec.c.customer_id).where(rec.c.id.in_(part), rec.c.customer_id.is_not(None),
                                                       rec.c.id.in_(select(sr.c.record_id).where(
                                                           sr.c.record_id.in_(part))))).all())
    if not holders:
        return 0
    customers = sorted(set(holders.values()))
    heir: dict[int, int] = {}  # customer -> the oldest record they keep
    for i in range(0, len(customers), _IN):
        for rid, cid in conn.execute(select(rec.c.id, rec.c.customer_id)
                                     .where(rec.c.customer_id.in_(customers[i:i + _IN])).order_by(rec.c.id)):
            if rid not in gone and cid not in heir:
                heir[cid] = rid
    moved = 0
    for rid, cid in holders.items():
        if cid in heir:
            moved += conn.execute(update(sr).where(sr.c.record_id == rid).values(record_id=heir[cid])).rowcount
    return moved


def erased_times(value: str | None) -> list[str]:
    """A step's ``erased_sends`` read: the send times (UTC, ISO) of its pack's rows of people erased since."""
    return list(json.loads(value)) if value else []


def note_erased_sends(conn: Connection, doomed: Sequence[int]) -> int:
    """Before a person's records ``doomed`` are erased with the sends kept against them: note on
    each step whose pack holds them (a send of the step's own channel) the time that send is due,
    in ``campaign_step.erased_sends``; returns how many were noted.

    Only the time: no address, name or hash of theirs is kept, and nothing that says who it was.
    Call it after :func:`keep_sends` (the sends left on ``doomed`` are those that go), in the
    erasure's transaction.
    """
    sr, st = SendRecord.__table__, CampaignStep.__table__
    ids = sorted(set(doomed))
    times: dict[int, list[str]] = {}
    for i in range(0, len(ids), _IN):
        # One row a step per person: two records of theirs in one pack are one message.
        for step_id, when in conn.execute(
                select(sr.c.step_id, func.min(sr.c.send_utc)).join(st, st.c.id == sr.c.step_id)
                .where(sr.c.record_id.in_(ids[i:i + _IN]), sr.c.channel == st.c.channel).group_by(sr.c.step_id)):
            times.setdefault(step_id, []).append(when)
    for step_id, when in times.items():
        before = erased_times(conn.execute(select(st.c.erased_sends).where(st.c.id == step_id)).scalar())
        conn.execute(update(st).where(st.c.id == step_id).values(erased_sends=json.dumps(sorted(before + when))))
    return sum(len(w) for w in times.values())
