"""A rebuild from scratch keeps customer ids: ``customers show 42`` names the same person after it.

Each customer made again keeps the id that held most of its records; a customer
the rebuild makes of records no earlier customer held most of gets an id past
every earlier one, so no id comes to name someone else.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omnidesk.core.identity.find import find_duplicates
from omnidesk.core.identity.merge import merge_customers, undo_log, unmerge_record
from omnidesk.core.identity.writes import kept_ids
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.tasks import run_to_completion
from tests.helpers import write_csv

HEADER = ["Email", "First Name", "Last Name", "Phone", "Zip"]


def _rows(n: int) -> list[list[str]]:
    rows = [[f"p{i}@example.com", f"Name{i}", f"Family{i % 7}", f"+1415555{i:04d}", f"0{4100 + i % 50}"]
            for i in range(n)]
    # The same people again under another email, found by their phone: customers of two records.
    rows += [[f"other{i}@example.net", f"Name{i}", f"Family{i % 7}", f"+1415555{i:04d}", f"0{4100 + i % 50}"]
             for i in range(0, n, 3)]
    return rows


def _placement(ws) -> dict[int, int]:
    with ws.engine.connect() as conn:
        return dict(conn.exec_driver_sql("SELECT id, customer_id FROM source_record").fetchall())


def _customers(ws) -> dict[int, str]:
    with ws.engine.connect() as conn:
        return dict(conn.exec_driver_sql("SELECT id, email FROM customer").fetchall())


def _id(ws, email: str) -> int:
    with ws.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT customer_id FROM identifier JOIN source_record ON "
                                    "source_record.id = identifier.record_id WHERE value = ?", (email,)).scalar()


@pytest.fixture
def shop(make_workspace, tmp_path):
    ws = make_workspace("shop.omnidesk")
    import_file(ws, write_csv(tmp_path / "people.csv", HEADER, _rows(60)), ImportOptions(channel="shop"))
    return ws


def _rebuild(ws):
    return run_to_completion(find_duplicates(ws, from_scratch=True))


def test_a_rebuild_after_hand_merges_and_a_split_keeps_every_customer_id(shop):
    first, second, third = _id(shop, "p4@example.com"), _id(shop, "p5@example.com"), _id(shop, "p21@example.com")
    merged = merge_customers(shop, [first, second])
    absorbed = merged.absorbed[0]
    with shop.engine.connect() as conn:
        split_record = conn.exec_driver_sql(
            "SELECT id FROM source_record WHERE customer_id = ? ORDER BY id DESC", (third,)).scalar()
    _, split_off, _ = unmerge_record(shop, split_record)
    before, customers = _placement(shop), _customers(shop)
    assert absorbed not in customers and split_off in customers

    _rebuild(shop)

    # Every record on the customer it was on, under the same id; the merged-away id stays unused.
    assert _placement(shop) == before
    assert _customers(shop) == customers
    assert absorbed not in _customers(shop)


def test_customers_a_rebuild_splits_keep_the_id_for_the_bigger_part_and_the_rest_get_new_ids(shop):
    # A customer of three records, one of which a stricter rebuild will no longer join.
    lead = _id(shop, "p3@example.com")
    keep = _id(shop, "p6@example.com")
    merge_customers(shop, [lead, keep])  # the user's word: a must-link the rebuild respects
    before = _placement(shop)
    top = max(_customers(shop))
    shop.set_setting("match_auto_threshold", 1000.0)  # nothing merges by itself any more

    _rebuild(shop)

    after = _placement(shop)
    assert len(set(after.values())) > len(set(before.values()))  # the rebuild split customers
    for rid, cid in after.items():
        # A record is on its old customer's id, or on an id no customer had before.
        assert cid == before[rid] or cid > top, (rid, before[rid], cid)
    by_old: dict[int, set[int]] = {}
    for rid, cid in after.items():
        by_old.setdefault(before[rid], set()).add(cid)
    for old, now in by_old.items():
        assert old in now  # one part of every earlier customer kept its id
    # The hand-merged pair stays one customer under the survivor's id.
    assert _id(shop, "p3@example.com") == _id(shop, "p6@example.com") == lead


def test_kept_ids_serves_the_biggest_share_first_and_breaks_ties_the_same_way_every_time():
    # Records 0-2 were customer 7, records 3-4 customer 9; the rebuild made clusters rooted at 0, 2 and 3.
    roots = [0, 0, 2, 3, 3]
    previous = [7, 7, 7, 9, 0]
    assert kept_ids(roots, previous, [0, 2, 3]) == {0: 7, 3: 9}  # cluster 2 holds less of 7: a new id
    # A tie between two clusters for one id goes to the smaller root, whatever the order given.
    assert kept_ids([0, 1], [5, 5], [1, 0]) == {0: 5}
    # A cluster holding equal shares of two ids keeps the smaller.
    assert kept_ids([0, 0], [8, 6], [0]) == {0: 6}
    assert kept_ids([0, 1], [0, 0], [0, 1]) == {}


def _kept_ids_one_by_one(roots, previous, wanted) -> dict[int, int]:
    """The rule kept_ids follows, served pair by pair: most records first, then the smaller id,
    then the smaller root; a cluster keeps one id, an id goes to one cluster."""
    from collections import Counter

    shares = Counter((r, p) for r, p in zip(roots, previous) if p > 0 and r in set(wanted))
    out, taken = {}, set()
    for (r, p), _ in sorted(shares.items(), key=lambda item: (-item[1], item[0][1], item[0][0])):
        if r not in out and p not in taken:
            out[r], taken = p, taken | {p}
    return out


@given(st.lists(st.tuples(st.integers(0, 12), st.integers(0, 6)), max_size=60), st.data())
@settings(max_examples=300, deadline=None)
def test_kept_ids_gives_what_serving_every_pair_in_turn_gives(records, data):
    roots = [r for r, _ in records]
    previous = [p for _, p in records]
    wanted = data.draw(st.lists(st.sampled_from(sorted(set(roots))), unique=True) if roots else st.just([]))
    assert kept_ids(roots, previous, wanted) == _kept_ids_one_by_one(roots, previous, wanted)


def test_a_split_after_a_merge_stands_through_a_rebuild(make_workspace, tmp_path):
    # Jon (the shop) and Jonathan (the list, and his opens by the list's address) were merged by
    # hand; then the list's record was split off: not Jon after all. The opens go with Jonathan,
    # whose list holds their address, and a rebuild from scratch leaves both customers as the
    # split made them (it once made the opens a nameless customer of their own under Jon's id).
    ws = make_workspace("jon.omnidesk")
    import_file(ws, write_csv(tmp_path / "customers.csv", ["Email", "First Name", "Last Name", "Phone"],
                              [["jon.h@example.com", "Jon", "Hansen", "+14155550101"]]), ImportOptions(channel="shop"))
    import_file(ws, write_csv(tmp_path / "list.csv", ["Email", "First Name", "Last Name"],
                              [["jhansen@example.net", "Jonathan", "Hansen"]]), ImportOptions(channel="email"))
    import_file(ws, write_csv(tmp_path / "opens.csv", ["Email", "Activity", "Date"],
                              [["jhansen@example.net", "open", f"2026-03-{d:02d} 10:00"] for d in range(1, 6)]),
                ImportOptions(channel="email", kind="events"))
    jon, jonathan = _id(ws, "jon.h@example.com"), _id(ws, "jhansen@example.net")
    assert jon != jonathan
    merge_customers(ws, [jon, jonathan])
    with ws.engine.connect() as conn:
        list_record = conn.exec_driver_sql(
            "SELECT source_record.id FROM source_record JOIN import_batch ON import_batch.id = batch_id "
            "WHERE file_name = 'list.csv'").scalar()
    decisions = _decisions(ws)
    _, split_off, log_id = unmerge_record(ws, list_record)
    before, customers = _placement(ws), _customers(ws)
    assert sum(1 for c in before.values() if c == jon) == 1  # Jon's own record
    assert sum(1 for c in before.values() if c == split_off) == 6  # Jonathan's and his five opens

    _rebuild(ws)

    assert _placement(ws) == before and _customers(ws) == customers
    undo_log(ws, log_id)  # the split undone: the decisions it made go with it
    assert _decisions(ws) == decisions


def _decisions(ws) -> list[tuple]:
    with ws.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT kind, left_hash, right_hash FROM match_decision ORDER BY id").fetchall()
