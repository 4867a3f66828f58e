"""`omnidesk campaign import/list/show/check`: a plan file in, who each step reaches out."""

from __future__ import annotations

import json
from pathlib import Path

import time_machine

from omnidesk.cli import main
from tests.helpers import cli_shop_fixtures, run_cli, write_csv

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


# The people imported (and the brand set) through the command line once for the module; tests get copies.
shop_template, shop = cli_shop_fixtures(PEOPLE, ["brand", "set", "address", "12 Quay St, Portland"],
                                        ["brand", "set", "name", "Harbor"])


def run(capsys, *argv):
    return run_cli(capsys, *argv)


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


def test_a_plan_or_message_file_nested_too_deep_is_refused_in_one_line(shop, capsys, tmp_path):
    # Python's JSON reader gives up near a thousand levels with a RecursionError.
    leaf = '{"field": "email", "op": "exists"}'
    plan = tmp_path / "plan.json"
    for levels, words in ((2000, "plan.json is not a plan file: it is nested too deep to read"),
                          (100, "groups nest more than 20 deep")):
        audience = '{"not": ' * levels + leaf + "}" * levels
        plan.write_text(json.dumps(PLAN).replace('"audience": "everyone"', f'"audience": {audience}'),
                        encoding="utf-8")
        status, _, err = run(capsys, "campaign", "import", str(plan), "-w", str(shop))
        assert status == 1 and words in err and len(err.strip().splitlines()) == 1, err
    message = tmp_path / "message.json"
    message.write_text('{"name": "Deep", "headline": ' + "[" * 3000 + "]" * 3000 + "}", encoding="utf-8")
    status, _, err = run(capsys, "message", "import", str(message), "-w", str(shop))
    assert status == 1 and "message.json is not a JSON file: it is nested too deep to read" in err, err
    assert len(err.strip().splitlines()) == 1
    message.write_text('{"name": "Big", "message": {"headline": "Hi", "offer_value": ' + "9" * 5000 + "}}",
                       encoding="utf-8")
    status, _, err = run(capsys, "message", "import", str(message), "-w", str(shop))
    assert status == 1 and "message.json is not a JSON file: a number in it has too many digits" in err, err
    assert len(err.strip().splitlines()) == 1
    assert json.loads(run(capsys, "campaign", "list", "--json", "-w", str(shop))[1]) == []
    assert json.loads(run(capsys, "message", "list", "--json", "-w", str(shop))[1]) == []


def test_report_json_and_text(shop, capsys):
    status, out, _ = run(capsys, "report", "--json", "-w", str(shop))
    data = json.loads(out)
    assert status == 0 and data["reach"] == {"shop": 3}
    assert sum(o["customers"] for o in data["overlap"]) == 3
    assert set(data["health"]) >= {"flagged_rows", "unreachable_customers", "pairs_to_review"}
    lines = run(capsys, "report", "-w", str(shop))[1].splitlines()
    # The period's totals first, then reach and overlap, which count every customer.
    events = sum(r["events"] for r in data["activity"])
    revenue = sum(r["revenue"] for r in data["activity"])
    # All time counts every customer new, those with no first-seen date too (in no week).
    undated = data["new_customers_undated"]
    new = sum(r["customers"] for r in data["new_customers"]) + undated
    assert new == 3 and undated == 3
    assert lines[0] == (f"Period: all time to today — {new:,} new customers ({undated} with no first-seen date), "
                        f"{events:,} events, revenue {revenue:,.2f} USD")
    assert lines[1] == "Reach (every customer, whatever the period):"
    weekly = lines.index("Activity per week (the last 8 of the period):")
    if data["activity"] or data["new_customers"]:
        assert lines[weekly + 1].startswith("  20") and " events " in lines[weekly + 1]
    else:
        assert lines[weekly + 1] == "  nothing in the period"
    pdf = shop.parent / "report.pdf"
    assert run(capsys, "report", "--pdf", str(pdf), "-w", str(shop))[0] == 0 and pdf.stat().st_size > 1000
    status, _, err = run(capsys, "report", "--pdf", str(shop), "--force", "-w", str(shop))
    assert status != 0  # never over the workspace
    status, _, err = run(capsys, "report", "--from", "2026-13-01", "-w", str(shop))
    assert status != 0 and "--from" in err


