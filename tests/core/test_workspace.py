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
