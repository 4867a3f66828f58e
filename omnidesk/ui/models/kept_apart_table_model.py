"""KeptApartTableModel: the pairs the user said are different people, read a page at a time."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from omnidesk.core.identity.kept_apart import KeptApart, count_kept_apart, list_kept_apart
from omnidesk.core.workspace import Workspace
from omnidesk.ui.formatting import isolated, nice_date
from omnidesk.ui.models.list_table_model import ListTableModel

GONE = "no longer in the workspace"


def decided_words(iso: str, zone: tzinfo | None) -> str:
    """When a decision was made, on the shop's clock: "9 Mar 2026, 10:30"."""
    try:
        dt = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return iso or ""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    local = dt.astimezone(zone) if zone is not None else dt.astimezone()
    return f"{nice_date(local.date().isoformat())}, {local:%H:%M}"


class KeptApartTableModel(ListTableModel):
    """Rows are fetched as the view scrolls (``PAGE`` at a time); the total is one count query."""

    HEADERS = ("Customer", "Kept apart from", "Decided")
    PAGE = 200

    def __init__(self, workspace: Workspace, parent=None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.zone: tzinfo | None = None
        self.items: list[KeptApart] = []
        self.total = 0

    def reload(self, zone: tzinfo | None = None) -> None:
        """Read the list again from the start (the first page only)."""
        self.beginResetModel()
        self.zone = zone
        self.total = count_kept_apart(self.workspace)
        self.items = list_kept_apart(self.workspace, limit=self.PAGE) if self.total else []
        self.endResetModel()

    def _count(self) -> int:
        return len(self.items)

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:
        return not parent.isValid() and len(self.items) < self.total

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:
        if not self.canFetchMore(parent):
            return
        more = list_kept_apart(self.workspace, limit=self.PAGE, offset=len(self.items))
        if not more:
            self.total = len(self.items)  # fewer than counted: changed in between; stop asking
            return
        self.beginInsertRows(QModelIndex(), len(self.items), len(self.items) + len(more) - 1)
        self.items.extend(more)
        self.endInsertRows()

    def item(self, row: int) -> KeptApart | None:
        return self.items[row] if 0 <= row < len(self.items) else None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.items):
            return None
        item = self.items[index.row()]
        col = index.column()
        side = (item.left_id, item.left_name) if col == 0 else (item.right_id, item.right_name)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if col == 2:
                text = decided_words(item.decided_at, self.zone)
                return text if role == Qt.ItemDataRole.DisplayRole else f"Said to be different people on {text}"
            cid, name = side
            if cid is None:
                return GONE.capitalize() if role == Qt.ItemDataRole.DisplayRole else \
                    "The records of this side were taken out of the workspace (their import was undone)"
            return f"{isolated(name)}  (#{cid})"
        if role == Qt.ItemDataRole.ForegroundRole and col < 2 and side[0] is None:
            return QColor(120, 120, 120)
        if role == Qt.ItemDataRole.FontRole and col < 2 and side[0] is None:
            font = QFont()
            font.setItalic(True)
            return font
        return None
