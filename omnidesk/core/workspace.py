"""A workspace: one business's data in one database (a SQLite file by default).

``Workspace.open`` is the only way in.  It checks what the file is without
changing it, refuses files that are not workspaces or come from a newer
omnidesk, backs the file up before migrating it, and hands back an object with
an engine and sessions.  PostgreSQL works through ``Workspace.open_url``.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import sqlite3
import threading
import weakref
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, func, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.pool import QueuePool
from sqlmodel import Session

from omnidesk.core import dialect, failures, held_files
from omnidesk.core.models import (
    HAND_KIND,
    Consent,
    Customer,
    Event,
    ImportBatch,
    Setting,
    SourceRecord,
    Suppression,
)

WORKSPACE_SUFFIX = ".omnidesk"


def with_workspace_suffix(path: Path) -> Path:
    """``path`` with the workspace ending added unless its name has it (in any case): "Shop v1.5"
    is "Shop v1.5.omnidesk", not a file named "Shop v1.5" that File › Open does not list."""
    return path if path.name.lower().endswith(WORKSPACE_SUFFIX) else path.with_name(path.name + WORKSPACE_SUFFIX)
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# The setting keeping the labels of channels the user named, as typed: {code: label}.
CHANNEL_LABELS = "channel_labels"

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


class DamagedWorkspaceError(WorkspaceError):
    """SQLite finds the file damaged: restore a backup or recover what can be read."""


def workspace_path_problem(path: str | os.PathLike) -> str | None:
    """Why a workspace path a person gave can be neither opened nor made, in a sentence; None when it can.

    An existing file is for opening to judge (it says when it is no workspace).  Anything
    else is where a new workspace would be made, and only a name ending in .omnidesk (in
    any case) in a folder that exists is one: ``x.csv`` stays a CSV file's name, and a
    mistyped folder is said, not made.  The default places (the data folder) are not asked
    about: omnidesk makes its own data folder.
    """
    path = Path(path)
    if path.is_dir():
        return f"{path} is a folder, not a workspace file; give a file in it, such as {path / 'shop.omnidesk'}"
    if path.exists() and path.stat().st_size > 0:
        return None
    if not path.name.lower().endswith(WORKSPACE_SUFFIX):
        return (f"{path} is not a workspace, and a new workspace's file name ends in {WORKSPACE_SUFFIX} "
                f"(such as {_suggested_name(path)}); nothing was created")
    folder = path.parent
    if not folder.exists():
        from omnidesk.core import paths

        if folder.resolve() == paths.data_dir().expanduser().resolve():
            return None  # omnidesk's own data folder, which it makes (a first run's demo goes there)
        return f"the folder {folder} does not exist; create it first, or give a workspace in a folder that does"
    if not folder.is_dir():
        return f"{folder} is not a folder, so no workspace can be made in it"
    return None


def _suggested_name(path: Path) -> str:
    """The workspace name to give instead of ``path``'s: a file type's ending swapped for the
    workspace's ("x.csv": "x.omnidesk"), any other name kept whole with it added, as the app adds
    it ("Shop v1.5": "Shop v1.5.omnidesk", not "Shop v1.omnidesk")."""
    ending = path.suffix[1:]
    if ending.isascii() and ending.isalpha() and len(ending) <= 5:
        return path.stem + WORKSPACE_SUFFIX
    return with_workspace_suffix(path).name


def backup_files(path: Path) -> list[Path]:
    """The copies of the workspace at ``path`` that omnidesk wrote next to it.

    One before each upgrade (``name.before-REV-TIME.omnidesk.bak``) and damaged
    files set aside when a backup was restored (``name.damaged-TIME.omnidesk.bak``),
    newest first.
    """
    path = Path(path)
    stem = glob.escape(path.stem)  # "Shop [2024]" is a name, not a pattern matching "Shop 2"
    found = [p for pattern in (f"{stem}.before-*{WORKSPACE_SUFFIX}.bak",
                               f"{stem}.damaged-*{WORKSPACE_SUFFIX}.bak")
             for p in path.parent.glob(pattern) if p.is_file()]
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


class ReadOnlyWorkspaceError(WorkspaceError):
    """The workspace can be read but not changed (a read-only file, folder or drive)."""


def _older_and_read_only(path: Path) -> str:
    return (f"{path.name} was made by an older omnidesk and must be upgraded, but it is "
            "read-only here; copy it somewhere you can write and open the copy.")


class WorkspaceBusyError(WorkspaceError):
    """Another window (or the command line) holds the workspace's write lock for too long."""


