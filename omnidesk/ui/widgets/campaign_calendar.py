"""CampaignCalendar: every campaign step in a month or a week, dragged to reschedule.

Shows the entries it is given (core ``calendar_entries``) on the clock of its
zone, as chips in their channel's colour with the channel and the campaign's
name; a step with conflicts has a red outline and a ⚠ (its tooltip lists
them); an exported step is drawn faded with a ✓, conflicts or not, and cannot move.  The week
view has a line at the current time on today's column.  Steps that have no room
go in a "+N more": a month's opens the week, a week's (beside the chips at
the same time that fit) lists them to pick one.

It changes nothing itself: a drag, or an arrow key on the selected entry,
emits ``rescheduleRequested(step_id, new_local, zone)`` (``new_local`` naive,
on the clock of ``zone``); :func:`connect_to_operations` runs that through the
undoable operations bridge (with ``movable`` False, on a read-only workspace,
nothing moves).  The host loads entries for ``visible_range()`` again whenever
``rangeChanged`` says the range moved, and ticks ``set_now``.

Keys: PgUp/PgDn the previous or next month or week, T today, Tab the next entry
(every one, those behind a "+N more" drawn in turn in place of another; after
the last one, focus moves on), Left/Right move the selected entry a day,
Up/Down a week in the month view and (with Shift) an hour in the week view,
Enter opens it, Menu or Shift+F10 lists the week's "+N more" beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from omnidesk.core.campaigns.calendar import Entry
from omnidesk.core.text import natural_key
from omnidesk.ui.formatting import nice_date
from omnidesk.ui.widgets.buttons import enter_presses
from omnidesk.ui.widgets.calendar_canvas import EXPORTED_TIP, MONTH, WEEK, CalendarCanvas

__all__ = ["EXPORTED_TIP", "MONTH", "WEEK", "CampaignCalendar", "connect_to_operations"]


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())  # weeks start on Monday (ISO 8601)


class CampaignCalendar(QWidget):
    """Month and week views of campaign steps (see the module docstring)."""

    rescheduleRequested = Signal(int, object, str)  # step id, new naive local datetime, zone
    entryActivated = Signal(int)  # step id
    rangeChanged = Signal(object, object)  # first and last date shown

    def __init__(self, parent: QWidget | None = None, *, zone: str = "UTC", now: datetime | None = None) -> None:
        super().__init__(parent)
        self._zone = zone
        self._tz = ZoneInfo(zone)
        self._nearest: tuple = (None, None)  # days of the nearest steps off the range shown (set_nearest)
        self._now = (now or datetime.now(UTC)).astimezone(UTC)
        self._view = MONTH
        self._anchor = self.today()
        self._entries: list[Entry] = []
        self.selected: int | None = None
        # False on a workspace opened read-only: its steps are shown and opened, never moved.
        self.movable = True

        self.previous_button = QPushButton("‹ Prev")
        self.today_button = QPushButton("Today")
        self.next_button = QPushButton("Next ›")
        for button, tip in ((self.previous_button, "The previous month or week (Page Up)"),
                            (self.today_button, "Back to today (T)"), (self.next_button,
                                                                       "The next month or week (Page Down)")):
            button.setToolTip(tip)
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.previous_button.clicked.connect(self.go_previous)
        self.next_button.clicked.connect(self.go_next)
        self.today_button.clicked.connect(self.go_today)
        enter_presses(self.previous_button, self.today_button, self.next_button)
        self.title = QLabel()
        self.title.setObjectName("calendarTitle")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        self.summary = QLabel()
        self.summary.setObjectName("calendarSummary")
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        # Beside the title when the bar has room for it on one line; on a line of its own under
        # the bar when not (_place_summary): squeezed in beside the title, a 1024-pixel window
        # wrapped it onto seven lines of a word or two.  A very narrow window still wraps it.
        self.summary.setWordWrap(True)
        self.month_button = QPushButton("Month")
        self.week_button = QPushButton("Week")
        enter_presses(self.month_button, self.week_button)
        self.views = QButtonGroup(self)
        for button, view in ((self.month_button, MONTH), (self.week_button, WEEK)):
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            self.views.addButton(button)
            button.clicked.connect(lambda _=False, v=view: self.set_view(v))
        self.month_button.setChecked(True)

        bar = QHBoxLayout()
        bar.setContentsMargins(6, 6, 6, 4)
        bar.addWidget(self.previous_button)
        bar.addWidget(self.today_button)
        bar.addWidget(self.next_button)
        bar.addSpacing(12)
        bar.addWidget(self.title)
        bar.addSpacing(12)
        bar.addWidget(self.summary, 1)
        bar.addWidget(self.month_button)
        bar.addWidget(self.week_button)
        self.bar = bar
        self.below = QHBoxLayout()  # the summary's own line, when the bar has no room for it
        self.below.setContentsMargins(0, 0, 0, 0)  # no room taken while empty (_place_summary)
        self._summary_inline = True
        self.canvas = CalendarCanvas(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addLayout(self.below)
        layout.addWidget(self.canvas, 1)
        self.setFocusProxy(self.canvas)
        # Tab reads the bar, then the grid under it (the grid came before the buttons above it).
        chain = [self.previous_button, self.today_button, self.next_button, self.month_button, self.week_button,
                 self.canvas]
        for before, after in zip(chain, chain[1:]):
            QWidget.setTabOrder(before, after)
        self._refresh_labels()

    # -- what it shows ---------------------------------------------------------------

    def zone(self) -> str:
        return self._zone

    def set_zone(self, zone: str) -> None:
        """Show times on the clock of ``zone``; the range may move, so ``rangeChanged`` follows."""
        self._zone, self._tz = zone, ZoneInfo(zone)
        self._changed_range()

    def now(self) -> datetime:
        return self._now

    def set_now(self, now: datetime) -> None:
        """The current moment (aware; naive is UTC): where today is and the week view's line."""
        self._now = (now if now.tzinfo is not None else now.replace(tzinfo=UTC)).astimezone(UTC)
        self._refresh_labels()
        self.canvas.update()

    def today(self) -> date:
        return self._now.astimezone(self._tz).date()

    def view(self) -> str:
        return self._view

    def set_view(self, view: str) -> None:
        if view not in (MONTH, WEEK):
            raise ValueError(f"view must be {MONTH!r} or {WEEK!r}")
        (self.month_button if view == MONTH else self.week_button).setChecked(True)
        if view != self._view:
            self._view = view
            self._changed_range()

    def anchor(self) -> date:
        """A day of the month or week shown."""
        return self._anchor

    def go_to(self, day: date) -> None:
        self._anchor = day
        self._changed_range()

    def go_previous(self) -> None:
        self.go_to(self._step_period(-1))

    def go_next(self) -> None:
        self.go_to(self._step_period(1))

    def go_today(self) -> None:
        self.go_to(self.today())

    def _step_period(self, n: int) -> date:
        if self._view == WEEK:
            return self._anchor + timedelta(days=7 * n)
        month = self._anchor.year * 12 + self._anchor.month - 1 + n
        return date(month // 12, month % 12 + 1, 1)

    def visible_range(self) -> tuple[date, date]:
        """The first and last day on screen: six whole weeks for a month, Monday to Sunday for a week."""
        if self._view == WEEK:
            first = _week_start(self._anchor)
            return first, first + timedelta(days=6)
        first = _week_start(self._anchor.replace(day=1))
        return first, first + timedelta(days=41)

    def days(self) -> list[date]:
        first, last = self.visible_range()
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]

    def _changed_range(self) -> None:
        self._refresh_labels()
        self.canvas.update()
        self.rangeChanged.emit(*self.visible_range())

    def set_entries(self, entries: Sequence[Entry]) -> None:
        """The steps to show (any range; those off screen are kept for when it moves)."""
        # By time, then by campaign as a person reads the names ("Step 2" before "Step 10"): the
        # order of the chips at one time and of the list a week's "+N more" opens.
        self._entries = sorted(entries, key=lambda e: (e.at_utc, natural_key(e.campaign), e.campaign, e.step_id))
        if self.selected is not None and self.entry(self.selected) is None:
            self.selected = None
        self._refresh_labels()
        self.canvas.update()

    def entries(self) -> list[Entry]:
        return list(self._entries)

    def entry(self, step_id: int) -> Entry | None:
        return next((e for e in self._entries if e.step_id == step_id), None)

    def local(self, entry: Entry) -> datetime:
        """The entry's moment on the calendar's clock, naive."""
        return entry.at_utc.astimezone(self._tz).replace(tzinfo=None)

    def shown_entries(self) -> list[Entry]:
        first, last = self.visible_range()
        return [e for e in self._entries if first <= self.local(e).date() <= last]

    def select(self, step_id: int | None) -> None:
        self.selected = step_id
        self.canvas.describe()
        self.canvas.update()

    def _refresh_labels(self) -> None:
        first, last = self.visible_range()
        locale = self.locale()
        if self._view == MONTH:
            self.title.setText(f"{locale.standaloneMonthName(self._anchor.month)} {self._anchor.year}")
        else:
            left = f"{first.day} {locale.monthName(first.month, locale.FormatType.ShortFormat)}"
            right = f"{last.day} {locale.monthName(last.month, locale.FormatType.ShortFormat)} {last.year}"
            if first.year != last.year:
                left += f" {first.year}"
            self.title.setText(f"Week {first.isocalendar()[1]} · {left} – {right}")
        shown = self.shown_entries()
        conflicted = sum(1 for e in shown if e.conflicts)
        words = f"{len(shown)} step{'' if len(shown) == 1 else 's'}" if shown else self._none_shown(first, last)
        if conflicted:
            words += f" · ⚠ {conflicted} with conflicts"
        self.summary.setText(f"{words} · times in {self._zone}")
        self._place_summary()
        if hasattr(self, "canvas"):  # built after the first labels
            self.canvas.describe()

    def _place_summary(self) -> None:
        """The summary beside the title when its one line fits there, else on its own line below."""
        others = [self.previous_button, self.today_button, self.next_button, self.title, self.month_button,
                  self.week_button]
        margins = self.bar.contentsMargins()
        taken = (sum(w.sizeHint().width() for w in others) + 24 + self.bar.spacing() * (len(others) + 2)
                 + margins.left() + margins.right())
        inline = self.width() - taken >= self.summary.fontMetrics().horizontalAdvance(self.summary.text()) + 4
        if inline == self._summary_inline:
            return
        self._summary_inline = inline
        if inline:
            # The stretch that held the summary's place, just before Month, gives it back.
            self.bar.takeAt(self.bar.indexOf(self.month_button) - 1)
            self.below.removeWidget(self.summary)
            self.below.setContentsMargins(0, 0, 0, 0)
            self.bar.insertWidget(self.bar.indexOf(self.month_button), self.summary, 1)
        else:
            self.bar.removeWidget(self.summary)
            # The bar keeps a stretch where the summary was: Month and Week stay at its end.
            self.bar.insertStretch(self.bar.indexOf(self.month_button), 1)
            self.below.setContentsMargins(12, 0, 6, 4)
            self.below.addWidget(self.summary)
        if self.isVisible():
            self.layout().activate()  # the grid's new height now, not at the next event: its times follow it

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt)
        super().resizeEvent(event)
        self._place_summary()

    def set_nearest(self, before, after) -> None:
        """The days of the nearest steps before and after the range shown (``nearest_days``)."""
        self._nearest = (before, after)
        self._refresh_labels()

    def _none_shown(self, first, last) -> str:
        """What an empty month or week says: where the nearest steps are, when there are any (a
        calendar opened on this month, the steps from January on, read as if there were none)."""
        period = "this month" if self._view == MONTH else "this week"
        days = sorted(self.local(e).date() for e in self._entries)
        before, after = self._nearest
        later = [d for d in days if d > last] + ([after] if after is not None and after > last else [])
        earlier = [d for d in days if d < first] + ([before] if before is not None and before < first else [])
        if later:
            return f"No steps {period} · the next on {nice_date(min(later).isoformat())}"
        if earlier:
            return f"No steps {period} · the last on {nice_date(max(earlier).isoformat())}"
        return "No campaign steps"

    # -- moving and opening ----------------------------------------------------------------

    def request_move(self, step_id: int, new_local: datetime) -> bool:
        """Ask for ``step_id`` to move to ``new_local`` (naive, on the calendar's clock); False when
        it cannot move (exported, unknown, or already there)."""
        entry = self.entry(step_id)
        if entry is None or entry.exported or not self.movable:
            return False
        new_local = new_local.replace(second=0, microsecond=0)
        if new_local == self.local(entry):
            return False
        self.rescheduleRequested.emit(step_id, new_local, self._zone)
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self.canvas.handle_key(event):
            super().keyPressEvent(event)


