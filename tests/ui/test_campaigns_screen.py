"""The Campaigns screen: campaigns planned step by step, every change one undo step, and who each
step reaches (and who it leaves out, and why) shown as the guards work it out."""

from __future__ import annotations

import json
import shutil
import sys
from datetime import UTC, datetime

import pytest
import time_machine
from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimeZone
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import update

from omnidesk.core.campaigns import campaign as core
from omnidesk.core.campaigns import guards
from omnidesk.core.messages import store
from omnidesk.core.models import CampaignStep
from omnidesk.core.segments import save_segment
from omnidesk.core.workspace import Workspace
from tests.core.campaigns.test_guards import build

NOW = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)
NY = "America/New_York"


@pytest.fixture
def win(window, tmp_path, empty_workspace_file):
    with time_machine.travel(NOW, tick=False):
        shutil.copyfile(empty_workspace_file, tmp_path / "shop.omnidesk")  # a new workspace, as made at any hour
        ws = Workspace.open(tmp_path / "shop.omnidesk")
        ws.set_setting("timezone", NY)
        assert window.set_workspace(ws)
        window.show_screen("campaigns")
        yield window


@pytest.fixture
def view(win, monkeypatch):
    v = win.screens["campaigns"]
    monkeypatch.setattr(v, "show_error", lambda *a: pytest.fail(f"error shown: {a}"))
    monkeypatch.setattr(win, "show_error", lambda *a: pytest.fail(f"error shown: {a}"))
    return v


def undo_text(window) -> str:
    return window.undo_action.text().replace("&", "")


def three_steps(ws, name="Spring", **kw):
    return core.save_campaign(ws, name, message="Sale", replace=True, steps=[
        {"channel": "email", "at": "2027-03-01T10:00", "timezone": NY},
        {"channel": "sms", "at": "2027-03-01T22:30", "timezone": NY},
        {"channel": "instagram", "at": "2027-03-02T12:00", "timezone": NY}], **kw)


def set_at(row, text: str) -> None:
    moment = datetime.fromisoformat(text)
    row.at.setDateTime(QDateTime(QDate(moment.year, moment.month, moment.day), QTime(moment.hour, moment.minute),
                                 QTimeZone(QTimeZone.Initialization.UTC)))


