"""Edit › Undo and Redo of a message or campaign step never overwrite or delete what the command line
did to the same workspace since: the step is refused, said, and dropped, and nothing is changed."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import time_machine

from omnidesk.core.campaigns import campaign as core
from omnidesk.core.messages import store
from tests.helpers import run_cli

NY = "America/New_York"
NOW = datetime(2027, 1, 15, 17, 0, tzinfo=UTC)


@pytest.fixture
def win(window, ws, monkeypatch):
    with time_machine.travel(NOW, tick=False):
        ws.set_setting("timezone", NY)
        path = ws.path
        ws.close()  # the window opens the file itself, the command line opens its own
        assert window.open_workspace(path)
        told: list[tuple[str, str]] = []
        monkeypatch.setattr(window, "show_error", lambda title, text: told.append((title, text)))
        window.told = told
        yield window


def cli(win, capsys, *args) -> None:
    status, out, err = run_cli(capsys, *args, "-w", win.workspace.path)
    assert status == 0, err


def refused(win, verb: str, what: str) -> str:
    assert len(win.told) == 1, win.told
    title, text = win.told.pop()
    assert title == f"Cannot {verb} {what}"
    assert text.startswith("Changed since") and "removed from Edit › Undo; nothing was changed" in text
    assert not win.operations.stack.canUndo() and not win.operations.stack.canRedo()  # dropped
    return text


def plan(tmp_path, goal: str, *days: int):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"name": "Spring", "message": "Sale", "goal": goal, "steps": [
        {"channel": "email", "at": f"2027-03-{d:02d}T10:00", "timezone": NY} for d in days]}))
    return path


def test_undoing_a_new_message_leaves_a_campaign_the_command_line_made_with_it(win, monkeypatch, capsys, tmp_path):
    view = win.show_screen("messages") or win.screens["messages"]
    monkeypatch.setattr(view, "ask_text", lambda *a, **k: "Sale")
    view.new_message()
    assert win.undo_action.text().replace("&", "") == "Undo new message Sale"
    cli(win, capsys, "campaign", "import", plan(tmp_path, "from the command line", 1))
    assert core.get_campaign(win.workspace, "Spring").message == "Sale"

    win.undo_action.trigger()  # deleting the message would have unlinked the campaign

    text = refused(win, "undo", "new message Sale")
    assert "campaign" in text
    assert [m.name for m in store.list_messages(win.workspace)] == ["Sale"]
    assert core.get_campaign(win.workspace, "Spring").message == "Sale"


@pytest.fixture
def spring(win):
    with time_machine.travel(NOW, tick=False):
        store.save_message(win.workspace, "Sale", {"headline": "Sale", "link": "https://shop.example/s"},
                           channels=["email"])
        core.save_campaign(win.workspace, "Spring", message="Sale",
                           steps=[{"channel": "email", "at": "2027-03-01T10:00", "timezone": NY}])
        win.look_for_outside_changes()
        yield win


def test_redoing_a_campaign_delete_leaves_the_plan_the_command_line_imported_since(spring, monkeypatch, capsys,
                                                                                  tmp_path):
    win = spring
    view = win.show_screen("campaigns") or win.screens["campaigns"]
    monkeypatch.setattr(view, "confirm", lambda *a: True)
    view.select("Spring")
    view.delete_campaign()
    win.undo_action.trigger()
    assert [c.name for c in core.list_campaigns(win.workspace)] == ["Spring"]
    with time_machine.travel(NOW, tick=False):
        cli(win, capsys, "campaign", "import", plan(tmp_path, "new plan from the command line", 1, 8))

    win.redo_action.trigger()

    assert "a campaign is no longer as that step found it" in refused(win, "redo", "delete campaign Spring")
    (spring_now,) = core.list_campaigns(win.workspace)
    assert (spring_now.name, spring_now.goal, len(spring_now.steps)) == ("Spring", "new plan from the command line", 2)


def test_redoing_a_message_delete_leaves_the_message_the_command_line_imported_since(spring, monkeypatch, capsys,
                                                                                    tmp_path):
    win = spring
    core.delete_campaign(win.workspace, "Spring")
    view = win.show_screen("messages") or win.screens["messages"]
    monkeypatch.setattr(view, "confirm", lambda *a: True)
    view.select("Sale")
    view.delete_message()
    win.undo_action.trigger()
    (tmp_path / "m.json").write_text(json.dumps({"name": "Sale", "message": {
        "headline": "Rewritten by the command line", "link": "https://shop.example/s"}}))
    cli(win, capsys, "message", "import", tmp_path / "m.json")

    win.redo_action.trigger()

    assert "a message is no longer as that step found it" in refused(win, "redo", "delete Sale")
    assert [(m.name, m.master["headline"]) for m in store.list_messages(win.workspace)] == [
        ("Sale", "Rewritten by the command line")]


def test_redoing_a_message_delete_leaves_a_campaign_the_command_line_made_with_it(spring, monkeypatch, capsys,
                                                                                 tmp_path):
    win = spring
    core.delete_campaign(win.workspace, "Spring")
    view = win.show_screen("messages") or win.screens["messages"]
    monkeypatch.setattr(view, "confirm", lambda *a: True)
    view.select("Sale")
    view.delete_message()
    win.undo_action.trigger()
    with time_machine.travel(NOW, tick=False):
        cli(win, capsys, "campaign", "import", plan(tmp_path, "from the command line", 1))

    win.redo_action.trigger()  # deleting the message again would unlink the campaign

    assert "a campaign made or changed since" in refused(win, "redo", "delete Sale")
    assert core.get_campaign(win.workspace, "Spring").message == "Sale"


def test_undo_and_redo_still_work_with_nothing_changed_elsewhere(spring, monkeypatch, capsys, tmp_path):
    win = spring
    view = win.show_screen("campaigns") or win.screens["campaigns"]
    monkeypatch.setattr(view, "confirm", lambda *a: True)
    view.select("Spring")
    view.delete_campaign()
    win.undo_action.trigger()
    win.redo_action.trigger()
    assert core.list_campaigns(win.workspace) == [] and win.told == []
    win.undo_action.trigger()
    assert [c.name for c in core.list_campaigns(win.workspace)] == ["Spring"] and win.told == []


def test_two_edits_of_one_message_undone_and_redone_come_back_both(spring):
    """Redoing the first edit saves the message again at the redo's time: the second redo finds it
    saved at another minute than its first run did, which is no change from elsewhere."""
    from datetime import timedelta

    win = spring
    for i, head in enumerate(("v1", "v2"), 1):
        with time_machine.travel(NOW + timedelta(minutes=i), tick=False):
            win.operations.change_messages(f"edit Sale {head}", lambda w, h=head: store.save_message(
                w, "Sale", {"headline": h, "link": "https://shop.example/s"}, channels=["email"], replace=True))
    headline = lambda: store.get_message(win.workspace, "Sale").master["headline"]  # noqa: E731
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        win.undo_action.trigger()
        win.undo_action.trigger()
    assert headline() == "Sale"
    for minute, expected in ((10, "v1"), (11, "v2")):
        with time_machine.travel(NOW + timedelta(minutes=minute), tick=False):
            win.redo_action.trigger()
        assert (headline(), win.told) == (expected, [])
    assert win.operations.stack.canUndo()
