"""The Customers screen on the demo shop: chosen columns, the row menu, keys only, and exporting the list."""

from __future__ import annotations

import csv

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QApplication

from omnidesk.core.customers import custom_field_names, custom_values
from omnidesk.ui.dialogs.export_dialog import ExportDialog
from omnidesk.ui.tasks import TaskRunner
from omnidesk.ui.views.customers_view import COLUMNS_SETTING, CustomersView


def _settle():
    for _ in range(3):
        QApplication.processEvents()


@pytest.fixture
def screen(demo_window):
    demo_window.resize(1280, 800)
    _settle()
    return demo_window.screens["customers"]


def _menu_action(menu, text):
    found = [a for a in menu.actions() if a.text().replace("&", "") == text]
    assert found, f"no {text!r} in {[a.text() for a in menu.actions()]}"
    return found[0]


def _column(view, key):
    return view.model.columns().index(key)


def _read(path):
    raw = path.read_bytes()
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return raw.startswith(b"\xef\xbb\xbf"), list(csv.reader(fh))


# -- the column chooser ---------------------------------------------------------------------


def test_columns_are_shown_and_hidden_from_the_header_menu_and_remembered(screen, qtbot, settings):
    ws = screen.workspace
    menu = screen.columns_menu_for_header()
    assert _menu_action(menu, "Phone").isChecked() and not _menu_action(menu, "Tags").isChecked()
    names = custom_field_names(ws)
    assert names, "the demo shop's forms leave custom fields"
    assert [a.text() for a in menu.actions() if a.isSeparator() and a.text()] == ["Custom fields"]

    _menu_action(menu, "Tags").trigger()
    _menu_action(screen.columns_menu_for_header(), "Phone").trigger()
    _menu_action(screen.columns_menu_for_header(), names[0]).trigger()
    keys = screen.model.columns()
    assert "tags" in keys and "phone" not in keys and keys[-1] == f"custom:{names[0]}"
    assert screen.model.headerData(_column(screen, "tags"), Qt.Orientation.Horizontal) == "Tags"

    model = screen.model
    shown_tags = [model.index(r, _column(screen, "tags")).data() for r in range(model.rowCount())]
    assert any(shown_tags)
    # A custom field's column shows each customer's value, as the core reads it for those rows.
    section = _column(screen, f"custom:{names[0]}")
    ids = [model.customer_id(r) for r in range(model.rowCount())]
    expected = custom_values(ws, ids, [names[0]])
    shown = {ids[r]: model.index(r, section).data() for r in range(len(ids))}
    assert shown == {cid: expected[cid].get(names[0], "") for cid in ids}
    assert any(shown.values())

    # The list's order cannot follow a custom field: its header click leaves the order and the arrow.
    before = list(model.ids())
    header = screen.table.horizontalHeader()
    screen.table.sortByColumn(section, Qt.SortOrder.DescendingOrder)
    assert list(model.ids()) == before and header.sortIndicatorSection() == _column(screen, "name")

    # The next launch shows the same columns.
    settings.sync()
    again = CustomersView(ws, settings=settings)
    qtbot.addWidget(again)
    assert again.model.columns() == keys

    # "Default Columns" brings back the list as it came, and the last column cannot be hidden.
    _menu_action(screen.columns_menu_for_header(), "Default Columns").trigger()
    assert screen.model.columns()[:3] == ["name", "email", "phone"] and "tags" not in screen.model.columns()
    screen.set_columns(["name"])
    assert not _menu_action(screen.columns_menu_for_header(), "Name").isEnabled()
    assert settings.value(COLUMNS_SETTING) in (["name"], "name")


def test_the_columns_button_offers_the_same_choice(screen):
    assert screen.columns_button.menu() is screen.columns_menu
    screen.columns_menu.aboutToShow.emit()  # what opening it does
    _menu_action(screen.columns_menu, "Company").trigger()
    assert screen.model.columns()[-1] == "company"
    screen.columns_menu.aboutToShow.emit()
    assert _menu_action(screen.columns_menu, "Company").isChecked()


