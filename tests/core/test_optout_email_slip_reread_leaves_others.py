"""Opening a workspace of the version before refusal addresses were read past a slip keeps as read
only the refusals that version made empty customers of, and nothing else.

That version flagged "not a valid email" on any row whose email cell it could not read, and made a
customer of it.  The upgrade re-reads such rows alone on their customer; a row today's import makes
no one of is kept as read, its customer gone, but only when the row refuses (it says "no" or an
opt-out and nothing else) and its customer is the nameless one with no channel made of it.  A
contacts row saying "yes", with a city, a tag and a custom field, is a customer the owner keeps:
it is left exactly as it is, and the upgrade names no opt-out.

And a refusal kept as read holds no custom field, as a fresh import stores none for a skipped
row: its field names are not offered anywhere.
"""

from __future__ import annotations

import sqlite3

from omnidesk.core.customers import custom_field_names
from omnidesk.core.workspace import Workspace
from tests.core.test_cli_optout_email_typos import _shop
from tests.core.test_optout_email_slip_reread import _as_the_older_version
from tests.helpers import cli_at, write_csv

CONTACTS = ["Email", "City", "Tags", "Shoe size", "Email consent"]
REFUSALS = ["Email", "Unsubscribed At", "Reason"]


def _imported_by_the_older_version(tmp_path, capsys, monkeypatch, name, header, rows):
    ws = _shop(tmp_path, capsys)
    _as_the_older_version(monkeypatch)
    cli_at(capsys, ws, "import", write_csv(tmp_path / name, header, rows), "--region", "US")
    monkeypatch.undo()
    return ws


def _opened_by_this_version(capsys, ws) -> str:
    db = sqlite3.connect(ws)
    with db:
        db.execute("UPDATE alembic_version SET version_num = '0039'")
    db.close()
    return cli_at(capsys, ws, "info")


def _state(ws) -> tuple:
    db = sqlite3.connect(ws)
    try:
        return tuple(db.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
                     for table in ("customer", "source_record", "identifier", "consent", "custom_field", "event"))
    finally:
        db.close()


def _fields(ws, file_name) -> list[tuple]:
    db = sqlite3.connect(ws)
    try:
        return db.execute("SELECT f.name, f.value, r.kind, r.customer_id FROM custom_field f JOIN source_record r "
                          "ON r.id = f.record_id JOIN import_batch b ON b.id = r.batch_id "
                          "WHERE b.file_name = ?", (file_name,)).fetchall()
    finally:
        db.close()


def test_a_contact_saying_yes_with_an_unreadable_email_is_left_as_it_is(tmp_path, capsys, monkeypatch):
    ws = _imported_by_the_older_version(tmp_path, capsys, monkeypatch, "newsletter.csv", CONTACTS,
                                        [["not an address", "Springfield", "vip", "42", "yes"]])
    before = _state(ws)
    db = sqlite3.connect(ws)
    try:
        assert db.execute("SELECT city, tags FROM customer WHERE email IS NULL").fetchall() == [("Springfield", "vip")]
    finally:
        db.close()
    said = _opened_by_this_version(capsys, ws)
    assert "opt-out" not in said
    assert _state(ws) == before


def test_a_refusal_kept_as_read_holds_no_custom_field(tmp_path, capsys, monkeypatch):
    rows = [["a6@example.com a7@example.com", "2027-01-12", "moved to Ann Lee's house"]]
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    today = _shop(fresh, capsys)
    cli_at(capsys, today, "import", write_csv(fresh / "unsubscribes.csv", REFUSALS, rows), "--region", "US")
    ws = _imported_by_the_older_version(tmp_path, capsys, monkeypatch, "unsubscribes.csv", REFUSALS, rows)
    assert _fields(ws, "unsubscribes.csv")  # the older version kept the reason on the refusal's customer
    said = _opened_by_this_version(capsys, ws)
    assert "opt-out" in said
    assert _fields(ws, "unsubscribes.csv") == _fields(today, "unsubscribes.csv") == []
    with Workspace.open(ws) as opened:
        assert "Reason" not in custom_field_names(opened)
