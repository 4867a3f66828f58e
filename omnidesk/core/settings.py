"""The workspace settings a user may change, each checked before it is stored.

``omnidesk settings`` lists and changes them; every other part of omnidesk
reads them with ``Workspace.get_setting``.  A value is checked the way it will
be used (a region phonenumbers knows, a time zone the system's database
knows), so a typo is refused with one clear sentence instead of silently
changing how phones or dates are read.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass

from sqlalchemy import select

from omnidesk.core.changes import Changes
from omnidesk.core.channels import HAND, channel_code
from omnidesk.core.errors import UserError
from omnidesk.core.metrics_index import shop_currency_code
from omnidesk.core.models import Customer, ImportBatch, Setting
from omnidesk.core.tasks import CancelCheck, Progress, cancellable, never_cancelled, run_to_completion
from omnidesk.core.workspace import DEFAULT_SETTINGS, Workspace


@dataclass(frozen=True)
class SettingSpec:
    key: str
    help: str
    parse: Callable[[str], object]  # the text a user typed -> the value stored; raises ValueError


def _region(text: str) -> str:
    import phonenumbers

    code = text.strip().upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"'{text}' is not a region code such as US, GB or DE")
    return code


def _timezone(text: str) -> str:
    from omnidesk.core.timeutil import canonical_zone

    name = text.strip()
    if not name:
        return ""
    zone = canonical_zone(name)
    if zone is None:
        raise ValueError(f"'{text}' is not a time zone such as America/New_York or Europe/Berlin")
    return zone


# Zones that keep one offset all year though their names read as a region's clock: the zone of the
# place most likely meant.  (EST5EDT and the like, and CET, change for summer time: not among them.)
_FIXED_ABBREVIATIONS = {"EST": ("New York", "America/New_York"), "MST": ("Denver", "America/Denver")}
# A place on each whole-hour offset from UTC, for a fixed Etc/GMT zone's warning.
_PLACE_AT_OFFSET = {-10: ("Honolulu", "Pacific/Honolulu"), -9: ("Anchorage", "America/Anchorage"),
                    -8: ("Los Angeles", "America/Los_Angeles"), -7: ("Denver", "America/Denver"),
                    -6: ("Chicago", "America/Chicago"), -5: ("New York", "America/New_York"),
                    -4: ("Halifax", "America/Halifax"), -3: ("São Paulo", "America/Sao_Paulo"),
                    1: ("Berlin", "Europe/Berlin"), 2: ("Athens", "Europe/Athens"), 3: ("Moscow", "Europe/Moscow"),
                    4: ("Dubai", "Asia/Dubai"), 5: ("Karachi", "Asia/Karachi"), 6: ("Dhaka", "Asia/Dhaka"),
                    7: ("Bangkok", "Asia/Bangkok"), 8: ("Singapore", "Asia/Singapore"), 9: ("Tokyo", "Asia/Tokyo"),
                    10: ("Sydney", "Australia/Sydney"), 12: ("Auckland", "Pacific/Auckland")}


def zone_warning(zone: str) -> str | None:
    """One line on a time zone that is stored as given but is likely not the clock meant: ``EST``
    (fixed at -05:00, never summer time) and ``Etc/GMT+5`` (UTC-05:00: the sign is the POSIX one,
    reversed), naming the region's zone to give instead; None for any other zone."""
    import re

    if zone in _FIXED_ABBREVIATIONS:
        place, region = _FIXED_ABBREVIATIONS[zone]
        return f"{zone} never changes for summer time; for {place} use {region}"
    m = re.fullmatch(r"Etc/GMT([+-])(\d{1,2})", zone)
    if m is None or int(m[2]) == 0:
        return None
    offset = -int(m[2]) if m[1] == "+" else int(m[2])  # Etc/GMT+5 is five hours behind UTC
    place = _PLACE_AT_OFFSET.get(offset)
    where = f"; for {place[0]} use {place[1]}" if place else "; for a place's clock use its zone"
    return (f"{zone} is UTC{offset:+03d}:00, not UTC{-offset:+03d}:00 (the sign is reversed), and never changes "
            f"for summer time{where}")


