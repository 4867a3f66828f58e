"""Over a big workspace the Customers list's search and filters are worked out off the UI thread.

A consent filter over a hundred thousand customers took a second and a half on the UI thread.
Past ``BACKGROUND_FILTER`` customers the query runs on the window's task runner, the list as it
was stays on screen saying "Filtering…", and only the newest search or filter is shown.  The
demo workspace is small, so the line is lowered here; what is checked is where the query runs
and what the list shows once it has, never how long it takes.
"""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt

from omnidesk.core.customers import customer_ids
from omnidesk.ui.models import customer_table_model as table_model
from omnidesk.ui.views import customers_view


@pytest.fixture
def screen(demo, monkeypatch):
    monkeypatch.setattr(customers_view, "BACKGROUND_FILTER", 0, raising=False)
    demo.show_screen("customers")
    view = demo.screens["customers"]
    assert not view.runner.inline  # the window's own runner, on its thread pool
    return view


@pytest.fixture
def threads(monkeypatch):
    """The thread each list query runs on, and what it was asked."""
    seen = []

    def recorded(ws, **asked):
        seen.append((threading.current_thread(), (asked["search"], asked["channel"], asked["consent"])))
        return customer_ids(ws, **asked)

    monkeypatch.setattr(table_model, "customer_ids", recorded)
    return seen


def _shown(view):
    return [view.model.customer_id(r) for r in range(view.model.rowCount())]


def test_a_consent_filter_runs_on_the_runner_and_the_list_follows_when_found(screen, threads, qtbot):
    before = _shown(screen)
    screen.consent_filter.setCurrentIndex(screen.consent_filter.findData("email:granted"))
    # Asked, not answered: the list as it was stays, and says it is filtering.
    assert screen.filtering() and screen.count_label.text() == "Filtering…"
    assert _shown(screen) == before
    qtbot.waitUntil(lambda: not screen.filtering(), timeout=10_000)
    expected = list(customer_ids(screen.workspace, consent="email:granted"))
    assert 0 < len(expected) < len(before)
    assert _shown(screen) == expected
    assert screen.count_label.text() == f"{len(expected):,} customers"
    assert threads and all(t is not threading.main_thread() for t, _ in threads)


def test_a_search_typed_runs_on_the_runner_too(screen, threads, qtbot):
    name = screen.model.text(3, "name").split()[0]
    screen.search.setText(name)
    screen._apply_search()
    qtbot.waitUntil(lambda: not screen.filtering(), timeout=10_000)
    assert _shown(screen) == list(customer_ids(screen.workspace, search=name))
    assert [asked for _t, asked in threads] == [(name, None, None)]
    assert threads[0][0] is not threading.main_thread()


def test_a_newer_filter_wins_over_an_older_one_answered_later(screen, monkeypatch, qtbot):
    release = threading.Event()

    def slow_for_shop(ws, **asked):
        if asked["channel"] == "shop":
            release.wait(10)
        return customer_ids(ws, **asked)

    monkeypatch.setattr(table_model, "customer_ids", slow_for_shop)
    try:
        screen.channel_filter.setCurrentIndex(screen.channel_filter.findData("shop"))
        screen.channel_filter.setCurrentIndex(screen.channel_filter.findData("email"))
        qtbot.waitUntil(lambda: not screen.filtering(), timeout=10_000)
        email = list(customer_ids(screen.workspace, channel="email"))
        assert _shown(screen) == email
    finally:
        release.set()
    assert screen.runner.wait(10)  # the older answer has come, and was not heard
    assert _shown(screen) == email
    assert screen.model.filters() == ("", "email", None)
    assert email != list(customer_ids(screen.workspace, channel="shop"))


def test_a_sort_while_filtering_gives_the_filtered_list_in_the_new_order(screen, qtbot):
    screen.channel_filter.setCurrentIndex(screen.channel_filter.findData("email"))
    city = screen.model.columns().index("city")
    screen.table.sortByColumn(city, Qt.SortOrder.DescendingOrder)
    qtbot.waitUntil(lambda: not screen.filtering(), timeout=10_000)
    assert _shown(screen) == list(customer_ids(screen.workspace, channel="email", sort="city", descending=True))


def test_down_from_the_search_box_goes_to_the_matches_once_found(screen, qtbot):
    name = screen.model.text(3, "name")
    screen.search.setFocus()
    screen.search.setText(name)
    screen.go_to_list()
    assert screen.filtering()
    qtbot.waitUntil(lambda: not screen.filtering(), timeout=10_000)
    assert screen.model.rowCount() >= 1
    assert screen.selected_ids() == [screen.model.customer_id(0)]


