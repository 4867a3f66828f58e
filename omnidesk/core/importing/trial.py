"""Trying several imports at once: counts exactly as the real run will give them.

A dry run of one file rolls its transaction back.  A dry run of several files
cannot: the second file must be counted against the first (a shop export that
joins a list member and a till customer updates one customer rather than
creating one), and that needs the first really imported.  So they are, into a
scratch copy of the workspace that is deleted afterwards.  The copy lives in the
process's private temp folder (``tempfiles``): if the run is killed, the next
start of omnidesk deletes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from omnidesk.core import tempfiles
from omnidesk.core.workspace import Workspace


def needs_scratch_copy(n_files: int, workspace_exists: bool = True) -> bool:
    """Whether a dry run of ``n_files`` needs a scratch copy (see the module docstring)."""
    return n_files > 1 or not workspace_exists


@contextmanager
def scratch_copy(live: Workspace | Path | None) -> Iterator[Workspace]:
    """A throwaway copy of ``live`` (an open workspace, a workspace file, or None for an empty one)."""
    with tempfiles.temporary_directory("dry-run-") as folder:
        path = folder / "scratch.omnidesk"
        if isinstance(live, Workspace):
            live.save_copy(path)
        elif live is not None:
            with Workspace.open(live, readonly=True) as opened:
                opened.save_copy(path)
        with Workspace.open(path, create=True) as scratch:
            yield scratch
