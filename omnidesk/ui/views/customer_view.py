"""The Customer screen: one person's card, their timeline, source records, identifiers and notes.

Everything shown comes from core queries (``core.profile``, ``core.timeline``,
``core.provenance``).  Every change goes through the operations bridge
(``ui.operations``): notes, pinned values, splitting a record off, erasing the
person; exporting the person's data writes a file, not the workspace.  Each
value on the card says in its tooltip which file, row and channel it came from.
"""

from __future__ import annotations

import html
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    QStandardPaths,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedLayout,
    QStyle,
    QStyledItemDelegate,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from omnidesk.core.errors import UserError
from omnidesk.core.failures import is_damaged
from omnidesk.core.importing.custom_fields import CustomValue
from omnidesk.core.importing.fields import CHANNELS, channel_name
from omnidesk.core.money import format_money
from omnidesk.core.privacy import export_person
from omnidesk.core.provenance import IdentifierSource, identifier_sources, pin_candidates, pinned_values
from omnidesk.core.workspace import backup_files
from omnidesk.core.profile import (
    CustomerProfile,
    SourceRow,
    ValueSource,
    customer_profile,
    raw_record,
    source_rows,
)
from omnidesk.core.timeline import export_timeline, timeline, workspace_zone
from omnidesk.core.phones import display_phone
from omnidesk.core.timeutil import local_day
from omnidesk.core.workspace import Workspace, WorkspaceBusyError
from omnidesk.ui.dialogs.person_dialogs import PinDialog, PinOption, erase_confirmation
from omnidesk.ui.formatting import nice_date
from omnidesk.ui.operations import Operations, reason
from omnidesk.ui.models.list_table_model import ListTableModel
from omnidesk.ui.models.timeline_model import (
    TimelineModel,
    amount_text,
    channel_color,
    channel_icon,
    source_text,
    time_text,
    type_label,
)
from omnidesk.ui.widgets.empty_state import EmptyState

CONSENT_COLORS = {
    "granted": "#2E7D32",
    "pending": "#9E7700",
    "denied": "#6D6D6D",
    "unsubscribed": "#C62828",
    "cleaned": "#C62828",
}
CONSENT_LABELS = {"email": "Email consent", "sms": "SMS consent", "whatsapp": "WhatsApp consent"}
EMPTY = "—"
PINNED_COLOR = "#5E6B7A"

# The card's rows that show pinnable golden fields, and the fields behind each.
PIN_ROWS: dict[str, tuple[str, ...]] = {
    "name": ("first_name", "last_name"),
    "email": ("email",),
    "phone": ("phone",),
    "address": ("address",),
    "place": ("city", "region", "postcode", "country"),
    "birthday": ("birthday",),
    "company": ("company",),
}
FIELD_LABELS = {
    "first_name": "First name", "last_name": "Last name", "email": "Email", "phone": "Phone",
    "company": "Company", "address": "Address", "city": "City", "region": "Region",
    "postcode": "Postcode", "country": "Country", "birthday": "Birthday",
}
MORE_FIELD_COLUMNS = 3
MISSING_TITLE = "This customer is no longer here"
MISSING_TEXT = "Merged into another customer, or their import was undone."
NOTES_WAITING = "Waiting for the import in another window…"


def _rows_text(record_nos: Sequence[int], limit: int = 4) -> str:
    """"row 12", "rows 3, 9, 27", "24 rows: 3, 9, 27, 40 …" (the count first, where a cut cannot hide it)."""
    if len(record_nos) == 1:
        return f"row {record_nos[0]}"
    if len(record_nos) <= limit:
        return "rows " + ", ".join(str(n) for n in record_nos)
    return f"{len(record_nos)} rows: " + ", ".join(str(n) for n in record_nos[:limit]) + " …"


def _by_file(sources: Sequence[ValueSource]) -> list[tuple[str, str, list[int]]]:
    """Sources grouped by (file, channel), in first-seen order: (file, channel, row numbers)."""
    groups: dict[tuple[str, str], list[int]] = {}
    for s in sources:
        groups.setdefault((s.source_file, s.channel), []).append(s.record_no)
    return [(f, ch, sorted(nos)) for (f, ch), nos in groups.items()]


def describe_sources(sources: Sequence[ValueSource], *, files: int | None = None, rows: int = 4) -> str:
    """Where a value came from, in the card's words: "from a.csv row 12 (shop); b.csv rows 3, 9 (email)".

    One source reads exactly as :meth:`ValueSource.describe`; ``files`` cuts the list after
    that many files ("… and 2 more files"), ``rows`` the row numbers listed per file.
    """
    if len(sources) == 1:
        return sources[0].describe()
    groups = _by_file(sources)
    shown = groups if files is None else groups[:files]
    text = "from " + "; ".join(f"{f} {_rows_text(nos, rows)} ({ch})" for f, ch, nos in shown)
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
        for i, (file_name, channel, nos) in enumerate(_by_file(group_sources)):
            lines.append(IdentifierLine(kind, value, group, i == 0, file_name, channel, tuple(nos), on_card))
    return lines


def _muted(palette: QPalette) -> QColor:
    return palette.color(QPalette.ColorRole.PlaceholderText)


def _clear_layout(layout, keep: int = 0) -> None:
    """Remove all but the last ``keep`` widgets; hidden at once, deleted later."""
    while layout.count() > keep:
        item = layout.takeAt(0)
        widget = item.widget()
        if widget is not None:
            # deleteLater alone would leave the old widget painted until the event loop runs.
            widget.hide()
            widget.setParent(None)
            widget.deleteLater()


class ElidedLabel(QLabel):
    """A one-line label that shortens its text with "…" instead of growing the layout.

    ``text()`` stays the full text; the tooltip, when not set explicitly, shows it too.
    """

    def __init__(self, text: str = "", parent=None) -> None:
        super().__init__(text, parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)

    def minimumSizeHint(self) -> QSize:
        return QSize(16, super().minimumSizeHint().height())

    def is_elided(self) -> bool:
        return self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        rect = self.contentsRect()
        shown = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), shown)


