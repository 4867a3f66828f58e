"""Build each customer's golden record from the source records linked to it.

Survivorship, per field, after a value the user pinned (which always wins);
contact records outrank event records throughout:

* names, company and birthday: the most trusted channel that has the field
  (the ``channel_trust`` setting; by default the shop, where people type their
  own name at checkout, then the till, the email list, ...), then the most
  recently imported record;
* the full name (every word, middle names too; the name the lists show): the
  most trusted record carrying the card's first and last name, else the two
  joined;
* the address (street, city, region, postcode): the most recently imported
  record that has one, all its parts from that one record, so a new street
  never sits beside the old postcode — but a latest record with no street whose
  every part agrees with an older whole address leaves that one in place (a
  form's bare ZIP code does not wipe the street); the country too, or when that
  record does not say, the most recent record that does;
* email and phone: the value seen most often (ties: the most recent).

Consent per channel is decided by :mod:`omnidesk.core.consent`.  Orders and spend are
counted once per channel and added up over channels (:mod:`omnidesk.core.money`): per
shop account of the channel, its lifetime figure from its latest customers export, else its
order rows net of refunds and cancellations, and the accounts added up.  First and last seen span
every dated event, sign-up and consent fact.  A customer left with no source
record is deleted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from collections.abc import Generator, Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, column, delete, func, inspect, literal, or_, select, table
from sqlalchemy.engine import Connection

from omnidesk.core import forking
from omnidesk.core.importing.names import compose_full_name
from omnidesk.core.channels import HAND
from omnidesk.core.text import INVISIBLE, sort_key, strip_accents, visible
from omnidesk.core.metrics_index import given_with_offset, shop_currency_code, shop_zone_key
from omnidesk.core.timeutil import day_or_instant_utc, wall_clock_utc
from omnidesk.core.consent import GRANTED, KEPT_ON_ERASE, STRICTNESS, decide_statuses, facts_query, stricter
from omnidesk.core.contact import mailbox_key
from omnidesk.core.dialect import (
    clear_customer_search,
    executemany,
    has_customer_search,
    indexes_suspended,
    index_customers,
    insert_rows_in_bulk,
    last_indexed_customer,
    SEARCH_TABLE,
    raw_rows,
    set_column_by_id,
    unindex_customers,
)
from omnidesk.core.models import Consent, Customer, Event, Identifier, SourceRecord, utcnow
from omnidesk.core.money import (
    ORDER_TYPES,
    Holder,
    channel_money,
    counted_by_account,
    in_shop_currency,
    lifetime_currency,
    lifetime_from_values,
    money_totals,
    order_holder_columns,
    order_row_aggregates,
    order_rows,
)
from omnidesk.core.tasks import Progress, run_to_completion

_IN = 900  # ids per IN list; stays under every database's parameter limit
_RANGE = 5000  # customers per round trip when their ids are dense enough to ask for a range
# From this many runs a forked child works out the golden records (forking.py): starting it
# and sending it each run's facts costs less than the Python it takes over.
_FORK_FROM_RUNS = 4
_NULLABLE = ("email", "phone", "birthday")  # a value cleared by hand is NULL, as an absent one
_TEXT_FIELDS = ("first_name", "last_name", "company", "address", "city", "region", "postcode",
                "country", "birthday")
# Record columns read, as tuple positions (rows are plain tuples: attribute access on
# result rows costs more than the survivorship itself at a million records).
_REC_COLS = ("id", "customer_id", "kind", "channel", "email", "phone", "tags", "values_json",
             "first_name", "last_name") + _TEXT_FIELDS[2:] + ("full_name", "batch_id", "external_id")
_ID, _CID, _KIND, _CHANNEL, _EMAIL, _PHONE, _TAGS, _VALUES = range(8)
_TEXT_AT = tuple(range(8, 8 + len(_TEXT_FIELDS)))
_FIRST, _LAST = _TEXT_AT[0], _TEXT_AT[1]
_FULL, _BATCH, _EXTERNAL = len(_REC_COLS) - 3, len(_REC_COLS) - 2, len(_REC_COLS) - 1
_OUT_COLS = (*_TEXT_FIELDS, "email", "phone", "full_name", "display_name", "sort_name", "tags", "consent_email",
             "consent_sms", "consent_whatsapp", "channels", "spend_minor", "orders", "first_seen", "last_seen",
             "source_count", "updated_at")


NO_NAME = "(no name)"  # the name shown for a customer with no name, email or phone


def _display_name(full: str, email: str | None, phone: str | None) -> str:
    return full or email or phone or NO_NAME


def sort_name(display: str) -> str:
    """What the lists sort a customer by (``customer.sort_name``): their display name without
    accents, in one case (``text.sort_key``); '' for no name, which the lists put last."""
    return "" if display == NO_NAME else sort_key(display)


def _full_name(rows: list[tuple], first: str, last: str, trust: dict[str, int],
               trusted: list[tuple] | None = None) -> str:
    """The whole name, every word, of the card's first and last name.

    From the most trusted record (as for the names themselves) that carries
    exactly that first and last name; the two joined when such a record has no
    whole name.  When none carries them (the user typed a name on the card), the
    most trusted whole name with the typed name in place of the old one; failing
    that (the first and last came from different records), the two joined.
    ``trusted``: ``rows`` already in that order (:func:`_by_trust`).
    """
    ordered = rows if len(rows) == 1 else trusted if trusted is not None else _by_trust(rows, trust)
    for r in ordered:
        if r[_FULL] and (r[_FIRST] or "") == first and (r[_LAST] or "") == last:
            return r[_FULL]
    if any((r[_FIRST] or "") == first and (r[_LAST] or "") == last for r in ordered):
        return compose_full_name(first, "", last)  # a record says just these names
    # A name typed on the card: the rest of the most trusted whole name stays, so "Anna Maria
    # Lopez" with Ana typed for Anna is "Ana Maria Lopez", not "Ana Lopez".
    for r in ordered:
        changed: str | None = r[_FULL]
        for was, now in ((r[_FIRST] or "", first), (r[_LAST] or "", last)):
            if changed is not None and was != now:
                changed = _replace_words(changed, was, now) if was and now else None
        if changed:
            return changed
    return compose_full_name(first, "", last)


def _replace_words(full: str, old: str, new: str) -> str | None:
    """``full`` with the words of ``old`` replaced by ``new``, where they stand once as whole words."""
    words, olds = full.split(), old.split()
    at = [i for i in range(len(words) - len(olds) + 1) if words[i:i + len(olds)] == olds]
    if len(at) != 1:
        return None
    i = at[0]
    return " ".join([*words[:i], *new.split(), *words[i + len(olds):]])


DEFAULT_TRUST = ("shop", "pos", "email", "sms", "social", "contacts", "web")
_NAME_FIELDS = ("first_name", "last_name", "company", "birthday")
_PLACE_FIELDS = ("address", "city", "region", "postcode", "country")


def channel_trust(conn: Connection) -> dict[str, int]:
    """Rank per channel from the ``channel_trust`` setting (lower is more trusted).

    Channels the setting does not name come after those it does, in the default order,
    then alphabetically.
    """
    from omnidesk.core.models import Setting

    table = Setting.__table__
    raw = conn.execute(select(table.c.value).where(table.c.key == "channel_trust")).scalar()
    named = [c for c in (json.loads(raw) if raw else []) if isinstance(c, str)]
    order = named + [c for c in DEFAULT_TRUST if c not in named]
    return {c: i for i, c in enumerate(order)}


def refresh_customers(conn: Connection, customer_ids: Iterable[int]) -> int:
    """Recompute the golden record of ``customer_ids``; returns how many were deleted as empty."""
    return run_to_completion(refresh_customers_steps(conn, customer_ids))


def refresh_customers_steps(conn: Connection, customer_ids: Iterable[int]) -> Generator[Progress, None, int]:
    """:func:`refresh_customers`, yielding the customers done so far after each round trip.

    A refresh of a good share of the customers (a second big import, a rebuild
    after a change to what the cards hold) drops the customer table's indexes
    and builds them once at the end (:func:`customer_indexes_built_once`): every
    card rewritten keeps sixteen of them, and changing them card by card cost
    eight times what building them anew does (170,000 cards: 13.3 s against 1.6 s).

    Each run of customers is read, worked out in Python, then written.  Over
    several runs on SQLite the writing of one run (the search index above all,
    which is SQLite's own work) goes on in a second thread while the next run
    is worked out (:class:`_WriteBehind`).  From ``_FORK_FROM_RUNS`` runs, where
    a forked child may take work (``forking``), the child works out each run's
    golden records from what this process read while this process writes the
    run before and reads the next: the same rows either way.  Between two
    progress reports nothing is in flight but the run the child works on.
    """
    ids = sorted(set(customer_ids))
    with customer_indexes_built_once(conn, len(ids)):
        return (yield from _refresh_steps(conn, ids))


# A refresh of at least this many customers, and of at least this share of them all, rebuilds the
# customer table's indexes once instead of changing them card by card.  Measured on a 170,000-card
# workspace: an index change costs about 70 us a card, building all sixteen anew about 10 us a
# card of the whole table; a sixth keeps a margin for a table whose indexes are bigger.
_BULK_FROM = 20_000
_BULK_SHARE = 6


def customer_indexes_built_once(conn: Connection, count: int):
    """The customer table's indexes dropped for writing ``count`` cards and built again after, where
    that costs less than changing them card by card (``indexes_suspended``); otherwise left alone."""
    cust = Customer.__table__
    many = count >= _BULK_FROM and conn.dialect.name == "sqlite" and count * _BULK_SHARE >= conn.execute(
        select(func.count()).select_from(cust)).scalar_one()
    return indexes_suspended(conn, [i.name for i in cust.indexes] if many else ())


def _refresh_steps(conn: Connection, ids: list[int]) -> Generator[Progress, None, int]:
    deleted = done = 0
    trust = channel_trust(conn) if ids else {}
    indexed_to = last_indexed_customer(conn) if ids else 0
    if indexed_to and len(ids) >= _BULK_FROM and _every_customer(conn, ids):
        # Every card is written again (a rebuild, a new time zone): the search index is emptied
        # at once and filled anew, as after a first import.  Taking out each entry before its
        # new one goes in costs FTS5 about what writing it does (131,000 cards: 5.1 s, against
        # 0.6 s to make the index again).
        clear_customer_search(conn)
        indexed_to = 0
    runs = list(_chunks(ids))
    behind = _WriteBehind.for_connection(conn) if len(runs) > 1 else None
    helper = forking.worker(_golden_rows) if len(runs) >= _FORK_FROM_RUNS else None
    waiting: tuple[list[int], list[int], _ChunkFacts] | None = None  # the run the child works on

    def write(chunk: list[int], out: tuple[list[tuple], list[tuple[int, str, str, str]], list[int]]) -> int:
        updates, search, empty = out
        unindexed = chunk[0] > indexed_to
        if behind is not None:
            behind.wait()
            behind.stage(search, unindexed)
            if updates:
                executemany(conn, _UPDATE_CUSTOMER, updates)
        else:
            _write_chunk(conn, updates, search, unindexed)
        if empty:
            unindex_customers(conn, empty)
            conn.execute(delete(Customer.__table__).where(Customer.__table__.c.id.in_(empty)))
        return len(empty)

    def answer(rest: list[int], facts: _ChunkFacts):
        # The child's golden rows for the run it was given; worked out here if it failed.
        nonlocal helper
        if helper is not None:
            try:
                return helper.result()
            except forking.ForkFailed:
                helper = None
        return _golden_rows(rest, facts, trust)

    try:
        for chunk, bounds in runs:
            rest = chunk
            if behind is not None and bounds is not None and _whole_range(conn, chunk, bounds):
                # Every customer of the range is wanted: those of one plain record are written in SQL.
                plain = behind.write_plain_singles(bounds, chunk[0] > indexed_to)
                if plain:
                    rest = [cid for cid in chunk if cid not in plain]
            facts = _read_chunk(conn, rest, bounds, without_plain=rest is not chunk)
            if behind is not None:
                behind.start()  # the previous run's writes, while this one is worked out
            if helper is None and waiting is None:
                deleted += write(chunk, _golden_rows(rest, facts, trust))
            else:
                out = answer(*waiting[1:]) if waiting is not None else None
                if helper is not None:
                    try:
                        helper.submit(rest, facts, trust)
                    except forking.ForkFailed:
                        helper = None
                if out is not None:
                    deleted += write(waiting[0], out)
                elif behind is not None:
                    behind.wait()  # the connection is the next run's again
                waiting = (chunk, rest, facts)
                if helper is None:  # the child is gone: this run is worked out here
                    deleted += write(chunk, _golden_rows(rest, facts, trust))
                    waiting = None
            done += len(chunk)
            yield Progress(done, len(ids), "Updating customers")
        if waiting is not None:
            deleted += write(waiting[0], answer(*waiting[1:]))
            waiting = None
        if behind is not None:
            behind.start()
            behind.wait()
    finally:
        if helper is not None:
            if waiting is None:
                helper.close()
            else:  # stopped early: the child's answer is not wanted
                helper.stop()
        if behind is not None:
            behind.close()
    return deleted


def _every_customer(conn: Connection, ids: list[int]) -> bool:
    """Whether ``ids`` (distinct, ascending) are every customer the workspace holds."""
    cust = Customer.__table__
    return conn.execute(select(func.count()).select_from(cust)).scalar_one() == conn.execute(
        select(func.count()).where(cust.c.id.between(ids[0], ids[-1]))).scalar_one() == len(ids)


def _whole_range(conn: Connection, chunk: list[int], bounds: tuple[int, int]) -> bool:
    """Whether ``chunk`` (ids ascending, within ``bounds``) is every customer the range holds.

    The ids the range skips may be customers merged away or never made (a rebuild keeps
    the ids it had, gaps and all): only customers that exist and are not wanted matter.
    """
    if bounds[1] - bounds[0] + 1 == len(chunk):
        return True
    cust = Customer.__table__
    return conn.execute(select(func.count()).where(cust.c.id.between(*bounds))).scalar_one() == len(chunk)


def _chunks(ids: list[int]):
    """Runs of ids, each asked for as a range (dense runs) or an IN list (scattered ones)."""
    i = 0
    while i < len(ids):
        j = min(i + _RANGE, len(ids))
        # Dense: the range holds few ids that are not wanted.
        if ids[j - 1] - ids[i] < 2 * (j - i):
            yield ids[i:j], (ids[i], ids[j - 1])
        else:
            j = min(i + _IN, len(ids))
            yield ids[i:j], None
        i = j


def _where(column, chunk: list[int], bounds: tuple[int, int] | None):
    return column.between(*bounds) if bounds else column.in_(chunk)


@dataclass
class _ChunkFacts:
    """What the database holds about one run of customers, read before any of it is worked out."""

    records: dict[int, list[tuple]]
    pinned: dict[int, dict]
    consent_times: dict[int, list[str]]
    latest_consent: dict[tuple[int, str], str]
    # ((customer id, address), channel) -> the status in force among the facts of the records
    # whose own email (email) or phone (SMS, WhatsApp) is that address; customers of several
    # records only (see _address_statuses).
    address_consent: dict[tuple[tuple[int, str], str], str]
    # The same without the yeses typed in by hand, which the card's address is chosen by.
    address_own: dict[tuple[tuple[int, str], str], str]
    event_stats: dict[int, list[tuple]]
    identifiers: list[tuple[int, str, str]] | None  # (customer id, kind, value); None: no search index
    zone: str = ""  # the shop's time zone (its key), which a date without a time is a day of
    currency: str | None = None  # the shop's currency: spend is money in it (money.in_shop_currency)
    # Customer id -> their order rows by whose they are: (channel, the four columns of
    # money.order_holder_columns, the four sums of money.order_row_aggregates); only of the customers
    # whose order rows may be of several accounts (_accounts_apart).
    order_holders: dict[int, list[tuple]] = field(default_factory=dict)


def _read_chunk(conn: Connection, ids: list[int], bounds: tuple[int, int] | None,
                without_plain: bool = False) -> _ChunkFacts:
    """What the golden records of ``ids`` are made from.

    ``without_plain``: the customers :meth:`_WriteBehind.write_plain_singles` wrote
    are left out of ``ids`` and their records are not read.
    """
    rec = SourceRecord.__table__
    cust = Customer.__table__
    wanted = set(ids)
    records: dict[int, list[tuple]] = {cid: [] for cid in ids}
    in_run = _where(rec.c.customer_id, ids, bounds)
    if without_plain:
        in_run = and_(in_run, rec.c.customer_id.not_in(select(_PLAIN.c.id)))
    # Each customer's records in id order.  Ordered by customer first, the rows come
    # straight off the customer index, with no sort of the whole run.
    for row in raw_rows(conn,
        select(*[rec.c[c] for c in _REC_COLS]).where(in_run)
        .order_by(rec.c.customer_id, rec.c.id)
    ):
        bucket = records.get(row[_CID])
        if bucket is not None:
            bucket.append(row)
    pinned = {
        cid: json.loads(p)
        for cid, p in conn.execute(select(cust.c.id, cust.c.pinned_json)
                                   .where(_where(cust.c.id, ids, bounds), cust.c.pinned_json != "{}"))
        if cid in wanted
    }
    consent = Consent.__table__
    # An opt-in or an unsubscribe is a time the person was there too: a list member who
    # signed up in 2023 was first seen then, not at their first order.
    consent_times: dict[int, list[str]] = {}
    in_run = _where(consent.c.customer_id, ids, bounds)
    if without_plain:  # the plain singles' facts were read by SQL
        in_run = and_(in_run, consent.c.customer_id.not_in(select(_PLAIN.c.id)))
    # (and whether each is a stop an erase kept on the others who hold its address: dated at the
    # erase, it is no time they were there)
    consent_rows = list(raw_rows(conn, facts_query(in_run).add_columns(consent.c.note.endswith(KEPT_ON_ERASE))))
    for row in consent_rows:
        if row[3] and not row[6]:
            consent_times.setdefault(row[0], []).append(row[3])
    latest_consent = decide_statuses(conn, consent_rows)
    address_consent, address_own = _address_statuses(conn, consent_rows, records)
    ev = Event.__table__
    # Per customer and channel: the order rows (money.order_row_aggregates) and the time span, of
    # the times given with an offset (stored in UTC) and of those given without (a till's, stored
    # on the shop's clock: made instants once the run's zone is known, _golden_rows).
    offset = func.coalesce(given_with_offset(ev.c.occurred_at), False)
    wall = case((offset, None), else_=ev.c.occurred_utc)
    in_utc = case((offset, ev.c.occurred_utc), else_=None)
    event_stats: dict[int, list[tuple]] = {}
    shop = shop_currency_code(conn)
    for row in raw_rows(conn,
        select(ev.c.customer_id, ev.c.channel, *order_row_aggregates(ev, shop),
               func.min(in_utc), func.max(in_utc), func.min(wall), func.max(wall))
        .where(_where(ev.c.customer_id, ids, bounds)).group_by(ev.c.customer_id, ev.c.channel)
    ):
        event_stats.setdefault(row[0], []).append(row[1:])
    identifiers = list(_identifier_rows(conn, ids, bounds, without_plain)) if has_customer_search(conn) else None
    return _ChunkFacts(records, pinned, consent_times, latest_consent, address_consent, address_own, event_stats,
                       identifiers,
                       shop_zone_key(conn), shop, _order_holders(conn, records, event_stats, ids, bounds, shop))


def _accounts_apart(rows: list[tuple]) -> bool:
    """Whether a customer's order rows may be of several shop accounts: a channel of theirs has a
    customers-export record with a lifetime figure and another record besides (money.counted_by_account).
    Otherwise every order row of a channel with a figure came with that figure's own record."""
    with_figures: set[str] = set()
    for r in rows:
        values = r[_VALUES]
        if r[_KIND] == "contacts" and values and ('"total_orders"' in values or '"total_spent"' in values):
            with_figures.add(r[_CHANNEL])
    if not with_figures:
        return False
    seen: dict[str, int] = {}
    for r in rows:
        if r[_CHANNEL] in with_figures:
            seen[r[_CHANNEL]] = seen.get(r[_CHANNEL], 0) + 1
    return any(n > 1 for n in seen.values())


def _order_holders(conn: Connection, records: dict[int, list[tuple]], event_stats: dict[int, list[tuple]],
                   ids: list[int], bounds: tuple[int, int] | None, shop: str | None) -> dict[int, list[tuple]]:
    """The order rows by whose they are (_ChunkFacts.order_holders) of the customers of the run whose
    rows may be of several accounts: one more query, over the order rows alone, and only when the
    run has such customers (most have one record per channel, or no figure)."""
    apart = [cid for cid in event_stats if _accounts_apart(records.get(cid, ()))]
    if not apart:
        return {}
    ev = Event.__table__
    rec = SourceRecord.__table__
    whose = order_holder_columns(ev, rec)
    among = ev.c.customer_id.in_(apart) if len(apart) <= _IN else _where(ev.c.customer_id, ids, bounds)
    wanted = set(apart)
    out: dict[int, list[tuple]] = {}
    for row in raw_rows(conn,
        select(ev.c.customer_id, ev.c.channel, *whose, *order_row_aggregates(ev, shop))
        .select_from(ev.join(rec, rec.c.id == ev.c.record_id))
        .where(among, ev.c.type.in_(ORDER_TYPES)).group_by(ev.c.customer_id, ev.c.channel, *whose)
    ):
        if row[0] in wanted:
            out.setdefault(row[0], []).append(row[1:])
    return out


def _address_statuses(conn: Connection, consent_rows: list, records: dict[int, list[tuple]]
                      ) -> tuple[dict[tuple[tuple[int, str], str], str], dict[tuple[tuple[int, str], str], str]]:
    """Per customer of several records, address and channel: the consent in force among the facts
    of the records that carry that address as their own (``consent.decide_statuses``, keyed by
    (customer, address) instead of customer).

    A customer's consent weighs all their facts; an address has a say of its own.  "Stop"
    from mia.old@ and, later, "yes" from mia.new@ leave Mia subscribed, but not mia.old@
    (:func:`_golden_rows` sends to the address that said yes, and never reads an opt-out
    as lifted by another address's yes).  Consent recorded by hand is the user's word about the
    person: it counts for every address of theirs.

    Returns those statuses, and the same without the yeses typed in by hand: a yes typed in
    is for the address the card goes by, which is chosen without it (:func:`_mind_each_address`).
    Counted for every address in the choice, it took Mia's card back to mia.old@ (seen most
    often), which had said stop.
    """
    if not consent_rows:
        return {}, {}
    address_of: dict[int, tuple[str | None, str | None]] = {}
    by_hand: set[int] = set()
    addresses: dict[int, tuple[set[str], set[str]]] = {}  # customer -> (mailboxes, phones)
    # Only the records of the customers with facts are asked about: most customers of a big
    # refresh have none, and an address for every record of every customer cost more than the
    # rest of the reading.  A fact whose record another customer holds has them all looked at.
    with_facts = [records.get(cid, ()) for cid in {row[0] for row in consent_rows}]
    held = {r[_ID] for rows in with_facts for r in rows}
    for rows in (records.values() if any(row[4] not in held for row in consent_rows) else with_facts):
        if len(rows) > 1:
            for r in rows:
                # An email by its mailbox: "Mia.Old+shop@gmail.com" is the mailbox that said stop
                # as "mia.old@gmail.com" (contact.mailbox_key).
                box = mailbox_key(r[_EMAIL]) if r[_EMAIL] else r[_EMAIL]
                address_of[r[_ID]] = (box, r[_PHONE])
                if r[_CHANNEL] == HAND:
                    by_hand.add(r[_ID])
                mine = addresses.setdefault(r[_CID], (set(), set()))
                if box:
                    mine[0].add(box)
                if r[_PHONE]:
                    mine[1].add(r[_PHONE])
    if not address_of:
        return {}, {}
    keyed = []
    typed_yes = False
    for row in consent_rows:
        found = address_of.get(row[4])
        if found is None:
            continue
        at = row[1] != "email"
        if row[4] in by_hand:
            typed_yes = typed_yes or row[2] == GRANTED
            keyed.extend(((row[0], address), *row[1:]) for address in addresses.get(row[0], ((), ()))[at])
        elif address := found[at]:
            keyed.append(((row[0], address), *row[1:]))
    if not keyed:
        return {}, {}
    statuses = decide_statuses(conn, keyed)
    if not typed_yes:
        return statuses, statuses
    own = decide_statuses(conn, [row for row in keyed if not (row[4] in by_hand and row[2] == GRANTED)])
    return statuses, own


_CONSENT_CHANNELS = ("email", "sms", "whatsapp")  # in the order of _OUT_COLS' consent columns


def _mind_each_address(cid: int, email: str | None, phone: str | None, consents: list, rows: list[tuple],
                       statuses: dict, own: dict, email_pinned: bool) -> tuple[str | None, list]:
    """The customer's email and consent per channel, with each address's own say.

    * Their main email is one that said stop, and another of theirs said yes since: the mail goes
      to the one that said yes (unless the user pinned the email).
    * The consent of a channel is the stricter of the customer's and the main address's own:
      a yes given elsewhere (another address, a record without one) never reopens an address
      that said stop.
    """
    def said(address: str | None, channel: str, among: dict = statuses) -> str | None:
        if address and channel == "email":
            address = mailbox_key(address)
        return among.get(((cid, address), channel)) if address else None

    # Chosen by the addresses' own answers: a yes typed in is for the address chosen.
    if email is not None and not email_pinned and STRICTNESS.get(said(email, "email", own) or GRANTED, 2) >= 2:
        counts: dict[str, int] = {}
        for r in rows:
            if (v := r[_EMAIL]) and v != email and said(v, "email", own) == GRANTED:
                counts[v] = counts.get(v, 0) + 1
        if counts:
            best = max(counts.values())
            email = next(r[_EMAIL] for r in sorted(rows, key=_latest_contacts_first, reverse=True)
                         if counts.get(r[_EMAIL]) == best)
    email_status, sms_status, whatsapp_status = consents
    return email, [stricter(email_status, said(email, "email")), stricter(sms_status, said(phone, "sms")),
                   stricter(whatsapp_status, said(phone, "whatsapp"))]


def _golden_rows(ids: list[int], facts: _ChunkFacts, trust: dict[str, int]
                 ) -> tuple[list[tuple], list[tuple[int, str, str, str]], list[int]]:
    """Each customer's golden record (a row for ``_OUT_COLS`` and its id) and search entry.

    Works on what :func:`_read_chunk` read, without the database.  Also returns
    the customers left with no record, to be deleted.
    """
    records, pinned, consent_times = facts.records, facts.pinned, facts.consent_times
    latest_consent, event_stats = facts.latest_consent, facts.event_stats
    by_address, by_own = facts.address_consent, facts.address_own
    zone = ZoneInfo(facts.zone) if facts.zone else None
    trust = trust or {}
    indexed = facts.identifiers is not None
    names: dict[int, set[str]] = {}  # every name a customer's records carry, for its search entry
    updates = []
    empty = []
    now = utcnow()
    for cid in ids:
        rows = records[cid]
        if not rows:
            empty.append(cid)
            continue
        if len(rows) == 1 and cid not in pinned:
            # Most customers of a big first import: one record, whose fields are the card.
            r = rows[0]
            text = [r[i] or "" for i in _TEXT_AT]
            text[-1] = text[-1] or None  # the birthday
            email, phone = r[_EMAIL] or None, r[_PHONE] or None
            consents = [latest_consent.get((cid, ch)) for ch in _CONSENT_CHANNELS]
            full = r[_FULL] or compose_full_name(r[_FIRST] or "", "", r[_LAST] or "")
            channels = r[_CHANNEL]
            display = _display_name(full, email, phone)
            if indexed:
                names[cid] = {display, full} if full and full != display else {display}
        else:
            # What the user entered by hand acts through pins (edits.py); those records take
            # part in survivorship only for a customer made of nothing else.
            sourced = [r for r in rows if r[_CHANNEL] != HAND] or rows
            trusted = _by_trust(sourced, trust) if len(sourced) > 1 else sourced
            values = _survivors(sourced, trust, trusted)
            for f, v in pinned.get(cid, {}).items():
                if f in values:
                    values[f] = v if v or f not in _NULLABLE else None
            text = [values[f] for f in _TEXT_FIELDS]
            email, phone = values["email"], values["phone"]
            consents = [latest_consent.get((cid, ch)) for ch in _CONSENT_CHANNELS]
            if by_address:
                email, consents = _mind_each_address(cid, email, phone, consents, sourced, by_address, by_own,
                                                     "email" in pinned.get(cid, {}))
            full = _full_name(sourced, values["first_name"], values["last_name"], trust, trusted)
            channels = " ".join(sorted({r[_CHANNEL] for r in sourced}))
            display = _display_name(full, email, phone)
            if indexed:
                every = {display}
                for r in rows:
                    if written := r[_FULL] or compose_full_name(r[_FIRST] or "", "", r[_LAST] or ""):
                        every.add(written)
                names[cid] = every
        stats = event_stats.get(cid, ())
        # Every time an instant in UTC, as the card stores it.
        seen = _event_span(stats, zone) if stats else []
        if cid in consent_times:
            seen.extend(t for w in consent_times[cid] if (t := day_or_instant_utc(w, zone)))
        lifetimes: dict[str, list[tuple[Holder, int, dict]]] = {}
        for r in rows:
            if r[_VALUES] != "{}":
                extra = json.loads(r[_VALUES] or "{}")
                # When the record's system saw the person: their sign-up, their last visit.
                for name in _SEEN_VALUES:
                    if extra.get(name):
                        at = day_or_instant_utc(extra[name], zone)
                        if at:
                            seen.append(at)
                if r[_KIND] == "contacts" and ("total_orders" in extra or "total_spent" in extra):
                    lifetimes.setdefault(r[_CHANNEL], []).append(
                        (Holder.of(r[_ID], r[_EXTERNAL], r[_EMAIL], r[_PHONE]), r[_BATCH], extra))
        # No order rows and no export figures: no orders, no spend (what money_totals of nothing gives).
        orders, spend = (_orders_and_spend(stats, lifetimes, facts.currency, facts.order_holders.get(cid, ()))
                         if stats or lifetimes else (0, None))
        if seen:
            first_seen, last_seen = min(seen)[:19], max(seen)[:19]
        else:
            first_seen = last_seen = None
        updates.append((
            *text, email, phone, full,
            display, sort_name(display),
            _tags(rows),
            *consents,
            channels,
            spend, orders,
            first_seen,
            last_seen,
            len(rows), now, cid,
        ))
    return updates, _entries(names, facts.identifiers) if indexed and names else [], empty


_UPDATE_CUSTOMER = f"UPDATE customer SET {', '.join(f'{c} = ?' for c in _OUT_COLS)} WHERE id = ?"


def _write_chunk(conn: Connection, updates: list[tuple], search: list[tuple[int, str, str, str]],
                 unindexed: bool) -> None:
    """Write a run's golden records and search entries (``unindexed``: none has an entry yet)."""
    index_customers(conn, search, unindexed=unindexed)
    if updates:
        executemany(conn, _UPDATE_CUSTOMER, updates)


_FTS_DEFAULTS = {"automerge": 4, "hashsize": 1 << 20}  # FTS5's own
_BULK_HASHSIZE = 1 << 24


class _WriteBehind:
    """Writes one run's search entries in a second thread while the next run is worked out.

    Trigram indexing is most of a big refresh's database time.  The entries
    are first copied into a temporary table (quick: no index to keep), then
    one ``INSERT ... SELECT`` indexes them: a single statement, which SQLite
    runs without Python's global lock, so it overlaps with the Python of the
    next run (a statement per row would take the lock back per row).  The
    golden records themselves are written by the caller: copying them into a
    table first costs as much as writing them.  The thread uses the caller's
    connection, in the caller's transaction, only between :meth:`start` and
    :meth:`wait`, when the caller does not.  SQLite only.
    """

    _STAGE = "temp.search_stage"

    def __init__(self, conn: Connection) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self.conn = conn
        self.staged: bool | None = None  # staged entries waiting: whether none of them was indexed before
        self.future = None
        conn.exec_driver_sql("CREATE TEMP TABLE IF NOT EXISTS search_stage "
                             "(id INTEGER PRIMARY KEY, name TEXT, email TEXT, phone TEXT)")
        conn.exec_driver_sql("CREATE TEMP TABLE IF NOT EXISTS golden_single "
                             "(id INTEGER PRIMARY KEY, rid INTEGER NOT NULL)")
        # Untyped columns: each value kept as the SELECT gives it.
        conn.exec_driver_sql(f"CREATE TABLE IF NOT EXISTS {_GOLDEN_VALUES} (cid INTEGER PRIMARY KEY, "
                             f"{', '.join(_GOLDEN_VALUE_COLUMNS[1:])})")
        # What SQL alone cannot say the way Python does (names in other scripts, phone numbers
        # outside North America); called for those values only.
        driver = conn.connection.driver_connection
        driver.create_function("golden_full_name", 2, _composed, deterministic=True)
        driver.create_function("golden_search_name", 1, _search_name, deterministic=True)
        driver.create_function("golden_sort_name", 1, sort_name, deterministic=True)
        driver.create_function("golden_national", 1, _national_digits, deterministic=True)
        driver.create_function("golden_tags", 1, _one_record_tags, deterministic=True)
        driver.create_function("golden_orders", 1, lambda v: _one_record_lifetime(v)[0], deterministic=True)
        driver.create_function("golden_spend", 1, lambda v: _one_record_lifetime(v)[1], deterministic=True)
        shop = shop_currency_code(conn)
        driver.create_function("golden_shop_money", 1,
                               lambda v: in_shop_currency(lifetime_currency(_values(v)), shop), deterministic=True)
        key = shop_zone_key(conn)
        zone = ZoneInfo(key) if key else None
        driver.create_function("golden_created", 1, lambda v: _one_record_created(v, zone), deterministic=True)
        driver.create_function("golden_last_active", 1, lambda v: _one_record_created(v, zone, "last_active"),
                               deterministic=True)
        driver.create_function("golden_utc", 1, lambda t: day_or_instant_utc(t, zone) or None, deterministic=True)
        # FTS5 merges its index segments as it goes; over a big refresh that merging costs a
        # third of the indexing, for an index rewritten again and again.  Put off here (and the
        # in-memory buffer made bigger than one run), the entries cost a third less; the
        # segments left are merged by later writes, which find the usual settings again.
        self.settings = {k: v for k, v in conn.exec_driver_sql(
            f"SELECT k, v FROM {SEARCH_TABLE}_config WHERE k IN ('automerge', 'hashsize')")}
        self._configure({"automerge": 0, "hashsize": _BULK_HASHSIZE})
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="search-index")

    @classmethod
    def for_connection(cls, conn: Connection) -> _WriteBehind | None:
        return cls(conn) if has_customer_search(conn) else None

    def _configure(self, settings: dict) -> None:
        for key, value in settings.items():
            self.conn.exec_driver_sql(f"INSERT INTO {SEARCH_TABLE} ({SEARCH_TABLE}, rank) VALUES (?, ?)",
                                      (key, int(value)))

    def stage(self, search: list[tuple[int, str, str, str]], unindexed: bool) -> None:
        if search:
            insert_rows_in_bulk(self.conn, self._STAGE, 4, search)
            self._staged(unindexed)

    def _staged(self, unindexed: bool) -> None:
        # Entries staged by several calls are indexed together: deleted first if any might have one.
        self.staged = unindexed if self.staged is None else self.staged and unindexed

    def write_plain_singles(self, bounds: tuple[int, int], unindexed: bool) -> set[int]:
        """Write the golden record and stage the search entry of the plain singles among ``bounds``.

        A plain single is a customer of one record, with no order row or other
        event, no pin, and at most one consent fact per channel.  Most customers
        of a first big import are (a shop's customers export gives each its
        lifetime figures, its tags and a fact per channel), and their golden
        record is that record's fields, its facts' statuses and its figures, so
        it is worked out in SQL, without a Python tuple per customer: the same
        values :func:`_golden_rows` gives (see its singles branch), which
        ``test_golden_plain_singles`` holds it to.  Only what SQL cannot say the
        Python way is handed to Python, value by value (a tag list, the figures
        in the extra values, a time).  Every customer id in ``bounds`` must be
        wanted.  Returns the ids written.
        """
        conn = self.conn
        lo, hi = bounds
        conn.exec_driver_sql(f"DELETE FROM {_PLAIN_TABLE}")
        conn.exec_driver_sql(
            f"INSERT INTO {_PLAIN_TABLE} (id, rid) SELECT g.cid, g.rid FROM "
            "(SELECT customer_id AS cid, min(id) AS rid FROM source_record WHERE customer_id BETWEEN ? AND ? "
            " GROUP BY customer_id HAVING count(*) = 1) AS g "
            "WHERE NOT EXISTS (SELECT 1 FROM event WHERE event.customer_id = g.cid) "
            "AND NOT EXISTS (SELECT 1 FROM consent WHERE consent.customer_id = g.cid "
            "                GROUP BY consent.channel HAVING count(*) > 1) "
            "AND NOT EXISTS (SELECT 1 FROM customer AS c WHERE c.id = g.cid AND c.pinned_json != '{}')",
            (lo, hi))
        written = {cid for (cid,) in conn.exec_driver_sql(f"SELECT id FROM {_PLAIN_TABLE}")}
        if not written:
            return written
        conn.exec_driver_sql(f"DELETE FROM {_GOLDEN_VALUES}")
        conn.exec_driver_sql(_PLAIN_VALUES)
        conn.exec_driver_sql(_UPDATE_PLAIN, (utcnow(), lo, hi))
        conn.exec_driver_sql(_STAGE_PLAIN)
        self._staged(unindexed)
        return written

    def start(self) -> None:
        if self.staged is not None:
            self.future = self.pool.submit(self._index, self.staged)
            self.staged = None

    def wait(self) -> None:
        future, self.future = self.future, None
        if future is not None:
            future.result()  # the thread's error, raised here

    def _index(self, unindexed: bool) -> None:
        conn = self.conn
        if not unindexed:
            conn.exec_driver_sql(f"DELETE FROM {SEARCH_TABLE} WHERE rowid IN (SELECT id FROM {self._STAGE})")
        conn.exec_driver_sql(f"INSERT INTO {SEARCH_TABLE} (rowid, name, email, phone) "
                             f"SELECT id, name, email, phone FROM {self._STAGE}")
        conn.exec_driver_sql(f"DELETE FROM {self._STAGE}")

    def close(self) -> None:
        # On an error or an early stop the thread finishes (or fails) before the caller
        # rolls back; entries still staged go with the temporary table.
        future, self.future = self.future, None
        if future is not None:
            future.exception()
        self.pool.shutdown(wait=True)
        self._configure({k: self.settings.get(k, v) for k, v in _FTS_DEFAULTS.items()})
        self.conn.exec_driver_sql(f"DROP TABLE IF EXISTS {self._STAGE}")
        self.conn.exec_driver_sql(f"DROP TABLE IF EXISTS {_PLAIN_TABLE}")
        self.conn.exec_driver_sql(f"DROP TABLE IF EXISTS {_GOLDEN_VALUES}")


