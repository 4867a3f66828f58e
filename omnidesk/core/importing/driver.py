"""Importing several files in turn: the one driver the command line, the wizard and redo share.

``import_files`` runs a list of files one after the other, each in its own
transaction: a file that fails rolls back and the next one still runs; a
cancel stops at the file being imported, which rolls back, and keeps the files
before it.  Progress is one scale over all the files.

A file is given either as an :class:`ImportPlan` (analyzed, perhaps corrected
by the user: the wizard) or as an :class:`ImportRequest`, a path and the
options to analyze it with (the command line's files; an import done again).

A dry run of one file into an open workspace rolls its transaction back.  A
dry run of several files runs them for real in a scratch copy of the
workspace, so each is counted against the ones before it (see ``trial``); so
does a dry run against a workspace given by its path (one that cannot be
written) or against none (one that does not exist yet).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from omnidesk.core import failures
from omnidesk.core.changes import NOTHING, Changes
from omnidesk.core.errors import UserError
from omnidesk.core.importing.analysis import ImportOptions, ImportPlan, analyze
from omnidesk.core.importing.pipeline import run_import
from omnidesk.core.importing.result import ImportResult
from omnidesk.core.importing.source_file import file_name_text
from omnidesk.core.importing.trial import needs_scratch_copy, scratch_copy
from omnidesk.core.tasks import Cancelled, CancelCheck, Progress, never_cancelled
from omnidesk.core.text import printable
from omnidesk.core.workspace import Workspace, WorkspaceError

# Each file's share of the progress scale.
STEPS_PER_FILE = 1000


@dataclass(frozen=True)
class ImportRequest:
    """Import the file at ``path``, analyzed with ``options`` when its turn comes."""

    path: Path
    options: ImportOptions = field(default_factory=ImportOptions)

    @property
    def file_name(self) -> str:
        return file_name_text(Path(self.path).name)


FileToImport = ImportPlan | ImportRequest


@dataclass(frozen=True)
class FileFailure:
    """A file that could not be imported; whatever it had begun was rolled back."""

    file: FileToImport  # its plan when it was analyzed, else the request
    error: Exception
    message: str  # one sentence for the user, never the rows being written

    @property
    def file_name(self) -> str:
        return self.file.file_name


FileDone = tuple[ImportPlan, ImportResult] | FileFailure


@dataclass
class ImportRun:
    """What importing a list of files did, file by file, and what it changed."""

    done: list[FileDone] = field(default_factory=list)  # every file tried, in order
    cancelled_at: FileToImport | None = None  # the file a cancel rolled back
    not_started: list[FileToImport] = field(default_factory=list)  # after a cancel or a stop
    stopped_by: FileFailure | None = None  # the failure that ended the run early (see ``stop_on``)
    in_scratch: bool = False  # the files went into a scratch copy (a dry run of several)
    changes: Changes = NOTHING

    @property
    def runs(self) -> list[tuple[ImportPlan, ImportResult]]:
        """The files that were imported (or tried, in a dry run), with their plans."""
        return [d for d in self.done if not isinstance(d, FileFailure)]

    @property
    def results(self) -> list[ImportResult]:
        return [result for _, result in self.runs]

    @property
    def failures(self) -> list[FileFailure]:
        return [d for d in self.done if isinstance(d, FileFailure)]

    @property
    def errors(self) -> list[tuple[FileToImport, str]]:
        """(file, one sentence) for each file that failed."""
        return [(f.file, f.message) for f in self.failures]


def import_files(
    target: Workspace | Path | None,
    files: Sequence[FileToImport],
    *,
    dry_run: bool = False,
    cancelled: CancelCheck = never_cancelled,
    stop_on: Callable[[Exception], bool] | None = None,
    on_file: Callable[[FileDone], None] | None = None,
) -> Generator[Progress, None, ImportRun]:
    """Import ``files`` into ``target`` in order, yielding progress; returns the :class:`ImportRun`.

    ``target`` is an open workspace; a dry run also takes a workspace file's
    path, or None for a workspace that does not exist yet (both are tried in
    a scratch copy).  Each file is one transaction.  A file that fails is
    reported in the run and the next one goes on, unless ``stop_on(error)``
    says the run ends there (a full disk, for the command line).  A cancel
    (``cancelled()`` is checked before each file and between chunks) rolls the
    current file back and ends the run.  ``on_file`` hears of each file as it
    finishes, on the thread running the import.  ``run.changes`` says what
    the files that were kept changed (nothing, for a dry run).
    """
    files = list(files)
    if isinstance(target, Workspace) and not (dry_run and needs_scratch_copy(len(files))):
        return (yield from _each(target, files, in_scratch=False, dry_run=dry_run, cancelled=cancelled,
                                 stop_on=stop_on, on_file=on_file))
    if not dry_run:
        raise ValueError("a real import needs an open workspace")
    total = STEPS_PER_FILE * len(files)
    yield Progress(0, total, "Copying the workspace to try the files together…" if target is not None
                   else "Making an empty workspace to try the files in…")
    with scratch_copy(target) as scratch:
        return (yield from _each(scratch, files, in_scratch=True, dry_run=True, cancelled=cancelled,
                                 stop_on=stop_on, on_file=on_file))


def _each(target: Workspace, files: list[FileToImport], *, in_scratch: bool, dry_run: bool,
          cancelled: CancelCheck, stop_on: Callable[[Exception], bool] | None,
          on_file: Callable[[FileDone], None] | None) -> Generator[Progress, None, ImportRun]:
    run = ImportRun(in_scratch=in_scratch)
    n = len(files)
    total = STEPS_PER_FILE * n
    for i, item in enumerate(files):
        if cancelled():
            run.cancelled_at, run.not_started = item, files[i + 1:]
            return _finish(run, dry_run)
        shown = printable(item.file_name)
        prefix = f"File {i + 1} of {n} · {shown}" if n > 1 else shown
        _settle_log(target)
        plan: ImportPlan | None = item if isinstance(item, ImportPlan) else None
        try:
            if plan is None:
                yield Progress(STEPS_PER_FILE * i, total, f"{prefix} — Reading the file")
                plan = analyze(target, item.path, item.options)
            result = yield from _scaled(
                run_import(target, plan, dry_run=dry_run and not in_scratch, cancelled=cancelled),
                i, total, prefix)
        except Cancelled:
            run.cancelled_at, run.not_started = item, files[i + 1:]
            return _finish(run, dry_run)
        except Exception as exc:  # the file rolled back; the others still deserve their turn
            if failures.is_disk_full(exc):
                # Hand the failed write's log space back before anything else is written or said.
                failures.release_log_space(target)
            failure = FileFailure(plan or item, exc, _failure_message(exc, plan or item, target))
            run.done.append(failure)
            if on_file is not None:
                on_file(failure)
            if stop_on is not None and stop_on(exc):
                run.stopped_by, run.not_started = failure, files[i + 1:]
                return _finish(run, dry_run)
            continue
        if in_scratch:  # imported for real, but into a copy that goes away
            result.dry_run, result.batch_id = True, None
        run.done.append((plan, result))
        if on_file is not None:
            on_file((plan, result))
    yield Progress(total, total, "Finished")
    return _finish(run, dry_run)


def _scaled(gen: Generator[Progress, None, ImportResult], i: int, total: int,
            prefix: str) -> Generator[Progress, None, ImportResult]:
    """Run one file's import, its progress placed on the scale of all the files (a step
    with no total, on none: a busy bar)."""
    try:
        while True:
            try:
                p = next(gen)
            except StopIteration as stop:
                return stop.value
            if not p.total:  # a stage whose end is unknown (the linking): a busy bar
                yield Progress(0, 0, f"{prefix} — {p.message}")
                continue
            share = min(p.done / p.total, 1.0)
            yield Progress(int(STEPS_PER_FILE * (i + share)), total, f"{prefix} — {p.message}")
    finally:
        gen.close()  # stopped from outside (the run closed, an error): the file rolls back


def _failure_message(exc: Exception, file: FileToImport, target: Workspace) -> str:
    if isinstance(exc, (UserError, WorkspaceError, OSError)):  # e.g. busy with another window's import
        return failures.message_for(exc, target.path)
    return f"Import of {printable(file.file_name)} failed: {failures.message_for(exc, target.path)}"


def _finish(run: ImportRun, dry_run: bool) -> ImportRun:
    kept = not dry_run and any(result.batch_id is not None for _, result in run.runs)
    # An import can touch any number of customers: the list flag covers every card.
    run.changes = Changes(customer_list=True, reviews=True, imports=True) if kept else NOTHING
    return run


def _settle_log(ws: Workspace) -> None:
    """Fold what earlier imports committed into the file, so a failed write's log can be emptied."""
    from omnidesk.core.dialect import checkpoint

    with contextlib.suppress(Exception):
        checkpoint(ws.engine, "PASSIVE")
