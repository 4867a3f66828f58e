"""The Qt fixtures themselves: what one test shows is gone before the next begins.

Windows left behind pile up through a run, and everything that walks all widgets
(a style sheet, a focus change) gets slower with each test.  The two tests below run
in this order; the first leaves its window where the second can look for it.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtWidgets import QApplication

from omnidesk.ui.views.customer import CustomerView

left_behind: list = []


def test_a_test_shows_a_window_and_a_view(window, qtbot, ws):
    view = CustomerView(ws)
    qtbot.addWidget(view)
    view.show()
    left_behind.extend([window, view])
    assert all(w.isVisible() for w in left_behind)


def test_the_next_test_finds_them_deleted():
    assert len(left_behind) == 2
    assert not any(shiboken6.isValid(w) for w in left_behind)
    assert QApplication.topLevelWidgets() == []