def _by_trust(rows: list[tuple], trust: dict[str, int]) -> list[tuple]:
    """``rows`` most trusted first: contacts before events, then the channel's rank, then the latest."""
    last = len(trust)
    return sorted(rows, key=lambda r: (r[_KIND] != "contacts", trust.get(r[_CHANNEL], last), -r[_ID]))


def _latest_contacts_first(r: tuple) -> tuple:
    return r[_KIND] == "contacts", r[_ID]


_AT = dict(zip(_TEXT_FIELDS, _TEXT_AT))
_NAME_AT = tuple((f, _AT[f]) for f in _NAME_FIELDS)
_PLACE_AT = tuple((f, _AT[f]) for f in _PLACE_FIELDS)
_ADDRESS, _CITY, _POSTCODE, _COUNTRY = _AT["address"], _AT["city"], _AT["postcode"], _AT["country"]


def _same_place(a: str | None, b: str | None) -> bool:
    """Two records' postcodes or cities say the same ("11211" / "11211", "brooklyn" / "Brooklyn")."""
    return "".join((a or "").split()).casefold() == "".join((b or "").split()).casefold()


def _home(ranked: list[tuple]) -> tuple | None:
    """The record whose address the card shows, its parts all from it (see the module docstring).

    The latest record with any part of an address, unless it gives no street and an older
    record gives the whole address at the same place (every part the latest gives, the older
    gives the same): a lead form's bare ZIP code does not wipe the street and city the shop
    had.  A different postcode or city is a move, and the latest stands.
    """
    latest = next((r for r in ranked if r[_ADDRESS] or r[_CITY] or r[_POSTCODE]), None)
    if latest is None or latest[_ADDRESS]:
        return latest
    for older in ranked:
        if older[_ADDRESS] and all(_same_place(older[i], latest[i]) for i in (_CITY, _POSTCODE, _COUNTRY)
                                   if latest[i]):
            return older
    return latest


