"""The workspace settings a user may change, each checked before it is stored.

``omnidesk settings`` lists and changes them; every other part of omnidesk
reads them with ``Workspace.get_setting``.  A value is checked the way it will
be used (a region phonenumbers knows, a time zone the system's database
knows), so a typo is refused with one clear sentence instead of silently
changing how phones or dates are read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from omnidesk.core.channels import channel_code
from omnidesk.core.errors import UserError
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
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = text.strip()
    if not name:
        return ""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"'{text}' is not a time zone such as America/New_York or Europe/Berlin") from None
    return name


def _currency(text: str) -> str:
    code = text.strip().upper()
    if code and not (len(code) == 3 and code.isalpha() and code.isascii()):
        raise ValueError(f"'{text}' is not a three-letter currency code such as USD or EUR")
    return code


def _bits(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a number of bits such as 14") from None
    if not 0 < value <= 100:
        raise ValueError("a threshold is a number of bits above 0 and at most 100")
    return value


def _text(text: str) -> str:
    return text.strip()


def _channels(text: str) -> list[str]:
    """"shop, Till, email" -> ["shop", "pos", "email"]: the channels whose names win, most trusted first."""
    names = [channel_code(part).lower() for part in text.replace(";", ",").split(",") if part.strip()]
    if len(set(names)) != len(names):
        raise ValueError("name each channel once")
    bad = [n for n in names if not n.replace("_", "").replace("-", "").isalnum()]
    if bad:
        raise ValueError(f"'{bad[0]}' is not a channel name such as shop, pos or email")
    return names


SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec("business_name", "the shop's name", _text),
    SettingSpec("default_region", "where local phone numbers and dates without a country are from (US, GB, DE...)",
                _region),
    SettingSpec("timezone", "the shop's time zone: the timeline reads times on its clock "
                "(empty: the computer's)", _timezone),
    SettingSpec("currency", "the shop's money, for amounts given without one (empty: the region's)", _currency),
    SettingSpec("channel_trust", "channels whose names and birthdays a customer's card shows first, "
                "most trusted first (comma-separated)", _channels),
    SettingSpec("match_auto_threshold", "bits of evidence from which two records merge by themselves", _bits),
    SettingSpec("match_review_threshold", "bits of evidence from which a pair waits in Review", _bits),
)
_BY_KEY = {s.key: s for s in SETTINGS}


def _default(key: str) -> object:
    if key in DEFAULT_SETTINGS:
        return DEFAULT_SETTINGS[key]
    if key == "channel_trust":
        from omnidesk.core.identity.golden import DEFAULT_TRUST

        return list(DEFAULT_TRUST)
    from omnidesk.core.identity.scoring import Model

    return {"match_auto_threshold": Model().auto_threshold, "match_review_threshold": Model().review_threshold}[key]


def list_settings(ws: Workspace) -> list[dict]:
    """Every setting: key, value (the default where none was set), default and what it does."""
    return [{"key": s.key, "value": ws.get_setting(s.key, _default(s.key)), "default": _default(s.key),
             "help": s.help} for s in SETTINGS]


def change_setting(ws: Workspace, key: str, text: str) -> object:
    """Check ``text`` for ``key`` and store it; an empty text restores the default. Returns the value."""
    spec = _BY_KEY.get(key)
    if spec is None:
        raise UserError(f"there is no setting '{key}'; the settings are: {', '.join(_BY_KEY)}")
    if not text.strip():
        value = _default(key)
    else:
        try:
            value = spec.parse(text)
        except ValueError as exc:
            raise UserError(f"{key}: {exc}") from None
    auto = value if key == "match_auto_threshold" else ws.get_setting("match_auto_threshold",
                                                                      _default("match_auto_threshold"))
    review = value if key == "match_review_threshold" else ws.get_setting("match_review_threshold",
                                                                          _default("match_review_threshold"))
    if float(review) >= float(auto):
        raise UserError(f"the review threshold ({review:g} bits) must stay below the automatic one ({auto:g} bits)")
    ws.set_setting(key, value)
    if key == "channel_trust":
        _refresh_merged_customers(ws)
    return value


def _refresh_merged_customers(ws: Workspace) -> None:
    """A new trust order changes the card of every customer with more than one record."""
    from sqlalchemy import select

    from omnidesk.core.identity.golden import refresh_customers
    from omnidesk.core.models import Customer

    cust = Customer.__table__
    with ws.writing() as conn:
        refresh_customers(conn, conn.execute(select(cust.c.id).where(cust.c.source_count > 1)).scalars().all())
