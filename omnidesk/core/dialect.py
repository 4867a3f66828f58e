"""Everything that only SQLite has, behind one small module.

The rest of the core speaks portable SQLAlchemy so a team can point the same
app at PostgreSQL.  Pragmas, the file marker, file inspection, the online
backup and (later) FTS5 search live here, each with a portable fallback or a
clear "not on this database" path.
"""

from __future__ import annotations

from contextlib import contextmanager

import json
import os
from functools import lru_cache
import socket
import sqlite3
import unicodedata
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

from sqlalchemy import Boolean, String, event
from sqlalchemy.engine import URL, Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from omnidesk.core import held_files
from omnidesk.core.text import fold_case, strip_accents, visible

# PRAGMA application_id marks a SQLite file as an omnidesk workspace ("OMND").
APPLICATION_ID = 0x4F4D4E44
SQLITE_MAGIC = b"SQLite format 3\x00"
# omnidesk never sets PRAGMA user_version; a file with one comes from something newer.
KNOWN_USER_VERSION = 0


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


DEFAULT_BUSY_TIMEOUT = 10.0  # seconds a write waits for another window's import to finish

# An execution option that makes a connection's transactions take the write lock at BEGIN.
WRITE_OPTION = "omnidesk_write"


def configure_sqlite_engine(engine: Engine, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
                            readonly: bool = False) -> dict:
    """Pragmas on every new connection, and real transactions.

    pysqlite's own transaction handling starts transactions late and never for
    SELECT; SQLAlchemy's documented recipe takes over so that a unit of work is
    one BEGIN ... COMMIT, including the reads it depends on.  A connection
    marked for writing (``WRITE_OPTION``) begins with BEGIN IMMEDIATE: in WAL
    mode a transaction that reads first and writes later fails at once, without
    waiting, when another process committed in between; taking the write lock
    up front makes it wait (up to ``busy_timeout``) instead.

    A read-only engine sets nothing that writes (no journal mode change) and
    refuses writes with ``query_only``.  Returns the settings new connections
    read (``{"busy_timeout": seconds}``); change it and dispose the pool to apply.
    """
    settings = {"busy_timeout": busy_timeout}

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # pragma: no cover - trivial glue
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute(f"PRAGMA busy_timeout={int(settings['busy_timeout'] * 1000)}")
        cur.execute("PRAGMA foreign_keys=ON")
        if readonly:
            cur.execute("PRAGMA query_only=ON")
        else:
            # Already WAL (every workspace is made so at creation): this reads, it does not write.
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        # Freed space is overwritten, not left holding old bytes: an erased person (or the
        # earlier spellings a golden record went through) must not be readable in the file.
        # Many builds have it on already; the cost did not show in the import benchmark.
        cur.execute("PRAGMA secure_delete=ON")
        # 16 MB of page cache (the default is 2 MB): a 50,000-row import runs ~15 % faster
        # for ~13 MB more memory; 64 MB gained little more and cost 50 MB.
        cur.execute("PRAGMA cache_size=-16384")
        # Big sorts (building an index after a bulk write, a GROUP BY over every record) take
        # helper threads on the other cores: a million records' row-hash, identifier and
        # name-place indexes build in 30 % less time with one helper on two cores.
        cur.execute(f"PRAGMA threads={_SORT_HELPERS}")
        cur.close()
        dbapi_connection.create_function("od_casefold", 1, _casefold, deterministic=True)
        dbapi_connection.create_function("od_search_fold", 1, search_fold_text, deterministic=True)
        dbapi_connection.create_function("od_fold_case", 1, _fold_case, deterministic=True)
        dbapi_connection.create_function("od_money_text", 2, _money_text, deterministic=True)
        dbapi_connection.create_function("od_wall_utc", 2, _wall_utc)
        dbapi_connection.create_function("od_instant_utc", 2, _instant_utc)
        dbapi_connection.create_function("od_bought", 3, _bought, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # pragma: no cover - trivial glue
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE_OPTION) else "BEGIN")

    return settings


def _bought(summary: str | None, details_json: str | None, key: str) -> int:
    """1 when a purchase holds a product whose folded name contains ``key`` (already folded), read
    as the product index reads it (segments/items.py): for purchases not in the index."""
    from omnidesk.core.products import product_key, products_of

    return int(any(key in product_key(name) for name in products_of(summary, details_json)))


def _sort_helpers() -> int:
    return min(4, max(0, (os.cpu_count() or 1) - 1))


_SORT_HELPERS = _sort_helpers()


def set_busy_timeout(connection, seconds: float) -> None:
    """How long this connection waits for another writer's lock (SQLite; no-op elsewhere)."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA busy_timeout={int(seconds * 1000)}")


def busy_timeout(connection) -> float | None:
    if connection.dialect.name != "sqlite":
        return None
    return connection.exec_driver_sql("PRAGMA busy_timeout").scalar() / 1000


def set_foreign_keys(connection, on: bool) -> None:
    """Turn SQLite's foreign key enforcement on or off for this connection (no-op elsewhere).

    SQLite ignores the setting inside a transaction, so it goes straight to the
    driver's connection, outside the transaction SQLAlchemy would begin.
    """
    if connection.dialect.name == "sqlite":
        connection.connection.driver_connection.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def settle_foreign_keys(connection) -> list[str]:
    """After writes with foreign keys off: what ON DELETE would have done, done now.

    A row whose parent row is gone loses the reference (``SET NULL``) or goes
    too (``CASCADE``), again for rows that pointed at those, as SQLite does with
    foreign keys on.  Returns the tables still holding rows that point at no
    row (a key without such an action): nothing to guess there.  SQLite only;
    elsewhere foreign keys are never off.
    """
    if connection.dialect.name != "sqlite":
        return []
    while True:
        dangling = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        actions: dict[tuple[str, str, str], list[int]] = {}
        left: set[str] = set()
        for table, rowid, _parent, fkid in dangling:
            keys = {row[0]: row for row in connection.exec_driver_sql(f'PRAGMA foreign_key_list("{table}")')}
            action = keys[fkid][6].upper() if fkid in keys else ""
            if rowid is None or action not in ("SET NULL", "CASCADE"):
                left.add(table)
            else:
                actions.setdefault((table, action, keys[fkid][3]), []).append(rowid)
        if not actions:
            return sorted(left)
        for (table, action, column), rowids in actions.items():
            sql = (f'DELETE FROM "{table}" WHERE rowid = ?' if action == "CASCADE"
                   else f'UPDATE "{table}" SET "{column}" = NULL WHERE rowid = ?')
            connection.exec_driver_sql(sql, [(r,) for r in rowids])


def is_lock_error(exc: BaseException) -> bool:
    """Whether ``exc`` says another connection holds the lock ("database is locked" / busy)."""
    orig = getattr(exc, "orig", exc)
    if not isinstance(orig, sqlite3.OperationalError):
        return False
    text = str(orig).lower()
    return "database is locked" in text or "database is busy" in text or "database table is locked" in text


def is_readonly_error(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", exc)
    return isinstance(orig, sqlite3.OperationalError) and "readonly database" in str(orig).lower()


def mark_workspace(connection) -> None:
    """Stamp the file as ours (SQLite only).  A write: call it at creation or migration only."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")


