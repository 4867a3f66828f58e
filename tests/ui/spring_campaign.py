"""One email campaign, "Spring", on the demo window's Campaigns screen, reached by the keys: what
the keyboard tests of that screen start from."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest

from omnidesk.core.campaigns.campaign import save_campaign
from omnidesk.core.messages.store import save_message


def spring_on_screen(win, qtbot, **fields):
    """``win`` in front, holding the campaign "Spring" (an email step in 2027, and ``fields``), shown
    and selected on its Campaigns screen by Ctrl+4; returns the screen."""
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    save_message(win.workspace, "Sale", {"headline": "Sale", "link": "https://shop.example/s"}, channels=["email"])
    save_campaign(win.workspace, "Spring", message="Sale", **fields, steps=[
        {"channel": "email", "at": "2027-04-01T10:00", "timezone": "America/New_York"}])
    QTest.keySequence(win, QKeySequence("Ctrl+4"))
    view = win.screens["campaigns"]
    view.select("Spring")
    return view


def open_the_opted_out(view) -> None:
    """Walk the recipients tree down to its "opted out" line by the keys and open its people."""
    tree = view.recipients.tree
    tree.setFocus()
    while "opted out" not in (tree.currentItem().text(0) if tree.currentItem() else ""):
        QTest.keyClick(tree, Qt.Key.Key_Down)
    QTest.keyClick(tree, Qt.Key.Key_Return)
