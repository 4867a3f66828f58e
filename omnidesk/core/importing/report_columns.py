"""The columns an error report adds to a file's own, and how a report is told from other files.

Kept apart from ``report`` (which reads and writes reports) so that reading a
file (``sniff``) can tell a report without importing what a report needs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# The columns an error report adds after the file's own (see report.write_error_report).
REPORT_BATCH, REPORT_ROW, REPORT_PROBLEMS = "omnidesk_batch", "omnidesk_row", "omnidesk_problems"
REPORT_COLUMNS = (REPORT_BATCH, REPORT_ROW, REPORT_PROBLEMS)
# The cells a row held beyond its file's header ("has 6 values, header has 4: extra values
# kept") go in a report under these names, numbered from 1, so the report keeps them all
# and imports them back as cells of the row, not as new fields.
EXTRA_PREFIX = "omnidesk_extra_"
_EXTRA = re.compile(re.escape(EXTRA_PREFIX) + r"[1-9]\d*")


def is_error_report(header: Sequence[str]) -> bool:
    """Whether ``header`` is an error report's: it holds the three columns a report adds."""
    return all(name in header for name in REPORT_COLUMNS)


def is_extra_column(name: str) -> bool:
    """Whether ``name`` heads a report's column of cells beyond the file's header."""
    return _EXTRA.fullmatch(name) is not None


def added_columns(header: Sequence[str]) -> list[int]:
    """Where in a report's ``header`` the columns it adds are (report columns and extra cells);
    none when ``header`` is no report's."""
    if not is_error_report(header):
        return []
    return [i for i, name in enumerate(header) if name in REPORT_COLUMNS or is_extra_column(name)]


def extra_names(header: Sequence[str], count: int) -> list[str]:
    """Names for ``count`` more columns of extra cells after ``header`` (which may hold some)."""
    used = [int(name[len(EXTRA_PREFIX):]) for name in header if is_extra_column(name)]
    start = max(used, default=0) + 1
    return [f"{EXTRA_PREFIX}{n}" for n in range(start, start + count)]
