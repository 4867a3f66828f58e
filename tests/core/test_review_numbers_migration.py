"""Opening a workspace of schema 0027 makes its review queue count pair numbers, losing and changing nothing.

The match_review table is made again (SQLite cannot add AUTOINCREMENT in
place): every row of every table must read the same after, its indexes must be
back, and the counter must start past every number given before, the number of
a pair a merge took out of the queue included (undoing the merge puts it back).
"""

from __future__ import annotations

import sqlite3

import pytest

from omnidesk.core.identity.merge import list_reviews, merge_customers, undo_merge
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.workspace import Workspace
from tests.helpers import workspace_at as _workspace_at
from tests.helpers import write_csv

HEADER = ["First Name", "Last Name", "Email"]


def _everything(path) -> dict[str, list[tuple]]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [n for (n,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                            "AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version'")]
        return {t: sorted(con.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    finally:
        con.close()


def _schema_of_reviews(path) -> tuple[str, set[tuple[str, str, str]]]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        table = con.execute("SELECT sql FROM sqlite_master WHERE type = 'table' "
                            "AND name = 'match_review'").fetchone()[0]
        attached = set(con.execute("SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'match_review' "
                                   "AND type IN ('index', 'trigger')").fetchall())
        return table, attached
    finally:
        con.close()


def _import(ws, tmp_path, name: str, channel: str, rows) -> None:
    import_file(ws, write_csv(tmp_path / name, HEADER, rows), ImportOptions(channel=channel))


def _pairs(ws) -> dict[int, tuple[int, int]]:
    return {r.id: (r.left_id, r.right_id) for r in list_reviews(ws)}


@pytest.fixture
def old_workspace(tmp_path):
    """A 0027 workspace with pair 1 (Anna Lee ~ Mark Lee) queued, and pair 2 (Bea Fox ~ Cal Fox) taken
    out of the queue by a merge of the two by hand: returns (path, Bea's id, Cal's id, the merge)."""
    path = tmp_path / "old.omnidesk"
    ws = _workspace_at(path, "0027")
    _import(ws, tmp_path, "shop.csv", "shop", [["Anna", "Lee", "lee@example.com"], ["Bea", "Fox", "fox@example.com"]])
    _import(ws, tmp_path, "mail.csv", "email", [["Mark", "Lee", "lee@example.com"]])
    _import(ws, tmp_path, "sms.csv", "sms", [["Cal", "Fox", "fox@example.com"]])
    pairs = _pairs(ws)
    assert sorted(pairs) == [1, 2]
    bea, cal = pairs[2]
    merged = merge_customers(ws, [bea, cal])
    assert sorted(_pairs(ws)) == [1]
    assert "AUTOINCREMENT" not in _schema_of_reviews(path)[0].upper()
    ws.close()
    return path, bea, cal, merged


def test_opening_a_0027_workspace_keeps_every_pair_and_never_gives_a_number_again(old_workspace, tmp_path):
    path, bea, cal, merged = old_workspace
    before = _everything(path)
    table_before, attached_before = _schema_of_reviews(path)

    with Workspace.open(path) as ws:
        assert ws.backup_path is not None  # the 0027 file was kept aside first
        after = _everything(path)
        # Opening marks which readers read its consent (read again here: the facts are as they were).
        after["setting"] = [row for row in after["setting"] if row[0] != "consent_readers"]
        assert after == before
        with ws.engine.connect() as conn:
            # Past pair 2, which the merge took out of the queue and keeps to put back.
            assert conn.exec_driver_sql("SELECT seq FROM sqlite_sequence WHERE name = 'match_review'").scalar() == 2
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        # Pair 1 decided, then a new pair queued: it gets a new number, not 1.
        from omnidesk.core.identity.merge import reject_review

        reject_review(ws, 1)
        _import(ws, tmp_path, "more.csv", "shop", [["Dan", "Lee", "lee@example.com"]])
        new = _pairs(ws)
        assert new and min(new) > 2
        # Undoing the merge puts pair 2 back under its own number, beside the new ones.
        undo_merge(ws, merged)
        assert _pairs(ws) == {**new, 2: (bea, cal)}

    table_after, attached_after = _schema_of_reviews(path)
    assert "AUTOINCREMENT" in table_after.upper() and "AUTOINCREMENT" not in table_before.upper()
    assert attached_after == attached_before and len(attached_before) == 3


def test_an_empty_0027_workspace_upgrades_to_a_counting_queue(tmp_path):
    path = tmp_path / "empty.omnidesk"
    _workspace_at(path, "0027").close()

    with Workspace.open(path) as ws:
        _import(ws, tmp_path, "a.csv", "shop", [["Anna", "Lee", "lee@example.com"]])
        _import(ws, tmp_path, "b.csv", "email", [["Mark", "Lee", "lee@example.com"]])
        assert sorted(_pairs(ws)) == [1]
    assert "AUTOINCREMENT" in _schema_of_reviews(path)[0].upper()


def test_a_new_workspace_counts_pair_numbers_as_the_upgraded_one(tmp_path):
    path = tmp_path / "new.omnidesk"
    Workspace.open(path, create=True).close()
    assert "AUTOINCREMENT" in _schema_of_reviews(path)[0].upper()


def test_a_review_table_not_as_omnidesk_made_it_is_refused():
    from importlib import import_module

    migration = import_module("omnidesk.core.migrations.versions.0030_review_numbers_never_reused")
    made = migration.counting_definition(
        "CREATE TABLE match_review (\n\tid INTEGER NOT NULL, \n\tscore FLOAT, \n\tPRIMARY KEY (id)\n)")
    assert made.startswith("CREATE TABLE match_review_autoincrement (")
    assert "id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT," in made and "PRIMARY KEY (id)" not in made
    with pytest.raises(RuntimeError, match="not as omnidesk made it"):
        migration.counting_definition("CREATE TABLE match_review (id INTEGER PRIMARY KEY, score FLOAT)")
