"""A customer of many records and events is read off the window's thread: opening the card of a
customer with 20,000 orders froze the window for two seconds.  "Reading …'s card" shows meanwhile,
a change seen while the card is on screen keeps it (and the notes being typed) until read again,
and only the card asked for last is shown."""

from __future__ import annotations

import threading

import pytest

from omnidesk.core.notes import customer_notes
from omnidesk.core.profile import card_size
from omnidesk.ui.views.customer import timeline as card_timeline
from omnidesk.ui.views.customer import view as card_module
from omnidesk.ui.views.customer.view import CustomerView


@pytest.fixture
def held(monkeypatch):
    """Every card counts as big, and each read waits until the test lets it go (``held.set()``)."""
    monkeypatch.setattr(CustomerView, "BIG_CARD", 2)
    gate = threading.Event()
    real = card_module.read_card

    def read(ws, customer_id):
        assert gate.wait(10), "the card was read on the window's thread, or never let go"
        return real(ws, customer_id)

    monkeypatch.setattr(card_module, "read_card", read)
    return gate


def _customer_with_records(win, *, skip=()):
    customers = win.screens["customers"]
    for row in range(customers.model.rowCount()):
        cid = customers.model.customer_id(row)
        if cid not in skip and sum(card_size(win.workspace, cid)) >= 3:
            return cid
    raise AssertionError("no customer with several records in the demo")


def test_a_big_card_is_read_while_the_window_stays_free(demo_window, qtbot, held):
    win = demo_window
    win.show_screen("customers")
    cid = _customer_with_records(win)
    name = win.operations.names([cid])[cid]
    records, events = card_size(win.workspace, cid)
    win.open_customer(cid)  # returns while the card is still being read
    view = win.customer_view
    assert view.card_loading()
    assert view.pages.currentWidget() is view.loading
    assert view.loading.title.text() == f"Reading {name}’s card…"
    assert f"{records:,} source record" in view.loading.text.text() and f"{events:,} event" in view.loading.text.text()
    assert not view.erase_person_button.isEnabled() and not view.export_person_button.isEnabled()
    held.set()
    qtbot.waitUntil(lambda: not view.card_loading(), timeout=10000)
    assert view.pages.currentWidget() is view.content_scroll
    assert view.profile.id == cid and view.erase_person_button.isEnabled()
    assert view.tabs.tabText(view.tabs.indexOf(view.sources_page)) == f"Sources ({records})"
    assert view.timeline_model.rowCount() > 0
    assert win.runner.wait(10) and view.operations.runner.wait(10)


def test_a_change_keeps_the_card_on_screen_and_the_notes_being_typed(demo_window, qtbot, held):
    win = demo_window
    win.show_screen("customers")
    cid = _customer_with_records(win)
    held.set()
    win.open_customer(cid)
    view = win.customer_view
    qtbot.waitUntil(lambda: not view.card_loading(), timeout=10000)
    held.clear()
    win.operations.retag([cid], ["vip-now"], ())  # read again, and held
    assert view.card_loading()
    assert view.pages.currentWidget() is view.content_scroll  # the card as it was, not "Reading…"
    view.tabs.setCurrentWidget(view.notes_page)  # gone to the notes meanwhile
    view.notes_edit.setFocus()
    qtbot.keyClicks(view.notes_edit, "Called on Monday")  # typed while the card is read again
    held.set()
    qtbot.waitUntil(lambda: not view.card_loading(), timeout=10000)
    assert "vip-now" in view.fields["tags"].text()
    assert view.notes_edit.toPlainText().endswith("Called on Monday")
    assert view.tabs.currentWidget() is view.notes_page  # the tab the user was on
    assert view.save_notes()
    assert customer_notes(win.workspace, cid).endswith("Called on Monday")
    assert view.operations.runner.wait(10)


def test_only_the_card_asked_for_last_is_shown(demo_window, qtbot, held):
    win = demo_window
    win.show_screen("customers")
    first = _customer_with_records(win)
    second = _customer_with_records(win, skip={first})
    win.open_customer(first)
    win.go_back()
    win.open_customer(second)
    view = win.customer_view
    held.set()
    assert view.operations.runner.wait(10)
    qtbot.waitUntil(lambda: not view.card_loading(), timeout=10000)
    assert view.customer_id == second and view.profile.id == second
    assert view.name_label.text() == view.operations.names([second])[second]


def test_a_big_timeline_is_searched_while_the_window_stays_free(demo_window, qtbot, held, monkeypatch):
    win = demo_window
    win.show_screen("customers")
    cid = _customer_with_records(win)
    held.set()
    win.open_customer(cid)
    view = win.customer_view
    qtbot.waitUntil(lambda: not view.card_loading(), timeout=10000)
    total = view.timeline_model.rowCount()
    searched = threading.Event()
    real = card_timeline.timeline

    def search(*args, **kwargs):
        assert searched.wait(10), "the timeline was searched on the window's thread"
        return real(*args, **kwargs)

    monkeypatch.setattr(card_timeline, "timeline", search)
    view.search.setText("no such words anywhere")
    view.reload_timeline()  # the pause after typing, over
    assert view.timeline_searching() and view.count_label.text() == "Searching…"
    assert view.timeline_model.rowCount() == total  # the list as it was, meanwhile
    searched.set()
    qtbot.waitUntil(lambda: not view.timeline_searching(), timeout=10000)
    assert view.timeline_pages.currentWidget() is view.no_match
    assert view.count_label.text().startswith("0 of ")
    assert view.operations.runner.wait(10)
