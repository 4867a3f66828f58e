"""Edit › Redo of an import that is imported again from its file (too big to keep as it was, or
changed around since its undo) reads it with every choice made in the wizard: the phone country,
the encoding, the channel named, the kind and the columns.  Driven through the real window."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from tests.helpers import errors_told, read_rows, write_csv
from tests.ui.test_undo_history import run_wizard, undo_text

NOW = datetime(2026, 5, 4, 10, 30, tzinfo=UTC)


def pick(combo, data) -> None:
    at = combo.findData(data)
    assert at >= 0, data
    combo.setCurrentIndex(at)


@pytest.fixture
def uk_file(window, make_workspace, tmp_path, monkeypatch):
    """A UK stall's till slips in Windows-1250, the owner's workspace in the US."""
    from omnidesk.core.importing import batches
    from omnidesk.core.workspace import Workspace

    monkeypatch.setattr(batches, "UNDOABLE_RECORDS", 0)  # redo imports the file again
    ws = make_workspace(default_region="US", timezone="Europe/London")
    assert window.set_workspace(Workspace.open(ws.path))
    errors_told(window, monkeypatch)
    path = write_csv(tmp_path / "slips.csv", ["Email", "Name", "Mobile", "Code", "Visited"],
                     [["jan@example.com", "Jan Kučera", "07911 123456", "K1", "2026-04-01 10:00"],
                      ["bob@example.com", "Bob Stone", "07911 123457", "K2", "2026-04-02 11:00"]],
                     encoding="cp1250")
    return window, path


def test_redo_reads_the_file_with_the_wizards_choices(uk_file, qtbot):
    win, path = uk_file
    with time_machine.travel(NOW, tick=False):
        win.import_files([path])
        wizard = win.import_wizard
        qtbot.waitUntil(lambda: not wizard.reading, timeout=5000)
        row = wizard.files_page.rows[path][1]
        pick(row.encoding, "cp1250")
        row.encoding.activated.emit(row.encoding.currentIndex())
        qtbot.waitUntil(lambda: not wizard.reading, timeout=5000)
        wizard.next()
        page = wizard.mapping_page
        pick(page.region_combo, "GB")
        pick(page.combos[3], "external_id")
        page.channel_combo.setEditText("Market Stall Saturday")
        assert page.kind_combo.currentData() == "contacts"
        pick(page.kind_combo, "events")
        wizard.remember_checkbox.setChecked(False)
        run_wizard(win, qtbot)
        ws = win.workspace
        imported = read_rows(ws, "SELECT display_name, phone, channels FROM customer ORDER BY id")
        records = read_rows(ws, "SELECT full_name, phone, external_id, channel FROM source_record ORDER BY id")
        events = read_rows(ws, "SELECT channel, occurred_at FROM event ORDER BY id")
        assert imported == [("Jan Kučera", "+447911123456", "market_stall_saturday"),
                            ("Bob Stone", "+447911123457", "market_stall_saturday")]
        assert len(events) == 2

        win.undo_action.trigger()
        assert read_rows(ws, "SELECT count(*) FROM customer") == [(0,)]
        win.redo_action.trigger()

        assert win.told == [] and undo_text(win) == "Undo import of slips.csv"
        assert read_rows(ws, "SELECT display_name, phone, channels FROM customer ORDER BY id") == imported
        assert read_rows(ws, "SELECT full_name, phone, external_id, channel FROM source_record "
                             "WHERE batch_id = 2 ORDER BY id") == records
        assert read_rows(ws, "SELECT channel, occurred_at FROM event ORDER BY id") == events
        assert read_rows(ws, "SELECT problems_json FROM source_record WHERE batch_id = 2") == [("[]",), ("[]",)]
        assert read_rows(ws, "SELECT value FROM setting WHERE key = 'channel_labels'") == [
            ('{"market_stall_saturday": "Market Stall Saturday"}',)]
