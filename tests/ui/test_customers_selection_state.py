"""What the Customers screen offers follows the selection as it is now, whatever changed it."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication


def _settle():
    for _ in range(5):
        QApplication.processEvents()


def _select_two(view):
    sm = view.table.selectionModel()
    view.table.selectRow(0)
    sm.select(view.model.index(1, 0), sm.SelectionFlag.Select | sm.SelectionFlag.Rows)
    _settle()


def test_merge_selected_is_off_once_a_search_leaves_nothing_selected(demo_window):
    view = demo_window.screens["customers"]
    demo_window.show_screen("customers")
    _select_two(view)
    assert view.merge_button.isEnabled()
    name = view.model.text(5, "name")
    view.search.setText(name)
    view._apply_search()
    _settle()
    assert view.model.rowCount() >= 1 and view.selected_ids() == []
    assert not view.merge_button.isEnabled()


def test_merge_selected_is_off_once_a_filter_leaves_nothing_selected(demo_window):
    view = demo_window.screens["customers"]
    demo_window.show_screen("customers")
    _select_two(view)
    view.channel_filter.setCurrentIndex(view.channel_filter.findText("Email"))
    _settle()
    assert view.selected_ids() == [] and not view.merge_button.isEnabled()
