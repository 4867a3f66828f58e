"""The Imports screen: every file imported, with its counts, its flagged rows, and Undo."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedLayout,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from omnidesk.core.errors import UserError
from omnidesk.core.importing.batches import left_out, write_batch_error_report
from omnidesk.core.tasks import Cancelled, never_cancelled
from omnidesk.core.text import counted
from omnidesk.core.workspace import Workspace
from omnidesk.ui.models.flagged_row_table_model import FlaggedRowTableModel
from omnidesk.ui.models.import_batch_table_model import ImportBatchTableModel
from omnidesk.ui.operations import reason
from omnidesk.ui.widgets.buttons import enter_presses
from omnidesk.ui.widgets.empty_state import EmptyState


_NO_LIMIT = (1 << 24) - 1  # Qt's QWIDGETSIZE_MAX: no maximum height


class ImportsView(QWidget):
    importRequested = Signal()
    undoRequested = Signal(int)  # batch id
    errorReportSaved = Signal(str)  # path

    def __init__(self, workspace: Workspace, parent=None, *, operations=None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.operations = operations  # writes the error report off the window's thread
        # The error report being written: (batch id, its "Writing …" line), or None.
        self._writing: tuple[int, str] | None = None
        if operations is not None:
            operations.busyChanged.connect(self._work_changed)
        self.model = ImportBatchTableModel(workspace, self)
        self.import_button = QPushButton("Import files…")
        self.import_button.clicked.connect(self.importRequested)
        self.undo_button = QPushButton("Undo import")
        self.undo_button.setEnabled(False)
        self.undo_button.setToolTip("Remove exactly what the selected import added")
        self.undo_button.clicked.connect(self._undo_selected)
        enter_presses(self.import_button, self.undo_button)
        top = QHBoxLayout()
        top.addWidget(self.import_button)
        top.addWidget(self.undo_button)
        top.addStretch(1)

        self.table = QTableView()
        self.table.setAccessibleName("Imports")
        self.table.setModel(self.model)
        self.table.setTabKeyNavigation(False)  # Tab leaves the list (arrows move in it)
        # Files of one shop share their starts and ends ("subscribed_members_export_….csv"):
        # a name cut in the middle keeps what tells them apart.
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, self.model.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        # Delete on the selected import undoes it (after the same question as the button).
        self.undo_action = QAction("Undo Import", self.table)
        self.undo_action.setShortcut(QKeySequence.StandardKey.Delete)
        self.undo_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.undo_action.triggered.connect(self._undo_selected)
        self.table.addAction(self.undo_action)
        self.undo_button.setToolTip("Remove exactly what the selected import added (Delete)")

        # The selected import's flagged rows: imported, but each with something to fix.
        self.flagged_model = FlaggedRowTableModel(workspace, self)
        self.flagged_title = QLabel()
        self.flagged_title.setWordWrap(True)
        self.flagged_title.setTextFormat(Qt.TextFormat.PlainText)
        self.report_button = QPushButton("Save error report…")
        self.report_button.setToolTip("Write these rows, with what is wrong, to a CSV: fix it and import it "
                                      "again, and each fixed row joins the customer of the row it corrects")
        self.report_button.clicked.connect(self.save_error_report)
        enter_presses(self.report_button)
        self.report_status = QLabel()
        self.report_status.setTextFormat(Qt.TextFormat.PlainText)
        self.flagged_table = QTableView()
        self.flagged_table.setAccessibleName("Flagged rows of the selected import")
        self.flagged_table.setModel(self.flagged_model)
        self.flagged_table.setTabKeyNavigation(False)
        self.flagged_table.verticalHeader().setVisible(False)
        self.flagged_table.setAlternatingRowColors(True)
        self.flagged_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.flagged_table.setWordWrap(False)
        self.flagged_table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        fh = self.flagged_table.horizontalHeader()
        fh.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        fh.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        fh.setStretchLastSection(True)
        fh.resizeSection(1, 320)
        # What is wrong gets the width it needs, up to half the table; the row as read, the rest.
        self.flagged_table.viewport().installEventFilter(self)
        self.table.installEventFilter(self)  # focus by keys selects a row: see _select_on_focus
        self.flagged_model.modelReset.connect(self._fit_problems)
        self.flagged_model.rowsInserted.connect(self._fit_problems)
        flagged_top = QHBoxLayout()
        flagged_top.addWidget(self.flagged_title, 1)
        flagged_top.addWidget(self.report_status)
        flagged_top.addWidget(self.report_button)
        self.flagged_panel = QWidget()
        fl = QVBoxLayout(self.flagged_panel)
        fl.setContentsMargins(0, 6, 0, 0)
        fl.addLayout(flagged_top)
        fl.addWidget(self.flagged_table, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.flagged_panel)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([10_000, 10_000])  # half each, whatever the window's size
        self.splitter.setChildrenCollapsible(False)

        self.empty = EmptyState(
            "Nothing imported yet",
            "Import a CSV export from your shop, email tool, till or social lead forms. "
            "Omnidesk recognises the common formats, keeps every row as it was, and reports "
            "rows it could not read.",
            "Import your first file…",
        )
        self.empty.actionTriggered.connect(self.importRequested)

        page = QWidget()
        pl = QVBoxLayout(page)
        pl.setContentsMargins(0, 0, 0, 0)
        pl.addLayout(top)
        pl.addWidget(self.splitter, 1)
        self.pages = QStackedLayout(self)
        self.pages.addWidget(self.empty)
        self.pages.addWidget(page)
        self._update_state()
        self._selection_changed()

    def selected_batch(self) -> dict | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.batch(rows[0].row()) if rows else None

    def _selection_changed(self, *_args) -> None:
        batch = self.selected_batch()
        self.undo_button.setEnabled(bool(batch and batch["status"] == "done"))
        self._show_flagged(batch)

    def eventFilter(self, obj, event) -> bool:
        if obj is self.flagged_table.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_problems()
        elif obj is self.table and event.type() == QEvent.Type.FocusIn \
                and event.reason() != Qt.FocusReason.MouseFocusReason:
            self._select_on_focus()
        return super().eventFilter(obj, event)

    def _select_on_focus(self) -> None:
        """Tabbed into with nothing selected, the list selects its current row (the newest import
        when there is none yet): Qt put the current row on the first import unselected, so "Undo
        import" stayed off and Down went to the second.  Runs before the table's own focus-in,
        which then finds a current row and leaves it."""
        if self.table.selectionModel().hasSelection() or not self.model.rowCount():
            return
        current = self.table.currentIndex()
        row = current.row() if current.isValid() else 0
        self.table.selectionModel().setCurrentIndex(
            self.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)

    def _fit_problems(self, *_args) -> None:
        """"What is wrong" as wide as its longest text shown, between 320 pixels and half the table
        (it was 320 whatever the room: "not a valid phone number for regi…" beside a wide row)."""
        table = self.flagged_table
        if not self.flagged_model.rowCount():
            return
        half = table.viewport().width() // 2
        wanted = table.sizeHintForColumn(1) + 12
        table.horizontalHeader().resizeSection(1, max(min(320, half), min(wanted, half)))

    def _keep_selected_in_view(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self.table.scrollTo(rows[0])

    def _show_flagged(self, batch: dict | None) -> None:
        self._say_report("")
        self.report_status.setToolTip("")
        if self._writing is not None and batch is not None and self._is_batch(batch, self._writing[0]):
            self._say_report(self._writing[1])  # its report, still being written
        kept = bool(batch and batch["status"] == "done")
        n = batch["flagged"] if kept else 0
        self.flagged_model.show_batch(batch["id"] if n else None, n)
        self.report_button.setEnabled(n > 0)
        # With no flagged rows the pane is its one line, and the list of imports has the height.
        self.flagged_table.setVisible(n > 0)
        self.flagged_panel.setMaximumHeight(_NO_LIMIT if n else self.flagged_panel.sizeHint().height())
        # The pane opening takes half the list's height: the file clicked stays in sight.
        QTimer.singleShot(0, self, self._keep_selected_in_view)
        if batch is None:
            self.flagged_title.setText("Select an import to see the rows it flagged.")
        elif batch["status"] == "undone":
            self.flagged_title.setText(f"{batch['file_name']} was undone: its rows are no longer kept.")
        elif not n:
            self.flagged_title.setText(f"{batch['file_name']}: no flagged rows. Every row read cleanly.")
        else:
            rows = f"{n:,} flagged row{'s' if n != 1 else ''}"
            self.flagged_title.setText(
                f"{batch['file_name']}: {rows}, imported as they are. Fix them in the error report and "
                "import it again.")

    def ask_error_report_path(self, file_name: str) -> Path | None:
        start = Path.home() / f"{Path(file_name).stem} problems.csv"
        name, _ = QFileDialog.getSaveFileName(self, "Save error report", str(start),
                                              "CSV files (*.csv);;All files (*)")
        return Path(name) if name else None

    def save_error_report(self) -> bool:
        """Ask where, then write the selected import's flagged rows; True when the writing started.

        Written off the window's thread (60,000 rows take seconds), the status bar showing it with
        Cancel; a report cancelled or failed leaves no file.  The line beside the button says how it
        went (and ``errorReportSaved`` when it was written).
        """
        batch = self.selected_batch()
        if batch is None or not batch["flagged"]:
            return False
        out = self.ask_error_report_path(batch["file_name"])
        if out is None:
            return False
        workspace, batch_id, file_name = self.workspace, batch["id"], batch["file_name"]

        def write(cancelled):
            # The save dialog has asked before replacing a file.
            return write_batch_error_report(workspace, batch_id, out, overwrite=True, cancelled=cancelled)

        def written(report) -> None:
            if isValid(self):
                self._writing = None
                self._report_saved(report, out, batch_id, file_name)

        def failed(exc: BaseException) -> None:
            if isValid(self):
                self._writing = None
                self._report_failed(exc, batch_id, file_name)

        if self.operations is None:  # a screen on its own: written here and now
            try:
                report = write(never_cancelled)
            except Exception as exc:  # told on the screen's line, never a crash
                failed(exc)
            else:
                written(report)
            return True
        self._writing = (batch_id, f"Writing {out.name}…")
        self._say_report(self._writing[1])  # said first: a report of a few rows is done at once
        if not self.operations.write_out(f"Writing the error report of {file_name}", write,
                                         finished=written, failed=failed, title="Cannot save the error report"):
            self._writing = None
            self._say_report("")
            return False
        return True

    def _work_changed(self, busy: bool) -> None:
        if not busy:  # ended, however (a report whose end was told elsewhere too): not writing now
            self._writing = None

    def _is_batch(self, batch: dict, batch_id: int) -> bool:
        """Whether ``batch`` is the import ``batch_id`` (or it again, redone under a new id)."""
        current = self.operations.current_batch(batch_id) if self.operations is not None else batch_id
        return batch["id"] in (batch_id, current)

    def _tell_report(self, batch_id: int, file_name: str, text: str, *, error: bool = False,
                     tip: str = "") -> bool:
        """How the report of import ``batch_id`` went: on the line beside the button while that import
        is the one selected, else in the status bar, naming it (another import selected meanwhile
        must not show it as its own).  True when said on the line."""
        batch = self.selected_batch()
        if batch is not None and self._is_batch(batch, batch_id):
            self._say_report(text, error=error)
            self.report_status.setToolTip(tip)
            return True
        if self.operations is not None:
            self.operations.notice.emit(f"Error report of {file_name}: {text}")
        return False

    def _say_report(self, text: str, *, error: bool = False) -> None:
        self.report_status.setStyleSheet("color: #B3261E" if error else "")
        self.report_status.setText(text)

    def _report_failed(self, exc: BaseException, batch_id: int, file_name: str) -> None:
        if isinstance(exc, Cancelled):
            self._tell_report(batch_id, file_name, str(exc))
            return
        told = exc.strerror if isinstance(exc, OSError) and exc.strerror else \
            str(exc) if isinstance(exc, UserError) else reason(exc, self.workspace)
        self._tell_report(batch_id, file_name, f"Could not save the report: {told}", error=True)

    def _report_saved(self, written, out: Path, batch_id: int, file_name: str) -> None:
        # An import undone onto a copy of its file: the copy's rows, and the line says so.
        self._tell_report(batch_id, file_name,
                          f"{written.moved}Saved {counted(written.rows, 'row')} to {out.name}{left_out(written)}.",
                          tip=str(out))
        self.errorReportSaved.emit(str(out))

    def _undo_selected(self) -> None:
        batch = self.selected_batch()
        if batch is not None:
            self.undoRequested.emit(batch["id"])

    def refresh(self, *, keep_selection: bool = False) -> None:
        chosen = self.selected_batch() if keep_selection else None
        self.model.reload()
        if chosen is not None:
            row = next((r for r in range(self.model.rowCount()) if self.model.batch(r)["id"] == chosen["id"]), None)
            if row is not None:
                self.table.selectionModel().setCurrentIndex(
                    self.model.index(row, 0),
                    QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self._update_state()
        self._selection_changed()

    def apply_changes(self, changes) -> None:
        if changes.imports or changes.everything:
            self.refresh()
        elif changes.settings:
            # A new time zone: when each file was imported reads on the shop's new clock;
            # the import looked at stays selected.
            self.refresh(keep_selection=True)

    def _update_state(self) -> None:
        self.pages.setCurrentIndex(1 if self.model.rowCount() else 0)
