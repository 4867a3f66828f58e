"""The Messages screen: a message written once, its channel variants, stale when the master moves,
re-synced or kept; every change one undo step, all reachable by keys."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from omnidesk.core.messages import store
from omnidesk.core.workspace import Workspace


@pytest.fixture
def win(window, tmp_path, empty_workspace_file):
    shutil.copyfile(empty_workspace_file, tmp_path / "shop.omnidesk")
    ws = Workspace.open(tmp_path / "shop.omnidesk")
    assert window.set_workspace(ws)
    window.show_screen("messages")
    return window


@pytest.fixture
def view(win, monkeypatch):
    v = win.screens["messages"]
    monkeypatch.setattr(v, "show_error", lambda *a: pytest.fail(f"error shown: {a}"))
    return v


def undo_text(window) -> str:
    return window.undo_action.text().replace("&", "")


def test_empty_then_a_new_message_with_its_variants(win, view, monkeypatch, qtbot):
    assert view.pages.currentIndex() == 0  # the empty state teaches
    monkeypatch.setattr(view, "ask_text", lambda *a, **k: "Autumn launch")
    qtbot.mouseClick(view.empty.button, Qt.MouseButton.LeftButton)
    assert view.pages.currentIndex() == 1 and view.current.name == "Autumn launch"
    assert [view.tabs.tabText(i).split(" ")[0] for i in range(view.tabs.count())] == [
        "Email", "SMS", "Facebook", "Instagram", "Poster"]
    assert undo_text(win) == "Undo new message Autumn launch"
    win.undo_action.trigger()
    assert store.list_messages(win.workspace) == [] and view.pages.currentIndex() == 0
    win.redo_action.trigger()
    assert [m.name for m in store.list_messages(win.workspace)] == ["Autumn launch"]


def test_master_saved_marks_variants_stale_then_resync_and_keep(win, view, qtbot):
    win.resize(1024, 640)
    win.show()
    store.save_message(win.workspace, "Launch", {"headline": "Autumn candles", "offer_code": "AUTUMN20",
                                                 "offer_value": "20% off", "link": "https://shop.example.com/a"})
    view.refresh()
    sms = view.panels["sms"]
    sms.edits["text"].setPlainText("Autumn candles: AUTUMN20 for 20% off. Reply STOP to opt out.")
    qtbot.mouseClick(sms.save_button, Qt.MouseButton.LeftButton)
    assert undo_text(win) == "Undo edit SMS of Launch"
    view.master.edits["offer_code"].setText("FALL25")
    assert view.save_master_button.isEnabled()
    qtbot.keyClick(view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert view.current.master["offer_code"] == "FALL25"
    assert set(view.current.stale) == {"email", "sms", "facebook", "instagram", "store"}
    assert view.tabs.tabText(1).startswith("SMS ↻")
    sms = view.panels["sms"]
    assert not sms.stale.isHidden() and "FALL25" in sms.stale_text.text() and "AUTUMN20" in sms.stale_text.text()
    qtbot.mouseClick(sms.keep_button, Qt.MouseButton.LeftButton)
    assert "sms" not in view.current.stale and view.panels["sms"].edits["text"].toPlainText().startswith("Autumn")
    email = view.panels["email"]
    view.tabs.setCurrentWidget(email)
    qtbot.waitUntil(lambda: email.resync_button.height() > 0)  # laid out, in sight, as a person sees it
    qtbot.mouseClick(email.resync_button, Qt.MouseButton.LeftButton)
    assert "FALL25" in view.panels["email"].edits["body"].toPlainText()
    assert undo_text(win) == "Undo re-sync Email of Launch"
    win.undo_action.trigger()
    assert "email" in view.current.stale


def test_import_export_duplicate_delete(win, view, monkeypatch, tmp_path):
    doc = tmp_path / "launch.json"
    doc.write_text(json.dumps({"name": "Launch", "message": {"headline": "Hello", "link": "https://x.example"},
                               "variants": {"x": {"text": "Hello #candles"}}}), encoding="utf-8")
    monkeypatch.setattr(view, "ask_open_json", lambda: doc)
    view.import_action.trigger()
    assert view.current.name == "Launch" and "x" in view.panels
    out = tmp_path / "again.json"
    monkeypatch.setattr(view, "ask_save_json", lambda name: out)
    view.export_action.trigger()
    assert json.loads(out.read_text(encoding="utf-8"))["variants"]["x"] == {"text": "Hello #candles"}
    monkeypatch.setattr(view, "ask_save_json", lambda name: win.workspace.path)
    said = []
    monkeypatch.setattr(view, "show_error", lambda *a: said.append(a))
    view.export_action.trigger()
    assert said  # never over the workspace
    monkeypatch.setattr(view, "ask_text", lambda *a, **k: "Launch (winter)")
    view.duplicate_action.trigger()
    assert view.current.name == "Launch (winter)"
    monkeypatch.setattr(view, "confirm", lambda *a: True)
    view.delete_action.trigger()
    assert [m.name for m in store.list_messages(win.workspace)] == ["Launch"]
    win.undo_action.trigger()
    assert len(store.list_messages(win.workspace)) == 2


def test_history_restores_a_version(win, view, monkeypatch):
    store.save_message(win.workspace, "Launch", {"headline": "First"})
    store.save_message(win.workspace, "Launch", {"headline": "Second"}, replace=True)
    view.refresh()
    from omnidesk.ui.views.messages import history

    def pick_oldest(self):
        self.list.setCurrentRow(self.list.count() - 1)
        self.accept()
        return self.result()

    monkeypatch.setattr(history.HistoryDialog, "exec", pick_oldest)
    view.history_button.click()
    assert view.current.master["headline"] == "First"
    assert undo_text(win) == "Undo restore Launch"


def test_the_check_runs_as_you_type_and_a_finding_jumps_to_its_place(win, view, qtbot):
    store.save_message(win.workspace, "Launch", {"headline": "Autumn", "offer_code": "AUTUMN20",
                                                 "link": "https://hc.example/a"})
    view.refresh()
    view.tabs.setCurrentWidget(view.panels["sms"])
    sms = view.panels["sms"]
    sms.edits["text"].setPlainText("Autumn sale with AUTUMN20 https://hc.example/a Hi {frist_name}")
    qtbot.waitUntil(lambda: any("frist_name" in sms.findings.item(i).text() for i in range(sms.findings.count())),
                    timeout=3000)
    texts = [sms.findings.item(i).text() for i in range(sms.findings.count())]
    assert any("opt-out" in t for t in texts)
    assert "✖" in view.tabs.tabText(view.tabs.indexOf(sms))
    assert "segment" in sms.counter.text() and "GSM-7" in sms.counter.text()
    # What the second number is: the room the segments give, not a limit of "/ 268".
    # Measured on no one's values in a workspace with no customers yet, and said so.
    assert re.fullmatch(r"[\d,]+ characters · \d+ segments? \(room for [\d,]+\) · GSM-7 "
                        r"\(someone with no data: no customers yet\)",
                        sms.counter.text()), sms.counter.text()
    row = next(i for i, t in enumerate(texts) if "frist_name" in t)
    sms.findings.itemClicked.emit(sms.findings.item(row))
    cursor = sms.edits["text"].textCursor()
    assert cursor.selectedText() == "{frist_name}"


def test_a_tab_counts_errors_and_warnings_with_the_check_list_marks_and_marks_out_of_date_apart(win, view, qtbot):
    """⚠ on a tab meant "out of date" while the check list under it used ⚠ for a warning, and a
    tab with only warnings said nothing."""
    store.save_message(win.workspace, "Launch", {"headline": "Autumn", "offer_code": "AUTUMN20",
                                                 "link": "https://hc.example/a"})
    view.refresh()
    for channel, panel in view.panels.items():
        texts = [panel.findings.item(i).text() for i in range(panel.findings.count())]
        errors = sum(t.startswith("✖") for t in texts)
        warnings = sum(t.startswith("⚠") for t in texts)
        label = view.tabs.tabText(view.tabs.indexOf(panel))
        # One count on the tab, the errors' before the warnings'; the tooltip says both.
        assert (f"✖{errors}" in label) == bool(errors), label
        assert (f"⚠{warnings}" in label) == bool(warnings and not errors), label
        tip = view.tabs.tabToolTip(view.tabs.indexOf(panel))
        assert (f"⚠ {warnings} warning" in tip) == bool(warnings), tip
        assert "↻" not in label
    assert any("⚠" in view.tabs.tabText(i) for i in range(view.tabs.count()))  # the demo has a warning to show
    store.save_message(win.workspace, "Launch", {"headline": "Autumn", "offer_code": "FALL25",
                                                 "link": "https://hc.example/a"}, replace=True)
    view.refresh()
    sms = view.tabs.indexOf(view.panels["sms"])
    assert view.tabs.tabText(sms).startswith("SMS ↻")
    assert "Out of date" in view.tabs.tabToolTip(sms)


def test_a_master_link_no_browser_can_open_is_said_under_its_field_not_as_missing(win, view, qtbot):
    """"htp:/bad link" saved without a word, and every channel then said the link was missing,
    even one whose text held it: the user was sent to fix the wrong thing."""
    store.save_message(win.workspace, "Launch", {"headline": "Autumn", "link": "https://hc.example/a"})
    view.refresh()
    link = view.master.edits["link"]
    assert view.master.link_problem.isHidden()
    link.setText("htp:/bad link")
    assert not view.master.link_problem.isHidden()
    assert view.master.link_problem.text().startswith("htp:/bad link is not a link a browser can open")
    qtbot.keyClick(view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    sms = view.panels["sms"]
    view.tabs.setCurrentWidget(sms)
    qtbot.waitUntil(lambda: sms.findings.count() > 0, timeout=3000)
    texts = [sms.findings.item(i).text() for i in range(sms.findings.count())]
    assert any("the master's htp:/bad link is not a link a browser can open" in t for t in texts), texts
    assert not any("is missing" in t and "link" in t for t in texts), texts
    link.setText("https://hc.example/a")
    assert view.master.link_problem.isHidden()


@pytest.mark.skipif(not hasattr(os, "mkfifo") or not os.path.exists("/dev/null"), reason="pipes and devices: POSIX")
def test_the_brand_kit_dialog_refuses_a_pipe_or_a_device_as_the_logo_unread(view, tmp_path):
    # Read whole when chosen: a named pipe froze the window waiting for a writer, /dev/zero filled the memory.
    from tests.helpers import unblock_fifo_later

    fifo = tmp_path / "logo.png"
    os.mkfifo(fifo)
    d = view.brand_dialog()
    for path, what in ((fifo, "a named pipe (FIFO)"), (Path("/dev/null"), "a device")):
        unblock_fifo_later(fifo)
        d.ask_logo_path = lambda path=path: path
        d.logo_button.click()
        # Said under the logo, not under another field, and still said after OK refuses a colour.
        assert d.logo_error.text() == (f'"{path.name}" is not a regular file (it is {what}); '
                                       "pick the PNG or JPEG image itself.")
        assert not d.logo_error.isHidden() and d.errors["name"].isHidden()
        assert d.logo_path is None
    d.edits["colors"].setText("green")
    d.accept()
    assert not d.logo_error.isHidden() and not d.result()
    d.reject()


def test_the_brand_kit_dialog_checks_each_field_and_is_one_undo_step(win, view, monkeypatch, tmp_path):
    from omnidesk.core.messages.brand import get_brand
    from tests.core.messages.test_store import png

    logo = png(tmp_path / "logo.png")
    made = view.brand_dialog

    def dialog():
        d = made()
        d.ask_logo_path = lambda: logo

        def run():
            d.edits["colors"].setText("green")
            d.accept()  # refused: the error shows under the field and the dialog stays
            assert d.errors["colors"].text().startswith("give one or two colours") and not d.result()
            d.edits["colors"].setText("#1B4332, #D8A31A")
            d.edits["name"].setText("Harbor Candles")
            d.edits["address"].setPlainText("12 Quay St\nPortland, ME 04101")
            d.logo_button.click()
            d.accept()
            return d.result()

        d.exec = run
        return d

    monkeypatch.setattr(view, "brand_dialog", dialog)
    view.brand_action.trigger()
    kit = get_brand(win.workspace)
    assert (kit.name, kit.colors, kit.address, kit.logo_name) == (
        "Harbor Candles", ("#1B4332", "#D8A31A"), "12 Quay St\nPortland, ME 04101", "logo.png")
    assert undo_text(win) == "Undo edit brand kit"
    win.undo_action.trigger()
    kit = get_brand(win.workspace)
    assert (kit.name, kit.logo_name) == ("", "")


def test_previews_render_for_a_real_customer_and_for_one_with_no_data(win, view, qtbot):
    from omnidesk.core import edits

    ws = win.workspace
    ann = edits.add_customer(ws, {"first_name": "Ann", "last_name": "<b>Lee</b>", "email": "ann@example.com"}).created
    store.save_message(ws, "Launch", {"headline": "Autumn", "link": "https://hc.example/a"},
                       variants={"sms": {"text": "Hi {first_name|there} {last_name}, autumn is here. Reply STOP"}})
    view.refresh()
    sms = view.panels["sms"]
    view.find_customer.setText("Ann")
    qtbot.keyClick(view.find_customer, Qt.Key.Key_Return)
    assert view.preview_for.currentData() == ann
    assert sms.preview.body.text() == "Hi Ann <b>Lee</b>, autumn is here. Reply STOP"  # shown as typed, not run
    view.preview_for.setCurrentIndex(view.preview_for.findData(view.NO_DATA))
    assert sms.preview.body.text() == "Hi there , autumn is here. Reply STOP"
    assert sms.preview.caption.text() == "Preview for someone with no data"


def test_the_longest_preview_is_every_part_for_one_customer(new_workspace, window, tmp_path, qtbot):
    from omnidesk.core.importing.pipeline import ImportOptions, import_file
    from tests.helpers import write_csv

    ws = new_workspace(tmp_path / "shop.omnidesk")
    # Nathaniel's name is the longest; Bo's last product makes the longest body.
    import_file(ws, write_csv(tmp_path / "orders.csv", ["Name", "Email", "Billing Name", "Created at",
                                                         "Lineitem name", "Total", "Financial Status"], [
        ["#1", "nat@example.com", "Nathaniel Hughes", "2026-10-01 10:00", "Mug", "12.00", "paid"],
        ["#2", "bo@example.com", "Bo Lin", "2026-10-02 10:00", "Hand-thrown stoneware serving bowl", "48.00",
         "paid"]]), ImportOptions(channel="shop", preset="shopify_orders"))
    store.save_message(ws, "Launch", {"headline": "Autumn", "link": "https://hc.example/a"}, variants={"email": {
        "subject": "Hello {first_name|there}", "preheader": "Hi {first_name|there}",
        "body": "Hi {first_name|there}, how is your {last_product|purchase}?"}})
    assert window.set_workspace(ws)
    window.resize(1920, 1080)
    window.show()
    window.show_screen("messages")
    view = window.screens["messages"]
    email = view.panels["email"]
    view.tabs.setCurrentWidget(email)
    assert view.preview_for.currentData() == view.LONGEST
    preview = email.preview
    assert preview.caption.text() == "Preview for the longest of your 2 customers"
    # The counter measures the subject: the preview is the customer whose subject is longest.
    # The preheader is the inbox's line under the subject, apart from the body (once run into
    # it, a preheader made of the body's first sentence read twice).  The body ends as the email
    # exported does, with its Unsubscribe link.
    unsubscribe = "\n\nUnsubscribe (*|UNSUB|*)"
    assert (preview.title.text(), preview.snippet.text(), preview.body.text()) == (
        "Hello Nathaniel", "Hi Nathaniel", "Hi Nathaniel, how is your Mug?" + unsubscribe)
    assert preview.snippet.isVisible() and preview.rule.isVisible()
    assert preview.text() == "Hello Nathaniel\nHi Nathaniel\nHi Nathaniel, how is your Mug?" + unsubscribe
    assert not view.panels["sms"].preview.snippet.isVisibleTo(view.panels["sms"])


def test_a_post_with_a_personal_token_shows_the_warning_and_the_post_everyone_sees(win, view, qtbot):
    from omnidesk.core import edits

    ws = win.workspace
    edits.add_customer(ws, {"first_name": "Nathaniel", "email": "nat@example.com"})
    store.save_message(ws, "Winter", {"headline": "Winter", "body": "Hi {first_name|there}! 20% off.",
                                      "link": "https://hc.example/a"})
    view.refresh()
    facebook = view.panels["facebook"]
    view.tabs.setCurrentWidget(facebook)
    texts = [facebook.findings.item(i).text() for i in range(facebook.findings.count())]
    warning = next(t for t in texts if "{first_name} is one customer's" in t)
    assert warning.startswith("⚠") and "each reader sees “there”" in warning
    assert "Hi there! 20% off." in facebook.preview.body.text() and "Nathaniel" not in facebook.preview.body.text()
    assert facebook.counter.text().endswith("(as everyone sees it)")
    row = texts.index(warning)
    facebook.findings.itemClicked.emit(facebook.findings.item(row))
    assert facebook.edits["text"].textCursor().selectedText() == "{first_name|there}"
    # The email goes to each person: their own name, no warning.
    email = view.panels["email"]
    assert not any("one customer's" in email.findings.item(i).text() for i in range(email.findings.count()))
    assert "Hi Nathaniel!" in email.preview.body.text()


def test_on_a_tall_screen_the_email_body_takes_the_spare_height_and_nothing_scrolls(win, view, qtbot):
    """At 1920x1080 the editor fits: the hidden poster tab (its preview stacked under its fields until it
    is shown) no longer makes it scroll, and the email's body grows into the room instead of a blank below."""
    from PySide6.QtWidgets import QApplication, QScrollArea

    from tests.ui.in_sight import in_sight

    store.save_message(win.workspace, "Winter", {"headline": "Winter sale", "body": "Warm up.\n\nAll week."},
                       channels=["email", "sms", "facebook", "instagram", "store", "website"])
    win.resize(1920, 1080)
    view.refresh()
    view.select("Winter")
    for _ in range(3):
        QApplication.processEvents()
    scroll = view.findChild(QScrollArea)
    assert scroll.widget().height() <= scroll.viewport().height()
    assert scroll.focusPolicy() == Qt.FocusPolicy.NoFocus  # no Tab stop that shows nothing
    email = view.panels["email"]
    body = email.edits["body"]
    assert body.height() > 2 * body.minimumHeight()
    # The check under it is as tall as its lines (here one or two), and on screen, not below the fold.
    assert email.findings.count() <= 2 and email.findings.height() <= 2 * email.findings.sizeHintForRow(0) + 12
    assert in_sight(email.findings)
    # Right under the tabs, the body's spare height above it: no blank between the two.
    gap = email.findings.mapTo(win, email.findings.rect().topLeft()).y() - view.tabs.mapTo(
        win, view.tabs.rect().bottomLeft()).y()
    assert 0 < gap < 40, gap
    # Every other tab, opened for the first time, fits too.
    for i in range(1, view.tabs.count()):
        view.tabs.setCurrentIndex(i)
        for _ in range(3):
            QApplication.processEvents()
        assert scroll.widget().height() <= scroll.viewport().height(), view.tabs.tabText(i)
    # On a 1024x640 window the editor scrolls, and the body keeps its six lines.
    view.tabs.setCurrentIndex(0)
    win.resize(1024, 640)
    for _ in range(3):
        QApplication.processEvents()
    assert scroll.widget().height() > scroll.viewport().height()
    assert body.minimumHeight() <= body.height() < body.minimumHeight() + body.fontMetrics().lineSpacing()
    # Every channel's tab shows whole, its error count too: no scroll arrows hide one.
    bar = view.tabs.tabBar()
    assert bar.sizeHint().width() <= bar.width(), (bar.sizeHint(), bar.size())
    assert view.tabs.tabToolTip(view.tabs.indexOf(view.panels["store"])) == "In-store poster"
    # Each tab scrolls as far as its own parts go: the SMS tab does not end in the poster's height of blank.
    heights = {}
    for channel in ("sms", "store"):
        view.tabs.setCurrentWidget(view.panels[channel])
        for _ in range(3):
            QApplication.processEvents()
        heights[channel] = scroll.widget().height()
        panel = view.panels[channel]
        assert panel.geometry().bottom() - panel.extra.geometry().bottom() < 60, channel
    assert heights["sms"] < heights["store"] - 200, heights


