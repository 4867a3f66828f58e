"""CalendarCanvas: the painted part of the campaign calendar (campaign_calendar.py).

The month's day cells or the week's hour rows, the entries on them as chips,
the today line, and what the mouse and the keys do there.  It reads what to
show from its CampaignCalendar (range, zone, entries, selection) and asks it
to move or open an entry; it holds no state of its own but a drag in progress.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QKeyEvent, QMouseEvent, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import QApplication, QMenu, QSizePolicy, QToolTip, QWidget

from omnidesk.core.campaigns.calendar import Entry

MONTH, WEEK = "month", "week"
CONFLICT = QColor("#D00000")
EXPORTED_TIP = "Exported: its pack was written for this time, so the step stays where it is."
_SNAP = 15  # minutes a drag in the week view snaps to
# A chip has little room: the poster and the banner go by one word there (tooltips say it whole).
_SHORT = {"store": "Poster", "website": "Banner", "google": "Google"}


@dataclass
class _Chip:
    entry: Entry
    local: datetime  # naive, on the calendar's clock
    rect: QRectF


@dataclass
class _More:
    day: date
    hidden: list[Entry]
    rect: QRectF


def _lanes(group: list[tuple[Entry, datetime, float]],
           ch: float) -> tuple[list[tuple[Entry, datetime, float, int]], int]:
    """Each of ``group``'s chips (entry, local, top) in the first lane free at its top, taken in the
    order given; and how many lanes that takes."""
    lanes: list[float] = []  # where each lane's last chip ends
    placed = []
    for entry, local, y in group:
        lane = next((i for i, end in enumerate(lanes) if end <= y), None)
        if lane is None:
            lanes.append(0.0)
            lane = len(lanes) - 1
        lanes[lane] = y + ch
        placed.append((entry, local, y, lane))
    return placed, len(lanes)


class CalendarCanvas(QWidget):
    """The painted grid: the month's day cells or the week's hour rows, and the chips on them."""

    def __init__(self, calendar) -> None:
        super().__init__(calendar)
        self.calendar = calendar
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Campaign calendar")
        self.setMouseTracking(True)
        self.setMinimumSize(420, 300)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._press: tuple[_Chip, QPointF] | None = None  # the chip and where in it it was grabbed
        self._dragging = False
        self.drop: datetime | None = None  # where a drag would put the entry now
        self._more_menu: QMenu | None = None  # the list a week's "+N more" opens (open_more)

    # -- geometry ------------------------------------------------------------------

    def _line(self) -> int:
        return self.fontMetrics().height()

    def header_height(self) -> float:
        return self._line() + 10

    def gutter(self) -> float:
        return self.fontMetrics().horizontalAdvance("00:00") + 14 if self.calendar.view() == WEEK else 0

    def chip_height(self) -> float:
        return self._line() + 4

    def column_width(self) -> float:
        return (self.width() - self.gutter()) / 7

    def hour_height(self) -> float:
        return (self.height() - self.header_height()) / 24

    def day_rect(self, day: date) -> QRectF:
        """The cell of ``day`` (month view) or its column below the header (week view)."""
        first, _last = self.calendar.visible_range()
        n = (day - first).days
        w = self.column_width()
        top = self.header_height()
        if self.calendar.view() == WEEK:
            return QRectF(self.gutter() + n * w, top, w, self.height() - top)
        h = (self.height() - top) / 6
        return QRectF((n % 7) * w, top + (n // 7) * h, w, h)

    def time_y(self, moment: time) -> float:
        return self.header_height() + (moment.hour + moment.minute / 60) * self.hour_height()

    def point_for(self, local: datetime) -> QPoint:
        """Where on the canvas a drop puts an entry at ``local`` (week: the chip's top edge; month: the cell's middle)."""
        rect = self.day_rect(local.date())
        if self.calendar.view() == WEEK:
            return QPoint(int(rect.center().x()), round(self.time_y(local.time())) + 1)
        return rect.center().toPoint()

    def day_at(self, pos: QPointF) -> date | None:
        for day in self.calendar.days():
            if self.day_rect(day).contains(pos):
                return day
        return None

    def layout_chips(self) -> tuple[list[_Chip], list[_More]]:
        """Every chip on screen with its rectangle, and the "+N more" of what has no room: a month
        cell's steps past the ones it holds, a week's steps at the same time past the chips that fit
        side by side.  The selected step is always among the chips when there is room for one."""
        cal = self.calendar
        by_day: dict[date, list[tuple[Entry, datetime]]] = {}
        for entry in cal.shown_entries():
            local = cal.local(entry)
            by_day.setdefault(local.date(), []).append((entry, local))
        chips: list[_Chip] = []
        more: list[_More] = []
        ch = self.week_chip_height() if cal.view() == WEEK else self.chip_height()
        for day, items in by_day.items():
            cell = self.day_rect(day)
            if cal.view() == MONTH:
                top = cell.top() + self._line() + 6
                room = max(0, int((cell.bottom() - 2 - top) // (ch + 2)))
                shown = items if len(items) <= room else items[:max(0, room - 1)]
                chosen = next((item for item in items[len(shown):] if item[0].step_id == cal.selected), None)
                if shown and chosen is not None:  # reached by the keys: it takes the last place
                    shown = [*shown[:-1], chosen]
                for n, (entry, local) in enumerate(shown):
                    chips.append(_Chip(entry, local, QRectF(cell.left() + 3, top + n * (ch + 2), cell.width() - 6,
                                                            ch)))
                if len(shown) < len(items):
                    ids = {e.step_id for e, _ in shown}
                    more.append(_More(day, [e for e, _ in items if e.step_id not in ids],
                                      QRectF(cell.left() + 3, top + len(shown) * (ch + 2), cell.width() - 6, ch)))
                continue
            # Week: a chip starts at its time; chips that would overlap share the column side by side.
            groups: list[list[tuple[Entry, datetime, float]]] = []
            bottom = -1.0
            for entry, local in items:
                y = min(self.time_y(local.time()), cell.bottom() - ch)
                if groups and y < bottom:
                    groups[-1].append((entry, local, y))
                else:
                    groups.append([(entry, local, y)])
                bottom = max(bottom, y + ch)
            for group in groups:
                shown_chips, rest = self._share_column(day, group, cell, ch)
                chips += shown_chips
                if rest is not None:
                    more.append(rest)
        return chips, more

    def lane_width(self) -> float:
        """The narrowest a week chip gets beside others at its time: room for its mark and time
        (its colour says the channel)."""
        # Its words' margins (_paint_chip), and a pixel their width may lose to rounding down.
        return self.fontMetrics().horizontalAdvance("⚠ 00:00…") + 9

    def _share_column(self, day: date, group: list[tuple[Entry, datetime, float]], cell: QRectF,
                      ch: float) -> tuple[list[_Chip], _More | None]:
        """The chips of steps whose times overlap, side by side in lanes as wide as the column has
        room for; those past the lanes that fit go in a "+N more" chip at the right."""
        room = cell.width() - 6
        placed, lanes = _lanes(group, ch)
        least = self.lane_width()
        if room / lanes >= least:
            width = room / lanes
            return [_Chip(entry, local, QRectF(cell.left() + 3 + lane * width, y, width - 1, ch))
                    for entry, local, y, lane in placed], None
        # Too many to fit: as many chips as have room for their mark, time and channel beside the
        # "+N more" (at least one, with its mark and time alone, where the column is too narrow).
        metrics = self.fontMetrics()
        heads = max(metrics.horizontalAdvance(self.chip_head(e, local) + "…") for e, local, _y in group) + 9
        badges = [metrics.horizontalAdvance(f"+{len(group)}{words}") + 6 for words in (" more", "")]
        shown, badge = 0, room
        for want in (heads, least):
            fits = [max(0, int((room - b) // want)) for b in badges]
            if max(fits):
                shown = max(fits)
                badge = badges[fits.index(shown)]  # the longer words when they cost no chip
                badge = min(badge + 6, room - shown * want)  # and a wider margin round them
                break
        chosen = next((p for p in placed if p[0].step_id == self.calendar.selected and p[3] >= shown), None)
        if chosen is not None and shown:
            # The selected step (reached by the keys, or picked from the list) takes the first lane.
            placed, _ = _lanes([(e, loc, y) for e, loc, y in group if e.step_id == chosen[0].step_id]
                               + [(e, loc, y) for e, loc, y in group if e.step_id != chosen[0].step_id], ch)
        width = (room - badge) / shown if shown else 0.0
        chips = [_Chip(entry, local, QRectF(cell.left() + 3 + lane * width, y, width - 1, ch))
                 for entry, local, y, lane in placed if lane < shown]
        order = {entry.step_id: n for n, (entry, _local, _y) in enumerate(group)}
        hidden = sorted(((y, order[entry.step_id], entry) for entry, _local, y, lane in placed if lane >= shown),
                        key=lambda h: h[:2])
        if not hidden:
            return chips, None
        return chips, _More(day, [entry for _y, _n, entry in hidden],
                            QRectF(cell.left() + 3 + shown * width, hidden[0][0], badge - 1, ch))

    def more_text(self, more: _More) -> str:
        """What a "+N more" says: "+N" alone where its words have no room."""
        words = f"+{len(more.hidden)} more"
        if self.fontMetrics().horizontalAdvance(words) + 5 <= more.rect.width():
            return words
        return f"+{len(more.hidden)}"

    def chip_at(self, pos: QPointF) -> _Chip | None:
        chips, _more = self.layout_chips()
        return next((c for c in reversed(chips) if c.rect.contains(pos)), None)

    def chip_rect(self, step_id: int) -> QRectF | None:
        """Where the entry's chip is drawn (None: not on screen)."""
        return next((c.rect for c in self.layout_chips()[0] if c.entry.step_id == step_id), None)

    def more_at(self, pos: QPointF) -> _More | None:
        return next((m for m in self.layout_chips()[1] if m.rect.contains(pos)), None)

    def target(self, pos: QPointF) -> datetime | None:
        """Where the pressed chip would land if let go at ``pos``."""
        if self._press is None:
            return None
        chip, grab = self._press
        day = self.day_at(pos)
        if day is None:
            return None
        if self.calendar.view() == MONTH:
            return datetime.combine(day, chip.local.time())
        top = pos.y() - grab.y()
        minutes = (top - self.header_height()) / self.hour_height() * 60
        minutes = max(0, min(24 * 60 - _SNAP, round(minutes / _SNAP) * _SNAP))
        return datetime.combine(day, time(0)) + timedelta(minutes=minutes)

    # -- painting ---------------------------------------------------------------------

    def focusInEvent(self, event) -> None:
        super().focusInEvent(event)
        self.update()  # its focus frame (paintEvent)

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        self.update()

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        p.fillRect(self.rect(), pal.base())
        if self.calendar.view() == MONTH:
            self._paint_month(p)
        else:
            self._paint_week(p)
        chips, more = self.layout_chips()
        for chip in chips:
            self._paint_chip(p, chip.entry, chip.rect, selected=chip.entry.step_id == self.calendar.selected)
        for m in more:
            self._paint_more(p, m)
        if self.calendar.view() == WEEK:
            self._paint_now(p)
        if self._dragging and self._press is not None and self.drop is not None:
            self._paint_ghost(p, self._press[0])
        if self.hasFocus() and self.calendar.selected is None:
            # Reached by Tab with no step chosen (a month with none): the grid says it has the keys.
            pen = QPen(pal.color(QPalette.ColorRole.Highlight), 2)
            p.setPen(pen)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(self.rect().adjusted(1, 1, -1, -1))
        p.end()

    def _grid_pen(self) -> QPen:
        color = QColor(self.palette().mid().color())
        color.setAlpha(110)
        return QPen(color, 1)

    def _paint_header(self, p: QPainter, days: list[date]) -> None:
        pal = self.palette()
        locale = self.locale()
        h = self.header_height()
        p.fillRect(QRectF(0, 0, self.width(), h), pal.window())
        today = self.calendar.today()
        for day in days:
            rect = self.day_rect(day)
            cell = QRectF(rect.left(), 0, rect.width(), h)
            name = locale.dayName(day.isoweekday(), locale.FormatType.ShortFormat)
            text = name if self.calendar.view() == MONTH else f"{name} {day.day}"
            font = QFont(self.font())
            font.setBold(self.calendar.view() == WEEK and day == today)
            p.setFont(font)
            p.setPen(pal.highlight().color() if self.calendar.view() == WEEK and day == today else
                     pal.windowText().color())
            p.drawText(cell, Qt.AlignmentFlag.AlignCenter, text)
        p.setFont(self.font())

    def _paint_month(self, p: QPainter) -> None:
        cal = self.calendar
        pal = self.palette()
        days = cal.days()
        self._paint_header(p, days[:7])
        today = cal.today()
        for day in days:
            rect = self.day_rect(day)
            inside = day.month == cal.anchor().month
            if not inside:
                p.fillRect(rect, pal.alternateBase())
            p.setPen(self._grid_pen())
            p.drawRect(rect)
            width = max(self.fontMetrics().horizontalAdvance(str(day.day)) + 10, self._line() + 2)
            number = QRectF(rect.left() + 3, rect.top() + 2, width, self._line() + 2)
            if day == today:
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(pal.highlight())
                p.drawRoundedRect(number, number.height() / 2, number.height() / 2)
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.setPen(pal.highlightedText().color())
            else:
                p.setPen(pal.text().color() if inside else pal.placeholderText().color())
            p.drawText(number, Qt.AlignmentFlag.AlignCenter, str(day.day))

    def _paint_week(self, p: QPainter) -> None:
        cal = self.calendar
        pal = self.palette()
        days = cal.days()
        hh = self.hour_height()
        top = self.header_height()
        for day in days:
            if day.weekday() >= 5:
                p.fillRect(self.day_rect(day), pal.alternateBase())
        self._paint_header(p, days)
        p.setPen(self._grid_pen())
        for hour in range(25):
            y = top + hour * hh
            p.drawLine(QPointF(self.gutter(), y), QPointF(self.width(), y))
        for n in range(8):
            x = self.gutter() + n * self.column_width()
            p.drawLine(QPointF(x, top), QPointF(x, self.height()))
        # Label every hour when there is room, else every other one.
        every = 1 if hh >= self._line() else 2
        p.setPen(pal.placeholderText().color())
        for hour in range(0, 24, every):
            y = top + hour * hh
            p.drawText(QRectF(0, y, self.gutter() - 6, self._line()),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop, f"{hour:02d}:00")

    def _paint_more(self, p: QPainter, more: _More) -> None:
        """A month's "+N more" in the cell's muted words; a week's as a chip among the chips beside it,
        edged in red when one of its steps has a conflict, and ringed while one of them is selected."""
        pal = self.palette()
        text = self.more_text(more)
        path = QPainterPath()
        path.addRoundedRect(more.rect, 3, 3)
        if self.calendar.view() == WEEK:
            p.fillPath(path, pal.button())
            conflicted = any(e.conflicts for e in more.hidden)
            p.setPen(QPen(CONFLICT, 2) if conflicted else QPen(pal.mid().color(), 1))
            p.drawPath(path)
            p.setPen(pal.buttonText().color())
            p.drawText(more.rect, Qt.AlignmentFlag.AlignCenter, text)
        else:
            p.setPen(pal.placeholderText().color())
            p.drawText(more.rect.adjusted(4, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter, text)
        if any(e.step_id == self.calendar.selected for e in more.hidden):
            # No room for the selected step's own chip: the "+N more" holding it shows the keys are there.
            ring = QPainterPath()
            ring.addRoundedRect(more.rect.adjusted(-3, -3, 3, 3), 5, 5)
            p.setPen(QPen(pal.text().color(), 3))
            p.drawPath(ring)

    def _paint_now(self, p: QPainter) -> None:
        """The today line: on today's column, at the current time, over the chips."""
        cal = self.calendar
        today = cal.today()
        first, last = cal.visible_range()
        if not first <= today <= last:
            return
        now = cal.now().astimezone(ZoneInfo(cal.zone()))
        rect = self.day_rect(today)
        y = self.time_y(now.time())
        p.setPen(QPen(CONFLICT, 2))
        p.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(CONFLICT)
        p.drawEllipse(QPointF(rect.left() + 1, y), 4, 4)
        p.setBrush(Qt.BrushStyle.NoBrush)

    def two_lines(self) -> bool:
        """Week chips show the campaign on a line of its own when an hour is tall enough."""
        return self.calendar.view() == WEEK and self.hour_height() >= 2 * self._line() + 6

    def week_chip_height(self) -> float:
        return 2 * self._line() + 4 if self.two_lines() else self.chip_height()

    def chip_text(self, entry: Entry, local: datetime) -> str:
        return f"{self.chip_head(entry, local)} · {entry.campaign}"

    def chip_head(self, entry: Entry, local: datetime) -> str:
        # Exported first: its pack is written and it stays at its time, so its ✓ is what the chip says
        # (its conflicts are in its tooltip and red edge); a ⚠ asked for a move it cannot take.
        mark = "✓ " if entry.exported else ("⚠ " if entry.conflicts else "")
        return f"{mark}{local:%H:%M} {_SHORT.get(entry.channel, entry.label)}"

    def _paint_chip(self, p: QPainter, entry: Entry, rect: QRectF, *, selected: bool, ghost: bool = False) -> None:
        local = self.calendar.local(entry)
        path = QPainterPath()
        path.addRoundedRect(rect, 3, 3)
        fill = QColor(entry.color)
        if entry.exported or ghost:
            fill.setAlpha(130)
        p.fillPath(path, fill)
        if entry.conflicts:
            p.setPen(QPen(CONFLICT, 2))
            p.drawPath(path)
        if ghost:
            p.setPen(QPen(self.palette().text().color(), 1, Qt.PenStyle.DashLine))
            p.drawPath(path)
        if selected:
            # Seen on any chip, a blue one with a conflict's red edge too: a white line inside a
            # thick ring in the text's colour (the arrow keys move what is selected).
            ring = QPainterPath()
            ring.addRoundedRect(rect.adjusted(-3, -3, 3, 3), 5, 5)
            p.setPen(QPen(self.palette().text().color(), 3))
            p.drawPath(ring)
            inner = QPainterPath()
            inner.addRoundedRect(rect.adjusted(-0.5, -0.5, 0.5, 0.5), 3, 3)
            p.setPen(QPen(QColor("#FFFFFF"), 1.5))
            p.drawPath(inner)
        ink = QColor(entry.ink)
        if (entry.exported or ghost) and entry.ink == "#FFFFFF":
            ink = self.palette().text().color()  # white on the faded colour would not read
        p.setPen(ink)
        when = self.drop if ghost and self.drop is not None else local
        inner = rect.adjusted(4, 0, -3, 0)
        metrics = QFontMetrics(self.font())
        left = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft
        if rect.height() >= 2 * self._line():
            line = self._line()
            top = QRectF(inner.left(), inner.top() + 2, inner.width(), line)
            p.drawText(top, left, metrics.elidedText(self.chip_head(entry, when), Qt.TextElideMode.ElideRight,
                                                     int(inner.width())))
            p.drawText(top.translated(0, line), left,
                       metrics.elidedText(entry.campaign, Qt.TextElideMode.ElideRight, int(inner.width())))
            return
        p.drawText(inner, left, metrics.elidedText(self.chip_text(entry, when), Qt.TextElideMode.ElideRight,
                                                   int(inner.width())))

    def _paint_ghost(self, p: QPainter, chip: _Chip) -> None:
        assert self.drop is not None
        rect = self.day_rect(self.drop.date())
        if self.calendar.view() == MONTH:
            ghost = QRectF(rect.left() + 3, rect.bottom() - self.chip_height() - 3, rect.width() - 6,
                           self.chip_height())
        else:
            ghost = QRectF(rect.left() + 3, self.time_y(self.drop.time()), rect.width() - 6, self.week_chip_height())
        self._paint_chip(p, chip.entry, ghost, selected=False, ghost=True)

    # -- the mouse ----------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        pos = event.position()
        chip = self.chip_at(pos)
        if chip is not None:
            self.calendar.select(chip.entry.step_id)
            self._press = (chip, pos - chip.rect.topLeft())
            self._dragging = False
            self.drop = None
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        if self._press is None:
            chip = self.chip_at(pos)
            if chip is None and self.more_at(pos) is not None:
                self.setCursor(Qt.CursorShape.PointingHandCursor)  # a click opens it
                return
            self.setCursor(Qt.CursorShape.ArrowCursor if chip is None or chip.entry.exported
                           or not self.calendar.movable else
                           Qt.CursorShape.OpenHandCursor)
            return
        chip, grab = self._press
        start = chip.rect.topLeft() + grab
        if not self._dragging and (pos - start).manhattanLength() < QApplication.startDragDistance():
            return
        if not self.calendar.movable:
            return
        if chip.entry.exported:
            QToolTip.showText(event.globalPosition().toPoint(), EXPORTED_TIP, self)
            return
        self._dragging = True
        self.setCursor(Qt.CursorShape.ClosedHandCursor)
        self.drop = self.target(pos)
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return super().mouseReleaseEvent(event)
        pos = event.position()
        press, dragging = self._press, self._dragging
        drop = self.target(pos) if dragging else None
        self._press, self._dragging, self.drop = None, False, None
        self.setCursor(Qt.CursorShape.ArrowCursor)
        if press is not None and dragging:
            if drop is not None:
                self.calendar.request_move(press[0].entry.step_id, drop)
            self.update()
            return
        if press is None:
            more = self.more_at(pos)
            if more is not None and self.calendar.view() == WEEK:
                self.open_more(more)  # a list of the steps that have no room, to pick one
            elif more is not None:  # the day's hidden steps, in the week that holds it
                self.calendar.set_view(WEEK)
                self.calendar.go_to(more.day)
            else:
                self.calendar.select(None)

    def more_beside(self) -> _More | None:
        """The week's "+N more" at the selected step's time: the one holding it, or the one beside its chip."""
        cal = self.calendar
        if cal.view() != WEEK or cal.selected is None:
            return None
        chips, more = self.layout_chips()
        rect = next((c.rect for c in chips if c.entry.step_id == cal.selected), None)
        for m in more:
            if any(e.step_id == cal.selected for e in m.hidden):
                return m
            if (rect is not None and self.day_rect(m.day).contains(rect.center())
                    and m.rect.top() < rect.bottom() and rect.top() < m.rect.bottom()):
                return m
        return None

    def open_more(self, more: _More) -> None:
        """The steps of a week's "+N more" as a list under it; the one picked is selected and drawn
        in place of another (Enter opens it, the arrow keys move it)."""
        if self._more_menu is None:
            self._more_menu = QMenu(self)
            self._more_menu.setObjectName("calendarMore")
            self._more_menu.setToolTipsVisible(True)
            self._more_menu.triggered.connect(lambda action: self.calendar.select(action.data()))
        menu = self._more_menu
        menu.clear()
        metrics = menu.fontMetrics()
        widest = max(self.width() // 2, self.lane_width() * 4)
        for entry in more.hidden:
            words = self.chip_text(entry, self.calendar.local(entry))
            action = menu.addAction(metrics.elidedText(words, Qt.TextElideMode.ElideRight, int(widest))
                                    .replace("&", "&&"))
            action.setData(entry.step_id)
            action.setToolTip(words)
        menu.popup(self.mapToGlobal(more.rect.bottomLeft().toPoint()))

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        chip = self.chip_at(event.position())
        if chip is not None:
            self.calendar.select(chip.entry.step_id)
            self.calendar.entryActivated.emit(chip.entry.step_id)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            text = self.tooltip_at(QPointF(event.pos()))
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        if event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            if self._tab(event.key() == Qt.Key.Key_Tab):
                return True
        return super().event(event)

    def tooltip_at(self, pos: QPointF) -> str:
        """What hovering at ``pos`` says: the step's campaign, times and conflicts, or a day's hidden steps."""
        chip = self.chip_at(pos)
        if chip is not None:
            e = chip.entry
            lines = [f"{e.campaign} — {e.label}", f"{chip.local:%a %d %b %Y, %H:%M} ({self.calendar.zone()})"]
            if e.timezone != self.calendar.zone():
                lines.append(f"{e.step_local:%a %d %b, %H:%M} on the step's own clock ({e.timezone})")
            lines += [f"⚠ {c}" for c in e.conflicts]
            lines.append(EXPORTED_TIP if e.exported else "Drag to reschedule; double-click to open."
                         if self.calendar.movable else "Double-click to open.")
            return "\n".join(lines)
        more = self.more_at(pos)
        if more is not None:
            return "\n".join(self.chip_text(e, self.calendar.local(e)) for e in more.hidden)
        return ""

    def describe(self) -> None:
        """Say to a screen reader the step the keys reached (campaign, channel, day and time), or, with
        none chosen, what the month or week shows; a change is announced as it happens."""
        cal = self.calendar
        entry = cal.entry(cal.selected) if cal.selected is not None else None
        if entry is None:
            text = f"{cal.title.text()}: {cal.summary.text()}"
        else:
            text = f"{entry.campaign} — {entry.label}, {cal.local(entry):%A %d %B %Y, %H:%M} ({cal.zone()})"
            text += "".join(f"; ⚠ {c}" for c in entry.conflicts)
            if entry.exported:
                text += "; exported"
        if text != self.accessibleDescription():
            self.setAccessibleDescription(text)  # Qt tells the screen reader it changed

    # -- keys ---------------------------------------------------------------------------

    def _tab(self, forward: bool) -> bool:
        # Every step shown, those behind a "+N more" too (selected, one is drawn in place of another);
        # at the same time, left to right as their chips stand.
        cal = self.calendar
        order = [e.step_id for e in sorted(cal.shown_entries(), key=cal.local)]
        if not order:
            return False
        current = self.calendar.selected
        if current not in order:
            nxt = order[0] if forward else order[-1]
        else:
            i = order.index(current) + (1 if forward else -1)
            if not 0 <= i < len(order):
                self.calendar.select(None)
                return False  # past the last entry: focus moves on
            nxt = order[i]
        self.calendar.select(nxt)
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self.handle_key(event):
            super().keyPressEvent(event)

    def handle_key(self, event: QKeyEvent) -> bool:
        cal = self.calendar
        key, mods = event.key(), event.modifiers()
        shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        if key == Qt.Key.Key_PageUp:
            cal.go_previous()
        elif key == Qt.Key.Key_PageDown:
            cal.go_next()
        elif key == Qt.Key.Key_T and not mods & ~Qt.KeyboardModifier.KeypadModifier:
            cal.go_today()
        elif key == Qt.Key.Key_Escape and self._press is not None:
            self._press, self._dragging, self.drop = None, False, None
            self.update()
        elif (key == Qt.Key.Key_Menu or key == Qt.Key.Key_F10 and shift) and self.more_beside() is not None:
            self.open_more(self.more_beside())
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and cal.selected is not None:
            cal.entryActivated.emit(cal.selected)
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down) and cal.selected is not None:
            entry = cal.entry(cal.selected)
            if entry is None or not cal.movable:
                return False
            sign = -1 if key in (Qt.Key.Key_Left, Qt.Key.Key_Up) else 1
            if key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
                delta = timedelta(days=1)
            elif cal.view() == MONTH:
                delta = timedelta(days=7)
            elif shift:
                delta = timedelta(hours=1)
            else:
                return False
            if entry.exported:
                rect = self.chip_rect(entry.step_id)
                where = rect.center().toPoint() if rect is not None else QPoint(0, 0)
                QToolTip.showText(self.mapToGlobal(where), EXPORTED_TIP, self)
                return True
            new = cal.local(entry) + sign * delta
            cal.request_move(entry.step_id, new)
            if not (cal.visible_range()[0] <= new.date() <= cal.visible_range()[1]):
                cal.go_to(new.date())  # follow the entry off the edge
        else:
            return False
        event.accept()
        return True
