"""Saving a message's master or one of its channel versions never writes, unasked, over what the
command line or another window changed since the editor showed it: the screen says so, and Save
offers Reload or Save anyway."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime

import pytest
import time_machine
from PySide6.QtWidgets import QMessageBox

from omnidesk.cli import main
from omnidesk.core.messages import store
from omnidesk.core.workspace import Workspace
from omnidesk.ui.views.messages.view import stale_question
from tests.helpers import errors_fail, screen_on_file, stale_answered

NOW = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)
MASTER = {"headline": "Autumn", "offer_code": "AUTUMN20", "link": "https://hc.example/a"}
CHANGED = "Launch was changed since you opened it (in another window or command)."
SMS_CHANGED = "The SMS version of Launch was changed since you opened it (in another window or command)."
CLI_SMS = "CLI SMS: AUTUMN20 https://hc.example/a Reply STOP to opt out"


@pytest.fixture
def win(window, tmp_path, new_workspace, monkeypatch):
    with time_machine.travel(NOW, tick=False):
        with new_workspace(tmp_path / "shop.omnidesk") as ws:
            store.save_message(ws, "Launch", MASTER)
        yield screen_on_file(window, ws.path, "messages", monkeypatch)


@pytest.fixture
def view(win, monkeypatch):
    return stale_answered(win.screens["messages"], monkeypatch,
                          lambda name, channel, gone, changes=None: (name, channel, gone))


def import_from_the_command_line(win, tmp_path, capsys, *, master=None, sms=None, subject=None) -> None:
    data = store.export_json(win.workspace, "Launch")
    if master is not None:
        data["message"] = master
    if sms is not None:
        data["variants"]["sms"]["text"] = sms
    if subject is not None:
        data["variants"]["email"]["subject"] = subject
    if master is not None and sms is None and subject is None:
        data.pop("variants")  # the master alone: the channel versions stay as they are
    f = tmp_path / "m.json"
    f.write_text(json.dumps(data))
    assert main(["-w", str(win.workspace.path), "message", "import", str(f)]) == 0
    capsys.readouterr()
    assert win.look_for_outside_changes()  # back in the window


FALL = {"headline": "Autumn", "offer_code": "FALL30", "link": "https://hc.example/fall"}


def stored_master(win) -> tuple[str, str, str]:
    m = store.get_message(win.workspace, "Launch").master
    return m["headline"], m["offer_code"], m["link"]


def stored_sms(win) -> str:
    return store.get_message(win.workspace, "Launch").variants["sms"].fields["text"]


def undo_text(win) -> str:
    return win.undo_action.text().replace("&", "")


def type_sms(view, words: str = " Owner's typing") -> str:
    sms = view.panels["sms"]
    view.tabs.setCurrentWidget(sms)
    sms.edits["text"].setPlainText(sms.edits["text"].toPlainText() + words)
    return sms.edits["text"].toPlainText()


def test_the_screen_says_the_master_changed_and_save_asks_before_writing(win, view, tmp_path, capsys):
    view.master.edits["headline"].setText("Autumn candles")  # typed, not saved yet
    import_from_the_command_line(win, tmp_path, capsys, master=FALL)
    assert view.master.edits["headline"].text() == "Autumn candles"  # what was typed is kept…
    assert view.notice.isVisible() and view.notice.text().startswith(CHANGED)  # …and said to be over a change
    status = win.statusBar().currentMessage()
    assert status == ("The workspace was changed outside this window; Messages keeps what you typed in Launch: "
                      "Save asks first.")
    view.save_master_button.click()
    assert view.asked == [("Launch", None, False)]
    assert stored_master(win) == ("Autumn", "FALL30", "https://hc.example/fall")  # cancelled: nothing written
    assert view.master.edits["headline"].text() == "Autumn candles" and view.save_master_button.isEnabled()
    assert undo_text(win) == "Undo"


def test_reload_shows_the_stored_master_and_keeps_what_was_typed_in_a_channel(win, view, tmp_path, capsys):
    view.master.edits["headline"].setText("Autumn candles")
    typed_sms = type_sms(view)
    import_from_the_command_line(win, tmp_path, capsys, master=FALL)
    view.answer = "reload"
    view.save_master_button.click()
    assert view.asked == [("Launch", None, False)]
    assert stored_master(win) == ("Autumn", "FALL30", "https://hc.example/fall")
    assert view.master.edits["offer_code"].text() == "FALL30"
    assert view.master.edits["link"].text() == "https://hc.example/fall"
    assert view.master.edits["headline"].text() == "Autumn" and not view.save_master_button.isEnabled()
    assert view.panels["sms"].edits["text"].toPlainText() == typed_sms  # not asked about: kept
    assert view.notice.isHidden() and undo_text(win) == "Undo"
    view.master.edits["headline"].setText("Autumn candles")
    view.save_master_button.click()  # nothing changed since the reload: saved without a question
    assert view.asked == [("Launch", None, False)]
    assert stored_master(win) == ("Autumn candles", "FALL30", "https://hc.example/fall")


def test_save_anyway_writes_what_was_typed_as_one_step_that_undo_takes_back(win, view, tmp_path, capsys):
    """Only the field typed is written: the offer code and link changed elsewhere, not typed here, stay."""
    view.master.edits["headline"].setText("Autumn candles")
    import_from_the_command_line(win, tmp_path, capsys, master=FALL)
    view.answer = "overwrite"
    view.save_master_button.click()
    assert view.asked == [("Launch", None, False)]
    assert stored_master(win) == ("Autumn candles", "FALL30", "https://hc.example/fall")
    assert view.master.edits["offer_code"].text() == "FALL30"  # shown as saved
    assert undo_text(win) == "Undo edit master of Launch" and view.notice.isHidden()
    assert not view.save_master_button.isEnabled()
    win.undo_action.trigger()
    assert stored_master(win) == ("Autumn", "FALL30", "https://hc.example/fall")
    win.redo_action.trigger()
    assert stored_master(win) == ("Autumn candles", "FALL30", "https://hc.example/fall")


def test_save_anyway_of_a_field_changed_on_both_sides_writes_the_typed_one(win, view, tmp_path, capsys):
    view.master.edits["headline"].setText("Autumn candles")
    view.master.edits["offer_code"].setText("CANDLES10")
    import_from_the_command_line(win, tmp_path, capsys, master={**FALL, "headline": "Fall sale"})
    view.answer = "overwrite"
    view.save_master_button.click()
    assert stored_master(win) == ("Autumn candles", "CANDLES10", "https://hc.example/fall")


def test_a_channel_saved_in_the_window_meanwhile_does_not_hide_the_change_to_the_master(win, view, tmp_path,
                                                                                    capsys):
    view.master.edits["headline"].setText("Autumn candles")
    typed_sms = type_sms(view)
    import_from_the_command_line(win, tmp_path, capsys, master=FALL)
    view.save_variant("sms", view.panels["sms"].values())  # the SMS was not changed there: no question
    assert view.asked == [] and stored_sms(win) == typed_sms.strip()
    assert view.master.edits["headline"].text() == "Autumn candles"
    assert view.notice.isVisible() and view.notice.text().startswith(CHANGED)
    view.save_master_button.click()
    assert view.asked == [("Launch", None, False)]
    assert stored_master(win) == ("Autumn", "FALL30", "https://hc.example/fall")


def test_a_channel_changed_elsewhere_is_asked_about_before_its_save(win, view, tmp_path, capsys):
    typed = type_sms(view)
    import_from_the_command_line(win, tmp_path, capsys, sms=CLI_SMS, subject="CLI NEW SUBJECT")
    assert view.panels["sms"].edits["text"].toPlainText() == typed
    assert view.notice.isVisible() and view.notice.text().startswith(SMS_CHANGED)
    view.save_variant("sms", view.panels["sms"].values())
    assert view.asked == [("Launch", "sms", False)]
    assert stored_sms(win) == CLI_SMS and undo_text(win) == "Undo"
    view.answer = "overwrite"
    view.save_variant("sms", view.panels["sms"].values())
    assert stored_sms(win) == typed.strip()
    m = store.get_message(win.workspace, "Launch")
    assert m.variants["email"].fields["subject"] == "CLI NEW SUBJECT"  # the other change stays
    assert undo_text(win) == "Undo edit SMS of Launch" and view.notice.isHidden()
    win.undo_action.trigger()
    assert stored_sms(win) == CLI_SMS


def test_reload_of_a_channel_shows_it_as_stored(win, view, tmp_path, capsys):
    view.master.edits["headline"].setText("Autumn candles")
    type_sms(view)
    import_from_the_command_line(win, tmp_path, capsys, sms=CLI_SMS)
    view.answer = "reload"
    view.save_variant("sms", view.panels["sms"].values())
    assert view.asked == [("Launch", "sms", False)] and stored_sms(win) == CLI_SMS
    assert view.panels["sms"].edits["text"].toPlainText() == CLI_SMS
    assert not view.panels["sms"].has_unsaved()
    assert view.master.edits["headline"].text() == "Autumn candles"  # the master was not asked about
    assert view.notice.isHidden()


def test_a_change_to_other_parts_is_no_reason_to_ask(win, view, tmp_path, capsys):
    typed = type_sms(view)
    import_from_the_command_line(win, tmp_path, capsys, subject="CLI NEW SUBJECT")
    assert view.notice.isHidden()
    view.save_variant("sms", view.panels["sms"].values())
    assert view.asked == [] and stored_sms(win) == typed.strip()


def test_undo_here_under_typed_words_is_said_as_made_in_this_window(win, view):
    view.master.edits["headline"].setText("Autumn candles")
    view.save_master_button.click()
    view.master.edits["headline"].setText("Autumn candles, typed on")
    win.undo_action.trigger()  # takes back the saved headline, under the words being typed
    assert stored_master(win)[0] == "Autumn"
    assert view.master.edits["headline"].text() == "Autumn candles, typed on"
    assert view.notice.isVisible()
    assert view.notice.text().startswith("Launch was changed since you opened it (in this window, by Undo or Redo).")
    view.save_master_button.click()
    assert view.asked == [("Launch", None, False)] and stored_master(win)[0] == "Autumn"


def test_a_channel_added_meanwhile_leaves_the_master_changed_elsewhere_as_it_is(win, view, tmp_path, capsys):
    type_sms(view)
    import_from_the_command_line(win, tmp_path, capsys, master=FALL)
    view.add_channel("google")
    assert stored_master(win) == ("Autumn", "FALL30", "https://hc.example/fall")
    assert "google" in store.get_message(win.workspace, "Launch").variants


def test_a_message_deleted_elsewhere_is_asked_about_too(win, view):
    view.master.edits["headline"].setText("Autumn candles")
    with Workspace.open(win.workspace.path) as other:  # another window, before this one looked
        store.delete_message(other, "Launch")
    view.save_master_button.click()
    assert view.asked == [("Launch", None, True)]
    assert store.list_messages(win.workspace) == []
    view.answer = "overwrite"
    view.save_master_button.click()
    assert stored_master(win)[0] == "Autumn candles"


def test_the_core_refuses_a_save_over_a_message_changed_since(win):
    opened = store.get_message(win.workspace, "Launch")
    with Workspace.open(win.workspace.path) as other:
        store.save_message(other, "Launch", FALL, replace=True)
        store.set_variant(other, "Launch", "sms", {"text": CLI_SMS})
    with pytest.raises(store.StaleMessage, match=CHANGED.replace("(", r"\(").replace(")", r"\)")):
        store.save_message(win.workspace, "Launch", MASTER, replace=True, expect=opened.master)
    with pytest.raises(store.StaleMessage, match="The SMS version of Launch was changed since you opened it"):
        store.set_variant(win.workspace, "Launch", "sms", {"text": "Mine"}, expect=opened.variants["sms"].fields)
    assert stored_master(win) == ("Autumn", "FALL30", "https://hc.example/fall") and stored_sms(win) == CLI_SMS


def test_the_question_names_the_part_and_enter_changes_nothing(qtbot):
    box = stale_question(None, "Launch", "sms", False)
    text = box.text() + " " + box.informativeText()
    assert SMS_CHANGED in text and "Reload" in text and "Save anyway" in text and "Edit › Undo" in text
    assert box.defaultButton() is box.escapeButton()
    assert box.buttonRole(box.defaultButton()) == QMessageBox.ButtonRole.RejectRole
    assert sorted(b.text() for b in box.buttons()) == ["Cancel", "Reload", "Save anyway"]
    box.deleteLater()


HEBREW = "השקת קולקציית האביב ללקוחות חוזרים"


def typed_over_a_change(window, path, name: str):
    """The message ``name`` open in Messages, its headline typed over, and its master changed by
    another window meanwhile: the Messages screen."""
    with Workspace.open(path) as ws:
        store.save_message(ws, name, MASTER)
    assert window.open_workspace(path)
    window.show_screen("messages")
    view = window.screens["messages"]
    view.master.edits["headline"].setText("Autumn candles")
    with Workspace.open(path) as other:
        data = store.export_json(other, name)
        data["message"] = FALL
        data.pop("variants")
        store.import_json(other, data)
    assert window.look_for_outside_changes()
    return view


@pytest.fixture
def hebrew(window, tmp_path, empty_workspace_file):
    """The message named in Hebrew, typed over a change made elsewhere: (the window, the Messages screen)."""
    with time_machine.travel(NOW, tick=False):
        path = tmp_path / "shop.omnidesk"
        shutil.copyfile(empty_workspace_file, path)
        yield window, typed_over_a_change(window, path, HEBREW)


def test_a_hebrew_name_leaves_the_notice_and_the_question_left_to_right(hebrew, qtbot):
    """With a message named in Hebrew, the red line over the master and Save's question were laid out
    right to left, their full stops at the left end."""
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication

    win, view = hebrew
    said = f"\u2068{HEBREW}\u2069 was changed since you opened it (in another window or command)."
    assert view.notice.isVisible() and view.notice.text().startswith("\u200e" + said)
    assert view.notice.layoutDirection() == Qt.LayoutDirection.LeftToRight
    status = win.statusBar().currentMessage()
    assert f"Messages keeps what you typed in \u2068{HEBREW[:4]}" in status and status.endswith("\u2069: Save asks first.")
    seen: dict = {}

    def look() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(50, look)
            return
        seen.update(title=box.windowTitle(), text=box.text(), direction=box.layoutDirection())
        box.reject()

    QTimer.singleShot(0, look)
    view.save_master_button.click()
    qtbot.waitUntil(lambda: bool(seen))
    assert seen["text"] == "\u200e" + said and seen["direction"] == Qt.LayoutDirection.LeftToRight
    assert seen["title"] == f"\u2068{HEBREW}\u2069 was changed since you opened it"
    assert view.master.edits["headline"].text() == "Autumn candles"  # cancelled: kept as typed


@pytest.mark.parametrize("width", [1024, 800])
def test_the_status_bar_says_the_kept_words_whole_and_forgets_them_with_the_red_line(
        window, tmp_path, empty_workspace_file, monkeypatch, width):
    """With a long message name, the status bar's sentence was cut at 1024 px ("…open in Messages,
    keeps w"), losing "Save asks first"; and after Reload took the red line away, it still said the
    typed words were kept over that change for up to 8 s."""
    from PySide6.QtWidgets import QApplication

    name = "Spring collection launch for returning customers in Tel Aviv"
    window.resize(width, 640)
    with time_machine.travel(NOW, tick=False):
        path = tmp_path / "shop.omnidesk"
        shutil.copyfile(empty_workspace_file, path)
        view = typed_over_a_change(window, path, name)
    QApplication.processEvents()
    bar = window.statusBar()
    status = bar.currentMessage()
    assert status.startswith("The workspace was changed outside this window") and status.endswith(
        ": Save asks first."), status
    assert "Messages keeps what you typed in Spring collection" in status
    assert (f"{name}:" in status) == (width == 1024)  # shortened ("…") where the bar has not the room
    assert bar.fontMetrics().horizontalAdvance(status) <= bar.width() - 12, (status, bar.width())
    # Reload: the red line goes, and the words about it with it.
    monkeypatch.setattr(view, "ask_stale", lambda *a: "reload")
    view.save_master_button.click()
    assert view.notice.isHidden() and view.master.edits["headline"].text() == "Autumn"
    assert bar.currentMessage() == ""


def _said_and_answered(win, button: str) -> list[tuple[str, str]]:
    """The real question's words, once it opens, and ``button`` clicked on it."""
    from tests.ui.questions import when_asked

    seen: list[tuple[str, str]] = []

    def answer(box) -> None:
        seen.append((box.text(), box.informativeText()))
        next(b for b in box.buttons() if b.text() == button).click()

    when_asked(answer)
    return seen


