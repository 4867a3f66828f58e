"""The Customers screen: every customer in one searchable, sortable table."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStackedLayout,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from omnidesk.core.workspace import Workspace
from omnidesk.ui.models.customer_table_model import CustomerTableModel
from omnidesk.ui.widgets.empty_state import EmptyState


class CustomersView(QWidget):
    importRequested = Signal()
    customerActivated = Signal(int)

    def __init__(self, workspace: Workspace, parent=None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.model = CustomerTableModel(workspace, self)

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search name, email or phone…")
        self.search.setClearButtonEnabled(True)
        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.count_label)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((200, 240, 130, 120, 160, 60, 80)):
            self.table.setColumnWidth(column, width)
        self.table.doubleClicked.connect(self._activated)

        self.no_match = QLabel("No customer matches your search.")
        self.no_match.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty = EmptyState(
            "No customers yet",
            "Import your first file — a shop's customer export, an email list, a till export "
            "or any spreadsheet of contacts — and your customers appear here, merged across channels.",
            "Import your first file…",
        )
        self.empty.actionTriggered.connect(self.importRequested)

        table_page = QWidget()
        tl = QVBoxLayout(table_page)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addLayout(top)
        self.results = QStackedLayout()
        holder = QWidget()
        holder.setLayout(self.results)
        self.results.addWidget(self.table)
        self.results.addWidget(self.no_match)
        tl.addWidget(holder, 1)

        self.pages = QStackedLayout(self)
        self.pages.addWidget(self.empty)
        self.pages.addWidget(table_page)

        # Search as the user types, without a query per keystroke.
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(200)
        self._debounce.timeout.connect(self._apply_search)
        self.search.textChanged.connect(self._debounce.start)
        self.search.returnPressed.connect(self._apply_search)
        self._update_state()

    def _apply_search(self) -> None:
        self._debounce.stop()
        self.model.set_search(self.search.text())
        self._update_state()

    def _activated(self, index) -> None:
        cid = self.model.customer_id(index.row())
        if cid is not None:
            self.customerActivated.emit(cid)

    def refresh(self) -> None:
        self.model.reload()
        self._update_state()

    def _update_state(self) -> None:
        rows = self.model.rowCount()
        searching = bool(self.search.text().strip())
        self.pages.setCurrentIndex(1 if rows or searching else 0)
        self.results.setCurrentIndex(1 if searching and not rows else 0)
        self.count_label.setText(f"{rows:,} customer{'s' if rows != 1 else ''}")
