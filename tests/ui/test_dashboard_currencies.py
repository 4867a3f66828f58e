"""The Dashboard's revenue is the shop's money: an order in another currency is shown apart, never added."""

from __future__ import annotations

import pytest
import time_machine
from PySide6.QtWidgets import QApplication

from omnidesk.core.importing.pipeline import import_file
from tests.core.test_money import order, shopify_orders
from tests.core.test_revenue_currencies import NOW, ORDERS


@pytest.fixture
def ws(make_workspace):
    return make_workspace(timezone="America/New_York", currency="USD")


def _shown(window, ws, qtbot):
    """The Dashboard of ``ws`` over all time, its figures read (call with "now" set)."""
    window.set_workspace(ws)
    window.show_screen("dashboard")
    dash = window.screens["dashboard"]
    qtbot.waitUntil(lambda: bool(dash.data), timeout=5000)
    dash.set_period("all")
    qtbot.waitUntil(lambda: bool(dash.data.get("activity")), timeout=5000)
    return dash


@pytest.fixture
def dash(window, ws, tmp_path, qtbot):
    import_file(ws, shopify_orders(tmp_path / "orders_export.csv", ORDERS))
    with time_machine.travel(NOW, tick=False):
        window.resize(1024, 640)
        dash = _shown(window, ws, qtbot)
        QApplication.processEvents()
        yield dash


def test_the_revenue_figure_shows_the_other_currency_apart(dash, tmp_path, monkeypatch):
    tile = dash.figures["revenue"]
    assert tile.value.text() == "100.00 USD"
    # Said on the tile itself, not only when hovered.
    assert "also 80.00 EUR" in tile.caption.text() and tile.caption.isVisible()
    assert "80.00 EUR" in tile.toolTip() and "never converted" in tile.toolTip()
    assert "180" not in tile.value.text() + tile.caption.text()
    # The caption has the room it needs at 1024 wide: nothing cut off.
    needed = tile.caption.heightForWidth(tile.caption.width())
    assert needed <= tile.caption.height(), (needed, tile.caption.height())
    # With more currencies the caption still keeps to its two lines, every one in the tip.
    dash._show_other_money({"EUR": 80.0, "GBP": 1234.5, "JPY": 99999.0}, "USD")
    QApplication.processEvents()
    assert tile.caption.text() == "also 80.00 EUR + 2 more currencies, not converted"
    assert tile.caption.heightForWidth(tile.caption.width()) <= tile.caption.height()
    assert "1,234.50 GBP" in tile.toolTip() and "99,999 JPY" in tile.toolTip()
    # The weekly chart holds the shop's money only.
    weeks, _events, _fresh, revenue, others = dash._weeks
    assert sum(revenue) == 100.0 and {code: sum(v) for code, v in others.items()} == {"EUR": 80.0}

    # The numbers behind the cards carry a column per other currency.
    header, rows = dash.csv_of("activity")
    assert header[-2:] == ["revenue", "revenue_EUR"]
    assert [r[-2:] for r in rows] == [["100.00", "80.00"]]
    header, rows = dash.csv_of("growth")
    assert header[-2:] == ["revenue", "revenue_EUR"]
    assert ["100.00", "80.00"] in [r[-2:] for r in rows]


def test_the_revenue_figure_says_nothing_more_with_one_currency(window, make_workspace, tmp_path, qtbot):
    ws = make_workspace("usd.omnidesk", timezone="America/New_York", currency="USD")
    import_file(ws, shopify_orders(tmp_path / "usd.csv", [order("#1", "ann@example.com", "100.00",
                                                                created="2026-05-04 10:00:00 -0400")]))
    with time_machine.travel(NOW, tick=False):
        dash = _shown(window, ws, qtbot)
    tile = dash.figures["revenue"]
    assert tile.value.text() == "100.00 USD"
    assert tile.caption.text() == "revenue in the period, net of refunds" and not tile.toolTip()
    assert dash.csv_of("activity")[0][-1] == "revenue"


def test_a_campaign_step_shows_its_other_currency_beside_its_revenue():
    from omnidesk.ui.views.dashboard.campaign_table import campaign_cells

    step = {"name": "Spring", "channel": "email", "sent": True, "recipients": 2, "orders": 2, "revenue": 50.0,
            "other_revenue": {"EUR": 30.0}, "conversion": 1.0, "baseline_kind": "held_out", "baseline_customers": 1,
            "baseline_orders": 1, "baseline_revenue": 0.0, "baseline_other_revenue": {"EUR": 20.0},
            "baseline_conversion": 1.0, "lift": 0.0}
    cells = campaign_cells(step, "USD")
    assert (cells[4], cells[8]) == ("50.00 USD · 30.00 EUR", "0.00 USD · 20.00 EUR")


def _cut(label) -> str:
    """What of ``label``'s text does not show: "" when it is read whole (on one line, or wrapped
    at spaces on as many lines as it needs)."""
    metrics = label.fontMetrics()
    room = label.contentsRect().width()
    if not label.wordWrap():
        return "" if metrics.horizontalAdvance(label.text()) <= room else label.text()
    if label.heightForWidth(label.width()) > label.height():
        return label.text()  # wrapped, but on fewer lines than it needs
    return " ".join(w for w in label.text().split() if metrics.horizontalAdvance(w) > room)


@pytest.mark.parametrize("size", [(1920, 1080), (1024, 640)])
def test_the_revenue_cards_note_is_read_whole_at_every_window_size(window, make_workspace, tmp_path, qtbot, size):
    """A yen shop with orders in euros too: the card's note, "revenue net of refunds, JPY; other
    currencies apart", is whole in the narrower card of a wide window as in a small one."""
    ws = make_workspace("jpy.omnidesk", timezone="America/New_York", currency="JPY")
    import_file(ws, shopify_orders(tmp_path / "orders_export.csv", [
        order("#1", "ann@example.com", "10000", created="2026-05-04 10:00:00 -0400", Currency="JPY"),
        order("#2", "cat@example.com", "80.00", created="2026-05-05 11:00:00 -0400", Currency="EUR",
              billing_name="Cat Diaz")]))
    window.resize(*size)
    with time_machine.travel(NOW, tick=False):
        dash = _shown(window, ws, qtbot)
    QApplication.processEvents()
    card = dash.cards["growth"]
    note = card.note
    assert note.text() == "revenue net of refunds, JPY; other currencies apart"
    assert note.isVisible() and note.width() > 0
    assert _cut(note) == "", (size, note.width(), note.fontMetrics().horizontalAdvance(note.text()))
    assert card.title.text() == "New customers and revenue"
    title = card.title
    assert title.fontMetrics().horizontalAdvance(title.text()) <= title.contentsRect().width()
