"""Page 4: the import itself, with progress and cancel."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from omnidesk.core.errors import UserError
from omnidesk.core import failures
from omnidesk.core.importing.driver import ImportRun
from omnidesk.core.text import counted, printable
from omnidesk.core.workspace import WorkspaceError
from omnidesk.ui.tasks import Task
from omnidesk.ui.dialogs.import_wizard.common import ERROR_COLOR, _html, _run_plans

if TYPE_CHECKING:  # named in annotations only: the wizard imports this module
    from omnidesk.ui.dialogs.import_wizard.wizard import ImportWizard


class ImportPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("Importing")
        # The wizard keeps the window waiting while it imports (it is window-modal): nothing in the window
        # could change the workspace under the import, or open another one while it runs.
        self.setSubTitle("Each file is saved completely or not at all: nothing of it is saved until the whole "
                         "file is in, so you can cancel at any time.")
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "&See results")
        self.task: Task | None = None
        self.outcome: ImportRun | None = None
        self._plans: list = []  # the files of the import running
        self._files_ended: list = []  # those it has ended, told from its thread as each ends
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.RichText)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.cancel_button = QPushButton("&Cancel import")
        self.cancel_button.clicked.connect(self.cancel)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.RichText)
        row = QHBoxLayout()
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.status)
        layout.addLayout(row)
        layout.addSpacing(12)
        layout.addWidget(self.message)
        layout.addStretch(2)

    @property
    def running(self) -> bool:
        return self.task is not None and self.outcome is None and not self.task.done.is_set()

    def running_words(self) -> str:
        """The import running, as a question about stopping it names it: "The import of customers.csv",
        with which file of how many when there are several (those before it are kept)."""
        plans = self._plans
        if not plans:
            return "The import"
        n = min(len(self._files_ended), len(plans) - 1)
        words = f"The import of {printable(plans[n].file_name)}"
        return words if len(plans) == 1 else f"{words} (file {n + 1} of {len(plans)})"

    def first_controls(self) -> list:
        return [self.cancel_button]

    def initializePage(self) -> None:
        plans = list(self.wiz.plans)
        self.outcome = None
        self.message.clear()
        self.progress.setRange(0, 0)
        self.cancel_button.setEnabled(True)
        self.cancel_button.show()
        self.status.setText(f"Importing {counted(len(plans), 'file')}…")
        # The results page says how the workspace changed as a whole (see DonePage).
        self.wiz.customers_before = self.wiz.workspace.counts()["customers"]
        self._plans, self._files_ended = plans, []
        task = Task(_run_plans(self.wiz.workspace, plans, dry_run=False, on_file=self._files_ended.append))
        task.signals.progressed.connect(self._progressed)
        task.signals.finished.connect(self._finished)
        task.signals.failed.connect(self._failed)
        self.task = task
        self.completeChanged.emit()
        self.wiz.runner.start(task)

    def cancel(self) -> None:
        if self.running and self.task is not None:
            self.task.cancel()
            self.cancel_button.setEnabled(False)
            self.status.setText("Cancelling… the file being imported is rolled back.")

    def _progressed(self, done: int, total: int, message: str) -> None:
        self.progress.setRange(0, max(total, 0))  # 0..0: a busy bar, while the end is unknown (the linking)
        self.progress.setValue(min(done, total))
        self.status.setText(_html(message))
        self.wiz.importProgressed.emit(done, total, message)

    def _finished(self, outcome: ImportRun) -> None:
        self.outcome = outcome
        self.cancel_button.hide()
        self.wiz.import_done(outcome)
        if outcome.cancelled_at is not None:
            self.progress.hide()
            self.status.setText("")
            self.message.setText(_cancel_text(outcome))
            self.wiz.setButtonText(QWizard.WizardButton.CancelButton, "Close")
            self.completeChanged.emit()
            return
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.status.setText("Finished.")
        self.completeChanged.emit()
        # Deferred: this may run inside the wizard's own page switch.
        QTimer.singleShot(0, self, self._advance)

    def _advance(self) -> None:
        if self.wiz.currentPage() is self:
            self.wiz.next()

    def _failed(self, exc: BaseException) -> None:
        self.outcome = ImportRun()
        self.cancel_button.hide()
        self.progress.hide()
        where = self.wiz.workspace.path if self.wiz.workspace else None
        text = (failures.message_for(exc, where) if isinstance(exc, (UserError, WorkspaceError, OSError)) or failures.describe(exc, where)
                else f"Import failed: {failures.message_for(exc, where)}")
        self.status.setText("")
        self.message.setText(f'<span style="color:{ERROR_COLOR}">{_html(text)}</span>')
        self.wiz.setButtonText(QWizard.WizardButton.CancelButton, "Close")
        self.completeChanged.emit()
        self.wiz.importsFailed.emit(text)

    def isComplete(self) -> bool:
        return self.outcome is not None and bool(self.outcome.runs or self.outcome.errors)

    def validatePage(self) -> bool:
        return self.isComplete()


def _cancel_text(outcome: ImportRun) -> str:
    if not outcome.runs:
        return "<b>Import cancelled — nothing was changed.</b>"
    kept = ", ".join(_html(printable(p.file_name)) for p, _ in outcome.runs)
    rest = [outcome.cancelled_at] + outcome.not_started if outcome.cancelled_at else outcome.not_started
    others = ", ".join(_html(printable(p.file_name)) for p in rest)
    return (f"<b>Import cancelled.</b> {counted(len(outcome.runs), 'file')} had already finished and "
            f"{'is' if len(outcome.runs) == 1 else 'are'} kept: {kept}. Nothing from {others} was saved. "
            "Press See results for the details.")
