"""The merged, ordered history of one customer, and finding a customer by what a user types.

A timeline is one SQL query: the customer's events, their consent facts and
the moments their records say they were created ("first seen"), each with the
file and row it came from.  Filters and ordering happen in SQL so a customer
with thousands of events costs one indexed query.

Times are read on the shop's clock: the ``timezone`` setting, or the
computer's own zone when it is not set (a shop owner's laptop keeps the shop's
time).  A time recorded without an offset is a time on that clock already; one
recorded with an offset is the same instant moved onto it.  ``day`` is the
date on that clock.  Ordering uses the instant, so a naive till time and an
email tool's UTC time fall in the order they happened.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import and_, case, exists, func, literal, null, or_, select, union_all

from omnidesk.core.channels import BY_CODE, CONSENT_CODES, channel_name, own_labels
from omnidesk.core.consent import Fact, changes, fact_of, facts_query, file_times, in_force, rule_day, rule_zone
from omnidesk.core.details import read_details
from omnidesk.core.dialect import json_created_at, money_text, search_fold, search_fold_text, utc_text
from omnidesk.core.errors import UserError
from omnidesk.core.campaigns.guards import BASELINE_REASONS
from omnidesk.core.exporting.csvsafe import write_csv
from omnidesk.core.messages.derive import CHANNEL_LABELS
from omnidesk.core.models import (
    HAND_KIND,
    Campaign,
    CampaignStep,
    Consent,
    Customer,
    Event,
    Identifier,
    ImportBatch,
    SendRecord,
    SourceRecord,
)
from omnidesk.core.money import ORDER_TYPES, format_money, row_spend, workspace_currency
from omnidesk.core.tasks import CancelCheck, Cancelled, never_cancelled
from omnidesk.core.timeutil import computer_zone, on_clock, to_utc
from omnidesk.core.workspace import Workspace

# ``currency``, ``status`` and ``counted`` came later than the others: after them, so a sheet that
# reads the columns by place reads what it did.
EXPORT_HEADER = ["occurred_at", "channel", "type", "summary", "amount", "source_file", "source_row",
                 "currency", "status", "counted"]

CONSENT_TYPE = "consent"
# What a consent line the stricter answer of its day beat says after its summary, on the card and in the export.
NOT_IN_FORCE = " (not in force: on the same day the stricter answer wins)"
FIRST_SEEN_TYPE = "first_seen"

# Same-instant entries read best as cause before effect: the record appears, the
# order happens, then the consent the order carried.
_RANK = {"record": 0, "event": 1, "consent": 2, "campaign": 3}
CAMPAIGN_TYPE = "campaign"


@dataclass(slots=True)
class TimelineEntry:
    """One line of a customer's history, with where it came from."""

    kind: str  # "event" | "consent" | "record" | "campaign" (a campaign step that included them)
    occurred_at: str | None  # ISO 8601 as recorded (offset kept when the source had one)
    occurred_utc: str | None  # naive UTC, for ordering
    day: str  # local date as recorded, "YYYY-MM-DD"; "" when the time is unknown
    channel: str
    type: str
    summary: str
    amount_minor: int | None
    currency: str | None
    source_file: str = ""
    source_row: int | None = None
    record_id: int | None = None
    event_id: int | None = None
    consent_id: int | None = None
    # Kept as stored and parsed on first use: most entries of a long timeline are
    # never looked at closely, and parsing thousands up front is most of the cost.
    details_json: str = field(default="{}", repr=False, compare=False)
    _details: dict | None = field(default=None, init=False, repr=False, compare=False)
    status: str = ""  # an order's payment status in one spelling (money.order_status); "" for others
    # What an order row adds to the customer's spend (money.row_spend: refunds taken off, nothing for
    # a refunded or cancelled order), in ``currency``; None for what is no order or gave no amount.
    counted_minor: int | None = None

    @property
    def details(self) -> dict:
        """The event's details (order id, status, items of an order, …); {} for others."""
        if self._details is None:
            self._details = read_details(self.details_json)
        return self._details

    @property
    def entry_id(self) -> int | None:
        """The id in the entry's own table (event, consent or source record)."""
        return {"event": self.event_id, "consent": self.consent_id}.get(self.kind, self.record_id)


# -- the timeline query ------------------------------------------------------------


