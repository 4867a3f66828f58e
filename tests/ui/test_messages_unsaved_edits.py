"""Words typed in the message editor and not saved are never thrown away unasked: saving one part
(the master, a variant) keeps what is typed in the others, and whatever would show another message
in the editor, or close the window, asks first."""

from __future__ import annotations

import json
import shutil

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from omnidesk.core.messages import store
from omnidesk.core.workspace import Workspace

MASTER = {"headline": "Autumn candles", "body": "Hi {first_name|there}, our autumn candles are back.",
          "offer_code": "AUTUMN20", "offer_value": "20% off", "link": "https://shop.example.com/autumn"}
QUESTION = ("Unsaved changes", "Leave “Launch” without saving what you changed?")


@pytest.fixture
def win(window, tmp_path, empty_workspace_file):
    shutil.copyfile(empty_workspace_file, tmp_path / "shop.omnidesk")
    assert window.set_workspace(Workspace.open(tmp_path / "shop.omnidesk"))
    window.resize(1024, 640)
    window.show_screen("messages")
    return window


@pytest.fixture
def view(win, monkeypatch, qtbot):
    v = win.screens["messages"]
    monkeypatch.setattr(v, "show_error", lambda *a: pytest.fail(f"error shown: {a}"))
    store.save_message(win.workspace, "Another", {"headline": "Another"})
    store.save_message(win.workspace, "Launch", MASTER)
    v.refresh()
    v.select("Launch")
    v.asked = []
    v.answer = False  # No: stay with what was typed
    monkeypatch.setattr(v, "confirm", lambda *a: v.asked.append(a) or v.answer)
    return v


def type_into(qtbot, edit, words: str) -> None:
    """Keys typed at the end of a field, as a person types them."""
    edit.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is edit)
    if hasattr(edit, "moveCursor"):
        edit.moveCursor(edit.textCursor().MoveOperation.End)
    else:
        edit.end(False)
    qtbot.keyClicks(edit, words)


def type_sms(view, qtbot) -> str:
    sms = view.panels["sms"]
    view.tabs.setCurrentWidget(sms)
    type_into(qtbot, sms.edits["text"], " See you soon!")
    return sms.edits["text"].toPlainText()


def type_headline(view, qtbot) -> None:
    type_into(qtbot, view.master.edits["headline"], " again")


def stored(win) -> store.MessageData:
    return store.get_message(win.workspace, "Launch")


def still_typed(view, sms_text: str) -> None:
    assert view.current.name == "Launch" and view.title.text() == "Launch"
    assert view.master.edits["headline"].text() == "Autumn candles again" and view.save_master_button.isEnabled()
    sms = view.panels["sms"]
    assert sms.edits["text"].toPlainText() == sms_text and sms.save_button.isEnabled()


def test_saving_the_master_keeps_the_words_typed_in_a_variant(win, view, qtbot):
    typed = type_sms(view, qtbot)
    type_headline(view, qtbot)
    qtbot.keyClick(view.master.edits["headline"], Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert stored(win).master["headline"] == "Autumn candles again"
    sms = view.panels["sms"]
    assert sms.edits["text"].toPlainText() == typed  # still there, unsaved, its Save on
    assert sms.has_unsaved() and sms.save_button.isEnabled()
    assert "See you soon" not in stored(win).variants["sms"].fields["text"]
    assert not sms.stale.isHidden()  # the master moved on: said over the typed words
    assert not view.save_master_button.isEnabled() and view.asked == []
    view.tabs.setCurrentWidget(sms)
    sms.edits["text"].setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is sms.edits["text"])
    qtbot.keyClick(sms.edits["text"], Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert stored(win).variants["sms"].fields["text"] == typed.strip()


def test_saving_a_variant_keeps_the_words_typed_in_the_master_and_the_others(win, view, qtbot):
    type_headline(view, qtbot)
    email = view.panels["email"]
    view.tabs.setCurrentWidget(email)
    type_into(qtbot, email.edits["body"], " Warmly.")
    body = email.edits["body"].toPlainText()
    typed = type_sms(view, qtbot)
    qtbot.keyClick(view.panels["sms"].edits["text"], Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert stored(win).variants["sms"].fields["text"] == typed.strip()
    assert not view.panels["sms"].save_button.isEnabled()
    assert view.master.edits["headline"].text() == "Autumn candles again" and view.save_master_button.isEnabled()
    assert stored(win).master["headline"] == "Autumn candles"
    assert view.panels["email"].edits["body"].toPlainText() == body and view.panels["email"].has_unsaved()
    assert view.asked == []


def test_picking_another_message_asks_and_no_keeps_the_words(win, view, qtbot):
    typed = type_sms(view, qtbot)
    type_headline(view, qtbot)
    view.list.setFocus()
    names = [view.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(view.list.count())]
    key = Qt.Key.Key_Down if names.index("Another") > view.list.currentRow() else Qt.Key.Key_Up
    qtbot.keyClick(view.list, key)
    assert view.asked == [QUESTION]
    still_typed(view, typed)
    assert view.list.currentItem().data(Qt.ItemDataRole.UserRole) == "Launch"
    view.answer = True  # Yes: the words go, the other message shows
    qtbot.keyClick(view.list, key)
    assert view.current.name == "Another" and view.list.currentItem().data(Qt.ItemDataRole.UserRole) == "Another"


def test_duplicate_delete_new_and_import_ask_first(win, view, qtbot, monkeypatch, tmp_path):
    typed = type_sms(view, qtbot)
    type_headline(view, qtbot)
    named = []
    monkeypatch.setattr(view, "ask_text", lambda *a, **k: named.append(a) or "Launch (copy)")
    view.duplicate_action.trigger()
    assert view.asked == [QUESTION] and named == []
    view.new_message()
    assert view.asked == [QUESTION] * 2 and named == []
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"name": "Other", "message": {"headline": "Other"}}), encoding="utf-8")
    monkeypatch.setattr(view, "ask_open_json", lambda: pytest.fail("a file asked for before the question"))
    view.import_action.trigger()
    assert view.asked == [QUESTION] * 3
    view.delete_action.trigger()
    assert "what you typed and did not save" in view.asked[-1][1]
    assert sorted(m.name for m in store.list_messages(win.workspace)) == ["Another", "Launch"]
    still_typed(view, typed)
    view.answer = True
    view.duplicate_action.trigger()
    assert view.current.name == "Launch (copy)"
    assert "See you soon" not in view.panels["sms"].edits["text"].toPlainText()  # the saved message copied


def test_closing_the_window_or_opening_another_workspace_asks_first(win, view, qtbot, tmp_path,
                                                                    empty_workspace_file):
    typed = type_sms(view, qtbot)
    type_headline(view, qtbot)
    other = tmp_path / "other.omnidesk"
    shutil.copyfile(empty_workspace_file, other)
    assert not win.open_workspace(other)
    assert view.asked == [QUESTION] and win.workspace.path.name == "shop.omnidesk"
    still_typed(view, typed)
    assert not win.close()
    assert view.asked == [QUESTION] * 2
    still_typed(view, typed)
    view.answer = True
    assert win.open_workspace(other) and win.workspace.path.name == "other.omnidesk"


def test_nothing_typed_nothing_asked(win, view, qtbot, monkeypatch):
    monkeypatch.setattr(view, "ask_text", lambda *a, **k: "Launch (copy)")
    view.duplicate_action.trigger()
    assert view.asked == [] and view.current.name == "Launch (copy)"