def _currency(text: str) -> str:
    from omnidesk.core.importing.normalize import ISO_4217

    code = text.strip().upper()
    if code and not (len(code) == 3 and code.isalpha() and code.isascii()):
        raise ValueError(f"'{text}' is not a three-letter currency code such as USD or EUR")
    if code and code not in ISO_4217:  # "ZZZ" would be printed after every amount the shop reads
        raise ValueError(f"'{text}' is not a currency code; give one of ISO 4217 such as USD or EUR")
    return code


# The matching thresholds' limits, in bits: what ``omnidesk settings`` takes and what the
# Preferences' boxes offer (their least, most and decimals), so either stores what the other shows.
THRESHOLD_LEAST, THRESHOLD_MOST, THRESHOLD_DECIMALS = 0.5, 100.0, 1


def _bits(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a number of bits such as 14") from None
    if not THRESHOLD_LEAST <= value <= THRESHOLD_MOST:
        raise ValueError(f"a threshold is a number of bits from {THRESHOLD_LEAST:g} to {THRESHOLD_MOST:g}")
    if round(value, THRESHOLD_DECIMALS) != value:
        raise ValueError(f"give a threshold in tenths of a bit, such as 14 or 7.5 ('{text.strip()}' has more "
                         "decimals)")
    return value


def _business_name(text: str) -> str:
    """The shop's name, as the brand's ``name`` keeps it: one line, at most 300 characters (empty: none)."""
    from omnidesk.core.text import clean_line

    if "\x00" in text:
        raise ValueError("a name cannot hold a NUL character (\\x00)")
    name = clean_line(text)
    if len(name) > 300:
        raise ValueError(f"keep the shop's name to 300 characters at most (it has {len(name):,})")
    return name


def _channels(text: str) -> list[str]:
    """"shop, Till, email" -> ["shop", "pos", "email"]: the channels whose names win, most trusted first."""
    names = [channel_code(part).lower() for part in text.replace(";", ",").split(",") if part.strip()]
    if len(set(names)) != len(names):
        raise ValueError("name each channel once")
    bad = [n for n in names if not n.replace("_", "").replace("-", "").isalnum()]
    if bad:
        raise ValueError(f"'{bad[0]}' is not a channel name such as shop, pos or email")
    return names


_MOST_MESSAGES = 10_000  # a cap past this caps nothing; far past it, nothing reads it as a count
_MOST_DAYS = 3_660  # ten years: longer windows only overflowed the date arithmetic (0 orders, no error)


def _whole(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise ValueError(f"'{text}' is not a whole number such as 3") from None


def _count(text: str) -> int:
    value = _whole(text)
    if value < 0:
        raise ValueError("give 0 (no cap) or more")
    if value > _MOST_MESSAGES:
        raise ValueError(f"give at most {_MOST_MESSAGES:,} (0: no cap)")
    return value


def _days(text: str) -> int:
    value = _whole(text)
    if value < 1:
        raise ValueError("a window is at least 1 day")
    if value > _MOST_DAYS:
        raise ValueError(f"a window is at most {_MOST_DAYS:,} days (ten years)")
    return value


def _clock(text: str) -> str:
    from datetime import time

    try:
        value = time.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"'{text}' is not a time of day such as 21:00") from None
    if value.second or value.microsecond:
        raise ValueError(f"'{text}' has seconds; give hours and minutes such as 21:00")
    if value.tzinfo is not None:
        raise ValueError(f"'{text}' has an offset; give a time of day such as 21:00 (it is read on the "
                         "recipient's clock)")
    return value.strftime("%H:%M")


QUIET_HOURS = ("quiet_start", "quiet_end")


def check_quiet_hours(start: object, end: object, changed: str | None = None) -> None:
    """ValueError unless quiet hours end at another time than they start (the same time would make
    them no hours at all, and every text would go out at any hour).  ``changed``: the one of the two
    settings being given, named with the other in the sentence."""
    from datetime import time

    at = time.fromisoformat(str(start))
    if at != time.fromisoformat(str(end)):
        return
    if changed in QUIET_HOURS:
        other = QUIET_HOURS[changed == "quiet_start"]
        raise ValueError(f"{changed}: {other} is {at:%H:%M} too, and quiet hours cannot end when they start; "
                         "give another time")
    raise ValueError(f"quiet_start and quiet_end are both {at:%H:%M}, and quiet hours cannot end when they "
                     "start; give two different times")


def _yes_no(text: str) -> bool:
    word = text.strip().lower()
    if word in ("yes", "y", "true", "on", "1"):
        return True
    if word in ("no", "n", "false", "off", "0"):
        return False
    raise ValueError(f"'{text}' is not yes or no")


def _quiet_action(text: str) -> str:
    word = text.strip().lower()
    if word not in ("move", "exclude"):
        raise ValueError("give move (send when quiet hours end) or exclude (leave them out)")
    return word


SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec("business_name", "the shop's name", _business_name),
    SettingSpec("default_region", "where local phone numbers and dates without a country are from (US, GB, DE...)",
                _region),
    SettingSpec("timezone", "the shop's time zone: the timeline reads times on its clock "
                "(empty: the computer's)", _timezone),
    SettingSpec("currency", "the shop's money, for amounts given without one (empty: the region's)", _currency),
    SettingSpec("channel_trust", "channels whose names and birthdays a customer's card shows first, "
                "most trusted first (comma-separated)", _channels),
    SettingSpec("match_auto_threshold", "bits of evidence from which two records merge by themselves", _bits),
    SettingSpec("match_review_threshold", "bits of evidence from which a pair waits in Review", _bits),
    SettingSpec("cap_messages", "campaigns: at most this many messages per customer in cap_days days, every "
                "channel together (0: no cap)", _count),
    SettingSpec("cap_days", "campaigns: the days the frequency caps count over", _days),
    SettingSpec("cap_email", "campaigns: at most this many emails per customer in cap_days days (0: no cap)", _count),
    SettingSpec("cap_sms", "campaigns: at most this many SMS per customer in cap_days days (0: no cap)", _count),
    SettingSpec("quiet_start", "campaigns: no SMS from this time of day, on the recipient's clock", _clock),
    SettingSpec("quiet_end", "campaigns: ...until this time of day", _clock),
    SettingSpec("quiet_hours_action", "campaigns: an SMS due in quiet hours waits for them to end (move) or is "
                "not sent (exclude)", _quiet_action),
    SettingSpec("send_unknown_email", "campaigns: email people whose consent is unknown (no: only those who "
                "said yes)", _yes_no),
    SettingSpec("send_unknown_sms", "campaigns: text people whose consent is unknown (no: only those who "
                "said yes)", _yes_no),
    SettingSpec("attribution_days", "reports: an order within this many days of a campaign's send counts for it",
                _days),
    SettingSpec("soft_opt_in", "campaigns: email existing customers (an order) whose consent is unknown, the "
                "EU's soft opt-in for similar products; never anyone who said no", _yes_no),
)
_BY_KEY = {s.key: s for s in SETTINGS}


