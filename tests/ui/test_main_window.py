"""The main window driven as a person would: welcome screen, demo, navigation, menus."""

from __future__ import annotations

import html

import pytest

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from omnidesk.core import paths
from omnidesk.core.workspace import Workspace
from omnidesk.ui.dialogs.import_wizard import DONE_PAGE
from tests.helpers import write_csv


def test_first_run_shows_welcome(window):
    assert window.stack.currentWidget() is window.welcome
    assert window.current_screen() is None
    assert not window.import_action.isEnabled()


@pytest.mark.parametrize("size", [(1280, 800), (1024, 640)])
def test_welcome_text_shows_every_line(window, size):
    """The wrapped introduction gets the height its lines need: none is cut off."""
    from PySide6.QtWidgets import QApplication

    window.resize(*size)
    QApplication.processEvents()
    text = window.welcome.text
    assert text.height() >= text.heightForWidth(text.width())


def test_welcome_create_workspace(window, qtbot, tmp_path, monkeypatch):
    target = tmp_path / "My shop.omnidesk"
    monkeypatch.setattr(window, "ask_new_path", lambda: target)
    qtbot.mouseClick(window.welcome.create_button, Qt.MouseButton.LeftButton)
    assert target.exists()
    assert window.workspace is not None and window.workspace.path == target
    assert window.current_screen() == "customers"
    customers = window.screens["customers"]
    # Empty state tells the user what to do next.
    assert customers.pages.currentWidget() is customers.empty
    assert "Import your first file" in customers.empty.button.text()
    assert str(target) in window.recent_workspaces()


def test_welcome_open_workspace(window, qtbot, tmp_path, monkeypatch):
    target = tmp_path / "existing.omnidesk"
    Workspace.create(target).close()
    monkeypatch.setattr(window, "ask_open_path", lambda: target)
    qtbot.mouseClick(window.welcome.open_button, Qt.MouseButton.LeftButton)
    assert window.workspace is not None and window.workspace.path == target


def test_open_non_workspace_shows_error_and_stays(window, qtbot, tmp_path, monkeypatch):
    bogus = tmp_path / "bogus.omnidesk"
    bogus.write_text("hello")
    errors = []
    monkeypatch.setattr(window, "ask_open_path", lambda: bogus)
    monkeypatch.setattr(window, "show_error", lambda title, text: errors.append(text))
    qtbot.mouseClick(window.welcome.open_button, Qt.MouseButton.LeftButton)
    assert errors and "not an omnidesk workspace" in errors[0]
    assert window.workspace is None
    assert bogus.read_text() == "hello"


def test_welcome_try_demo_shows_real_customers(window, qtbot):
    qtbot.mouseClick(window.welcome.demo_button, Qt.MouseButton.LeftButton)
    assert window.workspace is not None
    assert window.workspace.path == paths.demo_workspace_path()
    customers = window.screens["customers"]
    assert customers.model.rowCount() > 100
    assert customers.pages.currentIndex() == 1  # the table, not the empty state
    names = {customers.model.index(r, 0).data() for r in range(20)}
    assert all(names)
    # "Building the demo workspace…" is gone once it is built: the workspace's summary has the bar.
    assert window.statusBar().currentMessage() == ""
    assert window.summary.isVisible() and window.summary.text().startswith(str(paths.demo_workspace_path()))


def test_navigation_shows_each_screen(demo_window, qtbot):
    win = demo_window
    for row, key in enumerate(win.screens):
        win.nav.setCurrentRow(row)
        assert win.current_screen() == key
        assert win.screen_stack.currentIndex() == row
    imports = win.screens["imports"]
    assert imports.model.rowCount() >= 5
    win.show_screen("customers")
    assert win.current_screen() == "customers"


def test_customer_search_and_model(demo_window, qtbot):
    view = demo_window.screens["customers"]
    total = view.model.rowCount()
    first_email = next(
        view.model.index(r, 1).data() for r in range(total) if view.model.index(r, 1).data()
    )
    qtbot.keyClicks(view.search, first_email)
    qtbot.keyClick(view.search, Qt.Key.Key_Return)
    assert 1 <= view.model.rowCount() < total
    view.search.clear()
    qtbot.keyClicks(view.search, "zzzz-nobody-zzzz")
    qtbot.keyClick(view.search, Qt.Key.Key_Return)
    assert view.model.rowCount() == 0
    assert view.results.currentWidget() is view.no_match


