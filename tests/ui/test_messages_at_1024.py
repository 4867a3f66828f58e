"""The Messages screen at its smallest window, 1024 x 640: every channel tab in sight with its marks,
the customer search usable beside a long name picked to preview for, a message's count of variants to
re-sync whole at the end of its row."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionViewItem, QToolButton

from omnidesk.core.edits import add_customer
from omnidesk.core.messages import store
from omnidesk.core.messages.derive import VARIANT_CHANNELS
from omnidesk.core.workspace import Workspace
from tests.ui.in_sight import in_sight

# No call to action, a first name without a fallback: every variant made from it has a warning.
MASTER = {"headline": "Autumn candles", "body": "Hi {first_name}, our autumn candles are back.",
          "offer_code": "AUTUMN20", "offer_value": "20% off", "link": "https://shop.example.com/autumn"}


@pytest.fixture
def ws(tmp_path, empty_workspace_file):
    shutil.copyfile(empty_workspace_file, tmp_path / "shop.omnidesk")
    return Workspace.open(tmp_path / "shop.omnidesk")


def messages_at_1024(window, ws):
    assert window.set_workspace(ws)
    window.resize(1024, 640)
    window.show_screen("messages")
    settle()
    return window.screens["messages"]


def settle() -> None:
    """The layouts a change asked for done, as the window shows them."""
    for _ in range(3):
        QApplication.sendPostedEvents()
        QApplication.processEvents()


def test_the_five_tabs_show_whole_with_their_marks_and_say_them_all_in_words(window, ws):
    store.save_message(ws, "Launch", MASTER)
    # The master's offer code changed: every variant out of date, and missing the new code (an error).
    store.save_message(ws, "Launch", dict(MASTER, offer_code="FALL25"), replace=True)
    view = messages_at_1024(window, ws)
    bar = view.tabs.tabBar()
    assert bar.count() == 5
    assert all("↻" in bar.tabText(i) and "✖" in bar.tabText(i) for i in range(5))
    assert in_sight(bar)
    assert not any(b.isVisible() for b in bar.findChildren(QToolButton))  # no scroll arrows
    for i in range(5):
        rect = bar.tabRect(i)
        assert bar.rect().contains(rect), bar.tabText(i)
        # Whole: as wide as its words and marks ask, none cut short.
        assert rect.width() >= bar.tabSizeHint(i).width(), bar.tabText(i)
    # What a tab no longer counts on its face is said in its tooltip and its accessible name.
    sms = view.tabs.indexOf(view.panels["sms"])
    assert "⚠" not in bar.tabText(sms) and "⚠ 1 warning" in bar.tabToolTip(sms)
    assert bar.accessibleTabName(sms) == "SMS, out of date, 1 error to fix, 1 warning"


LONG_NAME = "Maximiliana Josephina Alexandrina Featherstonehaugh-Cholmondeley-Worthington"


def test_a_long_name_to_preview_for_leaves_the_search_field_its_room(window, ws, qtbot):
    add_customer(ws, {"first_name": "Maximiliana Josephina Alexandrina",
                      "last_name": "Featherstonehaugh-Cholmondeley-Worthington"})
    store.save_message(ws, "Launch", MASTER)
    assert window.set_workspace(ws)
    window.resize(1024, 640)
    window.show_screen("messages")
    view = window.screens["messages"]
    picker, search = view.preview_for, view.find_customer
    # Found before the screen is first laid out: the box measures its items then (as it does again
    # when the desktop's font or style changes), the long name with them.
    qtbot.keyClicks(search, "Maximiliana")
    qtbot.keyClick(search, Qt.Key.Key_Return)
    settle()
    assert picker.currentText() == LONG_NAME
    assert search.width() >= 20 * search.fontMetrics().averageCharWidth(), search.width()
    assert in_sight(search) and in_sight(picker)
    assert picker.width() <= 32 * picker.fontMetrics().horizontalAdvance("X")
    # The name shows shortened in the box, whole in its tooltip and in the list's.
    assert picker.shown_text().endswith("…") and LONG_NAME.startswith(picker.shown_text()[:-1])
    assert picker.toolTip() == LONG_NAME
    assert picker.itemData(picker.currentIndex(), Qt.ItemDataRole.ToolTipRole) == LONG_NAME


def shown_words(view_list, row: int) -> str:
    """A row's words as the list shows them: its delegate's, shortened to the row as the style draws
    them, and only as far as the list's viewport lets them be seen."""
    item = view_list.item(row)
    option = QStyleOptionViewItem()
    option.initFrom(view_list)
    option.rect = view_list.visualItemRect(item)
    option.textElideMode = view_list.textElideMode()
    option.widget = view_list
    view_list.itemDelegate().initStyleOption(option, view_list.indexFromItem(item))
    style = view_list.style()
    text = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, option, view_list)
    margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view_list) + 1
    words = option.fontMetrics.elidedText(option.text, option.textElideMode, text.width() - 2 * margin)
    seen = view_list.viewport().width() - (text.x() + margin)
    while words and option.fontMetrics.horizontalAdvance(words) > seen:
        words = words[:-1]
    return words


