"""The Imports screen says when each file was imported on the shop's clock, also after the clock changes."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from omnidesk.ui.models.import_batch_table_model import COLUMNS

IMPORTED = [key for key, _ in COLUMNS].index("started_at")


def _when(imports, row: int = 0) -> str:
    return imports.model.index(row, IMPORTED).data(Qt.ItemDataRole.ToolTipRole)


def test_a_new_time_zone_in_preferences_moves_the_import_times(demo_window, qtbot):
    # The screen kept the old zone: only an import or undo made it read the list again.
    win = demo_window
    win.show_screen("imports")
    imports = win.screens["imports"]
    QApplication.processEvents()
    assert imports.model.rowCount()
    # The demo was imported at 03:30 UTC on 2 November 2026: 22:30 the evening before in New York.
    assert _when(imports).endswith("22:30")
    imports.table.selectRow(0)
    chosen = imports.selected_batch()["id"]

    assert win.operations.change_preferences({"timezone": "Asia/Tokyo"})
    qtbot.waitUntil(lambda: not win.operations.busy, timeout=60000)
    QApplication.processEvents()
    assert _when(imports) == "2026-11-02 12:30"
    assert imports.model.index(0, IMPORTED).data().endswith("12:30")
    # The import looked at stays selected, with its flagged rows.
    assert imports.selected_batch() is not None and imports.selected_batch()["id"] == chosen

    win.undo_action.trigger()
    qtbot.waitUntil(lambda: not win.operations.busy, timeout=60000)
    QApplication.processEvents()
    assert _when(imports).endswith("22:30")
