"""The import wizard as an owner works it: by keyboard, with the focus where they work, and choices that last."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton, QWizard

from omnidesk.ui.dialogs.import_wizard import CHECK_PAGE, DONE_PAGE, MAPPING_PAGE, ImportWizard
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


def _choose_encoding(wizard, path, codec, qtbot) -> None:
    box = wizard.files_page.rows[path][1].encoding
    index = box.findData(codec)
    box.setCurrentIndex(index)
    box.activated.emit(index)
    qtbot.waitUntil(lambda: not wizard.reading, timeout=10000)


def _choose_field(wizard, column: int, field: str) -> None:
    combo = wizard.mapping_page.combos[column]
    combo.setCurrentIndex(combo.findData(field))


def test_columns_chosen_by_hand_survive_a_change_of_encoding(open_wizard, qtbot, tmp_path):
    # The new reading's guesses replaced the owner's choice without a word.
    path = write_csv(tmp_path / "members.csv", ["Email", "Full Name", "Member Code"],
                     [["ann@example.com", "Ann Lée", "M1"]], encoding="cp1252")
    wizard = open_wizard([path])
    wizard.next()
    _choose_field(wizard, 2, "external_id")
    assert wizard.plans[0].mapping[2] == "external_id"
    wizard.back()

    _choose_encoding(wizard, path, "cp1250", qtbot)
    assert wizard.plans[0].fmt.encoding == "cp1250"
    wizard.next()
    assert wizard.plans[0].mapping[2] == "external_id"
    assert wizard.mapping_page.combos[2].currentData() == "external_id"
    assert "not kept" not in wizard.mapping_page.warnings.text()


def test_columns_whose_names_only_change_their_accents_are_kept_by_position(open_wizard, qtbot, tmp_path):
    path = write_csv(tmp_path / "socios.csv", ["Correo", "Nombre", "Código de socio"],
                     [["ana@example.com", "Ana Núñez", "S1"]])
    wizard = open_wizard([path])
    wizard.next()
    _choose_field(wizard, 0, "email")
    _choose_field(wizard, 2, "external_id")
    chosen = list(wizard.plans[0].mapping)
    wizard.back()

    _choose_encoding(wizard, path, "cp1252", qtbot)
    assert wizard.plans[0].header[2] == "CÃ³digo de socio"
    wizard.next()
    assert list(wizard.plans[0].mapping) == chosen
    # And back to the file's own encoding: still the owner's choices.
    wizard.back()
    _choose_encoding(wizard, path, "utf-8", qtbot)
    wizard.next()
    assert list(wizard.plans[0].mapping) == chosen


def test_columns_that_cannot_be_kept_are_said_so_on_the_mapping_page(open_wizard, qtbot, tmp_path):
    # Read as Windows-1252, Japanese column names become other names ("名前" is "–¼‘O"):
    # which column was which is no longer known.
    path = write_csv(tmp_path / "members.csv", ["メールアドレス", "名前", "会員番号"],
                     [["hanako@example.jp", "山田花子", "K1"], ["taro@example.jp", "鈴木太郎", "K2"]],
                     encoding="shift_jis")
    wizard = open_wizard([path])
    assert wizard.plans[0].header[1] == "名前"
    wizard.next()
    _choose_field(wizard, 2, "external_id")
    wizard.back()

    _choose_encoding(wizard, path, "cp1252", qtbot)
    assert wizard.plans[0].header[1] == "–¼‘O"
    assert wizard.plans[0].mapping[2] != "external_id"
    assert "were not kept" in wizard.files_page.rows[path][1].status_text
    wizard.next()
    page = wizard.mapping_page
    assert page.warnings.isVisible()
    assert "members.csv were not kept" in page.warnings.text()
    # Choosing again answers it.
    _choose_field(wizard, 2, "external_id")
    assert "not kept" not in page.warnings.text()


def _page_buttons(wizard) -> list:
    return [b for page in (wizard.page(i) for i in wizard.pageIds()) for b in page.findChildren(QPushButton)]


def test_enter_on_the_files_page_goes_on_to_the_columns(open_wizard, qtbot, tmp_path):
    # The empty list's hidden "Add files…" button had made itself the default: Enter did nothing.
    wizard = open_wizard([write_csv(tmp_path / "people.csv", PEOPLE_HEADER, PEOPLE)])
    assert wizard.button(QWizard.WizardButton.NextButton).isDefault()
    assert not [b.text() for b in _page_buttons(wizard) if b.isDefault()]
    # A button on a page no longer takes Enter for itself when it has the focus.
    assert not [b.text() for b in _page_buttons(wizard) if b.autoDefault()]
    wizard.files_page.list.setFocus()
    qtbot.waitUntil(wizard.files_page.list.hasFocus)
    press(qtbot, Qt.Key.Key_Return)
    assert wizard.currentId() == MAPPING_PAGE


def test_enter_on_the_focused_add_files_button_of_an_empty_wizard_asks_for_files(open_wizard, qtbot, tmp_path,
                                                                                   monkeypatch):
    wizard = open_wizard([])
    asked = []
    monkeypatch.setattr(wizard, "ask_files", lambda: asked.append(1) or [write_csv(tmp_path / "people.csv",
                                                                                   PEOPLE_HEADER, PEOPLE)])
    wizard.files_page.empty.button.setFocus()
    qtbot.waitUntil(wizard.files_page.empty.button.hasFocus)
    press(qtbot, Qt.Key.Key_Return)
    assert asked == [1]
    qtbot.waitUntil(lambda: not wizard.reading, timeout=10000)
    # The file is listed: Enter now goes on, whatever has the focus.
    press(qtbot, Qt.Key.Key_Return)
    assert wizard.currentId() == MAPPING_PAGE


def _focus(qtbot, wizard, widget) -> None:
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget, timeout=3000)
    assert widget.isVisible()


@pytest.mark.parametrize("files", [1, 2])
def test_each_page_starts_with_the_focus_on_a_control_it_shows(open_wizard, qtbot, tmp_path, files):
    # With one file the focus stayed on the hidden file list; on the trial run and the results
    # it went to a frameless scroll area that showed no sign of it.
    paths = [write_csv(tmp_path / f"people{i}.csv", PEOPLE_HEADER, PEOPLE[i:]) for i in range(files)]
    wizard = open_wizard(paths)
    wizard.files_page.list.setFocus()
    qtbot.waitUntil(wizard.files_page.list.hasFocus)
    press(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)  # a mnemonic clicks as a button does, animated
    qtbot.waitUntil(lambda: wizard.currentId() == MAPPING_PAGE)
    page = wizard.mapping_page
    _focus(qtbot, wizard, page.file_combo if files > 1 else page.kind_combo)

    press(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: wizard.currentId() == CHECK_PAGE)
    qtbot.waitUntil(lambda: wizard.check_page.outcome is not None, timeout=10000)
    _focus(qtbot, wizard, wizard.button(QWizard.WizardButton.CommitButton))  # Import, the trial done
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: wizard.currentId() == DONE_PAGE, timeout=10000)
    _focus(qtbot, wizard, wizard.button(QWizard.WizardButton.FinishButton))


def test_during_the_trial_run_the_focus_waits_on_back_and_enter_still_imports(open_wizard, qtbot, tmp_path,
                                                                               monkeypatch):
    from threading import Event

    from omnidesk.ui.dialogs.import_wizard import check_page

    wizard = open_wizard([write_csv(tmp_path / "people.csv", PEOPLE_HEADER, PEOPLE)], TaskRunner())
    release = Event()
    real = check_page._run_plans

    def slow(*args, **kwargs):
        work = real(*args, **kwargs)

        def held(cancelled):
            release.wait(10)
            return (yield from work(cancelled))

        return held

    monkeypatch.setattr(check_page, "_run_plans", slow)
    wizard.next()
    wizard.next()
    _focus(qtbot, wizard, wizard.button(QWizard.WizardButton.BackButton))
    release.set()
    qtbot.waitUntil(lambda: wizard.check_page.outcome is not None, timeout=10000)
    # The focused Back does not take Enter for itself: Enter imports.
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: wizard.currentId() == DONE_PAGE, timeout=10000)


def test_the_results_page_starts_on_the_error_report_when_rows_had_problems(open_wizard, qtbot, tmp_path):
    path = write_csv(tmp_path / "people.csv", PEOPLE_HEADER, [*PEOPLE, ["bob(at)example", "Bob", "Leeds"]])
    wizard = open_wizard([path])
    wizard.next()
    wizard.next()
    qtbot.waitUntil(lambda: wizard.check_page.outcome is not None, timeout=10000)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentId() == DONE_PAGE, timeout=10000)
    assert wizard.done_page.report_button.isEnabled()
    _focus(qtbot, wizard, wizard.done_page.report_button)


def test_the_preview_caption_of_a_long_file_name_is_shown_whole(open_wizard, qtbot, tmp_path):
    # On a 1024×640 screen the caption was cut mid-word.
    name = "Customers export from Shopify store harbor-and-pine (all customers, accepts marketing) 2026-11-01.csv"
    wizard = open_wizard([write_csv(tmp_path / name, ["Email", "First Name"], [["ann@example.com", "Ann"]])])
    wizard.resize(940, 600)  # as the wizard opens on a 1024×640 screen
    wizard.next()
    qtbot.wait(50)
    label = wizard.mapping_page.preview_label
    assert name in label.text() and "Greyed columns are ignored." in label.text()
    fits_on_a_line = label.sizeHint().width() <= label.width()
    wraps_whole = label.wordWrap() and label.height() >= label.heightForWidth(label.width())
    assert fits_on_a_line or wraps_whole
    assert label.visibleRegion().boundingRect().height() >= label.heightForWidth(label.width())


def test_a_file_naming_no_one_gets_one_note_worded_for_the_wizard(open_wizard, qtbot, tmp_path):
    # The box said it twice, once with the command line's --preset.
    wizard = open_wizard([write_csv(tmp_path / "notes.csv", ["Note", "Code"], [["hello", "1"]])])
    wizard.next()
    page = wizard.mapping_page
    assert page.warnings.isVisible()
    text = page.warnings.text()
    assert text.count("<li>") == 1
    assert "--preset" not in text and "command line" not in text
    assert "every row would be skipped" in text
    # Mapping a column that names people answers it.
    page.combos[1].setCurrentIndex(page.combos[1].findData("external_id"))
    assert not page.warnings.isVisible()


def _alt_keys(wizard) -> dict[str, object]:
    """The Alt keys of what the wizard shows now (its page and its buttons): key -> widget."""
    from PySide6.QtGui import QKeySequence
    from PySide6.QtWidgets import QAbstractButton, QLabel

    keys: dict[str, list] = {}
    for widget in wizard.findChildren(QAbstractButton) + wizard.findChildren(QLabel):
        if not widget.isVisible() or "&" not in widget.text().replace("&&", ""):
            continue
        if isinstance(widget, QLabel):
            assert widget.buddy() is not None, f"{widget.text()!r} has no buddy"
            target = widget.buddy()
        else:
            target = widget
        key = QKeySequence.mnemonic(widget.text()).toString()
        keys.setdefault(key, []).append(widget.text())
        keys[key + " widget"] = target
    twice = {k: v for k, v in keys.items() if not k.endswith(" widget") and len(v) > 1}
    assert not twice, f"the same Alt key twice on one page: {twice}"
    return {k[:-len(" widget")]: v for k, v in keys.items() if k.endswith(" widget")}


def test_the_wizards_labelled_controls_have_alt_keys(open_wizard, qtbot, tmp_path, monkeypatch):
    rows = [["ann@example.com", "Ann", "+44 7700 900123"], ["bob(at)example", "Bob", "07700 900456"]]
    path = write_csv(tmp_path / "people.csv", ["Email", "Name", "Phone"], rows)
    wizard = open_wizard([path])
    files = wizard.files_page
    keys = _alt_keys(wizard)
    assert keys["Alt+A"] is files.add_button and keys["Alt+R"] is files.remove_button
    asked = []
    monkeypatch.setattr(wizard, "ask_files", lambda: asked.append(1) or [])
    press(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: asked == [1])

    wizard.next()
    page = wizard.mapping_page
    keys = _alt_keys(wizard)
    assert keys["Alt+C"] is page.kind_combo
    assert keys["Alt+F"] is page.channel_combo
    assert keys["Alt+P"] is page.region_combo
    assert keys["Alt+R"] is wizard.remember_checkbox
    for key, widget in ((Qt.Key.Key_F, page.channel_combo), (Qt.Key.Key_P, page.region_combo),
                        (Qt.Key.Key_C, page.kind_combo)):
        press(qtbot, key, Qt.KeyboardModifier.AltModifier)
        qtbot.waitUntil(lambda widget=widget: widget.hasFocus() or widget.isAncestorOf(QApplication.focusWidget()))
    ticked = wizard.remember_checkbox.isChecked()
    press(qtbot, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: wizard.remember_checkbox.isChecked() != ticked)

    wizard.next()
    qtbot.waitUntil(lambda: wizard.check_page.outcome is not None, timeout=10000)
    keys = _alt_keys(wizard)
    assert keys["Alt+I"] is wizard.button(QWizard.WizardButton.CommitButton)
    press(qtbot, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: wizard.currentId() == DONE_PAGE, timeout=10000)

    keys = _alt_keys(wizard)
    assert keys["Alt+S"] is wizard.done_page.report_button
    saved = tmp_path / "problems.csv"
    monkeypatch.setattr(wizard, "ask_error_report_path", lambda: saved)
    press(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(saved.exists)


def test_the_import_running_has_alt_keys_to_cancel_and_see_results(open_wizard, qtbot, tmp_path, monkeypatch):
    from threading import Event

    from omnidesk.ui.dialogs.import_wizard import import_page

    wizard = open_wizard([write_csv(tmp_path / "people.csv", PEOPLE_HEADER, PEOPLE)], TaskRunner())
    release = Event()
    real = import_page._run_plans

    def held(*args, **kwargs):
        work = real(*args, **kwargs)

        def body(cancelled):
            release.wait(10)
            return (yield from work(cancelled))

        return body

    monkeypatch.setattr(import_page, "_run_plans", held)
    wizard.next()
    wizard.next()
    qtbot.waitUntil(lambda: wizard.check_page.outcome is not None, timeout=10000)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.import_page.running, timeout=10000)
    keys = _alt_keys(wizard)
    assert keys["Alt+C"] is wizard.import_page.cancel_button
    assert keys["Alt+S"] is wizard.button(QWizard.WizardButton.CommitButton)  # See results, once done
    press(qtbot, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: not wizard.import_page.cancel_button.isEnabled())
    release.set()
    qtbot.waitUntil(lambda: wizard.import_page.outcome is not None, timeout=10000)
    assert wizard.import_page.outcome.cancelled_at is not None


def test_each_files_encoding_file_switch_and_done_have_their_own_alt_keys(open_wizard, qtbot, tmp_path):
    # "Encoding", "File" and "Done" had no Alt key: only the mouse or a long walk with Tab reached them.
    first = write_csv(tmp_path / "people1.csv", PEOPLE_HEADER, PEOPLE)
    second = write_csv(tmp_path / "people2.csv", PEOPLE_HEADER, PEOPLE[1:])
    wizard = open_wizard([first, second])
    files = wizard.files_page
    keys = _alt_keys(wizard)  # one row's "Encoding" at a time: Alt+E is never two boxes
    assert keys["Alt+E"] is files.rows[first][1].encoding
    files.list.setFocus()
    qtbot.waitUntil(files.list.hasFocus)
    press(qtbot, Qt.Key.Key_E, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(files.rows[first][1].encoding.hasFocus)
    # On the second file, Alt+E is that file's box.
    files.list.setCurrentRow(1)
    files.list.setFocus()
    qtbot.waitUntil(files.list.hasFocus)
    assert _alt_keys(wizard)["Alt+E"] is files.rows[second][1].encoding
    press(qtbot, Qt.Key.Key_E, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(files.rows[second][1].encoding.hasFocus)

    wizard.next()
    page = wizard.mapping_page
    keys = _alt_keys(wizard)
    assert keys["Alt+L"] is page.file_combo
    page.kind_combo.setFocus()
    qtbot.waitUntil(page.kind_combo.hasFocus)
    press(qtbot, Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(page.file_combo.hasFocus)

    wizard.next()
    qtbot.waitUntil(lambda: wizard.check_page.outcome is not None, timeout=10000)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentId() == DONE_PAGE, timeout=10000)
    keys = _alt_keys(wizard)
    assert keys["Alt+D"] is wizard.button(QWizard.WizardButton.FinishButton)
    press(qtbot, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: not wizard.isVisible())
    assert wizard.result() == QWizard.DialogCode.Accepted


def test_with_one_file_the_file_name_is_no_alt_key_and_encoding_is(open_wizard, qtbot, tmp_path):
    path = write_csv(tmp_path / "people.csv", PEOPLE_HEADER, PEOPLE)
    wizard = open_wizard([path])
    assert _alt_keys(wizard)["Alt+E"] is wizard.files_page.rows[path][1].encoding
    wizard.next()
    keys = _alt_keys(wizard)
    assert "Alt+L" not in keys  # the name of the one file is not a control
    assert wizard.mapping_page.file_label.text() == "File:"


MAILCHIMP = ["Email Address", "First Name", "Last Name", "MEMBER_RATING", "OPTIN_TIME", "CONFIRM_TIME", "LEID",
             "EUID"]


def test_the_trial_run_and_the_results_say_what_to_do_in_the_window_not_on_the_command_line(open_wizard, qtbot,
                                                                                            tmp_path):
    # A renamed Mailchimp export and a file naming no one: both notes told the owner of the
    # command line's --preset, which the wizard has not.
    renamed = write_csv(tmp_path / "segment.csv", MAILCHIMP, [["ann@example.com", "Ann", "Lee", "2", "", "", "1", "e1"]])
    nobody = write_csv(tmp_path / "notes.csv", ["Note", "Code"], [["hello", "1"]])
    wizard = open_wizard([renamed, nobody])
    wizard.next()
    mapping = wizard.mapping_page.warnings.text()
    assert "segment.csv" in mapping and "--preset" not in mapping and "command line" not in mapping
    assert "give the file its name back, then on the first page remove it and add it again" in mapping

    wizard.next()
    qtbot.waitUntil(lambda: wizard.check_page.outcome is not None, timeout=10000)
    trial = wizard.check_page.notes.text()
    assert "--preset" not in trial and "command line" not in trial
    assert "give the file its name back, then on the first page remove it and add it again" in trial
    assert "every row would be skipped. To import it, go Back and choose what the column" in trial

    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentId() == DONE_PAGE, timeout=10000)
    done = wizard.done_page.notes.text()
    assert "--preset" not in done and "command line" not in done
    assert "undo its import on the Imports screen, give the file its name back and import it again" in done
    assert "To import it, import it again and choose what the column" in done
