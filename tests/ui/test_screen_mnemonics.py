"""Alt and a letter reaches each control of the Campaigns and the Messages screens: one letter a
control on a screen, none the menu bar's (File, Edit, View, Help)."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel

from omnidesk.core.campaigns import campaign as core
from omnidesk.core.messages import store

NY = "America/New_York"


def letter(text: str) -> str | None:
    found = re.search(r"(?<!&)&([^&])", text or "")
    return found.group(1).casefold() if found else None


def menu_letters(window) -> set[str]:
    return {letter(a.text()) for a in window.menuBar().actions()} - {None}


def screen_letters(view) -> dict[str, list[str]]:
    """Each Alt letter of the controls shown on ``view``, with the texts that use it."""
    used: dict[str, list[str]] = {}
    for widget in [*view.findChildren(QAbstractButton), *view.findChildren(QLabel)]:
        if widget.isVisibleTo(view.window()):
            key = letter(widget.text())
            if key:
                used.setdefault(key, []).append(widget.text())
    return used


def alt(key) -> None:
    QTest.keyClick(QApplication.focusWidget(), key, Qt.KeyboardModifier.AltModifier)


@pytest.fixture
def shown(demo_window, qtbot):
    demo_window.resize(1024, 640)
    demo_window.activateWindow()
    qtbot.waitUntil(demo_window.isActiveWindow)
    ws = demo_window.workspace
    store.save_message(ws, "Sale", {"headline": "Sale", "offer_code": "S20", "link": "https://shop.example/s"})
    core.save_campaign(ws, "C", message="Sale", steps=[{"channel": "email", "at": "2027-04-01T10:00", "timezone": NY}])
    return demo_window



def assert_letters_unique(view, window) -> None:
    """No Alt letter on ``view`` is used twice, nor one of the menu bar's."""
    used = screen_letters(view)
    assert {k: v for k, v in used.items() if len(v) > 1} == {}
    assert not set(used) & menu_letters(window), "a letter of the menu bar"

def test_each_alt_letter_of_the_campaigns_screen_reaches_its_own_control(shown, qtbot, monkeypatch):
    shown.show_screen("campaigns")
    view = shown.screens["campaigns"]
    view.refresh()
    view.select("C")
    assert_letters_unique(view, shown)
    asked = []
    monkeypatch.setattr(view, "ask_text", lambda title, *a, **k: asked.append(title) or None)
    statuses = []
    monkeypatch.setattr(view, "set_status", statuses.append)

    def press(key):
        view.table.setFocus()
        alt(key)
        qtbot.wait(250)  # a mnemonic clicks a button as a click does, animated
        return QApplication.focusWidget()

    assert press(Qt.Key.Key_W) is not None and asked == ["New campaign"]
    asked.clear()
    assert press(Qt.Key.Key_N) is view.editor.name and asked == []  # the name, no longer New
    assert press(Qt.Key.Key_D) is not None and asked and asked[-1].startswith("Duplicate")
    assert press(Qt.Key.Key_T) is view.editor.holdout  # Hold out, not the Help menu
    assert press(Qt.Key.Key_O) is view.editor.mode
    assert press(Qt.Key.Key_U) is view.editor.audience
    press(Qt.Key.Key_C)
    assert statuses == ["scheduled"]  # Schedule, not Save
    view.editor.goal.setText("goal typed")
    press(Qt.Key.Key_S)
    assert core.get_campaign(shown.workspace, "C").goal == "goal typed" and statuses == ["scheduled"]


def test_each_alt_letter_of_the_messages_screen_reaches_its_own_control(shown, qtbot, monkeypatch):
    from omnidesk.ui.views.messages.history import HistoryDialog

    shown.show_screen("messages")
    view = shown.screens["messages"]
    view.refresh()
    view.select("Sale")
    assert_letters_unique(view, shown)
    opened = []
    monkeypatch.setattr(HistoryDialog, "exec", lambda self: opened.append(self.windowTitle()) or 0)

    def press(key):
        view.list.setFocus()
        alt(key)
        qtbot.wait(250)  # a mnemonic clicks a button as a click does, animated
        return QApplication.focusWidget()

    assert press(Qt.Key.Key_D) is view.master.edits["headline"]
    assert press(Qt.Key.Key_B) is view.master.edits["body"]
    assert press(Qt.Key.Key_L) is view.master.edits["link"]
    press(Qt.Key.Key_T)
    assert len(opened) == 1  # History…


def test_each_alt_letter_of_the_customers_screen_and_its_rule_panel_reaches_its_own_control(
        shown, qtbot, monkeypatch):
    # The other screens' letters are there too, hidden: only the screen in sight answers.
    for other in ("campaigns", "messages", "customers"):
        shown.show_screen(other)
    view = shown.screens["customers"]
    builder = view.builder
    asked = []
    monkeypatch.setattr(shown, "ask_segment_name", lambda *a, **k: asked.append(a) or None)

    def press(key):
        view.table.setFocus()
        alt(key)
        qtbot.wait(250)  # a mnemonic clicks a button as a click does, animated
        QApplication.processEvents()

    assert not view.filter_panel.isVisible()
    press(Qt.Key.Key_T)  # Filter…: Alt+F is the File menu
    assert view.filter_panel.isVisible() and view.filter_button.isChecked()
    press(Qt.Key.Key_A)
    assert len(builder.root.rows) == 1 and QApplication.focusWidget() is builder.root.rows[0].field
    press(Qt.Key.Key_G)
    group = builder.root.rows[-1]
    assert len(builder.root.rows) == 2 and QApplication.focusWidget() is group.match
    # With a nested group in sight (its own Add condition), no letter is used twice nor the menu bar's.
    assert_letters_unique(view, shown)
    press(Qt.Key.Key_A)  # the top group's, not the nested one's
    assert len(builder.root.rows) == 3 and len(group.rows) == 1
    builder.set_rule({"all": [{"field": "orders", "op": "gte", "value": 2}]})
    press(Qt.Key.Key_S)
    assert len(asked) == 1  # Save as segment… asked for a name
    press(Qt.Key.Key_C)
    assert builder.rule() is None and builder.root.rows == []
    press(Qt.Key.Key_T)
    assert not view.filter_panel.isVisible()
