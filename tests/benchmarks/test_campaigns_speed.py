"""Campaign audiences with their guards, and the Dashboard's figures, over a million customers.

Goals (issues 17 and 18): the audience plus guards of a campaign over 1,000,000 customers
and 10,000,000 events in under 2 s; every Dashboard figure in under 2 s.  Each is printed
next to a plain SQL question of the same size in the same run (the floor of what SQLite
itself needs), and only the answers are asserted.  Activity and journeys are also timed
as they were computed before their summaries (from every event) and must give the same
answer; the summaries themselves, made once per import, are timed apart.  The check of an
email that puts in each recipient's city is printed beside its values the Mailchimp audience
file refuses found by building every recipient's row of the file.

Run with ``python -m pytest tests/benchmarks/test_campaigns_speed.py -m benchmark -s``;
``OMNIDESK_BENCH_CUSTOMERS`` sets the size (default 1,000,000; 100000 is a quick run).
"""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, date, datetime

import pytest

from omnidesk.core import metrics, metrics_index
from omnidesk.core.campaigns.campaign import get_campaign, save_campaign
from omnidesk.core.campaigns.guards import plan_audiences
from omnidesk.core.messages.store import save_message
from omnidesk.core.workspace import Workspace
from tests.benchmarks.test_segments_speed import CUSTOMERS, build
from tests.metrics_oracle import old_activity, old_journeys

pytestmark = pytest.mark.benchmark
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    path = tmp_path_factory.mktemp("campaigns") / "big.omnidesk"
    build(path)
    db = sqlite3.connect(path)
    # Half have a New York or Los Angeles mobile of their own (a number two customers share gets a
    # step once); a quarter said yes to SMS.
    db.execute("UPDATE customer SET phone = CASE id % 4 WHEN 0 THEN '+1212' ELSE '+1213' END "
               "|| printf('%07d', 5550000 + id), consent_sms = CASE WHEN id % 4 = 0 THEN 'granted' END "
               "WHERE id % 2 = 0")
    db.execute("INSERT INTO identifier (record_id, kind, value) SELECT id, 'phone', phone FROM customer "
               "WHERE phone IS NOT NULL")
    db.commit()
    db.close()
    ws = Workspace.open(path)
    ws.set_setting("timezone", "America/New_York")
    save_message(ws, "Sale", {"headline": "Sale", "link": "https://hc.example/a"})
    save_campaign(ws, "Sale", message="Sale", steps=[
        {"channel": "email", "at": "2026-12-10T09:00", "timezone": "America/New_York"},
        {"channel": "sms", "at": "2026-12-10T22:00", "timezone": "America/New_York"}])
    yield ws, path
    ws.close()


def test_campaign_audience_and_guards(big):
    ws, path = big
    db = sqlite3.connect(path)
    started = time.perf_counter()
    plain = db.execute("SELECT (SELECT count(*) FROM customer WHERE consent_email = 'granted' AND email IS NOT NULL),"
                       " (SELECT count(*) FROM customer WHERE consent_sms = 'granted' AND phone IS NOT NULL)").fetchone()
    plain_s = time.perf_counter() - started
    db.close()
    started = time.perf_counter()
    email, sms = plan_audiences(ws, get_campaign(ws, "Sale"), now=NOW)
    ours_s = time.perf_counter() - started
    assert (len(email.eligible), len(sms.eligible)) == plain
    print(f"\n{CUSTOMERS:,} customers: audience and guards of a two-step campaign in {ours_s:.2f} s (goal < 2 s); "
          f"plain SQL counts of the same {plain_s:.2f} s; ratio {ours_s / max(plain_s, 1e-6):.1f}; "
          f"{len(sms.moved):,} SMS moved out of quiet hours")


