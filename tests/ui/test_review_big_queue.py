"""A review queue naming more customers than SQLite takes values in one statement still opens."""

from __future__ import annotations

import sqlite3
from itertools import product

import pytest
from PySide6.QtCore import Qt
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


@pytest.fixture
def small_pages(monkeypatch):
    """The Review screen reads 50 pairs at a time, not 2,000, and counts them 100 at a time: a long
    queue in a test of 600 pairs."""
    from omnidesk.ui.views.review_view import ReviewView

    monkeypatch.setattr(ReviewView, "PAGE", 50, raising=False)
    monkeypatch.setattr(ReviewView, "TALLY_PAGE", 100, raising=False)


def test_a_long_queue_shows_its_first_pairs_and_the_next_ones_as_the_list_ends(
        window, big_queue, tmp_path, small_pages, qtbot, monkeypatch):
    # The screen read and listed every pair at once: 35 seconds frozen with 100,000 of them.
    from tests.ui.test_review_and_merge import _mixed_queue

    _mixed_queue(big_queue, tmp_path)  # a weaker pair Omnidesk may merge in bulk, far down the queue
    total = len(list_reviews(big_queue))
    window.set_workspace(big_queue)
    window.show_screen("review")
    view = window.screens["review"]
    assert [len(view.items), view.pairs.count()] == [50, 50]
    assert view.count_label.text() == (f"Showing the first 50 of {total:,} pairs — decide these, "
                                       "or accept in bulk")
    assert view.tabs.tabText(0) == f"To review ({total:,})"
    assert window.nav.item(window.nav.row_of("review")).text() == f"Review ({total:,})"
    assert [i.id for i in view.items] == [i.id for i in list_reviews(big_queue)[:50]]
    # The bulk button counts the whole queue, not the pairs shown: the pair it would merge is not among them.
    bulk = next(i for i in list_reviews(big_queue) if not i.for_one_by_one)
    assert bulk.id not in [i.id for i in view.items]
    view.threshold.setValue(5.0)
    assert view.bulk_button.isEnabled() and view.bulk_button.text() == "Accept 1 pair at or above"
    assert f"{total - 1:,} pairs with a conflict" in view.bulk_button.toolTip()
    asked = []
    monkeypatch.setattr(window, "confirm_bulk_accept", lambda *a: asked.append(a) or False)
    qtbot.mouseClick(view.bulk_button, Qt.MouseButton.LeftButton)
    (pairs, _skipped, _score, held) = asked[-1]
    assert [names for names, _ in pairs] == ["Amy Brook ~ Amy Brook"] and held == total - 1
    # The keys reaching the last pair read bring the next ones, in the queue's order.
    view.pairs.setFocus()
    view.pairs.setCurrentRow(49)
    qtbot.waitUntil(lambda: len(view.items) == 100)
    assert view.pairs.count() == 100 and view.pairs.currentRow() == 49
    assert view.count_label.text().startswith(f"Showing the first 100 of {total:,} pairs")
    # So does scrolling to the end of the list.
    view.pairs.scrollToBottom()
    qtbot.waitUntil(lambda: len(view.items) == 150)
    assert [i.id for i in view.items] == [i.id for i in list_reviews(big_queue)[:150]]
    # A decision takes its pair off the list; every other pair read stays, the next one current.
    view.pairs.setCurrentRow(60)
    looked_at, following = view.items[60], view.items[61]
    qtbot.keyClick(view.pairs, Qt.Key.Key_R)
    assert looked_at.id not in [i.id for i in view.items]
    assert len(view.items) == 149 and view.pairs.currentRow() == 60 and view.current_item().id == following.id
    assert [i.id for i in view.items] == [i.id for i in list_reviews(big_queue)[:149]]
    assert view.count_label.text() == f"Showing the first 149 of {total - 1:,} pairs — decide these, or accept in bulk"
    assert view.tabs.tabText(0) == f"To review ({total - 1:,})"


def test_while_the_whole_queue_is_counted_the_bulk_button_waits_for_the_count(
        window, big_queue, small_pages, monkeypatch):
    # Counting what a bulk accept would take reads every pair: off the window's thread, the
    # button off meanwhile rather than counting only the pairs shown.
    window.set_workspace(big_queue)
    window.show_screen("review")
    view = window.screens["review"]
    held = []
    monkeypatch.setattr(view.runner, "start", lambda task: held.append(task) or task)
    view.threshold.setValue(1.0)
    view.refresh()
    assert len(view.items) == 50 and len(held) == 1
    assert not view.bulk_button.isEnabled() and view.bulk_button.text() == "Accept all at or above"
    assert "Counting the pairs at or above this score" in view.bulk_button.toolTip()
    held[0]._drive()  # the count arrives
    assert f"{FAMILIES:,} pairs with a conflict" in view.bulk_button.toolTip()
    assert not view.bulk_button.isEnabled()  # each of them a family's email: decided one by one


