"""A customer who signed up on a day is new on that day of the shop, east of UTC too.

An SMS list's "Opt-in date", a till's "Signed up" or Square's "First Visit" give a
day alone.  The card keeps it as the start of that day on the shop's clock, in UTC:
in Berlin the evening before.  The Dashboard's new customers (per period and per
ISO week) count such a customer on the shop's day: one who signed up on 1 April is
new in April, one who signed up on Monday 6 April in that week.
"""

from __future__ import annotations

import json
from datetime import date

from omnidesk.core import metrics
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from tests.core.test_money import order, shopify_orders
from tests.core.test_presets import SQUARE_DIRECTORY
from tests.helpers import run_cli, write_csv

MARCH = metrics.Period(date(2026, 3, 1), date(2026, 3, 31))
APRIL = metrics.Period(date(2026, 4, 1), date(2026, 4, 30))


def _shop(make_workspace, tmp_path):
    ws = make_workspace(timezone="Europe/Berlin", default_region="DE", currency="EUR")
    import_file(ws, write_csv(tmp_path / "sms_subscribers.csv", ["Phone", "First name", "Opted in", "Opt-in date"], [
        ["+4915112345678", "Jonas", "yes", "2026-04-01"],  # Wednesday 1 April: 2026-W14
        ["+4915112345679", "Mia", "yes", "2026-04-06"],  # Monday 6 April: 2026-W15
        ["+4915112345670", "Lena", "yes", "2026-03-31"],  # the last day of March
        ["+4915112345671", "Max", "yes", "2026-05-01"],  # May, though kept as the evening of 30 April
    ]))
    import_file(ws, write_csv(tmp_path / "till_customers.csv", ["Email", "Name", "Signed up"], [
        ["paul@example.de", "Paul Weber", "2026-04-13"],  # Monday 13 April: 2026-W16
    ]))
    import_file(ws, write_csv(tmp_path / "square_customers.csv", SQUARE_DIRECTORY, [
        [row.get(h, "") for h in SQUARE_DIRECTORY] for row in [{
            "First Name": "Eva", "Last Name": "Braun", "Email Address": "eva@example.de",
            "Square Customer ID": "JDKYHBWT1D4F8MFH63DBMEN8Y4", "Creation Source": "Directory",
            "First Visit": "2026-04-01", "Last Visit": "2026-04-02", "Transaction Count": "1",
            "Lifetime Spend": "12.00"}]]))
    # A time given with its offset: an hour into April in Berlin, still March in UTC.
    import_file(ws, shopify_orders(tmp_path / "orders_export.csv", [
        order("#1001", "ole@example.de", "20.00", created="2026-04-01 00:30:00 +0200", billing_name="Ole Berg",
              Currency="EUR")]))
    return ws


def test_a_sign_up_given_as_a_day_is_new_on_the_shops_day(make_workspace, tmp_path, capsys):
    ws = _shop(make_workspace, tmp_path)
    with ws.engine.connect() as conn:
        firsts = dict(conn.exec_driver_sql("SELECT display_name, first_seen FROM customer").all())
    assert firsts["Jonas"] == "2026-03-31T22:00:00"  # the start of 1 April in Berlin
    assert len(firsts) == 7

    assert sum(r["customers"] for r in metrics.new_customers(ws, APRIL)) == 5
    assert metrics.new_customers(ws, MARCH) == [{"week": "2026-W14", "customers": 1}]  # Lena alone
    assert {r["week"]: r["customers"] for r in metrics.new_customers(ws)} == {
        "2026-W14": 4, "2026-W15": 1, "2026-W16": 1, "2026-W18": 1}  # Lena, Jonas, Eva, Ole; Mia; Paul; Max
    # A period that begins on a Monday: Mia and Paul, and nobody of the week before.
    assert metrics.new_customers(ws, metrics.Period(date(2026, 4, 6), date(2026, 4, 13))) == [
        {"week": "2026-W15", "customers": 1}, {"week": "2026-W16", "customers": 1}]

    status, out, _ = run_cli(capsys, "report", "-w", str(ws.path), "--from", "2026-04-01", "--to", "2026-04-30")
    assert status == 0 and "5 new customers" in out.splitlines()[0]
    status, out, _ = run_cli(capsys, "report", "--json", "-w", str(ws.path), "--to", "2026-03-31")
    assert json.loads(out)["new_customers"] == [{"week": "2026-W14", "customers": 1}]


def test_a_sign_up_time_without_a_zone_is_on_the_shops_clock_for_first_seen(make_workspace, tmp_path):
    """"Signed up 2024-01-06 00:30" in New York was taken as 00:30 UTC: the card, the list and a
    rule on first seen put the sign-up on the 5th, while the timeline showed the 6th."""
    from sqlalchemy import select

    from omnidesk.core.models import Customer
    from omnidesk.core.segments import count

    ws = make_workspace(timezone="America/New_York")
    import_file(ws, write_csv(tmp_path / "people.csv", ["First Name", "Last Name", "Email", "Signed up"],
                              [["Early", "Bird", "early@example.com", "2024-01-06 00:30"]]),
                ImportOptions(channel="sms"))
    with ws.engine.connect() as conn:
        assert conn.execute(select(Customer.__table__.c.first_seen)).scalar_one() == "2024-01-06T05:30:00"
    for day, n in (("2024-01-05", 0), ("2024-01-06", 1)):
        assert count(ws, {"field": "first_seen", "op": "between", "value": [day, day]}) == n, day
    january = metrics.Period(date(2024, 1, 6), date(2024, 1, 6))
    assert [r["customers"] for r in metrics.new_customers(ws, january)] == [1]
    assert metrics.new_customers(ws, metrics.Period(date(2024, 1, 5), date(2024, 1, 5))) == []