class ValueCell(QWidget):
    """A card value with its pin controls ("pinned", the menu) right after the text.

    Like :class:`ElidedLabel` it asks the grid for no width of its own, so the card's columns
    share space exactly as they do for the other values; the value is cut before its controls are.
    """

    SPACING = 4

    def __init__(self, label: ElidedLabel, controls: QWidget, parent=None) -> None:
        super().__init__(parent)
        self.label = label
        self.controls = controls
        label.setParent(self)
        controls.setParent(self)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def _controls_size(self) -> QSize:
        layout = self.controls.layout()
        if layout is not None:
            layout.invalidate()
        return self.controls.sizeHint() if layout is None or not layout.isEmpty() else QSize(0, 0)

    def sizeHint(self) -> QSize:
        controls = self._controls_size()
        width = self.label.fontMetrics().horizontalAdvance(self.label.text()) + 2 + self.SPACING + controls.width()
        return QSize(width, max(self.label.sizeHint().height(), controls.height()))

    def minimumSizeHint(self) -> QSize:
        return QSize(16, max(self.label.minimumSizeHint().height(), self._controls_size().height()))

    def relayout(self) -> None:
        """Place the value and its controls (after a change of text or of what is pinned)."""
        controls = self._controls_size()
        height = self.height()
        gap = self.SPACING if controls.width() else 0
        text = self.label.fontMetrics().horizontalAdvance(self.label.text()) + 2
        width = max(0, min(text, self.width() - controls.width() - gap))
        self.label.setGeometry(0, 0, width, height)
        self.controls.setGeometry(width + gap, (height - controls.height()) // 2, controls.width(), controls.height())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.relayout()


def _chip(text: str, color: QColor | str, parent=None) -> QLabel:
    chip = QLabel(text, parent)
    color = QColor(color)
    chip.setObjectName("chip")
    chip.setStyleSheet(
        f"QLabel#chip {{ background: {color.name()}; color: white; border-radius: 8px; "
        "padding: 1px 8px; font-weight: 600; }"
    )
    chip.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    return chip


class TimelineDelegate(QStyledItemDelegate):
    """Paints day headers and entries in aligned columns: time, channel, type, summary, amount, source."""

    def sizeHint(self, option, index) -> QSize:
        # Width 1: rows take the viewport's width and never ask for a horizontal scroll bar.
        return QSize(1, option.fontMetrics.height() + 12)

    def paint(self, painter: QPainter, option, index) -> None:
        painter.save()
        rect = option.rect
        palette = option.palette
        metrics = option.fontMetrics
        if index.data(TimelineModel.IsHeaderRole):
            painter.fillRect(rect, palette.color(QPalette.ColorRole.AlternateBase))
            painter.setPen(palette.color(QPalette.ColorRole.Mid))
            painter.drawLine(rect.bottomLeft(), rect.bottomRight())
            font = QFont(option.font)
            font.setBold(True)
            painter.setFont(font)
            painter.setPen(palette.color(QPalette.ColorRole.Text))
            text_rect = rect.adjusted(10, 0, -10, 0)
            text = painter.fontMetrics().elidedText(index.data(), Qt.TextElideMode.ElideRight, text_rect.width())
            painter.drawText(text_rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)
            painter.restore()
            return
        entry = index.data(TimelineModel.EntryRole)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.Highlight))
            text_color = palette.color(QPalette.ColorRole.HighlightedText)
            muted = text_color
        else:
            text_color = palette.color(QPalette.ColorRole.Text)
            muted = _muted(palette)
        middle = int(Qt.AlignmentFlag.AlignVCenter)
        x = rect.left() + 12
        top, height = rect.top(), rect.height()

        def draw(left: int, width: int, text: str, color: QColor, align=Qt.AlignmentFlag.AlignLeft) -> None:
            if width <= 4 or not text:
                return
            painter.setPen(color)
            shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
            painter.drawText(QRect(left, top, width, height), int(align) | middle, shown)

        draw(x, 44, time_text(entry), muted)
        x += 50
        icon_size = min(18, height - 6)
        channel_icon(entry.channel).paint(painter, QRect(x, top + (height - icon_size) // 2, icon_size, icon_size))
        x += icon_size + 8
        type_width = 96
        draw(x, type_width, type_label(entry.type), muted)
        x += type_width + 8
        right = rect.right() - 10
        source_width = min(240, max(110, int(rect.width() * 0.22)))
        draw(right - source_width, source_width, source_text(entry), muted)
        right -= source_width + 12
        amount_width = 96
        draw(right - amount_width, amount_width, amount_text(entry), text_color, Qt.AlignmentFlag.AlignRight)
        right -= amount_width + 12
        draw(x, right - x, entry.summary or type_label(entry.type), text_color)
        painter.restore()


class SourceTableModel(ListTableModel):
    """The customer's source records: file, row, channel, kind and what was flagged."""

    RecordIdRole = Qt.ItemDataRole.UserRole + 1
    HEADERS = ("File", "Row", "Channel", "Kind", "Problems")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[SourceRow] = []

    def set_rows(self, rows: list[SourceRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def _count(self) -> int:
        return len(self._rows)

    def source_row(self, row: int) -> SourceRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.source_row(index.row())
        if row is None:
            return None
        column = index.column()
        if role == self.RecordIdRole:
            return row.record_id
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            values = (row.source_file, str(row.record_no), row.channel, row.kind, "; ".join(row.problems))
            if role == Qt.ItemDataRole.ToolTipRole and column not in (0, 4):
                return None
            return values[column] if 0 <= column < len(values) else None
        if role == Qt.ItemDataRole.DecorationRole and column == 2:
            return channel_icon(row.channel)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


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
                      _rows_text(line.record_nos, limit=12))
            return values[column] if 0 <= column < len(values) else None
        if role == Qt.ItemDataRole.ToolTipRole:
            kind, value = self.shown_value(line)
            where = describe_sources([ValueSource(line.value, line.source_file, n, line.channel)
                                      for n in line.record_nos], rows=60)
            text = f"{kind} {value}\n{where}"
            if line.kind == "external":
                text += f"\nThe id {CHANNELS.get(line.value.partition(':')[0], kind)} gave this person"
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


class CustomerView(QWidget):
    backRequested = Signal()
    notesSaved = Signal(int)  # customer id
    notesWaiting = Signal(str)  # for the status bar while a notes save waits for the lock ("" when it ends)
    notesSettled = Signal(bool)  # a notes save that had to wait ended: True saved, False given up
    timelineExported = Signal(str)  # path written
    customerChanged = Signal(int)  # customer id: a value was pinned or unpinned
    personExported = Signal(str)  # path of the zip written
    personErased = Signal(int, object)  # customer id, what was removed (core.privacy.erase_person)

    # A notes save that finds the workspace locked tries for this long each time (the UI waits),
    # again after this many milliseconds, and gives up (keeping the text) after this many seconds.
    NOTES_ATTEMPT_WAIT = 0.1
    NOTES_RETRY_MS = 500
    NOTES_GIVE_UP = 60.0

    def __init__(self, workspace: Workspace, parent=None, *, operations: Operations | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        if operations is None:
            # On its own (not in the main window): a bridge and an undo stack of its own.
            from PySide6.QtGui import QUndoStack

            from omnidesk.ui.tasks import TaskRunner

            operations = Operations(QUndoStack(self), TaskRunner(), self)
            operations.set_workspace(workspace)
            operations.changed.connect(self.apply_changes)
            operations.failed.connect(lambda title, text: self.show_error(title, text))
        self.operations = operations
        self.customer_id: int | None = None
        self.profile: CustomerProfile | None = None
        self.pins: dict[str, str] = {}
        self._total_entries = 0
        self._notes_dirty = False
        self._pending_notes: tuple[int, str] | None = None  # (customer, text) waiting for the lock
        self._notes_waiting_since: float | None = None
        self.read_only = False

        self.back_button = QToolButton()
        self.back_button.setText("‹  Customers")
        self.back_button.setAutoRaise(True)
        self.back_button.setToolTip("Back to the customer list")
        self.back_button.clicked.connect(self._back)

        # A person's rights over their data: a copy of everything, or nothing left.
        self.export_person_button = QToolButton()
        self.export_person_button.setText("Export person data…")
        self.export_person_button.setAutoRaise(True)
        self.export_person_button.setToolTip(
            "Write everything this workspace holds about this person to a zip file "
            "(for a data access request)")
        self.export_person_button.clicked.connect(self.export_person_dialog)
        self.erase_person_button = QToolButton()
        self.erase_person_button.setText("Erase person…")
        self.erase_person_button.setAutoRaise(True)
        self.erase_person_button.setStyleSheet("QToolButton { color: #C62828; }")
        self.erase_person_button.setToolTip(
            "Remove this person and everything about them from this workspace (cannot be undone)")
        self.erase_person_button.clicked.connect(self.erase_person_dialog)

        content = QWidget()
        cl = QVBoxLayout(content)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.setSpacing(10)
        cl.addWidget(self._build_card())
        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_timeline_tab(), "Timeline")
        self.sources_page = self._build_sources_tab()
        self.tabs.addTab(self.sources_page, "Sources")
        self.identifiers_page = self._build_identifiers_tab()
        self.tabs.addTab(self.identifiers_page, "Identifiers")
        self.notes_page = self._build_notes_tab()
        self.tabs.addTab(self.notes_page, "Notes")
        cl.addWidget(self.tabs, 1)

        self.missing = EmptyState(MISSING_TITLE, MISSING_TEXT, "Back to customers")
        self.missing.actionTriggered.connect(self._back)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addStretch(1)
        top.addWidget(self.export_person_button)
        top.addWidget(self.erase_person_button)
        layout.addLayout(top)
        holder = QWidget()
        self.pages = QStackedLayout(holder)
        self.pages.addWidget(content)
        self.pages.addWidget(self.missing)
        layout.addWidget(holder, 1)
        self._content = content

    # -- building ------------------------------------------------------------------

    def _build_card(self) -> QFrame:
        card = QFrame()
        card.setObjectName("customerCard")
        card.setFrameShape(QFrame.Shape.StyledPanel)
        outer = QVBoxLayout(card)
        outer.setContentsMargins(16, 12, 16, 12)
        outer.setSpacing(4)

        self.name_label = ElidedLabel()
        self.name_label.setObjectName("customerName")
        font = self.name_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.7)
        font.setBold(True)
        self.name_label.setFont(font)
        self.name_label.setMinimumHeight(self.name_label.fontMetrics().height() + 4)
        # As wide as the name, no wider, so "pinned" and the pin menu sit right after it;
        # a long name still shrinks (elided) before anything else does.
        self.name_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.chips = QHBoxLayout()
        self.chips.setSpacing(4)
        self.pin_marks: dict[str, QLabel] = {}
        self.pin_buttons: dict[str, QToolButton] = {}
        self.pin_menus: dict[str, QMenu] = {}
        self.pin_controls: dict[str, QWidget] = {}
        name_row = QHBoxLayout()
        name_row.setSpacing(6)
        name_row.addWidget(self.name_label)
        name_row.addWidget(self._pin_controls("name", self.name_label))
        name_row.addStretch(1)
        name_row.addSpacing(12)
        name_row.addLayout(self.chips)
        outer.addLayout(name_row)

        self.subtitle = ElidedLabel()
        self.subtitle.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        outer.addWidget(self.subtitle)
        outer.addSpacing(6)

        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(3)
        self.fields: dict[str, ElidedLabel] = {}
        self.value_cells: dict[str, ValueCell] = {}
        column_a = ("email", "Email"), ("phone", "Phone"), ("address", "Address"), ("place", "Place"), \
            ("birthday", "Birthday"), ("company", "Company")
        column_c = ("spend", "Total spend"), ("orders", "Total orders"), ("first_seen", "First seen"), \
            ("last_seen", "Last seen"), ("preferred", "Preferred channel")
        for row, (key, title) in enumerate(column_a):
            self._add_field(grid, row, 0, key, title)
        self.consent_rows: dict[str, tuple[QLabel, QHBoxLayout, ElidedLabel]] = {}
        # WhatsApp consent is rare: it goes below the tags so an empty row leaves no gap.
        for row, channel in zip((0, 1, 3), ("email", "sms", "whatsapp")):
            title = self._title(CONSENT_LABELS[channel])
            box = QHBoxLayout()
            box.setSpacing(6)
            text = ElidedLabel()
            box.addWidget(text, 1)
            grid.addWidget(title, row, 2)
            grid.addLayout(box, row, 3)
            self.consent_rows[channel] = (title, box, text)
        self._add_field(grid, 2, 2, "tags", "Tags")
        for row, (key, title) in enumerate(column_c):
            self._add_field(grid, row, 4, key, title)
        # What each channel adds to the orders and spend, and from which file: one line each.
        self.money_title = self._title("Counted")
        self.money_title.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.money_lines = QVBoxLayout()
        self.money_lines.setSpacing(1)
        grid.addWidget(self.money_title, len(column_a), 0)
        grid.addLayout(self.money_lines, len(column_a), 1, 1, 5)
        # Emails and consent sources are long, spend and dates short: the space goes where the
        # text is, so a narrow window still shows the email address whole (and its pin menu;
        # a pinned one may be cut there, whole in its tooltip).
        grid.setColumnStretch(1, 13)
        grid.setColumnStretch(3, 10)
        grid.setColumnStretch(5, 4)
        # ...but a date or an amount is never cut.
        grid.setColumnMinimumWidth(5, card.fontMetrics().horizontalAdvance("30 Sep 2026 ·") + 8)
        grid.setColumnMinimumWidth(2, 0)
        outer.addLayout(grid)
        outer.addWidget(self._build_more_fields())
        card.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        return card

    def _build_more_fields(self) -> QWidget:
        """The "More fields" group: the columns no field was mapped to (hidden when there are none)."""
        self.more_fields = QWidget()
        self.more_fields.setObjectName("moreFields")
        box = QVBoxLayout(self.more_fields)
        box.setContentsMargins(0, 6, 0, 0)
        box.setSpacing(3)
        heading = QLabel("More fields")
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        heading.setToolTip("Columns of the imported files that no field was mapped to, "
                           "each as the latest import gives it")
        box.addWidget(heading)
        self.more_grid = QGridLayout()
        self.more_grid.setHorizontalSpacing(10)
        self.more_grid.setVerticalSpacing(3)
        for column in range(MORE_FIELD_COLUMNS):
            self.more_grid.setColumnStretch(2 * column + 1, 1)
        box.addLayout(self.more_grid)
        self.more_values: dict[str, ElidedLabel] = {}
        self.more_fields.setVisible(False)
        return self.more_fields

    def _fill_more_fields(self, values: Sequence[CustomValue]) -> None:
        _clear_layout(self.more_grid)
        self.more_values = {}
        per_column = -(-len(values) // MORE_FIELD_COLUMNS) if values else 0
        for n, v in enumerate(values):
            row, column = (n % per_column, n // per_column) if per_column else (0, 0)
            # "What are you shopping for?" is a title as it stands; "Loyalty points" gets a colon.
            title = ElidedLabel(v.name if v.name.endswith(("?", ":")) else f"{v.name}:")
            title.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            title.setToolTip(v.name)
            # A question asked in a form is long; the answer matters more.
            title.setMaximumWidth(self.fontMetrics().horizontalAdvance("x" * 28))
            title.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
            shown = v.display()
            if v.type == "date" and v.date:
                shown = nice_date(v.date) or shown
            value = ElidedLabel(shown)
            value.setToolTip(f"{v.name}: {shown}\n{v.describe()}")
            self.more_grid.addWidget(title, row, 2 * column)
            self.more_grid.addWidget(value, row, 2 * column + 1)
            self.more_values[v.name] = value
        self.more_fields.setVisible(bool(values))

    def _title(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return label

    def _add_field(self, grid: QGridLayout, row: int, column: int, key: str, title: str) -> None:
        value = ElidedLabel()
        grid.addWidget(self._title(title), row, column)
        if key in PIN_ROWS:
            cell = ValueCell(value, self._pin_controls(key, value))
            self.value_cells[key] = cell
            grid.addWidget(cell, row, column + 1)
        else:
            grid.addWidget(value, row, column + 1)
        self.fields[key] = value

    def _pin_controls(self, key: str, value_label: QLabel) -> QWidget:
        """The "pinned" mark and the pin menu of one card row (the menu also opens on right-click)."""
        holder = QWidget()
        box = QHBoxLayout(holder)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        mark = _chip("pinned", PINNED_COLOR)
        # Smaller than a consent chip: a note on the value, not a fact of its own.
        mark.setStyleSheet(f"QLabel#chip {{ background: {PINNED_COLOR}; color: white; border-radius: 5px; "
                           "padding: 0px 5px; font-weight: 600; }")
        font = mark.font()
        font.setPointSizeF(max(font.pointSizeF() * 0.85, 7.0))
        mark.setFont(font)
        mark.setAlignment(Qt.AlignmentFlag.AlignCenter)
        mark.setVisible(False)
        button = QToolButton()
        button.setObjectName("pinButton")
        button.setText("⋯")
        button.setAutoRaise(True)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        button.setStyleSheet("QToolButton#pinButton::menu-indicator { image: none; width: 0px; }")
        button.setFixedSize(self.fontMetrics().horizontalAdvance("⋯") + 6,
                            max(value_label.fontMetrics().height(), self.fontMetrics().height()) + 2)
        words = " and ".join(FIELD_LABELS[f].lower() for f in PIN_ROWS[key][:2]) \
            if len(PIN_ROWS[key]) <= 2 else "place"
        button.setToolTip(f"Choose which {words} the card shows, and pin it")
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        menu = QMenu(button)
        button.setMenu(menu)
        value_label.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        value_label.customContextMenuRequested.connect(
            lambda pos, label=value_label, m=menu: m.popup(label.mapToGlobal(pos)))
        box.addWidget(mark)
        box.addWidget(button)
        holder.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.pin_marks[key] = mark
        self.pin_buttons[key] = button
        self.pin_menus[key] = menu
        self.pin_controls[key] = holder
        return holder

    def _build_timeline_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(8, 8, 8, 8)
        self.channel_filter = QComboBox()
        self.channel_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.type_filter = QComboBox()
        self.type_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search this timeline…")
        self.search.setClearButtonEnabled(True)
        self.count_label = QLabel()
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setToolTip("Write this customer's whole timeline to a CSV file")
        self.export_button.clicked.connect(self.export_dialog)
        bar = QHBoxLayout()
        bar.addWidget(self.channel_filter)
        bar.addWidget(self.type_filter)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.count_label)
        bar.addWidget(self.export_button)
        layout.addLayout(bar)

        self.no_events_note = QLabel()
        self.no_events_note.setWordWrap(True)
        self.no_events_note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        layout.addWidget(self.no_events_note)

        self.timeline_model = TimelineModel(self)
        self.timeline_list = QListView()
        self.timeline_list.setModel(self.timeline_model)
        self.timeline_list.setItemDelegate(TimelineDelegate(self.timeline_list))
        # Every row has the same height, so the view lays out thousands of rows instantly.
        self.timeline_list.setUniformItemSizes(True)
        self.timeline_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.timeline_list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.timeline_list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.timeline_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        # One-line texts: EmptyState clips wrapped text when it sits in a stacked layout.
        self.timeline_empty = EmptyState(
            "No activity yet",
            "No orders, messages, visits or consent on record.",
        )
        self.no_match = EmptyState(
            "Nothing matches",
            "No entry matches the chosen channel, type and search.",
            "Clear filters",
        )
        self.no_match.actionTriggered.connect(self.clear_filters)
        holder = QWidget()
        self.timeline_pages = QStackedLayout(holder)
        self.timeline_pages.addWidget(self.timeline_list)
        self.timeline_pages.addWidget(self.timeline_empty)
        self.timeline_pages.addWidget(self.no_match)
        layout.addWidget(holder, 1)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(200)
        self._debounce.timeout.connect(self._filters_changed)
        self.search.textChanged.connect(self._debounce.start)
        self.search.returnPressed.connect(self._filters_changed)
        self.channel_filter.currentIndexChanged.connect(self._filters_changed)
        self.type_filter.currentIndexChanged.connect(self._filters_changed)
        return page

    def _build_sources_tab(self) -> QWidget:
        self.source_model = SourceTableModel(self)
        self.source_table = QTableView()
        self.source_table.setModel(self.source_model)
        self.source_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.source_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.source_table.verticalHeader().setVisible(False)
        self.source_table.verticalHeader().setDefaultSectionSize(24)
        self.source_table.setWordWrap(False)
        self.source_table.setAlternatingRowColors(True)
        header = self.source_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((230, 50, 90, 70)):
            self.source_table.setColumnWidth(column, width)
        self.source_table.selectionModel().currentRowChanged.connect(self._source_selected)

        detail = QWidget()
        dl = QVBoxLayout(detail)
        dl.setContentsMargins(8, 0, 0, 0)
        self.raw_title = ElidedLabel()
        font = self.raw_title.font()
        font.setBold(True)
        self.raw_title.setFont(font)
        self.raw_problems = QLabel()
        self.raw_problems.setWordWrap(True)
        self.raw_problems.setStyleSheet("color: #C62828;")
        self.raw_table = QTableWidget(0, 2)
        self.raw_table.setHorizontalHeaderLabels(["Column", "Value as read"])
        self.raw_table.verticalHeader().setVisible(False)
        self.raw_table.verticalHeader().setDefaultSectionSize(22)
        self.raw_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.raw_table.setWordWrap(False)
        self.raw_table.horizontalHeader().setStretchLastSection(True)
        self.raw_table.setColumnWidth(0, 200)
        self.split_button = QPushButton("Split into its own customer")
        self.split_button.setToolTip("This record is someone else: move it (and its order lines) "
                                     "to a new customer; Omnidesk will not match it back")
        self.split_button.setEnabled(False)
        self.split_button.clicked.connect(self._split_selected)
        dl.addWidget(self.raw_title)
        dl.addWidget(self.raw_problems)
        dl.addWidget(self.raw_table, 1)
        dl.addWidget(self.split_button, 0, Qt.AlignmentFlag.AlignRight)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.source_table)
        splitter.addWidget(detail)
        splitter.setStretchFactor(0, 5)
        splitter.setStretchFactor(1, 4)
        splitter.setChildrenCollapsible(False)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(splitter)
        return page

    def _build_identifiers_tab(self) -> QWidget:
        self.identifier_model = IdentifierTableModel(parent=self)
        self.identifier_table = QTableView()
        self.identifier_table.setModel(self.identifier_model)
        self.identifier_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.identifier_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.identifier_table.verticalHeader().setVisible(False)
        self.identifier_table.verticalHeader().setDefaultSectionSize(24)
        self.identifier_table.setWordWrap(False)
        self.identifier_table.setShowGrid(False)
        self.identifier_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.identifier_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((80, 250, 90, 100, 300)):
            self.identifier_table.setColumnWidth(column, width)
        hint = QLabel("Every email, phone and customer id this person's source records carry, and the "
                      "file, rows and channel each came from. Bold: shown on the card.")
        hint.setWordWrap(True)
        hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.identifiers_empty = EmptyState(
            "No identifiers",
            "No email, phone or customer id on record: only a name.",
        )
        holder = QWidget()
        self.identifier_pages = QStackedLayout(holder)
        self.identifier_pages.addWidget(self.identifier_table)
        self.identifier_pages.addWidget(self.identifiers_empty)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(hint)
        layout.addWidget(holder, 1)
        return page

    def _build_notes_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(8, 8, 8, 8)
        hint = QLabel("Your own notes on this customer. They stay in the workspace and imports never change them.")
        hint.setWordWrap(True)
        hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setPlaceholderText("Preferences, conversations, things to remember…")
        self.notes_edit.textChanged.connect(self._notes_changed)
        self.notes_status = QLabel()
        self.notes_status.setWordWrap(True)
        self.notes_status.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.save_notes_button = QPushButton("Save notes")
        self.save_notes_button.setEnabled(False)
        self.save_notes_button.clicked.connect(self.save_notes)
        bottom = QHBoxLayout()
        bottom.addWidget(self.notes_status, 1)
        bottom.addWidget(self.save_notes_button)
        layout.addWidget(hint)
        layout.addWidget(self.notes_edit, 1)
        layout.addLayout(bottom)
        # Typing pauses save on their own, so notes are not lost by leaving the screen.
        self._notes_timer = QTimer(self)
        self._notes_timer.setSingleShot(True)
        self._notes_timer.setInterval(1500)
        self._notes_timer.timeout.connect(self.save_notes)
        self._notes_retry = QTimer(self)
        self._notes_retry.setSingleShot(True)
        self._notes_retry.setInterval(self.NOTES_RETRY_MS)
        self._notes_retry.timeout.connect(self._retry_notes)
        return page

    # -- showing a customer --------------------------------------------------------

    def show_customer(self, customer_id: int) -> bool:
        """Show ``customer_id``; returns False (and says so) when there is no such customer."""
        self.save_notes()
        self.customer_id = customer_id
        self.profile = customer_profile(self.workspace, customer_id)
        if self.profile is None:
            self.pins = {}
            self.missing.title.setText(MISSING_TITLE)
            self.missing.text.setText(MISSING_TEXT)
            self.pages.setCurrentWidget(self.missing)
            self._set_person_actions(False)
            return False
        self.pages.setCurrentWidget(self._content)
        self._set_person_actions(True)
        self.pins = pinned_values(self.workspace, customer_id)
        rows = source_rows(self.workspace, customer_id)
        self._fill_card(self.profile, files=len({r.source_file for r in rows}))
        self._fill_identifiers(self.profile)
        # One query serves the unfiltered list, the filter choices and the total.
        entries = timeline(self.workspace, customer_id)
        self._fill_filters(entries)
        self.reload_timeline(entries)
        self.source_model.set_rows(rows)
        self.tabs.setTabText(self.tabs.indexOf(self.sources_page), f"Sources ({len(rows)})")
        if rows:
            self.source_table.selectRow(0)
        else:
            self._show_raw(None)
        self.notes_edit.blockSignals(True)
        self.notes_edit.setPlainText(self.profile.notes)
        self.notes_edit.blockSignals(False)
        self._notes_dirty = False
        self.save_notes_button.setEnabled(False)
        self.notes_status.setText("")
        self.tabs.setCurrentIndex(0)
        return True

    def apply_changes(self, changes) -> None:
        """After a change: the card again when it concerns the shown customer, else only its notes."""
        if self.customer_id is None:
            return
        if changes.touches_customer(self.customer_id):
            self.refresh()
        elif changes.touches_notes(self.customer_id):
            self._reload_notes()

    def _reload_notes(self) -> None:
        """The saved notes in the editor (an undo of a notes edit), unless the user is typing there."""
        if self._notes_dirty or self._pending_notes is not None or self.customer_id is None:
            return
        from omnidesk.core.notes import customer_notes

        try:
            text = customer_notes(self.workspace, self.customer_id)
        except UserError:
            return
        if text != self.notes_edit.toPlainText():
            self.notes_edit.blockSignals(True)
            self.notes_edit.setPlainText(text)
            self.notes_edit.blockSignals(False)
            self.notes_status.setText("")

    def refresh(self) -> None:
        """Show the current customer again (after an import, merge or undo)."""
        if self.customer_id is None:
            return
        search = self.search.text()
        channel, kind = self.channel_filter.currentData(), self.type_filter.currentData()
        tab = self.tabs.currentIndex()
        if self.show_customer(self.customer_id):
            self._restore_filters(search, channel, kind)
            self.tabs.setCurrentIndex(tab)

    def _fill_card(self, p: CustomerProfile, files: int) -> None:
        src = p.sources
        self.name_label.setText(p.display_name)
        name_from = [f"{label} {src[f].describe()}" for f, label in
                     (("full_name", "Full name"), ("first_name", "First name"), ("last_name", "Last name"))
                     if f in src]
        self.name_label.setToolTip("\n".join([p.display_name, *name_from]))
        events = f"{p.event_count:,} event{'s' if p.event_count != 1 else ''}"
        self.subtitle.setText(
            f"Customer #{p.id} · {p.source_count:,} source record{'s' if p.source_count != 1 else ''} "
            f"from {files} file{'s' if files != 1 else ''} · {events}"
        )
        self.subtitle.setToolTip(self.subtitle.text())

        _clear_layout(self.chips)
        for channel in p.channels:
            chip = _chip(channel_name(channel), channel_color(channel))
            chip.setToolTip(f"Known on the {CHANNELS.get(channel, channel_name(channel))} channel")
            self.chips.addWidget(chip)

        self._set("email", p.email, src.get("email"))
        self._set("phone", display_phone(p.phone, str(self.workspace.get_setting("default_region") or "")),
                  src.get("phone"))
        self._set("address", p.address, src.get("address"))
        region_post = " ".join(x for x in (p.region, p.postcode) if x)
        place = ", ".join(x for x in (p.city, region_post, p.country) if x)
        place_from = [f"{label} {src[f].describe()}" for f, label in
                      (("city", "City"), ("region", "Region"), ("postcode", "Postcode"), ("country", "Country"))
                      if f in src]
        self._set("place", place, None, "\n".join(place_from))
        self._set("birthday", nice_date(p.birthday), src.get("birthday"))
        self._set("company", p.company, src.get("company"))
        self._set("tags", ", ".join(p.tags), None, "Tags from every source record of this customer")

        money = format_money(p.spend_minor, p.currency)
        parts = [m for m in p.money if m.spend_minor is not None]
        spend_from = ("All channels, each counted once, then added up: "
                      + " + ".join(f"{channel_name(m.channel)} {format_money(m.spend_minor)}" for m in parts)
                      if parts else "")
        orders_from = ("All channels, each counted once, then added up: "
                       + " + ".join(f"{channel_name(m.channel)} {m.orders:,}" for m in p.money)
                       if p.money else "")
        self._set("spend", money, None, spend_from if money else "")
        self._set("orders", f"{p.orders:,}" if p.orders else "", None, orders_from if p.orders else "")
        _clear_layout(self.money_lines)
        for m in p.money:
            line = ElidedLabel(m.describe(p.currency))
            line.setObjectName(f"money_{m.channel}")
            line.setToolTip("\n".join(x for x in (m.describe(p.currency), m.explain()) if x))
            self.money_lines.addWidget(line)
        self.money_title.setVisible(bool(p.money))
        # Stored in UTC; shown on the day it was where the shop is, as the timeline shows it.
        zone = workspace_zone(self.workspace)
        self._set("first_seen", nice_date(local_day(p.first_seen, zone)), None,
                  f"{p.first_seen} UTC — the earliest dated event, sign-up or consent" if p.first_seen else "")
        self._set("last_seen", nice_date(local_day(p.last_seen, zone)), None,
                  f"{p.last_seen} UTC — the latest dated event or consent" if p.last_seen else "")
        self._set("preferred", channel_name(p.preferred_channel) if p.preferred_channel else "", None,
                  "The channel with the most events in the last 12 months" if p.preferred_channel
                  else "No events in the last 12 months")

        for channel, (title, box, text) in self.consent_rows.items():
            _clear_layout(box, keep=1)
            fact = p.consents.get(channel)
            show = fact is not None or channel != "whatsapp"
            title.setVisible(show)
            text.setVisible(show)
            text.setForegroundRole(QPalette.ColorRole.PlaceholderText if fact is None
                                   else QPalette.ColorRole.WindowText)
            if fact is None:
                text.setText(EMPTY if show else "")
                text.setToolTip("No consent on record for this channel")
                continue
            chip = _chip(fact.status, CONSENT_COLORS.get(fact.status, "#6D6D6D"))
            chip.setToolTip(fact.describe())
            box.insertWidget(0, chip)
            # Without a date in the file, when it was imported is when it was last known true.
            when = (nice_date(fact.occurred_at) if fact.occurred_at
                    else f"as of {nice_date(local_day(fact.recorded_at, zone))}" if fact.recorded_at else "")
            text.setText(" · ".join(x for x in (fact.source_file, when) if x))
            text.setToolTip(fact.describe())
        self._fill_more_fields(p.custom_fields)
        self._fill_pins()

    def _set(self, key: str, value: str, source=None, tooltip: str = "") -> None:
        label = self.fields[key]
        label.setText(value or EMPTY)
        label.setForegroundRole(QPalette.ColorRole.WindowText if value else QPalette.ColorRole.PlaceholderText)
        if source is not None:
            tooltip = source.describe()
        label.setToolTip(tooltip if value else "Not on record")

    def _region(self) -> str:
        return str(self.workspace.get_setting("default_region") or "")

    def _fill_identifiers(self, p: CustomerProfile) -> None:
        assert self.customer_id is not None
        found = identifier_sources(self.workspace, self.customer_id)
        self.identifier_model.region = self._region()
        self.identifier_model.set_lines(identifier_lines(found, {"email": p.email, "phone": p.phone}, self.pins))
        count = self.identifier_model.identifier_count()
        self.tabs.setTabText(self.tabs.indexOf(self.identifiers_page), f"Identifiers ({count})")
        self.identifier_pages.setCurrentWidget(self.identifier_table if count else self.identifiers_empty)

    # -- pinned values -------------------------------------------------------------

    def _fill_pins(self) -> None:
        """Mark pinned rows and rebuild each row's pin menu."""
        for key, fields in PIN_ROWS.items():
            pinned = [f for f in fields if f in self.pins]
            mark = self.pin_marks[key]
            mark.setVisible(bool(pinned))
            # Nothing on record and nothing pinned: there is nothing to choose from.
            has_value = self.profile is not None and any(getattr(self.profile, f) for f in fields)
            self.pin_buttons[key].setVisible((has_value or bool(pinned)) and not self.read_only)
            label = self.name_label if key == "name" else self.fields[key]
            if pinned:
                what = " and ".join(FIELD_LABELS[f].lower() for f in pinned)
                mark.setToolTip(f"You pinned the {what}: later imports do not change it")
                lines = [f"{FIELD_LABELS[f]} pinned by you: later imports do not change it" for f in pinned]
                label.setToolTip("\n".join([*lines, label.toolTip()]))
            menu = self.pin_menus[key]
            menu.clear()
            for f in fields:
                action = menu.addAction(f"Choose {FIELD_LABELS[f].lower()}…")
                action.setObjectName(f"choose:{f}")
                action.triggered.connect(lambda _checked=False, f=f: self.choose_value(f))
            if pinned:
                menu.addSeparator()
            for f in pinned:
                action = menu.addAction(f"Unpin {FIELD_LABELS[f].lower()} (let the sources decide)")
                action.setObjectName(f"unpin:{f}")
                action.triggered.connect(lambda _checked=False, f=f: self.unpin(f))
            self.pin_controls[key].adjustSize()
            if key in self.value_cells:
                self.value_cells[key].relayout()

    def pin_action(self, field: str, kind: str = "choose"):
        """The menu action that chooses (``kind="choose"``) or unpins a field; None when absent."""
        key = next(k for k, fields in PIN_ROWS.items() if field in fields)
        return next((a for a in self.pin_menus[key].actions() if a.objectName() == f"{kind}:{field}"), None)

    def _shown_value(self, field: str, value: str) -> str:
        if field == "phone":
            return display_phone(value, self._region()) or value
        if field == "birthday":
            return nice_date(value) or value
        return value

    def pin_dialog(self, field: str) -> PinDialog:
        """The chooser for ``field``: every value the customer's records carry, each with its sources."""
        assert self.customer_id is not None and self.profile is not None
        options = []
        for c in pin_candidates(self.workspace, self.customer_id, field):
            found_in = describe_sources(c.sources, files=1).removeprefix("from ")
            if len(c.sources) > 1:
                found_in = f"{len(c.sources)} records: {found_in}"
            details = "\n".join(f"{f} {_rows_text(nos, limit=30)} ({ch})" for f, ch, nos in _by_file(c.sources))
            options.append(PinOption(c.value, self._shown_value(field, c.value), found_in, details))
        current = getattr(self.profile, field) or ""
        return PinDialog(FIELD_LABELS[field], self.profile.display_name, options, current,
                         self.pins.get(field), self)

    def ask_pin(self, field: str) -> tuple[str, str | None] | None:
        """Ask which value to pin: ("pin", value), ("unpin", None), or None when cancelled."""
        dialog = self.pin_dialog(field)
        try:
            accepted = dialog.exec() == PinDialog.DialogCode.Accepted
            return dialog.choice if accepted else None
        finally:
            dialog.deleteLater()

    def choose_value(self, field: str) -> None:
        if self.customer_id is None or self.profile is None:
            return
        choice = self.ask_pin(field)
        if choice is None:
            return
        action, value = choice
        self._pin(field, value if action == "pin" else None)

    def unpin(self, field: str) -> None:
        if self.customer_id is not None:
            self._pin(field, None)

    def _pin(self, field: str, value: str | None) -> None:
        assert self.customer_id is not None
        if self.read_only:
            return
        customer_id = self.customer_id
        if self.operations.pin(customer_id, field, value):  # the card redraws as the change is announced
            self.customerChanged.emit(customer_id)

    # -- the person's data: export and erase -----------------------------------------

    def _set_person_actions(self, enabled: bool) -> None:
        for button in (self.export_person_button, self.erase_person_button):
            button.setVisible(enabled)
            button.setEnabled(enabled)
        if self.read_only:
            self.erase_person_button.setVisible(False)

    def show_error(self, title: str, text: str) -> None:
        QMessageBox.warning(self, title, text)

    def show_info(self, title: str, text: str) -> None:
        QMessageBox.information(self, title, text)

    def ask_person_export_path(self) -> Path | None:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) \
            or str(Path.home())
        start = str(Path(folder) / f"customer-{self.customer_id}.zip")
        name, _ = QFileDialog.getSaveFileName(self, "Export person data", start,
                                              "Zip archives (*.zip);;All files (*)")
        if not name:
            return None
        path = Path(name)
        return path if path.suffix else path.with_suffix(".zip")

    def export_person_dialog(self) -> None:
        """Write everything about the shown person to a zip the user picks, and say where."""
        if self.customer_id is None or self.profile is None:
            return
        path = self.ask_person_export_path()
        if path is None:
            return
        try:
            # The save dialog has asked before replacing a file.
            written = export_person(self.workspace, self.customer_id, path, overwrite=True)
        except Exception as exc:  # a failed export is reported, whatever the cause, never a crash
            try:
                path.with_name(path.name + ".part").unlink(missing_ok=True)
            except OSError:
                pass
            self.show_error("Cannot export person data", f"Nothing was written to {path}.\n\n{reason(exc)}")
            return
        self.personExported.emit(str(written))
        self.show_info("Person data exported",
                       f"Everything this workspace holds about {self.profile.display_name} "
                       f"was written to:\n\n{written}")

    def erase_confirmation_box(self) -> QMessageBox:
        """The question asked before erasing the shown person (Cancel is the default)."""
        assert self.profile is not None
        p = self.profile
        name = html.escape(p.display_name)
        records = p.source_count
        files = len({self.source_model.source_row(r).source_file for r in range(self.source_model.rowCount())})
        ids = self.identifier_model.identifier_count()
        removes = [
            f"the card of <b>{name}</b> (customer #{p.id})" + (" and your notes on them" if p.notes else ""),
            f"{records:,} source record{'s' if records != 1 else ''} from {files} file{'s' if files != 1 else ''}: "
            "the rows as they were imported",
            f"{p.event_count:,} timeline entr{'y' if p.event_count == 1 else 'ies'} "
            "(orders, messages, visits) and their consent records",
            "their merge and review history",
        ]
        backups = len(backup_files(self.workspace.path)) if self.workspace.path is not None else 0
        if backups:
            removes.append(f"the {backups} backup{'s' if backups != 1 else ''} Omnidesk made next to this "
                           "workspace before upgrading it: they hold this person too, so they are deleted")
        kept = (f"Their {ids} identifier{'s' if ids != 1 else ''} (emails, phones, customer ids) are kept "
                "only as one-way fingerprints, so importing an old file cannot bring them back. "
                "The files you imported them from, and copies you saved with Save a Copy, are not changed.")
        return erase_confirmation(self, p.display_name, removes, kept)

    def confirm_erase(self) -> bool:
        box = self.erase_confirmation_box()
        try:
            box.exec()
            clicked = box.clickedButton()
            return clicked is not None and box.buttonRole(clicked) == QMessageBox.ButtonRole.DestructiveRole
        finally:
            box.deleteLater()

    def erase_person_dialog(self) -> None:
        """Ask, then erase the shown person everywhere and leave for the Customers list."""
        if self.customer_id is None or self.profile is None:
            return
        customer_id, name = self.customer_id, self.profile.display_name
        if not self.confirm_erase():
            return
        try:
            removed = self.operations.erase_person(customer_id)
        except Exception as exc:  # reported, never a crash; the erase is one transaction
            if customer_profile(self.workspace, customer_id) is not None:
                self.show_error("Cannot erase person", f"Nothing was erased.\n\n{reason(exc)}")
                return
            removed = {}  # it failed after the erase itself was done (tidying up)
        self._forget_shown_customer()
        self.personErased.emit(customer_id, removed)
        self.backRequested.emit()
        text = f"{name} was erased from this workspace."
        if removed:
            records = removed.get("source_records", 0)
            events = removed.get("events", 0)
            ids = removed.get("identifiers_suppressed", 0)
            text += (f"\n\nRemoved {records:,} source record{'s' if records != 1 else ''} and "
                     f"{events:,} timeline entr{'y' if events == 1 else 'ies'}. "
                     f"{ids:,} identifier{'s' if ids != 1 else ''} (emails, phones, customer ids) "
                     f"{'are' if ids != 1 else 'is'} kept only as one-way fingerprints, "
                     "so an old file cannot bring them back.")
            backups = removed.get("backups_deleted", 0)
            if backups:
                text += (f" The {backups} backup{'s' if backups != 1 else ''} that held them "
                         f"{'were' if backups != 1 else 'was'} deleted.")
        self.show_info("Person erased", text)

    def _forget_shown_customer(self) -> None:
        """Nothing of an erased person stays on screen (or in this view's memory)."""
        self._notes_timer.stop()
        self._notes_dirty = False
        if self._pending_notes is not None and self._pending_notes[0] == self.customer_id:
            self._end_wait(False)  # notes on a person who is no longer there
        self.customer_id = None
        self.profile = None
        self.pins = {}
        self.name_label.setText("")
        self.name_label.setToolTip("")
        self.subtitle.setText("")
        for label in self.fields.values():
            label.setText("")
            label.setToolTip("")
        self._fill_more_fields([])
        self.timeline_model.set_entries([])
        self.source_model.set_rows([])
        self.identifier_model.set_lines([])
        self._show_raw(None)
        self.notes_edit.blockSignals(True)
        self.notes_edit.clear()
        self.notes_edit.blockSignals(False)
        self.missing.title.setText("This person was erased")
        self.missing.text.setText("Nothing about them is left in this workspace.")
        self.pages.setCurrentWidget(self.missing)
        self._set_person_actions(False)

    # -- timeline ------------------------------------------------------------------

    def _fill_filters(self, entries: list) -> None:
        for combo in (self.channel_filter, self.type_filter):
            combo.blockSignals(True)
            combo.clear()
        self.channel_filter.addItem("All channels", None)
        for channel in sorted({e.channel for e in entries}):
            self.channel_filter.addItem(channel_icon(channel), channel, channel)
        self.type_filter.addItem("All types", None)
        for kind in sorted({e.type for e in entries}):
            self.type_filter.addItem(type_label(kind), kind)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        for combo in (self.channel_filter, self.type_filter):
            combo.blockSignals(False)
        self._total_entries = len(entries)

    def _restore_filters(self, search: str, channel, kind) -> None:
        for combo, value in ((self.channel_filter, channel), (self.type_filter, kind)):
            i = combo.findData(value)
            combo.blockSignals(True)
            combo.setCurrentIndex(max(i, 0))
            combo.blockSignals(False)
        self.search.blockSignals(True)
        self.search.setText(search)
        self.search.blockSignals(False)
        self.reload_timeline()

    def clear_filters(self) -> None:
        self._restore_filters("", None, None)

    def _filters_changed(self, *_args) -> None:
        self.reload_timeline()

    def reload_timeline(self, entries: list | None = None) -> None:
        """Query the timeline with the current filters (``entries``: already queried, unfiltered)."""
        self._debounce.stop()
        if self.customer_id is None:
            return
        if entries is None:
            channel = self.channel_filter.currentData()
            kind = self.type_filter.currentData()
            entries = timeline(self.workspace, self.customer_id,
                               channels=[channel] if channel else None,
                               types=[kind] if kind else None,
                               search=self.search.text())
        self.timeline_model.set_entries(entries)
        shown = len(entries)
        total = self._total_entries
        if shown == total:
            self.count_label.setText(f"{total:,} entr{'y' if total == 1 else 'ies'}")
        else:
            self.count_label.setText(f"{shown:,} of {total:,} entries")
        if total == 0:
            self.timeline_pages.setCurrentWidget(self.timeline_empty)
        elif shown == 0:
            self.timeline_pages.setCurrentWidget(self.no_match)
        else:
            self.timeline_pages.setCurrentWidget(self.timeline_list)
            # Oldest first reads like a story, but the latest activity is what a user looks for.
            self.timeline_list.scrollToBottom()
        no_events = self.profile is not None and self.profile.event_count == 0 and total > 0
        self.no_events_note.setVisible(no_events)
        if no_events:
            self.no_events_note.setText(
                "No orders, messages or visits on record yet — only sign-up and consent facts."
            )
        for w in (self.channel_filter, self.type_filter, self.search, self.export_button):
            w.setEnabled(total > 0)

    def ask_export_path(self) -> Path | None:
        name = (self.profile.display_name if self.profile else "customer").replace("/", "-")
        path, _ = QFileDialog.getSaveFileName(self, "Export timeline", f"{name} timeline.csv",
                                              "CSV files (*.csv);;All files (*)")
        return Path(path) if path else None

    def export_dialog(self) -> None:
        if self.customer_id is None:
            return
        path = self.ask_export_path()
        if path is None:
            return
        try:
            # The save dialog has asked before replacing a file.
            export_timeline(self.workspace, self.customer_id, path, overwrite=True)
        except Exception as exc:  # a failed export is reported, whatever the cause, never a crash
            self.show_error("Cannot export the timeline", f"Nothing was written to {path}.\n\n{reason(exc)}")
            return
        self.timelineExported.emit(str(path))

    # -- sources -------------------------------------------------------------------

    def _source_selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.source_model.source_row(current.row()) if current.isValid() else None
        self._show_raw(row)
        # A customer's only record has nothing to be split from.
        self.split_button.setEnabled(row is not None and self.source_model.rowCount() > 1)

    def _split_selected(self) -> None:
        index = self.source_table.currentIndex()
        row = self.source_model.source_row(index.row()) if index.isValid() else None
        if row is not None and self.customer_id is not None and not self.read_only:
            self.operations.split(row.record_id, self.customer_id, f"{row.source_file} row {row.record_no}")

    def _show_raw(self, row: SourceRow | None) -> None:
        self.raw_table.setRowCount(0)
        if row is None:
            self.raw_title.setText("")
            self.raw_problems.setVisible(False)
            return
        self.raw_title.setText(f"{row.source_file} row {row.record_no} · {row.channel} · {row.kind}")
        self.raw_problems.setVisible(bool(row.problems))
        self.raw_problems.setText("Flagged: " + "; ".join(row.problems))
        pairs = raw_record(self.workspace, row.record_id)
        self.raw_table.setRowCount(len(pairs))
        for i, (column, value) in enumerate(pairs):
            name = QTableWidgetItem(column)
            name.setForeground(_muted(self.palette()))
            cell = QTableWidgetItem(value)
            cell.setToolTip(value)
            self.raw_table.setItem(i, 0, name)
            self.raw_table.setItem(i, 1, cell)

    # -- notes ---------------------------------------------------------------------

    def _notes_changed(self) -> None:
        self._notes_dirty = True
        self.save_notes_button.setEnabled(True)
        self.notes_status.setText("Unsaved changes")
        self._notes_timer.start()

    def save_notes(self) -> bool:
        """Save pending note edits of the shown customer; returns True when something was written.

        When an import in another window (or the command line) holds the workspace, the
        words are kept and the save is tried again every ``NOTES_RETRY_MS`` — each try waits
        only ``NOTES_ATTEMPT_WAIT`` so the window never freezes — saying "Waiting for the
        import in another window…", until it lands or ``NOTES_GIVE_UP`` seconds have passed.
        Then the text is in the editor (brought back if another customer is shown) with a
        line saying it was not saved.
        """
        self._notes_timer.stop()
        if not self._notes_dirty or self.customer_id is None or self.read_only:
            return False
        return self._write_notes(self.customer_id, self.notes_edit.toPlainText())

    def discard_unsaved_notes(self) -> None:
        """Forget notes that could not be saved (the user chose to leave without them)."""
        self._end_wait(False)
        self._notes_timer.stop()
        self._notes_dirty = False

    def notes_waiting(self) -> bool:
        """Whether a notes save is waiting for another window's import to finish."""
        return self._pending_notes is not None

    def has_unsaved_notes(self) -> bool:
        return self._pending_notes is not None or (self._notes_dirty and not self.read_only)

    def _write_notes(self, customer_id: int, text: str) -> bool:
        try:
            changed = self.operations.save_notes(customer_id, text, wait=self.NOTES_ATTEMPT_WAIT)
        except WorkspaceBusyError as exc:
            self._pending_notes = (customer_id, text)
            if self._notes_waiting_since is None:
                self._notes_waiting_since = time.monotonic()
            if time.monotonic() - self._notes_waiting_since >= self.NOTES_GIVE_UP:
                self._give_up_notes(str(exc))
            else:
                self.notes_status.setText(NOTES_WAITING)
                self.notesWaiting.emit(f"{NOTES_WAITING} Your notes are kept and saved as soon as it finishes.")
                self._notes_retry.start()
            return False
        except Exception as exc:  # refused or failed: the words stay in the editor, and it says why
            if is_damaged(exc):
                raise
            self._end_wait(False)
            self.notes_status.setText(f"Not saved: {reason(exc)}")
            return False
        self._end_wait(True)
        if self.customer_id == customer_id and self.notes_edit.toPlainText() == text:
            self._notes_dirty = False
            self.save_notes_button.setEnabled(False)
            self.notes_status.setText(f"Saved at {datetime.now():%H:%M}")
        if changed:
            self.notesSaved.emit(customer_id)
        return changed

    def _retry_notes(self) -> None:
        if self._pending_notes is None:
            return
        customer_id, text = self._pending_notes
        if self.customer_id == customer_id and self._notes_dirty:
            text = self.notes_edit.toPlainText()  # what was typed while waiting, too
        self._write_notes(customer_id, text)

    def _end_wait(self, saved: bool) -> None:
        waited = self._notes_waiting_since is not None
        self._notes_retry.stop()
        self._pending_notes = None
        self._notes_waiting_since = None
        if waited:
            self.notesWaiting.emit("")
            self.notesSettled.emit(saved)

    def _give_up_notes(self, reason: str) -> None:
        assert self._pending_notes is not None
        customer_id, text = self._pending_notes
        self._end_wait(False)
        if self.customer_id != customer_id:
            self.show_customer(customer_id)  # the words go back where they were typed
        if self.notes_edit.toPlainText() != text:
            self.notes_edit.blockSignals(True)
            self.notes_edit.setPlainText(text)
            self.notes_edit.blockSignals(False)
        self._notes_dirty = True
        self.save_notes_button.setEnabled(True)
        self.tabs.setCurrentWidget(self.notes_page)
        why = reason.split(";")[0]  # "the workspace is busy with an import (started 14:02 …)"
        self.notes_status.setText(f"Not saved: {why}. Your text is still here; press Save notes to try again.")
        self.notesWaiting.emit("Your notes were not saved: the workspace stayed busy. "
                               "They are still in the editor.")

    def set_read_only(self, read_only: bool) -> None:
        """Show the customer without any way to change them (a read-only workspace)."""
        self.read_only = read_only
        self.notes_edit.setReadOnly(read_only)
        self.save_notes_button.setVisible(not read_only)
        self.split_button.setVisible(not read_only)
        for button in self.pin_buttons.values():
            button.setVisible(not read_only)
        self._set_person_actions(self.customer_id is not None and self.profile is not None)

    def _back(self) -> None:
        self.save_notes()
        self.backRequested.emit()
