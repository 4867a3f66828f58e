"""One cell of text as a file gives it, and the shape every reading of a cell returns.

Functions reading a cell return :class:`Normalized` and never raise on bad data:
an empty cell gives ``value=None`` with no problem; a non-empty cell that cannot
be understood gives ``value=None`` and a short ``problem`` the user sees next to
the row.  The importer, contact normalization and, later, campaigns and packs
read cells through these.

This module imports nothing of omnidesk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Normalized(Generic[T]):
    """A cell read as a value: ``value`` None with no ``problem`` is an empty cell."""

    value: T | None
    problem: str | None = None
    raw: str = ""


def empty(raw: str) -> Normalized:
    """An empty cell: no value and nothing wrong."""
    return Normalized(None, None, raw)


def bad(raw: str, problem: str) -> Normalized:
    """A cell that could not be read, and why."""
    return Normalized(None, problem, raw)


_EDGE_SPACE = re.compile(r"^[\s\u200b\ufeff]+|[\s\u200b\ufeff]+$")
_EDGE_EXTRA = "\u200b\ufeff"  # trimmed like spaces, though str.isspace() says they are not
# The apostrophe spreadsheets put in front of a value to keep it as text.  It is
# only removed before characters a spreadsheet would otherwise reinterpret
# (digits, signs, formulas), so names such as "'t Hooft" keep theirs.
_GUARD = re.compile(r"^'(?=[\d+\-=@(#.])")
_PLACEHOLDERS = frozenset({"n/a", "#n/a", "null", "nil", "none", "-", "--", "---", "—", "–"})


_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def without_controls(text: str) -> str:
    """A cell's text without control characters (a terminal's colour codes, a bell), which would go
    raw into every export; a vertical tab or form feed, a line break in some exports (FileMaker's),
    is one.  Tabs and line breaks stay."""
    if not _CONTROLS.search(text):
        return text
    return _CONTROLS.sub("", text.replace("\x0b", "\n").replace("\x0c", "\n"))


def clean_cell(raw: str) -> str:
    """Trim whitespace (including no-break and zero-width spaces), drop a
    leading spreadsheet guard apostrophe before a number or formula-like
    value, and turn CR LF or lone CR line breaks inside the cell into LF."""
    if not raw:
        return ""
    first, last = raw[0], raw[-1]
    if not (first.isspace() or last.isspace() or first in _EDGE_EXTRA or last in _EDGE_EXTRA
            or first == "'" or "\r" in raw):
        return raw  # the usual cell: nothing to trim or convert
    if (first == "'" and raw[1:2].isdigit() and raw[1:2].isascii() and not (last.isspace() or last in _EDGE_EXTRA)
            and "\r" not in raw):
        return raw[1:]  # a number the spreadsheet kept as text: what the steps below come to
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    text = _EDGE_SPACE.sub("", text)
    if text.startswith("'"):
        text = _EDGE_SPACE.sub("", _GUARD.sub("", text, count=1))
    return text


def is_placeholder(text: str) -> bool:
    """A cleaned cell that means "nothing here" ("N/A", "null", "-")."""
    return text.casefold() in _PLACEHOLDERS


_TYPE_PREFIX = re.compile(r"^(?:p|z|l|ag|as|c|f):")


def strip_type_prefix(raw: str) -> str:
    """Remove a Meta lead-ads type prefix ("p:", "z:", "l:", "ag:", "as:",
    "c:", "f:") from the start of the value; anything else is returned
    trimmed but otherwise unchanged."""
    text = raw.strip()
    return _TYPE_PREFIX.sub("", text, count=1).lstrip()
