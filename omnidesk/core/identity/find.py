"""Find Duplicates: the whole-workspace resolve as long work the GUI and CLI share.

A progress generator (see ``omnidesk.core.tasks``): the GUI runs it on its task
runner, the CLI iterates it.  The whole resolve is one transaction; cancelling
rolls it back and leaves the workspace as it was.
"""

from __future__ import annotations

from collections.abc import Generator

from omnidesk.core.changes import Changes
from omnidesk.core.identity.resolve import ResolveStats, model_from_settings, resolve_all_steps
from omnidesk.core.tasks import CancelCheck, Progress, cancellable, never_cancelled


def find_duplicates(workspace, cancelled: CancelCheck = never_cancelled, *,
                    from_scratch: bool = False) -> Generator[Progress, None, ResolveStats]:
    """Look for more matches across ``workspace``; returns the stats, with ``changes`` set.

    Yields the resolver's progress (records read, pairs compared, matches
    applied, customers updated, each with its total; see
    :func:`~omnidesk.core.identity.resolve.resolve_all_steps`).
    ``cancelled()`` is asked before every step; when it says yes,
    :class:`~omnidesk.core.tasks.Cancelled` is raised and nothing has changed.
    """
    yield Progress(0, 0, "Looking for duplicates…")
    model = model_from_settings(workspace.get_setting)
    with workspace.writing() as conn:  # takes the lock first: waits for an import, never half-done
        stats = yield from cancellable(resolve_all_steps(conn, model, from_scratch=from_scratch), cancelled,
                                       "Find Duplicates was cancelled; nothing changed")
    stats.changes = Changes(customers=frozenset(stats.touched), customer_list=True, reviews=True)
    yield Progress(1, 1, "Done")
    return stats
