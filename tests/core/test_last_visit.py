"""A customers export's last visit is when the person was last seen.

Square's customers export gives each customer's `First Visit` and `Last Visit`, WooCommerce's
Customers report its `Last Active`: the card's last seen (and first seen, the earliest time the
person was there) counts them as it counts a sign-up, on the shop's clock for a bare date, and
the segments' `last seen` rules go by the card.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime

import pytest
import time_machine

from omnidesk.core.exporting.tables import export_customers
from omnidesk.core.importing.pipeline import import_file
from omnidesk.core.segments import member_ids
from omnidesk.core.timeline import find_customer

# Square Dashboard › Customers › Export customers (the directory's layout).
SQUARE_CUSTOMERS = (
    "Reference ID,First Name,Last Name,Email Address,Phone Number,Nickname,Company Name,Street Address 1,"
    "Street Address 2,City,State,Postal Code,Birthday,Memo,Square Customer ID,Creation Source,First Visit,"
    "Last Visit,Transaction Count,Lifetime Spend,Email Subscription Status,Instant Profile,"
    "Blocked from online booking,Groups\n"
    ",Irene,Adler,irene.adler@example.com,+14155550131,,,221 Baker St,,San Francisco,CA,94110,1985-03-14,"
    "Likes lavender,7XKQ2M3N4P5R6S7T8V9W0Y1Z2A,Directory,2023-05-02,2024-04-20,5,\"$1,234.50\",Subscribed,No,No,"
    "Loyalty\n"
    ",Jack,Ryan,jack.ryan@example.com,+14155550132,,,,,,,,,,8XKQ2M3N4P5R6S7T8V9W0Y1Z2B,Third Party,2024-01-10,"
    "2024-01-10,1,$12.00,Unsubscribed,No,No,\n"
)
# WooCommerce › Customers › Download.
WOOCOMMERCE_CUSTOMERS = (
    "Name,Username,Last Active,Sign Up,Email,Orders,Total Spend,AOV,Country / Region,City,Region,Postal Code\n"
    "Liam O'Brien,liamob,2024-04-02,2023-01-15,liam.obrien@example.com,4,\"$1,020.00\",$255.00,Ireland,Dublin,"
    "Dublin,D02 X285\n"
    "Mia Wong,,2024-03-01,,mia.wong@example.com,1,$35.50,$35.50,United States,Austin,TX,78701\n"
)


@pytest.fixture
def ws(make_workspace):
    return make_workspace(timezone="America/New_York")


def seen(ws, email: str) -> tuple[str | None, str | None]:
    cid = find_customer(ws, email)
    assert cid is not None, email
    with ws.engine.connect() as conn:
        return tuple(conn.exec_driver_sql("SELECT first_seen, last_seen FROM customer WHERE id = ?", (cid,)).one())


def test_squares_last_visit_and_woocommerces_last_active_are_when_the_customer_was_last_seen(ws, tmp_path):
    square = tmp_path / "customers.csv"
    square.write_text(SQUARE_CUSTOMERS, encoding="utf-8-sig")
    woo = tmp_path / "customers-report.csv"
    woo.write_text(WOOCOMMERCE_CUSTOMERS, encoding="utf-8")
    with time_machine.travel("2024-05-02 12:00Z", tick=False):
        assert import_file(ws, square).preset == "square"
        assert import_file(ws, woo).preset == "woocommerce_customers"
    # Each day starts on the shop's clock, New York's (04:00 UTC in summer, 05:00 in winter).
    assert seen(ws, "irene.adler@example.com") == ("2023-05-02T04:00:00", "2024-04-20T04:00:00")
    assert seen(ws, "jack.ryan@example.com") == ("2024-01-10T05:00:00", "2024-01-10T05:00:00")
    assert seen(ws, "liam.obrien@example.com") == ("2023-01-15T05:00:00", "2024-04-02T04:00:00")
    # No sign-up date: the last active day alone is when Mia was seen.
    assert seen(ws, "mia.wong@example.com") == ("2024-03-01T05:00:00", "2024-03-01T05:00:00")

    # The customers file says it on the shop's clock; a segment's rule goes by it.
    out = tmp_path / "customers_out.csv"
    export_customers(ws, out, columns=["email", "first_seen", "last_seen"])
    with out.open(encoding="utf-8") as f:
        rows = {r["email"]: (r["first_seen"], r["last_seen"]) for r in csv.DictReader(f)}
    assert rows["irene.adler@example.com"] == ("2023-05-02T00:00:00-04:00", "2024-04-20T00:00:00-04:00")
    assert rows["mia.wong@example.com"] == ("2024-03-01T00:00:00-05:00", "2024-03-01T00:00:00-05:00")
    recent = {"field": "last_seen", "op": "gte", "value": "2024-04-01"}
    now = datetime(2024, 5, 2, 12, tzinfo=UTC)
    assert set(member_ids(ws, recent, now)) == {find_customer(ws, "irene.adler@example.com"),
                                                 find_customer(ws, "liam.obrien@example.com")}
