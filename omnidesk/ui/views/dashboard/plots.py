"""The Dashboard's bars and lines, drawn with pyqtgraph: reach per channel, and weekly series.

pyqtgraph is set up here once, for these charts only: white background,
antialiased lines, no mouse zoom or pan (a dashboard is read, not explored),
no context menu of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from math import ceil

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetricsF, QPalette
from PySide6.QtWidgets import QApplication, QSizePolicy, QToolTip

from omnidesk.core.channels import channel
from omnidesk.core.text import counted

pg.setConfigOptions(antialias=True)
TOLD = 3  # the largest figures a chart's description reads out after the one the keys reached


def _adopt_strays(widget: pg.PlotWidget, before: list) -> None:
    """Give the plot's menus and option panel, which pyqtgraph makes without a parent, to ``widget``.

    Left without one they outlive the chart as top-level windows, one set per chart drawn.
    """
    known = {id(w) for w in before}
    for stray in QApplication.topLevelWidgets():
        if id(stray) not in known and stray is not widget and stray.parent() is None:
            stray.setParent(widget, stray.windowFlags())
            stray.hide()


class CountAxis(pg.AxisItem):
    """An axis of whole things (customers, events): its ticks and grid lines fall on whole numbers only.

    pyqtgraph steps by 0.5, 0.2 or less when the figures are small ("0.4 customers" for a shop of two):
    here such steps are left out, and where no step of its own is whole the axis steps by 1.
    """

    def tickSpacing(self, minVal: float, maxVal: float, size: float):
        levels = super().tickSpacing(minVal, maxVal, size)
        whole = [(spacing, offset) for spacing, offset in levels
                 if spacing >= 1 and abs(spacing - round(spacing)) < 1e-9 and abs(offset - round(offset)) < 1e-9]
        if whole or not levels:
            return whole
        return [(float(max(1, ceil(levels[0][0]))), 0.0)]


class NameAxis(pg.AxisItem):
    """An axis of names (the reach chart's channels), drawn straight onto the screen, image or SVG.

    pyqtgraph keeps an axis as a recorded picture and plays it back, and played back a name in Hebrew
    or Arabic holding a number loses its spaces ("שוק 2024 מרכז" read "שוק2024מרכז"): here the
    names are laid out anew on each paint, as every other name in the window is.
    """

    def paint(self, p, opt, widget) -> None:
        p.save()
        try:
            if self.style["tickFont"]:
                p.setFont(self.style["tickFont"])
            specs = self.generateDrawSpecs(p)
            if specs is not None:
                self.drawPicture(p, *specs)
        finally:
            p.restore()


def _plot(widget: pg.PlotWidget) -> pg.PlotItem:
    pal = widget.palette()
    widget.setBackground(pal.color(QPalette.ColorRole.Base))
    item = widget.getPlotItem()
    item.setMouseEnabled(False, False)
    item.setMenuEnabled(False)
    item.hideButtons()
    ink = pal.color(QPalette.ColorRole.WindowText)
    for name in ("left", "bottom"):
        axis = item.getAxis(name)
        axis.setPen(pg.mkPen(pal.color(QPalette.ColorRole.Mid)))
        axis.setTextPen(pg.mkPen(ink))
    item.showGrid(x=False, y=True, alpha=0.15)
    widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
    return item


class ReachChart(pg.PlotWidget):
    """One horizontal bar per channel, the largest on top, in the channel's colour; a click asks for its customers,
    and so does Enter (or Space) on the bar the arrow keys reached.

    A long channel name is shortened with "…" on the left (its whole name on hover over its row), so the
    names never take more than ``LABEL_SHARE`` of the chart and the bars and their counts keep their room.
    """

    channelClicked = Signal(str)
    LABEL_SHARE = 0.4

    def __init__(self, parent=None) -> None:
        before = QApplication.topLevelWidgets()
        super().__init__(parent, axisItems={"bottom": CountAxis("bottom"),  # customers: whole numbers
                                                 "left": NameAxis("left")})
        _adopt_strays(self, before)
        self.setMinimumHeight(200)
        self.item = _plot(self)
        self.item.showGrid(x=True, y=False, alpha=0.15)
        self.reach: dict[str, int] = {}
        self.order: list[str] = []
        self.focused = 0  # the bar the keys reached
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Reach per channel")
        self.scene().sigMouseClicked.connect(self._clicked)

    def sizeHint(self) -> QSize:
        return QSize(360, 260)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if getattr(self, "reach", None):  # the room for the figures depends on the width
            self.set_data(self.reach)

    def set_data(self, reach: dict[str, int]) -> None:
        self.item.clear()
        if list(reach) != self.order:
            self.focused = 0
        self.reach = dict(reach)
        self.order = list(reach)  # largest first, as metrics.reach gives them
        n = len(self.order)
        self._describe()
        if not n:
            return
        ys = [n - 1 - i for i in range(n)]
        values = [self.reach[c] for c in self.order]
        # The bar Enter opens is outlined while the chart has the keys.
        outline = pg.mkPen(self.palette().color(QPalette.ColorRole.WindowText), width=2)
        bars = pg.BarGraphItem(x0=[0] * n, y=ys, height=0.66, width=values,
                               brushes=[pg.mkBrush(channel(c).color) for c in self.order],
                               pens=[outline if i == self.focused and self.hasFocus() else pg.mkPen(None)
                                     for i in range(n)])
        self.item.addItem(bars)
        most = max(values) or 1
        ink = self.palette().color(QPalette.ColorRole.WindowText)
        font = QFont(self.font())
        for y, value in zip(ys, values):
            label = pg.TextItem(f"{value:,}", color=ink, anchor=(0, 0.5))
            label.setFont(font)
            label.setPos(value + most * 0.01, y)
            self.item.addItem(label)
        plot_width = self._label_axis(ys, font)
        self.item.setYRange(-0.6, n - 0.4, padding=0)
        # Room right of the longest bar for its figure, however narrow the chart.
        room = QFontMetricsF(font).horizontalAdvance(f"{most:,}") + 12
        share = min(0.5, room / max(1.0, plot_width))
        self.item.setXRange(0, most / (1 - share), padding=0)

    def _label_axis(self, ys: list[int], font: QFont) -> float:
        """Name the bars on the left axis, each name cut to its share of the width; the bars' width in pixels."""
        axis = self.item.getAxis("left")
        axis.setTickFont(font)
        metrics = QFontMetricsF(font)
        most = max(60.0, self.width() * self.LABEL_SHARE)
        labels = [metrics.elidedText(channel(c).label, Qt.TextElideMode.ElideRight, most) for c in self.order]
        axis.setTicks([list(zip(ys, labels))])
        text = max(metrics.horizontalAdvance(label) for label in labels)
        width = int(text) + 4 + axis.style["tickTextOffset"][0] + max(0, axis.style["tickLength"])
        axis.setWidth(width)
        # Everything else across: the plot's own margins and the bottom axis's last figure hanging over.
        return max(1.0, self.width() - width - 16)

    def channel_in_row(self, scene_pos) -> str | None:
        """The channel whose row (bar or name) is at ``scene_pos``."""
        point = self.item.vb.mapSceneToView(scene_pos)
        i = len(self.order) - 1 - round(point.y())
        if 0 <= i < len(self.order) and abs(point.y() - round(point.y())) <= 0.5:
            return self.order[i]
        return None

    def tip_at(self, pos) -> str:
        """What hovering at ``pos`` (in the chart) tells: the channel's whole name and its count."""
        code = self.channel_in_row(self.mapToScene(pos))
        return f"{channel(code).label}: {counted(self.reach[code], 'customer')}" if code else ""

    def viewportEvent(self, event) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            tip = self.tip_at(event.pos())
            if tip:
                QToolTip.showText(event.globalPos(), tip, self.viewport())
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)

    def _describe(self) -> None:
        code = self.order[self.focused] if self.order else None
        if code is None:
            self.setAccessibleDescription("No customers yet")
            return
        largest = ", ".join(f"{channel(c).label} {self.reach[c]:,}" for c in self.order[:TOLD])
        self.setAccessibleDescription(f"{channel(code).label}: {counted(self.reach[code], 'customer')}; Enter to see "
                                      f"them. {counted(len(self.order), 'channel')}, the most customers on {largest}")

    def focusInEvent(self, event) -> None:
        super().focusInEvent(event)
        self.set_data(self.reach)

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        self.set_data(self.reach)

    def keyPressEvent(self, event) -> None:
        key = event.key()
        moves = {Qt.Key.Key_Down: 1, Qt.Key.Key_Right: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_Left: -1}
        if self.order and key in moves:
            self.focused = min(max(self.focused + moves[key], 0), len(self.order) - 1)
            self.set_data(self.reach)
            return
        if self.order and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.channelClicked.emit(self.order[self.focused])
            return
        super().keyPressEvent(event)

    def bar_point(self, code: str) -> QPointF:
        """The middle of ``code``'s bar, in this widget's coordinates (where a click lands on it)."""
        i = self.order.index(code)
        scene = self.item.vb.mapViewToScene(QPointF(self.reach[code] / 2, len(self.order) - 1 - i))
        return QPointF(self.mapFromScene(scene))

    def channel_at(self, scene_pos) -> str | None:
        point = self.item.vb.mapSceneToView(scene_pos)
        i = len(self.order) - 1 - round(point.y())
        if 0 <= i < len(self.order) and abs(point.y() - round(point.y())) <= 0.33:
            code = self.order[i]
            if 0 <= point.x() <= self.reach[code]:
                return code
        return None

    def _clicked(self, event) -> None:
        code = self.channel_at(event.scenePos())
        if code is not None:
            self.channelClicked.emit(code)


