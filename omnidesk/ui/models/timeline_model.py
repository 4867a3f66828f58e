"""TimelineModel: a customer's history as a flat list of day headers and entries.

The core hands over the filtered, ordered entries in one query; the model only
adds a header row before each new day and formats cells when the view asks,
so a customer with thousands of events scrolls without building any widgets.
The small lettered channel icons live here too, in the colours core/channels.py
gives, because the model hands them to every view that shows a channel.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap

from omnidesk.core.channels import channel, channel_name
from omnidesk.core.money import format_money
from omnidesk.core.timeline import TimelineEntry
from omnidesk.ui.formatting import nice_date

_icon_cache: dict[str, QIcon] = {}


def channel_color(code: str) -> QColor:
    """The channel's colour (core/channels.py), a steady one for a channel the user named."""
    return QColor(channel(code).color)


def channel_icon(code: str) -> QIcon:
    """A filled circle in the channel's colour with its label's first letter (cached)."""
    icon = _icon_cache.get(code)
    if icon is None:
        icon = QIcon()
        for size in (16, 20, 32, 48):
            icon.addPixmap(_letter_pixmap(code, size))
        _icon_cache[code] = icon
    return icon


def _letter_pixmap(code: str, size: int) -> QPixmap:
    known = channel(code)
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(known.color))
    painter.drawEllipse(QRectF(0.5, 0.5, size - 1, size - 1))
    font = QFont()
    font.setBold(True)
    font.setPixelSize(max(8, int(size * 0.58)))
    painter.setFont(font)
    painter.setPen(QColor(known.ink))
    letter = known.label[:1] if code else "?"  # "T" for the till, as its chip says
    painter.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, letter.upper())
    painter.end()
    return pixmap


def type_label(kind: str) -> str:
    """"lead_form" -> "Lead form"."""
    return kind.replace("_", " ").strip().capitalize() or "Activity"


def day_label(day: str) -> str:
    """"2026-10-31" -> "Saturday 31 October 2026"; "" -> "Date unknown"."""
    if not day:
        return "Date unknown"
    try:
        d = date.fromisoformat(day)
    except ValueError:
        return day
    return f"{d:%A} {d.day} {d:%B %Y}"


def time_text(entry: TimelineEntry, zone_mark: str = "") -> str:
    """The clock time as recorded ("13:24"), "" for a bare date or unknown time; with
    ``zone_mark`` after it ("01:30 EDT") where the clock time alone would be ambiguous."""
    at = entry.occurred_at or ""
    if len(at) <= 10:
        return ""
    return f"{at[11:16]} {zone_mark}" if zone_mark else at[11:16]


