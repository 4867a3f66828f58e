"""Small widgets of the wizard's pages: elided labels, quiet combo boxes, the counts and preview tables."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSize, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
)

from omnidesk.core.importing.dates import DateOrder, parse_date
from omnidesk.core.importing.fields import IGNORE
from omnidesk.core.importing.pipeline import (
    ImportPlan,
    ImportResult,
)
from omnidesk.core.text import printable
from omnidesk.ui.formatting import nice_date
from omnidesk.ui.dialogs.import_wizard.common import COUNT_COLUMNS, PREVIEW_TABLE_ROWS, _field_label


class ElidedLabel(QLabel):
    """A one-line label that shortens its text with "…" to fit, full text as tooltip."""

    def __init__(self, text: str = "", mode=Qt.TextElideMode.ElideMiddle, parent=None) -> None:
        super().__init__(parent)
        self._full = ""
        self._mode = mode
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(40)
        self.set_full_text(text)

    def full_text(self) -> str:
        return self._full

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self._elide()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._elide()

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(min(self.fontMetrics().horizontalAdvance(self._full) + 4, 400), hint.height())

    def _elide(self) -> None:
        self.setText(self.fontMetrics().elidedText(self._full, self._mode, max(self.width(), 40)))


class NoWheelComboBox(QComboBox):
    """A combo box that ignores the wheel unless focused, so scrolling a list never changes it."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def wheelEvent(self, event) -> None:
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()


def _muted(label: QLabel) -> QLabel:
    # The readable grey of secondary text (palette.py), not the faint one of a disabled widget.
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


def _bold(label: QLabel) -> QLabel:
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


class CountsTable(QTableWidget):
    """Per-file counts of a run (trial or real) with a total row."""

    def __init__(self, parent=None) -> None:
        super().__init__(0, 1 + len(COUNT_COLUMNS), parent)
        self.setHorizontalHeaderLabels(["File"] + [label for _, label in COUNT_COLUMNS])
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.verticalHeader().setVisible(False)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.setWordWrap(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, self.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)

    def show_results(self, rows: Sequence[tuple[str, ImportResult | None]]) -> None:
        """One row per (file name, result); a file without a result shows dashes."""
        self.setRowCount(0)
        totals = dict.fromkeys((key for key, _ in COUNT_COLUMNS), 0)
        for name, result in rows:
            values = []
            for key, _ in COUNT_COLUMNS:
                if result is None:
                    values.append("—")
                else:
                    value = getattr(result, key)
                    totals[key] += value
                    values.append(f"{value:,}")
            self._add_row(name, values)
        if len([r for _, r in rows if r is not None]) > 1:
            self._add_row("Total", [f"{totals[key]:,}" for key, _ in COUNT_COLUMNS], bold=True)
        self.setFixedHeight(self._natural_height())

    def value(self, row: int, key: str) -> str:
        column = 1 + [k for k, _ in COUNT_COLUMNS].index(key)
        item = self.item(row, column)
        return item.text() if item else ""

    def _add_row(self, name: str, values: list[str], bold: bool = False) -> None:
        row = self.rowCount()
        self.insertRow(row)
        name = printable(name)
        cells = [QTableWidgetItem(name)] + [QTableWidgetItem(v) for v in values]
        cells[0].setToolTip(name)
        for column, item in enumerate(cells):
            if column:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if bold:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.setItem(row, column, item)

    def _natural_height(self) -> int:
        # Show every row without an inner scroll bar, up to a cap that still fits the page:
        # a dozen exports and their total, the line that matters most.
        rows = sum(self.rowHeight(r) for r in range(min(self.rowCount(), 13)))
        return self.horizontalHeader().sizeHint().height() + rows + 2 * self.frameWidth() + 2


class PreviewModel(QAbstractTableModel):
    """The first rows of a file as read, headed by each column's name and what it imports as."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._plan: ImportPlan | None = None
        self._rows: list = []

    def set_plan(self, plan: ImportPlan | None) -> None:
        self.beginResetModel()
        self._plan = plan
        self._rows = list(plan.preview[:PREVIEW_TABLE_ROWS]) if plan is not None else []
        self.endResetModel()

    def update_plan(self, plan: ImportPlan) -> None:
        """Same file, new choices: the headings, the greyed columns and how unclear dates read change."""
        if self._plan is None or plan.header != self._plan.header:
            self.set_plan(plan)
            return
        self._plan = plan
        if self.columnCount():
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)
            if self.rowCount():
                self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1),
                                      [Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.DisplayRole])

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        if parent.isValid() or self._plan is None:
            return 0
        return len(self._plan.header)

    def _cell(self, row: int, column: int) -> str:
        values = self._rows[row].values
        return values[column] if column < len(values) else ""

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or self._plan is None:
            return None
        row, column = index.row(), index.column()
        if not (0 <= row < len(self._rows) and 0 <= column < len(self._plan.header)):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            # Cells with line breaks stay on one table line.
            text = " ".join(self._cell(row, column).split("\n"))
            if column in self._plan.unclear_date_columns:
                # A date that could be day/month or month/day says how it is read: the choice shows here.
                read = parse_date(text, self._plan.date_orders.get(column, DateOrder.DMY)).value
                if read and read != text.strip():
                    return f"{text} ({nice_date(read)})"
            return text
        if role == Qt.ItemDataRole.ToolTipRole:
            text = self._cell(row, column)
            return text if len(text) > 30 or "\n" in text else None
        if role == Qt.ItemDataRole.ForegroundRole and self._plan.mapping[column] == IGNORE:
            from PySide6.QtWidgets import QApplication

            return QApplication.palette().color(QPalette.ColorRole.PlaceholderText)  # left out, still readable
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if self._plan is None:
            return None
        if orientation == Qt.Orientation.Horizontal:
            if not 0 <= section < len(self._plan.header):
                return None
            name = self._plan.header[section]
            target = self._plan.mapping[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{name}\n→ {_field_label(target)}"
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"Column '{name}' imports as: {_field_label(target)}"
            return None
        if not 0 <= section < len(self._rows):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            # The row's line in the file, as the notes name rows (a spreadsheet's row number).
            return str(self._rows[section].line or self._rows[section].number)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._rows[section].problem
        return None

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
