"""A dated list sign-up is a journey's first touch on that list's channel, as it is the card's first seen.

Pat joined a Mailchimp list (``OPTIN_TIME`` 2026-01-05 10:00, New York) and bought in the shop on
2026-02-10.  The card says first seen 2026-01-05 and January counts Pat as a new customer, so
Pat's journey is ``email → shop → purchase`` and began in January, at the same instant; a rule on
the journey (``first_channel``, ``journey_start``) finds Pat, whether it reads the journeys kept
or works them out (stale, or where the workspace cannot be written).  A list without sign-up
times still gives a journey whose start is unknown: only in the whole of time.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import delete, select, text, update

from omnidesk.core import metrics, metrics_index, segments
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.models import CustomerJourney, JourneyStale, Setting
from tests.core.test_money import order, shopify_orders
from tests.core.test_presets import MAILCHIMP_SUBSCRIBED
from tests.helpers import run_cli, write_csv
from tests.metrics_oracle import old_journeys

JANUARY = metrics.Period(date(2026, 1, 1), date(2026, 1, 31))
FEBRUARY = metrics.Period(date(2026, 2, 1), date(2026, 2, 28))
PAT = [("email", "shop", "purchase"), 1, 36.0]  # 5 January 10:00 to 10 February 10:00: 36 days


def _mailchimp(tmp_path, *members, name="subscribed_members_export_cc33.csv"):
    """Mailchimp's subscribed-members export: (email, first, last, OPTIN_TIME) each."""
    rows = [{"Email Address": email, "First Name": first, "Last Name": last, "MEMBER_RATING": "3",
             "OPTIN_TIME": optin, "CONFIRM_TIME": "", "LEID": str(n), "EUID": f"e{n}"}
            for n, (email, first, last, optin) in enumerate(members, 1)]
    return write_csv(tmp_path / name, MAILCHIMP_SUBSCRIBED, [[r.get(h, "") for h in MAILCHIMP_SUBSCRIBED]
                                                             for r in rows])


@pytest.fixture
def ws(make_workspace, tmp_path):
    ws = make_workspace(timezone="America/New_York", currency="USD")
    import_file(ws, _mailchimp(tmp_path, ("pat@example.com", "Pat", "Reed", "2026-01-05 10:00:00")))
    import_file(ws, shopify_orders(tmp_path / "orders_export.csv", [
        order("#3001", "pat@example.com", "25.00", created="2026-02-10 10:00:00 -0500", billing_name="Pat Reed")]))
    with ws.engine.connect() as conn:
        assert conn.execute(text("SELECT display_name, channels, first_seen FROM customer")).all() == [
            ("Pat Reed", "email shop", "2026-01-05T15:00:00")]
    return ws


def _paths(ws, period=metrics.Period()):
    return [[tuple(j["path"]), j["customers"], j["median_days"]] for j in metrics.journeys(ws, period, limit=None)]


def _rules(ws) -> tuple[int, int, int]:
    return (segments.count(ws, {"field": "first_channel", "op": "is", "value": "email"}),
            segments.count(ws, {"field": "second_channel", "op": "is", "value": "shop"}),
            segments.count(ws, {"field": "journey_start", "op": "between", "value": ["2026-01-01", "2026-01-31"]}))


def test_a_dated_sign_up_begins_the_journey_where_the_card_is_first_seen(ws, capsys):
    assert _paths(ws) == [PAT]
    assert _paths(ws, JANUARY) == [PAT]  # was none: the journey began at the order, in February
    assert _paths(ws, FEBRUARY) == []
    assert sum(r["customers"] for r in metrics.new_customers(ws, JANUARY)) == 1  # where new customers count Pat
    with ws.engine.connect() as conn:  # the kept journey begins at the card's first seen
        assert conn.execute(select(CustomerJourney.__table__.c.first_utc)).scalar_one() == "2026-01-05T15:00:00"
    assert _rules(ws) == (1, 1, 1)
    assert metrics.journeys(ws, JANUARY) == old_journeys(ws, JANUARY)
    status, out, _ = run_cli(capsys, "report", "-w", str(ws.path), "--from", "2026-01-01", "--to", "2026-01-31",
                             "--json")
    report = json.loads(out)
    assert status == 0 and report["totals"]["new_customers"] == 1
    assert report["journeys"] == [{"path": ["email", "shop", "purchase"], "customers": 1, "median_days": 36.0}]
    status, out, _ = run_cli(capsys, "segment", "count", "-w", str(ws.path),
                             "--rule", '{"field":"first_channel","op":"is","value":"email"}')
    assert status == 0 and out.split()[0] == "1"