def test_best_channel_audience_and_guards(big):
    """best_channel: each customer's one step, decided again for those their first step leaves out
    (a shared number already taken, a cap): printed beside the same plan in each_channel mode."""
    ws, _path = big
    save_campaign(ws, "Best", message="Sale", mode="best_channel", replace=True, steps=[
        {"channel": "email", "at": "2026-12-10T09:00", "timezone": "America/New_York"},
        {"channel": "sms", "at": "2026-12-10T22:00", "timezone": "America/New_York"}])
    started = time.perf_counter()
    each = plan_audiences(ws, get_campaign(ws, "Sale"), now=NOW)
    each_s = time.perf_counter() - started
    started = time.perf_counter()
    email, sms = plan_audiences(ws, get_campaign(ws, "Best"), now=NOW)
    best_s = time.perf_counter() - started
    reached = set(email.eligible) | set(sms.eligible)
    assert not set(email.eligible) & set(sms.eligible)
    assert reached == set(each[0].eligible) | set(each[1].eligible)  # nobody open to a step goes without
    print(f"\n{CUSTOMERS:,} customers: best_channel audience and guards in {best_s:.2f} s; the same plan "
          f"each_channel {each_s:.2f} s; ratio {best_s / max(each_s, 1e-6):.2f}")


def test_dashboard_figures(big):
    ws, path = big
    db = sqlite3.connect(path)
    started = time.perf_counter()
    plain = db.execute("SELECT count(*) FROM (SELECT channels FROM customer GROUP BY channels)").fetchone()[0]
    db.execute("SELECT substr(occurred_utc, 1, 10), channel, count(*) FROM event GROUP BY 1, 2").fetchall()
    plain_s = time.perf_counter() - started
    started = time.perf_counter()
    # Every event read once: what any figure that reads the events themselves costs at least.
    events = db.execute("SELECT count(*), sum(coalesce(amount_minor, 0)) FROM event").fetchone()[0]
    count_s = time.perf_counter() - started
    db.close()
    reference = (f"plain SQL overlap + activity {plain_s:.2f} s, plain SQL count and sum over the "
                 f"{events:,} events {count_s:.2f} s")
    print(f"\n{CUSTOMERS:,} customers, {events:,} events; reference: {reference}")
    period = metrics.Period(date(2026, 6, 1), date(2026, 8, 31))
    # Before: activity and journeys read from every event, as they were (the oracle of the tests).
    before = {}
    for name, figure in (("activity", lambda: old_activity(ws)), ("journeys", lambda: old_journeys(ws)),
                         ("activity of a period", lambda: old_activity(ws, period)),
                         ("journeys of a period", lambda: old_journeys(ws, period))):
        started = time.perf_counter()
        before[name] = figure()
        print(f"\nbefore, from every event: {name} {time.perf_counter() - started:.2f} s")
    # The summaries, made once per import (the first Dashboard after it): timed apart.
    started = time.perf_counter()
    metrics_index.ensure_event_days(ws)
    days_s = time.perf_counter() - started
    started = time.perf_counter()
    metrics_index.ensure_journeys(ws)
    print(f"\nsummaries made once after the import: events per day {days_s:.1f} s, every customer's journey "
          f"{time.perf_counter() - started:.1f} s")
    for name, figure in (("overlap", lambda: metrics.overlap(ws)), ("activity", lambda: metrics.activity(ws)),
                         ("journeys", lambda: metrics.journeys(ws)),
                         ("activity of a period", lambda: metrics.activity(ws, period)),
                         ("journeys of a period", lambda: metrics.journeys(ws, period)),
                         ("new_customers", lambda: metrics.new_customers(ws)), ("health", lambda: metrics.health(ws)),
                         ("reachable", lambda: metrics.reachable(ws)),
                         ("campaign_results", lambda: metrics.campaign_results(ws)),
                         ("report", lambda: metrics.report(ws)), ("report of a period", lambda: metrics.report(ws, period))):
        started = time.perf_counter()
        result = figure()
        took = time.perf_counter() - started
        if name == "overlap":
            assert len(result) == plain and sum(r["customers"] for r in result) == CUSTOMERS
        if name in before:
            assert result == before[name], name
        print(f"\n{name}: {took:.2f} s (goal < 2 s); every event read once {count_s:.2f} s, "
              f"ratio {took / max(count_s, 1e-6):.2f}")
    # A click on the biggest Sankey flow: its rule counted over the kept journeys, then with
    # every journey stale, so worked out from the events (as every journey rule was before).
    from omnidesk.core import segments

    _nodes, flows = metrics.journey_graph(metrics.journeys(ws, limit=None))
    ((col, channel), (_next_col, then)), n = max(flows.items(), key=lambda kv: kv[1])
    rule = metrics.journey_rule(col, channel, then, metrics.Period())
    started = time.perf_counter()
    assert segments.count(ws, rule) == n
    print(f"\na click on the biggest journey flow ({n:,} customers): {time.perf_counter() - started:.2f} s "
          f"(goal < 2 s); every event read once {count_s:.2f} s")
    from sqlalchemy import func, insert, select

    from omnidesk.core.models import Customer, JourneyStale
    from omnidesk.core.segments.sql import compile_rule

    with ws.writing() as conn:
        conn.execute(insert(JourneyStale.__table__).from_select(["customer_id"], select(Customer.__table__.c.id)))
    started = time.perf_counter()
    with ws.engine.connect() as conn:
        live = conn.execute(select(func.count()).select_from(Customer.__table__)
                            .where(compile_rule(rule))).scalar_one()
    assert live == n
    print(f"\nthe same click with every journey stale, from the events: {time.perf_counter() - started:.2f} s")


