"""One campaign, "Winter sale", in a New York shop's window at a set clock: what the Campaigns
screen's tests of unsaved edits start from."""

from __future__ import annotations

import shutil
from contextlib import contextmanager
from datetime import UTC, datetime

import time_machine

from omnidesk.core.campaigns import campaign as core
from omnidesk.core.messages import store
from omnidesk.core.workspace import Workspace

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
NY = "America/New_York"


@contextmanager
def winter_sale_window(window, tmp_path, empty_workspace_file, steps):
    """``window`` on a new workspace holding the campaign with ``steps``, its Campaigns screen
    shown, at :data:`NOW` for as long as the block lasts."""
    with time_machine.travel(NOW, tick=False):
        shutil.copyfile(empty_workspace_file, tmp_path / "shop.omnidesk")
        ws = Workspace.open(tmp_path / "shop.omnidesk")
        ws.set_setting("timezone", NY)
        assert window.set_workspace(ws)
        store.save_message(ws, "Sale", {"headline": "Sale"})
        window.operations.change_campaigns("new campaign Winter sale", lambda w: core.save_campaign(
            w, "Winter sale", message="Sale", steps=steps))
        window.show_screen("campaigns")
        yield window
