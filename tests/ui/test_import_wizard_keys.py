"""The import wizard by keyboard: the focus stays where the owner works, Enter goes on."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from omnidesk.ui.dialogs.import_wizard import ImportWizard
from omnidesk.ui.tasks import TaskRunner
from tests.helpers import write_csv

PEOPLE_HEADER = ["Email", "First Name", "City"]
PEOPLE = [["jose@example.com", "José", "Málaga"], ["zoe@example.com", "Zoë", "Köln"]]


@pytest.fixture
def open_wizard(qtbot, ws):
    def make(files, runner: TaskRunner | None = None) -> ImportWizard:
        wizard = ImportWizard(ws, list(files), runner or TaskRunner(inline=True))
        qtbot.addWidget(wizard)
        wizard.show()
        wizard.activateWindow()
        qtbot.waitUntil(wizard.isActiveWindow)
        qtbot.waitUntil(lambda: not wizard.reading, timeout=10000)
        return wizard

    return make


def press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(QApplication.focusWidget(), key, modifier)


@pytest.mark.parametrize("threaded", [False, True])
def test_arrow_keys_change_only_the_file_whose_encoding_box_has_the_focus(open_wizard, qtbot, tmp_path, threaded):
    # The box was disabled while its file was read again: the focus jumped to the next
    # file's box, the next arrow key landed there and read a good UTF-8 file as Windows-1252.
    western = write_csv(tmp_path / "western.csv", PEOPLE_HEADER, PEOPLE, encoding="cp1252")
    utf8 = write_csv(tmp_path / "utf8.csv", PEOPLE_HEADER, PEOPLE)
    wizard = open_wizard([western, utf8], TaskRunner() if threaded else None)
    first = wizard.files_page.rows[western][1].encoding
    second = wizard.files_page.rows[utf8][1].encoding
    assert first.currentData() == "cp1252" and second.currentData() == "utf-8"
    first.setFocus()
    qtbot.waitUntil(first.hasFocus)

    press(qtbot, Qt.Key.Key_Up)  # UTF-8
    assert QApplication.focusWidget() is first
    press(qtbot, Qt.Key.Key_Down)  # back to Windows-1252
    assert QApplication.focusWidget() is first
    qtbot.waitUntil(lambda: not wizard.reading, timeout=10000)

    assert QApplication.focusWidget() is first and first.isEnabled()
    assert first.currentData() == "cp1252"
    by_path = {e.path: e for e in wizard.entries}
    assert by_path[western].encoding == "cp1252"
    assert by_path[western].plan.preview[0].values[1] == "José"
    assert by_path[utf8].encoding is None  # never touched
    assert second.currentData() == "utf-8"
    assert by_path[utf8].plan.fmt.encoding in ("utf-8", "utf-8-sig")
    assert by_path[utf8].plan.preview[0].values[1] == "José"
