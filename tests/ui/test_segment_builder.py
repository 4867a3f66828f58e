"""The segment builder on the Customers screen and saved segments in the navigation, driven as a
person would: clicks, keys, the navigation and Edit › Undo, against the demo workspace."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QCheckBox, QLineEdit

from omnidesk.core import segments
from omnidesk.ui.widgets.rule_fields import EventEditor
from omnidesk.ui.widgets.segment_builder import ConditionRow, GroupBox, SegmentBuilder


def pick(combo, data) -> None:
    """Choose the item holding ``data`` as a click on the list would."""
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def tick(row: ConditionRow, *labels: str) -> None:
    QApplication.processEvents()  # a row just added is shown on the next turn of the event loop
    boxes = {b.text(): b for b in row.editor.findChildren(QCheckBox)}
    for label in labels:
        boxes[label].click()
        assert boxes[label].isChecked()


def last_row(group: GroupBox):
    return group.rows[-1]


def build_three_and_a_group(builder: SegmentBuilder, qtbot) -> dict:
    """City contains "o", channel email or shop, and none of (orders more than 2): by clicks."""
    root = builder.root
    qtbot.mouseClick(root.add_condition_button, Qt.MouseButton.LeftButton)
    row = last_row(root)
    pick(row.field, "city")
    pick(row.op, "contains")
    qtbot.keyClicks(row.editor.findChild(QLineEdit), "o")
    qtbot.mouseClick(root.add_condition_button, Qt.MouseButton.LeftButton)
    row = last_row(root)
    pick(row.field, "channel")
    pick(row.op, "in")
    tick(row, "Email", "Shop")
    qtbot.mouseClick(root.add_group_button, Qt.MouseButton.LeftButton)
    group = last_row(root)
    pick(group.match, "none")
    inner = last_row(group)
    pick(inner.field, "orders")
    pick(inner.op, "gt")
    inner.editor.spin.setValue(2)
    return {"all": [
        {"field": "city", "op": "contains", "value": "o"},
        {"field": "channel", "op": "in", "value": ["email", "shop"]},
        {"not": {"any": [{"field": "orders", "op": "gt", "value": 2}]}},
    ]}


def test_building_a_rule_by_clicks_gives_its_json_once_the_typing_stops(qtbot):
    builder = SegmentBuilder()
    qtbot.addWidget(builder)
    builder.show()
    emitted = []
    builder.ruleChanged.connect(emitted.append)
    expected = build_three_and_a_group(builder, qtbot)
    assert emitted == []  # nothing yet: the edits are still coming
    qtbot.waitUntil(lambda: bool(emitted) and emitted[-1] == expected, timeout=3000)
    assert len(emitted) == 1  # one rule for the whole burst of edits
    assert builder.rule() == expected
    assert builder.save_button.isEnabled()
    segments.check_rule(expected)  # the same form the command line takes


@pytest.mark.parametrize("rule", [
    {"all": [{"field": "email", "op": "is", "value": "ann@example.com"}]},
    {"any": [{"field": "tag", "op": "in", "value": ["vip", "local"]},
             {"field": "spend", "op": "between", "value": [10.5, 200]}]},
    {"not": {"any": [{"field": "consent.sms", "op": "in", "value": ["denied", "unknown"]}]}},
    {"all": [{"field": "event.purchase", "op": "within_days", "value": 90, "count_at_least": 2, "item": "candle"},
             {"field": "event.open", "op": "not_exists"},
             {"field": "last_seen", "op": "between", "value": ["2026-01-01", "2026-06-30"]},
             {"field": "birthday_month", "op": "in", "value": [3, 12]},
             {"field": "custom.Loyalty tier", "op": "is", "value": "Gold"},
             {"any": [{"field": "orders", "op": "gte", "value": 3}, {"not": {"all": [
                 {"field": "city", "op": "exists"}, {"field": "country", "op": "is_not", "value": "US"}]}}]}]},
    # A flow of the Dashboard's journeys, as it opens in Customers.
    {"all": [{"field": "first_channel", "op": "is", "value": "email"}, {"field": "second_channel", "op": "not_exists"},
             {"field": "purchase_channel", "op": "exists"},
             {"field": "journey_start", "op": "between", "value": ["2026-01-01", "2026-01-31"]}]},
])
def test_a_saved_rule_loads_into_the_builder_and_reads_back_the_same(qtbot, rule):
    builder = SegmentBuilder()
    qtbot.addWidget(builder)
    with qtbot.waitSignal(builder.ruleChanged) as signal:
        builder.set_rule(rule, segment_name="Loaded")
    assert signal.args == [rule]
    assert builder.rule() == rule and builder.problems() == 0
    assert "Loaded" in builder.editing_label.text()


def test_an_event_written_with_the_window_as_its_own_key_loads_as_the_same_condition(qtbot):
    builder = SegmentBuilder()
    qtbot.addWidget(builder)
    builder.set_rule({"field": "event.order", "op": "exists", "within_days": 30})
    row = builder.root.rows[0]
    assert isinstance(row.editor, EventEditor) and row.op.currentData() == "within_days"
    assert builder.rule() == {"all": [{"field": "event.order", "op": "within_days", "value": 30}]}


def test_incomplete_and_refused_rows_are_shown_with_why_and_left_out(qtbot):
    builder = SegmentBuilder(channels=["email", "shop"])
    qtbot.addWidget(builder)
    builder.show()
    builder.set_rule({"all": [{"field": "city", "op": "is", "value": "Boston"},
                              {"field": "channel", "op": "is", "value": "fax"}]})
    QApplication.processEvents()  # the rows just added are shown
    refused = builder.root.rows[1]
    assert refused.message.isVisibleTo(builder) and "unknown channel 'fax'" in refused.message.text()
    assert builder.rule() == {"all": [{"field": "city", "op": "is", "value": "Boston"}]}
    assert builder.problems() == 1 and not builder.save_button.isEnabled()

    builder.root.remove_row(refused)
    builder.root.add_condition()  # a new row, nothing typed
    builder.apply_now()
    QApplication.processEvents()
    empty = builder.root.rows[-1]
    # Nothing typed yet is no error to show in red; the row is left out and cannot be saved.
    assert not empty.message.isVisibleTo(builder)
    assert builder.rule() == {"all": [{"field": "city", "op": "is", "value": "Boston"}]}
    assert not builder.save_button.isEnabled()
    box = empty.editor.findChild(QLineEdit)
    qtbot.keyClicks(box, "Ann")
    builder.apply_now()
    assert not empty.message.isVisibleTo(builder) and builder.save_button.isEnabled()
    assert builder.rule()["all"][1] == {"field": "name", "op": "is", "value": "Ann"}
    # Typed and taken away again: now it says what it lacks.
    box.clear()
    builder.apply_now()
    assert empty.message.isVisibleTo(builder) and empty.message.text() == "Type a value."
    # So does a row left empty when Save is asked for.
    builder.root.add_condition()
    builder.apply_now()
    untouched = builder.root.rows[-1]
    assert not untouched.message.isVisibleTo(builder)
    builder._save()
    assert untouched.message.isVisibleTo(builder) and untouched.message.text() == "Type a value."


def test_a_range_typed_high_end_first_is_refused_with_why(qtbot):
    builder = SegmentBuilder(channels=["email", "shop"])
    qtbot.addWidget(builder)
    builder.show()
    builder.set_rule({"all": [{"field": "spend", "op": "between", "value": [200, 10.5]}]})
    QApplication.processEvents()
    row = builder.root.rows[0]
    assert row.message.isVisibleTo(builder) and "the low end is above the high end" in row.message.text()
    assert builder.problems() == 1 and not builder.save_button.isEnabled()


def test_a_custom_field_no_record_has_is_kept_and_says_so(qtbot):
    builder = SegmentBuilder(custom_fields=["Loyalty tier"])
    qtbot.addWidget(builder)
    rule = {"all": [{"field": "custom.Loyalty tier", "op": "is", "value": "Gold"},
                    {"field": "custom.Shoe size", "op": "gt", "value": 40}]}
    builder.set_rule(rule)
    known, unknown = builder.root.rows
    assert known.field.currentText() == "Loyalty tier (imported column)"
    assert unknown.field.currentText() == "Shoe size (no record has it)"
    assert builder.rule() == rule and builder.problems() == 0


def test_a_value_typed_stays_when_the_operator_changes_but_not_the_field(qtbot):
    row = ConditionRow(["email"], [("city", "City"), ("country", "Country")])
    qtbot.addWidget(row)
    qtbot.keyClicks(row.editor.findChild(QLineEdit), "Boston")
    pick(row.op, "contains")
    assert row.condition() == {"field": "city", "op": "contains", "value": "Boston"}
    pick(row.field, "country")
    assert row.editor.findChild(QLineEdit).text() == ""


def test_each_field_offers_only_its_own_operators(qtbot):
    row = ConditionRow(["email"], [("consent.email", "Email consent"), ("last_seen", "Last seen")])
    qtbot.addWidget(row)
    assert [row.op.itemData(i) for i in range(row.op.count())] == list(segments.FIELDS["consent.email"])
    pick(row.field, "last_seen")
    assert [row.op.itemData(i) for i in range(row.op.count())] == list(segments.FIELDS["last_seen"])
    assert row.op.itemText(row.op.findData("lt")) == "before"



@pytest.mark.parametrize("field", ["last_seen", "spend"])
def test_between_reads_low_and_high_side_by_side_however_wide_the_row(qtbot, field):
    from PySide6.QtWidgets import QLabel

    row = ConditionRow(["email"], [(field, field)])
    qtbot.addWidget(row)
    pick(row.op, "between")
    row.resize(1800, row.sizeHint().height())
    row.show()
    qtbot.waitExposed(row)
    low, high = row.editor.low, row.editor.high
    word = next(w for w in row.editor.findChildren(QLabel) if w.text() == "and")
    inputs = [next(c for c in part.children() if c.isWidgetType()) for part in (low, high)]
    right_of_low = inputs[0].mapTo(row, QPoint(inputs[0].width(), 0)).x()
    left_of_word = word.mapTo(row, QPoint(0, 0)).x()
    assert 0 <= left_of_word - right_of_low < 20  # "2026-05-06 and 2026-05-07", not a gap across the row
    assert inputs[1].mapTo(row, QPoint(0, 0)).x() - word.mapTo(row, QPoint(word.width(), 0)).x() < 20


def customers_of(win):
    return win.screens["customers"]


def wait_count(qtbot, view, n: int) -> None:
    expected = f"{n:,} customer{'s' if n != 1 else ''}"
    qtbot.waitUntil(lambda: view.builder.count_label.text() == expected, timeout=5000)


def test_the_list_and_the_live_count_show_what_the_core_counts(demo, qtbot):
    win = demo
    view = customers_of(win)
    total = view.model.rowCount()
    assert not view.filter_panel.isVisible()  # collapsed until asked for
    qtbot.mouseClick(view.filter_button, Qt.MouseButton.LeftButton)
    assert view.filter_panel.isVisible()
    wait_count(qtbot, view, total)
    rule = build_three_and_a_group(view.builder, qtbot)
    view.builder.apply_now()
    n = segments.count(win.workspace, rule)
    assert 0 < n < total
    assert view.model.rule() == rule
    assert view.model.rowCount() == n
    assert view.count_label.text() == f"{n:,} customer{'s' if n != 1 else ''}"
    wait_count(qtbot, view, n)
    assert view.filter_button.text() == "Fil&ter… (on)"
    listed = {view.model.customer_id(r) for r in range(view.model.rowCount())}
    assert listed == set(segments.member_ids(win.workspace, rule))

    # Clear: everyone again.
    qtbot.mouseClick(view.builder.clear_button, Qt.MouseButton.LeftButton)
    assert view.model.rowCount() == total
    wait_count(qtbot, view, total)


def test_the_columns_and_event_types_of_the_files_are_offered_and_filter_the_list(demo, qtbot):
    win = demo
    view = customers_of(win)
    view.show_filter(True)
    qtbot.mouseClick(view.builder.root.add_condition_button, Qt.MouseButton.LeftButton)
    row = view.builder.root.rows[0]
    fields = [row.field.itemData(i) for i in range(row.field.count())]
    assert "custom.Loyalty tier" in fields
    assert row.field.itemText(fields.index("custom.Loyalty tier")) == "Loyalty tier (imported column)"
    pick(row.field, "custom.Loyalty tier")
    pick(row.op, "exists")
    view.builder.apply_now()
    rule = {"all": [{"field": "custom.Loyalty tier", "op": "exists"}]}
    assert view.builder.rule() == rule
    n = segments.count(win.workspace, rule)
    assert 0 < view.model.rowCount() == n < segments.count(win.workspace, {"all": []})


def test_many_rows_scroll_while_the_count_and_buttons_stay_in_sight(demo, qtbot):
    win = demo
    win.resize(1024, 640)
    view = customers_of(win)
    view.show_filter(True)
    view.builder.set_rule({"any": [{"field": "city", "op": "is", "value": f"Town {i}"} for i in range(12)]})
    QApplication.processEvents()
    view._fit_filter_panel()
    QApplication.processEvents()
    assert view.builder.height() <= view.height() * 0.5
    assert view.builder.rows_area.verticalScrollBar().maximum() > 0  # the rows scroll
    for button in (view.builder.save_button, view.builder.clear_button):
        assert button.isVisible() and view.builder.rect().contains(button.geometry())
    assert view.table.height() > view.height() * 0.4
    # A row added at the bottom, by the keyboard, is scrolled into sight.
    view.builder.root.add_condition_button.setFocus()
    qtbot.keyClick(view.builder.root.add_condition_button, Qt.Key.Key_Return)
    new = view.builder.root.rows[-1]
    qtbot.waitUntil(lambda: view.builder.rows_area.verticalScrollBar().value() > 0)
    top = new.mapTo(view.builder.rows_area.viewport(), new.rect().topLeft()).y()
    assert 0 <= top and top + new.height() <= view.builder.rows_area.viewport().height()


def test_a_newer_edit_wins_over_an_older_count(demo, qtbot):
    view = customers_of(demo)
    view.show_filter(True)
    # Two counts asked in a row: only the newer one's answer is shown (tests/ui/test_tasks.py
    # holds the older answer back until after the newer one, and checks it is dropped).
    view._start_count({"all": [{"field": "orders", "op": "gt", "value": 100000}]})
    view._start_count(None)
    assert view.runner.wait(5)
    QApplication.processEvents()
    total = view.model.rowCount()
    wait_count(qtbot, view, total)
    assert view.builder.count_label.text() == f"{total:,} customers"


def test_save_rename_delete_are_undo_steps_and_the_navigation_follows(demo, qtbot, monkeypatch):
    win = demo
    view = customers_of(win)
    view.show_filter(True)
    answers = iter(["Big spenders", "Big spenders", "Loyal", ])
    monkeypatch.setattr(win, "ask_segment_name", lambda *a: next(answers))
    asked = []
    monkeypatch.setattr(win, "confirm", lambda *a: asked.append(a) or True)
    first = {"all": [{"field": "spend", "op": "gt", "value": 100}]}
    view.builder.set_rule(first)
    qtbot.mouseClick(view.builder.save_button, Qt.MouseButton.LeftButton)
    assert [s.name for s in segments.list_segments(win.workspace)] == ["Big spenders"]
    assert segments.get_segment(win.workspace, "Big spenders").rule == first
    row = win.nav.row_of_segment("Big spenders")
    assert row == win.nav.row_of("customers") + 1 and win.nav.currentRow() == row
    assert win.nav.key_at(row) == "customers"
    assert win.undo_stack.undoText() == "save segment 'Big spenders'"

    # The same name again: asked, then replaced; undo puts the first rule back.
    second = {"all": [{"field": "spend", "op": "gt", "value": 300}]}
    view.builder.set_rule(second)
    qtbot.mouseClick(view.builder.save_button, Qt.MouseButton.LeftButton)
    assert asked and "exists already" in asked[0][1]
    assert segments.get_segment(win.workspace, "big spenders").rule == second
    win.undo()
    assert segments.get_segment(win.workspace, "big spenders").rule == first
    win.redo()
    assert segments.get_segment(win.workspace, "big spenders").rule == second

    # Rename from the navigation's menu.
    menu = win.nav.segment_menu("Big spenders")
    next(a for a in menu.actions() if a.text() == "Rename…").trigger()
    assert win.nav.segment_names() == ["Loyal"]
    assert view.builder.segment_name == "Loyal"
    win.undo()
    assert win.nav.segment_names() == ["Big spenders"]
    assert segments.get_segment(win.workspace, "Big spenders").rule == second

    # Delete, undo, and the first save undone too.
    menu = win.nav.segment_menu("Big spenders")
    next(a for a in menu.actions() if a.text() == "Delete").trigger()
    assert win.nav.segment_names() == [] and segments.list_segments(win.workspace) == []
    win.undo()
    assert win.nav.segment_names() == ["Big spenders"]
    assert segments.get_segment(win.workspace, "Big spenders").rule == second
    win.undo()  # the rename's undo is past; this is the replacing save
    win.undo()  # and this the first save
    assert segments.list_segments(win.workspace) == [] and win.nav.segment_names() == []
    # Every screen still opens from its own row.
    for key in win.screens:
        win.nav.setCurrentRow(win.nav.row_of(key))
        assert win.current_screen() == key


def test_undo_goes_all_the_way_back_however_much_time_passes_between_the_steps(demo, monkeypatch):
    # Each undo puts the segment back as it was written, times and all: the step before it
    # finds it as it left it, not "changed since" because a second went by.
    import time_machine

    win = demo
    refused = []
    monkeypatch.setattr(win, "show_error", lambda *a: refused.append(a))
    first = {"all": [{"field": "spend", "op": "gt", "value": 100}]}
    second = {"all": [{"field": "spend", "op": "gt", "value": 300}]}
    with time_machine.travel("2027-01-04 10:00:00Z", tick=False) as clock:
        steps = [lambda: win.operations.save_segment("Big spenders", first),
                 lambda: win.operations.save_segment("Big spenders", second, replace=True),
                 lambda: win.operations.rename_segment("Big spenders", "Loyal"),
                 win.undo,
                 lambda: win.operations.delete_segment("Big spenders"),
                 win.undo]
        for step in steps:
            clock.shift(61)
            assert step() is not False
        assert segments.get_segment(win.workspace, "Big spenders").rule == second
        clock.shift(61)
        win.undo()  # the replacing save
        assert segments.get_segment(win.workspace, "Big spenders").rule == first
        clock.shift(61)
        win.undo()  # the first save
    assert refused == [] and segments.list_segments(win.workspace) == []


def test_a_name_already_taken_is_kept_when_the_user_says_no(demo, monkeypatch):
    win = demo
    segments.save_segment(win.workspace, "Locals", {"all": [{"field": "city", "op": "is", "value": "Portland"}]})
    win.segments.reload()
    monkeypatch.setattr(win, "ask_segment_name", lambda *a: "locals")
    monkeypatch.setattr(win, "confirm", lambda *a: False)
    assert not win.segments.save({"all": [{"field": "orders", "op": "gt", "value": 1}]})
    assert segments.get_segment(win.workspace, "Locals").rule["all"][0]["value"] == "Portland"
    assert not win.undo_stack.canUndo()


def test_clicking_a_saved_segment_opens_customers_filtered_by_it(demo, qtbot):
    win = demo
    rule = {"all": [{"field": "channel", "op": "is", "value": "sms"}]}
    segments.save_segment(win.workspace, "Texters", rule)
    segments.save_segment(win.workspace, "Everyone", {"all": []})
    win.segments.reload()
    win.show_screen("imports")
    view = customers_of(win)
    row = win.nav.row_of_segment("Texters")
    rect = win.nav.visualItemRect(win.nav.item(row))
    qtbot.mouseClick(win.nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert win.current_screen() == "customers"
    assert view.filter_panel.isVisible() and view.builder.rule() == rule
    n = segments.count(win.workspace, rule)
    assert 0 < view.model.rowCount() == n
    wait_count(qtbot, view, n)
    # The screens below the segments still open theirs.
    win.nav.setCurrentRow(win.nav.row_of("review"))
    assert win.screen_stack.currentWidget().isAncestorOf(win.screens["review"])
    assert win.nav.item(win.nav.row_of("review")).text().startswith("Review")
    # Clicking the segment again (it is current) while a customer is open goes back to the list.
    win.nav.setCurrentRow(row)
    win.open_customer(view.model.customer_id(0))
    assert win.current_screen() == "customer"
    qtbot.mouseClick(win.nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert win.current_screen() == "customers" and view.builder.rule() == rule
    # Cleared, the list is everyone's again and the navigation says Customers.
    qtbot.mouseClick(view.builder.clear_button, Qt.MouseButton.LeftButton)
    assert win.nav.currentRow() == win.nav.row_of("customers") and win.current_screen() == "customers"
    assert view.model.rowCount() == segments.count(win.workspace, {"all": []})
    # Picking Customers itself after the segment shows everyone, and the segment opens again as it was.
    everyone = segments.count(win.workspace, {"all": []})
    qtbot.mouseClick(win.nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert view.model.rowCount() == n
    customers_row = win.nav.visualItemRect(win.nav.item(win.nav.row_of("customers")))
    qtbot.mouseClick(win.nav.viewport(), Qt.MouseButton.LeftButton, pos=customers_row.center())
    assert view.builder.rule() is None and view.builder.segment_name == ""
    assert view.model.rowCount() == everyone and view.filter_button.text() == "Fil&ter…"
    qtbot.mouseClick(win.nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert view.builder.rule() == rule and view.model.rowCount() == n
    # By keyboard too: Up from the segment's row, past the segment above it, to Customers.
    win.nav.setFocus()
    for _ in range(row - win.nav.row_of("customers")):
        qtbot.keyClick(win.nav, Qt.Key.Key_Up)
    assert win.nav.currentRow() == win.nav.row_of("customers")
    assert view.builder.rule() is None and view.model.rowCount() == everyone


@pytest.mark.parametrize("rule", [
    {"any": []},  # nobody
    {"all": [{"field": "channel", "op": "is", "value": "sms"}, {"any": []}]},  # nobody
    {"any": [{"field": "channel", "op": "is", "value": "sms"}, {"all": []}]},  # everyone
    {"any": [{"field": "channel", "op": "is", "value": "sms"}, {"not": {"any": []}}]},  # everyone
])
def test_a_saved_segment_with_an_empty_group_opens_on_the_customers_it_counts(demo, qtbot, rule):
    win = demo
    segments.save_segment(win.workspace, "Odd one", rule)
    win.segments.reload()
    view = customers_of(win)
    rect = win.nav.visualItemRect(win.nav.item(win.nav.row_of_segment("Odd one")))
    qtbot.mouseClick(win.nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    n = segments.count(win.workspace, rule)
    assert view.builder.rule() == rule
    assert view.model.rowCount() == n
    wait_count(qtbot, view, n)
    qtbot.mouseClick(view.builder.clear_button, Qt.MouseButton.LeftButton)  # and Clear gives everyone back
    assert view.builder.rule() is None and view.model.rowCount() == segments.count(win.workspace, {"all": []})


def test_the_builder_works_from_the_keyboard_alone(demo, qtbot):
    win = demo
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    view = customers_of(win)
    qtbot.keyClick(win, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert view.filter_panel.isVisible()
    assert QApplication.focusWidget() is view.builder.root.add_condition_button
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)  # Add condition
    row = view.builder.root.rows[0]
    assert QApplication.focusWidget() is row.field
    for _ in range(row.field.findData("city")):
        qtbot.keyClick(row.field, Qt.Key.Key_Down)
    assert row.current_field() == "city"
    qtbot.keyClick(row.field, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is row.op
    for _ in range(row.op.findData("contains")):
        qtbot.keyClick(row.op, Qt.Key.Key_Down)
    qtbot.keyClick(row.op, Qt.Key.Key_Tab)
    value = QApplication.focusWidget()
    assert isinstance(value, QLineEdit) and row.isAncestorOf(value)
    qtbot.keyClicks(value, "port")
    qtbot.keyClick(value, Qt.Key.Key_Return)  # applies now, without waiting
    rule = {"all": [{"field": "city", "op": "contains", "value": "port"}]}
    assert view.builder.rule() == rule
    n = segments.count(win.workspace, rule)
    assert 0 < view.model.rowCount() == n
    # Tab on to the remove button and press it with Space: the row goes, focus stays in the panel.
    qtbot.keyClick(value, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is row.remove
    qtbot.keyClick(row.remove, Qt.Key.Key_Space)
    assert view.builder.root.rows == []
    assert QApplication.focusWidget() is view.builder.root.add_condition_button
    # The same shortcut hides the panel again.
    qtbot.keyClick(win, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert not view.filter_panel.isVisible()


def test_each_saved_segment_shows_its_count_and_follows_changes_to_the_customers(demo, qtbot):
    win = demo
    texters = {"all": [{"field": "channel", "op": "is", "value": "sms"}]}
    segments.save_segment(win.workspace, "Texters", texters)
    segments.save_segment(win.workspace, "Big spenders", {"all": [{"field": "spend", "op": "gt", "value": 200}]})
    win.segments.reload()
    for name in ("Texters", "Big spenders"):
        n = segments.count(win.workspace, segments.get_segment(win.workspace, name).rule)
        qtbot.waitUntil(lambda name=name, n=n: win.nav.segment_count(name) == n, timeout=5000)
    before = win.nav.segment_count("Texters")
    a, b = segments.member_ids(win.workspace, texters)[:2]
    assert win.operations.merge([a, b])  # two texters become one
    qtbot.waitUntil(lambda: win.nav.segment_count("Texters") == before - 1, timeout=5000)
    win.undo()
    qtbot.waitUntil(lambda: win.nav.segment_count("Texters") == before, timeout=5000)


def test_the_menu_key_opens_a_segments_menu(demo, qtbot, monkeypatch):
    win = demo
    segments.save_segment(win.workspace, "Texters", {"all": [{"field": "channel", "op": "is", "value": "sms"}]})
    win.segments.reload()
    opened = []

    class Menu:
        def __init__(self, name):
            self.name = name

        def exec(self, _pos):
            opened.append(self.name)

    monkeypatch.setattr(win.nav, "segment_menu", Menu)

    def menu_key():
        # What the menu key (or Shift+F10) sends; the offscreen platform does not make it from the key.
        event = QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, QPoint(0, 0), QPoint(0, 0))
        QApplication.sendEvent(win.nav.viewport(), event)

    win.nav.setFocus()
    win.nav.setCurrentRow(win.nav.row_of_segment("Texters"))
    menu_key()
    assert opened == ["Texters"]
    win.nav.setCurrentRow(win.nav.row_of("review"))
    menu_key()
    assert opened == ["Texters"]  # a screen's row has no menu


def test_a_selected_segment_is_highlighted_to_the_edge_with_its_count_readable(qtbot):
    # The highlight stopped short of the count, drawn in the highlight's text colour (white)
    # on the list's own white: the count of the segment shown was the one that could not be read.
    from PySide6.QtGui import QColor

    from omnidesk.core.channels import contrast_ratio
    from omnidesk.ui.widgets.navigation import NavigationList

    nav = NavigationList()
    qtbot.addWidget(nav)
    nav.add_screen("customers", "Customers")
    nav.set_segments(["A segment with a rather long name indeed"])
    nav.set_segment_counts({"A segment with a rather long name indeed": 12_345})
    nav.resize(220, 120)
    nav.show()
    nav.setFocus()
    nav.setCurrentRow(nav.row_of_segment("A segment with a rather long name indeed"))
    rect = nav.visualItemRect(nav.currentItem())
    image = nav.viewport().grab().toImage()
    y = rect.top() + 2  # above the letters
    left, right = QColor(image.pixel(rect.left() + 30, y)), QColor(image.pixel(rect.right() - 2, y))
    assert left == right  # one highlight, from edge to edge
    count_area = [QColor(image.pixel(x, yy)) for x in range(rect.right() - 60, rect.right())
                  for yy in range(rect.top() + 2, rect.bottom() - 1)]
    ink = max(count_area, key=lambda c: contrast_ratio(c.name(), right.name()))
    assert contrast_ratio(ink.name(), right.name()) >= 3  # the count's digits stand out on it


def test_held_consent_is_offered_beside_the_answers_as_the_list_shows_it(qtbot):
    from PySide6.QtWidgets import QComboBox

    row = ConditionRow(["email"], [("consent.email", "Email consent")])
    qtbot.addWidget(row)
    pick(row.op, "is")
    choice = row.editor.findChild(QComboBox)
    pick(choice, "held")
    assert choice.currentText() == "held (shared address)"
    assert row.condition() == {"field": "consent.email", "op": "is", "value": "held"}
    pick(row.op, "in")
    tick(row, "held (shared address)", "granted")
    assert sorted(row.condition()["value"]) == ["granted", "held"]
