"""No Edit › Undo or Redo brings back a person erased in another window or on the command line:
the window's history may hold their email or phone (a deleted segment's rule, notes taken back),
so once it sees the suppression list grew it forgets that history, and says so."""

from __future__ import annotations

import json
import sqlite3

from omnidesk.ui.operations import ERASED_ELSEWHERE
from tests.helpers import run_cli, write_csv

HEADER = ["Email", "First Name", "Last Name", "Phone"]
ZELDA_EMAIL, ZELDA_PHONE = "zelda.quixwort@example.com", "503-555-0177"
RULE = {"field": "email", "op": "is", "value": ZELDA_EMAIL}


def _shop(window, tmp_path, capsys):
    path = tmp_path / "shop.omnidesk"
    people = write_csv(tmp_path / "people.csv", HEADER, [
        [ZELDA_EMAIL, "Zelda", "Quixwort", ZELDA_PHONE], ["carol@example.com", "Carol", "Crane", ""]])
    assert run_cli(capsys, "import", people, "--channel", "shop", "-w", path)[0] == 0
    assert run_cli(capsys, "segment", "save", "zseg", "--rule", json.dumps(RULE), "-w", path)[0] == 0
    assert window.open_workspace(path)
    return path


def _traces(path) -> list[str]:
    db = sqlite3.connect(path)
    try:
        rules = [r for (r,) in db.execute("SELECT rule_json FROM saved_segment")]
        notes = [n or "" for (n,) in db.execute("SELECT notes FROM customer")]
    finally:
        db.close()
    return [t for t in rules + notes if "zelda" in t.lower() or "555-0177" in t]


def _history(window, capsys):
    """A deleted segment naming Zelda's email (undoable) and notes naming her phone, taken back
    (redoable)."""
    ops = window.operations
    assert ops.delete_segment("zseg")
    assert ops.save_notes(2, f"Carol's friend Zelda Quixwort, {ZELDA_PHONE}")
    window.undo_action.trigger()
    assert ops.stack.canUndo() and ops.stack.canRedo()


def test_undo_and_redo_after_an_erase_on_the_command_line_bring_nothing_of_theirs_back(
        window, tmp_path, capsys, qtbot):
    path = _shop(window, tmp_path, capsys)
    _history(window, capsys)
    assert run_cli(capsys, "person", "erase", ZELDA_EMAIL, "--yes", "-w", path)[0] == 0
    # Edit › Undo and Redo straight away, before the window has looked at the workspace again.
    window.redo_action.trigger()
    window.undo_action.trigger()
    window.undo_action.trigger()
    assert _traces(path) == []
    ops = window.operations
    assert not ops.stack.canUndo() and not ops.stack.canRedo()
    assert window.statusBar().currentMessage() == ERASED_ELSEWHERE


def test_the_window_forgets_its_history_when_it_sees_the_erase(window, tmp_path, capsys, qtbot):
    path = _shop(window, tmp_path, capsys)
    _history(window, capsys)
    assert run_cli(capsys, "person", "erase", ZELDA_EMAIL, "--yes", "-w", path)[0] == 0
    assert window.look_for_outside_changes()
    ops = window.operations
    assert not ops.stack.canUndo() and not ops.stack.canRedo()
    assert not window.undo_action.isEnabled() and not window.redo_action.isEnabled()
    assert window.statusBar().currentMessage() == ERASED_ELSEWHERE
    # What the user does from now on is undoable as ever.
    assert ops.save_notes(2, "Called back")
    window.undo_action.trigger()
    assert ops.stack.canRedo()
    assert _traces(path) == []


def test_an_erase_just_as_the_undo_writes_is_caught_in_its_transaction(window, tmp_path, capsys, qtbot, monkeypatch):
    """The look before the step and the erase race: the step's own write checks again, holding the lock."""
    path = _shop(window, tmp_path, capsys)
    _history(window, capsys)
    ops = window.operations
    looked = []
    real = type(ops)._erased_elsewhere

    def erase_right_after_the_look(self):
        found = real(self)
        if not looked:
            looked.append(True)
            assert run_cli(capsys, "person", "erase", ZELDA_EMAIL, "--yes", "-w", path)[0] == 0
        return found

    monkeypatch.setattr(type(ops), "_erased_elsewhere", erase_right_after_the_look)
    window.undo_action.trigger()  # would put the segment naming Zelda back
    assert looked
    assert _traces(path) == []
    assert not ops.stack.canUndo() and not ops.stack.canRedo()
    assert window.statusBar().currentMessage() == ERASED_ELSEWHERE


