"""The segment builder keeps up with the workspace and with the list it filters: what an import
brings, an opened segment's edits, the search and filters beside the rule, driven through the
real window as a person would."""

from __future__ import annotations

import csv
import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from omnidesk.core import segments
from tests.helpers import run_cli
from tests.ui.builder_rows import pick

MARKET = {"all": [{"field": "channel", "op": "is", "value": "farmers_market"}]}




def click_segment(win, qtbot, name: str) -> None:
    """A click on the segment ``name`` in the navigation."""
    rect = win.nav.visualItemRect(win.nav.item(win.nav.row_of_segment(name)))
    qtbot.mouseClick(win.nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def said(label) -> str:
    """The line under the rule as it reads whole: the name in it may be cut short on screen."""
    return "".join(label.parts) if label.parts[1] else ""


def settle(win) -> None:
    QApplication.processEvents()
    win.screens["customers"].runner.wait(10)
    QApplication.processEvents()


def market_file(tmp_path):
    path = tmp_path / "market.csv"
    with open(path, "w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows([["Email", "First Name", "Last Name", "Shoe size"],
                                   ["mk1@example.org", "Mia", "Kent", "42"],
                                   ["mk2@example.org", "Max", "Kent", "39"]])
    return path


def offered(row) -> list:
    return [row.field.itemData(i) for i in range(row.field.count())]


def test_a_segment_on_a_channel_imported_from_outside_opens_with_its_customers(demo, qtbot, tmp_path, capsys):
    """The app open, a file imported from the command line as "Farmers market" and a segment saved
    on it: back in the window, the segment opens with its two customers, not refused with everyone
    listed; a rule being edited keeps its rows, and the new channel and column are offered."""
    win, view = demo, demo.screens["customers"]
    path = win.workspace.path
    view.show_filter(True)
    builder = view.builder
    # Being edited as the import lands: a channel row, and a column no record has yet.
    editing = {"any": [{"field": "channel", "op": "is", "value": "email"},
                       {"field": "custom.Shoe size", "op": "gt", "value": 40}]}
    builder.set_rule(editing)
    settle(win)
    shoe = builder.root.rows[1]
    assert shoe.field.currentText() == "Shoe size (no record has it)"

    status, _out, err = run_cli(capsys, "-w", path, "import", market_file(tmp_path), "--channel", "Farmers market")
    assert status == 0, err
    status, _out, err = run_cli(capsys, "-w", path, "segment", "save", "Market", "--rule", json.dumps(MARKET))
    assert status == 0, err
    assert win.look_for_outside_changes()
    settle(win)

    assert builder.rule() == editing  # what was being edited stays
    assert shoe.field.currentText() == "Shoe size (imported column)"
    assert view.model.rowCount() == segments.count(win.workspace, editing) > 0
    fresh = builder.root.add_condition()
    assert "custom.Shoe size" in offered(fresh)
    pick(fresh.field, "channel")
    assert fresh.editor.combo.findData("farmers_market") >= 0
    assert fresh.editor.combo.itemText(fresh.editor.combo.findData("farmers_market")) == "Farmers market"
    builder.root.remove_row(fresh)

    builder.clear()
    settle(win)
    click_segment(win, qtbot, "Market")
    settle(win)
    row = builder.root.rows[0]
    assert not row.message.isVisible() and row.message.text() == ""
    assert row.editor.combo.currentText() == "Farmers market"
    assert builder.rule() == MARKET and builder.problems() == 0
    assert view.model.rowCount() == 2 == win.nav.segment_count("Market")
    assert builder.count_label.text() == "2 customers"
    assert win.nav.current_segment() == "Market"
    win.resize(1100, 700)
    settle(win)

    # The import taken back from the command line: the column is no one's again, and says so.
    status, out, err = run_cli(capsys, "-w", path, "imports", "list", "--json")
    assert status == 0, err
    batch = max(b["id"] for b in json.loads(out))
    builder.set_rule(editing)
    assert run_cli(capsys, "-w", path, "imports", "undo", batch)[0] == 0
    assert win.look_for_outside_changes()
    settle(win)
    assert builder.root.rows[1].field.currentText() == "Shoe size (no record has it)"
    assert "custom.Shoe size" not in offered(builder.root.add_condition())


