"""Walking the navigation with the arrow keys: the keys stay on the navigation (as Review -> Messages
does), arriving on Customers or on a saved segment too, so the next arrow goes on walking it.
Picked with the mouse or by its shortcut, the screen still takes the keys."""
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from omnidesk.core.segments.saved import save_segment

VIP = {"all": [{"field": "orders", "op": "gt", "value": 2}]}


def down():
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Down)


def in_front(win, qtbot):
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)


def test_down_from_dashboard_to_customers_keeps_the_keys_on_the_navigation(demo, qtbot):
    win = demo
    in_front(win, qtbot)
    win.show_screen("dashboard")
    win.nav.setFocus()
    down()
    assert win.current_screen() == "customers"
    assert QApplication.focusWidget() is win.nav, "keys left the navigation"
    down()
    assert win.current_screen() == "review" and QApplication.focusWidget() is win.nav


def test_customers_picked_by_mouse_or_shortcut_takes_the_keys(demo, qtbot):
    win = demo
    in_front(win, qtbot)
    customers = win.screens["customers"]
    win.show_screen("dashboard")
    rect = win.nav.visualItemRect(win.nav.item(win.nav.row_of("customers")))
    qtbot.mouseClick(win.nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert win.current_screen() == "customers"
    assert QApplication.focusWidget() is customers.search
    win.show_screen("review")
    win.nav.setFocus()
    QTest.keySequence(win.nav, QKeySequence("Ctrl+1"))
    assert win.current_screen() == "customers"
    assert customers.isAncestorOf(QApplication.focusWidget())


def test_up_onto_a_saved_segment_keeps_the_keys_on_the_navigation(demo, qtbot):
    win = demo
    in_front(win, qtbot)
    save_segment(win.workspace, "VIP", VIP)
    win.segments.reload()
    win.show_screen("review")
    win.nav.setFocus()
    builder = win.screens["customers"].builder
    QTest.keyClick(win.nav, Qt.Key.Key_Up)  # Review -> VIP
    assert win.nav.current_segment() == "VIP" and builder.rule() == VIP
    assert win.screens["customers"].filter_panel.isVisible()
    assert QApplication.focusWidget() is win.nav, "keys left the navigation"
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Up)  # on to Customers, the rule untouched
    assert win.nav.current_key() == "customers" and not win.nav.current_segment()
    assert QApplication.focusWidget() is win.nav
    assert builder.rule() is None and not builder.is_changed()


def test_a_saved_segment_clicked_gives_the_keys_to_its_rule(demo, qtbot):
    win = demo
    in_front(win, qtbot)
    save_segment(win.workspace, "VIP", VIP)
    win.segments.reload()
    win.show_screen("review")
    rect = win.nav.visualItemRect(win.nav.item(win.nav.row_of_segment("VIP")))
    qtbot.mouseClick(win.nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    builder = win.screens["customers"].builder
    assert builder.rule() == VIP
    assert QApplication.focusWidget() is builder.first_focus()
