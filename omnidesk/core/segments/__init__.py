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

Times: ``within_days N`` means since the same instant N days before ``now``, up to ``now``;
``now`` is passed in (tests fix it) and defaults to the clock.  Stored times are
UTC, so the window does not depend on the machine's zone.  A date (``last_seen
lt 2026-06-01``) is a whole day on the shop's clock (the ``timezone`` setting),
the day the Customers list and the card show; ``journey_start`` too, as the
Dashboard's periods count journeys.
"""

from __future__ import annotations

from omnidesk.core.segments.rules import (
    ANY_EVENT,
    CONSENT_CHANNELS,
    CONSENT_VALUES,
    EVENT_FAMILIES,
    FIELDS,
    PREFIXED,
    Rule,
    RuleError,
    check_rule,
    custom_field_outcomes,
    parse_rule,
    with_channel_codes,
)
from omnidesk.core.segments.saved import (
    ANY,
    Segment,
    delete_segment,
    find_segment,
    get_segment,
    list_segments,
    rename_segment,
    resolve_audience,
    save_segment,
)
from omnidesk.core.segments.sql import (
    Context,
    check_where,
    compile_rule,
    count,
    prepare,
    known_channels,
    member_ids,
    members_query,
    rule_vocabulary,
    rule_where,
    shop_region,
    shop_zone,
    workspace_channels,
)

__all__ = [
    "ANY", "ANY_EVENT", "CONSENT_CHANNELS", "CONSENT_VALUES", "EVENT_FAMILIES", "FIELDS", "PREFIXED", "Context", "Rule",
    "RuleError", "Segment", "check_rule", "check_where", "custom_field_outcomes", "compile_rule", "count", "prepare", "delete_segment", "find_segment", "get_segment",
    "known_channels", "list_segments", "member_ids", "members_query", "parse_rule", "with_channel_codes", "rename_segment",
    "resolve_audience", "rule_vocabulary", "rule_where", "save_segment", "shop_region", "shop_zone",
    "workspace_channels",
]
