"""Values in the segment builder come back as they were saved: a list of values typed in one box,
numbers opened in number boxes, a custom field's number or date — through the real window, with
segments saved from the command line."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDoubleSpinBox, QLineEdit

from omnidesk.core import segments
from tests.helpers import run_cli
from tests.ui.builder_rows import new_row, pick


def cli(capsys, win, *argv) -> str:
    status, out, err = run_cli(capsys, "--workspace", win.workspace.path, *argv)
    assert status == 0, err
    return out


def open_saved(win, qtbot, name: str):
    """Click the saved segment ``name`` in the navigation, as a person would."""
    win.look_for_outside_changes()
    row = win.nav.row_of_segment(name)
    assert row >= 0, name
    rect = win.nav.visualItemRect(win.nav.item(row))
    qtbot.mouseClick(win.nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    QApplication.processEvents()
    return win.screens["customers"]


def wait_count(qtbot, view, n: int) -> None:
    expected = f"{n:,} customer{'s' if n != 1 else ''}"
    qtbot.waitUntil(lambda: view.builder.count_label.text() == expected, timeout=5000)


def test_a_saved_list_whose_values_hold_commas_opens_and_saves_unchanged(demo, qtbot, capsys):
    win = demo
    ids = segments.member_ids(win.workspace, {"all": [{"field": "tag", "op": "is", "value": "vip"}]})[:2]
    for cid in ids:
        cli(capsys, win, "customer", "set", cid, "city", "Washington, D.C.")
    rule = {"all": [{"field": "city", "op": "in", "value": ["Washington, D.C.", "Boise"]}]}
    cli(capsys, win, "segment", "save", "DC area", "--rule", json.dumps(rule))
    view = open_saved(win, qtbot, "DC area")
    box = view.builder.root.rows[0].editor.findChild(QLineEdit)
    assert box.text() == '"Washington, D.C.", Boise'  # a value holding a comma, in quotes
    assert view.builder.rule() == rule and view.builder.problems() == 0
    assert view.model.rowCount() == 2
    wait_count(qtbot, view, 2)
    assert view.builder.save_button.isEnabled()

    # Typed so by hand, the same; an unclosed quote says what is missing instead of guessing.
    box.clear()
    qtbot.keyClicks(box, '"Washington, D.C.", Boise')
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert view.builder.rule() == rule
    qtbot.keyClicks(box, ', "Salem')
    qtbot.keyClick(box, Qt.Key.Key_Return)
    row = view.builder.root.rows[0]
    assert row.message.isVisibleTo(win) and "Close the quotes" in row.message.text()
    assert not view.builder.save_button.isEnabled()


def test_a_custom_value_holding_a_comma_opens_as_one_value(qtbot):
    from omnidesk.ui.widgets.segment_builder import SegmentBuilder

    builder = SegmentBuilder(custom_fields=["Loyalty tier"])
    qtbot.addWidget(builder)
    rule = {"all": [{"field": "custom.Loyalty tier", "op": "in", "value": ["Gold, Silver", 'The "best"', '"Quoted", too', "Bronze"]}]}
    builder.set_rule(rule, segment_name="Tiers")
    assert builder.root.rows[0].editor.findChild(QLineEdit).text() == '"Gold, Silver", The "best", """Quoted"", too", Bronze'
    assert builder.rule() == rule and builder.problems() == 0


def test_numbers_typed_with_thousands_separators_are_read_as_written(demo, qtbot):
    win = demo
    view, row = new_row(win, qtbot, "spend", "in")
    box = row.editor.findChild(QLineEdit)
    qtbot.keyClicks(box, "1,000, 2,500")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert view.builder.rule() == {"all": [{"field": "spend", "op": "in", "value": [1000, 2500]}]}
    # "1,5" is one and a half to some and one and five to others: the row asks, nothing is guessed.
    box.clear()
    qtbot.keyClicks(box, "1,5, 20")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert row.message.isVisibleTo(win) and "Is 1,5 one number or several?" in row.message.text()
    assert view.builder.rule() is None and not view.builder.save_button.isEnabled()
    # A saved list of numbers opens as it was saved.
    rule = {"all": [{"field": "orders", "op": "in", "value": [1000, 2000]}]}
    view.builder.set_rule(rule, segment_name="Many orders")
    assert view.builder.rule() == rule and view.builder.problems() == 0


