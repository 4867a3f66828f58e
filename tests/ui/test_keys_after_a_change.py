"""Where the keyboard is after a change made by keys: on what a keyboard user works on next."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QInputDialog

from omnidesk.core.messages import store


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
