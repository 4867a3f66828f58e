"""Why sending to a customer's address is held though their own answer is not no.

One mailbox or phone, one answer: when anyone who shares an address said stop from it (or an
opt-out list has it), the campaigns' opted-out guard refuses the address for everyone who holds
it (``guards``, guard 1), and so do the send packs, a "consent is granted" rule and ``export
customers``.  The customer's own answer may still be yes.  This says, for one customer, which of
their addresses is held so and by whom, for the card; and, for a list, which customers' address is
held (``customers.consent_holds``).  Whether an address is held is the guards' own decision
(``guards.held_refusals``): the card, the list and the campaigns cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from omnidesk.core.campaigns.guards import address_column, held_refusals
from omnidesk.core.channels import HAND
from omnidesk.core.consent import Fact, decide, fact_day, facts_query
from omnidesk.core.contact import mailbox_key
from omnidesk.core.models import Consent, Customer, Identifier, ImportBatch, SourceRecord
from omnidesk.core.timeutil import computer_zone
from omnidesk.core.workspace import Workspace

CHANNELS = ("email", "sms", "whatsapp")
REFUSED = ("unsubscribed", "cleaned", "denied")
HELD = "held"  # what the card's chip and the list's consent column say of such an address
_MESSAGES = {"email": "Emails", "sms": "Texts", "whatsapp": "WhatsApp messages"}
# What a person did, said of them by name ("Hannah Lee, who shares this address, said no").
_DID = {"unsubscribed": "unsubscribed", "denied": "said no", "cleaned": "had it cleaned (it bounced)"}


def _day_text(day: str) -> str:
    if not day:
        return ""
    d = date.fromisoformat(day[:10])
    return f"{d.day} {d:%b %Y}"


@dataclass(frozen=True)
class Refusal:
    """One "no" that holds an address: whose it is and where it came from."""

    customer_id: int | None
    name: str  # "" for a row that names nobody (an opt-out list's), or the customer themselves
    status: str  # unsubscribed | cleaned | denied
    day: str  # the day it was said, on the shop's clock ("" when its file gave no date)
    source_file: str
    own: bool = False  # said from this address by a record of the customer themselves


@dataclass(frozen=True)
class HeldAddress:
    """A channel on which the customer's address is held though their own answer is not no."""

    channel: str
    address: str  # as the card shows it (a number written for the shop's region)
    own: str  # the customer's own answer ("" when none)
    refusal: str  # the refusal that holds it (the latest refuser's)
    by: tuple[Refusal, ...]  # who refused it, the latest first (empty when nothing names anyone)

    def note(self, messages: str = "") -> str:
        """One line: "Emails to leefamily@gmail.com are held: Hannah Lee, who shares this address,
        unsubscribed on 3 Mar 2026."  (``messages``: what is held, when not the channel's.)"""
        head = f"{messages or _MESSAGES[self.channel]} to {self.address} are held"
        if not self.by:
            return f"{head}: someone who shares this address said stop."
        first = self.by[0]
        on = f" on {_day_text(first.day)}" if first.day else ""
        if first.own:
            return f"{head}: this address {_DID[first.status]} in {first.source_file}{on}."
        if not first.name:
            when = f", {_day_text(first.day)}" if first.day else ""
            return f"{head}: it is on the opt-out list {first.source_file} ({first.status}{when})."
        named = [r for r in self.by if r.name]
        who = first.name if len(named) == 1 else (
            f"{first.name} and {len(named) - 1} other{'s' if len(named) > 2 else ''}")
        shares = "shares" if len(named) == 1 else "share"
        return f"{head}: {who}, who {shares} this address, {_DID[first.status]}{on}."


def held_notes(held: dict[str, HeldAddress]) -> list[str]:
    """The card's lines for ``held`` (:func:`held_addresses`), one per channel, in the order of
    :data:`CHANNELS`; texts and WhatsApp held by the same "no" on one number say so in one line."""
    lines = []
    sms, whatsapp = held.get("sms"), held.get("whatsapp")
    together = sms is not None and whatsapp is not None and (sms.address, sms.by[:1]) == (
        whatsapp.address, whatsapp.by[:1])
    for channel in CHANNELS:
        h = held.get(channel)
        if h is None or (together and channel == "whatsapp"):
            continue
        lines.append(h.note("Texts and WhatsApp messages" if together and channel == "sms" else ""))
    return lines


