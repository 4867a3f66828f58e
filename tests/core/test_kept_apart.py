"""Pairs kept apart: listed as the customers holding them now, and put back for review (undoably)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import func, insert, select

from omnidesk.core.customers import display_names
from omnidesk.core.errors import UserError
from omnidesk.core.identity import kept_apart as ka
from omnidesk.core.identity import merge as mg
from omnidesk.core.importing.batches import undo_batch
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.models import MatchDecision, SourceRecord
from tests.helpers import write_csv
from tests.workspace_dump import differences, dump

HEADER = ["First Name", "Last Name", "Email", "Phone"]
SHOP_HEADER = ["Customer ID", "First Name", "Last Name", "Email", "Default Address Zip"]
DECIDED = datetime(2026, 3, 9, 14, 30, tzinfo=UTC)


def _rejects(ws) -> int:
    md = MatchDecision.__table__
    with ws.engine.connect() as conn:
        return conn.execute(select(func.count()).where(md.c.kind == "reject")).scalar()


def _family(ws, tmp_path):
    """Anna Lee ~ Mark Lee and Bea Fox ~ Cal Fox share an email; Dan Ode is alone."""
    first = import_file(ws, write_csv(tmp_path / "a.csv", HEADER, [
        ["Anna", "Lee", "lee@example.com", ""], ["Bea", "Fox", "fox@example.com", ""],
        ["Dan", "Ode", "dan@example.com", ""]]), ImportOptions(channel="shop"))
    second = import_file(ws, write_csv(tmp_path / "b.csv", HEADER, [
        ["Mark", "Lee", "lee@example.com", ""], ["Cal", "Fox", "fox@example.com", ""]]),
        ImportOptions(channel="email"))
    return first, second


def _reject(ws, last_name: str):
    for item in mg.list_reviews(ws):
        shown = display_names(ws, [item.left_id, item.right_id])
        if all(n.endswith(last_name) for n in shown.values()):
            with time_machine.travel(DECIDED, tick=False):
                mg.reject_review(ws, item.id)
            return item
    raise AssertionError(f"no {last_name} pair in the queue")


def test_nothing_kept_apart_in_a_new_workspace(ws):
    assert ka.list_kept_apart(ws) == [] and ka.count_kept_apart(ws) == 0


def test_a_rejected_pair_is_listed_with_both_names_and_when(ws, tmp_path):
    _family(ws, tmp_path)
    pair = _reject(ws, "Lee")
    (item,) = ka.list_kept_apart(ws)
    assert (item.left_id, item.right_id) == tuple(sorted((pair.left_id, pair.right_id)))
    assert {item.left_name, item.right_name} == {"Anna Lee", "Mark Lee"}
    assert item.decided_at.startswith("2026-03-09T14:30") and item.complete
    assert ka.count_kept_apart(ws) == 1


def test_reopening_removes_the_decision_and_queues_the_pair_again_and_undo_keeps_them_apart(ws, tmp_path):
    _family(ws, tmp_path)
    pair = _reject(ws, "Lee")
    assert _rejects(ws) >= 1 and len(mg.list_reviews(ws)) == 1
    before = dump(ws.path)
    (item,) = ka.list_kept_apart(ws)
    reopened = ka.reopen_kept_apart(ws, [item])
    assert reopened.changes.reviews and reopened.customers == sorted((pair.left_id, pair.right_id))
    assert _rejects(ws) == 0
    assert ka.list_kept_apart(ws) == []
    back = [r for r in mg.list_reviews(ws) if {r.left_id, r.right_id} == {pair.left_id, pair.right_id}]
    assert len(back) == 1 and back[0].status == "pending"
    assert back[0].score == pytest.approx(pair.score) and "same email" in back[0].reasons
    ka.undo_reopen(ws, reopened)
    assert differences(before, dump(ws.path)) == []
    # Reopened again, then accepted: the pair is one customer.
    reopened = ka.reopen_kept_apart(ws, ka.list_kept_apart(ws))
    mg.accept_review(ws, reopened.review_ids[0])
    assert ka.list_kept_apart(ws) == []


def test_reopening_a_pair_that_was_merged_since_is_refused(ws, tmp_path):
    _family(ws, tmp_path)
    pair = _reject(ws, "Lee")
    (item,) = ka.list_kept_apart(ws)
    mg.merge_customers(ws, [pair.left_id, pair.right_id])  # the user changed their mind by hand
    assert ka.list_kept_apart(ws) == []
    with pytest.raises(UserError, match="no longer kept apart"):
        ka.reopen_kept_apart(ws, [item])


def test_a_side_merged_into_another_customer_shows_that_customer(ws, tmp_path):
    _family(ws, tmp_path)
    pair = _reject(ws, "Lee")
    dan = next(c for c, n in display_names(ws, list(range(1, 10))).items() if n == "Dan Ode")
    anna = next(c for c in (pair.left_id, pair.right_id) if display_names(ws, [c])[c] == "Anna Lee")
    mark = pair.left_id + pair.right_id - anna
    survivor = mg.merge_customers(ws, [anna, dan]).survivor
    (item,) = ka.list_kept_apart(ws)
    assert {item.left_id, item.right_id} == {survivor, mark}
    assert "Mark Lee" in (item.left_name, item.right_name)
    reopened = ka.reopen_kept_apart(ws, [item])
    assert _rejects(ws) == 0
    assert any({r.left_id, r.right_id} == {survivor, mark} for r in mg.list_reviews(ws))
    ka.undo_reopen(ws, reopened)
    assert ka.list_kept_apart(ws)[0].key == item.key


def test_a_side_whose_import_was_taken_back_is_no_longer_in_the_workspace(ws, tmp_path):
    _, second = _family(ws, tmp_path)
    _reject(ws, "Lee")
    rejects = _rejects(ws)
    undo_batch(ws, second.batch_id)
    (item,) = ka.list_kept_apart(ws)
    assert item.left_name == "Anna Lee" and item.right_id is None and item.right_name == ""
    assert not item.complete and item.stamp == item.decided_at
    queued = len(mg.list_reviews(ws))
    reopened = ka.reopen_kept_apart(ws, [item])
    assert _rejects(ws) == 0 and reopened.review_ids == [] and len(mg.list_reviews(ws)) == queued
    ka.undo_reopen(ws, reopened)
    assert _rejects(ws) == rejects and ka.list_kept_apart(ws) == [item]


def test_an_erased_person_leaves_the_list(ws, tmp_path):
    from omnidesk.core.rights import erase_person

    _family(ws, tmp_path)
    pair = _reject(ws, "Lee")
    erase_person(ws, pair.right_id)
    assert ka.list_kept_apart(ws) == []


def test_reopening_forgets_the_decision_by_customer_id_too(ws, tmp_path):
    """A shop export names people by id: the rejection is kept against those too, and goes with the rest."""
    import_file(ws, write_csv(tmp_path / "customers_export.csv", SHOP_HEADER, [
        ["'7100000000101", "Alice", "Johnson", "johnsonfamily@example.com", "'04101"],
        ["'7100000000102", "Mark", "Johnson", "johnsonfamily@example.com", "'04101"]]),
        ImportOptions(channel="shop"))
    (review,) = mg.list_reviews(ws)
    mg.reject_review(ws, review.id)
    assert _rejects(ws) == 4  # (id, id), (id, row), (row, id), (row, row)
    (item,) = ka.list_kept_apart(ws)
    assert item.decisions == 1  # read back by the row hashes alone
    ka.reopen_kept_apart(ws, [item])
    assert _rejects(ws) == 0 and len(mg.list_reviews(ws)) == 1


def test_thousands_of_pairs_are_read_a_page_at_a_time(ws, tmp_path):
    rows = [[f"First{i}", f"Last{i}", f"p{i}@example.com", ""] for i in range(2400)]
    import_file(ws, write_csv(tmp_path / "many.csv", HEADER, rows), ImportOptions(channel="shop"))
    rec = SourceRecord.__table__
    with ws.engine.begin() as conn:
        hashes = list(conn.execute(select(rec.c.row_hash).order_by(rec.c.id)).scalars())
        # 1,200 "different people" decisions, a minute apart, the way the Review screen writes them.
        conn.execute(insert(MatchDecision.__table__), [
            {"kind": "reject", "left_hash": hashes[i], "right_hash": hashes[i + 1200],
             "created_at": f"2026-01-{1 + i // 1440:02d}T{(i // 60) % 24:02d}:{i % 60:02d}:00+00:00"}
            for i in range(1200)])
    assert ka.count_kept_apart(ws) == 1200
    page = ka.list_kept_apart(ws, limit=100, offset=1100)
    assert len(page) == 100
    assert page[0].left_name == "First99 Last99" and page[-1].left_name == "First0 Last0"
    assert page[-1].right_name == "First1200 Last1200"
    first = ka.list_kept_apart(ws, limit=1)
    assert first[0].left_name == "First1199 Last1199"