def _survivors(rows: list[tuple], trust: dict[str, int] | None = None,
               trusted: list[tuple] | None = None) -> dict:
    """Each golden field's value from a customer's records (see the module docstring).

    ``trusted``: ``rows`` in :func:`_by_trust` order, when the caller has sorted them already.
    """
    if len(rows) == 1:
        r = rows[0]
        values = {f: r[i] or "" for f, i in zip(_TEXT_FIELDS, _TEXT_AT)}
        values["birthday"] = values["birthday"] or None
        values["email"] = r[_EMAIL] or None
        values["phone"] = r[_PHONE] or None
        return values
    # Contact records outrank events; within each, the latest import wins.
    ranked = sorted(rows, key=_latest_contacts_first, reverse=True)
    if trusted is None:
        trusted = _by_trust(rows, trust or {})
    values = {}
    for f, i in _NAME_AT:
        for r in trusted:
            if r[i]:
                values[f] = r[i]
                break
        else:
            values[f] = ""
    home = _home(ranked)
    for f, i in _PLACE_AT:
        values[f] = (home[i] or "") if home is not None else ""
    if not values["country"]:
        values["country"] = next((r[_COUNTRY] for r in ranked if r[_COUNTRY]), "")
    values["birthday"] = values["birthday"] or None
    for f, i in (("email", _EMAIL), ("phone", _PHONE)):
        counts: dict[str, int] = {}
        for r in rows:
            if v := r[i]:
                counts[v] = counts.get(v, 0) + 1
        if len(counts) == 1:
            values[f] = next(iter(counts))
        elif counts:
            best = max(counts.values())
            values[f] = next(r[i] for r in ranked if counts.get(r[i]) == best)
        else:
            values[f] = None
    return values


