"""The Dashboard's summaries give exactly the figures read from every event, whatever changed since.

A demo shop is imported through the real pipeline (shop, email, till, leads, SMS,
contacts); after each change a person can make — a second import, a merge, an
unmerge, an undone merge, an erasure, an import taken back and put back — activity
and journeys read from the summaries are compared, for several periods, with the
same figures computed the way they were before the summaries existed
(tests/metrics_oracle.py).
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from omnidesk.core import metrics, metrics_index
from omnidesk.core.demo_data import write_demo_files
from omnidesk.core.identity.merge import merge_customers, undo_log, unmerge_record
from omnidesk.core.importing.batches import remove_batch, restore_batch, undo_batch
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.models import Event, ImportBatch, SourceRecord
from omnidesk.core.money import ORDER_TYPES
from omnidesk.core.rights import erase_person
from omnidesk.core.workspace import Workspace
from tests.metrics_oracle import old_activity, old_journeys

# The demo's events span the year before 1 November 2026; a period may cut a week in two.
PERIODS = [metrics.Period(), metrics.Period(date(2026, 3, 4)), metrics.Period(None, date(2026, 6, 17)),
           metrics.Period(date(2026, 2, 11), date(2026, 8, 26)), metrics.Period(date(2027, 1, 1))]


def summaries(ws) -> tuple[int, int, int]:
    """(imports summed, imports with events not summed, stale journeys)."""
    with ws.engine.connect() as conn:
        summed = conn.execute(text("SELECT count(*) FROM event_day_batch")).scalar_one()
        unsummed = conn.execute(text("SELECT count(DISTINCT batch_id) FROM event WHERE batch_id NOT IN "
                                     "(SELECT batch_id FROM event_day_batch)")).scalar_one()
        stale = conn.execute(text("SELECT count(*) FROM journey_stale")).scalar_one()
    return summed, unsummed, stale


def assert_same_figures(ws, *, limit=200) -> None:
    for period in PERIODS:
        assert metrics.activity(ws, period) == old_activity(ws, period), period
        assert metrics.journeys(ws, period, limit) == old_journeys(ws, period, limit), period
        assert metrics.journeys(ws, period) == old_journeys(ws, period), period
        assert metrics.journeys(ws, period, None) == old_journeys(ws, period, None), period
    summed, unsummed, stale = summaries(ws)
    assert summed > 0 and unsummed == 0 and stale == 0  # the figures came from the summaries
    assert sum(j["customers"] for j in metrics.journeys(ws, limit=10_000)) > 50


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory):
    return write_demo_files(tmp_path_factory.mktemp("demo"), customers=160)


def _import(ws, demo_file):
    return import_file(ws, demo_file.path, ImportOptions(channel=demo_file.channel, kind=demo_file.kind,
                                                         preset=demo_file.preset))


@pytest.fixture(scope="module")
def imported(tmp_path_factory, empty_workspace_file, demo_files) -> dict[int, Path]:
    """The shop (on New York time) after its first 4, all but 3, and all demo files, as the tests
    import them: imported once for the module, one file after another; each test opens a copy."""
    folder = tmp_path_factory.mktemp("imported")
    made: dict[int, Path] = {}
    done, source = 0, empty_workspace_file
    for n in sorted({4, len(demo_files) - 3, len(demo_files)}):
        path = folder / f"first-{n}.omnidesk"
        shutil.copyfile(source, path)
        with Workspace.open(path) as ws:
            if not done:
                ws.set_setting("timezone", "America/New_York")
            for demo_file in demo_files[done:n]:
                _import(ws, demo_file)
        made[n] = path
        done, source = n, path
    return made


@pytest.fixture
def shop_after(imported, tmp_path):
    """``shop_after(n)``: the test's own copy of the shop after the first ``n`` demo files, closed after it."""
    made = []

    def open_copy(n: int) -> Workspace:
        path = tmp_path / "shop.omnidesk"
        shutil.copyfile(imported[n], path)
        made.append(Workspace.open(path))
        return made[-1]

    yield open_copy
    for ws in made:
        ws.close()