def _union(customer_id: int):
    ev = Event.__table__
    rec = SourceRecord.__table__
    batch = ImportBatch.__table__
    con = Consent.__table__

    events = (
        select(
            literal("event").label("kind"),
            ev.c.id.label("entry_id"),
            ev.c.occurred_at.label("occurred_at"),
            ev.c.occurred_utc.label("occurred_utc"),
            ev.c.channel.label("channel"),
            ev.c.type.label("type"),
            ev.c.summary.label("summary"),
            ev.c.amount_minor.label("amount_minor"),
            ev.c.currency.label("currency"),
            ev.c.details_json.label("details_json"),
            batch.c.file_name.label("source_file"),
            rec.c.record_no.label("source_row"),
            rec.c.id.label("record_id"),
            literal(_RANK["event"]).label("rank"),
            ev.c.status.label("status"),
            case((and_(ev.c.type.in_(ORDER_TYPES), ev.c.amount_minor.is_not(None)),
                  row_spend(ev.c.status, ev.c.amount_minor, ev.c.refunded_minor)),
                 else_=null()).label("counted_minor"),
        )
        .select_from(ev.join(rec, rec.c.id == ev.c.record_id).join(batch, batch.c.id == rec.c.batch_id))
        .where(ev.c.customer_id == customer_id)
    )
    # What was typed in has no row to point to: it is "Entered by you", not "Entered by you row 3".
    row = case((batch.c.kind == HAND_KIND, null()), else_=rec.c.record_no)
    label = case(
        *[(con.c.channel == code, channel_name(code)) for code in CONSENT_CODES], else_=con.c.channel
    )
    consents = (
        select(
            literal("consent"),
            con.c.id,
            con.c.occurred_at,
            utc_text(con.c.occurred_at),
            con.c.channel,
            literal(CONSENT_TYPE),
            label + literal(" consent: ") + con.c.status
            + case((con.c.note != "", literal(" — ") + con.c.note), else_=literal("")),
            null(),
            null(),
            literal("{}"),
            batch.c.file_name,
            row,
            rec.c.id,
            literal(_RANK["consent"]),
            literal(""),
            null(),
        )
        .select_from(con.join(rec, rec.c.id == con.c.record_id).join(batch, batch.c.id == rec.c.batch_id))
        .where(con.c.customer_id == customer_id)
    )
    # One "first seen" per moment and channel: the earliest record that says it.  A list exported
    # again (the same sign-up in March's file and June's) repeats the moment, not the first
    # sighting; the shop's record and the list's of one day are two sightings, each its channel's.
    created = json_created_at(rec.c.values_json)
    dated = (
        select(rec.c.id, rec.c.batch_id, rec.c.record_no, rec.c.channel, created.label("created"),
               func.row_number().over(partition_by=(func.coalesce(utc_text(created), created), rec.c.channel),
                                      order_by=rec.c.id).label("nth"))
        .where(rec.c.customer_id == customer_id, created.is_not(None))
        .subquery("dated")
    )
    # A record that produced an event (a lead form, say) is already on the timeline at that
    # moment; a "first seen" line would only repeat it, as would one for a later download of it.
    has_event = exists().where(Event.__table__.c.record_id == dated.c.id)
    records = (
        select(
            literal("record"),
            dated.c.id,
            dated.c.created,
            utc_text(dated.c.created),
            dated.c.channel,
            literal(FIRST_SEEN_TYPE),
            case((batch.c.kind == HAND_KIND, literal("Added by you")),
                 else_=literal("First seen in ") + batch.c.file_name),
            null(),
            null(),
            literal("{}"),
            batch.c.file_name,
            case((batch.c.kind == HAND_KIND, null()), else_=dated.c.record_no),
            dated.c.id,
            literal(_RANK["record"]),
            literal(""),
            null(),
        )
        .select_from(dated.join(batch, batch.c.id == dated.c.batch_id))
        .where(dated.c.nth == 1, ~has_event)
    )
    # Each exported campaign step that included them: "Spring sale — SMS pack exported"; or left
    # them out as its baseline: "Spring sale — Email: not sent (held out)".
    sr, step, camp = SendRecord.__table__, CampaignStep.__table__, Campaign.__table__
    step_label = case(*[(step.c.channel == code, label) for code, label in CHANNEL_LABELS.items()],
                      else_=step.c.channel)
    sends = (
        select(
            literal("campaign"),
            sr.c.id,
            sr.c.send_utc,
            utc_text(sr.c.send_utc),
            step.c.channel,
            literal(CAMPAIGN_TYPE),
            camp.c.name + literal(" — ") + step_label
            + case((sr.c.channel.in_(BASELINE_REASONS), literal(": not sent (") + sr.c.channel + literal(")")),
                   else_=literal(" pack exported")),
            null(),
            null(),
            literal("{}"),
            literal(""),
            null(),
            sr.c.record_id,
            literal(_RANK["campaign"]),
            literal(""),
            null(),
        )
        .select_from(sr.join(rec, rec.c.id == sr.c.record_id).join(step, step.c.id == sr.c.step_id)
                     .join(camp, camp.c.id == step.c.campaign_id))
        .where(rec.c.customer_id == customer_id)
    )
    return union_all(events, consents, records, sends).subquery("entries")


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _channel_label(channel):
    """SQL: the channel's name as the timeline shows it (:func:`channel_name`): "Till" for ``pos``, a
    channel the user named as they typed it, else its code with spaces (only its case differs)."""
    labels = {code: channel_name(code) for code in (*BY_CODE, *own_labels())}
    return case(*[(channel == code, label) for code, label in labels.items()],
                else_=func.replace(channel, "_", " "))


