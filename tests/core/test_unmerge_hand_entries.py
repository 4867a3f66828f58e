"""Splitting a record off a merged customer takes what was typed by hand for its person along.

Two Anna Lees: the shop's (phone ...0101) and the email list's (phone ...0102).  The user
typed on the list's Anna that she refused SMS, tagged her wholesale and gave her company
Lee Design; then merged the two, and split the list's record off again.  The refusal, the
tag and the company go back with her; the shop's Anna, who never refused, gets the texts.
"""

from __future__ import annotations

import sqlite3

import time_machine

from omnidesk.cli import main
from omnidesk.core import edits
from omnidesk.core.campaigns import guards
from omnidesk.core.campaigns.campaign import get_campaign, save_campaign
from omnidesk.core.identity.merge import merge_customers, undo_split, unmerge_record
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.messages.store import save_message
from omnidesk.core.workspace import Workspace
from tests.helpers import write_csv

HEADER = ["First Name", "Last Name", "Email", "Phone"]
SHOP = [["Anna", "Lee", "anna@example.com", "+14155550101"]]
LIST = [["Anna", "Lee", "anna.lee@work.example", "+14155550102"]]


def _cards(path) -> dict[int, tuple]:
    con = sqlite3.connect(path)
    try:
        return {r[0]: r[1:] for r in con.execute(
            "SELECT id, phone, company, tags, consent_sms, consent_email FROM customer ORDER BY id")}
    finally:
        con.close()


def _hand_entries(path) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT r.id, r.customer_id, r.company, r.tags, r.values_json, c.channel, c.status "
                           "FROM source_record r LEFT JOIN consent c ON c.record_id = r.id "
                           "WHERE r.channel = 'manual' ORDER BY r.id, c.id").fetchall()
    finally:
        con.close()


def _sms_audience(ws: Workspace) -> tuple[list[int], list[int]]:
    """Who the SMS step of a campaign to everyone sends to, and who it leaves out as opted out."""
    save_message(ws, "Sale", {"headline": "Sale", "link": "https://hc.example/a"})
    save_campaign(ws, "Spring", message="Sale", audience="everyone", mode="each_channel", replace=True,
                  steps=[{"channel": "sms", "at": "2027-03-01T10:00", "timezone": "America/New_York"}])
    (sms,) = guards.plan_audiences(ws, get_campaign(ws, "Spring"))
    return sorted(sms.eligible), sorted(sms.excluded.get("opted out", []))


def _run(capsys, *argv) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def test_a_refusal_typed_before_the_merge_goes_back_with_its_person_on_the_command_line(tmp_path, capsys):
    path = tmp_path / "shop.omnidesk"
    ws = ["-w", str(path)]
    with time_machine.travel("2026-11-02T15:00:00Z", tick=False):
        _run(capsys, "import", "--channel", "shop", str(write_csv(tmp_path / "shop.csv", HEADER, SHOP)), *ws)
        _run(capsys, "import", "--channel", "email", str(write_csv(tmp_path / "list.csv", HEADER, LIST)), *ws)
        _run(capsys, "settings", "timezone", "America/New_York", *ws)
        _run(capsys, "settings", "send_unknown_sms", "yes", *ws)
        _run(capsys, "consent", "set", "2", "sms", "denied", *ws)
        _run(capsys, "tag", "add", "wholesale", "2", *ws)
        _run(capsys, "customer", "set", "2", "company", "Lee Design", *ws)
    with time_machine.travel("2026-11-03T15:00:00Z", tick=False):
        _run(capsys, "merge", "1", "2", *ws)
    with time_machine.travel("2026-11-04T15:00:00Z", tick=False):
        assert "to new customer 3" in _run(capsys, "unmerge", "2", *ws)
    assert _cards(path) == {1: ("+14155550101", "", "", None, None),
                            3: ("+14155550102", "Lee Design", "wholesale", "denied", None)}
    with Workspace.open(path) as opened, time_machine.travel("2026-11-05T15:00:00Z", tick=False):
        assert _sms_audience(opened) == ([1], [3])


