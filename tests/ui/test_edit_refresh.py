"""A hand edit redraws what it changed: a tag or a value typed in for one customer does not make
the window re-read the review queue (every pair, every card in it), which at 100,000 customers
held the window for a second after each edit and each undo."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import event


@pytest.fixture
def statements(demo):
    """The statements run on the UI thread from now on, as text."""
    seen: list[str] = []
    ui = threading.get_ident()

    def heard(conn, cursor, statement, parameters, context, executemany):
        if threading.get_ident() == ui:
            seen.append(statement)

    engine = demo.workspace.engine
    event.listen(engine, "before_cursor_execute", heard)
    yield seen
    event.remove(engine, "before_cursor_execute", heard)


def _queue_reads(seen: list[str]) -> list[str]:
    # (The undo journal's own copies of rows are not the queue, nor is the Review badge's count.)
    return [s for s in seen if "match_review" in s and "omnidesk_journal" not in s
            and s.lstrip().upper().startswith("SELECT") and not s.lstrip().upper().startswith("SELECT COUNT(")]


def test_tagging_a_customer_outside_the_queue_leaves_the_queue_unread(demo, statements):
    win = demo
    win.show_screen("review")
    review = win.screens["review"]
    assert review.items, "the demo has pairs to review"
    shown = {c for i in review.items for c in (i.left_id, i.right_id)}
    with win.workspace.engine.connect() as conn:
        other = next(c for (c,) in conn.exec_driver_sql("SELECT id FROM customer ORDER BY id") if c not in shown)
    before = len(review.items)

    statements.clear()
    assert win.operations.retag([other], ["vip"], ()) is not None
    assert _queue_reads(statements) == []
    statements.clear()
    assert win.operations.edit_values(other, {"city": "Bangor"}) is not None
    assert _queue_reads(statements) == []
    statements.clear()
    win.undo_action.trigger()  # the city
    win.undo_action.trigger()  # the tag
    assert _queue_reads(statements) == []
    assert len(review.items) == before
    with win.workspace.engine.connect() as conn:
        assert "vip" not in (conn.exec_driver_sql("SELECT tags FROM customer WHERE id = ?", (other,)).scalar() or "")


def test_an_edit_of_a_customer_in_the_queue_redraws_their_pair(demo, statements):
    win = demo
    win.show_screen("review")
    review = win.screens["review"]
    customer = review.items[0].left_id
    statements.clear()
    assert win.operations.edit_values(customer, {"city": "Bangor"}) is not None
    assert _queue_reads(statements)  # their pair shows the city typed in
    assert review.cards[customer]["city"] == "Bangor"


def test_a_customer_added_by_hand_is_counted(demo, statements):
    win = demo
    before = win.summary.text()
    assert win.operations.add_customer({"first_name": "Hand", "last_name": "Made",
                                        "email": "hand.made@example.com"}) is not None
    assert win.summary.text() != before
    win.undo_action.trigger()
    assert win.summary.text() == before


def test_a_merge_made_elsewhere_rereads_the_queue_once_it_is_shown(demo, monkeypatch):
    win = demo
    win.show_screen("review")
    review = win.screens["review"]
    pair = review.items[0]
    before = len(review.items)
    reads = []
    read = review.refresh
    monkeypatch.setattr(review, "refresh", lambda: reads.append(1) or read())

    win.show_screen("customers")
    assert win.operations.merge([pair.left_id, pair.right_id])
    win.undo_action.trigger()
    assert win.operations.merge([pair.left_id, pair.right_id])
    assert reads == []  # not while the Customers screen is in front
    badge = win.nav.item(win.nav.row_of("review")).text()

    win.show_screen("review")
    assert reads == [1]
    assert len(review.items) < before
    assert pair.id not in {i.id for i in review.items}
    assert badge == f"Review ({len(review.items):,})"  # counted right while the screen was away