def _default(key: str) -> object:
    if key in DEFAULT_SETTINGS:
        return DEFAULT_SETTINGS[key]
    from omnidesk.core.campaigns.guards import DEFAULT_RULES

    if key in DEFAULT_RULES:
        return DEFAULT_RULES[key]
    if key == "attribution_days":
        return 7
    if key == "channel_trust":
        from omnidesk.core.identity.golden import DEFAULT_TRUST

        return list(DEFAULT_TRUST)
    from omnidesk.core.identity.scoring import Model

    return {"match_auto_threshold": Model().auto_threshold, "match_review_threshold": Model().review_threshold}[key]


def _defaults() -> dict[str, object]:
    return {s.key: _default(s.key) for s in SETTINGS}


def list_settings(ws: Workspace) -> list[dict]:
    """Every setting: key, value (the default where none was set), default and what it does."""
    defaults = _defaults()
    values = ws.get_settings(defaults, defaults)
    return [{"key": s.key, "value": values[s.key], "default": defaults[s.key], "help": s.help} for s in SETTINGS]


def preference_values(ws: Workspace) -> dict[str, object]:
    """Every setting as the workspace reads it now, for a form that shows them all.

    ``channel_trust`` is the whole order: the channels named, the rest of the default
    order, then every other channel a file was imported as (alphabetically), so each
    can be given its place.
    """
    values = ws.get_settings(_BY_KEY, _defaults())
    order = trust_order(values["channel_trust"])
    with ws.engine.connect() as conn:
        imported = {c for (c,) in conn.execute(select(ImportBatch.__table__.c.channel).distinct()) if c}
    values["channel_trust"] = order + sorted(imported - set(order) - {HAND})
    return values