BIG = {"all": [{"field": "spend", "op": "gt", "value": 100}]}
TEXTERS = {"all": [{"field": "channel", "op": "is", "value": "sms"}]}


@pytest.fixture
def two_segments(demo, qtbot):
    segments.save_segment(demo.workspace, "Big spenders", BIG)
    segments.save_segment(demo.workspace, "Texters", TEXTERS)
    demo.segments.reload()
    click_segment(demo, qtbot, "Big spenders")
    settle(demo)
    return demo


def edit_big_spenders(win, qtbot) -> dict:
    """Spend more than 300 instead of 100, typed in the number box."""
    builder = win.screens["customers"].builder
    spin = builder.root.rows[0].editor.spin
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, "300")
    qtbot.waitUntil(lambda: builder.rule() != BIG, timeout=3000)
    return {"all": [{"field": "spend", "op": "gt", "value": 300}]}


def stored(win) -> dict:
    return {s.name: s.rule for s in segments.list_segments(win.workspace)}


def test_an_edited_segment_says_so_and_is_not_dropped_without_asking(two_segments, qtbot, monkeypatch):
    win = two_segments
    view = win.screens["customers"]
    builder = view.builder
    assert said(builder.editing_label) == "· segment “Big spenders”"
    asked: list[tuple[str, bool]] = []
    answers: list[str] = []
    monkeypatch.setattr(win, "ask_save_segment_changes", lambda name, can: asked.append((name, can)) or answers.pop(0),
                        raising=False)

    edited = edit_big_spenders(win, qtbot)
    assert said(builder.editing_label) == "· segment “Big spenders” (unsaved changes)"
    win.resize(1100, 700)
    settle(win)

    answers.append("cancel")  # another segment clicked: asked, and Cancel keeps the edit
    click_segment(win, qtbot, "Texters")
    settle(win)
    assert asked == [("Big spenders", True)]
    assert builder.rule() == edited and win.nav.current_segment() == "Big spenders"
    assert said(builder.editing_label).endswith("(unsaved changes)")

    answers.append("discard")  # Discard: the other segment opens, the edited one is as it was
    click_segment(win, qtbot, "Texters")
    settle(win)
    assert builder.segment_name == "Texters" and builder.rule() == TEXTERS
    assert said(builder.editing_label) == "· segment “Texters”"
    assert stored(win)["Big spenders"] == BIG

    click_segment(win, qtbot, "Big spenders")  # nothing changed: nothing asked
    settle(win)
    assert len(asked) == 2 and builder.rule() == BIG
    edited = edit_big_spenders(win, qtbot)
    answers.append("save")  # "Customers" itself: Save keeps the edit in the segment, then everyone
    win.nav.setCurrentRow(win.nav.row_of("customers"))
    settle(win)
    assert asked[-1] == ("Big spenders", True)
    assert stored(win)["Big spenders"] == edited
    assert builder.rule() is None and said(builder.editing_label) == ""
    assert "Big spenders" in win.undo_stack.undoText()


def test_a_segment_just_saved_has_nothing_unsaved(two_segments, qtbot, monkeypatch):
    win = two_segments
    builder = win.screens["customers"].builder
    edited = edit_big_spenders(win, qtbot)
    monkeypatch.setattr(win, "ask_segment_name", lambda *a: "Big spenders")
    monkeypatch.setattr(win, "confirm", lambda *a: True)  # replace it: yes
    builder.save_button.click()
    settle(win)
    assert stored(win)["Big spenders"] == edited
    assert said(builder.editing_label) == "· segment “Big spenders”"
    monkeypatch.setattr(win, "ask_save_segment_changes", lambda *a: pytest.fail("nothing is unsaved"),
                        raising=False)
    click_segment(win, qtbot, "Texters")
    settle(win)
    assert builder.rule() == TEXTERS


