"""Typing in on the Customer screen and File › New Customer: the dialogs check as the core reads,
keys reach every action, and what is typed shows on the card with where it came from."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox

from tests.ui import test_undo_history as undo_history
from tests.ui.test_undo_history import customer_with, filled, type_custom_field

# The undo history's shop: Ann, Bo, Cy, Dee and Gus in two files, the clock standing still.
shop_template, still, shop = undo_history.shop_template, undo_history.still, undo_history.shop


def ok_button(dialog):
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)


def test_a_bad_email_is_named_under_its_box_and_ok_waits(shop, qtbot):
    win = shop
    win.open_customer(customer_with(win.workspace, "dee@example.com"))
    dialog = win.customer_view.values_dialog()
    qtbot.addWidget(dialog)
    assert not ok_button(dialog).isEnabled()  # nothing changed yet
    dialog.edits["email"].setText("dee at example")
    assert not dialog.validate()
    assert "cannot be read as the email" in dialog.errors["email"].text()
    assert not ok_button(dialog).isEnabled()
    dialog.edits["email"].setText("Dee.Park@Example.com")
    assert dialog.validate() and ok_button(dialog).isEnabled()
    assert dialog.errors["email"].isHidden()


def test_the_card_says_a_typed_value_was_entered_by_you(shop, qtbot, monkeypatch):
    win = shop
    view = win.customer_view
    win.open_customer(customer_with(win.workspace, "dee@example.com"))
    make = view.values_dialog
    monkeypatch.setattr(view, "values_dialog", lambda: filled(make(), lambda d: d.edits["city"].setText("Bangor")))
    view.edit_button.click()
    assert view.fields["place"].text().startswith("Bangor")
    assert "entered by you on 2026-05-04" in view.fields["place"].toolTip()
    assert view.pin_marks["place"].isVisibleTo(view)


def test_each_action_has_its_key(shop, qtbot, monkeypatch):
    win = shop
    win.show()
    view = win.customer_view
    win.open_customer(customer_with(win.workspace, "dee@example.com"))
    opened = []
    for name in ("values_dialog", "tags_dialog", "consent_dialog", "custom_field_dialog"):
        make = getattr(view, name)

        def record(*a, make=make, name=name):
            dialog = make(*a)
            dialog.exec = lambda: opened.append(name) or 0
            return dialog

        monkeypatch.setattr(view, name, record)
    view.setFocus()
    for keys in ("Ctrl+E", "Ctrl+T", "Ctrl+Shift+C", "Ctrl+Shift+M"):
        QTest.keySequence(view, QKeySequence(keys))
    assert opened == ["values_dialog", "tags_dialog", "consent_dialog", "custom_field_dialog"]
    assert "Ctrl+E" in view.edit_button.toolTip()


def test_a_new_customer_needs_a_name_an_email_or_a_phone_and_is_refused_when_already_there(shop, qtbot, monkeypatch):
    win = shop
    told = []
    monkeypatch.setattr(win, "show_error", lambda *a: told.append(a))
    dialog = win.new_customer_dialog()
    qtbot.addWidget(dialog)
    dialog.edits["city"].setText("Paris")
    assert not dialog.validate()
    dialog.edits["email"].setText("dee.park@example.com")
    assert dialog.validate()
    # Dee's own email: said under its box as it is typed, and OK waits, instead of closing the
    # dialog on an error that loses everything typed.
    dialog.edits["email"].setText("Dee@Example.com")
    assert not dialog.validate() and not ok_button(dialog).isEnabled()
    assert dialog.errors["email"].text() == ("dee@example.com is already the email of Dee Park (#4): "
                                             "open that customer and change them instead.")
    make = win.new_customer_dialog
    monkeypatch.setattr(win, "new_customer_dialog",
                        lambda: filled(make(), lambda d: d.edits["email"].setText("dee@example.com")))
    customers = win.workspace.counts()["customers"]
    win.new_customer_action.trigger()
    assert win.workspace.counts()["customers"] == customers and not told  # nothing stored, nothing to undo


def test_consent_recorded_by_hand_shows_on_the_card_with_its_note(shop, qtbot, monkeypatch):
    win = shop
    view = win.customer_view
    win.open_customer(customer_with(win.workspace, "dee@example.com"))
    make = view.consent_dialog

    def fill(d):
        d.channels.setCurrentIndex(d.channels.findData("email"))
        d.note_edit.setText("asked at the till to stop emails")

    monkeypatch.setattr(view, "consent_dialog", lambda: filled(make(), fill))
    view.consent_button.click()
    text = view.consent_rows["email"][2]
    shown = text.text() + " " + text.toolTip()
    assert "denied" in shown.lower()
    assert "asked at the till to stop emails" in shown


def test_read_only_hides_typing_in(shop):
    win = shop
    view = win.customer_view
    win.open_customer(customer_with(win.workspace, "dee@example.com"))
    view.set_read_only(True)
    assert not view.edit_button.isVisibleTo(view) and not view.tags_button.isVisibleTo(view)
    view.edit_values()  # the shortcut does nothing either


def test_an_email_another_customer_has_is_named_under_its_box_without_stopping_ok(shop, qtbot):
    win = shop
    win.open_customer(customer_with(win.workspace, "dee@example.com"))
    dialog = win.customer_view.values_dialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.edits["email"].setText("Ann@Example.com")
    assert dialog.validate() and ok_button(dialog).isEnabled()
    said = dialog.errors["email"]
    assert not said.isHidden()
    assert said.text().startswith("ann@example.com is also the email of Ann Lee (#")
    assert "merge them instead" in said.text()
    assert "C62828" not in said.styleSheet()  # a word of warning, not an error
    # Opened before the words were there, the dialog grew for their two lines: none is cut off.
    assert said.height() >= said.heightForWidth(said.width()) > said.fontMetrics().height()
    dialog.edits["email"].setText("dee.park@example.com")
    assert dialog.validate() and said.isHidden()
    dialog.edits["email"].setText("dee at example")  # a value that cannot be read is still an error
    assert not dialog.validate() and "C62828" in said.styleSheet()


def test_the_timeline_says_entered_by_you_without_a_row_that_means_nothing(shop, qtbot, monkeypatch, tmp_path):
    """A consent heard at the till was in no file: no "row 1" of anything, on screen or in the export."""
    from omnidesk.core.timeline import export_timeline
    from omnidesk.ui.models.timeline_model import source_text

    win = shop
    view = win.customer_view
    dee = customer_with(win.workspace, "dee@example.com")
    win.open_customer(dee)
    make = view.consent_dialog
    monkeypatch.setattr(view, "consent_dialog", lambda: filled(make(), lambda d: d.granted.setChecked(True)))
    view.consent_button.click()
    sources = {e.type: source_text(e) for e in view.timeline_model.entries()}
    assert sources["consent"] == "Entered by you"
    export_timeline(win.workspace, dee, tmp_path / "t.csv")
    rows = (tmp_path / "t.csv").read_text(encoding="utf-8").splitlines()
    assert rows[-1].endswith(",Entered by you,,,,")


def test_a_consent_typed_again_shows_on_the_timeline_with_its_note(shop, qtbot, monkeypatch):
    """Email "denied" typed in on a card that already says denied: the header names it, "Entered by
    you", and the timeline lists it with the note, though it changes nothing in force."""
    win = shop
    view = win.customer_view
    dee = customer_with(win.workspace, "dee@example.com")
    win.open_customer(dee)
    make = view.consent_dialog
    for note in ("asked at the till", "phoned to stop"):
        def fill(d, note=note):
            d.channels.setCurrentIndex(d.channels.findData("email"))
            d.denied.setChecked(True)
            d.note_edit.setText(note)

        monkeypatch.setattr(view, "consent_dialog", lambda fill=fill: filled(make(), fill))
        view.consent_button.click()
    said = [e.summary for e in view.timeline_model.entries() if e.type == "consent" and e.channel == "email"]
    assert said == ["Email consent: denied — asked at the till", "Email consent: denied — phoned to stop"]


