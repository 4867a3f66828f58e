"""A change made while the customer card is behind another screen does not read that card again
then, for nobody: a merge on the Customers list with the card of a customer of many events left
behind it read their whole timeline twice on the window's thread (five seconds at 20,000 events).
The card is read again when it is shown; while shown, at once, as before."""

from __future__ import annotations


def _two_others(win, cid):
    ids = [c for c in win.screens["customers"].list_ids() if c != cid]
    return ids[:2]


def test_a_merge_seen_from_the_list_leaves_the_hidden_card_for_later(demo_window, qtbot, monkeypatch):
    win = demo_window
    win.show_screen("customers")
    customers = win.screens["customers"]
    cid = customers.model.customer_id(3)
    win.open_customer(cid)
    view = win.customer_view
    win.go_back()
    assert win.current_screen() == "customers"
    read = []
    real = view._show  # what opening and refreshing the card both do
    monkeypatch.setattr(view, "_show", lambda c, **kw: read.append(c) or real(c, **kw))
    win.operations.merge(_two_others(win, cid))
    assert win.runner.wait(10)
    assert read == []  # nobody looks at the card: not read
    assert view._stale
    # Shown again the one way the card comes back without being opened afresh: read then.
    win.screen_stack.setCurrentWidget(win.customer_page)
    assert read == [cid] and not view._stale
    assert view.customer_id == cid


def test_a_change_while_the_card_is_shown_reads_it_at_once(demo_window, qtbot, monkeypatch):
    win = demo_window
    win.show_screen("customers")
    cid = win.screens["customers"].model.customer_id(3)
    win.open_customer(cid)
    view = win.customer_view
    read = []
    real = view._show  # what opening and refreshing the card both do
    monkeypatch.setattr(view, "_show", lambda c, **kw: read.append(c) or real(c, **kw))
    win.operations.retag([cid], ["vip-now"], ())
    assert read == [cid]
    assert "vip-now" in view.fields["tags"].text() or "vip-now" in view.fields["tags"].toolTip()
