"""The app's erase while another window or command reads the workspace, of one card or of a selection:
its message says the erased data stays in the -wal file for now, and the window's next change empties
it once the reader has finished reading, though that reader stays open."""

from __future__ import annotations

from tests.core.test_erase_while_read import _reading, _shop, traces
from tests.helpers import errors_fail
from tests.ui.test_undo_history import select_rows

HELD = ("Another window or command is still reading the workspace: a copy of the erased data stays "
        "in the -wal file beside it until that window or command closes the workspace (or, once it "
        "has finished reading, until your next change here).")


def test_the_next_change_empties_the_log_a_reader_kept(window, tmp_path, capsys, monkeypatch, qtbot):
    path = _shop(tmp_path, capsys)
    assert window.open_workspace(path)
    window.open_customer(1)
    view = window.customer_view
    said: list[tuple[str, str]] = []
    monkeypatch.setattr(view, "confirm_erase", lambda: True)
    monkeypatch.setattr(view, "show_info", lambda title, text: said.append((title, text)))
    reader = _reading(path)
    view.erase_person_button.click()
    assert [title for title, _ in said] == ["Person erased"]
    assert said[0][1].endswith(HELD)
    reader.rollback()  # finished reading; still open, as an idle window is
    assert window.operations.save_notes(2, "Called back")
    qtbot.waitUntil(lambda: not window.operations.busy)
    assert all(found == [] for found in traces(path).values())
    reader.close()


def test_erasing_a_selection_says_the_reader_keeps_a_copy(window, tmp_path, capsys, monkeypatch):
    path = _shop(tmp_path, capsys)
    assert window.open_workspace(path)
    errors_fail(monkeypatch, window)
    window.show_screen("customers")
    view = window.screens["customers"]
    rows = {view.model.index(r, 0).data(): r for r in range(view.model.rowCount())}
    select_rows(view, [rows["Quentin Zarkowski"], rows["Person7 Family7"]])
    chosen = view.selected_ids()
    assert len(chosen) == 2
    said: list[tuple[str, str]] = []
    monkeypatch.setattr(window.bulk, "confirm_erase", lambda ids: True)
    monkeypatch.setattr(window, "show_info", lambda title, text: said.append((title, text)))
    reader = _reading(path)
    view.erase_action.trigger()
    assert said == [("Customers erased", f"Erased 2 customers.\n\n{HELD}")]
    assert not set(chosen) & set(view.list_ids())
    reader.rollback()
    reader.close()
    window.close()  # the window that erased lets go of the file too
    assert all(found == [] for found in traces(path).values()), traces(path)


def test_erasing_a_selection_no_one_reads_during_says_nothing_more(window, tmp_path, capsys, monkeypatch):
    path = _shop(tmp_path, capsys)
    assert window.open_workspace(path)
    errors_fail(monkeypatch, window)
    window.show_screen("customers")
    view = window.screens["customers"]
    select_rows(view, [0, 1])
    said: list[tuple[str, str]] = []
    monkeypatch.setattr(window.bulk, "confirm_erase", lambda ids: True)
    monkeypatch.setattr(window, "show_info", lambda title, text: said.append((title, text)))
    view.erase_action.trigger()
    assert said == []
    assert window.statusBar().currentMessage() == "Erased 2 customers"


def test_the_window_empties_the_log_at_its_next_look_once_the_reader_is_done(window, tmp_path, capsys, monkeypatch):
    """Without a change of its own: the timer's look while the window is in front tries again."""
    path = _shop(tmp_path, capsys)
    assert window.open_workspace(path)
    window.open_customer(1)
    view = window.customer_view
    said: list[tuple[str, str]] = []
    monkeypatch.setattr(view, "confirm_erase", lambda: True)
    monkeypatch.setattr(view, "show_info", lambda title, text: said.append((title, text)))
    reader = _reading(path)
    view.erase_person_button.click()
    assert said[0][1].endswith(HELD)
    assert not window.look_for_outside_changes()  # still read: the log stays, and nothing is news
    assert traces(path)["shop.omnidesk"]
    reader.rollback()  # finished reading; still open
    assert not window.look_for_outside_changes()
    assert all(found == [] for found in traces(path).values()), traces(path)
    reader.close()


def test_another_workspace_reading_through_the_windows_erase_empties_the_log_at_its_look(
        window, tmp_path, capsys, monkeypatch):
    """Another window (or a long command) on the same file read all through the erase: once its read
    is over, its own look empties the log, while the window that erased stays idle."""
    from omnidesk.core.workspace import Workspace

    path = _shop(tmp_path, capsys)
    assert window.open_workspace(path)
    other = Workspace.open(path)
    assert not other.changed_since_last_look()
    window.open_customer(1)
    view = window.customer_view
    said: list[tuple[str, str]] = []
    monkeypatch.setattr(view, "confirm_erase", lambda: True)
    monkeypatch.setattr(view, "show_info", lambda title, text: said.append((title, text)))
    with other.engine.connect() as reading:
        reading.exec_driver_sql("SELECT count(*) FROM customer").scalar()
        view.erase_person_button.click()
    assert said[0][1].endswith(HELD)
    assert other.changed_since_last_look()
    assert all(found == [] for found in traces(path).values()), traces(path)
    other.close()