def _tags(rows: list[tuple]) -> str:
    """Every tag of the customer's records, once ("VIP" and "vip" are one tag).

    A tag the user took off by hand stays off whatever a file says, until they
    add it again by hand (edits.py).  A merged customer holds each side's hand
    record: a tag one of them took off stays off even where the other's carries it
    (adding a tag by hand clears it from every one of them).
    """
    if len(rows) == 1:
        return _one_record_tags(rows[0][_TAGS])
    untagged: set[str] = set()
    for r in rows:
        if r[_CHANNEL] == HAND and r[_VALUES] != "{}":
            untagged.update(t.casefold() for t in json.loads(r[_VALUES] or "{}").get("untagged", ()))
    tags: list[str] = []
    seen_tags: set[str] = set()
    for r in rows:
        for t in (r[_TAGS] or "").split(", "):
            key = t.casefold()
            if t and key not in seen_tags and key not in untagged:
                seen_tags.add(key)
                tags.append(t)
    return ", ".join(tags)


def _one_record_tags(tags: str | None) -> str:
    """The tags of a customer of one record: its own, once each.  (A tag taken off by hand
    is kept off other channels' records; one record has none beside it.)"""
    if not tags or ", " not in tags:
        return tags or ""
    out: list[str] = []
    seen: set[str] = set()
    for t in tags.split(", "):
        key = t.casefold()
        if t and key not in seen:
            seen.add(key)
            out.append(t)
    return ", ".join(out)