def _type_label(type_):
    """SQL: the type as the timeline names it, but for its case ("first seen" for ``first_seen``)."""
    return func.coalesce(func.nullif(func.trim(func.replace(type_, "_", " ")), ""), literal("Activity"))


def _amount_label(amount_minor, currency, own: str | None):
    """SQL: the amount as the timeline shows it, with its currency ("1,234.50 CAD"): the shop's
    own (``own``) where its file named none; NULL for an entry with no amount."""
    return money_text(amount_minor, func.coalesce(func.nullif(currency, ""), literal(own or "")))


def timeline(ws: Workspace, customer_id: int, *, channels=None, types=None,
             search: str = "", shop_clock: bool = True) -> list[TimelineEntry]:
    """The customer's history, oldest first (entries with no known time last).

    ``channels`` and ``types`` keep only entries whose channel / type is in the
    given collection (None keeps all); ``search`` keeps entries whose summary
    (as shown: "not in force" included), type (as stored or named: "first seen"),
    channel (as named: "Till"), source file or amount (as shown: "1,234.50 CAD")
    contains the text, in any case of any alphabet ("CRÈME" finds
    "crème", written whole or, as Mac exports write it, decomposed), in SQL.

    With ``shop_clock``, times recorded with an offset read on the shop's clock
    (see :func:`in_zone`); without, as recorded.  Either way the entries are in
    the order they happened (see :func:`instant`).

    Consent appears where it changes, as :mod:`omnidesk.core.consent` decides
    it: a shop's order export says "accepts marketing" on every order, and
    twelve orders would otherwise bring twelve "Email consent: granted" lines;
    an undated "yes" after an unsubscribe changes nothing.  A consent typed in
    by hand always appears, with its note, even where it repeats the one in force.  Every fact stays
    in the workspace and among the source records.
    """
    u = _union(customer_id)
    query = select(u)
    if channels is not None:
        query = query.where(u.c.channel.in_(list(channels)))
    if types is not None:
        query = query.where(u.c.type.in_(list(types)))
    search = search.strip()
    query = query.order_by(u.c.occurred_utc.is_(None), u.c.occurred_utc, u.c.rank, u.c.entry_id)
    zone = workspace_zone(ws)
    shop_currency = workspace_currency(ws) if search else None
    with ws.engine.connect() as conn:
        changed = _consent_changes(conn, customer_id, zone) if search else None
        if search:
            # The summary as the line reads: a consent fact its day's stricter answer beat says so.
            overruled = sorted(changed[1])
            summary = case((and_(u.c.kind == "consent", u.c.entry_id.in_(overruled)), u.c.summary + NOT_IN_FORCE),
                           else_=u.c.summary) if overruled else u.c.summary
            like = _like_pattern(search_fold_text(search))
            query = query.where(or_(*(search_fold(text).like(like, escape="\\") for text in (
                summary, u.c.type, _type_label(u.c.type), _channel_label(u.c.channel), u.c.source_file,
                _amount_label(u.c.amount_minor, u.c.currency, shop_currency)))))
        rows = conn.execute(query).all()
        if changed is None and any(r[0] == "consent" for r in rows):
            changed = _consent_changes(conn, customer_id, zone)
        shown, overruled = changed or (set(), set())
    # Stored naive times were ordered as if UTC; a shop west of Greenwich would see a
    # 16:00 till sale before a 21:30 UTC open that came first.  Re-sorted by instant.
    keyed = [(instant(r[2], zone) or r[3], r) for r in rows]
    keyed.sort(key=lambda k: (k[0] is None, k[0] or "", k[1][13], k[1][1]))
    rows = [r for _, r in keyed]
    # An amount its export gave no currency (a till's "32.00") is in the shop's own.
    own = workspace_currency(ws) if any(r[7] is not None and not r[8] for r in rows) else None
    entries = [e for e in (_entry(r, own, zone, shop_clock) for r in rows)
               if e.kind != "consent" or e.consent_id in shown]
    return [replace(e, summary=e.summary + NOT_IN_FORCE) if e.consent_id in overruled else e for e in entries]


