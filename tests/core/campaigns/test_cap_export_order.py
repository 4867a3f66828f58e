"""The frequency cap counts exported steps only, as README says: of two campaigns within the cap's
days of each other, the one exported first takes the cap's room, whichever goes out first."""

from __future__ import annotations

import json

import pytest
import time_machine

from tests.helpers import cli_shop_fixtures, run_cli

NY = "America/New_York"
PEOPLE = (["Email", "First Name", "Accepts Email Marketing"],
          [["ann@example.com", "Ann", "yes"], ["bo@example.com", "Bo", "yes"], ["cy@example.com", "Cy", "yes"]])
shop_template, shop = cli_shop_fixtures(PEOPLE, ["settings", "timezone", NY], ["settings", "cap_messages", "1"],
                                        ["brand", "set", "name", "Harbor"],
                                        ["brand", "set", "address", "12 Quay St, Portland"])
WHEN = {"X": "2026-12-20T09:00", "Y": "2026-12-22T09:00"}


@pytest.mark.parametrize("first, second", [("X", "Y"), ("Y", "X")])
@time_machine.travel("2026-12-01 12:00:00Z", tick=False)
def test_the_campaign_exported_first_takes_the_caps_room(shop, capsys, tmp_path, first, second):
    w = ["-w", str(shop)]
    for name, at in WHEN.items():
        plan = tmp_path / f"{name}.json"
        plan.write_text(json.dumps({"name": name, "message": {"headline": name, "link": "https://shop.example/x"},
                                    "audience": "everyone",
                                    "steps": [{"channel": "email", "at": at, "timezone": NY}]}), encoding="utf-8")
        assert run_cli(capsys, "campaign", "import", plan, *w)[0] == 0
    status, said, err = run_cli(capsys, "campaign", "export", first, "--out", tmp_path / "packs", *w)
    assert status == 0 and "(3 recipients)" in said, err
    status, said, err = run_cli(capsys, "campaign", "check", second, *w)
    assert f"{WHEN[second].replace('T', ' ')} {NY}: 0 eligible; left out: frequency cap 3" in said, said + err