@lru_cache(maxsize=4)
def _values(text: str | None) -> dict:
    """A record's extra values (its ``values_json``), read once for the several questions asked
    of one record in a row.  Shared: not to be changed."""
    return json.loads(text or "{}")


def _one_record_lifetime(text: str | None) -> tuple[int, int | None]:
    """The (orders, spend) of a customers-export record whose customer has no other record and
    no order rows: its lifetime figures, as :func:`_orders_and_spend` gives them."""
    extra = _values(text)
    if "total_orders" not in extra and "total_spent" not in extra:
        return 0, None
    return _lifetime(extra)


def _lifetime(values: dict) -> tuple[int, int | None]:
    """(orders, spend) of one export row's figures alone: no orders given is none (money.py)."""
    orders, spend = lifetime_from_values(values)
    return (orders if orders is not None else 0), spend


# The values of a record that are times its system saw the person: the sign-up, the last visit
# (a till's "Last Visit", a shop's "Last Active").
_SEEN_VALUES = ("created_at", "last_active")


def _one_record_created(text: str | None, zone=None, name: str = "created_at") -> str | None:
    """When the record's own system says the person signed up (or ``name``: was last there), in
    UTC (None if it does not); a date alone is that day's start on the shop's clock (``zone``)."""
    created = _values(text).get(name)
    return (day_or_instant_utc(created, zone) or None) if created else None


