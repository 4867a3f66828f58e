"""The customer card's timeline from the keyboard: the keys stand on entries, never on day headers,
and Enter shows an entry's details (items, status, file and row) that only the mouse's tooltip gave."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from omnidesk.ui.models.timeline_model import TimelineModel


@pytest.fixture
def card(demo_window, qtbot):
    """The demo's customer with the most days on their timeline, open on the Timeline tab."""
    with demo_window.workspace.engine.connect() as conn:
        cid = conn.exec_driver_sql(
            "SELECT customer_id FROM event WHERE customer_id IS NOT NULL GROUP BY customer_id "
            "ORDER BY count(DISTINCT substr(occurred_at, 1, 10)) DESC, customer_id LIMIT 1").first()[0]
    demo_window.resize(1024, 640)
    demo_window.open_customer(cid)
    view = demo_window.customer_view
    view.tabs.setCurrentIndex(0)
    qtbot.waitUntil(lambda: view.timeline_list.isVisible())
    view.timeline_list.setFocus(Qt.FocusReason.TabFocusReason)
    return view


def _current(view):
    index = view.timeline_list.currentIndex()
    return index.row(), bool(index.data(TimelineModel.IsHeaderRole))


def test_the_keys_pass_over_day_headers(card):
    view, model, lst = card, card.timeline_model, card.timeline_list
    entries = [r for r in range(model.rowCount()) if not model.is_header(r)]
    assert model.day_count() > 3
    assert _current(view) == (entries[-1], False)
    # Up from the latest entry walks every entry, one a press, and never a header.
    walked = [lst.currentIndex().row()]
    for _ in range(len(entries) - 1):
        QTest.keyClick(lst, Qt.Key.Key_Up)
        row, on_header = _current(view)
        assert not on_header, model.data(lst.currentIndex())
        assert [i.row() for i in lst.selectedIndexes()] == [row]  # the row stood on is marked
        walked.append(row)
    assert walked == entries[::-1]
    QTest.keyClick(lst, Qt.Key.Key_Up)  # at the first entry: nowhere further up
    assert _current(view) == (entries[0], False)
    QTest.keyClick(lst, Qt.Key.Key_Down)
    assert _current(view) == (entries[1], False)
    QTest.keyClick(lst, Qt.Key.Key_End)
    assert _current(view) == (entries[-1], False)
    QTest.keyClick(lst, Qt.Key.Key_Home)
    assert _current(view) == (entries[0], False)
    for key in (Qt.Key.Key_PageDown, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
        before = lst.currentIndex().row()
        QTest.keyClick(lst, key)
        row, on_header = _current(view)
        assert not on_header and row != before
    # A click on a header leaves the entry marked as it was.
    marked = lst.currentIndex().row()
    header = next(r for r in range(model.rowCount()) if model.is_header(r) and r > 0)
    lst.scrollTo(model.index(header))
    QTest.mouseClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=lst.visualRect(model.index(header)).center())
    assert _current(view) == (marked, False)


def test_enter_on_an_entry_shows_its_details_and_escape_puts_them_away(card, qtbot):
    view, model, lst = card, card.timeline_model, card.timeline_list
    window = view.window()
    order = next(r for r in range(model.rowCount())
                 if (e := model.entry(r)) is not None and e.type == "order" and e.details.get("items"))
    QTest.keyClick(lst, Qt.Key.Key_Home)
    while lst.currentIndex().row() < order:
        QTest.keyClick(lst, Qt.Key.Key_Down)
    assert lst.currentIndex().row() == order
    QTest.keyClick(lst, Qt.Key.Key_Return)
    dialog = view.entry_details
    assert dialog is not None and dialog.isVisible()
    assert QApplication.activeModalWidget() is dialog
    tooltip = model.index(order).data(Qt.ItemDataRole.ToolTipRole)
    assert dialog.text.text() == tooltip and "Items:" in tooltip
    # When, as the list shows it: the day as its header says it and the time on the shop's clock,
    # in words, not the stored "2025-07-03T10:00:00-04:00" (the demo's times are on the shop's clock).
    entry = model.entry(order)
    header = next(model.index(r).data() for r in range(order, -1, -1) if model.is_header(r))
    day = header.split(" · ")[0]
    assert re.fullmatch(r"\w+day \d{1,2} \w+ \d{4}", day), day
    when = dialog.text.text().splitlines()[1]
    assert when.startswith(f"{day} {model.index(order).data(TimelineModel.TimeRole)} · "), when
    assert entry.occurred_at not in dialog.text.text() and "as recorded" not in dialog.text.text()
    assert not re.search(r"\d{4}-\d\d-\d\dT", dialog.text.text())
    qtbot.waitUntil(lambda: dialog.isAncestorOf(QApplication.focusWidget()))  # the keys are in it
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: view.entry_details is None)
    assert QApplication.activeModalWidget() is None
    assert window.focusWidget() is lst  # back where the user was
    assert lst.currentIndex().row() == order
    # A double-click does the same.
    entry = model.index(lst.currentIndex().row())
    QTest.mouseDClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=lst.visualRect(entry).center())
    assert view.entry_details is not None and view.entry_details.text.text() == tooltip
    view.entry_details.close_button.click()
    qtbot.waitUntil(lambda: view.entry_details is None)



def test_the_details_keep_the_time_as_recorded_only_where_it_is_not_on_the_shops_clock():
    from zoneinfo import ZoneInfo

    from omnidesk.core.timeline import TimelineEntry

    def details(at: str) -> str:
        entry = TimelineEntry("event", at, None, at[:10], "shop", "order", "Order 1001", None, None)
        model = TimelineModel()
        model.set_entries([entry], ZoneInfo("America/New_York"))
        return model.index(1).data(Qt.ItemDataRole.ToolTipRole).splitlines()[1]

    # On the shop's clock: in words, and nothing more.
    assert details("2025-07-03T10:00:00-04:00") == "Thursday 3 July 2025 10:00 · Shop · Order"
    # A time the shop's clock could not show (kept with an offset of its own) says what was recorded.
    assert details("2025-07-03T14:00:00+00:00") == (
        "Thursday 3 July 2025 14:00 (as recorded: 2025-07-03T14:00:00+00:00) · Shop · Order")


def test_a_screen_reader_reads_a_day_header_as_a_heading_it_can_read_not_unavailable(card):
    """The headers are passed over by the keys, yet read as enabled: a disabled item is announced
    "unavailable" (or "dimmed") before its day."""
    from PySide6.QtGui import QAccessible

    model, lst = card.timeline_model, card.timeline_list
    header = next(r for r in range(model.rowCount()) if model.is_header(r))
    entry = header + 1
    assert model.flags(model.index(header)) & Qt.ItemFlag.ItemIsEnabled
    assert not model.flags(model.index(header)) & Qt.ItemFlag.ItemIsSelectable
    lst_face = QAccessible.queryAccessibleInterface(lst)
    faces = {lst_face.child(i).text(QAccessible.Text.Name): lst_face.child(i) for i in range(lst_face.childCount())}
    day = model.data(model.index(header))
    assert day in faces and not faces[day].state().disabled
    assert not faces[model.data(model.index(entry))].state().disabled
    # Still never stood on: a double-click on it opens nothing, and it is never selected.
    lst.scrollTo(model.index(header))
    QTest.mouseDClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=lst.visualRect(model.index(header)).center())
    assert not lst.currentIndex().data(TimelineModel.IsHeaderRole)
    assert QApplication.activeModalWidget() is None