EXPORT_PLAN = {"name": "Spring sale",
               "message": {"headline": "Spring sale", "offer_code": "SPRING", "offer_value": "15% off",
                           "cta": "Shop now", "link": "https://hc.example/spring"},
               "variants": {"sms": {"text": "Harbor: hi {first_name|there}, SPRING for 15% off. Shop now "
                                            "https://hc.example/spring?utm_source=sms&utm_medium=sms&utm_campaign=spring"
                                            " Reply STOP"},
                            "email": {"subject": "{first_name|Hello}, spring is here",
                                      "preheader": "15% off with SPRING",
                                      "body": "Hi {first_name|there},\n\n15% off with SPRING. Shop now: "
                                              "https://hc.example/spring?utm_source=newsletter&utm_medium=email"
                                              "&utm_campaign=spring\n\nYour {last_product|candles} misses you."}},
               "audience": "everyone",
               "steps": [{"channel": "email", "at": "2027-03-01T09:00", "timezone": "America/New_York"},
                         {"channel": "sms", "at": "2027-03-01T22:30", "timezone": "America/New_York"},
                         {"channel": "instagram", "at": "2027-03-01T12:00", "timezone": "America/New_York"},
                         {"channel": "store", "at": "2027-03-01T08:00", "timezone": "America/New_York"}],
               "mode": "each_channel"}


