"""`omnidesk campaign import/list/show/check`: a plan file in, who each step reaches out."""

from __future__ import annotations

import json

import pytest
import time_machine

from omnidesk.cli import main
from tests.helpers import write_csv

PEOPLE = (["Email", "First Name", "Last Name", "Phone", "Accepts Email Marketing", "Accepts SMS Marketing"], [
    ["ann@example.com", "Ann", "Lee", "+12125550101", "yes", "yes"],
    ["bob@example.com", "Bob", "Stone", "+12135550102", "no", "yes"],
    ["cy@example.com", "Cy", "Hill", "", "yes", ""],
])
PLAN = {"name": "Spring sale", "goal": "clear the winter stock",
        "message": {"headline": "Spring sale", "offer_code": "SPRING", "offer_value": "15% off",
                    "link": "https://hc.example/spring"},
        "audience": "everyone",
        "steps": [{"channel": "email", "at": "2027-03-01T09:00", "timezone": "America/New_York"},
                  {"channel": "sms", "at": "2027-03-01T22:30", "timezone": "America/New_York"},
                  {"channel": "instagram", "at": "2027-03-01T12:00", "timezone": "America/New_York"}],
        "mode": "each_channel"}


@pytest.fixture
def shop(tmp_path, capsys):
    path = tmp_path / "shop.omnidesk"
    assert main(["import", str(write_csv(tmp_path / "people.csv", *PEOPLE)), "--channel", "shop",
                 "-w", str(path)]) == 0
    assert main(["brand", "set", "address", "12 Quay St, Portland", "-w", str(path)]) == 0
    assert main(["brand", "set", "name", "Harbor", "-w", str(path)]) == 0
    capsys.readouterr()
    return path


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@time_machine.travel("2027-02-01 10:00:00Z", tick=False)
def test_import_list_show_check(shop, capsys, tmp_path):
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(PLAN), encoding="utf-8")
    status, out, _ = run(capsys, "campaign", "import", str(plan), "-w", str(shop))
    assert (status, out.strip()) == (0, "Saved campaign Spring sale: Email 2027-03-01 09:00, SMS 2027-03-01 22:30, "
                                        "Instagram 2027-03-01 12:00")
    data = json.loads(run(capsys, "campaign", "list", "--json", "-w", str(shop))[1])
    assert data == [{"name": "Spring sale", "status": "draft", "mode": "each_channel", "message": "Spring sale",
                     "steps": ["email", "sms", "instagram"]}]
    shown = json.loads(run(capsys, "campaign", "show", "Spring sale", "--json", "-w", str(shop))[1])
    by = {s["channel"]: s for s in shown["recipients"]}
    assert by["email"]["eligible"] == 2 and by["email"]["excluded"] == {"opted out": 1}  # Bob said no
    assert by["sms"]["eligible"] == 2 and by["sms"]["moved"] == 1  # Ann in New York waits till 08:00; LA does not
    assert by["sms"]["excluded"] == {"consent unknown": 1}
    assert by["instagram"]["eligible"] is None and by["instagram"]["excluded"] == {}
    status, out, _ = run(capsys, "campaign", "check", "Spring sale", "--json", "-w", str(shop))
    report = json.loads(out)
    assert {f["code"] for f in report["findings"]} >= {"quiet_hours_moved"}
    assert status == (1 if any(f["severity"] == "error" for f in report["findings"]) else 0)
    text = run(capsys, "campaign", "show", "Spring sale", "-w", str(shop))[1]
    assert "SMS  2027-03-01 22:30 America/New_York: 2 eligible; left out: consent unknown 1; 1 moved out of quiet " \
           "hours" in text


def test_bad_plans_say_where_and_change_nothing(shop, capsys, tmp_path):
    plan = tmp_path / "plan.json"
    for bad, words in ((dict(PLAN, steps=[{"channel": "fax", "at": "2027-03-01T09:00", "timezone": "UTC"}]),
                        "steps[0].channel"),
                       (dict(PLAN, steps=[{"channel": "sms", "at": "soon", "timezone": "UTC"}]), "steps[0].at"),
                       (dict(PLAN, steps=[{"channel": "sms", "at": "2027-03-01T09:00", "timezone": "Mars/Base"}]),
                        "steps[0].timezone"),
                       (dict(PLAN, audience="Nobody saved this"), "Nobody saved this"),
                       (dict(PLAN, mode="shout"), "mode"),
                       (dict(PLAN, message="No such message"), "no message 'No such message'"),
                       (dict(PLAN, budget=3), "'budget' is not part of a plan")):
        plan.write_text(json.dumps(bad), encoding="utf-8")
        status, _, err = run(capsys, "campaign", "import", str(plan), "-w", str(shop))
        assert status != 0 and words in err and len(err.strip().splitlines()) == 1, (words, err)
    assert json.loads(run(capsys, "campaign", "list", "--json", "-w", str(shop))[1]) == []
    assert json.loads(run(capsys, "message", "list", "--json", "-w", str(shop))[1]) == []


def test_report_json_and_text(shop, capsys):
    status, out, _ = run(capsys, "report", "--json", "-w", str(shop))
    data = json.loads(out)
    assert status == 0 and data["reach"] == {"shop": 3}
    assert sum(o["customers"] for o in data["overlap"]) == 3
    assert set(data["health"]) >= {"flagged_rows", "unreachable_customers", "pairs_to_review"}
    assert run(capsys, "report", "-w", str(shop))[1].splitlines()[0] == "Reach:"
    status, _, err = run(capsys, "report", "--from", "2026-13-01", "-w", str(shop))
    assert status != 0 and "--from" in err