def _consent_changes(conn, customer_id: int, clock: tzinfo | None) -> tuple[set[int], set[int]]:
    """The customer's consent facts the timeline shows, by id, and those of them overruled.

    Shown: the facts that changed the consent in force (the card's rule), every one typed in by
    hand (the owner did it and may have written why: "phoned to stop" on a customer a file already
    said no for), and the overruled ones with the fact in force that beat them.  Overruled: a dated fact later in time than the one in
    force on its own day, which lost to it as the less strict answer ("granted" typed in
    after "denied" the same day): said so, or the last line would read as the consent in force.
    "Later" is on the clock the timeline orders by (:func:`instant` on ``clock``): an opt-out
    list's 12:00 without an offset comes after a "no" typed in at 10:00 on the shop's clock.
    """
    con = Consent.__table__
    rows = conn.execute(facts_query(con.c.customer_id == customer_id)).all()
    files = file_times(conn, (r[4] for r in rows))
    per_channel: dict[str, list[Fact]] = {}
    for row in rows:
        per_channel.setdefault(row[1], []).append(fact_of(row, files))
    rec, batch = SourceRecord.__table__, ImportBatch.__table__
    shown: set[int] = set(conn.execute(
        select(con.c.id).join(rec, rec.c.id == con.c.record_id).join(batch, batch.c.id == rec.c.batch_id)
        .where(con.c.customer_id == customer_id, batch.c.kind == HAND_KIND)).scalars())
    overruled: set[int] = set()
    zone = rule_zone(conn) if any(len(facts) > 1 for facts in per_channel.values()) else None  # the card's days
    for facts in per_channel.values():
        steps = changes(facts, zone)
        current = in_force(facts, zone)
        shown.update(f.consent_id for f in steps)
        if current is None:
            continue
        when = instant(current.occurred_at, clock) or to_utc(current.recorded_at) or ""
        lost = {f.consent_id for f in facts
                if f.consent_id != current.consent_id and f.status != current.status and f.occurred_at
                and rule_day(f, zone) == rule_day(current, zone) and (instant(f.occurred_at, clock) or "") > when}
        if lost:  # shown with the fact that beat them, even where that one only repeats an earlier
            shown |= lost | {current.consent_id}
            overruled |= lost
    return shown, overruled


def _entry(r, own_currency: str | None = None, zone: tzinfo | None = None,
           shop_clock: bool = True) -> TimelineEntry:
    (kind, entry_id, occurred_at, occurred_utc, channel, type_, summary, amount_minor, currency,
     details_json, source_file, source_row, record_id, _rank, status, counted_minor) = r
    if amount_minor is not None and not currency:
        currency = own_currency
    if shop_clock and occurred_at:
        occurred_at = in_zone(occurred_at, zone)
    return TimelineEntry(
        kind, occurred_at, occurred_utc, (occurred_at or "")[:10], channel, type_, summary or "",
        amount_minor, currency, source_file, source_row, record_id,
        entry_id if kind == "event" else None,
        entry_id if kind == "consent" else None,
        details_json or "{}",
        status=status or "",
        counted_minor=counted_minor,
    )


def timeline_types(ws: Workspace, customer_id: int) -> list[str]:
    """The entry types on the customer's timeline, alphabetically (for a filter)."""
    u = _union(customer_id)
    with ws.engine.connect() as conn:
        return list(conn.execute(select(u.c.type).distinct().order_by(u.c.type)).scalars())


def timeline_channels(ws: Workspace, customer_id: int) -> list[str]:
    """The channels on the customer's timeline, alphabetically (for a filter)."""
    u = _union(customer_id)
    with ws.engine.connect() as conn:
        return list(conn.execute(select(u.c.channel).distinct().order_by(u.c.channel)).scalars())


