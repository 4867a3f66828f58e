"""The time zones the step editor and the shop's basics offer are the names a plan and the setting take."""

from __future__ import annotations

from zoneinfo import ZoneInfo


def test_the_lists_to_pick_from_hold_the_names_a_plan_takes(qapp):
    from omnidesk.core.timeutil import canonical_zone
    from omnidesk.ui.dialogs.workspace_basics import available_zones
    from omnidesk.ui.views.campaigns.editor import _zones_model

    steps = _zones_model().stringList()
    assert "Europe/Berlin" in steps and "Australia/Lord_Howe" in steps and "UTC" in steps
    for names in (steps, available_zones()):
        assert not {"localtime", "Factory"} & set(names)
        assert not [n for n in names if n.startswith(("posix/", "right/"))]
        assert all(canonical_zone(n) == n and ZoneInfo(n) for n in names)
