"""Opening a workspace of schema 0020 makes its customer table count ids, losing and changing nothing.

The table is made again (SQLite cannot add AUTOINCREMENT in place): every row
of every table must read the same after, the customer table's indexes and
trigger must be back, and the counter must start past every id given before,
the ids of customers merged away before the upgrade included.
"""

from __future__ import annotations

import sqlite3

import pytest
from alembic import command
from sqlalchemy import create_engine

from omnidesk.core import dialect, migrations
from omnidesk.core.edits import add_customer, record_consent
from omnidesk.core.identity.merge import merge_customers, unmerge_record
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.models import Setting
from omnidesk.core.settings import DEFAULT_SETTINGS
from omnidesk.core.workspace import Workspace, _alembic_config
from tests.helpers import write_csv

HEADER = ["Email", "First Name", "Last Name", "Phone", "Order ID", "Total", "Created at"]


def _workspace_at(path, revision: str) -> Workspace:
    """A new workspace file whose schema is ``revision``, as that version of omnidesk made it."""
    import json

    engine = create_engine(f"sqlite:///{path}")
    ws = Workspace(engine, path)
    ws._engine_settings = dialect.configure_sqlite_engine(engine)
    with ws.writing() as conn:
        command.upgrade(_alembic_config(conn), revision)
        migrations.run_rebuilds(conn)  # what those migrations asked for, as opening does
        dialect.mark_workspace(conn)
        conn.execute(Setting.__table__.insert(), [{"key": k, "value": json.dumps(v)}
                                                  for k, v in DEFAULT_SETTINGS.items()])
        # Today's importer writes and reads each email's mailbox (0025): the column is there while
        # the test fills the workspace, and gone again (:func:`_as_made`) before it is opened.
        conn.exec_driver_sql("ALTER TABLE identifier ADD COLUMN mailbox VARCHAR(320)")
    return ws


def _as_made(ws: Workspace) -> None:
    """Leave the workspace with the schema of its revision: without 0025's mailbox column."""
    with ws.writing() as conn:
        conn.exec_driver_sql("ALTER TABLE identifier DROP COLUMN mailbox")


def _everything(path) -> dict[str, list[tuple]]:
    """Every row of every table (the search index's too), read straight from the file."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [n for (n,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                            "AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version'")]
        return {t: sorted(con.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    finally:
        con.close()


def _card_refresh_set_aside(path, *dumps: dict[str, list[tuple]]) -> int:
    """Leave out of each dump what working the cards out again writes anew: a card's update time and
    first and last seen, and the search index's own tables (its entries' text is kept); returns how
    many cards there are."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [row[1] for row in con.execute("PRAGMA table_info(customer)")]
    finally:
        con.close()
    rewritten = {names.index(c) for c in ("updated_at", "first_seen", "last_seen")}
    for dump in dumps:
        for name in [t for t in dump if t.startswith("customer_fts_")]:
            del dump[name]
        dump["customer"] = sorted((tuple(None if i in rewritten else v for i, v in enumerate(row))
                                   for row in dump["customer"]), key=repr)
    return len(dumps[0]["customer"])


def _schema_of_customer(path) -> tuple[str, set[tuple[str, str, str]]]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        table = con.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'customer'").fetchone()[0]
        attached = set(con.execute("SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'customer' "
                                   "AND type IN ('index', 'trigger')").fetchall())
        return table, attached
    finally:
        con.close()


@pytest.fixture
def old_workspace(tmp_path):
    """A 0020 workspace with customers, records, events, consents, merges, a split and a hand-made
    customer, whose newest customer was merged away: returns (path, the id that went)."""
    path = tmp_path / "old.omnidesk"
    ws = _workspace_at(path, "0020")
    rows = [[f"p{i}@example.com", f"Name{i}", f"Family{i}", f"+1415555{i:04d}", f"O{i}", f"{10 + i}.00",
             "2026-05-02 10:00"] for i in range(12)]
    rows.append(["p0@example.com", "Name0", "Family0", "+14155559999", "O99", "5.00", "2026-05-03 10:00"])
    import_file(ws, write_csv(tmp_path / "orders.csv", HEADER, rows), ImportOptions(channel="shop", kind="events"))
    with ws.engine.connect() as conn:
        ids = [cid for (cid,) in conn.exec_driver_sql("SELECT id FROM customer ORDER BY id")]
        twice = conn.exec_driver_sql("SELECT customer_id FROM source_record GROUP BY customer_id "
                                     "HAVING count(*) > 1").scalar()
        split = conn.exec_driver_sql("SELECT max(id) FROM source_record WHERE customer_id = ?", (twice,)).scalar()
    merge_customers(ws, [ids[1], ids[2]])
    unmerge_record(ws, split)
    add_customer(ws, {"first_name": "Hand", "email": "hand@example.com"})
    record_consent(ws, ids[3], "email", "granted", "asked at the till")
    with ws.engine.connect() as conn:
        newest = conn.exec_driver_sql("SELECT max(id) FROM customer").scalar()
    merge_customers(ws, [ids[0], newest])
    with ws.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM customer WHERE id = ?", (newest,)).scalar() == 0
        assert "AUTOINCREMENT" not in _schema_of_customer(path)[0].upper()
    _as_made(ws)
    ws.close()
    return path, newest


