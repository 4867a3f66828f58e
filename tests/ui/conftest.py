from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from omnidesk.app import build_main_window, create_application
from omnidesk.ui.main_window import MainWindow
from omnidesk.ui.tasks import TaskRunner


@pytest.fixture
def settings(tmp_path):
    """A private settings file per test: recent files and geometry never leak between tests."""
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, settings):
    create_application()
    win = MainWindow(settings, runner=TaskRunner(inline=True))
    qtbot.addWidget(win)
    win.show()
    return win


@pytest.fixture
def demo_window(qtbot, settings, tmp_path_factory):
    """The main window opened on a small demo workspace (built once per test run)."""
    create_application()
    win = build_main_window(demo=True, settings=settings)
    win.runner = TaskRunner(inline=True)
    qtbot.addWidget(win)
    win.show()
    return win
