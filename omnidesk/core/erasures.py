"""Whether anyone was erased since a mark was read: an undo history older than an erase may hold
what the erase took (a deleted segment's rule naming their email, notes with their phone taken
back), so it must not be replayed once someone was erased, whichever window or command did it.

The mark is the suppression list's newest entry (``suppression``): every erase adds to it (at
the least the hash of each row it removed) and nothing ever takes from it, so a higher mark says
someone was erased since.  :class:`ErasureWatch` checks it inside each write transaction, after
the write lock is taken: an erase either committed before (and the write is refused) or waits
for the write and then takes out whatever the write put back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from omnidesk.core.errors import UserError
from omnidesk.core.models import Suppression


class ErasedSince(UserError):
    """Someone was erased since the mark was read: the write was refused, nothing changed."""


def erasure_mark(conn: Connection) -> int:
    """The suppression list's newest entry (0 when nobody was ever erased)."""
    return conn.execute(select(func.max(Suppression.__table__.c.id))).scalar() or 0


def current_mark(ws) -> int:
    """:func:`erasure_mark` of the workspace as it is committed now."""
    with ws.engine.connect() as conn:
        return erasure_mark(conn)


class ErasureWatch:
    """A workspace whose writes are refused (:class:`ErasedSince`) once someone was erased since
    ``mark``: pass it to a core write that takes a workspace, as ``journal.JournaledWorkspace``.

    Everything else is the workspace's own.
    """

    def __init__(self, workspace, mark: int) -> None:
        self._workspace = workspace
        self.mark = mark

    def __getattr__(self, name: str):
        return getattr(self._workspace, name)

    @contextmanager
    def writing(self, wait: float | None = None, **options) -> Iterator[Connection]:
        with self._workspace.writing(wait, **options) as conn:
            if erasure_mark(conn) != self.mark:
                raise ErasedSince("A person was erased since (in another window or command); nothing was changed.")
            yield conn
