"""The Dashboard's weekly charts count whole things: no half a customer on an axis."""

from __future__ import annotations

from omnidesk.ui.views.dashboard.plots import WeeklyChart


def _labels(chart: WeeklyChart) -> list[float]:
    axis = chart.item.getAxis("left")
    low, high = chart.item.vb.viewRange()[1]
    return [v for _spacing, values in axis.tickValues(low, high, chart.height()) for v in values]


def test_a_few_new_customers_a_week_are_counted_in_whole_customers(qtbot):
    chart = WeeklyChart(bars=True, counts=True)
    qtbot.addWidget(chart)
    chart.resize(260, 220)
    chart.show()
    chart.set_series(["2026-W10", "2026-W11", "2026-W12"], {"new": [1, 3, 2]}, {"new": "#0072B2"},
                     {"new": "New customers"})
    labels = _labels(chart)
    assert labels and all(v == int(v) for v in labels), labels
    assert {1, 2, 3} <= set(labels)
    # Many a week: the axis chooses its own steps again, still whole.
    chart.set_series(["2026-W10", "2026-W11"], {"new": [40, 1200]}, {"new": "#0072B2"}, {"new": "New customers"})
    labels = _labels(chart)
    assert labels and all(v == int(v) for v in labels), labels


def test_revenue_keeps_its_cents(qtbot):
    chart = WeeklyChart(bars=True)
    qtbot.addWidget(chart)
    chart.resize(260, 220)
    chart.show()
    chart.set_series(["2026-W10", "2026-W11"], {"revenue": [1.5, 3.0]}, {"revenue": "#2F855A"},
                     {"revenue": "Revenue"})
    assert any(v != int(v) for v in _labels(chart))