def test_at_1024_by_640_the_saves_and_the_check_are_in_sight_without_scrolling(win, view, qtbot):
    """The smallest window the app supports: the editor (620 pixels high at least) put the channel's
    Save button, its check and, scrolled to the variant, Save master below the fold."""
    from PySide6.QtWidgets import QApplication, QScrollArea

    from tests.ui.in_sight import in_sight

    store.save_message(win.workspace, "Spring", {"headline": "Spring sale", "offer_code": "SPRING20",
                                                 "link": "https://hc.example/s"},
                       channels=["email", "sms", "facebook", "instagram", "store"])
    # The master moved on: every variant shows its banner of what changed, the tallest it gets.
    store.save_message(win.workspace, "Spring", {"headline": "Spring is here", "offer_code": "SPRING25",
                                                 "link": "https://hc.example/s"}, replace=True)
    win.resize(1024, 640)
    view.refresh()
    view.select("Spring")
    scroll = view.findChild(QScrollArea)
    for i in range(view.tabs.count()):
        view.tabs.setCurrentIndex(i)
        for end in (0, scroll.verticalScrollBar().maximum()):  # at the top, and scrolled to the variant
            scroll.verticalScrollBar().setValue(end)
            for _ in range(3):
                QApplication.processEvents()
            panel = view.tabs.currentWidget()
            name = view.tabs.tabText(i)
            assert in_sight(panel.save_button), name
            assert in_sight(view.save_master_button), name
            assert panel.findings.count() and in_sight(panel.findings.viewport(),
                                                       panel.findings.visualItemRect(panel.findings.item(0))), name
            assert in_sight(panel.counter), name
    # The list of messages leaves the editor the width: about as wide as a message's name.
    assert view.list.width() <= 200
    # Tab reads on from the variant to its check, Save master, then the variant's Save.
    from PySide6.QtTest import QTest

    win.activateWindow()
    view.master.edits["headline"].setText("Spring is here at last")
    for channel in ("sms", "email"):
        view.tabs.setCurrentWidget(view.panels[channel])
        panel = view.panels[channel]
        last = list(panel.edits.values())[-1]
        last.setFocus()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is last)
        QTest.keyClicks(last, " now")
        walked = []
        for _ in range(4):
            QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
            walked.append(QApplication.focusWidget())
        assert walked[1:] == [panel.findings, view.save_master_button, panel.save_button], channel