def test_a_long_message_name_leaves_its_count_to_re_sync_in_sight(window, ws):
    long = "Autumn launch for the whole northern region, with the extras"
    store.save_message(ws, long, MASTER)
    store.save_message(ws, long, dict(MASTER, offer_code="FALL25"), replace=True)
    store.save_message(ws, "Sale", MASTER)
    store.save_message(ws, "Sale", dict(MASTER, offer_code="FALL25"), replace=True)
    view = messages_at_1024(window, ws)
    rows = {view.list.item(r).data(Qt.ItemDataRole.UserRole): r for r in range(view.list.count())}
    shown = shown_words(view.list, rows[long])
    assert shown.startswith("✖ Autumn") and "…" in shown and shown.endswith("· 5 to re-sync"), shown
    assert shown_words(view.list, rows["Sale"]) == "✖ Sale  · 5 to re-sync"  # short: nothing cut
    tip = view.list.item(rows[long]).toolTip()
    assert tip.startswith(long) and "5 variants to re-sync: Email, SMS, Facebook, Instagram, In-store poster" in tip


def many_channels(ws, channels: list[str]) -> None:
    """A message on ``channels``, its master changed since: every tab carries ↻ and a count."""
    store.save_message(ws, "Launch", MASTER, channels=channels)
    store.save_message(ws, "Launch", dict(MASTER, offer_code="FALL25"), replace=True)


@pytest.mark.parametrize("channels", [
    list(VARIANT_CHANNELS),
    ["email", "sms", "facebook", "instagram", "x", "store", "website"],
], ids=["all eleven", "seven"])
def test_more_tabs_than_room_keep_their_names_and_marks_and_scroll(window, ws, qtbot, channels):
    many_channels(ws, channels)
    view = messages_at_1024(window, ws)
    bar = view.tabs.tabBar()
    assert bar.count() == len(channels)
    for i in range(bar.count()):
        # Whole, never cut to "E…l" or "X…1": the row scrolls instead.
        assert bar.tabRect(i).width() >= bar.tabSizeHint(i).width(), bar.tabText(i)
        assert "↻" in bar.tabText(i) and "✖" in bar.tabText(i)
    arrows = [b for b in bar.findChildren(QToolButton) if b.isVisible()]
    assert arrows, "no arrows to scroll the tabs with"
    # The editor no wider than the room it has: the buttons beside and above the tabs are in sight.
    assert view.scroll.widget().width() <= view.scroll.viewport().width()
    assert in_sight(view.add_channel_button) and in_sight(view.history_button)
    assert in_sight(view.tabs.cornerWidget())
    # By keys alone every tab is reached, and the one reached is scrolled into sight.
    bar.setFocus()
    for i in range(1, bar.count()):
        qtbot.keyClick(bar, Qt.Key.Key_Right)
        settle()
        assert bar.currentIndex() == i
        assert bar.rect().contains(bar.tabRect(i)), bar.tabText(i)
        assert in_sight(bar, bar.tabRect(i)), bar.tabText(i)
    assert view.tabs.currentWidget() is view.panels[channels[-1]]


def test_eleven_tabs_on_a_large_screen_need_no_arrows(window, ws):
    many_channels(ws, list(VARIANT_CHANNELS))
    assert window.set_workspace(ws)
    window.resize(1920, 1080)
    window.show_screen("messages")
    settle()
    view = window.screens["messages"]
    bar = view.tabs.tabBar()
    assert not any(b.isVisible() for b in bar.findChildren(QToolButton))
    for i in range(bar.count()):
        assert bar.rect().contains(bar.tabRect(i)) and bar.tabRect(i).width() >= bar.tabSizeHint(i).width()
    assert in_sight(view.add_channel_button) and in_sight(view.history_button)
