"""The Dashboard counts whole things: no half a customer on an axis of any chart."""

from __future__ import annotations

from datetime import UTC, datetime

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


def _ticks(chart, side: str) -> list[float]:
    """The values the axis on ``side`` labels (and draws grid lines at) as the chart is now."""
    axis = chart.item.getAxis(side)
    low, high = chart.item.vb.viewRange()[0 if side == "bottom" else 1]
    length = chart.width() if side == "bottom" else chart.height()
    return [v for _spacing, values in axis.tickValues(low, high, length) for v in values]


def test_a_shop_of_a_few_customers_counts_them_whole_on_every_axis(window, ws, tmp_path, qtbot):
    import time_machine

    from omnidesk.core.importing.pipeline import ImportOptions, import_file
    from tests.helpers import write_csv

    import_file(ws, write_csv(tmp_path / "list.csv", ["Email", "First name", "Signed up"], [
        ["ann@example.com", "Ann", "2026-03-02"]]), ImportOptions(channel="email"))
    import_file(ws, write_csv(tmp_path / "texts.csv", ["Phone", "First name", "Opt-in date"], [
        ["+12125550101", "Bob", "2026-03-03"], ["+12125550102", "Cy", "2026-03-10"]]), ImportOptions(channel="sms"))
    with time_machine.travel(datetime(2026, 4, 1, 12, tzinfo=UTC), tick=True):
        window.resize(1024, 640)
        window.set_workspace(ws)
        window.show_screen("dashboard")
        dash = window.screens["dashboard"]
        qtbot.waitUntil(lambda: bool(dash.data), timeout=5000)
    assert dash.data["reach"] == {"sms": 2, "email": 1}
    for chart, side in ((dash.reach_chart, "bottom"), (dash.new_chart, "left"), (dash.events_chart, "left")):
        labels = _ticks(chart, side)
        assert labels and all(v == int(v) for v in labels), (chart, labels)
    assert {0, 1, 2} <= set(_ticks(dash.reach_chart, "bottom"))


def test_a_post_reaches_whoever_looks_and_shows_no_orders_it_was_never_counted_for():
    """An Instagram post (a poster, the website's banner) has no recipients: nobody's orders are counted for
    it, so its row says anyone (whoever looks) rather than "0" recipients and "0.00 USD" as if it brought nothing."""
    from omnidesk.ui.views.dashboard.campaign_table import campaign_cells

    post = {"name": "Spring", "channel": "instagram", "sent": True, "at": "2027-03-01T09:00:00", "recipients": 0,
            "orders": 0, "revenue": 0.0, "conversion": None, "baseline_kind": "none", "baseline_customers": 0,
            "baseline_orders": 0, "baseline_revenue": 0.0, "baseline_conversion": None, "lift": None}
    cells = campaign_cells(post, "USD")
    assert cells[1:] == ("Instagram", "anyone", "", "", "", "not counted", "", "", "", "")
