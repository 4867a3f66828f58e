"""A rebuild places every record afresh, but writes only what changes.

The records are compared as if nobody held them; a record whose cluster keeps
its customer's id stays where it is, unwritten, with its consent facts and
events; a customer made again keeps its row; the customers nobody holds any
more go.  The outcome must be what a rebuild of the same records taken off
their customers gives.
"""

from __future__ import annotations

import shutil

import pytest

from omnidesk.core.demo_data import write_demo_files
from omnidesk.core.identity import resolve, writes
from omnidesk.core.identity.find import find_duplicates
from omnidesk.core.identity.golden import refresh_customers
from omnidesk.core.identity.writes import place_followers
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.metrics_index import refresh_journeys
from omnidesk.core.tasks import run_to_completion
from omnidesk.core.workspace import Workspace

GOLDEN = ("display_name", "email", "phone", "orders", "spend_minor", "source_count", "consent_email",
          "consent_sms", "channels", "first_seen", "last_seen", "tags")


@pytest.fixture(scope="module")
def shop_file(tmp_path_factory):
    """A demo shop's exports of every channel, imported file by file (order rows, events, consent)."""
    folder = tmp_path_factory.mktemp("rebuild")
    path = folder / "shop.omnidesk"
    with Workspace.create(path) as ws:
        for demo in write_demo_files(folder / "demo", customers=120):
            import_file(ws, demo.path, ImportOptions(channel=demo.channel))
    return path


def _groups(ws) -> set[frozenset]:
    """Which records are together (by file and row), and which are on no customer."""
    with ws.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT r.customer_id, b.file_name, r.record_no FROM source_record r "
            "JOIN import_batch b ON b.id = r.batch_id").fetchall()
    groups: dict = {}
    for cid, name, no in rows:
        groups.setdefault(cid if cid is not None else ("alone", name, no), set()).add((name, no))
    return {frozenset(g) for g in groups.values()}


def _golden(ws) -> list[tuple]:
    with ws.engine.connect() as conn:
        return sorted(conn.exec_driver_sql(f"SELECT {', '.join(GOLDEN)} FROM customer").fetchall(), key=repr)


def _search(ws) -> list[tuple]:
    """The search index's entries, without the ids; every one of them names a customer."""
    with ws.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM customer_fts WHERE rowid NOT IN "
                                    "(SELECT id FROM customer)").scalar() == 0
        assert conn.exec_driver_sql("SELECT count(*) FROM customer_fts").scalar() == \
            conn.exec_driver_sql("SELECT count(*) FROM customer").scalar()
        return sorted(conn.exec_driver_sql("SELECT name, email, phone FROM customer_fts").fetchall())


def _journeys(ws) -> list[tuple]:
    """Every customer's journey, made again where listed stale, without the ids."""
    with ws.engine.begin() as conn:
        refresh_journeys(conn)
        return sorted(conn.exec_driver_sql("SELECT path, first_utc, gap_seconds FROM customer_journey").fetchall(),
                      key=repr)


def _assert_whole(ws) -> None:
    """Consent facts and events on their record's customer; no customer without a record."""
    with ws.engine.connect() as conn:
        for table in ("consent", "event"):
            astray = conn.exec_driver_sql(
                f"SELECT count(*) FROM {table} t JOIN source_record r ON r.id = t.record_id "
                "WHERE t.customer_id IS NOT r.customer_id").scalar()
            assert astray == 0, table
        empty = conn.exec_driver_sql("SELECT count(*) FROM customer c WHERE NOT EXISTS "
                                     "(SELECT 1 FROM source_record r WHERE r.customer_id = c.id)").scalar()
        assert empty == 0
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []


