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


def test_two_steps_of_one_campaign_on_one_channel_are_told_apart():
    from omnidesk.ui.views.dashboard.campaign_table import campaign_cells

    step = {"name": "Spring", "channel": "email", "sent": True, "recipients": 10, "orders": 1, "revenue": 5.0,
            "conversion": 0.1, "baseline_kind": "none", "baseline_customers": 0, "baseline_orders": 0,
            "baseline_revenue": 0.0, "baseline_conversion": None, "lift": None}
    first = campaign_cells({**step, "at": "2027-03-01T09:00:00"}, "USD")
    second = campaign_cells({**step, "at": "2027-03-08T09:00:00"}, "USD")
    assert first != second
    assert "1 Mar 2027 09:00" in " ".join(first) and "8 Mar 2027 09:00" in " ".join(second)
