"""Small time helpers shared by import, identity and timeline code."""

from __future__ import annotations

from datetime import UTC, datetime


def to_utc(iso: str | None) -> str | None:
    """An ISO 8601 timestamp as naive UTC ``YYYY-MM-DDTHH:MM:SS``, for ordering.

    Values without an offset are taken as they are; a bare date becomes midnight.
    Returns None for empty or unparseable input.
    """
    if not iso:
        return None
    try:
        dt = datetime.fromisoformat(iso)
    except ValueError:
        return None
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    return dt.isoformat(timespec="seconds")
