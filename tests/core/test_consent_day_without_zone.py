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
