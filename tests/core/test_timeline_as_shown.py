"""A customer's timeline says what happened once each, in the shop's words, through real imports.

Ann Lee's SMS "no" was typed in at 10:00 in New York; the SMS gateway's opt-out list, written on
the shop's clock without an offset, says START at 12:00 the same day.  The stricter answer of the
day is in force (the card says denied), so the later "yes" must say it is not in force, or the
timeline's last line reads as her consent.
"""

from __future__ import annotations

import csv

import time_machine

from omnidesk.core.workspace import Workspace
from tests.helpers import machine_in_zone, run_cli, write_csv

tokyo = machine_in_zone("Asia/Tokyo")  # the computer's zone is not the shop's: nothing may read it

NOT_IN_FORCE = " (not in force: on the same day the stricter answer wins)"


def _cli(capsys, *argv, at: str) -> str:
    with time_machine.travel(at, tick=False):
        status, out, err = run_cli(capsys, *argv)
    assert status == 0, err
    return out


def _new_york_shop(capsys, tmp_path, at: str = "2025-12-01T09:00:00Z"):
    ws = tmp_path / "shop.omnidesk"
    with time_machine.travel(at, tick=False):
        Workspace.create(ws).close()
    _cli(capsys, "settings", "timezone", "America/New_York", "-w", ws, at=at)
    return ws


def _exported(capsys, ws, tmp_path, who: str = "1", at: str = "2025-12-01T20:00:00Z") -> list[dict[str, str]]:
    out = tmp_path / "timeline.csv"
    _cli(capsys, "export", "timeline", who, out, "--force", "-w", ws, at=at)
    with out.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_a_later_yes_without_an_offset_that_lost_to_the_days_no_says_so(capsys, tmp_path):
    ws = _new_york_shop(capsys, tmp_path)
    _cli(capsys, "import", write_csv(tmp_path / "customers.csv", ["Email", "Phone", "First Name", "Last Name"],
                                     [["ann@example.com", "+14155550101", "Ann", "Lee"]]),
         "--channel", "shop", "-w", ws, at="2025-12-01T09:00:00Z")
    _cli(capsys, "consent", "set", "1", "sms", "denied", "--note", "asked by phone", "-w", ws,
         at="2025-12-01T15:00:00Z")  # 10:00 in New York
    _cli(capsys, "import", write_csv(tmp_path / "sms_optouts.csv", ["Phone Number", "Keyword", "Date"],
                                     [["+14155550101", "START", "2025-12-01 12:00:00"]]),
         "-w", ws, at="2025-12-01T20:00:00Z")

    customers = tmp_path / "customers_out.csv"
    _cli(capsys, "export", "customers", customers, "--force", "-w", ws, at="2025-12-01T20:00:00Z")
    with customers.open(encoding="utf-8", newline="") as fh:
        (ann,) = list(csv.DictReader(fh))
    assert ann["consent_sms"] == "denied"
    sms = [(r["occurred_at"], r["summary"]) for r in _exported(capsys, ws, tmp_path) if r["type"] == "consent"]
    assert sms == [("2025-12-01T10:00:00-05:00", "SMS consent: denied — asked by phone"),
                   ("2025-12-01T12:00:00-05:00", "SMS consent: granted" + NOT_IN_FORCE)]
