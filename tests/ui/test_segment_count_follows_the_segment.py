"""The rule panel's count is the shown segment's, never the one before's.

Segment A open (20,248 customers), a click on segment B (7,178) left "20,248 customers" under B's
rows for seconds while B was counted in the background, and the list above could already say
7,178.  A new rule's count says "Counting…" until it is found; the same rule counted again after
a change keeps its number meanwhile.  What is checked is what the panel says before and after
the count is heard (held back here until the test lets it go), never how long it takes.
"""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt

from omnidesk.core.segments import count
from omnidesk.ui.views import customers_view

POS = {"field": "channel", "op": "is", "value": "pos"}
VIP = {"field": "tag", "op": "is", "value": "vip"}


@pytest.fixture
def screen(demo):
    demo.show_screen("customers")
    view = demo.screens["customers"]
    assert not view.runner.inline  # the window's own runner, on its thread pool
    return view


@pytest.fixture
def held(monkeypatch):
    """The counts of the panel, each held back until ``release`` is set."""
    release = threading.Event()
    real = customers_view.count_segment

    def waits(ws, rule, *args, **kwargs):
        release.wait(10)
        return real(ws, rule, *args, **kwargs)

    monkeypatch.setattr(customers_view, "count_segment", waits)
    yield release
    release.set()


def _click_segment(window, qtbot, name):
    nav = window.nav
    item = nav.item(nav.row_of_segment(name))
    qtbot.mouseClick(nav.viewport(), Qt.MouseButton.LeftButton, pos=nav.visualItemRect(item).center())


def test_another_segment_clicked_says_counting_not_the_last_ones_number(screen, held, qtbot):
    window, label = screen.window(), screen.builder.count_label
    ws = screen.workspace
    till, vip = count(ws, POS), count(ws, VIP)
    assert till != vip
    assert window.operations.save_segment("Till sales", POS) and window.operations.save_segment("VIP", VIP)
    held.set()
    _click_segment(window, qtbot, "Till sales")
    qtbot.waitUntil(lambda: label.text() == f"{till:,} customers", timeout=10_000)
    assert screen.runner.wait(10)

    held.clear()
    _click_segment(window, qtbot, "VIP")
    assert screen.builder.editing_label.text() == "· segment “VIP”"
    assert screen.model.rowCount() == vip  # the list (a small one, found at once) is VIP's already
    assert label.text() == "Counting…"
    screen._update_state()  # the list heard again while the count is still on its way
    assert label.text() == "Counting…"
    held.set()
    qtbot.waitUntil(lambda: label.text() == f"{vip:,} customers", timeout=10_000)


def test_the_same_rule_counted_again_after_a_change_keeps_its_number_meanwhile(screen, held, qtbot):
    label = screen.builder.count_label
    held.set()
    screen.show_segment("VIP", VIP)
    vip = count(screen.workspace, VIP)
    qtbot.waitUntil(lambda: label.text() == f"{vip:,} customers", timeout=10_000)
    assert screen.runner.wait(10)
    held.clear()
    screen.refresh()  # a change elsewhere: the same rule is counted again
    assert label.text() == f"{vip:,} customers"
    held.set()
    assert screen.runner.wait(10)
    qtbot.waitUntil(lambda: label.text() == f"{vip:,} customers", timeout=10_000)
