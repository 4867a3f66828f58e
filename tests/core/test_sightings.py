"""A row an earlier file already held is kept as one more sighting of the same customer."""

from __future__ import annotations

import csv

from omnidesk.core.exporting.tables import export_sources
from omnidesk.core.identity.resolve import resolve_all
from omnidesk.core.importing.batches import undo_batch
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from tests.helpers import write_csv

HEADER = ["Email", "First name", "Last name", "City"]
ANN = ["ann@example.com", "Ann", "Okonkwo", "Leeds"]
BOB = ["bob@example.com", "Bob", "Stone", "York"]
CY = ["cy@example.com", "Cy", "Day", "Hull"]


def records(ws):
    with ws.engine.connect() as conn:
        return conn.exec_driver_sql(
            "SELECT b.file_name, r.record_no, r.channel, r.customer_id FROM source_record r "
            "JOIN import_batch b ON b.id = r.batch_id ORDER BY r.id").fetchall()


def customer(ws, cid):
    with ws.engine.connect() as conn:
        return conn.exec_driver_sql(
            "SELECT source_count, channels FROM customer WHERE id = ?", (cid,)).one()


def test_identical_row_of_another_file_of_the_same_channel_is_kept_on_the_same_customer(ws, tmp_path):
    import_file(ws, write_csv(tmp_path / "march.csv", HEADER, [ANN, BOB]), ImportOptions(channel="email"))
    june = import_file(ws, write_csv(tmp_path / "june.csv", HEADER, [CY, ANN]), ImportOptions(channel="email"))
    assert (june.rows, june.imported, june.duplicates, june.seen_before) == (2, 2, 0, 1)
    assert (june.new_customers, june.updated_customers) == (1, 1)
    rows = records(ws)
    ann = [r for r in rows if r[:2] in (("march.csv", 1), ("june.csv", 2))]
    assert len(ann) == 2 and ann[0][3] == ann[1][3] is not None
    assert customer(ws, ann[0][3]) == (2, "email")
    assert ws.counts()["customers"] == 3
    out = tmp_path / "sources.csv"
    assert export_sources(ws, out) == 4
    with out.open(encoding="utf-8", newline="") as fh:
        exported = [(r["source_file"], r["source_row"], r["customer_id"]) for r in csv.DictReader(fh)]
    assert ("june.csv", "2", str(ann[0][3])) in exported


def test_identical_row_of_another_channel_is_a_source_of_the_same_customer(ws, tmp_path):
    import_file(ws, write_csv(tmp_path / "shop.csv", HEADER, [ANN]), ImportOptions(channel="shop"))
    news = import_file(ws, write_csv(tmp_path / "news.csv", HEADER, [ANN, BOB]), ImportOptions(channel="email"))
    assert (news.imported, news.duplicates, news.new_customers) == (2, 0, 1)
    (_, _, _, a), (_, _, _, b), _ = records(ws)
    assert a == b
    source_count, channels = customer(ws, a)
    assert source_count == 2 and set(channels.split()) == {"shop", "email"}


def test_a_row_with_nothing_but_a_name_seen_again_stays_one_person(ws, tmp_path):
    # Names alone never merge two records; an identical row is the same record seen again.
    till = (["Name", "Note"], [["Leonard Haddad", "walk-in"]])
    import_file(ws, write_csv(tmp_path / "till-1.csv", *till), ImportOptions(channel="pos"))
    again = import_file(ws, write_csv(tmp_path / "till-2.csv", till[0], [*till[1], ["Zora Finch", "walk-in"]]),
                        ImportOptions(channel="pos"))
    assert again.seen_before == 1
    rows = records(ws)
    assert rows[0][3] == rows[1][3] is not None and rows[2][3] != rows[0][3]
    assert customer(ws, rows[0][3])[0] == 2
    with ws.writing() as conn:
        resolve_all(conn, from_scratch=True)
    rows = records(ws)
    assert rows[0][3] == rows[1][3] is not None  # a rebuild keeps them together too