@time_machine.travel("2027-02-01 10:00:00Z", tick=False)
def test_export_writes_a_pack_per_step_that_its_tool_reads_and_records_who_was_included(shop, capsys, tmp_path):
    import csv
    import icalendar
    import pypdfium2

    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(EXPORT_PLAN), encoding="utf-8")
    assert run(capsys, "campaign", "import", str(plan), "-w", str(shop))[0] == 0
    out = tmp_path / "packs"
    out.mkdir()
    status, text, err = run(capsys, "campaign", "export", "Spring sale", "--out", str(out), "--json", "-w", str(shop))
    assert status == 0, err
    summary = json.loads(text)
    steps = {s["channel"]: s for s in summary["steps"]}
    assert steps["email"]["file"] == "spring-sale_email_2027-03-01_0900.csv" and steps["email"]["eligible"] == 2  # not Bob
    assert steps["sms"]["eligible"] == 2 and steps["instagram"]["eligible"] is None
    with (out / "spring-sale_email_2027-03-01_0900.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["Email Address"] for r in rows] == ["ann@example.com", "cy@example.com"]
    assert rows[0]["LAST_PRODU"] == ""  # the token's column: she has bought nothing yet
    html = (out / "spring-sale_email_2027-03-01_0900.html").read_text(encoding="utf-8")
    assert "*|IF:FNAME|**|FNAME|**|ELSE:|*there*|END:IF|*" in html and "12 Quay St" in html
    with (out / "spring-sale_sms_2027-03-01_2230.csv").open(encoding="utf-8", newline="") as f:
        sms = {r["Phone"]: r for r in csv.DictReader(f)}
    ann, bob = sms["+12125550101"], sms["+12135550102"]
    assert ann["Message"].startswith("Harbor: hi Ann, SPRING") and ann["Note"] == "moved out of quiet hours"
    assert ann["Send at (UTC)"] == "2027-03-02T13:00:00Z" and ann["Time zone"] == "America/New_York"
    assert bob["Send at (UTC)"] == "2027-03-02T03:30:00Z" and bob["Time zone"] == "America/Los_Angeles"
    assert bob["Send at (local)"].startswith("2027-03-01T19:30:00-08:00")
    with (out / "spring-sale_instagram_2027-03-01_1200.csv").open(encoding="utf-8", newline="") as f:
        (post,) = list(csv.DictReader(f))
    assert post["Posting Time"] == "2027-03-01 12:00"
    pdf = pypdfium2.PdfDocument(str(out / "spring-sale_store_2027-03-01_0800.pdf"))
    assert "SPRING" in pdf[0].get_textpage().get_text_range()
    cal = icalendar.Calendar.from_ical((out / "spring-sale.ics").read_bytes())
    assert len([c for c in cal.walk("VEVENT")]) == 4 and [c for c in cal.walk("VTIMEZONE")]
    # Exported: the steps are marked, caps count them, the timeline says so.
    shown = json.loads(run(capsys, "campaign", "list", "--json", "-w", str(shop))[1])
    assert shown[0]["status"] == "exported"
    from omnidesk.core.timeline import timeline
    from omnidesk.core.workspace import Workspace

    with Workspace.open(shop) as ws:
        lines = [e.summary for e in timeline(ws, 1)]
    assert "Spring sale — SMS pack exported" in lines and "Spring sale — Email pack exported" in lines
    # Again without --force: refused before any file is touched.
    status, _, err = run(capsys, "campaign", "export", "Spring sale", "--out", str(out), "-w", str(shop))
    assert status != 0 and "already exists" in err
    assert run(capsys, "campaign", "export", "Spring sale", "--out", str(out), "--force", "-w", str(shop))[0] == 0


@time_machine.travel("2027-02-01 10:00:00Z", tick=False)
def test_schedule_waits_for_a_clean_check_and_the_image_reaches_the_packs(shop, capsys, tmp_path):
    import csv

    plan = tmp_path / "plan.json"
    bad = dict(EXPORT_PLAN, variants={"sms": {"text": "Hi {frist_name}"}})
    plan.write_text(json.dumps(bad), encoding="utf-8")
    assert run(capsys, "campaign", "import", str(plan), "-w", str(shop))[0] == 0
    status, _, err = run(capsys, "campaign", "schedule", "Spring sale", "-w", str(shop))
    assert status != 0 and "to fix before it is scheduled" in err
    good = dict(EXPORT_PLAN, message=dict(EXPORT_PLAN["message"], image="https://hc.example/spring.jpg"))
    plan.write_text(json.dumps(good), encoding="utf-8")
    assert run(capsys, "campaign", "import", str(plan), "-w", str(shop))[0] == 0
    assert run(capsys, "campaign", "schedule", "Spring sale", "-w", str(shop))[1].strip() == "Scheduled Spring sale"
    out = tmp_path / "packs"
    out.mkdir()
    assert run(capsys, "campaign", "export", "Spring sale", "--out", str(out), "-w", str(shop))[0] == 0
    with (out / "spring-sale_instagram_2027-03-01_1200.csv").open(encoding="utf-8", newline="") as f:
        assert next(csv.DictReader(f))["Image URL"] == "https://hc.example/spring.jpg"
    sent = (out / "spring-sale_email_2027-03-01_0900.html").read_text(encoding="utf-8")
    # The headline stands in for the picture where a client blocks pictures, and in a screen reader.
    assert 'src="https://hc.example/spring.jpg" alt="Spring sale"' in sent
    # The preview of the email is what the pack sends, picture and all.
    preview = tmp_path / "preview.html"
    assert run(capsys, "message", "render", "Spring sale", "--channel", "email", "--out", str(preview),
               "-w", str(shop))[0] == 0
    assert 'src="https://hc.example/spring.jpg" alt="Spring sale"' in preview.read_text(encoding="utf-8")
    # Exported, it does not go back to "scheduled": its packs are out of the app.
    status, _, err = run(capsys, "campaign", "schedule", "Spring sale", "-w", str(shop))
    assert status == 1 and "is exported already; it cannot go back to scheduled" in err
    assert "(exported" in run(capsys, "campaign", "show", "Spring sale", "-w", str(shop))[1]
    plan.write_text(json.dumps(dict(EXPORT_PLAN, message=dict(EXPORT_PLAN["message"], image="spring.jpg"))),
                    encoding="utf-8")
    status, _, err = run(capsys, "campaign", "import", str(plan), "-w", str(shop))
    assert status != 0 and "message.image" in err


@time_machine.travel("2027-02-01 10:00:00Z", tick=False)
def test_a_gateways_opt_out_list_withdraws_sms_consent_before_the_next_pack(shop, capsys, tmp_path):
    optouts = write_csv(tmp_path / "optouts.csv", ["Phone Number", "Keyword", "Date"],
                        [["+12125550101", "STOP", "2027-01-20 14:02"], ["+12135550102", "Unsubscribe",
                                                                        "2027-01-21 09:00"]])
    status, out, err = run(capsys, "import", str(optouts), "-w", str(shop))
    assert status == 0, err
    import sqlite3

    with sqlite3.connect(shop) as conn:
        assert conn.execute("SELECT count(*) FROM customer WHERE consent_sms = 'unsubscribed'").fetchone()[0] == 2
        assert conn.execute("SELECT count(*) FROM customer").fetchone()[0] == 3  # joined Ann and Bob, no one new
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(PLAN), encoding="utf-8")
    assert run(capsys, "campaign", "import", str(plan), "-w", str(shop))[0] == 0
    shown = json.loads(run(capsys, "campaign", "show", "Spring sale", "--json", "-w", str(shop))[1])
    sms = next(s for s in shown["recipients"] if s["channel"] == "sms")
    assert sms["eligible"] == 0 and sms["excluded"]["opted out"] == 2