def test_customer_table_model_passes_modeltester(demo_window, qtmodeltester):
    qtmodeltester.check(demo_window.screens["customers"].model)
    qtmodeltester.check(demo_window.screens["imports"].model)


def test_sorting_requeries(demo_window):
    model = demo_window.screens["customers"].model
    model.sort(6, Qt.SortOrder.DescendingOrder)  # spend
    top = [model.index(r, 6).data() for r in range(5)]
    values = [float(v.replace(",", "")) if v else 0 for v in top]
    assert values == sorted(values, reverse=True)
    # The numbers are bare; the header says in which money (the demo shop is in the US).
    # ...and that every channel is in them, each counted once.
    assert model.headerData(6, Qt.Orientation.Horizontal) == "Spend (USD)\nall channels"
    assert model.headerData(5, Qt.Orientation.Horizontal) == "Orders\nall channels"
    assert "counted once" in model.headerData(6, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)


@pytest.mark.parametrize("size", [(1024, 640), (1280, 800), (1600, 1000)])
def test_every_customer_column_fits_the_window(demo_window, size):
    """No column hides off to the right: the list needs no sideways scrolling at any size."""
    from PySide6.QtWidgets import QApplication

    demo_window.resize(*size)
    for _ in range(3):
        QApplication.processEvents()
    view = demo_window.screens["customers"]
    table = view.table
    widths = [table.columnWidth(c) for c in range(table.model().columnCount())]
    assert sum(widths) <= table.viewport().width()
    assert min(widths) >= 60
    # The names are what the list is read by: at 1024 they were the narrowest column
    # ("Aaron Patte…" at 90 px) beside a whole phone number and a city.
    width = dict(zip(view.model.columns(), widths))
    assert width["name"] >= max(width["phone"], width["city"], 120)
    if size[0] >= 1280:
        assert width["name"] >= 170 and width["email"] >= 160
    # The search box says what it is for in the words it has room for, never cut.
    hint = view.search.placeholderText()
    assert hint.startswith("Search") and view.search.fontMetrics().horizontalAdvance(hint) <= view.search.width() - 20
    assert ("Ctrl+F" in hint) or size[0] < 1280


def test_save_copy(demo_window, tmp_path, monkeypatch):
    dest = tmp_path / "backup.omnidesk"
    monkeypatch.setattr(demo_window, "ask_copy_path", lambda: dest)
    demo_window.copy_action.trigger()
    with Workspace.open(dest) as copy:
        assert copy.counts() == demo_window.workspace.counts()


def test_the_workspace_summary_comes_back_after_a_passing_message(demo_window, qtbot):
    # It was itself a message: the first timed one (an export, an import) replaced it, and
    # once that one's seconds were up the bar stayed empty.
    win = demo_window
    win.show()
    counts = win.workspace.counts()
    summary = win.summary.text()
    assert summary.startswith(str(win.workspace.path)) and f"{counts['customers']:,} customers" in summary
    win.statusBar().showMessage("Exported 12 customers to list.csv", 50)
    assert not win.summary.isVisible()  # the message has the bar for its seconds
    qtbot.waitUntil(lambda: not win.statusBar().currentMessage(), timeout=2000)
    assert win.summary.isVisible() and win.summary.text() == summary


def test_a_message_posted_before_the_window_shows_is_not_drawn_over_the_summary(qtbot, settings, tmp_path):
    # "Upgraded demo.omnidesk; the previous version is kept as …" is posted while the window
    # opens its workspace, before it is shown: the summary used to be drawn over it.
    from omnidesk.ui.main_window import MainWindow
    from omnidesk.ui.tasks import TaskRunner

    win = MainWindow(settings, runner=TaskRunner(inline=True))
    qtbot.addWidget(win)
    win.summary.setText("shop.omnidesk  ·  3 customers")
    win.statusBar().showMessage("Upgraded shop.omnidesk; the previous version is kept as shop.bak", 300)
    win.show()
    qtbot.waitExposed(win)
    assert win.statusBar().currentMessage().startswith("Upgraded") and not win.summary.isVisible()
    qtbot.waitUntil(lambda: not win.statusBar().currentMessage(), timeout=3000)
    assert win.summary.isVisible()


