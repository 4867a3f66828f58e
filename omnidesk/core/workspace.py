"""A workspace: one business's data in one database (a SQLite file by default).

``Workspace.open`` is the only way in.  It checks what the file is without
changing it, refuses files that are not workspaces or come from a newer
omnidesk, backs the file up before migrating it, and hands back an object with
an engine and sessions.  PostgreSQL works through ``Workspace.open_url``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from omnidesk.core import dialect
from omnidesk.core.models import (
    Consent,
    Customer,
    Event,
    ImportBatch,
    Setting,
    SourceRecord,
)

WORKSPACE_SUFFIX = ".omnidesk"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

DEFAULT_SETTINGS: dict[str, object] = {
    "business_name": "",
    "default_region": "US",
    "timezone": "",
    "currency": "",  # ISO 4217; empty: the region's (money.py)
}


class WorkspaceError(Exception):
    """A workspace could not be opened or written; ``str()`` is one sentence for the user."""


class NotAWorkspaceError(WorkspaceError):
    pass


class NewerWorkspaceError(WorkspaceError):
    pass


def _alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The newest schema revision this version of omnidesk knows."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    script = ScriptDirectory.from_config(_alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


class Workspace:
    """An open workspace.  Use :meth:`open`, :meth:`create` or :meth:`open_url`."""

    def __init__(self, engine: Engine, path: Path | None) -> None:
        self.engine = engine
        self.path = path
        self.backup_path: Path | None = None

    # -- opening -----------------------------------------------------------------

    @classmethod
    def create(cls, path: str | os.PathLike) -> Workspace:
        """Create a new, empty workspace file; refuses to overwrite an existing file."""
        path = Path(path)
        if path.exists() and path.stat().st_size > 0:
            raise WorkspaceError(f"{path} already exists; open it or choose another name.")
        return cls.open(path, create=True)

    @classmethod
    def open(cls, path: str | os.PathLike, *, create: bool = False) -> Workspace:
        """Open the workspace at ``path``, migrating it to the current schema.

        A missing file is created only when ``create`` is true.  A file that is
        not a workspace, or is from a newer omnidesk, raises and is left
        byte-for-byte untouched.  Before an existing workspace is migrated, a
        backup copy is written next to it (``backup_path`` says where).
        """
        path = Path(path).expanduser()
        state = dialect.inspect_file(path)
        if state.kind == "missing":
            if not create:
                raise WorkspaceError(f"There is no workspace at {path}.")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise WorkspaceError(f"Cannot create a workspace at {path}: {exc.strerror}.") from exc
        elif state.kind in ("not-sqlite", "foreign"):
            raise NotAWorkspaceError(
                f"{path.name} is not an omnidesk workspace ({state.detail}); it was not changed."
            )
        elif state.revision is not None and state.revision not in known_revisions():
            raise NewerWorkspaceError(
                f"{path.name} was saved by a newer version of omnidesk (schema {state.revision}); "
                "update omnidesk to open it. The file was not changed."
            )

        backup_path = None
        if state.kind == "workspace" and state.revision != head_revision():
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            backup_path = path.with_name(
                f"{path.stem}.before-{state.revision or 'v0'}-{stamp}{WORKSPACE_SUFFIX}.bak"
            )
            dialect.backup_file(path, backup_path)

        engine = create_engine(f"sqlite:///{path}")
        dialect.configure_sqlite_engine(engine)
        ws = cls(engine, path)
        ws.backup_path = backup_path
        try:
            ws._migrate()
        except Exception as exc:
            engine.dispose()
            raise WorkspaceError(f"Could not prepare {path.name}: {exc}") from exc
        return ws

    @classmethod
    def open_url(cls, url: str) -> Workspace:
        """Open a workspace on a database server (e.g. ``postgresql+psycopg://...``)."""
        engine = create_engine(url)
        ws = cls(engine, None)
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
        if current is not None and current not in known_revisions():
            engine.dispose()
            raise NewerWorkspaceError(
                f"The database at {engine.url.render_as_string()} is from a newer omnidesk "
                f"(schema {current})."
            )
        ws._migrate()
        return ws

    def _migrate(self) -> None:
        with self.engine.begin() as conn:
            command.upgrade(_alembic_config(conn), "head")
            dialect.mark_workspace(conn)
            existing = {row[0] for row in conn.execute(select(Setting.key))}
            missing = [
                {"key": k, "value": json.dumps(v)}
                for k, v in DEFAULT_SETTINGS.items()
                if k not in existing
            ]
            if missing:
                conn.execute(Setting.__table__.insert(), missing)

    # -- using -------------------------------------------------------------------

    @property
    def name(self) -> str:
        if self.path is not None:
            return self.path.stem
        return self.engine.url.database or "workspace"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose work commits on success and rolls back on any error."""
        with Session(self.engine) as session:
            with session.begin():
                yield session

    def schema_revision(self) -> str | None:
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def get_setting(self, key: str, default: object = None) -> object:
        with self.engine.connect() as conn:
            value = conn.execute(select(Setting.value).where(Setting.key == key)).scalar()
        if value is None:
            return default if default is not None else DEFAULT_SETTINGS.get(key)
        return json.loads(value)

    def set_setting(self, key: str, value: object) -> None:
        table = Setting.__table__
        with self.engine.begin() as conn:
            updated = conn.execute(
                table.update().where(table.c.key == key).values(value=json.dumps(value))
            ).rowcount
            if not updated:
                conn.execute(table.insert().values(key=key, value=json.dumps(value)))

    def counts(self) -> dict[str, int]:
        """Row counts of the tables a user cares about."""
        tables = {
            "customers": Customer,
            "source_records": SourceRecord,
            "events": Event,
            "consents": Consent,
            "imports": ImportBatch,
        }
        with self.engine.connect() as conn:
            return {
                name: conn.execute(select(func.count()).select_from(model)).scalar_one()
                for name, model in tables.items()
            }

    def save_copy(self, dest: str | os.PathLike) -> Path:
        """Write a consistent copy of the open workspace to ``dest`` (safe while in use)."""
        from omnidesk.core.exporting.outfiles import SIDECARS, is_database

        dest = Path(dest)
        if self.path is not None and dest.resolve() == self.path.resolve():
            raise WorkspaceError("Choose another file name: a copy cannot replace the open workspace.")
        if (dest.exists() and is_database(dest)) or dest.name.endswith(SIDECARS):
            raise WorkspaceError(f"Choose another file name: {dest.name} is a workspace (or part of one), "
                                 "and a copy never replaces one.")
        if not dialect.is_sqlite(self.engine):
            raise WorkspaceError("Save a Copy works on workspace files; use the database's own backup tools.")
        try:
            dialect.backup_sqlite(self.engine, dest)
        except OSError as exc:
            raise WorkspaceError(f"Could not write {dest}: {exc.strerror}.") from exc
        return dest

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
