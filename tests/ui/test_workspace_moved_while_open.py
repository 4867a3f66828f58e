"""The open workspace's file (or its folder) moved or deleted while the window shows it: the window says
so, plainly, with what to do, and changes nothing into a file nobody will find again."""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from PySide6.QtWidgets import QLabel, QMessageBox

from omnidesk.core.workspace import Workspace, WorkspaceError


def _gone(folder) -> str:
    return (f"shop.omnidesk is no longer at {folder}: it was moved or deleted, or its drive was removed. "
            "Put it back, or open it where it is now (File › Open).")


MISSING = "shop.omnidesk is missing — see the note above"


@pytest.fixture
def opened(window, qtbot, tmp_path, empty_workspace_file, monkeypatch):
    folder = tmp_path / "Shop"
    folder.mkdir()
    shop = folder / "shop.omnidesk"
    shutil.copyfile(empty_workspace_file, shop)
    assert window.open_workspace(shop)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    said: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, title, text, *_a, **_k: said.append((title, text)))
    return window, shop, said


def test_the_folder_deleted_is_said_by_the_look_and_by_a_change_and_a_copy_can_still_be_saved(opened, tmp_path,
                                                                                               monkeypatch):
    window, shop, said = opened
    assert window.operations.add_customer({"first_name": "Ann", "email": "ann@example.com"})
    shutil.rmtree(shop.parent)  # a sync tool, or the user, deletes the folder
    window._look_while_in_front()
    assert window.statusBar().currentMessage() == MISSING  # the banner says the rest
    assert window.moved_banner is not None and window.moved_banner.isVisible()
    assert _gone(shop.parent) in window.moved_banner.text()
    assert not window.operations.add_customer({"first_name": "Bob", "email": "bob@example.com"})
    assert said == [("Cannot add the customer", _gone(shop.parent))]
    # What the window still holds can be saved elsewhere.
    rescue = tmp_path / "rescue.omnidesk"
    monkeypatch.setattr(window, "ask_copy_path", lambda: rescue)
    window.save_copy()
    assert said == [("Cannot add the customer", _gone(shop.parent))]
    with Workspace.open(rescue, readonly=True) as copy:
        assert copy.counts()["customers"] == 1


def test_the_file_moved_away_is_said_until_it_is_put_back(opened, tmp_path):
    window, shop, said = opened
    elsewhere = tmp_path / "shop.omnidesk"
    shop.rename(elsewhere)  # moved in the Finder: SQLite would go on writing to it, by no name it looks for
    window._look_while_in_front()
    assert window.statusBar().currentMessage() == MISSING  # the banner says the rest
    assert window.moved_banner.isVisible()
    assert not window.operations.add_customer({"first_name": "Ann", "email": "ann@example.com"})
    assert said == [("Cannot add the customer", _gone(shop.parent))]
    elsewhere.rename(shop)  # put back
    window._look_while_in_front()
    assert not window.moved_banner.isVisible() and window.statusBar().currentMessage() == ""
    assert window.operations.add_customer({"first_name": "Ann", "email": "ann@example.com"})
    assert said == [("Cannot add the customer", _gone(shop.parent))]


def test_opening_the_moved_file_where_it_is_now_takes_it_up_there_with_everything(opened, tmp_path):
    """What the banner asks: File › Open of the file where it is now closes it under its old name
    (its log folded into the file) and opens it by the new one, not "already open in this app"."""
    window, shop, said = opened
    assert window.operations.add_customer({"first_name": "Ann", "email": "ann@example.com"})
    elsewhere = tmp_path / "Shop 2027.omnidesk"
    shop.rename(elsewhere)
    window._look_while_in_front()
    assert window.moved_banner.isVisible()
    assert window.open_workspace(elsewhere)
    assert said == []
    assert window.workspace.path == elsewhere and window.windowTitle().startswith("Shop 2027")
    window._look_while_in_front()
    assert not window.moved_banner.isVisible()
    assert window.operations.add_customer({"first_name": "Bob", "email": "bob@example.com"})
    assert window.workspace.counts()["customers"] == 2
    window.workspace.close()
    assert not (tmp_path / "Shop" / "shop.omnidesk").exists()  # nothing made where it was
    with Workspace.open(elsewhere, readonly=True) as again:  # everything is in the file by its new name
        assert again.counts()["customers"] == 2


