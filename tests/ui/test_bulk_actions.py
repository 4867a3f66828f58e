"""Bulk actions on the Customers list: tag, untag and record consent for the selection or the whole
list, each one undo step; erase asks plainly and cannot be undone."""

from __future__ import annotations

import pytest

from omnidesk.core.segments import count
from tests.ui import test_undo_history as undo_history
from tests.ui.test_undo_history import customer_with, filled, select_rows, undo_text

shop_template, still, shop = undo_history.shop_template, undo_history.still, undo_history.shop


@pytest.fixture
def customers(shop):
    shop.show_screen("customers")
    return shop.screens["customers"]


def names(view):
    return [view.model.index(r, 0).data() for r in range(view.model.rowCount())]


def test_tag_the_selection_then_undo(shop, customers, monkeypatch):
    win = shop
    rows = [names(customers).index("Dee Park"), names(customers).index("Gus Hale")]
    select_rows(customers, rows)
    # The count says how many the Selected actions will take.
    assert customers.count_label.text() == f"{customers.model.rowCount():,} customers · 2 selected"
    make = win.bulk.tags_dialog
    seen = []

    def fill(d):
        seen.append(d)
        d.new.setText("VIP, spring")

    monkeypatch.setattr(win.bulk, "tags_dialog", lambda ids, removing: filled(make(ids, removing), fill))
    customers.tag_action.trigger()
    # Adding only: nothing to take off, so no word of what taking off does.
    from PySide6.QtWidgets import QLabel

    assert not any("take off" in label.text() for label in seen[0].findChildren(QLabel))
    assert count(win.workspace, {"field": "tag", "op": "is", "value": "spring"}) == 2
    assert undo_text(win) == "Undo add tags VIP, spring to 2 customers"
    win.undo_action.trigger()
    assert count(win.workspace, {"field": "tag", "op": "is", "value": "spring"}) == 0


def test_remove_a_tag_from_the_whole_list_and_record_consent_for_it(shop, customers, monkeypatch):
    win = shop
    ids = list(customers.list_ids())
    win.operations.retag(ids, ["winter", "keep"], ())
    make = win.bulk.tags_dialog
    shown = []

    def tick(d):
        shown.append(list(d.boxes))
        d.boxes["winter"].setChecked(True)

    monkeypatch.setattr(win.bulk, "tags_dialog", lambda ids, removing: filled(make(ids, removing), tick))
    menu = customers.row_menu()
    everyone = next(a.menu() for a in menu.actions() if a.menu() is not None)
    next(a for a in everyone.actions() if a.text() == "Remove Tag…").trigger()
    assert count(win.workspace, {"field": "tag", "op": "is", "value": "winter"}) == 0
    assert count(win.workspace, {"field": "tag", "op": "is", "value": "keep"}) == len(ids)
    assert shown[0] == sorted(shown[0], key=str.casefold)  # in the order a person looks for them
    make_consent = win.bulk.consent_dialog

    def fill(d):
        # Many customers have no one consent in force: none is claimed ("now: unknown").
        assert [d.channels.itemText(i) for i in range(d.channels.count())][:2] == ["Email", "SMS"]
        d.channels.setCurrentIndex(d.channels.findData("sms"))
        d.note_edit.setText("list bought from a fair; asked again")

    monkeypatch.setattr(win.bulk, "consent_dialog", lambda ids: filled(make_consent(ids), fill))
    next(a for a in everyone.actions() if a.text() == "Record Consent…").trigger()
    assert count(win.workspace, {"field": "consent.sms", "op": "is", "value": "denied"}) == len(ids)
    assert undo_text(win) == f"Undo record consent denied for {len(ids)} customers"
    win.undo_action.trigger()
    assert count(win.workspace, {"field": "consent.sms", "op": "is", "value": "denied"}) == 0


def test_removing_a_tag_from_a_selection_leaves_those_without_it_alone(shop, customers, monkeypatch):
    """Only Dee has the tag: Gus gets no mark keeping it off, so a file can still give it to him."""
    win = shop
    dee, gus = (customer_with(win.workspace, e) for e in ("dee@example.com", "gus@example.com"))
    win.operations.retag([dee], ["winter"], ())
    select_rows(customers, [names(customers).index("Dee Park"), names(customers).index("Gus Hale")])
    make = win.bulk.tags_dialog
    monkeypatch.setattr(win.bulk, "tags_dialog", lambda ids, removing: filled(
        make(ids, removing), lambda d: d.boxes["winter"].setChecked(True)))
    customers.untag_action.trigger()
    assert count(win.workspace, {"field": "tag", "op": "is", "value": "winter"}) == 0
    with win.workspace.engine.connect() as conn:
        marks = dict(conn.exec_driver_sql("SELECT customer_id, values_json FROM source_record "
                                          "WHERE channel = 'manual' AND customer_id IN (?, ?)", (dee, gus)).all())
    assert '"untagged": ["winter"]' in marks[dee] and gus not in marks
    # The undo step names who it took the tag off: Dee, not "2 customers".
    assert undo_text(win) == "Undo remove tag winter from Dee Park"
    win.undo_action.trigger()
    assert count(win.workspace, {"field": "tag", "op": "is", "value": "winter"}) == 1


def test_erase_asks_and_cannot_be_undone(shop, customers, monkeypatch):
    win = shop
    dee = customer_with(win.workspace, "dee@example.com")
    select_rows(customers, [names(customers).index("Dee Park")])
    before = win.workspace.counts()["customers"]
    monkeypatch.setattr(win.bulk, "confirm_erase", lambda ids: False)
    customers.erase_action.trigger()
    assert win.workspace.counts()["customers"] == before and dee in list(customers.list_ids())
    monkeypatch.setattr(win.bulk, "confirm_erase", lambda ids: True)
    customers.erase_action.trigger()
    assert dee not in list(customers.list_ids()) and not win.undo_stack.canUndo()