def check_setting(key: str, text: str) -> object:
    """The value ``text`` stands for as ``key`` (empty: the default); ValueError with one sentence if none."""
    spec = _BY_KEY.get(key)
    if spec is None:
        raise ValueError(f"there is no setting '{key}'; the settings are: {', '.join(_BY_KEY)}")
    return _default(key) if not text.strip() else spec.parse(text)


def check_thresholds(auto: object, review: object) -> None:
    """ValueError unless the review threshold stays below the automatic one."""
    if float(review) >= float(auto):
        raise ValueError(f"the review threshold ({float(review):g} bits) must stay below the automatic one "
                         f"({float(auto):g} bits)")


def change_setting(ws: Workspace, key: str, text: str) -> object:
    """Check ``text`` for ``key`` and store it; an empty text restores the default. Returns the value."""
    value = checked_setting(ws, key, text)
    # Stored as Preferences stores it, so what depends on the setting (the cards, after a new
    # trust order or time zone) is brought up to date the same way, in the same transaction.
    restore_settings(ws, {key: json.dumps(value)})
    return value


def checked_setting(ws: Workspace, key: str, text: str) -> object:
    """The value ``text`` stands for as ``key`` in ``ws``, changing nothing; UserError (one line) when refused."""
    if key not in _BY_KEY:
        raise UserError(f"there is no setting '{key}'; the settings are: {', '.join(_BY_KEY)}")
    try:
        value = check_setting(key, text)
    except ValueError as exc:
        raise UserError(f"{key}: {exc}") from None
    if key == "channel_trust":
        _check_trusted(ws, value)
    auto = value if key == "match_auto_threshold" else ws.get_setting("match_auto_threshold",
                                                                      _default("match_auto_threshold"))
    review = value if key == "match_review_threshold" else ws.get_setting("match_review_threshold",
                                                                          _default("match_review_threshold"))
    try:
        check_thresholds(auto, review)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if key in QUIET_HOURS:
        start, end = (value if k == key else ws.get_setting(k, _default(k)) for k in QUIET_HOURS)
        try:
            check_quiet_hours(start, end, key)
        except ValueError as exc:
            raise UserError(str(exc)) from None
    return value


def _check_trusted(ws: Workspace, named: object, kept: object = ()) -> None:
    """Refuse a trust order naming a channel the workspace has none of (a typo would trust nothing):
    the app's own channels and those a file was imported as are known, and those of ``kept`` (the
    order stored now, which a form saving every setting hands back unchanged)."""
    from omnidesk.core.channels import SOURCES

    with ws.engine.connect() as conn:
        imported = {c for (c,) in conn.execute(select(ImportBatch.__table__.c.channel).distinct()) if c}
    known = sorted(({c.code for c in SOURCES} | imported) - {HAND})
    kept = set(kept) if isinstance(kept, list) else set()
    for name in named if isinstance(named, list) else ():
        if name not in known and name not in kept:
            raise UserError(f"channel_trust: unknown channel '{name}' (known: {', '.join(known)})")


