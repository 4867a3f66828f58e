"""Tiles of the Dashboard: a headline figure, and a data-health count that opens the list behind it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QSizePolicy, QVBoxLayout

ATTENTION = "#B7791F"
CALM = "#2F855A"


class FigureTile(QPushButton):
    """A big number over a caption; flat unless it leads somewhere."""

    def __init__(self, caption: str, *, clickable: bool = False, parent=None) -> None:
        super().__init__(parent)
        self.clickable = clickable
        self.setObjectName("figureTile")
        self.setFlat(not clickable)
        self.setCursor(Qt.CursorShape.PointingHandCursor if clickable else Qt.CursorShape.ArrowCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus if clickable else Qt.FocusPolicy.NoFocus)
        # Ignored across: a row of tiles shares the width it is given, however long a caption is.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(96)
        self.value = QLabel("–")
        self.value.setObjectName("tileValue")
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 1.7)
        font.setBold(True)
        self.value.setFont(font)
        self.caption = QLabel(caption)
        self.setAccessibleName(caption)  # with its figure once it has one (set_value)
        self.caption.setObjectName("tileCaption")
        self.caption.setWordWrap(True)
        for label in (self.value, self.caption):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        box = QVBoxLayout(self)
        box.setContentsMargins(14, 8, 14, 10)
        box.setSpacing(0)
        box.addWidget(self.value)
        box.addWidget(self.caption)
        box.addStretch(1)
        # One height for every tile, room for a caption on two lines: a row of tiles stays level.
        self.setFixedHeight(self.value.sizeHint().height() + 2 * self.caption.fontMetrics().lineSpacing() + 22)
        self._accent = "palette(midlight)"
        self._paint()

    def keyPressEvent(self, event) -> None:
        # A push button outside a dialog takes only Space; the charts beside the tiles take Enter too.
        if self.clickable and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and event.modifiers() in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier):
            self.animateClick()
            return
        super().keyPressEvent(event)

    def set_value(self, text: str, *, attention: bool | None = None) -> None:
        self.value.setText(text)
        self.setAccessibleName(f"{self.caption.text()}: {text}")
        self._accent = ("palette(midlight)" if attention is None else ATTENTION if attention else CALM)
        self._paint()

    def _paint(self) -> None:
        hover = "QPushButton#figureTile:hover { background: palette(alternate-base); }" if self.clickable else ""
        self.setStyleSheet(
            "QPushButton#figureTile { text-align: left; background: palette(base); border: 1px solid palette(midlight);"
            f" border-left: 4px solid {self._accent}; border-radius: 6px; }}"
            "QPushButton#figureTile:focus { border: 2px solid palette(highlight); }" + hover +
            "QLabel#tileCaption { color: palette(placeholder-text); }")
