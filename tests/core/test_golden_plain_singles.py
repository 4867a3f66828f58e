"""Customers of one plain record get their golden record from SQL in a big refresh.

``_WriteBehind.write_plain_singles`` must give exactly what the Python rule
(``_golden_rows`` and ``_entries``) gives the same customer: every column and
the search entry, with a tag list, lifetime figures, a sign-up and a last visit time
and one consent fact per channel.  Customers with anything more (order rows, pins, two
facts on one channel, a second record) must be left to Python.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import insert

from omnidesk.core.dialect import SEARCH_TABLE
from omnidesk.core.identity import golden
from omnidesk.core.identity.golden import refresh_customers
from omnidesk.core.identity.writes import new_customer_rows
from omnidesk.core.models import Consent, Customer, Event, Identifier, ImportBatch, SourceRecord, utcnow
from tests.helpers import golden_state

# (fields of the record, its identifiers); every record is its own customer unless it says "with".
RECORDS = [
    ({"first_name": "Ann", "last_name": "Lee", "email": "ann@example.com", "phone": "+14155550100"},
     [("email", "ann@example.com"), ("phone", "+14155550100")]),
    # Japanese, no full name: family name first when composed.
    ({"first_name": "太郎", "last_name": "山田", "email": "taro@example.jp", "phone": "+81312345678"},
     [("email", "taro@example.jp"), ("phone", "+81312345678")]),
    # The full name as the file wrote it, middle name and all, accents to fold for search.
    ({"first_name": "María", "last_name": "García", "full_name": "María José García",
      "city": "Sevilla", "country": "ES", "birthday": "1980-02-03"},
     [("email", "zz@example.es"), ("email", "aa@example.es"), ("phone", "+34600111222")]),
    ({"first_name": "Zoë", "last_name": "", "tags": "VIP"}, []),
    ({"first_name": "", "last_name": "Ørsted", "company": "Vind A/S", "address": "Kajen 1", "postcode": "8000",
      "region": "Midt", "tags": "vip"}, [("phone", "+4520123456")]),
    ({"first_name": "Юрий", "last_name": "Гагарин"}, [("phone", "+12125550199"), ("phone", "+12125550100")]),
    ({"first_name": "", "last_name": "", "email": "only@example.com"}, [("email", "only@example.com")]),
    ({"first_name": "", "last_name": "", "phone": "+442071234567"}, [("phone", "+442071234567")]),
    ({"first_name": "", "last_name": "", "birthday": ""}, []),  # "(no name)"
    ({"first_name": "김", "last_name": "민준", "channel": "pos", "kind": "events"}, []),
    ({"first_name": "Bob", "last_name": "Stone", "phone": "+10005550100"}, [("phone", "+10005550100")]),
    ({"first_name": "Cy", "last_name": "Tags", "tags": "VIP, newsletter, vip, , Newsletter"}, []),
    # A customers export's lifetime figures and sign-up time, with and without a consent time.
    ({"first_name": "Di", "last_name": "Shop", "values_json": json.dumps(
        {"total_orders": 3, "total_spent": "30.00", "created_at": "2021-05-01T10:00:00Z",
         "last_active": "2024-04-20"})}, []),
    ({"first_name": "Dot", "last_name": "Consent", "values_json": json.dumps(
        {"total_spent": "12.5", "created_at": "2021-05-01T12:00:00+02:00"})}, []),
    ({"first_name": "Dan", "last_name": "Till", "kind": "events", "channel": "pos",
      "values_json": json.dumps({"total_orders": 9, "note": "figures of a till row are not lifetime ones"})}, []),
    ({"first_name": "Gil", "last_name": "Figures", "values_json": json.dumps(
        {"total_orders": "4", "total_spent": 15})}, []),
    ({"first_name": "Ivy", "last_name": "Figures", "values_json": json.dumps(
        {"total_orders": None, "total_spent": "-3.50"})}, []),
    ({"first_name": "Jo", "last_name": "Figures", "values_json": json.dumps({"total_spent": "0019.99"})}, []),
    ({"first_name": "Ed", "last_name": "Consent", "email": "ed@example.com"}, [("email", "ed@example.com")]),
    ({"first_name": "Eva", "last_name": "Consent", "phone": "+14155550111", "values_json": json.dumps(
        {"created_at": "not a time", "total_orders": 0})}, [("phone", "+14155550111")]),
    # Each of these has something more: Python's work.
    ({"first_name": "Fay", "last_name": "Twofacts", "email": "fay@example.com"}, [("email", "fay@example.com")]),
    ({"first_name": "Flo", "last_name": "Orders"}, []),
    ({"first_name": "Gus", "last_name": "Pinned"}, []),
    ({"first_name": "Hal", "last_name": "Twice", "email": "hal@example.com"}, [("email", "hal@example.com")]),
    ({"first_name": "Hal", "last_name": "Twice", "email": "hal2@example.com", "with": -1},
     [("email", "hal2@example.com")]),
]
# Consent facts by first name: (channel, status, the fact's own time).
FACTS = {
    "Dot": [("email", "unsubscribed", "2020-03-01T09:00:00-05:00")],
    "Ed": [("email", "granted", None)],
    "Eva": [("email", "denied", None), ("sms", "granted", "2023-07-08T10:00:00Z"),
            ("whatsapp", "pending", "2019-01-02T03:04:05Z"), ("post", "granted", None)],
    "Fay": [("email", "granted", None), ("email", "unsubscribed", "2022-01-01T00:00:00Z")],
}
PLAIN = 20  # the first PLAIN records are plain singles


def _workspace(ws) -> list[int]:
    rec, ident, cust = SourceRecord.__table__, Identifier.__table__, Customer.__table__
    with ws.engine.begin() as conn:
        batch = conn.execute(insert(ImportBatch.__table__).values(
            file_name="people.csv", file_hash="0" * 64, channel="shop", kind="contacts", header_json="[]",
            mapping_json="[]", options_json="{}", status="done", started_at=utcnow(), finished_at=utcnow(),
        )).inserted_primary_key[0]
        customers: list[int] = []
        for no, (fields, identifiers) in enumerate(RECORDS, start=1):
            fields = dict(fields)
            joins = fields.pop("with", None)
            if joins is None:
                customers.append(conn.execute(insert(cust).values(**new_customer_rows(1)[0])).inserted_primary_key[0])
            row = {"first_name": "", "last_name": "", "company": "", "address": "", "city": "", "region": "",
                   "postcode": "", "country": "", "tags": "", "values_json": "{}", "channel": "shop",
                   "kind": "contacts", **fields}
            rid = conn.execute(insert(rec).values(
                batch_id=batch, record_no=no, line_no=no + 1, row_hash=f"{no:064x}", raw_json="[]",
                customer_id=customers[-1], problems_json="[]", flagged=False, **row)).inserted_primary_key[0]
            for kind, value in identifiers:
                conn.execute(insert(ident).values(record_id=rid, kind=kind, value=value))
            for channel, status, occurred_at in FACTS.get(fields.get("first_name"), ()):
                conn.execute(insert(Consent.__table__).values(
                    record_id=rid, customer_id=customers[-1], channel=channel, status=status,
                    occurred_at=occurred_at))
            if fields.get("last_name") == "Orders":
                conn.execute(insert(Event.__table__).values(
                    batch_id=batch, record_id=rid, customer_id=customers[-1], channel="shop", type="order",
                    occurred_at="2022-03-04T05:06:07Z", occurred_utc="2022-03-04T05:06:07", amount_minor=1250,
                    status="paid"))
            if fields.get("last_name") == "Pinned":
                conn.execute(cust.update().where(cust.c.id == customers[-1]).values(
                    pinned_json=json.dumps({"first_name": "Gustav"})))
    return customers


@pytest.fixture
def runs(monkeypatch):
    """Runs of 4 customers: the refresh goes through the write-behind path, plain singles and all."""
    monkeypatch.setattr(golden, "_RANGE", 4)
    written: list[int] = []
    real = golden._WriteBehind.write_plain_singles

    def spy(self, bounds, unindexed):
        done = real(self, bounds, unindexed)
        written.extend(done)
        return done

    monkeypatch.setattr(golden._WriteBehind, "write_plain_singles", spy)
    return written


def _refresh(ws, customers):
    with ws.engine.begin() as conn:
        conn.exec_driver_sql(f"DELETE FROM {SEARCH_TABLE}")
        refresh_customers(conn, customers)


def test_plain_singles_from_sql_equal_the_python_rule(make_workspace, runs, monkeypatch):
    ws = make_workspace("sql.omnidesk")
    customers = _workspace(ws)
    _refresh(ws, customers)
    assert sorted(runs) == customers[:PLAIN]  # every plain single, and only those, written in SQL
    by_sql = golden_state(ws)

    python = make_workspace("python.omnidesk")
    assert _workspace(python) == customers
    monkeypatch.setattr(golden._WriteBehind, "write_plain_singles", lambda self, bounds, unindexed: set())
    _refresh(python, customers)
    assert golden_state(python) == by_sql

    rows = {r.id: r for r in by_sql[0]}
    entries = {e[0]: e[1:] for e in by_sql[1]}
    assert rows[customers[1]].full_name == "山田 太郎"
    assert rows[customers[2]].full_name == "María José García"
    assert entries[customers[2]] == ("Maria Jose Garcia | María José García", "aa@example.es zz@example.es",
                                     "34600111222 600111222")
    assert entries[customers[5]][2] == "12125550100 12125550199 2125550100 2125550199"
    assert rows[customers[6]].display_name == "only@example.com"
    assert rows[customers[8]].display_name == "(no name)" and rows[customers[8]].birthday is None
    # The key the lists sort by: no accents, one case, other scripts kept (their marks go
    # too: й sorts as и, as in Unicode's default collation), none for no name.
    assert [rows[customers[i]].sort_name for i in (0, 2, 4, 5, 8)] == [
        "ann lee", "maria jose garcia", "orsted", "юрии гагарин", ""]
    cy, di, dot, dan, gil, ivy, jo, ed, eva, fay = (rows[customers[i]] for i in range(11, 21))
    assert [(c.orders, c.spend_minor) for c in (gil, ivy, jo)] == [(4, 1500), (0, -350), (0, 1999)]
    assert cy.tags == "VIP, newsletter"
    # Seen from the sign-up to the last visit the shop's system gives (a bare date: that day's start).
    assert (di.orders, di.spend_minor, di.first_seen, di.last_seen) == (3, 3000, "2021-05-01T10:00:00",
                                                                         "2024-04-20T00:00:00")
    assert (dot.orders, dot.spend_minor, dot.consent_email) == (0, 1250, "unsubscribed")
    assert (dot.first_seen, dot.last_seen) == ("2020-03-01T14:00:00", "2021-05-01T10:00:00")
    assert (dan.orders, dan.spend_minor) == (0, None)
    assert (ed.consent_email, ed.consent_sms, ed.first_seen) == ("granted", None, None)
    assert (eva.consent_email, eva.consent_sms, eva.consent_whatsapp) == ("denied", "granted", "pending")
    assert (eva.first_seen, eva.last_seen, eva.orders) == ("2019-01-02T03:04:05", "2023-07-08T10:00:00", 0)
    assert fay.consent_email == "unsubscribed"  # the later, dated opt-out: Python's rule
    assert rows[customers[22]].first_name == "Gustav"
    assert len(by_sql[0]) == len(customers) == len(by_sql[1])


def test_a_range_with_customers_not_asked_for_is_left_to_python(ws, runs):
    customers = _workspace(ws)
    # Every other customer: no run covers all of its range, so SQL writes none of them.
    _refresh(ws, customers[::2])
    assert runs == []


def _merge_away(ws, gone: list[int], into: int) -> None:
    rec, cust = SourceRecord.__table__, Customer.__table__
    with ws.engine.begin() as conn:
        for cid in gone:
            conn.execute(rec.update().where(rec.c.customer_id == cid).values(customer_id=into))
            conn.execute(cust.delete().where(cust.c.id == cid))


def test_a_range_whose_gaps_are_customers_gone_is_still_written_in_sql(make_workspace, runs, monkeypatch):
    # Ids merged away leave gaps (a rebuild keeps the ids it had): the customers left in a
    # range are still all of it, and its plain singles are written in SQL, as the Python rule would.
    ws = make_workspace("gaps.omnidesk")
    customers = _workspace(ws)
    gone = customers[1:PLAIN:3]
    _merge_away(ws, gone, customers[0])
    left = [c for c in customers if c not in gone]
    _refresh(ws, left)
    assert runs and set(runs) <= set(left[1:PLAIN])
    by_sql = golden_state(ws)

    python = make_workspace("gaps-python.omnidesk")
    _workspace(python)
    _merge_away(python, gone, customers[0])
    monkeypatch.setattr(golden._WriteBehind, "write_plain_singles", lambda self, bounds, unindexed: set())
    _refresh(python, left)
    assert golden_state(python) == by_sql


def test_a_sign_up_day_without_a_time_is_the_shops_day_in_sql_and_in_python(make_workspace, runs, monkeypatch):
    # "Signed up 23/08/2022" was taken as midnight UTC: on New York's clock the evening of the
    # 22nd, and the card, the export and "first seen before 23 Aug" all said the 22nd.
    import sys

    lia = ({"first_name": "Lia", "last_name": "Day", "values_json": json.dumps({"created_at": "2022-08-23"})}, [])
    monkeypatch.setattr(sys.modules[__name__], "RECORDS", [lia, *RECORDS])
    ws = make_workspace("sql.omnidesk", timezone="America/New_York")
    customers = _workspace(ws)
    _refresh(ws, customers)
    assert customers[0] in runs  # written by SQL
    by_sql = golden_state(ws)
    python = make_workspace("python.omnidesk", timezone="America/New_York")
    assert _workspace(python) == customers
    monkeypatch.setattr(golden._WriteBehind, "write_plain_singles", lambda self, bounds, unindexed: set())
    _refresh(python, customers)
    assert golden_state(python) == by_sql
    rows = {r.id: r for r in by_sql[0]}
    assert rows[customers[0]].first_seen == "2022-08-23T04:00:00"  # midnight in New York (EDT)
    # A time of day given with its offset is that moment, whatever the shop's zone.
    assert rows[customers[13]].first_seen == "2021-05-01T10:00:00"  # Di's "2021-05-01T10:00:00Z"
