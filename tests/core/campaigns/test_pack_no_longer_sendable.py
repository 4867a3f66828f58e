"""A pack exported and still to go holds only people the guards would still send to: the check names
each row the guards now refuse for consent (not confirmed, consent unknown where it may not pass,
an address someone opted out from), by the address the row holds, and exporting again takes them out.

Played through the command line in a workspace with the shop's zone set, at set clocks."""

from __future__ import annotations

import csv
import json

import time_machine

from tests.helpers import run_cli, write_csv

NY = "America/New_York"
PLAN = {"name": "S", "audience": "everyone", "mode": "each_channel",
        "message": {"headline": "Spring sale", "body": "Hello {first_name|there}, 10% off.", "cta": "Shop",
                    "link": "https://harbor.example/s"},
        "steps": [{"channel": "email", "at": "2027-03-01T09:00", "timezone": NY}]}


def _cli(capsys, ws, *argv, ok=True):
    status, out, err = run_cli(capsys, *argv, "-w", ws)
    if ok:
        assert status == 0, (argv, err)
    return status, out, err


def _start(capsys, tmp_path, *files):
    ws = tmp_path / "shop.omnidesk"
    with time_machine.travel("2027-01-10 15:00:00Z", tick=False):
        for name, header, rows in files:
            _cli(capsys, ws, "import", write_csv(tmp_path / name, header, rows))
        _cli(capsys, ws, "settings", "timezone", NY)
        _cli(capsys, ws, "brand", "set", "name", "Harbor")
        _cli(capsys, ws, "brand", "set", "address", "12 Quay St, Portland, OR 97201")
    (tmp_path / "plan.json").write_text(json.dumps(PLAN), encoding="utf-8")
    return ws


def _export(capsys, ws, tmp_path, *extra) -> list[str]:
    out = tmp_path / "packs"
    _cli(capsys, ws, "campaign", "export", "S", "--out", out, *extra)
    (pack,) = out.glob("*email*.csv")
    with pack.open(encoding="utf-8-sig", newline="") as fh:
        return [r["Email Address"] for r in csv.DictReader(fh)]


def _errors(capsys, ws) -> dict[str, str]:
    status, out, _err = _cli(capsys, ws, "campaign", "check", "S", "--json", ok=False)
    found = {f["code"]: f["message"] for f in json.loads(out)["findings"] if f["severity"] == "error"}
    assert status == (1 if found else 0)
    return found


def test_a_pack_row_not_confirmed_or_of_unknown_consent_since_is_an_error(tmp_path, capsys):
    ws = _start(capsys, tmp_path,
                ("customers_export.csv", ["Email", "First Name", "Accepts Email Marketing"],
                 [["ann@example.com", "Ann", "yes"], ["hal@family.example", "Hannah", "yes"]]),
                ("leads.csv", ["Email", "First Name", "Last Name"], [["leo@example.com", "Leonard", "Lee"]]))
    with time_machine.travel("2027-01-10 16:00:00Z", tick=False):
        _cli(capsys, ws, "settings", "soft_opt_in", "yes")
        _cli(capsys, ws, "settings", "send_unknown_email", "yes")
    with time_machine.travel("2027-02-01 15:00:00Z", tick=False):
        _cli(capsys, ws, "campaign", "import", tmp_path / "plan.json")
        assert _export(capsys, ws, tmp_path) == ["ann@example.com", "hal@family.example", "leo@example.com"]
    with time_machine.travel("2027-02-05 15:00:00Z", tick=False):
        # Ann signs up again on a double opt-in list and has not confirmed; Leonard's card is given
        # the family mailbox Hannah then unsubscribes from.  His row of the pack is leo@.
        _cli(capsys, ws, "import", write_csv(tmp_path / "newsletter.csv",
                                             ["Email", "First Name", "Email consent", "Consent date"],
                                             [["ann@example.com", "Ann", "pending", "2027-02-04"]]))
        _cli(capsys, ws, "customer", "set", "3", "email", "hal@family.example")
        _cli(capsys, ws, "import", write_csv(tmp_path / "unsubscribed_list.csv", ["Email", "Unsubscribed at"],
                                             [["hal@family.example", "2027-02-04 10:00"]]))
        errors = _errors(capsys, ws)
        assert set(errors) == {"pack_holds_opt_outs", "pack_holds_unsendable"}
        assert "holds 1 person who has opted out since (customer 2, hal@family.example)" in errors[
            "pack_holds_opt_outs"]
        assert "(customer 1, ann@example.com: not confirmed)" in errors["pack_holds_unsendable"]

        # Unknown consent no longer passes: Leonard's row, at the address it holds.
        _cli(capsys, ws, "settings", "soft_opt_in", "no")
        _cli(capsys, ws, "settings", "send_unknown_email", "no")
        errors = _errors(capsys, ws)
        assert ("holds 2 people who may no longer be sent to (customer 1, ann@example.com: not confirmed; "
                "customer 3, leo@example.com: consent unknown)") in errors["pack_holds_unsendable"]
        assert "customer 3" not in errors["pack_holds_opt_outs"]

        assert _export(capsys, ws, tmp_path, "--force") == []
        assert _errors(capsys, ws) == {}


def test_a_pack_row_split_off_a_wrong_merge_is_judged_as_its_person(tmp_path, capsys):
    ws = _start(capsys, tmp_path,
                ("customers_export.csv", ["Email", "First Name", "Last Name", "Accepts Email Marketing"],
                 [["ann@example.com", "Ann", "Lee", "yes"]]),
                ("contacts.csv", ["Email", "First Name", "Last Name"], [["zed@example.com", "Zed", "Moe"]]))
    with time_machine.travel("2027-01-11 15:00:00Z", tick=False):
        _cli(capsys, ws, "merge", "1", "2")
        _cli(capsys, ws, "pin", "1", "email", "zed@example.com")
    with time_machine.travel("2027-02-01 15:00:00Z", tick=False):
        _cli(capsys, ws, "campaign", "import", tmp_path / "plan.json")
        assert _export(capsys, ws, tmp_path) == ["zed@example.com"]
    with time_machine.travel("2027-02-05 15:00:00Z", tick=False):
        _cli(capsys, ws, "unmerge", "2")  # Zed's record, the one the send went with, is his again
        errors = _errors(capsys, ws)
        assert set(errors) == {"pack_holds_unsendable"}
        assert "zed@example.com: consent unknown" in errors["pack_holds_unsendable"]
        assert _export(capsys, ws, tmp_path, "--force") == ["ann@example.com"]
        assert _errors(capsys, ws) == {}
