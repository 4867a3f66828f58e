"""The app's erase while another window or command reads the workspace: its message says the erased
data stays in the -wal file for now, and the window's next change empties it once the reader has
finished reading, though that reader stays open."""

from __future__ import annotations

from tests.core.test_erase_while_read import _reading, _shop, traces


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
    assert ("a copy of the erased data stays in the -wal file beside it until that window or command "
            "closes the workspace (or, once it has finished reading, until your next change here).") in said[0][1]
    reader.rollback()  # finished reading; still open, as an idle window is
    assert window.operations.save_notes(2, "Called back")
    qtbot.waitUntil(lambda: not window.operations.busy)
    assert all(found == [] for found in traces(path).values())
    reader.close()
