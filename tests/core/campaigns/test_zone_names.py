"""A time zone is an IANA name the same on every computer: a plan's step, the timezone setting
and the lists to pick from all take the same names, and refuse the rest in one line."""

from __future__ import annotations

import json

import pytest

from omnidesk.core.campaigns.campaign import Step
from omnidesk.core.workspace import Workspace
from tests.helpers import run_cli

# A folder of the zone database, the computer's own zone (answers would depend on the machine),
# a placeholder, and the posix/ and right/ copies (the latter off by the leap seconds).
NOT_ZONES = ["Europe", "America", "localtime", "Factory", "right/UTC", "posix/Europe/Berlin", "Nowhere/Land"]


@pytest.fixture
def ws(tmp_path, capsys):
    path = tmp_path / "shop.omnidesk"
    Workspace.create(path).close()
    message = tmp_path / "message.json"
    message.write_text(json.dumps({"name": "Promo", "message": {"headline": "Sale", "link": "https://e.example/s"}}),
                       encoding="utf-8")
    for argv in (("settings", "timezone", "America/New_York"), ("message", "import", message)):
        status, _out, err = run_cli(capsys, "-w", path, *argv)
        assert status == 0, err
    return path


def _plan(tmp_path, zone: object):
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"name": "Z", "message": "Promo", "steps": [
        {"channel": "email", "at": "2027-06-07T09:30", "timezone": "Europe/Berlin"},
        {"channel": "instagram", "at": "2027-06-07T10:30", "timezone": zone}]}), encoding="utf-8")
    return plan


@pytest.mark.parametrize("zone", NOT_ZONES)
def test_a_plan_step_in_no_real_zone_is_refused_in_one_line_naming_the_step(ws, tmp_path, capsys, zone):
    status, _out, err = run_cli(capsys, "-w", ws, "campaign", "import", _plan(tmp_path, zone))
    assert status == 1
    assert err.strip().splitlines() == [
        f"omnidesk: error: Step 2 (steps[1].timezone): '{zone}' is not a time zone such as Europe/London."]
    status, _out, _err = run_cli(capsys, "-w", ws, "campaign", "show", "Z")
    assert status != 0  # nothing saved


@pytest.mark.parametrize("zone", ["localtime", "Factory", "right/UTC", "posix/Europe/Berlin"])
def test_the_timezone_setting_takes_no_zone_a_step_would_refuse(ws, capsys, zone):
    status, _out, err = run_cli(capsys, "-w", ws, "settings", "timezone", zone)
    assert status == 2  # a value the setting does not take: a usage error
    assert len(err.strip().splitlines()) == 1 and f"'{zone}' is not a time zone" in err
    assert run_cli(capsys, "-w", ws, "settings", "timezone")[1].strip() == "America/New_York"


def test_a_zone_in_other_letters_is_kept_as_the_zone_database_spells_it(ws, tmp_path, capsys):
    # A case-blind disk (Windows, macOS) once let "europe/paris" in as it was typed, and a
    # calendar or scheduler then met a name it did not know; now every computer keeps the same name.
    status, _out, err = run_cli(capsys, "-w", ws, "campaign", "import", _plan(tmp_path, " america/new_york"))
    assert status == 0, err
    status, out, _err = run_cli(capsys, "-w", ws, "campaign", "show", "Z", "--json")
    assert [s["timezone"] for s in json.loads(out)["steps"]] == ["Europe/Berlin", "America/New_York"]
    assert run_cli(capsys, "-w", ws, "settings", "timezone", "europe/paris")[0] == 0
    assert run_cli(capsys, "-w", ws, "settings", "timezone")[1].strip() == "Europe/Paris"


@pytest.mark.parametrize("zone", ["Europe", "localtime", "right/UTC"])
def test_a_step_saved_before_in_no_real_zone_is_named_rather_than_crash(zone):
    assert Step(1, "email", "2027-06-07T09:30:00", zone).time_problem == \
        "unreadable; give it a date, a time and a time zone again"
    assert Step(1, "email", "2027-06-07T09:30:00", "Europe/Berlin").time_problem is None



def test_a_shop_zone_an_older_version_stored_does_not_stop_the_calendar(tmp_path):
    """`settings timezone localtime` was taken before: what is due soon still opens (on UTC)."""
    from datetime import UTC, datetime, timedelta

    from omnidesk.core.campaigns.calendar import due_soon

    path = tmp_path / "old.omnidesk"
    ws = Workspace.create(path)
    try:
        ws.set_setting("timezone", "localtime")
        assert due_soon(ws, datetime(2027, 1, 1, tzinfo=UTC), timedelta(days=7)) == []
    finally:
        ws.close()
