"""With no ``timezone`` setting (the default), consent's "same day" is the computer's day, the one
every screen shows, and UTC's too where that is stricter: a "yes" two hours after an unsubscribe on
one New York evening does not win for being the next day in UTC.

Played through the command line in a workspace whose time zone is never set, on a computer in New
York and a set clock: two imports, then the customers export and the timeline export.
"""

from __future__ import annotations

import csv

import time_machine

from tests.helpers import machine_in_zone, run_cli, write_csv

new_york = machine_in_zone("America/New_York")

HEADER = ["Email", "First Name", "Email consent", "Consent date"]


def _consent_after(tmp_path, capsys, refusal_at: str, yes_at: str) -> tuple[str, list[str]]:
    """Ann's email consent after an unsubscribe at ``refusal_at`` and a dated "yes" at ``yes_at``
    (imported in that order), with the consent lines of her timeline export."""
    ws = ["-w", tmp_path / "shop.omnidesk"]
    unsub = write_csv(tmp_path / "unsub.csv", HEADER, [["ann@example.com", "Ann", "unsubscribed", refusal_at]])
    yes = write_csv(tmp_path / "yes.csv", HEADER, [["ann@example.com", "Ann", "yes", yes_at]])
    with time_machine.travel("2030-03-05T12:00:00-05:00", tick=False):
        for path in (unsub, yes):
            status, _out, err = run_cli(capsys, "import", path, "--channel", "email", *ws)
            assert status == 0, err
        assert run_cli(capsys, "settings", "timezone", *ws)[1].strip() == ""  # never set
        status, _out, err = run_cli(capsys, "export", "customers", tmp_path / "c.csv",
                                    "--columns", "email,consent_email", *ws)
        assert status == 0, err
        status, _out, err = run_cli(capsys, "export", "timeline", "ann@example.com", tmp_path / "t.csv", *ws)
        assert status == 0, err
    with open(tmp_path / "c.csv", newline="", encoding="utf-8") as f:
        (row,) = list(csv.DictReader(f))
    with open(tmp_path / "t.csv", newline="", encoding="utf-8") as f:
        lines = [r["occurred_at"] + " " + r["summary"] for r in csv.DictReader(f) if r["type"] == "consent"]
    return row["consent_email"], lines


def test_a_yes_the_same_evening_as_an_unsubscribe_does_not_lift_it(tmp_path, capsys):
    # 18:00 and 20:00 in New York: one day on the computer's clock, two in UTC (23:00, then 01:00).
    consent, timeline = _consent_after(tmp_path, capsys, "2030-03-01T18:00:00-05:00", "2030-03-01T20:00:00-05:00")
    assert consent == "unsubscribed"
    assert timeline == ["2030-03-01T18:00:00-05:00 Email consent: unsubscribed",
                        "2030-03-01T20:00:00-05:00 Email consent: granted "
                        "(not in force: on the same day the stricter answer wins)"]


def test_a_yes_on_the_same_day_in_utc_does_not_lift_it_either(tmp_path, capsys):
    # 20:00 on the 1st and 10:00 on the 2nd in New York are both the 2nd in UTC (01:00, 15:00):
    # a card worked out here must not say yes on a computer in London.
    consent, _timeline = _consent_after(tmp_path, capsys, "2030-03-01T20:00:00-05:00", "2030-03-02T10:00:00-05:00")
    assert consent == "unsubscribed"


def test_a_yes_on_a_later_day_on_both_clocks_lifts_it(tmp_path, capsys):
    consent, timeline = _consent_after(tmp_path, capsys, "2030-03-01T10:00:00-05:00", "2030-03-02T12:00:00-05:00")
    assert consent == "granted"
    assert timeline == ["2030-03-01T10:00:00-05:00 Email consent: unsubscribed",
                        "2030-03-02T12:00:00-05:00 Email consent: granted"]


PLAN = {"name": "Spring", "audience": "everyone", "mode": "each_channel",
        "message": {"headline": "Spring sale", "body": "Hello {first_name|there}, 10% off.", "cta": "Shop",
                    "link": "https://harbor.example/s"},
        "steps": [{"channel": "email", "at": "2027-05-01T09:00", "timezone": "America/New_York"}]}