@time_machine.travel("2027-02-01 10:00:00Z", tick=False)
def test_two_custom_fields_that_begin_alike_get_a_merge_tag_each(capsys, tmp_path):
    """Mailchimp's merge tags hold ten characters: "Loyalty points" and "Loyalty points expiry"
    both made LOYALTY_PO, and the export stopped with a traceback."""
    import csv

    path = tmp_path / "shop.omnidesk"
    people = write_csv(tmp_path / "people.csv", ["Email", "First Name", "Accepts Email Marketing", "Loyalty points",
                                                 "Loyalty points expiry"],
                       [["ann@example.com", "Ann", "yes", "120", "2027-05-01"]])
    assert main(["import", str(people), "--channel", "shop", "-w", str(path)]) == 0
    assert main(["brand", "set", "address", "12 Quay St, Portland", "-w", str(path)]) == 0
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({
        "name": "Points", "message": {"headline": "Points", "link": "https://hc.example/p"},
        "variants": {"email": {"subject": "{custom.Loyalty points} points for you",
                               "preheader": "Use them before {custom.loyalty points expiry|summer}",
                               "body": "Hi {first_name|there}, https://hc.example/p?utm_source=newsletter"
                                       "&utm_medium=email&utm_campaign=points"}},
        "steps": [{"channel": "email", "at": "2027-03-01T09:00", "timezone": "America/New_York"}]}),
        encoding="utf-8")
    assert run(capsys, "campaign", "import", str(plan), "-w", str(path))[0] == 0
    out = tmp_path / "packs"
    status, said, err = run(capsys, "campaign", "export", "Points", "--out", str(out), "-w", str(path))
    assert status == 0, err
    assert "Email 2027-03-01 09:00 America/New_York: points_email_2027-03-01_0900.csv (1 recipient)" in said  # not "1 recipients"
    with (out / "points_email_2027-03-01_0900.csv").open(encoding="utf-8", newline="") as f:
        (row,) = list(csv.DictReader(f))
    assert (row["LOYALTY_PO"], row["LOYALTY_P2"]) == ("120", "2027-05-01")
    html = (out / "points_email_2027-03-01_0900.html").read_text(encoding="utf-8")
    assert "*|LOYALTY_PO|* points for you" in html and "*|IF:LOYALTY_P2|**|LOYALTY_P2|*" in html


@time_machine.travel("2027-02-01 10:00:00Z", tick=False)
def test_the_check_names_a_step_time_the_clocks_skip_or_repeat(shop, capsys, tmp_path):
    """02:30 on 14 March 2027 does not exist in New York: the step went out at 03:30 while its pack
    and the plan said 02:30, and nothing said so."""
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(dict(PLAN, steps=[
        {"channel": "email", "at": "2027-03-14T02:30", "timezone": "America/New_York"},
        {"channel": "instagram", "at": "2027-11-07T01:30", "timezone": "America/New_York"},
        {"channel": "email", "at": "2027-03-28T01:30", "timezone": "America/New_York"}])), encoding="utf-8")
    assert run(capsys, "campaign", "import", str(plan), "-w", str(shop))[0] == 0
    report = json.loads(run(capsys, "campaign", "check", "Spring sale", "--json", "-w", str(shop))[1])
    clocks = [(f["code"], f["message"]) for f in report["findings"] if f["code"].startswith("step_time")]
    assert clocks == [
        ("step_time_skipped", "02:30 does not exist on 14 Mar 2027 in America/New_York (the clocks go forward): "
                              "the Email step goes out at 03:30"),
        ("step_time_twice", "01:30 happens twice on 7 Nov 2027 in America/New_York (the clocks go back): "
                            "the Instagram step goes out the first time, 01:30 EDT")]


