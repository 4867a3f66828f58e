"""Shared test setup: no display needed, and every test gets its own data folder.

To find tests that lean on the real clock or the machine's zone, run the suite at an
awkward hour in an awkward zone::

    OMNIDESK_TEST_NOW=2026-12-31T23:30:00-10:00 OMNIDESK_TEST_TZ=Pacific/Kiritimati python -m pytest

(the clock starts at that instant and ticks on; TZ is the zone the machine seems to be in).
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

_fake_clock = None


def pytest_configure(config):
    global _fake_clock
    zone = os.environ.get("OMNIDESK_TEST_TZ")
    if zone:
        os.environ["TZ"] = zone
        time.tzset()
    now = os.environ.get("OMNIDESK_TEST_NOW")
    if now:
        import time_machine

        _fake_clock = time_machine.travel(now, tick=True)
        _fake_clock.start()


def pytest_unconfigure(config):
    if _fake_clock is not None:
        _fake_clock.stop()


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path_factory, monkeypatch):
    """Default and demo workspaces land in a fresh folder, never the user's."""
    data = tmp_path_factory.mktemp("omnidesk-data")
    monkeypatch.setenv("OMNIDESK_DATA_DIR", str(data))
    return data