def test_opening_a_0020_workspace_keeps_every_row_and_id_and_never_gives_a_merged_away_id_again(old_workspace):
    path, gone = old_workspace
    before = _everything(path)
    table_before, attached_before = _schema_of_customer(path)

    with Workspace.open(path) as ws:
        assert ws.backup_path is not None  # the 0020 file was kept aside first
        after = _everything(path)
        with ws.engine.connect() as conn:
            enforced = conn.exec_driver_sql("PRAGMA foreign_keys").scalar()
            check = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        made = add_customer(ws, {"first_name": "New", "email": "new@example.com"}).created

    # 0025 gives each identifier a mailbox column: none of these addresses is written another way.
    assert {row[4:] for row in after["identifier"]} == {(None,)}
    after["identifier"] = [row[:4] for row in after["identifier"]]
    # 0029 works every card out again (the orders' times came without an offset): each card is
    # written anew, with its first and last seen as UTC instants (here on the computer's clock).
    rewritten = _card_refresh_set_aside(path, before, after)
    # Opening marks which readers read its consent (read again here: the facts are as they were).
    from omnidesk.core.importing.backfill import CONSENT_READERS_VERSION

    assert ("consent_readers", str(CONSENT_READERS_VERSION)) in after["setting"]
    after["setting"] = [row for row in after["setting"] if row[0] != "consent_readers"]
    assert after == before
    assert rewritten
    assert before["customer"] and before["source_record"] and before["event"] and before["consent"]
    assert any(r for r in before["merge_log"])
    table_after, attached_after = _schema_of_customer(path)
    assert "AUTOINCREMENT" in table_after.upper() and "AUTOINCREMENT" not in table_before.upper()
    # The indexes (the Dashboard's expression index too) and the journey trigger are back, as they were.
    # Every index and trigger as it was; later migrations (0022's and 0023's consent indexes) add their own.
    added_later = {("index", f"ix_customer_{said}_{channel}")
                   for said in ("granted", "refused") for channel in ("email", "sms", "whatsapp")}
    assert {(t, n) for t, n, _ in attached_after} - added_later == {(t, n) for t, n, _ in attached_before}
    assert {a for a in attached_after if a[:2] not in added_later} == attached_before
    assert enforced == 1 and check == []
    assert made > gone


def test_the_counter_starts_past_the_highest_id_the_merge_log_names(tmp_path):
    path = tmp_path / "old.omnidesk"
    ws = _workspace_at(path, "0020")
    import_file(ws, write_csv(tmp_path / "people.csv", ["Email", "First Name"],
                              [[f"p{i}@example.com", f"N{i}"] for i in range(3)]), ImportOptions(channel="shop"))
    merge_customers(ws, [1, 3])
    _as_made(ws)
    ws.close()

    with Workspace.open(path) as ws:
        with ws.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT seq FROM sqlite_sequence WHERE name = 'customer'").scalar() == 3
        assert add_customer(ws, {"first_name": "New", "email": "new@example.com"}).created == 4


def test_an_empty_0020_workspace_upgrades_to_a_counting_table(tmp_path):
    path = tmp_path / "empty.omnidesk"
    empty = _workspace_at(path, "0020")
    _as_made(empty)
    empty.close()

    with Workspace.open(path) as ws:
        assert add_customer(ws, {"first_name": "First", "email": "first@example.com"}).created == 1
    assert "AUTOINCREMENT" in _schema_of_customer(path)[0].upper()


def test_the_table_is_not_made_again_with_foreign_keys_on(tmp_path):
    path = tmp_path / "old.omnidesk"
    ws = _workspace_at(path, "0020")
    import_file(ws, write_csv(tmp_path / "people.csv", ["Email", "First Name"], [["a@example.com", "A"]]),
                ImportOptions(channel="shop"))
    _as_made(ws)
    before = _everything(path)
    with pytest.raises(RuntimeError, match="foreign keys off"):
        with ws.writing() as conn:  # foreign keys on, as every other write
            command.upgrade(_alembic_config(conn), "head")
    ws.close()
    assert _everything(path) == before
    assert "AUTOINCREMENT" not in _schema_of_customer(path)[0].upper()


def test_a_customer_table_not_as_omnidesk_made_it_is_refused():
    from importlib import import_module

    migration = import_module("omnidesk.core.migrations.versions.0021_customer_ids_never_reused")
    made = migration.counting_definition(
        "CREATE TABLE customer (\n\tid INTEGER NOT NULL, \n\tname TEXT, \n\tPRIMARY KEY (id)\n)")
    assert made.startswith("CREATE TABLE customer_autoincrement (")
    assert "id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT," in made and "PRIMARY KEY (id)" not in made
    with pytest.raises(RuntimeError, match="not as omnidesk made it"):
        migration.counting_definition("CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT)")
