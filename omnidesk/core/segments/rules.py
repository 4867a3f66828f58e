"""A segment rule's JSON form: the fields, the ops each takes, and the check that refuses the rest.

See the package docstring for the form; a rule that fails the check raises
:class:`RuleError` with one line naming the part at fault, before any SQL runs.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from omnidesk.core.channels import SOURCES, channel_code
from omnidesk.core.errors import UserError
from omnidesk.core.money import ORDER_TYPES
from omnidesk.core.text import clean_line

CHANNELS = tuple(c.code for c in SOURCES)

# The statuses a consent condition can name; "unknown" is a channel nobody said anything about.
CONSENT_VALUES = ("granted", "pending", "denied", "unsubscribed", "cleaned", "unknown", "held")
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
    # The journey (segments/journey.py): channels in the order the customer first appeared on them.
    "first_channel": SET_OPS,
    "second_channel": SET_OPS,
    "third_channel": SET_OPS,
    "purchase_channel": SET_OPS,
    "journey_start": TIME_OPS,
}
_CHANNEL_VALUED = ("channel", "first_channel", "second_channel", "third_channel", "purchase_channel")
PREFIXED = {"custom.": CUSTOM_OPS, "event.": EVENT_OPS}
_EVENT_KEYS = {"field", "op", "value", "within_days", "count_at_least", "item"}
_KEYS = {"field", "op", "value"}
_MAX_DEPTH = 20
# How big a rule may be: every condition and every listed value becomes part of one SQL statement,
# and past these a statement grows too large for the database to take (SQLite's own limits on
# bound values and on an expression's size) or too slow to run.  A pasted list of thousands of
# cities, emails or tags is well within them.
MAX_CONDITIONS = 200
MAX_VALUES = 10_000
_MAX_DAYS = 365 * 200
# The largest number a rule compares, either way: SQLite keeps a whole number in 64 bits and
# refuses a bigger one outright, and a float past it (1e300) or not finite (NaN, Infinity, which
# Python's JSON reader takes) is no count, amount or value anyone has.  Spend is kept in cents
# (``spend_minor``), so its limit is a hundredth of that: the largest amount whose cents still fit.
MAX_NUMBER = 2**63 - 1
_NUMBER_LIMITS = {"spend": MAX_NUMBER // 100}  # 92233720368547758


class RuleError(UserError):
    """A rule that cannot be run: the message says which part, in one line."""


Rule = dict[str, Any]


def parse_rule(text: str | bytes | Rule, channels: Sequence[str] | None = None) -> Rule:
    """A rule from its JSON text (or an already-parsed dict), checked, with each channel as its
    code (:func:`with_channel_codes`); raises RuleError.

    ``channels`` are those a channel condition may name (a workspace's:
    ``sql.known_channels``); without them, only the app's own.
    """
    if isinstance(text, (str, bytes)):
        try:
            rule = json.loads(text)
        except json.JSONDecodeError as exc:
            raise RuleError(f"the rule is not valid JSON: {exc.msg} at character {exc.pos}") from None
        except ValueError:  # a number of more digits than Python reads (4,300)
            raise RuleError("the rule is not valid JSON: a number in it has too many digits to read") from None
        except RecursionError:  # Python's reader gives up near a thousand levels, far past what _check takes
            raise RuleError(f"the rule is nested too deep to read (groups nest at most {_MAX_DEPTH} deep)") from None
    else:
        rule = text
    check_rule(rule, channels)  # refusing a channel as it was typed
    return with_channel_codes(rule)


def rule_channel(value: Any) -> Any:
    """The channel a rule's value names, read as ``import --channel`` reads one
    (``importing.analysis.check_channel``): a channel's code, label or other name in any case
    ("Till", "POS" are ``pos``), else a channel of the user's own, spaces and case aside
    ("Farmers market" is ``farmers_market``).  A value that is not text is left to the check."""
    return channel_code(clean_line(value)) if isinstance(value, str) else value


def with_channel_codes(rule: Any) -> Any:
    """``rule`` with each channel condition's value as its channel's code (:func:`rule_channel`),
    as it is kept; the same ``rule`` when none needs it, else a copy (the one given is left as is)."""
    if not isinstance(rule, dict):
        return rule
    if any(k in rule for k in ("all", "any")):
        key = "all" if "all" in rule else "any"
        items = rule[key]
        if not isinstance(items, list):
            return rule
        changed = [with_channel_codes(item) for item in items]
        return rule if all(a is b for a, b in zip(changed, items)) else {**rule, key: changed}
    if "not" in rule:
        inner = with_channel_codes(rule["not"])
        return rule if inner is rule["not"] else {**rule, "not": inner}
    if rule.get("field") not in _CHANNEL_VALUED or "value" not in rule:
        return rule
    value = rule["value"]
    coded = [rule_channel(v) for v in value] if isinstance(value, list) else rule_channel(value)
    return rule if coded == value else {**rule, "value": coded}


def check_rule(rule: Any, channels: Sequence[str] | None = None, *, stored: bool = False) -> None:
    """Raise RuleError naming the first unknown field, operator, channel or bad value.

    A range given high end first ("between [10, 5]") is refused: it was meant the
    other way round, or a number was mistyped, and which is not for omnidesk to guess.
    ``stored`` is for a rule read back to run it: one saved before this was refused
    still runs, read low to high as it always was, rather than stop a segment in use.  A tag
    with a comma is refused either way: no reading of it keeps what it picked.
    """
    _check(rule, set(channels) if channels is not None else None, "rule", 0, stored)
    _check_size(rule)


def _check_size(rule: Rule) -> None:
    """Refuse a (well-formed) rule too big to run: more than MAX_CONDITIONS conditions, or more than
    MAX_VALUES values in its lists together."""
    conditions = values = 0
    todo = [rule]
    while todo:
        node = todo.pop()
        for key in ("all", "any"):
            todo.extend(node.get(key) or ())
        if "not" in node:
            todo.append(node["not"])
        elif "field" in node:
            conditions += 1
            value = node.get("value")
            values += len(value) if isinstance(value, list) else 1
    if conditions > MAX_CONDITIONS:
        raise RuleError(f"rule: too big to run: it has {conditions:,} conditions, and a rule takes at most "
                        f"{MAX_CONDITIONS:,} (an 'in' list counts as one)")
    if values > MAX_VALUES:
        raise RuleError(f"rule: too big to run: its conditions hold {values:,} values, and a rule takes at most "
                        f"{MAX_VALUES:,} in all")


# The ops that hold for a customer without any value of a custom field ("has none", "is not x").
_HOLD_WITHOUT_FIELD = ("not_exists", "is_not")


def custom_field_outcomes(rule: Any) -> dict[str, set[bool]]:
    """For each custom field a (checked) rule names, in order, what its conditions come to were no
    record to have that field: True for one then true of every customer, False for one true of none.

    A ``not_exists`` or ``is_not`` holds for a customer without the field; any other op holds for
    nobody; each ``not`` around a condition turns that over.  Names come as written, first spelling."""
    found: dict[str, set[bool]] = {}
    folded: dict[str, str] = {}

    def walk(node: Any, negated: bool) -> None:
        if not isinstance(node, dict):
            return
        for key in ("all", "any"):
            for item in node.get(key) or ():
                walk(item, negated)
        if "not" in node:
            walk(node["not"], not negated)
        field = node.get("field")
        if isinstance(field, str) and field.startswith("custom."):
            name = field[len("custom."):]
            name = folded.setdefault(name.casefold(), name)
            found.setdefault(name, set()).add((node.get("op") in _HOLD_WITHOUT_FIELD) != negated)

    walk(rule, False)
    return found


def _check(node: Any, channels: set[str] | None, where: str, depth: int, stored: bool = False) -> None:
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
            _check(node["not"], channels, f"{where}.not", depth + 1, stored)
            return
        items = node[key]
        if not isinstance(items, list):
            raise RuleError(f"{where}.{key}: expected a list of conditions, got {_kind(items)}")
        for i, item in enumerate(items):
            _check(item, channels, f"{where}.{key}[{i}]", depth + 1, stored)
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
    if not stored:
        _strict_days(field, op, node.get("value"), where)
    if field == "tag" and op in ("is", "is_not", "in", "contains"):  # a saved one too: see _check_tag_values
        _check_tag_values(node["value"] if op == "in" else [node["value"]], where, op)
    if op == "between" and not stored:
        _check_range(field, node["value"], where)


def _check_tag_values(values: list, where: str, op: str = "is") -> None:
    """A tag holds no comma (``edits.clean_tags``): "vip, local" is two tags, asked for with ``in``.

    A rule saved before this was refused is refused too when it is run (``stored``): it matched
    the customers whose tags were kept in that order, and read as no tag it would quietly pick
    others ("is_not" everyone), a campaign's exclusion then leaving nobody out.  ``contains``
    looks inside one tag at a time, so a comma in it would find nobody, without a word."""
    for v in values:
        if isinstance(v, str) and "," in v:
            tags = ", ".join(json.dumps(t.strip(), ensure_ascii=False) for t in v.split(",") if t.strip())
            if op == "contains":
                raise RuleError(f"{where}: a tag holds no comma, so no tag contains {v!r}; ask for each "
                                "part with its own condition in an 'any' or 'all' group")
            raise RuleError(f"{where}: a tag holds no comma: {v!r} is several tags; ask for any of them "
                            f"with 'in' and a list ([{tags}])")


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
    if field in _CHANNEL_VALUED:
        code = rule_channel(v)  # as the import that brought it named it, in any case and spacing
        if not isinstance(v, str) or (channels is not None and code not in channels) or \
                (channels is None and code not in CHANNELS):
            known = ", ".join(sorted(channels if channels is not None else CHANNELS))
            raise RuleError(f"{where}: unknown channel {v!r} (known: {known})")
    elif field.startswith("consent."):
        if v not in CONSENT_VALUES:
            raise RuleError(f"{where}: unknown consent status {v!r} for {field} "
                            f"(use one of {', '.join(CONSENT_VALUES)})")
    elif field == "birthday_month":
        if not isinstance(v, int) or isinstance(v, bool) or not 1 <= v <= 12:
            raise RuleError(f"{where}: birthday_month takes a month number 1–12, got {_number_text(v)}")
    elif field.startswith("custom.") and op in ("gt", "gte", "lt", "lte", "between"):
        got = custom_ordered(v)  # a custom value compares as a date or as a number
        if got is None:
            raise RuleError(f"{where}: {field} {op} needs a number or a date as YYYY-MM-DD, got {_number_text(v)}")
        if not isinstance(got, str):
            _in_range(field, op, got, where)
    elif field in ("orders", "spend"):
        if not isinstance(v, (int, float)) or isinstance(v, bool):
            raise RuleError(f"{where}: {field} {op} needs a number, got {v!r}")
        _in_range(field, op, v, where)
    elif field in ("first_seen", "last_seen", "journey_start"):
        if not isinstance(v, str):
            raise RuleError(f"{where}: {field} {op} needs a date (YYYY-MM-DD), got {v!r}")
        _as_date(v, where, field, op)
    else:
        if not isinstance(v, (str, int, float)) or isinstance(v, bool):
            raise RuleError(f"{where}: {field} {op} needs text, got {_kind(v)}")
        if isinstance(v, str) and not v.strip():
            # Blank text would pick by accident: "contains" finds it in every value, and a
            # customer without a tag or a city matched "is" nothing.  Having none is not_exists.
            raise RuleError(f"{where}: {field} {op} needs some text, not an empty value "
                            f"(for customers without one, use {field} not_exists)")
        if field.startswith("custom.") and op != "contains" and not isinstance(v, str):
            _in_range(field, op, v, where)  # a custom number also matches as a number


def _check_range(field: str, ends: list, where: str) -> None:
    """Refuse a range whose low end is above its high end, or whose ends are not of one kind."""
    low, high = ends
    if field.startswith("custom."):
        first, last = custom_ordered(low), custom_ordered(high)
        if isinstance(first, str) != isinstance(last, str):
            raise RuleError(f"{where}: {field} between needs two numbers or two dates, got {low!r} and {high!r}")
    else:
        if isinstance(low, str) != isinstance(high, str):
            raise RuleError(f"{where}: {field} between needs two numbers or two dates, got {low!r} and {high!r}")
        first, last = (_as_date(low, where, field, "between"), _as_date(high, where, field, "between")) \
            if isinstance(low, str) else ends
    if first > last:
        raise RuleError(f"{where}: {field} between [{_number_text(low)}, {_number_text(high)}]: the low end is "
                        f"above the high end (the lower one comes first: [{_number_text(high)}, "
                        f"{_number_text(low)}])")


def _in_range(field: str, op: str, v: float, where: str) -> None:
    """Refuse a number no column holds: not finite, or past what SQLite keeps (MAX_NUMBER)."""
    limit = _NUMBER_LIMITS.get(field, MAX_NUMBER)
    if (isinstance(v, float) and not math.isfinite(v)) or not -limit <= v <= limit:
        raise RuleError(f"{where}: {field} {op} needs a number from -{limit} to {limit} (the largest a workspace "
                        f"keeps), got {_number_text(v)}")


def _number_text(v: Any) -> str:
    """A value as a rule error quotes it: a huge whole number short (1e+23), never its thousand digits."""
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) > 10**21:
        try:
            return f"{float(v):g}"
        except OverflowError:
            return f"a number of about {round(v.bit_length() * math.log10(2)):,} digits"
    return repr(v)


def _check_event_extras(node: dict, where: str) -> None:
    if "count_at_least" in node:
        n = node["count_at_least"]
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise RuleError(f"{where}: count_at_least must be a whole number ≥ 1, got {n!r}")
        if n > MAX_NUMBER:
            raise RuleError(f"{where}: count_at_least must be a whole number from 1 to {MAX_NUMBER}, "
                            f"got {_number_text(n)}")
    if "item" in node and (not isinstance(node["item"], str) or not node["item"].strip()):
        raise RuleError(f"{where}: item must be non-empty text, got {node['item']!r}")
    if "within_days" in node and node.get("op") in (None, "exists", "not_exists"):
        _days(node["within_days"], f"{where}: within_days")


def _days(v: Any, where: str) -> int:
    if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= _MAX_DAYS:
        raise RuleError(f"{where} needs a whole number of days (0–{_MAX_DAYS}), got {_number_text(v)}")
    return v


def custom_ordered(v: Any) -> str | int | float | None:
    """What a custom field's ordered comparison (gt, between…) compares ``v`` as: a date (YYYY-MM-DD)
    when it reads as one, else a number, given as JSON or as text ("100", "1,200.50": read as an
    import reads a cell, as ``is`` already reads them); None when it is neither."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return v  # as given: a whole number at the edge of what a workspace keeps stays exact
    if not isinstance(v, str):
        return None
    day = leading_day(v)
    if day is not None:
        return day
    from omnidesk.core.importing.normalize import clean_cell, parse_money

    got = parse_money(clean_cell(v)).value
    return float(got) if got is not None else None