def test_words_being_typed_stay_when_another_window_changes_the_workspace(win, view, qtbot):
    """The window looks every few seconds for changes made elsewhere and redraws: a message being
    written keeps its unsaved words, where the cursor was, while the list shows the other's message."""
    store.save_message(win.workspace, "Launch", {"headline": "Autumn", "offer_code": "AUTUMN20",
                                                 "link": "https://hc.example/a"})
    view.refresh()
    view.tabs.setCurrentWidget(view.panels["sms"])
    sms = view.panels["sms"]
    sms.edits["text"].setPlainText("Autumn candles, half typed")
    cursor = sms.edits["text"].textCursor()
    cursor.setPosition(7)
    sms.edits["text"].setTextCursor(cursor)
    view.master.edits["headline"].setText("Autumn candles")
    assert not win.look_for_outside_changes()
    with Workspace.open(win.workspace.path) as other:  # another window, or the command line
        store.save_message(other, "Winter", {"headline": "Winter"})
    assert win.look_for_outside_changes()
    assert [view.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(view.list.count())] == [
        "Launch", "Winter"]
    assert view.current.name == "Launch" and view.list.currentItem().data(Qt.ItemDataRole.UserRole) == "Launch"
    assert view.panels["sms"] is sms and view.tabs.currentWidget() is sms
    assert sms.edits["text"].toPlainText() == "Autumn candles, half typed"
    assert sms.edits["text"].textCursor().position() == 7
    assert view.master.edits["headline"].text() == "Autumn candles"
    assert view.save_master_button.isEnabled()
    # Nothing typed: the shown message is read again, as it is now.
    view.master.edits["headline"].setText("Autumn")
    sms.edits["text"].setPlainText(sms._shown["text"])
    with Workspace.open(win.workspace.path) as other:
        store.save_message(other, "Launch", {"headline": "Autumn, again", "offer_code": "AUTUMN20",
                                             "link": "https://hc.example/a"}, replace=True)
    assert win.look_for_outside_changes()
    assert view.master.edits["headline"].text() == "Autumn, again"


