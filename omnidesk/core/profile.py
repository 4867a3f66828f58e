"""Everything the customer card shows, each value with the file, row and channel it came from.

Provenance follows the survivorship of :mod:`omnidesk.core.identity.golden`:
the value shown is the customer's stored golden value, and its source is the
record that rule would pick for it — among the records carrying exactly that
value, contact records before event records, then the most recent import.
A value no record carries was set by hand (pinned) and has no file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import NamedTuple

from sqlalchemy import case, func, or_, select

from omnidesk.core.campaigns.held import HeldAddress, held_addresses
from omnidesk.core.channels import HAND, channel_name
from omnidesk.core.consent import decide, facts_query, stricter
from omnidesk.core.identity.golden import DEFAULT_TRUST
from omnidesk.core.identity.profiles import order_lines
from omnidesk.core.importing.custom_fields import CustomValue, customer_fields
from omnidesk.core.models import Consent, Customer, Event, ImportBatch, SourceRecord, Suppression
from omnidesk.core.money import (
    ORDER_TYPES,
    ChannelMoney,
    Holder,
    OrderRows,
    counted_by_account,
    order_holder_columns,
    order_row_aggregates,
    order_rows,
    other_currency_spend,
    workspace_currency,
)
from omnidesk.core.suppression import known_suppressions, row_suppression_keys, workspace_salt
from omnidesk.core.timeline import workspace_zone
from omnidesk.core.timeutil import local_day, twelve_months_before_utc
from omnidesk.core.workspace import Workspace

# The golden fields that come from source records (see identity.golden).
SOURCED_FIELDS = ("first_name", "last_name", "full_name", "email", "phone", "company", "address", "city",
                  "region", "postcode", "country", "birthday")


class ValueSource(NamedTuple):
    """A shown value and the record it came from (``source_file`` is "" when set by hand)."""

    value: str
    source_file: str
    record_no: int | None
    channel: str
    entered: str = ""  # when the user typed it in (edits.py), UTC ISO
    zone: tzinfo | None = None  # the shop's time zone, whose day ``entered`` is told on

    def describe(self) -> str:
        """"from customers_export.csv row 12 (Shop)", "entered by you on 2026-12-02", or "set by hand"."""
        if self.channel == HAND:
            return f"entered by you on {local_day(self.entered, self.zone)}" if self.entered else "entered by you"
        if not self.source_file:
            return "set by hand"
        return f"from {self.source_file} row {self.record_no} ({channel_name(self.channel)})"


@dataclass(frozen=True)
class ConsentFact:
    """The consent in force on one channel and the fact that decided it (see omnidesk.core.consent)."""

    channel: str
    status: str
    occurred_at: str | None
    source_file: str
    record_no: int
    record_channel: str
    recorded_at: str | None = None  # when the file was imported: all that is known without a date
    note: str = ""  # what the person said, for consent recorded by hand
    zone: tzinfo | None = None  # the shop's time zone: the day an instant of this computer's is told on

    def describe(self) -> str:
        if self.record_channel == HAND:
            # Typed in now: an instant, told on the shop's day as the timeline tells it.
            said = f": {self.note}" if self.note else ""
            return f"{self.status} on {local_day(self.occurred_at, self.zone)}, entered by you{said}"
        if self.occurred_at:
            when = f" on {self.occurred_at[:10]}"  # as the file dated it
        elif self.recorded_at:
            when = f" (the file gave no date; imported {local_day(self.recorded_at, self.zone)})"
        else:
            when = ""
        return (f"{self.status}{when}, from {self.source_file} row {self.record_no} "
                f"({channel_name(self.record_channel)})")


@dataclass(frozen=True)
class CustomerProfile:
    id: int
    display_name: str
    first_name: str
    last_name: str
    full_name: str
    email: str
    phone: str
    company: str
    address: str
    city: str
    region: str
    postcode: str
    country: str
    birthday: str
    tags: list[str]
    channels: list[str]
    orders: int
    spend_minor: int | None  # in the shop's currency (``currency``)
    currency: str | None
    first_seen: str
    last_seen: str
    source_count: int
    event_count: int
    order_events: int  # orders and purchases among the events
    preferred_channel: str | None
    notes: str
    consents: dict[str, ConsentFact] = field(default_factory=dict)
    sources: dict[str, ValueSource] = field(default_factory=dict)
    # The columns no field was mapped to, per name the latest import's value.
    custom_fields: list[CustomValue] = field(default_factory=list)
    # What each channel adds to ``orders`` and ``spend_minor``, and from which file.
    money: list[ChannelMoney] = field(default_factory=list)
    # Spend in other currencies than the shop's, per currency: never converted nor in ``spend_minor``.
    other_spend: dict[str, int] = field(default_factory=dict)
    # How the card's name is read (furigana), as the latest record with that name and a reading gives it.
    name_reading: str = ""
    # Per channel, the address the campaigns hold though the customer's own answer is not no
    # (someone sharing it said stop): what the card says instead of "granted".
    held: dict[str, HeldAddress] = field(default_factory=dict)


@dataclass(frozen=True)
class SourceRow:
    """One source record of a customer, for the Sources list."""

    record_id: int
    source_file: str
    record_no: int
    channel: str
    kind: str
    problems: list[str]
    # Why the record is not split off by itself (a later line-item row of an order), or "".
    not_split: str = ""


def value_sources(ws: Workspace, customer_id: int) -> dict[str, ValueSource]:
    """For each non-empty golden field of the customer: its value and where it came from."""
    zone = workspace_zone(ws)
    cust = Customer.__table__
    rec = SourceRecord.__table__
    batch = ImportBatch.__table__
    with ws.engine.connect() as conn:
        golden = conn.execute(
            select(*[cust.c[f] for f in SOURCED_FIELDS]).where(cust.c.id == customer_id)
        ).mappings().first()
        if golden is None:
            return {}
        # The order golden.py walks records in: contacts before events, newest import first.
        ranked = conn.execute(
            select(batch.c.file_name, rec.c.record_no, rec.c.channel, *[rec.c[f] for f in SOURCED_FIELDS],
                   rec.c.values_json)
            .join(batch, batch.c.id == rec.c.batch_id)
            .where(rec.c.customer_id == customer_id)
            .order_by(case((rec.c.kind == "contacts", 0), else_=1), rec.c.id.desc())
        ).all()
    out: dict[str, ValueSource] = {}
    for i, f in enumerate(SOURCED_FIELDS, start=3):
        value = golden[f]
        if not value:
            continue
        carrier = next((r for r in ranked if r[i] == value), None)
        if carrier is None:
            out[f] = ValueSource(value, "", None, "")
        elif carrier[2] == HAND:
            edited = json.loads(carrier[-1] or "{}").get("edited", {})
            out[f] = ValueSource(value, carrier[0], carrier[1], carrier[2], edited.get(f, ""), zone)
        else:
            out[f] = ValueSource(value, carrier[0], carrier[1], carrier[2])
    return out


def consent_facts(ws: Workspace, customer_id: int) -> dict[str, ConsentFact]:
    """The consent in force per channel, as :mod:`omnidesk.core.consent` decides it."""
    zone = workspace_zone(ws)
    con = Consent.__table__
    rec = SourceRecord.__table__
    batch = ImportBatch.__table__
    with ws.engine.connect() as conn:
        rows = conn.execute(facts_query(con.c.customer_id == customer_id)).all()
        decided = decide(conn, rows)
        decided.update(_card_address_says(conn, customer_id, rows, decided))
        where = {fact.consent_id: channel for (_, channel), fact in decided.items()}
        sources = {
            r.id: r for r in conn.execute(
                select(con.c.id, batch.c.file_name, rec.c.record_no, rec.c.channel.label("record_channel"),
                       batch.c.started_at, con.c.note)
                .join(rec, rec.c.id == con.c.record_id)
                .join(batch, batch.c.id == rec.c.batch_id)
                .where(con.c.id.in_(list(where)))
            )
        }
    out = {}
    for (_, channel), fact in sorted(decided.items(), key=lambda item: item[0][1]):
        src = sources[fact.consent_id]
        out[channel] = ConsentFact(channel, fact.status, fact.occurred_at, src.file_name, src.record_no,
                                   src.record_channel, src.started_at, src.note, zone)
    return out


def _card_address_says(conn, customer_id: int, rows: list, decided: dict) -> dict:
    """Where the card's own email (or phone) said something stricter than the person did, that fact:
    what the stored consent columns hold too (``identity.golden``; the rule is ``consent.stricter``)."""
    cust, rec = Customer.__table__, SourceRecord.__table__
    card = conn.execute(select(cust.c.email, cust.c.phone).where(cust.c.id == customer_id)).first()
    if card is None or len({r[4] for r in rows}) < 2:
        return {}
    own = {rid: (email, phone, channel) for rid, email, phone, channel in conn.execute(
        select(rec.c.id, rec.c.email, rec.c.phone, rec.c.channel).where(rec.c.customer_id == customer_id))}
    out = {}
    for key, fact in decided.items():
        channel = key[1]
        address = card.email if channel == "email" else card.phone
        if not address:
            continue
        # The card address's own facts, and what was recorded by hand (the user's word about the person).
        said = [r for r in rows if r[1] == channel and r[4] in own
                and (own[r[4]][2] == HAND or own[r[4]][channel != "email"] == address)]
        if said and len(said) < sum(1 for r in rows if r[1] == channel):
            here = decide(conn, said).get(key)
            if stricter(fact, here) is not fact:
                out[key] = here
    return out


def money_by_channel(ws: Workspace, customer_id: int) -> list[ChannelMoney]:
    """Per channel, the orders and spend counted for the customer and the files they come from.

    The same rule as the stored totals (:mod:`omnidesk.core.money`, per account): they add up to them.
    """
    ev = Event.__table__
    rec = SourceRecord.__table__
    batch = ImportBatch.__table__
    shop = workspace_currency(ws)
    whose = order_holder_columns(ev, rec)
    with ws.engine.connect() as conn:
        per_file = conn.execute(
            select(ev.c.channel, *whose, batch.c.file_name, *order_row_aggregates(ev, shop))
            .select_from(ev.join(batch, batch.c.id == ev.c.batch_id).outerjoin(rec, rec.c.id == ev.c.record_id))
            .where(ev.c.customer_id == customer_id, ev.c.type.in_(ORDER_TYPES))
            .group_by(ev.c.channel, *whose, ev.c.batch_id, batch.c.file_name).order_by(ev.c.batch_id)
        ).all()
        code, spent, elsewhere = other_currency_spend(ev, shop)
        other: dict[tuple, dict[str, int]] = {}
        for channel, *holder, currency, minor in conn.execute(
                select(ev.c.channel, *whose, code, spent)
                .select_from(ev.outerjoin(rec, rec.c.id == ev.c.record_id))
                .where(ev.c.customer_id == customer_id, elsewhere)
                .group_by(ev.c.channel, *whose, code)):
            if minor:
                other.setdefault((channel, *holder), {})[currency] = int(minor)
        records = conn.execute(
            select(rec.c.id, rec.c.batch_id, rec.c.channel, rec.c.values_json, batch.c.file_name,
                   rec.c.external_id, rec.c.email, rec.c.phone)
            .join(batch, batch.c.id == rec.c.batch_id)
            .where(rec.c.customer_id == customer_id, rec.c.kind == "contacts", rec.c.values_json != "{}")
        ).all()
    sums: dict[tuple, list[int]] = {}
    files: dict[tuple, list[str]] = {}
    for channel, rid, external, email, phone, file_name, *aggregates in per_file:
        key = (channel, rid, external, email, phone)
        total = sums.setdefault(key, [0, 0, 0, 0])
        for i, x in enumerate(aggregates):
            total[i] += int(x or 0)
        if file_name not in files.setdefault(key, []):
            files[key].append(file_name)
    rows: dict[str, list[tuple[Holder, OrderRows]]] = {}
    for key, total in sums.items():
        rows.setdefault(key[0], []).append((Holder.of(*key[1:]), order_rows(total, tuple(files[key]), other.get(key))))
    lifetimes: dict[str, list[tuple[Holder, int, dict]]] = {}
    names: dict[int, str] = {}
    for rid, bid, channel, values_json, file_name, external, email, phone in records:
        values = json.loads(values_json or "{}")
        if "total_orders" in values or "total_spent" in values:
            lifetimes.setdefault(channel, []).append((Holder.of(rid, external, email, phone), bid, values))
            names[bid] = file_name
    order = {c: i for i, c in enumerate(DEFAULT_TRUST)}
    return [m for ch in sorted(set(rows) | set(lifetimes), key=lambda c: (order.get(c, len(order)), c))
            if (m := counted_by_account(ch, lifetimes.get(ch, []), rows.get(ch, []), shop, names))]


def preferred_channel(ws: Workspace, customer_id: int, *, now: datetime | None = None) -> str | None:
    """The channel with the most events in the last 12 months up to ``now`` (None if there were none):
    twelve calendar months of the shop's days, as the Dashboard's period.

    Ties go to the channel used most recently.
    """
    now = now or datetime.now(UTC)
    since = twelve_months_before_utc(now, workspace_zone(ws))
    ev = Event.__table__
    with ws.engine.connect() as conn:
        row = conn.execute(
            select(ev.c.channel)
            .where(ev.c.customer_id == customer_id, ev.c.occurred_utc >= since)
            .group_by(ev.c.channel)
            .order_by(func.count().desc(), func.max(ev.c.occurred_utc).desc(), ev.c.channel)
            .limit(1)
        ).first()
    return row[0] if row else None


def customer_profile(ws: Workspace, customer_id: int, *, now: datetime | None = None) -> CustomerProfile | None:
    """The card of one customer, or None when there is no such customer."""
    cust = Customer.__table__
    ev = Event.__table__
    with ws.engine.connect() as conn:
        c = conn.execute(select(cust).where(cust.c.id == customer_id)).mappings().first()
        if c is None:
            return None
        event_count = conn.execute(
            select(func.count()).select_from(ev).where(ev.c.customer_id == customer_id)
        ).scalar_one()
        order_events = conn.execute(
            select(func.count()).select_from(ev)
            .where(ev.c.customer_id == customer_id, ev.c.type.in_(ORDER_TYPES))
        ).scalar_one()
        custom = customer_fields(conn, customer_id)
        reading = name_reading(conn, customer_id, c["first_name"], c["last_name"], c["display_name"] or "")
        money = money_by_channel(ws, customer_id)
    # Spend is money in the shop's currency; what a customer paid in others (a lifetime figure
    # in its export's currency, orders in euros at a dollar shop) is shown apart, never converted.
    other_spend: dict[str, int] = {}
    for m in money:
        for code, minor in m.other.items():
            other_spend[code] = other_spend.get(code, 0) + minor
    return CustomerProfile(
        id=c["id"],
        display_name=c["display_name"],
        first_name=c["first_name"],
        last_name=c["last_name"],
        full_name=c["full_name"] or "",
        email=c["email"] or "",
        phone=c["phone"] or "",
        company=c["company"],
        address=c["address"],
        city=c["city"],
        region=c["region"],
        postcode=c["postcode"],
        country=c["country"],
        birthday=c["birthday"] or "",
        tags=[t for t in (c["tags"] or "").split(", ") if t],
        channels=(c["channels"] or "").split(),
        orders=c["orders"] or 0,
        spend_minor=c["spend_minor"],
        currency=workspace_currency(ws),
        other_spend={code: minor for code, minor in sorted(other_spend.items()) if minor},
        first_seen=c["first_seen"] or "",
        last_seen=c["last_seen"] or "",
        source_count=c["source_count"],
        event_count=event_count,
        order_events=order_events,
        preferred_channel=preferred_channel(ws, customer_id, now=now),
        notes=c["notes"] or "",
        consents=consent_facts(ws, customer_id),
        sources=value_sources(ws, customer_id),
        custom_fields=custom,
        money=money,
        name_reading=reading,
        held=held_addresses(ws, customer_id),
    )


def was_erased(ws: Workspace, shown: CustomerProfile) -> bool:
    """Whether the person a card showed (``shown``, read before they went) was erased at their request
    since: their email or phone, or their name where they live, is on the suppression list, found as
    an import finds a row of theirs.  Nothing else tells: an erase keeps nothing of who it erased."""
    identifiers = [(kind, value) for kind, value in (("email", shown.email), ("phone", shown.phone)) if value]
    with ws.engine.connect() as conn:
        if conn.execute(select(Suppression.__table__.c.id).limit(1)).first() is None:
            return False  # nobody was ever erased (and the salt may not be made yet)
        salt = workspace_salt(conn)
        # No row of theirs to hash: "" stands for it, and is no row's hash.
        keys = row_suppression_keys(salt, identifiers, shown.first_name, shown.last_name, "",
                                    street=shown.address, postcode=shown.postcode, birthday=shown.birthday or None)
        return bool(known_suppressions(conn, keys))


def name_reading(conn, customer_id: int, first: str, last: str, shown: str) -> str:
    """How the customer's name is read, in the order the card shows the name (``shown``).

    From the latest of the customer's records that gives a reading, one with the card's first
    and last name first; empty when none does, or when the card's name already reads so (ヤマダ
    タロウ from the till needs no reading beside it).
    """
    from omnidesk.core.identity.keys import fold

    rec = SourceRecord.__table__
    same_name = case(((rec.c.first_name == first) & (rec.c.last_name == last), 1), else_=0)
    row = conn.execute(
        select(rec.c.first_name_reading, rec.c.last_name_reading)
        .where(rec.c.customer_id == customer_id,
               or_(rec.c.first_name_reading != "", rec.c.last_name_reading != ""))
        .order_by(same_name.desc(), rec.c.id.desc()).limit(1)
    ).first()
    if row is None:
        return ""
    given, family = row
    if fold(given) == fold(first) and fold(family) == fold(last):
        return ""
    family_first = bool(last) and shown.startswith(last) and not (first and shown.startswith(first))
    return " ".join(x for x in ((family, given) if family_first else (given, family)) if x)


def card_size(ws: Workspace, customer_id: int) -> tuple[int, int]:
    """How many source records and events the customer has: what reading their card costs."""
    rec, ev = SourceRecord.__table__, Event.__table__
    with ws.engine.connect() as conn:
        return tuple(conn.execute(select(
            select(func.count()).select_from(rec).where(rec.c.customer_id == customer_id).scalar_subquery(),
            select(func.count()).select_from(ev).where(ev.c.customer_id == customer_id).scalar_subquery(),
        )).one())


def source_rows(ws: Workspace, customer_id: int) -> list[SourceRow]:
    """The customer's source records in import order, with what was flagged on each."""
    rec = SourceRecord.__table__
    batch = ImportBatch.__table__
    with ws.engine.connect() as conn:
        rows = conn.execute(
            select(rec.c.id, batch.c.file_name, rec.c.record_no, rec.c.channel, rec.c.kind,
                   rec.c.problems_json)
            .join(batch, batch.c.id == rec.c.batch_id)
            .where(rec.c.customer_id == customer_id)
            .order_by(rec.c.batch_id, rec.c.record_no)
        ).all()
        lines = order_lines(conn, customer_id)
    return [SourceRow(r.id, r.file_name, r.record_no, r.channel, r.kind, json.loads(r.problems_json or "[]"),
                      lines.get(r.id, "")) for r in rows]


def raw_record(ws: Workspace, record_id: int) -> list[tuple[str, str]]:
    """A record exactly as read: (column header, cell) pairs in file order.

    Cells beyond the header (a ragged row) are named "(column N)"; header
    columns the row did not reach get "".
    """
    rec = SourceRecord.__table__
    batch = ImportBatch.__table__
    with ws.engine.connect() as conn:
        row = conn.execute(
            select(rec.c.raw_json, batch.c.header_json)
            .join(batch, batch.c.id == rec.c.batch_id)
            .where(rec.c.id == record_id)
        ).first()
    if row is None:
        return []
    values = json.loads(row.raw_json or "[]")
    header = json.loads(row.header_json or "[]")
    width = max(len(values), len(header))
    return [
        (header[i] if i < len(header) else f"(column {i + 1})", str(values[i]) if i < len(values) else "")
        for i in range(width)
    ]
