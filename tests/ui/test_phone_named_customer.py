"""A customer known by nothing but a number is named by it as the Phone column writes it."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.phones import shown_name
from tests.helpers import write_csv


def test_a_number_only_customer_is_named_as_the_phone_column_writes_the_number(window, make_workspace, tmp_path):
    ws = make_workspace(default_region="US")
    import_file(ws, write_csv(tmp_path / "sms_subscribers.csv", ["Phone Number", "Opted In"],
                              [["(619) 555-0157", "yes"], ["+44 20 7946 0958", "yes"]]), ImportOptions(channel="sms"))
    window.set_workspace(ws)
    window.show_screen("customers")
    screen = window.screens["customers"]
    screen.set_columns(["name", "phone"])
    model = screen.model
    model.reload()
    rows = {model.text(row, "name"): model.text(row, "phone") for row in range(model.rowCount())}
    # Not "+16195550157": the shop's own numbers nationally, others internationally, both as the Phone column.
    assert rows == {"(619) 555-0157": "(619) 555-0157", "+44 20 7946 0958": "+44 20 7946 0958"}
    with ws.engine.connect() as conn:
        cid = conn.exec_driver_sql("SELECT id FROM customer WHERE phone = '+16195550157'").scalar()
    window.open_customer(cid)
    for _ in range(3):
        QApplication.processEvents()
    assert window.customer_view.name_label.toolTip().splitlines()[0] == "(619) 555-0157"
    # A name is a name, even one that is digits; only the number itself is written anew.
    assert shown_name("Ann Lee", "+16195550157", "US") == "Ann Lee"