@pytest.mark.parametrize("field,op,value,shown", [
    ("spend", "lt", -10, "-10.00"),
    ("spend", "gt", 5_000_000_000, "5000000000.00"),
    ("spend", "gt", 49.905, "49.905"),
    ("spend", "between", [-0.5, 12.345], "-0.50 and 12.345"),
    ("orders", "gte", 1_000_000_000_000, "1000000000000"),
])
def test_a_saved_number_opens_in_its_box_as_saved(demo, qtbot, capsys, field, op, value, shown):
    win = demo
    rule = {"all": [{"field": field, "op": op, "value": value}]}
    cli(capsys, win, "segment", "save", "Numbers", "--rule", json.dumps(rule))
    view = open_saved(win, qtbot, "Numbers")
    row = view.builder.root.rows[0]
    boxes = [s.text() for s in row.editor.findChildren(QDoubleSpinBox)]
    assert " and ".join(boxes) == shown
    assert view.builder.rule() == rule and view.builder.problems() == 0
    assert view.builder.save_button.isEnabled()
    n = segments.count(win.workspace, rule)
    assert view.model.rowCount() == n
    wait_count(qtbot, view, n)


def test_a_saved_count_that_is_no_whole_number_is_shown_and_said_not_rounded(demo, qtbot, capsys):
    win = demo
    rule = {"all": [{"field": "orders", "op": "gte", "value": 2.5}]}
    cli(capsys, win, "segment", "save", "Two and a half", "--rule", json.dumps(rule))
    view = open_saved(win, qtbot, "Two and a half")
    row = view.builder.root.rows[0]
    spin = row.editor.spin
    assert spin.text() == "2.5"
    assert row.message.isVisibleTo(win) and "whole number" in row.message.text()
    assert not view.builder.save_button.isEnabled()  # Save would not store 3 in its place
    # Typed again as a whole number, it is a condition like any other.
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, "3")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    view.builder.apply_now()
    assert view.builder.rule() == {"all": [{"field": "orders", "op": "gte", "value": 3}]}
    assert not row.message.isVisibleTo(win) and view.builder.save_button.isEnabled()


def test_a_saved_number_too_big_for_the_box_is_kept_and_said_and_cannot_be_saved_over(demo, qtbot, capsys):
    win = demo
    rule = {"all": [{"field": "spend", "op": "gt", "value": 50_000_000_000_000}]}
    cli(capsys, win, "segment", "save", "Whales", "--rule", json.dumps(rule))
    view = open_saved(win, qtbot, "Whales")
    row = view.builder.root.rows[0]
    assert row.message.isVisibleTo(win) and "50000000000000" in row.message.text()
    assert not view.builder.save_button.isEnabled()
    assert segments.get_segment(win.workspace, "Whales").rule == rule


def test_a_negative_amount_can_be_typed_as_the_command_line_takes_it(demo, qtbot):
    win = demo
    view, row = new_row(win, qtbot, "spend", "lt")
    spin = row.editor.spin
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, "-10")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    view.builder.apply_now()
    assert view.builder.rule() == {"all": [{"field": "spend", "op": "lt", "value": -10}]}


@pytest.fixture
def club(window, tmp_path):
    """A window on a workspace whose members file brought a number column and a date column."""
    from omnidesk.core.importing.pipeline import import_file
    from omnidesk.core.workspace import Workspace
    from tests.helpers import write_csv

    path = tmp_path / "club.omnidesk"
    ws = Workspace.create(path)
    import_file(ws, write_csv(tmp_path / "members.csv", ["Email", "First Name", "Loyalty points", "Renewal date"], [
        ["ann@example.org", "Ann", "1,200", "2024-03-15"],
        ["ben@example.org", "Ben", "80", "2023-11-02"],
        ["cat@example.org", "Cat", "950.5", "2025-01-20"],
    ]))
    ws.close()
    assert window.open_workspace(path)
    yield window
    assert window.screens["customers"].runner.wait(10)


def custom_row(win, qtbot, field: str, op: str):
    return new_row(win, qtbot, f"custom.{field}", op)


def typed(qtbot, view, row, text: str):
    box = row.editor.findChild(QLineEdit)
    box.clear()
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key.Key_Return)
    QApplication.processEvents()
    return view.builder.rule(), row.message.text() if row.message.isVisibleTo(view.window()) else ""


