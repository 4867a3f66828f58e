"""Whether a file whose columns look like events really holds events.

A column called "Date" next to one called "Contact type" makes a list of people
look like a log of things they did.  The columns alone cannot tell; the values
can: an events file has a time on (nearly) every row, and each row says what
happened (an action such as "purchase" or "opened") or what it was worth (an
amount), or names the order or item it was.  A type column that holds kinds of
people ("Customer", "Lead", "Subscriber") is no action.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from omnidesk.core.importing import normalize as nz
from omnidesk.core.importing.fields import IGNORE

__all__ = ["EventEvidence", "events_evidence", "is_action"]

# Share of the filled rows that must carry a time, and the share that must say
# what happened, for a file to be read as events.
TIME_SHARE = 0.9
ACTION_SHARE = 0.5

_WORDS = re.compile(r"[^\W\d_]+")

# Words of things people do, in the forms exports write them.
_ACTION_WORDS = frozenset(
    """
    order orders ordered purchase purchased purchases buy bought sale sold refund refunded return
    returned payment paid pay checkout cart abandoned visit visited view viewed pageview page
    open opened opens click clicked clicks sent send delivered bounce bounced unsubscribe
    unsubscribed subscribe subscribed signup signed sign registration registered register booking
    booked book appointment reservation reserved checkin checked call called calls meeting met
    message messaged reply replied chat email emailed sms text texted submitted submission submit
    form download downloaded login logged redeemed redeem review reviewed rsvp attended attend
    cancelled canceled donation donated invoice invoiced quote quoted renewal renewed trial
    enquiry inquiry request requested complaint ticket session lesson class treatment consultation
    kauf bestellung besuch anruf achat commande visite appel compra pedido visita llamada acquisto
    ordine
    """.split()
)
# Words naming a kind of person or how far a salesperson got with them.
_PERSON_WORDS = frozenset(
    """
    customer customers client clients lead leads prospect prospects subscriber subscribers
    member members partner partners vendor vendors supplier suppliers employee employees other
    opportunity evangelist qualified unqualified disqualified vip friend family patient guest
    guests individual business company person
    """.split()
)


def is_action(value: str) -> bool:
    """True when ``value`` names something a person did ("Purchase", "email_opened"),
    false for a kind of person ("Customer", "Marketing qualified lead") or anything else."""
    words = [w.casefold() for w in _WORDS.findall(value)]
    if not words or any(w in _PERSON_WORDS for w in words):
        return False
    return any(w in _ACTION_WORDS for w in words)


@dataclass
class EventEvidence:
    rows: int = 0
    timed: int = 0
    actions: int = 0
    amounts: int = 0
    orders: int = 0

    @property
    def holds_events(self) -> bool:
        if not self.rows or self.timed < TIME_SHARE * self.rows:
            return False
        return max(self.actions, self.amounts, self.orders) >= ACTION_SHARE * self.rows

    def reason(self) -> str:
        """Why the file is read as contacts, in a sentence for the user."""
        if not self.rows:
            return "it has no rows"
        if self.timed < TIME_SHARE * self.rows:
            return f"only {self.timed} of its {self.rows} rows have a time"
        return (f"none of its columns says what happened or what it cost on most rows "
                f"(an action on {self.actions}, an amount on {self.amounts}, an order on "
                f"{self.orders} of {self.rows})")


_DATE_SHAPED = re.compile(r"\d{1,4}[-./]\d{1,2}[-./]\d{1,4}")


def _mistyped_date(text: str) -> bool:
    """Whether ``text`` is written as a date (digits between separators), valid or not."""
    return _DATE_SHAPED.search(text) is not None


def events_evidence(records: Iterable[Sequence[str]], mapping: Sequence[str],
                    date_orders: dict[int, nz.DateOrder], region: str) -> EventEvidence:
    """Count, over ``records`` (rows of cells), the facts that make rows events."""
    def columns(*names: str) -> list[int]:
        return [i for i, f in enumerate(mapping) if f in names]

    times = columns("occurred_at")
    clocks = columns("occurred_time")
    actions = columns("event_type")
    amounts = columns("amount")
    orders = columns("order_id", "item_name")
    numbers = columns("order_id")
    # Order numbers seen on a row with a time: a later row without one that repeats such a
    # number is another line of that order (Squarespace writes an order's extra items so).
    dated_orders: set[str] = set()
    default_order = nz.default_date_order(region)
    ev = EventEvidence()
    mapped = [i for i, f in enumerate(mapping) if f != IGNORE]
    for values in records:
        n = len(values)

        def cell(i: int) -> str:
            return nz.clean_cell(values[i]) if i < n else ""

        if not any(cell(i) for i in mapped):
            continue
        ev.rows += 1
        if any((text := cell(i)) and (_mistyped_date(text)
                                       or nz.parse_datetime(text, date_orders.get(i, default_order)).value)
               for i in times) or (not times and any(cell(i) for i in clocks)):
            # A date that does not exist (31/11) is a row to flag, not a row without a time.
            ev.timed += 1
            dated_orders.update(text for i in numbers if (text := cell(i)))
        elif any(cell(i) in dated_orders for i in numbers if cell(i)):
            ev.timed += 1
        if any(is_action(cell(i)) for i in actions):
            ev.actions += 1
        if any((text := cell(i)) and nz.parse_money(text).value is not None for i in amounts):
            ev.amounts += 1
        if any(cell(i) for i in orders):
            ev.orders += 1
    return ev