def _offset_text(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "\u2212"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def zone_marks(entries: list[TimelineEntry], zone: tzinfo | None = None) -> dict[int, str]:
    """Which entries need their clock's name after the time, and that name ("EDT", "EST", or
    "UTC−04:00" where the zone has no letters for it), by index in ``entries``.

    When the clocks go back, 01:30 happens twice: 01:30 EDT, then an hour later 01:30 EST.
    Every entry with a time of its own (an offset) in that repeated hour of the shop's ``zone``
    is named, and so is any that shares its day and clock time with one on another offset
    (which also covers a ``zone`` of None, the computer's own).  A time recorded without an
    offset says nothing of which 01:30 it was and stays as it was recorded.
    """
    moments: dict[int, datetime] = {}
    offsets: dict[tuple[str, str], set] = {}
    for i, entry in enumerate(entries):
        at = entry.occurred_at or ""
        if len(at) <= 16:
            continue
        try:
            moment = datetime.fromisoformat(at)
        except ValueError:
            continue
        if moment.tzinfo is None:
            continue
        moments[i] = moment
        offsets.setdefault((entry.day, at[11:16]), set()).add(moment.utcoffset())
    marks: dict[int, str] = {}
    for i, moment in moments.items():
        wall = moment.replace(tzinfo=None)
        repeated = zone is not None and (wall.replace(tzinfo=zone, fold=0).utcoffset()
                                         != wall.replace(tzinfo=zone, fold=1).utcoffset())
        if not repeated and len(offsets[(entries[i].day, entries[i].occurred_at[11:16])]) < 2:
            continue
        name = moment.astimezone(zone).tzname() if zone is not None else None
        if zone is None or moment.astimezone(zone).utcoffset() != moment.utcoffset() \
                or not name or name[0] in "+-":
            name = _offset_text(moment.utcoffset())
        marks[i] = name
    return marks


def entry_text(entry: TimelineEntry, zone_mark: str = "") -> str:
    """The entry in one line, whole: what Ctrl+C copies and a screen reader reads.

    "13 Nov 2025 18:00 · Till · Purchase · 30004 · Beans x1 · 9.99 USD": the day and time on
    the shop's clock, the channel, the type, the summary and the amount with its currency, so an
    email's "open" and its "sent" of one campaign do not read the same.
    """
    when = " ".join(x for x in (nice_date(entry.day) if entry.day else "Date unknown",
                                time_text(entry, zone_mark)) if x)
    kind = type_label(entry.type)
    parts = [when, channel_name(entry.channel), kind]
    if entry.summary and entry.summary != kind:
        parts.append(entry.summary)
    parts.append(amount_text(entry))
    return " · ".join(p for p in parts if p)


def amount_text(entry: TimelineEntry) -> str:
    return format_money(entry.amount_minor, entry.currency)


def source_text(entry: TimelineEntry) -> str:
    if not entry.source_file:
        return ""
    return entry.source_file if entry.source_row is None else f"{entry.source_file} row {entry.source_row}"


def when_text(entry: TimelineEntry, zone_mark: str = "", zone: tzinfo | None = None) -> str:
    """When, as the list shows it: the day as its header says it and the time on the shop's clock
    ("Thursday 3 July 2025 10:00"); the time as recorded after it only where that says more, a time
    whose offset is not the shop's (``zone``; None is the computer's own)."""
    when = " ".join(x for x in (day_label(entry.day), time_text(entry, zone_mark)) if x)
    at = entry.occurred_at or ""
    try:
        moment = datetime.fromisoformat(at) if len(at) > 16 else None
    except ValueError:
        moment = None
    if moment is not None and moment.tzinfo is not None:
        try:
            on_shop_clock = moment.astimezone(zone).utcoffset() == moment.utcoffset()
        except OverflowError:
            on_shop_clock = False
        if not on_shop_clock:
            when += f" (as recorded: {at})"
    return when


def entry_tooltip(entry: TimelineEntry, zone_mark: str = "", zone: tzinfo | None = None) -> str:
    """The entry in full, for its tooltip and its details window (Enter or a double-click)."""
    lines = [entry.summary or type_label(entry.type)]
    lines.append(" · ".join(x for x in (when_text(entry, zone_mark, zone), channel_name(entry.channel),
                                        type_label(entry.type)) if x))
    money = amount_text(entry)
    status = entry.details.get("status")
    if money or status:
        lines.append(" · ".join(str(x) for x in (money, status) if x))
    items = entry.details.get("items") or []
    if items:
        lines.append("Items:")
        for item in items:
            qty = item.get("item_quantity")
            price = item.get("item_price")
            lines.append(f"  {qty or 1} × {item.get('item_name', '')}" + (f" @ {price}" if price else ""))
    if entry.source_file:
        lines.append(f"From {source_text(entry)} ({channel_name(entry.channel)})")
    return "\n".join(lines)


class TimelineModel(QAbstractListModel):
    """Rows are day headers and entries; ``EntryRole`` gives the TimelineEntry (None on headers)."""

    EntryRole = Qt.ItemDataRole.UserRole + 1
    IsHeaderRole = Qt.ItemDataRole.UserRole + 2
    DayRole = Qt.ItemDataRole.UserRole + 3
    TimeRole = Qt.ItemDataRole.UserRole + 4  # "13:24", "01:30 EST" in the hour the clocks go back

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._entries: list[TimelineEntry] = []
        # (entry index or -1 for a header, day); ints and shared strings keep this small.
        self._rows: list[tuple[int, str]] = []
        self._day_counts: dict[str, int] = {}
        self._longest_amounts: list[str] | None = None
        self._zone_marks: dict[int, str] = {}
        self._zone: tzinfo | None = None

    def set_entries(self, entries: list[TimelineEntry], zone: tzinfo | None = None) -> None:
        """``zone``: the shop's clock the entries' times are on (None: the computer's own)."""
        self.beginResetModel()
        self._entries = list(entries)
        self._zone = zone
        self._zone_marks = zone_marks(self._entries, zone)
        self._rows = []
        self._day_counts = {}
        previous = None
        for i, entry in enumerate(self._entries):
            if entry.day != previous or i == 0:
                self._rows.append((-1, entry.day))
                previous = entry.day
            self._rows.append((i, entry.day))
            self._day_counts[entry.day] = self._day_counts.get(entry.day, 0) + 1
        self._longest_amounts = None
        self.endResetModel()

    def longest_amounts(self) -> list[str]:
        """The longest amounts shown ("1,234,567.89 USD"), for the view to size its amount column
        by; within a character of the longest, since digits and letters differ in width."""
        if self._longest_amounts is None:
            texts = {amount_text(e) for e in self._entries if e.amount_minor is not None}
            most = max(map(len, texts), default=0)
            self._longest_amounts = sorted(t for t in texts if len(t) >= most - 1)
        return self._longest_amounts

    def marked_times(self) -> list[str]:
        """The times shown with their clock's name ("01:30 EDT"), for the view to size its time column by."""
        return sorted({time_text(self._entries[i], mark) for i, mark in self._zone_marks.items()})

    def entries(self) -> list[TimelineEntry]:
        return list(self._entries)

    def entry_count(self) -> int:
        return len(self._entries)

    def day_count(self) -> int:
        return len(self._day_counts)

    def entry(self, row: int) -> TimelineEntry | None:
        if 0 <= row < len(self._rows):
            i = self._rows[row][0]
            return self._entries[i] if i >= 0 else None
        return None

    def is_header(self, row: int) -> bool:
        return 0 <= row < len(self._rows) and self._rows[row][0] < 0

    # -- Qt model interface --------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if self.is_header(index.row()):
            # A day header is a heading, not a row to stand on: the view's keys and clicks pass
            # over it.  Enabled all the same, so a screen reader reads the day, not "unavailable".
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        i, day = self._rows[index.row()]
        if role == self.IsHeaderRole:
            return i < 0
        if role == self.DayRole:
            return day
        if i < 0:
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                n = self._day_counts.get(day, 0)
                return f"{day_label(day)} · {n} entr{'y' if n == 1 else 'ies'}"
            return None
        entry = self._entries[i]
        if role == self.EntryRole:
            return entry
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return entry_text(entry, self._zone_marks.get(i, ""))
        if role == self.TimeRole:
            return time_text(entry, self._zone_marks.get(i, ""))
        if role == Qt.ItemDataRole.DecorationRole:
            return channel_icon(entry.channel)
        if role == Qt.ItemDataRole.ToolTipRole:
            return entry_tooltip(entry, self._zone_marks.get(i, ""), self._zone)
        return None