def test_an_offer_that_has_ended_says_so_beside_its_date(win, view, qtbot):
    # The message check warns once the offer's last day is over on the shop's clock; the editor
    # says it beside the date, and stops saying it once a later day is picked.
    import time_machine
    from PySide6.QtCore import QDate

    win.workspace.set_setting("timezone", "America/New_York")
    store.save_message(win.workspace, "Winter", {"headline": "Winter sale", "offer_expires": "2027-01-31",
                                                 "link": "https://shop.example.com/w"})
    with time_machine.travel("2027-02-01 04:30Z", tick=False):  # 23:30 on the 31st in New York: still on
        view.refresh()
        assert not view.master.ended.isVisible() and view.master.ended.text() == ""
    with time_machine.travel("2027-02-01 05:30Z", tick=False):  # 00:30 on 1 February there: over
        view.refresh()
        assert view.master.ended.isVisibleTo(view) and view.master.ended.text() == "⚠ this offer has ended"
        assert "31 Jan 2027" in view.master.ended.toolTip()
        view.master.expires.setDate(QDate(2027, 3, 31))
        assert not view.master.ended.isVisibleTo(view)
        view.master.expires_on.setChecked(False)  # no end date: nothing to end
        assert not view.master.ended.isVisibleTo(view)


def test_the_list_mark_says_what_the_tabs_and_the_message_check_say_for_real_customers(demo_window, qtbot):
    """An SMS that fits in 6 segments with the fallback name but takes 7 with a customer's own
    name is an error in its tab and in the message check: the list marks it ✖ too, never ✔."""
    from omnidesk.core.messages.brand import set_brand
    from omnidesk.core.messages.lint import check_message

    ws = demo_window.workspace
    set_brand(ws, "address", "1 Market Street, Springfield")
    store.save_message(ws, "Long", {"headline": "Long", "offer_code": "S20", "offer_value": "20% off",
                                    "link": "https://shop.example/sale"})
    base = "Harbor & Pine: S20 20% off https://shop.example/sale Reply STOP to opt out. "
    store.set_variant(ws, "Long", "sms", {"text": base + "a" * (918 - len(base) - 1) + "{first_name|x}"})
    demo_window.show_screen("messages")
    view = demo_window.screens["messages"]
    view.refresh()
    view.select("Long")
    row = next(i for i in range(view.list.count()) if view.list.item(i).data(Qt.ItemDataRole.UserRole) == "Long")
    item = view.list.item(row)
    errors = len(check_message(ws, "Long").errors)
    assert errors and "✖" in view.tabs.tabText(view.tabs.indexOf(view.panels["sms"]))
    assert item.text().startswith("✖ ")
    assert f"{errors} error" in item.toolTip() and "The check passes" not in item.toolTip()
    # Fixed in the tab and saved: the list says the check passes again, as the tab does.
    sms = view.panels["sms"]
    sms.edits["text"].setPlainText(base)
    sms.save_button.click()
    qtbot.waitUntil(lambda: "✖" not in view.tabs.tabText(view.tabs.indexOf(view.panels["sms"])))
    item = next(view.list.item(i) for i in range(view.list.count())
                if view.list.item(i).data(Qt.ItemDataRole.UserRole) == "Long")
    assert not check_message(ws, "Long").errors
    assert item.text().startswith("✔ ") and "The check passes" in item.toolTip()