def trust_order(named: object) -> list[str]:
    """The whole order of trust a ``channel_trust`` value stands for: the channels it names, then the
    rest of the default order (what the card's survivorship reads, see ``golden.channel_trust``)."""
    from omnidesk.core.identity.golden import DEFAULT_TRUST

    listed = [str(c) for c in named] if isinstance(named, list) else []
    return listed + [c for c in DEFAULT_TRUST if c not in listed]


@dataclass(frozen=True)
class SettingsChange:
    """Several settings changed at once, as stored text (JSON; None: not stored) before and after."""

    before: dict[str, str | None]
    after: dict[str, str | None]
    changes: Changes

    @property
    def empty(self) -> bool:
        return not self.after


def change_settings(ws: Workspace, texts: Mapping[str, str], *,
                    expect: Mapping[str, object] | None = None) -> SettingsChange:
    """:func:`change_settings_steps` run to its end (the command line, and what waits for it)."""
    return run_to_completion(change_settings_steps(ws, texts, expect=expect))


def change_settings_steps(ws: Workspace, texts: Mapping[str, str], cancelled: CancelCheck = never_cancelled,
                          *, expect: Mapping[str, object] | None = None
                          ) -> Generator[Progress, None, SettingsChange]:
    """Check every ``key -> text`` and store those that differ from what the workspace reads now,
    in one transaction; nothing is stored when any is refused (UserError naming the setting).

    ``expect`` is ``key -> value`` as the workspace read it when a form showed it: a setting to be
    stored that another window or the command line changed since is refused (UserError), nothing
    stored, rather than its newer value overwritten unseen.

    An empty text stands for the default.  The thresholds are checked together (review below
    automatic).  A new channel trust order refreshes every merged customer's card, a new time zone
    every customer's card, in the same transaction.  Returns what was stored before and after, for :func:`restore_settings`.
    """
    values: dict[str, object] = {}
    for key, text in texts.items():
        if key not in _BY_KEY:
            raise UserError(f"there is no setting '{key}'; the settings are: {', '.join(_BY_KEY)}")
        try:
            values[key] = check_setting(key, text)
        except ValueError as exc:
            raise UserError(f"{key}: {exc}") from None
        if key == "channel_trust":
            _check_trusted(ws, values[key], ws.get_setting(key, []))
    current = ws.get_settings(_BY_KEY, _defaults())
    try:
        check_thresholds(values.get("match_auto_threshold", current["match_auto_threshold"]),
                         values.get("match_review_threshold", current["match_review_threshold"]))
    except ValueError as exc:
        raise UserError(str(exc)) from None
    given = [key for key in QUIET_HOURS if key in values]
    try:
        if given:
            check_quiet_hours(*(values.get(key, current[key]) for key in QUIET_HOURS),
                              given[0] if len(given) == 1 else None)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    changed = {key: value for key, value in values.items() if not _same(key, value, current[key])}
    if expect is not None and any(key in expect and not _same(key, expect[key], current[key]) for key in changed):
        raise UserError(CHANGED_SINCE)
    if not changed:
        return SettingsChange({}, {}, Changes())
    return (yield from restore_settings_steps(ws, {key: json.dumps(value) for key, value in changed.items()},
                                              cancelled=cancelled))


CHANGED_SINCE = "the preferences were changed since (in another window or from the command line)"


def _same(key: str, new: object, old: object) -> bool:
    if key == "channel_trust":
        return trust_order(new) == trust_order(old)
    if key.startswith("match_"):
        return float(new) == float(old)
    return new == old


