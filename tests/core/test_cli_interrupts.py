"""Ctrl-C stops a command with one line that says truly whether its change was saved, and exit status 130."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

import omnidesk
import omnidesk.cli
from omnidesk.cli import interrupts
from omnidesk.core.workspace import Workspace
from tests.helpers import cli_shop_fixtures, one_line, run_cli, write_csv

PEOPLE = (["Email", "First Name"], [["ann@example.com", "Ann"], ["bob@example.com", "Bob"]])

shop_template, shop = cli_shop_fixtures(PEOPLE)

NOT_CHANGED = "omnidesk: interrupted; the workspace was not changed."
KEPT = ("omnidesk: interrupted; the change saved to the workspace before the interrupt is kept whole, "
        "and nothing was half-written.")


def _batches(path) -> list[str]:
    with Workspace.open(path, readonly=True) as ws, ws.engine.connect() as conn:
        return [r[0] for r in conn.exec_driver_sql("SELECT status FROM import_batch ORDER BY id")]


def test_ctrl_c_while_the_commands_are_loaded_says_so_in_one_line(monkeypatch, capsys):
    def interrupted():
        raise KeyboardInterrupt

    monkeypatch.setattr(omnidesk.cli, "build_parser", interrupted)
    status, out, err = run_cli(capsys, "info")
    assert status == 130 and out == ""
    assert err.strip() == NOT_CHANGED


def test_ctrl_c_while_the_workspace_closes_after_an_undo_says_the_undo_was_kept(shop, monkeypatch, capsys):
    before = _batches(shop)
    real_close = Workspace.close

    def close_then_interrupt(self):
        real_close(self)
        if not self.readonly:
            raise KeyboardInterrupt

    monkeypatch.setattr(Workspace, "close", close_then_interrupt)
    status, out, err = run_cli(capsys, "imports", "undo", "1", "-w", shop)
    monkeypatch.undo()
    assert status == 130 and one_line(err)
    assert err.strip() == KEPT
    assert _batches(shop) != before  # the undo is there, whole, as said


def _undo_with(shop, capsys, name: str, listener):
    """``imports undo 1`` run with ``listener`` on every engine's ``name`` event."""
    event.listen(Engine, name, listener)
    try:
        return run_cli(capsys, "imports", "undo", "1", "-w", shop)
    finally:
        event.remove(Engine, name, listener)


