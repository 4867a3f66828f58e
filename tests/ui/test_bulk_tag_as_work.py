"""A tag added to (or consent recorded for) many customers at once runs as long work, as an import
does: progress in the window, which stays responsive, one step on Edit › Undo, and its undo long
work too, putting back every row."""

from __future__ import annotations

import pytest

from omnidesk.core.segments import count
from omnidesk.ui import operations
from tests.ui import test_undo_history as undo_history
from tests.ui.test_undo_history import filled, undo_text
from tests.workspace_dump import differences, dump

shop_template, still, shop = undo_history.shop_template, undo_history.still, undo_history.shop


@pytest.fixture
def customers(shop, monkeypatch):
    monkeypatch.setattr(operations, "LONG_EDIT", 3)  # the shop is small: "many" is three here
    shop.show_screen("customers")
    return shop.screens["customers"]


def _everyone(customers, text):
    menu = customers.row_menu()
    everyone = next(a.menu() for a in menu.actions() if a.menu() is not None)
    next(a for a in everyone.actions() if a.text() == text).trigger()


def test_a_tag_added_to_everyone_is_long_work_and_so_is_its_undo(shop, customers, monkeypatch):
    win = shop
    ids = list(customers.list_ids())
    assert len(ids) >= operations.LONG_EDIT
    busy, said = [], []
    win.operations.busyChanged.connect(busy.append)
    win.operations.progressed.connect(lambda done, total, text: said.append(text))
    before = dump(win.workspace.path)
    make = win.bulk.tags_dialog
    monkeypatch.setattr(win.bulk, "tags_dialog",
                        lambda ids, removing: filled(make(ids, removing), lambda d: d.new.setText("spring")))
    _everyone(customers, "Add Tag…")
    assert win.runner.wait(10)
    assert busy == [True, False]
    assert f"Add tag spring to {len(ids)} customers…" in said
    assert count(win.workspace, {"field": "tag", "op": "is", "value": "spring"}) == len(ids)
    assert undo_text(win) == f"Undo add tag spring to {len(ids)} customers"

    busy.clear()
    win.undo_action.trigger()
    assert win.runner.wait(10)
    assert busy == [True, False]
    assert count(win.workspace, {"field": "tag", "op": "is", "value": "spring"}) == 0
    assert differences(before, dump(win.workspace.path)) == []

    win.redo_action.trigger()
    assert win.runner.wait(10)
    assert count(win.workspace, {"field": "tag", "op": "is", "value": "spring"}) == len(ids)


def test_a_tag_taken_off_those_who_carry_it_names_them_once_done(shop, customers):
    win = shop
    ids = list(customers.list_ids())
    win.operations.retag(ids[:3], ["winter"], ())
    assert win.runner.wait(10)
    win.operations.retag(ids, (), ["winter"])
    assert win.runner.wait(10)
    assert count(win.workspace, {"field": "tag", "op": "is", "value": "winter"}) == 0
    assert undo_text(win) == "Undo remove tag winter from 3 customers"
    win.undo_action.trigger()
    assert win.runner.wait(10)
    assert count(win.workspace, {"field": "tag", "op": "is", "value": "winter"}) == 3


def test_consent_for_everyone_is_long_work(shop, customers, monkeypatch):
    win = shop
    busy = []
    win.operations.busyChanged.connect(busy.append)
    make = win.bulk.consent_dialog

    def fill(d):
        d.channels.setCurrentIndex(d.channels.findData("sms"))
        d.note_edit.setText("asked by phone")

    monkeypatch.setattr(win.bulk, "consent_dialog", lambda ids: filled(make(ids), fill))
    _everyone(customers, "Record Consent…")
    assert win.runner.wait(10)
    assert busy == [True, False]
    ids = list(customers.list_ids())
    assert count(win.workspace, {"field": "consent.sms", "op": "is", "value": "denied"}) == len(ids)
    assert undo_text(win) == f"Undo record consent denied for {len(ids)} customers"
    win.undo_action.trigger()
    assert win.runner.wait(10)
    assert count(win.workspace, {"field": "consent.sms", "op": "is", "value": "denied"}) == 0


def test_cancel_while_a_tag_is_written_to_everyone_changes_nothing(shop, customers, monkeypatch):
    """Cancel is heard while the cards are worked out again, most of a big tag's time, not only
    before it starts: the transaction rolls back, and no step reaches Edit › Undo."""
    import threading

    from omnidesk.core import edits
    from omnidesk.core.tasks import Progress

    win = shop
    ids = list(customers.list_ids())
    before, undo_before = dump(win.workspace.path), undo_text(win)
    gate = threading.Event()
    real = edits.refresh_customers_steps

    def held(conn, which):  # the cards' work, held until the window has asked to cancel
        yield Progress(0, len(which), "Working out the cards")
        gate.wait(10)
        yield Progress(0, len(which), "Working out the cards")
        return (yield from real(conn, which))

    monkeypatch.setattr(edits, "refresh_customers_steps", held)
    said, notices = [], []
    win.operations.notice.connect(notices.append)

    def progressed(done, total, text):
        said.append(text)
        if "updating the customers' cards" in text and not gate.is_set():
            win.operations.cancel()
            gate.set()

    win.operations.progressed.connect(progressed)
    win.operations.retag(ids, ["spring"], ())
    assert win.runner.wait(10)
    assert gate.is_set(), said
    assert any("cancelled" in n for n in notices), notices
    assert count(win.workspace, {"field": "tag", "op": "is", "value": "spring"}) == 0
    assert differences(before, dump(win.workspace.path)) == []
    assert undo_text(win) == undo_before
