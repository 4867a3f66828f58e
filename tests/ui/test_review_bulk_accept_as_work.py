"""Accepting pairs naming a thousand customers or more runs in the background, as a tag added to as
many does: progress in the window, the rest of it not writable meanwhile, Cancel leaving every pair
and customer as they were, the summary after, and one step on Edit › Undo whose undo runs in the
background too."""

from __future__ import annotations

import threading
from itertools import product

import pytest
from PySide6.QtCore import Qt

from omnidesk.core.identity import merge
from omnidesk.core.identity.merge import list_reviews, review_count
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.ui import operations
from omnidesk.ui.tasks import TaskRunner
from tests.helpers import write_csv
from tests.workspace_dump import differences, dump

COLUMNS = ["First Name", "Last Name", "Email", "Phone", "Zip"]
FIRSTS = ["Amy", "Ben", "Cara", "Dev", "Eli", "Fay", "Gus", "Hal", "Ida", "Jon"]
# 60 pairs name 120 customers: past the hundred from which a change is long work here (a
# thousand in the app; each merge takes some milliseconds, and the test's shop is small).
PAIRS = 60
MANY = 100


@pytest.fixture
def queue(make_workspace, tmp_path, monkeypatch):
    """The shop's customers, each found again on the mailing list by name and postcode (a phone
    there, not the email): one pair each, nothing against them, for a bulk accept."""
    monkeypatch.setattr(operations, "LONG_EDIT", MANY)
    ws = make_workspace("pairs.omnidesk")
    syllables = ["ka", "lo", "mi", "ra", "su", "te", "vo", "ze", "bi", "du"]
    names = [(a + b + c).capitalize() for a, b, c in product(syllables, repeat=3)][:PAIRS]
    import_file(ws, write_csv(tmp_path / "shop.csv", COLUMNS, [
        [FIRSTS[i % 10], name, f"{name.lower()}@example.com", "", f"{10000 + i:05d}"]
        for i, name in enumerate(names)]), ImportOptions(channel="shop"))
    import_file(ws, write_csv(tmp_path / "list.csv", COLUMNS, [
        [FIRSTS[i % 10], name, "", f"(415) 555-{i:04d}", f"{10000 + i:05d}"]
        for i, name in enumerate(names)]), ImportOptions(channel="email"))
    pairs = list_reviews(ws)
    assert len(pairs) == PAIRS and not any(p.for_one_by_one for p in pairs)
    assert 2 * PAIRS >= operations.LONG_EDIT
    return ws


@pytest.fixture
def review(window, queue, monkeypatch):
    """The window on the queue, its long work on the pool as in the app, the question answered yes."""
    window.set_workspace(queue)
    window.operations.runner = TaskRunner()
    monkeypatch.setattr(window, "confirm_bulk_accept", lambda *a: True)
    window.show_screen("review")
    view = window.screens["review"]
    view.threshold.setValue(int(min(p.score for p in list_reviews(queue))))
    return view