def is_writable(path: Path) -> bool:
    """Whether this process may change the workspace file and create files beside it.

    SQLite writes a ``-wal`` and ``-shm`` next to the file, so the folder must be
    writable too.  A read-only mount says no here even to root.
    """
    folder = path.parent if str(path.parent) else Path(".")
    if path.exists() and not os.access(path, os.W_OK):
        return False
    return os.access(folder, os.W_OK | os.X_OK)


def is_wal_file(path: Path) -> bool:
    # Never open()/close() here: a Workspace of this process may have the file open (held_files).
    header = held_files.read_head(path, 20)
    # Bytes 18 and 19 are the file format's write and read versions: 2 means WAL.
    return len(header) == 20 and header[18] == 2


def file_url(path: str | os.PathLike) -> URL:
    """The SQLAlchemy URL of the workspace file at ``path``, its name taken as it is.

    Never ``f"sqlite:///{path}"``: that text is read as a link, so a name holding ``%20`` would
    open the file with a space in its name instead, and one holding ``?`` a file named by what
    comes before it.
    """
    return URL.create("sqlite", database=os.fspath(path))


def reading_uri(path: Path) -> str:
    """A SQLite URI that reads ``path`` without changing it and leaves no file behind.

    - A file in rollback-journal mode: ``mode=ro`` (readers create nothing).
    - A WAL file we could write: read-write, with the caller setting
      ``query_only``.  A ``mode=ro`` reader of a WAL file creates ``-wal`` and
      ``-shm`` but, being read-only, cannot remove them when it closes; a
      read-write connection removes them as the last one out, exactly as the
      app does, and never writes the database file when it only reads.
    - A WAL file we cannot write (a read-only file, folder or mount):
      ``immutable=1``, which creates nothing, unless a ``-wal`` with committed
      pages is already there (a writer did not finish checkpointing): then
      ``mode=ro`` reads them through the existing ``-shm``.
    """
    uri = path.resolve().as_uri()
    if not is_wal_file(path):
        return uri + "?mode=ro"
    if is_writable(path):
        return uri + "?mode=rw"
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        return uri + "?mode=ro"
    return uri + "?immutable=1"


@dataclass(frozen=True)
class FileState:
    """What a file on disk is, found without changing a byte of it."""

    kind: str  # "missing" | "empty" | "workspace" | "foreign" | "not-sqlite" | "damaged" | "unknown" | "unreadable"
    revision: str | None = None
    detail: str = ""
    has_tables: bool = False  # any table besides alembic_version
    error: BaseException | None = field(default=None, compare=False)  # why an "unreadable" file could not be read


def _remove_empty_logs_made(beside: list[Path], there_before: list[bool]) -> None:
    """Remove the ``-wal`` and ``-shm`` a failed read made beside a workspace, when the log holds
    nothing: they were not there before it, and a reader that fails cannot remove them itself."""
    wal, shm = beside
    if any(there_before):
        return  # someone else's (a window, an import): theirs to remove
    try:
        if os.path.lexists(wal) and os.lstat(wal).st_size > 0:
            return  # a writer came meanwhile and wrote to it: it stays
        for made in (wal, shm):
            made.unlink(missing_ok=True)
    except OSError:
        pass


def inspect_file(path: Path) -> FileState:
    """Look at ``path`` read-only and say whether it is an omnidesk workspace.

    Opens the file through :func:`reading_uri` with ``query_only``, so neither
    the bytes nor the journal mode change, whatever the verdict.  A workspace
    whose schema version cannot be told (no version, several versions, a
    ``user_version`` we never wrote) is "unknown".
    """
    if not path.exists():
        return FileState("missing")
    if path.is_dir():
        return FileState("not-sqlite", detail="it is a folder")
    size = path.stat().st_size
    if size == 0:
        return FileState("empty")
    # Read without dropping this process's SQLite locks on it: the window may have this very file
    # open (File > Open Recent lists it first), see held_files.
    head = held_files.read_head(path, len(SQLITE_MAGIC))
    if head != SQLITE_MAGIC:
        return FileState("not-sqlite", detail="it is not a SQLite database")
    beside = [Path(f"{path}{suffix}") for suffix in ("-wal", "-shm")]
    there_before = [os.path.lexists(f) for f in beside]
    try:
        con = sqlite3.connect(reading_uri(path), uri=True)
    except sqlite3.Error as exc:  # pragma: no cover - unreadable file system object
        return FileState("not-sqlite", detail=str(exc))
    failure: sqlite3.DatabaseError | None = None
    try:
        con.execute("PRAGMA query_only=ON")
        app_id = con.execute("PRAGMA application_id").fetchone()[0]
        user_version = con.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        versions: list[str] = []
        if "alembic_version" in tables:
            versions = [r[0] for r in con.execute("SELECT version_num FROM alembic_version")]
    except sqlite3.DatabaseError as exc:
        failure = exc
    finally:
        con.close()
    if failure is not None:
        from omnidesk.core import failures

        if failures.is_damaged(failure):
            return FileState("damaged", detail=str(failure))
        # Not the file's fault: the disk is full (the shared-memory file beside a WAL workspace,
        # which even a reader makes, could not be grown) or the drive failed.  A reader that
        # stopped there could not remove the log files it made; nothing is in them.
        _remove_empty_logs_made(beside, there_before)
        return FileState("unreadable", detail=str(failure), error=failure)
    has_tables = bool(tables - {"alembic_version"})
    if app_id == APPLICATION_ID:
        if user_version > KNOWN_USER_VERSION:
            return FileState("unknown", detail=f"it says it is format {user_version}", has_tables=has_tables)
        if len(versions) > 1:
            return FileState("unknown", detail=f"it names {len(versions)} schema versions at once",
                             has_tables=has_tables)
        if not versions and has_tables:
            return FileState("unknown", detail="its tables carry no schema version", has_tables=True)
        return FileState("workspace", revision=versions[0] if versions else None, has_tables=has_tables)
    if not tables:
        return FileState("empty")
    return FileState("foreign", detail="it is a SQLite database of another program", has_tables=has_tables)