def test_a_kept_logo_that_cannot_be_drawn_is_an_error_of_the_poster_in_the_list_and_its_tab(win, view, tmp_path):
    """A logo kept before the brand kit decoded logos may be cut short: ``message check`` says the
    poster cannot be drawn with it, but the screen laid the poster out with a stand-in and marked the
    message ✔. The list's mark and the poster tab say what the message check says."""
    import hashlib

    from sqlalchemy import insert

    from omnidesk.core.messages.brand import _store, set_brand
    from omnidesk.core.messages.lint import check_message
    from omnidesk.core.models import Asset
    from tests.core.test_cli_poster_check import png

    ws = win.workspace
    set_brand(ws, "name", "Harbor")
    set_brand(ws, "address", "12 Quay St, Portland")
    store.save_message(ws, "Spring", {"headline": "Spring sale", "offer_code": "SPRING20", "offer_value": "20% off",
                                      "cta": "Shop now", "link": "https://example.com/spring"},
                       variants={"store": {"headline": "Spring sale", "offer": "20% off with code SPRING20",
                                           "cta": "Shop now", "link": "https://example.com/spring"}})
    assert not check_message(ws, "Spring").errors
    # Kept as it was before logos were decoded when set: the first 300 bytes of a PNG.
    data = png(tmp_path / "good.png").read_bytes()[:300]
    asset = Asset.__table__
    with ws.writing() as conn:
        kept = conn.execute(insert(asset).returning(asset.c.id).values(
            name="logo.png", mime="image/png", sha256=hashlib.sha256(data).hexdigest(), data=data)).scalar_one()
    _store(ws, {"logo": kept, "logo_name": "logo.png"})
    assert [f.code for f in check_message(ws, "Spring").errors] == ["poster_logo_unreadable"]

    view.refresh()
    view.select("Spring")
    item = view.list.item(0)
    assert item.data(Qt.ItemDataRole.UserRole) == "Spring"
    assert item.text().startswith("✖ ") and "1 error to fix" in item.toolTip()
    poster = view.panels["store"]
    assert "✖" in view.tabs.tabText(view.tabs.indexOf(poster))
    found = [(poster.findings.item(i).text(), poster.findings.item(i).toolTip()) for i in range(poster.findings.count())]
    assert [t for t, tip in found if tip.startswith("error")] == ["✖ " + check_message(ws, "Spring").errors[0].message]
    assert found[0][1] == "error: poster_logo_unreadable"