def test_ctrl_c_during_the_undo_says_nothing_was_changed_and_nothing_was(shop, capsys):
    before = _batches(shop)

    def interrupt_the_first_delete(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("DELETE"):
            raise KeyboardInterrupt

    status, _out, err = _undo_with(shop, capsys, "before_cursor_execute", interrupt_the_first_delete)
    assert status == 130
    assert err.strip() == NOT_CHANGED
    assert _batches(shop) == before


def test_ctrl_c_as_the_commit_is_asked_for_but_before_it_runs_says_nothing_was_changed(shop, capsys):
    before = _batches(shop)
    interrupts.watch(shop)  # its own listener goes first, as in a real run

    def interrupt(conn):
        raise KeyboardInterrupt

    status, _out, err = _undo_with(shop, capsys, "commit", interrupt)
    assert status == 130
    assert err.strip() == NOT_CHANGED
    assert _batches(shop) == before


@pytest.mark.parametrize("command", [["info"], ["imports", "list"]])
def test_a_command_that_only_reads_says_nothing_was_changed(shop, monkeypatch, capsys, command):
    real_close = Workspace.close

    def close_then_interrupt(self):
        real_close(self)
        raise KeyboardInterrupt

    monkeypatch.setattr(Workspace, "close", close_then_interrupt)
    status, _out, err = run_cli(capsys, *command, "-w", shop)
    monkeypatch.undo()
    assert status == 130
    assert err.strip() == NOT_CHANGED


MORE = (["Email", "First Name"], [[f"p{i}@example.com", f"P{i}"] for i in range(50)])


def _interrupt_the_first_source_record(conn, cursor, statement, *args):
    if statement.lstrip().upper().startswith("INSERT INTO SOURCE_RECORD"):
        raise KeyboardInterrupt


def test_ctrl_c_during_an_import_says_nothing_was_changed_and_nothing_was(shop, tmp_path, capsys):
    # The import's "running" row is committed before the import and withdrawn when it stops:
    # no change of the workspace's, nor one to tell of.
    before = _batches(shop)
    more = write_csv(tmp_path / "more.csv", *MORE)
    event.listen(Engine, "before_cursor_execute", _interrupt_the_first_source_record)
    try:
        status, _out, err = run_cli(capsys, "import", more, "-w", shop)
    finally:
        event.remove(Engine, "before_cursor_execute", _interrupt_the_first_source_record)
    assert status == 130
    assert err.strip() == NOT_CHANGED
    assert _batches(shop) == before


def test_ctrl_c_while_the_import_waits_for_the_workspace_leaves_no_running_import(shop, tmp_path, capsys):
    # Ctrl+C while the import waits for another window's write lock (its "running" row already
    # committed): the row goes too, or the import would show as interrupted and the command say
    # that a change was kept.
    before = _batches(shop)
    more = write_csv(tmp_path / "more.csv", *MORE)
    begun = []

    def interrupt_the_wait(conn, cursor, statement, *args):
        if statement.strip().upper() == "BEGIN IMMEDIATE":
            begun.append(statement)
            if len(begun) == 2:  # the first wrote the running row; the second is the import's own
                raise KeyboardInterrupt

    event.listen(Engine, "before_cursor_execute", interrupt_the_wait)
    try:
        status, _out, err = run_cli(capsys, "import", more, "-w", shop)
    finally:
        event.remove(Engine, "before_cursor_execute", interrupt_the_wait)
    assert len(begun) == 3 and status == 130  # the third took the running row away
    assert err.strip() == NOT_CHANGED
    assert _batches(shop) == before


def test_ctrl_c_while_another_window_writes_says_nothing_was_changed_and_does_not_wait_again(shop, tmp_path,
                                                                                             capsys):
    # Another window takes the write lock just as the import (its running row committed) asks for
    # it, and the user gives up waiting: taking the row away needs that lock too.  The command
    # does not wait the whole --wait again for it, and says the workspace was not changed: a row
    # left behind reads as an import that never finished.
    import sqlite3
    import time

    before = _batches(shop)
    more = write_csv(tmp_path / "more.csv", *MORE)
    begun, other = [], []

    def another_window_then_ctrl_c(conn, cursor, statement, *args):
        if statement.strip().upper() == "BEGIN IMMEDIATE":
            begun.append(statement)
            if len(begun) == 2:
                window = sqlite3.connect(str(shop), timeout=0)
                window.execute("BEGIN IMMEDIATE")
                other.append(window)
                raise KeyboardInterrupt

    event.listen(Engine, "before_cursor_execute", another_window_then_ctrl_c)
    try:
        started = time.monotonic()
        status, _out, err = run_cli(capsys, "--wait", "60", "import", more, "-w", shop)
        took = time.monotonic() - started
    finally:
        event.remove(Engine, "before_cursor_execute", another_window_then_ctrl_c)
        for window in other:
            window.rollback()
            window.close()
    assert status == 130 and err.strip() == NOT_CHANGED
    assert took < 30  # not another --wait of 60 s for the row's sake
    assert [s for s in _batches(shop) if s != "running"] == before


def test_ctrl_c_that_leaves_the_running_row_of_the_import_that_made_the_workspace_leaves_no_workspace(
        tmp_path, capsys, monkeypatch):
    # Ctrl+C can land while the running row is being taken away (or another window holds the lock
    # then): the row of this command's own import stays, and made the new, empty workspace look used.
    from omnidesk.core.importing import running

    monkeypatch.setattr(running, "withdraw", lambda *a, **k: None)
    more = write_csv(tmp_path / "more.csv", *MORE)
    new = tmp_path / "new.omnidesk"
    event.listen(Engine, "before_cursor_execute", _interrupt_the_first_source_record)
    try:
        status, _out, err = run_cli(capsys, "import", more, "-w", new)
    finally:
        event.remove(Engine, "before_cursor_execute", _interrupt_the_first_source_record)
    assert status == 130 and err.strip() == NOT_CHANGED
    assert sorted(p.name for p in tmp_path.iterdir()) == ["more.csv"]


# Ctrl-C itself, as the terminal sends it, once the import has begun writing its rows.
_SIGINT_MID_IMPORT = """
import os, signal, sys
from sqlalchemy import event
from sqlalchemy.engine import Engine
from omnidesk.cli import main

def ctrl_c(conn, cursor, statement, *args):
    if statement.lstrip().upper().startswith("INSERT INTO SOURCE_RECORD"):
        event.remove(Engine, "before_cursor_execute", ctrl_c)
        os.kill(os.getpid(), signal.SIGINT)

event.listen(Engine, "before_cursor_execute", ctrl_c)
sys.exit(main(sys.argv[1:]))
"""


def test_ctrl_c_during_the_import_that_made_the_workspace_leaves_no_workspace(tmp_path):
    more = write_csv(tmp_path / "more.csv", *MORE)
    new = tmp_path / "new.omnidesk"
    env = {**os.environ, "PYTHONPATH": str(Path(omnidesk.__file__).parent.parent)}
    done = subprocess.run([sys.executable, "-c", _SIGINT_MID_IMPORT, "import", str(more), "-w", str(new)],
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 130, done.stderr
    assert done.stderr.strip() == NOT_CHANGED
    assert sorted(p.name for p in tmp_path.iterdir()) == ["more.csv"]
