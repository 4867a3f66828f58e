"""The Customer screen: one person's card, their timeline, their source records and notes.

Everything shown comes from core queries (``core.profile``, ``core.timeline``);
the only write is the notes, through ``core.notes``.  Each value on the card
says in its tooltip which file, row and channel it came from.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
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
from omnidesk.core.importing.fields import CHANNELS, channel_name
from omnidesk.core.notes import set_customer_notes
from omnidesk.core.profile import CustomerProfile, SourceRow, customer_profile, raw_record, source_rows
from omnidesk.core.timeline import export_timeline, timeline, workspace_zone
from omnidesk.core.phones import display_phone
from omnidesk.core.timeutil import local_day
from omnidesk.core.workspace import Workspace
from omnidesk.ui.formatting import nice_date
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


class SourceTableModel(QAbstractTableModel):
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

    def source_row(self, row: int) -> SourceRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None

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


class CustomerView(QWidget):
    backRequested = Signal()
    unmergeRequested = Signal(int)  # source record id
    notesSaved = Signal(int)  # customer id
    timelineExported = Signal(str)  # path written

    def __init__(self, workspace: Workspace, parent=None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.customer_id: int | None = None
        self.profile: CustomerProfile | None = None
        self._total_entries = 0
        self._notes_dirty = False

        self.back_button = QToolButton()
        self.back_button.setText("‹  Customers")
        self.back_button.setAutoRaise(True)
        self.back_button.setToolTip("Back to the customer list")
        self.back_button.clicked.connect(self._back)

        content = QWidget()
        cl = QVBoxLayout(content)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.setSpacing(10)
        cl.addWidget(self._build_card())
        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_timeline_tab(), "Timeline")
        self.tabs.addTab(self._build_sources_tab(), "Sources")
        self.tabs.addTab(self._build_notes_tab(), "Notes")
        cl.addWidget(self.tabs, 1)

        self.missing = EmptyState(
            "This customer is no longer here",
            "Merged into another customer, or their import was undone.",
            "Back to customers",
        )
        self.missing.actionTriggered.connect(self._back)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addStretch(1)
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
        self.chips = QHBoxLayout()
        self.chips.setSpacing(4)
        name_row = QHBoxLayout()
        name_row.addWidget(self.name_label, 1)
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
        column_a = ("email", "Email"), ("phone", "Phone"), ("address", "Address"), ("place", "Place"), \
            ("birthday", "Birthday"), ("company", "Company")
        column_c = ("spend", "Lifetime spend"), ("orders", "Orders"), ("first_seen", "First seen"), \
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
        # Emails and consent sources are long, spend and dates short: the space goes where the
        # text is, so a narrow window still shows the email address whole.
        grid.setColumnStretch(1, 6)
        grid.setColumnStretch(3, 5)
        grid.setColumnStretch(5, 2)
        # ...but a date or an amount is never cut.
        grid.setColumnMinimumWidth(5, card.fontMetrics().horizontalAdvance("30 Sep 2026 ·") + 8)
        grid.setColumnMinimumWidth(2, 0)
        outer.addLayout(grid)
        card.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        return card

    def _title(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return label

    def _add_field(self, grid: QGridLayout, row: int, column: int, key: str, title: str) -> None:
        value = ElidedLabel()
        grid.addWidget(self._title(title), row, column)
        grid.addWidget(value, row, column + 1)
        self.fields[key] = value

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
        return page

    # -- showing a customer --------------------------------------------------------

    def show_customer(self, customer_id: int) -> bool:
        """Show ``customer_id``; returns False (and says so) when there is no such customer."""
        self.save_notes()
        self.customer_id = customer_id
        self.profile = customer_profile(self.workspace, customer_id)
        if self.profile is None:
            self.pages.setCurrentWidget(self.missing)
            return False
        self.pages.setCurrentWidget(self._content)
        rows = source_rows(self.workspace, customer_id)
        self._fill_card(self.profile, files=len({r.source_file for r in rows}))
        # One query serves the unfiltered list, the filter choices and the total.
        entries = timeline(self.workspace, customer_id)
        self._fill_filters(entries)
        self.reload_timeline(entries)
        self.source_model.set_rows(rows)
        self.tabs.setTabText(1, f"Sources ({len(rows)})")
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
                     (("first_name", "First name"), ("last_name", "Last name")) if f in src]
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

        money = f"{p.spend_minor / 100:,.2f}" if p.spend_minor is not None else ""
        if money and p.currency:
            money = f"{money} {p.currency}"
        spend_from = (f"Sum of {p.order_events:,} orders and purchases across channels" if p.order_events
                      else "The shop's own total (Total Spent) from its customer export")
        self._set("spend", money, None, spend_from if money else "")
        self._set("orders", f"{p.orders:,}" if p.orders else "", None, spend_from if p.orders else "")
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
            when = nice_date(fact.occurred_at or "")
            text.setText(" · ".join(x for x in (fact.source_file, when) if x))
            text.setToolTip(fact.describe())

    def _set(self, key: str, value: str, source=None, tooltip: str = "") -> None:
        label = self.fields[key]
        label.setText(value or EMPTY)
        label.setForegroundRole(QPalette.ColorRole.WindowText if value else QPalette.ColorRole.PlaceholderText)
        if source is not None:
            tooltip = source.describe()
        label.setToolTip(tooltip if value else "Not on record")

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
        export_timeline(self.workspace, self.customer_id, path)
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
        if row is not None:
            self.unmergeRequested.emit(row.record_id)

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
        """Save pending note edits of the shown customer; returns True when something was written."""
        self._notes_timer.stop()
        if not self._notes_dirty or self.customer_id is None:
            return False
        try:
            changed = set_customer_notes(self.workspace, self.customer_id, self.notes_edit.toPlainText())
        except UserError as exc:
            self.notes_status.setText(str(exc))
            return False
        self._notes_dirty = False
        self.save_notes_button.setEnabled(False)
        self.notes_status.setText(f"Saved at {datetime.now():%H:%M}")
        if changed:
            self.notesSaved.emit(self.customer_id)
        return changed

    def _back(self) -> None:
        self.save_notes()
        self.backRequested.emit()
