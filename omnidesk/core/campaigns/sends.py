"""Send records outlive the source record they are kept against, as long as the person does.

An export keeps each send against one record of the customer (export._anchors: the oldest),
because customer ids change with merges and rebuilds while records stay.  A record goes
when the import that brought it is undone, or when its person is erased; the database
would take its sends with it (``ON DELETE CASCADE``), and frequency caps and campaign
results would forget messages that really went out.  So whatever deletes records calls
:func:`keep_sends` first, in its own transaction: each send moves onto another record of
the same customer.  Only when the customer has no other record left (the person is gone,
or erased at their request) do their sends go with the record.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from omnidesk.core.models import SendRecord, SourceRecord

_IN = 900


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