def backup_sqlite(engine: Engine, dest: Path, *, source=None) -> None:
    """Copy the live database to ``dest`` with SQLite's online backup API.

    Safe while the workspace is open and in use: the backup sees one
    consistent snapshot, including what is still in the WAL.  Written under a
    new name of its own beside ``dest`` (nothing already there is touched) and
    renamed onto ``dest`` only if no database took that name meanwhile.
    ``source``, a raw connection already open on it, is read instead of a new
    one of the engine's (and left open).
    """
    from omnidesk.core.exporting.outfiles import written_beside

    dest.parent.mkdir(parents=True, exist_ok=True)
    with written_beside(dest, overwrite=True) as tmp:
        raw = engine.raw_connection() if source is None else source
        try:
            target = sqlite3.connect(tmp)
            try:
                raw.driver_connection.backup(target)
                # A copy is a standalone file: fold it back to rollback-journal mode.
                target.execute("PRAGMA journal_mode=DELETE")
            finally:
                target.close()
        finally:
            if source is None:
                raw.close()
            Path(f"{tmp}-journal").unlink(missing_ok=True)  # left only by a copy that failed


def backup_file(path: Path, dest: Path) -> None:
    """Online-backup a workspace file that is not open yet (before migrating it)."""
    source = sqlite3.connect(reading_uri(path), uri=True)
    try:
        source.execute("PRAGMA query_only=ON")
        target = sqlite3.connect(dest)
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")  # a standalone file, no -wal beside it
        finally:
            target.close()
    finally:
        source.close()


# -- customer search (FTS5 on SQLite; the caller falls back to LIKE elsewhere) ---------

SEARCH_TABLE = "customer_fts"
SEARCH_TABLES_PREFIX = SEARCH_TABLE  # FTS5 adds customer_fts_data, _idx, _config, ...


def executemany(connection, sql: str, rows: list[tuple]) -> None:
    """Run ``sql`` (``?`` placeholders) once per row, straight through the driver.

    Core's executemany builds a parameter dict per row in Python; for the
    hundreds of thousands of rows a full resolve writes, that costs more than
    the database's own work.
    """
    if not rows:
        return
    if connection.dialect.paramstyle != "qmark":
        sql = sql.replace("?", "%s")
    connection.exec_driver_sql(sql, rows)


def fetch_ints(connection, query) -> array:
    """The first column of ``query``'s rows, as an array of 64-bit ints.

    Read straight from the driver's cursor: a million ids as result rows cost
    three times the time and many times the memory of the array they end in.
    """
    result = connection.execute(query)
    try:
        return array("q", (row[0] for row in result.cursor))
    finally:
        result.close()


def raw_rows(connection, query):
    """``query``'s rows as the driver's plain tuples, for columns of plain types only.

    Iterating the driver's cursor skips the per-row ``fetchone`` and row
    objects of a Core result; over the hundreds of thousands of rows a full
    resolve reads that is a large share of the reading.  No result processing
    happens, so only columns that need none (text, integers, reals) may be
    selected.  Closes the result when the rows run out or the caller stops.
    """
    result = connection.execute(query)
    try:
        yield from result.cursor
    finally:
        result.close()


def has_customer_search(connection) -> bool:
    return connection.dialect.name == "sqlite"


def create_customer_search(connection) -> None:
    """A trigram FTS5 index over customers: substring search on names, emails and phones."""
    if not has_customer_search(connection):
        return
    connection.exec_driver_sql(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {SEARCH_TABLE} "
        "USING fts5(name, email, phone, tokenize='trigram')"
    )


def drop_customer_search(connection) -> None:
    if has_customer_search(connection):
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {SEARCH_TABLE}")


def index_customers(connection, rows: list[tuple[int, str, str, str]], *, unindexed: bool = False) -> None:
    """Replace the search entries of these customers: (id, names, emails, phones).

    ``unindexed``: the caller knows none of them has an entry yet (see
    :func:`last_indexed_customer`), so there is nothing to delete first.
    """
    if not has_customer_search(connection) or not rows:
        return
    if not unindexed:
        connection.exec_driver_sql(f"DELETE FROM {SEARCH_TABLE} WHERE rowid = ?", [(r[0],) for r in rows])
    connection.exec_driver_sql(
        f"INSERT INTO {SEARCH_TABLE} (rowid, name, email, phone) VALUES (?, ?, ?, ?)", rows
    )


def last_indexed_customer(connection) -> int:
    """The highest customer id with a search entry (0 when none has one).

    Customers above it have no entry to replace: after a first import or a
    rebuild from scratch that is every customer, and deleting an absent entry
    costs FTS5 nearly as much as writing one.
    """
    if not has_customer_search(connection):
        return 0
    return connection.exec_driver_sql(
        f"SELECT rowid FROM {SEARCH_TABLE} ORDER BY rowid DESC LIMIT 1").scalar() or 0


@contextmanager
def indexes_suspended(connection, names: Sequence[str]):
    """Drop these indexes for a bulk rewrite and build them again afterwards, in the same transaction.

    Rewriting most rows of a table while it keeps secondary indexes costs an
    index update per row and column; building an index once from the final
    rows is a single sort.  Only SQLite (whose DDL is transactional and whose
    index definitions are kept as SQL) does this; elsewhere it does nothing.
    """
    with _schema_suspended(connection, "index", names):
        yield


