"""Each undo is one core function in one transaction and puts back exactly what was there."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import time_machine

from omnidesk.core.errors import UserError
from omnidesk.core.identity import merge as mg
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.notes import replace_notes
from tests.helpers import write_csv
from tests.workspace_dump import differences, dump

HEADER = ["First Name", "Last Name", "Email", "Phone"]


@pytest.fixture(autouse=True)
def still():
    # Golden records carry the time they were rebuilt: a still clock makes "exactly" exact.
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False):
        yield


def _customer_of(ws, email: str) -> int:
    with ws.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT r.customer_id FROM identifier i JOIN source_record r "
                                    "ON r.id = i.record_id WHERE i.value = ?", (email,)).scalar()


def _record_of(ws, file_name: str, row: int) -> int:
    with ws.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT r.id FROM source_record r JOIN import_batch b ON b.id = r.batch_id "
                                    "WHERE b.file_name = ? AND r.record_no = ?", (file_name, row)).scalar()


def _card(ws, cid: int) -> tuple:
    with ws.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT email, city, pinned_json FROM customer WHERE id = ?", (cid,)).first()


def test_splitting_off_the_record_that_held_a_pinned_value_unpins_it_and_undo_pins_it_again(ws, tmp_path):
    import_file(ws, write_csv(tmp_path / "shop.csv", HEADER + ["City"],
                              [["Chloé", "Hill", "chloe@example.com", "(207) 555-0100", "Bangor"]]),
                ImportOptions(channel="shop"))
    import_file(ws, write_csv(tmp_path / "list.csv", HEADER,
                              [["Chloé", "Hill", "c.hill@work.example", "(207) 555-0100"]]),
                ImportOptions(channel="email"))
    cid = _customer_of(ws, "chloe@example.com")
    assert _customer_of(ws, "c.hill@work.example") == cid
    mg.pin_value(ws, cid, "email", "c.hill@work.example")
    mg.pin_value(ws, cid, "city", "Portland")  # typed in: no record holds it
    before = dump(ws.path)
    split = mg.unmerge_record(ws, _record_of(ws, "list.csv", 1))
    email, city, pins = _card(ws, cid)
    # The card no longer shows an address none of its records has; the typed-in city stays pinned.
    assert email == "chloe@example.com" and json.loads(pins) == {"city": "Portland"} and city == "Portland"
    assert _card(ws, split.new)[0] == "c.hill@work.example"
    mg.undo_split(ws, split)
    assert differences(before, dump(ws.path)) == []
    assert json.loads(_card(ws, cid)[2]) == {"email": "c.hill@work.example", "city": "Portland"}


def _queue(ws, tmp_path):
    """Four customers, three review pairs: Ann ~ Anna, Anna ~ Annie (same phone), Bo ~ Bea."""
    import_file(ws, write_csv(tmp_path / "a.csv", HEADER, [
        ["Ann", "Lee", "lee@example.com", ""], ["Bo", "Fox", "fox@example.com", ""]]), ImportOptions(channel="shop"))
    import_file(ws, write_csv(tmp_path / "b.csv", HEADER, [
        ["Mark", "Lee", "lee@example.com", "(415) 555-0101"], ["Cal", "Fox", "fox@example.com", ""]]),
        ImportOptions(channel="email"))
    import_file(ws, write_csv(tmp_path / "c.csv", HEADER, [["Dee", "Lee", "", "(415) 555-0101"]]),
                ImportOptions(channel="pos"))
    return mg.list_reviews(ws)


def test_a_merge_undone_puts_back_the_queue_and_a_decision_it_overrode(ws, tmp_path):
    reviews = _queue(ws, tmp_path)
    assert len(reviews) >= 2
    first = reviews[0]
    token = mg.reject_review(ws, first.id)  # "different people"...
    assert token["decisions"]
    before = dump(ws.path)
    merged = mg.merge_customers(ws, [first.left_id, first.right_id])  # ...then merged by hand after all
    assert merged.changes.customer_list and first.right_id in merged.changes.customers
    mg.undo_merge(ws, merged)
    assert differences(before, dump(ws.path)) == []


def test_an_accept_and_a_bulk_accept_are_undone_in_one_transaction_exactly(ws, tmp_path):
    reviews = _queue(ws, tmp_path)
    before = dump(ws.path)
    # A pair whose merged-away customer is in another pair: folding points that pair at the survivor.
    bridge = next(r for r in reviews if any(o.id != r.id and r.right_id in (o.left_id, o.right_id)
                                            for o in reviews))
    accepted = mg.accept_review(ws, bridge.id)
    assert differences(before, dump(ws.path))
    mg.undo_accept(ws, accepted)
    assert differences(before, dump(ws.path)) == []

    calls = []
    real = ws.writing
    ws.writing = lambda *a, **k: calls.append(1) or real(*a, **k)
    try:
        bulk = mg.accept_reviews(ws, [r.id for r in reviews])
        assert len(bulk.results) + bulk.gone == len(reviews) and calls == [1]
        mg.undo_accept(ws, bulk)
        assert calls == [1, 1]  # all of it undone in one transaction, not one per pair
    finally:
        ws.writing = real
    assert differences(before, dump(ws.path)) == []


def test_skip_is_undone_to_the_status_it_had(ws, tmp_path):
    reviews = _queue(ws, tmp_path)
    change = mg.skip_review(ws, reviews[0].id)
    assert (change.before, change.after) == ("pending", "skipped") and change.changes.reviews
    with pytest.raises(UserError):
        mg.set_review_status(ws, reviews[0].id, "pending", expect="pending")
    mg.set_review_status(ws, reviews[0].id, change.before, expect="skipped")
    assert mg.list_reviews(ws)[0].status == "pending"


def test_an_undo_never_overwrites_a_pin_or_notes_changed_since(ws, tmp_path):
    import_file(ws, write_csv(tmp_path / "a.csv", HEADER, [["Ann", "Lee", "ann@example.com", ""]]),
                ImportOptions(channel="shop"))
    cid = _customer_of(ws, "ann@example.com")
    pin = mg.pin_value(ws, cid, "city", "Bangor")
    assert (pin.before, pin.after) == (None, "Bangor") and pin.changes.touches_customer(cid)
    mg.pin_value(ws, cid, "city", "Portland")  # changed since (another window)
    with pytest.raises(UserError, match="since"):
        mg.pin_value(ws, cid, "city", pin.before, expect=pin.after)
    assert _card(ws, cid)[1] == "Portland"
    edit = replace_notes(ws, cid, "Prefers tea")
    assert (edit.before, edit.after) == ("", "Prefers tea") and edit.changes.notes == {cid}
    replace_notes(ws, cid, "Prefers coffee")
    with pytest.raises(UserError, match="since"):
        replace_notes(ws, cid, edit.before, expect=edit.after)


def test_notes_of_a_customer_merged_away_can_be_added_to_the_one_there_is_now(ws, tmp_path):
    """Notes typed on a customer merged into another meanwhile had nowhere to go and were lost."""
    from omnidesk.core.notes import customer_notes, merged_into
    from omnidesk.core.rights import erase_person

    import_file(ws, write_csv(tmp_path / "a.csv", HEADER, [
        ["Ann", "Lee", "ann@example.com", ""], ["Bo", "Fox", "bo@example.com", ""],
        ["Cy", "Day", "cy@example.com", ""], ["Di", "Ray", "di@example.com", ""]]), ImportOptions(channel="shop"))
    ann, bo, cy, di = (_customer_of(ws, f"{n}@example.com") for n in ("ann", "bo", "cy", "di"))
    assert merged_into(ws, cy) is None  # still here, never merged
    mg.merge_customers(ws, [bo, cy])
    first = mg.merge_customers(ws, [ann, bo])  # a chain: cy went into bo, bo into ann
    assert merged_into(ws, cy) == ann and merged_into(ws, bo) == ann
    mg.undo_merge(ws, first)
    assert merged_into(ws, cy) == bo  # an undone merge is not followed
    erase_person(ws, di)
    assert merged_into(ws, di) is None  # erased: nobody to take the notes
    replace_notes(ws, bo, "Wholesale account\n")
    edit = replace_notes(ws, bo, "Call back Tuesday", append=True)
    assert (edit.before, edit.after) == ("Wholesale account\n", "Wholesale account\n\nCall back Tuesday")
    assert customer_notes(ws, bo) == edit.after
    assert replace_notes(ws, ann, "Prefers email", append=True).after == "Prefers email"  # none before


def test_a_bulk_accept_leaves_every_card_as_accepting_its_pairs_one_by_one_does(ws, tmp_path):
    """A bulk accept works the merged cards out once at the end, not after each pair: the cards,
    the search, the queue and the merge logs come out as accepting each pair on its own leaves
    them — pairs chained through one customer too — and the undo still puts back everything."""
    import shutil

    from omnidesk.core.workspace import Workspace

    reviews = _queue(ws, tmp_path)
    ids = [r.id for r in reviews]
    assert any(o.id != r.id and {r.left_id, r.right_id} & {o.left_id, o.right_id} for r in reviews for o in reviews)
    ws.close()
    copy = tmp_path / "one_by_one.omnidesk"
    shutil.copy(ws.path, copy)
    ws = Workspace.open(ws.path)
    before = dump(ws.path)
    said = []
    steps = mg.accept_reviews_steps(ws, ids)
    while True:
        try:
            said.append(next(steps).message)
        except StopIteration as done:
            bulk = done.value
            break
    assert any(m.startswith("Updating ") and "merged customer" in m for m in said), said
    other = Workspace.open(copy)
    try:
        queued = {r.id for r in mg.list_reviews(other)}
        for rid in ids:
            if rid in queued:
                mg.accept_review(other, rid)
                queued = {r.id for r in mg.list_reviews(other)}
        assert len(bulk.results) == len(ids) - bulk.gone - bulk.held
        assert differences(dump(other.path), dump(ws.path)) == []
    finally:
        other.close()
    mg.undo_accept(ws, bulk)
    assert differences(before, dump(ws.path)) == []
    ws.close()
