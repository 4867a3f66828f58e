"""Rows an earlier file already held, word for word: further sightings of the same person.

Two exports that overlap (a newsletter list exported in March and again in
June) repeat rows exactly.  Each repeated row is still a fact of its own — this
file, this row, this channel, on that day — so it is stored like any other,
with its identifiers and consent.  It is placed on the customer of the earlier
identical row without being scored again (identical rows are one person by
definition, however thin the row), and the events it names (an order, a form
sent) are that earlier row's, already recorded once.

A row repeated within one file is not a sighting of an earlier file: it is
imported as any other row, as it always was.  The same file imported again
(the same bytes) is recognised before any row is read, and adds nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from omnidesk.core.importing.result import ImportResult
from omnidesk.core.importing.rows import Row
from omnidesk.core.models import SourceRecord


def earlier_rows(conn: Connection, hashes: Sequence[str], batch_id: int) -> dict[str, int]:
    """Row hash -> the first record of another import with that hash (skipped rows aside).

    A row hash covers the channel, the header and every cell, so only a row of
    the same channel, read under the same columns, can match.  The earlier
    record may be on no customer (an email open from an address a family
    shares): the row seen again then stays on none either, and its event is
    still not recorded twice.
    """
    rec = SourceRecord.__table__
    wanted = sorted(set(hashes))
    out: dict[str, int] = {}
    for start in range(0, len(wanted), 900):
        out.update(conn.execute(
            select(rec.c.row_hash, func.min(rec.c.id))
            .where(rec.c.row_hash.in_(wanted[start:start + 900]), rec.c.batch_id != batch_id,
                   rec.c.kind != "skipped")
            .group_by(rec.c.row_hash)
        ).all())
    return out


def follow_earlier_rows(ids: list[int], keep: list[tuple[Row, str]], seen: dict[str, int],
                        result: ImportResult) -> tuple[list[int], list[tuple[Row, str]]]:
    """Let the rows seen before follow their earlier record; return the other, new rows.

    Each row seen before becomes a follower of the earlier record (placed on
    its customer by the resolver) and is counted in ``result.seen_before``.
    """
    if not seen:
        return ids, keep
    new_ids, new = [], []
    for rid, pair in zip(ids, keep):
        lead = seen.get(pair[1])
        if lead is None:
            new_ids.append(rid)
            new.append(pair)
        else:
            result.followers[rid] = lead
            result.seen_before += 1
    return new_ids, new
