"""Import batches: listing them and undoing one."""

from __future__ import annotations

from sqlalchemy import delete, select, update

from omnidesk.core.errors import UserError
from omnidesk.core.identity.golden import refresh_customers
from omnidesk.core.identity.merge import merges_of_batch, undo_log_in
from omnidesk.core.identity.stats import forget_records
from omnidesk.core.models import Consent, CustomField, Event, Identifier, ImportBatch, SourceRecord, utcnow
from omnidesk.core.workspace import Workspace

_BATCH_FIELDS = ("id", "file_name", "channel", "kind", "preset", "status", "started_at",
                 "finished_at", "rows", "imported", "flagged", "duplicates", "events",
                 "customers_created", "encoding")


def list_batches(ws: Workspace) -> list[dict]:
    """Every import batch, newest first, as plain dicts."""
    table = ImportBatch.__table__
    with ws.engine.connect() as conn:
        rows = conn.execute(select(table).order_by(table.c.id.desc())).mappings().all()
    return [{k: row[k] for k in _BATCH_FIELDS} for row in rows]


def undo_batch(ws: Workspace, batch_id: int) -> dict[str, int]:
    """Remove exactly what batch ``batch_id`` added, in one transaction.

    Its source records, identifiers, consent facts, custom fields and events go; customers
    that were made only of those records go too; customers its records
    merged (a row carrying one customer's email and another's phone) are split
    again; every other customer it touched gets its golden record rebuilt from
    what remains.  The batch stays
    in the list, marked "undone", so the history is honest; the same file can
    be imported again afterwards.
    """
    batch_t = ImportBatch.__table__
    rec = SourceRecord.__table__
    with ws.engine.begin() as conn:
        status = conn.execute(select(batch_t.c.status).where(batch_t.c.id == batch_id)).scalar()
        if status is None:
            raise UserError(f"There is no import {batch_id}.")
        if status != "done":
            raise UserError(f"Import {batch_id} is {status}; only a finished import can be undone.")
        in_batch = select(rec.c.id).where(rec.c.batch_id == batch_id)
        split = merges_of_batch(conn, batch_id)
        for log_id in split:  # newest first, each undone as it was made
            undo_log_in(conn, log_id, new_id_if_taken=True)
        touched = set(conn.execute(
            select(rec.c.customer_id).where(rec.c.batch_id == batch_id, rec.c.customer_id.is_not(None))
            .distinct()
        ).scalars())
        events = conn.execute(delete(Event.__table__).where(Event.__table__.c.batch_id == batch_id)).rowcount
        conn.execute(delete(Consent.__table__).where(Consent.__table__.c.record_id.in_(in_batch)))
        conn.execute(delete(Identifier.__table__).where(Identifier.__table__.c.record_id.in_(in_batch)))
        conn.execute(delete(CustomField.__table__).where(CustomField.__table__.c.record_id.in_(in_batch)))
        forget_records(conn, conn.execute(in_batch).scalars().all())
        records = conn.execute(delete(rec).where(rec.c.batch_id == batch_id)).rowcount
        removed_customers = refresh_customers(conn, touched)
        conn.execute(update(batch_t).where(batch_t.c.id == batch_id).values(status="undone", finished_at=utcnow()))
    return {"source_records": records, "events": events, "customers": removed_customers,
            "merges_undone": len(split)}