def test_refusals_typed_on_the_merged_customer_stay_on_both_sides_and_undo_redo_round_trips(ws, tmp_path):
    ws.set_setting("timezone", "America/New_York")
    ws.set_setting("send_unknown_sms", "yes")
    with time_machine.travel("2026-11-02T15:00:00Z", tick=False):
        import_file(ws, write_csv(tmp_path / "shop.csv", HEADER, SHOP), ImportOptions(channel="shop"))
        import_file(ws, write_csv(tmp_path / "list.csv", HEADER, LIST), ImportOptions(channel="email"))
        edits.record_consent(ws, 2, "sms", "denied", "asked by phone to stop texts")
        edits.add_tags(ws, [2], ["wholesale"])
        edits.set_value(ws, 2, "company", "Lee Design")
    with time_machine.travel("2026-11-03T15:00:00Z", tick=False):
        assert merge_customers(ws, [1, 2]).survivor == 1
    with time_machine.travel("2026-11-04T15:00:00Z", tick=False):
        # Typed on the merged card: whose "no" it was cannot be told (both keep it); the "yes"
        # and the tag stay with the card the user was working on, never guessed onto the other.
        edits.record_consent(ws, 1, "email", "denied", "said no more emails")
        edits.record_consent(ws, 1, "sms", "granted", "texts are fine")
        edits.add_tags(ws, [1], ["vip"])
    merged, typed = _cards(ws.path), _hand_entries(ws.path)
    with ws.engine.connect() as conn:
        list_row = conn.exec_driver_sql("SELECT id FROM source_record WHERE phone = '+14155550102' "
                                        "AND channel = 'email'").scalar()
    with time_machine.travel("2026-11-05T15:00:00Z", tick=False):
        split = unmerge_record(ws, list_row)
    assert (split.old, split.new) == (1, 3)
    after = {1: ("+14155550101", "", "vip", "granted", "denied"),
             3: ("+14155550102", "Lee Design", "wholesale", "denied", "denied")}
    assert _cards(ws.path) == after
    with time_machine.travel("2026-11-06T15:00:00Z", tick=False):
        assert _sms_audience(ws) == ([1], [3])
    # Undo (Edit › Undo) gives back the merged customer exactly; redo the same split, same ids.
    undo_split(ws, split)
    assert (_cards(ws.path), _hand_entries(ws.path)) == (merged, typed)
    again = unmerge_record(ws, list_row, customer_id=split.new)
    assert (again.old, again.new) == (1, 3)
    assert _cards(ws.path) == after
    undo_split(ws, again)
    assert (_cards(ws.path), _hand_entries(ws.path)) == (merged, typed)


def test_a_stop_typed_while_the_files_held_both_stays_on_both_after_a_later_unrelated_merge(ws, tmp_path):
    """The shop's and the SMS list's Anna Berg were joined by the files (one email); the user typed
    her "stop texts" on that card. A later merge by hand brought in the till's Anna; then the SMS
    record was split off. The stop was typed while the SMS record was on the card: it may be hers,
    so it stays on both sides, and nobody who said stop gets the texts."""
    ws.set_setting("timezone", "America/New_York")
    with time_machine.travel("2026-11-02T15:00:00Z", tick=False):
        import_file(ws, write_csv(tmp_path / "sms.csv", [*HEADER, "SMS Consent"],
                                  [["Anna", "Berg", "anna@example.com", "+14155550111", "yes"]]),
                    ImportOptions(channel="sms"))
        import_file(ws, write_csv(tmp_path / "shop.csv", HEADER, [["Anna", "Berg", "anna@example.com", ""]]),
                    ImportOptions(channel="shop"))
        import_file(ws, write_csv(tmp_path / "till.csv", HEADER,
                                  [["Anna", "Berg", "anna.berg@work.example", ""]]), ImportOptions(channel="pos"))
    cards = _cards(ws.path)
    assert len(cards) == 2
    card = next(cid for cid, c in cards.items() if c[0] == "+14155550111")
    till = next(cid for cid in cards if cid != card)
    with time_machine.travel("2026-11-03T15:00:00Z", tick=False):
        edits.record_consent(ws, card, "sms", "denied", "asked by phone to stop texts")
    with time_machine.travel("2026-11-04T15:00:00Z", tick=False):
        merge_customers(ws, [card, till])
    with ws.engine.connect() as conn:
        sms_row = conn.exec_driver_sql("SELECT id FROM source_record WHERE channel = 'sms'").scalar()
    with time_machine.travel("2026-11-05T15:00:00Z", tick=False):
        split = unmerge_record(ws, sms_row)
    assert {cid: c[3] for cid, c in _cards(ws.path).items()} == {split.old: "denied", split.new: "denied"}
    with time_machine.travel("2026-11-06T15:00:00Z", tick=False):
        assert _sms_audience(ws)[0] == []
