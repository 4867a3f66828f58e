"""The campaign calendar, driven with the mouse and the keys: drag to reschedule (undoable through
the operations bridge), exported steps stay, conflicts and the today line drawn, the reminder."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import time_machine
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QUndoStack
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from sqlalchemy import update

from omnidesk.core.campaigns.calendar import calendar_entries, move_step
from omnidesk.core.campaigns.campaign import get_campaign, save_campaign
from omnidesk.core.messages.brand import set_brand
from omnidesk.core.messages.store import save_message
from omnidesk.core.models import CampaignStep
from omnidesk.ui.campaign_reminder import ReminderTimer
from omnidesk.ui.operations import Operations
from omnidesk.ui.tasks import TaskRunner
from omnidesk.ui.widgets.campaign_calendar import (EXPORTED_TIP, MONTH, WEEK, CampaignCalendar,
                                                   connect_to_operations)

BERLIN, NEW_YORK = "Europe/Berlin", "America/New_York"
NOW = datetime(2027, 3, 3, 10, 20, tzinfo=UTC)  # Wednesday 3 March, 11:20 in Berlin, 05:20 in New York
LONG = "Spring sale — twenty percent off everything in the garden centre until Easter Monday"


@pytest.fixture
def still():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def shop(make_workspace, still):
    ws = make_workspace(timezone=BERLIN)
    set_brand(ws, "address", "1 Market Street, Springfield")
    save_message(ws, "Sale", {"headline": "Sale", "link": "https://hc.example/a"},
                 channels=["email", "sms", "instagram", "facebook", "store", "website"])
    save_campaign(ws, "Spring", message="Sale", mode="best_channel", steps=[
        {"channel": "email", "at": "2027-03-02T09:00", "timezone": BERLIN},
        {"channel": "instagram", "at": "2027-03-05T12:00", "timezone": BERLIN}])
    return ws


def step_id(ws, campaign: str, channel: str) -> int:
    return next(s.id for s in get_campaign(ws, campaign).steps if s.channel == channel)


def at_local(ws, campaign: str, channel: str) -> str:
    return next(s.at_local for s in get_campaign(ws, campaign).steps if s.channel == channel)


def export(ws, sid: int) -> None:
    with ws.writing() as conn:
        conn.execute(update(CampaignStep.__table__).where(CampaignStep.__table__.c.id == sid)
                     .values(exported_at="2027-03-01T10:00:00+00:00"))


def settled(cal: CampaignCalendar) -> CampaignCalendar:
    """The calendar after the event loop has laid it out again (as on screen, before a grab)."""
    QApplication.processEvents()
    return cal


def make_calendar(qtbot, ws, zone=BERLIN, size=(1024, 640), view=MONTH) -> CampaignCalendar:
    cal = CampaignCalendar(zone=zone, now=datetime.now(UTC))
    qtbot.addWidget(cal)
    cal.resize(*size)
    cal.set_view(view)
    cal.show()
    qtbot.waitExposed(cal)
    if ws is not None:
        cal.set_entries(calendar_entries(ws, *cal.visible_range(), zone))
    return cal


@pytest.fixture
def ops(shop, qtbot):
    operations = Operations(QUndoStack(), TaskRunner(inline=True))
    operations.set_workspace(shop)
    return operations


def drag(cal: CampaignCalendar, start: QPoint, end: QPoint) -> None:
    """Press, move in a few steps (past the drag distance), release: as a hand does."""
    canvas = cal.canvas
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for k in (1, 2, 3, 4):
        QTest.mouseMove(canvas, start + (end - start) * (k / 4))
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)


def chip_center(cal: CampaignCalendar, sid: int) -> QPoint:
    rect = cal.canvas.chip_rect(sid)
    assert rect is not None, "the entry is not on screen"
    return rect.center().toPoint()


def test_dragging_to_another_day_moves_the_step_and_undo_puts_it_back(qtbot, shop, ops):
    cal = make_calendar(qtbot, None)
    connect_to_operations(cal, ops)
    email = step_id(shop, "Spring", "email")
    assert cal.entry(email) is not None  # connecting loaded the range shown
    drag(cal, chip_center(cal, email), cal.canvas.day_rect(date(2027, 3, 10)).center().toPoint())
    assert at_local(shop, "Spring", "email") == "2027-03-10T09:00:00"
    assert cal.local(cal.entry(email)) == datetime(2027, 3, 10, 9, 0)  # reloaded after the change
    assert ops.stack.count() == 1 and ops.stack.undoText().startswith("move the Email step of Spring to Wed 10 Mar")
    ops.undo()
    assert at_local(shop, "Spring", "email") == "2027-03-02T09:00:00"
    assert cal.local(cal.entry(email)) == datetime(2027, 3, 2, 9, 0)
    ops.redo()
    assert at_local(shop, "Spring", "email") == "2027-03-10T09:00:00"


def test_dragging_in_the_week_view_sets_the_time_on_the_viewers_clock(qtbot, shop, ops):
    # Seen from New York the Berlin email of 09:00 is at 03:00; dropped on Thursday at 14:00
    # New York time, it is 20:00 in Berlin, its own zone, which it keeps.
    cal = make_calendar(qtbot, None, zone=NEW_YORK, view=WEEK)
    cal.go_to(date(2027, 3, 1))
    connect_to_operations(cal, ops)
    email = step_id(shop, "Spring", "email")
    start = chip_center(cal, email)
    grab = start.y() - cal.canvas.chip_rect(email).top()
    end = QPoint(int(cal.canvas.day_rect(date(2027, 3, 4)).center().x()),
                 round(cal.canvas.time_y(datetime(2027, 3, 4, 14, 5).time()) + grab))
    with qtbot.waitSignal(cal.rescheduleRequested) as moved:
        drag(cal, start, end)
    assert moved.args == [email, datetime(2027, 3, 4, 14, 0), NEW_YORK]  # snapped to the quarter hour
    assert at_local(shop, "Spring", "email") == "2027-03-04T20:00:00"
    ops.undo()
    assert at_local(shop, "Spring", "email") == "2027-03-02T09:00:00"


def test_a_drop_where_it_was_or_outside_the_grid_asks_for_nothing(qtbot, shop):
    cal = make_calendar(qtbot, shop)
    email = step_id(shop, "Spring", "email")
    start = chip_center(cal, email)
    with qtbot.assertNotEmitted(cal.rescheduleRequested):
        drag(cal, start, start + QPoint(12, 0))  # the same day
        drag(cal, start, QPoint(start.x(), 5))  # the weekday header
    assert cal.selected == email


def test_an_exported_step_cannot_be_dragged_and_says_why(qtbot, shop):
    email = step_id(shop, "Spring", "email")
    export(shop, email)
    cal = make_calendar(qtbot, shop)
    assert cal.entry(email).exported
    start = chip_center(cal, email)
    assert EXPORTED_TIP in cal.canvas.tooltip_at(start)
    with qtbot.assertNotEmitted(cal.rescheduleRequested):
        drag(cal, start, cal.canvas.day_rect(date(2027, 3, 10)).center().toPoint())
        cal.canvas.setFocus()
        QTest.keyClick(cal.canvas, Qt.Key.Key_Right)
    assert cal.selected == email


def test_a_step_exported_after_the_calendar_loaded_is_refused_with_one_line(qtbot, shop, ops):
    cal = make_calendar(qtbot, None)
    connect_to_operations(cal, ops)
    email = step_id(shop, "Spring", "email")
    export(shop, email)  # another window exported it meanwhile
    with qtbot.waitSignal(ops.failed) as failed:
        drag(cal, chip_center(cal, email), cal.canvas.day_rect(date(2027, 3, 10)).center().toPoint())
    assert failed.args[1] == "The Email step of Spring was exported already, so it stays at its time."
    assert at_local(shop, "Spring", "email") == "2027-03-02T09:00:00" and ops.stack.count() == 0


def test_keys_page_the_calendar_move_the_selected_entry_and_open_it(qtbot, shop):
    cal = make_calendar(qtbot, shop)
    cal.canvas.setFocus()
    with qtbot.waitSignal(cal.rangeChanged) as shown:
        QTest.keyClick(cal.canvas, Qt.Key.Key_PageDown)
    assert shown.args == [date(2027, 3, 29), date(2027, 5, 9)] and cal.title.text() == "April 2027"
    QTest.keyClick(cal.canvas, Qt.Key.Key_PageUp)
    QTest.keyClick(cal.canvas, Qt.Key.Key_PageUp)
    assert cal.anchor() == date(2027, 2, 1)
    QTest.keyClick(cal.canvas, Qt.Key.Key_T)
    assert cal.anchor() == date(2027, 3, 3) and cal.visible_range() == (date(2027, 3, 1), date(2027, 4, 11))
    email, post = step_id(shop, "Spring", "email"), step_id(shop, "Spring", "instagram")
    QTest.keyClick(cal.canvas, Qt.Key.Key_Tab)
    assert cal.selected == email
    QTest.keyClick(cal.canvas, Qt.Key.Key_Tab)
    assert cal.selected == post
    with qtbot.waitSignal(cal.rescheduleRequested) as moved:
        QTest.keyClick(cal.canvas, Qt.Key.Key_Left)
    assert moved.args == [post, datetime(2027, 3, 4, 12, 0), BERLIN]
    with qtbot.waitSignal(cal.rescheduleRequested) as moved:
        QTest.keyClick(cal.canvas, Qt.Key.Key_Down)  # the month view: a row is a week
    assert moved.args[1] == datetime(2027, 3, 12, 12, 0)
    with qtbot.waitSignal(cal.entryActivated) as opened:
        QTest.keyClick(cal.canvas, Qt.Key.Key_Return)
    assert opened.args == [post]
    cal.set_view(WEEK)
    with qtbot.waitSignal(cal.rescheduleRequested) as moved:
        QTest.keyClick(cal.canvas, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert moved.args[1] == datetime(2027, 3, 5, 13, 0)
    with qtbot.assertNotEmitted(cal.rescheduleRequested):
        QTest.keyClick(cal.canvas, Qt.Key.Key_Down)  # hours need Shift in the week view
    with qtbot.waitSignal(cal.rescheduleRequested) as moved:
        QTest.keyClick(cal.canvas, Qt.Key.Key_Right)
    assert moved.args[1] == datetime(2027, 3, 6, 12, 0)


def test_buttons_toggle_the_view_and_page(qtbot, shop):
    cal = make_calendar(qtbot, shop)
    with qtbot.waitSignal(cal.rangeChanged) as shown:
        qtbot.mouseClick(cal.week_button, Qt.MouseButton.LeftButton)
    assert cal.view() == WEEK and shown.args == [date(2027, 3, 1), date(2027, 3, 7)]
    assert cal.title.text() == "Week 9 · 1 Mar – 7 Mar 2027"
    qtbot.mouseClick(cal.next_button, Qt.MouseButton.LeftButton)
    assert cal.visible_range() == (date(2027, 3, 8), date(2027, 3, 14))
    qtbot.mouseClick(cal.previous_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(cal.previous_button, Qt.MouseButton.LeftButton)
    assert cal.title.text() == "Week 8 · 22 Feb – 28 Feb 2027"
    qtbot.mouseClick(cal.today_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(cal.month_button, Qt.MouseButton.LeftButton)
    assert cal.view() == MONTH and cal.title.text() == "March 2027"


def test_double_click_opens_an_entry(qtbot, shop):
    cal = make_calendar(qtbot, shop)
    post = step_id(shop, "Spring", "instagram")
    with qtbot.waitSignal(cal.entryActivated) as opened:
        QTest.mouseDClick(cal.canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                          chip_center(cal, post))
    assert opened.args == [post]


def red(color: QColor) -> bool:
    return color.red() > 170 and color.green() < 80 and color.blue() < 80


def test_conflicts_are_outlined_in_red_and_listed_in_the_tooltip(qtbot, shop):
    # An SMS to everyone the day after Spring's email (everyone too): within the 7-day cap window;
    # at 22:30 in Berlin it is inside quiet hours as well.
    save_campaign(shop, "Flash", message="Sale", steps=[{"channel": "sms", "at": "2027-03-03T22:30",
                                                         "timezone": BERLIN}])
    cal = make_calendar(qtbot, shop)
    sms, post = step_id(shop, "Flash", "sms"), step_id(shop, "Spring", "instagram")
    tip = cal.canvas.tooltip_at(chip_center(cal, sms))
    assert "⚠ another step to the same audience within 7 days" in tip and "⚠ inside quiet hours" in tip
    assert cal.canvas.chip_text(cal.entry(sms), cal.local(cal.entry(sms))).startswith("⚠ 22:30 SMS")
    assert "⚠" not in cal.canvas.tooltip_at(chip_center(cal, post))
    image = cal.canvas.grab().toImage()
    for sid, outlined in ((sms, True), (post, False)):
        rect = cal.canvas.chip_rect(sid)
        edge = image.pixelColor(int(rect.left()), int(rect.center().y()))
        assert red(edge) is outlined, (sid, edge.name())
    assert "⚠ 2 with conflicts" in cal.summary.text()


def test_the_week_view_draws_a_today_line_at_the_current_time(qtbot, shop):
    cal = make_calendar(qtbot, shop, view=WEEK)
    canvas = cal.canvas
    today = canvas.day_rect(date(2027, 3, 3))
    y = round(canvas.time_y(datetime(2027, 3, 3, 11, 20).time()))  # 11:20 in Berlin
    image = canvas.grab().toImage()
    assert red(image.pixelColor(int(today.center().x()), y))
    assert not red(image.pixelColor(int(today.center().x()), y + 30))
    assert not red(image.pixelColor(int(canvas.day_rect(date(2027, 3, 4)).center().x()), y))
    cal.set_now(datetime(2027, 3, 3, 16, 0, tzinfo=UTC))  # the app's minute tick, later
    moved = round(canvas.time_y(datetime(2027, 3, 3, 17, 0).time()))
    image = canvas.grab().toImage()
    assert red(image.pixelColor(int(today.center().x()), moved)) and not red(image.pixelColor(
        int(today.center().x()), y))


def test_a_full_day_shows_more_and_clicking_it_opens_the_week(qtbot, shop):
    save_campaign(shop, "Busy", message="Sale", steps=[
        {"channel": c, "at": f"2027-03-17T{h:02d}:00", "timezone": BERLIN}
        for h, c in zip(range(8, 14), ("email", "sms", "instagram", "facebook", "store", "website"), strict=True)])
    cal = make_calendar(qtbot, shop)
    _chips, more = cal.canvas.layout_chips()
    (day,) = more
    assert day.day == date(2027, 3, 17) and len(day.hidden) >= 1
    assert "Busy" in cal.canvas.tooltip_at(day.rect.center())
    QTest.mouseClick(cal.canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     day.rect.center().toPoint())
    assert cal.view() == WEEK and cal.visible_range() == (date(2027, 3, 15), date(2027, 3, 21))
    cal.set_entries(calendar_entries(shop, *cal.visible_range(), BERLIN))
    assert all(cal.canvas.chip_rect(e.step_id) is not None for e in cal.shown_entries())


def test_reminder_says_once_per_step_when_its_pack_is_due(qtbot, shop):
    save_campaign(shop, "Spring sale", message="Sale", steps=[
        {"channel": "sms", "at": "2027-03-03T12:05", "timezone": BERLIN},  # 45 minutes from now
        {"channel": "email", "at": "2027-03-03T13:30", "timezone": BERLIN}])  # more than an hour away
    reminder = ReminderTimer(shop, interval_ms=20)
    said = []
    reminder.due.connect(said.append)
    with qtbot.waitSignal(reminder.ticked) as ticked:
        reminder.start()
    assert ticked.args == [NOW]
    qtbot.wait(100)  # several ticks: each step is spoken of once
    reminder.stop()
    assert said == ["SMS step of Spring sale due in 45 min — export the pack"]
    sms = step_id(shop, "Spring sale", "sms")
    move_step(shop, sms, datetime(2027, 3, 3, 12, 10), BERLIN)
    assert reminder.check() == ["SMS step of Spring sale due in 50 min — export the pack"]
    export(shop, sms)
    move_step(shop, step_id(shop, "Spring sale", "email"), datetime(2027, 3, 3, 12, 20), BERLIN)
    assert reminder.check() == ["Email step of Spring sale due in 1 h — export the pack"]
    assert reminder.check() == []


def shots_dir(tmp_path: Path) -> Path:
    """Where the screenshots go: OMNIDESK_SHOTS when set (to look at them), else the test's folder."""
    folder = Path(os.environ.get("OMNIDESK_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize("size", [(1024, 640), (1920, 1080)])
def test_screenshots_empty_busy_and_week(qtbot, make_workspace, shop, tmp_path, size):
    folder = shots_dir(tmp_path)
    empty = make_workspace("empty.omnidesk", timezone=BERLIN)
    cal = make_calendar(qtbot, empty, size=size)
    assert cal.summary.text() == "No campaign steps · times in Europe/Berlin"
    shot = settled(cal).grab()
    assert (shot.width(), shot.height()) == size
    shot.save(str(folder / f"calendar-empty-{size[0]}.png"))

    channels = ("email", "sms", "instagram", "facebook", "store", "website")
    for n, name in enumerate((LONG, "Members' evening with live music and a tasting of new season wines")):
        save_campaign(shop, name, message="Sale", audience="everyone", steps=[
            {"channel": channels[k % 6], "at": f"2027-03-{2 + 5 * n + k:02d}T{9 + k:02d}:30", "timezone": BERLIN}
            for k in range(5)])
    cal = make_calendar(qtbot, shop, size=size)
    assert len(cal.shown_entries()) == 12
    settled(cal).grab().save(str(folder / f"calendar-busy-{size[0]}.png"))

    cal.set_view(WEEK)
    cal.set_entries(calendar_entries(shop, *cal.visible_range(), BERLIN))
    assert any(e.conflicts for e in cal.shown_entries())
    settled(cal).grab().save(str(folder / f"calendar-week-{size[0]}.png"))


def test_another_zone_shows_the_same_steps_on_its_own_clock(qtbot, shop):
    cal = make_calendar(qtbot, shop, view=WEEK)
    email = step_id(shop, "Spring", "email")
    assert cal.local(cal.entry(email)) == datetime(2027, 3, 2, 9, 0)
    with qtbot.waitSignal(cal.rangeChanged):
        cal.set_zone(NEW_YORK)
    assert cal.local(cal.entry(email)) == datetime(2027, 3, 2, 3, 0)
    assert cal.canvas.chip_rect(email).top() == pytest.approx(cal.canvas.time_y(datetime(2027, 3, 2, 3, 0).time()))
    assert cal.today() == date(2027, 3, 3) and cal.summary.text().endswith("times in America/New_York")
    cal.set_now(datetime(2027, 3, 4, 3, 0, tzinfo=UTC))  # 22:00 on the 3rd in New York, the 4th in Berlin
    assert cal.today() == date(2027, 3, 3)


def test_the_summary_wraps_rather_than_cut_off_the_zone_in_a_narrow_window(qtbot):
    """At the width the calendar has in a 1024-pixel window, the time zone's name stays whole."""
    from PySide6.QtCore import QRect

    cal = settled(make_calendar(qtbot, None, zone="America/Argentina/ComodRivadavia", size=(760, 540)))
    label = cal.summary
    text = label.text()
    assert text.endswith("times in America/Argentina/ComodRivadavia")
    needed = label.fontMetrics().boundingRect(QRect(0, 0, label.width(), 10_000),
                                              int(Qt.TextFlag.TextWordWrap), text)
    assert needed.width() <= label.width() and needed.height() <= label.height()
    # On a line of its own under the bar, one line high: squeezed beside the title it took seven
    # lines of a word or two, and pushed the grid down.
    assert label.geometry().top() >= cal.title.geometry().bottom()
    assert label.height() < 2 * label.fontMetrics().lineSpacing()
    assert cal.canvas.geometry().top() < cal.title.geometry().bottom() + 3 * label.fontMetrics().lineSpacing()
    # With the room, it goes back beside the title, and Month and Week stay at the bar's end.
    cal.resize(1700, 900)
    QApplication.processEvents()
    assert label.geometry().top() < cal.title.geometry().bottom()
    assert label.geometry().right() <= cal.month_button.geometry().left()
    assert cal.week_button.geometry().right() > 1700 - 20
    cal.resize(760, 540)
    QApplication.processEvents()
    assert label.geometry().top() >= cal.title.geometry().bottom()
    assert cal.week_button.geometry().right() > 760 - 20


def test_an_empty_month_points_to_the_nearest_steps(qtbot, shop, ops):
    """Opened on a month with none of the campaigns' steps, the calendar said "No campaign steps", as
    if there were none at all: it says where the nearest are."""
    cal = make_calendar(qtbot, None)
    cal.go_to(date(2027, 1, 15))
    connect_to_operations(cal, ops)
    assert cal.summary.text() == "No steps this month · the next on 2 Mar 2027 · times in Europe/Berlin"
    cal.go_to(date(2027, 6, 1))
    assert cal.summary.text() == "No steps this month · the last on 5 Mar 2027 · times in Europe/Berlin"
    cal.set_view(WEEK)
    cal.go_to(date(2027, 3, 10))
    assert cal.summary.text().startswith("No steps this week · the last on 5 Mar 2027")
    cal.go_to(date(2027, 3, 3))
    assert cal.summary.text().startswith("2 steps")


def test_tab_reads_the_bar_then_the_grid_and_the_grid_shows_it_has_the_keys(qtbot, make_workspace):
    """The grid came before the buttons above it, and a month with no step showed no mark of focus."""
    from PySide6.QtGui import QColor

    from tests.helpers import tab_walk

    cal = make_calendar(qtbot, make_workspace("empty.omnidesk", timezone=BERLIN))
    seen = tab_walk(qtbot, cal.previous_button, 4)
    # Month and Week are one stop (the one chosen; the arrows switch), as any pair of choices.
    assert seen == [cal.today_button, cal.next_button, cal.month_button, cal.canvas]
    highlight = QColor(cal.canvas.palette().color(cal.canvas.palette().ColorRole.Highlight)).name()
    image = cal.canvas.grab().toImage()
    assert QColor(image.pixel(1, image.height() // 2)).name() == highlight


def test_the_selected_step_stands_out_on_any_chip(qtbot, shop):
    """The step the arrow keys move was marked by a 2-pixel ring in the highlight colour, lost on a
    blue Email chip: now a thick ring in the text's colour, with a white line inside it."""
    cal = make_calendar(qtbot, shop)
    QTest.keyClick(cal.canvas, Qt.Key.Key_T)
    email = step_id(shop, "Spring", "email")
    rect = cal.canvas.chip_rect(email)
    assert rect is not None

    def ring_pixel():
        image = cal.canvas.grab().toImage()
        ratio = image.devicePixelRatio()
        return image.pixelColor(int((rect.left() - 3) * ratio), int(rect.center().y() * ratio))

    before = ring_pixel()
    cal.canvas.setFocus()
    QTest.keyClick(cal.canvas, Qt.Key.Key_Tab)
    assert cal.selected == email
    after = ring_pixel()
    ink = cal.canvas.palette().text().color()
    assert abs(after.lightness() - ink.lightness()) < 40, (after.name(), ink.name())
    assert abs(after.lightness() - before.lightness()) > 100, (before.name(), after.name())


@pytest.mark.parametrize(("computer", "marked"), [("Asia/Kolkata", True), ("America/New_York", False)])
def test_without_a_shop_zone_two_steps_conflict_with_each_other_or_not_at_all(qtbot, make_workspace, computer_in,
                                                                              computer, marked):
    """Cap days were counted on each step's own clock: an email at 09:00 in New York on 1 March and
    one at 13:30 in London on 8 March (167½ hours apart) were 6 days 23½ hours apart on London's
    clock and 7 days on New York's, so the second was marked and the first not.  Now both are
    counted on the computer's clock: both marked in Kolkata (19:30 and 19:00), neither in New York
    (09:00 and 09:30 a week later)."""
    computer_in(computer)
    with time_machine.travel("2026-03-03T12:00:00Z", tick=False):  # a string: TZ stays the computer's
        ws = make_workspace(cap_messages=1)
        assert not ws.get_setting("timezone")
        save_message(ws, "Sale", {"headline": "Sale", "link": "https://hc.example/a"}, channels=["email"])
        save_campaign(ws, "A", message="Sale", steps=[{"channel": "email", "at": "2026-03-01T09:00",
                                                       "timezone": NEW_YORK}])
        save_campaign(ws, "B", message="Sale", steps=[{"channel": "email", "at": "2026-03-08T13:30",
                                                       "timezone": "Europe/London"}])
        cal = make_calendar(qtbot, ws, zone="Europe/London")
        for name in ("A", "B"):
            tip = cal.canvas.tooltip_at(chip_center(cal, step_id(ws, name, "email")))
            assert ("⚠ another step to the same audience within 7 days" in tip) is marked, (name, tip)
