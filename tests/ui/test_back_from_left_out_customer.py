"""A keyboard user walks a step's "opted out" list on the Campaigns screen: Enter opens one
customer, Alt+Left comes back to the same row of that list (as Customers and Review come back to
the same row or pair), not to the campaign list many Tab stops away.  Ctrl+4 still puts the keys
on the campaign list."""
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from tests.ui.spring_campaign import open_the_opted_out, spring_on_screen


def test_back_returns_to_the_left_out_list(demo, qtbot):
    win = demo
    view = spring_on_screen(win, qtbot)
    open_the_opted_out(view)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    people = view.recipients.people
    assert QApplication.focusWidget() is people
    QTest.keyClick(people, Qt.Key.Key_Down)
    QTest.keyClick(people, Qt.Key.Key_Down)
    row = people.currentRow()
    QTest.keyClick(people, Qt.Key.Key_Return)
    assert win.current_screen() == "customer"
    QTest.keySequence(QApplication.focusWidget(), QKeySequence("Alt+Left"))
    assert win.current_screen() == "campaigns"
    assert QApplication.focusWidget() is people, "the keys did not come back to the left-out list"
    assert people.currentRow() == row
    # Opened again and left by the View shortcut instead: the campaign list, as always.
    QTest.keyClick(people, Qt.Key.Key_Return)
    assert win.current_screen() == "customer"
    QTest.keySequence(QApplication.focusWidget(), QKeySequence("Ctrl+4"))
    assert QApplication.focusWidget() is view.table


def test_back_falls_back_to_the_campaign_list_when_the_list_is_gone(demo, qtbot):
    win = demo
    view = spring_on_screen(win, qtbot)
    open_the_opted_out(view)
    people = view.recipients.people
    people.setFocus()
    QTest.keyClick(people, Qt.Key.Key_Return)
    assert win.current_screen() == "customer"
    people.hide()  # the list no longer shown when the screen comes back
    QTest.keySequence(QApplication.focusWidget(), QKeySequence("Alt+Left"))
    assert win.current_screen() == "campaigns"
    assert QApplication.focusWidget() is view.table
