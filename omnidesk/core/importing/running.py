"""An import tells the other windows it is running.

An import is one long transaction holding the workspace's write lock, and
rows written inside it are invisible to everyone else until it commits.  So
before it starts, the import commits its batch row on its own, with status
"running", the time and who started it ("app" or "command line"), where
another window or command that finds the workspace busy reads it and says so:
"the workspace is busy with an import (started 14:02 from the command line)".
Reads never wait for it (the workspace is in WAL mode); writes wait for it.

The import's own transaction then fills the batch in and marks it "done".  If
the import fails, is cancelled or is a dry run, the row is withdrawn again.  An
import whose process died (killed, or the computer switched off) leaves a
"running" row behind, and nothing else: its transaction never committed.  Every
reader tells such a row from a live import's the same way (:func:`is_dead`):
the list of imports shows it "interrupted", it is no import that added
anything, and the next import removes it.

Neither commit changes the workspace as a user sees it: each is marked in its
connection's ``info`` under :data:`RUNNING_ROW` ("announce" or "withdraw"), so
a command stopped by Ctrl-C mid-import can say truly that nothing was changed.
"""

from __future__ import annotations

import json
import os
import socket

from sqlalchemy import delete, insert, select

from omnidesk.core.models import ImportBatch, utcnow
from omnidesk.core.workspace import Workspace

# The key in a connection's ``info`` that marks the commit of an import's running row, not of a change.
RUNNING_ROW = "omnidesk.import.running_row"


def announce(ws: Workspace, values: dict) -> int:
    """Commit the batch row of an import about to start, as "running"; returns its id.

    ``values`` are the batch's columns; ``options_json`` gains who runs it.
    Raises WorkspaceBusyError (nothing written) when another import holds the lock.
    """
    table = ImportBatch.__table__
    options = json.loads(values.get("options_json") or "{}")
    options.update(by=ws.client, pid=os.getpid(), host=socket.gethostname())
    with ws.writing() as conn:
        conn.info[RUNNING_ROW] = "announce"
        _forget_dead(conn)
        return conn.execute(
            insert(table).values(**{**values, "options_json": json.dumps(options),
                                    "status": "running", "started_at": utcnow()})
        ).inserted_primary_key[0]


def withdraw(ws: Workspace, batch_id: int | None, *, wait: float | None = None) -> None:
    """Remove the "running" row of an import that did not finish (best effort); ``wait``: how long
    to wait for another writer (the workspace's busy timeout when None)."""
    if batch_id is None:
        return
    table = ImportBatch.__table__
    try:
        with ws.writing(wait) as conn:
            conn.info[RUNNING_ROW] = "withdraw"
            conn.execute(delete(table).where(table.c.id == batch_id, table.c.status == "running"))
    except Exception:  # noqa: BLE001 - the import's own error is the one to report
        # Left behind, the row is removed by the next import once this process has ended.
        pass


def is_dead(options_json: str | None) -> bool:
    """Whether a "running" row's import was started by a process on this computer that is gone."""
    try:
        options = json.loads(options_json or "{}")
    except ValueError:
        options = {}
    return options.get("host") == socket.gethostname() and not _alive(options.get("pid"))


# How a "running" row of an import whose process is gone is shown: it never finished.
INTERRUPTED = "interrupted"


def shown_status(status: str, options_json: str | None) -> str:
    """A batch's status as the list of imports shows it: "interrupted" for a "running"
    row whose process is gone (see :func:`is_dead`), else its status."""
    return INTERRUPTED if status == "running" and is_dead(options_json) else status


def dead_imports(conn) -> list[int]:
    """The ids of the "running" rows of imports whose process on this computer is gone."""
    table = ImportBatch.__table__
    return [batch_id for batch_id, options_json in conn.execute(
        select(table.c.id, table.c.options_json).where(table.c.status == "running")
    ) if is_dead(options_json)]


def _forget_dead(conn) -> None:
    """Delete "running" rows of imports whose process on this computer is gone."""
    table = ImportBatch.__table__
    stale = dead_imports(conn)
    if stale:
        conn.execute(delete(table).where(table.c.id.in_(stale)))


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """Whether ``pid`` has ended and only waits to be reaped (Linux says so in /proc)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
    except OSError:  # no /proc (macOS, Windows), or the process is gone meanwhile
        return False
    # "pid (name) state ...": the name may hold spaces and parentheses, the state follows the last ")".
    return stat[stat.rfind(b")") + 2:][:1] == b"Z"
