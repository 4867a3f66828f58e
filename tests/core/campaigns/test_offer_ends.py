"""An offer that is over by the time a step goes out is refused; the message check says when it has ended."""

from __future__ import annotations

import json

import pytest
import time_machine

from tests.helpers import cli_shop_fixtures, machine_in_zone, run_cli

PEOPLE = (["Email", "First Name", "Last Name", "Phone", "Accepts Email Marketing", "Accepts SMS Marketing"], [
    ["ann@example.com", "Ann", "Lee", "+12125550101", "yes", "yes"],  # New York: quiet hours till 08:00
    ["bob@example.com", "Bob", "Stone", "+13105550102", "yes", "yes"],  # Los Angeles
])

shop_template, shop = cli_shop_fixtures(PEOPLE, ["brand", "set", "address", "12 Quay St, Portland"],
                                        ["brand", "set", "name", "Harbor"])


new_york = machine_in_zone("America/New_York")


def message(ends: str) -> dict:
    return {"headline": "Flash sale", "offer_code": "FLASH", "offer_value": "20% off", "offer_expires": ends,
            "link": "https://hc.example/f"}


def plan(tmp_path, ends: str, *steps: tuple[str, str]):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({
        "name": "Flash", "message": message(ends), "audience": "everyone", "mode": "each_channel",
        "steps": [{"channel": ch, "at": at, "timezone": "America/New_York"} for ch, at in steps]}), encoding="utf-8")
    return path


def check(capsys, shop):
    status, out, _ = run_cli(capsys, "campaign", "check", "Flash", "--json", "-w", shop)
    return status, [f for f in json.loads(out)["findings"] if f["code"] == "offer_ended"]


@time_machine.travel("2027-02-01 15:00:00Z", tick=False)
@pytest.mark.parametrize("ends", ["2026-01-31", "2027-03-02"])
def test_a_step_after_the_offers_last_day_is_an_error_that_stops_the_export(shop, capsys, tmp_path, ends):
    path = plan(tmp_path, ends, ("email", "2027-03-01T09:00"), ("sms", "2027-04-15T18:00"))
    assert run_cli(capsys, "campaign", "import", path, "-w", shop)[0] == 0
    status, ended = check(capsys, shop)
    assert status == 1
    # The email of 1 March is within an offer ending 2 March; the text of 15 April never is.
    assert [f["channel"] for f in ended] == (["email", "sms"] if ends == "2026-01-31" else ["sms"])
    assert all(f["severity"] == "error" for f in ended)
    assert "SMS step of 2027-04-15 18:00 (America/New_York)" in ended[-1]["message"]
    status, _, err = run_cli(capsys, "campaign", "export", "Flash", "--out", tmp_path / "packs", "-w", shop)
    assert status != 0 and "last day is" in err
    assert not (tmp_path / "packs").exists()


@time_machine.travel("2027-02-01 15:00:00Z", tick=False)
def test_the_offer_ends_at_midnight_on_the_steps_clock_and_a_text_moved_past_it_counts(shop, capsys, tmp_path):
    # 23:30 on the last day in New York is within the offer (04:30 UTC the next day).
    path = plan(tmp_path, "2027-03-02", ("email", "2027-03-02T23:30"))
    assert run_cli(capsys, "campaign", "import", path, "-w", shop)[0] == 0
    assert check(capsys, shop) == (0, [])
    # A text at 22:30 on the last day: Ann's waits for her quiet hours to end, at 08:00 on 3 March.
    path = plan(tmp_path, "2027-03-02", ("sms", "2027-03-02T22:30"))
    assert run_cli(capsys, "campaign", "import", path, "-w", shop)[0] == 0
    status, ended = check(capsys, shop)
    assert status == 1 and len(ended) == 1
    assert "1 recipient of the SMS step" in ended[0]["message"]
    assert "2027-03-03 08:00" in ended[0]["message"]


def test_message_check_warns_once_the_offer_is_over_on_the_shops_clock(shop, capsys, tmp_path):
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"name": "Winter", "message": message("2026-01-31")}), encoding="utf-8")
    assert run_cli(capsys, "message", "import", path, "-w", shop)[0] == 0
    assert run_cli(capsys, "settings", "timezone", "America/New_York", "-w", shop)[0] == 0
    with time_machine.travel("2026-02-01 04:30:00Z", tick=False):  # 23:30 on 31 Jan in New York
        out = json.loads(run_cli(capsys, "message", "check", "Winter", "--json", "-w", shop)[1])
    assert "offer_ended" not in {f["code"] for f in out["findings"]}
    with time_machine.travel("2026-02-01 05:00:00Z", tick=False):  # midnight in New York
        status, out, _ = run_cli(capsys, "message", "check", "Winter", "--json", "-w", shop)
    (ended,) = [f for f in json.loads(out)["findings"] if f["code"] == "offer_ended"]
    assert ended["severity"] == "warning" and "31 Jan 2026" in ended["message"]
    assert status == 0  # a warning: an old message stays, the campaign check refuses the steps
