"""A checked rule compiled to a WHERE clause over ``customer`` (SQLAlchemy Core), and run.

Every compiled condition is two-valued (true or false, never NULL), so ``not``
picks exactly everyone else.  Values are bound parameters, never spliced text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import ColumnElement, and_, bindparam, case, exists, false, func, not_, or_, select, true, tuple_, union_all
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement as _Element
from sqlalchemy.sql.visitors import InternalTraversal

from omnidesk.core.channels import HAND
from omnidesk.core.contact import normalize_phone
from omnidesk.core.dialect import casefold, text_fold
from omnidesk.core.importing.custom_fields import DATE, NUMBER, YESNO
from omnidesk.core.importing.dates import default_date_order, parse_date
from omnidesk.core.importing.normalize import clean_cell, parse_bool, parse_money
from omnidesk.core.metrics_index import given_with_offset
from omnidesk.core.models import CustomField, Customer, Event, ImportBatch, Setting, SourceRecord
from omnidesk.core.money import ORDER_TYPES, counted_as_order
from omnidesk.core.segments.journey import CHANNEL_FIELDS, START_FIELD, journey_condition
from omnidesk.core.segments.rules import (
    ANY_EVENT,
    CHANNELS,
    EVENT_FAMILIES,
    Rule,
    RuleError,
    _CHANNEL_VALUED,
    _TEXT_COLUMNS,
    check_rule,
    custom_ordered,
    leading_day,
    rule_channel,
)
from omnidesk.core.text import fold_case
from omnidesk.core.timeutil import on_clock

JOURNEY_FIELDS = (*CHANNEL_FIELDS, START_FIELD)


@dataclass(frozen=True)
class Context:
    """What compiling needs besides the rule: the instant "now" is, and the shop's time zone
    (None: the computer's), on whose clock a date in a rule is a day."""

    now: datetime
    zone: tzinfo | None = None
    # Per channel, the refused addresses a rule's "consent is granted" leaves out besides those of
    # customers who said no, and the customers whose hand-typed yes reopens theirs
    # (guards.refused_unlisted); None: not read (the rule asks no such thing).
    refused: Mapping[str, tuple[frozenset[str], frozenset[int]]] | None = None
    # The workspace's region (``default_region``): a phone written without its country code is
    # one of its numbers, as an import reads it.
    region: str = "US"

    def ago(self, days: int) -> str:
        """The stored-time text of ``now`` minus ``days`` (naive UTC ISO, seconds)."""
        return (self.now.astimezone(UTC) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S")

    def wall_ago(self, days: int) -> str:
        """The stored-time text of ``now`` minus ``days`` on the shop's clock (the computer's without a
        zone): as a till's times are kept, written without an offset."""
        utc = self.now.astimezone(UTC) - timedelta(days=days)
        wall = utc.astimezone(self.zone) if self.zone is not None else utc.astimezone()
        return wall.strftime("%Y-%m-%dT%H:%M:%S")

    def day_start(self, day: str) -> str:
        """The stored-time text of the instant ``day`` (YYYY-MM-DD) begins on the shop's clock."""
        midnight = datetime.combine(date.fromisoformat(day), time())
        moment = on_clock(midnight, self.zone)
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def compile_rule(rule: Rule, now: datetime | None = None,
                 channels: Sequence[str] | None = None, zone: tzinfo | None = None,
                 refused: Mapping[str, tuple[frozenset[str], frozenset[int]]] | None = None,
                 region: str = "US") -> ColumnElement[bool]:
    """The WHERE clause over the ``customer`` table for ``rule`` (checked first against ``channels``).

    A date in the rule is a day on ``zone``'s clock (the shop's, :func:`shop_zone`;
    the computer's when None), as the Customers list and the card show days.  A rule asking
    who said yes (or pending, or nothing) on a channel needs ``refused`` (:func:`refused_for`):
    without it, it is refused rather than let an address that said stop through.  A phone in the
    rule without its country code is one of ``region``'s (the workspace's, :func:`shop_region`).
    :func:`rule_where` reads all four.
    """
    check_rule(rule, channels, stored=True)  # a range saved high end first still runs (see check_rule)
    ctx = Context(now or datetime.now(UTC), zone, refused, region)
    return _compile(rule, ctx)


def rule_where(conn: Connection, rule: Rule, now: datetime | None = None, *,
               refused: Mapping[str, tuple[frozenset[str], frozenset[int]]] | None = None) -> ColumnElement[bool]:
    """:func:`compile_rule` with what it needs read from the workspace: its channels, the shop's
    zone and region and, for a rule asking who said yes, the refused addresses (``refused``: when
    read already, :func:`refused_for`'s or more)."""
    channels = known_channels(conn)
    if refused is None:
        # A rule that cannot run is said before the workspace is read for it: a channel's consent
        # the app has no addresses of ("consent.fax") is no such channel, not a crash.
        check_rule(rule, channels, stored=True)
        refused = refused_for(conn, rule)
    return compile_rule(rule, now, channels, shop_zone(conn), refused, shop_region(conn))


def check_where(conn: Connection, rule: Rule) -> None:
    """Raise RuleError where :func:`rule_where` would, without reading what the rule asks of the
    customers: only the workspace's channels, zone and region are read, not the refused addresses a
    rule on consent leaves out (tens of thousands of rows in a big workspace).  What a screen can
    say at once of a rule whose list it works out in the background."""
    channels = known_channels(conn)
    check_rule(rule, channels, stored=True)
    unread = {channel: (frozenset(), frozenset()) for channel in _open_channels(rule)}
    compile_rule(rule, None, channels, shop_zone(conn), unread, shop_region(conn))


def refused_for(conn: Connection, rule: Rule) -> dict[str, tuple[frozenset[str], frozenset[int]]]:
    """The refused addresses a rule's "consent is granted" (or pending, or unknown) leaves out
    besides those of customers who said no, per channel it asks about
    (``guards.refused_unlisted``): read only for those."""
    from omnidesk.core.campaigns.guards import refused_unlisted

    return {channel: refused_unlisted(conn, channel) for channel in sorted(_open_channels(rule))}


def _open_channels(rule: Rule) -> set[str]:
    """The channels on which ``rule`` asks whether consent is an answer that is not no (granted,
    pending, unknown): a held address is none of those."""
    asked = set()
    for node in _nodes(rule):
        field, value = node.get("field"), node.get("value")
        if isinstance(field, str) and field.startswith("consent.") and {*_OPEN_ANSWERS, HELD} & set(
                value if isinstance(value, list) else [value]):
            asked.add(field[len("consent."):])
    return asked


def _compile(node: Rule, ctx: Context) -> ColumnElement[bool]:
    if "all" in node:
        parts = [_compile(n, ctx) for n in node["all"]]
        return _balanced(and_, parts) if parts else true()
    if "any" in node:
        parts = [_compile(n, ctx) for n in node["any"]]
        return _balanced(or_, parts) if parts else false()
    if "not" in node:
        return not_(_compile(node["not"], ctx))
    return _condition(node, ctx)


_C = Customer.__table__


def _balanced(join, parts: list[ColumnElement[bool]]) -> ColumnElement[bool]:
    """``a AND b AND …`` (or OR); a long one as a tree of parenthesized halves.

    SQLite reads ``a OR b OR c …`` as a chain one level deeper per term and refuses an expression a
    thousand levels deep (a pasted list of a thousand tags); halves keep it a few levels deep.  A
    short chain stays flat: each parenthesis costs SQLite's parser room that nested groups need.
    """
    if len(parts) <= _FLAT:
        return join(*parts)
    middle = len(parts) // 2
    return join(_Parenthesized(_balanced(join, parts[:middle])), _Parenthesized(_balanced(join, parts[middle:])))


_FLAT = 64


class _Parenthesized(_Element):
    """A condition in parentheses of its own, which SQLAlchemy keeps (it merges ``or_`` in ``or_``)."""

    inherit_cache = True
    _is_implicitly_boolean = True  # a condition already: no "= 1" after it
    _traverse_internals = [("inner", InternalTraversal.dp_clauseelement)]

    def __init__(self, inner: ColumnElement[bool]) -> None:
        self.inner = inner
        self.type = inner.type

    def get_children(self, **kw):
        return (self.inner,)

    def _negate(self):
        return _Parenthesized(not_(self.inner))


@compiles(_Parenthesized)
def _parenthesized(element, compiler, **kw):
    return "(%s)" % compiler.process(element.inner, **kw)



def _condition(node: Rule, ctx: Context) -> ColumnElement[bool]:
    field, value = node["field"], node.get("value")
    if field in _CHANNEL_VALUED:  # a channel by any name the check takes ("Farmers market", "Till")
        value = [rule_channel(v) for v in value] if isinstance(value, list) else rule_channel(value)
    op = node.get("op") or ("within_days" if "within_days" in node else "exists")
    if field.startswith("event."):
        return _event(field[len("event."):], op, node, ctx)
    if field.startswith("custom."):
        return _custom(field[len("custom."):], op, value, ctx.region)
    if field.startswith("consent."):
        return _consent(field[len("consent."):], op, value, ctx)
    if field == "channel":
        return _listed(_C.c.channels, " ", op, value)
    if field in JOURNEY_FIELDS:
        # A journey's dates are the shop's days, as the Dashboard's periods whose flows open these rules.
        return journey_condition(field, op, value, lambda col, o, v: _time(col, o, v, ctx),
                                 getattr(ctx.zone, "key", None) or "")
    if field == "tag":
        return _tag(op, value)
    if field == "name":
        return _text(_C.c.display_name, op, value)
    if field == "phone" and op == "contains":
        return _phone_contains(str(value))
    if field in _TEXT_COLUMNS:
        return _text(_C.c[field], op, _normal_contact(field, value, ctx.region))
    if field == "orders":
        return _number(_C.c.orders, op, value)
    if field == "spend":
        minor = [round(v * 100) for v in value] if isinstance(value, list) else (
            round(value * 100) if value is not None else None)
        return _number(_C.c.spend_minor, op, minor)
    if field in ("first_seen", "last_seen"):
        return _time(_C.c[field], op, value, ctx, seen=field == "last_seen")
    if field == "birthday":
        return _present(_C.c.birthday, op)
    if field == "birthday_month":
        # YYYY-MM-DD, or --MM-DD for a birthday without its year (a newsletter's).
        month = case((_C.c.birthday.startswith("--"), func.substr(_C.c.birthday, 3, 2)),
                     else_=func.substr(_C.c.birthday, 6, 2))
        months = sorted({f"{m:02d}" for m in (value if isinstance(value, list) else [value])})
        hit = and_(_C.c.birthday.is_not(None), month.in_(months))
        return not_(hit) if op == "is_not" else hit
    raise RuleError(f"unknown field {field!r}")  # check_rule already refused it


def _normal_contact(field: str, value: Any, region: str = "US") -> Any:
    """An email condition compares folded addresses, a phone condition numbers in international
    form ("(617) 555-0105" is +16175550105 in the US), as an import stores them; a phone that is
    no number is compared as written."""
    if field not in ("email", "phone") or value is None:
        return value
    def fold(v: Any) -> str:
        if field == "email":
            return str(v).strip().lower()
        return normalize_phone(str(v), region).value or str(v).strip()

    if isinstance(value, list):
        return [fold(v) for v in value]
    return fold(value)


def _phone_contains(value: str) -> ColumnElement[bool]:
    """A phone holding these digits, however either is punctuated ("555-0105", "(617) 555"):
    phones are kept as "+" and digits."""
    col = _C.c.phone
    digits = "".join(str(int(ch)) for ch in value if ch.isdecimal())  # "０１" (full width) too
    if not digits:
        return _text(col, "contains", value)
    return and_(col.is_not(None), func.replace(col, "+", "").contains(digits, autoescape=True))


def _present(col, op: str) -> ColumnElement[bool]:
    has = and_(col.is_not(None), col != "")
    return has if op == "exists" else not_(has)


def _text(col, op: str, value: Any) -> ColumnElement[bool]:
    if op in ("exists", "not_exists"):
        return _present(col, op)
    if op == "contains":
        return and_(col.is_not(None), text_fold(col).contains(fold_case(str(value)), autoescape=True))
    values = list(dict.fromkeys(fold_case(str(v)) for v in (value if op == "in" else [value])))
    hit = and_(col.is_not(None), text_fold(col).in_(values))
    return not_(hit) if op == "is_not" else hit


def _number(col, op: str, value: Any) -> ColumnElement[bool]:
    if op in ("exists", "not_exists"):
        has = col.is_not(None)
        return has if op == "exists" else not_(has)
    known = col.is_not(None)
    if op == "between":
        low, high = sorted(value)
        return and_(known, col.between(low, high))
    if op == "in":
        return and_(known, col.in_(list(dict.fromkeys(value))))
    if op == "is_not":
        # Everyone ``is`` leaves out, those with no figure at all among them: not(is), as for text.
        return not_(and_(known, col == value))
    return and_(known, _compare(col, op, value))


def _compare(col, op: str, value: Any) -> ColumnElement[bool]:
    return {
        "is": lambda: col == value,
        "gt": lambda: col > value, "gte": lambda: col >= value,
        "lt": lambda: col < value, "lte": lambda: col <= value,
    }[op]()


def _time(col, op: str, value: Any, ctx: Context, seen: bool = False) -> ColumnElement[bool]:
    if op in ("exists", "not_exists"):
        has = col.is_not(None)
        return has if op == "exists" else not_(has)
    known = col.is_not(None)
    if op in ("within_days", "not_within_days"):
        # The last N days end now: a time after it (a sale dated weeks ahead by a till's wrong
        # clock) is not in them.
        now = ctx.ago(0)
        hit = and_(known, col >= ctx.ago(value), col <= now)
        if seen:
            # Last seen after now (that sale) hides when they were last seen before it: an event
            # of theirs in the window says it (asked of those few customers alone).
            ev = Event.__table__
            hit = or_(hit, and_(known, col > now, exists().where(
                ev.c.customer_id == _C.c.id, *_in_last_days(ev, value, ctx))))
        # not_within_days: nothing in the window: seen before it, only after now, or never seen at all.
        return hit if op == "within_days" else not_(hit)
    # Dates compare by day: "last_seen lt 2026-06-01" is before that day began on the shop's clock.
    start = ctx.day_start
    if op == "between":
        low, high = sorted(_day(v) for v in value)
        return and_(known, col >= start(low), col < start(_next_day(high)))
    day = _day(value)
    return and_(known, {
        "gt": lambda: col >= start(_next_day(day)), "gte": lambda: col >= start(day),
        "lt": lambda: col < start(day), "lte": lambda: col < start(_next_day(day)),
    }[op]())


def _day(v: str) -> str:
    day = leading_day(v)  # the rule's check read it so: YYYY-MM-DD
    if day is None:
        raise RuleError(f"rule: needs a date as YYYY-MM-DD, got {v!r}")
    return day


def _next_day(day: str) -> str:
    return (date.fromisoformat(day) + timedelta(days=1)).isoformat()


def _listed(col, sep: str, op: str, value: Any) -> ColumnElement[bool]:
    """Membership in a column holding a list of keys separated by ``sep``."""
    if op in ("exists", "not_exists"):
        return _present(col, op)
    padded = sep + func.coalesce(col, "") + sep
    values = dict.fromkeys(value if op == "in" else [value])
    hit = _balanced(or_, [padded.contains(sep + v + sep, autoescape=True) for v in values])
    return not_(hit) if op == "is_not" else hit


def _tag(op: str, value: Any) -> ColumnElement[bool]:
    """Tags are kept as "a, b, c": a tag matches whole, whatever its case."""
    col = _C.c.tags
    if op in ("exists", "not_exists"):
        return _present(col, op)
    padded = ", " + text_fold(func.coalesce(col, "")) + ", "
    if op == "contains":
        part = fold_case(str(value).strip())
        # No tag holds a comma: text with one would only match across two tags ("vip, local").
        return false() if "," in part else text_fold(col).contains(part, autoescape=True)
    # No tag holds a comma: check_rule refuses a value with one, a saved rule's too ("vip, local"
    # would match across two tags kept in that order, and not in the other); never matched here.
    values = [v for v in dict.fromkeys(fold_case(" ".join(str(v).split())) for v in (value if op == "in" else [value]))
              if "," not in v]
    hit = _balanced(or_, [padded.contains(", " + v + ", ", autoescape=True) for v in values]) if values else false()
    return not_(hit) if op == "is_not" else hit


# The answers a customer may give that are not no: a yes, a pending confirmation, none at all.
_OPEN_ANSWERS = ("granted", "pending", "unknown")
HELD = "held"  # not no, but on an address refused: :func:`_consent`


def _consent(channel: str, op: str, value: Any, ctx: Context) -> ColumnElement[bool]:
    col = _C.c[f"consent_{channel}"]
    values = list(dict.fromkeys(value if op == "in" else [value]))
    said_no = [v for v in values if v not in _OPEN_ANSWERS and v != HELD]
    open_answers = [v for v in values if v in _OPEN_ANSWERS]
    parts = []
    if said_no:
        parts.append(and_(col.is_not(None), col.in_(said_no)))
    if open_answers or HELD in values:
        # An answer that is not no does not open an address someone else holding it said stop from (a
        # family's mailbox, a shop's landline), another spelling of a mailbox that did, nor one whose
        # own answer is no: the campaigns refuse those as opted out (guards 1) whatever the
        # customer's own answer, so a list of "who said yes" exported for another tool must not
        # hand them over, nor a list of whose consent is still to be asked hold them.  Those
        # customers are "held", as the card and the Customers list show them.
        from omnidesk.core.campaigns.guards import address_column, refused_addresses

        if ctx.refused is None or channel not in ctx.refused:
            raise ValueError("a rule on consent that is not no is compiled with the refused addresses (rule_where)")
        address = _C.c[address_column(channel)]
        open_ = address.not_in(refused_addresses(channel))
        unlisted, reopened = ctx.refused[channel]
        if unlisted:
            # Rendered inline: however many, no parameter limit to meet.
            shut = address.in_(bindparam(None, sorted(unlisted), expanding=True, literal_execute=True))
            if reopened:
                shut = and_(shut, _C.c.id.not_in(
                    bindparam(None, sorted(reopened), expanding=True, literal_execute=True)))
            open_ = and_(open_, not_(shut))
        if open_answers:
            known = [v for v in open_answers if v != "unknown"]
            said = [and_(col.is_not(None), col.in_(known))] if known else []
            if "unknown" in open_answers:
                said.append(or_(col.is_(None), col == ""))
            parts.append(and_(or_(*said), or_(address.is_(None), open_)))
        if HELD in values:
            not_no = or_(col.is_(None), col.in_(("", *_OPEN_ANSWERS)))
            parts.append(and_(not_no, address.is_not(None), not_(open_)))
    hit = or_(*parts)
    return not_(hit) if op == "is_not" else hit


def _custom(name: str, op: str, value: Any, region: str) -> ColumnElement[bool]:
    """A custom field: the customer's value of it, as the card shows it, matching.

    That value is the one typed in by hand (the one typed last), else the latest import's, then the
    latest record's (``importing.custom_fields.customer_fields``): an older
    file's value, or one replaced or cleared by hand, does not count.
    """
    cf, rec = CustomField.__table__, SourceRecord.__table__
    cf2, rec2 = cf.alias("cf_later"), rec.alias("rec_later")
    named = casefold(cf.c.name) == name.casefold()

    def rank(c, r):
        # Typed in by hand first, of those the one typed last (importing.custom_fields.hand_first).
        return tuple_(case((r.c.channel == HAND, 1), else_=0), case((r.c.channel == HAND, c.c.id), else_=0),
                      r.c.batch_id, r.c.id, -c.c.id)

    # No other value of the field on the same customer comes before this one.
    shown = not_(exists().select_from(cf2.join(rec2, rec2.c.id == cf2.c.record_id)).where(
        rec2.c.customer_id == rec.c.customer_id, casefold(cf2.c.name) == name.casefold(),
        rank(cf2, rec2) > rank(cf, rec)))
    base = select(rec.c.customer_id).select_from(cf.join(rec, rec.c.id == cf.c.record_id)).where(
        rec.c.customer_id.is_not(None), named)

    def holding(*match) -> ColumnElement[bool]:
        # The value test first: the costlier "shown" test then runs only on the rows it keeps.
        return _C.c.id.in_(base.where(*match, shown))

    if op in ("exists", "not_exists"):
        hit = holding(cf.c.value != "")
        return hit if op == "exists" else not_(hit)
    if op == "contains":
        return holding(text_fold(cf.c.value).contains(fold_case(str(value)), autoescape=True))
    if op in ("is", "is_not", "in"):
        hit = holding(_custom_is(cf, value if op == "in" else [value], region))
        return not_(hit) if op == "is_not" else hit
    # Ordered comparisons: numbers against the number, dates against the date.
    value = [custom_ordered(v) for v in value] if op == "between" else custom_ordered(value)
    sample = value[0] if op == "between" else value
    col = cf.c.date if isinstance(sample, str) else cf.c.number
    if op == "between":
        low, high = sorted(value)
        cond = col.between(low, high)
    else:
        cond = _compare(col, op, value)
    return holding(col.is_not(None), cond)


def _custom_is(cf, values: Sequence[Any], region: str) -> ColumnElement[bool]:
    """A custom value that is one of ``values``: as written (in any case), and a number, a date or a
    yes/no as what it is, whether the rule gives it as a JSON number or as text ("1,000" and "1000"
    are the number 1000 as the import reads cells; "2026-11-20" is a value dated that day)."""
    texts = list(dict.fromkeys(fold_case(str(v)) for v in values))
    nums: dict[float, None] = {}
    typed_nums: dict[float, None] = {}
    days: dict[str, None] = {}
    answers: dict[float, None] = {}
    order = default_date_order(region)
    for v in values:
        if isinstance(v, bool):
            continue
        if isinstance(v, (int, float)):
            nums[float(v)] = None
            continue
        text = clean_cell(str(v))
        got = parse_money(text)
        if got.value is not None:
            typed_nums[float(got.value)] = None
        day = parse_date(text, order).value
        if day and len(day) == 10:
            days[day] = None
        answer = parse_bool(text).value
        if answer is not None:
            answers[1.0 if answer else 0.0] = None
    match = [text_fold(cf.c.value).in_(texts)]
    if nums:  # a text field's cells keep numbers too, for comparisons: "is" matches them as written
        match.append(and_(cf.c.type.in_((NUMBER, YESNO)), cf.c.number.in_(list(nums))))
    if typed_nums:
        match.append(and_(cf.c.type == NUMBER, cf.c.number.in_(list(typed_nums))))
    if days:
        match.append(and_(cf.c.type == DATE, cf.c.date.in_(list(days))))
    if answers:
        match.append(and_(cf.c.type == YESNO, cf.c.number.in_(list(answers))))
    return or_(*match)


def _event(kind: str, op: str, node: Rule, ctx: Context) -> ColumnElement[bool]:
    ev = Event.__table__
    where = [ev.c.customer_id.is_not(None)]
    types = EVENT_FAMILIES.get(kind, (kind,))
    if kind != ANY_EVENT:
        where.append(ev.c.type.in_(types))
    if set(types) & set(ORDER_TYPES):
        # A purchase is an order as the card counts it: not a refunded or cancelled order, nor a
        # till's refund line.
        where.append(counted_as_order(ev.c.status, ev.c.amount_minor))
    days = node.get("within_days", node.get("value") if op in ("within_days", "not_within_days") else None)
    window = _in_last_days(ev, days, ctx) if days is not None else []
    where.extend(window)
    n = node.get("count_at_least", 1)
    item = (node.get("item") or "").strip()
    if item and kind != ANY_EVENT and set(types) <= set(ORDER_TYPES):
        # Products bought: from the product index where an import is in it, else read from its orders alike.
        people = _bought(item, types, window, n)
    else:
        if item:
            where.append(ev.c.summary.icontains(item, autoescape=True))
        people = select(ev.c.customer_id).where(*where)
        if n > 1:
            people = people.group_by(ev.c.customer_id).having(func.count() >= n)
    hit = _C.c.id.in_(people)
    return not_(hit) if op in ("not_exists", "not_within_days") else hit


def _in_last_days(ev, days: int, ctx: Context) -> list[ColumnElement[bool]]:
    """SQL: an event of ``ev`` (the event table) took place in the last ``days`` days: from the same
    instant ``days`` days ago up to now (an event dated after now, a till whose clock was set ahead,
    is not in them).

    A time given with an offset (an online order's) is kept in UTC; one given without (a till's)
    as written, on the shop's clock (``metrics_index.given_with_offset`` tells them): each is
    compared with the window on its own clock, as the journeys read them.  The stored times
    between both clocks' starts and ends bound the search, so the index on the time serves it; a
    time in the window on either clock needs nothing more read, and only the few less than the shop's
    offset from UTC away from an end are read for the clock they were given on.
    """
    t = ev.c.occurred_utc
    utc = ctx.ago(days), ctx.ago(0)
    wall = ctx.wall_ago(days), ctx.wall_ago(0)
    if utc == wall:  # the clocks agree (a shop on UTC): the index on the time answers alone
        return [t >= utc[0], t <= utc[1]]
    offset = func.coalesce(given_with_offset(ev.c.occurred_at), False)
    return [t >= min(utc[0], wall[0]), t <= max(utc[1], wall[1]),
            or_(and_(t >= max(utc[0], wall[0]), t <= min(utc[1], wall[1])),
                and_(offset, t >= utc[0], t <= utc[1]),
                and_(not_(offset), t >= wall[0], t <= wall[1]))]


def _bought(item: str, types: tuple[str, ...], window: list[ColumnElement[bool]], n: int):
    """Customers with at least ``n`` orders holding a product whose name contains ``item`` (segments/items.py),
    among the events ``window`` holds for (:func:`_in_last_days`; none: any time).

    Both halves are driven by what is small: the products whose names match (a shop
    sells hundreds, not millions), then their orders; and the orders of the imports
    not in the index yet, found by their import and read as the index reads them
    (``od_bought``: the same products, folded the same way), so that a workspace whose
    index cannot be written now (opened read-only, busy) gives the same answer.
    """
    from omnidesk.core.models import EventProduct, Product, ProductBatch
    from omnidesk.core.segments.items import index_current, product_key

    ev, prod, link, pb = Event.__table__, Product.__table__, EventProduct.__table__, ProductBatch.__table__
    batch = ImportBatch.__table__
    key = product_key(item)

    def kept(type_column):
        return [ev.c.customer_id.is_not(None), type_column.in_(types),
                counted_as_order(ev.c.status, ev.c.amount_minor), *window]

    products = select(prod.c.id).where(prod.c.key.contains(key, autoescape=True))
    hits = select(link.c.event_id).where(link.c.product_id.in_(products))
    # An index an older reading made (items.py) is not read: every import counts as not in it.
    current = index_current()
    indexed = select(ev.c.customer_id.label("customer_id")).where(current, ev.c.id.in_(hits), *kept(ev.c.type))
    # The few imports not indexed lead, their events found by import ("+ ''" keeps the
    # planner off the type index, which would walk every order of the workspace).
    unindexed = (select(ev.c.customer_id.label("customer_id"))
                 .select_from(batch.join(ev, ev.c.batch_id == batch.c.id))
                 .where(or_(batch.c.id.not_in(select(pb.c.batch_id)), not_(current)),
                        func.od_bought(ev.c.summary, ev.c.details_json, key) == 1, *kept(ev.c.type + "")))
    both = union_all(indexed, unindexed).subquery("bought")
    people = select(both.c.customer_id)
    if n > 1:
        people = people.group_by(both.c.customer_id).having(func.count() >= n)
    return people


# -- running -----------------------------------------------------------------------------------

def shop_zone(conn: Connection) -> tzinfo | None:
    """The shop's time zone (the ``timezone`` setting) read through ``conn``; None when it is
    not set or not a zone (then the computer's counts, as everywhere a day is shown)."""
    raw = conn.execute(select(Setting.__table__.c.value).where(Setting.__table__.c.key == "timezone")).scalar()
    try:
        name = str(json.loads(raw) or "").strip() if raw else ""
        return ZoneInfo(name) if name else None
    except (ValueError, ZoneInfoNotFoundError):
        return None


def shop_region(conn: Connection) -> str:
    """The workspace's region (the ``default_region`` setting; US when not set), whose phone numbers
    a rule may write without their country code."""
    raw = conn.execute(select(Setting.__table__.c.value).where(Setting.__table__.c.key == "default_region")).scalar()
    try:
        region = str(json.loads(raw) or "").strip().upper() if raw else ""
    except ValueError:
        region = ""
    return region or "US"


def known_channels(conn: Connection) -> list[str]:
    """Channels a rule may name: the app's own and any a file was imported as."""
    found = {c for (c,) in conn.execute(select(ImportBatch.__table__.c.channel).distinct())}
    return sorted(set(CHANNELS) | found)


def workspace_channels(workspace) -> list[str]:
    """:func:`known_channels` of ``workspace``: what a rule's channel conditions may name there."""
    with workspace.engine.connect() as conn:
        return known_channels(conn)


_VOCABULARY_CAP = 200


def _distinct(conn: Connection, col) -> list[str]:
    """The distinct values of an indexed column, one index seek each (not a scan of every row)."""
    found: list[str] = []
    value = conn.execute(select(func.min(col))).scalar()
    while value is not None and len(found) < _VOCABULARY_CAP:
        found.append(value)
        value = conn.execute(select(func.min(col)).where(col > value)).scalar()
    return found


def rule_vocabulary(workspace) -> tuple[list[str], list[str]]:
    """What a rule may name beyond the fixed fields: the custom fields and the event types imported.

    A custom field name comes once whatever its case (a rule matches it in any
    case); at most a couple of hundred of each are listed.
    """
    with workspace.engine.connect() as conn:
        names: dict[str, str] = {}
        for name in _distinct(conn, CustomField.__table__.c.name):
            if name.strip():
                names.setdefault(name.casefold(), name)
        types = [t for t in _distinct(conn, Event.__table__.c.type) if t]
    return sorted(names.values(), key=str.casefold), types


def _nodes(rule):
    """Every object of a rule, nested ones included, whatever key holds them."""
    if isinstance(rule, dict):
        yield rule
        for v in rule.values():
            if isinstance(v, (dict, list)):
                yield from _nodes(v)
    elif isinstance(rule, list):
        for r in rule:
            yield from _nodes(r)


def _has_item(rule) -> bool:
    return any(node.get("item") for node in _nodes(rule))


def _has_field(rule, fields) -> bool:
    return any(node.get("field") in fields for node in _nodes(rule))


def prepare(workspace, rule: Rule) -> None:
    """Bring what the rule reads up to date (the product index for a rule on items, the
    kept journeys for a rule on journeys); a rule reads the rest live, so this only saves time."""
    if _has_item(rule):
        from omnidesk.core.segments.items import ensure_products

        ensure_products(workspace)
    if _has_field(rule, JOURNEY_FIELDS):
        from omnidesk.core.metrics_index import ensure_journeys

        ensure_journeys(workspace)


def count(workspace, rule: Rule, now: datetime | None = None) -> int:
    """How many customers ``rule`` holds for."""
    prepare(workspace, rule)
    with workspace.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(_C).where(rule_where(conn, rule, now))).scalar_one()


def member_ids(workspace, rule: Rule, now: datetime | None = None, *, limit: int | None = None,
               offset: int = 0) -> list[int]:
    """The ids of the customers ``rule`` holds for, by name as the Customers screen sorts them
    (accents and case aside, customers with no name last), then name as written, then id."""
    prepare(workspace, rule)
    with workspace.engine.connect() as conn:
        query = (select(_C.c.id).where(rule_where(conn, rule, now))
                 .order_by(_C.c.sort_name == "", _C.c.sort_name, _C.c.display_name, _C.c.id).offset(offset))
        if limit is not None:
            query = query.limit(limit)
        return list(conn.execute(query).scalars())


def members_query(conn: Connection, rule: Rule, now: datetime | None = None):
    """A SELECT of matching customer ids, to use inside other queries (exports, campaigns)."""
    return select(_C.c.id).where(rule_where(conn, rule, now))
