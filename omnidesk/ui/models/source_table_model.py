"""The Sources tab's table: a customer's source records, with file, row, channel, kind and problems."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from omnidesk.core.channels import channel_name
from omnidesk.core.profile import SourceRow
from omnidesk.ui.models.list_table_model import ListTableModel
from omnidesk.ui.models.timeline_model import channel_icon


class SourceTableModel(ListTableModel):
    """The customer's source records: file, row, channel, kind and what was flagged."""

    RecordIdRole = Qt.ItemDataRole.UserRole + 1
    HEADERS = ("File", "Row", "Channel", "Kind", "Problems")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[SourceRow] = []

    def set_rows(self, rows: list[SourceRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def _count(self) -> int:
        return len(self._rows)

    def source_row(self, row: int) -> SourceRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.source_row(index.row())
        if row is None:
            return None
        column = index.column()
        if role == self.RecordIdRole:
            return row.record_id
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            values = (row.source_file, str(row.record_no), channel_name(row.channel), row.kind, "; ".join(row.problems))
            if role == Qt.ItemDataRole.ToolTipRole and column not in (0, 4):
                return None
            return values[column] if 0 <= column < len(values) else None
        if role == Qt.ItemDataRole.DecorationRole and column == 2:
            return channel_icon(row.channel)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


