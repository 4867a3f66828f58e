"""A step added in the Campaigns editor starts tomorrow at 10:00 on the clock of its zone (the
shop's), not on the computer's date: late in the evening in Los Angeles it is already the next
day in Kiritimati, and the new step's "tomorrow" was today there, its 10:00 already past."""

from __future__ import annotations

import shutil

import pytest
import time_machine
from PySide6.QtCore import Qt

from omnidesk.core.campaigns import campaign as core
from omnidesk.core.messages import store
from omnidesk.core.workspace import Workspace

LA, KIRITIMATI = "America/Los_Angeles", "Pacific/Kiritimati"


# 05:00 UTC on 10 March 2026: 22:00 on the 9th in Los Angeles, 19:00 on the 10th in Kiritimati.
@pytest.mark.parametrize(("computer", "shop", "expected"), [
    (LA, KIRITIMATI, "2026-03-11T10:00"),  # the computer's tomorrow (the 10th) is today in the shop
    (KIRITIMATI, LA, "2026-03-10T10:00"),  # the computer's tomorrow (the 11th) is two days off there
])
def test_a_new_step_is_tomorrow_at_ten_on_the_shops_clock(window, tmp_path, empty_workspace_file, monkeypatch,
                                                          qtbot, computer_in, computer, shop, expected):
    computer_in(computer)
    with time_machine.travel("2026-03-10T05:00:00Z", tick=False):  # a string: TZ stays the computer's
        shutil.copyfile(empty_workspace_file, tmp_path / "shop.omnidesk")
        ws = Workspace.open(tmp_path / "shop.omnidesk")
        ws.set_setting("timezone", shop)
        assert window.set_workspace(ws)
        window.show_screen("campaigns")
        view = window.screens["campaigns"]
        errors = []
        monkeypatch.setattr(view, "show_error", lambda *a: errors.append(a))
        monkeypatch.setattr(window, "show_error", lambda *a: errors.append(a))
        store.save_message(ws, "Sale", {"headline": "Sale"})
        core.save_campaign(ws, "Spring", message="Sale")
        view.refresh()
        qtbot.mouseClick(view.editor.steps.add_button, Qt.MouseButton.LeftButton)
        (row,) = view.editor.steps.rows
        assert row.value()["timezone"] == shop and row.value()["at"][:16] == expected
        qtbot.keyClick(view.editor.goal, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        assert errors == []
        (step,) = core.get_campaign(ws, "Spring").steps
        assert (step.at_local[:16], step.timezone) == (expected, shop)
