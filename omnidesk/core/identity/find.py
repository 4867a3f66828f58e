"""Find Duplicates: the whole-workspace resolve as long work the GUI and CLI share.

A progress generator (see ``omnidesk.core.tasks``): the GUI runs it on its task
runner, the CLI iterates it.  The whole resolve is one transaction; cancelling
rolls it back and leaves the workspace as it was.
"""

from __future__ import annotations

from collections.abc import Generator

from omnidesk.core.changes import Changes
from omnidesk.core.identity.resolve import ResolveStats, model_from_settings, resolve_all
from omnidesk.core.tasks import CancelCheck, Cancelled, Progress, never_cancelled


def find_duplicates(workspace, cancelled: CancelCheck = never_cancelled, *,
                    from_scratch: bool = False) -> Generator[Progress, None, ResolveStats]:
    """Look for more matches across ``workspace``; returns the stats, with ``changes`` set."""
    yield Progress(0, 0, "Looking for duplicates…")
    model = model_from_settings(workspace.get_setting)
    with workspace.writing() as conn:  # takes the lock first: waits for an import, never half-done
        if cancelled():
            raise Cancelled("Find Duplicates was cancelled; nothing changed")
        stats = resolve_all(conn, model, from_scratch=from_scratch)
    stats.changes = Changes(customers=frozenset(stats.touched), customer_list=True, reviews=True)
    yield Progress(1, 1, "Done")
    return stats