def test_clear_asks_before_dropping_a_changed_segment(two_segments, qtbot, monkeypatch):
    """Clear on an edited saved segment is the same question: Cancel keeps the edits on screen,
    Save stores them first, Discard drops them; with nothing changed, nothing is asked."""
    win = two_segments
    builder = win.screens["customers"].builder
    asked: list[str] = []
    answers: list[str] = []
    monkeypatch.setattr(win, "ask_save_segment_changes", lambda name, can: asked.append(name) or answers.pop(0),
                        raising=False)
    edited = edit_big_spenders(win, qtbot)

    answers.append("cancel")
    builder.clear_button.click()
    settle(win)
    assert asked == ["Big spenders"] and builder.rule() == edited and builder.segment_name == "Big spenders"
    assert said(builder.editing_label).endswith("(unsaved changes)") and stored(win)["Big spenders"] == BIG

    answers.append("save")
    builder.clear_button.click()
    settle(win)
    assert stored(win)["Big spenders"] == edited
    assert builder.rule() is None and builder.segment_name == ""

    click_segment(win, qtbot, "Texters")  # nothing changed: Clear asks nothing
    settle(win)
    builder.clear_button.click()
    settle(win)
    assert asked == ["Big spenders", "Big spenders"] and builder.rule() is None

    click_segment(win, qtbot, "Big spenders")
    settle(win)
    spin = builder.root.rows[0].editor.spin
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, "500")
    qtbot.waitUntil(lambda: builder.rule() != edited, timeout=3000)
    answers.append("discard")
    builder.clear_button.click()
    settle(win)
    assert asked == ["Big spenders"] * 3
    assert builder.rule() is None and stored(win)["Big spenders"] == edited


@pytest.mark.parametrize("key", ["Key_Escape", "Key_Return"])
def test_the_question_about_unsaved_changes_answers_from_the_keyboard(two_segments, qtbot, key):
    """The real question: Esc keeps the edits on screen, Enter saves them over the segment."""
    from tests.ui.questions import answer_next_question

    win = two_segments
    builder = win.screens["customers"].builder
    edited = edit_big_spenders(win, qtbot)
    seen: list[tuple] = []
    answer_next_question(qtbot, key, seen, lambda box: (
        box.text(), sorted(b.text() for b in box.buttons()), box.defaultButton().text()))
    click_segment(win, qtbot, "Texters")
    settle(win)
    assert seen == [("Save your changes to the segment “Big spenders”?", ["&Discard", "&Save", "Cancel"], "&Save")]
    if key == "Key_Escape":
        assert builder.rule() == edited and builder.segment_name == "Big spenders"
        assert stored(win)["Big spenders"] == BIG
    else:
        assert stored(win)["Big spenders"] == edited
        assert builder.segment_name == "Texters" and builder.rule() == TEXTERS


def test_the_rule_count_says_what_the_search_and_filters_leave_of_it(demo, qtbot):
    """Search "a", channel Email and orders at least 2: the count under the rows is the rule's (what a
    saved segment would hold) and says how many of them the list shows, as the list's own count does."""
    win, view = demo, demo.screens["customers"]
    rule = {"all": [{"field": "orders", "op": "gte", "value": 2}]}
    view.show_filter(True)
    view.builder.set_rule(rule)
    settle(win)
    total = segments.count(win.workspace, rule)
    assert view.builder.count_label.text() == f"{total:,} customers"  # nothing else narrows the list
    qtbot.keyClicks(view.search, "a")
    qtbot.keyClick(view.search, Qt.Key.Key_Return)
    pick(view.channel_filter, "email")
    settle(win)
    shown = view.model.rowCount()
    assert 0 < shown < total
    assert view.count_label.text() == f"{shown:,} customers"
    assert view.builder.count_label.text() == f"{total:,} match the rule; {shown:,} with the search and filters"
    win.resize(1100, 700)
    settle(win)
    pick(view.channel_filter, None)  # the filters go: the rule's count alone again
    view.search.clear()
    qtbot.keyClick(view.search, Qt.Key.Key_Return)
    settle(win)
    assert view.builder.count_label.text() == f"{total:,} customers" and view.model.rowCount() == total


