"""The Campaigns screen on a step saved with a time out of range (a step in the year 9999, kept
by an omnidesk that did not refuse it yet): the screen names the step's problem, and still shows
who the other steps reach, instead of failing on it."""

from __future__ import annotations

import sqlite3

import time_machine
from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimeZone

from omnidesk.core.campaigns import campaign as core
from omnidesk.core.messages import store
from tests.core.campaigns.test_guards import build
from tests.ui import test_campaigns_screen as screen

NOW, NY = screen.NOW, screen.NY
PROBLEM = "too late; the latest date a step takes is 9997-12-31"


# The Campaigns screen's own workspace and screen (a new shop on New York's clock, errors failing the test).
win, view = screen.win, screen.view


def test_a_step_stored_in_the_year_9999_is_named_not_a_failure(win, view):
    build(win.workspace)
    assert store.get_message(win.workspace, "Sale")  # build() saved it
    core.save_campaign(win.workspace, "Spring", message="Sale", replace=True, steps=[
        {"channel": "email", "at": "2027-03-01T10:00", "timezone": NY},
        {"channel": "instagram", "at": "2027-03-02T12:00", "timezone": NY}])
    # As an older omnidesk kept it: the email step in the last minute of 9999, with no bound on its date.
    with sqlite3.connect(win.workspace.path) as db:
        db.execute("UPDATE campaign_step SET at_local = '9999-12-31T23:59:00', at_utc = '9999-12-31T23:59:00Z' "
                   "WHERE channel = 'email'")
    with time_machine.travel(NOW, tick=False):
        view.refresh()
        view.select("Spring")
    panel = view.recipients
    tops = [panel.tree.topLevelItem(i) for i in range(panel.tree.topLevelItemCount())]
    texts = [(t.text(0), [t.child(i).text(0) for i in range(t.childCount())]) for t in tops]
    # The Instagram step still worked out; the email step says what is wrong with it.
    assert texts[0] == ("Instagram · 2 Mar 2027 12:00", ["whoever looks (a broadcast step)"])
    assert texts[1][0].startswith("Email · 9999-12-31 23:59") and texts[1][1] == [f"Its time is {PROBLEM}"]
    assert panel.state.text() != "Working out who each step reaches…" and panel.state.isHidden()
    findings = [panel.findings.item(i).text() for i in range(panel.findings.count())]
    assert f"✖ Email: the Email step of 9999-12-31 23:59 ({NY}) is {PROBLEM}" in findings
    # The people behind a reason are still the steps the panel shows.
    assert view.audiences and view.audiences[0].step.channel == "instagram"


def test_the_step_put_right_in_the_editor_is_worked_out_again(win, view, qtbot):
    build(win.workspace)
    core.save_campaign(win.workspace, "Spring", message="Sale", replace=True, steps=[
        {"channel": "email", "at": "2027-03-01T10:00", "timezone": NY}])
    with sqlite3.connect(win.workspace.path) as db:
        db.execute("UPDATE campaign_step SET at_local = '9999-12-31T23:59:00', at_utc = '9999-12-31T23:59:00Z'")
    with time_machine.travel(NOW, tick=False):
        view.refresh()
        assert view.table.item(0, 4).text() == "—"  # no next step: its one step has no moment
        view.tabs.setCurrentIndex(1)  # the calendar leaves the step out
        view.tabs.setCurrentIndex(0)
        panel = view.recipients
        assert panel.tree.topLevelItemCount() == 1 and not panel.eligible_items
        row = view.editor.steps.rows[0]
        row.at.setDateTime(QDateTime(QDate(2027, 3, 1), QTime(10, 0), QTimeZone(QTimeZone.Initialization.UTC)))
        assert view.save_button.isEnabled()
        qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
        assert core.get_campaign(win.workspace, "Spring").steps[0].problem is None
        assert [i.text(0).endswith("eligible") for i in panel.eligible_items] == [True]
        findings = [panel.findings.item(i).text() for i in range(panel.findings.count())]
        assert not any("9999" in f for f in findings)
