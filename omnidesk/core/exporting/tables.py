"""Whole-table CSV exports: every source record, every customer."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from omnidesk.core import segments
from omnidesk.core.campaigns.guards import address_column, held_refusals
from omnidesk.core.campaigns.held import HELD
from omnidesk.core.customers import custom_field_names, custom_values
from omnidesk.core.errors import UserError
from omnidesk.core.exporting.csvsafe import write_csv
from omnidesk.core.models import Customer, ImportBatch, SourceRecord
from omnidesk.core.money import format_money
from omnidesk.core.tasks import CancelCheck, Cancelled, never_cancelled
from omnidesk.core.timeline import workspace_zone
from omnidesk.core.timeutil import local_instant
from omnidesk.core.workspace import Workspace

SOURCES_HEADER = ["source_file", "source_row", "channel", "customer_id", "batch_id", "kind",
                  "first_name", "last_name", "first_name_reading", "last_name_reading", "email", "phone",
                  "flagged", "problems", "raw", "record_id"]  # record_id: what `omnidesk unmerge` takes

CUSTOMERS_HEADER = ["id", "first_name", "last_name", "email", "phone", "address", "city",
                    "region", "postcode", "country", "company", "birthday", "consent_email",
                    "consent_sms", "consent_whatsapp", "channels", "tags", "orders", "lifetime_spend", "first_seen",
                    "last_seen", "source_records"]


def export_sources(ws: Workspace, out: Path, *, overwrite: bool = False) -> int:
    """One row per imported record (undone imports excluded), file order; returns rows written."""
    rec = SourceRecord.__table__
    batch = ImportBatch.__table__
    query = (
        select(rec.c.id, batch.c.file_name, rec.c.record_no, rec.c.channel, rec.c.customer_id, rec.c.batch_id,
               rec.c.kind, rec.c.first_name, rec.c.last_name, rec.c.first_name_reading, rec.c.last_name_reading,
               rec.c.email, rec.c.phone,
               rec.c.flagged, rec.c.problems_json, rec.c.raw_json)
        .join(batch, batch.c.id == rec.c.batch_id)
        .order_by(rec.c.batch_id, rec.c.record_no)
    )

    def rows():
        with ws.engine.connect() as conn:
            for r in conn.execution_options(stream_results=True, yield_per=5000).execute(query):
                problems = "; ".join(json.loads(r.problems_json or "[]"))
                yield [r.file_name, r.record_no, r.channel, r.customer_id or "", r.batch_id, r.kind,
                       r.first_name, r.last_name, r.first_name_reading, r.last_name_reading, r.email or "",
                       r.phone or "",
                       "yes" if r.flagged else "", problems, r.raw_json, r.id]

    return write_csv(out, SOURCES_HEADER, rows(), overwrite=overwrite)


# Column -> how a customer row gives it (a plain column name, or a function of the row).
_CUSTOMER_COLUMNS = {
    "id": "id", "first_name": "first_name", "last_name": "last_name",
    "email": lambda r: r.email or "", "phone": lambda r: r.phone or "", "address": "address", "city": "city",
    "region": "region", "postcode": "postcode", "country": "country", "company": "company",
    "birthday": lambda r: r.birthday or "", "consent_email": lambda r: r.consent_email or "",  # see _CONSENT
    "consent_sms": lambda r: r.consent_sms or "", "consent_whatsapp": lambda r: r.consent_whatsapp or "",
    "channels": "channels", "tags": "tags", "orders": "orders",
    "lifetime_spend": lambda r: format_money(r.spend_minor, grouped=False),
    "first_seen": "first_seen", "last_seen": "last_seen",  # on the shop's clock: see export_customers
    "source_records": "source_count", "full_name": "full_name", "name": "display_name",
}
assert set(CUSTOMERS_HEADER) <= set(_CUSTOMER_COLUMNS)
CUSTOMER_COLUMNS = tuple(_CUSTOMER_COLUMNS)
# The consent columns: what applies to sending to the row's address on the channel (export_customers).
_CONSENT = {"consent_email": "email", "consent_sms": "sms", "consent_whatsapp": "whatsapp"}
CUSTOM_PREFIX = "custom."
# Instants stored as naive UTC, written on the shop's clock with its offset.
_SEEN = ("first_seen", "last_seen")
# Customers read per query when exporting given ids: well under SQLite's limit on bound values.
_ID_BATCH = 500


def check_columns(columns: Sequence[str] | None) -> list[str]:
    """The columns asked for, checked; all by default (None).

    Besides the fixed columns, ``custom.NAME`` is a custom field's value as the card shows it.
    A UserError names an unknown column, an empty one ("id,,email": a name left out, not
    to be guessed), one asked for twice, or none at all: a list given is taken as meant.
    """
    if columns is None:
        return list(CUSTOMERS_HEADER)
    cols = [c.strip() for c in columns]
    if not any(cols):
        raise UserError(f"no columns to export; name at least one (known: {', '.join(CUSTOMER_COLUMNS)})")
    if "" in cols:
        raise UserError(f"column {cols.index('') + 1} has no name (two commas in a row, or one at an end)")
    unknown = [c for c in cols if c not in _CUSTOMER_COLUMNS and not custom_column_name(c)]
    if unknown:
        raise UserError(f"unknown column {unknown[0]!r} (known: {', '.join(CUSTOMER_COLUMNS)}, "
                        f"or {CUSTOM_PREFIX}NAME for a custom field)")
    seen: set[str] = set()
    for c in cols:
        key = CUSTOM_PREFIX + custom_column_name(c).casefold() if custom_column_name(c) else c
        if key in seen:  # the file would hold the same values twice, under one heading or two
            raise UserError(f"the column {c!r} is asked for twice")
        seen.add(key)
    return cols


def custom_column_name(column: str) -> str:
    """The custom field a ``custom.NAME`` column names ("" for any other column)."""
    return " ".join(column[len(CUSTOM_PREFIX):].split()) if column.startswith(CUSTOM_PREFIX) else ""


def _header(cols: Sequence[str], custom: dict[str, str]) -> list[str]:
    """The file's header: a custom field under its own name, as the list shows it, unless that
    name is taken by another column of the file."""
    taken = {c.casefold() for c in cols if c not in custom}
    out = []
    for c in cols:
        name = custom.get(c)
        out.append(name if name and name.casefold() not in taken else c)
        taken.add(out[-1].casefold())
    return out


def export_customers(ws: Workspace, out: Path, *, overwrite: bool = False, rule: dict | None = None,
                     columns: Sequence[str] | None = None, excel: bool = False,
                     now: datetime | None = None, ids: Sequence[int] | None = None,
                     cancelled: CancelCheck = never_cancelled) -> int:
    """One row per customer, by id: the golden values and consent per channel; returns rows written.

    ``rule`` (segments' JSON form) keeps only the customers it holds for;
    ``ids`` keeps only those customers and writes them in the order given (a
    list as the screen shows it; ids no longer in the workspace are left out,
    an id given twice is written once); both together keep the customers in
    both.  ``columns`` picks and orders the columns (all by default;
    ``custom.NAME`` is a custom field, headed by its name, refused when no
    record has it);
    ``excel`` adds a byte-order mark.  First and last seen are written on the
    shop's clock with its offset, as the list shows their day.  A consent column says what the
    Customers list shows: the customer's own answer, or "held" where the campaigns' guards refuse
    their address though they did not say no (a family's mailbox or a shop's landline someone else
    holding it unsubscribed from, another spelling of a mailbox that did; ``guards.held_refusals``),
    so no one a campaign leaves out reads "granted": a list filtered on "granted" is who a
    campaign may reach.
    The file goes through the formula-safe
    writer.  ``cancelled`` is asked between batches of rows: when it says yes,
    :class:`Cancelled` is raised and no file is left behind.
    """
    cols = check_columns(columns)
    custom = {c: custom_column_name(c) for c in cols if custom_column_name(c)}
    if custom:
        known = custom_field_names(ws)
        folded = {k.casefold(): k for k in known}
        missing = [n for n in custom.values() if n.casefold() not in folded]
        if missing:
            there = f"the workspace has: {', '.join(known)}" if known else "the workspace has none"
            raise UserError(f"no record has a custom field {missing[0]!r} ({there})")
        custom = {col: folded[name.casefold()] for col, name in custom.items()}  # the workspace's spelling
    zone = workspace_zone(ws)

    def seen(column: str):
        return lambda r: local_instant(r._mapping[column], zone)

    # Each address refused on a channel asked for, read once for the whole file (which addresses,
    # not their words: the file says "held" of them, as the list does).
    with ws.engine.connect() as conn:
        refusals = {name: held_refusals(conn, _CONSENT[name], words=False) for name in cols if name in _CONSENT}

    def consent(name: str):
        # The word the Customers list shows (customers.customer_rows): "held" where the campaigns refuse
        # the address though the customer's own answer is not no, their own answer otherwise.
        holds, column, address = refusals[name].holds, name, address_column(_CONSENT[name])
        return lambda r: HELD if holds(r.id, r._mapping[column], r._mapping[address]) else r._mapping[column] or ""

    getters = [None if name in custom else seen(name) if name in _SEEN else consent(name) if name in _CONSENT else
               (lambda r, c=c: r._mapping[c]) if isinstance(c, str) else c
               for name, c in ((name, _CUSTOMER_COLUMNS.get(name, name)) for name in cols)]
    c = Customer.__table__
    query = select(c).order_by(c.c.id)
    if rule is not None:
        segments.prepare(ws, rule)
        with ws.engine.connect() as conn:
            query = query.where(segments.rule_where(conn, rule, now))

    def check() -> None:
        if cancelled():
            raise Cancelled("Export cancelled: no file was written.")

    def written(batch):
        """The file's rows of these customer rows (their custom fields read in one query)."""
        values = custom_values(ws, [r.id for r in batch], list(dict.fromkeys(custom.values()))) if custom else {}
        for r in batch:
            mine = values.get(r.id, {})
            yield [mine.get(custom[col], "") if get is None else get(r) for col, get in zip(cols, getters)]

    def by_rule():
        with ws.engine.connect() as conn:
            batch = []
            for n, r in enumerate(conn.execution_options(stream_results=True, yield_per=5000).execute(query)):
                if n % 5000 == 0:
                    check()
                batch.append(r)
                if len(batch) == _ID_BATCH:
                    yield from written(batch)
                    batch = []
            yield from written(batch)

    def by_ids():
        seen: set[int] = set()
        wanted = [i for i in (int(x) for x in ids) if not (i in seen or seen.add(i))]
        with ws.engine.connect() as conn:
            for start in range(0, len(wanted), _ID_BATCH):
                check()
                part = wanted[start:start + _ID_BATCH]
                found = {r.id: r for r in conn.execute(query.where(c.c.id.in_(part)))}
                yield from written([found[cid] for cid in part if cid in found])

    rows = by_rule() if ids is None else by_ids()
    return write_csv(out, _header(cols, custom), rows, overwrite=overwrite, excel=excel)