def _threads_of(monkeypatch, name):
    """Where ``merge.<name>`` runs, one thread a call."""
    seen = []
    real = getattr(merge, name)

    def recorded(*args, **kwargs):
        seen.append(threading.current_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(merge, name, recorded)
    return seen


def _merges_held(monkeypatch, at: int = 5, wait: float = 20) -> tuple[threading.Event, list]:
    """Each merge counted; the ``at``-th waits up to ``wait`` seconds until the gate is set, which the
    test does once it has looked at the window meanwhile (a merge on the window's thread would wait
    in vain): the gate, and one entry a merge started."""
    gate, merged = threading.Event(), []
    real = merge.merge_in

    def held(*args, **kwargs):
        merged.append(1)
        if len(merged) == at:
            assert gate.wait(wait), "the pairs were merged on the window's thread"
        return real(*args, **kwargs)

    monkeypatch.setattr(merge, "merge_in", held)
    return gate, merged


def test_a_big_bulk_accept_merges_in_the_background_and_so_does_its_undo(window, queue, review, qtbot, monkeypatch):
    ws = queue
    before = dump(ws.path, renumber_reviews=True)
    customers = ws.counts()["customers"]
    told, busy, said = [], [], []
    monkeypatch.setattr(window, "show_bulk_accept_summary", lambda *a: told.append(a))
    window.operations.busyChanged.connect(busy.append)
    window.operations.progressed.connect(lambda done, total, text: said.append((done, total, text)))
    merged_on = _threads_of(monkeypatch, "merge_in")
    qtbot.mouseClick(review.bulk_button, Qt.MouseButton.LeftButton)
    assert window.operations.busy  # merging: the window is not writable meanwhile
    assert not window.undo_action.isEnabled() and not window.duplicates_action.isEnabled()
    qtbot.waitUntil(lambda: not window.operations.busy, timeout=60000)
    assert busy == [True, False]
    assert len(merged_on) == PAIRS and threading.main_thread() not in merged_on
    assert (0, PAIRS, f"Merging pair 1 of {PAIRS}") in said
    assert told == [(PAIRS, 0, 0, customers, customers - PAIRS, 0)]  # the summary, as ever, once done
    assert review_count(ws) == 0 and ws.counts()["customers"] == customers - PAIRS
    assert window.undo_action.text() == f"&Undo accept of {PAIRS} pairs at or above {review.threshold.value():.1f} bits"

    busy.clear()
    undone_on = _threads_of(monkeypatch, "undo_log_in")
    window.undo_action.trigger()
    assert window.operations.busy
    qtbot.waitUntil(lambda: not window.operations.busy, timeout=60000)
    assert busy == [True, False]
    assert undone_on and threading.main_thread() not in undone_on
    assert review_count(ws) == PAIRS and ws.counts()["customers"] == customers
    assert differences(before, dump(ws.path, renumber_reviews=True)) == []

    window.redo_action.trigger()
    qtbot.waitUntil(lambda: not window.operations.busy, timeout=60000)
    assert review_count(ws) == 0 and ws.counts()["customers"] == customers - PAIRS


def test_cancel_while_pairs_are_merged_leaves_every_pair_and_customer_as_they_were(
        window, queue, review, qtbot, monkeypatch):
    ws = queue
    before, customers = dump(ws.path), ws.counts()["customers"]
    undo_before = window.undo_action.text()
    told, notices = [], []
    monkeypatch.setattr(window, "show_bulk_accept_summary", lambda *a: told.append(a))
    window.operations.notice.connect(notices.append)
    gate, merged = _merges_held(monkeypatch, at=10, wait=10)  # the tenth waits until the window asked to cancel
    qtbot.mouseClick(review.bulk_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(merged) >= 10)
    assert window.work.cancel_button.isEnabled()
    qtbot.mouseClick(window.work.cancel_button, Qt.MouseButton.LeftButton)
    gate.set()
    qtbot.waitUntil(lambda: not window.operations.busy, timeout=60000)
    assert len(merged) < PAIRS  # stopped at the next pair, not run to its end
    assert any("cancelled" in n for n in notices), notices
    assert told == []
    assert review_count(ws) == PAIRS and ws.counts()["customers"] == customers
    assert differences(before, dump(ws.path)) == []
    assert window.undo_action.text() == undo_before


def test_cancel_while_the_merged_customers_are_updated_leaves_every_pair_and_customer_as_they_were(
        window, queue, review, qtbot, monkeypatch):
    """The cards are worked out once, after the last pair: Cancel then is Cancel too."""
    ws = queue
    before, customers = dump(ws.path), ws.counts()["customers"]
    undo_before = window.undo_action.text()
    told, notices, said = [], [], []
    monkeypatch.setattr(window, "show_bulk_accept_summary", lambda *a: told.append(a))
    window.operations.notice.connect(notices.append)
    window.operations.progressed.connect(lambda done, total, text: said.append(text))
    gate, entered = threading.Event(), threading.Event()
    real = merge.refresh_customers_steps

    def held(conn, ids):  # the update waits until the window has asked to cancel
        entered.set()
        assert gate.wait(20)
        return (yield from real(conn, ids))

    monkeypatch.setattr(merge, "refresh_customers_steps", held)
    qtbot.mouseClick(review.bulk_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(entered.is_set, timeout=60000)
    assert window.work.cancel_button.isEnabled()
    qtbot.mouseClick(window.work.cancel_button, Qt.MouseButton.LeftButton)
    gate.set()
    qtbot.waitUntil(lambda: not window.operations.busy, timeout=60000)
    assert any("merged customers" in text for text in said), said
    assert any("cancelled" in n for n in notices), notices
    assert told == []
    assert review_count(ws) == PAIRS and ws.counts()["customers"] == customers
    assert differences(before, dump(ws.path)) == []
    assert window.undo_action.text() == undo_before


def test_a_big_bulk_accept_is_not_undone_over_a_customer_changed_since(window, queue, review, qtbot, monkeypatch):
    from omnidesk.core import edits
    from omnidesk.core.workspace import Workspace

    ws = queue
    errors = []
    monkeypatch.setattr(window, "show_bulk_accept_summary", lambda *a: None)
    monkeypatch.setattr(window, "show_error", lambda title, text: errors.append((title, text)))
    keeper = list_reviews(ws)[0].left_id
    qtbot.mouseClick(review.bulk_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.operations.busy, timeout=60000)
    with Workspace.open(ws.path) as outside:  # another window types in a merged customer's city
        edits.set_values(outside, keeper, {"city": "Bangor"})
    after = dump(ws.path)
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: not window.operations.busy, timeout=60000)
    assert [title for title, _ in errors] == [f"Cannot undo accept of {PAIRS} pairs at or above "
                                              f"{review.threshold.value():.1f} bits"]
    assert "The customers of these pairs changed since" in errors[0][1]
    assert "nothing was changed" in errors[0][1]
    assert differences(after, dump(ws.path)) == []
    assert not window.undo_stack.canUndo()


def test_no_pair_is_decided_while_pairs_are_merged_and_the_list_is_read_afresh_after(
        window, queue, review, qtbot, monkeypatch):
    """While the bulk accept runs, each decision would only be refused ("… is still running") and
    the list may show pairs being merged: the decisions, their keys, the threshold and the bulk
    button are off, and a line says why; once it ends they are on again over the queue as it is."""
    from PySide6.QtWidgets import QApplication

    ws = queue
    errors = []
    monkeypatch.setattr(window, "show_error", lambda title, text: errors.append((title, text)))
    monkeypatch.setattr(window, "show_bulk_accept_summary", lambda *a: None)
    gate, merged = _merges_held(monkeypatch)  # the fifth waits until the window has been looked at
    decisions = (review.accept_button, review.reject_button, review.skip_button)
    assert all(b.isEnabled() for b in decisions) and review.bulk_button.isEnabled()
    qtbot.mouseClick(review.bulk_button, Qt.MouseButton.LeftButton)
    try:
        qtbot.waitUntil(lambda: len(merged) >= 5, timeout=20000)
        assert window.operations.busy
        assert not any(b.isEnabled() for b in decisions)
        assert not review.bulk_button.isEnabled() and not review.threshold.isEnabled()
        assert review.busy_label.isVisible() and "still running" in review.busy_label.text()
        assert "still running" in review.accept_button.toolTip()
        review.pairs.setFocus()
        for key in (Qt.Key.Key_A, Qt.Key.Key_R, Qt.Key.Key_S):
            qtbot.keyClick(review.pairs, key)
        assert errors == [] and QApplication.activeModalWidget() is None
    finally:
        gate.set()
    qtbot.waitUntil(lambda: not window.operations.busy, timeout=60000)
    qtbot.waitUntil(lambda: review.accept_button.isEnabled(), timeout=5000)
    assert all(b.isEnabled() for b in decisions) and review.threshold.isEnabled()
    assert not review.busy_label.isVisible()
    assert errors == []
    assert [i.id for i in review.items] == [p.id for p in list_reviews(ws)]
    assert review.pairs.count() == review_count(ws) == 0


def test_after_a_cancelled_bulk_accept_the_pairs_are_decided_again(window, queue, review, qtbot, monkeypatch):
    ws = queue
    errors = []
    monkeypatch.setattr(window, "show_error", lambda title, text: errors.append((title, text)))
    gate, merged = _merges_held(monkeypatch)
    qtbot.mouseClick(review.bulk_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(merged) >= 5, timeout=20000)
    assert not review.accept_button.isEnabled()
    qtbot.mouseClick(window.work.cancel_button, Qt.MouseButton.LeftButton)
    gate.set()
    qtbot.waitUntil(lambda: not window.operations.busy, timeout=60000)
    qtbot.waitUntil(lambda: review.accept_button.isEnabled(), timeout=5000)
    assert review.bulk_button.isEnabled() and review.threshold.isEnabled()
    assert [i.id for i in review.items] == [p.id for p in list_reviews(ws)]
    assert review.pairs.count() == review_count(ws) == PAIRS
    first = review.current_item()
    review.pairs.setFocus()
    qtbot.keyClick(review.pairs, Qt.Key.Key_R)  # a decision goes through again
    assert errors == []
    assert first.id not in [p.id for p in list_reviews(ws)]
    assert review_count(ws) == PAIRS - 1


def test_after_a_bulk_accept_cancelled_from_the_keyboard_the_keys_decide_pairs_again(
        window, queue, review, qtbot, monkeypatch):
    """Cancel pressed with the keyboard sent the focus to the sidebar, where the next A, R or S
    searched the screens instead of deciding a pair."""
    from PySide6.QtWidgets import QApplication

    monkeypatch.setattr(window, "show_error", lambda title, text: None)
    monkeypatch.setattr(window, "show_bulk_accept_summary", lambda *a: None)
    window.activateWindow()
    gate, merged = _merges_held(monkeypatch)
    review.bulk_button.setFocus()
    qtbot.keyClick(review.bulk_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: len(merged) >= 5, timeout=20000)
    qtbot.waitUntil(lambda: window.work.cancel_button.isVisible())
    for _ in range(20):  # Tab along to the status bar's Cancel
        if window.focusWidget() is window.work.cancel_button:
            break
        qtbot.keyClick(window.focusWidget() or window, Qt.Key.Key_Tab)
    assert window.focusWidget() is window.work.cancel_button
    qtbot.keyClick(window.work.cancel_button, Qt.Key.Key_Space)
    gate.set()
    qtbot.waitUntil(lambda: not window.operations.busy, timeout=60000)
    qtbot.waitUntil(lambda: review.accept_button.isEnabled(), timeout=5000)
    QApplication.processEvents()
    assert window.focusWidget() is review.pairs, window.focusWidget()
    first = review.current_item()
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_R)  # the next key decides a pair
    assert first.id not in [p.id for p in list_reviews(queue)]
