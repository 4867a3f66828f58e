"""A card's actions after another window or command merged its customer: none acts on a person the
user was not shown.

The card shows Ann; meanwhile the command line merges Bea into her. Erasing from
that card used to ask about Ann's one record and erase Bea's two as well, for good;
splitting one of Bea's records from her stale card split it out of Ann.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt

from omnidesk.core.identity.merge import merge_customers
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.workspace import Workspace
from tests.helpers import write_csv

HEADER = ["First Name", "Last Name", "Email", "Phone"]


def _shop(new_workspace, tmp_path):
    ws = new_workspace(tmp_path / "s.omnidesk")
    import_file(ws, write_csv(tmp_path / "a.csv", HEADER, [["Ann", "Lee", "ann@example.com", ""]]),
                ImportOptions(channel="shop"))
    import_file(ws, write_csv(tmp_path / "b.csv", HEADER, [
        ["Bea", "Fox", "bea@example.com", "+14155550101"], ["Bea", "Fox", "bea@example.com", "+14155550102"]]),
                ImportOptions(channel="email"))
    return ws


def _ids(ws) -> dict[str, int]:
    with ws.engine.connect() as conn:
        return dict(conn.exec_driver_sql("SELECT display_name, id FROM customer").all())


def _merge_elsewhere(ws, ids):
    elsewhere = Workspace.open(ws.path)  # the command line's own connection
    try:
        merge_customers(elsewhere, ids)
    finally:
        elsewhere.close()


def test_the_question_counts_what_another_window_merged_in_since(new_workspace, window, tmp_path, monkeypatch):
    ws = _shop(new_workspace, tmp_path)
    window.set_workspace(ws)
    ids = _ids(ws)
    window.open_customer(ids["Ann Lee"])
    view = window.customer_view
    assert view.profile.source_count == 1
    _merge_elsewhere(ws, [ids["Ann Lee"], ids["Bea Fox"]])
    asked = []

    def confirm() -> bool:
        box = view.erase_confirmation_box()
        asked.append(re.sub("<[^>]+>", "", box.informativeText() + " " + box.text()))
        box.deleteLater()
        return False  # the user reads it and cancels

    monkeypatch.setattr(view, "confirm_erase", confirm)
    view.erase_person_dialog()
    assert asked and "3 source records" in asked[0], asked
    assert ws.counts()["customers"] == 1 and view.profile.source_count == 3  # the card shows them now


def test_a_merge_while_the_question_is_open_erases_nothing(new_workspace, window, tmp_path, monkeypatch):
    ws = _shop(new_workspace, tmp_path)
    window.set_workspace(ws)
    ids = _ids(ws)
    window.open_customer(ids["Ann Lee"])
    view = window.customer_view

    def confirm() -> bool:
        _merge_elsewhere(ws, [ids["Ann Lee"], ids["Bea Fox"]])  # while the user reads the question
        return True

    told = []
    monkeypatch.setattr(view, "confirm_erase", confirm)
    monkeypatch.setattr(view, "show_error", lambda title, text: told.append(text))
    monkeypatch.setattr(view, "show_info", lambda *a: told.append(a))
    view.erase_person_dialog()
    assert told and "Nothing was erased" in told[0] and "another window or command" in told[0]
    with ws.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM source_record").scalar_one() == 3
    assert view.profile is not None and view.profile.source_count == 3


def test_a_split_on_a_card_another_window_merged_away_is_refused(new_workspace, window, qtbot, tmp_path,
                                                                 monkeypatch):
    """The card shows Bea; the command line merges Bea into Ann meanwhile. Splitting one of the
    records the card shows must not split it out of Ann, a customer the user is not looking at."""
    ws = _shop(new_workspace, tmp_path)
    window.set_workspace(ws)
    assert ws.counts()["customers"] == 2
    ids = _ids(ws)
    window.open_customer(ids["Bea Fox"])
    view = window.customer_view
    assert view.profile.display_name == "Bea Fox" and view.source_model.rowCount() == 2
    _merge_elsewhere(ws, sorted(ids.values()))
    told = []
    monkeypatch.setattr(window, "show_error", lambda title, text: told.append(text))
    view.source_table.selectRow(1)
    qtbot.mouseClick(view.split_button, Qt.MouseButton.LeftButton)
    assert told and "moved in another window or command" in told[0]
    assert ws.counts()["customers"] == 1  # nothing was split out of Ann's customer
    assert not window.operations.stack.canUndo() or "split" not in window.operations.stack.undoText()
