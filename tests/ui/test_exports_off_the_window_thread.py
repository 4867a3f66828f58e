"""An import's error report and a customer's data and timeline are written off the window's thread:
the window keeps answering meanwhile, the status bar shows the work with Cancel, a cancelled export
leaves no file, and one that cannot be written says why."""

from __future__ import annotations

import csv
import json
import threading
import zipfile

import pytest
from PySide6.QtCore import Qt, QTimer

from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.timeline import EXPORT_HEADER
from omnidesk.core.workspace import Workspace
from omnidesk.ui.tasks import TaskRunner
from omnidesk.ui.views import imports_view
from omnidesk.ui.views.customer import person, timeline
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
    return imports_on_list_of(window, flagged=5)


def imports_on_list_of(window, *, flagged: int):
    window.show_screen("imports")
    imports = window.screens["imports"]
    imports.table.selectRow(0)
    assert imports.selected_batch()["flagged"] == flagged
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


@pytest.fixture
def card(shop, monkeypatch):
    """Ann's card, with what it says in message boxes noted."""
    shop.open_customer(1)
    view = shop.customer_view
    said: list[tuple[str, str, str]] = []
    monkeypatch.setattr(view, "show_info", lambda title, text: said.append(("info", title, text)))
    monkeypatch.setattr(view, "show_error", lambda title, text: said.append(("error", title, text)))
    view.said = said
    return view


def test_person_data_is_written_off_the_window_thread(shop, card, qtbot, out_dir, monkeypatch):
    out = out_dir / "ann.zip"
    monkeypatch.setattr(card, "ask_person_export_path", lambda: out)
    seen = watched(monkeypatch, person, "export_person")
    with qtbot.waitSignal(card.personExported, timeout=10_000):
        started(qtbot, seen, lambda: qtbot.mouseClick(card.export_person_button, Qt.MouseButton.LeftButton))
    ran_off_the_window_thread(seen)
    assert [m[:2] for m in card.said] == [("info", "Person data exported")] and str(out) in card.said[0][2]
    with zipfile.ZipFile(out) as z:
        assert z.testzip() is None
        assert json.loads(z.read("person.json"))["customer"]["email"] == "ann@example.com"
    assert sorted(p.name for p in out_dir.iterdir()) == ["ann.zip"]


def test_the_timeline_is_written_off_the_window_thread(shop, card, qtbot, out_dir, monkeypatch):
    out = out_dir / "ann timeline.csv"
    monkeypatch.setattr(card, "ask_export_path", lambda: out)
    seen = watched(monkeypatch, timeline, "export_timeline")
    with qtbot.waitSignal(card.timelineExported, timeout=10_000):
        started(qtbot, seen, lambda: qtbot.mouseClick(card.export_button, Qt.MouseButton.LeftButton))
    ran_off_the_window_thread(seen)
    assert card.said == []
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == list(EXPORT_HEADER) and len(rows) > 1
    assert sorted(p.name for p in out_dir.iterdir()) == ["ann timeline.csv"]


@pytest.mark.parametrize("which", ["person", "timeline"])
def test_a_cancelled_customer_export_leaves_no_file(shop, card, qtbot, out_dir, monkeypatch, which):
    out = out_dir / ("ann.zip" if which == "person" else "ann.csv")
    if which == "person":
        monkeypatch.setattr(card, "ask_person_export_path", lambda: out)
        seen = watched(monkeypatch, person, "export_person", wait_for_cancel=True)
        button, signal = card.export_person_button, card.personExported
    else:
        monkeypatch.setattr(card, "ask_export_path", lambda: out)
        seen = watched(monkeypatch, timeline, "export_timeline", wait_for_cancel=True)
        button, signal = card.export_button, card.timelineExported
    with qtbot.assertNotEmitted(signal):
        started(qtbot, seen, lambda: qtbot.mouseClick(button, Qt.MouseButton.LeftButton))
        cancel(qtbot, shop)
        qtbot.waitUntil(lambda: not shop.operations.busy, timeout=10_000)
    assert card.said == []
    assert shop.statusBar().currentMessage() == "Export cancelled: no file was written."
    assert list(out_dir.iterdir()) == []


