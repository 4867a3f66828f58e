"""FlaggedRowTableModel: one import's flagged rows, fetched a page at a time as the view scrolls."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from omnidesk.core.importing.batches import FlaggedRecord, flagged_records
from omnidesk.core.workspace import Workspace
from omnidesk.ui.models.list_table_model import ListTableModel

PAGE = 500


class FlaggedRowTableModel(ListTableModel):
    # A row is named by its line in the file (the row number a spreadsheet shows it at), as the
    # import's notes name it; not by its count among the rows, which a title line or an empty
    # line above it puts out of step.
    HEADERS = ("Line", "What is wrong", "The row as read")

    def __init__(self, workspace: Workspace, parent=None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.batch_id: int | None = None
        self.total = 0
        self._rows: list[FlaggedRecord] = []
        self._resetting = False

    def show_batch(self, batch_id: int | None, total: int = 0) -> None:
        """Show the flagged rows of ``batch_id`` (``total`` of them), or none."""
        self.beginResetModel()
        self.batch_id, self.total = batch_id, total if batch_id is not None else 0
        self._rows = []
        # A view told of the reset may ask for rows before every listener has heard of it
        # (one shown again for this batch did): the first page comes once the reset is over.
        self._resetting = True
        try:
            self.endResetModel()
        finally:
            self._resetting = False
        if self.canFetchMore():
            self.fetchMore()

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:
        return (not parent.isValid() and not self._resetting and self.batch_id is not None
                and len(self._rows) < self.total)

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:
        if not self.canFetchMore(parent):
            return
        page = flagged_records(self.workspace, self.batch_id, limit=PAGE, offset=len(self._rows))
        if not page:
            self.total = len(self._rows)  # fewer than the batch said (an erase took some)
            return
        start = len(self._rows)
        self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)
        self._rows.extend(page)
        self.endInsertRows()

    def record(self, row: int) -> FlaggedRecord | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def _count(self) -> int:
        return len(self._rows)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        rec = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return f"{rec.line or rec.row:,}"
            if column == 1:
                return _fixed(rec) + "; ".join(rec.problems)
            return " | ".join(rec.values)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 1:
                return _fixed(rec) + "\n".join(rec.problems)
            if column == 2:
                return "\n".join(rec.values)
        return None


def _fixed(rec: FlaggedRecord) -> str:
    """A row an error report fixed, or whose order a later export replaced, is still kept, as read;
    it says first what replaced it."""
    if rec.fixed_by is not None:
        return f"Fixed by import {rec.fixed_by} (replaced, no longer counted) — "
    if rec.replaced_by is not None:
        return f"Order replaced by import {rec.replaced_by}'s later export, not fixed (no longer counted) — "
    return ""
