"""Enter presses the focused push button, as Space does, on every screen."""

from __future__ import annotations

import shutil

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from omnidesk.core import paths


def active(qtbot, win) -> None:
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)


def tab_to(button) -> None:
    """Tab, as a keyboard user does, until ``button`` has the focus."""
    for _ in range(80):
        if QApplication.focusWidget() is button:
            return
        QTest.keyClick(QApplication.focusWidget() or button.window(), Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never reached {button.text()!r}")


def enter() -> None:
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)


def test_enter_on_the_welcome_buttons(window, qtbot, monkeypatch, demo_template):
    active(qtbot, window)
    errors = []
    monkeypatch.setattr(window, "ask_open_path", lambda: paths.demo_workspace_path().with_suffix(".txt"))
    monkeypatch.setattr(window, "show_error", lambda title, text: errors.append(title))
    tab_to(window.welcome.open_button)
    enter()
    assert errors  # Open… asked for a workspace (and said the one chosen is none)
    target = paths.demo_workspace_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(demo_template, target)
    tab_to(window.welcome.demo_button)
    enter()
    assert window.workspace is not None and window.workspace.path == target


def test_enter_on_the_review_buttons(demo_window, qtbot):
    win = demo_window
    active(qtbot, win)
    QTest.keySequence(win, QKeySequence("Ctrl+2"))
    review = win.screens["review"]
    assert review.pairs.count() > 3

    first = review.pairs.currentItem().text()
    tab_to(review.skip_button)
    enter()
    assert review.pairs.currentItem().text() != first
    assert win.statusBar().currentMessage().startswith("Skipped ")

    before = review.pairs.count()
    tab_to(review.reject_button)
    enter()
    assert review.pairs.count() == before - 1
    tab_to(review.accept_button)
    enter()
    # The pair merged, and with it any pair its merge answered or folded into another.
    from omnidesk.core.identity.merge import review_count

    assert review.pairs.count() <= before - 2 and review.pairs.count() == review_count(win.workspace)

    tab_to(review.open_buttons[1])
    enter()
    assert win.screen_stack.currentWidget() is win.customer_page
    QTest.keySequence(QApplication.focusWidget(), QKeySequence("Alt+Left"))
    assert win.current_screen() == "review"
    tab_to(review.open_buttons[0])
    enter()
    assert win.screen_stack.currentWidget() is win.customer_page


def test_enter_on_filter_opens_the_filter_panel(demo, qtbot):
    win = demo
    active(qtbot, win)
    QTest.keySequence(win, QKeySequence("Ctrl+1"))
    customers = win.screens["customers"]
    assert not customers.builder.isVisible()
    tab_to(customers.filter_button)
    enter()
    assert customers.filter_button.isChecked() and customers.builder.isVisible()


def test_enter_on_merge_selected_asks_to_merge_them(demo, qtbot, monkeypatch):
    win = demo
    asked = []
    # The question the merge asks is answered no (it is tested elsewhere): what is asked is the point.
    monkeypatch.setattr(win, "confirm", lambda title, text: asked.append(title) or False)
    active(qtbot, win)
    QTest.keySequence(win, QKeySequence("Ctrl+1"))
    customers = win.screens["customers"]
    customers.table.setFocus()
    customers.table.selectRow(0)
    QTest.keyClick(customers.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert len(customers.selected_ids()) == 2 and customers.merge_button.isEnabled()
    tab_to(customers.merge_button)
    enter()
    assert asked == ["Merge customers"]


def test_enter_on_import_files_and_on_the_empty_campaigns_import(demo_window, qtbot, monkeypatch):
    win = demo_window
    active(qtbot, win)
    asked = []
    monkeypatch.setattr(win, "ask_import_files", lambda: asked.append("files") or [])
    win.show_screen("imports")
    win.screens["imports"].table.setFocus()
    tab_to(win.screens["imports"].import_button)
    enter()
    assert asked == ["files"]

    campaigns = win.screens["campaigns"]
    monkeypatch.setattr(campaigns, "ask_open_json", lambda: asked.append("plan") or None)
    QTest.keySequence(QApplication.focusWidget(), QKeySequence("Ctrl+4"))
    assert campaigns.empty.isVisible()
    tab_to(campaigns.empty_import)
    enter()
    assert asked == ["files", "plan"]



def test_every_push_button_of_the_main_screens_takes_enter(demo, qtbot):
    """What the README says: Enter presses the focused button on every screen (outside a dialog a
    push button takes only Space unless it is auto-default)."""
    from PySide6.QtWidgets import QDialog, QPushButton

    win = demo
    for key in list(win.screens):  # every screen built and filled
        win.show_screen(key)
        qtbot.wait(50)
    deaf = set()
    for button in win.findChildren(QPushButton):
        parent, in_dialog, where = button.parentWidget(), False, []
        while parent is not None:
            in_dialog = in_dialog or isinstance(parent, QDialog)
            where.append(type(parent).__name__)
            parent = parent.parentWidget()
        takes_keys = button.focusPolicy() != Qt.FocusPolicy.NoFocus
        if takes_keys and not in_dialog and not (button.autoDefault() or button.isDefault()):
            deaf.add(f"{button.text() or button.objectName() or button.toolTip()} ({'/'.join(where[:3])})")
    assert not deaf, sorted(deaf)
