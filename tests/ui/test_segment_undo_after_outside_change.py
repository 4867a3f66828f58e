"""Edit › Undo and Redo of a segment step never delete or overwrite a segment changed since
in another window or from the command line: the step is refused, said, and dropped."""

from __future__ import annotations

import json

import pytest

from omnidesk.cli import main
from omnidesk.core import segments
from tests.helpers import window_on_file

FIVE = {"all": [{"field": "orders", "op": "gte", "value": 5}]}
TEN = {"all": [{"field": "orders", "op": "gte", "value": 10}]}
CHANGED = "Segment 'vip' was changed since (in another window or command); it was left as it is."


@pytest.fixture
def win(window, ws, monkeypatch):
    return window_on_file(window, ws, monkeypatch)


def cli(win, *args, capsys) -> None:
    assert main(["-w", str(win.workspace.path), *args]) == 0
    capsys.readouterr()


def rules(win) -> dict:
    return {s.name: s.rule for s in segments.list_segments(win.workspace)}


def refused(win, verb: str, what: str) -> None:
    assert len(win.told) == 1
    title, text = win.told.pop()
    assert title == f"Cannot {verb} {what}"
    assert text.startswith(CHANGED) and "removed from Edit › Undo; nothing was changed" in text


def test_undoing_a_save_leaves_a_rule_the_command_line_saved_since(win, capsys):
    assert win.operations.save_segment("vip", FIVE)
    cli(win, "segment", "save", "vip", "--replace", "--rule", json.dumps(TEN), capsys=capsys)
    win.look_for_outside_changes()
    win.undo_action.trigger()
    refused(win, "undo", "save segment 'vip'")
    assert rules(win) == {"vip": TEN}
    assert not win.operations.stack.canUndo() and not win.operations.stack.canRedo()  # dropped
    assert "Undid" not in win.statusBar().currentMessage()


def test_undoing_a_replace_or_a_delete_leaves_what_the_command_line_did_since(win, capsys):
    segments.save_segment(win.workspace, "vip", FIVE)
    assert win.operations.save_segment("vip", TEN, replace=True)
    cli(win, "segment", "delete", "vip", capsys=capsys)
    win.undo_action.trigger()  # would have put back FIVE where the command line deleted it
    refused(win, "undo", "save segment 'vip'")
    assert rules(win) == {}

    segments.save_segment(win.workspace, "vip", FIVE)
    assert win.operations.delete_segment("vip")
    cli(win, "segment", "save", "vip", "--rule", json.dumps(TEN), capsys=capsys)
    win.undo_action.trigger()
    refused(win, "undo", "delete segment 'vip'")
    assert rules(win) == {"vip": TEN}


def test_undoing_a_rename_leaves_a_segment_changed_since(win, capsys):
    segments.save_segment(win.workspace, "Big", FIVE)
    assert win.operations.rename_segment("Big", "vip")
    cli(win, "segment", "save", "vip", "--replace", "--rule", json.dumps(TEN), capsys=capsys)
    win.undo_action.trigger()
    refused(win, "undo", "rename of segment 'Big' to 'vip'")
    assert rules(win) == {"vip": TEN}


def test_redo_is_refused_too_and_unchanged_segments_still_undo_and_redo(win, capsys):
    assert win.operations.save_segment("vip", FIVE)
    win.undo_action.trigger()
    win.redo_action.trigger()  # nothing changed meanwhile: both run
    win.undo_action.trigger()
    assert win.told == [] and rules(win) == {}
    cli(win, "segment", "save", "vip", "--rule", json.dumps(TEN), capsys=capsys)
    win.redo_action.trigger()  # would have failed on "exists already" or written over it
    refused(win, "redo", "save segment 'vip'")
    assert rules(win) == {"vip": TEN} and not win.operations.stack.canRedo()
