"""Saving a campaign never writes, unasked, over a plan the command line or another window
changed since the editor opened it: the screen says so, and Save offers Reload or Save anyway."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import time_machine
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from omnidesk.cli import main
from omnidesk.core.campaigns import campaign as core
from omnidesk.core.messages import store
from omnidesk.core.workspace import Workspace
from omnidesk.ui.views.campaigns.view import stale_question
from tests.helpers import screen_on_file, stale_answered

NOW = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)
NY = "America/New_York"
ONE = [{"channel": "email", "at": "2027-03-01T10:00", "timezone": NY}]
THREE = [*ONE, {"channel": "sms", "at": "2027-03-03T10:00", "timezone": NY},
         {"channel": "email", "at": "2027-03-08T10:00", "timezone": NY}]
CHANGED = "Spring was changed since you opened it (in another window or command)."


@pytest.fixture
def win(window, tmp_path, new_workspace, monkeypatch):
    with time_machine.travel(NOW, tick=False):
        with new_workspace(tmp_path / "shop.omnidesk") as ws:
            ws.set_setting("timezone", NY)
            store.save_message(ws, "Sale", {"headline": "Sale"})
            core.save_campaign(ws, "Spring", message="Sale", steps=ONE)
        yield screen_on_file(window, ws.path, "campaigns", monkeypatch)


@pytest.fixture
def view(win, monkeypatch):
    v = stale_answered(win.screens["campaigns"], monkeypatch, lambda name, gone: (name, gone))
    v.select("Spring")
    v.editor.goal.setText("Bring back lapsed customers")  # typed, not saved yet
    return v


def import_from_the_command_line(win, tmp_path, capsys) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"name": "Spring", "message": "Sale", "goal": "Agency plan v2", "steps": THREE}))
    assert main(["-w", str(win.workspace.path), "campaign", "import", str(plan)]) == 0
    capsys.readouterr()
    assert win.look_for_outside_changes()  # back in the window


def stored(win) -> tuple[str, int]:
    data = core.get_campaign(win.workspace, "Spring")
    return data.goal, len(data.steps)


def undo_text(win) -> str:
    return win.undo_action.text().replace("&", "")


def test_the_screen_says_the_plan_changed_and_save_asks_before_writing(win, view, tmp_path, capsys):
    import_from_the_command_line(win, tmp_path, capsys)
    assert view.editor.goal.text() == "Bring back lapsed customers"  # what was typed is kept…
    assert view.error.isVisible() and view.error.text().startswith(CHANGED)  # …and said to be over a changed plan
    view.save_button.click()
    assert view.asked == [("Spring", False)]
    assert stored(win) == ("Agency plan v2", 3)  # cancelled: nothing written
    assert view.editor.goal.text() == "Bring back lapsed customers" and view.save_button.isEnabled()
    assert undo_text(win) == "Undo"


def test_reload_shows_the_stored_plan_and_drops_what_was_typed(win, view, tmp_path, capsys):
    import_from_the_command_line(win, tmp_path, capsys)
    view.answer = "reload"
    view.save_button.click()
    assert stored(win) == ("Agency plan v2", 3)
    assert view.editor.goal.text() == "Agency plan v2" and len(view.editor.steps.rows) == 3
    assert not view.save_button.isEnabled() and view.error.isHidden() and undo_text(win) == "Undo"
    view.editor.goal.setText("Now on the stored plan")
    # A change elsewhere that leaves this plan as it is (a new message) is no reason to ask.
    win.operations.change_messages("new message Later", lambda ws: store.save_message(ws, "Later", {"headline": "L"}))
    assert view.error.isHidden()
    view.save_button.click()  # nothing changed since the reload: saved without a question
    assert view.asked == [("Spring", False)] and stored(win) == ("Now on the stored plan", 3)


def test_save_anyway_overwrites_as_one_step_that_undo_takes_back(win, view, tmp_path, capsys):
    import_from_the_command_line(win, tmp_path, capsys)
    view.answer = "overwrite"
    view.save_button.click()
    assert view.asked == [("Spring", False)]
    assert stored(win) == ("Bring back lapsed customers", 1)
    assert undo_text(win) == "Undo edit campaign Spring" and view.error.isHidden()
    win.undo_action.trigger()
    assert stored(win) == ("Agency plan v2", 3)
    win.redo_action.trigger()
    assert stored(win) == ("Bring back lapsed customers", 1)


def test_a_campaign_deleted_elsewhere_is_asked_about_too(win, view):
    with Workspace.open(win.workspace.path) as other:  # another window
        core.delete_campaign(other, "Spring")
    view.save_button.click()
    assert view.asked == [("Spring", True)]
    assert core.list_campaigns(win.workspace) == []
    view.answer = "overwrite"
    view.save_button.click()
    assert stored(win) == ("Bring back lapsed customers", 1)


def rename_elsewhere(win, new: str = "Spring sale") -> None:
    with Workspace.open(win.workspace.path) as other:  # another window, the same workspace file
        core.save_campaign(other, "Autumn", message="Sale", steps=ONE)  # listed before it
        core.rename_campaign(other, "Spring", new)
    assert win.look_for_outside_changes()  # back in the window


def test_a_campaign_renamed_elsewhere_keeps_what_was_typed_under_its_new_name(win, view):
    """Renamed in another window while its plan was being edited: the window looked for it by its old
    name, showed another campaign and dropped what was typed."""
    rename_elsewhere(win)
    assert view.current is not None and view.current.name == "Spring sale"
    assert view.title.text() == "Spring sale" and view.editor.name.text() == "Spring sale"
    assert view.editor.goal.text() == "Bring back lapsed customers" and view.save_button.isEnabled()
    assert view.table.currentItem().data(Qt.ItemDataRole.UserRole) == "Spring sale"
    assert view.error.isVisible()
    assert view.error.text().startswith("Spring sale was changed since you opened it (in another window or command).")
    view.save_button.click()  # Cancel: both kept
    assert view.asked == [("Spring sale", False)]
    assert core.get_campaign(win.workspace, "Spring sale").goal == "" and undo_text(win) == "Undo"
    assert view.editor.goal.text() == "Bring back lapsed customers" and view.save_button.isEnabled()
    view.answer = "overwrite"
    view.save_button.click()
    assert [c.name for c in core.list_campaigns(win.workspace)] == ["Autumn", "Spring sale"]
    assert core.get_campaign(win.workspace, "Spring sale").goal == "Bring back lapsed customers"
    assert undo_text(win) == "Undo edit campaign Spring sale" and view.error.isHidden()


def test_reload_after_a_rename_elsewhere_shows_the_campaign_as_stored(win, view):
    rename_elsewhere(win)
    view.answer = "reload"
    view.save_button.click()
    assert view.asked == [("Spring sale", False)]
    assert view.editor.name.text() == "Spring sale" and view.editor.goal.text() == ""
    assert not view.save_button.isEnabled() and view.error.isHidden()


def test_a_name_typed_over_a_rename_elsewhere_stays_as_typed(win, view):
    view.editor.name.setText("Spring promo")
    rename_elsewhere(win)
    assert view.title.text() == "Spring sale" and view.editor.name.text() == "Spring promo"
    assert view.editor.goal.text() == "Bring back lapsed customers"
    view.answer = "overwrite"
    view.save_button.click()
    assert [c.name for c in core.list_campaigns(win.workspace)] == ["Autumn", "Spring promo"]


def test_a_save_before_the_window_saw_the_rename_asks_and_writes_over_the_renamed_one(win, view):
    """Saved before the window looked again: the rename was taken for a delete, and Save anyway
    made a second campaign under the old name."""
    with Workspace.open(win.workspace.path) as other:
        core.rename_campaign(other, "Spring", "Spring sale")
    view.answer = "overwrite"
    view.save_button.click()
    assert view.asked == [("Spring sale", False)]
    assert [c.name for c in core.list_campaigns(win.workspace)] == ["Spring sale"]
    assert core.get_campaign(win.workspace, "Spring sale").goal == "Bring back lapsed customers"
    assert view.editor.name.text() == "Spring sale" and not view.save_button.isEnabled()


def test_the_core_refuses_a_save_over_a_plan_changed_since(win):
    opened = core.get_campaign(win.workspace, "Spring")
    with Workspace.open(win.workspace.path) as other:
        core.save_campaign(other, "Spring", message="Sale", steps=THREE, replace=True)
    with pytest.raises(core.StaleCampaign, match=CHANGED.replace("(", r"\(").replace(")", r"\)")):
        core.save_campaign(win.workspace, "Spring", message="Sale", steps=ONE, replace=True, expect=opened)
    assert stored(win) == ("", 3)


def test_the_question_names_the_campaign_and_enter_changes_nothing(qtbot):
    box = stale_question(None, "Spring", False)
    text = box.text() + " " + box.informativeText()
    assert CHANGED in text and "Reload" in text and "Save anyway" in text and "Edit › Undo" in text
    assert box.defaultButton() is box.escapeButton()
    assert box.buttonRole(box.defaultButton()) == QMessageBox.ButtonRole.RejectRole
    assert sorted(b.text() for b in box.buttons()) == ["Cancel", "Reload", "Save anyway"]
    box.deleteLater()


def test_the_question_about_a_campaign_named_in_hebrew_reads_left_to_right(qtbot):
    """The same question as Messages asks: the name set apart, the sentence left to right (a
    Hebrew name ran it right to left, its full stop at the left)."""
    from PySide6.QtCore import Qt

    box = stale_question(None, "מבצע אביב", False)
    assert box.text().startswith("\u200e\u2068מבצע אביב\u2069 was changed since you opened it")
    assert box.text().endswith(").")
    assert box.layoutDirection() == Qt.LayoutDirection.LeftToRight
    box.deleteLater()
