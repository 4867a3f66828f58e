"""The Sources tab: each source record as imported, and splitting one off into a customer of its own."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from omnidesk.core.channels import channel_name
from omnidesk.core.profile import SourceRow, raw_record
from omnidesk.ui.models.source_table_model import SourceTableModel
from omnidesk.ui.views.customer.widgets import ElidedLabel, muted_color


class SourcesMixin:
    """The Sources tab of :class:`CustomerView`."""

    def _build_sources_tab(self) -> QWidget:
        self.source_model = SourceTableModel(self)
        self.source_table = QTableView()
        self.source_table.setModel(self.source_model)
        self.source_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.source_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.source_table.verticalHeader().setVisible(False)
        self.source_table.verticalHeader().setDefaultSectionSize(24)
        self.source_table.setWordWrap(False)
        self.source_table.setAlternatingRowColors(True)
        header = self.source_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((230, 50, 90, 70)):
            self.source_table.setColumnWidth(column, width)
        self.source_table.selectionModel().currentRowChanged.connect(self._source_selected)

        detail = QWidget()
        dl = QVBoxLayout(detail)
        dl.setContentsMargins(8, 0, 0, 0)
        self.raw_title = ElidedLabel()
        font = self.raw_title.font()
        font.setBold(True)
        self.raw_title.setFont(font)
        self.raw_problems = QLabel()
        self.raw_problems.setWordWrap(True)
        self.raw_problems.setStyleSheet("color: #C62828;")
        self.raw_table = QTableWidget(0, 2)
        self.raw_table.setHorizontalHeaderLabels(["Column", "Value as read"])
        self.raw_table.verticalHeader().setVisible(False)
        self.raw_table.verticalHeader().setDefaultSectionSize(22)
        self.raw_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.raw_table.setWordWrap(False)
        self.raw_table.horizontalHeader().setStretchLastSection(True)
        self.raw_table.setColumnWidth(0, 200)
        self.split_button = QPushButton("Split into its own customer")
        self.split_button.setToolTip("This record is someone else: move it (and its order lines) "
                                     "to a new customer; Omnidesk will not match it back")
        self.split_button.setEnabled(False)
        self.split_button.clicked.connect(self._split_selected)
        dl.addWidget(self.raw_title)
        dl.addWidget(self.raw_problems)
        dl.addWidget(self.raw_table, 1)
        dl.addWidget(self.split_button, 0, Qt.AlignmentFlag.AlignRight)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.source_table)
        splitter.addWidget(detail)
        splitter.setStretchFactor(0, 5)
        splitter.setStretchFactor(1, 4)
        splitter.setChildrenCollapsible(False)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(splitter)
        return page

    def _source_selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.source_model.source_row(current.row()) if current.isValid() else None
        self._show_raw(row)
        # A customer's only record has nothing to be split from.
        self.split_button.setEnabled(row is not None and self.source_model.rowCount() > 1)

    def _split_selected(self) -> None:
        index = self.source_table.currentIndex()
        row = self.source_model.source_row(index.row()) if index.isValid() else None
        if row is not None and self.customer_id is not None and not self.read_only:
            self.operations.split(row.record_id, self.customer_id, f"{row.source_file} row {row.record_no}")

    def _show_raw(self, row: SourceRow | None) -> None:
        self.raw_table.setRowCount(0)
        if row is None:
            self.raw_title.setText("")
            self.raw_problems.setVisible(False)
            return
        self.raw_title.setText(f"{row.source_file} row {row.record_no} · {channel_name(row.channel)} · {row.kind}")
        self.raw_problems.setVisible(bool(row.problems))
        self.raw_problems.setText("Flagged: " + "; ".join(row.problems))
        pairs = raw_record(self.workspace, row.record_id)
        self.raw_table.setRowCount(len(pairs))
        for i, (column, value) in enumerate(pairs):
            name = QTableWidgetItem(column)
            name.setForeground(muted_color(self.palette()))
            cell = QTableWidgetItem(value)
            cell.setToolTip(value)
            self.raw_table.setItem(i, 0, name)
            self.raw_table.setItem(i, 1, cell)
