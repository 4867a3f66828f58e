"""ElidedComboBox: a drop-down list whose width does not follow the words of its items.

A plain ``QComboBox`` that fits its items grows with the longest one (a customer's long name)
and squeezes what stands beside it on the row to nothing. This one is as wide as ``chars``
characters, down to ``least`` when the row is short of room; the chosen item, when longer,
shows shortened with "…", the whole of it in the box's tooltip and in each item's tooltip.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QComboBox, QStyle, QStyleOptionComboBox, QStylePainter, QWidget


class ElidedComboBox(QComboBox):
    def __init__(self, chars: int = 24, least: int = 12, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._chars, self._least = chars, least
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(chars)
        self.currentIndexChanged.connect(self._say_whole)
        self.model().rowsInserted.connect(self._tip_items)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        hint = super().minimumSizeHint()
        narrower = (self._chars - self._least) * self.fontMetrics().horizontalAdvance("X")
        return QSize(max(hint.width() - narrower, 0), hint.height())

    def shown_text(self) -> str:
        """The chosen item's words as the box shows them: shortened to its width when longer."""
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        return self._fitted(option)

    def _fitted(self, option: QStyleOptionComboBox) -> str:
        field = self.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                            QStyle.SubControl.SC_ComboBoxEditField, self)
        width = field.width() - 2  # the label is drawn a pixel in from each side of the field
        if not option.currentIcon.isNull():
            width -= option.iconSize.width() + 4
        return self.fontMetrics().elidedText(option.currentText, Qt.TextElideMode.ElideRight, max(width, 0))

    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt's name)
        # QComboBox's own painting, with the chosen item's words fitted to the box.
        painter = QStylePainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        if self.currentIndex() < 0 and self.placeholderText():
            option.currentText = self.placeholderText()
        option.currentText = self._fitted(option)
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)

    def _say_whole(self, _index: int = -1) -> None:
        self.setToolTip(self.currentText())

    def _tip_items(self, _parent, first: int, last: int) -> None:
        for row in range(first, last + 1):
            if self.itemData(row, Qt.ItemDataRole.ToolTipRole) is None:
                self.setItemData(row, self.itemText(row), Qt.ItemDataRole.ToolTipRole)
