"""A workspace whose unsubscribe list was imported by the version before an opt-out's address was
read past a slip ("a1@example.com." with a sentence's full stop): those rows were only flagged, each
made a customer of its own with nothing on it but the refusal, and the customers they name stayed
subscribed.  Opened by this version, the kept rows are read again, once: each refusal reaches its
customer, the empty customer goes, and the next email pack leaves them out.  Played through the
command line at a set clock; the list is imported with the older version's reading patched in."""

from __future__ import annotations

import csv
import json
import sqlite3

from omnidesk.core.importing import rows
from omnidesk.core.importing.backfill import read_refusal_emails_again
from omnidesk.core.workspace import Workspace

from tests.core.test_cli_optout_email_typos import PLAN, _customers, _shop
from tests.helpers import cli_at, exported_packs, write_csv

SLIPS = [["a1@example.com.", "2027-01-12"], ["( a2@example.com )", "2027-01-12"], ["a3 @ example. com", "2027-01-13"],
         ["stranger@example.com.", "2027-01-14"],
         # No single reading: a space inside the name stays unread, and names no one, as it does today.
         ["a 4@example.com", "2027-01-14"]]
UNDATED = [["(a5@example.com)"]]  # a list of addresses alone: the refusal is undated


def _as_the_older_version(monkeypatch) -> None:
    """The reading before: an address with a slip was never read, and a row whose cells held text was
    somebody."""
    monkeypatch.setattr(rows.RowNormalizer, "_read_refusal_emails", lambda self, row: None)
    monkeypatch.setattr(rows, "_known_by", lambda row: True)


def _state(ws) -> tuple:
    db = sqlite3.connect(ws)
    try:
        return tuple(db.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
                     for table in ("customer", "source_record", "identifier", "consent", "merge_log"))
    finally:
        db.close()


def _slip_records(ws) -> dict[str, tuple]:
    """Each kept row of the list: (its customer's email, its email, its notes)."""
    db = sqlite3.connect(ws)
    try:
        return {json.loads(raw)[0]: (cust, email, json.loads(problems)) for raw, cust, email, problems in db.execute(
            "SELECT r.raw_json, c.email, r.email, r.problems_json FROM source_record r JOIN import_batch b "
            "ON b.id = r.batch_id LEFT JOIN customer c ON c.id = r.customer_id "
            "WHERE b.file_name IN ('unsubscribes.csv', 'optouts.csv')")}
    finally:
        db.close()


def test_unsubscribes_an_older_version_left_unread_reach_their_customers_once_reopened(tmp_path, capsys,
                                                                                       monkeypatch):
    ws = _shop(tmp_path, capsys)
    _as_the_older_version(monkeypatch)
    cli_at(capsys, ws, "import", write_csv(tmp_path / "unsubscribes.csv", ["Email", "Unsubscribed At"], SLIPS),
           "--region", "US")
    cli_at(capsys, ws, "import", write_csv(tmp_path / "optouts.csv", ["Email"], UNDATED), "--region", "US")
    monkeypatch.undo()
    # As the older version left it: the customers the list names stayed subscribed.
    old = _customers(capsys, ws, tmp_path)
    assert sorted(c[2] for c in old.values()) == ["granted"] * 9 + ["unsubscribed"] * 6, sorted(old.items())
    db = sqlite3.connect(ws)
    with db:
        db.execute("UPDATE alembic_version SET version_num = '0039'")
        dates = dict(db.execute("SELECT json_extract(r.raw_json, '$[0]'), n.occurred_at FROM consent n "
                                "JOIN source_record r ON r.id = n.record_id JOIN import_batch b ON b.id = r.batch_id "
                                "WHERE b.file_name IN ('unsubscribes.csv', 'optouts.csv')").fetchall())
        phantoms = db.execute("SELECT count(*) FROM customer WHERE email IS NULL").fetchone()[0]
    db.close()
    assert phantoms == 6  # and six empty customers beside the nine

    said = cli_at(capsys, ws, "info")  # opened: read again
    assert "5 opt-outs whose email address had a slip now reach the address they name." in said, said
    # The one with no single reading is kept as read, as an import today keeps it: its empty customer goes.
    assert "1 opt-out whose email address cannot be read is kept as read, flagged to be corrected" in said, said
    customers = _customers(capsys, ws, tmp_path)
    assert sorted(customers.values()) == sorted([
        ("", "stranger@example.com", "unsubscribed"),
        *[(f"A{i}", f"a{i}@example.com", "unsubscribed") for i in (1, 2, 3, 5)],
        *[(f"A{i}", f"a{i}@example.com", "granted") for i in (4, 6, 7, 8, 9)]]), sorted(customers.items())
    kept = _slip_records(ws)
    for n, slip in ((1, SLIPS[0][0]), (2, SLIPS[1][0]), (3, SLIPS[2][0]), (5, UNDATED[0][0])):
        cust, email, notes = kept[slip]
        assert cust == email == f"a{n}@example.com", kept[slip]
        assert any(f"read as a{n}@example.com" in note for note in notes), notes
    assert kept["stranger@example.com."][:2] == ("stranger@example.com", "stranger@example.com")
    assert kept["a 4@example.com"][:2] == (None, None) and "read as" not in str(kept["a 4@example.com"][2])
    db = sqlite3.connect(ws)
    # Each refusal keeps the date its row gave it (none where its row gave none); the one that names
    # no one holds none, as an import today leaves it.
    assert dict(db.execute("SELECT json_extract(r.raw_json, '$[0]'), n.occurred_at FROM consent n "
                           "JOIN source_record r ON r.id = n.record_id JOIN import_batch b ON b.id = r.batch_id "
                           "WHERE b.file_name IN ('unsubscribes.csv', 'optouts.csv')").fetchall()) == {
        slip: day for slip, day in dates.items() if slip != "a 4@example.com"}
    db.close()
    before = _state(ws)
    assert "opt-out" not in cli_at(capsys, ws, "info")  # opened again: nothing more changes
    assert _state(ws) == before
    with Workspace.open(ws) as opened, opened.writing() as conn:  # and read again, nothing is found
        assert read_refusal_emails_again(conn) == (0, 0)
    assert _state(ws) == before

    packs, _said = exported_packs(capsys, ws, tmp_path, PLAN)
    with packs["email"].open(encoding="utf-8-sig", newline="") as fh:
        assert sorted(r["Email Address"] for r in csv.DictReader(fh)) == [f"a{i}@example.com" for i in (4, 6, 7, 8, 9)]
    # The address no one held keeps its refusal: the person imported later joins it, still opted out.
    cli_at(capsys, ws, "import", write_csv(tmp_path / "more.csv", ["First Name", "Email", "Email consent"],
                                           [["Stan", "stranger@example.com", "yes"]]), "--region", "US",
           at="2027-02-02 15:00:00Z")
    assert ("Stan", "stranger@example.com", "unsubscribed") in _customers(capsys, ws, tmp_path).values()


