"""Mailchimp's address field is one cell, its parts two spaces apart: read as street, city, state,
postcode and country, as Mailchimp itself reads it when the same file is imported there."""

from __future__ import annotations

import csv

from omnidesk.cli import main
from tests.helpers import write_csv

HEADER = ["Email Address", "First Name", "Last Name", "Address", "Phone Number", "Birthday", "MEMBER_RATING",
          "OPTIN_TIME", "OPTIN_IP", "CONFIRM_TIME", "CONFIRM_IP", "LATITUDE", "LONGITUDE", "GMTOFF", "DSTOFF",
          "TIMEZONE", "CC", "REGION", "LAST_CHANGED", "LEID", "EUID", "NOTES", "TAGS"]


def _member(email: str, first: str, address: str, euid: str) -> list[str]:
    return [email, first, "Nguyen", address, "", "", "4", "2024-01-05 10:22:13", "", "2024-01-05 10:23:01", "",
            "", "", "", "", "", "", "", "2024-01-05 10:23:01", euid[-4:], euid, "", ""]


def test_the_one_cell_address_of_a_mailchimp_export_is_read_part_by_part(tmp_path):
    members = write_csv(tmp_path / "subscribed_members_export_3f2a91c0de.csv", HEADER, [
        _member("alice@example.com", "Alice", "12 Oak St  Apt 4  Portland  OR  97201  US", "a1b2c3"),
        _member("bao@example.com", "Bao", "1701 Bristol Ave.  Barrington  Rhode Island  02806  USA", "b1b2c3"),
        # Not so: no country at the end, or too few parts: kept whole, as written.
        _member("cam@example.com", "Cam", "5 Elm Rd  Flat 2", "c1b2c3"),
        _member("dee@example.com", "Dee", "Unit 4  18 King St  Leeds  LS1  2HQ  Leeds", "d1b2c3"),
    ])
    ws = tmp_path / "shop.omnidesk"
    assert main(["import", str(members), "-w", str(ws)]) == 0
    out = tmp_path / "customers.csv"
    assert main(["export", "customers", str(out), "-w", str(ws), "--columns",
                 "first_name,address,city,region,postcode,country"]) == 0
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = {r["first_name"]: r for r in csv.DictReader(fh)}
    assert [rows["Alice"][k] for k in ("address", "city", "region", "postcode", "country")] == [
        "12 Oak St, Apt 4", "Portland", "OR", "97201", "US"]
    assert [rows["Bao"][k] for k in ("address", "city", "region", "postcode", "country")] == [
        "1701 Bristol Ave.", "Barrington", "Rhode Island", "02806", "US"]
    assert (rows["Cam"]["address"], rows["Cam"]["city"], rows["Cam"]["country"]) == ("5 Elm Rd  Flat 2", "", "")
    assert rows["Dee"]["address"] == "Unit 4  18 King St  Leeds  LS1  2HQ  Leeds" and rows["Dee"]["city"] == ""
