"""Ctrl-C stops a command with one line that says truly whether its change was saved, and exit status 130."""

from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

import omnidesk.cli
from omnidesk.cli import interrupts
from omnidesk.core.workspace import Workspace
from tests.helpers import cli_shop_fixtures, one_line, run_cli

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