def test_a_workspace_without_such_rows_is_opened_as_it_was(tmp_path, capsys):
    ws = _shop(tmp_path, capsys)
    cli_at(capsys, ws, "import", write_csv(tmp_path / "unsubscribes.csv", ["Email", "Unsubscribed At"], SLIPS),
           "--region", "US")
    db = sqlite3.connect(ws)
    with db:
        db.execute("UPDATE alembic_version SET version_num = '0039'")
    db.close()
    before = _state(ws)
    cli_at(capsys, ws, "info")
    assert _state(ws) == before


def _older_list_then(tmp_path, capsys, monkeypatch, address: str):
    """A shop whose unsubscribe list of one slipped ``address`` the older version left unread."""
    ws = _shop(tmp_path, capsys)
    _as_the_older_version(monkeypatch)
    cli_at(capsys, ws, "import", write_csv(tmp_path / "unsubscribes.csv", ["Email", "Unsubscribed At"],
                                           [[address, "2027-01-12"]]), "--region", "US")
    monkeypatch.undo()
    return ws


def _reopened_as_older(capsys, ws) -> None:
    db = sqlite3.connect(ws)
    with db:
        db.execute("UPDATE alembic_version SET version_num = '0039'")
    db.close()
    cli_at(capsys, ws, "info")


def test_a_refusal_the_owner_merged_by_hand_stays_where_they_put_it(tmp_path, capsys, monkeypatch):
    # The owner read "a1@example.com." as A2's old address and merged the row into A2: reading it
    # again as A1's must not take it from A2, nor join A1 and A2 into one customer.
    ws = _older_list_then(tmp_path, capsys, monkeypatch, "a1@example.com.")
    db = sqlite3.connect(ws)
    phantom = db.execute("SELECT id FROM customer WHERE email IS NULL").fetchone()[0]
    a1, a2 = (db.execute("SELECT id FROM customer WHERE email = ?", (f"a{n}@example.com",)).fetchone()[0]
              for n in (1, 2))
    db.close()
    cli_at(capsys, ws, "merge", str(a2), str(phantom))
    _reopened_as_older(capsys, ws)
    db = sqlite3.connect(ws)
    on = db.execute("SELECT r.customer_id FROM source_record r JOIN import_batch b ON b.id = r.batch_id "
                    "WHERE b.file_name = 'unsubscribes.csv'").fetchone()[0]
    a1_records = db.execute("SELECT count(*) FROM source_record WHERE customer_id = ?", (a1,)).fetchone()[0]
    a1_still = db.execute("SELECT email FROM customer WHERE id = ?", (a1,)).fetchone()
    db.close()
    assert on == a2
    assert a1_still == ("a1@example.com",) and a1_records == 1


