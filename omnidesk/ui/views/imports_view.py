"""The Imports screen: every file imported, with its counts, and Undo."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QStackedLayout,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from omnidesk.core.workspace import Workspace
from omnidesk.ui.models.import_batch_table_model import ImportBatchTableModel
from omnidesk.ui.widgets.empty_state import EmptyState


class ImportsView(QWidget):
    importRequested = Signal()
    undoRequested = Signal(int)  # batch id

    def __init__(self, workspace: Workspace, parent=None) -> None:
        super().__init__(parent)
        self.model = ImportBatchTableModel(workspace, self)
        self.import_button = QPushButton("Import files…")
        self.import_button.clicked.connect(self.importRequested)
        self.undo_button = QPushButton("Undo import")
        self.undo_button.setEnabled(False)
        self.undo_button.setToolTip("Remove exactly what the selected import added")
        self.undo_button.clicked.connect(self._undo_selected)
        top = QHBoxLayout()
        top.addWidget(self.import_button)
        top.addWidget(self.undo_button)
        top.addStretch(1)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, self.model.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)

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
        pl.addWidget(self.table, 1)
        self.pages = QStackedLayout(self)
        self.pages.addWidget(self.empty)
        self.pages.addWidget(page)
        self._update_state()

    def selected_batch(self) -> dict | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.batch(rows[0].row()) if rows else None

    def _selection_changed(self, *_args) -> None:
        batch = self.selected_batch()
        self.undo_button.setEnabled(bool(batch and batch["status"] == "done"))

    def _undo_selected(self) -> None:
        batch = self.selected_batch()
        if batch is not None:
            self.undoRequested.emit(batch["id"])

    def refresh(self) -> None:
        self.model.reload()
        self._update_state()
        self._selection_changed()

    def _update_state(self) -> None:
        self.pages.setCurrentIndex(1 if self.model.rowCount() else 0)
