"""Whole-table CSV exports: every source record, every customer."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from omnidesk.core.exporting.csvsafe import write_csv
from omnidesk.core.models import Customer, ImportBatch, SourceRecord
from omnidesk.core.workspace import Workspace

SOURCES_HEADER = ["source_file", "source_row", "channel", "customer_id", "batch_id", "kind",
                  "first_name", "last_name", "email", "phone", "flagged", "problems", "raw"]

CUSTOMERS_HEADER = ["id", "first_name", "last_name", "email", "phone", "address", "city",
                    "region", "postcode", "country", "company", "birthday", "consent_email",
                    "consent_sms", "consent_whatsapp", "channels", "tags", "orders", "lifetime_spend", "first_seen",
                    "last_seen", "source_records"]


def export_sources(ws: Workspace, out: Path, *, overwrite: bool = False) -> int:
    """One row per imported record (undone imports excluded), file order; returns rows written."""
    rec = SourceRecord.__table__
    batch = ImportBatch.__table__
    query = (
        select(batch.c.file_name, rec.c.record_no, rec.c.channel, rec.c.customer_id, rec.c.batch_id,
               rec.c.kind, rec.c.first_name, rec.c.last_name, rec.c.email, rec.c.phone,
               rec.c.flagged, rec.c.problems_json, rec.c.raw_json)
        .join(batch, batch.c.id == rec.c.batch_id)
        .order_by(rec.c.batch_id, rec.c.record_no)
    )

    def rows():
        with ws.engine.connect() as conn:
            for r in conn.execution_options(stream_results=True, yield_per=5000).execute(query):
                problems = "; ".join(json.loads(r.problems_json or "[]"))
                yield [r.file_name, r.record_no, r.channel, r.customer_id or "", r.batch_id, r.kind,
                       r.first_name, r.last_name, r.email or "", r.phone or "",
                       "yes" if r.flagged else "", problems, r.raw_json]

    return write_csv(out, SOURCES_HEADER, rows(), overwrite=overwrite)


def export_customers(ws: Workspace, out: Path, *, overwrite: bool = False) -> int:
    """One row per customer with the golden values and consent per channel; returns rows written."""
    c = Customer.__table__
    query = select(c).order_by(c.c.id)

    def rows():
        with ws.engine.connect() as conn:
            for r in conn.execution_options(stream_results=True, yield_per=5000).execute(query):
                spend = f"{r.spend_minor / 100:.2f}" if r.spend_minor is not None else ""
                yield [r.id, r.first_name, r.last_name, r.email or "", r.phone or "", r.address,
                       r.city, r.region, r.postcode, r.country, r.company, r.birthday or "",
                       r.consent_email or "", r.consent_sms or "", r.consent_whatsapp or "", r.channels, r.tags, r.orders,
                       spend, r.first_seen or "", r.last_seen or "", r.source_count]

    return write_csv(out, CUSTOMERS_HEADER, rows(), overwrite=overwrite)
