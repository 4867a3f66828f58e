"""What the Customers screen offers follows the selection as it is now, whatever changed it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
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


# -- keys after the right-click menu -------------------------------------------------------------


def _active(window, qtbot):
    """The window made the active one, as a user's click would; its Customers screen."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    return window.screens["customers"]


def _focus_table(window, qtbot):
    view = _active(window, qtbot)
    view.table.setFocus()
    _settle()
    return view


def _key(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(QApplication.focusWidget(), key, modifier)
    _settle()


def test_ctrl_c_copies_the_email_of_a_row_reached_after_a_menu_on_a_row_without_one(demo_window, qtbot):
    view = _focus_table(demo_window, qtbot)
    m = view.model
    bare = next(r for r in range(m.rowCount() - 1) if not m.text(r, "email") and m.text(r + 1, "email"))
    view.table.setCurrentIndex(m.index(bare, 0))
    view.table.selectRow(bare)
    view.row_menu().close()  # a right-click on the row, the menu closed
    view.table.setFocus()
    _settle()
    QGuiApplication.clipboard().setText("before")
    _key(qtbot, Qt.Key.Key_Down)
    assert view.selected_ids() == [m.customer_id(bare + 1)]
    _key(qtbot, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == m.text(bare + 1, "email")


def test_enter_and_ctrl_t_work_after_a_menu_with_nothing_selected(demo_window, qtbot):
    view = _focus_table(demo_window, qtbot)
    view.table.clearSelection()
    _settle()
    view.row_menu().close()
    view.table.setFocus()
    _settle()
    _key(qtbot, Qt.Key.Key_Down)
    picked = view.selected_ids()
    assert len(picked) == 1
    asked = []
    view.bulkRequested.disconnect()  # the tag dialog itself is not what is looked at here
    view.bulkRequested.connect(lambda action, ids: asked.append((action, ids)))
    _key(qtbot, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert asked == [("add_tags", picked)]
    _key(qtbot, Qt.Key.Key_Return)
    assert demo_window.current_screen() == "customer"
    assert demo_window.customer_view.customer_id == picked[0]


def test_tabbing_into_the_list_selects_the_row_the_keys_act_on(demo_window, qtbot):
    view = _active(demo_window, qtbot)
    view.search.setFocus()
    _settle()
    for _ in range(10):
        _key(qtbot, Qt.Key.Key_Tab)
        if QApplication.focusWidget() is view.table:
            break
    assert QApplication.focusWidget() is view.table
    first = view.model.customer_id(0)
    assert view.table.currentIndex().row() == 0 and view.selected_ids() == [first]
    asked = []
    view.bulkRequested.disconnect()
    view.bulkRequested.connect(lambda action, ids: asked.append((action, ids)))
    _key(qtbot, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert asked == [("add_tags", [first])]
    _key(qtbot, Qt.Key.Key_Down)
    assert view.table.currentIndex().row() == 1 and view.selected_ids() == [view.model.customer_id(1)]
