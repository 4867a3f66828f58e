"""Tiles of the Dashboard: a headline figure, and a data-health count that opens the list behind it."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QLabel, QPushButton, QSizePolicy, QVBoxLayout

from omnidesk.ui.widgets.buttons import enter_presses

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
        if clickable:
            enter_presses(self)
        # A row of tiles shares the width it is given (one stretch each), however long a caption is,
        # but no tile is narrower than its caption's longest word or its figure at the caption's
        # size; each is as tall as its caption wraps to, and a row takes its tallest tile's height.
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHorizontalStretch(1)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.value = QLabel("–")
        self.value.setObjectName("tileValue")
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 1.7)
        font.setBold(True)
        self.value.setFont(font)
        self._figure_font = QFont(font)
        # As tall as the figure at its full size, whatever size it is drawn at to fit across.
        self.value.setFixedHeight(self.value.sizeHint().height())
        self.value.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
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
        self._accent = "palette(midlight)"
        self._paint()

    def _across(self) -> int:
        margins = self.layout().contentsMargins()
        return margins.left() + margins.right()

    def minimumSizeHint(self) -> QSize:
        text = self.value.text()
        smallest = QFont(self._figure_font)
        smallest.setPointSizeF(self._least_points())
        words = self.caption.fontMetrics()
        widest = max([words.horizontalAdvance(word) for word in self.caption.text().split()]
                     + [QFontMetrics(smallest).horizontalAdvance(text) + 1])
        width = max(96, widest + self._across())
        # As tall as the caption is at the width the tile has (a row of tiles wraps at the widths
        # it gives them), or at its least before it has one.
        return QSize(width, self.heightForWidth(max(width, self.width()) if self.isVisible() else width))

    def sizeHint(self) -> QSize:
        return self.minimumSizeHint()

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        margins = self.layout().contentsMargins()
        return (margins.top() + margins.bottom() + self.value.height()
                + self.caption.heightForWidth(max(width - self._across(), 1)))

    def set_caption(self, text: str) -> None:
        self.caption.setText(text)
        figure = self.value.text()
        self.setAccessibleName(f"{text}: {figure}" if figure else text)
        self.updateGeometry()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_figure()
        if self.heightForWidth(event.size().width()) != self.heightForWidth(event.oldSize().width()):
            self.updateGeometry()  # the caption wraps to another number of lines

    def _least_points(self) -> float:
        return max(self.caption.font().pointSizeF(), 1.0)

    def _fit_figure(self) -> None:
        """The figure whole: at its full size where it fits across, smaller (down to the caption's
        size, which the tile is never narrower than) where it does not."""
        inner = max(self.width() - self._across(), 1)
        text = self.value.text()
        font = QFont(self._figure_font)
        least = self._least_points()
        size = font.pointSizeF()
        while size > least and QFontMetrics(font).horizontalAdvance(text) > inner:
            size = max(size - 0.5, least)
            font.setPointSizeF(size)
        if font != self.value.font():
            self.value.setFont(font)

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
        self._fit_figure()
        self.updateGeometry()
        self._accent = ("palette(midlight)" if attention is None else ATTENTION if attention else CALM)
        self._paint()

    def _paint(self) -> None:
        hover = "QPushButton#figureTile:hover { background: palette(alternate-base); }" if self.clickable else ""
        self.setStyleSheet(
            "QPushButton#figureTile { text-align: left; background: palette(base); border: 1px solid palette(midlight);"
            f" border-left: 4px solid {self._accent}; border-radius: 6px; }}"
            "QPushButton#figureTile:focus { border: 2px solid palette(highlight); }" + hover +
            "QLabel#tileCaption { color: palette(placeholder-text); }")
