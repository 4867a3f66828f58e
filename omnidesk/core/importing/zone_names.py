"""A "Time zone" cell read as a zone: the names tills write for a sale's clock.

Square names the zone of each sale's local date and time by Rails' names ("Pacific Time
(US & Canada)", "London", "Tokyo"; resources/time_zones/rails_zone_names.toml); a file may
also give the tz database's own name ("America/Los_Angeles"), UTC or a fixed offset.
"""

from __future__ import annotations

import re
import tomllib
from datetime import timedelta, timezone, tzinfo
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

from omnidesk.core.cells import clean_cell
from omnidesk.core.paths import resource_path

# Rails' own display of a zone: "(GMT-08:00) Pacific Time (US & Canada)".
_SHOWN_OFFSET = re.compile(r"\((?:GMT|UTC)\s*[+\-\u2212]?\d{0,2}(?::?\d{2})?\)\s*", re.IGNORECASE)
_OFFSET = re.compile(r"(?:UTC|GMT)\s*([+\-\u2212])(\d{1,2})(?::?(\d{2}))?")


@cache
def _rails_names() -> dict[str, str]:
    with resource_path("time_zones", "rails_zone_names.toml").open("rb") as fh:
        table = tomllib.load(fh)["zones"]
    return {name.casefold(): zone for name, zone in table.items()}


@lru_cache(maxsize=4096)
def zone_named(cell: str) -> tzinfo | None:
    """The zone a zone cell names (the tz database's, or a fixed offset for "UTC+05:30"); None when
    it names none Omnidesk knows.  Read once per distinct cell: a file of a million sales names a
    few zones."""
    text = _SHOWN_OFFSET.sub("", clean_cell(cell)).strip()
    if not text:
        return None
    folded = text.casefold()
    if folded in ("utc", "gmt", "z", "coordinated universal time"):
        return ZoneInfo("UTC")
    if (name := _rails_names().get(folded)) is not None:
        return ZoneInfo(name)
    if m := _OFFSET.fullmatch(text.upper()):
        hours, minutes = int(m.group(2)), int(m.group(3) or 0)
        if hours <= 14 and minutes <= 59:
            sign = 1 if m.group(1) == "+" else -1
            return timezone(sign * timedelta(hours=hours, minutes=minutes))
        return None
    if "/" in text and ".." not in text:
        try:
            return ZoneInfo(text)
        except (ValueError, KeyError, OSError):  # ZoneInfoNotFoundError is a KeyError
            return None
    return None
