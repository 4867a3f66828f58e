"""Numbers and times too big for what keeps them: one line saying so, never a traceback.

A rule's number past SQLite's 64-bit integer (or not finite), ``--wait nan``, a campaign
step in the year 9999, an id past 2**63 - 1, a report to 9999-12-31 or from the year 1: each was an
OverflowError or ValueError out of the command line.  A demo of 100 million people ran out of memory.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

import pytest
import time_machine

from tests.helpers import cli_shop_fixtures, one_line, run_cli

PEOPLE = (["Email", "First Name", "Last Name", "Phone", "Accepts Email Marketing", "Accepts SMS Marketing",
           "Points"], [
    ["ann@example.com", "Ann", "Lee", "+12125550101", "yes", "yes", "120"],
    ["bob@example.com", "Bob", "Stone", "+12135550102", "no", "yes", "5"],
    ["cy@example.com", "Cy", "Hill", "", "yes", "", ""],
])
PLAN = {"name": "Spring sale",
        "message": {"headline": "Spring sale", "offer_code": "SPRING", "offer_value": "15% off",
                    "link": "https://hc.example/spring"},
        "audience": "everyone",
        "steps": [{"channel": "email", "at": "2027-03-01T09:00", "timezone": "America/New_York"}]}
HUGE = 99999999999999999999999


# The people imported (and the brand set) through the command line once for the module; tests get copies.
shop_template, shop = cli_shop_fixtures(PEOPLE, ["brand", "set", "address", "12 Quay St, Portland"],
                                        ["brand", "set", "name", "Harbor"])


run = run_cli


# -- 1. a number in a rule --------------------------------------------------------------------

@pytest.mark.parametrize(("rule", "words"), [
    ({"field": "spend", "op": "gt", "value": HUGE},
     "rule: spend gt needs a number from -92233720368547758 to 92233720368547758"),
    ({"field": "orders", "op": "gt", "value": HUGE},
     "rule: orders gt needs a number from -9223372036854775807 to 9223372036854775807"),
    ({"field": "custom.Points", "op": "gt", "value": HUGE},
     "rule: custom.Points gt needs a number from -9223372036854775807 to 9223372036854775807"),
    ({"field": "custom.Points", "op": "is", "value": 1e308 * 10},  # json.dumps writes Infinity
     "rule: custom.Points is needs a number from"),
    ({"all": [{"field": "spend", "op": "between", "value": [0, 1e300]}]},
     "rule.all[0]: spend between needs a number from"),
    ({"field": "orders", "op": "in", "value": [1, float("nan")]}, "rule: orders in needs a number from"),
    ({"field": "event.purchase", "op": "exists", "count_at_least": HUGE},
     "rule: count_at_least must be a whole number from 1 to 9223372036854775807"),
])
def test_a_number_past_what_a_workspace_keeps_is_refused_with_the_field_and_the_limit(shop, capsys, rule, words):
    status, _, err = run(capsys, "segment", "count", "--rule", json.dumps(rule), "-w", str(shop))
    assert status == 2 and words in err and one_line(err), err


def test_a_number_of_thousands_of_digits_is_refused_as_unreadable(shop, capsys):
    status, _, err = run(capsys, "segment", "count", "--rule",
                         '{"field": "orders", "op": "gt", "value": ' + "9" * 5000 + "}", "-w", str(shop))
    assert status == 2 and "too many digits" in err and one_line(err), err


def test_the_largest_numbers_kept_still_count(shop, capsys):
    def count(rule):
        status, out, err = run(capsys, "segment", "count", "--rule", json.dumps(rule), "--json", "-w", str(shop))
        assert status == 0, err
        return json.loads(out)["customers"]

    for field, op, limit, small in (("spend", "lt", 92233720368547758, 1000),
                                    ("spend", "lt", 9.2233720368547744e16, 1000),  # the largest float under it
                                    ("orders", "gte", -9223372036854775807, 0),
                                    ("custom.Points", "lt", 9223372036854775807, 1000)):
        assert count({"field": field, "op": op, "value": limit}) == count({"field": field, "op": op, "value": small})
    assert count({"field": "custom.Points", "op": "lt", "value": 9223372036854775807}) == 2


def test_every_way_in_for_a_rule_refuses_the_number_and_keeps_nothing(shop, capsys, tmp_path):
    rule = json.dumps({"field": "spend", "op": "gte", "value": HUGE})
    status, _, err = run(capsys, "segment", "save", "Whales", "--rule", rule, "-w", str(shop))
    assert status == 2 and "spend gte needs a number from" in err and one_line(err), err
    assert json.loads(run(capsys, "segment", "list", "--json", "-w", str(shop))[1]) == []

    out = tmp_path / "whales.csv"
    status, _, err = run(capsys, "export", "customers", str(out), "--rule", rule, "-w", str(shop))
    assert status == 2 and "spend gte needs a number from" in err and one_line(err), err
    assert not out.exists()

    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(dict(PLAN, audience=json.loads(rule))), encoding="utf-8")
    status, _, err = run(capsys, "campaign", "import", str(plan), "-w", str(shop))
    assert status != 0 and "spend gte needs a number from" in err and one_line(err), err
    assert json.loads(run(capsys, "campaign", "list", "--json", "-w", str(shop))[1]) == []

    plan.write_text('{"name": "Big", "audience": {"field": "orders", "op": "gt", "value": ' + "9" * 5000 + "}}",
                    encoding="utf-8")
    status, _, err = run(capsys, "campaign", "import", str(plan), "-w", str(shop))
    assert status != 0 and "too many digits" in err and one_line(err), err


# -- 2. --wait -------------------------------------------------------------------------------

@pytest.mark.parametrize("wait", ["nan", "inf", "Infinity", "-1", "1e300", "abc"])
@pytest.mark.parametrize("where", ["before", "after"])
def test_wait_takes_a_number_of_seconds_in_range_or_says_so(shop, capsys, wait, where):
    command = ["settings", "business_name", "Other name"]
    argv = ([f"--wait={wait}", *command] if where == "before" else [*command, f"--wait={wait}"])
    status, out, err = run(capsys, *argv, "-w", str(shop))
    assert status == 2 and "--wait" in err and "Traceback" not in err and not out, err
    assert run(capsys, "settings", "business_name", "-w", str(shop))[1].strip() == "Harbor"  # nothing changed


def test_a_wait_in_range_works(shop, capsys):
    assert run(capsys, "--wait", "0", "settings", "business_name", "-w", str(shop))[0] == 0
    assert run(capsys, "settings", "business_name", "Harbor & Co", "--wait", "86400", "-w", str(shop))[0] == 0


# -- 3. a campaign step's time ---------------------------------------------------------------

@pytest.mark.parametrize(("at", "zone", "words"), [
    ("9999-12-31T23:59", "Pacific/Kiritimati", "the latest date a step takes is 9997-12-31"),
    ("9999-12-31T23:59", "America/New_York", "the latest date a step takes is 9997-12-31"),
    ("9998-12-31T23:59", "Etc/GMT+12", "the latest date a step takes is 9997-12-31"),
    ("0001-01-01T00:00", "Asia/Tokyo", "the earliest date a step takes is 1900-01-01"),
])
def test_a_plan_with_a_step_out_of_range_is_refused_and_saves_nothing(shop, capsys, tmp_path, at, zone, words):
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(dict(PLAN, steps=[{"channel": "email", "at": at, "timezone": zone}])),
                    encoding="utf-8")
    status, _, err = run(capsys, "campaign", "import", str(plan), "-w", str(shop))
    assert status == 1 and f"Step 1 (steps[0].at): '{at}' is too" in err and words in err and one_line(err), err
    assert json.loads(run(capsys, "campaign", "list", "--json", "-w", str(shop))[1]) == []
    assert json.loads(run(capsys, "message", "list", "--json", "-w", str(shop))[1]) == []


@time_machine.travel("2027-02-01 10:00:00Z", tick=False)
def test_the_last_date_taken_works_all_the_way_to_the_packs(shop, capsys, tmp_path):
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(dict(PLAN, steps=[
        {"channel": "email", "at": "9997-12-31T23:59", "timezone": "Etc/GMT+12"},
        {"channel": "sms", "at": "9997-12-31T23:59", "timezone": "Pacific/Kiritimati"},
        {"channel": "email", "at": "1900-01-01T00:00", "timezone": "Asia/Tokyo"}],
        message=dict(PLAN["message"], body="Fifteen percent off everything"))), encoding="utf-8")
    assert run(capsys, "campaign", "import", str(plan), "-w", str(shop))[0] == 0
    assert run(capsys, "campaign", "show", "Spring sale", "-w", str(shop))[0] == 0
    status, _, err = run(capsys, "campaign", "export", "Spring sale", "--out", str(tmp_path / "packs"),
                         "-w", str(shop))
    # The earliest date is long past: that step is named, to be given a time to come.
    assert status == 1 and one_line(err) and "Email step of 1900-01-01 00:00 (Asia/Tokyo) is in the past" in err
    plan.write_text(json.dumps(dict(json.loads(plan.read_text(encoding="utf-8")),
                                    steps=json.loads(plan.read_text(encoding="utf-8"))["steps"][:2])),
                    encoding="utf-8")
    assert run(capsys, "campaign", "import", str(plan), "-w", str(shop))[0] == 0
    status, _, err = run(capsys, "campaign", "export", "Spring sale", "--out", str(tmp_path / "packs"),
                         "-w", str(shop))
    assert status == 0, err
    assert (tmp_path / "packs" / "spring-sale_email_9997-12-31_2359.csv").is_file()


def _store_step_time(shop, at_local: str, at_utc: str) -> None:
    """What an older omnidesk kept: the plan's step as it was given, with no bound on its date."""
    with sqlite3.connect(shop) as db:
        db.execute("UPDATE campaign_step SET at_local = ?, at_utc = ?", (at_local, at_utc))


