"""Every date box of the app is one Tab stop: a segment rule's dates and a message's end date.

(The campaign step's date and time and the dashboard's From… to… are walked on
their screens' own tests.)
"""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget

from omnidesk.ui.views.messages.editor import MasterForm
from omnidesk.ui.widgets.rule_fields import make_editor


def _tab(qtbot, widget, backwards: bool = False):
    widget.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget)
    mods = Qt.KeyboardModifier.ShiftModifier if backwards else Qt.KeyboardModifier.NoModifier
    qtbot.keyClick(widget, Qt.Key.Key_Tab, mods)
    return QApplication.focusWidget()


def test_a_between_dates_rule_walks_low_then_high_then_out(qtbot):
    host = QWidget()
    layout = QVBoxLayout(host)
    editor = make_editor("last_seen", "between", [])
    after = QLineEdit()
    layout.addWidget(editor)
    layout.addWidget(after)
    qtbot.addWidget(host)
    host.show()
    host.activateWindow()
    low, high = editor.low.date, editor.high.date
    assert _tab(qtbot, low) is high
    assert _tab(qtbot, high) is after
    assert _tab(qtbot, high, backwards=True) is low
    # The arrows still move between day, month and year; Up changes the one at the cursor.
    low.setDate(QDate(2026, 3, 1))
    low.setFocus()
    low.setCurrentSectionIndex(0)
    qtbot.keyClick(low, Qt.Key.Key_Right)
    qtbot.keyClick(low, Qt.Key.Key_Right)
    qtbot.keyClick(low, Qt.Key.Key_Right)
    qtbot.keyClick(low, Qt.Key.Key_Right)
    qtbot.keyClick(low, Qt.Key.Key_Right)
    assert low.currentSectionIndex() == 1
    qtbot.keyClick(low, Qt.Key.Key_Up)
    assert editor.read() == ["2026-04-01", editor.high.read()]


def test_a_message_end_date_is_one_stop(qtbot):
    form = MasterForm()
    qtbot.addWidget(form)
    form.show()
    form.activateWindow()
    form.expires_on.setChecked(True)
    assert _tab(qtbot, form.expires_on) is form.expires
    left = _tab(qtbot, form.expires)
    assert left is not form.expires and form.isAncestorOf(left)
    assert _tab(qtbot, left, backwards=True) is form.expires
