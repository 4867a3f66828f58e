"""A workspace named in a save dialog without its ending gets it: File › Open lists only *.omnidesk."""

from __future__ import annotations

import pytest

from PySide6.QtWidgets import QFileDialog

from omnidesk.core.workspace import Workspace


@pytest.fixture
def typed(monkeypatch, tmp_path):
    """Whatever the save dialog is given to answer."""
    answer = {}
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(tmp_path / answer["name"]), "")))
    return answer


@pytest.mark.parametrize("name, made", [("J. Smith & Co", "J. Smith & Co.omnidesk"),
                                        ("Shop v1.5", "Shop v1.5.omnidesk"),
                                        ("Harbor backup", "Harbor backup.omnidesk"),
                                        ("notes.txt", "notes.txt.omnidesk"),
                                        ("Shop.omnidesk", "Shop.omnidesk"),
                                        ("SHOP.OMNIDESK", "SHOP.OMNIDESK")])
def test_new_save_a_copy_and_recover_name_a_workspace_file_open_lists(window, typed, tmp_path, name, made):
    typed["name"] = name
    assert window.ask_new_path().name == made
    assert window.ask_recover_path(tmp_path / "damaged.omnidesk").name == made
    path = tmp_path / "shop.omnidesk"
    Workspace.create(path).close()
    assert window.open_workspace(path)
    assert window.ask_copy_path().name == made


def test_save_a_copy_typed_without_the_ending_writes_a_workspace_open_lists(window, typed, tmp_path):
    path = tmp_path / "shop.omnidesk"
    Workspace.create(path).close()
    assert window.open_workspace(path)
    typed["name"] = "Harbor backup"
    window.save_copy()
    assert (tmp_path / "Harbor backup.omnidesk").is_file() and not (tmp_path / "Harbor backup").exists()
    assert (tmp_path / "Harbor backup.omnidesk") in tmp_path.glob("*.omnidesk")