def run_wizard(window, qtbot):
    """Step the open import wizard through mapping and trial run to the end."""
    wizard = window.import_wizard
    assert wizard is not None and wizard.isVisible()
    with qtbot.waitSignal(window.importFinished, timeout=10000) as blocker:
        while wizard.currentId() != DONE_PAGE:
            before = wizard.currentId()
            wizard.next()
            qtbot.waitUntil(lambda: wizard.currentId() != before, timeout=5000)
    return blocker.args[0]


def test_import_from_gui_then_undo_redo(window, qtbot, tmp_path, monkeypatch):
    target = tmp_path / "shop.omnidesk"
    window.set_workspace(Workspace.create(target))
    csv_file = write_csv(tmp_path / "list.csv", ["Email", "Name"],
                         [["ann@example.com", "Ann Lee"], ["bob@example.com", "Bob Stone"]])
    monkeypatch.setattr(window, "ask_import_files", lambda: [csv_file])
    window.import_action.trigger()
    summaries = run_wizard(window, qtbot)
    assert summaries[0]["imported"] == 2
    assert window.screens["customers"].model.rowCount() == 2
    assert window.undo_action.isEnabled()
    window.undo_action.trigger()
    assert window.screens["customers"].model.rowCount() == 0
    window.redo_action.trigger()
    assert window.screens["customers"].model.rowCount() == 2


def test_undo_import_from_imports_screen(new_workspace, window, qtbot, tmp_path, monkeypatch):
    window.set_workspace(new_workspace(tmp_path / "w.omnidesk"))
    csv_file = write_csv(tmp_path / "list.csv", ["Email"], [["ann@example.com"], ["ann@example.com "],
                                                            ["bo@example.com"]])
    window.import_files([csv_file])
    run_wizard(window, qtbot)
    window.show_screen("imports")
    imports = window.screens["imports"]
    assert imports.model.rowCount() == 1
    # Records and people are counted apart: three rows, two people.
    from omnidesk.ui.models.import_batch_table_model import COLUMNS

    shown = {label: imports.model.index(0, c).data() for c, (_, label) in enumerate(COLUMNS)}
    assert (shown["Rows"], shown["New\nrecords"], shown["New\ncustomers"]) == ("3", "3", "2")
    imports.table.selectRow(0)
    assert imports.undo_button.isEnabled()
    monkeypatch.setattr(window, "confirm", lambda *a: True)
    qtbot.mouseClick(imports.undo_button, Qt.MouseButton.LeftButton)
    assert imports.model.batch(0)["status"] == "undone"
    assert window.workspace.counts()["customers"] == 0


def test_recent_menu_and_geometry_persist(window, tmp_path, settings):
    a = tmp_path / "a.omnidesk"
    window.set_workspace(Workspace.create(a))
    actions = window.recent_menu.actions()
    assert actions and actions[0].data() == str(a)
    window.resize(900, 600)
    window.close()
    assert settings.value("mainWindow/geometry") is not None
    assert settings.value("lastWorkspace") == str(a)


def test_about_mentions_versions(window):
    text = window.about_text()
    assert "Qt" in text and "SQLite" in text and "Python" in text


def test_about_names_qts_licence_and_where_the_licences_are(window):
    # Qt is used under the LGPL-3.0, which asks that the user is told so; the other
    # components' notices are in resources/licenses (under sys._MEIPASS in the bundle).
    text = window.about_text()
    assert "LGPL" in text
    licences = paths.resource_path("licenses")
    assert (licences / "THIRD-PARTY-NOTICES.md").is_file()
    assert html.escape(str(licences)) in text and licences.as_uri() in text
    help_menu = window.menuBar().actions()[-1].menu()
    assert window.about_qt_action in help_menu.actions()


def test_menus_and_shortcuts(window):
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles == ["&File", "&Edit", "&View", "&Help"]
    assert window.undo_action.shortcut().toString()
    assert window.open_action.shortcut().toString()


