"""NavigationList: the window's list of screens, with saved segments as sub-items under Customers.

Each row names what it opens by key, never by position: a screen's row moves
when segments are added above it, so callers ask :meth:`row_of` and
:meth:`key_at` instead of counting rows.  A segment row opens its screen
(``screenChosen``) and names the segment (``segmentChosen``); a right-click
(or the context-menu key) on it offers Rename… and Delete.

Walked with the arrow keys, the list keeps the keys: :attr:`walking_by_keys` is True while a
key moves it, and the screens it opens then leave the focus where it is.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QPoint, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
)

KEY_ROLE = Qt.ItemDataRole.UserRole
SEGMENT_ROLE = Qt.ItemDataRole.UserRole + 1
COUNT_ROLE = Qt.ItemDataRole.UserRole + 2  # a segment's count; NOT_COUNTED when its count failed
NOT_COUNTED = "not counted"
INDENT = 18
# The screens' names a little larger than the app's text (11 pt over the usual 9 pt), and growing
# with it when a larger system font is chosen.
FONT_SCALE = 11 / 9


class _SegmentDelegate(QStyledItemDelegate):
    """Draws a segment row indented under its screen, its count (when known) at the right.

    The row's background (the selection's highlight, the hover) spans the whole row as on
    the screens' rows; the name is indented and shortened with "…" before the count.
    """

    def paint(self, painter, option, index) -> None:
        if not index.data(SEGMENT_ROLE):
            super().paint(painter, option, index)
            return
        count = index.data(COUNT_ROLE)
        count_text = f"{count:,}" if isinstance(count, int) else count if isinstance(count, str) else ""
        room = option.fontMetrics.horizontalAdvance(count_text) + 12 if count_text else 0
        row = QStyleOptionViewItem(option)
        self.initStyleOption(row, index)
        name = row.text
        if isinstance(count, str) and (QFontMetrics(row.font).horizontalAdvance(name)
                                       > option.rect.width() - INDENT - 6 - room):
            # "not counted" would cut the name short: a ⚠ says it (the tooltip says why), and
            # segments with names alike stay told apart.
            count_text = "⚠"
            room = option.fontMetrics.horizontalAdvance(count_text) + 12
        row.text = ""  # the background, the highlight and the focus frame, row-wide
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, row, painter, widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette = option.palette
        painter.save()
        text_rect = option.rect.adjusted(INDENT + 6, 0, -(room or 6), 0)
        painter.setFont(row.font)
        painter.setPen(palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text))
        painter.drawText(text_rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         option.fontMetrics.elidedText(name, Qt.TextElideMode.ElideRight, text_rect.width()))
        if count_text:
            painter.setPen(palette.color(QPalette.ColorRole.HighlightedText if selected
                                         else QPalette.ColorRole.PlaceholderText))
            count_rect = option.rect.adjusted(option.rect.width() - room, 0, -6, 0)
            painter.drawText(count_rect, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), count_text)
        painter.restore()


class NavigationList(QListWidget):
    screenChosen = Signal(str)  # the screen's key
    segmentChosen = Signal(str)  # the segment's name (after screenChosen of its screen)
    renameSegmentRequested = Signal(str)
    deleteSegmentRequested = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setItemDelegate(_SegmentDelegate(self))
        self.setAccessibleName("Screens")
        self.currentRowChanged.connect(self._current_changed)
        self.itemClicked.connect(self._clicked)
        self._changed_by_press = False
        self._quiet = False
        # True while a key press moves the current row: the screen chosen leaves the keys here.
        self.walking_by_keys = False
        self._follow_app_font()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.ApplicationFontChange:
            self._follow_app_font()

    def _follow_app_font(self) -> None:
        font = QFont(QApplication.font())
        if font.pointSizeF() > 0:
            font.setPointSizeF(font.pointSizeF() * FONT_SCALE)
        else:
            font.setPixelSize(round(font.pixelSize() * FONT_SCALE))
        self.setFont(font)
        for row in range(self.count()):
            item = self.item(row)
            item.setSizeHint(self._row_size(bool(item.data(SEGMENT_ROLE))))

    def _row_size(self, segment: bool) -> QSize:
        """A row's size: as before at the usual font, taller when the text is."""
        line = self.fontMetrics().lineSpacing()
        return QSize(160, max(28, line + 8) if segment else max(36, line + 14))

    def add_screen(self, key: str, label: str) -> QListWidgetItem:
        item = QListWidgetItem(label)
        item.setData(KEY_ROLE, key)
        item.setSizeHint(self._row_size(False))
        self.addItem(item)
        return item

    def row_of(self, key: str) -> int:
        """The row of the screen ``key`` (not of its segments); -1 when there is none."""
        for row in range(self.count()):
            item = self.item(row)
            if item.data(KEY_ROLE) == key and not item.data(SEGMENT_ROLE):
                return row
        return -1

    def key_at(self, row: int) -> str | None:
        item = self.item(row)
        return item.data(KEY_ROLE) if item is not None else None

    def segment_at(self, row: int) -> str | None:
        item = self.item(row)
        return (item.data(SEGMENT_ROLE) or None) if item is not None else None

    def current_key(self) -> str | None:
        return self.key_at(self.currentRow())

    def current_segment(self) -> str | None:
        return self.segment_at(self.currentRow())

    def segment_names(self) -> list[str]:
        return [name for row in range(self.count()) if (name := self.segment_at(row))]

    def row_of_segment(self, name: str) -> int:
        folded = name.casefold()
        return next((row for row in range(self.count())
                     if (self.segment_at(row) or "").casefold() == folded), -1)

    def set_segments(self, names: Sequence[str], under: str = "customers") -> None:
        """Show ``names`` as sub-items of the screen ``under``, keeping the selection where it can.

        A selected segment that is gone leaves its screen selected; nothing is
        emitted either way (the screen shown does not change).
        """
        current_key, current_segment = self.current_key(), self.current_segment()
        self._quiet = True
        try:
            for row in reversed(range(self.count())):
                if self.segment_at(row):
                    self.takeItem(row)
            at = self.row_of(under) + 1
            for offset, name in enumerate(names):
                item = QListWidgetItem(name)
                item.setData(KEY_ROLE, under)
                item.setData(SEGMENT_ROLE, name)
                item.setSizeHint(self._row_size(True))
                item.setToolTip(f"Customers in the segment “{name}” (right-click to rename or delete)")
                self.insertItem(at + offset, item)
            row = self.row_of_segment(current_segment) if current_segment else -1
            if row < 0 and current_key is not None:
                row = self.row_of(current_key)
            self.setCurrentRow(row)
        finally:
            self._quiet = False

    def set_segment_counts(self, counts: dict[str, int]) -> None:
        """Show how many customers each segment holds (names not given show none)."""
        for row in range(self.count()):
            name = self.segment_at(row)
            if name:
                item = self.item(row)
                n = counts.get(name)
                item.setData(COUNT_ROLE, n)
                item.setToolTip(f"{n:,} customer{'s' if n != 1 else ''} in the segment “{name}” "
                                "(right-click to rename or delete)" if n is not None else
                                f"Customers in the segment “{name}” (right-click to rename or delete)")

    def set_segment_counts_failed(self, error: str) -> None:
        """The segments could not be counted: each row says so where its count goes (a figure
        from before would pass for today's), its tooltip says why."""
        for row in range(self.count()):
            name = self.segment_at(row)
            if name:
                item = self.item(row)
                item.setData(COUNT_ROLE, NOT_COUNTED)
                item.setToolTip(f"{error} (right-click to rename or delete “{name}”)")

    def segment_count(self, name: str) -> int | None:
        row = self.row_of_segment(name)
        n = self.item(row).data(COUNT_ROLE) if row >= 0 else None
        return n if isinstance(n, int) else None

    def segment_count_text(self, name: str) -> str:
        """What the segment's row says at its right: its count, "not counted", or nothing."""
        row = self.row_of_segment(name)
        n = self.item(row).data(COUNT_ROLE) if row >= 0 else None
        return f"{n:,}" if isinstance(n, int) else n if isinstance(n, str) else ""

    def select_segment(self, name: str) -> None:
        """Mark the segment ``name`` current without opening it (it is already shown)."""
        self._select_quietly(self.row_of_segment(name))

    def select_screen(self, key: str) -> None:
        """Mark the screen ``key`` current without opening it again (it is shown)."""
        self._select_quietly(self.row_of(key))

    def _select_quietly(self, row: int) -> None:
        if row >= 0:
            self._quiet = True
            try:
                self.setCurrentRow(row)
            finally:
                self._quiet = False

    def _current_changed(self, row: int) -> None:
        self._changed_by_press = True
        if self._quiet or row < 0:
            return
        self._choose(row)

    def keyPressEvent(self, event) -> None:
        self.walking_by_keys = True
        try:
            super().keyPressEvent(event)
        finally:
            self.walking_by_keys = False

    def mousePressEvent(self, event) -> None:
        self._changed_by_press = False
        super().mousePressEvent(event)

    def _clicked(self, item: QListWidgetItem) -> None:
        # Clicking the current row again ("Customers" while a customer is open) still switches.
        if not self._changed_by_press:
            self._choose(self.row(item))

    def _choose(self, row: int) -> None:
        key = self.key_at(row)
        if key is None:
            return
        self.screenChosen.emit(key)
        segment = self.segment_at(row)
        if segment:
            self.segmentChosen.emit(segment)

    def segment_menu(self, name: str) -> QMenu:
        """The right-click menu of the segment ``name``."""
        menu = QMenu(self)
        menu.addAction("Rename…", lambda: self.renameSegmentRequested.emit(name))
        menu.addAction("Delete", lambda: self.deleteSegmentRequested.emit(name))
        return menu

    def contextMenuEvent(self, event) -> None:
        """A right-click on a segment, or the menu key while one is selected: its menu."""
        if event.reason() == event.Reason.Keyboard:
            item = self.currentItem()  # the menu key: the selected row, the menu under it
            pos = self.visualItemRect(item).center() if item is not None else QPoint()
        else:
            pos = event.pos()
            item = self.itemAt(pos)
        name = item.data(SEGMENT_ROLE) if item is not None else None
        if name:
            self.segment_menu(name).exec(self.viewport().mapToGlobal(pos))
