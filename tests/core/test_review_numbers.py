"""A pair's number in Review names that pair only: undo puts a pair back without failing or taking another.

Today's workspaces never give a number twice.  A workspace of schema 0027 (the
version before) gave a decided pair's number to the next pair queued; a pair
put back on undo then gets a new number, and no other pair leaves the queue.
"""

from __future__ import annotations

import pytest

from omnidesk.core.errors import UserError
from omnidesk.core.identity.merge import (
    accept_review,
    list_reviews,
    merge_customers,
    reject_review,
    undo_accept,
    undo_merge,
    undo_reject,
)
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from tests.helpers import workspace_at, write_csv

HEADER = ["First Name", "Last Name", "Email"]


def _import(ws, tmp_path, name: str, channel: str, rows) -> None:
    import_file(ws, write_csv(tmp_path / name, HEADER, rows), ImportOptions(channel=channel))


def _queue(ws) -> dict[int, tuple[str, str]]:
    """Each queued pair's number and the two names, as the Review screen shows them."""
    from omnidesk.core.customers import display_names

    items = list_reviews(ws)
    names = display_names(ws, [c for i in items for c in (i.left_id, i.right_id)])
    return {i.id: (names[i.left_id], names[i.right_id]) for i in items}


ANNA_MARK = ("Anna Lee", "Mark Lee")
BEA_CAL = ("Bea Fox", "Cal Fox")


def _two_lists(ws, tmp_path) -> None:
    """Pair 1: Anna Lee ~ Mark Lee (one mailbox, two first names); Bea Fox waits for her match."""
    _import(ws, tmp_path, "shop.csv", "shop", [["Anna", "Lee", "lee@example.com"], ["Bea", "Fox", "fox@example.com"]])
    _import(ws, tmp_path, "mail.csv", "email", [["Mark", "Lee", "lee@example.com"]])
    assert _queue(ws) == {1: ANNA_MARK}


def _sms_list(ws, tmp_path) -> None:
    """Cal Fox, another window's or the command line's import: queues Bea Fox ~ Cal Fox."""
    _import(ws, tmp_path, "sms.csv", "sms", [["Cal", "Fox", "fox@example.com"]])


@pytest.fixture
def old(tmp_path):
    ws = workspace_at(tmp_path / "old.omnidesk", "0027")
    yield ws
    ws.close()


def test_an_accept_undone_after_a_new_pair_was_queued_puts_the_pair_back_under_its_number(ws, tmp_path):
    _two_lists(ws, tmp_path)
    accepted = accept_review(ws, 1)
    _sms_list(ws, tmp_path)
    assert _queue(ws) == {2: BEA_CAL}  # not 1: that number was Anna's and Mark's

    undo_accept(ws, accepted)

    assert _queue(ws) == {1: ANNA_MARK, 2: BEA_CAL}


def test_a_decided_number_is_no_longer_in_the_queue_even_when_the_queue_is_empty(ws, tmp_path):
    _two_lists(ws, tmp_path)
    reject_review(ws, 1)
    with pytest.raises(UserError, match="no longer in the review queue"):
        reject_review(ws, 1)
    with pytest.raises(UserError, match="There is no pair 2"):
        reject_review(ws, 2)


def test_undoing_an_accept_in_an_older_workspace_whose_number_was_given_again_gives_the_pair_a_new_one(
        old, tmp_path):
    _two_lists(old, tmp_path)
    accepted = accept_review(old, 1)
    _sms_list(old, tmp_path)
    assert _queue(old) == {1: BEA_CAL}  # the version before gave number 1 again

    undo_accept(old, accepted)

    assert _queue(old) == {1: BEA_CAL, 2: ANNA_MARK}
    assert accepted.review["id"] == 2
    # Doing it again (Edit › Redo) takes the pair under its new number: Anna and Mark, not Bea and Cal.
    again = accept_review(old, accepted.review["id"])
    assert _queue(old) == {1: BEA_CAL}
    assert {again.survivor, *again.absorbed} == {accepted.survivor, *accepted.absorbed}


def test_undoing_a_reject_in_an_older_workspace_whose_number_was_given_again_gives_the_pair_a_new_one(
        old, tmp_path):
    _two_lists(old, tmp_path)
    token = reject_review(old, 1)
    _sms_list(old, tmp_path)
    assert _queue(old) == {1: BEA_CAL}

    undo_reject(old, token)

    assert _queue(old) == {1: BEA_CAL, 2: ANNA_MARK}
    assert token["review"]["id"] == 2


def test_undoing_a_merge_keeps_in_the_queue_the_pair_given_the_number_of_one_it_took_out(old, tmp_path):
    _two_lists(old, tmp_path)
    (anna, mark), = [(i.left_id, i.right_id) for i in list_reviews(old)]
    merged = merge_customers(old, [anna, mark])  # by hand: pair 1 leaves the queue, kept to put back
    assert _queue(old) == {}
    _sms_list(old, tmp_path)
    assert _queue(old) == {1: BEA_CAL}

    undo_merge(old, merged)

    assert _queue(old) == {1: BEA_CAL, 2: ANNA_MARK}


def test_undoing_a_merge_still_replaces_what_it_made_of_a_pair(ws, tmp_path):
    """A pair the merge pointed at the survivor goes back to the customer it was about, under its number."""
    _two_lists(ws, tmp_path)
    _import(ws, tmp_path, "till.csv", "pos", [["Mia", "Lee", "lee@example.com"]])
    before = _queue(ws)
    assert len(before) >= 2 and before[1] == ANNA_MARK
    (anna, mark), = [(i.left_id, i.right_id) for i in list_reviews(ws) if i.id == 1]
    merged = merge_customers(ws, [anna, mark])
    assert _queue(ws) != before

    undo_merge(ws, merged)

    assert _queue(ws) == before
