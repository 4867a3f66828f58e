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

MARKET = {"all": [{"field": "channel", "op": "is", "value": "farmers_market"}]}


@pytest.fixture
def demo(demo_window):
    yield demo_window
    assert demo_window.screens["customers"].runner.wait(10)


def pick(combo, data) -> None:
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def click_segment(win, qtbot, name: str) -> None:
    """A click on the segment ``name`` in the navigation."""
    rect = win.nav.visualItemRect(win.nav.item(win.nav.row_of_segment(name)))
    qtbot.mouseClick(win.nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


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
    view.grab().save("/tmp/wtG_shots/1_market_segment.png")

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
