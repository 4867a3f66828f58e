"""Ctrl+S in a campaign field saves and leaves the keys there; Edit › Undo then reads "Undo edit
campaign Spring", and Ctrl+Z pressed in the field takes that save back (the field has no typing of
its own left to undo).  Typing there again, Ctrl+Z undoes the typing first, as in any field."""
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from omnidesk.core.campaigns import campaign as core
from tests.ui.spring_campaign import spring_on_screen


def keys(sequence) -> None:
    QTest.keySequence(QApplication.focusWidget(), QKeySequence(sequence))


def spring_goal(win):
    return core.get_campaign(win.workspace, "Spring").goal


def test_ctrl_z_after_ctrl_s_in_the_goal_field_undoes_the_save(demo, qtbot):
    win = demo
    view = spring_on_screen(win, qtbot)
    goal = view.editor.goal
    goal.setFocus()
    QTest.keyClicks(goal, "Sell stock")
    keys("Ctrl+S")
    assert spring_goal(win) == "Sell stock"
    assert QApplication.focusWidget() is goal and not goal.isUndoAvailable()
    assert win.undo_action.isEnabled() and "Spring" in win.undo_action.text()
    keys("Ctrl+Z")
    assert spring_goal(win) in ("", None), "Ctrl+Z did not undo the save"
    assert QApplication.focusWidget() is goal and goal.text() == ""
    # With nothing of its own to redo, the redo keys put the save back too.
    assert not goal.isRedoAvailable() and win.redo_action.isEnabled()
    keys(win.redo_action.shortcut())
    assert spring_goal(win) == "Sell stock" and goal.text() == "Sell stock"


def test_ctrl_z_in_a_field_with_typing_undoes_the_typing_first(demo, qtbot):
    win = demo
    view = spring_on_screen(win, qtbot, goal="Sell")
    goal = view.editor.goal
    goal.setFocus()
    goal.end(False)
    QTest.keyClicks(goal, " more")
    keys("Ctrl+S")
    QTest.keyClicks(goal, "!")
    assert goal.text() == "Sell more!" and goal.isUndoAvailable()
    keys("Ctrl+Z")
    assert goal.text() == "Sell more", "the field's own typing goes first"
    assert spring_goal(win) == "Sell more", "the saved step stays"