_THREAD_CACHE = -2048  # KiB: SQLite's default page cache, for indexes built beside other work


class DeferredIndexes:
    """Indexes a bulk write dropped, built again later in the same transaction (SQLite).

    :func:`indexes_deferred` gives one.  The caller builds now those it needs
    now (:meth:`build`); a long stretch of Python that does not touch the
    connection (the resolver's comparing of a big first import) may have the
    others built meanwhile on a second thread, on the same connection
    (:meth:`start` and :meth:`wait`): SQLite's work runs beside the Python's on
    the other core.  Whatever is left, :meth:`build` without names builds.
    """

    def __init__(self, connection, saved: list[tuple[str, str]]) -> None:
        self.connection = connection
        self.pending: dict[str, str] = dict(saved)  # name -> its CREATE INDEX, in the order dropped
        self.thread = None
        self.error: BaseException | None = None

    def build(self, names: Sequence[str] | None = None) -> None:
        """Build these indexes now (all those still pending without ``names``), if they are pending."""
        self.wait()
        for name in list(self.pending) if names is None else names:
            sql = self.pending.pop(name, None)
            if sql is not None:
                self.connection.exec_driver_sql(sql)

    def start(self, keep: Sequence[str] = ()) -> None:
        """Build the pending indexes but ``keep`` on a second thread.  Until :meth:`wait`, the
        connection is that thread's: the caller must not use it."""
        import threading

        names = [n for n in self.pending if n not in keep]
        if not names or self.thread is not None:
            return
        cursor = self.connection.connection.driver_connection.cursor()
        statements = [self.pending.pop(n) for n in names]

        def run() -> None:
            try:
                # With the page cache and the sorter's memory held to SQLite's default (2 MB), the
                # sorting done meanwhile does not add to the memory the comparing holds at its peak.
                (cache,) = cursor.execute("PRAGMA cache_size").fetchone()
                cursor.execute(f"PRAGMA cache_size={_THREAD_CACHE}")
                try:
                    for sql in statements:
                        cursor.execute(sql)
                finally:
                    cursor.execute(f"PRAGMA cache_size={int(cache)}")
            except BaseException as exc:  # raised in the caller's thread, at wait()
                self.error = exc
            finally:
                cursor.close()

        self.thread = threading.Thread(target=run, name="index-builds", daemon=True)
        self.thread.start()

    def wait(self) -> None:
        """The connection is the caller's again once the thread's indexes are built; its error is raised."""
        error = self.stop()
        if error is not None:
            raise error

    def stop(self) -> BaseException | None:
        """Wait for the thread, whatever became of it (the transaction is rolling back); returns its error."""
        thread, self.thread = self.thread, None
        if thread is not None:
            thread.join()
        error, self.error = self.error, None
        return error


@contextmanager
def indexes_deferred(connection, names: Sequence[str]):
    """:func:`indexes_suspended`, with the building again left to the caller (:class:`DeferredIndexes`):
    what is still pending at the end is built then.  On an error nothing is built (the transaction
    rolls back, the drop with it), but a thread still building is waited for first."""
    saved = _drop_schema(connection, "index", names) if connection.dialect.name == "sqlite" and names else []
    deferred = DeferredIndexes(connection, saved)
    try:
        yield deferred
    except BaseException:
        deferred.stop()
        raise
    deferred.build()


@contextmanager
def triggers_suspended(connection, names: Sequence[str]):
    """Drop these triggers for a bulk rewrite and create them again afterwards, in the same transaction.

    Yields the names of those that were there (none off SQLite): the caller
    then does in one statement what they would have done row by row.
    """
    with _schema_suspended(connection, "trigger", names) as dropped:
        yield dropped


@contextmanager
def _schema_suspended(connection, kind: str, names: Sequence[str]):
    if connection.dialect.name != "sqlite" or not names:
        yield []
        return
    saved = _drop_schema(connection, kind, names)
    yield [name for name, _ in saved]
    # Not on an error: the transaction rolls back, and the drop with it.
    for _, sql in saved:
        connection.exec_driver_sql(sql)


def _drop_schema(connection, kind: str, names: Sequence[str]) -> list[tuple[str, str]]:
    """Drop those of these indexes or triggers that exist; returns (name, the SQL that makes it again)."""
    marks = ",".join("?" for _ in names)
    saved = connection.exec_driver_sql(
        f"SELECT name, sql FROM sqlite_master WHERE type = ? AND sql IS NOT NULL AND name IN ({marks})",
        (kind, *names)).fetchall()
    for name, _ in saved:
        connection.exec_driver_sql(f'DROP {kind.upper()} "{name}"')
    return saved


def compact_customer_search(connection) -> None:
    """Rewrite the search index without the entries of deleted customers (SQLite).

    FTS5 marks a deleted row's terms as deleted and keeps them in older index
    segments until a merge; after an erase nothing of the person may stay.
    """
    if has_customer_search(connection):
        connection.exec_driver_sql(f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}) VALUES ('optimize')")


def remove_workspace_files(path: Path) -> None:
    """Delete a workspace file together with its write-ahead log and shared-memory files."""
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)


def open_elsewhere(path: Path) -> bool:
    """Whether another connection (a window, a command, an import under way) has the workspace at
    ``path`` open, so that renaming or replacing the file would take it away from under them.

    An exclusive lock is granted only when no other connection has the file open; it is given
    up again at once.  Closing this last connection folds the write-ahead log into the file.
    A file SQLite cannot open or read as a database is nobody's: False.
    """
    try:
        con = sqlite3.connect(path, timeout=0.5, isolation_level=None)
    except sqlite3.Error:
        return False
    try:
        con.execute("PRAGMA locking_mode=EXCLUSIVE")
        con.execute("BEGIN EXCLUSIVE")
        con.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            return True
    except sqlite3.DatabaseError:
        pass  # not a readable database: nothing of anyone's to keep
    finally:
        con.close()
    return False


def _this_process(options_json: str | None) -> bool:
    try:
        options = json.loads(options_json or "{}")
    except ValueError:
        return False
    return isinstance(options, dict) and options.get("pid") == os.getpid() \
        and options.get("host") == socket.gethostname()