def test_last_seen_is_the_shops_day_not_utcs(new_workspace, window, tmp_path):
    """An evening purchase in New York is 'last seen' that day, as the timeline shows it."""
    from omnidesk.core.importing.pipeline import ImportOptions, import_file
    from omnidesk.ui.models.customer_table_model import COLUMNS
    from tests.helpers import write_csv

    ws = new_workspace(tmp_path / "w.omnidesk")
    ws.set_setting("timezone", "America/New_York")
    import_file(ws, write_csv(tmp_path / "till.csv", ["Email", "Name", "Total", "Date"],
                              [["eve@example.com", "Eve Stone", "12.00", "2026-10-25T21:01:00-04:00"]]),
                ImportOptions(channel="pos", kind="events",
                              mapping=["email", "full_name", "amount", "occurred_at"]))
    window.set_workspace(ws)
    model = window.screens["customers"].model
    column = [key for key, _ in COLUMNS].index("last_seen")
    assert model.index(0, column).data() == "25 Oct 2026"  # as the card and the timeline say it


def test_phones_show_as_dialled_in_the_shops_region(demo_window):
    from omnidesk.ui.models.customer_table_model import COLUMNS

    model = demo_window.screens["customers"].model
    column = [key for key, _ in COLUMNS].index("phone")
    shown = [model.index(r, column).data() for r in range(model.rowCount())]
    us = [p for p in shown if p.startswith("(")]
    assert us and all(len(p) == len("(603) 555-0110") for p in us)  # the demo shop is in the US
    assert not any(p.startswith("+1") for p in shown)


def test_the_customers_screen_reads_the_ids_once_when_it_opens(demo_window, monkeypatch):
    """A million ids take a good part of a second to read: opening the screen reads them once."""
    from omnidesk.ui.models import customer_table_model
    from omnidesk.ui.views.customers_view import CustomersView

    calls = []
    real = customer_table_model.customer_ids
    monkeypatch.setattr(customer_table_model, "customer_ids", lambda *a, **k: calls.append(1) or real(*a, **k))
    view = CustomersView(demo_window.workspace)
    view.show()
    assert len(calls) == 1 and view.model.rowCount() > 0
    view.table.sortByColumn(3, Qt.SortOrder.AscendingOrder)  # a real change of order reads them again
    assert len(calls) == 2
    view.close()


def undo_from_imports_screen(window, qtbot, monkeypatch, file_name: str) -> None:
    """Select the import of ``file_name`` on the Imports screen and click Undo, confirming."""
    window.show_screen("imports")
    imports = window.screens["imports"]
    row = next(r for r in range(imports.model.rowCount()) if imports.model.batch(r)["file_name"] == file_name)
    imports.table.selectRow(row)
    monkeypatch.setattr(window, "confirm", lambda *a: True)
    qtbot.mouseClick(imports.undo_button, Qt.MouseButton.LeftButton)


def test_undoing_a_bridging_import_from_the_imports_screen_splits_and_says_so(new_workspace, window, qtbot, tmp_path,
                                                                              monkeypatch):
    window.set_workspace(new_workspace(tmp_path / "w.omnidesk"))
    files = [write_csv(tmp_path / "list.csv", ["Email", "First Name", "Last Name"],
                       [["ann.lee@example.com", "Ann", "Lee"]]),
             write_csv(tmp_path / "till.csv", ["Phone", "First Name", "Last Name"],
                       [["(415) 555-0111", "Ann", "Lee"]]),
             write_csv(tmp_path / "shop.csv", ["Email", "Phone", "First Name", "Last Name"],
                       [["ann.lee@example.com", "415-555-0111", "Ann", "Lee"]])]
    window.import_files(files)
    run_wizard(window, qtbot)
    assert window.workspace.counts()["customers"] == 1
    undo_from_imports_screen(window, qtbot, monkeypatch, "shop.csv")
    assert window.workspace.counts()["customers"] == 2
    assert "split 1 merge it had caused" in window.statusBar().currentMessage()
    assert window.screens["customers"].model.rowCount() == 2


def test_undoing_an_import_that_took_a_list_member_off_a_customer_puts_it_back_and_says_so(
        new_workspace, window, qtbot, tmp_path, monkeypatch):
    window.set_workspace(new_workspace(tmp_path / "w.omnidesk"))
    header = ["Email", "First Name", "Last Name"]
    window.import_files([write_csv(tmp_path / "shop.csv", header, [["lee@example.com", "Anna", "Lee"]]),
                         write_csv(tmp_path / "list.csv", header, [["lee@example.com", "", ""]]),
                         write_csv(tmp_path / "till.csv", header, [["lee@example.com", "Mark", "Lee"]])])
    run_wizard(window, qtbot)
    assert window.workspace.counts()["customers"] == 3  # the address is the family's: the list member apart
    undo_from_imports_screen(window, qtbot, monkeypatch, "till.csv")
    assert window.workspace.counts()["customers"] == 1
    message = window.statusBar().currentMessage()
    assert message == ("Undid import 3: removed 1 record and 1 customer; "
                       "put 1 record back on the customer it had taken it off")
    assert window.screens["customers"].model.rowCount() == 1