@pytest.mark.parametrize("which", ["person", "timeline"])
def test_a_customer_export_into_a_folder_that_cannot_be_written_says_why(shop, card, qtbot, tmp_path,
                                                                         monkeypatch, which):
    (tmp_path / "not a folder").write_text("a file")
    out = tmp_path / "not a folder" / ("ann.zip" if which == "person" else "ann.csv")
    if which == "person":
        monkeypatch.setattr(card, "ask_person_export_path", lambda: out)
        seen = watched(monkeypatch, person, "export_person")
        button, title = card.export_person_button, "Cannot export person data"
    else:
        monkeypatch.setattr(card, "ask_export_path", lambda: out)
        seen = watched(monkeypatch, timeline, "export_timeline")
        button, title = card.export_button, "Cannot export the timeline"
    started(qtbot, seen, lambda: qtbot.mouseClick(button, Qt.MouseButton.LeftButton))
    qtbot.waitUntil(lambda: bool(card.said), timeout=10_000)
    ran_off_the_window_thread(seen)
    assert [m[:2] for m in card.said] == [("error", title)]
    assert f"Nothing was written to {out}" in card.said[0][2]
    assert (tmp_path / "not a folder").read_text() == "a file"


LONG_NAME = "flagged_contacts_with_a_long_file_name_from_the_shop_2026.csv"


@pytest.fixture
def long_named(window, tmp_path):
    """The window on a shop whose flagged import has a long file name, its long work on the pool."""
    path = tmp_path / "shop.omnidesk"
    rows = [[f"broken{i}@", f"Cy{i}", "2024-03-01", "1.00"] for i in range(3)]
    with Workspace.create(path) as ws:
        import_file(ws, write_csv(tmp_path / LONG_NAME, ["Email", "First Name", "Signed up", "Total"], rows),
                    ImportOptions(channel="shop"))
    window.set_workspace(Workspace.open(path))
    window.operations.runner = TaskRunner()
    return window