@time_machine.travel("2027-02-01 10:00:00Z", tick=False)
def test_a_step_stored_out_of_range_is_named_by_show_check_and_export_not_a_crash(shop, capsys, tmp_path):
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(dict(PLAN, steps=[
        {"channel": "email", "at": "2027-03-01T09:00", "timezone": "Pacific/Kiritimati"},
        {"channel": "instagram", "at": "2027-03-02T12:00", "timezone": "America/New_York"}])), encoding="utf-8")
    assert run(capsys, "campaign", "import", str(plan), "-w", str(shop))[0] == 0
    with sqlite3.connect(shop) as db:
        db.execute("UPDATE campaign_step SET at_local = '9999-12-31T23:59:00', at_utc = '9999-12-31T09:59:00Z' "
                   "WHERE channel = 'email'")
    problem = "too late; the latest date a step takes is 9997-12-31"

    status, out, err = run(capsys, "campaign", "show", "Spring sale", "-w", str(shop))
    assert status == 0 and not err
    assert f"Email  9999-12-31 23:59 Pacific/Kiritimati: {problem}" in out
    assert "Instagram  2027-03-02 12:00 America/New_York: whoever looks" in out  # the others still worked out
    shown = json.loads(run(capsys, "campaign", "show", "Spring sale", "--json", "-w", str(shop))[1])
    assert [s.get("problem") for s in shown["recipients"]] == [None, problem]

    status, out, err = run(capsys, "campaign", "check", "Spring sale", "--json", "-w", str(shop))
    assert status == 1 and not err
    errors = [(f["channel"], f["code"], f["message"]) for f in json.loads(out)["findings"] if f["severity"] == "error"]
    assert errors == [("email", "step_time_out_of_range",
                       f"the Email step of 9999-12-31 23:59 (Pacific/Kiritimati) is {problem}")]

    status, _, err = run(capsys, "campaign", "export", "Spring sale", "--out", str(tmp_path / "packs"),
                         "-w", str(shop))
    assert status == 1 and problem in err and one_line(err), err
    assert not (tmp_path / "packs").exists()
    status, _, err = run(capsys, "campaign", "schedule", "Spring sale", "-w", str(shop))
    assert status == 1 and problem in err and one_line(err), err

    # Importing the plan again, with a date it takes, puts it right.
    assert run(capsys, "campaign", "import", str(plan), "-w", str(shop))[0] == 0
    assert run(capsys, "campaign", "check", "Spring sale", "-w", str(shop))[0] == 0