def _event_span(stats, zone) -> list[str]:
    """The first and last times of a customer's events (``_read_chunk``'s per channel), each as
    the instant it names, in naive UTC text.

    A time given without an offset (a till's) is stored on the events as given, on the shop's
    clock (``zone``; None: this computer's, as the timeline reads it), and names the instant the
    timeline and the journeys read: the card keeps that instant, in UTC like every other time
    it holds.  Kept as given, a till sale at 23:30 on 5 January in New York read as 23:30 UTC
    wherever the card's times are read as UTC (a rule on first seen, the new-customer figures,
    the customers file), and compared as text, a till sale at noon in New York came before an
    order online at ten.
    """
    seen = [t for s in stats for t in s[5:7] if t]
    for s in stats:
        for t in s[7:9]:
            if t:
                seen.append(wall_clock_utc(t[:19], zone) or t[:19])
    return seen


def _orders_and_spend(stats, lifetimes: dict[str, list[tuple[Holder, int, dict]]],
                      shop: str | None = None, holders=()) -> tuple[int, int | None]:
    """A customer's orders and spend over every channel, each channel counted once, per account
    (money.counted_by_account); spend in the shop's currency ``shop`` alone.

    ``stats``: :func:`_read_chunk`'s rows of the customer, (channel, the four order sums, the four
    times); ``lifetimes`` the customers-export records giving figures, by channel; ``holders`` the
    customer's order rows by whose they are (``_ChunkFacts.order_holders``), when they may be of
    several accounts: without them, a channel's rows are of its one figure's own record.
    """
    if not stats and len(lifetimes) == 1:
        (records,) = lifetimes.values()
        if len(records) == 1:
            # Most customers of a first import: one export row and no order rows, whose own
            # figures are the answer (money.channel_money with no rows), without its objects.
            orders, spend = _lifetime(records[0][2])
            return orders, spend if in_shop_currency(lifetime_currency(records[0][2]), shop) else None
    rows = {s[0]: order_rows(s[1:5]) for s in stats}
    apart: dict[str, list[tuple[Holder, object]]] = {}
    for h in holders:
        apart.setdefault(h[0], []).append((Holder.of(*h[1:5]), order_rows(h[5:9])))
    parts = []
    for ch in sorted(set(rows) | set(lifetimes)):
        figures = lifetimes.get(ch)
        if not figures:
            m = channel_money(ch, None, rows[ch], shop)
        elif ch in apart:
            m = counted_by_account(ch, figures, apart[ch], shop)
        else:
            m = counted_by_account(ch, figures, [(figures[0][0], rows[ch])] if ch in rows else [], shop)
        if m is not None:
            parts.append(m)
    return money_totals(parts)


