"""A card's first and last seen are UTC instants, a till's local times too, through real imports.

A till writes its sales on the shop's clock without an offset ("01/05/2024;23:30" in New York).
The card kept such a time as given beside the online shop's UTC times, so whatever reads the
column as UTC (a rule on first seen, the customers file) put a sale at 23:30 on 5 January five
hours early, and one at 00:30 on the 6th on the 5th.  Now the card keeps 04:30 UTC on the 6th:
the card, a rule and the Dashboard's new customers read 5 January on the shop's clock.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from omnidesk.core import metrics, segments
from omnidesk.core.exporting.tables import export_customers
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.profile import customer_profile
from omnidesk.core.settings import change_settings
from omnidesk.core.timeutil import local_day
from omnidesk.core.workspace import Workspace
from tests.helpers import workspace_at as _workspace_at
from tests.core.test_money import order, shopify_orders
from tests.helpers import run_cli, write_csv

TILL = ["Date", "Time", "Receipt No", "Customer", "Mobile", "Loyalty Card", "Items", "Total"]
SALES = [
    ["01/05/2024", "23:30", "5001", "LATE, ANN", "(212) 555-0101", "", "Mug x1", "15,00"],  # 04:30 UTC on the 6th
    ["01/06/2024", "00:30", "5002", "EARLY, BO", "(212) 555-0102", "", "Mug x1", "15,00"],  # 05:30 UTC on the 6th
]
NOW = "2024-02-01T12:00:00Z"
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _import_till(ws, tmp_path, capsys, rows=SALES):
    till = write_csv(tmp_path / "till_transactions.csv", TILL, rows, delimiter=";")
    status, _out, err = run_cli(capsys, "import", till, "-w", ws.path, "--kind", "events", "--channel", "pos")
    assert status == 0, err


def _seen(path) -> dict[str, tuple[str, str]]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {name: (first, last) for name, first, last in
                con.execute("SELECT display_name, first_seen, last_seen FROM customer")}
    finally:
        con.close()


def _names(ws, rule, now=None) -> set[str]:
    ids = segments.member_ids(ws, rule, now)
    return {customer_profile(ws, cid).display_name for cid in ids}


def test_a_till_sale_late_in_new_york_is_stored_as_its_utc_instant(make_workspace, tmp_path, capsys):
    ws = make_workspace(timezone="America/New_York")
    _import_till(ws, tmp_path, capsys)
    assert _seen(ws.path) == {"Ann Late": ("2024-01-06T04:30:00", "2024-01-06T04:30:00"),
                              "Bo Early": ("2024-01-06T05:30:00", "2024-01-06T05:30:00")}
    # The card shows the shop's day: Ann on the 5th, Bo on the 6th.
    ann, bo = (customer_profile(ws, cid) for cid in segments.member_ids(ws, {"all": []}))
    assert (ann.display_name, local_day(ann.first_seen, NEW_YORK)) == ("Ann Late", "2024-01-05")
    assert (bo.display_name, local_day(bo.first_seen, NEW_YORK)) == ("Bo Early", "2024-01-06")


def test_a_rule_on_first_seen_picks_the_day_the_card_shows(make_workspace, tmp_path, capsys):
    ws = make_workspace(timezone="America/New_York")
    _import_till(ws, tmp_path, capsys)

    def rule(op, value):
        return {"field": "first_seen", "op": op, "value": value}

    assert _names(ws, rule("gte", "2024-01-06")) == {"Bo Early"}
    assert _names(ws, rule("lt", "2024-01-06")) == {"Ann Late"}
    assert _names(ws, rule("between", ["2024-01-05", "2024-01-05"])) == {"Ann Late"}
    assert _names(ws, rule("between", ["2024-01-06", "2024-01-06"])) == {"Bo Early"}
    # A day back from midnight on the 7th in New York (05:00 UTC): Bo's 00:30 on the 6th, not Ann's evening.
    assert _names(ws, rule("within_days", 1), datetime.fromisoformat("2024-01-07T05:00:00+00:00")) == {"Bo Early"}


def test_the_customers_file_writes_a_till_sale_at_its_time_in_the_shop(make_workspace, tmp_path, capsys):
    ws = make_workspace(timezone="America/New_York")
    _import_till(ws, tmp_path, capsys)
    out = tmp_path / "customers.csv"
    export_customers(ws, out, columns=["first_name", "first_seen", "last_seen"])
    with out.open(encoding="utf-8", newline="") as fh:
        rows = {r["first_name"]: r for r in csv.DictReader(fh)}
    assert rows["Ann"]["first_seen"] == rows["Ann"]["last_seen"] == "2024-01-05T23:30:00-05:00"
    assert rows["Bo"]["first_seen"] == "2024-01-06T00:30:00-05:00"


def test_a_till_first_customer_is_new_on_the_shops_day(make_workspace, tmp_path, capsys):
    ws = make_workspace(timezone="America/New_York")
    _import_till(ws, tmp_path, capsys)
    # An order online at 23:45 on the 5th in New York (04:45 UTC on the 6th), with its offset.
    import_file_orders = shopify_orders(tmp_path / "orders_export.csv", [
        order("#1001", "cy@example.com", "20.00", created="2024-01-05 23:45:00 -0500", billing_name="Cy Online")])
    status, _out, err = run_cli(capsys, "import", import_file_orders, "-w", ws.path)
    assert status == 0, err
    assert _seen(ws.path)["Ann Late"][0] == "2024-01-06T04:30:00"

    def new(first, last):
        return sum(r["customers"] for r in metrics.new_customers(ws, metrics.Period(first, last)))

    assert new(date(2024, 1, 5), date(2024, 1, 5)) == 2  # Ann at the till, Cy online
    assert new(date(2024, 1, 6), date(2024, 1, 6)) == 1  # Bo
    assert new(date(2024, 1, 6), date(2024, 1, 31)) == 1
    # Friday the 5th and Saturday the 6th: one ISO week.
    assert metrics.new_customers(ws) == [{"week": "2024-W01", "customers": 3}]
    status, out, _ = run_cli(capsys, "report", "--json", "-w", ws.path, "--from", "2024-01-05", "--to", "2024-01-05")
    assert status == 0 and json.loads(out)["new_customers"] == [{"week": "2024-W01", "customers": 2}]


def test_a_new_time_zone_in_the_preferences_gives_the_till_times_new_instants(make_workspace, tmp_path, capsys):
    ws = make_workspace(timezone="America/New_York")
    _import_till(ws, tmp_path, capsys)
    change_settings(ws, {"timezone": "Europe/Berlin"})  # what Preferences' Save does
    assert _seen(ws.path) == {"Ann Late": ("2024-01-05T22:30:00", "2024-01-05T22:30:00"),
                              "Bo Early": ("2024-01-05T23:30:00", "2024-01-05T23:30:00")}
    assert sum(r["customers"] for r in metrics.new_customers(
        ws, metrics.Period(date(2024, 1, 5), date(2024, 1, 5)))) == 1  # Ann; Bo's 00:30 is the 6th in Berlin too


# -- a workspace a version before made ------------------------------------------------------------

def _as_kept_before(path, cards: dict[str, tuple[str, str]]) -> None:
    """Each named card's first and last seen as a version before this one kept them."""
    con = sqlite3.connect(path)
    try:
        with con:
            con.executemany("UPDATE customer SET first_seen = ?, last_seen = ? WHERE display_name = ?",
                            [(first, last, name) for name, (first, last) in cards.items()])
        assert con.total_changes == len(cards)
    finally:
        con.close()