def test_a_saved_column_of_a_custom_field_gone_since_is_left_out(demo_window, qtbot, settings):
    settings.setValue(COLUMNS_SETTING, ["name", "custom:No such field", "tags"])
    view = CustomersView(demo_window.workspace, settings=settings)
    qtbot.addWidget(view)
    assert view.model.columns() == ["name", "tags"]


def test_hiding_the_sorted_column_keeps_the_order_and_shows_no_arrow(screen):
    screen.table.sortByColumn(_column(screen, "city"), Qt.SortOrder.DescendingOrder)
    order = list(screen.model.ids())
    screen.set_column_shown("city", False)
    assert list(screen.model.ids()) == order
    assert not screen.table.horizontalHeader().isSortIndicatorShown()
    screen.set_column_shown("city", True)
    header = screen.table.horizontalHeader()
    assert header.sortIndicatorSection() == _column(screen, "city")
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder


@pytest.mark.parametrize("size", [(1024, 640), (1920, 1080)])
def test_columns_fit_on_first_show_with_channels_readable(qtbot, settings, demo_window, size):
    """A new window fits its columns before any resize: no blank band, Channels not cut for most rows."""
    from omnidesk.ui.main_window import MainWindow

    demo_window.close()
    win = MainWindow(settings, runner=TaskRunner(inline=True))
    qtbot.addWidget(win)
    win.resize(*size)
    win.open_workspace(demo_window.workspace.path)
    win.show()
    _settle()
    view = win.screens["customers"]
    table, model = view.table, view.model
    widths = [table.columnWidth(c) for c in range(model.columnCount())]
    # The columns fill the table: the last one takes what is left, nothing is blank at the right.
    assert abs(sum(widths) - table.viewport().width()) <= 2
    assert min(widths) >= 60
    channels = _column(view, "channels")
    metrics = table.fontMetrics()
    texts = [model.index(r, channels).data() for r in range(min(model.rowCount(), 200))]
    fitting = sum(metrics.horizontalAdvance(t) + 12 <= widths[channels] for t in texts)
    assert fitting >= 0.9 * len(texts) if size[0] >= 1920 else fitting >= 0.6 * len(texts)
    if size[0] >= 1920:
        assert widths[channels] >= max(metrics.horizontalAdvance(t) for t in texts)


def test_more_columns_than_fit_scroll_sideways_without_crushing_phones(screen):
    screen.window().resize(1024, 640)
    screen.set_columns([k for k, _label in screen.model.available_columns()])
    _settle()
    table = screen.table
    assert table.columnWidth(_column(screen, "phone")) >= 110
    assert sum(table.columnWidth(c) for c in range(screen.model.columnCount())) > table.viewport().width()


# -- the row menu ----------------------------------------------------------------------------