def _scramble(ws) -> set[int]:
    """Put some records on other customers and some on none, as an older placement might have;
    returns their ids."""
    with ws.engine.begin() as conn:
        rows = conn.exec_driver_sql(
            "SELECT id, customer_id FROM source_record WHERE customer_id IS NOT NULL ORDER BY id").fetchall()
        customers = sorted({c for _, c in rows})
        moved, affected = set(), set()
        for k, (rid, cid) in enumerate(rows[::37]):
            other = None if k % 4 == 0 else customers[(customers.index(cid) + 5) % len(customers)]
            conn.exec_driver_sql("UPDATE source_record SET customer_id = ? WHERE id = ?", (other, rid))
            for table in ("consent", "event"):
                conn.exec_driver_sql(f"UPDATE {table} SET customer_id = ? WHERE record_id = ?", (other, rid))
            moved.add(rid)
            affected |= {cid, other}
        # One record of a customer of several put on a customer of its own, as an unmerge might
        # have: the rebuild puts it back, and that customer, holding nothing, goes.
        rid, cid = conn.exec_driver_sql(
            "SELECT id, customer_id FROM source_record WHERE customer_id IN (SELECT customer_id FROM "
            "source_record GROUP BY customer_id HAVING count(*) > 2) ORDER BY id DESC LIMIT 1").one()
        columns = [c[1] for c in conn.exec_driver_sql("PRAGMA table_info(customer)") if c[1] != "id"]
        alone = conn.exec_driver_sql(f"INSERT INTO customer ({', '.join(columns)}) SELECT {', '.join(columns)} "
                                     "FROM customer WHERE id = ? RETURNING id", (cid,)).scalar()
        conn.exec_driver_sql("UPDATE source_record SET customer_id = ? WHERE id = ?", (alone, rid))
        for table in ("consent", "event"):
            conn.exec_driver_sql(f"UPDATE {table} SET customer_id = ? WHERE record_id = ?", (alone, rid))
        moved.add(rid)
        affected |= {cid, alone}
        # And a customer with no record at all, found by search: it goes, and its entry with it.
        empty = conn.exec_driver_sql(f"INSERT INTO customer ({', '.join(columns)}) SELECT {', '.join(columns)} "
                                     "FROM customer WHERE id = ? RETURNING id", (cid,)).scalar()
        conn.exec_driver_sql("INSERT INTO customer_fts (rowid, name, email, phone) VALUES (?, 'Nobody Here', '', '')",
                             (empty,))
        # Their cards say so, as after a hand edit.
        refresh_customers(conn, affected - {None})
        # A note and a pin on a customer none of that touched, to go where its records go.
        conn.exec_driver_sql("UPDATE customer SET notes = 'Prefers calls', pinned_json = '{\"city\": \"Bath\"}' "
                             "WHERE id = ?", (min(set(customers) - affected),))
    return moved


def _taken_off(path) -> None:
    """What a rebuild used to start from: every record off its customer, and no customers."""
    with Workspace.open(path) as ws, ws.engine.begin() as conn:
        for table in ("source_record", "consent", "event"):
            conn.exec_driver_sql(f"UPDATE {table} SET customer_id = NULL")
        conn.exec_driver_sql("DELETE FROM match_review")
        conn.exec_driver_sql("DELETE FROM customer")
        conn.exec_driver_sql("DELETE FROM customer_fts")


def test_a_rebuild_writes_only_the_records_that_move_and_ends_as_one_from_nothing(shop_file, tmp_path, monkeypatch):
    path, reference = tmp_path / "shop.omnidesk", tmp_path / "reference.omnidesk"
    shutil.copy(shop_file, path)
    with Workspace.open(path) as ws:
        moved = _scramble(ws)
        with ws.engine.begin() as conn:
            refresh_journeys(conn)  # the journeys as the records were put
    shutil.copy(path, reference)
    _taken_off(reference)
    with Workspace.open(reference) as ws:
        run_to_completion(find_duplicates(ws, from_scratch=True))
        expected, expected_golden, expected_search = _groups(ws), _golden(ws), _search(ws)
        expected_journeys = _journeys(ws)

    written: list[int] = []
    real = writes.set_column_by_id

    def spy(conn, table, column, rows):
        if table == "source_record":
            written.extend(rid for _, rid in rows)
        return real(conn, table, column, rows)

    def followers_spy(conn, followers, **kwargs):
        # Order rows after the first go with it, all of them: those whose lead is left on no
        # customer too (see the test below); what was entered by hand keeps its customer.
        assert kwargs["unplace"] is True and set(kwargs) <= {"unplace", "keep_placed"}
        written.extend(followers)
        return place_followers(conn, followers, **kwargs)

    monkeypatch.setattr(writes, "set_column_by_id", spy)
    monkeypatch.setattr(resolve, "place_followers", followers_spy)
    with Workspace.open(path) as ws:
        with ws.engine.connect() as conn:
            records = conn.exec_driver_sql("SELECT count(*) FROM source_record").scalar()
            noted = conn.exec_driver_sql("SELECT id FROM source_record WHERE customer_id = "
                                         "(SELECT id FROM customer WHERE notes != '')").fetchall()
        run_to_completion(find_duplicates(ws, from_scratch=True))
        assert _groups(ws) == expected
        assert _golden(ws) == expected_golden
        assert _search(ws) == expected_search
        assert _journeys(ws) == expected_journeys
        _assert_whole(ws)
        # The records put astray were written back; the others were left as they were.
        assert moved <= set(written)
        assert len(written) < records // 5, (len(written), records)
        with ws.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM customer WHERE notes != '' OR pinned_json != '{}'"
                                        ).scalar() == 1
            note = conn.exec_driver_sql("SELECT customer_id FROM source_record WHERE id = ?", (noted[0][0],)).scalar()
            # The pin (set here without its card worked out again) shows on the card it went to.
            assert conn.exec_driver_sql("SELECT notes, city FROM customer WHERE id = ?", (note,)).one() \
                == ("Prefers calls", "Bath")


