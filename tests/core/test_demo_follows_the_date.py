"""A demo built for a user ends its year of activity on the day it is built, so the Dashboard's
"last 12 months" shows it whenever the app is first run; the tests fix that day, so a demo is
the same on every day they run."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine

from omnidesk.core.demo import build_demo
from omnidesk.core.workspace import Workspace


def _last_event_day(path) -> str:
    ws = Workspace.open(path)
    try:
        with ws.engine.connect() as conn:
            return conn.exec_driver_sql("SELECT max(substr(occurred_at, 1, 10)) FROM event").scalar_one()
    finally:
        ws.close()


def test_a_users_demo_ends_yesterday_and_the_tests_demo_on_its_fixed_day(tmp_path, monkeypatch):
    with time_machine.travel(datetime(2027, 6, 15, 16, 0, tzinfo=UTC), tick=False):
        build_demo(tmp_path / "fixed.omnidesk", customers=40)
        monkeypatch.delenv("OMNIDESK_DEMO_TODAY")
        build_demo(tmp_path / "users.omnidesk", customers=40)
    assert _last_event_day(tmp_path / "fixed.omnidesk") <= "2026-10-31"
    last = _last_event_day(tmp_path / "users.omnidesk")
    assert "2027-06-01" <= last <= "2027-06-14"