def test_the_row_menu_opens_merges_copies_and_exports_the_selection(screen, demo_window, qtbot, monkeypatch):
    asked = []
    monkeypatch.setattr(demo_window, "confirm", lambda *a: asked.append(a) and False)  # the window asks first
    table, model = screen.table, screen.model
    rows = [r for r in range(model.rowCount()) if model.text(r, "email") and model.text(r, "phone")][:2]
    table.selectRow(rows[0])
    menu = screen.row_menu()
    labels = [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]
    assert labels[:5] == ["Open", "Merge Selected", "Copy Email", "Copy Phone", "Export Selected…"]
    assert labels[5:8] == ["Add Tag…", "Remove Tag…", "Record Consent…"] and labels[-1] == "Erase…"
    assert labels[8].startswith("All ") and labels[8].endswith(" in the List")
    # Shortcuts are shown beside the entries.
    assert _menu_action(menu, "Open").shortcut() == QKeySequence("Return")
    assert _menu_action(menu, "Copy Email").shortcut() == QKeySequence("Ctrl+C")
    assert all(a.isShortcutVisibleInContextMenu() for a in menu.actions() if not a.shortcut().isEmpty())
    assert not _menu_action(menu, "Merge Selected").isEnabled()  # one customer is nothing to merge

    with qtbot.waitSignal(screen.customerActivated) as opened:
        _menu_action(menu, "Open").trigger()
    assert opened.args == [model.customer_id(rows[0])]

    table.selectionModel().select(model.index(rows[1], 0), table.selectionModel().SelectionFlag.Select
                                  | table.selectionModel().SelectionFlag.Rows)
    menu = screen.row_menu()
    assert _menu_action(menu, "Merge Selected").isEnabled()
    _menu_action(menu, "Copy Email").trigger()
    assert QGuiApplication.clipboard().text().split("\n") == [model.text(r, "email") for r in sorted(rows)]
    _menu_action(menu, "Copy Phone").trigger()
    assert QGuiApplication.clipboard().text().split("\n") == [model.text(r, "phone") for r in sorted(rows)]
    with qtbot.waitSignal(screen.mergeRequested) as merged:
        _menu_action(menu, "Merge Selected").trigger()
    assert merged.args == [[model.customer_id(r) for r in sorted(rows)]]
    assert len(asked) == 1 and "2 customers" in asked[0][1]
    with qtbot.waitSignal(screen.exportRequested) as export:
        _menu_action(menu, "Export Selected…").trigger()
    assert export.args == [True]


def test_a_read_only_list_offers_no_merge(screen):
    screen.merge_button.setVisible(False)  # as the window does for a workspace it cannot write
    screen.table.selectRow(0)
    screen.table.selectionModel().select(screen.model.index(1, 0), screen.table.selectionModel().SelectionFlag.Select
                                         | screen.table.selectionModel().SelectionFlag.Rows)
    assert not _menu_action(screen.row_menu(), "Merge Selected").isEnabled()


# -- keys only -----------------------------------------------------------------------------


def _key(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier):
    """Press a key where the keyboard is, as a person would."""
    target = QApplication.focusWidget()
    assert target is not None
    qtbot.keyClick(target, key, modifier)
    _settle()


