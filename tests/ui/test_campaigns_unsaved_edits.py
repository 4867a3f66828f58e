"""What is typed in the campaign editor and not saved yet is never thrown away unasked: every
action that would show another campaign in the editor asks first, as picking one in the list does."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from omnidesk.core.campaigns import campaign as core
from tests.helpers import errors_fail
from tests.ui.winter_sale import NY, winter_sale_window

STEP = {"channel": "email", "at": "2026-12-03T10:00", "timezone": NY}
QUESTION = ("Unsaved changes", "Leave “Winter sale” without saving what you changed?")


@pytest.fixture
def win(window, tmp_path, empty_workspace_file):
    with winter_sale_window(window, tmp_path, empty_workspace_file, [STEP]) as win:
        yield win


@pytest.fixture
def view(win, monkeypatch, qtbot):
    v = win.screens["campaigns"]
    errors_fail(monkeypatch, v, win)
    v.select("Winter sale")
    v.asked = []
    v.answer = False  # Cancel: stay with what was typed
    monkeypatch.setattr(v, "confirm", lambda *a: v.asked.append(a) or v.answer)
    v.editor.goal.setText("Clear the winter stock")  # typed…
    v.editor.steps.add_button.click()  # …and a step added, neither saved
    assert v._dirty()
    return v


def undo_text(win) -> str:
    return win.undo_action.text().replace("&", "")


def still_typed(view) -> None:
    assert view.current.name == "Winter sale" and view.title.text() == "Winter sale"
    assert view.editor.goal.text() == "Clear the winter stock" and len(view.editor.steps.rows) == 2
    assert view.save_button.isEnabled()


def press(qtbot, button) -> None:
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)


def test_duplicate_asks_before_it_leaves_what_was_typed(win, view, monkeypatch, qtbot):
    named = []
    monkeypatch.setattr(view, "ask_text", lambda *a, **k: named.append(a) or "Winter sale (copy)")
    press(qtbot, view.duplicate_button)
    assert view.asked == [QUESTION] and named == []  # asked before anything else
    still_typed(view)
    assert [c.name for c in core.list_campaigns(win.workspace)] == ["Winter sale"]
    assert undo_text(win) == "Undo new campaign Winter sale"
    view.answer = True  # leave without saving: the copy, of the saved plan, is shown
    press(qtbot, view.duplicate_button)
    assert len(view.asked) == 2 and view.current.name == "Winter sale (copy)"
    assert len(view.editor.steps.rows) == 1 and view.editor.goal.text() == ""
    assert core.get_campaign(win.workspace, "Winter sale").goal == ""


def test_new_asks_before_it_leaves_what_was_typed(win, view, monkeypatch, qtbot):
    monkeypatch.setattr(view, "ask_text", lambda *a, **k: "Spring")
    press(qtbot, view.new_button)
    assert view.asked == [QUESTION]
    still_typed(view)
    assert [c.name for c in core.list_campaigns(win.workspace)] == ["Winter sale"]
    view.answer = True
    press(qtbot, view.new_button)
    assert view.current.name == "Spring" and undo_text(win) == "Undo new campaign Spring"


def test_a_plan_imported_asks_before_it_leaves_what_was_typed(win, view, monkeypatch, qtbot, tmp_path):
    plan = tmp_path / "spring.json"
    plan.write_text(json.dumps({"name": "Spring", "message": "Sale", "steps": [STEP]}), encoding="utf-8")
    chosen = []
    monkeypatch.setattr(view, "ask_open_json", lambda: chosen.append(plan) or plan)
    press(qtbot, view.import_button)
    assert view.asked == [QUESTION] and chosen == []  # no file asked for either
    still_typed(view)
    assert [c.name for c in core.list_campaigns(win.workspace)] == ["Winter sale"]
    view.answer = True
    press(qtbot, view.import_button)
    assert view.current.name == "Spring" and undo_text(win) == "Undo import spring.json"


def test_a_step_opened_from_the_calendar_asks_before_it_leaves_what_was_typed(win, view):
    win.operations.change_campaigns("new campaign Spring", lambda w: core.save_campaign(
        w, "Spring", message="Sale", steps=[{"channel": "sms", "at": "2026-12-05T10:00", "timezone": NY}]))
    still_typed(view)  # another campaign made meanwhile: what was typed stays
    view.tabs.setCurrentWidget(view.calendar_host)
    steps = {e.campaign: e.step_id for e in view.calendar.entries()}
    view.calendar.entryActivated.emit(steps["Winter sale"])  # its own step: the editor, as typed
    assert view.asked == [] and view.tabs.currentIndex() == 0
    still_typed(view)
    view.tabs.setCurrentWidget(view.calendar_host)
    view.calendar.entryActivated.emit(steps["Spring"])
    assert view.asked == [QUESTION] and view.tabs.currentWidget() is view.calendar_host
    still_typed(view)
    view.answer = True
    view.calendar.entryActivated.emit(steps["Spring"])
    assert view.tabs.currentIndex() == 0 and view.current.name == "Spring"


def test_nothing_typed_nothing_asked(win, view, monkeypatch, qtbot):
    view.select("Winter sale")  # shown again as saved
    view.asked.clear()
    monkeypatch.setattr(view, "ask_text", lambda *a, **k: "Winter sale (copy)")
    press(qtbot, view.duplicate_button)
    assert view.asked == [] and view.current.name == "Winter sale (copy)"


def test_closing_the_window_or_opening_another_workspace_asks_first(win, view, tmp_path, empty_workspace_file):
    import shutil

    other = tmp_path / "other.omnidesk"
    shutil.copyfile(empty_workspace_file, other)
    assert not win.open_workspace(other)  # No: the workspace and what was typed stay
    assert view.asked == [QUESTION] and win.workspace.path.name == "shop.omnidesk"
    still_typed(view)
    assert not win.close()
    assert view.asked == [QUESTION, QUESTION]
    still_typed(view)
    view.answer = True  # Yes: it may go
    assert win.open_workspace(other) and win.workspace.path.name == "other.omnidesk"