def test_an_overlapping_orders_export_does_not_count_an_order_twice(ws, tmp_path):
    header = ["Order ID", "Email", "First name", "Last name", "Total", "Date"]
    first = [["1001", "ann@example.com", "Ann", "Okonkwo", "20.00", "2026-03-01"],
             ["1002", "bob@example.com", "Bob", "Stone", "5.00", "2026-03-02"]]
    second = [first[1], ["1003", "ann@example.com", "Ann", "Okonkwo", "7.50", "2026-03-03"]]
    opts = ImportOptions(channel="shop", kind="events")
    import_file(ws, write_csv(tmp_path / "orders-1.csv", header, first), opts)
    result = import_file(ws, write_csv(tmp_path / "orders-2.csv", header, second), opts)
    assert (result.imported, result.seen_before, result.events) == (2, 1, 1)
    with ws.engine.connect() as conn:
        spend = dict(conn.exec_driver_sql("SELECT email, spend_minor FROM customer").fetchall())
        bob_records = conn.exec_driver_sql(
            "SELECT count(*) FROM source_record WHERE email = 'bob@example.com'").scalar()
    assert spend == {"ann@example.com": 2750, "bob@example.com": 500}
    assert bob_records == 2


def test_a_row_repeated_within_one_file_is_imported_like_any_other(ws, tmp_path):
    result = import_file(ws, write_csv(tmp_path / "list.csv", HEADER, [ANN, ANN, BOB]),
                         ImportOptions(channel="email"))
    assert (result.imported, result.duplicates, result.seen_before) == (3, 0, 0)
    rows = records(ws)
    assert rows[0][3] == rows[1][3] and customer(ws, rows[0][3])[0] == 2


def test_the_same_file_again_adds_nothing_and_undo_takes_the_sightings_back(ws, tmp_path):
    import_file(ws, write_csv(tmp_path / "march.csv", HEADER, [ANN, BOB]), ImportOptions(channel="email"))
    june_file = write_csv(tmp_path / "june.csv", HEADER, [ANN])
    june = import_file(ws, june_file, ImportOptions(channel="email"))
    again = import_file(ws, june_file, ImportOptions(channel="email"))
    assert (again.imported, again.duplicates, again.seen_before) == (0, 1, 0)
    assert len(records(ws)) == 3
    ann = records(ws)[0][3]
    assert customer(ws, ann)[0] == 2
    # The copy of June's file is still kept: June's rows stay, its rows now; undone too, they go.
    undo_batch(ws, june.batch_id)
    assert len(records(ws)) == 3 and customer(ws, ann)[0] == 2
    undo_batch(ws, again.batch_id)
    assert len(records(ws)) == 2 and customer(ws, ann)[0] == 1


def test_a_row_seen_again_goes_with_its_twin_when_a_merge_is_undone_or_a_record_split(ws, tmp_path):
    from omnidesk.core.identity.merge import merge_customers, undo_log, unmerge_record

    import_file(ws, write_csv(tmp_path / "march.csv", HEADER, [ANN, CY, BOB]), ImportOptions(channel="email"))
    ann, cy, bob = (r[3] for r in records(ws))
    merged = merge_customers(ws, [ann, bob])  # by mistake
    import_file(ws, write_csv(tmp_path / "june.csv", HEADER, [BOB]), ImportOptions(channel="email"))
    assert [r[3] for r in records(ws)] == [ann, cy, ann, ann]
    undo_log(ws, merged.log_ids[0])
    assert [r[3] for r in records(ws)] == [ann, cy, bob, bob]
    assert customer(ws, bob)[0] == 2
    merge_customers(ws, [ann, bob])
    _, new, _ = unmerge_record(ws, 3)  # Bob's March row: his June row is the same row
    assert [r[3] for r in records(ws)] == [ann, cy, new, new]


def test_an_event_seen_again_is_not_counted_twice_even_when_it_is_nobody_s(ws, tmp_path):
    header = ["Email", "Event", "Date"]
    opens = [["family@example.com", "opened", "2026-03-01"], ["cy@example.com", "opened", "2026-03-02"]]
    opts = ImportOptions(channel="email", kind="events")
    import_file(ws, write_csv(tmp_path / "activity-march.csv", header, opens), opts)
    with ws.engine.begin() as conn:  # the first open went to nobody (an address a family shares)
        conn.exec_driver_sql("UPDATE source_record SET customer_id = NULL WHERE email = 'family@example.com'")
        conn.exec_driver_sql("UPDATE event SET customer_id = NULL WHERE record_id = 1")
    result = import_file(ws, write_csv(tmp_path / "activity-april.csv", header,
                                       [*opens, ["cy@example.com", "clicked", "2026-04-01"]]), opts)
    assert (result.imported, result.seen_before, result.events) == (3, 2, 1)
    with ws.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM event").scalar() == 3
        family = conn.exec_driver_sql(
            "SELECT customer_id FROM source_record WHERE email = 'family@example.com'").scalars().all()
    assert family == [None, None]


