"""A step moved on the Calendar tab of the window whose editor has unsaved changes to its campaign
moves in the editor too: it is this window's own change, not one "in another window or command"."""

from __future__ import annotations

from datetime import datetime

import pytest

from omnidesk.core.campaigns import campaign as core
from omnidesk.core.campaigns.calendar import move_step
from omnidesk.core.workspace import Workspace
from tests.helpers import errors_fail
from tests.ui.test_campaigns_screen import set_at
from tests.ui.winter_sale import NY, winter_sale_window

CHANGED = "Winter sale was changed since you opened it (in another window or command)."
HERE = "Winter sale was changed since you opened it (in this window: on the calendar, or by Undo or Redo)."


@pytest.fixture
def win(window, tmp_path, empty_workspace_file):
    with winter_sale_window(window, tmp_path, empty_workspace_file, [
            {"channel": "email", "at": "2026-12-03T10:00", "timezone": NY},
            {"channel": "sms", "at": "2026-12-05T12:00", "timezone": NY}]) as win:
        yield win


@pytest.fixture
def view(win, monkeypatch):
    v = win.screens["campaigns"]
    errors_fail(monkeypatch, v, win)
    v.asked = []
    monkeypatch.setattr(v, "ask_stale", lambda name, gone: v.asked.append(name) or "")
    v.select("Winter sale")
    v.editor.goal.setText("Clear the winter stock")  # typed, not saved yet
    return v


def rows(view) -> list[str]:
    return [r.value()["at"] for r in view.editor.steps.rows]


def stored(win) -> tuple[str, list[str]]:
    data = core.get_campaign(win.workspace, "Winter sale")
    return data.goal, [s.at_local[:16] for s in data.steps]


def move_the_email_on_the_calendar(view) -> None:
    view.tabs.setCurrentWidget(view.calendar_host)
    cal = view.calendar
    email = next(e for e in cal.entries() if e.label == "Email")
    assert cal.request_move(email.step_id, datetime(2026, 12, 4, 10, 0))  # as a drag to the next day does
    view.tabs.setCurrentIndex(0)


def still_typed_and_followed(view, at: list[str]) -> None:
    assert rows(view) == at
    assert view.editor.goal.text() == "Clear the winter stock" and view.save_button.isEnabled()
    assert view.error.isHidden()  # nothing said about a change made elsewhere


def test_a_step_moved_on_the_calendar_moves_in_the_editor_and_save_keeps_both(win, view):
    move_the_email_on_the_calendar(view)
    assert stored(win) == ("", ["2026-12-04T10:00", "2026-12-05T12:00"])
    still_typed_and_followed(view, ["2026-12-04T10:00", "2026-12-05T12:00"])
    view.save_button.click()
    assert view.asked == []  # no question: nothing changed elsewhere
    assert stored(win) == ("Clear the winter stock", ["2026-12-04T10:00", "2026-12-05T12:00"])
    assert not view.save_button.isEnabled()


def test_undo_and_redo_of_the_move_follow_in_the_editor_too(win, view):
    move_the_email_on_the_calendar(view)
    view.tabs.setCurrentWidget(view.calendar_host)
    win.undo_action.trigger()
    assert stored(win) == ("", ["2026-12-03T10:00", "2026-12-05T12:00"])
    still_typed_and_followed(view, ["2026-12-03T10:00", "2026-12-05T12:00"])
    win.redo_action.trigger()
    still_typed_and_followed(view, ["2026-12-04T10:00", "2026-12-05T12:00"])
    win.undo_action.trigger()
    view.save_button.click()
    assert view.asked == []
    assert stored(win) == ("Clear the winter stock", ["2026-12-03T10:00", "2026-12-05T12:00"])


def test_a_step_reordered_in_the_editor_still_gets_its_move(win, view):
    view.editor.steps.rows[1].up.click()  # the SMS first, as typed
    assert rows(view) == ["2026-12-05T12:00", "2026-12-03T10:00"]
    move_the_email_on_the_calendar(view)
    still_typed_and_followed(view, ["2026-12-05T12:00", "2026-12-04T10:00"])


def test_a_step_moved_in_another_window_is_still_asked_about(win, view):
    email = core.get_campaign(win.workspace, "Winter sale").steps[0].id
    with Workspace.open(win.workspace.path) as other:  # another window, the same workspace file
        move_step(other, email, datetime(2026, 12, 4, 10, 0), NY)
    assert win.look_for_outside_changes()
    assert rows(view) == ["2026-12-03T10:00", "2026-12-05T12:00"]  # what the editor had, kept
    assert view.error.isVisible() and view.error.text().startswith(CHANGED)
    view.save_button.click()
    assert view.asked == ["Winter sale"]
    assert stored(win) == ("", ["2026-12-04T10:00", "2026-12-05T12:00"])


def test_a_step_edited_and_moved_on_the_calendar_says_it_was_this_window(win, view):
    """The editor cannot follow a move of a step whose time was typed over: it asks, and says the
    change was made in this window, not "in another window or command"."""
    set_at(view.editor.steps.rows[0], "2026-12-03T11:00")  # the email's time, typed
    move_the_email_on_the_calendar(view)
    assert rows(view) == ["2026-12-03T11:00", "2026-12-05T12:00"]  # what was typed stays
    assert view.error.isVisible()
    assert view.error.text().startswith(HERE)
    view.asked.clear()
    view.ask_stale = lambda name, gone: view.asked.append((name, view.stale_where())) or ""
    view.save_button.click()
    assert view.asked == [("Winter sale", "in this window: on the calendar, or by Undo or Redo")]


def test_a_change_here_then_one_elsewhere_names_both(win, view):
    set_at(view.editor.steps.rows[0], "2026-12-03T11:00")
    move_the_email_on_the_calendar(view)
    sms = core.get_campaign(win.workspace, "Winter sale").steps[1].id
    with Workspace.open(win.workspace.path) as other:  # then another window moves the text
        move_step(other, sms, datetime(2026, 12, 6, 12, 0), NY)
    view.ask_stale = lambda name, gone: view.asked.append((name, view.stale_where())) or ""
    view.save_button.click()  # before this window has looked: the new change is found on Save
    assert view.asked == [("Winter sale", "in this window and in another window or command")]
    assert win.look_for_outside_changes()
    assert view.error.text().startswith(
        "Winter sale was changed since you opened it (in this window and in another window or command).")
