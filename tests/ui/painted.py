"""The words a view's delegate paints in one row: what the user reads there, cut to fit or whole."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QAbstractItemView, QStyleOptionViewItem


class _Recorder(QPainter):
    """A painter that keeps the words drawn with it."""

    def __init__(self, device) -> None:
        super().__init__(device)
        self.texts: list[str] = []

    def drawText(self, *args) -> None:
        self.texts.append(next(a for a in args if isinstance(a, str)))
        super().drawText(*args)


def painted_row(view: QAbstractItemView, row: int) -> list[str]:
    """The texts ``view``'s delegate draws for ``row``, at the view's width, in the order drawn."""
    index = view.model().index(row, 0)
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, view.viewport().width(), view.visualRect(index).height())
    option.font = view.font()
    option.fontMetrics = view.fontMetrics()
    option.palette = view.palette()
    image = QImage(option.rect.size(), QImage.Format.Format_ARGB32)
    painter = _Recorder(image)
    try:
        view.itemDelegate().paint(painter, option, index)
    finally:
        painter.end()
    return painter.texts
