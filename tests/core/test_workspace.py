"""Workspace files: create, reopen, back up, migrate, and refuse what is not ours."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest
from sqlalchemy import inspect
from sqlmodel import SQLModel

from omnidesk.core import dialect
from omnidesk.core.models import Customer
from omnidesk.core.workspace import (
    NewerWorkspaceError,
    NotAWorkspaceError,
    Workspace,
    WorkspaceError,
    head_revision,
)


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_create_and_reopen_keeps_data(tmp_path):
    path = tmp_path / "shop.omnidesk"
    with Workspace.create(path) as ws:
        assert ws.schema_revision() == head_revision()
        with ws.session() as s:
            s.add(Customer(first_name="Ada", last_name="Lovelace", display_name="Ada Lovelace"))
        ws.set_setting("default_region", "GB")
    with Workspace.open(path) as ws:
        assert ws.counts()["customers"] == 1
        assert ws.get_setting("default_region") == "GB"
        assert ws.backup_path is None  # nothing to migrate, no backup


def test_pragmas_wal_and_foreign_keys(tmp_path):
    with Workspace.create(tmp_path / "a.omnidesk") as ws:
        with ws.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA application_id").scalar() == dialect.APPLICATION_ID


@pytest.mark.parametrize(("cores", "helpers"), [(None, 0), (1, 0), (2, 1), (4, 3), (16, 4)])
def test_big_sorts_take_a_helper_thread_per_spare_core(monkeypatch, cores, helpers):
    monkeypatch.setattr(dialect.os, "cpu_count", lambda: cores)
    assert dialect._sort_helpers() == helpers


def test_every_connection_lets_big_sorts_use_the_spare_cores(tmp_path, monkeypatch):
    monkeypatch.setattr(dialect, "_SORT_HELPERS", 3)
    with Workspace.create(tmp_path / "a.omnidesk") as ws:
        with ws.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA threads").scalar() == 3


def test_create_refuses_existing_file(tmp_path):
    path = tmp_path / "a.omnidesk"
    Workspace.create(path).close()
    with pytest.raises(WorkspaceError, match="already exists"):
        Workspace.create(path)


def test_open_missing_without_create(tmp_path):
    with pytest.raises(WorkspaceError, match="no workspace"):
        Workspace.open(tmp_path / "nope.omnidesk")


def test_session_rolls_back_on_error(tmp_path):
    with Workspace.create(tmp_path / "a.omnidesk") as ws:
        with pytest.raises(RuntimeError):
            with ws.session() as s:
                s.add(Customer(display_name="Half written"))
                s.flush()
                raise RuntimeError("crash mid-write")
        assert ws.counts()["customers"] == 0


def test_save_copy_while_open(tmp_path):
    with Workspace.create(tmp_path / "a.omnidesk") as ws:
        with ws.session() as s:
            s.add(Customer(display_name="Grace Hopper"))
        copy = ws.save_copy(tmp_path / "copy.omnidesk")
        with pytest.raises(WorkspaceError):
            ws.save_copy(tmp_path / "a.omnidesk")
    with Workspace.open(copy) as ws2:
        assert ws2.counts()["customers"] == 1


def test_empty_zero_byte_file_becomes_workspace(tmp_path):
    path = tmp_path / "empty.omnidesk"
    path.write_bytes(b"")
    with Workspace.open(path) as ws:
        assert ws.schema_revision() == head_revision()


def test_empty_v0_sqlite_file_is_migrated(tmp_path):
    path = tmp_path / "v0.omnidesk"
    sqlite3.connect(path).close()  # a SQLite file with no tables at all
    with Workspace.open(path) as ws:
        tables = set(inspect(ws.engine).get_table_names())
    assert {"customer", "source_record", "import_batch", "event", "consent"} <= tables


def test_marked_file_with_nothing_in_it_becomes_a_workspace_without_a_backup(tmp_path):
    """A file marked as ours whose creation never got further (an empty version table): nothing to keep."""
    path = tmp_path / "old.omnidesk"
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA application_id={dialect.APPLICATION_ID}")
    con.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
    con.commit()
    con.close()
    with Workspace.open(path) as ws:
        assert ws.schema_revision() == head_revision()
        assert ws.backup_path is None
    assert list(tmp_path.glob("*.bak")) == []


@pytest.mark.parametrize(
    "content",
    [b"name,email\nAda,ada@example.com\n", b"\x89PNG\r\n\x1a\n" + bytes(range(256))],
    ids=["csv", "binary"],
)
def test_refuses_non_sqlite_file_unchanged(tmp_path, content):
    path = tmp_path / "other.omnidesk"
    path.write_bytes(content)
    before = digest(path)
    with pytest.raises(NotAWorkspaceError, match="not an omnidesk workspace"):
        Workspace.open(path)
    assert digest(path) == before
    assert not (tmp_path / "other.omnidesk-wal").exists()


def test_refuses_foreign_sqlite_database_unchanged(tmp_path):
    path = tmp_path / "firefox.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    con.execute("INSERT INTO moz_places (url) VALUES ('https://example.com')")
    con.commit()
    con.close()
    before = digest(path)
    with pytest.raises(NotAWorkspaceError, match="another program"):
        Workspace.open(path)
    assert digest(path) == before


def test_refuses_newer_schema_unchanged(tmp_path):
    path = tmp_path / "future.omnidesk"
    Workspace.create(path).close()
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num='9999_from_the_future'")
    con.commit()
    con.execute("PRAGMA journal_mode=DELETE")
    con.close()
    before = digest(path)
    with pytest.raises(NewerWorkspaceError, match="newer version"):
        Workspace.open(path)
    assert digest(path) == before


def test_migrations_match_models(tmp_path):
    """Every table and column in models.py is created by the migrations (no drift)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with Workspace.create(tmp_path / "a.omnidesk") as ws:
        with ws.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"include_object": _include_object})
            diff = compare_metadata(ctx, SQLModel.metadata)
    assert diff == []