def test_the_card_counts_records_entered_by_hand_apart_from_files(shop, qtbot, monkeypatch):
    """A customer added by hand said "1 source record from 1 file", and no file was involved."""
    from omnidesk.core.edits import add_customer

    win = shop
    view = win.customer_view
    edit = add_customer(win.workspace, {"first_name": "Hal", "email": "hal@example.com"})
    win.open_customer(edit.created)
    assert "1 source record added by hand" in view.subtitle.text() and "file" not in view.subtitle.text()
    dee = customer_with(win.workspace, "dee@example.com")
    win.open_customer(dee)
    assert "from 1 file ·" in view.subtitle.text() or "files ·" in view.subtitle.text()
    make = view.values_dialog
    monkeypatch.setattr(view, "values_dialog", lambda: filled(make(), lambda d: d.edits["city"].setText("Bangor")))
    view.edit_button.click()
    assert "added by hand" in view.subtitle.text() and "1 added by hand" in view.subtitle.text()


def test_a_field_typed_on_a_merged_customer_undoes_exactly_and_stays_with_it_when_split(shop, qtbot, monkeypatch):
    """Cal Fox of the list was given "tools" by hand, then merged into Bo Fox of the shop.  "gifts"
    typed on the merged card used to be written on Cal's hand record in place of "tools": split
    off again, Cal took "gifts" along and Bo had nothing."""
    from PySide6.QtCore import Qt

    from omnidesk.core.edits import set_custom_field
    from omnidesk.core.identity.merge import merge_customers
    from tests.ui.test_undo_history import source_row_of, undo_text
    from tests.workspace_dump import differences, dump

    win = shop
    ws = win.workspace
    with ws.engine.connect() as conn:
        bo, cal = (conn.exec_driver_sql("SELECT customer_id FROM source_record WHERE first_name = ?", (name,)).scalar()
                   for name in ("Bo", "Cal"))
    set_custom_field(ws, cal, "Shopping for", "tools")
    one = merge_customers(ws, [bo, cal]).survivor
    win.open_customer(one)
    view = win.customer_view
    assert view.more_values["Shopping for"].text() == "tools"
    before = dump(ws.path)
    type_custom_field(view, qtbot, monkeypatch, "Shopping for", "gifts")
    done = dump(ws.path)
    win.undo_action.trigger()
    assert differences(before, dump(ws.path)) == []
    assert view.more_values["Shopping for"].text() == "tools"
    win.redo_action.trigger()
    assert differences(done, dump(ws.path)) == []
    assert view.more_values["Shopping for"].text() == "gifts"

    view.tabs.setCurrentWidget(view.sources_page)
    view.source_table.selectRow(source_row_of(view, "list.csv"))
    qtbot.mouseClick(view.split_button, Qt.MouseButton.LeftButton)
    assert undo_text(win).startswith("Undo split of list.csv")
    assert view.more_values["Shopping for"].text() == "gifts"  # the customer that keeps its id
    with ws.engine.connect() as conn:
        new = conn.exec_driver_sql("SELECT customer_id FROM source_record WHERE first_name = 'Cal'").scalar()
    assert new != one
    win.open_customer(new)
    assert view.more_values["Shopping for"].text() == "tools"  # Cal's own, typed before the merge
