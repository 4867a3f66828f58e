"""A finding's click or Enter selects the very words it is about, however the field starts: the check
reads a field without its leading blank lines and spaces, while the box still holds them (and an
emoji before the words takes two of the box's places)."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtWidgets import QApplication

from omnidesk.core.messages import store
from omnidesk.core.messages.brand import set_brand
from omnidesk.core.workspace import Workspace

MASTER = {"headline": "Autumn candles", "body": "Hi {first_name|there}, our autumn candles are back.",
          "offer_code": "AUTUMN20", "offer_value": "20% off", "link": "https://shop.example.com/autumn"}


@pytest.fixture
def view(window, tmp_path, empty_workspace_file, monkeypatch):
    shutil.copyfile(empty_workspace_file, tmp_path / "shop.omnidesk")
    ws = Workspace.open(tmp_path / "shop.omnidesk")
    set_brand(ws, "banned_words", "guaranteed")
    store.save_message(ws, "Launch", MASTER, channels=["email", "sms"])
    assert window.set_workspace(ws)
    window.resize(1024, 640)
    window.show_screen("messages")
    v = window.screens["messages"]
    monkeypatch.setattr(v, "show_error", lambda *a: pytest.fail(f"error shown: {a}"))
    v.select("Launch")
    return v


def finding(listing, words: str):
    for i in range(listing.count()):
        if words in listing.item(i).text():
            return listing.item(i)
    return None


@pytest.mark.parametrize("before", ["\n\n  Hi ", "  🎃 Hi "])
def test_enter_on_a_variant_finding_selects_its_words(view, qtbot, before):
    sms = view.panels["sms"]
    view.tabs.setCurrentWidget(sms)
    box = sms.edits["text"]
    box.setPlainText(before + "{frist_name}, " + view.current.variants["sms"].fields["text"])
    qtbot.waitUntil(lambda: finding(sms.findings, "{frist_name}") is not None, timeout=3000)
    sms.findings.setFocus()
    sms.findings.setCurrentItem(finding(sms.findings, "{frist_name}"))
    sms.findings.itemActivated.emit(sms.findings.currentItem())
    assert QApplication.focusWidget() is box
    assert box.textCursor().selectedText() == "{frist_name}"


def test_a_master_finding_selects_its_words(view, qtbot):
    body = view.master.edits["body"]
    body.setPlainText("\n  🎃 Guaranteed the best candles.")
    qtbot.waitUntil(lambda: finding(view.master_findings, "Guaranteed") is not None, timeout=3000)
    view.master_findings.itemActivated.emit(finding(view.master_findings, "Guaranteed"))
    assert body.textCursor().selectedText() == "Guaranteed"
    headline = view.master.edits["headline"]
    headline.setText("   Guaranteed candles")
    qtbot.waitUntil(lambda: finding(view.master_findings, "Headline") is not None, timeout=3000)
    view.master_findings.itemActivated.emit(finding(view.master_findings, "Headline"))
    assert headline.selectedText() == "Guaranteed"
