"""Erasing one holder of a shared mailbox keeps the mailbox's "stop" on the other holder, dated at the
erase so that no "yes" given before it lifts it; but the other holder did nothing that day.  Joe's
first and last seen moved to the moment of the erase: he came into "seen in the last 30 days"
segments and counted as a new customer.  Played through the command line at a set clock."""

from __future__ import annotations

import csv
import json

from tests.helpers import cli_at, exported_packs, write_csv

NY = "America/New_York"
PLAN = {"name": "N", "audience": "everyone", "mode": "each_channel",
        "message": {"headline": "Sale", "body": "Sale", "cta": "Shop", "link": "https://harbor.example/s"},
        "steps": [{"channel": "email", "at": "2027-03-01T12:00", "timezone": NY}]}
HEADER = ["First Name", "Email", "Email consent", "Email consent date"]

_cli = cli_at  # a command at a set clock, which must succeed


def _customers(capsys, ws, tmp_path, at: str) -> dict[str, dict[str, str]]:
    out = tmp_path / "customers.csv"
    _cli(capsys, ws, "export", "customers", out, "--columns", "id,first_name,email,consent_email,first_seen,last_seen",
         "--force", at=at)
    with out.open(encoding="utf-8-sig", newline="") as fh:
        return {r["first_name"]: r for r in csv.DictReader(fh)}


def _seen_lately(capsys, ws, at: str) -> int:
    rule = json.dumps({"all": [{"field": "last_seen", "op": "within_days", "value": 30}]})
    return json.loads(_cli(capsys, ws, "segment", "count", "--rule", rule, "--json", at=at))["customers"]


def _shop(tmp_path, capsys, joe_said: list[str]):
    """Joe, who holds joe+shop@gmail.com, and Jo, who said no from the same mailbox
    written j.o.e@gmail.com, imported on 10 January 2027; Bea holds a mailbox of her own."""
    ws = tmp_path / "shop.omnidesk"
    rows = [["Joe", "joe+shop@gmail.com", *joe_said], ["Jo", "j.o.e@gmail.com", "no", ""],
            ["Bea", "bea@example.com", "yes", ""]]
    _cli(capsys, ws, "import", write_csv(tmp_path / "contacts.csv", HEADER, rows), "--region", "US",
         at="2027-01-10 15:00:00Z")
    return ws


def _erase_jo(capsys, ws, tmp_path):
    before = _customers(capsys, ws, tmp_path, at="2027-01-20 15:00:00Z")
    assert before["Joe"]["consent_email"] not in ("granted", ""), before  # the mailbox said no
    _cli(capsys, ws, "person", "erase", before["Jo"]["id"], "--yes", at="2027-01-20 15:00:00Z")
    after = _customers(capsys, ws, tmp_path, at="2027-01-20 15:05:00Z")
    assert "Jo" not in after
    return before["Joe"], after["Joe"]


def test_the_mailbox_stop_kept_on_its_other_holder_is_no_visit_of_his(tmp_path, capsys, computer_in):
    computer_in(NY)  # the shop has no zone of its own yet: its days are the computer's
    ws = _shop(tmp_path, capsys, ["", ""])
    before, after = _erase_jo(capsys, ws, tmp_path)
    assert (after["first_seen"], after["last_seen"]) == (before["first_seen"], before["last_seen"]) == ("", "")
    assert after["consent_email"] not in ("granted", ""), after
    assert _seen_lately(capsys, ws, at="2027-01-21 15:00:00Z") == 0
    packs, _said = exported_packs(capsys, ws, tmp_path, PLAN)
    with packs["email"].open(encoding="utf-8-sig", newline="") as fh:
        assert [r["Email Address"] for r in csv.DictReader(fh)] == ["bea@example.com"]


def test_the_kept_stop_still_beats_the_yes_he_gave_before_it(tmp_path, capsys, computer_in):
    """Joe said yes on 1 November 2026; his days seen stay his own, and the mailbox stays stopped."""
    computer_in(NY)
    ws = _shop(tmp_path, capsys, ["yes", "2026-11-01"])
    before, after = _erase_jo(capsys, ws, tmp_path)
    assert before["first_seen"].startswith("2026-11-01"), before
    assert (after["first_seen"], after["last_seen"]) == (before["first_seen"], before["last_seen"])
    assert after["consent_email"] not in ("granted", ""), after
    assert _seen_lately(capsys, ws, at="2027-01-21 15:00:00Z") == 0
    packs, _said = exported_packs(capsys, ws, tmp_path, PLAN)
    with packs["email"].open(encoding="utf-8-sig", newline="") as fh:
        assert [r["Email Address"] for r in csv.DictReader(fh)] == ["bea@example.com"]
    # A "yes" he gives after the erase is his word since: it lifts the stop, as any later "yes" does.
    _cli(capsys, ws, "import", write_csv(tmp_path / "signups.csv", HEADER,
                                         [["Joe", "joe+shop@gmail.com", "yes", "2027-02-01"]]),
         "--region", "US", at="2027-02-02 15:00:00Z")
    assert _customers(capsys, ws, tmp_path, at="2027-02-02 15:05:00Z")["Joe"]["consent_email"] == "granted"
