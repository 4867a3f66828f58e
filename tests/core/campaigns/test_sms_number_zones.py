"""An SMS step keeps quiet hours on the clock of the country the number rings in, and its pack
says that clock: a Caribbean +1 number is not read on all of North America's zones.  Played
through the command line at a set clock."""

from __future__ import annotations

import csv
import json

import time_machine

from tests.helpers import run_cli, write_csv

NY = "America/New_York"


def _cli(capsys, ws, *argv):
    with time_machine.travel("2027-02-01 15:00:00Z", tick=False):
        status, out, err = run_cli(capsys, *argv, "-w", ws)
    assert status == 0, (argv, err)
    return out


def _shop(tmp_path, capsys, people):
    ws = tmp_path / "shop.omnidesk"
    _cli(capsys, ws, "import", write_csv(tmp_path / "people.csv", ["First Name", "Phone", "Accepts SMS Marketing"],
                                         [[name, phone, "yes"] for name, phone in people]), "--channel", "shop")
    for args in (("settings", "timezone", NY), ("brand", "set", "name", "Harbor"),
                 ("brand", "set", "address", "12 Quay St, Portland, OR 97201")):
        _cli(capsys, ws, *args)
    return ws


def _pack(capsys, tmp_path, ws, at: str) -> dict[str, dict[str, str]]:
    plan = {"name": "S", "audience": "everyone", "mode": "each_channel",
            "message": {"headline": "Sale", "body": "Sale", "cta": "Shop", "link": "https://harbor.example/s"},
            "variants": {"sms": {"text": "Harbor: sale https://harbor.example/s Reply STOP"}},
            "steps": [{"channel": "sms", "at": at, "timezone": NY}]}
    (tmp_path / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    _cli(capsys, ws, "campaign", "import", tmp_path / "plan.json")
    _cli(capsys, ws, "campaign", "export", "S", "--out", tmp_path / "packs")
    (pack,) = (tmp_path / "packs").glob("*sms*.csv")
    with pack.open(encoding="utf-8-sig", newline="") as fh:
        return {r["Phone"]: r for r in csv.DictReader(fh)}


def test_a_caribbean_number_keeps_its_own_islands_quiet_hours(tmp_path, capsys):
    # Noon in New York on 2 March is noon in Kingston and 13:00 in Barbados and Bermuda: nobody
    # is in quiet hours, so with quiet_hours_action=exclude every one of them is texted at noon.
    ws = _shop(tmp_path, capsys, [("Kingston", "+1 876 555 0123"), ("Bridgetown", "+1 246 555 0123"),
                                  ("Hamilton", "+1 441 555 0123"), ("Mandeville", "+1 658 555 0123")])
    _cli(capsys, ws, "settings", "quiet_hours_action", "exclude")
    sent = _pack(capsys, tmp_path, ws, "2027-03-02T12:00")
    assert {phone: (r["Send at (local)"], r["Time zone"], r["Note"]) for phone, r in sent.items()} == {
        "+18765550123": ("2027-03-02T12:00:00-05:00", "America/Jamaica", ""),
        "+16585550123": ("2027-03-02T12:00:00-05:00", "America/Jamaica", ""),
        "+12465550123": ("2027-03-02T13:00:00-04:00", "America/Barbados", ""),
        "+14415550123": ("2027-03-02T13:00:00-04:00", "Atlantic/Bermuda", ""),
    }
    assert {r["Send at (UTC)"] for r in sent.values()} == {"2027-03-02T17:00:00Z"}


def test_a_caribbean_number_texted_in_its_quiet_hours_waits_for_its_own_morning(tmp_path, capsys):
    # 07:00 in New York is 07:00 in Kingston: quiet there until 08:00 Kingston time (13:00 UTC),
    # not until it is 08:00 in Adak, Alaska.
    ws = _shop(tmp_path, capsys, [("Kingston", "+1 876 555 0123")])
    sent = _pack(capsys, tmp_path, ws, "2027-03-02T07:00")
    row = sent["+18765550123"]
    assert (row["Send at (UTC)"], row["Send at (local)"], row["Time zone"]) == (
        "2027-03-02T13:00:00Z", "2027-03-02T08:00:00-05:00", "America/Jamaica")
    assert row["Note"] == "moved out of quiet hours"


def test_the_pack_shows_the_send_time_on_the_numbers_main_clock_and_says_where_else_it_may_ring(tmp_path, capsys):
    # A Spanish mobile may ring in Madrid or the Canaries: noon in New York is 18:00 in Madrid,
    # the clock shown, and the note gives the Canaries' 17:00.  A UK mobile rings in London.
    ws = _shop(tmp_path, capsys, [("Madrid", "+34 612 345 678"), ("London", "+44 7400 123456")])
    sent = _pack(capsys, tmp_path, ws, "2027-03-01T12:00")
    assert {phone: (r["Send at (local)"], r["Time zone"], r["Note"]) for phone, r in sent.items()} == {
        "+34612345678": ("2027-03-01T18:00:00+01:00", "Europe/Madrid",
                         "the number may ring in another zone of its country: Atlantic/Canary 2027-03-01T17:00:00+00:00"),
        "+447400123456": ("2027-03-01T17:00:00+00:00", "Europe/London", ""),
    }
