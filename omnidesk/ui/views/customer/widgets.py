"""Small widgets of the Customer screen: a label that elides, a name heading that takes a second
line before it elides, a value with its pin controls, a chip, and a scroll area as tall as its
wrapped text, up to a limit."""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import QFrame, QLabel, QLayout, QScrollArea, QSizePolicy, QToolTip, QWidget

from omnidesk.core.channels import ink


def muted_color(palette: QPalette) -> QColor:
    """The palette's colour for secondary text (titles, row numbers)."""
    return palette.color(QPalette.ColorRole.PlaceholderText)


def clear_layout(layout, keep: int = 0) -> None:
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

    ``text()`` stays the full text; the tooltip shows it too whenever it is cut short (first,
    before what the tooltip says of where it came from), since the text cannot be selected.
    """

    def __init__(self, text: str = "", parent=None) -> None:
        super().__init__(text, parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        # A start of the text that is cut last: what follows it goes first, whole words of it
        # never halved ("as of 5 Dec 2026 · customers…", then "as of 5 Dec 2026").
        self.keep = ""

    # Characters of what follows ``keep`` worth showing before a "…", cut after a word of it or
    # in the middle of one: fewer are dropped.
    LEAST_WORD, LEAST_TAIL = 6, 12

    def minimumSizeHint(self) -> QSize:
        return QSize(16, super().minimumSizeHint().height())

    def is_elided(self) -> bool:
        return self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()

    def tooltip_text(self) -> str:
        """What hovering shows: the tooltip set, after the whole text when "…" cut it short."""
        tip = self.toolTip()
        if not self.is_elided() or not self.text() or tip.startswith(self.text()):
            return tip
        return f"{self.text()}\n{tip}" if tip else self.text()

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            text = self.tooltip_text()
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def shown_text(self) -> str:
        """The text as painted at the label's width."""
        metrics, text, width = self.fontMetrics(), self.text(), self.contentsRect().width()
        keep = self.keep
        if not keep or not text.startswith(keep) or metrics.horizontalAdvance(text) <= width:
            return metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
        room = width - metrics.horizontalAdvance(keep)
        tail = metrics.elidedText(text[len(keep):], Qt.TextElideMode.ElideRight, room) if room > 0 else ""
        if tail and not tail.endswith("…"):
            return keep + tail
        shown = tail.rstrip("…")
        rest = shown.lstrip(" ·")
        # Cut after a whole word of the rest ("subscribed_members…", not "subscribed_memb…"),
        # and only when enough of it is left to read: "6 Nov 2024 · su…" says nothing more.
        cut = max(rest.rfind(mark) for mark in " _-.")
        if cut >= self.LEAST_WORD:
            rest = rest[:cut]
        if cut >= self.LEAST_WORD or len(rest) >= self.LEAST_TAIL:
            return keep + shown[:len(shown) - len(shown.lstrip(" ·"))] + rest + "…"
        return metrics.elidedText(keep, Qt.TextElideMode.ElideRight, width)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        rect = self.contentsRect()
        shown = self.shown_text()
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), shown)


