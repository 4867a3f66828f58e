"""An order row with no date is flagged at import: kept, counted as flagged, and in the error report.

An order with no date cannot be placed in any week, nor inside a campaign's window: it counts in
all time only.  The import says so (the row is flagged, its date cell named), so the date can be
filled in in the error report and imported again.  An order's further line rows, which Shopify
writes without the order's date, and a contacts list, which has no dates, are not flagged.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from omnidesk.core.importing.store import UNDATED_ORDER
from tests.core.test_money import order, shopify_customers, shopify_orders
from tests.helpers import run_cli

NOW = datetime(2026, 4, 15, 12, 0, tzinfo=ZoneInfo("America/New_York"))


def _cli(capsys, *argv):
    with time_machine.travel(NOW, tick=False):
        status, out, err = run_cli(capsys, *argv)
    assert status == 0, err
    return out


def test_an_order_with_no_date_is_flagged_and_kept(make_workspace, tmp_path, capsys):
    ws = make_workspace(timezone="America/New_York", currency="USD", default_region="US")
    orders = shopify_orders(tmp_path / "orders_export.csv", [
        order("#2001", "una@example.com", "99.00", created="", billing_name="Una Ulm"),
        # Two lines: the second row of the order holds no date, as Shopify writes it.
        order("#2002", "vic@example.com", "10.00", created="2026-04-02 10:00:00 -0400", billing_name="Vic Vale",
              items=[(1, "Beans", "6.00"), (1, "Filter", "4.00")]),
        order("#2003", "wes@example.com", "21.00", created="", billing_name="Wes West",
              items=[(1, "Beans", "11.00"), (1, "Mug", "10.00")]),
    ])
    errors = tmp_path / "errors.csv"
    summary = json.loads(_cli(capsys, "import", "-w", ws.path, orders, "--channel", "shop", "--region", "US",
                              "--errors", errors, "--json").splitlines()[0])
    assert summary["rows"] == 5 and summary["imported"] == 5 and summary["events"] == 3
    assert summary["flagged"] == 2  # #2001 and #2003's first row; none of #2002, dated

    with errors.open(newline="", encoding="utf-8-sig") as fh:
        report = list(csv.DictReader(fh))
    assert [r["Name"] for r in report] == ["#2001", "#2003"]
    assert all(r["omnidesk_problems"] == f"Created at: {UNDATED_ORDER}" for r in report)

    # Kept all the same: counted in all time, in no week.
    totals = json.loads(_cli(capsys, "report", "-w", ws.path, "--json"))["totals"]
    assert totals["undated_orders"] == 2 and totals["revenue"] == 130.0

    # Filled in and imported again, the orders have their dates.
    for r in report:
        r["Created at"] = "2026-04-03 10:00:00 -0400"
    with errors.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(report[0]))
        w.writeheader()
        w.writerows(report)
    fixed = json.loads(_cli(capsys, "import", "-w", ws.path, errors, "--channel", "shop", "--region", "US",
                            "--json").splitlines()[0])
    assert fixed["flagged"] == 0
    totals = json.loads(_cli(capsys, "report", "-w", ws.path, "--json"))["totals"]
    assert totals["undated_orders"] == 0 and totals["revenue"] == 130.0


def test_a_contact_with_no_date_is_not_flagged(make_workspace, tmp_path, capsys):
    ws = make_workspace(timezone="America/New_York", currency="USD", default_region="US")
    people = shopify_customers(tmp_path / "customers_export.csv", [
        {"Customer ID": "1", "First Name": "Ann", "Last Name": "Lee", "Email": "ann@example.com"},
        {"Customer ID": "2", "First Name": "Bo", "Last Name": "Ray", "Email": "bo@example.com"},
    ])
    summary = json.loads(_cli(capsys, "import", "-w", ws.path, people, "--channel", "shop", "--region", "US",
                              "--json").splitlines()[0])
    assert summary["imported"] == 2 and summary["flagged"] == 0
