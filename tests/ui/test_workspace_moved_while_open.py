"""The open workspace's file (or its folder) moved or deleted while the window shows it: the window says
so, plainly, with what to do, and changes nothing into a file nobody will find again."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtWidgets import QMessageBox

from omnidesk.core.workspace import Workspace


def _gone(folder) -> str:
    return (f"shop.omnidesk is no longer at {folder}: it was moved or deleted, or its drive was removed. "
            "Put it back, or open it where it is now (File › Open).")


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
    assert window.statusBar().currentMessage() == _gone(shop.parent)
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
    assert window.statusBar().currentMessage() == _gone(shop.parent)
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