def test_a_bulk_accept_moving_more_records_than_one_statement_takes_and_its_undo(
        window, make_workspace, tmp_path, old_sqlite_limit, qtbot, monkeypatch):
    # The merge named every record of the customer it took in one statement ("too many SQL
    # variables"): Amy's 1,200 orders on the mailing list's side never joined the shop's Amy.
    from tests.ui.test_review_and_merge import CROWD

    ws = make_workspace("orders.omnidesk")
    columns = HEADER + ["Zip", "Order No", "Total"]
    import_file(ws, write_csv(tmp_path / "shop.csv", columns, [
        ["Amy", "Brook", "amy.b@example.com", "", "04101", "1", "5.00"], *[row + ["", "", ""] for row in CROWD]]),
        ImportOptions(channel="shop"))
    amy = ["Amy", "Brook", "", "(415) 555-0199", "04101"]
    import_file(ws, write_csv(tmp_path / "list.csv", columns, [amy + ["999", "9.00"]]), ImportOptions(channel="email"))
    orders = 1_200  # the list's Amy, queued beside the shop's, has ordered since
    import_file(ws, write_csv(tmp_path / "orders.csv", columns, [
        amy + [str(1000 + n), "9.00"] for n in range(orders)]), ImportOptions(channel="email"))
    pairs = list_reviews(ws)
    assert len(pairs) == 1 and not pairs[0].for_one_by_one
    (shop, amy) = (pairs[0].left_id, pairs[0].right_id)
    path = ws.path
    ws.close()
    assert window.open_workspace(path)  # connections made under the old limit
    monkeypatch.setattr(window, "confirm_bulk_accept", lambda *a: True)
    monkeypatch.setattr(window, "show_bulk_accept_summary", lambda *a: None)
    window.show_screen("review")
    view = window.screens["review"]
    view.threshold.setValue(int(pairs[0].score))
    qtbot.waitUntil(lambda: view.bulk_button.text() == "Accept 1 pair at or above")
    qtbot.mouseClick(view.bulk_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: review_count(window.workspace) == 0)
    cards = customer_cards(window.workspace, [shop, amy])
    assert list(cards) == [shop] and cards[shop]["source_count"] == orders + 2
    window.undo()
    qtbot.waitUntil(lambda: review_count(window.workspace) == 1)
    cards = customer_cards(window.workspace, [shop, amy])
    assert sorted(cards) == [shop, amy] and cards[amy]["source_count"] == orders + 1
    assert [i.id for i in list_reviews(window.workspace)] == [pairs[0].id]


def test_the_bulk_accept_reads_the_queue_off_the_window_s_thread_before_it_asks(
        window, big_queue, tmp_path, small_pages, qtbot, monkeypatch):
    # A click read every pair three times on the window's thread before the question: 10 seconds
    # frozen with 100,000 of them. It is read once, in the background; the question follows.
    import omnidesk.core.identity.merge as merge
    from tests.ui.test_review_and_merge import _mixed_queue

    _mixed_queue(big_queue, tmp_path)
    total = len(list_reviews(big_queue))
    window.set_workspace(big_queue)
    window.show_screen("review")
    view = window.screens["review"]
    view.threshold.setValue(5.0)
    assert view.bulk_button.text() == "Accept 1 pair at or above"
    read, held, asked = [], [], []
    real = merge.list_reviews
    monkeypatch.setattr(merge, "list_reviews", lambda ws, **kw: read.append(kw) or real(ws, **kw))
    monkeypatch.setattr(window.runner, "start", lambda task: held.append(task) or task)
    monkeypatch.setattr(window, "confirm_bulk_accept", lambda *a: asked.append(a) or False)
    qtbot.mouseClick(view.bulk_button, Qt.MouseButton.LeftButton)
    assert read == [] and asked == [] and len(held) == 1  # nothing read yet on the window's thread
    qtbot.mouseClick(view.bulk_button, Qt.MouseButton.LeftButton)
    assert len(held) == 1  # a second click while it reads asks nothing twice
    held[0]._drive()  # the queue read, on the runner
    assert len(read) == 1
    (pairs, skipped, score, kept) = asked[-1]
    assert [names for names, _ in pairs] == ["Amy Brook ~ Amy Brook"]
    assert (skipped, score, kept) == (0, 5.0, total - 1)
    assert len(asked) == 1 and review_count(big_queue) == total  # not merged: the question was declined