def remove_if_still_empty(path: Path) -> bool:
    """Delete the workspace at ``path`` (a command made it moments ago) if nothing was ever
    imported into it; whether it was deleted.

    Another process may have opened the new file meanwhile and imported into it (an import
    started beside this one, the app): its data stays.  Checked with the write lock held, so
    nothing commits between the look and the delete.
    """
    try:
        db = sqlite3.connect(path, timeout=5)
    except sqlite3.Error:
        return False
    try:
        db.execute("BEGIN IMMEDIATE")
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        used = any(db.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone()  # noqa: S608 - fixed names
                   for table in ("customer", "source_record", "campaign", "message", "saved_segment",
                                 "suppression", "asset")
                   if table in tables)
        if not used and "import_batch" in tables:
            # An import of this process's own that Ctrl+C stopped before its running row could be
            # taken away imported nothing; any other import row is another's work.
            used = any(not (status == "running" and _this_process(options))
                       for status, options in db.execute("SELECT status, options_json FROM import_batch"))
        if used:
            db.rollback()
            return False
        remove_workspace_files(path)  # under the lock: nobody wrote since the look
        db.rollback()
        return True
    except sqlite3.Error:
        return False
    finally:
        db.close()


def checkpoint(engine, mode: str = "TRUNCATE", wait: float | None = None) -> bool:
    """Copy the write-ahead log into the database file and empty it (SQLite; no-op elsewhere).

    ``PASSIVE`` copies what it can without waiting for readers: run before a big
    write, it lets a write that then fails on a full disk be followed by a
    ``TRUNCATE`` that gives all the log's space back.

    Returns False when another connection's read (or write) kept it from finishing: the log
    still holds what it held.  ``wait``: the seconds to wait for them, instead of the
    connection's busy timeout.
    """
    if engine.dialect.name != "sqlite":
        return True
    assert mode in ("PASSIVE", "FULL", "RESTART", "TRUNCATE")
    with engine.connect() as connection:
        before = busy_timeout(connection) if wait is not None else None
        if wait is not None:
            set_busy_timeout(connection, wait)
        try:
            busy = connection.exec_driver_sql(f"PRAGMA wal_checkpoint({mode})").first()[0]
        finally:
            if before is not None:
                set_busy_timeout(connection, before)
    return not busy


def clear_customer_search(connection) -> None:
    """Empty the search index at once (SQLite), before every customer's entry is written anew.

    Made again rather than emptied: FTS5 takes a row out of an index that keeps its own
    text (as this one does) one row at a time, reading each row's words back to do it.
    """
    if has_customer_search(connection):
        drop_customer_search(connection)
        create_customer_search(connection)


def unindex_customers(connection, ids: list[int]) -> None:
    if has_customer_search(connection) and ids:
        connection.exec_driver_sql(f"DELETE FROM {SEARCH_TABLE} WHERE rowid = ?", [(i,) for i in ids])


def search_query(text: str) -> str | None:
    """The FTS5 MATCH expression for what a user typed, or None when it cannot use the index.

    Trigram tokens need at least three characters per term.  A phone typed in
    any format ("(415) 555") is searched as its digits in the phone column.
    """
    import re

    # A zero-width space or soft hyphen pasted with the name is not searched for: the index holds
    # names without them (golden._search_name).
    text = visible(text).strip()
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 3 and re.fullmatch(r"[\d\s()+.\-/]+", text):
        # A national trunk "0" (UK, EU) or an international "00" is not part of the stored digits.
        variants = [digits]
        stripped = digits[2:] if digits.startswith("00") else digits[1:] if digits.startswith("0") else ""
        if len(stripped) >= 3:
            variants.append(stripped)
        return "phone : (" + " OR ".join(f'"{v}"' for v in variants) + ")"
    # Names are indexed without accents too (see golden._search_rows): so is what is typed.
    # Terms are ANDed in any order, so "Smith, John" finds John Smith.
    terms = [t for t in re.split(r"[\s,;]+", strip_accents(text)) if t]
    if not terms or any(len(t) < 3 for t in terms):
        return None
    return " AND ".join('"' + t.replace('"', '""') + '"' for t in terms)


def reserve_ids(connection, table, count: int, above: int = 0) -> list[int] | None:
    """Primary keys for ``count`` new rows of ``table``, or None to let the database assign them.

    On SQLite the import holds the write lock for its whole transaction, so
    max(id)+1.. is safe, and explicit ids let the rows go through the driver's
    fast executemany instead of an INSERT ... RETURNING per batch.  Databases
    with sequences assign ids themselves.  ``above``: the ids start past it
    too (ids a rebuild must not hand to someone else).  So do they past the
    highest id an AUTOINCREMENT table ever held (:func:`highest_id_ever`):
    its rows' ids are never given twice.
    """
    if connection.dialect.name != "sqlite" or count <= 0:
        return None
    start = _first_free_id(connection, table, above)
    return list(range(start, start + count))


def _first_free_id(connection, table, above: int = 0) -> int:
    """The first id :func:`reserve_ids` gives (SQLite)."""
    from sqlalchemy import func, select

    return max(connection.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one(), above,
               highest_id_ever(connection, table.name)) + 1


def highest_id_ever(connection, table_name: str) -> int:
    """The highest id an AUTOINCREMENT table of SQLite ever held, rows deleted since included; else 0.

    SQLite keeps it in ``sqlite_sequence``, which exists once such a table does.
    """
    if connection.dialect.name != "sqlite" or connection.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'").first() is None:
        return 0
    return connection.exec_driver_sql(
        "SELECT seq FROM sqlite_sequence WHERE name = ?", (table_name,)).scalar() or 0


def insert_copies(connection, table, row: dict, count: int, above: int = 0) -> range | None:
    """Insert ``count`` rows of ``table`` equal to ``row`` but for their new ids; returns the ids.

    One statement generates the rows inside SQLite (a recursive CTE counting
    the ids), instead of a parameter tuple per row from Python.  None where
    that is not possible (another database): the caller inserts them itself.
    ``above`` as for :func:`reserve_ids`.  The ids are a range: as a list, a
    million of them would be some 36 MB.
    """
    if connection.dialect.name != "sqlite" or count <= 0:
        return None
    start = _first_free_id(connection, table, above)
    columns = list(row)
    connection.exec_driver_sql(
        "WITH RECURSIVE n(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
        f"INSERT INTO {table.name} (id, {', '.join(columns)}) SELECT i{', ?' * len(columns)} FROM n",
        (start, start + count - 1, *row.values()))
    return range(start, start + count)