def _include_object(obj, name, type_, reflected, compare_to):
    # The FTS5 search index is created by the migrations but is not a model.
    return not (type_ == "table" and name.startswith(dialect.SEARCH_TABLE))


def test_insert_many_takes_the_fast_path_only_when_the_rows_name_every_column(tmp_path):
    """Rows missing a column go through Core, which fills in its defaults; full rows go to the driver."""
    from sqlalchemy import Column, Integer, MetaData, Table, Text, event

    from omnidesk.core.dialect import insert_many

    table = Table("probe", MetaData(), Column("id", Integer, primary_key=True), Column("a", Text),
                  Column("b", Text, default="from Core"))
    with Workspace.create(tmp_path / "w.omnidesk") as ws, ws.engine.begin() as conn:
        table.create(conn)
        statements = []
        event.listen(conn, "before_cursor_execute", lambda *args: statements.append(args[2]))
        insert_many(conn, table, [{"a": "full", "b": "given"}, {"a": "full 2", "b": "given 2"}])
        assert statements[-1] == "INSERT INTO probe (a, b) VALUES (?, ?)"  # the driver's executemany
        insert_many(conn, table, [{"a": "short"}])
        insert_many(conn, table, [])
        rows = conn.exec_driver_sql("SELECT a, b FROM probe ORDER BY id").fetchall()
    assert rows == [("full", "given"), ("full 2", "given 2"), ("short", "from Core")]


def test_what_is_deleted_with_foreign_keys_off_gets_its_on_delete_actions_after(make_workspace, tmp_path):
    # Migrations run with foreign keys off (SQLite's way to make a table again); a rebuild they ask
    # for may delete customers, whose rows must then end as they would with keys on.
    from omnidesk.core.importing.pipeline import ImportOptions, import_file
    from tests.helpers import write_csv

    header = ["Email", "First Name", "Last Name", "Phone", "Order ID", "Total", "Created at"]
    ws = make_workspace()
    import_file(ws, write_csv(tmp_path / "orders.csv", header, [
        ["ann@example.com", "Ann", "Archer", "+14155550101", "O1", "12.00", "2026-05-02 10:00"],
        ["bo@example.com", "Bo", "Baker", "+14155550102", "O2", "9.00", "2026-05-02 11:00"]]),
        ImportOptions(channel="shop", kind="events"))
    with ws.engine.connect() as conn:
        ann, bo = (conn.exec_driver_sql("SELECT id FROM customer WHERE email = ?", (e,)).scalar()
                   for e in ("ann@example.com", "bo@example.com"))
    with ws.writing() as conn:
        conn.exec_driver_sql("INSERT INTO match_review (left_id, right_id, score, reasons_json, status, created_at) "
                             "VALUES (?, ?, 8.0, '[]', 'pending', '2026-05-03T00:00:00+00:00')", (ann, bo))
    with ws.writing(foreign_keys=False) as conn:
        conn.exec_driver_sql("DELETE FROM customer WHERE id = ?", (ann,))  # no action taken: keys are off
        assert conn.exec_driver_sql("SELECT count(*) FROM match_review").scalar() == 1
        assert conn.exec_driver_sql("SELECT count(*) FROM event WHERE customer_id = ?", (ann,)).scalar() == 1

        assert dialect.settle_foreign_keys(conn) == []

        # As with keys on: Ann's rows lost their customer (SET NULL), the review went (CASCADE); Bo's stay.
        for table in ("source_record", "event"):
            assert conn.exec_driver_sql(f"SELECT count(*) FROM {table} WHERE customer_id = ?", (ann,)).scalar() == 0
            assert conn.exec_driver_sql(f"SELECT count(*) FROM {table} WHERE customer_id IS NULL").scalar() == 1
            assert conn.exec_driver_sql(f"SELECT count(*) FROM {table} WHERE customer_id = ?", (bo,)).scalar() == 1
        assert conn.exec_driver_sql("SELECT count(*) FROM match_review").scalar() == 0
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
    # On again for every later write: every pooled connection (the pool keeps 5) has them on.
    held = [ws.engine.connect() for _ in range(6)]
    try:
        assert [c.exec_driver_sql("PRAGMA foreign_keys").scalar() for c in held] == [1] * 6
    finally:
        for c in held:
            c.close()


def test_the_migration_scripts_are_read_once_a_process(tmp_path, monkeypatch):
    # Every open asks which revisions exist; reading the scripts costs about 50 ms an open.
    from omnidesk.core import workspace as module

    path = tmp_path / "shop.omnidesk"
    Workspace.create(path).close()
    module._revisions.cache_clear()
    reads = []
    real = module.ScriptDirectory.from_config
    monkeypatch.setattr(module.ScriptDirectory, "from_config", lambda cfg: reads.append(cfg) or real(cfg))
    for _ in range(3):
        with Workspace.open(path) as ws:
            assert ws.schema_revision() == head_revision()
    assert len(reads) == 1
    assert head_revision() in module.known_revisions() and len(module.known_revisions()) >= 23
