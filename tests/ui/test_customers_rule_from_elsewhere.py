"""A rule opened on Customers from elsewhere (a Dashboard figure, a saved segment) shows exactly its customers."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from omnidesk.core.segments import count


def _settle():
    for _ in range(5):
        QApplication.processEvents()


def _search_and_filter(view):
    view.search.setText("an")
    view._apply_search()
    view.channel_filter.setCurrentIndex(view.channel_filter.findText("Email"))
    _settle()


def test_a_dashboard_figure_clears_an_earlier_search_and_filter(demo_window, qtbot):
    demo_window.resize(1280, 800)
    view = demo_window.screens["customers"]
    demo_window.show_screen("customers")
    _settle()
    _search_and_filter(view)
    searched = view.model.rowCount()
    dash = demo_window.screens["dashboard"]
    demo_window.show_screen("dashboard")
    _settle()
    dash.open_reach("shop")
    _settle()
    qtbot.waitUntil(lambda: view.builder.count_label.text().endswith("customers"), timeout=10000)
    rule = view.model.rule()
    n = count(view.workspace, rule)
    assert n != searched, "the search must have narrowed the list for this to tell anything"
    assert view.search.text() == "" and view.channel_filter.currentData() is None
    assert view.consent_filter.currentData() is None
    assert view.model.rowCount() == n
    assert view.count_label.text() == f"{n:,} customers"
    assert view.builder.count_label.text() == f"{n:,} customers"


def test_a_saved_segment_clears_an_earlier_search_and_filter(demo_window, qtbot):
    view = demo_window.screens["customers"]
    demo_window.show_screen("customers")
    _settle()
    view.consent_filter.setCurrentIndex(1)
    _search_and_filter(view)
    rule = {"field": "channel", "op": "is", "value": "shop"}
    view.show_segment("Shop", rule)
    _settle()
    n = count(view.workspace, rule)
    assert (view.search.text(), view.channel_filter.currentIndex(), view.consent_filter.currentIndex()) == ("", 0, 0)
    assert view.model.rowCount() == n
    assert view.count_label.text() == f"{n:,} customers"
