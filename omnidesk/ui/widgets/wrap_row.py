"""WrapRow: a row of controls that goes on to a second line rather than cutting their words.

A row of buttons, boxes and a search field in a plain ``QHBoxLayout`` squeezes every one of
them once the window (or a large system font) leaves too little room: "lerge selecte",
"S…", "uplicate.". A WrapRow gives each control at least the width its text needs; what does
not fit on a line goes on to the next. On a line, the room left over goes to the controls
added with a stretch (a search field) or, where a line has none, to the place ``addStretch``
marks (buttons kept to the right).
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QSizePolicy, QSpacerItem, QWidget, QWidgetItem


class WrapRow(QLayout):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._stretch: dict[int, int] = {}  # id(item) -> stretch
        self.setContentsMargins(0, 0, 0, 0)

    # -- filling ------------------------------------------------------------------------------

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def addWidget(self, widget: QWidget, stretch: int = 0) -> None:  # noqa: N802 (Qt's name)
        self.addChildWidget(widget)
        item = QWidgetItem(widget)
        self._items.append(item)
        if stretch:
            self._stretch[id(item)] = stretch
        self.invalidate()

    def addStretch(self, stretch: int = 1) -> None:  # noqa: N802
        spacer = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        self._items.append(spacer)
        self._stretch[id(spacer)] = stretch
        self.invalidate()

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int):  # noqa: N802
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int):  # noqa: N802
        if not 0 <= index < len(self._items):
            return None
        item = self._items.pop(index)
        self._stretch.pop(id(item), None)
        return item

    # -- sizes --------------------------------------------------------------------------------

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802
        return Qt.Orientation.Horizontal

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802
        shown = self._shown()
        margins = self.contentsMargins()
        width = sum(self._hint(item).width() for item in shown) + self._gap() * max(len(shown) - 1, 0)
        height = max((self._hint(item).height() for item in shown), default=0)
        return QSize(width + margins.left() + margins.right(), height + margins.top() + margins.bottom())

    def minimumSize(self) -> QSize:  # noqa: N802
        margins = self.contentsMargins()
        shown = self._shown()
        width = max((self._least(item) for item in shown), default=0)
        # One line's height: the lines it takes at a given width are its height for that width.
        height = max((self._hint(item).height() for item in shown), default=0)
        return QSize(width + margins.left() + margins.right(), height + margins.top() + margins.bottom())

    # -- laying out ---------------------------------------------------------------------------

    def _gap(self) -> int:
        gap = self.spacing()
        if gap < 0:
            parent = self.parentWidget()
            style = parent.style() if parent is not None else None
            gap = style.layoutSpacing(QSizePolicy.ControlType.PushButton, QSizePolicy.ControlType.PushButton,
                                      Qt.Orientation.Horizontal) if style is not None else 6
        return max(gap, 0)

    def _shown(self) -> list[QLayoutItem]:
        return [item for item in self._items if item.spacerItem() is not None or not item.isEmpty()]

    @staticmethod
    def _hint(item: QLayoutItem) -> QSize:
        if item.spacerItem() is not None:
            return QSize(0, 0)
        return item.sizeHint().expandedTo(item.minimumSize())

    def _least(self, item: QLayoutItem) -> int:
        """The least width ``item`` is given: a stretching one its minimum, any other its whole hint."""
        if item.spacerItem() is not None:
            return 0
        if id(item) in self._stretch:
            widget = item.widget()
            least = widget.minimumSizeHint().expandedTo(widget.minimumSize()) if widget is not None \
                else item.minimumSize()
            return least.width()
        return self._hint(item).width()

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        gap = self._gap()
        lines: list[list[QLayoutItem]] = [[]]
        used = 0
        for item in self._shown():
            least = self._least(item)
            if lines[-1] and item.spacerItem() is None and used + gap + least > area.width():
                lines.append([])
                used = 0
            used += (gap if lines[-1] else 0) + least
            lines[-1].append(item)
        y = area.y()
        for number, line in enumerate(lines):
            line = [item for item in line if item.spacerItem() is None or item is not line[-1]]
            if not line:
                continue
            height = max(self._hint(item).height() for item in line)
            if move:
                self._place(line, QRect(area.x(), y, area.width(), height), gap)
            y += height + (gap if number < len(lines) - 1 else 0)
        return y - rect.y() + margins.bottom()

    def _place(self, line: list[QLayoutItem], rect: QRect, gap: int) -> None:
        widths = [self._least(item) for item in line]
        # Room left over: to a stretching control up to what it would like and beyond, else to the
        # spacer; any other control up to its hint.
        spare = rect.width() - sum(widths) - gap * (len(line) - 1)
        growing = [i for i, item in enumerate(line) if id(item) in self._stretch]
        if spare > 0 and growing:
            total = sum(self._stretch[id(line[i])] for i in growing)
            for i in growing:
                widths[i] += spare * self._stretch[id(line[i])] // total
        x = rect.x()
        for item, width in zip(line, widths, strict=True):
            if item.spacerItem() is None:
                hint = self._hint(item)
                height = hint.height() if not item.expandingDirections() & Qt.Orientation.Vertical else rect.height()
                top = rect.y() + (rect.height() - height) // 2
                item.setGeometry(QRect(QPoint(x, top), QSize(width, height)))
            x += width + gap
