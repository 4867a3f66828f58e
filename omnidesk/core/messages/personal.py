"""The values a message's tokens take for one customer, from their merged profile.

``{first_name}``, ``{city}`` and the like are the customer's golden values;
``{last_product}`` and ``{last_order_date}`` come from their merged timeline
(the latest order or till purchase on any channel that was not refunded or
cancelled: the seeds' "personalized offer from the combined profile"; the
product from an earlier purchase only when the latest names none);
``{lifetime_spend}`` is their spend on every channel in the shop's money;
``{offer_*}`` are the message's own; ``{business_name}`` the brand's;
``{custom.NAME}`` a custom field as the card shows it, on one line (see
:func:`customer_values`).  An absent value is missing (None), so the template's
fallback shows.

:func:`sample` picks the customers a preview renders for: the longest
rendering over a sample decides the SMS segment count a user is shown.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping, Sequence
from datetime import date

from sqlalchemy import func, select

from omnidesk.core.importing.names import compose_full_name
from omnidesk.core.importing.custom_fields import customers_fields
from omnidesk.core.messages.tokens import CUSTOM, custom_key
from omnidesk.core.models import Customer, Event
from omnidesk.core.money import NOT_SPEND, ORDER_TYPES, format_money, workspace_currency
from omnidesk.core.products import first_product
from omnidesk.core.text import clean_line
from omnidesk.core.workspace import Workspace

BASE_TOKENS = ("first_name", "last_name", "full_name", "city", "last_product", "last_order_date",
               "lifetime_spend", "offer_code", "offer_value", "offer_expires", "business_name")


def nice_day(iso: str | None) -> str:
    """"2026-10-12..." -> "12 Oct 2026" ("" when there is no date)."""
    try:
        d = date.fromisoformat((iso or "")[:10])
    except ValueError:
        return ""
    return f"{d.day} {d:%b %Y}"


def _last_orders(conn, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """Customer -> (what they last bought, when), over every channel's orders and till sales.

    When is the latest purchase's time; what is the first product it names
    (core/products.py reads every layout an import stores), else the first product of
    the latest earlier purchase that names one.
    """
    ev = Event.__table__
    # "+ ''" keeps the planner on the customer index: the type index would walk every order.
    bought = (ev.c.customer_id.in_(list(ids)), (ev.c.type + "").in_(ORDER_TYPES), ev.c.status.not_in(NOT_SPEND))
    latest_first = (ev.c.occurred_utc.desc().nulls_last(), ev.c.id.desc())
    rank = func.row_number().over(partition_by=ev.c.customer_id, order_by=latest_first).label("rank")
    ranked = select(ev.c.customer_id, ev.c.summary, ev.c.details_json, ev.c.occurred_at, rank).where(*bought).subquery()
    out: dict[int, tuple[str, str]] = {}
    for cid, summary, details, occurred in conn.execute(
            select(ranked.c.customer_id, ranked.c.summary, ranked.c.details_json, ranked.c.occurred_at)
            .where(ranked.c.rank == 1)):
        out[cid] = (first_product(summary, details), occurred or "")
    # Only those whose latest purchase names no product read their earlier ones.
    missing = [cid for cid, (product, _) in out.items() if not product]
    for start in range(0, len(missing), 900):
        part = missing[start:start + 900]
        rows = conn.execute(select(ev.c.customer_id, ev.c.summary, ev.c.details_json)
                            .where(ev.c.customer_id.in_(part), *bought[1:])
                            .order_by(ev.c.customer_id, *latest_first))
        for cid, summary, details in rows:
            if not out[cid][0]:
                out[cid] = (first_product(summary, details), out[cid][1])
    return out


def shared_values(master: Mapping[str, str] | None = None, business_name: str = "") -> dict[str, str | None]:
    """The tokens that are the same for everyone: the message's offer and the brand's name.

    What a variant published for everyone (a post, the poster, the banner) is filled with.
    """
    master = master or {}
    return {"offer_code": master.get("offer_code") or None, "offer_value": master.get("offer_value") or None,
            "offer_expires": nice_day(master.get("offer_expires")) or None,
            "business_name": business_name or None}


def customer_values(ws: Workspace, customer_ids: Sequence[int], *, master: Mapping[str, str] | None = None,
                    business_name: str = "", only: Collection[str] | None = None
                    ) -> dict[int, dict[str, str | None]]:
    """Customer id -> token name -> value (None when the customer has none), for these customers.

    A custom field is under ``custom.`` and its name as a token matches it (:func:`tokens.custom_key`:
    spaces collapsed, case folded), its value on one line (:func:`clean_line`).  The preview, the
    check and every pack read their values here, so the value a customer receives is the one the
    preview and the check showed.

    ``only``: the token names (canonical keys) that will be read; the purchases and the custom
    fields, the costly part, are then read only when one of them is asked for.
    """
    ids = sorted({int(i) for i in customer_ids})
    wanted = set(only) if only is not None else None
    want_orders = wanted is None or bool(wanted & {"last_product", "last_order_date"})
    want_custom = wanted is None or any(n.startswith("custom.") for n in wanted)
    shared = shared_values(master, business_name)
    cust = Customer.__table__
    currency = workspace_currency(ws)
    out: dict[int, dict[str, str | None]] = {}
    with ws.engine.connect() as conn:
        for start in range(0, len(ids), 900):
            part = ids[start:start + 900]
            orders = _last_orders(conn, part) if want_orders else {}
            fields = customers_fields(conn, part) if want_custom else {}
            for row in conn.execute(select(cust.c.id, cust.c.first_name, cust.c.last_name, cust.c.full_name,
                                           cust.c.city, cust.c.spend_minor).where(cust.c.id.in_(part))):
                product, when = orders.get(row.id, ("", ""))
                values: dict[str, str | None] = {
                    "first_name": row.first_name or None, "last_name": row.last_name or None,
                    "full_name": row.full_name or compose_full_name(row.first_name or "", "", row.last_name or "") or None,
                    "city": row.city or None, "last_product": product or None,
                    "last_order_date": nice_day(when) or None,
                    "lifetime_spend": format_money(row.spend_minor, currency) if row.spend_minor else None,
                    **shared,
                }
                for field in fields.get(row.id, ()):
                    # As a token names it and as the card keeps a value typed or imported today (an
                    # older version kept "Favourite  colour" or " deep  blue<TAB>sea" as it came):
                    # what the preview and the check show is then what the packs carry.
                    values.setdefault(CUSTOM + custom_key(field.name), clean_line(field.display()) or None)
                out[row.id] = values
    return out


def customer_count(ws: Workspace) -> int:
    """How many customers the workspace has: what a sample of them is said against."""
    with ws.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Customer.__table__)).scalar_one()


def sample(ws: Workspace, n: int = 20, *, seed: int = 0, among: Sequence[int] | None = None) -> list[int]:
    """``n`` customers to preview with, the same ones each time for the same seed (``among`` an audience)."""
    rng = random.Random(seed)
    if among is None:
        # A million customers: twenty index look-ups at random points, not a read of every id.
        cust = Customer.__table__
        picked: set[int] = set()
        with ws.engine.connect() as conn:
            low, high = conn.execute(select(func.min(cust.c.id), func.max(cust.c.id))).one()
            if low is None:
                return []
            total = conn.execute(select(func.count()).select_from(cust)).scalar_one()
            want = min(n, total)
            while len(picked) < want:
                at = rng.randint(low, high)
                found = conn.execute(select(cust.c.id).where(cust.c.id >= at, cust.c.id.not_in(picked))
                                     .order_by(cust.c.id).limit(1)).scalar()
                if found is None:
                    found = conn.execute(select(cust.c.id).where(cust.c.id.not_in(picked))
                                         .order_by(cust.c.id).limit(1)).scalar()
                picked.add(found)
        return sorted(picked)
    pool = sorted(set(among))
    if len(pool) <= n:
        return pool
    return sorted(rng.sample(pool, n))


def may_hold_long_values(ws: Workspace, only: Collection[str], chars: int, *,
                         master: Mapping[str, str] | None = None, business_name: str = "",
                         among: Collection[int] | None = None) -> set[int] | None:
    """The customers whose value of a token in ``only`` may be ``chars`` characters or longer, as
    :func:`customer_values` gives it: a few cheap questions of the database in place of every
    customer's values (an email audience measured for what Mailchimp keeps, say).

    It never leaves out one who does: each token is asked of every source its value is drawn from
    (the golden value; the full name also from the first and last names; the product from every
    purchase's text and details; a custom field from every value any record of the customer
    holds), so some it names turn out shorter.  None when any customer may (a value the same
    for everyone that is long, or a token this does not know the sources of).  ``among``: only
    these customers are asked about (a few hundred at a time), not every customer.
    """
    from sqlalchemy import LargeBinary, case, cast, exists, or_, true

    from omnidesk.core.models import CustomField, SourceRecord

    def long(column):
        # Measured in bytes, never fewer than its letters: SQLite's length() of a text stops at a NUL.
        return func.length(cast(column, LargeBinary)) >= chars

    cust, ev = Customer.__table__, Event.__table__
    shared = shared_values(master, business_name)
    conditions = []
    per_event = per_field = False
    for name in dict.fromkeys(only):
        if name in shared:
            if len(shared[name] or "") >= chars:
                return None
        elif name == "last_order_date":
            continue  # "12 Oct 2026" (nice_day), whatever the date
        elif name == "lifetime_spend":
            # The widest amount an SQLite integer holds, in the shop's currency.
            if len(format_money(-(2 ** 63), workspace_currency(ws))) >= chars:
                return None
        elif name == "city":
            conditions.append(long(cust.c.city))
        elif name in ("first_name", "last_name"):
            conditions.append(long(cust.c[name]))
        elif name == "full_name":
            # Its own column, else the first and last names joined by a space.
            conditions.append(or_(long(cust.c.full_name), long(func.coalesce(cust.c.first_name, "") + " "
                                                                + func.coalesce(cust.c.last_name, ""))))
        elif name == "last_product":
            per_event = True
        elif name.startswith("custom."):
            per_field = True
        elif name in BASE_TOKENS:
            return None  # a token whose sources are not known here: every customer may
        # Else not a token of the syntax: no customer has a value for it.
    field, rec = CustomField.__table__, SourceRecord.__table__
    questions = []  # each a function of the customers asked about (None: all of them)
    if conditions:
        questions.append(lambda ids: select(cust.c.id).where(
            or_(*conditions), *([] if ids is None else [cust.c.id.in_(ids)])))
    if per_field:
        # Any of the customer's values, whichever its name, record and type: the one shown is one of them.
        questions.append(lambda ids: select(rec.c.customer_id).distinct()
                         .join(field, field.c.record_id == rec.c.id)
                         .where(rec.c.customer_id.is_not(None) if ids is None else rec.c.customer_id.in_(ids),
                                or_(long(field.c.value), long(field.c.date))))
    if per_event:
        # The product is a piece of a purchase's text or of a text in its details (products_of,
        # trimmed and cut to NAME_CHARS): a purchase with a text that long, or with details the
        # database cannot read, or an item_name that is not text, may name one that long.
        j = func.json_tree(ev.c.details_json).table_valued("type", "atom", "key").alias("j")
        long_text = exists(select(j.c.type).where(or_(
            (j.c.type == "text") & long(j.c.atom),
            (j.c.key == "item_name") & j.c.type.not_in(("text", "null", "true", "false")))))
        # "+ ''" keeps the planner on the customer index, as _last_orders does.
        questions.append(lambda ids: select(ev.c.customer_id).distinct().where(
            ev.c.customer_id.is_not(None) if ids is None else ev.c.customer_id.in_(ids),
            (ev.c.type + "").in_(ORDER_TYPES),
            or_(long(ev.c.summary),
                # Read only when the database can read them: json_tree would fail the whole question.
                long(ev.c.details_json) & case((func.json_valid(ev.c.details_json) == 1, long_text), else_=true()))))
    found: set[int] = set()
    asked = None if among is None else sorted(among)
    chunks = [None] if asked is None else [asked[i:i + 900] for i in range(0, len(asked), 900)]
    with ws.engine.connect() as conn:
        for question in questions:
            for ids in chunks:
                found.update(conn.execute(question(ids)).scalars())
    return found
