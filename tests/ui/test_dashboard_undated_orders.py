"""The Dashboard's all-time figures count an order with no date, as the customer's card does."""

from __future__ import annotations

import time_machine
from PySide6.QtWidgets import QApplication

from omnidesk.core.importing.pipeline import import_file
from tests.core.test_metrics_undated_orders import NOW, ORDERS
from tests.core.test_money import shopify_orders


def test_all_time_counts_the_orders_with_no_date(window, make_workspace, tmp_path, qtbot):
    ws = make_workspace(timezone="America/New_York", currency="USD", default_region="US")
    # The clock ticks on from noon (the waits below time out by it), never near a midnight.
    with time_machine.travel(NOW, tick=True):
        import_file(ws, shopify_orders(tmp_path / "orders_export.csv", ORDERS))
        window.set_workspace(ws)
        window.show_screen("dashboard")
        dash = window.screens["dashboard"]
        qtbot.waitUntil(lambda: bool(dash.data), timeout=5000)
        dash.set_period("all")
        qtbot.waitUntil(lambda: dash.figures["revenue"].value.text() == "130.00 USD", timeout=5000)
        QApplication.processEvents()
        tile = dash.figures["revenue"]
        assert "2 orders with no date" in tile.caption.text()
        assert "2 orders with no date, 120.00 USD, counted in all time only" in tile.toolTip()
        assert dash.figures["events"].value.text() == "3"
        # Every customer's journey ends in their purchase.
        assert dash.journey_chart.flows and all("purchase" in j["path"] for j in dash.data["journeys"])
        # The last 12 months hold only the dated order.
        dash.set_period("12m")
        qtbot.waitUntil(lambda: dash.figures["revenue"].value.text() == "10.00 USD", timeout=5000)
        assert dash.figures["events"].value.text() == "1" and "no date" not in tile.caption.text() + tile.toolTip()