def test_empty_state_teaches_then_new_makes_a_draft_with_the_first_message(win, view, monkeypatch, qtbot):
    assert view.pages.currentIndex() == 0
    assert "Messages screen" in view.empty.text.text()
    # From the keyboard (Ctrl+4), focus lands on the one thing the empty screen offers.
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    qtbot.keyClick(win, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is view.empty.button
    store.save_message(win.workspace, "Winter", {"headline": "Winter"})
    store.save_message(win.workspace, "Autumn", {"headline": "Autumn"})
    monkeypatch.setattr(view, "ask_text", lambda *a, **k: "Spring sale")
    qtbot.mouseClick(view.empty.button, Qt.MouseButton.LeftButton)
    assert view.pages.currentIndex() == 1 and view.current.name == "Spring sale"
    made = core.get_campaign(win.workspace, "Spring sale")
    assert (made.message, made.steps, made.status) == ("Autumn", [], "draft")
    assert view.editor.message.currentText() == "Autumn" and view.editor.steps.rows == []
    assert not view.editor.steps.none.isHidden()
    assert view.table.item(0, 1).text() == "draft" and view.table.item(0, 3).text() == "no steps"
    assert undo_text(win) == "Undo new campaign Spring sale"
    win.undo_action.trigger()
    assert core.list_campaigns(win.workspace) == [] and view.pages.currentIndex() == 0
    win.redo_action.trigger()
    assert [c.name for c in core.list_campaigns(win.workspace)] == ["Spring sale"]
    # A draft with no steps has nothing to export yet.
    assert not view.export_button.isEnabled()
    assert view.tabs.tabText(1) == "Calendar" and view.tabs.widget(1).objectName() == "calendarHost"
    assert view.calendar.parent() is view.calendar_host
    assert win.nav.row_of("campaigns") == win.nav.row_of("messages") + 1


def test_steps_edited_saved_as_one_undo_step_and_redone(win, view, qtbot):
    store.save_message(win.workspace, "Sale", {"headline": "Sale"})
    core.save_campaign(win.workspace, "Spring", message="Sale")
    view.refresh()
    steps = view.editor.steps
    assert not view.save_button.isEnabled()
    for _ in range(3):
        qtbot.mouseClick(steps.add_button, Qt.MouseButton.LeftButton)
    assert len(steps.rows) == 3 and steps.rows[0].zone.currentText() == NY  # the workspace's zone
    email, sms, post = steps.rows
    sms.channel.setCurrentIndex(sms.channel.findData("sms"))
    post.channel.setCurrentIndex(post.channel.findData("instagram"))
    set_at(email, "2027-03-01T09:30")
    set_at(sms, "2027-03-02T18:00")
    set_at(post, "2027-03-03T12:00")
    post.zone.setCurrentText("Europe/London")
    qtbot.mouseClick(post.up, Qt.MouseButton.LeftButton)  # Instagram before SMS
    qtbot.mouseClick(steps.rows[0].remove, Qt.MouseButton.LeftButton)  # the email goes
    view.editor.goal.setText("Clear the spring stock")
    view.editor.mode.setCurrentIndex(view.editor.mode.findData("best_channel"))
    assert "use most" in view.editor.mode_help.text()
    assert view.save_button.isEnabled()
    qtbot.keyClick(view.editor.goal, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    saved = core.get_campaign(win.workspace, "Spring")
    assert [(s.channel, s.at_local[:16], s.timezone) for s in saved.steps] == [
        ("instagram", "2027-03-03T12:00", "Europe/London"), ("sms", "2027-03-02T18:00", NY)]
    assert (saved.goal, saved.mode) == ("Clear the spring stock", "best_channel")
    assert undo_text(win) == "Undo edit campaign Spring" and not view.save_button.isEnabled()
    assert view.table.item(0, 3).text() == "Instagram · SMS"
    assert view.table.item(0, 4).text() == "2 Mar 2027 18:00 (America/New_York)"  # the next step to go out
    win.undo_action.trigger()
    assert core.get_campaign(win.workspace, "Spring").steps == [] and view.editor.steps.rows == []
    win.redo_action.trigger()
    assert [r.value()["channel"] for r in view.editor.steps.rows] == ["instagram", "sms"]
    # A rename keeps the campaign (and would keep its exported steps) under its new name.
    view.editor.name.setText("Spring clearance")
    view.save()
    assert [c.name for c in core.list_campaigns(win.workspace)] == ["Spring clearance"]
    assert view.title.text() == "Spring clearance" and len(view.current.steps) == 2
    win.undo_action.trigger()
    assert [c.name for c in core.list_campaigns(win.workspace)] == ["Spring"]


def test_a_refused_save_says_why_and_changes_nothing(win, view, monkeypatch):
    said = []
    monkeypatch.setattr(win, "show_error", lambda *a: said.append(a))
    store.save_message(win.workspace, "Sale", {"headline": "Sale"})
    three_steps(win.workspace)
    core.save_campaign(win.workspace, "Autumn", message="Sale")
    view.refresh()
    view.select("Spring")
    view.editor.steps.rows[1].zone.setCurrentText("Mars/Olympus")
    view.save()
    why = "Step 2, time zone: 'Mars/Olympus' is not a time zone such as Europe/London."
    assert view.error.isVisible() and view.error.text() == why
    assert said == []  # said under the form, beside Save: not in a dialog box as well
    assert core.get_campaign(win.workspace, "Spring").steps[1].timezone == NY
    assert view.editor.steps.rows[1].zone.currentText() == "Mars/Olympus"  # what was typed stays
    view.editor.steps.rows[1].zone.setCurrentText(NY)
    view.editor.name.setText("autumn")  # another campaign's name: refused before anything is written
    view.save()
    assert "exists already" in view.error.text()
    assert sorted(c.name for c in core.list_campaigns(win.workspace)) == ["Autumn", "Spring"]
    view.editor.name.setText("Spring")
    view.editor.goal.setText("Sell")
    view.save()
    assert view.error.isHidden() and core.get_campaign(win.workspace, "Spring").goal == "Sell"


def test_leaving_a_campaign_with_unsaved_changes_asks_first(win, view, monkeypatch):
    store.save_message(win.workspace, "Sale", {"headline": "Sale"})
    three_steps(win.workspace)
    core.save_campaign(win.workspace, "Autumn", message="Sale")
    view.refresh()
    assert view.current.name == "Autumn"
    view.table.setCurrentCell(1, 0)  # nothing typed: no question
    assert view.current.name == "Spring"
    view.editor.goal.setText("half typed")
    asked = []
    monkeypatch.setattr(view, "confirm", lambda *a: asked.append(a) or False)
    view.table.setCurrentCell(0, 0)
    assert len(asked) == 1 and view.current.name == "Spring" and view.table.currentRow() == 1
    assert view.editor.goal.text() == "half typed"
    monkeypatch.setattr(view, "confirm", lambda *a: True)
    view.table.setCurrentCell(0, 0)
    assert view.current.name == "Autumn" and core.get_campaign(win.workspace, "Spring").goal == ""


def _first_step_exported(ws):
    """The campaign "Spring" of three steps, its first step marked as exported."""
    store.save_message(ws, "Sale", {"headline": "Sale"})
    data = three_steps(ws)
    with ws.writing() as conn:
        conn.execute(update(CampaignStep.__table__).where(CampaignStep.__table__.c.id == data.steps[0].id)
                     .values(exported_at="2027-02-01T10:00:00Z"))
    return data


def test_an_exported_step_is_read_only(win, view):
    _first_step_exported(win.workspace)
    view.refresh()
    first, second = view.editor.steps.rows[:2]
    assert not first.channel.isEnabled() and not first.at.isEnabled() and not first.zone.isEnabled()
    assert not first.remove.isEnabled() and first.note.text() == "exported 2027-02-01"
    assert second.channel.isEnabled() and second.remove.isEnabled()
    view.editor.steps.remove_step(first)  # refused by the table itself too
    assert len(view.editor.steps.rows) == 3


def test_an_exported_campaign_is_not_deleted_and_the_screen_says_why(win, view, monkeypatch):
    """Its messages count toward caps and its results: the screen says so instead of asking."""
    _first_step_exported(win.workspace)
    view.refresh()
    view.select("Spring")
    asked, told = [], []
    monkeypatch.setattr(view, "confirm", lambda *a: asked.append(a) or True)
    monkeypatch.setattr(view, "show_error", lambda title, text: told.append((title, text)))
    view.delete_button.click()
    assert not asked and [c.name for c in core.list_campaigns(win.workspace)] == ["Spring"]
    # In a box: the line under the editor is out of sight of the Delete button at 1024 pixels.
    assert len(told) == 1 and told[0][0] == "Campaign kept"
    assert "Spring was exported (2027-02-01), so it is kept" in told[0][1]


def test_recipients_counts_are_the_guards_and_a_reason_lists_its_customers(win, view, qtbot):
    build(win.workspace)
    three_steps(win.workspace)
    view.refresh()
    with time_machine.travel(NOW, tick=False):
        expected = guards.plan_audiences(win.workspace, core.get_campaign(win.workspace, "Spring"))
    panel = view.recipients
    assert [i.text(0) for i in panel.eligible_items] == [
        f"{len(expected[0].eligible)} eligible", f"{len(expected[1].eligible)} eligible",
        "whoever looks (a broadcast step)"]
    shown = {key: item.text(0) for key, item in panel.reason_items.items()}
    want = {(n, r): f"{c} {r}" for n, a in enumerate(expected) for r, c in a.counts().items()}
    assert shown == want and shown[(0, "consent unknown")] == "2 consent unknown"
    # In REASONS order, whatever order the guards found them in.
    email = panel.tree.topLevelItem(0)
    assert [email.child(i).text(0) for i in range(email.childCount())] == [
        "2 eligible", "1 opted out", "1 not confirmed", "2 consent unknown"]
    assert [i.text(0) for i in panel.moved_items] == [f"{len(expected[1].moved)} moved out of quiet hours"]
    assert expected[1].moved
    texts = [panel.findings.item(i).text() for i in range(panel.findings.count())]
    marks = [t[0] for t in texts]
    assert marks == sorted(marks, key=lambda m: m != "✖") and "✖" in marks and "⚠" in marks
    assert any("quiet hours" in t for t in texts)

    # The counts are as tall as the room the check leaves them: scrolled to, as a user would.
    panel.tree.scrollToItem(panel.reason_items[(0, "consent unknown")])
    unknown = panel.tree.visualItemRect(panel.reason_items[(0, "consent unknown")])
    qtbot.mouseClick(panel.tree.viewport(), Qt.MouseButton.LeftButton, pos=unknown.center())
    assert panel.people.isVisible()
    assert [panel.people.item(i).text() for i in range(panel.people.count())] == ["P4", "P5"]
    assert [panel.people.item(i).data(Qt.ItemDataRole.UserRole) for i in range(2)] == \
        sorted(expected[0].excluded["consent unknown"])
    item = panel.people.item(1)
    rect = panel.people.visualItemRect(item)
    # A real double-click: the press, then the second press the view reads as a double-click.
    qtbot.mouseClick(panel.people.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(panel.people.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert win.current_screen() == "customer" and win.customer_view.customer_id == 5
    win.go_back()
    assert win.current_screen() == "campaigns"
    # The keys alone: Enter on a reason, Enter on a name.
    panel.tree.setFocus()
    panel.tree.setCurrentItem(panel.reason_items[(0, "opted out")])
    qtbot.keyClick(panel.tree, Qt.Key.Key_Return)
    assert [panel.people.item(i).text() for i in range(panel.people.count())] == ["P3"]
    panel.people.setFocus()
    qtbot.keyClick(panel.people, Qt.Key.Key_Return)
    assert win.current_screen() == "customer" and win.customer_view.customer_id == 3


def test_the_audience_count_follows_the_choice_and_a_saved_segment(win, view):
    build(win.workspace)
    save_segment(win.workspace, "Buyers", {"all": [{"field": "orders", "op": "gt", "value": 0}]})
    three_steps(win.workspace)
    view.refresh()
    assert view.editor.audience_count.text() == "6 customers"
    assert [view.editor.audience.itemText(i) for i in range(view.editor.audience.count())] == ["Everyone", "Buyers"]
    view.editor.audience.setCurrentIndex(1)
    assert view.editor.audience_count.text() == "3 customers"  # Ann, Cy and Dee have orders
    view.save()
    assert core.get_campaign(win.workspace, "Spring").audience == "Buyers"
    email = view.audiences[0]
    assert sorted(email.eligible + [i for ids in email.excluded.values() for i in ids]) == [1, 3, 5]


def test_the_screen_follows_changes_made_elsewhere(win, view):
    store.save_message(win.workspace, "Sale", {"headline": "Sale"})
    three_steps(win.workspace)
    view.refresh()
    view.editor.goal.setText("typed, not saved")
    win.operations.change_messages("new message Later", lambda ws: store.save_message(ws, "Later", {"headline": "L"}))
    assert view.editor.message.findText("Later") >= 0
    assert view.editor.goal.text() == "typed, not saved" and view.save_button.isEnabled()


def test_a_change_on_a_card_is_followed_by_the_counts(win, view):
    build(win.workspace)
    three_steps(win.workspace)
    view.refresh()
    before = {key: item.text(0) for key, item in view.recipients.reason_items.items()}
    assert before[(0, "consent unknown")] == "2 consent unknown"
    assert win.operations.record_consent(5, "email", "granted", "asked in the shop") is not None
    fresh = guards.plan_audiences(win.workspace, core.get_campaign(win.workspace, "Spring"))
    shown = {key: item.text(0) for key, item in view.recipients.reason_items.items()}
    assert shown == {(n, r): f"{c} {r}" for n, a in enumerate(fresh) for r, c in a.counts().items()}
    assert shown != before and shown[(0, "consent unknown")] == "1 consent unknown"


def test_plan_import_export_duplicate_delete(win, view, monkeypatch, tmp_path):
    store.save_message(win.workspace, "Sale", {"headline": "Sale"})
    plan = {"name": "Spring", "goal": "Clear stock", "message": "Sale", "audience": "everyone",
            "steps": [{"channel": "email", "at": "2027-03-01T09:00", "timezone": "Europe/London"},
                      {"channel": "sms", "at": "2027-03-02T10:00", "timezone": NY}],
            "mode": "best_channel"}
    doc = tmp_path / "spring.json"
    doc.write_text(json.dumps(plan), encoding="utf-8")
    monkeypatch.setattr(view, "ask_open_json", lambda: doc)
    view.import_button.click()
    assert view.current.name == "Spring" and undo_text(win) == "Undo import spring.json"
    assert [r.value() for r in view.editor.steps.rows] == [
        {"channel": "email", "at": "2027-03-01T09:00", "timezone": "Europe/London"},
        {"channel": "sms", "at": "2027-03-02T10:00", "timezone": NY}]
    out = tmp_path / "again.json"
    monkeypatch.setattr(view, "ask_save_json", lambda name: out)
    view.export_plan_button.click()
    assert json.loads(out.read_text(encoding="utf-8")) == plan
    monkeypatch.setattr(view, "ask_save_json", lambda name: win.workspace.path)
    said = []
    monkeypatch.setattr(view, "show_error", lambda *a: said.append(a))
    before = win.workspace.path.read_bytes()[:100]
    view.export_plan_button.click()
    assert said and win.workspace.path.read_bytes()[:100] == before  # never over the workspace
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    monkeypatch.setattr(view, "ask_open_json", lambda: bad)
    view.import_button.click()
    assert "not a plan file" in said[-1][1]
    monkeypatch.setattr(view, "ask_text", lambda *a, **k: "Spring (autumn)")
    view.duplicate_button.click()
    assert view.current.name == "Spring (autumn)" and len(view.current.steps) == 2
    monkeypatch.setattr(view, "confirm", lambda *a: True)
    view.delete_button.click()
    assert [c.name for c in core.list_campaigns(win.workspace)] == ["Spring"]
    win.undo_action.trigger()
    assert len(core.list_campaigns(win.workspace)) == 2


def test_keyboard_walk_through_the_editor_and_ctrl_s(win, view, qtbot):
    store.save_message(win.workspace, "Sale", {"headline": "Sale"})
    three_steps(win.workspace)
    view.refresh()
    win.activateWindow()
    e = view.editor
    e.name.setFocus()
    seen = []
    for _ in range(16):
        seen.append(QApplication.focusWidget())
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    first = e.steps.rows[0]
    order = [e.name, e.goal, e.message, e.audience, e.mode, e.holdout, first.channel, first.at, first.zone]
    positions = [next(i for i, w in enumerate(seen) if w is want or w.parent() is want) for want in order]
    assert positions == sorted(positions)
    # The date and time is one stop, not one per section: Tab goes on to the zone at once.
    assert positions[-1] == positions[-2] + 1
    # Inside it, the arrows still walk the sections and Up changes the one at the cursor.
    first.at.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is first.at)
    first.at.setCurrentSectionIndex(0)
    before = first.at.dateTime()
    qtbot.keyClick(first.at, Qt.Key.Key_Right)
    qtbot.keyClick(first.at, Qt.Key.Key_Right)
    qtbot.keyClick(first.at, Qt.Key.Key_Right)
    assert first.at.currentSectionIndex() == 1 and QApplication.focusWidget() is first.at
    qtbot.keyClick(first.at, Qt.Key.Key_Up)
    assert first.at.dateTime() == before.addMonths(1)
    qtbot.keyClick(first.at, Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
    assert QApplication.focusWidget() is first.channel
    e.goal.setFocus()
    qtbot.keyClicks(e.goal, "Spring stock")
    qtbot.keyClick(e.goal, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert core.get_campaign(win.workspace, "Spring").goal == "Spring stock"
    assert undo_text(win) == "Undo edit campaign Spring"


def test_steps_in_several_zones_name_their_zone_in_the_recipients(win, view):
    """In the order they go out, each on its own clock: the line says which clock, or Lord Howe
    Island's 12:00 on the 2nd would seem to come before New York's 22:30 on the 1st."""
    store.save_message(win.workspace, "Sale", {"headline": "Sale"})
    three_steps(win.workspace)
    view.refresh()
    tops = [view.recipients.tree.topLevelItem(i).text(0) for i in range(view.recipients.tree.topLevelItemCount())]
    assert tops[0] == "Email · 1 Mar 2027 10:00"  # one zone for all: said beside, not on each line
    core.save_campaign(win.workspace, "Spring", message="Sale", replace=True, steps=[
        {"channel": "sms", "at": "2027-03-01T22:30", "timezone": NY},
        {"channel": "instagram", "at": "2027-03-02T12:00", "timezone": "Australia/Lord_Howe"}])
    view.refresh()
    tree = view.recipients.tree
    tops = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
    # A clock with a word of its own is named by it ("EST"); one with only an offset ("+11") by its place.
    assert [t.rpartition(" · ")[2] for t in tops] == ["2 Mar 2027 12:00 Lord Howe", "1 Mar 2027 22:30 EST"]
    # In a 1024-pixel window a line may be cut: from its end, so the date and time stay whole.
    win.resize(1024, 640)
    for _ in range(3):
        QApplication.processEvents()

    def shown(item):
        return QFontMetrics(item.font(0)).elidedText(item.text(0), tree.textElideMode(),
                                                     tree.visualItemRect(item).width() - 8)

    for i, want in enumerate(("Instagram · 2 Mar 2027 12:00", "SMS · 1 Mar 2027 22:30")):
        assert shown(tree.topLevelItem(i)).startswith(want), shown(tree.topLevelItem(i))
    # Two American clocks: each line whole, its clock said the way the season has it.
    core.save_campaign(win.workspace, "Spring", message="Sale", replace=True, steps=[
        {"channel": "email", "at": "2027-03-12T09:00", "timezone": NY},
        {"channel": "sms", "at": "2027-03-15T12:00", "timezone": "America/Los_Angeles"}])
    view.refresh()
    for _ in range(3):
        QApplication.processEvents()
    tops = [shown(tree.topLevelItem(i)) for i in range(tree.topLevelItemCount())]
    assert tops == ["Email · 12 Mar 2027 09:00 EST", "SMS · 15 Mar 2027 12:00 PDT"]
    assert tree.topLevelItem(1).toolTip(0).endswith("(America/Los_Angeles)")


def test_zone_names_never_share_one_word_between_two_clocks():
    from types import SimpleNamespace as Step

    from omnidesk.ui.views.campaigns.recipients import zone_names

    india, ireland = Step(at_local="2027-06-01T10:00", timezone="Asia/Kolkata"), \
        Step(at_local="2027-06-01T10:00", timezone="Europe/Dublin")
    assert zone_names([india, ireland]) == {0: "Kolkata", 1: "Dublin"}  # both are "IST"
    assert zone_names([india, Step(at_local="2027-06-01T10:00", timezone="Europe/Berlin")]) == {0: "IST", 1: "CEST"}
    assert zone_names([Step(at_local="2027-06-01T10:00", timezone="UTC"),
                       Step(at_local="2027-06-01T10:00", timezone="Not/AZone")]) == {0: "UTC", 1: "AZone"}


def test_a_long_zone_shows_whole_on_a_wide_window_and_from_its_start_once_left(win, view, qtbot):
    store.save_message(win.workspace, "Sale", {"headline": "Sale"})
    three_steps(win.workspace)
    view.refresh()
    win.resize(1920, 1080)
    win.activateWindow()
    first = view.editor.steps.rows[0]
    line = first.zone.lineEdit()
    first.zone.setCurrentText("America/Argentina/ComodRivadavia")
    for _ in range(3):
        QApplication.processEvents()
    # The width a wide window has to spare goes to the zone, the longest text of the row.
    assert line.fontMetrics().horizontalAdvance("America/Argentina/ComodRivadavia") <= line.width(), line.width()
    # The row's spare width goes to its fields, none to an empty column after its buttons (there
    # "America/Los_Angele" was cut at 1024): the remove button ends the row.
    steps = view.editor.steps
    assert steps.width() - first.remove.geometry().right() <= 2, (steps.width(), first.remove.geometry())
    # At 1024 it is cut; tabbed through, it used to be left showing its end ("na/ComodRivadavia").
    win.resize(1024, 640)
    for _ in range(3):
        QApplication.processEvents()
    first.at.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is first.at)
    qtbot.keyClick(first.at, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() in (first.zone, line)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() not in (first.zone, line)
    assert line.cursorPosition() == 0


def test_a_read_only_workspace_shows_campaigns_and_who_they_reach_but_changes_nothing(new_workspace, window, tmp_path):
    with time_machine.travel(NOW, tick=False):
        ws = new_workspace(tmp_path / "shop.omnidesk")
        ws.set_setting("timezone", NY)
        build(ws)
        three_steps(ws)
        ws.close()
        assert window.set_workspace(Workspace.open(tmp_path / "shop.omnidesk", readonly=True))
        window.show_screen("campaigns")
        view = window.screens["campaigns"]
        assert view.current.name == "Spring" and view.recipients.eligible_items[0].text(0) == "2 eligible"
        for button in (view.new_button, view.duplicate_button, view.delete_button, view.import_button,
                       view.editor.steps.add_button):
            assert not button.isEnabled()
        assert view.export_plan_button.isEnabled()  # reading the plan out writes nothing in the workspace
        assert view.editor.name.isReadOnly() and not view.editor.steps.rows[0].channel.isEnabled()
        view.editor.goal.setText("typed anyway")
        assert not view.save_button.isEnabled()
        view.save()
        assert core.get_campaign(window.workspace, "Spring").goal == ""


def _exporting_to_a_folder(view, monkeypatch, tmp_path):
    """Campaign "Spring" selected, the folder dialog answering a new folder; (folder, what the screen says)."""
    view.refresh()
    view.select("Spring")
    out = tmp_path / "packs"
    out.mkdir()
    said: list[str] = []
    monkeypatch.setattr(view, "ask_folder", lambda: out)
    monkeypatch.setattr(view, "show_info", lambda title, text: said.append(text))
    return out, said


def test_a_campaign_its_check_refuses_is_not_asked_a_folder_for(win, view, monkeypatch, tmp_path):
    """The brand kit has no postal address: the email step cannot go out. Export asked for a folder
    first and only then said so, pointing to a command of the command line."""
    build(win.workspace)
    three_steps(win.workspace)
    view.refresh()
    view.select("Spring")
    told: list[tuple[str, str]] = []
    monkeypatch.setattr(view, "ask_folder", lambda: pytest.fail("asked for a folder"))
    monkeypatch.setattr(view, "show_error", lambda title, text: told.append((title, text)))
    view.export_packs()
    ((title, text),) = told
    assert title == "Fix these first"
    assert text.startswith("Spring has ") and "Email: the brand kit has no postal address" in text
    assert "the Check pane" in text
    assert core.get_campaign(win.workspace, "Spring").status != "exported"


def _ready_to_export(ws) -> None:
    """The guards' six customers, a brand kit and the message "Sale" whose every variant passes
    its check, and the three steps of "Spring"."""
    from omnidesk.core.messages.brand import set_brand
    from omnidesk.core.messages.store import save_message

    build(ws)
    set_brand(ws, "address", "12 Quay St, Portland")
    set_brand(ws, "name", "Harbor")
    save_message(ws, "Sale", {"headline": "Sale", "link": "https://hc.example/a"}, replace=True, variants={
        "sms": {"text": "Harbor: Sale! https://hc.example/a?utm_source=sms&utm_medium=sms&utm_campaign=sale Reply STOP"}})
    three_steps(ws)


def test_export_writes_the_packs_off_the_ui_thread_and_asks_before_replacing(win, view, monkeypatch, tmp_path, qtbot):
    ws = win.workspace
    _ready_to_export(ws)
    out, said = _exporting_to_a_folder(view, monkeypatch, tmp_path)
    assert view.export_button.isEnabled()
    with time_machine.travel(NOW, tick=False):
        qtbot.mouseClick(view.export_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(said), timeout=20_000)
    assert sorted(p.name for p in out.iterdir()) == [
        "spring.ics", "spring_email_2027-03-01_1000.csv", "spring_email_2027-03-01_1000.html",
        "spring_email_2027-03-01_1000.txt", "spring_email_2027-03-01_1000_subject.txt",
        "spring_instagram_2027-03-02_1200.csv", "spring_instagram_2027-03-02_1200_generic.csv",
        "spring_instagram_2027-03-02_1200_hootsuite.csv", "spring_sms_2027-03-01_2230.csv"]
    # Each pack said with its step, the time named with its zone: packs of steps alike but for their
    # zone are named alike but for -2 and -3.
    assert "spring_sms_2027-03-01_2230.csv — 4 recipients\n    step: SMS 2027-03-01 22:30 America/New_York\n" in said[0]
    # Every file written is named, the email's HTML, text and subject line and a post's other layouts too.
    for name in ("spring_email_2027-03-01_1000.html", "spring_email_2027-03-01_1000.txt",
                 "spring_email_2027-03-01_1000_subject.txt", "spring_instagram_2027-03-02_1200_hootsuite.csv"):
        assert f"    with {name}" in said[0], said[0]
    # The email's subject line is said, as its own file has it: the sending tool is told it by hand.
    subject = (out / "spring_email_2027-03-01_1000_subject.txt").read_text(encoding="utf-8").splitlines()[0]
    assert subject.startswith("Subject: ") and f"    with spring_email_2027-03-01_1000_subject.txt\n    {subject}" in said[0]
    assert core.get_campaign(ws, "Spring").status == "exported"
    # The recipients now say what each pack was made for (on the shop's clock), beside today's guards.
    view.refresh()
    qtbot.waitUntil(lambda: len(view.recipients.exported_items) == 2, timeout=20_000)
    made = [i.text(0) for i in view.recipients.exported_items]
    assert made[1] == "4 recipients in the pack exported 2027-01-15 07:00"
    assert all(i.text(0).endswith("eligible today") for i in view.recipients.eligible_items[:2])
    # Again: it asks before replacing, and a no leaves the files as they are.
    asked = []
    monkeypatch.setattr(view, "confirm", lambda title, text: asked.append(title) or False)
    before = (out / "spring_sms_2027-03-01_2230.csv").stat().st_mtime_ns
    view.export_button.click()
    assert asked == ["Replace the earlier export?"] and (out / "spring_sms_2027-03-01_2230.csv").stat().st_mtime_ns == before



def _laid_out(document) -> list[tuple[str, float, list[float]]]:
    """Each paragraph of ``document`` as laid out: its text, where its first line's words start
    after an indented line's label ("Subject: ", "with "), and where each of its lines starts."""
    import re

    lines = []
    block = document.begin()
    while block.isValid():
        layout, text = block.layout(), block.text()
        label = re.match(r"\u200e? +(with |\w+: )", text)
        words_at = layout.lineAt(0).cursorToX(label.end())[0] if label else layout.lineAt(0).x()
        lines.append((text, layout.position().x() + words_at,
                      [layout.position().x() + layout.lineAt(i).x() for i in range(layout.lineCount())]))
        block = block.next()
    return lines


def _the_exported_box(view, qtbot, out, then=None) -> dict:
    """Export… clicked, the folder dialog answering ``out``: the box that says what was written, as
    shown (``then`` given, it is handed the box and its label to close, else it is closed)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QTextDocument
    from PySide6.QtWidgets import QLabel, QMessageBox

    seen: dict = {}

    def look() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(50, look)
            return
        label = box.findChild(QLabel, "qt_msgbox_label")
        # What the box shows, as its label laid it out: each line a paragraph of the label's document.
        document = label.findChild(QTextDocument)
        seen.update(text=document.toPlainText(), direction=box.layoutDirection(), flags=box.textInteractionFlags(),
                    width=label.contentsRect().width(), metrics=label.fontMetrics(), lines=_laid_out(document))
        if then is not None:
            then(box, label)
        else:
            box.accept()

    view.ask_folder = lambda: out
    QTimer.singleShot(0, look)
    with time_machine.travel(NOW, tick=False):
        qtbot.mouseClick(view.export_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(seen), timeout=20_000)
    return seen


@pytest.mark.parametrize("name", ["מבצע אביב", "Spring collection launch for returning customers in Tel Aviv"])
def test_the_exported_box_reads_left_to_right_each_file_name_whole(win, view, tmp_path, qtbot, name):
    """A Hebrew campaign's box was laid out right to left, its file names scrambled ("email_2027-03-01_1000.csv
    — 3 מבצע-אביב_"); a long name's box stayed 400 px wide, each file name broken in the middle and its
    wrapped half no longer indented, so the files could not be told from the subject line to type."""
    from PySide6.QtCore import Qt as QtNs

    from omnidesk.ui.formatting import isolated, isolated_path

    _ready_to_export(win.workspace)
    three_steps(win.workspace, name)
    view.refresh()
    view.select(name)
    out = tmp_path / "packs"
    out.mkdir()
    seen = _the_exported_box(view, qtbot, out)
    text = seen["text"]
    files = sorted(p.name for p in out.iterdir())
    assert len(files) == 9
    assert f"{isolated(name)} exported to {out}:" in text
    for file in files:
        assert isolated_path(file) in text, file  # left to right, as spelled in the folder
    # Every line holding Hebrew letters is set left to right from its start, the box too.
    lines = text.split("\n")
    assert all(line.startswith("\u200e") for line in lines if any("\u0590" <= ch <= "\u05ff" for ch in line))
    assert seen["direction"] == QtNs.LayoutDirection.LeftToRight
    # Its words can be selected and copied: the subject line is typed into the sending tool by hand.
    assert seen["flags"] & QtNs.TextInteractionFlag.TextSelectableByMouse
    assert any(line.strip().startswith("Subject: ") for line in lines)
    # Wide enough for every file's line: none is broken in the middle of a name.
    widest = max(seen["metrics"].horizontalAdvance(line) for line in lines if any(f in line for f in files))
    assert widest <= seen["width"], (widest, seen["width"])


# A preheader of 300 characters, a web address of 60 unbroken in it.
URL = "hc.example/spring-sale-2027/linen-cushions-and-throws-for-yo"
LONG_PREHEADER = ("Our spring sale starts today with fresh colours for every room in the house, new linen for the "
                  f"bedroom and bright cushions, see them all at {URL} before they go, and bring a friend along "
                  "to the shop: the first hundred customers get a tote bag!!!")


@pytest.mark.parametrize("subject", ["Spring sale", "מבצע אביב בחנות"])
def test_a_long_preheader_wraps_under_its_own_words_and_copies_as_it_reads(win, view, tmp_path, qtbot, monkeypatch,
                                                                          subject):
    """A preheader of 300 characters wrapped back to the left margin, under the file names, so
    the box read as a jumble: its wrapped lines now stay under its words, at any width the box
    takes, and what is selected and copied still reads as the lines say it."""
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtTest import QTest

    from omnidesk.ui.formatting import left_to_right

    assert len(LONG_PREHEADER) == 300 and len(URL) == 60
    ws = win.workspace
    _ready_to_export(ws)
    sale = store.get_message(ws, "Sale")
    email = {**sale.variants["email"].fields, "subject": subject, "preheader": LONG_PREHEADER}
    store.save_message(ws, "Sale", sale.master, variants={"email": email}, replace=True)
    three_steps(ws)
    view.refresh()
    view.select("Spring")
    out = tmp_path / "packs"
    out.mkdir()
    copied: list[str] = []

    def copy_all(box, label) -> None:
        # From the keyboard: to the words (Tab from OK), all of them selected, copied; Enter closes.
        QGuiApplication.clipboard().clear()
        label.setFocus(Qt.FocusReason.TabFocusReason)
        QTest.keyClick(label, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        QTest.keyClick(label, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
        copied.append(QGuiApplication.clipboard().text())
        box.button(box.StandardButton.Ok).setFocus()
        # Ctrl+C on the box itself copies all of it on Windows: the lines, not the markup shown.
        with monkeypatch.context() as patched:
            patched.setattr(sys, "platform", "win32")
            QTest.keyClick(box.focusWidget(), Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
        copied.append(QGuiApplication.clipboard().text())
        QTest.keyClick(box.focusWidget(), Qt.Key.Key_Return)

    seen = _the_exported_box(view, qtbot, out, then=copy_all)
    lines = seen["lines"]
    (preheader,) = [line for line in lines if line[0].lstrip("\u200e ").startswith("Preheader: ")]
    text, words_at, starts = preheader
    assert len(starts) >= 3, (len(starts), seen["width"])  # wrapped over lines
    # Each wrapped line starts where the preheader's words do, not at the left margin.
    assert starts[0] < words_at and all(abs(x - words_at) <= 1 for x in starts[1:]), (words_at, starts)
    # Any other line a narrower box wraps hangs past its own start as well.
    for text, _, starts in lines:
        assert all(x > starts[0] for x in starts[1:]), (text, starts)
    # The lines read as before: the subject, Hebrew or not, in a line set left to right, the
    # indent of every file and subject line in what is copied too.
    said = seen["text"]
    assert f"Spring exported to {out}:\n\nspring_email_2027-03-01_1000.csv — " in said
    assert f"\n    Subject: {subject}\n" in left_to_right(said).replace("\u200e", "")
    assert f"    Preheader: {LONG_PREHEADER}\n" in said
    assert copied[0] == said, copied
    assert copied[1] == f"{'-' * 27}\nExported\n{'-' * 27}\n{said}\n{'-' * 27}\nOK   \n{'-' * 27}\n", copied[1]
    assert not any(isinstance(w, QMessageBox) and w.isVisible() for w in QApplication.topLevelWidgets())


@pytest.mark.parametrize(("region", "points"), [("US", (612, 792)), ("GB", (595, 842))])
def test_export_prints_the_poster_on_the_shops_paper(win, view, monkeypatch, tmp_path, qtbot, region, points):
    """A US shop got its poster on A4, paper it does not have: the app's Export… gave no page."""
    import pypdfium2

    from omnidesk.core.messages.brand import set_brand
    from omnidesk.core.messages.store import save_message

    ws = win.workspace
    ws.set_setting("default_region", region)
    set_brand(ws, "name", "Harbor")
    save_message(ws, "Sale", {"headline": "Sale", "cta": "Scan",
                              "link": "https://hc.example/a?utm_source=poster&utm_medium=print&utm_campaign=sale"})
    core.save_campaign(ws, "Spring", message="Sale", steps=[{"channel": "store", "at": "2027-03-01T10:00",
                                                            "timezone": NY}])
    out, said = _exporting_to_a_folder(view, monkeypatch, tmp_path)
    with time_machine.travel(NOW, tick=False):
        view.export_button.click()
        qtbot.waitUntil(lambda: bool(said), timeout=20_000)
    pdf = pypdfium2.PdfDocument(str(next(out.glob("*.pdf"))))
    assert tuple(round(v) for v in pdf[0].get_size()) == points
    pdf.close()


def test_export_of_several_steps_on_one_channel_names_a_pack_per_step(win, view, monkeypatch, tmp_path, qtbot):
    from omnidesk.core.messages.brand import set_brand

    ws = win.workspace
    build(ws)
    set_brand(ws, "address", "12 Quay St, Portland")
    core.save_campaign(ws, "Spring", message="Sale", steps=[
        {"channel": "email", "at": f"2027-03-0{day}T10:00", "timezone": NY} for day in (1, 2, 3)])
    out, said = _exporting_to_a_folder(view, monkeypatch, tmp_path)
    with time_machine.travel(NOW, tick=False):
        view.export_button.click()
        qtbot.waitUntil(lambda: bool(said), timeout=20_000)
    names = [f"spring_email_2027-03-0{day}_1000.csv" for day in (1, 2, 3)]
    assert sorted(p.name for p in out.glob("*.csv")) == names
    assert all(f"{name} — " in said[0] for name in names)
    assert len(core.exported_steps(ws, "Spring")) == 3
    # One file of the three left from before is enough for the screen to ask.
    for path in out.iterdir():
        if path.name != names[2]:
            path.unlink()
    asked = []
    monkeypatch.setattr(view, "confirm", lambda title, text: asked.append(text) or False)
    view.export_button.click()
    assert len(asked) == 1 and names[2] in asked[0]

def test_schedule_waits_for_a_clean_check_and_done_follows_the_export(win, view, monkeypatch):
    ws = win.workspace
    build(ws)
    three_steps(ws)
    view.refresh()
    view.select("Spring")
    assert view.schedule_button.isEnabled() and not view.done_button.isEnabled()
    errors = []
    monkeypatch.setattr(win, "show_error", lambda title, text: errors.append(text))
    monkeypatch.setattr(view, "show_error", lambda title, text: errors.append(text))
    view.schedule_button.click()  # the brand kit has no postal address: an error in the check
    assert core.get_campaign(ws, "Spring").status == "draft"
    # Said under the form, once, not in a dialog box as well.
    assert errors == [] and view.error.isVisible() and "to fix before it is scheduled" in view.error.text()
    from omnidesk.core.messages.brand import set_brand

    set_brand(ws, "address", "12 Quay St")
    set_brand(ws, "name", "Harbor")
    from omnidesk.core.messages.store import save_message

    save_message(ws, "Sale", {"headline": "Sale", "link": "https://hc.example/a"}, replace=True, variants={
        "sms": {"text": "Harbor: Sale! https://hc.example/a?utm_source=sms&utm_medium=sms&utm_campaign=sale "
                        "Reply STOP"}})
    view.refresh()
    view.schedule_button.click()
    assert core.get_campaign(ws, "Spring").status == "scheduled"
    assert undo_text(win) == "Undo schedule Spring"


def test_a_holdout_typed_in_the_editor_is_saved_and_listed_among_the_reasons(win, view, qtbot):
    build(win.workspace)
    three_steps(win.workspace)
    view.refresh()
    e = view.editor
    assert e.holdout.value() == 0
    e.holdout.setFocus()
    e.holdout.selectAll()
    qtbot.keyClicks(e.holdout, "90")
    qtbot.keyClick(e.holdout, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    saved = core.get_campaign(win.workspace, "Spring")
    assert saved.holdout_percent == 90 and undo_text(win) == "Undo edit campaign Spring"
    with time_machine.travel(NOW, tick=False):
        expected = guards.plan_audiences(win.workspace, saved)
    held = set(expected[0].excluded["held out"]) | set(expected[1].excluded["held out"])
    # Of the four who could be sent a step (Ann, Bob, 4 and Eve), each household is held out by a
    # seeded draw at 90% (guards.held_out): a count around the share, not exactly it; some are held out.
    assert 1 <= len(held) <= 4
    panel = view.recipients
    qtbot.waitUntil(lambda: (0, "held out") in panel.reason_items or (1, "held out") in panel.reason_items)
    for n, a in enumerate(expected[:2]):
        if a.excluded.get("held out"):
            assert panel.reason_items[(n, "held out")].text(0) == f"{len(a.excluded['held out'])} held out"
            assert not set(a.excluded["held out"]) & set(a.excluded["opted out"])
    # After consent and addresses, before everything else, as REASONS lists them.
    email = panel.tree.topLevelItem(0)
    lines = [email.child(i).text(0) for i in range(email.childCount())]
    reasons = [t.split(" ", 1)[1] for t in lines[1:]]
    assert "held out" in reasons and reasons == [r for r in guards.REASONS if r in reasons]
    win.undo_action.trigger()
    assert core.get_campaign(win.workspace, "Spring").holdout_percent == 0 and e.holdout.value() == 0


def test_a_campaign_loaded_off_screen_keeps_its_step_rows_whole_at_1024(win, view, qtbot):
    """Loaded while another screen showed, the editor was measured unpolished and narrower than
    it draws: at 1024 x 640 the rows' move and delete buttons were cut off."""
    store.save_message(win.workspace, "Sale", {"headline": "Sale"})
    three_steps(win.workspace)
    win.resize(1024, 640)
    win.show()
    win.show_screen("dashboard")
    view.refresh()  # loads the campaign while hidden
    win.show_screen("campaigns")
    qtbot.waitUntil(lambda: view.isVisible())
    needed = view._form.minimumSizeHint().width()
    assert view._left.minimumWidth() >= needed
    qtbot.waitUntil(lambda: view._left.viewport().width() >= needed)
    remove = view.editor.steps.rows[0].remove  # the rightmost button of a step's row
    assert remove.mapTo(view._left.viewport(), remove.rect().topRight()).x() <= view._left.viewport().width()


def test_at_1024_the_recipients_go_below_the_editor_rather_than_under_it(win, view, qtbot, tmp_path):
    """An exported step's row is wide: side by side at 1024 x 640 the splitter could not give the
    editor and the recipients their minimum widths and drew the editor over the recipients."""
    _first_step_exported(win.workspace)
    view.refresh()

    def apart() -> bool:
        left, right = view._left.geometry(), view.recipients.geometry()
        inside = view._sides.rect()
        return not left.intersects(right) and inside.contains(left) and inside.contains(right)

    for width, height, beside in ((1024, 640, False), (1920, 1080, True)):
        win.resize(width, height)
        qtbot.waitUntil(apart)
        assert (view._sides.orientation() == Qt.Orientation.Horizontal) is beside
        win.grab().save(str(tmp_path / f"campaigns_{width}.png"))


def test_each_finding_of_the_check_names_its_channel(win, view):
    """The panel listed "the offer code FALL is missing" with nothing to say whether the SMS, the
    email or a post lacked it; the command line says "SMS: …"."""
    build(win.workspace)
    store.save_message(win.workspace, "Fall", {"headline": "Fall", "offer_code": "FALL", "link": "https://hc.example/f"},
                       variants={"sms": {"text": "Autumn sale https://hc.example/f Reply STOP"}})
    core.save_campaign(win.workspace, "Autumn", message="Fall", replace=True,
                       steps=[{"channel": "sms", "at": "2027-03-01T12:00", "timezone": NY}])
    view.refresh()
    view.select("Autumn")
    panel = view.recipients
    texts = [panel.findings.item(i).text() for i in range(panel.findings.count())]
    assert "✖ SMS: the offer code FALL is missing" in texts


def test_tab_walks_the_editor_then_its_steps_then_the_recipients(win, view, qtbot):
    """The step rows are made after the recipients panel: Tab went from Hold out to the
    recipients and the check, and reached the steps only after them."""
    from PySide6.QtTest import QTest

    store.save_message(win.workspace, "Sale", {"headline": "Sale"})
    three_steps(win.workspace)
    view.refresh()
    win.activateWindow()
    steps = view.editor.steps

    def tab_from(widget):
        widget.setFocus()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is widget)
        QTest.keyClick(widget, Qt.Key.Key_Tab)
        return QApplication.focusWidget()

    assert tab_from(view.editor.holdout) is steps.rows[0].channel
    assert tab_from(steps.add_button) is view.recipients.tree  # Save is off until something changes
    qtbot.mouseClick(steps.add_button, Qt.MouseButton.LeftButton)  # a fourth row, made last of all
    assert tab_from(steps.rows[3].remove) is steps.add_button
    assert tab_from(steps.add_button) is view.save_button and tab_from(view.save_button) is view.recipients.tree


def _shown_at_1024(win, view, qtbot, name: str) -> None:
    """The window at the smallest size the app supports, the campaign ``name`` open and drawn."""
    win.resize(1024, 640)
    win.show()
    view.refresh()
    view.select(name)
    qtbot.waitUntil(lambda: view.isVisible())
    for _ in range(5):
        QApplication.processEvents()


def test_a_step_added_to_a_campaign_with_none_keeps_its_row_and_save_in_view_at_1024(win, view, qtbot):
    """A campaign with no step is narrow; Add step made the rows wider than the pane, and at
    1024 x 640 the new row's ↓ and ✕ and the Save button went under the recipients."""
    store.save_message(win.workspace, "Sale", {"headline": "Sale"})
    core.save_campaign(win.workspace, "Empty", message="Sale", steps=[])
    _shown_at_1024(win, view, qtbot, "Empty")
    # Narrow with no step, the hold-out's words wrap rather than stop at "compare w".
    hint = view.editor.holdout_help
    assert hint.wordWrap() and hint.height() >= hint.heightForWidth(hint.width())
    view.editor.steps.add_step()
    for _ in range(10):  # the new row drawn, then the pane measured again
        QApplication.processEvents()
    needed = view._form.minimumSizeHint().width()
    assert view._left.minimumWidth() >= needed and view._left.viewport().width() >= needed
    remove = view.editor.steps.rows[0].remove
    assert remove.mapTo(view._left.viewport(), remove.rect().topRight()).x() <= view._left.viewport().width()
    assert remove.accessibleName() == "Remove step"
    # The recipients, worked out from the saved plan, say what shows the new step's: saving it.
    assert view.recipients.state.text() == "Save the campaign to see who its new steps reach."


def test_at_1024_by_640_add_step_save_and_the_check_are_in_sight_without_scrolling(win, view, qtbot):
    """The smallest window the app supports: Add step was cut off and Save out of sight until the
    editor was scrolled, and the check showed four of its findings in a narrow box."""
    from PySide6.QtWidgets import QScrollArea

    from tests.ui.in_sight import in_sight

    store.save_message(win.workspace, "Sale", {"headline": "Sale", "offer_code": "SALE"})
    core.save_campaign(win.workspace, "Spring", message="Sale", steps=[
        {"channel": ch, "at": f"2027-03-0{n}T10:00", "timezone": NY}
        for n, ch in enumerate(("email", "sms", "instagram", "store"), start=1)])
    _shown_at_1024(win, view, qtbot, "Spring")
    view.editor.goal.setText("Sell the spring stock")  # Save on
    findings = view.recipients.findings
    assert findings.count() >= 4
    for area in view.findChildren(QScrollArea):
        area.verticalScrollBar().setValue(0)
    QApplication.processEvents()
    assert in_sight(view.editor.steps.add_button)
    assert in_sight(view.save_button) and view.save_button.isEnabled()
    # The check shows its first findings whole, however many it has.
    shown = [i for i in range(findings.count())
             if in_sight(findings.viewport(), findings.visualItemRect(findings.item(i)))]
    assert shown[:4] == [0, 1, 2, 3], shown
    # A step added from the bar is brought into sight, its channel ready to be chosen.
    qtbot.mouseClick(view.editor.steps.add_button, Qt.MouseButton.LeftButton)
    for _ in range(5):
        QApplication.processEvents()
    assert in_sight(view.editor.steps.rows[-1].channel) and view.editor.steps.rows[-1].channel.hasFocus()
    assert in_sight(view.editor.steps.add_button) and in_sight(view.save_button)


def test_the_campaign_list_keeps_the_name_and_the_next_step_whole_at_1024(win, view):
    """Six channels' steps, sized to their text, cut the name and pushed "Next step" (with its zone)
    behind a horizontal scroll bar at 1024 x 640."""
    store.save_message(win.workspace, "Sale", {"headline": "Sale"},
                       channels=["email", "sms", "instagram", "facebook", "store", "website"])
    core.save_campaign(win.workspace, "Spring clearance", message="Sale", steps=[
        {"channel": ch, "at": f"2027-03-0{n}T10:00", "timezone": NY}
        for n, ch in enumerate(("email", "sms", "instagram", "facebook", "store", "website"), start=1)])
    win.resize(1024, 640)
    view.refresh()
    for _ in range(5):
        QApplication.processEvents()
    table = view.table
    assert not table.horizontalScrollBar().isVisible()
    for col in (0, 4):  # the name, and the next step with its zone
        item = table.item(0, col)
        assert table.columnWidth(col) >= QFontMetrics(table.font()).horizontalAdvance(item.text()) + 8, item.text()


def test_a_step_that_went_out_shows_whom_it_reached_as_exported(win, view, monkeypatch, tmp_path, qtbot):
    """Once its time has come, an exported step is history: the recipients say what its export
    recorded, not what today's guards would plan (Ann said no since: the step still reached her)."""
    from omnidesk.core.edits import record_consent

    ws = win.workspace
    _ready_to_export(ws)
    out, said = _exporting_to_a_folder(view, monkeypatch, tmp_path)
    with time_machine.travel(NOW, tick=False):
        view.export_button.click()
        qtbot.waitUntil(lambda: bool(said), timeout=20_000)
    with time_machine.travel("2027-03-05 12:00Z", tick=False):
        record_consent(ws, 1, "email", "denied", "asked to stop")
        view.refresh()
        qtbot.waitUntil(lambda: len(view.recipients.exported_items) == 2, timeout=20_000)
        texts = [i.text(0) for i in view.recipients.exported_items]
    assert texts == ["2 recipients sent, kept as exported (pack exported 2027-01-15 07:00)",
                     "4 recipients sent, kept as exported (pack exported 2027-01-15 07:00)"]
    assert not any(i.text(0).endswith("eligible today") for i in view.recipients.eligible_items)
    # The check says they went out, and nothing a step still to go would be told (quiet hours).
    with time_machine.travel("2027-03-05 12:00Z", tick=False):
        from omnidesk.core.campaigns.check import check_campaign

        report = check_campaign(ws, "Spring")[0]
    assert [f.code for f in report.findings if f.channel in ("email", "sms")] == ["step_sent", "step_sent"]


def test_a_step_with_texts_still_to_come_shows_as_going_out_not_sent(window, tmp_path, qtbot, capsys):
    """An SMS step of 20:30 in New York texts London at 08:00 UTC the next morning: at 03:00 UTC it
    is going out, as the check warns, and the screen says so, and when its last sends are due."""
    from tests.core.test_cli_campaign_going_out import PEOPLE, PLAN
    from tests.helpers import run_cli, write_csv

    shop = tmp_path / "shop.omnidesk"
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(PLAN), encoding="utf-8")
    (tmp_path / "packs").mkdir()
    with time_machine.travel("2027-01-05 10:00:00Z", tick=False):
        for argv in (["import", write_csv(tmp_path / "people.csv", *PEOPLE), "--channel", "shop"],
                     ["settings", "timezone", NY], ["campaign", "import", plan],
                     ["campaign", "export", "Uw", "--out", tmp_path / "packs"]):
            assert run_cli(capsys, *argv, "-w", shop)[0] == 0
    for when, said in (("2027-01-11 03:00Z", "3 recipients going out, last sends due 2027-01-11 08:00 UTC, kept as "
                                             "exported (pack exported 2027-01-05 05:00)"),
                       ("2027-01-11 08:00Z", "3 recipients sent, kept as exported (pack exported 2027-01-05 05:00)")):
        with time_machine.travel(when, tick=False):
            assert window.set_workspace(Workspace.open(shop))
            window.show_screen("campaigns")
            view = window.screens["campaigns"]
            view.refresh()
            view.select("Uw")
            qtbot.waitUntil(lambda: len(view.recipients.exported_items) == 1, timeout=20_000)
            assert [i.text(0) for i in view.recipients.exported_items] == [said]
            assert [i.text(0) for i in view.recipients.moved_items] == ["2 moved out of quiet hours"]


def _calendar_steps(view) -> list[tuple[str, str, str]]:
    cal = view.calendar
    return sorted((e.campaign, e.label, f"{cal.local(e):%Y-%m-%d %H:%M}") for e in cal.entries())


def test_a_read_only_workspace_shows_its_steps_on_the_calendar_and_none_moves(new_workspace, window, tmp_path):
    from datetime import date

    from PySide6.QtTest import QTest

    with time_machine.travel(NOW, tick=False):
        ws = new_workspace(tmp_path / "shop.omnidesk")
        ws.set_setting("timezone", NY)
        store.save_message(ws, "Sale", {"headline": "Sale"})
        three_steps(ws)
        ws.close()
        assert window.set_workspace(Workspace.open(tmp_path / "shop.omnidesk", readonly=True))
        window.show_screen("campaigns")
        view = window.screens["campaigns"]
        view.tabs.setCurrentWidget(view.calendar_host)
        cal = view.calendar
        # January, the month shown, has none: it points to March, and March shows all three.
        assert "the next on" in cal.summary.text() and "1 Mar 2027" in cal.summary.text()
        cal.go_to(date(2027, 3, 1))
        assert _calendar_steps(view) == [("Spring", "Email", "2027-03-01 10:00"), ("Spring", "Instagram", "2027-03-02 12:00"),
                                         ("Spring", "SMS", "2027-03-01 22:30")]
        assert cal.summary.text().startswith("3 steps")
        # Shown, never moved: an arrow key on a step asks for nothing.
        asked = []
        cal.rescheduleRequested.connect(lambda *a: asked.append(a))
        cal.select(cal.entries()[0].step_id)
        cal.canvas.setFocus()
        QTest.keyClick(cal.canvas, Qt.Key.Key_Right)
        assert asked == [] and _calendar_steps(view)[0][2] == "2027-03-01 10:00"
        assert "Drag" not in cal.canvas.tooltip_at(cal.canvas.chip_rect(cal.entries()[0].step_id).center())


def test_the_calendar_shows_a_campaign_planned_outside_the_window(win, view, tmp_path):
    """A plan imported on the command line (or saved in another window) while the app is open is
    on the calendar once the window looks for changes made outside it."""
    with time_machine.travel(NOW, tick=False):
        store.save_message(win.workspace, "Sale", {"headline": "Sale"})
        win.operations.change_campaigns("new campaign Spring", lambda ws: core.save_campaign(
            ws, "Spring", message="Sale", steps=[{"channel": "email", "at": "2027-01-20T10:00", "timezone": NY}]))
        view.tabs.setCurrentWidget(view.calendar_host)
        assert _calendar_steps(view) == [("Spring", "Email", "2027-01-20 10:00")]
        with Workspace.open(win.workspace.path) as other:
            core.save_campaign(other, "Outside", message="Sale", steps=[
                {"channel": "facebook", "at": "2027-01-22T09:00", "timezone": NY}])
        assert win.look_for_outside_changes()
        assert _calendar_steps(view) == [("Outside", "Facebook", "2027-01-22 09:00"),
                                         ("Spring", "Email", "2027-01-20 10:00")]
        assert view.calendar.summary.text().startswith("2 steps")


def test_the_calendar_warns_of_steps_the_caps_count_in_one_week_across_a_clock_change(win, view):
    """The same time a week later across spring-forward is a week later, as the caps count it; 6 days
    23 h 30 on the clock across fall-back is within one, though more than 7 × 24 hours apart."""
    from datetime import date

    with time_machine.travel(NOW, tick=False):
        ws = win.workspace
        ws.set_setting("cap_messages", 2)
        store.save_message(ws, "Sale", {"headline": "Sale"})
        for name, at in (("A", "2027-03-08T09:00"), ("B", "2027-03-15T09:00"),
                         ("C", "2027-10-31T09:00"), ("D", "2027-11-07T08:30")):
            win.operations.change_campaigns(f"new campaign {name}", lambda w, name=name, at=at: core.save_campaign(
                w, name, message="Sale", steps=[{"channel": "email", "at": at, "timezone": NY}]))
        view.tabs.setCurrentWidget(view.calendar_host)
        cal = view.calendar
        warned = {}
        for day in (date(2027, 3, 1), date(2027, 10, 1), date(2027, 11, 1)):
            cal.go_to(day)
            for e in cal.entries():
                tip = cal.canvas.tooltip_at(cal.canvas.chip_rect(e.step_id).center())
                warned[e.campaign] = "another step to the same audience within 7 days" in tip
        assert warned == {"A": False, "B": False, "C": True, "D": True}


def test_a_drop_on_the_second_pass_of_the_steps_repeated_hour_is_refused_saying_why(win, monkeypatch):
    """Seen from London, 06:30 on 7 November 2027 is New York's second 01:30: the step would have gone
    out at the first, an hour before where it was dropped."""
    from datetime import date

    from PySide6.QtWidgets import QMessageBox

    said = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda _parent, *a: said.append(a)))
    view = win.screens["campaigns"]
    with time_machine.travel(NOW, tick=False):
        store.save_message(win.workspace, "Sale", {"headline": "Sale"})
        win.operations.change_campaigns("new campaign Spring", lambda ws: core.save_campaign(
            ws, "Spring", message="Sale", steps=[{"channel": "instagram", "at": "2027-11-05T12:00", "timezone": NY}]))
        assert win.operations.change_preferences({"timezone": "Europe/London"})
        view.tabs.setCurrentWidget(view.calendar_host)
        cal = view.calendar
        cal.go_to(date(2027, 11, 1))
        (entry,) = cal.entries()
        undo = win.undo_action.text()
        assert cal.request_move(entry.step_id, datetime(2027, 11, 7, 6, 30))
        assert len(said) == 1 and "second time 01:30 comes round" in said[0][1]
        assert "Move it out of the repeated hour, or to 05:30." in said[0][1]
        assert core.get_campaign(win.workspace, "Spring").steps[0].at_local == "2027-11-05T12:00:00"
        assert win.undo_action.text() == undo
        assert _calendar_steps(view) == [("Spring", "Instagram", "2027-11-05 16:00")]
        assert cal.request_move(entry.step_id, datetime(2027, 11, 7, 7, 30))  # an hour later: 02:30 EST
        assert core.get_campaign(win.workspace, "Spring").steps[0].at_utc == datetime(2027, 11, 7, 7, 30, tzinfo=UTC)
        assert _calendar_steps(view) == [("Spring", "Instagram", "2027-11-07 07:30")] and len(said) == 1


def test_the_calendar_follows_the_time_zone_chosen_in_preferences(win, view):
    with time_machine.travel(NOW, tick=False):
        store.save_message(win.workspace, "Sale", {"headline": "Sale"})
        win.operations.change_campaigns("new campaign Spring", lambda ws: core.save_campaign(
            ws, "Spring", message="Sale", steps=[{"channel": "email", "at": "2027-01-20T10:00", "timezone": NY}]))
        view.tabs.setCurrentWidget(view.calendar_host)
        assert view.calendar.zone() == NY and "times in America/New_York" in view.calendar.summary.text()
        assert win.operations.change_preferences({"timezone": "Asia/Tokyo"})  # done at once: the runner is inline
        assert view.calendar.zone() == "Asia/Tokyo"
        assert "times in Asia/Tokyo" in view.calendar.summary.text()
        assert _calendar_steps(view) == [("Spring", "Email", "2027-01-21 00:00")]  # 10:00 in New York
        win.undo_action.trigger()
        assert view.calendar.zone() == NY
        assert _calendar_steps(view) == [("Spring", "Email", "2027-01-20 10:00")]


def test_at_1024_by_640_every_line_of_who_the_steps_reach_shows_before_the_check_takes_the_rest(demo_window, qtbot):
    """Three steps with a hold out are thirteen lines of counts: all in sight without scrolling
    (a share of the spare height showed four), the check and a reason's customers under them."""
    ws = demo_window.workspace
    store.save_message(ws, "Sale", {"headline": "Sale", "body": "Hi {first_name|there}", "offer_code": "S20",
                                    "link": "https://shop.example/s"})
    save_segment(ws, "Buyers", {"all": [{"field": "orders", "op": "gt", "value": 0}]})
    core.save_campaign(ws, "Spring", message="Sale", audience="Buyers", holdout_percent=10, steps=[
        {"channel": "email", "at": "2027-03-01T09:00", "timezone": NY},
        {"channel": "sms", "at": "2027-03-01T22:30", "timezone": NY},
        {"channel": "instagram", "at": "2027-03-02T12:00", "timezone": NY}])
    demo_window.resize(1024, 640)
    demo_window.show_screen("campaigns")
    view = demo_window.screens["campaigns"]
    view.refresh()
    view.select("Spring")
    qtbot.waitUntil(lambda: view.recipients.tree.topLevelItemCount() == 3)
    qtbot.wait(50)
    tree = view.recipients.tree
    lines = sum(1 + tree.topLevelItem(i).childCount() for i in range(tree.topLevelItemCount()))
    assert lines >= 12
    line = tree.fontMetrics().height()
    assert tree.verticalScrollBar().maximum() == 0 and tree.viewport().height() >= lines * line
    assert view.recipients.findings.height() >= 3 * line  # the check still shows some lines
    view.show_reason(0, "opted out")
    qtbot.wait(50)
    # A reason's customers listed too: they and the check keep a few lines, the counts most of theirs.
    assert view.recipients.people.isVisible() and view.recipients.people.height() >= 3 * line
    assert view.recipients.findings.height() >= 3 * line
    assert tree.viewport().height() >= (lines - 3) * line


def test_a_time_the_clocks_skip_reads_as_the_time_it_goes_out_on_every_line(win, view):
    """02:30 on the night New York's clocks go forward goes out at 03:30, as the check, the packs and
    the calendar say: the recipients' line and the list's next step said 02:30."""
    store.save_message(win.workspace, "Sale", {"headline": "Sale"})
    core.save_campaign(win.workspace, "Spring", message="Sale", replace=True, steps=[
        {"channel": "email", "at": "2027-03-14T02:30", "timezone": NY}])
    view.refresh()
    tree = view.recipients.tree
    assert tree.topLevelItem(0).text(0) == "Email · 14 Mar 2027 03:30"
    assert "2027-03-14 03:30" in tree.topLevelItem(0).toolTip(0)
    assert view.table.item(0, 4).text() == "14 Mar 2027 03:30 (America/New_York)"
