"""A name typed without its ending in a save dialog: the file with the ending added is asked about
before it is replaced (the dialog itself asked about the name as typed only, a file not there)."""

from __future__ import annotations

import zipfile

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from tests.helpers import run_cli, write_csv

PRECIOUS = b"my precious accounts archive"


@pytest.fixture
def typed(monkeypatch):
    """The save dialog returns what the user typed; each "Replace?" question is noted and answered."""
    asked: list[str] = []
    answer = {"replace": False, "typed": ""}

    def question(parent, title, text, *args, **kwargs):
        asked.append(text)
        return QMessageBox.StandardButton.Yes if answer["replace"] else QMessageBox.StandardButton.No

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (answer["typed"], "")))
    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    return asked, answer


def _card(window, tmp_path, capsys):
    path = tmp_path / "shop.omnidesk"
    people = write_csv(tmp_path / "base.csv", ["Email", "First Name", "Last Name"],
                       [["ann@example.com", "Ann", "Lee"], ["zoe@example.com", "Zoe", "Quill"]])
    assert run_cli(capsys, "import", people, "--channel", "shop", "-w", path)[0] == 0
    assert window.open_workspace(path)
    window.open_customer(2)
    return window.customer_view


def test_export_person_data_typed_without_zip_asks_before_replacing_that_zip(window, tmp_path, capsys,
                                                                            monkeypatch, typed):
    asked, answer = typed
    precious = tmp_path / "accounts.zip"
    precious.write_bytes(PRECIOUS)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", staticmethod(lambda *a, **k: shown.append(a[2])))
    view = _card(window, tmp_path, capsys)

    answer["typed"] = str(tmp_path / "accounts")
    view.export_person_dialog()
    assert len(asked) == 1 and "accounts.zip already exists" in asked[0]
    assert precious.read_bytes() == PRECIOUS and shown == []  # No: nothing written, nothing said

    answer["replace"] = True
    view.export_person_dialog()
    assert len(asked) == 2 and len(shown) == 1 and str(precious) in shown[0]
    assert zipfile.is_zipfile(precious)


def test_a_name_typed_without_zip_that_names_no_file_is_not_asked_about(window, tmp_path, capsys, typed):
    asked, answer = typed
    view = _card(window, tmp_path, capsys)
    answer["typed"] = str(tmp_path / "for-the-request")
    assert view.ask_person_export_path() == tmp_path / "for-the-request.zip"
    answer["typed"] = str(tmp_path / "as-typed.zip")  # the dialog asked about this one itself
    (tmp_path / "as-typed.zip").write_bytes(PRECIOUS)
    assert view.ask_person_export_path() == tmp_path / "as-typed.zip"
    assert asked == []


def test_export_customers_typed_without_csv_asks_before_replacing_that_csv(demo_window, tmp_path, typed):
    from omnidesk.ui.dialogs.export_dialog import ExportDialog

    asked, answer = typed
    (tmp_path / "customers.csv").write_text("kept", encoding="utf-8")
    answer["typed"] = str(tmp_path / "customers")
    demo_window.export_customers_action.trigger()
    dialog = next(d for d in demo_window.findChildren(ExportDialog) if d.isVisible())
    try:
        assert dialog.ask_path() is None
        assert len(asked) == 1 and "customers.csv already exists" in asked[0]
        answer["replace"] = True
        assert dialog.ask_path() == tmp_path / "customers.csv"
    finally:
        dialog.reject()
    assert (tmp_path / "customers.csv").read_text(encoding="utf-8") == "kept"


def test_dashboard_picture_typed_without_png_asks_before_replacing_that_png(demo_window, tmp_path, monkeypatch,
                                                                           typed):
    asked, _ = typed
    dash = demo_window.screens["dashboard"]
    (tmp_path / "monday.png").write_bytes(PRECIOUS)
    monkeypatch.setattr(dash, "ask_save_path", lambda caption, suggested, _f: tmp_path / "monday")
    assert dash.save_picture() is None
    assert len(asked) == 1 and "monday.png already exists" in asked[0]
    assert (tmp_path / "monday.png").read_bytes() == PRECIOUS
