"""The Identifiers tab's table: every email, phone and customer id of a customer, by file and rows.

With the words for where values came from ("a.csv rows 3, 9 (shop)"), which the card's pin
chooser uses too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QPalette

from omnidesk.core.channels import channel_name
from omnidesk.core.phones import display_phone
from omnidesk.core.profile import ValueSource
from omnidesk.core.provenance import IdentifierSource
from omnidesk.ui.models.list_table_model import ListTableModel
from omnidesk.ui.models.timeline_model import channel_icon


def rows_text(record_nos: Sequence[int], limit: int = 4) -> str:
    """"row 12", "rows 3, 9, 27", "24 rows: 3, 9, 27, 40 …" (the count first, where a cut cannot hide it)."""
    if len(record_nos) == 1:
        return f"row {record_nos[0]}"
    if len(record_nos) <= limit:
        return "rows " + ", ".join(str(n) for n in record_nos)
    return f"{len(record_nos)} rows: " + ", ".join(str(n) for n in record_nos[:limit]) + " …"


def sources_by_file(sources: Sequence[ValueSource]) -> list[tuple[str, str, list[int]]]:
    """Sources grouped by (file, channel), in first-seen order: (file, channel, row numbers)."""
    groups: dict[tuple[str, str], list[int]] = {}
    for s in sources:
        groups.setdefault((s.source_file, s.channel), []).append(s.record_no)
    return [(f, ch, sorted(nos)) for (f, ch), nos in groups.items()]


def describe_sources(sources: Sequence[ValueSource], *, files: int | None = None, rows: int = 4) -> str:
    """Where a value came from, in the card's words: "from a.csv row 12 (Shop); b.csv rows 3, 9 (Email)".

    One source reads exactly as :meth:`ValueSource.describe`; ``files`` cuts the list after
    that many files ("… and 2 more files"), ``rows`` the row numbers listed per file.
    """
    if len(sources) == 1:
        return sources[0].describe()
    groups = sources_by_file(sources)
    shown = groups if files is None else groups[:files]
    text = "from " + "; ".join(f"{f} {rows_text(nos, rows)} ({channel_name(ch)})" for f, ch, nos in shown)
    if len(shown) < len(groups):
        more = len(groups) - len(shown)
        text += f"; and {more} more file{'s' if more != 1 else ''}"
    return text


def identifier_label(kind: str, value: str) -> tuple[str, str]:
    """(kind as shown, value as shown) for an identifier: an external id says whose id it is."""
    if kind == "external":
        channel, _, ident = value.partition(":")
        return f"{channel_name(channel)} id", ident or value
    return {"email": "Email", "phone": "Phone"}.get(kind, kind.capitalize()), value


@dataclass(frozen=True)
class IdentifierLine:
    """One line of the Identifiers tab: an identifier as found in one file."""

    kind: str
    value: str
    group: int  # which identifier (lines of one identifier are adjacent)
    first: bool  # the identifier's first line
    source_file: str
    channel: str
    record_nos: tuple[int, ...]
    on_card: str  # "", "shown" or "pinned" (shown, and pinned by the user)


def identifier_lines(found: Sequence[IdentifierSource], golden: dict[str, str],
                     pinned: dict[str, str]) -> list[IdentifierLine]:
    """Group identifiers for display: one line per identifier and file it was found in."""
    sources: dict[tuple[str, str], list[ValueSource]] = {}
    for item in found:
        sources.setdefault((item.kind, item.value), []).append(item.source)
    lines: list[IdentifierLine] = []
    for group, ((kind, value), group_sources) in enumerate(sources.items()):
        on_card = ""
        if kind in golden and golden[kind] == value:
            on_card = "pinned" if pinned.get(kind) == value else "shown"
        for i, (file_name, channel, nos) in enumerate(sources_by_file(group_sources)):
            lines.append(IdentifierLine(kind, value, group, i == 0, file_name, channel, tuple(nos), on_card))
    return lines



class IdentifierTableModel(ListTableModel):
    """Every email, phone and external id of the customer, one line per file it was found in.

    An identifier's kind and value are written on its first line only; its lines share a
    background, so each identifier reads as one block.
    """

    LineRole = Qt.ItemDataRole.UserRole + 1
    HEADERS = ("Kind", "Identifier", "On card", "Channel", "Found in file", "Rows")
    CHANNEL_COLUMN = 3

    def __init__(self, region: str = "", parent=None) -> None:
        super().__init__(parent)
        self._lines: list[IdentifierLine] = []
        self.region = region

    def set_lines(self, lines: list[IdentifierLine]) -> None:
        self.beginResetModel()
        self._lines = list(lines)
        self.endResetModel()

    def _count(self) -> int:
        return len(self._lines)

    def line(self, row: int) -> IdentifierLine | None:
        return self._lines[row] if 0 <= row < len(self._lines) else None

    def lines(self) -> list[IdentifierLine]:
        return list(self._lines)

    def identifier_count(self) -> int:
        return len({(x.kind, x.value) for x in self._lines})

    def shown_value(self, line: IdentifierLine) -> tuple[str, str]:
        kind, value = identifier_label(line.kind, line.value)
        if line.kind == "phone":
            value = display_phone(line.value, self.region) or line.value
        return kind, value

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        line = self.line(index.row())
        if line is None:
            return None
        column = index.column()
        if role == self.LineRole:
            return line
        if role == Qt.ItemDataRole.DisplayRole:
            kind, value = self.shown_value(line)
            values = (kind if line.first else "", value if line.first else "",
                      line.on_card if line.first else "", channel_name(line.channel), line.source_file,
                      rows_text(line.record_nos, limit=12))
            return values[column] if 0 <= column < len(values) else None
        if role == Qt.ItemDataRole.ToolTipRole:
            kind, value = self.shown_value(line)
            where = describe_sources([ValueSource(line.value, line.source_file, n, line.channel)
                                      for n in line.record_nos], rows=60)
            text = f"{kind} {value}\n{where}"
            if line.kind == "external":
                text += f"\nThe id {channel_name(line.value.partition(':')[0])} gave this person"
            elif line.kind == "phone" and value != line.value:
                text += f"\nStored as {line.value}"
            if line.on_card:
                text += "\nShown on the card" + (" — pinned by you" if line.on_card == "pinned" else "")
            return text
        if role == Qt.ItemDataRole.DecorationRole and column == self.CHANNEL_COLUMN:
            return channel_icon(line.channel)
        if role == Qt.ItemDataRole.FontRole and column == 1 and line.on_card:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.BackgroundRole and line.group % 2:
            return QPalette().color(QPalette.ColorRole.AlternateBase)
        if role == Qt.ItemDataRole.ForegroundRole and column in (0, 2, 5):
            return QPalette().color(QPalette.ColorRole.PlaceholderText)
        return None


