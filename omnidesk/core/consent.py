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
2. The later day wins.
3. On the same day, the stricter status wins (cleaned, then unsubscribed, then
   denied, then pending, then granted): two exports of one day that disagree
   leave the person opted out.
4. A fact without a date of its own never lifts an opt-out (unsubscribed or
   cleaned): a "yes" flag says the box was ticked by the time of the export,
   not that it was ticked after the opt-out.  Only a dated opt-in after it does.

Only "granted" is mailable.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import Select, select
from sqlalchemy.engine import Connection

from omnidesk.core.models import Consent, ImportBatch, SourceRecord
from omnidesk.core.timeutil import to_utc

GRANTED, PENDING, DENIED, UNSUBSCRIBED, CLEANED = "granted", "pending", "denied", "unsubscribed", "cleaned"
# Stricter statuses win ties; an unknown status counts as a plain "no".
STRICTNESS = {GRANTED: 0, PENDING: 1, DENIED: 2, UNSUBSCRIBED: 3, CLEANED: 4}
OPT_OUTS = frozenset({UNSUBSCRIBED, CLEANED})
MAILABLE = frozenset({GRANTED})
_IN = 900  # ids per IN list; stays under every database's parameter limit


class Fact(NamedTuple):
    """One consent fact as the rule reads it."""

    status: str
    occurred_at: str | None  # the consent's own time, when its file gave one
    recorded_at: str | None  # when its file was imported
    record_id: int
    consent_id: int = 0


@lru_cache(maxsize=1 << 16)
def _utc(iso: str | None) -> str:
    # The same few import times and consent dates come back for thousands of facts.
    return to_utc(iso) or ""


def fact_day(fact: Fact) -> str:
    """The UTC day a fact counts on: its own date's, else its file's import day ("" if neither)."""
    return (_utc(fact.occurred_at) or _utc(fact.recorded_at))[:10]


def _order(fact: Fact) -> tuple:
    return (fact_day(fact), STRICTNESS.get(fact.status, STRICTNESS[DENIED]),
            _utc(fact.occurred_at), fact.record_id, fact.consent_id)


def changes(facts: Iterable[Fact]) -> list[Fact]:
    """The facts that set the consent in force, in the rule's order; the last is in force now.

    A fact that only repeats the status in force, or that cannot lift an
    opt-out (undated), is not among them.
    """
    out: list[Fact] = []
    current: Fact | None = None
    for fact in sorted(facts, key=_order):
        if current is not None and current.status in OPT_OUTS and fact.status not in OPT_OUTS \
                and not fact.occurred_at:
            continue
        if current is None or fact.status != current.status:
            out.append(fact)
        current = fact
    return out


def in_force(facts: Iterable[Fact]) -> Fact | None:
    """The fact that decides a channel's consent (None without facts).

    Among facts repeating the status in force, the latest one is returned, so
    the card names the newest file that says it.
    """
    facts = list(facts)
    if len(facts) < 2:  # most people: one fact per channel
        return facts[0] if facts else None
    current: Fact | None = None
    for fact in sorted(facts, key=_order):
        if current is not None and current.status in OPT_OUTS and fact.status not in OPT_OUTS \
                and not fact.occurred_at:
            continue
        current = fact
    return current


def is_mailable(status: str | None) -> bool:
    """Whether marketing may be sent on a channel whose consent in force is ``status``."""
    return status in MAILABLE


def facts_query(*where) -> Select:
    """Consent facts: customer id, channel, status, own time, record id, fact id."""
    con = Consent.__table__
    return select(con.c.customer_id, con.c.channel, con.c.status, con.c.occurred_at, con.c.record_id,
                  con.c.id).where(*where)


def file_times(conn: Connection, record_ids: Iterable[int]) -> dict[int, str]:
    """Record id -> when its file was imported (the time an undated fact is known from)."""
    rec = SourceRecord.__table__
    batch = ImportBatch.__table__
    ids = sorted(set(record_ids))
    out: dict[int, str] = {}
    for i in range(0, len(ids), _IN):
        out.update(conn.execute(
            select(rec.c.id, batch.c.started_at).join(batch, batch.c.id == rec.c.batch_id)
            .where(rec.c.id.in_(ids[i:i + _IN]))
        ).all())
    return out


def _grouped(conn: Connection, rows: Iterable[tuple]):
    """Each channel's only fact row, and the facts of channels with several (with file times)."""
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
        times = file_times(conn, (r[4] for group in more.values() for r in group if not r[3]))
        for key, group in more.items():
            decided[key] = in_force([Fact(r[2], r[3], times.get(r[4]), r[4], r[5]) for r in group])
    return first, decided


def decide(conn: Connection, rows: Iterable[tuple]) -> dict[tuple[int, str], Fact]:
    """(customer id, channel) -> the fact in force, from rows of :func:`facts_query`.

    The import time of a fact's file is looked up only where it takes part in a
    decision (``recorded_at`` is None on a channel's only fact): most people
    have one fact per channel, and the look-up costs a join.
    """
    first, decided = _grouped(conn, rows)
    out = {key: Fact(row[2], row[3], None, row[4], row[5]) for key, row in first.items() if key not in decided}
    out.update(decided)
    return out


def decide_statuses(conn: Connection, rows: Iterable[tuple]) -> dict[tuple[int, str], str]:
    """(customer id, channel) -> the status in force: :func:`decide` for a million customers."""
    first, decided = _grouped(conn, rows)
    out = {key: row[2] for key, row in first.items()}
    out.update((key, fact.status) for key, fact in decided.items())
    return out