def _identifier_rows(conn: Connection, ids: list[int], bounds: tuple[int, int] | None,
                     without_plain: bool = False):
    """(customer id, kind, value) of every identifier of these customers' records."""
    ident = Identifier.__table__
    rec = SourceRecord.__table__
    in_run = _where(rec.c.customer_id, ids, bounds)
    if without_plain:
        in_run = and_(in_run, rec.c.customer_id.not_in(select(_PLAIN.c.id)))
    return raw_rows(conn, select(rec.c.customer_id, ident.c.kind, ident.c.value)
                    .join(rec, rec.c.id == ident.c.record_id).where(in_run))


def _search_rows(conn: Connection, names: dict[int, set[str]],
                 bounds: tuple[int, int] | None) -> list[tuple[int, str, str, str]]:
    """The search entries (id, names, emails, phones) of the customers in ``names``."""
    return _entries(names, _identifier_rows(conn, list(names), bounds))


def _entries(names: dict[int, set[str]], identifiers) -> list[tuple[int, str, str, str]]:
    """The search entries of the customers in ``names``, from their identifier rows.

    Names are indexed as written and without their accents too, so "Garcia"
    finds "María García" (the trigram tokenizer folds case, not accents, in the
    SQLite versions Python ships with).
    """
    emails: dict[int, set[str]] = {}
    phones: dict[int, set[str]] = {}
    for cid, kind, value in identifiers:
        if kind == "email":
            if cid in names:
                if (have := emails.get(cid)) is None:
                    emails[cid] = {value}
                else:
                    have.add(value)
        elif kind == "phone" and cid in names:
            # E.164 digits plus the national form, so "(415) 555" and "+1 415" both find it.
            if (have := phones.get(cid)) is None:
                have = phones[cid] = set()
            have.add(value.lstrip("+"))
            national = _national_digits(value)
            if national:
                have.add(national)
    rows = []
    for cid, written in names.items():
        if len(written) == 1:
            (name,) = written
            if not name.isascii():
                name = _search_name(name)
        else:
            shown = {visible(n) for n in written}
            name = " | ".join(sorted(shown | {plain for n in shown if (plain := strip_accents(n)) != n}))
        mail, phone = emails.get(cid), phones.get(cid)
        rows.append((cid, name, _joined(mail), _joined(phone)))
    return rows


def _search_name(name: str) -> str:
    """A customer's one name as its search entry holds it: as written and without its accents, and
    without the characters it never shows (a zero-width space pasted inside it): what is typed to
    find it is read without them too (dialect.search_query)."""
    name = visible(name)
    if not name.isascii() and (plain := strip_accents(name)) != name:
        return " | ".join(sorted((name, plain)))
    return name


def _composed(first: str, last: str) -> str:
    return compose_full_name(first, "", last)


# Plain singles (see _WriteBehind.write_plain_singles): customer id -> its one record's id.
_PLAIN_TABLE = "temp.golden_single"
_PLAIN = table("golden_single", column("id"), column("rid"), schema="temp")
# Not printable ASCII: the values SQL hands to Python (names in other scripts, accents).
_NOT_ASCII = "GLOB '*[^ -~]*'"


def _sort_name_sql(name: str) -> str:
    """:func:`sort_name` of the SQL expression ``name``: ``lower()`` for plain ASCII (what
    ``str.casefold`` gives it), Python (``golden_sort_name``) for the rest only."""
    return (f"CASE WHEN {name} = '{NO_NAME}' THEN '' WHEN {name} {_NOT_ASCII} THEN golden_sort_name({name}) "
            f"ELSE lower({name}) END")


# Each expression is the singles branch of _golden_rows and _entries, value for value.
_PLAIN_FULL = (
    "CASE WHEN r.full_name != '' THEN r.full_name "
    "WHEN r.first_name = '' OR r.last_name = '' THEN r.first_name || r.last_name "
    f"WHEN r.first_name || r.last_name {_NOT_ASCII} THEN golden_full_name(r.first_name, r.last_name) "
    "ELSE r.first_name || ' ' || r.last_name END")
# A single's lifetime figures (_one_record_lifetime): read by SQL when they are written the usual
# way (a whole number of orders; a spend in whole units, or an amount as the import writes money
# with two decimals), by Python otherwise.
_NO_FIGURES = "r.values_json = '{}' OR r.kind != 'contacts'"
_ORDERS, _SPENT = "json_extract(r.values_json, '$.total_orders')", "json_extract(r.values_json, '$.total_spent')"
_PLAIN_ORDERS = (
    f"CASE WHEN {_NO_FIGURES} OR {_ORDERS} IS NULL THEN 0 "
    f"WHEN json_type(r.values_json, '$.total_orders') = 'integer' THEN {_ORDERS} "
    "ELSE golden_orders(r.values_json) END")
# A figure in another currency than the shop's (Stripe's "Currency") is no spend in the shop's money.
_PLAIN_SPEND = (
    f"CASE WHEN {_NO_FIGURES} OR {_SPENT} IS NULL THEN NULL "
    "WHEN instr(r.values_json, '\"currency\"') AND NOT golden_shop_money(r.values_json) THEN NULL "
    f"WHEN json_type(r.values_json, '$.total_spent') = 'integer' THEN {_SPENT} * 100 "
    f"WHEN json_type(r.values_json, '$.total_spent') = 'text' AND {_SPENT} GLOB '[0-9]*.[0-9][0-9]' "
    f"  AND NOT {_SPENT} GLOB '*[^0-9.]*' "
    f"  THEN CAST(replace({_SPENT}, '.', '') AS INTEGER) "
    "ELSE golden_spend(r.values_json) END")
# The first or last time a single was seen: its consent facts' own times and the sign-up and
# last visit times among its extra values (_SEEN_VALUES), in UTC, the earliest or the latest.
_PLAIN_SEEN = (
    "(SELECT {agg}(t) FROM (SELECT golden_utc(occurred_at) AS t FROM consent "
    "  WHERE consent.customer_id = s.id AND occurred_at != '' "
    f"  AND note NOT LIKE '%{KEPT_ON_ERASE}' "
    "  UNION ALL SELECT golden_created(r.values_json) WHERE instr(r.values_json, '\"created_at\"') "
    "  UNION ALL SELECT golden_last_active(r.values_json) WHERE instr(r.values_json, '\"last_active\"')) "
    " WHERE t != '')")
# Worked out into a temporary table first, then written: one statement doing both read the
# records and consent facts between writes to the cards, and took a quarter longer.
_GOLDEN_VALUES = "temp.golden_values"
_GOLDEN_VALUE_COLUMNS = ("cid", *_TEXT_FIELDS[:-1], "birthday", "email", "phone", "full_name", "tags", "channel",
                         "consent_email", "consent_sms", "consent_whatsapp", "orders", "spend", "first_seen",
                         "last_seen", "display")  # in the order _PLAIN_VALUES selects them
_PLAIN_VALUES = (
    f"INSERT INTO {_GOLDEN_VALUES} ({', '.join(_GOLDEN_VALUE_COLUMNS)}) "
    f"SELECT f.*, coalesce(nullif(f.full_name, ''), f.email, f.phone, '{NO_NAME}') AS display "
    "FROM (SELECT s.id AS cid, "
    + ", ".join(f"r.{f}" for f in _TEXT_FIELDS[:-1])
    + ", nullif(r.birthday, '') AS birthday, nullif(r.email, '') AS email, nullif(r.phone, '') AS phone, "
    f"{_PLAIN_FULL} AS full_name, "
    "CASE WHEN instr(r.tags, ', ') THEN golden_tags(r.tags) ELSE r.tags END AS tags, r.channel, "
    + "".join(f"(SELECT status FROM consent WHERE consent.customer_id = s.id AND consent.channel = '{ch}') "
              f"AS consent_{ch}, " for ch in ("email", "sms", "whatsapp"))
    + f"{_PLAIN_ORDERS} AS orders, {_PLAIN_SPEND} AS spend, "
    + _PLAIN_SEEN.format(agg="min") + " AS first_seen, " + _PLAIN_SEEN.format(agg="max") + " AS last_seen "
    + f"FROM {_PLAIN_TABLE} AS s JOIN source_record AS r ON r.id = s.rid) AS f")
