"""What a command stopped by Ctrl-C may truthfully say: whether it had saved a change to its workspace.

A write is saved when SQLite's COMMIT returns; Ctrl-C can land before that (the
transaction is rolled back: the workspace was not changed) or after it, even in
the closing of the workspace that follows (the change is there, whole).  Each
commit of a transaction that changed rows of the command's workspace is noted
when it is asked for, and counted as saved once the connection is out of its
transaction: :func:`saved` asks that when the interrupt is told.  Python runs the
interrupt between two steps of Python code, never inside SQLite's COMMIT, so
the answer is either side of the commit, never in between.

An import commits its "running" row before it starts and withdraws it when it
stops (see ``running``): neither is a change of the workspace's.  Those two
commits are marked so and never told as saved: a row left behind (its withdrawal could not get
the write lock) reads as an import that never finished once the process has ended.
"""

from __future__ import annotations

import os
from pathlib import Path

INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for a command stopped by Ctrl-C

_CHANGES_AT_BEGIN = "omnidesk.interrupts.changes"

_target: str | None = None
# (SQLite connection, what its commit was) whose commit of a change was asked for, not yet seen done;
# what it was: None for a change, else an import's "announce" or "withdraw" of its running row.
_pending: list = []
_saved = False


def message(saved_a_change: bool) -> str:
    if saved_a_change:
        return ("omnidesk: interrupted; the change saved to the workspace before the interrupt is kept whole, "
                "and nothing was half-written.")
    return "omnidesk: interrupted; the workspace was not changed."


def watch(workspace: Path | None) -> None:
    """Note, from now on, the commits that change ``workspace`` (never a scratch file beside it)."""
    global _target, _saved
    _target = os.path.realpath(workspace) if workspace is not None else None
    _saved = False
    _pending.clear()
    if _target is None:
        return
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from sqlalchemy.pool import Pool

    if not event.contains(Engine, "commit", _on_commit):
        event.listen(Engine, "begin", _on_begin)
        event.listen(Engine, "commit", _on_commit)
        event.listen(Engine, "rollback", _on_rollback)
        event.listen(Pool, "reset", _on_reset)
        event.listen(Pool, "checkin", _on_checkin)


def saved() -> bool:
    """Whether a change to the watched workspace has been committed.  An import's running row left
    behind (its withdrawal could not get the write lock) is none: once this process has ended it
    reads as an import that never finished, and nothing of the import is in the workspace."""
    _settle()
    return _saved


def workspace_removed() -> None:
    """The command removed the workspace it had made (nothing was imported into it): nothing it
    wrote there is left."""
    global _saved
    _pending.clear()
    _saved = False


def _settle() -> None:
    global _saved
    for entry in list(_pending):
        raw, what = entry
        try:
            open_transaction = raw.in_transaction
        except Exception:  # noqa: BLE001 - closed before its COMMIT ran (the interrupt came first)
            _pending.remove(entry)
            continue
        if not open_transaction:
            if what is None:  # an import's running row, announced or withdrawn, is no change
                _saved = True
            _pending.remove(entry)


def _pending_on(raw) -> list:
    return [entry for entry in _pending if entry[0] is raw]


def _sqlite(conn):
    """The SQLite connection under ``conn`` when it works on the watched workspace, else None."""
    if _target is None or conn.engine.dialect.name != "sqlite" or conn.invalidated:
        return None
    database = conn.engine.url.database
    if not database or os.path.realpath(database) != _target:
        return None
    try:
        return conn.connection.dbapi_connection
    except Exception:  # noqa: BLE001 - an invalidated connection writes nothing
        return None


def _on_begin(conn) -> None:
    raw = _sqlite(conn)
    if raw is not None:
        conn.info[_CHANGES_AT_BEGIN] = raw.total_changes


def _on_commit(conn) -> None:
    from omnidesk.core.importing.running import RUNNING_ROW

    _settle()
    raw = _sqlite(conn)
    if raw is None:
        return
    what = conn.info.pop(RUNNING_ROW, None)
    before = conn.info.pop(_CHANGES_AT_BEGIN, None)
    if before is not None and raw.total_changes != before and raw.in_transaction:
        _pending.append((raw, what))


def _on_rollback(conn) -> None:
    from omnidesk.core.importing.running import RUNNING_ROW

    raw = _sqlite(conn)  # None once the interrupt has invalidated it: closed, its transaction gone
    if raw is not None:
        conn.info.pop(RUNNING_ROW, None)
        conn.info.pop(_CHANGES_AT_BEGIN, None)
        if raw.in_transaction:  # its COMMIT failed or never ran: nothing saved
            for entry in _pending_on(raw):
                _pending.remove(entry)
    _settle()


def _on_reset(dbapi_connection, *_) -> None:
    """Before the pool rolls back what a connection handed back left open: a COMMIT asked for on it
    and not run (the interrupt came first) saved nothing."""
    try:
        if dbapi_connection.in_transaction:
            for entry in _pending_on(dbapi_connection):
                _pending.remove(entry)
    except Exception:  # noqa: BLE001 - closed: the settling below drops it
        pass
    _settle()


def _on_checkin(dbapi_connection, _record) -> None:
    _settle()
