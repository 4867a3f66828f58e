"""A review queue naming more customers than SQLite takes values in one statement still opens."""

from __future__ import annotations

import sqlite3
from itertools import product

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from omnidesk.core.customers import customer_cards, customer_fingerprints, display_names
from omnidesk.core.identity.merge import list_reviews, review_count
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.workspace import Workspace
from tests.helpers import write_csv

HEADER = ["First Name", "Last Name", "Email", "Phone"]
# SQLite before 3.32 took 999 values a statement (newer builds 32,766): a queue of 600 pairs names
# 1,200 customers, as a shop's 200,000 pairs named 400,000 over the newer limit.
LIMIT = 999
FAMILIES = 600


def _family_names() -> list[str]:
    syllables = ["ka", "lo", "mi", "ra", "su", "te", "vo", "ze", "bi", "du"]
    return [(a + b + c).capitalize() for a, b, c in product(syllables, repeat=3)][:FAMILIES]


@pytest.fixture
def big_queue(make_workspace, tmp_path) -> Workspace:
    """A workspace whose queue holds 600 pairs: one email each, two first names on it."""
    ws = make_workspace("queue.omnidesk")
    names = _family_names()
    import_file(ws, write_csv(tmp_path / "shop.csv", HEADER, [
        ["Anna", name, f"{name.lower()}@example.com", ""] for name in names]), ImportOptions(channel="shop"))
    import_file(ws, write_csv(tmp_path / "news.csv", HEADER, [
        ["Mark", name, f"{name.lower()}@example.com", ""] for name in names]), ImportOptions(channel="email"))
    assert len(list_reviews(ws)) == FAMILIES
    return ws


@pytest.fixture
def old_sqlite_limit():
    """Every connection opened from here on takes at most 999 values a statement."""
    def limit(dbapi_connection, _record) -> None:
        dbapi_connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, LIMIT)

    event.listen(Engine, "connect", limit)
    yield
    event.remove(Engine, "connect", limit)


def test_a_queue_of_more_pairs_than_one_statement_takes_opens_in_the_window(window, big_queue, old_sqlite_limit):
    # The window raised "too many SQL variables" while it built its screens: the workspace never opened.
    path = big_queue.path
    big_queue.close()
    assert window.open_workspace(path)
    assert window.nav.item(window.nav.row_of("review")).text() == f"Review ({FAMILIES})"
    window.show_screen("review")
    view = window.screens["review"]
    assert len(view.items) == FAMILIES
    assert view.pairs.count() == FAMILIES
    first = view.items[0]
    assert f"#{first.left_id} ~ #{first.right_id}" in view.pairs.item(0).text()
    assert "Anna" in view.pairs.item(0).text() and "Mark" in view.pairs.item(0).text()


def test_reading_more_customers_than_one_statement_takes(big_queue, old_sqlite_limit):
    ws = Workspace.open(big_queue.path)  # connections made under the old limit
    try:
        ids = sorted({c for item in list_reviews(ws) for c in (item.left_id, item.right_id)})
        assert len(ids) == 2 * FAMILIES > LIMIT
        cards = customer_cards(ws, ids)
        assert sorted(cards) == ids
        assert all(card["all_emails"] for card in cards.values())
        assert sorted(display_names(ws, ids)) == ids
        assert all(customer_fingerprints(ws, ids).values())
    finally:
        ws.close()


def test_opening_a_workspace_reads_no_pair_until_review_is_shown(window, big_queue, tmp_path, monkeypatch):
    # Every pair and both its cards were read while the window opened the workspace, for a screen
    # not shown: 11 seconds with 222,000 pairs. Only their count is read now, for the navigation.
    import omnidesk.ui.views.review_view as review_view

    read = []
    real = review_view.list_reviews
    monkeypatch.setattr(review_view, "list_reviews", lambda ws, **kw: read.append(1) or real(ws, **kw))
    path = big_queue.path
    big_queue.close()
    assert window.open_workspace(path)
    assert read == [] and "review" not in window.screens.built()
    badge = window.nav.item(window.nav.row_of("review"))
    assert badge.text() == f"Review ({FAMILIES})"
    # A pair queued meanwhile is counted, and on the screen once it is shown.
    with Workspace.open(path) as outside:
        import_file(outside, write_csv(tmp_path / "late.csv", HEADER, [
            ["Zoe", "Quill", "quill@example.com", ""], ["Zia", "Quill", "quill@example.com", ""]]),
            ImportOptions(channel="pos"))
        assert review_count(outside) == FAMILIES + 1
    assert window.look_for_outside_changes()
    assert badge.text() == f"Review ({FAMILIES + 1})" and read == []
    window.show_screen("review")
    view = window.screens["review"]
    assert read and len(view.items) == FAMILIES + 1
    assert view.pairs.count() == FAMILIES + 1
    assert view.isVisible() and view.pages.currentIndex() == 1