@pytest.mark.parametrize("size", [(1024, 640), (1920, 1080)])
def test_a_long_headline_wraps_in_the_email_preview_and_keeps_the_editor_in_the_window(win, view, qtbot, size):
    """A 200-character headline (the longest allowed) is the email's subject: its preview wraps it,
    and History… and + Channel stay in sight (the subject on one line widened the editor to 1575 pixels)."""
    headline = ("Spring clearance for every loyal customer of the harbour shop " * 4)[:200].strip()
    store.save_message(win.workspace, "Long", {"headline": headline, "offer_code": "S20",
                                               "link": "https://shop.example/s"})
    win.resize(*size)
    view.refresh()
    view.select("Long")
    view.tabs.setCurrentWidget(view.panels["email"])
    qtbot.wait(50)
    viewport = view.scroll.viewport()
    assert view.scroll.widget().width() <= viewport.width()
    for button in (view.history_button, view.add_channel_button):
        assert button.mapTo(viewport, button.rect().topRight()).x() < viewport.width(), button
    subject = view.panels["email"].preview.title
    assert subject.text() == headline and subject.wordWrap()
    assert subject.height() >= 2 * subject.fontMetrics().height()  # wrapped, every word shown
    assert subject.width() <= view.panels["email"].width()


# Opens the Messages screen on the workspace given, in an interpreter of its own; prints the modules
# that turn an email's HTML into inline styles and plain text, if the screen loaded any.
FIRST_VISIT = r"""
import sys
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from omnidesk.app import create_application
from omnidesk.core.workspace import Workspace
from omnidesk.ui.main_window import MainWindow
from omnidesk.ui.tasks import TaskRunner

app = create_application()
window = MainWindow(QSettings(sys.argv[2], QSettings.Format.IniFormat), runner=TaskRunner(inline=True))
assert window.set_workspace(Workspace.open(sys.argv[1]))
window.show()
window.show_screen("messages")
QApplication.processEvents()
window.grab()
assert window.screens["messages"].empty.isVisible()
print([m for m in ("css_inline", "inscriptis", "lxml.html") if m in sys.modules])
"""


def test_the_first_visit_with_no_message_loads_no_email_renderer(tmp_path, empty_workspace_file):
    """The screen opens without the email renderer's modules (a tenth of a second to load): they
    come with the first email rendered."""
    import subprocess
    import sys

    shutil.copyfile(empty_workspace_file, tmp_path / "shop.omnidesk")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    run = subprocess.run([sys.executable, "-c", FIRST_VISIT, str(tmp_path / "shop.omnidesk"),
                          str(tmp_path / "settings.ini")], capture_output=True, text=True, timeout=120, env=env,
                         cwd=Path(__file__).resolve().parents[2])
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().splitlines()[-1] == "[]"
