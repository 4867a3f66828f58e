"""With no shop time zone set, the frequency cap counts every step's days on one clock, this
computer's, so a pair of sends gets one decision whichever campaign was exported first."""

from __future__ import annotations

import json

import pytest
import time_machine

from tests.helpers import cli_shop_fixtures, run_cli

PEOPLE = (["Email", "First Name", "Accepts Email Marketing"],
          [[f"p{i}@example.com", f"P{i}", "yes"] for i in range(5)])
shop_template, shop = cli_shop_fixtures(PEOPLE, ["settings", "cap_messages", "1"], ["settings", "cap_days", "7"],
                                        ["brand", "set", "address", "1 Main St"])
# 09:00 on 1 March in New York (14:00 UTC) and 13:30 on 8 March in London (13:30 UTC): 167½ hours
# apart, New York springing forward on 8 March in between.
STEPS = {"A": {"channel": "email", "at": "2026-03-01T09:00", "timezone": "America/New_York"},
         "B": {"channel": "email", "at": "2026-03-08T13:30", "timezone": "Europe/London"}}


def import_both(capsys, shop, tmp_path) -> None:
    for name, step in STEPS.items():
        plan = {"name": name, "audience": "everyone", "mode": "each_channel",
                "message": {"headline": f"Sale {name}", "link": "https://shop.example/sale"}, "steps": [step]}
        (tmp_path / f"{name}.json").write_text(json.dumps(plan), encoding="utf-8")
        assert run_cli(capsys, "campaign", "import", tmp_path / f"{name}.json", "-w", shop)[0] == 0


# On Kolkata's clock (no clock change) the two are 19:30 on 1 March and 19:00 on 8 March: within
# seven days.  On New York's they are 09:00 and 09:30 a week later: outside.
@pytest.mark.parametrize(("computer", "second_eligible"), [("Asia/Kolkata", 0), ("America/New_York", 5)])
@pytest.mark.parametrize(("first", "second"), [("A", "B"), ("B", "A")])
def test_either_export_order_gives_the_same_decision(shop, capsys, tmp_path, computer_in, computer,
                                                     second_eligible, first, second):
    computer_in(computer)
    assert "(not set)" in run_cli(capsys, "settings", "-w", shop)[1].split("\ntimezone ")[1].split("\n")[0]
    with time_machine.travel("2026-02-01T12:00:00Z", tick=False):
        import_both(capsys, shop, tmp_path)
        status, out, err = run_cli(capsys, "campaign", "export", first, "--out", tmp_path / "packs", "-w", shop)
        assert status == 0, err
        status, out, err = run_cli(capsys, "campaign", "show", second, "--json", "-w", shop)
    assert status == 0, err
    (step,) = json.loads(out)["recipients"]
    assert step["eligible"] == second_eligible
    assert step["excluded"].get("frequency cap", 0) == 5 - second_eligible
