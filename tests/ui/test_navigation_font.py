"""The navigation list's names follow the app's font, a little larger than the rest."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication


def test_the_navigation_grows_with_a_large_font(big_window, big_font):
    nav = big_window.nav
    assert nav.font().pointSizeF() > big_font.pointSizeF()  # not left at a fixed 11 pt
    for row in range(nav.count()):
        item = nav.item(row)
        rect = nav.visualItemRect(item)
        assert nav.fontMetrics().height() <= rect.height(), item.text()
        assert nav.fontMetrics().horizontalAdvance(item.text()) <= rect.width() - 14, item.text()


def test_the_navigation_keeps_its_look_at_the_usual_font(demo_window):
    nav = demo_window.nav
    usual = QApplication.font().pointSizeF()
    assert nav.font().pointSizeF() == pytest.approx(usual * 11 / 9)
    assert nav.visualItemRect(nav.item(0)).height() == 36