def test_a_custom_comparison_says_what_it_takes_by_the_column_name(club, qtbot):
    view, row = custom_row(club, qtbot, "Loyalty points", "gt")
    rule, said = typed(qtbot, view, row, "abc")
    assert rule is None
    assert said == "Loyalty points needs a number or a date as YYYY-MM-DD, got 'abc'."
    assert "custom." not in said and not view.builder.save_button.isEnabled()
    # "1,5" is one and a half to some, fifteen to others: asked, not read as 15.
    rule, said = typed(qtbot, view, row, "1,5")
    assert rule is None and said.startswith("Is 1,5 a number?")
    rule, said = typed(qtbot, view, row, "1,000")
    assert rule == {"all": [{"field": "custom.Loyalty points", "op": "gt", "value": 1000}]} and said == ""
    assert view.model.rowCount() == 1  # Ann's 1,200
    # A range the wrong way round names the column too.
    pick(row.op, "between")
    row.editor.low.edit.setText("100")
    row.editor.high.edit.setText("10")
    view.builder.apply_now()
    assert "Loyalty points between [100, 10]" in row.message.text() and "custom." not in row.message.text()


@pytest.mark.parametrize("op", ["gt", "is", "in"])
def test_a_custom_date_is_read_the_same_way_whatever_the_condition(club, qtbot, op):
    view, row = custom_row(club, qtbot, "Renewal date", op)
    rule, said = typed(qtbot, view, row, "15/03/2024")
    assert rule is None
    assert said == "Type a date as YYYY-MM-DD (2024-03-15): 15/03/2024 is a different day in different countries."
    rule, said = typed(qtbot, view, row, "2024-03-15")
    value = ["2024-03-15"] if op == "in" else "2024-03-15"
    assert rule == {"all": [{"field": "custom.Renewal date", "op": op, "value": value}]} and said == ""
    assert view.model.rowCount() == segments.count(club.workspace, rule) == 1


def test_a_custom_value_typed_stays_when_is_becomes_contains(club, qtbot):
    view, row = custom_row(club, qtbot, "Renewal date", "is")
    typed(qtbot, view, row, "2024-03")
    pick(row.op, "contains")
    view.builder.apply_now()
    assert row.editor.findChild(QLineEdit).text() == "2024-03"
    assert view.builder.rule() == {"all": [{"field": "custom.Renewal date", "op": "contains", "value": "2024-03"}]}
    # "contains" looks for the text as written: a part of a date in any order is no date to refuse.
    rule, said = typed(qtbot, view, row, "15/03/2024")
    assert said == "" and rule["all"][0]["value"] == "15/03/2024"


@pytest.fixture
def points(window, tmp_path):
    """A window on a workspace whose file brought a number column: 5,000 and 250 points, none, and one
    and a half."""
    from omnidesk.core.importing.pipeline import import_file
    from omnidesk.core.workspace import Workspace
    from tests.helpers import write_csv

    path = tmp_path / "points.omnidesk"
    ws = Workspace.create(path)
    import_file(ws, write_csv(tmp_path / "members.csv", ["Email", "First Name", "Points"], [
        ["ann@example.org", "Ann", "5,000"],
        ["ben@example.org", "Ben", "250"],
        ["cat@example.org", "Cat", "0"],
        ["dan@example.org", "Dan", "1.5"],
    ]))
    ws.close()
    assert window.open_workspace(path)
    yield window
    assert window.screens["customers"].runner.wait(10)


def _names(view):
    return sorted(view.model.text(r, "name") for r in range(view.model.rowCount()))


def test_a_number_column_is_one_of_numbers_written_with_thousands(points, qtbot, capsys):
    """"5,000, 250" was split at every comma: 5, 000 and 250, picking Cat (0 points) instead of Ann."""
    view, row = custom_row(points, qtbot, "Points", "in")
    rule, said = typed(qtbot, view, row, "5,000, 250")
    assert said == ""
    # As the command line is given it, and as it reads it.
    assert rule == {"all": [{"field": "custom.Points", "op": "in", "value": ["5,000", "250"]}]}
    assert _names(view) == ["Ann", "Ben"]
    status, out, err = run_cli(capsys, "--workspace", points.workspace.path, "segment", "count",
                               "--rule", json.dumps(rule))
    assert status == 0 and out.strip().startswith("2"), (out, err)
    # A saved list opens as typed, a thousands separator not taken for a value of its own.
    view.builder.set_rule(rule, segment_name="Points")
    assert row is not view.builder.root.rows[0]
    assert view.builder.root.rows[0].editor.findChild(QLineEdit).text() == "5,000, 250"
    assert view.builder.rule() == rule and view.builder.problems() == 0


