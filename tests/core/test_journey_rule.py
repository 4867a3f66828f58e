"""A flow of the journeys' Sankey view opens as a rule counting exactly its customers, on a workspace with known paths."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from sqlalchemy import insert

from omnidesk.core import metrics, segments
from omnidesk.core.models import Customer, CustomerJourney, Event, ImportBatch, SourceRecord
from omnidesk.core.segments import RuleError

P = "purchase"
# customer: [(channel, type, occurred_utc or None for a record with no dated event, status)]
PEOPLE = {
    1: [("email", "open", "2026-01-01T10:00:00", ""), ("shop", "order", "2026-01-10T10:00:00", "paid")],
    # The SMS list has no sign-up times: it comes last, after the purchase, so no part of the journey.
    2: [("shop", "order", "2026-01-05T10:00:00", "paid"), ("sms", None, None, "")],
    3: [("email", "open", "2026-01-02T10:00:00", ""), ("pos", "purchase", "2026-01-12T10:00:00", "paid"),
        ("sms", "open", "2026-01-20T10:00:00", "")],
    # Five channels before buying: drawn to the third, which flows into the purchase.
    4: [("email", "open", "2026-01-03T10:00:00", ""), ("web", "visit", "2026-01-04T10:00:00", ""),
        ("sms", "open", "2026-01-05T10:00:00", ""), ("pos", "open", "2026-01-06T10:00:00", ""),
        ("shop", "order", "2026-01-13T10:00:00", "paid")],
    # A refunded order is no purchase.
    5: [("shop", "order", "2026-01-07T10:00:00", "refunded"), ("email", "open", "2026-01-08T10:00:00", "")],
    # Ties go by channel code: email before SMS, and the purchase on pos (not shop) at the same instant.
    6: [("email", "open", "2026-01-09T10:00:00", ""), ("sms", "open", "2026-01-09T10:00:00", ""),
        ("shop", "order", "2026-01-15T00:00:00", "paid"), ("pos", "purchase", "2026-01-15T00:00:00", "paid")],
    # Known on two lists, no dated event: a journey whose start is unknown.
    7: [("email", None, None, ""), ("contacts", None, None, "")],
    # Entered by hand only: no journey.
    8: [("manual", None, None, "")],
    9: [("web", "visit", "2026-02-10T10:00:00", ""), ("shop", "order", "2026-02-11T10:00:00", "paid")],
}
JANUARY = metrics.Period(date(2026, 1, 1), date(2026, 1, 31))
FROM_5_JAN = metrics.Period(date(2026, 1, 5), None)
UNTIL_JAN = metrics.Period(None, date(2026, 1, 31))


@pytest.fixture
def shop(ws):
    with ws.writing() as conn:
        batches, ids = {}, itertools.count(1)
        for cid, rows in PEOPLE.items():
            conn.execute(insert(Customer.__table__).values(id=cid, display_name=f"P{cid}", channels=""))
            for channel, type_, when, status in rows:
                if channel not in batches:
                    batches[channel] = conn.execute(insert(ImportBatch.__table__).values(
                        file_name=f"{channel}.csv", file_hash=channel, channel=channel, kind="contacts", status="done",
                        header_json="[]", mapping_json="[]", options_json="{}")).inserted_primary_key[0]
                record = next(ids)
                conn.execute(insert(SourceRecord.__table__).values(
                    id=record, batch_id=batches[channel], record_no=record, channel=channel, kind="contacts",
                    row_hash=f"h{record}", raw_json="[]", customer_id=cid))
                if when is not None:
                    conn.execute(insert(Event.__table__).values(
                        batch_id=batches[channel], record_id=record, customer_id=cid, channel=channel, type=type_,
                        occurred_at=when, occurred_utc=when, status=status, amount_minor=1000 if status else None,
                        summary=type_, details_json="{}"))
    return ws


def _graph(ws, period=None):
    period = period or metrics.Period()
    return metrics.journey_graph(metrics.journeys(ws, period, limit=None))


def test_the_paths_are_the_ones_drawn_by_hand(shop):
    paths = {tuple(j["path"]): j["customers"] for j in metrics.journeys(shop, limit=None)}
    assert paths == {("email", "shop", P): 1, ("shop", P): 1, ("email", "pos", P): 1,
                     ("email", "web", "sms", "pos", "shop", P): 1, ("shop", "email"): 1, ("email", "sms", "pos", P): 1,
                     ("contacts", "email"): 1, ("web", "shop", P): 1}


@pytest.mark.parametrize("period", [metrics.Period(), JANUARY, FROM_5_JAN, UNTIL_JAN],
                         ids=["all", "january", "from-5-jan", "until-jan"])
def test_every_flow_opens_exactly_its_customers(shop, period):
    _nodes, flows = _graph(shop, period)
    assert flows
    for ((col, channel), (_next_col, then)), n in flows.items():
        rule = metrics.journey_rule(col, channel, then, period)
        assert segments.count(shop, rule) == n, (col, channel, then, rule)


def test_the_flows_hold_the_customers_known_to_go_that_way(shop):
    def who(col, channel, then, period=None):
        period = period or metrics.Period()
        return sorted(segments.member_ids(shop, metrics.journey_rule(col, channel, then, period)))

    _nodes, flows = _graph(shop)
    assert flows[((1, "shop"), (3, P))] == 2 and who(1, "shop", P) == [1, 9]
    assert who(1, "shop", P, JANUARY) == [1]  # the web-first journey began in February
    assert who(0, "shop", P) == [2]  # the undated SMS list after the purchase is no step
    assert who(0, "shop", "email") == [5]  # a refunded order bought nothing
    assert who(2, "sms", P) == [4]  # five channels, drawn to the third
    assert who(0, "email", "sms") == [6] and who(2, "pos", P) == [6]  # ties by channel code
    assert who(0, "contacts", "email") == [7] and who(0, "contacts", "email", JANUARY) == []
    # A journey whose start is unknown began in no period but the whole of time, with or without an end.
    assert who(0, "contacts", "email", FROM_5_JAN) == [] and who(0, "contacts", "email", UNTIL_JAN) == []
    assert who(0, "email", "web") == [4] and who(1, "web", "sms") == [4]


def test_journey_fields_are_two_valued_and_checked(shop):
    everyone = segments.count(shop, {"all": []})
    for field in ("first_channel", "second_channel", "third_channel", "purchase_channel"):
        for value in ("email", "shop", "sms"):
            on = segments.count(shop, {"field": field, "op": "is", "value": value})
            off = segments.count(shop, {"field": field, "op": "is_not", "value": value})
            assert on + off == everyone, (field, value)
        has = segments.count(shop, {"field": field, "op": "exists"})
        assert has + segments.count(shop, {"field": field, "op": "not_exists"}) == everyone
    assert segments.count(shop, {"field": "purchase_channel", "op": "in", "value": ["pos"]}) == 2  # 3 and 6
    assert segments.count(shop, {"field": "journey_start", "op": "exists"}) == 7  # not 7 (undated), not 8
    assert segments.count(shop, {"field": "journey_start", "op": "gte", "value": "2026-02-01"}) == 1
    with pytest.raises(RuleError, match="unknown channel"):
        segments.count(shop, {"field": "first_channel", "op": "is", "value": "carrier pigeon"})
    with pytest.raises(ValueError):
        metrics.journey_rule(2, "sms", "pos")  # the third channel flows only into the purchase


@pytest.mark.parametrize("stale", [(), (1, 4, 6), tuple(PEOPLE)], ids=["none", "some", "all"])
def test_a_rule_reads_kept_journeys_and_works_out_the_stale_ones(shop, stale):
    # Counted without ``prepare``: customers listed stale are read from their events, the
    # others from the kept journeys, and every flow still holds exactly its customers.
    from sqlalchemy import func, select

    from omnidesk.core.metrics_index import ensure_journeys
    from omnidesk.core.models import JourneyStale
    from omnidesk.core.segments.sql import compile_rule

    _nodes, flows = _graph(shop)
    ensure_journeys(shop)
    with shop.writing() as conn:
        for cid in stale:
            conn.execute(insert(JourneyStale.__table__).values(customer_id=cid))
        # A kept journey gone wrong for a stale customer must not be read.
        conn.execute(CustomerJourney.__table__.update().where(CustomerJourney.__table__.c.customer_id.in_(stale))
                     .values(path='["sms", "purchase"]'))
    with shop.engine.connect() as conn:
        for ((col, channel), (_next_col, then)), n in flows.items():
            where = compile_rule(metrics.journey_rule(col, channel, then, metrics.Period()))
            assert conn.execute(select(func.count()).select_from(Customer.__table__).where(where)).scalar_one() == n
        for rule, n in (({"field": "purchase_channel", "op": "is", "value": "pos"}, 2),
                        ({"field": "first_channel", "op": "is", "value": "sms"}, 0)):  # nobody starts on SMS
            where = compile_rule(rule)
            assert conn.execute(select(func.count()).select_from(Customer.__table__).where(where)).scalar_one() == n


def test_where_no_journeys_are_kept_every_customer_is_worked_out_from_the_events():
    # PostgreSQL keeps no summaries (their triggers are SQLite's): the kept journeys are
    # switched off and every customer counts as stale, so the rule reads the events.
    from sqlalchemy.dialects import postgresql, sqlite

    from omnidesk.core.segments.sql import compile_rule

    where = compile_rule({"field": "purchase_channel", "op": "is", "value": "pos"})
    pg = str(where.compile(dialect=postgresql.dialect()))
    assert "(CAST(customer_journey.path AS json) ->> -1)" in pg
    assert "FROM journey_stale UNION ALL SELECT customer.id" in " ".join(pg.split())
    # Events and records read; the kept part off.
    flat = " ".join(pg.split())
    # The stale customers limit the events, the records, and the records' sign-ups (two reads).
    assert flat.count("WHERE NOT (false AND (EXISTS (SELECT * FROM setting") == 4 and "AND false" in pg
    assert "AT TIME ZONE" in pg  # a till's times read on the shop's clock by the server itself
    lite = " ".join(str(where.compile(dialect=sqlite.dialect())).split())
    assert "json_extract(customer_journey.path, '$[#-1]')" in lite
    # Only the customers listed stale, unless the kept journeys were made otherwise.
    assert "SELECT customer.id FROM customer WHERE NOT (1 = 1 AND (EXISTS (SELECT * FROM setting" in lite
