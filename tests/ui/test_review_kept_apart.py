"""Review: open either customer of a pair and come back to it; the pairs kept apart, each put back for review."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from sqlalchemy import insert, select

from omnidesk.core.changes import Changes
from omnidesk.core.identity import merge as mg
from omnidesk.core.importing.batches import undo_batch
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.models import MatchDecision, SourceRecord
from tests.helpers import write_csv

HEADER = ["First Name", "Last Name", "Email", "Phone"]
ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def three_pairs(window, ws, tmp_path):
    """Three pairs sharing an email: Lee, Fox and Ode; nothing kept apart yet."""
    first = import_file(ws, write_csv(tmp_path / "a.csv", HEADER, [
        ["Anna", "Lee", "lee@example.com", ""], ["Bea", "Fox", "fox@example.com", ""],
        ["Dan", "Ode", "ode@example.com", ""]]), ImportOptions(channel="shop"))
    second = import_file(ws, write_csv(tmp_path / "b.csv", HEADER, [
        ["Mark", "Lee", "lee@example.com", ""], ["Cal", "Fox", "fox@example.com", ""],
        ["Eve", "Ode", "ode@example.com", ""]]), ImportOptions(channel="email"))
    window.set_workspace(ws)
    window.batches = (first.batch_id, second.batch_id)
    return window


def _key(win, key, modifier=Qt.KeyboardModifier.NoModifier):
    """A key pressed where the focus is, as a person at the keyboard would."""
    QTest.keyClick(QApplication.focusWidget() or win, key, modifier)


def test_a_keyboard_only_walk_through_review(three_pairs, qtbot):
    win = three_pairs
    view = win.screens["review"]
    _key(win, Qt.Key.Key_2, CTRL)  # View › Review
    assert win.current_screen() == "review" and view.pairs.hasFocus()
    assert len(view.items) == 3 and view.pairs.currentRow() == 0

    _key(win, Qt.Key.Key_Down)
    second = view.current_item()
    assert view.pairs.currentRow() == 1
    _key(win, Qt.Key.Key_S)  # skipped: to the end, and the next pair is shown
    assert view.items[-1].id == second.id and view.items[-1].status == "skipped"
    assert view.current_item().id != second.id

    # Open the left customer, come back: the same pair, the keys still on the queue.
    looked_at = view.current_item()
    _key(win, Qt.Key.Key_1, ALT)
    assert win.current_screen() == "customer" and win.customer_view.customer_id == looked_at.left_id
    assert win.back_action.text() == "&Back to Review" and "Review" in win.customer_view.back_button.text()
    _key(win, Qt.Key.Key_Left, ALT)
    assert win.current_screen() == "review" and view.current_item().id == looked_at.id and view.pairs.hasFocus()
    _key(win, Qt.Key.Key_2, ALT)  # and the right one
    assert win.customer_view.customer_id == looked_at.right_id
    _key(win, Qt.Key.Key_Left, ALT)
    assert view.current_item().id == looked_at.id

    _key(win, Qt.Key.Key_R)  # different people
    assert looked_at.id not in [i.id for i in view.items]
    assert view.apart_model.total == 1 and view.tabs.tabText(1) == "Kept apart (1)"
    _key(win, Qt.Key.Key_A)  # the next pair is one person
    assert len(view.items) == 1

    _key(win, Qt.Key.Key_Tab, CTRL)  # the kept-apart tab, its list focused on the first pair
    assert view.tabs.currentWidget() is view.apart_page and view.apart_table.hasFocus()
    assert view.current_kept_apart() is not None
    assert {view.current_kept_apart().left_id, view.current_kept_apart().right_id} == \
        {looked_at.left_id, looked_at.right_id}
    _key(win, Qt.Key.Key_R)  # the queue's keys do nothing here: no pair out of sight is decided
    assert len(view.items) == 1
    _key(win, Qt.Key.Key_N)  # not sure any more: back in the queue
    assert view.apart_model.total == 0 and view.apart_pages.currentIndex() == 0
    assert any({i.left_id, i.right_id} == {looked_at.left_id, looked_at.right_id} for i in view.items)
    assert win.undo_action.text().startswith("&Undo review again of ")

    _key(win, Qt.Key.Key_Z, CTRL)  # Edit › Undo: kept apart again
    assert view.apart_model.total == 1 and len(view.items) == 1
    _key(win, Qt.Key.Key_Tab, CTRL)
    assert view.tabs.currentWidget() is view.review_page and view.pairs.hasFocus()


def test_back_from_a_customer_opened_from_the_list_still_goes_to_the_list(three_pairs, qtbot):
    win = three_pairs
    view = win.screens["review"]
    win.show_screen("review")
    qtbot.mouseClick(view.open_buttons[1], Qt.MouseButton.LeftButton)
    assert win.customer_view.customer_id == view.current_item().right_id
    assert "Open Mark Lee" in view.open_buttons[1].full_text or "Open Cal Fox" in view.open_buttons[1].full_text
    qtbot.mouseClick(win.customer_view.back_button, Qt.MouseButton.LeftButton)
    assert win.current_screen() == "review"
    win.show_screen("customers")
    win.open_customer(view.items[0].left_id)
    assert win.back_action.text() == "&Back to Customers"
    win.back_action.trigger()
    assert win.current_screen() == "customers"


def test_review_again_names_the_pair_and_undo_and_redo_move_it(three_pairs, qtbot):
    win = three_pairs
    win.show_screen("review")
    view = win.screens["review"]
    pair = view.items[0]
    mg.reject_review(win.workspace, pair.id)  # decided from the command line, say
    win.operations.changed.emit(Changes(reviews=True))
    assert len(view.items) == 2 and view.apart_model.total == 1
    item = view.apart_model.item(0)
    assert view.apart_model.data(view.apart_model.index(0, 0)).endswith(f"(#{item.left_id})")
    view.show_kept_apart()
    qtbot.mouseClick(view.reopen_button, Qt.MouseButton.LeftButton)
    assert len(view.items) == 3 and view.apart_model.total == 0
    assert "back in the review queue" in win.statusBar().currentMessage()
    names = f"{item.left_name} ~ {item.right_name}"
    assert win.undo_action.text() == f"&Undo review again of {names}"
    win.undo_action.trigger()
    assert len(view.items) == 2 and view.apart_model.total == 1
    win.redo_action.trigger()
    assert len(view.items) == 3 and view.apart_model.total == 0


def test_a_side_no_longer_in_the_workspace_is_said_so_and_can_be_forgotten(three_pairs, qtbot):
    win = three_pairs
    view = win.screens["review"]
    _key(win, Qt.Key.Key_2, CTRL)
    _key(win, Qt.Key.Key_R)
    undo_batch(win.workspace, win.batches[1])  # the other side's import taken back, from the command line say
    win.operations.changed.emit(Changes(reviews=True, customer_list=True))
    model = view.apart_model
    assert model.total == 1
    assert model.data(model.index(0, 1)) == "No longer in the workspace"
    assert model.data(model.index(0, 1), Qt.ItemDataRole.FontRole).italic()
    view.show_kept_apart()
    _key(win, Qt.Key.Key_N)
    assert model.total == 0 and "no longer kept apart" in win.statusBar().currentMessage()
    win.undo_action.trigger()
    assert model.total == 1


def test_the_kept_apart_list_is_read_a_page_at_a_time(window, ws, tmp_path, qtmodeltester):
    rows = [[f"First{i}", f"Last{i}", f"p{i}@example.com", ""] for i in range(1000)]
    import_file(ws, write_csv(tmp_path / "many.csv", HEADER, rows), ImportOptions(channel="shop"))
    rec = SourceRecord.__table__
    with ws.engine.begin() as conn:
        hashes = list(conn.execute(select(rec.c.row_hash).order_by(rec.c.id)).scalars())
        conn.execute(insert(MatchDecision.__table__), [
            {"kind": "reject", "left_hash": hashes[i], "right_hash": hashes[i + 500],
             "created_at": f"2026-01-01T{i // 60 % 24:02d}:{i % 60:02d}:00+00:00"} for i in range(500)])
    window.set_workspace(ws)
    view = window.screens["review"]
    model = view.apart_model
    assert model.total == 500 and model.rowCount() == model.PAGE
    qtmodeltester.check(model)
    view.show_kept_apart()
    view.apart_table.scrollToBottom()
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == 500
    assert model.data(model.index(499, 0)) == "First0 Last0  (#1)"
    assert view.tabs.tabText(1) == "Kept apart (500)"


def test_a_pair_put_back_in_another_window_leaves_the_kept_apart_list_when_n_is_pressed(three_pairs, monkeypatch):
    from omnidesk.core.identity.kept_apart import list_kept_apart, reopen_kept_apart
    from omnidesk.core.workspace import Workspace

    win = three_pairs
    view = win.screens["review"]
    win.show_screen("review")
    view.pairs.setFocus()
    _key(win, Qt.Key.Key_R)
    view.show_kept_apart()
    assert view.apart_model.total == 1
    with Workspace.open(win.workspace.path) as other:
        reopen_kept_apart(other, list_kept_apart(other))
    errors = []
    monkeypatch.setattr(win, "show_error", lambda title, text: errors.append(text))
    _key(win, Qt.Key.Key_N)
    assert errors and "no longer kept apart" in errors[0]
    assert view.apart_model.total == 0 and len(view.items) == 3


def test_a_name_written_right_to_left_keeps_its_id_after_it_in_kept_apart(window, ws, tmp_path, qtbot):
    # Without an isolate, "محمد علي  (#1)" is laid out right to left as a whole: "(1#)" before the name.
    import_file(ws, write_csv(tmp_path / "a.csv", HEADER, [["محمد", "علي", "mali@example.com", ""]]),
                ImportOptions(channel="shop"))
    import_file(ws, write_csv(tmp_path / "b.csv", HEADER, [["Mohamed", "Ali", "mali@example.com", ""]]),
                ImportOptions(channel="email"))
    window.set_workspace(ws)
    window.show_screen("review")
    view = window.screens["review"]
    (item,) = view.items
    arabic_id = item.left_id if view.cards[item.left_id]["display_name"] == "محمد علي" else item.right_id
    qtbot.mouseClick(view.reject_button, Qt.MouseButton.LeftButton)
    model = view.apart_model
    cells = {model.data(model.index(0, c)) for c in (0, 1)}
    latin_id = item.left_id + item.right_id - arabic_id
    assert cells == {f"\u2068محمد علي\u2069  (#{arabic_id})", f"Mohamed Ali  (#{latin_id})"}


def test_a_pair_put_back_on_the_shops_own_phone_says_the_phone_is_shared(window, ws, tmp_path, qtbot):
    # The till typed the shop's landline for five customers of different last names, a Maria Garcia
    # among them; the shop has another Maria Garcia on it.  The number is all that links the two.
    from omnidesk.core.identity.scoring import SHARED_PHONE

    header = ["First Name", "Last Name", "Phone", "City"]
    shop_line = "602-264-0100"
    till = [[first, last, shop_line, "Phoenix"] for first, last in (
        ("Maria", "Garcia"), ("Tom", "Nguyen"), ("Ann", "Park"), ("Luis", "Ortega"), ("Beth", "Kim"))]
    import_file(ws, write_csv(tmp_path / "till.csv", header, till), ImportOptions(channel="pos", region="US"))
    import_file(ws, write_csv(tmp_path / "shop.csv", header, [["Maria", "Garcia", shop_line, "Phoenix"]]),
                ImportOptions(channel="shop", region="US"))
    window.set_workspace(ws)
    view = window.screens["review"]
    _key(window, Qt.Key.Key_2, CTRL)  # View › Review
    (asked,) = view.items
    assert SHARED_PHONE in asked.reasons and "same phone" not in asked.reasons
    _key(window, Qt.Key.Key_R)  # different people
    assert view.items == [] and view.apart_model.total == 1

    _key(window, Qt.Key.Key_Tab, CTRL)  # the kept-apart list
    assert view.current_kept_apart() is not None
    _key(window, Qt.Key.Key_N)  # not sure any more
    assert view.apart_model.total == 0
    (again,) = view.items
    assert {again.left_id, again.right_id} == {asked.left_id, asked.right_id}
    assert SHARED_PHONE in again.reasons and "same phone" not in again.reasons, again.reasons
    assert again.score == pytest.approx(asked.score)
    _key(window, Qt.Key.Key_Tab, CTRL)  # back to the queue: the pair's evidence as the owner reads it
    assert view.current_item().id == again.id
    assert SHARED_PHONE in view.score_label.text() and "same phone" not in view.score_label.text()
    shown = view.pairs.item(0).toolTip()
    assert SHARED_PHONE in shown and "same phone" not in shown, shown


def test_two_identical_till_rows_kept_apart_are_listed_and_can_be_put_back(window, ws, tmp_path, qtbot):
    # Two people named Anna Lee at the shop's landline: the till export holds their rows cell for cell
    # the same (four other names on that number too).  Kept apart, they are listed as such.
    header = ["First Name", "Last Name", "Phone", "Zip"]
    line = "(415) 555-0100"
    till = [[first, last, line, "94110"] for first, last in (
        ("Anna", "Lee"), ("Anna", "Lee"), ("Bob", "Smith"), ("Carl", "Jones"), ("Dina", "Brown"), ("Ed", "Garcia"))]
    import_file(ws, write_csv(tmp_path / "till.csv", header, till), ImportOptions(channel="pos", region="US"))
    window.set_workspace(ws)
    view = window.screens["review"]
    _key(window, Qt.Key.Key_2, CTRL)  # View › Review
    (asked,) = view.items
    _key(window, Qt.Key.Key_R)  # different people
    assert view.items == [] and view.apart_model.total == 1 and view.tabs.tabText(1) == "Kept apart (1)"

    _key(window, Qt.Key.Key_Tab, CTRL)  # the kept-apart list
    kept = view.current_kept_apart()
    assert kept is not None and {kept.left_id, kept.right_id} == {asked.left_id, asked.right_id}
    model = view.apart_model
    assert {model.data(model.index(0, c)) for c in (0, 1)} == {
        f"Anna Lee  (#{asked.left_id})", f"Anna Lee  (#{asked.right_id})"}
    _key(window, Qt.Key.Key_N)  # not sure any more
    assert view.apart_model.total == 0
    (again,) = view.items
    assert {again.left_id, again.right_id} == {asked.left_id, asked.right_id}
