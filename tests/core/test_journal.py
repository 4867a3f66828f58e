"""Taking an import back with a journal, and putting it back exactly."""

from __future__ import annotations

import pytest

from omnidesk.core.customers import customer_ids
from omnidesk.core.importing.batches import remove_batch, restore_batch, undo_batch
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.journal import JournalConflict
from tests.helpers import write_csv
from tests.workspace_dump import differences, dump

HEADER = ["First Name", "Last Name", "Email", "Phone"]


def _bridged(ws, tmp_path):
    """Three files: the third bridges the first two (an email and a phone of one person)."""
    import_file(ws, write_csv(tmp_path / "list.csv", HEADER, [["Ann", "Lee", "ann.lee@example.com", ""],
                                                              ["Bo", "Chen", "bo@example.com", ""]]),
                ImportOptions(channel="email"))
    import_file(ws, write_csv(tmp_path / "till.csv", HEADER, [["Ann", "Lee", "", "(415) 555-0111"]]),
                ImportOptions(channel="pos"))
    return import_file(ws, write_csv(tmp_path / "shop.csv", HEADER, [
        ["Ann", "Lee", "ann.lee@example.com", "415-555-0111"], ["Cy", "Dunn", "cy@example.com", ""]]),
        ImportOptions(channel="shop")).batch_id


def test_an_import_taken_back_comes_back_exactly(ws, tmp_path):
    batch = _bridged(ws, tmp_path)
    before = dump(ws.path)
    removal = remove_batch(ws, batch)
    assert removal.removed["merges_undone"] == 1 and removal.file_name == "shop.csv"
    assert len(removal.journal) > 0 and removal.changes.imports and removal.changes.customer_list
    assert dump(ws.path) != before
    restore_batch(ws, removal)
    assert differences(before, dump(ws.path)) == []
    # The search index follows: Cy is found again, by name and by email.
    assert len(customer_ids(ws, search="Dunn")) == 1 and len(customer_ids(ws, search="cy@example")) == 1
    # ...and the import can be taken back again, the ordinary way.
    undo_batch(ws, batch)


def test_a_restore_over_a_later_change_is_refused_and_changes_nothing(ws, tmp_path):
    batch = _bridged(ws, tmp_path)
    removal = remove_batch(ws, batch)
    from omnidesk.core.identity.merge import pin_value

    ann = customer_ids(ws, search="Ann Lee")[0]
    pin_value(ws, ann, "city", "Portland")  # someone else's change, made since
    later = dump(ws.path)
    with pytest.raises(JournalConflict, match="Changed since"):
        restore_batch(ws, removal)
    assert differences(later, dump(ws.path)) == []


def _removed_then(ws, tmp_path, rows):
    """A list taken back (not the latest import), then another file imported with ``rows``."""
    first = import_file(ws, write_csv(tmp_path / "newsletter.csv", HEADER, [
        ["Ann", "Lee", "ann.lee@example.com", ""], ["Bo", "Chen", "Bo@Example.com", ""]]),
        ImportOptions(channel="email")).batch_id
    import_file(ws, write_csv(tmp_path / "till.csv", HEADER, [["Cy", "Dunn", "", "(415) 555-0111"]]),
                ImportOptions(channel="pos"))
    removal = remove_batch(ws, first)
    import_file(ws, write_csv(tmp_path / "sms_list.csv", HEADER, rows), ImportOptions(channel="sms"))
    return removal


def test_a_restore_beside_the_same_people_imported_since_is_refused_and_changes_nothing(ws, tmp_path):
    removal = _removed_then(ws, tmp_path, [["", "", "ann.lee@example.com", ""], ["", "", "bo@example.com", ""]])
    later = dump(ws.path)
    with pytest.raises(JournalConflict, match="Changed since: records with the same email"):
        restore_batch(ws, removal)
    assert differences(later, dump(ws.path)) == []
    # Each of them is one customer, the one the later file made.
    assert len(customer_ids(ws, search="ann.lee@example.com")) == 1
    assert len(customer_ids(ws, search="bo@example.com")) == 1


def test_a_restore_beside_someone_else_imported_since_is_not_refused_for_that(ws, tmp_path):
    removal = _removed_then(ws, tmp_path, [["", "", "dee@example.com", ""]])
    restore_batch(ws, removal)
    assert len(customer_ids(ws, search="ann.lee@example.com")) == 1
    assert len(customer_ids(ws, search="dee@example.com")) == 1


def test_a_restore_over_a_row_made_again_since_is_refused_as_changed_and_changes_nothing(ws, tmp_path):
    """Someone else with the list's last name imported since: the name's count is a new row of its own."""
    removal = _removed_then(ws, tmp_path, [["Zed", "Chen", "zed@example.net", ""]])
    later = dump(ws.path)
    with pytest.raises(JournalConflict, match="Changed since"):
        restore_batch(ws, removal)
    assert differences(later, dump(ws.path)) == []


def _tagged_many(ws, tmp_path, n=300):
    import_file(ws, write_csv(tmp_path / "many.csv", HEADER, [[f"P{i}", f"Q{i}", f"p{i}@example.com", ""]
                                                              for i in range(n)]), ImportOptions(channel="email"))
    return customer_ids(ws)