def test_the_window_names_the_fields_changed_elsewhere_and_save_anyway_keeps_them(win, tmp_path, capsys,
                                                                                monkeypatch, qtbot):
    """The command line changed the offer code and the link while only the headline was typed: the
    red line and the question say which fields read otherwise now, and Save anyway writes the
    headline without putting the old offer code and link back."""
    view = win.screens["messages"]
    errors_fail(monkeypatch, view)
    qtbot.keyClicks(view.master.edits["headline"], " candles")
    import_from_the_command_line(win, tmp_path, capsys, master={**FALL, "headline": "Fall sale"})
    assert view.notice.isVisible()
    assert "Offer code is now “FALL30” (Save anyway keeps it)" in view.notice.text()
    assert "Headline is now “Fall sale” (Save anyway writes yours over it)" in view.notice.text()
    seen = _said_and_answered(win, "Save anyway")
    view.save_master_button.click()
    qtbot.waitUntil(lambda: bool(seen))
    text, informative = seen[0]
    assert text == CHANGED
    lines = informative.split("\n")
    assert "Offer code is now “FALL30” (Save anyway keeps it)" in lines
    assert "Link is now “https://hc.example/fall” (Save anyway keeps it)" in lines
    assert "Headline is now “Fall sale” (Save anyway writes yours over it)" in lines
    assert not any(line.startswith(("Body", "Offer is", "Image")) for line in lines)  # only those changed
    assert stored_master(win) == ("Autumn candles", "FALL30", "https://hc.example/fall")
    assert view.master.edits["offer_code"].text() == "FALL30" and view.notice.isHidden()


def test_the_window_names_the_channel_field_changed_elsewhere_and_save_anyway_keeps_it(win, tmp_path, capsys,
                                                                                     monkeypatch, qtbot):
    view = win.screens["messages"]
    errors_fail(monkeypatch, view)
    email = view.panels["email"]
    view.tabs.setCurrentWidget(email)
    email.edits["preheader"].setText("Typed preheader")
    import_from_the_command_line(win, tmp_path, capsys, subject="CLI NEW SUBJECT")
    assert "Email subject is now “CLI NEW SUBJECT” (Save anyway keeps it)" in view.notice.text()
    seen = _said_and_answered(win, "Save anyway")
    view.save_variant("email", email.values())
    qtbot.waitUntil(lambda: bool(seen))
    assert "Email subject is now “CLI NEW SUBJECT” (Save anyway keeps it)" in seen[0][1].split("\n")
    fields = store.get_message(win.workspace, "Launch").variants["email"].fields
    assert (fields["subject"], fields["preheader"]) == ("CLI NEW SUBJECT", "Typed preheader")