def test_the_customers_screen_walked_by_keys_only(demo_window, qtbot):
    demo_window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is demo_window)
    view = demo_window.screens["customers"]
    view.table.setFocus()
    _settle()

    _key(qtbot, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is view.search
    for ch in "an":
        _key(qtbot, getattr(Qt.Key, f"Key_{ch.upper()}"))
    assert view.search.text() == "an"
    _key(qtbot, Qt.Key.Key_Down)  # from the search to its matches, at once
    assert QApplication.focusWidget() is view.table
    assert 1 < view.model.rowCount() < demo_window.workspace.counts()["customers"]
    assert view.table.currentIndex().row() == 0
    _key(qtbot, Qt.Key.Key_Down)
    row = view.table.currentIndex().row()
    assert row == 1
    wanted = view.model.customer_id(row)

    _key(qtbot, Qt.Key.Key_Return)
    assert demo_window.current_screen() == "customer"
    assert demo_window.customer_view.customer_id == wanted

    _key(qtbot, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)  # View › Back to Customers
    assert demo_window.current_screen() == "customers"
    assert QApplication.focusWidget() is view.table and view.table.currentIndex().row() == row
    assert view.search.text() == "an"

    # Tab leaves the table for the next control instead of walking its cells.
    _key(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not view.table
    assert not view.table.tabKeyNavigation()
    # Ctrl+F from a filter box too: anywhere on the screen.
    view.channel_filter.setFocus()
    _settle()
    _key(qtbot, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is view.search and view.search.selectedText() == "an"


def test_a_focused_list_is_drawn_with_a_frame(screen):
    """Where the keyboard is shows: the focused table is framed in the highlight colour."""
    table = screen.table
    screen.window().activateWindow()
    table.setFocus()
    _settle()
    focused = table.grab().toImage()
    screen.search.setFocus()
    _settle()
    plain = table.grab().toImage()
    assert focused != plain
    highlight = table.palette().highlight().color().rgb()
    assert focused.pixel(0, table.height() // 2) == focused.pixel(1, table.height() // 2) == highlight
    assert plain.pixel(0, table.height() // 2) != highlight


# -- exporting the list ----------------------------------------------------------------------


def _open_export(window):
    dialogs = [d for d in window.findChildren(ExportDialog) if d.isVisible()]
    assert len(dialogs) == 1
    return dialogs[0]


def test_export_writes_the_list_as_filtered_with_the_chosen_columns_and_a_bom(screen, demo_window, qtbot,
                                                                             tmp_path, monkeypatch):
    screen.channel_filter.setCurrentIndex(screen.channel_filter.findText("Till"))
    screen.search.setText("a")
    screen._apply_search()
    screen.table.sortByColumn(_column(screen, "city"), Qt.SortOrder.AscendingOrder)
    listed = [screen.model.customer_id(r) for r in range(screen.model.rowCount())]
    assert 1 < len(listed) < demo_window.workspace.counts()["customers"]
    out = tmp_path / "till customers.csv"
    monkeypatch.setattr(ExportDialog, "ask_path", lambda self: out)

    action = demo_window.export_customers_action
    assert action.shortcut() == QKeySequence("Ctrl+Shift+E")
    file_menu = demo_window.menuBar().actions()[0].menu()
    assert action in file_menu.actions()
    action.trigger()
    dialog = _open_export(demo_window)
    assert dialog.all_radio.isChecked() and str(len(listed)) in dialog.all_radio.text()
    # The columns the list shows are ticked to begin with, the id first.
    assert dialog.columns() == ["id", "name", "email", "phone", "city", "channels", "orders", "lifetime_spend",
                                "last_seen"]
    dialog.set_columns(["id", "email", "channels", "lifetime_spend"])
    dialog.excel.setChecked(True)
    with qtbot.waitSignal(dialog.exported) as done:
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert done.args == [str(out), len(listed)]
    assert f"Wrote {len(listed):,} customers" in dialog.status.text()
    bom, rows = _read(out)
    assert bom
    assert rows[0] == ["id", "email", "channels", "lifetime_spend"]
    assert [int(r[0]) for r in rows[1:]] == listed  # the list's customers, in its order
    assert f"Exported {len(listed):,} customers" in demo_window.statusBar().currentMessage()
    dialog.reject()


def test_a_custom_field_the_list_shows_is_exported_as_the_list_shows_it(screen, demo_window, qtbot, tmp_path,
                                                                         monkeypatch):
    from omnidesk.core.edits import set_custom_field

    ws = demo_window.workspace
    screen.set_columns([*screen.model.columns(), "custom:Loyalty tier"])
    column = _column(screen, "custom:Loyalty tier")
    shown = {screen.model.customer_id(r): screen.model.index(r, column).data()
             for r in range(screen.model.rowCount())}
    held = [cid for cid, value in shown.items() if value]
    assert held and len(held) < len(shown)
    set_custom_field(ws, held[0], "Loyalty tier", "Platinum")  # typed in: the card and the list show it
    screen.refresh()
    shown[held[0]] = "Platinum"
    out = tmp_path / "tiers.csv"
    monkeypatch.setattr(ExportDialog, "ask_path", lambda self: out)
    demo_window.export_customers_action.trigger()
    dialog = _open_export(demo_window)
    assert dialog.columns()[-1] == "custom.Loyalty tier"
    dialog.set_columns(["id", "custom.Loyalty tier"])
    with qtbot.waitSignal(dialog.exported):
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    _bom, rows = _read(out)
    assert rows[0] == ["id", "Loyalty tier"]
    assert {int(r[0]): r[1] for r in rows[1:]} == shown
    dialog.reject()


def test_export_with_nothing_selected_names_no_count(screen, demo_window, qtbot):
    """The greyed choice read "The 0 customers selected"."""
    dialog = ExportDialog(demo_window.workspace, demo_window.runner, [1, 2, 3])
    qtbot.addWidget(dialog)
    assert dialog.selected_radio.text() == "The selected customers (none selected)"
    assert not dialog.selected_radio.isEnabled() and dialog.all_radio.isChecked()
    dialog.reject()


def test_exporting_an_empty_list_says_why_there_is_nothing_to_write(screen, demo_window):
    screen.search.setText("no such customer anywhere")
    screen._apply_search()
    assert screen.model.rowCount() == 0
    demo_window.export_customers_action.trigger()
    dialog = _open_export(demo_window)
    assert not dialog.export_button.isEnabled()
    assert dialog.status.text() == "No customer to export: the list is empty (its search, filters or rule pick nobody)."
    dialog.reject()


def test_export_of_the_selected_rows_from_the_row_menu(screen, demo_window, qtbot, tmp_path, monkeypatch):
    out = tmp_path / "picked.csv"
    monkeypatch.setattr(ExportDialog, "ask_path", lambda self: out)
    screen.table.selectRow(3)
    screen.table.selectionModel().select(screen.model.index(5, 0), screen.table.selectionModel().SelectionFlag.Select
                                         | screen.table.selectionModel().SelectionFlag.Rows)
    _menu_action(screen.row_menu(), "Export Selected…").trigger()
    dialog = _open_export(demo_window)
    assert dialog.selected_radio.isChecked() and "2 customers" in dialog.selected_radio.text()
    assert not dialog.excel.isChecked()
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    bom, rows = _read(out)
    assert not bom
    assert [int(r[0]) for r in rows[1:]] == [screen.model.customer_id(3), screen.model.customer_id(5)]
    assert dialog.written == 2
    dialog.reject()


def test_a_large_export_runs_off_the_ui_thread(screen, demo_window, qtbot, tmp_path, monkeypatch):
    out = tmp_path / "all.csv"
    dialog = ExportDialog(demo_window.workspace, TaskRunner(), screen.list_ids(), parent=demo_window)
    qtbot.addWidget(dialog)
    monkeypatch.setattr(dialog, "ask_path", lambda: out)
    dialog.set_columns(["id", "name"])
    with qtbot.waitSignal(dialog.exported, timeout=10000) as done:
        dialog.export()
        assert dialog.task is not None and not dialog.export_button.isEnabled()
        assert dialog.close_button.text() == "Cancel"
    assert done.args[1] == screen.model.rowCount()
    _bom, rows = _read(out)
    assert len(rows) - 1 == screen.model.rowCount()
    assert dialog.close_button.text() == "Close" and dialog.export_button.isEnabled()


def test_a_small_export_is_written_off_the_window_thread_too(screen, demo_window, qtbot, tmp_path, monkeypatch):
    """A few thousand customers were written on the window's thread (4,895 took most of a second):
    every export from the dialog is written on the task runner, however few it writes."""
    from PySide6.QtCore import QCoreApplication, QThread

    from omnidesk.ui.dialogs import export_dialog

    real, on = export_dialog.export_customers, []

    def recorded(*args, **kwargs):
        on.append(QThread.currentThread() is QCoreApplication.instance().thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(export_dialog, "export_customers", recorded)
    demo_window.runner = TaskRunner()  # the window's own runner, on its thread pool, as in the app
    out = tmp_path / "few.csv"
    monkeypatch.setattr(ExportDialog, "ask_path", lambda self: out)
    screen.table.selectRow(2)
    _menu_action(screen.row_menu(), "Export Selected…").trigger()
    dialog = _open_export(demo_window)
    with qtbot.waitSignal(dialog.exported, timeout=10_000) as done:
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
        assert dialog.task is not None and dialog.close_button.text() == "Cancel"
    assert on == [False]
    assert done.args[1] == 1 and dialog.status.text() == f"Wrote 1 customer to {out}."
    _bom, rows = _read(out)
    assert [int(r[0]) for r in rows[1:]] == [screen.model.customer_id(2)]
    assert dialog.close_button.text() == "Close" and dialog.export_button.isEnabled()
    dialog.reject()


def test_export_asks_for_a_column_and_says_why_it_cannot_write(screen, demo_window, qtbot, tmp_path, monkeypatch):
    dialog = ExportDialog(demo_window.workspace, TaskRunner(inline=True), screen.list_ids(), parent=demo_window)
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.no_columns, Qt.MouseButton.LeftButton)
    assert not dialog.export_button.isEnabled() and "at least one column" in dialog.status.text()
    qtbot.mouseClick(dialog.all_columns, Qt.MouseButton.LeftButton)
    assert dialog.export_button.isEnabled() and dialog.status.text() == ""
    # Never over the workspace itself: the core refuses, the dialog says so and nothing is lost.
    target = demo_window.workspace.path
    before = target.stat().st_size
    monkeypatch.setattr(dialog, "ask_path", lambda: target)
    dialog.export()
    assert dialog.status.text().startswith("Could not export") and dialog.written is None
    assert target.stat().st_size == before
    monkeypatch.setattr(dialog, "ask_path", lambda: None)  # the file dialog cancelled
    dialog.export()
    assert dialog.written is None


def test_the_model_with_every_column_passes_qts_checks(screen, qtmodeltester):
    screen.set_columns([k for k, _label in screen.model.available_columns()])
    qtmodeltester.check(screen.model)
    assert screen.model.columnCount() == len(screen.model.available_columns())


def test_closing_the_dialog_while_it_writes_cancels_and_leaves_no_file(screen, demo_window, qtbot, tmp_path,
                                                                       monkeypatch):
    import time

    from omnidesk.ui.dialogs import export_dialog

    real = export_dialog.export_customers
    started = []

    def slow(*args, cancelled, **kwargs):
        # The real export, asked at once whether to stop once the dialog has been told to.
        started.append(1)
        deadline = time.monotonic() + 5
        while not cancelled() and time.monotonic() < deadline:
            time.sleep(0.01)
        return real(*args, cancelled=cancelled, **kwargs)

    monkeypatch.setattr(export_dialog, "export_customers", slow)
    out = tmp_path / "never.csv"
    dialog = ExportDialog(demo_window.workspace, TaskRunner(), screen.list_ids(), parent=demo_window)
    qtbot.addWidget(dialog)
    monkeypatch.setattr(dialog, "ask_path", lambda: out)
    dialog.show()
    dialog.export()
    qtbot.waitUntil(lambda: bool(started))
    dialog.reject()
    assert dialog.isVisible()  # until the work has stopped
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    assert dialog.task is None and "cancelled" in dialog.status.text()
    assert not out.exists() and not list(tmp_path.glob("*.part"))


def test_the_filter_panel_grows_with_the_words_under_its_rows(demo_window, qtbot):
    """Each row's problem, shown under it once read, made the rows taller but the panel stayed as it was:
    'Add condition' and 'Add group' went behind a scroll bar, even at 1920x1080."""
    win = demo_window
    win.resize(1920, 1080)
    win.show_screen("customers")
    view = win.screens["customers"]
    view.show_filter(True)
    builder = view.builder
    for _ in range(3):
        builder.root.add_condition()
    _settle()
    assert not any(row.message.isVisible() for row in builder.root.rows)  # nothing typed is no error yet
    builder._save()  # asked to save: each empty row now says what it lacks
    qtbot.waitUntil(lambda: builder.rows_area.height() >= builder.root.sizeHint().height(), timeout=2000)
    assert all(row.message.isVisible() for row in builder.root.rows)
    button = builder.root.add_condition_button
    top_left = button.mapTo(builder.rows_area.viewport(), button.rect().topLeft())
    assert builder.rows_area.viewport().rect().contains(top_left + button.rect().bottomRight())