def restore_settings(ws: Workspace, stored: Mapping[str, str | None], *,
                     expect: Mapping[str, str | None] | None = None) -> SettingsChange:
    """:func:`restore_settings_steps` run to its end."""
    return run_to_completion(restore_settings_steps(ws, stored, expect=expect))


def restore_settings_steps(ws: Workspace, stored: Mapping[str, str | None], *,
                           expect: Mapping[str, str | None] | None = None,
                           cancelled: CancelCheck = never_cancelled) -> Generator[Progress, None, SettingsChange]:
    """Store each ``key -> JSON text`` (None: remove it, so the default applies) in one transaction,
    with the cards that depend on them: the merged customers' after a new trust order, every
    customer's after a new time zone.  Every change of a setting goes through here.

    With ``expect``, first checks the settings read exactly so (as an undo step left them) and
    raises UserError, changing nothing, when another window or the command line changed them since.

    Yields the cards worked out so far; ``cancelled()`` asked between runs of them stops it with
    nothing stored (:class:`~omnidesk.core.tasks.Cancelled`).
    """
    table = Setting.__table__
    with ws.writing() as conn:
        rows = conn.execute(select(table.c.key, table.c.value).where(table.c.key.in_(list(stored)))).all()
        before: dict[str, str | None] = {key: None for key in stored}
        before.update({row.key: row.value for row in rows})
        if expect is not None and any(_json(before[k]) != _json(expect.get(k)) for k in stored):
            raise UserError(CHANGED_SINCE)
        money_asked = bool({"currency", "default_region"} & set(stored))
        shop_before = shop_currency_code(conn) if money_asked else None
        for key, text in stored.items():
            if before[key] is not None:
                conn.execute(table.delete().where(table.c.key == key))
            if text is not None:
                conn.execute(table.insert().values(key=key, value=text))
        trust_changed = "channel_trust" in stored and (trust_order(_json(before["channel_trust"]))
                                                       != trust_order(_json(stored["channel_trust"])))
        zone_changed = "timezone" in stored and (_zone_name(_json(before["timezone"]))
                                                 != _zone_name(_json(stored["timezone"])))
        # Spend is money in the shop's currency: a new one (or a region bringing one) changes it.
        currency_changed = money_asked and shop_currency_code(conn) != shop_before
        if zone_changed or trust_changed or currency_changed:
            cust = Customer.__table__
            # A new zone or currency: every card, the merged ones included; a new trust order: the merged ones.
            every = zone_changed or currency_changed
            ids = conn.execute(select(cust.c.id) if every else
                               select(cust.c.id).where(cust.c.source_count > 1)).scalars().all()
            why = "New time zone" if zone_changed else "New currency" if currency_changed else "New trust order"
            yield from cancellable(_cards_again(conn, ids, why), cancelled,
                                   "The preferences were not changed: cancelled while the customers' cards "
                                   "were being worked out again.")
    return SettingsChange(before, dict(stored), Changes(settings=True,
                                                        customer_list=trust_changed or zone_changed or currency_changed))


def _zone_name(value: object) -> str:
    return str(value or "").strip()


def _json(text: str | None) -> object:
    return None if text is None else json.loads(text)


def _cards_again(conn, ids: list[int], why: str) -> Generator[Progress, None, None]:
    """Work out the cards of ``ids`` again, saying how many are done.

    A new time zone moves the days consent facts fall on (the stricter of one day's facts wins,
    so the zone decides which facts share a day), and the instants of times and dates an export
    gave without a zone ("first seen"): every card is worked out again, as the cards are read
    nowhere else (the Customers list, its filters and every campaign read the stored columns).
    A new trust order changes the card of every customer with more than one record.
    """
    from omnidesk.core.identity.golden import refresh_customers_steps
    from omnidesk.core.text import counted

    total = len(ids)
    yield Progress(0, total, f"{why}: {counted(total, 'card')} to work out")
    for step in refresh_customers_steps(conn, ids):
        yield Progress(step.done, total, f"{why}: {step.done:,} of {total:,} cards")
