"""The Campaigns screen on a campaign whose steps are late in the year 9997 under a ten-year cap
window: who each step reaches is worked out; and when that cannot be worked out, the Recipients
pane says it failed instead of "Working out…" over the campaign shown before."""

from __future__ import annotations

import time_machine

from omnidesk.core.campaigns import campaign as core
from omnidesk.core.campaigns import check
from tests.core.campaigns.test_guards import build
from tests.ui import test_campaigns_screen as screen

NOW, NY = screen.NOW, screen.NY
win, view = screen.win, screen.view


def two_campaigns(ws) -> None:
    build(ws)
    ws.set_setting("cap_days", "3660")
    core.save_campaign(ws, "Best", message="Sale", replace=True, steps=[
        {"channel": "email", "at": "2027-03-01T10:00", "timezone": NY}])
    core.save_campaign(ws, "Far", message="Sale", replace=True, steps=[
        {"channel": "email", "at": "9997-12-31T23:59", "timezone": NY},
        {"channel": "sms", "at": "9997-12-31T12:00", "timezone": "Pacific/Kiritimati"}])


def shown(panel) -> list[str]:
    return [panel.tree.topLevelItem(i).text(0) for i in range(panel.tree.topLevelItemCount())]


def findings(panel) -> list[str]:
    return [panel.findings.item(i).text() for i in range(panel.findings.count())]


def test_the_last_steps_under_a_ten_year_cap_are_worked_out(win, view):
    two_campaigns(win.workspace)
    with time_machine.travel(NOW, tick=False):
        view.refresh()
        view.select("Best")
        view.select("Far")
    panel = view.recipients
    assert panel.state.isHidden()
    assert shown(panel) == ["SMS · 31 Dec 9997 12:00 Kiritimati", "Email · 31 Dec 9997 23:59 EST"]
    assert [i.text(0) for i in panel.eligible_items] == ["4 eligible", "2 eligible"]
    assert ("⚠ SMS: 1 recipient of the SMS step of 9997-12-31 12:00 (Pacific/Kiritimati) waits for their quiet "
            "hours to end") in findings(panel)


def test_a_plan_that_cannot_be_worked_out_says_so(win, view, monkeypatch, qtbot):
    two_campaigns(win.workspace)
    usable = check.usable_audiences

    def failing(ws, campaign, **kw):
        if campaign.name == "Far":
            raise OverflowError("date value out of range")
        return usable(ws, campaign, **kw)

    monkeypatch.setattr(check, "usable_audiences", failing)
    with time_machine.travel(NOW, tick=False):
        view.refresh()
        view.select("Best")
        panel = view.recipients
        assert shown(panel) and findings(panel)
        with qtbot.capture_exceptions() as raised:
            view.select("Far")
    # Raised where the window's handlers hear it, and said in the pane.
    assert [type(e[1]) for e in raised] == [OverflowError]
    assert panel.state.isVisible()
    assert panel.state.text() == "Could not work out who each step reaches: date value out of range"
    # Nothing of Best's stays beside it: no step, no finding, no customers behind a reason.
    assert shown(panel) == [] and findings(panel) == [] and view.audiences == []