# Who is writing, as the other windows are told: "started 14:02 from the command line".
CLIENT_WORDS = {"app": "in the app", "command line": "from the command line"}

MAX_MIGRATION_BACKUPS = 3


def _alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@lru_cache(maxsize=1)
def _revisions() -> tuple[str, frozenset[str]]:
    """The newest revision and every revision of the migration scripts this version ships.

    Read once a process: every open of a workspace asks, reading the scripts costs
    about 50 ms, and they cannot change while the app or a command runs.
    """
    script = ScriptDirectory.from_config(_alembic_config())
    head = script.get_current_head()
    assert head is not None
    return head, frozenset(rev.revision for rev in script.walk_revisions())


def head_revision() -> str:
    """The newest schema revision this version of omnidesk knows."""
    return _revisions()[0]


def known_revisions() -> set[str]:
    return set(_revisions()[1])


def migration_backups(path: Path) -> list[Path]:
    """The copies kept from before migrations of the workspace at ``path``, oldest first."""
    found = path.parent.glob(f"{glob.escape(path.stem)}.before-*{WORKSPACE_SUFFIX}.bak")
    return sorted(found, key=lambda p: (p.stat().st_mtime_ns, p.name))


_STAMP = re.compile(r"-\d{8}-\d{6}(?:-\d+)?$")


def _backup_revision(path: Path, backup: Path) -> str:
    """What a migration backup of ``path`` was taken before ("0034", "consent-0037"), from its name."""
    middle = backup.name[len(f"{path.stem}.before-"):-len(f"{WORKSPACE_SUFFIX}.bak")]
    return _STAMP.sub("", middle)


def _prune_backups(path: Path, keep: int = MAX_MIGRATION_BACKUPS) -> list[Path]:
    """Delete the migration backups of ``path`` but the newest of each of the ``keep`` revisions last
    upgraded from; returns what went.  Copies of one revision never push out another's last copy."""
    kept: dict[str, Path] = {}
    gone = []
    for backup in reversed(migration_backups(path)):  # newest first
        revision = _backup_revision(path, backup)
        if revision in kept or len(kept) >= keep:
            gone.append(backup)
        else:
            kept[revision] = backup
    for old in gone:
        old.unlink(missing_ok=True)
    return gone


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _back_up_before(path: Path, revision: str) -> Path:
    """Copy the workspace at ``path`` next to itself before changing it (``name.before-REV-TIME``).

    When a copy taken before the same revision holds the same bytes (an upgrade that stopped,
    tried again on the unchanged file), that copy is kept and named instead of a second one.
    """
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.stem}.before-{revision}-{stamp}{WORKSPACE_SUFFIX}.bak")
    n = 1
    while backup.exists():  # another copy this second: never written over
        n += 1
        backup = path.with_name(f"{path.stem}.before-{revision}-{stamp}-{n}{WORKSPACE_SUFFIX}.bak")
    dialect.backup_file(path, backup)
    same_revision = [b for b in migration_backups(path) if b != backup and _backup_revision(path, b) == revision]
    if same_revision:
        size, digest = backup.stat().st_size, _file_digest(backup)
        for earlier in reversed(same_revision):  # newest first
            if earlier.stat().st_size == size and _file_digest(earlier) == digest:
                backup.unlink()
                return earlier
    return backup


