"""An import's error report is written off the window's thread:
the window keeps answering meanwhile, the status bar shows the work with Cancel, a cancelled export
leaves no file, and one that cannot be written says why."""

from __future__ import annotations

import csv
import threading

import pytest
from PySide6.QtCore import Qt, QTimer

from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.workspace import Workspace
from omnidesk.ui.tasks import TaskRunner
from omnidesk.ui.views import imports_view
from tests.helpers import write_csv


@pytest.fixture
def shop(window, tmp_path):
    """The window on a shop with an import of flagged rows, its long work on the pool as in the app."""
    path = tmp_path / "shop.omnidesk"
    rows = [["ann@example.com", "Ann", "2024-01-05", "12.50"], ["bo@example.com", "Bo", "2024-02-30", "3.00"]]
    rows += [[f"broken{i}@", f"Cy{i}", "2024-03-01", "1.00"] for i in range(4)]
    with Workspace.create(path) as ws:
        import_file(ws, write_csv(tmp_path / "list.csv", ["Email", "First Name", "Signed up", "Total"], rows),
                    ImportOptions(channel="shop"))
    window.set_workspace(Workspace.open(path))
    window.operations.runner = TaskRunner()
    return window


@pytest.fixture
def out_dir(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def watched(monkeypatch, module, name, *, wait_for_cancel: bool = False) -> dict:
    """Wrap ``module.name`` (the core export): note the thread it runs on and whether the window's
    thread went on answering while it ran (a timer on it fired); with ``wait_for_cancel``, hold the
    export until Cancel was pressed."""
    real = getattr(module, name)
    seen: dict = {"heard": threading.Event()}

    def wrapper(*args, **kwargs):
        seen["thread"] = threading.current_thread()
        seen["window_answered"] = seen["heard"].wait(5)
        if wait_for_cancel:
            cancelled = kwargs["cancelled"]
            for _ in range(500):
                if cancelled():
                    break
                threading.Event().wait(0.01)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return seen


def started(qtbot, seen, click) -> None:
    """Click, with a timer on the window's thread that fires only while that thread is free."""
    QTimer.singleShot(50, seen["heard"].set)
    click()
    qtbot.waitUntil(lambda: "thread" in seen, timeout=10_000)


def ran_off_the_window_thread(seen) -> None:
    assert seen["thread"] is not threading.main_thread()
    assert seen["window_answered"]


def cancel(qtbot, window) -> None:
    qtbot.waitUntil(lambda: window.work.cancel_button.isEnabled())
    qtbot.mouseClick(window.work.cancel_button, Qt.MouseButton.LeftButton)


def imports_on_list(window):
    window.show_screen("imports")
    imports = window.screens["imports"]
    imports.table.selectRow(0)
    assert imports.selected_batch()["flagged"] == 5
    return imports


def test_error_report_is_written_off_the_window_thread(shop, qtbot, out_dir, monkeypatch):
    imports = imports_on_list(shop)
    out = out_dir / "problems.csv"
    monkeypatch.setattr(imports, "ask_error_report_path", lambda name: out)
    seen = watched(monkeypatch, imports_view, "write_batch_error_report")
    with qtbot.waitSignal(imports.errorReportSaved, timeout=10_000):
        started(qtbot, seen, lambda: qtbot.mouseClick(imports.report_button, Qt.MouseButton.LeftButton))
    ran_off_the_window_thread(seen)
    assert imports.report_status.text() == "Saved 5 rows to problems.csv."
    with out.open(encoding="utf-8", newline="") as fh:
        report = list(csv.reader(fh))
    assert report[0][:4] == ["Email", "First Name", "Signed up", "Total"] and len(report) == 6
    assert sorted(p.name for p in out_dir.iterdir()) == ["problems.csv"]
    assert not shop.operations.busy and not shop.work.cancel_button.isEnabled()


def test_a_cancelled_error_report_leaves_no_file(shop, qtbot, out_dir, monkeypatch):
    imports = imports_on_list(shop)
    out = out_dir / "problems.csv"
    monkeypatch.setattr(imports, "ask_error_report_path", lambda name: out)
    seen = watched(monkeypatch, imports_view, "write_batch_error_report", wait_for_cancel=True)
    with qtbot.assertNotEmitted(imports.errorReportSaved):
        started(qtbot, seen, lambda: qtbot.mouseClick(imports.report_button, Qt.MouseButton.LeftButton))
        cancel(qtbot, shop)
        qtbot.waitUntil(lambda: not shop.operations.busy, timeout=10_000)
    assert imports.report_status.text() == "Report cancelled: no file was written."
    assert list(out_dir.iterdir()) == []


def test_an_error_report_into_a_folder_that_cannot_be_written_says_why(shop, qtbot, tmp_path, monkeypatch):
    imports = imports_on_list(shop)
    (tmp_path / "not a folder").write_text("a file")
    out = tmp_path / "not a folder" / "problems.csv"
    monkeypatch.setattr(imports, "ask_error_report_path", lambda name: out)
    seen = watched(monkeypatch, imports_view, "write_batch_error_report")
    with qtbot.assertNotEmitted(imports.errorReportSaved):
        started(qtbot, seen, lambda: qtbot.mouseClick(imports.report_button, Qt.MouseButton.LeftButton))
        qtbot.waitUntil(lambda: imports.report_status.text().startswith("Could not save the report: "),
                        timeout=10_000)
    ran_off_the_window_thread(seen)
    assert imports.report_status.text() != "Could not save the report: "
    assert (tmp_path / "not a folder").read_text() == "a file"