_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def leading_day(v: str) -> str | None:
    """The day a rule's date text starts with, written YYYY-MM-DD, or None.

    Only that form: Python also reads "20260101" (which a custom field compares as the number it
    is, as the window reads it) and "2026-W10-1" as days.  What follows the day is not read here
    (rules saved before it was refused still run); a new rule with more is refused (``_strict_days``)."""
    if not _ISO_DAY.match(v):
        return None
    try:
        return date.fromisoformat(v[:10]).isoformat()
    except ValueError:
        return None


def _strict_days(field: str, op: str, value: Any, where: str) -> None:
    """Refuse a new rule's date with anything after its day ("2026-03-01 garbage", "2026-03-01T99:99"):
    only the day would be read, a mistyped time quietly dropped."""
    dated = field in ("first_seen", "last_seen", "journey_start") or (
        field.startswith("custom.") and op in ("gt", "gte", "lt", "lte", "between"))
    if not dated:
        return
    for v in value if isinstance(value, list) else [value]:
        if isinstance(v, str) and _ISO_DAY.match(v) and not _ISO_DAY.fullmatch(v.strip()):
            raise RuleError(f"{where}: {field} {op} needs a date as YYYY-MM-DD and nothing after it, got {v!r}")


def _as_date(v: str, where: str, field: str, op: str = "") -> str:
    day = leading_day(v)
    if day is not None:
        return day
    else:
        if field.startswith("custom."):  # a custom column compares as a number or as a date, as given
            raise RuleError(f"{where}: {field} {op} needs a number or a date as YYYY-MM-DD, got {v!r}") from None
        raise RuleError(f"{where}: {field} needs a date as YYYY-MM-DD, got {v!r}") from None


def _kind(v: Any) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "true/false", type(None): "null"}.get(
        type(v), "a number")
