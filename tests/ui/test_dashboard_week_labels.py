"""The Dashboard's weekly charts write their week labels apart, however few the weeks and narrow the chart."""

from __future__ import annotations

import os

import pytest
import time_machine
from PySide6.QtCore import QPointF
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QApplication

from omnidesk.core.importing.pipeline import import_file
from tests.core.test_money import order, shopify_orders
from tests.ui.test_dashboard_currencies import NOW, _shown

GAP = 4  # pixels at least between two labels drawn


def _spans(chart) -> list[tuple[float, float, str]]:
    """Each bottom label drawn: its left and right edges in the chart's pixels, at the axis' own font."""
    axis = chart.item.getAxis("bottom")
    metrics = QFontMetricsF(axis.style["tickFont"] or chart.font())
    ends = axis.mapRectToItem(chart.item.vb, axis.boundingRect())
    ends = chart.mapFromScene(chart.item.vb.mapToScene(ends)).boundingRect()
    spans = []
    for x, label in axis._tickLevels[0]:
        middle = chart.mapFromScene(chart.item.vb.mapViewToScene(QPointF(x, 0))).x()
        half = metrics.horizontalAdvance(label) / 2
        if ends.left() - 0.5 <= middle - half and middle + half <= ends.right() + 0.5:  # else pyqtgraph hides it
            spans.append((middle - half, middle + half, label))
    return spans


@pytest.mark.parametrize("size", [(1366, 768), (1024, 640)])
def test_three_weeks_of_new_customers_and_revenue_keep_their_week_labels_apart(
        window, make_workspace, tmp_path, qtbot, size):
    ws = make_workspace(timezone="America/New_York", currency="USD")
    import_file(ws, shopify_orders(tmp_path / "orders_export.csv", [
        order("#1", "ann@example.com", "100.00", created="2026-05-04 10:00:00 -0400"),
        order("#2", "bea@example.com", "50.00", created="2026-05-12 10:00:00 -0400", billing_name="Bea Ruiz"),
        order("#3", "cat@example.com", "70.00", created="2026-05-19 10:00:00 -0400", billing_name="Cat Diaz")]))
    window.resize(*size)
    with time_machine.travel(NOW, tick=False):
        dash = _shown(window, ws, qtbot)
        for _ in range(3):
            QApplication.sendPostedEvents()
            QApplication.processEvents()
        card = dash.cards["growth"]
        if os.environ.get("OMNIDESK_SHOTS"):
            card.grab().save(f"{os.environ['OMNIDESK_SHOTS']}/{size[0]}x{size[1]}_growth.png")
        for chart in (dash.new_chart, dash.revenue_chart):
            assert len(chart.weeks) == 3, chart.weeks
            spans = _spans(chart)
            assert spans, (size, chart.accessibleName())  # a week is still named
            assert spans[0][2] == "4 May", spans
            for (_, right, label), (left, _, following) in zip(spans, spans[1:]):
                assert left - right >= GAP, (size, chart.accessibleName(), label, following, left - right)
