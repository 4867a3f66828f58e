"""OverlapChart: the customers per exact combination of channels, as an UpSet chart drawn with QPainter.

One column per combination, the largest first: a bar of its customers above, and
below it a dot matrix with a row per channel (its label on its colour at the
left), the channels of the combination filled and joined.  Unlike a Venn
diagram it stays readable with six channels or more; combinations too many for
the width are summed in a line under the matrix.  Clicking a column (or a dot)
asks for the customers of that combination, clicking a channel's label for
everyone on that channel.  From the keyboard, the arrow keys walk the columns
and Enter (or Space) asks for the one reached.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from omnidesk.core.channels import channel, channel_name
from omnidesk.core.text import counted

MULTI = "#4A5568"  # bars of combinations of two channels or more: one quiet colour
MIN_COLUMN, MAX_COLUMN = 18.0, 40.0
LABEL_SHARE = 0.3  # of the chart's width, at most, for the channels' names


def combination_label(channels) -> str:
    return " + ".join(channel_name(c) for c in channels) if channels else "No channel"


class OverlapChart(QWidget):
    combinationClicked = Signal(list)  # the channels of the combination
    channelClicked = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setMinimumHeight(240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.combos: list[dict] = []
        self.channels: list[str] = []
        self.total = 0
        self._hover = -1
        self._focus = 0  # the column the keys reached
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Channel overlap")

    def set_data(self, combos: list[dict], channels: list[str]) -> None:
        """``combos`` as metrics.overlap gives them; ``channels`` in the order of the rows."""
        self.combos = list(combos)
        self.channels = list(channels)
        self.total = sum(c["customers"] for c in combos)
        self._hover = -1
        self._set_focus(0)

    def sizeHint(self) -> QSize:
        return QSize(560, 300)

    # -- geometry ------------------------------------------------------------------

    def _fonts(self) -> tuple[QFont, QFont]:
        label = QFont(self.font())
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, small.pointSizeF() * 0.85))
        return label, small

    def _layout(self) -> dict:
        label_font, small = self._fonts()
        fm = QFontMetricsF(label_font)
        # The names' column is as wide as the longest name, up to LABEL_SHARE of the chart: a longer name
        # is shortened with "…" (whole on hover) and leaves the columns their room.
        longest = max((fm.horizontalAdvance(channel_name(c)) for c in self.channels), default=40)
        label_w = min(longest, max(48.0, self.width() * LABEL_SHARE - 20)) + 20
        left = label_w + 12
        rows = max(1, len(self.channels))
        row_h = max(16.0, min(24.0, (self.height() * 0.5) / rows))
        room = max(1.0, self.width() - left - 8)
        shown = min(len(self.combos), max(1, int(room // MIN_COLUMN)))
        col_w = min(MAX_COLUMN, room / max(1, shown))
        more = len(self.combos) - shown
        footer, foot_rect = "", QRectF()
        if more > 0:  # the combinations left out, said whole: on a second line when one is not enough
            rest = sum(c["customers"] for c in self.combos[shown:])
            footer = (f"+ {counted(more, 'smaller combination')} · {counted(rest, 'customer')} "
                      "(all in Save › Export CSV…)")
            sfm = QFontMetricsF(small)
            x = left if sfm.horizontalAdvance(footer) <= self.width() - left - 8 else 4.0
            needed = sfm.boundingRect(QRectF(0, 0, self.width() - x - 8, 10_000),
                                      int(Qt.TextFlag.TextWordWrap), footer)
            foot = needed.height() + 6
            foot_rect = QRectF(x, self.height() - foot, self.width() - x - 8, foot)
        else:
            foot = 4
        matrix_h = rows * row_h
        bars_top = QFontMetricsF(small).height() + 4
        bars_bottom = self.height() - foot - matrix_h - 8
        return {"left": left, "label_w": label_w, "row_h": row_h, "col_w": col_w, "shown": shown,
                "more": more, "bars_top": bars_top, "bars_bottom": bars_bottom,
                "matrix_top": bars_bottom + 8, "foot": foot, "footer": footer, "foot_rect": foot_rect}

    def label_text(self, row: int) -> str:
        """Channel ``row``'s name as its chip shows it: shortened with "…" when longer than the column."""
        g = self._layout()
        fm = QFontMetricsF(self._fonts()[0])
        return fm.elidedText(channel_name(self.channels[row]), Qt.TextElideMode.ElideRight, g["label_w"] - 20)

    def footer(self) -> tuple[str, QRectF]:
        """The line under the matrix about the combinations left out, and where it is drawn ("" if none)."""
        g = self._layout()
        return g["footer"], g["foot_rect"]

    def column_rect(self, i: int) -> QRectF:
        """Where column ``i`` (bar and dots) is drawn."""
        g = self._layout()
        x = g["left"] + i * g["col_w"]
        return QRectF(x, g["bars_top"], g["col_w"], g["matrix_top"] + len(self.channels) * g["row_h"] - g["bars_top"])

    def label_rect(self, row: int) -> QRectF:
        g = self._layout()
        return QRectF(4, g["matrix_top"] + row * g["row_h"], g["label_w"], g["row_h"])

    def _column_at(self, pos: QPointF) -> int:
        g = self._layout()
        for i in range(g["shown"]):
            if self.column_rect(i).contains(pos):
                return i
        return -1

    def _row_at(self, pos: QPointF) -> int:
        for row in range(len(self.channels)):
            if self.label_rect(row).contains(pos):
                return row
        return -1

    # -- drawing -------------------------------------------------------------------

    def paintEvent(self, _event) -> None:
        if not self.combos:
            return
        g = self._layout()
        label_font, small = self._fonts()
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        text = pal.color(QPalette.ColorRole.WindowText)
        faint = pal.color(QPalette.ColorRole.PlaceholderText)
        stripe = QColor(pal.color(QPalette.ColorRole.AlternateBase))
        most = max(c["customers"] for c in self.combos[:g["shown"]]) or 1
        col_w, row_h = g["col_w"], g["row_h"]
        width = g["left"] + g["shown"] * col_w
        # Stripes under every other channel row, so a dot is easy to follow to its label.
        for row in range(len(self.channels)):
            if row % 2 == 0:
                p.fillRect(QRectF(4, g["matrix_top"] + row * row_h, width - 4, row_h), stripe)
        if 0 <= self._hover < g["shown"]:
            hover = QColor(pal.color(QPalette.ColorRole.Highlight))
            hover.setAlpha(40)
            p.fillRect(self.column_rect(self._hover), hover)
        if self.hasFocus() and 0 <= self._focus < g["shown"]:  # the column Enter opens, outlined
            p.setPen(QPen(pal.color(QPalette.ColorRole.Highlight), 2))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(self.column_rect(self._focus).adjusted(1, 1, -1, -1))
        # Channel labels: the label on its colour, as chips are everywhere else.
        p.setFont(label_font)
        fm = QFontMetricsF(label_font)
        for row, code in enumerate(self.channels):
            ch = channel(code)
            r = self.label_rect(row)
            name = fm.elidedText(ch.label, Qt.TextElideMode.ElideRight, g["label_w"] - 20)
            chip_w = fm.horizontalAdvance(name) + 14
            chip = QRectF(r.right() - chip_w, r.top() + 2, chip_w, r.height() - 4)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(ch.color))
            p.drawRoundedRect(chip, 4, 4)
            p.setPen(QColor(ch.ink))
            p.drawText(chip, Qt.AlignmentFlag.AlignCenter, name)
        # Bars with their counts.
        p.setFont(small)
        sfm = QFontMetricsF(small)
        span = g["bars_bottom"] - g["bars_top"] - sfm.height()
        base = QPen(faint)
        p.setPen(base)
        p.drawLine(QPointF(g["left"], g["bars_bottom"]), QPointF(width, g["bars_bottom"]))
        for i, combo in enumerate(self.combos[:g["shown"]]):
            x = g["left"] + i * col_w
            h = max(1.0, span * combo["customers"] / most)
            bar = QRectF(x + col_w * 0.18, g["bars_bottom"] - h, col_w * 0.64, h)
            colour = channel(combo["channels"][0]).color if len(combo["channels"]) == 1 else MULTI
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(colour))
            p.drawRect(bar)
            label = f"{combo['customers']:,}"
            p.setPen(text)
            if sfm.horizontalAdvance(label) <= col_w + 2:
                p.drawText(QRectF(x - 4, bar.top() - sfm.height() - 1, col_w + 8, sfm.height()),
                           Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom, label)
            else:  # narrow columns: the count reads upwards along the bar's top
                p.save()
                p.translate(x + col_w / 2 + sfm.ascent() / 2 - 1, bar.top() - 2)
                p.rotate(-90)
                p.drawText(QPointF(0, 0), label)
                p.restore()
            # The dot matrix: the combination's channels filled in their colour, joined by a line.
            radius = max(3.0, min(col_w, row_h) * 0.28)
            cx = x + col_w / 2
            rows = [r for r, code in enumerate(self.channels) if code in combo["channels"]]
            if len(rows) > 1:
                p.setPen(QPen(QColor(MULTI), 2))
                p.drawLine(QPointF(cx, g["matrix_top"] + (rows[0] + 0.5) * row_h),
                           QPointF(cx, g["matrix_top"] + (rows[-1] + 0.5) * row_h))
            for r, code in enumerate(self.channels):
                centre = QPointF(cx, g["matrix_top"] + (r + 0.5) * row_h)
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(QColor(channel(code).color) if r in rows else QColor("#D5D9DF"))
                p.drawEllipse(centre, radius, radius)
        if g["footer"]:
            p.setPen(faint)
            p.drawText(g["foot_rect"], int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
                                           | Qt.TextFlag.TextWordWrap), g["footer"])
        p.end()

    # -- keys ------------------------------------------------------------------------

    def _set_focus(self, column: int) -> None:
        shown = self._layout()["shown"] if self.combos else 0
        self._focus = min(max(column, 0), max(shown - 1, 0))
        combo = self.combos[self._focus] if self.combos else None
        largest = ", ".join(f"{combination_label(c['channels'])} only {c['customers']:,}" for c in self.combos[:3])
        self.setAccessibleDescription(f"{combination_label(combo['channels'])} only: "
                                      f"{counted(combo['customers'], 'customer')}; Enter to see them. "
                                      f"{counted(len(self.combos), 'combination')}, the largest {largest}"
                                      if combo else "No customers yet")
        self.update()

    def focusInEvent(self, event) -> None:
        self._set_focus(self._focus)
        super().focusInEvent(event)

    def focusOutEvent(self, event) -> None:
        self.update()
        super().focusOutEvent(event)

    def keyPressEvent(self, event) -> None:
        key = event.key()
        moves = {Qt.Key.Key_Right: 1, Qt.Key.Key_Down: 1, Qt.Key.Key_Left: -1, Qt.Key.Key_Up: -1}
        if self.combos and key in moves:
            self._set_focus(self._focus + moves[key])
            return
        if self.combos and key in (Qt.Key.Key_Home, Qt.Key.Key_End):
            self._set_focus(0 if key == Qt.Key.Key_Home else len(self.combos))
            return
        if self.combos and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.combinationClicked.emit(list(self.combos[self._focus]["channels"]))
            return
        super().keyPressEvent(event)

    # -- pointing ------------------------------------------------------------------

    def mouseMoveEvent(self, event) -> None:
        column = self._column_at(event.position())
        if column != self._hover:
            self._hover = column
            self.setCursor(Qt.CursorShape.PointingHandCursor if column >= 0 or self._row_at(event.position()) >= 0
                           else Qt.CursorShape.ArrowCursor)
            self.update()
        super().mouseMoveEvent(event)

    def leaveEvent(self, event) -> None:
        self._hover = -1
        self.update()
        super().leaveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            column = self._column_at(event.position())
            if column >= 0:
                self.combinationClicked.emit(list(self.combos[column]["channels"]))
                return
            row = self._row_at(event.position())
            if row >= 0:
                self.channelClicked.emit(self.channels[row])
                return
        super().mouseReleaseEvent(event)

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            pos = QPointF(event.pos())
            column = self._column_at(pos)
            if column >= 0:
                combo = self.combos[column]
                share = combo["customers"] / self.total if self.total else 0
                QToolTip.showText(event.globalPos(), f"{combination_label(combo['channels'])} only: "
                                  f"{counted(combo['customers'], 'customer')} ({share:.0%})\nClick to see them", self)
                return True
            row = self._row_at(pos)
            if row >= 0:
                QToolTip.showText(event.globalPos(), f"Everyone on {channel_name(self.channels[row])}: click to see them",
                                  self)
                return True
            QToolTip.hideText()
            event.ignore()
            return True
        return super().event(event)
