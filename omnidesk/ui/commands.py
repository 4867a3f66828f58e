"""Undo commands: each one calls core functions in redo/undo, nothing else."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QUndoCommand

from omnidesk.core.errors import UserError
from omnidesk.core.identity.merge import (
    accept_review,
    accept_reviews_above,
    merge_customers,
    reject_review,
    requeue_review,
    undo_log,
    undo_reject,
    unmerge_record,
)
from omnidesk.core.importing.batches import undo_batch
from omnidesk.core.workspace import Workspace, WorkspaceError


class ImportFilesCommand(QUndoCommand):
    """Files already imported; undo removes their batches, redo imports them again."""

    def __init__(self, workspace: Workspace, files: list[tuple[Path, object, int]],
                 changed: Callable[[], None]) -> None:
        names = ", ".join(p.name for p, _, _ in files)
        super().__init__(f"Import {names}" if len(files) == 1 else f"Import {len(files)} files")
        self.workspace = workspace
        self.files = files
        self.changed = changed
        self._first = True

    def redo(self) -> None:
        if self._first:  # the import itself ran as a task before the command was pushed
            self._first = False
            return
        from omnidesk.core.importing.pipeline import import_file  # only needed on redo

        redone = []
        for path, options, _ in self.files:
            try:
                batch_id = import_file(self.workspace, path, options).batch_id or 0
            except (UserError, OSError) as exc:
                # The file moved or changed since: the step stays undone, and says why.
                self.setText(f"{self.text()} (not redone: {exc})")
                batch_id = 0
            redone.append((path, options, batch_id))
        self.files = redone
        self.changed()

    def undo(self) -> None:
        for _, _, batch_id in reversed(self.files):
            if batch_id:
                try:
                    undo_batch(self.workspace, batch_id)
                except UserError:
                    pass  # already undone from the Imports screen
        self.changed()


class CoreCommand(QUndoCommand):
    """An undo step around core calls; a refusal (UserError) is reported, not raised into Qt."""

    def __init__(self, text: str, workspace: Workspace, changed: Callable[[], None],
                 failed: Callable[[str], None]) -> None:
        super().__init__(text)
        self.workspace = workspace
        self.changed = changed
        self.failed = failed

    def _run(self, fn) -> None:
        try:
            fn()
        except (UserError, WorkspaceError) as exc:  # a refusal, or another window's import holding the lock
            self.setObsolete(True)
            self.failed(str(exc))
        self.changed()


class AcceptReviewCommand(CoreCommand):
    def __init__(self, workspace, review_id: int, changed, failed) -> None:
        super().__init__("Merge reviewed pair", workspace, changed, failed)
        self.review_id = review_id
        self.result = None

    def redo(self) -> None:
        def do():
            self.result = accept_review(self.workspace, self.review_id)
        self._run(do)

    def undo(self) -> None:
        def do():
            for log_id in reversed(self.result.log_ids):
                undo_log(self.workspace, log_id)
            requeue_review(self.workspace, self.result.review)
        self._run(do)


class RejectReviewCommand(CoreCommand):
    def __init__(self, workspace, review_id: int, changed, failed) -> None:
        super().__init__("Keep pair apart", workspace, changed, failed)
        self.review_id = review_id
        self.token = None

    def redo(self) -> None:
        def do():
            self.token = reject_review(self.workspace, self.review_id)
        self._run(do)

    def undo(self) -> None:
        self._run(lambda: undo_reject(self.workspace, self.token))


class AcceptAboveCommand(CoreCommand):
    def __init__(self, workspace, min_score: float, changed, failed) -> None:
        super().__init__(f"Merge all pairs scoring {min_score:.1f} or more", workspace, changed, failed)
        self.min_score = min_score
        self.results = []

    def redo(self) -> None:
        def do():
            self.results = accept_reviews_above(self.workspace, self.min_score)
        self._run(do)

    def undo(self) -> None:
        def do():
            for result in reversed(self.results):
                for log_id in reversed(result.log_ids):
                    undo_log(self.workspace, log_id)
                requeue_review(self.workspace, result.review)
        self._run(do)


class MergeCustomersCommand(CoreCommand):
    def __init__(self, workspace, customer_ids: list[int], changed, failed) -> None:
        super().__init__(f"Merge {len(customer_ids)} customers", workspace, changed, failed)
        self.customer_ids = customer_ids
        self.result = None

    def redo(self) -> None:
        def do():
            self.result = merge_customers(self.workspace, self.customer_ids)
        self._run(do)

    def undo(self) -> None:
        def do():
            for log_id in reversed(self.result.log_ids):
                undo_log(self.workspace, log_id)
        self._run(do)


class UnmergeRecordCommand(CoreCommand):
    def __init__(self, workspace, record_id: int, changed, failed) -> None:
        super().__init__("Split record into its own customer", workspace, changed, failed)
        self.record_id = record_id
        self.log_id = None
        self.new_customer: int | None = None

    def redo(self) -> None:
        def do():
            _, self.new_customer, self.log_id = unmerge_record(self.workspace, self.record_id)
        self._run(do)

    def undo(self) -> None:
        self._run(lambda: undo_log(self.workspace, self.log_id))