def test_a_comma_in_a_number_that_groups_no_thousands_is_asked_about(points, qtbot):
    view, row = custom_row(points, qtbot, "Points", "in")
    rule, said = typed(qtbot, view, row, "1,5, 250")
    assert rule is None and said.startswith("Is 1,5 one number or several?")
    assert not view.builder.save_button.isEnabled()
    pick(row.op, "is")
    rule, said = typed(qtbot, view, row, "1,5")
    assert rule is None and said.startswith("Is 1,5 a number?")  # not read as Dan's 1.5
    rule, said = typed(qtbot, view, row, "1.5")
    assert said == "" and rule == {"all": [{"field": "custom.Points", "op": "is", "value": "1.5"}]}
    assert _names(view) == ["Dan"]
    # Text with a comma that is no number is taken as written.
    rule, said = typed(qtbot, view, row, "A1,B2")
    assert said == "" and rule == {"all": [{"field": "custom.Points", "op": "is", "value": "A1,B2"}]}


@pytest.mark.parametrize("text, part", [("1,2,3", "1,2,3"), ("10,20,30", "10,20,30"), ("1,000,5, 2", "1,000,5")])
def test_commas_between_digits_that_group_no_thousands_are_asked_about_in_a_list(points, qtbot, text, part):
    """"1,2,3" was read as one value, "1,2,3", matching nobody, and nothing was said."""
    view, row = custom_row(points, qtbot, "Points", "in")
    rule, said = typed(qtbot, view, row, text)
    assert rule is None and said.startswith(f"Is {part} one number or several?")
    assert not view.builder.save_button.isEnabled()
    rule, said = typed(qtbot, view, row, text.replace(",", ", ") if text != "1,000,5, 2" else "1,000, 5, 2")
    assert said == "" and not view.builder.problems()
    assert rule["all"][0]["value"] == (["1,000", "5", "2"] if text == "1,000,5, 2" else text.split(","))


def test_a_list_still_splits_at_a_comma_without_a_space_and_keeps_grouped_numbers(points, qtbot):
    view, row = custom_row(points, qtbot, "Points", "in")
    rule, said = typed(qtbot, view, row, "5,000,250")  # a number grouped by thousands: one value
    assert said == "" and rule["all"][0]["value"] == ["5,000,250"]
    rule, said = typed(qtbot, view, row, "12,500.50,gold")
    assert said == "" and rule["all"][0]["value"] == ["12,500.50", "gold"]
    rule, said = typed(qtbot, view, row, "gold,silver")
    assert said == "" and rule["all"][0]["value"] == ["gold", "silver"]


@pytest.mark.parametrize("saved", ["1,5", ["1,2", "3"], ["10,20,30"]])
def test_a_saved_comma_value_opens_as_saved_not_as_unfinished(points, qtbot, capsys, saved):
    """A saved "custom.Points is 1,5" (the command line takes it, older versions saved it) opened as an
    unfinished row: the builder dropped it and the list showed more customers than the segment picks."""
    op = "in" if isinstance(saved, list) else "is"
    rule = {"all": [{"field": "custom.Points", "op": op, "value": saved},
                    {"field": "first_name", "op": "is", "value": "Ann"}]}
    cli(capsys, points, "segment", "save", "Odd points", "--rule", json.dumps(rule))
    view = open_saved(points, qtbot, "Odd points")
    assert view.builder.rule() == rule and view.builder.problems() == 0
    assert view.model.rowCount() == segments.count(points.workspace, rule) == 0
    # Shown so that it reads back as saved: a list's value holding such a comma in quotes.
    row = view.builder.root.rows[0]
    box = row.editor.findChild(QLineEdit)
    shown = box.text()
    assert shown == {"is": "1,5", "in": ", ".join(f'"{v}"' if "," in v else v for v in saved)}[op]
    # Typed by the user (a list without the quotes), it is asked about: the question is about what the
    # user types.
    rule, said = typed(qtbot, view, row, "1,5" if op == "is" else ", ".join(saved))
    assert said.startswith("Is ") and view.builder.problems() == 1
    assert rule == {"all": [{"field": "first_name", "op": "is", "value": "Ann"}]}
    assert not view.builder.save_button.isEnabled()
