"""Journeys read every time on the shop's clock, through real imports.

A Shopify export gives each order's time with its offset (stored in UTC); a till gives
local times without one (stored as given, on the shop's clock).  A journey orders a
customer's channels by the instants these name, begins in the period whose day (on the
shop's clock) holds its first appearance, ends at the first purchase — a till's refund
line is none — and a Sankey flow's click-through holds exactly the customers it counts.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
import time_machine

from omnidesk.core import metrics, segments
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from tests.core.test_money import order, shopify_orders
from tests.helpers import run_cli, write_csv

TILL = ["Date", "Time", "Receipt No", "Customer", "Mobile", "Loyalty Card", "Items", "Total"]
MARCH = metrics.Period(date(2026, 3, 1), date(2026, 3, 31))
APRIL = metrics.Period(date(2026, 4, 1), date(2026, 4, 30))


def _till(ws, tmp_path, rows, name="till_transactions.csv"):
    import_file(ws, write_csv(tmp_path / name, TILL, rows, delimiter=";"), ImportOptions(channel="pos", kind="events"))


def _paths(ws, period=metrics.Period()):
    return {tuple(j["path"]): (j["customers"], j["median_days"]) for j in metrics.journeys(ws, period, limit=None)}


def _flows_open_their_customers(ws, period):
    """Every flow of the period's Sankey opens exactly as many customers as it counts."""
    _nodes, flows = metrics.journey_graph(metrics.journeys(ws, period, limit=None))
    for ((col, channel), (_next, then)), n in flows.items():
        assert segments.count(ws, metrics.journey_rule(col, channel, then, period)) == n, (col, channel, then)
    return flows


@pytest.mark.parametrize("zone, created, month", [
    ("America/New_York", "2026-03-31 23:30:00 -0400", MARCH),  # 1 April in UTC: March's last evening
    ("Asia/Tokyo", "2026-04-01 08:30:00 +0900", APRIL),  # 31 March in UTC: an April morning
])
def test_a_journey_begins_on_the_shops_day(make_workspace, tmp_path, capsys, zone, created, month):
    ws = make_workspace(timezone=zone)
    import_file(ws, shopify_orders(tmp_path / "orders_export.csv", [order("#1001", "ann@example.com", "40.00",
                                                                          created=created)]))
    other = APRIL if month is MARCH else MARCH
    assert _paths(ws, month) == {("shop", "purchase"): (1, 0.0)}
    assert _paths(ws, other) == {}
    # Where new customers count her, journeys do.
    assert sum(r["customers"] for r in metrics.new_customers(ws, month)) == 1
    assert _flows_open_their_customers(ws, month) == {((0, "shop"), (3, "purchase")): 1}
    assert _flows_open_their_customers(ws, other) == {}
    # A rule asking when the journey began reads the same day.
    day = month.end.isoformat()
    assert segments.count(ws, {"field": "journey_start", "op": "between", "value": [day, day]}) == (month is MARCH)
    # The report says so too.
    _, out, _ = run_cli(capsys, "report", "--json", "-w", str(ws.path), "--from", month.start.isoformat(),
                        "--to", month.end.isoformat())
    assert [j["path"] for j in json.loads(out)["journeys"]] == [["shop", "purchase"]]