def _listed_as_queued(view, ws) -> None:
    """The list holds the queue's first pairs as they are now, each line naming its two customers."""
    queue = list_reviews(ws)
    assert [(i.id, i.left_id, i.right_id, i.status) for i in view.items] == [
        (i.id, i.left_id, i.right_id, i.status) for i in queue[:len(view.items)]]
    assert view.pairs.count() == len(view.items)
    for row, item in enumerate(view.items):
        assert f"#{item.left_id} ~ #{item.right_id}" in view.pairs.item(row).text()


def test_a_decision_deep_in_a_long_queue_reads_again_only_the_pairs_of_its_customers(
        window, make_workspace, tmp_path, small_pages, qtbot, monkeypatch):
    # Each decision read again every page read so far: someone 50,000 pairs down paid for all of them.
    import omnidesk.ui.views.review_view as review_view

    ws = make_workspace("families.omnidesk")
    names = _family_names()[:120]
    import_file(ws, write_csv(tmp_path / "shop.csv", HEADER, [
        ["Anna", name, f"{name.lower()}@example.com", ""] for name in names]), ImportOptions(channel="shop"))
    import_file(ws, write_csv(tmp_path / "news.csv", HEADER, [
        ["Mark", name, f"{name.lower()}@example.com", ""] for name in names]), ImportOptions(channel="email"))
    # A third of five families on the till: two more pairs each, weaker, at the end of the queue.
    import_file(ws, write_csv(tmp_path / "till.csv", HEADER, [
        ["Lena", name, f"{name.lower()}@example.com", ""] for name in names[60:65]]), ImportOptions(channel="pos"))
    total = review_count(ws)
    assert total == 130
    window.set_workspace(ws)
    window.show_screen("review")
    view = window.screens["review"]
    view.pairs.setFocus()
    view.pairs.setCurrentRow(49)
    qtbot.waitUntil(lambda: len(view.items) == 100)
    read, counting = [], []
    real = review_view.list_reviews
    monkeypatch.setattr(review_view, "list_reviews",
                        lambda ws, **kw: read.extend(real(ws, **kw)) or real(ws, **kw))
    # What the bulk button counts is read in the background: held here, it reads nothing.
    monkeypatch.setattr(view.runner, "start", lambda task: counting.append(task) or task)
    # Merging Anna and Mark of a family on the till rewrites its pairs with Lena, not read yet.
    view.pairs.setCurrentRow(62)
    decided, following = view.items[62], view.items[63]
    qtbot.keyClick(view.pairs, Qt.Key.Key_A)
    assert len(read) <= 2  # the pairs of those two customers, not the hundred read
    assert decided.id not in [i.id for i in view.items] and len(view.items) == 99
    assert view.current_item().id == following.id and view.pairs.currentRow() == 62
    _listed_as_queued(view, ws)
    assert view.count_label.text() == f"Showing the first 99 of {total - 2:,} pairs — decide these, or accept in bulk"
    # The next pairs follow on from there, the rewritten pair with Lena among them.
    view.pairs.scrollToBottom()
    qtbot.waitUntil(lambda: view.complete)
    _listed_as_queued(view, ws)
    assert len(view.items) == total - 2 and not any(
        decided.right_id in (i.left_id, i.right_id) for i in view.items)  # Mark merged away: named by none
    # With the whole queue read, a merge rewrites a pair above the one looked at, in its place.
    lena = next(r for r, i in enumerate(view.items) if i.left_id == following.left_id and i.id != following.id)
    view.pairs.setCurrentRow(lena)
    merged_away = view.items[lena].right_id
    read.clear()
    qtbot.keyClick(view.pairs, Qt.Key.Key_A)
    assert len(read) <= 2
    _listed_as_queued(view, ws)
    assert len(view.items) == review_count(ws) == total - 4
    assert not any(merged_away in (i.left_id, i.right_id) for i in view.items)
    # Edit › Undo reads the list again whole, as it was.
    window.undo()
    _listed_as_queued(view, ws)
    assert len(view.items) == total - 2