def connect_to_operations(calendar: CampaignCalendar, operations, *, reload: bool = True) -> None:
    """Run the calendar's reschedule requests through ``operations`` as undoable steps
    (``change_campaigns`` with core ``move_step``); with ``reload``, load the calendar's entries from
    the operations' workspace again after every change to campaigns and whenever its range moves."""
    from omnidesk.core.campaigns.calendar import calendar_entries, move_step, nearest_days

    def move(step_id: int, new_local: datetime, zone: str) -> None:
        entry = calendar.entry(step_id)
        what = f"the {entry.label} step of {entry.campaign}" if entry is not None else f"step #{step_id}"
        words = f"move {what} to {new_local:%a %d %b %H:%M}"
        operations.change_campaigns(words, lambda ws: move_step(ws, step_id, new_local, zone))

    calendar.rescheduleRequested.connect(move)
    if not reload:
        return

    def load(*_args) -> None:
        if operations.workspace is None:
            calendar.set_nearest(None, None)
            calendar.set_entries([])
            return
        first, last = calendar.visible_range()
        calendar.set_nearest(*nearest_days(operations.workspace, first, last, calendar.zone()))
        calendar.set_entries(calendar_entries(operations.workspace, first, last, calendar.zone()))

    def changed(changes) -> None:
        if getattr(changes, "campaigns", False):
            load()

    operations.changed.connect(changed)
    calendar.rangeChanged.connect(load)
    load()