def test_undoing_an_import_leaves_the_orders_a_later_file_repeats(ws, tmp_path):
    from omnidesk.core.importing.batches import remove_batch, restore_batch
    from tests.workspace_dump import differences, dump

    header = ["Order ID", "Email", "First name", "Last name", "Total", "Date"]
    ann = ["1001", "ann@example.com", "Ann", "Okonkwo", "20.00", "2026-03-01"]
    bob = ["1002", "bob@example.com", "Bob", "Stone", "5.00", "2026-03-02"]
    opts = ImportOptions(channel="shop", kind="events")
    march = import_file(ws, write_csv(tmp_path / "orders-march.csv", header, [ann]), opts)
    q1_file = write_csv(tmp_path / "orders-q1.csv", header, [ann, bob])
    q1 = import_file(ws, q1_file, opts)
    assert (q1.seen_before, q1.events) == (1, 1)  # 1001, word for word: recorded once

    def spend():
        with ws.engine.connect() as conn:
            return dict(conn.exec_driver_sql("SELECT email, spend_minor FROM customer").all())

    assert spend() == {"ann@example.com": 2000, "bob@example.com": 500}
    before = dump(ws.path)
    removal = remove_batch(ws, march.batch_id)  # the Imports screen's Undo
    # The Q1 file still holds order 1001: it is that import's order now.
    assert spend() == {"ann@example.com": 2000, "bob@example.com": 500}
    with ws.engine.connect() as conn:
        events = conn.exec_driver_sql(
            "SELECT e.batch_id, r.batch_id, r.email, e.amount_minor, e.customer_id = r.customer_id FROM event e "
            "JOIN source_record r ON r.id = e.record_id ORDER BY e.occurred_at").all()
    assert [tuple(e) for e in events] == [(q1.batch_id, q1.batch_id, "ann@example.com", 2000, 1),
                                         (q1.batch_id, q1.batch_id, "bob@example.com", 500, 1)]
    copy = import_file(ws, q1_file, opts)
    assert (copy.already_imported, copy.imported) == (q1.batch_id, 0)  # nothing to add again: nothing lost
    undo_batch(ws, copy.batch_id)  # a copy undone takes nothing but its entry in the list
    # Edit > Undo puts the March import back exactly as it was.
    restore_batch(ws, removal)
    assert [d for d in differences(before, dump(ws.path)) if not d.startswith("import_batch:")] == []
    undo_batch(ws, q1.batch_id)
    undo_batch(ws, march.batch_id)
    assert spend() == {}


def test_undoing_an_import_leaves_the_events_a_later_file_repeats(ws, tmp_path):
    header = ["Email", "Event", "Date"]
    opens = [["ann@example.com", "opened", "2026-03-01"], ["cy@example.com", "opened", "2026-03-02"]]
    opts = ImportOptions(channel="email", kind="events")
    march = import_file(ws, write_csv(tmp_path / "activity-march.csv", header, opens), opts)
    april = import_file(ws, write_csv(tmp_path / "activity-april.csv", header,
                                      [opens[1], ["cy@example.com", "clicked", "2026-04-01"]]), opts)
    undo_batch(ws, march.batch_id)
    with ws.engine.connect() as conn:
        events = conn.exec_driver_sql("SELECT e.batch_id, r.batch_id, r.email, e.occurred_at, e.customer_id, "
                                      "r.customer_id FROM event e JOIN source_record r ON r.id = e.record_id "
                                      "ORDER BY e.occurred_at").all()
    assert [e[:4] for e in events] == [(april.batch_id, april.batch_id, "cy@example.com", "2026-03-02"),
                                       (april.batch_id, april.batch_id, "cy@example.com", "2026-04-01")]
    assert events[0][4] == events[0][5] is not None
