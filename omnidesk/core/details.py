"""An event's stored details (``details_json``: an order's number, status, items, …) read back.

Details an import writes are a flat object a few levels deep, but a workspace may hold some it
did not write (an older version's, a tool's, a damaged page's).  Python's JSON reader gives up
near a thousand levels with a RecursionError, where SQLite reads two thousand, so details
nested that deep are stored and indexed without complaint and then fail every screen, report
and export that reads them.  Read here, they are no details, as unreadable text is.
"""

from __future__ import annotations

import json


def read_details(text: str | None) -> dict:
    """Stored details as a dict: {} when empty, unreadable, nested too deep to read, or not an object."""
    if not text or text == "{}":
        return {}
    try:
        details = json.loads(text)
    except (ValueError, RecursionError):  # ValueError: JSONDecodeError, or a number of too many digits
        return {}
    return details if isinstance(details, dict) else {}