# -- export --------------------------------------------------------------------------


def in_zone(occurred_at: str, zone: tzinfo | None) -> str:
    """A time recorded with an offset, as the same instant on the shop's clock.

    An email tool exports in UTC and a till in local time; every time on the
    timeline reads as a clock in the shop (an open at 01:30 UTC is 21:30 the
    evening before in New York).  ``zone`` None is the computer's own zone.
    Times recorded without an offset are the shop's already and stay as they are.
    """
    try:
        moment = datetime.fromisoformat(occurred_at)
    except ValueError:
        return occurred_at
    if moment.tzinfo is None:
        return occurred_at
    try:
        return moment.astimezone(zone).isoformat(timespec="seconds")
    except OverflowError:  # past either end of the calendar on the shop's clock: as recorded
        return occurred_at


def instant(occurred_at: str | None, zone: tzinfo | None) -> str | None:
    """When ``occurred_at`` happened, as naive UTC text for ordering (None if unknown).

    A naive time is on the shop's clock (``zone``; None is the computer's own
    zone); a bare date is taken at the start of that day there.
    """
    if not occurred_at:
        return None
    try:
        moment = datetime.fromisoformat(occurred_at)
    except ValueError:
        return None
    try:
        if moment.tzinfo is None:
            moment = on_clock(moment, zone)
        return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds")
    except OverflowError:  # past either end of the calendar: no instant to order it by
        return None


def workspace_zone(ws: Workspace) -> ZoneInfo | None:
    """The shop's time zone (the ``timezone`` setting), or None when it is not set."""
    name = str(ws.get_setting("timezone") or "").strip()
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def with_offset(occurred_at: str | None, zone: tzinfo | None) -> str:
    """``occurred_at`` with an explicit offset.

    A timestamp that carries an offset is kept as recorded, but one in UTC (what
    omnidesk itself records: a consent typed in, a campaign's send) is put on the
    shop's clock, as the rest of the shop's history reads.  A naive one is a
    time on the shop's clock and gets that clock's offset at that moment
    (daylight saving included).  The shop's clock is the ``timezone`` setting's
    zone, or with ``zone`` None the computer's own, for both.  A bare date stays a date: a day is not
    an instant.
    """
    if not occurred_at:
        return ""
    if len(occurred_at) <= 10:
        return occurred_at
    try:
        moment = datetime.fromisoformat(occurred_at)
    except ValueError:
        return occurred_at
    try:
        if moment.tzinfo is not None:
            if moment.utcoffset() == timedelta(0):
                return moment.astimezone(zone if zone is not None else computer_zone()).isoformat(timespec="seconds")
            return occurred_at
        aware = on_clock(moment, zone)
        return aware.isoformat(timespec="seconds")
    except OverflowError:  # past either end of the calendar on the shop's clock: as recorded
        return occurred_at


def export_timeline(ws: Workspace, customer_id: int, out: Path, *, overwrite: bool = False,
                    cancelled: CancelCheck = never_cancelled) -> int:
    """Write the customer's timeline to ``out`` as CSV, oldest first; returns rows.

    Columns: ``occurred_at,channel,type,summary,amount,source_file,source_row,currency,status,counted``.
    ``occurred_at`` follows :func:`with_offset`; ``amount`` is a decimal string
    such as ``12.50``, empty when the entry has none, in ``currency`` (the
    shop's when its file named none).  ``status`` is an order's payment status
    (``paid``, ``partially_refunded``, ``refunded``, ``cancelled``, …) and
    ``counted`` what the order adds to the customer's spend on the card
    (:func:`omnidesk.core.money.row_spend`: less what was refunded, ``0.00``
    when refunded or cancelled, a till's refund line its negative amount);
    empty for what is not an order.  Every entry the app's
    timeline lists is written, in its order: those with no known time (a
    customers export's "accepts marketing: no", which may be the consent in
    force) last, with an empty ``occurred_at``, as the app lists them under
    "Date unknown"; a consent fact overruled on its day says "not in force"
    in its summary, as on the card.  ``cancelled`` is asked as the rows are
    written: when it says yes, :class:`Cancelled` is raised and no file is left
    behind.
    """
    zone = workspace_zone(ws)
    entries = timeline(ws, customer_id, shop_clock=False)  # the data as recorded

    def checked():
        for n, e in enumerate(entries):
            if not n % 1000 and cancelled():
                raise Cancelled("Export cancelled: no file was written.")
            yield e
        if cancelled():  # a file put in place is a finished one
            raise Cancelled("Export cancelled: no file was written.")

    rows = (
        [with_offset(e.occurred_at, zone), e.channel, e.type, e.summary,
         format_money(e.amount_minor, grouped=False), e.source_file, e.source_row if e.source_row is not None else "",
         e.currency if e.amount_minor is not None and e.currency else "", e.status,
         format_money(e.counted_minor, grouped=False)]
        for e in checked()
    )
    return write_csv(Path(out), EXPORT_HEADER, rows, overwrite=overwrite)


