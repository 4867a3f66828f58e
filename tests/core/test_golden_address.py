"""The card's address: whole from one record, and a later bare ZIP code does not wipe the street."""

from __future__ import annotations

import time_machine
from sqlalchemy import select

from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.models import Customer
from omnidesk.core.timeline import find_customer
from tests.helpers import write_csv

SHOP = ["Email", "First Name", "Last Name", "Address1", "City", "Province Code", "Zip", "Country Code"]
FORM = ["email", "full_name", "zip_code", "city"]


def _place(ws, email: str) -> tuple:
    c = Customer.__table__
    with ws.engine.connect() as conn:
        return tuple(conn.execute(select(c.c.address, c.c.city, c.c.region, c.c.postcode, c.c.country)
                                  .where(c.c.id == find_customer(ws, email))).one())


def _shop_then_form(ws, tmp_path, form_rows):
    with time_machine.travel("2026-11-01 10:00:00Z", tick=False):
        import_file(ws, write_csv(tmp_path / "customers_export.csv", SHOP, [
            ["grace@example.com", "Grace", "Clark", "559 Walnut St", "Brooklyn", "NY", "11211", "US"]]),
            ImportOptions(channel="shop"))
    with time_machine.travel("2026-11-20 10:00:00Z", tick=False):
        import_file(ws, write_csv(tmp_path / "leads_gift_guide.csv", FORM, form_rows),
                    ImportOptions(channel="social"))


def test_a_later_bare_zip_code_at_the_same_place_keeps_the_street(ws, tmp_path):
    _shop_then_form(ws, tmp_path, [["grace@example.com", "Grace Clark", "11211", ""]])
    assert _place(ws, "grace@example.com") == ("559 Walnut St", "Brooklyn", "NY", "11211", "US")


def test_a_later_zip_code_of_another_place_is_a_move(ws, tmp_path):
    _shop_then_form(ws, tmp_path, [["grace@example.com", "Grace Clark", "97201", "Portland"]])
    address, city, _region, postcode, _country = _place(ws, "grace@example.com")
    # The old street never sits beside the new ZIP code.
    assert (address, city, postcode) == ("", "Portland", "97201")


def test_a_later_whole_address_replaces_the_earlier_one(ws, tmp_path):
    with time_machine.travel("2026-11-01 10:00:00Z", tick=False):
        import_file(ws, write_csv(tmp_path / "customers_export.csv", SHOP, [
            ["grace@example.com", "Grace", "Clark", "559 Walnut St", "Brooklyn", "NY", "11211", "US"]]),
            ImportOptions(channel="shop"))
    with time_machine.travel("2026-11-20 10:00:00Z", tick=False):
        import_file(ws, write_csv(tmp_path / "customers_export_2.csv", SHOP, [
            ["grace@example.com", "Grace", "Clark", "12 Berry St", "Brooklyn", "NY", "11211", "US"]]),
            ImportOptions(channel="shop"))
    assert _place(ws, "grace@example.com")[:2] == ("12 Berry St", "Brooklyn")
