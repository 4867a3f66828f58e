"""What a command stopped by Ctrl-C may truthfully say: whether it had saved a change to its workspace.

A write is saved when SQLite's COMMIT returns; Ctrl-C can land before that (the
transaction is rolled back: the workspace was not changed) or after it, even in
the closing of the workspace that follows (the change is there, whole).  Each
commit of a transaction that changed rows of the command's workspace is noted
when it is asked for, and counted as saved once the connection is out of its
transaction: :func:`saved` asks that when the interrupt is told.  Python runs the
interrupt between two steps of Python code, never inside SQLite's COMMIT, so
the answer is either side of the commit, never in between.
"""

from __future__ import annotations

import os
from pathlib import Path

INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for a command stopped by Ctrl-C

_CHANGES_AT_BEGIN = "omnidesk.interrupts.changes"

_target: str | None = None
_pending: list = []  # SQLite connections whose commit of a change was asked for, not yet seen done
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
    """Whether a change to the watched workspace has been committed."""
    _settle()
    return _saved


def _settle() -> None:
    global _saved
    for raw in list(_pending):
        try:
            open_transaction = raw.in_transaction
        except Exception:  # noqa: BLE001 - closed before its COMMIT ran (the interrupt came first)
            _pending.remove(raw)
            continue
        if not open_transaction:
            _saved = True
            _pending.remove(raw)


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
    _settle()
    raw = _sqlite(conn)
    if raw is None:
        return
    before = conn.info.pop(_CHANGES_AT_BEGIN, None)
    if before is not None and raw.total_changes != before and raw.in_transaction:
        _pending.append(raw)


def _on_rollback(conn) -> None:
    raw = _sqlite(conn)  # None once the interrupt has invalidated it: closed, its transaction gone
    if raw is not None:
        conn.info.pop(_CHANGES_AT_BEGIN, None)
        if raw in _pending and raw.in_transaction:  # its COMMIT failed or never ran: nothing saved
            _pending.remove(raw)
    _settle()


def _on_reset(dbapi_connection, *_) -> None:
    """Before the pool rolls back what a connection handed back left open: a COMMIT asked for on it
    and not run (the interrupt came first) saved nothing."""
    try:
        if dbapi_connection in _pending and dbapi_connection.in_transaction:
            _pending.remove(dbapi_connection)
    except Exception:  # noqa: BLE001 - closed: the settling below drops it
        pass
    _settle()


def _on_checkin(dbapi_connection, _record) -> None:
    _settle()
