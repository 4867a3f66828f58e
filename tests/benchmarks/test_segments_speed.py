"""Segments over a million customers and ten million events: count and first page.

Goal: the count and the first page of a segment in under a second on a 2-core
machine, for rules a marketer writes every day.

Run with ``python -m pytest tests/benchmarks/test_segments_speed.py -m benchmark -s``.
``OMNIDESK_BENCH_CUSTOMERS`` sets the size (default 1,000,000; events are ten per
customer); 100000 is a quick run.

The workspace is written straight in SQL (a recursive CTE inside SQLite): the
import path has its own benchmark.  Each rule is timed through
``segments.member_ids`` (every member's id in name order: the count and the
first page at once, as the Customers screen asks) and ``segments.count``, and next
to it the same question as plain SQL typed by hand in the sqlite3 driver: the
floor of what SQLite itself needs.  Only the answers are asserted (both ways
must agree); times are printed with their ratio, since a wall-clock assertion
would test the machine, not the code.
"""

from __future__ import annotations

import os
import sqlite3
import time
from datetime import UTC, datetime

import pytest

from omnidesk.core import segments
from omnidesk.core.workspace import Workspace

pytestmark = pytest.mark.benchmark

CUSTOMERS = int(os.environ.get("OMNIDESK_BENCH_CUSTOMERS", "1000000").replace("_", ""))
EVENTS_PER = 10
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
NINETY_DAYS_AGO = "2026-09-03T12:00:00"


def build(path) -> None:
    Workspace.create(path).close()
    db = sqlite3.connect(path)
    db.executescript(f"""
        PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
        INSERT INTO import_batch (id, file_name, file_hash, file_size, channel, kind, encoding, delimiter,
                                  header_json, mapping_json, options_json, status, started_at, rows, imported,
                                  flagged, duplicates, events, customers_created)
            VALUES (1, 'orders.csv', 'h', 0, 'shop', 'events', 'utf-8', ',', '[]', '[]', '{{}}', 'done',
                    '2026-11-01T00:00:00', 0, 0, 0, 0, 0, 0);
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {CUSTOMERS})
        INSERT INTO customer (id, first_name, last_name, full_name, display_name, sort_name, email, company,
                              address, city,
                              region, postcode, country, tags, consent_email, consent_sms, channels, orders,
                              spend_minor, first_seen, last_seen, source_count, pinned_json, notes,
                              created_at, updated_at)
        SELECT i, 'First' || (i % 997), 'Last' || (i % 1009), '', 'Person ' || i, 'person ' || i,
               'p' || i || '@example.com',
               '', '', CASE i % 4 WHEN 0 THEN 'Boston' WHEN 1 THEN 'Austin' WHEN 2 THEN 'Leeds' ELSE 'Porto' END,
               '', '', 'US', CASE WHEN i % 10 = 0 THEN 'vip' ELSE '' END,
               CASE i % 3 WHEN 0 THEN 'granted' WHEN 1 THEN 'unsubscribed' ELSE NULL END, NULL,
               CASE i % 3 WHEN 0 THEN 'email shop' WHEN 1 THEN 'pos' ELSE 'email' END,
               i % 7, (i % 7) * 2500, '2024-01-01T00:00:00', '2026-11-01T00:00:00', 1, '{{}}', '',
               '2026-11-01T00:00:00', '2026-11-01T00:00:00'
        FROM n;
        INSERT INTO source_record (id, batch_id, record_no, line_no, channel, kind, row_hash, raw_json,
                                   customer_id, first_name, last_name, company, address, city, region,
                                   postcode, country, tags, values_json, problems_json, flagged,
                                   middle_name, full_name, last_key, last_sound, work_key)
        SELECT id, 1, id, id + 1, 'shop', 'events', 'r' || id, '[]', id, '', '', '', '', '', '', '', '', '',
               '{{}}', '[]', 0, '', '', '', '', '' FROM customer;
        -- Every record carries its address as an identifier, as an import stores it: the guards
        -- follow the records of those who opted out to every address they hold.
        INSERT INTO identifier (record_id, kind, value) SELECT id, 'email', email FROM customer;
        WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {CUSTOMERS * EVENTS_PER - 1})
        INSERT INTO event (batch_id, record_id, customer_id, channel, type, occurred_at, occurred_utc, summary,
                           status, details_json)
        SELECT 1, (i % {CUSTOMERS}) + 1, (i % {CUSTOMERS}) + 1,
               CASE i % 3 WHEN 0 THEN 'shop' ELSE 'email' END,
               CASE i % 5 WHEN 0 THEN 'order' WHEN 1 THEN 'purchase' WHEN 2 THEN 'open' WHEN 3 THEN 'click'
                          ELSE 'sent' END,
               strftime('%Y-%m-%dT%H:%M:%S', '2026-12-01', '-' || ((i * 7919) % 730) || ' days'),
               strftime('%Y-%m-%dT%H:%M:%S', '2026-12-01', '-' || ((i * 7919) % 730) || ' days'),
               CASE WHEN i < {3 * CUSTOMERS} AND (i % {CUSTOMERS}) % 13 = 0 THEN 'Order: Lavender candle'
                    ELSE 'Order: Soap' END,
               CASE WHEN i % 50 = 0 THEN 'refunded' ELSE 'paid' END, '{{}}'
        FROM n;
        ANALYZE;
    """)
    db.commit()
    db.close()


