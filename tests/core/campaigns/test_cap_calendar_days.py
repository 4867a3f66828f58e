"""The frequency cap's "N per 7 days" counts calendar days on the shop's clock: the same local time
a week later is outside the window in the week the clocks change as in any other."""

from __future__ import annotations

import json

import pytest
import time_machine

from tests.helpers import cli_shop_fixtures, run_cli

NY = "America/New_York"
PEOPLE = (["Email", "First Name", "Accepts Email Marketing"], [
    ["ann@example.com", "Ann", "yes"],
    ["bob@example.com", "Bob", "yes"],
])
shop_template, shop = cli_shop_fixtures(PEOPLE, ["settings", "timezone", NY],
                                        ["settings", "cap_messages", "3"], ["settings", "cap_days", "7"])


def eligible(capsys, shop, tmp_path, times: list[str]) -> list[int]:
    plan = {"name": "Weekly", "message": {"headline": "Spring sale", "link": "https://example.com/spring"},
            "audience": "everyone", "steps": [{"channel": "email", "at": t, "timezone": NY} for t in times]}
    (tmp_path / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    with time_machine.travel("2027-02-01 12:00:00Z", tick=False):
        assert run_cli(capsys, "campaign", "import", str(tmp_path / "plan.json"), "-w", str(shop))[0] == 0
        status, out, _ = run_cli(capsys, "campaign", "show", "Weekly", "--json", "-w", str(shop))
    assert status == 0
    return [s["eligible"] for s in json.loads(out)["recipients"]]


@pytest.mark.parametrize("days", [
    ("2027-03-01", "2027-03-02", "2027-03-03", "2027-03-08"),  # no clock change
    ("2027-03-08", "2027-03-09", "2027-03-10", "2027-03-15"),  # New York springs forward on 14 March
    ("2027-11-01", "2027-11-02", "2027-11-03", "2027-11-08"),  # and falls back on 7 November
])
def test_the_same_local_time_a_week_later_is_outside_the_window(shop, capsys, tmp_path, days):
    assert eligible(capsys, shop, tmp_path, [f"{d}T09:00" for d in days]) == [2, 2, 2, 2]


def test_a_send_before_the_same_local_time_a_week_later_is_capped_across_a_fall_back(shop, capsys, tmp_path):
    # 08:30 on 8 November is 168½ hours after 09:00 on 1 November (the night of 7 November is 25
    # hours long) but within the seven days on the shop's clock.
    times = ["2027-11-01T09:00", "2027-11-02T09:00", "2027-11-03T09:00", "2027-11-08T08:30"]
    assert eligible(capsys, shop, tmp_path, times) == [2, 2, 2, 0]
