"""Undo commands: each one calls core functions in redo/undo, nothing else."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QUndoCommand

from omnidesk.core.errors import UserError
from omnidesk.core.importing.batches import undo_batch
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.workspace import Workspace


class ImportFilesCommand(QUndoCommand):
    """Files already imported; undo removes their batches, redo imports them again."""

    def __init__(self, workspace: Workspace, files: list[tuple[Path, ImportOptions, int]],
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
