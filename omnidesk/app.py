"""Builds the QApplication and the main window around a workspace."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from omnidesk.core import paths


def make_settings() -> QSettings:
    """Window geometry and recent files; an INI file in the user's config location."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, paths.APP_AUTHOR, paths.APP_NAME)


def create_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("Omnidesk")
    app.setOrganizationName(paths.APP_AUTHOR)
    app.setApplicationDisplayName("Omnidesk")
    # Lets Wayland and desktop shells match windows to packaging/omnidesk.desktop (its icon).
    app.setDesktopFileName("omnidesk")
    icon = paths.resource_path("icons", "omnidesk.svg")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    theme = paths.resource_path("themes", "base.qss")
    if theme.exists():
        # Only spacing and emphasis: colours come from the system palette (light or dark).
        app.setStyleSheet(theme.read_text(encoding="utf-8"))
    from omnidesk.ui.palette import use_readable_secondary

    use_readable_secondary(app)  # every screen's grey captions and notes
    return app


def build_main_window(workspace: Path | None = None, demo: bool = False, settings: QSettings | None = None):
    """The main window, opened on ``workspace``, the demo, the last workspace, or the welcome screen."""
    from omnidesk.ui.main_window import MainWindow

    window = MainWindow(settings or make_settings())
    if demo:
        window.open_demo()
    elif workspace is not None:
        if workspace.exists():
            window.open_workspace(workspace)
        else:
            offer_new_workspace(window, workspace)
    else:
        last = window.settings.value("lastWorkspace", "")
        if last and Path(str(last)).exists():
            window.open_workspace(Path(str(last)))
    return window


def offer_new_workspace(window, path: Path) -> bool:
    """``omnidesk -w PATH`` with nothing at PATH (a typo, or a file moved away): ask first.

    A workspace is made there only when the user says so, as File › New Workspace would
    make it (then the business's basics are asked), and only where one can be: a name
    ending in .omnidesk in a folder that exists.  Otherwise the window says why and
    stays on the welcome screen; nothing is written.  True when a workspace was made.
    """
    from omnidesk.core.workspace import (
        Workspace,
        WorkspaceError,
        workspace_path_problem,
    )

    problem = workspace_path_problem(path)
    if problem:
        window.show_error("Cannot open workspace", f"{problem[0].upper()}{problem[1:]}.")
        return False
    if not window.confirm("Create a workspace?",
                          f"There is no workspace at {path}.\n\nCreate a new, empty workspace there?"):
        return False
    try:
        workspace = Workspace.create(path)
    except WorkspaceError as exc:
        window.show_error("Cannot create workspace", str(exc))
        return False
    if not window.set_workspace(workspace):
        workspace.close()
        return False
    window.ask_workspace_basics()
    return True


def install_damage_handler(window) -> None:
    """A damaged page met anywhere (a screen scrolling onto it) offers the way out, not a crash.

    SQLite only finds a damaged page when something reads it; the errors that
    escape a screen's code reach ``sys.excepthook``.
    """
    previous = sys.excepthook

    def hook(exc_type, exc, tb):
        from omnidesk.core.failures import is_damaged

        workspace = window.workspace
        if workspace is not None and workspace.path is not None and is_damaged(exc):
            window.workspace_damaged(workspace.path)
            return
        previous(exc_type, exc, tb)

    sys.excepthook = hook


def run_app(workspace: Path | None = None, demo: bool = False) -> int:
    from PySide6.QtCore import QThreadPool

    app = create_application()
    window = build_main_window(workspace, demo)
    install_damage_handler(window)
    window.show()
    code = app.exec()
    # The window waits for its work before it closes; nothing may still run as Python shuts down.
    QThreadPool.globalInstance().waitForDone(30_000)
    return code