def test_moving_a_step_past_the_last_date_is_refused(shop, capsys, tmp_path):
    from omnidesk.core.campaigns.calendar import move_step
    from omnidesk.core.campaigns.campaign import get_campaign
    from omnidesk.core.errors import UserError
    from omnidesk.core.workspace import Workspace

    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(PLAN), encoding="utf-8")
    assert run(capsys, "campaign", "import", str(plan), "-w", str(shop))[0] == 0
    with Workspace.open(shop) as ws:
        step = get_campaign(ws, "Spring sale").steps[0]
        for moment, zone in ((datetime(9999, 12, 31, 23, 0), "Pacific/Kiritimati"),
                             (datetime(9999, 12, 31, 23, 0), "America/New_York"),
                             (datetime(1, 1, 1, 1, 0), "Asia/Tokyo")):
            with pytest.raises(UserError, match="cannot move to .*which is (too late|too early|out of range)"):
                move_step(ws, step.id, moment, zone)
        assert get_campaign(ws, "Spring sale").steps[0].at_local == step.at_local


# -- 4. an id ---------------------------------------------------------------------------------

@pytest.mark.parametrize("command", [["review", "accept"], ["review", "reject"], ["review", "skip"],
                                     ["imports", "undo"], ["imports", "errors", "{id}", "out.csv"],
                                     ["unmerge"]])