class HeadingLabel(ElidedLabel):
    """A name as a heading: on one line when it fits, else on two, broken after a space or a hyphen
    (never inside a word); only what does not fit on two lines ends in "…".

    Its height follows its width, so the row it is in (with the name's pin controls after it)
    grows a line rather than cutting the name.
    """

    LINES = 2
    BREAKS = " -\u2010\u2011\u2013/"

    def __init__(self, text: str = "", parent=None) -> None:
        super().__init__(text, parent)
        policy = self.sizePolicy()
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def lines(self, width: int | None = None) -> list[str]:
        """The text as it is set at ``width`` (the label's own by default), one string a line, none cut."""
        metrics, text = self.fontMetrics(), self.text()
        width = self.contentsRect().width() if width is None else width
        if metrics.horizontalAdvance(text) <= width:
            return [text]
        lines: list[str] = []
        rest = text
        while rest and len(lines) < self.LINES - 1 and metrics.horizontalAdvance(rest) > width:
            cut = 0
            for at, char in enumerate(rest):
                if char in self.BREAKS and at > 0:
                    head = rest[:at + 1].rstrip(" ")
                    if metrics.horizontalAdvance(head) > width:
                        break
                    cut = at + 1
            if not cut:  # a first word wider than the line: cut on that line, as one line would be
                break
            lines.append(rest[:cut].rstrip(" "))
            rest = rest[cut:].lstrip(" ")
        return [*lines, rest] if rest else lines

    def is_elided(self) -> bool:
        metrics, width = self.fontMetrics(), self.contentsRect().width()
        return any(metrics.horizontalAdvance(line) > width for line in self.lines(width))

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        margins = self.contentsMargins()
        count = len(self.lines(width - margins.left() - margins.right())) or 1
        metrics = self.fontMetrics()
        height = metrics.height() + metrics.lineSpacing() * (count - 1) + 4 + margins.top() + margins.bottom()
        return max(height, self.minimumHeight())

    def setText(self, text: str) -> None:
        super().setText(text)
        self.updateGeometry()

    def shown_text(self) -> str:
        """The text as painted at the label's width, its lines apart by "\\n"."""
        lines = self.lines()
        if len(lines) <= 1:
            return super().shown_text()
        metrics, width = self.fontMetrics(), self.contentsRect().width()
        return "\n".join(metrics.elidedText(line, Qt.TextElideMode.ElideRight, width) for line in lines)

    def paintEvent(self, event) -> None:
        lines = self.lines()
        if len(lines) <= 1:
            super().paintEvent(event)
            return
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        rect, metrics = self.contentsRect(), self.fontMetrics()
        top = rect.top() + (rect.height() - metrics.height() - metrics.lineSpacing() * (len(lines) - 1)) // 2
        for i, line in enumerate(self.shown_text().split("\n")):
            band = QRect(rect.left(), top + i * metrics.lineSpacing(), rect.width(), metrics.height())
            painter.drawText(band, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), line)


class AmountLabel(ElidedLabel):
    """An amount, with those in other currencies after it: "184.49 USD (also 25.00 EUR)".

    The amount itself is never cut (the label is at least as wide as it); when the whole does not
    fit on one line, what is in other currencies goes on a second line rather than behind a "…".
    """

    APART = " (also "

    def _lines(self, width: int) -> list[str]:
        text = self.text()
        at = text.find(self.APART)
        if at < 0 or self.fontMetrics().horizontalAdvance(text) <= width:
            return [text]
        return [text[:at], text[at + 1:]]

    def setText(self, text: str) -> None:
        super().setText(text)
        at = text.find(self.APART)
        metrics = self.fontMetrics()
        # Room for the amount, and for the line below it within reason (several currencies
        # there may still end in "…", whole in the tooltip).
        least = metrics.horizontalAdvance(text[:at] if at >= 0 else text)
        if at >= 0:
            least = max(least, min(metrics.horizontalAdvance(text[at + 1:]), metrics.averageCharWidth() * 24))
        self.setMinimumWidth(least + 2)
        policy = self.sizePolicy()
        policy.setHeightForWidth(at >= 0)
        self.setSizePolicy(policy)
        self.updateGeometry()

    def hasHeightForWidth(self) -> bool:
        return self.APART in self.text()

    def heightForWidth(self, width: int) -> int:
        margins = self.contentsMargins()
        lines = len(self._lines(width - margins.left() - margins.right()))
        return lines * self.fontMetrics().lineSpacing() + margins.top() + margins.bottom() + 2

    def is_elided(self) -> bool:
        metrics, width = self.fontMetrics(), self.contentsRect().width()
        return any(metrics.horizontalAdvance(line) > width for line in self._lines(width))

    def shown_text(self) -> str:
        metrics, width = self.fontMetrics(), self.contentsRect().width()
        return "\n".join(metrics.elidedText(line, Qt.TextElideMode.ElideRight, width)
                         for line in self._lines(width))

    def paintEvent(self, event) -> None:
        if len(self._lines(self.contentsRect().width())) == 1:
            super().paintEvent(event)
            return
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(self.contentsRect(), int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         self.shown_text())


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


