"""Quiet hours that end when they start would be no quiet hours at all: `omnidesk settings` refuses
them (the two settings are given one at a time, so the one given is checked against the other
stored), and a time of day with seconds, which used to be cut to its minute without a word."""

from __future__ import annotations

import pytest

from omnidesk.core.errors import UserError
from omnidesk.core.settings import change_settings
from omnidesk.core.workspace import Workspace
from tests.helpers import cli_shop_fixtures, run_cli

PEOPLE = (["First Name", "Phone", "SMS consent"], [["Ann", "+1 415 555 0101", "yes"]])
shop_template, shop = cli_shop_fixtures(PEOPLE)


def _setting(capsys, shop, key: str) -> str:
    status, out, err = run_cli(capsys, "-w", shop, "settings", key)
    assert status == 0, err
    return out.strip()


def test_quiet_end_equal_to_the_stored_quiet_start_is_refused_naming_it(shop, capsys):
    assert run_cli(capsys, "-w", shop, "settings", "quiet_start", "22:00")[0] == 0
    status, out, err = run_cli(capsys, "-w", shop, "settings", "quiet_end", "22:00")
    assert status == 2 and not out
    assert len(err.strip().splitlines()) == 1
    assert "quiet_end: quiet_start is 22:00 too, and quiet hours cannot end when they start" in err
    assert _setting(capsys, shop, "quiet_end") == "08:00"
    # Written another way, the same time is refused too.
    assert run_cli(capsys, "-w", shop, "settings", "quiet_end", "22:00:00")[0] == 2
    assert _setting(capsys, shop, "quiet_end") == "08:00"


def test_quiet_start_equal_to_the_default_quiet_end_is_refused_naming_it(shop, capsys):
    status, _out, err = run_cli(capsys, "-w", shop, "settings", "quiet_start", "08:00")
    assert status == 2
    assert "quiet_start: quiet_end is 08:00 too, and quiet hours cannot end when they start" in err
    assert _setting(capsys, shop, "quiet_start") == "21:00"


def test_a_time_with_seconds_is_refused_not_cut(shop, capsys):
    status, _out, err = run_cli(capsys, "-w", shop, "settings", "quiet_start", "21:00:30")
    assert status == 2
    assert "quiet_start: '21:00:30' has seconds; give hours and minutes such as 21:00" in err
    assert _setting(capsys, shop, "quiet_start") == "21:00"
    status, _out, err = run_cli(capsys, "-w", shop, "settings", "quiet_start", "22:15:00")
    assert status == 0, err
    assert _setting(capsys, shop, "quiet_start") == "22:15"


def test_several_settings_at_once_are_refused_the_same_way(shop):
    with Workspace.open(shop) as ws:
        with pytest.raises(UserError, match="quiet_start and quiet_end are both 23:00"):
            change_settings(ws, {"quiet_start": "23:00", "quiet_end": "23:00"})
        with pytest.raises(UserError, match="quiet_end: quiet_start is 21:00 too"):
            change_settings(ws, {"business_name": "Corner shop", "quiet_end": "21:00"})
        assert ws.get_setting("business_name", "") == ""
        change_settings(ws, {"quiet_start": "23:00", "quiet_end": "06:30"})
        assert (ws.get_setting("quiet_start"), ws.get_setting("quiet_end")) == ("23:00", "06:30")
