"""ElidedLabel: one line of words that, short of room, is drawn cut with "…" rather than run
under its neighbours or clipped mid-letter; the whole words stay its text, tooltip and accessible name."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QFrame, QLabel


class ElidedLabel(QLabel):
    def __init__(self, mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight, *, least_chars: int = 16,
                 parent=None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self._mode = mode
        self._least_chars = least_chars  # the narrowest it gives way to, when its words are longer

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setToolTip(text)
        self.setAccessibleName(text)

    def shown_text(self) -> str:
        """The words as drawn at the label's width: whole, or cut with "…"."""
        return self.fontMetrics().elidedText(self.text(), self._mode, max(self.contentsRect().width(), 0))

    def minimumSizeHint(self) -> QSize:
        whole = super().minimumSizeHint()
        least = self.fontMetrics().averageCharWidth() * self._least_chars
        return QSize(min(whole.width(), least), whole.height())

    def paintEvent(self, event) -> None:
        QFrame.paintEvent(self, event)
        painter = QPainter(self)
        self.style().drawItemText(painter, self.contentsRect(), int(self.alignment()), self.palette(),
                                  self.isEnabled(), self.shown_text(), self.foregroundRole())
