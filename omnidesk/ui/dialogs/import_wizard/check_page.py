"""Page 3: the trial run, every row exactly as the import will go, then undone."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QProgressBar,
    QScrollArea,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from omnidesk.core import failures
from omnidesk.core.importing.driver import ImportRun
from omnidesk.ui.tasks import Task
from omnidesk.core.text import counted
from omnidesk.ui.dialogs.import_wizard.common import ERROR_COLOR, _html, _notes_html, _run_plans
from omnidesk.ui.dialogs.import_wizard.widgets import CountsTable

if TYPE_CHECKING:  # named in annotations only: the wizard imports this module
    from omnidesk.ui.dialogs.import_wizard.wizard import ImportWizard


class CheckPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("Trial run")
        self.setSubTitle("Omnidesk goes through every row exactly as the import will, then undoes it, so "
                         "these numbers are what you will get. Nothing is saved yet.")
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "&Import")
        self.task: Task | None = None
        self.outcome: ImportRun | None = None

        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.RichText)
        self.table = CountsTable()
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.setTextFormat(Qt.TextFormat.RichText)
        self.notes.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        notes_scroll = QScrollArea()
        notes_scroll.setAccessibleName("Notes on the check")
        notes_scroll.setWidgetResizable(True)
        notes_scroll.setFrameShape(QFrame.Shape.NoFrame)
        notes_scroll.setWidget(self.notes)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.progress)
        layout.addWidget(self.table)
        layout.addWidget(notes_scroll, 1)

    def first_controls(self) -> list:
        """The page has no control of its own: the focus goes to the wizard's buttons."""
        return []

    def initializePage(self) -> None:
        self.outcome = None
        self.table.show_results([(p.file_name, None) for p in self.wiz.plans])
        self.notes.clear()
        self.progress.setRange(0, 0)
        self.progress.show()
        self.status.setText("Trying the import…")
        task = Task(_run_plans(self.wiz.workspace, list(self.wiz.plans), dry_run=True))
        task.signals.progressed.connect(lambda d, t, m, task=task: self._progressed(task, d, t, m))
        task.signals.finished.connect(lambda outcome, task=task: self._finished(task, outcome))
        task.signals.failed.connect(lambda exc, task=task: self._failed(task, exc))
        self.task = task
        self.completeChanged.emit()
        self.wiz.runner.start(task)

    def cleanupPage(self) -> None:
        # Going back while the trial runs: stop it; its late report is ignored.
        if self.task is not None and not self.task.done.is_set():
            self.task.cancel()
        self.task = None
        self.outcome = None

    def _progressed(self, task: Task, done: int, total: int, message: str) -> None:
        if task is not self.task:
            return
        self.progress.setRange(0, max(total, 0))  # 0..0: a busy bar, while the end is unknown (the linking)
        self.progress.setValue(min(done, total))
        self.status.setText(_html(message))

    def _finished(self, task: Task, outcome: ImportRun) -> None:
        if task is not self.task:
            return
        self.outcome = outcome
        self.progress.hide()
        results = {id(plan): result for plan, result in outcome.runs}
        self.table.show_results([(p.file_name, results.get(id(p))) for p in self.wiz.plans])
        ok = len(outcome.runs)
        if outcome.cancelled_at is not None:
            self.status.setText("The trial run was stopped.")
        elif outcome.errors and not ok:
            self.status.setText(f'<span style="color:{ERROR_COLOR}">None of the files can be imported as '
                                "they are; go Back to change how their columns are read.</span>")
        else:
            new = sum(r.imported for _, r in outcome.runs)
            self.status.setText(f"Ready: the import will add {counted(new, 'new record')} from "
                                f"{counted(ok, 'file')}. Press Import to save them, or Back to change "
                                "the columns.")
        notes = _notes_html(self.wiz, outcome, trial=True)
        if len(outcome.runs) > 1:
            # The files were tried together, in a copy of the workspace (see core.importing.trial).
            notes += ("<p>The files were tried together, in this order: a person already met in an "
                      "earlier file counts as an updated customer, not a new one, as in the import.</p>")
        self.notes.setText(notes)
        self.completeChanged.emit()

    def _failed(self, task: Task, exc: BaseException) -> None:
        if task is not self.task:
            return
        self.progress.hide()
        reason = failures.message_for(exc, self.wiz.workspace.path if self.wiz.workspace else None)
        self.status.setText(f'<span style="color:{ERROR_COLOR}">The trial run failed: {_html(reason)}</span>')
        self.completeChanged.emit()

    @property
    def running(self) -> bool:
        return self.task is not None and self.outcome is None and not self.task.done.is_set()

    def isComplete(self) -> bool:
        return self.outcome is not None and bool(self.outcome.runs) and self.outcome.cancelled_at is None

    def validatePage(self) -> bool:
        return self.isComplete()
