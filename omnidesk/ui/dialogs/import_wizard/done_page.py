"""Page 5: what the import added, its notes, and the error report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWizardPage,
)

from omnidesk.core.errors import UserError
from omnidesk.core.importing.driver import ImportRun
from omnidesk.core.workspace import WorkspaceError
from omnidesk.core.text import counted, printable
from omnidesk.ui.dialogs.import_wizard.common import _html, _notes_html
from omnidesk.ui.dialogs.import_wizard.widgets import CountsTable

if TYPE_CHECKING:  # named in annotations only: the wizard imports this module
    from omnidesk.ui.dialogs.import_wizard.wizard import ImportWizard


FINISHED_SUBTITLE = "Here is what was added. The Imports screen can undo any of these files later."


class DonePage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("Import finished")
        self.setSubTitle(FINISHED_SUBTITLE)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)  # it names files: never read as markup
        self.table = CountsTable()
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.setTextFormat(Qt.TextFormat.RichText)
        self.notes.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        notes_scroll = QScrollArea()
        notes_scroll.setWidgetResizable(True)
        notes_scroll.setFrameShape(QFrame.Shape.NoFrame)
        notes_scroll.setWidget(self.notes)
        self.report_button = QPushButton("&Save error report…")
        self.report_button.setToolTip("Save the rows that had problems, with what is wrong, as a CSV file")
        self.report_button.clicked.connect(self.wiz.save_error_report)
        self.report_status = QLabel()
        self.report_status.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.report_button)
        row.addWidget(self.report_status, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)
        layout.addWidget(notes_scroll, 1)
        layout.addLayout(row)

    def first_controls(self) -> list:
        return [self.report_button]

    def initializePage(self) -> None:
        outcome = self.wiz.outcome or ImportRun()
        results = {id(plan): result for plan, result in outcome.runs}
        # A cancel leaves the file it stopped and those after it unsaved: listed too, with dashes.
        unsaved = ([outcome.cancelled_at] if outcome.cancelled_at is not None else []) + outcome.not_started
        listed = [p for p, _ in outcome.runs] + [p for p, _ in outcome.errors] + unsaved
        order = [p for p in self.wiz.plans if any(p is a for a in listed)]
        self.table.show_results([(p.file_name, results.get(id(p))) for p in order])
        new = sum(r.imported for _, r in outcome.runs)
        created = sum(r.new_customers for _, r in outcome.runs)
        updated = sum(r.updated_customers for _, r in outcome.runs)
        events = sum(r.events for _, r in outcome.runs)
        files = len([r for _, r in outcome.runs if r.already_imported is None])
        parts = [f"Added {counted(new, 'record')} from {counted(files, 'file')}"]
        if events:
            parts.append(counted(events, "event"))
        cancelled = outcome.cancelled_at is not None
        # A file imported before adds nothing and is not counted: with no other file, "Added 0 records
        # from 0 files" would hide that it was read at all. Say why nothing was added instead.
        again = [printable(p.file_name) for p, r in outcome.runs if r.already_imported is not None]
        if files:
            said = ", ".join(parts) + (" before the import was cancelled" if cancelled else "") + "."
        elif again:
            said = f"Nothing added: {', '.join(again)} {'was' if len(again) == 1 else 'were'} imported before."
        else:
            said = "Nothing added" + (" before the import was cancelled" if cancelled else "") + "."
        # Per file, customers are counted as each file found them; a later file can show two
        # of them to be one person, so the sum is not the workspace's change: say that instead.
        try:
            after: int | None = self.wiz.workspace.counts()["customers"]
        except (WorkspaceError, UserError, OSError):  # its file moved or deleted meanwhile: the banner says so
            after = None
        before = self.wiz.customers_before if after is not None else None
        grown = f" ({after - before:+,})" if before is not None and after is not None else ""
        now = f" The workspace now has {counted(after, 'customer')}{grown}." if after is not None else ""
        self.summary.setText(said + now)
        self.summary.setToolTip(f"Per file: {counted(created, 'new customer')} and {updated:,} updated; "
                                "people found in several files are counted once in the workspace.")
        notes = _notes_html(self.wiz, outcome, trial=False)
        if before is not None and after is not None and created != after - before:
            notes += (f"<p>The table counts new customers file by file ({created:,}); a later file "
                      f"showed some of them to be one person, so the workspace gained "
                      f"{after - before:,}.</p>")
        if self.wiz.remember_note:
            notes += f"<p>{_html(self.wiz.remember_note)}</p>"
        self.notes.setText(notes)
        if cancelled:
            self.setTitle("Import cancelled")
            self.setSubTitle("The files that had finished are kept; the Imports screen can undo any of them "
                             "later. Nothing from the others was saved." if outcome.runs else
                             "Nothing from the files below was saved.")
        else:
            self.setTitle("Import finished" if outcome.runs else "Nothing was imported")
            self.setSubTitle(FINISHED_SUBTITLE)
        flagged = sum(r.flagged for _, r in outcome.runs)
        self.report_button.setEnabled(flagged > 0)
        self.report_status.setText("" if flagged else "No rows had problems.")
