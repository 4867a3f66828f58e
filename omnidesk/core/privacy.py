"""A person's rights over their data: export everything about them, or erase them.

Erasing removes the customer, every source row, identifier, consent fact,
event, review and merge trace about them, and keeps only one-way hashes of
their emails, phones and external ids on a suppression list, so importing an
old export again cannot bring them back.  The hashes are salted per workspace,
so the list cannot be matched against another workspace's or a public list.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import secrets
import zipfile
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import delete, insert, or_, select
from sqlalchemy.engine import Connection

from omnidesk.core.dialect import unindex_customers
from omnidesk.core.errors import UserError
from omnidesk.core.identity.stats import forget_records
from omnidesk.core.models import (
    Consent,
    Customer,
    Event,
    Identifier,
    ImportBatch,
    MatchDecision,
    MatchReview,
    MergeLog,
    SourceRecord,
    Suppression,
    utcnow,
)
from omnidesk.core.workspace import Workspace

SALT_SETTING = "suppression_salt"


def workspace_salt(ws_or_conn) -> str:
    from omnidesk.core.models import Setting

    table = Setting.__table__
    if isinstance(ws_or_conn, Workspace):
        with ws_or_conn.engine.begin() as conn:
            return workspace_salt(conn)
    conn = ws_or_conn
    value = conn.execute(select(table.c.value).where(table.c.key == SALT_SETTING)).scalar()
    if value is None:
        value = json.dumps(secrets.token_hex(16))
        conn.execute(insert(table).values(key=SALT_SETTING, value=value))
    return json.loads(value)


def identifier_hash(salt: str, kind: str, value: str) -> str:
    return hashlib.sha256(f"{salt}\x1f{kind}\x1f{value}".encode()).hexdigest()


def suppressed_hashes(conn: Connection, salt: str, identifiers: Iterable[tuple[str, str]]) -> set[str]:
    """Which of these (kind, value) identifiers belong to an erased person."""
    wanted = {identifier_hash(salt, k, v): (k, v) for k, v in identifiers}
    if not wanted:
        return set()
    table = Suppression.__table__
    found: set[str] = set()
    keys = list(wanted)
    for i in range(0, len(keys), 900):
        found.update(conn.execute(select(table.c.hash).where(table.c.hash.in_(keys[i:i + 900]))).scalars())
    return found


def _customer_or_fail(conn: Connection, customer_id: int):
    row = conn.execute(select(Customer.__table__).where(Customer.__table__.c.id == customer_id)).mappings().first()
    if row is None:
        raise UserError(f"There is no customer {customer_id}.")
    return row


def collect_person(conn: Connection, customer_id: int) -> dict:
    """Everything the workspace holds about one customer, as plain data."""
    customer = dict(_customer_or_fail(conn, customer_id))
    rec, batch = SourceRecord.__table__, ImportBatch.__table__
    records = []
    for r in conn.execute(
        select(rec, batch.c.file_name, batch.c.header_json).join(batch, batch.c.id == rec.c.batch_id)
        .where(rec.c.customer_id == customer_id).order_by(rec.c.id)
    ).mappings():
        header = json.loads(r["header_json"])
        raw = json.loads(r["raw_json"])
        records.append({
            "record_id": r["id"], "source_file": r["file_name"], "source_row": r["record_no"],
            "channel": r["channel"], "kind": r["kind"],
            "raw": {header[i] if i < len(header) else f"extra {i - len(header) + 1}": v for i, v in enumerate(raw)},
            "problems": json.loads(r["problems_json"] or "[]"),
        })
    ids = [r["record_id"] for r in records]
    ident = Identifier.__table__
    identifiers = sorted({(k, v) for k, v in conn.execute(
        select(ident.c.kind, ident.c.value).where(ident.c.record_id.in_(ids)))}) if ids else []
    consent = Consent.__table__
    consents = [dict(r) for r in conn.execute(
        select(consent.c.channel, consent.c.status, consent.c.occurred_at, consent.c.record_id)
        .where(consent.c.customer_id == customer_id).order_by(consent.c.occurred_at)).mappings()]
    ev = Event.__table__
    events = [dict(r) for r in conn.execute(
        select(ev.c.occurred_at, ev.c.channel, ev.c.type, ev.c.summary, ev.c.amount_minor, ev.c.currency,
               ev.c.details_json, ev.c.record_id).where(ev.c.customer_id == customer_id)
        .order_by(ev.c.occurred_utc)).mappings()]
    for e in events:
        e["details"] = json.loads(e.pop("details_json") or "{}")
        e["amount"] = f"{e.pop('amount_minor') / 100:.2f}" if e.get("amount_minor") is not None else None
    customer.pop("pinned_json", None)
    return {"customer": customer, "identifiers": [{"kind": k, "value": v} for k, v in identifiers],
            "consents": consents, "events": events, "source_records": records,
            "exported_at": utcnow()}


def _csv_bytes(rows: list[dict]) -> bytes:
    buf = io.StringIO()
    if rows:
        writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
        writer.writeheader()
        for r in rows:
            writer.writerow({k: json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v
                             for k, v in r.items()})
    return buf.getvalue().encode("utf-8")


def export_person(ws: Workspace, customer_id: int, out: Path) -> Path:
    """Write a zip with ``person.json`` and CSVs of records, events and consent; returns its path."""
    with ws.engine.connect() as conn:
        data = collect_person(conn, customer_id)
    out = Path(out)
    tmp = out.with_name(out.name + ".part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("person.json", json.dumps(data, indent=2, ensure_ascii=False, default=str))
        z.writestr("source_records.csv", _csv_bytes(data["source_records"]))
        z.writestr("events.csv", _csv_bytes(data["events"]))
        z.writestr("consents.csv", _csv_bytes(data["consents"]))
        z.writestr("identifiers.csv", _csv_bytes(data["identifiers"]))
    tmp.replace(out)
    return out


def erase_person(ws: Workspace, customer_id: int) -> dict[str, int]:
    """Erase one customer everywhere, in one transaction; returns what was removed."""
    rec = SourceRecord.__table__
    with ws.engine.begin() as conn:
        _customer_or_fail(conn, customer_id)
        salt = workspace_salt(conn)
        ids = list(conn.execute(select(rec.c.id).where(rec.c.customer_id == customer_id)).scalars())
        hashes = list(conn.execute(select(rec.c.row_hash).where(rec.c.customer_id == customer_id)).scalars())
        ident = Identifier.__table__
        identifiers = set()
        for i in range(0, len(ids), 900):
            identifiers.update(conn.execute(
                select(ident.c.kind, ident.c.value).where(ident.c.record_id.in_(ids[i:i + 900]))).all())
        supp = Suppression.__table__
        known = suppressed_hashes(conn, salt, identifiers)
        new = [{"hash": identifier_hash(salt, k, v), "created_at": utcnow()} for k, v in sorted(identifiers)]
        new = [n for n in new if n["hash"] not in known]
        if new:
            conn.execute(insert(supp), new)
        removed = {"source_records": len(ids), "identifiers_suppressed": len(identifiers)}
        # A rare name counted once would say the person had been here.
        forget_records(conn, ids)
        for i in range(0, len(ids), 900):
            part = ids[i:i + 900]
            removed["events"] = removed.get("events", 0) + conn.execute(
                delete(Event.__table__).where(Event.__table__.c.record_id.in_(part))).rowcount
            conn.execute(delete(Consent.__table__).where(Consent.__table__.c.record_id.in_(part)))
            conn.execute(delete(ident).where(ident.c.record_id.in_(part)))
            conn.execute(delete(rec).where(rec.c.id.in_(part)))
        md = MatchDecision.__table__
        for i in range(0, len(hashes), 900):
            part = hashes[i:i + 900]
            conn.execute(delete(md).where(or_(md.c.left_hash.in_(part), md.c.right_hash.in_(part))))
        review = MatchReview.__table__
        conn.execute(delete(review).where(or_(review.c.left_id == customer_id, review.c.right_id == customer_id)))
        log = MergeLog.__table__
        # Merge traces hold copies of the person's old customer rows.
        conn.execute(delete(log).where(or_(log.c.survivor_id == customer_id, log.c.absorbed_id == customer_id)))
        unindex_customers(conn, [customer_id])
        conn.execute(delete(Customer.__table__).where(Customer.__table__.c.id == customer_id))
    return removed
