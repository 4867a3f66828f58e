"""Where a customer's identifiers and candidate values come from: read-only queries for the card.

Every email, phone and external id of the customer's records, each with the
file, row and channel it was read from; the values a field could be pinned to,
each with every record carrying it; and the pins the user set.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import case, select

from omnidesk.core.errors import UserError
from omnidesk.core.identity.merge import PINNABLE
from omnidesk.core.models import Customer, Identifier, ImportBatch, SourceRecord
from omnidesk.core.profile import ValueSource
from omnidesk.core.workspace import Workspace

IDENTIFIER_KINDS = ("email", "phone", "external")


@dataclass(frozen=True)
class IdentifierSource:
    """One identifier (email, phone or external id) as one source record carries it."""

    kind: str  # email | phone | external ("<channel>:<id>")
    value: str
    source: ValueSource


@dataclass(frozen=True)
class PinCandidate:
    """A value a customer's records carry for one field, with every record carrying it.

    ``sources`` come in the order survivorship walks records (contacts first, latest
    import first), so the first is the one the card would cite.
    """

    value: str
    sources: tuple[ValueSource, ...]


def identifier_sources(ws: Workspace, customer_id: int) -> list[IdentifierSource]:
    """Every identifier of the customer's source records: emails, then phones, then external ids.

    Within a kind, identifiers come in the order they were first imported; each one is listed
    once per record that carries it.
    """
    ident = Identifier.__table__
    rec = SourceRecord.__table__
    batch = ImportBatch.__table__
    with ws.engine.connect() as conn:
        rows = conn.execute(
            select(ident.c.kind, ident.c.value, batch.c.file_name, rec.c.record_no, rec.c.channel)
            .join(rec, rec.c.id == ident.c.record_id)
            .join(batch, batch.c.id == rec.c.batch_id)
            .where(rec.c.customer_id == customer_id, ident.c.kind.in_(IDENTIFIER_KINDS))
            .order_by(rec.c.batch_id, rec.c.record_no, ident.c.id)
        ).all()
    rank = {k: i for i, k in enumerate(IDENTIFIER_KINDS)}
    out = [IdentifierSource(r.kind, r.value, ValueSource(r.value, r.file_name, r.record_no, r.channel))
           for r in rows]
    out.sort(key=lambda x: rank.get(x.kind, len(rank)))  # stable: import order within a kind
    return out


def pin_candidates(ws: Workspace, customer_id: int, field: str) -> list[PinCandidate]:
    """The distinct values the customer's records carry for ``field``, each with its records.

    Emails and phones include every one a record carries (a record may have several).
    """
    if field not in PINNABLE:
        raise UserError(f"'{field}' cannot be pinned.")
    rec = SourceRecord.__table__
    batch = ImportBatch.__table__
    ranking = (case((rec.c.kind == "contacts", 0), else_=1), rec.c.id.desc())
    with ws.engine.connect() as conn:
        rows = conn.execute(
            select(rec.c[field], batch.c.file_name, rec.c.record_no, rec.c.channel, rec.c.id)
            .join(batch, batch.c.id == rec.c.batch_id)
            .where(rec.c.customer_id == customer_id, rec.c[field].is_not(None), rec.c[field] != "")
            .order_by(*ranking)
        ).all()
        found = [(r[0], r[4], ValueSource(r[0], r.file_name, r.record_no, r.channel)) for r in rows]
        if field in ("email", "phone"):
            ident = Identifier.__table__
            found += [(r.value, r.id, ValueSource(r.value, r.file_name, r.record_no, r.channel))
                      for r in conn.execute(
                          select(ident.c.value, batch.c.file_name, rec.c.record_no, rec.c.channel, rec.c.id)
                          .join(rec, rec.c.id == ident.c.record_id)
                          .join(batch, batch.c.id == rec.c.batch_id)
                          .where(rec.c.customer_id == customer_id, ident.c.kind == field)
                          .order_by(*ranking))]
    grouped: dict[str, list[ValueSource]] = {}
    seen: set[tuple[str, int]] = set()
    for value, record_id, source in found:
        if (value, record_id) not in seen:
            seen.add((value, record_id))
            grouped.setdefault(value, []).append(source)
    return [PinCandidate(value, tuple(sources)) for value, sources in grouped.items()]


def pinned_values(ws: Workspace, customer_id: int) -> dict[str, str]:
    """The fields the user pinned on this customer, and their values."""
    cust = Customer.__table__
    with ws.engine.connect() as conn:
        raw = conn.execute(select(cust.c.pinned_json).where(cust.c.id == customer_id)).scalar()
    return pins_in(raw)


def pins_in(raw: str | None) -> dict[str, str]:
    """The pinned fields and values a customer's ``pinned_json`` holds (nothing, when unreadable)."""
    try:
        pins = json.loads(raw or "{}")
    except ValueError:
        return {}
    return {k: str(v) for k, v in pins.items() if k in PINNABLE and v is not None} if isinstance(pins, dict) else {}