@time_machine.travel("2027-02-01 10:00:00Z", tick=False)
def test_the_check_warns_of_a_post_time_hootsuite_refuses(shop, capsys, tmp_path):
    """Hootsuite's bulk upload takes minutes ending in 0 or 5; a post at 12:07 went into its pack
    unannounced, for the upload to refuse."""
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(dict(PLAN, steps=[
        {"channel": "instagram", "at": "2027-03-01T12:07", "timezone": "America/New_York"},
        {"channel": "facebook", "at": "2027-03-01T12:10", "timezone": "America/New_York"}])), encoding="utf-8")
    assert run(capsys, "campaign", "import", str(plan), "-w", str(shop))[0] == 0
    report = json.loads(run(capsys, "campaign", "check", "Spring sale", "--json", "-w", str(shop))[1])
    assert [(f["channel"], f["severity"], f["message"]) for f in report["findings"] if f["code"] == "scheduler_time"] \
        == [("instagram", "warning", "Hootsuite bulk composer takes only times on a 5-minute mark; "
                                     "instagram at 2027-03-01 12:07 is not on one")]


@time_machine.travel("2027-02-01 10:00:00Z", tick=False)
def test_show_after_export_tells_what_the_pack_was_made_for_beside_todays_guards(shop, capsys, tmp_path):
    # Ann says no to email after the pack was made: the pack went to two, today's guards find one.
    (tmp_path / "plan.json").write_text(json.dumps(PLAN), encoding="utf-8")
    assert run(capsys, "campaign", "import", str(tmp_path / "plan.json"), "-w", str(shop))[0] == 0
    status, _, err = run(capsys, "campaign", "export", "Spring sale", "--out", str(tmp_path / "packs"),
                         "-w", str(shop))
    assert status == 0, err
    assert run(capsys, "settings", "timezone", "America/New_York", "-w", str(shop))[0] == 0
    assert run(capsys, "consent", "set", "1", "email", "denied", "-w", str(shop))[0] == 0
    shown = json.loads(run(capsys, "campaign", "show", "Spring sale", "--json", "-w", str(shop))[1])
    email = next(s for s in shown["recipients"] if s["channel"] == "email")
    assert email["exported"]["recipients"] == 2 and email["eligible"] == 1
    status, text, _ = run(capsys, "campaign", "show", "Spring sale", "-w", str(shop))
    line = next(x for x in text.splitlines() if x.startswith("Email"))
    assert "exported 2027-02-01 05:00 for 2 recipients; today's guards: 1 eligible" in line


@time_machine.travel("2027-02-01 10:00:00Z", tick=False)
def test_a_pack_that_may_not_be_replaced_is_named_and_the_earlier_export_stays(shop, capsys, tmp_path,
                                                                               monkeypatch):
    import errno
    import os

    (tmp_path / "plan.json").write_text(json.dumps(PLAN), encoding="utf-8")
    assert run(capsys, "campaign", "import", str(tmp_path / "plan.json"), "-w", str(shop))[0] == 0
    out = tmp_path / "packs"
    assert run(capsys, "campaign", "export", "Spring sale", "--out", str(out), "-w", str(shop))[0] == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real_replace = os.replace

    def refusing(src, dst, *args, **kwargs):  # as a file of another user in a shared folder is refused
        if Path(src) == out / "spring-sale.ics":
            raise PermissionError(errno.EPERM, "Operation not permitted", os.fspath(src), None, os.fspath(dst))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", refusing)
    status, _, err = run(capsys, "campaign", "export", "Spring sale", "--out", str(out), "--force", "-w", str(shop))
    assert status == 1 and len(err.strip().splitlines()) == 1
    assert err.startswith(f"omnidesk: error: cannot write spring-sale.ics: the file spring-sale.ics already in {out} "
                          "may not be replaced"), err
    assert ".omnidesk-packs" not in err and ".replaced" not in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # the earlier export, whole