def _customers_with_orders(ws, n: int) -> list[int]:
    ev = Event.__table__
    with ws.engine.connect() as conn:
        return list(conn.execute(select(ev.c.customer_id).where(ev.c.type.in_(ORDER_TYPES),
                                                                ev.c.customer_id.is_not(None))
                                 .group_by(ev.c.customer_id).order_by(func.count().desc(), ev.c.customer_id)
                                 .limit(n)).scalars())


def test_the_summaries_give_the_figures_every_event_gives_through_every_change(shop_after, demo_files):
    ws = shop_after(len(demo_files) - 3)
    assert summaries(ws)[0] == 0  # nothing summed before the Dashboard asks
    assert_same_figures(ws)

    # A second import: its events read one by one until summed, then from the sums.
    second = [_import(ws, f).batch_id for f in demo_files[-3:]]
    assert summaries(ws)[1] > 0
    assert metrics.activity(ws) == old_activity(ws)
    assert_same_figures(ws)

    # A merge moves one customer's events and records to another; an unmerge splits one back out.
    a, b, c = _customers_with_orders(ws, 3)
    merged = merge_customers(ws, [a, b, c])
    assert summaries(ws)[2] == 3
    assert_same_figures(ws)
    with ws.engine.connect() as conn:
        record = conn.execute(select(SourceRecord.__table__.c.id).where(
            SourceRecord.__table__.c.customer_id == merged.survivor,
            SourceRecord.__table__.c.channel == "pos")).scalars().first() or conn.execute(
            select(Event.__table__.c.record_id).where(Event.__table__.c.customer_id == merged.survivor)
            .order_by(Event.__table__.c.occurred_utc.desc())).scalars().first()
    _, _, split_log = unmerge_record(ws, record)
    assert_same_figures(ws)
    undo_log(ws, split_log)
    for log_id in reversed(merged.log_ids):
        undo_log(ws, log_id)
    assert_same_figures(ws)

    # An erasure deletes a person's events (a summed day loses them) and records.
    erase_person(ws, _customers_with_orders(ws, 1)[0])
    assert_same_figures(ws)

    # An import taken back (journaled, as the Imports screen does), put back, and taken back for good.
    removal = remove_batch(ws, second[0])
    assert_same_figures(ws)
    restore_batch(ws, removal)
    assert_same_figures(ws)
    undo_batch(ws, second[1])
    assert_same_figures(ws)


def test_many_stale_journeys_are_made_again_in_one_pass(shop_after, demo_files, monkeypatch):
    ws = shop_after(len(demo_files))
    monkeypatch.setattr(metrics_index, "FULL_PASS_FROM", 0)
    calls = []
    real = metrics_index.read_journeys
    monkeypatch.setattr(metrics_index, "read_journeys", lambda conn, ids=None, zone=None: calls.append(ids) or real(conn, ids, zone))
    assert_same_figures(ws)
    assert calls and calls[0] is None  # every customer at once, not customer by customer
    a, b = _customers_with_orders(ws, 2)
    merge_customers(ws, [a, b])
    assert_same_figures(ws)


def test_a_workspace_that_cannot_be_written_reads_its_figures_from_the_events(shop_after):
    ws = shop_after(4)
    path = ws.path
    ws.close()
    with Workspace.open(path, readonly=True) as readonly:
        for period in PERIODS:
            assert metrics.activity(readonly, period) == old_activity(readonly, period)
            assert metrics.journeys(readonly, period) == old_journeys(readonly, period)
        assert summaries(readonly)[0] == 0 and summaries(readonly)[2] > 0


def test_a_busy_workspace_reads_the_events_and_sums_them_next_time(shop_after):
    ws = shop_after(4)
    other = Workspace.open(ws.path)
    try:
        with other.writing():  # an import running in another window holds the write lock
            for period in PERIODS[:2]:
                assert metrics.activity(ws, period) == old_activity(ws, period)
                assert metrics.journeys(ws, period) == old_journeys(ws, period)
            assert summaries(ws)[0] == 0
    finally:
        other.close()
    assert_same_figures(ws)


def _schema(ws) -> set[tuple[str, str, str]]:
    with ws.engine.connect() as conn:
        return set(conn.execute(text("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL")).all())


