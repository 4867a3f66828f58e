"""How the consent in force on a channel is decided from a person's consent facts.

One rule, used by the customer card, the Customers list and its consent filter
(through the stored ``customer.consent_*`` columns), the customers export, the
timeline and anything that sends: they cannot disagree.

A consent fact is one source row saying, for one channel, one status.  It is
*dated* when the file gives the consent a time of its own (Mailchimp's
UNSUB_TIME, CONFIRM_TIME or CLEAN_TIME, a Klaviyo consent timestamp, a
"Consent date" or "Unsubscribed at" column, the sign-up time of a row that says
yes, the moment a form carrying a ticked box was sent).  Otherwise it is a flag
that describes the person as of the file: it is known from the day its file was
imported, never from the date of an order on the same row.

The rule, in order:

1. Each fact counts on its day: its own date's, or its file's import day.
   A day is the shop's (the workspace's ``timezone`` setting; when it is not
   set, the computer's own zone, as every screen reads days): an unsubscribe
   at 19:00 in New York and a "yes" typed in at 21:00 there are one day,
   although UTC has moved on to the next.  A bare date is a day on the shop's
   clock.  A time without an offset is the shop's clock or UTC: a "yes" counts
   on the earlier of the two days, a refusal on the later (:func:`rule_day`).
   So does every fact when no zone is set: the stored answer then holds on
   UTC's days as well as this computer's, whichever computer worked it out.
2. The later day wins.
3. On the same day, the stricter status wins (cleaned, then unsubscribed, then
   denied, then pending, then granted): two exports of one day that disagree
   leave the person opted out.
4. A fact without a date of its own never lifts a refusal: an opt-out
   (unsubscribed or cleaned), or a "no" said at a known time (denied, dated: a
   "no" typed in by hand, a file's dated refusal).  A "yes" flag says the box
   was ticked by the time of the export, not that it was ticked after the
   refusal.  Only a dated opt-in after it does.  (An undated fact may still
   make a refusal stricter: an undated unsubscribe after a "denied" counts.)
   A "no" flag without a date is a snapshot like the "yes" flag of a later
   export of the same channel: the two together are a change of mind, and the
   later day wins.  Another channel's undated "yes" (an old newsletter sheet
   imported after the shop's export) says nothing of when: the "no" stands.
5. A "yes" (or "pending") cannot be later than its file: one dated after the
   file was imported (a confirmation "in 2029", a date typed wrong) is read as
   a flag without a date, or it would outrank every opt-out until then, a "no"
   typed in by hand included.  A refusal keeps its date: read later, it is
   only stricter.

Only "granted" is mailable.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Select, select
from sqlalchemy.engine import Connection

from omnidesk.core.models import HAND_KIND, Consent, ImportBatch, Setting, SourceRecord
from omnidesk.core.timeutil import ComputerClock, computer_zone, to_utc

GRANTED, PENDING, DENIED, UNSUBSCRIBED, CLEANED = "granted", "pending", "denied", "unsubscribed", "cleaned"
# Stricter statuses win ties; an unknown status counts as a plain "no".
STRICTNESS = {GRANTED: 0, PENDING: 1, DENIED: 2, UNSUBSCRIBED: 3, CLEANED: 4}
OPT_OUTS = frozenset({UNSUBSCRIBED, CLEANED})
MAILABLE = frozenset({GRANTED})
# How the note of a "stop" ends that an erase kept on the other holders of an address the erased
# person said it from (rights._keep_shared_refusals).  It is dated at the erase, so that no "yes"
# given before it lifts it; but its holder did nothing then: it never moves their first or last
# seen (identity.golden), as a journey never begins at a fact entered by hand.
KEPT_ON_ERASE = "kept when the person who said it was erased"
_IN = 900  # ids per IN list; stays under every database's parameter limit


class Fact(NamedTuple):
    """One consent fact as the rule reads it."""

    status: str
    occurred_at: str | None  # the consent's own time, when its file gave one
    recorded_at: str | None  # when its file was imported
    record_id: int
    consent_id: int = 0
    source: str = ""  # the channel of its record's file ("shop", "email"); "" when not known


@lru_cache(maxsize=1 << 16)
def _utc(iso: str | None) -> str:
    # The same few import times and consent dates come back for thousands of facts.
    return to_utc(iso) or ""


@lru_cache(maxsize=1 << 14)
def _hour_offset(hour: str, zone: tzinfo) -> int | None:
    # Minutes ``zone``'s clock is ahead of UTC all through the UTC hour "YYYY-MM-DDTHH" (None
    # when it changes within the hour, or is not whole minutes): a million instants of a few
    # thousand hours cost a few thousand zone look-ups.
    try:
        start = datetime.fromisoformat(f"{hour}:00:00").replace(tzinfo=UTC)
        first = start.astimezone(zone).utcoffset()
        last = (start + timedelta(seconds=3599)).astimezone(zone).utcoffset()
    except (ValueError, OverflowError):
        return None
    if first is None or first != last or first.total_seconds() % 60:
        return None
    return int(first.total_seconds()) // 60


@lru_cache(maxsize=1 << 12)
def _day_after(day: str, step: int) -> str:
    return (date.fromisoformat(day) + timedelta(days=step)).isoformat()


def _zone_day(utc: str, zone: tzinfo) -> str:
    """The day the naive UTC instant ``utc`` (:func:`_utc`'s) falls on on ``zone``'s clock."""
    offset = _hour_offset(utc[:13], zone)
    if offset is None:  # the hour a clock changes (or a date at the ends of the calendar)
        try:
            return datetime.fromisoformat(utc).replace(tzinfo=UTC).astimezone(zone).date().isoformat()
        except (ValueError, OverflowError):
            return utc[:10]
    minute = int(utc[11:13]) * 60 + int(utc[14:16]) + offset
    return utc[:10] if 0 <= minute < 1440 else _day_after(utc[:10], -1 if minute < 0 else 1)


def _has_offset(iso: str) -> bool:
    # After the date (and a bare date has nothing after it), only an offset has a sign or a Z.
    tail = iso[10:]
    return "+" in tail or "-" in tail or tail[-1:] in ("Z", "z")


def fact_day(fact: Fact, zone: tzinfo | None = None) -> str:
    """The day a fact counts on: its own date's, else its file's import day ("" if neither).

    The day on ``zone``'s clock, the shop's (see :func:`rule_zone`); UTC's without one.  A
    fact's own time without an offset, or a bare date, is already on the shop's clock; an
    import time is UTC.
    """
    if zone is None:
        return (_utc(fact.occurred_at) or _utc(fact.recorded_at))[:10]
    own = _utc(fact.occurred_at)
    if own:
        return _zone_day(own, zone) if _has_offset(fact.occurred_at) else own[:10]
    imported = _utc(fact.recorded_at)
    return _zone_day(imported, zone) if imported else ""


def rule_day(fact: Fact, zone: tzinfo | None = None) -> str:
    """The day the rule counts a fact on: :func:`fact_day`, but for a time without an offset.

    Such a time is the shop's clock or UTC, as files write them (a till's local sale time,
    an email tool's UTC); which is not known, so the fact counts on the day that is safer for
    it: a "yes" (or "pending") on the earlier of the two readings' days, an opt-out or a "no"
    on the later, as a date that reads either way round does (rule 1).  A bare date is a day
    on the shop's clock.  The card shows the day as written (:func:`fact_day`).
    With no zone set (``zone`` the computer's, :func:`rule_zone`), every fact counts on the
    safer of its day on the computer's clock and its day in UTC: a "yes" an hour after a
    refusal never wins for being the next day on one of the two, whichever computer
    worked the answer out.  A time without an offset then has three days it could count on:
    as written, the time read as UTC's day on the computer's clock, and the time read on the
    computer's clock's day in UTC (22:00 in New York is 02:00 UTC the next day); a "yes"
    takes the earliest, a refusal the latest.
    """
    day = fact_day(fact, zone)
    if zone is None:
        return day
    if fact.occurred_at and len(fact.occurred_at.strip()) > 10 and not _has_offset(fact.occurred_at):
        days = [day, _zone_day(_utc(fact.occurred_at), zone)]  # as written; the time read as UTC's
        if isinstance(zone, ComputerClock):  # and the time on the computer's clock, its day in UTC
            days.append(_local_utc_day(_utc(fact.occurred_at), zone))
    elif isinstance(zone, ComputerClock):
        days = [day, fact_day(fact, None)]  # and the day in UTC
    else:
        return day
    return min(days) if fact.status in _MAY_BE_LATER else max(days)


@lru_cache(maxsize=1 << 14)
def _local_utc_day(wall: str, zone: tzinfo) -> str:
    """The UTC day of the wall-clock time ``wall`` (naive ISO) read on ``zone``'s clock."""
    try:
        return datetime.fromisoformat(wall).replace(tzinfo=zone).astimezone(UTC).date().isoformat()
    except (ValueError, OverflowError):
        return wall[:10]


_MAY_BE_LATER = frozenset({GRANTED, PENDING})  # what a date after its file cannot make later (rule 5)


def _after_its_file(fact: Fact, zone: tzinfo | None) -> bool:
    """Rule 5: a "yes" or "pending" dated after its file was imported (both compared in UTC)."""
    if fact.status not in _MAY_BE_LATER or not fact.occurred_at or not fact.recorded_at:
        return False
    own, imported = _utc(fact.occurred_at), _utc(fact.recorded_at)
    if not own or not imported:
        return False
    if zone is not None and not _has_offset(fact.occurred_at):  # on the shop's clock
        try:
            own = (datetime.fromisoformat(own).replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)
                   .isoformat(timespec="seconds"))
        except (ValueError, OverflowError):
            pass
    return own > imported


def _trusted(facts: Iterable[Fact], zone: tzinfo | None) -> list[Fact]:
    """The facts as the rule reads them: a "yes" dated after its file as one without a date (rule 5)."""
    return [f._replace(occurred_at=None) if _after_its_file(f, zone) else f for f in facts]


def _order_key(zone: tzinfo | None):
    def key(fact: Fact) -> tuple:
        return (rule_day(fact, zone), STRICTNESS.get(fact.status, STRICTNESS[DENIED]),
                _utc(fact.occurred_at), fact.record_id, fact.consent_id)
    return key


def is_refusal(fact: Fact) -> bool:
    """Whether an undated fact cannot lift ``fact`` (rule 4): an opt-out, or a "no" said at a known
    time (a dated "denied", as every "no" typed in by hand is)."""
    return fact.status in OPT_OUTS or (fact.status == DENIED and bool(fact.occurred_at))


def _cannot_lift(current: Fact | None, fact: Fact) -> bool:
    """Rule 4: ``fact`` has no date of its own and would take a refusal in force somewhere less strict
    (a "yes", a "pending", a "denied" after an unsubscribe); nor an undated "no" of another channel's
    files (the shop's "no" flag is not changed by an old newsletter sheet's "yes" imported after it)."""
    return (current is not None and not fact.occurred_at and fact.status != current.status
            and fact.status not in OPT_OUTS
            and (is_refusal(current) or (current.status == DENIED and _other_files(current, fact))))


def _other_files(a: Fact, b: Fact) -> bool:
    """Whether two facts come from different channels' files (or either's is not known): a later
    export of the shop is a newer snapshot of the shop's flag; another list's is no newer word."""
    return not a.source or a.source != b.source


def rule_zone(conn: Connection) -> tzinfo | None:
    """The zone whose days the rule counts on, read through ``conn`` once per decision: the
    shop's (the ``timezone`` setting); when it is not set (or not a zone), the computer's own
    (:func:`~omnidesk.core.timeutil.computer_zone`, the zone every screen reads days in), read
    together with UTC's (:func:`rule_day`).  None (UTC's days) for UTC, or a computer on it."""
    raw = conn.execute(select(Setting.__table__.c.value).where(Setting.__table__.c.key == "timezone")).scalar()
    try:
        name = str(json.loads(raw) or "").strip() if raw else ""
        zone = ZoneInfo(name) if name else None
    except (ValueError, TypeError, ZoneInfoNotFoundError):
        zone = None
    if zone is None:
        return None if time.timezone == 0 and time.altzone == 0 else computer_zone()
    return None if name in ("UTC", "Etc/UTC") else zone


def changes(facts: Iterable[Fact], zone: tzinfo | None = None) -> list[Fact]:
    """The facts that set the consent in force, in the rule's order; the last is in force now.

    A fact that only repeats the status in force, or that cannot lift a
    refusal (undated), is not among them.  ``zone``: the shop's, whose days count (UTC's without).
    """
    out: list[Fact] = []
    current: Fact | None = None
    for fact in sorted(_trusted(facts, zone), key=_order_key(zone)):
        if _cannot_lift(current, fact):
            continue
        if current is None or fact.status != current.status:
            out.append(fact)
        current = fact
    return out


def in_force(facts: Iterable[Fact], zone: tzinfo | None = None) -> Fact | None:
    """The fact that decides a channel's consent (None without facts).

    Among facts repeating the status in force, the latest one is returned, so
    the card names the newest file that says it.  ``zone``: the shop's, whose
    days count (UTC's without; :func:`decide` reads it from the workspace).
    """
    facts = list(facts)
    if len(facts) < 2:  # most people: one fact per channel
        return facts[0] if facts else None
    current: Fact | None = None
    for fact in sorted(_trusted(facts, zone), key=_order_key(zone)):
        if _cannot_lift(current, fact):
            continue
        current = fact
    return current


def stricter(a, b):
    """The stricter of two statuses (or :class:`Fact` s) in force; None is no fact at all.

    A person's consent and their card address's own (``identity.golden``): a yes given from
    another address, or from a record with none, never reopens one that said stop.  On a tie, ``a``.
    """
    if a is None or b is None:
        return a if b is None else b
    rank = [STRICTNESS.get(x.status if isinstance(x, Fact) else x, STRICTNESS[DENIED]) for x in (a, b)]
    return a if rank[0] >= rank[1] else b


def is_mailable(status: str | None) -> bool:
    """Whether marketing may be sent on a channel whose consent in force is ``status``."""
    return status in MAILABLE


def facts_query(*where) -> Select:
    """Consent facts: customer id, channel, status, own time, record id, fact id."""
    con = Consent.__table__
    return select(con.c.customer_id, con.c.channel, con.c.status, con.c.occurred_at, con.c.record_id,
                  con.c.id).where(*where)


def file_times(conn: Connection, record_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """Record id -> (when its file was imported, the file's channel): the time an undated fact is
    known from, and whose snapshot it is (rule 4).

    Not for what was entered by hand: each such fact carries the moment it was typed in, and
    its "file" is as old as the first thing ever typed in (rule 5 would read every later "yes"
    typed in as dated after it).
    """
    rec = SourceRecord.__table__
    batch = ImportBatch.__table__
    ids = sorted(set(record_ids))
    out: dict[int, tuple[str, str]] = {}
    for i in range(0, len(ids), _IN):
        out.update((rid, (started, channel or "")) for rid, started, channel in conn.execute(
            select(rec.c.id, batch.c.started_at, rec.c.channel).join(batch, batch.c.id == rec.c.batch_id)
            .where(rec.c.id.in_(ids[i:i + _IN]), batch.c.kind != HAND_KIND)
        ).all())
    return out


def fact_of(row: tuple, files: dict[int, tuple[str, str]]) -> Fact:
    """A row of :func:`facts_query` as the rule reads it, with its file's time and channel."""
    recorded, source = files.get(row[4], (None, ""))
    return Fact(row[2], row[3], recorded, row[4], row[5], source)


def _grouped(conn: Connection, rows: Iterable[tuple], zone: tzinfo | None | bool):
    """Each channel's only fact row, and the facts of channels with several (with file times).

    ``zone`` True: the workspace's, read through ``conn`` (once, and only when there is a decision).
    """
    first: dict[tuple[int, str], tuple] = {}
    more: dict[tuple[int, str], list[tuple]] = {}
    for row in rows:
        key = (row[0], row[1])
        if key in first:
            more.setdefault(key, [first[key]]).append(row)
        else:
            first[key] = row
    decided: dict[tuple[int, str], Fact] = {}
    if more:
        # An undated fact counts from its file; so does a "yes" dated after it (rule 5).
        files = file_times(conn, (r[4] for group in more.values() for r in group
                                  if not r[3] or r[2] in _MAY_BE_LATER))
        if zone is True:
            zone = rule_zone(conn)
        for key, group in more.items():
            decided[key] = in_force([fact_of(r, files) for r in group], zone)
    return first, decided


def decide(conn: Connection, rows: Iterable[tuple], zone: tzinfo | None | bool = True
           ) -> dict[tuple[int, str], Fact]:
    """(customer id, channel) -> the fact in force, from rows of :func:`facts_query`.

    The import time of a fact's file is looked up only where it takes part in a
    decision (``recorded_at`` is None on a channel's only fact): most people
    have one fact per channel, and the look-up costs a join.  Days are the
    shop's: ``zone``, by default the workspace's (:func:`rule_zone`).
    """
    first, decided = _grouped(conn, rows, zone)
    out = {key: Fact(row[2], row[3], None, row[4], row[5]) for key, row in first.items() if key not in decided}
    out.update(decided)
    return out


def decide_statuses(conn: Connection, rows: Iterable[tuple], zone: tzinfo | None | bool = True
                    ) -> dict[tuple[int, str], str]:
    """(customer id, channel) -> the status in force: :func:`decide` for a million customers."""
    first, decided = _grouped(conn, rows, zone)
    out = {key: row[2] for key, row in first.items()}
    out.update((key, fact.status) for key, fact in decided.items())
    return out