def test_an_erase_in_this_window_clears_the_history_and_a_later_one_elsewhere_is_seen_too(
        window, tmp_path, capsys, qtbot):
    path = _shop(window, tmp_path, capsys)
    ops = window.operations
    ops.erase_person(1)
    assert _traces(path) == []
    # From now on: history again, and another erase elsewhere clears it.
    assert ops.save_notes(2, "Carol's own notes")
    assert run_cli(capsys, "person", "erase", "2", "--yes", "-w", path)[0] == 0
    window.undo_action.trigger()
    assert not ops.stack.canUndo()
    assert window.statusBar().currentMessage() == ERASED_ELSEWHERE


def test_history_made_after_an_erase_elsewhere_stays_undoable(window, tmp_path, capsys, qtbot):
    """An erase seen while the history was empty leaves nothing to forget, and nothing is said."""
    path = _shop(window, tmp_path, capsys)
    assert run_cli(capsys, "person", "erase", ZELDA_EMAIL, "--yes", "-w", path)[0] == 0
    ops = window.operations
    assert ops.save_notes(2, "Carol's own notes")
    window.undo_action.trigger()
    assert ops.stack.canRedo()
    db = sqlite3.connect(path)
    assert db.execute("SELECT notes FROM customer WHERE id = 2").fetchone()[0] in (None, "")
    db.close()


def _erase_elsewhere(path, customer_id: int) -> None:
    """Erase a customer as ``omnidesk person erase`` does: its own workspace, its own connection."""
    from omnidesk.core.rights import erase_person
    from omnidesk.core.workspace import Workspace

    with Workspace.open(path) as other:
        erase_person(other, customer_id)


def _tag_on_the_card(window, qtbot, monkeypatch, tag: str) -> None:
    """The open card's Tags… button, with ``tag`` typed in and OK pressed."""
    from PySide6.QtCore import Qt

    view = window.customer_view
    make = view.tags_dialog

    def filled():
        dialog = make()

        def run():
            dialog.new.setText(tag)
            dialog.accept()
            return dialog.result()

        dialog.exec = run
        return dialog

    monkeypatch.setattr(view, "tags_dialog", filled)
    qtbot.mouseClick(view.tags_button, Qt.MouseButton.LeftButton)


def _tags(path, customer_id: int) -> str:
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT COALESCE(tags, '') FROM customer WHERE id = ?", (customer_id,)).fetchone()[0]
    finally:
        db.close()


def test_a_step_taken_after_an_erase_elsewhere_stays_undoable_though_the_window_had_not_looked_yet(
        window, tmp_path, capsys, qtbot, monkeypatch):
    """Zelda erased on the command line; at once, before the window looked again, a tag on Carol's
    card: the steps from before the erase go (and the user is told), the tag's step stays."""
    path = _shop(window, tmp_path, capsys)
    _history(window, capsys)
    window.open_customer(2)
    _erase_elsewhere(path, 1)
    _tag_on_the_card(window, qtbot, monkeypatch, "regular")
    assert "regular" in _tags(path, 2)
    stack = window.operations.stack
    assert stack.count() == 1 and stack.canUndo() and not stack.canRedo()
    assert window.undo_action.text() == "&Undo add tag regular to Carol Crane"
    assert window.statusBar().currentMessage() == ERASED_ELSEWHERE
    window.undo_action.trigger()
    assert "regular" not in _tags(path, 2)
    assert not stack.canUndo() and stack.canRedo()
    assert _traces(path) == []


def test_no_step_from_before_an_erase_elsewhere_is_undone_after_it(window, tmp_path, capsys, qtbot, monkeypatch):
    """After the erase and a step of its own, the window's Undo takes back that step and nothing
    older (the deleted segment naming Zelda stays deleted); a second erase, seen later by the
    window's look, drops the step taken before it."""
    path = _shop(window, tmp_path, capsys)
    _history(window, capsys)
    window.open_customer(2)
    _erase_elsewhere(path, 1)
    _tag_on_the_card(window, qtbot, monkeypatch, "regular")
    assert not window.look_for_outside_changes()  # the window's own look finds nothing more
    ops = window.operations
    assert ops.stack.count() == 1
    window.undo_action.trigger()
    window.undo_action.trigger()
    window.undo_action.trigger()
    assert _traces(path) == []
    assert "regular" not in _tags(path, 2)
    window.redo_action.trigger()
    assert "regular" in _tags(path, 2)

    write_csv(tmp_path / "more.csv", HEADER, [["dan@example.com", "Dan", "Reed", ""]])
    assert run_cli(capsys, "import", tmp_path / "more.csv", "--channel", "shop", "-w", path)[0] == 0
    assert window.look_for_outside_changes()
    assert ops.stack.count() == 1  # an import elsewhere is no erase
    _erase_elsewhere(path, 3)
    assert window.look_for_outside_changes()
    assert ops.stack.count() == 0
    assert window.statusBar().currentMessage() == ERASED_ELSEWHERE
