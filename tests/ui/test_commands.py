"""The undo steps on a bare QUndoStack: each redo and undo is one core call, and a step
whose target is gone drops itself instead of raising into Qt."""

from __future__ import annotations

import json

import pytest
from PySide6.QtGui import QUndoStack

from omnidesk.core.identity.merge import list_reviews
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.notes import customer_notes
from omnidesk.core.rights import erase_person
from omnidesk.ui.commands import NotesStep, PinStep, SkipStep
from tests.helpers import write_csv

HEADER = ["First Name", "Last Name", "Email"]


@pytest.fixture
def shop(ws, tmp_path, qapp):
    import_file(ws, write_csv(tmp_path / "a.csv", HEADER, [["Ann", "Lee", "ann@example.com"]]),
                ImportOptions(channel="shop"))
    import_file(ws, write_csv(tmp_path / "b.csv", HEADER, [["Mark", "Lee", "ann@example.com"]]),
                ImportOptions(channel="email"))
    return ws


def _pins(ws, cid) -> dict:
    with ws.engine.connect() as conn:
        return json.loads(conn.exec_driver_sql("SELECT pinned_json FROM customer WHERE id = ?", (cid,)).scalar())


def _stacked(step, ws):
    step.workspace = ws
    stack = QUndoStack()
    stack.push(step)  # runs redo()
    return stack


def test_pin_step_redo_undo_redo(shop):
    stack = _stacked(PinStep(1, "Ann Lee", "city", "Bangor"), shop)
    assert stack.count() == 1 and stack.undoText() == "pin city of Ann Lee"
    assert _pins(shop, 1) == {"city": "Bangor"}
    stack.undo()
    assert _pins(shop, 1) == {}
    stack.redo()
    assert _pins(shop, 1) == {"city": "Bangor"}


def test_notes_step_puts_back_the_words_before(shop):
    from omnidesk.core.notes import set_customer_notes

    set_customer_notes(shop, 1, "Prefers tea")
    stack = _stacked(NotesStep(1, "Ann Lee", "Prefers coffee"), shop)
    assert customer_notes(shop, 1) == "Prefers coffee" and stack.undoText() == "notes on Ann Lee"
    stack.undo()
    assert customer_notes(shop, 1) == "Prefers tea"


def test_skip_step_and_its_undo(shop):
    (pair,) = list_reviews(shop)
    stack = _stacked(SkipStep(pair.id, pair.left_id, pair.right_id, "Ann Lee ~ Mark Lee"), shop)
    assert list_reviews(shop)[0].status == "skipped" and stack.undoText() == "skip of Ann Lee ~ Mark Lee"
    stack.undo()
    assert list_reviews(shop)[0].status == "pending"


def test_a_step_whose_customer_is_gone_is_dropped_from_the_stack(shop):
    stack = _stacked(PinStep(1, "Ann Lee", "city", "Bangor"), shop)
    erase_person(shop, 1)  # elsewhere, and for good
    stack.undo()  # refused by the core: the step marks itself obsolete and the stack deletes it
    assert stack.count() == 0 and not stack.canRedo()