# -- finding a customer ------------------------------------------------------------


def find_customer(ws: Workspace, text: str) -> int | None:
    """The customer a user means by ``text`` (see :func:`find_customers`), or None.

    When several customers carry an email or phone, the one whose main value it
    is wins; when that does not settle it (a family with one email on every
    card), UserError names them, so that no command changes or erases a guess.
    """
    found = _matches(ws, text)
    if not found:
        return None
    kind, value = _looked_up(ws, text)
    alike = [r for r in found if r[2] == found[0][2]]
    if len(alike) > 1:
        # A family's one email, a shop's one landline: picking one of them would be a guess, and the
        # command may erase or change them.
        named = ", ".join(f"{name} (#{cid})" for cid, name, _main in alike[:3])
        more = " and more" if len(alike) > 3 else ""
        raise UserError(f"{value} is the {kind} of {named}{more}: give the customer's id.")
    return found[0][0]


def _looked_up(ws: Workspace, text: str) -> tuple[str, str]:
    """What :func:`_matches` looked ``text`` up as: ("email", lower-cased) or ("phone", E.164)."""
    text = text.strip()
    if "@" in text:
        return "email", text.lower()
    from omnidesk.core.contact import normalize_phone

    return "phone", normalize_phone(text, str(ws.get_setting("default_region") or "US")).value or text


def find_customers(ws: Workspace, text: str) -> list[int]:
    """The customers a user may mean by ``text``: an id, an email or a phone in any format.

    Digits that are an existing customer's id win (with or without a leading
    "#"); text with an "@" is an email, compared without case; anything else is
    read as a phone number in the workspace's ``default_region`` and looked up
    in E.164.  Emails and phones are looked up among every identifier the
    customer's records carry, then among values set by hand on the customer.
    When several customers carry the value, the one whose main value it is
    comes first, then the lowest id; an id is one customer.  Empty when nothing matches.
    """
    return [cid for cid, _name, _main in _matches(ws, text)]


def _matches(ws: Workspace, text: str) -> list[tuple[int, str, int]]:
    """(customer id, display name, 0 where it is the customer's main value else 1), best first."""
    text = (text or "").strip()
    if not text:
        return []
    cust = Customer.__table__
    with ws.engine.connect() as conn:
        bare = text.lstrip("#")
        if re.fullmatch(r"\d{1,12}", bare):
            found = conn.execute(select(cust.c.id, cust.c.display_name).where(cust.c.id == int(bare))).first()
            if found is not None:
                return [(found[0], found[1], 0)]
        if "@" in text:
            return _by_identifier(conn, "email", text.lower(), cust.c.email)
    region = str(ws.get_setting("default_region") or "US")
    from omnidesk.core.contact import normalize_phone  # phonenumbers loads slowly

    phone = normalize_phone(text, region).value
    if phone is None:
        return []
    with ws.engine.connect() as conn:
        return _by_identifier(conn, "phone", phone, cust.c.phone)


def _by_identifier(conn, kind: str, value: str, golden_column) -> list[tuple[int, str, int]]:
    cust = Customer.__table__
    ident = Identifier.__table__
    rec = SourceRecord.__table__
    carriers = (
        select(rec.c.customer_id)
        .join(ident, ident.c.record_id == rec.c.id)
        .where(ident.c.kind == kind, ident.c.value == value, rec.c.customer_id.is_not(None))
    )
    is_main = case((func.lower(golden_column) == value, 0), else_=1)
    return [tuple(r) for r in conn.execute(
        select(cust.c.id, cust.c.display_name, is_main)
        .where(or_(cust.c.id.in_(carriers), func.lower(golden_column) == value))
        .order_by(is_main, cust.c.id)
    ).all()]