def _no_without_offset_then_yes(tmp_path, capsys, no_at: str, yes_at: str) -> tuple[str, list[str]]:
    """Ann's email consent after a dated "yes" at ``yes_at`` and a till's "no" at ``no_at`` (a time
    without an offset), and the addresses the campaign's email pack holds."""
    import json

    ws = ["-w", tmp_path / "shop.omnidesk"]
    yes = write_csv(tmp_path / "online_signups.csv", HEADER, [["ann@example.com", "Ann", "yes", yes_at]])
    no = write_csv(tmp_path / "till_export.csv", HEADER, [["ann@example.com", "Ann", "no", no_at]])
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(PLAN), encoding="utf-8")
    with time_machine.travel("2027-04-10 15:00:00Z", tick=False):
        for path in (yes, no):
            status, _out, err = run_cli(capsys, "import", path, *ws)
            assert status == 0, err
        for args in (("brand", "set", "name", "Harbor"), ("brand", "set", "address", "12 Quay St, Portland, OR"),
                     ("campaign", "import", plan), ("campaign", "export", "Spring", "--out", tmp_path / "packs"),
                     ("export", "customers", tmp_path / "c.csv", "--columns", "email,consent_email")):
            status, _out, err = run_cli(capsys, *args, *ws)
            assert status == 0, (args, err)
        assert run_cli(capsys, "settings", "timezone", *ws)[1].strip() == ""  # never set
    with open(tmp_path / "c.csv", newline="", encoding="utf-8") as f:
        (row,) = list(csv.DictReader(f))
    sent = []
    for pack in (tmp_path / "packs").glob("*email*.csv"):
        with pack.open(newline="", encoding="utf-8-sig") as f:
            sent += [r["Email Address"] for r in csv.DictReader(f)]
    return row["consent_email"], sent


def test_a_late_evening_no_without_an_offset_is_the_next_days_too(tmp_path, capsys):
    # 22:00 on 1 April on the computer's clock (New York) is 02:00 UTC on the 2nd: the "no" counts
    # on the 2nd as well, the day of the "yes" at 01:00 New York time, and the stricter answer wins.
    consent, sent = _no_without_offset_then_yes(tmp_path, capsys, "2027-04-01 22:00", "2027-04-02T01:00:00-04:00")
    assert consent == "denied"
    assert sent == []


def test_so_on_the_day_the_clocks_go_forward(tmp_path, capsys):
    consent, sent = _no_without_offset_then_yes(tmp_path, capsys, "2027-03-14 23:30", "2027-03-15T01:00:00-04:00")
    assert consent == "denied"
    assert sent == []


def test_a_yes_a_day_after_on_every_clock_still_lifts_such_a_no(tmp_path, capsys):
    consent, sent = _no_without_offset_then_yes(tmp_path, capsys, "2027-04-01 10:00", "2027-04-02T12:00:00-04:00")
    assert consent == "granted"
    assert sent == ["ann@example.com"]


def test_a_workspace_an_older_version_decided_is_decided_again_when_opened(tmp_path, capsys):
    # Built before the rule counted such a "no" on its UTC day: Ann's card said yes.  Opening the
    # workspace works her card out again, once, and says so; her consent is then a "no".
    import sqlite3

    from omnidesk.core.importing.backfill import CONSENT_READERS_SETTING

    _no_without_offset_then_yes(tmp_path, capsys, "2027-04-01 22:00", "2027-04-02T01:00:00-04:00")
    with sqlite3.connect(tmp_path / "shop.omnidesk") as db:
        assert db.execute("UPDATE customer SET consent_email = 'granted'").rowcount == 1
        db.execute("UPDATE setting SET value = '1' WHERE key = ?", (CONSENT_READERS_SETTING,))
    ws = ["-w", tmp_path / "shop.omnidesk"]
    with time_machine.travel("2027-04-11 15:00:00Z", tick=False):
        status, _out, err = run_cli(capsys, "export", "customers", tmp_path / "c2.csv", "--columns",
                                    "email,consent_email", *ws)
        assert status == 0, err
    assert "1 customer now opted out" in err
    with open(tmp_path / "c2.csv", newline="", encoding="utf-8") as f:
        assert [r["consent_email"] for r in csv.DictReader(f)] == ["denied"]
