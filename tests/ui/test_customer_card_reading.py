"""The card says how its customer's name is read, where a file gave the reading (furigana)."""

from __future__ import annotations

from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.ui.views.customer import CustomerView
from tests.core.test_name_readings import _write_shop_files
from tests.helpers import write_csv


def test_card_shows_the_reading_of_a_name_in_kanji(qtbot, make_workspace, tmp_path):
    ws = make_workspace(default_region="JP")
    contacts, till, _ = _write_shop_files(tmp_path)
    import_file(ws, contacts, ImportOptions(channel="contacts", region="JP"))
    import_file(ws, write_csv(tmp_path / "news.csv", ["Email Address", "First Name", "Last Name"],
                              [["anna@example.se", "Anna", "Berg"]]),
                ImportOptions(channel="email", kind="contacts"))
    with ws.engine.connect() as conn:
        taro = conn.exec_driver_sql("SELECT customer_id FROM source_record WHERE first_name = '太郎'").scalar_one()
        anna = conn.exec_driver_sql("SELECT customer_id FROM source_record WHERE first_name = 'Anna'").scalar_one()
    view = CustomerView(ws)
    qtbot.addWidget(view)
    view.resize(1024, 640)
    view.show()
    assert view.show_customer(taro)
    # Family name first, as a name in kanji is written; read in the same order.
    assert view.name_label.text() == "山田 太郎"
    assert view.subtitle.text().startswith("ヤマダ タロウ · Customer #")
    assert view.show_customer(anna)
    assert view.subtitle.text().startswith("Customer #")
    # The till's katakana is the more trusted name: it reads itself, no reading beside it.
    import_file(ws, till, ImportOptions(channel="pos", kind="contacts", region="JP",
                                        mapping=["external_id", "full_name", "phone"]))
    assert view.show_customer(taro)
    assert view.name_label.text() == "ヤマダ タロウ"
    assert view.subtitle.text().startswith("Customer #")


def test_a_value_cut_short_on_the_card_is_whole_in_its_tooltip(qtbot, ws, tmp_path):
    """Eight tags and a long street in a 1,024 px window end in "…": hovering shows them whole
    (the card's text cannot be selected), then where they came from, as before."""
    from PySide6.QtCore import QEvent, QPoint
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QApplication, QToolTip

    tags = ", ".join(f"Tag number {i} of a very long list" for i in range(8))
    street = "Flat 12B, The Old Granary Building, 1234 Extremely Long Street Name Avenue Extension"
    import_file(ws, write_csv(tmp_path / "shop.csv", ["Email", "First Name", "Last Name", "Address1", "City", "Tags"],
                              [["ann@example.com", "Ann", "Lee", street, "Bath", tags]]), ImportOptions(channel="shop"))
    view = CustomerView(ws)
    qtbot.addWidget(view)
    view.resize(840, 600)  # a 1,024 px window less the navigation
    view.show()
    qtbot.waitExposed(view)
    assert view.show_customer(1)
    label = view.fields["tags"]
    assert label.text() == tags and label.is_elided()
    assert label.tooltip_text() == f"{tags}\nTags from every source record of this customer"
    address = view.fields["address"]
    assert address.is_elided() and address.tooltip_text().startswith(street + "\nfrom shop.csv row 1")
    assert not view.fields["email"].is_elided()
    assert view.fields["email"].tooltip_text() == view.fields["email"].toolTip()  # whole: as before
    QApplication.sendEvent(label, QHelpEvent(QEvent.Type.ToolTip, QPoint(5, 5), label.mapToGlobal(QPoint(5, 5))))
    assert QToolTip.text() == label.tooltip_text()