@time_machine.travel("2027-02-01 10:00:00Z", tick=False)
def test_packs_into_a_read_only_folder_name_the_folder(shop, capsys, tmp_path, monkeypatch):
    import errno
    import os

    (tmp_path / "plan.json").write_text(json.dumps(PLAN), encoding="utf-8")
    assert run(capsys, "campaign", "import", str(tmp_path / "plan.json"), "-w", str(shop))[0] == 0
    out = tmp_path / "packs"
    out.mkdir()
    real_mkdir = os.mkdir

    def refusing(path, *args, **kwargs):  # as for a user who may not write in the folder
        if Path(path).parent == out:
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", refusing)
    status, _, err = run(capsys, "campaign", "export", "Spring sale", "--out", str(out), "-w", str(shop))
    assert (status, err.strip()) == (1, f"omnidesk: error: Cannot write the packs: the folder {out} is read-only.")
    assert list(out.iterdir()) == []


@time_machine.travel("2027-02-01 10:00:00Z", tick=False)
def test_a_persons_data_export_lists_the_campaign_steps_that_included_them(shop, capsys, tmp_path):
    """What an export recorded about a person (sent them the email step, or not Bob, who said no)
    is theirs: their data export lists it, and someone it never included has none."""
    import csv
    import io
    import zipfile

    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({**EXPORT_PLAN, "steps": [s for s in EXPORT_PLAN["steps"] if s["channel"] == "email"]}),
                    encoding="utf-8")
    assert run(capsys, "campaign", "import", str(plan), "-w", str(shop))[0] == 0
    (tmp_path / "packs").mkdir()
    assert run(capsys, "campaign", "export", "Spring sale", "--out", str(tmp_path / "packs"), "-w", str(shop))[0] == 0

    def sends(email):
        out = tmp_path / f"{email}.zip"
        assert run(capsys, "person", "export", email, str(out), "-w", str(shop))[0] == 0
        with zipfile.ZipFile(out) as z:
            table = z.read("sends.csv").decode("utf-8")
            return json.loads(z.read("person.json"))["sends"], list(csv.DictReader(io.StringIO(table)))

    data, table = sends("ann@example.com")
    assert [(s["campaign"], s["channel"], s["included"]) for s in data] == [("Spring sale", "email", True)]
    assert data[0]["send_utc"].startswith("2027-03-01")
    assert [(r["campaign"], r["channel"], r["included"]) for r in table] == [("Spring sale", "email", "True")]
    assert sends("bob@example.com") == ([], [])


def _pack_html(shop, capsys, tmp_path, store_link: str) -> str:
    """The email pack's HTML of the export plan with a body linking to ``store_link`` as well."""
    plan = dict(EXPORT_PLAN, variants=dict(EXPORT_PLAN["variants"], email=dict(
        EXPORT_PLAN["variants"]["email"],
        body="Hi {first_name|there},\n\n15% off with SPRING. Shop now: https://hc.example/spring?utm_source=newsletter"
             f"&utm_medium=email&utm_campaign=spring\n\nOr in your store: {store_link}"
             "?utm_source=newsletter&utm_medium=email&utm_campaign=spring")))
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    assert run(capsys, "campaign", "import", str(path), "-w", str(shop))[0] == 0
    out = tmp_path / "packs"
    status, _, err = run(capsys, "campaign", "export", "Spring sale", "--out", str(out), "-w", str(shop))
    assert status == 0, err
    return (out / "spring-sale_email_2027-03-01_0900.html").read_text(encoding="utf-8")


@time_machine.travel("2027-02-01 10:00:00Z", tick=False)
def test_a_token_without_a_fallback_inside_the_emails_link_is_exported(shop, capsys, tmp_path):
    """"…/stores/{city}" with no fallback: the export crashed with a traceback and wrote no pack."""
    html = _pack_html(shop, capsys, tmp_path, "https://hc.example/stores/{city}")
    assert 'href="https://hc.example/stores/*|URL:CITY|*?utm_source' in html