def test_a_tag_added_to_many_is_put_back_exactly_in_runs(ws, tmp_path):
    from omnidesk.core import edits
    from omnidesk.core.journal import JournaledWorkspace, _each_row_once, revert

    ids = _tagged_many(ws, tmp_path)
    before = dump(ws.path)
    journaled = JournaledWorkspace(ws)
    edits.retag(journaled, ids, ["summer"], ())
    journal = journaled.journal()
    assert _each_row_once(journal) and len(journal) > 2 * len(ids)
    revert(ws, journal)
    assert differences(before, dump(ws.path)) == []
    assert len(customer_ids(ws, search="summer")) == 0


def test_a_tag_added_to_many_is_not_put_back_over_one_card_changed_since(ws, tmp_path):
    from omnidesk.core import edits
    from omnidesk.core.identity.merge import pin_value
    from omnidesk.core.journal import JournaledWorkspace, revert

    ids = _tagged_many(ws, tmp_path)
    journaled = JournaledWorkspace(ws)
    edits.retag(journaled, ids, ["summer"], ())
    pin_value(ws, ids[-1], "city", "Portland")  # one card, changed since by someone else
    later = dump(ws.path)
    with pytest.raises(JournalConflict, match="Changed since"):
        revert(ws, journaled.journal())
    assert differences(later, dump(ws.path)) == []


def test_a_journal_that_changed_a_row_twice_is_put_back_exactly(ws, tmp_path):
    from omnidesk.core import edits
    from omnidesk.core.journal import JournaledWorkspace, _each_row_once, revert

    ids = _tagged_many(ws, tmp_path, 20)
    before = dump(ws.path)
    journaled = JournaledWorkspace(ws)
    edits.retag(journaled, ids, ["summer"], ())
    edits.retag(journaled, ids[:5], ["autumn"], ["summer"])
    journal = journaled.journal()
    assert not _each_row_once(journal)
    revert(ws, journal)
    assert differences(before, dump(ws.path)) == []


def _many_undone(ws, tmp_path, n=200):
    """An import of ``n`` people, taken back as the window's Undo does: journaled, with the counts
    of names and places each row raised lowered again (rows changed many times over)."""
    from omnidesk.core.importing.batches import take_back_batches

    batch = import_file(ws, write_csv(tmp_path / "till.csv", HEADER, [
        [f"P{i}", ["Chen", "Lee", "Diaz"][i % 3], f"p{i}@example.com", f"415555{i:04d}"] for i in range(n)]),
        ImportOptions(channel="pos")).batch_id
    before = dump(ws.path)
    return before, take_back_batches(ws, [batch])


def test_an_import_undone_is_put_back_row_by_row_not_op_by_op(ws, tmp_path, monkeypatch):
    """Op by op, an import of 50,000 rows took 45 s to put back; each row once, 4 s."""
    from omnidesk.core import journal as journal_module
    from omnidesk.core.importing.batches import put_back_batches
    from omnidesk.core.journal import _each_row_once

    before, undone = _many_undone(ws, tmp_path)
    assert not _each_row_once(undone.journal)  # the counts were changed once per row
    monkeypatch.setattr(journal_module, "_revert_op", lambda *a: pytest.fail("put back op by op"))
    put_back_batches(ws, undone)
    assert differences(before, dump(ws.path)) == []
    assert len(customer_ids(ws, search="p7@example.com")) == 1


def test_an_import_undone_is_not_put_back_over_a_name_counted_again_since(ws, tmp_path):
    from omnidesk.core.importing.batches import put_back_batches

    _before, undone = _many_undone(ws, tmp_path)
    import_file(ws, write_csv(tmp_path / "later.csv", HEADER, [["Zed", "Chen", "zed@example.net", ""]]),
                ImportOptions(channel="email"))
    later = dump(ws.path)
    with pytest.raises(JournalConflict, match="Changed since"):
        put_back_batches(ws, undone)
    assert differences(later, dump(ws.path)) == []



def test_a_record_changed_since_is_named_imported_or_entered_by_hand_as_its_file_says(ws, tmp_path):
    """A refusal names the record that changed as what it is: the shop's file's row is "an imported
    record", the record holding what was typed in is "a record entered by hand" (no import to look for)."""
    from omnidesk.core import edits
    from omnidesk.core.journal import JournaledWorkspace, _what

    batch = _bridged(ws, tmp_path)
    ann = customer_ids(ws, search="Ann Lee")[0]
    journaled = JournaledWorkspace(ws)
    edits.retag(journaled, [ann], ["summer"], ())
    removal = remove_batch(ws, batch)
    journal = journaled.journal()
    typed = [op.new for op in journal.ops if op.table == "source_record" and op.new is not None]
    taken = [op.old for op in removal.journal.ops if op.table == "source_record" and op.old is not None]
    assert typed and taken
    with ws.engine.connect() as conn:
        assert _what("source_record", conn, journal, typed) == "a record entered by hand"
        assert _what("source_record", conn, removal.journal, taken) == "an imported record"
        assert _what("source_record", conn, removal.journal, [None, *taken]) == "an imported record"
        assert _what("source_record", conn, journal, [typed[0], taken[0]]) == "a customer's record"
        assert _what("customer") == "a customer"
