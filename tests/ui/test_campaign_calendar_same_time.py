"""Many steps at the same time in the Campaigns calendar's week view: fourteen emails at 10:00 on
one day were split into fourteen slivers of a column, 7 pixels wide at 1024 by 640, each without
its time, channel, campaign or ⚠.  Chips keep room for their time and mark; those that do not fit
gather in a "+N more" chip that lists them, and Tab still reaches every one of them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu

from omnidesk.core.campaigns.campaign import save_campaign
from omnidesk.core.messages.store import save_message
from omnidesk.ui.widgets.campaign_calendar import MONTH, WEEK
from tests.ui.test_campaign_calendar import shots_dir

NY = "America/New_York"
NOW = datetime(2026, 12, 10, 15, 0, tzinfo=UTC)  # Thursday 10 December, 10:00 in New York
TUESDAY = date(2026, 12, 15)
NAMES = [f"Holiday countdown {n}: twelve days of gifts for everyone on the list" for n in range(1, 15)]


@pytest.fixture
def still():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def win(still, demo_window):
    ws = demo_window.workspace
    save_message(ws, "Gifts", {"headline": "Gifts", "link": "https://shop.example/gifts"}, channels=["email"])
    for name in NAMES:
        save_campaign(ws, name, message="Gifts", steps=[{"channel": "email", "at": "2026-12-15T10:00",
                                                         "timezone": NY}])
    return demo_window


def week_of_the_fourteen(win, size):
    """Campaigns › Calendar › Week, on the week of Tuesday 15 December, in a window of ``size``."""
    win.resize(*size)
    win.show_screen("campaigns")
    view = win.screens["campaigns"]
    view.tabs.setCurrentWidget(view.calendar_host)
    cal = view.calendar
    cal.set_view(WEEK)
    cal.go_to(TUESDAY)
    QApplication.processEvents()
    assert len(cal.shown_entries()) == 14 and all(e.conflicts for e in cal.shown_entries())
    return cal


def room_for_its_time(canvas, chip) -> bool:
    """The chip's words (4 pixels in from its left edge, 3 from its right) have room for its mark
    and its time, and the "…" of what is cut."""
    metrics = QFontMetrics(canvas.font())
    words = f"⚠ {chip.local:%H:%M} {chip.entry.label} · {chip.entry.campaign}"
    cut = metrics.elidedText(words, Qt.TextElideMode.ElideRight, int(chip.rect.adjusted(4, 0, -3, 0).width()))
    return cut.startswith(f"⚠ {chip.local:%H:%M}")


@pytest.mark.parametrize("size", [(1024, 640), (1920, 1080)])
def test_steps_at_the_same_time_keep_their_time_and_the_rest_say_how_many(win, tmp_path, size):
    cal = week_of_the_fourteen(win, size)
    canvas = cal.canvas
    chips, more = canvas.layout_chips()
    assert chips, "no step of the day is shown"
    for chip in chips:
        assert room_for_its_time(canvas, chip), chip.rect
        assert canvas.day_rect(TUESDAY).contains(chip.rect)
    (rest,) = more
    assert rest.day == TUESDAY and len(chips) + len(rest.hidden) == 14
    assert {c.entry.step_id for c in chips}.isdisjoint(e.step_id for e in rest.hidden)
    assert canvas.day_rect(TUESDAY).contains(rest.rect)
    assert all(not rest.rect.intersects(c.rect) for c in chips)
    assert canvas.more_text(rest) in (f"+{len(rest.hidden)} more", f"+{len(rest.hidden)}")
    tip = canvas.tooltip_at(rest.rect.center())
    assert all(e.campaign in tip for e in rest.hidden)
    win.grab().save(str(shots_dir(tmp_path) / f"calendar-same-time-week-{size[0]}.png"))


def test_clicking_more_lists_the_hidden_steps_and_one_chosen_is_shown_selected(win, qtbot):
    cal = week_of_the_fourteen(win, (1024, 640))
    canvas = cal.canvas
    (rest,) = canvas.layout_chips()[1]
    hidden = [e.step_id for e in rest.hidden]
    QTest.mouseClick(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     rest.rect.center().toPoint())
    menu = canvas.findChild(QMenu, "calendarMore")
    qtbot.waitUntil(menu.isVisible)
    assert [a.data() for a in menu.actions()] == hidden
    assert all("10:00 Email · Holiday countdown" in a.text() for a in menu.actions())
    last = menu.actions()[-1]
    last.trigger()
    menu.close()
    assert cal.selected == hidden[-1]
    assert canvas.chip_rect(hidden[-1]) is not None  # on screen, with its ring, in place of another
    (still_more,) = canvas.layout_chips()[1]
    assert len(still_more.hidden) == len(hidden) and hidden[-1] not in [e.step_id for e in still_more.hidden]
    with qtbot.waitSignal(cal.entryActivated) as opened:
        QTest.keyClick(canvas, Qt.Key.Key_Return)
    assert opened.args == [hidden[-1]]


def test_tab_reaches_every_step_of_the_crowded_day_each_shown_in_turn(win, qtbot):
    cal = week_of_the_fourteen(win, (1024, 640))
    canvas = cal.canvas
    canvas.setFocus()
    reached = []
    for _ in range(14):
        QTest.keyClick(canvas, Qt.Key.Key_Tab)
        reached.append(cal.selected)
        assert canvas.chip_rect(cal.selected) is not None, "the step the keys reached is not drawn"
        assert canvas.accessibleDescription().startswith(cal.entry(cal.selected).campaign)
    assert sorted(reached) == sorted(e.step_id for e in cal.shown_entries())
    QTest.keyClick(canvas, Qt.Key.Key_Tab)  # past the last one: the keys move on
    assert cal.selected is None


def test_the_menu_key_opens_the_list_beside_the_step_the_keys_reached(win, qtbot):
    cal = week_of_the_fourteen(win, (1024, 640))
    canvas = cal.canvas
    canvas.setFocus()
    QTest.keyClick(canvas, Qt.Key.Key_Tab)
    first = cal.selected
    (rest,) = canvas.layout_chips()[1]
    QTest.keyClick(canvas, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
    menu = canvas.findChild(QMenu, "calendarMore")
    qtbot.waitUntil(menu.isVisible)
    assert [a.data() for a in menu.actions()] == [e.step_id for e in rest.hidden]
    QTest.keyClick(menu, Qt.Key.Key_Down)
    QTest.keyClick(menu, Qt.Key.Key_Down)
    QTest.keyClick(menu, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not menu.isVisible())
    assert cal.selected == rest.hidden[1].step_id != first
    assert canvas.chip_rect(cal.selected) is not None
    QTest.keyClick(canvas, Qt.Key.Key_Menu)  # the list beside it now holds the first one
    qtbot.waitUntil(menu.isVisible)
    assert first in [a.data() for a in menu.actions()]
    menu.close()


def test_the_month_still_sends_its_more_to_the_week_and_its_keys_reach_every_step(win, qtbot):
    cal = week_of_the_fourteen(win, (1024, 640))
    cal.set_view(MONTH)
    canvas = cal.canvas
    (rest,) = canvas.layout_chips()[1]
    assert rest.day == TUESDAY
    canvas.setFocus()
    reached = []
    for _ in range(14):
        QTest.keyClick(canvas, Qt.Key.Key_Tab)
        reached.append(cal.selected)
    assert len(set(reached)) == 14
    QTest.keyClick(canvas, Qt.Key.Key_Tab)
    assert cal.selected is None
    (rest,) = canvas.layout_chips()[1]
    QTest.mouseClick(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     rest.rect.center().toPoint())
    assert cal.view() == WEEK and cal.visible_range() == (date(2026, 12, 14), date(2026, 12, 20))


def test_two_steps_at_the_same_time_still_share_a_wide_column(win, qtbot):
    """Overlaps that fit keep sitting side by side, with no "+N more"."""
    cal = week_of_the_fourteen(win, (1920, 1080))
    ws = win.workspace
    for name in NAMES[2:]:
        save_campaign(ws, name, message="Gifts", steps=[{"channel": "email", "at": "2026-12-16T10:00",
                                                         "timezone": NY}], replace=True)
    cal.go_to(date(2026, 12, 14))
    cal.set_view(MONTH)
    cal.set_view(WEEK)  # read again
    canvas = cal.canvas
    chips, more = canvas.layout_chips()
    chips = [c for c in chips if c.local.date() == TUESDAY]
    assert [m.day for m in more] == [date(2026, 12, 16)] and len(chips) == 2
    left, right = sorted((c.rect for c in chips), key=lambda r: r.left())
    assert left.right() < right.left() and left.top() == right.top()
    assert canvas.chip_at(QPoint(int(right.center().x()), int(right.center().y()))) is not None


def test_the_more_list_orders_numbered_names_by_their_numbers_after_their_times(still, demo_window, qtbot):
    """Campaigns named "Step 1" to "Step 12" at one time were listed as text reads them (1, 10, 11,
    12, 2, ...); they come by their numbers, case aside, and a step a quarter later still after."""
    ws = demo_window.workspace
    save_message(ws, "Gifts", {"headline": "Gifts", "link": "https://shop.example/gifts"}, channels=["email"])
    names = [f"{'step' if n % 3 == 0 else 'Step'} {n}" for n in range(1, 13)]
    for name in reversed(names):
        save_campaign(ws, name, message="Gifts", steps=[{"channel": "email", "at": "2026-12-15T10:00",
                                                         "timezone": NY}])
    save_campaign(ws, "Step 0 reminder", message="Gifts", steps=[{"channel": "email", "at": "2026-12-15T10:15",
                                                                  "timezone": NY}])
    demo_window.resize(1024, 640)
    demo_window.show_screen("campaigns")
    view = demo_window.screens["campaigns"]
    view.tabs.setCurrentWidget(view.calendar_host)
    cal = view.calendar
    cal.set_view(WEEK)
    cal.go_to(TUESDAY)
    QApplication.processEvents()
    canvas = cal.canvas
    chips, (rest,) = canvas.layout_chips()
    shown = [c.entry.campaign for c in chips if c.local.date() == TUESDAY]
    QTest.mouseClick(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     rest.rect.center().toPoint())
    menu = canvas.findChild(QMenu, "calendarMore")
    qtbot.waitUntil(menu.isVisible)
    listed = [cal.entry(a.data()).campaign for a in menu.actions()]
    menu.close()
    assert listed[-1] == "Step 0 reminder", listed  # a quarter later: after those at 10:00
    assert shown + listed[:-1] == names, (shown, listed)
    assert "Step 10" in listed and listed.index("step 9") < listed.index("Step 10") < listed.index("step 12")