def test_check_of_an_email_with_a_city(big):
    """The check of an email that puts in each recipient's city finds every city the Mailchimp
    audience file would refuse: timed whole, and its refusals beside the same refusals found by
    building every email recipient's row of the file (how the check found them before)."""
    from omnidesk.core.campaigns.check import _rows_mailchimp_refuses, check_campaign, usable_audiences
    from omnidesk.core.campaigns.export import email_fields, email_rows
    from omnidesk.core.campaigns.packs import email_refusals
    from omnidesk.core.messages.brand import set_brand
    from omnidesk.core.messages.store import get_message

    ws, _path = big
    set_brand(ws, "address", "1 Market Street, Springfield")
    long_city = "Llanfair" * 40  # 320 bytes: Mailchimp keeps 255
    last = CUSTOMERS - CUSTOMERS % 3  # the last who said yes to email (every third)
    with ws.writing() as conn:
        conn.exec_driver_sql("UPDATE customer SET city = ? WHERE id IN (3, 333, ?)", (long_city, last))
    save_message(ws, "City sale", {"headline": "Sale", "body": "See you in {city|town}.",
                                   "link": "https://hc.example/a"})
    save_campaign(ws, "City", message="City sale", steps=[
        {"channel": "email", "at": "2026-12-10T09:00", "timezone": "America/New_York"}])
    started = time.perf_counter()
    report = check_campaign(ws, "City", now=NOW)[0]
    ours_s = time.perf_counter() - started
    (found,) = [f.message for f in report.errors if f.code == "field_too_long"]
    assert found.startswith("3 email recipients have a {city}") and "customer 3 (320 bytes)" in found
    (email,), _unusable = usable_audiences(ws, get_campaign(ws, "City"), now=NOW)
    fields = get_message(ws, "City sale").variants["email"].fields
    started = time.perf_counter()
    again = _rows_mailchimp_refuses(ws, fields, {}, "", [email])
    refusals_s = time.perf_counter() - started
    assert [f.message for f in again] == [found]
    # Every email recipient's row built and measured.
    started = time.perf_counter()
    tags, used = email_fields(fields)
    every = [r.customer_id for r in email_refusals(email_rows(ws, sorted(email.eligible), fields, {}, ""),
                                                    [tags[n] for n in used])]
    every_s = time.perf_counter() - started
    assert every == [3, 333, last]
    print(f"\n{CUSTOMERS:,} customers, {len(email.eligible):,} email recipients: the check of an email with a "
          f"{{city}} in {ours_s:.2f} s, its values the audience file refuses found in {refusals_s:.2f} s; "
          f"every recipient's row of the audience file built and measured {every_s:.2f} s, ratio "
          f"{refusals_s / max(every_s, 1e-6):.2f}")
