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
from typing import NamedTuple

from sqlalchemy import Select, select

from omnidesk.core.models import Consent, ImportBatch, SourceRecord
from omnidesk.core.timeutil import to_utc

GRANTED, PENDING, DENIED, UNSUBSCRIBED, CLEANED = "granted", "pending", "denied", "unsubscribed", "cleaned"
# Stricter statuses win ties; an unknown status counts as a plain "no".
STRICTNESS = {GRANTED: 0, PENDING: 1, DENIED: 2, UNSUBSCRIBED: 3, CLEANED: 4}
OPT_OUTS = frozenset({UNSUBSCRIBED, CLEANED})
MAILABLE = frozenset({GRANTED})


class Fact(NamedTuple):
    """One consent fact as the rule reads it."""

    status: str
    occurred_at: str | None  # the consent's own time, when its file gave one
    recorded_at: str | None  # when its file was imported
    record_id: int
    consent_id: int = 0


def fact_day(fact: Fact) -> str:
    """The UTC day a fact counts on: its own date's, else its file's import day ("" if neither)."""
    return (to_utc(fact.occurred_at) or to_utc(fact.recorded_at) or "")[:10]


def _order(fact: Fact) -> tuple:
    return (fact_day(fact), STRICTNESS.get(fact.status, STRICTNESS[DENIED]),
            to_utc(fact.occurred_at) or "", fact.record_id, fact.consent_id)


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
    """Consent facts with what the rule needs: customer, channel, then the :class:`Fact` columns."""
    con = Consent.__table__
    rec = SourceRecord.__table__
    batch = ImportBatch.__table__
    return (
        select(con.c.customer_id, con.c.channel, con.c.status, con.c.occurred_at,
               batch.c.started_at, con.c.record_id, con.c.id)
        .select_from(con.join(rec, rec.c.id == con.c.record_id).join(batch, batch.c.id == rec.c.batch_id))
        .where(*where)
    )


def decide(rows: Iterable[tuple]) -> dict[tuple[int, str], Fact]:
    """(customer id, channel) -> the fact in force, from rows of :func:`facts_query`."""
    grouped: dict[tuple[int, str], list[Fact]] = {}
    for cid, channel, status, occurred_at, recorded_at, record_id, consent_id in rows:
        grouped.setdefault((cid, channel), []).append(Fact(status, occurred_at, recorded_at, record_id, consent_id))
    return {key: fact for key, facts in grouped.items() if (fact := in_force(facts)) is not None}