@pytest.fixture
def orders(monkeypatch):
    """The thread each list query runs on, with its order and rule."""
    seen = []

    def recorded(ws, **asked):
        seen.append((threading.current_thread(), asked["sort"], asked["descending"], asked["rule"]))
        return customer_ids(ws, **asked)

    monkeypatch.setattr(table_model, "customer_ids", recorded)
    return seen


def test_a_sort_runs_on_the_runner_and_the_list_keeps_its_order_until_found(screen, orders, qtbot):
    before = _shown(screen)
    city = screen.model.columns().index("city")
    screen.table.sortByColumn(city, Qt.SortOrder.DescendingOrder)
    assert screen.filtering() and _shown(screen) == before
    assert screen.count_label.text() == "Sorting…"
    # The same search asked again meanwhile (a key that changed nothing) keeps the new order coming.
    screen._apply_search()
    assert screen.filtering()
    qtbot.waitUntil(lambda: not screen.filtering(), timeout=10_000)
    expected = list(customer_ids(screen.workspace, sort="city", descending=True))
    assert _shown(screen) == expected != before
    assert orders and all(t is not threading.main_thread() for t, *_ in orders)
    assert ("city", True) in [(s, d) for _t, s, d, _r in orders]


def test_a_rule_runs_on_the_runner_and_a_bad_one_is_said_at_once(screen, orders, qtbot):
    before = _shown(screen)
    rule = {"field": "tag", "op": "is", "value": "vip"}
    screen._rule_changed(rule)
    assert screen.filtering() and _shown(screen) == before
    assert screen.count_label.text() == "Filtering…"
    qtbot.waitUntil(lambda: not screen.filtering(), timeout=10_000)
    expected = list(customer_ids(screen.workspace, rule=rule))
    assert 0 < len(expected) < len(before)
    assert _shown(screen) == expected
    assert all(t is not threading.main_thread() for t, *_ in orders)

    orders.clear()
    screen._rule_changed({"field": "total_spent", "op": "gt", "value": "lots"})
    assert not screen.filtering() and _shown(screen) == expected  # nothing asked: the list as it was
    assert orders == []
    assert screen.model.rule() == rule


def test_a_change_is_read_again_on_the_runner_keeping_the_users_place(screen, orders, qtbot):
    """A change over a big list (a tag here) reads it again in the background: the list as it was
    stays, saying Updating…, and the current and selected customer stay once the new one is found."""
    screen.table.setFocus()
    screen.table.selectRow(5)
    cid = screen.model.customer_id(5)
    orders.clear()
    screen.window().operations.retag([cid], ["gold-star"], ())
    assert screen.filtering() and screen.count_label.text() == "Updating…"
    qtbot.waitUntil(lambda: not screen.filtering(), timeout=10_000)
    assert orders and all(t is not threading.main_thread() for t, *_ in orders)
    row = screen.table.currentIndex().row()
    assert screen.model.customer_id(row) == cid and screen.selected_ids() == [cid]
    assert "gold-star" in screen.model.text(row, "tags")
    assert screen.count_label.text().endswith("customers")


def test_a_row_chosen_while_updating_stays_chosen(screen, qtbot):
    """The place kept is the user's as the new list comes, not as it was when the change was made:
    a row clicked while the count says Updating… stays current and selected."""
    screen.table.setFocus()
    screen.table.selectRow(2)
    screen.window().operations.retag([screen.model.customer_id(2)], ["gold-star"], ())
    assert screen.count_label.text() == "Updating…"
    screen.table.selectRow(10)  # before the new list is heard
    clicked = screen.model.customer_id(10)
    qtbot.waitUntil(lambda: not screen.filtering(), timeout=10_000)
    assert screen.model.customer_id(screen.table.currentIndex().row()) == clicked
    assert screen.selected_ids() == [clicked]


def test_several_selected_stay_selected_when_the_list_is_read_again(screen, qtbot):
    from PySide6.QtCore import QItemSelection, QItemSelectionModel

    model = screen.model
    chosen = QItemSelection(model.index(3, 0), model.index(5, model.columnCount() - 1))
    chosen.select(model.index(8, 0), model.index(8, model.columnCount() - 1))
    screen.table.selectionModel().select(chosen, QItemSelectionModel.SelectionFlag.ClearAndSelect)
    screen.table.selectionModel().setCurrentIndex(model.index(8, 0), QItemSelectionModel.SelectionFlag.NoUpdate)
    picked = screen.selected_ids()
    assert len(picked) == 4
    screen.window().operations.retag([model.customer_id(20)], ["gold-star"], ())
    qtbot.waitUntil(lambda: not screen.filtering(), timeout=10_000)
    assert sorted(screen.selected_ids()) == sorted(picked)
    assert screen.model.customer_id(screen.table.currentIndex().row()) == picked[-1]
