"""The card shows the full name and a "More fields" group of the columns nobody mapped."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from omnidesk.core.importing.batches import undo_batch
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.ui.views.customer import CustomerView
from tests.core.test_custom_fields import FORM_HEADER, SHOPIFY_HEADER, _shop_row
from tests.helpers import write_csv


@pytest.fixture
def shop(make_workspace, tmp_path):
    ws = make_workspace(default_region="US")
    import_file(ws, write_csv(tmp_path / "customers_export.csv", SHOPIFY_HEADER, [
        _shop_row(7210001, "Mamadou Moustapha", "Barry", "mm.barry@example.com", "420", "2021-06-01"),
    ]), ImportOptions(channel="shop"))
    form = import_file(ws, write_csv(tmp_path / "responses.csv", FORM_HEADER, [
        ["3/14/2024 10:22:31", "mm.barry@example.com", "Mamadou Moustapha Barry", "candles", "4", "Yes",
         "14/03/2024", "", ""],
    ]))
    return ws, form.batch_id


def _customer(ws) -> int:
    with ws.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT id FROM customer").scalar_one()


def test_card_shows_the_full_name_and_more_fields_with_their_files(qtbot, shop):
    ws, form_batch = shop
    view = CustomerView(ws)
    qtbot.addWidget(view)
    view.resize(1024, 640)
    view.show()
    assert view.show_customer(_customer(ws))
    assert view.name_label.text() == "Mamadou Moustapha Barry"
    assert "Full name from " in view.name_label.toolTip() and ".csv row 1" in view.name_label.toolTip()
    assert view.more_fields.isVisible()
    shown = {name: (label.text(), label.toolTip()) for name, label in view.more_values.items()}
    assert shown["Loyalty points"][0] == "420"
    assert shown["Loyalty points"][1] == "Loyalty points: 420\nfrom customers_export.csv row 1 (Shop)"
    assert shown["What are you shopping for?"][0] == "candles"
    assert "responses.csv row 1" in shown["What are you shopping for?"][1]
    assert shown["Would you like a free sample with your next order?"][0] == "Yes"
    assert shown["When did you last visit the shop?"][0] == "14 Mar 2024"
    assert "Tax Exempt" not in shown  # Shopify's own flag, known to its preset: kept raw

    # Undoing the form's import takes its answers off the card.
    undo_batch(ws, form_batch)
    view.refresh()
    assert "What are you shopping for?" not in view.more_values
    assert view.more_values["Loyalty points"].text() == "420"


def test_erasing_the_person_leaves_no_field_on_screen(qtbot, shop, monkeypatch):
    ws, _ = shop
    view = CustomerView(ws)
    qtbot.addWidget(view)
    view.show()
    assert view.show_customer(_customer(ws))
    monkeypatch.setattr(view, "confirm_erase", lambda: True)
    monkeypatch.setattr(view, "show_info", lambda *a: None)
    qtbot.mouseClick(view.erase_person_button, Qt.MouseButton.LeftButton)
    assert view.more_values == {} and not view.more_fields.isVisibleTo(view)
    with ws.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM custom_field").scalar() == 0


def test_a_customer_without_custom_fields_shows_no_group(qtbot, ws, tmp_path):
    import_file(ws, write_csv(tmp_path / "list.csv", ["Email", "First Name", "Last Name"],
                              [["ann.lee@example.com", "Ann", "Lee"]]), ImportOptions(channel="email"))
    view = CustomerView(ws)
    qtbot.addWidget(view)
    view.show()
    assert view.show_customer(_customer(ws))
    assert not view.more_fields.isVisible()
    assert view.name_label.text() == "Ann Lee"


def test_a_field_value_of_the_wrong_kind_is_named_in_the_dialog_and_ok_waits(qtbot, shop):
    """Loyalty points holds numbers: "lots" is said under the value as it is typed, before OK,
    instead of closing the dialog on an error that loses what was typed. No name, no OK."""
    ws, _ = shop
    view = CustomerView(ws)
    qtbot.addWidget(view)
    assert view.show_customer(_customer(ws))
    dialog = view.custom_field_dialog("Loyalty points")
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert dialog.value_edit.text() == "420" and ok.isEnabled()
    dialog.value_edit.setText("lots")
    assert not dialog.validate() and not ok.isEnabled()
    assert dialog.error.text() == "'lots' is not a number; Loyalty points holds numbers."
    dialog.accept()
    assert dialog.result() != dialog.DialogCode.Accepted
    dialog.value_edit.setText("450")
    assert dialog.validate() and dialog.error.isHidden()
    dialog.names.setCurrentText("  ")
    assert not dialog.validate() and not ok.isEnabled()
    dialog.names.setCurrentText("Favourite scent")  # a new field takes any text
    dialog.value_edit.setText("lots")
    assert dialog.validate()


def test_the_erased_message_reads_left_to_right_for_a_name_in_arabic(qtbot, ws, tmp_path, monkeypatch):
    """A paragraph takes the direction of its first letter: "محمد العربي was erased…" showed as
    ".was erased from this workspace محمد العربي". The message begins in its own language."""
    import unicodedata

    import_file(ws, write_csv(tmp_path / "list.csv", ["Email", "First Name", "Last Name"],
                              [["m.alarabi@example.com", "محمد", "العربي"]]), ImportOptions(channel="email"))
    view = CustomerView(ws)
    qtbot.addWidget(view)
    assert view.show_customer(_customer(ws))
    said = []
    monkeypatch.setattr(view, "confirm_erase", lambda: True)
    monkeypatch.setattr(view, "show_info", lambda title, text: said.append(text))
    view.erase_person_dialog()
    first_strong = next(ch for ch in said[0] if unicodedata.bidirectional(ch) in ("L", "R", "AL"))
    assert unicodedata.bidirectional(first_strong) == "L"
    assert said[0].startswith("Erased محمد العربي from this workspace.")