def held_addresses(ws: Workspace, customer_id: int) -> dict[str, HeldAddress]:
    """Per channel (email, SMS, WhatsApp), the customer's address there when the campaigns hold it
    though their own answer is not no, with who refused it; channels not held are left out."""
    from omnidesk.core.phones import display_phone
    from omnidesk.core.timeline import workspace_zone

    cust = Customer.__table__
    region = str(ws.get_setting("default_region") or "")
    zone = workspace_zone(ws) or computer_zone()  # the days the card and the timeline show
    out: dict[str, HeldAddress] = {}
    with ws.engine.connect() as conn:
        row = conn.execute(select(cust).where(cust.c.id == customer_id)).mappings().first()
        if row is None:
            return {}
        for channel in CHANNELS:
            own, address = row[f"consent_{channel}"] or "", row[address_column(channel)] or ""
            if own in REFUSED or not address:
                continue
            if not held_refusals(conn, channel, among={address}, words=False).holds(customer_id, own, address):
                continue
            shown = address if channel == "email" else (display_phone(address, region) or address)
            by = _refusals(conn, channel, customer_id, address, zone)
            out[channel] = HeldAddress(channel, shown, own, by[0].status if by else "unsubscribed", by)
    return out


def _refusals(conn, channel: str, customer_id: int, address: str, zone) -> tuple[Refusal, ...]:
    """Who refused ``address`` on ``channel``, the latest first: the customers holding it (main or
    on a record, any spelling of a mailbox) whose answer is no; else the records carrying it that
    said no from it (the address's own answer, ``guards.address_refusals``)."""
    cust, rec, ident = Customer.__table__, SourceRecord.__table__, Identifier.__table__
    con, batch = Consent.__table__, ImportBatch.__table__
    kind = "email" if channel == "email" else "phone"
    # Each look-up off its own index (an OR of them reads every identifier).
    records = list(conn.execute(select(ident.c.record_id).where(
        ident.c.kind == kind, ident.c.value.in_({address, mailbox_key(address) if kind == "email" else address})))
        .scalars())
    if kind == "email":
        records += conn.execute(select(ident.c.record_id).where(ident.c.mailbox == mailbox_key(address),
                                                                ident.c.kind.concat("") == "email")).scalars()
    # Asked one by one, each off its own index: an OR of them would read every customer.
    holding = set(conn.execute(select(rec.c.customer_id).where(rec.c.id.in_(records))).scalars())
    holding.update(conn.execute(select(cust.c.id).where(cust.c[address_column(channel)] == address)).scalars())
    holding.discard(customer_id)
    holding.discard(None)
    holders = conn.execute(
        select(cust.c.id, cust.c.display_name, cust.c.first_name, cust.c.last_name, cust.c.full_name)
        .where(cust.c.id.in_(sorted(holding)), cust.c[f"consent_{channel}"].in_(REFUSED))).all()
    found: list[Refusal] = []
    for cid, display, first, last, full in holders:
        facts = conn.execute(facts_query(con.c.customer_id == cid, con.c.channel == channel)).all()
        fact = decide(conn, facts).get((cid, channel))
        if fact is None:
            continue
        source = conn.execute(select(batch.c.file_name, rec.c.channel).join(rec, rec.c.batch_id == batch.c.id)
                              .where(rec.c.id == fact.record_id)).first()
        named = bool(first or last or full)
        found.append(Refusal(cid, display if named else "", fact.status,
                             fact_day(fact, zone) if fact.occurred_at else "",
                             source.file_name if source and source.channel != HAND else ""))
    if not found:
        # The address's own answer: a record carrying it said no from it, whoever it belongs to.
        said = conn.execute(
            select(rec.c.customer_id, con.c.status, con.c.occurred_at, batch.c.file_name)
            .join(rec, rec.c.id == con.c.record_id).join(batch, batch.c.id == rec.c.batch_id)
            .where(con.c.channel == channel, con.c.status.in_(REFUSED), rec.c.channel != HAND,
                   rec.c.id.in_(records))).all()
        names = {cid: display if first or last or full else "" for cid, display, first, last, full in conn.execute(
            select(cust.c.id, cust.c.display_name, cust.c.first_name, cust.c.last_name, cust.c.full_name)
            .where(cust.c.id.in_({cid for cid, *_ in said if cid is not None})))}
        for cid, status, occurred, file_name in said:
            day = fact_day(Fact(status, occurred, None, 0), zone) if occurred else ""
            found.append(Refusal(cid, names.get(cid, "") if cid != customer_id else "", status, day, file_name,
                                 own=cid == customer_id))
    return tuple(sorted(found, key=lambda r: r.day, reverse=True))

