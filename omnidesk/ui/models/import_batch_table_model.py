"""ImportBatchTableModel: the list of import batches on the Imports screen."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from omnidesk.core.importing.batches import copy_words, list_batches
from omnidesk.core.channels import channel_name
from omnidesk.core.timeline import workspace_zone
from omnidesk.core.timeutil import local_minute
from omnidesk.ui.formatting import nice_date
from omnidesk.core.workspace import Workspace

COLUMNS = [
    ("file_name", "File"),
    ("channel", "Channel"),
    ("kind", "Kind"),
    ("started_at", "Imported"),
    ("rows", "Rows"),
    ("imported", "New\nrecords"),  # records, not people: "New customers" says how many people
    ("customers_created", "New\ncustomers"),
    ("flagged", "Flagged"),
    ("duplicates", "Duplicates"),
    ("status", "Status"),
]


class ImportBatchTableModel(QAbstractTableModel):
    IdRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, workspace: Workspace, parent=None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self._rows: list[dict] = []
        self._zone = None
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self._rows = list_batches(self.workspace)
        # When an import ran, on the shop's clock as `omnidesk imports list` and the timeline say it.
        self._zone = workspace_zone(self.workspace)
        self.endResetModel()

    def batch(self, row: int) -> dict | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        batch = self._rows[index.row()]
        key = COLUMNS[index.column()][0]
        if role == self.IdRole:
            return batch["id"]
        if role == Qt.ItemDataRole.TextAlignmentRole and key in ("rows", "imported", "customers_created", "flagged", "duplicates"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        value = batch[key]
        if key == "channel":
            return channel_name(value)
        if key == "started_at":
            minute = local_minute(value, self._zone)
            if not minute:
                return str(value)
            # As every other list says a day ("16 Oct 2026"), with the time after it.
            return minute if role == Qt.ItemDataRole.ToolTipRole else f"{nice_date(minute[:10])}, {minute[11:]}"
        if key == "status":
            if (words := copy_words(batch)) is not None:  # the same file again, and what undoing did then
                if role == Qt.ItemDataRole.ToolTipRole:
                    return words[0].upper() + words[1:]
                return (f"Copy of import {batch['copy_of']}" if batch["copy_of"] is not None
                        else f"Undone, rows in import {batch['rows_now_in']}")
            return {"done": "Imported", "undone": "Undone", "running": "Incomplete",
                    "interrupted": "Interrupted"}.get(value, value)
        if key == "kind":
            return str(value).capitalize()
        return f"{value:,}" if isinstance(value, int) else str(value)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section][1] if 0 <= section < len(COLUMNS) else None
        return None
