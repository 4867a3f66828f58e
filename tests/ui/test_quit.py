"""Quitting while work runs: the window asks, stops the work (rolled back) and waits for it, and the
process ends cleanly; work a task does never outlives the window that started it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.ui.tasks import TaskRunner
from tests.helpers import write_csv
from tests.workspace_dump import differences, dump

HEADER = ["First Name", "Last Name", "Email", "City"]


@pytest.fixture
def shop(ws, tmp_path):
    """The workspace's path: the window opens it as a user would."""
    import_file(ws, write_csv(tmp_path / "a.csv", HEADER, [["Gus", "Hale", "gus@example.com", "Bangor"]]),
                ImportOptions(channel="shop"))
    import_file(ws, write_csv(tmp_path / "b.csv", HEADER, [["Gus", "Hale", "g@other.example", "Bangor"]]),
                ImportOptions(channel="email"))
    ws.set_setting("match_review_threshold", 3.0)  # so Find Duplicates has a pair to find
    return ws.path



def running_window(window, shop):
    window.runner = window.operations.runner = TaskRunner()
    assert window.open_workspace(shop)
    window.workspace.busy_timeout = 30  # Find Duplicates waits for the lock, as for a long import
    window.duplicates_action.trigger()
    assert window.operations.busy and window.work.cancel_button.isVisible()
    return window


def test_quitting_during_find_duplicates_asks_then_stops_it_and_closes_when_it_has(window, shop, lock, qtbot,
                                                                                    monkeypatch):
    before = dump(shop)
    asked = []
    monkeypatch.setattr(window, "ask_stop_work", lambda what: asked.append(what) or True)
    running_window(window, shop)
    assert not window.close()  # it cannot stop while it waits for the lock: the window stays, and says so
    assert asked == ["Find Duplicates"] and window.isVisible()
    assert window.statusBar().currentMessage().startswith("Stopping…")
    lock.rollback()  # the other import ends; Find Duplicates sees the cancel and rolls back
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=30000)
    assert window.runner.running() == []
    assert differences(before, dump(shop)) == []


def test_keep_working_leaves_the_work_running_and_the_window_open(window, shop, lock, qtbot, monkeypatch):
    monkeypatch.setattr(window, "ask_stop_work", lambda what: False)
    running_window(window, shop)
    assert not window.close() and window.isVisible() and window.operations.busy
    lock.rollback()
    qtbot.waitUntil(lambda: not window.operations.busy, timeout=30000)
    assert window.undo_action.text().replace("&", "") == "Undo Find Duplicates (0 merges, 1 new pair to review)"
    assert window.close()


def test_the_process_ends_cleanly_when_the_window_closes_over_running_work(shop):
    """A walk of the app once printed "Fatal Python error: bool_dealloc" at quit: tasks outlived the window."""
    script = textwrap.dedent(f"""
        import os, sys
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from pathlib import Path
        from PySide6.QtCore import QSettings, QTimer
        from omnidesk.app import create_application
        from omnidesk.ui.main_window import MainWindow

        app = create_application()
        window = MainWindow(QSettings(str(Path({str(shop)!r}).with_suffix(".ini")), QSettings.Format.IniFormat))
        window.ask_stop_work = lambda what: True
        window.open_workspace(Path({str(shop)!r}))
        window.show()
        for n in range(3):
            window.operations.find_duplicates()
            window.close()
            window.show()
        QTimer.singleShot(0, window.close)
        QTimer.singleShot(0, app.quit)
        sys.exit(app.exec())
    """)
    for _ in range(2):
        run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        assert "Fatal Python error" not in run.stderr and "Traceback" not in run.stderr, run.stderr


@pytest.fixture
def held_import(window, shop, tmp_path, qtbot, monkeypatch):
    """The window's import wizard importing customers.csv, held as it links records (a big file's
    longest step) until the test lets it go on; yields (wizard, release, the workspace before it)."""
    import threading

    from omnidesk.core.importing import pipeline
    from omnidesk.core.tasks import Progress
    from omnidesk.ui.dialogs.import_wizard import CHECK_PAGE, IMPORT_PAGE

    linking, release, armed = threading.Event(), threading.Event(), threading.Event()
    real = pipeline.resolve_batch_steps

    def held_linking(*args, **kwargs):
        if armed.is_set():  # the import itself, not its trial run
            yield Progress(0, 0, "Comparing records")
            linking.set()
            release.wait(60)
        return (yield from real(*args, **kwargs))

    monkeypatch.setattr(pipeline, "resolve_batch_steps", held_linking)
    window.runner = window.operations.runner = TaskRunner()
    assert window.open_workspace(shop)
    before = dump(shop)
    rows = [[f"p{i}", "Hale", f"p{i}@example.com", "Bangor"] for i in range(20)]
    window.import_files([write_csv(tmp_path / "customers.csv", HEADER, rows)])
    wizard = window.import_wizard
    qtbot.waitUntil(lambda: bool(wizard.plans) and not wizard.reading, timeout=10000)
    while wizard.currentId() != CHECK_PAGE:
        wizard.next()
    qtbot.waitUntil(wizard.check_page.isComplete, timeout=10000)
    armed.set()
    wizard.next()
    assert wizard.currentId() == IMPORT_PAGE
    qtbot.waitUntil(linking.is_set, timeout=10000)
    yield wizard, release, before
    release.set()