def test_a_rebuild_that_changes_nothing_writes_no_record_and_keeps_every_customer(shop_file, tmp_path, monkeypatch):
    path = tmp_path / "shop.omnidesk"
    shutil.copy(shop_file, path)
    written: list = []
    monkeypatch.setattr(writes, "set_column_by_id", lambda conn, table, column, rows: written.extend(rows))
    refreshed: list = []
    real_refresh = resolve.refresh_customers_steps

    def refresh_spy(conn, ids):
        refreshed.extend(ids)
        return real_refresh(conn, ids)

    monkeypatch.setattr(resolve, "refresh_customers_steps", refresh_spy)
    with Workspace.open(path) as ws:
        with ws.engine.begin() as conn:
            refresh_journeys(conn)
        with ws.engine.connect() as conn:
            before = conn.exec_driver_sql("SELECT id, customer_id FROM source_record").fetchall()
            customers = conn.exec_driver_sql("SELECT id, created_at FROM customer").fetchall()
            golden, search = _golden(ws), _search(ws)
        stats = run_to_completion(find_duplicates(ws, from_scratch=True))
        # No customer changed: none is new, none has its card worked out again, and the list
        # need not reload any.
        assert refreshed == [] and stats.changes.customers == frozenset() and stats.created == 0
        assert _golden(ws) == golden and _search(ws) == search
        with ws.engine.connect() as conn:  # every journey stays as it was made
            assert conn.exec_driver_sql("SELECT count(*) FROM journey_stale").scalar() == 0
        with ws.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT id, customer_id FROM source_record").fetchall() == before
            # Each customer keeps its row: the day it was first made too.
            assert conn.exec_driver_sql("SELECT id, created_at FROM customer").fetchall() == customers
        _assert_whole(ws)
    assert written == []


def test_followers_of_a_lead_left_without_a_customer_lose_theirs_in_a_rebuild_only(shop_file, tmp_path):
    path = tmp_path / "shop.omnidesk"
    shutil.copy(shop_file, path)
    with Workspace.open(path) as ws, ws.engine.begin() as conn:
        lead, follower, cid = conn.exec_driver_sql(
            "SELECT a.id, b.id, b.customer_id FROM source_record a JOIN source_record b "
            "ON b.customer_id = a.customer_id AND b.id > a.id "
            "AND EXISTS (SELECT 1 FROM event WHERE event.record_id = b.id) ORDER BY a.id LIMIT 1").one()
        conn.exec_driver_sql("UPDATE source_record SET customer_id = NULL WHERE id = ?", (lead,))

        assert place_followers(conn, {follower: lead}) == set()
        assert conn.exec_driver_sql("SELECT customer_id FROM source_record WHERE id = ?", (follower,)).scalar() == cid

        assert place_followers(conn, {follower: lead}, unplace=True) == set()
        assert conn.exec_driver_sql("SELECT customer_id FROM source_record WHERE id = ?", (follower,)).scalar() is None
        assert conn.exec_driver_sql("SELECT count(*) FROM event WHERE record_id = ? AND customer_id IS NOT NULL",
                                    (follower,)).scalar() == 0
