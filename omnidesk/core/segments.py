"""Segments: a rule over what the workspace knows, compiled to parameterized SQL.

A rule is JSON, the same in the CLI, in saved segments and in campaign plans::

    {"all": [COND, ...]}     every condition holds
    {"any": [COND, ...]}     at least one holds
    {"not": COND}            it does not hold
    COND = {"field": F, "op": OP, "value": V}  or a nested group

The fields and the operators each allows are in :data:`FIELDS`; README lists
them for users.  A rule naming an unknown field, operator, channel or value is
refused with a one-line :class:`RuleError` saying which, before any SQL runs.

Every compiled condition is two-valued: it is true or false for each customer,
never NULL, so ``not`` means exactly "every other customer" (a customer with no
email is *not* ``email is x``, and therefore *is* ``email is_not x``).

Times: ``within_days N`` means since the same instant N days before ``now``;
``now`` is passed in (tests fix it) and defaults to the clock.  Stored times are
UTC, so the window does not depend on the machine's zone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    delete,
    false,
    func,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.engine import Connection

from omnidesk.core.changes import Changes
from omnidesk.core.errors import UserError
from omnidesk.core.importing.fields import CHANNELS
from omnidesk.core.models import (
    CustomField,
    Customer,
    Event,
    ImportBatch,
    SavedSegment,
    SourceRecord,
    utcnow,
)
from omnidesk.core.money import NOT_SPEND, ORDER_TYPES

# The statuses a consent condition can name; "unknown" is a channel nobody said anything about.
CONSENT_VALUES = ("granted", "pending", "denied", "unsubscribed", "cleaned", "unknown")
CONSENT_CHANNELS = ("email", "sms", "whatsapp")

# Event types that go by several names in vendors' files: a condition on one name counts all.
EVENT_FAMILIES: dict[str, tuple[str, ...]] = {
    "purchase": ORDER_TYPES,
    "order": ORDER_TYPES,
    "open": ("open", "opened", "email_open", "email_opened"),
    "click": ("click", "clicked", "email_click", "email_clicked"),
    "visit": ("visit", "page_view", "pageview"),
    "form": ("form", "lead_form", "lead", "registration"),
    "sent": ("sent", "email_sent", "delivered"),
}
ANY_EVENT = "any"

TEXT_OPS = ("is", "is_not", "contains", "in", "exists", "not_exists")
NUMBER_OPS = ("is", "is_not", "gt", "gte", "lt", "lte", "between", "in", "exists", "not_exists")
TIME_OPS = ("within_days", "not_within_days", "gt", "gte", "lt", "lte", "between", "exists", "not_exists")
SET_OPS = ("is", "is_not", "in", "exists", "not_exists")
EVENT_OPS = ("exists", "not_exists", "within_days", "not_within_days")
CUSTOM_OPS = ("is", "is_not", "contains", "in", "gt", "gte", "lt", "lte", "between", "exists", "not_exists")

_TEXT_COLUMNS = ("first_name", "last_name", "full_name", "email", "phone", "company", "address",
                 "city", "region", "postcode", "country")

# field -> the operators it takes (fields with a prefix: "custom.", "event.", "consent.").
FIELDS: dict[str, tuple[str, ...]] = {
    **{f: TEXT_OPS for f in _TEXT_COLUMNS},
    "name": TEXT_OPS,
    "channel": SET_OPS,
    "tag": ("is", "is_not", "in", "contains", "exists", "not_exists"),
    "consent.email": SET_OPS[:3],
    "consent.sms": SET_OPS[:3],
    "consent.whatsapp": SET_OPS[:3],
    "orders": NUMBER_OPS[:-2],
    "spend": NUMBER_OPS,
    "first_seen": TIME_OPS,
    "last_seen": TIME_OPS,
    "birthday": ("exists", "not_exists"),
    "birthday_month": ("is", "is_not", "in"),
}
PREFIXED = {"custom.": CUSTOM_OPS, "event.": EVENT_OPS}
_EVENT_KEYS = {"field", "op", "value", "within_days", "count_at_least", "item"}
_KEYS = {"field", "op", "value"}
_MAX_DEPTH = 20
_MAX_DAYS = 365 * 200


class RuleError(UserError):
    """A rule that cannot be run: the message says which part, in one line."""


Rule = dict[str, Any]


def parse_rule(text: str | bytes | Rule) -> Rule:
    """A rule from its JSON text (or an already-parsed dict), checked; raises RuleError."""
    if isinstance(text, (str, bytes)):
        try:
            rule = json.loads(text)
        except json.JSONDecodeError as exc:
            raise RuleError(f"the rule is not valid JSON: {exc.msg} at character {exc.pos}") from None
    else:
        rule = text
    check_rule(rule)
    return rule


def check_rule(rule: Any, channels: Sequence[str] | None = None) -> None:
    """Raise RuleError naming the first unknown field, operator, channel or bad value."""
    _check(rule, set(channels) if channels is not None else None, "rule", 0)


def _check(node: Any, channels: set[str] | None, where: str, depth: int) -> None:
    if depth > _MAX_DEPTH:
        raise RuleError(f"{where}: groups nest more than {_MAX_DEPTH} deep")
    if not isinstance(node, dict):
        raise RuleError(f"{where}: expected a condition or a group (an object), got {_kind(node)}")
    groups = [k for k in ("all", "any", "not") if k in node]
    if groups:
        if len(node) != 1:
            extra = sorted(set(node) - {groups[0]})
            raise RuleError(f"{where}: a group has one key ('all', 'any' or 'not'); also found {extra}")
        key = groups[0]
        if key == "not":
            _check(node["not"], channels, f"{where}.not", depth + 1)
            return
        items = node[key]
        if not isinstance(items, list):
            raise RuleError(f"{where}.{key}: expected a list of conditions, got {_kind(items)}")
        for i, item in enumerate(items):
            _check(item, channels, f"{where}.{key}[{i}]", depth + 1)
        return
    if "field" not in node:
        raise RuleError(f"{where}: a condition needs a 'field' (or use 'all', 'any', 'not'); "
                        f"found keys {sorted(node)}")
    field = node["field"]
    if not isinstance(field, str):
        raise RuleError(f"{where}: 'field' must be text, got {_kind(field)}")
    ops = _ops_of(field, where)
    allowed_keys = _EVENT_KEYS if field.startswith("event.") else _KEYS
    extra = sorted(set(node) - allowed_keys)
    if extra:
        raise RuleError(f"{where}: unknown key {extra[0]!r} in a condition on {field}")
    op = node.get("op")
    if op is None and field.startswith("event."):
        op = "within_days" if "within_days" in node else "exists"
    if op not in ops:
        raise RuleError(f"{where}: unknown op {op!r} for field {field} (use one of {', '.join(ops)})")
    _check_value(field, op, node, channels, where)


def _ops_of(field: str, where: str) -> tuple[str, ...]:
    if field in FIELDS:
        return FIELDS[field]
    for prefix, ops in PREFIXED.items():
        if field.startswith(prefix):
            rest = field[len(prefix):]
            if not rest.strip():
                raise RuleError(f"{where}: field {field!r} needs a name after {prefix!r}")
            if prefix == "event." and not re.fullmatch(r"[a-z0-9_]+", rest):
                raise RuleError(f"{where}: unknown field {field!r}: an event type is lower case letters, "
                                "digits and _ (event.purchase, event.open, event.any…)")
            return ops
    known = ", ".join([*FIELDS, "custom.<name>", "event.<type>"])
    raise RuleError(f"{where}: unknown field {field!r} (known: {known})")


def _check_value(field: str, op: str, node: dict, channels: set[str] | None, where: str) -> None:
    value = node.get("value")
    if op in ("exists", "not_exists"):
        if field.startswith("event."):
            _check_event_extras(node, where)
        return
    if field.startswith("event."):
        days = node.get("within_days", value)
        _days(days, f"{where}: {field} {op}")
        _check_event_extras(node, where)
        return
    if "value" not in node:
        raise RuleError(f"{where}: {field} {op} needs a 'value'")
    if op == "in":
        if not isinstance(value, list) or not value:
            raise RuleError(f"{where}: {field} in needs a non-empty list of values")
        values = value
    elif op == "between":
        if not isinstance(value, list) or len(value) != 2:
            raise RuleError(f"{where}: {field} between needs a list of two values [low, high]")
        values = value
    elif op in ("within_days", "not_within_days"):
        _days(value, f"{where}: {field} {op}")
        return
    else:
        values = [value]
    for v in values:
        _check_one(field, op, v, channels, where)


def _check_one(field: str, op: str, v: Any, channels: set[str] | None, where: str) -> None:
    if field == "channel":
        if not isinstance(v, str) or (channels is not None and v not in channels) or \
                (channels is None and v not in CHANNELS):
            known = ", ".join(sorted(channels if channels is not None else CHANNELS))
            raise RuleError(f"{where}: unknown channel {v!r} (known: {known})")
    elif field.startswith("consent."):
        if v not in CONSENT_VALUES:
            raise RuleError(f"{where}: unknown consent status {v!r} for {field} "
                            f"(use one of {', '.join(CONSENT_VALUES)})")
    elif field == "birthday_month":
        if not isinstance(v, int) or isinstance(v, bool) or not 1 <= v <= 12:
            raise RuleError(f"{where}: birthday_month takes a month number 1–12, got {v!r}")
    elif field in ("orders", "spend") or (field.startswith("custom.") and op in ("gt", "gte", "lt", "lte")):
        if field.startswith("custom.") and isinstance(v, str):
            _as_date(v, where, field)  # a custom date compares by date
            return
        if not isinstance(v, (int, float)) or isinstance(v, bool):
            raise RuleError(f"{where}: {field} {op} needs a number, got {v!r}")
    elif field in ("first_seen", "last_seen") or (field.startswith("custom.") and op == "between"):
        if field.startswith("custom.") and isinstance(v, (int, float)) and not isinstance(v, bool):
            return
        if not isinstance(v, str):
            raise RuleError(f"{where}: {field} {op} needs a date (YYYY-MM-DD), got {v!r}")
        _as_date(v, where, field)
    else:
        if not isinstance(v, (str, int, float)) or isinstance(v, bool):
            raise RuleError(f"{where}: {field} {op} needs text, got {_kind(v)}")


def _check_event_extras(node: dict, where: str) -> None:
    if "count_at_least" in node:
        n = node["count_at_least"]
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise RuleError(f"{where}: count_at_least must be a whole number ≥ 1, got {n!r}")
    if "item" in node and (not isinstance(node["item"], str) or not node["item"].strip()):
        raise RuleError(f"{where}: item must be non-empty text, got {node['item']!r}")
    if "within_days" in node and node.get("op") in (None, "exists", "not_exists"):
        _days(node["within_days"], f"{where}: within_days")


def _days(v: Any, where: str) -> int:
    if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= _MAX_DAYS:
        raise RuleError(f"{where} needs a whole number of days (0–{_MAX_DAYS}), got {v!r}")
    return v


def _as_date(v: str, where: str, field: str) -> str:
    try:
        return date.fromisoformat(v[:10]).isoformat()
    except ValueError:
        raise RuleError(f"{where}: {field} needs a date as YYYY-MM-DD, got {v!r}") from None


def _kind(v: Any) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "true/false", type(None): "null"}.get(
        type(v), "a number")


# -- compiling ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Context:
    """What compiling needs besides the rule: the instant "now" is."""

    now: datetime

    def ago(self, days: int) -> str:
        """The stored-time text of ``now`` minus ``days`` (naive UTC ISO, seconds)."""
        return (self.now.astimezone(UTC) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S")


def compile_rule(rule: Rule, now: datetime | None = None,
                 channels: Sequence[str] | None = None) -> ColumnElement[bool]:
    """The WHERE clause over the ``customer`` table for ``rule`` (checked first against ``channels``)."""
    check_rule(rule, channels)
    ctx = Context(now or datetime.now(UTC))
    return _compile(rule, ctx)


def _compile(node: Rule, ctx: Context) -> ColumnElement[bool]:
    if "all" in node:
        parts = [_compile(n, ctx) for n in node["all"]]
        return and_(true(), *parts) if parts else true()
    if "any" in node:
        parts = [_compile(n, ctx) for n in node["any"]]
        return or_(false(), *parts) if parts else false()
    if "not" in node:
        return not_(_compile(node["not"], ctx))
    return _condition(node, ctx)


_C = Customer.__table__


def _condition(node: Rule, ctx: Context) -> ColumnElement[bool]:
    field, value = node["field"], node.get("value")
    op = node.get("op") or ("within_days" if "within_days" in node else "exists")
    if field.startswith("event."):
        return _event(field[len("event."):], op, node, ctx)
    if field.startswith("custom."):
        return _custom(field[len("custom."):], op, value)
    if field.startswith("consent."):
        return _consent(field[len("consent."):], op, value)
    if field == "channel":
        return _listed(_C.c.channels, " ", op, value)
    if field == "tag":
        return _tag(op, value)
    if field == "name":
        return _text(_C.c.display_name, op, value)
    if field in _TEXT_COLUMNS:
        return _text(_C.c[field], op, _normal_contact(field, value))
    if field == "orders":
        return _number(_C.c.orders, op, value)
    if field == "spend":
        minor = [round(v * 100) for v in value] if isinstance(value, list) else (
            round(value * 100) if value is not None else None)
        return _number(_C.c.spend_minor, op, minor)
    if field in ("first_seen", "last_seen"):
        return _time(_C.c[field], op, value, ctx)
    if field == "birthday":
        return _present(_C.c.birthday, op)
    if field == "birthday_month":
        month = func.substr(_C.c.birthday, 6, 2)
        months = [f"{m:02d}" for m in (value if isinstance(value, list) else [value])]
        hit = and_(_C.c.birthday.is_not(None), month.in_(months))
        return not_(hit) if op == "is_not" else hit
    raise RuleError(f"unknown field {field!r}")  # check_rule already refused it


def _normal_contact(field: str, value: Any) -> Any:
    """An email condition compares folded addresses, as they are stored."""
    if field != "email" or value is None:
        return value
    if isinstance(value, list):
        return [str(v).strip().lower() for v in value]
    return str(value).strip().lower()


def _present(col, op: str) -> ColumnElement[bool]:
    has = and_(col.is_not(None), col != "")
    return has if op == "exists" else not_(has)


def _text(col, op: str, value: Any) -> ColumnElement[bool]:
    if op in ("exists", "not_exists"):
        return _present(col, op)
    if op == "contains":
        return and_(col.is_not(None), col.icontains(str(value), autoescape=True))
    values = [str(v).casefold() for v in (value if op == "in" else [value])]
    hit = and_(col.is_not(None), func.lower(col).in_(values))
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
        return and_(known, col.in_(list(value)))
    hit = and_(known, _compare(col, op, value))
    return hit


def _compare(col, op: str, value: Any) -> ColumnElement[bool]:
    return {
        "is": lambda: col == value, "is_not": lambda: col != value,
        "gt": lambda: col > value, "gte": lambda: col >= value,
        "lt": lambda: col < value, "lte": lambda: col <= value,
    }[op]()


def _time(col, op: str, value: Any, ctx: Context) -> ColumnElement[bool]:
    if op in ("exists", "not_exists"):
        has = col.is_not(None)
        return has if op == "exists" else not_(has)
    known = col.is_not(None)
    if op == "within_days":
        return and_(known, col >= ctx.ago(value))
    if op == "not_within_days":
        # Nothing in the window: seen before it, or never seen at all.
        return not_(and_(known, col >= ctx.ago(value)))
    # Dates compare by day: "last_seen lt 2026-06-01" is before that day began (UTC).
    if op == "between":
        low, high = sorted(_day(v) for v in value)
        return and_(known, col >= low, col < _next_day(high))
    day = _day(value)
    return and_(known, {
        "gt": lambda: col >= _next_day(day), "gte": lambda: col >= day,
        "lt": lambda: col < day, "lte": lambda: col < _next_day(day),
    }[op]())


def _day(v: str) -> str:
    return date.fromisoformat(v[:10]).isoformat()


def _next_day(day: str) -> str:
    return (date.fromisoformat(day) + timedelta(days=1)).isoformat()


def _listed(col, sep: str, op: str, value: Any) -> ColumnElement[bool]:
    """Membership in a column holding a list of keys separated by ``sep``."""
    if op in ("exists", "not_exists"):
        return _present(col, op)
    padded = sep + func.coalesce(col, "") + sep
    values = value if op == "in" else [value]
    hit = or_(*[padded.contains(sep + v + sep, autoescape=True) for v in values])
    return not_(hit) if op == "is_not" else hit


def _tag(op: str, value: Any) -> ColumnElement[bool]:
    """Tags are kept as "a, b, c": a tag matches whole, whatever its case."""
    col = _C.c.tags
    if op in ("exists", "not_exists"):
        return _present(col, op)
    padded = ", " + func.lower(func.coalesce(col, "")) + ", "
    if op == "contains":
        return col.icontains(str(value), autoescape=True)
    values = value if op == "in" else [value]
    hit = or_(*[padded.contains(", " + str(v).strip().lower() + ", ", autoescape=True) for v in values])
    return not_(hit) if op == "is_not" else hit


def _consent(channel: str, op: str, value: Any) -> ColumnElement[bool]:
    col = _C.c[f"consent_{channel}"]
    values = value if op == "in" else [value]
    known = [v for v in values if v != "unknown"]
    parts = []
    if known:
        parts.append(and_(col.is_not(None), col.in_(known)))
    if "unknown" in values:
        parts.append(or_(col.is_(None), col == ""))
    hit = or_(*parts)
    return not_(hit) if op == "is_not" else hit


def _custom(name: str, op: str, value: Any) -> ColumnElement[bool]:
    """A custom field: any of the customer's records holding it with a matching value."""
    cf, rec = CustomField.__table__, SourceRecord.__table__
    base = select(rec.c.customer_id).select_from(cf.join(rec, rec.c.id == cf.c.record_id)).where(
        rec.c.customer_id.is_not(None), func.lower(cf.c.name) == name.casefold())
    if op in ("exists", "not_exists"):
        hit = _C.c.id.in_(base.where(cf.c.value != ""))
        return hit if op == "exists" else not_(hit)
    if op == "contains":
        return _C.c.id.in_(base.where(cf.c.value.icontains(str(value), autoescape=True)))
    if op in ("is", "is_not", "in"):
        values = value if op == "in" else [value]
        texts = [str(v).casefold() for v in values]
        nums = [float(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
        match = func.lower(cf.c.value).in_(texts)
        if nums:
            match = or_(match, cf.c.number.in_(nums))
        hit = _C.c.id.in_(base.where(match))
        return not_(hit) if op == "is_not" else hit
    # Ordered comparisons: numbers against the number, dates against the date.
    sample = value[0] if op == "between" else value
    col = cf.c.date if isinstance(sample, str) else cf.c.number
    if isinstance(sample, str):
        value = [_day(v) for v in value] if op == "between" else _day(value)
    if op == "between":
        low, high = sorted(value)
        cond = col.between(low, high)
    else:
        cond = _compare(col, op, value)
    return _C.c.id.in_(base.where(col.is_not(None), cond))


def _event(kind: str, op: str, node: Rule, ctx: Context) -> ColumnElement[bool]:
    ev = Event.__table__
    where = [ev.c.customer_id.is_not(None)]
    types = EVENT_FAMILIES.get(kind, (kind,))
    if kind != ANY_EVENT:
        where.append(ev.c.type.in_(types))
    if set(types) & set(ORDER_TYPES):
        # A refunded or cancelled order is not a purchase.
        where.append(ev.c.status.not_in(NOT_SPEND))
    days = node.get("within_days", node.get("value") if op in ("within_days", "not_within_days") else None)
    if days is not None:
        where.append(ev.c.occurred_utc >= ctx.ago(days))
    if node.get("item"):
        where.append(ev.c.summary.icontains(node["item"].strip(), autoescape=True))
    people = select(ev.c.customer_id).where(*where)
    n = node.get("count_at_least", 1)
    if n > 1:
        people = people.group_by(ev.c.customer_id).having(func.count() >= n)
    hit = _C.c.id.in_(people)
    return not_(hit) if op in ("not_exists", "not_within_days") else hit


# -- running -----------------------------------------------------------------------------------

def known_channels(conn: Connection) -> list[str]:
    """Channels a rule may name: the app's own and any a file was imported as."""
    found = {c for (c,) in conn.execute(select(ImportBatch.__table__.c.channel).distinct())}
    return sorted(set(CHANNELS) | found)


def count(workspace, rule: Rule, now: datetime | None = None) -> int:
    """How many customers ``rule`` holds for."""
    with workspace.engine.connect() as conn:
        where = compile_rule(rule, now, known_channels(conn))
        return conn.execute(select(func.count()).select_from(_C).where(where)).scalar_one()


def member_ids(workspace, rule: Rule, now: datetime | None = None, *, limit: int | None = None,
               offset: int = 0) -> list[int]:
    """The ids of the customers ``rule`` holds for, by display name then id."""
    with workspace.engine.connect() as conn:
        query = (select(_C.c.id).where(compile_rule(rule, now, known_channels(conn)))
                 .order_by(_C.c.display_name, _C.c.id).offset(offset))
        if limit is not None:
            query = query.limit(limit)
        return list(conn.execute(query).scalars())


def members_query(rule: Rule, now: datetime | None = None, channels: Sequence[str] | None = None):
    """A SELECT of matching customer ids, to use inside other queries (exports, campaigns)."""
    return select(_C.c.id).where(compile_rule(rule, now, channels))


# -- saved segments ----------------------------------------------------------------------------

_S = SavedSegment.__table__


@dataclass(frozen=True)
class Segment:
    name: str
    rule: Rule
    created_at: str
    updated_at: str


def _clean_name(name: str) -> str:
    name = " ".join(str(name).split())
    if not name:
        raise RuleError("a segment needs a name")
    if len(name) > 200:
        raise RuleError("a segment name is at most 200 characters")
    return name


def save_segment(workspace, name: str, rule: Rule, *, replace: bool = False) -> Changes:
    """Save ``rule`` under ``name``; an existing name is refused unless ``replace``."""
    name = _clean_name(name)
    with workspace.writing() as conn:
        check_rule(rule, known_channels(conn))
        text = json.dumps(rule, ensure_ascii=False, sort_keys=True)
        row = conn.execute(select(_S.c.id).where(func.lower(_S.c.name) == name.casefold())).first()
        now = utcnow()
        if row is not None:
            if not replace:
                raise RuleError(f"a segment named {name!r} exists already")
            conn.execute(_S.update().where(_S.c.id == row[0]).values(name=name, rule_json=text, updated_at=now))
        else:
            conn.execute(_S.insert().values(name=name, rule_json=text, created_at=now, updated_at=now))
    return Changes(segments=True)


def get_segment(workspace, name: str) -> Segment:
    with workspace.engine.connect() as conn:
        row = conn.execute(select(_S.c.name, _S.c.rule_json, _S.c.created_at, _S.c.updated_at)
                           .where(func.lower(_S.c.name) == _clean_name(name).casefold())).first()
    if row is None:
        raise RuleError(f"no segment named {name!r}")
    return Segment(row[0], json.loads(row[1]), row[2], row[3])


def list_segments(workspace) -> list[Segment]:
    with workspace.engine.connect() as conn:
        rows = conn.execute(select(_S.c.name, _S.c.rule_json, _S.c.created_at, _S.c.updated_at)
                            .order_by(func.lower(_S.c.name))).all()
    return [Segment(r[0], json.loads(r[1]), r[2], r[3]) for r in rows]


def delete_segment(workspace, name: str) -> Changes:
    get_segment(workspace, name)  # refuses an unknown name
    with workspace.writing() as conn:
        conn.execute(delete(_S).where(func.lower(_S.c.name) == _clean_name(name).casefold()))
    return Changes(segments=True)


def resolve_audience(workspace, *, segment: str | None = None, rule: Rule | None = None) -> Rule:
    """The rule of a named segment, or ``rule`` itself; everyone when neither is given."""
    if segment is not None and rule is not None:
        raise RuleError("give a segment name or a rule, not both")
    if segment is not None:
        return get_segment(workspace, segment).rule
    return rule if rule is not None else {"all": []}