_UPDATE_PLAIN = (
    "UPDATE customer SET "
    + ", ".join(f"{f} = g.{f}" for f in _TEXT_FIELDS[:-1])
    + ", birthday = g.birthday, email = g.email, phone = g.phone, full_name = g.full_name, "
    f"display_name = g.display, sort_name = {_sort_name_sql('g.display')}, tags = g.tags, "
    "consent_email = g.consent_email, consent_sms = g.consent_sms, consent_whatsapp = g.consent_whatsapp, "
    "channels = g.channel, spend_minor = g.spend, orders = g.orders, "
    "first_seen = substr(g.first_seen, 1, 19), last_seen = substr(g.last_seen, 1, 19), "
    "source_count = 1, updated_at = ? "
    f"FROM {_GOLDEN_VALUES} AS g WHERE customer.id = g.cid AND customer.id BETWEEN ? AND ?")
# A single's names are its display name alone (its full name, when it has one, is that).
# Emails and phones sorted and once each, phones as digits and in their national form.
_STAGE_PLAIN = (
    "INSERT INTO temp.search_stage (id, name, email, phone) "
    f"SELECT s.id, CASE WHEN g.display {_NOT_ASCII} THEN golden_search_name(g.display) "
    "ELSE g.display END, "
    # Most have one email and one North American phone: said without sorting anything.
    "coalesce((SELECT CASE WHEN count(*) < 2 THEN coalesce(max(value), '') END FROM identifier "
    "  WHERE record_id = s.rid AND +kind = 'email'), "
    " (SELECT group_concat(v, ' ') FROM (SELECT value AS v FROM identifier "
    "  WHERE record_id = s.rid AND +kind = 'email' GROUP BY v ORDER BY v)), ''), "
    "coalesce((SELECT CASE count(*) WHEN 0 THEN '' WHEN 1 THEN CASE WHEN max(value) LIKE '+1%' "
    "  AND length(max(value)) = 12 THEN min(substr(max(value), 2), substr(max(value), 3)) || ' ' "
    "  || max(substr(max(value), 2), substr(max(value), 3)) END END "
    "  FROM identifier WHERE record_id = s.rid AND +kind = 'phone'), "
    " (SELECT group_concat(v, ' ') FROM ("
    "  SELECT ltrim(value, '+') AS v FROM identifier WHERE record_id = s.rid AND +kind = 'phone' "
    "  UNION SELECT n FROM (SELECT CASE WHEN value LIKE '+1%' AND length(value) = 12 THEN substr(value, 3) "
    "    ELSE golden_national(value) END AS n FROM identifier WHERE record_id = s.rid AND +kind = 'phone') "
    "  WHERE n != '' ORDER BY 1)), '') "
    # (CROSS JOIN: SQLite takes the tables in this order; "+kind": by record, not by kind.)
    f"FROM {_PLAIN_TABLE} AS s CROSS JOIN {_GOLDEN_VALUES} AS g ON g.cid = s.id")


def _joined(values: set[str] | None) -> str:
    if not values:
        return ""
    if len(values) == 1:
        return next(iter(values))
    return " ".join(sorted(values))


def refresh_all(conn: Connection) -> int:
    """Rebuild every customer's golden record (after a change to what it holds); returns how many.

    One refresh of them all: it reads and writes them a run at a time, and builds the
    customer indexes once at the end instead of changing them card by card.
    """
    cust = Customer.__table__
    ids = [cid for (cid,) in conn.execute(select(cust.c.id).order_by(cust.c.id))]
    refresh_customers(conn, ids)
    return len(ids)


def fill_sort_names(conn: Connection, chunk: int = 5_000) -> None:
    """Every customer's ``sort_name`` made from its display name as it stands (a migration's fill).

    On SQLite one UPDATE, with Python called for the names that are not plain ASCII
    only; elsewhere runs of ids read and written back a run at a time.
    """
    if conn.dialect.name == "sqlite":
        conn.connection.driver_connection.create_function("golden_sort_name", 1, sort_name, deterministic=True)
        conn.exec_driver_sql(f"UPDATE customer SET sort_name = {_sort_name_sql('display_name')} "
                             f"WHERE display_name NOT IN ('', '{NO_NAME}')")
        return
    cust = table("customer", column("id"), column("display_name"))
    last = 0
    while rows := conn.execute(select(cust.c.id, cust.c.display_name).where(cust.c.id > last)
                               .order_by(cust.c.id).limit(chunk)).all():
        set_column_by_id(conn, "customer", "sort_name",
                         [(sort_name(name or ""), cid) for cid, name in rows])
        last = rows[-1][0]


def reindex_search(conn: Connection, chunk: int = 5_000) -> int:
    """Rebuild every customer's search entry (after a change to what is indexed); returns how many."""
    if not has_customer_search(conn):
        return 0
    cust, rec = Customer.__table__, SourceRecord.__table__
    # An older revision's migration runs this before records had their full names.
    has_full = "full_name" in {c["name"] for c in inspect(conn).get_columns("source_record")}
    full_name = rec.c.full_name if has_full else literal("")
    ids = [cid for (cid,) in conn.execute(select(cust.c.id).order_by(cust.c.id))]
    for start in range(0, len(ids), chunk):
        part = ids[start:start + chunk]
        bounds = (part[0], part[-1])
        names: dict[int, set[str]] = {cid: {name} for cid, name in conn.execute(
            select(cust.c.id, cust.c.display_name).where(cust.c.id.between(*bounds)))}
        for cid, first, last, written in conn.execute(
                select(rec.c.customer_id, rec.c.first_name, rec.c.last_name, full_name)
                .where(rec.c.customer_id.between(*bounds))):
            full = written or " ".join(x for x in (first, last) if x)
            if full and cid in names:
                names[cid].add(full)
        index_customers(conn, _search_rows(conn, names, bounds))
    return len(ids)


def reindex_customers(conn: Connection, customer_ids: Iterable[int]) -> None:
    """Rebuild the search entries of these customers as their rows are now (gone ones lose theirs)."""
    if not has_customer_search(conn):
        return
    ids = sorted(set(customer_ids))
    unindex_customers(conn, ids)
    cust, rec = Customer.__table__, SourceRecord.__table__
    for start in range(0, len(ids), _IN):
        part = ids[start:start + _IN]
        names: dict[int, set[str]] = {cid: {name} for cid, name in conn.execute(
            select(cust.c.id, cust.c.display_name).where(cust.c.id.in_(part)))}
        if not names:
            continue
        for cid, first, last, written in conn.execute(
                select(rec.c.customer_id, rec.c.first_name, rec.c.last_name, rec.c.full_name)
                .where(rec.c.customer_id.in_(list(names)))):
            full = written or " ".join(x for x in (first, last) if x)
            if full:
                names[cid].add(full)
        index_customers(conn, _search_rows(conn, names, None))

def reindex_invisible_names(conn: Connection) -> int:
    """The search entries made again of the customers whose names hold a character never shown (a
    zero-width space pasted inside one: :data:`omnidesk.core.text.INVISIBLE`), as entries are made
    now, without it; returns how many.  For a workspace indexed before entries left them out."""
    cust, rec = Customer.__table__, SourceRecord.__table__

    def holding(*cols):
        return or_(*(func.instr(col, ch) > 0 for col in cols for ch in INVISIBLE))

    ids = {cid for (cid,) in conn.execute(select(cust.c.id).where(holding(cust.c.display_name)))}
    ids |= {cid for (cid,) in conn.execute(select(rec.c.customer_id).where(
        rec.c.customer_id.is_not(None), holding(rec.c.first_name, rec.c.last_name, rec.c.full_name)))}
    if ids:
        reindex_customers(conn, ids)
    return len(ids)


def _national_digits(e164: str) -> str:
    if e164.startswith("+1") and len(e164) == 12:
        return e164[2:]  # North America: no trunk prefix, no parse needed
    import phonenumbers

    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return ""
    return str(number.national_number)