def test_an_order_online_before_a_sale_at_the_till_comes_first(make_workspace, tmp_path):
    # Bob bought online at 10:00 and at the till at 12:00 the same day (New York): 14:00 and 16:00 UTC,
    # though the till's time is stored as the 12:00 it gave.  Cara bought at the till at 09:00 and
    # online at 10:00.
    ws = make_workspace(timezone="America/New_York")
    import_file(ws, shopify_orders(tmp_path / "orders_export.csv", [
        order("#1002", "bob@example.com", "25.00", created="2026-04-10 10:00:00 -0400", billing_name="Bob Stone",
              **{"Billing Phone": "2125550199"}),
        order("#1003", "cara@example.com", "30.00", created="2026-04-11 10:00:00 -0400", billing_name="Cara Nolan",
              **{"Billing Phone": "2125550142"})]))
    _till(ws, tmp_path, [["04/10/2026", "12:00", "5001", "STONE, BOB", "(212) 555-0199", "", "Mug x1", "15,00"],
                         ["04/11/2026", "09:00", "5002", "NOLAN, CARA", "(212) 555-0142", "", "Tea x1", "8,00"]])
    assert _paths(ws) == {("shop", "purchase"): (1, 0.0), ("pos", "purchase"): (1, 0.0)}
    assert _paths(ws, APRIL) == _paths(ws)
    flows = _flows_open_their_customers(ws, APRIL)
    assert flows == {((0, "shop"), (3, "purchase")): 1, ((0, "pos"), (3, "purchase")): 1}
    assert segments.count(ws, {"field": "purchase_channel", "op": "is", "value": "shop"}) == 1

    # The shop moves to Tokyo: the till's noon is 03:00 UTC there, before the order online; every
    # kept journey is made again on the new clock, and a rule reads it so.
    ws.set_setting("timezone", "Asia/Tokyo")
    assert _paths(ws) == {("pos", "purchase"): (2, 0.0)}
    assert segments.count(ws, {"field": "purchase_channel", "op": "is", "value": "pos"}) == 2


def test_journeys_kept_by_an_earlier_version_are_made_again(make_workspace, tmp_path):
    """A workspace whose kept journeys were made by the old reading (the till's local noon taken for
    UTC) reads them again, from the events where it cannot write, and remakes them where it can."""
    from sqlalchemy import delete, update

    from omnidesk.core.metrics_index import JOURNEY_SETTING
    from omnidesk.core.models import CustomerJourney, JourneyStale, Setting
    from omnidesk.core.segments.sql import compile_rule, shop_zone

    ws = make_workspace(timezone="America/New_York")
    import_file(ws, shopify_orders(tmp_path / "orders_export.csv", [
        order("#1002", "bob@example.com", "25.00", created="2026-04-10 10:00:00 -0400", billing_name="Bob Stone",
              **{"Billing Phone": "2125550199"})]))
    _till(ws, tmp_path, [["04/10/2026", "12:00", "5001", "STONE, BOB", "(212) 555-0199", "", "Mug x1", "15,00"]])
    assert _paths(ws) == {("shop", "purchase"): (1, 0.0)}
    with ws.writing() as conn:  # as an earlier version left them
        conn.execute(delete(Setting.__table__).where(Setting.__table__.c.key == JOURNEY_SETTING))
        conn.execute(update(CustomerJourney.__table__).values(path='["pos", "purchase"]',
                                                              first_utc="2026-04-10T12:00:00"))
    rule = {"field": "first_channel", "op": "is", "value": "shop"}
    with ws.engine.connect() as conn:  # before anything is made again: worked out from the events
        where = compile_rule(rule, zone=shop_zone(conn))
        assert conn.execute(Setting.__table__.select().where(Setting.__table__.c.key == JOURNEY_SETTING)).first() is None
        from sqlalchemy import func, select

        from omnidesk.core.models import Customer

        assert conn.execute(select(func.count()).select_from(Customer.__table__).where(where)).scalar_one() == 1
    assert _paths(ws) == {("shop", "purchase"): (1, 0.0)}
    with ws.engine.connect() as conn:
        assert conn.execute(select(CustomerJourney.__table__.c.path)).scalars().all() == ['["shop", "purchase"]']
        assert conn.execute(select(func.count()).select_from(JourneyStale.__table__)).scalar_one() == 0


def test_a_till_refund_line_is_no_purchase(make_workspace, tmp_path):
    # Gina only brought a mug back; Hal brought one back, then bought tea two days later.
    ws = make_workspace(timezone="America/New_York")
    _till(ws, tmp_path, [
        ["04/14/2026", "11:00", "6001", "PARK, GINA", "(212) 555-0143", "", "Mug x1 (return)", "-15,00"],
        ["04/14/2026", "11:00", "6002", "WEST, HAL", "(212) 555-0144", "", "Mug x1 (return)", "-15,00"],
        ["04/16/2026", "11:00", "6003", "WEST, HAL", "(212) 555-0144", "", "Tea x1", "8,00"]])
    assert _paths(ws) == {("pos",): (1, None), ("pos", "purchase"): (1, 2.0)}
    assert _flows_open_their_customers(ws, APRIL) == {((0, "pos"), (3, "purchase")): 1}
    assert segments.count(ws, {"field": "purchase_channel", "op": "exists"}) == 1


