"""MainWindow: navigation, menus, undo/redo and the status bar around one workspace.

Over 600 lines, for now: besides the menus and the screens' wiring it holds the
workspace's lifecycle (new, open, demo, recent) and the questions the screens ask
through it; saving a copy and restoring a damaged workspace are in
``ui.workspace_files``.  Changes go through ``ui.operations``; this window only
asks (confirmations) and shows.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QStackedWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from omnidesk import __version__
from omnidesk.core import held_files, paths

# The importer, the demo builder and the resolver are imported where they are used:
# loading them (phonenumbers, email-validator, the synonym tables) at start-up
# would delay the first window by most of a second.
from omnidesk.core.changes import Changes
from omnidesk.core.errors import UserError
from omnidesk.core.importing.archives import Unpacked
from omnidesk.core.text import NAME_LIMIT, counted
from omnidesk.core.workspace import (
    DamagedWorkspaceError,
    ReadOnlyWorkspaceError,
    Workspace,
    WorkspaceError,
    with_workspace_suffix,
)
from omnidesk.ui.formatting import isolated
from omnidesk.ui.lazy_screens import LazyScreens
from omnidesk.ui.operations import ERASED_ELSEWHERE, Operations, reason
from omnidesk.ui.saved_segments import SavedSegments
from omnidesk.ui.tasks import Task, TaskRunner
from omnidesk.ui.views.customer import CustomerView
from omnidesk.ui.views.customers_view import CustomersView
from omnidesk.ui.views.imports_view import ImportsView
from omnidesk.ui.views.review_view import ReviewView
from omnidesk.ui.views.welcome_view import WelcomeView
from omnidesk.ui.widgets.navigation import NavigationList
from omnidesk.ui.widgets.elided_label import ElidedLabel
from omnidesk.ui.widgets.work_indicator import WorkIndicator
from omnidesk.ui.workspace_files import WORKSPACE_FILTER, WorkspaceFilesMixin

IMPORT_FILTER = "Data files (*.csv *.tsv *.txt *.zip *.vcf);;All files (*)"
MAX_RECENT = 8
# How long a change made in the window waits for an import running elsewhere before it says so
# (the window's own imports run off the UI thread; notes retry on a timer, see CustomerView).
APP_BUSY_TIMEOUT = 2.0
# How often the window in front asks whether the command line or another window changed the
# workspace (a scheduled import): one question to SQLite on a connection kept open.
OUTSIDE_LOOK_MS = 2000


def _field_has_own(widget: QWidget, which: str) -> bool | None:
    """Whether the text field ``widget`` has typing of its own to undo (``which`` "undo") or redo;
    None when it is no text field."""
    field = widget
    if isinstance(widget, QAbstractSpinBox):
        field = widget.findChild(QLineEdit)
    elif isinstance(widget, QComboBox):
        field = widget.lineEdit()
    if isinstance(field, QLineEdit):
        return field.isUndoAvailable() if which == "undo" else field.isRedoAvailable()
    if isinstance(field, (QPlainTextEdit, QTextEdit)):
        document = field.document()
        return document.isUndoAvailable() if which == "undo" else document.isRedoAvailable()
    return None


class _UndoKeysInFields(QObject):
    """Ctrl+Z (the redo keys) in a text field with nothing of its own to take back: Edit › Undo's (Redo's) step.

    A field claims the undo keys for its typing even when it has none: after Ctrl+S in a campaign's
    field, Ctrl+Z did nothing while Edit › Undo offered the save.  A field with typing of its own
    to undo keeps undoing it first; with the window's step unavailable too, the field keeps the key.
    Watched: each text field of the window as it gets the keys (the ShortcutOverride goes to it).
    """

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        QApplication.instance().focusChanged.connect(self._focused)

    def _focused(self, _old, new) -> None:
        if new is not None and self.window.isAncestorOf(new) and _field_has_own(new, "undo") is not None:
            new.installEventFilter(self)  # once: installed again, it is not doubled

    def eventFilter(self, watched, event) -> bool:
        if event.type() != QEvent.Type.ShortcutOverride:
            return False
        if event.matches(QKeySequence.StandardKey.Undo):
            which, action = "undo", self.window.undo_action
        elif event.matches(QKeySequence.StandardKey.Redo):
            which, action = "redo", self.window.redo_action
        else:
            return False
        if _field_has_own(watched, which) is False and action.isEnabled() and action.isVisible():
            event.ignore()  # not overridden: the window's shortcut runs
            return True
        return False


class _QuitAsksFirst(QObject):
    """The application asked to quit (the Dock's Quit, a logout) while the import wizard imports: the
    window asks first, as its own Quit does.  Left to Qt, the wizard in front would be closed first,
    and closing it cancels its import, unasked.  Watched: the application, while the wizard is open
    (:meth:`watch`): a filter on the application is a Python call for every event of every widget,
    which made each dialog and screen slower to open."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window

    def watch(self, on: bool) -> None:
        app = QApplication.instance()
        if on:
            app.installEventFilter(self)  # once however often asked: Qt keeps one of each filter
        else:
            app.removeEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() != QEvent.Type.Quit or watched is not QApplication.instance():
            return False
        wizard = self.window.import_wizard
        if wizard is None or not wizard.import_page.running or not self.window.isVisible():
            return False
        if self.window.close():
            return False  # the import is stopped: the quit goes on
        event.ignore()  # kept working, or stopping: the window closes itself once the work has stopped
        return True


class MainWindow(WorkspaceFilesMixin, QMainWindow):
    workspaceOpened = Signal(object)
    importFinished = Signal(list)  # summaries, one dict per file
    importFailed = Signal(str)

    def __init__(self, settings: QSettings, runner: TaskRunner | None = None, parent=None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.runner = runner or TaskRunner()
        self.workspace: Workspace | None = None
        self.undo_stack = QUndoStack(self)
        # Every change the user makes goes through here (see ui/operations.py).
        self.operations = Operations(self.undo_stack, self.runner, self)
        self.operations.changed.connect(self._apply_changes)
        self.operations.failed.connect(self.show_error)
        self.operations.notice.connect(lambda text: self.statusBar().showMessage(text, 10000))
        self.operations.busyChanged.connect(self._busy_changed)
        self._close_when_idle = False
        self._planning_bulk: Task | None = None  # reading what "Accept all at or above" asks
        self.import_wizard = None  # the open ImportWizard, if any
        self._quit_asks_first = _QuitAsksFirst(self)
        self.unpacked = Unpacked()  # zips the open wizard imports, unpacked until it closes
        self.screens = LazyScreens()
        self.customer_view: CustomerView | None = None
        self._back_to = "customers"  # the screen a customer's screen was opened from
        self._list_row = -1  # the Customers list's current row before the last change (see _person_erased)
        self.customer_page: QWidget | None = None
        self.segments: SavedSegments | None = None
        self.read_only_banner: QLabel | None = None
        self.moved_banner: QLabel | None = None  # shown while the workspace's file is not where it was opened
        self._file_missing = False  # the workspace's file is not where it was opened (the banner says so)
        self._close_when_notes_saved = False
        self._leaving_without_notes = False
        self.setWindowTitle("Omnidesk")
        self.setMinimumSize(QSize(760, 480))

        self.stack = QStackedWidget()
        self.welcome = WelcomeView()
        self.welcome.createRequested.connect(self.new_workspace)
        self.welcome.openRequested.connect(self.open_workspace_dialog)
        self.welcome.demoRequested.connect(self.open_demo)
        self.stack.addWidget(self.welcome)
        self.setCentralWidget(self.stack)

        self._build_actions()
        self._build_menus()
        self._undo_keys = _UndoKeysInFields(self)
        # What long work (Find Duplicates, an import redone) is doing, with a way to stop it.
        self.work = WorkIndicator()
        self.work.cancelRequested.connect(self.operations.cancel)
        self.operations.progressed.connect(self.work.progressed)
        self.statusBar().addPermanentWidget(self.work)
        self._kept_said: str | None = None  # the status bar's words on typing Messages kept over a change
        # Where the window is and what the workspace holds: a widget of the bar, so a passing
        # message ("Exported …") covers it for its seconds and it is back after.  Beside long work
        # in a narrow window it shares the room, cut at its start (the folders) with "…".
        self.summary = ElidedLabel(Qt.TextElideMode.ElideLeft, least_chars=40)
        self.summary.setObjectName("statusSummary")
        self.statusBar().addWidget(self.summary, 1)
        self.work.share_room_with(self.summary)
        self.work.keys_elsewhere = self._keys_to_screen
        self._restore_geometry()
        self._update_actions()
        # In front, the window looks now and then for changes made elsewhere; behind, it does
        # not need to: it looks on coming back (changeEvent).
        self.outside_look = QTimer(self)
        self.outside_look.setInterval(OUTSIDE_LOOK_MS)
        self.outside_look.timeout.connect(self._look_while_in_front)

    # -- actions and menus ---------------------------------------------------------

    def _action(self, text: str, slot, shortcut=None, status: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        if status:
            action.setStatusTip(status)
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        K = QKeySequence.StandardKey
        self.new_action = self._action("&New Workspace…", self.new_workspace, K.New, "Create an empty workspace file")
        self.open_action = self._action("&Open Workspace…", self.open_workspace_dialog, K.Open, "Open a workspace file")
        self.demo_action = self._action("Open &Demo Workspace", self.open_demo, status="A sample shop to explore")
        self.copy_action = self._action("Save a &Copy…", self.save_copy, K.SaveAs, "Write a backup copy of this workspace")
        self.export_customers_action = self._action("&Export Customers…", lambda: self.export_customers(),
                                                    QKeySequence("Ctrl+Shift+E"),
                                                    "Write the customer list, as searched and filtered, to a CSV file")
        self.import_action = self._action("&Import Files…", self.import_files_dialog, QKeySequence("Ctrl+I"), "Import CSV exports")
        self.new_customer_action = self._action("New &Customer…", self.new_customer, QKeySequence("Ctrl+Shift+N"),
                                                "Add a customer by hand")
        self.quit_action = self._action("&Quit", self.close, K.Quit)
        # Edit › Undo and Redo run through the bridge, which checks a step can still run before the
        # stack moves; their text names the step ("Undo pin email of Chloé Hill").
        self.undo_action = self._action("&Undo", self.undo, K.Undo)
        self.redo_action = self._action("&Redo", self.redo, K.Redo)
        # The stack's state is kept as its signals tell it: the stack also signals while it is
        # being destroyed with the window, when it can no longer be asked.
        self._undo_state = {"undo": (False, ""), "redo": (False, "")}
        self.undo_stack.undoTextChanged.connect(lambda t: self._stack_said("undo", text=t))
        self.undo_stack.redoTextChanged.connect(lambda t: self._stack_said("redo", text=t))
        self.undo_stack.canUndoChanged.connect(lambda b: self._stack_said("undo", can=b))
        self.undo_stack.canRedoChanged.connect(lambda b: self._stack_said("redo", can=b))
        self.about_action = self._action("&About Omnidesk", self.show_about)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_qt_action = self._action("About &Qt", lambda: QMessageBox.aboutQt(self, "About Qt"),
                                            status="The Qt version in use and its licence")
        self.about_qt_action.setMenuRole(QAction.MenuRole.AboutQtRole)
        self.duplicates_action = self._action("Find &Duplicates", self.find_duplicates,
                                              status="Look for more customers who are one person")
        # Linux desktops have no standard Preferences key: Ctrl+, there, as on the other systems.
        self.preferences_action = self._action("&Preferences…", self.show_preferences,
                                               status="The business's name, region, zone, currency and matching")
        self.preferences_action.setShortcuts(QKeySequence.keyBindings(K.Preferences) or [QKeySequence("Ctrl+,")])
        self.preferences_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.preferences_dialog = None  # the open Preferences dialog, if any
        self.basics_dialog = None  # the questions a new workspace asks first, while open

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.new_action)
        file_menu.addAction(self.open_action)
        self.recent_menu = file_menu.addMenu("Open &Recent")
        file_menu.addAction(self.demo_action)
        file_menu.addSeparator()
        file_menu.addAction(self.import_action)
        file_menu.addAction(self.new_customer_action)
        file_menu.addAction(self.copy_action)
        file_menu.addAction(self.export_customers_action)
        self.dashboard_picture_action = file_menu.addAction(
            "Save Dashboard &Picture…", lambda: self._on_dashboard("save_picture"))
        self.report_action = file_menu.addAction(
            "Export &Report…", lambda: self._on_dashboard("export_report"))
        self.report_action.setStatusTip("The Dashboard's figures for its period as a printable PDF")
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.duplicates_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.preferences_action)
        self.view_menu = bar.addMenu("&View")
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.about_action)
        help_menu.addAction(self.about_qt_action)
        self._rebuild_recent_menu()

    def _update_actions(self) -> None:
        has = self.workspace is not None
        writable = has and not self.read_only
        self.copy_action.setEnabled(has)
        self.export_customers_action.setEnabled(has)
        self.dashboard_picture_action.setEnabled(has)
        self.report_action.setEnabled(has)
        for action in (self.import_action, self.duplicates_action, self.new_customer_action,
                       self.preferences_action):
            action.setEnabled(writable and not self.operations.busy)
        # Nothing invites to import into a file that is not where it was opened.
        self.import_action.setEnabled(self.import_action.isEnabled() and not self._file_missing)
        customers = self.screens.built().get("customers")
        if customers is not None and customers.empty.button is not None:
            customers.empty.button.setEnabled(self.import_action.isEnabled() or self.read_only)
        # Long work belongs to the workspace it runs on: no other is opened until it ends.
        for action in (self.new_action, self.open_action, self.demo_action):
            action.setEnabled(not self.operations.busy)
        self.recent_menu.setEnabled(not self.operations.busy and bool(self.recent_workspaces()))
        if not writable:
            self.undo_stack.clear()
        self.undo_action.setVisible(not has or writable)
        self.redo_action.setVisible(not has or writable)
        self._update_undo_actions()

    def _stack_said(self, which: str, *, can: bool | None = None, text: str | None = None) -> None:
        old_can, old_text = self._undo_state[which]
        self._undo_state[which] = (old_can if can is None else can, old_text if text is None else text)
        self._update_undo_actions()

    def _update_undo_actions(self) -> None:
        idle = not self.operations.busy
        for action, word, (can, text) in ((self.undo_action, "&Undo", self._undo_state["undo"]),
                                          (self.redo_action, "&Redo", self._undo_state["redo"])):
            action.setText(f"{word} {text.replace('&', '&&')}" if can and text else word)
            action.setEnabled(can and idle)

    def undo(self) -> None:
        """Edit › Undo: notes typed and not yet saved become a step first, so they are what goes."""
        if self.customer_view is not None:
            self.customer_view.save_notes()
        self.operations.undo()

    def redo(self) -> None:
        if self.customer_view is not None:
            self.customer_view.save_notes()
        self.operations.redo()

    # -- long work ----------------------------------------------------------------------------

    def _busy_changed(self, busy: bool) -> None:
        self.work.set_busy(busy)
        self._update_actions()
        review = self.screens.built().get("review")
        if review is not None:  # its decisions would only be refused meanwhile
            review.set_busy(busy, self.operations.busy_with)
        if not busy and self._close_when_idle and not self.runner.running():
            self._close_when_idle = False
            self.close()

    def ask_stop_work(self, what: str) -> bool:
        """Work is running as the window closes: True to stop it (rolled back) and quit."""
        box = QMessageBox(QMessageBox.Icon.Question, "Quit Omnidesk",
                          f"{what} is still running. Stop it and quit? What it has done so far is "
                          "rolled back; the workspace stays as it was before it started.", parent=self)
        stop = box.addButton("Stop and quit", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("Keep working", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.exec()
        clicked = box.clickedButton()
        box.deleteLater()
        return clicked is stop

    @property
    def read_only(self) -> bool:
        return self.workspace is not None and self.workspace.readonly

    def _refuse_while_busy(self, title: str) -> bool:
        """True (and says why) while long work runs: its result belongs to this workspace, which
        must stay open until it ends."""
        if not self.operations.busy:
            return False
        self.show_error(title, f"{self.operations.busy_with} is still running in this workspace; wait for it to "
                        "finish or cancel it, then open another.")
        return True

    def _refuse_if_read_only(self) -> bool:
        """True (after saying so) when the open workspace cannot be changed."""
        if self.read_only:
            self.statusBar().showMessage("Read-only workspace: changes are off.", 8000)
            return True
        return False

    # -- recent files and geometry -------------------------------------------------

    def recent_workspaces(self) -> list[str]:
        value = self.settings.value("recentWorkspaces", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])]

    def _remember_recent(self, path: Path) -> None:
        recent = [p for p in self.recent_workspaces() if p != str(path)]
        recent.insert(0, str(path))
        self.settings.setValue("recentWorkspaces", recent[:MAX_RECENT])
        self._rebuild_recent_menu()

    def _rebuild_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.recent_workspaces()
        for i, p in enumerate(recent):
            action = self.recent_menu.addAction(f"&{i + 1} {Path(p).name}  —  {Path(p).parent}")
            action.setData(p)
            action.triggered.connect(lambda _checked=False, p=p: self.open_workspace(Path(p)))
        self.recent_menu.setEnabled(bool(recent) and not self.operations.busy)

    def _restore_geometry(self) -> None:
        geometry = self.settings.value("mainWindow/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            screen = QGuiApplication.primaryScreen()
            available = screen.availableGeometry() if screen else None
            width = min(1200, available.width() - 80) if available else 1200
            height = min(780, available.height() - 80) if available else 780
            self.resize(max(width, 760), max(height, 480))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.statusBar().currentMessage() and self.summary.isVisible():
            # A message posted before the window showed ("Upgraded …", "Building the demo…") did
            # not hide the summary (Qt hides only what is visible): hide it as Qt would have, so
            # the two are not drawn over each other and the summary comes back when it ends.
            self.summary.hide()
            self.summary.setAttribute(Qt.WidgetAttribute.WA_WState_ExplicitShowHide, False)

    def closeEvent(self, event) -> None:
        # Notes typed but not yet saved are saved first, the same way as while working: when an
        # import elsewhere holds the workspace, the window stays open until they land, and asks
        # when they cannot.
        if self.customer_view is not None and not self._leaving_without_notes:
            self.customer_view.save_notes()
            if self.customer_view.notes_waiting():
                self._close_when_notes_saved = True
                event.ignore()
                return
            if self.customer_view.has_unsaved_notes() and not self.ask_close_without_notes():
                event.ignore()
                return
        # A saved segment changed in the rule panel and not saved: Save, Discard or Cancel (stay).
        if self.segments is not None and not self.segments.leave_edits():
            event.ignore()
            return
        if not self._screen_edits_may_go():
            event.ignore()
            return
        if self._work_still_running():
            event.ignore()
            return
        # The import wizard left open would outlive the window on the workspace closed below (and
        # keep the application watched for a quit): it closes with the window.
        if self.import_wizard is not None:
            self.import_wizard.reject()
        if self.import_wizard is not None:  # it answered by stopping an import: closed all the same
            QDialog.reject(self.import_wizard)
        self.unpacked.close()
        self.settings.setValue("mainWindow/geometry", self.saveGeometry())
        if self.workspace is not None:
            self.settings.setValue("lastWorkspace", str(self.workspace.path or ""))
            self.workspace.close()
        super().closeEvent(event)

    def _screen_edits_may_go(self) -> bool:
        """A campaign or a message changed in its editor and not saved: the user says whether it
        may go (as showing another campaign or message asks)."""
        built = self.screens.built()
        return all(built[key].may_leave() for key in ("campaigns", "messages") if key in built)

    def _work_still_running(self) -> bool:
        """Ask before quitting over long work; True while it is still to be waited for.

        Work the window's own tasks do (Find Duplicates, an import in the wizard or its redo) is
        cancelled and waited for before the window and the workspace close: a task
        that outlived them once crashed the interpreter at exit.
        """
        if not self.runner.running():
            return False
        wizard = self.import_wizard
        if not self._close_when_idle:
            what = (self.operations.busy_with if self.operations.busy
                    else wizard.import_page.running_words() if wizard is not None and wizard.import_page.running
                    else None)
            if what and not self.ask_stop_work(what):
                return True
        self.operations.cancel()
        if self.import_wizard is not None and self.import_wizard.active_task() is not None:
            self.import_wizard.active_task().cancel()  # the file being imported rolls back
        self.runner.cancel_all()
        # Most work stops at its next check within moments; the window waits that long, then
        # stays open (saying so) and closes itself when the work has stopped.
        if self.runner.wait(3.0):
            return False
        self._close_when_idle = True
        self.statusBar().showMessage("Stopping… Omnidesk closes as soon as the work has stopped.")
        # The runner says so on this thread when its last task has ended: nothing can slip by.
        self.runner.signals.idle.connect(self._close_after_work, Qt.ConnectionType.UniqueConnection)
        return True

    def _close_after_work(self) -> None:
        if self._close_when_idle and not self.runner.running():
            self._close_when_idle = False
            self.close()

    # -- dialogs (tests patch these) ----------------------------------------------

    def ask_new_path(self) -> Path | None:
        start = str(paths.data_dir() / "My business.omnidesk")
        name, _ = QFileDialog.getSaveFileName(self, "New workspace", start, WORKSPACE_FILTER)
        if not name:
            return None
        return with_workspace_suffix(Path(name))

    def ask_open_path(self) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(self, "Open workspace", str(paths.data_dir()), WORKSPACE_FILTER)
        return Path(name) if name else None

    def ask_copy_path(self) -> Path | None:
        assert self.workspace is not None and self.workspace.path is not None
        start = str(self.workspace.path.with_name(self.workspace.path.stem + " copy.omnidesk"))
        name, _ = QFileDialog.getSaveFileName(self, "Save a copy", start, WORKSPACE_FILTER)
        return with_workspace_suffix(Path(name)) if name else None

    def ask_import_files(self) -> list[Path]:
        names, _ = QFileDialog.getOpenFileNames(self, "Import files", str(Path.home()), IMPORT_FILTER)
        return [Path(n) for n in names]

    def show_error(self, title: str, text: str) -> None:
        QMessageBox.warning(self, title, text)

    def show_info(self, title: str, text: str) -> None:
        QMessageBox.information(self, title, text)

    def ask_segment_name(self, title: str, label: str, text: str = "") -> str | None:
        """A segment's name, typed; None when the user cancels.

        The box takes no more than a name may hold: a longer one is not refused after OK, with
        what was typed gone."""
        dialog = QInputDialog(self)
        dialog.setWindowTitle(title)
        dialog.setLabelText(label)
        dialog.setInputMode(QInputDialog.InputMode.TextInput)
        dialog.setTextValue(text)
        dialog.findChild(QLineEdit).setMaxLength(NAME_LIMIT)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        name = dialog.textValue()
        dialog.deleteLater()
        return name if accepted else None

    def ask_save_segment_changes(self, name: str, can_save: bool) -> str:
        """The segment ``name`` was changed in the rule panel and is about to be left: "save",
        "discard" or "cancel" (Enter saves when it can, Esc cancels)."""
        box = QMessageBox(QMessageBox.Icon.Question, "Unsaved changes",
                          f"Save your changes to the segment “{name}”?", parent=self)
        box.setInformativeText("Saving replaces its rule (Edit › Undo puts it back); discarding keeps the "
                               "segment as it was." if can_save else
                               "Some conditions are not finished, so it cannot be saved as it is: Cancel to "
                               "finish them, or discard your changes.")
        save = box.addButton("&Save", QMessageBox.ButtonRole.AcceptRole) if can_save else None
        discard = box.addButton("&Discard", QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(save or cancel)
        box.setEscapeButton(cancel)
        box.exec()
        clicked = box.clickedButton()
        box.deleteLater()
        return "save" if clicked is save and save is not None else "discard" if clicked is discard else "cancel"

    def confirm(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text)
        return answer == QMessageBox.StandardButton.Yes

    def ask_close_without_notes(self) -> bool:
        """Notes could not be saved: True to leave without them, False to keep editing."""
        text = ("Your notes on this customer could not be saved: the workspace is busy with an import in "
                "another window, or cannot be written. They are still in the editor.")
        if self.customer_view is not None and self.customer_view.kept_notes() is not None:
            text = ("Your notes on a customer who is no longer here were not saved anywhere. They are still "
                    "on the screen, where you can copy them.")
        box = QMessageBox(QMessageBox.Icon.Warning, "Notes not saved", text, parent=self)
        keep = box.addButton("Keep editing", QMessageBox.ButtonRole.RejectRole)
        box.addButton("Close without saving", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(keep)
        box.exec()
        return box.clickedButton() is not keep

    def _notes_waiting(self, message: str) -> None:
        if message:
            self.statusBar().showMessage(message)
        else:
            self.statusBar().clearMessage()

    def _notes_settled(self, saved: bool) -> None:
        if not self._close_when_notes_saved:
            return
        self._close_when_notes_saved = False
        if saved:
            self.close()
        elif self.ask_close_without_notes():
            self._leaving_without_notes = True
            self.close()

    # -- workspace lifecycle ---------------------------------------------------------

    def new_workspace(self) -> None:
        if self._refuse_while_busy("Cannot create workspace"):
            return
        path = self.ask_new_path()
        if path is None:
            return
        try:
            workspace = Workspace.create(path)
        except WorkspaceError as exc:
            self.show_error("Cannot create workspace", str(exc))
            return
        if not self.set_workspace(workspace):
            workspace.close()
            return
        self.ask_workspace_basics()

    def ask_workspace_basics(self) -> None:
        """Ask a new workspace's name, region, zone and currency; Skip keeps its defaults."""
        from omnidesk.ui.dialogs.workspace_basics import WorkspaceBasicsDialog, machine_basics

        assert self.workspace is not None
        dialog = WorkspaceBasicsDialog(self.workspace.name, machine_basics(), self)
        dialog.accepted.connect(lambda: self.operations.set_up(dialog.texts()))
        dialog.finished.connect(lambda: setattr(self, "basics_dialog", None))
        dialog.finished.connect(dialog.deleteLater)
        self.basics_dialog = dialog
        dialog.open()

    def show_preferences(self) -> None:
        """Edit › Preferences: the settings in one dialog; OK stores them as one undo step."""
        from omnidesk.core.settings import preference_values
        from omnidesk.ui.dialogs.preferences import PreferencesDialog
        from omnidesk.ui.dialogs.workspace_basics import machine_basics

        if self.workspace is None or self._refuse_if_read_only():
            return
        dialog = PreferencesDialog(preference_values(self.workspace), machine_basics(), self)
        dialog.accepted.connect(lambda: self.operations.change_preferences(dialog.texts(), dialog.read))
        dialog.finished.connect(lambda: setattr(self, "preferences_dialog", None))
        dialog.finished.connect(dialog.deleteLater)
        self.preferences_dialog = dialog
        dialog.open()

    def open_workspace_dialog(self) -> None:
        if self._refuse_while_busy("Cannot open workspace"):
            return
        path = self.ask_open_path()
        if path is not None:
            self.open_workspace(path)

    def open_workspace(self, path: Path) -> bool:
        if self._refuse_while_busy("Cannot open workspace"):
            return False
        if self._is_open_here(path):
            # File > Open Recent lists it first: the window keeps what it shows, edits and undo
            # history included, rather than a second Workspace on the same file.
            self.statusBar().showMessage(f"{path.name} is already open.", 5000)
            return True
        if self._renamed_here(path):
            # This window's workspace, renamed or moved since it opened (the banner asks to open it
            # where it is now): closed under its old name, which folds its log into the file, then
            # opened by the new one.
            if not self._may_leave_workspace():
                return False
            self._close_workspace_file()
        try:
            try:
                workspace = Workspace.open(path, busy_timeout=APP_BUSY_TIMEOUT)
            except ReadOnlyWorkspaceError:
                # A file, folder or drive that cannot be written: shown for reading, with a banner.
                workspace = Workspace.open(path, readonly=True, busy_timeout=APP_BUSY_TIMEOUT)
        except DamagedWorkspaceError:
            return self.workspace_damaged(path)
        except WorkspaceError as exc:
            self.show_error("Cannot open workspace", str(exc))
            return False
        try:
            opened = self.set_workspace(workspace)
        except Exception as exc:
            from omnidesk.core.failures import is_damaged

            if not is_damaged(exc):
                raise
            workspace.close()
            return self.workspace_damaged(path)
        if not opened:
            workspace.close()
            return False
        if workspace.backup_path is not None:
            note = f" {workspace.upgrade_note}" if workspace.upgrade_note else ""
            self.statusBar().showMessage(
                f"Upgraded {path.name}; the previous version is kept as {workspace.backup_path.name}.{note}", 20000
            )
        elif workspace.upgrade_note:
            self.statusBar().showMessage(workspace.upgrade_note, 20000)
        return True

    def _renamed_here(self, path: Path) -> bool:
        """Whether ``path`` is this window's workspace file under a name it was given since it opened."""
        ws = self.workspace
        if ws is None or ws.path is None or ws.closed:
            return False
        held = held_files.held_as(path)
        return held is not None and held == Path(os.path.abspath(ws.path)) != Path(os.path.abspath(path))

    def _is_open_here(self, path: Path) -> bool:
        """Whether ``path`` is the workspace this window shows, open for writing (a read-only one is
        opened again: its file may have become writable meanwhile)."""
        ws = self.workspace
        if ws is None or ws.path is None or ws.closed or ws.readonly:
            return False
        try:
            return os.path.samefile(ws.path, path)
        except OSError:
            return False

    def open_demo(self) -> None:
        if self._refuse_while_busy("Cannot open the demo"):
            return
        path = paths.demo_workspace_path()
        if not path.exists():
            self.statusBar().showMessage("Building the demo workspace…")
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                from omnidesk.core.demo import ensure_demo

                ensure_demo(path)
            except (UserError, WorkspaceError, OSError) as exc:
                self.show_error("Cannot build the demo", str(exc))
                return
            finally:
                QApplication.restoreOverrideCursor()
                # Built or not, the work is over: the line must not stay under the demo's own summary.
                self.statusBar().clearMessage()
        self.open_workspace(path)

    def set_workspace(self, workspace: Workspace) -> bool:
        """Show ``workspace``; False (and the old one stays) when the user keeps editing unsaved notes,
        a changed segment, campaign or message, or while long work runs on the old one."""
        if not self._may_leave_workspace():
            return False
        self._close_workspace_file()
        workspace.client = "app"
        workspace.busy_timeout = APP_BUSY_TIMEOUT
        self.workspace = workspace
        self.operations.set_workspace(workspace)
        self._build_workspace_page()
        if workspace.path is not None:
            self._remember_recent(workspace.path)
        self.setWindowTitle(f"{workspace.name} — Omnidesk")
        self._update_actions()
        self._update_status()
        workspace.changed_since_last_look()  # what the screens have just read
        self.workspaceOpened.emit(workspace)
        return True

    def _may_leave_workspace(self) -> bool:
        """Whether the window may close the workspace it shows: False (and it stays) when the user keeps
        editing unsaved notes, a changed segment, campaign or message, or while long work runs on it."""
        if self._refuse_while_busy("Cannot open workspace"):
            return False
        if self.customer_view is not None:
            self.customer_view.save_notes()
            if self.customer_view.has_unsaved_notes():
                if not self.ask_close_without_notes():
                    return False
                self.customer_view.discard_unsaved_notes()
        if self.segments is not None and not self.segments.leave_edits():
            return False  # the segment's edits stay on screen, in the workspace they belong to
        return self._screen_edits_may_go()  # so do a campaign's or a message's, in its editor

    def _close_workspace_file(self) -> None:
        if self.workspace is not None and not self.workspace.closed:
            # Reads still running on it (a big card, a search, a count) end first: one that went on
            # after the close would open connections to the closed workspace and keep its file.
            for runner in {id(r): r for r in (self.runner, self.operations.runner)}.values():
                runner.wait(10.0)
            self.workspace.close()

    def _build_workspace_page(self) -> None:
        assert self.workspace is not None
        old = self.stack.widget(1)
        if old is not None:
            self.stack.removeWidget(old)
            old.deleteLater()
        page = QWidget()
        outer = QVBoxLayout(page)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.read_only_banner = None
        if self.workspace.readonly:
            self.read_only_banner = QLabel(
                f"<b>Read-only:</b> {html.escape(self.workspace.name)} is on a file, folder or drive "
                "that cannot be written, so changes are off. You can look, search and export; "
                "to change it, save a copy somewhere you can write and open that.")
            self.read_only_banner.setObjectName("readOnlyBanner")
            self.read_only_banner.setWordWrap(True)
            self.read_only_banner.setStyleSheet(
                "QLabel#readOnlyBanner { background: #FFF4CE; color: #5C4400; padding: 8px 12px; "
                "border-bottom: 1px solid #E0C36A; }")
            outer.addWidget(self.read_only_banner)
        self.moved_banner = QLabel()
        self.moved_banner.setObjectName("movedBanner")
        self.moved_banner.setWordWrap(True)
        self.moved_banner.setStyleSheet(
            "QLabel#movedBanner { background: #FDE7E9; color: #6E0811; padding: 8px 12px; "
            "border-bottom: 1px solid #E8A5AC; }")
        self.moved_banner.hide()
        self._file_missing = False
        outer.addWidget(self.moved_banner)
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        outer.addWidget(row, 1)
        self.nav = NavigationList()
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(170)
        self.nav.setFrameShape(QListWidget.Shape.NoFrame)
        self.screen_stack = QStackedWidget()
        customers = CustomersView(self.workspace, runner=self.runner, settings=self.settings)
        customers.importRequested.connect(self.import_files_dialog)
        customers.exportRequested.connect(self.export_customers)
        customers.mergeRequested.connect(self.merge_customers)
        # While the app is open, a step due within the hour is said in the status bar.
        from omnidesk.ui.campaign_reminder import ReminderTimer

        if getattr(self, "reminder", None) is not None:
            self.reminder.stop()
            self.reminder.deleteLater()
        self.reminder = ReminderTimer(self.workspace, self)
        self.reminder.due.connect(lambda text: self.statusBar().showMessage(text, 60_000))
        self.reminder.ticked.connect(self._tick_calendar)
        self.reminder.start()
        # The list is built now; the other screens the first time they are shown or asked for
        # (LazyScreens). Review too: its pairs and their cards are read when it is shown, and the
        # navigation's count of them is counted (_update_review_badge).
        self.screens = LazyScreens(unreadable=lambda: self._unreadable_note("This screen"))
        labels = {"dashboard": "Dashboard", "customers": "Customers", "review": "Review", "messages": "Messages",
                  "campaigns": "Campaigns", "imports": "Imports"}
        makers = {"dashboard": self._make_dashboard, "customers": lambda: customers, "review": self._make_review,
                  "messages": self._make_messages, "campaigns": self._make_campaigns, "imports": self._make_imports}
        self._back_to = "customers"
        self.nav_labels = labels
        self.view_menu.clear()
        for i, key in enumerate(labels):
            self.nav.add_screen(key, labels[key])
            holder = QWidget()
            hl = QHBoxLayout(holder)
            hl.setContentsMargins(12, 12, 12, 12)
            self.screens.add(key, makers[key], holder)
            self.screen_stack.addWidget(holder)
            action = self.view_menu.addAction(labels[key])
            # Ctrl+1 stays Customers and Ctrl+2 Review, as before the Dashboard came first (Ctrl+0).
            action.setShortcut(QKeySequence(f"Ctrl+{i}"))
            action.triggered.connect(lambda _c=False, k=key: self._go_to_screen(k))
        self.screens.build("customers")
        self.filter_action = self.view_menu.addAction("&Filter Customers…")
        self.filter_action.setShortcut(QKeySequence("Ctrl+Shift+F"))
        self.filter_action.setStatusTip("Show or hide the rule filter of the customer list")
        self.filter_action.triggered.connect(self.toggle_customer_filter)
        # One customer's screen is reached from the list, not from the navigation:
        # it shares the stack but has no navigation item of its own.
        self.customer_view = CustomerView(self.workspace, operations=self.operations)
        self.customer_view.backRequested.connect(self.go_back)
        self.customer_view.timelineExported.connect(
            lambda path: self.statusBar().showMessage(f"Exported the timeline to {path}", 8000))
        self.customer_view.personExported.connect(
            lambda path: self.statusBar().showMessage(f"Exported the person's data to {path}", 8000))
        self.customer_view.personErased.connect(self._person_erased)
        self.customer_view.notesWaiting.connect(self._notes_waiting)
        self.customer_view.notesSettled.connect(self._notes_settled)
        if self.workspace.readonly:
            self.customer_view.set_read_only(True)
            # The views switch these on and off as rows are selected: hidden, they stay out of reach.
            for button in (customers.merge_button, customers.builder.save_button):
                button.setVisible(False)
        customers.customerActivated.connect(self.open_customer)
        self.customer_page = QWidget()
        cl = QHBoxLayout(self.customer_page)
        cl.setContentsMargins(12, 12, 12, 12)
        cl.addWidget(self.customer_view)
        self.screen_stack.addWidget(self.customer_page)
        self.back_action = self.view_menu.addAction("&Back to Customers")
        self.back_action.setShortcut(QKeySequence.StandardKey.Back)
        self.back_action.setStatusTip("Back to the customer list")
        self.back_action.triggered.connect(self.go_back)
        self.back_action.setEnabled(False)
        # Rows are found by key: saved segments sit between the screens' rows.
        self.nav.screenChosen.connect(lambda key: self.screen_stack.setCurrentIndex(list(self.screens).index(key)))
        from omnidesk.ui.bulk import BulkActions

        # The last workspace's saved segments and bulk actions go with its page: kept, each
        # opened workspace added another pair, still holding the old screens' counts and runner.
        for gone in (self.segments, getattr(self, "bulk", None)):
            if gone is not None:
                gone.deleteLater()
        self.segments = SavedSegments(self, self.nav, customers, self.operations)
        self.bulk = BulkActions(self, customers, self.operations)
        self.screen_stack.currentChanged.connect(lambda i: self.screens.build_page(self.screen_stack.widget(i)))
        self.screen_stack.currentChanged.connect(self._screen_changed)
        layout.addWidget(self.nav)
        layout.addWidget(self.screen_stack, 1)
        self.stack.addWidget(page)
        self.stack.setCurrentIndex(1)
        self.nav.setCurrentRow(self.nav.row_of("customers"))

    def _unreadable_note(self, what: str) -> str | None:
        """Why ``what`` cannot be read now (the workspace's file moved or deleted while open, which
        the banner says); None when it can."""
        ws = self.workspace
        if ws is None or ws.path is None or ws.moved_away() is None:
            return None
        return f"{what} cannot be read while {ws.path.name} is missing — see the note above."

    def _on_dashboard(self, action: str) -> None:
        """File › Save Dashboard Picture… and Export Report…: the Dashboard's, when it can be read."""
        dashboard = self.screens.get("dashboard")
        if dashboard is None:
            self.show_screen("dashboard")  # its page says why
            return
        getattr(dashboard, action)()

    def _make_dashboard(self) -> QWidget:
        from omnidesk.ui.views.dashboard import DashboardView, connect_dashboard

        dashboard = DashboardView(self.workspace, runner=self.runner)
        connect_dashboard(self, dashboard, self.screens["customers"])
        return dashboard

    def _make_review(self) -> QWidget:
        review = ReviewView(self.workspace, runner=self.runner)
        review.acceptRequested.connect(lambda rid: self._decide(self.operations.accept, rid))
        review.rejectRequested.connect(lambda rid: self._decide(self.operations.reject, rid))
        review.skipRequested.connect(lambda rid: self._decide(self.operations.skip, rid))
        review.acceptAboveRequested.connect(self.accept_all_above)
        review.customerActivated.connect(self.open_customer)
        review.reopenRequested.connect(self.reopen_kept_apart)
        if self.operations.busy:
            review.set_busy(True, self.operations.busy_with)
        if self.workspace.readonly:
            # The screen switches these on and off as pairs are shown: hidden, they stay out of reach.
            for button in (review.accept_button, review.reject_button, review.skip_button, review.bulk_button,
                           review.reopen_button):
                button.setVisible(False)
        return review

    def _make_messages(self) -> QWidget:
        from omnidesk.ui.views.messages import MessagesView

        messages = MessagesView(self.workspace, self.operations, runner=self.runner)
        messages.exported.connect(lambda path: self.statusBar().showMessage(f"Exported the message to {path}", 8000))
        messages.noticeHidden.connect(self._forget_kept_words)
        return messages

    def _make_campaigns(self) -> QWidget:
        from omnidesk.ui.views.campaigns import CampaignsView

        campaigns = CampaignsView(self.workspace, self.operations, runner=self.runner)
        campaigns.customerActivated.connect(self.open_customer)
        campaigns.exported.connect(lambda path: self.statusBar().showMessage(f"Exported to {path}", 8000))
        return campaigns

    def _make_imports(self) -> QWidget:
        imports = ImportsView(self.workspace, operations=self.operations)
        imports.importRequested.connect(self.import_files_dialog)
        imports.undoRequested.connect(self.undo_import)
        if self.workspace.readonly:
            imports.import_button.setVisible(False)
            imports.undo_button.setVisible(False)
        return imports

    def _tick_calendar(self, now) -> None:
        campaigns = self.screens.built().get("campaigns")
        if campaigns is not None:
            campaigns.calendar.set_now(now)

    def show_screen(self, key: str) -> None:
        keys = list(self.screens)
        if key in keys:
            if self.nav.current_key() != key:  # a segment of the screen stays selected
                self.nav.setCurrentRow(self.nav.row_of(key))
            self.screen_stack.setCurrentIndex(keys.index(key))

    def toggle_customer_filter(self) -> None:
        """View › Filter Customers: the Customers screen, with its rule panel shown or hidden."""
        customers = self.screens.get("customers")
        if customers is None:
            return
        if self.current_screen() != "customers":
            self.show_screen("customers")
            customers.show_filter(True)
        else:
            customers.toggle_filter()

    def _go_to_screen(self, key: str, *, back: bool = False) -> None:
        """View › (Ctrl+1, Ctrl+2…): the screen, with the keys on its list, ready to walk it.
        ``back`` from a customer opened there: where the keys were, when the screen remembers it."""
        self.show_screen(key)
        screen = self.screens.get(key)
        restore = (back and getattr(screen, "restore_focus_back", None)) or getattr(screen, "restore_focus", None)
        if restore is not None:
            restore()

    def _keys_to_screen(self) -> None:
        """The keys to the screen shown, where they work: its list (``restore_focus``), else the
        first of its parts that takes them (a customer's card)."""
        key = self.current_screen()
        if key is None:
            return
        screen = self.screens.built().get(key)
        restore = getattr(screen, "restore_focus", None)
        if restore is not None:
            restore()
            return
        page = self.screen_stack.currentWidget()
        widget = page.nextInFocusChain()
        while widget is not None and widget is not page:
            if page.isAncestorOf(widget) and widget.isVisible() and widget.isEnabled() \
                    and widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
                widget.setFocus(Qt.FocusReason.OtherFocusReason)
                return
            widget = widget.nextInFocusChain()

    def current_screen(self) -> str | None:
        if self.stack.currentIndex() != 1:
            return None
        if self.customer_page is not None and self.screen_stack.currentWidget() is self.customer_page:
            return "customer"
        return self.nav.current_key()

    def open_customer(self, customer_id: int) -> None:
        """Show one customer's card, timeline, sources and notes; Back returns to the screen it was opened from."""
        if self.customer_view is None:
            return
        unreadable = self._unreadable_note("A customer's card")
        if unreadable is not None:
            self.statusBar().showMessage(unreadable, 8000)
            return
        if not self.customer_view.may_leave_kept_notes(customer_id):
            # Cancel: back to the notes kept on the "no longer here" page, where they were left.
            self.screen_stack.setCurrentWidget(self.customer_page)
            return
        came_from = self.current_screen()
        if came_from in self.screens:
            self._back_to = came_from
            label = self.nav_labels[came_from]
            self.back_action.setText(f"&Back to {label}")
            self.back_action.setStatusTip(f"Back to the {label} screen")
            self.customer_view.back_button.setText(f"‹  {label}")
            self.customer_view.back_button.setToolTip(f"Back to {label} (Alt+Left)")
        self.customer_view.show_customer(customer_id)
        self.screen_stack.setCurrentWidget(self.customer_page)

    def export_customers(self, selected_only: bool = False):
        """File › Export Customers…: the list as searched and filtered (or its selection) to a CSV file.

        The list as it stands: a search or rule typed a moment ago is applied first, and a big list
        still being worked out is waited for (``CustomersView.when_listed``).  Returns the dialog,
        open (window-modal), or None without a workspace or while the list is still being found
        (the dialog opens once it is).
        """
        from omnidesk.ui.dialogs.export_dialog import ExportDialog

        customers = self.screens.get("customers")
        if self.workspace is None or customers is None:
            return None
        workspace, opened = self.workspace, []

        def open_dialog() -> None:
            if self.workspace is not workspace:
                return  # another workspace opened meanwhile
            dialog = ExportDialog(workspace, self.runner, customers.list_ids(), customers.selected_ids(),
                                  selected_only=selected_only, screen_columns=customers.model.columns(), parent=self)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.exported.connect(lambda path, n: self.statusBar().showMessage(
                f"Exported {n:,} customer{'' if n == 1 else 's'} to {path}", 8000))
            dialog.open()
            opened.append(dialog)

        customers.when_listed(open_dialog)
        return opened[0] if opened else None

    def new_customer_dialog(self):
        from omnidesk.core.edits import all_tags, check_values, held_by_others
        from omnidesk.ui.dialogs.edit_dialogs import CustomerValuesDialog

        assert self.workspace is not None
        workspace = self.workspace

        def check(values):
            # Someone's email or phone is refused on OK (add_customer): said here, before it closes on the words typed.
            return {**held_by_others(workspace, None, values), **check_values(workspace, values)}

        return CustomerValuesDialog(check, None,
                                    known_tags=[t for t, _n in all_tags(workspace)], parent=self)

    def new_customer(self) -> None:
        """File › New Customer…: add a customer by hand (one undo step), then show them."""
        if self.workspace is None or self._refuse_if_read_only():
            return
        dialog = self.new_customer_dialog()
        try:
            if dialog.exec() != dialog.DialogCode.Accepted:
                return
            values = dialog.values
        finally:
            dialog.deleteLater()
        edit = self.operations.add_customer(values)
        if edit is not None and edit.created is not None:
            self.open_customer(edit.created)

    def go_back(self) -> None:
        """From a customer's screen to the screen it was opened from (Review: at the same pair)."""
        if self.current_screen() == "customer" and self.customer_view is not None \
                and not self.customer_view.may_leave_kept_notes():
            return  # Cancel: the notes kept on the "no longer here" page stay there
        self._go_to_screen(self._back_to if self._back_to in self.screens else "customers", back=True)

    def show_customer_list(self) -> None:
        self.show_screen("customers")

    def _screen_changed(self, _index: int) -> None:
        on_customer = self.screen_stack.currentWidget() is self.customer_page
        self.back_action.setEnabled(on_customer)
        if on_customer and self.customer_view is not None:
            self.customer_view.refresh_if_stale()
        if not on_customer and self.customer_view is not None:
            self.customer_view.save_notes()

    def refresh(self) -> None:
        """Redraw every screen (a workspace just opened); a change redraws only what it concerns."""
        for screen in self.screens.built().values():
            screen.refresh()
        if self.customer_view is not None:
            self.customer_view.refresh()
        self._update_status()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange:
            if self.isActiveWindow():
                self.look_for_outside_changes()
                self.outside_look.start()
            else:
                self.outside_look.stop()

    def _look_while_in_front(self) -> None:
        """The timer's look while the window is in front: not under a dialog or an open menu (the
        window is not the one in front then), nor while long work runs (its end redraws)."""
        if not self.isActiveWindow():
            self.outside_look.stop()
            return
        if self.operations.busy or QApplication.activeModalWidget() is not None \
                or QApplication.activePopupWidget() is not None:
            return
        self.look_for_outside_changes()

    def look_for_outside_changes(self) -> bool:
        """Back in the window: when the command line or another window changed the workspace
        meanwhile, every screen (an open card too) re-reads it; True when it did.

        Not while this window's own work runs: its end redraws what it changed, and the look
        after it sees anything else.
        """
        if self.workspace is None or self._say_if_moved_away() or self.runner.running() \
                or not self.workspace.changed_since_last_look():
            return False
        self._apply_changes(Changes(everything=True))
        self._say_changed_outside()
        return True

    def _say_if_moved_away(self) -> bool:
        """When the workspace's file is no longer where it was opened (moved or deleted, its drive
        removed), say so in the banner and the status bar, with what to do; True then.  Put back,
        the banner goes."""
        from omnidesk.ui.operations import REOPEN

        assert self.workspace is not None
        moved = self.workspace.moved_away(REOPEN)
        banner = self.moved_banner
        short = self._missing_short()
        if moved is None:
            if self._file_missing:
                self._file_missing = False
                if banner is not None:
                    banner.hide()
                if self.statusBar().currentMessage() == short:
                    self.statusBar().clearMessage()
                self._update_actions()
                # A screen that could not be read meanwhile (its page said why) is read now.
                self.screens.build_page(self.screen_stack.currentWidget())
            return False
        if banner is not None:
            banner.setText(f"<b>Workspace file missing:</b> {html.escape(moved)} Changes are off meanwhile.")
            banner.show()
        if not self._file_missing:
            self._file_missing = True
            self._update_actions()
        if self.statusBar().currentMessage() != short:
            self.statusBar().showMessage(short)  # the banner above says the whole of it
        return True

    def _missing_short(self) -> str:
        """The status bar's word while the banner says the workspace's file is missing."""
        name = self.workspace.path.name if self.workspace is not None and self.workspace.path is not None else ""
        return f"{name} is missing — see the note above"

    def _say_changed_outside(self) -> None:
        # Messages, when it kept what was typed over the change, says so: it does not show that part
        # yet. The sentence fits the bar, its name shortened rather than "Save asks first" cut off.
        kept = [name for screen in self.screens.built().values()
                if (name := getattr(screen, "kept_over_change", lambda: None)()) is not None]
        bar = self.statusBar()
        said = "The workspace was changed outside this window; the screens show it now."
        if kept:
            start = "The workspace was changed outside this window; Messages keeps what you typed in "
            end = ": Save asks first."
            metrics = bar.fontMetrics()
            room = bar.width() - 24 - (self.work.width() if self.work.isVisible() else 0) \
                - metrics.horizontalAdvance(start + end)
            name = metrics.elidedText(kept[0], Qt.TextElideMode.ElideRight, max(room, metrics.horizontalAdvance("M" * 8)))
            said = start + isolated(name) + end
        self._kept_said = said if kept else None
        bar.showMessage(said, 8000)
        # Someone erased there: Edit › Undo and Redo may hold what was erased, and are emptied
        # (the status bar says so instead), also when a step taken since emptied them first.
        if self.operations.erase_to_say():
            bar.showMessage(ERASED_ELSEWHERE, 10000)

    def _forget_kept_words(self) -> None:
        """Messages no longer keeps typed words over a change (Reload, Save anyway): the status
        bar stops saying it does."""
        if self._kept_said is not None and self.statusBar().currentMessage() == self._kept_said:
            self.statusBar().clearMessage()
        self._kept_said = None

    def _apply_changes(self, changes: Changes) -> None:
        """After each change, undo or redo: each screen re-reads what it shows, if the change concerns it.

        When the command line or another window had committed before this window's own write (a
        scheduled import), every screen re-reads: the own change must not hide that one.
        """
        outside = self.workspace is not None and self.workspace.changed_since_last_look()
        if outside:
            changes = Changes(everything=True)
        customers = self.screens.built().get("customers")
        self._list_row = customers.table.currentIndex().row() if customers is not None else -1
        for screen in self.screens.built().values():  # one built later reads what is there then
            screen.apply_changes(changes)
        if self.customer_view is not None:
            if self.current_screen() == "customer":
                self.customer_view.apply_changes(changes)
            else:  # read again when it is shown (_screen_changed), not for nobody now
                self.customer_view.note_changes(changes)
        if self.segments is not None:
            self.segments.apply_changes(changes)
        if changes.touches_list() or changes.imports or changes.reviews or changes.everything:
            self._update_status()
        if outside:
            self._say_changed_outside()

    def _person_erased(self, customer_id: int, removed: dict) -> None:
        """The open customer was erased (the screens have forgotten them): the list is shown, at the
        row they were on when they were the list's current customer (the next customer now, or the
        last), selected and with the keys, as Back would have left it."""
        customers = self.screens.built().get("customers")
        # They were the list's current customer: the row is gone (or, a big list still being read
        # again, about to go).
        lost = customers is not None and (not customers.table.currentIndex().isValid() or customers.model.customer_id(
            customers.table.currentIndex().row()) == customer_id)
        self.show_customer_list()
        list_row = self._list_row

        def at_their_row() -> None:  # once the list without them is read (a big one, in the background)
            if list_row >= 0 and customers.model.rowCount():
                row = min(list_row, customers.model.rowCount() - 1)
                customers.table.setCurrentIndex(customers.model.index(row, 0))
                customers.table.selectRow(row)
                customers.table.setFocus(Qt.FocusReason.OtherFocusReason)

        if lost:
            customers.when_listed(at_their_row)
        self.statusBar().showMessage(
            f"Erased customer #{customer_id}: removed {removed.get('source_records', 0):,} records "
            f"and {removed.get('events', 0):,} events", 10000)

    def _update_review_badge(self) -> None:
        if self.workspace is None or "review" not in self.screens:
            return
        from omnidesk.core.identity.merge import review_count

        # Counted, not read from the screen: it is built, and re-reads its pairs, only when shown.
        n = review_count(self.workspace)
        item = self.nav.item(self.nav.row_of("review"))
        item.setText(f"Review ({n:,})" if n else "Review")

    # -- identity --------------------------------------------------------------------------

    def merge_customers(self, customer_ids: list) -> None:
        if len(customer_ids) < 2 or self._refuse_if_read_only():
            return
        from omnidesk.core.customers import display_names
        from omnidesk.core.identity.merge import kept_apart_among

        apart = kept_apart_among(self.workspace, customer_ids) if self.workspace is not None else []
        said = ""
        if apart:
            names = display_names(self.workspace, [c for pair in apart for c in pair])
            pairs = [f"{names.get(a, f'#{a}')} and {names.get(b, f'#{b}')}" for a, b in apart[:3]]
            more = f" (and {len(apart) - 3:,} more pairs)" if len(apart) > 3 else ""
            said = (f" You said earlier that {'; '.join(pairs)}{more} are different people: merging "
                    "replaces that decision.")
        if self.confirm("Merge customers", f"Merge these {len(customer_ids)} customers into one?{said} "
                        "Omnidesk will remember it; you can undo with Edit › Undo."):
            self.operations.merge(list(customer_ids))

    def _decide(self, run, review_id: int) -> None:
        """Accept, reject or skip a pair of the Review screen (it names both customers on the stack)."""
        item = next((i for i in self.screens["review"].items if i.id == review_id), None)
        if item is not None and not self._refuse_if_read_only():
            run(review_id, item.left_id, item.right_id)

    def reopen_kept_apart(self, items: list) -> None:
        """Put pairs kept apart back in the review queue, as one undo step named after the pair."""
        if not items or self._refuse_if_read_only():
            return
        review = self.screens["review"]
        pair = review.pair_words(items[0]) if len(items) == 1 else f"{len(items):,} pairs"
        if self.operations.reopen_kept_apart(items, pair):
            self.statusBar().showMessage(f"{pair}: back in the review queue" if items[0].complete else
                                         f"{pair}: no longer kept apart", 8000)

    def accept_all_above(self, min_score: float) -> None:
        """Ask (how many pairs merge, which skipped ones stay), merge them as one step, then say what happened.

        What to ask is read off the window's thread: a queue of 100,000 pairs takes seconds to read."""
        if self.workspace is None or self._refuse_if_read_only():
            return
        from omnidesk.core.identity.merge import bulk_accept_plan

        workspace = self.workspace
        if self._planning_bulk is not None:
            return  # the question is on its way
        self.statusBar().showMessage("Reading the pairs to accept…")

        def read(_cancelled):
            yield from ()
            return bulk_accept_plan(workspace, min_score)

        task = Task(read)
        self._planning_bulk = task

        def heard(plan) -> None:
            if self._planning_bulk is not task:
                return
            self._planning_bulk = None
            self.statusBar().clearMessage()
            if self.workspace is not workspace:
                return  # another workspace opened meanwhile: nothing asked about this one
            if isinstance(plan, BaseException):
                self.show_error("Cannot accept the pairs", reason(plan, workspace))
                return
            self._ask_and_accept(plan, min_score)

        task.signals.finished.connect(heard)
        task.signals.failed.connect(heard)
        self.runner.start(task)

    def _ask_and_accept(self, plan, min_score: float) -> None:
        pairs, skipped, held = plan.pairs, plan.skipped, plan.held
        if not pairs:
            alone = []
            if held:
                alone.append(f"{held:,} pair{'s' if held != 1 else ''} with a conflict, names in two scripts or "
                             "nothing but a name "
                             f"{'score' if held != 1 else 'scores'} as much: those are decided one by one.")
            if skipped:
                alone.append("Skipped pairs are decided one by one.")
            self.show_info("Accept all at or above", f"No pair Omnidesk can merge in bulk scores {min_score:.1f} "
                           "bits or more." + "".join(" " + line for line in alone))
            return
        names = plan.names
        # Each name set apart: a Hebrew one turned the pair round, its score between the names.
        shown = [(f"{isolated(str(names.get(r.left_id, r.left_id)))} ~ "
                  f"{isolated(str(names.get(r.right_id, r.right_id)))}", r.score) for r in pairs]
        if not self.confirm_bulk_accept(shown, skipped, min_score, held):
            return
        before = self.workspace.counts()["customers"]

        def done(result) -> None:  # at once, or when a long one ends (in the background)
            self.show_bulk_accept_summary(len(result.results), result.gone, skipped, before,
                                          self.workspace.counts()["customers"], result.held)

        self.operations.accept_all([r.id for r in pairs], [c for r in pairs for c in (r.left_id, r.right_id)],
                                   min_score, done)

    def confirm_bulk_accept(self, pairs: list[tuple[str, float]], skipped: int, min_score: float,
                            held: int = 0) -> bool:
        from omnidesk.ui.dialogs.review_dialogs import bulk_accept_question

        box = bulk_accept_question(self, pairs, skipped, min_score, held)
        box.exec()
        clicked = box.clickedButton()
        box.deleteLater()
        return clicked is not None and clicked.objectName() == "mergeButton"

    def show_bulk_accept_summary(self, merged: int, gone: int, skipped: int, before: int, after: int,
                                 held: int = 0) -> None:
        from omnidesk.ui.dialogs.review_dialogs import bulk_accept_summary

        box = bulk_accept_summary(self, merged, gone, skipped, before, after, held)
        box.exec()
        box.deleteLater()

    def find_duplicates(self) -> None:
        """Look for more matches across the whole workspace, off the UI thread, with progress and Cancel."""
        if self.workspace is None or self._refuse_if_read_only():
            return

        def done(stats) -> None:
            merged, queued = stats.auto_merged, stats.queued
            self.statusBar().showMessage(
                f"Find Duplicates merged {merged:,} customer{'s' if merged != 1 else ''} automatically; "
                f"{queued:,} new pair{'s' if queued != 1 else ''} to review", 10000)

        self.operations.find_duplicates(done)

    def _update_status(self) -> None:
        if self.workspace is None:
            return
        counts = self.workspace.counts()
        where = str(self.workspace.path) if self.workspace.path else self.workspace.name
        self.summary.setText(
            f"{where}  ·  {counted(counts['customers'], 'customer')}  "
            f"·  {counted(counts['source_records'], 'record')}  ·  {counted(counts['events'], 'event')}"
            + ("  ·  read-only" if self.read_only else "")
        )
        self._update_review_badge()

    def import_files_dialog(self) -> None:
        if self.workspace is not None and self._refuse_import_while_missing():
            return  # not even the files asked for
        files = self.ask_import_files()
        if files:
            self.import_files(files)

    def _refuse_import_while_missing(self) -> bool:
        """True (after saying so) while the workspace's file is not where it was opened: an import
        would go into a file nobody finds again."""
        from omnidesk.ui.operations import REOPEN

        assert self.workspace is not None
        moved = self.workspace.moved_away(REOPEN)
        if moved is not None:
            self.show_error("Cannot import file", moved)
        return moved is not None

    def import_files(self, files: list[Path]) -> None:
        """Open the import wizard on ``files``; finished imports land on the undo stack."""
        if self.workspace is None or self._refuse_if_read_only() or self._refuse_import_while_missing():
            return
        try:
            # A zip export (Mailchimp's audience) is imported as the CSV files inside it, unpacked
            # only while the wizard is open: a copy left behind would outlive an erase.
            files = self.unpacked.expand(files)
        except UserError as exc:
            if self.import_wizard is None:
                self.unpacked.close()
            self.show_error("Cannot import file", str(exc))
            return
        if self.import_wizard is not None and self.import_wizard.isVisible():
            self.import_wizard.add_files(list(files))
            self.import_wizard.raise_()
            return
        from omnidesk.core.importing.pipeline import ImportOptions
        from omnidesk.ui.dialogs.import_wizard import ImportWizard

        wizard = ImportWizard(self.workspace, list(files), self.runner, self, expand=self.unpacked.expand,
                              empty_member=self.unpacked.empty_member, skipped=self.unpacked.skipped)

        def on_finished(results) -> None:
            runs = [(plan, result) for plan, result in wizard.runs if result.batch_id]
            if runs:
                self.operations.imported(
                    # Every choice made in the wizard (the phone country too): a redo that imports
                    # the file again reads it as it was read.
                    [(plan.path, ImportOptions.from_plan(plan), plan.file_hash) for plan, _ in runs],
                    [result.batch_id for _, result in runs],
                    Changes(customer_list=True, reviews=True, imports=True))
            summaries = [r.summary() for r in results]
            self.statusBar().showMessage(
                f"Imported {sum(s['imported'] for s in summaries):,} rows from {len(summaries)} file(s); "
                f"{sum(s['flagged'] for s in summaries):,} flagged", 10000
            )
            self.importFinished.emit(summaries)

        wizard.importsFinished.connect(on_finished)
        wizard.importsFailed.connect(self.importFailed)
        wizard.finished.connect(self._wizard_closed)
        self.import_wizard = wizard
        self._quit_asks_first.watch(True)
        wizard.open()

    def _wizard_closed(self, _result: int) -> None:
        self._quit_asks_first.watch(False)
        if self.import_wizard is not None:
            self.import_wizard.deleteLater()
            self.import_wizard = None
        # Its files were read and imported (or not): unpacked copies go now.  Redoing such an
        # import later says the file is gone rather than keep a raw copy of people around.
        self.unpacked.close()

    def undo_import(self, batch_id: int) -> None:
        """The Imports screen's Undo: one step on the undo stack (so an earlier import redone cannot
        bring the file back unasked); a very big import is taken back for good, and the question says so."""
        if self.workspace is None or self._refuse_if_read_only():
            return
        from omnidesk.core.importing.batches import UNDOABLE_RECORDS, list_batches, undo_also_did

        batch = next((b for b in list_batches(self.workspace) if b["id"] == batch_id), None)
        if batch is None:
            return
        undoable = batch["imported"] <= UNDOABLE_RECORDS
        again = ("Edit › Undo brings it back." if undoable else
                 f"It holds more than {UNDOABLE_RECORDS:,} records, so this cannot be taken back with "
                 "Edit › Undo, and the steps before it are forgotten; import the file again to bring it back.")
        if not self.confirm("Undo import", f"Remove everything {batch['file_name']} added? Customers that came "
                            f"only from this file disappear; others lose this file's values. {again}"):
            return
        removed = self.operations.remove_import(batch_id, batch["file_name"], undoable=undoable)
        if removed is None:
            return
        self.statusBar().showMessage(
            f"Undid import {batch_id}: removed {counted(removed['source_records'], 'record')} "
            f"and {counted(removed['customers'], 'customer')}{undo_also_did(removed)}", 10000
        )

    # -- help --------------------------------------------------------------------------

    def about_text(self) -> str:
        import sqlite3
        import sys

        from PySide6 import __version__ as pyside_version
        from PySide6.QtCore import qVersion

        licences = paths.resource_path("licenses")
        return (
            f"<h3>Omnidesk {__version__}</h3>"
            "<p>Offline omnichannel marketing for small businesses.</p>"
            f"<p>Python {sys.version.split()[0]} · Qt {qVersion()} (PySide6 {pyside_version}) · "
            f"SQLite {sqlite3.sqlite_version}</p>"
            # Qt is LGPL-3.0: the user is told, and told where the licences are.
            "<p>Omnidesk uses Qt under the GNU LGPL version 3, and other open-source components. "
            "Their licences and notices are in "
            f'<a href="{licences.as_uri()}">{html.escape(str(licences))}</a>.</p>'
        )

    def show_about(self) -> None:
        QMessageBox.about(self, "About Omnidesk", self.about_text())
