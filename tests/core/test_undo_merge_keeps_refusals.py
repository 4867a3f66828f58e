"""Undoing a merge keeps a refusal typed on the merged customer on both customers.

Two Anna Lees: the shop's (#1) and the email list's (#2).  The user tagged the list's Anna
first (her hand record is the older), merged the two, and typed on the merged card that she
asked to stop all email.  The refusal is filed on the card's oldest hand record, the list
Anna's; undoing the merge sends that record back with her.  Whose "stop" it was cannot be
told: both customers keep it, as after a split, and neither reads granted.
"""

from __future__ import annotations

import sqlite3

import time_machine

from omnidesk.core import edits
from omnidesk.core.identity.merge import merge_customers, undo_merge
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from tests.helpers import write_csv

HEADER = ["First Name", "Last Name", "Email", "Phone", "Accepts Email Marketing"]
SHOP = [["Anna", "Lee", "anna@example.com", "+14155550101", "yes"]]
LIST = [["Anna", "Lee", "anna.lee@work.example", "+14155550102", "yes"]]


def _consent(path) -> dict[int, tuple]:
    con = sqlite3.connect(path)
    try:
        return {r[0]: r[1:] for r in con.execute("SELECT id, consent_email, consent_sms FROM customer ORDER BY id")}
    finally:
        con.close()


def _two_annas(ws, tmp_path) -> None:
    ws.set_setting("timezone", "America/New_York")
    with time_machine.travel("2026-11-02T15:00:00Z", tick=False):
        import_file(ws, write_csv(tmp_path / "shop.csv", HEADER, SHOP), ImportOptions(channel="shop"))
        import_file(ws, write_csv(tmp_path / "list.csv", HEADER, LIST), ImportOptions(channel="email"))
    assert _consent(ws.path) == {1: ("granted", None), 2: ("granted", None)}


def test_a_stop_typed_on_the_merged_customer_stays_on_both_when_the_merge_is_undone(ws, tmp_path):
    _two_annas(ws, tmp_path)
    with time_machine.travel("2026-11-02T16:00:00Z", tick=False):
        edits.add_tags(ws, [2], ["wholesale"])  # the list's Anna gets the older hand record
        edits.record_consent(ws, 1, "sms", "denied", "no texts")  # before the merge: the shop Anna's own
    with time_machine.travel("2026-11-03T15:00:00Z", tick=False):
        merged = merge_customers(ws, [1, 2])
    with time_machine.travel("2026-11-04T15:00:00Z", tick=False):
        edits.record_consent(ws, 1, "email", "denied", "asked to stop all email")
    assert _consent(ws.path) == {1: ("denied", "denied")}
    undo_merge(ws, merged)  # Edit › Undo
    # The "stop" typed while they were one card is on both; the shop Anna's earlier "no texts"
    # stays hers alone (the list's Anna never said it).
    assert _consent(ws.path) == {1: ("denied", "denied"), 2: ("denied", None)}
    con = sqlite3.connect(ws.path)
    try:
        notes = con.execute("SELECT customer_id, channel, note FROM consent WHERE note != '' "
                            "ORDER BY customer_id, channel").fetchall()
    finally:
        con.close()
    assert notes == [(1, "email", "asked to stop all email"), (1, "sms", "no texts"),
                     (2, "email", "asked to stop all email")]


def test_a_stop_typed_on_the_merged_customer_survives_undo_and_redo_of_the_merge(ws, tmp_path):
    """The absorbed customer has no hand record of its own: one is made for the refusal, and
    merging them again then undoing again still leaves both refusing."""
    _two_annas(ws, tmp_path)
    with time_machine.travel("2026-11-03T15:00:00Z", tick=False):
        merged = merge_customers(ws, [1, 2])
    with time_machine.travel("2026-11-04T15:00:00Z", tick=False):
        edits.record_consent(ws, 1, "email", "denied", "asked to stop all email")
    undo_merge(ws, merged)
    assert _consent(ws.path) == {1: ("denied", None), 2: ("denied", None)}
    with time_machine.travel("2026-11-05T15:00:00Z", tick=False):
        again = merge_customers(ws, [1, 2])  # Edit › Redo
    assert _consent(ws.path) == {1: ("denied", None)}
    undo_merge(ws, again)
    assert _consent(ws.path) == {1: ("denied", None), 2: ("denied", None)}
