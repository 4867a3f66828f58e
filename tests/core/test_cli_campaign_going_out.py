"""`campaign show` and `campaign check` of an SMS step whose own time has come but whose texts moved
out of quiet hours are still to go: it is going out (under way), not sent, and both say when its
last sends are due, as the check's warning does."""

from __future__ import annotations

import json

import time_machine

from tests.helpers import cli_shop_fixtures, machine_in_zone, run_cli, write_csv

PEOPLE = (["First Name", "Email", "Phone", "Country", "Email consent", "SMS consent"], [
    ["Nyc", "n1@example.com", "+12125550101", "US", "yes", "yes"],
    ["Lon", "l1@example.com", "+447911123456", "GB", "yes", "yes"],
    ["Lou", "l2@example.com", "+447911123457", "GB", "yes", "yes"],
])
PLAN = {"name": "Uw", "audience": "everyone", "mode": "each_channel",
        "message": {"headline": "Winter sale", "body": "Hello, 20% off with code SAVE20.", "offer_code": "SAVE20",
                    "offer_value": "20% off", "cta": "Shop now", "link": "https://shop.example/sale"},
        "steps": [{"channel": "sms", "at": "2027-01-10T20:30", "timezone": "America/New_York"}]}
STEP = "SMS  2027-01-10 20:30 America/New_York: "

shop_template, shop = cli_shop_fixtures(PEOPLE, ["settings", "timezone", "America/New_York"])
tokyo = machine_in_zone("Asia/Tokyo")


def _exported(shop, capsys, tmp_path):
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(PLAN), encoding="utf-8")
    packs = tmp_path / "packs"
    packs.mkdir()
    with time_machine.travel("2027-01-05 10:00:00Z", tick=False):
        assert run_cli(capsys, "campaign", "import", plan, "-w", shop)[0] == 0
        status, _out, err = run_cli(capsys, "campaign", "export", "Uw", "--out", packs, "-w", shop)
        assert status == 0, err
    return packs


def _step_line(out: str) -> str:
    (line,) = [ln for ln in out.splitlines() if ln.startswith(STEP)]
    return line[len(STEP):]


def test_a_step_with_texts_still_to_come_is_going_out_not_sent(shop, capsys, tmp_path):
    packs = _exported(shop, capsys, tmp_path)
    with time_machine.travel("2027-01-11 03:00:00Z", tick=False):  # New York texted, London at 08:00Z
        status, out, err = run_cli(capsys, "campaign", "show", "Uw", "-w", shop)
        assert status == 0, err
        assert _step_line(out) == ("going out, last sends due 2027-01-11 08:00 UTC, kept as exported "
                                   "2027-01-05 05:00: 3 recipients; 2 moved out of quiet hours")
        status, out, err = run_cli(capsys, "campaign", "check", "Uw", "-w", shop)
        assert "its last sends are due 2027-01-11 08:00 UTC" in out and "[step_under_way]" in out
        assert _step_line(out) == ("going out, last sends due 2027-01-11 08:00 UTC, kept as exported: "
                                   "3 recipients; 2 moved out of quiet hours")
        (step,) = json.loads(run_cli(capsys, "campaign", "show", "Uw", "--json", "-w", shop)[1])["recipients"]
        assert step["kept"] is True and step["under_way"] is True
        assert step["last_sends_due"] == "2027-01-11T08:00:00Z"
        assert step["eligible"] == 3 and step["excluded"] == {} and step["moved"] == 2
        (step,) = json.loads(run_cli(capsys, "campaign", "check", "Uw", "--json", "-w", shop)[1])["steps"]
        assert step["under_way"] is True and step["last_sends_due"] == "2027-01-11T08:00:00Z"
        # Exporting again keeps it as it was, and says it is going out, not sent.
        status, out, err = run_cli(capsys, "campaign", "export", "Uw", "--out", packs, "--force", "-w", shop)
        assert status == 0, err
        assert ("SMS, 10 Jan 20:30 America/New_York: going out, last sends due 2027-01-11 08:00 UTC, kept as exported "
                "(uw_sms_2027-01-10_2030.csv)") in out.splitlines()
        status, out, err = run_cli(capsys, "campaign", "export", "Uw", "--out", packs, "--force", "--json", "-w", shop)
        (step,) = [s for s in json.loads(out)["steps"] if s["channel"] == "sms"]
        assert step["kept"] is True and step["under_way"] is False
        assert step["last_sends_due"] == "2027-01-11T08:00:00Z"
    with time_machine.travel("2027-01-11 08:00:00Z", tick=False):  # the last texts are due: it went out
        status, out, err = run_cli(capsys, "campaign", "show", "Uw", "-w", shop)
        assert _step_line(out) == ("sent, kept as exported 2027-01-05 05:00: 3 recipients; "
                                   "2 moved out of quiet hours")
        (step,) = json.loads(run_cli(capsys, "campaign", "show", "Uw", "--json", "-w", shop)[1])["recipients"]
        assert step["kept"] is True and "under_way" not in step and "last_sends_due" not in step
        status, out, err = run_cli(capsys, "campaign", "export", "Uw", "--out", packs, "--force", "-w", shop)
        assert "SMS, 10 Jan 20:30 America/New_York: already sent, kept as exported (uw_sms_2027-01-10_2030.csv)" in out.splitlines()


def test_a_stop_while_it_is_going_out_is_named_until_the_pack_of_the_texts_to_come_is_written(shop, capsys,
                                                                                                tmp_path):
    """The counts of a step going out are what its export recorded: whom it reached or will reach
    and the baseline it held out.  One who texted STOP before their moved text was due is left out
    by today's guards until the step is exported again; then the new pack, and the record, are of
    the texts still to come alone, and show says so: the pack is for two."""
    packs = _exported(shop, capsys, tmp_path)
    stops = write_csv(tmp_path / "stop.csv", ["Phone Number", "Keyword", "Date"],
                      [["+447911123457", "STOP", "2027-01-11T02:30:00Z"]])
    with time_machine.travel("2027-01-11 02:40:00Z", tick=False):
        assert run_cli(capsys, "import", stops, "--channel", "sms", "-w", shop)[0] == 0
    with time_machine.travel("2027-01-11 03:00:00Z", tick=False):
        status, out, err = run_cli(capsys, "campaign", "show", "Uw", "-w", shop)
        assert _step_line(out) == ("going out, last sends due 2027-01-11 08:00 UTC; exported 2027-01-05 05:00 "
                                   "for 3 recipients; today's guards: 2 eligible; left out: opted out 1; "
                                   "1 moved out of quiet hours")
        (step,) = json.loads(run_cli(capsys, "campaign", "show", "Uw", "--json", "-w", shop)[1])["recipients"]
        assert "kept" not in step and step["under_way"] is True and step["excluded"] == {"opted out": 1}
        status, _out, err = run_cli(capsys, "campaign", "export", "Uw", "--out", packs, "--force", "-w", shop)
        assert status == 0, err
    with time_machine.travel("2027-01-11 03:05:00Z", tick=False):
        status, out, err = run_cli(capsys, "campaign", "show", "Uw", "-w", shop)
        assert _step_line(out) == ("going out, last sends due 2027-01-11 08:00 UTC, kept as exported "
                                   "2027-01-10 22:00: 2 recipients; 1 moved out of quiet hours")
        (step,) = json.loads(run_cli(capsys, "campaign", "show", "Uw", "--json", "-w", shop)[1])["recipients"]
        assert step["kept"] is True and step["under_way"] is True and step["eligible"] == 2
        assert step["exported"]["recipients"] == 2 and step["excluded"] == {}
