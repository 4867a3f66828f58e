"""A refresh of most customers builds the customer indexes once instead of changing them card by card.

A second big import, or a rebuild of every card, rewrites a good share of the
customer table: its indexes are dropped for the refresh and built again at
the end, in the same transaction.  The cards and search entries must come out
exactly as a card-by-card refresh writes them, every index must be back as it
was, a small refresh must leave the indexes alone, and an error halfway must
roll back to the indexes and cards as they were.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from omnidesk.core.identity import golden
from omnidesk.core.identity.golden import refresh_all, refresh_customers
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.models import Customer
from tests.helpers import golden_state, write_csv

HEADER = ["Email", "First Name", "Last Name", "Phone", "Zip", "Accepts Email Marketing", "Tags"]
FIRST = ["María", "José", "Zoë", "Ann", "Robert", "Chloé", "Ilse", "Søren"]
LAST = ["García", "Müller", "O'Brien", "Nguyễn", "Smith", "Łukasz", "Dvořák", "Berg"]
PEOPLE = 180


def _shop_rows() -> list[list[str]]:
    return [[f"p{i}@example.com", FIRST[i % 8], f"{LAST[i // 8 % 8]}{i}", f"+1415555{i:04d}", f"0{4100 + i % 50}",
             "yes" if i % 3 else "no", "VIP" if i % 9 == 0 else ""] for i in range(PEOPLE)]


def _list_rows() -> list[list[str]]:
    # The same people on the email list (most of them), some under a second address, and a few new ones:
    # the second import touches most cards, so its refresh is a bulk one.
    rows = [[f"p{i}@example.com" if i % 4 else f"second{i}@example.net", FIRST[i % 8], f"{LAST[i // 8 % 8]}{i}",
             f"+1415555{i:04d}", f"0{4100 + i % 50}", "no" if i % 5 == 0 else "yes", "newsletter"]
            for i in range(0, PEOPLE, 1) if i % 7]
    rows += [[f"new{i}@example.org", "Nadia", f"Novak{i}", "", "", "yes", ""] for i in range(20)]
    return rows


def _indexes(ws) -> list[tuple]:
    with ws.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                                    "AND tbl_name = 'customer' ORDER BY name").all()


def _build(ws, tmp_path):
    import_file(ws, write_csv(tmp_path / "customers_export.csv", HEADER, _shop_rows()),
                ImportOptions(channel="shop", kind="contacts"))
    import_file(ws, write_csv(tmp_path / "members.csv", HEADER, _list_rows()),
                ImportOptions(channel="email", kind="contacts"))


@pytest.fixture
def suspended(monkeypatch):
    """Refreshes of 50 customers or more count as big; records each refresh's customer indexes while it runs."""
    monkeypatch.setattr(golden, "_BULK_FROM", 50)
    seen: list[int] = []
    real = golden._refresh_steps

    def steps(conn, ids):
        seen.append(conn.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE type = 'index' "
                                         "AND tbl_name = 'customer' AND name LIKE 'ix_customer_%'").scalar())
        return (yield from real(conn, ids))

    monkeypatch.setattr(golden, "_refresh_steps", steps)
    return seen


def test_a_big_second_import_writes_the_cards_a_card_by_card_refresh_writes(make_workspace, tmp_path, suspended,
                                                                            monkeypatch):
    bulk = make_workspace("bulk.omnidesk")
    expected_indexes = _indexes(bulk)
    assert len(expected_indexes) >= 16
    _build(bulk, tmp_path)
    assert 0 in suspended, "the second import's refresh ran without the customer indexes"
    with monkeypatch.context() as m:
        m.setattr(golden, "_BULK_FROM", 10**9)
        in_turn = make_workspace("in_turn.omnidesk")
        _build(in_turn, tmp_path)
    customers, entries = golden_state(bulk)
    assert len(customers) > PEOPLE and len(entries) == len(customers)
    assert (customers, entries) == golden_state(in_turn)
    assert _indexes(bulk) == expected_indexes
    # The indexes are whole again: a look-up through them finds what a scan finds.
    with bulk.engine.connect() as conn:
        by_index = conn.exec_driver_sql("SELECT id FROM customer INDEXED BY ix_customer_email "
                                        "WHERE email = 'p9@example.com'").scalars().all()
        by_scan = conn.exec_driver_sql("SELECT id FROM customer NOT INDEXED WHERE email = 'p9@example.com'"
                                       ).scalars().all()
        granted = conn.exec_driver_sql("SELECT count(*) FROM customer INDEXED BY ix_customer_granted_email "
                                       "WHERE consent_email = 'granted' AND email > ''").scalar()
        granted_scan = conn.exec_driver_sql("SELECT count(*) FROM customer NOT INDEXED "
                                            "WHERE consent_email = 'granted' AND email > ''").scalar()
    assert by_index == by_scan and len(by_index) == 1
    assert granted == granted_scan > 0