def make_chip(text: str, color: QColor | str, parent=None, *, longest: int = 0) -> QLabel:
    """A label on its colour. With ``longest`` (pixels), a longer text is shortened with "…":
    the caller's tooltip says it whole."""
    chip = QLabel(text, parent)
    color = QColor(color)
    chip.setObjectName("chip")
    chip.setStyleSheet(
        f"QLabel#chip {{ background: {color.name()}; color: {ink(color.name())}; border-radius: 8px; "
        "padding: 1px 8px; font-weight: 600; }"
    )
    if longest:
        bold = QFont(chip.font())
        bold.setWeight(QFont.Weight.DemiBold)
        chip.setText(QFontMetrics(bold).elidedText(text, Qt.TextElideMode.ElideRight, longest))
    chip.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    return chip


class FlowLayout(QLayout):
    """Widgets side by side, left to right, going on to a new line when the width is used up."""

    def __init__(self, parent=None, spacing: int = 4, one_line_hint: bool = False) -> None:
        super().__init__(parent)
        self._items = []
        # Asks for the width of every widget on one line (its least stays the widest one's), so
        # that beside a stretch it takes one line where there is room for it.
        self._one_line_hint = one_line_hint
        self.setSpacing(spacing)
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int):
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int):
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        if not self._one_line_hint:
            return self.minimumSize()
        shown = [item.sizeHint() for item in self._items if not item.isEmpty()]
        margins = self.contentsMargins()
        width = sum(hint.width() for hint in shown) + self.spacing() * max(len(shown) - 1, 0)
        height = max((hint.height() for hint in shown), default=0)
        return QSize(width + margins.left() + margins.right(), height + margins.top() + margins.bottom())

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, line = area.x(), area.y(), 0
        gap = self.spacing()
        for item in self._items:
            if item.isEmpty():
                continue
            hint = item.sizeHint()
            if x > area.x() and x + hint.width() > area.right() + 1:
                x, y, line = area.x(), y + line + gap, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + gap
            line = max(line, hint.height())
        return y + line - rect.y() + margins.bottom()




class FittedText(QScrollArea):
    """A word-wrapped label as tall as its text at the width it has, scrolling past ``max_lines``
    (or past a fifth of a taller window)."""

    def __init__(self, label: QLabel, max_lines: int, parent=None) -> None:
        super().__init__(parent)
        self.label = label
        self.max_lines = max_lines
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setWidget(label)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # The tab's own background shows through: it reads as text, not as a box.
        self.viewport().setAutoFillBackground(False)
        label.setAutoFillBackground(False)
        self.fit()

    def fit(self) -> None:
        """Take the height the text needs at the current width (call after changing the text)."""
        width = max(self.viewport().width() - 2, 100)
        self.label.setMinimumHeight(0)  # measured afresh at this width
        needed = self.label.heightForWidth(width)
        if needed < 0:
            needed = self.label.sizeHint().height()
        if self.label.textFormat() == Qt.TextFormat.RichText or Qt.mightBeRichText(self.label.text()):
            # A label's height for rich text leaves out a list's margins: the last line was cut
            # off with no scroll bar to reach it. The document laid out at this width says it all.
            doc = QTextDocument()
            doc.setDefaultFont(self.label.font())
            doc.setHtml(self.label.text())
            doc.setTextWidth(width)
            needed = max(needed, math.ceil(doc.size().height()))
        self.label.setMinimumHeight(needed)  # taller than the area: it scrolls, not clips
        line = self.label.fontMetrics().lineSpacing()
        limit = max(line * self.max_lines, self.window().height() // 5)
        height = min(needed, limit) + 2
        # As tall as the text up to the limit, but a short window may take it down to two
        # lines, which then scroll: a fixed height overlapped what came below it.
        self._wanted = height
        self.setMinimumHeight(min(height, 2 * line + 2))
        self.setMaximumHeight(height)
        self.updateGeometry()

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), getattr(self, "_wanted", super().sizeHint().height()))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.fit()
