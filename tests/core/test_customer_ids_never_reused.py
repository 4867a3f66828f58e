"""A customer id is given once: after its customer was merged away or erased, no one else gets it.

Ids are shown, typed into commands (``customer show 7``, ``person erase 7``),
kept in the merge log and in campaign sends, and written to exported lists.
The customer with the highest id is the one SQLite would hand out again to the
next customer made without an id given; every way a customer is made is tried
here right after that customer went.
"""

from __future__ import annotations

import pytest

from omnidesk.core.edits import add_customer
from omnidesk.core.identity.find import find_duplicates
from omnidesk.core.identity.merge import merge_customers, unmerge_record
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.rights import erase_person
from omnidesk.core.tasks import run_to_completion
from omnidesk.core.workspace import Workspace
from tests.helpers import run_cli, write_csv

HEADER = ["Email", "First Name", "Last Name", "Phone"]
PEOPLE = [
    # One person in two rows (a second phone): a customer of two records, split off below.
    ["twice@example.com", "Tam", "Twice", "+14155550100"],
    ["twice@example.com", "Tam", "Twice", "+14155550101"],
    ["ann@example.com", "Ann", "Archer", "+14155550102"],
    ["bo@example.com", "Bo", "Baker", "+14155550103"],
    ["cy@example.com", "Cy", "Cole", "+14155550104"],
]


def _customers(ws) -> dict[int, str]:
    with ws.engine.connect() as conn:
        return dict(conn.exec_driver_sql("SELECT id, email FROM customer").fetchall())


def _placement(ws) -> dict[int, int]:
    with ws.engine.connect() as conn:
        return dict(conn.exec_driver_sql("SELECT id, customer_id FROM source_record").fetchall())


def _of(ws, email: str) -> int:
    return next(cid for cid, e in _customers(ws).items() if e == email)


@pytest.fixture
def shop(make_workspace, tmp_path):
    ws = make_workspace("shop.omnidesk")
    import_file(ws, write_csv(tmp_path / "people.csv", HEADER, PEOPLE), ImportOptions(channel="shop"))
    assert len(_customers(ws)) == 4
    return ws


def _merge_away_the_newest(ws) -> int:
    """Merge the customer with the highest id into the oldest one; returns the id that went."""
    ids = sorted(_customers(ws))
    newest = ids[-1]
    assert newest != _of(ws, "twice@example.com")
    merge_customers(ws, [ids[0], newest])
    assert newest not in _customers(ws)
    return newest


def test_a_split_after_the_newest_customer_was_merged_away_gets_a_new_id(shop):
    gone = _merge_away_the_newest(shop)
    twice = _of(shop, "twice@example.com")
    with shop.engine.connect() as conn:
        second = conn.exec_driver_sql("SELECT max(id) FROM source_record WHERE customer_id = ?", (twice,)).scalar()

    split = unmerge_record(shop, second)

    assert split.new > gone


def test_an_import_after_the_newest_customer_was_merged_away_gets_a_new_id(shop, tmp_path):
    gone = _merge_away_the_newest(shop)

    import_file(shop, write_csv(tmp_path / "more.csv", HEADER, [["di@example.com", "Di", "Dunn", "+14155550199"]]),
                ImportOptions(channel="shop"))

    assert _of(shop, "di@example.com") > gone


def test_a_customer_added_by_hand_after_the_newest_was_merged_away_gets_a_new_id(shop):
    gone = _merge_away_the_newest(shop)

    assert add_customer(shop, {"first_name": "Eve", "email": "eve@example.com"}).created > gone


def test_a_customer_added_on_the_command_line_after_the_newest_was_merged_away_gets_a_new_id(shop, capsys):
    gone = _merge_away_the_newest(shop)
    path = shop.path
    shop.close()

    status, out, _ = run_cli(capsys, "customer", "add", "first_name=Eve", "email=eve@example.com", "-w", str(path))

    assert status == 0
    with Workspace.open(path) as ws:
        assert _of(ws, "eve@example.com") > gone
        assert f"Added customer {_of(ws, 'eve@example.com')}:" in out


def test_an_erased_persons_id_is_not_given_again_even_after_reopening(shop):
    newest = max(_customers(shop))
    erase_person(shop, newest)
    path = shop.path
    shop.close()

    with Workspace.open(path) as ws:
        assert add_customer(ws, {"first_name": "Eve", "email": "eve@example.com"}).created > newest


def test_a_rebuild_after_the_newest_customer_was_merged_away_gives_split_off_customers_new_ids(shop):
    gone = _merge_away_the_newest(shop)
    before, placed = _customers(shop), _placement(shop)
    shop.set_setting("match_auto_threshold", 1000.0)  # nothing merges by itself any more: "twice" splits

    run_to_completion(find_duplicates(shop, from_scratch=True))

    after = _customers(shop)
    made = set(after) - set(before)
    assert made  # the rebuild split a customer
    assert all(cid > gone for cid in made)
    assert gone not in after
    # Every other record stayed on the id its customer had.
    assert all(cid == placed[rid] or cid in made for rid, cid in _placement(shop).items())


def test_a_redone_split_or_hand_added_customer_gets_back_the_id_it_had_and_no_one_elses(shop):
    from omnidesk.core.identity.merge import undo_split

    twice = _of(shop, "twice@example.com")
    with shop.engine.connect() as conn:
        second = conn.exec_driver_sql("SELECT max(id) FROM source_record WHERE customer_id = ?", (twice,)).scalar()
    split = unmerge_record(shop, second)
    undo_split(shop, split)
    assert split.new not in _customers(shop)
    assert unmerge_record(shop, second, customer_id=split.new).new == split.new  # the redo

    eve = add_customer(shop, {"first_name": "Eve", "email": "eve@example.com"}).created
    with shop.writing() as conn:  # as the journal's undo of that addition does
        conn.exec_driver_sql("DELETE FROM source_record WHERE customer_id = ?", (eve,))
        conn.exec_driver_sql("DELETE FROM customer WHERE id = ?", (eve,))
    assert add_customer(shop, {"first_name": "Eve", "email": "eve@example.com"}, customer_id=eve).created == eve
    # An id someone holds is never given: a new one instead.
    assert add_customer(shop, {"first_name": "Fay", "email": "fay@example.com"}, customer_id=twice).created > eve