def week_monday(week: str) -> date:
    year, number = week.split("-W")
    return date.fromisocalendar(int(year), int(number), 1)


def week_range(weeks: list[str]) -> list[str]:
    """Every ISO week from the first to the last of ``weeks``, none missing (a quiet week is a 0)."""
    if not weeks:
        return []
    first, last = week_monday(min(weeks)), week_monday(max(weeks))
    out = []
    day = first
    while day <= last:
        year, number, _ = day.isocalendar()
        out.append(f"{year}-W{number:02d}")
        day += timedelta(days=7)
    return out


class WeeklyChart(pg.PlotWidget):
    """Weekly series on one axis: lines (one per channel, with a legend) or bars (a total).

    ``counts``: the values are whole things (events, customers), so the axis never steps by a half.
    ``name``: what a screen reader calls the chart; its description says the figures drawn (each
    series' total over the weeks and its busiest week, the largest :data:`TOLD` first), amounts
    written by ``figure`` (the view gives revenue its currency).
    """

    def __init__(self, parent=None, *, bars: bool = False, counts: bool = False, name: str = "") -> None:
        before = QApplication.topLevelWidgets()
        super().__init__(parent, axisItems={"left": CountAxis("left")} if counts else None)
        _adopt_strays(self, before)
        self.setMinimumHeight(170)
        self.item = _plot(self)
        self.bars = bars
        self.counts = counts
        self.weeks: list[str] = []
        self.series: dict[str, list[float]] = {}
        self.legend = None
        self.figure: Callable[[float], str] = (lambda v: f"{v:,.0f}") if counts else (lambda v: f"{v:,.2f}")
        self.setAccessibleName(name)
        self._describe({})
        self.item.getAxis("left").setWidth(44)  # room for "2,000": the axis does not widen as it redraws
        self.item.vb.sigResized.connect(self._retick)  # the month labels fit the plot's own width
        # Nothing to do with the keys here (its numbers are the card's Save… CSV): no Tab stop.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def sizeHint(self) -> QSize:
        return QSize(360, 220)

    def set_series(self, weeks: list[str], series: dict[str, list[float]], colors: dict[str, str],
                   labels: dict[str, str]) -> None:
        """``series`` maps a key to one value per week of ``weeks``."""
        self.item.clear()
        if self.legend is not None:
            self.legend.clear()
            self.legend.setVisible(False)
        self.weeks, self.series = list(weeks), dict(series)
        self._describe(labels)
        if not weeks:
            return
        xs = list(range(len(weeks)))
        if self.bars:
            for key, values in series.items():
                self.item.addItem(pg.BarGraphItem(x=xs, height=values, width=0.72, brush=pg.mkBrush(colors[key]),
                                                  pen=pg.mkPen(None)))
        else:
            if len(series) > 1:
                if self.legend is None:  # made once: plot() adds each named line to it
                    self.legend = self.item.addLegend(offset=(8, 4), labelTextColor=self.palette().color(
                        QPalette.ColorRole.WindowText))
                self.legend.setColumnCount(min(4, len(series)))
                self.legend.setVisible(True)
            for key, values in series.items():
                self.item.plot(xs, values, pen=pg.mkPen(colors[key], width=2), name=labels[key],
                               symbol="o" if len(xs) < 3 else None, symbolSize=6,
                               symbolBrush=pg.mkBrush(colors[key]), symbolPen=pg.mkPen(None))
        self.item.getAxis("bottom").setTicks([self._ticks()])
        self.item.setXRange(-0.6, len(weeks) - 0.4, padding=0)
        top = max((max(v) for v in series.values() if v), default=0) or 1
        legend = self.legend is not None and self.legend.isVisible()
        self.item.setYRange(0, top * (1.28 if legend else 1.08), padding=0)

    def _describe(self, labels: dict[str, str]) -> None:
        """The figures drawn, in words: "12 weeks from 6 Jan 2026 to 23 Mar 2026. New customers: 57 in
        all, the most 9 in the week of 3 Feb 2026"; a chart of several series names the largest first."""
        if not self.weeks:
            self.setAccessibleDescription("Nothing in the period yet")
            return

        def day(week: str) -> str:
            monday = week_monday(week)
            return f"{monday.day} {monday:%b %Y}"

        span = (f"{counted(len(self.weeks), 'week')} from {day(self.weeks[0])} to {day(self.weeks[-1])}"
                if len(self.weeks) > 1 else f"the week of {day(self.weeks[0])}")
        told = sorted(self.series, key=lambda k: (-sum(self.series[k]), labels.get(k, k)))
        parts = []
        for key in told[:TOLD]:
            values = self.series[key]
            total = sum(values)
            words = f"{labels.get(key, key)}: {self.figure(total)} in all"
            if total and len(values) > 1:
                peak = max(range(len(values)), key=lambda i: values[i])
                words += f", the most {self.figure(values[peak])} in the week of {day(self.weeks[peak])}"
            parts.append(words)
        more = f"; and {len(told) - TOLD} more" if len(told) > TOLD else ""
        self.setAccessibleDescription(f"{span}. {'; '.join(parts)}{more}")

    LABEL_GAP = 12  # pixels at least between two month labels

    def _ticks(self) -> list[tuple[int, str]]:
        """Labels on the first week of months, every so many months (1, 2, 3, 4, 6, 12, 24…), the fewest
        months apart that keep each label ``LABEL_GAP`` pixels clear of the next at the plot's width; over a
        few weeks, on the weeks' Mondays ("4 May"), every so many weeks by the same measure."""
        n = len(self.weeks)
        axis = self.item.getAxis("bottom")
        metrics = QFontMetricsF(axis.style.get("tickFont") or self.font())
        plot = self._plot_width()
        per_week = plot / n  # the x range runs from -0.6 to n - 0.4

        def inside(i: int, label: str) -> bool:
            """Whether the label stays within the axis's ends: pyqtgraph hides one that would not."""
            half = metrics.horizontalAdvance(label) / 2
            return half <= (i + 0.6) * per_week <= plot - half

        def apart(ticks: list[tuple[int, str]]) -> bool:
            """Whether each label, at its drawn width, stands ``LABEL_GAP`` pixels clear of the next."""
            widths = [metrics.horizontalAdvance(label) for _, label in ticks]
            return all((b - a) * per_week >= (wa + wb) / 2 + self.LABEL_GAP
                       for (a, _), (b, _), wa, wb in zip(ticks, ticks[1:], widths, widths[1:]))

        if n <= 8:
            days = [(i, f"{week_monday(w).day} {week_monday(w):%b}") for i, w in enumerate(self.weeks)]
            for every in range(1, n + 1):
                ticks = [(i, label) for i, label in days[::every] if inside(i, label)]
                if len(ticks) <= 1 or apart(ticks):
                    return ticks or days[:1]
        starts, last = [], None
        for i, week in enumerate(self.weeks):
            monday = week_monday(week)
            if (monday.year, monday.month) != last:
                last = (monday.year, monday.month)
                starts.append((i, monday))

        every = 1
        while True:
            ticks, year = [], None
            # On months the calendar steps by (every 3: Jan, Apr, Jul, Oct), else on the first.
            chosen = [(i, m) for i, m in starts if (m.year * 12 + m.month - 1) % every == 0] or starts[:1]
            for i, monday in chosen:
                label = f"{monday:%b %Y}" if monday.year != year else f"{monday:%b}"
                if inside(i, label):  # the year on the first label drawn
                    ticks.append((i, label))
                    year = monday.year
            if len(ticks) <= 1 or apart(ticks):
                return ticks
            every = next((m for m in (2, 3, 4, 6, 12) if m > every), every + 12)

    def _plot_width(self) -> float:
        """The plot area's width in pixels: the view box's once laid out, else the widget's less the left axis."""
        width = self.item.vb.width()
        if width > 1:
            return width
        return max(1.0, self.width() - self.item.getAxis("left").width() - 16)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._retick()

    def _retick(self, *_) -> None:
        if getattr(self, "weeks", None):  # pyqtgraph resizes once before __init__ is through
            self.item.getAxis("bottom").setTicks([self._ticks()])