def test_a_refresh_of_a_small_share_of_the_cards_leaves_the_indexes_in_place(ws, tmp_path, suspended, monkeypatch):
    _build(ws, tmp_path)
    before = golden_state(ws)
    monkeypatch.setattr(golden, "_BULK_FROM", 10)
    with ws.engine.connect() as conn:
        ids = conn.execute(select(Customer.__table__.c.id).order_by(Customer.__table__.c.id)).scalars().all()
    share = len(ids) // golden._BULK_SHARE
    assert share > 10
    suspended.clear()
    with ws.engine.begin() as conn:
        refresh_customers(conn, ids[:share - 1])  # enough cards, too small a share: changed card by card
        refresh_customers(conn, ids[:share + 1])  # a sixth of the table: built once
    assert suspended[0] >= 16 and suspended[1] == 0
    assert golden_state(ws) == before


def test_rebuilding_every_card_keeps_them_and_their_indexes(ws, tmp_path, suspended):
    from omnidesk.core.customers import customer_ids

    _build(ws, tmp_path)
    before, indexes = golden_state(ws), _indexes(ws)
    with ws.engine.begin() as conn:
        # An entry left behind by nobody (a customer gone without its entry): a rebuild of every card
        # makes the search index anew, whose entries are the cards' and no others.
        conn.exec_driver_sql("INSERT INTO customer_fts (rowid, name, email, phone) "
                             "VALUES (999999, 'Ghost Person', 'ghost@example.com', '')")
    suspended.clear()
    with ws.engine.begin() as conn:
        assert refresh_all(conn) == len(before[0])
    assert suspended == [0]
    assert golden_state(ws) == before
    assert _indexes(ws) == indexes
    # The index answers as before: by name without accents, by email, by a phone typed any way.
    assert len(customer_ids(ws, search="Garcia")) == len(customer_ids(ws, search="García")) > 0
    assert customer_ids(ws, search="p9@example.com") and customer_ids(ws, search="(415) 555-0009")
    assert list(customer_ids(ws, search="Ghost")) == []


def test_a_rebuild_that_fails_halfway_leaves_the_search_index_as_it_was(ws, tmp_path, suspended, monkeypatch):
    from omnidesk.core.customers import customer_ids

    _build(ws, tmp_path)
    before = golden_state(ws)
    real = golden._golden_rows
    calls = []

    def failing(ids, facts, trust):
        calls.append(len(ids))
        if len(calls) == 2:
            raise RuntimeError("disk went away")
        return real(ids, facts, trust)

    monkeypatch.setattr(golden, "_RANGE", 40)
    monkeypatch.setattr(golden, "_IN", 40)
    monkeypatch.setattr(golden, "_golden_rows", failing)
    monkeypatch.setattr(golden.forking, "worker", lambda fn: None)
    with pytest.raises(RuntimeError, match="disk went away"):
        with ws.engine.begin() as conn:
            refresh_all(conn)
    assert golden_state(ws) == before
    assert customer_ids(ws, search="p9@example.com")


def test_an_error_halfway_through_a_bulk_refresh_leaves_cards_and_indexes_as_they_were(ws, tmp_path, suspended,
                                                                                     monkeypatch):
    _build(ws, tmp_path)
    before, indexes = golden_state(ws), _indexes(ws)
    monkeypatch.setattr(golden, "_RANGE", 40)
    monkeypatch.setattr(golden, "_IN", 40)
    calls = []
    real = golden._golden_rows

    def failing(ids, facts, trust):
        calls.append(len(ids))
        if len(calls) == 3:
            raise RuntimeError("disk went away")
        return real(ids, facts, trust)

    monkeypatch.setattr(golden, "_golden_rows", failing)
    monkeypatch.setattr(golden.forking, "worker", lambda fn: None)  # worked out here, where the error is raised
    suspended.clear()
    with pytest.raises(RuntimeError, match="disk went away"):
        with ws.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE customer SET display_name = 'changed' WHERE id = 1")
            refresh_all(conn)
    assert len(calls) == 3 and suspended == [0]
    assert _indexes(ws) == indexes
    assert golden_state(ws) == before
