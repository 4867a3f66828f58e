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
