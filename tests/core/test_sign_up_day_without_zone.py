"""With no shop time zone, a sign-up date alone is that day on the computer's clock, as a till's
times and the timeline read it: west of UTC, "Created 2026-04-03" was first seen on the 2nd."""

from __future__ import annotations

import csv
import sqlite3

import pytest
import time_machine

from omnidesk.core.workspace import Workspace
from tests.helpers import run_cli, write_csv

NOW = "2026-05-01T12:00:00Z"
APRIL_3_IN_LA = "2026-04-03T07:00:00"  # 00:00 on 3 April in Los Angeles (UTC-7)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def los_angeles(computer_in):
    computer_in("America/Los_Angeles")


def _list(tmp_path):
    return write_csv(tmp_path / "list.csv", ["First Name", "Email", "Created"],
                     [["Ann", "ann@example.com", "2026-04-03"]])


def _seen(path) -> tuple[str, str]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return con.execute("SELECT first_seen, last_seen FROM customer").fetchone()
    finally:
        con.close()


def _imported_as_before(ws, tmp_path, capsys, change: str):
    """The list imported through the command line into ``ws`` (closed first: the command opens the
    file itself), then ``change`` (SQL) made to it and its schema marked 0038, as the version before
    left it: the workspace's path, to open again."""
    path = ws.path
    ws.close()
    status, _out, err = run_cli(capsys, "-w", path, "import", _list(tmp_path), "--channel", "email")
    assert status == 0, err
    con = sqlite3.connect(path)
    with con:
        con.execute(change)
        con.execute("UPDATE alembic_version SET version_num = '0038'")
    con.close()
    return path


def test_a_created_date_is_that_day_on_the_computers_clock(make_workspace, tmp_path, capsys, los_angeles):
    ws = make_workspace()
    assert ws.get_setting("timezone") == ""
    status, _out, err = run_cli(capsys, "-w", ws.path, "import", _list(tmp_path), "--channel", "email")
    assert status == 0, err
    assert _seen(ws.path) == (APRIL_3_IN_LA, APRIL_3_IN_LA)

    out_file = tmp_path / "customers.csv"
    status, _out, err = run_cli(capsys, "-w", ws.path, "export", "customers", out_file, "--force",
                                "--columns", "id,first_seen,last_seen")
    assert status == 0, err
    with out_file.open(newline="", encoding="utf-8-sig") as f:
        (row,) = list(csv.DictReader(f))
    assert row["first_seen"] == row["last_seen"] == "2026-04-03T00:00:00-07:00"

    status, out, err = run_cli(capsys, "-w", ws.path, "segment", "count", "--rule",
                               '{"field":"first_seen","op":"gte","value":"2026-04-03"}')
    assert status == 0, err
    assert out.split()[0] == "1"


def test_opening_a_workspace_read_before_works_its_cards_out_on_the_computers_clock(make_workspace, tmp_path,
                                                                                    capsys, los_angeles):
    # As the version before kept it: the date read as UTC midnight, the evening of the 2nd here.
    path = _imported_as_before(make_workspace("old.omnidesk"), tmp_path, capsys,
                               "UPDATE customer SET first_seen = '2026-04-03T00:00:00', "
                               "last_seen = '2026-04-03T00:00:00'")

    with Workspace.open(path) as opened:
        assert opened.backup_path is not None  # migrated
    assert _seen(path) == (APRIL_3_IN_LA, APRIL_3_IN_LA)


def test_a_workspace_with_its_own_zone_is_opened_without_working_its_cards_out(make_workspace, tmp_path, capsys,
                                                                              los_angeles):
    path = _imported_as_before(make_workspace("zoned.omnidesk", timezone="America/Los_Angeles"), tmp_path, capsys,
                               "UPDATE customer SET updated_at = '2000-01-01T00:00:00'")

    with Workspace.open(path) as opened:
        assert opened.backup_path is not None
    con = sqlite3.connect(path)
    try:
        assert con.execute("SELECT updated_at, first_seen FROM customer").fetchone() == (
            "2000-01-01T00:00:00", APRIL_3_IN_LA)
    finally:
        con.close()