@pytest.mark.parametrize("size", [(1024, 640), (1920, 1080)])
def test_the_work_in_the_status_bar_is_cut_to_its_room_never_under_the_bar(
        long_named, qtbot, out_dir, monkeypatch, size):
    """At 1024 pixels "Writing the error report of <a long file name>…" ran under the progress bar,
    and the workspace's summary to its left was cut short."""
    long_named.resize(*size)
    qtbot.waitUntil(lambda: long_named.width() == size[0])
    imports = imports_on_list_of(long_named, flagged=3)
    monkeypatch.setattr(imports, "ask_error_report_path", lambda name: out_dir / "problems.csv")
    seen = watched(monkeypatch, imports_view, "write_batch_error_report", wait_for_cancel=True)
    started(qtbot, seen, lambda: qtbot.mouseClick(imports.report_button, Qt.MouseButton.LeftButton))
    work, summary = long_named.work, long_named.summary
    words = f"Writing the error report of {LONG_NAME}…"
    qtbot.waitUntil(lambda: work.isVisible() and work.label.text() == words)
    qtbot.wait(50)  # laid out
    assert work.label.geometry().right() < work.bar.geometry().left()
    assert work.bar.geometry().right() < work.cancel_button.geometry().left()
    assert work.geometry().right() < long_named.statusBar().width()
    assert summary.geometry().right() < work.geometry().left()
    assert work.label.toolTip() == work.label.accessibleName() == words
    label, whole = work.label, summary.text()
    for part in (label, summary):  # what is drawn fits the part
        assert part.fontMetrics().horizontalAdvance(part.shown_text()) <= part.contentsRect().width()
    if size[0] == 1024:
        assert label.shown_text().startswith("Writing the error report of flag")
        assert label.shown_text().endswith("…") and label.shown_text() != words
        # The summary keeps half the bar: cut at its start, the file and every count stay in sight.
        assert summary.width() >= min(summary.sizeHint().width(), long_named.statusBar().width() // 2)
        assert summary.shown_text().endswith(whole[whole.index("shop.omnidesk"):])
    else:
        assert label.shown_text() == words and summary.shown_text() == whole
    cancel(qtbot, long_named)
    qtbot.waitUntil(lambda: not long_named.operations.busy, timeout=10_000)
    assert list(out_dir.iterdir()) == []


def tab_to_cancel(qtbot, window) -> None:
    """Tab along to the status bar's Cancel, as someone on the keyboard does."""
    qtbot.waitUntil(lambda: window.work.cancel_button.isVisible() and window.work.cancel_button.isEnabled())
    for _ in range(120):
        if window.focusWidget() is window.work.cancel_button:
            break
        qtbot.keyClick(window.focusWidget() or window, Qt.Key.Key_Tab)
    assert window.focusWidget() is window.work.cancel_button


@pytest.mark.parametrize("which", ["report", "person", "timeline"])
def test_cancel_pressed_from_the_keyboard_gives_the_keys_back(shop, qtbot, out_dir, monkeypatch, which):
    """Cancel pressed with the keyboard left nothing focused on the Imports screen and the card:
    the next key went nowhere.  The keys go back to the button the work was started from."""
    shop.activateWindow()
    if which == "report":
        imports = imports_on_list(shop)
        monkeypatch.setattr(imports, "ask_error_report_path", lambda name: out_dir / "problems.csv")
        seen = watched(monkeypatch, imports_view, "write_batch_error_report", wait_for_cancel=True)
        button, done = imports.report_button, lambda: imports.report_status.text().startswith("Report cancelled")
    else:
        shop.open_customer(1)
        card = shop.customer_view
        monkeypatch.setattr(card, "ask_person_export_path", lambda: out_dir / "ann.zip")
        monkeypatch.setattr(card, "ask_export_path", lambda: out_dir / "ann.csv")
        if which == "person":
            seen = watched(monkeypatch, person, "export_person", wait_for_cancel=True)
            button = card.export_person_button
        else:
            seen = watched(monkeypatch, timeline, "export_timeline", wait_for_cancel=True)
            button = card.export_button
        done = lambda: shop.statusBar().currentMessage() == "Export cancelled: no file was written."  # noqa: E731
    button.setFocus()
    qtbot.waitUntil(lambda: shop.focusWidget() is button)
    started(qtbot, seen, lambda: qtbot.keyClick(button, Qt.Key.Key_Space))
    tab_to_cancel(qtbot, shop)
    qtbot.keyClick(shop.work.cancel_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: not shop.operations.busy and done(), timeout=10_000)
    assert shop.focusWidget() is button, shop.focusWidget()
    assert list(out_dir.iterdir()) == []


@pytest.fixture
def clean_too(shop, tmp_path):
    """The shop, which also imported a clean file after its list of flagged rows (before its
    Imports screen was first shown)."""
    with Workspace.open(tmp_path / "shop.omnidesk") as ws:
        import_file(ws, write_csv(tmp_path / "clean.csv", ["Email"], [["dee@example.com"]]),
                    ImportOptions(channel="shop"))
    return shop


def test_an_error_report_says_how_it_went_beside_its_own_import_only(clean_too, qtbot, out_dir, monkeypatch):
    """Another import selected while a report was written showed "Saved 5 rows to problems.csv."
    beside that other import, as if it were its report."""
    shop = clean_too
    shop.show_screen("imports")
    imports = shop.screens["imports"]

    def select(name):
        row = next(r for r in range(imports.model.rowCount()) if imports.model.batch(r)["file_name"] == name)
        imports.table.selectRow(row)

    select("list.csv")
    monkeypatch.setattr(imports, "ask_error_report_path", lambda name: out_dir / "problems.csv")
    gate = threading.Event()
    real = imports_view.write_batch_error_report

    def held(*args, **kwargs):
        gate.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(imports_view, "write_batch_error_report", held)
    imports.report_button.setFocus()
    qtbot.keyClick(imports.report_button, Qt.Key.Key_Space)
    assert shop.operations.busy and imports.report_status.text() == "Writing problems.csv…"
    select("clean.csv")
    assert imports.report_status.text() == ""
    select("list.csv")  # its report still being written: the line says so again
    assert imports.report_status.text() == "Writing problems.csv…"
    select("clean.csv")
    gate.set()
    qtbot.waitUntil(lambda: not shop.operations.busy, timeout=10_000)
    qtbot.waitUntil(lambda: (out_dir / "problems.csv").exists())
    assert imports.selected_batch()["file_name"] == "clean.csv"
    assert imports.report_status.text() == ""
    assert shop.statusBar().currentMessage() == "Error report of list.csv: Saved 5 rows to problems.csv."
    select("list.csv")  # written: no "Writing…" left behind
    assert imports.report_status.text() == ""
