"""With no time zone set, the shop's clock is the computer's: the timeline export writes Omnidesk's own
UTC times on it, as the card shows them.

A "no" typed in at 10:00 in New York is kept in UTC (15:00+00:00).  The card read 10:00, but the
export wrote 15:00+00:00 among the shop's local times.
"""

from __future__ import annotations

import csv

import time_machine

from omnidesk.core.workspace import Workspace
from tests.helpers import machine_in_zone, run_cli, write_csv

new_york = machine_in_zone("America/New_York")  # the shop's laptop; no timezone setting


def _cli(capsys, *argv, at: str) -> str:
    with time_machine.travel(at, tick=False):
        status, out, err = run_cli(capsys, *argv)
    assert status == 0, err
    return out


def test_a_consent_typed_in_is_exported_on_the_computers_clock(capsys, tmp_path):
    ws = tmp_path / "shop.omnidesk"
    with time_machine.travel("2025-12-01T09:00:00Z", tick=False):
        Workspace.create(ws).close()
    _cli(capsys, "import", write_csv(tmp_path / "customers.csv", ["Email", "First Name", "Last Name"],
                                     [["ann@example.com", "Ann", "Lee"]]),
         "--channel", "shop", "-w", ws, at="2025-12-01T09:00:00Z")
    _cli(capsys, "consent", "set", "1", "email", "denied", "-w", ws, at="2025-12-01T15:00:00Z")  # 10:00 there
    # An open an email tool wrote in UTC, and a click written on the shop's clock.
    _cli(capsys, "import", write_csv(tmp_path / "activity.csv", ["Email", "Action", "Timestamp"], [
        ["ann@example.com", "open", "2025-12-02T01:30:00Z"],
        ["ann@example.com", "click", "2025-12-02 09:00:00"]]),
        "--channel", "email", "--kind", "events", "-w", ws, at="2025-12-03T15:00:00Z")

    out = tmp_path / "timeline.csv"
    _cli(capsys, "export", "timeline", "1", out, "--force", "-w", ws, at="2025-12-03T15:00:00Z")
    with out.open(encoding="utf-8", newline="") as fh:
        rows = [(r["occurred_at"], r["type"]) for r in csv.DictReader(fh)]
    assert rows == [("2025-12-01T10:00:00-05:00", "consent"), ("2025-12-01T20:30:00-05:00", "open"),
                    ("2025-12-02T09:00:00-05:00", "click")]
