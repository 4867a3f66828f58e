"""The Timeline tab: one customer's history by day, filtered by channel, type and words, and its export."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QStackedLayout,
    QStyle,
    QStyledItemDelegate,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from omnidesk.core.channels import channel_name
from omnidesk.core.errors import UserError
from omnidesk.core.workspace import WorkspaceError
from omnidesk.core.tasks import Cancelled
from omnidesk.core.timeline import export_timeline, timeline, workspace_zone
from omnidesk.ui.models.timeline_model import (
    TimelineModel,
    amount_text,
    channel_icon,
    source_text,
    type_label,
)
from omnidesk.ui.operations import reason
from omnidesk.ui.tasks import caught
from omnidesk.ui.views.customer.widgets import muted_color
from omnidesk.ui.widgets.buttons import enter_presses
from omnidesk.ui.widgets.empty_state import EmptyState


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
            # Headers are not enabled (the keys pass over them) but read as headings, not greyed out.
            palette = QPalette(palette)
            palette.setCurrentColorGroup(QPalette.ColorGroup.Active)
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
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.Highlight))
            text_color = palette.color(QPalette.ColorRole.HighlightedText)
            muted = text_color
        else:
            text_color = palette.color(QPalette.ColorRole.Text)
            muted = muted_color(palette)
        entry = index.data(TimelineModel.EntryRole)
        icon = self.icon_rect(rect, metrics, index)
        channel_icon(entry.channel).paint(painter, icon)
        for name, cell, shown in self.cells(rect, metrics, index):
            painter.setPen(muted if name in ("time", "type", "source") else text_color)
            align = Qt.AlignmentFlag.AlignRight if name == "amount" else Qt.AlignmentFlag.AlignLeft
            painter.drawText(cell, int(align | Qt.AlignmentFlag.AlignVCenter), shown)
        painter.restore()

    @staticmethod
    def time_width(metrics, index) -> int:
        """44 pixels for "13:24"; more where a time says its clock ("01:30 EST")."""
        return max([44] + [metrics.horizontalAdvance(t) + 2 for t in index.model().marked_times()])

    def icon_rect(self, rect: QRect, metrics, index) -> QRect:
        size = min(18, rect.height() - 6)
        left = rect.left() + 12 + self.time_width(metrics, index) + 6
        return QRect(left, rect.top() + (rect.height() - size) // 2, size, size)

    def cells(self, rect: QRect, metrics, index) -> list[tuple[str, QRect, str]]:
        """An entry's columns in a row at ``rect``: (name, where, the text as shown, cut to fit)."""
        entry = index.data(TimelineModel.EntryRole)
        top, height = rect.top(), rect.height()
        out: list[tuple[str, QRect, str]] = []

        def cell(name: str, left: int, width: int, text: str) -> None:
            if width > 4 and text:
                out.append((name, QRect(left, top, width, height),
                            metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)))

        x = rect.left() + 12
        cell("time", x, self.time_width(metrics, index), index.data(TimelineModel.TimeRole))
        x = self.icon_rect(rect, metrics, index).right() + 1 + 8
        type_width = 96
        cell("type", x, type_width, type_label(entry.type))
        x += type_width + 8
        right = rect.right() - 10
        source_width = min(240, max(110, int(rect.width() * 0.22)))
        cell("source", right - source_width, source_width, source_text(entry))
        right -= source_width + 12
        # As wide as the widest amount on the list, so "1,234,567.89 USD" is whole, but never
        # more than a quarter of the row: the summary keeps its room.
        widest = max((metrics.horizontalAdvance(t) for t in index.model().longest_amounts()), default=0) + 4
        amount_width = max(96, min(widest, rect.width() // 4))
        cell("amount", right - amount_width, amount_width, amount_text(entry))
        right -= amount_width + 12
        cell("summary", x, right - x, entry.summary or type_label(entry.type))
        return out


class _TimelineList(QListView):
    """The timeline's list: reached by Tab, it marks its last entry (the latest dated ones are at
    the end, in view), so the arrows start from there, not from an unmarked first row out of view.

    The keys stand only on entries: the arrows, Home/End and Page Up/Down pass over the day
    headers, which are headings.  Enter on an entry asks for its details (``entryChosen``)."""

    entryChosen = Signal(QModelIndex)

    def focusInEvent(self, event) -> None:
        # Before Qt's own, which would make the first row current without marking it.
        rows = self.model().rowCount() if self.model() is not None else 0
        if rows and not self.currentIndex().isValid():
            self.setCurrentIndex(self.model().index(rows - 1, 0))
        super().focusInEvent(event)

    def _is_header(self, index) -> bool:
        return index.isValid() and bool(index.data(TimelineModel.IsHeaderRole))

    def moveCursor(self, action, modifiers):
        index = super().moveCursor(action, modifiers)
        if not self._is_header(index):
            return index
        A = QAbstractItemView.CursorAction
        back = action in (A.MoveUp, A.MoveLeft, A.MovePrevious)
        model = self.model()
        # A header is always followed by its day's first entry; before it is the last day's last.
        row = index.row() - 1 if back else index.row() + 1
        if not 0 <= row < model.rowCount() or self._is_header(model.index(row, 0)):
            return self.currentIndex()
        return model.index(row, 0)

    def currentChanged(self, current, previous) -> None:
        super().currentChanged(current, previous)
        if self._is_header(current):
            # Set from elsewhere onto a header: the entry under it is the one marked.
            QTimer.singleShot(0, self, self._off_header)

    def _off_header(self) -> None:
        current = self.currentIndex()
        if self._is_header(current):
            self.setCurrentIndex(self.model().index(current.row() + 1, 0))

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            current = self.currentIndex()
            if current.isValid() and not self._is_header(current):
                self.entryChosen.emit(current)
                event.accept()
                return
        super().keyPressEvent(event)

    def mousePressEvent(self, event) -> None:
        if self._is_header(self.indexAt(event.position().toPoint())):
            event.accept()  # a heading: the entry marked stays marked
            return
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:
        index = self.indexAt(event.position().toPoint())
        if index.isValid() and not self._is_header(index) and event.button() == Qt.MouseButton.LeftButton:
            self.setCurrentIndex(index)
            self.entryChosen.emit(index)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)


class EntryDetailsDialog(QDialog):
    """One timeline entry in full — what its tooltip says (items, status, file and row) — for the
    keyboard: Enter or a double-click opens it, Escape or Close puts it away."""

    def __init__(self, text: str, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Timeline entry")
        self.setMinimumWidth(360)
        layout = QVBoxLayout(self)
        self.text = QLabel(text)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                          | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.text.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.text.setAccessibleName("Entry details")
        layout.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setDefault(True)
        self.close_button.setFocus()


class TimelineMixin:
    """The Timeline tab of :class:`CustomerView`."""

    def _build_timeline_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(8, 8, 8, 8)
        # No label stands beside these: each is named for a screen reader, which would otherwise
        # read a filter by its value alone ("All channels") and the box and list not at all.
        self.channel_filter = QComboBox()
        self.channel_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.channel_filter.setAccessibleName("Timeline channel")
        self.type_filter = QComboBox()
        self.type_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.type_filter.setAccessibleName("Timeline entry type")
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search this timeline…")
        self.search.setAccessibleName("Search this timeline")
        self.search.setClearButtonEnabled(True)
        self.count_label = QLabel()
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setToolTip("Write this customer's whole timeline to a CSV file")
        self.export_button.clicked.connect(self.export_dialog)
        enter_presses(self.export_button)
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
        self.timeline_list = _TimelineList()
        self.timeline_list.setAccessibleName("Timeline entries")
        self.timeline_list.setModel(self.timeline_model)
        self.timeline_list.setItemDelegate(TimelineDelegate(self.timeline_list))
        # Every row has the same height, so the view lays out thousands of rows instantly.
        self.timeline_list.setUniformItemSizes(True)
        self.timeline_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.timeline_list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.timeline_list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.timeline_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.timeline_list.entryChosen.connect(self.show_entry_details)
        self.entry_details: EntryDetailsDialog | None = None
        # The latest entries stay in view while the card settles (its header wraps, the window
        # is laid out): scrolling to the end once, before that, left them below the fold.  Once
        # the user scrolls up, the list stays where they put it.
        self._at_latest = True
        bar = self.timeline_list.verticalScrollBar()
        bar.rangeChanged.connect(self._keep_latest_in_view)
        bar.valueChanged.connect(self._timeline_scrolled)

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

    def _fill_filters(self, entries: list) -> None:
        for combo in (self.channel_filter, self.type_filter):
            combo.blockSignals(True)
            combo.clear()
        self.channel_filter.addItem("All channels", None)
        for channel in sorted({e.channel for e in entries}):
            self.channel_filter.addItem(channel_icon(channel), channel_name(channel), channel)
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
        self._searches.forget()  # a search on its way is moot now
        self._searching = False
        if self.customer_id is None:
            return
        if entries is None:
            channel = self.channel_filter.currentData()
            workspace, customer_id = self.workspace, self.customer_id
            asked = dict(channels=[channel] if channel else None, types=[kind] if (kind := self.type_filter.currentData())
                         else None, search=self.search.text())
            if self._total_entries < self.BIG_CARD:
                entries = timeline(workspace, customer_id, **asked)
            else:
                # A big timeline is searched on the task runner, as its card is read: the list
                # as it was stays until the answer comes.
                def heard(found) -> None:
                    if not isValid(self) or self.customer_id != customer_id or self.workspace is not workspace:
                        return
                    self._searching = False
                    if isinstance(found, (UserError, WorkspaceError)):  # a busy workspace: the list stays, saying why
                        self.count_label.setText(str(found))
                        return
                    if isinstance(found, Exception):
                        self.count_label.setText("The search could not be worked out")
                        raise found
                    self._show_entries(found)

                self._searching = True
                self.count_label.setText("Searching…")
                self._searches.ask(caught(lambda: timeline(workspace, customer_id, **asked)), heard)
                return
        self._show_entries(entries)

    def timeline_searching(self) -> bool:
        """True while a big timeline's search or filter is being worked out."""
        return self._searching

    def _show_entries(self, entries: list) -> None:
        self.timeline_model.set_entries(entries, workspace_zone(self.workspace))
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
            self._at_latest = True
            self.timeline_list.scrollToBottom()
        no_events = self.profile is not None and self.profile.event_count == 0 and total > 0
        self.no_events_note.setVisible(no_events)
        if no_events:
            self.no_events_note.setText(
                "No orders, messages or visits on record yet — only sign-up and consent facts."
            )
        for w in (self.channel_filter, self.type_filter, self.search, self.export_button):
            w.setEnabled(total > 0)

    def show_entry_details(self, index) -> None:
        """The entry's details in a small dialog; closing it gives the keys back to the list."""
        text = index.data(Qt.ItemDataRole.ToolTipRole)
        if not text:
            return
        if self.entry_details is not None:
            self.entry_details.close()
        dialog = self.entry_details = EntryDetailsDialog(text, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _result, d=dialog: self._entry_details_closed(d))
        dialog.open()

    def _entry_details_closed(self, dialog) -> None:
        if self.entry_details is dialog:
            self.entry_details = None
            if self.timeline_list.isVisible():
                self.timeline_list.setFocus(Qt.FocusReason.OtherFocusReason)

    def _keep_latest_in_view(self, _low: int, high: int) -> None:
        if self._at_latest:
            self.timeline_list.verticalScrollBar().setValue(high)

    def _timeline_scrolled(self, value: int) -> None:
        self._at_latest = value >= self.timeline_list.verticalScrollBar().maximum()

    def ask_export_path(self) -> Path | None:
        name = (self.profile.display_name if self.profile else "customer").replace("/", "-")
        path, _ = QFileDialog.getSaveFileName(self, "Export timeline", f"{name} timeline.csv",
                                              "CSV files (*.csv);;All files (*)")
        return Path(path) if path else None

    def export_dialog(self) -> None:
        """Write the shown customer's timeline to a CSV the user picks.

        Written off the window's thread (30,000 entries take seconds), the status bar showing it
        with Cancel; a cancelled or failed export leaves no file.
        """
        if self.customer_id is None:
            return
        path = self.ask_export_path()
        if path is None:
            return
        workspace, customer_id = self.workspace, self.customer_id
        name = self.profile.display_name if self.profile else f"customer #{customer_id}"

        def write(cancelled):
            # The save dialog has asked before replacing a file.
            return export_timeline(workspace, customer_id, path, overwrite=True, cancelled=cancelled)

        def written(_rows) -> None:
            if isValid(self):
                self.timelineExported.emit(str(path))

        def failed(exc: BaseException) -> None:
            if isinstance(exc, Cancelled):
                self.operations.notice.emit(str(exc))
            elif isValid(self):
                self.show_error("Cannot export the timeline", f"Nothing was written to {path}.\n\n{reason(exc)}")

        self.operations.write_out(f"Writing {name}’s timeline", write, finished=written, failed=failed,
                                  title="Cannot export the timeline")