def test_opening_a_workspace_made_before_stores_its_till_times_in_utc(tmp_path):
    path = tmp_path / "old.omnidesk"
    ws = _workspace_at(path, "0027")
    ws.set_setting("timezone", "America/New_York")
    import_file(ws, write_csv(tmp_path / "till_transactions.csv", TILL, SALES, delimiter=";"),
                ImportOptions(channel="pos", kind="events"))
    ws.close()
    _as_kept_before(path, {"Ann Late": ("2024-01-05T23:30:00", "2024-01-05T23:30:00"),
                           "Bo Early": ("2024-01-06T00:30:00", "2024-01-06T00:30:00")})

    with Workspace.open(path) as opened:
        assert opened.backup_path is not None  # migrated: the 0027 file was kept aside first
        assert _seen(path) == {"Ann Late": ("2024-01-06T04:30:00", "2024-01-06T04:30:00"),
                               "Bo Early": ("2024-01-06T05:30:00", "2024-01-06T05:30:00")}
        assert segments.count(opened, {"field": "first_seen", "op": "gte", "value": "2024-01-06"}) == 1


def test_a_workspace_of_times_given_with_their_offset_is_opened_without_working_its_cards_out(tmp_path):
    path = tmp_path / "online.omnidesk"
    ws = _workspace_at(path, "0027")
    ws.set_setting("timezone", "America/New_York")
    import_file(ws, shopify_orders(tmp_path / "orders_export.csv", [
        order("#1001", "cy@example.com", "20.00", created="2024-01-05 23:45:00 -0500", billing_name="Cy Online")]))
    ws.close()
    con = sqlite3.connect(path)
    with con:
        con.execute("UPDATE customer SET updated_at = '2000-01-01T00:00:00'")
    con.close()

    with Workspace.open(path) as opened:
        assert opened.backup_path is not None  # migrated: the 0027 file was kept aside first
        with opened.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT updated_at, first_seen FROM customer").one() == (
                "2000-01-01T00:00:00", "2024-01-06T04:45:00")