def test_a_screen_is_built_the_first_time_it_is_shown(demo_window, qtbot):
    """Opening a workspace builds the list; the others (Review too) wait until wanted."""
    win = demo_window
    assert list(win.screens) == ["dashboard", "customers", "review", "messages", "campaigns", "imports"]
    assert list(win.screens.built()) == ["customers"]
    assert "dashboard" in win.screens and list(win.screens.built()) == ["customers"], "asking builds nothing"
    assert win.nav.item(win.nav.row_of("review")).text().startswith("Review (")  # the badge counts already
    win.activateWindow()
    win.screens["customers"].search.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is win.screens["customers"].search)
    qtbot.keyClick(win, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)  # View › Dashboard
    assert win.current_screen() == "dashboard"
    dashboard = win.screens.built()["dashboard"]
    assert dashboard.isVisible() and dashboard.parentWidget() is win.screen_stack.currentWidget()
    assert dashboard.isAncestorOf(QApplication.focusWidget()), "the keys go on on the screen just built"
    win.nav.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is win.nav)
    win.nav.setCurrentRow(win.nav.row_of("review"))
    qtbot.keyClick(win.nav, Qt.Key.Key_Down)  # walking the navigation: on to Messages, the keys stay here
    assert win.current_screen() == "messages" and win.screens.built()["messages"].isVisible()
    assert QApplication.focusWidget() is win.nav
    win.nav.setCurrentRow(win.nav.row_of("campaigns"))
    assert "campaigns" in win.screens.built() and win.screens["campaigns"].isVisible()
    assert "imports" not in win.screens.built()
    built = win.screens["imports"]  # asked for: built, where it is shown later
    assert not built.isVisible()
    win.show_screen("imports")
    assert built.isVisible() and win.screens["imports"] is built
    win.grab().save("/tmp/omnidesk-lazy-imports.png")


def test_a_screen_built_after_a_change_shows_it(demo_window, tmp_path):
    """A file imported from the command line before the Imports screen is first shown is on it."""
    from omnidesk.core.importing.pipeline import ImportOptions, import_file

    win = demo_window
    assert "imports" not in win.screens.built()
    with Workspace.open(win.workspace.path) as outside:
        before = outside.counts()["imports"]
        import_file(outside, write_csv(tmp_path / "late.csv", ["Email", "First Name"], [["late@example.com", "Lata"]]),
                    ImportOptions(channel="email", kind="contacts"))
    assert win.look_for_outside_changes()
    win.show_screen("imports")
    imports = win.screens["imports"]
    names = [imports.model.batch(row)["file_name"] for row in range(imports.model.rowCount())]
    assert "late.csv" in names and len(names) == before + 1, names


def test_the_windows_own_import_undo_redo_and_erasure_are_not_news_from_outside(window, qtbot, tmp_path,
                                                                               monkeypatch):
    """An import has a transaction of its own and an erasure empties the log: neither may come back
    as "The workspace was changed outside this window" (the window looks every few seconds)."""
    window.set_workspace(Workspace.create(tmp_path / "shop.omnidesk"))
    csv_file = write_csv(tmp_path / "list.csv", ["Email", "Name"],
                         [["ann@example.com", "Ann Lee"], ["bob@example.com", "Bob Stone"]])
    monkeypatch.setattr(window, "ask_import_files", lambda: [csv_file])
    window.import_action.trigger()
    run_wizard(window, qtbot)
    assert not window.look_for_outside_changes()
    window.undo_action.trigger()
    window.redo_action.trigger()
    qtbot.waitUntil(lambda: window.screens["customers"].model.rowCount() == 2)
    assert not window.look_for_outside_changes()
    window.operations.erase_person(window.screens["customers"].model.customer_id(0))
    assert window.screens["customers"].model.rowCount() == 1
    assert not window.look_for_outside_changes()
    assert "changed outside" not in window.statusBar().currentMessage()