@pytest.mark.parametrize("given", ["9223372036854775808", HUGE, "0", "-3", "seven"])
def test_an_id_no_row_can_have_is_refused_as_the_command_line_s_mistake(shop, capsys, tmp_path, command, given):
    argv = [str(given) if w == "{id}" else w for w in command] + ([] if "{id}" in command else [str(given)])
    argv = [str(tmp_path / w) if w == "out.csv" else w for w in argv]
    before = json.loads(run(capsys, "imports", "list", "--json", "-w", str(shop))[1])
    status, out, err = run(capsys, *argv, "-w", str(shop))
    assert status == 2 and f"'{given}' is not an id: give a whole number from 1 to 9223372036854775807" in err, err
    assert "Traceback" not in err and not out
    assert json.loads(run(capsys, "imports", "list", "--json", "-w", str(shop))[1]) == before
    assert not (tmp_path / "out.csv").exists()


def test_the_largest_id_is_looked_up_and_not_found(shop, capsys):
    for argv, words in ((["review", "accept"], "There is no pair 9223372036854775807"),
                        (["unmerge"], "There is no source record 9223372036854775807")):
        status, _, err = run(capsys, *argv, "9223372036854775807", "-w", str(shop))
        assert status == 1 and words in err and one_line(err), err


# -- 5. a report's days ------------------------------------------------------------------------

@pytest.mark.parametrize(("option", "day"), [("--from", "0001-01-01"), ("--from", "0999-12-31"),
                                             ("--to", "1899-12-31"), ("--to", "9999-12-31"),
                                             ("--from", "9999-01-01")])
def test_a_report_day_off_the_calendar_it_reads_is_refused_naming_the_range(shop, capsys, option, day):
    status, out, err = run(capsys, "report", option, day, "-w", str(shop))
    assert status == 2 and not out and one_line(err), err
    assert f"{option}: '{day}' is out of range; a report takes days from 1900-01-01 to 9998-12-31" in err


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Etc/GMT+12"])
def test_the_first_and_last_days_a_report_takes_work(shop, capsys, tmp_path, zone):
    assert run(capsys, "settings", "timezone", zone, "-w", str(shop))[0] == 0
    everything = json.loads(run(capsys, "report", "--json", "-w", str(shop))[1])
    status, out, err = run(capsys, "report", "--from", "1900-01-01", "--to", "9998-12-31", "--json",
                           "--pdf", tmp_path / "r.pdf", "-w", str(shop))
    assert status == 0 and not err, err
    assert json.loads(out)["new_customers"] == everything["new_customers"]
    for days in (["--to", "1900-01-01"], ["--from", "9998-12-31"]):
        status, out, err = run(capsys, "report", *days, "--json", "-w", str(shop))
        assert status == 0 and not err and json.loads(out)["new_customers"] == [], err


# -- 6. the demo's size -----------------------------------------------------------------------

@pytest.mark.parametrize("customers", ["100000000", "20001", "0", "-5", "many"])
@pytest.mark.parametrize("files", [False, True])
def test_a_demo_bigger_than_it_is_built_in_minutes_is_refused_before_anything_is_made(tmp_path, capsys,
                                                                                       customers, files):
    # 100 million people ran for 11 minutes and then died out of memory, saying nothing.
    where = ["--files", tmp_path / "files"] if files else ["-w", tmp_path / "demo.omnidesk"]
    status, out, err = run(capsys, "demo", "--customers", customers, *where)
    assert status == 2 and not out and "Traceback" not in err, err
    assert f"--customers: give a whole number of people from 1 to 20,000, not '{customers}'" in err
    assert list(tmp_path.iterdir()) == []


def test_the_demos_size_limit_is_said_in_its_help(capsys):
    status, out, _ = run(capsys, "demo", "--help")
    assert status == 0 and "from 1 to 20,000" in " ".join(out.split())