def test_a_period_from_a_day_holds_only_journeys_that_began_in_it(make_workspace, tmp_path, capsys):
    """A mailing list without sign-up times gives journeys whose start is unknown: they began in
    no period, with or without its end given, only in the whole of time."""
    ws = make_workspace(timezone="America/New_York")
    import_file(ws, write_csv(tmp_path / "subscribed_members_export_319da7fa07.csv",
                              ["Email Address", "First Name", "Last Name", "MEMBER_RATING", "OPTIN_TIME",
                               "CONFIRM_TIME", "TAGS"],
                              [["renee_martinez@example.net", "Renee", "Martinez", "3", "", "", ""],
                               ["nataliew@example.org", "Natalie", "Wilson", "4", "", "", ""]]))
    import_file(ws, shopify_orders(tmp_path / "orders_export.csv", [order("#1001", "ann@example.com", "40.00",
                                                                          created="2026-03-10 10:00:00 -0400")]))
    assert _paths(ws) == {("email",): (2, None), ("shop", "purchase"): (1, 0.0)}
    far = metrics.Period(date(2026, 1, 1), metrics.LAST_DAY)
    for period in (metrics.Period(date(2026, 1, 1)), far):
        assert _paths(ws, period) == {("shop", "purchase"): (1, 0.0)}, period
        assert _flows_open_their_customers(ws, period) == {((0, "shop"), (3, "purchase")): 1}
    assert _paths(ws, metrics.Period(date(2030, 1, 1))) == {}
    assert _paths(ws, metrics.Period(None, date(2026, 12, 31))) == {("shop", "purchase"): (1, 0.0)}

    def journeys(*argv):
        _, out, _ = run_cli(capsys, "report", "--json", "-w", str(ws.path), *argv)
        return json.loads(out)["journeys"]

    with time_machine.travel("2026-05-01T12:00:00Z", tick=False):
        assert journeys("--from", "2026-01-01") == journeys("--from", "2026-01-01", "--to", "9998-12-31")
        assert [j["path"] for j in journeys("--from", "2026-01-01")] == [["shop", "purchase"]]
        assert journeys("--from", "2030-01-01") == []


def test_a_card_is_first_and_last_seen_in_the_order_of_the_instants_its_files_name(make_workspace, tmp_path):
    """The card compared the till's noon (stored as given, on the shop's clock) with the shop's UTC
    times as text: Bob, who bought online at 10:00 and at the till at 12:00 in New York, was first
    seen at the till and last seen online.  Each is stored as the UTC instant it names (the till's
    noon as 16:00), which is how a rule on first seen and the new-customer figures read it."""
    from sqlalchemy import select

    from omnidesk.core.models import Customer
    from omnidesk.core.settings import change_setting

    ws = make_workspace(timezone="America/New_York")
    import_file(ws, shopify_orders(tmp_path / "orders_export.csv", [
        order("#1002", "bob@example.com", "25.00", created="2026-04-10 10:00:00 -0400", billing_name="Bob Stone",
              **{"Billing Phone": "2125550199"})]))
    _till(ws, tmp_path, [["04/10/2026", "12:00", "5001", "STONE, BOB", "(212) 555-0199", "", "Mug x1", "15,00"]])
    cust = Customer.__table__

    def seen():
        with ws.engine.connect() as conn:
            return tuple(conn.execute(select(cust.c.first_seen, cust.c.last_seen)).one())

    assert seen() == ("2026-04-10T14:00:00", "2026-04-10T16:00:00")  # the order online, then the till
    assert [r["customers"] for r in metrics.new_customers(ws, APRIL)] == [1]
    change_setting(ws, "timezone", "Asia/Tokyo")  # the till's noon is 03:00 UTC there: first now
    assert seen() == ("2026-04-10T03:00:00", "2026-04-10T14:00:00")
