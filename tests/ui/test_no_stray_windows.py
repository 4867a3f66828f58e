"""No screen opens a window of its own by showing a widget before it has a parent.

A widget made visible while it has no parent becomes a top-level window: the email preview's
preheader and rule did so, two stray windows each time a message was shown, which took the
keyboard focus away from the main window.
"""

from __future__ import annotations

import pytest

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QWidget

from omnidesk.core.campaigns.campaign import save_campaign
from omnidesk.core.messages.store import save_message


class _WindowsShown(QObject):
    """Every widget shown as a window, however briefly (reparented at once, it still opened
    and took the focus), other than the main window, menus and tooltips."""

    def __init__(self, win) -> None:
        super().__init__()
        self.win = win
        self.seen: list[str] = []

    def eventFilter(self, obj, event) -> bool:
        if (event.type() == QEvent.Type.Show and isinstance(obj, QWidget) and obj.isWindow()
                and obj is not self.win
                and obj.windowType() not in (Qt.WindowType.Popup, Qt.WindowType.ToolTip)):
            self.seen.append(f"{type(obj).__name__} {obj.objectName()!r}")
        return False


def _stray(watch) -> list[str]:
    QApplication.processEvents()
    seen, watch.seen = watch.seen, []
    return seen


@pytest.fixture
def watch(demo_window):
    found = _WindowsShown(demo_window)
    QApplication.instance().installEventFilter(found)
    yield found
    QApplication.instance().removeEventFilter(found)


def test_every_screen_shows_inside_the_main_window(demo_window, watch):
    win = demo_window
    save_message(win.workspace, "Winter sale", {"headline": "Winter sale", "body": "Warm up.",
                                                "link": "https://shop.example/w", "offer_code": "WINTER20"},
                 channels=["email", "sms", "instagram", "facebook", "store", "website"])
    save_campaign(win.workspace, "Winter", message="Winter sale", steps=[
        {"channel": "email", "at": "2027-01-12T09:00", "timezone": "America/New_York"}])
    assert _stray(watch) == []
    for key in ("dashboard", "customers", "review", "messages", "campaigns", "imports"):
        win.show_screen(key)
        assert _stray(watch) == [], key
    messages = win.screens["messages"]
    messages.refresh()
    messages.select("Winter sale")
    for i in range(messages.tabs.count()):
        messages.tabs.setCurrentIndex(i)
        assert _stray(watch) == [], messages.tabs.tabText(i)
    with win.workspace.engine.connect() as conn:
        cid = conn.exec_driver_sql("SELECT id FROM customer ORDER BY orders DESC LIMIT 1").scalar()
    win.open_customer(cid)
    assert _stray(watch) == []


def _tab_traps(root) -> list[str]:
    """Item views in ``root`` where Tab moves between cells (and never leaves), and scroll areas that
    take a Tab stop of their own while holding fields that are stops themselves."""
    from PySide6.QtWidgets import QAbstractItemView, QScrollArea

    found = [f"{type(v).__name__} {v.objectName()!r} under {type(v.parent()).__name__}"
             for v in root.findChildren(QAbstractItemView)
             if v.tabKeyNavigation() and v.focusPolicy() != Qt.FocusPolicy.NoFocus]
    for area in root.findChildren(QScrollArea):
        inner = area.widget()
        holds_stops = inner is not None and any(
            w.focusPolicy() & Qt.FocusPolicy.TabFocus for w in inner.findChildren(QWidget))
        if holds_stops and area.focusPolicy() & Qt.FocusPolicy.TabFocus:
            found.append(f"QScrollArea {area.objectName()!r} holding {type(inner).__name__}")
    return found


def test_tab_leaves_every_list_and_table(demo_window, tmp_path):
    """Tab went round the import wizard's preview table for good; each list and table is one stop."""
    from omnidesk.ui.dialogs.import_wizard import MAPPING_PAGE, ImportWizard
    from omnidesk.ui.tasks import TaskRunner
    from tests.helpers import write_csv

    win = demo_window
    for key in ("dashboard", "customers", "review", "messages", "campaigns", "imports"):
        win.show_screen(key)
    with win.workspace.engine.connect() as conn:
        win.open_customer(conn.exec_driver_sql("SELECT min(id) FROM customer").scalar())
    assert _tab_traps(win) == []
    path = write_csv(tmp_path / "members.csv", ["Email", "Full Name", "Member Code"],
                     [["ann@example.com", "Ann Lee", "M1"], ["cat@example.com", "Cat Jones", "M3"]])
    wizard = ImportWizard(win.workspace, [path], TaskRunner(inline=True))
    try:
        wizard.show()
        wizard.next()
        assert wizard.currentId() == MAPPING_PAGE
        assert _tab_traps(wizard) == []
    finally:
        wizard.close()
        wizard.deleteLater()


def test_a_menu_button_says_no_ellipsis_under_its_arrow(demo_window):
    """A button that opens a menu shows an arrow, drawn over the end of its text: "Columns…" lost its
    "…" under it. An ellipsis promises a dialog; a menu's arrow says enough."""
    from PySide6.QtWidgets import QToolButton

    win = demo_window
    for key in ("dashboard", "customers", "review", "messages", "campaigns", "imports"):
        win.show_screen(key)
    found = [b.text() for b in win.findChildren(QToolButton)
             if b.menu() is not None and b.popupMode() == QToolButton.ToolButtonPopupMode.InstantPopup
             and b.text().endswith(("…", "..."))]
    assert found == []