def insert_many(connection, table, rows: list[dict]) -> None:
    """Insert ``rows`` (dicts with the same keys) in bulk.

    When the rows name every column but the primary key, they go to the
    driver's executemany as tuples; Core would build and process a parameter
    dict per row first, a tenth of an import's time.  Otherwise (defaults to
    fill in, another database) Core does it.
    """
    if not rows:
        return
    columns = list(rows[0])
    missing = [c.name for c in table.columns if c.name not in columns and not c.primary_key]
    if connection.dialect.paramstyle != "qmark" or missing:
        from sqlalchemy import insert

        connection.execute(insert(table), rows)
        return
    executemany(connection, f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                [tuple(row[c] for c in columns) for row in rows])


def insert_tuples(connection, table, columns: Sequence[str], rows: list[tuple]) -> None:
    """:func:`insert_many` for rows given as tuples in the order of ``columns``.

    A row per record as a dict, turned back into a tuple for the driver, cost
    more than the insert itself at a million rows; callers that build their
    rows in bulk give them as tuples.
    """
    if not rows:
        return
    missing = [c.name for c in table.columns if c.name not in columns and not c.primary_key]
    if connection.dialect.paramstyle != "qmark" or missing:
        insert_many(connection, table, [dict(zip(columns, r)) for r in rows])
        return
    executemany(connection, f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                rows)


# Parameters in one statement of several rows: SQLite's limit before 3.32, which some builds keep.
_MAX_PARAMETERS = 999
_MAX_ROWS_A_STATEMENT = 256


