"""A step late in the last year a step may have, counted under the longest cap window, is checked,
shown, scheduled and exported like any other: the window reaching past the year 9999 stops at the
calendar's end."""

from __future__ import annotations

import json

import time_machine

from tests.helpers import cli_shop_fixtures, run_cli

PEOPLE = (["Email", "First Name", "Phone", "Accepts Email Marketing", "Accepts SMS Marketing"],
          [["ann@example.com", "Ann", "+1 212 555 0201", "yes", "yes"],
           ["bo@example.com", "Bo", "+1 415 555 0203", "yes", "yes"]])
shop_template, shop = cli_shop_fixtures(PEOPLE, ["settings", "timezone", "America/New_York"],
                                        ["settings", "cap_days", "3660"],
                                        ["brand", "set", "name", "Harbor"],
                                        ["brand", "set", "address", "12 Quay St, Portland"])
FAR = {"name": "Far", "message": {"headline": "B", "body": "Hello, 20% off.", "link": "https://shop.example/x"},
       "audience": "everyone", "steps": [{"channel": "email", "at": "9997-12-31T23:59", "timezone": "America/New_York"},
                                         {"channel": "sms", "at": "9997-12-31T12:00",
                                          "timezone": "Pacific/Kiritimati"}]}


@time_machine.travel("2027-02-01 12:00:00Z", tick=False)
def test_the_last_steps_under_a_ten_year_cap_are_checked_and_exported(shop, capsys, tmp_path):
    w = ["-w", str(shop)]
    plan = tmp_path / "far.json"
    plan.write_text(json.dumps(FAR), encoding="utf-8")
    assert run_cli(capsys, "campaign", "import", plan, *w)[0] == 0

    status, said, err = run_cli(capsys, "campaign", "check", "Far", *w)
    assert status == 0 and "Traceback" not in err, err
    assert "Email  9997-12-31 23:59 America/New_York: 2 eligible" in said
    status, said, err = run_cli(capsys, "campaign", "show", "Far", *w)
    assert status == 0 and "SMS  9997-12-31 12:00 Pacific/Kiritimati: 2 eligible" in said, err
    status, said, err = run_cli(capsys, "campaign", "schedule", "Far", *w)
    assert status == 0, err
    status, said, err = run_cli(capsys, "campaign", "export", "Far", "--out", tmp_path / "packs", *w)
    assert status == 0, err
    assert "far_email_9997-12-31_2359.csv (2 recipients)" in said

    # Exported, its two sends count in the next campaign's window (three messages at most), which also
    # reaches past the year 9999: the next campaign's SMS is the third, its email one too many.
    plan.write_text(json.dumps({**FAR, "name": "Farther"}), encoding="utf-8")
    assert run_cli(capsys, "campaign", "import", plan, *w)[0] == 0
    status, said, err = run_cli(capsys, "campaign", "check", "Farther", *w)
    assert status == 0, err
    assert "SMS  9997-12-31 12:00 Pacific/Kiritimati: 2 eligible" in said
    assert "Email  9997-12-31 23:59 America/New_York: 0 eligible; left out: frequency cap 2" in said
