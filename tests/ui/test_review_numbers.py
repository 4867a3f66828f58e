"""The Review screen while another window or the command line queues pairs: undo puts the pair back, and
each decision names the pair it decided."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.workspace import Workspace
from tests.helpers import write_csv

HEADER = ["First Name", "Last Name", "Email"]


@pytest.fixture
def family_window(window, ws, tmp_path):
    """Two pairs to review: Anna Lee ~ Mark Lee and Bea Fox ~ Cal Fox (one mailbox each, two first names)."""
    import_file(ws, write_csv(tmp_path / "a.csv", HEADER, [
        ["Anna", "Lee", "lee@example.com"], ["Bea", "Fox", "fox@example.com"], ["Dan", "Ode", "dan@example.com"]]),
        ImportOptions(channel="shop"))
    import_file(ws, write_csv(tmp_path / "b.csv", HEADER, [
        ["Mark", "Lee", "lee@example.com"], ["Cal", "Fox", "fox@example.com"]]), ImportOptions(channel="email"))
    window.set_workspace(ws)
    window.show_screen("review")
    return window


def _shown(view) -> dict[int, str]:
    """Each pair's number and its first line on the screen ("Anna Lee  ~  Mark Lee")."""
    return {item.id: view.pairs.item(row).text().split("\n")[0] for row, item in enumerate(view.items)}


def _select(view, words: str) -> None:
    row = next(r for r in range(view.pairs.count()) if view.pairs.item(r).text().startswith(words))
    view.pairs.setCurrentRow(row)
    view.pairs.setFocus()


def test_undo_of_an_accept_after_the_command_line_queued_a_pair_puts_the_pair_back(
        family_window, qtbot, monkeypatch, tmp_path):
    win = family_window
    view = win.screens["review"]
    told = []
    monkeypatch.setattr(win, "show_error", lambda *a: told.append(a))
    before = _shown(view)
    newest = max(before)  # the pair with the highest number: deciding it is what freed its number
    _select(view, before[newest])
    qtbot.keyClick(view.pairs, Qt.Key.Key_A)
    assert newest not in _shown(view)

    # The command line imports a file that queues Dan Ode ~ Eve Ode, in the same workspace.
    with Workspace.open(win.workspace.path) as other:
        import_file(other, write_csv(tmp_path / "c.csv", HEADER, [["Eve", "Ode", "dan@example.com"]]),
                    ImportOptions(channel="sms"))
    win.undo_action.trigger()

    assert told == []
    assert not win.undo_stack.canUndo() and win.undo_stack.canRedo()
    shown = _shown(view)
    assert {n: w for n, w in shown.items() if n in before} == before  # back under its own number
    (new,) = set(shown) - set(before)
    assert new > newest and shown[new].replace(" ", "") == "DanOde~EveOde"
    # Redo merges the same pair again, not the one queued since.
    win.redo_action.trigger()
    assert told == [] and set(_shown(view)) == set(before) - {newest} | {new}


def test_accept_and_reject_name_the_pair_they_decided(family_window, qtbot):
    win = family_window
    view = win.screens["review"]
    ids = {view.pairs.item(r).text().split("\n")[0].replace(" ", ""): item for r, item in enumerate(view.items)}
    lee, fox = ids["AnnaLee~MarkLee"], ids["BeaFox~CalFox"]

    _select(view, "Anna Lee")
    qtbot.keyClick(view.pairs, Qt.Key.Key_R)
    assert win.statusBar().currentMessage() == (
        f"Kept apart: Anna Lee (#{lee.left_id}) and Mark Lee (#{lee.right_id}); "
        "the pair will not be suggested again")

    _select(view, "Bea Fox")
    qtbot.keyClick(view.pairs, Qt.Key.Key_A)
    assert win.statusBar().currentMessage() == f"Merged Bea Fox (#{fox.left_id}) and Cal Fox (#{fox.right_id})"


def test_skip_names_the_pair_it_skipped(family_window, qtbot):
    # Merge and Keep apart said which pair they decided; Skip said nothing.
    win = family_window
    view = win.screens["review"]
    ids = {view.pairs.item(r).text().split("\n")[0].replace(" ", ""): item for r, item in enumerate(view.items)}
    lee = ids["AnnaLee~MarkLee"]

    _select(view, "Anna Lee")
    qtbot.keyClick(view.pairs, Qt.Key.Key_S)
    assert win.statusBar().currentMessage() == (
        f"Skipped Anna Lee (#{lee.left_id}) and Mark Lee (#{lee.right_id}) for now; "
        "the pair waits at the end of the queue")
    assert next(i for i in view.items if i.id == lee.id).status == "skipped"
