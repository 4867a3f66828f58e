"""Qt test setup: one application for the run, and nothing a test shows outlives it."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime

import pytest
import time_machine
from PySide6.QtCore import QEvent, QSettings
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from omnidesk.app import build_main_window, create_application
from omnidesk.core import paths
from omnidesk.core.demo import build_demo
from omnidesk.ui.main_window import MainWindow
from omnidesk.ui.tasks import TaskRunner


@pytest.fixture(scope="session")
def qapp():
    """The application as omnidesk sets it up (names, icon, style sheet), once per run.

    Overrides pytest-qt's ``qapp``, so every test that uses ``qtbot`` runs in it.  Once,
    because setting a style sheet re-polishes every widget alive.
    """
    return create_application()


@pytest.fixture(autouse=True)
def widgets_deleted_after_each_test(qapp):
    """The widgets qtbot closed after a test are deleted before the next one starts.

    qtbot closes them and calls ``deleteLater``, which waits for an event loop that most
    tests never run again: windows with their screens, models and workspaces piled up
    through the run, and anything that walks every widget got slower test by test.
    """
    yield
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


# Checks a dialog may wait for an answer, one a second, before it is taken for one nobody will give.
_DIALOG_PATIENCE = 60


@pytest.fixture(autouse=True)
def no_dialog_left_waiting(qapp):
    """A modal dialog no test answers fails the test that opened it, naming it, instead of
    holding the whole run until it is killed.

    A question or a warning the code did not expect to ask (a write that failed, a change
    noticed elsewhere) waits for a click that never comes.  A timer (Qt's clock, which no
    frozen test clock touches) looks once a second; a modal dialog still up after a minute
    is written down and closed, and the test fails after it with the dialog's words.
    """
    from PySide6.QtCore import QTimer

    waiting: dict[int, int] = {}
    stuck: list[str] = []

    def look() -> None:
        box = QApplication.activeModalWidget()
        if box is None:
            waiting.clear()
            return
        waiting[id(box)] = waiting.get(id(box), 0) + 1
        if waiting[id(box)] >= _DIALOG_PATIENCE:
            words = " ".join(getattr(box, name)() for name in ("windowTitle", "text", "informativeText")
                             if callable(getattr(box, name, None)))
            stuck.append(f"{type(box).__name__}: {words}")
            box.done(0)

    timer = QTimer()
    timer.timeout.connect(look)
    timer.start(1000)
    yield
    timer.stop()
    assert not stuck, f"a dialog waited for an answer no test gave: {stuck}"


# Points: a large system font, as people who need one set it.
BIG_FONT = 14


@pytest.fixture
def big_font(qapp):
    """The app font at 14 pt for one test, as a large system font gives it; the usual one after.

    Asked for before ``demo_window`` or ``window`` (or by a fixture they follow), the window is
    built under it."""
    old = QApplication.font()
    font = QFont(old)
    font.setPointSize(BIG_FONT)
    QApplication.setFont(font)
    yield font
    QApplication.setFont(old)


@pytest.fixture
def big_window(big_font, demo_window):
    """The demo workspace's window, built under the large font."""
    return demo_window


@pytest.fixture
def settings(tmp_path):
    """A private settings file per test: recent files and geometry never leak between tests."""
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    """A test over, its windows close without asking about a segment, a campaign or a message it left changed:
    the question is a modal box nobody is there to answer (the windows close before any fixture's
    teardown, so it is said here, between the test and its teardown).  Tests of the question answer
    it while they run."""
    yield
    if QApplication.instance() is not None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow):
                widget.ask_save_segment_changes = lambda *_args: "discard"
                widget._screen_edits_may_go = lambda: True


@pytest.fixture
def window(qtbot, settings):
    win = MainWindow(settings, runner=TaskRunner(inline=True))
    qtbot.addWidget(win)
    win.show()
    return win


# When the demo template is imported: late in the evening of 1 November in the demo shop's
# zone (New York), already 2 November in UTC, so a screen that shows a UTC day where it means
# the shop's day is caught at any hour the suite runs.
DEMO_IMPORTED_AT = datetime(2026, 11, 2, 3, 30, tzinfo=UTC)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    """A demo workspace built once per run through the real import path; tests get copies."""
    path = tmp_path_factory.mktemp("demo-template") / "demo.omnidesk"
    with time_machine.travel(DEMO_IMPORTED_AT, tick=True):
        build_demo(path, customers=150)
    return path


@pytest.fixture
def demo_window(qtbot, settings, demo_template):
    """The main window opened on a copy of the demo workspace."""
    target = paths.demo_workspace_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(demo_template, target)
    win = build_main_window(demo=True, settings=settings)
    win.runner = TaskRunner(inline=True)
    qtbot.addWidget(win)
    win.show()
    return win


@pytest.fixture
def demo(demo_window):
    """The demo window for the Customers screen's tests: counts still running on the pool end
    before it closes."""
    yield demo_window
    assert demo_window.screens["customers"].runner.wait(10)


@pytest.fixture
def lock(shop):
    """Another process's import: a connection holding the write lock of the module's ``shop``
    workspace until released."""
    holder = sqlite3.connect(shop, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    yield holder
    if holder.in_transaction:
        holder.rollback()
    holder.close()
