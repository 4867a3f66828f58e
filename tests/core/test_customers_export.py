"""Customer exports: consent on every channel, and cells a spreadsheet cannot turn into formulas."""

from __future__ import annotations

import csv

import pytest

from omnidesk.core.exporting.csvsafe import safe_cell
from omnidesk.core.exporting.tables import CUSTOMERS_HEADER, export_customers
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from tests.helpers import write_csv


@pytest.mark.parametrize(("value", "written"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"),
    ("\tTab", "'\tTab"),
    ("+14155550100", "+14155550100"),  # an E.164 phone stays usable
    ("-12.50", "-12.50"),
    ("--03-07", "--03-07"),  # a birthday without its year, ISO 8601
    ("--03-07=1", "'--03-07=1"),
    ("Ann", "Ann"),
    (None, ""),
])
def test_safe_cell(value, written):
    assert safe_cell(value) == written


def test_customers_export_has_consent_per_channel_and_yearless_birthdays(new_workspace, tmp_path):
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        import_file(ws, write_csv(
            tmp_path / "crm.csv",
            ["Email", "First Name", "Birthday", "Email opt-in", "SMS opt-in", "WhatsApp opt-in", "Phone"],
            [["ann@example.com", "Ann", "--03-07", "yes", "no", "yes", "+14155550101"],
             ["bo@example.com", "Bo", "1990-05-01", "no", "", "", ""]]),
            ImportOptions(channel="pos", mapping=["email", "first_name", "birthday", "consent_email",
                                                  "consent_sms", "consent_whatsapp", "phone"]))
        out = tmp_path / "customers.csv"
        assert export_customers(ws, out) == 2
    with out.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == CUSTOMERS_HEADER
        rows = {r["email"]: r for r in reader}
    ann, bo = rows["ann@example.com"], rows["bo@example.com"]
    assert (ann["consent_email"], ann["consent_sms"], ann["consent_whatsapp"]) == ("granted", "denied", "granted")
    assert (bo["consent_email"], bo["consent_sms"], bo["consent_whatsapp"]) == ("denied", "", "")
    assert ann["birthday"] == "--03-07" and bo["birthday"] == "1990-05-01"


def test_first_and_last_seen_are_written_on_the_shops_clock_with_its_offset(make_workspace, tmp_path):
    """Seen on the evening of 6 May in New York: not "2026-05-07T01:52" with no zone, which reads as the 7th."""
    from omnidesk.core.edits import add_customer

    ws = make_workspace("ny.omnidesk", timezone="America/New_York")
    add_customer(ws, {"first_name": "Ann"}, now="2026-05-07T01:52:00")
    add_customer(ws, {"first_name": "Bo"}, now="2026-01-10T15:00:00")
    out = tmp_path / "seen.csv"
    export_customers(ws, out, columns=["first_name", "first_seen", "last_seen"])
    assert out.read_text(encoding="utf-8").splitlines() == [
        "first_name,first_seen,last_seen",
        "Ann,2026-05-06T21:52:00-04:00,2026-05-06T21:52:00-04:00",
        "Bo,2026-01-10T10:00:00-05:00,2026-01-10T10:00:00-05:00"]
