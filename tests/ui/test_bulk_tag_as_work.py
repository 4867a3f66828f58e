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
