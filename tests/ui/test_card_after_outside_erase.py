"""A card left open while the command line erases its person says they were erased, not that they
were merged away or their import undone."""

from __future__ import annotations

from omnidesk.ui.views.customer.view import (
    ERASED_TITLE,
    MISSING_ERASED,
    MISSING_NOTES,
    MISSING_TEXT,
    MISSING_TITLE,
)
from tests.helpers import run_cli, write_csv

HEADER = ["Email", "First Name", "Last Name"]


def _card(window, tmp_path, capsys, qtbot, customer_id: int):
    path = tmp_path / "shop.omnidesk"
    base = write_csv(tmp_path / "base.csv", HEADER, [["ann@example.com", "Ann", "Lee"], ["zoe@example.com", "Zoe", "Quill"]])
    lead = write_csv(tmp_path / "lead.csv", HEADER, [["max@example.net", "Max", "Moe"]])
    assert run_cli(capsys, "import", base, "--channel", "shop", "-w", path)[0] == 0
    assert run_cli(capsys, "import", lead, "--channel", "social", "-w", path)[0] == 0
    assert window.open_workspace(path)
    window.open_customer(customer_id)
    view = window.customer_view
    view.tabs.setCurrentWidget(view.notes_page)
    view.notes_edit.setFocus()
    return path, view


def test_a_card_open_when_its_person_is_erased_elsewhere_says_they_were_erased(window, tmp_path, capsys, qtbot):
    path, view = _card(window, tmp_path, capsys, qtbot, 2)
    assert run_cli(capsys, "person", "erase", "2", "--yes", "-w", path)[0] == 0
    assert window.look_for_outside_changes()
    assert view.pages.currentWidget() is view.missing
    assert view.missing.title.text() == ERASED_TITLE
    assert view.missing.text.text() == MISSING_ERASED


def test_notes_typed_for_someone_erased_elsewhere_are_kept_under_the_words_they_were_erased(
        window, tmp_path, capsys, qtbot):
    path, view = _card(window, tmp_path, capsys, qtbot, 2)
    qtbot.keyClicks(view.notes_edit, "Zoe asked to be forgotten")
    assert run_cli(capsys, "person", "erase", "zoe@example.com", "--yes", "-w", path)[0] == 0
    assert window.look_for_outside_changes()
    assert view.missing.title.text() == ERASED_TITLE
    assert view.missing.text.text() == f"{MISSING_ERASED} {MISSING_NOTES}"
    assert view.kept_text.toPlainText() == "Zoe asked to be forgotten"
    view.discard_unsaved_notes()


def test_a_card_whose_import_was_undone_elsewhere_does_not_say_erased(window, tmp_path, capsys, qtbot):
    path, view = _card(window, tmp_path, capsys, qtbot, 3)
    assert run_cli(capsys, "person", "erase", "2", "--yes", "-w", path)[0] == 0  # someone else
    assert run_cli(capsys, "imports", "undo", "2", "-w", path)[0] == 0  # Max's file
    assert window.look_for_outside_changes()
    assert view.pages.currentWidget() is view.missing
    assert view.missing.title.text() == MISSING_TITLE
    assert view.missing.text.text() == MISSING_TEXT
