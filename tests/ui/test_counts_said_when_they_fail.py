"""A count worked out off the window's thread that fails says so where the count goes.

The rule panel's count on the Customers screen stayed on "Counting…" for ever, and the saved
segments in the navigation kept the figures from before (or none), saying nothing, when the work
raised (here a workspace another program holds: "database is locked").  Each now says it could
not count, the error is raised on the window's thread where its handlers hear it, and the next
count that works replaces the message.
"""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import Qt

from omnidesk.core.segments import count
from omnidesk.ui import saved_segments
from omnidesk.ui.views import customers_view
from omnidesk.ui.widgets.navigation import NOT_COUNTED
from tests.ui.test_campaign_calendar import shots_dir

VIP = {"all": [{"field": "tag", "op": "is", "value": "vip"}]}
POS = {"all": [{"field": "channel", "op": "is", "value": "pos"}]}
LOCKED = "Could not count the customers: database is locked"


def locked(*_args, **_kwargs):
    raise sqlite3.OperationalError("database is locked")


@pytest.fixture
def screen(demo):
    demo.show_screen("customers")
    view = demo.screens["customers"]
    assert not view.runner.inline  # the window's own runner, on its thread pool
    return view


def test_the_rule_panels_count_says_it_failed_and_a_later_count_replaces_it(screen, monkeypatch, qtbot):
    label = screen.builder.count_label
    vip = count(screen.workspace, VIP)
    monkeypatch.setattr(customers_view, "count_segment", locked)
    with qtbot.capture_exceptions() as raised:
        screen.show_segment("VIP", VIP)
        qtbot.waitUntil(lambda: label.text() == LOCKED, timeout=10_000)
        assert screen.runner.wait(10)
    assert [type(e[1]) for e in raised] == [sqlite3.OperationalError]  # heard by the window too
    assert screen.model.rowCount() == vip  # the list itself was found

    monkeypatch.setattr(customers_view, "count_segment", count)
    screen.refresh()  # a change elsewhere: the same rule counted again, and found
    qtbot.waitUntil(lambda: label.text() == f"{vip:,} customers", timeout=10_000)


def test_the_saved_segments_say_they_were_not_counted_and_a_later_count_replaces_it(screen, monkeypatch, qtbot,
                                                                                   tmp_path):
    window, nav = screen.window(), screen.window().nav
    ws = screen.workspace
    vip, pos = count(ws, VIP), count(ws, POS)
    assert window.operations.save_segment("VIP", VIP) and window.operations.save_segment("Till sales", POS)
    qtbot.waitUntil(lambda: nav.segment_count("VIP") == vip and nav.segment_count("Till sales") == pos,
                    timeout=10_000)

    monkeypatch.setattr(saved_segments, "count", locked)
    monkeypatch.setattr(customers_view, "count_segment", locked)
    with qtbot.capture_exceptions() as raised:
        window.segments.recount()  # as after an import or a merge elsewhere
        qtbot.waitUntil(lambda: nav.segment_count_text("VIP") == NOT_COUNTED, timeout=10_000)
        # The figures from before are not shown as today's.
        assert nav.segment_count_text("Till sales") == NOT_COUNTED and nav.segment_count("VIP") is None
        item = nav.item(nav.row_of_segment("VIP"))
        assert item.toolTip().startswith(LOCKED)
        # Opened, its rule's count fails too: the screen as the user sees it.
        window.resize(1024, 640)
        qtbot.mouseClick(nav.viewport(), Qt.MouseButton.LeftButton, pos=nav.visualItemRect(item).center())
        qtbot.waitUntil(lambda: screen.builder.count_label.text() == LOCKED, timeout=10_000)
        assert screen.runner.wait(10)
        window.grab().save(str(shots_dir(tmp_path) / "customers-count-failed-1024.png"))
    assert raised and all(isinstance(e[1], sqlite3.OperationalError) for e in raised)

    monkeypatch.setattr(saved_segments, "count", count)
    window.segments.recount()
    qtbot.waitUntil(lambda: nav.segment_count("VIP") == vip and nav.segment_count("Till sales") == pos,
                    timeout=10_000)
    assert nav.segment_count_text("VIP") == f"{vip:,}"
    assert not nav.item(nav.row_of_segment("VIP")).toolTip().startswith("Could not")


def test_the_lists_count_says_its_filter_failed_and_a_later_filter_replaces_it(screen, monkeypatch, qtbot,
                                                                               tmp_path):
    """Over a big workspace the list is filtered in the background; when that fails, the count
    beside the search said the figure of the list before, as if it were the one asked for."""
    from omnidesk.core.customers import customer_ids
    from omnidesk.ui.models import customer_table_model as table_model

    monkeypatch.setattr(customers_view, "BACKGROUND_FILTER", 0, raising=False)
    label = screen.count_label
    before = screen.model.rowCount()
    monkeypatch.setattr(table_model, "customer_ids", locked)
    with qtbot.capture_exceptions() as raised:
        screen.consent_filter.setCurrentIndex(screen.consent_filter.findData("email:granted"))
        qtbot.waitUntil(lambda: label.text() == "Could not filter the list: database is locked", timeout=10_000)
        assert screen.runner.wait(10)
        screen.window().resize(1024, 640)
        screen.window().grab().save(str(shots_dir(tmp_path) / "customers-filter-failed-1024.png"))
    assert [type(e[1]) for e in raised] == [sqlite3.OperationalError]
    assert screen.model.rowCount() == before and not screen.filtering()

    monkeypatch.setattr(table_model, "customer_ids", customer_ids)
    screen.consent_filter.setCurrentIndex(screen.consent_filter.findData("sms:granted"))
    expected = len(customer_ids(screen.workspace, consent="sms:granted"))
    assert 0 < expected < before
    qtbot.waitUntil(lambda: label.text() == f"{expected:,} customers", timeout=10_000)
