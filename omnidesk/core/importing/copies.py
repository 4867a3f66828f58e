"""The same file imported again: a copy on record that adds nothing, and takes over when needed.

A file whose bytes an import still kept already holds, imported as the same
channel and kind, adds no row (each of its rows would be that import's row
again).  Imported as another channel (a shop's list given again as the
newsletter's) or kind, it is no copy: it is read as that channel's file, and its
rows are that channel's records of the people they name.  It is still an import the user made,
so it is kept in the list: a batch of its own, marked as a copy of the import
that holds the rows (``options_json["copy_of"]``), with no record of its own.

Undoing the import that holds the rows while a copy of it is still kept would
take away what the copy's file says (an opt-out among it) although the user
kept that file.  So the rows are handed over instead (:func:`hand_over`): they
become the earliest remaining copy's, under its file name and time, as if that
import had read them itself, and nothing is removed.  Undoing the copy then
removes them for real.  Undoing a copy while the import holding the rows stays
removes nothing but the copy's entry.
"""

from __future__ import annotations

import json

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from omnidesk.core.identity.merge import merges_of_batch
from omnidesk.core.importing.supersede import forget_products, hand_on_replacements, json_object
from omnidesk.core.metrics_index import forget_batch
from omnidesk.core.models import HAND_KIND, Event, ImportBatch, MergeLog, SourceRecord, utcnow

COPY_OF = "copy_of"
# On an import undone while a copy of its file was kept: the copy its rows were handed to.
HANDED_TO = "handed_to"
# What the copy takes over from the import whose rows it now holds: how those rows were read
# (an error report written again needs the header; the flagged rows, the counts).  Its own file
# name, size and time stay: that is the file the user kept.
_HOW_READ = ("channel", "kind", "preset", "encoding", "delimiter", "header_json", "mapping_json",
             "options_json", "rows", "imported", "flagged", "duplicates", "events", "customers_created")
# Who ran the holder's import (see ``running.announce``): not who recorded the copy.
_RUNNER = ("by", "pid", "host")


def holder_of(conn: Connection, file_hash: str, channel: str, kind: str) -> int | None:
    """The import that holds the rows of the file with these bytes, imported as this channel and
    kind: the earliest kept (done) one."""
    batch = ImportBatch.__table__
    return conn.execute(select(func.min(batch.c.id)).where(
        batch.c.file_hash == file_hash, batch.c.channel == channel, batch.c.kind == kind,
        batch.c.status == "done", batch.c.kind != HAND_KIND)).scalar()


def copy_of(options_json: str | None) -> int | None:
    """The import a batch (its ``options_json``) is a copy of; None for an import that read its rows."""
    held = json_object(options_json).get(COPY_OF)
    return held if isinstance(held, int) else None


def copies_of(conn: Connection, batch_id: int) -> list[int]:
    """The kept (done) imports recorded as copies of import ``batch_id``, oldest first."""
    batch = ImportBatch.__table__
    return [bid for bid, options in conn.execute(
        select(batch.c.id, batch.c.options_json)
        .where(batch.c.status == "done", batch.c.id != batch_id, batch.c.options_json.like(f'%"{COPY_OF}"%'))
        .order_by(batch.c.id)) if copy_of(options) == batch_id]


def rows_now_in(conn: Connection, batch_id: int) -> int | None:
    """The kept import that holds the rows import ``batch_id`` read, when they were handed over to
    a copy of its file as it was undone (and maybe on again, as that copy was): None when
    ``batch_id`` was not undone so, or its rows went with the last copy undone."""
    batch = ImportBatch.__table__
    return rows_followed(batch_id, lambda bid: conn.execute(
        select(batch.c.status, batch.c.options_json).where(batch.c.id == bid)).first())


