"""Erase person asks about the person as they are, and erases no one the user was not asked about.

The card shows Ann; meanwhile the command line merges Bea into her. Erasing from
that card used to ask about Ann's one record and erase Bea's two as well, for good.
"""

from __future__ import annotations

import re

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
