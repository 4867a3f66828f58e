"""A saved segment a campaign sends to: renaming it in the app renames it in the campaign too (one
undo step takes both back), and the app's Delete refuses it, naming the campaign."""

from __future__ import annotations

import pytest

from omnidesk.core import segments
from omnidesk.core.campaigns.campaign import get_campaign, save_campaign
from omnidesk.core.campaigns.check import check_campaign
from tests.helpers import window_on_file

BOSTON = {"field": "city", "op": "is", "value": "Boston"}


@pytest.fixture
def win(window, ws, monkeypatch):
    segments.save_segment(ws, "Bostonians", BOSTON)
    save_campaign(ws, "Seg", message=None, audience="Bostonians", holdout_percent=10,
                  steps=[{"channel": "email", "at": "2027-03-02T09:00", "timezone": "America/New_York"}])
    save_campaign(ws, "Everyone", message=None)
    return window_on_file(window, ws, monkeypatch)


def menu_action(win, name: str, text: str):
    return next(a for a in win.nav.segment_menu(name).actions() if a.text() == text)


def test_a_rename_renames_the_campaigns_audience_and_undo_takes_both_back(win, monkeypatch):
    monkeypatch.setattr(win, "ask_segment_name", lambda *a: "Boston customers")
    menu_action(win, "Bostonians", "Rename…").trigger()
    assert win.told == [] and win.nav.segment_names() == ["Boston customers"]
    campaign = get_campaign(win.workspace, "Seg")
    assert campaign.audience == "Boston customers" and campaign.holdout_percent == 10
    assert get_campaign(win.workspace, "Everyone").audience == "everyone"
    check_campaign(win.workspace, "Seg")  # its audience still runs

    win.undo()
    assert win.nav.segment_names() == ["Bostonians"]
    assert get_campaign(win.workspace, "Seg").audience == "Bostonians"
    win.redo()
    assert get_campaign(win.workspace, "Seg").audience == "Boston customers"


def test_the_apps_delete_refuses_a_segment_a_campaign_sends_to(win):
    menu_action(win, "Bostonians", "Delete").trigger()
    ((title, text),) = win.told
    assert title == "Cannot delete the segment"
    assert "campaign 'Seg'" in text and "Change its audience first" in text
    assert win.nav.segment_names() == ["Bostonians"]
    assert get_campaign(win.workspace, "Seg").audience == "Bostonians"
    assert not win.operations.stack.canUndo()
