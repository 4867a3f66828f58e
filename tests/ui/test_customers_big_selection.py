"""The Customers screen's selection is read from its ranges, not row by row.

Over a hundred thousand customers, asking Qt for every selected row (``selectedRows``) took
seconds per call, and a header sharing the list's selection asked every row again at each
paint: a select-all, the right-click menu and Export Customers… froze the window.  What is
counted here is how often those row-by-row reads happen, never the time they take.
"""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from omnidesk.ui.dialogs.export_dialog import ExportDialog
from omnidesk.ui.models.customer_table_model import CustomerTableModel


def _settle():
    for _ in range(5):
        QApplication.processEvents()


@pytest.fixture
def screen(demo_window):
    demo_window.show_screen("customers")
    view = demo_window.screens["customers"]
    _settle()
    return view


@pytest.fixture
def row_by_row(monkeypatch):
    """How many times anything asks the selection model for every selected row."""
    calls = []
    original = QItemSelectionModel.selectedRows

    def counted(self, *args):
        calls.append(args)
        return original(self, *args)

    monkeypatch.setattr(QItemSelectionModel, "selectedRows", counted)
    return calls


def _click(view, row, modifier=Qt.KeyboardModifier.NoModifier):
    view.table.scrollTo(view.model.index(row, 0))
    rect = view.table.visualRect(view.model.index(row, 0))
    QTest.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())
    _settle()


def test_select_all_the_menu_and_export_take_the_selection_from_its_ranges(demo_window, screen, row_by_row):
    rows = screen.model.rowCount()
    assert rows > 100
    screen.table.setFocus()
    screen.table.selectAll()
    _settle()
    assert screen.count_label.text() == f"{rows:,} customers · {rows:,} selected"
    assert screen.selected_ids() == list(screen.model.ids())
    menu = screen.row_menu()
    assert screen.export_selected_action.isEnabled() and screen.tag_action.isEnabled()
    assert screen.merge_action.isEnabled()
    menu.deleteLater()
    dialog = demo_window.export_customers(True)
    assert isinstance(dialog, ExportDialog)
    assert dialog.selected == list(screen.model.ids()) and dialog.selected_radio.isChecked()
    dialog.reject()
    assert row_by_row == []


def test_a_shift_click_block_and_ctrl_click_singles_are_counted_and_listed_in_order(screen, row_by_row):
    _click(screen, 2)
    _click(screen, 6, Qt.KeyboardModifier.ShiftModifier)  # rows 2 to 6
    _click(screen, 11, Qt.KeyboardModifier.ControlModifier)
    _click(screen, 40, Qt.KeyboardModifier.ControlModifier)
    _click(screen, 4, Qt.KeyboardModifier.ControlModifier)  # out of the block again
    picked = [2, 3, 5, 6, 11, 40]
    ids = screen.model.ids()
    assert screen.selected_ids() == [ids[r] for r in picked]
    assert screen.count_label.text().endswith("· 6 selected")
    assert screen.selected_spans() == [(2, 3), (5, 6), (11, 11), (40, 40)]
    assert row_by_row == []
    # What Qt says, row by row, is the same.
    assert sorted({i.row() for i in screen.table.selectionModel().selectedRows()}) == picked


def test_one_row_clicked_and_the_list_read_again(screen, row_by_row):
    _click(screen, 7)
    assert screen.selected_ids() == [screen.model.ids()[7]]
    assert screen.count_label.text() == f"{screen.model.rowCount():,} customers"
    assert screen.open_action.isEnabled() and not screen.merge_button.isEnabled()
    screen.search.setText(screen.model.text(7, "name"))
    screen._apply_search()
    _settle()
    assert screen.selected_ids() == [] and screen.selected_count() == 0
    assert row_by_row == []


def test_the_header_painted_after_a_select_all_does_not_ask_every_row(screen):
    rows = screen.model.rowCount()
    asked = []
    code = CustomerTableModel.rowCount.__code__

    def profile(frame, event, _arg):
        if event == "call" and frame.f_code is code:
            asked.append(1)

    header = screen.table.horizontalHeader()
    sys.setprofile(profile)
    try:
        screen.table.selectAll()
        _settle()
        header.repaint()
        _settle()
    finally:
        sys.setprofile(None)
    assert len(asked) < rows, f"{len(asked)} reads of the row count to paint the header over {rows} rows"
    # The header's own selection is empty: sorting by a click still works.
    name = screen.model.columns().index("name")
    screen.table.horizontalHeader().setSortIndicator(name, Qt.SortOrder.DescendingOrder)
    _settle()
    assert screen.model.sort_key() == ("name", True)
