"""Where the keyboard is after a change made by keys: on what a keyboard user works on next."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox

from omnidesk.core.messages import store
from tests.ui.questions import when_asked


def active(qtbot, win) -> None:
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)


def type_in_next_input(text: str, done: list) -> None:
    """When the next text question opens, type ``text`` in it and press Enter."""

    def answer(tries: int = 200) -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QInputDialog) or QApplication.focusWidget() is None \
                or QApplication.focusWidget().window() is not box:
            if box is not None:
                box.activateWindow()
            if tries:
                QTimer.singleShot(20, lambda: answer(tries - 1))
            return
        QTest.keyClicks(QApplication.focusWidget(), text)
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
        done.append(text)

    QTimer.singleShot(0, answer)


def test_a_campaign_made_from_the_empty_screen_leaves_the_keyboard_on_its_name(demo_window, qtbot):
    win = demo_window
    store.save_message(win.workspace, "Sale", {"headline": "Spring sale", "link": "https://shop.example/s"},
                       channels=["sms"])
    active(qtbot, win)
    QTest.keySequence(win, QKeySequence("Ctrl+4"))
    view = win.screens["campaigns"]
    assert QApplication.focusWidget() is view.empty.button
    done: list = []
    type_in_next_input("Spring push", done)
    QTest.keyClick(view.empty.button, Qt.Key.Key_Return)
    assert done == ["Spring push"]
    active(qtbot, win)
    assert view.current is not None and view.current.name == "Spring push"
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.editor.name)
    qtbot.wait(50)  # and it stays there once the window has the keys back
    assert QApplication.focusWidget() is view.editor.name
    # Tab goes on through the campaign, not from the tabs above it.
    QTest.keyClick(view.editor.name, Qt.Key.Key_Tab)
    assert view.editor.isAncestorOf(QApplication.focusWidget())


def erase_by_keys(qtbot, win) -> None:
    """On a customer's card: Tab to Erase person…, Space, and Erase in the question."""
    view = win.customer_view
    for _ in range(40):
        if QApplication.focusWidget() is view.erase_person_button:
            break
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is view.erase_person_button

    def answer(box: QMessageBox) -> None:
        erase = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole)
        erase.setFocus()
        QTest.keyClick(erase, Qt.Key.Key_Space)

    when_asked(answer, tries=200)
    QTest.keyClick(view.erase_person_button, Qt.Key.Key_Space)


@pytest.mark.parametrize("where, big", [("middle", False), ("last", False), ("middle", True)])
def test_after_an_erase_from_the_card_the_list_is_at_the_row_where_they_were(demo_window, qtbot, monkeypatch, where,
                                                                            big):
    from omnidesk.ui.views import customers_view

    win = demo_window
    customers = win.screens["customers"]
    if big:  # a list read again in the background (past 20,000 customers): the row once it is found
        monkeypatch.setattr(customers_view, "BACKGROUND_FILTER", 0)
    monkeypatch.setattr(win.customer_view, "show_info", lambda *a: None)  # the "Erased …" note
    active(qtbot, win)
    QTest.keySequence(win, QKeySequence("Ctrl+1"))
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Down)  # from the search box into the list
    table = customers.table
    assert QApplication.focusWidget() is table
    for _ in range(4):
        QTest.keyClick(table, Qt.Key.Key_Down)
    if where == "last":
        QTest.keyClick(table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    rows = customers.model.rowCount()
    row = table.currentIndex().row()
    assert row == (4 if where == "middle" else rows - 1)
    erased = customers.model.customer_id(row)
    after = customers.model.customer_id(row + 1) if where == "middle" else customers.model.customer_id(row - 1)
    QTest.keyClick(table, Qt.Key.Key_Return)
    assert win.current_screen() == "customer" and win.customer_view.customer_id == erased

    erase_by_keys(qtbot, win)
    active(qtbot, win)
    qtbot.waitUntil(lambda: not customers.filtering(), timeout=10_000)
    assert win.current_screen() == "customers" and customers.model.rowCount() == rows - 1
    landed = row if where == "middle" else rows - 2
    assert table.currentIndex().row() == landed and customers.model.customer_id(landed) == after
    assert customers.selected_ids() == [after]
    assert QApplication.focusWidget() is table
    QTest.keyClick(table, Qt.Key.Key_Up)
    assert table.currentIndex().row() == landed - 1


def test_the_erase_says_whose_notes_it_took_them_out_of(demo_window, qtbot, monkeypatch):
    from omnidesk.core.notes import set_customer_notes

    win = demo_window
    customers = win.screens["customers"]
    with win.workspace.engine.connect() as conn:
        who, phone = conn.exec_driver_sql(
            "SELECT id, phone FROM customer WHERE phone LIKE '+1%' ORDER BY id LIMIT 1").one()
        other = conn.exec_driver_sql("SELECT id FROM customer WHERE id != ? ORDER BY id LIMIT 1", (who,)).scalar()
    set_customer_notes(win.workspace, other, f"Referred by a friend, call them on {phone}")
    said = []
    monkeypatch.setattr(win.customer_view, "show_info", lambda title, text: said.append(text))
    active(qtbot, win)
    win.show_screen("customers")
    win.look_for_outside_changes()
    win.open_customer(who)
    erase_by_keys(qtbot, win)
    qtbot.waitUntil(lambda: bool(said), timeout=5000)
    assert "taken out of the notes on 1 other customer's card." in said[0]
    assert customers.model.rowCount() > 0