def test_an_address_erased_since_is_not_given_back(tmp_path, capsys, monkeypatch):
    ws = _older_list_then(tmp_path, capsys, monkeypatch, "a1@example.com.")
    cli_at(capsys, ws, "person", "erase", "a1@example.com", "--yes")
    _reopened_as_older(capsys, ws)
    db = sqlite3.connect(ws)
    back = db.execute("SELECT value FROM identifier WHERE value LIKE '%a1@example.com%' UNION ALL "
                      "SELECT email FROM source_record WHERE email LIKE '%a1@example.com%' UNION ALL "
                      "SELECT email FROM customer WHERE email LIKE '%a1@example.com%'").fetchall()
    db.close()
    assert back == []


UNREADABLE = [["a6@example.com a7@example.com", "2027-01-12"],  # two addresses: no single reading
              ["a 4@example.com", "2027-01-13"], ["not an address", "2027-01-14"]]


def _list_rows(ws) -> list[tuple]:
    """Each kept row of the unsubscribe list as stored, and the consent facts it holds."""
    db = sqlite3.connect(ws)
    try:
        return db.execute(
            "SELECT r.raw_json, r.kind, r.customer_id, r.email, r.flagged, r.values_json, r.problems_json, "
            "(SELECT count(*) FROM consent n WHERE n.record_id = r.id), "
            "(SELECT count(*) FROM identifier i WHERE i.record_id = r.id) "
            "FROM source_record r JOIN import_batch b ON b.id = r.batch_id "
            "WHERE b.file_name = 'unsubscribes.csv' ORDER BY r.record_no").fetchall()
    finally:
        db.close()


def test_a_refusal_with_no_single_reading_is_kept_as_read_and_its_empty_customer_goes(tmp_path, capsys,
                                                                                      monkeypatch):
    """An unsubscribe whose address has no single reading ("a6@example.com a7@example.com", "a 4@…")
    made, in the older version, a nameless customer with no channel: nobody's refusal, shown in the
    customer list.  Today's import keeps such a row as read, flagged to be corrected, and makes no one
    of it; the upgrade leaves the workspace as that import would.  Nobody's consent moves (the
    customers the row might mean are not guessed at, and the empty one reached no one), and nothing
    is lost: the row is kept, flagged, with its problem, for the error report."""
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    today = _shop(fresh, capsys)
    cli_at(capsys, today, "import", write_csv(fresh / "unsubscribes.csv", ["Email", "Unsubscribed At"], UNREADABLE),
           "--region", "US")
    ws = _shop(tmp_path, capsys)
    _as_the_older_version(monkeypatch)
    cli_at(capsys, ws, "import", write_csv(tmp_path / "unsubscribes.csv", ["Email", "Unsubscribed At"], UNREADABLE),
           "--region", "US")
    monkeypatch.undo()
    db = sqlite3.connect(ws)
    with db:
        assert db.execute("SELECT count(*) FROM customer WHERE email IS NULL").fetchone()[0] == 3
        db.execute("UPDATE alembic_version SET version_num = '0039'")
    db.close()

    said = cli_at(capsys, ws, "info")  # opened: read again
    assert "3 opt-outs whose email address cannot be read are kept as read, flagged to be corrected" in said, said
    customers = _customers(capsys, ws, tmp_path)
    assert sorted(customers.values()) == [(f"A{i}", f"a{i}@example.com", "granted") for i in range(1, 10)], customers
    kept = _list_rows(ws)
    assert [r[1:5] for r in kept] == [("skipped", None, None, 1)] * 3, kept
    assert [r[7:] for r in kept] == [(0, 0)] * 3, kept
    assert kept == _list_rows(today)  # as today's import keeps them
    before = _state(ws)
    assert "opt-out" not in cli_at(capsys, ws, "info")  # opened again: nothing more changes
    assert _state(ws) == before
    with Workspace.open(ws) as opened, opened.writing() as conn:
        assert read_refusal_emails_again(conn) == (0, 0)
    assert _state(ws) == before


def test_a_nameless_refusal_the_owner_wrote_a_note_on_stays_where_it_is(tmp_path, capsys, monkeypatch):
    """The owner noted on the nameless customer who they think it is: the note is theirs, so the
    customer and its row stay as they were, as a row merged by hand does."""
    from omnidesk.core.notes import set_customer_notes

    ws = _older_list_then(tmp_path, capsys, monkeypatch, "a6@example.com a7@example.com")
    with Workspace.open(ws) as opened:
        with opened.engine.connect() as conn:
            (phantom,) = conn.exec_driver_sql("SELECT id FROM customer WHERE email IS NULL").scalars().all()
        set_customer_notes(opened, phantom, "A6 or A7? ask at the till")
    before = _list_rows(ws)
    _reopened_as_older(capsys, ws)
    assert _list_rows(ws) == before
    db = sqlite3.connect(ws)
    assert db.execute("SELECT notes FROM customer WHERE id = ?", (phantom,)).fetchone() == ("A6 or A7? ask at the till",)
    db.close()
