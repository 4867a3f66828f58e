"""The column page asks how a file writes its dates when none of them shows it (03/04/2024), and
imports them so: a UK shop's list in a US workspace is read day first once the owner says so, and
an Edit › Redo of the import reads it the same way.  Driven through the real window."""

from __future__ import annotations

import csv
from datetime import UTC, datetime

import pytest
import time_machine

from tests.helpers import errors_told, read_rows, tab_walk, write_csv
from tests.ui.test_undo_history import run_wizard, undo_text

NOW = datetime(2026, 5, 4, 10, 30, tzinfo=UTC)


def first_seen_exported(ws, out) -> list[tuple[str, str]]:
    from omnidesk.core.exporting.tables import export_customers

    export_customers(ws, out)
    with out.open(encoding="utf-8-sig", newline="") as fh:
        return [(row["first_name"], row["first_seen"]) for row in csv.DictReader(fh)]


def preview_cell(page, row: int, column: int) -> str:
    return page.model.data(page.model.index(row, column))


@pytest.fixture
def uk_members(window, make_workspace, tmp_path, monkeypatch):
    """A London shop's members list, its dates written day first, opened in a US workspace."""
    from omnidesk.core.workspace import Workspace

    ws = make_workspace(default_region="US", timezone="Europe/London")
    assert window.set_workspace(Workspace.open(ws.path))
    errors_told(window, monkeypatch)
    path = write_csv(tmp_path / "uk_members.csv", ["Email", "Name", "Joined"],
                     [["ann@example.com", "Ann Lee", "03/04/2024"],
                      ["bob@example.com", "Bob Stone", "05/06/2024"]])
    return window, path


@pytest.mark.parametrize("journaled", [True, False], ids=["redo-puts-rows-back", "redo-imports-the-file-again"])
def test_dates_read_day_first_as_chosen_and_redo_keeps_it(uk_members, qtbot, tmp_path, monkeypatch, journaled):
    from omnidesk.core.importing import batches

    if not journaled:
        monkeypatch.setattr(batches, "UNDOABLE_RECORDS", 0)  # redo imports the file again
    win, path = uk_members
    with time_machine.travel(NOW, tick=False):
        win.import_files([path])
        wizard = win.import_wizard
        qtbot.waitUntil(lambda: not wizard.reading, timeout=5000)
        wizard.next()
        page = wizard.mapping_page
        assert page.combos[2].currentData() == "created_at"

        # The warning, and beside it the way to answer it: as the region reads them, month first.
        assert "read month-first (MDY) from the region US" in page.warnings.text()
        assert page.date_row.isVisible()
        assert page.date_combo.currentText() == "month first (12/31)"
        assert preview_cell(page, 0, 2) == "03/04/2024 (4 Mar 2024)"

        page.date_combo.setCurrentIndex(page.date_combo.findData("DMY"))
        assert page.date_combo.currentText() == "day first (31/12)"
        assert "read day-first (DMY), as you chose" in page.warnings.text()
        assert "from the region US" not in page.warnings.text()
        assert preview_cell(page, 0, 2) == "03/04/2024 (3 Apr 2024)"
        assert preview_cell(page, 1, 2) == "05/06/2024 (5 Jun 2024)"

        wizard.next()
        qtbot.waitUntil(lambda: not wizard.check_page.running, timeout=5000)
        assert "read day-first (DMY), as you chose" in wizard.check_page.notes.text()
        wizard.remember_checkbox.setChecked(False)
        run_wizard(win, qtbot)

        ws = win.workspace
        # The start of the day on the shop's clock (London's summer time), kept in UTC.
        joined = [("Ann Lee", "2024-04-02T23:00:00"), ("Bob Stone", "2024-06-04T23:00:00")]
        assert read_rows(ws, "SELECT display_name, first_seen FROM customer ORDER BY id") == joined
        # As the export and the timeline give it: the day on the shop's clock.
        exported = [("Ann", "2024-04-03T00:00:00+01:00"), ("Bob", "2024-06-05T00:00:00+01:00")]
        assert first_seen_exported(ws, tmp_path / "before.csv") == exported

        win.undo_action.trigger()
        assert read_rows(ws, "SELECT count(*) FROM customer") == [(0,)]
        win.redo_action.trigger()
        assert win.told == [] and undo_text(win) == "Undo import of uk_members.csv"
        assert read_rows(ws, "SELECT display_name, first_seen FROM customer ORDER BY id") == joined
        assert first_seen_exported(ws, tmp_path / "after.csv") == exported
        assert [v for (v,) in read_rows(ws, "SELECT json_extract(values_json, '$.created_at') FROM source_record "
                                            "ORDER BY id")] == ["2024-04-03", "2024-06-05"]


def test_no_date_choice_for_dates_that_show_their_order_and_tab_reaches_it(window, make_workspace, tmp_path, qtbot):
    from PySide6.QtWidgets import QApplication

    from omnidesk.core.workspace import Workspace

    ws = make_workspace(default_region="US", timezone="Europe/London")
    assert window.set_workspace(Workspace.open(ws.path))
    clear = write_csv(tmp_path / "clear.csv", ["Email", "Name", "Joined"],
                      [["ann@example.com", "Ann Lee", "25/12/2024"], ["bob@example.com", "Bob Stone", "03/04/2024"]])
    unclear = write_csv(tmp_path / "unclear.csv", ["Email", "Name", "Joined"],
                        [["cy@example.com", "Cy Moss", "03/04/2024"]])
    window.import_files([clear, unclear])
    wizard = window.import_wizard
    qtbot.waitUntil(lambda: not wizard.reading, timeout=5000)
    wizard.next()
    page = wizard.mapping_page
    assert page.file_combo.currentText() == "clear.csv"
    assert not page.date_row.isVisible()  # 25/12 says it: day first, nothing to ask
    assert preview_cell(page, 1, 2) == "03/04/2024"

    page.file_combo.setCurrentIndex(1)
    assert page.date_row.isVisible()
    # The page puts the keys on its first box once shown: they are there before the walk starts.
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.file_combo)
    # Tab reaches it after the phone country's box (hidden here, so after the channel's), before the columns.
    walked = [next((w for w in (page.channel_combo, page.date_combo, *page.combos) if focus is w or w.isAncestorOf(focus)),
                   focus) for focus in tab_walk(qtbot, page.kind_combo, 3)]
    assert walked == [page.channel_combo, page.date_combo, page.combos[0]]
    wizard.reject()