def test_a_rebuild_from_scratch_makes_the_changed_journeys_again_and_keeps_the_schema(shop_after, demo_files,
                                                                                      monkeypatch):
    """A rebuild lists the journeys of the customers whose records moved as stale, not every
    one, and puts off the indexes that follow each moved row and brings them back."""
    from omnidesk.core import customers
    from omnidesk.core.identity import resolve

    ws = shop_after(len(demo_files))
    assert_same_figures(ws)
    schema = _schema(ws)
    with ws.engine.connect() as conn:
        name = conn.execute(text("SELECT last_name FROM customer WHERE length(last_name) > 3 "
                                 "ORDER BY id LIMIT 1")).scalar_one()
    assert customers.customer_ids(ws, search=name, sort="name")
    monkeypatch.setattr(resolve, "_WHOLE_WORKSPACE_BATCH", 1)  # the demo is small: the bulk path all the same
    with ws.writing() as conn:
        # A changed journey: one customer's records and events go to another before the rebuild.
        a, b = conn.execute(text("SELECT id FROM customer ORDER BY id LIMIT 2")).scalars()
        for table in ("source_record", "event", "consent"):
            conn.execute(text(f"UPDATE {table} SET customer_id = :b WHERE customer_id = :a"), {"a": a, "b": b})
        conn.execute(text("DELETE FROM journey_stale"))
        resolve.resolve_all(conn, from_scratch=True)
        stale = conn.execute(text("SELECT count(*) FROM journey_stale")).scalar_one()
        placed = conn.execute(text("SELECT count(DISTINCT customer_id) FROM source_record")).scalar_one()
    assert 0 < stale < placed  # the moved records' customers' journeys are made again, not all
    assert _schema(ws) == schema  # every trigger, index and the search table as they were
    assert_same_figures(ws)
    assert customers.customer_ids(ws, search=name, sort="name")  # the search index is whole again


def test_the_triggers_that_keep_the_summaries_are_in_every_new_workspace(make_workspace):
    """A later migration that rebuilds the event or record table must make them again."""
    ws = make_workspace()
    with ws.engine.connect() as conn:
        names = set(conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())
    assert {"event_day_insert", "event_day_delete", "event_day_update", "journey_event_insert",
            "journey_event_delete", "journey_event_update", "journey_record_insert", "journey_record_delete",
            "journey_record_update", "journey_customer_delete"} <= names


def test_an_edited_event_moves_its_money_and_its_day(shop_with_orders):
    ws, batch = shop_with_orders
    assert metrics.activity(ws) == old_activity(ws)
    with ws.writing() as conn:  # a status filled in later (importing/backfill.py), a time corrected
        conn.execute(text("UPDATE event SET status = 'refunded' WHERE id = 1"))
        conn.execute(text("UPDATE event SET occurred_utc = '2026-03-30T10:00:00' WHERE id = 2"))
        conn.execute(text("UPDATE event SET occurred_utc = NULL WHERE id = 3"))
    assert metrics.activity(ws) == old_activity(ws)
    assert {(r["week"], r["events"], r["revenue"]) for r in metrics.activity(ws)} == {
        ("2026-W10", 1, 0.0), ("2026-W14", 1, 20.0)}
    assert metrics.journeys(ws) == old_journeys(ws)


@pytest.fixture
def shop_with_orders(ws):
    from sqlalchemy import insert

    from omnidesk.core.models import Customer

    with ws.writing() as conn:
        batch = conn.execute(insert(ImportBatch.__table__).values(
            file_name="orders.csv", file_hash="o", channel="shop", kind="events", status="done",
            header_json="[]", mapping_json="[]", options_json="{}")).inserted_primary_key[0]
        conn.execute(insert(Customer.__table__).values(id=1, display_name="Ann", channels="shop"))
        conn.execute(insert(SourceRecord.__table__).values(id=1, batch_id=batch, record_no=1, channel="shop",
                                                           kind="events", row_hash="h", raw_json="[]",
                                                           customer_id=1))
        for n, (when, amount) in enumerate((("2026-03-02T10:00:00", 1000), ("2026-03-03T10:00:00", 2000),
                                            ("2026-03-04T10:00:00", 4000)), start=1):
            conn.execute(insert(Event.__table__).values(
                id=n, batch_id=batch, record_id=1, customer_id=1, channel="shop", type="order", occurred_at=when,
                occurred_utc=when, status="paid", amount_minor=amount, details_json="{}"))
    return ws, batch