RULES = {
    "bought in the last 90 days, emailable": (
        {"all": [{"field": "event.purchase", "op": "within_days", "value": 90},
                 {"field": "consent.email", "op": "is", "value": "granted"}]},
        f"""SELECT count(*) FROM customer WHERE consent_email = 'granted' AND id IN (
              SELECT customer_id FROM event WHERE type IN ('order', 'purchase')
              AND status NOT IN ('refunded', 'voided', 'cancelled', 'expired', 'failed')
              AND occurred_utc >= '{NINETY_DAYS_AGO}')""",
    ),
    "bought a lavender candle twice": (
        {"field": "event.purchase", "op": "exists", "item": "lavender candle", "count_at_least": 2},
        """SELECT count(*) FROM customer WHERE id IN (
              SELECT customer_id FROM event WHERE type IN ('order', 'purchase')
              AND status NOT IN ('refunded', 'voided', 'cancelled', 'expired', 'failed')
              AND summary LIKE '%lavender candle%' GROUP BY customer_id HAVING count(*) >= 2)""",
    ),
    "VIPs in Boston on the email list": (
        {"all": [{"field": "tag", "op": "is", "value": "vip"}, {"field": "city", "op": "is", "value": "Boston"},
                 {"field": "channel", "op": "is", "value": "email"}]},
        """SELECT count(*) FROM customer WHERE tags = 'vip' AND city = 'Boston'
              AND (' ' || channels || ' ') LIKE '% email %'""",
    ),
    "opened but never bought": (
        {"all": [{"field": "event.open", "op": "within_days", "value": 30},
                 {"field": "orders", "op": "is", "value": 0}]},
        """SELECT count(*) FROM customer WHERE orders = 0 AND id IN (
              SELECT customer_id FROM event WHERE type = 'open' AND occurred_utc >= '2026-11-02T12:00:00')""",
    ),
}


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    path = tmp_path_factory.mktemp("segments") / "big.omnidesk"
    started = time.perf_counter()
    build(path)
    print(f"\nbuilt {CUSTOMERS:,} customers and {CUSTOMERS * EVENTS_PER:,} events in "
          f"{time.perf_counter() - started:.0f} s")
    ws = Workspace.open(path)
    yield ws, path
    ws.close()


@pytest.mark.parametrize("name", list(RULES))
def test_segment_count_and_first_page(big, name):
    ws, path = big
    rule, plain_sql = RULES[name]
    db = sqlite3.connect(path)
    started = time.perf_counter()
    plain = db.execute(plain_sql).fetchone()[0]
    plain_s = time.perf_counter() - started
    db.close()
    # A rule on items reads the product index, made once per import (segments/items.py):
    # timed apart, as the import's own step, then the rule as every later ask meets it.
    started = time.perf_counter()
    segments.prepare(ws, rule)
    if time.perf_counter() - started > 0.05:
        print(f"\n{name}: the product index of every order, made once after the import, "
              f"{time.perf_counter() - started:.1f} s")
    # What the Customers screen asks: every member's id in name order, in one query (the
    # count is its length, the first page its head).
    started = time.perf_counter()
    ids = segments.member_ids(ws, rule, NOW)
    ours_s = time.perf_counter() - started
    started = time.perf_counter()
    n = segments.count(ws, rule, NOW)
    count_s = time.perf_counter() - started
    assert n == len(ids) == plain and 0 < n < CUSTOMERS
    print(f"\n{name}: {n:,} customers; count + first page {ours_s:.2f} s (goal < 1 s), count alone "
          f"{count_s:.2f} s; plain SQL count {plain_s:.2f} s; ratio {ours_s / plain_s:.2f}")
