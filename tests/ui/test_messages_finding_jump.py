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


def test_a_finding_over_two_lines_shows_whole_or_scrolls_at_1024_by_640(window, view, qtbot, tmp_path):
    """The poster's pale-colour warning wraps onto two lines at 1024 x 640: its list was sized for
    one line a row, so it showed half of it with nothing to scroll."""
    set_brand(window.workspace, "colors", "#F5E050, #2E7D32")
    store.save_message(window.workspace, "Launch", MASTER, channels=["email", "sms", "store"], replace=True)
    view.refresh()
    poster = view.panels["store"]
    view.tabs.setCurrentWidget(poster)
    listing = poster.findings
    qtbot.waitUntil(lambda: finding(listing, "contrast") is not None and listing.isVisible(), timeout=3000)
    qtbot.wait(100)
    window.grab().save(str(tmp_path / "poster_findings_1024.png"))
    pale = finding(listing, "contrast")
    assert listing.visualItemRect(pale).height() > 1.5 * listing.fontMetrics().height()  # two lines, as at 1024
    inside = listing.viewport().rect()
    for i in range(listing.count()):
        rect = listing.visualItemRect(listing.item(i))
        assert inside.contains(rect) or listing.verticalScrollBar().maximum() > 0, listing.item(i).text()