def test_a_group_goes_with_its_last_condition_and_never_saves_as_everyone(demo, qtbot, monkeypatch):
    """Add group, then ✕ on its only condition: the empty "A group matching…" box does not stay to
    be saved as {"all": []} (everyone); the rule is what the other rows say."""
    win, view = demo, demo.screens["customers"]
    builder = view.builder
    view.show_filter(True)
    saved: list = []
    builder.saveRequested.connect(saved.append)
    root = builder.root
    qtbot.mouseClick(root.add_group_button, Qt.MouseButton.LeftButton)
    settle(win)
    group = root.rows[0]
    qtbot.mouseClick(group.rows[0].remove, Qt.MouseButton.LeftButton)
    builder.apply_now()
    settle(win)
    assert root.rows == [] and builder.rule() is None
    assert not builder.save_button.isEnabled()  # nothing to save, least of all everyone
    assert QApplication.focusWidget() is root.add_condition_button  # the keyboard stays in the panel

    qtbot.mouseClick(root.add_condition_button, Qt.MouseButton.LeftButton)
    row = root.rows[0]
    pick(row.field, "orders")
    pick(row.op, "gte")
    row.editor.spin.setValue(2)
    qtbot.mouseClick(root.add_group_button, Qt.MouseButton.LeftButton)
    pick(root.match, "any")
    settle(win)
    group = root.rows[1]
    qtbot.mouseClick(group.rows[0].remove, Qt.MouseButton.LeftButton)
    builder.apply_now()
    settle(win)
    assert root.rows == [row]
    assert QApplication.focusWidget() is row.field  # the row before the group it removed
    rule = {"any": [{"field": "orders", "op": "gte", "value": 2}]}
    assert builder.rule() == rule and view.model.rowCount() == segments.count(win.workspace, rule)
    monkeypatch.setattr(win, "ask_segment_name", lambda *a: None)  # asked a name: cancelled
    builder.save_button.click()
    assert saved == [rule]


def test_clear_pressed_from_the_keyboard_leaves_the_keyboard_in_the_panel(demo, qtbot):
    """Tab to Clear, Enter: the rows go, Clear turns off, and the keyboard is on Add condition,
    not fallen to the navigation."""
    win, view = demo, demo.screens["customers"]
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    qtbot.keyClick(win, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    builder = view.builder
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)  # Add condition
    row = builder.root.rows[0]
    assert builder.clear_button.isEnabled()  # at once, not after the pause
    pick(row.field, "city")
    pick(row.op, "contains")
    row.editor.edit.setFocus()
    qtbot.keyClicks(row.editor.edit, "port")
    qtbot.keyClick(row.editor.edit, Qt.Key.Key_Return)  # applied
    for _ in range(6):  # on past ✕, Add condition and Add group
        if QApplication.focusWidget() is builder.clear_button:
            break
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is builder.clear_button
    qtbot.keyClick(builder.clear_button, Qt.Key.Key_Return)
    assert builder.root.rows == [] and builder.rule() is None
    assert not builder.clear_button.isEnabled()
    assert QApplication.focusWidget() is builder.root.add_condition_button
    settle(win)
    assert QApplication.focusWidget() is builder.root.add_condition_button


@pytest.mark.parametrize("field, op, typed, value", [
    ("orders", "gte", "3", 3),
    ("spend", "gt", "120.5", 120.5),
    ("last_seen", "within_days", "45", 45),
])
def test_enter_in_a_number_box_applies_what_was_typed_at_once(demo, qtbot, field, op, typed, value):
    """Typed in a number (or days) box and Enter: the list follows now, not after the pause."""
    win, view = demo, demo.screens["customers"]
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    view.show_filter(True)
    builder = view.builder
    qtbot.keyClick(builder.root.add_condition_button, Qt.Key.Key_Return)
    row = builder.root.rows[0]
    pick(row.field, field)
    pick(row.op, op)
    builder.apply_now()
    spin = row.editor.spin
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, typed)
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    rule = {"all": [{"field": field, "op": op, "value": value}]}
    assert builder.rule() == rule  # at once: no wait, no event loop turn
    assert view.model.rowCount() == segments.count(win.workspace, rule)
    assert QApplication.focusWidget() is spin  # typing goes on where it was
    settle(win)


