"""A message's saved versions, newest first, to look at and restore."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QListWidget, QListWidgetItem, QPlainTextEdit, QSplitter, QVBoxLayout

from omnidesk.core.messages.derive import CHANNEL_LABELS


class HistoryDialog(QDialog):
    def __init__(self, name: str, versions, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"History of {name}")
        self.resize(760, 460)
        self.chosen: int | None = None
        self.list = QListWidget()
        self.shown = QPlainTextEdit()
        self.shown.setReadOnly(True)
        for v in versions:
            item = QListWidgetItem(v.created_at[:19].replace("T", " ") + " UTC")
            item.setData(Qt.ItemDataRole.UserRole, v.id)
            item.setData(Qt.ItemDataRole.UserRole + 1, self._text(v.snapshot))
            self.list.addItem(item)
        self.list.currentItemChanged.connect(
            lambda item, _p: self.shown.setPlainText(item.data(Qt.ItemDataRole.UserRole + 1) if item else ""))
        split = QSplitter()
        split.addWidget(self.list)
        split.addWidget(self.shown)
        split.setSizes([220, 520])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.restore_button = buttons.addButton("&Restore this version", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addWidget(buttons)
        if versions:
            self.list.setCurrentRow(0)

    @staticmethod
    def _text(snapshot: dict) -> str:
        lines = [f"{k}: {v}" for k, v in snapshot.get("message", {}).items() if v]
        for channel, v in snapshot.get("variants", {}).items():
            lines.append("")
            lines.append(f"— {CHANNEL_LABELS.get(channel, channel)}" + (" (edited)" if v.get("edited") else ""))
            lines.extend(f"{k}: {text}" for k, text in v.get("fields", {}).items() if text)
        return "\n".join(lines)

    def accept(self) -> None:
        item = self.list.currentItem()
        self.chosen = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        super().accept()