def rows_followed(batch_id: int, look) -> int | None:
    """:func:`rows_now_in`, with ``look(id)`` giving an import's (status, options_json), None for none."""
    seen = {batch_id}
    while True:
        row = look(batch_id)
        if row is None:
            return None
        status, options_json = row
        if status == "done" and len(seen) > 1:
            return batch_id
        heir = json_object(options_json).get(HANDED_TO) if status == "undone" else None
        if not isinstance(heir, int) or heir in seen:
            return None
        seen.add(heir)
        batch_id = heir


def record_copy(conn: Connection, holder: int, file_name: str, file_size: int, rows: int, *,
                duplicates: int | None = None) -> int:
    """Record a file with the bytes import ``holder`` read as a copy of it; returns the copy's id.

    It is read as the holder read it (its rows are the holder's), adds none of them
    (each is counted a duplicate, but for the rows of people erased since: ``duplicates``
    counts the others), and keeps its own name and time."""
    batch = ImportBatch.__table__
    how = dict(conn.execute(select(*(batch.c[name] for name in _HOW_READ[:8]), batch.c.file_hash)
                            .where(batch.c.id == holder)).mappings().one())
    options = {k: v for k, v in json_object(how.pop("options_json")).items() if k not in _RUNNER}
    options[COPY_OF] = holder
    now = utcnow()
    return conn.execute(insert(batch).values(
        **how, options_json=json.dumps(options),
        file_name=file_name, file_size=file_size, status="done", started_at=now, finished_at=now,
        rows=rows, imported=0, flagged=0, duplicates=rows if duplicates is None else duplicates, events=0,
        customers_created=0,
    )).inserted_primary_key[0]


def hand_over(conn: Connection, batch_id: int, heir: int) -> set[int]:
    """Make every row of import ``batch_id`` import ``heir``'s (a copy of it), before ``batch_id``
    is marked undone; returns the customers whose records moved.

    Its records (with their identifiers, consent and fields, which stay on them), its
    events, the merges it brought about and the rows it replaced all become the heir's, so
    that undoing the heir later takes them away as undoing ``batch_id`` would have.  The
    other copies of ``batch_id`` become copies of the heir.  Call it inside the undo's
    transaction.
    """
    rec, ev, batch, log = SourceRecord.__table__, Event.__table__, ImportBatch.__table__, MergeLog.__table__
    touched = set(conn.execute(select(rec.c.customer_id).where(
        rec.c.batch_id == batch_id, rec.c.customer_id.is_not(None)).distinct()).scalars())
    # The summaries and the product index are made per import: made again for the heir on first use.
    forget_batch(conn, batch_id)
    forget_batch(conn, heir)
    forget_products(conn, (batch_id, heir))
    for log_id, _kind, _moved in merges_of_batch(conn, batch_id):
        saved = json_object(conn.execute(select(log.c.absorbed_json).where(log.c.id == log_id)).scalar())
        saved["_undo"] = {**saved.get("_undo", {}), "batch_id": heir}
        conn.execute(update(log).where(log.c.id == log_id).values(absorbed_json=json.dumps(saved)))
    hand_on_replacements(conn, batch_id, heir)
    conn.execute(update(rec).where(rec.c.batch_id == batch_id).values(batch_id=heir))
    conn.execute(update(ev).where(ev.c.batch_id == batch_id).values(batch_id=heir))
    how = conn.execute(select(*(batch.c[name] for name in _HOW_READ)).where(batch.c.id == batch_id)).mappings().one()
    options = json_object(how["options_json"])
    options.pop(COPY_OF, None)
    conn.execute(update(batch).where(batch.c.id == heir).values(**{**how, "options_json": json.dumps(options)}))
    for other in copies_of(conn, batch_id):
        options = json_object(conn.execute(select(batch.c.options_json).where(batch.c.id == other)).scalar())
        options[COPY_OF] = heir
        conn.execute(update(batch).where(batch.c.id == other).values(options_json=json.dumps(options)))
    # Asked for by its own number later (its error report), the import says where its rows went.
    options = json_object(how["options_json"])
    options[HANDED_TO] = heir
    conn.execute(update(batch).where(batch.c.id == batch_id).values(options_json=json.dumps(options)))
    return touched
