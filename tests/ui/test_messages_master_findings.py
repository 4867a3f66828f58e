"""The Messages screen names what the check finds in the master's own words: a banned word only in
the master's body made the list say "✖ 1 error to fix" (as `omnidesk message check` says "error
master: …") while every tab said "✔ Nothing to fix" and the master form said nothing."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from omnidesk.core.messages import store
from omnidesk.core.messages.brand import set_brand
from omnidesk.core.workspace import Workspace
from tests.helpers import tab_walk

MASTER = {"headline": "Spring sale", "body": "Guaranteed best prices. 20% off all spring stock.",
          "offer_code": "SPRING20", "offer_value": "20% off", "cta": "Shop now", "link": "https://shop.example/spring"}

# The variants say nothing banned: the master's body alone does.
VARIANTS = {"email": {"subject": "Spring sale", "preheader": "20% off all spring stock",
                      "body": "20% off all spring stock with code SPRING20.\n\nShop now: https://shop.example/spring"
                              "?utm_source=newsletter&utm_medium=email&utm_campaign=banned"},
            "sms": {"text": "Harbor: 20% off with code SPRING20. Shop now https://shop.example/spring?utm_source=sms"
                            "&utm_medium=sms&utm_campaign=banned Reply STOP to opt out."}}


@pytest.fixture
def view(window, tmp_path, empty_workspace_file, monkeypatch):
    shutil.copyfile(empty_workspace_file, tmp_path / "shop.omnidesk")
    ws = Workspace.open(tmp_path / "shop.omnidesk")
    set_brand(ws, "banned_words", "guaranteed")
    set_brand(ws, "address", "1 Market St")
    set_brand(ws, "name", "Harbor")
    store.save_message(ws, "Banned", MASTER, channels=["email", "sms"], variants=VARIANTS)
    assert window.set_workspace(ws)
    window.resize(1024, 640)
    window.show_screen("messages")
    v = window.screens["messages"]
    monkeypatch.setattr(v, "show_error", lambda *a: pytest.fail(f"error shown: {a}"))
    return v


def test_a_banned_word_in_the_master_is_named_under_every_tab(window, view, qtbot, tmp_path):
    view.select("Banned")
    qtbot.wait(300)
    mark = next(view.list.item(i) for i in range(view.list.count()) if "Banned" in view.list.item(i).text())
    assert mark.text().startswith("✖") and mark.toolTip().endswith("1 error to fix")
    assert all(view.panels[c].findings.item(0).text() == "✔ Nothing to fix" for c in ("email", "sms"))
    shown = view.master_findings
    assert shown.accessibleName() == "What the check found in the master"
    assert [shown.item(i).text() for i in range(shown.count())] == [
        "✖ Master · Body: “Guaranteed” is on the brand's banned words"]
    for i in range(view.tabs.count()):
        view.tabs.setCurrentIndex(i)
        qtbot.wait(50)
        assert shown.isVisible() and shown.visibleRegion().boundingRect().height() >= shown.height() - 2
    window.grab().save(str(tmp_path / "master_findings.png"))
    # By the keys: Tab reaches it from the master's fields, Enter goes to the word.
    walked = tab_walk(qtbot, view.master.edits["headline"], 40)
    assert shown in walked
    walked = tab_walk(qtbot, view.master.edits["headline"], walked.index(shown) + 1)
    assert QApplication.focusWidget() is shown
    shown.setCurrentRow(0)
    qtbot.keyClick(shown, Qt.Key.Key_Return)
    body = view.master.edits["body"]
    assert QApplication.focusWidget() is body and body.textCursor().selectedText() == "Guaranteed"
    # Fixed as typed: the line goes.
    body.setPlainText("Best prices. 20% off all spring stock.")
    assert shown.isHidden() and shown.count() == 0


def test_a_master_the_check_passes_shows_no_master_line(window, view):
    store.save_message(window.workspace, "Clean", {**MASTER, "body": "20% off all spring stock."})
    view.refresh()
    view.select("Clean")
    assert view.master_findings.isHidden()
