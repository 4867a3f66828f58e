"""The Dashboard's unreachable tile, with the campaigns set to send where consent is unknown: it
counts those no campaign may reach, and a click on it lists exactly them."""

from __future__ import annotations

import time_machine
from PySide6.QtCore import Qt

from tests.core.test_unreachable_follows_send_settings import IMPORTED_AT, five_customers, settings


def test_the_unreachable_tile_and_its_list_follow_the_settings_for_unknown_consent(window, qtbot, tmp_path, capsys):
    ws = five_customers(tmp_path, capsys)
    settings(ws, capsys, send_unknown_email="yes", send_unknown_sms="yes")
    with time_machine.travel(IMPORTED_AT, tick=False):
        assert window.open_workspace(ws)
        dash, customers = window.screens["dashboard"], window.screens["customers"]
        window.show_screen("dashboard")
        qtbot.waitUntil(lambda: bool(dash.data), timeout=5000)
        assert dash.tiles["unreachable_customers"].value.text() == "2"  # Dee (never confirmed) and Eve (no)
        qtbot.mouseClick(dash.tiles["unreachable_customers"], Qt.MouseButton.LeftButton)
        assert window.current_screen() == "customers"
        qtbot.waitUntil(lambda: customers.model.rowCount() == 2, timeout=5000)
        names = {customers.model.index(row, 0).data() for row in range(customers.model.rowCount())}
    assert names == {"Dee", "Eve"}
