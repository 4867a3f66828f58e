"""A rule on consent over a big list reads its refused addresses off the window's thread.

"Email consent is granted" leaves out the addresses someone said stop from: finding them reads
tens of thousands of rows on a big workspace.  The Customers screen checked a new rule on the
window's thread before working its list out in the background, and that check read them too (a
segment "granted and vip" opened froze the window for a second over 100,000 customers).  Only
the rule's shape is checked there now; what the workspace holds is read with the list and the
count.  The demo workspace is small, so the line is lowered; what is checked is where the
addresses are read, never how long it takes.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, Qt, QThread

from omnidesk.core.campaigns import guards
from omnidesk.core.customers import customer_ids
from omnidesk.core.segments import count
from omnidesk.ui.views import customers_view
from tests.ui.builder_rows import new_row, pick

GRANTED_VIP = {"all": [{"field": "consent.email", "op": "is", "value": "granted"},
                       {"field": "tag", "op": "is", "value": "vip"}]}


@pytest.fixture
def screen(demo, monkeypatch):
    monkeypatch.setattr(customers_view, "BACKGROUND_FILTER", 0, raising=False)
    demo.show_screen("customers")
    view = demo.screens["customers"]
    assert not view.runner.inline  # the window's own runner, on its thread pool
    return view


@pytest.fixture
def read_on(monkeypatch):
    """For each time the refused addresses of a channel are read: whether on the window's thread."""
    seen: list[bool] = []
    real = guards.refused_unlisted

    def recorded(conn, channel):
        seen.append(QThread.currentThread() is QCoreApplication.instance().thread())
        return real(conn, channel)

    monkeypatch.setattr(guards, "refused_unlisted", recorded)
    return seen


def _shown(view):
    return [view.model.customer_id(r) for r in range(view.model.rowCount())]


def _settled(view, qtbot):
    qtbot.waitUntil(lambda: not view.filtering() and view.builder.count_label.text() != "Counting…",
                    timeout=10_000)
    assert view.runner.wait(10)


def test_a_consent_segment_clicked_is_worked_out_off_the_window_thread(screen, read_on, qtbot):
    window = screen.window()
    assert window.operations.save_segment("Mail VIPs", GRANTED_VIP)
    _settled(screen, qtbot)
    read_on.clear()
    nav = window.nav
    item = nav.item(nav.row_of_segment("Mail VIPs"))
    qtbot.mouseClick(nav.viewport(), Qt.MouseButton.LeftButton, pos=nav.visualItemRect(item).center())
    assert screen.model.rule() == GRANTED_VIP
    assert screen.filtering()  # the list is being worked out: the one before stays meanwhile
    _settled(screen, qtbot)
    assert read_on and not any(read_on)
    expected = list(customer_ids(screen.workspace, rule=GRANTED_VIP))
    assert 0 < len(expected) and _shown(screen) == expected
    assert screen.builder.count_label.text() == f"{count(screen.workspace, GRANTED_VIP):,} customers"


def test_a_consent_row_typed_into_the_panel_is_checked_off_the_window_thread(screen, read_on, qtbot):
    window = screen.window()
    _view, row = new_row(window, qtbot, "consent.email", "is")
    pick(row.editor.combo, "granted")
    screen.builder.apply_now()
    rule = {"all": [{"field": "consent.email", "op": "is", "value": "granted"}]}
    assert screen.model.rule() == rule
    _settled(screen, qtbot)
    assert read_on and not any(read_on)
    assert _shown(screen) == list(customer_ids(screen.workspace, rule=rule))


def test_any_of_two_channels_consent_is_read_off_the_window_thread(screen, read_on, qtbot):
    rule = {"any": [{"field": "consent.email", "op": "is", "value": "granted"},
                    {"field": "consent.sms", "op": "in", "value": ["granted", "pending", "unknown"]}]}
    screen.show_segment("Reachable", rule)
    assert screen.filtering()
    _settled(screen, qtbot)
    assert read_on == [False] * 4  # each channel, for the list and for the count
    assert _shown(screen) == list(customer_ids(screen.workspace, rule=rule))


def test_a_rule_that_cannot_run_is_still_said_at_once(screen, read_on, qtbot):
    _settled(screen, qtbot)
    before = _shown(screen)
    screen._rule_changed({"all": [{"field": "consent.email", "op": "is", "value": "granted"},
                                  {"field": "consent.fax", "op": "is", "value": "granted"}]})
    assert not screen.filtering() and _shown(screen) == before  # nothing asked: the list as it was
    assert "fax" in screen.builder.count_label.text()
    assert read_on == []
