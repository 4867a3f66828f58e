"""Which value a customer's card shows when their records disagree (golden.py's rules)."""

from __future__ import annotations

from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.profile import value_sources
from omnidesk.core.settings import change_setting
from tests.helpers import write_csv

HEADER = ["First Name", "Last Name", "Email", "Address", "City", "Zip", "Country"]


def _golden(ws):
    with ws.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT first_name, last_name, address, city, postcode, country FROM customer").fetchall()
    assert len(rows) == 1, rows
    return rows[0]


def test_the_shop_names_a_customer_an_email_list_does_not_and_the_user_can_say_otherwise(new_workspace, tmp_path):
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        import_file(ws, write_csv(tmp_path / "customers.csv", HEADER,
                                  [["Robert", "Miller", "bob@example.com", "1 Oak St", "Portland", "04101", "US"]]),
                    ImportOptions(channel="shop"))
        # Imported later: by recency alone the newsletter's nickname would win.
        import_file(ws, write_csv(tmp_path / "list.csv", ["Email", "First Name", "Last Name"],
                                  [["bob@example.com", "Bob", "Miller"]]), ImportOptions(channel="email"))
        assert _golden(ws)[:2] == ("Robert", "Miller")
        cid = ws.engine.connect().exec_driver_sql("SELECT id FROM customer").scalar()
        assert value_sources(ws, cid)["first_name"].source_file == "customers.csv"
        change_setting(ws, "channel_trust", "email, shop")
        assert _golden(ws)[:2] == ("Bob", "Miller")
        change_setting(ws, "channel_trust", "")  # back to the default order
        assert _golden(ws)[:2] == ("Robert", "Miller")


def test_an_address_comes_whole_from_the_latest_record_that_has_one(new_workspace, tmp_path):
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        import_file(ws, write_csv(tmp_path / "customers.csv", HEADER,
                                  [["Ann", "Lee", "ann@example.com", "1 Oak St", "Portland", "04101", "US"]]),
                    ImportOptions(channel="shop"))
        # She moved: the till has the new street and town, no postcode and no country.
        import_file(ws, write_csv(tmp_path / "till.csv", ["Email", "First Name", "Last Name", "Address", "City"],
                                  [["ann@example.com", "Ann", "Lee", "9 Elm Rd", "Bangor"]]),
                    ImportOptions(channel="pos"))
        assert _golden(ws)[2:] == ("9 Elm Rd", "Bangor", "", "US")
