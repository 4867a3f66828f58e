"""An exported step on the calendar shows ✓, as README says, even when it has a conflict: it cannot
be moved, so its chip says first that its pack is written; its tooltip still lists the conflicts."""

from __future__ import annotations

import time_machine

from omnidesk.core.campaigns.campaign import save_campaign
from omnidesk.core.messages.brand import set_brand
from omnidesk.core.messages.store import save_message
from omnidesk.ui.widgets.campaign_calendar import EXPORTED_TIP
from tests.ui.test_campaign_calendar import BERLIN, NOW, chip_center, export, make_calendar, step_id


def test_an_exported_step_with_a_conflict_shows_its_tick(qtbot, make_workspace, computer_in):
    computer_in("Asia/Tokyo")  # no shop zone set: the caps count days on this computer's clock
    with time_machine.travel(NOW, tick=False):
        ws = make_workspace()
        set_brand(ws, "address", "1 Market Street, Springfield")
        save_message(ws, "Sale", {"headline": "Sale", "link": "https://hc.example/a"}, channels=["email", "sms"])
        save_campaign(ws, "Spring", message="Sale", steps=[{"channel": "email", "at": "2027-03-02T09:00",
                                                            "timezone": BERLIN}])
        # The day after Spring's email, to everyone too, and at 22:30 inside quiet hours.
        save_campaign(ws, "Flash", message="Sale", steps=[{"channel": "sms", "at": "2027-03-03T22:30",
                                                           "timezone": BERLIN}])
        sms, email = step_id(ws, "Flash", "sms"), step_id(ws, "Spring", "email")
        export(ws, sms)
        cal = make_calendar(qtbot, ws, zone=BERLIN)
        assert cal.entry(sms).exported and cal.entry(sms).conflicts
        assert cal.canvas.chip_text(cal.entry(sms), cal.local(cal.entry(sms))).startswith("✓ 22:30 SMS")
        tip = cal.canvas.tooltip_at(chip_center(cal, sms))
        assert "⚠ inside quiet hours" in tip and tip.endswith(EXPORTED_TIP)
        # The step not exported that it conflicts with keeps its ⚠: that one can still be moved.
        assert cal.canvas.chip_text(cal.entry(email), cal.local(cal.entry(email))).startswith("⚠ 09:00 Email")