def test_a_rule_works_the_sign_up_out_for_a_stale_journey_too(ws):
    """Listed stale and its kept journey not read: the rule works it out from events and records."""
    assert _paths(ws) == [PAT]
    with ws.writing() as conn:
        conn.execute(update(CustomerJourney.__table__).values(path='["shop", "purchase"]', first_utc="2026-02-10T15:00:00"))
        conn.execute(text("INSERT INTO journey_stale (customer_id) SELECT id FROM customer"))
    from omnidesk.core.segments.sql import compile_rule, shop_zone

    from omnidesk.core.models import Customer
    from sqlalchemy import func

    with ws.engine.connect() as conn:
        zone = shop_zone(conn)
        for rule in ({"field": "first_channel", "op": "is", "value": "email"},
                     {"field": "journey_start", "op": "between", "value": ["2026-01-01", "2026-01-31"]}):
            where = compile_rule(rule, zone=zone)
            assert conn.execute(select(func.count()).select_from(Customer.__table__).where(where)).scalar_one() == 1


def test_where_the_journeys_cannot_be_kept_they_are_read_with_the_sign_up(ws, monkeypatch):
    monkeypatch.setattr(metrics_index, "summaries_kept", lambda _ws: False)
    assert _paths(ws, JANUARY) == [PAT]
    assert _paths(ws, FEBRUARY) == []


def test_journeys_kept_by_the_earlier_reading_are_made_again(ws):
    """Kept before sign-ups were read, a journey began at the order: it is made again once."""
    assert _paths(ws) == [PAT]
    with ws.writing() as conn:  # as the earlier version left them
        conn.execute(update(Setting.__table__).where(Setting.__table__.c.key == metrics_index.JOURNEY_SETTING)
                     .values(value=json.dumps("2 America/New_York")))
        conn.execute(update(CustomerJourney.__table__).values(path='["shop", "purchase"]',
                                                              first_utc="2026-02-10T15:00:00", gap_seconds=0))
        conn.execute(delete(JourneyStale.__table__))
    assert _paths(ws, JANUARY) == [PAT]
    with ws.engine.connect() as conn:
        assert conn.execute(select(CustomerJourney.__table__.c.path)).scalars().all() == [
            '["email", "shop", "purchase"]']


def test_a_list_without_sign_up_times_is_only_in_the_whole_of_time(make_workspace, tmp_path):
    ws = make_workspace(timezone="America/New_York")
    import_file(ws, _mailchimp(tmp_path, ("pat@example.com", "Pat", "Reed", "2026-01-05 10:00:00"),
                               ("renee@example.net", "Renee", "Martinez", "")))
    import_file(ws, shopify_orders(tmp_path / "orders_export.csv", [
        order("#3001", "pat@example.com", "25.00", created="2026-02-10 10:00:00 -0500", billing_name="Pat Reed")]))
    assert _paths(ws) == [PAT, [("email",), 1, None]]
    assert _paths(ws, JANUARY) == [PAT]
    assert metrics.journeys(ws, limit=None) == old_journeys(ws, limit=None)


def test_an_sms_list_opt_in_date_is_the_first_touch_on_sms(make_workspace, tmp_path):
    """An SMS list gives its sign-up as a day alone: the day's start on the shop's clock, as the card has it."""
    ws = make_workspace(timezone="America/New_York")
    import_file(ws, write_csv(tmp_path / "sms_subscribers.csv", ["Phone", "First name", "Opted in", "Opt-in date"],
                              [["+12125550201", "Gail", "yes", "2026-03-01"]]), ImportOptions(channel="sms"))
    import_file(ws, write_csv(tmp_path / "till_transactions.csv",
                              ["Date", "Time", "Receipt No", "Customer", "Mobile", "Items", "Total"],
                              [["2026-03-04", "12:00", "40001", "Gail", "+12125550201", "Mug x1", "10.00"]]),
                ImportOptions(channel="pos"))
    with ws.engine.connect() as conn:
        assert conn.execute(text("SELECT first_seen FROM customer")).scalar_one() == "2026-03-01T05:00:00"
    march = metrics.Period(date(2026, 3, 1), date(2026, 3, 31))
    assert _paths(ws, march) == [[("sms", "pos", "purchase"), 1, 3.5]]  # 1 March 00:00 to 4 March 12:00
    assert _paths(ws, metrics.Period(date(2026, 2, 1), date(2026, 2, 28))) == []
    assert segments.count(ws, {"field": "first_channel", "op": "is", "value": "sms"}) == 1
    assert metrics.journeys(ws, march) == old_journeys(ws, march)