@pytest.fixture
def zed_moved(opened, tmp_path):
    """Zed in the workspace (his card open), an upgrade backup beside it that holds him too, and then
    its folder renamed."""
    window, shop, said = opened
    assert window.operations.add_customer({"first_name": "Zed", "email": "zed@example.com"})
    backup = shop.parent / "shop.before-0040-20260101-000000.omnidesk.bak"
    window.workspace.save_copy(backup)
    with window.workspace.engine.connect() as conn:
        zed = conn.exec_driver_sql("select id from customer").scalar()
    window.open_customer(zed)
    moved = tmp_path / "Shop 2027"
    shop.parent.rename(moved)  # the user renames the folder in the Finder
    window._look_while_in_front()
    assert window.moved_banner.isVisible()
    return window, shop, said, zed, moved / shop.name, moved / backup.name


def _zed_still_there(where) -> bool:
    """Read straight from the file (this app holds it open under its old name)."""
    conn = sqlite3.connect(f"{where.as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute("select count(*) from identifier where value = 'zed@example.com'").fetchone()[0] == 1
    finally:
        conn.close()


def test_erase_person_is_refused_without_a_question_while_the_workspace_is_moved(zed_moved, monkeypatch):
    """Erasing is a change like any other: refused, not asked about, nothing erased, and the backup
    beside the file where it now is (which a later erase deletes) still there."""
    window, shop, said, zed, now, backup = zed_moved
    view = window.customer_view
    asked: list[int] = []
    monkeypatch.setattr(view, "confirm_erase", lambda: asked.append(1) or True)
    view.erase_person_button.click()
    assert asked == []
    assert said == [("Cannot erase person", _gone(shop.parent))]
    assert _zed_still_there(now) and backup.exists()


def test_bulk_erase_is_refused_without_a_question_while_the_workspace_is_moved(zed_moved, monkeypatch):
    window, shop, said, zed, now, backup = zed_moved
    asked: list[list] = []
    monkeypatch.setattr(window.bulk, "confirm_erase", lambda ids: asked.append(ids) or True)
    window.bulk.run("erase", [zed])
    assert asked == []
    assert said == [("Cannot erase customers", _gone(shop.parent))]
    assert _zed_still_there(now) and backup.exists()


def test_erase_person_itself_refuses_while_the_workspace_is_moved(zed_moved):
    """Asked straight (a caller that did not look first): still refused, with the same sentence."""
    window, shop, said, zed, now, backup = zed_moved
    with pytest.raises(WorkspaceError) as refused:
        window.operations.erase_person(zed)
    assert str(refused.value) == _gone(shop.parent)
    assert _zed_still_there(now) and backup.exists()


UNREADABLE = "This screen cannot be read while shop.omnidesk is missing — see the note above."


def _page_text(window) -> str:
    """The words on the screen the window shows (its page in the stack)."""
    from PySide6.QtWidgets import QLabel

    page = window.screen_stack.currentWidget()
    return " ".join(label.text() for label in page.findChildren(QLabel) if label.isVisibleTo(page))


@pytest.mark.parametrize("key", ["dashboard", "messages", "campaigns", "imports"])
def test_a_screen_first_shown_after_the_folder_is_deleted_says_why_it_is_empty(opened, qtbot, key, capsys):
    window, shop, said = opened
    shutil.rmtree(shop.parent)
    window._look_while_in_front()
    with qtbot.capture_exceptions() as raised:
        window.nav.setCurrentRow(window.nav.row_of(key))
        qtbot.wait(50)
    assert raised == []
    assert "Traceback" not in capsys.readouterr().err
    assert window.current_screen() == key
    assert _page_text(window) == UNREADABLE  # not a blank pane, nor "Import customers to see…"
    assert key not in window.screens.built() and window.screens.get(key) is None
    assert said == []


def test_a_screen_not_read_while_the_file_was_away_is_read_when_it_is_put_back(opened, qtbot, tmp_path):
    window, shop, said = opened
    assert window.operations.add_customer({"first_name": "Ann", "email": "ann@example.com"})
    moved = tmp_path / "Shop 2027"
    shop.parent.rename(moved)
    window._look_while_in_front()
    window.show_screen("dashboard")
    assert _page_text(window) == UNREADABLE
    window.dashboard_picture_action.trigger()  # nothing to draw, and no traceback
    moved.rename(shop.parent)  # put back
    window._look_while_in_front()
    assert not window.moved_banner.isVisible()
    assert "dashboard" in window.screens.built()
    assert UNREADABLE not in _page_text(window)
    assert said == []


def test_a_customer_card_is_not_opened_while_the_folder_is_gone(opened, qtbot, capsys):
    window, shop, said = opened
    assert window.operations.add_customer({"first_name": "Ann", "email": "ann@example.com"})
    shutil.rmtree(shop.parent)
    window._look_while_in_front()
    with qtbot.capture_exceptions() as raised:
        window.open_customer(1)
    assert raised == []
    assert window.current_screen() == "customers"
    assert said == []


def test_importing_is_off_while_the_file_is_missing_and_the_status_bar_is_short(opened, tmp_path):
    window, shop, said = opened
    customers = window.screens["customers"]
    assert customers.empty.isVisibleTo(window) and customers.empty.button.isEnabled()
    assert window.import_action.isEnabled()
    moved = tmp_path / "Shop 2027"
    shop.parent.rename(moved)
    window._look_while_in_front()
    assert window.moved_banner.isVisible()
    assert window.statusBar().currentMessage() == MISSING
    # Nothing under the banner invites to import into a file that is not there.
    assert not customers.empty.button.isEnabled()
    assert not window.import_action.isEnabled()
    people = tmp_path / "people.csv"
    people.write_text("Email,First Name\nann@example.com,Ann\n", encoding="utf-8")
    window.import_files([people])  # dropped on the window
    assert window.import_wizard is None
    assert said == [("Cannot import file", _gone(shop.parent))]
    window.import_files_dialog()  # the Imports screen's button: refused before a file is asked for
    assert said == [("Cannot import file", _gone(shop.parent))] * 2
    moved.rename(shop.parent)  # put back
    window._look_while_in_front()
    assert window.statusBar().currentMessage() == ""
    assert customers.empty.button.isEnabled() and window.import_action.isEnabled()


def test_an_import_started_in_the_wizard_before_the_file_moved_is_not_made(opened, qtbot, tmp_path):
    """The wizard was open (window-modal: the window's look does not run) when the folder was
    renamed: pressing Import says where the file is no longer and imports nothing into it."""
    from omnidesk.ui.dialogs.import_wizard import CHECK_PAGE, IMPORT_PAGE
    from omnidesk.ui.tasks import TaskRunner
    from tests.helpers import write_csv

    window, shop, said = opened
    window.runner = window.operations.runner = TaskRunner()
    csv = write_csv(tmp_path / "customers.csv", ["First Name", "Email"], [["Ann", "ann@example.com"]])
    window.import_files([csv])
    wizard = window.import_wizard
    qtbot.waitUntil(lambda: bool(wizard.plans) and not wizard.reading, timeout=10000)
    while wizard.currentId() != CHECK_PAGE:
        wizard.next()
    qtbot.waitUntil(wizard.check_page.isComplete, timeout=10000)
    shop.parent.rename(tmp_path / "Shop 2027")
    wizard.next()
    assert wizard.currentId() == IMPORT_PAGE
    # Its outcome, once delivered to the page (the task may be done a moment before).
    qtbot.waitUntil(lambda: wizard.import_page.outcome is not None, timeout=30000)
    outcome = wizard.import_page.outcome
    assert not outcome.runs
    (failed,) = outcome.done
    assert failed.message.startswith(f"shop.omnidesk is no longer at {shop.parent}: it was moved or deleted")
    # The page says it once it has shown the outcome (a moment after the outcome is kept, on a busy machine).
    def shown() -> str:
        return " ".join(w.text() for w in wizard.currentPage().findChildren(QLabel))

    qtbot.waitUntil(lambda: f"shop.omnidesk is no longer at {shop.parent}" in shown(), timeout=10000)
    with window.workspace.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM customer").scalar() == 0
        assert conn.exec_driver_sql("SELECT count(*) FROM import_batch").scalar() == 0
    wizard.reject()
