"""Each screen worked by keys alone: the Customer screen, Imports and Messages.

(The Customers list, Review, Preferences, the segment builder and the calendar have
walks of their own beside their other tests.)
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QApplication

from omnidesk.core.messages import store
from tests.ui import test_undo_history as undo_history
from tests.ui.test_undo_history import customer_with, filled

shop_template, still, shop = undo_history.shop_template, undo_history.still, undo_history.shop


def keys(widget, sequence: str) -> None:
    QTest.keySequence(widget, QKeySequence(sequence))


def test_customer_screen_by_keys(shop, qtbot, monkeypatch):
    win = shop
    win.show()
    win.show_screen("customers")
    customers = win.screens["customers"]
    customers.table.setFocus()
    row = [customers.model.index(r, 0).data() for r in range(customers.model.rowCount())].index("Dee Park")
    customers.table.selectRow(row)
    QTest.keyClick(customers.table, Qt.Key.Key_Return)
    view = win.customer_view
    assert win.screen_stack.currentWidget() is win.customer_page and view.name_label.text() == "Dee Park"
    # Ctrl+T: the tags dialog, filled in by keys and accepted with Enter.
    make = view.tags_dialog

    def by_keys(d):
        QTest.keyClicks(d.new, "walk-in")

    monkeypatch.setattr(view, "tags_dialog", lambda: filled(make(), by_keys))
    keys(view, "Ctrl+T")
    assert "walk-in" in view.fields["tags"].text()
    # The tabs by Ctrl+Tab, then notes typed and saved with Ctrl+S.
    view.tabs.setFocus()
    for _ in range(3):
        QTest.keyClick(view.tabs, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert view.tabs.currentWidget() is view.notes_page
    view.notes_edit.setFocus()
    QTest.keyClicks(view.notes_edit, "Prefers texts after 5pm")
    keys(view.notes_edit, "Ctrl+S")
    dee = customer_with(win.workspace, "dee@example.com")
    with win.workspace.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT notes FROM customer WHERE id = ?", (dee,)).scalar() == \
            "Prefers texts after 5pm"
    # Back to the list with Alt+Left, on the same row.
    keys(win, "Alt+Left")
    assert win.current_screen() == "customers"
    assert customers.table.currentIndex().row() == row


def test_imports_screen_by_keys(shop, qtbot, monkeypatch):
    win = shop
    asked = []
    monkeypatch.setattr(win, "confirm", lambda title, text: asked.append(title) or True)
    win.show()
    # The View menu's key for Imports, as the menu lists it.
    action = next(a for a in win.view_menu.actions() if a.text().replace("&", "") == "Imports")
    QTest.keySequence(win, action.shortcut())
    imports = win.screens["imports"]
    assert win.current_screen() == "imports"
    imports.table.setFocus()
    QTest.keyClick(imports.table, Qt.Key.Key_Home)
    QTest.keyClick(imports.table, Qt.Key.Key_Down)
    QTest.keyClick(imports.table, Qt.Key.Key_Up)
    batch = imports.selected_batch()
    assert batch is not None
    QTest.keyClick(imports.table, Qt.Key.Key_Delete)
    assert asked == ["Undo import"]
    assert win.undo_action.text().replace("&", "").startswith(f"Undo removal of {batch['file_name']}")


def test_tabbing_into_the_imports_list_selects_the_newest_so_it_can_be_undone(shop, qtbot, monkeypatch):
    """Tabbed into, the list had its current row on the first import but none selected: "Undo
    import" stayed off, Delete did nothing, and Down went to the second import."""
    win = shop
    asked = []
    monkeypatch.setattr(win, "confirm", lambda title, text: asked.append(title) or True)
    win.show()
    win.show_screen("imports")
    imports = win.screens["imports"]
    imports.refresh()
    assert imports.model.rowCount() >= 2 and imports.selected_batch() is None
    imports.table.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(imports.table.hasFocus)
    newest = imports.model.batch(0)
    assert imports.selected_batch() == newest and imports.undo_button.isEnabled()
    QTest.keyClick(imports.table, Qt.Key.Key_Down)
    assert imports.selected_batch() == imports.model.batch(1)
    QTest.keyClick(imports.table, Qt.Key.Key_Up)
    QTest.keyClick(imports.table, Qt.Key.Key_Delete)
    assert asked == ["Undo import"]
    assert win.undo_action.text().replace("&", "").startswith(f"Undo removal of {newest['file_name']}")


def test_messages_screen_by_keys(shop, qtbot, monkeypatch):
    win = shop
    win.show()
    store.save_message(win.workspace, "Spring", {"headline": "Spring sale", "link": "https://hc.example/s"})
    win.show_screen("messages")
    view = win.screens["messages"]
    view.refresh()
    view.list.setFocus()
    assert view.current.name == "Spring"
    # The master: typed into by keys, Ctrl+S saves it.
    view.master.edits["headline"].setFocus()
    QTest.keyClick(view.master.edits["headline"], Qt.Key.Key_End)
    QTest.keyClicks(view.master.edits["headline"], " ends Sunday")
    keys(view.master.edits["headline"], "Ctrl+S")
    assert store.get_message(win.workspace, "Spring").master["headline"] == "Spring sale ends Sunday"
    # A variant: Ctrl+S in it saves the variant, not the master.
    view.tabs.setCurrentWidget(view.panels["sms"])
    text = view.panels["sms"].edits["text"]
    text.setFocus()
    QTest.keyClick(text, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(text, " See you!")
    keys(text, "Ctrl+S")
    assert store.get_message(win.workspace, "Spring").variants["sms"].fields["text"].endswith("See you!")
    # Tab leaves the variant's text for the next control instead of typing a tab.
    QTest.keyClick(text, Qt.Key.Key_Tab)
    assert not text.hasFocus()


def test_tab_leaves_every_table_and_list(shop, qtbot):
    # A table that keeps Tab for itself walks cell by cell (eleven imports by ten columns)
    # before anything after it can be reached: on Imports, "Save error report…" was not.
    win = shop
    win.show()
    for view in win.findChildren(QAbstractItemView):
        assert not view.tabKeyNavigation(), f"{type(view).__name__} {view.accessibleName() or view.objectName()}"
    win.show_screen("imports")
    imports = win.screens["imports"]
    imports.table.setFocus()
    QTest.keyClick(imports.table, Qt.Key.Key_Home)
    QTest.keyClick(imports.table, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not imports.table
