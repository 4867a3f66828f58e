"""Another workspace is not opened while long work runs on this one: the work's result, and its
step on Edit › Undo, are this workspace's."""

from __future__ import annotations

import pytest

from omnidesk.core.workspace import Workspace
from tests.ui.test_quit import running_window, shop  # noqa: F401  (a fixture)


@pytest.fixture
def other(tmp_path):
    path = tmp_path / "other" / "b.omnidesk"
    path.parent.mkdir()
    Workspace.create(path).close()
    return path


def test_opening_another_workspace_while_find_duplicates_runs_is_refused_and_its_step_stays_here(
        window, shop, other, lock, qtbot, monkeypatch):  # noqa: F811
    errors = []
    monkeypatch.setattr(window, "show_error", lambda title, text: errors.append((title, text)))
    window._remember_recent(other)
    running_window(window, shop)
    # File › New, Open, Open Recent and Open Demo are off while it runs...
    assert not any(a.isEnabled() for a in (window.new_action, window.open_action, window.demo_action))
    assert not window.recent_menu.isEnabled()
    # ...and opening one anyway (from the welcome page's buttons, a recent entry) says why not.
    assert not window.open_workspace(other)
    assert errors and "Find Duplicates is still running" in errors[-1][1]
    assert window.workspace.path == shop
    window.new_workspace()
    window.open_demo()
    assert len(errors) == 3 and window.workspace.path == shop
    lock.rollback()
    qtbot.waitUntil(lambda: not window.operations.busy, timeout=30000)
    assert window.undo_action.text().replace("&", "") == "Undo Find Duplicates (0 merges, 1 new pair to review)"
    assert all(a.isEnabled() for a in (window.new_action, window.open_action, window.demo_action))
    assert window.recent_menu.isEnabled()
    assert window.open_workspace(other)
    assert not window.undo_action.isEnabled()


def test_work_that_ends_after_its_workspace_was_left_never_lands_on_another(window, shop, other, lock,  # noqa: F811
                                                                           qtbot):
    running_window(window, shop)
    b = Workspace.open(other)
    try:
        window.operations.set_workspace(b)  # as if the window had let another workspace in
        lock.rollback()
        qtbot.waitUntil(lambda: not window.operations.busy, timeout=30000)
        assert window.undo_stack.count() == 0
        assert "Find Duplicates" not in window.statusBar().currentMessage()
    finally:
        window.operations.set_workspace(window.workspace)
        b.close()