def test_quitting_during_the_wizards_import_asks_and_keep_working_leaves_it_running(window, shop, held_import,
                                                                                    qtbot, monkeypatch):
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    wizard, release, _before = held_import
    asked = []
    monkeypatch.setattr(window, "ask_stop_work", lambda what: asked.append(what) or False)
    assert not window.close()
    # The application asked to quit (the Dock's Quit, a logout): the wizard in front is not closed unasked.
    QApplication.sendEvent(QApplication.instance(), QEvent(QEvent.Type.Quit))
    assert asked == ["The import of customers.csv"] * 2
    assert window.isVisible() and wizard.isVisible() and wizard.import_page.running
    assert not wizard.active_task().cancelled
    release.set()
    # Its outcome, not only its end: the task is done on its thread a moment before the window hears it.
    qtbot.waitUntil(lambda: wizard.import_page.outcome is not None, timeout=30000)
    assert wizard.import_page.outcome.cancelled_at is None and len(wizard.import_page.outcome.runs) == 1


def test_the_application_is_watched_for_a_quit_only_while_the_wizard_is_open(settings, shop, tmp_path, qtbot,
                                                                             monkeypatch):
    """Watching the application is a Python call for every event of every widget: without the
    wizard, opening a dialog is not slowed by it."""
    from PySide6.QtWidgets import QApplication

    from omnidesk.ui import main_window

    watched = []
    real = main_window._QuitAsksFirst.eventFilter
    monkeypatch.setattr(main_window._QuitAsksFirst, "eventFilter",
                        lambda self, obj, event: watched.append(event.type()) or real(self, obj, event))
    window = main_window.MainWindow(settings, runner=TaskRunner(inline=True))  # made with the filter counted
    qtbot.addWidget(window)
    window.show()

    def open_preferences() -> None:
        window.show_preferences()
        QApplication.processEvents()
        window.preferences_dialog.reject()
        QApplication.processEvents()

    assert window.open_workspace(shop)
    open_preferences()
    assert watched == []
    window.import_files([write_csv(tmp_path / "customers.csv", HEADER, [["Ann", "Lee", "ann@example.com", "Bath"]])])
    wizard = window.import_wizard
    qtbot.waitUntil(lambda: bool(wizard.plans) and not wizard.reading, timeout=10000)
    assert watched  # the wizard open, a quit asked for is watched for
    wizard.reject()
    QApplication.processEvents()
    assert window.import_wizard is None
    watched.clear()
    open_preferences()
    assert watched == []


def test_the_wizard_left_open_closes_with_the_window_and_the_watch_with_it(settings, shop, tmp_path, qtbot,
                                                                           monkeypatch):
    """A wizard still open when the window closes would sit on the workspace the window closed."""
    from PySide6.QtCore import QObject
    from PySide6.QtWidgets import QApplication

    from omnidesk.ui import main_window

    watched = []
    real = main_window._QuitAsksFirst.eventFilter
    monkeypatch.setattr(main_window._QuitAsksFirst, "eventFilter",
                        lambda self, obj, event: watched.append(event.type()) or real(self, obj, event))
    window = main_window.MainWindow(settings, runner=TaskRunner(inline=True))
    qtbot.addWidget(window)
    window.show()
    assert window.open_workspace(shop)
    window.import_files([write_csv(tmp_path / "customers.csv", HEADER, [["Ann", "Lee", "ann@example.com", "Bath"]])])
    wizard = window.import_wizard
    qtbot.waitUntil(lambda: bool(wizard.plans) and not wizard.reading, timeout=10000)
    assert window.close()
    QApplication.processEvents()
    assert window.import_wizard is None
    watched.clear()
    passing = QObject()
    passing.deleteLater()
    QApplication.processEvents()
    assert watched == []


def test_stop_and_quit_during_the_wizards_import_rolls_it_back_and_closes(window, shop, held_import, qtbot,
                                                                        monkeypatch):
    _wizard, release, before = held_import
    asked = []
    monkeypatch.setattr(window, "ask_stop_work", lambda what: asked.append(what) or True)
    assert not window.close()  # held, it cannot stop at once: the window stays, and says so
    assert asked == ["The import of customers.csv"]
    assert window.statusBar().currentMessage().startswith("Stopping…")
    release.set()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=30000)
    assert window.runner.running() == []
    assert differences(before, dump(shop)) == []


def test_the_import_page_promises_only_what_is_so_while_the_window_waits_for_it(window, held_import, qtbot):
    from PySide6.QtCore import Qt

    wizard, release, _before = held_import
    assert wizard.windowModality() == Qt.WindowModality.WindowModal  # the window waits for the wizard
    assert wizard.import_page.subTitle() == (
        "Each file is saved completely or not at all: nothing of it is saved until the whole file is in, "
        "so you can cancel at any time.")
    release.set()
    qtbot.waitUntil(lambda: not wizard.import_page.running, timeout=30000)