def test_a_save_undone_leaves_the_edits_on_screen_marked_unsaved(two_segments, qtbot, monkeypatch):
    """Saved, then Edit › Undo: the segment holds its old rule again, so the rows on screen are
    unsaved changes once more, said and asked about before they go."""
    win = two_segments
    builder = win.screens["customers"].builder
    edited = edit_big_spenders(win, qtbot)
    monkeypatch.setattr(win, "ask_segment_name", lambda *a: "Big spenders")
    monkeypatch.setattr(win, "confirm", lambda *a: True)
    builder.save_button.click()
    settle(win)
    assert said(builder.editing_label) == "· segment “Big spenders”"
    win.undo_action.trigger()
    settle(win)
    assert stored(win)["Big spenders"] == BIG and builder.rule() == edited
    assert said(builder.editing_label) == "· segment “Big spenders” (unsaved changes)"
    asked: list = []
    monkeypatch.setattr(win, "ask_save_segment_changes", lambda *a: asked.append(a) or "cancel", raising=False)
    click_segment(win, qtbot, "Texters")
    settle(win)
    assert asked == [("Big spenders", True)] and builder.rule() == edited
    win.redo_action.trigger()  # the save again: nothing unsaved
    settle(win)
    assert said(builder.editing_label) == "· segment “Big spenders”"


def test_a_long_segment_name_is_cut_short_and_the_unsaved_mark_stays_in_sight(demo, qtbot):
    """In a narrow window the name gives up the room, never the mark that the rule is not what the
    segment holds."""
    win, view = demo, demo.screens["customers"]
    name = "Customers who bought candles in the spring and came back for more in the autumn"
    segments.save_segment(win.workspace, name, BIG)
    win.segments.reload()
    win.resize(760, 640)
    click_segment(win, qtbot, name)
    settle(win)
    edit_big_spenders(win, qtbot)
    settle(win)
    label = view.builder.editing_label
    shown = label.text()
    assert shown.startswith("· segment “") and shown.endswith("…” (unsaved changes)"), shown
    assert label.fontMetrics().horizontalAdvance(shown) <= label.contentsRect().width()  # it fits
    assert label.toolTip() == name


def test_closing_the_window_or_opening_another_workspace_asks_about_a_changed_segment(two_segments, qtbot,
                                                                                      monkeypatch, tmp_path):
    """The edits of a saved segment were asked about when another segment opened, but the window
    closed, and File › Open replaced the workspace, without a word: the edits were gone."""
    from PySide6.QtGui import QCloseEvent

    from omnidesk.core.workspace import Workspace

    win = two_segments
    edited = edit_big_spenders(win, qtbot)
    answers = ["cancel", "cancel", "save"]
    asked: list[str] = []
    monkeypatch.setattr(win, "ask_save_segment_changes",
                        lambda name, can: asked.append(name) or answers.pop(0), raising=False)
    close = QCloseEvent()
    win.closeEvent(close)  # Cancel: the window stays, the edits with it
    assert not close.isAccepted() and asked == ["Big spenders"]
    assert win.screens["customers"].builder.rule() == edited
    other = Workspace.create(tmp_path / "other.omnidesk")
    first = win.workspace
    assert win.set_workspace(other) is False and win.workspace is first  # Cancel: still here
    assert win.set_workspace(other) is True and win.workspace is other  # Save: saved, then opened
    with Workspace.open(first.path) as again:
        assert {s.name: s.rule for s in segments.list_segments(again)}["Big spenders"] == edited
    assert asked == ["Big spenders"] * 3


def test_opening_other_workspaces_keeps_one_saved_segments_and_one_bulk_actions(demo, tmp_path):
    """Each File › Open added a saved-segments list and bulk actions to the window, the old
    ones left behind with the closed workspace's screens."""
    from PySide6.QtCore import QCoreApplication, QEvent

    from omnidesk.core.workspace import Workspace
    from omnidesk.ui.bulk import BulkActions
    from omnidesk.ui.saved_segments import SavedSegments

    for name in ("one", "two", "three"):
        assert demo.set_workspace(Workspace.create(tmp_path / f"{name}.omnidesk")) is True
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert demo.findChildren(SavedSegments) == [demo.segments]
    assert demo.findChildren(BulkActions) == [demo.bulk]
    assert demo.segments.workspace is demo.workspace and demo.segments.names() == []