def insert_tuples_in_bulk(connection, table, columns: Sequence[str], rows: list[tuple]) -> None:
    """:func:`insert_tuples` with many rows a statement (``INSERT ... VALUES (...), (...)``) on SQLite.

    An executemany runs the statement once per row, and each run costs about
    as much again as the row's own insert for a narrow table: an import's
    millions of identifiers and consent facts go in a few hundred a statement,
    in the same order (so the ids SQLite gives them are the same too).
    """
    if not rows:
        return
    missing = [c.name for c in table.columns if c.name not in columns and not c.primary_key]
    if connection.dialect.name != "sqlite" or connection.dialect.paramstyle != "qmark" or missing:
        insert_tuples(connection, table, columns, rows)
        return
    per = max(1, min(_MAX_ROWS_A_STATEMENT, _MAX_PARAMETERS // len(columns)))
    one = f"({', '.join('?' * len(columns))})"
    head = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES "
    whole = len(rows) // per * per
    if whole:
        flat = chain.from_iterable
        connection.exec_driver_sql(head + ", ".join([one] * per),
                                   [tuple(flat(rows[start:start + per])) for start in range(0, whole, per)])
    if whole < len(rows):
        connection.exec_driver_sql(head + one, rows[whole:])


def insert_rows_in_bulk(connection, target: str, width: int, rows: Sequence[tuple]) -> None:
    """``INSERT INTO target VALUES`` for rows of ``width`` values, a few hundred rows a statement.

    ``target`` is a table name, with its column list where the rows do not give
    every column in order.  SQLite only (multi-row VALUES with ``?``): for the
    temporary tables bulk writes stage their rows in.
    """
    per = max(1, min(_MAX_ROWS_A_STATEMENT, _MAX_PARAMETERS // width))
    one = f"({', '.join('?' * width)})"
    whole = len(rows) // per * per
    if whole:
        flat = chain.from_iterable
        connection.exec_driver_sql(f"INSERT INTO {target} VALUES " + ", ".join([one] * per),
                                   [tuple(flat(rows[start:start + per])) for start in range(0, whole, per)])
    if whole < len(rows):
        connection.exec_driver_sql(f"INSERT INTO {target} VALUES {one}", list(rows[whole:]))


# From this many rows an UPDATE through a staging table beats a statement per row.
_STAGED_UPDATE_ROWS = 2_000


def set_column_by_id(connection, table, column: str, rows: Sequence[tuple]) -> None:
    """``UPDATE table SET column = value WHERE id = row_id`` for every ``(value, row_id)`` in ``rows``.

    Each id appears once in ``rows``.  On SQLite, many rows go first into a
    temporary table, a few hundred a statement, then one ``UPDATE`` takes
    them in: an executemany runs the whole UPDATE once per row, which cost
    about as much again as the rows' own rewrite when a full resolve places a
    million records.  The table's triggers and foreign keys fire per row
    either way.
    Elsewhere, or for a few rows, a statement per row.
    """
    if not rows:
        return
    name = table if isinstance(table, str) else table.name
    if connection.dialect.name != "sqlite" or len(rows) < _STAGED_UPDATE_ROWS:
        executemany(connection, f"UPDATE {name} SET {column} = ? WHERE id = ?", list(rows))
        return
    stage = "temp.set_column_stage"
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {stage}")
    connection.exec_driver_sql(f"CREATE TABLE {stage} (id INTEGER PRIMARY KEY, value)")
    try:
        insert_rows_in_bulk(connection, f"{stage} (value, id)", 2, rows)
        # The staged ids lead: each row is found by its id.  Written as ``UPDATE ... FROM``, the
        # planner (no statistics on a temporary table) scanned the whole table for every
        # statement and looked each row up among the staged ids instead: placing a million
        # records in parts of 50,000 visited twenty million rows (5.9 s against 2.1 s of CPU).
        connection.exec_driver_sql(
            f"UPDATE {name} SET {column} = (SELECT s.value FROM {stage} AS s WHERE s.id = {name}.id) "
            f"WHERE id IN (SELECT id FROM {stage})")
    finally:
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {stage}")


def insert_tuples_returning_ids(connection, table, columns: Sequence[str], rows: list[tuple]) -> list[int]:
    """:func:`insert_returning_ids` for rows given as tuples in the order of ``columns``."""
    if not rows:
        return []
    ids = reserve_ids(connection, table, len(rows))
    if ids is None:
        return insert_returning_ids(connection, table, [dict(zip(columns, r)) for r in rows])
    executemany(connection, f"INSERT INTO {table.name} (id, {', '.join(columns)}) VALUES (?{', ?' * len(columns)})",
                [(new_id, *r) for new_id, r in zip(ids, rows)])
    return ids


def insert_returning_ids(connection, table, rows: list[dict]) -> list[int]:
    """Insert ``rows`` in bulk and return their ids in order."""
    from sqlalchemy import insert

    if not rows:
        return []
    ids = reserve_ids(connection, table, len(rows))
    if ids is not None:
        columns = list(rows[0])
        executemany(connection, f"INSERT INTO {table.name} (id, {', '.join(columns)}) "
                                f"VALUES (?{', ?' * len(columns)})",
                    [(new_id, *(row[c] for c in columns)) for row, new_id in zip(rows, ids)])
        return ids
    result = connection.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
    return [r[0] for r in result]


# -- SQL expressions that differ per database ---------------------------------------
# Two small expressions compiled per dialect, so the one timeline query runs on
# SQLite (the workspace file) and PostgreSQL alike.


def _casefold(value):
    return value.casefold() if isinstance(value, str) else value


class casefold(FunctionElement):
    """Text folded for comparing in any case, in every alphabet (``ÉMILIE`` is ``émilie``).

    SQLite's own ``lower()`` folds A-Z only; every workspace connection has
    ``od_casefold`` (Python's ``str.casefold``) instead.  PostgreSQL's ``lower()``
    knows Unicode already.
    """

    type = String()
    inherit_cache = True


@compiles(casefold)
def _casefold_default(element, compiler, **kw):
    return "lower(%s)" % compiler.process(element.clauses, **kw)


@compiles(casefold, "sqlite")
def _casefold_sqlite(element, compiler, **kw):
    return "od_casefold(%s)" % compiler.process(element.clauses, **kw)


def _fold_case(value):
    return fold_case(value) if isinstance(value, str) else value


class text_fold(FunctionElement):
    """Text as a segment rule compares it (:func:`omnidesk.core.text.fold_case`): any case, one
    Unicode form, Turkish İ and ı as "i"; fold what is typed with ``fold_case`` too.  SQLite calls
    ``od_fold_case``; PostgreSQL normalizes and lowers itself (its ``lower`` keeps İ and ı)."""

    type = String()
    inherit_cache = True


@compiles(text_fold)
def _text_fold_default(element, compiler, **kw):
    return "lower(%s)" % compiler.process(element.clauses, **kw)


@compiles(text_fold, "postgresql")
def _text_fold_pg(element, compiler, **kw):
    return "lower(normalize(%s, NFC))" % compiler.process(element.clauses, **kw)


@compiles(text_fold, "sqlite")
def _text_fold_sqlite(element, compiler, **kw):
    # ASCII (as many characters as UTF-8 bytes: most names, every email) is folded by SQLite's own
    # lower(), the rest by Python: a rule over 100,000 customers counts faster than with Python's
    # casefold on every row.
    text = compiler.process(element.clauses, **kw)
    return (f"(CASE WHEN length({text}) = length(CAST({text} AS BLOB)) THEN lower({text}) "
            f"ELSE od_fold_case({text}) END)")


def search_fold_text(value):
    """``value`` as a search compares it: case folded and in one Unicode form (NFC), so "Crème" a Mac
    export wrote decomposed (``e`` and a combining accent) is the "crème" typed whole."""
    if not isinstance(value, str):
        return value
    if value.isascii():
        return value.lower()
    return unicodedata.normalize("NFC", value.casefold())


class search_fold(FunctionElement):
    """Text as a search compares it (:func:`search_fold_text`): fold what is typed with
    :func:`search_fold_text` too.  SQLite calls ``od_search_fold``; PostgreSQL normalizes itself."""

    type = String()
    inherit_cache = True


@compiles(search_fold)
def _search_fold_default(element, compiler, **kw):
    return "lower(%s)" % compiler.process(element.clauses, **kw)


@compiles(search_fold, "postgresql")
def _search_fold_pg(element, compiler, **kw):
    return "lower(normalize(%s, NFC))" % compiler.process(element.clauses, **kw)


@compiles(search_fold, "sqlite")
def _search_fold_sqlite(element, compiler, **kw):
    return "od_search_fold(%s)" % compiler.process(element.clauses, **kw)


def _money_text(minor, currency):
    from omnidesk.core.money import format_money

    return format_money(minor, currency) if isinstance(minor, int) else None


class money_text(FunctionElement):
    """An amount in minor units as a line shows it, ``money.format_money``: ``money_text(minor,
    currency)`` is "1,234.50 USD" ("1,234.50" with no currency, "5,080 JPY" in a currency without
    cents), NULL for no amount.  SQLite calls
    ``od_money_text``; PostgreSQL formats it itself."""

    type = String()
    inherit_cache = True


@compiles(money_text)
def _money_text_sqlite(element, compiler, **kw):
    minor, currency = list(element.clauses)
    return "od_money_text(%s, %s)" % (compiler.process(minor, **kw), compiler.process(currency, **kw))


@compiles(money_text, "postgresql")
def _money_text_pg(element, compiler, **kw):
    from omnidesk.core.money import ZERO_DECIMAL

    minor, currency = (compiler.process(c, **kw) for c in element.clauses)
    whole = ", ".join(f"'{code}'" for code in sorted(ZERO_DECIMAL))
    return (f"(to_char({minor} / 100.0, CASE WHEN mod({minor}, 100) = 0 AND upper({currency}) IN ({whole}) "
            f"THEN 'FM999,999,999,999,999,990' ELSE 'FM999,999,999,999,999,990.00' END) "
            f"|| CASE WHEN coalesce({currency}, '') = '' THEN '' ELSE ' ' || {currency} END)")


def _wall_utc(text, zone_key):
    return _wall_clock_utc()(text, _zone_of(zone_key))


@lru_cache(maxsize=1)
def _wall_clock_utc():
    from omnidesk.core.timeutil import wall_clock_utc

    return wall_clock_utc


@lru_cache(maxsize=64)
def _zone_of(zone_key):
    from zoneinfo import ZoneInfo

    try:
        return ZoneInfo(zone_key) if zone_key else None
    except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        return None


def _instant_utc(text, zone_key):
    from omnidesk.core.timeutil import day_or_instant_utc

    return day_or_instant_utc(text, _zone_of(zone_key)) or None


class instant_utc(FunctionElement):
    """A time as given (a sign-up's, a consent fact's) as the instant it names, in naive UTC text, like
    ``timeutil.day_or_instant_utc``: ``instant_utc(column, zone_key)``.  One with an offset is that
    instant; one without is on the shop's clock (``zone_key``, an IANA name; "": the computer's own), a
    day alone that day's start there; NULL when unreadable.  SQLite calls ``od_instant_utc``.
    """

    type = String()
    inherit_cache = True


@compiles(instant_utc)
def _instant_utc_sqlite(element, compiler, **kw):
    text, zone_key = list(element.clauses)
    return "od_instant_utc(%s, %s)" % (compiler.process(text, **kw), compiler.process(zone_key, **kw))


@compiles(instant_utc, "postgresql")
def _instant_utc_pg(element, compiler, **kw):
    text, zone_key = (compiler.process(c, **kw) for c in element.clauses)
    fmt = "'YYYY-MM-DD\"T\"HH24:MI:SS'"
    return (f"CASE WHEN length({text}) > 10 AND {text} ~ '(Z|[+-][0-9][0-9](:?[0-9][0-9])?(:[0-9][0-9])?)$' "
            f"THEN to_char(CAST({text} AS timestamptz) AT TIME ZONE 'UTC', {fmt}) "
            f"ELSE to_char((CAST({text} AS timestamp) AT TIME ZONE coalesce(nullif({zone_key}, ''), "
            f"current_setting('TimeZone'))) AT TIME ZONE 'UTC', {fmt}) END")


class wall_utc(FunctionElement):
    """A time stored without an offset (on the shop's clock) as naive UTC text, like
    ``timeutil.wall_clock_utc``: ``wall_utc(column, zone_key)``, the zone an IANA name ("" : the
    computer's own).  SQLite calls ``od_wall_utc`` (Python's zoneinfo); PostgreSQL converts itself.
    """

    type = String()
    inherit_cache = True


@compiles(wall_utc)
def _wall_utc_sqlite(element, compiler, **kw):
    text, zone_key = list(element.clauses)
    return "od_wall_utc(%s, %s)" % (compiler.process(text, **kw), compiler.process(zone_key, **kw))


@compiles(wall_utc, "postgresql")
def _wall_utc_pg(element, compiler, **kw):
    text, zone_key = list(element.clauses)
    local = "CAST(%s AS timestamp)" % compiler.process(text, **kw)
    zone = compiler.process(zone_key, **kw)
    # "" : the connection's own zone, the computer's as this app runs it.
    return ("to_char((%s AT TIME ZONE coalesce(nullif(%s, ''), current_setting('TimeZone'))) AT TIME ZONE 'UTC', "
            "'YYYY-MM-DD\"T\"HH24:MI:SS')" % (local, zone))


class utc_text(FunctionElement):
    """An ISO timestamp column as naive UTC ``YYYY-MM-DDTHH:MM:SS`` (like timeutil.to_utc)."""

    type = String()
    inherit_cache = True


@compiles(utc_text)
def _utc_text_sqlite(element, compiler, **kw):
    # SQLite's strftime understands "+HH:MM"/"Z" suffixes and converts them to UTC;
    # naive values stay as they are and a bare date becomes midnight.
    return "strftime('%%Y-%%m-%%dT%%H:%%M:%%S', %s)" % compiler.process(element.clauses, **kw)


@compiles(utc_text, "postgresql")
def _utc_text_pg(element, compiler, **kw):
    arg = compiler.process(element.clauses, **kw)
    return ("to_char(CAST(%s AS timestamptz) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS')" % arg)


class json_created_at(FunctionElement):
    """The ``created_at`` value of a record's ``values_json`` (text; NULL when absent)."""

    type = String()
    inherit_cache = True


@compiles(json_created_at)
def _created_at_sqlite(element, compiler, **kw):
    return "json_extract(%s, '$.created_at')" % compiler.process(element.clauses, **kw)


@compiles(json_created_at, "postgresql")
def _created_at_pg(element, compiler, **kw):
    return "(CAST(%s AS json) ->> 'created_at')" % compiler.process(element.clauses, **kw)


class summaries_kept_here(FunctionElement):
    """True where the Dashboard's summaries are kept by triggers (SQLite), false elsewhere.

    A query that reads them falls back to the rows themselves where this is false.
    """

    type = Boolean()
    inherit_cache = True


@compiles(summaries_kept_here)
def _summaries_sqlite(element, compiler, **kw):
    return "1"


@compiles(summaries_kept_here, "postgresql")
def _summaries_pg(element, compiler, **kw):
    return "false"


class json_item(FunctionElement):
    """Item ``index`` of a JSON array held as text (negative: from the end); NULL when absent."""

    type = String()
    inherit_cache = True


@compiles(json_item)
def _json_item_sqlite(element, compiler, **kw):
    text, index = list(element.clauses)
    n = index.value
    return "json_extract(%s, '$[%s]')" % (compiler.process(text, **kw), f"#{n}" if n < 0 else n)


@compiles(json_item, "postgresql")
def _json_item_pg(element, compiler, **kw):
    text, index = list(element.clauses)
    return "(CAST(%s AS json) ->> %d)" % (compiler.process(text, **kw), int(index.value))


class order_number(FunctionElement):
    """An order event's order number, from its ``details_json`` (NULL when it has none).

    Written exactly as the index of orders by channel and number has it (migration 0028),
    so that a lookup by it reads that index."""

    type = String()
    inherit_cache = True


@compiles(order_number)
def _order_number_sqlite(element, compiler, **kw):
    return "json_extract(%s, '$.order_id')" % compiler.process(element.clauses, **kw)


@compiles(order_number, "postgresql")
def _order_number_pg(element, compiler, **kw):
    return "(CAST(%s AS json) ->> 'order_id')" % compiler.process(element.clauses, **kw)