class Workspace:
    """An open workspace.  Use :meth:`open`, :meth:`create` or :meth:`open_url`."""

    def __init__(self, engine: Engine, path: Path | None, *, readonly: bool = False) -> None:
        self.engine = engine
        self.path = path
        self.readonly = readonly
        self.backup_path: Path | None = None
        # What opening it changed that the user should hear ("Consent re-read from your imported
        # files: 3 customers now opted out"); "" when nothing.
        self.upgrade_note = ""
        # Who writes through this object, recorded on a running import so that another
        # window that finds the workspace busy can say by whom ("app" or "command line").
        self.client = "command line"
        self._engine_settings: dict = {"busy_timeout": dialect.DEFAULT_BUSY_TIMEOUT}
        self._watch = None  # a connection kept to ask SQLite whether the file changed (changed_since_last_look)
        self._data_version: int | None = None  # the look's mark: None until the first look
        self._outside = False  # a write of this process found another's commit since the mark: news
        self._watch_lock = threading.Lock()  # a summary's write looks from a worker thread
        # The file is noted as open through SQLite in this process until close() has closed every
        # connection (or this object is gone), so no raw read of it drops SQLite's locks (held_files).
        # It is known by what file it is, noted once SQLite has it open (made it, when it is new), so
        # that renaming it in the Finder meanwhile changes nothing.
        self._held = None
        self._held_token: int | None = None
        if path is not None:
            self._held_token = token = held_files.hold(path)
            self._held = weakref.finalize(self, held_files.release, token)
            event.listen(engine, "connect", lambda _dbapi, _record: held_files.identify(token))
        self.closed = False
        # An erase could not empty the write-ahead log (another window or command was reading): it
        # still holds copies of the erased rows, so the next write and the close try again.  Also
        # set when this object sees that another window or command erased someone (:meth:`_note_erasures`):
        # that one may have been kept from emptying it by a read of this one, and is gone since.
        self.log_held = False
        self._erasures: int | None = None  # the suppression list's newest entry at the last look
        self._look_for_erase = False  # a write of this process found another's commit: was it an erase?

    @property
    def busy_timeout(self) -> float:
        """Seconds a write waits for another process's lock before giving up."""
        return self._engine_settings["busy_timeout"]

    @busy_timeout.setter
    def busy_timeout(self, seconds: float) -> None:
        if seconds != self._engine_settings["busy_timeout"]:
            self._engine_settings["busy_timeout"] = seconds
            self.engine.dispose()  # pooled connections were made with the old value

    # -- opening -----------------------------------------------------------------

    @classmethod
    def create(cls, path: str | os.PathLike) -> Workspace:
        """Create a new, empty workspace file; refuses to overwrite an existing file."""
        path = Path(path)
        if path.exists() and path.stat().st_size > 0:
            raise WorkspaceError(f"{path} already exists; open it or choose another name.")
        return cls.open(path, create=True)

    @classmethod
    def open(cls, path: str | os.PathLike, *, create: bool = False, readonly: bool = False,
             busy_timeout: float = dialect.DEFAULT_BUSY_TIMEOUT) -> Workspace:
        """Open the workspace at ``path``.

        A missing file is created only when ``create`` is true.  A file that is
        not a workspace, is from a newer omnidesk, or whose schema cannot be
        told, raises and is left byte-for-byte untouched.  A workspace at the
        current schema is opened without writing anything to it; an older one
        is first copied next to itself (``backup_path`` says where; an identical
        copy from a try that stopped is named again, not made again) and migrated;
        once it is, only the newest copy of each of the :data:`MAX_MIGRATION_BACKUPS`
        revisions last upgraded from is kept.

        ``readonly`` opens for reading only: nothing is written, and no
        ``-wal``/``-shm`` file is left behind (see ``dialect.reading_uri``).  A
        read-write open of a file this process cannot change raises
        :class:`ReadOnlyWorkspaceError`.  ``busy_timeout`` is how long a write
        waits for another process's lock before giving up.
        """
        path = Path(path).expanduser()
        held_as = held_files.held_as(path)
        if held_as is not None and held_as != Path(os.path.abspath(path)):
            # Renamed (or linked) while open here: SQLite would look for its log beside the new name,
            # not beside the one in use, and read or write it wrong.
            raise WorkspaceError(
                f"{path.name} is already open in this app as {held_as.name} (it was renamed while open); "
                "close it there first, then open it by its new name. Nothing was changed."
            )
        if held_as is None and path.is_file() and dialect.is_wal_file(path) and held_files.open_by_another_name(path):
            # Its log is beside the name it was opened by: opening this name would start a second
            # log of the same file, and each side would lose the other's work.  Told before the file
            # is looked into: a reader of it would leave a -wal beside this name already.
            raise WorkspaceError(
                f"{path.name} is open in another window or command under another name (it was renamed "
                "or moved while open there); close it there, then open it by its new name. "
                "Nothing was changed."
            )
        state = dialect.inspect_file(path)
        if state.kind == "missing":
            if not create or readonly:
                raise WorkspaceError(f"There is no workspace at {path}.")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise WorkspaceError(f"Cannot create a workspace at {path}: {exc.strerror}.") from exc
        elif state.kind == "damaged":
            raise DamagedWorkspaceError(failures.damaged_message(path))
        elif state.kind == "unreadable":  # a full disk, a failing drive: nothing wrong with the file
            raise WorkspaceError(failures.unreadable_message(state.error, path))
        elif state.kind in ("not-sqlite", "foreign"):
            raise NotAWorkspaceError(
                f"{path.name} is not an omnidesk workspace ({state.detail}); it was not changed."
            )
        elif state.kind == "unknown":
            raise NewerWorkspaceError(
                f"{path.name} is from a newer or unknown version of omnidesk ({state.detail}); "
                "it was not opened and not changed."
            )
        elif state.revision is not None and state.revision not in known_revisions():
            raise NewerWorkspaceError(
                f"{path.name} was saved by a newer version of omnidesk (schema {state.revision}); "
                "update omnidesk to open it. The file was not changed."
            )
        current = state.kind == "workspace" and state.revision == head_revision()

        if readonly:
            if state.kind == "empty":
                # Made into a workspace only by a command that writes (an import): one that only reads
                # leaves the file as it is (a truncated copy, a cloud file not downloaded yet).
                raise NotAWorkspaceError(f"{path.name} is empty (0 bytes), not a workspace yet; "
                                         "it was not changed.")
            if not current:
                if not dialect.is_writable(path):
                    raise ReadOnlyWorkspaceError(_older_and_read_only(path))
                upgraded = cls.open(path, busy_timeout=busy_timeout)  # upgrade once, then read
                upgraded.close()
                ws = cls._open_for_reading(path, busy_timeout)
                ws.upgrade_note = upgraded.upgrade_note
                return ws
            ws = cls._open_for_reading(path, busy_timeout)
            if ws._consent_readers_behind() and dialect.is_writable(path):
                ws.close()  # its consent was read by older readers: read again once, then read
                upgraded = cls.open(path, busy_timeout=busy_timeout)
                upgraded.close()
                ws = cls._open_for_reading(path, busy_timeout)
                ws.upgrade_note = upgraded.upgrade_note
            return ws

        if not dialect.is_writable(path):
            if not current and state.kind == "workspace":  # the upgrade is what cannot be written first
                raise ReadOnlyWorkspaceError(_older_and_read_only(path))
            raise ReadOnlyWorkspaceError(
                f"the workspace {path.name} is read-only: it can be read, not changed "
                "(check the file's and its folder's permissions, or the drive)."
            )
        backup_path = None
        if not current and state.kind == "workspace" and state.has_tables:
            backup_path = _back_up_before(path, state.revision or "v0")

        engine = create_engine(dialect.file_url(path))
        ws = cls(engine, path)
        ws._engine_settings = dialect.configure_sqlite_engine(engine, busy_timeout=busy_timeout)
        ws.backup_path = backup_path
        try:
            if not current:
                ws._migrate()  # the consent re-read too, when it is due: one transaction
            if ws._consent_readers_behind():
                if backup_path is None and state.kind == "workspace" and state.has_tables:
                    ws.backup_path = _back_up_before(path, f"consent-{state.revision or 'v0'}")
                ws._reread_consents()
        except WorkspaceError:
            ws.close()
            raise
        except Exception as exc:
            ws.close()
            if failures.is_damaged(exc):
                raise DamagedWorkspaceError(failures.damaged_message(path)) from exc
            if failures.is_disk_full(exc):
                raise WorkspaceError(failures.disk_full_message(exc, path)) from exc
            raise WorkspaceError(failures.upgrade_failed_message(exc, path, ws.backup_path)) from exc
        if ws.backup_path is not None:  # upgraded: only now may older copies go
            _prune_backups(path)
        ws.show_channel_labels()
        return ws

    @classmethod
    def _open_for_reading(cls, path: Path, busy_timeout: float) -> Workspace:
        uri = dialect.reading_uri(path)
        engine = create_engine(
            dialect.file_url(path),
            creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False),
            poolclass=QueuePool,
        )
        ws = cls(engine, path, readonly=True)
        ws._engine_settings = dialect.configure_sqlite_engine(engine, busy_timeout=busy_timeout, readonly=True)
        ws.show_channel_labels()
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
        if current != head_revision():
            ws._migrate()
        if ws._consent_readers_behind():
            ws._reread_consents()
        ws.show_channel_labels()
        return ws

    def _migrate(self) -> None:
        """Bring the schema to head, mark the file, add missing settings and, when the consent facts
        were read by older readers, read them again (:meth:`_reread_consents`), in one transaction:
        a re-read that stops leaves the file as it was, not upgraded with its consent half read.

        Runs under the write lock from the start, so two processes opening an
        old workspace at once migrate it once: the second finds it current.
        """
        # Foreign keys off, as SQLite asks of a change that makes a table again: dropping the old
        # table with them on would first empty it, and the rows pointing at it would lose their
        # link (SET NULL) or go (CASCADE).  What a rebuild deleted gets those actions after, and
        # nothing may point nowhere when the migrations are done.
        with self.writing(foreign_keys=False) as conn:
            if MigrationContext.configure(conn).get_current_revision() == head_revision():
                return
            from omnidesk.core import migrations

            try:
                command.upgrade(_alembic_config(conn), "head")
                migrations.run_rebuilds(conn)  # what the migrations asked for, once, at head
                said = migrations.take_notes()
            finally:
                migrations.forget_rebuilds()
            dangling = dialect.settle_foreign_keys(conn)
            if dangling:
                raise WorkspaceError(f"Upgrading the workspace would leave rows of {', '.join(dangling)} "
                                     "pointing at rows that are gone; it was not upgraded.")
            dialect.mark_workspace(conn)
            existing = {row[0] for row in conn.execute(select(Setting.key))}
            missing = [
                {"key": k, "value": json.dumps(v)}
                for k, v in DEFAULT_SETTINGS.items()
                if k not in existing
            ]
            if missing:
                conn.execute(Setting.__table__.insert(), missing)
            from omnidesk.core.importing.backfill import consent_readers_behind, reread_consents

            if consent_readers_behind(conn):
                said = " ".join(filter(None, (said, reread_consents(conn).note())))
                dangling = dialect.settle_foreign_keys(conn)  # what its deletes would have done with keys on
                if dangling:
                    raise WorkspaceError(f"Reading consent again would leave rows of {', '.join(dangling)} "
                                         "pointing at rows that are gone; the workspace was not upgraded.")
            self.upgrade_note = said

    def _consent_readers_behind(self) -> bool:
        """Whether the consent facts were read from the imported rows by older readers than these."""
        from omnidesk.core.importing.backfill import consent_readers_behind

        try:
            with self.engine.connect() as conn:
                return consent_readers_behind(conn)
        except OperationalError:  # no settings table yet (an empty file opened for reading)
            return False

    def _reread_consents(self) -> None:
        """Read every imported row's consent again with this version's readers, once per change of
        them (``importing.backfill.reread_consents``), and keep what it changed to say."""
        from omnidesk.core.importing.backfill import consent_readers_behind, reread_consents

        with self.writing() as conn:
            if consent_readers_behind(conn):  # else another process did it meanwhile
                self.upgrade_note = reread_consents(conn).note()

    # -- writing -----------------------------------------------------------------

    def connect_for_writing(self, wait: float | None = None) -> Connection:
        """A connection whose transactions take the write lock when they begin.

        ``wait`` (seconds) overrides how long BEGIN waits for another writer.
        Use with ``with``; begin and end the transaction yourself, and turn a
        lock error into :meth:`busy_error`.
        """
        if self.readonly:
            raise self.readonly_error()
        conn = self.engine.connect()
        if dialect.is_sqlite(self.engine):
            if wait is not None:
                dialect.set_busy_timeout(conn, wait)
                conn.commit()  # the PRAGMA autobegan a (read) transaction: end it
            conn.execution_options(**{dialect.WRITE_OPTION: True})
        return conn

    @contextmanager
    def writing(self, wait: float | None = None, *, foreign_keys: bool = True) -> Iterator[Connection]:
        """One write transaction holding the write lock from its start.

        Waits up to ``wait`` seconds (default: the workspace's busy timeout) for
        another window's or the command line's write to finish; when it does
        not, raises :class:`WorkspaceBusyError` saying who holds the lock.
        Commits on success, rolls back on any error.  ``foreign_keys=False``
        is for schema migrations only: SQLite enforces no foreign key (and
        takes no ON DELETE action) in the transaction.
        """
        with self.connect_for_writing(wait) as conn:
            if not foreign_keys:
                dialect.set_foreign_keys(conn, False)
            try:
                with conn.begin():
                    self.before_own_commit()
                    yield conn
                self.after_own_commit()
                if self._look_for_erase:
                    self._look_for_erase = False
                    self._note_erasures()
            except OperationalError as exc:
                if dialect.is_lock_error(exc):
                    raise self.busy_error() from exc
                if dialect.is_readonly_error(exc):
                    raise self.readonly_error() from exc
                raise
            finally:
                if wait is not None and dialect.is_sqlite(self.engine):
                    conn.execution_options(**{dialect.WRITE_OPTION: False})
                    dialect.set_busy_timeout(conn, self.busy_timeout)
                    conn.rollback()
                if not foreign_keys:
                    dialect.set_foreign_keys(conn, True)
        if self.log_held:
            self.empty_log(0)

    def empty_log(self, wait: float) -> bool:
        """Fold the write-ahead log into the file and empty it, waiting up to ``wait`` seconds for
        other windows' and commands' reads to end; False (remembered in :attr:`log_held`, for the
        next write and the close to try again) when one still reads."""
        try:
            with self.own_change():  # the emptied log is no news to this window
                done = dialect.checkpoint(self.engine, wait=wait)
        except OperationalError as exc:
            if not dialect.is_lock_error(exc):
                raise
            done = False
        self.log_held = not done
        return done

    def moved_away(self, reopen: str = "open it where it is now") -> str | None:
        """When the workspace's file is no longer where it was opened (it, or its folder, was moved or
        deleted, or its drive removed), the sentence that says so; None while it is there.

        SQLite goes on writing to a file deleted or moved while open, by no name anyone will look
        for: a change is not made then (the window asks before each one).  One ``stat``."""
        if self.path is None or self.closed:
            return None
        path = Path(os.path.abspath(self.path))
        try:
            there = path.is_file()
        except OSError:
            there = False
        if there and not held_files.renamed(self._held_token):
            return None
        return failures.moved_message(path, reopen)

    def readonly_error(self) -> ReadOnlyWorkspaceError:
        name = self.path.name if self.path is not None else self.name
        return ReadOnlyWorkspaceError(f"the workspace {name} is read-only: it can be read, not changed.")

    def running_import(self) -> dict | None:
        """The newest import another process has announced as running, or None.

        ``{"file_name", "started_at" (UTC ISO), "by" ("app" | "command line")}``.
        A row left by an import whose process on this computer is gone is not
        one: whatever holds the lock, it is not that import.
        """
        from omnidesk.core.importing.running import is_dead

        table = ImportBatch.__table__
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(
                    select(table.c.file_name, table.c.started_at, table.c.options_json)
                    .where(table.c.status == "running").order_by(table.c.id.desc())
                ).all()
        except OperationalError:
            return None
        row = next((r for r in rows if not is_dead(r.options_json)), None)
        if row is None:
            return None
        try:
            by = json.loads(row.options_json or "{}").get("by", "")
        except ValueError:
            by = ""
        return {"file_name": row.file_name, "started_at": row.started_at, "by": by}

    def busy_error(self) -> WorkspaceBusyError:
        """The one line to show when the write lock could not be had in time."""
        running = self.running_import()
        if running is None:
            return WorkspaceBusyError(
                "the workspace is busy: another window or command is writing to it; try again in a moment"
            )
        when = self._local_time(running["started_at"])
        who = CLIENT_WORDS.get(running["by"], "in another window")
        return WorkspaceBusyError(
            f"the workspace is busy with an import (started {when} {who}); try again when it finishes"
        )

    def _local_time(self, utc_iso: str) -> str:
        """``HH:MM ZONE`` of a UTC instant on the shop's clock (the ``timezone`` setting, else this
        computer's); the zone is named, since the other window may be on another clock."""
        try:
            moment = datetime.fromisoformat(utc_iso)
        except (TypeError, ValueError):
            return "earlier"
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        zone = None
        name = str(self.get_setting("timezone") or "").strip()
        if name:
            try:
                zone = ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                zone = None
        return (moment.astimezone(zone) if zone is not None else moment.astimezone()).strftime("%H:%M %Z").strip()

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
        return self.get_settings([key], {key: default})[key]

    def get_settings(self, keys: Iterable[str], defaults: Mapping[str, object] | None = None) -> dict[str, object]:
        """Each of ``keys`` as :meth:`get_setting` reads it, its default taken from ``defaults``, all
        in one query: a form showing every setting opened a connection for each."""
        keys = list(keys)
        defaults = defaults or {}
        with self.engine.connect() as conn:
            stored = dict(conn.execute(select(Setting.key, Setting.value).where(Setting.key.in_(keys))).all())
        values: dict[str, object] = {}
        for key in keys:
            value = stored.get(key)
            if value is None:
                default = defaults.get(key)
                values[key] = default if default is not None else DEFAULT_SETTINGS.get(key)
            else:
                values[key] = json.loads(value)
        return values

    def show_channel_labels(self) -> None:
        """Show the channels the user named in this workspace as they typed them (channels.use_own_labels)."""
        from omnidesk.core.channels import use_own_labels

        labels = self.get_setting(CHANNEL_LABELS)
        use_own_labels(labels if isinstance(labels, dict) else {})

    def set_setting(self, key: str, value: object) -> None:
        table = Setting.__table__
        with self.writing() as conn:
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
            out = {
                name: conn.execute(select(func.count()).select_from(model)).scalar_one()
                for name, model in tables.items()
            }
            # The batch of hand entries is not an import.
            out["imports"] -= conn.execute(select(func.count()).select_from(ImportBatch)
                                           .where(ImportBatch.__table__.c.kind == HAND_KIND)).scalar_one()
            # Nor is one whose process was killed: it added nothing (importing.running).
            from omnidesk.core.importing.running import dead_imports

            out["imports"] -= len(dead_imports(conn))
            return out

    def check(self) -> None:
        """Read every page (SQLite's ``quick_check``); raises DamagedWorkspaceError when any is damaged."""
        if not dialect.is_sqlite(self.engine):
            return
        try:
            with self.engine.connect() as conn:
                problems = [r[0] for r in conn.exec_driver_sql("PRAGMA quick_check(1)")]
        except Exception as exc:
            if failures.is_damaged(exc):
                raise DamagedWorkspaceError(failures.damaged_message(self.path)) from None
            raise
        if problems != ["ok"]:
            raise DamagedWorkspaceError(failures.damaged_message(self.path))

    def save_copy(self, dest: str | os.PathLike) -> Path:
        """Write a consistent copy of the open workspace to ``dest`` (safe while in use)."""
        from omnidesk.core.errors import UserError
        from omnidesk.core.exporting.outfiles import SIDECARS, is_database

        dest = Path(dest)
        if self.path is not None and dest.resolve() == self.path.resolve():
            raise WorkspaceError("Choose another file name: a copy cannot replace the open workspace.")
        if (dest.exists() and is_database(dest)) or dest.name.endswith(SIDECARS):
            raise WorkspaceError(f"Choose another file name: {dest.name} is a workspace (or part of one), "
                                 "and a copy never replaces one.")
        if not dialect.is_sqlite(self.engine):
            raise WorkspaceError("Save a Copy works on workspace files; use the database's own backup tools.")
        moved = self.moved_away()
        # Its file gone from where it was opened: copied through the connection still open on it (the
        # look's), which reads it whatever became of its name; a new one would look where it was.
        source = self._watch if moved is not None else None
        if moved is not None and source is None:
            raise WorkspaceError(moved)
        try:
            if source is None:
                dialect.backup_sqlite(self.engine, dest)
            else:
                with self._watch_lock:  # the look asks it too, from the window's timer
                    dialect.backup_sqlite(self.engine, dest, source=source)
        except (OperationalError, sqlite3.Error) as exc:
            if moved is not None or (moved := self.moved_away()) is not None:
                raise WorkspaceError(moved) from exc
            raise
        except OSError as exc:
            raise WorkspaceError(f"Could not write {dest}: {exc.strerror}.") from exc
        except UserError as exc:  # a workspace took that name while the copy was written
            raise WorkspaceError(str(exc)) from None
        return dest

    def changed_since_last_look(self) -> bool:
        """True when another window or the command line committed to the workspace since the last
        call (False the first time).

        This object's own writes (:meth:`writing`, an import's transaction, :meth:`own_change`)
        are not news: each moves the mark past its own commit only.  Another's commit stays news
        even when this process wrote after it, so a window looks after each of its own changes
        too (one that wrote nothing, refused, hides nothing).  SQLite's ``data_version`` answers
        without reading a table; other databases say False.
        """
        with self._watch_lock:
            version = self._version()
            if version is None:
                return False
            last, self._data_version = self._data_version, version
            outside, self._outside = self._outside, False
            changed = last is not None and (version != last or outside)
        if last is None or changed:
            self._note_erasures()
        if self.log_held and not self.readonly:
            self._try_empty_log()
        return changed

    def _note_erasures(self) -> None:
        """Whether another window or command erased someone since the last look (the suppression
        list grew: every erase adds to it); then the write-ahead log may still hold copies of them
        (:attr:`log_held`), to be emptied at once, or at the next look, write or close while a read
        keeps it.

        The erase empties it itself, waiting a moment for readers; a read of this object's that
        outlasted that moment (a list read again, a count) kept the erased rows in the log and the
        file's old pages, and nothing else would fold them in while this object stays open: its
        own writes only add to a log that was never folded in whole.  The first look only takes
        the mark.
        """
        if self.engine.dialect.name != "sqlite" or self.readonly:
            return
        try:
            with self.engine.connect() as conn:
                mark = conn.execute(select(func.max(Suppression.__table__.c.id))).scalar() or 0
        except DatabaseError:  # a file gone or damaged: the next read says so, not this look or write
            return
        last, self._erasures = self._erasures, mark
        if last is not None and mark != last:
            self.log_held = True

    def _try_empty_log(self) -> None:
        """:meth:`empty_log` without waiting: a read still under way is left to finish, and the
        next look, write or close tries again."""
        try:
            self.empty_log(0)
        except DatabaseError:  # not a lock (a file gone or damaged, say): the next read or write says so
            pass

    def _version(self) -> int | None:
        """SQLite's ``data_version`` as the watching connection sees it; None where there is none.

        The one connection is kept open: asking costs one PRAGMA, no file opened, no table read.
        """
        if self.engine.dialect.name != "sqlite":
            return None
        try:
            if self._watch is None:
                self._watch = self.engine.raw_connection()
            cursor = self._watch.cursor()
            try:
                cursor.execute("PRAGMA data_version")
                return cursor.fetchone()[0]
            finally:
                cursor.close()
        except Exception:  # a file gone or damaged: the next read says so, not this look
            return None

    def before_own_commit(self) -> None:
        """Within a write holding the lock (no other commit can come in now): was anything committed
        since the last look?  Then that is news, whatever this write does.  :meth:`writing` calls
        it; so does a write with a transaction of its own (an import)."""
        if self._data_version is None:  # nobody looks (the command line): nothing to ask
            return
        with self._watch_lock:
            version = self._version()
            if version is not None and self._data_version is not None and version != self._data_version:
                self._outside = True
                self._look_for_erase = True

    def after_own_commit(self) -> None:
        """Right after this process's commit: the mark moves past it (what came before is kept as news)."""
        if self._data_version is None:
            return
        with self._watch_lock:
            if self._data_version is not None and (version := self._version()) is not None:
                self._data_version = version

    @contextmanager
    def own_change(self) -> Iterator[None]:
        """Around what this process does to the file outside :meth:`writing` that SQLite counts as a
        change (emptying the write-ahead log): not news to :meth:`changed_since_last_look`."""
        self.before_own_commit()
        yield
        self.after_own_commit()

    @contextmanager
    def writing_quietly(self, wait: float | None = None) -> Iterator[Connection]:
        """:meth:`writing`, for what this process keeps for itself (the Dashboard's summaries, the
        product index): like every write of this process, not news to :meth:`changed_since_last_look`.

        A window told "the workspace was changed outside this window" after its own Dashboard
        first summed an import.
        """
        with self.writing(wait) as conn:
            yield conn

    def close(self) -> None:
        if self.log_held and not self.readonly:
            try:  # the last connection's close folds the log in too, but another may still be open
                self.empty_log(0)
            except OperationalError:
                pass
        self.closed = True
        if self._watch is not None:
            self._watch.close()
            self._watch = None
        if not self.readonly and held_files.renamed(self._held_token) and self.engine.pool.checkedin():
            # Renamed while open (in the Finder, say): SQLite does not fold its log into the file when
            # it closes a moved file, and nobody opening it by its new name would read that log.  Done
            # through a connection already open on it: a new one would open (or make) the old name.
            try:
                dialect.checkpoint(self.engine)
            except OperationalError:  # still read by another process by the old name: it folds it
                pass
        self.engine.dispose()
        # A read still on its way as the window moves on may ask a closed workspace for a connection:
        # where the file was moved or deleted meanwhile, SQLite would make an empty one in its place.
        event.listen(self.engine, "do_connect", self._refuse_making_a_file)
        if self._held is not None:
            self._held()  # after the connections: only now may a descriptor of the file be closed

    def _refuse_making_a_file(self, *_args) -> None:
        if self.path is not None and not self.path.exists():
            raise WorkspaceError(f"{self.name} was closed and is no longer at {self.path.parent}; "
                                 "nothing was read or changed.")

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def keep_channel_label(conn: Connection, code: str, label: str | None) -> None:
    """Keep ``label``, a channel of the user's own as they typed it (channels.own_channel_label),
    as its code's label in the workspace (``CHANNEL_LABELS``), in the caller's transaction; None
    keeps what was kept.  The channel shows so once the caller has committed
    (channels.keep_own_label)."""
    if not label:
        return
    table = Setting.__table__
    raw = conn.execute(select(table.c.value).where(table.c.key == CHANNEL_LABELS)).scalar()
    labels = json.loads(raw) if raw else {}
    if not isinstance(labels, dict) or labels.get(code) == label:
        return
    labels[code] = label
    value = json.dumps(labels, ensure_ascii=False)
    if raw is None:
        conn.execute(table.insert().values(key=CHANNEL_LABELS, value=value))
    else:
        conn.execute(table.update().where(table.c.key == CHANNEL_LABELS).values(value=value))