@time_machine.travel("2027-02-01 10:00:00Z", tick=False)
def test_a_token_inside_the_emails_link_goes_to_mailchimp_url_encoded(shop, capsys, tmp_path):
    # "…/stores/{city|café}": Mailchimp writes a city such as "New York" into the address
    # as it is unless the tag asks for URL: encoding, and the link would end at "New".
    import csv

    html = _pack_html(shop, capsys, tmp_path, "https://hc.example/stores/{city|café}")
    out = tmp_path / "packs"
    assert 'href="https://hc.example/stores/*|IF:CITY|**|URL:CITY|**|ELSE:|*caf%C3%A9*|END:IF|*?utm_source' in html
    # Outside a link, as it is, set apart in <bdi>: a name written right to left that Mailchimp puts
    # there does not turn "Hi" and the comma around it.
    assert "Hi <bdi>*|IF:FNAME|**|FNAME|**|ELSE:|*there*|END:IF|*</bdi>," in html
    # Within the link it is part of the address, not set apart.
    assert "<bdi>*|IF:CITY" not in html
    with (out / "spring-sale_email_2027-03-01_0900.csv").open(encoding="utf-8", newline="") as f:
        assert "CITY" in next(csv.DictReader(f))  # the column Mailchimp fills the tag from


@time_machine.travel("2027-02-01 10:00:00Z", tick=False)
def test_a_message_file_given_as_a_plan_is_refused_and_the_campaign_kept(shop, capsys, tmp_path):
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(dict(PLAN, holdout_percent=10)), encoding="utf-8")
    assert run(capsys, "campaign", "import", str(plan), "-w", str(shop))[0] == 0
    before = run(capsys, "campaign", "show", "Spring sale", "--json", "-w", str(shop))[1]
    kept = tmp_path / "kept.json"
    assert run(capsys, "message", "export-json", "Spring sale", str(kept), "-w", str(shop))[0] == 0
    spring = tmp_path / "spring.json"  # the message example of the README
    spring.write_text(json.dumps({"name": "Spring sale", "message": {
        "headline": "Spring sale", "body": "Hi {first_name|there}, 20% off all spring stock.",
        "offer_code": "SPRING20", "offer_value": "20% off", "link": "https://example.com/spring"}}), encoding="utf-8")
    status, out, err = run(capsys, "campaign", "import", str(spring), "-w", str(shop))
    assert status != 0 and out == "" and "This is a message file, not a plan" in err
    assert "omnidesk message import" in err and len(err.strip().splitlines()) == 1
    no_steps = tmp_path / "nosteps.json"
    no_steps.write_text(json.dumps({k: v for k, v in PLAN.items() if k != "steps"}), encoding="utf-8")
    status, out, err = run(capsys, "campaign", "import", str(no_steps), "-w", str(shop))
    assert status != 0 and out == "" and "steps: a plan lists its steps" in err
    assert run(capsys, "campaign", "show", "Spring sale", "--json", "-w", str(shop))[1] == before
    again = tmp_path / "again.json"
    assert run(capsys, "message", "export-json", "Spring sale", str(again), "-w", str(shop))[0] == 0
    assert again.read_text(encoding="utf-8") == kept.read_text(encoding="utf-8")


@time_machine.travel("2027-02-01 10:00:00Z", tick=False)
def test_a_campaign_with_no_steps_is_not_scheduled(shop, capsys, tmp_path):
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(dict(PLAN, steps=[])), encoding="utf-8")
    assert run(capsys, "campaign", "import", str(plan), "-w", str(shop))[:2] == (0, "Saved campaign Spring sale: "
                                                                                    "no steps\n")
    status, out, _ = run(capsys, "campaign", "check", "Spring sale", "--json", "-w", str(shop))
    assert status == 1 and "no_steps" in {f["code"] for f in json.loads(out)["findings"]}
    status, out, err = run(capsys, "campaign", "schedule", "Spring sale", "-w", str(shop))
    assert status != 0 and out == "" and "the campaign has no steps" in err
    listed = json.loads(run(capsys, "campaign", "list", "--json", "-w", str(shop))[1])
    assert [(c["status"], c["steps"]) for c in listed] == [("draft", [])]
